//! The opcode numbers and classifications the CFG passes need, resolved once per release from
//! `pycode_release`'s generated table. An opcode a release lacks gets a sentinel at or above
//! [`ABSENT_BASE`] (one per name, see [`Ops::absent_name`]), which never equals a real
//! instruction's opcode; the assembler refuses to write one.

use pycode_release::{OpFlags, OpcodeTable, Release};

/// First sentinel number standing for "this release has no such opcode" (real opcodes are < 256,
/// pseudo-ops < 512 in every release).
pub const ABSENT_BASE: u16 = 0xF000;

macro_rules! ops_struct {
    ($($field:ident = $name:literal),* $(,)?) => {
        /// Opcode numbers by CPython name for one release.
        #[derive(Clone, Debug)]
        #[allow(non_snake_case)]
        pub struct Ops {
            pub release: Release,
            pub table: &'static OpcodeTable,
            /// Per opcode (real and pseudo), the classification bits below and more, computed
            /// once per release so the passes test one word instead of several opcode
            /// comparisons.
            props: &'static [OpInfo; PROPS_LEN],
            $(pub $field: u16,)*
        }

        /// The CPython names of [`Ops`]' opcode fields, in field order.
        const NAMES: &[&str] = &[$($name,)*];

        impl Ops {
            /// The table of `release`, resolved by name once per process and then copied.
            pub fn new(release: Release) -> Ops {
                static CACHE: [std::sync::OnceLock<Ops>; Release::ALL.len()] =
                    [const { std::sync::OnceLock::new() }; Release::ALL.len()];
                match Release::ALL.iter().position(|&r| r == release).and_then(|i| CACHE.get(i)) {
                    Some(cell) => cell.get_or_init(|| Ops::resolve(release)).clone(),
                    None => Ops::resolve(release),
                }
            }

            /// Looks every opcode up by name in `release`'s table.
            fn resolve(release: Release) -> Ops {
                static PROPS: [std::sync::OnceLock<[OpInfo; PROPS_LEN]>; Release::ALL.len()] =
                    [const { std::sync::OnceLock::new() }; Release::ALL.len()];
                let table = release.opcodes();
                let mut next_absent = ABSENT_BASE;
                let mut g = |name: &str| {
                    let v = release.compiler_opmap(name).unwrap_or(next_absent);
                    next_absent += 1;
                    v
                };
                let mut ops = Ops {
                    release,
                    table,
                    props: &NO_PROPS,
                    $($field: g($name),)*
                };
                let probe = ops.clone();
                ops.props = match Release::ALL.iter().position(|&r| r == release).and_then(|i| PROPS.get(i)) {
                    Some(cell) => cell.get_or_init(|| probe.compute_props()),
                    // Unreachable (every release is in `ALL`); computed and kept for the process.
                    None => Box::leak(Box::new(probe.compute_props())),
                };
                ops
            }
        }
    };
}

