// Runs oracle_dump.py inside one Pyodide build, for one list of files.
// usage: node run_pyodide.mjs PYODIDE_DIR HOST_ROOT LIST OUT.jsonl
// HOST_ROOT is mounted at /mnt; LIST and OUT are paths under HOST_ROOT, LIST's entries are relative to it.
import fs from "fs";
import path from "path";
const [pyodideDir, root, list, out] = process.argv.slice(2);
const { loadPyodide } = await import(path.join(pyodideDir, "pyodide.mjs"));
const py = await loadPyodide();
py.FS.mkdirTree("/mnt");
py.FS.mount(py.FS.filesystems.NODEFS, { root }, "/mnt");
const script = fs.readFileSync(new URL("./oracle_dump.py", import.meta.url), "utf8");
py.globals.set("ORACLE_ARGV", py.toPy(["/mnt/" + list, "/mnt/" + out, "/mnt/"]));
try {
  py.runPython(script.replace('if __name__ == "__main__":\n    main(sys.argv[1:])', "main(list(ORACLE_ARGV))"));
} catch (e) {
  console.error(String(e).slice(-2000));
  process.exit(1);
}
