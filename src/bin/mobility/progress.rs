//! Progress on stderr for long work (streamed passes, bootstrap replicates): a spinner with the
//! pass or the replicates done and the elapsed time, shown only when stderr is a terminal, not
//! with `--quiet`, not when `CI` is set, and not in a `--json` run whose output goes to a pipe.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use mobility::progress::ProgressCounter;

/// A spinner, or nothing when progress is not shown.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// Progress for a command; `quiet` (`--quiet`) and `json_to_pipe` silence it.
    pub fn new(quiet: bool, json: bool) -> Progress {
        let json_to_pipe = json && !std::io::stdout().is_terminal();
        let shown = !quiet
            && !json_to_pipe
            && std::io::stderr().is_terminal()
            && std::env::var_os("CI").is_none();
        let bar = shown.then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Progress { bar }
    }

    /// A streamed pass begins.
    pub fn pass(&self, i: usize, name: &str) {
        if let Some(b) = &self.bar {
            b.set_message(format!("pass {i} over the file: {name}"));
        }
    }

    /// A counter for the bootstrap's replicates when progress is shown: a thread writes the
    /// count into the spinner until it is finished.
    pub fn replicates(&self) -> Option<ProgressCounter> {
        let bar = self.bar.clone()?;
        let counter = ProgressCounter::new();
        let seen = counter.clone();
        std::thread::spawn(move || {
            while !bar.is_finished() {
                let done = seen.done();
                if done > 0 {
                    bar.set_message(format!("bootstrap: {done} replicates done"));
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        Some(counter)
    }

    /// The work is done: the spinner is cleared.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