ops_struct! {
    NOP = "NOP",
    POP_TOP = "POP_TOP",
    PUSH_NULL = "PUSH_NULL",
    LOAD_CONST = "LOAD_CONST",
    RETURN_VALUE = "RETURN_VALUE",
    RETURN_CONST = "RETURN_CONST",
    RAISE_VARARGS = "RAISE_VARARGS",
    RERAISE = "RERAISE",
    JUMP = "JUMP",
    JUMP_NO_INTERRUPT = "JUMP_NO_INTERRUPT",
    JUMP_FORWARD = "JUMP_FORWARD",
    JUMP_BACKWARD = "JUMP_BACKWARD",
    JUMP_BACKWARD_NO_INTERRUPT = "JUMP_BACKWARD_NO_INTERRUPT",
    POP_JUMP_IF_FALSE = "POP_JUMP_IF_FALSE",
    POP_JUMP_IF_TRUE = "POP_JUMP_IF_TRUE",
    POP_JUMP_IF_NONE = "POP_JUMP_IF_NONE",
    POP_JUMP_IF_NOT_NONE = "POP_JUMP_IF_NOT_NONE",
    SETUP_FINALLY = "SETUP_FINALLY",
    SETUP_CLEANUP = "SETUP_CLEANUP",
    SETUP_WITH = "SETUP_WITH",
    POP_BLOCK = "POP_BLOCK",
    YIELD_VALUE = "YIELD_VALUE",
    RESUME = "RESUME",
    FOR_ITER = "FOR_ITER",
    BUILD_TUPLE = "BUILD_TUPLE",
    UNPACK_SEQUENCE = "UNPACK_SEQUENCE",
    SWAP = "SWAP",
    COPY = "COPY",
    IS_OP = "IS_OP",
    KW_NAMES = "KW_NAMES",
    LOAD_GLOBAL = "LOAD_GLOBAL",
    LOAD_FAST = "LOAD_FAST",
    LOAD_FAST_CHECK = "LOAD_FAST_CHECK",
    LOAD_FAST_AND_CLEAR = "LOAD_FAST_AND_CLEAR",
    STORE_FAST = "STORE_FAST",
    STORE_FAST_MAYBE_NULL = "STORE_FAST_MAYBE_NULL",
    DELETE_FAST = "DELETE_FAST",
    EXTENDED_ARG = "EXTENDED_ARG",
    RETURN_GENERATOR = "RETURN_GENERATOR",
    MAKE_CELL = "MAKE_CELL",
    COPY_FREE_VARS = "COPY_FREE_VARS",
    LOAD_CLOSURE = "LOAD_CLOSURE",
    LOAD_DEREF = "LOAD_DEREF",
    STORE_DEREF = "STORE_DEREF",
    DELETE_DEREF = "DELETE_DEREF",
    LOAD_FROM_DICT_OR_DEREF = "LOAD_FROM_DICT_OR_DEREF",
    CACHE = "CACHE",
    JUMP_IF_FALSE_OR_POP = "JUMP_IF_FALSE_OR_POP",
    JUMP_IF_TRUE_OR_POP = "JUMP_IF_TRUE_OR_POP",
    POP_JUMP_FORWARD_IF_FALSE = "POP_JUMP_FORWARD_IF_FALSE",
    POP_JUMP_FORWARD_IF_TRUE = "POP_JUMP_FORWARD_IF_TRUE",
    POP_JUMP_FORWARD_IF_NONE = "POP_JUMP_FORWARD_IF_NONE",
    POP_JUMP_FORWARD_IF_NOT_NONE = "POP_JUMP_FORWARD_IF_NOT_NONE",
    POP_JUMP_BACKWARD_IF_FALSE = "POP_JUMP_BACKWARD_IF_FALSE",
    POP_JUMP_BACKWARD_IF_TRUE = "POP_JUMP_BACKWARD_IF_TRUE",
    POP_JUMP_BACKWARD_IF_NONE = "POP_JUMP_BACKWARD_IF_NONE",
    POP_JUMP_BACKWARD_IF_NOT_NONE = "POP_JUMP_BACKWARD_IF_NOT_NONE",
    TO_BOOL = "TO_BOOL",
    COMPARE_OP = "COMPARE_OP",
    CONTAINS_OP = "CONTAINS_OP",
    UNARY_NOT = "UNARY_NOT",
    CALL_INTRINSIC_1 = "CALL_INTRINSIC_1",
    GET_ITER = "GET_ITER",
    CALL = "CALL",
    CALL_KW = "CALL_KW",
    CALL_FUNCTION_EX = "CALL_FUNCTION_EX",
    NOT_TAKEN = "NOT_TAKEN",
    LOAD_SMALL_INT = "LOAD_SMALL_INT",
    LOAD_COMMON_CONSTANT = "LOAD_COMMON_CONSTANT",
    LOAD_FAST_BORROW = "LOAD_FAST_BORROW",
    LOAD_FAST_BORROW_LOAD_FAST_BORROW = "LOAD_FAST_BORROW_LOAD_FAST_BORROW",
    LOAD_FAST_LOAD_FAST = "LOAD_FAST_LOAD_FAST",
    STORE_FAST_LOAD_FAST = "STORE_FAST_LOAD_FAST",
    STORE_FAST_STORE_FAST = "STORE_FAST_STORE_FAST",
    JUMP_IF_FALSE = "JUMP_IF_FALSE",
    JUMP_IF_TRUE = "JUMP_IF_TRUE",
    BUILD_LIST = "BUILD_LIST",
    BUILD_SET = "BUILD_SET",
    LIST_APPEND = "LIST_APPEND",
    LIST_EXTEND = "LIST_EXTEND",
    SET_UPDATE = "SET_UPDATE",
    BINARY_OP = "BINARY_OP",
    UNARY_NEGATIVE = "UNARY_NEGATIVE",
    UNARY_INVERT = "UNARY_INVERT",
    END_ASYNC_FOR = "END_ASYNC_FOR",
    LOAD_ATTR = "LOAD_ATTR",
    LOAD_SUPER_ATTR = "LOAD_SUPER_ATTR",
    SEND = "SEND",
}

