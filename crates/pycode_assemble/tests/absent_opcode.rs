//! An instruction the target release lacks is a typed error, never a written byte.

use pycode_assemble::{assemble_bytecode, AssembleError};
use pycode_flowgraph::{ExceptHandlerInfo, Ops, OutInstr};
use pycode_instr::Location;
use pycode_release::Release;

fn instr(opcode: u16) -> OutInstr {
    OutInstr {
        opcode,
        oparg: 0,
        loc: Location::NO_LOCATION,
        handler: ExceptHandlerInfo { label: -1, startdepth: -1, preserve_lasti: false },
    }
}

#[test]
fn absent_opcodes_are_errors() {
    let mut ran = 0;
    // KW_NAMES exists in 3.12 only; TO_BOOL from 3.13; a pseudo-op is never written.
    for (release, present, absent) in [
        (Release::V3_12_7, "KW_NAMES", "TO_BOOL"),
        (Release::V3_13_2, "TO_BOOL", "KW_NAMES"),
        (Release::V3_14_2, "TO_BOOL", "BINARY_SUBSCR"),
    ] {
        let ops = Ops::new(release);
        let t = release.opcodes();
        let ok = t.opmap(present).expect("present opcode");
        assert_eq!(assemble_bytecode(&ops, &[instr(ok)]).map(|b| b.first().copied()), Ok(Some(ok as u8)));
        assert!(t.opmap(absent).is_none(), "{absent} in {release}");
        // The flowgraph's stand-in for a missing name, and a pseudo-op number.
        let stand_in = if release.at_least(3, 13) { ops.KW_NAMES } else { 0xF000 };
        match assemble_bytecode(&ops, &[instr(stand_in)]) {
            Err(AssembleError::AbsentOpcode { release: r, .. }) => assert_eq!(r, release),
            other => panic!("{release}: {other:?}"),
        }
        let pseudo = t.opmap("JUMP").expect("pseudo JUMP");
        assert!(matches!(assemble_bytecode(&ops, &[instr(pseudo)]), Err(AssembleError::AbsentOpcode { .. })));
        ran += 1;
    }
    assert_eq!(ran, 3);
}
