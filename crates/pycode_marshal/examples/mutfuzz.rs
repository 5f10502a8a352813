//! Deterministic mutation fuzzer for the marshal reader/writer (runs on stable Rust; the
//! coverage-guided cargo-fuzz targets are in `fuzz/`).
//!
//! usage: mutfuzz SECONDS SEED_DIR [KEEP_DIR]
//!
//! Takes every file of SEED_DIR (.pyc files or raw marshal data), mutates them (bit flips,
//! boundary values in 32-bit fields, insertions, deletions, duplicated and spliced chunks, type
//! code swaps) and checks for each mutant, for marshal versions 4 and 5:
//!   * `loads` returns (no panic) within a time bound;
//!   * when it accepts, `dumps` succeeds, and `dumps(loads(dumps(x)))` equals `dumps(x)`;
//!   * `read_pyc` of the mutant behind each release's header does not panic, nor do `dis` and
//!     `show_code` of what it accepts.
//!
//! Mutants whose outcome (error kind, or acceptance) was not seen before are
//! written to KEEP_DIR when they are under 4 KiB. Exits 1 on the first property failure after
//! saving the input as `KEEP_DIR/crash-*`.

use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use pycode_marshal::{dumps, loads, read_pyc, MarshalErrorKind, PycHeader, PycKind};
use pycode_release::Release;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const TYPE_CODES: &[u8] = b"0NFTS.iIfgxylstr([{cu<>aA)zZ:?";
const INTERESTING: &[i32] = &[0, 1, -1, 2, 255, 256, 0x7fff, 0x8000, 0xffff, 0x7fff_ffff, -0x8000_0000, 2000, 1999];

fn mutate(rng: &mut Rng, seed: &[u8], other: &[u8]) -> Vec<u8> {
    let mut b = seed.to_vec();
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        let len = b.len();
        match rng.below(9) {
            0 if len > 0 => {
                let i = rng.below(len);
                b[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                b[i] = rng.next() as u8;
            }
            2 if len >= 4 => {
                let i = rng.below(len - 3);
                let v = INTERESTING[rng.below(INTERESTING.len())];
                b[i..i + 4].copy_from_slice(&v.to_le_bytes());
            }
            3 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below(16.min(len - i));
                b.drain(i..i + n);
            }
            4 => {
                let i = rng.below(len + 1);
                let n = 1 + rng.below(8);
                let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                b.splice(i..i, bytes);
            }
            5 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below(64.min(len - i));
                let chunk = b[i..i + n].to_vec();
                let at = rng.below(len + 1);
                b.splice(at..at, chunk);
            }
            6 if !other.is_empty() && len > 0 => {
                let i = rng.below(len);
                let j = rng.below(other.len());
                let n = 1 + rng.below(128.min(other.len() - j));
                b.splice(i..(i + n).min(len), other[j..j + n].iter().copied());
            }
            7 if len > 0 => {
                let i = rng.below(len);
                let flag = if rng.below(2) == 0 { 0 } else { 0x80 };
                b[i] = TYPE_CODES[rng.below(TYPE_CODES.len())] | flag;
            }
            _ if len > 1 => {
                let n = rng.below(len);
                b.truncate(n.max(1));
            }
            _ => {}
        }
    }
    b
}

fn outcome_key(data: &[u8], version: u8) -> (u8, String) {
    match loads(data, version) {
        Ok(_) => (version, "ok".into()),
        Err(e) => {
            let kind = match e.kind {
                MarshalErrorKind::BadCode { reason } => format!("BadCode {reason}"),
                MarshalErrorKind::NullObject { context } => format!("NullObject {context}"),
                MarshalErrorKind::Unhashable { type_name } => format!("Unhashable {type_name}"),
                MarshalErrorKind::BadLong { reason } => format!("BadLong {reason}"),
                MarshalErrorKind::SizeOutOfRange { what, .. } => format!("SizeOutOfRange {what}"),
                MarshalErrorKind::LengthTooLarge { what, .. } => format!("LengthTooLarge {what}"),
                k => format!("{k:?}").split([' ', '{', '(']).next().unwrap_or("").to_string(),
            };
            (version, kind)
        }
    }
}

