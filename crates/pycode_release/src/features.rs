//! How each release's compiler behaves, as data: the [`Minor`] line a release belongs to (what
//! instruction selection in codegen matches on) and the [`Features`] switches the compiler
//! stages read instead of comparing versions.
//!
//! Every value here is decided by one exhaustive `match` on [`Release`], so adding a release is
//! a compile error until each switch has been decided for it.

use crate::Release;

/// The minor-version line of a release. Codegen's instruction selection (`select.rs` in
/// `pycode_codegen`) matches on this, one arm per line, so a back end for another line is an
/// arm, not a copied pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Minor {
    V3_11,
    V3_12,
    V3_13,
    V3_14,
    V3_15,
}

/// Where `ast_opt.c`-style constant folding of operators happens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConstFolding {
    /// On the AST before the symbol table (3.11–3.13).
    Ast,
    /// Operators and collections fold in the CFG (3.14: `fold_binops_on_constants` and friends
    /// in `flowgraph.c`); the AST pass keeps only what that release still folds there.
    Cfg,
}

/// Behaviour switches of the compiler for one release. Read by `pycode_symtable`,
/// `pycode_codegen`, `pycode_flowgraph` and `pycode_assemble`; each field says which releases
/// set it and what it changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Features {
    /// `CO_MAXBLOCKS` as the "too many statically nested blocks" check counts it: 3.12.7+
    /// allow one more (`>=` became `>`).
    pub max_static_blocks: usize,
    /// 3.12.7+: `for`/`with`/`assert`/lambda/comprehension instructions take the
    /// sub-expression's location (the iterator, context manager, test, body; 3.12.1: the
    /// statement's), and inlined comprehensions follow 3.12.7's rules.
    pub iter_locations: bool,
    /// 3.12.1 only: a generic class's name leaks into the enclosing unit's private name.
    pub type_params_leak_private: bool,
    /// 3.12.7+: a comprehension's iteration variable is looked up by its mangled name.
    pub mangled_comprehension_iter: bool,
    /// PEP 709 (3.12+): list/set/dict comprehensions are inlined into their scope.
    pub inline_comprehensions: bool,
    /// 3.13+: class bodies store `__firstlineno__` and `__static_attributes__`.
    pub class_static_attributes: bool,
    /// 3.13+: conditional jumps and `not` need a `TO_BOOL` (or a bool-producing op) first.
    pub to_bool: bool,
    /// 3.13+: `COMPARE_OP`'s oparg is `cmp << 5 | mask` with bit 16 = "cast to bool".
    pub compare_op_shift: u32,
    /// 3.13+: the flowgraph forms `LOAD_FAST_LOAD_FAST` / `STORE_FAST_LOAD_FAST` /
    /// `STORE_FAST_STORE_FAST`.
    pub superinstructions: bool,
    /// 3.13+: `LOAD_CLOSURE` is a pseudo-op that becomes `LOAD_FAST`.
    pub load_closure_pseudo: bool,
    /// 3.12: the exception-stack pass writes the except depth into `YIELD_VALUE`'s oparg.
    pub yield_value_except_depth: bool,
    /// The `JUMP` that a backward conditional jump is turned into has no location (else the
    /// conditional jump's; measured: 3.12 and 3.13.0/3.13.2 keep it).
    pub reversed_jump_no_location: bool,
    /// `remove_redundant_nops`: a function's `RESUME` counts as the previous line (every
    /// release but 3.12.7).
    pub resume_sets_prev_line: bool,
    /// 3.12–3.13: `RETURN_CONST` exists.
    pub return_const: bool,
    /// The stack depth a generator's code starts with before `RETURN_GENERATOR` (3.12: 1, the
    /// sent value; 3.13+: 0, `RETURN_GENERATOR` pushes it).
    pub generator_entry_depth: i32,
    /// 3.13+: the `POP_TOP` after `RETURN_GENERATOR` has its location (3.12: none).
    pub generator_pop_top_located: bool,
    /// 3.13+: docstring constants are stored dedented (`_PyCompile_CleanDoc`).
    pub clean_docstrings: bool,
    /// 3.13.1+: a synchronous comprehension's loop calls `GET_ITER` on its iterable again
    /// (also on the outermost one, already an iterator: `.0` / the inlined value).
    pub comprehension_iter_again: bool,
    /// 3.13+ `optimize_cfg`: inline small or line-less exit blocks (until no change) and
    /// resolve line numbers *before* the peepholes; remove NOPs and jumps until stable.
    pub cfg_lines_first: bool,
    /// 3.13+: the jump added after a cold block that fell through into a warm one is
    /// `JUMP_NO_INTERRUPT` (3.12: `JUMP`).
    pub cold_jump_no_interrupt: bool,
    /// 3.13: the stack depth counts `RETURN_CONST` as pushing its constant (measured:
    /// `def f(self): return True` has `co_stacksize` 1 there, 0 in 3.12).
    pub return_const_sized_as_load: bool,
    /// 3.13+: no code object has a stack size below 1 (measured: `def f(): raise` has
    /// `co_stacksize` 1 there, 0 in 3.12; no 3.13 or 3.14.2 stdlib `.pyc` holds 0).
    pub min_stacksize_one: bool,
    /// 3.14+: the peephole drops `CALL_INTRINSIC_1 INTRINSIC_LIST_TO_TUPLE` before
    /// `GET_ITER` (`for x in (*a, *b)` iterates the list); 3.13.0 and 3.13.2 keep it (measured:
    /// typing.py's `for attr in (*base.__dict__, *annotations)`).
    pub iter_list_not_tuple: bool,
    /// 3.13 (PEP 696): type parameters' defaults, each a lazily evaluated scope of its own
    /// (`INTRINSIC_SET_TYPEPARAM_DEFAULT`), and bound scopes located at the bound expression.
    /// 3.14+ too, each scope then an annotations-like `(.format=1, /)` function
    /// (`deferred_annotations`).
    pub type_param_defaults: bool,
    /// 3.13+: jump offsets are resolved on the flat instruction sequence, starting from each
    /// jump's oparg = its target's instruction index, so a jump whose target index is 256 or
    /// more begins with an `EXTENDED_ARG` and may keep it at a fixed point where the offset is
    /// exactly 256 (measured: test_contextlib.py's `EXTENDED_ARG 1; JUMP_BACKWARD 256`; 3.14:
    /// testsealable.py; 3.15: email/_header_value_parser.py).
    pub jump_offsets_from_index: bool,
    /// `resolve_line_numbers` ends with `guarantee_lineno_for_exits` (a line-less block ending
    /// in `RETURN_VALUE` takes the previous line). 3.13+ do not (measured with 3.13.0's
    /// `optimize_cfg` and on 3.14.2: the `return None` after a `try`/`except*` keeps no
    /// location).
    pub guarantee_exit_lines: bool,
    /// 3.13: after cold blocks were moved to the end, NOPs and redundant jumps are removed
    /// until stable (3.12: the jumps only), so a jump turned NOP right after a block push on
    /// the same line goes (measured: `try: pass` / `except: pass` in a loop keeps the `try`
    /// location).
    pub cold_push_removes_nops: bool,
    /// 3.14+: `convert_pseudo_ops` ends with `remove_redundant_nops_and_jumps`, so a jump
    /// left before a block whose jump became a NOP when cold blocks moved goes too
    /// (measured on 3.14.2: requests/utils.py `super_len`).
    pub pseudo_ops_remove_jumps: bool,
    /// 3.13.1+: `future_parse` only takes `from __future__` imports of level 0, and an unknown
    /// feature (or `braces`) is reported at the imported name's range (3.12 and 3.13.0: at the
    /// start of the statement, without an end; measured on native 3.13.0 and Pyodide 3.13.2).
    pub future_errors_at_alias: bool,
    /// 3.13: `swaptimize` / `apply_static_swaps` run in a second walk over the block after
    /// the peepholes (3.12: when the peephole loop reaches the SWAP). Measured on 3.13.0 and
    /// 3.13.2: `a, a = x, y` gives `STORE_FAST a; POP_TOP`, no SWAP.
    pub swaps_after_peepholes: bool,
    /// 3.13+ jump threading: the jump becomes a NOP and a new jump (the target jump's
    /// location, no exception handler) is appended; no line-number condition.
    pub jump_thread_appends: bool,
    /// 3.13 jump threading also follows `JUMP_NO_INTERRUPT`: a `JUMP` or `JUMP_NO_INTERRUPT`
    /// to a `JUMP` becomes a `JUMP`, one to a `JUMP_NO_INTERRUPT` keeps its own opcode
    /// (conditional jumps still thread only through `JUMP`). Measured on 3.13.0 with
    /// `_testinternalcapi.optimize_cfg`; CPython's later sources have it too, but pycode's
    /// 3.14+ back ends have not been measured with it.
    pub thread_jump_no_interrupt: bool,
    /// 3.13+: `duplicate_exits_without_lineno` also copies line-less blocks that check the
    /// eval breaker (a loop's back `JUMP`), not only scope exits.
    pub duplicate_eval_checks: bool,
    /// 3.13+: the CFG is built from the instruction sequence with blocks starting only at
    /// jump targets (3.12: at every label codegen placed, e.g. a loop's unused `break` label).
    pub blocks_at_jump_targets_only: bool,
    /// Where operator constant folding happens.
    pub const_folding: ConstFolding,
    /// PEP 649/749 (3.14+): annotations are compiled into `__annotate__` functions.
    pub deferred_annotations: bool,
    /// 3.11's `assemble()` order: the prefix instructions and cell offsets come before
    /// `optimize_cfg`, exception targets are labelled (and the block pushes become NOPs) after
    /// the line numbers and the stack depth, and conditional jumps take their forward or
    /// backward form by layout (`POP_JUMP_FORWARD_IF_*` / `POP_JUMP_BACKWARD_IF_*`), and
    /// the location table has an entry per instruction (not per run of equal locations).
    /// 3.12+: `_PyCfg_OptimizeCodeUnit` then `prepare_localsplus`, exception targets first.
    pub assemble_3_11: bool,
    /// 3.12+: `push_cold_blocks_to_end` moves exception handlers and other cold blocks to the
    /// end of the code (3.11 leaves them where codegen put them).
    pub cold_blocks: bool,
    /// 3.12+: `add_checks_for_loads_of_uninitialized_variables` (`LOAD_FAST_CHECK`).
    pub uninitialized_local_checks: bool,
    /// 3.12+: `jump_thread` also threads through a target jump that has no line number
    /// (3.11: only one on the same line).
    pub jump_thread_no_lineno: bool,
    /// 3.11: `trim_unused_consts` only drops the trailing unused constants (3.12+:
    /// `remove_unused_consts` drops every unused one but the first).
    pub trim_trailing_consts_only: bool,
    /// 3.11: `and`/`or` and chained comparisons branch with `JUMP_IF_FALSE_OR_POP` /
    /// `JUMP_IF_TRUE_OR_POP` (3.12+: `COPY 1` and a popping jump).
    pub jump_if_or_pop: bool,
    /// 3.12+: unary `+`, `print` of interactive statements, `import *`, list-to-tuple and the
    /// async-generator wrap are `CALL_INTRINSIC_1` (3.11: opcodes of their own).
    pub intrinsics: bool,
    /// 3.12+: generators and coroutines are wrapped in a handler converting `StopIteration`
    /// (`CALL_INTRINSIC_1 INTRINSIC_STOPITERATION_ERROR`); 3.11 does it in the interpreter.
    pub stopiteration_handler: bool,
    /// 3.12+: `a[x:y]` loads and stores with `BINARY_SLICE` / `STORE_SLICE`.
    pub binary_slice: bool,
    /// 3.12+: `super().attr` and `super().meth()` use `LOAD_SUPER_ATTR`.
    pub super_attr: bool,
    /// 3.11: no implicit `return None` is added to a unit whose current block already ends
    /// with `RETURN_VALUE` (`b_return`), so its `None` constant is not added either.
    pub skip_return_after_return: bool,
    /// 3.11: `compiler_with_except_finish` places the cleanup handler (`COPY 3; POP_EXCEPT;
    /// RERAISE 1`) right after `RERAISE 2`, before the suppressing exit (3.12+: after it, behind
    /// a jump).
    pub with_cleanup_inline: bool,
    /// 3.13+: a `RESUME` after a yield inside one exception handler gets the depth bit (4).
    pub resume_depth_bit: bool,
    /// 3.11: the location of the last statement compiled stays the compiler's current one,
    /// which the `finally` handler's re-raise and cleanup take (3.12+: no location).
    pub stmt_location_leaks: bool,
    /// `apply_static_swaps` keeps a SWAP whose exchanged instructions store to the same name
    /// (or with a store to either name between them). 3.11.2 lacks the check (measured:
    /// `a, a = x, y` loses its SWAP and returns `x`; 3.11.7 keeps it).
    pub swap_checks_stores: bool,
    /// 3.11.2: the jump from the end of a `case` body to the end of the `match` takes the
    /// location the body's last statement left (3.11.7: no location; measured on
    /// `test/libregrtest/results.py`).
    pub match_case_jump_located: bool,
    /// An `except*` clause whose type does not match jumps to a `POP_TOP` block after the
    /// handler (`POP_JUMP_IF_NONE no_match`); 3.11.2 instead jumps over an inline `POP_TOP;
    /// JUMP next` to the handler (`POP_JUMP_IF_NOT_NONE`).
    pub except_star_no_match_block: bool,
    /// 3.14+: `normalize_jumps` puts a `NOT_TAKEN` on the fall-through side of every
    /// conditional jump (a backward one becomes `reversed jump; NOT_TAKEN; JUMP`).
    pub not_taken: bool,
    /// 3.14+: `optimize_load_fast` turns loads whose value is consumed before the local can
    /// change into `LOAD_FAST_BORROW` (and the pair form).
    pub load_fast_borrow: bool,
    /// 3.14+: `LOAD_CONST` of an int in 0..=255 becomes `LOAD_SMALL_INT` (in the CFG; the
    /// constant stays in `co_consts` only when it is the first one).
    pub load_small_int: bool,
    /// 3.11–3.13: a function's first constant is its docstring or `None`; 3.14+: only a
    /// docstring is added first (and the code gets `CO_HAS_DOCSTRING`).
    pub func_first_const_none: bool,
    /// 3.11–3.13: dicts with constant keys and keyword-argument dicts are built with
    /// `BUILD_CONST_KEY_MAP` (3.14+: `BUILD_MAP` of key/value pairs).
    pub const_key_map: bool,
    /// 3.14+: the stack depth is the largest depth *before* an instruction (the push of a
    /// block's last instruction counts only where a successor starts).
    pub stackdepth_before_instr: bool,
    /// 3.14+: `and`/`or` jump with the `JUMP_IF_FALSE`/`JUMP_IF_TRUE` pseudo-ops (expanded to
    /// `COPY 1; TO_BOOL; POP_JUMP_IF_*` after the optimisations; threaded into each other).
    pub jump_if_pseudo: bool,
    /// 3.14+: `x[a:b:c]` with constant (or absent) bounds loads a `slice` constant.
    pub const_slices: bool,
    /// 3.14+: a `while` loop tests its condition once, at the top (the body jumps back);
    /// before, the test was repeated at the bottom.
    pub while_test_once: bool,
    /// 3.13+: emptied blocks stay in the chain: `eliminate_empty_basic_blocks` never runs
    /// (3.14's `flowgraph.c` no longer has it). Measured on native 3.13.0 and Pyodide 3.13.2:
    /// in `0 if 1 else 0` as a statement the artificial `POP_TOP` keeps no line, as the emptied
    /// `else` block still sits between the `if` body and it when line numbers are propagated
    /// (3.12 gives it the body's line); every 3.13 corpus file is unchanged by the switch.
    pub keep_empty_blocks: bool,
    /// 3.14+ -OO: a docstring that is the whole body is compiled as an expression statement
    /// (its line is where the implicit return is attributed); other docstrings are dropped.
    pub oo_lone_docstring_kept: bool,
    /// 3.14+: `for` puts a `NOP` at the target's location right after `FOR_ITER` (removed
    /// later as redundant, but its slot is what a `NOT_TAKEN` added there inherits).
    pub for_target_nop: bool,
    /// 3.14+: the `POP_TOP` of the subject after a successful `case` is emitted at
    /// `NEXT_LOCATION` (line -2 for the passes; the assembler gives it the location of the
    /// instruction after it), not at the pattern's location.
    pub match_pop_next_location: bool,
    /// 3.14+: an inlined comprehension in a class body saves (`LOAD_FAST_AND_CLEAR`) only the
    /// names it binds: the class-block test is made after the inlined-comprehension depth
    /// was raised, so `.0` and the names it only reads are no longer pushed (3.12/3.13 push
    /// every symbol of the comprehension there).
    pub class_comp_push_bound_only: bool,
    /// `RESUME_OPARG_DEPTH1_MASK`, the bit [`Features::resume_depth_bit`] sets: 4 (3.13,
    /// 3.14), 8 (3.15, where 4 is `RESUME_AT_GEN_EXPR_START`).
    pub resume_depth1_mask: i32,
    /// 3.15: `IMPORT_NAME`'s oparg is `namei << 2 | flags` (1 = `lazy import`, 2 = eager: an
    /// import that cannot be lazy, outside the module scope or inside a `try` block, handler
    /// or `finally` run on an exception).
    pub import_name_flags: bool,
    /// 3.15: `LOAD_CONST` of `None`, `''`, `True`, `False` or `-1` becomes
    /// `LOAD_COMMON_CONSTANT` in the CFG (like 3.14's `LOAD_SMALL_INT`).
    pub common_constant_singletons: bool,
    /// 3.15: iterators take two stack slots (`GET_ITER` pushes the iterable or iterator and an
    /// index or `NULL`; `POP_ITER` and `END_SEND` pop two): `yield from` is `GET_ITER 3`,
    /// `await`/`async for` push a `NULL` under the sent value, a `for` loop's unwinding pops
    /// two, and comprehensions call `GET_ITER` on their outermost iterable themselves.
    pub two_slot_iterators: bool,
    /// 3.15: the `NOT_TAKEN` that `normalize_jumps` adds has no exception handler (3.14: the
    /// one of the instruction that last used that array slot, see `BasicBlock::ghost`).
    pub not_taken_no_handler: bool,
    /// 3.15: a function's annotations are collected in signature order, positional-only
    /// parameters first (3.14 and earlier: the plain ones, then the positional-only ones).
    /// Measured on Pyodide 3.15.0rc1: `def f(a, b: 1, /, c: 2, d)` builds `{'b': 1, 'c': 2}`.
    pub annotations_posonly_first: bool,
    /// 3.15: `optimize_load_fast` walks on from an empty block to the next one (3.14 stops
    /// there, see [`Features::keep_empty_blocks`]).
    pub load_fast_empty_falls_through: bool,
    /// 3.15: a function's `__annotate__` is qualified by the function (`C.g.__annotate__`;
    /// 3.14: `C.__annotate__`).
    pub annotate_qualname_under_function: bool,
    /// 3.15: `list(genexp)` and `set(genexp)` are inlined like 3.14's `tuple`/`all`/`any`
    /// (`LOAD_COMMON_CONSTANT 5`/`6` guard, `LIST_APPEND`/`SET_ADD` loop, no conversion).
    pub inline_list_set_calls: bool,
    /// 3.15 `optimize_load_fast`: `GET_ITER` and `FORMAT_SIMPLE` consume no input,
    /// `END_SEND`, `LOAD_SPECIAL`, `PUSH_EXC_INFO` and `SET_FUNCTION_ATTRIBUTE` pass their
    /// top of stack through, `POP_ITER` pops two; the value `IMPORT_FROM`, `GET_LEN`,
    /// `MATCH_*` or `WITH_EXCEPT_START` pushes is that instruction's own (3.14 names the
    /// block's k-th instruction). (3.14 CPython also keeps `FORMAT_SIMPLE`'s
    /// input, measured; pycode's 3.14 back end is not switched here.)
    pub load_fast_passthrough: bool,
    /// 3.15 (PEP 798): `[*it for ...]`, `{*it for ...}`, `{**m for ...}`, `(*it for ...)`:
    /// the element extends the result (`LIST_EXTEND`/`SET_UPDATE`/`DICT_UPDATE`; a generator
    /// expression loops over it, yielding each item).
    pub comprehension_unpacking: bool,
    /// 3.14+ (PEP 765): the AST preprocessing warns about `return`/`break`/`continue` leaving
    /// a `finally` block (`'return' in a 'finally' block`).
    pub finally_control_flow_warnings: bool,
    /// 3.14+: an annotated assignment's `cannot assign to __debug__` points at the target
    /// (3.11-3.13: at the whole statement).
    pub annassign_check_at_target: bool,
}

