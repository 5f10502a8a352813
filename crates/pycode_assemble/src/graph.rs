//! Turning assembled code units into a `pycode_object::ObjectGraph` whose sharing and
//! `FLAG_REF` bits reproduce what CPython 3.12's `marshal.dumps` writes for a freshly compiled
//! module (see `docs/pyc-sharing.md` for the measured rules):
//!
//! * objects CPython keeps once per compilation — constants merged by `c_const_cache` (including
//!   `co_names`, `co_consts`, `co_localsplusnames` tuples and the linetable / exception-table
//!   bytes, which `makecode`/`assemble_emit` pass through `_PyCompile_ConstCacheMergeOne`) and
//!   interned strings — become one `ObjId`;
//! * `flag_ref` is set when CPython's refcount is > 1 at dump time: the object is referenced more
//!   than once in the graph, or it is immortal (small ints, interned / empty / 1-character latin-1
//!   strings, the compiler's static names like `<module>`, `()`, `b''`, 1-byte bytes constants),
//!   or it is a `co_code` (a fresh bytes object cached on the code object).

use std::collections::HashMap;

use pycode_instr::{ConstId, ConstPool, ConstValue, PyStr};
use pycode_object::{Code, Obj, ObjId, ObjectGraph};

use crate::AssembledCode;

/// Static identifier strings of CPython's compiler (`_Py_STR(...)`): immortal, not interned by
/// content rules.
const STATIC_NAMES: &[&str] =
    &["<module>", "<lambda>", "<genexpr>", "<listcomp>", "<dictcomp>", "<setcomp>", ""];

/// Key for objects merged by `c_const_cache` / interning.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Key {
    Interned(Vec<u8>),
    Bytes(Vec<u8>),
    Tuple(Vec<ObjId>),
}

/// Builds one compilation's object graph.
pub struct GraphBuilder {
    graph: ObjectGraph,
    refs: Vec<u32>,
    immortal: Vec<bool>,
    consts: HashMap<ConstId, ObjId>,
    merged: HashMap<Key, ObjId>,
    codes: HashMap<u32, ObjId>,
    filename: ObjId,
}

/// `all_name_chars`: CPython interns string constants made only of `[A-Za-z0-9_]`.
fn all_name_chars(s: &PyStr) -> bool {
    s.as_bytes().iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
}

impl GraphBuilder {
    pub fn new(filename: &str) -> Self {
        let mut b = GraphBuilder {
            graph: ObjectGraph::new(),
            refs: Vec::new(),
            immortal: Vec::new(),
            consts: HashMap::new(),
            merged: HashMap::new(),
            codes: HashMap::new(),
            filename: ObjId(0),
        };
        b.filename = b.push(Obj::Str(PyStr::new(filename, false)), false);
        b
    }

    fn push(&mut self, obj: Obj, immortal: bool) -> ObjId {
        self.refs.push(0);
        self.immortal.push(immortal);
        self.graph.push(obj, false)
    }

    fn use_(&mut self, id: ObjId) -> ObjId {
        if let Some(r) = self.refs.get_mut(id.index()) {
            *r += 1;
        }
        id
    }

    /// An interned string (names, identifier-like constants).
    fn interned(&mut self, s: &PyStr) -> ObjId {
        let key = Key::Interned(s.as_bytes().to_vec());
        if let Some(&id) = self.merged.get(&key) {
            return id;
        }
        let mut v = s.clone();
        v.set_interned(true);
        let id = self.push(Obj::Str(v), true);
        self.merged.insert(key, id);
        id
    }

    fn merged_bytes(&mut self, b: &[u8]) -> ObjId {
        let key = Key::Bytes(b.to_vec());
        if let Some(&id) = self.merged.get(&key) {
            return id;
        }
        let id = self.push(Obj::Bytes(b.into()), b.len() <= 1);
        self.merged.insert(key, id);
        id
    }

    fn merged_tuple(&mut self, items: Vec<ObjId>) -> ObjId {
        for &i in &items {
            self.use_(i);
        }
        let key = Key::Tuple(items.clone());
        if let Some(&id) = self.merged.get(&key) {
            // The duplicate's items are not referenced after all.
            for &i in &items {
                if let Some(r) = self.refs.get_mut(i.index()) {
                    *r -= 1;
                }
            }
            return id;
        }
        let empty = items.is_empty();
        let id = self.push(Obj::Tuple(items.into()), empty);
        self.merged.insert(key, id);
        id
    }

    fn name_tuple(&mut self, names: &[PyStr]) -> ObjId {
        let items: Vec<ObjId> = names.iter().map(|n| self.interned(n)).collect();
        self.merged_tuple(items)
    }

    /// The object of a pooled constant (one per `ConstId`, like `c_const_cache`).
    pub fn constant(&mut self, pool: &ConstPool, id: ConstId) -> Option<ObjId> {
        self.constant_depth(pool, id, 0)
    }