impl Ops {
    /// `OPCODE_HAS_EVAL_BREAK` (3.13+): instructions that check the eval breaker.
    pub fn has_eval_break(&self, op: u16) -> bool {
        op < ABSENT_BASE
            && (op == self.JUMP
                || op == self.JUMP_BACKWARD
                || op == self.RESUME
                || op == self.CALL
                || op == self.CALL_KW
                || op == self.CALL_FUNCTION_EX)
    }

    /// The name of the opcode `op` stands for when the release lacks it (`op` is a sentinel),
    /// else `None`.
    pub fn absent_name(op: u16) -> Option<&'static str> {
        op.checked_sub(ABSENT_BASE).and_then(|i| NAMES.get(usize::from(i)).copied())
    }
}

/// Opcode numbers covered by the property table (real ops < 256, pseudo ops above).
const PROPS_LEN: usize = 512;
static NO_PROPS: [OpInfo; PROPS_LEN] = [OpInfo::NONE; PROPS_LEN];

/// What the passes need to know of one opcode, precomputed per release. Eight bytes, so a
/// lookup is one scaled load (the passes make several per instruction).
#[derive(Clone, Copy, Debug)]
#[repr(align(8))]
struct OpInfo {
    /// The `P_*` bits.
    bits: u16,
    /// `_PyOpcode_Caches[op]`.
    caches: u8,
    /// The stack effect without / with the jump when it does not depend on the oparg, else
    /// [`EFFECT_BY_OPARG`].
    effect: [i8; 2],
}

/// In [`OpInfo::effect`]: evaluate the table's formula.
const EFFECT_BY_OPARG: i8 = i8::MIN;

impl OpInfo {
    const NONE: OpInfo = OpInfo { bits: 0, caches: 0, effect: [EFFECT_BY_OPARG; 2] };
}

pub(crate) const P_JUMP: u16 = 1;
pub(crate) const P_BLOCK_PUSH: u16 = 2;
pub(crate) const P_SCOPE_EXIT: u16 = 4;
pub(crate) const P_UNCOND_JUMP: u16 = 8;
pub(crate) const P_HAS_CONST: u16 = 16;
/// An opcode `scan_block_for_locals` looks at (`LOAD_FAST`, `STORE_FAST`, `DELETE_FAST`, ...).
const P_FAST_LOCAL: u16 = 32;
/// An opcode whose oparg `fix_cell_offsets` renumbers (`MAKE_CELL`, `LOAD_DEREF`, ...).
pub(crate) const P_DEREF: u16 = 64;
/// An opcode `_PyCfg_ConvertPseudoOps` rewrites (block pushes, `POP_BLOCK`,
/// `STORE_FAST_MAYBE_NULL`, and `LOAD_CLOSURE` from 3.13).
pub(crate) const P_PSEUDO: u16 = 128;
/// `POP_BLOCK` and `YIELD_VALUE`: besides block pushes, what `label_exception_targets` acts on.
pub(crate) const P_EXC_STACK: u16 = 256;
/// An opcode `optimize_basic_block` acts on: `LOAD_CONST`, `BUILD_TUPLE`, the conditional
/// jumps it threads and `JUMP`, `SWAP`, `PUSH_NULL`.
pub(crate) const P_PEEPHOLE: u16 = 512;
/// A real instruction of the release (a byte the assembler may write: not a pseudo-op, not a
/// stand-in for an opcode the release lacks, not a `<...>` placeholder of the table).
const P_REAL: u16 = 1024;
/// An opcode 3.14's `optimize_basic_block` (`peephole314::optimize_instrs`) acts on: the
/// builds it folds or rewrites, the jumps it threads, the bool-conversion pairs, `STORE_FAST`,
/// `SWAP`, `LOAD_GLOBAL`, the unary and binary ops it folds and `CALL_INTRINSIC_1`.
pub(crate) const P_PEEPHOLE314: u16 = 2048;
/// An opcode 3.14's `optimize_load_const` acts on or remembers: the constant loads
/// (`LOAD_CONST`, `LOAD_SMALL_INT`, `LOAD_COMMON_CONSTANT`) and `COPY`.
pub(crate) const P_LOAD_CONST314: u16 = 4096;
pub(crate) const P_HAS_TARGET: u16 = P_JUMP | P_BLOCK_PUSH;
pub(crate) const P_TERMINATOR: u16 = P_JUMP | P_SCOPE_EXIT;

