//! The typed stack and locals (CPython 3.11–3.13, the releases whose interpreters this project
//! runs natively and checks these rules against): abstract interpretation over every path,
//! exception edges included, where each stack slot and each `localsplus` slot holds the set of
//! kinds of value the instructions that produced it guarantee (`NULL`, an exception, a list, a
//! tuple of n cells, a code object, ...), merged where paths meet.
//!
//! The rules are the assumptions CPython's instructions make in a release build without
//! checking them: how many values each instruction reads below the top (not only its net
//! effect), `NULL` only where an instruction expects it (the method/self slot of a call), the
//! exact container `LIST_APPEND`/`SET_ADD`/`MAP_ADD`/`*_EXTEND`/`*_UPDATE`/`DICT_MERGE` cast to,
//! an exception where `RERAISE`/`PUSH_EXC_INFO`/`WITH_EXCEPT_START`/... read one, an iterator for
//! `FOR_ITER`, a code object and a closure of exactly its free variables for `MAKE_FUNCTION`,
//! a tuple no longer than the positional parameters for defaults, cells for `*_DEREF`, locals
//! bound where `LOAD_FAST` reads them, and `YIELD_VALUE` only once `RETURN_GENERATOR` has run.

use std::collections::{BTreeSet, VecDeque};

use pycode_object::ObjId;

use super::{Ins, Rule, Verifier, KIND_FREE};

type Kinds = u32;
const NULL: Kinds = 1;
const OBJ: Kinds = 1 << 1;
const EXC: Kinds = 1 << 2;
const NONE: Kinds = 1 << 3;
const INT: Kinds = 1 << 4;
const STR: Kinds = 1 << 5;
const TUPLE: Kinds = 1 << 6;
const STRTUPLE: Kinds = 1 << 7;
const CELLTUPLE: Kinds = 1 << 8;
const LIST: Kinds = 1 << 9;
const SET: Kinds = 1 << 10;
const DICT: Kinds = 1 << 11;
const CODE: Kinds = 1 << 12;
const CELL: Kinds = 1 << 13;
const FUNC: Kinds = 1 << 14;
const ITER: Kinds = 1 << 15;
const TPARAM: Kinds = 1 << 16;
/// What `PUSH_EXC_INFO` saved (the exception being handled before, or None): `POP_EXCEPT`
/// restores it as the thread's exception state.
const PREVEXC: Kinds = 1 << 17;
/// The offset an exception handler pushes (`lasti`): `RERAISE n` jumps back to it.
const LASTI: Kinds = 1 << 18;
/// Any object (not `NULL`).
const ANY: Kinds = ((1 << 19) - 1) & !NULL;
/// A function whose code has free variables, before its closure is set (3.13
/// `SET_FUNCTION_ATTRIBUTE 8`): nothing else may use it.
const OPENFUNC: Kinds = 1 << 19;
const TUPLES: Kinds = TUPLE | STRTUPLE | CELLTUPLE;

const KIND_NAMES: [(Kinds, &str); 20] = [
    (NULL, "NULL"),
    (OBJ, "object"),
    (EXC, "exception"),
    (NONE, "None"),
    (INT, "int"),
    (STR, "str"),
    (TUPLE, "tuple"),
    (STRTUPLE, "tuple of str"),
    (CELLTUPLE, "tuple of cells"),
    (LIST, "list"),
    (SET, "set"),
    (DICT, "dict"),
    (CODE, "code object"),
    (CELL, "cell"),
    (FUNC, "function"),
    (ITER, "iterator"),
    (TPARAM, "type parameter"),
    (PREVEXC, "the exception state PUSH_EXC_INFO saved"),
    (LASTI, "a handler's lasti"),
    (OPENFUNC, "a function without its closure"),
];

fn describe(k: Kinds) -> String {
    if k & ANY == ANY {
        return if k & NULL != 0 { "any value or NULL".into() } else { "any object".into() };
    }
    let v: Vec<&str> = KIND_NAMES.iter().filter(|(b, _)| k & b != 0).map(|(_, n)| *n).collect();
    if v.is_empty() {
        "nothing".into()
    } else {
        v.join(" or ")
    }
}

/// No length / code index known.
const NO_N: u32 = u32::MAX;
/// A defaults tuple the compiler's caller passes in (`.defaults`): its length is the one the
/// compiler gave the function.
const TRUSTED_LEN: u32 = u32::MAX - 1;

/// One abstract value: the kinds it may have, and for tuples their length, for code objects and
/// functions the `co_consts` index of the code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Val {
    k: Kinds,
    n: u32,
}

const fn val(k: Kinds) -> Val {
    Val { k, n: NO_N }
}

