// Run tools/runproof/in_pyodide.py inside one Pyodide build (one CPython release per node process).
// usage: node pyodide_job.mjs PYODIDE_PACKAGE_DIR HOST_DIR JOB_NAME LOG_FILE
// HOST_DIR is mounted (NODEFS) at /rp; the job is HOST_DIR/JOB_NAME.json, the result is written by
// the Python side to HOST_DIR/JOB_NAME.result.json. Python's stdout/stderr go to LOG_FILE.
// On failure prints only a short tail of the error (Pyodide errors embed huge minified JS).
import { appendFileSync, readFileSync } from "node:fs";
import { pathToFileURL, fileURLToPath } from "node:url";
import path from "node:path";

const [pkgDir, hostDir, jobName, logFile] = process.argv.slice(2);
if (!pkgDir || !hostDir || !jobName || !logFile) {
  process.stderr.write("usage: node pyodide_job.mjs PYODIDE_PACKAGE_DIR HOST_DIR JOB_NAME LOG_FILE\n");
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const driver = readFileSync(path.join(here, "in_pyodide.py"), "utf8");

function tail(e) {
  const s = String(e && e.stack ? e.stack : e);
  return s.length > 2000 ? "..." + s.slice(-2000) : s;
}
const log = (line) => { try { appendFileSync(logFile, line + "\n"); } catch (_) {} };

try {
  const { loadPyodide } = await import(pathToFileURL(path.join(path.resolve(pkgDir), "pyodide.mjs")).href);
  const py = await loadPyodide({
    env: { PYTHONHASHSEED: "0", HOME: "/home/pyodide" },
    stdout: log,
    stderr: log,
  });
  py.FS.mkdirTree("/rp");
  py.FS.mount(py.FS.filesystems.NODEFS, { root: path.resolve(hostDir) }, "/rp");
  const ns = py.globals.get("dict")();
  ns.set("__name__", "runproof_driver");
  py.runPython(driver, { globals: ns });
  py.runPython(`run_job("/rp", ${JSON.stringify(jobName)})`, { globals: ns });
} catch (e) {
  process.stderr.write("pyodide_job: " + tail(e) + "\n");
  process.exit(3);
}
