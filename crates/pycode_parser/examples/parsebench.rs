//! Throughput of the own parser (docs/parser.md §5), the Rust side of `bench/ast_bench.py`.
//!
//! `parsebench [--release 3.12.7] [--reps N] [--stage full|lex|null|arena|arena-reused] LIST`: reads every file named in
//! LIST (one path a line) into memory, then runs N passes over them and prints one line
//! `best_cpu S best_wall S bytes B files N ok K` (CPU time of this thread).
//! Stages: `full` is source bytes → finished `pycode_ast` tree, dropped (`pycode_parser::parse`:
//! decode, prepare, tokens, rules, builder, drop); `lex` is decode + prepare + every token;
//! `null` is `full` with a builder that builds nothing (the rules' own cost); `arena` is `full`
//! building the arena tree (`pycode_parser::parse_arena`: node pools and ids) instead;
//! `arena-reused` the same with one arena for all files, cleared between them
//! (`parse_arena_in`, as a worker thread would use it).
//! The pass is one out-of-line function, so `valgrind --tool=callgrind
//! --toggle-collect=*bench_pass* parsebench --reps 1 ...` counts exactly it.

/// The allocator of the `pycode` binary (the same source file), so that numbers match the CLI's.
#[path = "../../pycode_cli/src/alloc.rs"]
mod alloc;

#[global_allocator]
static GLOBAL: alloc::PycodeAlloc = alloc::PycodeAlloc;

#[path = "support/cpu_time.rs"]
mod cpu_time;
use cpu_time::thread_cpu_time;
use pycode_ast::{BoolOp, CmpOp, Constant, ExprContext, Operator, Pos, PyMinor, UnaryOp};
use pycode_release::Release;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    Full,
    Lex,
    Null,
    Arena,
    ArenaReused,
}

/// Builds nothing (every node is `()`): the parser's own cost, for the split of the numbers.
struct NullBuilder;

