//! `pycode_compile` for every release it implements (newest patch of each minor) at optimize 0/1/2, modes exec/eval/single, then marshal and dis: never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = pycode_fuzzkit::check_compile(data);
});
