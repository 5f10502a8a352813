//! Generated programs that stress nesting limits: every bracket kind, unary and binary chains,
//! lambdas, conditional expressions, f-strings, comprehensions, nested blocks and long
//! `elif` chains, each at depths around CPython's limits (100 indentation levels, 200 brackets,
//! 150 f-strings, 20 static blocks, ~3000 compiler recursion) and far beyond them.
//!
//! Also a tiny template language used by the limit fixtures: `{TEXT*N}` is TEXT repeated N
//! times, `{TEXT*N,SEP}` joins N copies with SEP, `\n`/`\t`/`\\`/`\{`/`\}` are escapes.

/// Depths every shape is generated at.
pub const DEPTHS: &[usize] = &[20, 21, 99, 100, 101, 149, 150, 199, 200, 201, 1000, 2990, 3000, 5000, 10000, 100_000];

/// `(name, template)`; `$` in the template is replaced by the nesting count.
pub const SHAPES: &[(&str, &str)] = &[
    ("paren", "x = {(*$}1{)*$}\n"),
    ("list", "x = {[*$}{]*$}\n"),
    ("dict", "x = {\\{1: *$}1{\\}*$}\n"),
    ("set", "x = {\\{*$}1{\\}*$}\n"),
    ("call", "x = {f(*$}{)*$}\n"),
    ("subscript", "x = a{[0]*$}\n"),
    ("attr", "x = a{.b*$}\n"),
    ("callchain", "x = a{()*$}\n"),
    ("neg", "x = {-*$}1\n"),
    ("not", "x = {not *$}a\n"),
    ("tilde", "x = {~*$}a\n"),
    ("add", "x = {a*$,+}\n"),
    ("addconst", "x = {1*$,+}\n"),
    ("strcat", "x = {'a'*$,+}\n"),
    ("pow", "x = {a*$,**}\n"),
    ("and", "x = {a*$, and }\n"),
    ("compare", "x = {a*$, < }\n"),
    ("tuple", "x = {a*$,,}\n"),
    ("lambda", "x = {lambda: *$}1\n"),
    ("ifexp", "x = {a if b else *$}c\n"),
    ("ifexp_paren", "x = {(a if *$}b{ else c)*$}\n"),
    ("fstring", "x = {f'\\{*$}1{\\}'*$}\n"),
    ("fstring_alt", "x = {f\"\\{f'\\{*$}1{\\}'\\}\"*$}\n"),
    ("fstring_spec", "x = f'\\{a:{\\{b:*$}c{\\}*$}\\}'\n"),
    ("listcomp", "x = {[a for a in *$}b{]*$}\n"),
    ("genexp", "x = {(a for a in *$}b{)*$}\n"),
    ("walrus", "x = {(a := *$}1{)*$}\n"),
    ("await", "async def f():\n    x = {await *$}a\n"),
    ("yield", "def f():\n    x = {(yield *$}1{)*$}\n"),
    ("star_target", "{[*$}a{]*$} = 1\n"),
    ("del", "del {(*$}a{)*$}\n"),
    ("if_blocks", "@IF\n"),
    ("for_blocks", "@FOR\n"),
    ("try_blocks", "@TRY\n"),
    ("def_blocks", "@DEF\n"),
    ("class_blocks", "@CLASS\n"),
    ("elif", "if a:\n    pass\n{elif a:\n    pass\n*$}"),
    ("decorators", "{@a\n*$}def f(): pass\n"),
    ("with_items", "with {a*$,, }: pass\n"),
    ("match_seq", "match x:\n    case {[*$}{]*$}: pass\n"),
    ("match_or", "match x:\n    case {1*$, | }: pass\n"),
    ("match_class", "match x:\n    case {C(*$}{)*$}: pass\n"),
    ("semicolons", "{a;*$}\n"),
    ("bigint", "x = {9*$}\n"),
    ("string_lines", "x = '''{a\n*$}'''\n"),
    ("backslash_lines", "x = 1{ \\\n+ 1*$}\n"),
];

