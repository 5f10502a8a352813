//! `pycode_parser` for every release and mode, then `ast.dump`: never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = pycode_fuzzkit::check_parse(data);
});
