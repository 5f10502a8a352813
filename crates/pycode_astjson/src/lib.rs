//! Test support: CPython ASTs dumped as JSON (by `tools/codegen/ast_to_json.py`) → `pycode_ast`.
//!
//! Lets the compiler crates be tested on exactly the tree CPython builds, independently of the
//! parser. Errors are strings; nothing panics; nesting is limited.

use std::collections::HashMap;

use num_bigint::BigInt;
use pycode_ast::*;

/// A parsed JSON value.
#[derive(Clone, Debug)]
pub enum Json {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<Json>),
    Obj(HashMap<String, Json>),
}

type R<T> = Result<T, String>;

struct P<'a> {
    s: &'a [u8],
    i: usize,
    depth: u32,
}

impl P<'_> {
    fn ws(&mut self) {
        while let Some(c) = self.s.get(self.i) {
            if c.is_ascii_whitespace() {
                self.i += 1;
            } else {
                break;
            }
        }
    }
    fn value(&mut self) -> R<Json> {
        self.depth += 1;
        if self.depth > 10000 {
            return Err("too deep".into());
        }
        self.ws();
        let c = *self.s.get(self.i).ok_or("eof")?;
        let v = match c {
            b'n' => {
                self.i += 4;
                Json::Null
            }
            b't' => {
                self.i += 4;
                Json::Bool(true)
            }
            b'f' => {
                self.i += 5;
                Json::Bool(false)
            }
            b'"' => Json::Str(self.string()?),
            b'[' => {
                self.i += 1;
                let mut v = Vec::new();
                loop {
                    self.ws();
                    if self.s.get(self.i) == Some(&b']') {
                        self.i += 1;
                        break;
                    }
                    v.push(self.value()?);
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            break;
                        }
                        _ => return Err("bad array".into()),
                    }
                }
                Json::Arr(v)
            }
            b'{' => {
                self.i += 1;
                let mut m = HashMap::new();
                loop {
                    self.ws();
                    if self.s.get(self.i) == Some(&b'}') {
                        self.i += 1;
                        break;
                    }
                    let k = self.string()?;
                    self.ws();
                    if self.s.get(self.i) != Some(&b':') {
                        return Err("expected :".into());
                    }
                    self.i += 1;
                    let v = self.value()?;
                    m.insert(k, v);
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            break;
                        }
                        _ => return Err("bad object".into()),
                    }
                }
                Json::Obj(m)
            }
            _ => {
                let st = self.i;
                while let Some(c) = self.s.get(self.i) {
                    if c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E') {
                        self.i += 1;
                    } else {
                        break;
                    }
                }
                if st == self.i {
                    return Err(format!("unexpected {}", c as char));
                }
                Json::Num(String::from_utf8_lossy(&self.s[st..self.i]).into_owned())
            }
        };
        self.depth -= 1;
        Ok(v)
    }
    fn string(&mut self) -> R<String> {
        if self.s.get(self.i) != Some(&b'"') {
            return Err("expected string".into());
        }
        self.i += 1;
        let mut out: Vec<u16> = Vec::new();
        let mut bytes: Vec<u8> = Vec::new();
        loop {
            let c = *self.s.get(self.i).ok_or("eof in string")?;
            self.i += 1;
            match c {
                b'"' => break,
                b'\\' => {
                    let e = *self.s.get(self.i).ok_or("eof")?;
                    self.i += 1;
                    let ch = match e {
                        b'n' => '\n',
                        b't' => '\t',
                        b'r' => '\r',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'/' => '/',
                        b'\\' => '\\',
                        b'"' => '"',
                        b'u' => {
                            let h = self.s.get(self.i..self.i + 4).ok_or("eof")?;
                            self.i += 4;
                            let v =
                                u16::from_str_radix(std::str::from_utf8(h).map_err(|e| e.to_string())?, 16).map_err(|e| e.to_string())?;
                            out.clear();
                            out.push(v);
                            let s = String::from_utf16_lossy(&out);
                            bytes.extend_from_slice(s.as_bytes());
                            continue;
                        }
                        _ => return Err("bad escape".into()),
                    };
                    let mut b = [0; 4];
                    bytes.extend_from_slice(ch.encode_utf8(&mut b).as_bytes());
                }
                _ => bytes.push(c),
            }
        }
        String::from_utf8(bytes).map_err(|e| e.to_string())
    }
}

