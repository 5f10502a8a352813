//! Per-release opcode tables: the data `Lib/opcode.py`, `Lib/_opcode_metadata.py`,
//! `_opcode` and `Lib/dis.py` of one CPython release expose, as static data.
//!
//! Every [`OpcodeTable`] value is rendered by `tools/gen_opcodes.py` from a JSON
//! dump measured with that release's own interpreter; nothing here is typed by hand.
//!
//! Opcode numbers are `u16`: real opcodes are `0..=255`; 3.12+ pseudo opcodes
//! (`JUMP`, `SETUP_FINALLY`, …) are `256..`. Lookups never panic: an unknown
//! number gives `None`/`false`/`0`.

use core::fmt;

/// Membership bits of one opcode in the `opcode.has*` lists (plus a few facts
/// `dis` derives). Bit-set newtype so the per-opcode table is a compact array.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct OpFlags(pub u16);

impl OpFlags {
    /// `opcode.hasarg` (3.12+). In 3.11 use `op >= HAVE_ARGUMENT`.
    pub const HAS_ARG: OpFlags = OpFlags(1 << 0);
    /// `opcode.hasconst`.
    pub const HAS_CONST: OpFlags = OpFlags(1 << 1);
    /// `opcode.hasname`.
    pub const HAS_NAME: OpFlags = OpFlags(1 << 2);
    /// `opcode.hasjrel`.
    pub const HAS_JREL: OpFlags = OpFlags(1 << 3);
    /// `opcode.hasjabs`.
    pub const HAS_JABS: OpFlags = OpFlags(1 << 4);
    /// `opcode.hasjump` (3.13+).
    pub const HAS_JUMP: OpFlags = OpFlags(1 << 5);
    /// `opcode.haslocal`.
    pub const HAS_LOCAL: OpFlags = OpFlags(1 << 6);
    /// `opcode.hasfree`.
    pub const HAS_FREE: OpFlags = OpFlags(1 << 7);
    /// `opcode.hascompare`.
    pub const HAS_COMPARE: OpFlags = OpFlags(1 << 8);
    /// `opcode.hasexc` (3.12+).
    pub const HAS_EXC: OpFlags = OpFlags(1 << 9);
    /// `opcode.hasnargs` (3.11 only; empty there).
    pub const HAS_NARGS: OpFlags = OpFlags(1 << 10);
    /// `dis._is_backward_jump(op)` is true: the oparg counts backwards.
    pub const BACKWARD_JUMP: OpFlags = OpFlags(1 << 11);
    /// The number is a value of `opcode.opmap` (real, instrumented or pseudo).
    pub const DEFINED: OpFlags = OpFlags(1 << 12);
    /// A specialized (adaptive) instruction: in `_specialized_opmap` (3.13+) or
    /// given a slot by `dis` from `_specialized_instructions` (3.11/3.12).
    pub const SPECIALIZED: OpFlags = OpFlags(1 << 13);

    /// No bit set.
    pub const fn empty() -> OpFlags {
        OpFlags(0)
    }
    /// Whether every bit of `other` is set in `self`.
    pub const fn contains(self, other: OpFlags) -> bool {
        self.0 & other.0 == other.0
    }
    /// Whether any bit of `other` is set in `self`.
    pub const fn intersects(self, other: OpFlags) -> bool {
        self.0 & other.0 != 0
    }
}

impl core::ops::BitOr for OpFlags {
    type Output = OpFlags;
    fn bitor(self, rhs: OpFlags) -> OpFlags {
        OpFlags(self.0 | rhs.0)
    }
}