impl Val {
    fn join(self, o: Val) -> Val {
        Val { k: self.k | o.k, n: if self.n == o.n { self.n } else { NO_N } }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct St {
    stack: Vec<Val>,
    locals: Vec<Val>,
    /// `RETURN_GENERATOR` may have run / has run on every path.
    may_gen: bool,
    must_gen: bool,
}

impl St {
    /// Merges `o` (same depth) into `self`; whether anything changed.
    fn merge(&mut self, o: &St) -> bool {
        let before = self.clone();
        for (a, b) in self.stack.iter_mut().zip(&o.stack) {
            *a = a.join(*b);
        }
        for (a, b) in self.locals.iter_mut().zip(&o.locals) {
            *a = a.join(*b);
        }
        self.may_gen |= o.may_gen;
        self.must_gen &= o.must_gen;
        *self != before
    }
}

/// The stack being transformed by one instruction; errors are the violation's detail.
struct Frame<'s> {
    s: &'s mut Vec<Val>,
    name: &'s str,
    /// The lowest depth the instruction pops the stack to: an exception it raises after
    /// consuming its inputs unwinds from there.
    low: usize,
}

impl Frame<'_> {
    fn pop(&mut self, need: Kinds, what: &str) -> Result<Val, String> {
        let depth = self.s.len();
        let Some(v) = self.s.pop() else {
            return Err(format!("{} pops below the bottom of the stack ({depth})", self.name));
        };
        self.low = self.low.min(self.s.len());
        if v.k & !need != 0 {
            return Err(format!("{} needs {what} on top of the stack, finds {}", self.name, describe(v.k)));
        }
        Ok(v)
    }

    /// The value `i` (1 = top) down, which must be one of `need`.
    fn peek(&self, i: usize, need: Kinds, what: &str) -> Result<Val, String> {
        let depth = self.s.len();
        let v = depth.checked_sub(i).and_then(|j| self.s.get(j)).copied();
        let Some(v) = v.filter(|_| i > 0) else {
            return Err(format!("{} reads stack item {i}, below the bottom of the stack ({depth})", self.name));
        };
        if v.k & !need != 0 {
            return Err(format!("{} needs {what} at stack item {i}, finds {}", self.name, describe(v.k)));
        }
        Ok(v)
    }

    fn pops(&mut self, n: usize, need: Kinds) -> Result<(), String> {
        for _ in 0..n {
            self.pop(need, "an object")?;
        }
        Ok(())
    }

    fn push(&mut self, v: Val) {
        self.s.push(v);
    }
}

/// Successor states of one instruction: (fall through, jump).
type Next = (Option<St>, Option<St>, usize);

impl Verifier<'_, '_> {
    fn const_val(&self, consts: &[ObjId], i: u32) -> Val {
        let g = self.graph;
        let Some(&id) = consts.get(i as usize) else { return val(ANY) };
        use pycode_object::Obj;
        match g.get(id) {
            Some(Obj::None) => val(NONE),
            Some(Obj::Int(_) | Obj::BigInt(_) | Obj::True | Obj::False) => val(INT),
            Some(Obj::Str(_)) => val(STR),
            Some(Obj::Code(_)) => Val { k: CODE, n: i },
            Some(Obj::Tuple(items)) => {
                let n = u32::try_from(items.len()).unwrap_or(NO_N);
                let k = if items.iter().all(|&s| g.str(s).is_some()) { STRTUPLE } else { TUPLE };
                Val { k, n }
            }
            _ => val(OBJ),
        }
    }

    /// `(positional parameters, free variables)` of the code object at `co_consts[n]`.
    fn nested_shape(&self, consts: &[ObjId], n: u32) -> Option<(usize, usize)> {
        let g = self.graph;
        let c = g.code(*consts.get(n as usize)?)?;
        let nfree = g.bytes(c.localspluskinds)?.iter().filter(|&&k| k & KIND_FREE != 0).count();
        Some((usize::try_from(c.argcount).ok()?, nfree))
    }

