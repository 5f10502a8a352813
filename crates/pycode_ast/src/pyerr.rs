//! How Python prints a failed compilation: a `SyntaxError` (and its subclasses) as the exception
//! object holds it, `traceback.format_exception_only` of it, `str()` of it, and
//! `py_compile.PyCompileError.msg`.
//!
//! This is the one formatter used by `pycode compile` (`python -m py_compile`), `pycode ast` (its
//! error output equals `py_compile`'s) and `pycode compileall`; the parser (`pycode_parse`) and
//! the compiler driver (`pycode_compile`) turn their errors into [`CompileFailure`].

use crate::PyMinor;

/// The attributes of a raised `SyntaxError` / `IndentationError` / `TabError`, as Python sees
/// them (`None` = the attribute is `None`). Offsets are 1-based columns as CPython stores them
/// (characters for parser errors, UTF-8 bytes for symtable/compiler errors); `-1`/`0` are kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxErrorInfo {
    /// `SyntaxError`, `IndentationError` or `TabError`.
    pub class: String,
    pub msg: String,
    pub filename: Option<String>,
    pub lineno: Option<i64>,
    pub offset: Option<i64>,
    pub end_lineno: Option<i64>,
    pub end_offset: Option<i64>,
    /// The source line (CPython usually keeps its newline).
    pub text: Option<String>,
}

/// Why `compile()` failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompileFailure {
    /// A `SyntaxError` or one of its subclasses.
    Syntax(Box<SyntaxErrorInfo>),
    /// Any other exception (`ValueError`, `RecursionError`, `MemoryError`, ...): class name and
    /// `str(exception)`.
    Other { class: String, message: String },
}

/// A warning `compile()` emitted (`SyntaxWarning`, `DeprecationWarning`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileWarning {
    pub category: String,
    pub message: String,
    pub filename: String,
    pub lineno: i64,
}

impl CompileWarning {
    /// `warnings.formatwarning(message, category, filename, lineno)` as `warnings.showwarning`
    /// writes it to stderr: `file:line: Category: message`, then the source line stripped of
    /// surrounding whitespace (from `linecache`, i.e. the file named `filename` read now) when
    /// it is not empty. `line` is that source line (without its newline) when it could be read.
    pub fn format(&self, line: Option<&str>) -> String {
        let mut s = format!("{}:{}: {}: {}\n", self.filename, self.lineno, self.category, self.message);
        if let Some(l) = line {
            let t = l.trim_matches(py_isspace);
            if !t.is_empty() {
                s.push_str("  ");
                s.push_str(t);
                s.push('\n');
            }
        }
        s
    }
}

/// Line `lineno` (1-based) of the file `filename` as `linecache.getline` gives it to the warnings
/// module (without its line end), or `None` when the file cannot be read or is shorter.
pub fn read_source_line(filename: &str, lineno: i64) -> Option<String> {
    let data = std::fs::read(filename).ok()?;
    let text = String::from_utf8_lossy(&data);
    let idx = usize::try_from(lineno).ok()?.checked_sub(1)?;
    text.lines().nth(idx).map(str::to_owned)
}

