//! The text of an annotation under `from __future__ import annotations`: CPython's
//! `Python/ast_unparse.c` (`_PyAST_ExprAsUnicode`), which `compiler_visit_annexpr` stores as a
//! string constant.
//!
//! This is *not* `ast.unparse` (`Lib/ast.py`), whose output differs (quote choice, parentheses,
//! f-strings). The C unparser works by precedence levels: every node is written at the level
//! its context asks for and parenthesised when its own priority is lower. Constants are written
//! with `repr()` (floats and complex numbers with `inf` replaced by `1e309`), f-strings by
//! building the body and writing `f` + `repr(body)`.
//!
//! Text is accumulated as "surrogatepass" UTF-8 because the literal parts of an f-string may
//! hold lone surrogates before the body goes through `repr()`.

use std::fmt::Write as _;

use pycode_ast::{Arg, Arguments, BoolOp, CmpOp, Comprehension, Constant, Expr, ExprKind, Keyword, Operator, UnaryOp};
use pycode_dis::repr::{write_bytes_repr, write_complex_repr, write_float_repr, write_str_repr};
use pycode_dis::UnicodeVersion;
use pycode_instr::PyStr;
use pycode_release::Release;
use pycode_symtable::{CompileError, ErrorKind};

// Priority levels (the anonymous enum of ast_unparse.c).
const PR_TUPLE: u8 = 0;
const PR_TEST: u8 = 1; // 'if'-'else', 'lambda'
const PR_OR: u8 = 2;
const PR_AND: u8 = 3;
const PR_NOT: u8 = 4;
const PR_CMP: u8 = 5;
const PR_EXPR: u8 = 6;
const PR_BOR: u8 = PR_EXPR;
const PR_BXOR: u8 = 7;
const PR_BAND: u8 = 8;
const PR_SHIFT: u8 = 9;
const PR_ARITH: u8 = 10;
const PR_TERM: u8 = 11;
const PR_FACTOR: u8 = 12;
const PR_POWER: u8 = 13;
const PR_AWAIT: u8 = 14;
const PR_ATOM: u8 = 15;

/// Nesting limit (CPython relies on the parser's own limit; this keeps the Rust stack bounded).
const MAX_DEPTH: u32 = 1000;

/// CPython's default `sys.get_int_max_str_digits()`.
const INT_MAX_STR_DIGITS: usize = 4300;

type R = Result<(), CompileError>;

/// `_PyAST_ExprAsUnicode`: the annotation text `compiler_visit_annexpr` loads as a constant.
pub fn expr_as_unicode(e: &Expr, release: Release) -> Result<PyStr, CompileError> {
    let mut u = Unparser { uv: pycode_dis::unicode_version(release), depth: 0 };
    let mut out = Vec::with_capacity(64);
    u.expr(&mut out, e, PR_TEST)?;
    PyStr::from_surrogatepass(&out, false).map_err(|_| sys_err("annotation text is not a valid str"))
}

fn sys_err(msg: &str) -> CompileError {
    CompileError::new(ErrorKind::SystemError, msg)
}

struct Unparser {
    uv: UnicodeVersion,
    depth: u32,
}

type W = Vec<u8>;

fn s(w: &mut W, text: &str) {
    w.extend_from_slice(text.as_bytes());
}

fn s_if(w: &mut W, cond: bool, text: &str) {
    if cond {
        s(w, text);
    }
}

impl Unparser {
    /// `append_ast_expr`.
    fn expr(&mut self, w: &mut W, e: &Expr, level: u8) -> R {
        if self.depth >= MAX_DEPTH {
            return Err(CompileError::new(ErrorKind::RecursionError, "maximum recursion depth exceeded during compilation"));
        }
        self.depth += 1;
        let r = self.expr_inner(w, e, level);
        self.depth -= 1;
        r
    }

