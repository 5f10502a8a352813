//! The `match` statement, mirroring CPython 3.12's `compiler_match` and the `compiler_pattern_*`
//! family of `Python/compile.c` (pattern contexts, fail-pop blocks, captured-name rotations,
//! or-pattern alignment) together with the `SyntaxError`s those functions raise.

use num_bigint::BigInt;
use num_traits::FromPrimitive;
use pycode_ast::arena::{Expr, ExprId, ExprKind, MatchCase, NameId, Pattern, PatternId, PatternKind, Seq, StmtKind};
use pycode_ast::{Constant, ExprContext, Operator, PyMinor};
use pycode_instr::{ConstValue, Label, Location};

use super::{binop_arg, err_at, loc_of, Compiler, ExprArg, PatArg, SeqArg, NO_LOC, R};
use pycode_ast::CmpOp;

/// `pattern_context`: the state threaded through the compilation of one pattern.
struct PatternContext<'a> {
    /// Names captured so far, in the order their values sit on the stack.
    stores: Vec<&'a str>,
    /// Whether an irrefutable pattern is allowed here.
    allow_irrefutable: bool,
    /// `fail_pop[n]` pops `n` items and then fails the pattern.
    fail_pop: Vec<Label>,
    /// Items on top of the stack that must be preserved (not yet captured).
    on_top: usize,
}

impl<'a> PatternContext<'a> {
    fn new(allow_irrefutable: bool) -> Self {
        PatternContext { stores: Vec::new(), allow_irrefutable, fail_pop: Vec::new(), on_top: 0 }
    }
}

/// `WILDCARD_CHECK`: `_` (a capture-less, sub-pattern-less `MatchAs`).
fn wildcard_check(p: &Pattern) -> bool {
    matches!(&p.kind, PatternKind::MatchAs { pattern: None, name: None })
}

/// `WILDCARD_STAR_CHECK`: `*_`.
fn wildcard_star_check(p: &Pattern) -> bool {
    matches!(&p.kind, PatternKind::MatchStar { name: None })
}

/// `MATCH_VALUE_EXPR`.
fn match_value_expr(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::Constant { .. } | ExprKind::Attribute { .. })
}

/// Python's `repr()` of an identifier (identifiers never contain quotes or backslashes).
fn repr_name(n: &str) -> String {
    format!("'{n}'")
}

/// A numeric constant's value, for set-membership equality.
enum Num {
    Int(BigInt),
    Float(f64),
    Complex(f64, f64),
}

fn as_num(c: &Constant) -> Option<Num> {
    Some(match c {
        Constant::False => Num::Int(BigInt::from(0)),
        Constant::True => Num::Int(BigInt::from(1)),
        Constant::Int(i) => Num::Int(BigInt::from(*i)),
        Constant::BigInt(b) => Num::Int((**b).clone()),
        Constant::Float(f) => Num::Float(*f),
        Constant::Complex { real, imag } => Num::Complex(*real, *imag),
        _ => return None,
    })
}

fn int_eq_float(i: &BigInt, f: f64) -> bool {
    f.is_finite() && f.fract() == 0.0 && BigInt::from_f64(f).is_some_and(|b| &b == i)
}

fn num_eq(a: &Num, b: &Num) -> bool {
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => x == y,
        (Num::Int(x), Num::Float(f)) | (Num::Float(f), Num::Int(x)) => int_eq_float(x, *f),
        (Num::Float(x), Num::Float(y)) => x == y,
        (Num::Complex(r, i), other) | (other, Num::Complex(r, i)) => match other {
            Num::Complex(r2, i2) => r == r2 && i == i2,
            Num::Float(f) => *i == 0.0 && r == f,
            Num::Int(x) => *i == 0.0 && int_eq_float(x, *r),
        },
    }
}

/// Equality of two constant mapping-pattern keys as a Python `set` sees it (`1 == 1.0 == True`).
fn key_eq(a: &Constant, b: &Constant) -> bool {
    if let (Some(x), Some(y)) = (as_num(a), as_num(b)) {
        return num_eq(&x, &y);
    }
    match (a, b) {
        (Constant::None, Constant::None) | (Constant::Ellipsis, Constant::Ellipsis) => true,
        (Constant::Str(x), Constant::Str(y)) => x == y,
        (Constant::Bytes(x), Constant::Bytes(y)) => x == y,
        (Constant::Tuple(x), Constant::Tuple(y)) => x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| key_eq(p, q)),
        _ => false,
    }
}

