//! The second pass: the `invalid_*` rules of `Grammar/python.gram` and the ways they raise
//! (`RAISE_SYNTAX_ERROR`, `_KNOWN_LOCATION`, `_KNOWN_RANGE`, `_STARTING_FROM`, `_INVALID_TARGET`).
//! Each rule returns `Ok(())` when it does not match (the mark back where it started) and
//! `Err` with CPython's error when it does.

use super::*;
use crate::builder::ExprTag;
use crate::grammar::Msg;

/// `_PyPegen_get_invalid_target`'s target kinds.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Targets {
    Star,
    Del,
    For,
}

impl<'s, 'b, B: AstBuilder> Parser<'s, 'b, B> {
    // ------------------------------------------------------------------ raising

    /// `RAISE_ERROR_KNOWN_LOCATION` with byte columns; `end_col < 0`: no end (`end_offset` 0).
    /// Both columns are converted with the first line's text, as CPython does.
    pub(super) fn raise_at(&self, kind: ErrorKind, msg: &str, line: u32, col: i32, end_line: u32, end_col: i32) -> E {
        let text = self.line_text(line);
        let off = self.err_col(text, col);
        let mut pe = ParseError::new(kind, msg);
        pe.lineno = line;
        pe.offset = off;
        pe.end_lineno = end_line;
        pe.text = Some(text.to_owned());
        if end_col < 0 {
            pe.raw = Some([i64::from(line), i64::from(off), i64::from(end_line), 0]);
        } else {
            pe.end_offset = self.err_col(text, end_col);
        }
        Box::new(pe)
    }

    /// `RAISE_SYNTAX_ERROR_KNOWN_LOCATION(a, msg)`.
    pub(super) fn raise_pos(&self, msg: &str, a: Pos) -> E {
        self.raise_at(ErrorKind::SyntaxError, msg, a.lineno, a.col_offset as i32, a.end_lineno, a.end_col_offset as i32)
    }

    /// `RAISE_SYNTAX_ERROR_KNOWN_RANGE(a, b, msg)`.
    pub(super) fn raise_range(&self, msg: &str, a: Pos, b: Pos) -> E {
        self.raise_at(ErrorKind::SyntaxError, msg, a.lineno, a.col_offset as i32, b.end_lineno, b.end_col_offset as i32)
    }

    /// `RAISE_SYNTAX_ERROR_KNOWN_LOCATION` on a token.
    pub(super) fn raise_tok(&self, msg: &str, t: &Token) -> E {
        self.raise_pos(msg, self.tpos(t))
    }

    /// A token's position, a NEWLINE covering its newline character from 3.12.
    pub(super) fn tpos(&self, t: &Token) -> Pos {
        let mut p = tok_pos(t);
        if self.newline_covers_char(t) {
            p.end_col_offset += 1;
        }
        p
    }

    /// `RAISE_SYNTAX_ERROR(msg)` / `RAISE_INDENTATION_ERROR(msg)`: at the last token read.
    pub(super) fn raise_last(&self, kind: ErrorKind, msg: &str) -> E {
        let t = self.toks.get(self.hwm).or(self.toks.last()).map(|t| t.t);
        match t {
            Some(t) => {
                let mut e = self.error_at(&t, msg);
                e.kind = kind;
                e
            }
            None => Box::new(ParseError::new(kind, msg)),
        }
    }

    /// `RAISE_SYNTAX_ERROR_STARTING_FROM(a, msg)`: from `a` to where the tokenizer stands
    /// (`CURRENT_POS`: the end of the last token read, a 0-based column taken as the offset).
    pub(super) fn raise_from(&self, msg: &str, line: u32, col: u32) -> E {
        let t = self.toks.get(self.hwm).or(self.toks.last()).map(|t| t.t);
        let (el, ec) = match t {
            Some(t) if t.kind == TokKind::NEWLINE && t.end_col <= t.col => (t.end_lineno, t.col + 1),
            Some(t) => (t.end_lineno, t.end_col),
            None => (line, col as i32),
        };
        let text = self.line_text(line);
        let mut pe = ParseError::syntax(msg);
        pe.lineno = line;
        pe.offset = char_col(text, col as i32) + 1;
        pe.end_lineno = el;
        let len = text.len() as i32;
        pe.end_offset = char_col(text, ec) + (ec - len).max(0) as u32;
        pe.text = Some(text.to_owned());
        Box::new(pe)
    }

    /// `RAISE_SYNTAX_ERROR_INVALID_TARGET(type, e)`.
    pub(super) fn raise_invalid_target(&self, ty: Targets, e: &B::Expr) -> Result<(), E> {
        if let Some((tag, pos)) = self.invalid_target(ty, e) {
            let verb = if ty == Targets::Del { "delete" } else { "assign to" };
            return Err(self.raise_pos(&format!("cannot {verb} {}", tag.name()), pos));
        }
        Ok(())
    }

    /// `_PyPegen_get_invalid_target`.
    pub(super) fn invalid_target(&self, ty: Targets, e: &B::Expr) -> Option<(ExprTag, Pos)> {
        let v = self.b.expr_view(e);
        match v.tag {
            ExprTag::List | ExprTag::Tuple => v.children.iter().find_map(|c| self.invalid_target(ty, c)),
            ExprTag::Starred => {
                if ty == Targets::Del {
                    return Some((v.tag, v.pos));
                }
                v.children.first().and_then(|c| self.invalid_target(ty, c))
            }
            ExprTag::Compare(first_in) => {
                if ty == Targets::For {
                    if first_in {
                        return v.children.first().and_then(|c| self.invalid_target(ty, c));
                    }
                    return None;
                }
                Some((v.tag, v.pos))
            }
            ExprTag::Name | ExprTag::Subscript | ExprTag::Attribute => None,
            _ => Some((v.tag, v.pos)),
        }
    }

    pub(super) fn expr_pos(&self, e: &B::Expr) -> Pos {
        self.b.expr_view(e).pos
    }

    // ------------------------------------------------------------------ parameters

    /// `param_maybe_default*`
    fn params_maybe_default(&mut self, lambda: bool) -> Result<usize, E> {
        let mut n = 0;
        while self.param_default(lambda, false)?.is_some() {
            n += 1;
        }
        Ok(n)
    }

    /// `(slash_no_default | slash_with_default)`
    fn any_slash(&mut self, lambda: bool) -> Result<bool, E> {
        let m = self.p;
        if self.slash_no_default(lambda)?.is_some() {
            return Ok(true);
        }
        self.p = m;
        if self.slash_with_default(lambda)?.is_some() {
            return Ok(true);
        }
        self.p = m;
        Ok(false)
    }

