//! `pycode._native`: the Python package's native half. The Python half (python/pycode/) gives
//! it the stdlib-shaped API; everything here is a thin layer over the `pycode` crates that
//! converts between Python objects and pycode's object graphs, raises Python's exceptions, and
//! releases the GIL while compiling, reading or writing.

use std::collections::HashMap;
use std::sync::Arc;

use pyo3::exceptions::{PyAttributeError, PyNotImplementedError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyComplex, PyDict, PyFloat, PyFrozenSet, PyInt, PyList, PySet, PySlice, PyString, PyTuple};
use pyo3::IntoPyObjectExt;

use pycode::{CompileFailure, Invalidation, InvalidationMode, Release};
use pycode_object::linetable::{self, LinesStyle, LocalsPlus};
use pycode_object::{BigInt, Code, Obj, ObjId, ObjectGraph, PyStr};

/// A compile warning for Python: `(category, message, filename, lineno)`.
type WarningRow = (String, String, String, i64);
/// An exception-table entry for Python: `(start, end, target, depth, lasti)`, byte offsets.
type ExceptionRow = (u64, u64, u64, u64, bool);

/// A graph shared by every `Code` taken from it (nested code objects point into it).
struct Shared {
    release: Release,
    graph: ObjectGraph,
}

/// A code object of any release, read-only like CPython's.
#[pyclass(module = "pycode", name = "Code", frozen)]
struct PyCode {
    shared: Arc<Shared>,
    id: ObjId,
}

fn release_arg(target: &str) -> PyResult<Release> {
    Release::parse(target).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// The exception CPython raises for a failed compile, as an instance of the builtin class.
fn failure_to_err(py: Python<'_>, f: &CompileFailure) -> PyErr {
    let builtins = match py.import("builtins") {
        Ok(b) => b,
        Err(e) => return e,
    };
    let made = match f {
        CompileFailure::Syntax(e) => builtins.getattr(e.class.as_str()).and_then(|cls| {
            let details = (e.filename.clone(), e.lineno, e.offset, e.text.clone(), e.end_lineno, e.end_offset);
            cls.call1((e.msg.clone(), details))
        }),
        CompileFailure::Other { class, message } => {
            let cls = builtins.getattr(class.as_str()).or_else(|_| builtins.getattr("SystemError"));
            cls.and_then(|c| c.call1((message.clone(),)))
        }
    };
    match made {
        Ok(v) => PyErr::from_value(v),
        Err(e) => e,
    }
}

fn error_to_err(py: Python<'_>, e: pycode::Error) -> PyErr {
    match e {
        pycode::Error::Compile(f) => failure_to_err(py, &f),
        pycode::Error::Unsupported(m) => PyNotImplementedError::new_err(m),
        other => PyValueError::new_err(other.to_string()),
    }
}

/// `--invalidation-mode`'s spelling (`timestamp`, `checked-hash`, `unchecked-hash`).
fn mode_of(invalidation: &str) -> PyResult<InvalidationMode> {
    InvalidationMode::parse(invalidation).ok_or_else(|| PyValueError::new_err(format!("unknown invalidation mode {invalidation:?}")))
}

fn mode_arg(mode: &str) -> PyResult<pycode::Mode> {
    pycode::Mode::from_name(mode).ok_or_else(|| PyValueError::new_err("compile() mode must be 'exec', 'eval' or 'single'"))
}

/// `compile()` for `target`: a `Code`.
#[pyfunction]
#[pyo3(signature = (source, filename, mode, target, optimize, future_flags=0))]
fn compile_code(
    py: Python<'_>,
    source: &[u8],
    filename: &str,
    mode: &str,
    target: &str,
    optimize: u8,
    future_flags: u32,
) -> PyResult<PyCode> {
    let release = release_arg(target)?;
    let mode = mode_arg(mode)?;
    let source = source.to_vec();
    let filename_owned = filename.to_owned();
    let r = py.allow_threads(move || {
        pycode::Compiler::new(release).optimize(optimize).mode(mode).future_flags(future_flags).compile(&source, &filename_owned)
    });
    let code = r.map_err(|e| error_to_err(py, e))?;
    let (release, graph, root) = code.into_parts();
    Ok(PyCode { shared: Arc::new(Shared { release, graph }), id: root })
}

/// `compile(source, filename, mode, flags=ast.PyCF_ONLY_AST)` for `target`: the text of
/// `ast.dump(tree, include_attributes=True)` (the package turns it into `ast` nodes).
#[pyfunction]
#[pyo3(signature = (source, filename, mode, target, type_comments=false))]
fn ast_dump(py: Python<'_>, source: &[u8], filename: &str, mode: &str, target: &str, type_comments: bool) -> PyResult<String> {
    let release = release_arg(target)?;
    let source = source.to_vec();
    let filename_owned = filename.to_owned();
    let r = py.allow_threads(move || pycode::ast_dump(release, &source, &filename_owned, mode, type_comments));
    r.map_err(|e| error_to_err(py, e))
}

/// `py_compile`'s compile step: the whole `.pyc` and the warnings `compile()` emitted, as
/// `(category, message, filename, lineno)`.
#[pyfunction]
#[pyo3(signature = (source, filename, target, optimize, invalidation, mtime=0, source_size=0))]
#[allow(clippy::too_many_arguments)]
fn compile_pyc(
    py: Python<'_>,
    source: &[u8],
    filename: &str,
    target: &str,
    optimize: u8,
    invalidation: &str,
    mtime: u32,
    source_size: u32,
) -> PyResult<(Py<PyBytes>, Vec<WarningRow>)> {
    let release = release_arg(target)?;
    let inv = match mode_of(invalidation)? {
        InvalidationMode::Timestamp => Invalidation::Timestamp { mtime, source_size },
        InvalidationMode::CheckedHash => Invalidation::CheckedHash,
        InvalidationMode::UncheckedHash => Invalidation::UncheckedHash,
    };
    let source = source.to_vec();
    let filename_owned = filename.to_owned();
    let (r, warnings) = py.allow_threads(move || {
        let mut warnings = Vec::new();
        let r = pycode::Compiler::new(release).optimize(optimize).compile_pyc_warn(&source, &filename_owned, inv, &mut warnings);
        (r, warnings)
    });
    let data = r.map_err(|e| error_to_err(py, e))?;
    let warnings = warnings.into_iter().map(|w| (w.category, w.message, w.filename, w.lineno)).collect();
    Ok((PyBytes::new(py, &data).unbind(), warnings))
}

/// Reads a `.pyc`: `(header, Code)`; header is a dict (release, magic_family, flags, and
/// mtime/source_size or source_hash).
#[pyfunction]
fn load_pyc<'py>(py: Python<'py>, data: &[u8]) -> PyResult<(Bound<'py, PyDict>, PyObject)> {
    let data = data.to_vec();
    let r = py.allow_threads(move || pycode_marshal::read_pyc(&data));
    let pyc = r.map_err(|e| PyValueError::new_err(e.to_string()))?;
    let release = pyc.release();
    let header = PyDict::new(py);
    header.set_item("release", release.name())?;
    header.set_item("magic_family", release.magic_family().to_string())?;
    header.set_item("flags", pyc.header.flags)?;
    match pyc.header.kind {
        pycode_marshal::PycKind::Timestamp { mtime, source_size } => {
            header.set_item("invalidation_mode", "timestamp")?;
            header.set_item("mtime", mtime)?;
            header.set_item("source_size", source_size)?;
        }
        pycode_marshal::PycKind::CheckedHash { source_hash } => {
            header.set_item("invalidation_mode", "checked-hash")?;
            header.set_item("source_hash", PyBytes::new(py, &source_hash))?;
        }
        pycode_marshal::PycKind::UncheckedHash { source_hash } => {
            header.set_item("invalidation_mode", "unchecked-hash")?;
            header.set_item("source_hash", PyBytes::new(py, &source_hash))?;
        }
    }
    let shared = Arc::new(Shared { release, graph: pyc.graph });
    let root = to_py(py, &shared, pyc.root, 0)?;
    Ok((header, root))
}

