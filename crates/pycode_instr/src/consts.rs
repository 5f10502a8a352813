//! The compilation-wide constant pool.
//!
//! CPython merges equal constants of a whole compilation into one object (`merge_consts_recursive`
//! with the compiler's `c_const_cache`, keyed by `_PyCode_ConstantKey`). Here a constant is
//! interned into the [`ConstPool`] once and referred to by [`ConstId`]; equal keys give equal ids.
//! The key rules of `_PyCode_ConstantKey` are kept:
//! * the type is part of the key (`1`, `1.0`, `True` differ);
//! * floats and complexes compare by bit pattern, so `0.0` and `-0.0` differ (CPython adds a
//!   marker for negative zero); a NaN is never merged (CPython merges NaNs only when they are
//!   the same object, and each fold makes a new one);
//! * tuples compare element-wise by key, frozensets as sets of keys (order-insensitive).

use hashbrown::HashTable;
use pycode_object::{BigInt, PyStr};

use crate::indexset::fx_hash;

/// Index of a constant in a [`ConstPool`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConstId(pub u32);

impl ConstId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A constant value. Containers refer to already-pooled elements.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ConstValue {
    None,
    Ellipsis,
    False,
    True,
    Int(i64),
    /// An `int` outside the `i64` range.
    BigInt(Box<BigInt>),
    /// `f64::to_bits`
    Float(u64),
    /// `(real.to_bits(), imag.to_bits())`
    Complex(u64, u64),
    /// Stored with `interned == false`; interning is decided by the assembler.
    Str(PyStr),
    Bytes(Box<[u8]>),
    Tuple(Box<[ConstId]>),
    /// Elements in the order the compiler produced them (marshal writes them in set iteration
    /// order, which the assembler decides).
    FrozenSet(Box<[ConstId]>),
    /// `slice(start, stop, step)` constants (3.14).
    Slice([ConstId; 3]),
    /// A nested code object: an opaque handle chosen by the caller (e.g. the index of the finished
    /// code unit). Every handle is its own constant, like CPython keys code objects by identity.
    Code(u32),
}

impl ConstValue {
    pub fn float(v: f64) -> Self {
        ConstValue::Float(v.to_bits())
    }

    pub fn complex(real: f64, imag: f64) -> Self {
        ConstValue::Complex(real.to_bits(), imag.to_bits())
    }

    pub fn str(s: &str) -> Self {
        ConstValue::Str(PyStr::new(s, false))
    }

    pub fn int(v: i64) -> Self {
        ConstValue::Int(v)
    }

    /// A big integer, normalised to `Int` when it fits in `i64` (so keys stay canonical).
    pub fn bigint(v: BigInt) -> Self {
        match i64::try_from(&v) {
            Ok(i) => ConstValue::Int(i),
            Err(_) => ConstValue::BigInt(Box::new(v)),
        }
    }
}

/// The merge key's hash of a `str` constant (by its bytes: pooled strings are never interned).
fn str_key_hash(b: &[u8]) -> u64 {
    fx_hash(&(2u8, b))
}

/// The merge key's hash: like the value's, but frozensets hash as sorted sets of ids and strings
/// by their bytes only.
fn key_hash(v: &ConstValue) -> u64 {
    match v {
        ConstValue::FrozenSet(items) => fx_hash(&(1u8, set_key(items))),
        ConstValue::Str(s) => str_key_hash(s.as_bytes()),
        other => fx_hash(&(0u8, other)),
    }
}

/// A float or complex constant with a NaN in it.
fn is_nan_number(v: &ConstValue) -> bool {
    match v {
        ConstValue::Float(b) => f64::from_bits(*b).is_nan(),
        ConstValue::Complex(r, i) => f64::from_bits(*r).is_nan() || f64::from_bits(*i).is_nan(),
        _ => false,
    }
}

