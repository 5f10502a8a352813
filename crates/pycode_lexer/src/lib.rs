//! CPython's tokenizer for 3.11 to 3.15: the tokens `Parser/lexer/lexer.c` (3.12+) and
//! `Parser/tokenizer.c` (3.11) hand to the parser, with the same kinds, the same byte ranges
//! and the same errors, decided in the same order.
//!
//! The input is what CPython's string tokenizer sees: UTF-8 with `\r\n` and `\r` already
//! turned into `\n` and, for `exec` input, a final `\n` ([`prepare`] does both). One pass over
//! the bytes, no allocation per token: a [`Token`] is a kind and positions into the source.
//!
//! Positions follow CPython's token: `lineno`/`end_lineno` are 1-based lines, `col`/`end_col`
//! 0-based UTF-8 byte columns (what the AST records); a string piece that spans lines takes
//! the line and column where it starts. Tokens CPython gives no position (INDENT, DEDENT,
//! ENDMARKER without `extra_tokens`) have `col == end_col == -1`.

mod kind;

use std::borrow::Cow;

pub use kind::TokKind;

/// What the lexer is asked to produce.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// CPython minor version, 11 to 15.
    pub minor: u8,
    /// `PyCF_TYPE_COMMENTS`: `# type:` comments become TYPE_COMMENT / TYPE_IGNORE tokens.
    pub type_comments: bool,
    /// The `tokenize` module's view: COMMENT and NL tokens, positions for INDENT/DEDENT, and
    /// none of the literal checks the parser's tokenizer makes.
    pub extra_tokens: bool,
}

impl Config {
    /// The parser's tokenizer of a release (no type comments, no extra tokens).
    pub fn parser(minor: u8) -> Config {
        Config { minor, type_comments: false, extra_tokens: false }
    }
}

/// One token: its kind and where it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokKind,
    /// Byte range in the source (empty for tokens without text).
    pub start: u32,
    pub end: u32,
    pub lineno: u32,
    pub col: i32,
    pub end_lineno: u32,
    pub end_col: i32,
}

/// Why the tokenizer stopped (CPython's `tok->done` codes, or a `SyntaxError` it raised).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LexErrorKind {
    /// `_PyTokenizer_syntaxerror`: a `SyntaxError` with this message.
    Syntax(String),
    /// `E_EOF` while brackets are open (the parser reports the unclosed bracket).
    Eof,
    /// `E_DEDENT`: "unindent does not match any outer indentation level".
    Dedent,
    /// `E_TABSPACE`: "inconsistent use of tabs and spaces in indentation".
    TabSpace,
    /// `E_TOODEEP`: "too many levels of indentation".
    TooDeep,
    /// `E_LINECONT`: "unexpected character after line continuation character".
    LineCont,
    /// `E_EOF` after a line continuation at the end of the input.
    ContEof,
}

impl LexErrorKind {
    /// The message CPython's tokenizer gives (the parser may say more, e.g. which bracket was
    /// never closed).
    pub fn message(&self) -> String {
        match self {
            LexErrorKind::Syntax(m) => m.clone(),
            LexErrorKind::Eof | LexErrorKind::ContEof => "unexpected EOF in multi-line statement".into(),
            LexErrorKind::Dedent => "unindent does not match any outer indentation level".into(),
            LexErrorKind::TabSpace => "inconsistent use of tabs and spaces in indentation".into(),
            LexErrorKind::TooDeep => "too many levels of indentation".into(),
            LexErrorKind::LineCont => "unexpected character after line continuation character".into(),
        }
    }
}

/// A tokenizer error and where the tokenizer stood. `col` and `end_col` are byte columns on
/// line `lineno` such that CPython's `SyntaxError.offset` / `end_offset` are the numbers of
/// characters before them (its 1-based caret column); for `tok->done` codes they are where the
/// tokenizer stopped, and the parser derives its own position from that.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexError {
    pub kind: LexErrorKind,
    pub lineno: u32,
    pub col: i32,
    pub end_col: i32,
    /// Byte offset in the source where the tokenizer stood.
    pub pos: u32,
}

/// A warning the tokenizer emits (3.12+: `SyntaxWarning`; 3.11: `DeprecationWarning`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexWarning {
    pub message: String,
    pub lineno: u32,
    pub col: i32,
}

/// CPython's string input: `\r\n` and lone `\r` become `\n`, and `exec` input ends with `\n`.
pub fn prepare(src: &[u8], exec_input: bool) -> Cow<'_, [u8]> {
    let src = translate_newlines(src);
    if exec_input && src.last().is_some_and(|&c| c != b'\n') {
        let mut out = src.into_owned();
        out.push(b'\n');
        return Cow::Owned(out);
    }
    src
}

/// CPython's `translate_newlines`: `\r\n` and lone `\r` become `\n`.
pub fn translate_newlines(src: &[u8]) -> Cow<'_, [u8]> {
    if memchr::memchr(b'\r', src).is_none() {
        return Cow::Borrowed(src);
    }
    let mut out = Vec::with_capacity(src.len());
    let mut i = 0;
    while let Some(&c) = src.get(i) {
        if c == b'\r' {
            out.push(b'\n');
            if src.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
        } else {
            out.push(c);
        }
        i += 1;
    }
    Cow::Owned(out)
}

const EOF: i32 = -1;
/// `MAXINDENT`
const MAXINDENT: usize = 100;
/// `MAXLEVEL`
const MAXLEVEL: usize = 200;
/// `MAXFSTRINGLEVEL`
const MAXFSTRINGLEVEL: usize = 150;
/// `MAX_EXPR_NESTING`
const MAX_EXPR_NESTING: i32 = 3;
const TABSIZE: u32 = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Done {
    Ok,
    Eof,
    Error,
}

/// One f-string (or t-string) being tokenized (`tokenizer_mode`).
#[derive(Clone, Copy, Debug)]
struct FMode {
    /// Tokenizing the literal part (true) or an expression inside it (false).
    literal: bool,
    template: bool,
    quote: u8,
    quote_size: u32,
    raw: bool,
    start: usize,
    multi_line_start: usize,
    line: u32,
    curly_depth: i32,
    expr_start_depth: i32,
    in_format_spec: bool,
    debug: bool,
}

/// CPython's tokenizer over one prepared source.
pub struct Lexer<'s> {
    src: &'s [u8],
    cfg: Config,
    cur: usize,
    inp: usize,
    line_start: usize,
    lineno: u32,
    done: Done,
    atbol: bool,
    pendin: i32,
    indstack: Vec<u32>,
    altindstack: Vec<u32>,
    parens: Vec<(u8, u32, u32)>,
    /// Start of the token being read.
    start: usize,
    first_lineno: u32,
    multi_line_start: usize,
    comment_newline: bool,
    modes: Vec<FMode>,
    error: Option<LexError>,
    pub warnings: Vec<LexWarning>,
    /// The source holds a NUL byte somewhere (3.12+ then checks each line for one).
    has_nul: bool,
    /// The source holds a `\r` (not after [`prepare`]; comments end at one).
    has_cr: bool,
    /// [`Lexer::fast_token`] may run (not for `extra_tokens`).
    fast: bool,
    /// `fast` and the state [`Lexer::fast_token`] needs (mid-line, no pending indents, not
    /// done, outside f-strings, no error), recomputed whenever the general path ran: only
    /// [`Lexer::next_token_general`] and [`Lexer::set_fast_path`] change that state.
    fast_ready: bool,
}

type R = Result<Token, LexError>;

