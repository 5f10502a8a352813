//! Constant folding in the CFG (3.14+: `fold_const_binop` / `fold_const_unaryop` of
//! `flowgraph.c`). The flowgraph decides *where* an operation on constants is folded; the value
//! itself is computed by the code generator's evaluator (which the AST folding of earlier
//! releases already uses), registered here once per process so the back half does not depend on
//! the front half.

use std::sync::OnceLock;

use crate::{ConstId, ConstPool};

/// A unary operation the CFG folds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryFold {
    Negative,
    Invert,
    Not,
    Positive,
}

/// The evaluator: `binop(pool, nb_oparg, left, right)` and `unary(pool, op, operand)` return
/// the folded constant (added to `pool`), or `None` where CPython's evaluation fails or is
/// refused by its size limits (the instruction then stays).
#[derive(Clone, Copy, Debug)]
pub struct ConstFolder {
    pub binop: fn(&mut ConstPool, u32, ConstId, ConstId) -> Option<ConstId>,
    pub unary: fn(&mut ConstPool, UnaryFold, ConstId) -> Option<ConstId>,
}

static FOLDER: OnceLock<ConstFolder> = OnceLock::new();

/// Registers the evaluator (the first registration wins; there is one implementation).
pub fn register(f: ConstFolder) {
    let _ = FOLDER.set(f);
}

/// The registered evaluator, if any (without one, no operation is folded).
pub fn folder() -> Option<&'static ConstFolder> {
    FOLDER.get()
}
