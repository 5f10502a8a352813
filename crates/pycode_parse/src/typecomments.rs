//! Type comments, as CPython's tokenizer and grammar handle them with `type_comments=True`:
//! `# type: ignore<tag>` becomes a module-level `TypeIgnore`; any other `# type: X` comment must sit
//! where the grammar allows a `TYPE_COMMENT` (after an assignment, after the `:` of `for`/`with`/`def`,
//! on the line after a `def` header, after a parameter) or the parse fails with "invalid syntax".

use pycode_ast as a;
use ruff_python_ast::token::{Token, TokenKind};
use ruff_text_size::{Ranged, TextSize};

use crate::convert::Converter;
use crate::error::ParseError;

struct TypeComment {
    /// Byte offset of the comment's `#`.
    start: usize,
    /// Byte offset of the type text.
    text_start: usize,
    end: usize,
    used: bool,
}

/// Mirrors the tokenizer's type-comment test: `#`, blanks, `type`, `:`, blanks (the prefix `"# type: "`
/// where each space matches any run of spaces/tabs). Returns the offset of the text after the prefix.
fn type_comment_text(comment: &str) -> Option<usize> {
    let b = comment.as_bytes();
    let mut p = 0;
    for &pc in b"# type: " {
        if pc == b' ' {
            while p < b.len() && (b[p] == b' ' || b[p] == b'\t') {
                p += 1;
            }
        } else if b.get(p) == Some(&pc) {
            p += 1;
        } else {
            return None;
        }
    }
    Some(p)
}

fn is_ignore(rest: &str) -> Option<&str> {
    let tail = rest.strip_prefix("ignore")?;
    match tail.as_bytes().first() {
        Some(&c) if c >= 128 || c.is_ascii_alphanumeric() => None,
        _ => Some(tail),
    }
}

/// Collects type comments from `tokens`, attaches them to `body`, and returns the `TypeIgnore`s.
pub fn apply(conv: &Converter<'_>, tokens: &[Token], body: &mut [a::Stmt]) -> Result<Vec<a::TypeIgnore>, ParseError> {
    let src = conv.src;
    let mut ignores = Vec::new();
    let mut comments = Vec::new();
    for t in tokens {
        if t.kind() != TokenKind::Comment {
            continue;
        }
        let start = usize::from(t.start());
        let end = usize::from(t.end());
        let text = src.get(start..end).unwrap_or("");
        let Some(p) = type_comment_text(text) else { continue };
        let rest = &text[p..];
        if let Some(tag) = is_ignore(rest) {
            let (line, col) = conv.loc(t.start());
            // 3.12+: a type-ignore alone on its line also consumes the newline, which ends up in the tag.
            let alone = conv.line_text(line).get(..col as usize).is_some_and(|b| b.trim_matches([' ', '\t', '\x0c']).is_empty());
            let tag: Box<str> = if alone && conv.minor >= pycode_ast::PyMinor::Py312 { format!("{tag}\n").into() } else { tag.into() };
            ignores.push(a::TypeIgnore { lineno: line, tag });
            continue;
        }
        comments.push(TypeComment { start, text_start: start + p, end, used: false });
    }
    if comments.is_empty() {
        return Ok(ignores);
    }
    let mut att = Attacher { conv, comments: &mut comments, line_offsets: line_offsets(src), ends: Vec::new() };
    att.stmts(body);
    let ends = std::mem::take(&mut att.ends);
    if !ends.is_empty() {
        extend_ends(body, &ends);
    }
    if let Some(c) = comments.iter().find(|c| !c.used) {
        return Err(conv.err_at(TextSize::from(c.text_start as u32), "invalid syntax"));
    }
    Ok(ignores)
}

fn line_offsets(src: &str) -> Vec<usize> {
    let mut v = vec![0];
    v.extend(src.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i + 1));
    v
}

struct Attacher<'a, 'c> {
    conv: &'a Converter<'a>,
    comments: &'c mut Vec<TypeComment>,
    line_offsets: Vec<usize>,
    /// (statement end, comment end) for assignments given a type comment.
    ends: Vec<Span>,
}

/// `((line, column), (end line, end column))` of a statement.
type Span = ((u32, u32), (u32, u32));