impl<'s> Lexer<'s> {
    /// A lexer over `src`, which [`prepare`] has made CPython's string input.
    pub fn new(src: &'s [u8], cfg: Config) -> Lexer<'s> {
        Lexer {
            src,
            cfg,
            cur: 0,
            inp: 0,
            line_start: 0,
            lineno: 0,
            done: Done::Ok,
            atbol: true,
            pendin: 0,
            indstack: vec![0],
            altindstack: vec![0],
            parens: Vec::new(),
            start: 0,
            first_lineno: 0,
            multi_line_start: 0,
            comment_newline: false,
            modes: Vec::new(),
            error: None,
            warnings: Vec::new(),
            has_nul: memchr::memchr(0, src).is_some(),
            has_cr: memchr::memchr(b'\r', src).is_some(),
            fast: !cfg.extra_tokens,
            // at the beginning of a line
            fast_ready: false,
        }
    }

    fn update_fast_ready(&mut self) {
        self.fast_ready =
            self.fast && !self.atbol && self.pendin == 0 && self.done == Done::Ok && self.modes.is_empty() && self.error.is_none();
    }

    /// Turns the shortcut for common tokens off or on (it is on unless `extra_tokens`): the
    /// tokens are the same either way; the differential test compares the two.
    pub fn set_fast_path(&mut self, on: bool) {
        self.fast = on && !self.cfg.extra_tokens;
        self.update_fast_ready();
    }

    /// Paren nesting level (`tok->level`).
    pub fn level(&self) -> usize {
        self.parens.len()
    }

    /// How many f-/t-strings the tokenizer is inside (CPython's `tok_mode_stack_index`).
    pub fn fstring_depth(&self) -> usize {
        self.modes.len()
    }

    /// The next token; after ENDMARKER or an error, the same again.
    pub fn next_token(&mut self) -> R {
        if let Some(t) = self.fast_token() {
            return Ok(t);
        }
        self.next_token_general()
    }

    /// [`Lexer::next_token`] without the shortcut, for callers that just tried
    /// [`Lexer::fast_token`] and got `None` (the token is the same either way).
    pub fn next_token_general(&mut self) -> R {
        if let Some(t) = self.fast_newline() {
            return Ok(t);
        }
        if self.fast_bracket_newline() {
            if let Some(t) = self.fast_token() {
                return Ok(t);
            }
        }
        if self.atbol && self.fast_line_start() {
            if let Some(t) = self.fast_token() {
                return Ok(t);
            }
        }
        if let Some(t) = self.fast_pending() {
            return Ok(t);
        }
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        let r = match self.modes.last() {
            Some(m) if m.literal => self.fstring_mode(),
            _ => self.normal_mode(),
        };
        if let Err(e) = &r {
            self.error = Some(e.clone());
        }
        self.update_fast_ready();
        r
    }

    /// Every token up to ENDMARKER, or the first error with the tokens before it.
    pub fn tokenize(src: &'s [u8], cfg: Config) -> (Vec<Token>, Option<LexError>) {
        let mut lx = Lexer::new(src, cfg);
        let mut out = Vec::with_capacity(src.len() / 4);
        loop {
            match lx.next_token() {
                Ok(t) => {
                    out.push(t);
                    if t.kind == TokKind::ENDMARKER {
                        return (out, None);
                    }
                }
                Err(e) => return (out, Some(e)),
            }
        }
    }

    /// The common tokens in the middle of a line, outside f-strings, without the general
    /// machinery: an ASCII name that no quote follows, the brackets (a closing one only when it
    /// matches), and `,` `:` `.` `=` `;` `~` and the one-character arithmetic, bitwise and
    /// comparison operators when no longer operator or number starts there; a decimal integer
    /// without underscores that nothing continues, and a one-line string without prefix or
    /// backslash. `None` leaves everything as it was for `Lexer::normal_mode`, which gives the same
    /// token for these and handles everything else.
    /// Callers that handle the common case inline may call this before [`Lexer::next_token`].
    #[inline(always)]
    pub fn fast_token(&mut self) -> Option<Token> {
        if !self.fast_ready {
            return None;
        }
        let mut f = self.fast_state();
        let (kind, s) = f.step(&mut self.parens)?;
        let e = f.cur;
        self.start = s;
        self.cur = e;
        if kind == TokKind::STRING {
            self.first_lineno = self.lineno;
            self.multi_line_start = self.line_start;
        }
        Some(self.make_on_line(kind, s, e))
    }

    /// [`Lexer::fast_token`] as long as it gives tokens, each handed to `push`: the same tokens,
    /// with the lexer's position kept in locals for the run.
    #[inline(always)]
    pub fn fast_run(&mut self, mut push: impl FnMut(Token)) {
        if !self.fast_ready {
            return;
        }
        let mut f = self.fast_state();
        let mut last = None;
        let mut string = false;
        while let Some((kind, s)) = f.step(&mut self.parens) {
            string |= kind == TokKind::STRING;
            last = Some(s);
            push(token_on_line(kind, s, f.cur, f.line_start, f.lineno));
        }
        if let Some(s) = last {
            self.start = s;
            self.cur = f.cur;
            if string {
                self.first_lineno = self.lineno;
                self.multi_line_start = self.line_start;
            }
        }
    }

    /// The state [`FastLine::step`] reads and moves.
    #[inline(always)]
    fn fast_state(&self) -> FastLine<'s> {
        FastLine {
            src: self.src,
            line: self.src.get(..self.inp).unwrap_or_default(),
            cur: self.cur,
            line_start: self.line_start,
            lineno: self.lineno,
            async_tokens: self.cfg.minor <= 12,
        }
    }

    /// [`Lexer::make`] for a token from `s` to `e` on the current line (not a string piece):
    /// both columns are offsets from the line's start, which `s` and `e` are never before
    /// (positions and columns are 32-bit, as in [`Token`]).
    #[inline(always)]
    fn make_on_line(&self, kind: TokKind, s: usize, e: usize) -> Token {
        token_on_line(kind, s, e, self.line_start, self.lineno)
    }

    /// The shortcut for the NEWLINE that ends a logical line in the middle of a line (what
    /// `normal_mode` makes of a `\n`, or of a comment and its `\n`, outside brackets and without
    /// type comments: a token from the `\n` or the `#` to the `\n`). Tried first by
    /// [`Lexer::next_token_general`], not by [`Lexer::fast_token`], so that the callers that
    /// inline the shortcut stay small (adding it there cost the parser 11 M instructions);
    /// callers may also try it after [`Lexer::fast_token`] gave `None`.
    #[inline]
    pub fn fast_newline(&mut self) -> Option<Token> {
        if !self.fast_ready || !self.parens.is_empty() {
            return None;
        }
        let line = self.src.get(..self.inp)?;
        let mut s = self.cur;
        while matches!(line.get(s), Some(b' ' | b'\t' | b'\x0c')) {
            s += 1;
        }
        let nl = match byte_class(*line.get(s)?) {
            CLASS_NEWLINE => s,
            CLASS_HASH if !self.cfg.type_comments => s + 1 + memchr::memchr2(b'\n', b'\r', line.get(s + 1..)?)?,
            _ => return None,
        };
        if line.get(nl) != Some(&b'\n') {
            return None;
        }
        self.start = s;
        self.cur = nl + 1;
        self.atbol = true;
        self.fast_ready = false;
        Some(self.make_on_line(TokKind::NEWLINE, s, nl))
    }

    /// `nextc_line`'s fetch, for a line that ends with `\n`: `line_start`, `inp` and `lineno`
    /// move to the next line; returns the source up to that line's end and the offset past its
    /// leading runs of eight spaces and the run of four after them (spaces only, so both
    /// indentation columns are that offset). `None` (nothing moved) at the end of the input or
    /// before a last line without `\n`, which the general path reads.
    #[inline(always)]
    fn fetch_line_fast(&mut self) -> Option<(&'s [u8], usize)> {
        let k = find_newline(self.src.get(self.inp..)?)?;
        self.line_start = self.inp;
        self.inp += k + 1;
        self.lineno += 1;
        let line = self.src.get(..self.inp).unwrap_or_default();
        let mut i = self.line_start;
        while line.get(i..i + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) == Some(*b"        ") {
            i += 8;
        }
        // and a run of four (the other common indentation step)
        if line.get(i..i + 4).and_then(|w| <[u8; 4]>::try_from(w).ok()) == Some(*b"    ") {
            i += 4;
        }
        Some((line, i))
    }

    /// The shortcut for the start of a line outside brackets (what `normal_mode` does at
    /// `atbol` before a token): blank lines and comment lines (without type comments) are
    /// skipped, and a line whose indentation is consistent ([`Lexer::fast_indent`]) leaves the
    /// lexer mid-line at its first token, `true`, with the INDENT or DEDENTs it calls for
    /// pending. Anything else (an indentation error, a backslash, the end of the input, a NUL
    /// byte in the source) returns `false` with the lexer where `normal_mode` takes over: at
    /// the start of a line, which may already be fetched as `nextc_line` fetches it.
    #[inline(never)]
    fn fast_line_start(&mut self) -> bool {
        if !self.fast || self.pendin != 0 || self.done != Done::Ok || !self.modes.is_empty() || self.error.is_some() {
            return false;
        }
        if !self.parens.is_empty() || self.has_nul || self.cur != self.inp {
            return false;
        }
        loop {
            let Some((line, mut i)) = self.fetch_line_fast() else { return false };
            let mut col = (i - self.line_start) as u32;
            let mut altcol = col;
            let c = loop {
                match line.get(i) {
                    Some(b' ') => {
                        col += 1;
                        altcol += 1;
                    }
                    Some(b'\t') => {
                        col = (col / TABSIZE + 1) * TABSIZE;
                        altcol += 1;
                    }
                    Some(b'\x0c') => {
                        col = 0;
                        altcol = 0;
                    }
                    Some(&c) => break c,
                    None => return false,
                }
                i += 1;
            };
            match c {
                b'\n' => {}
                // without a `\r` in the source, the comment ends at the line's `\n`
                b'#' if !self.cfg.type_comments && !self.has_cr => {}
                b'\\' | b'\r' | b'#' => return false,
                _ => {
                    if !self.fast_indent(col, altcol) {
                        return false;
                    }
                    self.cur = i;
                    self.atbol = false;
                    self.update_fast_ready();
                    return true;
                }
            }
            // a blank or comment line: `normal_mode` reads it to its `\n` and goes on
            self.cur = self.inp;
        }
    }

