#!/usr/bin/env python3
"""Build a profile-guided (PGO) `pycode` binary, reproducibly, and check that its output is the
plain build's. Optional: nothing else in the project needs it, and CI does not run it.

    python3 tools/pgo_build.py [--fat-lto] [--baseline PATH] [--train-corpus DIR]
                               [--train-targets 3.11,3.12,3.13,3.14,3.15] [--no-dis-ast]
                               [--check TREE:TARGET ...] [--no-check]

Steps (each printed as it runs):

1. find `llvm-profdata` in rustc's sysroot (rustup's `llvm-tools` component; a system LLVM
   older than rustc's cannot read its raw profiles). Missing: says how to install it, exits 2.
2. build `pycode` instrumented: `RUSTFLAGS=-Cprofile-generate=DIR cargo build --release -p
   pycode_cli --bin pycode` into its own target directory (target/pgo-gen).
3. train: on a fresh copy of the training corpus (default corpus/pypi, .py files only),
   `pycode compileall --target T -q -f -j 1` for every target (each release has its own code
   paths), then `pycode ast` on every source and `pycode dis` on every .pyc of 3.12 and 3.14
   (cheap next to the compiles; skip with --no-dis-ast).
4. merge the raw profiles into one .profdata (named by its content hash, so that a new profile
   always rebuilds).
5. build again with `-Cprofile-use=FILE -Cllvm-args=-pgo-warn-missing-function=false` into
   target/pgo: the result is target/pgo/release/pycode.
6. check: compile each check tree (a fresh copy each, at the same path) with the plain binary
   (--baseline; default target/release/pycode, brought up to date with a plain `cargo build
   --release` first) and with the PGO binary, and compare exit codes, messages, the set of
   .pyc files and their bytes from offset 16 (the header's timestamp differs between copies).
   Any difference: exit 1.

The training corpus is never a measurement corpus: the throughput numbers (docs/throughput.md)
are taken on corpus/stdlib-3.12.7, and this script refuses to train on it. The check trees are
only compared for equal output, which says nothing about speed and needs no separation.

--fat-lto builds both stages with `lto = "fat"` and `codegen-units = 1` (through cargo's
CARGO_PROFILE_RELEASE_* variables; Cargo.toml is not changed) into target/pgo-fatlto.
"""
import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MEASUREMENT_CORPORA = ("stdlib-3.12.7",)
DEFAULT_TARGETS = "3.11,3.12,3.13,3.14,3.15"
DIS_TARGETS = ("3.12", "3.14")


class Failure(Exception):
    """A step that cannot go on; the message says why (exit 1)."""


class MissingTool(Failure):
    """rustc's llvm-profdata is not installed (exit 2)."""


def say(msg):
    print(f"pgo_build: {msg}", flush=True)


def run(cmd, env=None, ok=(0,), **kw):
    try:
        proc = subprocess.run(cmd, env=env, **kw)
    except OSError as err:
        raise Failure(f"cannot run `{cmd[0]}`: {err}") from err
    if proc.returncode not in ok:
        raise Failure(f"`{' '.join(cmd)}` exited with {proc.returncode}")
    return proc


