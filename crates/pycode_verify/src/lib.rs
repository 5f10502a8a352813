//! `pycode_verify`: decides whether a code object of a CPython release can be loaded and run
//! without breaking an assumption CPython's interpreter makes and does not check.
//!
//! CPython has no bytecode verifier: its interpreter trusts `co_code`, the operand indices, the
//! stack size and the exception table. Code that breaks those assumptions reads or writes out
//! of bounds. [`verify`] checks, for the root and every nested code object:
//!
//! - **types**: the fields hold the types the interpreter casts them to (`bytes` code, `str`
//!   names, tuples), and the signature counts fit the locals;
//! - **instructions**: every opcode exists in that release and is neither specialized nor
//!   instrumented; `EXTENDED_ARG` prefixes; the inline `CACHE` units each opcode has;
//! - **operands**: constant, name, local, cell/free, comparison, intrinsic, binary-operator,
//!   special-method and common-constant indices in range; cell/free operands naming a cell or a
//!   free variable;
//! - **jumps**: targets on instruction boundaries inside the code;
//! - **stack**: along every path, exception edges included, the depth never drops below zero
//!   and never exceeds `co_stacksize`; no path runs off the end of the code; paths that meet
//!   agree on the depth. For 3.11–3.13 (the releases whose interpreters this project runs and
//!   checks these rules against, see tools/verify_mutants.py) the stack and the locals are
//!   *typed* (`typed.rs`): each slot holds the kinds of value its producers guarantee (NULL, an
//!   exception, the state PUSH_EXC_INFO saved, a handler's lasti, list / set / dict / tuple (of
//!   str, of cells, with its length), code object, function with or without its closure, cell,
//!   iterator, type parameter), merged where paths meet, and every instruction's inputs are
//!   checked against what CPython's release build assumes without checking: how deep it reads,
//!   NULL only in a call's method/self slot, the container `LIST_APPEND` & co. cast to, an
//!   exception for `RERAISE`/`PUSH_EXC_INFO`/`WITH_EXCEPT_START`/..., a saved state for
//!   `POP_EXCEPT`, lasti for `RERAISE n`, an iterator for `FOR_ITER` (whose target must be the
//!   `END_FOR` CPython skips), a closure of exactly the free variables and defaults no longer
//!   than the parameters for `MAKE_FUNCTION`/`SET_FUNCTION_ATTRIBUTE`, cells for `*_DEREF`,
//!   bound locals for `LOAD_FAST` (3.12+), `YIELD_VALUE` only after `RETURN_GENERATOR`;
//! - **exception table**: entries decode, are sorted and disjoint, cover whole instructions,
//!   land on instructions, and their depth is within the stack at every covered instruction;
//! - **line table**: decodes and covers exactly the code;
//! - **locals**: `co_localsplusnames` / kinds agree; kinds use only that release's bits;
//! - **flags**: code that yields or returns a generator is flagged as a generator/coroutine;
//!   3.11's `LOAD_CLASSDEREF` only where the frame has a locals mapping (not CO_OPTIMIZED).
//!
//! Limits: for 3.14 and 3.15 stack effects are the net ones `dis.stack_effect` gives and values
//! are not typed (no native interpreter here to confirm their assumptions against). Values the
//! compiler's own callers provide are trusted: a comprehension's `.0` argument is taken to be an
//! iterator, a `<generic parameters of f>` function's `.defaults` a tuple of the right length,
//! and 3.12+'s `INTRINSIC_SUBSCRIPT_GENERIC` accepts a value of unknown kind (the compiler passes
//! it through a cell). Tracing functions that raise at instructions CPython itself assumes
//! cannot raise (`PUSH_EXC_INFO`) are outside the model.
//!
//! Library functions never panic: every index is checked.

use std::collections::VecDeque;
use std::fmt;

mod typed;

use pycode_object::{Code, Obj, ObjId, ObjectGraph};
use pycode_release::{OpFlags, OpcodeTable, Release};

/// Which rule a [`Violation`] breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rule {
    /// A field has the wrong type or an impossible value.
    Type,
    /// An opcode the release lacks, or a specialized / instrumented / pseudo one.
    Opcode,
    /// Inline cache units missing or not `CACHE`, or `EXTENDED_ARG` misplaced.
    Encoding,
    /// An operand index out of range or of the wrong kind.
    Operand,
    /// A jump target outside the code or not on an instruction.
    Jump,
    /// Stack depth below zero, above `co_stacksize`, inconsistent, or running off the end.
    Stack,
    /// A malformed or inconsistent exception table.
    ExceptionTable,
    /// A line/position table that does not decode or does not cover the code.
    LineTable,
    /// `co_localsplusnames` / `co_localspluskinds` / signature counts disagree.
    Locals,
    /// Flags that disagree with the code.
    Flags,
    /// Code objects nested too deeply.
    Nesting,
}

