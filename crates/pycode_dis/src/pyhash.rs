//! CPython's `hash()` of constant objects and the iteration order of a set built by inserting
//! elements one by one (what `marshal.loads` does for a frozenset), so that `frozenset({...})`
//! reprs list their elements in the order CPython prints them.
//!
//! The hashes are those of a CPython started with `PYTHONHASHSEED=0` (SipHash-1-3 with a zero
//! key for `str`/`bytes`), for 64-bit builds or 32-bit ones (Pyodide). Where a hash depends on
//! an object's address (`None` before 3.12, `Ellipsis`, NaN, types), no order can be predicted
//! and callers keep marshal order.
//!
//! Mirrors `Python/pyhash.c` (`siphash13`, `_Py_HashDouble`, `_Py_HashBytes`),
//! `Objects/longobject.c` `long_hash`, `Objects/tupleobject.c` `tuplehash`,
//! `Objects/complexobject.c` `complex_hash`, `Objects/setobject.c` `frozenset_hash`,
//! `set_add_entry`, `set_insert_clean` and `set_table_resize`.

use pycode_object::{BigInt, Obj, ObjId, ObjectGraph};

/// Width of `Py_hash_t` of the build whose order is reproduced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashWidth {
    Bits64,
    Bits32,
}

/// Hashing parameters: width, and whether `hash(None)` is the 3.12+ constant.
#[derive(Clone, Copy, Debug)]
pub struct Hasher {
    pub width: HashWidth,
    pub none_is_constant: bool,
}

/// Bounds recursion through nested tuples/frozensets.
const MAX_DEPTH: u32 = 200;

impl Hasher {
    fn umask(self) -> u64 {
        match self.width {
            HashWidth::Bits64 => u64::MAX,
            HashWidth::Bits32 => u32::MAX as u64,
        }
    }

    /// `_PyHASH_BITS`.
    fn bits(self) -> u32 {
        match self.width {
            HashWidth::Bits64 => 61,
            HashWidth::Bits32 => 31,
        }
    }

    fn modulus(self) -> u64 {
        (1u64 << self.bits()) - 1
    }

    /// `(Py_uhash_t)-1`.
    fn minus_one(self) -> u64 {
        self.umask()
    }

    fn neg(self, x: u64) -> u64 {
        x.wrapping_neg() & self.umask()
    }

    fn fix_minus_one(self, x: u64) -> u64 {
        if x == self.minus_one() {
            self.neg(2)
        } else {
            x
        }
    }

    /// `hash(obj)` as `Py_uhash_t` bits (masked to the width), or `None` when it is not
    /// predictable or the object is unhashable.
    pub fn hash(self, graph: &ObjectGraph, id: ObjId) -> Option<u64> {
        self.hash_depth(graph, id, 0)
    }

    fn hash_depth(self, graph: &ObjectGraph, id: ObjId, depth: u32) -> Option<u64> {
        if depth > MAX_DEPTH {
            return None;
        }
        let m = self.umask();
        Some(match graph.get(id)? {
            Obj::None if self.none_is_constant => 0xFCA8_6420 & m,
            Obj::False => 0,
            Obj::True => 1,
            Obj::Int(v) => self.hash_i64(*v),
            Obj::BigInt(v) => self.hash_bigint(v),
            Obj::Float(f) => self.hash_double(*f)?,
            Obj::Complex { real, imag } => {
                let hr = self.hash_double(*real)?;
                let hi = self.hash_double(*imag)?;
                self.fix_minus_one(hr.wrapping_add(hi.wrapping_mul(1000003)) & m)
            }
            Obj::Str(s) => {
                let max = s.code_points().max().unwrap_or(0);
                let mut buf: Vec<u8> = Vec::with_capacity(s.char_len() * 4);
                for cp in s.code_points() {
                    if max < 0x100 {
                        buf.push(cp as u8);
                    } else if max < 0x10000 {
                        buf.extend_from_slice(&(cp as u16).to_le_bytes());
                    } else {
                        buf.extend_from_slice(&cp.to_le_bytes());
                    }
                }
                self.hash_bytes(&buf)
            }
            Obj::Bytes(b) => self.hash_bytes(b),
            Obj::Tuple(items) => self.hash_tuple(graph, items, depth)?,
            Obj::FrozenSet(items) => {
                let order = self.set_order(graph, items, depth)?;
                let mut h: u64 = 0;
                for &(_, eh) in &order {
                    h ^= self.shuffle_bits(eh);
                }
                h ^= ((order.len() as u64).wrapping_add(1)).wrapping_mul(1927868237) & m;
                h ^= (h >> 11) ^ (h >> 25);
                h = h.wrapping_mul(69069).wrapping_add(907133923) & m;
                if h == self.minus_one() {
                    590923713
                } else {
                    h
                }
            }
            _ => return None,
        })
    }

