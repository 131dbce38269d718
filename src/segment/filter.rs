//! The token filters, in tantivy's style: each says whether a token is kept.

use rustc_hash::FxHashSet;
use std::sync::Arc;

/// One step of the token filter chain: `false` drops the token.
pub trait TokenFilter: Send + Sync {
    /// Whether to keep `token`.
    fn keep(&self, token: &str) -> bool;
}

/// Drops tokens shorter than `n` characters.
///
/// ```
/// use policy_themes::segment::{MinChars, TokenFilter};
/// assert!(!MinChars(2).keep("镇"));
/// assert!(MinChars(2).keep("普法"));
/// ```
pub struct MinChars(pub usize);

impl TokenFilter for MinChars {
    fn keep(&self, token: &str) -> bool {
        self.0 == 0 || token.chars().nth(self.0 - 1).is_some()
    }
}

/// Drops numbers, dates and punctuation: a token must have a letter or Han character and must not
/// start with a digit (`2023年`, `120余人`).
///
/// ```
/// use policy_themes::segment::{NoNumbersOrPunctuation, TokenFilter};
/// let f = NoNumbersOrPunctuation;
/// assert!(!f.keep("2023年") && !f.keep("，") && f.keep("网格员"));
/// ```
pub struct NoNumbersOrPunctuation;

impl TokenFilter for NoNumbersOrPunctuation {
    fn keep(&self, token: &str) -> bool {
        let Some(first) = token.chars().next() else {
            return false;
        };
        // Most tokens start with a common Han character: a letter and not a number, decided
        // without the Unicode tables.
        crate::text::is_han(first)
            || (!first.is_numeric() && token.chars().any(char::is_alphabetic))
    }
}

/// Drops stop words; the set is shared between clones.
///
/// ```
/// use policy_themes::segment::{StopWords, TokenFilter};
/// let f = StopWords::new(["进一步".to_string()]);
/// assert!(!f.keep("进一步") && f.keep("调解"));
/// ```
pub struct StopWords(Arc<FxHashSet<String>>);

impl StopWords {
    /// A filter dropping `words`.
    pub fn new(words: impl IntoIterator<Item = String>) -> Self {
        StopWords(Arc::new(words.into_iter().collect()))
    }
}

impl TokenFilter for StopWords {
    fn keep(&self, token: &str) -> bool {
        !self.0.contains(token)
    }
}
