//! Interned identifiers: every distinct name of a module stored once, its text in one buffer,
//! found again by a [`NameKey`] (the name's length and two words of it) in one hash probe. The
//! arena tree ([`crate::arena`]) and the symbol table (`pycode_symtable`) both intern with it.

/// A name's identity for the interner's probes: its length and two words that, with the
/// length, determine every byte of a name of up to 16 bytes (the first and last 8, 4 or 1-2
/// bytes, overlapping), so comparing two such names compares three integers and no bytes.
/// Longer names also compare their bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NameKey {
    lo: u64,
    hi: u64,
    len: usize,
}

/// Names of up to this many bytes are identified by their [`NameKey`] alone.
const KEY_BYTES: usize = 16;

#[inline]
fn word8(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()).map_or(0, u64::from_le_bytes)
}

#[inline]
fn word4(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 4).and_then(|w| <[u8; 4]>::try_from(w).ok()).map_or(0, |w| u64::from(u32::from_le_bytes(w)))
}

impl NameKey {
    #[inline]
    pub fn of(s: &str) -> NameKey {
        let b = s.as_bytes();
        let len = b.len();
        let (lo, hi) = if len >= 8 {
            (word8(b, 0), word8(b, len - 8))
        } else if len >= 4 {
            (word4(b, 0), word4(b, len - 4))
        } else if len > 0 {
            let at = |i: usize| u64::from(b.get(i).copied().unwrap_or(0));
            (at(0) | at(len / 2) << 8 | at(len - 1) << 16, 0)
        } else {
            (0, 0)
        };
        NameKey { lo, hi, len }
    }

    /// The probe hash: one folded 128-bit multiply mixes every bit into both halves.
    #[inline]
    pub fn hash(&self) -> u64 {
        let a = self.lo ^ 0x243F_6A88_85A3_08D3;
        let b = self.hi ^ (self.len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x1319_8A2E_0370_7344;
        let m = u128::from(a) * u128::from(b);
        (m as u64) ^ ((m >> 64) as u64)
    }

    /// Whether equal keys mean equal names (no comparison of the text needed).
    #[inline]
    pub fn is_whole(&self) -> bool {
        self.len <= KEY_BYTES
    }
}

/// The interner: ids are dense, `0..len()`, in the order names were first interned.
///
/// The index is an open-addressing table of ids (linear probing, at most half full, its size a
/// power of two): a probe is one slot read and one key comparison in the common case, where a
/// general hash table's group matching costs several times that (the parser probes once per
/// NAME token).
#[derive(Clone, Debug, Default)]
pub struct NameTable {
    text: String,
    /// `(start, end)` of each name in `text`, by id.
    spans: Vec<(usize, usize)>,
    keys: Vec<NameKey>,
    /// Ids by [`NameKey::hash`], [`EMPTY`] where none; empty or a power of two long.
    slots: Vec<u32>,
}

/// A free slot of [`NameTable::slots`].
const EMPTY: u32 = u32::MAX;

/// The fewest slots a table that holds a name has.
const MIN_SLOTS: usize = 64;

impl NameTable {
    /// The id of the name `s` whose key is `k`, if interned.
    #[inline]
    pub fn find_key(&self, k: &NameKey, s: &str) -> Option<u32> {
        let mask = self.slots.len().wrapping_sub(1);
        let mut i = k.hash() as usize & mask;
        loop {
            let id = *self.slots.get(i)?;
            if id == EMPTY {
                return None;
            }
            if self.keys.get(id as usize) == Some(k) && (k.is_whole() || self.get(id).map(str::as_bytes) == Some(s.as_bytes())) {
                return Some(id);
            }
            i = (i + 1) & mask;
        }
    }

    /// The id of `s`, if interned.
    #[inline]
    pub fn find(&self, s: &str) -> Option<u32> {
        self.find_key(&NameKey::of(s), s)
    }

    /// The id of the name `s` whose key is `k`, interning it if new (`None` past `u32` ids).
    #[inline]
    pub fn intern_key(&mut self, k: NameKey, s: &str) -> Option<u32> {
        match self.find_key(&k, s) {
            Some(id) => Some(id),
            None => self.push(k, s),
        }
    }

