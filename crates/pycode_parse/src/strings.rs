//! Decoding string and bytes literals from their source text, as CPython's `Parser/string_parser.c`
//! (`decode_unicode_with_escapes`, `decode_bytes_with_escapes`) does. Done here rather than taken
//! from ruff so that lone surrogates (`"\ud800"`) survive exactly.

use pycode_ast::PyStr;

/// Appends code point `cp` (possibly a lone surrogate) as "surrogatepass" UTF-8.
pub fn push_cp(out: &mut Vec<u8>, cp: u32) {
    match cp {
        0..=0x7F => out.push(cp as u8),
        0x80..=0x7FF => {
            out.push(0xC0 | (cp >> 6) as u8);
            out.push(0x80 | (cp & 0x3F) as u8);
        }
        0x800..=0xFFFF => {
            out.push(0xE0 | (cp >> 12) as u8);
            out.push(0x80 | ((cp >> 6) & 0x3F) as u8);
            out.push(0x80 | (cp & 0x3F) as u8);
        }
        _ => {
            out.push(0xF0 | (cp >> 18) as u8);
            out.push(0x80 | ((cp >> 12) & 0x3F) as u8);
            out.push(0x80 | ((cp >> 6) & 0x3F) as u8);
            out.push(0x80 | (cp & 0x3F) as u8);
        }
    }
}

/// The parts of a literal token: prefix flags and the body between the quotes.
pub struct Literal<'a> {
    pub raw: bool,
    pub bytes: bool,
    pub u: bool,
    pub body: &'a str,
}

/// Splits a complete literal token (`rb'''...'''`) into prefix and body.
pub fn split_literal(tok: &str) -> Option<Literal<'_>> {
    let qpos = tok.find(['\'', '"'])?;
    let prefix = &tok[..qpos];
    let rest = &tok[qpos..];
    let q = rest.as_bytes()[0];
    let triple = rest.len() >= 6 && rest.as_bytes()[1] == q && rest.as_bytes()[2] == q;
    let ql = if triple { 3 } else { 1 };
    if rest.len() < 2 * ql {
        return None;
    }
    let body = rest.get(ql..rest.len() - ql)?;
    let has = |c: u8| prefix.bytes().any(|p| p.to_ascii_lowercase() == c);
    Some(Literal { raw: has(b'r'), bytes: has(b'b'), u: has(b'u'), body })
}

/// Error while decoding escapes (CPython reports these as `SyntaxError: (unicode error) ...`).
#[derive(Debug)]
pub struct EscapeError {
    pub msg: String,
}

/// Decodes the escapes of a `str` body (not raw). `fstring` also turns `{{`/`}}` into `{`/`}`.
pub fn decode_str_body(body: &str, raw: bool, fstring: bool, out: &mut Vec<u8>) -> Result<(), EscapeError> {
    let b = body.as_bytes();
    if raw && !fstring {
        out.extend_from_slice(b);
        return Ok(());
    }
    out.reserve(b.len());
    let mut i = 0;
    while i < b.len() {
        // Copy the run up to the next byte that may need decoding (all such bytes are ASCII, so
        // runs end on character boundaries).
        let rest = b.get(i..).unwrap_or_default();
        let run = match (raw, fstring) {
            (false, false) => memchr::memchr(b'\\', rest),
            (false, true) => memchr::memchr3(b'\\', b'{', b'}', rest),
            (true, _) => memchr::memchr2(b'{', b'}', rest),
        };
        let run = run.unwrap_or(rest.len());
        out.extend_from_slice(rest.get(..run).unwrap_or_default());
        i += run;
        let Some(&c) = b.get(i) else { break };
        if c == b'{' || c == b'}' {
            // `{{` / `}}` in an f-string stand for one brace.
            out.push(c);
            i += if b.get(i + 1) == Some(&c) { 2 } else { 1 };
            continue;
        }
        let Some(&e) = b.get(i + 1) else {
            out.push(b'\\');
            break;
        };
        i += 2;
        if let Some(c) = simple_escape(e) {
            out.push(c);
            continue;
        }
        match e {
            b'\n' => {}
            b'0'..=b'7' => {
                let v = octal_escape(b, &mut i, e);
                push_cp(out, v);
            }
            b'x' | b'u' | b'U' => {
                let n = match e {
                    b'x' => 2,
                    b'u' => 4,
                    _ => 8,
                };
                let digits = b.get(i..i + n).filter(|d| d.iter().all(u8::is_ascii_hexdigit));
                let Some(digits) = digits else {
                    let what = match e {
                        b'x' => "truncated \\xXX escape",
                        b'u' => "truncated \\uXXXX escape",
                        _ => "truncated \\UXXXXXXXX escape",
                    };
                    return Err(EscapeError { msg: format!("'unicodeescape' codec can't decode bytes in position {}-{}: {what}", 0, 0) });
                };
                let s = std::str::from_utf8(digits).unwrap_or("0");
                let v = u32::from_str_radix(s, 16).unwrap_or(0);
                if v > 0x10FFFF {
                    return Err(EscapeError { msg: "'unicodeescape' codec can't decode bytes: illegal Unicode character".into() });
                }
                push_cp(out, v);
                i += n;
            }
            b'N' => {
                let close = if b.get(i) == Some(&b'{') { b[i..].iter().position(|&c| c == b'}') } else { None };
                let Some(close) = close else {
                    return Err(EscapeError { msg: "'unicodeescape' codec can't decode bytes: malformed \\N character escape".into() });
                };
                let name = std::str::from_utf8(&b[i + 1..i + close]).unwrap_or("");
                match unicode_names2::character(name) {
                    Some(ch) => push_cp(out, ch as u32),
                    None => {
                        return Err(EscapeError { msg: "'unicodeescape' codec can't decode bytes: unknown Unicode character name".into() })
                    }
                }
                i += close + 1;
            }
            _ => {
                // Unknown escape: kept verbatim (CPython warns).
                out.push(b'\\');
                let len = utf8_len(e);
                out.extend_from_slice(b.get(i - 1..i - 1 + len).unwrap_or(&[]));
                i += len - 1;
            }
        }
    }
    Ok(())
}

