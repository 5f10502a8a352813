//! The CPython releases pycode knows, and the facts about each that were
//! measured from its interpreter (see `tools/gen_opcodes.py`).

use core::fmt;

use crate::generated::{v3_11_2, v3_11_7, v3_12_1, v3_12_7, v3_13_0, v3_13_2, v3_14_2, v3_15_0rc1};
use crate::opcodes::OpcodeTable;

/// A known CPython release. Ordered by version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(non_camel_case_types)]
pub enum Release {
    /// Debian 12's `python3.11`.
    V3_11_2,
    V3_11_7,
    V3_12_1,
    V3_12_7,
    V3_13_0,
    V3_13_2,
    V3_14_2,
    /// The first release candidate of 3.15 (Pyodide 315.0.0-alpha.2), the only 3.15 known.
    V3_15_0rc1,
}

/// [`Release::parse`] was given something that names no known release.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownRelease {
    /// What was asked for.
    pub requested: String,
}

impl fmt::Display for UnknownRelease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown CPython release {:?}; known releases: ", self.requested)?;
        for (i, r) in Release::ALL.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{r}")?;
        }
        f.write_str(" (or 3.11, 3.12, 3.13, 3.14, 3.15 for the newest known patch)")
    }
}

impl std::error::Error for UnknownRelease {}

impl Release {
    /// Every known release, oldest first.
    pub const ALL: [Release; 8] = [
        Release::V3_11_2,
        Release::V3_11_7,
        Release::V3_12_1,
        Release::V3_12_7,
        Release::V3_13_0,
        Release::V3_13_2,
        Release::V3_14_2,
        Release::V3_15_0rc1,
    ];

    /// The newest known *final* release (3.15 is known only as a release candidate).
    pub const LATEST: Release = Release::V3_14_2;

    /// Accepts an exact known version (`"3.12.7"`) or a minor version
    /// (`"3.12"`), which means the newest known patch of that minor.
    /// A pre-release is named exactly as CPython names it (`"3.15.0rc1"`); `"3.15.0"` is not it.
    pub fn parse(s: &str) -> Result<Release, UnknownRelease> {
        let err = || UnknownRelease { requested: s.to_owned() };
        if let Some(r) = Release::ALL.into_iter().find(|r| r.name() == s) {
            return Ok(r);
        }
        let mut parts = s.split('.');
        let major = parse_component(parts.next()).ok_or_else(err)?;
        let minor = parse_component(parts.next()).ok_or_else(err)?;
        let micro = match parts.next() {
            None => None,
            Some(p) => Some(parse_component(Some(p)).ok_or_else(err)?),
        };
        if parts.next().is_some() {
            return Err(err());
        }
        match micro {
            Some(micro) => Release::ALL.into_iter().find(|r| r.version() == (major, minor, micro) && !r.is_prerelease()).ok_or_else(err),
            None => Release::newest_of_minor((major, minor)).ok_or_else(err),
        }
    }

    /// The newest known patch release of `major.minor`.
    pub fn newest_of_minor(minor: (u8, u8)) -> Option<Release> {
        Release::ALL.into_iter().rev().find(|r| r.minor() == minor)
    }

    /// `sys.version_info[:3]`.
    pub const fn version(self) -> (u8, u8, u8) {
        match self {
            Release::V3_11_2 => v3_11_2::VERSION,
            Release::V3_11_7 => v3_11_7::VERSION,
            Release::V3_12_1 => v3_12_1::VERSION,
            Release::V3_12_7 => v3_12_7::VERSION,
            Release::V3_13_0 => v3_13_0::VERSION,
            Release::V3_13_2 => v3_13_2::VERSION,
            Release::V3_14_2 => v3_14_2::VERSION,
            Release::V3_15_0rc1 => v3_15_0rc1::VERSION,
        }
    }

