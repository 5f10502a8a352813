//! `pycode_marshal`: CPython's marshal format (versions 4 and 5) and `.pyc` files.
//!
//! * [`loads`] / [`loads_prefix`] mirror `r_object` in `Python/marshal.c` and build an
//!   [`ObjectGraph`](pycode_object::ObjectGraph); `TYPE_REF` becomes the same `ObjId`, and each
//!   node records whether it carried `FLAG_REF`.
//! * [`dumps`] / [`dumps_with`] mirror `w_object`, choosing type codes as CPython does, so that
//!   `dumps(loads(b)) == b` for everything CPython writes.
//! * [`read_pyc`] / [`write_pyc`] handle the 16-byte header; [`source_hash`] is
//!   `importlib.util.source_hash`.
//!
//! # Invariant
//! Any input gives `Ok` or a typed error (never a panic), memory is bounded by a small multiple of
//! the input length, nesting is limited to `MAX_MARSHAL_STACK_DEPTH` (2000), and the graph the
//! reader returns is acyclic, with code objects whose fields have the types CPython requires.
//!
//! # Deliberate differences from CPython's reader
//! * References to a container that is still being read (which CPython allows for lists, dicts,
//!   sets and tuples, building a cycle) are refused with [`MarshalErrorKind::RefInProgress`].
//! * Duplicate dict keys and set elements are kept as they are (CPython merges equal ones).
//! * [`loads`] and [`read_pyc`] refuse trailing bytes; [`loads_prefix`] ignores them like
//!   `marshal.loads`.

mod error;
mod pyc;
mod read;
mod siphash;
mod types;
mod write;

pub use error::{MarshalError, MarshalErrorKind, PycError};
pub use pyc::{read_pyc, write_pyc, Pyc, PycHeader, PycKind, PYC_HEADER_LEN};
pub use read::{loads, loads_prefix};
pub use siphash::source_hash;
pub use types::*;
pub use write::{dump_into, dumps, dumps_with, output_estimate, DumpOptions};

#[cfg(test)]
mod tests;
