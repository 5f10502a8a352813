//! Building (`symtable_visit_*`) and analysing (`analyze_block`) the symbol table.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use pycode_ast::{
    Alias, Arguments, Comprehension, ExceptHandler, Expr, ExprContext, ExprKind, Keyword, Mod, Pattern, PatternKind, Pos, Stmt, StmtKind,
    TypeParam, TypeParamKind, WithItem,
};

use crate::flags::*;
use crate::{
    key_of_expr, key_of_stmt, key_of_type_param, key_of_type_param_default, key_of_type_params, mangle_cow, BlockType, CompileError,
    ComprehensionType, Entry, EntryId, FutureFeatures, NameId, Names, Scope, SymTable, MAX_DEPTH,
};

mod arena;
pub(crate) use arena::build_arena;

const NAMED_EXPR_COMP_IN_CLASS: &str = "assignment expression within a comprehension cannot be used in a class body";
const NAMED_EXPR_COMP_IN_TYPEPARAM: &str = "assignment expression within a comprehension cannot be used within the definition of a generic";
const NAMED_EXPR_COMP_ITER_EXPR: &str = "assignment expression cannot be used in a comprehension iterable expression";

struct Builder<T = ()> {
    /// The tree walked: `()` for the boxed tree (its nodes are passed by reference), the
    /// arena for [`arena`]'s walk.
    tree: T,
    entries: Vec<Entry>,
    blocks: HashMap<usize, EntryId>,
    /// `st_stack` (includes the current entry on top).
    stack: Vec<EntryId>,
    /// `st_private`.
    private: Option<Box<str>>,
    future: FutureFeatures,
    depth: u32,
    release: pycode_release::Release,
    /// 3.14+ `ste_in_unevaluated_annotation`: visiting a function's local variable
    /// annotation, which is never executed: its names bind nothing.
    unevaluated_annotation: bool,
    /// How many `try` statements (body, handlers, `else`, `finally`) enclose the statement
    /// being visited: a 3.15 `lazy import` is an error there.
    try_depth: u32,
    /// The module's names, interned as they are defined.
    names: Names,
    /// By name id: `(entry + 1) << 32 | position` of the name in that entry's symbols, as
    /// [`add_def_id`](Self::add_def_id) last found or added it there: a name defined or used
    /// again in the same scope is found by indexing, not by probing the scope. Exact while
    /// building: a scope's symbols are only appended to until the analysis. [`SEEN`]: some
    /// scope has the name, position unknown; 0: no scope has it.
    sym_pos: Vec<u64>,
}

/// A [`Builder::sym_pos`] cell of a name that some scope has, at a position not recorded
/// (matches no entry's tag).
const SEEN: u64 = u64::MAX;

type R = Result<(), CompileError>;

/// `_PySymtable_Build`.
pub(crate) fn build(module: &Mod, future: FutureFeatures, release: pycode_release::Release) -> Result<SymTable, CompileError> {
    build_sets(module, future, release, None)
}

/// [`build`]; `dense` forces the analysis's kind of name sets (`None`: by the module's size).
pub(crate) fn build_sets(
    module: &Mod,
    future: FutureFeatures,
    release: pycode_release::Release,
    dense: Option<bool>,
) -> Result<SymTable, CompileError> {
    // The 3.12 stdlib averages about 31 scopes a module: room for 32 before the first growth.
    let mut b = Builder {
        tree: (),
        entries: Vec::with_capacity(32),
        blocks: HashMap::with_capacity_and_hasher(32, Default::default()),
        stack: Vec::new(),
        private: None,
        future,
        depth: 0,
        release,
        unevaluated_annotation: false,
        try_depth: 0,
        names: Names::default(),
        sym_pos: Vec::new(),
    };
    // The 3.12 stdlib averages about 80 distinct names a module (700 bytes).
    b.names.reserve(128, 1024);
    b.enter_block("top", BlockType::Module, 0, Pos { lineno: 0, col_offset: 0, end_lineno: 0, end_col_offset: 0 });
    // 3.14+: a module may be partly executed, so its annotations are all conditional.
    b.cur_entry().in_conditional_block = release.features().deferred_annotations;
    match module {
        Mod::Module { body, .. } | Mod::Interactive { body } => {
            for s in body {
                b.visit_stmt(s)?;
            }
        }
        Mod::Expression { body } => b.visit_expr(body)?,
        Mod::FunctionType { .. } => {
            return Err(CompileError::new(crate::ErrorKind::Unsupported, "FunctionType mode"));
        }
    }
    b.exit_block();
    let mut st = SymTable { entries: b.entries, names: b.names, blocks: b.blocks, future };
    analyze(&mut st, release.features().inline_comprehensions, release.features().deferred_annotations, dense)?;
    Ok(st)
}

impl<T> Builder<T> {
    fn cur(&self) -> EntryId {
        self.stack.last().copied().unwrap_or(0)
    }

    fn cur_entry(&mut self) -> &mut Entry {
        let c = self.cur();
        // entries always holds the ids on the stack; entry 0 exists once building started.
        &mut self.entries[c]
    }

    fn cur_ref(&self) -> &Entry {
        &self.entries[self.cur()]
    }

    /// `symtable_enter_block`.
    fn enter_block(&mut self, name: &str, block: BlockType, key: usize, pos: Pos) {
        let prev = self.stack.last().copied();
        let mut e = Entry::new(name, block, pos);
        if let Some(p) = prev {
            let pe = &self.entries[p];
            if pe.nested || pe.is_function_like() {
                e.nested = true;
            }
            e.comp_iter_expr = pe.comp_iter_expr;
        }
        e.private = self.private.clone();
        let id = self.entries.len();
        self.entries.push(e);
        if block != BlockType::Annotation || self.release.features().deferred_annotations {
            self.blocks.insert(key, id);
            if let Some(p) = prev {
                self.entries[p].children.push(id);
            }
        }
        self.stack.push(id);
    }

    /// `symtable_exit_block`.
    fn exit_block(&mut self) {
        self.stack.pop();
    }

    /// The mangled name, owned (for `ste_directives` and error paths).
    fn mangled(&self, name: &str) -> Box<str> {
        mangle_cow(self.private.as_deref(), name).into()
    }

    /// `symtable_add_def_helper`.
    fn add_def_in(&mut self, name: &str, flag: u32, ste: EntryId, pos: Pos) -> R {
        let mangled = mangle_cow(self.private.as_deref(), name);
        let Some(e) = self.entries.get_mut(ste) else {
            return Err(CompileError::new(crate::ErrorKind::SystemError, "no symbol table entry"));
        };
        let comp_iter_target = e.comp_iter_target;
        let Some((slot, old, id)) = e.symbols.slot_str(&mut self.names, &mangled) else { return Ok(()) };
        *slot = merged_def_flags(self.release, old, flag, comp_iter_target, || mangled.to_string(), pos)?;
        note_def(&mut self.entries, &self.names, ste, id, flag);
        self.mark_seen(id);
        Ok(())
    }

    /// Records in [`sym_pos`](Self::sym_pos) that `id` is a symbol of some scope (added by
    /// text), unless a position is recorded for it already.
    fn mark_seen(&mut self, id: NameId) {
        if let Some(c) = pos_cell(&mut self.sym_pos, self.names.len(), id) {
            if *c == 0 {
                *c = SEEN;
            }
        }
    }