    /// Abstract interpretation of the typed stack and locals over every path, exception edges
    /// included (replaces the depth-only walk for 3.11–3.13).
    pub(super) fn check_typed(
        &mut self,
        ins: &[Ins],
        handlers: &[(usize, usize, usize, usize, bool)],
        len: usize,
        kinds: &[u8],
        consts: &[ObjId],
        lp_names: &[ObjId],
    ) {
        let c = self.code;
        let max = usize::try_from(c.stacksize).unwrap_or(0);
        let star = usize::from(c.flags & super::CO_VARARGS != 0) + usize::from(c.flags & super::CO_VARKEYWORDS != 0);
        let nargs = usize::try_from(c.argcount).unwrap_or(0) + usize::try_from(c.kwonlyargcount).unwrap_or(0) + star;
        let locals: Vec<Val> = (0..kinds.len())
            .map(|i| {
                if i < nargs {
                    // The hidden arguments the compiler's own callers fill: a comprehension's
                    // iterator (the result of GET_ITER) and the defaults a `<generic parameters
                    // of f>` function passes on to MAKE_FUNCTION.
                    match lp_names.get(i).and_then(|&n| self.graph.str(n)).and_then(|s| s.as_str()) {
                        Some(".0") => val(ITER),
                        Some(".defaults") => Val { k: TUPLE, n: TRUSTED_LEN },
                        Some(".kwdefaults") => val(DICT),
                        _ => val(OBJ),
                    }
                } else {
                    val(NULL)
                }
            })
            .collect();
        let mut states: Vec<Option<St>> = vec![None; ins.len()];
        let mut work: VecDeque<usize> = VecDeque::new();
        if let Some(first) = states.first_mut() {
            *first = Some(St { stack: Vec::new(), locals, may_gen: false, must_gen: false });
            work.push_back(0);
        }
        let mut errors: BTreeSet<(usize, String)> = BTreeSet::new();
        let mut queued = vec![false; ins.len()];
        if let Some(q) = queued.first_mut() {
            *q = true;
        }
        let disjoint = handlers.windows(2).all(|w| matches!(w, [a, b] if a.0 < a.1 && a.1 <= b.0)) && handlers.iter().all(|e| e.0 < e.1);
        let mut steps = 0usize;
        while let Some(k) = work.pop_front() {
            if let Some(q) = queued.get_mut(k) {
                *q = false;
            }
            steps += 1;
            if errors.len() > 20 || steps > 2_000_000 {
                break;
            }
            let (Some(x), Some(Some(st))) = (ins.get(k), states.get(k).cloned()) else { continue };
            let mut succ: Vec<(usize, St, usize)> = Vec::new();
            let (fall, jump, low) = match self.step(ins, k, x, &st, kinds, consts) {
                Err(e) => {
                    errors.insert((x.offset, e));
                    continue;
                }
                Ok(next) => next,
            };
            // Exception edges: the state before the instruction, the stack cut to the handler's
            // depth, then lasti and the exception. The handler's depth must be within the stack
            // at its lowest during the instruction: an instruction that raises after consuming
            // its inputs (RAISE_VARARGS, any 3.12+ error exit) unwinds from there.
            // PUSH_EXC_INFO only moves references: it cannot raise, and CPython's handlers rely
            // on that (the region of an `except` body starts at it, with the saved state the
            // handler's bottom item).
            let can_raise = !self.is(x.op, &["PUSH_EXC_INFO"]);
            let covering: &[(usize, usize, usize, usize, bool)] = if !can_raise {
                &[]
            } else if disjoint {
                let n = handlers.partition_point(|e| e.0 <= x.start);
                n.checked_sub(1).and_then(|i| handlers.get(i..n)).unwrap_or_default()
            } else {
                handlers
            };
            let mut bad = false;
            for &(start, end, target, hdepth, lasti) in covering {
                if x.start >= start && x.start < end {
                    if hdepth > low {
                        let name = self.t.opname.get(usize::from(x.op)).copied().unwrap_or("?");
                        let detail = if low < st.stack.len() {
                            format!("handler depth {hdepth} is deeper than the stack {name} unwinds from ({low})")
                        } else {
                            format!("handler depth {hdepth} is deeper than the stack ({low})")
                        };
                        errors.insert((x.offset, detail));
                        bad = true;
                        continue;
                    }
                    let mut h = st.clone();
                    h.stack.truncate(hdepth);
                    if lasti {
                        h.stack.push(val(LASTI));
                    }
                    h.stack.push(val(EXC));
                    if let Some(hi) = super::index_of(ins, target) {
                        succ.push((hi, h, x.offset));
                    }
                }
            }
            if bad {
                continue;
            }
            let name = self.t.opname.get(usize::from(x.op)).copied().unwrap_or("?");
            let target = if name == "END_ASYNC_FOR" { None } else { self.jump_target(x) };
            for (next, s) in [(target, jump), (Some(x.next), fall)] {
                let (Some(next), Some(s)) = (next, s) else { continue };
                if s.stack.len() > max {
                    errors.insert((x.offset, format!("{name} needs stack depth {}, co_stacksize is {max}", s.stack.len())));
                    continue;
                }
                if next >= len {
                    errors.insert((x.offset, format!("{name}: execution runs off the end of the code")));
                    continue;
                }
                if let Some(j) = super::index_of(ins, next) {
                    succ.push((j, s, x.offset));
                }
            }
            for (j, s, from) in succ {
                let Some(slot) = states.get_mut(j) else { continue };
                let changed = match slot {
                    None => {
                        *slot = Some(s);
                        true
                    }
                    Some(old) if old.stack.len() != s.stack.len() => {
                        let at = ins.get(j).map_or(0, |y| y.start);
                        errors
                            .insert((at, format!("paths meet with stack depths {} and {} (from {from})", old.stack.len(), s.stack.len())));
                        false
                    }
                    Some(old) => old.merge(&s),
                };
                if changed && !queued.get(j).copied().unwrap_or(true) {
                    if let Some(q) = queued.get_mut(j) {
                        *q = true;
                    }
                    work.push_back(j);
                }
            }
        }
        for (offset, detail) in errors {
            let rule = if detail.contains("local") || detail.contains("cell") && detail.contains("localsplus") {
                Rule::Locals
            } else {
                Rule::Stack
            };
            self.bad(Some(offset), rule, detail);
        }
    }