impl Rule {
    /// The rule's name as `pycode verify` prints it.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Type => "type",
            Rule::Opcode => "opcode",
            Rule::Encoding => "encoding",
            Rule::Operand => "operand",
            Rule::Jump => "jump",
            Rule::Stack => "stack",
            Rule::ExceptionTable => "exception-table",
            Rule::LineTable => "line-table",
            Rule::Locals => "locals",
            Rule::Flags => "flags",
            Rule::Nesting => "nesting",
        }
    }
}

/// One broken rule: in which code object (its qualified name, with the path of enclosing code
/// objects), at which bytecode offset, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub code: String,
    pub offset: Option<usize>,
    pub rule: Rule,
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.offset {
            Some(o) => write!(f, "{} at offset {}: {}: {}", self.code, o, self.rule.name(), self.detail),
            None => write!(f, "{}: {}: {}", self.code, self.rule.name(), self.detail),
        }
    }
}

/// Nested code objects deeper than this are refused (CPython's compiler never gets near).
const MAX_NESTING: usize = 200;

const CO_OPTIMIZED: u32 = 0x1;
const CO_VARARGS: u32 = 0x4;
const CO_VARKEYWORDS: u32 = 0x8;
const CO_GENERATOR: u32 = 0x20;
const CO_COROUTINE: u32 = 0x80;
const CO_ITERABLE_COROUTINE: u32 = 0x100;
const CO_ASYNC_GENERATOR: u32 = 0x200;

const KIND_HIDDEN: u8 = 0x10;
const KIND_LOCAL: u8 = 0x20;
const KIND_CELL: u8 = 0x40;
const KIND_FREE: u8 = 0x80;

/// Checks the code object `root` of `graph` (and every code object in its constants) for
/// `release`. Empty when CPython `release` can run it safely as far as these rules go.
pub fn verify(graph: &ObjectGraph, root: ObjId, release: Release) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut stack = vec![(root, String::new(), 0usize)];
    while let Some((id, parent, depth)) = stack.pop() {
        let Some(Obj::Code(code)) = graph.get(id) else {
            out.push(Violation { code: parent, offset: None, rule: Rule::Type, detail: "not a code object".into() });
            continue;
        };
        let name = graph.str(code.qualname).map(|s| s.to_string_lossy()).unwrap_or_else(|| "?".into());
        let path = if parent.is_empty() { name } else { format!("{parent} > {name}") };
        if depth > MAX_NESTING {
            out.push(Violation { code: path, offset: None, rule: Rule::Nesting, detail: "code objects nested too deeply".into() });
            continue;
        }
        let mut v = Verifier { graph, code, t: release.opcodes(), release, path: path.clone(), out: &mut out };
        v.run();
        if let Some(consts) = graph.tuple(code.consts) {
            for &c in consts.iter().rev() {
                if matches!(graph.get(c), Some(Obj::Code(_))) {
                    stack.push((c, path.clone(), depth + 1));
                }
            }
        }
    }
    out
}

/// Reads a `.pyc` file and verifies its code for the release its header names.
pub fn verify_pyc(data: &[u8]) -> Result<(Release, Vec<Violation>), pycode_marshal::PycError> {
    let pyc = pycode_marshal::read_pyc(data)?;
    let release = pyc.release();
    Ok((release, verify(&pyc.graph, pyc.root, release)))
}

/// One decoded instruction.
#[derive(Clone, Copy, Debug)]
struct Ins {
    /// Offset of the opcode byte (after any `EXTENDED_ARG` prefixes).
    offset: usize,
    /// Offset where its `EXTENDED_ARG` prefixes start (jumps land there).
    start: usize,
    op: u8,
    arg: u32,
    /// Offset of the next instruction (after the inline caches).
    next: usize,
}

/// The index of the instruction starting at `offset` (decoded instructions are sorted by it).
fn index_of(ins: &[Ins], offset: usize) -> Option<usize> {
    ins.binary_search_by_key(&offset, |x| x.start).ok()
}

/// Whether an instruction starts at `offset` (where jumps and handlers may land).
fn is_boundary(ins: &[Ins], offset: usize) -> bool {
    index_of(ins, offset).is_some()
}

struct Verifier<'a, 'g> {
    graph: &'g ObjectGraph,
    code: &'g Code,
    t: &'static OpcodeTable,
    release: Release,
    path: String,
    out: &'a mut Vec<Violation>,
}

impl Verifier<'_, '_> {
    fn bad(&mut self, offset: Option<usize>, rule: Rule, detail: impl Into<String>) {
        self.out.push(Violation { code: self.path.clone(), offset, rule, detail: detail.into() });
    }

    fn op(&self, name: &str) -> Option<u8> {
        self.t.opmap(name).and_then(|o| u8::try_from(o).ok())
    }

