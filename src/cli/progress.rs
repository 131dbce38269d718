//! The library's [`Progress`] drawn as indicatif bars on stderr: a bar for a stage with
//! countable steps (files, units), a spinner with a message for the others. Skipped files are
//! named on stderr as they are found.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use policy_themes::corpus::Skipped;
use policy_themes::runtime::Progress;
use std::sync::Mutex;

/// Progress bars on stderr, or nothing but the skipped files when hidden.
pub struct Bars {
    show: bool,
    bar: Mutex<ProgressBar>,
}

impl Bars {
    /// Bars drawn when `show` (not `--quiet`, and stderr a terminal).
    pub fn new(show: bool) -> Bars {
        Bars {
            show,
            bar: Mutex::new(ProgressBar::hidden()),
        }
    }

    fn bar(&self) -> ProgressBar {
        self.bar.lock().expect("the bar is never poisoned").clone()
    }
}

impl Progress for Bars {
    fn start(&self, stage: &str, len: usize) {
        let bar = if !self.show {
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
        bar.set_prefix(stage.to_string());
        *self.bar.lock().expect("the bar is never poisoned") = bar;
    }

    fn advance(&self, n: usize) {
        self.bar().inc(n as u64);
    }

    fn message(&self, message: &str) {
        self.bar().set_message(message.to_string());
    }

    fn finish(&self) {
        self.bar().finish_and_clear();
    }

    fn skipped(&self, skipped: &Skipped) {
        self.bar()
            .suspend(|| eprintln!("policy-themes: skipped {}", skipped.message()));
    }
}
