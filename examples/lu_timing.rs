use std::time::Instant;
use trade_model::linalg::Lu;
fn main() {
    for &n in &[203usize, 1000] {
        let a: Vec<f64> = (0..n * n)
            .map(|k| {
                ((k * 7919) % 1000) as f64 / 1000.0 + if k % (n + 1) == 0 { n as f64 } else { 0.0 }
            })
            .collect();
        let t = Instant::now();
        let lu = Lu::factor(n, a).unwrap();
        println!("n={n}: {:?}", t.elapsed());
        let t = Instant::now();
        let _ = lu.solve_transpose(&vec![1.0; n]);
        println!("  solve_t {:?}", t.elapsed());
    }
}
