//! Shared drawing helpers for every chart: the font list, text widths for mixed Chinese and Latin
//! labels (plotters misjudges Chinese without its `ttf` feature), truncation and wrapping, the
//! colour scales (viridis for amounts, a qualitative palette for themes), a [`Canvas`] that draws
//! through plotters' SVG backend into a string, and the post-processing that puts `<title>`
//! tooltips into the rectangles that asked for one.

use super::ThemeName;
use crate::config::Lang;
use crate::error::{Error, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The font family written into every `<text>`: the viewer picks the first one it has.
pub(crate) const FONT: &str = "Noto Sans CJK SC, Source Han Sans SC, WenQuanYi Micro Hei, Microsoft YaHei, PingFang SC, sans-serif";

/// Outer margin of every chart, in pixels.
pub(crate) const MARGIN: f64 = 20.0;
/// Chart titles.
pub(crate) const TITLE_PX: f64 = 16.0;
/// Subtitles, notes and axis captions.
pub(crate) const NOTE_PX: f64 = 11.0;
/// Row labels.
pub(crate) const LABEL_PX: f64 = 12.0;
/// Tick labels, legend entries and values written on bars.
pub(crate) const SMALL_PX: f64 = 10.0;

/// Body text.
pub(crate) const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
/// Secondary text: subtitles, counts, tick labels.
pub(crate) const MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);
/// Warnings written in a chart (e.g. rows left out).
pub(crate) const NOTE: RGBColor = RGBColor(0xA6, 0x3C, 0x00);
/// Axis lines.
pub(crate) const AXIS: RGBColor = RGBColor(0x88, 0x88, 0x88);
/// Grid lines behind bars.
pub(crate) const GRID: RGBColor = RGBColor(0xE2, 0xE2, 0xE2);
/// Empty cells (a share of exactly zero).
pub(crate) const EMPTY: RGBColor = RGBColor(0xF2, 0xF2, 0xF2);
/// Units without a theme.
pub(crate) const UNASSIGNED: RGBColor = RGBColor(0xB4, 0xB4, 0xB4);

/// Width of `c` in em: CJK characters and full-width punctuation (with `·`, which CJK fonts draw
/// full width) are one em, Latin about half.
fn char_em(c: char) -> f64 {
    match c {
        ' ' => 0.3,
        'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | '(' | ')' | '[' | ']' => 0.32,
        '%' | '@' | 'm' | 'w' | 'M' | 'W' => 0.9,
        'A'..='Z' => 0.68,
        c if c.is_ascii() => 0.57,
        c if is_wide(c) => 1.0,
        _ => 0.62,
    }
}

/// Whether `c` is drawn one em wide (CJK ideographs, kana, hangul, full-width forms, CJK punctuation).
fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x00B7 | 0x1100..=0x115F | 0x2014 | 0x2018..=0x201D | 0x2026 | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

/// The width of a column of row labels at the label size: the widest label (at least 40 px)
/// and a 12 px gap.
pub(crate) fn label_column_width(labels: &[String]) -> f64 {
    labels
        .iter()
        .map(|l| text_width(l, LABEL_PX))
        .fold(40.0, f64::max)
        + 12.0
}

/// The estimated width of `s` in pixels at font size `px`.
pub(crate) fn text_width(s: &str, px: f64) -> f64 {
    s.chars().map(char_em).sum::<f64>() * px
}

