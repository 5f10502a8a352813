//! Corpus round trip (driven by `tools/marshal_corpus.py`): for each directory
//! `<out>/<release>/` holding `compile.tsv` (source, pyc, mode) and the `.pyc` files that
//! release's CPython wrote, check that `write_pyc(read_pyc(bytes)) == bytes`, that the header
//! names that release, and that hash-based headers hold `source_hash(release, source)`.
//! Exits 1 if anything differs.

use std::path::Path;
use std::process::ExitCode;

use pycode_marshal::{read_pyc, source_hash, write_pyc, PycKind};
use pycode_release::Release;

fn main() -> ExitCode {
    let mut all_ok = true;
    for dir in std::env::args().skip(1) {
        let dir = Path::new(&dir);
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let Ok(release) = Release::parse(name) else {
            eprintln!("{}: directory name is not a release", dir.display());
            return ExitCode::from(2);
        };
        let Ok(list) = std::fs::read_to_string(dir.join("compile.tsv")) else {
            eprintln!("{}: no compile.tsv", dir.display());
            return ExitCode::from(2);
        };
        let (mut total, mut same, mut hashed, mut hash_ok, mut bytes) = (0, 0, 0, 0, 0usize);
        let mut failures = Vec::new();
        for line in list.lines() {
            let mut parts = line.split('\t');
            let (Some(src), Some(pyc)) = (parts.next(), parts.next()) else {
                continue;
            };
            let Ok(data) = std::fs::read(pyc) else {
                continue;
            }; // source did not compile
            total += 1;
            bytes += data.len();
            let parsed = match read_pyc(&data) {
                Ok(p) => p,
                Err(e) => {
                    failures.push(format!("{pyc}: read: {e}"));
                    continue;
                }
            };
            if parsed.release().magic() != release.magic() {
                failures.push(format!("{pyc}: header says {}", parsed.release()));
            }
            match write_pyc(&parsed.header, &parsed.graph, parsed.root) {
                Ok(out) if out == data => same += 1,
                Ok(out) => {
                    let at = out.iter().zip(&data).position(|(a, b)| a != b);
                    let at = at.unwrap_or(out.len().min(data.len()));
                    failures.push(format!("{pyc}: differs at offset {at} (wrote {} bytes, read {})", out.len(), data.len()));
                }
                Err(e) => failures.push(format!("{pyc}: write: {e}")),
            }
            if let PycKind::CheckedHash { source_hash: h } | PycKind::UncheckedHash { source_hash: h } = parsed.header.kind {
                hashed += 1;
                match std::fs::read(src) {
                    Ok(s) if source_hash(release, &s) == h => hash_ok += 1,
                    Ok(_) => failures.push(format!("{pyc}: source_hash differs")),
                    Err(e) => failures.push(format!("{src}: {e}")),
                }
            }
        }
        println!(
            "{release}: round trip identical {same}/{total} files ({:.1} MB); source_hash matches {hash_ok}/{hashed}",
            bytes as f64 / 1e6
        );
        for f in failures.iter().take(20) {
            println!("  FAIL {f}");
        }
        if failures.len() > 20 {
            println!("  ... {} more", failures.len() - 20);
        }
        all_ok &= failures.is_empty() && total > 0;
    }
    if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
