//! Instruction selection per release: the one place where the instructions chosen for a
//! semantic operation depend on the target's minor line ([`Minor`]).
//!
//! Each method is named after what it does (call, format a value, make a function, compare, ...)
//! and is a small exhaustive `match` on `self.line`; the rest of codegen calls these instead of
//! naming release-specific opcodes. Every line has a back end today; a new line whose back end
//! is not written yet would fail in [`Compiler::check_line`] (`ErrorKind::Unsupported`) before
//! any code is generated.
//!
//! Behaviour switches that are not about which instruction to emit (where constant folding
//! happens, whether class bodies record `__static_attributes__`, ...) are data in
//! [`pycode_release::Features`], read as `self.feat`.

use pycode_ast::CmpOp;
use pycode_instr::{ConstValue, Label, Location};
use pycode_release::Minor;
use pycode_symtable::CompileError;

use super::{Compiler, R};

// MAKE_FUNCTION / SET_FUNCTION_ATTRIBUTE flags.
pub(super) const MAKE_FUNCTION_DEFAULTS: u32 = 0x01;
pub(super) const MAKE_FUNCTION_KWDEFAULTS: u32 = 0x02;
pub(super) const MAKE_FUNCTION_ANNOTATIONS: u32 = 0x04;
pub(super) const MAKE_FUNCTION_CLOSURE: u32 = 0x08;
/// 3.14+: `__annotate__`.
pub(super) const MAKE_FUNCTION_ANNOTATE: u32 = 0x10;

/// `FORMAT_VALUE`'s "has a format spec" bit (3.11–3.12).
const FVS_HAVE_SPEC: u32 = 0x4;

/// `NB_SUBSCR`: `BINARY_OP`'s subscript operator (3.14+).
const NB_SUBSCR: u32 = 26;

/// An operation 3.12+ spell as `CALL_INTRINSIC_1` and 3.11 as an opcode of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Intrinsic1 {
    /// `INTRINSIC_PRINT` / `PRINT_EXPR`.
    Print,
    /// `INTRINSIC_IMPORT_STAR` / `IMPORT_STAR`.
    ImportStar,
    /// `INTRINSIC_ASYNC_GEN_WRAP` / `ASYNC_GEN_WRAP`.
    AsyncGenWrap,
    /// `INTRINSIC_UNARY_POSITIVE` / `UNARY_POSITIVE`.
    UnaryPositive,
    /// `INTRINSIC_LIST_TO_TUPLE` / `LIST_TO_TUPLE`.
    ListToTuple,
}

impl<'a> Compiler<'a> {
    /// A one-operand intrinsic: `CALL_INTRINSIC_1 n` (3.12+) or 3.11's opcode.
    pub(super) fn emit_intrinsic1(&mut self, what: Intrinsic1, loc: Location) {
        let o = self.ops;
        match self.line {
            Minor::V3_11 => {
                let op = match what {
                    Intrinsic1::Print => o.PRINT_EXPR,
                    Intrinsic1::ImportStar => o.IMPORT_STAR,
                    Intrinsic1::AsyncGenWrap => o.ASYNC_GEN_WRAP,
                    Intrinsic1::UnaryPositive => o.UNARY_POSITIVE,
                    Intrinsic1::ListToTuple => o.LIST_TO_TUPLE,
                };
                self.addop(op, loc);
            }
            Minor::V3_12 | Minor::V3_13 | Minor::V3_14 | Minor::V3_15 => {
                // INTRINSIC_PRINT = 1, IMPORT_STAR = 2, ASYNC_GEN_WRAP = 4, UNARY_POSITIVE = 5,
                // LIST_TO_TUPLE = 6.
                let n = match what {
                    Intrinsic1::Print => 1,
                    Intrinsic1::ImportStar => 2,
                    Intrinsic1::AsyncGenWrap => 4,
                    Intrinsic1::UnaryPositive => 5,
                    Intrinsic1::ListToTuple => 6,
                };
                self.addop_i(o.CALL_INTRINSIC_1, n, loc);
            }
        }
    }