/// `marshal.loads(data)` as `target` reads it.
#[pyfunction]
fn loads(py: Python<'_>, data: &[u8], target: &str) -> PyResult<PyObject> {
    let release = release_arg(target)?;
    let data = data.to_vec();
    let r = py.allow_threads(move || pycode_marshal::loads(&data, release.marshal_version()));
    let (graph, root) = r.map_err(|e| PyValueError::new_err(e.to_string()))?;
    let shared = Arc::new(Shared { release, graph });
    to_py(py, &shared, root, 0)
}

/// `marshal.dumps(value)` as `target` writes it.
#[pyfunction]
fn dumps(py: Python<'_>, value: &Bound<'_, PyAny>, target: &str) -> PyResult<Py<PyBytes>> {
    let release = release_arg(target)?;
    let mut graph = ObjectGraph::new();
    let root = from_py(&mut graph, value, release, &mut HashMap::new(), 0)?;
    let data = pycode_marshal::dumps(&graph, root, release.marshal_version()).map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(PyBytes::new(py, &data).unbind())
}

/// A whole `.pyc` for `code`.
#[pyfunction]
#[pyo3(signature = (code, invalidation, mtime=0, source_size=0, source_hash=None))]
fn dump_pyc(
    py: Python<'_>,
    code: &PyCode,
    invalidation: &str,
    mtime: u32,
    source_size: u32,
    source_hash: Option<[u8; 8]>,
) -> PyResult<Py<PyBytes>> {
    let release = code.shared.release;
    let hash = source_hash.unwrap_or([0; 8]);
    let kind = match mode_of(invalidation)? {
        InvalidationMode::Timestamp => pycode_marshal::PycKind::Timestamp { mtime, source_size },
        InvalidationMode::CheckedHash => pycode_marshal::PycKind::CheckedHash { source_hash: hash },
        InvalidationMode::UncheckedHash => pycode_marshal::PycKind::UncheckedHash { source_hash: hash },
    };
    let header = pycode_marshal::PycHeader::new(release, kind);
    let data = pycode_marshal::write_pyc(&header, &code.shared.graph, code.id).map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(PyBytes::new(py, &data).unbind())
}

/// The text `dis.dis(code)` prints in the code's release.
#[pyfunction]
#[pyo3(signature = (code, show_caches=false, show_offsets=false, show_positions=false))]
fn dis(py: Python<'_>, code: &PyCode, show_caches: bool, show_offsets: bool, show_positions: bool) -> PyResult<String> {
    let opts = pycode_dis::DisOptions { show_caches, show_offsets, show_positions, set_order: pycode_dis::SetOrder::default() };
    let shared = Arc::clone(&code.shared);
    let id = code.id;
    py.allow_threads(move || pycode_dis::dis(&shared.graph, id, shared.release, &opts)).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// `python -m compileall ARGV` with pycode's back end: `(exit status, stdout, stderr)`.
#[pyfunction]
#[pyo3(signature = (argv, target, sys_path=None, source_date_epoch=None, pycache_prefix=None))]
fn compileall_main(
    py: Python<'_>,
    argv: Vec<Vec<u8>>,
    target: &str,
    sys_path: Option<Vec<Vec<u8>>>,
    source_date_epoch: Option<String>,
    pycache_prefix: Option<Vec<u8>>,
) -> PyResult<(i32, String, String)> {
    let release = release_arg(target)?;
    Ok(py.allow_threads(move || {
        let reporter = pycode_compileall::Collect::default();
        let mut env = pycode_compileall::RunEnv::empty();
        env.sys_path = sys_path;
        env.source_date_epoch = source_date_epoch.map(Into::into);
        env.pycache_prefix = pycache_prefix;
        let status = pycode_compileall::run_main(&argv, release, env, &pycode::compileall_backend, &reporter);
        let (out, err) = reporter.into_texts();
        (status, out, err)
    }))
}

/// `pycode_verify`: the rules `code` breaks for its release, one line each (empty: valid).
#[pyfunction]
fn verify(py: Python<'_>, code: &PyCode) -> Vec<String> {
    let shared = Arc::clone(&code.shared);
    let id = code.id;
    py.allow_threads(move || pycode_verify::verify(&shared.graph, id, shared.release).iter().map(ToString::to_string).collect())
}

/// `importlib.util.source_hash(data)` as `target` computes it.
#[pyfunction]
fn source_hash(py: Python<'_>, data: &[u8], target: &str) -> PyResult<Py<PyBytes>> {
    let release = release_arg(target)?;
    Ok(PyBytes::new(py, &pycode_marshal::source_hash(release, data)).unbind())
}

/// Every release pycode knows, oldest first, and whether it compiles for it.
#[pyfunction]
fn releases() -> Vec<(&'static str, bool)> {
    Release::ALL.iter().map(|&r| (r.name(), pycode::can_compile(r))).collect()
}

/// The cache tag (`cpython-312`) and magic number bytes of `target`.
#[pyfunction]
fn release_info(py: Python<'_>, target: &str) -> PyResult<(&'static str, &'static str, Py<PyBytes>)> {
    let r = release_arg(target)?;
    Ok((r.name(), r.cache_tag(), PyBytes::new(py, &r.magic_bytes()).unbind()))
}

// ------------------------------------------------------------------------ graph -> Python

/// Nesting limit of conversions (marshal data is already limited by the reader; this guards
/// values built by hand).
const MAX_DEPTH: usize = 2000;

fn too_deep() -> PyErr {
    PyValueError::new_err("object nested too deeply")
}

fn obj(shared: &Shared, id: ObjId) -> PyResult<&Obj> {
    shared.graph.get(id).ok_or_else(|| PyValueError::new_err(format!("bad object reference {}", id.0)))
}

fn str_to_py<'py>(py: Python<'py>, s: &PyStr) -> PyResult<Bound<'py, PyAny>> {
    match s.as_str() {
        Some(t) => Ok(PyString::new(py, t).into_any()),
        // Lone surrogates: stored as UTF-8 with surrogatepass.
        None => PyBytes::new(py, s.as_bytes()).call_method1("decode", ("utf-8", "surrogatepass")),
    }
}