/// [`Release::compute_features`] of each release, computed at compile time.
static F_3_11_2: Features = Release::V3_11_2.compute_features();
static F_3_11_7: Features = Release::V3_11_7.compute_features();
static F_3_12_1: Features = Release::V3_12_1.compute_features();
static F_3_12_7: Features = Release::V3_12_7.compute_features();
static F_3_13_0: Features = Release::V3_13_0.compute_features();
static F_3_13_2: Features = Release::V3_13_2.compute_features();
static F_3_14_2: Features = Release::V3_14_2.compute_features();
static F_3_15_0RC1: Features = Release::V3_15_0rc1.compute_features();

impl Release {
    /// The minor-version line of this release.
    pub const fn line(self) -> Minor {
        match self {
            Release::V3_11_2 | Release::V3_11_7 => Minor::V3_11,
            Release::V3_12_1 | Release::V3_12_7 => Minor::V3_12,
            Release::V3_13_0 | Release::V3_13_2 => Minor::V3_13,
            Release::V3_14_2 => Minor::V3_14,
            Release::V3_15_0rc1 => Minor::V3_15,
        }
    }

    /// The compiler's behaviour switches for this release: one entry of a table computed at
    /// compile time, so the stages can ask for a switch per instruction without recomputing
    /// the whole set (it was 6 % of a `compileall` run's instructions when it did).
    pub fn features(self) -> &'static Features {
        match self {
            Release::V3_11_2 => &F_3_11_2,
            Release::V3_11_7 => &F_3_11_7,
            Release::V3_12_1 => &F_3_12_1,
            Release::V3_12_7 => &F_3_12_7,
            Release::V3_13_0 => &F_3_13_0,
            Release::V3_13_2 => &F_3_13_2,
            Release::V3_14_2 => &F_3_14_2,
            Release::V3_15_0rc1 => &F_3_15_0RC1,
        }
    }

    /// Decides every switch of [`Features`] for this release (the source of the `F_*` statics).
    const fn compute_features(self) -> Features {
        let line = self.line();
        let ge13 = matches!(line, Minor::V3_13 | Minor::V3_14 | Minor::V3_15);
        let is311 = matches!(line, Minor::V3_11);
        let ge14 = matches!(line, Minor::V3_14 | Minor::V3_15);
        let is315 = matches!(line, Minor::V3_15);
        let (max_static_blocks, iter_locations, early312, resume_sets_prev_line) = match self {
            Release::V3_11_2 | Release::V3_11_7 => (20, false, true, true),
            Release::V3_12_1 => (20, false, true, true),
            Release::V3_12_7 => (21, true, false, false),
            Release::V3_13_0 | Release::V3_13_2 | Release::V3_14_2 | Release::V3_15_0rc1 => (21, true, false, true),
        };
        Features {
            max_static_blocks,
            iter_locations,
            type_params_leak_private: matches!(self, Release::V3_12_1),
            mangled_comprehension_iter: !early312,
            inline_comprehensions: !matches!(line, Minor::V3_11),
            class_static_attributes: ge13,
            to_bool: ge13,
            compare_op_shift: if ge13 { 5 } else { 4 },
            superinstructions: ge13,
            load_closure_pseudo: ge13,
            yield_value_except_depth: matches!(line, Minor::V3_12),
            reversed_jump_no_location: false,
            resume_sets_prev_line,
            generator_entry_depth: if ge13 { 0 } else { 1 },
            generator_pop_top_located: ge13,
            clean_docstrings: ge13,
            comprehension_iter_again: matches!(self, Release::V3_13_2),
            cfg_lines_first: ge13,
            cold_jump_no_interrupt: ge13,
            return_const_sized_as_load: matches!(line, Minor::V3_13),
            min_stacksize_one: matches!(line, Minor::V3_13 | Minor::V3_14 | Minor::V3_15),
            iter_list_not_tuple: matches!(line, Minor::V3_14 | Minor::V3_15),
            type_param_defaults: ge13,
            jump_offsets_from_index: matches!(line, Minor::V3_13 | Minor::V3_14 | Minor::V3_15),
            guarantee_exit_lines: matches!(line, Minor::V3_11 | Minor::V3_12),
            cold_push_removes_nops: matches!(line, Minor::V3_13 | Minor::V3_14 | Minor::V3_15),
            pseudo_ops_remove_jumps: matches!(line, Minor::V3_14 | Minor::V3_15),
            future_errors_at_alias: matches!(self, Release::V3_13_2),
            swaps_after_peepholes: matches!(line, Minor::V3_13),
            jump_thread_appends: ge13,
            thread_jump_no_interrupt: matches!(line, Minor::V3_13),
            duplicate_eval_checks: ge13,
            blocks_at_jump_targets_only: ge13,
            return_const: matches!(line, Minor::V3_12 | Minor::V3_13),
            const_folding: match line {
                Minor::V3_11 | Minor::V3_12 | Minor::V3_13 => ConstFolding::Ast,
                Minor::V3_14 | Minor::V3_15 => ConstFolding::Cfg,
            },
            deferred_annotations: matches!(line, Minor::V3_14 | Minor::V3_15),
            assemble_3_11: is311,
            cold_blocks: !is311,
            uninitialized_local_checks: !is311,
            jump_thread_no_lineno: !is311,
            trim_trailing_consts_only: is311,
            jump_if_or_pop: is311,
            intrinsics: !is311,
            stopiteration_handler: !is311,
            binary_slice: !is311,
            super_attr: !is311,
            skip_return_after_return: is311,
            with_cleanup_inline: is311,
            resume_depth_bit: ge13,
            stmt_location_leaks: is311,
            swap_checks_stores: !matches!(self, Release::V3_11_2),
            match_case_jump_located: matches!(self, Release::V3_11_2),
            except_star_no_match_block: !matches!(self, Release::V3_11_2),
            not_taken: ge14,
            load_fast_borrow: ge14,
            load_small_int: ge14,
            func_first_const_none: !ge14,
            const_key_map: !ge14,
            stackdepth_before_instr: ge14,
            jump_if_pseudo: ge14,
            const_slices: ge14,
            while_test_once: ge14,
            keep_empty_blocks: ge13,
            oo_lone_docstring_kept: ge14,
            for_target_nop: ge14,
            match_pop_next_location: ge14,
            class_comp_push_bound_only: ge14,
            resume_depth1_mask: if is315 { 8 } else { 4 },
            import_name_flags: is315,
            common_constant_singletons: is315,
            two_slot_iterators: is315,
            not_taken_no_handler: is315,
            annotations_posonly_first: is315,
            load_fast_empty_falls_through: is315,
            annotate_qualname_under_function: is315,
            inline_list_set_calls: is315,
            load_fast_passthrough: is315,
            comprehension_unpacking: is315,
            finally_control_flow_warnings: ge14,
            annassign_check_at_target: ge14,
        }
    }
}
