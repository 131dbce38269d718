//! What a run costs while it runs: seconds and peak memory per stage, and handing freed memory
//! back to the system. No stage logic here; the pipeline and the reducer call in.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::time::Instant;

/// A figure per stage, in stage order (seconds, or MiB).
pub type StageFigures = Vec<(String, f64)>;

/// Times stages and draws progress bars.
pub struct Stages {
    timings: Vec<(String, f64)>,
    peaks: Vec<(String, f64)>,
    progress: bool,
    started: Instant,
}

impl Stages {
    /// Starts the clock; `progress` draws bars on stderr.
    pub fn new(progress: bool) -> Stages {
        Stages {
            timings: Vec::new(),
            peaks: Vec::new(),
            progress,
            started: Instant::now(),
        }
    }

    /// Runs `f` as stage `name`, with a bar of `len` steps when len > 0.
    pub fn run<T>(&mut self, name: &str, len: usize, f: impl FnOnce(&ProgressBar) -> T) -> T {
        let bar = if !self.progress {
            ProgressBar::hidden()
        } else if len > 0 {
            let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{prefix:>12} [{bar:30}] {pos}/{len} {elapsed}")
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            bar
        } else {
            // A stage without countable steps (vectorizing, reducing, clustering) gets a spinner.
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{prefix:>12} {spinner} {msg} {elapsed}")
                    .expect("valid template"),
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        };
        bar.set_prefix(name.to_string());
        let t = Instant::now();
        let out = f(&bar);
        bar.finish_and_clear();
        self.timings
            .push((name.to_string(), t.elapsed().as_secs_f64()));
        if let Some(peak) = peak_rss_mib() {
            self.peaks.push((name.to_string(), peak));
        }
        out
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