impl<'a> Compiler<'a> {
    /// `compiler_match` / `compiler_match_inner`.
    pub(super) fn compiler_match(&mut self, subject: impl ExprArg<'a>, cases: impl SeqArg<'a, MatchCase>) -> R {
        let subject = self.ex(subject)?;
        let cases = self.sq(cases);
        let o = self.ops;
        self.visit_expr(subject)?;
        let end = self.new_label();
        let ncases = cases.len();
        let Some(last) = cases.last() else { return self.use_label(end) };
        let has_default = usize::from(wildcard_check(self.px(last.pattern)?) && ncases > 1);
        for (i, m) in cases.iter().enumerate().take(ncases - has_default) {
            let ploc = loc_of(self.px(m.pattern)?.pos);
            let mut cur = ploc;
            // Only copy the subject if we're *not* on the last case.
            if i != ncases - has_default - 1 {
                self.addop_i(o.COPY, 1, ploc);
            }
            // Irrefutable cases must be either guarded, last, or both.
            let mut pc = PatternContext::new(m.guard.is_some() || i == ncases - 1);
            self.last_pattern_loc = ploc;
            self.pattern(m.pattern, &mut pc)?;
            debug_assert_eq!(pc.on_top, 0);
            // 3.11: the stores, the guard's test and the POP_TOP take the location of the last
            // (sub)pattern compiled, then what the guard left current.
            if self.feat.stmt_location_leaks {
                cur = self.last_pattern_loc;
            }
            // It's a match! Store all of the captured names (they're on the stack).
            for name in std::mem::take(&mut pc.stores) {
                self.nameop(cur, name, ExprContext::Store)?;
            }
            if let Some(guard) = &m.guard {
                self.ensure_fail_pop(&mut pc, 0);
                let target = pc.fail_pop[0];
                let after = self.jump_if(cur, guard, target, false)?;
                if self.feat.jump_if_or_pop {
                    cur = after;
                }
            }
            // Success! Pop the subject off, we're done with it.
            if i != ncases - has_default - 1 {
                let ploc = if self.feat.match_pop_next_location { Location::NEXT_LOCATION } else { cur };
                self.addop(o.POP_TOP, ploc);
            }
            self.visit_stmts(m.body)?;
            // (After a body that ends in a jump or return the jump is dead; its unlocated
            // stand-in keeps the failure path's location, measured on 3.11.2's traceback.py.)
            let ends_in_exit = self.sq(m.body).last().and_then(|&st| self.ast.stmt(st)).is_some_and(|st| {
                matches!(st.kind, StmtKind::Return { .. } | StmtKind::Raise { .. } | StmtKind::Break | StmtKind::Continue)
            });
            let jloc = if self.feat.match_case_jump_located && !ends_in_exit { self.last_stmt_loc } else { NO_LOC };
            self.addop_j(o.JUMP, end, jloc);
            // A failed match's cleanup belongs to the pattern's line, not the body's last one.
            self.emit_and_reset_fail_pop(ploc, &mut pc)?;
        }
        if has_default == 1 {
            // A trailing `case _:` needs no copy of the subject.
            let ploc = loc_of(self.px(last.pattern)?.pos);
            if ncases == 1 {
                self.addop(o.POP_TOP, ploc);
            } else {
                self.addop(o.NOP, ploc);
            }
            if let Some(guard) = &last.guard {
                self.jump_if(ploc, guard, end, false)?;
            }
            self.visit_stmts(last.body)?;
        } else if self.feat.stmt_location_leaks {
            // 3.11: the last failed match's cleanup was emitted at its pattern's location,
            // which stays current after the statement.
            if let Some(m) = cases.last() {
                self.last_stmt_loc = loc_of(self.px(m.pattern)?.pos);
            }
        }
        self.use_label(end)
    }

    /// `ensure_fail_pop`: makes sure `fail_pop[n]` exists.
    fn ensure_fail_pop(&mut self, pc: &mut PatternContext<'a>, n: usize) {
        while pc.fail_pop.len() < n + 1 {
            let l = self.new_label();
            pc.fail_pop.push(l);
        }
    }