/// `s` without characters XML cannot hold and with line breaks and tabs turned into spaces.
pub(crate) fn clean(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\t' => Some(' '),
            '\u{FFFE}' | '\u{FFFF}' => None,
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// `s` cut to at most `max` pixels at size `px`, ending in `…` when cut.
pub(crate) fn truncate(s: &str, max: f64, px: f64) -> String {
    let s = clean(s);
    if text_width(&s, px) <= max {
        return s;
    }
    let room = max - char_em('…') * px;
    let mut out = String::new();
    let mut width = 0.0;
    for c in s.chars() {
        width += char_em(c) * px;
        if width > room {
            break;
        }
        out.push(c);
    }
    let mut out = out.trim_end().to_string();
    out.push('…');
    out
}

/// Where a label may break: after these (they are dropped at the end of a line).
const BREAKS: [char; 4] = ['·', '、', '/', ' '];

/// `s` broken into at most `max_lines` lines of at most `max` pixels at size `px`, preferring to
/// break after `·`, `、`, `/` or a space; the last line ends in `…` when text is left over.
pub(crate) fn wrap(s: &str, max: f64, px: f64, max_lines: usize) -> Vec<String> {
    let bare = |l: &str| l.trim_end_matches(BREAKS).to_string();
    let fits = |l: &str| text_width(&bare(l), px) <= max;
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in clean(s).split_inclusive(BREAKS) {
        let joined = format!("{line}{word}");
        if fits(&joined) {
            line = joined;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for c in word.chars() {
            if !fits(&format!("{line}{c}")) && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            line.push(c);
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    let max_lines = max_lines.max(1);
    if lines.len() > max_lines {
        // Greedy lines: two of them never fit on one, so the cut always ends in `…`.
        let rest = lines.split_off(max_lines - 1).concat();
        lines.push(truncate(&rest, max, px));
    }
    lines.iter().map(|l| bare(l)).collect()
}

/// A share as a whole percentage: `23%`, `<1%` for small non-zero shares, `0%`.
pub(crate) fn pct(share: f64) -> String {
    if share > 0.0 && share < 0.005 {
        "<1%".to_string()
    } else {
        format!("{:.0}%", share * 100.0)
    }
}

/// `count / total`, or 0 when the total is 0.
pub(crate) fn share(count: usize, total: usize) -> f64 {
    if total == 0 {
        0.0
    } else {
        count as f64 / total as f64
    }
}

/// A term weight with three significant digits (`0.0312`, `0.125`, `1.25`).
pub(crate) fn weight(w: f64) -> String {
    if w == 0.0 || !w.is_finite() {
        return format!("{w}");
    }
    let decimals = (2 - w.abs().log10().floor() as i32).clamp(0, 6) as usize;
    format!("{w:.decimals$}")
}

/// Viridis (matplotlib's colour-blind-safe sequential map) at `v` in [0, 1], interpolated
/// between 11 stops: 0 is dark purple, 1 is yellow.
pub(crate) fn viridis(v: f64) -> RGBColor {
    const STOPS: [(u8, u8, u8); 11] = [
        (0x44, 0x01, 0x54),
        (0x48, 0x24, 0x75),
        (0x41, 0x44, 0x87),
        (0x35, 0x5F, 0x8D),
        (0x2A, 0x78, 0x8E),
        (0x21, 0x91, 0x8C),
        (0x22, 0xA8, 0x84),
        (0x44, 0xBF, 0x70),
        (0x7A, 0xD1, 0x51),
        (0xBD, 0xDF, 0x26),
        (0xFD, 0xE7, 0x25),
    ];
    let v = if v.is_finite() {
        v.clamp(0.0, 1.0)
    } else {
        0.0
    } * 10.0;
    let i = (v.floor() as usize).min(9);
    let f = v - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// The shape of a theme's points on the map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A disc.
    Circle,
    /// An upward triangle.
    Triangle,
    /// A square.
    Square,
}

/// The qualitative palette for themes, 36 colours that stay apart at 30 themes: Tableau 10 (its
/// grey swapped for navy, as grey means unassigned or 其他), then each next colour the sRGB
/// colour farthest in CIEDE2000 from every one before it, from white and from the greys, among
/// colours of lightness 32–85 and chroma 22–70 (no neon). The smallest CIEDE2000 distance
/// between two of them is 16.4 among the first 20, 15.7 among the first 30 and 14.3 among all
/// 36; tested in [`tests::the_palette_stays_apart`].
const PALETTE: [RGBColor; 36] = [
    RGBColor(0x4E, 0x79, 0xA7),
    RGBColor(0xF2, 0x8E, 0x2B),
    RGBColor(0xE1, 0x57, 0x59),
    RGBColor(0x76, 0xB7, 0xB2),
    RGBColor(0x59, 0xA1, 0x4F),
    RGBColor(0xED, 0xC9, 0x48),
    RGBColor(0xB0, 0x7A, 0xA1),
    RGBColor(0xFF, 0x9D, 0xA7),
    RGBColor(0x9C, 0x75, 0x5F),
    RGBColor(0x2F, 0x4B, 0x7C),
    RGBColor(0x00, 0x5A, 0x4B),
    RGBColor(0x96, 0x00, 0x5A),
    RGBColor(0x5A, 0x5A, 0x00),
    RGBColor(0x96, 0x1E, 0x00),
    RGBColor(0xB4, 0xB4, 0xFF),
    RGBColor(0x00, 0xF0, 0xA5),
    RGBColor(0x00, 0xB4, 0xFF),
    RGBColor(0x87, 0x4B, 0xB4),
    RGBColor(0x96, 0x87, 0x00),
    RGBColor(0xB4, 0xE1, 0x5A),
    RGBColor(0xFF, 0x96, 0xFF),
    RGBColor(0xF0, 0xC3, 0xA5),
    RGBColor(0x78, 0x4B, 0x0F),
    RGBColor(0x00, 0x69, 0x0F),
    RGBColor(0x0F, 0x87, 0x87),
    RGBColor(0x87, 0x4B, 0x4B),
    RGBColor(0xA5, 0xA5, 0x78),
    RGBColor(0x96, 0x78, 0xF0),
    RGBColor(0x00, 0xE1, 0xFF),
    RGBColor(0x69, 0x4B, 0x69),
    RGBColor(0xC3, 0x5A, 0x0F),
    RGBColor(0xD2, 0x3C, 0x78),
    RGBColor(0xF0, 0xC3, 0xE1),
    RGBColor(0x69, 0x78, 0x4B),
    RGBColor(0xA5, 0xD2, 0xA5),
    RGBColor(0x00, 0x5A, 0x69),
];

/// How many themes get a colour of their own: stacked bars draw the themes past it together as
/// one 其他 segment in [`OTHER`], so no two themes in one bar share a fill.
pub(crate) const THEME_COLOURS: usize = PALETTE.len();

/// The segment of the themes past [`THEME_COLOURS`] in stacked bars (其他, others).
pub(crate) const OTHER: RGBColor = RGBColor(0x8C, 0x8C, 0x8C);

/// How many themes the map tells apart: every colour of the palette with each of the 3 shapes.
/// Themes past it are drawn in [`OTHER`] grey.
pub(crate) const MAP_STYLES: usize = 3 * PALETTE.len();

/// Theme `t`'s colour: its own for the first [`THEME_COLOURS`] themes, then the palette again
/// (the map tells those apart by [`theme_shape`]; stacked bars draw them as 其他).
pub(crate) fn theme_color(t: usize) -> RGBColor {
    PALETTE[t % PALETTE.len()]
}

/// Theme `t`'s marker on the map: discs for the first [`THEME_COLOURS`] themes, then triangles,
/// then squares, so colour and marker together tell [`MAP_STYLES`] themes apart.
pub(crate) fn theme_shape(t: usize) -> Shape {
    match (t / PALETTE.len()) % 3 {
        0 => Shape::Circle,
        1 => Shape::Triangle,
        _ => Shape::Square,
    }
}

/// Dark or white text, whichever reads on `fill`.
pub(crate) fn text_on(fill: RGBColor) -> RGBColor {
    let RGBColor(r, g, b) = fill;
    let luma = (0.299 * r as f64 + 0.587 * g as f64 + 0.114 * b as f64) / 255.0;
    if luma < 0.55 { WHITE } else { INK }
}

/// How a piece of text is set.
#[derive(Clone, Copy)]
pub(crate) struct Txt {
    px: f64,
    color: RGBColor,
    h: HPos,
    v: VPos,
    bold: bool,
}

impl Txt {
    /// Text of size `px`, dark, anchored at its left end and vertical centre.
    pub(crate) fn new(px: f64) -> Txt {
        Txt {
            px,
            color: INK,
            h: HPos::Left,
            v: VPos::Center,
            bold: false,
        }
    }

    /// In `color`.
    pub(crate) fn color(self, color: RGBColor) -> Txt {
        Txt { color, ..self }
    }

    /// Anchored at its right end.
    pub(crate) fn right(self) -> Txt {
        Txt {
            h: HPos::Right,
            ..self
        }
    }

    /// Anchored at its horizontal centre.
    pub(crate) fn center(self) -> Txt {
        Txt {
            h: HPos::Center,
            ..self
        }
    }

    /// Anchored at its top (the position is the top of the line).
    pub(crate) fn top(self) -> Txt {
        Txt {
            v: VPos::Top,
            ..self
        }
    }

    /// Bold.
    pub(crate) fn bold(self) -> Txt {
        Txt { bold: true, ..self }
    }

    /// The plotters text style (plotters writes `font-size` as size / 1.24).
    pub(crate) fn style(&self) -> TextStyle<'static> {
        let weight = if self.bold {
            FontStyle::Bold
        } else {
            FontStyle::Normal
        };
        (FONT, self.px * 1.24, weight)
            .into_font()
            .color(&self.color)
            .pos(Pos::new(self.h, self.v))
    }
}

/// A filled rectangle as drawn: the exact tag plotters writes for it, and its tooltip if any.
struct Drawn {
    tag: String,
    title: Option<String>,
    /// What the page lists when the rectangle is clicked (`data-drill`, see [`Canvas::drill`]).
    drill: Option<String>,
}

/// A drawing surface in pixel coordinates over plotters' SVG backend, recording tooltips.
pub(crate) struct Canvas<'a> {
    area: DrawingArea<SVGBackend<'a>, Shift>,
    chart: &'static str,
    rects: Vec<Drawn>,
}

/// The error for chart `chart` with plotters' (or our own) message.
pub(crate) fn chart_error(chart: &'static str, message: impl std::fmt::Display) -> Error {
    Error::Chart {
        chart,
        message: message.to_string(),
    }
}

impl<'a> Canvas<'a> {
    /// The whole drawing area, for plotters' chart builder.
    pub(crate) fn area(&self) -> &DrawingArea<SVGBackend<'a>, Shift> {
        &self.area
    }

    /// The chart's error with `message`.
    pub(crate) fn error(&self, message: impl std::fmt::Display) -> Error {
        chart_error(self.chart, message)
    }

    /// A filled rectangle between two corners; with `tip`, it gets that tooltip. Every filled
    /// rectangle goes through here (markers are polygons), so each tooltip finds its own.
    pub(crate) fn rect(
        &mut self,
        (x0, y0): (f64, f64),
        (x1, y1): (f64, f64),
        fill: RGBColor,
        tip: Option<String>,
    ) -> Result<()> {
        let (ax, bx) = (x0.min(x1).round() as i32, x0.max(x1).round() as i32);
        let (ay, by) = (y0.min(y1).round() as i32, y0.max(y1).round() as i32);
        self.area
            .draw(&Rectangle::new([(ax, ay), (bx, by)], fill.filled()))
            .map_err(|e| self.error(e))?;
        let RGBColor(r, g, b) = fill;
        let tag = format!(
            "<rect x=\"{ax}\" y=\"{ay}\" width=\"{}\" height=\"{}\" opacity=\"1\" fill=\"#{r:02X}{g:02X}{b:02X}\" stroke=\"none\"/>",
            bx - ax,
            by - ay
        );
        self.rects.push(Drawn {
            tag,
            title: tip,
            drill: None,
        });
        Ok(())
    }

    /// Marks the rectangle drawn last with `key` (`cell:G:T`, `theme:T`, `kind:K:T`, `year:Y:T`
    /// with indices into the analysis), written as its `data-drill` attribute: the page lists
    /// the measures behind it when it is clicked.
    pub(crate) fn drill(&mut self, key: String) {
        if let Some(last) = self.rects.last_mut() {
            last.drill = Some(key);
        }
    }

    /// The outline of a rectangle.
    pub(crate) fn outline(
        &self,
        (x0, y0): (f64, f64),
        (x1, y1): (f64, f64),
        color: RGBColor,
    ) -> Result<()> {
        let corners = [
            (x0.round() as i32, y0.round() as i32),
            (x1.round() as i32, y1.round() as i32),
        ];
        self.area
            .draw(&Rectangle::new(corners, color.stroke_width(1)))
            .map_err(|e| self.error(e))
    }

    /// A line through `points`.
    pub(crate) fn line(&self, points: &[(f64, f64)], color: RGBColor, width: u32) -> Result<()> {
        let points: Vec<(i32, i32)> = points
            .iter()
            .map(|&(x, y)| (x.round() as i32, y.round() as i32))
            .collect();
        self.area
            .draw(&PathElement::new(points, color.stroke_width(width)))
            .map_err(|e| self.error(e))
    }

    /// Text at `(x, y)`, cleaned of characters XML cannot hold.
    pub(crate) fn text(&self, s: &str, (x, y): (f64, f64), txt: Txt) -> Result<()> {
        let s = clean(s);
        if s.is_empty() {
            return Ok(());
        }
        let at = (x.round() as i32, y.round() as i32);
        self.area
            .draw(&Text::new(s, at, txt.style()))
            .map_err(|e| self.error(e))
    }

    /// A point marker of `shape` centred at `(x, y)`, `r` pixels in radius.
    pub(crate) fn marker(
        &self,
        (x, y): (i32, i32),
        shape: Shape,
        r: i32,
        style: ShapeStyle,
    ) -> Result<()> {
        let drawn = match shape {
            Shape::Circle => self.area.draw(&Circle::new((x, y), r, style)),
            Shape::Triangle => self.area.draw(&Polygon::new(
                vec![(x, y - r - 1), (x + r + 1, y + r), (x - r - 1, y + r)],
                style,
            )),
            Shape::Square => self.area.draw(&Polygon::new(
                vec![
                    (x - r, y - r),
                    (x + r, y - r),
                    (x + r, y + r),
                    (x - r, y + r),
                ],
                style,
            )),
        };
        drawn.map_err(|e| self.error(e))
    }

    /// The chart's title in bold with a muted subtitle below, taking [`HEADING_H`] from the top
    /// margin.
    pub(crate) fn heading(&self, title: &str, subtitle: &str) -> Result<()> {
        self.text(title, (MARGIN, MARGIN), Txt::new(TITLE_PX).bold().top())?;
        self.text(
            subtitle,
            (MARGIN, MARGIN + TITLE_PX * 1.5),
            Txt::new(NOTE_PX).color(MUTED).top(),
        )
    }
}

/// The height of a [`Canvas::heading`], with the gap below it.
pub(crate) const HEADING_H: f64 = TITLE_PX * 1.5 + NOTE_PX * 1.6 + 8.0;

/// The width a [`Canvas::heading`] needs.
pub(crate) fn heading_width(title: &str, subtitle: &str) -> f64 {
    2.0 * MARGIN + text_width(title, TITLE_PX).max(text_width(subtitle, NOTE_PX))
}

/// Draws a chart of `size` pixels with `draw` on a white canvas and returns the SVG text with
/// the recorded tooltips in place.
pub(crate) fn render(
    chart: &'static str,
    (width, height): (f64, f64),
    draw: impl FnOnce(&mut Canvas) -> Result<()>,
) -> Result<String> {
    let size = (width.ceil().max(1.0) as u32, height.ceil().max(1.0) as u32);
    let mut svg = String::new();
    let rects = {
        let area = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        area.fill(&WHITE).map_err(|e| chart_error(chart, e))?;
        let mut canvas = Canvas {
            area,
            chart,
            rects: Vec::new(),
        };
        draw(&mut canvas)?;
        canvas.area.present().map_err(|e| chart_error(chart, e))?;
        canvas.rects
    };
    with_titles(&svg, &rects).map_err(|m| chart_error(chart, m))
}

/// `svg` with the rectangles that have a tooltip turned from `<rect …/>` into
/// `<rect …><title>…</title></rect>`. The rectangles are found in drawing order, so two with the
/// same geometry and colour each keep their own tooltip.
fn with_titles(svg: &str, rects: &[Drawn]) -> std::result::Result<String, String> {
    let extra: usize = rects
        .iter()
        .filter_map(|r| r.title.as_ref())
        .map(|t| t.len() + 24)
        .sum();
    let mut out = String::with_capacity(svg.len() + extra);
    let mut pos = 0;
    for rect in rects {
        let at = svg[pos..]
            .find(&rect.tag)
            .ok_or_else(|| format!("internal: rectangle {} not found", rect.tag))?
            + pos;
        let end = at + rect.tag.len();
        out.push_str(&svg[pos..end - "/>".len()]);
        if let Some(key) = &rect.drill {
            out.push_str(" data-drill=\"");
            escape_into(&mut out, key);
            out.push('"');
        }
        match &rect.title {
            Some(title) => {
                out.push_str("><title>");
                escape_into(&mut out, title);
                out.push_str("</title></rect>");
            }
            None => out.push_str("/>"),
        }
        pos = end;
    }
    out.push_str(&svg[pos..]);
    Ok(out)
}

/// Appends `s` to `out` escaped for XML text, keeping line breaks (tooltips show them).
fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push('\n'),
            '\u{FFFE}' | '\u{FFFF}' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
}

