//! Where the time of `pycode compileall` goes, stage by stage, over one tree:
//!
//!     stages [--io | --io-only] DIR [ROUNDS]
//!
//! In-memory stages (sources read beforehand, nothing written): the parse (pycode_parser:
//! decode + tokens + grammar straight to pycode's AST), and the whole compile to marshal bytes. With `--io` (or only that, with `--io-only`) two more lines, which WRITE
//! `__pycache__` directories into DIR (so give it a scratch copy of a tree):
//!
//! - `compileall in-process`: `pycode_compileall::compile_dir(DIR, -f -q -j 1)` with the real
//!   compiler, as `pycode compileall` runs it minus process start-up;
//! - `file-system floor`: the same `compile_dir` call (walk, `stat`s, reading every source,
//!   creating `__pycache__`, writing each `.pyc` through a temporary file and `rename`) with a
//!   stand-in compiler that returns the bytes the real compile produced for that file, so
//!   every file written has its real size. This is a MEASUREMENT of what the file system work
//!   alone costs, never a compile path: it is what no compiler can go below when it writes the
//!   same files the same way.
//!
//! Each line is the best of ROUNDS (default 3) by CPU time (user + system, `getrusage`), with
//! the wall time of that round, MB/s of source over CPU time and the page faults it caused.
//! `__pycache__` directories are moved aside before every round and deleted at the end (not
//! timed). A profiling aid for
//! `bench/compile_bench.py`, not a test.
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use pycode_compileall::{CompileFailure, Compiled, Config, Reporter};
use pycode_release::Release;

#[path = "../src/alloc.rs"]
mod alloc;

#[global_allocator]
static GLOBAL: alloc::PycodeAlloc = alloc::PycodeAlloc;

/// `struct rusage` on 64-bit Linux: two `timeval`s, then 14 `long`s.
#[repr(C)]
#[derive(Default)]
struct Rusage {
    utime: [i64; 2],
    stime: [i64; 2],
    longs: [i64; 14],
}

extern "C" {
    fn getrusage(who: i32, usage: *mut Rusage) -> i32;
}

/// CPU seconds (user, system) and minor page faults of this process so far.
fn usage() -> (f64, f64, i64) {
    let mut r = Rusage::default();
    // SAFETY: `r` has the layout of `struct rusage` on 64-bit Linux (RUSAGE_SELF = 0).
    let ok = unsafe { getrusage(0, &mut r) } == 0;
    if !ok {
        return (0.0, 0.0, 0);
    }
    let secs = |t: [i64; 2]| t[0] as f64 + t[1] as f64 * 1e-6;
    // ru_minflt is the fifth `long` (after maxrss, ixrss, idrss, isrss).
    (secs(r.utime), secs(r.stime), r.longs[4])
}

/// One timed run: CPU user/system seconds, wall seconds, minor faults, and the stage's count.
#[derive(Clone, Copy)]
struct Sample {
    user: f64,
    sys: f64,
    wall: f64,
    faults: i64,
    n: usize,
}

fn timed(f: &mut dyn FnMut() -> usize) -> Sample {
    let (u0, s0, f0) = usage();
    let t = Instant::now();
    let n = f();
    let wall = t.elapsed().as_secs_f64();
    let (u1, s1, f1) = usage();
    Sample { user: u1 - u0, sys: s1 - s0, wall, faults: f1 - f0, n }
}

/// Best of `rounds` by CPU time; `before` runs untimed ahead of each round.
fn best(rounds: usize, before: &mut dyn FnMut(), f: &mut dyn FnMut() -> usize) -> Sample {
    let mut b: Option<Sample> = None;
    for _ in 0..rounds.max(1) {
        before();
        let s = timed(f);
        if b.is_none_or(|b| s.user + s.sys < b.user + b.sys) {
            b = Some(s);
        }
    }
    b.unwrap_or(Sample { user: 0.0, sys: 0.0, wall: 0.0, faults: 0, n: 0 })
}

fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut ents: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    ents.sort();
    for p in ents {
        if p.file_name().is_some_and(|n| n == "__pycache__") {
            continue;
        }
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|e| e == "py") {
            out.push(p);
        }
    }
}

/// Moves every `__pycache__` under `dir` into `trash` (deleted at exit, after the measurements):
/// on a file system that avoids reusing recently freed inodes (ext4 without a journal skips
/// every inode freed in the last minutes when it allocates one), deleting them between rounds
/// would make each round's file creations slower than the last.
fn set_aside_pycache(dir: &std::path::Path, trash: &std::path::Path, n: &mut usize) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let p = e.path();
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            if p.file_name().is_some_and(|n| n == "__pycache__") {
                *n += 1;
                if std::fs::rename(&p, trash.join(n.to_string())).is_err() {
                    let _ = std::fs::remove_dir_all(&p);
                }
            } else {
                set_aside_pycache(&p, trash, n);
            }
        }
    }
}