    /// `jump_to_fail_pop`: jumps to the block that pops everything preserved so far and fails.
    fn jump_to_fail_pop(&mut self, loc: Location, pc: &mut PatternContext<'a>, op: u16) {
        let pops = pc.on_top + pc.stores.len();
        self.ensure_fail_pop(pc, pops);
        self.addop_j(op, pc.fail_pop[pops], loc);
    }

    /// `emit_and_reset_fail_pop`: emits the fail-pop blocks (`POP_TOP` chain) and resets them.
    fn emit_and_reset_fail_pop(&mut self, loc: Location, pc: &mut PatternContext<'a>) -> R {
        let labels = std::mem::take(&mut pc.fail_pop);
        let Some((&first, rest)) = labels.split_first() else { return Ok(()) };
        for &l in rest.iter().rev() {
            self.use_label(l)?;
            self.addop(self.ops.POP_TOP, loc);
        }
        self.use_label(first)
    }

    /// `pattern_helper_rotate`: the effect of 3.10's `ROT_N` with `SWAP`s.
    fn pattern_helper_rotate(&mut self, loc: Location, mut count: usize) {
        while count > 1 {
            self.addop_i(self.ops.SWAP, count as u32, loc);
            count -= 1;
        }
    }

    /// `pattern_helper_store_name`.
    fn pattern_helper_store_name(&mut self, loc: Location, name: Option<&'a str>, pc: &mut PatternContext<'a>) -> R {
        let Some(n) = name else {
            self.addop(self.ops.POP_TOP, loc);
            return Ok(());
        };
        self.forbidden_name(loc, n, ExprContext::Store)?;
        if pc.stores.contains(&n) {
            return Err(err_at(format!("multiple assignments to name {} in pattern", repr_name(n)), loc));
        }
        // Rotate this object underneath any items we need to preserve.
        let rotations = pc.on_top + pc.stores.len() + 1;
        self.pattern_helper_rotate(loc, rotations);
        pc.stores.push(n);
        Ok(())
    }

    /// `pattern_unpack_helper`.
    fn pattern_unpack_helper(&mut self, loc: Location, elts: impl SeqArg<'a, PatternId>) -> R {
        let elts = self.sq(elts);
        let o = self.ops;
        let n = elts.len();
        let mut seen_star = false;
        for (i, elt) in elts.iter().enumerate() {
            if let PatternKind::MatchStar { .. } = self.px(elt)?.kind {
                if seen_star {
                    return Err(err_at("multiple starred expressions in sequence pattern", loc));
                }
                if i >= (1 << 8) || n - i > (i32::MAX as usize >> 8) {
                    return Err(err_at("too many expressions in star-unpacking sequence pattern", loc));
                }
                self.addop_i(o.UNPACK_EX, (i + ((n - i - 1) << 8)) as u32, loc);
                seen_star = true;
            }
        }
        if !seen_star {
            self.addop_i(o.UNPACK_SEQUENCE, n as u32, loc);
        }
        Ok(())
    }

    /// `pattern_helper_sequence_unpack`.
    fn pattern_helper_sequence_unpack(&mut self, loc: Location, patterns: impl SeqArg<'a, PatternId>, pc: &mut PatternContext<'a>) -> R {
        let patterns = self.sq(patterns);
        self.pattern_unpack_helper(loc, patterns)?;
        // The new subjects stay on the stack while each sub-pattern is matched.
        pc.on_top += patterns.len();
        for p in patterns {
            pc.on_top -= 1;
            self.pattern_subpattern(p, pc)?;
        }
        Ok(())
    }

    /// `pattern_helper_sequence_subscr`: indexing instead of unpacking, for patterns with a
    /// starred wildcard (`[first, *_, last]`).
    fn pattern_helper_sequence_subscr(
        &mut self,
        loc: Location,
        patterns: impl SeqArg<'a, PatternId>,
        star: usize,
        pc: &mut PatternContext<'a>,
    ) -> R {
        let patterns = self.sq(patterns);
        let o = self.ops;
        // Keep the subject around for extracting elements.
        pc.on_top += 1;
        let size = patterns.len();
        for (i, p) in patterns.iter().enumerate() {
            if wildcard_check(self.px(p)?) || i == star {
                continue;
            }
            self.addop_i(o.COPY, 1, loc);
            if i < star {
                self.load_const(ConstValue::Int(i as i64), loc);
            } else {
                // The subject may not support negative indexing: compute a nonnegative index.
                self.addop(o.GET_LEN, loc);
                self.load_const(ConstValue::Int((size - i) as i64), loc);
                self.addop_i(o.BINARY_OP, binop_arg(Operator::Sub), loc);
            }
            self.emit_subscr(loc);
            self.pattern_subpattern(p, pc)?;
        }
        pc.on_top -= 1;
        self.addop(o.POP_TOP, loc);
        Ok(())
    }

