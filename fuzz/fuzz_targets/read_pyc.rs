//! `read_pyc` never panics, and a file it accepts is written back identically when it came from
//! `write_pyc`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pycode_marshal::{read_pyc, write_pyc};

fuzz_target!(|data: &[u8]| {
    if let Ok(pyc) = read_pyc(data) {
        let out = write_pyc(&pyc.header, &pyc.graph, pyc.root).expect("writable");
        let again = read_pyc(&out).expect("readable");
        let out2 = write_pyc(&again.header, &again.graph, again.root).expect("writable");
        assert_eq!(out, out2);
    }
});
