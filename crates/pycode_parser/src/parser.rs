//! The rules of `Grammar/python.gram`, one method per rule, alternatives in the grammar's order.
//!
//! Conventions: a rule returns `Ok(Some(node))` when it matched (the mark is after it),
//! `Ok(None)` when it did not (the mark is back where the rule started), `Err` for an error that
//! stops the parse (a tokenizer error, a depth limit, an error raised by an action).
//! Left-recursive rules are loops growing the seed. Where CPython's memo makes a second attempt at
//! the same position free (`disjunction` before `'if'`, the first element of `genexp` / `tuple` /
//! `group`, `kvpair` in `dictcomp` / `dict`, ...), the rule parses that prefix once and branches,
//! which gives the same result.

use crate::Mode;
use pycode_ast::{BoolOp, CmpOp, Constant, ExprContext, Operator, Pos, PyStr, UnaryOp};
use pycode_lexer::{Config, LexError, LexErrorKind, Lexer, TokKind, Token};
use pycode_parse::{ErrorKind, ParseError};

use crate::builder::AstBuilder;
use crate::grammar::Grammar;
use crate::numbers::{parse_number, NumberError};
use crate::strings::LitAcc;

mod invalid;

type E = Box<ParseError>;
type PR<T> = Result<Option<T>, E>;

/// CPython's `MAXSTACK`: the parser's recursion limit.
const MAXSTACK: u32 = 6000;
/// Stack kept free before a recursive rule runs; below it, a new segment is allocated.
const RED_ZONE: usize = 256 * 1024;
const STACK_GROW: usize = 4 * 1024 * 1024;

const MEMO_STAR_TARGET: u8 = 0;
const MEMO_TARGET_WITH_STAR_ATOM: u8 = 1;
const MEMO_DEL_TARGET: u8 = 2;
const MEMO_DISJUNCTION: u8 = 3;
const MEMO_EXPRESSION: u8 = 4;
const MEMO_BITWISE_OR: u8 = 5;
const MEMO_ATOM: u8 = 6;

/// Keywords (`reserved_keywords`); `Kw::No` for every other token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(non_camel_case_types)]
enum Kw {
    No,
    False,
    None,
    True,
    And,
    As,
    Assert,
    Async,
    Await,
    Break,
    Class,
    Continue,
    Def,
    Del,
    Elif,
    Else,
    Except,
    Finally,
    For,
    From,
    Global,
    If,
    Import,
    In,
    Is,
    Lambda,
    Nonlocal,
    Not,
    Or,
    Pass,
    Raise,
    Return,
    Try,
    While,
    With,
    Yield,
}

/// The keyword `text` is (the reference [`keyword_at`] is checked against).
#[cfg(test)]
fn keyword(text: &[u8]) -> Kw {
    match text {
        b"False" => Kw::False,
        b"None" => Kw::None,
        b"True" => Kw::True,
        b"and" => Kw::And,
        b"as" => Kw::As,
        b"assert" => Kw::Assert,
        b"async" => Kw::Async,
        b"await" => Kw::Await,
        b"break" => Kw::Break,
        b"class" => Kw::Class,
        b"continue" => Kw::Continue,
        b"def" => Kw::Def,
        b"del" => Kw::Del,
        b"elif" => Kw::Elif,
        b"else" => Kw::Else,
        b"except" => Kw::Except,
        b"finally" => Kw::Finally,
        b"for" => Kw::For,
        b"from" => Kw::From,
        b"global" => Kw::Global,
        b"if" => Kw::If,
        b"import" => Kw::Import,
        b"in" => Kw::In,
        b"is" => Kw::Is,
        b"lambda" => Kw::Lambda,
        b"nonlocal" => Kw::Nonlocal,
        b"not" => Kw::Not,
        b"or" => Kw::Or,
        b"pass" => Kw::Pass,
        b"raise" => Kw::Raise,
        b"return" => Kw::Return,
        b"try" => Kw::Try,
        b"while" => Kw::While,
        b"with" => Kw::With,
        b"yield" => Kw::Yield,
        _ => Kw::No,
    }
}

/// The keywords by [`kw_slot`] of their letters: (letters as a little-endian word, keyword).
#[allow(clippy::indexing_slicing)] // constant evaluation over the keyword list
static KW_TABLE: [(u64, Kw); 64] = {
    const KWS: [(&[u8], Kw); 35] = [
        (b"False", Kw::False),
        (b"None", Kw::None),
        (b"True", Kw::True),
        (b"and", Kw::And),
        (b"as", Kw::As),
        (b"assert", Kw::Assert),
        (b"async", Kw::Async),
        (b"await", Kw::Await),
        (b"break", Kw::Break),
        (b"class", Kw::Class),
        (b"continue", Kw::Continue),
        (b"def", Kw::Def),
        (b"del", Kw::Del),
        (b"elif", Kw::Elif),
        (b"else", Kw::Else),
        (b"except", Kw::Except),
        (b"finally", Kw::Finally),
        (b"for", Kw::For),
        (b"from", Kw::From),
        (b"global", Kw::Global),
        (b"if", Kw::If),
        (b"import", Kw::Import),
        (b"in", Kw::In),
        (b"is", Kw::Is),
        (b"lambda", Kw::Lambda),
        (b"nonlocal", Kw::Nonlocal),
        (b"not", Kw::Not),
        (b"or", Kw::Or),
        (b"pass", Kw::Pass),
        (b"raise", Kw::Raise),
        (b"return", Kw::Return),
        (b"try", Kw::Try),
        (b"while", Kw::While),
        (b"with", Kw::With),
        (b"yield", Kw::Yield),
    ];
    let mut t = [(0u64, Kw::No); 64];
    let mut k = 0;
    while k < KWS.len() {
        let (text, kw) = KWS[k];
        let mut w = 0u64;
        let mut j = 0;
        while j < text.len() {
            w |= (text[j] as u64) << (8 * j);
            j += 1;
        }
        // the multiplier gives every keyword a slot of its own (tests::keyword_table)
        t[kw_slot(w)] = (w, kw);
        k += 1;
    }
    t
};

/// A slot of [`KW_TABLE`] for a word of 2 to 8 letters (a multiplicative hash, found so that
/// no two keywords share a slot).
#[inline(always)]
const fn kw_slot(w: u64) -> usize {
    (w.wrapping_mul(0xb57c_8e05_e3c9_b0e1) >> 58) as usize
}

/// The keyword the NAME at `src[s..e]` is, `Kw::No` for any other name: its letters as one
/// word, looked up in [`KW_TABLE`] (what [`keyword`] answers, without comparing strings).
#[inline(always)]
fn keyword_at(src: &[u8], s: usize, e: usize) -> Kw {
    let len = e.wrapping_sub(s);
    if !(2..=8).contains(&len) {
        return Kw::No;
    }
    let w = match src.get(s..s + 8) {
        Some(b) => {
            let mut a = [0u8; 8];
            a.copy_from_slice(b);
            u64::from_le_bytes(a)
        }
        None => {
            // the last bytes of the source
            let mut a = [0u8; 8];
            for (d, &b) in a.iter_mut().zip(src.get(s..e).unwrap_or_default()) {
                *d = b;
            }
            u64::from_le_bytes(a)
        }
    };
    let w = w & (u64::MAX >> (64 - 8 * len));
    match KW_TABLE.get(kw_slot(w)) {
        Some(&(kw_w, kw)) if kw_w == w => kw,
        _ => Kw::No,
    }
}

/// A token and its keyword.
#[derive(Clone, Copy, Debug)]
struct Tk {
    t: Token,
    kw: Kw,
    /// The bracket depth after the token (`token->level`).
    level: u16,
}

/// `NameDefaultPair`: a parameter and its default.
type NameDefault<B> = (<B as AstBuilder>::Arg, Option<<B as AstBuilder>::Expr>);

/// `StarEtc`: `*args`, keyword-only parameters, `**kwargs`.
struct StarEtc<B: AstBuilder> {
    vararg: Option<B::Arg>,
    kwonly: Vec<NameDefault<B>>,
    kwarg: Option<B::Arg>,
}

/// What the caller of `args` already knows of the first argument, at the mark `args` starts at:
/// what `genexp_element` found there (`assignment_expression | expression !':='`, or 3.15's
/// `starred_expression` before a '*').
enum FirstArg<X> {
    /// Nothing: `args` parses it.
    Unknown,
    /// It matched, ending at the mark.
    Parsed(X, usize),
    /// It did not match: parsing it again would fail again (with nested calls, twice per
    /// level: 2^depth).
    NoMatch,
}

/// A call's arguments: positional (starred included) and keywords.
struct CallArgs<B: AstBuilder> {
    args: Vec<B::Expr>,
    keywords: Vec<B::Keyword>,
    /// A `**` keyword is among `keywords`.
    kw_unpack: bool,
    /// `kwargs` matched.
    had_kwargs: bool,
}

/// One entry of `kwargs`: `KeywordOrStarred`.
enum KwOrStarred<B: AstBuilder> {
    /// A keyword; `true` for `**`.
    Kw(B::Keyword, bool),
    Starred(B::Expr),
}

/// `t_primary`'s memo entry: the start mark, and the result with the mark after it.
type TPrimMemo<B> = (usize, Option<(<B as AstBuilder>::Expr, usize)>);

/// A memo entry: the result and the mark after it.
type Memo<B> = Option<(<B as AstBuilder>::Expr, u32)>;

/// What [`Parser::starred_genexp_or_first`] found.
enum StarredParen<X> {
    Genexp(X),
    First(Option<X>),
}

/// `SlashWithDefault`: parameters without and with defaults before the `/`.
type SlashWithDefault<B> = (Vec<<B as AstBuilder>::Arg>, Vec<NameDefault<B>>);

/// The first depth-0 `=`, `:` or augmented-assignment token of a logical line
/// ([`Parser::assign_shape`]); `Unknown` when the tokenizer failed ahead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AssignShape {
    None,
    Eq,
    Colon,
    Aug,
    Unknown,
}

/// The parser over one prepared source.
pub struct Parser<'s, 'b, B: AstBuilder> {
    src: &'s str,
    lexer: Lexer<'s>,
    toks: Vec<Tk>,
    /// The mark: index of the next token.
    p: usize,
    b: &'b mut B,
    g: Grammar,
    /// For the sub-parser of a 3.11 f-string expression: lines added to every token, columns
    /// added to tokens on the first line.
    shift: (u32, i32),
    /// CPython 3.12.1: a format spec that ends with a replacement field gets a trailing `Constant('')`.
    pub spec_empty_tail: bool,
    /// The furthest token index the rules asked for (`p->fill - 1` of CPython).
    hwm: usize,
    /// Open brackets (character, line, column) of the tokens read so far.
    brackets: Vec<(u8, u32, i32)>,
    depth: u32,
    /// `t_primary`'s memo: (start mark, result and the mark after it).
    tprim_memo: Option<TPrimMemo<B>>,
    /// The memo of the `(memo)` target rules: (mark, rule) → result and the mark after it.
    memo: rustc_hash::FxHashMap<(u32, u8), Memo<B>>,
    /// The second pass: the `invalid_*` rules are tried (`p->call_invalid_rules`).
    invalid: bool,
    /// Marks where `invalid_named_expression` was tried (and did not raise).
    no_invalid_named: rustc_hash::FxHashSet<u32>,
    /// The tokenizer failed (`p->tok->done` is an error).
    lex_failed: bool,
    /// `mode='single'`, and whether a token was read since the last ENDMARKER
    /// (`p->parsing_started`): see [`Self::fill`].
    single_input: bool,
    parsing_started: bool,
    /// In the second pass (the memo of `expression` and `disjunction` is on, also where
    /// `expression_without_invalid` turns the invalid rules off).
    pass2: bool,
    /// Inside 3.15's two tries of a `(*` group or a `{**` display ([`Self::with_star_memo`]):
    /// `bitwise_or` is memoized there in the first pass too.
    star_memo: u32,
    /// The position of the last comprehension's last item (`_PyPegen_get_last_comprehension_item`).
    last_comp_item: Pos,
    /// The byte offset of the newline `prepare` added at the end of the input, if it did.
    pub implicit_nl: Option<u32>,
    /// 3.11: the error coming up from an f-string sub-parser is a tokenizer error.
    nested_lex_error: bool,
    /// 3.11 without a declared encoding (no BOM, no coding cookie): `tok->encoding` is NULL and
    /// the parser's error columns are byte offsets.
    pub bytes_cols: bool,
    /// CPython 3.13.0: a debug text ends at the first top-level `!=` (`crate::Options`).
    pub debug_text_cut_3_13_0: bool,
    /// CPython 3.11.2's differences (`crate::Options::quirks_3_11_2`).
    pub quirks_3_11_2: bool,
    /// The TYPE_IGNORE tokens read (`p->type_ignore_comments`), with type comments on.
    type_ignores: Vec<Token>,
    /// The furthest token the first pass asked for, when it failed.
    first_hwm: Option<usize>,
    /// The source is ASCII: no identifier needs NFKC, none needs checking ([`Self::ident`]).
    ascii_src: bool,
}

/// `v.push(x)`, the first allocation made directly for `first_cap` items: `Vec::push`'s growth
/// path (`grow_one`) costs about 60 instructions more per list, and most lists the rules build
/// stay within their first allocation.
#[inline(always)]
fn push_cap<T>(v: &mut Vec<T>, x: T, first_cap: usize) {
    if v.capacity() == 0 {
        *v = Vec::with_capacity(first_cap);
    }
    v.push(x);
}

/// [`Parser::push_tok`] on the parser's pieces (for [`Parser::fill_fast_run`], while the lexer
/// is borrowed).
#[inline(always)]
fn push_tok_to(src: &[u8], toks: &mut Vec<Tk>, brackets: &mut Vec<(u8, u32, i32)>, t: Token) {
    let kw = match t.kind {
        TokKind::NAME => keyword_at(src, t.start as usize, t.end as usize),
        TokKind::ASYNC => Kw::Async,
        TokKind::AWAIT => Kw::Await,
        _ => Kw::No,
    };
    match t.kind {
        TokKind::LPAR | TokKind::LSQB | TokKind::LBRACE => {
            let c = src.get(t.start as usize).copied().unwrap_or(b'(');
            brackets.push((c, t.lineno, t.col));
        }
        TokKind::RPAR | TokKind::RSQB | TokKind::RBRACE => {
            brackets.pop();
        }
        _ => {}
    }
    let level = brackets.len() as u16;
    toks.push(Tk { t, kw, level });
}

/// [`Parser::fill_fast_run`] on the parser's pieces, each its own reference (so that the
/// token list's length stays in a register while tokens are written).
#[inline(never)]
fn fast_run_to(lexer: &mut Lexer<'_>, src: &[u8], toks: &mut Vec<Tk>, brackets: &mut Vec<(u8, u32, i32)>) {
    loop {
        lexer.fast_run(|t| push_tok_to(src, toks, brackets, t));
        let Some(t) = lexer.fast_newline() else { return };
        push_tok_to(src, toks, brackets, t);
        if !lexer.fast_next_line() {
            return;
        }
        while let Some(t) = lexer.fast_pending() {
            push_tok_to(src, toks, brackets, t);
        }
    }
}

/// A parser's token buffer beyond this many tokens (32 bytes each, 32 MiB) is freed with the
/// parser instead of being kept for the thread's next parse.
const KEPT_TOKENS: usize = 1 << 20;

thread_local! {
    /// The token buffer of this thread's last parse, kept for its next one
    /// ([`token_buffer`], [`Parser`]'s `Drop`). A compile worker parses file after file; a buffer
    /// made for each (about six bytes per source byte) was the largest allocation of the whole
    /// compile, and the allocator left each one's memory touched but in a different place for the
    /// next file, so peak RSS grew with the number of files compiled rather than with the largest.
    static TOKEN_BUFFER: std::cell::Cell<Vec<Tk>> = const { std::cell::Cell::new(Vec::new()) };
}

/// An empty token buffer with room for `want` tokens: the thread's kept one when there is one (a
/// parser started inside another, as 3.11's f-string expressions are, makes its own).
fn token_buffer(want: usize) -> Vec<Tk> {
    // (`try_with`: during the thread's teardown there is no kept buffer, and no panic)
    let mut v = TOKEN_BUFFER.try_with(|c| c.take()).unwrap_or_default();
    v.clear();
    v.reserve(want);
    v
}

impl<B: AstBuilder> Drop for Parser<'_, '_, B> {
    /// Keeps the token buffer for the thread's next parse (the larger of it and the one kept).
    fn drop(&mut self) {
        let mine = std::mem::take(&mut self.toks);
        if mine.capacity() > KEPT_TOKENS {
            return;
        }
        let _ = TOKEN_BUFFER.try_with(|c| {
            let kept = c.take();
            c.set(if kept.capacity() >= mine.capacity() { kept } else { mine });
        });
    }
}

/// The level of a binary operator token in [`Parser::binary`]'s climbing (0 `|` to 5 `*`).
#[inline]
fn binary_level(k: TokKind) -> Option<u8> {
    Some(match k {
        TokKind::VBAR => 0,
        TokKind::CIRCUMFLEX => 1,
        TokKind::AMPER => 2,
        TokKind::LEFTSHIFT | TokKind::RIGHTSHIFT => 3,
        TokKind::PLUS | TokKind::MINUS => 4,
        TokKind::STAR | TokKind::SLASH | TokKind::DOUBLESLASH | TokKind::PERCENT | TokKind::AT => 5,
        _ => return None,
    })
}

fn tok_pos(t: &Token) -> Pos {
    Pos { lineno: t.lineno, col_offset: t.col.max(0) as u32, end_lineno: t.end_lineno, end_col_offset: t.end_col.max(0) as u32 }
}

impl<'s, 'b, B: AstBuilder> Parser<'s, 'b, B> {
    pub fn new(src: &'s str, g: Grammar, b: &'b mut B) -> Self {
        let cfg = Config::parser(g.lexer_minor);
        Parser {
            src,
            lexer: Lexer::new(src.as_bytes(), cfg),
            toks: token_buffer(src.len() / 5 + 16),
            p: 0,
            b,
            g,
            shift: (0, 0),
            spec_empty_tail: false,
            hwm: 0,
            brackets: Vec::new(),
            depth: 0,
            tprim_memo: None,
            memo: rustc_hash::FxHashMap::default(),
            invalid: false,
            no_invalid_named: rustc_hash::FxHashSet::default(),
            lex_failed: false,
            single_input: false,
            parsing_started: false,
            pass2: false,
            star_memo: 0,
            last_comp_item: Pos { lineno: 0, col_offset: 0, end_lineno: 0, end_col_offset: 0 },
            implicit_nl: None,
            bytes_cols: false,
            nested_lex_error: false,
            debug_text_cut_3_13_0: false,
            quirks_3_11_2: false,
            type_ignores: Vec::new(),
            first_hwm: None,
            ascii_src: src.is_ascii(),
        }
    }

    /// `PyCF_TYPE_COMMENTS`: the tokenizer reports `# type:` comments (call before parsing).
    pub fn set_type_comments(&mut self) {
        let cfg = Config { type_comments: true, ..Config::parser(self.g.lexer_minor) };
        self.lexer = Lexer::new(self.src.as_bytes(), cfg);
    }

    /// Appends to `out` the string-escape warnings of the tokens whose literals CPython decoded:
    /// all of them after a successful parse, those before the first pass's furthest token after
    /// a failed one ([`crate::warnings`]).
    pub(crate) fn string_warnings(&self, ok: bool, minor: pycode_ast::PyMinor, out: &mut Vec<crate::ParseWarning>) {
        let n = if ok { self.toks.len() } else { self.first_hwm.unwrap_or(self.hwm).min(self.toks.len()) };
        let toks = self.toks.get(..n).unwrap_or_default();
        crate::warnings::string_warnings(self.src, toks, |t: &Tk| &t.t, minor, out);
    }

    /// Parses in `mode`: CPython's `_PyPegen_run_parser`. When the first pass fails without an
    /// error, a second pass runs from the start with the `invalid_*` rules; then
    /// `_PyPegen_set_syntax_error`.
    pub fn run(&mut self, mode: Mode) -> Result<B::Mod, E> {
        self.single_input = matches!(mode, Mode::Single);
        match self.run_pass(mode) {
            Ok(Some(m)) => {
                if self.g.lexer_minor >= 14 && matches!(mode, Mode::Exec | Mode::Single) {
                    self.future_check()?;
                }
                return Ok(m);
            }
            Ok(None) => {}
            Err(e) => return Err(self.set_syntax_error(e)),
        }
        let last = self.toks.get(self.hwm).or(self.toks.last()).copied();
        self.first_hwm = Some(self.hwm);
        self.p = 0;
        self.invalid = true;
        self.pass2 = true;
        self.memo.clear();
        self.tprim_memo = None;
        self.depth = 0;
        if let Err(e) = self.run_pass(mode) {
            return Err(self.set_syntax_error(e));
        }
        let e = self.generic_error(last);
        if matches!(last.map(|t| t.t.kind), Some(TokKind::INDENT | TokKind::DEDENT)) {
            // `_PyPegen_set_syntax_error` returns before tokenizing the rest
            return Err(e);
        }
        Err(self.set_syntax_error(e))
    }

    fn run_pass(&mut self, mode: Mode) -> PR<B::Mod> {
        match mode {
            Mode::Exec => self.file(),
            Mode::Eval => self.eval(),
            Mode::Single => self.interactive(),
            Mode::FuncType => self.func_type(),
        }
    }

    /// `_PyPegen_set_syntax_error` for an error already raised: unless the tokenizer failed,
    /// the rest of the source is tokenized and a tokenizer error there wins
    /// (`_PyPegen_tokenize_full_source_to_check_for_errors`).
    fn set_syntax_error(&mut self, e: E) -> E {
        if self.lex_failed || !matches!(e.kind, ErrorKind::SyntaxError | ErrorKind::IndentationError | ErrorKind::TabError) {
            return e;
        }
        let err_line = self.toks.last().map(|t| t.t.lineno).unwrap_or(0);
        loop {
            if self.toks.last().is_some_and(|t| t.t.kind == TokKind::ENDMARKER) {
                return e;
            }
            match self.lexer.next_token() {
                Ok(t) => {
                    let kw = Kw::No;
                    match t.kind {
                        TokKind::LPAR | TokKind::LSQB | TokKind::LBRACE => {
                            let c = self.src.as_bytes().get(t.start as usize).copied().unwrap_or(b'(');
                            self.brackets.push((c, t.lineno, t.col));
                        }
                        TokKind::RPAR | TokKind::RSQB | TokKind::RBRACE => {
                            self.brackets.pop();
                        }
                        _ => {}
                    }
                    let level = self.brackets.len() as u16;
                    self.toks.push(Tk { t, kw, level });
                }
                Err(le) => {
                    if self.lexer.fstring_depth() > 0 {
                        // inside an f-string the parser's error stands ("so that tokenizer
                        // errors (like expecting '}') that happen afterwards do not swallow it")
                        return e;
                    }
                    return match le.kind {
                        LexErrorKind::Syntax(_) => self.lex_error(le),
                        LexErrorKind::Eof => match self.brackets.last() {
                            Some(&(_, line, _)) if err_line > line => self.lex_error(le),
                            _ => e,
                        },
                        _ => e,
                    };
                }
            }
        }
    }

    // ------------------------------------------------------------------ tokens

    fn fill(&mut self) -> Result<(), E> {
        // (no `fast_token` first: after a token, `fill_fast_run` took every token it gives, so
        // the one asked for here is mostly one it does not; the general path gives the same
        // tokens in any case)
        let mut t = match self.lexer.next_token_general() {
            Ok(t) => t,
            Err(e) => {
                self.lex_failed = true;
                return Err(self.lex_error(e));
            }
        };
        while t.kind == TokKind::TYPE_IGNORE {
            // `_PyPegen_fill_token` keeps them aside for the module's `type_ignores`
            self.type_ignores.push(t);
            t = match self.lexer.next_token() {
                Ok(t) => t,
                Err(e) => {
                    self.lex_failed = true;
                    return Err(self.lex_error(e));
                }
            };
        }
        // `_PyPegen_fill_token`: in 'single' mode the first ENDMARKER after a token becomes the
        // NEWLINE that ends the statement (`compound_stmt NEWLINE`); the lexer then gives the
        // ENDMARKER again. (Its dedents are already out: this lexer emits them before.)
        if self.single_input && t.kind == TokKind::ENDMARKER && self.parsing_started {
            t.kind = TokKind::NEWLINE;
            self.parsing_started = false;
        } else {
            self.parsing_started = true;
        }
        if self.shift != (0, 0) {
            if t.lineno == 1 && t.col >= 0 {
                t.col += self.shift.1;
            }
            if t.end_lineno == 1 && t.end_col >= 0 {
                t.end_col += self.shift.1;
            }
            t.lineno += self.shift.0;
            t.end_lineno += self.shift.0;
        } else if t.kind != TokKind::ENDMARKER {
            self.push_tok(t);
            self.fill_fast_run();
            return Ok(());
        }
        self.push_tok(t);
        Ok(())
    }

    /// The tokens the lexer's shortcut gives after the one just read, up to the first it
    /// does not, and the NEWLINE when the line ends there. Reading them ahead changes nothing the
    /// rules see: such a token never fails, never ends the input and never changes the lexer's
    /// state beyond its position and brackets; the rules read the line ahead anyway
    /// ([`Self::assign_shape`]).
    ///
    /// It goes on over the lines that follow as long as the shortcut takes their starts (see
    /// [`Lexer::fast_next_line`]): their tokens can raise nothing either, and an error the
    /// tokenizer finds further on is still raised when the rules ask for that token. The
    /// furthest token read decides one thing, in [`Self::set_syntax_error`]: whether an unclosed
    /// bracket's error wins, when that bracket was opened on a line before it; a line the run
    /// starts has no bracket open, and the run ends on the line where one stays open.
    fn fill_fast_run(&mut self) {
        fast_run_to(&mut self.lexer, self.src.as_bytes(), &mut self.toks, &mut self.brackets);
    }

    /// Appends a token read: its keyword and the bracket depth after it (`_PyPegen_fill_token`).
    #[inline(always)]
    fn push_tok(&mut self, t: Token) {
        push_tok_to(self.src.as_bytes(), &mut self.toks, &mut self.brackets, t);
    }

    #[inline]
    fn at(&mut self, i: usize) -> Result<Tk, E> {
        self.hwm = self.hwm.max(i);
        match self.toks.get(i) {
            Some(t) => Ok(*t),
            None => self.at_slow(i),
        }
    }

    #[cold]
    #[inline(never)]
    fn at_slow(&mut self, i: usize) -> Result<Tk, E> {
        while self.toks.len() <= i {
            self.fill()?;
        }
        match self.toks.get(i) {
            Some(t) => Ok(*t),
            None => Err(Box::new(ParseError::syntax("internal parser error"))),
        }
    }

    #[inline]
    fn peek(&mut self) -> Result<Tk, E> {
        self.at(self.p)
    }

    /// The kind and keyword of token `i` ([`Self::at`] without copying the whole token).
    #[inline]
    fn kind_at(&mut self, i: usize) -> Result<(TokKind, Kw), E> {
        self.hwm = self.hwm.max(i);
        match self.toks.get(i) {
            Some(t) => Ok((t.t.kind, t.kw)),
            None => self.at_slow(i).map(|t| (t.t.kind, t.kw)),
        }
    }

    /// The kind and keyword of the next token.
    #[inline]
    fn peek_kind(&mut self) -> Result<(TokKind, Kw), E> {
        self.kind_at(self.p)
    }

