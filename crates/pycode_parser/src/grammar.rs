//! Version gates as data: what each release's grammar accepts, checked where the rule is.

use pycode_ast::PyMinor;

/// The grammar of one release.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grammar {
    pub minor: PyMinor,
    /// Tokenizer minor version (11..=15).
    pub lexer_minor: u8,
    /// PEP 701 f-strings (FSTRING_START/MIDDLE/END tokens): 3.12+. Before, an f-string is one
    /// STRING token parsed by `Parser/string_parser.c`.
    pub pep701: bool,
    /// `type X = ...` and `def f[T]()`: 3.12+.
    pub type_params: bool,
    /// Type parameter defaults (`[T = int]`): 3.13+.
    pub type_param_defaults: bool,
    /// `except A, B:` without parentheses: 3.14+.
    pub except_unparenthesized: bool,
    /// t-strings: 3.14+.
    pub tstrings: bool,
    /// `lazy import`: 3.15+; `import_stmt` is tried before `star_expressions`.
    pub lazy_imports: bool,
    /// Unpacking in comprehensions (`[*x for x in y]`, `{**d for d in e}`): 3.15+.
    pub comprehension_unpacking: bool,
}

impl Grammar {
    pub fn new(minor: PyMinor) -> Grammar {
        let v = match minor {
            PyMinor::Py311 => 11,
            PyMinor::Py312 => 12,
            PyMinor::Py313 => 13,
            PyMinor::Py314 => 14,
            PyMinor::Py315 => 15,
        };
        Grammar {
            minor,
            lexer_minor: v,
            pep701: v >= 12,
            type_params: v >= 12,
            type_param_defaults: v >= 13,
            except_unparenthesized: v >= 14,
            tstrings: v >= 14,
            lazy_imports: v >= 15,
            comprehension_unpacking: v >= 15,
        }
    }
}

/// Error messages whose text differs between releases (one table, `Grammar::msg`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    NonDefaultFollowsDefault,
    SlashFirst,
    BareStar,
    VarPositionalDefault,
    StarOnce,
    VarKeywordDefault,
    FollowVarKeyword,
    ExceptParens,
    ConversionAfterBang,
}

impl Grammar {
    /// The text of `m` in this release.
    pub fn msg(&self, m: Msg) -> &'static str {
        let v = self.lexer_minor;
        match m {
            Msg::NonDefaultFollowsDefault if v == 11 => "non-default argument follows default argument",
            Msg::NonDefaultFollowsDefault => "parameter without a default follows parameter with a default",
            Msg::SlashFirst if v >= 15 => "at least one parameter must precede /",
            Msg::SlashFirst => "at least one argument must precede /",
            Msg::BareStar if v >= 15 => "named parameters must follow bare *",
            Msg::BareStar => "named arguments must follow bare *",
            Msg::VarPositionalDefault if v >= 15 => "var-positional parameter cannot have default value",
            Msg::VarPositionalDefault => "var-positional argument cannot have default value",
            Msg::StarOnce if v >= 15 => "* may appear only once",
            Msg::StarOnce => "* argument may appear only once",
            Msg::VarKeywordDefault if v >= 15 => "var-keyword parameter cannot have default value",
            Msg::VarKeywordDefault => "var-keyword argument cannot have default value",
            Msg::FollowVarKeyword if v >= 15 => "parameters cannot follow var-keyword parameter",
            Msg::FollowVarKeyword => "arguments cannot follow var-keyword argument",
            Msg::ExceptParens if v >= 14 => "multiple exception types must be parenthesized when using 'as'",
            Msg::ExceptParens => "multiple exception types must be parenthesized",
            Msg::ConversionAfterBang if v >= 14 => "conversion type must come right after the exclamation mark",
            Msg::ConversionAfterBang => "conversion type must come right after the exclamanation mark",
        }
    }
}
