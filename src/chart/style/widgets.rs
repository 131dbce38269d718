//! What several charts draw alike: legends, the percentage axis, labelled horizontal bars (the
//! recurrence and stability charts) and the one 100% stacked bar of a theme mix (the sections
//! and years charts), with direct labels and a grey 其他 for themes past the palette.

use super::canvas::{Canvas, HEADING_H, MARGIN, heading_width, render};
use super::text::{
    LABEL_PX, NOTE_PX, SMALL_PX, Txt, label_column_width, pct, share, text_width, truncate,
};
use super::theme::{AXIS, GRID, MUTED, OTHER, Shape, THEME_COLOURS, text_on, theme_color};
use crate::chart::ThemeName;
use crate::config::Lang;
use crate::error::Result;
use plotters::prelude::*;

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
