//! 3.12.1 shares 3.12.7's magic number, so its `.pyc` files cannot be told apart by header; this
//! checks `Rules::for_release(V3_12_1)` on a file the native 3.12.1 build wrote
//! (`tests/data/pyc-3.12.1/sample.py`, `py_compile` with `dfile='sample.py'`): `<module>` and the
//! other static names are plain strings, and of the 1-character strings only `*` is interned.

mod support;

use support::reshare::{self, Outcome};

use pycode_release::Release;

fn sample() -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/pyc-3.12.1/sample.312-1.pyc");
    std::fs::read(p).expect("fixture")
}

#[test]
fn native_3_12_1_pyc_rebuilds_byte_identically() {
    match reshare::check_pyc_as(&sample(), &[], Some(Release::V3_12_1)) {
        Ok((_, Outcome::Identical)) => {}
        Ok((_, Outcome::Differs(d))) => panic!("{d}"),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn rules_of_3_12_7_give_other_bytes() {
    match reshare::check_pyc_as(&sample(), &[], Some(Release::V3_12_7)) {
        Ok((_, Outcome::Differs(_))) => {}
        Ok((_, Outcome::Identical)) => panic!("3.12.7 rules reproduced 3.12.1's bytes"),
        Err(e) => panic!("{e}"),
    }
}