    /// `import *` / the interactive print of the value on the stack, which is consumed: 3.11's
    /// `IMPORT_STAR` / `PRINT_EXPR` pop it; 3.12+ `CALL_INTRINSIC_1` then an unlocated `POP_TOP`.
    pub(super) fn emit_consuming_intrinsic(&mut self, what: Intrinsic1, loc: Location) {
        self.emit_intrinsic1(what, loc);
        match self.line {
            Minor::V3_11 => {}
            Minor::V3_12 | Minor::V3_13 | Minor::V3_14 | Minor::V3_15 => {
                self.addop(self.ops.POP_TOP, Location::NO_LOCATION);
            }
        }
    }

    /// Combines the exceptions an `except*` raised with the unhandled rest: 3.11
    /// `PREP_RERAISE_STAR`, 3.12+ `CALL_INTRINSIC_2 INTRINSIC_PREP_RERAISE_STAR` (1).
    pub(super) fn emit_prep_reraise_star(&mut self, loc: Location) {
        let o = self.ops;
        match self.line {
            Minor::V3_11 => self.addop(o.PREP_RERAISE_STAR, loc),
            Minor::V3_12 | Minor::V3_13 | Minor::V3_14 | Minor::V3_15 => self.addop_i(o.CALL_INTRINSIC_2, 1, loc),
        }
    }

    /// Starts the first `except*` handler: `[orig]` -> `[orig, [], exc]`, the list collecting
    /// the exceptions the handlers raise or re-raise. 3.11 copies the group first and swaps the
    /// new list under the copy (`COPY 1; BUILD_LIST 0; SWAP 2`); 3.12+ `BUILD_LIST 0; COPY 2`.
    pub(super) fn emit_except_star_prologue(&mut self, loc: Location) {
        let o = self.ops;
        match self.line {
            Minor::V3_11 => {
                self.addop_i(o.COPY, 1, loc);
                self.addop_i(o.BUILD_LIST, 0, loc);
                self.addop_i(o.SWAP, 2, loc);
            }
            Minor::V3_12 | Minor::V3_13 | Minor::V3_14 | Minor::V3_15 => {
                self.addop_i(o.BUILD_LIST, 0, loc);
                self.addop_i(o.COPY, 2, loc);
            }
        }
    }

    /// Loads attribute `name` of the object on the stack: `LOAD_ATTR name` (3.11), `LOAD_ATTR
    /// name << 1` (3.12+, the low bit clear).
    pub(super) fn attr_oparg(&self, name_index: u32) -> u32 {
        match self.line {
            Minor::V3_11 => name_index,
            Minor::V3_12 | Minor::V3_13 | Minor::V3_14 | Minor::V3_15 => name_index << 1,
        }
    }

    /// Loads method `name` of the object on the stack for a call: 3.11 `LOAD_METHOD name`,
    /// 3.12+ `LOAD_ATTR name << 1 | 1`. Returns the opcode and oparg.
    pub(super) fn method_op(&self, name_index: u32) -> (u16, u32) {
        let o = self.ops;
        match self.line {
            Minor::V3_11 => (o.LOAD_METHOD, name_index),
            Minor::V3_12 | Minor::V3_13 | Minor::V3_14 | Minor::V3_15 => (o.LOAD_ATTR, (name_index << 1) | 1),
        }
    }

    /// `IMPORT_NAME name` (mangled like every `ADDOP_NAME`): the name's index (to 3.14); 3.15
    /// `index << 2 | flags`, 1 for `lazy import`, 2 for an import that cannot be lazy (outside
    /// the module scope, or inside a `try` body, an exception handler or the exceptional copy
    /// of a `finally` body, and every `import *`; measured on 3.15.0rc1).
    pub(super) fn emit_import_name(&mut self, name: impl super::Text, is_lazy: bool, star: bool, loc: Location) {
        let ast: &'a pycode_ast::arena::Ast = self.ast;
        let name = name.text(ast).unwrap_or("");
        let o = self.ops;
        match self.line {
            Minor::V3_11 | Minor::V3_12 | Minor::V3_13 | Minor::V3_14 => self.addop_name(o.IMPORT_NAME, name, loc),
            Minor::V3_15 => {
                let mangled = super::mangle_cow(self.uref().private.as_deref(), name);
                let arg = self.u().md.names.insert_str(&mangled, true);
                let eager = star
                    || self.uref().scope_type != super::ScopeType::Module
                    || self.uref().fblocks.iter().any(|f| {
                        matches!(
                            f.ty,
                            super::FBlockType::TryExcept
                                | super::FBlockType::FinallyTry
                                | super::FBlockType::FinallyEnd
                                | super::FBlockType::HandlerCleanup
                                | super::FBlockType::ExceptionHandler
                                | super::FBlockType::ExceptionGroupHandler
                        )
                    });
                let flags = if is_lazy {
                    1
                } else if eager {
                    2
                } else {
                    0
                };
                self.addop_i(o.IMPORT_NAME, (arg << 2) | flags, loc);
            }
        }
    }