    fn shuffle_bits(self, h: u64) -> u64 {
        let m = self.umask();
        (((h ^ 89869747) ^ (h << 16)) & m).wrapping_mul(3644798167) & m
    }

    /// `long_hash` for a machine integer.
    fn hash_i64(self, v: i64) -> u64 {
        let r = (v.unsigned_abs() % self.modulus()) as i64;
        let r = if v < 0 { -r } else { r };
        let r = if r == -1 { -2 } else { r };
        (r as u64) & self.umask()
    }

    fn hash_bigint(self, v: &BigInt) -> u64 {
        let negative = *v < BigInt::from(0i64);
        let (_, digits) = v.to_u64_digits();
        let md = self.modulus() as u128;
        let mut r: u128 = 0;
        for &d in digits.iter().rev() {
            r = ((r << 64) | d as u128) % md;
        }
        let r = r as i64;
        let r = if negative { -r } else { r };
        let r = if r == -1 { -2 } else { r };
        (r as u64) & self.umask()
    }

    /// `_Py_HashDouble` (NaN hashes by address: `None`).
    fn hash_double(self, v: f64) -> Option<u64> {
        if v.is_nan() {
            return None;
        }
        if v.is_infinite() {
            return Some(if v > 0.0 { 314159 } else { self.neg(314159) });
        }
        if v == 0.0 {
            return Some(0);
        }
        let bits = v.to_bits();
        let exp_bits = ((bits >> 52) & 0x7ff) as i64;
        let frac = bits & ((1u64 << 52) - 1);
        // v = mant * 2**e2
        let (mant, e2) = if exp_bits == 0 { (frac, -1074i64) } else { (frac | (1u64 << 52), exp_bits - 1075) };
        let hb = self.bits() as i64;
        let md = self.modulus();
        let x = mant % md;
        let e = if e2 >= 0 { e2 % hb } else { hb - 1 - ((-1 - e2) % hb) };
        let x = if e == 0 { x } else { ((x << e) & md) | (x >> (hb - e)) };
        let x = if v < 0.0 { self.neg(x) } else { x };
        Some(self.fix_minus_one(x))
    }

    /// `_Py_HashBytes` with a zero secret: SipHash-1-3 on 64-bit builds, FNV on 32-bit ones
    /// (what Pyodide's `sys.hash_info.algorithm` reports).
    fn hash_bytes(self, b: &[u8]) -> u64 {
        if b.is_empty() {
            return 0;
        }
        let h = match self.width {
            HashWidth::Bits64 => siphash13(0, 0, b),
            HashWidth::Bits32 => fnv32(b) as u64,
        };
        self.fix_minus_one(h & self.umask())
    }

    /// `tuplehash` (the xxHash-based one of 3.8+).
    fn hash_tuple(self, graph: &ObjectGraph, items: &[ObjId], depth: u32) -> Option<u64> {
        let m = self.umask();
        let (p1, p2, p5, rot): (u64, u64, u64, u32) = match self.width {
            HashWidth::Bits64 => (11400714785074694791, 14029467366897019727, 2870177450012600261, 31),
            HashWidth::Bits32 => (2654435761, 2246822519, 374761393, 13),
        };
        let w = match self.width {
            HashWidth::Bits64 => 64,
            HashWidth::Bits32 => 32,
        };
        let mut acc = p5;
        for &it in items {
            let lane = self.hash_depth(graph, it, depth + 1)?;
            acc = acc.wrapping_add(lane.wrapping_mul(p2)) & m;
            acc = ((acc << rot) | (acc >> (w - rot))) & m;
            acc = acc.wrapping_mul(p1) & m;
        }
        acc = acc.wrapping_add((items.len() as u64) ^ (p5 ^ 3527539)) & m;
        Some(if acc == self.minus_one() { 1546275796 } else { acc })
    }

