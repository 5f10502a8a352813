//! `pycode_assemble`: the back end of CPython's compiler for one code unit —
//! `optimize_and_assemble_code_unit` (`Python/compile.c`) driving the CFG passes of
//! `pycode_flowgraph`, then `_PyAssemble_MakeCodeObject` (`Python/assemble.c`): bytecode with
//! `EXTENDED_ARG`s and inline caches, the location table, the exception table, localsplus
//! names/kinds — and finally code objects in a `pycode_object::ObjectGraph` ([`graph`]).

#[path = "generated/startup_qualnames_3_13.rs"]
#[rustfmt::skip] // generated (do not edit)
mod generated_qualnames;
#[path = "generated/startup_qualnames_3_14.rs"]
#[rustfmt::skip] // generated (do not edit)
mod generated_qualnames_314;
#[path = "generated/startup_qualnames_3_15.rs"]
#[rustfmt::skip] // generated (do not edit)
mod generated_qualnames_315;
#[path = "generated/startup_interned_3_12.rs"]
#[rustfmt::skip] // generated (do not edit)
mod generated_startup;
#[path = "generated/startup_interned_3_11.rs"]
#[rustfmt::skip] // generated (do not edit)
mod generated_startup_3_11;
pub mod graph;
mod tables;

pub use tables::{assemble_bytecode, assemble_exception_table, assemble_linetable};

use pycode_flowgraph::{Cfg, CfgError, Ops};
use pycode_instr::{CodeUnit, ConstId, ConstPool, PyStr};
use pycode_object::fast_kind;
use pycode_release::Release;

/// Errors of the back end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AssembleError {
    Cfg(CfgError),
    /// A metadata table is inconsistent (e.g. a cell index out of range).
    Metadata(&'static str),
    /// An instruction the target release does not have reached the assembler (`name` when
    /// the opcode is a stand-in for a name the release lacks).
    AbsentOpcode {
        release: Release,
        opcode: u16,
        name: Option<&'static str>,
    },
}

impl From<CfgError> for AssembleError {
    fn from(e: CfgError) -> Self {
        AssembleError::Cfg(e)
    }
}

impl std::fmt::Display for AssembleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AssembleError::Cfg(e) => write!(f, "{e}"),
            AssembleError::Metadata(s) => write!(f, "bad code unit metadata: {s}"),
            AssembleError::AbsentOpcode { release, opcode, name: Some(name) } => {
                write!(f, "opcode {name} (stand-in {opcode}) does not exist in CPython {release}")
            }
            AssembleError::AbsentOpcode { release, opcode, name: None } => {
                write!(f, "opcode {opcode} is not an instruction of CPython {release}")
            }
        }
    }
}

impl std::error::Error for AssembleError {}

/// The fields of one assembled code object, before they are turned into objects.
#[derive(Clone, Debug, PartialEq)]
pub struct AssembledCode {
    pub argcount: u32,
    pub posonlyargcount: u32,
    pub kwonlyargcount: u32,
    pub stacksize: i32,
    pub flags: u32,
    pub code: Vec<u8>,
    /// Final constant list (after folding and `remove_unused_consts`).
    pub consts: Vec<ConstId>,
    pub names: Vec<PyStr>,
    pub localsplusnames: Vec<PyStr>,
    pub localspluskinds: Vec<u8>,
    pub name: PyStr,
    pub qualname: PyStr,
    pub firstlineno: i32,
    pub linetable: Vec<u8>,
    pub exceptiontable: Vec<u8>,
}

/// `optimize_and_assemble_code_unit` (3.12 `compile.c`) up to the code object's fields.
/// `pool` receives the constants created by folding.
pub fn optimize_and_assemble(release: Release, unit: &CodeUnit, pool: &mut ConstPool) -> Result<AssembledCode, AssembleError> {
    let (mut a, nlocalsplus) = assemble_unit(release, unit, pool)?;
    let (localsplusnames, localspluskinds) = compute_localsplus_info(release, unit, nlocalsplus)?;
    a.names = unit.metadata.names.as_slice().to_vec();
    a.localsplusnames = localsplusnames;
    a.localspluskinds = localspluskinds;
    a.name = unit.metadata.name.clone();
    a.qualname = unit.metadata.qualname.clone();
    Ok(a)
}

