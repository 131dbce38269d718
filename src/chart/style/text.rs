//! Text in the charts: the font list and sizes, widths of mixed Chinese and Latin labels
//! (plotters misjudges Chinese without its `ttf` feature), cleaning, truncation and wrapping,
//! number formats, and [`Txt`], how a piece of text is set.

use super::theme::INK;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use unicode_width::UnicodeWidthChar;

/// The font family written into every `<text>`: the viewer picks the first one it has.
pub(crate) const FONT: &str = "Noto Sans CJK SC, Source Han Sans SC, WenQuanYi Micro Hei, Microsoft YaHei, PingFang SC, sans-serif";

/// Chart titles.
pub(crate) const TITLE_PX: f64 = 16.0;
/// Subtitles, notes and axis captions.
pub(crate) const NOTE_PX: f64 = 11.0;
/// Row labels.
pub(crate) const LABEL_PX: f64 = 12.0;
/// Tick labels, legend entries and values written on bars.
pub(crate) const SMALL_PX: f64 = 10.0;

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

/// Whether `c` is drawn one em wide: the East Asian wide and full-width characters (Unicode's
/// East Asian Width, by the `unicode-width` crate), and the punctuation that CJK fonts draw full
/// width though Unicode leaves its width ambiguous (`·`, `—`, `‘’“”`, `…`). Other ambiguous
/// characters (`–`, `①`, `×`, `°`) are measured as Latin, as before.
fn is_wide(c: char) -> bool {
    c.width() == Some(2) || matches!(c, '·' | '—' | '‘'..='”' | '…')
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_count_chinese_as_one_em() {
        assert_eq!(text_width("调解纠纷", 10.0), 40.0);
        // CJK punctuation that Unicode calls ambiguous is full width; the en dash is not.
        assert_eq!(text_width("·“”…—", 10.0), 50.0);
        assert!(text_width("–①", 10.0) < 15.0);
        assert_eq!(text_width("，（）：", 10.0), 40.0);
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
}