    fn expr_inner(&mut self, w: &mut W, e: &Expr, level: u8) -> R {
        match &e.kind {
            ExprKind::BoolOp { op, values } => {
                let (text, pr) = match op {
                    BoolOp::And => (" and ", PR_AND),
                    BoolOp::Or => (" or ", PR_OR),
                };
                s_if(w, level > pr, "(");
                for (i, v) in values.iter().enumerate() {
                    s_if(w, i > 0, text);
                    self.expr(w, v, pr + 1)?;
                }
                s_if(w, level > pr, ")");
            }
            ExprKind::BinOp { left, op, right } => {
                let (text, pr) = binop(*op);
                let rassoc = matches!(op, Operator::Pow) as u8;
                s_if(w, level > pr, "(");
                self.expr(w, left, pr + rassoc)?;
                s(w, text);
                self.expr(w, right, pr + 1 - rassoc)?;
                s_if(w, level > pr, ")");
            }
            ExprKind::UnaryOp { op, operand } => {
                let (text, pr) = match op {
                    UnaryOp::Invert => ("~", PR_FACTOR),
                    UnaryOp::Not => ("not ", PR_NOT),
                    UnaryOp::UAdd => ("+", PR_FACTOR),
                    UnaryOp::USub => ("-", PR_FACTOR),
                };
                s_if(w, level > pr, "(");
                s(w, text);
                self.expr(w, operand, pr)?;
                s_if(w, level > pr, ")");
            }
            ExprKind::Lambda { args, body } => {
                s_if(w, level > PR_TEST, "(");
                let n_positional = args.args.len() + args.posonlyargs.len();
                s(w, if n_positional > 0 { "lambda " } else { "lambda" });
                self.args(w, args)?;
                s(w, ": ");
                self.expr(w, body, PR_TEST)?;
                s_if(w, level > PR_TEST, ")");
            }
            ExprKind::IfExp { test, body, orelse } => {
                s_if(w, level > PR_TEST, "(");
                self.expr(w, body, PR_TEST + 1)?;
                s(w, " if ");
                self.expr(w, test, PR_TEST + 1)?;
                s(w, " else ");
                self.expr(w, orelse, PR_TEST)?;
                s_if(w, level > PR_TEST, ")");
            }
            ExprKind::Dict { keys, values } => {
                s(w, "{");
                for (i, v) in values.iter().enumerate() {
                    s_if(w, i > 0, ", ");
                    match keys.get(i) {
                        Some(Some(k)) => {
                            self.expr(w, k, PR_TEST)?;
                            s(w, ": ");
                            self.expr(w, v, PR_TEST)?;
                        }
                        _ => {
                            s(w, "**");
                            self.expr(w, v, PR_EXPR)?;
                        }
                    }
                }
                s(w, "}");
            }
            ExprKind::Set { elts } => self.seq(w, "{", elts, "}")?,
            ExprKind::List { elts, .. } => self.seq(w, "[", elts, "]")?,
            ExprKind::GeneratorExp { elt, generators } => self.comp(w, "(", elt, None, generators, ")")?,
            ExprKind::ListComp { elt, generators } => self.comp(w, "[", elt, None, generators, "]")?,
            ExprKind::SetComp { elt, generators } => self.comp(w, "{", elt, None, generators, "}")?,
            ExprKind::DictComp { key, value: Some(value), generators } => self.comp(w, "{", key, Some(value), generators, "}")?,
            // 3.15 (PEP 798): `{**d for d in ds}`
            ExprKind::DictComp { key, value: None, generators } => {
                s(w, "{**");
                self.expr(w, key, PR_EXPR)?;
                self.comp_clauses(w, generators)?;
                s(w, "}");
            }
            ExprKind::Yield { value } => match value {
                None => s(w, "(yield)"),
                Some(v) => {
                    s(w, "(yield ");
                    self.expr(w, v, PR_TEST)?;
                    s(w, ")");
                }
            },
            ExprKind::YieldFrom { value } => {
                s(w, "(yield from ");
                self.expr(w, value, PR_TEST)?;
                s(w, ")");
            }
            ExprKind::Await { value } => {
                s_if(w, level > PR_AWAIT, "(");
                s(w, "await ");
                self.expr(w, value, PR_ATOM)?;
                s_if(w, level > PR_AWAIT, ")");
            }
            ExprKind::Compare { left, ops, comparators } => {
                s_if(w, level > PR_CMP, "(");
                self.expr(w, left, PR_CMP + 1)?;
                for (op, c) in ops.iter().zip(comparators) {
                    s(w, cmpop(*op));
                    self.expr(w, c, PR_CMP + 1)?;
                }
                s_if(w, level > PR_CMP, ")");
            }
            ExprKind::Call { func, args, keywords } => self.call(w, func, args, keywords)?,
            ExprKind::Constant { value: Constant::Ellipsis, .. } => s(w, "..."),
            ExprKind::Constant { value, kind_u } => {
                // The `kind` of a `u"..."` literal is written before the repr.
                s_if(w, *kind_u, "u");
                self.constant(w, value)?
            }
            ExprKind::JoinedStr { values } => self.joinedstr(w, values, false)?,
            ExprKind::FormattedValue { value, conversion, format_spec } => {
                self.formattedvalue(w, value, *conversion, format_spec.as_deref())?
            }
            ExprKind::Attribute { value, attr, .. } => {
                self.expr(w, value, PR_ATOM)?;
                // Integers need a space for the attribute access to be unambiguous.
                let int = matches!(&value.kind, ExprKind::Constant { value: Constant::Int(_) | Constant::BigInt(_), .. });
                s(w, if int { " ." } else { "." });
                s(w, attr);
            }
            ExprKind::Subscript { value, slice, .. } => {
                self.expr(w, value, PR_ATOM)?;
                s(w, "[");
                self.expr(w, slice, PR_TUPLE)?;
                s(w, "]");
            }
            ExprKind::Starred { value, .. } => {
                s(w, "*");
                self.expr(w, value, PR_EXPR)?;
            }
            ExprKind::Slice { lower, upper, step } => {
                if let Some(l) = lower {
                    self.expr(w, l, PR_TEST)?;
                }
                s(w, ":");
                if let Some(u) = upper {
                    self.expr(w, u, PR_TEST)?;
                }
                if let Some(st) = step {
                    s(w, ":");
                    self.expr(w, st, PR_TEST)?;
                }
            }
            ExprKind::Name { id, .. } => s(w, id),
            ExprKind::Tuple { elts, .. } => {
                if elts.is_empty() {
                    s(w, "()");
                    return Ok(());
                }
                s_if(w, level > PR_TUPLE, "(");
                for (i, el) in elts.iter().enumerate() {
                    s_if(w, i > 0, ", ");
                    self.expr(w, el, PR_TEST)?;
                }
                s_if(w, elts.len() == 1, ",");
                s_if(w, level > PR_TUPLE, ")");
            }
            ExprKind::NamedExpr { target, value } => {
                s_if(w, level > PR_TUPLE, "(");
                self.expr(w, target, PR_ATOM)?;
                s(w, " := ");
                self.expr(w, value, PR_ATOM)?;
                s_if(w, level > PR_TUPLE, ")");
            }
            ExprKind::Interpolation { .. } | ExprKind::TemplateStr { .. } => {
                return Err(sys_err("unknown expression kind"));
            }
        }
        Ok(())
    }

