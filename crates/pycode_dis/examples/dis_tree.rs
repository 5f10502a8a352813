//! Times `dis` over every `.pyc` under a directory (one process):
//! `cargo run --release -p pycode_dis --example dis_tree -- DIR [-C]`.

use std::path::Path;
use std::time::Instant;

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "pyc") && !p.to_string_lossy().ends_with(".ts.pyc") {
            out.push(p);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: dis_tree DIR [-C] [--machine]");
        std::process::exit(2);
    };
    let opts = pycode_dis::DisOptions { show_caches: args.iter().any(|a| a == "-C"), ..Default::default() };
    let mut files = Vec::new();
    walk(Path::new(dir), &mut files);
    let datas: Vec<Vec<u8>> = files.iter().filter_map(|f| std::fs::read(f).ok()).collect();
    let t0 = Instant::now();
    let pycs: Vec<_> = datas.iter().filter_map(|d| pycode_marshal::read_pyc(d).ok()).collect();
    let t1 = Instant::now();
    let (mut bytes, mut errors) = (0usize, 0usize);
    for p in &pycs {
        match pycode_dis::dis(&p.graph, p.root, p.release(), &opts) {
            Ok(s) => bytes += s.len(),
            Err(_) => errors += 1,
        }
    }
    let t2 = Instant::now();
    if args.iter().any(|a| a == "--machine") {
        println!("files={} read={:.6} dis={:.6} text={}", pycs.len(), (t1 - t0).as_secs_f64(), (t2 - t1).as_secs_f64(), bytes);
        return;
    }
    println!(
        "{} files: read {:.3}s, dis {:.3}s ({} MB of text, {} errors)",
        pycs.len(),
        (t1 - t0).as_secs_f64(),
        (t2 - t1).as_secs_f64(),
        bytes / 1_000_000,
        errors
    );
}