    fn is(&self, op: u8, names: &[&str]) -> bool {
        names.iter().any(|n| self.op(n) == Some(op))
    }

    fn run(&mut self) {
        let c = self.code;
        let g = self.graph;
        let Some(bytecode) = g.bytes(c.code) else { return self.bad(None, Rule::Type, "co_code is not bytes") };
        let Some(consts) = g.tuple(c.consts) else { return self.bad(None, Rule::Type, "co_consts is not a tuple") };
        let Some(names) = g.tuple(c.names) else { return self.bad(None, Rule::Type, "co_names is not a tuple") };
        let Some(lp_names) = g.tuple(c.localsplusnames) else {
            return self.bad(None, Rule::Type, "co_localsplusnames is not a tuple");
        };
        let Some(kinds) = g.bytes(c.localspluskinds) else { return self.bad(None, Rule::Type, "co_localspluskinds is not bytes") };
        let Some(linetable) = g.bytes(c.linetable) else { return self.bad(None, Rule::Type, "co_linetable is not bytes") };
        let Some(exctable) = g.bytes(c.exceptiontable) else {
            return self.bad(None, Rule::Type, "co_exceptiontable is not bytes");
        };
        for (what, id) in [("co_filename", c.filename), ("co_name", c.name), ("co_qualname", c.qualname)] {
            if g.str(id).is_none() {
                self.bad(None, Rule::Type, format!("{what} is not a str"));
            }
        }
        if names.iter().any(|&n| g.str(n).is_none()) {
            self.bad(None, Rule::Type, "co_names holds a non-str");
        }
        if lp_names.iter().any(|&n| g.str(n).is_none()) {
            self.bad(None, Rule::Type, "co_localsplusnames holds a non-str");
        }
        if bytecode.is_empty() || bytecode.len() % 2 != 0 {
            return self.bad(None, Rule::Type, format!("co_code has {} bytes (a positive even number is needed)", bytecode.len()));
        }
        self.check_locals(lp_names.len(), kinds);
        let Some(ins) = self.decode(bytecode) else { return };
        self.check_operands(&ins, consts.len(), names.len(), kinds);
        self.check_flags(&ins);
        self.check_sequences(&ins, kinds);
        self.check_const_operands(&ins, consts);
        self.check_linetable(linetable, bytecode.len() / 2);
        let handlers = self.check_exception_table(exctable, &ins, bytecode.len());
        match self.release.minor() {
            (3, 11..=13) => self.check_typed(&ins, &handlers, bytecode.len(), kinds, consts, lp_names),
            _ => self.check_stack(&ins, &handlers, bytecode.len()),
        }
    }

    fn check_locals(&mut self, nnames: usize, kinds: &[u8]) {
        let c = self.code;
        if nnames != kinds.len() {
            self.bad(None, Rule::Locals, format!("{nnames} localsplus names but {} kinds", kinds.len()));
        }
        let allowed: u8 = if self.release.at_least(3, 14) {
            0xFE
        } else if self.release.at_least(3, 12) {
            0xF0
        } else {
            0xE0
        };
        if let Some(k) = kinds.iter().find(|&&k| k & !allowed != 0 || k & (KIND_LOCAL | KIND_CELL | KIND_FREE) == 0) {
            self.bad(None, Rule::Locals, format!("localsplus kind {k:#04x} is not one this release writes"));
        }
        let nlocals = kinds.iter().filter(|&&k| k & KIND_LOCAL != 0).count();
        let counts = [c.argcount, c.posonlyargcount, c.kwonlyargcount, c.stacksize];
        if counts.iter().any(|&n| n < 0) {
            return self.bad(None, Rule::Type, "negative argument count or stack size");
        }
        let star = usize::from(c.flags & CO_VARARGS != 0) + usize::from(c.flags & CO_VARKEYWORDS != 0);
        let args = c.argcount as usize + c.kwonlyargcount as usize + star;
        if c.posonlyargcount > c.argcount {
            self.bad(None, Rule::Locals, "co_posonlyargcount exceeds co_argcount");
        }
        if args > nlocals {
            self.bad(None, Rule::Locals, format!("{args} arguments but {nlocals} locals"));
        }
        if let Some(first_nonlocal) = kinds.iter().take(args).position(|&k| k & KIND_LOCAL == 0 || k & KIND_HIDDEN != 0) {
            self.bad(None, Rule::Locals, format!("argument {first_nonlocal} is not a plain local"));
        }
    }

