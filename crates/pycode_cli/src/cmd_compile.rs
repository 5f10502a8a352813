//! `pycode compile`: what `python -m py_compile` / `py_compile.compile` does for each FILE —
//! compile it for the target release and write `__pycache__/NAME.<cache_tag>[.opt-N].pyc`
//! (or `-o OUT` for a single file), atomically (temporary file + rename).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use pycode_marshal::PycKind;
use pycode_release::Release;

const USAGE: &str = "usage: pycode compile [--target X] [-o OUT] [--optimize N] \
[--invalidation-mode timestamp|checked-hash|unchecked-hash] [--mtime SECONDS] FILE...";

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
    let src = std::fs::read(file).map_err(|e| pycode_compileall::pytext::PyOsError::from_io(&e, Some(file.as_bytes()), None, release).text)?;
    let kind = match mode {
        Mode::Timestamp => {
            let md = std::fs::metadata(file).map_err(|e| format!("{e}\n"))?;
            let mtime = fixed_mtime.unwrap_or_else(|| {
                md.modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map(|d| d.as_secs() as u32)
                    .unwrap_or(0)
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
    write_atomic(&dest, &pyc).map_err(|e| format!("{}: {e}\n", dest.display()))?;
    Ok(dest)
}

pub fn run(args: &[String]) -> ExitCode {
    let mut release = Release::parse("3.12").unwrap_or(Release::V3_12_7);
    let mut out: Option<String> = None;
    let mut optimize = 0u8;
    let mut mode = Mode::Timestamp;
    let mut fixed_mtime: Option<u32> = None;
    let mut files = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--target" => match it.next().map(|t| Release::parse(t)) {
                Some(Ok(r)) => release = r,
                _ => {
                    eprintln!("pycode compile: bad --target\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
            "-o" => out = it.next().cloned(),
            "--optimize" | "-O" => match it.next().and_then(|n| n.parse::<u8>().ok()).filter(|n| *n <= 2) {
                Some(n) => optimize = n,
                None => {
                    eprintln!("pycode compile: --optimize takes 0, 1 or 2\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
            "--mtime" => match it.next().and_then(|n| n.parse::<u32>().ok()) {
                Some(n) => fixed_mtime = Some(n),
                None => {
                    eprintln!("pycode compile: --mtime takes seconds since the epoch (0..2**32)\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
            "--invalidation-mode" => {
                mode = match it.next().map(|s| s.as_str()) {
                    Some("timestamp") => Mode::Timestamp,
                    Some("checked-hash") => Mode::CheckedHash,
                    Some("unchecked-hash") => Mode::UncheckedHash,
                    _ => {
                        eprintln!("pycode compile: bad --invalidation-mode\n{USAGE}");
                        return ExitCode::from(2);
                    }
                }
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            f => files.push(f.to_string()),
        }
    }
    if files.is_empty() || (out.is_some() && files.len() > 1) {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    // `py_compile.main`: the first failure ends the run (`parser.exit(1, msg)`: the message as
    // is, no newline added).
    for f in &files {
        if let Err(e) = compile_one(f, out.as_deref(), release, optimize, mode, fixed_mtime) {
            eprint!("{e}");
            return ExitCode::from(1);
        }
    }
    ExitCode::SUCCESS
}