    /// `invalid_parameters` / `invalid_lambda_parameters`.
    pub(super) fn invalid_parameters(&mut self, lambda: bool) -> Result<(), E> {
        let m = self.p;
        if self.g.lexer_minor == 11 {
            self.invalid_params_nondefault(lambda)?;
            self.p = m;
            self.invalid_params_parenthesized(lambda)?;
            self.p = m;
            self.invalid_params_slash_first()?;
            self.p = m;
            self.invalid_params_slash_twice(lambda)?;
        } else {
            self.invalid_params_slash_first()?;
            self.p = m;
            self.invalid_params_slash_twice(lambda)?;
            self.p = m;
            self.invalid_params_nondefault(lambda)?;
            self.p = m;
            self.invalid_params_parenthesized(lambda)?;
        }
        self.p = m;
        // (slash_no_default | slash_with_default)? param_maybe_default* '*' (',' | param_no_default)
        // param_maybe_default* a='/'
        'a: {
            if !self.any_slash(lambda)? {
                self.p = m;
            }
            self.params_maybe_default(lambda)?;
            if !self.eat(TokKind::STAR)? {
                break 'a;
            }
            if !self.eat(TokKind::COMMA)? && self.param_no_default(lambda)?.is_none() {
                break 'a;
            }
            self.params_maybe_default(lambda)?;
            let t = self.peek()?;
            if t.t.kind == TokKind::SLASH {
                return Err(self.raise_tok("/ must be ahead of *", &t.t));
            }
        }
        self.p = m;
        // param_maybe_default+ '/' a='*'
        if self.params_maybe_default(lambda)? > 0 && self.eat(TokKind::SLASH)? {
            let t = self.peek()?;
            if t.t.kind == TokKind::STAR {
                return Err(self.raise_tok("expected comma between / and *", &t.t));
            }
        }
        self.p = m;
        Ok(())
    }

    /// `[slash_no_default?] param_no_default* invalid_parameters_helper a=param_no_default`
    fn invalid_params_nondefault(&mut self, lambda: bool) -> Result<(), E> {
        let m = self.p;
        if self.g.lexer_minor >= 12 && self.slash_no_default(lambda)?.is_none() {
            self.p = m;
        }
        self.params_no_default(lambda)?;
        // invalid_parameters_helper: slash_with_default | param_with_default+
        let m2 = self.p;
        if self.slash_with_default(lambda)?.is_none() {
            self.p = m2;
            if self.params_with_default(lambda)?.is_empty() {
                return Ok(());
            }
        }
        let s = self.p;
        if let Some(a) = self.param_no_default(lambda)? {
            let _ = a;
            let pos = self.param_pos(s, lambda);
            return Err(self.raise_pos(self.g.msg(Msg::NonDefaultFollowsDefault), pos));
        }
        Ok(())
    }

    /// The position of the `param` starting at token `s` (NAME [annotation]).
    fn param_pos(&mut self, s: usize, lambda: bool) -> Pos {
        let save = self.p;
        self.p = s;
        let mut end = s + 1;
        if let Ok(Some(_)) = self.param(lambda) {
            end = self.p;
        }
        self.p = end;
        let pos = self.pos(s);
        self.p = save;
        pos
    }

    /// `param_no_default* a='(' param_no_default+ ','? b=')'` (lambda: `','.lambda_param+`).
    fn invalid_params_parenthesized(&mut self, lambda: bool) -> Result<(), E> {
        self.params_no_default(lambda)?;
        let a = self.peek()?;
        if !self.eat(TokKind::LPAR)? {
            return Ok(());
        }
        if lambda {
            let mut n = 0;
            while self.name_tok()?.is_some() {
                n += 1;
                let m2 = self.p;
                if !self.eat(TokKind::COMMA)? || !self.next_is(TokKind::NAME)? {
                    self.p = m2;
                    break;
                }
            }
            if n == 0 {
                return Ok(());
            }
        } else if self.params_no_default(lambda)?.is_empty() {
            return Ok(());
        }
        self.eat(TokKind::COMMA)?;
        let b = self.peek()?;
        if b.t.kind == TokKind::RPAR {
            let msg =
                if lambda { "Lambda expression parameters cannot be parenthesized" } else { "Function parameters cannot be parenthesized" };
            return Err(self.raise_range(msg, tok_pos(&a.t), tok_pos(&b.t)));
        }
        Ok(())
    }

    /// `a="/" ','`
    fn invalid_params_slash_first(&mut self) -> Result<(), E> {
        let a = self.peek()?;
        if a.t.kind == TokKind::SLASH && self.kind_at(self.p + 1)?.0 == TokKind::COMMA {
            self.p += 2;
            return Err(self.raise_tok(self.g.msg(Msg::SlashFirst), &a.t));
        }
        Ok(())
    }

    /// `(slash_no_default | slash_with_default) param_maybe_default* a='/'`
    fn invalid_params_slash_twice(&mut self, lambda: bool) -> Result<(), E> {
        if !self.any_slash(lambda)? {
            return Ok(());
        }
        self.params_maybe_default(lambda)?;
        let a = self.peek()?;
        if a.t.kind == TokKind::SLASH {
            return Err(self.raise_tok("/ may appear only once", &a.t));
        }
        Ok(())
    }

    /// `invalid_star_etc` / `invalid_lambda_star_etc`.
    pub(super) fn invalid_star_etc(&mut self, lambda: bool) -> Result<(), E> {
        let m = self.p;
        let star = self.peek()?;
        if star.t.kind != TokKind::STAR {
            return Ok(());
        }
        let end = if lambda { TokKind::COLON } else { TokKind::RPAR };
        // a='*' (')' | ',' (')' | '**'))
        let t1 = self.kind_at(m + 1)?.0;
        let bare = t1 == end || (t1 == TokKind::COMMA && matches!(self.kind_at(m + 2)?.0, k if k == end || k == TokKind::DOUBLESTAR));
        if bare {
            if lambda {
                self.p = m + if t1 == end { 2 } else { 3 };
                self.hwm = self.hwm.max(self.p.saturating_sub(1));
                return Err(self.raise_last(ErrorKind::SyntaxError, self.g.msg(Msg::BareStar)));
            }
            return Err(self.raise_tok(self.g.msg(Msg::BareStar), &star.t));
        }
        // '*' ',' TYPE_COMMENT
        if !lambda && t1 == TokKind::COMMA && self.kind_at(m + 2)?.0 == TokKind::TYPE_COMMENT {
            return Err(self.raise_last(ErrorKind::SyntaxError, "bare * has associated type comment"));
        }
        // '*' param a='='
        self.p = m + 1;
        if self.param(lambda)?.is_some() {
            let a = self.peek()?;
            if a.t.kind == TokKind::EQUAL {
                return Err(self.raise_tok(self.g.msg(Msg::VarPositionalDefault), &a.t));
            }
        }
        // '*' (param_no_default | ',') param_maybe_default* a='*' (param_no_default | ',')
        self.p = m + 1;
        if self.eat(TokKind::COMMA)? || self.param_no_default(lambda)?.is_some() {
            self.params_maybe_default(lambda)?;
            let a = self.peek()?;
            if a.t.kind == TokKind::STAR {
                self.p += 1;
                if self.eat(TokKind::COMMA)? || self.param_no_default(lambda)?.is_some() {
                    return Err(self.raise_tok(self.g.msg(Msg::StarOnce), &a.t));
                }
            }
        }
        self.p = m;
        Ok(())
    }

    /// `invalid_kwds` / `invalid_lambda_kwds`.
    pub(super) fn invalid_kwds(&mut self, lambda: bool) -> Result<(), E> {
        let m = self.p;
        if !self.eat(TokKind::DOUBLESTAR)? {
            return Ok(());
        }
        if self.param(lambda)?.is_none() {
            self.p = m;
            return Ok(());
        }
        let a = self.peek()?;
        if a.t.kind == TokKind::EQUAL {
            return Err(self.raise_tok(self.g.msg(Msg::VarKeywordDefault), &a.t));
        }
        if self.eat(TokKind::COMMA)? {
            let s = self.p;
            if self.param(lambda)?.is_some() {
                let pos = self.pos(s);
                return Err(self.raise_pos(self.g.msg(Msg::FollowVarKeyword), pos));
            }
            self.p = s;
            let a = self.peek()?;
            if matches!(a.t.kind, TokKind::STAR | TokKind::DOUBLESTAR | TokKind::SLASH) {
                return Err(self.raise_tok(self.g.msg(Msg::FollowVarKeyword), &a.t));
            }
        }
        self.p = m;
        Ok(())
    }

    /// `invalid_default: a='=' &(')'|',')` (the mark is on the '=').
    pub(super) fn invalid_default(&mut self) -> Result<(), E> {
        let a = self.peek()?;
        if a.t.kind == TokKind::EQUAL && matches!(self.kind_at(self.p + 1)?.0, TokKind::RPAR | TokKind::COMMA) {
            return Err(self.raise_tok("expected default value expression", &a.t));
        }
        Ok(())
    }
}

impl<'s, 'b, B: AstBuilder> Parser<'s, 'b, B> {
    // ------------------------------------------------------------------ compound statements

    /// After a compound statement's header: `NEWLINE` → "expected ':'" (when `colon`);
    /// `':' NEWLINE !INDENT` → "expected an indented block after {what} on line {line}".
    pub(super) fn invalid_block_after(&mut self, colon: bool, what: &str, line: u32) -> Result<(), E> {
        let m = self.p;
        if colon && self.next_is(TokKind::NEWLINE)? {
            return Err(self.raise_last(ErrorKind::SyntaxError, "expected ':'"));
        }
        if self.eat(TokKind::COLON)? && self.eat(TokKind::NEWLINE)? && !self.next_is(TokKind::INDENT)? {
            let msg = format!("expected an indented block after {what} on line {line}");
            return Err(self.raise_last(ErrorKind::IndentationError, &msg));
        }
        self.p = m;
        Ok(())
    }

    /// `invalid_if_stmt` / `invalid_elif_stmt` / `invalid_while_stmt` (the mark on the keyword).
    pub(super) fn invalid_cond_stmt(&mut self, kw: Kw, name: &str) -> Result<(), E> {
        let m = self.p;
        let a = self.peek()?;
        if self.eat_kw(kw)? && self.named_expression()?.is_some() {
            self.invalid_block_after(true, &format!("'{name}' statement"), a.t.lineno)?;
        }
        self.p = m;
        Ok(())
    }

    /// `invalid_for_stmt`.
    pub(super) fn invalid_for_stmt(&mut self) -> Result<(), E> {
        let m = self.p;
        self.eat_kw(Kw::Async)?;
        let a = self.peek()?;
        if self.eat_kw(Kw::For)? && self.star_targets()?.is_some() && self.eat_kw(Kw::In)? && self.star_expressions()?.is_some() {
            self.invalid_block_after(true, "'for' statement", a.t.lineno)?;
        }
        self.p = m;
        Ok(())
    }

    /// `invalid_for_target: 'async'? 'for' a=star_expressions`.
    pub(super) fn invalid_for_target(&mut self) -> Result<(), E> {
        let m = self.p;
        self.eat_kw(Kw::Async)?;
        if self.eat_kw(Kw::For)? {
            if let Some(e) = self.star_expressions()? {
                self.raise_invalid_target(Targets::For, &e)?;
            }
        }
        self.p = m;
        Ok(())
    }