/// A frozenset's elements as a sorted set (the key is order-insensitive).
fn set_key(items: &[ConstId]) -> Vec<ConstId> {
    let mut k = items.to_vec();
    k.sort_unstable();
    k.dedup();
    k
}

/// Merge-key equality: the value's, but frozensets compare as sets.
fn key_eq(a: &ConstValue, b: &ConstValue) -> bool {
    match (a, b) {
        (ConstValue::FrozenSet(x), ConstValue::FrozenSet(y)) => x == y || set_key(x) == set_key(y),
        (ConstValue::FrozenSet(_), _) | (_, ConstValue::FrozenSet(_)) => false,
        _ => a == b,
    }
}

/// Which object a pooled `str` constant is in CPython. `c_const_cache` keeps the *first* object
/// added for a value, so the object, and with it interning and sharing, is decided by whoever
/// added the value first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum StrOrigin {
    /// A string the parser or the optimiser made from source text: interned when made only of
    /// `[A-Za-z0-9_]` (`intern_string_constants`); a 1-character latin-1 string is the shared
    /// singleton.
    #[default]
    Literal,
    /// An identifier of the source (a keyword argument name, an imported name, a class name, an
    /// annotated name...): the parser interned it, so the constant is the interned name object.
    Identifier,
    /// A new string object that is not shared even when it has one latin-1 character
    /// (`ast_opt.c`'s `str.replace('%%', '%')` of a `%`-format literal).
    Fresh,
}

/// All constants of one compilation (CPython's `c_const_cache`).
#[derive(Clone, Debug, Default)]
pub struct ConstPool {
    values: Vec<ConstValue>,
    /// `(key hash, id)`; the key is computed from `values[id]`.
    map: HashTable<(u64, ConstId)>,
    /// The [`StrOrigin`] of the `str` constants that are not [`StrOrigin::Literal`] (few).
    origins: Vec<(ConstId, StrOrigin)>,
}

impl ConstPool {
    pub fn new() -> Self {
        Self::default()
    }

    /// A pool with room for `n` constants before its table grows (a module's compile adds a few
    /// hundred; each growth of the table re-inserts every entry).
    pub fn with_capacity(n: usize) -> Self {
        let mut p = Self::default();
        p.values.reserve(n);
        p.map.reserve(n, |&(h, _)| h);
        p
    }

    fn find_hashed(&self, h: u64, v: &ConstValue) -> Option<ConstId> {
        let values = &self.values;
        self.map.find(h, |&(eh, id)| eh == h && values.get(id.index()).is_some_and(|x| key_eq(x, v))).map(|&(_, id)| id)
    }

    /// Pools `v`, returning the id of the equal-keyed constant if one exists
    /// (`merge_consts_recursive`). Strings are normalised to not-interned.
    pub fn add(&mut self, v: ConstValue) -> ConstId {
        let v = match v {
            ConstValue::Str(mut s) => {
                s.set_interned(false);
                ConstValue::Str(s)
            }
            other => other,
        };
        if is_nan_number(&v) {
            // A NaN float (or complex with a NaN part) never equals another one in the key
            // comparison (`nan != nan`; the hash is by identity since 3.10), so every NaN that
            // folding makes stays its own constant (test_float's `1e300 * 1e300 * 0` twice).
            let id = ConstId(self.values.len() as u32);
            self.values.push(v);
            return id;
        }
        let h = key_hash(&v);
        if let Some(id) = self.find_hashed(h, &v) {
            return id;
        }
        let id = ConstId(self.values.len() as u32);
        self.values.push(v);
        self.map.insert_unique(h, (h, id), |&(eh, _)| eh);
        id
    }

