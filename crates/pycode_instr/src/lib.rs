//! `pycode_instr`: the compiler's intermediate representation — the contract between the code
//! generator (front half) and the CFG optimiser / assembler (back half).
//!
//! Mirrors CPython 3.12's `instr_sequence` / `_PyCompile_Instruction` / `_PyCompile_CodeUnitMetadata`
//! (`Python/compile.c`, `Include/internal/pycore_compile.h`).
//!
//! * An [`InstrSequence`] is what codegen emits for one code unit: a flat list of [`Instr`]s, with
//!   [`Label`]s bound to instruction positions (`use_label`). Opcodes are plain numbers taken from
//!   the target release's opcode table (`pycode_release`), pseudo-instructions (`SETUP_FINALLY`,
//!   `JUMP`, `POP_BLOCK`, …) included; this crate attaches no meaning to them.
//! * A jump (or `SETUP_*`) instruction names its target in [`Instr::target`]; its `oparg` is
//!   ignored until the assembler computes offsets.
//! * Constants live in one [`ConstPool`] shared by every code unit of a compilation, keyed like
//!   CPython's `_PyCode_ConstantKey` so that `0`, `0.0`, `-0.0` and `False` stay distinct while
//!   equal constants (recursively, for tuples and frozensets) become one object — the effect of
//!   CPython's `merge_consts_recursive` and its `c_const_cache`. Marshal's `FLAG_REF`/`TYPE_REF`
//!   output depends on that identity, so the assembler materialises one object per [`ConstId`].
//!
//! No function here panics on any input.

pub mod cfgfold;
mod consts;
mod indexset;

pub use consts::{ConstId, ConstPool, ConstValue, StrOrigin};
pub use indexset::IndexSet;
pub use pycode_object::PyStr;

/// A jump target, created by [`InstrSequence::new_label`]. Mirrors CPython's `jump_target_label`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Label(pub u32);

impl Label {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A source range (CPython's `location` / `_Py_SourceLocation`). Lines are 1-based, columns are
/// 0-based UTF-8 byte offsets; `-1` means "unknown" for each field, as in CPython.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    pub lineno: i32,
    pub end_lineno: i32,
    pub col_offset: i32,
    pub end_col_offset: i32,
}

impl Location {
    /// CPython's `NO_LOCATION`: every field -1.
    pub const NO_LOCATION: Location = Location { lineno: -1, end_lineno: -1, col_offset: -1, end_col_offset: -1 };

    /// 3.14+ `NEXT_LOCATION` (every field -2): the assembler gives the instruction the
    /// location of the instruction after it in the final sequence.
    pub const NEXT_LOCATION: Location = Location { lineno: -2, end_lineno: -2, col_offset: -2, end_col_offset: -2 };

    pub const fn new(lineno: i32, end_lineno: i32, col_offset: i32, end_col_offset: i32) -> Self {
        Self { lineno, end_lineno, col_offset, end_col_offset }
    }

    /// `SAME_LOCATION` in CPython: field-wise equality.
    pub fn same(&self, other: &Location) -> bool {
        self == other
    }
}

impl Default for Location {
    fn default() -> Self {
        Self::NO_LOCATION
    }
}

/// One instruction of a sequence (CPython's `_PyCompile_Instruction` / `cfg_instr` before
/// optimisation). `opcode` may be a real opcode or a pseudo-op number of the target release.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Instr {
    pub opcode: u16,
    /// The argument; for jumps it is filled in by the assembler (CPython keeps the label id here
    /// until then; we keep it in `target`).
    pub oparg: u32,
    /// Jump / exception-handler target for jumps and `SETUP_*` pseudo-ops.
    pub target: Option<Label>,
    pub loc: Location,
}

impl Instr {
    pub const fn new(opcode: u16, oparg: u32, loc: Location) -> Self {
        Self { opcode, oparg, target: None, loc }
    }

    pub const fn jump(opcode: u16, target: Label, loc: Location) -> Self {
        Self { opcode, oparg: 0, target: Some(target), loc }
    }
}

/// Errors from building or checking an instruction sequence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InstrError {
    /// `use_label` on a label that was not created by this sequence.
    UnknownLabel(Label),
    /// A label bound twice.
    LabelBoundTwice(Label),
    /// A jump to a label that was never bound.
    UnboundLabel(Label),
}

impl std::fmt::Display for InstrError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InstrError::UnknownLabel(l) => write!(f, "unknown label {}", l.0),
            InstrError::LabelBoundTwice(l) => write!(f, "label {} bound twice", l.0),
            InstrError::UnboundLabel(l) => write!(f, "jump to unbound label {}", l.0),
        }
    }
}

