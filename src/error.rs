//! Errors of the library: one [`Error`] for a failed run and one [`ConfigError`] per broken
//! configuration rule, whose message names the key to fix. A bad input file is not an error: it is
//! recorded as a skipped report (see [`crate::read`]) and the run goes on.

use std::borrow::Cow;
use std::path::PathBuf;

std::thread_local! {
    /// Set while this thread runs code whose panics [`contained`] catches.
    static CONTAINED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the current thread is inside [`contained`]: a panic there is caught and reported
/// as an error, so a panic hook can stay silent.
pub fn in_contained() -> bool {
    CONTAINED.with(std::cell::Cell::get)
}

/// Runs `f` with its panics caught, for libraries that panic where they should return an error
/// (a PDF parser on a malformed file, a spreadsheet writer when its temporary file cannot be
/// written). The panic's message, on one line, is the error. `f` must leave nothing half
/// changed that is used after a panic (hence `AssertUnwindSafe`): callers drop whatever it
/// worked on.
pub fn contained<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    let outer = CONTAINED.with(|c| c.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    CONTAINED.with(|c| c.set(outer));
    result.map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let line: String = message
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(160)
            .collect();
        line
    })
}

/// `s` with its control characters escaped (`\n`, `\t`, `\u{1b}`, …), so that a message
/// built from file names and input stays one line and cannot forge another; `s` itself when it
/// has none.
pub fn escaped(s: &str) -> Cow<'_, str> {
    if s.chars().any(char::is_control) {
        Cow::Owned(
            s.chars()
                .map(|c| {
                    if c.is_control() {
                        c.escape_default().to_string()
                    } else {
                        c.to_string()
                    }
                })
                .collect(),
        )
    } else {
        Cow::Borrowed(s)
    }
}

/// The result type of the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A failure that stops a run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder involved.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The configuration or the command line is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// No input path exists.
    #[error("{}: no such file or folder", .0.display())]
    MissingPath(PathBuf),
    /// Nothing usable was read: no report gave a unit.
    #[error("empty corpus: {0}")]
    EmptyCorpus(String),
    /// The corpus is too small for the requested number of themes.
    #[error("cluster.k = {k} is larger than the number of units with terms ({units}); lower --k")]
    TooFewUnits {
        /// Requested number of themes.
        k: usize,
        /// Units that have at least one vocabulary term.
        units: usize,
    },
    /// k-means failed.
    #[error("k-means: {0}")]
    Cluster(String),
    /// The SVD failed.
    #[error("LSA reduction: {0}")]
    Reduce(String),
    /// Rendering `index.html` from its template failed.
    #[error("index.html: {0}")]
    Page(#[from] askama::Error),
    /// Drawing a chart failed.
    #[error("chart {chart}: {message}")]
    Chart {
        /// The chart's file name.
        chart: &'static str,
        /// What plotters reported.
        message: String,
    },
    /// Writing a CSV table failed.
    #[error("{}: {source}", path.display())]
    Csv {
        /// The file being written.
        path: PathBuf,
        /// The csv crate's error.
        #[source]
        source: csv::Error,
    },
    /// Reading or writing JSON failed.
    #[error("{}: {source}", path.display())]
    Json {
        /// The file involved.
        path: PathBuf,
        /// serde_json's error.
        #[source]
        source: serde_json::Error,
    },
    /// A fitted model could not be used.
    #[error("model {}: {message}", path.display())]
    Model {
        /// The model folder.
        path: PathBuf,
        /// Why it cannot be used.
        message: String,
    },
    /// With `--strict`, some input was skipped.
    #[error("--strict: {0} input file(s) skipped")]
    Strict(usize),
    /// Another run is writing into the same `--out` (it holds the lock beside it).
    #[error("{}: in use by another policy-themes run (pass --wait to wait for it)", .0.display())]
    OutInUse(PathBuf),
    /// `--out` is not a folder this program may write: a link, a file, or a non-empty folder
    /// that is not a policy-themes output.
    #[error("--out {}: {reason}", path.display())]
    NotAnOutput {
        /// The `--out` given.
        path: PathBuf,
        /// Why it is refused.
        reason: String,
    },
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// The process exit code for this error: 2 for usage, configuration and an `--out` that is
    /// not a policy-themes output; 1 for everything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Config(_) | Error::NotAnOutput { .. } => 2,
            _ => 1,
        }
    }
}

/// A configuration rule that does not hold; the message names the TOML key or flag.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A value is outside its allowed range.
    #[error("{key} {rule} (got {got})")]
    OutOfRange {
        /// The TOML key, e.g. `cluster.k`.
        key: &'static str,
        /// The rule, e.g. `must be >= 2`.
        rule: &'static str,
        /// The value given.
        got: String,
    },
    /// A value could not be parsed.
    #[error("{key}: cannot read {got:?}: {expected}")]
    Parse {
        /// The TOML key or flag.
        key: &'static str,
        /// The value given.
        got: String,
        /// What was expected.
        expected: &'static str,
    },
    /// The TOML file is malformed or has an unknown key.
    #[error("{path}: {message}")]
    File {
        /// The config file.
        path: String,
        /// The TOML parser's message (names an unknown key).
        message: String,
    },
}
