//! Token-level mutation of Python source: a rough lexer splits a program into tokens (names,
//! numbers, strings with their prefixes, operators, whitespace, newlines, comments), and
//! mutations insert, delete, duplicate, swap, splice and wrap tokens, change indentation,
//! string prefixes and f-string braces, and sprinkle in unicode, NUL bytes, invalid UTF-8 and
//! encoding declarations. Deterministic for a given [`Rng`] seed.

/// xorshift64: small, deterministic, good enough to pick mutations.
#[derive(Clone, Debug)]
pub struct Rng(pub u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// Uniform in `0..n` (0 when `n == 0`).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
    pub fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

/// Splits source text into tokens whose concatenation is the text again.
pub fn tokenize(src: &[u8]) -> Vec<Vec<u8>> {
    let mut toks = Vec::new();
    let mut i = 0;
    let n = src.len();
    while i < n {
        let start = i;
        let c = src[i];
        if c == b' ' || c == b'\t' || c == b'\x0c' {
            while i < n && matches!(src[i], b' ' | b'\t' | b'\x0c') {
                i += 1;
            }
        } else if c == b'\n' || c == b'\r' {
            i += 1;
        } else if c == b'#' {
            while i < n && src[i] != b'\n' {
                i += 1;
            }
        } else if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            while i < n && (src[i].is_ascii_alphanumeric() || src[i] == b'_' || src[i] >= 0x80) {
                i += 1;
            }
            if i < n && (src[i] == b'\'' || src[i] == b'"') && i - start <= 3 {
                i = string_end(src, i);
            }
        } else if c.is_ascii_digit() || (c == b'.' && i + 1 < n && src[i + 1].is_ascii_digit()) {
            while i < n && (src[i].is_ascii_alphanumeric() || src[i] == b'_' || src[i] == b'.') {
                i += 1;
            }
        } else if c == b'\'' || c == b'"' {
            i = string_end(src, i);
        } else {
            const OPS: [&[u8]; 24] = [
                b"**=", b"//=", b">>=", b"<<=", b"...", b"->", b":=", b"**", b"//", b"<<", b">>", b"<=", b">=", b"==", b"!=", b"+=", b"-=",
                b"*=", b"/=", b"%=", b"&=", b"|=", b"^=", b"@=",
            ];
            let op = OPS.iter().find(|op| src[i..].starts_with(op));
            i += op.map_or(1, |op| op.len());
        }
        toks.push(src[start..i.max(start + 1).min(n)].to_vec());
        i = i.max(start + 1);
    }
    toks
}

/// End of a string literal starting with the quote at `q` (single or triple quoted, with
/// backslash escapes); an unterminated one ends at the end of its line (or of the input).
fn string_end(src: &[u8], q: usize) -> usize {
    let n = src.len();
    let quote = src[q];
    let triple = q + 2 < n && src[q + 1] == quote && src[q + 2] == quote;
    let mut i = q + if triple { 3 } else { 1 };
    while i < n {
        let c = src[i];
        if c == b'\\' {
            i += 2;
            continue;
        }
        if !triple && c == b'\n' {
            return i;
        }
        if c == quote {
            if !triple {
                return i + 1;
            }
            if i + 2 < n && src[i + 1] == quote && src[i + 2] == quote {
                return i + 3;
            }
        }
        i += 1;
    }
    n
}

/// Tokens worth inserting: keywords, brackets, operators, odd whitespace and characters.
pub const DICT: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    ";",
    ".",
    "=",
    ":=",
    "->",
    "*",
    "**",
    "@",
    "|",
    "&",
    "~",
    "-",
    "+",
    "/",
    "//",
    "%",
    "<",
    ">",
    "==",
    "!=",
    "<<",
    ">>",
    "...",
    "\\\n",
    "\n",
    "\n    ",
    "\t",
    " ",
    "\r",
    "\r\n",
    "\x0c",
    "#",
    "# type: int",
    "# type: ignore",
    "if",
    "else",
    "elif",
    "while",
    "for",
    "in",
    "not",
    "and",
    "or",
    "is",
    "lambda",
    "def",
    "class",
    "return",
    "yield",
    "yield from",
    "await",
    "async",
    "with",
    "as",
    "try",
    "except",
    "except*",
    "finally",
    "raise",
    "from",
    "import",
    "global",
    "nonlocal",
    "del",
    "pass",
    "break",
    "continue",
    "assert",
    "match",
    "case",
    "type",
    "_",
    "None",
    "True",
    "False",
    "__debug__",
    "__class__",
    "super",
    "print",
    "x",
    "y",
    "self",
    "0",
    "1",
    "0x1f",
    "1_000",
    "1e309",
    "1j",
    "0.5",
    "0o777",
    "0b1",
    "09",
    "1__0",
    "'s'",
    "\"s\"",
    "'''t'''",
    "b'b'",
    "f'{x}'",
    "f'{x!r:>{w}}'",
    "f'{x=}'",
    "f'{{'",
    "f'}}'",
    "rb'\\d'",
    "u'u'",
    "t'{x}'",
    "'\\N{DASH}'",
    "'\\x'",
    "'\\777'",
    "'\\ud800'",
    "é",
    "ℌ",
    "𝔘",
    "\u{2028}",
    "\u{feff}",
    "\u{0}",
    "\u{a0}",
    "\u{300}",
    "$",
    "?",
    "!",
    "`",
];

