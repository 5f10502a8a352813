//! `repr()` of the objects that can appear in `co_consts`, exactly as each CPython release
//! prints them (`Objects/unicodeobject.c` `unicode_repr`, `Objects/bytesobject.c`
//! `PyBytes_Repr`, `Python/pystrtod.c` `format_float_short`, `Objects/complexobject.c`
//! `complex_repr`, `Objects/codeobject.c` `code_repr`, ...).

use std::fmt::Write as _;

use pycode_object::{Obj, ObjId, ObjectGraph, PyStr};

use crate::pyhash::Hasher;
use crate::unicode_printable as up;
use crate::DisError;

/// Nesting limit for reprs of nested containers (CPython would raise `RecursionError` somewhere
/// around here too; marshal data is limited to 2000 levels).
const MAX_REPR_DEPTH: u32 = 1000;

/// CPython's default `sys.get_int_max_str_digits()` (3.11.7 and later).
const INT_MAX_STR_DIGITS: usize = 4300;

/// Which Unicode database decides what `repr(str)` escapes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnicodeVersion {
    /// Unicode 14.0.0 (CPython 3.11).
    V14,
    /// Unicode 15.0.0 (CPython 3.12).
    V15_0,
    /// Unicode 15.1.0 (CPython 3.13).
    V15_1,
    /// Unicode 16.0.0 (CPython 3.14).
    V16,
}

impl UnicodeVersion {
    fn not_printable_table(self) -> &'static [(u32, u32)] {
        match self {
            UnicodeVersion::V14 => up::NOT_PRINTABLE_V14,
            UnicodeVersion::V15_0 => up::NOT_PRINTABLE_V15_0,
            UnicodeVersion::V15_1 => up::NOT_PRINTABLE_V15_1,
            UnicodeVersion::V16 => up::NOT_PRINTABLE_V16,
        }
    }

    /// `Py_UNICODE_ISPRINTABLE(ch)` of this database.
    pub fn is_printable(self, ch: u32) -> bool {
        let t = self.not_printable_table();
        // Binary search for the last range starting at or before `ch`.
        let idx = t.partition_point(|&(a, _)| a <= ch);
        match idx.checked_sub(1).and_then(|i| t.get(i)) {
            Some(&(_, b)) => ch > b,
            None => true,
        }
    }
}

/// Formats object reprs into a caller-owned buffer.
pub struct Repr<'g> {
    pub graph: &'g ObjectGraph,
    pub unicode: UnicodeVersion,
    /// How to order set elements: like a CPython with `PYTHONHASHSEED=0` of that hash width, or
    /// (`None`) in marshal order.
    pub set_order: Option<Hasher>,
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The fake address shown in code object reprs (`%p` in `code_repr`): stable per object so that
/// outputs are reproducible; the address is the only permitted difference from CPython.
pub fn fake_address(id: ObjId) -> u64 {
    0x7f00_0000_0000 + (id.0 as u64) * 0x100
}

impl<'g> Repr<'g> {
    pub fn new(graph: &'g ObjectGraph, unicode: UnicodeVersion, set_order: Option<Hasher>) -> Self {
        Self { graph, unicode, set_order }
    }

    /// Set elements in the order CPython iterates them (see [`crate::pyhash`]), or marshal
    /// order when that cannot be predicted.
    fn set_items(&self, items: &[ObjId], depth: u32) -> Vec<ObjId> {
        if let Some(h) = self.set_order {
            if let Some(order) = h.set_order(self.graph, items, depth) {
                return order.into_iter().map(|(id, _)| id).collect();
            }
        }
        items.to_vec()
    }

    /// Appends `repr(obj)` to `out`.
    pub fn write(&self, out: &mut String, id: ObjId) -> Result<(), DisError> {
        self.write_depth(out, id, 0)
    }

