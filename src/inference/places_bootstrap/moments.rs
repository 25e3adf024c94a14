//! Standard errors and the pairwise-complete covariance of the places' replicate columns.

use faer::Mat;

use crate::inference::standard_deviation;

/// Standard errors and (optionally) the pairwise-complete covariance of the replicate columns.
pub(super) fn moments(
    reps: &[Vec<Option<f64>>],
    np: usize,
    covariance: bool,
    joint: bool,
) -> (Vec<Option<f64>>, Option<Vec<f64>>) {
    let b = reps.len();
    let se: Vec<Option<f64>> = (0..np)
        .map(|g| {
            let vals: Vec<f64> = reps.iter().filter_map(|r| r[g]).collect();
            standard_deviation(&vals)
        })
        .collect();
    if !covariance {
        return (se, None);
    }
    let mut cov = vec![0.0; np * np];
    if !joint {
        for g in 0..np {
            cov[g * np + g] = se[g].map_or(0.0, |s| s * s);
        }
        return (se, Some(cov));
    }
    // Centre each column on its defined mean (exact for complete columns; pairwise sums below
    // correct the means where a column has undefined replicates).
    let means: Vec<f64> = (0..np)
        .map(|g| {
            let (s, c) = reps
                .iter()
                .filter_map(|r| r[g])
                .fold((0.0, 0usize), |(s, c), x| (s + x, c + 1));
            if c > 0 { s / c as f64 } else { 0.0 }
        })
        .collect();
    let x = Mat::<f64>::from_fn(b, np, |r, g| reps[r][g].map_or(0.0, |v| v - means[g]));
    let m = Mat::<f64>::from_fn(b, np, |r, g| f64::from(u8::from(reps[r][g].is_some())));
    let sxx = x.transpose() * &x;
    let complete = reps.iter().all(|r| r.iter().all(Option::is_some));
    if complete {
        let d = (b - 1) as f64;
        for a in 0..np {
            for c in 0..np {
                cov[a * np + c] = sxx[(a, c)] / d;
            }
        }
        return (se, Some(cov));
    }
    let nn = m.transpose() * &m;
    let sx = x.transpose() * &m; // sx[(a, c)] = sum over both defined of x_a
    for a in 0..np {
        for c in 0..np {
            let cnt = nn[(a, c)];
            if cnt < 2.0 || se[a].is_none() || se[c].is_none() {
                continue;
            }
            cov[a * np + c] = (sxx[(a, c)] - sx[(a, c)] * sx[(c, a)] / cnt) / (cnt - 1.0);
        }
    }
    (se, Some(cov))
}