impl Ops {
    /// The [`OpInfo`] of every opcode in the table.
    fn compute_props(&self) -> [OpInfo; PROPS_LEN] {
        let mut p = [OpInfo::NONE; PROPS_LEN];
        for (op, slot) in p.iter_mut().enumerate() {
            let op = op as u16;
            let effect = |jump: bool| match self.table.stack_effect_formula(op) {
                Some([nojump, jumped]) => match if jump { jumped } else { nojump } {
                    pycode_release::StackEffect::Const(c) => {
                        i8::try_from(c).ok().filter(|&c| c != EFFECT_BY_OPARG).unwrap_or(EFFECT_BY_OPARG)
                    }
                    _ => EFFECT_BY_OPARG,
                },
                None => EFFECT_BY_OPARG,
            };
            *slot = OpInfo { bits: self.props_slow(op), caches: self.cache_entries_slow(op), effect: [effect(false), effect(true)] };
        }
        p
    }

    /// The property bits of `op`, from the definitions below (`*_slow`).
    fn props_slow(&self, op: u16) -> u16 {
        let mut bits = 0;
        if self.is_jump_slow(op) {
            bits |= P_JUMP;
        }
        if self.is_block_push_slow(op) {
            bits |= P_BLOCK_PUSH;
        }
        if self.is_scope_exit_slow(op) {
            bits |= P_SCOPE_EXIT;
        }
        if self.is_unconditional_jump_slow(op) {
            bits |= P_UNCOND_JUMP;
        }
        if self.table.has(op, OpFlags::HAS_CONST) {
            bits |= P_HAS_CONST;
        }
        if u8::try_from(op).is_ok() && self.table.opname(op).is_some_and(|n| !n.starts_with('<')) {
            bits |= P_REAL;
        }
        if op < ABSENT_BASE {
            if [
                self.LOAD_FAST,
                self.LOAD_FAST_CHECK,
                self.LOAD_FAST_AND_CLEAR,
                self.STORE_FAST,
                self.STORE_FAST_MAYBE_NULL,
                self.DELETE_FAST,
            ]
            .contains(&op)
            {
                bits |= P_FAST_LOCAL;
            }
            if [self.MAKE_CELL, self.LOAD_CLOSURE, self.LOAD_DEREF, self.STORE_DEREF, self.DELETE_DEREF, self.LOAD_FROM_DICT_OR_DEREF]
                .contains(&op)
            {
                bits |= P_DEREF;
            }
            if self.is_block_push_slow(op)
                || op == self.POP_BLOCK
                || op == self.STORE_FAST_MAYBE_NULL
                || (op == self.LOAD_CLOSURE && self.release.features().load_closure_pseudo)
            {
                bits |= P_PSEUDO;
            }
            if op == self.POP_BLOCK || op == self.YIELD_VALUE {
                bits |= P_EXC_STACK;
            }
            if [
                self.LOAD_CONST,
                self.BUILD_TUPLE,
                self.POP_JUMP_IF_NOT_NONE,
                self.POP_JUMP_IF_NONE,
                self.POP_JUMP_IF_FALSE,
                self.POP_JUMP_IF_TRUE,
                self.JUMP,
                self.SWAP,
                self.PUSH_NULL,
                self.JUMP_IF_FALSE_OR_POP,
                self.JUMP_IF_TRUE_OR_POP,
            ]
            .contains(&op)
            {
                bits |= P_PEEPHOLE;
            }
            // 3.13: jump threading follows `JUMP_NO_INTERRUPT` too.
            if self.release.features().thread_jump_no_interrupt && op == self.JUMP_NO_INTERRUPT {
                bits |= P_PEEPHOLE;
            }
            // 3.13+: the bool-conversion peepholes, `LOAD_GLOBAL` + `PUSH_NULL`, duplicate
            // `STORE_FAST`s and `CALL_INTRINSIC_1` before `GET_ITER`.
            if self.release.features().to_bool
                && [
                    self.TO_BOOL,
                    self.COMPARE_OP,
                    self.CONTAINS_OP,
                    self.IS_OP,
                    self.UNARY_NOT,
                    self.LOAD_GLOBAL,
                    self.STORE_FAST,
                    self.CALL_INTRINSIC_1,
                ]
                .contains(&op)
            {
                bits |= P_PEEPHOLE;
            }
            if [
                self.BUILD_TUPLE,
                self.BUILD_LIST,
                self.BUILD_SET,
                self.POP_JUMP_IF_NOT_NONE,
                self.POP_JUMP_IF_NONE,
                self.POP_JUMP_IF_FALSE,
                self.POP_JUMP_IF_TRUE,
                self.JUMP_IF_FALSE,
                self.JUMP_IF_TRUE,
                self.JUMP,
                self.JUMP_NO_INTERRUPT,
                self.STORE_FAST,
                self.SWAP,
                self.LOAD_GLOBAL,
                self.COMPARE_OP,
                self.CONTAINS_OP,
                self.IS_OP,
                self.TO_BOOL,
                self.UNARY_NOT,
                self.UNARY_INVERT,
                self.UNARY_NEGATIVE,
                self.CALL_INTRINSIC_1,
                self.BINARY_OP,
            ]
            .contains(&op)
            {
                bits |= P_PEEPHOLE314;
            }
            if [self.LOAD_CONST, self.LOAD_SMALL_INT, self.LOAD_COMMON_CONSTANT, self.COPY].contains(&op) {
                bits |= P_LOAD_CONST314;
            }
        }
        bits
    }