    /// The iterator `yield from` delegates to: `GET_YIELD_FROM_ITER` (to 3.14); 3.15
    /// `GET_ITER 3`, which pushes it with the `NULL` the two-slot protocol wants.
    pub(super) fn emit_get_yield_from_iter(&mut self, loc: Location) {
        let o = self.ops;
        match self.line {
            Minor::V3_11 | Minor::V3_12 | Minor::V3_13 | Minor::V3_14 => self.addop(o.GET_YIELD_FROM_ITER, loc),
            Minor::V3_15 => self.addop_i(o.GET_ITER, 3, loc),
        }
    }

    /// The `None` sent first to an awaitable or `__anext__` result: 3.15 pushes a `NULL`
    /// before it (the awaitable takes two slots, as `GET_ITER 3` gives `yield from`).
    pub(super) fn load_first_sent(&mut self, loc: Location) {
        match self.line {
            Minor::V3_11 | Minor::V3_12 | Minor::V3_13 | Minor::V3_14 => {}
            Minor::V3_15 => self.addop(self.ops.PUSH_NULL, loc),
        }
        self.load_const(ConstValue::None, loc);
    }

    /// Fails unless this line's back end exists.
    pub(super) fn check_line(&self) -> R {
        match self.line {
            Minor::V3_11 | Minor::V3_12 | Minor::V3_13 | Minor::V3_14 | Minor::V3_15 => Ok(()),
        }
    }

    /// Makes the keyword names of a call known (after the keyword values are pushed): 3.11–3.12
    /// `KW_NAMES` (an oparg into `co_consts`, no stack effect), 3.13+ a tuple constant pushed
    /// for `CALL_KW`.
    pub(super) fn emit_call_kwnames(&mut self, names: &[&str], loc: Location) {
        let t = self.str_tuple(names);
        match self.line {
            Minor::V3_11 | Minor::V3_12 => {
                let i = self.add_const(t);
                self.addop_i(self.ops.KW_NAMES, i, loc);
            }
            Minor::V3_13 | Minor::V3_14 | Minor::V3_15 => self.load_const(t, loc),
        }
    }

    /// A call of `nargs` arguments (positional and keyword) already on the stack;
    /// `kwnames` = [`Compiler::emit_call_kwnames`] was emitted for it.
    pub(super) fn emit_call(&mut self, nargs: u32, kwnames: bool, loc: Location) {
        let o = self.ops;
        match self.line {
            Minor::V3_11 => {
                self.addop_i(o.PRECALL, nargs, loc);
                self.addop_i(o.CALL, nargs, loc);
            }
            Minor::V3_12 => self.addop_i(o.CALL, nargs, loc),
            Minor::V3_13 | Minor::V3_14 | Minor::V3_15 => {
                self.addop_i(if kwnames { o.CALL_KW } else { o.CALL }, nargs, loc);
            }
        }
    }

    /// The conversion of a formatted value (`!s`, `!r`, `!a`; `conv` = 1, 2, 3, or 0 for none),
    /// emitted right after the value: 3.13+ `CONVERT_VALUE`; earlier releases fold it into
    /// `FORMAT_VALUE`'s oparg ([`Compiler::emit_format`]).
    pub(super) fn emit_convert(&mut self, conv: u32, loc: Location) {
        match self.line {
            Minor::V3_11 | Minor::V3_12 => {}
            Minor::V3_13 | Minor::V3_14 | Minor::V3_15 => {
                if conv != 0 {
                    self.addop_i(self.ops.CONVERT_VALUE, conv, loc);
                }
            }
        }
    }

