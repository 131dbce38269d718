//! Character classes shared by the stages.

/// Whether `c` is a Han character: a CJK unified ideograph of the basic block or extension A.
pub fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

/// Whether a character is blank for accounting: white space, NBSP, U+3000 and zero-width marks.
pub fn is_blank(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{a0}' | '\u{3000}' | '\u{200b}' | '\u{feff}')
}

/// The number of characters of `s` that are not blank ([`is_blank`]). Every blank character is
/// ASCII or one of a few byte sequences (U+0085 and U+00A0 are C2 85 and C2 A0, U+1680 E1 9A 80,
/// U+2000–U+205F E2 80 or E2 81 then a byte, U+3000 E3 80 80, U+FEFF EF BB BF), so characters
/// are told by their bytes and only the E2 80/81 ones decoded: a report's text is counted at
/// memory speed rather than a character at a time (E3 and EF also lead the common Chinese
/// punctuation, which a test on the lead byte alone would decode).
pub fn count_nonblank(s: &str) -> usize {
    let b = s.as_bytes();
    let blank = (0..b.len())
        .filter(|&i| match b[i] {
            b'\t'..=b'\r' | b' ' => true,
            0xC2 => matches!(b.get(i + 1), Some(0x85 | 0xA0)),
            0xE1 => b[i + 1..].starts_with(&[0x9A, 0x80]),
            0xE2 => {
                matches!(b.get(i + 1), Some(0x80 | 0x81))
                    && s[i..].chars().next().is_some_and(is_blank)
            }
            0xE3 => b[i + 1..].starts_with(&[0x80, 0x80]),
            0xEF => b[i + 1..].starts_with(&[0xBB, 0xBF]),
            _ => false,
        })
        .count();
    s.chars().count() - blank
}

/// Whether `s` opens with a blank ([`is_blank`]), told by its first bytes: the blank
/// characters are ASCII white space, U+0085 and U+00A0 (C2 85, C2 A0), U+1680 (E1 9A 80),
/// U+2000–U+200B, U+2028, U+2029, U+202F (E2 80 then 80–8B, A8, A9, AF), U+205F (E2 81 9F),
/// U+3000 (E3 80 80) and U+FEFF (EF BB BF).
fn opens_with_blank(s: &str) -> bool {
    matches!(
        s.as_bytes(),
        [b'\t'..=b'\r' | b' ', ..]
            | [0xC2, 0x85 | 0xA0, ..]
            | [0xE1, 0x9A, 0x80, ..]
            | [0xE2, 0x80, 0x80..=0x8B | 0xA8 | 0xA9 | 0xAF, ..]
            | [0xE2, 0x81, 0x9F, ..]
            | [0xE3, 0x80, 0x80, ..]
            | [0xEF, 0xBB, 0xBF, ..]
    )
}

/// Whether `s` ends with a blank, told by its last bytes (see [`opens_with_blank`]).
fn ends_with_blank(s: &str) -> bool {
    matches!(
        s.as_bytes(),
        [.., b'\t'..=b'\r' | b' ']
            | [.., 0xC2, 0x85 | 0xA0]
            | [.., 0xE1, 0x9A, 0x80]
            | [.., 0xE2, 0x80, 0x80..=0x8B | 0xA8 | 0xA9 | 0xAF]
            | [.., 0xE2, 0x81, 0x9F]
            | [.., 0xE3, 0x80, 0x80]
            | [.., 0xEF, 0xBB, 0xBF]
    )
}

/// `s` without leading blanks. Most texts open with none, which their first bytes tell without
/// the character-by-character search of `trim_start_matches`.
pub fn trim_blank_start(s: &str) -> &str {
    if opens_with_blank(s) {
        s.trim_start_matches(is_blank)
    } else {
        s
    }
}

/// `s` without trailing blanks (see [`trim_blank_start`]).
pub fn trim_blank_end(s: &str) -> &str {
    if ends_with_blank(s) {
        s.trim_end_matches(is_blank)
    } else {
        s
    }
}

/// `s` without leading or trailing blanks.
pub fn trim_blank(s: &str) -> &str {
    trim_blank_end(trim_blank_start(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blanks_at_either_end_are_told_by_their_bytes() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(opens_with_blank(&format!("{c}a")), is_blank(c), "{c:?}");
            assert_eq!(ends_with_blank(&format!("a{c}")), is_blank(c), "{c:?}");
        }
        assert_eq!(trim_blank("\u{3000} 一、\u{a0}加强\n"), "一、\u{a0}加强");
        assert_eq!(trim_blank("\u{3000}\u{feff}"), "");
    }

    #[test]
    fn nonblank_count_is_the_character_count() {
        let every_blank: String = (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|&c| is_blank(c))
            .collect();
        let text = format!(
            "{every_blank}一、加强领导。\u{3000}（一）“八五”普法、调解\r\n2023年 ¡ ← ｜\u{feff}\u{2060}\u{1681}\u{fefe}\u{3001}"
        );
        let seed = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/data/sample/000_befa4e22df0f3e2b.txt"
        ))
        .expect("a seed report");
        for s in [text.as_str(), seed.as_str(), ""] {
            assert_eq!(
                count_nonblank(s),
                s.chars().filter(|&c| !is_blank(c)).count()
            );
        }
        assert_eq!(count_nonblank(&every_blank), 0);
    }
}