    /// The property bits of `op` (computed for numbers beyond the table, which no release uses).
    #[inline]
    pub(crate) fn props(&self, op: u16) -> u16 {
        match self.props.get(usize::from(op)) {
            Some(i) => i.bits,
            None => self.props_slow(op),
        }
    }

    /// Whether `op` is a real instruction of the release, one the assembler may write as a byte.
    #[inline]
    pub fn is_real(&self, op: u16) -> bool {
        self.props(op) & P_REAL != 0
    }

    /// `IS_JUMP_OPCODE`
    #[inline]
    pub fn is_jump(&self, op: u16) -> bool {
        self.props(op) & P_JUMP != 0
    }

    /// `IS_BLOCK_PUSH_OPCODE`
    #[inline]
    pub fn is_block_push(&self, op: u16) -> bool {
        self.props(op) & P_BLOCK_PUSH != 0
    }

    /// `HAS_TARGET`
    #[inline]
    pub fn has_target(&self, op: u16) -> bool {
        self.props(op) & P_HAS_TARGET != 0
    }

    /// `IS_SCOPE_EXIT_OPCODE`
    #[inline]
    pub fn is_scope_exit(&self, op: u16) -> bool {
        self.props(op) & P_SCOPE_EXIT != 0
    }

    /// `IS_UNCONDITIONAL_JUMP_OPCODE`
    #[inline]
    pub fn is_unconditional_jump(&self, op: u16) -> bool {
        self.props(op) & P_UNCOND_JUMP != 0
    }

    /// `IS_TERMINATOR_OPCODE`
    #[inline]
    pub fn is_terminator(&self, op: u16) -> bool {
        self.props(op) & P_TERMINATOR != 0
    }

    /// `HAS_CONST`
    #[inline]
    pub fn has_const(&self, op: u16) -> bool {
        self.props(op) & P_HAS_CONST != 0
    }

    /// Used by `scan_block_for_locals`: `LOAD_FAST`, `LOAD_FAST_CHECK`, `LOAD_FAST_AND_CLEAR`,
    /// `STORE_FAST`, `STORE_FAST_MAYBE_NULL`, `DELETE_FAST`.
    #[inline]
    pub fn is_fast_local(&self, op: u16) -> bool {
        self.props(op) & P_FAST_LOCAL != 0
    }

    /// Renumbered by `fix_cell_offsets`: `MAKE_CELL`, `LOAD_CLOSURE`, `LOAD_DEREF`,
    /// `STORE_DEREF`, `DELETE_DEREF`, `LOAD_FROM_DICT_OR_DEREF`.
    #[inline]
    pub fn is_deref(&self, op: u16) -> bool {
        self.props(op) & P_DEREF != 0
    }

    /// Rewritten by `_PyCfg_ConvertPseudoOps` in this release.
    #[inline]
    pub fn is_converted_pseudo(&self, op: u16) -> bool {
        self.props(op) & P_PSEUDO != 0
    }

    /// `IS_JUMP_OPCODE`: `hasjrel`/`hasjabs` (3.12), `hasjump` (3.13+).
    fn is_jump_slow(&self, op: u16) -> bool {
        self.table.flags(op).intersects(OpFlags::HAS_JREL | OpFlags::HAS_JABS | OpFlags::HAS_JUMP)
            || (self.release.is_virtual_op(op)
                && [
                    self.JUMP,
                    self.JUMP_NO_INTERRUPT,
                    self.POP_JUMP_IF_FALSE,
                    self.POP_JUMP_IF_TRUE,
                    self.POP_JUMP_IF_NONE,
                    self.POP_JUMP_IF_NOT_NONE,
                ]
                .contains(&op))
    }

