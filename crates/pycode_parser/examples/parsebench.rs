//! Throughput of the own parser (docs/parser.md §5), the Rust side of `bench/ast_bench.py`.
//!
//! `parsebench [--release 3.12.7] [--reps N] [--stage full|lex] LIST`: reads every file named in
//! LIST (one path a line) into memory, then runs N passes over them and prints one line
//! `best_cpu S best_wall S bytes B files N ok K` (CPU time of this thread).
//! Stages: `full` is source bytes → finished `pycode_ast` tree, dropped (`pycode_parser::parse`:
//! decode, prepare, tokens, rules, builder, drop); `lex` is decode + prepare + every token.
//! The pass is one out-of-line function, so `valgrind --tool=callgrind
//! --toggle-collect=*bench_pass* parsebench --reps 1 ...` counts exactly it.

/// The allocator of the `pycode` binary (the same source file), so that numbers match the CLI's.
#[path = "../../pycode_cli/src/alloc.rs"]
mod alloc;

#[global_allocator]
static GLOBAL: alloc::PycodeAlloc = alloc::PycodeAlloc;

use pycode_ast::PyMinor;
use pycode_release::Release;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    Full,
    Lex,
}

fn lex_only(src: &[u8], minor: PyMinor) -> bool {
    let Ok(text) = pycode_parse::decode::decode_source(src, minor) else { return false };
    let prepared = pycode_lexer::prepare(text.as_bytes(), true);
    let cfg = pycode_lexer::Config::parser(pycode_parser::Grammar::new(minor).lexer_minor);
    let mut lx = pycode_lexer::Lexer::new(&prepared, cfg);
    loop {
        match lx.next_token() {
            Ok(t) if t.kind == pycode_lexer::TokKind::ENDMARKER => return true,
            Ok(t) => {
                std::hint::black_box(t);
            }
            Err(_) => return false,
        }
    }
}

#[inline(never)]
fn bench_pass(files: &[Vec<u8>], opts: &pycode_parser::Options, stage: Stage) -> usize {
    let mut ok = 0;
    for f in files {
        let good = match stage {
            Stage::Full => pycode_parser::parse(std::hint::black_box(f), opts).is_ok(),
            Stage::Lex => lex_only(std::hint::black_box(f), opts.minor),
        };
        ok += usize::from(good);
    }
    ok
}

#[repr(C)]
struct Timespec {
    tv_sec: i64,
    tv_nsec: i64,
}

extern "C" {
    fn clock_gettime(clk: i32, ts: *mut Timespec) -> i32;
}

fn thread_cpu_time() -> f64 {
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut ts = Timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec; the call only writes into it.
    let rc = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return f64::NAN;
    }
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

fn main() {
    alloc::configure();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut release = Release::V3_12_7;
    let mut reps = 5usize;
    let mut stage = Stage::Full;
    let mut list = None;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--release" => {
                i += 1;
                release = args.get(i).and_then(|s| Release::parse(s).ok()).expect("unknown release");
            }
            "--reps" => {
                i += 1;
                reps = args.get(i).and_then(|s| s.parse().ok()).unwrap_or(5);
            }
            "--stage" => {
                i += 1;
                stage = match args.get(i).map(String::as_str) {
                    Some("lex") => Stage::Lex,
                    _ => Stage::Full,
                };
            }
            p => list = Some(p.to_string()),
        }
        i += 1;
    }
    let list = list.expect("LIST");
    let files: Vec<Vec<u8>> = std::fs::read_to_string(&list).expect("read LIST").lines().filter_map(|p| std::fs::read(p).ok()).collect();
    let total: usize = files.iter().map(Vec::len).sum();
    let opts = pycode_parser::Options {
        minor: PyMinor::from(release),
        mode: pycode_parse::Mode::Exec,
        spec_empty_tail: release == Release::V3_12_1,
    };
    let (mut best_cpu, mut best_wall, mut ok) = (f64::MAX, f64::MAX, 0);
    for _ in 0..reps.max(1) {
        let w = std::time::Instant::now();
        let c = thread_cpu_time();
        ok = bench_pass(&files, &opts, stage);
        best_cpu = best_cpu.min(thread_cpu_time() - c);
        best_wall = best_wall.min(w.elapsed().as_secs_f64());
    }
    println!("best_cpu {best_cpu:.6} best_wall {best_wall:.6} bytes {total} files {} ok {ok}", files.len());
}
