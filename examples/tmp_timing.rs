use mobility::{ClassSpec, TransitionMatrix};
fn main() {
    let n = 10_000_000usize;
    let mut s = 0x9E3779B97F4A7C15u64;
    let mut next = || { s ^= s << 13; s ^= s >> 7; s ^= s << 17; (s >> 11) as f64 / (1u64 << 53) as f64 };
    let parent: Vec<f64> = (0..n).map(|_| (next()*3.0).exp() * 1000.0).collect();
    let child: Vec<f64> = parent.iter().map(|p| p * (next()*2.0).exp()).collect();
    let w: Vec<f64> = (0..n).map(|_| 1.0 + next()).collect();
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let tm = TransitionMatrix::from_status(&parent, &child, None, &ClassSpec::quantiles(10)).unwrap();
        let a = t.elapsed();
        let t = std::time::Instant::now();
        let tw = TransitionMatrix::from_status(&parent, &child, Some(&w), &ClassSpec::quantiles(10)).unwrap();
        println!("unweighted {:?} weighted {:?} p11 {} {}", a, t.elapsed(), tm.probabilities[[0,0]], tw.probabilities[[0,0]]);
    }
}
