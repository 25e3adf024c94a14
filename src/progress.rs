//! A shared count of finished work units (bootstrap replicates), for a progress display.
//!
//! The library never draws anything: a long computation that is given a [`ProgressCounter`]
//! adds one for each unit it finishes, and the caller reads [`ProgressCounter::done`] from
//! another thread (the CLI's spinner, Python's tqdm bar). Counting never changes a result.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// A count of finished units, shared between the computation and a display (clones share it).
///
/// # Example
/// ```
/// use mobility::inference::Bootstrap;
/// use mobility::progress::ProgressCounter;
/// use mobility::ClassSpec;
/// let parent: Vec<f64> = (0..200).map(|i| ((i * 37) % 200) as f64).collect();
/// let child: Vec<f64> = (0..200).map(|i| ((i * 91) % 200) as f64).collect();
/// let counter = ProgressCounter::new();
/// Bootstrap::new(50)
///     .progress(counter.clone())
///     .run(&parent, &child, None, &ClassSpec::quantiles(4))
///     .unwrap();
/// assert_eq!(counter.done(), 50 + 30); // the replicates and the 30 jackknife groups
/// ```
#[derive(Debug, Clone, Default)]
pub struct ProgressCounter(Arc<AtomicU64>);

impl ProgressCounter {
    /// A counter at zero.
    pub fn new() -> ProgressCounter {
        ProgressCounter::default()
    }

    /// Units finished so far.
    pub fn done(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    /// One more unit finished.
    pub(crate) fn tick(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// Counters are not part of a configuration's identity: any two compare equal.
impl PartialEq for ProgressCounter {
    fn eq(&self, _: &ProgressCounter) -> bool {
        true
    }
}
