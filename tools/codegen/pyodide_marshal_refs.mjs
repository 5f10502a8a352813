// node tools/codegen/pyodide_marshal_refs.mjs CORPUS_DIR OUT_DIR LISTFILE: writes OUT_DIR/<i>.bin = marshal.dumps(compile(src, rel, "exec", dont_inherit=True)) with Pyodide 3.12.7 (for crates/pycode_compile/examples/e2e.rs)
const [corpus, out, list] = process.argv.slice(2);
const { loadPyodide } = await import("/work/main/oracle/pyodide/node_modules/pyodide-0.27.7/pyodide.mjs");
const py = await loadPyodide();
py.FS.mkdir("/c"); py.FS.mkdir("/o");
py.FS.mount(py.FS.filesystems.NODEFS, { root: corpus }, "/c");
py.FS.mount(py.FS.filesystems.NODEFS, { root: out }, "/o");
const fs = await import("fs");
py.globals.set("rels", fs.readFileSync(list, "utf8").split("\n").filter(x => x));
try {
  py.runPython(`
import marshal, os, sys, warnings
warnings.simplefilter("ignore")
n = 0
for i, rel in enumerate(rels):
    try:
        src = open("/c/" + rel, "rb").read()
        code = compile(src, rel, "exec", dont_inherit=True)
        open("/o/%d.bin" % i, "wb").write(marshal.dumps(code))
        n += 1
    except Exception as e:
        open("/o/%d.err" % i, "w").write(repr(e))
print("wrote", n, sys.version)
`);
} catch (e) { console.log(String(e).slice(-2000)); }
