use mobility::ClassSpec;
use mobility::inference::{Bootstrap, Selection};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
fn main() {
    let n: usize = std::env::args().nth(1).map(|s| s.parse().unwrap()).unwrap_or(1_000_000);
    let b: usize = std::env::args().nth(2).map(|s| s.parse().unwrap()).unwrap_or(100);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let (p, c): (Vec<f64>, Vec<f64>) = (0..n).map(|_| { let x: f64 = rng.sample(StandardNormal); let e: f64 = rng.sample(StandardNormal); (x, 0.4*x + 0.9*e) }).unzip();
    let spec = ClassSpec::quantiles(10);
    for sel in [Selection::All, Selection::Names(vec!["p_1_1".into()])] {
        let t = std::time::Instant::now();
        let r = Bootstrap::new(b).seed(7).statistics(sel).run(&p, &c, None, &spec).unwrap();
        println!("{:?} B={b}: {:.3}s  se p11 {:?}", r.statistics.len(), t.elapsed().as_secs_f64(), r.get("p_1_1").map(|s| s.se));
    }
}