    /// Decodes `co_code`, checking opcodes, `EXTENDED_ARG` and caches.
    fn decode(&mut self, code: &[u8]) -> Option<Vec<Ins>> {
        let t = self.t;
        let mut out = Vec::with_capacity(code.len() / 2);
        let mut i = 0usize;
        let mut ext: u32 = 0;
        let mut prefix_start: Option<usize> = None;
        let mut ok = true;
        while let (Some(&op), Some(&arg)) = (code.get(i), code.get(i + 1)) {
            let name = t.opname.get(usize::from(op)).copied().unwrap_or("<?>");
            if name.starts_with('<') || op == t.cache {
                self.bad(Some(i), Rule::Opcode, format!("opcode {op} does not exist in CPython {}", self.release));
                return None;
            }
            if matches!(name, "INTERPRETER_EXIT" | "RESERVED" | "ENTER_EXECUTOR") {
                self.bad(Some(i), Rule::Opcode, format!("{name} cannot appear in a code object"));
                ok = false;
            }
            if t.min_instrumented_opcode.is_some_and(|m| op >= m) {
                self.bad(Some(i), Rule::Opcode, format!("{name} is an instrumented opcode"));
                ok = false;
            }
            if t.deopt.get(usize::from(op)).is_some_and(|&d| d != op) || t.has(u16::from(op), OpFlags::SPECIALIZED) {
                self.bad(Some(i), Rule::Opcode, format!("{name} is a specialized opcode"));
                ok = false;
            }
            let full = if t.has_arg(u16::from(op)) { (ext << 8) | u32::from(arg) } else { 0 };
            if op == t.extended_arg {
                if ext > 0x00FF_FFFF {
                    self.bad(Some(i), Rule::Encoding, "more than three EXTENDED_ARG prefixes");
                    return None;
                }
                ext = full;
                prefix_start.get_or_insert(i);
                i += 2;
                continue;
            }
            let caches = usize::from(t.cache_size(op));
            let next = i + 2 + 2 * caches;
            for k in 0..caches {
                let at = i + 2 + 2 * k;
                match code.get(at) {
                    None => {
                        self.bad(Some(i), Rule::Encoding, format!("{name} needs {caches} cache units; the code ends first"));
                        return None;
                    }
                    Some(&b) if b != t.cache => {
                        self.bad(Some(at), Rule::Encoding, format!("{name}'s cache unit {k} is not CACHE"));
                        ok = false;
                    }
                    Some(_) => {}
                }
            }
            out.push(Ins { offset: i, start: prefix_start.take().unwrap_or(i), op, arg: full, next });
            ext = 0;
            i = next;
        }
        if prefix_start.is_some() {
            self.bad(Some(code.len().saturating_sub(2)), Rule::Encoding, "EXTENDED_ARG at the end of the code");
            ok = false;
        }
        ok.then_some(out)
    }

    fn check_operands(&mut self, ins: &[Ins], nconsts: usize, nnames: usize, kinds: &[u8]) {
        let t = self.t;
        let minor = self.release.minor();
        let nlp = kinds.len();
        for x in ins {
            let op = u16::from(x.op);
            let name = t.opname.get(usize::from(x.op)).copied().unwrap_or("?");
            let arg = x.arg as usize;
            let check = |this: &mut Self, what: &str, index: usize, len: usize| {
                if index >= len {
                    this.bad(Some(x.offset), Rule::Operand, format!("{name}: {what} index {index} out of range ({len})"));
                }
            };
            if t.has(op, OpFlags::HAS_CONST) && name != "LOAD_SMALL_INT" {
                check(self, "co_consts", arg, nconsts);
            }
            if t.has(op, OpFlags::HAS_NAME) {
                let index = match name {
                    "LOAD_GLOBAL" => arg >> 1,
                    "LOAD_ATTR" if minor >= (3, 12) => arg >> 1,
                    "LOAD_SUPER_ATTR" => arg >> 2,
                    // 3.15: bit 0 `lazy import`, bit 1 eager.
                    "IMPORT_NAME" if minor >= (3, 15) => arg >> 2,
                    _ => arg,
                };
                check(self, "co_names", index, nnames);
            }
            if t.has(op, OpFlags::HAS_LOCAL) {
                if name.ends_with("_LOAD_FAST") || name.ends_with("_STORE_FAST") || name.ends_with("_LOAD_FAST_BORROW") {
                    check(self, "localsplus", arg >> 4, nlp);
                    check(self, "localsplus", arg & 15, nlp);
                } else {
                    check(self, "localsplus", arg, nlp);
                }
            }
            if t.has(op, OpFlags::HAS_FREE) {
                match kinds.get(arg) {
                    None => check(self, "localsplus", arg, nlp),
                    Some(&k) if k & (KIND_CELL | KIND_FREE) == 0 && name != "MAKE_CELL" => {
                        self.bad(Some(x.offset), Rule::Operand, format!("{name}: localsplus {arg} is not a cell or free variable"))
                    }
                    // 3.13.0's compiler makes a cell of a free variable when a comprehension in
                    // a type parameter's scope reuses the parameter's name (test_type_params).
                    Some(&k) if name == "MAKE_CELL" && k & KIND_CELL == 0 && !(minor == (3, 13) && k & KIND_FREE != 0) => {
                        self.bad(Some(x.offset), Rule::Operand, format!("MAKE_CELL: localsplus {arg} is not a cell"))
                    }
                    Some(_) => {}
                }
            }
            if t.has(op, OpFlags::HAS_COMPARE) || name == "COMPARE_OP" {
                let index = match minor {
                    (3, 11) => arg,
                    (3, 12) => arg >> 4,
                    _ => arg >> 5,
                };
                check(self, "cmp_op", index, t.cmp_op.len());
            }
            let table_len = match name {
                "BINARY_OP" => Some(t.nb_ops.len()),
                "CALL_INTRINSIC_1" => t.intrinsic_1_descs.map(<[_]>::len),
                "CALL_INTRINSIC_2" => t.intrinsic_2_descs.map(<[_]>::len),
                "LOAD_SPECIAL" => t.special_method_names.map(<[_]>::len),
                "LOAD_COMMON_CONSTANT" => t.common_constants.map(<[_]>::len),
                _ => None,
            };
            if let Some(len) = table_len {
                check(self, "operator", arg, len);
            }
            // Intrinsic 0 is the invalid one: 3.12's table has no function there.
            if matches!(name, "CALL_INTRINSIC_1" | "CALL_INTRINSIC_2") && arg == 0 {
                self.bad(Some(x.offset), Rule::Operand, format!("{name} 0 is not an intrinsic"));
            }
            if let Some(target) = self.jump_target(x) {
                if !is_boundary(ins, target) {
                    self.bad(Some(x.offset), Rule::Jump, format!("{name} jumps to {target}, not an instruction"));
                }
            } else if t.has(op, OpFlags::HAS_JUMP) || t.has(op, OpFlags::HAS_JREL) || t.has(op, OpFlags::HAS_JABS) {
                self.bad(Some(x.offset), Rule::Jump, format!("{name} jumps outside the code"));
            }
        }
    }

