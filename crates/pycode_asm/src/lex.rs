//! Tokens of one line of asm text.

use pycode_object::PyStr;

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// A word: identifier-like, may contain `.` (`float.bits`) and `:` at the end is separate.
    Word(String),
    /// A number as written (digits, letters, `.`, exponent signs).
    Num(String),
    Str(PyStr),
    Bytes(Vec<u8>),
    /// One punctuation character (`( ) { } , $ # @ | + - :`), or `...`.
    Punct(&'static str),
}

/// Splits a line into tokens, stopping at a `#` comment that is not an operand (`#N` raw
/// operands: a `#` directly followed by a digit is kept as punctuation).
pub fn tokens(line: &str) -> Result<Vec<Tok>, String> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0usize;
    while let Some(&c) = b.get(i) {
        match c {
            b' ' | b'\t' | b'\r' => i += 1,
            b'#' => {
                if b.get(i + 1).is_some_and(|d| d.is_ascii_digit()) {
                    out.push(Tok::Punct("#"));
                    i += 1;
                } else {
                    break;
                }
            }
            b'\'' | b'"' => {
                let (s, n) = string(line, i, false)?;
                out.push(Tok::Str(PyStr::from_surrogatepass(&s, false).map_err(|_| "bad string".to_string())?));
                i = n;
            }
            b'b' | b'B' if matches!(b.get(i + 1), Some(b'\'' | b'"')) => {
                let (s, n) = string(line, i + 1, true)?;
                out.push(Tok::Bytes(s));
                i = n;
            }
            b'.' if b.get(i + 1) == Some(&b'.') && b.get(i + 2) == Some(&b'.') => {
                out.push(Tok::Punct("..."));
                i += 3;
            }
            b'0'..=b'9' => {
                let start = i;
                while let Some(&d) = b.get(i) {
                    let exp_sign = (d == b'+' || d == b'-')
                        && i > start
                        && matches!(b.get(i - 1), Some(b'e' | b'E'))
                        && !line.get(start..i).is_some_and(|s| s.starts_with("0x"));
                    if d.is_ascii_alphanumeric() || d == b'.' || d == b'_' || exp_sign {
                        i += 1;
                    } else {
                        break;
                    }
                }
                out.push(Tok::Num(line.get(start..i).unwrap_or("").to_string()));
            }
            c if c.is_ascii_alphabetic() || c == b'_' || c == b'.' => {
                let start = i;
                while let Some(&d) = b.get(i) {
                    if d.is_ascii_alphanumeric() || d == b'_' || d == b'.' || d == b'-' && i > start && start_is_dot(b, start) {
                        i += 1;
                    } else {
                        break;
                    }
                }
                out.push(Tok::Word(line.get(start..i).unwrap_or("").to_string()));
            }
            _ => {
                let p = match c {
                    b'(' => "(",
                    b')' => ")",
                    b'{' => "{",
                    b'}' => "}",
                    b',' => ",",
                    b'$' => "$",
                    b'@' => "@",
                    b'|' => "|",
                    b'+' => "+",
                    b'-' => "-",
                    b':' => ":",
                    b'=' => "=",
                    b'<' | b'>' | b'!' => {
                        // comparison operators as words
                        let start = i;
                        i += 1;
                        if b.get(i) == Some(&b'=') {
                            i += 1;
                        }
                        out.push(Tok::Word(line.get(start..i).unwrap_or("").to_string()));
                        continue;
                    }
                    _ => return Err(format!("unexpected character {:?}", line.get(i..).and_then(|s| s.chars().next()).unwrap_or('?'))),
                };
                // `==` is a word too
                if c == b'=' && b.get(i + 1) == Some(&b'=') {
                    out.push(Tok::Word("==".into()));
                    i += 2;
                    continue;
                }
                out.push(Tok::Punct(p));
                i += 1;
            }
        }
    }
    Ok(out)
}

