//! A marshal body behind each release's `.pyc` header: whatever `read_pyc` accepts, `dis`,
//! `code_info` and the verifier finish without panicking (an error is fine).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pycode_marshal::{read_pyc, PycHeader, PycKind};
use pycode_release::Release;

fuzz_target!(|data: &[u8]| {
    for r in [Release::V3_11_7, Release::V3_12_7, Release::V3_13_2, Release::V3_14_2, Release::V3_15_0rc1] {
        let Ok(header) = PycHeader::new(r, PycKind::Timestamp { mtime: 0, source_size: 0 }).to_bytes() else {
            continue;
        };
        let mut file = header.to_vec();
        file.extend_from_slice(data);
        if let Ok(pyc) = read_pyc(&file) {
            let _ = pycode_dis::dis(&pyc.graph, pyc.root, r, &pycode_dis::DisOptions::default());
            let _ = pycode_dis::code_info_all(&pyc.graph, pyc.root, r, pycode_dis::SetOrder::default());
            let _ = pycode_verify::verify(&pyc.graph, pyc.root, r);
        }
    }
});