impl fmt::Debug for OpFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const NAMES: [(OpFlags, &str); 14] = [
            (OpFlags::HAS_ARG, "HAS_ARG"),
            (OpFlags::HAS_CONST, "HAS_CONST"),
            (OpFlags::HAS_NAME, "HAS_NAME"),
            (OpFlags::HAS_JREL, "HAS_JREL"),
            (OpFlags::HAS_JABS, "HAS_JABS"),
            (OpFlags::HAS_JUMP, "HAS_JUMP"),
            (OpFlags::HAS_LOCAL, "HAS_LOCAL"),
            (OpFlags::HAS_FREE, "HAS_FREE"),
            (OpFlags::HAS_COMPARE, "HAS_COMPARE"),
            (OpFlags::HAS_EXC, "HAS_EXC"),
            (OpFlags::HAS_NARGS, "HAS_NARGS"),
            (OpFlags::BACKWARD_JUMP, "BACKWARD_JUMP"),
            (OpFlags::DEFINED, "DEFINED"),
            (OpFlags::SPECIALIZED, "SPECIALIZED"),
        ];
        let mut first = true;
        f.write_str("OpFlags(")?;
        for (flag, name) in NAMES {
            if self.contains(flag) {
                if !first {
                    f.write_str(" | ")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        f.write_str(")")
    }
}

/// Net stack effect of one opcode as a function of its oparg, mirroring
/// `PyCompile_OpcodeStackEffectWithJump` (what `dis.stack_effect` returns).
///
/// The generator fits one of these shapes to `dis.stack_effect` sampled over
/// many opargs and refuses to render if none fits exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StackEffect {
    /// `dis.stack_effect` raises `ValueError` (e.g. specialized or instrumented ops).
    Invalid,
    /// Independent of the oparg.
    Const(i32),
    /// `base + mul * oparg` (e.g. `BUILD_TUPLE`: `1 - oparg`).
    Linear { base: i32, mul: i32 },
    /// `base + (add if oparg & mask else 0)` (e.g. `LOAD_GLOBAL`, `FORMAT_VALUE`).
    Bit { base: i32, mask: u32, add: i32 },
    /// `base + mul * popcount(oparg & mask)` (3.11/3.12 `MAKE_FUNCTION`).
    PopCount { base: i32, mask: u32, mul: i32 },
    /// `base + mul_lo * (oparg & 0xff) + mul_hi * (oparg >> 8)` (`UNPACK_EX`).
    Bytes { base: i32, mul_lo: i32, mul_hi: i32 },
    /// `base + (add if oparg == value else 0)` (`BUILD_SLICE`).
    IfEq { base: i32, value: u32, add: i32 },
}

impl StackEffect {
    /// The effect for `oparg` (`None` where CPython raises). Uses wide
    /// arithmetic so no oparg can overflow.
    pub fn eval(self, oparg: u32) -> Option<i64> {
        let a = i64::from(oparg);
        Some(match self {
            StackEffect::Invalid => return None,
            StackEffect::Const(c) => i64::from(c),
            StackEffect::Linear { base, mul } => i64::from(base) + i64::from(mul) * a,
            StackEffect::Bit { base, mask, add } => i64::from(base) + if oparg & mask != 0 { i64::from(add) } else { 0 },
            StackEffect::PopCount { base, mask, mul } => i64::from(base) + i64::from(mul) * i64::from((oparg & mask).count_ones()),
            StackEffect::Bytes { base, mul_lo, mul_hi } => i64::from(base) + i64::from(mul_lo) * (a & 0xff) + i64::from(mul_hi) * (a >> 8),
            StackEffect::IfEq { base, value, add } => i64::from(base) + if oparg == value { i64::from(add) } else { 0 },
        })
    }
}

/// A 3.12+ pseudo instruction (`opcode.opmap` value >= 256) and, where the
/// release lists them (`opcode._pseudo_ops`, 3.12 only), the real
/// instructions it may become.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PseudoOp {
    pub name: &'static str,
    pub opcode: u16,
    pub targets: &'static [&'static str],
}

