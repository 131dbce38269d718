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
    let digit = |c: char| match c {
        '零' => Some(0),
        '一' => Some(1),
        '二' => Some(2),
        '三' => Some(3),
        '四' => Some(4),
        '五' => Some(5),
        '六' => Some(6),
        '七' => Some(7),
        '八' => Some(8),
        '九' => Some(9),
        _ => None,
    };
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
    // Most lines open with none of a marker's first characters and are turned away here,
    // before any parsing.
    if !may_open_marker_at(s.as_bytes()) {
        return None;
    }
    let blanks_after = |at: usize| at + (s[at..].len() - trim_blank_start(&s[at..]).len());
    match s.chars().next()? {
        '#' => {
            let hashes = s.len() - s.trim_start_matches('#').len();
            return Some(Marker {
                shape: Shape::Hash,
                numeral: Numeral::Other,
                ordinal: hashes as u32,
                len: blanks_after(hashes),
            });
        }
        c @ '①'..='⑳' => {
            return Some(Marker {
                shape: Shape::Circled,
                numeral: Numeral::Other,
                ordinal: c as u32 - '①' as u32 + 1,
                len: blanks_after(c.len_utf8()),
            });
        }
        _ => {}
    }
    // After a bracket, blanks may stand before the numeral; else the numeral opens `s`.
    let (open, body) = match s.strip_prefix(['（', '(']) {
        Some(rest) => (true, trim_blank_start(rest)),
        None => (false, s),
    };
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
    // The delimiter is read before the numeral's value: a numeral in a sentence (`一般`,
    // `十二条`) has none, and is turned away without reading it.
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
    let ordinal = match numeral {
        Numeral::Han => han_number(&body[..num_len])?,
        _ => body[..num_len].parse().ok()?,
    };
    if ordinal == 0 || ordinal > 60 {
        return None;
    }
    Some(Marker {
        shape,
        numeral,
        ordinal,
        len: blanks_after(after_at + delim.len_utf8()),
    })
}

/// Lead bytes of the characters that may open a heading marker: `#`, `(`, the digits, E2
/// (`①`–`⑳`), EF (`（`), E4 and E5 (the Han numerals).
static MARKER_LEAD: [bool; 256] = {
    let mut table = [false; 256];
    let leads = *b"#(0123456789\xE2\xEF\xE4\xE5";
    let mut n = 0;
    while n < leads.len() {
        table[leads[n] as usize] = true;
        n += 1;
    }
    table
};

/// Whether `s` opens with a character that may open a heading marker (`#`, a circled number, a
/// bracket or a numeral), read on the UTF-8 bytes without decoding: most characters are turned
/// away by their lead byte ([`MARKER_LEAD`]); `（` is EF BC 88, `①`–`⑳` E2 91 A0–B3, and the
/// Han numerals are told by [`is_han_digit_at`].
#[inline(always)]
pub(super) fn may_open_marker_at(s: &[u8]) -> bool {
    s.first()
        .is_some_and(|&lead| MARKER_LEAD[usize::from(lead)])
        && (matches!(
            s,
            [b'#' | b'(' | b'0'..=b'9', ..]
                | [0xEF, 0xBC, 0x88, ..]
                | [0xE2, 0x91, 0xA0..=0xB3, ..]
        ) || is_han_digit_at(s))
}

/// Whether the bytes of `s` open with a Han numeral digit (see [`is_han_digit`]): 一 三 七 are
/// E4 B8 80/89/83, 二 五 E4 BA 8C/94, 九 E4 B9 9D, 四 E5 9B 9B, 六 八 E5 85 AD/AB, 十 E5 8D 81.
#[inline(always)]
pub(super) fn is_han_digit_at(s: &[u8]) -> bool {
    matches!(
        s,
        [0xE4, 0xB8, 0x80 | 0x89 | 0x83, ..]
            | [0xE4, 0xBA, 0x8C | 0x94, ..]
            | [0xE4, 0xB9, 0x9D, ..]
            | [0xE5, 0x9B, 0x9B, ..]
            | [0xE5, 0x85, 0xAD | 0xAB, ..]
            | [0xE5, 0x8D, 0x81, ..]
    )
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

    /// Whether `m` plausibly continues the report's numbering: a first item, the next one, the
    /// one after (an item whose marker reads as a number, `3．10种有色金属`, is not seen), a
    /// repeated one (broken numbering), or a section marker in Han numerals (`三、`).
    pub(super) fn continues(&self, m: Marker) -> bool {
        let last = self.last(m);
        m.ordinal == 1
            || last.is_some_and(|n| (n..=n + 2).contains(&m.ordinal))
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
