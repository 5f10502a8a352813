#!/usr/bin/env python3
"""Panic lints for library crates, and a ratchet on their indexing.

One `cargo clippy --workspace --lib --bins` run (tests, examples and pycode_testkit, whose
assertions panic by design, are not checked) with:
  * `unwrap_used`, `expect_used`, `panic`, `unreachable`, `todo`, `unimplemented` denied: library
    code returns typed errors; any such site fails this check outright;
  * `indexing_slicing` warned and counted per file: `x[i]` / `x[a..b]` may panic, so new code uses
    `.get()`. Each file's count may not grow beyond tools/indexing_allowlist.txt (sites that exist
    today, most with a bound proven just above them). A site proven safe may carry
    `#[allow(clippy::indexing_slicing)]` with the proof in a comment.

    python3 tools/lint_ratchet.py            # check (CI)
    python3 tools/lint_ratchet.py --update   # lower the allowlist to today's counts (never raises)
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
DENY = ("unwrap_used", "expect_used", "panic", "unreachable", "todo", "unimplemented")


def measure():
    deny = [a for lint in DENY for a in ("-D", "clippy::" + lint)]
    p = subprocess.run(["cargo", "clippy", "--workspace", "--exclude", "pycode_testkit", "--lib", "--bins",
                        "--message-format=short", "--", "-W", "clippy::indexing_slicing"] + deny,
                       cwd=REPO, capture_output=True, text=True)
    if p.returncode != 0:
        errors = [l for l in p.stderr.splitlines() if ": error" in l]
        sys.exit("lint_ratchet: cargo clippy failed:\n" + ("\n".join(errors) or p.stderr[-3000:]))
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
        allowed = load()
        counts = {p: min(n, allowed.get(p, 0)) for p, n in counts.items() if min(n, allowed.get(p, 0)) > 0}
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
