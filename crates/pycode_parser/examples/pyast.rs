//! Development driver for the differential tests and the benchmark.
//!
//! `pyast --target 3.12 [-a] [-i N] [--no-type-comments] [-m MODE] FILE` prints the dump (like `pycode ast`);
//! `pyast --target 3.12 [-a] [-i N] --batch LIST OUT.jsonl` dumps every file named in LIST (one path a
//! line) and writes one JSON object per line: {"path","ok","dump"} or {"path","ok":false,"error"}.
//! `pyast --target 3.12 --bench LIST [--reps N]` times decode+parse+convert(+drop) over the files
//! (read into memory first) N times and prints one line per repetition and a summary line
//! `best_cpu S best_wall S bytes B files N ok K` (CPU time of this thread, `CLOCK_THREAD_CPUTIME_ID`).
//! `--reps 1` is the mode for `valgrind --tool=callgrind --toggle-collect=*bench_pass*`.

#[path = "support/cpu_time.rs"]
mod cpu_time;
use cpu_time::thread_cpu_time;
use std::io::Write;

/// The allocator of the `pycode` binary (`crates/pycode_cli/src/alloc.rs`, the same source file), so
/// that timings match the CLI's.
#[path = "../../pycode_cli/src/alloc.rs"]
mod alloc;

#[global_allocator]
static GLOBAL: alloc::PycodeAlloc = alloc::PycodeAlloc;

use pycode_ast::{DumpOptions, PyMinor};
use pycode_parser::{Mode, Options};

fn json_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn main() {
    alloc::configure();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut minor = PyMinor::Py314;
    let mut attrs = false;
    let mut indent: Option<String> = Some("   ".into());
    let mut tc = true;
    let mut mode = Mode::Exec;
    let mut batch = None;
    let mut bench = None;
    let mut reps: usize = 5;
    let mut file = None;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--target" => {
                i += 1;
                minor = match args.get(i).map(String::as_str) {
                    Some("3.11") => PyMinor::Py311,
                    Some("3.12") => PyMinor::Py312,
                    Some("3.13") => PyMinor::Py313,
                    Some("3.15") => PyMinor::Py315,
                    _ => PyMinor::Py314,
                };
            }
            "-a" => attrs = true,
            "-i" => {
                i += 1;
                let n: i64 = args.get(i).and_then(|s| s.parse().ok()).unwrap_or(3);
                indent = Some(" ".repeat(n.max(0) as usize));
            }
            "--one-line" => indent = None,
            "--no-type-comments" => tc = false,
            "-m" => {
                i += 1;
                mode = args.get(i).and_then(|s| Mode::from_name(s)).unwrap_or(Mode::Exec);
            }
            "--batch" => {
                batch = Some((args[i + 1].clone(), args[i + 2].clone()));
                i += 2;
            }
            "--bench" => {
                i += 1;
                bench = args.get(i).cloned();
            }
            "--reps" => {
                i += 1;
                reps = args.get(i).and_then(|s| s.parse().ok()).unwrap_or(5);
            }
            f => file = Some(f.to_string()),
        }
        i += 1;
    }
    let opts = Options { type_comments: tc, ..Options::new(minor, mode) };
    let dopts = DumpOptions { include_attributes: attrs, indent, minor };
    if let Some(list) = bench {
        run_bench(&list, &opts, reps);
        return;
    }
    if let Some((list, out)) = batch {
        let mut w = std::io::BufWriter::new(std::fs::File::create(out).unwrap());
        for path in std::fs::read_to_string(list).unwrap().lines() {
            let src = std::fs::read(path).unwrap_or_default();
            let mut line = String::from("{\"path\": ");
            json_str(path, &mut line);
            match pycode_parser::parse(&src, &opts) {
                Ok(tree) => {
                    line.push_str(", \"ok\": true, \"dump\": ");
                    json_str(&pycode_ast::dump(&tree, &dopts), &mut line);
                }
                Err(e) => {
                    line.push_str(", \"ok\": false, \"error\": ");
                    json_str(&format!("{}: {} ({}:{})", e.kind.name(), e.msg, e.lineno, e.offset), &mut line);
                }
            }
            line.push_str("}\n");
            w.write_all(line.as_bytes()).unwrap();
        }
        return;
    }
    let src = std::fs::read(file.expect("FILE")).unwrap();
    match pycode_parser::parse(&src, &opts) {
        Ok(tree) => println!("{}", pycode_ast::dump(&tree, &dopts)),
        Err(e) => {
            eprintln!("{}: {} (line {}, offset {})", e.kind.name(), e.msg, e.lineno, e.offset);
            std::process::exit(1);
        }
    }
}

/// One pass over every file: decode, parse, drop. Kept out of line so that callgrind can count
/// exactly this (`--toggle-collect=*bench_pass*`).
#[inline(never)]
fn bench_pass(files: &[Vec<u8>], opts: &Options) -> usize {
    let mut ok = 0;
    for f in files {
        if pycode_parser::parse(std::hint::black_box(f), opts).is_ok() {
            ok += 1;
        }
    }
    ok
}

fn run_bench(list: &str, opts: &Options, reps: usize) {
    let files: Vec<Vec<u8>> = std::fs::read_to_string(list).unwrap().lines().filter_map(|p| std::fs::read(p).ok()).collect();
    let total: usize = files.iter().map(Vec::len).sum();
    let mut best_cpu = f64::MAX;
    let mut best_wall = f64::MAX;
    let mut ok = 0;
    for _ in 0..reps.max(1) {
        let w = std::time::Instant::now();
        let c = thread_cpu_time();
        ok = bench_pass(&files, opts);
        let cpu = thread_cpu_time() - c;
        let wall = w.elapsed().as_secs_f64();
        eprintln!("rep: cpu {cpu:.4}s wall {wall:.4}s");
        best_cpu = best_cpu.min(cpu);
        best_wall = best_wall.min(wall);
    }
    println!("best_cpu {best_cpu:.6} best_wall {best_wall:.6} bytes {total} files {} ok {ok}", files.len());
}