/// [`optimize_and_assemble`] for a unit that is not needed afterwards: its names are moved into
/// the result instead of copied.
pub fn optimize_and_assemble_owned(release: Release, mut unit: CodeUnit, pool: &mut ConstPool) -> Result<AssembledCode, AssembleError> {
    let (mut a, nlocalsplus) = assemble_unit(release, &unit, pool)?;
    let slots = localsplus_slots(release, &unit, nlocalsplus)?;
    let md = &mut unit.metadata;
    let mut lists = [md.varnames.take_items(), md.cellvars.take_items(), md.freevars.take_items()];
    let mut names = Vec::with_capacity(slots.len());
    for &(list, i, kind) in &slots {
        let name = lists.get_mut(list as usize).and_then(|l| l.get_mut(i as usize));
        names.push(std::mem::take(name.ok_or(AssembleError::Metadata("localsplus name out of range"))?));
        a.localspluskinds.push(kind);
    }
    a.names = md.names.take_items();
    a.localsplusnames = names;
    a.name = std::mem::take(&mut md.name);
    a.qualname = std::mem::take(&mut md.qualname);
    Ok(a)
}

/// Everything of [`optimize_and_assemble`] but the names and kinds; also returns the number of
/// localsplus slots.
fn assemble_unit(release: Release, unit: &CodeUnit, pool: &mut ConstPool) -> Result<(AssembledCode, usize), AssembleError> {
    // One graph per thread, rebuilt for each unit: its blocks' instruction vectors and work
    // lists are allocated once per worker, not once per unit and block.
    thread_local! {
        static GRAPH: std::cell::Cell<Option<Box<Cfg>>> = const { std::cell::Cell::new(None) };
    }
    let mut g = match GRAPH.with(|c| c.take()) {
        Some(mut g) => {
            g.rebuild_from_sequence(release, &unit.instrs)?;
            g
        }
        None => Box::new(Cfg::from_sequence(Ops::new(release), &unit.instrs)?),
    };
    let r = assemble_graph(release, unit, pool, &mut g);
    GRAPH.with(|c| c.set(Some(g)));
    r
}

/// [`assemble_unit`] on the unit's graph, built.
fn assemble_graph(release: Release, unit: &CodeUnit, pool: &mut ConstPool, g: &mut Cfg) -> Result<(AssembledCode, usize), AssembleError> {
    let md = &unit.metadata;
    let code_flags = md.flags;
    let mut consts: Vec<ConstId> = md.consts.as_slice().to_vec();
    let nlocals = md.varnames.len();
    let nparams = md.nparams() as usize;
    let cell_varname_index: Vec<Option<usize>> = md.cellvars.iter().map(|c| md.varnames.get_index(c).map(|i| i as usize)).collect();
    let (nlocalsplus, maxdepth) = if release.features().assemble_3_11 {
        g.assemble_3_11(&mut consts, pool, code_flags, nlocals, &cell_varname_index, md.freevars.len(), md.firstlineno)?
    } else {
        g.optimize_code_unit(&mut consts, pool, code_flags, nlocals, nparams, md.firstlineno)?;
        if release.features().jump_if_pseudo {
            g.convert_pseudo_conditional_jumps()?;
        }
        // prepare_localsplus
        let nlocalsplus = g.prepare_localsplus(nlocals, &cell_varname_index, md.freevars.len(), code_flags, md.firstlineno)?;
        let maxdepth = g.stackdepth(code_flags)?;
        g.convert_pseudo_ops()?;
        (nlocalsplus, maxdepth)
    };
    g.resolve_jumps()?;
    let tables::Tables { code, linetable, exceptiontable } = tables::assemble_from_cfg(&g.ops, g, md.firstlineno)?;
    let a = AssembledCode {
        argcount: md.posonlyargcount + md.argcount,
        posonlyargcount: md.posonlyargcount,
        kwonlyargcount: md.kwonlyargcount,
        stacksize: maxdepth,
        flags: code_flags,
        code,
        consts,
        names: Vec::new(),
        localsplusnames: Vec::new(),
        localspluskinds: Vec::new(),
        name: PyStr::default(),
        qualname: PyStr::default(),
        firstlineno: md.firstlineno,
        linetable,
        exceptiontable,
    };
    Ok((a, nlocalsplus))
}

