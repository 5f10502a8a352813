//! A disassembler that prints exactly what each CPython release's `dis` prints.
//!
//! * [`dis`] is `dis.dis(code)` (CPython's `_disassemble_recursive`): the code object, then every
//!   code object in its `co_consts`, depth-first, each under a `Disassembly of <code object …>:`
//!   header.
//! * [`code_info_all`] is `dis.show_code(c)` for every code object, depth-first in const order.
//! * [`code_tables_all`] prints `co_lines()`, `co_positions()` and the exception table of every
//!   code object, as Python prints those lists.
//! * [`repr`] formats constants as that release's `repr()` does.
//!
//! The only intended difference from CPython's text is the address inside code object reprs
//! (`<code object f at 0x…>`), which is a stable fake ([`repr::fake_address`]).
//!
//! Nothing here panics on malformed input: where CPython's `dis` would raise (an index out of
//! range, …), a [`DisError`] is returned.

mod disasm;
mod info;
pub mod pyhash;
pub mod repr;
mod tables;

use std::fmt;

use pycode_object::ObjId;
use pycode_release::Release;

pub use disasm::{dis, disassemble_one};
pub use info::{code_info, code_info_all};
pub use repr::{Repr, UnicodeVersion};
pub use tables::code_tables_all;

/// Options of `dis.dis` that change its text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DisOptions {
    /// `show_caches=True` (`-C`): print the inline `CACHE` entries.
    pub show_caches: bool,
    /// `show_offsets=True` (`-O`, 3.13+): print the offset column.
    pub show_offsets: bool,
    /// `show_positions=True` (`-P`, 3.14+): print full source positions instead of lines.
    pub show_positions: bool,
    /// How `frozenset({...})` elements are ordered.
    pub set_order: SetOrder,
}

/// The order of set elements in reprs. CPython iterates a set in hash-table order, which depends
/// on the hash seed and on the width of `Py_hash_t`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SetOrder {
    /// As a 64-bit CPython run with `PYTHONHASHSEED=0` prints them (where predictable).
    #[default]
    Seed0Bits64,
    /// As a 32-bit CPython using FNV string hashes (Pyodide) run with `PYTHONHASHSEED=0`.
    Seed0Bits32,
    /// In the order the marshal data lists them.
    Marshal,
}

impl SetOrder {
    /// The hash model of this order for `release` (`None` for [`SetOrder::Marshal`]).
    pub fn hasher(self, release: Release) -> Option<pyhash::Hasher> {
        let none_is_constant = release.at_least(3, 12);
        let width = match self {
            SetOrder::Seed0Bits64 => pyhash::HashWidth::Bits64,
            SetOrder::Seed0Bits32 => pyhash::HashWidth::Bits32,
            SetOrder::Marshal => return None,
        };
        Some(pyhash::Hasher { width, none_is_constant })
    }
}

/// Why a code object could not be disassembled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DisError {
    /// An object id that is not in the graph.
    BadObject(ObjId),
    /// An object of the wrong type where a code object (or one of its fields) was expected.
    WrongType { what: &'static str, expected: &'static str, found: &'static str },
    /// An index out of range (CPython's `dis` raises `IndexError` here).
    Index { what: &'static str, index: i64 },
    /// `repr()` failed as it would in CPython (e.g. an int with too many digits).
    Repr(String),
    /// The code is malformed in a way CPython's code constructor refuses.
    Malformed(String),
    /// The option does not exist in this release's `dis`.
    Unsupported { option: &'static str, release: Release },
}

impl fmt::Display for DisError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DisError::BadObject(id) => write!(f, "object #{} does not exist", id.0),
            DisError::WrongType { what, expected, found } => {
                write!(f, "{what}: expected {expected}, found {found}")
            }
            DisError::Index { what, index } => write!(f, "{what} index {index} out of range"),
            DisError::Repr(m) => write!(f, "repr failed: {m}"),
            DisError::Malformed(m) => write!(f, "malformed code object: {m}"),
            DisError::Unsupported { option, release } => {
                write!(f, "dis of CPython {release} has no option {option}")
            }
        }
    }
}

impl std::error::Error for DisError {}

/// The Unicode database version of a release (decides which characters `repr(str)` escapes).
pub fn unicode_version(release: Release) -> UnicodeVersion {
    match release {
        Release::V3_11_2 | Release::V3_11_7 => UnicodeVersion::V14,
        Release::V3_12_1 | Release::V3_12_7 => UnicodeVersion::V15_0,
        Release::V3_13_0 | Release::V3_13_2 => UnicodeVersion::V15_1,
        Release::V3_14_2 => UnicodeVersion::V16,
        Release::V3_15_0rc1 => UnicodeVersion::V17,
    }
}
