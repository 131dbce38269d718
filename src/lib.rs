//! # policy-themes
//!
//! Which policy themes recur across Chinese township reports on rule-of-law government construction
//! (法治政府建设年度报告)? This library reads a corpus of reports, splits each into sections and policy
//! measures, segments the measures with jieba-rs, builds a sparse TF-IDF matrix, reduces it by LSA
//! (randomized SVD), clusters it into themes with linfa's k-means, labels the themes, measures how
//! they recur across townships, and writes tables, charts, an HTML page and the fitted model.
//!
//! One module per pipeline stage; each stage is a function from owned input to owned output, and
//! [`pipeline`] alone knows their order. The library never prints: progress is told through
//! [`runtime::Progress`], warnings and skipped files are returned as data. The binary
//! (`src/cli/`) holds the command line (clap), the progress bars (indicatif) and the messages.
//!
//! Glossary: 政策措施 = measure (a [`corpus::Unit`]), 乡镇/街道 = township, 主题 = theme,
//! 章节 = section ([`corpus::SectionKind`]).

pub mod analysis;
pub mod chart;
pub mod chrome;
pub mod cluster;
pub mod codebook;
pub mod concrete;
pub mod config;
pub mod copies;
pub mod corpus;
pub mod decode;
pub mod error;
pub mod fitted;
pub mod html;
pub mod label;
pub mod meta;
pub mod output;
pub mod parallel;
pub mod phrases;
pub mod pipeline;
pub mod read;
pub mod recurrence;
pub mod reduce;
pub mod report;
pub mod runtime;
pub mod seed;
pub mod segment;
pub mod split;
pub mod stability;
pub mod stream;
pub mod text;
pub mod tfidf;

pub use error::{ConfigError, Error, Result};

/// The program's version, recorded in `run.json` and in the fitted model.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