def find_llvm_profdata():
    try:
        sysroot = subprocess.run(["rustc", "--print", "sysroot"], capture_output=True, text=True,
                                 check=True).stdout.strip()
        verbose = subprocess.run(["rustc", "-vV"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as err:
        raise Failure(f"cannot run rustc: {err}") from err
    host = next((line.split(":", 1)[1].strip() for line in verbose.splitlines()
                 if line.startswith("host:")), None)
    if not host:
        raise Failure("`rustc -vV` names no host triple")
    path = os.path.join(sysroot, "lib", "rustlib", host, "bin", "llvm-profdata")
    if not os.path.isfile(path):
        raise MissingTool(f"{path} not found: rustc's own llvm-profdata is needed (a system LLVM cannot "
                      "read this rustc's profiles); install it with\n\n    rustup component add "
                      "llvm-tools\n\nand run this script again")
    return path


def copy_sources(src, dst):
    """A fresh copy of the .py files of `src` (no __pycache__, no .pyc)."""
    if os.path.exists(dst):
        shutil.rmtree(dst)

    def ignore(_dir, names):
        return [n for n in names if n == "__pycache__" or n.endswith((".pyc", ".pyo"))]

    shutil.copytree(src, dst, ignore=ignore, symlinks=False, copy_function=shutil.copyfile)
    return dst


def cargo_build(target_dir, rustflags, profile_env):
    env = dict(os.environ)
    env.update(profile_env)
    env["CARGO_TARGET_DIR"] = target_dir
    extra = env.get("RUSTFLAGS", "").strip()
    env["RUSTFLAGS"] = f"{extra} {rustflags}".strip() if rustflags else extra
    if not env["RUSTFLAGS"]:
        del env["RUSTFLAGS"]
    say(f"cargo build --release -p pycode_cli --bin pycode  (CARGO_TARGET_DIR={rel(target_dir)}"
        + (f", RUSTFLAGS={env['RUSTFLAGS']}" if "RUSTFLAGS" in env else "")
        + "".join(f", {k}={v}" for k, v in profile_env.items()) + ")")
    start = time.monotonic()
    run(["cargo", "build", "--release", "-p", "pycode_cli", "--bin", "pycode"], env=env, cwd=ROOT)
    exe = os.path.join(target_dir, "release", "pycode")
    if not os.path.isfile(exe):
        raise Failure(f"the build made no {exe}")
    say(f"  built {rel(exe)} in {time.monotonic() - start:.0f} s")
    return exe


def rel(path):
    try:
        return os.path.relpath(path, ROOT)
    except ValueError:
        return path


def files_under(tree, suffix):
    out = []
    for dirpath, dirnames, filenames in os.walk(tree):
        dirnames.sort()
        out.extend(os.path.join(dirpath, f) for f in sorted(filenames) if f.endswith(suffix))
    return out


def train(exe, corpus, targets, data_dir, dis_ast):
    raw_dir = os.path.join(data_dir, "train")
    if os.path.exists(raw_dir):
        shutil.rmtree(raw_dir)
    os.makedirs(raw_dir)
    env = dict(os.environ)
    # %m: every run of this binary merges its counters into one file (no file per process).
    env["LLVM_PROFILE_FILE"] = os.path.join(raw_dir, "pycode-%m.profraw")
    tree = copy_sources(corpus, os.path.join(data_dir, "train-tree"))
    sources = files_under(tree, ".py")
    say(f"training on {len(sources)} files of {rel(corpus)} (a fresh copy in {rel(tree)})")
    for target in targets:
        start = time.monotonic()
        # Exit 1 only means some file did not compile for that target (a syntax error is a
        # path to train too); a crash or a panic is another code and stops the script.
        proc = run([exe, "compileall", "--target", target, "-q", "-f", "-j", "1", tree], env=env,
                   ok=(0, 1), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        failed = proc.stderr.count(b"\n")
        say(f"  compileall --target {target}: {time.monotonic() - start:.1f} s"
            + (f" (exit {proc.returncode}, {failed} lines of errors)" if proc.returncode else ""))
    if dis_ast:
        start = time.monotonic()
        for src in sources:
            run([exe, "ast", src], env=env, ok=(0, 1), stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL)
        ran = len(sources)
        for target in DIS_TARGETS:
            tag = "cpython-3" + target.split(".")[1]
            pycs = [p for p in files_under(tree, ".pyc") if f".{tag}." in os.path.basename(p)]
            for pyc in pycs:
                run([exe, "dis", pyc], env=env, ok=(0, 1), stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL)
            ran += len(pycs)
        say(f"  ast on every source, dis on the .pyc of {', '.join(DIS_TARGETS)}: {ran} runs, "
            f"{time.monotonic() - start:.1f} s")
    raws = [os.path.join(raw_dir, f) for f in sorted(os.listdir(raw_dir)) if f.endswith(".profraw")]
    if not raws:
        raise Failure(f"training wrote no .profraw under {raw_dir}: is {exe} instrumented?")
    return raws


def merge(profdata_tool, raws, data_dir):
    tmp = os.path.join(data_dir, "merged.profdata.tmp")
    run([profdata_tool, "merge", "-o", tmp] + raws)
    with open(tmp, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:12]
    # Named by its content: cargo sees a new -Cprofile-use path, and rebuilds, whenever the
    # profile changes (it does not track the file itself).
    out = os.path.join(data_dir, f"pycode-{digest}.profdata")
    if os.path.isfile(out):
        # The same profile as before: keep the old file (and its time stamp), so that an
        # up-to-date PGO build is not rebuilt.
        os.remove(tmp)
    else:
        os.replace(tmp, out)
    say(f"merged {len(raws)} raw profile(s) into {rel(out)} ({os.path.getsize(out) // 1024} KiB)")
    return out


def compile_tree(exe, tree, target):
    proc = subprocess.run([exe, "compileall", "--target", target, "-q", "-f", "-j", "1", tree],
                          capture_output=True)
    # Messages name the copy's path; compare them without it.
    return proc.returncode, proc.stdout.replace(tree.encode(), b"TREE"), \
        proc.stderr.replace(tree.encode(), b"TREE")


def check(plain, pgo, tree_src, target, data_dir):
    # Both compile the same path (co_filename is in every code object), one after the other;
    # each result is then moved aside.
    results = {}
    work = os.path.join(data_dir, "check", "tree")
    for name, exe in (("plain", plain), ("pgo", pgo)):
        copy_sources(tree_src, work)
        out = compile_tree(exe, work, target)
        kept = os.path.join(data_dir, "check", name)
        if os.path.exists(kept):
            shutil.rmtree(kept)
        os.rename(work, kept)
        results[name] = (kept, out)
    (plain_tree, plain_out), (pgo_tree, pgo_out) = results["plain"], results["pgo"]
    problems = []
    if plain_out[0] not in (0, 1):
        problems.append(f"the plain build exited with {plain_out[0]}")
    if plain_out[0] != pgo_out[0]:
        problems.append(f"exit code {plain_out[0]} (plain) vs {pgo_out[0]} (PGO)")
    if plain_out[1:] != pgo_out[1:]:
        problems.append("different messages on stdout/stderr")
    plain_pycs = {os.path.relpath(p, plain_tree) for p in files_under(plain_tree, ".pyc")}
    pgo_pycs = {os.path.relpath(p, pgo_tree) for p in files_under(pgo_tree, ".pyc")}
    if plain_pycs != pgo_pycs:
        problems.append(f"{len(plain_pycs ^ pgo_pycs)} .pyc file(s) written by one build only")
    differ = []
    for relpath in sorted(plain_pycs & pgo_pycs):
        with open(os.path.join(plain_tree, relpath), "rb") as a, \
                open(os.path.join(pgo_tree, relpath), "rb") as b:
            if a.read()[16:] != b.read()[16:]:
                differ.append(relpath)
    if differ:
        problems.append(f"{len(differ)} .pyc file(s) differ after the header, first {differ[0]}")
    if not plain_pycs:
        problems.append("no .pyc written")
    for name in ("plain", "pgo"):
        shutil.rmtree(results[name][0])
    if problems:
        raise Failure(f"check {rel(tree_src)} --target {target}: " + "; ".join(problems))
    say(f"  {rel(tree_src)} --target {target}: {len(plain_pycs)} .pyc files, byte-identical "
        f"from offset 16; exit code {plain_out[0]} and messages equal")


def parse_args(argv):
    ap = argparse.ArgumentParser(
        description="Build a profile-guided pycode binary (target/pgo/release/pycode) and check "
                    "that its .pyc output equals the plain release build's.",
        epilog="The training corpus must not be a measurement corpus (corpus/stdlib-3.12.7 is "
               "refused). Needs rustup's llvm-tools component (rustup component add llvm-tools).")
    ap.add_argument("--train-corpus", default=os.path.join(ROOT, "corpus", "pypi"),
                    help="tree of .py files to train on (default corpus/pypi)")
    ap.add_argument("--train-targets", default=DEFAULT_TARGETS,
                    help=f"comma-separated --target values to train (default {DEFAULT_TARGETS})")
    ap.add_argument("--no-dis-ast", action="store_true",
                    help="train on compileall only (no `pycode ast`/`pycode dis` runs)")
    ap.add_argument("--fat-lto", action="store_true",
                    help='both builds with lto = "fat", codegen-units = 1 (into target/pgo-fatlto)')
    ap.add_argument("--baseline", default=None,
                    help="the plain pycode to compare output with (default: target/release/pycode, "
                         "brought up to date with a plain `cargo build --release` first)")
    ap.add_argument("--check", action="append", metavar="TREE:TARGET",
                    help="a tree to compile with both binaries and the target to compile it for "
                         "(repeatable; default corpus/stdlib-3.12.7:3.12 and "
                         "corpus/stdlib-3.14.2:3.14)")
    ap.add_argument("--no-check", action="store_true", help="skip the output check")
    return ap.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    corpus = os.path.abspath(args.train_corpus)
    if not os.path.isdir(corpus):
        raise Failure(f"training corpus {corpus} is not a directory")
    measured = [os.path.realpath(os.path.join(ROOT, "corpus", m)) for m in MEASUREMENT_CORPORA]
    real = os.path.realpath(corpus)
    if os.path.basename(real) in MEASUREMENT_CORPORA or \
            os.path.basename(corpus.rstrip("/")) in MEASUREMENT_CORPORA or \
            any(m == real or m.startswith(real + os.sep) for m in measured):
        raise Failure(f"{rel(corpus)} is or holds the measurement corpus: train on another one "
                      "(training and measurement are kept apart)")
    targets = [t.strip() for t in args.train_targets.split(",") if t.strip()]
    if not targets:
        raise Failure("--train-targets names no target")
    checks = []
    if not args.no_check:
        for spec in args.check or [os.path.join(ROOT, "corpus", "stdlib-3.12.7") + ":3.12",
                                   os.path.join(ROOT, "corpus", "stdlib-3.14.2") + ":3.14"]:
            tree, sep, target = spec.rpartition(":")
            if not sep or not tree or not target:
                raise Failure(f"--check {spec!r}: expected TREE:TARGET")
            if not os.path.isdir(tree):
                raise Failure(f"--check {spec!r}: {tree} is not a directory")
            checks.append((os.path.abspath(tree), target))

    profdata_tool = find_llvm_profdata()
    say(f"llvm-profdata: {profdata_tool}")

    suffix = "-fatlto" if args.fat_lto else ""
    profile_env = {"CARGO_PROFILE_RELEASE_LTO": "fat",
                   "CARGO_PROFILE_RELEASE_CODEGEN_UNITS": "1"} if args.fat_lto else {}
    target_root = os.path.join(ROOT, "target")
    data_dir = os.path.join(target_root, f"pgo-data{suffix}")
    os.makedirs(data_dir, exist_ok=True)

    gen_exe = cargo_build(os.path.join(target_root, f"pgo-gen{suffix}"),
                          f"-Cprofile-generate={os.path.join(data_dir, 'gen-build')}", profile_env)
    raws = train(gen_exe, corpus, targets, data_dir, not args.no_dis_ast)
    profdata = merge(profdata_tool, raws, data_dir)
    pgo_exe = cargo_build(os.path.join(target_root, f"pgo{suffix}"),
                          f"-Cprofile-use={profdata} -Cllvm-args=-pgo-warn-missing-function=false",
                          profile_env)

    if checks:
        baseline = args.baseline
        if baseline is None:
            # The plain build of these sources (a no-op when target/release is up to date).
            env = {k: v for k, v in os.environ.items() if k != "RUSTFLAGS"}
            env["CARGO_TARGET_DIR"] = target_root
            say("the plain release build to compare with: cargo build --release -p pycode_cli "
                "--bin pycode")
            run(["cargo", "build", "--release", "-p", "pycode_cli", "--bin", "pycode"],
                env=env, cwd=ROOT)
            baseline = os.path.join(target_root, "release", "pycode")
        if not os.path.isfile(baseline):
            raise Failure(f"baseline {baseline} not found")
        say(f"checking output: {rel(pgo_exe)} against {baseline}")
        for tree, target in checks:
            check(os.path.abspath(baseline), pgo_exe, tree, target, data_dir)
    say(f"done: {rel(pgo_exe)}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except Failure as err:
        print(f"pgo_build: error: {err}", file=sys.stderr)
        sys.exit(2 if isinstance(err, MissingTool) else 1)
    except KeyboardInterrupt:
        sys.exit(130)
