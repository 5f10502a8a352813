//! Token kinds, named as CPython's `token.tok_name` names them, and the operator tables
//! (`Grammar/Tokens`: one, two and three character operators).

/// A token's kind. The names are CPython's (`token.tok_name`); numbering is CPython's business
/// and differs between releases, so pycode never writes these as numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
pub enum TokKind {
    ENDMARKER,
    NAME,
    NUMBER,
    STRING,
    NEWLINE,
    INDENT,
    DEDENT,
    LPAR,
    RPAR,
    LSQB,
    RSQB,
    COLON,
    COMMA,
    SEMI,
    PLUS,
    MINUS,
    STAR,
    SLASH,
    VBAR,
    AMPER,
    LESS,
    GREATER,
    EQUAL,
    DOT,
    PERCENT,
    LBRACE,
    RBRACE,
    EQEQUAL,
    NOTEQUAL,
    LESSEQUAL,
    GREATEREQUAL,
    TILDE,
    CIRCUMFLEX,
    LEFTSHIFT,
    RIGHTSHIFT,
    DOUBLESTAR,
    PLUSEQUAL,
    MINEQUAL,
    STAREQUAL,
    SLASHEQUAL,
    PERCENTEQUAL,
    AMPEREQUAL,
    VBAREQUAL,
    CIRCUMFLEXEQUAL,
    LEFTSHIFTEQUAL,
    RIGHTSHIFTEQUAL,
    DOUBLESTAREQUAL,
    DOUBLESLASH,
    DOUBLESLASHEQUAL,
    AT,
    ATEQUAL,
    RARROW,
    ELLIPSIS,
    COLONEQUAL,
    /// `!` (3.12+; before, a lone `!` is an `OP`).
    EXCLAMATION,
    /// A character no operator starts with (`$`, `?`, a lone `!` before 3.12): the parser rejects it.
    OP,
    TYPE_IGNORE,
    TYPE_COMMENT,
    FSTRING_START,
    FSTRING_MIDDLE,
    FSTRING_END,
    TSTRING_START,
    TSTRING_MIDDLE,
    TSTRING_END,
    /// `async` and `await` up to 3.12 (keywords of the grammar from 3.13).
    ASYNC,
    AWAIT,
    /// Only with `extra_tokens` (the `tokenize` module's view).
    COMMENT,
    /// Only with `extra_tokens`: a newline that ends no logical line.
    NL,
}

impl TokKind {
    /// CPython's name of the kind (`token.tok_name[type]`).
    pub fn name(self) -> &'static str {
        use TokKind::*;
        match self {
            ENDMARKER => "ENDMARKER",
            NAME => "NAME",
            NUMBER => "NUMBER",
            STRING => "STRING",
            NEWLINE => "NEWLINE",
            INDENT => "INDENT",
            DEDENT => "DEDENT",
            LPAR => "LPAR",
            RPAR => "RPAR",
            LSQB => "LSQB",
            RSQB => "RSQB",
            COLON => "COLON",
            COMMA => "COMMA",
            SEMI => "SEMI",
            PLUS => "PLUS",
            MINUS => "MINUS",
            STAR => "STAR",
            SLASH => "SLASH",
            VBAR => "VBAR",
            AMPER => "AMPER",
            LESS => "LESS",
            GREATER => "GREATER",
            EQUAL => "EQUAL",
            DOT => "DOT",
            PERCENT => "PERCENT",
            LBRACE => "LBRACE",
            RBRACE => "RBRACE",
            EQEQUAL => "EQEQUAL",
            NOTEQUAL => "NOTEQUAL",
            LESSEQUAL => "LESSEQUAL",
            GREATEREQUAL => "GREATEREQUAL",
            TILDE => "TILDE",
            CIRCUMFLEX => "CIRCUMFLEX",
            LEFTSHIFT => "LEFTSHIFT",
            RIGHTSHIFT => "RIGHTSHIFT",
            DOUBLESTAR => "DOUBLESTAR",
            PLUSEQUAL => "PLUSEQUAL",
            MINEQUAL => "MINEQUAL",
            STAREQUAL => "STAREQUAL",
            SLASHEQUAL => "SLASHEQUAL",
            PERCENTEQUAL => "PERCENTEQUAL",
            AMPEREQUAL => "AMPEREQUAL",
            VBAREQUAL => "VBAREQUAL",
            CIRCUMFLEXEQUAL => "CIRCUMFLEXEQUAL",
            LEFTSHIFTEQUAL => "LEFTSHIFTEQUAL",
            RIGHTSHIFTEQUAL => "RIGHTSHIFTEQUAL",
            DOUBLESTAREQUAL => "DOUBLESTAREQUAL",
            DOUBLESLASH => "DOUBLESLASH",
            DOUBLESLASHEQUAL => "DOUBLESLASHEQUAL",
            AT => "AT",
            ATEQUAL => "ATEQUAL",
            RARROW => "RARROW",
            ELLIPSIS => "ELLIPSIS",
            COLONEQUAL => "COLONEQUAL",
            EXCLAMATION => "EXCLAMATION",
            OP => "OP",
            TYPE_IGNORE => "TYPE_IGNORE",
            TYPE_COMMENT => "TYPE_COMMENT",
            FSTRING_START => "FSTRING_START",
            FSTRING_MIDDLE => "FSTRING_MIDDLE",
            FSTRING_END => "FSTRING_END",
            TSTRING_START => "TSTRING_START",
            TSTRING_MIDDLE => "TSTRING_MIDDLE",
            TSTRING_END => "TSTRING_END",
            ASYNC => "ASYNC",
            AWAIT => "AWAIT",
            COMMENT => "COMMENT",
            NL => "NL",
        }
    }

    /// Tokens whose line is where they start rather than where the lexer stands when they end
    /// (CPython's `ISSTRINGLIT`): strings and f/t-string middles, which may span lines.
    pub fn is_string_piece(self) -> bool {
        matches!(self, TokKind::STRING | TokKind::FSTRING_MIDDLE | TokKind::TSTRING_MIDDLE)
    }
}

