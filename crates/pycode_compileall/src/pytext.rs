//! The text CPython prints for the values and exceptions compileall deals with: `repr()` of a path,
//! `str()` of an `OSError`, `py_compile.PyCompileError.msg` (which for a `SyntaxError` is
//! `traceback.format_exception_only`), and `str()` of the other exceptions.

use pycode_ast::PyMinor;
use pycode_object::PyStr;
use pycode_release::Release;

use crate::{CompileFailure, SyntaxErrorInfo};

/// The `ast`-crate minor version for a release (it selects the Unicode database of `str.isprintable`).
pub(crate) fn py_minor(release: Release) -> PyMinor {
    match release {
        Release::V3_11_7 => PyMinor::Py311,
        Release::V3_12_1 | Release::V3_12_7 => PyMinor::Py312,
        Release::V3_13_0 | Release::V3_13_2 => PyMinor::Py313,
        Release::V3_14_2 => PyMinor::Py314,
    }
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

/// Python's `str.isspace()` (close enough: Unicode White_Space plus the ASCII separators
/// U+001C..U+001F that Python also counts).
fn py_isspace(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// `SyntaxError.__str__` (`SyntaxError_str` in `Objects/exceptions.c`): the message followed by
/// the file's base name and the line when known.
pub fn syntax_error_str(e: &SyntaxErrorInfo) -> String {
    let base = e.filename.as_deref().map(|f| match f.rfind('/') {
        Some(i) => &f[i + 1..],
        None => f,
    });
    match (base, e.lineno) {
        (Some(f), Some(l)) => format!("{} ({}, line {})", e.msg, f, l),
        (Some(f), None) => format!("{} ({})", e.msg, f),
        (None, Some(l)) => format!("{} (line {})", e.msg, l),
        (None, None) => e.msg.clone(),
    }
}

/// `traceback.TracebackException._format_syntax_error` of `release` without colour (what
/// `traceback.format_exception_only` yields for a `SyntaxError`), joined.
/// Not mirrored: 3.14's `_find_keyword_typos` ("Did you mean ...?" appended to "invalid syntax"),
/// which needs to re-compile candidate lines.
pub fn format_syntax_error(e: &SyntaxErrorInfo, release: Release) -> String {
    let stype = e.class.as_str();
    let mut out = String::new();
    let mut filename_suffix = String::new();
    if let Some(l) = e.lineno {
        out.push_str(&format!("  File \"{}\", line {}\n", e.filename.as_deref().filter(|f| !f.is_empty()).unwrap_or("<string>"), l));
    } else if let Some(f) = &e.filename {
        filename_suffix = format!(" ({f})");
    }
    if let Some(text) = &e.text {
        let rtext = text.trim_end_matches('\n');
        let ltext = rtext.trim_start_matches([' ', '\n', '\x0c']);
        let rlen = rtext.chars().count() as i64;
        let llen = ltext.chars().count() as i64;
        let spaces = rlen - llen;
        let caret_line = |colno: i64, end_colno: i64| -> String {
            let mut s = String::from("    ");
            for c in ltext.chars().take(colno.max(0) as usize) {
                s.push(if py_isspace(c) { c } else { ' ' });
            }
            for _ in 0..(end_colno - colno).max(0) {
                s.push('^');
            }
            s.push('\n');
            s
        };
        if !release.at_least(3, 13) {
            out.push_str(&format!("    {ltext}\n"));
            if let Some(offset) = e.offset {
                let mut end_offset = match e.end_offset {
                    None | Some(0) => offset,
                    Some(x) => x,
                };
                if offset == end_offset || end_offset == -1 {
                    end_offset = offset + 1;
                }
                let colno = offset - 1 - spaces;
                let end_colno = end_offset - 1 - spaces;
                if colno >= 0 {
                    out.push_str(&caret_line(colno, end_colno));
                }
            }
        } else {
            match e.offset {
                None => out.push_str(&format!("    {ltext}\n")),
                Some(mut offset) => {
                    let mut end_offset = if e.lineno == e.end_lineno {
                        match e.end_offset {
                            None | Some(0) => offset,
                            Some(x) => x,
                        }
                    } else {
                        rlen + 1
                    };
                    let text_len = text.chars().count() as i64;
                    if !text.is_empty() && offset > text_len {
                        offset = rlen + 1;
                    }
                    if !text.is_empty() && end_offset > text_len {
                        end_offset = rlen + 1;
                    }
                    if offset >= end_offset || end_offset < 0 {
                        end_offset = offset + 1;
                    }
                    let colno = offset - 1 - spaces;
                    let end_colno = end_offset - 1 - spaces;
                    out.push_str(&format!("    {ltext}\n"));
                    if colno >= 0 {
                        out.push_str(&caret_line(colno, end_colno));
                    }
                }
            }
        }
    }
    let msg = if e.msg.is_empty() { "<no detail available>" } else { e.msg.as_str() };
    out.push_str(&format!("{stype}: {msg}{filename_suffix}\n"));
    out
}

/// `py_compile.PyCompileError(type, value, file).msg`: the formatted `SyntaxError` for exactly
/// `SyntaxError`, `"Sorry: <class>: <str(value)>"` for everything else (subclasses included).
pub fn py_compile_error_msg(f: &CompileFailure, dfile: &str, release: Release) -> String {
    match f {
        CompileFailure::Syntax(e) if e.class == "SyntaxError" => {
            format_syntax_error(e, release).replace("File \"<string>\"", &format!("File \"{dfile}\""))
        }
        CompileFailure::Syntax(e) => format!("Sorry: {}: {}", e.class, syntax_error_str(e)),
        CompileFailure::Other { class, message } => format!("Sorry: {class}: {message}"),
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

    fn se(msg: &str, lineno: Option<i64>, offset: Option<i64>, end_offset: Option<i64>, text: Option<&str>) -> SyntaxErrorInfo {
        SyntaxErrorInfo {
            class: "SyntaxError".into(),
            msg: msg.into(),
            filename: Some("d/bad.py".into()),
            lineno,
            offset,
            end_lineno: lineno,
            end_offset,
            text: text.map(str::to_owned),
        }
    }

    #[test]
    fn syntax_error_block() {
        let e = se("'(' was never closed", Some(1), Some(5), Some(6), Some("x = (\n"));
        assert_eq!(
            format_syntax_error(&e, Release::V3_12_7),
            "  File \"d/bad.py\", line 1\n    x = (\n        ^\nSyntaxError: '(' was never closed\n"
        );
        let e = se("invalid syntax", Some(2), Some(3), Some(5), Some("\tab cd\n"));
        assert_eq!(format_syntax_error(&e, Release::V3_11_7), "  File \"d/bad.py\", line 2\n    \tab cd\n    \t ^^\nSyntaxError: invalid syntax\n");
    }

    #[test]
    fn oserror_text() {
        let e = std::io::Error::from_raw_os_error(2);
        let p = PyOsError::from_io(&e, Some(b"a'b"), None, Release::V3_12_7);
        assert_eq!(p.class, "FileNotFoundError");
        assert_eq!(p.text, "[Errno 2] No such file or directory: \"a'b\"");
        assert_eq!(repr_path(b"x\xffy", Release::V3_12_7), "'x\\udcffy'");
    }
}
