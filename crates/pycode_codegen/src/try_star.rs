//! `try`/`except*` (PEP 654), mirroring CPython 3.12's `compiler_try_star`,
//! `compiler_try_star_finally` and `compiler_try_star_except` in `Python/compile.c`.

use pycode_ast::arena::Try;
use pycode_ast::ExprContext;
use pycode_instr::ConstValue;

use super::{loc_of, Compiler, FBlockType, FDatum, StmtArg, NO_LOC, R};

impl<'a> Compiler<'a> {
    /// `compiler_try_star`.
    pub(super) fn compiler_try_star(&mut self, s: impl StmtArg<'a>, t: &'a Try) -> R {
        let s = self.sx(s)?;
        if t.finalbody.is_empty() {
            self.compiler_try_star_except(s, t)
        } else {
            self.compiler_try_star_finally(s, t)
        }
    }

    /// `compiler_try_star_finally`: `compiler_try_finally` around `compiler_try_star_except`.
    fn compiler_try_star_finally(&mut self, s: impl StmtArg<'a>, t: &'a Try) -> R {
        let s = self.sx(s)?;
        self.compiler_try_finally_around(s, t, Self::compiler_try_star_except)
    }

    /// `compiler_try_star_except`: the handlers split the exception group with
    /// `CHECK_EG_MATCH`; what they raise or leave unhandled is collected in a list and
    /// recombined by `CALL_INTRINSIC_2 INTRINSIC_PREP_RERAISE_STAR`.
    fn compiler_try_star_except(&mut self, s: impl StmtArg<'a>, t: &'a Try) -> R {
        let s = self.sx(s)?;
        let loc = loc_of(s.pos);
        let o = self.ops;
        let body = self.new_label();
        let mut except = self.new_label();
        let orelse = self.new_label();
        let end = self.new_label();
        let cleanup = self.new_label();
        let reraise_star = self.new_label();

        self.addop_j(o.SETUP_FINALLY, except, loc);
        self.use_label(body)?;
        self.push_fblock(loc, FBlockType::TryExcept, Some(body), None, FDatum::None)?;
        self.visit_stmts(t.body)?;
        self.pop_fblock();
        self.addop(o.POP_BLOCK, NO_LOC);
        self.emit_jump_no_interrupt_3_13(orelse, NO_LOC);
        let n = t.handlers.len();

        self.use_label(except)?;
        self.addop_j(o.SETUP_CLEANUP, cleanup, NO_LOC);
        self.addop(o.PUSH_EXC_INFO, NO_LOC);
        // The runtime pushes a block here.
        self.push_fblock(loc, FBlockType::ExceptionGroupHandler, None, None, FDatum::Name("except handler"))?;

        for (i, h) in self.sq(t.handlers).iter().enumerate() {
            let hloc = loc_of(h.pos);
            let next_except = self.new_label();
            except = next_except;
            let except_with_error = self.new_label();
            let no_match = self.new_label();
            if i == 0 {
                // [orig] -> [orig, []] -> [orig, [], exc]: the list collects the exceptions
                // raised or re-raised by the handlers; the copy of the group is split below.
                self.emit_except_star_prologue(hloc);
            }
            if let Some(ty) = &h.type_ {
                self.visit_expr(ty)?;
                self.addop(o.CHECK_EG_MATCH, hloc);
                self.addop_i(o.COPY, 1, hloc);
                if self.feat.except_star_no_match_block {
                    self.addop_j(o.POP_JUMP_IF_NONE, no_match, hloc);
                } else {
                    // `no_match` is the handler itself here.
                    self.addop_j(o.POP_JUMP_IF_NOT_NONE, no_match, hloc);
                    self.addop(o.POP_TOP, hloc);
                    self.addop_j(o.JUMP, except, hloc);
                    self.use_label(no_match)?;
                }
            }
            let cleanup_end = self.new_label();
            let cleanup_body = self.new_label();
            match &h.name {
                Some(name) => self.nameop(hloc, name, ExprContext::Store)?,
                None => self.addop(o.POP_TOP, hloc),
            }
            // try: body finally: name = None; del name
            self.addop_j(o.SETUP_CLEANUP, cleanup_end, hloc);
            self.use_label(cleanup_body)?;
            let datum = match &h.name {
                Some(n) => FDatum::Name(self.nm(n)?),
                None => FDatum::None,
            };
            self.push_fblock(hloc, FBlockType::HandlerCleanup, Some(cleanup_body), None, datum)?;
            self.visit_stmts(h.body)?;
            self.pop_fblock();
            // name = None; del name  (artificial)
            self.addop(o.POP_BLOCK, NO_LOC);
            if let Some(name) = &h.name {
                self.load_const(ConstValue::None, NO_LOC);
                self.nameop(NO_LOC, name, ExprContext::Store)?;
                self.nameop(NO_LOC, name, ExprContext::Del)?;
            }
            self.emit_jump_no_interrupt_3_13(except, NO_LOC);

            // except: (an exception raised in the handler body)
            self.use_label(cleanup_end)?;
            if let Some(name) = &h.name {
                self.load_const(ConstValue::None, NO_LOC);
                self.nameop(NO_LOC, name, ExprContext::Store)?;
                self.nameop(NO_LOC, name, ExprContext::Del)?;
            }
            // Add the raised exception to the result list.
            self.addop_i(o.LIST_APPEND, 3, NO_LOC);
            self.addop(o.POP_TOP, NO_LOC);
            self.emit_jump_no_interrupt_3_13(except_with_error, NO_LOC);

            self.use_label(except)?;
            if self.feat.except_star_no_match_block {
                // Holds a propagated location.
                self.addop(o.NOP, NO_LOC);
                self.emit_jump_no_interrupt_3_13(except_with_error, NO_LOC);
                self.use_label(no_match)?;
                self.addop(o.POP_TOP, hloc);
            }

            self.use_label(except_with_error)?;
            if i + 1 == n {
                // Add the unhandled rest of the group (or None) to the list.
                self.addop_i(o.LIST_APPEND, 1, NO_LOC);
                self.emit_jump_no_interrupt_3_13(reraise_star, NO_LOC);
            }
        }
        // artificial
        self.pop_fblock();
        let reraise = self.new_label();

        self.use_label(reraise_star)?;
        self.emit_prep_reraise_star(NO_LOC);
        self.addop_i(o.COPY, 1, NO_LOC);
        self.addop_j(o.POP_JUMP_IF_NOT_NONE, reraise, NO_LOC);

        // Nothing to reraise.
        self.addop(o.POP_TOP, NO_LOC);
        self.addop(o.POP_BLOCK, NO_LOC);
        self.addop(o.POP_EXCEPT, NO_LOC);
        self.emit_jump_no_interrupt_3_13(end, NO_LOC);

        self.use_label(reraise)?;
        self.addop(o.POP_BLOCK, NO_LOC);
        self.addop_i(o.SWAP, 2, NO_LOC);
        self.addop(o.POP_EXCEPT, NO_LOC);
        self.addop_i(o.RERAISE, 0, NO_LOC);

        self.use_label(cleanup)?;
        self.pop_except_and_reraise(NO_LOC);

        self.use_label(orelse)?;
        self.visit_stmts(t.orelse)?;

        self.use_label(end)
    }
}
