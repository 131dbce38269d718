//! A [`Canvas`] that draws through plotters' SVG backend into a string, the chart heading, and
//! the post-processing that puts `<title>` tooltips and `data-drill` keys into the rectangles
//! that asked for them.

use super::text::{NOTE_PX, TITLE_PX, Txt, clean, text_width};
use super::theme::{MUTED, Shape};
use crate::error::{Error, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};
use quick_xml::{Reader, Writer};

/// Outer margin of every chart, in pixels.
pub(crate) const MARGIN: f64 = 20.0;

/// A filled rectangle as drawn: its corner and size in whole pixels, its fill as plotters writes
/// it (`#4E79A7`), and its tooltip if any.
struct Drawn {
    at: [i32; 4],
    fill: String,
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
        self.rects.push(Drawn {
            at: [ax, ay, bx - ax, by - ay],
            fill: format!("#{r:02X}{g:02X}{b:02X}"),
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

impl Drawn {
    /// Whether `rect`, an element of plotters' SVG, is this rectangle: same corner, size and
    /// fill.
    fn is(&self, rect: &BytesStart) -> bool {
        let attr = |name: &str| {
            rect.try_get_attribute(name)
                .ok()
                .flatten()
                .map(|a| a.value.into_owned())
        };
        let [x, y, w, h] = self.at;
        [("x", x), ("y", y), ("width", w), ("height", h)]
            .iter()
            .all(|(name, v)| attr(name).as_deref() == Some(v.to_string().as_str()))
            && attr("fill").as_deref() == Some(self.fill.as_str())
    }
}

/// `svg` read element by element (quick-xml) and written again with the rectangles drawn
/// through [`Canvas::rect`] carrying what they asked for: a `data-drill` attribute and a
/// `<title>` child (`<rect …><title>…</title></rect>`). The rectangles are matched in drawing
/// order, so two with the same geometry and colour each keep their own tooltip; every other
/// element is written back byte for byte.
fn with_titles(svg: &str, rects: &[Drawn]) -> std::result::Result<String, String> {
    let extra: usize = rects
        .iter()
        .filter_map(|r| r.title.as_ref())
        .map(|t| t.len() + 24)
        .sum();
    let mut reader = Reader::from_str(svg);
    let mut writer = Writer::new(Vec::with_capacity(svg.len() + extra));
    let mut next = rects.iter().peekable();
    let io = |e: std::io::Error| e.to_string();
    loop {
        let event = reader.read_event().map_err(|e| e.to_string())?;
        let drawn = match &event {
            Event::Eof => break,
            Event::Empty(rect) if next.peek().is_some_and(|d| d.is(rect)) => next.next(),
            _ => None,
        };
        let (Some(drawn), Event::Empty(rect)) = (drawn, &event) else {
            writer.write_event(event).map_err(io)?;
            continue;
        };
        let mut rect = rect.clone();
        if let Some(key) = &drawn.drill {
            rect.push_attribute(("data-drill", clean_xml(key).as_str()));
        }
        match &drawn.title {
            Some(title) => {
                let end = rect.to_end().into_owned();
                writer.write_event(Event::Start(rect)).map_err(io)?;
                for event in [
                    Event::Start(BytesStart::new("title")),
                    Event::Text(BytesText::new(&clean_xml(title))),
                    Event::End(BytesEnd::new("title")),
                    Event::End(end),
                ] {
                    writer.write_event(event).map_err(io)?;
                }
            }
            None => writer.write_event(Event::Empty(rect)).map_err(io)?,
        }
    }
    if let Some(missing) = next.next() {
        return Err(format!(
            "internal: rectangle {:?} {} not found",
            missing.at, missing.fill
        ));
    }
    String::from_utf8(writer.into_inner()).map_err(|e| e.to_string())
}

/// `s` without the characters XML cannot hold (controls other than line breaks, U+FFFE/FFFF);
/// line breaks are kept, as tooltips show them.
fn clean_xml(s: &str) -> String {
    s.chars()
        .filter(|&c| c == '\n' || !(c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::style::tests::assert_well_formed;
    use crate::chart::style::text::FONT;
    use crate::chart::style::theme::INK;

    #[test]
    fn tooltips_go_into_their_rectangles() {
        let svg = render("test.svg", (100.0, 60.0), |c| {
            c.rect((0.0, 0.0), (10.0, 10.0), INK, None)?;
            c.rect((0.0, 0.0), (10.0, 10.0), INK, Some("a <b> & \"c\"".into()))?;
            c.text("x<y", (20.0, 20.0), Txt::new(10.0))
        })
        .unwrap();
        assert_well_formed(&svg);
        assert_eq!(crate::chart::elements(&svg, "title"), 1);
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
