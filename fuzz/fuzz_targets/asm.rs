//! The assembler text (`pycode asm`, docs/asm.md): whatever the input, parsing and assembling it
//! for its own `.release` and for each release finishes without panicking (an error is fine);
//! what assembles reads back, verifies and disassembles without panicking either.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pycode_release::Release;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let targets = [None, Some(Release::V3_11_7), Some(Release::V3_12_7), Some(Release::V3_13_2), Some(Release::V3_14_2), Some(Release::V3_15_0rc1)];
    for target in targets {
        let _ = pycode_asm::parse(&text, target);
        if let Ok(pyc) = pycode_asm::assemble(&text, target) {
            let _ = pycode_verify::verify_pyc(&pyc);
            let _ = pycode_asm::disassemble_pyc(&pyc, None);
        }
    }
});
