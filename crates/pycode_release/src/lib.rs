//! Known CPython releases and their generated opcode tables.
//!
//! [`Release`] names one of the CPython releases pycode targets; everything
//! release-specific about it (`.pyc` magic, `marshal.version`, cache tag, and
//! the [`OpcodeTable`] that `opcode.py`/`dis.py` of that release expose) is
//! data measured from that release's interpreter by `tools/gen_opcodes.py`
//! and rendered into `src/generated/`. This crate does no I/O and never panics.

pub mod features;
#[rustfmt::skip] // generated (do not edit)
mod generated;
pub mod opcodes;
pub mod release;
mod virtual_ops;

pub use features::{ConstFolding, Features, Minor};
pub use opcodes::{OpFlags, OpcodeTable, PseudoOp, StackEffect};
pub use release::{MagicFamily, Release, UnknownRelease};

#[cfg(test)]
mod tests;
