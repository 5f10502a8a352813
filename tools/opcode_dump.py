"""Dump one CPython release's opcode tables as JSON.

Runs *inside* the interpreter being measured (native CPython or Pyodide); it
imports only that interpreter's own stdlib (`opcode`, `dis`, `_opcode`,
`_opcode_metadata`, `marshal`, `importlib.util`) and never hard-codes a table.
`tools/gen_opcodes.py` drives it and renders Rust from its output.

Entry point: `dump()` returns the JSON text.
"""

import sys


def _jsonable_names(seq):
    return [str(x) for x in seq]


def _sorted_ops(seq):
    return sorted(set(int(x) for x in seq))


def dump():
    import json
    import marshal
    import importlib.util
    import opcode
    import dis

    try:
        import _opcode
    except ImportError:  # pragma: no cover - every target release has it
        _opcode = None

    out = {}
    vi = sys.version_info
    out["version"] = [vi.major, vi.minor, vi.micro]
    out["releaselevel"] = vi.releaselevel
    out["serial"] = vi.serial
    out["sys_version"] = sys.version.split()[0]
    magic = bytes(importlib.util.MAGIC_NUMBER)
    out["magic_bytes"] = list(magic)
    out["magic"] = int.from_bytes(magic[:2], "little")
    out["marshal_version"] = int(marshal.version)
    out["cache_tag"] = sys.implementation.cache_tag

    # --- numbering -------------------------------------------------------
    out["HAVE_ARGUMENT"] = int(opcode.HAVE_ARGUMENT)
    out["EXTENDED_ARG"] = int(opcode.EXTENDED_ARG)
    for name in ("MIN_INSTRUMENTED_OPCODE", "MIN_PSEUDO_OPCODE", "MAX_PSEUDO_OPCODE",
                 "ENABLE_SPECIALIZATION"):
        val = getattr(opcode, name, None)
        if val is None and _opcode is not None:
            val = getattr(_opcode, name, None)
        out[name] = None if val is None else int(val)
    out["CACHE"] = int(opcode.opmap["CACHE"])

    out["opname"] = [str(n) for n in opcode.opname]
    out["opmap"] = {str(k): int(v) for k, v in sorted(opcode.opmap.items(), key=lambda kv: (kv[1], kv[0]))}
    # dis's view: opname/opmap with the specialized instructions filled in.
    out["dis_all_opname"] = [str(n) for n in dis._all_opname]
    out["dis_all_opmap"] = {str(k): int(v) for k, v in sorted(dis._all_opmap.items(), key=lambda kv: (kv[1], kv[0]))}

    # --- specialization --------------------------------------------------
    out["specializations"] = {str(k): [str(x) for x in v] for k, v in opcode._specializations.items()}
    spec_opmap = getattr(opcode, "_specialized_opmap", None)
    out["specialized_opmap"] = None if spec_opmap is None else {
        str(k): int(v) for k, v in sorted(spec_opmap.items(), key=lambda kv: (kv[1], kv[0]))}
    spec_instr = getattr(opcode, "_specialized_instructions", None)
    out["specialized_instructions"] = None if spec_instr is None else [str(x) for x in spec_instr]
    out["deoptmap"] = {str(k): str(v) for k, v in sorted(dis.deoptmap.items())}
    # dis._deoptop for every byte value, as dis computes it.
    out["deopt"] = [int(dis._deoptop(op)) for op in range(256)]

    pseudo = getattr(opcode, "_pseudo_ops", None)
    out["pseudo_ops"] = None if pseudo is None else {str(k): [str(x) for x in v] for k, v in pseudo.items()}

    # --- classification lists -------------------------------------------
    for name in ("hasarg", "hasconst", "hasname", "hasjrel", "hasjabs", "hasjump", "haslocal",
                 "hasfree", "hascompare", "hasexc", "hasnargs"):
        val = getattr(opcode, name, None)
        out[name] = None if val is None else _sorted_ops(val)

    # --- caches ----------------------------------------------------------
    ice = opcode._inline_cache_entries
    if hasattr(ice, "keys"):  # a dict, or 3.15's frozendict (not a dict subclass)
        out["inline_cache_entries_by"] = "name"
        per_op = [int(ice.get(out["opname"][op], 0)) if op < len(out["opname"]) else 0 for op in range(256)]
        out["inline_cache_entries_raw"] = {str(k): int(v) for k, v in ice.items()}
    else:
        out["inline_cache_entries_by"] = "opcode"
        per_op = [int(ice[op]) if op < len(ice) else 0 for op in range(256)]
        out["inline_cache_entries_raw"] = None
    out["inline_cache_entries"] = per_op
    out["cache_format"] = {str(name): [[str(f), int(sz)] for f, sz in fields.items()]
                           for name, fields in opcode._cache_format.items()}

    # --- argument reprs --------------------------------------------------
    out["cmp_op"] = [str(x) for x in opcode.cmp_op]
    out["nb_ops"] = [[str(a), str(b)] for a, b in opcode._nb_ops]
    for name in ("_intrinsic_1_descs", "_intrinsic_2_descs", "_special_method_names"):
        val = getattr(opcode, name, None)
        out[name.lstrip("_")] = None if val is None else [str(x) for x in val]
    cc = getattr(opcode, "_common_constants", None)
    if cc is None:
        out["common_constants"] = None
    else:
        # exactly the argrepr dis prints for LOAD_COMMON_CONSTANT
        out["common_constants"] = [o.__name__ if isinstance(o, type) else repr(o) for o in cc]

    # --- dis module constants --------------------------------------------
    dc = {}
    if hasattr(dis, "MAKE_FUNCTION_FLAGS"):
        dc["MAKE_FUNCTION_FLAGS"] = [str(x) for x in dis.MAKE_FUNCTION_FLAGS]
    if hasattr(dis, "FUNCTION_ATTR_FLAGS"):
        dc["FUNCTION_ATTR_FLAGS"] = [str(x) for x in dis.FUNCTION_ATTR_FLAGS]
    if hasattr(dis, "FORMAT_VALUE_CONVERTERS"):
        dc["FORMAT_VALUE_CONVERTERS"] = [str(rep) for _f, rep in dis.FORMAT_VALUE_CONVERTERS]
    dc["COMPILER_FLAG_NAMES"] = [[int(k), str(v)] for k, v in sorted(dis.COMPILER_FLAG_NAMES.items())]
    for name in ("_OPNAME_WIDTH", "_OPARG_WIDTH", "_INT_BITS"):
        if hasattr(dis, name):
            dc[name.lstrip("_")] = int(getattr(dis, name))
    out["dis"] = dc
    out["backward_jumps"] = [op for op in range(256) if dis._is_backward_jump(op)]

    # --- stack effects (for a compiler) ----------------------------------
    # dis.stack_effect(op, oparg, jump=...) sampled on enough opargs to
    # recover each opcode's formula; None where the interpreter refuses.
    samples = list(range(0, 64)) + [255, 256, 257, 258, 511, 512, 513, 0x1234, 0xFFFF]
    hasarg_set = set(out["hasarg"]) if out["hasarg"] is not None else None
    se = {}
    all_ops = sorted(set(opcode.opmap.values()))
    for op in all_ops:
        takes_arg = (op in hasarg_set) if hasarg_set is not None else (op >= opcode.HAVE_ARGUMENT)
        entry = {}
        for jump in (False, True):
            key = "jump" if jump else "nojump"
            if takes_arg:
                vals = []
                for a in samples:
                    try:
                        vals.append(int(dis.stack_effect(op, a, jump=jump)))
                    except (ValueError, TypeError):
                        vals.append(None)
                if all(v is None for v in vals):
                    vals = None
            else:
                try:
                    vals = int(dis.stack_effect(op, None, jump=jump))
                except (ValueError, TypeError):
                    vals = None
            entry[key] = vals
        se[str(op)] = entry
    out["stack_effect_samples"] = samples
    out["stack_effect"] = se
    return json.dumps(out, indent=1, sort_keys=True)


if __name__ == "__main__":
    sys.stdout.write(dump())
    sys.stdout.write("\n")
