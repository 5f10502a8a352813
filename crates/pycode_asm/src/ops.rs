//! What an opcode's oparg means in a release, for symbolic operands.

use pycode_release::{OpFlags, OpcodeTable, Release};

/// The meaning of an oparg.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgKind {
    /// The instruction takes no argument (its oparg byte is written as given, normally 0).
    None,
    /// A plain number.
    Plain,
    /// A jump: forward (relative), backward (relative) or absolute.
    Jump,
    /// An index into `co_consts`.
    Const,
    /// An index into `co_names`, shifted left by `shift` bits (the low bits are flags).
    Name {
        shift: u32,
    },
    /// An index into `co_localsplusnames` (locals, cells and free variables).
    Local,
    /// Two 4-bit indices into `co_localsplusnames` (3.13+ superinstructions).
    LocalPair,
    /// A comparison operator (`cmp_op` index) shifted left by `shift` bits.
    Compare {
        shift: u32,
    },
    /// `CALL_INTRINSIC_1` / `CALL_INTRINSIC_2` function index.
    Intrinsic1,
    Intrinsic2,
}

/// The kind of `op`'s argument in `release`.
pub fn arg_kind(release: Release, op: u8) -> ArgKind {
    let t = release.opcodes();
    let op16 = u16::from(op);
    let name = t.opname(op16).unwrap_or("");
    if !t.has_arg(op16) {
        return ArgKind::None;
    }
    let minor = release.minor();
    if t.has(op16, OpFlags::HAS_JREL) || t.has(op16, OpFlags::HAS_JABS) {
        return ArgKind::Jump;
    }
    if t.has(op16, OpFlags::HAS_CONST) {
        return ArgKind::Const;
    }
    if t.has(op16, OpFlags::HAS_NAME) {
        let shift = match name {
            "LOAD_GLOBAL" => 1,
            "LOAD_ATTR" if minor >= (3, 12) => 1,
            "LOAD_SUPER_ATTR" => 2,
            "IMPORT_NAME" if minor >= (3, 15) => 2,
            _ => 0,
        };
        return ArgKind::Name { shift };
    }
    if name.matches("FAST").count() == 2 {
        return ArgKind::LocalPair;
    }
    if t.has(op16, OpFlags::HAS_LOCAL) || t.has(op16, OpFlags::HAS_FREE) {
        return ArgKind::Local;
    }
    if t.has(op16, OpFlags::HAS_COMPARE) {
        let shift = match minor {
            (3, 11) => 0,
            (3, 12) => 4,
            _ => 5,
        };
        return ArgKind::Compare { shift };
    }
    if minor >= (3, 12) && name == "CALL_INTRINSIC_1" {
        return ArgKind::Intrinsic1;
    }
    if minor >= (3, 12) && name == "CALL_INTRINSIC_2" {
        return ArgKind::Intrinsic2;
    }
    ArgKind::Plain
}

/// Inline cache code units written after `op`.
pub fn caches(t: &OpcodeTable, op: u8) -> u32 {
    u32::from(t.inline_cache_entries(t.deopt(op)))
}

/// Whether a relative jump of `op` goes backward.
pub fn backward(t: &OpcodeTable, op: u8) -> bool {
    t.is_backward_jump(u16::from(op))
}

/// Whether `op` jumps relative to the next instruction (else absolute, in code units).
pub fn relative(t: &OpcodeTable, op: u8) -> bool {
    t.has(u16::from(op), OpFlags::HAS_JREL)
}

/// Whether the relative jump base includes the inline caches (3.12+; 3.11 has no jump with
/// caches, and `dis` 3.11 adds none).
pub fn jump_counts_caches(release: Release) -> bool {
    release.minor() >= (3, 12)
}

/// Code units of an instruction with this oparg (prefixes, the instruction, its caches).
pub fn size(t: &OpcodeTable, op: u8, arg: u32) -> u32 {
    let prefixes = match arg {
        0..=0xff => 0,
        0x100..=0xffff => 1,
        0x1_0000..=0xff_ffff => 2,
        _ => 3,
    };
    prefixes + 1 + caches(t, op)
}

/// `CO_FAST_*` kind names, in the order printed.
pub const FAST_KINDS: &[(u8, &str)] =
    &[(0x20, "LOCAL"), (0x40, "CELL"), (0x80, "FREE"), (0x10, "HIDDEN"), (0x02, "ARG_POS"), (0x04, "ARG_KW"), (0x08, "ARG_VAR")];