    /// Formats the value (and the spec above it when `has_spec`): `FORMAT_VALUE conv|spec`
    /// (3.11–3.12), `FORMAT_SIMPLE` / `FORMAT_WITH_SPEC` (3.13+).
    pub(super) fn emit_format(&mut self, conv: u32, has_spec: bool, loc: Location) {
        let o = self.ops;
        match self.line {
            Minor::V3_11 | Minor::V3_12 => {
                let spec = if has_spec { FVS_HAVE_SPEC } else { 0 };
                self.addop_i(o.FORMAT_VALUE, conv | spec, loc);
            }
            Minor::V3_13 | Minor::V3_14 | Minor::V3_15 => {
                self.addop(if has_spec { o.FORMAT_WITH_SPEC } else { o.FORMAT_SIMPLE }, loc);
            }
        }
    }

    /// Makes a function from the code object on the stack, with what `flags` says lies under
    /// it (defaults, keyword defaults, annotations, closure): `MAKE_FUNCTION flags` (3.11–3.12),
    /// `MAKE_FUNCTION` then one `SET_FUNCTION_ATTRIBUTE` per flag, topmost first (3.13+).
    pub(super) fn emit_make_function(&mut self, flags: u32, loc: Location) {
        let o = self.ops;
        match self.line {
            Minor::V3_11 | Minor::V3_12 => self.addop_i(o.MAKE_FUNCTION, flags, loc),
            Minor::V3_13 | Minor::V3_14 | Minor::V3_15 => {
                self.addop(o.MAKE_FUNCTION, loc);
                for f in [
                    MAKE_FUNCTION_CLOSURE,
                    MAKE_FUNCTION_ANNOTATIONS,
                    MAKE_FUNCTION_ANNOTATE,
                    MAKE_FUNCTION_KWDEFAULTS,
                    MAKE_FUNCTION_DEFAULTS,
                ] {
                    if flags & f != 0 {
                        self.addop_i(o.SET_FUNCTION_ATTRIBUTE, f, loc);
                    }
                }
            }
        }
    }

    /// `compiler_addcompare`: `COMPARE_OP` with `cmp << shift | mask` (the shift is 4 in 3.12,
    /// 5 from 3.13 where bit 16 means "cast the result to bool"), `IS_OP`, `CONTAINS_OP`.
    pub(super) fn emit_compare(&mut self, op: CmpOp, loc: Location) {
        let o = self.ops;
        let cmp = |c: u32, mask: u32| -> u32 {
            match self.line {
                Minor::V3_11 => c,
                Minor::V3_12 => (c << 4) | mask,
                Minor::V3_13 | Minor::V3_14 | Minor::V3_15 => (c << 5) | mask,
            }
        };
        // compare_masks: LT = 2, GT = 4, EQ = 8, NE = LT|GT|1.
        let (opc, arg) = match op {
            CmpOp::Lt => (o.COMPARE_OP, cmp(0, 2)),
            CmpOp::LtE => (o.COMPARE_OP, cmp(1, 2 | 8)),
            CmpOp::Eq => (o.COMPARE_OP, cmp(2, 8)),
            CmpOp::NotEq => (o.COMPARE_OP, cmp(3, 7)),
            CmpOp::Gt => (o.COMPARE_OP, cmp(4, 4)),
            CmpOp::GtE => (o.COMPARE_OP, cmp(5, 4 | 8)),
            CmpOp::Is => (o.IS_OP, 0),
            CmpOp::IsNot => (o.IS_OP, 1),
            CmpOp::In => (o.CONTAINS_OP, 0),
            CmpOp::NotIn => (o.CONTAINS_OP, 1),
        };
        self.addop_i(opc, arg, loc);
    }