#[allow(clippy::too_many_arguments, unused_variables)]
impl pycode_parser::AstBuilder for NullBuilder {
    type Mod = ();
    type Stmt = ();
    type Expr = ();
    type Pattern = ();
    type Arg = ();
    type Arguments = ();
    type Keyword = ();
    type Alias = ();
    type WithItem = ();
    type MatchCase = ();
    type ExceptHandler = ();
    type Comprehension = ();
    type TypeParam = ();
    type Ident = ();
    fn ident(&mut self, s: &str) -> Self::Ident {}
    fn module(&mut self, body: Vec<Self::Stmt>) -> Self::Mod {}
    fn interactive(&mut self, body: Vec<Self::Stmt>) -> Self::Mod {}
    fn expression(&mut self, body: Self::Expr) -> Self::Mod {}
    fn function_type(&mut self, argtypes: Vec<Self::Expr>, returns: Self::Expr) -> Self::Mod {}
    fn function_def(
        &mut self,
        is_async: bool,
        name: Self::Ident,
        args: Self::Arguments,
        body: Vec<Self::Stmt>,
        decorator_list: Vec<Self::Expr>,
        returns: Option<Self::Expr>,
        type_params: Vec<Self::TypeParam>,
        pos: Pos,
    ) -> Self::Stmt {
    }
    fn class_def(
        &mut self,
        name: Self::Ident,
        bases: Vec<Self::Expr>,
        keywords: Vec<Self::Keyword>,
        body: Vec<Self::Stmt>,
        decorator_list: Vec<Self::Expr>,
        type_params: Vec<Self::TypeParam>,
        pos: Pos,
    ) -> Self::Stmt {
    }
    fn return_(&mut self, value: Option<Self::Expr>, pos: Pos) -> Self::Stmt {}
    fn delete(&mut self, targets: Vec<Self::Expr>, pos: Pos) -> Self::Stmt {}
    fn assign(&mut self, targets: Vec<Self::Expr>, value: Self::Expr, pos: Pos) -> Self::Stmt {}
    fn type_alias(&mut self, name: Self::Expr, type_params: Vec<Self::TypeParam>, value: Self::Expr, pos: Pos) -> Self::Stmt {}
    fn aug_assign(&mut self, target: Self::Expr, op: Operator, value: Self::Expr, pos: Pos) -> Self::Stmt {}
    fn ann_assign(&mut self, target: Self::Expr, annotation: Self::Expr, value: Option<Self::Expr>, simple: bool, pos: Pos) -> Self::Stmt {}
    fn for_(
        &mut self,
        is_async: bool,
        target: Self::Expr,
        iter: Self::Expr,
        body: Vec<Self::Stmt>,
        orelse: Vec<Self::Stmt>,
        pos: Pos,
    ) -> Self::Stmt {
    }
    fn while_(&mut self, test: Self::Expr, body: Vec<Self::Stmt>, orelse: Vec<Self::Stmt>, pos: Pos) -> Self::Stmt {}
    fn if_(&mut self, test: Self::Expr, body: Vec<Self::Stmt>, orelse: Vec<Self::Stmt>, pos: Pos) -> Self::Stmt {}
    fn with(&mut self, is_async: bool, items: Vec<Self::WithItem>, body: Vec<Self::Stmt>, pos: Pos) -> Self::Stmt {}
    fn match_(&mut self, subject: Self::Expr, cases: Vec<Self::MatchCase>, pos: Pos) -> Self::Stmt {}
    fn raise(&mut self, exc: Option<Self::Expr>, cause: Option<Self::Expr>, pos: Pos) -> Self::Stmt {}
    fn try_(
        &mut self,
        star: bool,
        body: Vec<Self::Stmt>,
        handlers: Vec<Self::ExceptHandler>,
        orelse: Vec<Self::Stmt>,
        finalbody: Vec<Self::Stmt>,
        pos: Pos,
    ) -> Self::Stmt {
    }
    fn assert(&mut self, test: Self::Expr, msg: Option<Self::Expr>, pos: Pos) -> Self::Stmt {}
    fn import(&mut self, names: Vec<Self::Alias>, is_lazy: bool, pos: Pos) -> Self::Stmt {}
    fn import_from(&mut self, module: Option<Self::Ident>, names: Vec<Self::Alias>, level: u32, is_lazy: bool, pos: Pos) -> Self::Stmt {}
    fn global(&mut self, names: Vec<Self::Ident>, pos: Pos) -> Self::Stmt {}
    fn nonlocal(&mut self, names: Vec<Self::Ident>, pos: Pos) -> Self::Stmt {}
    fn expr_stmt(&mut self, value: Self::Expr, pos: Pos) -> Self::Stmt {}
    fn pass(&mut self, pos: Pos) -> Self::Stmt {}
    fn break_(&mut self, pos: Pos) -> Self::Stmt {}
    fn continue_(&mut self, pos: Pos) -> Self::Stmt {}
    fn bool_op(&mut self, op: BoolOp, values: Vec<Self::Expr>, pos: Pos) -> Self::Expr {}
    fn named_expr(&mut self, target: Self::Expr, value: Self::Expr, pos: Pos) -> Self::Expr {}
    fn bin_op(&mut self, left: Self::Expr, op: Operator, right: Self::Expr, pos: Pos) -> Self::Expr {}
    fn unary_op(&mut self, op: UnaryOp, operand: Self::Expr, pos: Pos) -> Self::Expr {}
    fn lambda(&mut self, args: Self::Arguments, body: Self::Expr, pos: Pos) -> Self::Expr {}
    fn if_exp(&mut self, test: Self::Expr, body: Self::Expr, orelse: Self::Expr, pos: Pos) -> Self::Expr {}
    fn dict(&mut self, keys: Vec<Option<Self::Expr>>, values: Vec<Self::Expr>, pos: Pos) -> Self::Expr {}
    fn set(&mut self, elts: Vec<Self::Expr>, pos: Pos) -> Self::Expr {}
    fn list_comp(&mut self, elt: Self::Expr, generators: Vec<Self::Comprehension>, pos: Pos) -> Self::Expr {}
    fn set_comp(&mut self, elt: Self::Expr, generators: Vec<Self::Comprehension>, pos: Pos) -> Self::Expr {}
    fn dict_comp(&mut self, key: Self::Expr, value: Self::Expr, generators: Vec<Self::Comprehension>, pos: Pos) -> Self::Expr {}
    fn dict_comp_unpack(&mut self, key: Self::Expr, generators: Vec<Self::Comprehension>, pos: Pos) -> Self::Expr {}
    fn generator_exp(&mut self, elt: Self::Expr, generators: Vec<Self::Comprehension>, pos: Pos) -> Self::Expr {}
    fn await_(&mut self, value: Self::Expr, pos: Pos) -> Self::Expr {}
    fn yield_(&mut self, value: Option<Self::Expr>, pos: Pos) -> Self::Expr {}
    fn yield_from(&mut self, value: Self::Expr, pos: Pos) -> Self::Expr {}
    fn compare(&mut self, left: Self::Expr, ops: Vec<CmpOp>, comparators: Vec<Self::Expr>, pos: Pos) -> Self::Expr {}
    fn call(&mut self, func: Self::Expr, args: Vec<Self::Expr>, keywords: Vec<Self::Keyword>, pos: Pos) -> Self::Expr {}
    fn formatted_value(&mut self, value: Self::Expr, conversion: i32, format_spec: Option<Self::Expr>, pos: Pos) -> Self::Expr {}
    fn interpolation(&mut self, value: Self::Expr, text: &str, conversion: i32, format_spec: Option<Self::Expr>, pos: Pos) -> Self::Expr {}
    fn joined_str(&mut self, values: Vec<Self::Expr>, pos: Pos) -> Self::Expr {}
    fn template_str(&mut self, values: Vec<Self::Expr>, pos: Pos) -> Self::Expr {}
    fn constant(&mut self, value: Constant, kind_u: bool, pos: Pos) -> Self::Expr {}
    fn attribute(&mut self, value: Self::Expr, attr: Self::Ident, ctx: ExprContext, pos: Pos) -> Self::Expr {}
    fn subscript(&mut self, value: Self::Expr, slice: Self::Expr, ctx: ExprContext, pos: Pos) -> Self::Expr {}
    fn starred(&mut self, value: Self::Expr, ctx: ExprContext, pos: Pos) -> Self::Expr {}
    fn name(&mut self, id: Self::Ident, ctx: ExprContext, pos: Pos) -> Self::Expr {}
    fn list(&mut self, elts: Vec<Self::Expr>, ctx: ExprContext, pos: Pos) -> Self::Expr {}
    fn tuple(&mut self, elts: Vec<Self::Expr>, ctx: ExprContext, pos: Pos) -> Self::Expr {}
    fn slice(&mut self, lower: Option<Self::Expr>, upper: Option<Self::Expr>, step: Option<Self::Expr>, pos: Pos) -> Self::Expr {}
    fn set_context(&mut self, e: Self::Expr, ctx: ExprContext) -> Self::Expr {}
    fn expr_view(&self, e: &Self::Expr) -> pycode_parser::builder::ExprView<()> {
        pycode_parser::builder::ExprView { tag: pycode_parser::builder::ExprTag::Name, pos: Pos::default(), children: Vec::new() }
    }
    fn comprehension(&mut self, target: Self::Expr, iter: Self::Expr, ifs: Vec<Self::Expr>, is_async: bool) -> Self::Comprehension {}
    fn except_handler(
        &mut self,
        type_: Option<Self::Expr>,
        name: Option<Self::Ident>,
        body: Vec<Self::Stmt>,
        pos: Pos,
    ) -> Self::ExceptHandler {
    }
    fn arguments(
        &mut self,
        posonlyargs: Vec<Self::Arg>,
        args: Vec<Self::Arg>,
        vararg: Option<Self::Arg>,
        kwonlyargs: Vec<Self::Arg>,
        kw_defaults: Vec<Option<Self::Expr>>,
        kwarg: Option<Self::Arg>,
        defaults: Vec<Self::Expr>,
    ) -> Self::Arguments {
    }
    fn arg(&mut self, arg: Self::Ident, annotation: Option<Self::Expr>, pos: Pos) -> Self::Arg {}
    fn keyword(&mut self, arg: Option<Self::Ident>, value: Self::Expr, pos: Pos) -> Self::Keyword {}
    fn alias(&mut self, name: Self::Ident, asname: Option<Self::Ident>, pos: Pos) -> Self::Alias {}
    fn with_item(&mut self, context_expr: Self::Expr, optional_vars: Option<Self::Expr>) -> Self::WithItem {}
    fn match_case(&mut self, pattern: Self::Pattern, guard: Option<Self::Expr>, body: Vec<Self::Stmt>) -> Self::MatchCase {}
    fn match_value(&mut self, value: Self::Expr, pos: Pos) -> Self::Pattern {}
    fn match_singleton(&mut self, value: Constant, pos: Pos) -> Self::Pattern {}
    fn match_sequence(&mut self, patterns: Vec<Self::Pattern>, pos: Pos) -> Self::Pattern {}
    fn match_mapping(&mut self, keys: Vec<Self::Expr>, patterns: Vec<Self::Pattern>, rest: Option<Self::Ident>, pos: Pos) -> Self::Pattern {
    }
    fn match_class(
        &mut self,
        cls: Self::Expr,
        patterns: Vec<Self::Pattern>,
        kwd_attrs: Vec<Self::Ident>,
        kwd_patterns: Vec<Self::Pattern>,
        pos: Pos,
    ) -> Self::Pattern {
    }
    fn match_star(&mut self, name: Option<Self::Ident>, pos: Pos) -> Self::Pattern {}
    fn match_as(&mut self, pattern: Option<Self::Pattern>, name: Option<Self::Ident>, pos: Pos) -> Self::Pattern {}
    fn match_or(&mut self, patterns: Vec<Self::Pattern>, pos: Pos) -> Self::Pattern {}
    fn type_var(&mut self, name: Self::Ident, bound: Option<Self::Expr>, default_value: Option<Self::Expr>, pos: Pos) -> Self::TypeParam {}
    fn param_spec(&mut self, name: Self::Ident, default_value: Option<Self::Expr>, pos: Pos) -> Self::TypeParam {}
    fn type_var_tuple(&mut self, name: Self::Ident, default_value: Option<Self::Expr>, pos: Pos) -> Self::TypeParam {}
}