/// Parses one JSON document.
pub fn parse_json(s: &str) -> R<Json> {
    let mut p = P { s: s.as_bytes(), i: 0, depth: 0 };
    p.value()
}

impl Json {
    fn get(&self, k: &str) -> &Json {
        static NULL: Json = Json::Null;
        match self {
            Json::Obj(m) => m.get(k).unwrap_or(&NULL),
            _ => &NULL,
        }
    }
    fn kind(&self) -> &str {
        match self.get("_") {
            Json::Str(s) => s,
            _ => "",
        }
    }
    fn arr(&self) -> &[Json] {
        match self {
            Json::Arr(v) => v,
            _ => &[],
        }
    }
    fn str(&self) -> R<Box<str>> {
        match self {
            Json::Str(s) => Ok(s.as_str().into()),
            _ => Err(format!("expected string, got {self:?}")),
        }
    }
    fn ident(&self) -> R<pycode_ast::Identifier> {
        match self {
            Json::Str(s) => Ok(s.as_str().into()),
            _ => Err(format!("expected string, got {self:?}")),
        }
    }
    fn opt_ident(&self) -> R<Option<pycode_ast::Identifier>> {
        match self {
            Json::Null => Ok(None),
            _ => self.ident().map(Some),
        }
    }
    fn int(&self) -> i64 {
        match self {
            Json::Num(n) => n.parse().unwrap_or(0),
            Json::Bool(b) => i64::from(*b),
            _ => 0,
        }
    }
    fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }
}

fn pos(j: &Json) -> Pos {
    let a = j.get("pos").arr();
    let g = |i: usize| a.get(i).map(|x| x.int()).unwrap_or(0) as u32;
    Pos { lineno: g(0), col_offset: g(1), end_lineno: g(2), end_col_offset: g(3) }
}

/// Converts `{"_": "Module", ...}` (the `ast` field of a line of `ast_to_json.py`).
pub fn to_mod(j: &Json) -> R<Mod> {
    match j.kind() {
        "Module" => Ok(Mod::Module { body: stmts(j.get("body"))?, type_ignores: vec![] }),
        "Interactive" => Ok(Mod::Interactive { body: stmts(j.get("body"))? }),
        "Expression" => Ok(Mod::Expression { body: Box::new(expr(j.get("body"))?) }),
        k => Err(format!("unknown mod {k}")),
    }
}

/// Loads the module of one JSON line.
pub fn load_line(line: &str) -> R<(String, Mod)> {
    let j = parse_json(line)?;
    let file = j.get("file").str()?.to_string();
    if !j.get("error").is_null() {
        return Err(format!("{file}: {:?}", j.get("error")));
    }
    Ok((file, to_mod(j.get("ast"))?))
}

fn stmts(j: &Json) -> R<Vec<Stmt>> {
    j.arr().iter().map(stmt).collect()
}
fn exprs(j: &Json) -> R<Vec<Expr>> {
    j.arr().iter().map(expr).collect()
}
fn oexpr(j: &Json) -> R<Option<Box<Expr>>> {
    if j.is_null() {
        Ok(None)
    } else {
        Ok(Some(Box::new(expr(j)?)))
    }
}
fn bexpr(j: &Json) -> R<Box<Expr>> {
    Ok(Box::new(expr(j)?))
}

