//! The text CPython prints for the values and exceptions compileall deals with: `repr()` of a path,
//! `str()` of an `OSError`. (`py_compile.PyCompileError.msg` and the `SyntaxError` text are
//! `pycode_ast::pyerr`, shared with `pycode compile` and `pycode ast`.)

use pycode_ast::PyMinor;
use pycode_object::PyStr;
use pycode_release::Release;

/// The `ast`-crate minor version for a release (it selects the Unicode database of `str.isprintable`).
pub(crate) fn py_minor(release: Release) -> PyMinor {
    PyMinor::from(release)
}

/// Decodes a file-system path the way CPython does on POSIX (`os.fsdecode`: UTF-8 with
/// `surrogateescape`) and returns it as a `PyStr` (lone surrogates kept).
pub fn fsdecode(path: &[u8]) -> PyStr {
    if let Ok(s) = std::str::from_utf8(path) {
        return PyStr::new(s, false);
    }
    // Re-encode undecodable bytes as U+DC80..U+DCFF in the surrogatepass byte form.
    let mut out = Vec::with_capacity(path.len() + 8);
    let mut rest = path;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.extend_from_slice(s.as_bytes());
                break;
            }
            Err(e) => {
                let good = e.valid_up_to();
                out.extend_from_slice(rest.get(..good).unwrap_or(&[]));
                let bad = e.error_len().unwrap_or(rest.len() - good).max(1);
                for &b in rest.get(good..good + bad).unwrap_or(&[]) {
                    let cp = 0xDC00u32 | b as u32;
                    out.push(0xE0 | (cp >> 12) as u8);
                    out.push(0x80 | ((cp >> 6) & 0x3F) as u8);
                    out.push(0x80 | (cp & 0x3F) as u8);
                }
                rest = rest.get(good + bad..).unwrap_or(&[]);
            }
        }
    }
    PyStr::from_surrogatepass(&out, false).unwrap_or_else(|_| PyStr::new(&String::from_utf8_lossy(path), false))
}

/// `repr(os.fsdecode(path))`.
pub fn repr_path(path: &[u8], release: Release) -> String {
    let mut out = String::with_capacity(path.len() + 2);
    pycode_object::pyrepr::write_str_repr(&mut out, &fsdecode(path), py_minor(release).unicode_version());
    out
}

/// `repr(s)` of a Python `str` given as Rust text.
pub fn repr_str(s: &str, release: Release) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    pycode_object::pyrepr::write_str_repr(&mut out, &PyStr::new(s, false), py_minor(release).unicode_version());
    out
}

/// A path as printed by `str.format("{}")`/`print`: the decoded text. Undecodable bytes (lone
/// surrogates in Python) cannot be printed by CPython either without an error handler; here they
/// become U+FFFD.
pub fn display_path(path: &[u8]) -> String {
    String::from_utf8_lossy(path).into_owned()
}

/// The Python exception class CPython raises for an `errno` (`PyErr_SetFromErrno` picks the
/// `OSError` subclass from the errno, Linux numbering).
pub fn oserror_class(errno: Option<i32>) -> &'static str {
    match errno {
        Some(1) | Some(13) => "PermissionError",
        Some(2) => "FileNotFoundError",
        Some(3) => "ProcessLookupError",
        Some(4) => "InterruptedError",
        Some(10) => "ChildProcessError",
        Some(11) | Some(114) | Some(115) => "BlockingIOError",
        Some(17) => "FileExistsError",
        Some(20) => "NotADirectoryError",
        Some(21) => "IsADirectoryError",
        Some(32) | Some(108) => "BrokenPipeError",
        Some(103) => "ConnectionAbortedError",
        Some(104) => "ConnectionResetError",
        Some(110) => "TimeoutError",
        Some(111) => "ConnectionRefusedError",
        _ => "OSError",
    }
}

/// A Python `OSError` as compileall prints it: class name and `str(e)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PyOsError {
    pub class: &'static str,
    /// `str(e)`.
    pub text: String,
}

impl PyOsError {
    /// `OSError(errno, strerror, filename[, filename2])` from a Rust I/O error, as CPython's
    /// `PyErr_SetFromErrnoWithFilenameObjects` builds it: `[Errno N] strerror: 'f1' -> 'f2'`.
    pub fn from_io(e: &std::io::Error, filename: Option<&[u8]>, filename2: Option<&[u8]>, release: Release) -> Self {
        let errno = e.raw_os_error();
        let Some(n) = errno else {
            return PyOsError { class: "OSError", text: e.to_string() };
        };
        // Rust formats an OS error as "<strerror> (os error N)"; CPython uses the bare strerror.
        let full = e.to_string();
        let suffix = format!(" (os error {n})");
        let strerror = full.strip_suffix(&suffix).unwrap_or(&full);
        let mut text = format!("[Errno {n}] {strerror}");
        if let Some(f1) = filename {
            text.push_str(": ");
            text.push_str(&repr_path(f1, release));
            if let Some(f2) = filename2 {
                text.push_str(" -> ");
                text.push_str(&repr_path(f2, release));
            }
        }
        PyOsError { class: oserror_class(errno), text }
    }

    /// An `OSError` subclass raised with a single message argument (`str(e)` is the message).
    pub fn with_message(class: &'static str, text: String) -> Self {
        PyOsError { class, text }
    }
}

/// `msg.encode(encoding, errors='backslashreplace').decode(encoding)` for a UTF-8 stdout: only
/// lone surrogates change (they cannot occur in Rust text, so this is the identity).
pub fn backslashreplace_utf8(msg: &str) -> &str {
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oserror_text() {
        let e = std::io::Error::from_raw_os_error(2);
        let p = PyOsError::from_io(&e, Some(b"a'b"), None, Release::V3_12_7);
        assert_eq!(p.class, "FileNotFoundError");
        assert_eq!(p.text, "[Errno 2] No such file or directory: \"a'b\"");
        assert_eq!(repr_path(b"x\xffy", Release::V3_12_7), "'x\\udcffy'");
    }
}