    /// `normal_mode`'s indentation step for a line whose first token is at columns `col`
    /// (tab size 8) and `altcol` (tab size 1), when it raises nothing: the same column is
    /// nothing, a deeper one an INDENT, a shallower one that some open level has the DEDENTs
    /// down to it (`pendin`). `false`, with nothing changed, where `normal_mode` would raise
    /// (inconsistent tabs, too deep, a dedent to no open level): it then raises it.
    #[inline(always)]
    fn fast_indent(&mut self, col: u32, altcol: u32) -> bool {
        let (Some(&top), Some(&alttop)) = (self.indstack.last(), self.altindstack.last()) else { return false };
        if col == top {
            return altcol == alttop;
        }
        if col > top {
            if self.indstack.len() >= MAXINDENT || altcol <= alttop {
                return false;
            }
            self.pendin = 1;
            self.indstack.push(col);
            self.altindstack.push(altcol);
            return true;
        }
        // the open levels deeper than `col` close; the one left must be `col` in both columns
        let mut n = self.indstack.len();
        while n > 1 && self.indstack.get(n - 1).is_some_and(|&t| col < t) {
            n -= 1;
        }
        if self.indstack.get(n - 1) != Some(&col) || self.altindstack.get(n - 1) != Some(&altcol) {
            return false;
        }
        self.pendin = -((self.indstack.len() - n) as i32);
        self.indstack.truncate(n);
        self.altindstack.truncate(n);
        true
    }

    /// The end of a line inside brackets (a `\n`, or a comment and its `\n`, where
    /// `normal_mode` makes no token) and the lines after it up to the next token, as
    /// `normal_mode` reads them there (no indentation; blank and comment lines skipped): `true`
    /// with the lexer mid-line at that token. `false` where the general path must read on (no
    /// such line end here, type comments, a NUL byte or `\r` in the source, a backslash at a
    /// line's start, the end of the input), with the lexer where it takes over: mid-line as it
    /// was, or at the start of a line (fetched or not).
    #[inline(never)]
    fn fast_bracket_newline(&mut self) -> bool {
        if !self.fast_ready || self.parens.is_empty() || self.cfg.type_comments || self.has_nul || self.has_cr {
            return false;
        }
        let line = self.src.get(..self.inp).unwrap_or_default();
        let mut s = self.cur;
        while matches!(line.get(s), Some(b' ' | b'\t' | b'\x0c')) {
            s += 1;
        }
        // without a `\r` in the source, a comment ends at the line's `\n`
        if !matches!(line.get(s), Some(b'\n' | b'#')) || line.last() != Some(&b'\n') {
            return false;
        }
        self.cur = self.inp;
        self.atbol = true;
        self.fast_ready = false;
        loop {
            let Some((line, mut i)) = self.fetch_line_fast() else { return false };
            while matches!(line.get(i), Some(b' ' | b'\t' | b'\x0c')) {
                i += 1;
            }
            match line.get(i) {
                Some(b'\n' | b'#') => self.cur = self.inp,
                Some(b'\\' | b'\r') | None => {
                    self.cur = self.line_start;
                    return false;
                }
                Some(_) => {
                    self.cur = i;
                    self.atbol = false;
                    self.update_fast_ready();
                    return true;
                }
            }
        }
    }

    /// After the NEWLINE [`Lexer::fast_newline`] gave: the next line's start as
    /// [`Lexer::next_token_general`] would take it, when the shortcut can (blank and comment
    /// lines skipped, a consistent indentation): `true` with the lexer at the line's first
    /// token and its INDENT or DEDENTs pending ([`Lexer::fast_pending`]); `false` with nothing
    /// decided (the general path then reads the line, and raises what it finds there).
    #[inline]
    pub fn fast_next_line(&mut self) -> bool {
        self.atbol && self.fast_line_start()
    }

    /// The INDENT or DEDENT `Lexer::fast_line_start` left pending, as `normal_mode` makes it
    /// (no text, columns -1, at the line's first token); `None` when none is pending or
    /// `normal_mode` must run (`extra_tokens` gives them positions, f-strings, errors).
    #[inline]
    pub fn fast_pending(&mut self) -> Option<Token> {
        if self.pendin == 0 || self.atbol || !self.fast || self.done != Done::Ok || !self.modes.is_empty() || self.error.is_some() {
            return None;
        }
        self.start = self.cur;
        let kind = if self.pendin < 0 {
            self.pendin += 1;
            TokKind::DEDENT
        } else {
            self.pendin -= 1;
            TokKind::INDENT
        };
        self.update_fast_ready();
        Some(self.make(kind, None))
    }

    // ---- characters ------------------------------------------------------------------

    fn byte(&self, i: usize) -> i32 {
        self.src.get(i).map_or(EOF, |&c| i32::from(c))
    }

    /// `tok_nextc`: the next byte, fetching the next line when the current one is used up.
    #[inline(always)]
    fn nextc(&mut self) -> i32 {
        if self.cur < self.inp {
            if let Some(&c) = self.src.get(self.cur) {
                self.cur += 1;
                return i32::from(c);
            }
        }
        self.nextc_line()
    }

    /// [`Lexer::nextc`] at the end of the current line: fetch the next one.
    #[cold]
    #[inline(never)]
    fn nextc_line(&mut self) -> i32 {
        loop {
            if self.cur < self.inp {
                let c = self.byte(self.cur);
                self.cur += 1;
                return c;
            }
            if self.done != Done::Ok {
                return EOF;
            }
            if self.inp >= self.src.len() {
                self.done = Done::Eof;
                self.cur = self.inp;
                return EOF;
            }
            let rest = self.src.get(self.inp..).unwrap_or_default();
            let end = find_newline(rest).map_or(self.src.len(), |k| self.inp + k + 1);
            self.line_start = self.cur;
            self.inp = end;
            self.lineno += 1;
            if self.has_nul
                && self.cfg.minor >= 12
                && self.src.get(self.line_start..self.inp).is_some_and(|l| memchr::memchr(0, l).is_some())
            {
                // reported at the start of the line, then the line is skipped
                self.set_error("source code cannot contain null bytes".into());
                self.cur = self.inp;
                return EOF;
            }
        }
    }

    /// Moves to `pos` (at or after the position, before the end of the source) as
    /// [`Lexer::nextc`] would byte by byte: the lines up to the one holding `pos` are fetched
    /// (`lineno`, `line_start`, `inp`). Only where no line can hold a NUL byte (which
    /// `nextc_line` reports).
    fn skip_lines_to(&mut self, pos: usize) {
        if pos >= self.inp {
            let mid = self.src.get(self.inp..pos).unwrap_or_default();
            // one fetch for the line at `inp`, one more for each line ending before `pos`
            let lines = memchr::memchr_iter(b'\n', mid).count();
            self.line_start = memchr::memrchr(b'\n', mid).map_or(self.inp, |k| self.inp + k + 1);
            self.lineno += lines as u32 + 1;
            let rest = self.src.get(self.line_start..).unwrap_or_default();
            self.inp = find_newline(rest).map_or(self.src.len(), |k| self.line_start + k + 1);
        }
        self.cur = pos;
    }

    /// `tok_backup`
    #[inline(always)]
    fn backup(&mut self, c: i32) {
        if c != EOF {
            self.cur = self.cur.saturating_sub(1);
        }
    }

    fn col_of(&self, at: usize, line_start: usize) -> i32 {
        if at >= line_start {
            i32::try_from(at - line_start).unwrap_or(i32::MAX)
        } else {
            -1
        }
    }

    #[inline]
    fn make(&self, kind: TokKind, span: Option<(usize, usize)>) -> Token {
        let (lineno, ls) = if kind.is_string_piece() { (self.first_lineno, self.multi_line_start) } else { (self.lineno, self.line_start) };
        match span {
            Some((s, e)) => Token {
                kind,
                start: s as u32,
                end: e as u32,
                lineno,
                col: self.col_of(s, ls),
                end_lineno: self.lineno,
                end_col: self.col_of(e, self.line_start),
            },
            None => Token { kind, start: self.cur as u32, end: self.cur as u32, lineno, col: -1, end_lineno: self.lineno, end_col: -1 },
        }
    }

    fn tok(&self, kind: TokKind) -> R {
        Ok(self.make(kind, Some((self.start, self.cur))))
    }

    fn fail(&self, kind: LexErrorKind) -> LexError {
        let col = self.col_of(self.cur, self.line_start);
        LexError { kind, lineno: self.lineno, col, end_col: col, pos: self.cur as u32 }
    }

    /// `_PyTokenizer_syntaxerror`: the error points at where the tokenizer stands.
    fn syntax(&self, msg: String) -> LexError {
        let col = self.col_of(self.cur, self.line_start);
        LexError { kind: LexErrorKind::Syntax(msg), lineno: self.lineno, col: col.max(0), end_col: col.max(0), pos: self.cur as u32 }
    }

    fn set_error(&mut self, msg: String) {
        self.done = Done::Error;
        self.error = Some(self.syntax(msg));
    }

    fn warn(&mut self, message: String) {
        let col = self.col_of(self.start, self.line_start);
        self.warnings.push(LexWarning { message, lineno: self.lineno, col });
    }

    fn pending_error(&mut self) -> Option<LexError> {
        if self.done == Done::Error {
            return self.error.clone();
        }
        None
    }

    // ---- regular mode ----------------------------------------------------------------

    fn inside_fstring_expr(&self) -> bool {
        self.modes.last().is_some_and(|m| m.expr_start_depth >= 0)
    }