fn bigint_to_py<'py>(py: Python<'py>, b: &BigInt) -> PyResult<Bound<'py, PyAny>> {
    py.import("builtins")?.getattr("int")?.call1((b.to_string(),))
}

fn to_py(py: Python<'_>, shared: &Arc<Shared>, id: ObjId, depth: usize) -> PyResult<PyObject> {
    if depth > MAX_DEPTH {
        return Err(too_deep());
    }
    let items = |ids: &[ObjId]| -> PyResult<Vec<PyObject>> { ids.iter().map(|&i| to_py(py, shared, i, depth + 1)).collect() };
    let v: Bound<'_, PyAny> = match obj(shared, id)? {
        Obj::Null => return Err(PyValueError::new_err("NULL object outside a dict")),
        Obj::None => py.None().into_bound(py),
        Obj::False => PyBool::new(py, false).to_owned().into_any(),
        Obj::True => PyBool::new(py, true).to_owned().into_any(),
        Obj::StopIteration => py.import("builtins")?.getattr("StopIteration")?,
        Obj::Ellipsis => py.Ellipsis().into_bound(py),
        Obj::Int(i) => i.into_bound_py_any(py)?,
        Obj::BigInt(b) => bigint_to_py(py, b)?,
        Obj::Float(f) => PyFloat::new(py, *f).into_any(),
        Obj::Complex { real, imag } => PyComplex::from_doubles(py, *real, *imag).into_any(),
        Obj::Str(s) => str_to_py(py, s)?,
        Obj::Bytes(b) => PyBytes::new(py, b).into_any(),
        Obj::Tuple(ids) => PyTuple::new(py, items(ids)?)?.into_any(),
        Obj::List(ids) => PyList::new(py, items(ids)?)?.into_any(),
        Obj::Set(ids) => PySet::new(py, &items(ids)?)?.into_any(),
        Obj::FrozenSet(ids) => PyFrozenSet::new(py, &items(ids)?)?.into_any(),
        Obj::Dict(pairs) | Obj::FrozenDict(pairs) => {
            let d = PyDict::new(py);
            for &(k, v) in pairs.iter() {
                d.set_item(to_py(py, shared, k, depth + 1)?, to_py(py, shared, v, depth + 1)?)?;
            }
            d.into_any()
        }
        Obj::Slice(parts) => {
            let p = items(parts)?;
            py.import("builtins")?.getattr("slice")?.call1(PyTuple::new(py, p)?)?
        }
        Obj::Code(_) => Bound::new(py, PyCode { shared: Arc::clone(shared), id })?.into_any(),
    };
    Ok(v.unbind())
}

// ------------------------------------------------------------------------ Python -> graph

fn push(graph: &mut ObjectGraph, o: Obj) -> ObjId {
    graph.push(o, false)
}

fn str_from_py(s: &Bound<'_, PyString>) -> PyResult<PyStr> {
    match s.to_cow() {
        Ok(t) => Ok(PyStr::new(&t, false)),
        Err(_) => {
            let b = s.call_method1("encode", ("utf-8", "surrogatepass"))?;
            let bytes: Vec<u8> = b.extract()?;
            PyStr::from_surrogatepass(&bytes, false).map_err(|_| PyValueError::new_err("unencodable str"))
        }
    }
}

/// Copies object `id` of `src` (and everything it references) into `dst`.
fn copy_obj(dst: &mut ObjectGraph, src: &ObjectGraph, id: ObjId, memo: &mut HashMap<u32, ObjId>, depth: usize) -> PyResult<ObjId> {
    if let Some(&done) = memo.get(&id.0) {
        return Ok(done);
    }
    if depth > MAX_DEPTH {
        return Err(too_deep());
    }
    let node = src.node(id).ok_or_else(|| PyValueError::new_err("bad object reference"))?;
    let mut many = |ids: &[ObjId], dst: &mut ObjectGraph| -> PyResult<Box<[ObjId]>> {
        ids.iter().map(|&i| copy_obj(dst, src, i, memo, depth + 1)).collect()
    };
    let o = match &node.obj {
        Obj::Tuple(ids) => Obj::Tuple(many(ids, dst)?),
        Obj::List(ids) => Obj::List(many(ids, dst)?),
        Obj::Set(ids) => Obj::Set(many(ids, dst)?),
        Obj::FrozenSet(ids) => Obj::FrozenSet(many(ids, dst)?),
        Obj::Slice(p) => {
            let c = many(p, dst)?;
            match *c {
                [a, b, s] => Obj::Slice([a, b, s]),
                _ => return Err(PyValueError::new_err("bad slice")),
            }
        }
        Obj::Dict(pairs) | Obj::FrozenDict(pairs) => {
            let mut out = Vec::with_capacity(pairs.len());
            for &(k, v) in pairs.iter() {
                out.push((copy_obj(dst, src, k, memo, depth + 1)?, copy_obj(dst, src, v, memo, depth + 1)?));
            }
            if matches!(node.obj, Obj::Dict(_)) {
                Obj::Dict(out.into())
            } else {
                Obj::FrozenDict(out.into())
            }
        }
        Obj::Code(c) => {
            let mut f = |i: ObjId, dst: &mut ObjectGraph| copy_obj(dst, src, i, memo, depth + 1);
            let mut n = (**c).clone();
            n.code = f(c.code, dst)?;
            n.consts = f(c.consts, dst)?;
            n.names = f(c.names, dst)?;
            n.localsplusnames = f(c.localsplusnames, dst)?;
            n.localspluskinds = f(c.localspluskinds, dst)?;
            n.filename = f(c.filename, dst)?;
            n.name = f(c.name, dst)?;
            n.qualname = f(c.qualname, dst)?;
            n.linetable = f(c.linetable, dst)?;
            n.exceptiontable = f(c.exceptiontable, dst)?;
            Obj::Code(Box::new(n))
        }
        other => other.clone(),
    };
    let new = dst.push(o, node.flag_ref);
    memo.insert(id.0, new);
    Ok(new)
}