    /// The successor states of instruction `x` (index `k`) from state `st`.
    fn step(&self, ins: &[Ins], k: usize, x: &Ins, st: &St, kinds: &[u8], consts: &[ObjId]) -> Result<Next, String> {
        let t = self.t;
        let name = t.opname.get(usize::from(x.op)).copied().unwrap_or("?");
        let m = self.release.minor();
        let (v11, v12) = (m == (3, 11), m == (3, 12));
        let arg = x.arg;
        let a = arg as usize;
        let mut s = st.stack.clone();
        let mut locals = st.locals.clone();
        let mut may_gen = st.may_gen;
        let mut must_gen = st.must_gen;
        let mut jump_stack: Option<Vec<Val>> = None;
        let mut falls = true;
        let low_out;
        {
            let low = s.len();
            let mut f = Frame { s: &mut s, name, low };
            let local = |locals: &[Val], i: usize| -> Result<Val, String> {
                locals.get(i).copied().ok_or_else(|| format!("{name}: localsplus {i} out of range"))
            };
            let is_free = |i: usize| kinds.get(i).is_some_and(|&kd| kd & KIND_FREE != 0);
            let need_cell = |locals: &[Val], i: usize| -> Result<(), String> {
                let v = local(locals, i)?;
                if v.k & !CELL != 0 {
                    return Err(format!("{name} reads localsplus {i} as a cell; it may hold {}", describe(v.k)));
                }
                Ok(())
            };
            let load_fast = |locals: &[Val], i: usize, checked: bool| -> Result<Val, String> {
                let v = local(locals, i)?;
                if !checked && v.k & NULL != 0 {
                    return Err(format!("{name} reads local {i}, which may be unbound here"));
                }
                let k = v.k & !NULL;
                Ok(Val { k: if k == 0 { ANY } else { k }, n: v.n })
            };
            let set_local = |locals: &mut Vec<Val>, i: usize, v: Val| -> Result<(), String> {
                if is_free(i) && v.k & !CELL != 0 {
                    return Err(format!("{name} stores {} into free variable slot {i} (a cell is needed)", describe(v.k)));
                }
                let slot = locals.get_mut(i).ok_or_else(|| format!("{name}: localsplus {i} out of range"))?;
                *slot = v;
                Ok(())
            };
            match name {
                "NOP"
                | "RESUME"
                | "EXTENDED_ARG"
                | "CACHE"
                | "SETUP_ANNOTATIONS"
                | "KW_NAMES"
                | "JUMP_FORWARD"
                | "JUMP_BACKWARD"
                | "JUMP_BACKWARD_NO_INTERRUPT"
                | "DELETE_NAME"
                | "DELETE_GLOBAL" => {}
                "RETURN_CONST" => falls = false,
                "POP_TOP" | "PRINT_EXPR" | "IMPORT_STAR" | "EXIT_INIT_CHECK" | "STORE_NAME" | "STORE_GLOBAL" | "DELETE_ATTR" => {
                    f.pop(ANY, "an object")?;
                }
                "PUSH_NULL" => f.push(val(NULL)),
                "END_FOR" => f.pops(if v12 { 2 } else { 1 }, ANY)?,
                "END_SEND" => {
                    f.pops(2, ANY)?;
                    f.push(val(ANY));
                }
                "UNARY_POSITIVE"
                | "UNARY_NEGATIVE"
                | "UNARY_NOT"
                | "UNARY_INVERT"
                | "TO_BOOL"
                | "GET_AITER"
                | "GET_AWAITABLE"
                | "GET_YIELD_FROM_ITER"
                | "ASYNC_GEN_WRAP"
                | "LOAD_FROM_DICT_OR_GLOBALS" => {
                    f.pop(ANY, "an object")?;
                    f.push(val(OBJ));
                }
                "GET_ITER" => {
                    f.pop(ANY, "an object")?;
                    f.push(val(ITER));
                }
                "LIST_TO_TUPLE" => {
                    f.pop(ANY, "an object")?;
                    f.push(val(TUPLE));
                }
                "BINARY_SUBSCR" | "BINARY_OP" | "COMPARE_OP" | "IS_OP" | "CONTAINS_OP" => {
                    f.pops(2, ANY)?;
                    f.push(val(OBJ));
                }
                "BINARY_SLICE" => {
                    f.pops(3, ANY)?;
                    f.push(val(OBJ));
                }
                "STORE_SLICE" => f.pops(4, ANY)?,
                "STORE_SUBSCR" => f.pops(3, ANY)?,
                "DELETE_SUBSCR" | "STORE_ATTR" => f.pops(2, ANY)?,
                "GET_LEN" | "MATCH_MAPPING" | "MATCH_SEQUENCE" | "GET_ANEXT" | "IMPORT_FROM" => {
                    f.peek(1, ANY, "an object")?;
                    f.push(val(OBJ));
                }
                "MATCH_KEYS" => {
                    f.peek(1, TUPLES, "a tuple of keys")?;
                    f.peek(2, ANY, "an object")?;
                    f.push(val(OBJ));
                }
                "MATCH_CLASS" => {
                    f.pop(STRTUPLE, "a tuple of str")?;
                    f.pops(2, ANY)?;
                    f.push(val(OBJ));
                }
                "PUSH_EXC_INFO" => {
                    f.pop(EXC, "an exception")?;
                    f.push(val(PREVEXC));
                    f.push(val(EXC));
                }
                "POP_EXCEPT" => {
                    f.pop(PREVEXC, "the exception state PUSH_EXC_INFO saved")?;
                }
                "CHECK_EXC_MATCH" => {
                    f.pop(ANY, "an object")?;
                    f.peek(1, EXC, "an exception")?;
                    f.push(val(OBJ));
                }
                "CHECK_EG_MATCH" => {
                    f.pop(ANY, "an object")?;
                    f.pop(EXC | NONE, "an exception")?;
                    f.push(val(EXC | NONE));
                    f.push(val(EXC | NONE));
                }
                "WITH_EXCEPT_START" => {
                    f.peek(1, EXC, "an exception")?;
                    f.peek(4, ANY, "the exit function")?;
                    f.push(val(OBJ));
                }
                "BEFORE_ASYNC_WITH" | "BEFORE_WITH" => {
                    f.pop(ANY, "an object")?;
                    f.push(val(OBJ));
                    f.push(val(OBJ));
                }
                "END_ASYNC_FOR" => {
                    f.pop(EXC, "an exception")?;
                    f.pop(ANY, "an object")?;
                }
                "CLEANUP_THROW" => {
                    f.pop(EXC, "an exception")?;
                    f.pops(2, ANY)?;
                    f.push(val(OBJ));
                    f.push(val(OBJ));
                }
                "LOAD_BUILD_CLASS" | "LOAD_ASSERTION_ERROR" | "LOAD_LOCALS" | "LOAD_NAME" => f.push(val(OBJ)),
                "RETURN_GENERATOR" => {
                    if may_gen {
                        return Err(format!("{name} may run twice"));
                    }
                    may_gen = true;
                    must_gen = true;
                    f.push(val(OBJ));
                }
                "RETURN_VALUE" => {
                    f.pop(ANY, "an object")?;
                    falls = false;
                }
                "YIELD_VALUE" => {
                    if !must_gen {
                        return Err(format!("{name} before RETURN_GENERATOR has made the frame a generator's"));
                    }
                    f.pop(ANY, "an object")?;
                    f.push(val(OBJ));
                }
                "PREP_RERAISE_STAR" => {
                    f.pop(LIST, "a list")?;
                    f.pop(ANY, "an object")?;
                    f.push(val(EXC));
                }
                "UNPACK_SEQUENCE" => {
                    f.pop(ANY, "an object")?;
                    for _ in 0..a {
                        f.push(val(OBJ));
                    }
                }
                "UNPACK_EX" => {
                    f.pop(ANY, "an object")?;
                    for _ in 0..((a & 0xFF) + (a >> 8) + 1) {
                        f.push(val(OBJ));
                    }
                }
                "FOR_ITER" => {
                    f.peek(1, ITER, "an iterator")?;
                    let mut j = f.s.clone();
                    if v11 {
                        j.pop();
                    } else {
                        // 3.12/3.13: the exhausted iterator skips the END_FOR (3.13: and the
                        // POP_TOP) its target must be.
                        let target = self.jump_target(x).and_then(|o| super::index_of(ins, o));
                        let is = |i: Option<usize>, n: &str| i.and_then(|i| ins.get(i)).is_some_and(|y| self.is(y.op, &[n]));
                        if !is(target, "END_FOR") || (!v12 && !is(target.map(|i| i + 1), "POP_TOP")) {
                            return Err(format!(
                                "{name} must jump to END_FOR{} (CPython skips over it)",
                                if v12 { "" } else { " and POP_TOP" }
                            ));
                        }
                        j.push(val(OBJ));
                    }
                    jump_stack = Some(j);
                    f.push(val(OBJ));
                }
                "SWAP" | "COPY" => {
                    let depth = f.s.len();
                    if a == 0 || a > depth {
                        return Err(format!("{name} {a} reaches below the stack ({depth})"));
                    }
                    let i = depth - a;
                    if name == "SWAP" {
                        f.s.swap(i, depth - 1);
                    } else {
                        let v = f.peek(a, ANY, "an object")?;
                        f.push(v);
                    }
                }
                "LOAD_CONST" => f.push(self.const_val(consts, arg)),
                "BUILD_TUPLE" | "BUILD_LIST" | "BUILD_SET" | "BUILD_STRING" => {
                    let mut all_cells = a > 0;
                    let mut all_str = true;
                    for _ in 0..a {
                        let v = f.pop(ANY, "an object")?;
                        all_cells &= v.k & !CELL == 0;
                        all_str &= v.k & !STR == 0;
                    }
                    let n = u32::try_from(a).unwrap_or(NO_N);
                    let k = match name {
                        "BUILD_LIST" => LIST,
                        "BUILD_SET" => SET,
                        "BUILD_STRING" => STR,
                        _ if all_cells => CELLTUPLE,
                        _ if all_str => STRTUPLE,
                        _ => TUPLE,
                    };
                    f.push(Val { k, n: if k & TUPLES != 0 { n } else { NO_N } });
                }
                "BUILD_MAP" => {
                    f.pops(2 * a, ANY)?;
                    f.push(val(DICT));
                }
                "BUILD_CONST_KEY_MAP" => {
                    f.pop(TUPLES, "a tuple of keys")?;
                    f.pops(a, ANY)?;
                    f.push(val(DICT));
                }
                "BUILD_SLICE" => {
                    f.pops(if a == 3 { 3 } else { 2 }, ANY)?;
                    f.push(val(OBJ));
                }
                "LOAD_ATTR" | "LOAD_METHOD" | "LOAD_SUPER_ATTR" => {
                    f.pops(if name == "LOAD_SUPER_ATTR" { 3 } else { 1 }, ANY)?;
                    let method = name == "LOAD_METHOD" || (!v11 && arg & 1 != 0);
                    if method && (v11 || v12) {
                        f.push(val(ANY | NULL));
                    }
                    f.push(val(OBJ));
                    if method && !(v11 || v12) {
                        f.push(val(ANY | NULL));
                    }
                }
                "LOAD_GLOBAL" => {
                    if arg & 1 != 0 && (v11 || v12) {
                        f.push(val(NULL));
                    }
                    f.push(val(OBJ));
                    if arg & 1 != 0 && !(v11 || v12) {
                        f.push(val(NULL));
                    }
                }
                "IMPORT_NAME" => {
                    f.pops(2, ANY)?;
                    f.push(val(OBJ));
                }
                "JUMP_IF_FALSE_OR_POP" | "JUMP_IF_TRUE_OR_POP" => {
                    f.peek(1, ANY, "an object")?;
                    jump_stack = Some(f.s.clone());
                    f.pop(ANY, "an object")?;
                }
                _ if name.starts_with("POP_JUMP_") => {
                    f.pop(ANY, "an object")?;
                }
                "LOAD_FAST" | "LOAD_FAST_CHECK" => {
                    // The checked loads (3.11's LOAD_FAST too) raise when the local is unbound:
                    // past them it is bound.
                    let checked = v11 || name == "LOAD_FAST_CHECK";
                    let v = load_fast(&locals, a, checked)?;
                    if let Some(slot) = locals.get_mut(a) {
                        slot.k &= !NULL;
                        if slot.k == 0 {
                            slot.k = ANY;
                        }
                    }
                    f.push(v);
                }
                "LOAD_FAST_LOAD_FAST" => {
                    f.push(load_fast(&locals, a >> 4, false)?);
                    f.push(load_fast(&locals, a & 15, false)?);
                }
                "LOAD_FAST_AND_CLEAR" => {
                    f.push(local(&locals, a)?);
                    set_local(&mut locals, a, val(NULL))?;
                }
                "STORE_FAST" => {
                    let v = f.pop(ANY | NULL, "a value")?;
                    set_local(&mut locals, a, v)?;
                }
                "STORE_FAST_LOAD_FAST" => {
                    let v = f.pop(ANY | NULL, "a value")?;
                    set_local(&mut locals, a >> 4, v)?;
                    let i = a & 15;
                    let w = locals.get(i).copied().ok_or_else(|| format!("{name}: localsplus {i} out of range"))?;
                    if w.k & NULL != 0 {
                        return Err(format!("{name} reads local {i}, which may be unbound here"));
                    }
                    f.push(w);
                }
                "STORE_FAST_STORE_FAST" => {
                    let v = f.pop(ANY | NULL, "a value")?;
                    set_local(&mut locals, a >> 4, v)?;
                    let w = f.pop(ANY | NULL, "a value")?;
                    set_local(&mut locals, a & 15, w)?;
                }
                "DELETE_FAST" => set_local(&mut locals, a, val(NULL))?,
                "MAKE_CELL" => set_local(&mut locals, a, val(CELL))?,
                "COPY_FREE_VARS" => {
                    let n = locals.len();
                    for i in n.saturating_sub(a)..n {
                        set_local(&mut locals, i, val(CELL))?;
                    }
                }
                "LOAD_CLOSURE" => {
                    need_cell(&locals, a)?;
                    f.push(val(CELL));
                }
                "LOAD_DEREF" | "LOAD_CLASSDEREF" => {
                    need_cell(&locals, a)?;
                    f.push(val(OBJ));
                }
                "STORE_DEREF" => {
                    need_cell(&locals, a)?;
                    f.pop(ANY, "an object")?;
                }
                "DELETE_DEREF" => need_cell(&locals, a)?,
                "LOAD_FROM_DICT_OR_DEREF" => {
                    need_cell(&locals, a)?;
                    f.pop(ANY, "an object")?;
                    f.push(val(OBJ));
                }
                "RAISE_VARARGS" => {
                    f.pops(a, ANY)?;
                    falls = false;
                }
                "RERAISE" => {
                    f.pop(EXC, "an exception")?;
                    if a > 0 {
                        f.peek(a, LASTI, "a handler's lasti")?;
                    }
                    falls = false;
                }
                "MAKE_FUNCTION" => {
                    let code = f.pop(CODE, "a code object")?;
                    let shape = self.nested_shape(consts, code.n);
                    let nfree = shape.map_or(0, |s| s.1);
                    let mut out = if nfree > 0 { OPENFUNC } else { FUNC };
                    if v11 || v12 {
                        if arg & 8 != 0 {
                            self.closure_ok(&mut f, shape)?;
                            out = FUNC;
                        }
                        if arg & 4 != 0 {
                            self.annotations_ok(&mut f)?;
                        }
                        if arg & 2 != 0 {
                            f.pop(DICT, "a dict of keyword defaults")?;
                        }
                        if arg & 1 != 0 {
                            self.defaults_ok(&mut f, shape)?;
                        }
                    }
                    if (v11 || v12) && out == OPENFUNC {
                        return Err(format!("{name} {arg}: the code has {nfree} free variables but no closure is given"));
                    }
                    f.push(Val { k: out, n: code.n });
                }
                "SET_FUNCTION_ATTRIBUTE" => {
                    let mut func = f.pop(FUNC | OPENFUNC, "a function")?;
                    let shape = self.nested_shape(consts, func.n);
                    match arg {
                        8 => {
                            self.closure_ok(&mut f, shape)?;
                            func.k = FUNC;
                        }
                        4 => self.annotations_ok(&mut f)?,
                        2 => {
                            f.pop(DICT, "a dict of keyword defaults")?;
                        }
                        1 => self.defaults_ok(&mut f, shape)?,
                        _ => return Err(format!("{name} {arg} is not one attribute flag")),
                    }
                    f.push(func);
                }
                "CALL_FUNCTION_EX" => {
                    if arg & 1 != 0 {
                        f.pop(DICT, "a dict of keyword arguments")?;
                    }
                    f.pop(ANY, "an object")?;
                    if v11 || v12 {
                        f.pop(ANY, "the callable")?;
                        f.pop(ANY | NULL, "NULL")?;
                    } else {
                        f.pop(ANY | NULL, "NULL")?;
                        f.pop(ANY, "the callable")?;
                    }
                    f.push(val(OBJ));
                }
                "PRECALL" => {
                    f.peek(a + 1, ANY, "the callable or self")?;
                    f.peek(a + 2, ANY | NULL, "the method or NULL")?;
                }
                "CALL" | "CALL_KW" => {
                    if name == "CALL_KW" {
                        f.pop(STRTUPLE, "a tuple of keyword names")?;
                    }
                    f.pops(a, ANY)?;
                    if v11 || v12 {
                        f.pop(ANY, "the callable or self")?;
                        f.pop(ANY | NULL, "the method or NULL")?;
                    } else {
                        f.pop(ANY | NULL, "self or NULL")?;
                        f.pop(ANY, "the callable")?;
                    }
                    f.push(val(OBJ));
                }
                "CALL_INTRINSIC_1" => {
                    let which = t.intrinsic_1_descs.and_then(|d| d.get(a)).copied().unwrap_or("");
                    let (need, out, what) = match which {
                        "INTRINSIC_LIST_TO_TUPLE" => (LIST, TUPLE, "a list"),
                        "INTRINSIC_STOPITERATION_ERROR" => (EXC, EXC, "an exception"),
                        // The compiler passes `.type_params` through a cell: only a value known
                        // to be something else is refused.
                        "INTRINSIC_SUBSCRIPT_GENERIC" => (TUPLES | OBJ, OBJ, "a tuple"),
                        "INTRINSIC_TYPEALIAS" => (TUPLES, OBJ, "a tuple"),
                        "INTRINSIC_TYPEVAR" | "INTRINSIC_PARAMSPEC" | "INTRINSIC_TYPEVARTUPLE" => (ANY, TPARAM, "an object"),
                        _ => (ANY, OBJ, "an object"),
                    };
                    let v = f.pop(need, what)?;
                    if which == "INTRINSIC_TYPEALIAS" && v.n != 3 {
                        return Err(format!("{name} {which} needs a tuple of 3 items"));
                    }
                    f.push(val(out));
                }
                "CALL_INTRINSIC_2" => {
                    let which = t.intrinsic_2_descs.and_then(|d| d.get(a)).copied().unwrap_or("");
                    let (top, below, out) = match which {
                        "INTRINSIC_PREP_RERAISE_STAR" => (LIST, ANY, EXC),
                        "INTRINSIC_SET_FUNCTION_TYPE_PARAMS" => (ANY, FUNC, FUNC),
                        "INTRINSIC_SET_TYPEPARAM_DEFAULT" => (ANY, TPARAM, TPARAM),
                        "INTRINSIC_TYPEVAR_WITH_BOUND" | "INTRINSIC_TYPEVAR_WITH_CONSTRAINTS" => (ANY, ANY, TPARAM),
                        _ => (ANY, ANY, OBJ),
                    };
                    f.pop(top, describe(top).as_str())?;
                    let b = f.pop(below, describe(below).as_str())?;
                    f.push(if out == FUNC { b } else { val(out) });
                }
                "LIST_APPEND" | "SET_ADD" | "LIST_EXTEND" | "SET_UPDATE" | "DICT_UPDATE" | "DICT_MERGE" => {
                    f.pop(ANY, "an object")?;
                    let (need, what) = match name {
                        "LIST_APPEND" | "LIST_EXTEND" => (LIST, "a list"),
                        "SET_ADD" | "SET_UPDATE" => (SET, "a set"),
                        _ => (DICT, "a dict"),
                    };
                    f.peek(a, need, what)?;
                    if name == "DICT_MERGE" {
                        f.peek(a + if v11 || v12 { 2 } else { 3 }, ANY, "the callable")?;
                    }
                }
                "MAP_ADD" => {
                    f.pops(2, ANY)?;
                    f.peek(a, DICT, "a dict")?;
                }
                "FORMAT_VALUE" => {
                    if arg & 4 != 0 {
                        f.pop(ANY, "a format spec")?;
                    }
                    f.pop(ANY, "an object")?;
                    f.push(val(STR));
                }
                "FORMAT_SIMPLE" => {
                    f.pop(ANY, "an object")?;
                    f.push(val(STR));
                }
                "FORMAT_WITH_SPEC" => {
                    f.pops(2, ANY)?;
                    f.push(val(STR));
                }
                "CONVERT_VALUE" => {
                    if !(1..=3).contains(&arg) {
                        return Err(format!("{name} {arg} is not a conversion (1-3)"));
                    }
                    f.pop(ANY, "an object")?;
                    f.push(val(OBJ));
                }
                "SEND" => {
                    f.pop(ANY, "an object")?;
                    f.peek(1, ANY, "the receiver")?;
                    let mut j = f.s.clone();
                    if v11 {
                        j.pop();
                    }
                    j.push(val(OBJ));
                    jump_stack = Some(j);
                    f.push(val(OBJ));
                }
                _ => {
                    // Not modelled: the net effects, values untyped.
                    let op = u16::from(x.op);
                    let (Some(fall), Some(jumped)) = (t.stack_effect(op, arg, Some(false)), t.stack_effect(op, arg, Some(true))) else {
                        return Err(format!("{name} has no stack effect in CPython {}", self.release));
                    };
                    let base = f.s.clone();
                    let apply = |eff: i64, mut v: Vec<Val>| -> Result<Vec<Val>, String> {
                        for _ in 0..(-eff).max(0) {
                            if v.pop().is_none() {
                                return Err(format!("{name} pops below the bottom of the stack ({})", base.len()));
                            }
                        }
                        for _ in 0..eff.max(0) {
                            v.push(val(ANY));
                        }
                        Ok(v)
                    };
                    jump_stack = Some(apply(jumped, base.clone())?);
                    *f.s = apply(fall, base.clone())?;
                    f.low = f.low.min(usize::try_from(i64::try_from(base.len()).unwrap_or(0) + fall.min(jumped).min(0)).unwrap_or(0));
                }
            }
            // A generator resumed by throw() has the sent value pushed back before it unwinds.
            low_out = if name == "YIELD_VALUE" { st.stack.len() } else { f.low };
        }
        let no_fallthrough = ["RERAISE", "JUMP_FORWARD", "JUMP_BACKWARD", "JUMP_BACKWARD_NO_INTERRUPT", "RAISE_VARARGS"];
        if self.is(x.op, &no_fallthrough) {
            falls = false;
        }
        let _ = k;
        let mk = |stack: Vec<Val>| St { stack, locals: locals.clone(), may_gen, must_gen };
        let jump = self.jump_target(x).map(|_| mk(jump_stack.clone().unwrap_or_else(|| s.clone())));
        let fall = falls.then(|| mk(s.clone()));
        Ok((fall, jump, low_out))
    }

