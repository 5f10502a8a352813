// Run oracle/driver.py inside one Pyodide build (one CPython release per node process).
// usage: node pyodide_driver.mjs PYODIDE_PACKAGE_DIR DRIVER_PY JOB_JSON
// The host filesystem is mounted at /host (NODEFS), so host path P is /host/P inside Python;
// oracle/refs.py writes the job with such paths already.
// Python's hash seed is fixed (PYTHONHASHSEED=0), as for the native oracles.
// On failure prints only a short tail of the error (Pyodide errors embed huge minified JS).
import { pathToFileURL } from "node:url";
import path from "node:path";

const [pkgDir, driverPy, jobJson] = process.argv.slice(2);
if (!pkgDir || !driverPy || !jobJson) {
  process.stderr.write("usage: node pyodide_driver.mjs PYODIDE_PACKAGE_DIR DRIVER_PY JOB_JSON\n");
  process.exit(2);
}

function tail(e) {
  const s = String(e && e.stack ? e.stack : e);
  return s.length > 2000 ? "..." + s.slice(-2000) : s;
}

try {
  const { loadPyodide } = await import(pathToFileURL(path.join(path.resolve(pkgDir), "pyodide.mjs")).href);
  const py = await loadPyodide({
    env: { PYTHONHASHSEED: "0", HOME: "/home/pyodide" },
    stdout: (line) => process.stdout.write(line + "\n"),
    stderr: (line) => process.stderr.write(line + "\n"),
  });
  py.FS.mkdirTree("/host");
  py.FS.mount(py.FS.filesystems.NODEFS, { root: "/" }, "/host");
  py.globals.set("__oracle_driver_path", "/host" + path.resolve(driverPy));
  py.globals.set("__oracle_job_path", "/host" + path.resolve(jobJson));
  py.runPython(`
__oracle_ns = {"__name__": "oracle_driver"}
with open(__oracle_driver_path, "rb") as __f:
    exec(compile(__f.read(), __oracle_driver_path, "exec"), __oracle_ns)
__oracle_ns["run_job_file"](__oracle_job_path)
`);
} catch (e) {
  process.stderr.write("pyodide_driver: " + tail(e) + "\n");
  process.exit(3);
}
