//! What the assembler computes for one code object: bytecode (jump offsets, `EXTENDED_ARG`s,
//! caches), the location table, the exception table, the stack depth.

use pycode_flowgraph::{ExceptHandlerInfo, Ops, OutInstr};
use pycode_instr::Location;
use pycode_marshal::PycHeader;

use pycode_release::Release;

use crate::model::{AsmCode, AsmFile, Instr, Operand};
use crate::ops;
use crate::AsmError;

/// The byte fields of an assembled code object.
#[derive(Clone, Debug, PartialEq)]
pub struct Encoded {
    pub code: Vec<u8>,
    pub linetable: Vec<u8>,
    pub exceptiontable: Vec<u8>,
    pub stacksize: i32,
    pub localspluskinds: Vec<u8>,
}

pub fn header(file: &AsmFile) -> PycHeader {
    let mut h = PycHeader::new(file.release, file.kind);
    h.flags = file.header_flags;
    h
}

fn line_err<T>(line: usize, msg: impl Into<String>) -> Result<T, AsmError> {
    Err(AsmError::Syntax { line, msg: msg.into() })
}

/// The final opargs: jump arguments resolved until every instruction's size is stable
/// (a jump's `EXTENDED_ARG`s move the instructions after it).
pub fn resolve_jumps(release: Release, instrs: &[Instr]) -> Result<Vec<u32>, AsmError> {
    let t = release.opcodes();
    let n = instrs.len();
    let starts_from_index = release.minor() >= (3, 13);
    let mut args: Vec<u32> = instrs
        .iter()
        .map(|i| match i.operand {
            Operand::Arg(a) => a,
            // 3.13+ `resolve_jump_offsets` starts from the target's instruction index as the
            // oparg (so a jump can keep an `EXTENDED_ARG` a smaller oparg would not need, when
            // that is also a fixed point). 3.11 starts from 0; 3.12 from the compiler's label
            // number, which the `.pyc` does not show (0 is the measured best guess).
            Operand::Jump(target) if starts_from_index => u32::try_from(target).unwrap_or(u32::MAX),
            Operand::Jump(_) => 0,
        })
        .collect();
    let counts_caches = ops::jump_counts_caches(release);
    for _round in 0..64 {
        let mut offsets = Vec::with_capacity(n + 1);
        let mut off = 0u32;
        for (ins, &a) in instrs.iter().zip(args.iter()) {
            offsets.push(off);
            off = off.saturating_add(ops::size(t, ins.opcode, a));
        }
        offsets.push(off);
        let mut changed = false;
        for (k, ins) in instrs.iter().enumerate() {
            let Operand::Jump(target) = ins.operand else { continue };
            let (Some(&start), Some(&dest), Some(slot)) = (offsets.get(k), offsets.get(target), args.get_mut(k)) else {
                return line_err(ins.line, "jump target out of range");
            };
            let size = ops::size(t, ins.opcode, *slot);
            let base = start + size - if counts_caches { 0 } else { ops::caches(t, ins.opcode) };
            let arg = if !ops::relative(t, ins.opcode) {
                dest
            } else if ops::backward(t, ins.opcode) {
                match base.checked_sub(dest) {
                    Some(a) => a,
                    None => return line_err(ins.line, "a backward jump to a label after it"),
                }
            } else {
                match dest.checked_sub(base) {
                    Some(a) => a,
                    None => return line_err(ins.line, "a forward jump to a label before it"),
                }
            };
            if ops::size(t, ins.opcode, arg) != size {
                changed = true;
            }
            *slot = arg;
        }
        if !changed {
            return Ok(args);
        }
    }
    Err(AsmError::Unsupported("jump offsets do not settle".into()))
}

/// `assemble_emit_exception_table_item`: 6-bit groups, most significant first; bit 6 marks a
/// continuation and bit 7 the first item of an entry.
fn except_item(out: &mut Vec<u8>, value: u32, first: bool) {
    let mut groups = vec![value & 63];
    let mut v = value >> 6;
    while v > 0 {
        groups.push(v & 63);
        v >>= 6;
    }
    let mut mark = if first { 0x80u8 } else { 0 };
    let last = groups.len().saturating_sub(1);
    for (k, g) in groups.iter().rev().enumerate() {
        let cont = if k < last { 0x40u8 } else { 0 };
        out.push(*g as u8 | cont | mark);
        mark = 0;
    }
}

