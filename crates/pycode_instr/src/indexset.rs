//! An insertion-ordered set giving each entry a dense index — what CPython's compiler gets from
//! `dict`s like `u_names` / `u_consts` (`dict_add_o`, `compiler_add_o`).
//!
//! Each key is stored once (in `items`) with its hash beside it (in `hashes`). Most sets are
//! small (a code unit's names, locals or constants), so up to [`SMALL`] entries a lookup scans the
//! hashes; only a set that grows past that builds a hash table of indices (no rehash churn, no
//! table allocation for the common case). An insert of a key that is already present neither
//! clones nor allocates.

use std::hash::{BuildHasher, Hash};

use hashbrown::HashTable;
use pycode_object::PyStr;
use rustc_hash::FxBuildHasher;

/// The hash used by the compiler's internal tables (FxHash: fast, deterministic).
pub fn fx_hash<K: Hash + ?Sized>(k: &K) -> u64 {
    FxBuildHasher.hash_one(k)
}

/// Up to this many entries a lookup scans `hashes` instead of using the table.
const SMALL: usize = 16;

#[derive(Clone, Debug)]
pub struct IndexSet<K> {
    items: Vec<K>,
    /// `hashes[i]` is the hash of `items[i]`.
    hashes: Vec<u64>,
    /// Indices into `items`, hashed by `hashes`; empty while the set has at most [`SMALL`] entries.
    table: HashTable<u32>,
}

impl<K> Default for IndexSet<K> {
    fn default() -> Self {
        Self { items: Vec::new(), hashes: Vec::new(), table: HashTable::new() }
    }
}

impl<K> IndexSet<K> {
    /// The index of the entry with hash `h` for which `same` holds.
    fn find_by(&self, h: u64, same: impl Fn(&K) -> bool) -> Option<u32> {
        let items = &self.items;
        if self.table.is_empty() {
            return self.hashes.iter().zip(items).position(|(&eh, x)| eh == h && same(x)).map(|i| i as u32);
        }
        let hashes = &self.hashes;
        self.table.find(h, |&i| hashes.get(i as usize) == Some(&h) && items.get(i as usize).is_some_and(&same)).copied()
    }

    fn push_hashed(&mut self, h: u64, k: K) -> u32 {
        let i = self.items.len() as u32;
        if self.items.capacity() == 0 {
            // A code unit's sets usually end with a handful of entries: one allocation of
            // eight instead of four, then a copy to eight.
            self.items.reserve_exact(8);
            self.hashes.reserve_exact(8);
        }
        self.items.push(k);
        self.hashes.push(h);
        let hashes = &self.hashes;
        let rehash = |&j: &u32| hashes.get(j as usize).copied().unwrap_or(0);
        if !self.table.is_empty() {
            self.table.insert_unique(h, i, rehash);
        } else if self.items.len() > SMALL {
            self.table.reserve(self.items.len() * 2, rehash);
            for (j, &eh) in self.hashes.iter().enumerate() {
                self.table.insert_unique(eh, j as u32, rehash);
            }
        }
        i
    }

    fn clear(&mut self) {
        self.table.clear();
        self.hashes.clear();
        self.items.clear();
    }
}

impl<K: Clone + Eq + Hash> IndexSet<K> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Index of `k`, adding it at the end if absent (`dict_add_o`).
    pub fn insert(&mut self, k: K) -> u32 {
        let h = fx_hash(&k);
        match self.find_by(h, |x| *x == k) {
            Some(i) => i,
            None => self.push_hashed(h, k),
        }
    }

    /// Like [`insert`](Self::insert) for a borrowed key: clones it only when it is new.
    pub fn insert_ref(&mut self, k: &K) -> u32 {
        let h = fx_hash(k);
        match self.find_by(h, |x| x == k) {
            Some(i) => i,
            None => self.push_hashed(h, k.clone()),
        }
    }

    pub fn get_index(&self, k: &K) -> Option<u32> {
        if self.items.is_empty() {
            return None;
        }
        self.find_by(fx_hash(k), |x| x == k)
    }

    pub fn get(&self, i: u32) -> Option<&K> {
        self.items.get(i as usize)
    }

    pub fn contains(&self, k: &K) -> bool {
        self.get_index(k).is_some()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn as_slice(&self) -> &[K] {
        &self.items
    }

    pub fn iter(&self) -> std::slice::Iter<'_, K> {
        self.items.iter()
    }

    /// Takes the entries out in index order, leaving the set empty (for a consumer that owns the
    /// set and needs only the ordered list).
    pub fn take_items(&mut self) -> Vec<K> {
        self.table.clear();
        self.hashes.clear();
        std::mem::take(&mut self.items)
    }

    /// Replaces the whole content, keeping the given order (used by `remove_unused_consts`).
    pub fn replace_all(&mut self, items: Vec<K>) {
        self.clear();
        for k in items {
            self.insert(k);
        }
    }
}