    /// `','.(expression ['as' star_target])+` or, with `paren`,
    /// `'(' ','.(expressions ['as' star_target])+ ','? ')'`.
    fn loose_with_items(&mut self, paren: bool) -> Result<bool, E> {
        if paren && !self.eat(TokKind::LPAR)? {
            return Ok(false);
        }
        let mut n = 0;
        loop {
            let m = self.p;
            let e = if paren { self.expressions()? } else { self.expression()? };
            if e.is_none() {
                self.p = m;
                break;
            }
            n += 1;
            let m2 = self.p;
            if !(self.eat_kw(Kw::As)? && self.star_target()?.is_some()) {
                self.p = m2;
            }
            let m3 = self.p;
            if !self.eat(TokKind::COMMA)? {
                break;
            }
            let m4 = self.p;
            let more = if paren { self.expressions()? } else { self.expression()? };
            self.p = m4;
            if more.is_none() {
                self.p = m3;
                break;
            }
        }
        if n == 0 {
            return Ok(false);
        }
        if paren {
            self.eat(TokKind::COMMA)?;
            return self.eat(TokKind::RPAR);
        }
        Ok(true)
    }

    /// `invalid_with_stmt_indent` (`indent`) / `invalid_with_stmt`.
    pub(super) fn invalid_with_stmt(&mut self, indent: bool) -> Result<(), E> {
        let m = self.p;
        self.eat_kw(Kw::Async)?;
        let a = self.peek()?;
        if !self.eat_kw(Kw::With)? {
            self.p = m;
            return Ok(());
        }
        let after = self.p;
        for paren in [false, true] {
            self.p = after;
            if self.loose_with_items(paren)? {
                if indent {
                    if self.eat(TokKind::COLON)? && self.eat(TokKind::NEWLINE)? && !self.next_is(TokKind::INDENT)? {
                        let msg = format!("expected an indented block after 'with' statement on line {}", a.t.lineno);
                        return Err(self.raise_last(ErrorKind::IndentationError, &msg));
                    }
                } else if self.next_is(TokKind::NEWLINE)? {
                    return Err(self.raise_last(ErrorKind::SyntaxError, "expected ':'"));
                }
            }
        }
        self.p = m;
        Ok(())
    }

    /// `invalid_class_def_raw`.
    pub(super) fn invalid_class_def_raw(&mut self) -> Result<(), E> {
        let m = self.p;
        let a = self.peek()?;
        if self.eat_kw(Kw::Class)? && self.name_tok()?.is_some() {
            if self.g.type_params {
                let m1 = self.p;
                if self.opt_type_params()?.is_empty() {
                    self.p = m1;
                }
            }
            let m2 = self.p;
            if self.eat(TokKind::LPAR)? {
                self.arguments(FirstArg::Unknown)?;
                if !self.eat(TokKind::RPAR)? {
                    self.p = m2;
                }
            }
            self.invalid_block_after(true, "class definition", a.t.lineno)?;
        }
        self.p = m;
        Ok(())
    }

    /// `invalid_def_raw`'s first alternative.
    pub(super) fn invalid_def_raw(&mut self) -> Result<(), E> {
        let m = self.p;
        self.eat_kw(Kw::Async)?;
        let a = self.peek()?;
        if self.eat_kw(Kw::Def)? && self.name_tok()?.is_some() {
            if self.g.type_params {
                self.opt_type_params()?;
            }
            if self.eat(TokKind::LPAR)? {
                self.parameters(false)?;
                if self.eat(TokKind::RPAR)? {
                    let m2 = self.p;
                    if self.eat(TokKind::RARROW)? && self.expression()?.is_none() {
                        self.p = m2;
                    }
                    self.invalid_block_after(false, "function definition", a.t.lineno)?;
                }
            }
        }
        self.p = m;
        Ok(())
    }

    /// `invalid_try_stmt`.
    pub(super) fn invalid_try_stmt(&mut self) -> Result<(), E> {
        let m = self.p;
        let a = self.peek()?;
        if !self.eat_kw(Kw::Try)? {
            return Ok(());
        }
        let after_try = self.p;
        self.invalid_block_after(false, "'try' statement", a.t.lineno)?;
        // 'try' ':' block !('except' | 'finally')
        if self.eat(TokKind::COLON)? && self.block()?.is_some() {
            let k = self.peek_kind()?.1;
            if k != Kw::Except && k != Kw::Finally {
                return Err(self.raise_last(ErrorKind::SyntaxError, "expected 'except' or 'finally' block"));
            }
        }
        // 'try' ':' block* except_block+ a='except' b='*' expression ['as' NAME] ':'
        // 'try' ':' block* except_star_block+ a='except' [expression ['as' NAME]] ':'
        for star in [false, true] {
            self.p = after_try;
            if !self.eat(TokKind::COLON)? {
                break;
            }
            while self.block()?.is_some() {}
            let mut n = 0;
            while self.except_block(star)?.is_some() {
                n += 1;
            }
            if n == 0 {
                continue;
            }
            let a = self.peek()?;
            if a.kw != Kw::Except {
                continue;
            }
            self.p += 1;
            if !star {
                let b = self.peek()?;
                if self.eat(TokKind::STAR)? && self.expression()?.is_some() {
                    self.opt_as_name_loose()?;
                    if self.next_is(TokKind::COLON)? {
                        let msg = "cannot have both 'except' and 'except*' on the same 'try'";
                        return Err(self.raise_range(msg, tok_pos(&a.t), tok_pos(&b.t)));
                    }
                }
            } else {
                let m2 = self.p;
                if self.expression()?.is_some() {
                    self.opt_as_name_loose()?;
                } else {
                    self.p = m2;
                }
                if self.next_is(TokKind::COLON)? {
                    let msg = "cannot have both 'except' and 'except*' on the same 'try'";
                    return Err(self.raise_tok(msg, &a.t));
                }
            }
        }
        self.p = m;
        Ok(())
    }

    /// `['as' NAME]`
    fn opt_as_name_loose(&mut self) -> Result<(), E> {
        let m = self.p;
        if !(self.eat_kw(Kw::As)? && self.name_tok()?.is_some()) {
            self.p = m;
        }
        Ok(())
    }

    /// `invalid_except_stmt_indent` / `invalid_except_star_stmt_indent` (the mark on 'except').
    pub(super) fn invalid_except_stmt_indent(&mut self, star: bool) -> Result<(), E> {
        let m = self.p;
        let a = self.peek()?;
        if !self.eat_kw(Kw::Except)? {
            return Ok(());
        }
        let what = if star { "'except*' statement" } else { "'except' statement" };
        if star && !self.eat(TokKind::STAR)? {
            self.p = m;
            return Ok(());
        }
        let after = self.p;
        if self.expression()?.is_some() {
            self.opt_as_name_loose()?;
            self.invalid_block_after(false, what, a.t.lineno)?;
        }
        if !star {
            self.p = after;
            self.invalid_block_after(false, what, a.t.lineno)?;
        }
        self.p = m;
        Ok(())
    }

    /// `invalid_except_stmt` (3.11–3.13: also for `except*`) / `invalid_except_star_stmt` (3.14+).
    pub(super) fn invalid_except_stmt(&mut self, star: bool) -> Result<(), E> {
        let m = self.p;
        let a = self.peek()?;
        if !self.eat_kw(Kw::Except)? {
            return Ok(());
        }
        let after_kw = self.p;
        let new = self.g.lexer_minor >= 14;
        let has_star = if new { star && self.eat(TokKind::STAR)? } else { self.eat(TokKind::STAR)? };
        if new && star && !has_star {
            self.p = m;
            return Ok(());
        }
        let after_star = self.p;
        // 'except' '*'? a=expression ',' expressions ['as' NAME ] ':'   (3.14+: 'as' NAME required)
        let first = self.expression()?;
        if let Some(first) = first.filter(|_| self.next_is(TokKind::COMMA).unwrap_or(false)) {
            self.p += 1;
            let a = self.expr_pos(&first);
            let ok = self.expressions()?.is_some()
                && if new {
                    self.eat_kw(Kw::As)? && self.name_tok()?.is_some()
                } else {
                    self.opt_as_name_loose()?;
                    true
                };
            if ok && self.next_is(TokKind::COLON)? {
                return Err(self.raise_from(self.g.msg(Msg::ExceptParens), a.lineno, a.col_offset));
            }
        }
        // a='except' '*'? expression ['as' NAME ] NEWLINE
        self.p = after_star;
        if self.expression()?.is_some() {
            self.opt_as_name_loose()?;
            if self.next_is(TokKind::NEWLINE)? {
                return Err(self.raise_last(ErrorKind::SyntaxError, "expected ':'"));
            }
        }
        // a='except' NEWLINE
        self.p = after_kw;
        if !(new && star) && self.next_is(TokKind::NEWLINE)? {
            return Err(self.raise_last(ErrorKind::SyntaxError, "expected ':'"));
        }
        // a='except' '*' (NEWLINE | ':')
        if (!new || star) && self.eat(TokKind::STAR)? && matches!(self.peek_kind()?.0, TokKind::NEWLINE | TokKind::COLON) {
            return Err(self.raise_last(ErrorKind::SyntaxError, "expected one or more exception types"));
        }
        // 3.14+: 'except' '*'? expression 'as' a=expression ':' block
        if new {
            self.p = after_star;
            if self.expression()?.is_some() && self.eat_kw(Kw::As)? {
                if let Some(t) = self.expression()? {
                    if self.eat(TokKind::COLON)? && self.block()?.is_some() {
                        let v = self.b.expr_view(&t);
                        let what = if star { "except*" } else { "except" };
                        let _ = a;
                        return Err(self.raise_pos(&format!("cannot use {what} statement with {}", v.tag.name()), v.pos));
                    }
                }
            }
        }
        self.p = m;
        Ok(())
    }

