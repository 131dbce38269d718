//! One integration test binary (ripgrep's layout): each module tests one side of the program.

/// Shared helpers: the binary, temporary folders, CSV reading.
mod util;

/// Exit codes and one-line messages for bad input and bad flags.
mod cli;
/// Every file of the shared corpus is split with nothing lost.
mod corpus;
/// Same input and seed ⇒ byte-identical outputs at any thread count.
mod determinism;
/// GBK, UTF-16 and HTML copies of the seeds give the very same units; bad files are skipped.
mod encodings;
/// fit → save → load → apply gives the run's assignments; other model versions are refused.
mod model;
/// .docx and .pdf made from the seeds give the seeds' units; bad office files are skipped with
/// their reasons; `text` prints what spans index.
mod office;
/// Issue 20: atomic output, the folder's marker and lock, links, safe input walking, CSV
/// formula cells, one-line messages.
mod reliability;
/// The default run on the bundled sample: every output file and column, real content.
mod sample;
/// Issue 23: copied text between townships, quantities per measure, on real text.
mod signals;
/// Issue 25: `apply --stream` writes, a chunk at a time, the tables `apply` writes; `run
/// --stream` fits on a sample drawn however the corpus is chunked.
mod stream;
/// TF-IDF equals scikit-learn's on committed reference fixtures.
mod tfidf_reference;