/// Directive words (`.co_name`) may not contain `-`; header words such as `unchecked-hash` may.
fn start_is_dot(b: &[u8], start: usize) -> bool {
    b.get(start).is_some_and(|c| c.is_ascii_alphabetic())
}

fn push_cp(out: &mut Vec<u8>, cp: u32) {
    // "surrogatepass" UTF-8.
    if cp < 0x80 {
        out.push(cp as u8);
    } else if cp < 0x800 {
        out.extend_from_slice(&[0xc0 | (cp >> 6) as u8, 0x80 | (cp & 0x3f) as u8]);
    } else if cp < 0x1_0000 {
        out.extend_from_slice(&[0xe0 | (cp >> 12) as u8, 0x80 | ((cp >> 6) & 0x3f) as u8, 0x80 | (cp & 0x3f) as u8]);
    } else {
        out.extend_from_slice(&[
            0xf0 | (cp >> 18) as u8,
            0x80 | ((cp >> 12) & 0x3f) as u8,
            0x80 | ((cp >> 6) & 0x3f) as u8,
            0x80 | (cp & 0x3f) as u8,
        ]);
    }
}

/// A quoted string starting at byte `i` (the quote). Returns the value and the index after it.
/// A str literal gives its "surrogatepass" UTF-8 bytes, a bytes literal its bytes.
fn string(line: &str, i: usize, bytes: bool) -> Result<(Vec<u8>, usize), String> {
    let b = line.as_bytes();
    let quote = b.get(i).copied().unwrap_or(b'\'');
    let mut out: Vec<u8> = Vec::new();
    let mut raw_bytes: Vec<u8> = Vec::new();
    let mut j = i + 1;
    let push = |out: &mut Vec<u8>, raw: &mut Vec<u8>, cp: u32| -> Result<(), String> {
        if bytes {
            raw.push(u8::try_from(cp).map_err(|_| "a bytes literal holds only bytes".to_string())?);
        } else {
            push_cp(out, cp);
        }
        Ok(())
    };
    loop {
        let Some(&c) = b.get(j) else { return Err("unterminated string".into()) };
        if c == quote {
            j += 1;
            break;
        }
        if c == b'\\' {
            let Some(&e) = b.get(j + 1) else { return Err("unterminated string".into()) };
            j += 2;
            let hex = |j: &mut usize, n: usize| -> Result<u32, String> {
                let s = line.get(*j..*j + n).ok_or("truncated escape")?;
                *j += n;
                u32::from_str_radix(s, 16).map_err(|_| format!("bad escape digits {s:?}"))
            };
            let cp = match e {
                b'\\' => 0x5c,
                b'\'' => 0x27,
                b'"' => 0x22,
                b'n' => 0x0a,
                b'r' => 0x0d,
                b't' => 0x09,
                b'a' => 0x07,
                b'b' => 0x08,
                b'f' => 0x0c,
                b'v' => 0x0b,
                b'0'..=b'7' => {
                    let mut v = u32::from(e - b'0');
                    for _ in 0..2 {
                        match b.get(j) {
                            Some(&d @ b'0'..=b'7') => {
                                v = v * 8 + u32::from(d - b'0');
                                j += 1;
                            }
                            _ => break,
                        }
                    }
                    v
                }
                b'x' => hex(&mut j, 2)?,
                b'u' if !bytes => hex(&mut j, 4)?,
                b'U' if !bytes => hex(&mut j, 8)?,
                other => return Err(format!("unknown escape \\{}", other as char)),
            };
            if cp > 0x10ffff {
                return Err("escape above U+10FFFF".into());
            }
            push(&mut out, &mut raw_bytes, cp)?;
            continue;
        }
        // A raw character (UTF-8 in the text).
        let ch = line.get(j..).and_then(|s| s.chars().next()).ok_or("bad character")?;
        if bytes && !ch.is_ascii() {
            return Err("a bytes literal holds only ASCII characters and escapes".into());
        }
        push(&mut out, &mut raw_bytes, ch as u32)?;
        j += ch.len_utf8();
    }
    Ok((if bytes { raw_bytes } else { out }, j))
}