/// Everything the `dis` module and the compiler of one release need to know
/// about its instruction set. Fields are public static data; the methods are
/// the never-panicking lookups most callers want.
///
/// Field names follow CPython (`opcode.py` / `dis.py`) with the leading
/// underscore dropped.
#[derive(Debug)]
pub struct OpcodeTable {
    /// `sys.version_info[:3]` of the release measured.
    pub version: (u8, u8, u8),
    /// `opcode.HAVE_ARGUMENT`.
    pub have_argument: u8,
    /// `opcode.EXTENDED_ARG`.
    pub extended_arg: u8,
    /// `opcode.opmap['CACHE']`.
    pub cache: u8,
    /// `opcode.MIN_INSTRUMENTED_OPCODE` (3.12+).
    pub min_instrumented_opcode: Option<u8>,
    /// `opcode.MIN_PSEUDO_OPCODE` (3.12), or the smallest pseudo opmap value (3.13+).
    pub min_pseudo_opcode: Option<u16>,
    /// `opcode.MAX_PSEUDO_OPCODE` (3.12), or the largest pseudo opmap value (3.13+).
    pub max_pseudo_opcode: Option<u16>,
    /// `opcode.ENABLE_SPECIALIZATION` / `_opcode.ENABLE_SPECIALIZATION` where defined.
    pub enable_specialization: Option<bool>,
    /// `_inline_cache_entries` is keyed by opname (3.13+) rather than a list by opcode.
    pub inline_cache_entries_by_name: bool,
    /// Which `has*` lists exist in this release (bits of [`OpFlags`]).
    pub lists_present: OpFlags,
    /// `opcode.opname[:256]`, with `<N>` for unused numbers exactly as the release writes them.
    pub opname: &'static [&'static str; 256],
    /// `dis._all_opname[:256]`: `opname` with specialized instruction names filled in.
    pub all_opname: &'static [&'static str; 256],
    /// `opcode.opmap` (incl. pseudo ops), sorted by name.
    pub opmap: &'static [(&'static str, u16)],
    /// `dis._all_opmap` (opmap plus specialized instructions), sorted by name.
    pub all_opmap: &'static [(&'static str, u16)],
    /// Per-opcode membership bits, indexed by opcode number (real and pseudo).
    pub flags: &'static [OpFlags],
    /// `dis._deoptop(op)` for every byte value.
    pub deopt: &'static [u8; 256],
    /// Inline `CACHE` code units after each opcode, as `dis` looks them up
    /// (`_inline_cache_entries[op]` in 3.11/3.12, `_inline_cache_entries.get(opname[op], 0)`
    /// in 3.13+). Apply to the deoptimized opcode, as `dis` does.
    pub inline_cache_entries: &'static [u8; 256],
    /// Pseudo instructions, sorted by number.
    pub pseudo_ops: &'static [PseudoOp],
    /// `opcode._cache_format`: per base opname, the cache fields `(name, size)` in order.
    pub cache_format: &'static [(&'static str, &'static [(&'static str, u8)])],
    /// `opcode._specializations`: family name → specialized names, sorted by family.
    pub specializations: &'static [(&'static str, &'static [&'static str])],
    /// `dis.deoptmap`: specialized name → base name, sorted by specialized name.
    pub deoptmap: &'static [(&'static str, &'static str)],
    /// `opcode.cmp_op`.
    pub cmp_op: &'static [&'static str],
    /// `opcode._nb_ops`: `(NB_name, argrepr)` indexed by `BINARY_OP` oparg.
    pub nb_ops: &'static [(&'static str, &'static str)],
    /// `opcode._intrinsic_1_descs` (3.12+).
    pub intrinsic_1_descs: Option<&'static [&'static str]>,
    /// `opcode._intrinsic_2_descs` (3.12+).
    pub intrinsic_2_descs: Option<&'static [&'static str]>,
    /// `opcode._special_method_names` (3.14+, `LOAD_SPECIAL` argrepr).
    pub special_method_names: Option<&'static [&'static str]>,
    /// `opcode._common_constants` as the argrepr `dis` prints for
    /// `LOAD_COMMON_CONSTANT` (`__name__` for types, else `repr`) (3.14+).
    pub common_constants: Option<&'static [&'static str]>,
    /// `dis.MAKE_FUNCTION_FLAGS` (3.11/3.12).
    pub make_function_flags: Option<&'static [&'static str]>,
    /// `dis.FUNCTION_ATTR_FLAGS` (3.13+, `SET_FUNCTION_ATTRIBUTE` argrepr).
    pub function_attr_flags: Option<&'static [&'static str]>,
    /// The argrepr half of `dis.FORMAT_VALUE_CONVERTERS` (3.11/3.12).
    pub format_value_converters: Option<&'static [&'static str]>,
    /// `dis.COMPILER_FLAG_NAMES`, sorted by flag.
    pub compiler_flag_names: &'static [(u32, &'static str)],
    /// `dis._OPNAME_WIDTH`.
    pub opname_width: u8,
    /// `dis._OPARG_WIDTH`.
    pub oparg_width: u8,
    /// `[without jump, with jump]` stack effect per opcode number; `None` for numbers not in `opmap`.
    pub stack_effects: &'static [Option<[StackEffect; 2]>],
}

