//! `lexbench MINOR ROUNDS FILE...`: tokenizes the files ROUNDS times in memory and prints the
//! throughput (source MB/s, tokens/s). Reading and preparing the files is not timed.
use pycode_lexer::{prepare, Config, Lexer, TokKind};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let minor: u8 = args.get(1).and_then(|m| m.parse().ok()).unwrap_or(13);
    let rounds: usize = args.get(2).and_then(|m| m.parse().ok()).unwrap_or(5);
    let srcs: Vec<Vec<u8>> = args.iter().skip(3).filter_map(|p| std::fs::read(p).ok()).map(|b| prepare(&b, true).into_owned()).collect();
    let bytes: usize = srcs.iter().map(Vec::len).sum();
    let mut tokens = 0usize;
    let t = std::time::Instant::now();
    for _ in 0..rounds {
        for s in &srcs {
            let mut lx = Lexer::new(s, Config::parser(minor));
            while let Ok(tok) = lx.next_token() {
                tokens += 1;
                if tok.kind == TokKind::ENDMARKER {
                    break;
                }
            }
        }
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "lexbench: {} files, {:.1} MB x {rounds}: {:.0} MB/s, {:.1} M tokens/s",
        srcs.len(),
        bytes as f64 / 1e6,
        (bytes * rounds) as f64 / 1e6 / secs,
        tokens as f64 / 1e6 / secs
    );
}