    /// `invalid_finally_stmt` / `invalid_else_stmt` (the mark on the keyword).
    pub(super) fn invalid_kw_colon_block(&mut self, kw: Kw, name: &str) -> Result<(), E> {
        let m = self.p;
        let a = self.peek()?;
        if self.eat_kw(kw)? {
            self.invalid_block_after(false, &format!("'{name}' statement"), a.t.lineno)?;
        }
        self.p = m;
        Ok(())
    }

    /// `invalid_match_stmt`.
    pub(super) fn invalid_match_stmt(&mut self) -> Result<(), E> {
        let m = self.p;
        let a = self.peek()?;
        if self.eat_soft("match")? && self.subject_expr()?.is_some() {
            self.invalid_block_after(true, "'match' statement", a.t.lineno)?;
        }
        self.p = m;
        Ok(())
    }

    /// `invalid_case_block`.
    pub(super) fn invalid_case_block(&mut self) -> Result<(), E> {
        let m = self.p;
        let a = self.peek()?;
        if self.eat_soft("case")? && self.patterns()?.is_some() {
            let m2 = self.p;
            if !(self.eat_kw(Kw::If)? && self.named_expression()?.is_some()) {
                self.p = m2;
            }
            self.invalid_block_after(true, "'case' statement", a.t.lineno)?;
        }
        self.p = m;
        Ok(())
    }
}

impl<'s, 'b, B: AstBuilder> Parser<'s, 'b, B> {
    // ------------------------------------------------------------------ expressions

    /// `expression_without_invalid`: an expression with the `invalid_*` rules off.
    fn expression_without_invalid(&mut self) -> PR<B::Expr> {
        let saved = self.invalid;
        self.invalid = false;
        // its own rule: not stored in `expression`'s memo at this mark
        let r = match self.enter() {
            Ok(()) => {
                let r = stacker::maybe_grow(RED_ZONE, STACK_GROW, || self.expression_inner());
                self.leave();
                r
            }
            Err(e) => Err(e),
        };
        self.invalid = saved;
        r
    }

    /// Whether the token at the mark is a soft keyword (`SOFT_KEYWORD`).
    fn at_soft_keyword(&mut self) -> Result<bool, E> {
        let t = self.peek()?;
        if t.t.kind != TokKind::NAME || t.kw != Kw::No {
            return Ok(false);
        }
        Ok(match self.text(&t.t) {
            "_" | "case" | "match" => true,
            "type" => self.g.type_params,
            "lazy" => self.g.lazy_imports,
            _ => false,
        })
    }

    /// `_PyPegen_check_legacy_stmt`: a Name `print` or `exec`.
    fn is_legacy_name(&self, e: &B::Expr) -> bool {
        let v = self.b.expr_view(e);
        if v.tag != ExprTag::Name {
            return false;
        }
        let p = v.pos;
        if p.lineno != p.end_lineno {
            return false;
        }
        let line = self.line_text(p.lineno);
        matches!(line.get(p.col_offset as usize..p.end_col_offset as usize), Some("print" | "exec"))
    }

    /// `invalid_expression`.
    pub(super) fn invalid_expression(&mut self) -> Result<(), E> {
        let m = self.p;
        // !(NAME STRING | SOFT_KEYWORD) a=disjunction b=expression_without_invalid
        let t0 = self.peek()?;
        let name_string = t0.t.kind == TokKind::NAME
            && t0.kw == Kw::No
            && matches!(self.kind_at(m + 1)?.0, TokKind::STRING | TokKind::FSTRING_START | TokKind::TSTRING_START);
        if !name_string && !self.at_soft_keyword()? {
            if let Some(a) = self.disjunction()? {
                if let Some(b) = self.expression_without_invalid()? {
                    let level = self.toks.get(self.p.wrapping_sub(1)).map_or(0, |t| t.level);
                    if !self.is_legacy_name(&a) && level != 0 {
                        let (pa, pb) = (self.expr_pos(&a), self.expr_pos(&b));
                        return Err(self.raise_range("invalid syntax. Perhaps you forgot a comma?", pa, pb));
                    }
                }
            }
        }
        self.p = m;
        // a=disjunction 'if' b=disjunction !('else'|':')
        if let Some(a) = self.disjunction()? {
            if self.eat_kw(Kw::If)? {
                if let Some(b) = self.disjunction()? {
                    let t = self.peek()?;
                    if t.kw != Kw::Else && t.t.kind != TokKind::COLON {
                        let (pa, pb) = (self.expr_pos(&a), self.expr_pos(&b));
                        return Err(self.raise_range("expected 'else' after 'if' expression", pa, pb));
                    }
                }
            }
        }
        self.p = m;
        // a='lambda' [lambda_params] b=':' &(FSTRING_MIDDLE | TSTRING_MIDDLE)
        if self.g.pep701 {
            let a = self.peek()?;
            if self.eat_kw(Kw::Lambda)? {
                self.parameters(true)?;
                let b = self.peek()?;
                if self.eat(TokKind::COLON)? {
                    let k = self.peek_kind()?.0;
                    let what = match k {
                        TokKind::FSTRING_MIDDLE => Some("f-string"),
                        TokKind::TSTRING_MIDDLE => Some("t-string"),
                        _ => None,
                    };
                    if let Some(w) = what {
                        let msg = format!("{w}: lambda expressions are not allowed without parentheses");
                        return Err(self.raise_range(&msg, tok_pos(&a.t), tok_pos(&b.t)));
                    }
                }
            }
        }
        self.p = m;
        Ok(())
    }

    /// `invalid_legacy_expression: a=NAME !'(' b=star_expressions`.
    pub(super) fn invalid_legacy_expression(&mut self) -> Result<(), E> {
        let m = self.p;
        let Some(n) = self.name_tok()? else { return Ok(()) };
        let name = self.text(&n);
        if self.next_is(TokKind::LPAR)? {
            self.p = m;
            return Ok(());
        }
        // the name is checked by the action, after `star_expressions` was parsed
        if let Some(b) = self.star_expressions()?.filter(|_| matches!(name, "print" | "exec")) {
            let pb = self.expr_pos(&b);
            let msg = format!("Missing parentheses in call to '{name}'. Did you mean {name}(...)?");
            return Err(self.raise_range(&msg, tok_pos(&n), pb));
        }
        self.p = m;
        Ok(())
    }

    /// Whether `list`, `tuple` or `genexp` matches at the mark (no move).
    fn at_list_tuple_genexp(&mut self) -> Result<bool, E> {
        let m = self.p;
        let t = self.peek()?;
        let r = match t.t.kind {
            TokKind::LSQB => self.atom()?.map(|e| self.b.expr_view(&e).tag) == Some(ExprTag::List),
            TokKind::LPAR => match self.atom()? {
                Some(e) => {
                    let v = self.b.expr_view(&e);
                    matches!(v.tag, ExprTag::Tuple | ExprTag::GeneratorExp)
                        && v.pos.lineno == t.t.lineno
                        && v.pos.col_offset as i32 == t.t.col
                }
                None => false,
            },
            _ => false,
        };
        self.p = m;
        Ok(r)
    }

    /// `invalid_named_expression`.
    pub(super) fn invalid_named_expression(&mut self) -> Result<(), E> {
        let m = self.p;
        // a=expression ':=' expression
        if let Some(a) = self.expression()? {
            if self.eat(TokKind::COLONEQUAL)? && self.expression()?.is_some() {
                let v = self.b.expr_view(&a);
                return Err(self.raise_pos(&format!("cannot use assignment expressions with {}", v.tag.name()), v.pos));
            }
        }
        self.p = m;
        // a=NAME '=' b=bitwise_or !('='|':=')
        if let Some(n) = self.name_tok()? {
            if self.eat(TokKind::EQUAL)? {
                if let Some(b) = self.bitwise_or()? {
                    if !matches!(self.peek_kind()?.0, TokKind::EQUAL | TokKind::COLONEQUAL) {
                        let pb = self.expr_pos(&b);
                        let msg = "invalid syntax. Maybe you meant '==' or ':=' instead of '='?";
                        return Err(self.raise_range(msg, tok_pos(&n), pb));
                    }
                }
            }
        }
        self.p = m;
        // !(list|tuple|genexp|'True'|'None'|'False') a=bitwise_or b='=' bitwise_or !('='|':=')
        let k = self.peek_kind()?.1;
        if !matches!(k, Kw::True | Kw::None | Kw::False) && !self.at_list_tuple_genexp()? {
            if let Some(a) = self.bitwise_or()? {
                if self.eat(TokKind::EQUAL)?
                    && self.bitwise_or()?.is_some()
                    && !matches!(self.peek_kind()?.0, TokKind::EQUAL | TokKind::COLONEQUAL)
                {
                    let v = self.b.expr_view(&a);
                    let msg = format!("cannot assign to {} here. Maybe you meant '==' instead of '='?", v.tag.name());
                    return Err(self.raise_pos(&msg, v.pos));
                }
            }
        }
        self.p = m;
        Ok(())
    }

