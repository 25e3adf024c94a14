//! Panels (docs/FORMULAS.md#panels): pooled counts are the sum of the per-transition counts, and
//! the Anderson-Goodman test has its df, notes and weight handling.

use mobility::panel::Panel;
use mobility::{ClassSpec, Rule, TransitionCounts, WeightKind, measures::Weighting};

fn series(seed: u64, n: usize) -> Vec<f64> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 33) % 1000) as f64
        })
        .collect()
}

#[test]
fn pooled_is_the_sum_of_the_transitions() {
    let t: Vec<Vec<f64>> = (0..4).map(|s| series(s + 1, 300)).collect();
    let views: Vec<&[f64]> = t.iter().map(|v| v.as_slice()).collect();
    for rule in [Rule::Midrank, Rule::Giddy, Rule::Split] {
        let spec = ClassSpec::Quantiles { k: 5, rule };
        let p = Panel::new(&views, None, WeightKind::Sampling, &spec).unwrap();
        assert_eq!(p.transitions.len(), 3);
        let mut sum = ndarray::Array2::<f64>::zeros((5, 5));
        for w in views.windows(2) {
            sum += &TransitionCounts::from_status(w[0], w[1], None, &spec)
                .unwrap()
                .counts();
        }
        assert_eq!(p.pooled.counts().unwrap(), &sum);
        let h = p.homogeneity.as_ref().unwrap();
        // independent periods: the test should not reject at 0.1%
        assert!(
            h.likelihood_ratio.p_value > 0.001,
            "{rule}: {:?}",
            h.likelihood_ratio
        );
        assert_eq!(h.likelihood_ratio.df, 2 * 5 * 4);
    }
}

#[test]
fn repeated_transitions_reports_and_notes() {
    let a = series(1, 200);
    let b = series(2, 200);
    // a -> b -> a -> b: transitions 1 and 3 are the same; 2 is the reverse
    let views: Vec<&[f64]> = vec![&a, &b, &a, &b];
    let p = Panel::new(&views, None, WeightKind::Sampling, &ClassSpec::quantiles(4)).unwrap();
    assert_eq!(p.transitions[0], p.transitions[2]);
    // the same two periods twice: one transition repeated
    let views: Vec<&[f64]> = vec![&a, &b];
    let p2 = Panel::new(&views, None, WeightKind::Sampling, &ClassSpec::quantiles(4)).unwrap();
    assert!(p2.homogeneity.is_none() && p2.homogeneity_note.is_some());
    let report = p
        .report(
            &["t0".into(), "t1".into(), "t2".into(), "t3".into()],
            &Weighting::ParentShares,
        )
        .unwrap();
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["k"], 4);
    assert_eq!(json["transitions"][1]["from"], "t1");
    assert!(
        json["time_homogeneity"]["chi_square"]["statistic"]
            .as_f64()
            .unwrap()
            >= 0.0
    );
    // sampling weights scale the counts for the test and say so
    let w: Vec<f64> = (0..200).map(|i| 1.0 + (i % 3) as f64).collect();
    let views: Vec<&[f64]> = vec![&a, &b, &a];
    let note = |kind| {
        Panel::new(&views, Some(&w), kind, &ClassSpec::quantiles(4))
            .unwrap()
            .homogeneity_note
    };
    assert!(note(WeightKind::Sampling).unwrap().contains("n_eff / W"));
    assert!(note(WeightKind::Frequency).is_none());
    // one period is refused
    assert!(Panel::new(&[&a], None, WeightKind::Sampling, &ClassSpec::quantiles(4)).is_err());
}
