//! PEP 695 generics, mirroring CPython 3.12's `compiler_type_params`, the generic parts of
//! `compiler_function` / `compiler_class`, and `compiler_typealias` in `Python/compile.c`.
//!
//! A generic definition is compiled inside a `<generic parameters of NAME>` function that
//! creates the type parameters, builds the definition and is called immediately; TypeVar bounds
//! and alias values are lazily evaluated functions of their own.
//!
//! Known gaps (both only affect `__private` names around generic classes):
//! - 3.12.7 (since gh-119311) mangles, inside a generic class's type-parameter scope and the
//!   scopes nested in it (bounds, bases' lambdas, ...), only the class's own type-parameter
//!   names (`ste_mangled_names` + `_Py_MaybeMangle`); pycode mangles every `__name` there.
//! - 3.12.1's symbol table leaks the class name as the private name to the enclosing scope after
//!   a generic class (`_A__x` for a later `__x`); pycode's symbol table does not, while its
//!   codegen reproduces 3.12.1's leak, so such a later `__x` in a *function* scope may resolve
//!   differently from 3.12.1 (module and class scopes are unaffected).

use pycode_symtable::FxHashMap as HashMap;

use pycode_ast::arena::{Ast, ClassDef, ExprId, ExprKind, StmtKind, TypeParam, TypeParamKind};
use pycode_ast::ExprContext;
use pycode_instr::{ConstValue, Location, PyStr};
use pycode_symtable::{key_of_stmt, key_of_type_param, key_of_type_param_default, key_of_type_params};

use super::{loc_of, Compiler, Elts, ExprArg, ScopeType, SeqArg, StmtArg, MAKE_FUNCTION_DEFAULTS, MAKE_FUNCTION_KWDEFAULTS, R};

// CALL_INTRINSIC_1 opargs
const INTRINSIC_TYPEVAR: u32 = 7;
const INTRINSIC_PARAMSPEC: u32 = 8;
const INTRINSIC_TYPEVARTUPLE: u32 = 9;
const INTRINSIC_SUBSCRIPT_GENERIC: u32 = 10;
const INTRINSIC_TYPEALIAS: u32 = 11;
// CALL_INTRINSIC_2 opargs
const INTRINSIC_TYPEVAR_WITH_BOUND: u32 = 2;
const INTRINSIC_TYPEVAR_WITH_CONSTRAINTS: u32 = 3;
const INTRINSIC_SET_FUNCTION_TYPE_PARAMS: u32 = 4;
const INTRINSIC_SET_TYPEPARAM_DEFAULT: u32 = 5;

/// The `Name('.generic_base')` node (at the class statement's position) that CPython's
/// `compiler_class` appends to a generic class's bases, for every generic class of the module,
/// added to the tree. Keyed by [`key_of_stmt`] of the `ClassDef`; made once per compilation,
/// before the symbol table (which keys scopes by node address: the new nodes may move the
/// expression pool, and must do it first). One pass over the statement pool finds them.
pub(crate) fn generic_class_bases(ast: &mut Ast) -> HashMap<usize, ExprId> {
    let mut out = HashMap::default();
    let generic: Vec<(usize, pycode_ast::Pos)> = ast
        .all_stmts()
        .iter()
        .filter(|s| matches!(&s.kind, StmtKind::ClassDef(c) if !c.type_params.is_empty()))
        .map(|s| (key_of_stmt(s), s.pos))
        .collect();
    if generic.is_empty() {
        return out;
    }
    let id = ast.intern(".generic_base");
    for (key, pos) in generic {
        let e = ast.add_expr(ExprKind::Name { id, ctx: ExprContext::Load }, pos);
        out.insert(key, e);
    }
    out
}

fn generic_name(name: &str) -> String {
    format!("<generic parameters of {name}>")
}

impl<'a> Compiler<'a> {
    /// `compiler_enter_scope` of `<generic parameters of NAME>`. The name is formatted by the
    /// compiler (`PyUnicode_FromFormat`), so unlike identifiers it is not interned.
    fn enter_generic_scope(&mut self, name: &str, tps: impl SeqArg<'a, TypeParam>, firstlineno: u32) -> R {
        let tps = self.sq(tps);
        let g = generic_name(name);
        self.enter_scope(&g, ScopeType::TypeParams, key_of_type_params(tps), firstlineno)?;
        let u = self.u();
        if u.md.qualname.as_bytes() == u.md.name.as_bytes() {
            u.md.qualname = PyStr::new(&g, false);
        }
        u.md.name = PyStr::new(&g, false);
        Ok(())
    }

