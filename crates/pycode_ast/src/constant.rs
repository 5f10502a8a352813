//! `Constant` values and their Python `repr()`, which `ast.dump` prints.

use num_bigint::BigInt;
use pycode_object::PyStr;

use crate::unicode_tables;
use crate::PyMinor;

/// The value of a `Constant` node (or `MatchSingleton`).
#[derive(Clone, Debug, PartialEq)]
pub enum Constant {
    None,
    True,
    False,
    Ellipsis,
    /// An `int` that fits in an `i64`.
    Int(i64),
    /// An `int` outside the `i64` range.
    BigInt(Box<BigInt>),
    Float(f64),
    Complex { real: f64, imag: f64 },
    /// A `str`; may hold lone surrogates (from `\udXXX` escapes).
    Str(PyStr),
    Bytes(Box<[u8]>),
    /// Only produced by constant folding, never by the parser.
    Tuple(Box<[Constant]>),
    /// Only produced by constant folding, never by the parser.
    FrozenSet(Box<[Constant]>),
}

impl Constant {
    /// Python's `repr()` of the value as the given release prints it (string escapes depend on the
    /// release's Unicode database).
    pub fn repr(&self, minor: PyMinor) -> String {
        let mut out = String::new();
        self.write_repr(minor, &mut out);
        out
    }

    /// Appends `repr()` of the value to `out`.
    pub fn write_repr(&self, minor: PyMinor, out: &mut String) {
        match self {
            Constant::None => out.push_str("None"),
            Constant::True => out.push_str("True"),
            Constant::False => out.push_str("False"),
            Constant::Ellipsis => out.push_str("Ellipsis"),
            Constant::Int(i) => out.push_str(&i.to_string()),
            Constant::BigInt(b) => out.push_str(&b.to_string()),
            Constant::Float(f) => out.push_str(&float_repr(*f)),
            Constant::Complex { real, imag } => out.push_str(&complex_repr(*real, *imag)),
            Constant::Str(s) => write_str_repr(s, minor, out),
            Constant::Bytes(b) => write_bytes_repr(b, out),
            Constant::Tuple(items) => {
                out.push('(');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write_repr(minor, out);
                }
                if items.len() == 1 {
                    out.push(',');
                }
                out.push(')');
            }
            Constant::FrozenSet(items) => {
                if items.is_empty() {
                    out.push_str("frozenset()");
                    return;
                }
                out.push_str("frozenset({");
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write_repr(minor, out);
                }
                out.push_str("})");
            }
        }
    }
}

/// Shortest round-trip digits and decimal exponent of a finite, non-zero `f`'s magnitude:
/// `f == 0.d1d2d3... * 10**decpt`.
fn shortest_digits(f: f64) -> (String, i32) {
    // `{:e}` gives the shortest round-trip representation, e.g. "1.2345e-7".
    let s = format!("{:e}", f.abs());
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0".to_string() } else { digits.to_string() };
    (digits, exp + 1)
}

/// Mirrors CPython's `PyOS_double_to_string(x, 'r', 0, flags)`: `add_dot_0` is
/// `Py_DTSF_ADD_DOT_0` (set by `float.__repr__`, not by `complex.__repr__`).
fn format_r(f: f64, add_dot_0: bool) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f < 0.0 { "-inf".into() } else { "inf".into() };
    }
    let sign = if f.is_sign_negative() { "-" } else { "" };
    if f == 0.0 {
        return format!("{sign}0{}", if add_dot_0 { ".0" } else { "" });
    }
    let (digits, decpt) = shortest_digits(f);
    let nd = digits.len() as i32;
    let mut out = String::from(sign);
    if decpt <= -4 || decpt > 16 {
        // Exponential: d[.ddd]e±XX
        out.push_str(&digits[..1]);
        if nd > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let e = decpt - 1;
        out.push('e');
        out.push(if e < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", e.abs()));
    } else if decpt <= 0 {
        out.push_str("0.");
        for _ in 0..(-decpt) {
            out.push('0');
        }
        out.push_str(&digits);
    } else if decpt >= nd {
        out.push_str(&digits);
        for _ in 0..(decpt - nd) {
            out.push('0');
        }
        if add_dot_0 {
            out.push_str(".0");
        }
    } else {
        out.push_str(&digits[..decpt as usize]);
        out.push('.');
        out.push_str(&digits[decpt as usize..]);
    }
    out
}

