//! Opcode numbers of the target release, looked up by name once per compilation.
//!
//! A name the release lacks gets a sentinel above every real and pseudo opcode
//! ([`ABSENT_BASE`] + the field's index), so emitting it is detected (codegen's `addop` turns it
//! into a typed [`pycode_symtable::CompileError`] naming the opcode and the release) instead of
//! being written as a byte.

use pycode_release::Release;

/// First sentinel number of an opcode the release lacks; real opcodes are < 256 and pseudo-ops
/// < 512 in every release.
pub(crate) const ABSENT_BASE: u16 = 0xF000;

macro_rules! ops_struct {
    ($($field:ident = $name:literal),* $(,)?) => {
        /// Opcode numbers (real and pseudo) used by codegen.
        #[allow(non_snake_case)]
        #[derive(Clone, Debug)]
        pub(crate) struct Ops {
            $(pub $field: u16,)*
        }

        /// The CPython names of [`Ops`]' fields, in field order.
        const NAMES: &[&str] = &[$($name,)*];

        impl Ops {
            /// Looks every opcode up by name in `release`'s table.
            fn resolve(release: Release) -> Ops {
                let mut i: u16 = 0;
                let mut g = |n: &str| {
                    let v = release.compiler_opmap(n).unwrap_or(ABSENT_BASE + i);
                    i += 1;
                    v
                };
                Ops { $($field: g($name),)* }
            }
        }
    };
}

