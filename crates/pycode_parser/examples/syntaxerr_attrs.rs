//! The parser's errors on the invalid corpus, for tools/invalid/measure.py (`--check`): one
//! line per file named on stdin, `null` when it parses, else the JSON array
//! `[class, lineno, offset, end_lineno, end_offset, msg]` of the error.
//!
//! usage: syntaxerr_attrs 3.11|3.12|3.13|3.14|3.15|RELEASE (3.11.2, ...) < list

use std::io::{BufRead, Write};

use pycode_ast::PyMinor;

fn json_str(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn main() {
    let arg = std::env::args().nth(1).unwrap_or_default();
    // a minor (its newest patch) or a full release (with that patch's differences)
    let minor = match arg.as_str() {
        "3.11" => Some(PyMinor::Py311),
        "3.12" => Some(PyMinor::Py312),
        "3.13" => Some(PyMinor::Py313),
        "3.14" => Some(PyMinor::Py314),
        "3.15" => Some(PyMinor::Py315),
        _ => None,
    };
    let opts = match (minor, pycode_release::Release::parse(&arg)) {
        (Some(m), _) => pycode_parser::Options::new(m, pycode_parser::Mode::Exec),
        (None, Ok(r)) => pycode_parser::Options::for_release(r, pycode_parser::Mode::Exec, false),
        (None, Err(_)) => {
            eprintln!("usage: syntaxerr_attrs 3.11|3.12|3.13|3.14|3.15|RELEASE < list");
            std::process::exit(2);
        }
    };
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let Ok(path) = line else { break };
        let src = std::fs::read(&path).unwrap_or_default();
        let o = opts.clone();
        let res = std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn(move || pycode_parser::parse(&src, &o).err())
            .ok()
            .and_then(|h| h.join().ok());
        let text = match res {
            None => "[\"panic\", null, null, null, null, \"\"]".to_string(),
            Some(None) => "null".to_string(),
            Some(Some(e)) if e.lineno == 0 && e.raw.is_some_and(|r| r[0] == 0 && r[1] == -1) => {
                // a tokenizer init error: lineno 0, offset -1, no end
                format!("[{}, 0, -1, null, null, {}]", json_str(e.kind.name()), json_str(&e.msg))
            }
            Some(Some(e)) => {
                let known = e.lineno > 0;
                let r = e.raw.unwrap_or([e.lineno as i64, e.offset as i64, e.end_lineno as i64, e.end_offset as i64]);
                let n = |v: i64, known: bool| if known { v.to_string() } else { "null".to_string() };
                format!(
                    "[{}, {}, {}, {}, {}, {}]",
                    json_str(e.kind.name()),
                    n(r[0], known),
                    n(r[1], known),
                    n(r[2], known),
                    n(r[3], known),
                    json_str(&e.msg)
                )
            }
        };
        let _ = writeln!(out, "{text}");
    }
}
