#!/usr/bin/env python3
"""Generate crates/pycode_release/src/generated/*.rs from each CPython release.

Two stages:

1. *Measure* (default): run every known release's own interpreter on
   ``tools/opcode_dump.py`` (native CPython for 3.11.7 / 3.12.1 / 3.13.0,
   Pyodide under node for 3.12.7 / 3.13.2 / 3.14.2) and store what it prints
   as ``tools/opcode_data/<release>.json``.
2. *Render*: turn each JSON dump into ``src/generated/v<X>_<Y>_<Z>.rs`` plus
   ``src/generated/mod.rs``.

``--from-json`` skips stage 1 (no interpreter needed).  ``--check`` renders
into memory and exits non-zero if any committed file differs.  Output is a
pure function of the JSON bytes, so regenerating is byte-stable.

Usage:
    python3 tools/gen_opcodes.py                 # measure + render
    python3 tools/gen_opcodes.py --only 3.13.0   # re-measure one release
    python3 tools/gen_opcodes.py --from-json     # render only
    python3 tools/gen_opcodes.py --from-json --check
"""

import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOLS = os.path.join(ROOT, "tools")
DATA = os.path.join(TOOLS, "opcode_data")
GEN = os.path.join(ROOT, "crates", "pycode_release", "src", "generated")
PYODIDE = os.path.join(ROOT, "oracle", "pyodide", "node_modules")

# release -> how to run it.  ("native", path) or ("pyodide", package dir)
RELEASES = [
    ("3.11.2", ("native", "/usr/bin/python3.11")),
    ("3.11.7", ("native", "python3")),
    ("3.12.1", ("native", "/root/.pyenv/versions/3.12.1/bin/python3")),
    ("3.12.7", ("pyodide", os.path.join(PYODIDE, "pyodide-0.27.7"))),
    ("3.13.0", ("native", "/root/.pyenv/versions/3.13.0/bin/python3")),
    ("3.13.2", ("pyodide", os.path.join(PYODIDE, "pyodide-0.29.3"))),
    ("3.14.2", ("pyodide", os.path.join(PYODIDE, "pyodide-314.0.7"))),
    ("3.15.0rc1", ("pyodide", os.path.join(PYODIDE, "pyodide-315.0.0-alpha.2"))),
]

# sys.version_info.releaselevel -> the suffix CPython's own version string uses.
LEVEL_SUFFIX = {"alpha": "a", "beta": "b", "candidate": "rc"}


def release_name(data):
    """`3.12.7`, or `3.15.0rc1` for a pre-release (what `sys.version` starts with)."""
    name = "%d.%d.%d" % tuple(data["version"])
    level = data["releaselevel"]
    if level != "final":
        name += "%s%d" % (LEVEL_SUFFIX[level], data["serial"])
    return name

FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3


def fnv1a64(data):
    """64-bit FNV-1a; the Rust tests recompute it over the JSON bytes."""
    h = FNV_OFFSET
    for b in data:
        h ^= b
        h = (h * FNV_PRIME) & 0xFFFFFFFFFFFFFFFF
    return h


# ---------------------------------------------------------------- measuring

def measure(release, how):
    kind, where = how
    script = os.path.join(TOOLS, "opcode_dump.py")
    if kind == "native":
        cmd = [where, "-I", "-S", script]
    else:
        cmd = ["node", os.path.join(TOOLS, "pyodide_run.mjs"), where, script]
    proc = subprocess.run(cmd, capture_output=True, cwd=ROOT)
    if proc.returncode != 0:
        sys.exit("measuring %s failed:\n%s" % (release, proc.stderr.decode("utf-8", "replace")[-2000:]))
    data = json.loads(proc.stdout)
    got = release_name(data)
    if got != release:
        sys.exit("%s: interpreter reports %s, expected %s" % (cmd[0], got, release))
    return data


