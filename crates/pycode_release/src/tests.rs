//! Unit tests: release parsing, magic numbers, generated-file freshness and
//! spot checks of values measured from the interpreters.

use crate::{OpFlags, Release, StackEffect};

fn fnv1a64(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in data {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[test]
fn every_release_parses_and_displays() {
    for r in Release::ALL {
        let text = r.to_string();
        assert_eq!(Release::parse(&text), Ok(r), "{text}");
        assert_eq!(text.parse::<Release>(), Ok(r));
    }
    assert_eq!(Release::ALL.len(), 8);
    assert_eq!(Release::V3_15_0rc1.to_string(), "3.15.0rc1");
    assert_eq!(Release::V3_11_2.to_string(), "3.11.2");
    assert!(Release::ALL.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn minor_means_newest_patch() {
    assert_eq!(Release::parse("3.11"), Ok(Release::V3_11_7));
    assert_eq!(Release::parse("3.12"), Ok(Release::V3_12_7));
    assert_eq!(Release::parse("3.13"), Ok(Release::V3_13_2));
    assert_eq!(Release::parse("3.14"), Ok(Release::V3_14_2));
    assert_eq!(Release::parse("3.15"), Ok(Release::V3_15_0rc1));
    assert_eq!(Release::parse("3.11.2"), Ok(Release::V3_11_2));
    assert_eq!(Release::LATEST, Release::V3_14_2);
}

#[test]
fn unknown_releases_are_typed_errors() {
    for bad in [
        "",
        "3",
        "3.10",
        "3.12.2",
        "3.12.7.1",
        "3.12.",
        ".12",
        "3.12.07x",
        "+3.12",
        " 3.12",
        "3.1x",
        "300000.12",
        "3.12.-1",
        "2.7",
        "3.16",
        "3.15.0",
        "3.15.0rc2",
        "3.15.0rc",
        "3.14.2rc1",
    ] {
        let err = Release::parse(bad).expect_err(bad);
        assert_eq!(err.requested, bad);
        let msg = err.to_string();
        for r in Release::ALL {
            assert!(msg.contains(&r.to_string()), "{msg}");
        }
    }
}

#[test]
fn from_magic_maps_to_newest_patch_of_same_minor() {
    for r in Release::ALL {
        let newest = Release::newest_of_minor(r.minor()).expect("minor known");
        assert_eq!(Release::from_magic(r.magic()), Some(newest), "{r}");
        assert_eq!(Release::from_magic_bytes(r.magic_bytes()), Some(newest), "{r}");
        let b = r.magic_bytes();
        assert_eq!(u16::from_le_bytes([b[0], b[1]]), r.magic());
        assert_eq!(&b[2..], b"\r\n");
    }
    assert_eq!(Release::V3_11_2.same_magic().collect::<Vec<_>>(), [Release::V3_11_2, Release::V3_11_7]);
    assert_eq!(Release::V3_15_0rc1.same_magic().collect::<Vec<_>>(), [Release::V3_15_0rc1]);
    assert_eq!(Release::V3_11_7.magic_family().to_string(), "3.11.2 or 3.11.7");
    assert_eq!(Release::V3_13_0.magic_family().to_string(), "3.13.0 or 3.13.2");
    assert_eq!(Release::V3_15_0rc1.magic_family().to_string(), "3.15.0rc1");
    assert_eq!(Release::from_magic(0), None);
    assert_eq!(Release::from_magic_bytes([0xa7, 0x0d, 0x0d, 0x0b]), None);
}

/// Values read off the interpreters by hand (`importlib.util.MAGIC_NUMBER`,
/// `marshal.version`, `sys.implementation.cache_tag`, `opcode.*`).
#[test]
fn spot_checks_measured_from_interpreters() {
    let m = |r: Release| (r.magic(), r.marshal_version(), r.cache_tag());
    assert_eq!(m(Release::V3_11_2), (3495, 4, "cpython-311"));
    assert_eq!(m(Release::V3_11_7), (3495, 4, "cpython-311"));
    assert_eq!(m(Release::V3_12_1), (3531, 4, "cpython-312"));
    assert_eq!(m(Release::V3_12_7), (3531, 4, "cpython-312"));
    assert_eq!(m(Release::V3_13_0), (3571, 4, "cpython-313"));
    assert_eq!(m(Release::V3_13_2), (3571, 4, "cpython-313"));
    assert_eq!(m(Release::V3_14_2), (3627, 5, "cpython-314"));
    assert_eq!(m(Release::V3_15_0rc1), (3666, 6, "cpython-315"));

    let t = Release::V3_11_7.opcodes();
    assert_eq!((t.have_argument, t.extended_arg, t.cache), (90, 144, 0));
    assert_eq!(t.opmap("LOAD_CONST"), Some(100));
    assert_eq!(t.opname(100), Some("LOAD_CONST"));
    assert_eq!(t.opname(1), Some("POP_TOP"));
    assert!(t.has_arg(100) && !t.has_arg(1));
    assert!(t.is_backward_jump(t.opmap("JUMP_BACKWARD").unwrap_or(0)));
    assert!(t.list(OpFlags::HAS_JUMP).is_none());
    assert_eq!(t.format_value_converters, Some(&["", "str", "repr", "ascii"][..]));

    let t = Release::V3_12_7.opcodes();
    assert!(t.is_pseudo(t.opmap("SETUP_FINALLY").unwrap_or(0)));
    assert!(!t.is_pseudo(t.opmap("NOP").unwrap_or(256)));
    assert_eq!(t.cache_size(t.opmap("LOAD_GLOBAL").unwrap_or(0) as u8), 4);
    assert_eq!(t.stack_effect(t.opmap("BUILD_TUPLE").unwrap_or(0), 3, None), Some(-2));

    let t = Release::V3_14_2.opcodes();
    assert_eq!(t.opmap("CACHE"), Some(0));
    assert_eq!(t.cache_format("LOAD_ATTR").map(|f| f.len()), Some(4));
    assert_eq!(t.common_constants.map(|c| c[0]), Some("AssertionError"));
    assert!(t.list(OpFlags::HAS_JUMP).is_some());

    let t = Release::V3_15_0rc1.opcodes();
    assert_eq!((t.have_argument, t.extended_arg), (41, 67));
    assert_eq!(t.opmap("GET_YIELD_FROM_ITER"), None);
    assert!(t.opmap("TRACE_RECORD").is_some());
    assert_eq!(t.common_constants.map(|c| c.len()), Some(12));
}

#[test]
fn generated_files_match_committed_json() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tools/opcode_data");
    assert_eq!(crate::generated::SOURCES.len(), Release::ALL.len());
    for (rel, hash) in crate::generated::SOURCES {
        let path = format!("{dir}/{rel}.json");
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(fnv1a64(&bytes), *hash, "{path} changed since src/generated was rendered: run python3 tools/gen_opcodes.py --from-json");
    }
}

#[test]
fn lookups_never_panic_on_any_number() {
    for r in Release::ALL {
        let t = r.opcodes();
        for op in 0..=u16::MAX {
            let _ = (t.opname(op), t.all_opname(op), t.flags(op), t.stack_effect(op, 0, None));
            let _ = t.stack_effect(op, u32::MAX, Some(true));
        }
        for op in 0..=u8::MAX {
            let _ = (t.deopt(op), t.inline_cache_entries(op));
        }
        assert_eq!(t.nb_op_repr(u32::MAX), None);
        assert!(StackEffect::Linear { base: i32::MIN, mul: i32::MIN }.eval(u32::MAX).is_some());
    }
}