    /// [`add_def_in`](Self::add_def_in) for the name whose id in the module's names is `id`
    /// (an identifier the parser interned): no text is keyed or hashed unless it is mangled.
    fn add_def_id(&mut self, id: NameId, flag: u32, pos: Pos) -> R {
        if self.private.is_some() && self.names.may_mangle(id) {
            let text = self.names.get(id);
            if crate::mangle(self.private.as_deref(), text).is_some() {
                let owned = text.to_owned();
                return self.add_def(&owned, flag, pos);
            }
        }
        let ste = self.cur();
        let Some(e) = self.entries.get_mut(ste) else {
            return Err(CompileError::new(crate::ErrorKind::SystemError, "no symbol table entry"));
        };
        let comp_iter_target = e.comp_iter_target;
        let tag = (ste as u64 + 1) << 32;
        let cached = self.sym_pos.get(id as usize).copied().filter(|&c| c & !u64::from(u32::MAX) == tag);
        let found = match cached {
            Some(c) => e.symbols.slot_at((c & u64::from(u32::MAX)) as usize),
            None => {
                // 0: no scope has the name yet (every way a symbol is added records it), so it
                // is appended without looking for it.
                let r = if self.sym_pos.get(id as usize) == Some(&0) {
                    e.symbols.append(&self.names, id).map(|i| (i, None))
                } else {
                    e.symbols.slot_pos(&self.names, id)
                };
                if let Some((i, old)) = r {
                    if let Some(c) = pos_cell(&mut self.sym_pos, self.names.len(), id) {
                        *c = tag | i as u64;
                    }
                    e.symbols.slot_at(i).map(|(slot, _)| (slot, old))
                } else {
                    None
                }
            }
        };
        let Some((slot, old)) = found else { return Ok(()) };
        *slot = merged_def_flags(self.release, old, flag, comp_iter_target, || self.names.get(id).to_owned(), pos)?;
        note_def(&mut self.entries, &self.names, ste, id, flag);
        Ok(())
    }

    fn add_def(&mut self, name: &str, flag: u32, pos: Pos) -> R {
        let c = self.cur();
        self.add_def_in(name, flag, c, pos)
    }

    /// Flags of `name` (not mangled) in entry `ste`, 0 if absent.
    fn flags_in(&self, ste: EntryId, name: &str) -> u32 {
        self.entries.get(ste).map_or(0, |e| e.flags(&self.names, name))
    }

    fn lookup(&self, name: &str) -> u32 {
        let m = mangle_cow(self.private.as_deref(), name);
        self.flags_in(self.cur(), &m)
    }

    fn enter_depth(&mut self) -> R {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(CompileError::recursion());
        }
        Ok(())
    }

    /// `symtable_enter_type_param_block`.
    fn enter_type_param_block(&mut self, name: &str, key: usize, has_defaults: bool, has_kwdefaults: bool, is_class: bool, pos: Pos) -> R {
        let current_type = self.cur_ref().block_type;
        self.enter_block(name, BlockType::TypeParam, key, pos);
        if current_type == BlockType::Class {
            self.cur_entry().can_see_class_scope = true;
            self.add_def("__classdict__", USE, pos)?;
        }
        if is_class {
            self.add_def(".type_params", DEF_LOCAL, pos)?;
            self.add_def(".type_params", USE, pos)?;
            self.private = Some(name.into());
            self.add_def(".generic_base", DEF_LOCAL, pos)?;
            self.add_def(".generic_base", USE, pos)?;
        }
        if has_defaults {
            self.add_def(".defaults", DEF_PARAM, pos)?;
        }
        if has_kwdefaults {
            self.add_def(".kwdefaults", DEF_PARAM, pos)?;
        }
        Ok(())
    }

    /// Marks the current scope's statements as conditional (3.14+ `ENTER_CONDITIONAL_BLOCK`);
    /// returns the previous state.
    fn enter_conditional(&mut self) -> bool {
        let e = self.cur_entry();
        let was = e.in_conditional_block;
        e.in_conditional_block = true;
        was
    }

    /// Enters a 3.14 `__annotate__` scope, whose one parameter is `format`.
    fn enter_annotate_block(&mut self, key: usize, pos: Pos) -> R {
        self.enter_block("__annotate__", BlockType::Annotation, key, pos);
        self.add_def("format", DEF_PARAM, pos)?;
        Ok(())
    }

    /// `symtable_raise_if_annotation_block`.
    /// 3.11 words it `'NAME' can not be used within ...`, 3.12+ `NAME cannot be used within ...`.
    fn raise_if_annotation_block(&self, name: &str, pos: Pos) -> R {
        use pycode_release::Release as Rel;
        let what = match self.cur_ref().block_type {
            BlockType::Annotation => "an annotation",
            BlockType::TypeVarBound => self.cur_ref().scope_info.unwrap_or("a TypeVar bound"),
            BlockType::TypeAlias => "a type alias",
            BlockType::TypeParam => "the definition of a generic",
            _ => return Ok(()),
        };
        let msg = match self.release {
            Rel::V3_11_2 | Rel::V3_11_7 => format!("'{name}' can not be used within {what}"),
            Rel::V3_12_1 | Rel::V3_12_7 | Rel::V3_13_0 | Rel::V3_13_2 | Rel::V3_14_2 | Rel::V3_15_0rc1 => {
                format!("{name} cannot be used within {what}")
            }
        };
        Err(CompileError::syntax_at(msg, pos))
    }

    /// `symtable_raise_if_comprehension_block`.
    fn raise_if_comprehension_block(&self, pos: Pos) -> R {
        let msg = match self.cur_ref().comprehension {
            ComprehensionType::List => "'yield' inside list comprehension",
            ComprehensionType::Set => "'yield' inside set comprehension",
            ComprehensionType::Dict => "'yield' inside dict comprehension",
            _ => "'yield' inside generator expression",
        };
        Err(CompileError::syntax_at(msg, pos))
    }

    /// `symtable_extend_namedexpr_scope`.
    fn extend_namedexpr_scope(&mut self, target_name: &str, pos: Pos) -> R {
        for i in (0..self.stack.len()).rev() {
            let ste = self.stack[i];
            let e = &self.entries[ste];
            if e.comprehension != ComprehensionType::None {
                // 3.12.7+ look the iteration variable up by its mangled name (3.11.7/3.12.1 by the
                // plain one, so a private name inside a class is never found there).
                let f = if self.release.features().mangled_comprehension_iter {
                    self.flags_in(ste, &mangle_cow(self.private.as_deref(), target_name))
                } else {
                    self.flags_in(ste, target_name)
                };
                if f & DEF_COMP_ITER != 0 {
                    return Err(CompileError::syntax_at(
                        format!("assignment expression cannot rebind comprehension iteration variable '{target_name}'"),
                        pos,
                    ));
                }
                continue;
            }
            match e.block_type {
                BlockType::Function => {
                    // 3.12.7+ by the mangled name too (measured: `global __x1` then
                    // `[__x1 := 2 for a in b]` in a method compiles there; 3.12.1 reports "no
                    // binding for nonlocal '_Foo__x1' found").
                    let f = if self.release.features().mangled_comprehension_iter {
                        self.flags_in(ste, &mangle_cow(self.private.as_deref(), target_name))
                    } else {
                        self.flags_in(ste, target_name)
                    };
                    if f & DEF_GLOBAL != 0 {
                        self.add_def(target_name, DEF_GLOBAL, pos)?;
                    } else {
                        self.add_def(target_name, DEF_NONLOCAL, pos)?;
                    }
                    {
                        let m = self.mangled(target_name);
                        self.cur_entry().directives.push((m, pos));
                    }
                    return self.add_def_in(target_name, DEF_LOCAL, ste, pos);
                }
                BlockType::Module => {
                    self.add_def(target_name, DEF_GLOBAL, pos)?;
                    {
                        let m = self.mangled(target_name);
                        self.cur_entry().directives.push((m, pos));
                    }
                    return self.add_def_in(target_name, DEF_GLOBAL, ste, pos);
                }
                BlockType::Class => return Err(CompileError::syntax_at(NAMED_EXPR_COMP_IN_CLASS, pos)),
                BlockType::TypeParam | BlockType::TypeAlias | BlockType::TypeVarBound => {
                    return Err(CompileError::syntax_at(NAMED_EXPR_COMP_IN_TYPEPARAM, pos))
                }
                BlockType::Annotation => {}
            }
        }
        Ok(())
    }
}

impl Builder {
    fn visit_stmts(&mut self, body: &[Stmt]) -> R {
        for s in body {
            self.visit_stmt(s)?;
        }
        Ok(())
    }

    fn visit_exprs(&mut self, v: &[Expr]) -> R {
        for e in v {
            self.visit_expr(e)?;
        }
        Ok(())
    }

    /// `symtable_visit_stmt`.
    fn visit_stmt(&mut self, s: &Stmt) -> R {
        self.enter_depth()?;
        let r = if self.depth.is_multiple_of(crate::STACK_CHECK_EVERY) {
            stacker::maybe_grow(crate::RED_ZONE, crate::STACK_GROW, || self.visit_stmt_inner(s))
        } else {
            self.visit_stmt_inner(s)
        };
        self.depth -= 1;
        r
    }

