//! Token-level mutation fuzzer for the source pipeline (parse + ast.dump for every release and
//! mode, compile + marshal for 3.12.7 at every mode and optimization level). Stable Rust.
//!
//! usage: srcfuzz SECONDS KEEP_DIR SEED_PATH... [--seed N] [--budget-ms MS] [--stack-kib KIB]
//!
//! Seeds: every `.py` file (≤ 16 KiB) under the SEED_PATHs, plus the generated deep-nesting
//! programs of `pycode_fuzzkit::gen`. Each mutant runs on a worker thread with a fixed stack
//! (default 2 MiB, the size of a `cargo test` thread) under `catch_unwind` and a time budget
//! (default 10 s, plus 20 µs per input byte). Findings are written to KEEP_DIR:
//!   * `panic-<hash>.py`: a panic (message in `panic-<hash>.txt`);
//!   * `hang-<hash>.py`: over the time budget;
//!   * `overflow-<hash>.py`: the process died (stack overflow or abort) while running it;
//!   * `new-<hash>.py`: under 2 KiB and with an outcome (per configuration: ok or the error
//!     class and masked message) not seen before; these are also fed back as seeds.
//!
//! Overflows and hangs kill the process, so the work runs in a child process (this same binary
//! with `--child`) that a parent restarts with the next RNG seed; the input being run is always
//! in `KEEP_DIR/.current`.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use pycode_fuzzkit::mutate::{mutate, Rng};

struct Args {
    seconds: u64,
    keep: PathBuf,
    seeds: Vec<PathBuf>,
    seed: u64,
    budget_ms: u64,
    stack_kib: usize,
    child: bool,
    resume: usize,
}

fn parse_args() -> Args {
    let mut a = Args {
        seconds: 60,
        keep: PathBuf::from("fuzz/src_corpus"),
        seeds: Vec::new(),
        seed: 1,
        budget_ms: 10000,
        stack_kib: 2048,
        child: false,
        resume: 0,
    };
    let mut pos = Vec::new();
    let mut it = std::env::args().skip(1);
    while let Some(x) = it.next() {
        match x.as_str() {
            "--seed" => a.seed = it.next().and_then(|s| s.parse().ok()).unwrap_or(1),
            "--budget-ms" => a.budget_ms = it.next().and_then(|s| s.parse().ok()).unwrap_or(10000),
            "--stack-kib" => a.stack_kib = it.next().and_then(|s| s.parse().ok()).unwrap_or(2048),
            "--child" => a.child = true,
            "--resume" => a.resume = it.next().and_then(|s| s.parse().ok()).unwrap_or(0),
            _ => pos.push(x),
        }
    }
    if pos.len() < 2 {
        eprintln!("usage: srcfuzz SECONDS KEEP_DIR SEED_PATH... [--seed N] [--budget-ms MS] [--stack-kib KIB]");
        std::process::exit(2);
    }
    a.seconds = pos[0].parse().unwrap_or(60);
    a.keep = PathBuf::from(&pos[1]);
    a.seeds = pos[2..].iter().map(PathBuf::from).collect();
    a
}

fn fnv(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for &b in data {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

fn collect_py(p: &Path, out: &mut Vec<Vec<u8>>) {
    if p.is_dir() {
        let mut entries: Vec<PathBuf> =
            std::fs::read_dir(p).map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect()).unwrap_or_default();
        entries.sort();
        for e in entries {
            collect_py(&e, out);
        }
    } else if p.extension().is_some_and(|e| e == "py") {
        if let Ok(d) = std::fs::read(p) {
            if d.len() <= 16 * 1024 {
                out.push(d);
            }
        }
    }
}

fn main() {
    // `srcfuzz --write-gen DIR MAX_DEPTH`: write the generated programs (to compare with CPython).
    let argv: Vec<String> = std::env::args().collect();
    if argv.len() == 4 && argv[1] == "--write-gen" {
        let dir = PathBuf::from(&argv[2]);
        std::fs::create_dir_all(&dir).expect("dir");
        for (name, p) in pycode_fuzzkit::gen::all(argv[3].parse().unwrap_or(10_000)) {
            std::fs::write(dir.join(format!("{name}.py")), p).expect("write");
        }
        return;
    }
    let a = parse_args();
    std::fs::create_dir_all(&a.keep).expect("KEEP_DIR");
    if a.child {
        child(&a);
    } else {
        parent(&a);
    }
}

/// Runs children until the time is up; records what killed one.
fn parent(a: &Args) {
    let start = Instant::now();
    let exe = std::env::current_exe().expect("current_exe");
    let (mut execs, mut kept, mut restarts) = (0u64, 0u64, 0u64);
    let mut seed = a.seed;
    let mut found = 0;
    // Where the first pass over the seeds got to, so a restarted child does not rerun it.
    let mut resume = 0usize;
    while start.elapsed().as_secs() < a.seconds {
        let left = a.seconds - start.elapsed().as_secs();
        let mut cmd = Command::new(&exe);
        cmd.arg(left.to_string()).arg(&a.keep).args(&a.seeds);
        cmd.args([
            "--child",
            "--seed",
            &seed.to_string(),
            "--budget-ms",
            &a.budget_ms.to_string(),
            "--stack-kib",
            &a.stack_kib.to_string(),
        ]);
        cmd.args(["--resume", &resume.to_string()]);
        let mut ch = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("spawn child");
        if let Some(out) = ch.stdout.take() {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("STATS ") {
                    let v: Vec<u64> = rest.split(' ').filter_map(|s| s.parse().ok()).collect();
                    if v.len() == 2 {
                        execs += v[0];
                        kept += v[1];
                    }
                } else if let Some(at) = line.strip_prefix("AT ") {
                    resume = at.parse().unwrap_or(resume);
                } else {
                    println!("{line}");
                }
            }
        }
        let status = ch.wait().expect("wait");
        if !status.success() {
            // A hang exits with 3 after saving; anything else (signal) is an overflow/abort.
            if status.code() != Some(3) {
                let cur = a.keep.join(".current");
                if let Ok(d) = std::fs::read(&cur) {
                    let name = format!("overflow-{:016x}.py", fnv(&d));
                    let _ = std::fs::write(a.keep.join(&name), &d);
                    println!("FOUND {name} ({status})");
                }
            }
            found += 1;
            restarts += 1;
        }
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407) | 1;
    }
    println!("total: {execs} inputs in {:.0} s, {kept} kept, {restarts} restarts, {found} findings", start.elapsed().as_secs_f64());
}