const KEYWORDS: &[&str] = &[
    "if",
    "else",
    "elif",
    "while",
    "for",
    "in",
    "not",
    "and",
    "or",
    "is",
    "lambda",
    "def",
    "class",
    "return",
    "yield",
    "await",
    "async",
    "with",
    "as",
    "try",
    "except",
    "finally",
    "raise",
    "from",
    "import",
    "global",
    "nonlocal",
    "del",
    "pass",
    "break",
    "continue",
    "assert",
    "match",
    "case",
    "type",
    "_",
    "None",
    "True",
    "False",
    "__debug__",
];
const PREFIXES: &[&str] = &["", "r", "b", "f", "u", "rb", "br", "Rb", "fr", "rf", "F", "t", "tr", "bf", "ur"];
const BRACKETS: &[(&str, &str)] = &[
    ("(", ")"),
    ("[", "]"),
    ("{", "}"),
    ("f'{", "}'"),
    ("f\"{", "}\""),
    ("-", ""),
    ("not ", ""),
    ("lambda: ", ""),
    ("await ", ""),
    ("*", ""),
    ("(yield ", ")"),
    ("x if ", " else y"),
    ("[", " for x in y]"),
    ("f(", ")"),
    ("a[", "]"),
    ("{1: ", "}"),
    ("(x := ", ")"),
];
const ENCODINGS: &[&[u8]] = &[
    b"# -*- coding: latin-1 -*-\n",
    b"# coding: utf-8\n",
    b"# coding=cp1252\n",
    b"# vim: set fileencoding=ascii :\n",
    b"#!/usr/bin/python\n# coding: utf-16\n",
    b"# coding: bogus-codec\n",
    b"\xef\xbb\xbf",
    b"\xef\xbb\xbf# coding: latin-1\n",
    b"# coding: euc-jp\n",
];
const BAD_BYTES: &[&[u8]] = &[b"\x00", b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xe2\x80", b"\xf0\x9f\x98\x80", b"\x80"];

/// Depth of a wrap: mostly shallow, sometimes around CPython's limits, rarely very deep.
fn wrap_count(rng: &mut Rng) -> usize {
    match rng.below(10) {
        0..=5 => 1 + rng.below(4),
        6 => 95 + rng.below(10),
        7 => 145 + rng.below(10),
        8 => 195 + rng.below(10),
        _ => *rng.pick(&[1000, 2990, 3000, 5000, 10000]),
    }
}

/// One mutant of `seed` (`other` is a second program to splice from). The result is bounded
/// to `max_len` bytes.
pub fn mutate(rng: &mut Rng, seed: &[u8], other: &[u8], max_len: usize) -> Vec<u8> {
    let mut t = tokenize(seed);
    let o = tokenize(other);
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        let len = t.len();
        match rng.below(17) {
            0 if len > 0 => {
                t.remove(rng.below(len));
            }
            1 if len > 0 => {
                let i = rng.below(len);
                let tok = t[i].clone();
                t.insert(i, tok);
            }
            2 | 3 => {
                let i = rng.below(len + 1);
                t.insert(i, rng.pick(DICT).as_bytes().to_vec());
            }
            4 if len > 0 => {
                let i = rng.below(len);
                t[i] = rng.pick(DICT).as_bytes().to_vec();
            }
            5 if len > 1 => {
                let (i, j) = (rng.below(len), rng.below(len));
                t.swap(i, j);
            }
            6 if !o.is_empty() => {
                let a = rng.below(o.len());
                let b = (a + 1 + rng.below(40)).min(o.len());
                let at = rng.below(len + 1);
                t.splice(at..at, o[a..b].iter().cloned());
            }
            7 if len > 0 => {
                let a = rng.below(len);
                let b = (a + 1 + rng.below(20)).min(len);
                t.drain(a..b);
            }
            8 if len > 0 => {
                // Wrap a range of tokens in a bracket pair (or prefix) n times.
                let a = rng.below(len);
                let b = (a + 1 + rng.below(6)).min(len);
                let (open, close) = *rng.pick(BRACKETS);
                let n = wrap_count(rng);
                t.insert(b, close.repeat(n).into_bytes());
                t.insert(a, open.repeat(n).into_bytes());
            }
            9 => {
                // Indentation: change the whitespace after a newline.
                let nl: Vec<usize> = (0..len).filter(|&i| t[i] == b"\n").collect();
                if let Some(&i) = nl.get(rng.below(nl.len())) {
                    let ws: Vec<u8> = match rng.below(5) {
                        0 => b"\t".to_vec(),
                        1 => b" ".repeat(rng.below(9)),
                        2 => b"        \t".to_vec(),
                        3 => b"\x0c  ".to_vec(),
                        _ => b" ".repeat(wrap_count(rng).min(2000)),
                    };
                    if i + 1 < len && t[i + 1].iter().all(|c| matches!(c, b' ' | b'\t' | b'\x0c')) {
                        t[i + 1] = ws;
                    } else {
                        t.insert(i + 1, ws);
                    }
                }
            }
            10 => {
                // String prefix.
                let strs: Vec<usize> = (0..len).filter(|&i| t[i].iter().any(|&c| c == b'\'' || c == b'"')).collect();
                if let Some(&i) = strs.get(rng.below(strs.len())) {
                    let q = t[i].iter().position(|&c| c == b'\'' || c == b'"').unwrap_or(0);
                    let mut s = rng.pick(PREFIXES).as_bytes().to_vec();
                    s.extend_from_slice(&t[i][q..]);
                    t[i] = s;
                }
            }
            11 => {
                // f-string braces: insert replacement fields (nested, debug, format specs).
                const FIELDS: &[&str] = &[
                    "{x}",
                    "{",
                    "}",
                    "{{",
                    "}}",
                    "{x!r}",
                    "{x!}",
                    "{x=}",
                    "{x:{y}}",
                    "{x:{y:{z}}}",
                    "{x:>10}",
                    "{'a'}",
                    "{f'{x}'}",
                    "{lambda: 1}",
                    "{x,}",
                    "{*x}",
                    "{yield}",
                    "{x:=1}",
                    "{\n}",
                    "{#}",
                    "{x!r=}",
                    "{x:\n}",
                    "{=}",
                    "{!r}",
                    "{:}",
                    "\\{",
                    "\\N{x}",
                ];
                let strs: Vec<usize> = (0..len).filter(|&i| t[i].iter().any(|&c| c == b'\'' || c == b'"')).collect();
                if let Some(&i) = strs.get(rng.below(strs.len())) {
                    let q = t[i].iter().position(|&c| c == b'\'' || c == b'"').unwrap_or(0);
                    let mut s = if rng.chance(3) { b"t".to_vec() } else { b"f".to_vec() };
                    let body = &t[i][q..];
                    let cut = 1 + rng.below(body.len().max(1));
                    s.extend_from_slice(&body[..cut.min(body.len())]);
                    s.extend_from_slice(rng.pick(FIELDS).as_bytes());
                    s.extend_from_slice(&body[cut.min(body.len())..]);
                    t[i] = s;
                }
            }
            12 => {
                let at = rng.below(len + 1);
                t.insert(at, rng.pick(BAD_BYTES).to_vec());
            }
            13 => {
                let e = rng.pick(ENCODINGS).to_vec();
                t.insert(0, e);
            }
            14 if len > 0 => {
                // Repeat a line (elif chains, decorators, long statement lists).
                let nl: Vec<usize> = (0..len).filter(|&i| t[i] == b"\n").collect();
                if nl.len() >= 2 {
                    let k = rng.below(nl.len() - 1);
                    let (a, b) = (nl[k] + 1, nl[k + 1] + 1);
                    let line: Vec<Vec<u8>> = t[a..b].to_vec();
                    let n = wrap_count(rng);
                    for _ in 0..n {
                        t.splice(b..b, line.iter().cloned());
                    }
                }
            }
            15 if len > 0 => {
                // Byte-level damage inside one token.
                let i = rng.below(len);
                if !t[i].is_empty() {
                    let j = rng.below(t[i].len());
                    t[i][j] ^= 1 << rng.below(8);
                }
            }
            _ => {
                // Replace a name token by a keyword (or the other way round).
                let names: Vec<usize> = (0..len).filter(|&i| t[i].first().is_some_and(|c| c.is_ascii_alphabetic())).collect();
                if let Some(&i) = names.get(rng.below(names.len())) {
                    t[i] = rng.pick(KEYWORDS).as_bytes().to_vec();
                }
            }
        }
        if t.iter().map(Vec::len).sum::<usize>() > max_len {
            break;
        }
    }
    let mut out: Vec<u8> = t.concat();
    out.truncate(max_len);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenize_round_trips() {
        let src = b"def f(a, *b):\n    return rb'x\\'y' + f\"{a!r:>{b}}\" ** 2 # c\n\tx = 1.5e3j\n'''un\nterminated";
        assert_eq!(tokenize(src).concat(), src.to_vec());
        assert!(tokenize(src).iter().any(|t| t == b"rb'x\\'y'"));
    }

    #[test]
    fn mutants_are_bounded_and_deterministic() {
        let seed = b"if x:\n    y = (1, [2, {3: 'a'}])\nelse:\n    pass\n";
        let a: Vec<Vec<u8>> = {
            let mut r = Rng::new(7);
            (0..200).map(|_| mutate(&mut r, seed, seed, 4096)).collect()
        };
        let mut r = Rng::new(7);
        for m in &a {
            assert!(m.len() <= 4096);
            assert_eq!(&mutate(&mut r, seed, seed, 4096), m);
        }
        assert!(a.iter().any(|m| m != seed));
    }
}
