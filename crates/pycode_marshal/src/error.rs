//! Typed errors of the marshal reader/writer and the `.pyc` layer.

use std::fmt;

/// What went wrong while reading or writing marshal data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MarshalErrorKind {
    /// The input ended while `needed` more bytes were expected (CPython: `EOFError`).
    Truncated { needed: usize },
    /// A type code this release's marshal does not know (CPython: "unknown type code").
    UnknownType { code: u8 },
    /// `TYPE_NULL` where an object is required (CPython: "NULL object in marshal data for ...").
    NullObject { context: &'static str },
    /// A size field that is negative or above `SIZE32_MAX` (CPython: "... size out of range").
    SizeOutOfRange { what: &'static str, size: i64 },
    /// A size that cannot fit in what is left of the input (refused before allocating).
    LengthTooLarge { what: &'static str, len: u64, remaining: usize },
    /// `TYPE_REF` to an index that was never registered (CPython: "invalid reference").
    BadRef { index: i64, known: usize },
    /// `TYPE_REF` to an object that is still being read: it would make a cycle.
    RefInProgress { index: u32 },
    /// Nesting deeper than `MAX_MARSHAL_STACK_DEPTH` (CPython: "recursion limit exceeded").
    TooDeep { limit: u32 },
    /// Invalid UTF-8 (surrogatepass) in a `TYPE_UNICODE`/`TYPE_INTERNED` string; `at` is the
    /// offset of the bad byte inside the string.
    InvalidUtf8 { at: usize },
    /// A `TYPE_LONG` digit outside `0..2**15`, or an unnormalized top digit.
    BadLong { reason: &'static str },
    /// A text float (`TYPE_FLOAT`/`TYPE_COMPLEX`) that does not parse.
    BadFloat,
    /// A code object CPython's code constructor would refuse.
    BadCode { reason: &'static str },
    /// A dict key or set element that is not hashable.
    Unhashable { type_name: &'static str },
    /// Bytes left over after the object.
    TrailingData { len: usize },
    /// A marshal version this crate does not read or write (only 4 and 5 are supported).
    UnsupportedVersion { version: u8 },
    /// Writer: an `ObjId` that is not in the graph.
    BadObjId { id: u32 },
    /// Writer: an object this marshal version cannot represent (CPython: "unmarshallable object").
    Unmarshallable { reason: &'static str },
}

/// A marshal error at a byte offset (of the input for the reader, of the output for the writer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarshalError {
    pub offset: usize,
    pub kind: MarshalErrorKind,
}

impl MarshalError {
    pub(crate) fn new(offset: usize, kind: MarshalErrorKind) -> Self {
        Self { offset, kind }
    }
}

impl fmt::Display for MarshalErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use MarshalErrorKind::*;
        match self {
            Truncated { needed } => write!(f, "marshal data too short ({needed} more byte(s) needed)"),
            UnknownType { code } => write!(f, "bad marshal data (unknown type code 0x{code:02x})"),
            NullObject { context } => write!(f, "NULL object in marshal data for {context}"),
            SizeOutOfRange { what, size } => {
                write!(f, "bad marshal data ({what} size out of range: {size})")
            }
            LengthTooLarge { what, len, remaining } => {
                write!(f, "bad marshal data ({what} of length {len} cannot fit in the {remaining} remaining byte(s))")
            }
            BadRef { index, known } => {
                write!(f, "bad marshal data (invalid reference {index}, {known} registered)")
            }
            RefInProgress { index } => write!(f, "bad marshal data (reference {index} to an object still being read: cycle)"),
            TooDeep { limit } => write!(f, "recursion limit exceeded (nesting deeper than {limit})"),
            InvalidUtf8 { at } => {
                write!(f, "invalid utf-8 (surrogatepass) at byte {at} of the string")
            }
            BadLong { reason } => write!(f, "bad marshal data ({reason})"),
            BadFloat => write!(f, "could not convert string to float"),
            BadCode { reason } => write!(f, "bad code object: {reason}"),
            Unhashable { type_name } => write!(f, "unhashable type: '{type_name}'"),
            TrailingData { len } => write!(f, "{len} byte(s) of trailing data after the object"),
            UnsupportedVersion { version } => write!(f, "unsupported marshal version {version}"),
            BadObjId { id } => write!(f, "object id {id} is not in the graph"),
            Unmarshallable { reason } => write!(f, "unmarshallable object: {reason}"),
        }
    }
}

impl fmt::Display for MarshalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "offset {}: {}", self.offset, self.kind)
    }
}

impl std::error::Error for MarshalError {}

/// Errors of the `.pyc` layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PycError {
    /// Fewer than 16 bytes.
    TooShort { len: usize },
    /// The first four bytes are not a known release's magic number (`magic` is the 16-bit
    /// number, `raw` the four bytes).
    UnknownMagic { magic: u16, raw: [u8; 4] },
    /// The flags word is not 0, 1, 2 or 3 (importlib: "invalid flags").
    BadFlags { flags: u32 },
    /// The header's flags word does not agree with its kind (writer).
    InconsistentHeader { flags: u32 },
    /// The marshal data after the header is bad; the error's offset counts from the start of the
    /// file.
    Marshal(MarshalError),
}

impl fmt::Display for PycError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PycError::TooShort { len } => {
                write!(f, "not a .pyc file: {len} byte(s), the header alone is 16")
            }
            PycError::UnknownMagic { magic, raw } => write!(
                f,
                "unknown magic number {magic} (bytes {:02x} {:02x} {:02x} {:02x}): not a release this tool knows",
                raw[0], raw[1], raw[2], raw[3]
            ),
            PycError::BadFlags { flags } => write!(f, "invalid flags {flags} in .pyc header"),
            PycError::InconsistentHeader { flags } => {
                write!(f, "header flags {flags} disagree with the header kind")
            }
            PycError::Marshal(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for PycError {}

impl From<MarshalError> for PycError {
    fn from(e: MarshalError) -> Self {
        PycError::Marshal(e)
    }
}