    /// Where a jump instruction lands (`None` for other instructions and for targets outside
    /// the code, which `check_operands` reports).
    fn jump_target(&self, x: &Ins) -> Option<usize> {
        let op = u16::from(x.op);
        let t = self.t;
        let arg = x.arg as usize;
        if t.has(op, OpFlags::HAS_JREL) || (t.has(op, OpFlags::HAS_JUMP) && !t.has(op, OpFlags::HAS_JABS)) {
            if t.is_backward_jump(op) {
                x.next.checked_sub(2 * arg)
            } else {
                x.next.checked_add(2 * arg)
            }
        } else if t.has(op, OpFlags::HAS_JABS) {
            Some(2 * arg)
        } else {
            None
        }
    }

    /// Instructions whose real pops the net effects do not show, and the frame prologue:
    /// - 3.11: `CALL n` pops what `PRECALL n` announced; the two must agree;
    /// - `COPY_FREE_VARS n` (first instruction, n = the free variables) and `RETURN_GENERATOR`
    ///   set up the frame: only before the function-start `RESUME 0` (`MAKE_CELL` may come
    ///   later: 3.12+ inlined comprehensions make cells where they start).
    fn check_sequences(&mut self, ins: &[Ins], kinds: &[u8]) {
        let nfree = kinds.iter().filter(|&&k| k & KIND_FREE != 0).count();
        let mut prologue = true;
        for (k, x) in ins.iter().enumerate() {
            let name = self.t.opname.get(usize::from(x.op)).copied().unwrap_or("?");
            match name {
                // The function-start RESUME (oparg 0; 3.15 generator expressions have an
                // earlier `RESUME 4` before RETURN_GENERATOR).
                "RESUME" if x.arg == 0 => prologue = false,
                "COPY_FREE_VARS" if k != 0 || x.arg as usize != nfree => {
                    self.bad(
                        Some(x.offset),
                        Rule::Operand,
                        format!("COPY_FREE_VARS {} must come first and copy the {nfree} free variables", x.arg),
                    );
                }
                // 3.11's LOAD_CLASSDEREF reads the frame's locals mapping unchecked: a function
                // (CO_OPTIMIZED) frame has none.
                "LOAD_CLASSDEREF" if self.code.flags & CO_OPTIMIZED != 0 => {
                    self.bad(Some(x.offset), Rule::Flags, format!("{name} in code flagged CO_OPTIMIZED (its frame has no locals mapping)"));
                }
                "RETURN_GENERATOR" if !prologue => {
                    self.bad(Some(x.offset), Rule::Operand, format!("{name} after the frame's first RESUME"));
                }
                "CALL" if self.release.minor() == (3, 11) => {
                    let precall = k.checked_sub(1).and_then(|p| ins.get(p)).filter(|p| self.is(p.op, &["PRECALL"]));
                    if precall.map(|p| p.arg) != Some(x.arg) {
                        self.bad(Some(x.offset), Rule::Stack, format!("CALL {} does not follow PRECALL {}", x.arg, x.arg));
                    }
                }
                "PRECALL" => {
                    let call = ins.get(k + 1).filter(|c| self.is(c.op, &["CALL"]));
                    if call.map(|c| c.arg) != Some(x.arg) {
                        self.bad(Some(x.offset), Rule::Stack, format!("PRECALL {} is not followed by CALL {}", x.arg, x.arg));
                    }
                }
                _ => {}
            }
        }
        if nfree > 0 && !ins.first().is_some_and(|x| self.is(x.op, &["COPY_FREE_VARS"])) {
            self.bad(Some(0), Rule::Operand, "code with free variables must start with COPY_FREE_VARS");
        }
    }