    /// `append_ast_list` / `append_ast_set`.
    fn seq(&mut self, w: &mut W, open: &str, elts: &[Expr], close: &str) -> R {
        s(w, open);
        for (i, el) in elts.iter().enumerate() {
            s_if(w, i > 0, ", ");
            self.expr(w, el, PR_TEST)?;
        }
        s(w, close);
        Ok(())
    }

    /// `append_ast_genexp` / `_listcomp` / `_setcomp` / `_dictcomp` with `append_ast_comprehensions`.
    fn comp(&mut self, w: &mut W, open: &str, elt: &Expr, value: Option<&Expr>, gens: &[Comprehension], close: &str) -> R {
        s(w, open);
        self.expr(w, elt, PR_TEST)?;
        if let Some(v) = value {
            s(w, ": ");
            self.expr(w, v, PR_TEST)?;
        }
        self.comp_clauses(w, gens)?;
        s(w, close);
        Ok(())
    }

    /// The `for`/`if` clauses of a comprehension.
    fn comp_clauses(&mut self, w: &mut W, gens: &[Comprehension]) -> R {
        for g in gens {
            s(w, if g.is_async { " async for " } else { " for " });
            self.expr(w, &g.target, PR_TUPLE)?;
            s(w, " in ");
            self.expr(w, &g.iter, PR_TEST + 1)?;
            for cond in &g.ifs {
                s(w, " if ");
                self.expr(w, cond, PR_TEST + 1)?;
            }
        }
        Ok(())
    }

