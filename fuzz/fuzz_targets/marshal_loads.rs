//! `loads` for versions 4 and 5 never panics; whatever it accepts, `dumps` writes, and writing
//! what that reads back gives the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pycode_marshal::{dumps, loads};

fuzz_target!(|data: &[u8]| {
    for version in [4u8, 5] {
        if let Ok((g, root)) = loads(data, version) {
            let d1 = dumps(&g, root, version).expect("a graph the reader built must be writable");
            let (g2, r2) = loads(&d1, version).expect("the writer's output must be readable");
            let d2 = dumps(&g2, r2, version).expect("second write");
            assert_eq!(d1, d2, "dumps(loads(dumps(x))) != dumps(x)");
        }
    }
});
