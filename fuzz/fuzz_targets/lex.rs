//! `pycode_lexer` on any bytes, every release and configuration: ends within a bounded number
//! of tokens, tokens inside the source, lines never going back (pycode_fuzzkit::check_lex).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = pycode_fuzzkit::check_lex(data);
});