/// One legend entry.
pub(crate) struct LegendItem {
    /// The text.
    pub(crate) label: String,
    /// The swatch colour.
    pub(crate) color: RGBColor,
    /// The swatch shape (a square for bars).
    pub(crate) shape: Shape,
}

/// A legend laid out in columns (filled top to bottom) to fit a width.
pub(crate) struct Legend {
    items: Vec<LegendItem>,
    cols: usize,
    col_width: f64,
}

/// Height of one legend row.
const LEGEND_ROW: f64 = 18.0;
/// Longest legend label, in em.
const LEGEND_MAX_EM: f64 = 18.0;

impl Legend {
    /// Lays out `items` to fit `width` pixels.
    pub(crate) fn new(items: Vec<LegendItem>, width: f64) -> Legend {
        let items: Vec<LegendItem> = items
            .into_iter()
            .map(|i| LegendItem {
                label: truncate(&i.label, LEGEND_MAX_EM * SMALL_PX, SMALL_PX),
                ..i
            })
            .collect();
        let widest = items
            .iter()
            .map(|i| text_width(&i.label, SMALL_PX))
            .fold(0.0, f64::max);
        let col_width = (widest + 18.0 + 16.0).min(width.max(1.0));
        let cols = ((width / col_width).floor() as usize).clamp(1, items.len().max(1));
        Legend {
            items,
            cols,
            col_width,
        }
    }

