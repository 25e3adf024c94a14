//! The income pass: absolute mobility and the log-log regression (IGE), in one parallel pass
//! over the status values.

use rayon::prelude::*;

use super::{CHUNK, Ige};

/// Mean logs of up to 1024 evenly spaced positive pairs (0 when there are none).
pub(super) fn log_shift(parent: &[f64], child: &[f64]) -> (f64, f64) {
    let step = (parent.len() / 1024).max(1);
    let (mut sp, mut sc, mut m) = (0.0, 0.0, 0.0);
    for i in (0..parent.len()).step_by(step) {
        if parent[i] > 0.0 && child[i] > 0.0 {
            sp += parent[i].ln();
            sc += child[i].ln();
            m += 1.0;
        }
    }
    if m > 0.0 {
        (sp / m, sc / m)
    } else {
        (0.0, 0.0)
    }
}

/// Sums of the income pass; the log sums are taken about the shift `(sx, sy)` (near the log
/// means, so the centred products lose no digits).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct IncomeSums {
    pub(super) gt: f64,
    pub(super) ge: f64,
    used: usize,
    dropped: usize,
    sx: f64,
    sy: f64,
    pub(super) log_w: f64,
    pub(super) lx: f64,
    pub(super) ly: f64,
    lxx: f64,
    lyy: f64,
    lxy: f64,
}

impl IncomeSums {
    fn merge(&mut self, o: &IncomeSums) {
        self.gt += o.gt;
        self.ge += o.ge;
        self.used += o.used;
        self.dropped += o.dropped;
        self.log_w += o.log_w;
        self.lx += o.lx;
        self.ly += o.ly;
        self.lxx += o.lxx;
        self.lyy += o.lyy;
        self.lxy += o.lxy;
    }

    pub(super) fn ige(&self) -> Ige {
        let w = self.log_w;
        let mut out = Ige {
            elasticity: None,
            intercept: None,
            log_correlation: None,
            used: self.used,
            dropped: self.dropped,
        };
        if self.used < 2 || w <= 0.0 {
            return out;
        }
        let (mx, my) = (self.lx / w, self.ly / w);
        let cxx = self.lxx - w * mx * mx;
        let cyy = self.lyy - w * my * my;
        let cxy = self.lxy - w * mx * my;
        let sxx = self.lxx.max(f64::MIN_POSITIVE);
        let syy = self.lyy.max(f64::MIN_POSITIVE);
        // a variance below 1e-12 of the raw second moment is rounding, not variation
        if cxx > 1e-12 * sxx {
            let beta = cxy / cxx;
            out.elasticity = Some(beta);
            out.intercept = Some((my + self.sy) - beta * (mx + self.sx));
            if cyy > 1e-12 * syy {
                out.log_correlation = Some((cxy / (cxx * cyy).sqrt()).clamp(-1.0, 1.0));
            }
        }
        out
    }
}

/// Absolute-mobility counts and log-regression sums, logs shifted by `(sx, sy)`.
pub(super) fn income_pass(
    parent: &[f64],
    child: &[f64],
    weights: Option<&[f64]>,
    sx: f64,
    sy: f64,
) -> IncomeSums {
    let partials: Vec<IncomeSums> = parent
        .par_chunks(CHUNK)
        .zip(child.par_chunks(CHUNK))
        .enumerate()
        .map(|(c, (ps, cs))| {
            let mut s = IncomeSums::default();
            for (t, (&p, &y)) in ps.iter().zip(cs).enumerate() {
                let w = weights.map_or(1.0, |w| w[c * CHUNK + t]);
                if y > p {
                    s.gt += w;
                }
                if y >= p {
                    s.ge += w;
                }
                if p > 0.0 && y > 0.0 {
                    let (lx, ly) = (p.ln() - sx, y.ln() - sy);
                    s.used += 1;
                    s.log_w += w;
                    s.lx += w * lx;
                    s.ly += w * ly;
                    s.lxx += w * lx * lx;
                    s.lyy += w * ly * ly;
                    s.lxy += w * lx * ly;
                } else {
                    s.dropped += 1;
                }
            }
            s
        })
        .collect();
    let mut total = IncomeSums {
        sx,
        sy,
        ..IncomeSums::default()
    };
    for p in &partials {
        total.merge(p);
    }
    total
}
