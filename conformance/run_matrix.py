#!/usr/bin/env python3
"""Run (or check) every snapshot listed in a matrix file.

usage: run_matrix.py [--matrix conformance/ci.txt] [--check] [--pycode PATH] [--jobs K]

A matrix line is `RELEASE FEATURE CORPUS [SAMPLE]` (`#` starts a comment; RELEASE may be
`*` for every release whose oracle is available here, FEATURE may be a comma list).
References for all features of one (release, corpus, sample) are made by one oracle run.
Each fresh count is also judged against its floor (conformance/floors.txt, floors.py), and at
the end every committed snapshot is checked against its floor (floors.py --check).
Ends with the line `N passed, N failed, N not implemented yet` (one per snapshot; a snapshot
marked not-implemented in floors.txt is never counted as passing); exits 1 if any failed or
any count is below its floor.
"""

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import run  # noqa: E402  (conformance/run.py)
import floors  # noqa: E402  (conformance/floors.py)
from run import refs, FEATURES  # noqa: E402

CI_RELEASES = ("3.11.2", "3.11.7", "3.12.7", "3.13.2", "3.14.2", "3.15.0rc1")


def parse_matrix(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.split("#", 1)[0].split()
            if not line:
                continue
            if len(line) not in (3, 4):
                sys.exit("%s:%d: expected RELEASE FEATURE CORPUS [SAMPLE]" % (path, lineno))
            rel, feats, corpus = line[:3]
            n = int(line[3]) if len(line) == 4 else None
            releases = CI_RELEASES if rel == "*" else (rel,)
            for r in releases:
                for feat in feats.split(","):
                    if feat not in FEATURES:
                        sys.exit("%s:%d: unknown feature %r" % (path, lineno, feat))
                    rows.append((r, feat, corpus, n))
    return rows


def main():
    ap = argparse.ArgumentParser(description="Run or check a matrix of conformance snapshots.")
    ap.add_argument("--matrix", default=os.path.join(HERE, "ci.txt"))
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--pycode", default=run.default_pycode())
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--oracle-jobs", type=int, default=2)
    args = ap.parse_args()
    if not os.path.isfile(args.pycode):
        sys.exit("run_matrix.py: no pycode binary at %s (cargo build --release -p pycode_cli)" % args.pycode)
    rows = parse_matrix(args.matrix)

    # one oracle run per (release, corpus, sample) for the union of the features' references
    groups = {}
    for r, feat, corpus, n in rows:
        groups.setdefault((r, corpus, n), set()).update(FEATURES[feat]["refs"])
    for (r, corpus, n), need in groups.items():
        c = refs.resolve_corpus(r, corpus)
        files = refs.sample(refs.corpus_files(c), n)
        order = [f for f in refs.DEFAULT_FEATURES if f in need] + sorted(need - set(refs.DEFAULT_FEATURES))
        refs.ensure_refs(r, c, files, order, jobs=args.oracle_jobs)

    tally = {"passed": 0, "failed": 0, "not-implemented": 0}
    for r, feat, corpus, n in rows:
        try:
            status = run.snapshot(r, feat, corpus, n, args.pycode, args.jobs, args.oracle_jobs, args.check)
        except refs.OracleError as e:
            print("run_matrix.py: %s %s %s: %s" % (r, feat, corpus, e))
            status = "failed"
        sys.stdout.flush()
        tally[status] += 1
    # every committed snapshot (also those outside this matrix) against its floor
    problems = floors.check_committed()
    print("%d passed, %d failed, %d not implemented yet (not counted as passing)%s"
          % (tally["passed"], tally["failed"], tally["not-implemented"],
             ", %d floor problems" % problems if problems else ""))
    return 1 if tally["failed"] or problems else 0


if __name__ == "__main__":
    sys.exit(main())