/// A Python value as an object of `graph` (what marshal can write).
fn from_py(
    graph: &mut ObjectGraph,
    v: &Bound<'_, PyAny>,
    release: Release,
    memo: &mut HashMap<usize, (usize, HashMap<u32, ObjId>)>,
    depth: usize,
) -> PyResult<ObjId> {
    if depth > MAX_DEPTH {
        return Err(too_deep());
    }
    let py = v.py();
    let many = |seq: Vec<Bound<'_, PyAny>>,
                graph: &mut ObjectGraph,
                memo: &mut HashMap<usize, (usize, HashMap<u32, ObjId>)>|
     -> PyResult<Box<[ObjId]>> { seq.iter().map(|x| from_py(graph, x, release, memo, depth + 1)).collect() };
    if v.is_none() {
        return Ok(push(graph, Obj::None));
    }
    if v.is(&py.Ellipsis()) {
        return Ok(push(graph, Obj::Ellipsis));
    }
    if v.is(&py.import("builtins")?.getattr("StopIteration")?) {
        return Ok(push(graph, Obj::StopIteration));
    }
    if let Ok(b) = v.downcast_exact::<PyBool>() {
        return Ok(push(graph, if b.is_true() { Obj::True } else { Obj::False }));
    }
    if v.downcast_exact::<PyInt>().is_ok() {
        return Ok(match v.extract::<i64>() {
            Ok(i) => push(graph, Obj::Int(i)),
            Err(_) => {
                let text: String = v.str()?.extract()?;
                let b: BigInt = text.parse().map_err(|_| PyValueError::new_err("bad int"))?;
                push(graph, Obj::BigInt(Box::new(b)))
            }
        });
    }
    if let Ok(f) = v.downcast_exact::<PyFloat>() {
        return Ok(push(graph, Obj::Float(f.value())));
    }
    if let Ok(c) = v.downcast_exact::<PyComplex>() {
        return Ok(push(graph, Obj::Complex { real: c.real(), imag: c.imag() }));
    }
    if let Ok(s) = v.downcast_exact::<PyString>() {
        return Ok(push(graph, Obj::Str(str_from_py(s)?)));
    }
    if let Ok(b) = v.downcast_exact::<PyBytes>() {
        return Ok(push(graph, Obj::Bytes(b.as_bytes().into())));
    }
    if let Ok(t) = v.downcast_exact::<PyTuple>() {
        let ids = many(t.iter().collect(), graph, memo)?;
        return Ok(push(graph, Obj::Tuple(ids)));
    }
    if let Ok(l) = v.downcast_exact::<PyList>() {
        let ids = many(l.iter().collect(), graph, memo)?;
        return Ok(push(graph, Obj::List(ids)));
    }
    if let Ok(s) = v.downcast_exact::<PyFrozenSet>() {
        let ids = many(s.iter().collect(), graph, memo)?;
        return Ok(push(graph, Obj::FrozenSet(ids)));
    }
    if let Ok(s) = v.downcast_exact::<PySet>() {
        let ids = many(s.iter().collect(), graph, memo)?;
        return Ok(push(graph, Obj::Set(ids)));
    }
    if let Ok(d) = v.downcast_exact::<PyDict>() {
        let mut pairs = Vec::with_capacity(d.len());
        for (k, x) in d.iter() {
            pairs.push((from_py(graph, &k, release, memo, depth + 1)?, from_py(graph, &x, release, memo, depth + 1)?));
        }
        return Ok(push(graph, Obj::Dict(pairs.into())));
    }
    if let Ok(s) = v.downcast_exact::<PySlice>() {
        let parts = ["start", "stop", "step"].iter().map(|a| s.getattr(*a)).collect::<PyResult<Vec<_>>>()?;
        let ids = many(parts, graph, memo)?;
        return match *ids {
            [a, b, c] => Ok(push(graph, Obj::Slice([a, b, c]))),
            _ => Err(PyValueError::new_err("bad slice")),
        };
    }
    if let Ok(c) = v.downcast::<PyCode>() {
        let c = c.get();
        if c.shared.release.minor() != release.minor() {
            return Err(PyValueError::new_err(format!(
                "a code object of CPython {} cannot be part of CPython {} data",
                c.shared.release, release
            )));
        }
        // One memo per source graph, so objects shared inside it stay shared.
        let key = Arc::as_ptr(&c.shared) as usize;
        let entry = memo.entry(key).or_insert_with(|| (key, HashMap::new()));
        return copy_obj(graph, &c.shared.graph, c.id, &mut entry.1, depth + 1);
    }
    let types = py.import("types")?;
    if v.is_instance(&types.getattr("CodeType")?)? {
        // A real code object: through the running interpreter's marshal.
        let data: Vec<u8> = py.import("marshal")?.call_method1("dumps", (v,))?.extract()?;
        let (g, root) = pycode_marshal::loads(&data, release.marshal_version()).map_err(|e| PyValueError::new_err(e.to_string()))?;
        return copy_obj(graph, &g, root, &mut HashMap::new(), depth + 1);
    }
    Err(PyValueError::new_err(format!("unmarshallable object of type {}", v.get_type().name()?)))
}

// ------------------------------------------------------------------------ Code

impl PyCode {
    fn code(&self) -> PyResult<&Code> {
        self.shared.graph.code(self.id).ok_or_else(|| PyValueError::new_err("not a code object"))
    }

    fn field(&self, py: Python<'_>, id: ObjId) -> PyResult<PyObject> {
        to_py(py, &self.shared, id, 0)
    }

    fn bytes_of(&self, id: ObjId) -> PyResult<&[u8]> {
        self.shared.graph.bytes(id).ok_or_else(|| PyValueError::new_err("expected bytes"))
    }

