//! `pycode compile`: what `python -m py_compile` / `py_compile.compile` does for each FILE —
//! compile it for the target release and write `__pycache__/NAME.<cache_tag>[.opt-N].pyc`
//! (or `-o OUT` for a single file), atomically (temporary file + rename).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use pycode_marshal::PycKind;
use pycode_release::Release;

/// `py_compile.main()`'s argparse program name: 3.14 names the module as run with `-m`.
fn prog(release: Release) -> &'static str {
    if release.at_least(3, 14) {
        "python3 -m py_compile"
    } else {
        "py_compile.py"
    }
}

fn usage(release: Release) -> String {
    format!("usage: {} [-h] [-q] filenames [filenames ...]\n", prog(release))
}

/// `parser.error(msg)`: usage and the message on stderr, exit status 2.
fn usage_error(release: Release, msg: &str) -> ExitCode {
    eprintln!("{}{}: error: {msg}", usage(release), prog(release));
    ExitCode::from(2)
}

fn help(release: Release) -> String {
    format!(
        "{pycode}
{usage}
A simple command-line interface for py_compile module.

positional arguments:
  filenames    Files to compile

options:
  -h, --help   show this help message and exit
  -q, --quiet  Suppress error output

pycode's additions (py_compile.compile()'s arguments):
  -o OUT                     write the .pyc here instead of __pycache__ (one file only)
  --optimize N, -O N         optimization level 0, 1 or 2 (default 0)
  --invalidation-mode M      timestamp (default), checked-hash or unchecked-hash
  --mtime SECONDS            the source mtime to record in a timestamp header
",
        pycode = crate::target::help_section(),
        usage = usage(release).trim_end()
    )
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Timestamp,
    CheckedHash,
    UncheckedHash,
}

/// `importlib.util.cache_from_source`.
fn cache_path(src: &Path, release: Release, optimize: u8) -> PathBuf {
    let dir = src.parent().map(Path::to_path_buf).unwrap_or_default();
    let stem = src.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let opt = if optimize > 0 { format!(".opt-{optimize}") } else { String::new() };
    dir.join("__pycache__").join(format!("{stem}.{}{opt}.pyc", release.cache_tag()))
}

fn write_atomic(path: &Path, data: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent)?;
        }
    }
    let tmp = path.with_extension(format!("pyc.{}.tmp", std::process::id()));
    std::fs::write(&tmp, data)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// `--mtime SECONDS` replaces the source's modification time in a timestamp-mode header (so a
/// reference made with a fixed mtime can be reproduced byte for byte).
fn compile_one(
    file: &str,
    out: Option<&str>,
    release: Release,
    optimize: u8,
    mode: Mode,
    fixed_mtime: Option<u32>,
) -> Result<PathBuf, String> {
    let src =
        std::fs::read(file).map_err(|e| pycode_compileall::pytext::PyOsError::from_io(&e, Some(file.as_bytes()), None, release).text)?;
    let kind = match mode {
        Mode::Timestamp => {
            let md = std::fs::metadata(file)
                .map_err(|e| pycode_compileall::pytext::PyOsError::from_io(&e, Some(file.as_bytes()), None, release).text)?;
            let mtime = fixed_mtime.unwrap_or_else(|| {
                md.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map(|d| d.as_secs() as u32).unwrap_or(0)
            });
            PycKind::Timestamp { mtime, source_size: md.len() as u32 }
        }
        Mode::CheckedHash => PycKind::CheckedHash { source_hash: pycode_marshal::source_hash(release, &src) },
        Mode::UncheckedHash => PycKind::UncheckedHash { source_hash: pycode_marshal::source_hash(release, &src) },
    };
    // py_compile.PyCompileError(...).msg, exactly as `python -m py_compile` writes it.
    // Warnings go to stderr as `warnings.showwarning` writes them, before any error.
    let mut warnings = Vec::new();
    let pyc = pycode_compile::compile_to_pyc_warn(&src, file, release, optimize, kind, &mut warnings);
    for w in &warnings {
        eprint!("{}", w.format(pycode_ast::pyerr::read_source_line(&w.filename, w.lineno).as_deref()));
    }
    let pyc = pyc.map_err(|e| pycode_ast::pyerr::py_compile_error_msg(&e.to_failure(file), file, pycode_ast::PyMinor::from(release)))?;
    let dest = match out {
        Some(o) => PathBuf::from(o),
        None => cache_path(Path::new(file), release, optimize),
    };
    write_atomic(&dest, &pyc)
        .map_err(|e| pycode_compileall::pytext::PyOsError::from_io(&e, Some(dest.as_os_str().as_encoded_bytes()), None, release).text)?;
    Ok(dest)
}