def write_json(release, data):
    """Stable, diff-friendly layout: one top-level key per line, maps one entry per line."""
    parts = []
    for key in sorted(data):
        val = data[key]
        if isinstance(val, dict) and val:
            inner = ",\n".join("  %s: %s" % (json.dumps(k), json.dumps(val[k], sort_keys=True))
                               for k in sorted(val, key=_natural))
            parts.append(" %s: {\n%s\n }" % (json.dumps(key), inner))
        else:
            parts.append(" %s: %s" % (json.dumps(key), json.dumps(val, sort_keys=True)))
    text = "{\n" + ",\n".join(parts) + "\n}\n"
    os.makedirs(DATA, exist_ok=True)
    with open(os.path.join(DATA, release + ".json"), "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def _natural(k):
    return (0, int(k), "") if k.isdigit() else (1, 0, k)


# ---------------------------------------------------------------- stack effects

def _popcount(x):
    return bin(x).count("1")


def fit_stack_effect(samples, vals):
    """Find the StackEffect variant reproducing every sampled value exactly.

    Returns Rust source text for a `StackEffect` value.  The candidate shapes
    are the ones CPython's stack-effect functions use; anything else is an
    error so a new release cannot silently get a wrong formula.
    """
    if vals is None:
        return "StackEffect::Invalid"
    if isinstance(vals, int):
        return "StackEffect::Const(%d)" % vals
    pairs = list(zip(samples, vals))
    if any(v is None for _a, v in pairs):
        if all(v is None for _a, v in pairs):
            return "StackEffect::Invalid"
        raise SystemExit("stack effect defined only for some opargs: %r" % (pairs,))
    v0 = pairs[0][1]

    def ok(fn):
        return all(fn(a) == v for a, v in pairs)

    if ok(lambda a: v0):
        return "StackEffect::Const(%d)" % v0
    mul = pairs[1][1] - v0
    if ok(lambda a: v0 + mul * a):
        return "StackEffect::Linear { base: %d, mul: %d }" % (v0, mul)
    for mask in (1, 2, 4, 8):
        add = dict(pairs)[mask] - v0
        if ok(lambda a: v0 + (add if a & mask else 0)):
            return "StackEffect::Bit { base: %d, mask: %d, add: %d }" % (v0, mask, add)
    mul = dict(pairs)[1] - v0
    if ok(lambda a: v0 + mul * _popcount(a & 0xF)):
        return "StackEffect::PopCount { base: %d, mask: 15, mul: %d }" % (v0, mul)
    d = dict(pairs)
    if ok(lambda a: v0 + (d[1] - v0) * (a & 0xFF) + (d[256] - v0) * (a >> 8)):
        return "StackEffect::Bytes { base: %d, mul_lo: %d, mul_hi: %d }" % (v0, d[1] - v0, d[256] - v0)
    for eq in range(0, 8):
        other = [v for a, v in pairs if a != eq]
        if other and all(v == other[0] for v in other):
            add = d[eq] - other[0]
            if ok(lambda a: other[0] + (add if a == eq else 0)):
                return "StackEffect::IfEq { base: %d, value: %d, add: %d }" % (other[0], eq, add)
    raise SystemExit("no StackEffect shape fits %r" % (pairs[:20],))


# ---------------------------------------------------------------- rendering

def rs_str(s):
    out = []
    for ch in s:
        if ch in "\\\"":
            out.append("\\" + ch)
        elif 0x20 <= ord(ch) < 0x7F:
            out.append(ch)
        else:
            out.append("\\u{%x}" % ord(ch))
    return '"' + "".join(out) + '"'


def rs_str_list(items):
    return "&[" + ", ".join(rs_str(x) for x in items) + "]"


def rs_opt(val, fn):
    return "None" if val is None else "Some(%s)" % fn(val)


FLAG_LISTS = [
    ("hasarg", "HAS_ARG"), ("hasconst", "HAS_CONST"), ("hasname", "HAS_NAME"),
    ("hasjrel", "HAS_JREL"), ("hasjabs", "HAS_JABS"), ("hasjump", "HAS_JUMP"),
    ("haslocal", "HAS_LOCAL"), ("hasfree", "HAS_FREE"), ("hascompare", "HAS_COMPARE"),
    ("hasexc", "HAS_EXC"), ("hasnargs", "HAS_NARGS"),
]


def wrap(items, indent="    ", width=100):
    lines, cur = [], indent
    for it in items:
        piece = it + ","
        if len(cur) + len(piece) + 1 > width and cur.strip():
            lines.append(cur.rstrip())
            cur = indent
        cur += piece + " "
    if cur.strip():
        lines.append(cur.rstrip())
    return "\n".join(lines)


def render(release, d, json_hash):
    opmap = d["opmap"]
    n_ops = max(256, max(opmap.values()) + 1)
    # has-lists and pseudo/defined flags, per opcode number (real + pseudo).
    flags = [[] for _ in range(n_ops)]
    present = []
    for key, flag in FLAG_LISTS:
        if d[key] is None:
            continue
        present.append("OpFlags::" + flag)
        for op in d[key]:
            flags[op].append("OpFlags::" + flag)
    for op in d["backward_jumps"]:
        flags[op].append("OpFlags::BACKWARD_JUMP")
    for name, op in opmap.items():
        if "OpFlags::DEFINED" not in flags[op]:
            flags[op].append("OpFlags::DEFINED")
    spec = d["specialized_opmap"]
    if spec is not None:
        spec_ops = set(spec.values())
    else:
        spec_ops = {d["dis_all_opmap"][n] for n in (d["specialized_instructions"] or [])}
    for op in sorted(spec_ops):
        flags[op].append("OpFlags::SPECIALIZED")

    def flag_expr(fl):
        if not fl:
            return "OpFlags::empty()"
        return "OpFlags(" + " | ".join("%s.0" % f for f in fl) + ")"

    opname256 = d["opname"][:256] + ["<%d>" % i for i in range(len(d["opname"]), 256)]
    all_opname256 = d["dis_all_opname"][:256] + ["<%d>" % i for i in range(len(d["dis_all_opname"]), 256)]
    pseudo_names = {op: name for name, op in opmap.items() if op >= 256}
    pseudo_targets = d["pseudo_ops"] or {}

    se = d["stack_effect"]
    samples = d["stack_effect_samples"]
    se_rows = []
    for op in range(n_ops):
        e = se.get(str(op))
        if e is None:
            se_rows.append("None")
        else:
            se_rows.append("Some([%s, %s])" % (fit_stack_effect(samples, e["nojump"]),
                                               fit_stack_effect(samples, e["jump"])))

    ident = "V" + release.replace(".", "_")
    out = []
    w = out.append
    w("// @generated by tools/gen_opcodes.py from CPython %s — do not edit." % release)
    w("// Source data: tools/opcode_data/%s.json (measured from that release's interpreter)." % release)
    w("// Regenerate: python3 tools/gen_opcodes.py --from-json")
    w("")
    w("#![allow(clippy::all)]")
    w("")
    w("use crate::opcodes::{OpFlags, OpcodeTable, PseudoOp, StackEffect};")
    w("")
    w("/// FNV-1a 64 of `tools/opcode_data/%s.json` at generation time." % release)
    w("#[allow(dead_code)]")
    w("pub(crate) const JSON_FNV1A64: u64 = 0x%016x;" % json_hash)
    w("/// `sys.version_info[:3]`.")
    w("pub(crate) const VERSION: (u8, u8, u8) = (%d, %d, %d);" % tuple(d["version"]))
    w("/// The release's name as `sys.version` starts with it (`3.12.7`, `3.15.0rc1`).")
    w("pub(crate) const NAME: &str = %s;" % rs_str(release_name(d)))
    w("/// `importlib.util.MAGIC_NUMBER`.")
    w("pub(crate) const MAGIC_BYTES: [u8; 4] = [%s];" % ", ".join("0x%02x" % b for b in d["magic_bytes"]))
    w("/// The first two magic bytes as a little-endian number.")
    w("pub(crate) const MAGIC: u16 = %d;" % d["magic"])
    w("/// `marshal.version`.")
    w("pub(crate) const MARSHAL_VERSION: u8 = %d;" % d["marshal_version"])
    w("/// `sys.implementation.cache_tag`.")
    w("pub(crate) const CACHE_TAG: &str = %s;" % rs_str(d["cache_tag"]))
    w("")
    w("static OPNAME: [&str; 256] = [")
    w(wrap([rs_str(x) for x in opname256]))
    w("];")
    w("")
    w("static ALL_OPNAME: [&str; 256] = [")
    w(wrap([rs_str(x) for x in all_opname256]))
    w("];")
    w("")
    w("static OPMAP: &[(&str, u16)] = &[")
    w(wrap(["(%s, %d)" % (rs_str(k), opmap[k]) for k in sorted(opmap)]))
    w("];")
    w("")
    w("static ALL_OPMAP: &[(&str, u16)] = &[")
    w(wrap(["(%s, %d)" % (rs_str(k), v) for k, v in sorted(d["dis_all_opmap"].items())]))
    w("];")
    w("")
    w("static FLAGS: [OpFlags; %d] = [" % n_ops)
    w(wrap([flag_expr(f) for f in flags]))
    w("];")
    w("")
    w("static DEOPT: [u8; 256] = [")
    w(wrap([str(x) for x in d["deopt"]]))
    w("];")
    w("")
    w("static INLINE_CACHE_ENTRIES: [u8; 256] = [")
    w(wrap([str(x) for x in d["inline_cache_entries"]]))
    w("];")
    w("")
    w("static PSEUDO_OPS: &[PseudoOp] = &[")
    for op in sorted(pseudo_names):
        name = pseudo_names[op]
        w("    PseudoOp { name: %s, opcode: %d, targets: %s }," % (
            rs_str(name), op, rs_str_list(pseudo_targets.get(name, []))))
    w("];")
    w("")
    w("static CACHE_FORMAT: &[(&str, &[(&str, u8)])] = &[")
    for name in sorted(d["cache_format"]):
        fields = d["cache_format"][name]
        w("    (%s, &[%s])," % (rs_str(name), ", ".join("(%s, %d)" % (rs_str(f), s) for f, s in fields)))
    w("];")
    w("")
    w("static SPECIALIZATIONS: &[(&str, &[&str])] = &[")
    for name in sorted(d["specializations"]):
        w("    (%s, %s)," % (rs_str(name), rs_str_list(d["specializations"][name])))
    w("];")
    w("")
    w("static DEOPTMAP: &[(&str, &str)] = &[")
    w(wrap(["(%s, %s)" % (rs_str(k), rs_str(v)) for k, v in sorted(d["deoptmap"].items())]))
    w("];")
    w("")
    w("static NB_OPS: &[(&str, &str)] = &[")
    w(wrap(["(%s, %s)" % (rs_str(a), rs_str(b)) for a, b in d["nb_ops"]]))
    w("];")
    w("")
    w("static COMPILER_FLAG_NAMES: &[(u32, &str)] = &[")
    w(wrap(["(0x%x, %s)" % (k, rs_str(v)) for k, v in d["dis"]["COMPILER_FLAG_NAMES"]]))
    w("];")
    w("")
    w("static STACK_EFFECTS: [Option<[StackEffect; 2]>; %d] = [" % n_ops)
    for i, row in enumerate(se_rows):
        w("    /* %3d */ %s," % (i, row))
    w("];")
    w("")
    dc = d["dis"]
    mpo = d["MIN_PSEUDO_OPCODE"]
    if mpo is None and pseudo_names:
        mpo = min(pseudo_names)
    xpo = d["MAX_PSEUDO_OPCODE"]
    if xpo is None and pseudo_names:
        xpo = max(pseudo_names)
    w("/// The opcode tables of CPython %s." % release)
    w("pub(crate) static TABLE: OpcodeTable = OpcodeTable {")
    w("    version: VERSION,")
    w("    have_argument: %d," % d["HAVE_ARGUMENT"])
    w("    extended_arg: %d," % d["EXTENDED_ARG"])
    w("    cache: %d," % d["CACHE"])
    w("    min_instrumented_opcode: %s," % rs_opt(d["MIN_INSTRUMENTED_OPCODE"], str))
    w("    min_pseudo_opcode: %s," % rs_opt(mpo, str))
    w("    max_pseudo_opcode: %s," % rs_opt(xpo, str))
    w("    enable_specialization: %s," % rs_opt(d["ENABLE_SPECIALIZATION"], lambda v: "true" if v else "false"))
    w("    inline_cache_entries_by_name: %s," % ("true" if d["inline_cache_entries_by"] == "name" else "false"))
    w("    lists_present: OpFlags(%s)," % (" | ".join(p + ".0" for p in present) or "0"))
    w("    opname: &OPNAME,")
    w("    all_opname: &ALL_OPNAME,")
    w("    opmap: OPMAP,")
    w("    all_opmap: ALL_OPMAP,")
    w("    flags: &FLAGS,")
    w("    deopt: &DEOPT,")
    w("    inline_cache_entries: &INLINE_CACHE_ENTRIES,")
    w("    pseudo_ops: PSEUDO_OPS,")
    w("    cache_format: CACHE_FORMAT,")
    w("    specializations: SPECIALIZATIONS,")
    w("    deoptmap: DEOPTMAP,")
    w("    cmp_op: %s," % rs_str_list(d["cmp_op"]))
    w("    nb_ops: NB_OPS,")
    w("    intrinsic_1_descs: %s," % rs_opt(d["intrinsic_1_descs"], rs_str_list))
    w("    intrinsic_2_descs: %s," % rs_opt(d["intrinsic_2_descs"], rs_str_list))
    w("    special_method_names: %s," % rs_opt(d["special_method_names"], rs_str_list))
    w("    common_constants: %s," % rs_opt(d["common_constants"], rs_str_list))
    w("    make_function_flags: %s," % rs_opt(dc.get("MAKE_FUNCTION_FLAGS"), rs_str_list))
    w("    function_attr_flags: %s," % rs_opt(dc.get("FUNCTION_ATTR_FLAGS"), rs_str_list))
    w("    format_value_converters: %s," % rs_opt(dc.get("FORMAT_VALUE_CONVERTERS"), rs_str_list))
    w("    compiler_flag_names: COMPILER_FLAG_NAMES,")
    w("    opname_width: %d," % dc["OPNAME_WIDTH"])
    w("    oparg_width: %d," % dc["OPARG_WIDTH"])
    w("    stack_effects: &STACK_EFFECTS,")
    w("};")
    return "\n".join(out) + "\n", ident


def render_mod(releases):
    out = ["// @generated by tools/gen_opcodes.py — do not edit.", "",
           "//! One module per known CPython release, rendered from `tools/opcode_data/*.json`.", ""]
    for rel in releases:
        out.append("pub(crate) mod v%s;" % rel.replace(".", "_"))
    out.append("")
    out.append("/// Every rendered release and the JSON file it came from, for the up-to-date test.")
    out.append("#[cfg(test)]")
    out.append("pub(crate) const SOURCES: &[(&str, u64)] = &[")
    for rel in releases:
        out.append("    (%s, v%s::JSON_FNV1A64)," % (rs_str(rel), rel.replace(".", "_")))
    out.append("];")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--from-json", action="store_true", help="render from tools/opcode_data only")
    ap.add_argument("--check", action="store_true", help="verify committed files are up to date")
    ap.add_argument("--only", action="append", help="measure only these releases")
    args = ap.parse_args()

    if not args.from_json:
        for rel, how in RELEASES:
            if args.only and rel not in args.only:
                continue
            print("measuring", rel, file=sys.stderr)
            write_json(rel, measure(rel, how))

    files = {}
    for rel, _how in RELEASES:
        with open(os.path.join(DATA, rel + ".json"), "rb") as f:
            raw = f.read()
        text, _ident = render(rel, json.loads(raw), fnv1a64(raw))
        files["v%s.rs" % rel.replace(".", "_")] = text
    files["mod.rs"] = render_mod([r for r, _ in RELEASES])

    stale = []
    for name, text in sorted(files.items()):
        path = os.path.join(GEN, name)
        try:
            with open(path, encoding="utf-8") as f:
                old = f.read()
        except FileNotFoundError:
            old = None
        if old != text:
            stale.append(name)
            if not args.check:
                os.makedirs(GEN, exist_ok=True)
                with open(path, "w", encoding="utf-8", newline="\n") as f:
                    f.write(text)
    if args.check:
        if stale:
            sys.exit("out of date: %s (run python3 tools/gen_opcodes.py --from-json)" % ", ".join(stale))
        print("generated opcode tables are up to date")
    else:
        print("wrote %d file(s): %s" % (len(stale), ", ".join(stale) or "none changed"), file=sys.stderr)


if __name__ == "__main__":
    main()
