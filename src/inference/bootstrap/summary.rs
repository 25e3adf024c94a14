//! From replicate columns to the summary of each statistic (standard error, intervals, notes).

use super::intervals::{acceleration, jackknife_effects, summarize};
use super::result::Summarised;
use super::{Bootstrap, BootstrapResult, BootstrapSummary, RawRun};
use crate::inference::{CiMethod, Interval};

/// One replicate column summarised, as every bootstrap of the crate reports it.
#[derive(Debug, Clone, PartialEq)]
struct ColumnSummary {
    se: Option<f64>,
    ci_low: Option<f64>,
    ci_high: Option<f64>,
    percentile: Option<Interval>,
    bca: Option<Interval>,
    bias_correction: Option<f64>,
    acceleration: Option<f64>,
    /// The replicate numbers where the statistic is undefined, increasing.
    undefined_at: Vec<usize>,
    /// The defined replicate values, in replicate order.
    replicates: Vec<f64>,
    note: Option<String>,
}

/// The BCa acceleration from a statistic's grouped-jackknife values (`None` if one is undefined).
pub(crate) fn jackknife_acceleration(jack: &[Option<f64>]) -> Option<f64> {
    jackknife_effects(jack).map(|e| acceleration(&e))
}

impl Bootstrap {
    /// Summarises a raw run.
    pub(crate) fn finish(&self, raw: RawRun) -> BootstrapResult {
        let statistics = (0..raw.stats.len())
            .map(|s| {
                let column: Vec<Option<f64>> = raw.reps.iter().map(|r| r[s]).collect();
                let jack: Vec<Option<f64>> = raw.jack.iter().map(|r| r[s]).collect();
                let accel = jackknife_acceleration(&jack);
                self.summary(raw.stats[s].clone(), raw.estimates[s], &column, accel)
            })
            .collect();
        BootstrapResult {
            k: raw.k,
            replicate_count: self.replicates,
            seed: self.seed,
            level: self.level,
            ci: self.ci,
            cutoffs: raw.cutoffs,
            resampling: raw.resampling,
            jackknife_groups: raw.groups,
            weighting: self.weighting.clone(),
            weight_kind: self.weight_kind,
            statistics,
        }
    }

    /// One statistic's summary from its replicate column (`None` = undefined in that replicate).
    pub(crate) fn summary<S: Summarised>(
        &self,
        statistic: S,
        estimate: Option<f64>,
        column: &[Option<f64>],
        accel: Option<f64>,
    ) -> BootstrapSummary<S> {
        let c = self.summarize_column(estimate, column, accel);
        BootstrapSummary {
            name: statistic.summary_name(),
            statistic,
            estimate,
            se: c.se,
            ci_low: c.ci_low,
            ci_high: c.ci_high,
            percentile: c.percentile,
            bca: c.bca,
            bias_correction: c.bias_correction,
            acceleration: c.acceleration,
            undefined_replicates: c.undefined_at.len(),
            undefined_at: c.undefined_at,
            replicates: c.replicates,
            note: c.note,
        }
    }

    /// A replicate column (`None` = undefined in that replicate) summarised at the configured
    /// level, with the configured interval as `ci_low` / `ci_high` and the note "undefined in the
    /// full sample" when the estimate is.
    fn summarize_column(
        &self,
        estimate: Option<f64>,
        column: &[Option<f64>],
        accel: Option<f64>,
    ) -> ColumnSummary {
        let replicates: Vec<f64> = column.iter().flatten().copied().collect();
        let undefined_at: Vec<usize> = column
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_none())
            .map(|(b, _)| b)
            .collect();
        let sum = summarize(estimate, &replicates, accel, self.level);
        let mut note = sum.note;
        if estimate.is_none() {
            note = Some("undefined in the full sample".to_string());
        }
        let chosen = match self.ci {
            CiMethod::Percentile => sum.percentile,
            CiMethod::Bca => sum.bca,
        };
        ColumnSummary {
            se: sum.se,
            ci_low: chosen.map(|i| i.low),
            ci_high: chosen.map(|i| i.high),
            percentile: sum.percentile,
            bca: sum.bca,
            bias_correction: sum.bias_correction,
            acceleration: accel,
            undefined_at,
            replicates,
            note,
        }
    }
}