    /// The elements of a set built by adding `items` in order to an empty set, in table
    /// order, with their hashes; `None` if some hash is not predictable.
    pub fn set_order(self, graph: &ObjectGraph, items: &[ObjId], depth: u32) -> Option<Vec<(ObjId, u64)>> {
        let mut table: Vec<Option<(ObjId, u64)>> = vec![None; 8];
        let mut mask: usize = 7;
        let mut fill = 0usize;
        let mut used = 0usize;
        let umask = self.umask();
        for &key in items {
            let h = self.hash_depth(graph, key, depth + 1)?;
            // set_add_entry
            let mut i = (h as usize) & mask;
            let mut perturb = h & umask;
            let slot = 'probe: loop {
                let probes = if i + LINEAR_PROBES <= mask { LINEAR_PROBES } else { 0 };
                for j in 0..=probes {
                    let idx = i + j;
                    match table.get(idx).copied().flatten() {
                        None => break 'probe Some(idx),
                        Some((k, eh)) => {
                            if eh == h && simple_eq(graph, k, key) {
                                break 'probe None;
                            }
                        }
                    }
                }
                perturb >>= PERTURB_SHIFT;
                i = (i.wrapping_mul(5).wrapping_add(1).wrapping_add(perturb as usize)) & mask;
            };
            let Some(idx) = slot else { continue };
            table[idx] = Some((key, h));
            fill += 1;
            used += 1;
            if fill * 5 >= mask * 3 {
                // set_table_resize
                let minused = if used > 50000 { used * 2 } else { used * 4 };
                let mut newsize = 8usize;
                while newsize <= minused {
                    newsize <<= 1;
                }
                let old = std::mem::replace(&mut table, vec![None; newsize]);
                mask = newsize - 1;
                for (k, eh) in old.into_iter().flatten() {
                    insert_clean(&mut table, mask, k, eh, umask);
                }
                fill = used;
            }
        }
        Some(table.into_iter().flatten().collect())
    }
}

const LINEAR_PROBES: usize = 9;
const PERTURB_SHIFT: u32 = 5;

/// `set_insert_clean`.
fn insert_clean(table: &mut [Option<(ObjId, u64)>], mask: usize, key: ObjId, h: u64, umask: u64) {
    let mut perturb = h & umask;
    let mut i = (h as usize) & mask;
    loop {
        if table.get(i).is_some_and(Option::is_none) {
            table[i] = Some((key, h));
            return;
        }
        if i + LINEAR_PROBES <= mask {
            for j in 1..=LINEAR_PROBES {
                if table.get(i + j).is_some_and(Option::is_none) {
                    table[i + j] = Some((key, h));
                    return;
                }
            }
        }
        perturb >>= PERTURB_SHIFT;
        i = (i.wrapping_mul(5).wrapping_add(1).wrapping_add(perturb as usize)) & mask;
    }
}

/// Equality good enough for elements marshal data can hold twice (CPython's writer never
/// writes equal elements, so this only matters for hand-made data).
fn simple_eq(graph: &ObjectGraph, a: ObjId, b: ObjId) -> bool {
    if a == b {
        return true;
    }
    match (graph.get(a), graph.get(b)) {
        (Some(Obj::Str(x)), Some(Obj::Str(y))) => x.as_bytes() == y.as_bytes(),
        (Some(Obj::Bytes(x)), Some(Obj::Bytes(y))) => x == y,
        (Some(Obj::Int(x)), Some(Obj::Int(y))) => x == y,
        (Some(Obj::BigInt(x)), Some(Obj::BigInt(y))) => x == y,
        (Some(Obj::Float(x)), Some(Obj::Float(y))) => x == y,
        (Some(Obj::None), Some(Obj::None)) | (Some(Obj::True), Some(Obj::True)) | (Some(Obj::False), Some(Obj::False)) => true,
        _ => false,
    }
}

/// CPython's `fnv` (`Python/pyhash.c`) for a 4-byte `Py_uhash_t` and a zero prefix/suffix.
pub fn fnv32(src: &[u8]) -> u32 {
    const MUL: u32 = 1000003;
    let len = src.len();
    let mut remainder = len % 4;
    if remainder == 0 {
        remainder = 4;
    }
    let blocks = (len - remainder.min(len)) / 4;
    let mut x: u32 = (src.first().copied().unwrap_or(0) as u32) << 7;
    let mut p = 0usize;
    for _ in 0..blocks {
        let mut w = [0u8; 4];
        w.copy_from_slice(&src[p..p + 4]);
        x = MUL.wrapping_mul(x) ^ u32::from_le_bytes(w);
        p += 4;
    }
    for &c in &src[p..] {
        x = MUL.wrapping_mul(x) ^ c as u32;
    }
    x ^ len as u32
}

