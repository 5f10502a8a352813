//! The errors CPython's tokenizer raises (`Parser/tokenizer.c`, 3.12+: `Parser/lexer/lexer.c`),
//! found by one linear scan over the decoded source. Only what decides *which* error CPython
//! reports and *where* is modelled: indentation, brackets, strings, numbers, identifiers'
//! characters, line continuations. Tokens themselves come from ruff.

use pycode_ast::PyMinor;

use crate::error::ErrorKind;

/// Maximum indentation depth (`MAXINDENT`).
const MAXINDENT: usize = 100;
/// Maximum bracket nesting (`MAXLEVEL`).
const MAXLEVEL: usize = 200;

/// A tokenizer error with CPython's attributes.
#[derive(Clone, Debug)]
pub struct TokError {
    pub kind: ErrorKind,
    pub msg: String,
    pub lineno: u32,
    pub offset: i64,
    pub end_lineno: u32,
    pub end_offset: i64,
    /// Byte position in the source where the tokenizer stopped (orders it against parser errors).
    pub pos: usize,
    /// Raised with an exception set inside the tokenizer (`_PyTokenizer_syntaxerror`), so it
    /// also replaces a parser error found earlier (`_PyPegen_tokenize_full_source_to_check_for_errors`);
    /// false for `tok->done` codes (E_DEDENT, E_TABSPACE, E_LINECONT, E_EOF, ...).
    pub direct: bool,
}

/// An open bracket: the character, its line and its 0-based character column.
#[derive(Clone, Copy, Debug)]
pub struct Open {
    pub ch: char,
    pub lineno: u32,
    pub col: u32,
}

/// A complete string token (prefix included) seen by the scan, in source order.
#[derive(Clone, Copy, Debug)]
pub struct StrTok {
    /// Byte range of the whole token, prefix and quotes included.
    pub start: usize,
    pub end: usize,
    /// Length of the prefix in bytes (`rb`, `f`, ...).
    pub prefix_len: usize,
    /// Consecutive string tokens (CPython's `STRING+` atom) share a run number.
    pub run: u32,
    /// A bracket is open at the token (a following newline is not a NEWLINE token).
    pub in_brackets: bool,
}

/// Result of [`scan`].
#[derive(Debug, Default)]
pub struct Scan {
    pub error: Option<TokError>,
    /// Brackets still open when the scan stopped (innermost last).
    pub open: Vec<Open>,
    /// String tokens before the stopping point, in source order.
    pub strings: Vec<StrTok>,
}

pub(super) struct Lexer<'s> {
    pub(super) src: &'s str,
    pub(super) b: &'s [u8],
    pub(super) i: usize,
    pub(super) line_start: usize,
    pub(super) lineno: u32,
    pub(super) minor: PyMinor,
    pub(super) open: Vec<Open>,
    /// (col, altcol) indentation stack.
    ind: Vec<(usize, usize)>,
    strings: Vec<StrTok>,
    /// The previous token was a string (a new string joins its run).
    pub(super) prev_string: bool,
    run: u32,
}

fn chars(s: &str) -> i64 {
    s.chars().count() as i64
}

