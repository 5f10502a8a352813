//! Differential test of the new parser against `pycode_parse` (ruff + conversion, 100 % identical
//! to CPython's `ast` on every corpus):
//!
//! `astparity --release 3.12.7 [--out SNAPSHOT] [--show N] DIR_OR_FILE...` parses every `.py`
//! file with both and compares `ast.dump(include_attributes=True)`. Prints `matched N/M`; with
//! `--out`, writes that line and the failing files (sorted) to SNAPSHOT. A file both parsers
//! reject counts as matched.
//!
//! `astparity --release 3.12.7 --bench REPS DIR...` times source → finished tree (decode, parse,
//! drop) for both parsers over the files held in memory and prints MB/s (best of REPS).
//! `--only new|old` runs one parser once (for `valgrind --tool=callgrind` / `perf stat`).

use std::path::{Path, PathBuf};
use std::time::Instant;

use pycode_ast::{dump, DumpOptions, PyMinor};
use pycode_release::Release;

fn collect(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_dir() {
        let Ok(rd) = std::fs::read_dir(p) else { return };
        let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for e in entries {
            collect(&e, out);
        }
    } else if p.extension().is_some_and(|e| e == "py") {
        out.push(p.to_path_buf());
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut release = Release::V3_12_7;
    let mut out = None;
    let mut show = 0usize;
    let mut bench = None;
    let mut only = None;
    let mut paths = Vec::new();
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--release" => {
                i += 1;
                release = Release::parse(&args[i]).expect("unknown release");
            }
            "--out" => {
                i += 1;
                out = Some(args[i].clone());
            }
            "--show" => {
                i += 1;
                show = args[i].parse().unwrap_or(0);
            }
            "--bench" => {
                i += 1;
                bench = Some(args[i].parse::<usize>().unwrap_or(5));
            }
            "--only" => {
                i += 1;
                only = Some(args[i].clone());
            }
            p => paths.push(PathBuf::from(p)),
        }
        i += 1;
    }
    let minor = PyMinor::from(release);
    let mut files = Vec::new();
    for p in &paths {
        collect(p, &mut files);
    }
    let old_opts = pycode_parse::Options::for_release(release, pycode_parse::Mode::Exec, false);
    let new_opts = pycode_parser::Options { minor, mode: pycode_parse::Mode::Exec, spec_empty_tail: release == Release::V3_12_1 };
    if bench.is_some() || only.is_some() {
        let srcs: Vec<Vec<u8>> = files.iter().filter_map(|f| std::fs::read(f).ok()).collect();
        let bytes: usize = srcs.iter().map(Vec::len).sum();
        let reps = bench.unwrap_or(1);
        let run = |new: bool| -> f64 {
            let mut best = f64::MAX;
            for _ in 0..reps {
                let t = Instant::now();
                for s in &srcs {
                    if new {
                        drop(std::hint::black_box(pycode_parser::parse(s, &new_opts)));
                    } else {
                        drop(std::hint::black_box(pycode_parse::parse(s, &old_opts)));
                    }
                }
                best = best.min(t.elapsed().as_secs_f64());
            }
            best
        };
        let mb = bytes as f64 / 1e6;
        if only.as_deref() != Some("old") {
            let t = run(true);
            println!("pycode_parser  {:8.1} ms  {:7.1} MB/s  ({} files, {} bytes)", t * 1e3, mb / t, srcs.len(), bytes);
        }
        if only.as_deref() != Some("new") {
            let t = run(false);
            println!("pycode_parse   {:8.1} ms  {:7.1} MB/s", t * 1e3, mb / t);
        }
        return;
    }
    let dopts = DumpOptions { include_attributes: true, indent: Some("  ".into()), minor };
    let mut matched = 0;
    let mut failing = Vec::new();
    let mut shown = 0;
    for f in &files {
        let Ok(src) = std::fs::read(f) else { continue };
        let old = pycode_parse::parse(&src, &old_opts);
        let new = std::panic::catch_unwind(|| pycode_parser::parse(&src, &new_opts));
        let ok = match (&old, &new) {
            (Ok(a), Ok(Ok(b))) => {
                let (da, db) = (dump(a, &dopts), dump(b, &dopts));
                let same = da == db;
                if !same && shown < show {
                    shown += 1;
                    println!("=== {}", f.display());
                    let (la, lb): (Vec<&str>, Vec<&str>) = (da.lines().collect(), db.lines().collect());
                    if let Some(k) = (0..la.len().max(lb.len())).find(|&k| la.get(k) != lb.get(k)) {
                        for j in k.saturating_sub(6)..(k + 3) {
                            println!("  ref {}", la.get(j).unwrap_or(&""));
                        }
                        println!("  ---");
                        for j in k.saturating_sub(6)..(k + 3) {
                            println!("  new {}", lb.get(j).unwrap_or(&""));
                        }
                    }
                }
                same
            }
            (Err(_), Ok(Err(_))) => true,
            (Ok(_), Ok(Err(e))) => {
                if shown < show {
                    shown += 1;
                    println!("=== {}: new parser error {e:?}", f.display());
                }
                false
            }
            (Err(e), Ok(Ok(_))) => {
                if shown < show {
                    shown += 1;
                    println!("=== {}: reference error {e}, new parser accepted", f.display());
                }
                false
            }
            (_, Err(_)) => {
                println!("=== {}: PANIC", f.display());
                false
            }
        };
        if ok {
            matched += 1;
        } else {
            failing.push(f.display().to_string());
        }
    }
    let line = format!("matched {matched}/{}", files.len());
    println!("{line}");
    if let Some(o) = out {
        failing.sort();
        let mut text = line + "\n";
        for f in failing {
            text.push_str(&f);
            text.push('\n');
        }
        std::fs::write(o, text).expect("write snapshot");
    }
}