impl OpcodeTable {
    /// `opcode.opname[op]` for real opcodes, the pseudo name for pseudo opcodes.
    /// `None` beyond both ranges (unlike CPython, which would raise).
    pub fn opname(&self, op: u16) -> Option<&'static str> {
        match u8::try_from(op) {
            Ok(b) => Some(self.opname[usize::from(b)]),
            Err(_) => self.pseudo_ops.iter().find(|p| p.opcode == op).map(|p| p.name),
        }
    }

    /// `dis._all_opname[op]`: like [`Self::opname`] but specialized opcodes have names.
    pub fn all_opname(&self, op: u16) -> Option<&'static str> {
        match u8::try_from(op) {
            Ok(b) => Some(self.all_opname[usize::from(b)]),
            Err(_) => self.opname(op),
        }
    }

    /// `opcode.opmap[name]` (real, instrumented and pseudo instructions).
    pub fn opmap(&self, name: &str) -> Option<u16> {
        lookup(self.opmap, name)
    }

    /// `dis._all_opmap[name]` (also specialized instructions).
    pub fn all_opmap(&self, name: &str) -> Option<u16> {
        lookup(self.all_opmap, name)
    }

    /// The membership bits of `op` (empty for unknown numbers).
    pub fn flags(&self, op: u16) -> OpFlags {
        self.flags.get(usize::from(op)).copied().unwrap_or_default()
    }

    /// Whether `op` is in every list named by `flag` (e.g. `OpFlags::HAS_CONST`).
    pub fn has(&self, op: u16, flag: OpFlags) -> bool {
        self.flags(op).contains(flag)
    }

    /// The `opcode.has*` list for `flag` in ascending order, `None` if this
    /// release does not define that list (e.g. `hasjump` before 3.13).
    pub fn list(&self, flag: OpFlags) -> Option<impl Iterator<Item = u16> + '_> {
        if !self.lists_present.contains(flag) || flag.0.count_ones() != 1 {
            return None;
        }
        Some(self.flags.iter().enumerate().filter(move |(_, f)| f.contains(flag)).filter_map(|(i, _)| u16::try_from(i).ok()))
    }

    /// Whether the instruction takes an oparg: `op in hasarg` (3.12+) or
    /// `op >= HAVE_ARGUMENT` (3.11, where `hasarg` does not exist).
    pub fn has_arg(&self, op: u16) -> bool {
        if self.lists_present.contains(OpFlags::HAS_ARG) {
            self.has(op, OpFlags::HAS_ARG)
        } else {
            op >= u16::from(self.have_argument) && op < 256
        }
    }

    /// Whether `op` is a pseudo instruction of this release (`opcode.is_pseudo` in 3.12).
    pub fn is_pseudo(&self, op: u16) -> bool {
        op >= 256 && self.pseudo_ops.iter().any(|p| p.opcode == op)
    }

    /// `dis._deoptop(op)` for a byte value.
    pub fn deopt(&self, op: u8) -> u8 {
        self.deopt[usize::from(op)]
    }

    /// `dis._is_backward_jump(op)`.
    pub fn is_backward_jump(&self, op: u16) -> bool {
        self.has(op, OpFlags::BACKWARD_JUMP)
    }

    /// Inline cache code units after `op` as stored in the table (callers
    /// deoptimize first, as `dis` does).
    pub fn inline_cache_entries(&self, op: u8) -> u8 {
        self.inline_cache_entries[usize::from(op)]
    }

    /// Cache code units that follow `op` in the bytecode: the entry of its
    /// deoptimized opcode, as `dis` computes it (`_inline_cache_entries[deop]`
    /// in 3.11/3.12, `_get_cache_size(_all_opname[deop])` in 3.13+).
    pub fn cache_size(&self, op: u8) -> u8 {
        self.inline_cache_entries(self.deopt(op))
    }

    /// `_cache_format[name]`: the cache fields `(name, size)` in order, if any.
    pub fn cache_format(&self, opname: &str) -> Option<&'static [(&'static str, u8)]> {
        self.cache_format.iter().find(|(n, _)| *n == opname).map(|(_, f)| *f)
    }

    /// `_specializations[family]`.
    pub fn specializations(&self, family: &str) -> Option<&'static [&'static str]> {
        self.specializations.iter().find(|(n, _)| *n == family).map(|(_, f)| *f)
    }

    /// `dis.deoptmap[name]`: the base instruction of a specialized one.
    pub fn deopt_name(&self, specialized: &str) -> Option<&'static str> {
        self.deoptmap.binary_search_by(|(k, _)| (*k).cmp(specialized)).ok().and_then(|i| self.deoptmap.get(i)).map(|(_, v)| *v)
    }

    /// The stack effect formulas of `op`: `[without jump, with jump]`.
    pub fn stack_effect_formula(&self, op: u16) -> Option<[StackEffect; 2]> {
        self.stack_effects.get(usize::from(op)).copied().flatten()
    }

    /// `dis.stack_effect(op, oparg, jump=jump)`; `jump = None` is the maximum
    /// of both, as CPython does. `None` where CPython raises `ValueError`.
    pub fn stack_effect(&self, op: u16, oparg: u32, jump: Option<bool>) -> Option<i64> {
        let [nojump, jumped] = self.stack_effect_formula(op)?;
        match jump {
            Some(false) => nojump.eval(oparg),
            Some(true) => jumped.eval(oparg),
            None => Some(nojump.eval(oparg)?.max(jumped.eval(oparg)?)),
        }
    }

    /// `_nb_ops[oparg][1]`, the `BINARY_OP` argrepr.
    pub fn nb_op_repr(&self, oparg: u32) -> Option<&'static str> {
        self.nb_ops.get(usize::try_from(oparg).ok()?).map(|(_, r)| *r)
    }

    /// `cmp_op[i]`.
    pub fn cmp_op(&self, i: u32) -> Option<&'static str> {
        self.cmp_op.get(usize::try_from(i).ok()?).copied()
    }
}

fn lookup(map: &[(&'static str, u16)], name: &str) -> Option<u16> {
    map.binary_search_by(|(k, _)| (*k).cmp(name)).ok().and_then(|i| map.get(i)).map(|(_, v)| *v)
}