    /// Instructions that take a constant of a given type from the `LOAD_CONST` right before them
    /// (CPython's compiler always emits the pair) and use it unchecked in a release build:
    /// - `MAKE_FUNCTION` a code object;
    /// - `KW_NAMES` (3.11/3.12, its oparg) and `CALL_KW` (3.13+) a tuple of str no longer than the
    ///   call's argument count;
    /// - `BUILD_CONST_KEY_MAP n` (to 3.13) a tuple of n keys;
    /// - `MATCH_CLASS` a tuple of str (the keyword attribute names).
    fn check_const_operands(&mut self, ins: &[Ins], consts: &[ObjId]) {
        let g = self.graph;
        let is_str_tuple = |id: ObjId| g.tuple(id).is_some_and(|t| t.iter().all(|&s| g.str(s).is_some()));
        for (k, x) in ins.iter().enumerate() {
            let name = self.t.opname.get(usize::from(x.op)).copied().unwrap_or("?");
            let before = k
                .checked_sub(1)
                .and_then(|p| ins.get(p))
                .filter(|p| self.is(p.op, &["LOAD_CONST"]))
                .and_then(|p| consts.get(p.arg as usize).copied());
            let tuple_len = |id: ObjId| g.tuple(id).map(<[ObjId]>::len);
            match name {
                "MAKE_FUNCTION" if before.is_none_or(|c| g.code(c).is_none()) => {
                    self.bad(Some(x.offset), Rule::Operand, "MAKE_FUNCTION must follow LOAD_CONST of a code object");
                }
                "KW_NAMES" => {
                    let kw = consts.get(x.arg as usize).copied();
                    let call = ins.iter().skip(k + 1).find(|c| self.is(c.op, &["CALL"])).map(|c| c.arg as usize);
                    if !kw.is_some_and(is_str_tuple) || kw.and_then(tuple_len) > call {
                        self.bad(Some(x.offset), Rule::Operand, "KW_NAMES needs a tuple of str no longer than the next CALL's arguments");
                    }
                }
                "CALL_KW" if !before.is_some_and(is_str_tuple) || before.and_then(tuple_len) > Some(x.arg as usize) => {
                    self.bad(
                        Some(x.offset),
                        Rule::Operand,
                        "CALL_KW must follow LOAD_CONST of a tuple of str no longer than its arguments",
                    );
                }
                "BUILD_CONST_KEY_MAP" if before.and_then(tuple_len) != Some(x.arg as usize) => {
                    self.bad(
                        Some(x.offset),
                        Rule::Operand,
                        format!("BUILD_CONST_KEY_MAP {} must follow LOAD_CONST of a tuple of {} keys", x.arg, x.arg),
                    );
                }
                "MATCH_CLASS" if !before.is_some_and(is_str_tuple) => {
                    self.bad(Some(x.offset), Rule::Operand, "MATCH_CLASS must follow LOAD_CONST of a tuple of str");
                }
                _ => {}
            }
        }
    }

    fn check_flags(&mut self, ins: &[Ins]) {
        let gen = CO_GENERATOR | CO_COROUTINE | CO_ITERABLE_COROUTINE | CO_ASYNC_GENERATOR;
        if self.code.flags & gen != 0 {
            return;
        }
        if let Some(x) = ins.iter().find(|x| self.is(x.op, &["YIELD_VALUE", "RETURN_GENERATOR"])) {
            self.bad(Some(x.offset), Rule::Flags, "yields, but the code is not flagged as a generator or coroutine");
        }
    }

