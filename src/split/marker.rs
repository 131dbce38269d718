//! Heading markers (`一、` `（一）` `1.` `①` `#`…) read at the start of a line, and the numbering
//! met so far, which tells a heading run into the text from a number in a sentence.

use super::*;

/// The shape of a heading marker, which decides levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    /// `一、` `1、`
    Dun,
    /// `1.` `1．`
    Dot,
    /// `（一）` `(1)` `(七）`
    Paren,
    /// `①`
    Circled,
    /// Markdown `#` headings.
    Hash,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Numeral {
    Han,
    Arabic,
    Other,
}

/// A heading marker at the start of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Marker {
    pub(super) shape: Shape,
    pub(super) numeral: Numeral,
    pub(super) ordinal: u32,
    /// Bytes of the marker and the blanks after it.
    pub(super) len: usize,
}

/// The value of a Han numeral of up to three characters (`七` 7, `十二` 12, `三十` 30, `四十五`
/// 45), read without allocating: it is parsed wherever a marker may stand.
fn han_number(s: &str) -> Option<u32> {
    let digit = |c: char| "零一二三四五六七八九".find(c).map(|i| (i / 3) as u32);
    let mut chars = s.chars();
    match [chars.next(), chars.next(), chars.next(), chars.next()] {
        [Some('十'), None, ..] => Some(10),
        [Some(c), None, ..] => digit(c),
        [Some('十'), Some(d), None, _] => Some(10 + digit(d)?),
        [Some(t), Some('十'), None, _] => Some(digit(t)? * 10),
        [Some(t), Some('十'), Some(d), None] => Some(digit(t)? * 10 + digit(d)?),
        _ => None,
    }
}

/// Reads a heading marker at the start of `s`, if any.
pub(super) fn parse_marker(s: &str) -> Option<Marker> {
    // A marker opens with `#`, a circled number, a bracket or a numeral: most lines open with
    // none of them and are turned away here, before any parsing.
    let first = s.chars().next()?;
    if !(first == '#'
        || ('①'..='⑳').contains(&first)
        || matches!(first, '（' | '(')
        || first.is_ascii_digit()
        || is_han_digit(first))
    {
        return None;
    }
    let blanks_after =
        |at: usize| at + (s[at..].len() - s[at..].trim_start_matches(is_blank).len());
    if let Some(rest) = s.strip_prefix('#') {
        let hashes = 1 + rest.len() - rest.trim_start_matches('#').len();
        return Some(Marker {
            shape: Shape::Hash,
            numeral: Numeral::Other,
            ordinal: hashes as u32,
            len: blanks_after(hashes),
        });
    }
    if let Some(c) = s.chars().next()
        && ('①'..='⑳').contains(&c)
    {
        let ordinal = c as u32 - '①' as u32 + 1;
        return Some(Marker {
            shape: Shape::Circled,
            numeral: Numeral::Other,
            ordinal,
            len: blanks_after(c.len_utf8()),
        });
    }
    let open = s.starts_with(['（', '(']);
    let body_start = if open {
        s.chars().next().map_or(0, char::len_utf8)
    } else {
        0
    };
    let body = s[body_start..].trim_start_matches(is_blank);
    let body_start = s.len() - body.len();
    let han_len: usize = body
        .chars()
        .take_while(|&c| is_han_digit(c))
        .map(char::len_utf8)
        .sum();
    let arabic_len = body.bytes().take_while(u8::is_ascii_digit).count();
    let (numeral, num_len) = if han_len > 0 {
        (Numeral::Han, han_len)
    } else if arabic_len > 0 && arabic_len <= 2 {
        (Numeral::Arabic, arabic_len)
    } else {
        return None;
    };
    let ordinal = match numeral {
        Numeral::Han => han_number(&body[..num_len])?,
        _ => body[..num_len].parse().ok()?,
    };
    if ordinal == 0 || ordinal > 60 {
        return None;
    }
    let after_num = body[num_len..].trim_start_matches([' ', '\u{a0}']);
    let after_at = s.len() - after_num.len();
    let delim = after_num.chars().next()?;
    let shape = if open {
        if !matches!(delim, '）' | ')') {
            return None;
        }
        Shape::Paren
    } else {
        match delim {
            '、' => Shape::Dun,
            '.' | '．' if numeral == Numeral::Arabic => {
                // `1.5亿元` is a number, not a heading.
                if after_num[delim.len_utf8()..].starts_with(|c: char| c.is_ascii_digit()) {
                    return None;
                }
                Shape::Dot
            }
            '.' | '．' | '，' | ',' if numeral == Numeral::Han => Shape::Dun,
            _ => return None,
        }
    };
    let _ = body_start;
    Some(Marker {
        shape,
        numeral,
        ordinal,
        len: blanks_after(after_at + delim.len_utf8()),
    })
}

/// Whether `line` opens with a heading marker (`一、`, `（一）`, `1.`, `①`…), blanks before it
/// aside: what the PDF reader asks to know where a paragraph begins.
pub fn starts_with_marker(line: &str) -> bool {
    parse_marker(crate::text::trim_blank_start(line)).is_some()
}

/// The last ordinal met of each marker shape, to tell a heading run into the text (`…成效。
/// （二）…` after `（一）`) from a number that happens to follow a sentence. Numeral styles are
/// pooled, as the level rules pool them (`（七）` then `（8）`).
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Numbering {
    /// By [`Shape`] (its discriminant).
    pub(super) last: [Option<u32>; 5],
}

impl Numbering {
    pub(super) fn last(&self, m: Marker) -> Option<u32> {
        self.last[m.shape as usize]
    }

    /// Whether `m` plausibly continues the report's numbering: a first item, the next one, a
    /// repeated one (broken numbering), or a section marker in Han numerals (`三、`).
    pub(super) fn continues(&self, m: Marker) -> bool {
        let last = self.last(m);
        m.ordinal == 1
            || last.is_some_and(|n| m.ordinal == n + 1 || m.ordinal == n)
            || (m.shape == Shape::Dun && m.numeral == Numeral::Han)
    }

    /// Whether `m` opens a sub-level or continues one (for a marker right after a heading).
    pub(super) fn opens_or_follows(&self, m: Marker) -> bool {
        m.ordinal == 1 || self.last(m).is_some_and(|n| m.ordinal == n + 1)
    }

    pub(super) fn see(&mut self, m: Marker) {
        self.last[m.shape as usize] = Some(m.ordinal);
    }
}

/// Whether `c` is a Han numeral digit of a heading marker (一 to 十).
pub(super) fn is_han_digit(c: char) -> bool {
    matches!(
        c,
        '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十'
    )
}
