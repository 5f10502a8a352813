#!/usr/bin/env python3
"""The conformance ratchet: every committed snapshot's matched count has a floor.

usage: floors.py --check            # every committed snapshot >= its floor (what .ci/run runs)
       floors.py --raise [--implemented SNAPSHOT ...]
                                     # raise floors to the committed counts (never lowers)
       floors.py --list             # every floor and the committed count next to it

conformance/floors.txt holds one line per counted number of a committed snapshot:

    SNAPSHOT  FLOOR            [METRIC]
    SNAPSHOT  not-implemented  [METRIC]

SNAPSHOT is the path under conformance/ (`3.12.7/compile-stdlib.txt`). METRIC names the
number in the snapshot's header: `matched` (the default, first line `matched N/M (P%)`), or
for the attribute snapshots (`errors-invalid-attrs.txt`) one of `class+lineno+offset
identical`, `message identical`, `class+all positions+message identical`, `pycode accepts`.

A floor is checked against whatever count a run produces, independently of the snapshot file
(so regenerating a snapshot does not lower the bar): `run.py` / `run_matrix.py` fail when a
fresh count is below its floor, and `--check` fails when a committed snapshot is below its
floor, when a snapshot has no floor line, or when a floor line has no snapshot.

`not-implemented` marks a feature a release does not have yet (e.g. compiling for 3.13.2): its
count is reported as "not implemented yet" and never counted as passing. `--raise` turns such
an entry into a floor once the committed count reaches half of M (or at once with
`--implemented SNAPSHOT`), and says so.
"""

import argparse
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
FLOORS = os.path.join(HERE, "floors.txt")
NOT_IMPLEMENTED = "not-implemented"
DEFAULT_METRIC = "matched"

# `LABEL: N/M (P%)` header lines, and `..., pycode accepts N/M` (errors-invalid-attrs.txt)
_RATIO = re.compile(r"^([A-Za-z+ ]+): (\d+)/(\d+) \(")
_MATCHED = re.compile(r"^(matched) (\d+)/(\d+) \(")
_ACCEPTS = re.compile(r", (pycode accepts) (\d+)/(\d+)$")

HEADER = """\
# Conformance floors (conformance/floors.py; conformance/README.md "The ratchet").
# One line per counted number of a committed snapshot: SNAPSHOT FLOOR|not-implemented [METRIC].
# A run whose count is below the floor fails, whatever the snapshot file says. Raise floors with
# `python3 conformance/floors.py --raise` (it never lowers one); lowering one is a hand edit that
# must be justified in the commit message.
"""


def counts(text):
    """The counted numbers in a snapshot's text: {metric: (n, m)}."""
    out = {}
    for line in text.split("\n")[:8]:
        mo = _MATCHED.match(line) or _RATIO.match(line)
        if mo:
            out[mo.group(1)] = (int(mo.group(2)), int(mo.group(3)))
        mo = _ACCEPTS.search(line)
        if mo:
            out[mo.group(1)] = (int(mo.group(2)), int(mo.group(3)))
    return out


def snapshot_files():
    """Every committed snapshot, as a path under conformance/ (RELEASE/NAME.txt)."""
    found = []
    for d in sorted(os.listdir(HERE)):
        full = os.path.join(HERE, d)
        if os.path.isdir(full) and re.match(r"^\d+\.\d+\.\d+", d):
            for name in sorted(os.listdir(full)):
                if name.endswith(".txt"):
                    found.append("%s/%s" % (d, name))
    return found


def load(path=FLOORS):
    """{(snapshot, metric): int floor or NOT_IMPLEMENTED}; exits on a malformed line."""
    floors = {}
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split(None, 2)
            if len(parts) < 2:
                sys.exit("%s:%d: expected SNAPSHOT FLOOR|not-implemented [METRIC]" % (path, lineno))
            snap, val = parts[0], parts[1]
            metric = parts[2].strip() if len(parts) == 3 else DEFAULT_METRIC
            if val != NOT_IMPLEMENTED and not val.isdigit():
                sys.exit("%s:%d: floor must be a number or %s" % (path, lineno, NOT_IMPLEMENTED))
            key = (snap, metric)
            if key in floors:
                sys.exit("%s:%d: duplicate floor for %s %s" % (path, lineno, snap, metric))
            floors[key] = val if val == NOT_IMPLEMENTED else int(val)
    return floors


def save(floors, path=FLOORS):
    lines = [HEADER]
    width = max((len(s) for s, _ in floors), default=0)
    for (snap, metric) in sorted(floors):
        val = floors[(snap, metric)]
        tail = "" if metric == DEFAULT_METRIC else "  " + metric
        lines.append("%-*s  %s%s\n" % (width, snap, val, tail))
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(lines)