    /// `invalid_for_if_clause` (3.13+).
    pub(super) fn invalid_for_if_clause(&mut self) -> Result<(), E> {
        let m = self.p;
        self.eat_kw(Kw::Async)?;
        if self.eat_kw(Kw::For)? && self.bitwise_or()?.is_some() {
            loop {
                let m2 = self.p;
                if !(self.eat(TokKind::COMMA)? && self.bitwise_or()?.is_some()) {
                    self.p = m2;
                    break;
                }
            }
            self.eat(TokKind::COMMA)?;
            if !self.next_is_kw(Kw::In)? {
                return Err(self.raise_last(ErrorKind::SyntaxError, "'in' expected after for-loop variables"));
            }
        }
        self.p = m;
        Ok(())
    }

    // ------------------------------------------------------------------ call arguments

    /// `invalid_kwarg`.
    pub(super) fn invalid_kwarg(&mut self) -> Result<(), E> {
        let m = self.p;
        let a = self.peek()?;
        let name_like = matches!(a.kw, Kw::True | Kw::False | Kw::None | Kw::No) && a.t.kind == TokKind::NAME;
        let b = if name_like { self.at(m + 1)? } else { a };
        // a=('True'|'False'|'None') b='='
        if matches!(a.kw, Kw::True | Kw::False | Kw::None) && b.t.kind == TokKind::EQUAL {
            let msg = format!("cannot assign to {}", self.text(&a.t));
            return Err(self.raise_range(&msg, tok_pos(&a.t), tok_pos(&b.t)));
        }
        // a=NAME b='=' expression for_if_clauses
        if a.t.kind == TokKind::NAME && a.kw == Kw::No && b.t.kind == TokKind::EQUAL {
            self.p = m + 2;
            if self.expression()?.is_some() && self.for_if_clauses()?.is_some() {
                let msg = "invalid syntax. Maybe you meant '==' or ':=' instead of '='?";
                return Err(self.raise_range(msg, tok_pos(&a.t), tok_pos(&b.t)));
            }
            self.p = m;
        } else if let Some(e) = self.expression()? {
            // !(NAME '=') a=expression b='='
            let b = self.peek()?;
            if b.t.kind == TokKind::EQUAL {
                let pa = self.expr_pos(&e);
                return Err(self.raise_range("expression cannot contain assignment, perhaps you meant \"==\"?", pa, tok_pos(&b.t)));
            }
        }
        self.p = m;
        // 3.12+: a='**' expression '=' b=expression
        if self.g.lexer_minor >= 12 && self.eat(TokKind::DOUBLESTAR)? && self.expression()?.is_some() && self.eat(TokKind::EQUAL)? {
            if let Some(e) = self.expression()? {
                let pb = self.expr_pos(&e);
                return Err(self.raise_range("cannot assign to keyword argument unpacking", tok_pos(&a.t), pb));
            }
        }
        self.p = m;
        Ok(())
    }

    /// `invalid_starred_expression_unpacking: a='*' expression '=' b=expression` (3.12+).
    pub(super) fn invalid_starred_expression_unpacking(&mut self) -> Result<(), E> {
        let m = self.p;
        let a = self.peek()?;
        if self.eat(TokKind::STAR)? && self.expression()?.is_some() && self.eat(TokKind::EQUAL)? {
            if let Some(e) = self.expression()? {
                let pb = self.expr_pos(&e);
                return Err(self.raise_range("cannot assign to iterable argument unpacking", tok_pos(&a.t), pb));
            }
        }
        self.p = m;
        Ok(())
    }

    /// `invalid_arguments`.
    pub(super) fn invalid_arguments(&mut self) -> Result<(), E> {
        let m = self.p;
        {
            // 3.11.2: a=args ',' '*' (over the arguments, keyword arguments or not)
            if self.quirks_3_11_2 {
                if self.args(FirstArg::Unknown)?.is_some() {
                    let last = self.p.checked_sub(1).and_then(|k| self.toks.get(k)).map(|t| t.t);
                    let first = self.toks.get(m).map(|t| t.t);
                    if self.eat(TokKind::COMMA)? && self.next_is(TokKind::STAR)? {
                        if let (Some(first), Some(last)) = (first, last) {
                            let msg = "iterable argument unpacking follows keyword argument unpacking";
                            return Err(self.raise_range(msg, self.tpos(&first), self.tpos(&last)));
                        }
                    }
                }
                self.p = m;
            }
            // 3.11: (positional ',' kwargs | kwargs) ',' b='*'
            if self.g.lexer_minor == 11 {
                if let Some(a) = self.args(FirstArg::Unknown)? {
                    if a.had_kwargs && self.eat(TokKind::COMMA)? {
                        let b = self.peek()?;
                        if b.t.kind == TokKind::STAR {
                            return Err(self.raise_tok("iterable argument unpacking follows keyword argument unpacking", &b.t));
                        }
                    }
                }
                self.p = m;
            }
            // (positional ',' kwargs | kwargs) a=',' ','.(starred_expression !'=')+
            if let Some(a) = self.args(FirstArg::Unknown)?.filter(|_| self.g.lexer_minor >= 12) {
                let comma = self.peek()?;
                if a.had_kwargs && self.eat(TokKind::COMMA)? {
                    if let Some(_s) = self.starred_expression()? {
                        if !self.next_is(TokKind::EQUAL)? {
                            let msg = "iterable argument unpacking follows keyword argument unpacking";
                            return Err(self.raise_from(msg, comma.t.lineno, comma.t.col.max(0) as u32));
                        }
                    }
                }
            }
        }
        self.p = m;
        // a=expression b=for_if_clauses ',' [args | expression for_if_clauses]
        if let Some(a) = self.expression()? {
            if self.for_if_clauses()?.is_some() && self.next_is(TokKind::COMMA)? {
                let last = self.last_comp_item;
                let pa = self.expr_pos(&a);
                return Err(self.raise_range("Generator expression must be parenthesized", pa, last));
            }
        }
        self.p = m;
        // a=NAME b='=' expression for_if_clauses
        let a = self.peek()?;
        if a.t.kind == TokKind::NAME && a.kw == Kw::No && self.kind_at(m + 1)?.0 == TokKind::EQUAL {
            let b = self.at(m + 1)?;
            self.p = m + 2;
            if self.expression()?.is_some() && self.for_if_clauses()?.is_some() {
                let msg = "invalid syntax. Maybe you meant '==' or ':=' instead of '='?";
                return Err(self.raise_range(msg, tok_pos(&a.t), tok_pos(&b.t)));
            }
        }
        self.p = m;
        // 3.12+: (args ',')? a=NAME b='=' &(',' | ')')
        if self.g.lexer_minor >= 12 {
            let m1 = self.p;
            if !(self.args(FirstArg::Unknown)?.is_some() && self.eat(TokKind::COMMA)?) {
                self.p = m1;
            }
            let a = self.peek()?;
            if a.t.kind == TokKind::NAME
                && a.kw == Kw::No
                && self.kind_at(self.p + 1)?.0 == TokKind::EQUAL
                && matches!(self.kind_at(self.p + 2)?.0, TokKind::COMMA | TokKind::RPAR)
            {
                let b = self.at(self.p + 1)?;
                return Err(self.raise_range("expected argument value expression", tok_pos(&a.t), tok_pos(&b.t)));
            }
            self.p = m;
        }
        // a=args b=for_if_clauses
        if let Some(a) = self.args(FirstArg::Unknown)? {
            if self.for_if_clauses()?.is_some() && a.args.len() > 1 {
                if let Some(last) = a.args.last() {
                    let pa = self.expr_pos(last);
                    let lc = self.last_comp_item;
                    return Err(self.raise_range("Generator expression must be parenthesized", pa, lc));
                }
            }
        }
        self.p = m;
        // args ',' a=expression b=for_if_clauses
        if self.args(FirstArg::Unknown)?.is_some() && self.eat(TokKind::COMMA)? {
            if let Some(a) = self.expression()? {
                if self.for_if_clauses()?.is_some() {
                    let pa = self.expr_pos(&a);
                    let lc = self.last_comp_item;
                    return Err(self.raise_range("Generator expression must be parenthesized", pa, lc));
                }
            }
        }
        self.p = m;
        // a=args ',' args
        if let Some(a) = self.args(FirstArg::Unknown)? {
            if self.eat(TokKind::COMMA)? && self.args(FirstArg::Unknown)?.is_some() {
                let msg = if a.kw_unpack {
                    "positional argument follows keyword argument unpacking"
                } else {
                    "positional argument follows keyword argument"
                };
                return Err(self.raise_last(ErrorKind::SyntaxError, msg));
            }
        }
        self.p = m;
        Ok(())
    }
}

impl<'s, 'b, B: AstBuilder> Parser<'s, 'b, B> {
    // ------------------------------------------------------------------ atoms