/// Expands the fixture template language (see the module docs).
pub fn expand(template: &str) -> String {
    let mut out = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('0') => out.push('\0'),
                Some(o) => out.push(o),
                None => out.push('\\'),
            },
            '{' => {
                // {TEXT*N} or {TEXT*N,SEP}; TEXT may contain escapes.
                let mut text = String::new();
                let mut count = String::new();
                let mut sep = String::new();
                let mut part = 0;
                while let Some(d) = chars.next() {
                    let d = if d == '\\' {
                        match chars.next() {
                            Some('n') => '\n',
                            Some('t') => '\t',
                            Some(o) => o,
                            None => break,
                        }
                    } else if d == '}' {
                        break;
                    } else if d == '*' && part == 0 && chars.peek().is_some_and(|c| c.is_ascii_digit()) {
                        part = 1;
                        continue;
                    } else if d == ',' && part == 1 {
                        part = 2;
                        continue;
                    } else {
                        d
                    };
                    match part {
                        0 => text.push(d),
                        1 => count.push(d),
                        _ => sep.push(d),
                    }
                }
                let n: usize = count.parse().unwrap_or(1);
                for i in 0..n {
                    if i > 0 {
                        out.push_str(&sep);
                    }
                    out.push_str(&text);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// Nested compound statements, one per indentation level.
fn blocks(header: &str, footer: Option<&str>, n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        s.push_str(&" ".repeat(i));
        s.push_str(header);
        s.push('\n');
    }
    s.push_str(&" ".repeat(n));
    s.push_str("pass\n");
    if let Some(f) = footer {
        for i in (0..n).rev() {
            s.push_str(&" ".repeat(i));
            s.push_str(f);
            s.push('\n');
        }
    }
    s
}

/// The program of shape `name` at nesting `n`, if the shape exists.
pub fn program(name: &str, n: usize) -> Option<String> {
    let (_, t) = SHAPES.iter().find(|(k, _)| *k == name)?;
    Some(match *t {
        "@IF\n" => blocks("if x:", None, n),
        "@FOR\n" => blocks("for x in y:", None, n),
        "@TRY\n" => blocks("try:", Some("finally: pass"), n),
        "@DEF\n" => blocks("def f():", None, n),
        "@CLASS\n" => blocks("class C:", None, n),
        _ => expand(&t.replace('$', &n.to_string())),
    })
}

/// A fixture line's program: `@INDENT<n>` / `@FOR<n>` / `@TRY<n>` are `n` nested `if` / `for` /
/// `try…finally` blocks, anything else is an [`expand`] template (as `fuzz/limits_oracle.py`).
pub fn fixture_program(t: &str) -> String {
    for (tag, header, footer) in [("@INDENT", "if x:", None), ("@FOR", "for x in y:", None), ("@TRY", "try:", Some("finally: pass"))] {
        if let Some(n) = t.strip_prefix(tag).and_then(|n| n.parse::<usize>().ok()) {
            return blocks(header, footer, n);
        }
    }
    expand(t)
}

/// Every shape at every depth of [`DEPTHS`] up to `max_depth`: `(label, program)`.
pub fn all(max_depth: usize) -> Vec<(String, String)> {
    let mut v = Vec::new();
    for (name, _) in SHAPES {
        for &d in DEPTHS.iter().filter(|&&d| d <= max_depth) {
            // Nested blocks grow quadratically (indentation); keep every program under 1 MB.
            if SHAPES.iter().any(|(k, t)| k == name && t.starts_with('@')) && d > 1000 {
                continue;
            }
            if let Some(p) = program(name, d) {
                v.push((format!("{name}-{d}"), p));
            }
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        assert_eq!(expand("x = {(*3}1{)*3}\\n"), "x = (((1)))\n");
        assert_eq!(expand("{a*3,+}"), "a+a+a");
        assert_eq!(expand("{\\{1: *2}1{\\}*2}"), "{1: {1: 1}}");
        assert_eq!(program("paren", 2).as_deref(), Some("x = ((1))\n"));
        assert_eq!(program("fstring", 2).as_deref(), Some("x = f'{f'{1}'}'\n"));
        assert_eq!(program("if_blocks", 2).as_deref(), Some("if x:\n if x:\n  pass\n"));
        assert_eq!(program("try_blocks", 1).as_deref(), Some("try:\n pass\nfinally: pass\n"));
    }
}
