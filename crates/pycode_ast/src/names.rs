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
#[derive(Clone, Debug, Default)]
pub struct NameTable {
    text: String,
    /// `(start, end)` of each name in `text`, by id.
    spans: Vec<(usize, usize)>,
    keys: Vec<NameKey>,
    /// Ids, hashed by [`NameKey::hash`].
    table: hashbrown::HashTable<u32>,
}

impl NameTable {
    /// The id of the name `s` whose key is `k`, if interned.
    #[inline]
    pub fn find_key(&self, k: &NameKey, s: &str) -> Option<u32> {
        let (text, spans, keys) = (&self.text, &self.spans, &self.keys);
        self.table
            .find(k.hash(), |&id| {
                keys.get(id as usize) == Some(k)
                    && (k.is_whole() || spans.get(id as usize).and_then(|&(a, b)| text.as_bytes().get(a..b)) == Some(s.as_bytes()))
            })
            .copied()
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
        let id = u32::try_from(self.spans.len()).ok()?;
        let a = self.text.len();
        self.text.push_str(s);
        self.spans.push((a, self.text.len()));
        self.keys.push(k);
        let keys = &self.keys;
        self.table.insert_unique(k.hash(), id, |&j| keys.get(j as usize).map_or(0, NameKey::hash));
        Some(id)
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
        let keys = &self.keys;
        self.table.reserve(names, |&j| keys.get(j as usize).map_or(0, NameKey::hash));
    }

    /// Forgets every name, keeping the memory.
    pub fn clear(&mut self) {
        self.text.clear();
        self.spans.clear();
        self.keys.clear();
        self.table.clear();
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
}