    /// `compiler_type_params`: creates each type parameter, stores it under its name in the
    /// type-parameter scope and leaves a tuple of them on the stack.
    /// `compiler_type_param_bound_or_default` (3.13): the lazily evaluated bound, constraints
    /// or default of a type parameter, located at the expression; a starred default (`*Ts =
    /// *tuple[int]`) is unpacked.
    fn type_param_bound_or_default_3_13(&mut self, e: impl ExprArg<'a>, name: &'a str, key: usize, allow_starred: bool) -> R {
        let e = self.ex(e)?;
        let o = self.ops;
        let eloc = loc_of(e.pos);
        let format_fn = self.feat.deferred_annotations;
        if format_fn {
            // 3.14+: an annotations-like `(.format=1, /)` function.
            let one = self.consts.add(ConstValue::Int(1));
            self.load_const(ConstValue::Tuple(vec![one].into()), eloc);
            self.enter_format_scope(name, eloc, key)?;
        } else {
            self.enter_scope(name, ScopeType::TypeParams, key, e.pos.lineno)?;
        }
        match &e.kind {
            ExprKind::Starred { value, .. } if allow_starred => {
                self.visit_expr(value)?;
                self.addop_i(o.UNPACK_SEQUENCE, 1, eloc);
            }
            _ => self.visit_expr(e)?,
        }
        self.addop(o.RETURN_VALUE, eloc);
        let handle = self.finish_unit(true)?;
        self.make_closure(eloc, handle, if format_fn { MAKE_FUNCTION_DEFAULTS } else { 0 })
    }

    /// `compiler_type_params` of 3.13: bounds located at the bound, and defaults (PEP 696).
    fn compiler_type_params_3_13(&mut self, tps: impl SeqArg<'a, TypeParam>) -> R {
        let tps = self.sq(tps);
        let o = self.ops;
        let mut seen_default = false;
        for tp in tps {
            let loc = loc_of(tp.pos);
            let (name, default, allow_starred): (&'a str, _, bool) = match &tp.kind {
                TypeParamKind::TypeVar { name, bound, default_value } => {
                    let name = self.nm(name)?;
                    self.load_ident_const(name, loc);
                    if let Some(bound) = bound {
                        self.type_param_bound_or_default_3_13(bound, name, key_of_type_param(tp), false)?;
                        let intrinsic = if matches!(self.ex(bound)?.kind, ExprKind::Tuple { .. }) {
                            INTRINSIC_TYPEVAR_WITH_CONSTRAINTS
                        } else {
                            INTRINSIC_TYPEVAR_WITH_BOUND
                        };
                        self.addop_i(o.CALL_INTRINSIC_2, intrinsic, loc);
                    } else {
                        self.addop_i(o.CALL_INTRINSIC_1, INTRINSIC_TYPEVAR, loc);
                    }
                    (name, default_value.map(|d| (d, key_of_type_param_default(tp))), false)
                }
                TypeParamKind::TypeVarTuple { name, default_value } => {
                    let name = self.nm(name)?;
                    self.load_ident_const(name, loc);
                    self.addop_i(o.CALL_INTRINSIC_1, INTRINSIC_TYPEVARTUPLE, loc);
                    (name, default_value.map(|d| (d, key_of_type_param(tp))), true)
                }
                TypeParamKind::ParamSpec { name, default_value } => {
                    let name = self.nm(name)?;
                    self.load_ident_const(name, loc);
                    self.addop_i(o.CALL_INTRINSIC_1, INTRINSIC_PARAMSPEC, loc);
                    (name, default_value.map(|d| (d, key_of_type_param(tp))), false)
                }
            };
            if let Some((d, key)) = default {
                seen_default = true;
                self.type_param_bound_or_default_3_13(d, name, key, allow_starred)?;
                self.addop_i(o.CALL_INTRINSIC_2, INTRINSIC_SET_TYPEPARAM_DEFAULT, loc);
            } else if seen_default {
                return Err(super::err_at(format!("non-default type parameter '{name}' follows default type parameter"), loc));
            }
            self.addop_i(o.COPY, 1, loc);
            self.nameop(loc, name, ExprContext::Store)?;
        }
        let first = tps.first().map(|t| loc_of(t.pos)).unwrap_or(Location::NO_LOCATION);
        self.addop_i(o.BUILD_TUPLE, tps.len() as u32, first);
        Ok(())
    }

