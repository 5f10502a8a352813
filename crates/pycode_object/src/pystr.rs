//! Python `str` values, which may hold lone surrogates and so are not always valid UTF-8.

use std::fmt;
use std::hash::{Hash, Hasher};

/// A Python `str`, stored as UTF-8 extended to encode lone surrogates (CPython's
/// `encode("utf-8", "surrogatepass")`, which is also marshal's encoding of non-ASCII strings).
///
/// `Hash` covers the bytes and the interned mark only (the length in code points follows from
/// the bytes), so a table can look a `&str` up by hashing `(s.as_bytes(), interned)` without
/// counting its characters; see `pycode_instr::IndexSet::insert_str`.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct PyStr {
    bytes: Box<[u8]>,
    /// Number of code points (`len(s)`).
    len: u32,
    interned: bool,
}

impl Hash for PyStr {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Equal to hashing the tuple `(self.as_bytes(), self.is_interned())`.
        self.bytes.hash(state);
        self.interned.hash(state);
    }
}

/// The bytes are not UTF-8 with surrogates allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidPyStr {
    pub offset: usize,
}

impl PyStr {
    /// From a Rust string (never contains surrogates).
    pub fn new(s: &str, interned: bool) -> Self {
        let len = s.chars().count() as u32;
        Self { bytes: s.as_bytes().into(), len, interned }
    }

    /// From an owned Rust string, reusing its buffer (never contains surrogates).
    pub fn from_string(s: String, interned: bool) -> Self {
        let len = s.chars().count() as u32;
        Self { bytes: s.into_bytes().into_boxed_slice(), len, interned }
    }

    /// From bytes that are all ASCII, reusing their buffer; the bytes back if one is not (or
    /// there are more than `u32::MAX`).
    pub fn from_ascii_vec(bytes: Vec<u8>, interned: bool) -> Result<Self, Vec<u8>> {
        match u32::try_from(bytes.len()) {
            Ok(len) if bytes.is_ascii() => Ok(Self { bytes: bytes.into_boxed_slice(), len, interned }),
            _ => Err(bytes),
        }
    }

    /// From "surrogatepass" UTF-8; rejects anything else (overlong forms, bad continuation bytes,
    /// code points above U+10FFFF, truncated sequences).
    pub fn from_surrogatepass(bytes: &[u8], interned: bool) -> Result<Self, InvalidPyStr> {
        let mut len = 0u32;
        let mut iter = CodePoints { bytes, pos: 0 };
        while iter.pos < bytes.len() {
            let start = iter.pos;
            if iter.next_checked().is_none() {
                return Err(InvalidPyStr { offset: start });
            }
            len += 1;
        }
        Ok(Self { bytes: bytes.into(), len, interned })
    }

    /// From Latin-1 bytes (marshal's ASCII string types are read this way by CPython).
    pub fn from_latin1(bytes: &[u8], interned: bool) -> Self {
        if bytes.is_ascii() {
            return Self { bytes: bytes.into(), len: bytes.len() as u32, interned };
        }
        let s: String = bytes.iter().map(|&b| b as char).collect();
        Self::new(&s, interned)
    }

    /// The "surrogatepass" UTF-8 bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The string as `&str` when it has no surrogates.
    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.bytes).ok()
    }

    /// `len(s)` in code points.
    pub fn char_len(&self) -> usize {
        self.len as usize
    }

    pub fn is_ascii(&self) -> bool {
        self.bytes.len() == self.len as usize
    }

    pub fn is_interned(&self) -> bool {
        self.interned
    }

    pub fn set_interned(&mut self, interned: bool) {
        self.interned = interned;
    }

    /// The code points, surrogates included.
    pub fn code_points(&self) -> impl Iterator<Item = u32> + '_ {
        CodePoints { bytes: &self.bytes, pos: 0 }
    }

    /// Lossy conversion for messages: surrogates become U+FFFD.
    pub fn to_string_lossy(&self) -> String {
        // Almost every string is plain UTF-8: one copy, not one push per character.
        if let Some(s) = self.as_str() {
            return s.to_owned();
        }
        self.code_points().map(|c| char::from_u32(c).unwrap_or('\u{FFFD}')).collect()
    }
}

impl fmt::Debug for PyStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.to_string_lossy())
    }
}

struct CodePoints<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl CodePoints<'_> {
    fn cont(&self, i: usize) -> Option<u32> {
        let b = *self.bytes.get(self.pos + i)?;
        (b & 0xC0 == 0x80).then_some((b & 0x3F) as u32)
    }

    fn next_checked(&mut self) -> Option<u32> {
        let b0 = *self.bytes.get(self.pos)?;
        let (cp, n) = if b0 < 0x80 {
            (b0 as u32, 1)
        } else if (0xC2..0xE0).contains(&b0) {
            (((b0 & 0x1F) as u32) << 6 | self.cont(1)?, 2)
        } else if (0xE0..0xF0).contains(&b0) {
            let cp = ((b0 & 0x0F) as u32) << 12 | self.cont(1)? << 6 | self.cont(2)?;
            if cp < 0x800 {
                return None;
            }
            (cp, 3)
        } else if (0xF0..0xF5).contains(&b0) {
            let cp = ((b0 & 0x07) as u32) << 18 | self.cont(1)? << 12 | self.cont(2)? << 6 | self.cont(3)?;
            if !(0x10000..=0x10FFFF).contains(&cp) {
                return None;
            }
            (cp, 4)
        } else {
            return None;
        };
        self.pos += n;
        Some(cp)
    }
}

impl Iterator for CodePoints<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        if self.pos >= self.bytes.len() {
            return None;
        }
        match self.next_checked() {
            Some(c) => Some(c),
            None => {
                // Only reachable for bytes that bypassed validation; skip one byte.
                self.pos += 1;
                Some(0xFFFD)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surrogates_round_trip() {
        let s = PyStr::from_surrogatepass(b"a\xed\xb0\x80b", false).unwrap();
        assert_eq!(s.char_len(), 3);
        assert_eq!(s.code_points().collect::<Vec<_>>(), vec![0x61, 0xDC00, 0x62]);
        assert!(s.as_str().is_none());
        assert!(PyStr::from_surrogatepass(b"\xc0\x80", false).is_err());
        assert!(PyStr::from_surrogatepass(b"\xe2\x82", false).is_err());
    }
}