fn ctx(j: &Json) -> ExprContext {
    match j {
        Json::Str(s) if s == "Store" => ExprContext::Store,
        Json::Str(s) if s == "Del" => ExprContext::Del,
        _ => ExprContext::Load,
    }
}

fn operator(j: &Json) -> R<Operator> {
    Ok(match &*j.str()? {
        "Add" => Operator::Add,
        "Sub" => Operator::Sub,
        "Mult" => Operator::Mult,
        "MatMult" => Operator::MatMult,
        "Div" => Operator::Div,
        "Mod" => Operator::Mod,
        "Pow" => Operator::Pow,
        "LShift" => Operator::LShift,
        "RShift" => Operator::RShift,
        "BitOr" => Operator::BitOr,
        "BitXor" => Operator::BitXor,
        "BitAnd" => Operator::BitAnd,
        "FloorDiv" => Operator::FloorDiv,
        o => return Err(format!("op {o}")),
    })
}

fn cmpop(j: &Json) -> R<CmpOp> {
    Ok(match &*j.str()? {
        "Eq" => CmpOp::Eq,
        "NotEq" => CmpOp::NotEq,
        "Lt" => CmpOp::Lt,
        "LtE" => CmpOp::LtE,
        "Gt" => CmpOp::Gt,
        "GtE" => CmpOp::GtE,
        "Is" => CmpOp::Is,
        "IsNot" => CmpOp::IsNot,
        "In" => CmpOp::In,
        "NotIn" => CmpOp::NotIn,
        o => return Err(format!("cmpop {o}")),
    })
}

fn arg(j: &Json) -> R<Arg> {
    Ok(Arg { pos: pos(j), arg: j.get("arg").ident()?, annotation: oexpr(j.get("annotation"))?, type_comment: None })
}

fn arguments(j: &Json) -> R<Arguments> {
    let oarg = |x: &Json| -> R<Option<Box<Arg>>> {
        if x.is_null() {
            Ok(None)
        } else {
            Ok(Some(Box::new(arg(x)?)))
        }
    };
    Ok(Arguments {
        posonlyargs: j.get("posonlyargs").arr().iter().map(arg).collect::<R<_>>()?,
        args: j.get("args").arr().iter().map(arg).collect::<R<_>>()?,
        vararg: oarg(j.get("vararg"))?,
        kwonlyargs: j.get("kwonlyargs").arr().iter().map(arg).collect::<R<_>>()?,
        kw_defaults: j.get("kw_defaults").arr().iter().map(|x| oexpr(x).map(|o| o.map(|b| *b))).collect::<R<_>>()?,
        kwarg: oarg(j.get("kwarg"))?,
        defaults: exprs(j.get("defaults"))?,
    })
}

fn keyword(j: &Json) -> R<Keyword> {
    Ok(Keyword { pos: pos(j), arg: j.get("arg").opt_ident()?, value: expr(j.get("value"))? })
}

fn type_params(j: &Json) -> R<Vec<TypeParam>> {
    j.arr()
        .iter()
        .map(|t| {
            let name = t.get("name").ident()?;
            let kind = match t.kind() {
                "TypeVar" => TypeParamKind::TypeVar { name, bound: oexpr(t.get("bound"))?, default_value: None },
                "ParamSpec" => TypeParamKind::ParamSpec { name, default_value: None },
                _ => TypeParamKind::TypeVarTuple { name, default_value: None },
            };
            Ok(TypeParam { pos: pos(t), kind })
        })
        .collect()
}

fn funcdef(j: &Json) -> R<Box<FunctionDef>> {
    Ok(Box::new(FunctionDef {
        name: j.get("name").ident()?,
        args: Box::new(arguments(j.get("args"))?),
        body: stmts(j.get("body"))?,
        decorator_list: exprs(j.get("decorator_list"))?,
        returns: oexpr(j.get("returns"))?,
        type_comment: None,
        type_params: type_params(j.get("type_params"))?,
    }))
}

