//! What a run costs while it runs: seconds and peak memory per stage, progress reported to the
//! caller ([`Progress`], which the binary draws as bars), and handing freed memory back to the
//! system. No stage logic here; the pipeline and the reducer call in.

use crate::corpus::Skipped;
use std::time::Instant;

/// A figure per stage, in stage order (seconds, or MiB).
pub type StageFigures = Vec<(String, f64)>;

/// What a run tells its caller while it runs. The library never prints: the binary implements
/// this with progress bars on stderr, and names each skipped file there as it is found; tests
/// and other callers pass [`NoProgress`]. Called from rayon's threads, hence `Sync`.
pub trait Progress: Sync {
    /// A stage begins: `len` countable steps (files, units), or 0 for a stage without them.
    fn start(&self, stage: &str, len: usize) {
        let _ = (stage, len);
    }

    /// `n` more steps of the current stage are done.
    fn advance(&self, n: usize) {
        let _ = n;
    }

    /// Where the current stage is, in words (`k 3/26`, `refit 2/5`).
    fn message(&self, message: &str) {
        let _ = message;
    }

    /// The current stage has ended.
    fn finish(&self) {}

    /// A file could not be used (it is also in the analysis's `skipped`). Told as soon as it is
    /// found, so that a run that fails later still names every skipped file.
    fn skipped(&self, skipped: &Skipped) {
        let _ = skipped;
    }
}

/// Reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// Times stages, records the peak memory after each, and tells `progress` where the run is.
pub struct Stages<'p> {
    timings: Vec<(String, f64)>,
    peaks: Vec<(String, f64)>,
    progress: &'p dyn Progress,
    started: Instant,
}

impl<'p> Stages<'p> {
    /// Starts the clock.
    pub fn new(progress: &'p dyn Progress) -> Stages<'p> {
        Stages {
            timings: Vec::new(),
            peaks: Vec::new(),
            progress,
            started: Instant::now(),
        }
    }

    /// Runs `f` as stage `name` of `len` countable steps (0: none); `f` reports its steps and
    /// messages to the progress it is given.
    pub fn run<T>(&mut self, name: &str, len: usize, f: impl FnOnce(&dyn Progress) -> T) -> T {
        self.progress.start(name, len);
        let t = Instant::now();
        let out = f(self.progress);
        self.progress.finish();
        self.timings
            .push((name.to_string(), t.elapsed().as_secs_f64()));
        if let Some(peak) = peak_rss_mib() {
            self.peaks.push((name.to_string(), peak));
        }
        out
    }

    /// Records stages that ran before these (a streamed run's first pass, added up over its
    /// chunks): their seconds come first and count in the total.
    pub fn record(&mut self, timings: &[(String, f64)]) {
        let seconds: f64 = timings.iter().map(|(_, s)| s).sum();
        self.timings.splice(0..0, timings.iter().cloned());
        self.started = self
            .started
            .checked_sub(std::time::Duration::from_secs_f64(seconds))
            .unwrap_or(self.started);
    }

    /// The progress the stages report to.
    pub fn progress(&self) -> &'p dyn Progress {
        self.progress
    }

    /// Seconds per stage with the total, and peak memory after each stage.
    pub fn finish(mut self) -> (StageFigures, StageFigures) {
        self.timings
            .push(("total".to_string(), self.started.elapsed().as_secs_f64()));
        (self.timings, self.peaks)
    }
}
/// Hands the heap's free pages back to the system (glibc's `malloc_trim`).
///
/// glibc keeps memory freed by small allocations (the report texts, the per-unit vectors)
/// resident for reuse, but a large array is a fresh mapping that cannot reuse it. Called where it
/// lowers the peak: once the report texts are freed, and before the reduced rows are written
/// (laws: 482 MiB with these two, 620 MiB without; a call after every stage as well lowered
/// nothing and cost page faults when the next stage touched the memory again).
///
/// The one `unsafe` left in the library: no crate wraps `malloc_trim`, and the allocator that
/// would make it needless costs more memory. `tikv-jemallocator` with background purging,
/// measured against it on `run ../shared/corpus/laws --k 30` (2026-12-07, two alternating
/// runs each, `/usr/bin/time`): peak RSS 533 and 553 MiB against 448 and 446 MiB with glibc
/// and these two trims, user CPU 10.2 and 10.0 s against 10.3 and 10.7 s — the same time for
/// a fifth more memory (0.46 of the reference pipeline's peak instead of 0.38).
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free pages of glibc's own heap; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// The process's peak resident set size in MiB (`VmHWM` of `/proc/self/status`), if known.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}
