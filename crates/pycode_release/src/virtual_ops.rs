//! The compiler's own instructions of a release whose `opcode.py` does not list them.
//!
//! 3.12+ expose their pseudo instructions (`JUMP`, `SETUP_FINALLY`, ...) in `opcode.opmap`, so
//! they are in the generated tables. 3.11's `Python/compile.c` has the same idea as private
//! negative numbers (`SETUP_FINALLY -1` ... `POP_JUMP_IF_NOT_NONE -10`): the stages use them
//! and the assembler turns them into real instructions (block pushes into the exception table,
//! `JUMP`/`POP_JUMP_IF_*` into their forward or backward forms). They are given numbers from
//! 256 up here, with their stack effects as 3.11's `stack_effect()` defines them.

use crate::{Minor, Release};

/// `(name, [effect without jump, effect with jump])`, numbered `256 + index`.
const V3_11: &[(&str, [i32; 2])] = &[
    ("SETUP_FINALLY", [0, 1]),
    ("SETUP_CLEANUP", [0, 2]),
    ("SETUP_WITH", [0, 1]),
    ("POP_BLOCK", [0, 0]),
    ("JUMP", [0, 0]),
    ("JUMP_NO_INTERRUPT", [0, 0]),
    ("POP_JUMP_IF_FALSE", [-1, -1]),
    ("POP_JUMP_IF_TRUE", [-1, -1]),
    ("POP_JUMP_IF_NONE", [-1, -1]),
    ("POP_JUMP_IF_NOT_NONE", [-1, -1]),
];

fn table(release: Release) -> &'static [(&'static str, [i32; 2])] {
    match release.line() {
        Minor::V3_11 => V3_11,
        Minor::V3_12 | Minor::V3_13 | Minor::V3_14 | Minor::V3_15 => &[],
    }
}

impl Release {
    /// The number of an instruction the compiler of this release uses: the release's
    /// `opcode.opmap` entry, else one of its compiler-private virtual instructions.
    pub fn compiler_opmap(self, name: &str) -> Option<u16> {
        self.opcodes().opmap(name).or_else(|| table(self).iter().position(|(n, _)| *n == name).and_then(|i| u16::try_from(256 + i).ok()))
    }

    /// Whether `op` is a compiler-private virtual instruction of this release (not in its
    /// `opcode.opmap`).
    pub fn is_virtual_op(self, op: u16) -> bool {
        op >= 256 && usize::from(op - 256) < table(self).len()
    }

    /// The name of a compiler-private virtual instruction.
    pub fn virtual_op_name(self, op: u16) -> Option<&'static str> {
        let i = usize::from(op.checked_sub(256)?);
        table(self).get(i).map(|(n, _)| *n)
    }

    /// The stack effect of a compiler-private virtual instruction.
    pub fn virtual_op_effect(self, op: u16, jump: bool) -> Option<i64> {
        let i = usize::from(op.checked_sub(256)?);
        table(self).get(i).map(|(_, e)| i64::from(if jump { e[1] } else { e[0] }))
    }
}
