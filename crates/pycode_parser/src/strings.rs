//! Adjacent string pieces merged into one `Constant`, as `_PyPegen_concatenate_strings` does
//! (3.12+): a run of adjacent constants (empty `""` tokens included) becomes one constant spanning
//! from the run's first piece to its last, dropped if it is empty inside an f-string.

use pycode_ast::Pos;

/// Accumulates one run of literal pieces.
#[derive(Default)]
pub struct LitAcc {
    pub buf: Vec<u8>,
    pub pos: Option<Pos>,
    pub first_u: bool,
}

impl LitAcc {
    /// A piece that only counts when it is not empty (f-string middles, debug texts).
    pub fn add(&mut self, bytes: &[u8], pos: Pos, u: bool) {
        if !bytes.is_empty() {
            self.add_part(bytes, pos, u);
        }
    }

    /// A piece that counts even when empty (a whole STRING token).
    pub fn add_part(&mut self, bytes: &[u8], pos: Pos, u: bool) {
        match &mut self.pos {
            Some(p) => {
                p.end_lineno = pos.end_lineno;
                p.end_col_offset = pos.end_col_offset;
            }
            None => {
                self.first_u = u;
                self.pos = Some(pos);
            }
        }
        self.buf.extend_from_slice(bytes);
    }

    /// The run so far (text, position, kind 'u'), if any piece was added; resets the run.
    pub fn take(&mut self) -> Option<(Vec<u8>, Pos, bool)> {
        let pos = self.pos.take()?;
        Some((std::mem::take(&mut self.buf), pos, self.first_u))
    }
}

/// The message of `decode_unicode_with_escapes` for the first bad escape of `piece` (a string
/// body, not raw), or `None`: CPython first rewrites the body (every non-ASCII character
/// becomes `\UXXXXXXXX`, a backslash before one becomes `\u005c`), then
/// `_PyUnicode_DecodeUnicodeEscapeInternal` reports byte positions in that buffer.
/// `name_ok` tells whether a `\N{...}` name exists.
pub fn unicode_escape_error(piece: &str, name_ok: &dyn Fn(&str) -> bool) -> Option<String> {
    // The rewritten buffer, built lazily as positions: walk the source and count.
    let mut buf: Vec<u8> = Vec::with_capacity(piece.len());
    let b = piece.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let Some(&c) = b.get(i) else { break };
        if c == b'\\' {
            buf.push(b'\\');
            i += 1;
            if b.get(i).is_none_or(|&c| c >= 0x80) {
                buf.extend_from_slice(b"u005c");
                if i >= b.len() {
                    break;
                }
            }
            continue;
        }
        if c >= 0x80 {
            let start = i;
            while b.get(i).is_some_and(|&c| c >= 0x80) {
                i += 1;
            }
            for ch in String::from_utf8_lossy(b.get(start..i).unwrap_or_default()).chars() {
                buf.extend_from_slice(format!("\\U{:08x}", ch as u32).as_bytes());
            }
            continue;
        }
        buf.push(c);
        i += 1;
    }
    let b = &buf[..];
    let end = b.len();
    let mut s = 0;
    while s < end {
        if b.get(s) != Some(&b'\\') {
            s += 1;
            continue;
        }
        let start = s;
        s += 1;
        if s >= end {
            return Some(format_err(start, s, "\\ at end of string"));
        }
        let e = b.get(s).copied().unwrap_or(0);
        s += 1;
        let (count, msg) = match e {
            b'x' => (2, "truncated \\xXX escape"),
            b'u' => (4, "truncated \\uXXXX escape"),
            b'U' => (8, "truncated \\UXXXXXXXX escape"),
            b'N' => {
                let msg = "malformed \\N character escape";
                if b.get(s) != Some(&b'{') {
                    return Some(format_err(start, s, msg));
                }
                s += 1;
                let name_start = s;
                while b.get(s).is_some_and(|&c| c != b'}') {
                    s += 1;
                }
                if s >= end {
                    return Some(format_err(start, s, msg));
                }
                let name = std::str::from_utf8(b.get(name_start..s).unwrap_or_default()).unwrap_or("");
                if name.is_empty() {
                    return Some(format_err(start, s, msg));
                }
                s += 1;
                if !name_ok(name) {
                    return Some(format_err(start, s, "unknown Unicode character name"));
                }
                continue;
            }
            _ => continue,
        };
        let mut v: u64 = 0;
        for _ in 0..count {
            match b.get(s).and_then(|c| (*c as char).to_digit(16)) {
                Some(d) if s < end => {
                    v = v * 16 + u64::from(d);
                    s += 1;
                }
                _ => return Some(format_err(start, s, msg)),
            }
        }
        if e == b'U' && v > 0x10ffff {
            return Some(format_err(start, s, "illegal Unicode character"));
        }
    }
    None
}

fn format_err(start: usize, end: usize, msg: &str) -> String {
    if end <= start + 1 {
        format!("'unicodeescape' codec can't decode byte 0x5c in position {start}: {msg}")
    } else {
        format!("'unicodeescape' codec can't decode bytes in position {start}-{}: {msg}", end - 1)
    }
}