    /// The location table (PEP 626 / 657 format, 3.11+): every entry decodes and the entries'
    /// lengths add up to the code's length.
    fn check_linetable(&mut self, table: &[u8], units: usize) {
        let mut i = 0usize;
        let mut covered = 0usize;
        let varint = |i: &mut usize| -> Option<()> {
            loop {
                let b = *table.get(*i)?;
                *i += 1;
                if b & 0x80 != 0 {
                    return None;
                }
                if b & 0x40 == 0 {
                    return Some(());
                }
            }
        };
        while let Some(&first) = table.get(i) {
            if first & 0x80 == 0 {
                return self.bad(None, Rule::LineTable, format!("byte {i} does not start an entry"));
            }
            i += 1;
            covered += usize::from(first & 7) + 1;
            let code = (first >> 3) & 15;
            let ok = match code {
                15 => Some(()),
                14 => varint(&mut i).and_then(|_| varint(&mut i)).and_then(|_| varint(&mut i)).and_then(|_| varint(&mut i)),
                13 => varint(&mut i),
                10..=12 => {
                    let two = table.get(i..i + 2).filter(|b| b.iter().all(|&b| b & 0x80 == 0));
                    i += 2;
                    two.map(|_| ())
                }
                _ => {
                    let one = table.get(i).filter(|&&b| b & 0x80 == 0);
                    i += 1;
                    one.map(|_| ())
                }
            };
            if ok.is_none() {
                return self.bad(None, Rule::LineTable, "an entry is cut short");
            }
        }
        if covered != units {
            self.bad(None, Rule::LineTable, format!("the table covers {covered} code units, the code has {units}"));
        }
    }

    /// Decodes the exception table strictly; returns `(start, end, target, depth, lasti)` in
    /// byte offsets.
    fn check_exception_table(&mut self, table: &[u8], ins: &[Ins], len: usize) -> Vec<(usize, usize, usize, usize, bool)> {
        let mut out = Vec::new();
        let mut i = 0usize;
        let read = |i: &mut usize, first: bool| -> Option<usize> {
            let mut b = *table.get(*i)?;
            if first != (b & 0x80 != 0) {
                return None;
            }
            *i += 1;
            let mut v = usize::from(b & 0x3F);
            while b & 0x40 != 0 {
                b = *table.get(*i)?;
                if b & 0x80 != 0 {
                    return None;
                }
                *i += 1;
                v = v.checked_shl(6)? | usize::from(b & 0x3F);
                if v > (1 << 30) {
                    return None;
                }
            }
            Some(v)
        };
        while i < table.len() {
            let at = i;
            let entry = (|| {
                let start = read(&mut i, true)?;
                let size = read(&mut i, false)?;
                let target = read(&mut i, false)?;
                let dl = read(&mut i, false)?;
                Some((start * 2, (start + size) * 2, target * 2, dl >> 1, dl & 1 == 1))
            })();
            let Some(e) = entry else {
                self.bad(None, Rule::ExceptionTable, format!("entry at byte {at} does not decode"));
                return Vec::new();
            };
            out.push(e);
        }
        let stacksize = usize::try_from(self.code.stacksize).unwrap_or(0);
        let mut prev_end = 0usize;
        for &(start, end, target, depth, _) in &out {
            if start >= end || end > len {
                self.bad(Some(start), Rule::ExceptionTable, format!("range {start}..{end} is empty or leaves the code"));
            }
            if start < prev_end {
                self.bad(Some(start), Rule::ExceptionTable, "entries overlap or are not sorted");
            }
            prev_end = end;
            if !is_boundary(ins, target) {
                self.bad(Some(start), Rule::ExceptionTable, format!("handler {target} is not an instruction"));
            }
            if !is_boundary(ins, start) {
                self.bad(Some(start), Rule::ExceptionTable, "range does not start on an instruction");
            }
            if depth > stacksize {
                self.bad(Some(start), Rule::ExceptionTable, format!("handler depth {depth} exceeds co_stacksize {stacksize}"));
            }
        }
        out
    }

    /// Whether the handler at instruction `k` is the one CPython wraps generator bodies in
    /// (`CALL_INTRINSIC_1 INTRINSIC_STOPITERATION_ERROR; RERAISE`): it touches only the two
    /// values the unwinder pushes, so it is safe whatever the depth below them (3.15 covers
    /// instructions shallower than the entry's depth with it).
    fn is_stopiteration_wrapper(&self, ins: &[Ins], k: Option<usize>) -> bool {
        let Some(k) = k else { return false };
        let (Some(a), Some(b)) = (ins.get(k), ins.get(k + 1)) else { return false };
        let stopiter = self.t.intrinsic_1_descs.and_then(|d| d.iter().position(|n| *n == "INTRINSIC_STOPITERATION_ERROR"));
        self.is(a.op, &["CALL_INTRINSIC_1"]) && stopiter == Some(a.arg as usize) && self.is(b.op, &["RERAISE"])
    }