    /// Height in pixels.
    pub(crate) fn height(&self) -> f64 {
        self.items.len().div_ceil(self.cols) as f64 * LEGEND_ROW
    }

    /// Draws the legend with its top-left corner at `(x, y)`.
    pub(crate) fn draw(&self, canvas: &Canvas, (x, y): (f64, f64)) -> Result<()> {
        let rows = self.items.len().div_ceil(self.cols).max(1);
        for (i, item) in self.items.iter().enumerate() {
            let cx = x + (i / rows) as f64 * self.col_width;
            let cy = y + (i % rows) as f64 * LEGEND_ROW + LEGEND_ROW / 2.0;
            let centre = ((cx + 6.0).round() as i32, cy.round() as i32);
            canvas.marker(centre, item.shape, 5, item.color.filled())?;
            canvas.text(&item.label, (cx + 16.0, cy), Txt::new(SMALL_PX))?;
        }
        Ok(())
    }
}

/// A horizontal percentage axis from `x0` (0%) to `x1` (100%) with grid lines from `top` to
/// `bottom` and tick labels below `bottom`.
pub(crate) fn percent_axis(
    canvas: &Canvas,
    (x0, x1): (f64, f64),
    (top, bottom): (f64, f64),
) -> Result<()> {
    for i in 0..=4 {
        let x = x0 + (x1 - x0) * i as f64 / 4.0;
        canvas.line(
            &[(x, top), (x, bottom)],
            if i == 0 { AXIS } else { GRID },
            1,
        )?;
        canvas.text(
            &format!("{}%", i * 25),
            (x, bottom + 4.0),
            Txt::new(SMALL_PX).color(MUTED).center().top(),
        )?;
    }
    Ok(())
}