    /// `compiler_pattern_subpattern`: like `compiler_pattern`, with irrefutability allowed.
    fn pattern_subpattern(&mut self, p: impl PatArg<'a>, pc: &mut PatternContext<'a>) -> R {
        let p = self.px(p)?;
        let saved = pc.allow_irrefutable;
        pc.allow_irrefutable = true;
        self.pattern(p, pc)?;
        pc.allow_irrefutable = saved;
        Ok(())
    }

    /// `compiler_pattern`.
    fn pattern(&mut self, p: impl PatArg<'a>, pc: &mut PatternContext<'a>) -> R {
        let p = self.px(p)?;
        self.enter()?;
        self.last_pattern_loc = loc_of(p.pos);
        let outer = self.pattern_current_loc;
        self.pattern_current_loc = self.feat.stmt_location_leaks;
        let r = self.pattern_inner(p, pc);
        self.pattern_current_loc = outer;
        self.depth -= 1;
        r
    }

    fn pattern_inner(&mut self, p: impl PatArg<'a>, pc: &mut PatternContext<'a>) -> R {
        let p = self.px(p)?;
        let loc = loc_of(p.pos);
        let o = self.ops;
        match &p.kind {
            // compiler_pattern_value
            PatternKind::MatchValue { value } => {
                if !match_value_expr(self.ex(value)?) {
                    return Err(err_at("patterns may only match literals and attribute lookups", loc));
                }
                self.visit_expr(value)?;
                self.addcompare(loc, CmpOp::Eq);
                self.emit_to_bool(loc);
                self.jump_to_fail_pop(loc, pc, o.POP_JUMP_IF_FALSE);
                Ok(())
            }
            // compiler_pattern_singleton
            PatternKind::MatchSingleton { value } => {
                self.load_const_ast(self.cst(value)?, loc);
                self.addcompare(loc, CmpOp::Is);
                self.jump_to_fail_pop(loc, pc, o.POP_JUMP_IF_FALSE);
                Ok(())
            }
            PatternKind::MatchSequence { patterns } => self.pattern_sequence(loc, patterns, pc),
            PatternKind::MatchMapping { keys, patterns, rest } => {
                let rest = rest.map(|r| self.nm(r)).transpose()?;
                self.pattern_mapping(loc, keys, patterns, rest, pc)
            }
            PatternKind::MatchClass { cls, patterns, kwd_attrs, kwd_patterns } => {
                self.pattern_class(loc, cls, patterns, *kwd_attrs, kwd_patterns, pc)
            }
            // compiler_pattern_star
            PatternKind::MatchStar { name } => {
                let name = name.map(|n| self.nm(n)).transpose()?;
                self.pattern_helper_store_name(loc, name, pc)
            }
            // compiler_pattern_as
            PatternKind::MatchAs { pattern, name } => {
                let name = name.map(|n| self.nm(n)).transpose()?;
                let Some(sub) = pattern else {
                    // An irrefutable match.
                    if !pc.allow_irrefutable {
                        if let Some(n) = name {
                            return Err(err_at(format!("name capture {} makes remaining patterns unreachable", repr_name(n)), loc));
                        }
                        return Err(err_at("wildcard makes remaining patterns unreachable", loc));
                    }
                    return self.pattern_helper_store_name(loc, name, pc);
                };
                // Need to make a copy for (possibly) storing later.
                pc.on_top += 1;
                self.addop_i(o.COPY, 1, loc);
                self.pattern(sub, pc)?;
                pc.on_top -= 1;
                self.pattern_helper_store_name(loc, name, pc)
            }
            PatternKind::MatchOr { patterns } => self.pattern_or(loc, patterns, pc),
        }
    }