    #[inline]
    fn next_is(&mut self, k: TokKind) -> Result<bool, E> {
        Ok(self.peek_kind()?.0 == k)
    }

    #[inline]
    fn next_is_kw(&mut self, k: Kw) -> Result<bool, E> {
        Ok(self.peek_kind()?.1 == k)
    }

    /// Consumes a token of kind `k` (not a keyword).
    #[inline]
    fn eat(&mut self, k: TokKind) -> Result<bool, E> {
        let (kind, kw) = self.peek_kind()?;
        if kind == k && kw == Kw::No {
            self.p += 1;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    #[inline]
    fn eat_kw(&mut self, k: Kw) -> Result<bool, E> {
        if self.peek_kind()?.1 == k {
            self.p += 1;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn text(&self, t: &Token) -> &'s str {
        self.src.get(t.start as usize..t.end as usize).unwrap_or("")
    }

    /// Whether the next token is the soft keyword `s` (a NAME).
    fn next_is_soft(&mut self, s: &str) -> Result<bool, E> {
        if self.peek_kind()? != (TokKind::NAME, Kw::No) {
            return Ok(false);
        }
        Ok(self.toks.get(self.p).is_some_and(|t| t.t.end.wrapping_sub(t.t.start) as usize == s.len() && self.text(&t.t) == s))
    }

    fn eat_soft(&mut self, s: &str) -> Result<bool, E> {
        if self.next_is_soft(s)? {
            self.p += 1;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// A NAME token that is not a keyword.
    fn name_tok(&mut self) -> Result<Option<Token>, E> {
        if self.peek_kind()? != (TokKind::NAME, Kw::No) {
            return Ok(None);
        }
        let t = self.toks.get(self.p).map(|t| t.t);
        self.p += 1;
        Ok(t)
    }

    fn ident(&mut self, t: &Token) -> B::Ident {
        let s = self.text(t);
        if self.ascii_src || s.is_ascii() {
            self.b.ident(s)
        } else {
            use unicode_normalization::UnicodeNormalization;
            let n: String = s.nfkc().collect();
            self.b.ident(&n)
        }
    }

    /// `EXTRA`: from the token at `start` to the last token consumed that is not NEWLINE,
    /// INDENT, DEDENT or ENDMARKER (`_PyPegen_get_last_nonnwhitespace_token`).
    fn pos(&self, start: usize) -> Pos {
        let (lineno, col, mut end_lineno, mut end_col) = match self.toks.get(start) {
            Some(t) => (t.t.lineno, t.t.col, t.t.end_lineno, t.t.end_col),
            None => (1, 0, 1, 0),
        };
        let consumed = self.toks.get(start..self.p.min(self.toks.len())).unwrap_or_default();
        if let Some(t) =
            consumed.iter().rev().find(|t| !matches!(t.t.kind, TokKind::NEWLINE | TokKind::INDENT | TokKind::DEDENT | TokKind::ENDMARKER))
        {
            (end_lineno, end_col) = (t.t.end_lineno, t.t.end_col);
        }
        Pos { lineno, col_offset: col.max(0) as u32, end_lineno, end_col_offset: end_col.max(0) as u32 }
    }

    fn enter(&mut self) -> Result<(), E> {
        self.depth += 1;
        if self.depth > MAXSTACK {
            // CPython: `MemoryError: Parser stack overflowed - Python source too complex to parse`
            // (ParseError has no MemoryError class; the nearest is RecursionError).
            return Err(Box::new(ParseError::new(
                ErrorKind::RecursionError,
                "Parser stack overflowed - Python source too complex to parse",
            )));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    // ------------------------------------------------------------------ errors

    fn lex_error(&self, e: LexError) -> E {
        if e.kind == LexErrorKind::Eof {
            if let Some(&(c, line, col)) = self.brackets.last() {
                // `raise_unclosed_parentheses_error`
                let mut pe = ParseError::syntax(format!("'{}' was never closed", c as char));
                let text = self.line_text(line);
                let off = char_col(text, col) + 1;
                pe.lineno = line;
                pe.end_lineno = line;
                pe.offset = off;
                pe.text = Some(text.to_owned());
                pe.raw = Some([i64::from(line), i64::from(off), i64::from(line), 0]);
                return Box::new(pe);
            }
        }
        let kind = match e.kind {
            LexErrorKind::TabSpace => ErrorKind::TabError,
            LexErrorKind::Dedent | LexErrorKind::TooDeep => ErrorKind::IndentationError,
            _ => ErrorKind::SyntaxError,
        };
        let msg = if e.kind == LexErrorKind::ContEof { "unexpected EOF while parsing".to_owned() } else { e.kind.message() };
        let mut pe = ParseError::new(kind, msg);
        pe.lineno = e.lineno;
        pe.end_lineno = e.lineno;
        let line = self.line_text(e.lineno);
        // The lexer's columns are such that CPython's offsets are the numbers of characters
        // before them.
        pe.offset = char_col(line, e.col);
        if !matches!(e.kind, LexErrorKind::Syntax(_)) {
            // `_Pypegen_tokenizer_error`: the tokenizer's byte column (which may stand past the
            // newline), through the parser's conversion (none in 3.11 without an encoding)
            pe.offset =
                if self.bytes_cols { e.col.max(0) as u32 } else { char_col(line, e.col) + (e.col - line.len() as i32).max(0) as u32 };
        }
        if let LexErrorKind::Syntax(m) = &e.kind {
            if m.starts_with("f-string: newlines are not allowed in format specifiers") {
                // the lexer stands on the newline; CPython reports the column after it
                pe.offset += 1;
                pe.end_offset = pe.offset;
                pe.text = Some(line.to_owned());
                return Box::new(pe);
            }
        }

        pe.text = Some(line.to_owned());
        let end = match e.kind {
            LexErrorKind::Syntax(_) => {
                pe.end_offset = char_col(line, e.end_col);
                return Box::new(pe);
            }
            // `RAISE_INDENTATION_ERROR` / `RAISE_SYNTAX_ERROR` without a known end.
            LexErrorKind::Dedent | LexErrorKind::ContEof => -1,
            _ => 0,
        };
        pe.raw = Some([i64::from(e.lineno), i64::from(pe.offset), i64::from(e.lineno), end]);
        Box::new(pe)
    }

    /// 3.12+: a NEWLINE token ends after the newline character, unless that newline was added
    /// at the end of the input (the lexer's NEWLINE ends before it).
    fn newline_covers_char(&self, t: &Token) -> bool {
        t.kind == TokKind::NEWLINE && self.g.lexer_minor >= 12 && Some(t.start) != self.implicit_nl
    }

    fn line_text(&self, lineno: u32) -> &'s str {
        self.src.split('\n').nth((lineno as usize).saturating_sub(1)).unwrap_or("")
    }

    /// A string token's decoding error: 3.12+ decodes the token in its own action (the error is
    /// on the token), 3.11 when the run is joined (on the token after the run).
    fn string_error(&self, t: &Token, msg: &str) -> E {
        if self.g.lexer_minor == 11 {
            return self.raise_last(ErrorKind::SyntaxError, msg);
        }
        self.error_at(t, msg)
    }

    /// `_PyPegen_byte_offset_to_character_offset` (the 1-based offset of byte column `col`);
    /// 3.11 reads bytes without a declared encoding and reports byte offsets.
    fn err_col(&self, line: &str, col: i32) -> u32 {
        if self.bytes_cols {
            return col.max(0) as u32 + 1;
        }
        char_col(line, col) + 1
    }

    fn error_at(&self, t: &Token, msg: &str) -> E {
        if t.col < 0 && t.kind == TokKind::DEDENT && t.lineno as usize <= self.src.split('\n').count() {
            // The tokenizer stands after the new line's indentation.
            let line = self.line_text(t.lineno);
            let ws = line.bytes().take_while(|c| matches!(c, b' ' | b'\t' | b'\x0c')).count() as i32;
            let off = char_col(line, ws);
            let mut pe = ParseError::syntax(msg);
            pe.lineno = t.lineno;
            pe.offset = off;
            pe.end_lineno = t.lineno;
            pe.text = Some(line.to_owned());
            pe.raw = Some([i64::from(t.lineno), i64::from(off), i64::from(t.lineno), -1]);
            return Box::new(pe);
        }
        if t.col < 0 && matches!(t.kind, TokKind::ENDMARKER | TokKind::DEDENT) {
            // No position: CPython takes where the tokenizer stands (the end of the last line,
            // its newline included) and no end.
            let b = self.src.as_bytes();
            let pos = (t.start as usize).min(b.len());
            let upto = if pos > 0 && b.get(pos - 1) == Some(&b'\n') { pos - 1 } else { pos };
            let line_start = b.get(..upto).and_then(|s| s.iter().rposition(|&c| c == b'\n')).map_or(0, |k| k + 1);
            let lineno = b.get(..line_start).map_or(0, |s| s.iter().filter(|&&c| c == b'\n').count()) as u32 + 1;
            let line = self.line_text(lineno);
            let off = char_col(line, (upto - line_start) as i32) + (pos - upto) as u32;
            let _ = t.kind;
            let mut pe = ParseError::syntax(msg);
            pe.lineno = lineno;
            pe.offset = off;
            pe.end_lineno = lineno;
            pe.text = Some(line.to_owned());
            pe.raw = Some([i64::from(lineno), i64::from(off), i64::from(lineno), -1]);
            return Box::new(pe);
        }
        let mut pe = ParseError::syntax(msg);
        let line = self.line_text(t.lineno);
        pe.lineno = t.lineno;
        pe.offset = self.err_col(line, t.col);
        pe.end_lineno = t.end_lineno;
        let eline = self.line_text(t.end_lineno);
        pe.end_offset = self.err_col(eline, t.end_col);
        if self.newline_covers_char(t) {
            pe.end_offset += 1;
        }
        pe.text = Some(line.to_owned());
        Box::new(pe)
    }

    /// `_PyPegen_set_syntax_error`'s generic cases.
    fn generic_error(&mut self, last: Option<Tk>) -> E {
        // The last token the rules read in the first pass (tokens read ahead by
        // `may_be_assignment` do not count).
        let Some(last) = last else {
            return Box::new(ParseError::syntax("invalid syntax"));
        };
        match last.t.kind {
            TokKind::INDENT => {
                // The tokenizer stands after the indentation: CPython's offset is there, and
                // the end offset is -1.
                let line = self.line_text(last.t.lineno);
                let ws = line.bytes().take_while(|c| matches!(c, b' ' | b'\t' | b'\x0c')).count() as i32;
                let mut e = ParseError::new(ErrorKind::IndentationError, "unexpected indent");
                let off = char_col(line, ws);
                e.lineno = last.t.lineno;
                e.end_lineno = last.t.lineno;
                e.offset = off;
                e.text = Some(line.to_owned());
                e.raw = Some([i64::from(last.t.lineno), i64::from(off), i64::from(last.t.lineno), -1]);
                Box::new(e)
            }
            TokKind::DEDENT => {
                let mut e = self.error_at(&last.t, "unexpected unindent");
                e.kind = ErrorKind::IndentationError;
                e
            }
            _ => self.error_at(&last.t, "invalid syntax"),
        }
    }

    // ------------------------------------------------------------------ start rules

    /// `file: [statements] ENDMARKER`
    fn file(&mut self) -> PR<B::Mod> {
        let body = self.statements()?.unwrap_or_default();
        if !self.next_is(TokKind::ENDMARKER)? {
            return Ok(None);
        }
        let m = self.b.module(body);
        if self.type_ignores.is_empty() {
            return Ok(Some(m));
        }
        let src = self.src;
        let tags: Vec<(u32, std::borrow::Cow<'_, str>)> = self
            .type_ignores
            .iter()
            .map(|t| {
                let tag = src.get(t.start as usize..t.end as usize).unwrap_or("");
                // 3.12+: a type ignore alone on its line consumes the newline, inside the token
                let line_start = src.get(..t.start as usize).and_then(|b| b.rfind('\n')).map_or(0, |k| k + 1);
                let before = src.get(line_start..t.start as usize).unwrap_or("");
                let alone = before.split('#').next().is_some_and(|b| b.trim_matches([' ', '\t', '\x0c']).is_empty());
                if self.g.lexer_minor >= 12 && alone && src.as_bytes().get(t.end as usize) == Some(&b'\n') {
                    (t.lineno, std::borrow::Cow::Owned(format!("{tag}\n")))
                } else {
                    (t.lineno, std::borrow::Cow::Borrowed(tag))
                }
            })
            .collect();
        let ignores: Vec<(u32, &str)> = tags.iter().map(|(l, t)| (*l, &**t)).collect();
        Ok(Some(self.b.type_ignores(m, &ignores)))
    }

    /// `interactive: statement_newline`
    fn interactive(&mut self) -> PR<B::Mod> {
        let Some(body) = self.statement_newline()? else { return Ok(None) };
        Ok(Some(self.b.interactive(body)))
    }

    /// `eval: expressions NEWLINE* ENDMARKER`
    fn eval(&mut self) -> PR<B::Mod> {
        let Some(e) = self.expressions()? else { return Ok(None) };
        while self.eat(TokKind::NEWLINE)? {}
        if !self.next_is(TokKind::ENDMARKER)? {
            return Ok(None);
        }
        Ok(Some(self.b.expression(e)))
    }

    /// `func_type: '(' [type_expressions] ')' '->' expression NEWLINE* ENDMARKER`
    fn func_type(&mut self) -> PR<B::Mod> {
        if !self.eat(TokKind::LPAR)? {
            return Ok(None);
        }
        let argtypes = self.type_expressions()?.unwrap_or_default();
        if !self.eat(TokKind::RPAR)? || !self.eat(TokKind::RARROW)? {
            return Ok(None);
        }
        let Some(ret) = self.expression()? else { return Ok(None) };
        while self.eat(TokKind::NEWLINE)? {}
        if !self.next_is(TokKind::ENDMARKER)? {
            return Ok(None);
        }
        Ok(Some(self.b.function_type(argtypes, ret)))
    }

    /// `',' '**' expression` of `type_expressions`: the expression, or `None` with the mark
    /// back where it was.
    fn comma_double_star_expression(&mut self) -> PR<B::Expr> {
        let k = self.p;
        if self.eat(TokKind::COMMA)? && self.eat(TokKind::DOUBLESTAR)? {
            if let Some(e) = self.expression()? {
                return Ok(Some(e));
            }
        }
        self.p = k;
        Ok(None)
    }

    /// `type_expressions` (the `*`/`**` forms keep only the expressions).
    fn type_expressions(&mut self) -> PR<Vec<B::Expr>> {
        let m = self.p;
        // a=','.expression+
        let mut a = Vec::new();
        if let Some(e) = self.expression()? {
            a.push(e);
            loop {
                let k = self.p;
                if self.eat(TokKind::COMMA)? {
                    if let Some(e) = self.expression()? {
                        a.push(e);
                        continue;
                    }
                }
                self.p = k;
                break;
            }
        }
        if !a.is_empty() {
            let after_a = self.p;
            // a ',' '*' b ',' '**' c | a ',' '*' b
            if self.eat(TokKind::COMMA)? && self.eat(TokKind::STAR)? {
                if let Some(b) = self.expression()? {
                    a.push(b);
                    a.extend(self.comma_double_star_expression()?);
                    return Ok(Some(a));
                }
            }
            self.p = after_a;
            // a ',' '**' b | the gather alone
            a.extend(self.comma_double_star_expression()?);
            return Ok(Some(a));
        }
        self.p = m;
        // '*' a ',' '**' b | '*' a
        if self.eat(TokKind::STAR)? {
            if let Some(x) = self.expression()? {
                let mut v = vec![x];
                v.extend(self.comma_double_star_expression()?);
                return Ok(Some(v));
            }
        }
        self.p = m;
        // '**' a
        if self.eat(TokKind::DOUBLESTAR)? {
            if let Some(x) = self.expression()? {
                return Ok(Some(vec![x]));
            }
        }
        self.p = m;
        Ok(None)
    }

    // ------------------------------------------------------------------ statements

    /// `statements: statement+`
    fn statements(&mut self) -> PR<Vec<B::Stmt>> {
        let mut out = Vec::new();
        while self.statement(&mut out)?.is_some() {}
        Ok(if out.is_empty() { None } else { Some(out) })
    }

    /// `statement: compound_stmt | simple_stmts` (appends to `out`).
    fn statement(&mut self, out: &mut Vec<B::Stmt>) -> PR<()> {
        if let Some(s) = self.compound_stmt()? {
            push_cap(out, s, 8);
            return Ok(Some(()));
        }
        self.simple_stmts_into(out)
    }

    /// `statement_newline`
    fn statement_newline(&mut self) -> PR<Vec<B::Stmt>> {
        let m = self.p;
        if let Some(s) = self.compound_stmt()? {
            if self.eat(TokKind::NEWLINE)? {
                return Ok(Some(vec![s]));
            }
        }
        self.p = m;
        if let Some(v) = self.simple_stmts()? {
            return Ok(Some(v));
        }
        self.p = m;
        if self.eat(TokKind::NEWLINE)? {
            let pos = self.pos(m);
            return Ok(Some(vec![self.b.pass(pos)]));
        }
        Ok(None)
    }

    /// `simple_stmts: simple_stmt !';' NEWLINE | ';'.simple_stmt+ [';'] NEWLINE`
    fn simple_stmts(&mut self) -> PR<Vec<B::Stmt>> {
        let mut v = Vec::new();
        Ok(self.simple_stmts_into(&mut v)?.map(|()| v))
    }

    /// [`Self::simple_stmts`] appending to `out` (a statement list being built: no vector of
    /// its own per line); `out` is as it was when it does not match.
    fn simple_stmts_into(&mut self, out: &mut Vec<B::Stmt>) -> PR<()> {
        let m = self.p;
        let Some(first) = self.simple_stmt()? else { return Ok(None) };
        let n = out.len();
        push_cap(out, first, 8);
        if !self.next_is(TokKind::SEMI)? && self.eat(TokKind::NEWLINE)? {
            return Ok(Some(()));
        }
        loop {
            let m2 = self.p;
            if !self.eat(TokKind::SEMI)? {
                break;
            }
            match self.simple_stmt()? {
                Some(s) => out.push(s),
                None => {
                    self.p = m2;
                    break;
                }
            }
        }
        self.eat(TokKind::SEMI)?;
        if !self.eat(TokKind::NEWLINE)? {
            self.p = m;
            out.truncate(n);
            return Ok(None);
        }
        Ok(Some(()))
    }

    /// `simple_stmt` (memo): the keyword-led statements are looked up by their keyword (no other
    /// alternative can start with one).
    fn simple_stmt(&mut self) -> PR<B::Stmt> {
        let m = self.p;
        let (tkind, tkw) = self.peek_kind()?;
        match tkw {
            Kw::Return => return self.return_stmt(),
            Kw::Import | Kw::From => return self.import_stmt(),
            Kw::Raise => return self.raise_stmt(),
            Kw::Pass => {
                self.p += 1;
                let pos = self.pos(m);
                return Ok(Some(self.b.pass(pos)));
            }
            Kw::Del => return self.del_stmt(),
            Kw::Yield => {
                if self.invalid && self.may_be_assignment() {
                    self.invalid_assignment()?;
                    self.p = m;
                }
                let Some(y) = self.yield_expr()? else { return Ok(None) };
                let pos = self.pos(m);
                return Ok(Some(self.b.expr_stmt(y, pos)));
            }
            Kw::Assert => return self.assert_stmt(),
            Kw::Break => {
                self.p += 1;
                let pos = self.pos(m);
                return Ok(Some(self.b.break_(pos)));
            }
            Kw::Continue => {
                self.p += 1;
                let pos = self.pos(m);
                return Ok(Some(self.b.continue_(pos)));
            }
            Kw::Global | Kw::Nonlocal => return self.global_stmt(tkw == Kw::Global),
            _ => {}
        }
        let shape = self.assign_shape();
        if !self.invalid && matches!(tkind, TokKind::DEDENT | TokKind::ENDMARKER) {
            // where a block or the input ends (every statement list's last try) no alternative
            // can start; the descent to `atom` that finds out reads no further token
            return Ok(None);
        }
        if shape != AssignShape::None {
            if let Some(s) = self.assignment(shape)? {
                return Ok(Some(s));
            }
        }
        self.p = m;
        if self.g.type_params && self.next_is_soft("type")? {
            if let Some(s) = self.type_alias()? {
                return Ok(Some(s));
            }
            self.p = m;
        }
        if self.g.lazy_imports && self.next_is_soft("lazy")? {
            if let Some(s) = self.import_stmt()? {
                return Ok(Some(s));
            }
            self.p = m;
        }
        if let Some(e) = self.star_expressions()? {
            let pos = self.pos(m);
            return Ok(Some(self.b.expr_stmt(e, pos)));
        }
        self.p = m;
        Ok(None)
    }

    /// `compound_stmt`
    fn compound_stmt(&mut self) -> PR<B::Stmt> {
        let (tkind, tkw) = self.peek_kind()?;
        let r = match tkw {
            Kw::Def | Kw::Async if tkw == Kw::Def || self.async_before(Kw::Def)? => self.function_def()?,
            Kw::If => self.if_stmt()?,
            Kw::Class => self.class_def()?,
            Kw::With => self.with_stmt()?,
            Kw::Async => {
                if self.async_before(Kw::With)? {
                    self.with_stmt()?
                } else if self.async_before(Kw::For)? {
                    self.for_stmt()?
                } else {
                    None
                }
            }
            Kw::For => self.for_stmt()?,
            Kw::Try => self.try_stmt()?,
            Kw::While => self.while_stmt()?,
            _ if tkind == TokKind::AT => {
                if let Some(s) = self.function_def()? {
                    return Ok(Some(s));
                }
                self.class_def()?
            }
            _ => None,
        };
        if r.is_some() {
            return Ok(r);
        }
        if self.next_is_soft("match")? {
            return self.match_stmt();
        }
        Ok(None)
    }

    fn async_before(&mut self, k: Kw) -> Result<bool, E> {
        Ok(self.kind_at(self.p + 1)?.1 == k)
    }

    // ------------------------------------------------------------------ simple statements

    /// Whether the logical line from the mark has, at bracket depth 0 before its `;` or
    /// NEWLINE, a `=`, `:` or augmented-assignment token: every alternative of `assignment`
    /// needs one, so without one it cannot match and is skipped (the same result, without
    /// parsing a call twice). Reads tokens ahead without counting them as read by the rules;
    /// a tokenizer error ahead means "maybe".
    fn may_be_assignment(&mut self) -> bool {
        self.assign_shape() != AssignShape::None
    }

    /// The first `=`, `:` or augmented-assignment token at bracket depth 0 of the logical line
    /// from the mark (see [`Parser::may_be_assignment`]). It decides which alternatives of
    /// `assignment` can match: a target before it holds none of them at depth 0, so `NAME ':'`
    /// and the other annotated form need `:` first, `(star_targets '=')+` needs `=` first, and
    /// `single_target augassign` an augmented operator first.
    fn assign_shape(&mut self) -> AssignShape {
        let mut i = self.p;
        let mut depth = 0u32;
        loop {
            if self.toks.len() <= i {
                // A tokenizer error this far ahead is CPython's only if its rules get there:
                // the lexer keeps it for the token that is asked for, not as the parse's state.
                let failed = self.lex_failed;
                if self.fill().is_err() || self.toks.len() <= i {
                    self.lex_failed = failed;
                    return AssignShape::Unknown;
                }
            }
            // the tokens read so far, without a bounds test per token
            for t in self.toks.get(i..).unwrap_or_default() {
                match t.t.kind {
                    TokKind::LPAR | TokKind::LSQB | TokKind::LBRACE => depth += 1,
                    TokKind::RPAR | TokKind::RSQB | TokKind::RBRACE => depth = depth.saturating_sub(1),
                    TokKind::NEWLINE | TokKind::SEMI | TokKind::ENDMARKER if depth == 0 => return AssignShape::None,
                    TokKind::ENDMARKER => return AssignShape::Unknown,
                    TokKind::EQUAL if depth == 0 => return AssignShape::Eq,
                    TokKind::COLON if depth == 0 => return AssignShape::Colon,
                    TokKind::PLUSEQUAL
                    | TokKind::MINEQUAL
                    | TokKind::STAREQUAL
                    | TokKind::ATEQUAL
                    | TokKind::SLASHEQUAL
                    | TokKind::PERCENTEQUAL
                    | TokKind::AMPEREQUAL
                    | TokKind::VBAREQUAL
                    | TokKind::CIRCUMFLEXEQUAL
                    | TokKind::LEFTSHIFTEQUAL
                    | TokKind::RIGHTSHIFTEQUAL
                    | TokKind::DOUBLESTAREQUAL
                    | TokKind::DOUBLESLASHEQUAL
                        if depth == 0 =>
                    {
                        return AssignShape::Aug
                    }
                    _ => {}
                }
                i += 1;
            }
        }
    }

    /// Whether a `=` follows at bracket depth 0 in the logical line from the mark: `star_targets
    /// '='` cannot match without one. Reads the rest of the line ahead as [`Parser::assign_shape`]
    /// does (a tokenizer error there, or an unclosed bracket, answers `true`: try the target).
    fn eq_ahead(&mut self) -> bool {
        let mut i = self.p;
        let mut depth = 0u32;
        loop {
            if self.toks.len() <= i {
                let failed = self.lex_failed;
                if self.fill().is_err() {
                    self.lex_failed = failed;
                    return true;
                }
            }
            let Some(t) = self.toks.get(i) else { return true };
            match t.t.kind {
                TokKind::LPAR | TokKind::LSQB | TokKind::LBRACE => depth += 1,
                TokKind::RPAR | TokKind::RSQB | TokKind::RBRACE => depth = depth.saturating_sub(1),
                TokKind::NEWLINE | TokKind::SEMI if depth == 0 => return false,
                TokKind::ENDMARKER => return depth != 0,
                TokKind::EQUAL if depth == 0 => return true,
                _ => {}
            }
            i += 1;
        }
    }

    /// `assignment`. In the first pass, `shape` skips the alternatives that cannot match.
    fn assignment(&mut self, shape: AssignShape) -> PR<B::Stmt> {
        let m = self.p;
        let all = self.invalid || shape == AssignShape::Unknown;
        // NAME ':' expression ['=' annotated_rhs]
        'a1: {
            if !all && shape != AssignShape::Colon {
                break 'a1;
            }
            let Some(n) = self.name_tok()? else { break 'a1 };
            if !self.eat(TokKind::COLON)? {
                break 'a1;
            }
            let Some(ann) = self.expression()? else { break 'a1 };
            let value = self.opt_eq_rhs()?;
            let id = self.ident(&n);
            let target = self.b.name(id, ExprContext::Store, tok_pos(&n));
            let pos = self.pos(m);
            return Ok(Some(self.b.ann_assign(target, ann, value, true, pos)));
        }
        self.p = m;
        // ('(' single_target ')' | single_subscript_attribute_target) ':' expression ['=' annotated_rhs]
        'a2: {
            if !all && shape != AssignShape::Colon {
                break 'a2;
            }
            let mut target = None;
            if self.eat(TokKind::LPAR)? {
                if let Some(t) = self.single_target()? {
                    if self.eat(TokKind::RPAR)? {
                        target = Some(t);
                    }
                }
            }
            if target.is_none() {
                self.p = m;
                target = self.single_subscript_attribute_target()?;
            }
            let Some(target) = target else { break 'a2 };
            if !self.eat(TokKind::COLON)? {
                break 'a2;
            }
            let Some(ann) = self.expression()? else { break 'a2 };
            let value = self.opt_eq_rhs()?;
            let pos = self.pos(m);
            return Ok(Some(self.b.ann_assign(target, ann, value, false, pos)));
        }
        self.p = m;
        // (star_targets '=')+ (yield_expr | star_expressions) !'=' [TYPE_COMMENT]
        'a3: {
            if !all && shape != AssignShape::Eq {
                break 'a3;
            }
            let mut targets = Vec::new();
            loop {
                let m2 = self.p;
                if !all && !targets.is_empty() && !self.eq_ahead() {
                    // the right-hand side: no `=` follows, so it is no target
                    break;
                }
                match self.star_targets()? {
                    Some(t) if self.eat(TokKind::EQUAL)? => push_cap(&mut targets, t, 1),
                    _ => {
                        self.p = m2;
                        break;
                    }
                }
            }
            if targets.is_empty() {
                break 'a3;
            }
            let Some(value) = self.annotated_rhs()? else { break 'a3 };
            if self.next_is(TokKind::EQUAL)? {
                break 'a3;
            }
            let tc = self.type_comment()?;
            let pos = self.pos(m);
            let st = self.b.assign(targets, value, pos);
            return Ok(Some(self.with_type_comment(st, tc)));
        }
        self.p = m;
        // single_target augassign ~ (yield_expr | star_expressions)
        'a4: {
            if !all && shape != AssignShape::Aug {
                break 'a4;
            }
            let Some(target) = self.single_target()? else { break 'a4 };
            let Some(op) = self.augassign()? else { break 'a4 };
            let Some(value) = self.annotated_rhs()? else {
                self.p = m;
                return Ok(None);
            };
            let pos = self.pos(m);
            return Ok(Some(self.b.aug_assign(target, op, value, pos)));
        }
        self.p = m;
        if self.invalid {
            self.invalid_assignment()?;
        }
        Ok(None)
    }

    /// `['=' annotated_rhs]`
    fn opt_eq_rhs(&mut self) -> Result<Option<B::Expr>, E> {
        let m = self.p;
        if self.eat(TokKind::EQUAL)? {
            if let Some(v) = self.annotated_rhs()? {
                return Ok(Some(v));
            }
            self.p = m;
        }
        Ok(None)
    }

    /// `annotated_rhs: yield_expr | star_expressions`
    fn annotated_rhs(&mut self) -> PR<B::Expr> {
        if self.next_is_kw(Kw::Yield)? {
            return self.yield_expr();
        }
        self.star_expressions()
    }

    fn augassign(&mut self) -> PR<Operator> {
        use Operator::*;
        let op = match self.peek_kind()?.0 {
            TokKind::PLUSEQUAL => Add,
            TokKind::MINEQUAL => Sub,
            TokKind::STAREQUAL => Mult,
            TokKind::ATEQUAL => MatMult,
            TokKind::SLASHEQUAL => Div,
            TokKind::PERCENTEQUAL => Mod,
            TokKind::AMPEREQUAL => BitAnd,
            TokKind::VBAREQUAL => BitOr,
            TokKind::CIRCUMFLEXEQUAL => BitXor,
            TokKind::LEFTSHIFTEQUAL => LShift,
            TokKind::RIGHTSHIFTEQUAL => RShift,
            TokKind::DOUBLESTAREQUAL => Pow,
            TokKind::DOUBLESLASHEQUAL => FloorDiv,
            _ => return Ok(None),
        };
        self.p += 1;
        Ok(Some(op))
    }

    /// `return_stmt: 'return' [star_expressions]`
    fn return_stmt(&mut self) -> PR<B::Stmt> {
        let m = self.p;
        if !self.eat_kw(Kw::Return)? {
            return Ok(None);
        }
        let v = self.star_expressions()?;
        let pos = self.pos(m);
        Ok(Some(self.b.return_(v, pos)))
    }

    /// `raise_stmt: 'raise' expression 'from' expression | 'raise' expression | 'raise'`
    fn raise_stmt(&mut self) -> PR<B::Stmt> {
        let m = self.p;
        if !self.eat_kw(Kw::Raise)? {
            return Ok(None);
        }
        let m1 = self.p;
        if let Some(exc) = self.expression()? {
            let m2 = self.p;
            if self.eat_kw(Kw::From)? {
                if let Some(cause) = self.expression()? {
                    let pos = self.pos(m);
                    return Ok(Some(self.b.raise(Some(exc), Some(cause), pos)));
                }
            }
            self.p = m2;
            let pos = self.pos(m);
            return Ok(Some(self.b.raise(Some(exc), None, pos)));
        }
        self.p = m1;
        let pos = self.pos(m);
        Ok(Some(self.b.raise(None, None, pos)))
    }

    /// `global_stmt` / `nonlocal_stmt`: `','.NAME+`
    fn global_stmt(&mut self, global: bool) -> PR<B::Stmt> {
        let m = self.p;
        self.p += 1;
        let mut names = Vec::new();
        while let Some(n) = self.name_tok()? {
            let id = self.ident(&n);
            names.push(id);
            let m2 = self.p;
            if !self.eat(TokKind::COMMA)? {
                break;
            }
            if !self.next_is(TokKind::NAME)? || self.peek_kind()?.1 != Kw::No {
                self.p = m2;
                break;
            }
        }
        if names.is_empty() {
            self.p = m;
            return Ok(None);
        }
        let pos = self.pos(m);
        Ok(Some(if global { self.b.global(names, pos) } else { self.b.nonlocal(names, pos) }))
    }

    /// `del_stmt: 'del' del_targets &(';' | NEWLINE)`
    fn del_stmt(&mut self) -> PR<B::Stmt> {
        let m = self.p;
        if !self.eat_kw(Kw::Del)? {
            return Ok(None);
        }
        let targets = self.del_targets()?;
        let Some(targets) = targets.filter(|_| matches!(self.peek().map(|t| t.t.kind), Ok(TokKind::SEMI | TokKind::NEWLINE))) else {
            self.p = m;
            if self.invalid {
                self.invalid_del_stmt()?;
            }
            return Ok(None);
        };
        let pos = self.pos(m);
        Ok(Some(self.b.delete(targets, pos)))
    }

    /// `assert_stmt: 'assert' expression [',' expression]`
    fn assert_stmt(&mut self) -> PR<B::Stmt> {
        let m = self.p;
        if !self.eat_kw(Kw::Assert)? {
            return Ok(None);
        }
        let Some(test) = self.expression()? else {
            self.p = m;
            return Ok(None);
        };
        let m2 = self.p;
        let mut msg = None;
        if self.eat(TokKind::COMMA)? {
            msg = self.expression()?;
            if msg.is_none() {
                self.p = m2;
            }
        }
        let pos = self.pos(m);
        Ok(Some(self.b.assert(test, msg, pos)))
    }

    /// `import_stmt: import_name | import_from`
    fn import_stmt(&mut self) -> PR<B::Stmt> {
        let m = self.p;
        if self.invalid && self.g.lexer_minor >= 12 {
            self.invalid_import()?;
        }
        let lazy = self.g.lazy_imports && self.next_is_soft("lazy")? && {
            let k = self.kind_at(self.p + 1)?.1;
            k == Kw::Import || k == Kw::From
        };
        if lazy {
            self.p += 1;
        }
        if self.eat_kw(Kw::Import)? {
            // import_name: 'import' dotted_as_names
            let mut names = Vec::new();
            loop {
                let Some(a) = self.dotted_as_name()? else { break };
                names.push(a);
                let m2 = self.p;
                if !self.eat(TokKind::COMMA)? {
                    break;
                }
                if !self.next_is(TokKind::NAME)? {
                    self.p = m2;
                    break;
                }
            }
            if names.is_empty() {
                self.p = m;
                return Ok(None);
            }
            let pos = self.pos(m);
            return Ok(Some(self.b.import(names, lazy, pos)));
        }
        if !self.eat_kw(Kw::From)? {
            self.p = m;
            return Ok(None);
        }
        let mut level = 0u32;
        loop {
            if self.eat(TokKind::DOT)? {
                level += 1;
            } else if self.eat(TokKind::ELLIPSIS)? {
                level += 3;
            } else {
                break;
            }
        }
        let m2 = self.p;
        let module = match self.dotted_name()? {
            Some(s) => Some(s),
            None => {
                self.p = m2;
                if level == 0 {
                    self.p = m;
                    return Ok(None);
                }
                None
            }
        };
        if !self.eat_kw(Kw::Import)? {
            self.p = m;
            return Ok(None);
        }
        let Some(names) = self.import_from_targets()? else {
            self.p = m;
            return Ok(None);
        };
        if lazy && level == 0 && module.as_deref() == Some("__future__") {
            // `_PyPegen_checked_future_import`: at the `lazy` token
            if let Some(t) = self.toks.get(m).map(|t| t.t) {
                return Err(self.raise_tok("lazy from __future__ import is not allowed", &t));
            }
        }
        let module = module.map(|s| self.b.ident(&s));
        let pos = self.pos(m);
        Ok(Some(self.b.import_from(module, names, level, lazy, pos)))
    }

    /// `import_from_targets`
    fn import_from_targets(&mut self) -> PR<Vec<B::Alias>> {
        let m = self.p;
        if self.eat(TokKind::LPAR)? {
            if let Some(v) = self.import_from_as_names()? {
                self.eat(TokKind::COMMA)?;
                if self.eat(TokKind::RPAR)? {
                    return Ok(Some(v));
                }
            }
            self.p = m;
        }
        if let Some(v) = self.import_from_as_names()? {
            if !self.next_is(TokKind::COMMA)? {
                return Ok(Some(v));
            }
        }
        self.p = m;
        if self.eat(TokKind::STAR)? {
            let pos = self.pos(m);
            let star = self.b.ident("*");
            return Ok(Some(vec![self.b.alias(star, None, pos)]));
        }
        if self.invalid {
            self.invalid_import_from_targets()?;
        }
        Ok(None)
    }

    /// `import_from_as_names: ','.import_from_as_name+`
    fn import_from_as_names(&mut self) -> PR<Vec<B::Alias>> {
        let mut v = Vec::new();
        loop {
            let m = self.p;
            let Some(n) = self.name_tok()? else { break };
            let id = self.ident(&n);
            let asname = self.opt_as_name()?;
            let pos = self.pos(m);
            v.push(self.b.alias(id, asname, pos));
            let m2 = self.p;
            if !self.eat(TokKind::COMMA)? {
                break;
            }
            let t = self.peek()?;
            if !(t.t.kind == TokKind::NAME && t.kw == Kw::No) {
                self.p = m2;
                break;
            }
        }
        Ok(if v.is_empty() { None } else { Some(v) })
    }

    /// `['as' NAME]`
    fn opt_as_name(&mut self) -> Result<Option<B::Ident>, E> {
        let m = self.p;
        if self.eat_kw(Kw::As)? {
            if let Some(n) = self.name_tok()? {
                return Ok(Some(self.ident(&n)));
            }
            self.p = m;
        }
        Ok(None)
    }

    /// `dotted_as_name: dotted_name ['as' NAME]`
    fn dotted_as_name(&mut self) -> PR<B::Alias> {
        let m = self.p;
        let Some(name) = self.dotted_name()? else { return Ok(None) };
        let id = self.b.ident(&name);
        let asname = self.opt_as_name()?;
        let pos = self.pos(m);
        Ok(Some(self.b.alias(id, asname, pos)))
    }

    /// `dotted_name: dotted_name '.' NAME | NAME` (the joined, normalised text).
    fn dotted_name(&mut self) -> PR<String> {
        let Some(n) = self.name_tok()? else { return Ok(None) };
        let mut s = normalize(self.text(&n));
        loop {
            let m = self.p;
            if !self.eat(TokKind::DOT)? {
                break;
            }
            match self.name_tok()? {
                Some(n) => {
                    s.push('.');
                    s.push_str(&normalize(self.text(&n)));
                }
                None => {
                    self.p = m;
                    break;
                }
            }
        }
        Ok(Some(s))
    }

    // ------------------------------------------------------------------ compound statements

    /// `block: NEWLINE INDENT statements DEDENT | simple_stmts`
    fn block(&mut self) -> PR<Vec<B::Stmt>> {
        self.enter()?;
        let r = stacker::maybe_grow(RED_ZONE, STACK_GROW, || self.block_inner());
        self.leave();
        r
    }

    fn block_inner(&mut self) -> PR<Vec<B::Stmt>> {
        let m = self.p;
        if self.eat(TokKind::NEWLINE)? && self.eat(TokKind::INDENT)? {
            if let Some(v) = self.statements()? {
                if self.eat(TokKind::DEDENT)? {
                    return Ok(Some(v));
                }
            }
        }
        self.p = m;
        if let Some(v) = self.simple_stmts()? {
            return Ok(Some(v));
        }
        self.p = m;
        // invalid_block: NEWLINE !INDENT
        if self.invalid && self.eat(TokKind::NEWLINE)? && !self.next_is(TokKind::INDENT)? {
            return Err(self.raise_last(ErrorKind::IndentationError, "expected an indented block"));
        }
        self.p = m;
        Ok(None)
    }

    /// `decorators: ('@' named_expression NEWLINE)+`
    fn decorators(&mut self) -> PR<Vec<B::Expr>> {
        let mut v = Vec::new();
        loop {
            let m = self.p;
            if !self.eat(TokKind::AT)? {
                break;
            }
            match self.named_expression()? {
                Some(e) if self.eat(TokKind::NEWLINE)? => v.push(e),
                _ => {
                    self.p = m;
                    break;
                }
            }
        }
        Ok(if v.is_empty() { None } else { Some(v) })
    }

    /// `class_def: decorators class_def_raw | class_def_raw`
    fn class_def(&mut self) -> PR<B::Stmt> {
        let m = self.p;
        let decs = self.decorators()?.unwrap_or_default();
        let r = self.class_def_raw(decs)?;
        if r.is_none() {
            self.p = m;
        }
        Ok(r)
    }

    /// `class_def_raw: 'class' NAME [type_params] ['(' [arguments] ')'] ':' block`
    fn class_def_raw(&mut self, decorators: Vec<B::Expr>) -> PR<B::Stmt> {
        let m = self.p;
        if self.invalid {
            self.invalid_class_def_raw()?;
        }
        if !self.eat_kw(Kw::Class)? {
            return Ok(None);
        }
        let Some(n) = self.name_tok()? else {
            self.p = m;
            return Ok(None);
        };
        let tps = self.opt_type_params()?;
        let m2 = self.p;
        let mut bases = Vec::new();
        let mut keywords = Vec::new();
        if self.eat(TokKind::LPAR)? {
            let args = self.arguments(FirstArg::Unknown)?;
            if self.eat(TokKind::RPAR)? {
                if let Some(a) = args {
                    bases = a.args;
                    keywords = a.keywords;
                }
            } else {
                self.p = m2;
            }
        }
        if !self.eat(TokKind::COLON)? {
            self.p = m;
            return Ok(None);
        }
        let Some(body) = self.block()? else {
            self.p = m;
            return Ok(None);
        };
        let id = self.ident(&n);
        let pos = self.pos(m);
        Ok(Some(self.b.class_def(id, bases, keywords, body, decorators, tps, pos)))
    }

    /// `function_def: decorators function_def_raw | function_def_raw`
    fn function_def(&mut self) -> PR<B::Stmt> {
        let m = self.p;
        let decs = self.decorators()?.unwrap_or_default();
        let r = self.function_def_raw(decs)?;
        if r.is_none() {
            self.p = m;
        }
        Ok(r)
    }

    /// `function_def_raw: ['async'] 'def' NAME [type_params] '(' [params] ')' ['->' expression] ':' [func_type_comment] block`
    fn function_def_raw(&mut self, decorators: Vec<B::Expr>) -> PR<B::Stmt> {
        let m = self.p;
        if self.invalid {
            self.invalid_def_raw()?;
        }
        // `&&'('` and `&&':'`: in the rule before 3.13, in `invalid_def_raw` from 3.13.
        let forced = self.g.lexer_minor < 13 || self.invalid;
        let is_async = self.eat_kw(Kw::Async)?;
        if !self.eat_kw(Kw::Def)? {
            self.p = m;
            return Ok(None);
        }
        let Some(n) = self.name_tok()? else {
            self.p = m;
            return Ok(None);
        };
        let tps = self.opt_type_params()?;
        if !self.eat(TokKind::LPAR)? {
            if forced {
                let t = self.peek()?;
                return Err(self.error_at(&t.t, "expected '('"));
            }
            self.p = m;
            return Ok(None);
        }
        let params = self.parameters(false)?;
        if !self.eat(TokKind::RPAR)? {
            self.p = m;
            return Ok(None);
        }
        let m2 = self.p;
        let mut returns = None;
        if self.eat(TokKind::RARROW)? {
            returns = self.expression()?;
            if returns.is_none() {
                self.p = m2;
            }
        }
        if !self.eat(TokKind::COLON)? {
            if forced {
                let t = self.peek()?;
                return Err(self.error_at(&t.t, "expected ':'"));
            }
            self.p = m;
            return Ok(None);
        }
        let tc = self.func_type_comment()?;
        let Some(body) = self.block()? else {
            self.p = m;
            return Ok(None);
        };
        let args = match params {
            Some(a) => a,
            None => self.b.arguments(Vec::new(), Vec::new(), None, Vec::new(), Vec::new(), None, Vec::new()),
        };
        let id = self.ident(&n);
        let pos = self.pos(m);
        let st = self.b.function_def(is_async, id, args, body, decorators, returns, tps, pos);
        Ok(Some(self.with_type_comment(st, tc)))
    }

    /// `func_type_comment: NEWLINE TYPE_COMMENT &(NEWLINE INDENT) | TYPE_COMMENT`
    fn func_type_comment(&mut self) -> Result<Option<Token>, E> {
        let m = self.p;
        if self.eat(TokKind::NEWLINE)? {
            if let Some(tc) = self.type_comment()? {
                if self.next_is(TokKind::NEWLINE)? && self.kind_at(self.p + 1)?.0 == TokKind::INDENT {
                    return Ok(Some(tc));
                }
            }
        }
        self.p = m;
        self.type_comment()
    }

    /// `[TYPE_COMMENT]`: the token, if the next one is a type comment.
    fn type_comment(&mut self) -> Result<Option<Token>, E> {
        if self.peek_kind()?.0 != TokKind::TYPE_COMMENT {
            return Ok(None);
        }
        let t = self.toks.get(self.p).map(|t| t.t);
        self.p += 1;
        Ok(t)
    }

    /// A statement with its type comment (`NEW_TYPE_COMMENT`), if it has one.
    fn with_type_comment(&mut self, st: B::Stmt, tc: Option<Token>) -> B::Stmt {
        match tc {
            Some(t) => {
                let text = self.src.get(t.start as usize..t.end as usize).unwrap_or("");
                self.b.stmt_type_comment(st, text)
            }
            None => st,
        }
    }

    /// `_PyPegen_add_type_comment_to_arg`.
    fn arg_with_type_comment(&mut self, a: B::Arg, tc: Option<Token>) -> B::Arg {
        match tc {
            Some(t) => {
                let text = self.src.get(t.start as usize..t.end as usize).unwrap_or("");
                self.b.arg_type_comment(a, text)
            }
            None => a,
        }
    }

    // ------------------------------------------------------------------ parameters

    /// `params` / `lambda_params` (`parameters` / `lambda_parameters`).
    fn parameters(&mut self, lambda: bool) -> PR<B::Arguments> {
        let m = self.p;
        if !self.invalid {
            return self.parameters_shared(lambda);
        }
        self.invalid_parameters(lambda)?;
        self.p = m;
        // slash_no_default param_no_default* param_with_default* [star_etc]
        if let Some(posonly) = self.slash_no_default(lambda)? {
            let plain = self.params_no_default(lambda)?;
            let with = self.params_with_default(lambda)?;
            let star = self.star_etc(lambda)?;
            return Ok(Some(self.make_arguments(posonly, Vec::new(), plain, with, star)));
        }
        self.p = m;
        // slash_with_default param_with_default* [star_etc]
        if let Some((plain0, with0)) = self.slash_with_default(lambda)? {
            let with = self.params_with_default(lambda)?;
            let star = self.star_etc(lambda)?;
            let posonly: Vec<NameDefault<B>> = plain0.into_iter().map(|a| (a, None)).chain(with0).collect();
            return Ok(Some(self.make_arguments(Vec::new(), posonly, Vec::new(), with, star)));
        }
        self.p = m;
        // param_no_default+ param_with_default* [star_etc]
        let plain = self.params_no_default(lambda)?;
        if !plain.is_empty() {
            let with = self.params_with_default(lambda)?;
            let star = self.star_etc(lambda)?;
            return Ok(Some(self.make_arguments(Vec::new(), Vec::new(), plain, with, star)));
        }
        self.p = m;
        // param_with_default+ [star_etc]
        let with = self.params_with_default(lambda)?;
        if !with.is_empty() {
            let star = self.star_etc(lambda)?;
            return Ok(Some(self.make_arguments(Vec::new(), Vec::new(), Vec::new(), with, star)));
        }
        self.p = m;
        // star_etc
        if let Some(star) = self.star_etc(lambda)? {
            return Ok(Some(self.make_arguments(Vec::new(), Vec::new(), Vec::new(), Vec::new(), Some(star))));
        }
        self.p = m;
        Ok(None)
    }

    /// The first pass's [`Self::parameters`]: its alternatives begin with `param_no_default*`
    /// then `param_with_default*` from the same mark, which are parsed once here (each
    /// alternative re-parsed them: a `def` with defaults parsed its parameters three times);
    /// which alternative wins is decided in the grammar's order on what follows them.
    fn parameters_shared(&mut self, lambda: bool) -> PR<B::Arguments> {
        let m = self.p;
        let plain = self.params_no_default(lambda)?;
        let after_plain = self.p;
        // slash_no_default param_no_default* param_with_default* [star_etc]
        if !plain.is_empty() && self.eat(TokKind::SLASH)? && (self.eat(TokKind::COMMA)? || self.param_end(lambda)?) {
            let plain2 = self.params_no_default(lambda)?;
            let with = self.params_with_default(lambda)?;
            let star = self.star_etc(lambda)?;
            return Ok(Some(self.make_arguments(plain, Vec::new(), plain2, with, star)));
        }
        self.p = after_plain;
        let with = self.params_with_default(lambda)?;
        let after_with = self.p;
        // slash_with_default param_with_default* [star_etc]
        if !with.is_empty() && self.eat(TokKind::SLASH)? && (self.eat(TokKind::COMMA)? || self.param_end(lambda)?) {
            let with2 = self.params_with_default(lambda)?;
            let star = self.star_etc(lambda)?;
            let posonly: Vec<NameDefault<B>> = plain.into_iter().map(|a| (a, None)).chain(with).collect();
            return Ok(Some(self.make_arguments(Vec::new(), posonly, Vec::new(), with2, star)));
        }
        self.p = after_with;
        // param_no_default+ param_with_default* [star_etc] | param_with_default+ [star_etc]
        if !plain.is_empty() || !with.is_empty() {
            let star = self.star_etc(lambda)?;
            return Ok(Some(self.make_arguments(Vec::new(), Vec::new(), plain, with, star)));
        }
        self.p = m;
        // star_etc
        if let Some(star) = self.star_etc(lambda)? {
            return Ok(Some(self.make_arguments(Vec::new(), Vec::new(), Vec::new(), Vec::new(), Some(star))));
        }
        self.p = m;
        Ok(None)
    }

    /// `_PyPegen_make_arguments`
    fn make_arguments(
        &mut self,
        slash_no_default: Vec<B::Arg>,
        slash_with_default: Vec<NameDefault<B>>,
        plain: Vec<B::Arg>,
        with: Vec<NameDefault<B>>,
        star: Option<StarEtc<B>>,
    ) -> B::Arguments {
        let mut defaults = Vec::new();
        let mut posonly = slash_no_default;
        for (a, d) in slash_with_default {
            posonly.push(a);
            if let Some(d) = d {
                defaults.push(d);
            }
        }
        let mut args = plain;
        for (a, d) in with {
            args.push(a);
            if let Some(d) = d {
                defaults.push(d);
            }
        }
        let (vararg, kwonly, kwarg) = match star {
            Some(s) => (s.vararg, s.kwonly, s.kwarg),
            None => (None, Vec::new(), None),
        };
        let mut kwonlyargs = Vec::with_capacity(kwonly.len());
        let mut kw_defaults = Vec::with_capacity(kwonly.len());
        for (a, d) in kwonly {
            kwonlyargs.push(a);
            kw_defaults.push(d);
        }
        self.b.arguments(posonly, args, vararg, kwonlyargs, kw_defaults, kwarg, defaults)
    }

    /// The token that ends a parameter list: `)` or, for lambdas, `:`.
    fn param_end(&mut self, lambda: bool) -> Result<bool, E> {
        self.next_is(if lambda { TokKind::COLON } else { TokKind::RPAR })
    }

    /// `param: NAME annotation?` / `lambda_param: NAME`
    fn param(&mut self, lambda: bool) -> PR<B::Arg> {
        let m = self.p;
        let Some(n) = self.name_tok()? else { return Ok(None) };
        let mut ann = None;
        if !lambda {
            let m2 = self.p;
            if self.eat(TokKind::COLON)? {
                ann = self.expression()?;
                if ann.is_none() {
                    self.p = m2;
                }
            }
        }
        let id = self.ident(&n);
        let pos = self.pos(m);
        Ok(Some(self.b.arg(id, ann, pos)))
    }

    /// `param_no_default: param ',' TYPE_COMMENT? | param TYPE_COMMENT? &')'`
    fn param_no_default(&mut self, lambda: bool) -> PR<B::Arg> {
        let m = self.p;
        let Some(a) = self.param(lambda)? else { return Ok(None) };
        if self.eat(TokKind::COMMA)? {
            let tc = self.type_comment()?;
            return Ok(Some(self.arg_with_type_comment(a, tc)));
        }
        let tc = self.type_comment()?;
        if self.param_end(lambda)? {
            return Ok(Some(self.arg_with_type_comment(a, tc)));
        }
        self.p = m;
        Ok(None)
    }

    fn params_no_default(&mut self, lambda: bool) -> Result<Vec<B::Arg>, E> {
        let mut v = Vec::new();
        while let Some(a) = self.param_no_default(lambda)? {
            push_cap(&mut v, a, 4);
        }
        Ok(v)
    }

    /// `param_with_default` (`required`) / `param_maybe_default`.
    fn param_default(&mut self, lambda: bool, required: bool) -> PR<NameDefault<B>> {
        let m = self.p;
        let Some(a) = self.param(lambda)? else { return Ok(None) };
        let m2 = self.p;
        let mut d = None;
        if self.eat(TokKind::EQUAL)? {
            d = self.expression()?;
            if d.is_none() {
                self.p = m2;
                if self.invalid {
                    self.invalid_default()?;
                }
            }
        }
        if required && d.is_none() {
            self.p = m;
            return Ok(None);
        }
        if self.eat(TokKind::COMMA)? {
            let tc = self.type_comment()?;
            return Ok(Some((self.arg_with_type_comment(a, tc), d)));
        }
        let tc = self.type_comment()?;
        if self.param_end(lambda)? {
            return Ok(Some((self.arg_with_type_comment(a, tc), d)));
        }
        self.p = m;
        Ok(None)
    }

    fn params_with_default(&mut self, lambda: bool) -> Result<Vec<NameDefault<B>>, E> {
        let mut v = Vec::new();
        while let Some(a) = self.param_default(lambda, true)? {
            v.push(a);
        }
        Ok(v)
    }

    /// `slash_no_default: param_no_default+ '/' (',' | &')')`
    fn slash_no_default(&mut self, lambda: bool) -> PR<Vec<B::Arg>> {
        let m = self.p;
        let v = self.params_no_default(lambda)?;
        if !v.is_empty() && self.eat(TokKind::SLASH)? && (self.eat(TokKind::COMMA)? || self.param_end(lambda)?) {
            return Ok(Some(v));
        }
        self.p = m;
        Ok(None)
    }

    /// `slash_with_default: param_no_default* param_with_default+ '/' (',' | &')')`
    fn slash_with_default(&mut self, lambda: bool) -> PR<SlashWithDefault<B>> {
        let m = self.p;
        let plain = self.params_no_default(lambda)?;
        let with = self.params_with_default(lambda)?;
        if !with.is_empty() && self.eat(TokKind::SLASH)? && (self.eat(TokKind::COMMA)? || self.param_end(lambda)?) {
            return Ok(Some((plain, with)));
        }
        self.p = m;
        Ok(None)
    }

    /// `star_etc`
    fn star_etc(&mut self, lambda: bool) -> PR<StarEtc<B>> {
        let m = self.p;
        if self.invalid {
            self.invalid_star_etc(lambda)?;
            self.p = m;
        }
        if self.eat(TokKind::STAR)? {
            // '*' param_no_default param_maybe_default* [kwds]
            let m1 = self.p;
            let mut vararg = self.param_no_default(lambda)?;
            if vararg.is_none() && !lambda {
                // '*' param_no_default_star_annotation param_maybe_default* [kwds]
                self.p = m1;
                vararg = self.param_no_default_star_annotation()?;
            }
            if let Some(va) = vararg {
                let mut kwonly = Vec::new();
                while let Some(p) = self.param_default(lambda, false)? {
                    kwonly.push(p);
                }
                let kwarg = self.kwds(lambda)?;
                return Ok(Some(StarEtc { vararg: Some(va), kwonly, kwarg }));
            }
            self.p = m1;
            // '*' ',' param_maybe_default+ [kwds]
            if self.eat(TokKind::COMMA)? {
                let mut kwonly = Vec::new();
                while let Some(p) = self.param_default(lambda, false)? {
                    kwonly.push(p);
                }
                if !kwonly.is_empty() {
                    let kwarg = self.kwds(lambda)?;
                    return Ok(Some(StarEtc { vararg: None, kwonly, kwarg }));
                }
            }
            self.p = m;
            return Ok(None);
        }
        if let Some(k) = self.kwds(lambda)? {
            return Ok(Some(StarEtc { vararg: None, kwonly: Vec::new(), kwarg: Some(k) }));
        }
        self.p = m;
        Ok(None)
    }

    /// `param_no_default_star_annotation: param_star_annotation ',' TYPE_COMMENT? | param_star_annotation TYPE_COMMENT? &')'`
    fn param_no_default_star_annotation(&mut self) -> PR<B::Arg> {
        let m = self.p;
        let Some(n) = self.name_tok()? else { return Ok(None) };
        if !self.eat(TokKind::COLON)? {
            self.p = m;
            return Ok(None);
        }
        let Some(ann) = self.star_expression()? else {
            self.p = m;
            return Ok(None);
        };
        let id = self.ident(&n);
        let pos = self.pos(m);
        let a = self.b.arg(id, Some(ann), pos);
        if self.eat(TokKind::COMMA)? {
            let tc = self.type_comment()?;
            return Ok(Some(self.arg_with_type_comment(a, tc)));
        }
        let tc = self.type_comment()?;
        if self.next_is(TokKind::RPAR)? {
            return Ok(Some(self.arg_with_type_comment(a, tc)));
        }
        self.p = m;
        Ok(None)
    }

    /// `kwds: '**' param_no_default`
    fn kwds(&mut self, lambda: bool) -> Result<Option<B::Arg>, E> {
        let m = self.p;
        if self.invalid {
            self.invalid_kwds(lambda)?;
            self.p = m;
        }
        if self.eat(TokKind::DOUBLESTAR)? {
            if let Some(a) = self.param_no_default(lambda)? {
                return Ok(Some(a));
            }
        }
        self.p = m;
        Ok(None)
    }

    // ------------------------------------------------------------------ if / while / for / with / try

    /// `if_stmt` / `elif_stmt`: `('if'|'elif') named_expression ':' block (elif_stmt | [else_block])`
    fn if_stmt(&mut self) -> PR<B::Stmt> {
        self.if_like(Kw::If)
    }

    fn if_like(&mut self, kw: Kw) -> PR<B::Stmt> {
        let m = self.p;
        if self.invalid {
            self.invalid_cond_stmt(kw, if kw == Kw::If { "if" } else { "elif" })?;
        }
        if !self.eat_kw(kw)? {
            return Ok(None);
        }
        let Some(test) = self.named_expression()? else {
            self.p = m;
            return Ok(None);
        };
        if !self.eat(TokKind::COLON)? {
            self.p = m;
            return Ok(None);
        }
        let Some(body) = self.block()? else {
            self.p = m;
            return Ok(None);
        };
        let orelse = if self.next_is_kw(Kw::Elif)? {
            match self.if_like(Kw::Elif)? {
                Some(s) => vec![s],
                None => self.else_block()?.unwrap_or_default(),
            }
        } else {
            self.else_block()?.unwrap_or_default()
        };
        let pos = self.pos(m);
        Ok(Some(self.b.if_(test, body, orelse, pos)))
    }

    /// `else_block: 'else' &&':' block`
    fn else_block(&mut self) -> PR<Vec<B::Stmt>> {
        let m = self.p;
        if self.invalid {
            self.invalid_kw_colon_block(Kw::Else, "else")?;
        }
        if !self.eat_kw(Kw::Else)? {
            return Ok(None);
        }
        if !self.eat(TokKind::COLON)? {
            let t = self.peek()?;
            return Err(self.error_at(&t.t, "expected ':'"));
        }
        let r = self.block()?;
        if r.is_none() {
            self.p = m;
        }
        Ok(r)
    }

    /// `while_stmt: 'while' named_expression ':' block [else_block]`
    fn while_stmt(&mut self) -> PR<B::Stmt> {
        let m = self.p;
        if self.invalid {
            self.invalid_cond_stmt(Kw::While, "while")?;
        }
        if !self.eat_kw(Kw::While)? {
            return Ok(None);
        }
        let Some(test) = self.named_expression()? else {
            self.p = m;
            return Ok(None);
        };
        if !self.eat(TokKind::COLON)? {
            self.p = m;
            return Ok(None);
        }
        let Some(body) = self.block()? else {
            self.p = m;
            return Ok(None);
        };
        let orelse = self.else_block()?.unwrap_or_default();
        let pos = self.pos(m);
        Ok(Some(self.b.while_(test, body, orelse, pos)))
    }

    /// `for_stmt: ['async'] 'for' star_targets 'in' ~ star_expressions ':' [TYPE_COMMENT] block [else_block]`
    fn for_stmt(&mut self) -> PR<B::Stmt> {
        let m = self.p;
        if self.invalid {
            self.invalid_for_stmt()?;
        }
        let is_async = self.eat_kw(Kw::Async)?;
        if !self.eat_kw(Kw::For)? {
            self.p = m;
            return Ok(None);
        }
        let target = self.star_targets()?;
        let Some(target) = target.filter(|_| self.next_is_kw(Kw::In).unwrap_or(false)) else {
            self.p = m;
            if self.invalid {
                self.invalid_for_target()?;
            }
            return Ok(None);
        };
        self.p += 1;
        let Some(iter) = self.star_expressions()? else {
            self.p = m;
            return Ok(None);
        };
        if !self.eat(TokKind::COLON)? {
            self.p = m;
            return Ok(None);
        }
        let tc = self.type_comment()?;
        let Some(body) = self.block()? else {
            self.p = m;
            return Ok(None);
        };
        let orelse = self.else_block()?.unwrap_or_default();
        let pos = self.pos(m);
        let st = self.b.for_(is_async, target, iter, body, orelse, pos);
        Ok(Some(self.with_type_comment(st, tc)))
    }

    /// `with_stmt`
    fn with_stmt(&mut self) -> PR<B::Stmt> {
        let m = self.p;
        if self.invalid {
            self.invalid_with_stmt(true)?;
        }
        let is_async = self.eat_kw(Kw::Async)?;
        if !self.eat_kw(Kw::With)? {
            self.p = m;
            return Ok(None);
        }
        let after_with = self.p;
        // '(' ','.with_item+ ','? ')' ':' block
        'paren: {
            if !self.eat(TokKind::LPAR)? {
                break 'paren;
            }
            let Some(items) = self.with_items()? else { break 'paren };
            self.eat(TokKind::COMMA)?;
            if !self.eat(TokKind::RPAR)? || !self.eat(TokKind::COLON)? {
                break 'paren;
            }
            let tc = if !is_async { self.type_comment()? } else { None };
            let Some(body) = self.block()? else { break 'paren };
            let pos = self.pos(m);
            let st = self.b.with(is_async, items, body, pos);
            return Ok(Some(self.with_type_comment(st, tc)));
        }
        self.p = after_with;
        // ','.with_item+ ':' [TYPE_COMMENT] block
        let items = match self.with_items()? {
            Some(items) if self.eat(TokKind::COLON)? => Some(items),
            _ => None,
        };
        let mut tc = None;
        let body = match items {
            Some(_) => {
                tc = self.type_comment()?;
                self.block()?
            }
            None => None,
        };
        let (Some(items), Some(body)) = (items, body) else {
            self.p = m;
            if self.invalid {
                self.invalid_with_stmt(false)?;
            }
            return Ok(None);
        };
        let pos = self.pos(m);
        let st = self.b.with(is_async, items, body, pos);
        Ok(Some(self.with_type_comment(st, tc)))
    }

    fn with_items(&mut self) -> PR<Vec<B::WithItem>> {
        let mut v = Vec::new();
        loop {
            let Some(it) = self.with_item()? else { break };
            v.push(it);
            let m = self.p;
            if !self.eat(TokKind::COMMA)? {
                break;
            }
            let m2 = self.p;
            let more = self.with_item()?;
            self.p = m2;
            if more.is_none() {
                self.p = m;
                break;
            }
        }
        Ok(if v.is_empty() { None } else { Some(v) })
    }

    /// `with_item: expression 'as' star_target &(',' | ')' | ':') | expression`
    fn with_item(&mut self) -> PR<B::WithItem> {
        let start = self.p;
        let Some(e) = self.expression()? else { return Ok(None) };
        let m = self.p;
        if self.eat_kw(Kw::As)? {
            if let Some(t) = self.star_target()? {
                let k = self.peek_kind()?.0;
                if matches!(k, TokKind::COMMA | TokKind::RPAR | TokKind::COLON) {
                    return Ok(Some(self.b.with_item(e, Some(t))));
                }
            }
        }
        if self.invalid {
            self.p = start;
            self.invalid_with_item()?;
        }
        self.p = m;
        Ok(Some(self.b.with_item(e, None)))
    }

    /// `try_stmt`
    fn try_stmt(&mut self) -> PR<B::Stmt> {
        let m = self.p;
        if self.invalid {
            self.invalid_try_stmt()?;
        }
        if !self.eat_kw(Kw::Try)? {
            return Ok(None);
        }
        if !self.eat(TokKind::COLON)? {
            let t = self.peek()?;
            return Err(self.error_at(&t.t, "expected ':'"));
        }
        let Some(body) = self.block()? else {
            self.p = m;
            return Ok(None);
        };
        let after_body = self.p;
        // 'try' &&':' block finally_block
        if let Some(f) = self.finally_block()? {
            let pos = self.pos(m);
            return Ok(Some(self.b.try_(false, body, Vec::new(), Vec::new(), f, pos)));
        }
        self.p = after_body;
        for star in [false, true] {
            let mut handlers = Vec::new();
            while let Some(h) = self.except_block(star)? {
                handlers.push(h);
            }
            if handlers.is_empty() {
                self.p = after_body;
                continue;
            }
            let orelse = self.else_block()?.unwrap_or_default();
            let finalbody = self.finally_block()?.unwrap_or_default();
            let pos = self.pos(m);
            return Ok(Some(self.b.try_(star, body, handlers, orelse, finalbody, pos)));
        }
        self.p = m;
        Ok(None)
    }

    /// `finally_block: 'finally' &&':' block`
    fn finally_block(&mut self) -> PR<Vec<B::Stmt>> {
        let m = self.p;
        if self.invalid {
            self.invalid_kw_colon_block(Kw::Finally, "finally")?;
        }
        if !self.eat_kw(Kw::Finally)? {
            return Ok(None);
        }
        if !self.eat(TokKind::COLON)? {
            let t = self.peek()?;
            return Err(self.error_at(&t.t, "expected ':'"));
        }
        let r = self.block()?;
        if r.is_none() {
            self.p = m;
        }
        Ok(r)
    }

    /// `except_block` / `except_star_block`
    fn except_block(&mut self, star: bool) -> PR<B::ExceptHandler> {
        if self.invalid {
            self.invalid_except_stmt_indent(star)?;
        }
        let r = self.except_block_alts(star)?;
        if r.is_none() && self.invalid {
            self.invalid_except_stmt(star)?;
        }
        Ok(r)
    }

    fn except_block_alts(&mut self, star: bool) -> PR<B::ExceptHandler> {
        let m = self.p;
        if !self.eat_kw(Kw::Except)? {
            return Ok(None);
        }
        if star && !self.eat(TokKind::STAR)? {
            self.p = m;
            return Ok(None);
        }
        if !star && self.next_is(TokKind::STAR)? {
            self.p = m;
            return Ok(None);
        }
        let after_kw = self.p;
        if let Some(e) = self.expression()? {
            let after_e = self.p;
            // 'except' expression ':' block
            if self.eat(TokKind::COLON)? {
                if let Some(body) = self.block()? {
                    let pos = self.pos(m);
                    return Ok(Some(self.b.except_handler(Some(e), None, body, pos)));
                }
                self.p = m;
                return Ok(None);
            }
            self.p = after_e;
            // 'except' expression 'as' NAME ':' block
            if self.eat_kw(Kw::As)? {
                if let Some(n) = self.name_tok()? {
                    if self.eat(TokKind::COLON)? {
                        if let Some(body) = self.block()? {
                            let id = self.ident(&n);
                            let pos = self.pos(m);
                            return Ok(Some(self.b.except_handler(Some(e), Some(id), body, pos)));
                        }
                    }
                }
            }
            self.p = after_kw;
            // 'except' expressions ':' block (3.14+)
            if self.g.except_unparenthesized {
                if let Some(es) = self.expressions()? {
                    if self.eat(TokKind::COLON)? {
                        if let Some(body) = self.block()? {
                            let pos = self.pos(m);
                            return Ok(Some(self.b.except_handler(Some(es), None, body, pos)));
                        }
                    }
                }
            }
            self.p = after_kw;
        }
        // 'except' ':' block
        if !star && self.eat(TokKind::COLON)? {
            if let Some(body) = self.block()? {
                let pos = self.pos(m);
                return Ok(Some(self.b.except_handler(None, None, body, pos)));
            }
        }
        self.p = m;
        Ok(None)
    }

    // ------------------------------------------------------------------ match

    /// `match_stmt: "match" subject_expr ':' NEWLINE INDENT case_block+ DEDENT`
    fn match_stmt(&mut self) -> PR<B::Stmt> {
        let m = self.p;
        if !self.eat_soft("match")? {
            return Ok(None);
        }
        let Some(subject) = self.subject_expr()? else {
            self.p = m;
            if self.invalid {
                self.invalid_match_stmt()?;
            }
            return Ok(None);
        };
        if !(self.eat(TokKind::COLON)? && self.eat(TokKind::NEWLINE)? && self.eat(TokKind::INDENT)?) {
            self.p = m;
            if self.invalid {
                self.invalid_match_stmt()?;
            }
            return Ok(None);
        }
        let mut cases = Vec::new();
        while let Some(c) = self.case_block()? {
            cases.push(c);
        }
        if cases.is_empty() || !self.eat(TokKind::DEDENT)? {
            self.p = m;
            if self.invalid {
                self.invalid_match_stmt()?;
            }
            return Ok(None);
        }
        let pos = self.pos(m);
        Ok(Some(self.b.match_(subject, cases, pos)))
    }

    /// `subject_expr: star_named_expression ',' star_named_expressions? | named_expression`
    fn subject_expr(&mut self) -> PR<B::Expr> {
        let m = self.p;
        if let Some(first) = self.star_named_expression()? {
            if self.eat(TokKind::COMMA)? {
                let mut elts = vec![first];
                if let Some(rest) = self.star_named_expressions()? {
                    elts.extend(rest);
                }
                let pos = self.pos(m);
                return Ok(Some(self.b.tuple(elts, ExprContext::Load, pos)));
            }
        }
        self.p = m;
        self.named_expression()
    }

    /// `case_block: "case" patterns guard? ':' block`
    fn case_block(&mut self) -> PR<B::MatchCase> {
        let m = self.p;
        if self.invalid {
            self.invalid_case_block()?;
        }
        if !self.eat_soft("case")? {
            return Ok(None);
        }
        let Some(pat) = self.patterns()? else {
            self.p = m;
            return Ok(None);
        };
        let m2 = self.p;
        let mut guard = None;
        if self.eat_kw(Kw::If)? {
            guard = self.named_expression()?;
            if guard.is_none() {
                self.p = m2;
            }
        }
        if !self.eat(TokKind::COLON)? {
            self.p = m;
            return Ok(None);
        }
        let Some(body) = self.block()? else {
            self.p = m;
            return Ok(None);
        };
        Ok(Some(self.b.match_case(pat, guard, body)))
    }

    /// `patterns: open_sequence_pattern | pattern`
    fn patterns(&mut self) -> PR<B::Pattern> {
        let m = self.p;
        if let Some(v) = self.open_sequence_pattern()? {
            let pos = self.pos(m);
            return Ok(Some(self.b.match_sequence(v, pos)));
        }
        self.p = m;
        self.pattern()
    }

    /// `pattern: as_pattern | or_pattern`
    fn pattern(&mut self) -> PR<B::Pattern> {
        self.enter()?;
        let r = stacker::maybe_grow(RED_ZONE, STACK_GROW, || self.pattern_inner());
        self.leave();
        r
    }

    fn pattern_inner(&mut self) -> PR<B::Pattern> {
        let m = self.p;
        let Some(p) = self.or_pattern()? else { return Ok(None) };
        // as_pattern: or_pattern 'as' pattern_capture_target
        let m2 = self.p;
        if self.eat_kw(Kw::As)? {
            if let Some(n) = self.pattern_capture_target()? {
                let id = self.ident(&n);
                let pos = self.pos(m);
                return Ok(Some(self.b.match_as(Some(p), Some(id), pos)));
            }
        }
        self.p = m2;
        if self.invalid {
            self.invalid_as_pattern()?;
        }
        Ok(Some(p))
    }

    /// `or_pattern: '|'.closed_pattern+`
    fn or_pattern(&mut self) -> PR<B::Pattern> {
        let m = self.p;
        let Some(first) = self.closed_pattern()? else { return Ok(None) };
        let mut v = Vec::new();
        loop {
            let m2 = self.p;
            if !self.eat(TokKind::VBAR)? {
                break;
            }
            match self.closed_pattern()? {
                Some(p) => v.push(p),
                None => {
                    self.p = m2;
                    break;
                }
            }
        }
        if v.is_empty() {
            return Ok(Some(first));
        }
        v.insert(0, first);
        let pos = self.pos(m);
        Ok(Some(self.b.match_or(v, pos)))
    }

    /// `closed_pattern`
    fn closed_pattern(&mut self) -> PR<B::Pattern> {
        let m = self.p;
        if let Some(p) = self.literal_pattern()? {
            return Ok(Some(p));
        }
        self.p = m;
        // capture_pattern
        if let Some(n) = self.pattern_capture_target()? {
            let id = self.ident(&n);
            let pos = self.pos(m);
            return Ok(Some(self.b.match_as(None, Some(id), pos)));
        }
        // wildcard_pattern
        if self.eat_soft("_")? {
            let pos = self.pos(m);
            return Ok(Some(self.b.match_as(None, None, pos)));
        }
        // value_pattern: attr !('.' | '(' | '=')
        if let Some(a) = self.attr()? {
            if !matches!(self.peek_kind()?.0, TokKind::DOT | TokKind::LPAR | TokKind::EQUAL) {
                let pos = self.pos(m);
                return Ok(Some(self.b.match_value(a, pos)));
            }
        }
        self.p = m;
        // group_pattern: '(' pattern ')'
        if self.eat(TokKind::LPAR)? {
            if let Some(p) = self.pattern()? {
                if self.eat(TokKind::RPAR)? {
                    return Ok(Some(p));
                }
            }
        }
        self.p = m;
        // sequence_pattern
        if self.eat(TokKind::LSQB)? {
            let v = self.maybe_sequence_pattern()?.unwrap_or_default();
            if self.eat(TokKind::RSQB)? {
                let pos = self.pos(m);
                return Ok(Some(self.b.match_sequence(v, pos)));
            }
        }
        self.p = m;
        if self.eat(TokKind::LPAR)? {
            let v = self.open_sequence_pattern()?.unwrap_or_default();
            if self.eat(TokKind::RPAR)? {
                let pos = self.pos(m);
                return Ok(Some(self.b.match_sequence(v, pos)));
            }
        }
        self.p = m;
        if let Some(p) = self.mapping_pattern()? {
            return Ok(Some(p));
        }
        self.p = m;
        let r = self.class_pattern()?;
        if r.is_none() {
            self.p = m;
        }
        Ok(r)
    }

    /// `literal_pattern`
    fn literal_pattern(&mut self) -> PR<B::Pattern> {
        let m = self.p;
        if let Some(v) = self.signed_number()? {
            if !matches!(self.peek_kind()?.0, TokKind::PLUS | TokKind::MINUS) {
                let pos = self.pos(m);
                return Ok(Some(self.b.match_value(v, pos)));
            }
        }
        self.p = m;
        if let Some(v) = self.complex_number()? {
            let pos = self.pos(m);
            return Ok(Some(self.b.match_value(v, pos)));
        }
        self.p = m;
        if self.is_string_start()? {
            if let Some(v) = self.strings()? {
                let pos = self.pos(m);
                return Ok(Some(self.b.match_value(v, pos)));
            }
        }
        let t = self.peek()?;
        let c = match t.kw {
            Kw::None => Constant::None,
            Kw::True => Constant::True,
            Kw::False => Constant::False,
            _ => return Ok(None),
        };
        self.p += 1;
        let pos = self.pos(m);
        Ok(Some(self.b.match_singleton(c, pos)))
    }

    /// `literal_expr`
    fn literal_expr(&mut self) -> PR<B::Expr> {
        let m = self.p;
        if let Some(v) = self.signed_number()? {
            if !matches!(self.peek_kind()?.0, TokKind::PLUS | TokKind::MINUS) {
                return Ok(Some(v));
            }
        }
        self.p = m;
        if let Some(v) = self.complex_number()? {
            return Ok(Some(v));
        }
        self.p = m;
        if self.is_string_start()? {
            if let Some(v) = self.strings()? {
                return Ok(Some(v));
            }
        }
        let t = self.peek()?;
        let c = match t.kw {
            Kw::None => Constant::None,
            Kw::True => Constant::True,
            Kw::False => Constant::False,
            _ => return Ok(None),
        };
        self.p += 1;
        let pos = self.pos(m);
        Ok(Some(self.b.constant(c, false, pos)))
    }

    /// `complex_number: signed_real_number ('+' | '-') imaginary_number`
    fn complex_number(&mut self) -> PR<B::Expr> {
        let m = self.p;
        let Some(real) = self.signed_real_number()? else { return Ok(None) };
        let op = match self.peek_kind()?.0 {
            TokKind::PLUS => Operator::Add,
            TokKind::MINUS => Operator::Sub,
            _ => {
                self.p = m;
                return Ok(None);
            }
        };
        self.p += 1;
        let Some(imag) = self.number_kind(true)? else {
            self.p = m;
            return Ok(None);
        };
        let pos = self.pos(m);
        Ok(Some(self.b.bin_op(real, op, imag, pos)))
    }

    /// `signed_number: NUMBER | '+' NUMBER | '-' NUMBER`
    fn signed_number(&mut self) -> PR<B::Expr> {
        let m = self.p;
        if self.next_is(TokKind::NUMBER)? {
            return self.number();
        }
        if self.eat(TokKind::MINUS)? {
            if let Some(n) = self.number()? {
                let pos = self.pos(m);
                return Ok(Some(self.b.unary_op(UnaryOp::USub, n, pos)));
            }
        }
        self.p = m;
        Ok(None)
    }

    /// `signed_real_number: real_number | '-' real_number`
    fn signed_real_number(&mut self) -> PR<B::Expr> {
        let m = self.p;
        if self.next_is(TokKind::NUMBER)? {
            return self.number_kind(false);
        }
        if self.eat(TokKind::MINUS)? {
            if let Some(n) = self.number_kind(false)? {
                let pos = self.pos(m);
                return Ok(Some(self.b.unary_op(UnaryOp::USub, n, pos)));
            }
        }
        self.p = m;
        Ok(None)
    }

    /// `real_number` / `imaginary_number`: a NUMBER that must (not) be imaginary.
    fn number_kind(&mut self, imaginary: bool) -> PR<B::Expr> {
        let t = self.peek()?;
        if t.t.kind != TokKind::NUMBER {
            return Ok(None);
        }
        let is_imag = self.text(&t.t).ends_with(['j', 'J']);
        if is_imag != imaginary {
            let msg = if imaginary { "imaginary number required in complex literal" } else { "real number required in complex literal" };
            return Err(self.error_at(&t.t, msg));
        }
        self.number()
    }

    /// `pattern_capture_target: !"_" NAME !('.' | '(' | '=')`
    fn pattern_capture_target(&mut self) -> Result<Option<Token>, E> {
        let m = self.p;
        if self.next_is_soft("_")? {
            return Ok(None);
        }
        let Some(n) = self.name_tok()? else { return Ok(None) };
        if matches!(self.peek_kind()?.0, TokKind::DOT | TokKind::LPAR | TokKind::EQUAL) {
            self.p = m;
            return Ok(None);
        }
        Ok(Some(n))
    }

    /// `attr: name_or_attr '.' NAME` (at least one dot).
    fn attr(&mut self) -> PR<B::Expr> {
        let m = self.p;
        let Some(n) = self.name_or_attr()? else { return Ok(None) };
        let _ = n;
        // name_or_attr parsed as many dots as possible; attr needs at least one.
        if self.p - m < 3 {
            self.p = m;
            return Ok(None);
        }
        self.p = m;
        self.name_or_attr()
    }

    /// `name_or_attr: attr | NAME`
    fn name_or_attr(&mut self) -> PR<B::Expr> {
        let m = self.p;
        let Some(n) = self.name_tok()? else { return Ok(None) };
        let id = self.ident(&n);
        let mut cur = self.b.name(id, ExprContext::Load, tok_pos(&n));
        loop {
            let m2 = self.p;
            if !self.eat(TokKind::DOT)? {
                break;
            }
            match self.name_tok()? {
                Some(a) => {
                    let id = self.ident(&a);
                    let pos = self.pos(m);
                    cur = self.b.attribute(cur, id, ExprContext::Load, pos);
                }
                None => {
                    self.p = m2;
                    break;
                }
            }
        }
        Ok(Some(cur))
    }

    /// `open_sequence_pattern: maybe_star_pattern ',' maybe_sequence_pattern?`
    fn open_sequence_pattern(&mut self) -> PR<Vec<B::Pattern>> {
        let m = self.p;
        let Some(first) = self.maybe_star_pattern()? else { return Ok(None) };
        if !self.eat(TokKind::COMMA)? {
            self.p = m;
            return Ok(None);
        }
        let mut v = vec![first];
        if let Some(rest) = self.maybe_sequence_pattern()? {
            v.extend(rest);
        }
        Ok(Some(v))
    }

    /// `maybe_sequence_pattern: ','.maybe_star_pattern+ ','?`
    fn maybe_sequence_pattern(&mut self) -> PR<Vec<B::Pattern>> {
        let mut v = Vec::new();
        loop {
            let m = self.p;
            match self.maybe_star_pattern()? {
                Some(p) => v.push(p),
                None => {
                    self.p = m;
                    break;
                }
            }
            if !self.eat(TokKind::COMMA)? {
                break;
            }
        }
        Ok(if v.is_empty() { None } else { Some(v) })
    }

    /// `maybe_star_pattern: star_pattern | pattern`
    fn maybe_star_pattern(&mut self) -> PR<B::Pattern> {
        let m = self.p;
        if self.eat(TokKind::STAR)? {
            if let Some(n) = self.pattern_capture_target()? {
                let id = self.ident(&n);
                let pos = self.pos(m);
                return Ok(Some(self.b.match_star(Some(id), pos)));
            }
            if self.eat_soft("_")? {
                let pos = self.pos(m);
                return Ok(Some(self.b.match_star(None, pos)));
            }
            self.p = m;
        }
        self.pattern()
    }

    /// `mapping_pattern`
    fn mapping_pattern(&mut self) -> PR<B::Pattern> {
        let m = self.p;
        if !self.eat(TokKind::LBRACE)? {
            return Ok(None);
        }
        // '{' '}'
        if self.eat(TokKind::RBRACE)? {
            let pos = self.pos(m);
            return Ok(Some(self.b.match_mapping(Vec::new(), Vec::new(), None, pos)));
        }
        let after = self.p;
        // '{' double_star_pattern ','? '}'
        if let Some(rest) = self.double_star_pattern()? {
            self.eat(TokKind::COMMA)?;
            if self.eat(TokKind::RBRACE)? {
                let id = self.ident(&rest);
                let pos = self.pos(m);
                return Ok(Some(self.b.match_mapping(Vec::new(), Vec::new(), Some(id), pos)));
            }
        }
        self.p = after;
        // '{' items_pattern ',' double_star_pattern ','? '}' | '{' items_pattern ','? '}'
        let mut keys = Vec::new();
        let mut pats = Vec::new();
        loop {
            let m2 = self.p;
            let key = match self.literal_expr()? {
                Some(k) => Some(k),
                None => {
                    self.p = m2;
                    self.attr()?
                }
            };
            let Some(key) = key else {
                self.p = m2;
                break;
            };
            if !self.eat(TokKind::COLON)? {
                self.p = m2;
                break;
            }
            let Some(pat) = self.pattern()? else {
                self.p = m2;
                break;
            };
            keys.push(key);
            pats.push(pat);
            let m3 = self.p;
            if !self.eat(TokKind::COMMA)? {
                break;
            }
            if self.next_is(TokKind::DOUBLESTAR)? || self.next_is(TokKind::RBRACE)? {
                self.p = m3;
                break;
            }
        }
        if keys.is_empty() {
            self.p = m;
            if self.invalid && self.g.lexer_minor >= 15 {
                self.invalid_mapping_pattern()?;
            }
            return Ok(None);
        }
        let after_items = self.p;
        if self.eat(TokKind::COMMA)? {
            if let Some(rest) = self.double_star_pattern()? {
                self.eat(TokKind::COMMA)?;
                if self.eat(TokKind::RBRACE)? {
                    let id = self.ident(&rest);
                    let pos = self.pos(m);
                    return Ok(Some(self.b.match_mapping(keys, pats, Some(id), pos)));
                }
            }
        }
        self.p = after_items;
        self.eat(TokKind::COMMA)?;
        if self.eat(TokKind::RBRACE)? {
            let pos = self.pos(m);
            return Ok(Some(self.b.match_mapping(keys, pats, None, pos)));
        }
        self.p = m;
        if self.invalid && self.g.lexer_minor >= 15 {
            self.invalid_mapping_pattern()?;
        }
        Ok(None)
    }

    /// `double_star_pattern: '**' pattern_capture_target`
    fn double_star_pattern(&mut self) -> Result<Option<Token>, E> {
        let m = self.p;
        if self.eat(TokKind::DOUBLESTAR)? {
            if let Some(n) = self.pattern_capture_target()? {
                return Ok(Some(n));
            }
        }
        self.p = m;
        Ok(None)
    }

    /// `class_pattern`
    fn class_pattern(&mut self) -> PR<B::Pattern> {
        let m = self.p;
        let Some(cls) = self.name_or_attr()? else { return Ok(None) };
        if !self.eat(TokKind::LPAR)? {
            self.p = m;
            return Ok(None);
        }
        let mut patterns = Vec::new();
        let mut kwd_attrs = Vec::new();
        let mut kwd_patterns = Vec::new();
        // positional_patterns: ','.pattern+ (a keyword pattern is NAME '=' ..., which `pattern` rejects)
        loop {
            let m2 = self.p;
            if self.is_keyword_pattern()? {
                break;
            }
            match self.pattern()? {
                Some(p) => patterns.push(p),
                None => {
                    self.p = m2;
                    break;
                }
            }
            let m3 = self.p;
            if !self.eat(TokKind::COMMA)? {
                break;
            }
            if self.next_is(TokKind::RPAR)? {
                self.p = m3;
                break;
            }
        }
        if !patterns.is_empty() {
            let m3 = self.p;
            if !self.eat(TokKind::COMMA)? || !self.is_keyword_pattern()? {
                self.p = m3;
            }
        }
        // keyword_patterns: ','.keyword_pattern+
        loop {
            let m2 = self.p;
            let Some(n) = self.name_tok()? else { break };
            if !self.eat(TokKind::EQUAL)? {
                self.p = m2;
                break;
            }
            let Some(p) = self.pattern()? else {
                self.p = m2;
                break;
            };
            let id = self.ident(&n);
            kwd_attrs.push(id);
            kwd_patterns.push(p);
            let m3 = self.p;
            if !self.eat(TokKind::COMMA)? {
                break;
            }
            if !self.is_keyword_pattern()? {
                self.p = m3;
                break;
            }
        }
        self.eat(TokKind::COMMA)?;
        if !self.eat(TokKind::RPAR)? {
            self.p = m;
            if self.invalid {
                self.invalid_class_pattern()?;
            }
            return Ok(None);
        }
        let pos = self.pos(m);
        Ok(Some(self.b.match_class(cls, patterns, kwd_attrs, kwd_patterns, pos)))
    }

    fn is_keyword_pattern(&mut self) -> Result<bool, E> {
        let (tkind, tkw) = self.peek_kind()?;
        Ok(tkind == TokKind::NAME && tkw == Kw::No && self.kind_at(self.p + 1)?.0 == TokKind::EQUAL)
    }

    // ------------------------------------------------------------------ type statements

    /// `type_alias: "type" NAME [type_params] '=' expression`
    fn type_alias(&mut self) -> PR<B::Stmt> {
        let m = self.p;
        if !self.eat_soft("type")? {
            return Ok(None);
        }
        let Some(n) = self.name_tok()? else {
            self.p = m;
            return Ok(None);
        };
        let tps = self.opt_type_params()?;
        if !self.eat(TokKind::EQUAL)? {
            self.p = m;
            return Ok(None);
        }
        let Some(value) = self.expression()? else {
            self.p = m;
            return Ok(None);
        };
        let id = self.ident(&n);
        let name = self.b.name(id, ExprContext::Store, tok_pos(&n));
        let pos = self.pos(m);
        Ok(Some(self.b.type_alias(name, tps, value, pos)))
    }

    /// `[type_params]`
    fn opt_type_params(&mut self) -> Result<Vec<B::TypeParam>, E> {
        if !self.g.type_params || !self.next_is(TokKind::LSQB)? {
            return Ok(Vec::new());
        }
        if self.invalid && self.g.type_param_defaults {
            self.invalid_type_params()?;
        }
        let m = self.p;
        self.p += 1;
        let mut v = Vec::new();
        loop {
            let Some(tp) = self.type_param()? else { break };
            v.push(tp);
            if !self.eat(TokKind::COMMA)? {
                break;
            }
        }
        if v.is_empty() || !self.eat(TokKind::RSQB)? {
            self.p = m;
            return Ok(Vec::new());
        }
        Ok(v)
    }

    /// `type_param`
    fn type_param(&mut self) -> PR<B::TypeParam> {
        let m = self.p;
        if let Some(n) = self.name_tok()? {
            let m2 = self.p;
            let mut bound = None;
            if self.eat(TokKind::COLON)? {
                bound = self.expression()?;
                if bound.is_none() {
                    self.p = m2;
                }
            }
            let default = self.type_param_default(false)?;
            let id = self.ident(&n);
            let pos = self.pos(m);
            return Ok(Some(self.b.type_var(id, bound, default, pos)));
        }
        if self.eat(TokKind::STAR)? {
            if let Some(n) = self.name_tok()? {
                let default = self.type_param_default(true)?;
                let id = self.ident(&n);
                let pos = self.pos(m);
                return Ok(Some(self.b.type_var_tuple(id, default, pos)));
            }
        }
        self.p = m;
        if self.eat(TokKind::DOUBLESTAR)? {
            if let Some(n) = self.name_tok()? {
                let default = self.type_param_default(false)?;
                let id = self.ident(&n);
                let pos = self.pos(m);
                return Ok(Some(self.b.param_spec(id, default, pos)));
            }
        }
        self.p = m;
        Ok(None)
    }

    /// `type_param_default: '=' expression` / `type_param_starred_default: '=' star_expression` (3.13+)
    fn type_param_default(&mut self, starred: bool) -> Result<Option<B::Expr>, E> {
        if !self.g.type_param_defaults {
            return Ok(None);
        }
        let m = self.p;
        if self.eat(TokKind::EQUAL)? {
            let e = if starred { self.star_expression()? } else { self.expression()? };
            if e.is_some() {
                return Ok(e);
            }
        }
        self.p = m;
        Ok(None)
    }

    // ------------------------------------------------------------------ expressions

    /// `expressions: expression (',' expression)+ [','] | expression ',' | expression`
    fn expressions(&mut self) -> PR<B::Expr> {
        let m = self.p;
        let r = self.expression();
        if !matches!(r, Ok(Some(_))) || !self.next_is(TokKind::COMMA)? {
            // (returned as it comes, not moved through this frame)
            return r;
        }
        let Ok(Some(first)) = r else { return r };
        let mut v = vec![first];
        loop {
            let m2 = self.p;
            if !self.eat(TokKind::COMMA)? {
                break;
            }
            match self.expression()? {
                Some(e) => v.push(e),
                None => {
                    self.p = m2;
                    break;
                }
            }
        }
        self.eat(TokKind::COMMA)?;
        let pos = self.pos(m);
        Ok(Some(self.b.tuple(v, ExprContext::Load, pos)))
    }

    /// `expression (memo): disjunction 'if' disjunction 'else' expression | disjunction | lambdef`
    fn expression(&mut self) -> PR<B::Expr> {
        if self.lone_atom()? {
            // the atom's result is this rule's (returned as it comes, not moved through here)
            return self.atom_inner();
        }
        self.enter()?;
        let r = stacker::maybe_grow(RED_ZONE, STACK_GROW, || {
            if self.pass2 {
                self.memoized(MEMO_EXPRESSION, Self::expression_inner)
            } else {
                self.expression_inner()
            }
        });
        self.leave();
        r
    }

    /// The first pass's shortcut through the ten levels of `expression` down to `atom`: a NAME
    /// (or keyword constant), NUMBER or run of STRING pieces followed by a token no level can
    /// continue with (`,`, a closing bracket, `:`, `=`, `;`, NEWLINE) is that atom, as the full
    /// descent would find: `true` when this applies (the caller then parses the atom). The
    /// token after is read as the descent reads it; after a NUMBER or strings (whose actions
    /// can raise) only when that token is already read.
    #[inline]
    fn lone_atom(&mut self) -> Result<bool, E> {
        if self.invalid {
            return Ok(false);
        }
        let i = self.p;
        let Some(t) = self.toks.get(i).copied() else { return Ok(false) };
        let mut after = i + 1;
        match t.t.kind {
            TokKind::NAME if matches!(t.kw, Kw::No | Kw::True | Kw::False | Kw::None) => {}
            TokKind::NUMBER if self.toks.len() > i + 1 => {}
            TokKind::STRING => {
                // plain string pieces (their action can raise too), when the token after them
                // is already read
                while self.toks.get(after).is_some_and(|t| t.t.kind == TokKind::STRING) {
                    after += 1;
                }
                if self.toks.len() <= after {
                    return Ok(false);
                }
            }
            _ => return Ok(false),
        }
        let next = self.kind_at(after)?.0;
        Ok(matches!(
            next,
            TokKind::COMMA
                | TokKind::RPAR
                | TokKind::RSQB
                | TokKind::RBRACE
                | TokKind::COLON
                | TokKind::EQUAL
                | TokKind::SEMI
                | TokKind::NEWLINE
        ))
    }

    /// Whether the next token continues a `factor` at one of the levels between it and
    /// `disjunction` (a binary or comparison operator, `not`, `in`, `is`, `and`, `or`).
    #[inline]
    fn operator_follows(&mut self) -> Result<bool, E> {
        let (tkind, tkw) = self.peek_kind()?;
        Ok(matches!(
            tkind,
            TokKind::VBAR
                | TokKind::CIRCUMFLEX
                | TokKind::AMPER
                | TokKind::LEFTSHIFT
                | TokKind::RIGHTSHIFT
                | TokKind::PLUS
                | TokKind::MINUS
                | TokKind::STAR
                | TokKind::SLASH
                | TokKind::DOUBLESLASH
                | TokKind::PERCENT
                | TokKind::AT
                | TokKind::EQEQUAL
                | TokKind::NOTEQUAL
                | TokKind::LESSEQUAL
                | TokKind::LESS
                | TokKind::GREATEREQUAL
                | TokKind::GREATER
        ) || matches!(tkw, Kw::Not | Kw::In | Kw::Is | Kw::And | Kw::Or))
    }

    fn expression_inner(&mut self) -> PR<B::Expr> {
        let m = self.p;
        if self.invalid {
            self.invalid_expression()?;
            self.p = m;
            self.invalid_legacy_expression()?;
            self.p = m;
        }
        if self.next_is_kw(Kw::Lambda)? {
            return self.lambdef();
        }
        let a = if !self.pass2 && !self.next_is_kw(Kw::Not)? {
            // The first pass descends the leftmost path once: `factor`, then only the levels
            // an operator after it calls for, each continuing from the operand below it.
            let r = self.factor();
            if !matches!(r, Ok(Some(_))) || (!self.operator_follows()? && !self.next_is_kw(Kw::If)?) {
                // a lone operand (returned as it comes, not moved through this frame)
                return r;
            }
            let Ok(Some(f)) = r else { return r };
            if self.operator_follows()? {
                let e = self.binary_tail(0, m, f)?;
                let e = self.comparison_tail(m, e)?;
                let e = self.bool_chain_tail(Kw::And, m, e)?;
                self.bool_chain_tail(Kw::Or, m, e)?
            } else {
                f
            }
        } else {
            let Some(a) = self.disjunction()? else { return Ok(None) };
            a
        };
        let m2 = self.p;
        if self.eat_kw(Kw::If)? {
            if let Some(b) = self.disjunction()? {
                if self.eat_kw(Kw::Else)? {
                    if let Some(c) = self.expression()? {
                        let pos = self.pos(m);
                        return Ok(Some(self.b.if_exp(b, a, c, pos)));
                    }
                }
            }
        }
        self.p = m2;
        Ok(Some(a))
    }

    /// `yield_expr: 'yield' 'from' expression | 'yield' [star_expressions]`
    fn yield_expr(&mut self) -> PR<B::Expr> {
        let m = self.p;
        if !self.eat_kw(Kw::Yield)? {
            return Ok(None);
        }
        let m2 = self.p;
        if self.eat_kw(Kw::From)? {
            if let Some(e) = self.expression()? {
                let pos = self.pos(m);
                return Ok(Some(self.b.yield_from(e, pos)));
            }
        }
        self.p = m2;
        let v = self.star_expressions()?;
        let pos = self.pos(m);
        Ok(Some(self.b.yield_(v, pos)))
    }

    /// `star_expressions`
    fn star_expressions(&mut self) -> PR<B::Expr> {
        let m = self.p;
        let r = self.star_expression();
        if !matches!(r, Ok(Some(_))) || !self.next_is(TokKind::COMMA)? {
            // (returned as it comes, not moved through this frame)
            return r;
        }
        let Ok(Some(first)) = r else { return r };
        let mut v = vec![first];
        loop {
            let m2 = self.p;
            if !self.eat(TokKind::COMMA)? {
                break;
            }
            match self.star_expression()? {
                Some(e) => v.push(e),
                None => {
                    self.p = m2;
                    break;
                }
            }
        }
        self.eat(TokKind::COMMA)?;
        let pos = self.pos(m);
        Ok(Some(self.b.tuple(v, ExprContext::Load, pos)))
    }

    /// `star_expression: '*' bitwise_or | expression`
    fn star_expression(&mut self) -> PR<B::Expr> {
        let m = self.p;
        if self.eat(TokKind::STAR)? {
            if let Some(e) = self.bitwise_or()? {
                let pos = self.pos(m);
                return Ok(Some(self.b.starred(e, ExprContext::Load, pos)));
            }
            self.p = m;
            return Ok(None);
        }
        self.expression()
    }

    /// `star_named_expressions: ','.star_named_expression+ [',']`
    fn star_named_expressions(&mut self) -> PR<Vec<B::Expr>> {
        let Some(first) = self.star_named_expression()? else { return Ok(None) };
        let mut v = vec![first];
        self.star_named_rest(&mut v)?;
        Ok(Some(v))
    }

    /// `(',' star_named_expression)* [',']` after a first element.
    fn star_named_rest(&mut self, v: &mut Vec<B::Expr>) -> Result<(), E> {
        loop {
            if !self.eat(TokKind::COMMA)? {
                return Ok(());
            }
            let m = self.p;
            match self.star_named_expression()? {
                Some(e) => v.push(e),
                None => {
                    self.p = m;
                    return Ok(());
                }
            }
        }
    }

    /// `star_named_expression: '*' bitwise_or | named_expression`
    fn star_named_expression(&mut self) -> PR<B::Expr> {
        let m = self.p;
        if self.eat(TokKind::STAR)? {
            if let Some(e) = self.bitwise_or()? {
                let pos = self.pos(m);
                return Ok(Some(self.b.starred(e, ExprContext::Load, pos)));
            }
            self.p = m;
            return Ok(None);
        }
        self.named_expression()
    }

    /// `assignment_expression: NAME ':=' ~ expression`
    fn assignment_expression(&mut self) -> PR<B::Expr> {
        let m = self.p;
        if !(self.peek_kind()? == (TokKind::NAME, Kw::No) && self.kind_at(m + 1)?.0 == TokKind::COLONEQUAL) {
            return Ok(None);
        }
        let Some(t) = self.toks.get(m).copied() else { return Ok(None) };
        self.p += 2;
        let Some(value) = self.expression()? else {
            self.p = m;
            return Ok(None);
        };
        let id = self.ident(&t.t);
        let target = self.b.name(id, ExprContext::Store, tok_pos(&t.t));
        let pos = self.pos(m);
        Ok(Some(self.b.named_expr(target, value, pos)))
    }

    /// `named_expression: assignment_expression | expression !':='`
    fn named_expression(&mut self) -> PR<B::Expr> {
        let m = self.p;
        if let Some(e) = self.assignment_expression()? {
            return Ok(Some(e));
        }
        if self.invalid && self.no_invalid_named.insert(m as u32) {
            // `invalid_named_expression (memo)`: tried once per mark
            self.invalid_named_expression()?;
            self.p = m;
        }
        let r = self.expression();
        if matches!(r, Ok(Some(_))) && self.next_is(TokKind::COLONEQUAL)? {
            self.p = m;
            return Ok(None);
        }
        r
    }

    /// `disjunction` / `conjunction`: `x (op x)+ | x`
    fn disjunction(&mut self) -> PR<B::Expr> {
        if self.pass2 {
            // The second pass tries a disjunction at the same mark several times
            // (`invalid_expression`, then the expression itself): CPython's memo.
            return self.memoized(MEMO_DISJUNCTION, |p| p.bool_chain(Kw::Or));
        }
        self.bool_chain(Kw::Or)
    }

    fn bool_chain(&mut self, kw: Kw) -> PR<B::Expr> {
        let m = self.p;
        let r = if kw == Kw::Or { self.bool_chain(Kw::And) } else { self.inversion() };
        if !matches!(r, Ok(Some(_))) || !self.next_is_kw(kw)? {
            // a lone operand (returned as it comes, not moved through this frame)
            return r;
        }
        let Ok(Some(first)) = r else { return r };
        self.bool_chain_tail(kw, m, first).map(Some)
    }

    /// The rest of a `disjunction` (`kw` `or`) or `conjunction` (`and`) that started at `m`
    /// with `first`.
    fn bool_chain_tail(&mut self, kw: Kw, m: usize, first: B::Expr) -> Result<B::Expr, E> {
        if !self.next_is_kw(kw)? {
            return Ok(first);
        }
        let mut v = vec![first];
        loop {
            let m2 = self.p;
            if !self.eat_kw(kw)? {
                break;
            }
            let next = if kw == Kw::Or { self.bool_chain(Kw::And)? } else { self.inversion()? };
            match next {
                Some(e) => v.push(e),
                None => {
                    self.p = m2;
                    break;
                }
            }
        }
        if v.len() == 1 {
            if let Some(e) = v.pop() {
                return Ok(e);
            }
        }
        let op = if kw == Kw::Or { BoolOp::Or } else { BoolOp::And };
        let pos = self.pos(m);
        Ok(self.b.bool_op(op, v, pos))
    }

    /// `inversion: 'not' inversion | comparison`
    fn inversion(&mut self) -> PR<B::Expr> {
        let m = self.p;
        if self.eat_kw(Kw::Not)? {
            self.enter()?;
            let r = stacker::maybe_grow(RED_ZONE, STACK_GROW, || self.inversion());
            self.leave();
            if let Some(e) = r? {
                let pos = self.pos(m);
                return Ok(Some(self.b.unary_op(UnaryOp::Not, e, pos)));
            }
            self.p = m;
            return Ok(None);
        }
        self.comparison()
    }

    /// `comparison: bitwise_or compare_op_bitwise_or_pair+ | bitwise_or`
    fn comparison(&mut self) -> PR<B::Expr> {
        let m = self.p;
        let r = self.bitwise_or();
        if matches!(r, Ok(Some(_))) {
            let (kind, kw) = self.peek_kind()?;
            let op = matches!(
                kind,
                TokKind::EQEQUAL | TokKind::NOTEQUAL | TokKind::LESSEQUAL | TokKind::LESS | TokKind::GREATEREQUAL | TokKind::GREATER
            ) || matches!(kw, Kw::Not | Kw::In | Kw::Is);
            if op {
                let Ok(Some(left)) = r else { return r };
                return self.comparison_tail(m, left).map(Some);
            }
        }
        // no comparison operator follows: the operand as it comes
        r
    }

    /// The `compare_op_bitwise_or_pair*` of a `comparison` that started at `m` with `left`.
    fn comparison_tail(&mut self, m: usize, left: B::Expr) -> Result<B::Expr, E> {
        let mut ops = Vec::new();
        let mut comparators = Vec::new();
        loop {
            let m2 = self.p;
            let op = match self.peek_kind()? {
                (TokKind::EQEQUAL, _) => CmpOp::Eq,
                (TokKind::NOTEQUAL, _) => CmpOp::NotEq,
                (TokKind::LESSEQUAL, _) => CmpOp::LtE,
                (TokKind::LESS, _) => CmpOp::Lt,
                (TokKind::GREATEREQUAL, _) => CmpOp::GtE,
                (TokKind::GREATER, _) => CmpOp::Gt,
                (_, Kw::Not) => {
                    if self.kind_at(self.p + 1)?.1 == Kw::In {
                        self.p += 1;
                        CmpOp::NotIn
                    } else {
                        break;
                    }
                }
                (_, Kw::In) => CmpOp::In,
                (_, Kw::Is) => {
                    if self.kind_at(self.p + 1)?.1 == Kw::Not {
                        self.p += 1;
                        CmpOp::IsNot
                    } else {
                        CmpOp::Is
                    }
                }
                _ => break,
            };
            if op == CmpOp::NotEq && self.toks.get(m2).is_some_and(|t| self.text(&t.t) != "!=") {
                break;
            }
            self.p += 1;
            match self.bitwise_or()? {
                Some(e) => {
                    push_cap(&mut ops, op, 1);
                    push_cap(&mut comparators, e, 1);
                }
                None => {
                    self.p = m2;
                    break;
                }
            }
        }
        if ops.is_empty() {
            return Ok(left);
        }
        let pos = self.pos(m);
        Ok(self.b.compare(left, ops, comparators, pos))
    }

    /// `bitwise_or`, `bitwise_xor`, `bitwise_and`, `shift_expr`, `sum`, `term`: left-recursive
    /// binary operators, as loops. `level` 0 is `bitwise_or`, 5 is `term`.
    fn bitwise_or(&mut self) -> PR<B::Expr> {
        if self.pass2 || self.star_memo > 0 {
            // left-recursive, hence memoized in CPython; the error rules try it repeatedly
            return self.memoized(MEMO_BITWISE_OR, |p| p.binary(0));
        }
        self.binary(0)
    }

    /// The six levels by precedence climbing: `level` is the lowest level whose operators this
    /// call may take (0 `|`, 1 `^`, 2 `&`, 3 shifts, 4 `+ -`, 5 `* / // % @`). All are
    /// left-associative, so the trees (and each `BinOp`'s start at its leftmost operand) are the
    /// grammar's.
    fn binary(&mut self, level: u8) -> PR<B::Expr> {
        let m = self.p;
        let r = self.factor();
        if !matches!(r, Ok(Some(_))) || binary_level(self.peek_kind()?.0).is_none_or(|l| l < level) {
            // a lone operand (returned as it comes, not moved through this frame)
            return r;
        }
        let Ok(Some(cur)) = r else { return r };
        self.binary_tail(level, m, cur).map(Some)
    }

    /// The operators of `level` and above after `cur`, an operand that started at `m`.
    fn binary_tail(&mut self, level: u8, m: usize, mut cur: B::Expr) -> Result<B::Expr, E> {
        loop {
            let m2 = self.p;
            let (op, l) = match self.peek_kind()?.0 {
                TokKind::VBAR => (Operator::BitOr, 0),
                TokKind::CIRCUMFLEX => (Operator::BitXor, 1),
                TokKind::AMPER => (Operator::BitAnd, 2),
                TokKind::LEFTSHIFT => (Operator::LShift, 3),
                TokKind::RIGHTSHIFT => (Operator::RShift, 3),
                TokKind::PLUS => (Operator::Add, 4),
                TokKind::MINUS => (Operator::Sub, 4),
                TokKind::STAR => (Operator::Mult, 5),
                TokKind::SLASH => (Operator::Div, 5),
                TokKind::DOUBLESLASH => (Operator::FloorDiv, 5),
                TokKind::PERCENT => (Operator::Mod, 5),
                TokKind::AT => (Operator::MatMult, 5),
                _ => break,
            };
            if l < level {
                break;
            }
            self.p += 1;
            let right = if l == 5 { self.factor()? } else { self.binary(l + 1)? };
            match right {
                Some(r) => {
                    let pos = self.pos(m);
                    cur = self.b.bin_op(cur, op, r, pos);
                }
                None => {
                    self.p = m2;
                    if self.invalid && self.g.lexer_minor >= 13 && l >= 4 {
                        self.invalid_arithmetic()?;
                    }
                    break;
                }
            }
        }
        Ok(cur)
    }

    /// `factor (memo): '+' factor | '-' factor | '~' factor | power`
    fn factor(&mut self) -> PR<B::Expr> {
        let m = self.p;
        let op = match self.peek_kind()?.0 {
            TokKind::PLUS => UnaryOp::UAdd,
            TokKind::MINUS => UnaryOp::USub,
            TokKind::TILDE => UnaryOp::Invert,
            _ => return self.power(),
        };
        self.p += 1;
        self.enter()?;
        let r = stacker::maybe_grow(RED_ZONE, STACK_GROW, || self.factor());
        self.leave();
        match r? {
            Some(e) => {
                let pos = self.pos(m);
                Ok(Some(self.b.unary_op(op, e, pos)))
            }
            None => {
                if self.invalid && self.g.lexer_minor >= 13 {
                    self.p = m + 1;
                    self.invalid_factor()?;
                }
                self.p = m;
                Ok(None)
            }
        }
    }

    /// `power: await_primary '**' factor | await_primary`
    fn power(&mut self) -> PR<B::Expr> {
        let m = self.p;
        let r = self.await_primary();
        if !matches!(r, Ok(Some(_))) || !self.next_is(TokKind::DOUBLESTAR)? {
            // (returned as it comes, not moved through this frame)
            return r;
        }
        let Ok(Some(a)) = r else { return r };
        let m2 = self.p;
        if self.eat(TokKind::DOUBLESTAR)? {
            self.enter()?;
            let r = stacker::maybe_grow(RED_ZONE, STACK_GROW, || self.factor());
            self.leave();
            if let Some(b) = r? {
                let pos = self.pos(m);
                return Ok(Some(self.b.bin_op(a, Operator::Pow, b, pos)));
            }
        }
        self.p = m2;
        Ok(Some(a))
    }

    /// `await_primary (memo): 'await' primary | primary`
    fn await_primary(&mut self) -> PR<B::Expr> {
        let m = self.p;
        if self.eat_kw(Kw::Await)? {
            if let Some(e) = self.primary()? {
                let pos = self.pos(m);
                return Ok(Some(self.b.await_(e, pos)));
            }
            self.p = m;
            return Ok(None);
        }
        self.primary()
    }

    /// `primary`: left-recursive, as a loop over `.NAME`, `genexp`, `(arguments)`, `[slices]`.
    fn primary(&mut self) -> PR<B::Expr> {
        let m = self.p;
        let r = self.atom();
        if !matches!(r, Ok(Some(_))) || !matches!(self.peek_kind()?.0, TokKind::DOT | TokKind::LPAR | TokKind::LSQB) {
            // an atom no trailer follows (returned as it comes, not moved through this frame)
            return r;
        }
        let Ok(Some(mut cur)) = r else { return r };
        loop {
            let m2 = self.p;
            match self.peek_kind()?.0 {
                TokKind::DOT => {
                    self.p += 1;
                    match self.name_tok()? {
                        Some(n) => {
                            let id = self.ident(&n);
                            let pos = self.pos(m);
                            cur = self.b.attribute(cur, id, ExprContext::Load, pos);
                        }
                        None => {
                            self.p = m2;
                            break;
                        }
                    }
                }
                TokKind::LPAR => match self.call_trailer()? {
                    Some(a) => {
                        let pos = self.pos(m);
                        cur = self.b.call(cur, a.args, a.keywords, pos);
                    }
                    None => {
                        self.p = m2;
                        break;
                    }
                },
                TokKind::LSQB => {
                    self.p += 1;
                    match self.slices()? {
                        Some(s) if self.eat(TokKind::RSQB)? => {
                            let pos = self.pos(m);
                            cur = self.b.subscript(cur, s, ExprContext::Load, pos);
                        }
                        _ => {
                            self.p = m2;
                            break;
                        }
                    }
                }
                _ => break,
            }
        }
        Ok(Some(cur))
    }

    /// `genexp | '(' [arguments] ')'` after a primary: the element of `genexp` is parsed once
    /// and, when no `for` follows, reused as the first argument.
    fn call_trailer(&mut self) -> PR<CallArgs<B>> {
        let lp = self.p;
        if !self.eat(TokKind::LPAR)? {
            return Ok(None);
        }
        let mut pre = FirstArg::NoMatch;
        if let Some(e) = self.genexp_element()? {
            let after = self.p;
            if self.next_is_kw(Kw::For)? || self.next_is_kw(Kw::Async)? {
                if let Some(gens) = self.for_if_clauses()? {
                    if self.eat(TokKind::RPAR)? {
                        let pos = self.pos(lp);
                        let g = self.b.generator_exp(e, gens, pos);
                        return Ok(Some(CallArgs { args: vec![g], keywords: Vec::new(), kw_unpack: false, had_kwargs: false }));
                    }
                }
            }
            pre = FirstArg::Parsed(e, after);
        }
        if self.invalid {
            self.p = lp;
            self.invalid_comprehension()?;
        }
        self.p = lp + 1;
        let args = self.arguments(pre)?;
        if !self.eat(TokKind::RPAR)? {
            self.p = lp;
            return Ok(None);
        }
        Ok(Some(args.unwrap_or(CallArgs { args: Vec::new(), keywords: Vec::new(), kw_unpack: false, had_kwargs: false })))
    }

    /// The element of `genexp`: `assignment_expression | expression !':='`, and from 3.15
    /// (PEP 798) `starred_expression` (`list(*x for x in xs)`).
    fn genexp_element(&mut self) -> PR<B::Expr> {
        if self.g.comprehension_unpacking && self.next_is(TokKind::STAR)? {
            return self.starred_expression();
        }
        self.assign_or_expr()
    }

    /// `assignment_expression | expression !':='`
    fn assign_or_expr(&mut self) -> PR<B::Expr> {
        let m = self.p;
        if let Some(e) = self.assignment_expression()? {
            return Ok(Some(e));
        }
        let r = self.expression();
        if matches!(r, Ok(Some(_))) && self.next_is(TokKind::COLONEQUAL)? {
            self.p = m;
            return Ok(None);
        }
        r
    }

    /// `arguments (memo): args [','] &')'`; `pre` is the first positional argument when the
    /// caller already parsed it (and the mark after it).
    fn arguments(&mut self, pre: FirstArg<B::Expr>) -> PR<CallArgs<B>> {
        let m = self.p;
        let a = self.args(pre)?;
        if let Some(a) = a {
            self.eat(TokKind::COMMA)?;
            if self.next_is(TokKind::RPAR)? {
                return Ok(Some(a));
            }
        }
        self.p = m;
        if self.invalid {
            self.invalid_arguments()?;
            self.p = m;
        }
        Ok(None)
    }

    /// `args: ','.(starred_expression | (assignment_expression | expression !':=') !'=')+ [',' kwargs] | kwargs`
    fn args(&mut self, mut pre: FirstArg<B::Expr>) -> PR<CallArgs<B>> {
        let m = self.p;
        let mut positional = Vec::new();
        loop {
            let m2 = self.p;
            let star = self.next_is(TokKind::STAR)?;
            // `genexp_element` took this item's path for the first argument, unless it is
            // starred before 3.15 (`starred_expression` here, not there).
            let same_path = m2 == m && (!star || self.g.comprehension_unpacking);
            let known = match std::mem::replace(&mut pre, FirstArg::Unknown) {
                FirstArg::Parsed(e, end) if same_path => {
                    self.p = end;
                    Some(Some(e))
                }
                FirstArg::NoMatch if same_path => Some(None),
                _ => None,
            };
            let item = if star {
                match known {
                    Some(e) => e,
                    None => self.starred_expression()?,
                }
            } else {
                let e = match known {
                    Some(e) => e,
                    None => self.assign_or_expr()?,
                };
                match e {
                    Some(e) if !self.next_is(TokKind::EQUAL)? => Some(e),
                    _ => None,
                }
            };
            match item {
                Some(e) => push_cap(&mut positional, e, 4),
                None => {
                    self.p = m2;
                    if !positional.is_empty() {
                        // undo the ',' that preceded this item
                        self.p = m2 - 1;
                    }
                    break;
                }
            }
            if !self.next_is(TokKind::COMMA)? {
                break;
            }
            self.p += 1;
        }
        let mut keywords = Vec::new();
        let mut kw_unpack = false;
        if !positional.is_empty() {
            let m2 = self.p;
            let mut had_kwargs = false;
            if self.eat(TokKind::COMMA)? {
                match self.kwargs()? {
                    Some(kws) => {
                        had_kwargs = true;
                        for k in kws {
                            match k {
                                KwOrStarred::Kw(k, u) => {
                                    kw_unpack |= u;
                                    keywords.push(k)
                                }
                                KwOrStarred::Starred(e) => positional.push(e),
                            }
                        }
                    }
                    None => self.p = m2,
                }
            }
            return Ok(Some(CallArgs { args: positional, keywords, kw_unpack, had_kwargs }));
        }
        self.p = m;
        let Some(kws) = self.kwargs()? else { return Ok(None) };
        for k in kws {
            match k {
                KwOrStarred::Kw(k, u) => {
                    kw_unpack |= u;
                    keywords.push(k)
                }
                KwOrStarred::Starred(e) => positional.push(e),
            }
        }
        Ok(Some(CallArgs { args: positional, keywords, kw_unpack, had_kwargs: true }))
    }

    /// `kwargs: ','.kwarg_or_starred+ ',' ','.kwarg_or_double_starred+ | ','.kwarg_or_starred+ | ','.kwarg_or_double_starred+`
    fn kwargs(&mut self) -> PR<Vec<KwOrStarred<B>>> {
        let mut v = Vec::new();
        self.kwarg_list(false, &mut v)?;
        if !v.is_empty() {
            let m = self.p;
            if self.eat(TokKind::COMMA)? {
                let n = v.len();
                self.kwarg_list(true, &mut v)?;
                if v.len() == n {
                    self.p = m;
                }
            }
            return Ok(Some(v));
        }
        self.kwarg_list(true, &mut v)?;
        Ok(if v.is_empty() { None } else { Some(v) })
    }

    /// `','.kwarg_or_starred+` / `','.kwarg_or_double_starred+` (appends to `v`).
    fn kwarg_list(&mut self, double: bool, v: &mut Vec<KwOrStarred<B>>) -> Result<(), E> {
        let n = v.len();
        loop {
            let m = self.p;
            match self.kwarg_item(double)? {
                Some(k) => v.push(k),
                None => {
                    self.p = m;
                    if v.len() > n {
                        self.p = m - 1;
                    }
                    return Ok(());
                }
            }
            if !self.eat(TokKind::COMMA)? {
                return Ok(());
            }
        }
    }

    /// `kwarg_or_starred: NAME '=' expression | starred_expression`,
    /// `kwarg_or_double_starred: NAME '=' expression | '**' expression`
    fn kwarg_item(&mut self, double: bool) -> PR<KwOrStarred<B>> {
        let m = self.p;
        if self.invalid {
            self.invalid_kwarg()?;
            self.p = m;
        }
        if self.peek_kind()? == (TokKind::NAME, Kw::No) && self.kind_at(m + 1)?.0 == TokKind::EQUAL {
            let Some(t) = self.toks.get(m).copied() else { return Ok(None) };
            self.p += 2;
            if let Some(e) = self.expression()? {
                let id = self.ident(&t.t);
                let pos = self.pos(m);
                return Ok(Some(KwOrStarred::Kw(self.b.keyword(Some(id), e, pos), false)));
            }
            self.p = m;
        }
        if double {
            if self.eat(TokKind::DOUBLESTAR)? {
                if let Some(e) = self.expression()? {
                    let pos = self.pos(m);
                    return Ok(Some(KwOrStarred::Kw(self.b.keyword(None, e, pos), true)));
                }
            }
            self.p = m;
            return Ok(None);
        }
        Ok(self.starred_expression()?.map(KwOrStarred::Starred))
    }

    /// `starred_expression: '*' expression`
    fn starred_expression(&mut self) -> PR<B::Expr> {
        let m = self.p;
        if !self.next_is(TokKind::STAR)? {
            return Ok(None);
        }
        if self.invalid && self.g.lexer_minor >= 12 {
            self.invalid_starred_expression_unpacking()?;
        }
        self.p += 1;
        let Some(e) = self.expression()? else {
            self.p = m;
            if self.invalid && self.g.lexer_minor >= 12 {
                // invalid_starred_expression: '*'
                return Err(self.raise_last(ErrorKind::SyntaxError, "Invalid star expression"));
            }
            return Ok(None);
        };
        let pos = self.pos(m);
        Ok(Some(self.b.starred(e, ExprContext::Load, pos)))
    }

    /// `slices: slice !',' | ','.(slice | starred_expression)+ [',']` (the first element parsed once).
    fn slices(&mut self) -> PR<B::Expr> {
        let m = self.p;
        let mut v = Vec::new();
        loop {
            let m2 = self.p;
            let is_star = self.next_is(TokKind::STAR)?;
            let item = if is_star { self.starred_expression()? } else { self.slice()? };
            match item {
                Some(e) => {
                    if v.is_empty() && !is_star && !self.next_is(TokKind::COMMA)? {
                        return Ok(Some(e));
                    }
                    v.push(e);
                }
                None => {
                    self.p = m2;
                    if !v.is_empty() {
                        self.p = m2 - 1;
                    }
                    break;
                }
            }
            if !self.eat(TokKind::COMMA)? {
                break;
            }
        }
        if v.is_empty() {
            self.p = m;
            return Ok(None);
        }
        self.eat(TokKind::COMMA)?;
        let pos = self.pos(m);
        Ok(Some(self.b.tuple(v, ExprContext::Load, pos)))
    }

    /// `slice: [expression] ':' [expression] [':' [expression]] | named_expression`
    fn slice(&mut self) -> PR<B::Expr> {
        let m = self.p;
        let lower = if self.next_is(TokKind::COLON)? { None } else { self.expression()? };
        if self.eat(TokKind::COLON)? {
            let upper =
                if matches!(self.peek_kind()?.0, TokKind::COLON | TokKind::COMMA | TokKind::RSQB) { None } else { self.expression()? };
            let mut step = None;
            if self.eat(TokKind::COLON)? {
                step = if matches!(self.peek_kind()?.0, TokKind::COMMA | TokKind::RSQB) { None } else { self.expression()? };
            }
            let pos = self.pos(m);
            return Ok(Some(self.b.slice(lower, upper, step, pos)));
        }
        match lower {
            Some(e) if !self.invalid && !self.next_is(TokKind::COLONEQUAL)? => Ok(Some(e)),
            // No expression here, so no `NAME ':='` either (a NAME is an expression): outside
            // the `invalid_*` pass, `named_expression` cannot match. Parsing it again made each
            // nested `x[(...` level twice the work (2^depth).
            None if !self.invalid => {
                self.p = m;
                Ok(None)
            }
            _ => {
                self.p = m;
                self.named_expression()
            }
        }
    }

    /// `atom`
    fn atom(&mut self) -> PR<B::Expr> {
        if self.pass2 {
            return self.memoized(MEMO_ATOM, Self::atom_inner);
        }
        self.atom_inner()
    }

    fn atom_inner(&mut self) -> PR<B::Expr> {
        let m = self.p;
        // the kind first (the token itself only where it is taken)
        let (kind, kw) = self.peek_kind()?;
        match kind {
            TokKind::NAME => {
                let Some(t) = self.toks.get(m).map(|t| t.t) else { return Ok(None) };
                let c = match kw {
                    Kw::No => {
                        self.p += 1;
                        let id = self.ident(&t);
                        return Ok(Some(self.b.name(id, ExprContext::Load, tok_pos(&t))));
                    }
                    Kw::True => Constant::True,
                    Kw::False => Constant::False,
                    Kw::None => Constant::None,
                    _ => return Ok(None),
                };
                self.p += 1;
                Ok(Some(self.b.constant(c, false, tok_pos(&t))))
            }
            TokKind::STRING | TokKind::FSTRING_START | TokKind::TSTRING_START => self.strings(),
            TokKind::NUMBER => self.number(),
            TokKind::LPAR | TokKind::LSQB | TokKind::LBRACE => {
                self.enter()?;
                let r = stacker::maybe_grow(RED_ZONE, STACK_GROW, || match kind {
                    TokKind::LPAR => self.paren_atom(),
                    TokKind::LSQB => self.list_atom(),
                    _ => self.brace_atom(),
                });
                self.leave();
                let r = r?;
                if r.is_none() {
                    self.p = m;
                }
                Ok(r)
            }
            TokKind::ELLIPSIS => {
                let pos = self.toks.get(m).map_or_else(Pos::default, |t| tok_pos(&t.t));
                self.p += 1;
                Ok(Some(self.b.constant(Constant::Ellipsis, false, pos)))
            }
            _ => Ok(None),
        }
    }

    fn number(&mut self) -> PR<B::Expr> {
        let t = self.peek()?;
        if t.t.kind != TokKind::NUMBER {
            return Ok(None);
        }
        let v = match parse_number(self.text(&t.t)) {
            Ok(v) => v,
            Err(NumberError::TooManyDigits(n)) => {
                return Err(self.error_at(
                    &t.t,
                    &format!(
                        "Exceeds the limit (4300 digits) for integer string conversion: value has {n} digits; use sys.set_int_max_str_digits() to increase the limit - Consider hexadecimal for huge integer literals to avoid decimal conversion limits."
                    ),
                ))
            }
            Err(NumberError::Invalid) => return Err(self.error_at(&t.t, "invalid number literal")),
        };
        self.p += 1;
        Ok(Some(self.b.constant(v, false, tok_pos(&t.t))))
    }

    /// `&'(' (genexp | tuple | group)`: the first element is parsed once.
    fn paren_atom(&mut self) -> PR<B::Expr> {
        let m = self.p;
        let r = self.paren_atom_alts()?;
        if r.is_none() && self.invalid {
            self.p = m;
            self.invalid_comprehension()?;
            self.invalid_group()?;
        }
        Ok(r)
    }

    /// 3.15's `'(' '*'`: the generator expression of a starred expression, or else the first
    /// element of a tuple (`star_named_expression`), with the mark after the `(`.
    fn starred_genexp_or_first(&mut self, m: usize) -> Result<StarredParen<B::Expr>, E> {
        if let Some(e) = self.starred_expression()? {
            if let Some(gens) = self.for_if_clauses()? {
                if self.eat(TokKind::RPAR)? {
                    let pos = self.pos(m);
                    return Ok(StarredParen::Genexp(self.b.generator_exp(e, gens, pos)));
                }
            }
        }
        self.p = m + 1;
        Ok(StarredParen::First(self.star_named_expression()?))
    }

    fn paren_atom_alts(&mut self) -> PR<B::Expr> {
        let m = self.p;
        self.p += 1;
        let t = self.peek()?;
        if t.kw == Kw::Yield {
            // group: '(' yield_expr ')'
            if let Some(e) = self.yield_expr()? {
                if self.eat(TokKind::RPAR)? {
                    return Ok(Some(e));
                }
            }
            self.p = m;
            return Ok(None);
        }
        if t.t.kind == TokKind::RPAR {
            self.p += 1;
            let pos = self.pos(m);
            return Ok(Some(self.b.tuple(Vec::new(), ExprContext::Load, pos)));
        }
        if t.t.kind == TokKind::STAR {
            let first = if self.g.comprehension_unpacking {
                // genexp: '(' starred_expression for_if_clauses ')', else the tuple below. Both
                // parse the `bitwise_or` after the '*', which CPython memoizes (left-recursive
                // rule); memoized here too while they run, or each nested `(*` would be parsed
                // twice per level (2^depth: 20 levels took 2 s).
                match self.with_star_memo(|p| p.starred_genexp_or_first(m))? {
                    StarredParen::Genexp(e) => return Ok(Some(e)),
                    StarredParen::First(first) => first,
                }
            } else {
                self.star_named_expression()?
            };
            // tuple: '(' star_named_expression ',' [star_named_expressions] ')'
            let Some(first) = first else {
                self.p = m;
                return Ok(None);
            };
            return self.tuple_rest(m, first);
        }
        let Some(first) = self.named_expression()? else {
            self.p = m;
            return Ok(None);
        };
        let after = self.p;
        // genexp
        if self.next_is_kw(Kw::For)? || self.next_is_kw(Kw::Async)? {
            if let Some(gens) = self.for_if_clauses()? {
                if self.eat(TokKind::RPAR)? {
                    let pos = self.pos(m);
                    return Ok(Some(self.b.generator_exp(first, gens, pos)));
                }
            }
            self.p = after;
        }
        if self.next_is(TokKind::COMMA)? {
            return self.tuple_rest(m, first);
        }
        // group
        if self.eat(TokKind::RPAR)? {
            return Ok(Some(first));
        }
        self.p = m;
        Ok(None)
    }

    /// The rest of `tuple` after its first element.
    fn tuple_rest(&mut self, m: usize, first: B::Expr) -> PR<B::Expr> {
        if !self.eat(TokKind::COMMA)? {
            self.p = m;
            return Ok(None);
        }
        let mut v = vec![first];
        let m2 = self.p;
        match self.star_named_expressions()? {
            Some(rest) => v.extend(rest),
            None => self.p = m2,
        }
        if !self.eat(TokKind::RPAR)? {
            self.p = m;
            return Ok(None);
        }
        let pos = self.pos(m);
        Ok(Some(self.b.tuple(v, ExprContext::Load, pos)))
    }

    /// `&'[' (listcomp | list)`
    fn list_atom(&mut self) -> PR<B::Expr> {
        let m = self.p;
        let r = self.list_atom_alts()?;
        if r.is_none() && self.invalid {
            self.p = m;
            self.invalid_comprehension()?;
        }
        Ok(r)
    }

    fn list_atom_alts(&mut self) -> PR<B::Expr> {
        let m = self.p;
        self.p += 1;
        if self.eat(TokKind::RSQB)? {
            let pos = self.pos(m);
            return Ok(Some(self.b.list(Vec::new(), ExprContext::Load, pos)));
        }
        let starred = self.next_is(TokKind::STAR)?;
        let Some(first) = self.star_named_expression()? else {
            self.p = m;
            return Ok(None);
        };
        let after = self.p;
        if (!starred || self.g.comprehension_unpacking) && (self.next_is_kw(Kw::For)? || self.next_is_kw(Kw::Async)?) {
            if let Some(gens) = self.for_if_clauses()? {
                if self.eat(TokKind::RSQB)? {
                    let pos = self.pos(m);
                    return Ok(Some(self.b.list_comp(first, gens, pos)));
                }
            }
            self.p = after;
        }
        let mut v = vec![first];
        self.star_named_rest(&mut v)?;
        if !self.eat(TokKind::RSQB)? {
            self.p = m;
            return Ok(None);
        }
        let pos = self.pos(m);
        Ok(Some(self.b.list(v, ExprContext::Load, pos)))
    }

    /// `&'{' (dictcomp | setcomp | dict | set)`
    fn brace_atom(&mut self) -> PR<B::Expr> {
        let m = self.p;
        let r = self.brace_atom_alts()?;
        if r.is_none() && self.invalid {
            self.p = m;
            self.invalid_dict_comprehension()?;
            self.invalid_comprehension()?;
            self.invalid_dict()?;
        }
        Ok(r)
    }

    fn brace_atom_alts(&mut self) -> PR<B::Expr> {
        let m = self.p;
        self.p += 1;
        if self.eat(TokKind::RBRACE)? {
            let pos = self.pos(m);
            return Ok(Some(self.b.dict(Vec::new(), Vec::new(), pos)));
        }
        let t = self.peek()?;
        if t.t.kind == TokKind::DOUBLESTAR {
            if !self.g.comprehension_unpacking {
                return self.dict_rest(m, Vec::new(), Vec::new());
            }
            // dictcomp: '{' '**' expression for_if_clauses '}', else the dict. Both parse the
            // `bitwise_or` after the '**', which CPython memoizes; memoized here too while they
            // run, or each nested `{**` would be parsed twice per level (2^depth).
            return self.with_star_memo(|p| p.dictcomp_unpack_or_dict(m));
        }
        if t.t.kind != TokKind::STAR {
            let Some(k) = self.expression()? else {
                self.p = m;
                return Ok(None);
            };
            if self.eat(TokKind::COLON)? {
                let Some(v) = self.expression()? else {
                    self.p = m;
                    return Ok(None);
                };
                let after = self.p;
                if self.next_is_kw(Kw::For)? || self.next_is_kw(Kw::Async)? {
                    if let Some(gens) = self.for_if_clauses()? {
                        if self.eat(TokKind::RBRACE)? {
                            let pos = self.pos(m);
                            return Ok(Some(self.b.dict_comp(k, v, gens, pos)));
                        }
                    }
                    self.p = after;
                }
                return self.dict_rest(m, vec![Some(k)], vec![v]);
            }
            if !self.invalid && !self.next_is(TokKind::COLONEQUAL)? {
                return self.set_rest(m, k);
            }
            self.p = m + 1;
        }
        let starred = self.next_is(TokKind::STAR)?;
        let Some(first) = self.star_named_expression()? else {
            self.p = m;
            return Ok(None);
        };
        if starred && !self.g.comprehension_unpacking {
            let mut v = vec![first];
            self.star_named_rest(&mut v)?;
            if !self.eat(TokKind::RBRACE)? {
                self.p = m;
                return Ok(None);
            }
            let pos = self.pos(m);
            return Ok(Some(self.b.set(v, pos)));
        }
        self.set_rest(m, first)
    }

    /// Runs `f` with `bitwise_or` memoized in the first pass too (CPython memoizes it always):
    /// for 3.15's alternatives that both parse the operand after a `*` / `**`.
    fn with_star_memo<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T, E>) -> Result<T, E> {
        self.star_memo += 1;
        let r = f(self);
        self.star_memo -= 1;
        r
    }

    /// 3.15's `'{' '**'`: a dict comprehension of unpacked mappings, else a dict.
    fn dictcomp_unpack_or_dict(&mut self, m: usize) -> PR<B::Expr> {
        self.p = m + 2;
        if let Some(e) = self.expression()? {
            if let Some(gens) = self.for_if_clauses()? {
                if self.eat(TokKind::RBRACE)? {
                    let pos = self.pos(m);
                    return Ok(Some(self.b.dict_comp_unpack(e, gens, pos)));
                }
            }
        }
        self.p = m + 1;
        self.dict_rest(m, Vec::new(), Vec::new())
    }

    /// setcomp / set after the first element.
    fn set_rest(&mut self, m: usize, first: B::Expr) -> PR<B::Expr> {
        let after = self.p;
        if self.next_is_kw(Kw::For)? || self.next_is_kw(Kw::Async)? {
            if let Some(gens) = self.for_if_clauses()? {
                if self.eat(TokKind::RBRACE)? {
                    let pos = self.pos(m);
                    return Ok(Some(self.b.set_comp(first, gens, pos)));
                }
            }
            self.p = after;
        }
        let mut v = vec![first];
        self.star_named_rest(&mut v)?;
        if !self.eat(TokKind::RBRACE)? {
            self.p = m;
            return Ok(None);
        }
        let pos = self.pos(m);
        Ok(Some(self.b.set(v, pos)))
    }

    /// `dict: '{' [double_starred_kvpairs] '}'` with the pairs parsed so far.
    fn dict_rest(&mut self, m: usize, mut keys: Vec<Option<B::Expr>>, mut values: Vec<B::Expr>) -> PR<B::Expr> {
        let mut need_comma = !keys.is_empty();
        loop {
            let m2 = self.p;
            if need_comma && !self.eat(TokKind::COMMA)? {
                break;
            }
            need_comma = true;
            // double_starred_kvpair: '**' bitwise_or | kvpair
            if self.eat(TokKind::DOUBLESTAR)? {
                match self.bitwise_or()? {
                    Some(v) => {
                        keys.push(None);
                        values.push(v);
                        continue;
                    }
                    None => {
                        self.p = m2;
                        break;
                    }
                }
            }
            let Some(k) = self.expression()? else {
                self.p = m2;
                break;
            };
            if !self.eat(TokKind::COLON)? {
                self.p = m2;
                break;
            }
            let Some(v) = self.expression()? else {
                self.p = m2;
                break;
            };
            keys.push(Some(k));
            values.push(v);
        }
        if keys.is_empty() {
            self.p = m;
            return Ok(None);
        }
        self.eat(TokKind::COMMA)?;
        if !self.eat(TokKind::RBRACE)? {
            self.p = m;
            return Ok(None);
        }
        let pos = self.pos(m);
        Ok(Some(self.b.dict(keys, values, pos)))
    }

    /// `for_if_clauses: for_if_clause+`
    fn for_if_clauses(&mut self) -> PR<Vec<B::Comprehension>> {
        let mut v = Vec::new();
        while let Some(c) = self.for_if_clause()? {
            v.push(c);
        }
        Ok(if v.is_empty() { None } else { Some(v) })
    }

    /// `for_if_clause: ['async'] 'for' star_targets 'in' ~ disjunction ('if' disjunction)*`
    fn for_if_clause(&mut self) -> PR<B::Comprehension> {
        let m = self.p;
        let is_async = self.eat_kw(Kw::Async)?;
        if !self.eat_kw(Kw::For)? {
            self.p = m;
            return Ok(None);
        }
        let target = self.star_targets()?.filter(|_| self.next_is_kw(Kw::In).unwrap_or(false));
        let Some(target) = target else {
            self.p = m;
            if self.invalid {
                if self.g.lexer_minor >= 13 {
                    self.invalid_for_if_clause()?;
                }
                self.invalid_for_target()?;
            }
            return Ok(None);
        };
        self.p += 1;
        let Some(iter) = self.disjunction()? else {
            self.p = m;
            return Ok(None);
        };
        self.last_comp_item = self.expr_pos(&iter);
        let mut ifs = Vec::new();
        loop {
            let m2 = self.p;
            if !self.eat_kw(Kw::If)? {
                break;
            }
            match self.disjunction()? {
                Some(e) => {
                    self.last_comp_item = self.expr_pos(&e);
                    ifs.push(e)
                }
                None => {
                    self.p = m2;
                    break;
                }
            }
        }
        Ok(Some(self.b.comprehension(target, iter, ifs, is_async)))
    }

    /// `lambdef: 'lambda' [lambda_params] ':' expression`
    fn lambdef(&mut self) -> PR<B::Expr> {
        let m = self.p;
        if !self.eat_kw(Kw::Lambda)? {
            return Ok(None);
        }
        let params = self.parameters(true)?;
        if !self.eat(TokKind::COLON)? {
            self.p = m;
            return Ok(None);
        }
        let Some(body) = self.expression()? else {
            self.p = m;
            return Ok(None);
        };
        let args = match params {
            Some(a) => a,
            None => self.b.arguments(Vec::new(), Vec::new(), None, Vec::new(), Vec::new(), None, Vec::new()),
        };
        let pos = self.pos(m);
        Ok(Some(self.b.lambda(args, body, pos)))
    }

    // ------------------------------------------------------------------ targets

    /// `star_targets: star_target !',' | star_target (',' star_target)* [',']`
    fn star_targets(&mut self) -> PR<B::Expr> {
        let m = self.p;
        let r = self.star_target();
        if !matches!(r, Ok(Some(_))) || !self.next_is(TokKind::COMMA)? {
            // (returned as it comes, not moved through this frame)
            return r;
        }
        let Ok(Some(first)) = r else { return r };
        let mut v = vec![first];
        loop {
            let m2 = self.p;
            if !self.eat(TokKind::COMMA)? {
                break;
            }
            match self.star_target()? {
                Some(t) => v.push(t),
                None => {
                    self.p = m2;
                    break;
                }
            }
        }
        self.eat(TokKind::COMMA)?;
        let pos = self.pos(m);
        Ok(Some(self.b.tuple(v, ExprContext::Store, pos)))
    }

    /// `star_target (memo): '*' (!'*' star_target) | target_with_star_atom`
    fn star_target(&mut self) -> PR<B::Expr> {
        self.enter()?;
        let r = stacker::maybe_grow(RED_ZONE, STACK_GROW, || self.memoized(MEMO_STAR_TARGET, Self::star_target_inner));
        self.leave();
        r
    }

    /// CPython's `(memo)`: the result of `rule` at this mark, parsed once.
    fn memoized(&mut self, rule: u8, f: fn(&mut Self) -> PR<B::Expr>) -> PR<B::Expr> {
        if !self.pass2 && self.star_memo == 0 && self.toks.get(self.p).is_some_and(|t| t.t.kind == TokKind::NAME) {
            // A target that starts with a NAME is tried at most twice at its mark (by the two
            // alternatives of an enclosing parenthesis, which is memoized), and its contents are
            // expressions, so parsing it again costs less than the memo entry. (Not so for the
            // operand of 3.15's `(*` / `{**`, parsed by two alternatives at every level.)
            return f(self);
        }
        let key = (self.p as u32, rule);
        if let Some(r) = self.memo.get(&key) {
            let r = r.clone();
            return Ok(match r {
                Some((e, end)) => {
                    self.p = end as usize;
                    Some(e)
                }
                None => None,
            });
        }
        let r = f(self)?;
        let entry = r.as_ref().map(|e| (e.clone(), self.p as u32));
        self.memo.insert(key, entry);
        Ok(r)
    }

    fn star_target_inner(&mut self) -> PR<B::Expr> {
        let m = self.p;
        if self.eat(TokKind::STAR)? {
            if !self.next_is(TokKind::STAR)? {
                if let Some(t) = self.star_target()? {
                    let t = self.b.set_context(t, ExprContext::Store);
                    let pos = self.pos(m);
                    return Ok(Some(self.b.starred(t, ExprContext::Store, pos)));
                }
            }
            self.p = m;
            return Ok(None);
        }
        self.target_with_star_atom()
    }

    /// `target_with_star_atom (memo): t_primary '.' NAME !t_lookahead | t_primary '[' slices ']' !t_lookahead | star_atom`
    fn target_with_star_atom(&mut self) -> PR<B::Expr> {
        self.memoized(MEMO_TARGET_WITH_STAR_ATOM, Self::target_with_star_atom_inner)
    }

    fn target_with_star_atom_inner(&mut self) -> PR<B::Expr> {
        let m = self.p;
        if let Some(t) = self.subscript_attribute_target(ExprContext::Store)? {
            return Ok(Some(t));
        }
        self.p = m;
        // star_atom
        if self.peek_kind()? == (TokKind::NAME, Kw::No) {
            if let Some(t) = self.toks.get(m).map(|t| t.t) {
                self.p += 1;
                let id = self.ident(&t);
                return Ok(Some(self.b.name(id, ExprContext::Store, tok_pos(&t))));
            }
        }
        if self.eat(TokKind::LPAR)? {
            // '(' target_with_star_atom ')'
            if let Some(t) = self.target_with_star_atom()? {
                if self.eat(TokKind::RPAR)? {
                    return Ok(Some(self.b.set_context(t, ExprContext::Store)));
                }
            }
            self.p = m + 1;
            // '(' [star_targets_tuple_seq] ')'
            let v = self.star_targets_tuple_seq()?.unwrap_or_default();
            if self.eat(TokKind::RPAR)? {
                let pos = self.pos(m);
                return Ok(Some(self.b.tuple(v, ExprContext::Store, pos)));
            }
            self.p = m;
            return Ok(None);
        }
        if self.eat(TokKind::LSQB)? {
            let mut v = Vec::new();
            loop {
                let m2 = self.p;
                match self.star_target()? {
                    Some(t) => v.push(t),
                    None => {
                        self.p = m2;
                        break;
                    }
                }
                if !self.eat(TokKind::COMMA)? {
                    break;
                }
            }
            if self.eat(TokKind::RSQB)? {
                let pos = self.pos(m);
                return Ok(Some(self.b.list(v, ExprContext::Store, pos)));
            }
            self.p = m;
        }
        Ok(None)
    }

    /// `star_targets_tuple_seq: star_target (',' star_target)+ [','] | star_target ','`
    fn star_targets_tuple_seq(&mut self) -> PR<Vec<B::Expr>> {
        let m = self.p;
        let Some(first) = self.star_target()? else { return Ok(None) };
        if !self.eat(TokKind::COMMA)? {
            self.p = m;
            return Ok(None);
        }
        let mut v = vec![first];
        loop {
            let m2 = self.p;
            match self.star_target()? {
                Some(t) => v.push(t),
                None => {
                    self.p = m2;
                    break;
                }
            }
            if !self.eat(TokKind::COMMA)? {
                break;
            }
        }
        Ok(Some(v))
    }

    /// `single_target: single_subscript_attribute_target | NAME | '(' single_target ')'`
    fn single_target(&mut self) -> PR<B::Expr> {
        let m = self.p;
        if let Some(t) = self.single_subscript_attribute_target()? {
            return Ok(Some(t));
        }
        self.p = m;
        if let Some(n) = self.name_tok()? {
            let id = self.ident(&n);
            return Ok(Some(self.b.name(id, ExprContext::Store, tok_pos(&n))));
        }
        if self.eat(TokKind::LPAR)? {
            if let Some(t) = self.single_target()? {
                if self.eat(TokKind::RPAR)? {
                    return Ok(Some(t));
                }
            }
        }
        self.p = m;
        Ok(None)
    }

    fn single_subscript_attribute_target(&mut self) -> PR<B::Expr> {
        self.subscript_attribute_target(ExprContext::Store)
    }

    /// `t_primary '.' NAME !t_lookahead | t_primary '[' slices ']' !t_lookahead` with `ctx`.
    fn subscript_attribute_target(&mut self, ctx: ExprContext) -> PR<B::Expr> {
        let m = self.p;
        let Some(tp) = self.t_primary()? else { return Ok(None) };
        let after = self.p;
        if self.eat(TokKind::DOT)? {
            if let Some(n) = self.name_tok()? {
                if !self.t_lookahead()? {
                    let id = self.ident(&n);
                    let pos = self.pos(m);
                    return Ok(Some(self.b.attribute(tp, id, ctx, pos)));
                }
            }
        }
        self.p = after;
        if self.eat(TokKind::LSQB)? {
            if let Some(s) = self.slices()? {
                if self.eat(TokKind::RSQB)? && !self.t_lookahead()? {
                    let pos = self.pos(m);
                    return Ok(Some(self.b.subscript(tp, s, ctx, pos)));
                }
            }
        }
        self.p = m;
        Ok(None)
    }

    /// `t_lookahead: '(' | '[' | '.'`
    fn t_lookahead(&mut self) -> Result<bool, E> {
        Ok(matches!(self.peek_kind()?.0, TokKind::LPAR | TokKind::LSQB | TokKind::DOT))
    }

    /// `t_primary`: left-recursive; memoised at one position.
    fn t_primary(&mut self) -> PR<B::Expr> {
        let m = self.p;
        if let Some((at, r)) = &self.tprim_memo {
            if *at == m {
                return Ok(match r {
                    Some((e, end)) => {
                        self.p = *end;
                        Some(e.clone())
                    }
                    None => None,
                });
            }
        }
        let r = self.t_primary_raw()?;
        self.tprim_memo = Some((m, r.as_ref().map(|e| (e.clone(), self.p))));
        Ok(r)
    }

    fn t_primary_raw(&mut self) -> PR<B::Expr> {
        let m = self.p;
        if !self.invalid
            && self.toks.get(m).is_some_and(|t| t.t.kind == TokKind::NAME && matches!(t.kw, Kw::No | Kw::True | Kw::False | Kw::None))
        {
            // a NAME atom (one token, no action that can fail) without a `t_lookahead` after
            // it: no `t_primary`, and its node need not be built to find out
            if !matches!(self.kind_at(m + 1)?.0, TokKind::LPAR | TokKind::LSQB | TokKind::DOT) {
                return Ok(None);
            }
        }
        let Some(mut cur) = self.atom()? else { return Ok(None) };
        if !self.t_lookahead()? {
            self.p = m;
            return Ok(None);
        }
        loop {
            let m2 = self.p;
            match self.peek_kind()?.0 {
                TokKind::DOT => {
                    self.p += 1;
                    if let Some(n) = self.name_tok()? {
                        if self.t_lookahead()? {
                            let id = self.ident(&n);
                            let pos = self.pos(m);
                            cur = self.b.attribute(cur, id, ExprContext::Load, pos);
                            continue;
                        }
                    }
                }
                TokKind::LSQB => {
                    self.p += 1;
                    if let Some(s) = self.slices()? {
                        if self.eat(TokKind::RSQB)? && self.t_lookahead()? {
                            let pos = self.pos(m);
                            cur = self.b.subscript(cur, s, ExprContext::Load, pos);
                            continue;
                        }
                    }
                }
                TokKind::LPAR => {
                    if let Some(a) = self.call_trailer()? {
                        if self.t_lookahead()? {
                            let pos = self.pos(m);
                            cur = self.b.call(cur, a.args, a.keywords, pos);
                            continue;
                        }
                    }
                }
                _ => {}
            }
            self.p = m2;
            break;
        }
        Ok(Some(cur))
    }

    /// `del_targets: ','.del_target+ [',']`
    fn del_targets(&mut self) -> PR<Vec<B::Expr>> {
        let mut v = Vec::new();
        loop {
            let m = self.p;
            match self.del_target()? {
                Some(t) => v.push(t),
                None => {
                    self.p = m;
                    break;
                }
            }
            if !self.eat(TokKind::COMMA)? {
                break;
            }
        }
        Ok(if v.is_empty() { None } else { Some(v) })
    }

    /// `del_target (memo)`
    fn del_target(&mut self) -> PR<B::Expr> {
        self.enter()?;
        let r = stacker::maybe_grow(RED_ZONE, STACK_GROW, || self.memoized(MEMO_DEL_TARGET, Self::del_target_inner));
        self.leave();
        r
    }

    fn del_target_inner(&mut self) -> PR<B::Expr> {
        let m = self.p;
        if let Some(t) = self.subscript_attribute_target(ExprContext::Del)? {
            return Ok(Some(t));
        }
        self.p = m;
        // del_t_atom
        if let Some(n) = self.name_tok()? {
            let id = self.ident(&n);
            return Ok(Some(self.b.name(id, ExprContext::Del, tok_pos(&n))));
        }
        if self.eat(TokKind::LPAR)? {
            if let Some(t) = self.del_target()? {
                if self.eat(TokKind::RPAR)? {
                    return Ok(Some(self.b.set_context(t, ExprContext::Del)));
                }
            }
            self.p = m + 1;
            let v = self.del_targets()?.unwrap_or_default();
            if self.eat(TokKind::RPAR)? {
                let pos = self.pos(m);
                return Ok(Some(self.b.tuple(v, ExprContext::Del, pos)));
            }
            self.p = m;
            return Ok(None);
        }
        if self.eat(TokKind::LSQB)? {
            let v = self.del_targets()?.unwrap_or_default();
            if self.eat(TokKind::RSQB)? {
                let pos = self.pos(m);
                return Ok(Some(self.b.list(v, ExprContext::Del, pos)));
            }
            self.p = m;
        }
        Ok(None)
    }

    // ------------------------------------------------------------------ strings

    fn is_string_start(&mut self) -> Result<bool, E> {
        Ok(matches!(self.peek_kind()?.0, TokKind::STRING | TokKind::FSTRING_START | TokKind::TSTRING_START))
    }

    /// `strings (memo): (fstring|string)+ | tstring+` (`_PyPegen_concatenate_strings`).
    fn strings(&mut self) -> PR<B::Expr> {
        let m = self.p;
        let first = self.peek()?;
        if first.t.kind == TokKind::TSTRING_START {
            return self.tstrings(m);
        }
        if !self.g.pep701 {
            let mut end = m;
            let mut any_f = false;
            while self.kind_at(end)?.0 == TokKind::STRING {
                let t = self.at(end)?.t;
                any_f |= is_fstring_token(self.text(&t));
                end += 1;
            }
            if any_f {
                return self.strings311(m, end);
            }
        }
        if first.t.kind == TokKind::STRING {
            // One STRING token without escapes (most of them): its text is the constant.
            if let Some(lit) = pycode_parse::strings::split_literal(self.text(&first.t)) {
                if !lit.bytes
                    && pycode_parse::strings::is_plain_str_body(lit.body, lit.raw)
                    && !matches!(self.kind_at(m + 1)?.0, TokKind::STRING | TokKind::FSTRING_START)
                {
                    self.p = m + 1;
                    let pos = self.pos(m);
                    return Ok(Some(self.b.constant(Constant::Str(PyStr::new(lit.body, false)), lit.u, pos)));
                }
            }
        }
        let mut acc = LitAcc::default();
        let mut values: Vec<B::Expr> = Vec::new();
        let mut fstring = false;
        let mut bytes: Option<Vec<u8>> = None;
        let mut has_str = false;
        loop {
            let t = self.peek()?;
            match t.t.kind {
                TokKind::STRING => {
                    self.p += 1;
                    let text = self.text(&t.t);
                    let Some(lit) = pycode_parse::strings::split_literal(text) else {
                        return Err(self.error_at(&t.t, "invalid string literal"));
                    };
                    if lit.bytes {
                        if !lit.body.is_ascii() {
                            let msg = "bytes can only contain ASCII literal characters";
                            if self.quirks_3_11_2 {
                                // 3.11.2: `RAISE_SYNTAX_ERROR`, at the last token read
                                return Err(self.raise_last(ErrorKind::SyntaxError, msg));
                            }
                            return Err(self.raise_tok(msg, &t.t));
                        }
                        let buf = bytes.get_or_insert_with(Vec::new);
                        pycode_parse::strings::decode_bytes_body(lit.body, lit.raw, buf)
                            .map_err(|e| self.string_error(&t.t, &format!("(value error) {}", e.msg)))?;
                    } else {
                        has_str = true;
                        let mut buf = Vec::new();
                        if pycode_parse::strings::is_plain_str_body(lit.body, lit.raw) {
                            buf.extend_from_slice(lit.body.as_bytes());
                        } else {
                            pycode_parse::strings::decode_str_body(lit.body, lit.raw, false, &mut buf)
                                .map_err(|e| self.string_error(&t.t, &uerr(lit.body, &e.msg)))?;
                        }
                        acc.add_part(&buf, tok_pos(&t.t), lit.u);
                    }
                }
                TokKind::FSTRING_START => {
                    fstring = true;
                    if !self.fstring(&mut acc, &mut values)? {
                        self.p = m;
                        return Ok(None);
                    }
                }
                _ => break,
            }
        }
        if bytes.is_some() && (has_str || fstring) {
            return Err(self.raise_last(ErrorKind::SyntaxError, "cannot mix bytes and nonbytes literals"));
        }
        let pos = self.pos(m);
        if let Some(b) = bytes {
            return Ok(Some(self.b.constant(Constant::Bytes(b.into_boxed_slice()), false, pos)));
        }
        if !fstring {
            let (buf, _, u) = acc.take().unwrap_or_default();
            return Ok(Some(self.b.constant(Constant::Str(to_pystr(buf)), u, pos)));
        }
        self.flush(&mut acc, &mut values);
        Ok(Some(self.b.joined_str(values, pos)))
    }

    /// 3.11's concatenation of STRING tokens of which at least one is an f-string
    /// (`Parser/string_parser.c`): every literal piece and every `FormattedValue` takes the
    /// position of the whole concatenation, and its kind 'u' from the first token.
    fn strings311(&mut self, m: usize, end: usize) -> PR<B::Expr> {
        self.p = end;
        let whole = self.pos(m);
        let first = self.at(m)?.t;
        let u311 = self.text(&first).starts_with(['u', 'U']);
        let mut acc = LitAcc::default();
        let mut values = Vec::new();
        for i in m..end {
            let tok = self.at(i)?.t;
            let text = self.text(&tok);
            let Some(lit) = pycode_parse::strings::split_literal(text) else {
                return Err(self.error_at(&tok, "invalid string literal"));
            };
            if lit.bytes {
                if !lit.body.is_ascii() {
                    return Err(self.raise_tok("bytes can only contain ASCII literal characters", &tok));
                }
                return Err(self.raise_last(ErrorKind::SyntaxError, "cannot mix bytes and nonbytes literals"));
            }
            let body_start = tok.start as usize + (lit.body.as_ptr() as usize - text.as_ptr() as usize);
            let body_end = body_start + lit.body.len();
            if is_fstring_token(text) {
                let mut i = body_start;
                let ctx = F311 { tok, body_end, raw: lit.raw, whole, u311 };
                self.fstring311_body(&ctx, &mut i, 0, &mut acc, &mut values)?;
            } else {
                let mut buf = Vec::new();
                pycode_parse::strings::decode_str_body(lit.body, lit.raw, false, &mut buf)
                    .map_err(|e| self.raise_last(ErrorKind::SyntaxError, &uerr(lit.body, &e.msg)))?;
                acc.add(&buf, whole, u311);
            }
        }
        self.flush311(&mut acc, &mut values, whole, u311);
        Ok(Some(self.b.joined_str(values, whole)))
    }

    fn flush311(&mut self, acc: &mut LitAcc, values: &mut Vec<B::Expr>, pos: Pos, u: bool) {
        if let Some((buf, _, _)) = acc.take() {
            if !buf.is_empty() {
                values.push(self.b.constant(Constant::Str(to_pystr(buf)), u, pos));
            }
        }
    }

    /// One f-string body (or, at `recurse` > 0, a format spec up to its `}`) of a 3.11 STRING
    /// token, from byte `*i` of the source.
    fn fstring311_body(&mut self, ctx: &F311, i: &mut usize, recurse: u32, acc: &mut LitAcc, values: &mut Vec<B::Expr>) -> Result<(), E> {
        let src = self.src.as_bytes();
        while *i < ctx.body_end {
            // fstring_find_literal
            let lit_start = *i;
            let mut j = *i;
            let mut lit_end = ctx.body_end;
            let mut resume = ctx.body_end;
            let mut at_brace = false;
            while j < ctx.body_end {
                let c = src.get(j).copied().unwrap_or(0);
                j += 1;
                if !ctx.raw && c == b'\\' && j < ctx.body_end {
                    let n = src.get(j).copied().unwrap_or(0);
                    j += 1;
                    if n == b'N' && j < ctx.body_end && src.get(j) == Some(&b'{') {
                        j += 1;
                        while j < ctx.body_end {
                            let c = src.get(j).copied().unwrap_or(0);
                            j += 1;
                            if c == b'}' {
                                break;
                            }
                        }
                    }
                    continue;
                }
                if c == b'{' || c == b'}' {
                    if recurse == 0 && j < ctx.body_end && src.get(j) == Some(&c) {
                        // a doubled brace: the literal ends after the first one
                        lit_end = j;
                        resume = j + 1;
                        break;
                    }
                    if recurse == 0 && c == b'}' {
                        return Err(self.raise_last(ErrorKind::SyntaxError, "f-string: single '}' is not allowed"));
                    }
                    lit_end = j - 1;
                    resume = j - 1;
                    at_brace = true;
                    break;
                }
            }
            if lit_end > lit_start {
                let text = self.src.get(lit_start..lit_end).unwrap_or("");
                let mut buf = Vec::new();
                pycode_parse::strings::decode_str_body(text, ctx.raw, false, &mut buf)
                    .map_err(|e| self.raise_last(ErrorKind::SyntaxError, &uerr(text, &e.msg)))?;
                acc.add(&buf, ctx.whole, ctx.u311);
            }
            *i = resume;
            if !at_brace || *i >= ctx.body_end {
                continue;
            }
            if src.get(*i) == Some(&b'}') {
                // the end of a format spec (only at recurse > 0)
                return Ok(());
            }
            self.fstring311_field(ctx, i, recurse, acc, values)?;
        }
        Ok(())
    }

    /// One `{expression[=][!conv][:spec]}` of a 3.11 f-string, `*i` at its `{`.
    fn fstring311_field(&mut self, ctx: &F311, i: &mut usize, recurse: u32, acc: &mut LitAcc, values: &mut Vec<B::Expr>) -> Result<(), E> {
        let src = self.src.as_bytes();
        if recurse >= 2 {
            return Err(self.raise_last(ErrorKind::SyntaxError, "f-string: expressions nested too deeply"));
        }
        let brace = *i;
        let expr_start = brace + 1;
        let mut j = expr_start;
        let mut quote = 0u8;
        let mut triple = false;
        let mut stack: Vec<u8> = Vec::new();
        while j < ctx.body_end {
            let c = src.get(j).copied().unwrap_or(0);
            if c == b'\\' {
                return Err(self.raise_last(ErrorKind::SyntaxError, "f-string expression part cannot include a backslash"));
            }
            if quote != 0 {
                if c == quote {
                    if triple {
                        if src.get(j + 1) == Some(&c) && src.get(j + 2) == Some(&c) && j + 2 < ctx.body_end {
                            j += 3;
                            quote = 0;
                            continue;
                        }
                    } else {
                        quote = 0;
                    }
                }
                j += 1;
                continue;
            }
            if c == b'\'' || c == b'"' {
                if j + 2 < ctx.body_end && src.get(j + 1) == Some(&c) && src.get(j + 2) == Some(&c) {
                    triple = true;
                    j += 2;
                } else {
                    triple = false;
                }
                quote = c;
                j += 1;
                continue;
            }
            if matches!(c, b'[' | b'{' | b'(') {
                if stack.len() >= 200 {
                    return Err(self.raise_last(ErrorKind::SyntaxError, "f-string: too many nested parenthesis"));
                }
                stack.push(c);
                j += 1;
                continue;
            }
            if c == b'#' {
                return Err(self.raise_last(ErrorKind::SyntaxError, "f-string expression part cannot include '#'"));
            }
            if stack.is_empty() && matches!(c, b'!' | b':' | b'}' | b'=' | b'>' | b'<') {
                let n = src.get(j + 1).copied().unwrap_or(0);
                if j + 1 < ctx.body_end && n == b'=' && matches!(c, b'!' | b'=' | b'<' | b'>') {
                    j += 2;
                    continue;
                }
                if c == b'>' || c == b'<' {
                    j += 1;
                    continue;
                }
                break;
            }
            if matches!(c, b']' | b'}' | b')') {
                let Some(open) = stack.pop() else {
                    let msg = format!("f-string: unmatched '{}'", c as char);
                    return Err(self.raise_last(ErrorKind::SyntaxError, &msg));
                };
                let want = match open {
                    b'(' => b')',
                    b'[' => b']',
                    _ => b'}',
                };
                if c != want {
                    let msg =
                        format!("f-string: closing parenthesis '{}' does not match opening parenthesis '{}'", c as char, open as char);
                    return Err(self.raise_last(ErrorKind::SyntaxError, &msg));
                }
            }
            j += 1;
        }
        if quote != 0 {
            return Err(self.raise_last(ErrorKind::SyntaxError, "f-string: unterminated string"));
        }
        if let Some(&open) = stack.last() {
            let msg = format!("f-string: unmatched '{}'", open as char);
            return Err(self.raise_last(ErrorKind::SyntaxError, &msg));
        }
        if j >= ctx.body_end {
            return Err(self.raise_last(ErrorKind::SyntaxError, "f-string: expecting '}'"));
        }
        let expr_end = j;
        let value = self.fstring311_expr(ctx, brace, expr_start, expr_end)?;
        let mut c = src.get(j).copied().unwrap_or(0);
        let mut debug = false;
        if c == b'=' {
            j += 1;
            while src.get(j).is_some_and(|c| c.is_ascii_whitespace()) && j < ctx.body_end {
                j += 1;
            }
            let text = self.src.get(expr_start..j).unwrap_or("");
            acc.add(text.as_bytes(), ctx.whole, ctx.u311);
            debug = true;
            c = src.get(j).copied().unwrap_or(0);
        }
        let mut conversion = -1;
        if c == b'!' {
            if j + 1 >= ctx.body_end {
                return Err(self.raise_last(ErrorKind::SyntaxError, "f-string: expecting '}'"));
            }
            let conv = src.get(j + 1).copied().unwrap_or(0);
            conversion = match conv {
                b's' | b'r' | b'a' => i32::from(conv),
                _ => {
                    return Err(self.raise_last(ErrorKind::SyntaxError, "f-string: invalid conversion character: expected 's', 'r', or 'a'"))
                }
            };
            j += 2;
            c = src.get(j).copied().unwrap_or(0);
        }
        let mut format_spec = None;
        if c == b':' {
            j += 1;
            let mut sacc = LitAcc::default();
            let mut svalues = Vec::new();
            *i = j;
            self.fstring311_body(ctx, i, recurse + 1, &mut sacc, &mut svalues)?;
            j = *i;
            let part = tok_pos(&ctx.tok);
            if let Some((buf, _, _)) = sacc.take() {
                if !buf.is_empty() {
                    svalues.push(self.b.constant(Constant::Str(to_pystr(buf)), false, part));
                }
            }
            format_spec = Some(self.b.joined_str(svalues, part));
            c = src.get(j).copied().unwrap_or(0);
        }
        if c != b'}' || j >= ctx.body_end {
            return Err(self.raise_last(ErrorKind::SyntaxError, "f-string: expecting '}'"));
        }
        *i = j + 1;
        if debug && conversion == -1 && format_spec.is_none() {
            conversion = 'r' as i32;
        }
        self.flush311(acc, values, ctx.whole, ctx.u311);
        values.push(self.b.formatted_value(value, conversion, format_spec, ctx.whole));
        Ok(())
    }

    /// `fstring_compile_expr`: the expression parsed as `(expression)` by a sub-parser whose
    /// tokens are moved to where the text is (the `(` at the `{`, the `)` at the character that
    /// ended the expression).
    fn fstring311_expr(&mut self, ctx: &F311, brace: usize, expr_start: usize, expr_end: usize) -> Result<B::Expr, E> {
        let text = self.src.get(expr_start..expr_end).unwrap_or("");
        if text.bytes().all(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')) {
            let next = self.src.as_bytes().get(expr_end).copied().unwrap_or(0);
            if matches!(next, b'!' | b':' | b'=') {
                let msg = format!("f-string: expression required before '{}'", next as char);
                return Err(self.raise_last(ErrorKind::SyntaxError, &msg));
            }
            return Err(self.raise_last(ErrorKind::SyntaxError, "f-string: empty expression not allowed"));
        }
        let sub = format!("({text})");
        let tok_start = ctx.tok.start as usize;
        let before = self.src.get(tok_start..brace).unwrap_or("");
        let nl = before.bytes().filter(|&c| c == b'\n').count() as u32;
        let col = match before.rfind('\n') {
            Some(k) => (brace - (tok_start + k + 1)) as i32,
            None => ctx.tok.col + (brace - tok_start) as i32,
        };
        let depth = self.depth;
        let shift = (ctx.tok.lineno - 1 + nl, col);
        let bytes_cols = self.bytes_cols;
        let mut sp = Parser::new(&sub, self.g, &mut *self.b);
        sp.bytes_cols = bytes_cols;
        sp.shift = shift;
        sp.depth = depth;
        // `fstring_compile_expr` runs a whole parser (`fstring: star_expressions`): two passes,
        // errors prefixed with "f-string: " and placed relative to the sub-source's columns.
        let err = match sp.star_expressions() {
            Ok(Some(e)) => return Ok(e),
            Ok(None) => {
                let last = sp.toks.get(sp.hwm).or(sp.toks.last()).copied();
                sp.p = 0;
                sp.invalid = true;
                sp.pass2 = true;
                sp.memo.clear();
                sp.tprim_memo = None;
                sp.depth = depth;
                match sp.star_expressions() {
                    Err(e) => e,
                    Ok(_) => sp.generic_error(last),
                }
            }
            Err(e) => e,
        };
        if sp.nested_lex_error {
            // a tokenizer error of an f-string nested in this one, already placed
            self.nested_lex_error = true;
            return Err(err);
        }
        let lex = sp.lex_failed;
        if lex {
            self.nested_lex_error = true;
        }
        let mut err = fstring_sub_error(err, shift, lex);
        if !lex && err.lineno > shift.0 {
            // the line is the sub-source's (`(expression)`), as its tokenizer read it
            let k = (err.lineno - shift.0) as usize;
            err.text = Some(sub.split('\n').nth(k - 1).unwrap_or("").to_owned());
        }
        Err(err)
    }

    /// Ends the current run of literal pieces: a non-empty run becomes a `Constant`.
    fn flush(&mut self, acc: &mut LitAcc, values: &mut Vec<B::Expr>) {
        if let Some((buf, pos, u)) = acc.take() {
            if !buf.is_empty() {
                values.push(self.b.constant(Constant::Str(to_pystr(buf)), u, pos));
            }
        }
    }

    /// `fstring: FSTRING_START fstring_middle* FSTRING_END` (pieces appended to `acc`/`values`).
    fn fstring(&mut self, acc: &mut LitAcc, values: &mut Vec<B::Expr>) -> Result<bool, E> {
        let mut pending: Option<String> = None;
        let start = self.peek()?;
        self.p += 1;
        let raw = self.text(&start.t).bytes().any(|c| matches!(c, b'r' | b'R'));
        loop {
            let t = self.peek()?;
            match t.t.kind {
                TokKind::FSTRING_MIDDLE | TokKind::TSTRING_MIDDLE => {
                    self.p += 1;
                    let mut buf = Vec::new();
                    if let Err(e) = pycode_parse::strings::decode_str_body(self.text(&t.t), raw, true, &mut buf) {
                        // decoded by `_PyPegen_joined_str`, once the whole f-string parsed
                        if pending.is_none() {
                            pending = Some(uerr(self.text(&t.t), &e.msg));
                        }
                    }
                    {
                        let pos = self.middle_pos(&t.t);
                        acc.add(&buf, pos, false);
                    }
                }
                TokKind::LBRACE => {
                    let Some(fv) = self.replacement_field(raw, acc, values, false)? else {
                        return Ok(false);
                    };
                    values.push(fv);
                }
                TokKind::FSTRING_END | TokKind::TSTRING_END => {
                    self.p += 1;
                    if let Some(msg) = pending {
                        return Err(self.error_at(&t.t, &msg));
                    }
                    return Ok(true);
                }
                _ => return Ok(false),
            }
        }
    }

    /// `tstring+` (`_PyPegen_concatenate_tstrings`).
    fn tstrings(&mut self, m: usize) -> PR<B::Expr> {
        let mut acc = LitAcc::default();
        let mut values = Vec::new();
        while self.next_is(TokKind::TSTRING_START)? {
            let start = self.peek()?;
            self.p += 1;
            let raw = self.text(&start.t).bytes().any(|c| matches!(c, b'r' | b'R'));
            loop {
                let t = self.peek()?;
                match t.t.kind {
                    TokKind::TSTRING_MIDDLE => {
                        self.p += 1;
                        let mut buf = Vec::new();
                        pycode_parse::strings::decode_str_body(self.text(&t.t), raw, true, &mut buf)
                            .map_err(|e| self.error_at(&t.t, &uerr(self.text(&t.t), &e.msg)))?;
                        {
                            let pos = self.middle_pos(&t.t);
                            acc.add(&buf, pos, false);
                        }
                    }
                    TokKind::LBRACE => {
                        let Some(fv) = self.replacement_field(raw, &mut acc, &mut values, true)? else {
                            self.p = m;
                            return Ok(None);
                        };
                        values.push(fv);
                    }
                    TokKind::TSTRING_END => {
                        self.p += 1;
                        break;
                    }
                    _ => {
                        self.p = m;
                        return Ok(None);
                    }
                }
            }
        }
        self.flush(&mut acc, &mut values);
        let pos = self.pos(m);
        Ok(Some(self.b.template_str(values, pos)))
    }

    /// `fstring_replacement_field: '{' annotated_rhs '='? [fstring_conversion] [fstring_full_format_spec] '}'`.
    /// A debug text (`{x=}`) is added to `acc` before the run is flushed.
    fn replacement_field(&mut self, raw: bool, acc: &mut LitAcc, values: &mut Vec<B::Expr>, template: bool) -> PR<B::Expr> {
        let m = self.p;
        let r = self.replacement_field_alts(raw, acc, values, template)?;
        if r.is_none() && self.invalid {
            self.p = m;
            self.invalid_replacement_field(raw, template)?;
            self.p = m;
        }
        Ok(r)
    }

    fn replacement_field_alts(&mut self, raw: bool, acc: &mut LitAcc, values: &mut Vec<B::Expr>, template: bool) -> PR<B::Expr> {
        let m = self.p;
        let lbrace = self.peek()?;
        self.p += 1;
        let expr_start = self.p;
        let Some(value) = self.annotated_rhs()? else {
            self.p = m;
            return Ok(None);
        };
        let expr_end_tok = self.toks.get(self.p.saturating_sub(1)).map(|t| t.t);
        let debug = self.eat(TokKind::EQUAL)?;
        let mut conversion = -1;
        if self.next_is(TokKind::EXCLAMATION)? {
            let m2 = self.p;
            let bang = self.peek()?;
            self.p += 1;
            match self.name_tok()? {
                Some(n) => {
                    // `_PyPegen_check_fstring_conversion`
                    let w = if template { "t-string" } else { "f-string" };
                    if bang.t.end_lineno != n.lineno || bang.t.end_col != n.col {
                        let msg = format!("{w}: {}", self.g.msg(crate::grammar::Msg::ConversionAfterBang));
                        return Err(self.raise_range(&msg, tok_pos(&bang.t), tok_pos(&n)));
                    }
                    conversion = match self.text(&n) {
                        "s" => 's' as i32,
                        "r" => 'r' as i32,
                        "a" => 'a' as i32,
                        other => {
                            let msg = format!("{w}: invalid conversion character '{other}': expected 's', 'r', or 'a'");
                            let _ = m2;
                            return Err(self.raise_tok(&msg, &n));
                        }
                    }
                }
                None => {
                    self.p = m2;
                    return Ok(None);
                }
            }
        }
        let after_conv = self.p;
        let mut format_spec = None;
        if self.next_is(TokKind::COLON)? {
            let colon = self.p;
            self.p += 1;
            let mut sacc = LitAcc::default();
            let mut svalues = Vec::new();
            let mut last_field_end: Option<Token> = None;
            loop {
                let t = self.peek()?;
                match t.t.kind {
                    TokKind::FSTRING_MIDDLE | TokKind::TSTRING_MIDDLE => {
                        self.p += 1;
                        let mut buf = Vec::new();
                        pycode_parse::strings::decode_str_body(self.text(&t.t), raw, true, &mut buf).map_err(|e| {
                            // `_PyPegen_decoded_constant_from_token`: the codec's own exception
                            let msg = uerr(self.text(&t.t), &e.msg);
                            let msg = msg.strip_prefix("(unicode error) ").unwrap_or(&msg).to_owned();
                            Box::new(ParseError::new(ErrorKind::UnicodeDecodeError, msg))
                        })?;
                        {
                            let pos = self.middle_pos(&t.t);
                            sacc.add(&buf, pos, false);
                        }
                        if !buf.is_empty() {
                            last_field_end = None;
                        }
                    }
                    TokKind::LBRACE => {
                        let Some(fv) = self.replacement_field(raw, &mut sacc, &mut svalues, template)? else {
                            self.p = m;
                            return Ok(None);
                        };
                        svalues.push(fv);
                        last_field_end = self.toks.get(self.p.saturating_sub(1)).map(|t| t.t);
                    }
                    _ => break,
                }
            }
            self.flush(&mut sacc, &mut svalues);
            if let (true, Some(fe)) = (self.spec_empty_tail, last_field_end) {
                // 3.12.1: a spec ending with a field gets a trailing empty constant.
                let next = self.peek()?.t;
                let tail = Pos {
                    lineno: fe.end_lineno,
                    col_offset: fe.end_col.max(0) as u32,
                    end_lineno: next.lineno,
                    end_col_offset: next.col.max(0) as u32,
                };
                svalues.push(self.b.constant(Constant::Str(PyStr::new("", false)), false, tail));
            }
            let pos = self.pos(colon);
            format_spec = Some(self.b.joined_str(svalues, pos));
        }
        let _ = after_conv;
        if !self.eat(TokKind::RBRACE)? {
            self.p = m;
            return Ok(None);
        }
        if debug {
            // The text from after '{' up to the token after '=' (whitespace included).
            let from = lbrace.t.end as usize;
            let to = self.toks.get(self.p.saturating_sub(1)).map(|t| t.t.start as usize).unwrap_or(from);
            let to = if format_spec.is_some() || conversion != -1 {
                // stop at the '!' or ':' that follows the '='
                self.debug_end(expr_start, to)
            } else {
                to
            };
            let whole = self.src.get(from..to).unwrap_or("");
            // 3.12 and 3.13.0 end the text at the first top-level `!=`; 3.14+ at the last one
            // when a format spec follows without a conversion. The position spans the whole text.
            let cut = match self.g.minor {
                pycode_ast::PyMinor::Py312 => debug_text_bang(whole, false),
                pycode_ast::PyMinor::Py313 if self.debug_text_cut_3_13_0 => debug_text_bang(whole, false),
                pycode_ast::PyMinor::Py314 | pycode_ast::PyMinor::Py315 if format_spec.is_some() && conversion == -1 => {
                    debug_text_bang(whole, true)
                }
                _ => None,
            };
            let text = match cut {
                Some(k) => whole.get(..k).unwrap_or(whole),
                None => whole,
            };
            let text = self.debug_text_quirks(text);
            let start_pos = tok_pos(&lbrace.t);
            let ends_at = if cut.is_some() { whole } else { &*text };
            let (el, ec) = end_of(ends_at.as_bytes(), start_pos.end_lineno, start_pos.end_col_offset);
            let dpos = Pos { lineno: start_pos.end_lineno, col_offset: start_pos.end_col_offset, end_lineno: el, end_col_offset: ec };
            acc.add(text.as_bytes(), dpos, false);
            if conversion == -1 && format_spec.is_none() {
                conversion = 'r' as i32;
            }
        }
        let _ = expr_end_tok;
        self.flush(acc, values);
        let pos = self.pos(m);
        if template {
            let from = self.toks.get(expr_start).map(|t| t.t.start as usize).unwrap_or(0);
            let to = expr_end_tok.map(|t| t.end as usize).unwrap_or(from);
            let text = self.src.get(from..to).unwrap_or("").to_owned();
            return Ok(Some(self.b.interpolation(value, &text, conversion, format_spec, pos)));
        }
        Ok(Some(self.b.formatted_value(value, conversion, format_spec, pos)))
    }

    /// An f-string middle's position: a middle cut at a doubled brace (`{{`, `}}`) ends after
    /// the second brace, which the token leaves out.
    fn middle_pos(&self, t: &Token) -> Pos {
        let mut pos = tok_pos(t);
        let b = self.src.as_bytes();
        if t.end > t.start {
            if let (Some(&last), Some(&next)) = (b.get(t.end as usize - 1), b.get(t.end as usize)) {
                if (last == b'{' || last == b'}') && next == last {
                    pos.end_col_offset += 1;
                }
            }
        }
        pos
    }

    /// The byte offset where a debug text ends: the `!` or `:` after the `=`.
    fn debug_end(&self, expr_start: usize, fallback: usize) -> usize {
        let mut i = expr_start;
        let mut depth = 0i32;
        while let Some(t) = self.toks.get(i) {
            match t.t.kind {
                TokKind::LPAR | TokKind::LSQB | TokKind::LBRACE => depth += 1,
                TokKind::RPAR | TokKind::RSQB | TokKind::RBRACE => depth -= 1,
                TokKind::EQUAL if depth == 0 => {
                    if let Some(n) = self.toks.get(i + 1) {
                        return n.t.start as usize;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        fallback
    }

    /// Release quirks of the debug text: its comments.
    fn debug_text_quirks<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        use std::borrow::Cow;
        // 3.11 keeps the text as written (it rejects `#` in the expression); 3.12/3.13 drop
        // every `#` to the end of its line, 3.14+ only outside string literals.
        let skip_strings = match self.g.minor {
            pycode_ast::PyMinor::Py311 => return Cow::Borrowed(text),
            pycode_ast::PyMinor::Py312 | pycode_ast::PyMinor::Py313 => false,
            pycode_ast::PyMinor::Py314 | pycode_ast::PyMinor::Py315 => true,
        };
        if !text.contains('#') {
            return Cow::Borrowed(text);
        }
        Cow::Owned(debug_text_strip_comments(text, skip_strings))
    }
}

/// A debug text without its comments (each `#` to the end of its line, the newline kept).
/// With `skip_strings`, a `#` inside a string literal of the expression stays.
fn debug_text_strip_comments(t: &str, skip_strings: bool) -> String {
    let mut out = String::with_capacity(t.len());
    let mut in_comment = false;
    // Inside a string literal: its quote character and whether it is triple-quoted.
    let mut string: Option<(char, bool)> = None;
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        if in_comment {
            if c == '\n' {
                in_comment = false;
                out.push(c);
            }
            continue;
        }
        if let Some((q, triple)) = string {
            out.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else if c == q {
                if !triple {
                    string = None;
                } else if chars.peek() == Some(&q) {
                    out.push(q);
                    chars.next();
                    if chars.peek() == Some(&q) {
                        out.push(q);
                        chars.next();
                        string = None;
                    }
                }
            }
            continue;
        }
        if c == '#' {
            in_comment = true;
        } else if skip_strings && (c == '\'' || c == '"') {
            out.push(c);
            // two quotes are an empty string; three open a triple-quoted one
            if chars.peek() == Some(&c) {
                out.push(c);
                chars.next();
                if chars.peek() == Some(&c) {
                    out.push(c);
                    chars.next();
                    string = Some((c, true));
                }
            } else {
                string = Some((c, false));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The byte offset in a debug text of its first top-level `!=` (with `last`, its last one),
/// if it has one: 3.12's (and 3.13.0's) tokenizer ends the text of a `{expr=}` field at the
/// first `!`, `:` or `}` at bracket depth 0; 3.14+ record the last `!=` before a format spec.
/// String literals in the expression are skipped.
fn debug_text_bang(t: &str, last: bool) -> Option<usize> {
    let mut found = None;
    let b = t.as_bytes();
    let mut depth = 0u32;
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'!' if depth == 0 && b.get(i + 1) == Some(&b'=') => {
                found = Some(i);
                if !last {
                    return found;
                }
            }
            b'\'' | b'"' => {
                let triple = b.get(i + 1) == Some(&c) && b.get(i + 2) == Some(&c);
                i += if triple { 3 } else { 1 };
                while let Some(&d) = b.get(i) {
                    if d == b'\\' {
                        i += 2;
                        continue;
                    }
                    if d == c && (!triple || (b.get(i + 1) == Some(&c) && b.get(i + 2) == Some(&c))) {
                        i += if triple { 3 } else { 1 };
                        break;
                    }
                    i += 1;
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// A 3.11 f-string STRING token being parsed.
struct F311 {
    tok: Token,
    body_end: usize,
    raw: bool,
    whole: Pos,
    u311: bool,
}

/// Whether a STRING token is an f-string (its prefix has an `f`).
fn is_fstring_token(text: &str) -> bool {
    text.bytes().take_while(|c| !matches!(c, b'\'' | b'"')).any(|c| matches!(c, b'f' | b'F'))
}

/// The (line, byte column) after `text` that starts at (`line`, `col`).
fn end_of(text: &[u8], line: u32, col: u32) -> (u32, u32) {
    match text.iter().rposition(|&c| c == b'\n') {
        Some(i) => (line + text.iter().filter(|&&c| c == b'\n').count() as u32, (text.len() - i - 1) as u32),
        None => (line, col + text.len() as u32),
    }
}

/// NFKC of an identifier (ASCII is returned as is).
fn normalize(s: &str) -> String {
    if s.is_ascii() {
        s.to_owned()
    } else {
        use unicode_normalization::UnicodeNormalization;
        s.nfkc().collect()
    }
}

/// Characters before byte column `col` of `line` (CPython's offsets count characters).
/// An error of 3.11's f-string sub-parser: "f-string: " before the message; lines are the
/// source's, columns the sub-source's (`col_offset -= p->starting_col_offset`).
fn fstring_sub_error(mut e: Box<ParseError>, shift: (u32, i32), lex: bool) -> Box<ParseError> {
    if lex {
        // a tokenizer error: no prefix, the tokenizer's own columns
        e.lineno += shift.0;
        e.end_lineno += shift.0;
        if let Some(r) = e.raw.as_mut() {
            r[0] += i64::from(shift.0);
            r[2] += i64::from(shift.0);
        }
        return e;
    }
    if !e.msg.starts_with("f-string") {
        e.msg = format!("f-string: {}", e.msg);
    }
    let first = shift.0 + 1;
    let sub = |v: u32| (i64::from(v) - i64::from(shift.1)).max(0) as u32;
    if e.lineno == first {
        e.offset = sub(e.offset);
    }
    if e.end_lineno == first && e.end_offset > 0 {
        e.end_offset = sub(e.end_offset);
    }
    if let Some(r) = e.raw.as_mut() {
        if r[0] == i64::from(first) {
            r[1] = (r[1] - i64::from(shift.1)).max(0);
        }
        if r[2] == i64::from(first) && r[3] > 0 {
            r[3] = (r[3] - i64::from(shift.1)).max(0);
        }
    }
    e
}

/// A `(unicode error)` message with CPython's positions when they can be computed.
fn uerr(body: &str, fallback: &str) -> String {
    let ok = |name: &str| pycode_parse::strings::decode_str_body(&format!("\\N{{{name}}}"), false, false, &mut Vec::new()).is_ok();
    match crate::strings::unicode_escape_error(body, &ok) {
        Some(m) => format!("(unicode error) {m}"),
        None => format!("(unicode error) {fallback}"),
    }
}

fn char_col(line: &str, col: i32) -> u32 {
    if col <= 0 {
        return 0;
    }
    let b = line.as_bytes();
    let c = (col as usize).min(b.len());
    String::from_utf8_lossy(b.get(..c).unwrap_or_default()).chars().count() as u32
}

fn to_pystr(buf: Vec<u8>) -> PyStr {
    pycode_parse::strings::to_pystr(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A thread keeps its last parse's token buffer for the next one: parses after a larger
    /// one (also one that failed, and a 3.11 f-string whose expressions a nested parser reads)
    /// give what a fresh thread gives, and the buffer kept is the largest one made.
    #[test]
    fn token_buffer_is_kept_and_cleared() {
        use pycode_release::Release;
        let sources: [&[u8]; 5] = [
            b"import os\nfor i in range(10):\n    print(i, os.sep, [j * 2 for j in range(i)])\n",
            b"x = (\n",
            b"f'{a!r:>{width}} {b + c}'\n",
            b"y = 1\n",
            b"def f(a, /, b=2, *c, d, **e):\n    return {a: b for a in c if d}\n",
        ];
        let releases = ["3.11.7", "3.12.7", "3.14.2"];
        let fresh = |r: &'static str, src: &'static [u8]| {
            std::thread::spawn(move || {
                let opts = crate::Options::for_release(Release::parse(r).ok()?, crate::Mode::Exec, false);
                Some(format!("{:?}", crate::parse(src, &opts)))
            })
            .join()
            .ok()
            .flatten()
        };
        let mut ran = 0;
        for r in releases {
            let opts = crate::Options::for_release(Release::parse(r).expect("release"), crate::Mode::Exec, false);
            for src in sources {
                let here = format!("{:?}", crate::parse(src, &opts));
                assert_eq!(Some(here), fresh(r, src), "{r}: {}", String::from_utf8_lossy(src));
                ran += 1;
            }
        }
        assert_eq!(ran, 15);
        let kept = TOKEN_BUFFER.with(|c| {
            let v = c.take();
            let cap = v.capacity();
            c.set(v);
            cap
        });
        assert!(kept >= sources.iter().map(|s| s.len() / 5 + 16).max().unwrap_or(0), "kept capacity {kept}");
    }

    /// Every keyword has a slot of its own in `KW_TABLE`, and `keyword_at` answers what the
    /// plain comparison answers for the keywords, their prefixes and extensions, and other names.
    #[test]
    fn keyword_table() {
        let used = KW_TABLE.iter().filter(|e| e.1 != Kw::No).count();
        assert_eq!(used, 35);
        let mut names: Vec<Vec<u8>> = Vec::new();
        for &(w, _) in KW_TABLE.iter().filter(|e| e.1 != Kw::No) {
            let text: Vec<u8> = w.to_le_bytes().into_iter().take_while(|&b| b != 0).collect();
            for cut in 0..text.len() {
                names.push(text[..cut].to_vec());
            }
            let mut longer = text.clone();
            longer.push(b'x');
            names.push(longer);
            let mut upper = text.clone();
            upper[0] ^= 0x20;
            names.push(upper);
            names.push(text);
        }
        for n in ["x", "self", "print", "_", "classes", "nonlocals", "abcdefgh", "abcdefghi", "Nonee", "i", "a1"] {
            names.push(n.as_bytes().to_vec());
        }
        let mut ran = 0;
        for n in &names {
            // the name in the middle of a source and at its very end (fewer than 8 bytes after it)
            let mut mid = b"(".to_vec();
            mid.extend_from_slice(n);
            mid.extend_from_slice(b" = 12345678\n");
            assert_eq!(keyword_at(&mid, 1, 1 + n.len()), keyword(n), "{:?}", String::from_utf8_lossy(n));
            let mut end = b"(".to_vec();
            end.extend_from_slice(n);
            assert_eq!(keyword_at(&end, 1, 1 + n.len()), keyword(n), "{:?}", String::from_utf8_lossy(n));
            ran += 1;
        }
        assert_eq!(ran, names.len());
        assert!(ran >= 35 * 3 + 11, "{ran}");
    }
}