fn lex_only(src: &[u8], minor: PyMinor) -> bool {
    let Ok(text) = pycode_parse::decode::decode_source(src, minor) else { return false };
    let prepared = pycode_lexer::prepare(text.as_bytes(), true);
    let cfg = pycode_lexer::Config::parser(pycode_parser::Grammar::new(minor).lexer_minor);
    let mut lx = pycode_lexer::Lexer::new(&prepared, cfg);
    loop {
        match lx.next_token() {
            Ok(t) if t.kind == pycode_lexer::TokKind::ENDMARKER => return true,
            Ok(t) => {
                std::hint::black_box(t);
            }
            Err(_) => return false,
        }
    }
}

#[inline(never)]
fn bench_pass(files: &[Vec<u8>], opts: &pycode_parser::Options, stage: Stage) -> usize {
    let mut ok = 0;
    let mut ast = pycode_ast::arena::Ast::default();
    for f in files {
        let good = match stage {
            Stage::Full => pycode_parser::parse(std::hint::black_box(f), opts).is_ok(),
            Stage::Lex => lex_only(std::hint::black_box(f), opts.minor),
            Stage::Null => pycode_parser::parse_with(std::hint::black_box(f), opts, NullBuilder).is_ok(),
            Stage::Arena => pycode_parser::parse_arena(std::hint::black_box(f), opts).is_ok(),
            Stage::ArenaReused => pycode_parser::parse_arena_in(std::hint::black_box(f), opts, &mut ast).is_ok(),
        };
        ok += usize::from(good);
    }
    ok
}

