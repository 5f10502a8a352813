//! Source decoding as CPython's tokenizer does it: UTF-8 BOM, PEP 263 coding declarations on the
//! first two lines, universal newlines (`\r\n` and `\r` become `\n`), and rejection of NUL bytes.

use std::borrow::Cow;

use crate::codecs::{self, DecodeFailure, Lookup};
use crate::error::{ErrorKind, ParseError};
use crate::PyMinor;

/// Mirrors the tokenizer's `get_coding_spec`: the encoding named by a `coding[:=]` comment on `line`.
fn coding_spec(line: &[u8]) -> Option<String> {
    let mut i = 0;
    while i < line.len() && matches!(line[i], b' ' | b'\t' | 0x0C) {
        i += 1;
    }
    if line.get(i) != Some(&b'#') {
        return None;
    }
    let rest = &line[i..];
    let mut j = 0;
    while j + 6 < rest.len() {
        if &rest[j..j + 6] == b"coding" && matches!(rest[j + 6], b':' | b'=') {
            let mut k = j + 7;
            while k < rest.len() && matches!(rest[k], b' ' | b'\t') {
                k += 1;
            }
            let begin = k;
            while k < rest.len() && (rest[k].is_ascii_alphanumeric() || matches!(rest[k], b'-' | b'_' | b'.')) {
                k += 1;
            }
            if k > begin {
                return Some(String::from_utf8_lossy(&rest[begin..k]).into_owned());
            }
        }
        j += 1;
    }
    None
}

/// A line that holds only whitespace and/or a comment (lets the tokenizer look at line 2).
fn is_blank_or_comment(line: &[u8]) -> bool {
    for &c in line {
        match c {
            b'#' | b'\n' | b'\r' => return true,
            b' ' | b'\t' | 0x0C => {}
            _ => return false,
        }
    }
    true
}

/// The encoding a source file declares (PEP 263), if any.
pub fn declared_encoding(src: &[u8]) -> Option<String> {
    let mut lines = src.split_inclusive(|&c| c == b'\n');
    let first = lines.next()?;
    if let Some(cs) = coding_spec(first) {
        return Some(cs);
    }
    if !is_blank_or_comment(first) {
        return None;
    }
    lines.next().and_then(coding_spec)
}

/// The tokenizer's `get_normal_name`: `utf-8` and `latin-1` spellings (first 12 characters,
/// lowercased, `_` as `-`) become `utf-8` / `iso-8859-1`; other names are kept as written.
fn normal_name(name: &str) -> &str {
    let buf: String = name.chars().take(12).map(|c| if c == '_' { '-' } else { c.to_ascii_lowercase() }).collect();
    if buf == "utf-8" || buf.starts_with("utf-8-") {
        "utf-8"
    } else if ["latin-1", "iso-8859-1", "iso-latin-1"].contains(&buf.as_str())
        || ["latin-1-", "iso-8859-1-", "iso-latin-1-"].iter().any(|p| buf.starts_with(p))
    {
        "iso-8859-1"
    } else {
        name
    }
}

/// An error raised while the tokenizer is created (`_PyPegen_raise_tokenizer_init_error`):
/// `SyntaxError(str(exc), (filename, 0, -1, None))`, shown as `line 0` without source text.
fn init_error(msg: String) -> ParseError {
    let mut e = ParseError::syntax(msg);
    e.raw = Some([0, -1, 0, 0]);
    e
}

/// CPython's `translate_newlines` on the raw bytes (before any decoding, as the string
/// tokenizer does): `\r\n` and lone `\r` become `\n`.
fn translate_newlines(src: &[u8]) -> Cow<'_, [u8]> {
    pycode_lexer::translate_newlines(src)
}

/// Line `n` (1-based) of `body` without its newline, and its byte length.
fn nth_line(body: &[u8], n: usize) -> &[u8] {
    let line = body.split(|&c| c == b'\n').nth(n.saturating_sub(1)).unwrap_or(b"");
    line
}

/// The 3.13+ tokenizer's `ensure_utf8`: "Non-UTF-8 code starting with ..." at the first byte
/// that does not start a valid UTF-8 sequence.
fn non_utf8_error(body: &[u8], bad: usize) -> ParseError {
    let line_start = memchr::memrchr(b'\n', &body[..bad]).map_or(0, |p| p + 1);
    let lineno = 1 + memchr::memchr_iter(b'\n', &body[..line_start]).count();
    let line_end = memchr::memchr(b'\n', &body[line_start..]).map_or(body.len(), |p| line_start + p);
    let byte = body.get(bad).copied().unwrap_or(0);
    let mut e = ParseError::syntax(format!(
        "Non-UTF-8 code starting with '\\x{byte:02x}' on line {lineno}, but no encoding declared; \
         see https://peps.python.org/pep-0263/ for details"
    ));
    let col = String::from_utf8_lossy(&body[line_start..=bad.min(body.len().saturating_sub(1))]).chars().count();
    let col = u32::try_from(col).unwrap_or(u32::MAX);
    let lineno = u32::try_from(lineno).unwrap_or(u32::MAX);
    e.lineno = lineno;
    e.end_lineno = lineno;
    e.offset = col;
    e.end_offset = col;
    e.text = Some(String::from_utf8_lossy(&body[line_start..line_end]).into_owned());
    e
}

