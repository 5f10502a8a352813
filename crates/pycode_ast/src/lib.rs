//! `pycode_ast`: CPython's abstract syntax tree for releases 3.11 through 3.15, and `ast.dump`.
//!
//! # Invariant
//! The types mirror `Parser/Python.asdl`: same node kinds, same field names and order. Positions are
//! CPython's (1-based lines, UTF-8 byte columns). A tree is plain owned data (boxed enums), built by
//! `pycode_parse` and consumed by the compiler and by [`dump()`].
//!
//! # API boundary
//! Data types plus `ast.dump`; no parsing, no I/O.

pub mod arena;
pub mod constant;
pub mod dump;
pub mod names;
pub mod nodes;
pub mod pyerr;
mod wide_chars;

pub use constant::Constant;
pub use dump::{ast_construction_limit, dump, dump_expr, dump_frame_limit, dump_limited, Depths, DumpOptions};
pub use nodes::*;
pub use pycode_object::PyStr;

/// The CPython minor release whose AST shape and `ast.dump` output to produce.
/// (Patch releases of one minor version do not differ in either.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PyMinor {
    Py311,
    Py312,
    Py313,
    Py314,
    Py315,
}

impl PyMinor {
    /// The Unicode database of the release (decides which characters `repr(str)` escapes).
    pub fn unicode_version(self) -> pycode_object::pyrepr::UnicodeVersion {
        use pycode_object::pyrepr::UnicodeVersion as U;
        match self {
            PyMinor::Py311 => U::V14,
            PyMinor::Py312 => U::V15_0,
            PyMinor::Py313 => U::V15_1,
            PyMinor::Py314 => U::V16,
            PyMinor::Py315 => U::V17,
        }
    }
}

impl From<pycode_release::Release> for PyMinor {
    fn from(r: pycode_release::Release) -> PyMinor {
        use pycode_release::Release as R;
        match r {
            R::V3_11_2 | R::V3_11_7 => PyMinor::Py311,
            R::V3_12_1 | R::V3_12_7 => PyMinor::Py312,
            R::V3_13_0 | R::V3_13_2 => PyMinor::Py313,
            R::V3_14_2 => PyMinor::Py314,
            R::V3_15_0rc1 => PyMinor::Py315,
        }
    }
}