    fn compiler_type_params(&mut self, tps: impl SeqArg<'a, TypeParam>) -> R {
        let tps = self.sq(tps);
        if self.feat.type_param_defaults {
            return self.compiler_type_params_3_13(tps);
        }
        let o = self.ops;
        for tp in tps {
            let loc = loc_of(tp.pos);
            let name: &'a str = match &tp.kind {
                TypeParamKind::TypeVar { name, bound, .. } => {
                    let name = self.nm(name)?;
                    self.load_ident_const(name, loc);
                    if let Some(bound) = bound {
                        let bound = self.ex(bound)?;
                        self.enter_scope(name, ScopeType::TypeParams, key_of_type_param(tp), bound.pos.lineno)?;
                        self.visit_expr(bound)?;
                        self.addop(o.RETURN_VALUE, loc);
                        let handle = self.finish_unit(true)?;
                        self.make_closure(loc, handle, 0)?;
                        let intrinsic = if matches!(bound.kind, ExprKind::Tuple { .. }) {
                            INTRINSIC_TYPEVAR_WITH_CONSTRAINTS
                        } else {
                            INTRINSIC_TYPEVAR_WITH_BOUND
                        };
                        self.addop_i(o.CALL_INTRINSIC_2, intrinsic, loc);
                    } else {
                        self.addop_i(o.CALL_INTRINSIC_1, INTRINSIC_TYPEVAR, loc);
                    }
                    name
                }
                TypeParamKind::TypeVarTuple { name, .. } => {
                    let name = self.nm(name)?;
                    self.load_ident_const(name, loc);
                    self.addop_i(o.CALL_INTRINSIC_1, INTRINSIC_TYPEVARTUPLE, loc);
                    name
                }
                TypeParamKind::ParamSpec { name, .. } => {
                    let name = self.nm(name)?;
                    self.load_ident_const(name, loc);
                    self.addop_i(o.CALL_INTRINSIC_1, INTRINSIC_PARAMSPEC, loc);
                    name
                }
            };
            self.addop_i(o.COPY, 1, loc);
            self.nameop(loc, name, ExprContext::Store)?;
        }
        let first = tps.first().map(|t| loc_of(t.pos)).unwrap_or(Location::NO_LOCATION);
        self.addop_i(o.BUILD_TUPLE, tps.len() as u32, first);
        Ok(())
    }

    /// The generic prologue of `compiler_function`, after the defaults were pushed (and the
    /// `PUSH_NULL` before them): enters `<generic parameters of NAME>`, creates the type
    /// parameters and reloads the defaults as that function's arguments. Returns the number of
    /// those arguments.
    pub(super) fn generic_function_enter(
        &mut self,
        loc: Location,
        name: &str,
        tps: impl SeqArg<'a, TypeParam>,
        funcflags: u32,
        firstlineno: u32,
    ) -> Result<u32, pycode_symtable::CompileError> {
        let tps = self.sq(tps);
        let o = self.ops;
        let has_defaults = funcflags & MAKE_FUNCTION_DEFAULTS != 0;
        let has_kwdefaults = funcflags & MAKE_FUNCTION_KWDEFAULTS != 0;
        let num = u32::from(has_defaults) + u32::from(has_kwdefaults);
        if num == 2 {
            self.addop_i(o.SWAP, 2, loc);
        }
        self.enter_generic_scope(name, tps, firstlineno)?;
        self.compiler_type_params(tps)?;
        if num >= 1 {
            self.addop_i(o.LOAD_FAST, 0, loc);
        }
        if num == 2 {
            self.addop_i(o.LOAD_FAST, 1, loc);
        }
        Ok(num)
    }

    /// The generic epilogue of `compiler_function`: attaches the type parameters to the new
    /// function, finishes the type-parameter function and calls it with the defaults.
    pub(super) fn generic_function_exit(&mut self, loc: Location, num: u32) -> R {
        let o = self.ops;
        self.addop_i(o.SWAP, 2, loc);
        self.addop_i(o.CALL_INTRINSIC_2, INTRINSIC_SET_FUNCTION_TYPE_PARAMS, loc);
        self.u().argcount = num;
        let handle = self.finish_unit(false)?;
        self.make_closure(loc, handle, 0)?;
        self.emit_call_generic_function(num, loc);
        Ok(())
    }

    /// The generic prologue of `compiler_class`: enters `<generic parameters of NAME>` and
    /// stores the type parameters in `.type_params`.
    pub(super) fn generic_class_enter(&mut self, s: impl StmtArg<'a>, cd: &'a ClassDef, firstlineno: u32) -> R {
        let s = self.sx(s)?;
        let loc = loc_of(s.pos);
        // CPython 3.12.1 sets the *enclosing* unit's private name here (and never restores it),
        // so later `__names` in the enclosing scope are mangled with this class's name; 3.12.7
        // (measured) sets it in the type-parameter scope only.
        let leaks_private = self.feat.type_params_leak_private;
        if leaks_private {
            self.u().private = Some(Box::from(self.nm(cd.name)?));
        }
        self.emit_null_before_callable(loc);
        self.enter_generic_scope(self.nm(cd.name)?, cd.type_params, firstlineno)?;
        if !leaks_private {
            self.u().private = Some(Box::from(self.nm(cd.name)?));
        }
        self.compiler_type_params(cd.type_params)?;
        self.nameop(loc, ".type_params", ExprContext::Store)
    }

    /// `compiler_set_type_params_in_class`: `__type_params__ = .type_params` in the class body.
    pub(super) fn set_type_params_in_class(&mut self, loc: Location) -> R {
        self.nameop(loc, ".type_params", ExprContext::Load)?;
        self.nameop(loc, "__type_params__", ExprContext::Store)
    }

    /// The generic epilogue of `compiler_class`: `.generic_base = Generic[*.type_params]`, the
    /// `__build_class__` call with it as the last base, then the call of the type-parameter
    /// function.
    pub(super) fn generic_class_call(&mut self, s: impl StmtArg<'a>, cd: &'a ClassDef) -> R {
        let s = self.sx(s)?;
        let o = self.ops;
        let loc = loc_of(s.pos);
        self.nameop(loc, ".type_params", ExprContext::Load)?;
        self.addop_i(o.CALL_INTRINSIC_1, INTRINSIC_SUBSCRIPT_GENERIC, loc);
        self.nameop(loc, ".generic_base", ExprContext::Store)?;
        let bases_map: &'a HashMap<usize, ExprId> = self.generic_bases;
        let Some(generic_base) = bases_map.get(&key_of_stmt(s)) else {
            return Err(pycode_symtable::CompileError::new(
                pycode_symtable::ErrorKind::SystemError,
                "generic class without synthesized bases",
            ));
        };
        let bases = Elts { items: self.sq(cd.bases), extra: Some(*generic_base) };
        self.call_helper_elts(loc, 2, bases, cd.keywords)?;
        let handle = self.finish_unit(false)?;
        self.make_closure(loc, handle, 0)?;
        self.emit_null_after_callable(loc);
        self.emit_call(0, false, loc);
        Ok(())
    }

    /// `compiler_typealias` + `compiler_typealias_body`.
    pub(super) fn compiler_typealias(
        &mut self,
        s: impl StmtArg<'a>,
        name: impl ExprArg<'a>,
        tps: impl SeqArg<'a, TypeParam>,
        value: impl ExprArg<'a>,
    ) -> R {
        let s = self.sx(s)?;
        let name = self.ex(name)?;
        let tps = self.sq(tps);
        let value = self.ex(value)?;
        let o = self.ops;
        let loc = loc_of(s.pos);
        let ExprKind::Name { id, .. } = &name.kind else {
            return Err(pycode_symtable::CompileError::new(pycode_symtable::ErrorKind::SystemError, "type alias name is not a Name"));
        };
        let id = self.nm(id)?;
        let is_generic = !tps.is_empty();
        if is_generic {
            self.emit_null_before_callable(loc);
            self.enter_generic_scope(id, tps, s.pos.lineno)?;
            self.load_ident_const(id, loc);
            self.compiler_type_params(tps)?;
        } else {
            self.load_ident_const(id, loc);
            self.load_const(ConstValue::None, loc);
        }
        // compiler_typealias_body: the lazily evaluated value.
        if self.feat.deferred_annotations {
            // 3.14+: an annotations-like `(.format=1, /)` function that rejects formats
            // above VALUE_WITH_FAKE_GLOBALS.
            let one = self.consts.add(ConstValue::Int(1));
            self.load_const(ConstValue::Tuple(vec![one].into()), loc);
            self.enter_format_scope(id, loc, key_of_stmt(s))?;
            self.visit_expr(value)?;
            self.addop(o.RETURN_VALUE, loc);
            let handle = self.finish_unit(false)?;
            self.make_closure(loc, handle, MAKE_FUNCTION_DEFAULTS)?;
        } else {
            self.enter_scope(id, ScopeType::Function, key_of_stmt(s), s.pos.lineno)?;
            // None first, so the function cannot have a docstring.
            self.add_const(ConstValue::None);
            self.visit_expr(value)?;
            self.addop(o.RETURN_VALUE, loc);
            let handle = self.finish_unit(false)?;
            self.make_closure(loc, handle, 0)?;
        }
        self.addop_i(o.BUILD_TUPLE, 3, loc);
        self.addop_i(o.CALL_INTRINSIC_1, INTRINSIC_TYPEALIAS, loc);
        if is_generic {
            let handle = self.finish_unit(false)?;
            self.make_closure(loc, handle, 0)?;
            self.emit_null_after_callable(loc);
            self.emit_call(0, false, loc);
        }
        self.nameop(loc, id, ExprContext::Store)
    }
}