    fn visit_stmt_inner(&mut self, s: &Stmt) -> R {
        let pos = s.pos;
        match &s.kind {
            StmtKind::FunctionDef(f) | StmtKind::AsyncFunctionDef(f) => {
                self.add_def(&f.name, DEF_LOCAL, pos)?;
                self.visit_exprs(&f.args.defaults)?;
                for d in f.args.kw_defaults.iter().flatten() {
                    self.visit_expr(d)?;
                }
                self.visit_exprs(&f.decorator_list)?;
                let generic = !f.type_params.is_empty();
                if generic {
                    let has_kwd = f.args.kw_defaults.iter().any(|d| d.is_some());
                    self.enter_type_param_block(
                        &f.name,
                        key_of_type_params(&f.type_params),
                        // The parser always gives `defaults` a (possibly empty) non-NULL
                        // sequence, so CPython's `args->defaults != NULL` is always true.
                        true,
                        has_kwd,
                        false,
                        pos,
                    )?;
                    for tp in &f.type_params {
                        self.visit_type_param(tp)?;
                    }
                }
                if self.release.features().deferred_annotations {
                    self.visit_annotations_314(pos, &f.args, f.returns.as_deref())?;
                } else {
                    self.visit_annotations(pos, &f.args, f.returns.as_deref())?;
                }
                self.enter_block(&f.name, BlockType::Function, key_of_stmt(s), pos);
                if matches!(s.kind, StmtKind::AsyncFunctionDef(_)) {
                    self.cur_entry().coroutine = true;
                }
                self.visit_arguments(&f.args)?;
                self.visit_stmts(&f.body)?;
                self.exit_block();
                if generic {
                    self.exit_block();
                }
            }
            StmtKind::ClassDef(c) => {
                self.add_def(&c.name, DEF_LOCAL, pos)?;
                self.visit_exprs(&c.decorator_list)?;
                let tmp = self.private.clone();
                let generic = !c.type_params.is_empty();
                if generic {
                    self.enter_type_param_block(&c.name, key_of_type_params(&c.type_params), false, false, true, pos)?;
                    self.private = Some(Box::from(&*c.name));
                    for tp in &c.type_params {
                        self.visit_type_param(tp)?;
                    }
                }
                self.visit_exprs(&c.bases)?;
                for k in &c.keywords {
                    self.visit_expr(&k.value)?;
                }
                self.private = Some(Box::from(&*c.name));
                self.enter_block(&c.name, BlockType::Class, key_of_stmt(s), pos);
                if generic {
                    let tpos = type_params_pos(&c.type_params);
                    self.add_def("__type_params__", DEF_LOCAL, tpos)?;
                    self.add_def(".type_params", USE, tpos)?;
                }
                self.visit_stmts(&c.body)?;
                self.exit_block();
                if generic {
                    self.exit_block();
                }
                self.private = tmp;
            }
            StmtKind::TypeAlias { name, type_params, value } => {
                self.visit_expr(name)?;
                let n: Box<str> = match &name.kind {
                    ExprKind::Name { id, .. } => Box::from(&**id),
                    _ => "".into(),
                };
                let in_class = self.cur_ref().block_type == BlockType::Class;
                let generic = !type_params.is_empty();
                if generic {
                    self.enter_type_param_block(&n, key_of_type_params(type_params), false, false, false, pos)?;
                    for tp in type_params {
                        self.visit_type_param(tp)?;
                    }
                }
                self.enter_block(&n, BlockType::TypeAlias, key_of_stmt(s), pos);
                if self.release.features().deferred_annotations {
                    // 3.14+: the value is evaluated by a `(.format, /)` function.
                    self.add_def(".format", DEF_PARAM, pos)?;
                }
                self.cur_entry().can_see_class_scope = in_class;
                if in_class {
                    self.add_def("__classdict__", USE, value.pos)?;
                }
                self.visit_expr(value)?;
                self.exit_block();
                if generic {
                    self.exit_block();
                }
            }
            StmtKind::Return { value } => {
                if let Some(v) = value {
                    self.visit_expr(v)?;
                    self.cur_entry().returns_value = true;
                }
            }
            StmtKind::Delete { targets } => self.visit_exprs(targets)?,
            StmtKind::Assign { targets, value, .. } => {
                self.visit_exprs(targets)?;
                self.visit_expr(value)?;
            }
            StmtKind::AnnAssign { target, annotation, value, simple } => {
                if let ExprKind::Name { id, .. } = &target.kind {
                    let cur = self.lookup(id);
                    let is_global_scope = self.cur() == 0;
                    if cur & (DEF_GLOBAL | DEF_NONLOCAL) != 0 && !is_global_scope && *simple {
                        let msg = if cur & DEF_GLOBAL != 0 {
                            format!("annotated name '{id}' can't be global")
                        } else {
                            format!("annotated name '{id}' can't be nonlocal")
                        };
                        return Err(CompileError::syntax_at(msg, pos));
                    }
                    if *simple {
                        self.add_def(id, DEF_ANNOT | DEF_LOCAL, target.pos)?;
                    } else if value.is_some() {
                        self.add_def(id, DEF_LOCAL, target.pos)?;
                    }
                } else {
                    self.visit_expr(target)?;
                }
                if self.release.features().deferred_annotations {
                    self.cur_entry().annotations_used = true;
                    self.visit_annotation_314(annotation)?;
                } else {
                    self.visit_annotation(annotation)?;
                }
                if let Some(v) = value {
                    self.visit_expr(v)?;
                }
            }
            StmtKind::AugAssign { target, value, .. } => {
                self.visit_expr(target)?;
                self.visit_expr(value)?;
            }
            StmtKind::For(f) | StmtKind::AsyncFor(f) => {
                self.visit_expr(&f.target)?;
                self.visit_expr(&f.iter)?;
                let was = self.enter_conditional();
                self.visit_stmts(&f.body)?;
                self.visit_stmts(&f.orelse)?;
                self.cur_entry().in_conditional_block = was;
            }
            StmtKind::While { test, body, orelse } | StmtKind::If { test, body, orelse } => {
                self.visit_expr(test)?;
                let was = self.enter_conditional();
                self.visit_stmts(body)?;
                self.visit_stmts(orelse)?;
                self.cur_entry().in_conditional_block = was;
            }
            StmtKind::Match { subject, cases } => {
                self.visit_expr(subject)?;
                let was = self.enter_conditional();
                for c in cases {
                    self.visit_pattern(&c.pattern)?;
                    if let Some(g) = &c.guard {
                        self.visit_expr(g)?;
                    }
                    self.visit_stmts(&c.body)?;
                }
                self.cur_entry().in_conditional_block = was;
            }
            StmtKind::Raise { exc, cause } => {
                if let Some(e) = exc {
                    self.visit_expr(e)?;
                    if let Some(c) = cause {
                        self.visit_expr(c)?;
                    }
                }
            }
            StmtKind::Try(t) | StmtKind::TryStar(t) => {
                let was = self.enter_conditional();
                self.try_depth += 1;
                self.visit_stmts(&t.body)?;
                self.visit_stmts(&t.orelse)?;
                for h in &t.handlers {
                    self.visit_excepthandler(h)?;
                }
                self.visit_stmts(&t.finalbody)?;
                self.try_depth -= 1;
                self.cur_entry().in_conditional_block = was;
            }
            StmtKind::Assert { test, msg } => {
                self.visit_expr(test)?;
                if let Some(m) = msg {
                    self.visit_expr(m)?;
                }
            }
            StmtKind::Import { names, is_lazy } | StmtKind::ImportFrom { names, is_lazy, .. } => {
                if *is_lazy {
                    // 3.15 (measured on 3.15.0rc1): where a lazy import cannot be.
                    let what = if matches!(s.kind, StmtKind::Import { .. }) { "lazy import" } else { "lazy from ... import" };
                    let star = names.first().is_some_and(|a| &*a.name == "*");
                    let block = self.cur_entry().block_type;
                    let msg = if star && !matches!(s.kind, StmtKind::Import { .. }) {
                        Some("lazy from ... import * is not allowed".to_string())
                    } else if self.try_depth > 0 {
                        Some(format!("{what} not allowed inside try/except blocks"))
                    } else if block == BlockType::Function {
                        Some(format!("{what} not allowed inside functions"))
                    } else if block == BlockType::Class {
                        Some(format!("{what} not allowed inside classes"))
                    } else {
                        None
                    };
                    if let Some(m) = msg {
                        return Err(CompileError::syntax_at(m, pos));
                    }
                }
                for a in names {
                    self.visit_alias(a)?;
                }
            }
            StmtKind::Global { names } => {
                for name in names {
                    let cur = self.lookup(name);
                    if cur & (DEF_PARAM | DEF_LOCAL | USE | DEF_ANNOT) != 0 {
                        let msg = if cur & DEF_PARAM != 0 {
                            format!("name '{name}' is parameter and global")
                        } else if cur & USE != 0 {
                            format!("name '{name}' is used prior to global declaration")
                        } else if cur & DEF_ANNOT != 0 {
                            format!("annotated name '{name}' can't be global")
                        } else {
                            format!("name '{name}' is assigned to before global declaration")
                        };
                        return Err(CompileError::syntax_at(msg, pos));
                    }
                    self.add_def(name, DEF_GLOBAL, pos)?;
                    {
                        // symtable_record_directive keys by the mangled name.
                        let m = self.mangled(name);
                        self.cur_entry().directives.push((m, pos));
                    }
                }
            }
            StmtKind::Nonlocal { names } => {
                for name in names {
                    let cur = self.lookup(name);
                    if cur & (DEF_PARAM | DEF_LOCAL | USE | DEF_ANNOT) != 0 {
                        let msg = if cur & DEF_PARAM != 0 {
                            format!("name '{name}' is parameter and nonlocal")
                        } else if cur & USE != 0 {
                            format!("name '{name}' is used prior to nonlocal declaration")
                        } else if cur & DEF_ANNOT != 0 {
                            format!("annotated name '{name}' can't be nonlocal")
                        } else {
                            format!("name '{name}' is assigned to before nonlocal declaration")
                        };
                        return Err(CompileError::syntax_at(msg, pos));
                    }
                    self.add_def(name, DEF_NONLOCAL, pos)?;
                    {
                        // symtable_record_directive keys by the mangled name.
                        let m = self.mangled(name);
                        self.cur_entry().directives.push((m, pos));
                    }
                }
            }
            StmtKind::Expr { value } => self.visit_expr(value)?,
            StmtKind::Pass | StmtKind::Break | StmtKind::Continue => {}
            StmtKind::With { items, body, .. } | StmtKind::AsyncWith { items, body, .. } => {
                for it in items {
                    self.visit_withitem(it)?;
                }
                let was = self.enter_conditional();
                self.visit_stmts(body)?;
                self.cur_entry().in_conditional_block = was;
            }
        }
        Ok(())
    }