    /// `container[key]` with both on the stack: `BINARY_SUBSCR` (to 3.13), `BINARY_OP
    /// NB_SUBSCR` (3.14+).
    pub(super) fn emit_subscr(&mut self, loc: Location) {
        let o = self.ops;
        match self.line {
            Minor::V3_11 | Minor::V3_12 | Minor::V3_13 => self.addop(o.BINARY_SUBSCR, loc),
            Minor::V3_14 | Minor::V3_15 => self.addop_i(o.BINARY_OP, NB_SUBSCR, loc),
        }
    }

    /// Enters the context manager on the stack, leaving `__exit__` (bound) under the result of
    /// `__enter__` / `__aenter__` (not yet awaited when `is_async`).
    pub(super) fn emit_with_enter(&mut self, is_async: bool, loc: Location) -> R {
        let o = self.ops;
        match self.line {
            Minor::V3_11 | Minor::V3_12 | Minor::V3_13 => {
                self.addop(if is_async { o.BEFORE_ASYNC_WITH } else { o.BEFORE_WITH }, loc);
                Ok(())
            }
            Minor::V3_14 | Minor::V3_15 => {
                // LOAD_SPECIAL: __enter__ 0, __exit__ 1, __aenter__ 2, __aexit__ 3.
                let (enter, exit) = if is_async { (2, 3) } else { (0, 1) };
                self.addop_i(o.COPY, 1, loc);
                self.addop_i(o.LOAD_SPECIAL, exit, loc);
                self.addop_i(o.SWAP, 2, loc);
                self.addop_i(o.SWAP, 3, loc);
                self.addop_i(o.LOAD_SPECIAL, enter, loc);
                self.addop_i(o.CALL, 0, loc);
                Ok(())
            }
        }
    }

    /// The number of arguments `__exit__` is called with on a normal exit (three `None`s on
    /// the stack): 2 with a bound `__exit__` (to 3.13), 3 with `LOAD_SPECIAL`'s
    /// function-and-self pair (3.14+).
    pub(super) fn exit_call_nargs(&self) -> u32 {
        match self.line {
            Minor::V3_11 | Minor::V3_12 | Minor::V3_13 => 2,
            Minor::V3_14 | Minor::V3_15 => 3,
        }
    }

    /// Calls with the positional tuple (and the keyword dict when `has_kwargs`) on the stack:
    /// `CALL_FUNCTION_EX has_kwargs` (to 3.13); 3.14+ always take a dict slot, `NULL` when
    /// there is none, and no oparg.
    pub(super) fn emit_call_function_ex(&mut self, has_kwargs: bool, loc: Location) {
        let o = self.ops;
        match self.line {
            Minor::V3_11 | Minor::V3_12 | Minor::V3_13 => self.addop_i(o.CALL_FUNCTION_EX, u32::from(has_kwargs), loc),
            Minor::V3_14 | Minor::V3_15 => {
                if !has_kwargs {
                    self.addop(o.PUSH_NULL, loc);
                }
                self.addop(o.CALL_FUNCTION_EX, loc);
            }
        }
    }

    /// The end of an `async for` (the `__anext__` handler): `END_ASYNC_FOR`, which 3.14+ give
    /// the loop's `END_SEND` as jump target (for branch monitoring).
    pub(super) fn emit_end_async_for(&mut self, end_send: Label, loc: Location) {
        let o = self.ops;
        match self.line {
            Minor::V3_11 | Minor::V3_12 | Minor::V3_13 => self.addop(o.END_ASYNC_FOR, loc),
            Minor::V3_14 | Minor::V3_15 => self.addop_j(o.END_ASYNC_FOR, end_send, loc),
        }
    }

    /// Pushes `AssertionError`: `LOAD_ASSERTION_ERROR` (to 3.13), `LOAD_COMMON_CONSTANT 0`
    /// (3.14+).
    pub(super) fn emit_load_assertion_error(&mut self, loc: Location) {
        let o = self.ops;
        match self.line {
            Minor::V3_11 | Minor::V3_12 | Minor::V3_13 => self.addop(o.LOAD_ASSERTION_ERROR, loc),
            Minor::V3_14 | Minor::V3_15 => self.addop_i(o.LOAD_COMMON_CONSTANT, 0, loc),
        }
    }

