//! `pycode_flowgraph`: CPython's control-flow-graph stage (`Python/flowgraph.c`, plus the CFG parts
//! of `Python/compile.c`: `instr_sequence_to_cfg`, `prepare_localsplus`, `cfg_to_instr_sequence`).
//!
//! Blocks live in a `Vec` and are addressed by `u32` ids; the layout order is the `next` chain
//! starting at `entry`, exactly like CPython's `b_next` list, so passes that depend on layout order
//! (jump direction, cold-block placement, line-number propagation) behave the same. No pass is
//! quadratic in the number of blocks or instructions, and nothing panics on malformed input:
//! inconsistencies give a [`CfgError`].
//!
//! Release differences are small matches on [`pycode_release::Release`] (e.g. 3.13's
//! superinstructions); opcode numbers come from the release's generated table via [`Ops`].

mod cfg;
mod consts;
pub mod fixture;
mod loadfast;
mod passes;
mod peephole;
mod peephole314;

pub use cfg::{BasicBlock, BlockId, Cfg, CfgInstr, NO_BLOCK};
pub use consts::const_is_true;
pub use ops::{Ops, ABSENT_BASE};
pub use passes::{ExceptHandlerInfo, OutInstr, CO_ASYNC_GENERATOR, CO_COROUTINE, CO_GENERATOR};

mod ops;

/// Errors of the CFG stage (CPython raises `SystemError` for most of these).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CfgError {
    /// A jump or scope exit that is not the last instruction of its block ("malformed control
    /// flow graph").
    Malformed,
    /// A jump target label that no block carries.
    BadLabel(i64),
    /// An instruction's oparg does not index the table it refers to.
    BadOparg { opcode: u16, oparg: i32 },
    /// More than `CO_MAXBLOCKS` nested exception blocks, or `POP_BLOCK` with none.
    ExceptStack,
    /// `stack_effect` is undefined for this instruction.
    InvalidStackEffect { opcode: u16, oparg: i32 },
    /// The stack depth became negative.
    NegativeStackDepth,
    /// A pass found a block or instruction shape it cannot handle.
    Internal(&'static str),
}

impl std::fmt::Display for CfgError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CfgError::Malformed => f.write_str("malformed control flow graph."),
            CfgError::BadLabel(l) => write!(f, "jump to unknown label {l}"),
            CfgError::BadOparg { opcode, oparg } => {
                write!(f, "oparg {oparg} out of range for opcode {opcode}")
            }
            CfgError::ExceptStack => f.write_str("bad exception block nesting"),
            CfgError::InvalidStackEffect { opcode, oparg } => {
                write!(f, "compiler PyCompile_OpcodeStackEffectWithJump(opcode={opcode}, arg={oparg}) failed")
            }
            CfgError::NegativeStackDepth => f.write_str("negative stack depth"),
            CfgError::Internal(s) => write!(f, "internal error: {s}"),
        }
    }
}

impl std::error::Error for CfgError {}