    /// `invalid_comprehension` for the bracket at the mark.
    pub(super) fn invalid_comprehension(&mut self) -> Result<(), E> {
        let m = self.p;
        let open = self.peek_kind()?.0;
        if !matches!(open, TokKind::LSQB | TokKind::LPAR | TokKind::LBRACE) {
            return Ok(());
        }
        self.p += 1;
        if self.g.comprehension_unpacking {
            // '[' a='**' b=expression for_if_clauses / '(' a='**' ...
            let a = self.peek()?;
            if open != TokKind::LBRACE && self.eat(TokKind::DOUBLESTAR)? {
                if let Some(b) = self.expression()? {
                    if self.for_if_clauses()?.is_some() {
                        let msg = if open == TokKind::LSQB {
                            "cannot use dict unpacking in list comprehension"
                        } else {
                            "cannot use dict unpacking in generator expression"
                        };
                        let pb = self.expr_pos(&b);
                        return Err(self.raise_range(msg, tok_pos(&a.t), pb));
                    }
                }
            }
        } else if let Some(a) = self.starred_expression()? {
            // ('[' | '(' | '{') a=starred_expression for_if_clauses
            if self.for_if_clauses()?.is_some() {
                let pa = self.expr_pos(&a);
                return Err(self.raise_pos("iterable unpacking cannot be used in comprehension", pa));
            }
        }
        if open != TokKind::LPAR {
            // ('[' | '{') a=star_named_expression ',' b=star_named_expressions for_if_clauses
            // ('[' | '{') a=star_named_expression b=',' for_if_clauses
            self.p = m + 1;
            if let Some(a) = self.star_named_expression()? {
                let comma = self.peek()?;
                if self.eat(TokKind::COMMA)? {
                    let after = self.p;
                    if let Some(b) = self.star_named_expressions()? {
                        if self.for_if_clauses()?.is_some() {
                            let (pa, pb) = (self.expr_pos(&a), b.last().map(|e| self.expr_pos(e)));
                            let msg = "did you forget parentheses around the comprehension target?";
                            return Err(self.raise_range(msg, pa, pb.unwrap_or(pa)));
                        }
                    }
                    self.p = after;
                    if self.for_if_clauses()?.is_some() {
                        let pa = self.expr_pos(&a);
                        let msg = "did you forget parentheses around the comprehension target?";
                        return Err(self.raise_range(msg, pa, tok_pos(&comma.t)));
                    }
                }
            }
        }
        self.p = m;
        Ok(())
    }

    /// `invalid_group`.
    pub(super) fn invalid_group(&mut self) -> Result<(), E> {
        let m = self.p;
        if !self.eat(TokKind::LPAR)? {
            return Ok(());
        }
        if let Some(a) = self.starred_expression()? {
            if self.next_is(TokKind::RPAR)? {
                let pa = self.expr_pos(&a);
                return Err(self.raise_pos("cannot use starred expression here", pa));
            }
        }
        self.p = m + 1;
        let a = self.peek()?;
        if self.eat(TokKind::DOUBLESTAR)? && self.expression()?.is_some() && self.next_is(TokKind::RPAR)? {
            let msg = if self.g.lexer_minor >= 15 { "cannot use dict unpacking here" } else { "cannot use double starred expression here" };
            return Err(self.raise_tok(msg, &a.t));
        }
        self.p = m;
        Ok(())
    }

    /// `invalid_dict_comprehension: '{' a='**' bitwise_or for_if_clauses '}'` (before 3.15).
    pub(super) fn invalid_dict_comprehension(&mut self) -> Result<(), E> {
        let m = self.p;
        if self.g.comprehension_unpacking || !self.eat(TokKind::LBRACE)? {
            self.p = m;
            return Ok(());
        }
        let a = self.peek()?;
        if self.eat(TokKind::DOUBLESTAR)?
            && self.bitwise_or()?.is_some()
            && self.for_if_clauses()?.is_some()
            && self.next_is(TokKind::RBRACE)?
        {
            return Err(self.raise_tok("dict unpacking cannot be used in dict comprehension", &a.t));
        }
        self.p = m;
        Ok(())
    }

    /// `'{' invalid_double_starred_kvpairs '}'` (the mark on '{').
    pub(super) fn invalid_dict(&mut self) -> Result<(), E> {
        let m = self.p;
        if !self.eat(TokKind::LBRACE)? {
            return Ok(());
        }
        let start = self.p;
        // ','.double_starred_kvpair+ ',' invalid_kvpair
        let mut n = 0;
        loop {
            let m2 = self.p;
            if self.eat(TokKind::DOUBLESTAR)? {
                if self.bitwise_or()?.is_none() {
                    self.p = m2;
                    break;
                }
            } else if !(self.expression()?.is_some() && self.eat(TokKind::COLON)? && self.expression()?.is_some()) {
                self.p = m2;
                break;
            }
            n += 1;
            let m3 = self.p;
            if !self.eat(TokKind::COMMA)? {
                break;
            }
            let m4 = self.p;
            let more = self.eat(TokKind::DOUBLESTAR)? || {
                let e = self.expression()?.is_some();
                e && self.eat(TokKind::COLON)? && self.expression()?.is_some()
            };
            self.p = m4;
            if !more {
                self.p = m3;
                break;
            }
        }
        if n > 0 && self.eat(TokKind::COMMA)? {
            self.invalid_kvpair()?;
        }
        // expression ':' a='*' bitwise_or / expression a=':' &('}'|',')
        self.p = start;
        self.invalid_kv_value()?;
        self.p = m;
        Ok(())
    }

    /// `expression ':' a='*' bitwise_or | expression a=':' &('}'|',')`
    fn invalid_kv_value(&mut self) -> Result<(), E> {
        let m = self.p;
        if self.expression()?.is_some() {
            let colon = self.peek()?;
            if self.eat(TokKind::COLON)? {
                let a = self.peek()?;
                if self.eat(TokKind::STAR)? {
                    if let Some(b) = self.bitwise_or()? {
                        let msg = "cannot use a starred expression in a dictionary value";
                        if self.g.lexer_minor >= 15 {
                            // 3.15: the range of `*value` (RAISE_SYNTAX_ERROR_KNOWN_RANGE)
                            let pb = self.expr_pos(&b);
                            return Err(self.raise_range(msg, tok_pos(&a.t), pb));
                        }
                        return Err(self.raise_from(msg, a.t.lineno, a.t.col.max(0) as u32));
                    }
                }
                self.p = m;
                self.expression()?;
                self.p += 1;
                if matches!(self.peek_kind()?.0, TokKind::RBRACE | TokKind::COMMA) {
                    return Err(self.raise_tok("expression expected after dictionary key and ':'", &colon.t));
                }
            }
        }
        self.p = m;
        Ok(())
    }

    /// `invalid_kvpair`.
    fn invalid_kvpair(&mut self) -> Result<(), E> {
        let m = self.p;
        if let Some(a) = self.expression()? {
            if !self.next_is(TokKind::COLON)? {
                let pa = self.expr_pos(&a);
                return Err(self.raise_at(
                    ErrorKind::SyntaxError,
                    "':' expected after dictionary key",
                    pa.lineno,
                    pa.end_col_offset as i32 - 1,
                    pa.end_lineno,
                    -1,
                ));
            }
        }
        self.p = m;
        self.invalid_kv_value()
    }

    /// 3.13+: `sum op a='not' b=inversion` after an arithmetic operator whose operand failed
    /// (`invalid_arithmetic`; the mark on the operator).
    pub(super) fn invalid_arithmetic(&mut self) -> Result<(), E> {
        let m = self.p;
        let a = self.at(m + 1)?;
        if a.kw == Kw::Not {
            self.p = m + 2;
            if let Some(b) = self.inversion()? {
                let pb = self.expr_pos(&b);
                return Err(self.raise_range("'not' after an operator must be parenthesized", tok_pos(&a.t), pb));
            }
        }
        self.p = m;
        Ok(())
    }

    /// 3.13+: `('+' | '-' | '~') a='not' b=factor` (`invalid_factor`; the mark after the sign).
    pub(super) fn invalid_factor(&mut self) -> Result<(), E> {
        let m = self.p;
        let a = self.peek()?;
        if a.kw == Kw::Not {
            self.p += 1;
            if let Some(b) = self.factor()? {
                let pb = self.expr_pos(&b);
                return Err(self.raise_range("'not' after an operator must be parenthesized", tok_pos(&a.t), pb));
            }
        }
        self.p = m;
        Ok(())
    }
}

impl<'s, 'b, B: AstBuilder> Parser<'s, 'b, B> {
    // ------------------------------------------------------------------ simple statements

    /// `invalid_ann_assign_target: list | tuple | '(' invalid_ann_assign_target ')'`
    fn invalid_ann_assign_target(&mut self) -> Result<Option<(ExprTag, Pos)>, E> {
        let m = self.p;
        let t = self.peek()?;
        match t.t.kind {
            TokKind::LSQB | TokKind::LPAR => {
                if let Some(e) = self.atom()? {
                    let v = self.b.expr_view(&e);
                    let own = v.pos.lineno == t.t.lineno && v.pos.col_offset as i32 == t.t.col;
                    if (v.tag == ExprTag::List || v.tag == ExprTag::Tuple) && own {
                        return Ok(Some((v.tag, v.pos)));
                    }
                }
                self.p = m;
                if t.t.kind == TokKind::LPAR {
                    self.p += 1;
                    if let Some(r) = self.invalid_ann_assign_target()? {
                        if self.eat(TokKind::RPAR)? {
                            return Ok(Some(r));
                        }
                    }
                }
            }
            _ => {}
        }
        self.p = m;
        Ok(None)
    }