    fn locals_plus(&self) -> PyResult<LocalsPlus> {
        Ok(LocalsPlus::from_kinds(self.bytes_of(self.code()?.localspluskinds)?))
    }

    fn names_at(&self, py: Python<'_>, idx: &[usize]) -> PyResult<PyObject> {
        let all = self.shared.graph.tuple(self.code()?.localsplusnames).ok_or_else(|| PyValueError::new_err("bad co_localsplusnames"))?;
        let mut out = Vec::with_capacity(idx.len());
        for &i in idx {
            let id = *all.get(i).ok_or_else(|| PyValueError::new_err("bad co_localspluskinds"))?;
            out.push(self.field(py, id)?);
        }
        Ok(PyTuple::new(py, out)?.into_any().unbind())
    }

    fn lines_style(&self) -> LinesStyle {
        if self.shared.release.at_least(3, 12) {
            LinesStyle::Merged
        } else {
            LinesStyle::PerEntry
        }
    }
}

// ------------------------------------------------------------------------ FLAG_REF pins

/// Objects of `loaded` (what `marshal.loads` made of this graph's bytes) that the graph writes
/// with `FLAG_REF` but that may have only one reference after loading, grouped by the code
/// object that holds them. marshal sets `FLAG_REF` on an object whose reference count is above
/// one. In a code object fresh from the compiler some objects have references from outside the
/// tree: CPython's static strings (`'<genexpr>'`, `'<lambda>'`, ... on 3.11 and 3.12), the
/// one-byte `bytes` singletons, the caller's `filename`. `marshal.loads` gives fresh objects for
/// them instead, so `marshal.dumps` of the loaded code would drop those bits. The Python half
/// keeps one extra reference to each of these objects for as long as its code object lives.
struct Pins {
    out: Vec<(PyObject, Vec<PyObject>)>,
}

impl Pins {
    fn flagged(graph: &ObjectGraph, id: ObjId) -> bool {
        graph.node(id).is_some_and(|n| n.flag_ref)
    }

    fn code(&mut self, graph: &ObjectGraph, id: ObjId, loaded: &Bound<'_, PyAny>, depth: usize) -> PyResult<()> {
        if depth > MAX_DEPTH {
            return Err(too_deep());
        }
        let code = graph.code(id).ok_or_else(|| PyValueError::new_err("not a code object"))?;
        let mut pins = Vec::new();
        for (field, attr) in [
            (code.name, "co_name"),
            (code.qualname, "co_qualname"),
            (code.filename, "co_filename"),
            (code.linetable, "co_linetable"),
            (code.exceptiontable, "co_exceptiontable"),
        ] {
            if Self::flagged(graph, field) {
                pins.push(loaded.getattr(attr)?.unbind());
            }
        }
        let names = loaded.getattr("co_names")?;
        self.items(graph, code.names, &names, &mut pins, depth)?;
        // co_localsplusnames is not visible from Python; its strings are, through
        // co_varnames, co_cellvars and co_freevars (the same objects, names unique per code).
        if let Some(lp) = graph.tuple(code.localsplusnames) {
            let mut visible = Vec::new();
            for attr in ["co_varnames", "co_cellvars", "co_freevars"] {
                visible.extend(loaded.getattr(attr)?.downcast_into::<PyTuple>()?.iter());
            }
            for &name in lp.iter().filter(|&&n| Self::flagged(graph, n)) {
                let Some(text) = graph.str(name).and_then(PyStr::as_str) else { continue };
                for v in &visible {
                    if v.downcast::<PyString>().is_ok_and(|s| s.to_cow().is_ok_and(|t| t == text)) {
                        pins.push(v.clone().unbind());
                        break;
                    }
                }
            }
        }
        let consts = loaded.getattr("co_consts")?;
        self.items(graph, code.consts, &consts, &mut pins, depth)?;
        self.out.push((loaded.clone().unbind(), pins));
        Ok(())
    }

