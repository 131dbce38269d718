//! The accounting of a split: every non-blank character in exactly one block, and the
//! characters of a report by role.

use super::*;

/// A report's characters by role: what reports.csv and run.json account for, kept once the
/// report's text and blocks are released.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CharCounts {
    /// Every character of the report's text, blank ones included.
    pub total: usize,
    /// Non-blank characters in the blocks of each role, in the order of [`BlockRole::ALL`].
    pub nonblank: [usize; 5],
}

impl CharCounts {
    /// Counts the characters of `split`, a split of `text`.
    pub fn of_split(split: &Split, text: &str) -> CharCounts {
        let mut nonblank = [0; 5];
        for b in &split.blocks {
            nonblank[b.role as usize] += crate::text::count_nonblank(b.span.of(text));
        }
        CharCounts {
            total: text.chars().count(),
            nonblank,
        }
    }

    /// Non-blank characters in blocks of `role`.
    pub fn nonblank(&self, role: BlockRole) -> usize {
        self.nonblank[role as usize]
    }
}

/// Checks the accounting of a split: every non-blank character of the report lies in exactly one
/// block. Returns one message per violation (empty when the split accounts for everything).
pub fn accounting_errors(report: &Report, split: &Split) -> Vec<String> {
    let text = &report.text;
    let mut errors = Vec::new();
    let mut covered_to = 0;
    for b in &split.blocks {
        if b.span.start < covered_to {
            errors.push(format!(
                "{:?} block at byte {} overlaps the previous block (ends at {covered_to})",
                b.role, b.span.start
            ));
        }
        if let Some(gap) = text
            .get(covered_to..b.span.start)
            .filter(|g| g.chars().any(|c| !is_blank(c)))
        {
            errors.push(format!(
                "bytes {covered_to}..{} not in any block: {:?}",
                b.span.start,
                gap.chars().take(30).collect::<String>()
            ));
        }
        covered_to = covered_to.max(b.span.end);
    }
    if let Some(rest) = text
        .get(covered_to..)
        .filter(|g| g.chars().any(|c| !is_blank(c)))
    {
        errors.push(format!(
            "the text after byte {covered_to} is in no block: {:?}",
            rest.chars().take(30).collect::<String>()
        ));
    }
    errors
}