ops_struct! {
    NOP = "NOP",
    POP_TOP = "POP_TOP",
    PUSH_NULL = "PUSH_NULL",
    END_FOR = "END_FOR",
    END_SEND = "END_SEND",
    UNARY_NEGATIVE = "UNARY_NEGATIVE",
    UNARY_NOT = "UNARY_NOT",
    UNARY_INVERT = "UNARY_INVERT",
    BINARY_SUBSCR = "BINARY_SUBSCR",
    BINARY_SLICE = "BINARY_SLICE",
    STORE_SLICE = "STORE_SLICE",
    GET_LEN = "GET_LEN",
    MATCH_MAPPING = "MATCH_MAPPING",
    MATCH_SEQUENCE = "MATCH_SEQUENCE",
    MATCH_KEYS = "MATCH_KEYS",
    PUSH_EXC_INFO = "PUSH_EXC_INFO",
    CHECK_EXC_MATCH = "CHECK_EXC_MATCH",
    CHECK_EG_MATCH = "CHECK_EG_MATCH",
    WITH_EXCEPT_START = "WITH_EXCEPT_START",
    GET_AITER = "GET_AITER",
    GET_ANEXT = "GET_ANEXT",
    BEFORE_ASYNC_WITH = "BEFORE_ASYNC_WITH",
    BEFORE_WITH = "BEFORE_WITH",
    END_ASYNC_FOR = "END_ASYNC_FOR",
    CLEANUP_THROW = "CLEANUP_THROW",
    STORE_SUBSCR = "STORE_SUBSCR",
    DELETE_SUBSCR = "DELETE_SUBSCR",
    GET_ITER = "GET_ITER",
    GET_YIELD_FROM_ITER = "GET_YIELD_FROM_ITER",
    LOAD_BUILD_CLASS = "LOAD_BUILD_CLASS",
    LOAD_ASSERTION_ERROR = "LOAD_ASSERTION_ERROR",
    RETURN_VALUE = "RETURN_VALUE",
    SETUP_ANNOTATIONS = "SETUP_ANNOTATIONS",
    LOAD_LOCALS = "LOAD_LOCALS",
    POP_EXCEPT = "POP_EXCEPT",
    STORE_NAME = "STORE_NAME",
    DELETE_NAME = "DELETE_NAME",
    UNPACK_SEQUENCE = "UNPACK_SEQUENCE",
    FOR_ITER = "FOR_ITER",
    UNPACK_EX = "UNPACK_EX",
    STORE_ATTR = "STORE_ATTR",
    DELETE_ATTR = "DELETE_ATTR",
    STORE_GLOBAL = "STORE_GLOBAL",
    DELETE_GLOBAL = "DELETE_GLOBAL",
    SWAP = "SWAP",
    LOAD_CONST = "LOAD_CONST",
    LOAD_NAME = "LOAD_NAME",
    BUILD_TUPLE = "BUILD_TUPLE",
    CALL_FUNCTION_EX = "CALL_FUNCTION_EX",
    BUILD_LIST = "BUILD_LIST",
    BUILD_SET = "BUILD_SET",
    BUILD_MAP = "BUILD_MAP",
    LOAD_ATTR = "LOAD_ATTR",
    COMPARE_OP = "COMPARE_OP",
    IMPORT_NAME = "IMPORT_NAME",
    IMPORT_FROM = "IMPORT_FROM",
    POP_JUMP_IF_FALSE = "POP_JUMP_IF_FALSE",
    POP_JUMP_IF_TRUE = "POP_JUMP_IF_TRUE",
    LOAD_GLOBAL = "LOAD_GLOBAL",
    IS_OP = "IS_OP",
    CONTAINS_OP = "CONTAINS_OP",
    RERAISE = "RERAISE",
    COPY = "COPY",
    BINARY_OP = "BINARY_OP",
    SEND = "SEND",
    LOAD_FAST = "LOAD_FAST",
    STORE_FAST = "STORE_FAST",
    DELETE_FAST = "DELETE_FAST",
    POP_JUMP_IF_NOT_NONE = "POP_JUMP_IF_NOT_NONE",
    POP_JUMP_IF_NONE = "POP_JUMP_IF_NONE",
    RAISE_VARARGS = "RAISE_VARARGS",
    GET_AWAITABLE = "GET_AWAITABLE",
    MAKE_FUNCTION = "MAKE_FUNCTION",
    BUILD_SLICE = "BUILD_SLICE",
    MAKE_CELL = "MAKE_CELL",
    LOAD_CLOSURE = "LOAD_CLOSURE",
    LOAD_DEREF = "LOAD_DEREF",
    STORE_DEREF = "STORE_DEREF",
    DELETE_DEREF = "DELETE_DEREF",
    LIST_APPEND = "LIST_APPEND",
    SET_ADD = "SET_ADD",
    MAP_ADD = "MAP_ADD",
    YIELD_VALUE = "YIELD_VALUE",
    RESUME = "RESUME",
    MATCH_CLASS = "MATCH_CLASS",
    FORMAT_VALUE = "FORMAT_VALUE",
    BUILD_CONST_KEY_MAP = "BUILD_CONST_KEY_MAP",
    BUILD_STRING = "BUILD_STRING",
    LIST_EXTEND = "LIST_EXTEND",
    SET_UPDATE = "SET_UPDATE",
    DICT_MERGE = "DICT_MERGE",
    DICT_UPDATE = "DICT_UPDATE",
    CALL = "CALL",
    KW_NAMES = "KW_NAMES",
    CALL_INTRINSIC_1 = "CALL_INTRINSIC_1",
    CALL_INTRINSIC_2 = "CALL_INTRINSIC_2",
    LOAD_FAST_AND_CLEAR = "LOAD_FAST_AND_CLEAR",
    LOAD_FROM_DICT_OR_GLOBALS = "LOAD_FROM_DICT_OR_GLOBALS",
    LOAD_FROM_DICT_OR_DEREF = "LOAD_FROM_DICT_OR_DEREF",
    LOAD_SUPER_ATTR = "LOAD_SUPER_ATTR",
    SETUP_FINALLY = "SETUP_FINALLY",
    SETUP_CLEANUP = "SETUP_CLEANUP",
    SETUP_WITH = "SETUP_WITH",
    POP_BLOCK = "POP_BLOCK",
    JUMP = "JUMP",
    JUMP_NO_INTERRUPT = "JUMP_NO_INTERRUPT",
    LOAD_METHOD = "LOAD_METHOD",
    LOAD_SUPER_METHOD = "LOAD_SUPER_METHOD",
    LOAD_ZERO_SUPER_METHOD = "LOAD_ZERO_SUPER_METHOD",
    LOAD_ZERO_SUPER_ATTR = "LOAD_ZERO_SUPER_ATTR",
    STORE_FAST_MAYBE_NULL = "STORE_FAST_MAYBE_NULL",
    TO_BOOL = "TO_BOOL",
    CALL_KW = "CALL_KW",
    FORMAT_SIMPLE = "FORMAT_SIMPLE",
    FORMAT_WITH_SPEC = "FORMAT_WITH_SPEC",
    CONVERT_VALUE = "CONVERT_VALUE",
    SET_FUNCTION_ATTRIBUTE = "SET_FUNCTION_ATTRIBUTE",
    POP_ITER = "POP_ITER",
    PRECALL = "PRECALL",
    PRINT_EXPR = "PRINT_EXPR",
    IMPORT_STAR = "IMPORT_STAR",
    LIST_TO_TUPLE = "LIST_TO_TUPLE",
    ASYNC_GEN_WRAP = "ASYNC_GEN_WRAP",
    PREP_RERAISE_STAR = "PREP_RERAISE_STAR",
    LOAD_CLASSDEREF = "LOAD_CLASSDEREF",
    UNARY_POSITIVE = "UNARY_POSITIVE",
    JUMP_IF_FALSE_OR_POP = "JUMP_IF_FALSE_OR_POP",
    JUMP_IF_TRUE_OR_POP = "JUMP_IF_TRUE_OR_POP",
    LOAD_SPECIAL = "LOAD_SPECIAL",
    NOT_TAKEN = "NOT_TAKEN",
    JUMP_IF_FALSE = "JUMP_IF_FALSE",
    JUMP_IF_TRUE = "JUMP_IF_TRUE",
    LOAD_COMMON_CONSTANT = "LOAD_COMMON_CONSTANT",
    BUILD_TEMPLATE = "BUILD_TEMPLATE",
    BUILD_INTERPOLATION = "BUILD_INTERPOLATION",
}

impl Ops {
    /// The table of `release`, resolved by name once per process and then shared (codegen
    /// copies the reference, never the table).
    pub fn new(release: Release) -> &'static Ops {
        static CACHE: [std::sync::OnceLock<Ops>; Release::ALL.len()] = [const { std::sync::OnceLock::new() }; Release::ALL.len()];
        static UNKNOWN: std::sync::OnceLock<Ops> = std::sync::OnceLock::new();
        match Release::ALL.iter().position(|&r| r == release).and_then(|i| CACHE.get(i)) {
            Some(cell) => cell.get_or_init(|| Ops::resolve(release)),
            // Unreachable (ALL lists every release); resolved once all the same.
            None => UNKNOWN.get_or_init(|| Ops::resolve(release)),
        }
    }

    /// The name of the opcode `op` stands for when the release lacks it (`op` is a sentinel),
    /// else `None`.
    pub fn absent_name(op: u16) -> Option<&'static str> {
        op.checked_sub(ABSENT_BASE).and_then(|i| NAMES.get(usize::from(i)).copied())
    }
}
