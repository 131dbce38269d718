//! Character classes shared by the stages.

/// Whether `c` is a Han character: a CJK unified ideograph of the basic block or extension A.
pub fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}