    fn get(&self, id: ObjId) -> Result<&'g Obj, DisError> {
        self.graph.get(id).ok_or(DisError::BadObject(id))
    }

    fn write_depth(&self, out: &mut String, id: ObjId, depth: u32) -> Result<(), DisError> {
        if depth > MAX_REPR_DEPTH {
            return Err(DisError::Repr("maximum recursion depth exceeded while getting the repr of an object".into()));
        }
        match self.get(id)? {
            Obj::Null => out.push_str("<NULL>"),
            Obj::None => out.push_str("None"),
            Obj::False => out.push_str("False"),
            Obj::True => out.push_str("True"),
            Obj::StopIteration => out.push_str("<class 'StopIteration'>"),
            Obj::Ellipsis => out.push_str("Ellipsis"),
            Obj::Int(v) => {
                let _ = write!(out, "{v}");
            }
            Obj::BigInt(v) => {
                let s = v.to_string();
                let digits = s.trim_start_matches('-').len();
                if digits > INT_MAX_STR_DIGITS {
                    return Err(DisError::Repr(format!(
                        "Exceeds the limit ({INT_MAX_STR_DIGITS} digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit"
                    )));
                }
                out.push_str(&s);
            }
            Obj::Float(f) => write_float_repr(out, *f, true, false),
            Obj::Complex { real, imag } => write_complex_repr(out, *real, *imag),
            Obj::Str(s) => write_str_repr(out, s, self.unicode),
            Obj::Bytes(b) => write_bytes_repr(out, b),
            Obj::Tuple(items) => {
                out.push('(');
                for (i, &item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.write_depth(out, item, depth + 1)?;
                }
                if items.len() == 1 {
                    out.push(',');
                }
                out.push(')');
            }
            Obj::List(items) => {
                out.push('[');
                self.write_seq(out, items, depth)?;
                out.push(']');
            }
            Obj::Dict(pairs) => {
                out.push('{');
                for (i, &(k, v)) in pairs.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.write_depth(out, k, depth + 1)?;
                    out.push_str(": ");
                    self.write_depth(out, v, depth + 1)?;
                }
                out.push('}');
            }
            Obj::Set(items) => {
                if items.is_empty() {
                    out.push_str("set()");
                } else {
                    out.push('{');
                    self.write_seq(out, &self.set_items(items, depth), depth)?;
                    out.push('}');
                }
            }
            Obj::FrozenSet(items) => {
                if items.is_empty() {
                    out.push_str("frozenset()");
                } else {
                    out.push_str("frozenset({");
                    self.write_seq(out, &self.set_items(items, depth), depth)?;
                    out.push_str("})");
                }
            }
            Obj::Slice(parts) => {
                out.push_str("slice(");
                self.write_seq(out, parts, depth)?;
                out.push(')');
            }
            Obj::Code(code) => {
                // `code_repr`: line 0 is shown as -1; a non-str filename as `???`.
                out.push_str("<code object ");
                self.write_raw_str(out, code.name)?;
                let _ = write!(out, " at 0x{:x}, file ", fake_address(id));
                match self.graph.str(code.filename) {
                    Some(f) => {
                        out.push('"');
                        push_pystr(out, f);
                        out.push('"');
                    }
                    None => out.push_str("???"),
                }
                let line = if code.firstlineno != 0 { code.firstlineno } else { -1 };
                let _ = write!(out, ", line {line}>");
            }
        }
        Ok(())
    }

    fn write_seq(&self, out: &mut String, items: &[ObjId], depth: u32) -> Result<(), DisError> {
        for (i, &item) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            self.write_depth(out, item, depth + 1)?;
        }
        Ok(())
    }

    /// Appends `str(obj)` for a `str` object (as `%s`/`%U` do).
    pub fn write_raw_str(&self, out: &mut String, id: ObjId) -> Result<(), DisError> {
        match self.get(id)? {
            Obj::Str(s) => {
                push_pystr(out, s);
                Ok(())
            }
            _ => Err(DisError::BadObject(id)),
        }
    }
}

/// Appends a Python string as text. Lone surrogates (which CPython could not print to a UTF-8
/// stream either) become U+FFFD.
pub fn push_pystr(out: &mut String, s: &PyStr) {
    match s.as_str() {
        Some(t) => out.push_str(t),
        None => out.push_str(&s.to_string_lossy()),
    }
}

/// `unicode_repr`.
pub fn write_str_repr(out: &mut String, s: &PyStr, uv: UnicodeVersion) {
    let bytes = s.as_bytes();
    let has_single = bytes.contains(&b'\'');
    let has_double = bytes.contains(&b'"');
    let quote = if has_single && !has_double { '"' } else { '\'' };
    out.reserve(bytes.len() + 2);
    out.push(quote);
    if let Some(text) = s.as_str() {
        for ch in text.chars() {
            push_str_char(out, ch as u32, quote, uv);
        }
    } else {
        for cp in s.code_points() {
            push_str_char(out, cp, quote, uv);
        }
    }
    out.push(quote);
}