    /// `compiler_pattern_sequence`.
    fn pattern_sequence(&mut self, loc: Location, patterns: impl SeqArg<'a, PatternId>, pc: &mut PatternContext<'a>) -> R {
        let patterns = self.sq(patterns);
        let o = self.ops;
        let size = patterns.len();
        let mut star: Option<usize> = None;
        let mut only_wildcard = true;
        let mut star_wildcard = false;
        // Find a starred name, if it exists. There may be at most one.
        for (i, p) in patterns.iter().enumerate() {
            if let PatternKind::MatchStar { .. } = self.px(p)?.kind {
                if star.is_some() {
                    return Err(err_at("multiple starred names in sequence pattern", loc));
                }
                star_wildcard = wildcard_star_check(self.px(p)?);
                only_wildcard &= star_wildcard;
                star = Some(i);
                continue;
            }
            only_wildcard &= wildcard_check(self.px(p)?);
        }
        // Keep the subject on top during the sequence and length checks.
        pc.on_top += 1;
        self.addop(o.MATCH_SEQUENCE, loc);
        self.jump_to_fail_pop(loc, pc, o.POP_JUMP_IF_FALSE);
        match star {
            None => {
                self.addop(o.GET_LEN, loc);
                self.load_const(ConstValue::Int(size as i64), loc);
                self.addcompare(loc, CmpOp::Eq);
                self.emit_to_bool_after_length_check(loc);
                self.jump_to_fail_pop(loc, pc, o.POP_JUMP_IF_FALSE);
            }
            Some(_) if size > 1 => {
                self.addop(o.GET_LEN, loc);
                self.load_const(ConstValue::Int(size as i64 - 1), loc);
                self.addcompare(loc, CmpOp::GtE);
                self.emit_to_bool_after_length_check(loc);
                self.jump_to_fail_pop(loc, pc, o.POP_JUMP_IF_FALSE);
            }
            Some(_) => {}
        }
        // Whatever comes next should consume the subject.
        pc.on_top -= 1;
        if only_wildcard {
            // [] / [_] / [_, _] / [*_] / [_, *_] / ...
            self.addop(o.POP_TOP, loc);
            Ok(())
        } else if star_wildcard {
            self.pattern_helper_sequence_subscr(loc, patterns, star.unwrap_or(0), pc)
        } else {
            self.pattern_helper_sequence_unpack(loc, patterns, pc)
        }
    }

    /// `compiler_pattern_class` (with `validate_kwd_attrs`).
    fn pattern_class(
        &mut self,
        loc: Location,
        cls: impl ExprArg<'a>,
        patterns: impl SeqArg<'a, PatternId>,
        kwd_attrs: Seq<NameId>,
        kwd_patterns: impl SeqArg<'a, PatternId>,
        pc: &mut PatternContext<'a>,
    ) -> R {
        let cls = self.ex(cls)?;
        let patterns = self.sq(patterns);
        let kwd_patterns = self.sq(kwd_patterns);
        let kwd_attrs: Vec<&'a str> = self.sq(kwd_attrs).iter().map(|&a| self.nm(a)).collect::<Result<_, _>>()?;
        let o = self.ops;
        let nargs = patterns.len();
        let nattrs = kwd_attrs.len();
        if nattrs != kwd_patterns.len() {
            return Err(err_at(
                format!("kwd_attrs ({nattrs}) / kwd_patterns ({}) length mismatch in class pattern", kwd_patterns.len()),
                loc,
            ));
        }
        for (i, attr) in kwd_attrs.iter().enumerate() {
            let aloc = kwd_patterns.get(i).and_then(|&p| self.ast.pattern(p)).map(|p| loc_of(p.pos)).unwrap_or(loc);
            self.forbidden_name(aloc, *attr, ExprContext::Store)?;
            for (j, other) in kwd_attrs.iter().enumerate().skip(i + 1) {
                if attr == other {
                    let jloc = kwd_patterns.get(j).and_then(|&p| self.ast.pattern(p)).map(|p| loc_of(p.pos)).unwrap_or(loc);
                    return Err(err_at(format!("attribute name repeated in class pattern: {attr}"), jloc));
                }
            }
        }
        self.visit_expr(cls)?;
        let names: Vec<&str> = kwd_attrs.iter().map(|s| &**s).collect();
        let t = self.str_tuple(&names);
        self.load_const(t, loc);
        self.addop_i(o.MATCH_CLASS, nargs as u32, loc);
        self.addop_i(o.COPY, 1, loc);
        self.load_const(ConstValue::None, loc);
        self.addop_i(o.IS_OP, 1, loc);
        // TOS is now a tuple of (nargs + nattrs) attributes (or None).
        pc.on_top += 1;
        self.jump_to_fail_pop(loc, pc, o.POP_JUMP_IF_FALSE);
        self.addop_i(o.UNPACK_SEQUENCE, (nargs + nattrs) as u32, loc);
        pc.on_top += nargs + nattrs;
        pc.on_top -= 1;
        for p in patterns.iter().chain(kwd_patterns.iter()) {
            pc.on_top -= 1;
            if wildcard_check(self.px(p)?) {
                self.addop(o.POP_TOP, loc);
                continue;
            }
            self.pattern_subpattern(p, pc)?;
        }
        Ok(())
    }