pub fn run(args: &[String]) -> ExitCode {
    let argv: Vec<Vec<u8>> = args.iter().map(|a| a.as_bytes().to_vec()).collect();
    let (release, argv) = match crate::target::extract("compile", argv) {
        Ok(e) => (e.release.unwrap_or_else(crate::target::default_target), e.rest),
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::from(2);
        }
    };
    let argv: Vec<String> = argv.into_iter().map(|a| String::from_utf8_lossy(&a).into_owned()).collect();
    let mut out: Option<String> = None;
    let mut optimize = 0u8;
    let mut mode = Mode::Timestamp;
    let mut fixed_mtime: Option<u32> = None;
    let mut quiet = false;
    let mut files = Vec::new();
    let mut unknown = Vec::new();
    let mut it = argv.iter();
    let mut positional_only = false;
    while let Some(a) = it.next() {
        if positional_only || a == "-" || !a.starts_with('-') {
            files.push(a.clone());
            continue;
        }
        // `--opt=value` as argparse accepts it for the options that take a value.
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (a.as_str(), None),
        };
        let mut value =
            |opt: &str| inline.clone().or_else(|| it.next().cloned()).ok_or_else(|| format!("argument {opt}: expected one argument"));
        let step: Result<(), String> = match name {
            "--" => {
                positional_only = true;
                Ok(())
            }
            "-h" | "--help" => {
                print!("{}", help(release));
                return ExitCode::SUCCESS;
            }
            "-q" | "--quiet" => {
                quiet = true;
                Ok(())
            }
            "-o" => value("-o").map(|v| out = Some(v)),
            "--optimize" | "-O" => value(name).and_then(|v| match v.parse::<u8>().ok().filter(|n| *n <= 2) {
                Some(n) => {
                    optimize = n;
                    Ok(())
                }
                None => Err(format!("argument {name}: takes 0, 1 or 2, not {v:?}")),
            }),
            "--mtime" => value("--mtime").and_then(|v| match v.parse::<u32>() {
                Ok(n) => {
                    fixed_mtime = Some(n);
                    Ok(())
                }
                Err(_) => Err(format!("argument --mtime: seconds since the epoch (0..2**32), not {v:?}")),
            }),
            "--invalidation-mode" => value("--invalidation-mode").and_then(|v| {
                mode = match v.as_str() {
                    "timestamp" => Mode::Timestamp,
                    "checked-hash" => Mode::CheckedHash,
                    "unchecked-hash" => Mode::UncheckedHash,
                    _ => {
                        return Err(format!(
                            "argument --invalidation-mode: invalid choice: {v:?} (choose from timestamp, checked-hash, unchecked-hash)"
                        ))
                    }
                };
                Ok(())
            }),
            _ => {
                unknown.push(a.clone());
                Ok(())
            }
        };
        if let Err(msg) = step {
            return usage_error(release, &msg);
        }
    }
    if files.is_empty() {
        return usage_error(release, "the following arguments are required: filenames");
    }
    if !unknown.is_empty() {
        return usage_error(release, &format!("unrecognized arguments: {}", unknown.join(" ")));
    }
    if files.len() == 1 && files[0] == "-" {
        let mut text = String::new();
        if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut text) {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
        // `[filename.rstrip('\n') for filename in sys.stdin.readlines()]`
        files = text.split_inclusive('\n').map(|l| l.trim_end_matches('\n').to_string()).collect();
    }
    if out.is_some() && files.len() > 1 {
        return usage_error(release, "argument -o: only one file can be written to -o");
    }
    // `py_compile.main`: the first failure ends the run (`parser.exit(1, msg)`: the message as
    // is, no newline added).
    for f in &files {
        if let Err(e) = compile_one(f, out.as_deref(), release, optimize, mode, fixed_mtime) {
            // `parser.exit(1[, msg])`: nothing printed with -q.
            if !quiet {
                eprint!("{e}");
            }
            return ExitCode::from(1);
        }
    }
    ExitCode::SUCCESS
}