    /// Abstract interpretation of the stack depth over every path, exception edges included.
    fn check_stack(&mut self, ins: &[Ins], handlers: &[(usize, usize, usize, usize, bool)], len: usize) {
        let t = self.t;
        let max = i64::from(self.code.stacksize);
        let mut depth_at: Vec<Option<i64>> = vec![None; ins.len()];
        let mut work: VecDeque<(usize, i64, usize)> = VecDeque::new();
        if !ins.is_empty() {
            work.push_back((0, 0, 0));
        }
        let no_fallthrough = [
            "RETURN_VALUE",
            "RETURN_CONST",
            "RAISE_VARARGS",
            "RERAISE",
            "JUMP_FORWARD",
            "JUMP_BACKWARD",
            "JUMP_BACKWARD_NO_INTERRUPT",
            "JUMP_ABSOLUTE",
            "JUMP_NO_INTERRUPT",
            "JUMP",
        ];
        let mut reported = 0usize;
        let disjoint = handlers.windows(2).all(|w| matches!(w, [a, b] if a.0 < a.1 && a.1 <= b.0)) && handlers.iter().all(|e| e.0 < e.1);
        while let Some((k, depth, from)) = work.pop_front() {
            if reported > 20 {
                return;
            }
            let Some(x) = ins.get(k) else { continue };
            match depth_at.get(k).copied().flatten() {
                Some(d) if d == depth => continue,
                Some(d) => {
                    self.bad(Some(x.start), Rule::Stack, format!("paths meet with stack depths {d} and {depth} (from {from})"));
                    reported += 1;
                    continue;
                }
                None => {}
            }
            if let Some(slot) = depth_at.get_mut(k) {
                *slot = Some(depth);
            }
            let name = t.opname.get(usize::from(x.op)).copied().unwrap_or("?");
            // A well-formed table (sorted, disjoint) has at most one entry covering an
            // instruction: found by binary search. A malformed one (already reported) is scanned.
            let covering: &[(usize, usize, usize, usize, bool)] = if disjoint {
                let n = handlers.partition_point(|e| e.0 <= x.start);
                n.checked_sub(1).and_then(|i| handlers.get(i..n)).unwrap_or_default()
            } else {
                handlers
            };
            for &(start, end, target, hdepth, lasti) in covering {
                if x.start >= start && x.start < end {
                    if (hdepth as i64) > depth && !self.is_stopiteration_wrapper(ins, index_of(ins, target)) {
                        self.bad(Some(x.offset), Rule::Stack, format!("handler depth {hdepth} is deeper than the stack ({depth})"));
                        reported += 1;
                    }
                    if let Some(h) = index_of(ins, target) {
                        work.push_back((h, hdepth as i64 + i64::from(lasti) + 1, x.offset));
                    }
                }
            }
            if self.is(x.op, &["COPY", "SWAP"]) && (x.arg == 0 || i64::from(x.arg) > depth) {
                self.bad(Some(x.offset), Rule::Stack, format!("{name} {} reaches below the stack ({depth})", x.arg));
                reported += 1;
                continue;
            }
            let op = u16::from(x.op);
            let (Some(mut fall), Some(jumped)) = (t.stack_effect(op, x.arg, Some(false)), t.stack_effect(op, x.arg, Some(true))) else {
                self.bad(Some(x.offset), Rule::Stack, format!("{name} has no stack effect in CPython {}", self.release));
                reported += 1;
                continue;
            };
            if name == "RETURN_GENERATOR" && !self.release.at_least(3, 13) {
                // 3.11/3.12 list no effect; the resumed generator finds the sent value pushed
                // (the POP_TOP that follows discards it).
                fall = 1;
            }
            // 3.14+ END_ASYNC_FOR names the END_SEND it belongs to as a backward "jump" (for
            // dis and monitoring); execution never goes there.
            let jump = if name == "END_ASYNC_FOR" { None } else { self.jump_target(x) };
            if depth + fall.min(jumped) < 0 {
                // Also for instructions without a successor (RETURN_VALUE on an empty stack).
                self.bad(Some(x.offset), Rule::Stack, format!("{name} pops below the bottom of the stack ({depth})"));
                reported += 1;
                continue;
            }
            for (next, eff) in [(jump, jumped), ((!self.is(x.op, &no_fallthrough)).then_some(x.next), fall)] {
                let Some(next) = next else { continue };
                let d = depth + eff;
                if d < 0 {
                    self.bad(Some(x.offset), Rule::Stack, format!("{name} leaves the stack at depth {d}"));
                    reported += 1;
                    continue;
                }
                if d > max {
                    self.bad(Some(x.offset), Rule::Stack, format!("{name} needs stack depth {d}, co_stacksize is {max}"));
                    reported += 1;
                    continue;
                }
                if next >= len {
                    self.bad(Some(x.offset), Rule::Stack, format!("{name}: execution runs off the end of the code"));
                    reported += 1;
                    continue;
                }
                if let Some(j) = index_of(ins, next) {
                    work.push_back((j, d, x.offset));
                }
            }
        }
    }
}