    /// Converts the value on top of the stack to an exact bool where the release's
    /// conditional jumps and `not` need one (3.13+ `TO_BOOL`); nothing before.
    pub(super) fn emit_to_bool(&mut self, loc: Location) {
        match self.line {
            Minor::V3_11 | Minor::V3_12 => {}
            Minor::V3_13 | Minor::V3_14 | Minor::V3_15 => self.addop(self.ops.TO_BOOL, loc),
        }
    }

    /// The `TO_BOOL` after a pattern's length check (`GET_LEN`, size, `COMPARE_OP`): 3.13+ have
    /// none (measured with 3.13.0's `compiler_codegen`: `COMPARE_OP 172 (>=)` straight into
    /// `POP_JUMP_IF_FALSE`; 3.14.2 writes the same).
    pub(super) fn emit_to_bool_after_length_check(&mut self, _loc: Location) {
        match self.line {
            Minor::V3_11 | Minor::V3_12 | Minor::V3_13 | Minor::V3_14 | Minor::V3_15 => {}
        }
    }

    /// An f-string without parts (`f''`): `BUILD_STRING 0` (3.11, 3.12); 3.13+ load the
    /// empty string constant (measured on 3.13.0 and 3.14.2).
    pub(super) fn emit_empty_joined_str(&mut self, loc: Location) {
        match self.line {
            Minor::V3_11 | Minor::V3_12 => self.addop_i(self.ops.BUILD_STRING, 0, loc),
            Minor::V3_13 | Minor::V3_14 | Minor::V3_15 => self.load_const(ConstValue::str(""), loc),
        }
    }

    /// `not x` with `x` on the stack.
    pub(super) fn emit_not(&mut self, loc: Location) {
        self.emit_to_bool(loc);
        self.addop(self.ops.UNARY_NOT, loc);
    }

    /// The exhausted-iterator exit of a `for` loop or comprehension (the jump target of
    /// `FOR_ITER`): 3.12 `END_FOR` (pops two), 3.13 `END_FOR` + `POP_TOP`, 3.14 `END_FOR` +
    /// `POP_ITER`.
    pub(super) fn emit_end_for(&mut self, loc: Location) {
        let o = self.ops;
        match self.line {
            // 3.11 has no END_FOR: FOR_ITER jumps past the loop.
            Minor::V3_11 => {}
            Minor::V3_12 => self.addop(o.END_FOR, loc),
            Minor::V3_13 => {
                self.addop(o.END_FOR, loc);
                self.addop(o.POP_TOP, loc);
            }
            Minor::V3_14 | Minor::V3_15 => {
                self.addop(o.END_FOR, loc);
                self.addop(o.POP_ITER, loc);
            }
        }
    }

    /// `compiler_add_yield_from`: delegates to the awaitable / sub-iterator under the value
    /// sent first. 3.11: `SEND exit; YIELD_VALUE; RESUME; JUMP_BACKWARD_NO_INTERRUPT`; 3.12+
    /// also a `CLEANUP_THROW` handler around the yield and `END_SEND` at the exit.
    /// Returns the `CLEANUP_THROW` and `END_SEND` labels (3.11: the exit twice).
    pub(super) fn add_yield_from(&mut self, loc: Location, is_await: bool) -> Result<(Label, Label), CompileError> {
        let o = self.ops;
        let send = self.new_label();
        let fail = self.new_label();
        let exit = self.new_label();
        let resume = if is_await { 3 } else { 2 };
        self.use_label(send)?;
        self.addop_j(o.SEND, exit, loc);
        match self.line {
            Minor::V3_11 => {
                self.addop_i(o.YIELD_VALUE, 0, loc);
                self.addop_i(o.RESUME, resume, loc);
                self.addop_j(o.JUMP_NO_INTERRUPT, send, loc);
                self.use_label(exit)?;
            }
            Minor::V3_12 | Minor::V3_13 | Minor::V3_14 | Minor::V3_15 => {
                self.addop_j(o.SETUP_FINALLY, fail, loc);
                self.emit_yield_value(true, loc);
                self.addop(o.POP_BLOCK, Location::NO_LOCATION);
                self.addop_i(o.RESUME, resume, loc);
                self.addop_j(o.JUMP_NO_INTERRUPT, send, loc);
                self.use_label(fail)?;
                self.addop(o.CLEANUP_THROW, loc);
                self.use_label(exit)?;
                self.addop(o.END_SEND, loc);
            }
        }
        Ok((fail, exit))
    }

