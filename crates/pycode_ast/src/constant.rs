//! `Constant` values and their Python `repr()`, which `ast.dump` prints.

use num_bigint::BigInt;
use pycode_object::pyrepr;
use pycode_object::PyStr;

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
    Complex {
        real: f64,
        imag: f64,
    },
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
        self.write_repr_uv(minor.unicode_version(), out)
    }

    fn write_repr_uv(&self, uv: pyrepr::UnicodeVersion, out: &mut String) {
        match self {
            Constant::None => out.push_str("None"),
            Constant::True => out.push_str("True"),
            Constant::False => out.push_str("False"),
            Constant::Ellipsis => out.push_str("Ellipsis"),
            Constant::Int(i) => out.push_str(&i.to_string()),
            Constant::BigInt(b) => out.push_str(&b.to_string()),
            Constant::Float(f) => pyrepr::write_float_repr(out, *f, true, false),
            Constant::Complex { real, imag } => pyrepr::write_complex_repr(out, *real, *imag),
            Constant::Str(s) => pyrepr::write_str_repr(out, s, uv),
            Constant::Bytes(b) => pyrepr::write_bytes_repr(out, b),
            Constant::Tuple(items) => {
                out.push('(');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write_repr_uv(uv, out);
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
                    item.write_repr_uv(uv, out);
                }
                out.push_str("})");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected text is what CPython 3.11.7 `ast.dump` prints for these literals.
    #[test]
    fn reprs() {
        let m = PyMinor::Py311;
        // A round-half-even tie between two shortest digit strings (`2**-25`).
        assert_eq!(Constant::Float(2f64.powi(-25)).repr(m), "2.9802322387695312e-08");
        assert_eq!(Constant::Float(-1113178120592002.2).repr(m), "-1113178120592002.2");
        assert_eq!(Constant::Complex { real: 0.0, imag: 1e16 }.repr(m), "1e+16j");
        assert_eq!(Constant::Str(PyStr::new("a'b\n\u{85}\u{1FAE8}", false)).repr(m), "\"a'b\\n\\x85\\U0001fae8\"");
        assert_eq!(Constant::Str(PyStr::new("\u{1FAE8}", false)).repr(PyMinor::Py312), "'\u{1FAE8}'");
        assert_eq!(Constant::Bytes(Box::new(*b"'\"\x00")).repr(m), "b'\\'\"\\x00'");
        let t = Constant::Tuple(Box::new([Constant::Float(1e16), Constant::Str(PyStr::new("\u{ad}", false))]));
        assert_eq!(t.repr(m), "(1e+16, '\\xad')");
        assert_eq!(Constant::FrozenSet(Box::new([])).repr(m), "frozenset()");
    }
}
