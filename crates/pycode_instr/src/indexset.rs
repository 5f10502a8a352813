//! An insertion-ordered set giving each entry a dense index — what CPython's compiler gets from
//! `dict`s like `u_names` / `u_consts` (`dict_add_o`, `compiler_add_o`).

use std::collections::HashMap;
use std::hash::Hash;

#[derive(Clone, Debug)]
pub struct IndexSet<K> {
    items: Vec<K>,
    map: HashMap<K, u32>,
}

impl<K> Default for IndexSet<K> {
    fn default() -> Self {
        Self { items: Vec::new(), map: HashMap::new() }
    }
}

impl<K: Clone + Eq + Hash> IndexSet<K> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Index of `k`, adding it at the end if absent (`dict_add_o`).
    pub fn insert(&mut self, k: K) -> u32 {
        if let Some(&i) = self.map.get(&k) {
            return i;
        }
        let i = self.items.len() as u32;
        self.map.insert(k.clone(), i);
        self.items.push(k);
        i
    }

    pub fn get_index(&self, k: &K) -> Option<u32> {
        self.map.get(k).copied()
    }

    pub fn get(&self, i: u32) -> Option<&K> {
        self.items.get(i as usize)
    }

    pub fn contains(&self, k: &K) -> bool {
        self.map.contains_key(k)
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

    /// Replaces the whole content, keeping the given order (used by `remove_unused_consts`).
    pub fn replace_all(&mut self, items: Vec<K>) {
        self.map.clear();
        self.items.clear();
        for k in items {
            self.insert(k);
        }
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
