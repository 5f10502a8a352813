//! `pycode_codegen`: the front half of CPython's compiler for 3.12 — AST constant folding
//! (`Python/ast_opt.c`) and code generation (`Python/compile.c`), producing one
//! [`pycode_instr::CodeUnit`] per code object.
//!
//! [`compile_module`] folds the AST, builds the symbol table ([`pycode_symtable`]) and emits
//! instruction sequences with pseudo-ops and labels. Nested code objects are finished (children
//! first) and referred to from their parent's constants as `ConstValue::Code(index)`, the index
//! into [`Compiled::units`]; the back half (flowgraph + assembler) turns each unit into a code
//! object, innermost first, exactly as CPython assembles a child before its parent continues.
//!
//! No function here panics on any input; recursion is bounded by an explicit depth counter.

mod cfgfold;
mod codegen;
mod docstring;
mod fold;
mod fold_arena;
pub mod listing;
mod ops;
pub mod unparse;
pub mod warnings;

pub use codegen::{compile_arena_warn, compile_module, compile_module_warn, CompileOptions, Compiled, CompiledUnit};
pub use fold::{fold_module, fold_module_for};
pub use fold_arena::fold_arena;
pub use pycode_symtable::{CompileError, ErrorKind};