/// The properties; `Err` describes a violation.
fn check(data: &[u8], max: &mut Duration) -> Result<(), String> {
    for version in [4u8, 5] {
        let t = Instant::now();
        let r = loads(data, version);
        *max = (*max).max(t.elapsed());
        if let Ok((g, root)) = r {
            let d1 = dumps(&g, root, version).map_err(|e| format!("v{version}: dumps failed: {e}"))?;
            let (g2, r2) = loads(&d1, version).map_err(|e| format!("v{version}: re-read failed: {e}"))?;
            let d2 = dumps(&g2, r2, version).map_err(|e| format!("v{version}: 2nd dumps: {e}"))?;
            if d1 != d2 {
                return Err(format!("v{version}: dumps is not a fixpoint"));
            }
        }
    }
    for r in [Release::V3_11_7, Release::V3_12_7, Release::V3_13_2, Release::V3_14_2, Release::V3_15_0rc1] {
        let h = PycHeader::new(r, PycKind::Timestamp { mtime: 0, source_size: 0 });
        let mut f = h.to_bytes().map_err(|e| e.to_string())?.to_vec();
        f.extend_from_slice(data);
        // `dis` of whatever the reader accepts: an error is fine, a panic is not.
        if let Ok(pyc) = read_pyc(&f) {
            let t = Instant::now();
            let _ = pycode_dis::dis(&pyc.graph, pyc.root, r, &pycode_dis::DisOptions::default());
            let _ = pycode_dis::code_info_all(&pyc.graph, pyc.root, r, pycode_dis::SetOrder::default());
            *max = (*max).max(t.elapsed());
        }
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(secs), Some(seed_dir)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: mutfuzz SECONDS SEED_DIR [KEEP_DIR]");
        std::process::exit(2);
    };
    let secs: u64 = secs.parse().unwrap_or(10);
    let keep = args.get(3).map(PathBuf::from);
    let mut seeds: Vec<Vec<u8>> = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(seed_dir).map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
    entries.sort();
    for p in entries {
        if let Ok(d) = std::fs::read(&p) {
            // .pyc files: fuzz the marshal body.
            let body = if d.len() > 16 && read_pyc(&d).is_ok() { d[16..].to_vec() } else { d };
            seeds.push(body);
        }
    }
    if seeds.is_empty() {
        eprintln!("no seeds in {seed_dir}");
        std::process::exit(2);
    }
    let mut seen: HashSet<(u8, String)> = HashSet::new();
    for s in &seeds {
        seen.insert(outcome_key(s, 4));
        seen.insert(outcome_key(s, 5));
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let start = Instant::now();
    let (mut n, mut kept, mut accepted) = (0u64, 0usize, 0u64);
    let mut max = Duration::ZERO;
    while start.elapsed() < Duration::from_secs(secs) {
        let a = rng.below(seeds.len());
        let b = rng.below(seeds.len());
        let m = mutate(&mut rng, &seeds[a], &seeds[b]);
        n += 1;
        let before = max;
        let res = catch_unwind(AssertUnwindSafe(|| check(&m, &mut max)));
        if max > before {
            if let Some(dir) = &keep {
                let _ = std::fs::create_dir_all(dir);
                let _ = std::fs::write(dir.join("slowest"), &m);
            }
        }
        let failure = match res {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(e),
            Err(_) => Some("panic".to_string()),
        };
        if let Some(f) = failure {
            let dir = keep.clone().unwrap_or_else(|| PathBuf::from("."));
            let path = dir.join(format!("crash-{n}"));
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::write(&path, &m);
            eprintln!("FAILURE after {n} inputs: {f}; input saved to {}", path.display());
            std::process::exit(1);
        }
        for v in [4u8, 5] {
            let key = outcome_key(&m, v);
            if key.1 == "ok" {
                accepted += 1;
            }
            if seen.insert(key) && m.len() < 4096 {
                if let Some(dir) = &keep {
                    let _ = std::fs::create_dir_all(dir);
                    let _ = std::fs::write(dir.join(format!("mut-{kept:04}")), &m);
                    kept += 1;
                }
                if m.len() < 4096 {
                    seeds.push(m.clone());
                }
            }
        }
    }
    println!(
        "mutfuzz: {n} inputs in {:.1} s, {accepted} accepted loads, {} distinct outcomes, {kept} kept, slowest load {:.2} ms",
        start.elapsed().as_secs_f64(),
        seen.len(),
        max.as_secs_f64() * 1e3
    );
}