    /// `invalid_assignment`.
    pub(super) fn invalid_assignment(&mut self) -> Result<(), E> {
        let m = self.p;
        // a=invalid_ann_assign_target ':' expression
        if let Some((tag, pos)) = self.invalid_ann_assign_target()? {
            if self.eat(TokKind::COLON)? && self.expression()?.is_some() {
                return Err(self.raise_pos(&format!("only single target (not {}) can be annotated", tag.name()), pos));
            }
        }
        self.p = m;
        // a=star_named_expression ',' star_named_expressions* ':' expression
        if let Some(a) = self.star_named_expression()? {
            if self.eat(TokKind::COMMA)? {
                while self.star_named_expressions()?.is_some() {}
                if self.eat(TokKind::COLON)? && self.expression()?.is_some() {
                    let pa = self.expr_pos(&a);
                    return Err(self.raise_pos("only single target (not tuple) can be annotated", pa));
                }
            }
        }
        self.p = m;
        // a=expression ':' expression
        if let Some(a) = self.expression()? {
            if self.eat(TokKind::COLON)? && self.expression()?.is_some() {
                let pa = self.expr_pos(&a);
                return Err(self.raise_pos("illegal target for annotation", pa));
            }
        }
        self.p = m;
        // (star_targets '=')* a=star_expressions '='
        // (star_targets '=')* a=yield_expr '='
        loop {
            let m2 = self.p;
            if !(self.star_targets()?.is_some() && self.eat(TokKind::EQUAL)?) {
                self.p = m2;
                break;
            }
        }
        let after = self.p;
        if let Some(a) = self.star_expressions()? {
            if self.next_is(TokKind::EQUAL)? {
                self.raise_invalid_target(Targets::Star, &a)?;
            }
        }
        self.p = after;
        if self.next_is_kw(Kw::Yield)? {
            if let Some(a) = self.yield_expr()? {
                if self.next_is(TokKind::EQUAL)? {
                    let pa = self.expr_pos(&a);
                    return Err(self.raise_pos("assignment to yield expression not possible", pa));
                }
            }
        }
        self.p = m;
        // a=star_expressions augassign (yield_expr | star_expressions)
        if let Some(a) = self.star_expressions()? {
            if self.augassign()?.is_some() && self.annotated_rhs()?.is_some() {
                let v = self.b.expr_view(&a);
                let msg = format!("'{}' is an illegal expression for augmented assignment", v.tag.name());
                return Err(self.raise_pos(&msg, v.pos));
            }
        }
        self.p = m;
        Ok(())
    }

    /// `invalid_del_stmt: 'del' a=star_expressions`.
    pub(super) fn invalid_del_stmt(&mut self) -> Result<(), E> {
        let m = self.p;
        if self.eat_kw(Kw::Del)? {
            if let Some(a) = self.star_expressions()? {
                self.raise_invalid_target(Targets::Del, &a)?;
            }
        }
        self.p = m;
        Ok(())
    }

    /// `invalid_with_item: expression 'as' a=expression &(',' | ')' | ':')`.
    pub(super) fn invalid_with_item(&mut self) -> Result<(), E> {
        let m = self.p;
        if self.expression()?.is_some() && self.eat_kw(Kw::As)? {
            if let Some(a) = self.expression()? {
                if matches!(self.peek_kind()?.0, TokKind::COMMA | TokKind::RPAR | TokKind::COLON) {
                    self.raise_invalid_target(Targets::Star, &a)?;
                }
            }
        }
        self.p = m;
        Ok(())
    }

    /// 3.12+ `invalid_import` (the mark on 'import').
    pub(super) fn invalid_import(&mut self) -> Result<(), E> {
        let m = self.p;
        let a = self.peek()?;
        if !self.eat_kw(Kw::Import)? {
            return Ok(());
        }
        // a='import' ','.dotted_name+ 'from' dotted_name
        let mut n = 0;
        loop {
            let m2 = self.p;
            if self.dotted_name()?.is_none() {
                self.p = m2;
                break;
            }
            n += 1;
            let m3 = self.p;
            if !self.eat(TokKind::COMMA)? {
                break;
            }
            if !self.next_is(TokKind::NAME)? {
                self.p = m3;
                break;
            }
        }
        if n > 0 && self.eat_kw(Kw::From)? && self.dotted_name()?.is_some() {
            let msg = "Did you mean to use 'from ... import ...' instead?";
            return Err(self.raise_from(msg, a.t.lineno, a.t.col.max(0) as u32));
        }
        // 'import' token=NEWLINE (3.13+)
        self.p = m + 1;
        if self.g.lexer_minor >= 13 {
            let t = self.peek()?;
            if t.t.kind == TokKind::NEWLINE {
                return Err(self.raise_from("Expected one or more names after 'import'", t.t.lineno, t.t.col.max(0) as u32));
            }
        }
        self.p = m;
        Ok(())
    }

    /// `invalid_import_from_targets` (the mark after 'import').
    pub(super) fn invalid_import_from_targets(&mut self) -> Result<(), E> {
        let m = self.p;
        if self.import_from_as_names()?.is_some() && self.eat(TokKind::COMMA)? && self.next_is(TokKind::NEWLINE)? {
            return Err(self.raise_last(ErrorKind::SyntaxError, "trailing comma not allowed without surrounding parentheses"));
        }
        self.p = m;
        if self.g.lexer_minor >= 13 {
            let t = self.peek()?;
            if t.t.kind == TokKind::NEWLINE {
                return Err(self.raise_from("Expected one or more names after 'import'", t.t.lineno, t.t.col.max(0) as u32));
            }
        }
        Ok(())
    }

    /// 3.13+ `invalid_type_params: '[' token=']'` (the mark on '[').
    pub(super) fn invalid_type_params(&mut self) -> Result<(), E> {
        if self.next_is(TokKind::LSQB)? && self.kind_at(self.p + 1)?.0 == TokKind::RSQB {
            let t = self.at(self.p + 1)?;
            self.p += 2;
            return Err(self.raise_from("Type parameter list cannot be empty", t.t.lineno, t.t.col.max(0) as u32));
        }
        Ok(())
    }

    // ------------------------------------------------------------------ patterns

    /// `invalid_as_pattern` (the mark after the or_pattern, on 'as').
    pub(super) fn invalid_as_pattern(&mut self) -> Result<(), E> {
        let m = self.p;
        if !self.eat_kw(Kw::As)? {
            return Ok(());
        }
        let a = self.peek()?;
        if a.t.kind == TokKind::NAME && a.kw == Kw::No && self.text(&a.t) == "_" {
            return Err(self.raise_tok("cannot use '_' as a target", &a.t));
        }
        let new = self.g.lexer_minor >= 14;
        if new || !(a.t.kind == TokKind::NAME && a.kw == Kw::No) {
            if let Some(e) = self.expression()? {
                let v = self.b.expr_view(&e);
                if new {
                    return Err(self.raise_pos(&format!("cannot use {} as pattern target", v.tag.name()), v.pos));
                }
                return Err(self.raise_pos("invalid pattern target", v.pos));
            }
        }
        self.p = m;
        Ok(())
    }

    /// `invalid_class_pattern` (the mark on the class name).
    pub(super) fn invalid_class_pattern(&mut self) -> Result<(), E> {
        let m = self.p;
        if self.name_or_attr()?.is_none() || !self.eat(TokKind::LPAR)? {
            self.p = m;
            return Ok(());
        }
        let after = self.p;
        // [positional_patterns ','] keyword_patterns ',' a=positional_patterns
        for with_pos in [true, false] {
            self.p = after;
            if with_pos && (self.positional_patterns_loose()?.is_none() || !self.eat(TokKind::COMMA)?) {
                continue;
            }
            let mut nk = 0;
            loop {
                let m2 = self.p;
                if !(self.name_tok()?.is_some() && self.eat(TokKind::EQUAL)? && self.pattern()?.is_some()) {
                    self.p = m2;
                    break;
                }
                nk += 1;
                let m3 = self.p;
                if !self.eat(TokKind::COMMA)? || !self.is_keyword_pattern()? {
                    self.p = m3;
                    break;
                }
            }
            if nk == 0 || !self.eat(TokKind::COMMA)? {
                continue;
            }
            if let Some((first, last)) = self.positional_patterns_loose()? {
                return Err(self.raise_range("positional patterns follow keyword patterns", first, last));
            }
        }
        self.p = m;
        Ok(())
    }

    /// `positional_patterns: ','.pattern+`: the positions of the first and last pattern.
    fn positional_patterns_loose(&mut self) -> Result<Option<(Pos, Pos)>, E> {
        let mut first = None;
        let mut last = None;
        loop {
            let s = self.p;
            if self.pattern()?.is_none() {
                self.p = s;
                break;
            }
            let pos = self.pos(s);
            first.get_or_insert(pos);
            last = Some(pos);
            let m3 = self.p;
            if !self.eat(TokKind::COMMA)? {
                break;
            }
            let m4 = self.p;
            // 3.11: a gather ends at an error without failing (the generated loop does not
            // check `p->error_indicator`): the rule's own error then replaces the tokenizer's.
            let more = match self.pattern() {
                Ok(r) => r.is_some(),
                Err(_) if self.lex_failed && self.g.lexer_minor == 11 => false,
                Err(e) => return Err(e),
            };
            self.p = m4;
            if !more {
                self.p = m3;
                break;
            }
        }
        Ok(first.zip(last))
    }
}