    /// `IS_BLOCK_PUSH_OPCODE`: `SETUP_FINALLY`, `SETUP_CLEANUP`, `SETUP_WITH`.
    fn is_block_push_slow(&self, op: u16) -> bool {
        op == self.SETUP_FINALLY || op == self.SETUP_CLEANUP || op == self.SETUP_WITH
    }

    fn is_scope_exit_slow(&self, op: u16) -> bool {
        op == self.RETURN_VALUE || op == self.RETURN_CONST || op == self.RAISE_VARARGS || op == self.RERAISE
    }

    fn is_unconditional_jump_slow(&self, op: u16) -> bool {
        op == self.JUMP
            || op == self.JUMP_NO_INTERRUPT
            || op == self.JUMP_FORWARD
            || op == self.JUMP_BACKWARD
            || op == self.JUMP_BACKWARD_NO_INTERRUPT
    }

    pub fn has_arg(&self, op: u16) -> bool {
        self.table.has_arg(op)
    }

    /// `_PyOpcode_Caches[op]`: inline cache code units after `op`.
    #[inline]
    pub fn cache_entries(&self, op: u16) -> u32 {
        match self.props.get(usize::from(op)) {
            Some(i) => u32::from(i.caches),
            None => u32::from(self.cache_entries_slow(op)),
        }
    }

    fn cache_entries_slow(&self, op: u16) -> u8 {
        match u8::try_from(op) {
            Ok(b) => self.table.inline_cache_entries(b),
            Err(_) => 0,
        }
    }

    /// `_PyCompile_InstrSize`: code units including `EXTENDED_ARG` prefixes and caches.
    #[inline]
    pub fn instr_size(&self, op: u16, oparg: i32) -> u32 {
        let oparg = oparg as u32;
        let extended = u32::from(oparg >= 0x100) + u32::from(oparg >= 0x1_0000) + u32::from(oparg >= 0x100_0000);
        extended + 1 + self.cache_entries(op)
    }

    /// [`instr_size`](Self::instr_size) and whether `op` is a jump, from one table lookup.
    #[inline]
    pub(crate) fn size_and_is_jump(&self, op: u16, oparg: i32) -> (u32, bool) {
        let oparg = oparg as u32;
        let extended = u32::from(oparg >= 0x100) + u32::from(oparg >= 0x1_0000) + u32::from(oparg >= 0x100_0000);
        match self.props.get(usize::from(op)) {
            Some(i) => (extended + 1 + u32::from(i.caches), i.bits & P_JUMP != 0),
            None => (extended + 1 + u32::from(self.cache_entries_slow(op)), self.props_slow(op) & P_JUMP != 0),
        }
    }

    /// [`stack_effect`](Self::stack_effect) without the jump, and the property bits, from one
    /// table lookup.
    #[inline]
    pub(crate) fn effect_and_props(&self, op: u16, oparg: i32) -> (Option<i64>, u16) {
        if let Some(i) = self.props.get(usize::from(op)) {
            let e = i.effect[0];
            if e != EFFECT_BY_OPARG {
                return (Some(i64::from(e)), i.bits);
            }
            return (self.stack_effect_slow(op, oparg, false), i.bits);
        }
        (self.stack_effect_slow(op, oparg, false), self.props_slow(op))
    }

    /// The table's formula evaluated for `oparg` (`OpcodeTable::stack_effect`), else the
    /// effect of a virtual opcode.
    #[inline]
    fn stack_effect_slow(&self, op: u16, oparg: i32, jump: bool) -> Option<i64> {
        let formula = self.table.stack_effect_formula(op).map(|[nojump, jumped]| if jump { jumped } else { nojump });
        match formula.and_then(|f| f.eval(oparg as u32)) {
            Some(e) => Some(e),
            None => self.release.virtual_op_effect(op, jump),
        }
    }

    /// `PyCompile_OpcodeStackEffectWithJump`
    #[inline]
    pub fn stack_effect(&self, op: u16, oparg: i32, jump: bool) -> Option<i64> {
        if let Some(i) = self.props.get(usize::from(op)) {
            let e = i.effect[usize::from(jump)];
            if e != EFFECT_BY_OPARG {
                return Some(i64::from(e));
            }
        }
        self.stack_effect_slow(op, oparg, jump)
    }
}