    fn visit_withitem(&mut self, it: &WithItem) -> R {
        self.visit_expr(&it.context_expr)?;
        if let Some(v) = &it.optional_vars {
            self.visit_expr(v)?;
        }
        Ok(())
    }

    fn visit_excepthandler(&mut self, h: &ExceptHandler) -> R {
        if let Some(t) = &h.type_ {
            self.visit_expr(t)?;
        }
        if let Some(n) = &h.name {
            self.add_def(n, DEF_LOCAL, h.pos)?;
        }
        self.visit_stmts(&h.body)
    }

    /// `symtable_visit_alias`.
    fn visit_alias(&mut self, a: &Alias) -> R {
        let store: &str = match &a.asname {
            Some(n) => n,
            None => match a.name.find('.') {
                Some(i) => &a.name[..i],
                None => &a.name,
            },
        };
        if &*a.name != "*" {
            self.add_def(store, DEF_IMPORT, a.pos)
        } else {
            if self.cur_ref().block_type != BlockType::Module {
                return Err(CompileError::syntax_at("import * only allowed at module level", a.pos));
            }
            Ok(())
        }
    }

    /// `symtable_visit_type_param`.
    fn visit_type_param(&mut self, tp: &TypeParam) -> R {
        self.enter_depth()?;
        match &tp.kind {
            TypeParamKind::TypeVar { name, bound, default_value } if self.release.features().type_param_defaults => {
                self.add_def(name, DEF_TYPE_PARAM | DEF_LOCAL, tp.pos)?;
                if let Some(b) = bound {
                    let info = if matches!(b.kind, ExprKind::Tuple { .. }) { "a TypeVar constraint" } else { "a TypeVar bound" };
                    self.visit_type_param_bound_or_default(b, name, key_of_type_param(tp), info)?;
                }
                if let Some(d) = default_value {
                    self.visit_type_param_bound_or_default(d, name, key_of_type_param_default(tp), "a TypeVar default")?;
                }
            }
            TypeParamKind::TypeVarTuple { name, default_value } if self.release.features().type_param_defaults => {
                self.add_def(name, DEF_TYPE_PARAM | DEF_LOCAL, tp.pos)?;
                if let Some(d) = default_value {
                    self.visit_type_param_bound_or_default(d, name, key_of_type_param(tp), "a TypeVarTuple default")?;
                }
            }
            TypeParamKind::ParamSpec { name, default_value } if self.release.features().type_param_defaults => {
                self.add_def(name, DEF_TYPE_PARAM | DEF_LOCAL, tp.pos)?;
                if let Some(d) = default_value {
                    self.visit_type_param_bound_or_default(d, name, key_of_type_param(tp), "a ParamSpec default")?;
                }
            }
            TypeParamKind::TypeVar { name, bound, .. } => {
                self.add_def(name, DEF_TYPE_PARAM | DEF_LOCAL, tp.pos)?;
                if let Some(b) = bound {
                    let in_class = self.cur_ref().can_see_class_scope;
                    self.enter_block(name, BlockType::TypeVarBound, key_of_type_param(tp), tp.pos);
                    self.cur_entry().can_see_class_scope = in_class;
                    if in_class {
                        self.add_def("__classdict__", USE, b.pos)?;
                    }
                    self.visit_expr(b)?;
                    self.exit_block();
                }
            }
            TypeParamKind::ParamSpec { name, .. } | TypeParamKind::TypeVarTuple { name, .. } => {
                self.add_def(name, DEF_TYPE_PARAM | DEF_LOCAL, tp.pos)?;
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// `symtable_visit_type_param_bound_or_default` (3.13): a scope of its own at the
    /// expression's location, `info` naming it in "cannot be used within" errors.
    fn visit_type_param_bound_or_default(&mut self, e: &Expr, name: &str, key: usize, info: &'static str) -> R {
        let in_class = self.cur_ref().can_see_class_scope;
        self.enter_block(name, BlockType::TypeVarBound, key, e.pos);
        if self.release.features().deferred_annotations {
            // 3.14+: evaluated by a `(.format, /)` function.
            self.add_def(".format", DEF_PARAM, e.pos)?;
        }
        self.cur_entry().can_see_class_scope = in_class;
        if in_class {
            self.add_def("__classdict__", USE, e.pos)?;
        }
        self.cur_entry().scope_info = Some(info);
        self.visit_expr(e)?;
        self.exit_block();
        Ok(())
    }

    /// `symtable_visit_pattern`.
    fn visit_pattern(&mut self, p: &Pattern) -> R {
        self.enter_depth()?;
        match &p.kind {
            PatternKind::MatchValue { value } => self.visit_expr(value)?,
            PatternKind::MatchSingleton { .. } => {}
            PatternKind::MatchSequence { patterns } | PatternKind::MatchOr { patterns } => {
                for q in patterns {
                    self.visit_pattern(q)?;
                }
            }
            PatternKind::MatchStar { name } => {
                if let Some(n) = name {
                    self.add_def(n, DEF_LOCAL, p.pos)?;
                }
            }
            PatternKind::MatchMapping { keys, patterns, rest } => {
                self.visit_exprs(keys)?;
                for q in patterns {
                    self.visit_pattern(q)?;
                }
                if let Some(r) = rest {
                    self.add_def(r, DEF_LOCAL, p.pos)?;
                }
            }
            PatternKind::MatchClass { cls, patterns, kwd_patterns, .. } => {
                self.visit_expr(cls)?;
                for q in patterns.iter().chain(kwd_patterns) {
                    self.visit_pattern(q)?;
                }
            }
            PatternKind::MatchAs { pattern, name } => {
                if let Some(q) = pattern {
                    self.visit_pattern(q)?;
                }
                if let Some(n) = name {
                    self.add_def(n, DEF_LOCAL, p.pos)?;
                }
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// `symtable_visit_annotation`.
    fn visit_annotation(&mut self, ann: &Expr) -> R {
        let fa = self.future.annotations();
        if fa {
            self.enter_block("_annotation", BlockType::Annotation, key_of_expr(ann), ann.pos);
        }
        self.visit_expr(ann)?;
        if fa {
            self.exit_block();
        }
        Ok(())
    }

    /// `symtable_visit_annotations` (3.14+): every function gets an `__annotate__` scope.
    fn visit_annotations_314(&mut self, pos: Pos, a: &Arguments, returns: Option<&Expr>) -> R {
        let in_class = self.cur_ref().can_see_class_scope || self.cur_ref().block_type == BlockType::Class;
        self.enter_annotate_block(crate::key_of_arguments(a), pos)?;
        // measured: not under `from __future__ import annotations` (strings need no class dict)
        if in_class && !self.future.annotations() {
            self.cur_entry().can_see_class_scope = true;
            self.add_def("__classdict__", USE, pos)?;
        }
        // Under `from __future__ import annotations` the block is not linked to its parent:
        // the names in the (stringified) annotations bind nothing outside it.
        let unevaluated = self.unevaluated_annotation || self.future.annotations();
        let was = std::mem::replace(&mut self.unevaluated_annotation, unevaluated);
        let r = self.visit_annotations_314_body(a, returns);
        self.unevaluated_annotation = was;
        r?;
        self.exit_block();
        Ok(())
    }

    fn visit_annotations_314_body(&mut self, a: &Arguments, returns: Option<&Expr>) -> R {
        let args = a.posonlyargs.iter().chain(&a.args);
        for arg in args {
            if let Some(an) = &arg.annotation {
                self.cur_entry().annotations_used = true;
                self.visit_expr(an)?;
            }
        }
        for v in [&a.vararg, &a.kwarg].into_iter().flatten() {
            if let Some(an) = &v.annotation {
                self.cur_entry().annotations_used = true;
                self.visit_expr(an)?;
            }
        }
        for arg in &a.kwonlyargs {
            if let Some(an) = &arg.annotation {
                self.cur_entry().annotations_used = true;
                self.visit_expr(an)?;
            }
        }
        if let Some(r) = returns {
            self.cur_entry().annotations_used = true;
            self.visit_expr(r)?;
        }
        Ok(())
    }

    /// `symtable_visit_annotation` (3.14+): the annotations of a scope's annotated assignments
    /// share one `__annotate__` scope.
    fn visit_annotation_314(&mut self, ann: &Expr) -> R {
        let parent = self.cur();
        let pt = self.cur_ref().block_type;
        let unevaluated = pt == BlockType::Function || self.future.annotations();
        if matches!(pt, BlockType::Class | BlockType::Module)
            && self.cur_ref().in_conditional_block
            && !self.cur_ref().has_conditional_annotations
        {
            self.cur_entry().has_conditional_annotations = true;
            self.add_def("__conditional_annotations__", USE, ann.pos)?;
        }
        match self.entries[parent].annotation_block {
            None => {
                self.enter_annotate_block(crate::key_of_annotation_block(parent), ann.pos)?;
                let id = self.cur();
                self.entries[parent].annotation_block = Some(id);
                if pt == BlockType::Class && !self.future.annotations() {
                    self.cur_entry().can_see_class_scope = true;
                    self.add_def("__classdict__", USE, ann.pos)?;
                }
            }
            Some(id) => self.stack.push(id),
        }
        let was = std::mem::replace(&mut self.unevaluated_annotation, unevaluated);
        let r = self.visit_expr(ann);
        self.unevaluated_annotation = was;
        r?;
        self.exit_block();
        Ok(())
    }

    /// `symtable_visit_annotations`.
    fn visit_annotations(&mut self, pos: Pos, a: &Arguments, returns: Option<&Expr>) -> R {
        let fa = self.future.annotations();
        if fa {
            self.enter_block("_annotation", BlockType::Annotation, 0, pos);
        }
        for arg in a.posonlyargs.iter().chain(&a.args) {
            if let Some(an) = &arg.annotation {
                self.visit_expr(an)?;
            }
        }
        if let Some(v) = &a.vararg {
            if let Some(an) = &v.annotation {
                self.visit_expr(an)?;
            }
        }
        if let Some(v) = &a.kwarg {
            if let Some(an) = &v.annotation {
                self.visit_expr(an)?;
            }
        }
        for arg in &a.kwonlyargs {
            if let Some(an) = &arg.annotation {
                self.visit_expr(an)?;
            }
        }
        if fa {
            self.exit_block();
        }
        if let Some(r) = returns {
            self.visit_annotation(r)?;
        }
        Ok(())
    }

    /// `symtable_visit_arguments`.
    fn visit_arguments(&mut self, a: &Arguments) -> R {
        for arg in a.posonlyargs.iter().chain(&a.args).chain(&a.kwonlyargs) {
            self.add_def(&arg.arg, DEF_PARAM, arg.pos)?;
        }
        if let Some(v) = &a.vararg {
            self.add_def(&v.arg, DEF_PARAM, v.pos)?;
            self.cur_entry().varargs = true;
        }
        if let Some(v) = &a.kwarg {
            self.add_def(&v.arg, DEF_PARAM, v.pos)?;
            self.cur_entry().varkeywords = true;
        }
        Ok(())
    }

    /// `symtable_handle_namedexpr`.
    fn handle_namedexpr(&mut self, e: &Expr, target: &Expr, value: &Expr) -> R {
        if self.cur_ref().comp_iter_expr > 0 {
            return Err(CompileError::syntax_at(NAMED_EXPR_COMP_ITER_EXPR, e.pos));
        }
        if self.cur_ref().comprehension != ComprehensionType::None {
            if let ExprKind::Name { id, .. } = &target.kind {
                self.extend_namedexpr_scope(id, target.pos)?;
            }
        }
        self.visit_expr(value)?;
        self.visit_expr(target)
    }

    /// `symtable_handle_comprehension`.
    fn handle_comprehension(
        &mut self,
        e: &Expr,
        scope_name: &str,
        generators: &[Comprehension],
        elt: &Expr,
        value: Option<&Expr>,
        kind: ComprehensionType,
    ) -> R {
        let is_generator = kind == ComprehensionType::Generator;
        let Some(outermost) = generators.first() else { return Ok(()) };
        self.cur_entry().comp_iter_expr += 1;
        self.visit_expr(&outermost.iter)?;
        self.cur_entry().comp_iter_expr -= 1;
        self.enter_block(scope_name, BlockType::Function, key_of_expr(e), e.pos);
        self.cur_entry().comprehension = kind;
        if outermost.is_async {
            self.cur_entry().coroutine = true;
        }
        self.add_def(".0", DEF_PARAM, e.pos)?;
        self.cur_entry().comp_iter_target = true;
        self.visit_expr(&outermost.target)?;
        self.cur_entry().comp_iter_target = false;
        self.visit_exprs(&outermost.ifs)?;
        for g in generators.iter().skip(1) {
            self.cur_entry().comp_iter_target = true;
            self.visit_expr(&g.target)?;
            self.cur_entry().comp_iter_target = false;
            self.cur_entry().comp_iter_expr += 1;
            self.visit_expr(&g.iter)?;
            self.cur_entry().comp_iter_expr -= 1;
            self.visit_exprs(&g.ifs)?;
            if g.is_async {
                self.cur_entry().coroutine = true;
            }
        }
        if let Some(v) = value {
            self.visit_expr(v)?;
        }
        self.visit_expr(elt)?;
        self.cur_entry().generator = is_generator;
        let is_async = self.cur_ref().coroutine && !is_generator;
        self.exit_block();
        if is_async {
            self.cur_entry().coroutine = true;
        }
        Ok(())
    }

    /// `symtable_visit_expr`.
    fn visit_expr(&mut self, e: &Expr) -> R {
        self.enter_depth()?;
        let r = if self.depth.is_multiple_of(crate::STACK_CHECK_EVERY) {
            stacker::maybe_grow(crate::RED_ZONE, crate::STACK_GROW, || self.visit_expr_inner(e))
        } else {
            self.visit_expr_inner(e)
        };
        self.depth -= 1;
        r
    }

    fn visit_expr_inner(&mut self, e: &Expr) -> R {
        match &e.kind {
            ExprKind::NamedExpr { target, value } => {
                self.raise_if_annotation_block("named expression", e.pos)?;
                self.handle_namedexpr(e, target, value)?;
            }
            ExprKind::BoolOp { values, .. } => self.visit_exprs(values)?,
            ExprKind::BinOp { left, right, .. } => {
                self.visit_expr(left)?;
                self.visit_expr(right)?;
            }
            ExprKind::UnaryOp { operand, .. } => self.visit_expr(operand)?,
            ExprKind::Lambda { args, body } => {
                self.visit_exprs(&args.defaults)?;
                for d in args.kw_defaults.iter().flatten() {
                    self.visit_expr(d)?;
                }
                self.enter_block("lambda", BlockType::Function, key_of_expr(e), e.pos);
                self.visit_arguments(args)?;
                self.visit_expr(body)?;
                self.exit_block();
            }
            ExprKind::IfExp { test, body, orelse } => {
                self.visit_expr(test)?;
                self.visit_expr(body)?;
                self.visit_expr(orelse)?;
            }
            ExprKind::Dict { keys, values } => {
                for k in keys.iter().flatten() {
                    self.visit_expr(k)?;
                }
                self.visit_exprs(values)?;
            }
            ExprKind::Set { elts } => self.visit_exprs(elts)?,
            ExprKind::GeneratorExp { elt, generators } => {
                self.handle_comprehension(e, "genexpr", generators, elt, None, ComprehensionType::Generator)?
            }
            ExprKind::ListComp { elt, generators } => {
                self.handle_comprehension(e, "listcomp", generators, elt, None, ComprehensionType::List)?
            }
            ExprKind::SetComp { elt, generators } => {
                self.handle_comprehension(e, "setcomp", generators, elt, None, ComprehensionType::Set)?
            }
            ExprKind::DictComp { key, value, generators } => {
                self.handle_comprehension(e, "dictcomp", generators, key, value.as_deref(), ComprehensionType::Dict)?
            }
            ExprKind::Yield { value } => {
                self.raise_if_annotation_block("yield expression", e.pos)?;
                if let Some(v) = value {
                    self.visit_expr(v)?;
                }
                self.cur_entry().generator = true;
                if self.cur_ref().comprehension != ComprehensionType::None {
                    return self.raise_if_comprehension_block(e.pos);
                }
            }
            ExprKind::YieldFrom { value } => {
                self.raise_if_annotation_block("yield expression", e.pos)?;
                self.visit_expr(value)?;
                self.cur_entry().generator = true;
                if self.cur_ref().comprehension != ComprehensionType::None {
                    return self.raise_if_comprehension_block(e.pos);
                }
            }
            ExprKind::Await { value } => {
                self.raise_if_annotation_block("await expression", e.pos)?;
                self.visit_expr(value)?;
                self.cur_entry().coroutine = true;
            }
            ExprKind::Compare { left, comparators, .. } => {
                self.visit_expr(left)?;
                self.visit_exprs(comparators)?;
            }
            ExprKind::Call { func, args, keywords } => {
                self.visit_expr(func)?;
                self.visit_exprs(args)?;
                self.visit_keywords(keywords)?;
            }
            ExprKind::FormattedValue { value, format_spec, .. } | ExprKind::Interpolation { value, format_spec, .. } => {
                self.visit_expr(value)?;
                if let Some(f) = format_spec {
                    self.visit_expr(f)?;
                }
            }
            ExprKind::JoinedStr { values } | ExprKind::TemplateStr { values } => self.visit_exprs(values)?,
            ExprKind::Constant { .. } => {}
            ExprKind::Attribute { value, .. } => self.visit_expr(value)?,
            ExprKind::Subscript { value, slice, .. } => {
                self.visit_expr(value)?;
                self.visit_expr(slice)?;
            }
            ExprKind::Starred { value, .. } => self.visit_expr(value)?,
            ExprKind::Slice { lower, upper, step } => {
                for x in [lower, upper, step].into_iter().flatten() {
                    self.visit_expr(x)?;
                }
            }
            ExprKind::Name { .. } if self.unevaluated_annotation => {}
            ExprKind::Name { id, ctx } => {
                let f = if *ctx == ExprContext::Load { USE } else { DEF_LOCAL };
                self.add_def(id, f, e.pos)?;
                if *ctx == ExprContext::Load && self.cur_ref().block_type == BlockType::Function && &**id == "super" {
                    self.add_def("__class__", USE, e.pos)?;
                }
            }
            ExprKind::List { elts, .. } | ExprKind::Tuple { elts, .. } => self.visit_exprs(elts)?,
        }
        Ok(())
    }

    fn visit_keywords(&mut self, kws: &[Keyword]) -> R {
        for k in kws {
            self.visit_expr(&k.value)?;
        }
        Ok(())
    }
}

/// `symtable_add_def_helper`'s new flags for a name defined with `flag` in a scope where it had
/// `old` (`None`: absent): CPython's errors for a repeated parameter and for rebinding a
/// comprehension's iteration variable, else the union. `name` gives the (mangled) name for
/// them: read only for an error, so the common case never looks the text up.
#[inline]
fn merged_def_flags(
    release: pycode_release::Release,
    old: Option<u32>,
    flag: u32,
    comp_iter_target: bool,
    name: impl FnOnce() -> String,
    pos: Pos,
) -> Result<u32, CompileError> {
    let mut val = match old {
        Some(old) => {
            if flag & DEF_PARAM != 0 && old & DEF_PARAM != 0 {
                // 3.15 calls them parameters (measured on 3.15.0rc1: `lambda a, a=1: 0`).
                let what = match release.line() {
                    pycode_release::Minor::V3_15 => "parameter",
                    pycode_release::Minor::V3_11
                    | pycode_release::Minor::V3_12
                    | pycode_release::Minor::V3_13
                    | pycode_release::Minor::V3_14 => "argument",
                };
                return Err(CompileError::syntax_at(format!("duplicate {what} '{}' in function definition", name()), pos));
            }
            old | flag
        }
        None => flag,
    };
    if comp_iter_target {
        if val & (DEF_GLOBAL | DEF_NONLOCAL) != 0 {
            return Err(CompileError::syntax_at(
                format!("comprehension inner loop cannot rebind assignment expression target '{}'", name()),
                pos,
            ));
        }
        val |= DEF_COMP_ITER;
    }
    Ok(val)
}

/// The rest of `symtable_add_def_helper` once the name `id`'s flags in entry `ste` are set: a
/// parameter joins the entry's varnames, a `global` declaration is recorded in the module scope.
fn note_def(entries: &mut [Entry], names: &Names, ste: EntryId, id: NameId, flag: u32) {
    if flag & DEF_PARAM != 0 {
        if let Some(e) = entries.get_mut(ste) {
            e.varnames.push(id);
        }
    } else if flag & DEF_GLOBAL != 0 {
        if let Some((g, _)) = entries.first_mut().and_then(|top| top.symbols.slot(names, id)) {
            *g |= flag;
        }
    }
}

/// The [`Builder::sym_pos`] cell of `id`, the table grown to the `names` known first if needed.
fn pos_cell(sym_pos: &mut Vec<u64>, names: usize, id: NameId) -> Option<&mut u64> {
    if sym_pos.len() <= id as usize {
        sym_pos.resize(names.max(id as usize + 1), 0);
    }
    sym_pos.get_mut(id as usize)
}

fn type_params_pos(tps: &[TypeParam]) -> Pos {
    match (tps.first(), tps.last()) {
        (Some(a), Some(b)) => {
            Pos { lineno: a.pos.lineno, col_offset: a.pos.col_offset, end_lineno: b.pos.end_lineno, end_col_offset: b.pos.end_col_offset }
        }
        _ => Pos::default(),
    }
}

// ---------------------------------------------------------------------------------------------
// Analysis
// ---------------------------------------------------------------------------------------------

/// Analysis state. Every symbol is already a dense [`NameId`] of the module's
/// [`crate::Names`], so the name sets that `analyze_block` copies for every child block
/// (`analyze_child_block`, as CPython does) are sets of integers and no string is hashed again.
struct Analysis {
    dunder_class: NameId,
    dunder_classdict: NameId,
    /// `__conditional_annotations__` when the release has deferred annotations (3.14+: a
    /// class binds it for its children like `__classdict__`, and a child's free use of it
    /// gives the class the cell), else `None`.
    dunder_conditional: Option<NameId>,
    /// `Features::inline_comprehensions` of the target release (PEP 709, 3.12+).
    inline_comprehensions: bool,
    /// The module's name sets are [`NameSet::Bits`].
    dense: bool,
}

/// Modules with at most this many names analyse with dense [`NameSet`]s (a bit per name: a
/// set is at most 1 KiB, copied for every child block); more names use hash sets, whose copies
/// cost what they hold (as CPython's), so a huge module with many scopes stays near-linear.
const DENSE_NAMES: usize = 8192;

/// A set of name ids (`bound`, `free`, `global`, … of `analyze_block`).
#[derive(Clone, Debug)]
enum NameSet {
    /// Bit `id % 64` of word `id / 64`; grown on insert (an empty set allocates nothing).
    Bits(Vec<u64>),
    Hash(HashSet<NameId>),
}

impl NameSet {
    fn new(dense: bool) -> NameSet {
        if dense {
            NameSet::Bits(Vec::new())
        } else {
            NameSet::Hash(HashSet::default())
        }
    }

    #[inline]
    fn contains(&self, id: NameId) -> bool {
        match self {
            NameSet::Bits(w) => w.get((id / 64) as usize).is_some_and(|x| (x >> (id % 64)) & 1 != 0),
            NameSet::Hash(h) => h.contains(&id),
        }
    }

    #[inline]
    fn insert(&mut self, id: NameId) {
        match self {
            NameSet::Bits(w) => {
                let i = (id / 64) as usize;
                if w.len() <= i {
                    w.resize(i + 1, 0);
                }
                if let Some(x) = w.get_mut(i) {
                    *x |= 1 << (id % 64);
                }
            }
            NameSet::Hash(h) => {
                h.insert(id);
            }
        }
    }

    /// Removes `id`; whether it was there.
    #[inline]
    fn remove(&mut self, id: NameId) -> bool {
        match self {
            NameSet::Bits(w) => match w.get_mut((id / 64) as usize) {
                Some(x) => {
                    let bit = 1u64 << (id % 64);
                    let had = *x & bit != 0;
                    *x &= !bit;
                    had
                }
                None => false,
            },
            NameSet::Hash(h) => h.remove(&id),
        }
    }

    fn is_empty(&self) -> bool {
        match self {
            NameSet::Bits(w) => w.iter().all(|&x| x == 0),
            NameSet::Hash(h) => h.is_empty(),
        }
    }

    /// The ids in the set (in no particular order).
    fn ids(&self) -> Vec<NameId> {
        match self {
            NameSet::Bits(w) => {
                let mut out = Vec::new();
                for (i, &x) in w.iter().enumerate() {
                    let mut x = x;
                    while x != 0 {
                        out.push(i as NameId * 64 + x.trailing_zeros());
                        x &= x - 1;
                    }
                }
                out
            }
            NameSet::Hash(h) => h.iter().copied().collect(),
        }
    }

    /// `self |= other`.
    fn union_with(&mut self, other: &NameSet) {
        match (self, other) {
            (NameSet::Bits(w), NameSet::Bits(o)) => {
                if w.len() < o.len() {
                    w.resize(o.len(), 0);
                }
                for (x, y) in w.iter_mut().zip(o) {
                    *x |= y;
                }
            }
            (NameSet::Hash(h), NameSet::Hash(o)) => h.extend(o.iter().copied()),
            (this, other) => {
                for id in other.ids() {
                    this.insert(id);
                }
            }
        }
    }
}

/// `symtable_analyze`.
pub(crate) fn analyze(st: &mut SymTable, inline_comprehensions: bool, deferred_annotations: bool, dense: Option<bool>) -> R {
    if st.entries.is_empty() {
        return Ok(());
    }
    let dunder_class = st.names.intern("__class__");
    let dunder_classdict = st.names.intern("__classdict__");
    let dunder_conditional = deferred_annotations.then(|| st.names.intern("__conditional_annotations__"));
    let dense = dense.unwrap_or(st.names.len() <= DENSE_NAMES);
    let a = Analysis { dunder_class, dunder_classdict, dunder_conditional, inline_comprehensions, dense };
    let mut free = NameSet::new(dense);
    let mut global = NameSet::new(dense);
    analyze_block(st, &a, 0, None, &mut free, &mut global, None, 0)
}

/// error_at_directive: the position of the first global/nonlocal declaration of `name`.
fn directive_pos(st: &SymTable, ste: EntryId, name: &str) -> Pos {
    st.entries[ste].directives.iter().find(|(n, _)| **n == *name).map(|(_, p)| *p).unwrap_or_default()
}

/// `analyze_name` for the symbol at position `i` of `ste` (id `id`); its scope goes to `scopes[i]`.
#[allow(clippy::too_many_arguments)]
fn analyze_name(
    st: &mut SymTable,
    ste: EntryId,
    scopes: &mut [Scope],
    i: usize,
    id: NameId,
    flags: u32,
    bound: Option<&mut NameSet>,
    local: &mut NameSet,
    free: &mut NameSet,
    global: &mut NameSet,
    class_entry: Option<EntryId>,
) -> R {
    let mut set_scope = |sc: Scope| {
        if let Some(slot) = scopes.get_mut(i) {
            *slot = sc;
        }
    };
    if flags & DEF_GLOBAL != 0 {
        if flags & DEF_NONLOCAL != 0 {
            let name = st.names.get(id);
            return Err(CompileError::syntax_at(format!("name '{name}' is nonlocal and global"), directive_pos(st, ste, name)));
        }
        set_scope(Scope::GlobalExplicit);
        global.insert(id);
        if let Some(b) = bound {
            b.remove(id);
        }
        return Ok(());
    }
    if flags & DEF_NONLOCAL != 0 {
        let Some(b) = bound else {
            let pos = directive_pos(st, ste, st.names.get(id));
            return Err(CompileError::syntax_at("nonlocal declaration not allowed at module level", pos));
        };
        if !b.contains(id) {
            let name = st.names.get(id);
            return Err(CompileError::syntax_at(format!("no binding for nonlocal '{name}' found"), directive_pos(st, ste, name)));
        }
        set_scope(Scope::Free);
        st.entries[ste].has_free = true;
        free.insert(id);
        return Ok(());
    }
    if flags & DEF_BOUND != 0 {
        set_scope(Scope::Local);
        local.insert(id);
        global.remove(id);
        return Ok(());
    }
    if let Some(ce) = class_entry {
        let cf = st.entries[ce].flags_id(&st.names, id);
        if cf & DEF_GLOBAL != 0 {
            set_scope(Scope::GlobalExplicit);
            return Ok(());
        } else if cf & DEF_BOUND != 0 && cf & DEF_NONLOCAL == 0 {
            set_scope(Scope::GlobalImplicit);
            return Ok(());
        }
    }
    if let Some(b) = bound {
        if b.contains(id) {
            set_scope(Scope::Free);
            st.entries[ste].has_free = true;
            free.insert(id);
            return Ok(());
        }
    }
    if global.contains(id) {
        set_scope(Scope::GlobalImplicit);
        return Ok(());
    }
    if st.entries[ste].nested {
        st.entries[ste].has_free = true;
    }
    set_scope(Scope::GlobalImplicit);
    Ok(())
}

/// `analyze_cells`; `scopes` is parallel to the entry's symbols.
fn analyze_cells(ste: &Entry, scopes: &mut [Scope], free: &mut NameSet, inlined_cells: &NameSet) {
    for (scope, (id, _)) in scopes.iter_mut().zip(ste.symbols.iter()) {
        if *scope != Scope::Local {
            continue;
        }
        if !free.contains(id) && !inlined_cells.contains(id) {
            continue;
        }
        *scope = Scope::Cell;
        free.remove(id);
    }
}

/// `drop_class_free`.
fn drop_class_free(ste: &mut Entry, a: &Analysis, free: &mut NameSet) {
    if free.remove(a.dunder_class) {
        ste.needs_class_closure = true;
    }
    if free.remove(a.dunder_classdict) {
        ste.needs_classdict = true;
    }
    if let Some(c) = a.dunder_conditional {
        if free.remove(c) {
            ste.has_conditional_annotations = true;
        }
    }
}

/// `update_symbols`; `scopes` is parallel to the entry's symbols.
fn update_symbols(
    ste: &mut Entry,
    names: &crate::Names,
    scopes: &[Scope],
    bound: Option<&NameSet>,
    free: &NameSet,
    inlined_cells: &NameSet,
    classflag: bool,
) {
    let mut i = 0;
    ste.symbols.update_flags(|id, f| {
        if inlined_cells.contains(id) {
            *f |= DEF_COMP_CELL;
        }
        let scope = scopes.get(i).copied().unwrap_or(Scope::Unknown) as u32;
        *f |= scope << SCOPE_OFFSET;
        i += 1;
    });
    if free.is_empty() {
        return;
    }
    // Deterministic order for names not yet in the table: CPython iterates a set (hash order);
    // the flags are the same whatever the order, only the dict order differs.
    let mut extra: Vec<NameId> = free.ids();
    extra.sort_unstable_by(|&x, &y| names.get(x).cmp(names.get(y)));
    for id in extra {
        if let Some(f) = ste.symbols.get(names, id) {
            // 3.12: a free variable of a method that also exists in the class scope.
            if classflag {
                ste.symbols.set(names, id, f | DEF_FREE_CLASS);
            }
            continue;
        }
        if let Some(b) = bound {
            if !b.contains(id) {
                continue;
            }
        }
        ste.symbols.set(names, id, (Scope::Free as u32) << SCOPE_OFFSET);
    }
}

/// `is_free_in_any_child`.
fn is_free_in_any_child(st: &SymTable, entry: EntryId, id: NameId) -> bool {
    st.entries[entry].children.iter().any(|&c| st.entries[c].scope_id(&st.names, id) == Scope::Free)
}

/// `inline_comprehension`.
fn inline_comprehension(
    st: &mut SymTable,
    a: &Analysis,
    ste: EntryId,
    comp: EntryId,
    scopes: &mut Vec<Scope>,
    comp_free: &mut NameSet,
    inlined_cells: &mut NameSet,
) {
    let dunder_class = a.dunder_class;
    let n = st.entries[comp].symbols.len();
    let mut remove_dunder_class = false;
    for j in 0..n {
        let Some((id, comp_flags)) = st.entries[comp].symbols.at(j) else { continue };
        if comp_flags & DEF_PARAM != 0 {
            continue;
        }
        let mut scope = Scope::from_flags(comp_flags);
        let only_flags = comp_flags & ((1 << SCOPE_OFFSET) - 1);
        if scope == Scope::Cell || only_flags & DEF_COMP_CELL != 0 {
            inlined_cells.insert(id);
        }
        let existing = st.entries[ste].symbols.get(&st.names, id);
        if scope == Scope::Free && st.entries[ste].block_type == BlockType::Class && id == dunder_class {
            scope = Scope::GlobalImplicit;
            comp_free.remove(id);
            remove_dunder_class = true;
        }
        match existing {
            None => {
                st.entries[ste].symbols.set(&st.names, id, only_flags);
                scopes.push(scope);
            }
            Some(ex) => {
                // free vars in comprehension that are locals in outer scope can now simply be
                // locals, unless they are free in comp children, or the outer scope is a class
                if ex & DEF_BOUND != 0 && st.entries[ste].block_type != BlockType::Class && !is_free_in_any_child(st, comp, id) {
                    comp_free.remove(id);
                }
            }
        }
    }
    st.entries[comp].comp_inlined = true;
    if remove_dunder_class {
        st.entries[comp].symbols.remove(&st.names, dunder_class);
    }
}

/// `analyze_block`. `bound` is `None` at module level.
#[allow(clippy::too_many_arguments)]
fn analyze_block(
    st: &mut SymTable,
    a: &Analysis,
    ste: EntryId,
    bound: Option<&mut NameSet>,
    free: &mut NameSet,
    global: &mut NameSet,
    class_entry: Option<EntryId>,
    depth: u32,
) -> R {
    if depth > MAX_DEPTH {
        return Err(CompileError::recursion());
    }
    let nsyms = st.entries[ste].symbols.len();
    let mut local = NameSet::new(a.dense);
    // The scope of each symbol, by position (`scopes` of CPython, a dict keyed by name there).
    let mut scopes: Vec<Scope> = vec![Scope::Unknown; nsyms];
    let mut newglobal = NameSet::new(a.dense);
    let mut newfree = NameSet::new(a.dense);
    let mut newbound = NameSet::new(a.dense);
    let mut inlined_cells = NameSet::new(a.dense);
    let block_type = st.entries[ste].block_type;
    let mut bound = bound;

    if block_type == BlockType::Class {
        newglobal.union_with(global);
        if let Some(b) = bound.as_deref() {
            newbound.union_with(b);
        }
    }

    for i in 0..nsyms {
        let Some((id, f)) = st.entries[ste].symbols.at(i) else { continue };
        analyze_name(st, ste, &mut scopes, i, id, f, bound.as_deref_mut(), &mut local, free, global, class_entry)?;
    }

    if block_type != BlockType::Class {
        if block_type.is_function_like() {
            newbound.union_with(&local);
        }
        if let Some(b) = bound.as_deref() {
            newbound.union_with(b);
        }
        newglobal.union_with(global);
    } else {
        newbound.insert(a.dunder_class);
        newbound.insert(a.dunder_classdict);
        if let Some(c) = a.dunder_conditional {
            newbound.insert(c);
        }
    }

    let children = st.entries[ste].children.clone();
    for &child in &children {
        let mut new_class_entry = None;
        if st.entries[child].can_see_class_scope {
            if block_type == BlockType::Class {
                new_class_entry = Some(ste);
            } else if class_entry.is_some() {
                new_class_entry = class_entry;
            }
        }
        let inline_comp =
            a.inline_comprehensions && st.entries[child].comprehension != ComprehensionType::None && !st.entries[child].generator;
        // analyze_child_block: the child works on copies.
        let mut temp_bound = newbound.clone();
        let mut child_free = newfree.clone();
        let mut temp_global = newglobal.clone();
        analyze_block(st, a, child, Some(&mut temp_bound), &mut child_free, &mut temp_global, new_class_entry, depth + 1)?;
        if inline_comp {
            inline_comprehension(st, a, ste, child, &mut scopes, &mut child_free, &mut inlined_cells);
            st.entries[child].comp_inlined = true;
        }
        newfree.union_with(&child_free);
    }

    // Splice children of inlined comprehensions into our children list.
    let mut spliced = Vec::with_capacity(children.len());
    splice_children(st, &children, &mut spliced, 0);
    st.entries[ste].children = spliced;

    if block_type.is_function_like() {
        analyze_cells(&st.entries[ste], &mut scopes, &mut newfree, &inlined_cells);
    } else if block_type == BlockType::Class {
        drop_class_free(&mut st.entries[ste], a, &mut newfree);
    }
    let classflag = block_type == BlockType::Class || st.entries[ste].can_see_class_scope;
    let SymTable { entries, names, .. } = st;
    update_symbols(&mut entries[ste], names, &scopes, bound.as_deref(), &newfree, &inlined_cells, classflag);
    free.union_with(&newfree);
    Ok(())
}

fn splice_children(st: &SymTable, children: &[EntryId], out: &mut Vec<EntryId>, depth: u32) {
    for &c in children {
        if st.entries[c].comp_inlined && depth < MAX_DEPTH {
            // Its children were already spliced when it was analysed.
            splice_children(st, &st.entries[c].children, out, depth + 1);
            // keep the comprehension's own entry reachable through `blocks` only
        } else {
            out.push(c);
        }
    }
}
