//! `pycode_asm`: a text format for a whole `.pyc` (docs/asm.md), printed from a `.pyc` by
//! [`disassemble_pyc`] (`pycode dis --asm`) and assembled back by [`assemble`] (`pycode asm`).
//!
//! The text names instructions and their operands symbolically (constants, names, locals,
//! cells and free variables, comparison operators, intrinsics, labels); the assembler computes
//! what CPython's assembler computes: `EXTENDED_ARG` prefixes, inline caches, jump offsets (the
//! release's forward/backward encodings, resolved until the sizes settle), the stack depth when
//! it is not given, the exception table from labelled ranges, and the location table from the
//! per-instruction positions (`pycode_assemble`'s encoder). Marshal sharing (which objects are
//! one object, which carry `FLAG_REF`, which strings are interned) is derived with
//! `pycode_assemble::graph::GraphBuilder`, CPython's rules for a freshly compiled module; where
//! a `.pyc` differs from that derivation, the text records the difference (`.refs`).
//!
//! # Invariant
//! Library code: every input gives `Ok` or a typed error ([`AsmError`], with the line of the
//! `.s` text where there is one); nothing panics.

mod build;
mod lex;
mod model;
mod ops;
mod parse;
mod print;
mod share;

pub use model::{AsmCode, AsmFile, Const, HandlerRange, Instr, Operand};

use pycode_release::Release;

/// Errors of the disassembler and the assembler.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AsmError {
    /// A problem in the `.s` text, at a 1-based line.
    Syntax { line: usize, msg: String },
    /// An opcode name the release does not have.
    UnknownOpcode { line: usize, name: String, release: Release },
    /// A jump or exception range names a label that is never defined.
    UndefinedLabel { line: usize, label: String },
    /// The `.pyc` holds something the text format cannot express (with the reason).
    Unsupported(String),
    /// Reading or writing the `.pyc` failed.
    Pyc(String),
}

impl std::fmt::Display for AsmError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AsmError::Syntax { line, msg } => write!(f, "line {line}: {msg}"),
            AsmError::UnknownOpcode { line, name, release } => {
                write!(f, "line {line}: CPython {release} has no opcode {name}")
            }
            AsmError::UndefinedLabel { line, label } => write!(f, "line {line}: undefined label {label}"),
            AsmError::Unsupported(s) => write!(f, "cannot express in the asm format: {s}"),
            AsmError::Pyc(s) => write!(f, "{s}"),
        }
    }
}

impl std::error::Error for AsmError {}

/// The asm text of a `.pyc` (release from its magic number, or `target` when given and sharing
/// the magic number).
pub fn disassemble_pyc(data: &[u8], target: Option<Release>) -> Result<String, AsmError> {
    let mut pyc = pycode_marshal::read_pyc(data).map_err(|e| AsmError::Pyc(e.to_string()))?;
    if let Some(t) = target {
        if t.magic() != pyc.header.release.magic() {
            return Err(AsmError::Pyc(format!(
                "--target {t} does not match the file, whose magic number {} is that of CPython {}",
                pyc.header.release.magic(),
                pyc.header.release
            )));
        }
        pyc.header.release = t;
    }
    let file = print::file_from_pyc(&pyc)?;
    let refs = share::overrides_for(&file, &pyc.graph, pyc.root)?;
    Ok(print::render(&file, &refs))
}

/// The model of a `.pyc` (what [`disassemble_pyc`] prints, before the sharing differences).
pub fn read_model(data: &[u8]) -> Result<AsmFile, AsmError> {
    let pyc = pycode_marshal::read_pyc(data).map_err(|e| AsmError::Pyc(e.to_string()))?;
    print::file_from_pyc(&pyc)
}

/// Parses asm text into its model (labels resolved, operands checked).
pub fn parse(text: &str, target: Option<Release>) -> Result<AsmFile, AsmError> {
    parse::parse(text, target)
}

/// Assembles asm text into the bytes of a `.pyc`.
pub fn assemble(text: &str, target: Option<Release>) -> Result<Vec<u8>, AsmError> {
    let file = parse::parse(text, target)?;
    let (graph, root) = share::final_graph(&file)?;
    let header = build::header(&file);
    pycode_marshal::write_pyc(&header, &graph, root).map_err(|e| AsmError::Pyc(e.to_string()))
}
