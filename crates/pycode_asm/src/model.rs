//! The parsed form of an asm file: what the printer makes from a `.pyc` and the parser from
//! text; the builder turns it into an object graph.

use pycode_marshal::PycKind;
use pycode_object::{BigInt, PyStr};
use pycode_release::Release;

/// A whole `.pyc`.
#[derive(Clone, Debug, PartialEq)]
pub struct AsmFile {
    pub release: Release,
    /// The header's flags word (0 timestamp, 1 unchecked hash, 3 checked hash; 2 is also read as
    /// a timestamp header).
    pub header_flags: u32,
    pub kind: PycKind,
    /// Code objects; 0 is the module, the others are referred to by `Const::Code`.
    pub codes: Vec<AsmCode>,
    /// Marshal sharing where the file differs from the derived rules: (position, token).
    pub refs: Vec<(u32, RefToken)>,
}

/// How marshal writes the object at one position of its walk (docs/asm.md, "Sharing").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefToken {
    /// Written in full; `flag` = with `FLAG_REF` (so it takes the next reference index);
    /// `interned` only matters for strings.
    New { flag: bool, interned: bool },
    /// A back-reference to reference index `k` (children are not walked).
    Ref(u32),
}

/// One code object.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AsmCode {
    pub name: PyStr,
    pub qualname: PyStr,
    pub filename: PyStr,
    pub firstlineno: i32,
    pub flags: u32,
    pub argcount: i32,
    pub posonlyargcount: i32,
    pub kwonlyargcount: i32,
    /// `None`: computed by the assembler.
    pub stacksize: Option<i32>,
    /// `co_localsplusnames` with their `CO_FAST_*` kinds.
    pub locals: Vec<(PyStr, u8)>,
    pub consts: Vec<Const>,
    pub names: Vec<PyStr>,
    pub instrs: Vec<Instr>,
    pub handlers: Vec<HandlerRange>,
}

/// Source position of one instruction (CPython's `location`; -1 = none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Loc {
    pub line: i32,
    pub end_line: i32,
    pub col: i32,
    pub end_col: i32,
}

impl Loc {
    pub const NONE: Loc = Loc { line: -1, end_line: -1, col: -1, end_col: -1 };
}

/// One instruction (its `EXTENDED_ARG` prefixes and caches are implied).
#[derive(Clone, Debug, PartialEq)]
pub struct Instr {
    pub opcode: u8,
    pub operand: Operand,
    pub loc: Loc,
    /// Line of the `.s` text (0 when made from a `.pyc`).
    pub line: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operand {
    /// The oparg itself.
    Arg(u32),
    /// A jump to the instruction with this index (may equal the number of instructions: the end).
    Jump(usize),
}

/// One exception-table entry: instructions `start..end` (indices) are handled at `target`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HandlerRange {
    pub start: usize,
    pub end: usize,
    pub target: usize,
    pub depth: u32,
    pub lasti: bool,
}

/// A constant.
#[derive(Clone, Debug, PartialEq)]
pub enum Const {
    None,
    True,
    False,
    Ellipsis,
    Int(i64),
    BigInt(Box<BigInt>),
    /// `f64::to_bits`
    Float(u64),
    Complex(u64, u64),
    Str(PyStr),
    Bytes(Vec<u8>),
    Tuple(Vec<Const>),
    FrozenSet(Vec<Const>),
    Slice(Box<[Const; 3]>),
    /// A nested code object: index into [`AsmFile::codes`].
    Code(usize),
}