/// Decodes `src` to text with `\n` newlines, as CPython's tokenizer sees it for `compile(bytes)`
/// (`decode_str`): null bytes are refused first (by `compile` itself), then newlines are
/// translated, a UTF-8 BOM is stripped, a PEP 263 declaration on line 1 or 2 names the codec
/// that decodes the whole input. UTF-8 input without `\r` (the usual case) is borrowed.
pub fn decode_source(src: &[u8], minor: PyMinor) -> Result<Cow<'_, str>, ParseError> {
    if memchr::memchr(0, src).is_some() {
        // compile() refuses it before the tokenizer runs (a SyntaxError without location for
        // bytes input in every release, 3.11.7 included).
        return Err(ParseError::syntax("source code string cannot contain null bytes"));
    }
    let src: Cow<'_, [u8]> = translate_newlines(src);
    let (body, bom): (Cow<'_, [u8]>, bool) = match src {
        Cow::Borrowed(s) => match s.strip_prefix(b"\xEF\xBB\xBF") {
            Some(rest) => (Cow::Borrowed(rest), true),
            None => (Cow::Borrowed(s), false),
        },
        Cow::Owned(mut v) => {
            let bom = v.starts_with(b"\xEF\xBB\xBF");
            if bom {
                v.drain(..3);
            }
            (Cow::Owned(v), bom)
        }
    };
    let declared = declared_encoding(&body);
    let name = declared.as_deref().map(normal_name);
    if let (Some(name), true) = (name, bom) {
        if name != "utf-8" {
            let msg = format!("encoding problem: {name} with BOM");
            return Err(match minor {
                PyMinor::Py311 | PyMinor::Py312 | PyMinor::Py313 => init_error(msg),
                _ => {
                    // 3.14 reports it on the line of the declaration.
                    let first = nth_line(&body, 1);
                    let line_no = if coding_spec(first).is_some() { 1 } else { 2 };
                    let line = nth_line(&body, line_no);
                    let end = if line.is_empty() { 0 } else { 1 + line[..line.len() - 1].iter().filter(|&&c| c & 0xC0 != 0x80).count() };
                    let mut e = ParseError::syntax(msg);
                    e.lineno = line_no as u32;
                    e.end_lineno = line_no as u32;
                    e.end_offset = u32::try_from(end).unwrap_or(u32::MAX);
                    e.text = Some(String::from_utf8_lossy(line).into_owned());
                    e.raw = Some([line_no as i64, 0, line_no as i64, end as i64]);
                    e
                }
            });
        }
    }
    let text: Cow<'_, str> = match name {
        None | Some("utf-8") => match body {
            Cow::Borrowed(b) => Cow::Borrowed(check_utf8(b, minor, bom || name.is_some())?),
            Cow::Owned(v) => {
                check_utf8(&v, minor, bom || name.is_some())?;
                Cow::Owned(String::from_utf8(v).map_err(|_| ParseError::syntax("invalid UTF-8"))?)
            }
        },
        Some(name) => {
            let codec = match codecs::lookup(name) {
                Lookup::Codec(c) => c,
                Lookup::Unknown => return Err(init_error(format!("unknown encoding: {name}"))),
                Lookup::NotText => {
                    return Err(init_error(format!("'{name}' is not a text encoding; use codecs.decode() to handle arbitrary codecs")))
                }
                Lookup::Unsupported(_) => {
                    return Err(ParseError::new(ErrorKind::UnknownEncoding, format!("encoding '{name}' is not supported by pycode")))
                }
            };
            match codecs::decode(codec, &body) {
                Ok(s) => normalize_newlines(Cow::Owned(s)),
                Err(DecodeFailure::Error(msg)) => return Err(init_error(msg)),
                Err(DecodeFailure::Unsupported(_)) => {
                    return Err(ParseError::new(
                        ErrorKind::UnknownEncoding,
                        format!("encoding '{name}': this byte sequence is not supported by pycode"),
                    ))
                }
            }
        }
    };
    Ok(text)
}