impl<'s, 'b, B: AstBuilder> Parser<'s, 'b, B> {
    // ------------------------------------------------------------------ f-strings (3.12+)

    /// `RAISE_SYNTAX_ERROR_ON_NEXT_TOKEN`: at the token at the mark.
    fn raise_next(&mut self, msg: &str) -> E {
        match self.peek() {
            Ok(t) => self.error_at(&t.t, msg),
            Err(e) => e,
        }
    }

    /// `invalid_fstring_replacement_field` / `invalid_tstring_replacement_field` (the mark on '{').
    pub(super) fn invalid_replacement_field(&mut self, raw: bool, template: bool) -> Result<(), E> {
        let m = self.p;
        let w = if template { "t-string" } else { "f-string" };
        if !self.eat(TokKind::LBRACE)? {
            return Ok(());
        }
        let a = self.peek()?;
        let c = match a.t.kind {
            TokKind::EQUAL => Some('='),
            TokKind::EXCLAMATION => Some('!'),
            TokKind::COLON => Some(':'),
            TokKind::RBRACE => Some('}'),
            _ => None,
        };
        if let Some(c) = c {
            return Err(self.raise_tok(&format!("{w}: valid expression required before '{c}'"), &a.t));
        }
        let after_brace = self.p;
        if self.annotated_rhs()?.is_none() {
            self.p = after_brace;
            return Err(self.raise_next(&format!("{w}: expecting a valid expression after '{{'")));
        }
        let after_expr = self.p;
        let k = self.peek_kind()?.0;
        if !matches!(k, TokKind::EQUAL | TokKind::EXCLAMATION | TokKind::COLON | TokKind::RBRACE) {
            return Err(self.raise_next(&format!("{w}: expecting '=', or '!', or ':', or '}}'")));
        }
        if self.eat(TokKind::EQUAL)? && !matches!(self.peek_kind()?.0, TokKind::EXCLAMATION | TokKind::COLON | TokKind::RBRACE) {
            return Err(self.raise_next(&format!("{w}: expecting '!', or ':', or '}}'")));
        }
        self.p = after_expr;
        self.eat(TokKind::EQUAL)?;
        let after_eq = self.p;
        // invalid_fstring_conversion_character
        if self.eat(TokKind::EXCLAMATION)? {
            let k = self.peek_kind()?.0;
            if matches!(k, TokKind::COLON | TokKind::RBRACE) {
                return Err(self.raise_next(&format!("{w}: missing conversion character")));
            }
            if k != TokKind::NAME {
                return Err(self.raise_next(&format!("{w}: invalid conversion character")));
            }
        }
        self.p = after_eq;
        // ['!' NAME]
        if !(self.eat(TokKind::EXCLAMATION)? && self.eat(TokKind::NAME)?) {
            self.p = after_eq;
        }
        let k = self.peek_kind()?.0;
        if !matches!(k, TokKind::COLON | TokKind::RBRACE) {
            return Err(self.raise_next(&format!("{w}: expecting ':' or '}}'")));
        }
        if self.eat(TokKind::COLON)? {
            let mut acc = LitAcc::default();
            let mut values = Vec::new();
            loop {
                let t = self.peek()?;
                match t.t.kind {
                    TokKind::FSTRING_MIDDLE | TokKind::TSTRING_MIDDLE => self.p += 1,
                    TokKind::LBRACE => {
                        if self.replacement_field(raw, &mut acc, &mut values, template)?.is_none() {
                            break;
                        }
                    }
                    _ => break,
                }
            }
            if !self.next_is(TokKind::RBRACE)? {
                return Err(self.raise_next(&format!("{w}: expecting '}}', or format specs")));
            }
        }
        if !self.next_is(TokKind::RBRACE)? {
            return Err(self.raise_next(&format!("{w}: expecting '}}'")));
        }
        self.p = m;
        Ok(())
    }
}

/// The features `from __future__ import` knows (`Python/future.c`).
const FUTURE_FEATURES: &[&str] = &[
    "nested_scopes",
    "generators",
    "division",
    "absolute_import",
    "with_statement",
    "print_function",
    "unicode_literals",
    "barry_as_FLUFL",
    "generator_stop",
    "annotations",
];

impl<'s, 'b, B: AstBuilder> Parser<'s, 'b, B> {
    /// 3.14+: `ast.parse` runs `future_parse` on the module: the `from __future__ import`
    /// statements at its start (after a docstring) must name known features. Done on the
    /// tokens of the parsed module.
    pub(super) fn future_check(&mut self) -> Result<(), E> {
        let kind = |p: &Self, i: usize| p.toks.get(i).map(|t| t.t.kind);
        let mut i = 0;
        // a docstring: a statement of plain str literals only
        let mut j = i;
        while kind(self, j) == Some(TokKind::STRING) {
            let Some(t) = self.toks.get(j).map(|t| t.t) else { break };
            let text = self.text(&t);
            if text.bytes().take_while(|c| c.is_ascii_alphabetic()).any(|c| matches!(c, b'b' | b'B')) {
                break;
            }
            j += 1;
        }
        if j > i && matches!(kind(self, j), Some(TokKind::NEWLINE | TokKind::SEMI)) {
            i = j + 1;
        }
        loop {
            let Some(t) = self.toks.get(i).copied() else { return Ok(()) };
            if t.kw != Kw::From {
                return Ok(());
            }
            let Some(m) = self.toks.get(i + 1).copied() else { return Ok(()) };
            if m.t.kind != TokKind::NAME || self.text(&m.t) != "__future__" || self.toks.get(i + 2).map(|t| t.kw) != Some(Kw::Import) {
                return Ok(());
            }
            let mut k = i + 3;
            if kind(self, k) == Some(TokKind::LPAR) {
                k += 1;
            }
            if let Some(st) = self.toks.get(k).copied().filter(|t| t.t.kind == TokKind::STAR) {
                return Err(self.raise_tok("future feature * is not defined", &st.t));
            }
            while let Some(n) = self.toks.get(k).copied() {
                if n.t.kind != TokKind::NAME {
                    break;
                }
                let mut end = n.t;
                k += 1;
                if self.toks.get(k).map(|t| t.kw) == Some(Kw::As) {
                    if let Some(a) = self.toks.get(k + 1) {
                        end = a.t;
                    }
                    k += 2;
                }
                let name = self.text(&n.t);
                if name == "braces" {
                    return Err(self.raise_range("not a chance", tok_pos(&n.t), tok_pos(&end)));
                }
                if !FUTURE_FEATURES.contains(&name) {
                    let msg = format!("future feature {name} is not defined");
                    return Err(self.raise_range(&msg, tok_pos(&n.t), tok_pos(&end)));
                }
                if kind(self, k) != Some(TokKind::COMMA) {
                    break;
                }
                k += 1;
            }
            while !matches!(kind(self, k), Some(TokKind::NEWLINE | TokKind::SEMI | TokKind::ENDMARKER) | None) {
                k += 1;
            }
            i = k + 1;
        }
    }
}

impl<'s, 'b, B: AstBuilder> Parser<'s, 'b, B> {
    /// `items_pattern: ','.key_value_pattern+` (the number of pairs).
    fn items_pattern_loose(&mut self) -> Result<usize, E> {
        let mut n = 0;
        loop {
            let m = self.p;
            let key = match self.literal_expr()? {
                Some(k) => Some(k),
                None => {
                    self.p = m;
                    self.attr()?
                }
            };
            if key.is_none() || !self.eat(TokKind::COLON)? || self.pattern()?.is_none() {
                self.p = m;
                if n > 0 {
                    // give the separator back
                    self.p = m - 1;
                }
                return Ok(n);
            }
            n += 1;
            if !self.eat(TokKind::COMMA)? {
                return Ok(n);
            }
        }
    }

    /// 3.15 `invalid_mapping_pattern: '{' (items_pattern ',')? rest=double_star_pattern ','
    /// items_pattern ','? '}'` (the mark on '{').
    pub(super) fn invalid_mapping_pattern(&mut self) -> Result<(), E> {
        let m = self.p;
        if !self.eat(TokKind::LBRACE)? {
            return Ok(());
        }
        let after = self.p;
        if !(self.items_pattern_loose()? > 0 && self.eat(TokKind::COMMA)?) {
            self.p = after;
        }
        if let Some(rest) = self.double_star_pattern()? {
            if self.eat(TokKind::COMMA)? && self.items_pattern_loose()? > 0 {
                self.eat(TokKind::COMMA)?;
                if self.next_is(TokKind::RBRACE)? {
                    let msg = "double star pattern must be the last (right-most) subpattern in the mapping pattern";
                    return Err(self.raise_tok(msg, &rest));
                }
            }
        }
        self.p = m;
        Ok(())
    }
}