/// A compound statement ends at its last token, which is the `TYPE_COMMENT` of a final assignment.
fn extend_ends(body: &mut [a::Stmt], ends: &[Span]) {
    for s in body {
        let children: Vec<&mut Vec<a::Stmt>> = match &mut s.kind {
            a::StmtKind::FunctionDef(f) | a::StmtKind::AsyncFunctionDef(f) => vec![&mut f.body],
            a::StmtKind::ClassDef(c) => vec![&mut c.body],
            a::StmtKind::For(f) | a::StmtKind::AsyncFor(f) => vec![&mut f.body, &mut f.orelse],
            a::StmtKind::While { body, orelse, .. } | a::StmtKind::If { body, orelse, .. } => vec![body, orelse],
            a::StmtKind::With { body, .. } | a::StmtKind::AsyncWith { body, .. } => vec![body],
            a::StmtKind::Try(t) | a::StmtKind::TryStar(t) => {
                let mut v: Vec<&mut Vec<a::Stmt>> = vec![&mut t.body];
                for h in &mut t.handlers {
                    if let Some(&(_, to)) = ends.iter().find(|(from, _)| *from == (h.pos.end_lineno, h.pos.end_col_offset)) {
                        extend_ends(&mut h.body, ends);
                        h.pos.end_lineno = to.0;
                        h.pos.end_col_offset = to.1;
                    } else {
                        extend_ends(&mut h.body, ends);
                    }
                }
                v.push(&mut t.orelse);
                v.push(&mut t.finalbody);
                v
            }
            a::StmtKind::Match { cases, .. } => cases.iter_mut().map(|c| &mut c.body).collect(),
            _ => continue,
        };
        for c in children {
            extend_ends(c, ends);
        }
        if let Some(&(_, to)) = ends.iter().find(|(from, _)| *from == (s.pos.end_lineno, s.pos.end_col_offset)) {
            s.pos.end_lineno = to.0;
            s.pos.end_col_offset = to.1;
        }
    }
}

impl Attacher<'_, '_> {
    fn offset(&self, line: u32, col: u32) -> usize {
        self.line_offsets.get(line.saturating_sub(1) as usize).copied().unwrap_or(0) + col as usize
    }

    /// Finds an unused comment starting at `from` after only characters accepted by `gap`.
    fn take_after(&mut self, from: usize, gap: impl Fn(&str) -> bool) -> Option<Box<str>> {
        let src = self.conv.src;
        let idx = self.comments.iter().position(|c| !c.used && c.start >= from)?;
        let c = &self.comments[idx];
        let between = src.get(from..c.start)?;
        if !gap(between) {
            return None;
        }
        let text = src.get(c.text_start..c.end)?.into();
        self.comments[idx].used = true;
        Some(text)
    }

    fn stmts(&mut self, body: &mut [a::Stmt]) {
        for s in body {
            self.stmt(s);
        }
    }