/// Source that is (declared or assumed) UTF-8 is not decoded up front by CPython: 3.14 checks
/// it whole (`ensure_utf8`); 3.11-3.13 only meet invalid bytes where a token is decoded, which
/// is followed here for string literals (the usual case); `declared`: a BOM or a declaration
/// gave the tokenizer an encoding (3.11 then converts error columns to characters).
fn check_utf8(b: &[u8], minor: PyMinor, declared: bool) -> Result<&str, ParseError> {
    match std::str::from_utf8(b) {
        Ok(s) => Ok(s),
        Err(e) => {
            let pos = e.valid_up_to();
            match minor {
                PyMinor::Py311 | PyMinor::Py312 | PyMinor::Py313 => {
                    if let Some(err) = string_literal_utf8_error(b, pos, minor, declared) {
                        return Err(err);
                    }
                    let msg = match codecs::decode_utf8(b) {
                        Err(DecodeFailure::Error(m)) => m,
                        _ => String::from("invalid UTF-8"),
                    };
                    Err(ParseError::syntax(format!("(unicode error) {msg}")))
                }
                _ => Err(non_utf8_error(b, pos)),
            }
        }
    }
}

/// Lines of `b`: (start, end without the newline) of the line holding byte `at`, and its number.
fn line_of(b: &[u8], at: usize) -> (usize, usize, usize) {
    let at = at.min(b.len());
    let start = memchr::memrchr(b'\n', &b[..at]).map_or(0, |p| p + 1);
    let end = memchr::memchr(b'\n', &b[start..]).map_or(b.len(), |p| start + p);
    let lineno = 1 + memchr::memchr_iter(b'\n', &b[..start]).count();
    (start, end, lineno)
}

/// `_PyPegen_byte_offset_to_character_offset` on the error line as CPython holds it (decoded
/// with "replace", so an undecodable byte counts as the 3 bytes of U+FFFD): characters in its
/// first `col` bytes (CPython passes the 1-based column, so this is already 1-based).
fn byte_to_char_col(line: &str, col: usize) -> usize {
    let bytes = line.as_bytes();
    String::from_utf8_lossy(&bytes[..col.min(bytes.len())]).chars().count()
}