    /// `tok_get_normal_mode`
    fn normal_mode(&mut self) -> R {
        'nextline: loop {
            let mut blankline = false;
            if self.atbol {
                self.atbol = false;
                let (mut col, mut altcol, mut cont_col) = (0u32, 0u32, 0u32);
                let c = loop {
                    let c = self.nextc();
                    match c {
                        0x20 => {
                            // a run of spaces within the line, scanned directly
                            let line = self.src.get(..self.inp).unwrap_or_default();
                            let run = 1 + line.get(self.cur..).unwrap_or_default().iter().take_while(|&&b| b == b' ').count();
                            self.cur += run - 1;
                            col += run as u32;
                            altcol += run as u32;
                        }
                        0x09 => {
                            col = (col / TABSIZE + 1) * TABSIZE;
                            altcol += 1;
                        }
                        0x0c => {
                            col = 0;
                            altcol = 0;
                        }
                        0x5c => {
                            if cont_col == 0 {
                                cont_col = col;
                            }
                            self.continuation_line()?;
                        }
                        _ => break c,
                    }
                };
                self.backup(c);
                if let Some(e) = self.pending_error() {
                    return Err(e);
                }
                if c == i32::from(b'#') || c == i32::from(b'\n') || c == i32::from(b'\r') {
                    blankline = true;
                }
                if !blankline && self.parens.is_empty() {
                    if cont_col != 0 {
                        col = cont_col;
                        altcol = cont_col;
                    }
                    let top = self.indstack.last().copied().unwrap_or(0);
                    let alttop = self.altindstack.last().copied().unwrap_or(0);
                    if col == top {
                        if altcol != alttop {
                            return Err(self.indent_error());
                        }
                    } else if col > top {
                        if self.indstack.len() >= MAXINDENT {
                            self.cur = self.inp;
                            return Err(self.fail(LexErrorKind::TooDeep));
                        }
                        if altcol <= alttop {
                            return Err(self.indent_error());
                        }
                        self.pendin += 1;
                        self.indstack.push(col);
                        self.altindstack.push(altcol);
                    } else {
                        while self.indstack.len() > 1 && self.indstack.last().is_some_and(|&t| col < t) {
                            self.pendin -= 1;
                            self.indstack.pop();
                            self.altindstack.pop();
                        }
                        if self.indstack.last().copied() != Some(col) {
                            self.cur = self.inp;
                            return Err(self.fail(LexErrorKind::Dedent));
                        }
                        if self.altindstack.last().copied() != Some(altcol) {
                            return Err(self.indent_error());
                        }
                    }
                }
            }

            self.start = self.cur;
            if self.pendin != 0 {
                let span =
                    if self.cfg.extra_tokens { Some((if self.pendin < 0 { self.cur } else { self.line_start }, self.cur)) } else { None };
                let kind = if self.pendin < 0 {
                    self.pendin += 1;
                    TokKind::DEDENT
                } else {
                    self.pendin -= 1;
                    TokKind::INDENT
                };
                return Ok(self.make(kind, span));
            }

            // `again`: after a line continuation
            loop {
                let mut c = self.nextc();
                while c == 0x20 || c == 0x09 || c == 0x0c {
                    c = self.nextc();
                }
                self.start = if c == EOF { self.cur.saturating_sub(1) } else { self.cur - 1 };
                if c == i32::from(b'#') {
                    let hash = self.start;
                    // to the end of the line (a comment never spans lines)
                    let line = self.src.get(..self.inp).unwrap_or_default();
                    let rest = line.get(self.cur..).unwrap_or_default();
                    self.cur += memchr::memchr2(b'\n', b'\r', rest).unwrap_or(rest.len());
                    c = self.nextc();
                    if self.cfg.type_comments {
                        if let Some(t) = self.type_comment(hash, c, blankline) {
                            return Ok(t);
                        }
                    }
                    if self.cfg.extra_tokens {
                        self.backup(c);
                        self.comment_newline = blankline;
                        return Ok(self.make(TokKind::COMMENT, Some((hash, self.cur))));
                    }
                }
                if let Some(e) = self.pending_error() {
                    return Err(e);
                }
                if c == EOF {
                    if !self.parens.is_empty() {
                        return Err(self.fail(LexErrorKind::Eof));
                    }
                    return match self.done {
                        Done::Eof => Ok(self.make(TokKind::ENDMARKER, None)),
                        _ => Err(self.fail(LexErrorKind::Eof)),
                    };
                }

                if is_potential_identifier_start(c) {
                    return self.name_or_prefixed_string(c);
                }
                if c == i32::from(b'\r') {
                    c = self.nextc();
                }
                if c == i32::from(b'\n') {
                    self.atbol = true;
                    if blankline || !self.parens.is_empty() {
                        if self.cfg.extra_tokens {
                            self.comment_newline = false;
                            return self.tok(TokKind::NL);
                        }
                        continue 'nextline;
                    }
                    if self.comment_newline && self.cfg.extra_tokens {
                        self.comment_newline = false;
                        return self.tok(TokKind::NL);
                    }
                    return Ok(self.make(TokKind::NEWLINE, Some((self.start, self.cur - 1))));
                }
                if c == i32::from(b'.') {
                    let c2 = self.nextc();
                    if is_digit(c2) {
                        return self.fraction(c2);
                    }
                    if c2 == i32::from(b'.') {
                        let c3 = self.nextc();
                        if c3 == i32::from(b'.') {
                            return self.tok(TokKind::ELLIPSIS);
                        }
                        self.backup(c3);
                    }
                    self.backup(c2);
                    return self.tok(TokKind::DOT);
                }
                if is_digit(c) {
                    return self.number(c);
                }
                if c == i32::from(b'\'') || c == i32::from(b'"') {
                    return self.string(c);
                }
                if c == i32::from(b'\\') {
                    self.continuation_line()?;
                    continue;
                }
                return self.operator(c);
            }
        }
    }

    /// `_PyTokenizer_indenterror`
    fn indent_error(&mut self) -> LexError {
        self.cur = self.inp;
        self.done = Done::Error;
        self.fail(LexErrorKind::TabSpace)
    }

    /// `tok_continuation_line`: after a backslash, the newline and the first byte of the next line.
    fn continuation_line(&mut self) -> Result<(), LexError> {
        let mut c = self.nextc();
        if c == i32::from(b'\r') {
            c = self.nextc();
        }
        if c != i32::from(b'\n') {
            self.done = Done::Error;
            return Err(self.fail(LexErrorKind::LineCont));
        }
        let c = self.nextc();
        if c == EOF {
            self.cur = self.inp;
            return Err(self.fail(LexErrorKind::ContEof));
        }
        self.backup(c);
        Ok(())
    }

    /// A `# type:` comment (`hash` is where the `#` is; `c` the byte that ended the comment).
    fn type_comment(&mut self, hash: usize, c: i32, blankline: bool) -> Option<Token> {
        const PREFIX: &[u8] = b"# type: ";
        let mut p = hash;
        let mut k = 0;
        while let Some(&want) = PREFIX.get(k) {
            if p >= self.cur {
                break;
            }
            if want == b' ' {
                while matches!(self.src.get(p), Some(b' ' | b'\t')) {
                    p += 1;
                }
            } else if self.src.get(p) == Some(&want) {
                p += 1;
            } else {
                break;
            }
            k += 1;
        }
        if k < PREFIX.len() {
            return None;
        }
        self.backup(c);
        let ignore_end = p + 6;
        let is_ignore = self.cur >= ignore_end
            && self.src.get(p..ignore_end) == Some(b"ignore".as_slice())
            && !(self.cur > ignore_end && self.src.get(ignore_end).is_some_and(|&b| b >= 128 || b.is_ascii_alphanumeric()));
        if is_ignore {
            let t = self.make(TokKind::TYPE_IGNORE, Some((ignore_end, self.cur)));
            if blankline {
                self.nextc();
                self.atbol = true;
            }
            Some(t)
        } else {
            Some(self.make(TokKind::TYPE_COMMENT, Some((p, self.cur))))
        }
    }

    /// A name, or a string whose prefix the name's letters turned out to be.
    fn name_or_prefixed_string(&mut self, first: i32) -> R {
        if self.cfg.minor >= 14 {
            return self.name_or_prefixed_string_314(first);
        }
        let (mut saw_b, mut saw_r, mut saw_u, mut saw_f) = (false, false, false, false);
        let mut c = first;
        loop {
            let ch = c as u8 | 0x20;
            if !(saw_b || saw_u || saw_f) && ch == b'b' {
                saw_b = true;
            } else if !(saw_b || saw_u || saw_r || saw_f) && ch == b'u' {
                saw_u = true;
            } else if !(saw_r || saw_u) && ch == b'r' {
                saw_r = true;
            } else if !(saw_f || saw_b || saw_u) && ch == b'f' {
                saw_f = true;
            } else {
                break;
            }
            c = self.nextc();
            if c == i32::from(b'"') || c == i32::from(b'\'') {
                if saw_f && self.cfg.minor >= 12 {
                    return self.fstring_start(c, false);
                }
                return self.string(c);
            }
        }
        self.name_rest(c)
    }

    /// 3.14+: any string-prefix letters, each at most once, make a prefix when a quote follows;
    /// combinations that cannot go together are an error of their own.
    fn name_or_prefixed_string_314(&mut self, first: i32) -> R {
        const LETTERS: &[u8] = b"brutf";
        const CLASHES: [(u8, u8); 7] = [(b'u', b'b'), (b'u', b'r'), (b'u', b'f'), (b'u', b't'), (b'b', b'f'), (b'b', b't'), (b'f', b't')];
        let mut seen = 0u8;
        let mut c = first;
        loop {
            let ch = c as u8 | 0x20;
            let Some(bit) = LETTERS.iter().position(|&l| l == ch).map(|k| 1u8 << k) else { break };
            if c >= 128 || seen & bit != 0 {
                break;
            }
            seen |= bit;
            c = self.nextc();
            if c == i32::from(b'"') || c == i32::from(b'\'') {
                let has = |l: u8| LETTERS.iter().position(|&x| x == l).is_some_and(|k| seen & (1 << k) != 0);
                if let Some((a, b)) = CLASHES.iter().copied().find(|&(a, b)| has(a) && has(b)) {
                    let col = self.col_of(self.start, self.line_start) + 1;
                    let end = self.col_of(self.cur, self.line_start);
                    return Err(LexError {
                        kind: LexErrorKind::Syntax(format!("'{}' and '{}' prefixes are incompatible", a as char, b as char)),
                        lineno: self.lineno,
                        col,
                        end_col: end,
                        pos: self.cur as u32,
                    });
                }
                if has(b'f') || has(b't') {
                    return self.fstring_start(c, has(b't'));
                }
                return self.string(c);
            }
        }
        self.name_rest(c)
    }

    /// The rest of a name whose first bytes are read (`c` is the next one).
    fn name_rest(&mut self, c: i32) -> R {
        let mut nonascii = false;
        if is_potential_identifier_char(c) {
            nonascii |= c >= 128;
            // the rest of the name lies within the current line: scan it directly
            let line = self.src.get(..self.inp).unwrap_or_default();
            let rest = line.get(self.cur..).unwrap_or_default();
            let n = rest.iter().position(|&b| !ident_byte(b)).unwrap_or(rest.len());
            nonascii |= rest.get(..n).is_some_and(|name| !name.is_ascii());
            self.cur += n;
        } else {
            self.backup(c);
        }
        if nonascii && !self.cfg.extra_tokens {
            self.verify_identifier()?;
        }
        // up to 3.12, `async` and `await` are tokens of their own
        if self.cfg.minor <= 12 {
            match self.src.get(self.start..self.cur) {
                Some(b"async") => return self.tok(TokKind::ASYNC),
                Some(b"await") => return self.tok(TokKind::AWAIT),
                _ => {}
            }
        }
        self.tok(TokKind::NAME)
    }

    /// `verify_identifier`: PEP 3131 on a name with non-ASCII bytes.
    fn verify_identifier(&mut self) -> Result<(), LexError> {
        let bytes = self.src.get(self.start..self.cur).unwrap_or_default();
        let Ok(text) = std::str::from_utf8(bytes) else {
            return Err(self.syntax("invalid UTF-8 in identifier".into()));
        };
        let mut bad = None;
        for (k, (at, ch)) in text.char_indices().enumerate() {
            let ok = if k == 0 { is_id_start(ch) } else { is_id_continue(ch) };
            if !ok {
                bad = Some((at, ch));
                break;
            }
        }
        let Some((at, ch)) = bad else { return Ok(()) };
        // CPython moves the tokenizer to just after the bad character
        self.cur = self.start + at + ch.len_utf8();
        let msg = if is_printable(ch) {
            format!("invalid character '{ch}' (U+{:04X})", ch as u32)
        } else {
            format!("invalid non-printable character U+{:04X}", ch as u32)
        };
        Err(self.syntax(msg))
    }

    // ---- numbers ---------------------------------------------------------------------

    /// `verify_end_of_number`
    fn end_of_number(&mut self, c: i32, kind: &str) -> Result<(), LexError> {
        if self.cfg.extra_tokens {
            return Ok(());
        }
        let keyword = match u8::try_from(c).unwrap_or(0) {
            b'a' => self.lookahead(b"nd"),
            b'e' => self.lookahead(b"lse"),
            b'f' => self.lookahead(b"or"),
            b'i' => {
                let c2 = self.nextc();
                let r = c2 == i32::from(b'f') || c2 == i32::from(b'n') || c2 == i32::from(b's');
                self.backup(c2);
                r
            }
            b'o' => self.lookahead(b"r"),
            b'n' => self.lookahead(b"ot"),
            _ => false,
        };
        if keyword {
            self.backup(c);
            self.warn(format!("invalid {kind} literal"));
            self.nextc();
        } else if (0..128).contains(&c) && is_potential_identifier_char(c) {
            self.backup(c);
            return Err(self.syntax(format!("invalid {kind} literal")));
        }
        Ok(())
    }

    /// `lookahead`: the bytes that follow are `test` and then no identifier byte.
    fn lookahead(&mut self, test: &[u8]) -> bool {
        let save = self.cur;
        let mut r = true;
        for &want in test {
            if self.nextc() != i32::from(want) {
                r = false;
                break;
            }
        }
        if r {
            r = !is_potential_identifier_char(self.nextc());
        }
        self.cur = save;
        r
    }

    /// `tok_decimal_tail`: digits with single underscores between them; the byte after.
    fn decimal_tail(&mut self) -> Result<i32, LexError> {
        loop {
            let mut c = self.nextc();
            while is_digit(c) {
                c = self.nextc();
            }
            if c != i32::from(b'_') {
                return Ok(c);
            }
            let c2 = self.nextc();
            if !is_digit(c2) {
                self.backup(c2);
                return Err(self.syntax("invalid decimal literal".into()));
            }
        }
    }

    fn number(&mut self, first: i32) -> R {
        if first == i32::from(b'0') {
            let c = self.nextc();
            let lower = c | 0x20;
            if lower == i32::from(b'x') {
                return self.radix_number(|c| (0..128).contains(&c) && (c as u8).is_ascii_hexdigit(), "hexadecimal", false);
            }
            if lower == i32::from(b'o') {
                return self.radix_number(|c| (i32::from(b'0')..i32::from(b'8')).contains(&c), "octal", true);
            }
            if lower == i32::from(b'b') {
                return self.radix_number(|c| c == i32::from(b'0') || c == i32::from(b'1'), "binary", true);
            }
            // zeros, maybe followed by more digits (an error unless a float or imaginary follows)
            let mut c = c;
            loop {
                if c == i32::from(b'_') {
                    c = self.nextc();
                    if !is_digit(c) {
                        self.backup(c);
                        return Err(self.syntax("invalid decimal literal".into()));
                    }
                }
                if c != i32::from(b'0') {
                    break;
                }
                c = self.nextc();
            }
            let zeros_end = self.cur;
            let mut nonzero = false;
            if is_digit(c) {
                nonzero = true;
                c = self.decimal_tail()?;
            }
            if c == i32::from(b'.') {
                let c2 = self.nextc();
                return self.fraction(c2);
            }
            if c | 0x20 == i32::from(b'e') {
                return self.exponent(c);
            }
            if c | 0x20 == i32::from(b'j') {
                return self.imaginary();
            }
            if nonzero && !self.cfg.extra_tokens {
                self.backup(c);
                let col = self.col_of(self.start, self.line_start) + 1;
                let end = self.col_of(zeros_end, self.line_start);
                return Err(LexError {
                    kind: LexErrorKind::Syntax(
                        "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers".into(),
                    ),
                    lineno: self.lineno,
                    col,
                    end_col: end,
                    pos: self.cur as u32,
                });
            }
            self.end_of_number(c, "decimal")?;
            self.backup(c);
            return self.tok(TokKind::NUMBER);
        }
        let c = self.decimal_tail()?;
        if c == i32::from(b'.') {
            let c2 = self.nextc();
            return self.fraction(c2);
        }
        self.after_fraction(c)
    }

    /// `0x`/`0o`/`0b` literals: groups of digits separated by single underscores.
    fn radix_number(&mut self, digit: impl Fn(i32) -> bool, kind: &str, decimal_digit_error: bool) -> R {
        let mut c = self.nextc();
        loop {
            if c == i32::from(b'_') {
                c = self.nextc();
            }
            if !digit(c) {
                if decimal_digit_error && is_digit(c) {
                    return Err(self.syntax(format!("invalid digit '{}' in {kind} literal", c as u8 as char)));
                }
                self.backup(c);
                return Err(self.syntax(format!("invalid {kind} literal")));
            }
            while digit(c) {
                c = self.nextc();
            }
            if c != i32::from(b'_') {
                break;
            }
        }
        if decimal_digit_error && is_digit(c) {
            return Err(self.syntax(format!("invalid digit '{}' in {kind} literal", c as u8 as char)));
        }
        self.end_of_number(c, kind)?;
        self.backup(c);
        self.tok(TokKind::NUMBER)
    }

    /// After `.`: `c` is the byte that follows the point.
    fn fraction(&mut self, c: i32) -> R {
        let c = if is_digit(c) { self.decimal_tail()? } else { c };
        self.after_fraction(c)
    }

    fn after_fraction(&mut self, c: i32) -> R {
        if c | 0x20 == i32::from(b'e') {
            return self.exponent(c);
        }
        if c | 0x20 == i32::from(b'j') {
            return self.imaginary();
        }
        self.end_of_number(c, "decimal")?;
        self.backup(c);
        self.tok(TokKind::NUMBER)
    }

    /// `e` seen (`e` is the byte itself, for backing up).
    fn exponent(&mut self, e: i32) -> R {
        let mut c = self.nextc();
        if c == i32::from(b'+') || c == i32::from(b'-') {
            c = self.nextc();
            if !is_digit(c) {
                self.backup(c);
                return Err(self.syntax("invalid decimal literal".into()));
            }
        } else if !is_digit(c) {
            self.backup(c);
            self.end_of_number(e, "decimal")?;
            self.backup(e);
            return self.tok(TokKind::NUMBER);
        }
        let c = self.decimal_tail()?;
        if c | 0x20 == i32::from(b'j') {
            return self.imaginary();
        }
        self.end_of_number(c, "decimal")?;
        self.backup(c);
        self.tok(TokKind::NUMBER)
    }

    fn imaginary(&mut self) -> R {
        let c = self.nextc();
        self.end_of_number(c, "imaginary")?;
        self.backup(c);
        self.tok(TokKind::NUMBER)
    }

    // ---- strings ---------------------------------------------------------------------

    fn unterminated_message(&self, triple: bool, what: &str, detected: u32, escaped_quote: bool) -> String {
        if triple {
            format!("unterminated triple-quoted {what} literal (detected at line {detected})")
        } else if escaped_quote && self.cfg.minor >= 13 {
            format!("unterminated {what} literal (detected at line {detected}); perhaps you escaped the end quote?")
        } else {
            format!("unterminated {what} literal (detected at line {detected})")
        }
    }

    /// A plain string (any prefix but `f`/`t` from 3.12); `quote` was just read.
    fn string(&mut self, quote: i32) -> R {
        let mut quote_size = 1;
        let mut end_quote_size = 0;
        let mut escaped_quote = false;
        self.first_lineno = self.lineno;
        self.multi_line_start = self.line_start;
        let mut c = self.nextc();
        if c == quote {
            c = self.nextc();
            if c == quote {
                quote_size = 3;
            } else {
                end_quote_size = 1;
            }
        }
        if c != quote {
            self.backup(c);
        }
        let q = quote as u8;
        while end_quote_size != quote_size {
            // skip plain bytes of the current line directly
            if end_quote_size == 0 {
                if quote_size == 3 && self.fast && !self.has_nul && !self.has_cr {
                    // a triple-quoted string skips whole lines: to the next quote or backslash
                    // (without one, the byte loop below reports the unterminated string); a
                    // shortcut like the others (off with `set_fast_path(false)`)
                    let rest = self.src.get(self.cur..).unwrap_or_default();
                    if let Some(k) = memchr::memchr2(q, b'\\', rest) {
                        self.skip_lines_to(self.cur + k);
                    }
                }
                let rest = self.src.get(self.cur..self.inp).unwrap_or_default();
                // (prepared input has no '\r'; were one there, the byte loop below handles it)
                self.cur += memchr::memchr3(q, b'\\', b'\n', rest).unwrap_or(rest.len());
            }
            let c = self.nextc();
            if let Some(e) = self.pending_error() {
                return Err(e);
            }
            if c == EOF || (quote_size == 1 && c == i32::from(b'\n')) {
                // report from the opening quote
                self.cur = self.start + 1;
                self.line_start = self.multi_line_start;
                let detected = self.lineno;
                self.lineno = self.first_lineno;
                if let Some(m) = self.modes.last() {
                    if i32::from(m.quote) == quote && m.quote_size == quote_size {
                        let what = if m.template { "t-string" } else { "f-string" };
                        return Err(self.syntax(format!("{what}: expecting '}}'")));
                    }
                }
                let msg = self.unterminated_message(quote_size == 3, "string", detected, escaped_quote);
                return Err(self.syntax(msg));
            }
            if c == quote {
                end_quote_size += 1;
            } else {
                end_quote_size = 0;
                if c == i32::from(b'\\') {
                    let c2 = self.nextc();
                    escaped_quote |= c2 == quote;
                    if c2 == i32::from(b'\r') {
                        self.nextc();
                    }
                }
            }
        }
        self.tok(TokKind::STRING)
    }

    /// The start of an f-string or t-string (3.12+); `quote` was just read.
    fn fstring_start(&mut self, quote: i32, template: bool) -> R {
        let mut quote_size = 1;
        self.first_lineno = self.lineno;
        self.multi_line_start = self.line_start;
        let after = self.nextc();
        if after == quote {
            let after2 = self.nextc();
            if after2 == quote {
                quote_size = 3;
            } else {
                self.backup(after2);
                self.backup(after);
            }
        } else {
            self.backup(after);
        }
        if self.modes.len() + 1 >= MAXFSTRINGLEVEL {
            let msg = if self.cfg.minor >= 14 { "too many nested f-strings or t-strings" } else { "too many nested f-strings" };
            return Err(self.syntax(msg.into()));
        }
        let first = self.byte(self.start) as u8 | 0x20;
        let raw = first == b'r' || (self.byte(self.start + 1) as u8 | 0x20) == b'r';
        self.modes.push(FMode {
            literal: true,
            template,
            quote: quote as u8,
            quote_size,
            raw,
            start: self.start,
            multi_line_start: self.line_start,
            line: self.lineno,
            curly_depth: 0,
            expr_start_depth: -1,
            in_format_spec: false,
            debug: false,
        });
        self.tok(if template { TokKind::TSTRING_START } else { TokKind::FSTRING_START })
    }

    /// `tok_get_fstring_mode`: the literal part of the innermost f-string.
    fn fstring_mode(&mut self) -> R {
        let Some(mut m) = self.modes.last().copied() else {
            return self.normal_mode();
        };
        let middle = if m.template { TokKind::TSTRING_MIDDLE } else { TokKind::FSTRING_MIDDLE };
        self.start = self.cur;
        self.first_lineno = self.lineno;
        let start_char = self.nextc();
        if start_char == i32::from(b'{') {
            let peek = self.nextc();
            self.backup(peek);
            self.backup(start_char);
            if peek != i32::from(b'{') {
                m.expr_start_depth += 1;
                if m.expr_start_depth >= MAX_EXPR_NESTING {
                    self.store(m);
                    return Err(self.syntax(format!("{}: expressions nested too deeply", what(m))));
                }
                m.literal = false;
                self.store(m);
                return self.normal_mode();
            }
        } else {
            self.backup(start_char);
        }
        // the closing quote(s)?
        let mut at_end = true;
        for _ in 0..m.quote_size {
            let q = self.nextc();
            if q != i32::from(m.quote) {
                self.backup(q);
                at_end = false;
                break;
            }
        }
        if at_end {
            self.modes.pop();
            return self.tok(if m.template { TokKind::TSTRING_END } else { TokKind::FSTRING_END });
        }

        self.multi_line_start = self.line_start;
        let mut end_quote_size = 0;
        let mut unicode_escape = false;
        while end_quote_size != m.quote_size {
            let c = self.nextc();
            if let Some(e) = self.pending_error() {
                return Err(e);
            }
            let in_format_spec = m.in_format_spec && m.expr_start_depth >= 0;
            if c == EOF || (m.quote_size == 1 && c == i32::from(b'\n')) {
                if in_format_spec && c == i32::from(b'\n') {
                    if self.cfg.minor >= 14 {
                        return Err(self.syntax(format!(
                            "{}: newlines are not allowed in format specifiers for single quoted {}s",
                            what(m),
                            what(m)
                        )));
                    }
                    self.backup(c);
                    m.literal = false;
                    m.in_format_spec = false;
                    self.store(m);
                    return self.tok(middle);
                }
                self.cur = m.start + 1;
                self.line_start = m.multi_line_start;
                let detected = self.lineno;
                self.lineno = m.line;
                let msg = self.unterminated_message(m.quote_size == 3, what(m), detected, false);
                return Err(self.syntax(msg));
            }
            if c == i32::from(m.quote) {
                end_quote_size += 1;
                continue;
            }
            end_quote_size = 0;
            if c == i32::from(b'{') {
                let peek = self.nextc();
                if peek != i32::from(b'{') || in_format_spec {
                    self.backup(peek);
                    self.backup(c);
                    m.expr_start_depth += 1;
                    if m.expr_start_depth >= MAX_EXPR_NESTING {
                        self.store(m);
                        return Err(self.syntax(format!("{}: expressions nested too deeply", what(m))));
                    }
                    m.literal = false;
                    m.in_format_spec = false;
                    self.store(m);
                    return self.tok(middle);
                }
                self.store(m);
                return Ok(self.make(middle, Some((self.start, self.cur - 1))));
            } else if c == i32::from(b'}') {
                if unicode_escape {
                    self.store(m);
                    return self.tok(middle);
                }
                let peek = self.nextc();
                if peek == i32::from(b'}') && !in_format_spec && m.curly_depth == 0 {
                    self.store(m);
                    return Ok(self.make(middle, Some((self.start, self.cur - 1))));
                }
                self.backup(peek);
                self.backup(c);
                m.literal = false;
                m.in_format_spec = false;
                self.store(m);
                return self.tok(middle);
            } else if c == i32::from(b'\\') {
                let mut peek = self.nextc();
                if peek == i32::from(b'\r') {
                    peek = self.nextc();
                }
                if peek == i32::from(b'{') || peek == i32::from(b'}') {
                    if !m.raw {
                        self.warn(format!("invalid escape sequence '\\{}'", peek as u8 as char));
                    }
                    self.backup(peek);
                    continue;
                }
                if !m.raw && peek == i32::from(b'N') {
                    let p2 = self.nextc();
                    if p2 == i32::from(b'{') {
                        unicode_escape = true;
                    } else {
                        self.backup(p2);
                    }
                }
            }
        }
        // a final middle; the quotes are the END token's
        for _ in 0..m.quote_size {
            self.backup(i32::from(m.quote));
        }
        self.store(m);
        self.tok(middle)
    }

    fn store(&mut self, m: FMode) {
        if let Some(top) = self.modes.last_mut() {
            *top = m;
        }
    }

    // ---- operators -------------------------------------------------------------------

    fn operator(&mut self, c: i32) -> R {
        let cb = c as u8;
        if matches!(cb, b':' | b'}' | b'!' | b'{') && c < 128 && self.inside_fstring_expr() {
            if let Some(m) = self.modes.last_mut() {
                let cursor = m.curly_depth - i32::from(cb != b'{');
                if cb == b':' && cursor == m.expr_start_depth {
                    m.literal = true;
                    m.in_format_spec = true;
                    return self.tok(TokKind::COLON);
                }
            }
        }
        let c2 = self.nextc();
        if let Some(k2) = two_chars_of(c, c2) {
            let c3 = self.nextc();
            let kind = match three_chars_of(c, c2, c3) {
                Some(k3) => k3,
                None => {
                    self.backup(c3);
                    k2
                }
            };
            return self.tok(kind);
        }
        self.backup(c2);
        match cb {
            b'(' | b'[' | b'{' if c < 128 => {
                if self.parens.len() >= MAXLEVEL {
                    return Err(self.syntax("too many nested parentheses".into()));
                }
                let col = self.col_of(self.start, self.line_start).max(0) as u32;
                self.parens.push((cb, self.lineno, col));
                if let Some(m) = self.modes.last_mut() {
                    m.curly_depth += 1;
                }
            }
            b')' | b']' | b'}' if c < 128 => {
                if let Some(m) = self.modes.last() {
                    if m.curly_depth == 0 && cb == b'}' {
                        return Err(self.syntax(format!("{}: single '}}' is not allowed", what(*m))));
                    }
                }
                if !self.cfg.extra_tokens && self.parens.is_empty() {
                    return Err(self.syntax(format!("unmatched '{}'", cb as char)));
                }
                if let Some((opening, line, _)) = self.parens.pop() {
                    let matching = matches!((opening, cb), (b'(', b')') | (b'[', b']') | (b'{', b'}'));
                    if !self.cfg.extra_tokens && !matching {
                        if let Some(m) = self.modes.last() {
                            if opening == b'{' && m.curly_depth - 1 == m.expr_start_depth {
                                return Err(self.syntax(format!("{}: unmatched '{}'", what(*m), cb as char)));
                            }
                        }
                        let msg = if line != self.lineno {
                            format!(
                                "closing parenthesis '{}' does not match opening parenthesis '{}' on line {line}",
                                cb as char, opening as char
                            )
                        } else {
                            format!("closing parenthesis '{}' does not match opening parenthesis '{}'", cb as char, opening as char)
                        };
                        return Err(self.syntax(msg));
                    }
                }
                if let Some(m) = self.modes.last_mut() {
                    m.curly_depth -= 1;
                    let m = *m;
                    if m.curly_depth < 0 {
                        return Err(self.syntax(format!("{}: unmatched '{}'", what(m), cb as char)));
                    }
                    if cb == b'}' && m.curly_depth == m.expr_start_depth {
                        if let Some(top) = self.modes.last_mut() {
                            top.expr_start_depth -= 1;
                            top.literal = true;
                            top.in_format_spec = false;
                            top.debug = false;
                        }
                    }
                }
            }
            _ => {}
        }
        if !(0x20..0x7f).contains(&c) && c < 128 {
            return Err(self.syntax(format!("invalid non-printable character U+{c:04X}")));
        }
        if cb == b'=' && self.inside_fstring_expr() {
            if let Some(m) = self.modes.last_mut() {
                m.debug = true;
            }
        }
        self.tok(kind::one_char(cb, self.cfg.minor >= 12))
    }
}