impl std::error::Error for InstrError {}

/// Position of a label that has not been bound yet.
const UNBOUND: u32 = u32::MAX;

/// A code unit's instructions as emitted by codegen. Mirrors CPython 3.12's `instr_sequence`
/// (`instr_sequence_next_inst`, `instr_sequence_new_label`, `instr_sequence_use_label`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InstrSequence {
    instrs: Vec<Instr>,
    /// Label id → index of the instruction it precedes (`UNBOUND` until `use_label`).
    labels: Vec<u32>,
    /// Label id → number of instructions emitted when it was created (the order in which
    /// 3.11's `compiler_new_block` allocated the block, relative to implicit blocks).
    created: Vec<u32>,
}

impl InstrSequence {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_capacity(n: usize) -> Self {
        Self { instrs: Vec::with_capacity(n), labels: Vec::new(), created: Vec::new() }
    }

    /// Appends an instruction (`instr_sequence_addop` / `codegen_addop_*`).
    pub fn push(&mut self, instr: Instr) {
        self.instrs.push(instr);
    }

    /// Appends a non-jump instruction.
    pub fn addop(&mut self, opcode: u16, oparg: u32, loc: Location) {
        self.instrs.push(Instr::new(opcode, oparg, loc));
    }

    /// Appends a jump (or `SETUP_*`) instruction to `target`.
    pub fn addop_jump(&mut self, opcode: u16, target: Label, loc: Location) {
        self.instrs.push(Instr::jump(opcode, target, loc));
    }

    /// How many instructions had been emitted when `label` was created.
    pub fn label_created_at(&self, label: Label) -> Option<u32> {
        self.created.get(label.index()).copied()
    }

    /// Whether a label is bound after the last instruction (the next instruction would start a
    /// new basic block).
    pub fn label_at_end(&self) -> bool {
        let end = self.instrs.len() as u32;
        self.labels.contains(&end)
    }

    /// A fresh, unbound label (`NEW_JUMP_TARGET_LABEL`).
    pub fn new_label(&mut self) -> Label {
        let l = Label(self.labels.len() as u32);
        self.labels.push(UNBOUND);
        self.created.push(self.instrs.len() as u32);
        l
    }

    /// Drops the instructions from `len` on (labels bound past the new end are left as they
    /// are; the caller re-inserts what it removed).
    pub fn truncate_to(&mut self, len: usize) {
        self.instrs.truncate(len);
    }

    /// Inserts `instr` at position `pos` (clamped to the end), shifting labels bound at or after
    /// `pos` (`instr_sequence_insert_instruction`, used by `wrap_in_stopiteration_handler`).
    pub fn insert(&mut self, pos: usize, instr: Instr) {
        let pos = pos.min(self.instrs.len());
        self.instrs.insert(pos, instr);
        for p in self.labels.iter_mut() {
            if *p != UNBOUND && *p as usize >= pos {
                *p += 1;
            }
        }
    }

    /// Binds `label` to the position of the next instruction (`USE_LABEL`).
    pub fn use_label(&mut self, label: Label) -> Result<(), InstrError> {
        let pos = self.instrs.len() as u32;
        match self.labels.get_mut(label.index()) {
            None => Err(InstrError::UnknownLabel(label)),
            Some(p) if *p != UNBOUND => Err(InstrError::LabelBoundTwice(label)),
            Some(p) => {
                *p = pos;
                Ok(())
            }
        }
    }

    pub fn instrs(&self) -> &[Instr] {
        &self.instrs
    }

    pub fn instrs_mut(&mut self) -> &mut [Instr] {
        &mut self.instrs
    }

    pub fn len(&self) -> usize {
        self.instrs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.instrs.is_empty()
    }

    pub fn label_count(&self) -> usize {
        self.labels.len()
    }

    /// The instruction index `label` is bound to, if bound.
    pub fn label_position(&self, label: Label) -> Option<usize> {
        match self.labels.get(label.index()) {
            Some(&p) if p != UNBOUND => Some(p as usize),
            _ => None,
        }
    }

    /// Checks that every jump target is a bound label of this sequence.
    pub fn check(&self) -> Result<(), InstrError> {
        for i in &self.instrs {
            if let Some(t) = i.target {
                if self.label_position(t).is_none() {
                    return Err(InstrError::UnboundLabel(t));
                }
            }
        }
        Ok(())
    }

