//! Reads `ast_to_json.py` lines on stdin, prints each file's symbol table dump
//! (format of `tools/codegen/symtable_dump.py`).
use std::io::BufRead;

fn main() {
    let stdin = std::io::stdin();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        match pycode_astjson::load_line(&line) {
            Ok((file, m)) => {
                println!("=== {file}");
                let r = pycode_symtable::parse_future(&m).and_then(|ff| pycode_symtable::SymTable::build(&m, ff));
                match r {
                    Ok(st) => print!("{}", st.dump()),
                    Err(e) => println!("ERROR {} {} {}", e.kind.name(), e.msg, e.lineno),
                }
            }
            Err(e) => println!("=== LOADERROR {e}"),
        }
    }
}