fn for_(j: &Json) -> R<Box<For>> {
    Ok(Box::new(For {
        target: expr(j.get("target"))?,
        iter: expr(j.get("iter"))?,
        body: stmts(j.get("body"))?,
        orelse: stmts(j.get("orelse"))?,
        type_comment: None,
    }))
}

fn try_(j: &Json) -> R<Box<Try>> {
    Ok(Box::new(Try {
        body: stmts(j.get("body"))?,
        handlers: j
            .get("handlers")
            .arr()
            .iter()
            .map(|h| {
                Ok(ExceptHandler {
                    pos: pos(h),
                    type_: oexpr(h.get("type"))?,
                    name: h.get("name").opt_ident()?,
                    body: stmts(h.get("body"))?,
                })
            })
            .collect::<R<_>>()?,
        orelse: stmts(j.get("orelse"))?,
        finalbody: stmts(j.get("finalbody"))?,
    }))
}

fn withitems(j: &Json) -> R<Vec<WithItem>> {
    j.arr()
        .iter()
        .map(|w| Ok(WithItem { context_expr: expr(w.get("context_expr"))?, optional_vars: oexpr(w.get("optional_vars"))? }))
        .collect()
}

fn aliases(j: &Json) -> R<Vec<Alias>> {
    j.arr().iter().map(|a| Ok(Alias { pos: pos(a), name: a.get("name").ident()?, asname: a.get("asname").opt_ident()? })).collect()
}

fn names(j: &Json) -> R<Vec<Identifier>> {
    j.arr().iter().map(|x| x.ident()).collect()
}

fn stmt(j: &Json) -> R<Stmt> {
    let kind = match j.kind() {
        "FunctionDef" => StmtKind::FunctionDef(funcdef(j)?),
        "AsyncFunctionDef" => StmtKind::AsyncFunctionDef(funcdef(j)?),
        "ClassDef" => StmtKind::ClassDef(Box::new(ClassDef {
            name: j.get("name").ident()?,
            bases: exprs(j.get("bases"))?,
            keywords: j.get("keywords").arr().iter().map(keyword).collect::<R<_>>()?,
            body: stmts(j.get("body"))?,
            decorator_list: exprs(j.get("decorator_list"))?,
            type_params: type_params(j.get("type_params"))?,
        })),
        "Return" => StmtKind::Return { value: oexpr(j.get("value"))? },
        "Delete" => StmtKind::Delete { targets: exprs(j.get("targets"))? },
        "Assign" => StmtKind::Assign { targets: exprs(j.get("targets"))?, value: bexpr(j.get("value"))?, type_comment: None },
        "TypeAlias" => StmtKind::TypeAlias {
            name: bexpr(j.get("name"))?,
            type_params: type_params(j.get("type_params"))?,
            value: bexpr(j.get("value"))?,
        },
        "AugAssign" => StmtKind::AugAssign { target: bexpr(j.get("target"))?, op: operator(j.get("op"))?, value: bexpr(j.get("value"))? },
        "AnnAssign" => StmtKind::AnnAssign {
            target: bexpr(j.get("target"))?,
            annotation: bexpr(j.get("annotation"))?,
            value: oexpr(j.get("value"))?,
            simple: j.get("simple").int() != 0,
        },
        "For" => StmtKind::For(for_(j)?),
        "AsyncFor" => StmtKind::AsyncFor(for_(j)?),
        "While" => StmtKind::While { test: bexpr(j.get("test"))?, body: stmts(j.get("body"))?, orelse: stmts(j.get("orelse"))? },
        "If" => StmtKind::If { test: bexpr(j.get("test"))?, body: stmts(j.get("body"))?, orelse: stmts(j.get("orelse"))? },
        "With" => StmtKind::With { items: withitems(j.get("items"))?, body: stmts(j.get("body"))?, type_comment: None },
        "AsyncWith" => StmtKind::AsyncWith { items: withitems(j.get("items"))?, body: stmts(j.get("body"))?, type_comment: None },
        "Match" => StmtKind::Match {
            subject: bexpr(j.get("subject"))?,
            cases: j
                .get("cases")
                .arr()
                .iter()
                .map(|c| Ok(MatchCase { pattern: pattern(c.get("pattern"))?, guard: oexpr(c.get("guard"))?, body: stmts(c.get("body"))? }))
                .collect::<R<_>>()?,
        },
        "Raise" => StmtKind::Raise { exc: oexpr(j.get("exc"))?, cause: oexpr(j.get("cause"))? },
        "Try" => StmtKind::Try(try_(j)?),
        "TryStar" => StmtKind::TryStar(try_(j)?),
        "Assert" => StmtKind::Assert { test: bexpr(j.get("test"))?, msg: oexpr(j.get("msg"))? },
        "Import" => StmtKind::Import { names: aliases(j.get("names"))?, is_lazy: j.get("is_lazy").int() != 0 },
        "ImportFrom" => StmtKind::ImportFrom {
            module: j.get("module").opt_ident()?,
            names: aliases(j.get("names"))?,
            level: j.get("level").int() as u32,
            is_lazy: j.get("is_lazy").int() != 0,
        },
        "Global" => StmtKind::Global { names: names(j.get("names"))? },
        "Nonlocal" => StmtKind::Nonlocal { names: names(j.get("names"))? },
        "Expr" => StmtKind::Expr { value: bexpr(j.get("value"))? },
        "Pass" => StmtKind::Pass,
        "Break" => StmtKind::Break,
        "Continue" => StmtKind::Continue,
        k => return Err(format!("unknown stmt {k}")),
    };
    Ok(Stmt { pos: pos(j), kind })
}

