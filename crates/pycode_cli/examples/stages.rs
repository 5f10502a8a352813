//! Per-stage CPU time over a tree, in memory (no file writes): `stages DIR [ROUNDS]`.
//! Prints, for each stage, the best time of ROUNDS over all `.py` files and its MB/s:
//! ruff's parser alone, pycode_parse (decode + ruff + checks + conversion), then the whole
//! compile to marshal bytes. A profiling aid for the compile benchmark, not a test.
use std::time::Instant;

#[path = "../src/alloc.rs"]
mod alloc;

#[global_allocator]
static GLOBAL: alloc::PycodeAlloc = alloc::PycodeAlloc;

fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut ents: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    ents.sort();
    for p in ents {
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|e| e == "py") {
            out.push(p);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = args.get(1).map(String::as_str).unwrap_or(".");
    let rounds: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(3);
    let mut files = Vec::new();
    walk(std::path::Path::new(dir), &mut files);
    let srcs: Vec<(String, Vec<u8>)> =
        files.iter().filter_map(|p| Some((p.display().to_string(), std::fs::read(p).ok()?))).collect();
    let total: usize = srcs.iter().map(|(_, s)| s.len()).sum();
    let release = pycode_release::Release::V3_12_7;
    let best = |f: &dyn Fn() -> usize| -> (f64, usize) {
        let mut b = f64::MAX;
        let mut n = 0;
        for _ in 0..rounds {
            let t = Instant::now();
            n = f();
            b = b.min(t.elapsed().as_secs_f64());
        }
        (b, n)
    };
    let report = |name: &str, (t, ok): (f64, usize)| {
        println!("{name:<28} {:8.1} ms {:8.1} MB/s  ({ok} ok)", t * 1e3, total as f64 / t / 1e6);
    };
    println!("{} files, {:.1} MB", srcs.len(), total as f64 / 1e6);
    report(
        "ruff parse_module",
        best(&|| {
            srcs.iter()
                .filter(|(_, s)| {
                    std::str::from_utf8(s).is_ok_and(|t| ruff_python_parser::parse_module(t).is_ok())
                })
                .count()
        }),
    );
    report(
        "pycode_parse (to AST)",
        best(&|| srcs.iter().filter(|(_, s)| pycode_compile::parse_source(s, release).is_ok()).count()),
    );
    report(
        "compile to marshal",
        best(&|| {
            srcs.iter().filter(|(f, s)| pycode_compile::compile_to_marshal(s, f, release, 0).is_ok()).count()
        }),
    );
}