    /// `compiler_pattern_mapping`.
    fn pattern_mapping(
        &mut self,
        loc: Location,
        keys: impl SeqArg<'a, ExprId>,
        patterns: impl SeqArg<'a, PatternId>,
        rest: Option<&'a str>,
        pc: &mut PatternContext<'a>,
    ) -> R {
        let keys = self.sq(keys);
        let patterns = self.sq(patterns);
        let o = self.ops;
        let size = keys.len();
        if size != patterns.len() {
            return Err(err_at(format!("keys ({size}) / patterns ({}) length mismatch in mapping pattern", patterns.len()), loc));
        }
        // Keep the subject on top during the mapping and length checks.
        pc.on_top += 1;
        self.addop(o.MATCH_MAPPING, loc);
        self.jump_to_fail_pop(loc, pc, o.POP_JUMP_IF_FALSE);
        if size == 0 && rest.is_none() {
            // `{}`: done, pop the subject.
            pc.on_top -= 1;
            self.addop(o.POP_TOP, loc);
            return Ok(());
        }
        if size > 0 {
            self.addop(o.GET_LEN, loc);
            self.load_const(ConstValue::Int(size as i64), loc);
            self.addcompare(loc, CmpOp::GtE);
            self.emit_to_bool_after_length_check(loc);
            self.jump_to_fail_pop(loc, pc, o.POP_JUMP_IF_FALSE);
        }
        // Collect the keys (literals or attribute lookups) for MATCH_KEYS, rejecting duplicate
        // constant keys.
        let mut seen: Vec<&'a Constant> = Vec::new();
        for key in keys {
            match &self.ex(key)?.kind {
                ExprKind::Constant { value, .. } => {
                    let value = self.cst(value)?;
                    if seen.iter().any(|s| key_eq(s, value)) {
                        return Err(err_at(format!("mapping pattern checks duplicate key ({})", value.repr(PyMinor::Py312)), loc));
                    }
                    seen.push(value);
                }
                ExprKind::Attribute { .. } => {}
                _ => {
                    return Err(err_at("mapping pattern keys may only match literals and attribute lookups", loc));
                }
            }
            self.visit_expr(key)?;
        }
        self.addop_i(o.BUILD_TUPLE, size as u32, loc);
        self.addop(o.MATCH_KEYS, loc);
        // A tuple of keys and a tuple of values are now on top of the subject.
        pc.on_top += 2;
        self.addop_i(o.COPY, 1, loc);
        self.load_const(ConstValue::None, loc);
        self.addop_i(o.IS_OP, 1, loc);
        self.jump_to_fail_pop(loc, pc, o.POP_JUMP_IF_FALSE);
        // Match the sub-patterns against the tuple of values.
        self.addop_i(o.UNPACK_SEQUENCE, size as u32, loc);
        pc.on_top += size;
        pc.on_top -= 1;
        for p in patterns {
            pc.on_top -= 1;
            self.pattern_subpattern(p, pc)?;
        }
        // A match: whatever happens next consumes the tuple of keys and the subject.
        pc.on_top -= 2;
        if let Some(star_target) = rest {
            // rest = dict(subject); for key in keys: del rest[key]
            self.addop_i(o.BUILD_MAP, 0, loc);
            self.addop_i(o.SWAP, 3, loc);
            self.addop_i(o.DICT_UPDATE, 2, loc);
            self.addop_i(o.UNPACK_SEQUENCE, size as u32, loc);
            let mut n = size;
            while n > 0 {
                self.addop_i(o.COPY, 1 + n as u32, loc);
                n -= 1;
                self.addop_i(o.SWAP, 2, loc);
                self.addop(o.DELETE_SUBSCR, loc);
            }
            self.pattern_helper_store_name(loc, Some(star_target), pc)
        } else {
            self.addop(o.POP_TOP, loc);
            self.addop(o.POP_TOP, loc);
            Ok(())
        }
    }