/// One bar of a [`bar_chart`].
pub(crate) struct Bar {
    /// The label left of the bar (cut to fit).
    pub label: String,
    /// Its length as a share of the axis, in [0, 1].
    pub value: f64,
    /// The figure written after the bar.
    pub value_text: String,
    /// Its colour.
    pub color: RGBColor,
    /// Its tooltip.
    pub tip: String,
    /// What the page lists when it is clicked ([`Canvas::drill`]).
    pub drill: Option<String>,
}

/// Labelled horizontal bars on a 0–100% axis, one row each, in the order given (the recurrence
/// and stability charts).
pub(crate) fn bar_chart(
    file: &'static str,
    title: &str,
    subtitle: &str,
    caption: &str,
    bars: &[Bar],
) -> Result<String> {
    const ROW_H: f64 = 24.0;
    const BAR_H: f64 = 16.0;
    const BAR_W: f64 = 420.0;
    const LABEL_EM: f64 = 20.0;
    let labels: Vec<String> = bars
        .iter()
        .map(|b| truncate(&b.label, LABEL_EM * LABEL_PX, LABEL_PX))
        .collect();
    let left_w = label_column_width(&labels);
    let value_w = bars
        .iter()
        .map(|b| text_width(&b.value_text, SMALL_PX))
        .fold(0.0, f64::max)
        + 12.0;
    let bars_x = MARGIN + left_w;
    let top = MARGIN + HEADING_H;
    let bottom = top + bars.len() as f64 * ROW_H;
    let width = (bars_x + BAR_W + value_w + MARGIN).max(heading_width(title, subtitle));
    let height = bottom + 16.0 + NOTE_PX * 1.8 + NOTE_PX + MARGIN;
    render(file, (width, height), |c: &mut Canvas| {
        c.heading(title, subtitle)?;
        percent_axis(c, (bars_x, bars_x + BAR_W), (top, bottom))?;
        c.text(
            caption,
            (bars_x + BAR_W / 2.0, bottom + 18.0),
            Txt::new(NOTE_PX).color(MUTED).center().top(),
        )?;
        for (r, (bar, label)) in bars.iter().zip(&labels).enumerate() {
            let y0 = top + r as f64 * ROW_H + (ROW_H - BAR_H) / 2.0;
            let mid = y0 + BAR_H / 2.0;
            let x1 = bars_x + BAR_W * bar.value.clamp(0.0, 1.0);
            c.text(label, (bars_x - 8.0, mid), Txt::new(LABEL_PX).right())?;
            c.rect(
                (bars_x, y0),
                (x1.max(bars_x + 1.0), y0 + BAR_H),
                bar.color,
                Some(bar.tip.clone()),
            )?;
            if let Some(key) = &bar.drill {
                c.drill(key.clone());
            }
            c.text(
                &bar.value_text,
                (x1 + 6.0, mid),
                Txt::new(SMALL_PX).color(MUTED),
            )?;
        }
        Ok(())
    })
}

