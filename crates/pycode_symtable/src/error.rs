//! Compile-time errors (`SyntaxError` and friends raised by symtable.c / compile.c).

use std::fmt;

/// The Python exception class of a compile error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    SyntaxError,
    /// "maximum recursion depth exceeded during compilation".
    RecursionError,
    /// e.g. "too many statically nested blocks".
    SystemError,
    /// Something this implementation does not support yet (not a CPython error).
    Unsupported,
}

impl ErrorKind {
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::SyntaxError => "SyntaxError",
            ErrorKind::RecursionError => "RecursionError",
            ErrorKind::SystemError => "SystemError",
            ErrorKind::Unsupported => "NotImplementedError",
        }
    }
}

/// A compile error with CPython's `SyntaxError` attributes: 1-based `lineno`, `offset` =
/// `col_offset + 1` (UTF-8 bytes, as `SET_ERROR_LOCATION` passes it), 0 when unknown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    pub kind: ErrorKind,
    pub msg: String,
    pub lineno: i32,
    pub offset: i32,
    pub end_lineno: i32,
    pub end_offset: i32,
}

impl CompileError {
    pub fn new(kind: ErrorKind, msg: impl Into<String>) -> Self {
        CompileError { kind, msg: msg.into(), lineno: 0, offset: 0, end_lineno: 0, end_offset: 0 }
    }

    /// A `SyntaxError` at the start of an AST position with no end (`PyErr_SyntaxLocationObject`:
    /// `end_lineno` = `lineno`, `end_offset` unknown, written 0).
    pub fn syntax_at_start(msg: impl Into<String>, pos: pycode_ast::Pos) -> Self {
        CompileError {
            kind: ErrorKind::SyntaxError,
            msg: msg.into(),
            lineno: pos.lineno as i32,
            offset: pos.col_offset as i32 + 1,
            end_lineno: pos.lineno as i32,
            end_offset: 0,
        }
    }

    /// A `SyntaxError` at an AST position.
    pub fn syntax_at(msg: impl Into<String>, pos: pycode_ast::Pos) -> Self {
        CompileError {
            kind: ErrorKind::SyntaxError,
            msg: msg.into(),
            lineno: pos.lineno as i32,
            offset: pos.col_offset as i32 + 1,
            end_lineno: pos.end_lineno as i32,
            end_offset: pos.end_col_offset as i32 + 1,
        }
    }

    pub fn recursion() -> Self {
        Self::new(ErrorKind::RecursionError, "maximum recursion depth exceeded during compilation")
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.lineno > 0 {
            write!(f, "{}: {} (line {})", self.kind.name(), self.msg, self.lineno)
        } else {
            write!(f, "{}: {}", self.kind.name(), self.msg)
        }
    }
}

impl std::error::Error for CompileError {}
