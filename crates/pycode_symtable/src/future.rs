//! `from __future__ import ...` handling, mirroring CPython's `Python/future.c`.

use pycode_ast::{Constant, ExprKind, Mod, Stmt, StmtKind};

use crate::CompileError;

/// `CO_FUTURE_*` features found (`PyFutureFeatures`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FutureFeatures {
    /// `ff_features` as `CO_FUTURE_*` bits.
    pub features: u32,
    /// `ff_location`: line of the last future statement (-1 if none).
    pub lineno: i32,
    pub col_offset: i32,
}

pub const CO_FUTURE_DIVISION: u32 = 0x20000;
pub const CO_FUTURE_ABSOLUTE_IMPORT: u32 = 0x40000;
pub const CO_FUTURE_WITH_STATEMENT: u32 = 0x80000;
pub const CO_FUTURE_PRINT_FUNCTION: u32 = 0x100000;
pub const CO_FUTURE_UNICODE_LITERALS: u32 = 0x200000;
pub const CO_FUTURE_BARRY_AS_BDFL: u32 = 0x400000;
pub const CO_FUTURE_GENERATOR_STOP: u32 = 0x800000;
pub const CO_FUTURE_ANNOTATIONS: u32 = 0x1000000;

impl Default for FutureFeatures {
    fn default() -> Self {
        FutureFeatures { features: 0, lineno: -1, col_offset: -1 }
    }
}

impl FutureFeatures {
    pub fn annotations(&self) -> bool {
        self.features & CO_FUTURE_ANNOTATIONS != 0
    }
}

fn is_docstring(s: &Stmt) -> bool {
    matches!(&s.kind, StmtKind::Expr { value } if matches!(&value.kind, ExprKind::Constant { value: Constant::Str(_), .. }))
}

/// `future_parse` / `future_check_features` (3.11/3.12): after a docstring (only as the first
/// statement), the leading run of `from __future__ import ...` statements (any `level`; 3.13
/// requires level 0) sets the features; anything else ends the run. An unknown feature (or
/// `braces`) is a `SyntaxError` at the statement's start without an end (`PyErr_SyntaxLocationObject`).
pub fn parse_future(module: &Mod) -> Result<FutureFeatures, CompileError> {
    parse_future_inner(module, false)
}

/// [`parse_future`] as `release` does it: 3.13.1+ only counts `from __future__` imports of level
/// 0 and reports an unknown feature (or `braces`) at the imported name's range
/// (`Features::future_errors_at_alias`).
pub fn parse_future_for(module: &Mod, release: pycode_release::Release) -> Result<FutureFeatures, CompileError> {
    parse_future_inner(module, release.features().future_errors_at_alias)
}

fn parse_future_inner(module: &Mod, at_alias: bool) -> Result<FutureFeatures, CompileError> {
    let mut ff = FutureFeatures::default();
    let body = match module {
        Mod::Module { body, .. } | Mod::Interactive { body } => body,
        _ => return Ok(ff),
    };
    let skip = usize::from(body.first().is_some_and(is_docstring));
    for s in body.iter().skip(skip) {
        let StmtKind::ImportFrom { module: Some(m), names, level, .. } = &s.kind else { break };
        if &**m != "__future__" || (at_alias && *level != 0) {
            break;
        }
        for a in names {
            ff.features |= feature_bit(&a.name, at_alias, a.pos, s.pos)?;
        }
        ff.lineno = s.pos.lineno as i32;
        ff.col_offset = s.pos.col_offset as i32;
    }
    Ok(ff)
}

/// The `CO_FUTURE_*` bit of the feature `name` imported from `__future__` (0 for those every
/// release has), or the `SyntaxError` for an unknown one (or `braces`): at the imported name
/// (`alias`) when `at_alias`, else at the statement's start (`stmt`).
fn feature_bit(name: &str, at_alias: bool, alias: pycode_ast::Pos, stmt: pycode_ast::Pos) -> Result<u32, CompileError> {
    Ok(match name {
        "nested_scopes" | "generators" | "division" | "absolute_import" | "with_statement" | "print_function" | "unicode_literals"
        | "generator_stop" => 0,
        "barry_as_FLUFL" => CO_FUTURE_BARRY_AS_BDFL,
        "annotations" => CO_FUTURE_ANNOTATIONS,
        "braces" if at_alias => return Err(CompileError::syntax_at("not a chance", alias)),
        "braces" => return Err(CompileError::syntax_at_start("not a chance", stmt)),
        other if at_alias => return Err(CompileError::syntax_at(format!("future feature {other} is not defined"), alias)),
        other => return Err(CompileError::syntax_at_start(format!("future feature {other} is not defined"), stmt)),
    })
}

/// [`parse_future_for`] on an arena tree.
pub fn parse_future_arena(ast: &pycode_ast::arena::Ast, release: pycode_release::Release) -> Result<FutureFeatures, CompileError> {
    parse_future_arena_inner(ast, release.features().future_errors_at_alias)
}

/// [`parse_future`] on an arena tree.
pub fn parse_future_arena_any_level(ast: &pycode_ast::arena::Ast) -> Result<FutureFeatures, CompileError> {
    parse_future_arena_inner(ast, false)
}

fn parse_future_arena_inner(ast: &pycode_ast::arena::Ast, at_alias: bool) -> Result<FutureFeatures, CompileError> {
    use pycode_ast::arena::{ExprKind as E, Mod as M, StmtKind as S};
    let mut ff = FutureFeatures::default();
    let body = match ast.root {
        Some(M::Module { body, .. } | M::Interactive { body }) => ast.seq(body),
        _ => return Ok(ff),
    };
    let is_doc = |id: &pycode_ast::arena::StmtId| {
        matches!(ast.stmt(*id).map(|s| s.kind), Some(S::Expr { value })
            if matches!(ast.expr(value).map(|e| e.kind), Some(E::Constant { value, .. })
                if matches!(ast.constant(value), Some(Constant::Str(_)))))
    };
    let skip = usize::from(body.first().is_some_and(is_doc));
    for &id in body.iter().skip(skip) {
        let Some(s) = ast.stmt(id) else { break };
        let S::ImportFrom { module: Some(m), names, level, .. } = s.kind else { break };
        if ast.name(m) != Some("__future__") || (at_alias && level != 0) {
            break;
        }
        for a in ast.seq(names) {
            ff.features |= feature_bit(ast.name(a.name).unwrap_or(""), at_alias, a.pos, s.pos)?;
        }
        ff.lineno = s.pos.lineno as i32;
        ff.col_offset = s.pos.col_offset as i32;
    }
    Ok(ff)
}

/// Whether `s` (a statement of the module body) is a future import, for codegen's check that
/// they come first (`compiler_from_import`'s "from __future__ imports must occur at the beginning").
/// 3.11/3.12 ignore the import's `level` here.
pub fn is_future_import(s: &Stmt) -> bool {
    matches!(&s.kind, StmtKind::ImportFrom { module: Some(m), .. } if &**m == "__future__")
}