/// CPython's `siphash13` (`Python/pyhash.c`).
pub fn siphash13(k0: u64, k1: u64, src: &[u8]) -> u64 {
    let mut v0 = k0 ^ 0x736f6d6570736575;
    let mut v1 = k1 ^ 0x646f72616e646f6d;
    let mut v2 = k0 ^ 0x6c7967656e657261;
    let mut v3 = k1 ^ 0x7465646279746573;
    #[inline(always)]
    fn round(v0: &mut u64, v1: &mut u64, v2: &mut u64, v3: &mut u64) {
        *v0 = v0.wrapping_add(*v1);
        *v2 = v2.wrapping_add(*v3);
        *v1 = v1.rotate_left(13) ^ *v0;
        *v3 = v3.rotate_left(16) ^ *v2;
        *v0 = v0.rotate_left(32);
        *v2 = v2.wrapping_add(*v1);
        *v0 = v0.wrapping_add(*v3);
        *v1 = v1.rotate_left(17) ^ *v2;
        *v3 = v3.rotate_left(21) ^ *v0;
        *v2 = v2.rotate_left(32);
    }
    let mut chunks = src.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        let mi = u64::from_le_bytes(w);
        v3 ^= mi;
        round(&mut v0, &mut v1, &mut v2, &mut v3);
        v0 ^= mi;
    }
    let rest = chunks.remainder();
    let mut t = [0u8; 8];
    t[..rest.len()].copy_from_slice(rest);
    let b = ((src.len() as u64) << 56) | u64::from_le_bytes(t);
    v3 ^= b;
    round(&mut v0, &mut v1, &mut v2, &mut v3);
    v0 ^= b;
    v2 ^= 0xff;
    round(&mut v0, &mut v1, &mut v2, &mut v3);
    round(&mut v0, &mut v1, &mut v2, &mut v3);
    round(&mut v0, &mut v1, &mut v2, &mut v3);
    (v0 ^ v1) ^ (v2 ^ v3)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pycode_object::PyStr;

    /// Values measured with `PYTHONHASHSEED=0 python3` (3.11.7, 64-bit).
    #[test]
    fn hashes_64() {
        let h = Hasher { width: HashWidth::Bits64, none_is_constant: false };
        let mut g = ObjectGraph::new();
        let mut check = |obj: Obj, expect: i64| {
            let id = g.push(obj, false);
            assert_eq!(h.hash(&g, id), Some(expect as u64), "{:?}", g.get(id));
        };
        check(Obj::Str(PyStr::new("a", false)), 4644417185603328019);
        check(Obj::Str(PyStr::new("é", false)), 6047309291227476195);
        check(Obj::Str(PyStr::new("\u{20ac}", false)), -5529981157763016009);
        check(Obj::Str(PyStr::new("\u{1F600}", false)), -3536540696076613844);
        check(Obj::Bytes(b"ab"[..].into()), 6148830537548944441);
        check(Obj::Float(1.5), 1152921504606846977);
        check(Obj::Float(-2.75e300), -1062893962827772838);
        check(Obj::Complex { real: 1.0, imag: 2.0 }, 2000007);
        check(Obj::Str(PyStr::new("", false)), 0);
        check(Obj::BigInt(Box::new(BigInt::from(1u128 << 70))), 512);
        check(Obj::BigInt(Box::new(-BigInt::from(1u128 << 64))), -8);
        let one = g.push(Obj::Int(1), false);
        let two = g.push(Obj::Int(2), false);
        let a = g.push(Obj::Str(PyStr::new("a", false)), false);
        let t = g.push(Obj::Tuple(vec![one, a].into()), false);
        assert_eq!(h.hash(&g, t), Some(3906047847676358913));
        let fs = g.push(Obj::FrozenSet(vec![one, two].into()), false);
        assert_eq!(h.hash(&g, fs), Some(-1826646154956904602i64 as u64));
    }

    /// Values measured with Pyodide 314.0.7 (32-bit, FNV) and `PYTHONHASHSEED=0`.
    #[test]
    fn hashes_32() {
        let h = Hasher { width: HashWidth::Bits32, none_is_constant: true };
        let mut g = ObjectGraph::new();
        let mut check = |obj: Obj, expect: i64| {
            let id = g.push(obj, false);
            assert_eq!(h.hash(&g, id), Some(expect as u32 as u64), "{:?}", g.get(id));
        };
        check(Obj::Str(PyStr::new("a", false)), -468864544);
        check(Obj::Str(PyStr::new("ab", false)), -1549758589);
        check(Obj::Str(PyStr::new("abcd", false)), 1540938112);
        check(Obj::Str(PyStr::new("abcde", false)), -1714391677);
        check(Obj::Str(PyStr::new("é", false)), -240681624);
        check(Obj::Str(PyStr::new("\u{20ac}", false)), 1059883814);
        check(Obj::Bytes(b"abcdefghi"[..].into()), -1697863566);
        check(Obj::Float(1.5), 1073741825);
        check(Obj::None, -56073184);
        let one = g.push(Obj::Int(1), false);
        let two = g.push(Obj::Int(2), false);
        let a = g.push(Obj::Str(PyStr::new("a", false)), false);
        let t = g.push(Obj::Tuple(vec![one, a].into()), false);
        assert_eq!(h.hash(&g, t), Some(-1569833375i64 as u32 as u64));
        let fs = g.push(Obj::FrozenSet(vec![one, two].into()), false);
        assert_eq!(h.hash(&g, fs), Some(-489709338i64 as u32 as u64));
    }
}