    /// The id of `s`, interning it if new.
    #[inline]
    pub fn intern(&mut self, s: &str) -> Option<u32> {
        self.intern_key(NameKey::of(s), s)
    }

    #[cold]
    fn push(&mut self, k: NameKey, s: &str) -> Option<u32> {
        let id = u32::try_from(self.spans.len()).ok().filter(|&id| id != EMPTY)?;
        if (self.spans.len() + 1) * 2 > self.slots.len() {
            self.grow_slots((self.spans.len() + 1) * 2);
        }
        let a = self.text.len();
        self.text.push_str(s);
        self.spans.push((a, self.text.len()));
        self.keys.push(k);
        self.place(k.hash(), id);
        Some(id)
    }

    /// Puts `id` in the first free slot from `hash` on (the table has one: it is at most half
    /// full).
    fn place(&mut self, hash: u64, id: u32) {
        let mask = self.slots.len().wrapping_sub(1);
        let mut i = hash as usize & mask;
        while let Some(slot) = self.slots.get_mut(i) {
            if *slot == EMPTY {
                *slot = id;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /// Re-makes the index with at least `want` slots.
    fn grow_slots(&mut self, want: usize) {
        let n = want.max(MIN_SLOTS).next_power_of_two();
        if n <= self.slots.len() {
            return;
        }
        self.slots.clear();
        self.slots.resize(n, EMPTY);
        for id in 0..self.keys.len() {
            if let Some(h) = self.keys.get(id).map(NameKey::hash) {
                self.place(h, id as u32);
            }
        }
    }

    /// The text of `id`.
    #[inline]
    pub fn get(&self, id: u32) -> Option<&str> {
        self.spans.get(id as usize).and_then(|&(a, b)| self.text.get(a..b))
    }

    /// The key of `id`.
    #[inline]
    pub fn key(&self, id: u32) -> Option<&NameKey> {
        self.keys.get(id as usize)
    }

    /// The number of names.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The bytes of all names together.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    /// Room for `names` more names of `bytes` bytes in all.
    pub fn reserve(&mut self, names: usize, bytes: usize) {
        self.text.reserve(bytes);
        self.spans.reserve(names);
        self.keys.reserve(names);
        self.grow_slots((self.spans.len() + names) * 2);
    }

    /// Forgets every name, keeping the memory.
    pub fn clear(&mut self) {
        self.text.clear();
        self.spans.clear();
        self.keys.clear();
        self.slots.fill(EMPTY);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interned_once_in_order() {
        let mut t = NameTable::default();
        let long = "a_name_longer_than_sixteen_bytes";
        let long2 = "a_name_longer_than_sixteen_bytez";
        let ids: Vec<Option<u32>> = ["x", "self", "x", "", long, long2, "self"].iter().map(|s| t.intern(s)).collect();
        assert_eq!(ids, [Some(0), Some(1), Some(0), Some(2), Some(3), Some(4), Some(1)]);
        assert_eq!(t.get(3), Some(long));
        assert_eq!(t.get(4), Some(long2));
        assert_eq!(t.find("nope"), None);
        assert_eq!(t.len(), 5);
        t.clear();
        assert!(t.is_empty());
        assert_eq!(t.intern("y"), Some(0));
    }

    /// The index grows past its first size and keeps every name findable, before and after a
    /// `clear` (names of every length class of [`NameKey`], short ones colliding on purpose).
    #[test]
    fn many_names_grow_and_clear() {
        let mut t = NameTable::default();
        let names: Vec<String> = (0..5000).map(|i| format!("{}{}", "n_".repeat(i % 11), i)).collect();
        for round in 0..2 {
            for (i, n) in names.iter().enumerate() {
                assert_eq!(t.intern(n), Some(i as u32), "round {round}");
            }
            for (i, n) in names.iter().enumerate() {
                assert_eq!(t.find(n), Some(i as u32));
                assert_eq!(t.get(i as u32), Some(n.as_str()));
            }
            assert_eq!(t.len(), names.len());
            assert_eq!(t.find("absent"), None);
            t.clear();
            assert_eq!(t.find(&names[0]), None);
        }
    }
}