fn push_hex(out: &mut String, prefix: &str, v: u32, digits: u32) {
    out.push_str(prefix);
    for i in (0..digits).rev() {
        out.push(HEX[((v >> (i * 4)) & 15) as usize] as char);
    }
}

fn push_str_char(out: &mut String, ch: u32, quote: char, uv: UnicodeVersion) {
    if ch == quote as u32 || ch == '\\' as u32 {
        out.push('\\');
        out.push(quote_or_backslash(ch));
    } else if ch == '\t' as u32 {
        out.push_str("\\t");
    } else if ch == '\n' as u32 {
        out.push_str("\\n");
    } else if ch == '\r' as u32 {
        out.push_str("\\r");
    } else if ch < 0x20 || ch == 0x7f {
        push_hex(out, "\\x", ch, 2);
    } else if ch < 0x7f {
        out.push(ch as u8 as char);
    } else if uv.is_printable(ch) {
        // Printable code points are never surrogates, so this always succeeds.
        out.push(char::from_u32(ch).unwrap_or('\u{FFFD}'));
    } else if ch <= 0xff {
        push_hex(out, "\\x", ch, 2);
    } else if ch <= 0xffff {
        push_hex(out, "\\u", ch, 4);
    } else {
        push_hex(out, "\\U", ch, 8);
    }
}

fn quote_or_backslash(ch: u32) -> char {
    if ch == '\\' as u32 {
        '\\'
    } else if ch == '"' as u32 {
        '"'
    } else {
        '\''
    }
}

/// `PyBytes_Repr` (with `smartquotes`).
pub fn write_bytes_repr(out: &mut String, b: &[u8]) {
    let has_single = b.contains(&b'\'');
    let has_double = b.contains(&b'"');
    let quote = if has_single && !has_double { b'"' } else { b'\'' };
    out.reserve(b.len() + 3);
    out.push('b');
    out.push(quote as char);
    for &c in b {
        if c == quote || c == b'\\' {
            out.push('\\');
            out.push(c as char);
        } else if c == b'\t' {
            out.push_str("\\t");
        } else if c == b'\n' {
            out.push_str("\\n");
        } else if c == b'\r' {
            out.push_str("\\r");
        } else if !(0x20..0x7f).contains(&c) {
            push_hex(out, "\\x", c as u32, 2);
        } else {
            out.push(c as char);
        }
    }
    out.push(quote as char);
}