/// Prints nothing (`-q` would print only errors; none are expected, and they are counted).
struct Quiet;
impl Reporter for Quiet {
    fn out(&self, _: &str) {}
    fn err(&self, _: &str) {}
}

fn main() {
    alloc::configure();
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let io_only = args.iter().any(|a| a == "--io-only");
    let io = io_only || args.iter().any(|a| a == "--io");
    args.retain(|a| a != "--io" && a != "--io-only");
    let dir = args.first().map(String::as_str).unwrap_or(".").to_owned();
    let rounds: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(3);
    let mut files = Vec::new();
    walk(std::path::Path::new(&dir), &mut files);
    let srcs: Vec<(String, Vec<u8>)> = files.iter().filter_map(|p| Some((p.display().to_string(), std::fs::read(p).ok()?))).collect();
    let total: usize = srcs.iter().map(|(_, s)| s.len()).sum();
    let release = Release::V3_12_7;
    println!("{} files, {:.1} MB ({dir}), best of {rounds} by CPU time", srcs.len(), total as f64 / 1e6);
    println!("{:<64} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7}  ok", "stage", "cpu ms", "user ms", "sys ms", "wall ms", "MB/s cpu", "faults");
    let report = |name: &str, s: Sample| {
        let cpu = s.user + s.sys;
        println!(
            "{name:<64} {:8.1} {:8.1} {:8.1} {:8.1} {:8.1} {:7}  {}",
            cpu * 1e3,
            s.user * 1e3,
            s.sys * 1e3,
            s.wall * 1e3,
            total as f64 / cpu.max(1e-9) / 1e6,
            s.faults,
            s.n
        );
    };
    if !io_only {
        report(
            "pycode_parser: decode+parse (in memory)",
            best(rounds, &mut || {}, &mut || srcs.iter().filter(|(_, s)| pycode_compile::parse_source(s, release).is_ok()).count()),
        );
        report(
            "compile to marshal (in memory)",
            best(rounds, &mut || {}, &mut || {
                srcs.iter().filter(|(f, s)| pycode_compile::compile_to_marshal(s, f, release, 0).is_ok()).count()
            }),
        );
    }
    if !io {
        return;
    }
    // compileall -f -q -j 1 DIR, in this process.
    let mut cfg = Config::new(release);
    cfg.force = true;
    cfg.quiet = 1;
    let root = std::path::Path::new(&dir);
    let trash = std::path::PathBuf::from(format!("{}.stages-trash-{}", dir.trim_end_matches('/'), std::process::id()));
    let _ = std::fs::create_dir_all(&trash);
    let mut set_aside_count = 0usize;
    let mut set_aside = || set_aside_pycache(root, &trash, &mut set_aside_count);
    let written: Mutex<HashMap<String, Vec<u8>>> = Mutex::new(HashMap::new());
    let real = |source: &[u8], dfile: &str, release: Release, optimize: i64| -> Result<Compiled, CompileFailure> {
        let level = u8::try_from(optimize.max(0)).unwrap_or(0);
        let code = pycode_compile::compile_to_marshal(source, dfile, release, level).map_err(|e| e.to_failure(dfile))?;
        if let Ok(mut w) = written.lock() {
            if !w.contains_key(dfile) {
                w.insert(dfile.to_owned(), code.clone());
            }
        }
        Ok(Compiled { code, warnings: Vec::new(), header_room: 0 })
    };
    let run = |compiler: &dyn pycode_compileall::Compiler| -> usize {
        let ok = pycode_compileall::compile_dir(&cfg, dir.as_bytes(), None, None, None, None, 1, compiler, &Quiet);
        if !matches!(ok, Ok(true)) {
            eprintln!("stages: compileall reported a failure ({ok:?})");
        }
        written.lock().map(|w| w.len()).unwrap_or(0)
    };
    report("compileall in-process: compile_dir -f -q -j 1 (real compiler)", best(rounds, &mut set_aside, &mut || run(&real)));
    let recorded = written.lock().map(|w| w.clone()).unwrap_or_default();
    // Measurement only: hands back the bytes the real compile made for this file.
    let stand_in = |_: &[u8], dfile: &str, _: Release, _: i64| -> Result<Compiled, CompileFailure> {
        match recorded.get(dfile) {
            Some(code) => Ok(Compiled { code: code.clone(), warnings: Vec::new(), header_room: 0 }),
            None => Err(CompileFailure::Other { class: "RuntimeError".into(), message: "not compiled in the first pass".into() }),
        }
    };
    report("file-system floor: same compile_dir, no compile (measurement)", best(rounds, &mut set_aside, &mut || run(&stand_in)));
    set_aside();
    let _ = std::fs::remove_dir_all(&trash);
}