/// Decodes a `bytes` body.
pub fn decode_bytes_body(body: &str, raw: bool, out: &mut Vec<u8>) -> Result<(), EscapeError> {
    let b = body.as_bytes();
    if raw {
        out.extend_from_slice(b);
        return Ok(());
    }
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c != b'\\' {
            out.push(c);
            i += 1;
            continue;
        }
        let Some(&e) = b.get(i + 1) else {
            out.push(b'\\');
            break;
        };
        i += 2;
        if let Some(c) = simple_escape(e) {
            out.push(c);
            continue;
        }
        match e {
            b'\n' => {}
            b'0'..=b'7' => {
                let v = octal_escape(b, &mut i, e);
                out.push((v & 0xFF) as u8);
            }
            b'x' => {
                let digits = b.get(i..i + 2).filter(|d| d.iter().all(u8::is_ascii_hexdigit));
                let Some(digits) = digits else {
                    return Err(EscapeError { msg: "invalid \\x escape at position 0".into() });
                };
                let s = std::str::from_utf8(digits).unwrap_or("0");
                out.push(u8::from_str_radix(s, 16).unwrap_or(0));
                i += 2;
            }
            _ => {
                out.push(b'\\');
                out.push(e);
            }
        }
    }
    Ok(())
}

/// The byte a one-character escape (`\\n`, `\\'`, …) stands for, shared by str and bytes literals.
fn simple_escape(e: u8) -> Option<u8> {
    Some(match e {
        b'\\' | b'\'' | b'"' => e,
        b'a' => 7,
        b'b' => 8,
        b'f' => 12,
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        b'v' => 11,
        _ => return None,
    })
}

/// An octal escape: `first` is its first digit, up to two more are read from `b` at `*i`.
fn octal_escape(b: &[u8], i: &mut usize, first: u8) -> u32 {
    let mut v = u32::from(first - b'0');
    for _ in 1..3 {
        match b.get(*i) {
            Some(&d @ b'0'..=b'7') => {
                v = v * 8 + u32::from(d - b'0');
                *i += 1;
            }
            _ => break,
        }
    }
    v
}

/// The length of the UTF-8 sequence that lead byte `c` starts (1 for ASCII and stray bytes).
pub(crate) fn utf8_len(c: u8) -> usize {
    match c {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// Whether a `str` literal body decodes to itself (no escapes to process).
pub fn is_plain_str_body(body: &str, raw: bool) -> bool {
    raw || memchr::memchr(b'\\', body.as_bytes()).is_none()
}

/// Builds a `PyStr` from surrogatepass UTF-8 produced by the decoders above.
pub fn to_pystr(bytes: Vec<u8>) -> PyStr {
    match String::from_utf8(bytes) {
        Ok(s) => PyStr::from_string(s, false),
        Err(e) => {
            let bytes = e.into_bytes();
            PyStr::from_surrogatepass(&bytes, false).unwrap_or_else(|_| PyStr::new(&String::from_utf8_lossy(&bytes), false))
        }
    }
}