    /// Short-circuits to `target` keeping the value on the stack when it is true (`if_true`)
    /// or false, else pops it and goes on: 3.11 `JUMP_IF_TRUE_OR_POP` / `JUMP_IF_FALSE_OR_POP`;
    /// 3.12+ `COPY 1`, a popping conditional jump and `POP_TOP`.
    pub(super) fn emit_jump_or_pop(&mut self, if_true: bool, target: Label, loc: Location) {
        let o = self.ops;
        match self.line {
            Minor::V3_11 => {
                self.addop_j(if if_true { o.JUMP_IF_TRUE_OR_POP } else { o.JUMP_IF_FALSE_OR_POP }, target, loc);
            }
            Minor::V3_12 | Minor::V3_13 => {
                self.addop_i(o.COPY, 1, loc);
                self.emit_to_bool(loc);
                self.addop_j(if if_true { o.POP_JUMP_IF_TRUE } else { o.POP_JUMP_IF_FALSE }, target, loc);
                self.addop(o.POP_TOP, loc);
            }
            // The pseudo-ops expand to `COPY 1; TO_BOOL; POP_JUMP_IF_*` after optimisation.
            Minor::V3_14 | Minor::V3_15 => {
                self.addop_j(if if_true { o.JUMP_IF_TRUE } else { o.JUMP_IF_FALSE }, target, loc);
                self.addop(o.POP_TOP, loc);
            }
        }
    }

    /// The jump out of a comparison chain to its cleanup: 3.11 `JUMP_IF_FALSE_OR_POP`; 3.12+
    /// `COPY 1; TO_BOOL; POP_JUMP_IF_FALSE; POP_TOP` as real instructions (3.14.2 too, not its
    /// `JUMP_IF_FALSE` pseudo-op: measured through which exception handler the `NOT_TAKEN`
    /// after it inherits).
    pub(super) fn emit_compare_chain_jump(&mut self, target: Label, loc: Location) {
        let o = self.ops;
        match self.line {
            Minor::V3_11 => self.emit_jump_or_pop(false, target, loc),
            Minor::V3_12 | Minor::V3_13 | Minor::V3_14 | Minor::V3_15 => {
                self.addop_i(o.COPY, 1, loc);
                self.emit_to_bool(loc);
                self.addop_j(o.POP_JUMP_IF_FALSE, target, loc);
                self.addop(o.POP_TOP, loc);
            }
        }
    }

    /// The `NULL` a call needs beside its callable, when the release wants it *below* the
    /// callable (3.11–3.12: emitted before the callable is pushed).
    pub(super) fn emit_null_before_callable(&mut self, loc: Location) {
        match self.line {
            Minor::V3_11 | Minor::V3_12 => self.addop(self.ops.PUSH_NULL, loc),
            Minor::V3_13 | Minor::V3_14 | Minor::V3_15 => {}
        }
    }

    /// The `NULL` a call needs beside its callable, when the release wants it *above* the
    /// callable (3.13+: emitted right after the callable).
    pub(super) fn emit_null_after_callable(&mut self, loc: Location) {
        match self.line {
            Minor::V3_11 | Minor::V3_12 => {}
            Minor::V3_13 | Minor::V3_14 | Minor::V3_15 => self.addop(self.ops.PUSH_NULL, loc),
        }
    }

    /// Calls the type-parameter function of a generic `def` (on top of the stack) with the
    /// `num` (0–2) defaults below it. 3.12 pushed a `NULL` before the defaults; 3.13+ instead
    /// let the first default stand in the "self" slot (`SWAP num+1; CALL num-1`).
    pub(super) fn emit_call_generic_function(&mut self, num: u32, loc: Location) {
        let o = self.ops;
        match self.line {
            Minor::V3_11 | Minor::V3_12 => {
                if num > 0 {
                    self.addop_i(o.SWAP, num + 1, loc);
                }
                self.emit_call(num, false, loc);
            }
            Minor::V3_13 | Minor::V3_14 | Minor::V3_15 => {
                if num > 0 {
                    self.addop_i(o.SWAP, num + 1, loc);
                    self.emit_call(num - 1, false, loc);
                } else {
                    self.addop(o.PUSH_NULL, loc);
                    self.emit_call(0, false, loc);
                }
            }
        }
    }