/// The part of the lexer's state the shortcut for common tokens reads and moves
/// ([`Lexer::fast_token`], [`Lexer::fast_run`]): the source, the current line (up to and with
/// its `\n`), the position.
struct FastLine<'s> {
    src: &'s [u8],
    line: &'s [u8],
    cur: usize,
    line_start: usize,
    lineno: u32,
    /// `async` and `await` are tokens of their own (up to 3.12).
    async_tokens: bool,
}

impl FastLine<'_> {
    /// The next common token (see [`Lexer::fast_token`]): its kind and start, the position moved
    /// past it; `None` with nothing changed.
    #[inline(always)]
    fn step(&mut self, parens: &mut Vec<(u8, u32, u32)>) -> Option<(TokKind, usize)> {
        let line = self.line;
        let mut s = self.cur;
        while matches!(line.get(s), Some(b' ' | b'\t' | b'\x0c')) {
            s += 1;
        }
        let c = *line.get(s)?;
        let mut e = s + 1;
        let kind = match byte_class(c) {
            CLASS_NAME => {
                e = name_end(self.src, line, e);
                if line.get(e).is_some_and(|&b| b == b'\'' || b == b'"' || b >= 128) {
                    return None;
                }
                match line.get(s..e)? {
                    b"async" if self.async_tokens => TokKind::ASYNC,
                    b"await" if self.async_tokens => TokKind::AWAIT,
                    _ => TokKind::NAME,
                }
            }
            CLASS_OPEN => {
                if parens.len() >= MAXLEVEL {
                    return None;
                }
                let col = u32::try_from(s - self.line_start).ok()?;
                parens.push((c, self.lineno, col));
                one_char_kind(c)
            }
            CLASS_CLOSE => {
                let &(opening, _, _) = parens.last()?;
                if !matches!((opening, c), (b'(', b')') | (b'[', b']') | (b'{', b'}')) {
                    return None;
                }
                parens.pop();
                one_char_kind(c)
            }
            CLASS_COMMA => TokKind::COMMA,
            CLASS_OP1 => {
                // no two-character operator starts here (`kind::two_chars`)
                let n = line.get(s + 1).copied().unwrap_or(0);
                if n == b'=' || (n == c && matches!(c, b'*' | b'/' | b'<' | b'>')) || (n == b'>' && matches!(c, b'-' | b'<')) {
                    return None;
                }
                one_char_kind(c)
            }
            CLASS_COLON if line.get(s + 1) != Some(&b'=') => TokKind::COLON,
            CLASS_EQUAL if line.get(s + 1) != Some(&b'=') => TokKind::EQUAL,
            CLASS_DOT if !line.get(s + 1).is_some_and(|&b| b == b'.' || b.is_ascii_digit()) => TokKind::DOT,
            CLASS_DIGIT => {
                // a decimal integer without underscores (`0` only alone), before a byte that
                // neither continues a number nor a name (no error, no warning can follow)
                let rest = line.get(e..)?;
                e += rest.iter().position(|b| !b.is_ascii_digit()).unwrap_or(rest.len());
                let next = *line.get(e)?;
                if ident_byte(next) || next == b'.' || (c == b'0' && e > s + 1) {
                    return None;
                }
                TokKind::NUMBER
            }
            CLASS_QUOTE => {
                // a one-line string without prefix or backslash: to the next same quote
                let rest = line.get(e..)?;
                let k = rest.iter().position(|&b| b == c || b == b'\\' || b == b'\n')?;
                if rest.get(k) != Some(&c) || (k == 0 && rest.get(1) == Some(&c)) {
                    // a backslash, an unterminated string, or `'''`
                    return None;
                }
                e += k + 1;
                TokKind::STRING
            }
            _ => return None,
        };
        self.cur = e;
        Some((kind, s))
    }
}