/// The maximum stack depth along every path (exception edges included), from the release's
/// stack effects.
fn stack_depth(file: &AsmFile, code: &AsmCode, args: &[u32]) -> Result<i32, AsmError> {
    let ops = Ops::new(file.release);
    let n = code.instrs.len();
    let mut depth: Vec<Option<i64>> = vec![None; n + 1];
    let mut work: Vec<usize> = Vec::new();
    let mut max = 0i64;
    let visit = |depth: &mut Vec<Option<i64>>, work: &mut Vec<usize>, k: usize, d: i64, line: usize| -> Result<(), AsmError> {
        if d < 0 {
            return line_err(line, "stack depth goes below zero");
        }
        match depth.get_mut(k) {
            Some(slot @ None) => {
                *slot = Some(d);
                work.push(k);
                Ok(())
            }
            Some(Some(old)) if *old != d => line_err(line, format!("inconsistent stack depth ({old} and {d}) at an instruction")),
            _ => Ok(()),
        }
    };
    if n > 0 {
        visit(&mut depth, &mut work, 0, 0, 0)?;
    }
    while let Some(k) = work.pop() {
        let (Some(ins), Some(&a), Some(&Some(d))) = (code.instrs.get(k), args.get(k), depth.get(k)) else { continue };
        max = max.max(d);
        for h in code.handlers.iter().filter(|h| h.start <= k && k < h.end) {
            let hd = i64::from(h.depth) + 1 + i64::from(h.lasti);
            max = max.max(hd);
            visit(&mut depth, &mut work, h.target, hd, ins.line)?;
        }
        let op = u16::from(ins.opcode);
        let oparg = i32::try_from(a).unwrap_or(i32::MAX);
        let plain = ops.stack_effect(op, oparg, false);
        if let Operand::Jump(target) = ins.operand {
            let e = ops.stack_effect(op, oparg, true).ok_or(AsmError::Syntax { line: ins.line, msg: "no stack effect".into() })?;
            max = max.max(d + e);
            visit(&mut depth, &mut work, target, d + e, ins.line)?;
        }
        if ops.is_unconditional_jump(op) || ops.is_scope_exit(op) {
            continue;
        }
        let e = plain.ok_or(AsmError::Syntax { line: ins.line, msg: "no stack effect".into() })?;
        max = max.max(d + e);
        if d + e < 0 {
            return line_err(ins.line, "stack depth goes below zero");
        }
        if k + 1 < n {
            visit(&mut depth, &mut work, k + 1, d + e, ins.line)?;
        }
    }
    i32::try_from(max).or(Err(AsmError::Unsupported("stack depth too large".into())))
}

/// Encodes one code object.
pub fn encode(file: &AsmFile, code: &AsmCode) -> Result<Encoded, AsmError> {
    let ops = Ops::new(file.release);
    let t = file.release.opcodes();
    let args = resolve_jumps(file.release, &code.instrs)?;
    let out: Vec<OutInstr> = code
        .instrs
        .iter()
        .zip(args.iter())
        .map(|(i, &a)| OutInstr {
            opcode: u16::from(i.opcode),
            oparg: a as i32,
            loc: Location::new(i.loc.line, i.loc.end_line, i.loc.col, i.loc.end_col),
            handler: ExceptHandlerInfo { label: -1, startdepth: -1, preserve_lasti: false },
        })
        .collect();
    for (i, &a) in code.instrs.iter().zip(args.iter()) {
        if !t.has_arg(u16::from(i.opcode)) && a > 0xff {
            return line_err(i.line, "an instruction without argument takes no EXTENDED_ARG");
        }
    }
    let bytecode = pycode_assemble::assemble_bytecode(&ops, &out).map_err(|e| AsmError::Unsupported(e.to_string()))?;
    let linetable = pycode_assemble::assemble_linetable(&ops, &out, code.firstlineno);
    let mut offsets = Vec::with_capacity(out.len() + 1);
    let mut off = 0u32;
    for (i, &a) in code.instrs.iter().zip(args.iter()) {
        offsets.push(off);
        off += ops::size(t, i.opcode, a);
    }
    offsets.push(off);
    let mut exceptiontable = Vec::new();
    for h in &code.handlers {
        let (Some(&s), Some(&e), Some(&tg)) = (offsets.get(h.start), offsets.get(h.end), offsets.get(h.target)) else {
            return Err(AsmError::Unsupported("exception range out of the code".into()));
        };
        except_item(&mut exceptiontable, s, true);
        except_item(&mut exceptiontable, e - s, false);
        except_item(&mut exceptiontable, tg, false);
        except_item(&mut exceptiontable, (h.depth << 1) | u32::from(h.lasti), false);
    }
    let stacksize = match code.stacksize {
        Some(s) => s,
        None => stack_depth(file, code, &args)?,
    };
    Ok(Encoded { code: bytecode, linetable, exceptiontable, stacksize, localspluskinds: code.locals.iter().map(|(_, k)| *k).collect() })
}