fn pattern(j: &Json) -> R<Pattern> {
    let pats = |x: &Json| -> R<Vec<Pattern>> { x.arr().iter().map(pattern).collect() };
    let kind = match j.kind() {
        "MatchValue" => PatternKind::MatchValue { value: bexpr(j.get("value"))? },
        "MatchSingleton" => PatternKind::MatchSingleton { value: constant(j.get("value"))? },
        "MatchSequence" => PatternKind::MatchSequence { patterns: pats(j.get("patterns"))? },
        "MatchMapping" => {
            PatternKind::MatchMapping { keys: exprs(j.get("keys"))?, patterns: pats(j.get("patterns"))?, rest: j.get("rest").opt_ident()? }
        }
        "MatchClass" => PatternKind::MatchClass {
            cls: bexpr(j.get("cls"))?,
            patterns: pats(j.get("patterns"))?,
            kwd_attrs: names(j.get("kwd_attrs"))?,
            kwd_patterns: pats(j.get("kwd_patterns"))?,
        },
        "MatchStar" => PatternKind::MatchStar { name: j.get("name").opt_ident()? },
        "MatchAs" => PatternKind::MatchAs {
            pattern: if j.get("pattern").is_null() { None } else { Some(Box::new(pattern(j.get("pattern"))?)) },
            name: j.get("name").opt_ident()?,
        },
        "MatchOr" => PatternKind::MatchOr { patterns: pats(j.get("patterns"))? },
        k => return Err(format!("unknown pattern {k}")),
    };
    Ok(Pattern { pos: pos(j), kind })
}

