// Run a Python file inside one pinned Pyodide build, calling its main(*args) and printing the
// returned string. Every top-level host directory that Pyodide's own filesystem lacks (/work, a CI
// checkout's /check, /opt, ...) is mounted at the same path (NODEFS), so host paths work unchanged
// wherever the repository is checked out; /tmp, /home, /lib, /dev, /proc stay Pyodide's own.
// Usage: node tools/pyodide_exec.mjs PYODIDE_PKG_DIR SCRIPT.py ARG...
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pkgDir, script, ...args] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(path.join(path.resolve(pkgDir), "pyodide.mjs")).href);
const py = await loadPyodide({ stdout: () => {}, stderr: () => {} });
const own = new Set(py.FS.readdir("/"));
for (const entry of fs.readdirSync("/", { withFileTypes: true })) {
  if (!entry.isDirectory() || own.has(entry.name)) continue;
  const at = "/" + entry.name;
  try {
    py.FS.mkdirTree(at);
    py.FS.mount(py.FS.filesystems.NODEFS, { root: at }, at);
  } catch (e) {
    // an unreadable host directory is simply not visible inside Pyodide
  }
}
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