    fn constant_depth(&mut self, pool: &ConstPool, id: ConstId, depth: usize) -> Option<ObjId> {
        if let Some(&o) = self.consts.get(&id) {
            return Some(o);
        }
        if depth > 200 {
            return None;
        }
        let v = pool.get(id)?.clone();
        let o = match v {
            ConstValue::None => self.push(Obj::None, false),
            ConstValue::True => self.push(Obj::True, false),
            ConstValue::False => self.push(Obj::False, false),
            ConstValue::Ellipsis => self.push(Obj::Ellipsis, false),
            ConstValue::Int(i) => self.push(Obj::Int(i), (-5..=256).contains(&i)),
            ConstValue::BigInt(b) => self.push(Obj::BigInt(b), false),
            ConstValue::Float(f) => self.push(Obj::Float(f64::from_bits(f)), false),
            ConstValue::Complex(r, i) => {
                self.push(Obj::Complex { real: f64::from_bits(r), imag: f64::from_bits(i) }, false)
            }
            ConstValue::Str(s) => {
                if all_name_chars(&s) {
                    self.interned(&s)
                } else {
                    let single = s.char_len() == 1 && s.code_points().all(|c| c < 256);
                    let stat = s.as_str().is_some_and(|x| STATIC_NAMES.contains(&x));
                    self.push(Obj::Str(s), single || stat)
                }
            }
            ConstValue::Bytes(b) => self.merged_bytes(&b),
            ConstValue::Tuple(items) => {
                let objs: Option<Vec<ObjId>> =
                    items.iter().map(|&c| self.constant_depth(pool, c, depth + 1)).collect();
                let objs = objs?;
                for &i in &objs {
                    self.use_(i);
                }
                let empty = objs.is_empty();
                self.push(Obj::Tuple(objs.into()), empty)
            }
            ConstValue::FrozenSet(items) => {
                let objs: Option<Vec<ObjId>> =
                    items.iter().map(|&c| self.constant_depth(pool, c, depth + 1)).collect();
                let objs = objs?;
                for &i in &objs {
                    self.use_(i);
                }
                self.push(Obj::FrozenSet(objs.into()), false)
            }
            ConstValue::Slice([a, b, c]) => {
                let a = self.constant_depth(pool, a, depth + 1)?;
                let b = self.constant_depth(pool, b, depth + 1)?;
                let c = self.constant_depth(pool, c, depth + 1)?;
                for i in [a, b, c] {
                    self.use_(i);
                }
                self.push(Obj::Slice([a, b, c]), false)
            }
            ConstValue::Code(h) => *self.codes.get(&h)?,
        };
        self.consts.insert(id, o);
        Some(o)
    }

    /// Adds a code object; `handle` is what `ConstValue::Code(handle)` of enclosing units uses.
    /// Returns `None` if a constant refers to an unknown id or code handle.
    pub fn add_code(&mut self, a: &AssembledCode, pool: &ConstPool, handle: Option<u32>) -> Option<ObjId> {
        let code = self.push(Obj::Bytes(a.code.as_slice().into()), true);
        let const_objs: Option<Vec<ObjId>> = a.consts.iter().map(|&c| self.constant(pool, c)).collect();
        let consts = self.merged_tuple(const_objs?);
        let names = self.name_tuple(&a.names);
        let lpn = self.name_tuple(&a.localsplusnames);
        let kinds = if a.localspluskinds.is_empty() {
            self.merged_bytes(&[])
        } else {
            self.push(Obj::Bytes(a.localspluskinds.as_slice().into()), false)
        };
        let name = self.interned(&a.name);
        let qualname = if a.qualname.as_bytes() == a.name.as_bytes() {
            name
        } else {
            self.push(Obj::Str(a.qualname.clone()), false)
        };
        let linetable = self.merged_bytes(&a.linetable);
        let exceptiontable = self.merged_bytes(&a.exceptiontable);
        let filename = self.filename;
        for id in [code, consts, names, lpn, kinds, filename, name, qualname, linetable, exceptiontable] {
            self.use_(id);
        }
        let c = Code {
            argcount: a.argcount as i32,
            posonlyargcount: a.posonlyargcount as i32,
            kwonlyargcount: a.kwonlyargcount as i32,
            stacksize: a.stacksize,
            flags: a.flags,
            code,
            consts,
            names,
            localsplusnames: lpn,
            localspluskinds: kinds,
            filename,
            name,
            qualname,
            firstlineno: a.firstlineno,
            linetable,
            exceptiontable,
        };
        let id = self.push(Obj::Code(Box::new(c)), false);
        if let Some(h) = handle {
            self.codes.insert(h, id);
        }
        Some(id)
    }

    /// Finishes the graph: `root` (the module code, held by the caller as well) is flagged like
    /// CPython's top-level code object.
    pub fn finish(mut self, root: ObjId) -> (ObjectGraph, ObjId) {
        self.use_(root);
        self.use_(root);
        for i in 0..self.graph.len() {
            let flag = self.immortal.get(i).copied().unwrap_or(false) || self.refs.get(i).copied().unwrap_or(0) > 1;
            if let Some(n) = self.graph.node_mut(ObjId(i as u32)) {
                // marshal never flags these singletons.
                let singleton = matches!(n.obj, Obj::None | Obj::True | Obj::False | Obj::Ellipsis | Obj::StopIteration | Obj::Null);
                n.flag_ref = flag && !singleton;
            }
        }
        (self.graph, root)
    }
}