fn f64_from_hex(s: &str) -> f64 {
    // float.hex(): [-]0x1.<hex>p<exp>, or inf/nan.
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let v = if s == "inf" {
        f64::INFINITY
    } else if s == "nan" {
        f64::NAN
    } else {
        let s = s.trim_start_matches("0x");
        let (mant, exp) = s.split_once('p').unwrap_or((s, "0"));
        let (ip, fp) = mant.split_once('.').unwrap_or((mant, ""));
        let mut m: u64 = u64::from_str_radix(ip, 16).unwrap_or(0);
        let mut e: i32 = exp.parse().unwrap_or(0);
        for c in fp.chars() {
            m = (m << 4) | u64::from(c.to_digit(16).unwrap_or(0));
            e -= 4;
        }
        if m == 0 {
            0.0
        } else {
            // m has at most 53 significant bits here (float.hex is exact).
            let mut x = m as f64;
            // scale carefully for subnormals
            while e > 0 {
                let step = e.min(1000);
                x *= 2f64.powi(step);
                e -= step;
            }
            while e < 0 {
                let step = (-e).min(1000);
                x /= 2f64.powi(step);
                e += step;
            }
            x
        }
    };
    if neg {
        -v
    } else {
        v
    }
}

fn constant(j: &Json) -> R<Constant> {
    let v = j.get("v");
    Ok(match j.get("t").str()?.as_ref() {
        "None" => Constant::None,
        "True" => Constant::True,
        "False" => Constant::False,
        "Ellipsis" => Constant::Ellipsis,
        "int" => {
            let s = v.str()?;
            match s.parse::<i64>() {
                Ok(i) => Constant::Int(i),
                Err(_) => Constant::BigInt(Box::new(s.parse::<BigInt>().map_err(|e| e.to_string())?)),
            }
        }
        "float" => Constant::Float(f64_from_hex(&v.str()?)),
        "complex" => {
            let a = v.arr();
            let g = |i: usize| a.get(i).and_then(|x| x.str().ok()).map(|s| f64_from_hex(&s)).unwrap_or(0.0);
            Constant::Complex { real: g(0), imag: g(1) }
        }
        "str" => {
            let mut bytes = Vec::new();
            for c in v.arr() {
                let cp = c.int() as u32;
                // surrogatepass UTF-8
                let mut b = [0u8; 4];
                if let Some(ch) = char::from_u32(cp) {
                    bytes.extend_from_slice(ch.encode_utf8(&mut b).as_bytes());
                } else {
                    bytes.push(0xE0 | (cp >> 12) as u8);
                    bytes.push(0x80 | ((cp >> 6) & 0x3F) as u8);
                    bytes.push(0x80 | (cp & 0x3F) as u8);
                }
            }
            Constant::Str(PyStr::from_surrogatepass(&bytes, false).map_err(|_| "bad str".to_string())?)
        }
        "bytes" => Constant::Bytes(v.arr().iter().map(|x| x.int() as u8).collect()),
        "tuple" => Constant::Tuple(v.arr().iter().map(constant).collect::<R<_>>()?),
        "frozenset" => Constant::FrozenSet(v.arr().iter().map(constant).collect::<R<_>>()?),
        t => return Err(format!("constant type {t}")),
    })
}

fn comprehensions(j: &Json) -> R<Vec<Comprehension>> {
    j.arr()
        .iter()
        .map(|c| {
            Ok(Comprehension {
                target: expr(c.get("target"))?,
                iter: expr(c.get("iter"))?,
                ifs: exprs(c.get("ifs"))?,
                is_async: c.get("is_async").int() != 0,
            })
        })
        .collect()
}