    fn closure_ok(&self, f: &mut Frame<'_>, shape: Option<(usize, usize)>) -> Result<(), String> {
        let c = f.pop(CELLTUPLE, "a tuple of cells")?;
        let nfree = shape.map(|s| s.1);
        if Some(c.n as usize) != nfree || c.n == NO_N {
            return Err(format!(
                "{} needs a closure of {} cells, finds {}",
                f.name,
                nfree.map_or("?".into(), |n| n.to_string()),
                if c.n == NO_N { "an unknown number".into() } else { c.n.to_string() }
            ));
        }
        Ok(())
    }

    fn annotations_ok(&self, f: &mut Frame<'_>) -> Result<(), String> {
        let v = f.pop(TUPLES | DICT, "a tuple or dict of annotations")?;
        if v.k & TUPLES != 0 && v.n != NO_N && v.n % 2 != 0 {
            return Err(format!("{} needs an annotations tuple of name/value pairs, finds {} items", f.name, v.n));
        }
        Ok(())
    }

    fn defaults_ok(&self, f: &mut Frame<'_>, shape: Option<(usize, usize)>) -> Result<(), String> {
        let v = f.pop(TUPLES, "a tuple of defaults")?;
        let nargs = shape.map(|s| s.0);
        if v.n == TRUSTED_LEN {
            return Ok(());
        }
        if v.n == NO_N || nargs.is_none_or(|p| v.n as usize > p) {
            return Err(format!(
                "{} needs a tuple of at most {} defaults, finds {}",
                f.name,
                nargs.map_or("?".into(), |n| n.to_string()),
                if v.n == NO_N { "an unknown number".into() } else { v.n.to_string() }
            ));
        }
        Ok(())
    }
}