/// `PyOS_double_to_string(x, 'r', 0, flags)` as used by `float_repr` (`add_dot_0`) and
/// `complex_repr` (`sign` for the imaginary part).
pub fn write_float_repr(out: &mut String, x: f64, add_dot_0: bool, sign: bool) {
    if x.is_nan() {
        // CPython never shows a sign on NaN except the forced '+'.
        out.push_str(if sign { "+nan" } else { "nan" });
        return;
    }
    if x.is_sign_negative() {
        out.push('-');
    } else if sign {
        out.push('+');
    }
    if x.is_infinite() {
        out.push_str("inf");
        return;
    }
    // Shortest round-trip digits from Rust's formatter: "d.ddde[-]N".
    // Shortest round-trip digit count from Rust's formatter, then the correctly rounded
    // (round-half-even) digits of that length: CPython's `repr` picks the candidate closest to
    // the exact value when several strings of the shortest length round-trip.
    let mut buf = String::with_capacity(32);
    let _ = write!(buf, "{:e}", x.abs());
    let ndigits = buf.split_once('e').map_or(buf.len(), |(m, _)| m.bytes().filter(u8::is_ascii_digit).count());
    let mut exact = String::with_capacity(32);
    let _ = write!(exact, "{:.*e}", ndigits.saturating_sub(1), x.abs());
    // Near a power of two the interval of round-tripping strings is lopsided and the correctly
    // rounded candidate may fall outside it; then the shortest one is the only candidate.
    if exact.parse::<f64>().ok() == Some(x.abs()) {
        buf = exact;
    }
    let (mant, exp) = buf.split_once('e').unwrap_or((&buf, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut digits = [0u8; 32];
    let mut n = 0usize;
    for &c in mant.as_bytes() {
        if c.is_ascii_digit() && n < digits.len() {
            digits[n] = c;
            n += 1;
        }
    }
    let digits = &digits[..n];
    let decpt = exp + 1;
    if decpt <= -4 || decpt > 16 {
        // Exponent notation: d[.ddd]e[+-]XX.
        out.push(digits.first().copied().unwrap_or(b'0') as char);
        if digits.len() > 1 {
            out.push('.');
            for &d in &digits[1..] {
                out.push(d as char);
            }
        }
        let e = decpt - 1;
        let _ = write!(out, "e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
    } else if decpt <= 0 {
        out.push_str("0.");
        for _ in 0..(-decpt) {
            out.push('0');
        }
        for &d in digits {
            out.push(d as char);
        }
    } else {
        let decpt = decpt as usize;
        if decpt >= digits.len() {
            for &d in digits {
                out.push(d as char);
            }
            for _ in digits.len()..decpt {
                out.push('0');
            }
            if add_dot_0 {
                out.push_str(".0");
            }
        } else {
            for &d in &digits[..decpt] {
                out.push(d as char);
            }
            out.push('.');
            for &d in &digits[decpt..] {
                out.push(d as char);
            }
        }
    }
}

/// `complex_repr`.
pub fn write_complex_repr(out: &mut String, real: f64, imag: f64) {
    if real == 0.0 && real.is_sign_positive() {
        write_float_repr(out, imag, false, false);
        out.push('j');
    } else {
        out.push('(');
        write_float_repr(out, real, false, false);
        write_float_repr(out, imag, false, true);
        out.push_str("j)");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(x: f64) -> String {
        let mut s = String::new();
        write_float_repr(&mut s, x, true, false);
        s
    }

    fn c(r: f64, i: f64) -> String {
        let mut s = String::new();
        write_complex_repr(&mut s, r, i);
        s
    }

    fn sr(s: &str, uv: UnicodeVersion) -> String {
        let mut o = String::new();
        write_str_repr(&mut o, &PyStr::new(s, false), uv);
        o
    }

    #[test]
    fn floats() {
        assert_eq!(f(1e16), "1e+16");
        assert_eq!(f(1e15), "1000000000000000.0");
        assert_eq!(f(1e-4), "0.0001");
        assert_eq!(f(1e-5), "1e-05");
        assert_eq!(f(123456789012345678.0), "1.2345678901234568e+17");
        assert_eq!(f(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(f(-0.0), "-0.0");
        assert_eq!(f(0.0), "0.0");
        assert_eq!(f(f64::INFINITY), "inf");
        assert_eq!(f(-f64::INFINITY), "-inf");
        assert_eq!(f(-f64::NAN), "nan");
        assert_eq!(f(1.5), "1.5");
        assert_eq!(f(5e-324), "5e-324");
        assert_eq!(f(2.9802322387695312e-08), "2.9802322387695312e-08");
        assert_eq!(f(5.960464477539063e-08), "5.960464477539063e-08");
        assert_eq!(f(1.7976931348623157e308), "1.7976931348623157e+308");
    }

    #[test]
    fn complexes() {
        assert_eq!(c(-f64::NAN, -f64::NAN), "(nan+nanj)");
        assert_eq!(c(0.0, -0.0), "-0j");
        assert_eq!(c(-0.0, 0.0), "(-0+0j)");
        assert_eq!(c(1e16, 1e-5), "(1e+16+1e-05j)");
        assert_eq!(c(1.5, 2.0), "(1.5+2j)");
        assert_eq!(c(0.0, f64::INFINITY), "infj");
        assert_eq!(c(f64::NAN, 1.0), "(nan+1j)");
    }

    #[test]
    fn strings() {
        let v = UnicodeVersion::V14;
        assert_eq!(sr("'\"", v), "'\\'\"'");
        assert_eq!(sr("'", v), "\"'\"");
        assert_eq!(sr("\x7f\u{80}\u{a0}\u{ad}", v), "'\\x7f\\x80\\xa0\\xad'");
        assert_eq!(sr("a\tb\\\u{e9}\u{200b}\u{1F600}", v), "'a\\tb\\\\\u{e9}\\u200b\u{1F600}'");
        let s = PyStr::from_surrogatepass(b"\xed\xa0\x80", false).unwrap();
        let mut o = String::new();
        write_str_repr(&mut o, &s, v);
        assert_eq!(o, "'\\ud800'");
    }

    #[test]
    fn bytes() {
        let mut o = String::new();
        write_bytes_repr(&mut o, b"'\"\x00\xff\\");
        assert_eq!(o, "b'\\'\"\\x00\\xff\\\\'");
        o.clear();
        write_bytes_repr(&mut o, b"'");
        assert_eq!(o, "b\"'\"");
    }
}