/// A token from `s` to `e` on the line `lineno` that starts at `line_start` (see
/// [`Lexer::make_on_line`]).
#[inline(always)]
fn token_on_line(kind: TokKind, s: usize, e: usize, line_start: usize, lineno: u32) -> Token {
    let ls = line_start as u32;
    let (s, e) = (s as u32, e as u32);
    Token { kind, start: s, end: e, lineno, col: s.wrapping_sub(ls) as i32, end_lineno: lineno, end_col: e.wrapping_sub(ls) as i32 }
}

/// Where the ASCII name whose bytes before `e` are read ends on `line`: eight bytes at a time
/// while eight bytes of the source are there (the line's `\n` ends the name before the line
/// does; the eight tests unrolled), then byte by byte.
#[inline(always)]
fn name_end(src: &[u8], line: &[u8], mut e: usize) -> usize {
    while let Some(w) = src.get(e..e + 8).and_then(|b| <&[u8; 8]>::try_from(b).ok()) {
        for (k, &b) in w.iter().enumerate() {
            if byte_class(b) > CLASS_DIGIT {
                return e + k;
            }
        }
        e += 8;
    }
    let rest = line.get(e..).unwrap_or_default();
    e + rest.iter().position(|&b| byte_class(b) > CLASS_DIGIT).unwrap_or(rest.len())
}