/// One-character operators. `!` is an operator of its own from 3.12 (`bang`).
pub(crate) const fn one_char(c: u8, bang: bool) -> TokKind {
    use TokKind::*;
    match c {
        b'(' => LPAR,
        b')' => RPAR,
        b'[' => LSQB,
        b']' => RSQB,
        b':' => COLON,
        b',' => COMMA,
        b';' => SEMI,
        b'+' => PLUS,
        b'-' => MINUS,
        b'*' => STAR,
        b'/' => SLASH,
        b'|' => VBAR,
        b'&' => AMPER,
        b'<' => LESS,
        b'>' => GREATER,
        b'=' => EQUAL,
        b'.' => DOT,
        b'%' => PERCENT,
        b'{' => LBRACE,
        b'}' => RBRACE,
        b'~' => TILDE,
        b'^' => CIRCUMFLEX,
        b'@' => AT,
        b'!' if bang => EXCLAMATION,
        _ => OP,
    }
}

/// Two-character operators (`<>` is one too: the parser decides whether it is allowed).
pub(crate) fn two_chars(c1: u8, c2: u8) -> Option<TokKind> {
    use TokKind::*;
    Some(match (c1, c2) {
        (b'!', b'=') => NOTEQUAL,
        (b'%', b'=') => PERCENTEQUAL,
        (b'&', b'=') => AMPEREQUAL,
        (b'*', b'*') => DOUBLESTAR,
        (b'*', b'=') => STAREQUAL,
        (b'+', b'=') => PLUSEQUAL,
        (b'-', b'=') => MINEQUAL,
        (b'-', b'>') => RARROW,
        (b'/', b'/') => DOUBLESLASH,
        (b'/', b'=') => SLASHEQUAL,
        (b':', b'=') => COLONEQUAL,
        (b'<', b'<') => LEFTSHIFT,
        (b'<', b'=') => LESSEQUAL,
        (b'<', b'>') => NOTEQUAL,
        (b'=', b'=') => EQEQUAL,
        (b'>', b'=') => GREATEREQUAL,
        (b'>', b'>') => RIGHTSHIFT,
        (b'@', b'=') => ATEQUAL,
        (b'^', b'=') => CIRCUMFLEXEQUAL,
        (b'|', b'=') => VBAREQUAL,
        _ => return None,
    })
}

/// Three-character operators.
pub(crate) fn three_chars(c1: u8, c2: u8, c3: u8) -> Option<TokKind> {
    use TokKind::*;
    Some(match (c1, c2, c3) {
        (b'*', b'*', b'=') => DOUBLESTAREQUAL,
        (b'.', b'.', b'.') => ELLIPSIS,
        (b'/', b'/', b'=') => DOUBLESLASHEQUAL,
        (b'<', b'<', b'=') => LEFTSHIFTEQUAL,
        (b'>', b'>', b'=') => RIGHTSHIFTEQUAL,
        _ => return None,
    })
}
