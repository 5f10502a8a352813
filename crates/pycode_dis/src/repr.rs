//! `repr()` of the objects that can appear in `co_consts`, exactly as each CPython release
//! prints them: containers, sets in CPython's iteration order, `Objects/codeobject.c`
//! `code_repr`, ... The primitive values (`str`, `bytes`, `float`, `complex`) are
//! [`pycode_object::pyrepr`]'s, re-exported here.

use std::fmt::Write as _;

use pycode_object::{Obj, ObjId, ObjectGraph, PyStr};

use crate::pyhash::Hasher;
use crate::DisError;

/// Re-exported so that callers printing constants (the unparser) need only this module.
pub use pycode_object::pyrepr::{write_bytes_repr, write_complex_repr, write_float_repr, write_str_repr, UnicodeVersion};

/// Nesting limit for reprs of nested containers (CPython would raise `RecursionError` somewhere
/// around here too; marshal data is limited to 2000 levels).
const MAX_REPR_DEPTH: u32 = 1000;

/// CPython's default `sys.get_int_max_str_digits()` (3.11.7 and later).
const INT_MAX_STR_DIGITS: usize = 4300;

/// Formats object reprs into a caller-owned buffer.
pub struct Repr<'g> {
    pub graph: &'g ObjectGraph,
    pub unicode: UnicodeVersion,
    /// How to order set elements: like a CPython with `PYTHONHASHSEED=0` of that hash width, or
    /// (`None`) in marshal order.
    pub set_order: Option<Hasher>,
}

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
            Obj::Dict(pairs) => self.write_pairs(out, pairs, depth)?,
            // `frozendict()`, or `frozendict({...})` as 3.15 prints it.
            Obj::FrozenDict(pairs) => {
                if pairs.is_empty() {
                    out.push_str("frozendict()");
                } else {
                    out.push_str("frozendict(");
                    self.write_pairs(out, pairs, depth)?;
                    out.push(')');
                }
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

    fn write_pairs(&self, out: &mut String, pairs: &[(ObjId, ObjId)], depth: u32) -> Result<(), DisError> {
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