    fn stmt(&mut self, s: &mut a::Stmt) {
        use a::StmtKind as K;
        let end = self.offset(s.pos.end_lineno, s.pos.end_col_offset);
        let mut new_end = None;
        match &mut s.kind {
            K::Assign { type_comment, value, .. } => {
                let _ = value;
                *type_comment = self.take_after(end, |g| g.trim_matches([' ', '\t', '\x0c']).is_empty());
                if type_comment.is_some() {
                    if let Some(c) = self.comments.iter().filter(|c| c.used && c.start >= end).min_by_key(|c| c.start) {
                        let (l, col) = self.conv.loc(TextSize::from(c.end as u32));
                        self.ends.push(((s.pos.end_lineno, s.pos.end_col_offset), (l, col)));
                        new_end = Some((l, col));
                    }
                }
            }
            K::For(f) | K::AsyncFor(f) => {
                let iter_end = self.offset(f.iter.pos.end_lineno, f.iter.pos.end_col_offset);
                f.type_comment = self.take_after(iter_end, |g| {
                    g.trim_matches([' ', '\t', '\x0c', ')']).trim_matches([' ', '\t', '\x0c']) == ":" && !g.contains('\n')
                });
                self.stmts(&mut f.body);
                self.stmts(&mut f.orelse);
            }
            K::With { items, body, type_comment } | K::AsyncWith { items, body, type_comment } => {
                if let Some(last) = items.last() {
                    let e = last.optional_vars.as_deref().unwrap_or(&last.context_expr);
                    let from = self.offset(e.pos.end_lineno, e.pos.end_col_offset);
                    *type_comment = self.take_after(from, |g| g.trim_matches([' ', '\t', '\x0c']) == ":");
                }
                self.stmts(body);
            }
            K::FunctionDef(f) | K::AsyncFunctionDef(f) => {
                self.params(&mut f.args);
                if let Some(first) = f.body.first() {
                    let body_start = self.offset(first.pos.lineno, 0);
                    // Header end: the `:` before the body. Search the comment between the
                    // last header element and the body.
                    let header_from = match &f.returns {
                        Some(r) => self.offset(r.pos.end_lineno, r.pos.end_col_offset),
                        None => self.offset(s.pos.lineno, s.pos.col_offset),
                    };
                    let src = self.conv.src;
                    if let Some(idx) = self.comments.iter().position(|c| !c.used && c.start >= header_from && c.end <= body_start) {
                        let c = &self.comments[idx];
                        let before = src.get(header_from..c.start).unwrap_or("");
                        // Either on the header line after `:`, or alone on the next line.
                        let ok_same_line = before.trim_end_matches([' ', '\t', '\x0c']).ends_with(':') && !before.contains('#');
                        let ok_next_line = {
                            let nl = before.rfind('\n');
                            nl.is_some_and(|n| {
                                before[n + 1..].trim_matches([' ', '\t', '\x0c']).is_empty()
                                    && before[..n].trim_end_matches([' ', '\t', '\x0c']).ends_with(':')
                            })
                        };
                        let after = src.get(c.end..body_start).unwrap_or("");
                        let only_comments = after.split('\n').all(|l| {
                            let t = l.trim_matches([' ', '\t', '\x0c']);
                            t.is_empty() || t.starts_with('#')
                        });
                        if (ok_same_line || ok_next_line) && only_comments {
                            f.type_comment = src.get(c.text_start..c.end).map(Into::into);
                            self.comments[idx].used = true;
                        }
                    }
                }
                self.stmts(&mut f.body);
            }
            K::ClassDef(c) => self.stmts(&mut c.body),
            K::While { body, orelse, .. } | K::If { body, orelse, .. } => {
                self.stmts(body);
                self.stmts(orelse);
            }
            K::Try(t) | K::TryStar(t) => {
                self.stmts(&mut t.body);
                for h in &mut t.handlers {
                    self.stmts(&mut h.body);
                }
                self.stmts(&mut t.orelse);
                self.stmts(&mut t.finalbody);
            }
            K::Match { cases, .. } => {
                for c in cases {
                    self.stmts(&mut c.body);
                }
            }
            _ => {}
        }
        if let Some((l, c)) = new_end {
            // The TYPE_COMMENT token is the assignment's last token.
            s.pos.end_lineno = l;
            s.pos.end_col_offset = c;
        }
    }

    fn params(&mut self, args: &mut a::Arguments) {
        // Parameters in source order, each with the end of its default (if any).
        let a::Arguments { posonlyargs, args: plain, vararg, kwonlyargs, kw_defaults, kwarg, defaults } = args;
        let n_pos = posonlyargs.len() + plain.len();
        let first_default = n_pos.saturating_sub(defaults.len());
        let mut list: Vec<(&mut a::Arg, Option<(u32, u32)>)> = Vec::new();
        for (i, p) in posonlyargs.iter_mut().chain(plain.iter_mut()).enumerate() {
            let d =
                if i >= first_default { defaults.get(i - first_default).map(|d| (d.pos.end_lineno, d.pos.end_col_offset)) } else { None };
            list.push((p, d));
        }
        if let Some(v) = vararg.as_deref_mut() {
            list.push((v, None));
        }
        for (i, p) in kwonlyargs.iter_mut().enumerate() {
            let d = kw_defaults.get(i).and_then(|d| d.as_ref()).map(|d| (d.pos.end_lineno, d.pos.end_col_offset));
            list.push((p, d));
        }
        if let Some(k) = kwarg.as_deref_mut() {
            list.push((k, None));
        }
        for (p, d) in list {
            let (l, c) = d.unwrap_or((p.pos.end_lineno, p.pos.end_col_offset));
            let from = self.offset(l, c);
            let src = self.conv.src;
            let tc = self.take_after(from, |g| {
                let g = g.trim_matches([' ', '\t', '\x0c']);
                g == "," || g.is_empty()
            });
            if let Some(tc) = tc {
                // Without a comma the next token must be `)`.
                let _ = src;
                p.type_comment = Some(tc);
            }
        }
    }
}
