//! Source decoding as CPython's tokenizer does it: UTF-8 BOM, PEP 263 coding declarations on the
//! first two lines, universal newlines (`\r\n` and `\r` become `\n`), and rejection of NUL bytes.

use std::borrow::Cow;

use crate::codec_tables::SINGLE_BYTE;
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

enum Codec {
    Utf8,
    Latin1,
    Ascii,
    Table(&'static [u16; 128]),
}

/// Python's `codecs.lookup` for the codecs implemented here (CPython's `encodings` aliases).
fn lookup(name: &str) -> Option<Codec> {
    let n: String = name.to_ascii_lowercase().chars().map(|c| if c == '-' || c == ' ' { '_' } else { c }).collect();
    let n = n.as_str();
    match n {
        "utf_8" | "utf8" | "u8" | "utf" | "utf8_ucs2" | "utf8_ucs4" | "cp65001" => return Some(Codec::Utf8),
        "latin_1" | "latin1" | "latin" | "l1" | "iso8859_1" | "iso_8859_1" | "iso8859" | "8859" | "cp819"
        | "iso_ir_100" | "iso_8859_1:1987" | "csisolatin1" | "ibm819" => return Some(Codec::Latin1),
        "ascii" | "us_ascii" | "646" | "us" | "ansi_x3.4_1968" | "ansi_x3_4_1968" | "ansi_x3.4_1986" | "cp367"
        | "csascii" | "ibm367" | "iso646_us" | "iso_646.irv_1991" | "iso_ir_6" => return Some(Codec::Ascii),
        _ => {}
    }
    let canon: Option<String> = if let Some(rest) = n.strip_prefix("iso_8859_").or_else(|| n.strip_prefix("iso8859_")) {
        Some(format!("iso8859_{rest}"))
    } else if let Some(rest) = n.strip_prefix("windows_") {
        Some(format!("cp{rest}"))
    } else if let Some(rest) = n.strip_prefix("latin") {
        // latin2..latin10 -> iso8859_{2,3,4,9,10,13,14,15,16}
        match rest {
            "2" => Some("iso8859_2".into()),
            "3" => Some("iso8859_3".into()),
            "4" => Some("iso8859_4".into()),
            "5" => Some("iso8859_9".into()),
            "6" => Some("iso8859_10".into()),
            "7" => Some("iso8859_13".into()),
            "8" => Some("iso8859_14".into()),
            "9" => Some("iso8859_15".into()),
            "10" => Some("iso8859_16".into()),
            _ => None,
        }
    } else {
        match n {
            "cyrillic" => Some("iso8859_5".into()),
            "greek" | "greek8" => Some("iso8859_7".into()),
            "hebrew" => Some("iso8859_8".into()),
            "arabic" => Some("iso8859_6".into()),
            "thai" => Some("iso8859_11".into()),
            "437" | "ibm437" => Some("cp437".into()),
            "850" | "ibm850" => Some("cp850".into()),
            "866" | "ibm866" => Some("cp866".into()),
            "macroman" | "macintosh" => Some("mac_roman".into()),
            _ => Some(n.to_string()),
        }
    };
    let canon = canon?;
    SINGLE_BYTE.iter().find(|(name, _)| *name == canon).map(|(_, t)| Codec::Table(t))
}

fn is_known_python_codec(name: &str) -> bool {
    // Multi-byte and other codecs CPython accepts but this implementation does not decode.
    let n = name.to_ascii_lowercase().replace('-', "_");
    [
        "utf_16", "utf_32", "utf_16_le", "utf_16_be", "utf_32_le", "utf_32_be", "utf_7", "shift_jis", "sjis",
        "euc_jp", "euc_kr", "gb2312", "gbk", "gb18030", "big5", "big5hkscs", "cp932", "cp949", "cp950",
        "iso2022_jp", "euc_jis_2004", "utf_8_sig", "johab", "hz", "ptcp154", "koi8_t", "cp1125", "tis_620",
    ]
    .contains(&n.as_str())
}

fn unicode_error(minor: PyMinor, msg: String) -> ParseError {
    let _ = minor;
    ParseError::syntax(format!("(unicode error) {msg}"))
}

/// Decodes `src` to text with `\n` newlines, as CPython's tokenizer sees it for `compile(bytes)`.
/// UTF-8 input without `\r` (the usual case) is borrowed, not copied.
pub fn decode_source(src: &[u8], minor: PyMinor) -> Result<Cow<'_, str>, ParseError> {
    let (body, bom) = match src.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (rest, true),
        None => (src, false),
    };
    let declared = declared_encoding(body);
    let codec = match &declared {
        None => Codec::Utf8,
        Some(name) => {
            let lower = name.to_ascii_lowercase().replace('_', "-");
            let normal_utf8 = lower == "utf-8" || lower.starts_with("utf-8-");
            if bom && !normal_utf8 {
                let mut e = ParseError::syntax(format!("encoding problem: {name} with BOM"));
                e.lineno = 1;
                return Err(e);
            }
            match lookup(name) {
                Some(c) => c,
                None if is_known_python_codec(name) => {
                    return Err(ParseError::new(
                        ErrorKind::UnknownEncoding,
                        format!("encoding '{name}' is not supported by pycode"),
                    ))
                }
                None => return Err(ParseError::syntax(format!("unknown encoding: {name}"))),
            }
        }
    };
    if memchr::memchr(0, body).is_some() {
        return Err(match minor {
            PyMinor::Py311 => ParseError::new(ErrorKind::ValueError, "source code string cannot contain null bytes"),
            _ => ParseError::syntax("source code string cannot contain null bytes"),
        });
    }
    let text: Cow<'_, str> = match codec {
        Codec::Utf8 => match std::str::from_utf8(body) {
            Ok(s) => Cow::Borrowed(s),
            Err(e) => {
                let pos = e.valid_up_to();
                let byte = body.get(pos).copied().unwrap_or(0);
                let reason = match e.error_len() {
                    None => "unexpected end of data",
                    Some(_) if (0x80..0xC2).contains(&byte) || byte >= 0xF5 => "invalid start byte",
                    Some(_) => "invalid continuation byte",
                };
                return Err(unicode_error(
                    minor,
                    format!("'utf-8' codec can't decode byte 0x{byte:02x} in position {pos}: {reason}"),
                ));
            }
        },
        Codec::Latin1 => Cow::Owned(body.iter().map(|&b| b as char).collect()),
        Codec::Ascii => {
            if let Some(pos) = body.iter().position(|&b| b >= 0x80) {
                return Err(unicode_error(
                    minor,
                    format!(
                        "'ascii' codec can't decode byte 0x{:02x} in position {pos}: ordinal not in range(128)",
                        body[pos]
                    ),
                ));
            }
            Cow::Owned(body.iter().map(|&b| b as char).collect())
        }
        Codec::Table(t) => {
            let mut s = String::with_capacity(body.len());
            for (pos, &b) in body.iter().enumerate() {
                if b < 0x80 {
                    s.push(b as char);
                } else {
                    match t.get(usize::from(b - 0x80)).and_then(|&u| if u == 0xFFFF { None } else { char::from_u32(u.into()) }) {
                        Some(c) => s.push(c),
                        None => {
                            return Err(unicode_error(
                                minor,
                                format!("codec can't decode byte 0x{b:02x} in position {pos}: character maps to <undefined>"),
                            ))
                        }
                    }
                }
            }
            Cow::Owned(s)
        }
    };
    Ok(normalize_newlines(text))
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