/// `float.__repr__`.
pub fn float_repr(f: f64) -> String {
    format_r(f, true)
}

/// `complex.__repr__` (CPython's `complex_repr`).
pub fn complex_repr(real: f64, imag: f64) -> String {
    if real == 0.0 && real.is_sign_positive() {
        format!("{}j", format_r(imag, false))
    } else {
        let re = format_r(real, false);
        let im = format_r(imag, false);
        let im = if im.starts_with('-') { im } else { format!("+{im}") };
        format!("({re}{im}j)")
    }
}

/// Python's `str.isprintable()` for one code point under the release's Unicode database.
pub fn is_printable(cp: u32, minor: PyMinor) -> bool {
    let table: &[(u32, u32)] = match minor {
        PyMinor::Py311 => &unicode_tables::NONPRINTABLE_14_0_0,
        PyMinor::Py312 => &unicode_tables::NONPRINTABLE_15_0_0,
        PyMinor::Py313 => &unicode_tables::NONPRINTABLE_15_1_0,
        PyMinor::Py314 => &unicode_tables::NONPRINTABLE_16_0_0,
    };
    // Find the last range starting at or before cp.
    let idx = table.partition_point(|&(start, _)| start <= cp);
    match idx.checked_sub(1).and_then(|i| table.get(i)) {
        Some(&(_, end)) => cp > end,
        None => true,
    }
}

/// `str.__repr__` (CPython's `unicode_repr`).
pub fn write_str_repr(s: &PyStr, minor: PyMinor, out: &mut String) {
    let mut squote = false;
    let mut dquote = false;
    for cp in s.code_points() {
        if cp == '\'' as u32 {
            squote = true;
        } else if cp == '"' as u32 {
            dquote = true;
        }
    }
    let quote = if squote && !dquote { '"' } else { '\'' };
    out.push(quote);
    for cp in s.code_points() {
        match cp {
            _ if cp == quote as u32 || cp == '\\' as u32 => {
                out.push('\\');
                out.push(char::from_u32(cp).unwrap_or('\\'));
            }
            0x09 => out.push_str("\\t"),
            0x0A => out.push_str("\\n"),
            0x0D => out.push_str("\\r"),
            _ if cp < 0x20 || cp == 0x7F => out.push_str(&format!("\\x{cp:02x}")),
            _ if cp < 0x7F => out.push(cp as u8 as char),
            _ => match char::from_u32(cp) {
                Some(c) if is_printable(cp, minor) => out.push(c),
                _ if cp <= 0xFF => out.push_str(&format!("\\x{cp:02x}")),
                _ if cp <= 0xFFFF => out.push_str(&format!("\\u{cp:04x}")),
                _ => out.push_str(&format!("\\U{cp:08x}")),
            },
        }
    }
    out.push(quote);
}

/// `bytes.__repr__`.
pub fn write_bytes_repr(b: &[u8], out: &mut String) {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') { '"' } else { '\'' };
    out.push('b');
    out.push(quote);
    for &c in b {
        match c {
            _ if c == quote as u8 || c == b'\\' => {
                out.push('\\');
                out.push(c as char);
            }
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            0x20..=0x7E => out.push(c as char),
            _ => out.push_str(&format!("\\x{c:02x}")),
        }
    }
    out.push(quote);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats() {
        for (f, s) in [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1.5e-5, "1.5e-05"),
            (0.0001, "0.0001"),
            (123.456, "123.456"),
            (1e300, "1e+300"),
            (-0.0, "-0.0"),
            (f64::INFINITY, "inf"),
            (2.5e-320, "2.5e-320"),
        ] {
            assert_eq!(float_repr(f), s);
        }
        assert_eq!(complex_repr(0.0, 1.0), "1j");
        assert_eq!(complex_repr(0.0, 1e16), "1e+16j");
        assert_eq!(complex_repr(1.0, -2.0), "(1-2j)");
    }

    #[test]
    fn strs() {
        let mut out = String::new();
        write_str_repr(&PyStr::new("a'b\n\u{85}é\u{200b}", false), PyMinor::Py311, &mut out);
        assert_eq!(out, "\"a'b\\n\\x85é\\u200b\"");
        let mut out = String::new();
        write_bytes_repr(b"'\"\x00\xff", &mut out);
        assert_eq!(out, "b'\\'\"\\x00\\xff'");
    }
}
