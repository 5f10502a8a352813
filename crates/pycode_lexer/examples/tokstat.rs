use pycode_lexer::{Config, Lexer, TokKind};
use std::collections::HashMap;
fn main() {
    let list = std::env::args().nth(1).unwrap();
    let mut fastc: HashMap<String, usize> = HashMap::new();
    let mut gen: HashMap<String, usize> = HashMap::new();
    let mut prev_nl = 0usize;
    for p in std::fs::read_to_string(list).unwrap().lines() {
        let src = std::fs::read(p).unwrap();
        let prepared = pycode_lexer::prepare(&src, true);
        let mut lx = Lexer::new(&prepared, Config::parser(12));
        let mut last = TokKind::NEWLINE;
        loop {
            let (t, f) = match lx.fast_token() {
                Some(t) => (t, true),
                None => match lx.next_token_general() {
                    Ok(t) => (t, false),
                    Err(_) => break,
                },
            };
            let key =
                format!("{:?}{}", t.kind, if matches!(last, TokKind::NEWLINE | TokKind::INDENT | TokKind::DEDENT) { "@bol" } else { "" });
            *(if f { &mut fastc } else { &mut gen }).entry(key).or_default() += 1;
            if t.kind == TokKind::NEWLINE {
                prev_nl += 1;
            }
            last = t.kind;
            if t.kind == TokKind::ENDMARKER {
                break;
            }
        }
    }
    let mut g: Vec<_> = gen.into_iter().collect();
    g.sort_by_key(|x| std::cmp::Reverse(x.1));
    let mut f: Vec<_> = fastc.into_iter().collect();
    f.sort_by_key(|x| std::cmp::Reverse(x.1));
    println!("general: {:?}", g);
    println!("fast: {:?}", f);
    println!("newlines {prev_nl}");
}