    /// `append_ast_call`.
    fn call(&mut self, w: &mut W, func: &Expr, args: &[Expr], keywords: &[Keyword]) -> R {
        self.expr(w, func, PR_ATOM)?;
        if let ([only], []) = (args, keywords) {
            if let ExprKind::GeneratorExp { elt, generators } = &only.kind {
                // A single generator expression argument keeps only its own parentheses.
                return self.comp(w, "(", elt, None, generators, ")");
            }
        }
        s(w, "(");
        let mut first = true;
        for a in args {
            s_if(w, !first, ", ");
            first = false;
            self.expr(w, a, PR_TEST)?;
        }
        for k in keywords {
            s_if(w, !first, ", ");
            first = false;
            match &k.arg {
                None => s(w, "**"),
                Some(name) => {
                    s(w, name);
                    s(w, "=");
                }
            }
            self.expr(w, &k.value, PR_TEST)?;
        }
        s(w, ")");
        Ok(())
    }

    /// `append_ast_arg`.
    fn arg(&mut self, w: &mut W, a: &Arg) -> R {
        s(w, &a.arg);
        if let Some(ann) = &a.annotation {
            s(w, ": ");
            self.expr(w, ann, PR_TEST)?;
        }
        Ok(())
    }

    /// `append_ast_args`.
    fn args(&mut self, w: &mut W, args: &Arguments) -> R {
        let mut first = true;
        let n_posonly = args.posonlyargs.len();
        let n_pos = n_posonly + args.args.len();
        let n_defaults = args.defaults.len();
        for (i, a) in args.posonlyargs.iter().chain(&args.args).enumerate() {
            s_if(w, !first, ", ");
            first = false;
            self.arg(w, a)?;
            // The defaults belong to the last `n_defaults` positional parameters.
            if let Some(di) = (i + n_defaults).checked_sub(n_pos) {
                if let Some(d) = args.defaults.get(di) {
                    s(w, "=");
                    self.expr(w, d, PR_TEST)?;
                }
            }
            s_if(w, n_posonly > 0 && i + 1 == n_posonly, ", /");
        }
        if args.vararg.is_some() || !args.kwonlyargs.is_empty() {
            s_if(w, !first, ", ");
            first = false;
            s(w, "*");
            if let Some(v) = &args.vararg {
                self.arg(w, v)?;
            }
        }
        let n_kw = args.kwonlyargs.len();
        let n_kw_defaults = args.kw_defaults.len();
        for (i, a) in args.kwonlyargs.iter().enumerate() {
            s_if(w, !first, ", ");
            first = false;
            self.arg(w, a)?;
            if let Some(di) = (i + n_kw_defaults).checked_sub(n_kw) {
                if let Some(Some(d)) = args.kw_defaults.get(di) {
                    s(w, "=");
                    self.expr(w, d, PR_TEST)?;
                }
            }
        }
        if let Some(k) = &args.kwarg {
            s_if(w, !first, ", ");
            s(w, "**");
            self.arg(w, k)?;
        }
        Ok(())
    }

    /// `append_ast_constant` (Ellipsis is handled by the caller, as in `append_ast_expr`).
    fn constant(&mut self, w: &mut W, c: &Constant) -> R {
        if let Constant::Tuple(items) = c {
            // Only the optimizer makes tuple constants; items are written with plain repr().
            s(w, "(");
            for (i, item) in items.iter().enumerate() {
                s_if(w, i > 0, ", ");
                self.repr(w, item)?;
            }
            s_if(w, items.len() == 1, ",");
            s(w, ")");
            return Ok(());
        }
        self.repr(w, c)
    }

    /// `append_repr`: `repr(obj)`, with `inf` replaced by `1e309` for floats and complex numbers.
    fn repr(&mut self, w: &mut W, c: &Constant) -> R {
        let mut t = String::new();
        match c {
            Constant::None => t.push_str("None"),
            Constant::True => t.push_str("True"),
            Constant::False => t.push_str("False"),
            Constant::Ellipsis => t.push_str("Ellipsis"),
            Constant::Int(i) => {
                let _ = write!(t, "{i}");
            }
            Constant::BigInt(b) => {
                let _ = write!(t, "{b}");
                let digits = t.trim_start_matches('-').len();
                if digits > INT_MAX_STR_DIGITS {
                    return Err(CompileError::new(
                        ErrorKind::SystemError,
                        format!(
                            "ValueError: Exceeds the limit ({INT_MAX_STR_DIGITS} digits) for integer string conversion; \
                             use sys.set_int_max_str_digits() to increase the limit"
                        ),
                    ));
                }
            }
            Constant::Float(f) => {
                write_float_repr(&mut t, *f, true, false);
                t = t.replace("inf", "1e309");
            }
            Constant::Complex { real, imag } => {
                write_complex_repr(&mut t, *real, *imag);
                t = t.replace("inf", "1e309");
            }
            Constant::Str(st) => write_str_repr(&mut t, st, self.uv),
            Constant::Bytes(b) => write_bytes_repr(&mut t, b),
            Constant::Tuple(_) | Constant::FrozenSet(_) => {
                // Never produced for annotations (they are not constant-folded); CPython would
                // print the container's repr.
                return Err(sys_err("unexpected folded constant in annotation"));
            }
        }
        s(w, &t);
        Ok(())
    }

