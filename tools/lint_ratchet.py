#!/usr/bin/env python3
"""Indexing ratchet for library crates: `x[i]` / `x[a..b]` may panic, so new code uses `.get()`.

Runs `cargo clippy --workspace --lib --bins -- -W clippy::indexing_slicing` and counts the sites
per file. Each file's count may not grow beyond tools/indexing_allowlist.txt (sites that exist
today, most with a bound proven just above them); a file that drops is reported so its floor
can be lowered with --update. Tests, examples and the test-support crates are not counted.

    python3 tools/lint_ratchet.py            # check (CI)
    python3 tools/lint_ratchet.py --update   # rewrite the allowlist (never raise a count by hand)
"""
import collections
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
ALLOW = os.path.join(HERE, "indexing_allowlist.txt")
SKIP = ("crates/pycode_testkit/", "crates/pycode_fuzzkit/")


def measure():
    p = subprocess.run(["cargo", "clippy", "--workspace", "--lib", "--bins", "--message-format=short",
                        "--", "-W", "clippy::indexing_slicing"],
                       cwd=REPO, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("lint_ratchet: cargo clippy failed:\n" + p.stderr[-3000:])
    counts = collections.Counter()
    seen = set()
    for line in p.stderr.splitlines():
        m = re.match(r"^(crates/[^:]+\.rs):(\d+):(\d+): warning: (indexing|slicing) may panic", line)
        if m and not m.group(1).startswith(SKIP) and m.group(0) not in seen:
            seen.add(m.group(0))
            counts[m.group(1)] += 1
    return counts


def load():
    out = {}
    with open(ALLOW, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                path, n = line.split()
                out[path] = int(n)
    return out


def main():
    counts = measure()
    if "--update" in sys.argv:
        with open(ALLOW, "w", encoding="utf-8") as f:
            f.write("# Indexing/slicing sites per library file (tools/lint_ratchet.py). A count may only go\n"
                    "# down: new code uses .get() / checked slices and returns a typed error.\n")
            for path in sorted(counts):
                f.write("%-60s %d\n" % (path, counts[path]))
        print("lint_ratchet: %d sites in %d files written" % (sum(counts.values()), len(counts)))
        return
    allowed = load()
    bad = [(p, n, allowed.get(p, 0)) for p, n in sorted(counts.items()) if n > allowed.get(p, 0)]
    lower = [(p, n, allowed[p]) for p, n in sorted(counts.items()) if p in allowed and n < allowed[p]]
    for p, n, a in bad:
        print("lint_ratchet: %s has %d indexing/slicing sites, allowed %d" % (p, n, a))
    for p, n, a in lower:
        print("lint_ratchet: %s is down to %d (allowed %d): lower it with --update" % (p, n, a))
    print("lint_ratchet: %d sites in %d files, allowlist %d" % (sum(counts.values()), len(counts), sum(allowed.values())))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