    /// A tuple (`co_consts`, `co_names`, a constant) and what it holds.
    fn items(&mut self, graph: &ObjectGraph, id: ObjId, loaded: &Bound<'_, PyAny>, pins: &mut Vec<PyObject>, depth: usize) -> PyResult<()> {
        if Self::flagged(graph, id) {
            pins.push(loaded.clone().unbind());
        }
        let (Some(ids), Ok(tuple)) = (graph.tuple(id), loaded.downcast::<PyTuple>()) else { return Ok(()) };
        if ids.len() != tuple.len() {
            return Err(PyValueError::new_err("marshal.loads gave a tuple of another length"));
        }
        for (&item, value) in ids.iter().zip(tuple.iter()) {
            match graph.get(item) {
                Some(Obj::Code(_)) => self.code(graph, item, &value, depth + 1)?,
                Some(Obj::Tuple(_)) => self.items(graph, item, &value, pins, depth + 1)?,
                // A frozenset's members come back in hash order: only the set itself.
                other => {
                    if Self::flagged(graph, item) {
                        pins.push(value.clone().unbind());
                    }
                    if let Some(Obj::Slice(parts)) = other {
                        for (&part, attr) in parts.iter().zip(["start", "stop", "step"]) {
                            if Self::flagged(graph, part) {
                                pins.push(value.getattr(attr)?.unbind());
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// Structural equality of two objects (code objects compare as CPython's `code_richcompare`
/// does: by value, floats by their bits as its constant keys do).
fn obj_eq(ga: &ObjectGraph, a: ObjId, gb: &ObjectGraph, b: ObjId, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    let (Some(x), Some(y)) = (ga.get(a), gb.get(b)) else { return false };
    let all = |p: &[ObjId], q: &[ObjId]| p.len() == q.len() && p.iter().zip(q).all(|(&i, &j)| obj_eq(ga, i, gb, j, depth + 1));
    match (x, y) {
        (Obj::Float(p), Obj::Float(q)) => p.to_bits() == q.to_bits(),
        (Obj::Complex { real: r1, imag: i1 }, Obj::Complex { real: r2, imag: i2 }) => {
            r1.to_bits() == r2.to_bits() && i1.to_bits() == i2.to_bits()
        }
        (Obj::Str(p), Obj::Str(q)) => p.as_bytes() == q.as_bytes(),
        (Obj::Tuple(p), Obj::Tuple(q)) | (Obj::List(p), Obj::List(q)) => all(p, q),
        (Obj::FrozenSet(p), Obj::FrozenSet(q)) | (Obj::Set(p), Obj::Set(q)) => {
            p.len() == q.len() && p.iter().all(|&i| q.iter().any(|&j| obj_eq(ga, i, gb, j, depth + 1)))
        }
        (Obj::Slice(p), Obj::Slice(q)) => all(p, q),
        (Obj::Dict(p), Obj::Dict(q)) | (Obj::FrozenDict(p), Obj::FrozenDict(q)) => {
            p.len() == q.len()
                && p.iter()
                    .zip(q.iter())
                    .all(|(&(k1, v1), &(k2, v2))| obj_eq(ga, k1, gb, k2, depth + 1) && obj_eq(ga, v1, gb, v2, depth + 1))
        }
        (Obj::Code(p), Obj::Code(q)) => {
            let f = |i: ObjId, j: ObjId| obj_eq(ga, i, gb, j, depth + 1);
            p.argcount == q.argcount
                && p.posonlyargcount == q.posonlyargcount
                && p.kwonlyargcount == q.kwonlyargcount
                && p.flags == q.flags
                && p.firstlineno == q.firstlineno
                && f(p.name, q.name)
                && f(p.code, q.code)
                && f(p.consts, q.consts)
                && f(p.names, q.names)
                && f(p.localsplusnames, q.localsplusnames)
                && f(p.linetable, q.linetable)
                && f(p.exceptiontable, q.exceptiontable)
        }
        (p, q) => p == q,
    }
}

fn type_error(field: &str, want: &str, got: &Bound<'_, PyAny>) -> PyErr {
    let name = got.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into());
    PyTypeError::new_err(format!("replace() argument '{field}' must be {want}, not {name}"))
}

fn str_tuple(graph: &mut ObjectGraph, field: &str, v: &Bound<'_, PyAny>) -> PyResult<ObjId> {
    let t = v.downcast_exact::<PyTuple>().map_err(|_| type_error(field, "tuple", v))?;
    let mut ids = Vec::with_capacity(t.len());
    for x in t.iter() {
        let s = x.downcast::<PyString>().map_err(|_| PyTypeError::new_err(format!("{field} must be a tuple of strings")))?;
        let mut ps = str_from_py(s)?;
        ps.set_interned(true);
        ids.push(push(graph, Obj::Str(ps)));
    }
    Ok(push(graph, Obj::Tuple(ids.into())))
}

/// `co_localsplusnames` and `co_localspluskinds` as CPython's code constructor (which
/// `CodeType.replace` always goes through) builds them from `co_varnames`, `co_cellvars` and
/// `co_freevars`: a cell whose name is also a local shares that local's slot; from 3.12, in code
/// without `CO_OPTIMIZED`, every local that a `LOAD_FAST_AND_CLEAR` names is marked hidden.
/// The argument kinds of 3.14+ are not rebuilt (CPython drops them too).
fn constructor_localsplus(
    graph: &ObjectGraph,
    release: Release,
    c: &Code,
    varnames: &[ObjId],
    cellvars: &[ObjId],
    freevars: &[ObjId],
) -> PyResult<(Vec<ObjId>, Vec<u8>)> {
    use pycode_object::fast_kind::{CELL, FREE, HIDDEN, LOCAL};
    let same =
        |a: ObjId, b: ObjId| matches!((graph.get(a), graph.get(b)), (Some(Obj::Str(x)), Some(Obj::Str(y))) if x.as_bytes() == y.as_bytes());
    let mut names: Vec<ObjId> = varnames.to_vec();
    let mut kinds = vec![LOCAL; names.len()];
    for &cell in cellvars {
        match varnames.iter().position(|&v| same(v, cell)) {
            Some(j) => {
                if let Some(k) = kinds.get_mut(j) {
                    *k |= CELL;
                }
            }
            None => {
                names.push(cell);
                kinds.push(CELL);
            }
        }
    }
    for &free in freevars {
        names.push(free);
        kinds.push(FREE);
    }
    const CO_OPTIMIZED: u32 = 0x1;
    let scans_hidden = release.minor() >= (3, 12) && c.flags & CO_OPTIMIZED == 0;
    if let (true, Some(clear)) = (scans_hidden, release.opcodes().opmap("LOAD_FAST_AND_CLEAR")) {
        let code = graph.bytes(c.code).unwrap_or_default();
        let table = release.opcodes();
        let (mut i, mut ext) = (0usize, 0u32);
        while let (Some(&op), Some(&arg)) = (code.get(i), code.get(i + 1)) {
            let next = i + 2 + 2 * usize::from(table.inline_cache_entries(op));
            if Some(u16::from(op)) == table.opmap("EXTENDED_ARG") {
                ext = ext << 8 | u32::from(arg);
                i += 2;
                continue;
            }
            if u16::from(op) == clear {
                let oparg = ext << 8 | u32::from(arg);
                match usize::try_from(oparg).ok().and_then(|o| kinds.get_mut(o)) {
                    Some(k) => *k |= HIDDEN,
                    None => return Err(PyValueError::new_err(format!("code: LOAD_FAST_AND_CLEAR oparg {oparg} out of range"))),
                }
            }
            ext = 0;
            i = next;
        }
    }
    Ok((names, kinds))
}

/// The constructor's checks of the counts, in its order (`_PyCode_Validate`, then `co_nlocals`).
fn check_constructor_counts(c: &Code, kinds: &[u8], nlocals: i64, nvarnames: usize) -> PyResult<()> {
    const CO_VARARGS: u32 = 0x4;
    const CO_VARKEYWORDS: u32 = 0x8;
    if c.argcount < c.posonlyargcount || c.posonlyargcount < 0 || c.kwonlyargcount < 0 || c.stacksize < 0 {
        return Err(pyo3::exceptions::PySystemError::new_err("bad argument to internal function"));
    }
    let locals = kinds.iter().filter(|&&k| k & pycode_object::fast_kind::LOCAL != 0).count();
    let args = i64::from(c.argcount)
        + i64::from(c.kwonlyargcount)
        + i64::from(c.flags & CO_VARARGS != 0)
        + i64::from(c.flags & CO_VARKEYWORDS != 0);
    if i64::try_from(locals).unwrap_or(i64::MAX) < args {
        return Err(PyValueError::new_err("code: co_varnames is too small"));
    }
    if i64::try_from(nvarnames).ok() != Some(nlocals) {
        return Err(PyValueError::new_err("code: co_nlocals != len(co_varnames)"));
    }
    Ok(())
}

#[pymethods]
impl PyCode {
    /// The release this code object belongs to (`"3.12.7"`).
    #[getter]
    fn release(&self) -> &'static str {
        self.shared.release.name()
    }
    #[getter]
    fn co_argcount(&self) -> PyResult<i32> {
        Ok(self.code()?.argcount)
    }
    #[getter]
    fn co_posonlyargcount(&self) -> PyResult<i32> {
        Ok(self.code()?.posonlyargcount)
    }
    #[getter]
    fn co_kwonlyargcount(&self) -> PyResult<i32> {
        Ok(self.code()?.kwonlyargcount)
    }
    #[getter]
    fn co_stacksize(&self) -> PyResult<i32> {
        Ok(self.code()?.stacksize)
    }
    #[getter]
    fn co_flags(&self) -> PyResult<u32> {
        Ok(self.code()?.flags)
    }
    #[getter]
    fn co_firstlineno(&self) -> PyResult<i32> {
        Ok(self.code()?.firstlineno)
    }
    #[getter]
    fn co_nlocals(&self) -> PyResult<usize> {
        Ok(self.locals_plus()?.nlocals)
    }
    #[getter]
    fn co_code(&self, py: Python<'_>) -> PyResult<PyObject> {
        self.field(py, self.code()?.code)
    }
    #[getter]
    fn co_consts(&self, py: Python<'_>) -> PyResult<PyObject> {
        self.field(py, self.code()?.consts)
    }
    #[getter]
    fn co_names(&self, py: Python<'_>) -> PyResult<PyObject> {
        self.field(py, self.code()?.names)
    }
    #[getter]
    fn co_varnames(&self, py: Python<'_>) -> PyResult<PyObject> {
        self.names_at(py, &self.locals_plus()?.varnames)
    }
    #[getter]
    fn co_cellvars(&self, py: Python<'_>) -> PyResult<PyObject> {
        self.names_at(py, &self.locals_plus()?.cellvars)
    }
    #[getter]
    fn co_freevars(&self, py: Python<'_>) -> PyResult<PyObject> {
        self.names_at(py, &self.locals_plus()?.freevars)
    }
    #[getter]
    fn co_filename(&self, py: Python<'_>) -> PyResult<PyObject> {
        self.field(py, self.code()?.filename)
    }
    #[getter]
    fn co_name(&self, py: Python<'_>) -> PyResult<PyObject> {
        self.field(py, self.code()?.name)
    }
    #[getter]
    fn co_qualname(&self, py: Python<'_>) -> PyResult<PyObject> {
        self.field(py, self.code()?.qualname)
    }
    #[getter]
    fn co_linetable(&self, py: Python<'_>) -> PyResult<PyObject> {
        self.field(py, self.code()?.linetable)
    }
    #[getter]
    fn co_exceptiontable(&self, py: Python<'_>) -> PyResult<PyObject> {
        self.field(py, self.code()?.exceptiontable)
    }
    /// `co_lnotab` (deprecated in CPython since 3.12, computed from the line table).
    #[getter]
    fn co_lnotab(&self, py: Python<'_>) -> PyResult<PyObject> {
        if self.shared.release.at_least(3, 15) {
            return Err(PyAttributeError::new_err("'code' object has no attribute 'co_lnotab'"));
        }
        let c = self.code()?;
        let t = linetable::co_lnotab(self.bytes_of(c.linetable)?, c.firstlineno);
        Ok(PyBytes::new(py, &t).into_any().unbind())
    }
    /// Iterator of `(start, end, line)` as that release's `co_lines()` yields them.
    fn co_lines(&self, py: Python<'_>) -> PyResult<PyObject> {
        let c = self.code()?;
        let ranges = linetable::co_lines(self.bytes_of(c.linetable)?, c.firstlineno, self.lines_style());
        let items = ranges.into_iter().map(|r| (r.start, r.end, r.line)).collect::<Vec<_>>();
        Ok(PyList::new(py, items)?.call_method0("__iter__")?.unbind())
    }
    /// Iterator of `(lineno, end_lineno, col_offset, end_col_offset)`, one per code unit.
    fn co_positions(&self, py: Python<'_>) -> PyResult<PyObject> {
        let c = self.code()?;
        let ps = linetable::co_positions(self.bytes_of(c.linetable)?, c.firstlineno);
        let items = ps.into_iter().map(|p| (p.lineno, p.end_lineno, p.col_offset, p.end_col_offset)).collect::<Vec<_>>();
        Ok(PyList::new(py, items)?.call_method0("__iter__")?.unbind())
    }
    /// The exception table as `(start, end, target, depth, lasti)` entries (byte offsets), as
    /// `dis` reads it.
    fn exception_entries(&self) -> PyResult<Vec<ExceptionRow>> {
        let c = self.code()?;
        Ok(linetable::parse_exception_table(self.bytes_of(c.exceptiontable)?)
            .into_iter()
            .map(|e| (e.start * 2, e.end * 2, e.target * 2, e.depth, e.lasti))
            .collect())
    }
    /// For the code object `marshal.loads(self.to_marshal())` returned: `[(code, [objects])]`,
    /// the objects each code object of that tree must keep alive so that `marshal.dumps` sets
    /// `FLAG_REF` where this code's own marshal data has it (see `Pins`).
    fn _ref_pins(&self, loaded: &Bound<'_, PyAny>) -> PyResult<Vec<(PyObject, Vec<PyObject>)>> {
        let mut pins = Pins { out: Vec::new() };
        pins.code(&self.shared.graph, self.id, loaded, 0)?;
        Ok(pins.out)
    }
    /// `marshal.dumps(self)` as the code's release writes it.
    fn to_marshal(&self, py: Python<'_>) -> PyResult<Py<PyBytes>> {
        let data = pycode_marshal::dumps(&self.shared.graph, self.id, self.shared.release.marshal_version())
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(PyBytes::new(py, &data).unbind())
    }
    /// A copy with some fields changed, checked as `CodeType.replace` checks them.
    #[pyo3(signature = (**changes))]
    fn replace(&self, changes: Option<&Bound<'_, PyDict>>) -> PyResult<PyCode> {
        let mut graph = self.shared.graph.clone();
        let mut c = self.code()?.clone();
        let release = self.shared.release;
        let lp = self.locals_plus()?;
        let names: Vec<ObjId> = graph.tuple(c.localsplusnames).map(<[ObjId]>::to_vec).unwrap_or_default();
        let pick = |idx: &[usize]| -> Vec<ObjId> { idx.iter().filter_map(|&i| names.get(i).copied()).collect() };
        // co_varnames, co_cellvars, co_freevars, co_nlocals as the constructor receives them.
        let mut layout = [pick(&lp.varnames), pick(&lp.cellvars), pick(&lp.freevars)];
        let mut nlocals = i64::try_from(lp.nlocals).unwrap_or(i64::MAX);
        if let Some(changes) = changes {
            for (k, v) in changes.iter() {
                let key: String = k.extract()?;
                // CodeType.replace's int arguments: C ints, then none may be negative.
                let int = |v: &Bound<'_, PyAny>| -> PyResult<i32> {
                    if v.downcast::<PyInt>().is_err() {
                        return Err(type_error(&key, "int", v));
                    }
                    let n = v
                        .extract::<i64>()
                        .ok()
                        .and_then(|n| i32::try_from(n).ok())
                        .ok_or_else(|| pyo3::exceptions::PyOverflowError::new_err("Python int too large to convert to C int"))?;
                    if n < 0 {
                        return Err(PyValueError::new_err(format!("{key} must be a positive integer")));
                    }
                    Ok(n)
                };
                // From 3.13 the constructor interns co_name, co_qualname and co_filename;
                // before, the code object keeps the caller's str (interned or not).
                let text = |graph: &mut ObjectGraph, v: &Bound<'_, PyAny>| -> PyResult<ObjId> {
                    let s = v.downcast::<PyString>().map_err(|_| type_error(&key, "str", v))?;
                    let mut ps = str_from_py(s)?;
                    let interned = release.minor() >= (3, 13) || s.to_cow().map(|t| PyString::intern(v.py(), &t).is(s)).unwrap_or(false);
                    ps.set_interned(interned);
                    Ok(push(graph, Obj::Str(ps)))
                };
                let bytes = |graph: &mut ObjectGraph, v: &Bound<'_, PyAny>| -> PyResult<ObjId> {
                    let b = v.downcast::<PyBytes>().map_err(|_| type_error(&key, "bytes", v))?;
                    Ok(push(graph, Obj::Bytes(b.as_bytes().into())))
                };
                match key.as_str() {
                    "co_argcount" => c.argcount = int(&v)?,
                    "co_posonlyargcount" => c.posonlyargcount = int(&v)?,
                    "co_kwonlyargcount" => c.kwonlyargcount = int(&v)?,
                    "co_stacksize" => c.stacksize = int(&v)?,
                    "co_firstlineno" => c.firstlineno = int(&v)?,
                    "co_flags" => c.flags = u32::try_from(int(&v)?).unwrap_or(0),
                    "co_nlocals" => nlocals = i64::from(int(&v)?),
                    "co_code" => c.code = bytes(&mut graph, &v)?,
                    "co_linetable" => c.linetable = bytes(&mut graph, &v)?,
                    "co_exceptiontable" => c.exceptiontable = bytes(&mut graph, &v)?,
                    "co_filename" => c.filename = text(&mut graph, &v)?,
                    "co_name" => c.name = text(&mut graph, &v)?,
                    "co_qualname" => c.qualname = text(&mut graph, &v)?,
                    "co_names" => c.names = str_tuple(&mut graph, &key, &v)?,
                    "co_consts" => {
                        if v.downcast_exact::<PyTuple>().is_err() {
                            return Err(type_error(&key, "tuple", &v));
                        }
                        c.consts = from_py(&mut graph, &v, release, &mut HashMap::new(), 0)?;
                    }
                    "co_varnames" | "co_cellvars" | "co_freevars" => {
                        let slot = match key.as_str() {
                            "co_varnames" => 0,
                            "co_cellvars" => 1,
                            _ => 2,
                        };
                        let t = str_tuple(&mut graph, &key, &v)?;
                        if let Some(l) = layout.get_mut(slot) {
                            *l = graph.tuple(t).map(<[ObjId]>::to_vec).unwrap_or_default();
                        }
                    }
                    other => {
                        return Err(PyTypeError::new_err(format!("replace() got an unexpected keyword argument '{other}'")));
                    }
                }
            }
        }
        let [varnames, cellvars, freevars] = layout;
        let (names, kinds) = constructor_localsplus(&graph, release, &c, &varnames, &cellvars, &freevars)?;
        check_constructor_counts(&c, &kinds, nlocals, varnames.len())?;
        c.localsplusnames = push(&mut graph, Obj::Tuple(names.into()));
        c.localspluskinds = push(&mut graph, Obj::Bytes(kinds.into()));
        if !graph.set(self.id, Obj::Code(Box::new(c))) {
            return Err(PyValueError::new_err("not a code object"));
        }
        Ok(PyCode { shared: Arc::new(Shared { release, graph }), id: self.id })
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        match other.downcast::<PyCode>() {
            Ok(o) => {
                let o = o.get();
                self.shared.release.minor() == o.shared.release.minor() && obj_eq(&self.shared.graph, self.id, &o.shared.graph, o.id, 0)
            }
            Err(_) => false,
        }
    }
    fn __hash__(&self, py: Python<'_>) -> PyResult<isize> {
        // Hash of the fields `__eq__` compares, through their marshal form.
        let data = pycode_marshal::dumps(&self.shared.graph, self.id, self.shared.release.marshal_version())
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        PyBytes::new(py, &data).hash()
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let c = self.code()?;
        let name = self.field(py, c.name)?.bind(py).str()?.to_string();
        let file = self.field(py, c.filename)?.bind(py).repr()?.to_string();
        let file = file.trim_matches(|ch| ch == '\'' || ch == '"');
        Ok(format!("<code object {name} at {:#x}, file \"{file}\", line {}>", self as *const PyCode as usize, c.firstlineno))
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyCode>()?;
    m.add_function(wrap_pyfunction!(compile_code, m)?)?;
    m.add_function(wrap_pyfunction!(ast_dump, m)?)?;
    m.add_function(wrap_pyfunction!(compile_pyc, m)?)?;
    m.add_function(wrap_pyfunction!(load_pyc, m)?)?;
    m.add_function(wrap_pyfunction!(loads, m)?)?;
    m.add_function(wrap_pyfunction!(dumps, m)?)?;
    m.add_function(wrap_pyfunction!(dump_pyc, m)?)?;
    m.add_function(wrap_pyfunction!(dis, m)?)?;
    m.add_function(wrap_pyfunction!(compileall_main, m)?)?;
    m.add_function(wrap_pyfunction!(releases, m)?)?;
    m.add_function(wrap_pyfunction!(source_hash, m)?)?;
    m.add_function(wrap_pyfunction!(verify, m)?)?;
    m.add_function(wrap_pyfunction!(release_info, m)?)?;
    Ok(())
}