    /// `compiler_pattern_or`.
    fn pattern_or(&mut self, loc: Location, patterns: impl SeqArg<'a, PatternId>, pc: &mut PatternContext<'a>) -> R {
        let patterns = self.sq(patterns);
        let o = self.ops;
        let end = self.new_label();
        let size = patterns.len();
        // Keep the original context; each alternative gets a fresh one.
        let old_stores = std::mem::take(&mut pc.stores);
        let old_fail_pop = std::mem::take(&mut pc.fail_pop);
        let old_on_top = pc.on_top;
        let old_allow = pc.allow_irrefutable;
        // The names bound by the first alternative; the others must bind the same set, and
        // their values are reordered on the stack to this order.
        let mut control: Vec<&'a str> = Vec::new();
        let diff = || err_at("alternative patterns bind different names", loc);
        for (i, alt) in patterns.iter().enumerate() {
            let aloc = loc_of(self.px(alt)?.pos);
            pc.stores = Vec::new();
            // An irrefutable sub-pattern must be last, if it is allowed at all.
            pc.allow_irrefutable = i == size - 1 && old_allow;
            pc.fail_pop = Vec::new();
            pc.on_top = 0;
            // (3.11: `SET_LOC(alt)`.)
            self.last_pattern_loc = aloc;
            self.addop_i(o.COPY, 1, aloc);
            self.pattern(alt, pc)?;
            // 3.11: what follows an alternative takes the location of the last sub-pattern
            // compiled (the current one), 3.12+ the alternative's.
            let aloc = if self.feat.stmt_location_leaks { self.last_pattern_loc } else { aloc };
            let nstores = pc.stores.len();
            if i == 0 {
                control = pc.stores.clone();
            } else if nstores != control.len() {
                return Err(diff());
            } else if nstores > 0 {
                let mut icontrol = nstores;
                while icontrol > 0 {
                    icontrol -= 1;
                    let name = control[icontrol];
                    let Some(istores) = pc.stores.iter().position(|n| *n == name) else { return Err(diff()) };
                    if icontrol != istores {
                        // Rotate the stores (and the stack) so that this name lands at `icontrol`.
                        let rotations = istores + 1;
                        let rotated: Vec<&'a str> = pc.stores.drain(..rotations).collect();
                        let at = icontrol - istores;
                        pc.stores.splice(at..at, rotated);
                        for _ in 0..rotations {
                            self.pattern_helper_rotate(aloc, icontrol + 1);
                        }
                    }
                }
            }
            self.addop_j(o.JUMP, end, aloc);
            self.emit_and_reset_fail_pop(aloc, pc)?;
        }
        pc.stores = old_stores;
        pc.fail_pop = old_fail_pop;
        pc.on_top = old_on_top;
        pc.allow_irrefutable = old_allow;
        let eloc = loc;
        let loc = if self.feat.stmt_location_leaks { self.last_pattern_loc } else { loc };
        // No match: pop the remaining copy of the subject and fail.
        self.addop(o.POP_TOP, loc);
        self.jump_to_fail_pop(loc, pc, o.JUMP);
        self.use_label(end)?;
        // Move the new captures below everything that sits between them and the older stores.
        let nstores = control.len();
        let nrots = nstores + 1 + pc.on_top + pc.stores.len();
        for name in control {
            self.pattern_helper_rotate(loc, nrots);
            if pc.stores.contains(&name) {
                return Err(err_at(format!("multiple assignments to name {} in pattern", repr_name(name)), eloc));
            }
            pc.stores.push(name);
        }
        // Pop the copy of the subject.
        self.addop(o.POP_TOP, loc);
        Ok(())
    }
}