impl IndexSet<PyStr> {
    /// `insert(PyStr::new(s, interned))`, but builds the `PyStr` only when `s` is new. The lookup
    /// hashes `(bytes, interned)`, which is what `PyStr`'s `Hash` hashes, so a hit costs one hash
    /// and one comparison (no character count, no allocation).
    pub fn insert_str(&mut self, s: &str, interned: bool) -> u32 {
        let h = fx_hash(&(s.as_bytes(), interned));
        match self.find_str_hashed(h, s.as_bytes(), interned) {
            Some(i) => i,
            None => self.push_hashed(h, PyStr::new(s, interned)),
        }
    }

    /// [`insert_str`](Self::insert_str) of an interned `s` whose hash `h` the caller already has
    /// (`fx_hash(&(s.as_bytes(), true))`, e.g. carried from the symbol table): no second hash.
    pub fn insert_interned_hashed(&mut self, h: u64, s: &str) -> u32 {
        match self.find_str_hashed(h, s.as_bytes(), true) {
            Some(i) => i,
            None => self.push_hashed(h, PyStr::new(s, true)),
        }
    }

    /// `get_index(&PyStr::new(s, interned))` without building the `PyStr`.
    pub fn get_index_str(&self, s: &str, interned: bool) -> Option<u32> {
        if self.items.is_empty() {
            return None;
        }
        self.find_str_hashed(fx_hash(&(s.as_bytes(), interned)), s.as_bytes(), interned)
    }

    fn find_str_hashed(&self, h: u64, bytes: &[u8], interned: bool) -> Option<u32> {
        self.find_by(h, |x| x.as_bytes() == bytes && x.is_interned() == interned)
    }
}

impl<K: Clone + Eq + Hash> FromIterator<K> for IndexSet<K> {
    fn from_iter<I: IntoIterator<Item = K>>(iter: I) -> Self {
        let mut s = Self::new();
        for k in iter {
            s.insert(k);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::{fx_hash, IndexSet};
    use pycode_object::PyStr;

    #[test]
    fn insert_str_finds_what_insert_added() {
        for (text, interned) in [("abc", true), ("abc", false), ("", true), ("é€𝄞", true)] {
            let p = PyStr::new(text, interned);
            assert_eq!(fx_hash(&p), fx_hash(&(text.as_bytes(), interned)));
        }
        let mut s: IndexSet<PyStr> = IndexSet::new();
        assert_eq!(s.insert(PyStr::new("x", true)), 0);
        assert_eq!(s.insert_str("x", true), 0);
        assert_eq!(s.insert_str("x", false), 1);
        assert_eq!(s.insert_str("é", true), 2);
        assert_eq!(s.insert(PyStr::new("é", true)), 2);
        assert_eq!(s.insert(PyStr::new("x", false)), 1);
        assert_eq!(s.len(), 3);
        assert_eq!(s.get_index_str("é", true), Some(2));
        assert_eq!(s.get_index_str("é", false), None);
        assert_eq!(s.get_index(&PyStr::new("x", false)), Some(1));
        assert_eq!(s.take_items().len(), 3);
        assert!(s.is_empty());
        assert_eq!(s.get_index_str("x", true), None);
        assert_eq!(s.insert_str("y", true), 0);
        let h = fx_hash(&("z".as_bytes(), true));
        assert_eq!(s.insert_interned_hashed(h, "z"), 1);
        assert_eq!(s.insert_str("z", true), 1);
        assert_eq!(s.insert_interned_hashed(fx_hash(&("y".as_bytes(), true)), "y"), 0);
    }

    #[test]
    fn dense_indices_in_insertion_order() {
        let mut s: IndexSet<String> = IndexSet::new();
        let words = ["b", "a", "b", "c", "a", "d"];
        let idx: Vec<u32> = words.iter().map(|w| s.insert(w.to_string())).collect();
        assert_eq!(idx, [0, 1, 0, 2, 1, 3]);
        assert_eq!(s.as_slice(), ["b", "a", "c", "d"]);
        assert_eq!(s.get_index(&"c".to_string()), Some(2));
        assert_eq!(s.insert_ref(&"e".to_string()), 4);
        assert!(!s.contains(&"z".to_string()));
        // Many entries: the table grows and every index stays findable.
        for i in 0..1000 {
            s.insert(format!("k{i}"));
        }
        for i in 0..1000 {
            assert_eq!(s.get_index(&format!("k{i}")), Some(5 + i));
        }
        s.replace_all(vec!["x".into(), "y".into(), "x".into()]);
        assert_eq!(s.as_slice(), ["x", "y"]);
        assert_eq!(s.get_index(&"y".to_string()), Some(1));
    }
}
