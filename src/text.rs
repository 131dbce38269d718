//! Character classes shared by the stages.

/// Whether `c` is a Han character: a CJK unified ideograph of the basic block or extension A.
pub fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

/// Whether a character is blank for accounting: white space, NBSP, U+3000 and zero-width marks.
pub fn is_blank(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{a0}' | '\u{3000}' | '\u{200b}' | '\u{feff}')
}

/// The runs of two or more U+3000 or NBSP in `s` (in any mix), as `(start, end)` byte offsets,
/// ascending: where scraping flattened a paragraph break and left its indent.
pub fn wide_blank_runs(s: &str) -> Vec<(usize, usize)> {
    let bytes = s.as_bytes();
    let mut runs = Vec::new();
    // U+3000 is E3 80 80 and NBSP C2 A0: only their lead bytes are searched for.
    let mut from = 0;
    while let Some(at) = memchr::memchr2(0xE3, 0xC2, &bytes[from..]).map(|i| from + i) {
        let (mut end, mut n) = (at, 0);
        loop {
            match bytes.get(end..) {
                Some([0xE3, 0x80, 0x80, ..]) => end += 3,
                Some([0xC2, 0xA0, ..]) => end += 2,
                _ => break,
            }
            n += 1;
        }
        if n >= 2 {
            runs.push((at, end));
        }
        from = end.max(at + 1);
    }
    runs
}

/// Whether a blank character ([`is_blank`]) opens at a byte `b0` followed by `b1` and `b2` (zero
/// past the end of the text, which no blank's sequence holds). Every blank character is ASCII or
/// one of a few byte sequences: U+0085 and U+00A0 are C2 85 and C2 A0, U+1680 E1 9A 80,
/// U+2000–U+200B, U+2028, U+2029 and U+202F E2 80 then 80–8B, A8, A9 or AF, U+205F E2 81 9F,
/// U+3000 E3 80 80 and U+FEFF EF BB BF. Written with `&` and `|` rather than `&&` and `||`, so
/// that a loop over a text calling it has no branch and is vectorised.
#[inline(always)]
fn blank_opens(b0: u8, b1: u8, b2: u8) -> bool {
    let e2_80 =
        (b1 == 0x80) & (matches!(b2, 0x80..=0x8B) | (b2 == 0xA8) | (b2 == 0xA9) | (b2 == 0xAF));
    matches!(b0, b'\t'..=b'\r' | b' ')
        | ((b0 == 0xC2) & ((b1 == 0x85) | (b1 == 0xA0)))
        | ((b0 == 0xE1) & (b1 == 0x9A) & (b2 == 0x80))
        | ((b0 == 0xE2) & (e2_80 | ((b1 == 0x81) & (b2 == 0x9F))))
        | ((b0 == 0xE3) & (b1 == 0x80) & (b2 == 0x80))
        | ((b0 == 0xEF) & (b1 == 0xBB) & (b2 == 0xBF))
}

/// The number of characters of `s` that are not blank ([`is_blank`]): the bytes that open a
/// character (any but a continuation byte) and no blank ([`blank_opens`]). Counted a window of
/// 192 bytes at a time, copied with the two bytes after it (continuation bytes past the end,
/// which open nothing) into a fixed array, so that the compiler vectorises one branch-free loop
/// over three shifted views of it for every window, the last and short ones too; compiled for
/// AVX2 as well and chosen at run time by multiversion. The byte counters of a window cannot
/// overflow. Reports' texts are counted whole, so this runs at memory speed rather than a
/// character at a time.
#[multiversion::multiversion(targets("x86_64+avx2"))]
pub fn count_nonblank(s: &str) -> usize {
    const WINDOW: usize = 192;
    let bytes = s.as_bytes();
    let mut window = [0x80u8; WINDOW + 2];
    let mut count = 0;
    for start in (0..bytes.len()).step_by(WINDOW) {
        let end = (start + WINDOW + 2).min(bytes.len());
        window[..end - start].copy_from_slice(&bytes[start..end]);
        window[end - start..].fill(0x80);
        let (b0, b1, b2) = (&window[..WINDOW], &window[1..=WINDOW], &window[2..]);
        count += usize::from(b0.iter().zip(b1).zip(b2).fold(0u8, |n, ((&b0, &b1), &b2)| {
            n + u8::from(((b0 & 0xC0) != 0x80) & !blank_opens(b0, b1, b2))
        }));
    }
    count
}

/// Whether `s` opens with a blank ([`is_blank`]), told by its first bytes ([`blank_opens`]).
fn opens_with_blank(s: &str) -> bool {
    let byte = |i: usize| s.as_bytes().get(i).copied().unwrap_or(0);
    blank_opens(byte(0), byte(1), byte(2))
}

/// Whether `s` ends with a blank, told by its last bytes (the sequences of [`blank_opens`]).
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
    fn wide_blank_runs_are_two_or_more_ideographic_spaces_or_nbsp() {
        let s = "标题\u{3000}\u{3000}正文\u{3000}一字\u{a0}\u{3000}\u{a0}末尾\u{3000}\u{3000}";
        let runs: Vec<&str> = wide_blank_runs(s).iter().map(|&(a, b)| &s[a..b]).collect();
        assert_eq!(
            runs,
            [
                "\u{3000}\u{3000}",
                "\u{a0}\u{3000}\u{a0}",
                "\u{3000}\u{3000}"
            ]
        );
        // A single U+3000 at the end is no run.
        assert_eq!(wide_blank_runs(&s[..s.len() - 3]).len(), 2);
        assert!(wide_blank_runs("一  二\u{3000}三").is_empty());
    }

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
        // Every character, alone, at the end and in the body of a text (where the vectorised
        // blocks read it), and across the bound of a block.
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let nonblank = usize::from(!is_blank(c));
            assert_eq!(count_nonblank(&c.to_string()), nonblank, "{c:?}");
            assert_eq!(count_nonblank(&format!("a{c}")), 1 + nonblank, "{c:?}");
            assert_eq!(count_nonblank(&format!("{c}一、")), 2 + nonblank, "{c:?}");
        }
        let across = format!("{}\u{3000}\u{2000}", "a".repeat(252));
        assert_eq!(count_nonblank(&across), 252);
    }
}
