//! Differential check of `GraphBuilder`'s sharing / `FLAG_REF` rules on real `.pyc` files:
//! every `*.py.pyc` under the given paths is read, stripped of all object identity, rebuilt with
//! `GraphBuilder` and re-marshalled; the bytes must equal CPython's.
//!
//! `cargo run -p pycode_assemble --example resharing -- [-v] [--release X] DIR_OR_FILE...`
//! prints one line per differing file (with `-v`, the first differing object) and a summary.

#[path = "../tests/support/reshare.rs"]
mod reshare;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn collect(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_dir() {
        let Ok(rd) = std::fs::read_dir(p) else { return };
        let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for e in entries {
            collect(&e, out);
        }
    } else if p.to_string_lossy().ends_with(".py.pyc")
        || p.extension().is_some_and(|e| e == "pyc") && !p.to_string_lossy().contains(".ts.pyc")
    {
        out.push(p.to_path_buf());
    }
}

fn main() {
    let mut verbose = false;
    let mut files = Vec::new();
    // `--release X`: judge every file as release X (needed for 3.12.1, whose magic 3.12.7 shares).
    let mut forced: Option<pycode_release::Release> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "-v" {
            verbose = true;
        } else if a == "--release" {
            forced = args.next().and_then(|r| pycode_release::Release::parse(&r).ok());
            if forced.is_none() {
                println!("--release: unknown release");
                return;
            }
        } else {
            collect(Path::new(&a), &mut files);
        }
    }
    // Strings the oracle process had interned before compiling (per release, from the stdlib
    // corpus next to the files).
    let mut runtime: BTreeMap<String, Vec<reshare::PyStr>> = BTreeMap::new();
    let mut per_release: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for f in &files {
        let Ok(data) = std::fs::read(f) else {
            println!("UNREADABLE {}", f.display());
            continue;
        };
        let release = forced.or_else(|| pycode_marshal::PycHeader::parse(&data).map(|h| h.release).ok());
        let strings: &[reshare::PyStr] = match release {
            Some(rel) => {
                // `<root>/work/<version>/<corpus>/files/...`: the stdlib corpus of that version.
                let path = f.to_string_lossy();
                let (root, rest) = path.split_once("/work/").unwrap_or(("oracle", ""));
                let v = rest.split('/').next().unwrap_or("").to_string();
                runtime.entry(v.clone()).or_insert_with(|| {
                    let dir = Path::new(root).join("work").join(&v).join(format!("stdlib-{v}")).join("files");
                    reshare::runtime_strings(rel, &dir)
                })
            }
            None => &[],
        };
        match reshare::check_pyc_as(&data, strings, forced) {
            Ok((rel, out)) => {
                let e = per_release.entry(format!("{rel:?}")).or_default();
                e.1 += 1;
                match out {
                    reshare::Outcome::Identical => e.0 += 1,
                    reshare::Outcome::Differs(d) => {
                        println!("DIFF {}", f.display());
                        if verbose {
                            println!("{d}");
                        }
                        // Category: the field path suffix of the original's line and the types.
                        let mut lines = d.lines().skip(1);
                        let a = lines.next().unwrap_or("").trim();
                        let b = lines.next().unwrap_or("").trim();
                        let cat = |s: &str| {
                            let mut it = s.split_whitespace();
                            let path = it.next().unwrap_or("");
                            let field = path.rsplit('.').next().unwrap_or("");
                            let field: String = field.chars().take_while(|c| *c != '[').collect();
                            format!("{field} {}", it.next().unwrap_or(""))
                        };
                        *kinds
                            .entry(format!("{} => {}", cat(a.trim_start_matches("cpython: ")), cat(b.trim_start_matches("rebuilt: "))))
                            .or_default() += 1;
                    }
                }
            }
            Err(e) => println!("ERROR {}: {e}", f.display()),
        }
    }
    for (k, n) in &kinds {
        println!("kind {n:5}  {k}");
    }
    for (r, (ok, n)) in &per_release {
        println!("{r}: {ok}/{n} identical");
    }
}