    /// `add(ConstValue::Str(s.clone()))`, but clones `s` only when the string is new (the key
    /// hash of a `Str` constant is that of its bytes with `interned == false`).
    pub fn add_str(&mut self, s: &PyStr) -> ConstId {
        let h = str_key_hash(s.as_bytes());
        let values = &self.values;
        let found = self
            .map
            .find(h, |&(eh, id)| eh == h && matches!(values.get(id.index()), Some(ConstValue::Str(x)) if x.as_bytes() == s.as_bytes()));
        if let Some(&(_, id)) = found {
            return id;
        }
        let mut v = s.clone();
        v.set_interned(false);
        let id = ConstId(self.values.len() as u32);
        self.values.push(ConstValue::Str(v));
        self.map.insert_unique(h, (h, id), |&(eh, _)| eh);
        id
    }

    /// Pools a `str` constant made as `origin` ([`StrOrigin`]): recorded when this adds the value
    /// (the first object wins), and for an identifier that is a 1-character latin-1 string also
    /// when the value was pooled before (it is then the one singleton, which the parser interned).
    pub fn add_str_origin(&mut self, s: &PyStr, origin: StrOrigin) -> ConstId {
        let before = self.values.len();
        let id = self.add_str(s);
        // A name made only of `[A-Za-z0-9_]` is interned as a literal too: nothing to record
        // (keeps the table to the few non-ASCII names).
        if origin == StrOrigin::Identifier && s.as_bytes().iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_') {
            return id;
        }
        let new = id.index() >= before;
        let singleton = s.char_len() == 1 && s.code_points().all(|c| c < 256);
        if origin != StrOrigin::Literal && (new || (origin == StrOrigin::Identifier && singleton)) && self.origin(id) == StrOrigin::Literal
        {
            self.origins.push((id, origin));
        }
        id
    }

    /// The [`StrOrigin`] of a pooled `str` constant (`Literal` for any other id).
    pub fn origin(&self, id: ConstId) -> StrOrigin {
        self.origins.iter().find(|(i, _)| *i == id).map(|&(_, o)| o).unwrap_or_default()
    }

    pub fn get(&self, id: ConstId) -> Option<&ConstValue> {
        self.values.get(id.index())
    }

    /// Looks up without adding.
    pub fn find(&self, v: &ConstValue) -> Option<ConstId> {
        self.find_hashed(key_hash(v), v)
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn values(&self) -> &[ConstValue] {
        &self.values
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_keep_types_and_signs_apart() {
        let mut p = ConstPool::new();
        let a = p.add(ConstValue::Int(0));
        let b = p.add(ConstValue::float(0.0));
        let c = p.add(ConstValue::float(-0.0));
        let d = p.add(ConstValue::False);
        let e = p.add(ConstValue::Int(0));
        assert_eq!(a, e);
        let all = [a, b, c, d];
        for i in 0..4 {
            for j in 0..4 {
                assert_eq!(i == j, all[i] == all[j]);
            }
        }
    }

    #[test]
    fn tuples_and_frozensets_merge_recursively() {
        let mut p = ConstPool::new();
        let one = p.add(ConstValue::Int(1));
        let s = p.add(ConstValue::str("a"));
        let t1 = p.add(ConstValue::Tuple(vec![one, s].into()));
        let t2 = p.add(ConstValue::Tuple(vec![p.find(&ConstValue::Int(1)).unwrap(), s].into()));
        assert_eq!(t1, t2);
        let t3 = p.add(ConstValue::Tuple(vec![s, one].into()));
        assert_ne!(t1, t3);
        let f1 = p.add(ConstValue::FrozenSet(vec![one, s].into()));
        let f2 = p.add(ConstValue::FrozenSet(vec![s, one].into()));
        assert_eq!(f1, f2);
        let interned = p.add(ConstValue::Str(PyStr::new("a", true)));
        assert_eq!(interned, s);
        assert_eq!(p.add_str(&PyStr::new("a", true)), s);
        let b = p.add_str(&PyStr::new("b", true));
        assert_eq!(p.add(ConstValue::str("b")), b);
        assert_eq!(p.get(b), Some(&ConstValue::str("b")));
    }
}