impl<'s> Lexer<'s> {
    fn line_text(&self, start: usize) -> &'s str {
        let end = self.b.get(start..).and_then(|r| r.iter().position(|&c| c == b'\n')).map_or(self.b.len(), |p| start + p);
        self.src.get(start..end).unwrap_or("")
    }

    /// `_PyTokenizer_syntaxerror` with the tokenizer's current position at `cur`:
    /// offset = characters from the line start to `cur`.
    pub(super) fn err_at(&self, cur: usize, msg: String) -> TokError {
        let col = self.src.get(self.line_start..cur).map_or(0, chars);
        TokError {
            kind: ErrorKind::SyntaxError,
            msg,
            lineno: self.lineno,
            offset: col,
            end_lineno: self.lineno,
            end_offset: col,
            pos: cur,
            direct: true,
        }
    }

    pub(super) fn peek(&self, k: usize) -> u8 {
        self.b.get(self.i + k).copied().unwrap_or(0)
    }

    pub(super) fn newline(&mut self) {
        // self.i points just after a '\n'
        self.lineno += 1;
        self.line_start = self.i;
    }

    fn run(&mut self) -> Option<TokError> {
        let mut atbol = true;
        loop {
            if atbol {
                atbol = false;
                if let Some(e) = self.indentation() {
                    return Some(e);
                }
            }
            let &c = self.b.get(self.i)?;
            match c {
                b' ' | b'\t' | b'\x0c' | b'\r' => self.i += 1,
                b'\n' => {
                    self.i += 1;
                    self.newline();
                    if self.open.is_empty() {
                        atbol = true;
                        self.prev_string = false;
                    }
                }
                b'#' => {
                    while self.i < self.b.len() && self.b[self.i] != b'\n' {
                        self.i += 1;
                    }
                }
                b'\\' => {
                    let after = self.peek(1);
                    if after == b'\n' {
                        self.i += 2;
                        self.newline();
                        if self.i >= self.b.len() {
                            return Some(self.eof_error());
                        }
                    } else if after == b'\r' && self.peek(2) == b'\n' {
                        self.i += 3;
                        self.newline();
                    } else if self.i + 1 >= self.b.len() {
                        // a backslash ending the source: E_EOF on its line
                        let mut e = self.linecont_error();
                        e.msg = "unexpected EOF while parsing".into();
                        e.end_offset = -1;
                        return Some(e);
                    } else {
                        return Some(self.linecont_error());
                    }
                }
                b'(' | b'[' | b'{' => {
                    self.prev_string = false;
                    if self.open.len() >= MAXLEVEL {
                        return Some(self.err_at(self.i + 1, "too many nested parentheses".into()));
                    }
                    let col = self.src.get(self.line_start..self.i).map_or(0, chars) as u32;
                    self.open.push(Open { ch: c as char, lineno: self.lineno, col });
                    self.i += 1;
                }
                b')' | b']' | b'}' => {
                    self.prev_string = false;
                    self.i += 1;
                    let Some(o) = self.open.pop() else {
                        return Some(self.err_at(self.i, format!("unmatched '{}'", c as char)));
                    };
                    let ok = matches!((o.ch, c), ('(', b')') | ('[', b']') | ('{', b'}'));
                    if !ok {
                        let msg = if o.lineno != self.lineno {
                            format!(
                                "closing parenthesis '{}' does not match opening parenthesis '{}' on line {}",
                                c as char, o.ch, o.lineno
                            )
                        } else {
                            format!("closing parenthesis '{}' does not match opening parenthesis '{}'", c as char, o.ch)
                        };
                        return Some(self.err_at(self.i, msg));
                    }
                }
                b'0'..=b'9' => {
                    self.prev_string = false;
                    if let Some(e) = self.number() {
                        return Some(e);
                    }
                }
                b'.' if self.peek(1).is_ascii_digit() => {
                    self.prev_string = false;
                    if let Some(e) = self.number() {
                        return Some(e);
                    }
                }
                b'"' | b'\'' => {
                    let start = self.i;
                    if let Some(e) = self.string(start) {
                        return Some(e);
                    }
                    self.record_string(start, 0);
                }
                c if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 => {
                    let start = self.i;
                    if let Some(e) = self.identifier() {
                        return Some(e);
                    }
                    // string prefix?
                    let q = self.peek(0);
                    if (q == b'"' || q == b'\'') && self.i - start <= 2 {
                        let p = self.src.get(start..self.i).unwrap_or("").to_ascii_lowercase();
                        if matches!(p.as_str(), "r" | "u" | "b" | "br" | "rb" | "f" | "fr" | "rf")
                            || (self.minor >= PyMinor::Py314 && matches!(p.as_str(), "t" | "tr" | "rt"))
                        {
                            let plen = self.i - start;
                            if let Some(e) = self.string(start) {
                                return Some(e);
                            }
                            self.record_string(start, plen);
                            continue;
                        }
                    }
                    self.prev_string = false;
                }
                b'!' if self.peek(1) != b'=' && self.minor <= PyMinor::Py311 => {
                    // 3.11: a lone '!' is an ERRORTOKEN (E_TOKEN); the parser reports it.
                    self.i += 1;
                }
                0x01..=0x08 | 0x0b | 0x0e..=0x1f | 0x7f => {
                    return Some(self.err_at(self.i + 1, format!("invalid non-printable character U+{:04X}", c)));
                }
                _ => {
                    self.prev_string = false;
                    self.i += 1;
                }
            }
        }
    }

    pub(super) fn record_string(&mut self, start: usize, prefix_len: usize) {
        if !self.prev_string {
            self.run += 1;
        }
        self.prev_string = true;
        self.strings.push(StrTok { start, end: self.i, prefix_len, run: self.run, in_brackets: !self.open.is_empty() });
    }

    /// `unexpected EOF while parsing` (E_EOF after a backslash continuation at the end).
    fn eof_error(&self) -> TokError {
        let line = self.line_text(self.line_start);
        let prev_line_len = {
            // the error is reported on the backslash's line (tok->lineno before reading EOF)
            let before = &self.b[..self.line_start.saturating_sub(1).min(self.b.len())];
            let ls = before.iter().rposition(|&c| c == b'\n').map_or(0, |p| p + 1);
            self.src.get(ls..self.line_start.saturating_sub(1)).map_or(0, chars)
        };
        let _ = line;
        TokError {
            kind: ErrorKind::SyntaxError,
            msg: "unexpected EOF while parsing".into(),
            lineno: self.lineno.saturating_sub(1).max(1),
            offset: prev_line_len + 1,
            end_lineno: self.lineno.saturating_sub(1).max(1),
            end_offset: -1,
            pos: self.i,
            direct: false,
        }
    }

    /// E_LINECONT: `unexpected character after line continuation character`.
    pub(super) fn linecont_error(&self) -> TokError {
        // CPython: col_offset = tok->cur - tok->buf - 1 (after reading the next character),
        // then + 1, in bytes; `buf` is the start of the logical line (earlier physical lines
        // joined by a backslash included). The offset is clamped to the error line (the
        // physical line) and, 3.12+, turned into characters
        // (`_PyPegen_byte_offset_to_character_offset`).
        let mut logical = self.line_start;
        while logical >= 2 && self.b.get(logical - 1) == Some(&b'\n') {
            let back = if self.b.get(logical - 2) == Some(&b'\r') { 3 } else { 2 };
            if logical < back || self.b.get(logical - back) != Some(&b'\\') {
                break;
            }
            let prev_end = logical - back;
            logical = self.b.get(..prev_end).and_then(|r| r.iter().rposition(|&c| c == b'\n')).map_or(0, |p| p + 1);
        }
        let cur = (self.i + 2).min(self.b.len() + 1);
        let mut off = cur.saturating_sub(logical) as i64;
        let line = self.line_text(self.line_start);
        let max = line.len() as i64 + 1;
        if logical != self.line_start || off > max {
            off = off.min(max);
        } else if self.minor >= PyMinor::Py312 {
            let n = off as usize;
            off = line.get(..n.min(line.len())).map_or(off, chars) + i64::from(n > line.len());
        }
        TokError {
            kind: ErrorKind::SyntaxError,
            msg: "unexpected character after line continuation character".into(),
            lineno: self.lineno,
            offset: off,
            end_lineno: self.lineno,
            end_offset: 0,
            pos: self.i,
            direct: false,
        }
    }

    /// Indentation at the beginning of a logical line.
    fn indentation(&mut self) -> Option<TokError> {
        let (mut col, mut altcol) = (0usize, 0usize);
        let mut j = self.i;
        loop {
            match self.b.get(j) {
                Some(b' ') => {
                    col += 1;
                    altcol += 1;
                }
                Some(b'\t') => {
                    col = (col / 8 + 1) * 8;
                    altcol += 1;
                }
                Some(b'\x0c') => {
                    col = 0;
                    altcol = 0;
                }
                _ => break,
            }
            j += 1;
        }
        match self.b.get(j) {
            None | Some(b'#') | Some(b'\n') | Some(b'\r') | Some(b'\\') => {
                self.i = j;
                return None;
            }
            _ => {}
        }
        self.i = j;
        let &(top, alttop) = self.ind.last().unwrap_or(&(0, 0));
        if col == top {
            if altcol != alttop {
                return Some(self.tab_error());
            }
        } else if col > top {
            if self.ind.len() >= MAXINDENT {
                return Some(self.indent_error("too many levels of indentation"));
            }
            if altcol <= alttop {
                return Some(self.tab_error());
            }
            self.ind.push((col, altcol));
        } else {
            while self.ind.len() > 1 && col < self.ind.last().map_or(0, |x| x.0) {
                self.ind.pop();
            }
            let &(top, alttop) = self.ind.last().unwrap_or(&(0, 0));
            if col != top {
                let line = self.line_text(self.line_start);
                return Some(TokError {
                    kind: ErrorKind::IndentationError,
                    msg: "unindent does not match any outer indentation level".into(),
                    lineno: self.lineno,
                    offset: chars(line) + 1,
                    end_lineno: self.lineno,
                    end_offset: -1,
                    // raised while reading the line's indentation, before its first token
                    pos: self.line_start,
                    direct: false,
                });
            }
            if altcol != alttop {
                return Some(self.tab_error());
            }
        }
        None
    }

    fn tab_error(&self) -> TokError {
        let mut e = self.indent_error("inconsistent use of tabs and spaces in indentation");
        e.kind = ErrorKind::TabError;
        e
    }

    fn indent_error(&self, msg: &str) -> TokError {
        let line = self.line_text(self.line_start);
        TokError {
            kind: ErrorKind::IndentationError,
            msg: msg.into(),
            lineno: self.lineno,
            offset: chars(line) + 1,
            end_lineno: self.lineno,
            end_offset: -1,
            pos: self.i,
            direct: false,
        }
    }

    pub(super) fn identifier(&mut self) -> Option<TokError> {
        let start = self.i;
        while let Some(&c) = self.b.get(self.i) {
            if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 {
                self.i += 1;
            } else {
                break;
            }
        }
        let word = self.src.get(start..self.i).unwrap_or("");
        if word.is_ascii() {
            return None;
        }
        // verify_identifier: the first character that cannot be part of an identifier.
        for (k, ch) in word.char_indices() {
            let ok = if k == 0 { pycode_lexer::is_id_start(ch) } else { pycode_lexer::is_id_continue(ch) };
            if !ok {
                let cur = start + k + ch.len_utf8();
                let msg = if pycode_lexer::is_printable(ch) {
                    format!("invalid character '{ch}' (U+{:04X})", ch as u32)
                } else {
                    format!("invalid non-printable character U+{:04X}", ch as u32)
                };
                return Some(self.err_at(cur, msg));
            }
        }
        None
    }

    /// Numbers: the checks of `tok_get` for 0x/0o/0b, decimal tails, exponents, `j`.
    pub(super) fn number(&mut self) -> Option<TokError> {
        let b = self.b;
        let at = |k: usize| b.get(k).copied().unwrap_or(0);
        let mut i = self.i;
        let digits = |i: &mut usize, ok: &dyn Fn(u8) -> bool| -> Result<(), usize> {
            // digits with single underscores between; Err(pos) at a bad char after '_'
            loop {
                while ok(at(*i)) {
                    *i += 1;
                }
                if at(*i) != b'_' {
                    return Ok(());
                }
                *i += 1;
                if !ok(at(*i)) {
                    return Err(*i);
                }
            }
        };
        let kind;
        if at(i) == b'0' && matches!(at(i + 1), b'x' | b'X' | b'o' | b'O' | b'b' | b'B') {
            let (name, ok): (&str, &dyn Fn(u8) -> bool) = match at(i + 1) {
                b'x' | b'X' => ("hexadecimal", &|c: u8| c.is_ascii_hexdigit()),
                b'o' | b'O' => ("octal", &|c: u8| (b'0'..=b'7').contains(&c)),
                _ => ("binary", &|c: u8| c == b'0' || c == b'1'),
            };
            i += 2;
            // an optional '_' directly after the prefix
            let had_us = at(i) == b'_';
            if had_us {
                i += 1;
            }
            if !ok(at(i)) {
                if name != "hexadecimal" && at(i).is_ascii_digit() {
                    self.i = i;
                    return Some(self.err_at(i + 1, format!("invalid digit '{}' in {name} literal", at(i) as char)));
                }
                self.i = i;
                return Some(self.err_at(i, format!("invalid {name} literal")));
            }
            if let Err(p) = digits(&mut i, ok) {
                self.i = p;
                return Some(self.err_at(p, format!("invalid {name} literal")));
            }
            if name != "hexadecimal" && at(i).is_ascii_digit() {
                self.i = i;
                return Some(self.err_at(i + 1, format!("invalid digit '{}' in {name} literal", at(i) as char)));
            }
            kind = name;
        } else {
            let start = i;
            let mut is_float = false;
            if at(i) != b'.' {
                if let Err(p) = digits(&mut i, &|c: u8| c.is_ascii_digit()) {
                    self.i = p;
                    return Some(self.err_at(p, "invalid decimal literal".into()));
                }
            }
            let int_part = self.src.get(start..i).unwrap_or("");
            if at(i) == b'.' {
                is_float = true;
                i += 1;
                if at(i).is_ascii_digit() {
                    if let Err(p) = digits(&mut i, &|c: u8| c.is_ascii_digit()) {
                        self.i = p;
                        return Some(self.err_at(p, "invalid decimal literal".into()));
                    }
                }
            }
            if matches!(at(i), b'e' | b'E') {
                let save = i;
                let mut k = i + 1;
                if matches!(at(k), b'+' | b'-') {
                    k += 1;
                    if !at(k).is_ascii_digit() {
                        self.i = k;
                        return Some(self.err_at(k, "invalid decimal literal".into()));
                    }
                }
                if at(k).is_ascii_digit() {
                    i = k;
                    is_float = true;
                    if let Err(p) = digits(&mut i, &|c: u8| c.is_ascii_digit()) {
                        self.i = p;
                        return Some(self.err_at(p, "invalid decimal literal".into()));
                    }
                } else {
                    // `1e` followed by non-digit: backed up; checked as end of number below
                    i = save;
                }
            }
            if matches!(at(i), b'j' | b'J') {
                i += 1;
                kind = "imaginary";
            } else {
                kind = "decimal";
                if !is_float && int_part.len() > 1 && int_part.starts_with('0') && int_part.bytes().any(|c| c != b'0' && c != b'_') {
                    self.i = i;
                    let mut e = self.err_at(
                        start,
                        "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers".into(),
                    );
                    e.offset += 1;
                    // syntaxerror_known_range(..., zeros_end): just past the first character
                    // after the leading zeros
                    let nz = int_part.bytes().position(|c| c != b'0' && c != b'_').unwrap_or(int_part.len());
                    e.end_offset = self.src.get(self.line_start..start + nz).map_or(0, chars) + 1;
                    return Some(e);
                }
            }
        }
        self.i = i;
        // verify_end_of_number
        let c = at(i);
        let kw_ok = |w: &[u8]| b.get(i..i + w.len()) == Some(w) && !is_ident_byte(at(i + w.len()));
        let allowed = match c {
            b'a' => kw_ok(b"and"),
            b'e' => kw_ok(b"else"),
            b'f' => kw_ok(b"for"),
            b'i' => matches!(at(i + 1), b'f' | b'n' | b's'),
            b'o' => kw_ok(b"or"),
            b'n' => kw_ok(b"not"),
            _ => false,
        };
        if !allowed && c < 0x80 && is_ident_byte(c) {
            return Some(self.err_at(i, format!("invalid {kind} literal")));
        }
        None
    }

    /// A string literal starting at `start` (prefix included); `self.i` is at the quote.
    pub(super) fn string(&mut self, start: usize) -> Option<TokError> {
        let q = self.peek(0);
        let triple = self.peek(1) == q && self.peek(2) == q;
        let first_line = self.lineno;
        let first_line_start = self.line_start;
        // 3.12+ tokenizes an f-string's replacement fields as code (PEP 701).
        let prefix = self.src.get(start..self.i).unwrap_or("").to_ascii_lowercase();
        let fmt = self.minor >= PyMinor::Py312 && (prefix.contains('f') || (self.minor >= PyMinor::Py314 && prefix.contains('t')));
        self.i += if triple { 3 } else { 1 };
        if fmt {
            return self.fstring(start, q, triple, &prefix, first_line, first_line_start);
        }
        // 3.13+: an unterminated one-quote string holding an escaped quote gets a hint
        let mut escaped_quote = false;
        let minor = self.minor;
        let hint = move |mut e: TokError, escaped: bool| {
            if escaped && !triple && minor >= PyMinor::Py313 {
                e.msg.push_str("; perhaps you escaped the end quote?");
            }
            e
        };
        loop {
            let Some(&c) = self.b.get(self.i) else {
                let e = self.unterminated(start, first_line, first_line_start, triple);
                return Some(hint(e, escaped_quote));
            };
            if c == q {
                if !triple {
                    self.i += 1;
                    return None;
                }
                if self.peek(1) == q && self.peek(2) == q {
                    self.i += 3;
                    return None;
                }
                self.i += 1;
            } else if c == b'\\' {
                self.i += 1;
                escaped_quote |= self.peek(0) == q;
                if self.peek(0) == b'\n' {
                    self.i += 1;
                    self.newline();
                } else if self.i < self.b.len() {
                    self.i += 1;
                }
            } else if c == b'\n' {
                if !triple {
                    let e = self.unterminated(start, first_line, first_line_start, false);
                    return Some(hint(e, escaped_quote));
                }
                self.i += 1;
                self.newline();
            } else {
                self.i += 1;
            }
        }
    }

    pub(super) fn unterminated(&mut self, start: usize, first_line: u32, first_line_start: usize, triple: bool) -> TokError {
        let detected = if self.i >= self.b.len() && self.b.last() == Some(&b'\n') && triple {
            self.lineno.saturating_sub(1).max(first_line)
        } else {
            self.lineno
        };
        let col = self.src.get(first_line_start..start).map_or(0, chars) + 1;
        let msg = if triple {
            format!("unterminated triple-quoted string literal (detected at line {detected})")
        } else {
            format!("unterminated string literal (detected at line {detected})")
        };
        TokError {
            kind: ErrorKind::SyntaxError,
            msg,
            lineno: first_line,
            offset: col,
            end_lineno: first_line,
            end_offset: col,
            pos: start,
            direct: true,
        }
    }
}

fn is_ident_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

/// Scan `src` as CPython's tokenizer would and return its first error, plus the brackets still
/// open at that point.
pub fn scan(src: &str, minor: PyMinor) -> Scan {
    let mut lx = Lexer {
        src,
        b: src.as_bytes(),
        i: 0,
        line_start: 0,
        lineno: 1,
        minor,
        open: Vec::new(),
        ind: vec![(0, 0)],
        strings: Vec::new(),
        prev_string: false,
        run: 0,
    };
    let error = lx.run();
    Scan { error, open: lx.open, strings: lx.strings }
}