/// The kind of a one-character operator or bracket ([`kind::one_char`], without `!`).
#[inline(always)]
#[allow(clippy::indexing_slicing)] // a u8 indexes a 256-entry table: always in bounds
fn one_char_kind(c: u8) -> TokKind {
    ONE_CHAR[usize::from(c)]
}

/// A table of `f(c)` for every byte `c`, built at compile time (`$fill` is only the value the
/// array starts with; every entry is then set).
macro_rules! byte_table {
    ($t:ty, $fill:expr, |$c:ident| $f:expr) => {{
        let mut t: [$t; 256] = [$fill; 256];
        let mut b = 0;
        while b < 256 {
            let $c = b as u8;
            #[allow(clippy::indexing_slicing)] // b < 256
            {
                t[b] = $f;
            }
            b += 1;
        }
        t
    }};
}

/// [`kind::one_char`] of every byte.
static ONE_CHAR: [TokKind; 256] = byte_table!(TokKind, TokKind::OP, |c| kind::one_char(c, false));

fn what(m: FMode) -> &'static str {
    if m.template {
        "t-string"
    } else {
        "f-string"
    }
}

fn two_chars_of(c1: i32, c2: i32) -> Option<TokKind> {
    let (Ok(a), Ok(b)) = (u8::try_from(c1), u8::try_from(c2)) else { return None };
    kind::two_chars(a, b)
}

