//! Errors raised while decoding or parsing source, shaped like CPython's `SyntaxError`.

use std::fmt;

use pycode_ast::pyerr::{CompileFailure, SyntaxErrorInfo};

/// The Python exception class of an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    SyntaxError,
    IndentationError,
    TabError,
    /// `ValueError` (e.g. 3.11's "source code string cannot contain null bytes").
    ValueError,
    /// `RecursionError` (nesting deeper than this implementation supports).
    RecursionError,
    /// An encoding declared by PEP 263 that this implementation does not know.
    UnknownEncoding,
    /// `UnicodeDecodeError` (3.12+: a bad escape in an f-string's format spec, raised without
    /// a position).
    UnicodeDecodeError,
}

impl ErrorKind {
    /// CPython's class name.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::SyntaxError | ErrorKind::UnknownEncoding => "SyntaxError",
            ErrorKind::IndentationError => "IndentationError",
            ErrorKind::TabError => "TabError",
            ErrorKind::ValueError => "ValueError",
            ErrorKind::RecursionError => "RecursionError",
            ErrorKind::UnicodeDecodeError => "UnicodeDecodeError",
        }
    }
}

/// A `SyntaxError` (or related error) with CPython's attributes. `lineno`/`offset` are 1-based;
/// `offset` counts characters (code points) as CPython's `SyntaxError.offset` does; 0 means unknown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub kind: ErrorKind,
    pub msg: String,
    pub lineno: u32,
    pub offset: u32,
    pub end_lineno: u32,
    pub end_offset: u32,
    /// The source line the error is on (without its newline), when known.
    pub text: Option<String>,
    /// CPython's exact `(lineno, offset, end_lineno, end_offset)` when one of them is not a
    /// plain positive number (CPython uses -1 and 0 in places, e.g. `end_offset` -1 for
    /// indentation errors); the `u32` fields above hold them clamped to 0.
    pub raw: Option<[i64; 4]>,
}

impl ParseError {
    pub fn new(kind: ErrorKind, msg: impl Into<String>) -> Self {
        ParseError { kind, msg: msg.into(), lineno: 0, offset: 0, end_lineno: 0, end_offset: 0, text: None, raw: None }
    }

    pub fn syntax(msg: impl Into<String>) -> Self {
        Self::new(ErrorKind::SyntaxError, msg)
    }
}

impl ParseError {
    /// The exception Python raises for this error, as `compile(source, filename, ...)` leaves it:
    /// a `SyntaxError` (or subclass) with `filename` and CPython's exact location and line, or
    /// another exception (`ValueError`, `RecursionError`). An error without a location (3.12+'s
    /// null bytes) has neither filename nor line, as in CPython.
    pub fn to_failure(&self, filename: &str) -> CompileFailure {
        match self.kind {
            ErrorKind::ValueError | ErrorKind::RecursionError | ErrorKind::UnicodeDecodeError => {
                CompileFailure::Other { class: self.kind.name().into(), message: self.msg.clone() }
            }
            ErrorKind::SyntaxError | ErrorKind::IndentationError | ErrorKind::TabError | ErrorKind::UnknownEncoding => {
                let raw = self.raw.unwrap_or([self.lineno as i64, self.offset as i64, self.end_lineno as i64, self.end_offset as i64]);
                let has_loc = self.lineno > 0 || self.raw.is_some_and(|r| r[0] >= 0);
                let info = if has_loc {
                    SyntaxErrorInfo {
                        class: self.kind.name().into(),
                        msg: self.msg.clone(),
                        filename: Some(filename.to_owned()),
                        lineno: Some(raw[0]),
                        offset: Some(raw[1]),
                        end_lineno: Some(raw[2]),
                        end_offset: Some(raw[3]),
                        text: self.text.clone(),
                    }
                } else {
                    SyntaxErrorInfo {
                        class: self.kind.name().into(),
                        msg: self.msg.clone(),
                        filename: None,
                        lineno: None,
                        offset: None,
                        end_lineno: None,
                        end_offset: None,
                        text: None,
                    }
                };
                CompileFailure::Syntax(Box::new(info))
            }
        }
    }
}

impl ParseError {
    /// What `python -m py_compile FILE` of `minor` writes to stderr for this error
    /// (`py_compile.main`: `PyCompileError.msg`): `traceback.format_exception_only` for a plain
    /// `SyntaxError`, `Sorry: <Class>: <str(exc)>` for its subclasses (IndentationError,
    /// TabError) and other exceptions (3.11.2's ValueError for null bytes). `filename` is the
    /// path as given.
    pub fn py_compile_text(&self, filename: &str, minor: pycode_ast::PyMinor) -> String {
        pycode_ast::pyerr::py_compile_error_msg(&self.to_failure(filename), filename, minor)
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.lineno > 0 {
            write!(f, "{}: {} (line {})", self.kind.name(), self.msg, self.lineno)
        } else {
            write!(f, "{}: {}", self.kind.name(), self.msg)
        }
    }
}

impl std::error::Error for ParseError {}