def _read(snap):
    with open(os.path.join(HERE, snap), encoding="utf-8", errors="surrogateescape") as f:
        return f.read()


def judge(snap, text, floors=None):
    """Judge a snapshot's text (fresh or committed) against the floors.
    Returns (status, messages): status "ok", "not-implemented" or "below"."""
    if floors is None:
        floors = load()
    got = counts(text)
    status, msgs = "ok", []
    keys = [k for k in floors if k[0] == snap]
    if not keys:
        return "ok", ["%s: no floor in conformance/floors.txt (add one: conformance/floors.py --raise)" % snap]
    for key in sorted(keys):
        metric = key[1]
        floor = floors[key]
        if metric not in got:
            status = "below"
            msgs.append("%s: BELOW FLOOR: no `%s` count in the snapshot (floor %s)" % (snap, metric, floor))
            continue
        n, m = got[metric]
        if floor == NOT_IMPLEMENTED:
            if status == "ok":
                status = NOT_IMPLEMENTED
            msgs.append("%s: not implemented yet (%s %d/%d, not counted as passing)" % (snap, metric, n, m))
        elif n < floor:
            status = "below"
            msgs.append("%s: BELOW FLOOR: %s %d/%d, floor %d" % (snap, metric, n, m, floor))
    return status, msgs


def check_committed(out=sys.stdout):
    """Every committed snapshot against its floor, and the two lists against each other.
    Returns the number of problems."""
    floors = load()
    snaps = snapshot_files()
    problems = 0
    not_impl = []
    for snap in snaps:
        if not any(k[0] == snap for k in floors):
            out.write("floors: %s has no floor in conformance/floors.txt (conformance/floors.py --raise)\n" % snap)
            problems += 1
            continue
        status, msgs = judge(snap, _read(snap), floors)
        if status == "below":
            problems += 1
            for msg in msgs:
                if "BELOW FLOOR" in msg:
                    out.write("floors: %s\n" % msg)
        elif status == NOT_IMPLEMENTED:
            not_impl.append(snap)
    present = set(snaps)
    for snap, metric in sorted(floors):
        if snap not in present:
            out.write("floors: %s (%s, floor %s) has no committed snapshot\n" % (snap, metric, floors[(snap, metric)]))
            problems += 1
    counted = len(snaps) - len(not_impl)
    out.write("floors: %d committed snapshots, %d at or above their floors, %d not implemented yet, %d problems\n"
              % (len(snaps), counted - min(problems, counted), len(not_impl), problems))
    return problems


def raise_floors(implemented=(), out=sys.stdout):
    floors = load() if os.path.isfile(FLOORS) else {}
    changed = 0
    for snap in snapshot_files():
        got = counts(_read(snap))
        if not got:
            out.write("floors: %s has no counted number, skipped\n" % snap)
            continue
        for metric, (n, m) in sorted(got.items()):
            key = (snap, metric)
            old = floors.get(key)
            if old is None:
                floors[key] = n
                out.write("floors: new %s %s: %d\n" % (snap, metric, n))
                changed += 1
            elif old == NOT_IMPLEMENTED:
                if snap in implemented or (m and 2 * n >= m):
                    floors[key] = n
                    out.write("floors: %s %s now counts: floor %d/%d (was not implemented yet)\n" % (snap, metric, n, m))
                    changed += 1
            elif n > old:
                floors[key] = n
                out.write("floors: raised %s %s: %d -> %d\n" % (snap, metric, old, n))
                changed += 1
            elif n < old:
                out.write("floors: %s %s is BELOW its floor (%d < %d); not lowered\n" % (snap, metric, n, old))
    save(floors)
    out.write("floors: %d changed\n" % changed)


def main():
    ap = argparse.ArgumentParser(description="The conformance ratchet (floors.txt).")
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--check", action="store_true", help="every committed snapshot at or above its floor")
    g.add_argument("--raise", dest="raise_", action="store_true", help="raise floors to the committed counts")
    g.add_argument("--list", action="store_true")
    ap.add_argument("--implemented", action="append", default=[], metavar="SNAPSHOT",
                    help="with --raise: give this not-implemented snapshot (RELEASE/NAME.txt) a floor now")
    args = ap.parse_args()
    if args.check:
        return 1 if check_committed() else 0
    if args.raise_:
        raise_floors(set(args.implemented))
        return 0
    floors = load()
    for (snap, metric), val in sorted(floors.items()):
        path = os.path.join(HERE, snap)
        now = counts(_read(snap)).get(metric) if os.path.isfile(path) else None
        print("%-50s %-16s %s %s" % (snap, val, "%d/%d" % now if now else "-",
                                     "" if metric == DEFAULT_METRIC else metric))
    return 0


if __name__ == "__main__":
    sys.exit(main())
