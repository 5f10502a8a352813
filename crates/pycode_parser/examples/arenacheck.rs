//! `arenacheck --release R [--min N] DIR...`: parses every `.py` file under each DIR with
//! both builders (the boxed tree of `pycode_parser::parse` and the arena of
//! `pycode_parser::parse_arena`), without and with type comments, and checks that they agree:
//! the same tree (the arena converted with `Ast::to_tree`) or the same error. Prints
//! `cases N same N differ D` (a case is one file in one mode), lists each file that differs, and
//! exits 1 when one differs or fewer than N cases were checked (the floor, so that a missing
//! corpus is a failure, not a pass). `ARENACHECK_SIZES=1` also prints the size of each pool.
//! Used by `.ci/run` on the corpora.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use pycode_release::Release;

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "py") {
            out.push(p);
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut release = None;
    let mut min = 1usize;
    let mut dirs = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--release" => release = it.next().and_then(|s| Release::parse(s).ok()),
            "--min" => min = it.next().and_then(|s| s.parse().ok()).unwrap_or(1),
            d => dirs.push(PathBuf::from(d)),
        }
    }
    let Some(release) = release else {
        eprintln!("arenacheck: --release R is required");
        return ExitCode::from(2);
    };
    let mut files = Vec::new();
    for d in &dirs {
        walk(d, &mut files);
    }
    let mut checked = 0usize;
    let mut totals: Vec<(&'static str, usize)> = Vec::new();
    let mut bytes = 0usize;
    let mut reused = pycode_ast::arena::Ast::default();
    let mut differ = 0usize;
    // Without and with `type_comments=True` (type comments and `type_ignores` are built then).
    for type_comments in [false, true] {
        let opts = pycode_parser::Options::for_release(release, pycode_parser::Mode::Exec, type_comments);
        for f in &files {
            let Ok(src) = std::fs::read(f) else { continue };
            checked += 1;
            let tree = pycode_parser::parse(&src, &opts);
            // The second pass reuses one arena for every file (`parse_arena_in`), as a worker does.
            let fresh;
            let arena: Result<&pycode_ast::arena::Ast, pycode_parser::ParseError> = if type_comments {
                pycode_parser::parse_arena_in(&src, &opts, &mut reused).map(|()| &reused)
            } else {
                fresh = pycode_parser::parse_arena(&src, &opts);
                fresh.as_ref().map_err(Clone::clone)
            };
            if let (Ok(a), false) = (&arena, type_comments) {
                bytes += src.len();
                for (i, (k, n)) in a.sizes().into_iter().enumerate() {
                    match totals.get_mut(i) {
                        Some(t) => t.1 += n,
                        None => totals.push((k, n)),
                    }
                }
            }
            let same = match (&tree, &arena) {
                (Ok(t), Ok(a)) => a.to_tree().as_ref() == Ok(t),
                (Err(e1), Err(e2)) => e1 == e2,
                _ => false,
            };
            if !same {
                differ += 1;
                println!("differs: {}", f.display());
            }
        }
    }
    if std::env::var_os("ARENACHECK_SIZES").is_some() {
        for (k, n) in &totals {
            println!("{k:>20} {n:>10}  1 per {:.1} bytes", bytes as f64 / (*n).max(1) as f64);
        }
    }
    println!("cases {checked} same {} differ {differ} ({} files)", checked - differ, files.len());
    if differ > 0 || checked < min {
        if checked < min {
            eprintln!("arenacheck: only {checked} cases checked, the floor is {min}");
        }
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