fn expr(j: &Json) -> R<Expr> {
    let kind = match j.kind() {
        "BoolOp" => ExprKind::BoolOp {
            op: if j.get("op").str()?.as_ref() == "And" { BoolOp::And } else { BoolOp::Or },
            values: exprs(j.get("values"))?,
        },
        "NamedExpr" => ExprKind::NamedExpr { target: bexpr(j.get("target"))?, value: bexpr(j.get("value"))? },
        "BinOp" => ExprKind::BinOp { left: bexpr(j.get("left"))?, op: operator(j.get("op"))?, right: bexpr(j.get("right"))? },
        "UnaryOp" => ExprKind::UnaryOp {
            op: match j.get("op").str()?.as_ref() {
                "Invert" => UnaryOp::Invert,
                "Not" => UnaryOp::Not,
                "UAdd" => UnaryOp::UAdd,
                _ => UnaryOp::USub,
            },
            operand: bexpr(j.get("operand"))?,
        },
        "Lambda" => ExprKind::Lambda { args: Box::new(arguments(j.get("args"))?), body: bexpr(j.get("body"))? },
        "IfExp" => ExprKind::IfExp { test: bexpr(j.get("test"))?, body: bexpr(j.get("body"))?, orelse: bexpr(j.get("orelse"))? },
        "Dict" => ExprKind::Dict {
            keys: j.get("keys").arr().iter().map(|x| oexpr(x).map(|o| o.map(|b| *b))).collect::<R<_>>()?,
            values: exprs(j.get("values"))?,
        },
        "Set" => ExprKind::Set { elts: exprs(j.get("elts"))? },
        "ListComp" => ExprKind::ListComp { elt: bexpr(j.get("elt"))?, generators: comprehensions(j.get("generators"))? },
        "SetComp" => ExprKind::SetComp { elt: bexpr(j.get("elt"))?, generators: comprehensions(j.get("generators"))? },
        "GeneratorExp" => ExprKind::GeneratorExp { elt: bexpr(j.get("elt"))?, generators: comprehensions(j.get("generators"))? },
        "DictComp" => ExprKind::DictComp {
            key: bexpr(j.get("key"))?,
            value: oexpr(j.get("value"))?,
            generators: comprehensions(j.get("generators"))?,
        },
        "Await" => ExprKind::Await { value: bexpr(j.get("value"))? },
        "Yield" => ExprKind::Yield { value: oexpr(j.get("value"))? },
        "YieldFrom" => ExprKind::YieldFrom { value: bexpr(j.get("value"))? },
        "Compare" => ExprKind::Compare {
            left: bexpr(j.get("left"))?,
            ops: j.get("ops").arr().iter().map(cmpop).collect::<R<_>>()?,
            comparators: exprs(j.get("comparators"))?,
        },
        "Call" => ExprKind::Call {
            func: bexpr(j.get("func"))?,
            args: exprs(j.get("args"))?,
            keywords: j.get("keywords").arr().iter().map(keyword).collect::<R<_>>()?,
        },
        "FormattedValue" => ExprKind::FormattedValue {
            value: bexpr(j.get("value"))?,
            conversion: j.get("conversion").int() as i32,
            format_spec: oexpr(j.get("format_spec"))?,
        },
        "JoinedStr" => ExprKind::JoinedStr { values: exprs(j.get("values"))? },
        "Constant" => ExprKind::Constant { value: constant(j.get("value"))?, kind_u: matches!(j.get("kind"), Json::Str(s) if s == "u") },
        "Attribute" => ExprKind::Attribute { value: bexpr(j.get("value"))?, attr: j.get("attr").ident()?, ctx: ctx(j.get("ctx")) },
        "Subscript" => ExprKind::Subscript { value: bexpr(j.get("value"))?, slice: bexpr(j.get("slice"))?, ctx: ctx(j.get("ctx")) },
        "Starred" => ExprKind::Starred { value: bexpr(j.get("value"))?, ctx: ctx(j.get("ctx")) },
        "Name" => ExprKind::Name { id: j.get("id").ident()?, ctx: ctx(j.get("ctx")) },
        "List" => ExprKind::List { elts: exprs(j.get("elts"))?, ctx: ctx(j.get("ctx")) },
        "Tuple" => ExprKind::Tuple { elts: exprs(j.get("elts"))?, ctx: ctx(j.get("ctx")) },
        "Slice" => ExprKind::Slice { lower: oexpr(j.get("lower"))?, upper: oexpr(j.get("upper"))?, step: oexpr(j.get("step"))? },
        k => return Err(format!("unknown expr {k}")),
    };
    Ok(Expr { pos: pos(j), kind })
}
