// temporary: which tokens take the general path (not committed)
use pycode_lexer::*;
use std::collections::HashMap;
fn main() {
    let list = std::env::args().nth(1).unwrap();
    let mut gen: HashMap<String, usize> = HashMap::new();
    let mut fast = 0usize;
    let mut total = 0usize;
    let mut lens = [0usize; 20];
    for p in std::fs::read_to_string(list).unwrap().lines() {
        let b = std::fs::read(p).unwrap();
        let src = prepare(&b, true);
        let mut lx = Lexer::new(&src, Config::parser(12));
        loop {
            total += 1;
            let (t, f) = match lx.fast_token() { Some(t) => (t, true), None => (lx.next_token_general().unwrap(), false) };
            if f { fast += 1; } else {
                let txt = String::from_utf8_lossy(&src[t.start as usize..t.end as usize]).to_string();
                let key = match t.kind { TokKind::NAME | TokKind::NUMBER | TokKind::STRING => format!("{:?}", t.kind), TokKind::NEWLINE | TokKind::INDENT | TokKind::DEDENT => format!("{:?}", t.kind), _ => format!("{:?} {}", t.kind, txt) };
                *gen.entry(key).or_default() += 1;
            }
            if t.kind == TokKind::NAME { lens[((t.end - t.start) as usize).min(19)] += 1; }
            if t.kind == TokKind::ENDMARKER { break; }
        }
    }
    let mut v: Vec<_> = gen.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1));
    println!("total {total} fast {fast}");
    for (k, n) in v.iter().take(40) { println!("{n:8} {k}"); }
    println!("name lens {:?}", lens);
}