    /// `append_joinedstr`: `f` + repr(body), or the bare body inside a format spec.
    fn joinedstr(&mut self, w: &mut W, values: &[Expr], is_format_spec: bool) -> R {
        let mut body = Vec::with_capacity(32);
        for v in values {
            self.fstring_element(&mut body, v, is_format_spec)?;
        }
        if is_format_spec {
            w.extend_from_slice(&body);
            return Ok(());
        }
        let body = PyStr::from_surrogatepass(&body, false).map_err(|_| sys_err("invalid f-string body"))?;
        let mut t = String::with_capacity(body.as_bytes().len() + 3);
        t.push('f');
        write_str_repr(&mut t, &body, self.uv);
        s(w, &t);
        Ok(())
    }

    /// `append_fstring_element`.
    fn fstring_element(&mut self, w: &mut W, e: &Expr, is_format_spec: bool) -> R {
        match &e.kind {
            ExprKind::Constant { value: Constant::Str(st), .. } => {
                // `escape_braces`: literal braces are doubled.
                for &b in st.as_bytes() {
                    match b {
                        b'{' => s(w, "{{"),
                        b'}' => s(w, "}}"),
                        _ => w.push(b),
                    }
                }
                Ok(())
            }
            ExprKind::JoinedStr { values } => self.joinedstr(w, values, is_format_spec),
            ExprKind::FormattedValue { value, conversion, format_spec } => {
                self.formattedvalue(w, value, *conversion, format_spec.as_deref())
            }
            _ => Err(sys_err("unknown expression kind inside f-string")),
        }
    }

    /// `append_formattedvalue`.
    fn formattedvalue(&mut self, w: &mut W, value: &Expr, conversion: i32, format_spec: Option<&Expr>) -> R {
        // Written at a level above PR_TEST so that a lambda (with its ':') gets parentheses.
        let mut inner = Vec::with_capacity(16);
        self.expr(&mut inner, value, PR_TEST + 1)?;
        // An expression starting with a brace is separated from the outer one by a space.
        s(w, if inner.first() == Some(&b'{') { "{ " } else { "{" });
        w.extend_from_slice(&inner);
        if conversion > 0 {
            match char::from_u32(conversion as u32) {
                Some('a') => s(w, "!a"),
                Some('r') => s(w, "!r"),
                Some('s') => s(w, "!s"),
                _ => return Err(sys_err("unknown f-value conversion kind")),
            }
        }
        if let Some(spec) = format_spec {
            s(w, ":");
            self.fstring_element(w, spec, true)?;
        }
        s(w, "}");
        Ok(())
    }
}

fn binop(op: Operator) -> (&'static str, u8) {
    match op {
        Operator::Add => (" + ", PR_ARITH),
        Operator::Sub => (" - ", PR_ARITH),
        Operator::Mult => (" * ", PR_TERM),
        Operator::MatMult => (" @ ", PR_TERM),
        Operator::Div => (" / ", PR_TERM),
        Operator::Mod => (" % ", PR_TERM),
        Operator::LShift => (" << ", PR_SHIFT),
        Operator::RShift => (" >> ", PR_SHIFT),
        Operator::BitOr => (" | ", PR_BOR),
        Operator::BitXor => (" ^ ", PR_BXOR),
        Operator::BitAnd => (" & ", PR_BAND),
        Operator::FloorDiv => (" // ", PR_TERM),
        Operator::Pow => (" ** ", PR_POWER),
    }
}

fn cmpop(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => " == ",
        CmpOp::NotEq => " != ",
        CmpOp::Lt => " < ",
        CmpOp::LtE => " <= ",
        CmpOp::Gt => " > ",
        CmpOp::GtE => " >= ",
        CmpOp::Is => " is ",
        CmpOp::IsNot => " is not ",
        CmpOp::In => " in ",
        CmpOp::NotIn => " not in ",
    }
}
