// Run a Python file inside one pinned Pyodide build with /work mounted at /work (NODEFS), calling
// its main(*args) and printing the returned string.
// Usage: node tools/pyodide_exec.mjs PYODIDE_PKG_DIR SCRIPT.py ARG...
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pkgDir, script, ...args] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(path.join(path.resolve(pkgDir), "pyodide.mjs")).href);
const py = await loadPyodide({ stdout: () => {}, stderr: () => {} });
py.FS.mkdirTree("/work");
py.FS.mount(py.FS.filesystems.NODEFS, { root: "/work" }, "/work");
try {
  const ns = py.globals.get("dict")();
  ns.set("__name__", "pycode_exec");
  ns.set("_script", path.resolve(script));
  ns.set("_args", py.toPy(args));
  py.runPython("exec(compile(open(_script).read(), _script, 'exec'))\nresult = main(*_args)", { globals: ns });
  process.stdout.write(String(ns.get("result")) + "\n");
} catch (e) {
  // Pyodide errors carry huge JS stacks: report only the Python message tail.
  process.stderr.write(String(e && e.message ? e.message : e).slice(-2000) + "\n");
  process.exit(1);
}