fn three_chars_of(c1: i32, c2: i32, c3: i32) -> Option<TokKind> {
    let (Ok(a), Ok(b), Ok(c)) = (u8::try_from(c1), u8::try_from(c2), u8::try_from(c3)) else { return None };
    kind::three_chars(a, b, c)
}

/// The first `\n` in `hay`: sixteen, then eight bytes at a time (a source line is short,
/// shorter than what `memchr`'s vector loop is made for).
#[inline]
fn find_newline(hay: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    const NL: u64 = LO * b'\n' as u64;
    // a zero byte of `x` is a `\n`; the lowest flagged byte is the first one
    let word = |c: &[u8]| -> u64 {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        let x = u64::from_le_bytes(w) ^ NL;
        x.wrapping_sub(LO) & !x & HI
    };
    let mut base = 0;
    while let Some(c) = hay.get(base..base + 16) {
        let (za, zb) = (word(c.get(..8).unwrap_or_default()), word(c.get(8..).unwrap_or_default()));
        if za != 0 {
            return Some(base + (za.trailing_zeros() / 8) as usize);
        }
        if zb != 0 {
            return Some(base + 8 + (zb.trailing_zeros() / 8) as usize);
        }
        base += 16;
    }
    if let Some(c) = hay.get(base..base + 8) {
        let z = word(c);
        if z != 0 {
            return Some(base + (z.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    hay.get(base..).unwrap_or_default().iter().position(|&b| b == b'\n').map(|k| base + k)
}

const CLASS_NAME: u8 = 1;
const CLASS_DIGIT: u8 = 2;
const CLASS_OPEN: u8 = 3;
const CLASS_CLOSE: u8 = 4;
const CLASS_COMMA: u8 = 5;
const CLASS_COLON: u8 = 6;
const CLASS_EQUAL: u8 = 7;
const CLASS_DOT: u8 = 8;
const CLASS_OP1: u8 = 9;
const CLASS_OTHER: u8 = 10;
const CLASS_NEWLINE: u8 = 11;
const CLASS_HASH: u8 = 12;
const CLASS_QUOTE: u8 = 13;

/// What [`Lexer::fast_token`] makes of a byte: an ASCII name start or digit (the bytes an ASCII
/// name continues with are the classes up to `CLASS_DIGIT`), a bracket, `,`, `:`, `=`, `.`, a quote;
/// anything else (non-ASCII bytes too) is `CLASS_OTHER`.
static BYTE_CLASS: [u8; 256] = byte_table!(u8, CLASS_OTHER, |c| if c.is_ascii_alphabetic() || c == b'_' {
    CLASS_NAME
} else if c.is_ascii_digit() {
    CLASS_DIGIT
} else {
    match c {
        b'(' | b'[' | b'{' => CLASS_OPEN,
        b')' | b']' | b'}' => CLASS_CLOSE,
        b',' => CLASS_COMMA,
        b':' => CLASS_COLON,
        b'=' => CLASS_EQUAL,
        b'.' => CLASS_DOT,
        b'+' | b'-' | b'*' | b'/' | b'%' | b'&' | b'|' | b'^' | b'<' | b'>' | b'~' | b'@' | b';' => CLASS_OP1,
        b'\n' => CLASS_NEWLINE,
        b'#' => CLASS_HASH,
        b'\'' | b'"' => CLASS_QUOTE,
        _ => CLASS_OTHER,
    }
});

/// [`BYTE_CLASS`] of `b`.
#[inline(always)]
#[allow(clippy::indexing_slicing)] // a u8 indexes a 256-entry table: always in bounds
fn byte_class(b: u8) -> u8 {
    BYTE_CLASS[usize::from(b)]
}

/// Bytes a name may continue with (`is_potential_identifier_char`), as a table.
static IDENT_BYTE: [bool; 256] = byte_table!(bool, false, |c| c.is_ascii_alphanumeric() || c == b'_' || c >= 128);

/// Whether `b` may continue a name.
#[inline(always)]
#[allow(clippy::indexing_slicing)] // a u8 indexes a 256-entry table: always in bounds
fn ident_byte(b: u8) -> bool {
    IDENT_BYTE[usize::from(b)]
}

fn is_digit(c: i32) -> bool {
    (i32::from(b'0')..=i32::from(b'9')).contains(&c)
}

fn is_potential_identifier_start(c: i32) -> bool {
    c >= 128 || c == i32::from(b'_') || u8::try_from(c).is_ok_and(|b| b.is_ascii_alphabetic())
}

fn is_potential_identifier_char(c: i32) -> bool {
    u8::try_from(c).is_ok_and(ident_byte)
}

/// PEP 3131: may `c` start an identifier (XID_Start, `_`, and Python's Other_ID_Start)?
pub fn is_id_start(c: char) -> bool {
    c == '_' || unicode_ident::is_xid_start(c) || is_other_id(c)
}

/// PEP 3131: may `c` continue an identifier?
pub fn is_id_continue(c: char) -> bool {
    unicode_ident::is_xid_continue(c) || is_other_id(c)
}

/// Characters Python accepts in identifiers beyond XID (Other_ID_Start / Other_ID_Continue).
fn is_other_id(c: char) -> bool {
    matches!(
        c,
        '\u{1885}' | '\u{1886}' | '\u{2118}' | '\u{212E}' | '\u{309B}' | '\u{309C}' | '\u{00B7}' | '\u{0387}' | '\u{1369}'
            ..='\u{1371}' | '\u{19DA}'
    )
}

/// `Py_UNICODE_ISPRINTABLE`, approximated: not a control, format, separator (other than
/// space), private-use or unassigned-plane character.
pub fn is_printable(c: char) -> bool {
    let u = c as u32;
    !(c.is_control()
        || matches!(u, 0x00A0 | 0x00AD | 0x1680 | 0x2000..=0x200F | 0x2028..=0x202F | 0x205F..=0x2064 | 0x2066..=0x206F | 0x3000 | 0xFEFF | 0xFFF9..=0xFFFB | 0xE000..=0xF8FF)
        || (0xF0000..).contains(&u))
}

/// The token listing `tools/lexer_parity.py` compares with CPython's `_tokenize.TokenizerIter`
/// (`KIND LINE COL END_LINE END_COL` per token, then `ERROR <message>` if the tokenizer
/// stopped), with that iterator's column conventions: characters (bytes for 3.11), and for
/// 3.12 a string piece's end column counted in characters of the text from its first line.
pub fn oracle_listing(src: &[u8], minor: u8) -> String {
    oracle_listing_with(src, minor, false)
}

/// [`oracle_listing`], with the error's position as `SyntaxError` reports it when
/// `error_position` (` @ LINE OFFSET END_LINE END_OFFSET`, 1-based character offsets).
pub fn oracle_listing_with(src: &[u8], minor: u8, error_position: bool) -> String {
    let src = prepare(src, true);
    let mut starts = vec![0usize];
    for (i, &c) in src.iter().enumerate() {
        if c == b'\n' {
            starts.push(i + 1);
        }
    }
    let ls = |line: u32| starts.get(line.saturating_sub(1) as usize).copied().unwrap_or(0);
    let chars = |line_start: usize, col: i32| -> i64 {
        if col < 0 || minor == 11 {
            return i64::from(col);
        }
        let end = (line_start + col as usize).min(src.len());
        String::from_utf8_lossy(src.get(line_start..end).unwrap_or_default()).chars().count() as i64
    };
    let (toks, err) = Lexer::tokenize(&src, Config::parser(minor));
    let mut out = String::new();
    for t in &toks {
        let end_base = if t.kind.is_string_piece() && minor == 12 { ls(t.lineno) } else { ls(t.end_lineno) };
        out.push_str(&format!(
            "{} {} {} {} {}\n",
            t.kind.name(),
            t.lineno,
            chars(ls(t.lineno), t.col),
            t.end_lineno,
            chars(end_base, t.end_col)
        ));
    }
    if let Some(e) = err {
        if error_position && matches!(e.kind, LexErrorKind::Syntax(_)) {
            let ls = ls(e.lineno);
            let off = |col: i32| {
                String::from_utf8_lossy(src.get(ls..(ls + col.max(0) as usize).min(src.len())).unwrap_or_default()).chars().count()
            };
            out.push_str(&format!("ERROR {} @ {} {} {} {}\n", e.kind.message(), e.lineno, off(e.col), e.lineno, off(e.end_col)));
        } else {
            out.push_str(&format!("ERROR {}\n", e.kind.message()));
        }
    }
    out
}