fn main() {
    alloc::configure();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut release = Release::V3_12_7;
    let mut reps = 5usize;
    let mut stage = Stage::Full;
    let mut list = None;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--release" => {
                i += 1;
                release = args.get(i).and_then(|s| Release::parse(s).ok()).expect("unknown release");
            }
            "--reps" => {
                i += 1;
                reps = args.get(i).and_then(|s| s.parse().ok()).unwrap_or(5);
            }
            "--stage" => {
                i += 1;
                stage = match args.get(i).map(String::as_str) {
                    Some("lex") => Stage::Lex,
                    Some("null") => Stage::Null,
                    Some("arena") => Stage::Arena,
                    Some("arena-reused") => Stage::ArenaReused,
                    _ => Stage::Full,
                };
            }
            p => list = Some(p.to_string()),
        }
        i += 1;
    }
    let list = list.expect("LIST");
    let files: Vec<Vec<u8>> = std::fs::read_to_string(&list).expect("read LIST").lines().filter_map(|p| std::fs::read(p).ok()).collect();
    let total: usize = files.iter().map(Vec::len).sum();
    let opts = pycode_parser::Options::for_release(release, pycode_parser::Mode::Exec, false);
    let (mut best_cpu, mut best_wall, mut ok) = (f64::MAX, f64::MAX, 0);
    for _ in 0..reps.max(1) {
        let w = std::time::Instant::now();
        let c = thread_cpu_time();
        ok = bench_pass(&files, &opts, stage);
        best_cpu = best_cpu.min(thread_cpu_time() - c);
        best_wall = best_wall.min(w.elapsed().as_secs_f64());
    }
    println!("best_cpu {best_cpu:.6} best_wall {best_wall:.6} bytes {total} files {} ok {ok}", files.len());
}