/// `compute_localsplus_info` (assemble.c): locals (a local that is also a cell is marked
/// `LOCAL|CELL`), then cells not shadowing a local, then free variables.
pub fn compute_localsplus_info(release: Release, unit: &CodeUnit, nlocalsplus: usize) -> Result<(Vec<PyStr>, Vec<u8>), AssembleError> {
    let md = &unit.metadata;
    let lists = [md.varnames.as_slice(), md.cellvars.as_slice(), md.freevars.as_slice()];
    let slots = localsplus_slots(release, unit, nlocalsplus)?;
    let mut names = Vec::with_capacity(slots.len());
    let mut kinds = Vec::with_capacity(slots.len());
    for &(list, i, kind) in &slots {
        let name = lists.get(list as usize).and_then(|l| l.get(i as usize));
        names.push(name.ok_or(AssembleError::Metadata("localsplus name out of range"))?.clone());
        kinds.push(kind);
    }
    Ok((names, kinds))
}

/// The layout behind [`compute_localsplus_info`]: for each slot, which list its name comes from
/// (0 `varnames`, 1 `cellvars`, 2 `freevars`), the index in that list, and the slot's kind.
fn localsplus_slots(release: Release, unit: &CodeUnit, nlocalsplus: usize) -> Result<Vec<(u8, u32, u8)>, AssembleError> {
    const EMPTY: (u8, u32, u8) = (u8::MAX, 0, 0);
    let md = &unit.metadata;
    let mut slots = vec![EMPTY; nlocalsplus];
    let mut set = |off: usize, slot: (u8, u32, u8)| -> Result<(), AssembleError> {
        match slots.get_mut(off) {
            Some(s) => {
                *s = slot;
                Ok(())
            }
            None => Err(AssembleError::Metadata("localsplus offset out of range")),
        }
    };
    let hidden = release.at_least(3, 12) && !md.fasthidden.is_empty();
    // 3.14+: parameters carry their kind (CO_FAST_ARG_POS 0x02, _KW 0x04, _VAR 0x08).
    let arg_kinds = release.features().load_fast_borrow;
    let npos = md.posonlyargcount as usize;
    let nposkw = npos + md.argcount as usize;
    let nkwonly = nposkw + md.kwonlyargcount as usize;
    let varargs = md.flags & 0x04 != 0;
    let varkw = md.flags & 0x08 != 0;
    let arg_kind = |off: usize| -> u8 {
        if !arg_kinds {
            return 0;
        }
        if off < npos {
            0x02
        } else if off < nposkw {
            0x06
        } else if off < nkwonly {
            0x04
        } else if varargs && off == nkwonly {
            0x0A
        } else if varkw && off == nkwonly + usize::from(varargs) {
            0x0C
        } else {
            0
        }
    };
    for (off, k) in md.varnames.iter().enumerate() {
        let mut kind = fast_kind::LOCAL | arg_kind(off);
        if hidden && md.fasthidden.contains(k) {
            kind |= fast_kind::HIDDEN;
        }
        if md.cellvars.contains(k) {
            kind |= fast_kind::CELL;
        }
        set(off, (0, off as u32, kind))?;
    }
    let nlocals = md.varnames.len();
    let mut numdropped = 0usize;
    for (i, k) in md.cellvars.iter().enumerate() {
        if md.varnames.contains(k) {
            numdropped += 1;
            continue;
        }
        set(i + nlocals - numdropped, (1, i as u32, fast_kind::CELL))?;
    }
    // u_freevars offsets start after the cells (dictbytype(..., offset=ncells)).
    let ncells = md.cellvars.len();
    for (i, _) in md.freevars.iter().enumerate() {
        set(ncells + i + nlocals - numdropped, (2, i as u32, fast_kind::FREE))?;
    }
    if slots.iter().any(|s| s.0 == u8::MAX) {
        return Err(AssembleError::Metadata("localsplus slot left empty"));
    }
    Ok(slots)
}
