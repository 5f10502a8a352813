//! `pycode`: the command-line tool. The only crate that prints or exits.
//! Each subcommand lives in its own module with a `run(args) -> ExitCode` entry.

use std::os::unix::ffi::OsStringExt;
use std::process::ExitCode;

mod alloc;
mod cmd_asm;
mod cmd_ast;
mod cmd_compile;
mod cmd_compileall;
mod cmd_dis;
mod cmd_marshal;
mod cmd_verify;
mod target;

/// The process allocator. Compiling allocates and frees many small short-lived objects per file
/// (AST nodes, instruction vectors, names); mimalloc serves them several times faster than the
/// system allocator (see bench/compile_bench.py). `alloc::PycodeAlloc` calls it through its fastest
/// entry points.
#[global_allocator]
static GLOBAL: alloc::PycodeAlloc = alloc::PycodeAlloc;

const USAGE: &str = "usage: pycode <command> [options]

commands:
  dis FILE.pyc        disassemble as that release's `python -m dis` does
  dis --asm FILE.pyc  print the whole .pyc in pycode's assembler text (docs/asm.md)
  asm FILE.s -o FILE.pyc   assemble that text into a .pyc (--roundtrip FILE.pyc... to check)
  info FILE.pyc       print dis.show_code for every code object in the file
  tables FILE.pyc     print co_lines(), co_positions() and the exception table of every code object
  ast FILE.py         print the AST as `python -m ast` does
  compile [py_compile options] FILE...   what `python -m py_compile` does
  compileall [compileall options] [FILE|DIR ...]   what `python -m compileall` does

  pycode's own options, --target X (or --python PATH), go anywhere: before or after the command.
  roundtrip FILE.pyc... read and write back each .pyc, report identical or first difference
  verify FILE.pyc...    check that the release can run the code safely (opcodes, operands,
                        jumps, stack depth, exception and line tables); exit 0 only if valid
";

fn main() -> ExitCode {
    alloc::configure();
    let raw = command_first(std::env::args_os().skip(1).map(|a| a.into_vec()).collect());
    // Lossy: a command that needs the raw bytes of its arguments (compileall) gets them as well;
    // `std::env::args` would panic on a name that is not UTF-8.
    let mut args = raw.iter().map(|a| String::from_utf8_lossy(a).into_owned());
    let Some(cmd) = args.next() else {
        eprint!("{USAGE}");
        return ExitCode::from(2);
    };
    let rest: Vec<String> = args.collect();
    match cmd.as_str() {
        "dis" if rest.iter().any(|a| a == "--asm") => cmd_asm::run_dis_asm(&rest),
        "dis" => cmd_dis::run_dis(&rest),
        "asm" => cmd_asm::run(&rest),
        "info" => cmd_dis::run_info(&rest),
        "tables" => cmd_dis::run_tables(&rest),
        "ast" => cmd_ast::run(&rest),
        "compile" => cmd_compile::run(&rest),
        "compileall" => cmd_compileall::run(raw.into_iter().skip(1).collect()),
        "roundtrip" => cmd_marshal::run(&rest),
        "verify" => cmd_verify::run(&rest),
        "--version" | "-V" => {
            println!("pycode {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        "--help" | "-h" | "help" => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        other => {
            eprintln!("pycode: unknown command '{other}'\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// pycode's own options (`--target X`, `--python PATH`, or `=VALUE` forms) may come before the
/// command too (`pycode --target 3.13 compileall DIR`): those are moved right after it, where
/// every command takes them, so the command is first. Anything else is left as it is.
fn command_first(mut args: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    let mut lead = 0;
    while let Some(a) = args.get(lead) {
        match target::own_option(a) {
            Some((_, None)) => lead += 2,
            Some((_, Some(_))) => lead += 1,
            None => break,
        }
    }
    if lead == 0 || lead >= args.len() {
        return args;
    }
    let opts: Vec<Vec<u8>> = args.drain(..lead).collect();
    args.splice(1..1, opts);
    args
}

#[cfg(test)]
mod tests {
    use super::command_first;

    fn v(a: &[&str]) -> Vec<Vec<u8>> {
        a.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    #[test]
    fn options_before_the_command_follow_it() {
        let cases: [(&[&str], &[&str]); 6] = [
            (&["--target", "3.13", "compileall", "d"], &["compileall", "--target", "3.13", "d"]),
            (&["--target=3.13", "--python", "p", "dis", "f"], &["dis", "--target=3.13", "--python", "p", "f"]),
            (&["compile", "--target", "3.12", "f.py"], &["compile", "--target", "3.12", "f.py"]),
            (&["--target", "3.13"], &["--target", "3.13"]),
            (&["--target"], &["--target"]),
            (&[], &[]),
        ];
        for (input, want) in cases {
            assert_eq!(command_first(v(input)), v(want), "{input:?}");
        }
    }
}