/// The "(unicode error)" of a `str` literal holding the first undecodable byte `bad`, located
/// as each release's parser does (3.11: at the token after the literal; 3.12/3.13: at the
/// literal). `None` when `bad` is not inside a plain (non-f, non-bytes) string literal.
fn string_literal_utf8_error(b: &[u8], bad: usize, minor: PyMinor, declared: bool) -> Option<ParseError> {
    let n = b.len();
    let mut i = 0;
    let mut depth = 0i32;
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80;
    // (token start, body start, body end, token end, prefix)
    let mut found: Option<(usize, usize, usize, usize, &[u8])> = None;
    while i < n {
        let c = b[i];
        if c == b'#' {
            i = memchr::memchr(b'\n', &b[i..]).map_or(n, |p| i + p);
            continue;
        }
        if matches!(c, b'(' | b'[' | b'{') {
            depth += 1;
        } else if matches!(c, b')' | b']' | b'}') {
            depth -= 1;
        }
        let (tok_start, q_at) = if c == b'"' || c == b'\'' {
            (i, i)
        } else if word(c) {
            let mut j = i;
            while j < n && word(b[j]) {
                j += 1;
            }
            let w = &b[i..j];
            let is_prefix = w.len() <= 2 && w.iter().all(|x| b"rRbBuUfFtT".contains(x));
            if is_prefix && j < n && (b[j] == b'"' || b[j] == b'\'') {
                (i, j)
            } else {
                if (i..j).contains(&bad) {
                    return None;
                }
                i = j;
                continue;
            }
        } else {
            i += 1;
            continue;
        };
        let q = b[q_at];
        let triple = b.get(q_at..q_at + 3) == Some(&[q, q, q][..]);
        let body_start = q_at + if triple { 3 } else { 1 };
        let mut j = body_start;
        let body_end = loop {
            if j >= n {
                return None;
            }
            if b[j] == b'\\' {
                j += 2;
                continue;
            }
            if !triple && b[j] == b'\n' {
                return None;
            }
            if b[j] == q && (!triple || b.get(j..j + 3) == Some(&[q, q, q][..])) {
                break j;
            }
            j += 1;
        };
        let tok_end = body_end + if triple { 3 } else { 1 };
        if (tok_start..tok_end).contains(&bad) {
            found = Some((tok_start, body_start, body_end, tok_end, &b[tok_start..q_at]));
            break;
        }
        i = tok_end;
    }
    let (tok_start, body_start, body_end, tok_end, prefix) = found?;
    if prefix.iter().any(|c| b"bBfFtT".contains(c)) || !(body_start..body_end).contains(&bad) {
        return None;
    }
    let raw = prefix.iter().any(|c| b"rR".contains(c));
    let body = &b[body_start..body_end];
    // string_parser.c: a body without backslashes (or a raw one) is decoded whole; otherwise
    // each run of non-ASCII bytes is decoded on its own.
    let (run_start, run_end) = if raw || !body.contains(&b'\\') {
        (body_start, body_end)
    } else {
        let mut s0 = bad;
        while s0 > body_start && b[s0 - 1] >= 0x80 {
            s0 -= 1;
        }
        let mut e0 = bad;
        while e0 < body_end && b[e0] >= 0x80 {
            e0 += 1;
        }
        (s0, e0)
    };
    let msg = match codecs::decode_utf8(&b[run_start..run_end]) {
        Err(DecodeFailure::Error(m)) => m,
        _ => return None,
    };
    let mut e = ParseError::syntax(format!("(unicode error) {msg}"));
    match minor {
        PyMinor::Py311 => {
            // The error is raised once the parser has the token after the (concatenated) literal.
            let mut k = tok_end;
            loop {
                while k < n && matches!(b[k], b' ' | b'\t' | 0x0C) {
                    k += 1;
                }
                if k < n && b[k] == b'#' {
                    k = memchr::memchr(b'\n', &b[k..]).map_or(n, |p| k + p);
                }
                if k + 1 < n && b[k] == b'\\' && b[k + 1] == b'\n' {
                    k += 2;
                    continue;
                }
                if k < n && b[k] == b'\n' && depth > 0 {
                    k += 1;
                    continue;
                }
                break;
            }
            let (ls, le, lineno) = line_of(b, k);
            let text = String::from_utf8_lossy(&b[ls..le]).into_owned();
            let col = k - ls;
            let off = if declared { byte_to_char_col(&text, col + 1) } else { col + 1 };
            let (lineno, off) = (u32::try_from(lineno).ok()?, u32::try_from(off).ok()?);
            e.lineno = lineno;
            e.end_lineno = lineno;
            e.offset = off;
            e.end_offset = off;
            e.text = Some(text + "\n");
        }
        _ => {
            let (ls, le, lineno) = line_of(b, tok_start);
            let text = String::from_utf8_lossy(&b[ls..le]).into_owned();
            let (els, ele, end_lineno) = line_of(b, tok_end.saturating_sub(1));
            let end_text = String::from_utf8_lossy(&b[els..ele]).into_owned();
            e.lineno = u32::try_from(lineno).ok()?;
            e.end_lineno = u32::try_from(end_lineno).ok()?;
            e.offset = u32::try_from(byte_to_char_col(&text, tok_start - ls + 1)).ok()?;
            e.end_offset = u32::try_from(byte_to_char_col(&end_text, tok_end - els + 1)).ok()?;
            e.text = Some(text + "\n");
        }
    }
    Some(e)
}

/// Universal newlines: `\r\n` and lone `\r` become `\n` (CPython's `translate_newlines`).
pub fn normalize_newlines(text: Cow<'_, str>) -> Cow<'_, str> {
    if memchr::memchr(b'\r', text.as_bytes()).is_none() {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest: &str = &text;
    // `\r` is ASCII, so splitting at it keeps every piece valid UTF-8.
    while let Some(i) = rest.find('\r') {
        out.push_str(&rest[..i]);
        out.push('\n');
        rest = &rest[i + 1..];
        if let Some(r) = rest.strip_prefix('\n') {
            rest = r;
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coding() {
        assert_eq!(declared_encoding(b"# -*- coding: latin-1 -*-\n"), Some("latin-1".into()));
        assert_eq!(declared_encoding(b"#!/usr/bin/python\n# vim: set fileencoding=cp1252 :\n"), Some("cp1252".into()));
        assert_eq!(declared_encoding(b"x = 1\n# coding: latin-1\n"), None);
        let s = decode_source(b"# coding: latin-1\nx = '\xe9'\r\n", PyMinor::Py312).unwrap();
        assert_eq!(s, "# coding: latin-1\nx = '\u{e9}'\n");
        let s = decode_source(b"# coding: cp1252\nx = '\x80'\n", PyMinor::Py312).unwrap();
        assert!(s.contains('\u{20ac}'));
    }

    #[test]
    fn newlines() {
        let n = |s: &str| normalize_newlines(Cow::Borrowed(s)).into_owned();
        assert_eq!(n("a\r\nb\rc\n\r\r\n\u{e9}\r"), "a\nb\nc\n\n\n\u{e9}\n");
        assert_eq!(n("\r"), "\n");
        assert_eq!(n("x\n"), "x\n");
        assert!(matches!(decode_source(b"x = 1\n", PyMinor::Py311), Ok(Cow::Borrowed(_))));
    }
}
