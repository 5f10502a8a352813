// Run a Python script inside one pinned Pyodide build and print what its
// `dump()` returns. Used by tools/gen_opcodes.py for the 3.12.7 / 3.13.2 /
// 3.14.2 oracles. Usage: node tools/pyodide_run.mjs PYODIDE_PKG_DIR SCRIPT.py
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [pkgDir, script] = process.argv.slice(2);
if (!pkgDir || !script) {
  process.stderr.write("usage: node pyodide_run.mjs PYODIDE_PKG_DIR SCRIPT.py\n");
  process.exit(2);
}
const { loadPyodide } = await import(pathToFileURL(path.join(path.resolve(pkgDir), "pyodide.mjs")).href);
const py = await loadPyodide({ stdout: () => {}, stderr: () => {} });
const src = readFileSync(script, "utf8");
try {
  const ns = py.globals.get("dict")();
  ns.set("__name__", "pycode_dump");
  py.runPython(src, { globals: ns });
  const text = py.runPython("dump()", { globals: ns });
  process.stdout.write(String(text));
  process.stdout.write("\n");
} catch (e) {
  // Pyodide errors carry huge JS stacks: report only the Python message tail.
  process.stderr.write(String(e && e.message ? e.message : e).slice(-2000) + "\n");
  process.exit(1);
}