enum Res {
    Ok(Vec<pycode_fuzzkit::Outcome>),
    Panic(String),
}

fn child(a: &Args) {
    let start = Instant::now();
    let mut seeds: Vec<Vec<u8>> = Vec::new();
    for s in &a.seeds {
        collect_py(s, &mut seeds);
    }
    let gen_start = seeds.len();
    for (_, p) in pycode_fuzzkit::gen::all(10_000) {
        seeds.push(p.into_bytes());
    }
    let n_generated = seeds.len() - gen_start;
    // Earlier finds are seeds too.
    collect_py(&a.keep, &mut seeds);
    if seeds.is_empty() {
        seeds.push(b"x = 1\n".to_vec());
    }
    std::panic::set_hook(Box::new(|_| {}));
    let (tx_in, rx_in) = mpsc::channel::<Vec<u8>>();
    let (tx_out, rx_out) = mpsc::channel::<Res>();
    std::thread::Builder::new()
        .stack_size(a.stack_kib * 1024)
        .spawn(move || {
            for data in rx_in {
                let r = catch_unwind(AssertUnwindSafe(|| pycode_fuzzkit::check_all(&data)));
                let r = match r {
                    Ok(v) => Res::Ok(v),
                    Err(p) => Res::Panic(
                        p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default(),
                    ),
                };
                if tx_out.send(r).is_err() {
                    break;
                }
            }
        })
        .expect("worker");
    let mut rng = Rng::new(a.seed);
    let mut seen: HashSet<(&'static str, String)> = HashSet::new();
    let (mut execs, mut kept) = (0u64, 0u64);
    let mut i = a.resume;
    let current = a.keep.join(".current");
    let budget = Duration::from_millis(a.budget_ms);
    let mut last_report = Instant::now();
    println!("child seed {}: {} seeds ({} generated)", a.seed, seeds.len(), n_generated);
    while start.elapsed().as_secs() < a.seconds {
        // First pass: every seed as is; then mutants.
        let is_mutant = i >= seeds.len();
        let data = if !is_mutant {
            seeds[i].clone()
        } else {
            let s = rng.below(seeds.len());
            let o = rng.below(seeds.len());
            mutate(&mut rng, &seeds[s], &seeds[o], 256 * 1024)
        };
        i += 1;
        if !is_mutant {
            println!("AT {i}");
        }
        let _ = std::fs::write(&current, &data);
        let t0 = Instant::now();
        tx_in.send(data.clone()).expect("worker alive");
        execs += 1;
        // Big inputs get more time (the indented dump is quadratic in depth, as CPython's).
        match rx_out.recv_timeout(budget + Duration::from_micros(20 * data.len() as u64)) {
            Ok(Res::Ok(outcomes)) => {
                let mut new = false;
                for o in outcomes {
                    if !seen.contains(&o) {
                        seen.insert(o);
                        new = true;
                    }
                }
                if new && is_mutant && data.len() <= 2048 {
                    let name = format!("new-{:016x}.py", fnv(&data));
                    let _ = std::fs::write(a.keep.join(name), &data);
                    seeds.push(data);
                    kept += 1;
                }
            }
            Ok(Res::Panic(msg)) => {
                let h = fnv(&data);
                let _ = std::fs::write(a.keep.join(format!("panic-{h:016x}.py")), &data);
                let _ = std::fs::write(a.keep.join(format!("panic-{h:016x}.txt")), &msg);
                println!("FOUND panic-{h:016x}.py: {}", msg.chars().take(200).collect::<String>());
            }
            Err(_) => {
                let h = fnv(&data);
                let _ = std::fs::write(a.keep.join(format!("hang-{h:016x}.py")), &data);
                println!("FOUND hang-{h:016x}.py ({} bytes, > {:?})", data.len(), t0.elapsed());
                println!("STATS {execs} {kept}");
                let _ = std::io::stdout().flush();
                std::process::exit(3);
            }
        }
        if last_report.elapsed().as_secs() >= 60 {
            println!("  {:.0} s: {execs} inputs, {} outcomes, {kept} kept", start.elapsed().as_secs_f64(), seen.len());
            last_report = Instant::now();
        }
    }
    println!("STATS {execs} {kept}");
}
