//! pycode's own options of the commands that mirror a Python module's command line
//! (`compile` ↔ `python -m py_compile`, `compileall` ↔ `python -m compileall`):
//! `--target X` / `--target=X` and `--python PATH` / `--python=PATH`, accepted anywhere before a
//! `--` separator and taken out before the mirrored parser sees the rest.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::process::Command;

use pycode_release::Release;

/// pycode's options as `--help` lists them, before the mirrored command's own.
pub fn help_section() -> String {
    format!(
        "pycode options (anywhere on the command line, before `--`):
  --target X      the CPython release to compile for: {known},
                  or 3.MINOR for the newest known patch of that minor (default: {default},
                  the newest release whose back end is complete)
  --python PATH   take the target from that interpreter's sys.version_info
",
        known = compiled_list(),
        default = default_target()
    )
}

/// The releases pycode compiles for, comma separated.
fn compiled_list() -> String {
    Release::ALL.iter().filter(|r| pycode_compile::implemented(**r)).map(|r| r.to_string()).collect::<Vec<_>>().join(", ")
}

/// The default target: the newest final (not pre-release) release whose back end is complete
/// (byte-identical on every measured corpus: 3.14.2 today; 3.11, 3.13.0 and 3.15 are close).
pub fn default_target() -> Release {
    Release::ALL.iter().rev().copied().find(|r| pycode_compile::complete(*r) && !r.is_prerelease()).unwrap_or(Release::V3_12_7)
}

/// The outcome of [`extract`].
pub struct Extracted {
    /// The target, when `--target` or `--python` was given.
    pub release: Option<Release>,
    /// The arguments left for the mirrored parser, in their order.
    pub rest: Vec<Vec<u8>>,
}

/// When `arg` is one of pycode's own options: its name, and its value when given inline
/// (`--target=X`; else the value is the next argument).
pub fn own_option(arg: &[u8]) -> Option<(&'static str, Option<&[u8]>)> {
    let (name, inline) = match arg.iter().position(|&c| c == b'=') {
        Some(i) if arg.starts_with(b"--") => (arg.get(..i)?, arg.get(i + 1..)),
        _ => (arg, None),
    };
    match name {
        b"--target" => Some(("--target", inline)),
        b"--python" => Some(("--python", inline)),
        _ => None,
    }
}

/// Takes pycode's own options out of `argv`; an error is the message to print (exit status 2).
pub fn extract(cmd: &str, argv: Vec<Vec<u8>>) -> Result<Extracted, String> {
    let mut release = None;
    let mut rest = Vec::with_capacity(argv.len());
    let mut it = argv.into_iter();
    while let Some(a) = it.next() {
        if a == b"--" {
            rest.push(a);
            rest.extend(it.by_ref());
            break;
        }
        let Some((opt, inline)) = own_option(&a).map(|(opt, inline)| (opt, inline.map(<[u8]>::to_vec))) else {
            rest.push(a);
            continue;
        };
        let value = match inline {
            Some(v) => v,
            None => it.next().ok_or_else(|| format!("pycode {cmd}: argument {opt}: expected one argument"))?,
        };
        let value_str = String::from_utf8_lossy(&value).into_owned();
        release = Some(if opt == "--target" {
            Release::parse(&value_str).map_err(|e| format!("pycode {cmd}: argument --target: {e}"))?
        } else {
            release_of_interpreter(OsStr::from_bytes(&value)).map_err(|e| format!("pycode {cmd}: argument --python: {e}"))?
        });
    }
    Ok(Extracted { release, rest })
}

/// Runs `python` to read its `sys.version_info`; the known release of that exact version, else
/// the newest known patch of its minor.
fn release_of_interpreter(python: &OsStr) -> Result<Release, String> {
    let out = Command::new(python)
        .args(["-I", "-S", "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"])
        .output()
        .map_err(|e| pycode_compileall::pytext::PyOsError::from_io(&e, Some(python.as_bytes()), None, default_target()).text)?;
    if !out.status.success() {
        return Err(format!("{} exited with {}", python.to_string_lossy(), out.status));
    }
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if let Ok(r) = Release::parse(&text) {
        return Ok(r);
    }
    let mut parts = text.split('.');
    let minor = (parts.next().and_then(|p| p.parse().ok()), parts.next().and_then(|p| p.parse().ok()));
    match minor {
        (Some(a), Some(b)) => Release::newest_of_minor((a, b))
            .ok_or_else(|| format!("{} is CPython {text}, which pycode does not know", python.to_string_lossy())),
        _ => Err(format!("{} printed {text:?}, not a version", python.to_string_lossy())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Vec<Vec<u8>> {
        v.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    #[test]
    fn target_anywhere_before_separator() {
        let e = extract("compileall", args(&["-q", "--target", "3.12.1", "dir"])).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(e.release, Some(Release::V3_12_1));
        assert_eq!(e.rest, args(&["-q", "dir"]));
        let e = extract("compileall", args(&["-q", "dir", "--target=3.12"])).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(e.release, Some(Release::V3_12_7));
        assert_eq!(e.rest, args(&["-q", "dir"]));
        let e = extract("compileall", args(&["-q", "--", "--target", "x"])).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(e.release, None);
        assert_eq!(e.rest, args(&["-q", "--", "--target", "x"]));
    }

    #[test]
    fn bad_target_lists_known_releases() {
        let Err(msg) = extract("compile", args(&["--target", "3.99", "f.py"])) else { panic!("accepted 3.99") };
        assert!(msg.contains("known releases") && msg.contains("3.12.7"), "{msg}");
        let Err(msg) = extract("compile", args(&["f.py", "--target"])) else { panic!("accepted a missing value") };
        assert!(msg.ends_with("expected one argument"), "{msg}");
    }

    #[test]
    fn python_interpreter_gives_target() {
        // The machine's python3 is always some CPython 3.x; a minor pycode does not know is an error.
        match extract("compile", args(&["--python", "python3", "f.py"])) {
            Ok(e) => assert!(e.release.is_some()),
            Err(msg) => assert!(msg.contains("--python"), "{msg}"),
        }
        let Err(msg) = extract("compile", args(&["--python", "/nonexistent/python", "f.py"])) else { panic!("accepted") };
        assert!(msg.contains("No such file or directory"), "{msg}");
    }
}