    /// A class body loading a free or cell variable: 3.11 `LOAD_CLASSDEREF` (returned); 3.12+
    /// `LOAD_LOCALS` (emitted here) then `LOAD_FROM_DICT_OR_DEREF` (returned).
    pub(super) fn class_deref_load_op(&mut self, loc: Location) -> u16 {
        let o = self.ops;
        match self.line {
            Minor::V3_11 => o.LOAD_CLASSDEREF,
            Minor::V3_12 | Minor::V3_13 | Minor::V3_14 | Minor::V3_15 => {
                self.addop(o.LOAD_LOCALS, loc);
                o.LOAD_FROM_DICT_OR_DEREF
            }
        }
    }

    /// The jump out of a finished exception handler (`except` body, `with` exit that
    /// suppressed the exception): `JUMP` (3.12), `JUMP_NO_INTERRUPT` (3.13+).
    pub(super) fn emit_jump_after_handler(&mut self, target: Label, loc: Location) {
        let o = self.ops;
        match self.line {
            Minor::V3_11 | Minor::V3_12 => self.addop_j(o.JUMP, target, loc),
            Minor::V3_13 | Minor::V3_14 | Minor::V3_15 => self.addop_j(o.JUMP_NO_INTERRUPT, target, loc),
        }
    }

    /// `YIELD_VALUE`: 3.12's oparg is the except depth, written later by the flowgraph (0
    /// here); 3.13+ say in the oparg whether the yield is part of `yield from` / `await`.
    pub(super) fn emit_yield_value(&mut self, in_yield_from: bool, loc: Location) {
        let o = self.ops;
        match self.line {
            Minor::V3_11 | Minor::V3_12 => self.addop_i(o.YIELD_VALUE, 0, loc),
            Minor::V3_13 | Minor::V3_14 | Minor::V3_15 => self.addop_i(o.YIELD_VALUE, u32::from(in_yield_from), loc),
        }
    }

    /// A forward jump that 3.13's codegen spells `JUMP_NO_INTERRUPT` (measured with 3.13.0's
    /// `_testinternalcapi.compiler_codegen`: after a `try`'s normal `finally` copy, an `if`
    /// expression's body, a comparison chain's last compare, an inlined comprehension's exit and
    /// every `try`/`except*` forward jump). 3.12 `JUMP`; 3.14.2 also `JUMP_NO_INTERRUPT` (measured:
    /// after `finally: if b: ...` the `if`'s jump is not threaded past it, so the code after the
    /// `try` is not visited by `optimize_load_fast` and keeps `LOAD_FAST`).
    /// The difference matters in the CFG: `JUMP` checks the eval breaker, so a line-less one
    /// is duplicated per predecessor and jump threading follows it.
    pub(super) fn emit_jump_no_interrupt_3_13(&mut self, target: Label, loc: Location) {
        let o = self.ops;
        match self.line {
            Minor::V3_11 | Minor::V3_12 => self.addop_j(o.JUMP, target, loc),
            Minor::V3_13 | Minor::V3_14 | Minor::V3_15 => self.addop_j(o.JUMP_NO_INTERRUPT, target, loc),
        }
    }

    /// The forward jump over the rest of a compound statement: from the end of an `if` body
    /// over its `else`, from the end of a `try`'s `else` over the handlers. 3.12 `JUMP`;
    /// 3.13+ `JUMP_NO_INTERRUPT`, which jump threading does not follow (measured).
    pub(super) fn emit_jump_over(&mut self, target: Label, loc: Location) {
        let o = self.ops;
        match self.line {
            Minor::V3_11 | Minor::V3_12 => self.addop_j(o.JUMP, target, loc),
            Minor::V3_13 | Minor::V3_14 | Minor::V3_15 => self.addop_j(o.JUMP_NO_INTERRUPT, target, loc),
        }
    }
}
