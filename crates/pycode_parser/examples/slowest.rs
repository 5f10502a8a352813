//! `slowest --release 3.12.7 DIR...`: the ten files the new parser takes longest on (µs per KB).
use std::time::Instant;
fn main() {
    let args: Vec<String> = std::env::args().skip(2).collect();
    let minor = pycode_ast::PyMinor::Py312;
    let opts = pycode_parser::Options::new(minor, pycode_parser::Mode::Exec);
    let mut v = Vec::new();
    for d in &args {
        let out = std::process::Command::new("find").arg(d).arg("-name").arg("*.py").output().map(|o| o.stdout).unwrap_or_default();
        for f in String::from_utf8_lossy(&out).lines() {
            let Ok(s) = std::fs::read(f) else { continue };
            let t = Instant::now();
            let _ = pycode_parser::parse(&s, &opts);
            let e = t.elapsed().as_secs_f64();
            v.push((e * 1e6 / (s.len() as f64 / 1e3 + 0.1), e, f.to_string()));
        }
    }
    v.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (r, e, f) in v.iter().take(10) {
        println!("{r:10.1} us/KB {:8.2} ms {f}", e * 1e3);
    }
}