    /// Builds a sequence from instructions whose jump targets are given as *instruction indices*
    /// (the format of CPython's `_testinternalcapi.compiler_codegen` / `optimize_cfg`): each index
    /// used as a target gets a label bound before that instruction. `is_target_op` says which
    /// opcodes carry a target in their oparg.
    pub fn from_indexed(items: &[(u16, i64, Location)], is_target_op: impl Fn(u16) -> bool) -> Result<Self, InstrError> {
        let n = items.len();
        // index → label id, assigned in index order.
        let mut label_at: Vec<u32> = vec![UNBOUND; n + 1];
        for &(op, arg, _) in items {
            if is_target_op(op) {
                let idx = usize::try_from(arg).ok().filter(|&a| a <= n);
                match idx {
                    Some(a) => label_at[a] = 0,
                    None => return Err(InstrError::UnboundLabel(Label(u32::MAX))),
                }
            }
        }
        let mut seq = InstrSequence::with_capacity(n);
        for slot in label_at.iter_mut() {
            if *slot == 0 {
                *slot = seq.new_label().0;
            }
        }
        for (i, &(op, arg, loc)) in items.iter().enumerate() {
            if let Some(&l) = label_at.get(i) {
                if l != UNBOUND {
                    seq.use_label(Label(l))?;
                }
            }
            if is_target_op(op) {
                let l = label_at.get(arg as usize).copied().unwrap_or(UNBOUND);
                seq.addop_jump(op, Label(l), loc);
            } else {
                seq.addop(op, u32::try_from(arg).unwrap_or(0), loc);
            }
        }
        if let Some(&l) = label_at.get(n) {
            if l != UNBOUND {
                seq.use_label(Label(l))?;
            }
        }
        Ok(seq)
    }
}

/// Per-code-unit data that is not instructions (CPython's `_PyCompile_CodeUnitMetadata`).
/// The index of an entry in `consts`/`names`/`varnames`/… is the oparg codegen used for it.
#[derive(Clone, Debug)]
pub struct CodeUnitMetadata {
    /// `u_name`
    pub name: PyStr,
    /// `u_qualname`
    pub qualname: PyStr,
    /// `u_consts`: per-unit constant list, entries of the compilation's [`ConstPool`].
    pub consts: IndexSet<ConstId>,
    /// `u_names`
    pub names: IndexSet<PyStr>,
    /// `u_varnames`: parameters first, then other locals.
    pub varnames: IndexSet<PyStr>,
    /// `u_cellvars`
    pub cellvars: IndexSet<PyStr>,
    /// `u_freevars`
    pub freevars: IndexSet<PyStr>,
    /// `u_fasthidden` (3.13+): locals hidden by inlined comprehensions.
    pub fasthidden: IndexSet<PyStr>,
    /// `u_argcount`: positional-or-keyword parameters, *not* counting positional-only ones
    /// (`co_argcount` is `posonlyargcount + argcount`).
    pub argcount: u32,
    /// `u_posonlyargcount`
    pub posonlyargcount: u32,
    /// `u_kwonlyargcount`
    pub kwonlyargcount: u32,
    /// `u_firstlineno`
    pub firstlineno: i32,
    /// `co_flags` as computed by codegen (`compute_code_flags`).
    pub flags: u32,
}

impl Default for CodeUnitMetadata {
    fn default() -> Self {
        Self {
            name: PyStr::new("", true),
            qualname: PyStr::new("", true),
            consts: IndexSet::new(),
            names: IndexSet::new(),
            varnames: IndexSet::new(),
            cellvars: IndexSet::new(),
            freevars: IndexSet::new(),
            fasthidden: IndexSet::new(),
            argcount: 0,
            posonlyargcount: 0,
            kwonlyargcount: 0,
            firstlineno: 1,
            flags: 0,
        }
    }
}

impl CodeUnitMetadata {
    /// Number of parameters (`len(ste_varnames)` in 3.12): positional-only, positional,
    /// keyword-only, `*args`, `**kwargs`.
    pub fn nparams(&self) -> u32 {
        const CO_VARARGS: u32 = 0x4;
        const CO_VARKEYWORDS: u32 = 0x8;
        self.posonlyargcount
            + self.argcount
            + self.kwonlyargcount
            + u32::from(self.flags & CO_VARARGS != 0)
            + u32::from(self.flags & CO_VARKEYWORDS != 0)
    }
}

/// One code unit ready for the back half.
#[derive(Clone, Debug, Default)]
pub struct CodeUnit {
    pub metadata: CodeUnitMetadata,
    pub instrs: InstrSequence,
}