    /// The release's name as `sys.version` starts with it: `"3.12.7"`, `"3.15.0rc1"`.
    pub const fn name(self) -> &'static str {
        match self {
            Release::V3_11_2 => v3_11_2::NAME,
            Release::V3_11_7 => v3_11_7::NAME,
            Release::V3_12_1 => v3_12_1::NAME,
            Release::V3_12_7 => v3_12_7::NAME,
            Release::V3_13_0 => v3_13_0::NAME,
            Release::V3_13_2 => v3_13_2::NAME,
            Release::V3_14_2 => v3_14_2::NAME,
            Release::V3_15_0rc1 => v3_15_0rc1::NAME,
        }
    }

    /// Whether this is an alpha, beta or release candidate (its name is more than `X.Y.Z`).
    pub const fn is_prerelease(self) -> bool {
        matches!(self, Release::V3_15_0rc1)
    }

    /// `(major, minor)`.
    pub const fn minor(self) -> (u8, u8) {
        let (a, b, _) = self.version();
        (a, b)
    }

    /// Whether this release is at least `major.minor` (e.g. `r.at_least(3, 13)`).
    pub const fn at_least(self, major: u8, minor: u8) -> bool {
        let (a, b) = self.minor();
        a > major || (a == major && b >= minor)
    }

    /// The `.pyc` magic number: the first two bytes of
    /// `importlib.util.MAGIC_NUMBER`, little-endian.
    pub const fn magic(self) -> u16 {
        match self {
            Release::V3_11_2 => v3_11_2::MAGIC,
            Release::V3_11_7 => v3_11_7::MAGIC,
            Release::V3_12_1 => v3_12_1::MAGIC,
            Release::V3_12_7 => v3_12_7::MAGIC,
            Release::V3_13_0 => v3_13_0::MAGIC,
            Release::V3_13_2 => v3_13_2::MAGIC,
            Release::V3_14_2 => v3_14_2::MAGIC,
            Release::V3_15_0rc1 => v3_15_0rc1::MAGIC,
        }
    }

    /// `importlib.util.MAGIC_NUMBER`: the 4 bytes a `.pyc` starts with (incl. `\r\n`).
    pub const fn magic_bytes(self) -> [u8; 4] {
        match self {
            Release::V3_11_2 => v3_11_2::MAGIC_BYTES,
            Release::V3_11_7 => v3_11_7::MAGIC_BYTES,
            Release::V3_12_1 => v3_12_1::MAGIC_BYTES,
            Release::V3_12_7 => v3_12_7::MAGIC_BYTES,
            Release::V3_13_0 => v3_13_0::MAGIC_BYTES,
            Release::V3_13_2 => v3_13_2::MAGIC_BYTES,
            Release::V3_14_2 => v3_14_2::MAGIC_BYTES,
            Release::V3_15_0rc1 => v3_15_0rc1::MAGIC_BYTES,
        }
    }

    /// Every known release whose `.pyc` magic equals this one's, oldest first (this one included).
    /// A `.pyc` names only its magic, so a reader knows the file came from one of these, not which.
    pub fn same_magic(self) -> impl Iterator<Item = Release> {
        let magic = self.magic_bytes();
        Release::ALL.into_iter().filter(move |r| r.magic_bytes() == magic)
    }

    /// Displays every release sharing this one's magic (`3.11.2 or 3.11.7`): what a reader of a
    /// `.pyc` can say about the release that wrote it.
    pub fn magic_family(self) -> MagicFamily {
        MagicFamily(self)
    }

    /// The newest known release whose magic number is `magic`.
    pub fn from_magic(magic: u16) -> Option<Release> {
        Release::ALL.into_iter().rev().find(|r| r.magic() == magic)
    }

    /// The newest known release whose 4-byte `.pyc` magic is `bytes`
    /// (checks the trailing `\r\n` too).
    pub fn from_magic_bytes(bytes: [u8; 4]) -> Option<Release> {
        Release::ALL.into_iter().rev().find(|r| r.magic_bytes() == bytes)
    }

    /// `marshal.version` of this release.
    pub const fn marshal_version(self) -> u8 {
        match self {
            Release::V3_11_2 => v3_11_2::MARSHAL_VERSION,
            Release::V3_11_7 => v3_11_7::MARSHAL_VERSION,
            Release::V3_12_1 => v3_12_1::MARSHAL_VERSION,
            Release::V3_12_7 => v3_12_7::MARSHAL_VERSION,
            Release::V3_13_0 => v3_13_0::MARSHAL_VERSION,
            Release::V3_13_2 => v3_13_2::MARSHAL_VERSION,
            Release::V3_14_2 => v3_14_2::MARSHAL_VERSION,
            Release::V3_15_0rc1 => v3_15_0rc1::MARSHAL_VERSION,
        }
    }

    /// `sys.implementation.cache_tag`, e.g. `"cpython-312"`.
    pub const fn cache_tag(self) -> &'static str {
        match self {
            Release::V3_11_2 => v3_11_2::CACHE_TAG,
            Release::V3_11_7 => v3_11_7::CACHE_TAG,
            Release::V3_12_1 => v3_12_1::CACHE_TAG,
            Release::V3_12_7 => v3_12_7::CACHE_TAG,
            Release::V3_13_0 => v3_13_0::CACHE_TAG,
            Release::V3_13_2 => v3_13_2::CACHE_TAG,
            Release::V3_14_2 => v3_14_2::CACHE_TAG,
            Release::V3_15_0rc1 => v3_15_0rc1::CACHE_TAG,
        }
    }

    /// The opcode tables of this release.
    pub fn opcodes(self) -> &'static OpcodeTable {
        match self {
            Release::V3_11_2 => &v3_11_2::TABLE,
            Release::V3_11_7 => &v3_11_7::TABLE,
            Release::V3_12_1 => &v3_12_1::TABLE,
            Release::V3_12_7 => &v3_12_7::TABLE,
            Release::V3_13_0 => &v3_13_0::TABLE,
            Release::V3_13_2 => &v3_13_2::TABLE,
            Release::V3_14_2 => &v3_14_2::TABLE,
            Release::V3_15_0rc1 => &v3_15_0rc1::TABLE,
        }
    }
}

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// [`Release::magic_family`]: the releases sharing a magic number, `or`-separated, oldest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MagicFamily(Release);

impl fmt::Display for MagicFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.0.same_magic().enumerate() {
            if i > 0 {
                f.write_str(" or ")?;
            }
            f.write_str(r.name())?;
        }
        Ok(())
    }
}

impl core::str::FromStr for Release {
    type Err = UnknownRelease;
    fn from_str(s: &str) -> Result<Release, UnknownRelease> {
        Release::parse(s)
    }
}

/// A decimal version component without sign, leading `+` or surrounding space.
fn parse_component(p: Option<&str>) -> Option<u8> {
    let p = p?;
    if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    p.parse().ok()
}