/// Which way a [`stacked_bar`] grows from its start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Along {
    /// From the left edge to the right (the sections chart).
    Right,
    /// From the bottom edge up (the years chart).
    Up,
}

/// One 100% stacked bar of a theme mix.
pub(crate) struct Stack<'a> {
    /// The themes, one per count.
    pub themes: &'a [ThemeName],
    /// Units per theme.
    pub counts: &'a [usize],
    /// What the bar stands for, first in every tooltip (`举措成效`, `2021`).
    pub name: &'a str,
    /// The drill key of a segment without its theme (`kind:measures`, `year:2021`): a segment
    /// of theme `t` drills to `{drill}:{t}`.
    pub drill: &'a str,
    /// The language of the tooltips and of 其他.
    pub lang: Lang,
}

/// Draws `stack` as one bar filling the box from `(x0, y0)` to `(x1, y1)`, growing `along`:
/// a segment per theme with units, in theme order, each in its own colour with a tooltip and
/// a drill key; the themes past [`THEME_COLOURS`] together as one grey 其他 segment at the end.
/// A segment long enough carries a direct label: its theme id and share (`T05 12%`), or the id
/// alone, so a theme can be read without matching colours to the legend.
pub(crate) fn stacked_bar(
    c: &mut Canvas,
    (x0, y0): (f64, f64),
    (x1, y1): (f64, f64),
    along: Along,
    stack: &Stack,
) -> Result<()> {
    let k = stack.themes.len().min(stack.counts.len());
    let total: usize = stack.counts[..k].iter().sum();
    if total == 0 {
        return c.outline((x0, y0), (x1, y1), AXIS);
    }
    let (length, thickness) = match along {
        Along::Right => (x1 - x0, y1 - y0),
        Along::Up => (y1 - y0, x1 - x0),
    };
    let mut segments: Vec<(Option<usize>, usize)> = (0..k.min(THEME_COLOURS))
        .filter(|&t| stack.counts[t] > 0)
        .map(|t| (Some(t), stack.counts[t]))
        .collect();
    let others: Vec<usize> = (THEME_COLOURS..k)
        .filter(|&t| stack.counts[t] > 0)
        .collect();
    let rest: usize = others.iter().map(|&t| stack.counts[t]).sum();
    if rest > 0 {
        segments.push((None, rest));
    }
    let units = stack.lang.pick("条", "units");
    let mut done = 0;
    for (theme, count) in segments {
        let from = length * share(done, total);
        done += count;
        let to = length * share(done, total);
        let ((sx0, sy0), (sx1, sy1)) = match along {
            Along::Right => ((x0 + from, y0), (x0 + to, y1)),
            Along::Up => ((x0, y1 - to), (x1, y1 - from)),
        };
        let s = share(count, total);
        let (colour, id, named) = match theme {
            Some(t) => (
                theme_color(t),
                stack.themes[t].id.clone(),
                stack.themes[t].full(),
            ),
            None => (
                OTHER,
                stack.lang.pick("其他", "other").to_string(),
                format!(
                    "{} ({} {})",
                    stack.lang.pick("其他", "other themes"),
                    others.len(),
                    stack.lang.pick("个主题", "themes")
                ),
            ),
        };
        let tip = match stack.lang {
            Lang::Zh => format!(
                "{} · {named}\n{total} 条中的 {count} 条（{}）",
                stack.name,
                pct(s)
            ),
            Lang::En => format!(
                "{} · {named}\n{count} of {total} {units} ({})",
                stack.name,
                pct(s)
            ),
        };
        c.rect((sx0, sy0), (sx1, sy1), colour, Some(tip))?;
        if let Some(t) = theme {
            c.drill(format!("{}:{t}", stack.drill));
        }
        let room = to - from;
        let fits = |label: &str| match along {
            Along::Right => {
                text_width(label, SMALL_PX) + 6.0 <= room && thickness >= SMALL_PX + 2.0
            }
            Along::Up => text_width(label, SMALL_PX) + 4.0 <= thickness && room >= SMALL_PX + 3.0,
        };
        let both = format!("{id} {}", pct(s));
        let label = [both.as_str(), id.as_str()].into_iter().find(|l| fits(l));
        if let Some(label) = label {
            c.text(
                label,
                ((sx0 + sx1) / 2.0, (sy0 + sy1) / 2.0),
                Txt::new(SMALL_PX).color(text_on(colour)).center(),
            )?;
        }
    }
    Ok(())
}