/// Python's `str.isspace()` (Unicode White_Space plus U+001C..U+001F, which Python also counts).
pub fn py_isspace(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// 3.15 `traceback._display_width(line, offset)`: `offset` for an ASCII line, else the columns of
/// `line[:offset]` with East Asian wide and fullwidth characters counting two; columns past the
/// end of the line count one each, as for an ASCII line (measured: an error just past a
/// non-ASCII line's end gets one caret).
fn display_width(line: &str, offset: i64) -> i64 {
    if line.is_ascii() {
        return offset;
    }
    let past_end = (offset - line.chars().count() as i64).max(0);
    past_end
        + line
            .chars()
            .take(offset.max(0) as usize)
            .map(|c| {
                let cp = c as u32;
                let i = crate::wide_chars::WIDE_3_15.partition_point(|&(_, hi)| hi < cp);
                match crate::wide_chars::WIDE_3_15.get(i) {
                    Some(&(lo, _)) if lo <= cp => 2,
                    _ => 1,
                }
            })
            .sum::<i64>()
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

/// `traceback.TracebackException._format_syntax_error` of `minor` without colour (what
/// `traceback.format_exception_only` yields for a `SyntaxError`), joined.
/// Not mirrored: 3.14's `_find_keyword_typos` ("Did you mean ...?" appended to "invalid syntax"),
/// which needs to re-compile candidate lines.
pub fn format_syntax_error(e: &SyntaxErrorInfo, minor: PyMinor) -> String {
    let stype = e.class.as_str();
    let mut out = String::new();
    let mut filename_suffix = String::new();
    if let Some(l) = e.lineno {
        let f = e.filename.as_deref().filter(|f| !f.is_empty()).unwrap_or("<string>");
        out.push_str(&format!("  File \"{f}\", line {l}\n"));
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
            let mut carets = end_colno - colno;
            if minor >= PyMinor::Py315 {
                // 3.15: spaces as wide as the text before the caret (`_display_width`: East
                // Asian wide and fullwidth characters count two), tabs included
                let start = display_width(ltext, colno);
                s.extend(std::iter::repeat_n(' ', start.max(0) as usize));
                carets = display_width(ltext, end_colno) - start;
            } else {
                for c in ltext.chars().take(colno.max(0) as usize) {
                    s.push(if py_isspace(c) { c } else { ' ' });
                }
            }
            for _ in 0..carets.max(0) {
                s.push('^');
            }
            s.push('\n');
            s
        };
        out.push_str(&format!("    {ltext}\n"));
        if minor <= PyMinor::Py312 {
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
        } else if let Some(mut offset) = e.offset {
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
            if colno >= 0 {
                out.push_str(&caret_line(colno, end_colno));
            }
        }
    }
    let msg = if e.msg.is_empty() { "<no detail available>" } else { e.msg.as_str() };
    out.push_str(&format!("{stype}: {msg}{filename_suffix}\n"));
    out
}

/// `py_compile.PyCompileError(type, value, file).msg`: the formatted `SyntaxError` (with
/// `File "<string>"` replaced by `File "<file>"`) for exactly `SyntaxError`,
/// `"Sorry: <class>: <str(value)>"` for everything else (subclasses included; no newline).
/// `python -m py_compile` writes this to stderr; `compileall` prints it after `*** `.
pub fn py_compile_error_msg(f: &CompileFailure, file: &str, minor: PyMinor) -> String {
    match f {
        CompileFailure::Syntax(e) if e.class == "SyntaxError" => {
            format_syntax_error(e, minor).replace("File \"<string>\"", &format!("File \"{file}\""))
        }
        CompileFailure::Syntax(e) => format!("Sorry: {}: {}", e.class, syntax_error_str(e)),
        CompileFailure::Other { class, message } => format!("Sorry: {class}: {message}"),
    }
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
            format_syntax_error(&e, PyMinor::Py312),
            "  File \"d/bad.py\", line 1\n    x = (\n        ^\nSyntaxError: '(' was never closed\n"
        );
        let e = se("invalid syntax", Some(2), Some(3), Some(5), Some("\tab cd\n"));
        assert_eq!(
            format_syntax_error(&e, PyMinor::Py311),
            "  File \"d/bad.py\", line 2\n    \tab cd\n    \t ^^\nSyntaxError: invalid syntax\n"
        );
        // 3.13+: an end past the text is clamped to the end of the line.
        let e = se("x", Some(1), Some(2), Some(40), Some("ab\n"));
        assert_eq!(format_syntax_error(&e, PyMinor::Py313), "  File \"d/bad.py\", line 1\n    ab\n     ^\nSyntaxError: x\n");
        assert_eq!(
            format_syntax_error(&e, PyMinor::Py312),
            "  File \"d/bad.py\", line 1\n    ab\n     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\nSyntaxError: x\n"
        );
    }

    #[test]
    fn sorry_forms() {
        let mut e = se("unexpected indent", Some(3), Some(4), Some(-1), Some("  x\n"));
        e.class = "IndentationError".into();
        let f = CompileFailure::Syntax(Box::new(e));
        assert_eq!(py_compile_error_msg(&f, "d/bad.py", PyMinor::Py312), "Sorry: IndentationError: unexpected indent (bad.py, line 3)");
        let f = CompileFailure::Other { class: "ValueError".into(), message: "m".into() };
        assert_eq!(py_compile_error_msg(&f, "d/bad.py", PyMinor::Py311), "Sorry: ValueError: m");
    }

    #[test]
    fn warning_text() {
        let w = CompileWarning { category: "SyntaxWarning".into(), message: "m".into(), filename: "f.py".into(), lineno: 2 };
        assert_eq!(w.format(Some("   x is 1  ")), "f.py:2: SyntaxWarning: m\n  x is 1\n");
        assert_eq!(w.format(None), "f.py:2: SyntaxWarning: m\n");
    }
}