/// The legend of a theme mix: a square per theme in its colour, the themes past
/// [`THEME_COLOURS`] as one grey 其他 entry, laid out to fit `width`.
pub(crate) fn theme_legend(themes: &[ThemeName], width: f64, lang: Lang) -> Legend {
    let k = themes.len();
    let mut items: Vec<LegendItem> = themes
        .iter()
        .take(THEME_COLOURS)
        .enumerate()
        .map(|(t, theme)| LegendItem {
            label: theme.full(),
            color: theme_color(t),
            shape: Shape::Square,
        })
        .collect();
    if k > THEME_COLOURS {
        items.push(LegendItem {
            label: match lang {
                Lang::Zh => format!("其他（{} 个主题）", k - THEME_COLOURS),
                Lang::En => format!("other ({} themes)", k - THEME_COLOURS),
            },
            color: OTHER,
            shape: Shape::Square,
        });
    }
    Legend::new(items, width)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Checks that `svg` is well-formed enough for an XML parser: tags balance, attributes are
    /// quoted, and no `&` starts anything but an entity.
    pub(crate) fn assert_well_formed(svg: &str) {
        let mut stack: Vec<String> = Vec::new();
        let mut rest = svg;
        while let Some(lt) = rest.find('<') {
            check_text(&rest[..lt]);
            let gt = rest[lt..].find('>').expect("unclosed tag") + lt;
            let tag = &rest[lt + 1..gt];
            assert!(!tag.contains('<'), "< inside a tag: {tag}");
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(stack.pop().as_deref(), Some(name), "mismatched </{name}>");
            } else if !tag.ends_with('/') {
                stack.push(tag.split_whitespace().next().expect("tag name").to_string());
            }
            assert_eq!(
                tag.matches('"').count() % 2,
                0,
                "unbalanced quotes in <{tag}>"
            );
            rest = &rest[gt + 1..];
        }
        check_text(rest);
        assert!(stack.is_empty(), "unclosed: {stack:?}");
        assert!(svg.starts_with("<svg "));
    }

    /// What a reader of `svg` sees: its text and tooltips, without tags and attributes.
    pub(crate) fn visible_text(svg: &str) -> String {
        svg.split('<')
            .map(|part| part.split_once('>').map_or(part, |(_, text)| text))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The fill of every theme's segments or markers in `svg`, read from the `data-drill`
    /// keys (`…:T` at the end): fails if one theme is drawn in two fills or two themes in one
    /// fill.
    pub(crate) fn fills_by_theme(svg: &str) -> std::collections::BTreeMap<usize, String> {
        let mut by_theme = std::collections::BTreeMap::new();
        for tag in svg.split('<').filter(|t| t.contains("data-drill=\"")) {
            let attr = |name: &str| {
                let at = tag.find(&format!(" {name}=\"")).expect(name) + name.len() + 3;
                tag[at..at + tag[at..].find('"').unwrap()].to_string()
            };
            let key = attr("data-drill");
            let theme: usize = key
                .rsplit(':')
                .next()
                .unwrap()
                .parse()
                .expect("theme index");
            let fill = attr("fill");
            let before = by_theme.insert(theme, fill.clone());
            assert!(
                before.is_none() || before.as_ref() == Some(&fill),
                "theme {theme} drawn in {before:?} and {fill}"
            );
        }
        let mut seen = std::collections::BTreeMap::new();
        for (t, fill) in &by_theme {
            if let Some(u) = seen.insert(fill.clone(), *t) {
                panic!("themes {u} and {t} share the fill {fill}");
            }
        }
        by_theme
    }

    fn check_text(text: &str) {
        for (i, _) in text.match_indices('&') {
            let entity = &text[i..text[i..].find(';').map_or(text.len(), |e| i + e + 1)];
            assert!(
                ["&lt;", "&gt;", "&amp;", "&quot;", "&apos;"].contains(&entity),
                "bare & in {text:?}"
            );
        }
    }

    #[test]
    fn widths_count_chinese_as_one_em() {
        assert_eq!(text_width("调解纠纷", 10.0), 40.0);
        assert!(text_width("T01", 10.0) < 20.0);
    }

    #[test]
    fn truncates_and_wraps_within_the_width() {
        let long = "矛盾纠纷多元化解·人民调解·诉源治理·枫桥经验";
        let cut = truncate(long, 60.0, 10.0);
        assert!(
            cut.ends_with('…') && text_width(&cut, 10.0) <= 60.0,
            "{cut}"
        );
        assert_eq!(truncate("短", 60.0, 10.0), "短");
        let lines = wrap("调解·纠纷·矛盾", 40.0, 10.0, 3);
        assert_eq!(lines, ["调解", "纠纷", "矛盾"]);
        assert_eq!(
            wrap("规范性文件·行为·行政", 55.0, 11.0, 3),
            ["规范性文件", "行为·行政"]
        );
        let lines = wrap(long, 50.0, 10.0, 2);
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with('…'));
        assert!(
            lines.iter().all(|l| text_width(l, 10.0) <= 50.0),
            "{lines:?}"
        );
    }

    #[test]
    fn formats_numbers() {
        assert_eq!(pct(0.234), "23%");
        assert_eq!(pct(0.001), "<1%");
        assert_eq!(pct(0.0), "0%");
        assert_eq!(weight(0.031234), "0.0312");
        assert_eq!(weight(1.25), "1.25");
    }

    #[test]
    fn colours_are_distinct_and_readable() {
        assert_eq!(viridis(0.0), RGBColor(0x44, 0x01, 0x54));
        assert_eq!(viridis(1.0), RGBColor(0xFD, 0xE7, 0x25));
        assert_eq!(text_on(viridis(0.0)), WHITE);
        assert_eq!(text_on(viridis(1.0)), INK);
        let styles: Vec<_> = (0..MAP_STYLES)
            .map(|t| (theme_color(t), theme_shape(t)))
            .collect();
        for (i, a) in styles.iter().enumerate() {
            assert!(styles[i + 1..].iter().all(|b| b != a), "theme {i} repeats");
        }
        assert!(PALETTE.iter().all(|&c| c != OTHER && c != UNASSIGNED));
    }

    /// CIELAB of an sRGB colour (D65).
    fn lab(RGBColor(r, g, b): RGBColor) -> (f64, f64, f64) {
        let lin = |c: u8| {
            let c = c as f64 / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let (r, g, b) = (lin(r), lin(g), lin(b));
        let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
        let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
        let f = |t: f64| {
            if t > 0.008856 {
                t.cbrt()
            } else {
                7.787 * t + 16.0 / 116.0
            }
        };
        let (fx, fy, fz) = (f(x), f(y), f(z));
        (116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz))
    }

    /// The CIEDE2000 colour difference (Sharma, Wu and Dalal's formulas).
    fn ciede2000(p: RGBColor, q: RGBColor) -> f64 {
        let ((l1, a1, b1), (l2, a2, b2)) = (lab(p), lab(q));
        let c_bar = (a1.hypot(b1) + a2.hypot(b2)) / 2.0;
        let g = 0.5 * (1.0 - (c_bar.powi(7) / (c_bar.powi(7) + 25f64.powi(7))).sqrt());
        let (a1, a2) = ((1.0 + g) * a1, (1.0 + g) * a2);
        let (c1, c2) = (a1.hypot(b1), a2.hypot(b2));
        let hue = |b: f64, a: f64| b.atan2(a).to_degrees().rem_euclid(360.0);
        let (h1, h2) = (hue(b1, a1), hue(b2, a2));
        let mut dh = h2 - h1;
        if dh > 180.0 {
            dh -= 360.0;
        } else if dh < -180.0 {
            dh += 360.0;
        }
        if c1 * c2 == 0.0 {
            dh = 0.0;
        }
        let big_dh = 2.0 * (c1 * c2).sqrt() * (dh / 2.0).to_radians().sin();
        let l_bar = (l1 + l2) / 2.0;
        let c_bar = (c1 + c2) / 2.0;
        let h_bar = if c1 * c2 == 0.0 {
            h1 + h2
        } else if (h1 - h2).abs() > 180.0 {
            (h1 + h2 + if h1 + h2 < 360.0 { 360.0 } else { -360.0 }) / 2.0
        } else {
            (h1 + h2) / 2.0
        };
        let cos = |d: f64| d.to_radians().cos();
        let t = 1.0 - 0.17 * cos(h_bar - 30.0)
            + 0.24 * cos(2.0 * h_bar)
            + 0.32 * cos(3.0 * h_bar + 6.0)
            - 0.20 * cos(4.0 * h_bar - 63.0);
        let d_theta = 30.0 * (-((h_bar - 275.0) / 25.0).powi(2)).exp();
        let rc = 2.0 * (c_bar.powi(7) / (c_bar.powi(7) + 25f64.powi(7))).sqrt();
        let sl = 1.0 + 0.015 * (l_bar - 50.0).powi(2) / (20.0 + (l_bar - 50.0).powi(2)).sqrt();
        let sc = 1.0 + 0.045 * c_bar;
        let sh = 1.0 + 0.015 * c_bar * t;
        let rt = -(2.0 * d_theta).to_radians().sin() * rc;
        let (dl, dc, dh) = ((l2 - l1) / sl, (c2 - c1) / sc, big_dh / sh);
        (dl * dl + dc * dc + dh * dh + rt * dc * dh).sqrt()
    }

    #[test]
    fn the_palette_stays_apart() {
        // Black and white are 100 apart; a colour is 0 from itself.
        assert!(ciede2000(RGBColor(0, 0, 0), RGBColor(255, 255, 255)) > 99.0);
        assert_eq!(ciede2000(PALETTE[3], PALETTE[3]), 0.0);
        let closest = |n: usize| {
            let colours = &PALETTE[..n];
            colours
                .iter()
                .enumerate()
                .flat_map(|(i, &a)| colours[i + 1..].iter().map(move |&b| ciede2000(a, b)))
                .fold(f64::INFINITY, f64::min)
        };
        assert!(closest(30) >= 15.5, "{}", closest(30));
        assert!(closest(PALETTE.len()) >= 14.0, "{}", closest(PALETTE.len()));
        for grey in [OTHER, UNASSIGNED, EMPTY, WHITE] {
            let near = PALETTE
                .iter()
                .map(|&c| ciede2000(c, grey))
                .fold(f64::INFINITY, f64::min);
            assert!(
                near >= 14.0,
                "a theme colour is near the grey {grey:?}: {near}"
            );
        }
    }

    #[test]
    fn tooltips_go_into_their_rectangles() {
        let svg = render("test.svg", (100.0, 60.0), |c| {
            c.rect((0.0, 0.0), (10.0, 10.0), INK, None)?;
            c.rect((0.0, 0.0), (10.0, 10.0), INK, Some("a <b> & \"c\"".into()))?;
            c.text("x<y", (20.0, 20.0), Txt::new(10.0))
        })
        .unwrap();
        assert_well_formed(&svg);
        assert_eq!(svg.matches("<title>").count(), 1);
        assert!(svg.contains("><title>a &lt;b&gt; &amp; &quot;c&quot;</title></rect>"));
        // The first of the two identical rectangles was drawn without a tooltip.
        let tag = "<rect x=\"0\" y=\"0\" width=\"10\" height=\"10\" opacity=\"1\" fill=\"#222222\" stroke=\"none\"";
        let first = svg.find(tag).unwrap();
        assert!(svg[first + tag.len()..].starts_with("/>\n"));
        assert!(svg[first + tag.len()..].contains(&format!("{tag}><title>")));
        assert!(svg.contains(&format!("font-family=\"{FONT}\"")));
        assert!(svg.contains("font-size=\"10\""));
    }
}
