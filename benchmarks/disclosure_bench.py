"""Disclosure control on a demo store: how many cells the primary rules and the secondary
suppression hide from restricted roles, and how long the pattern and the intruder's audit take.

    .venv/bin/python benchmarks/disclosure_bench.py [--n 10000] [--db var/bench/disclosure-10k.duckdb]
                                                    [--carrier shanghai-icampus ...]

The store is built with `build_demo` (N enterprises, the web tests' size by default) and reused
when the file exists. The intruders are a viewer (knowing nothing) and one operator per
`--carrier` (knowing that carrier's current tenants). Prints the cells by kind, the primary and
secondary suppressions, the number of linear programs, the time to compute the pattern, and the
time of a full audit (every suppressed cell and every small group of firms the tables set
apart, for each intruder), which must find nothing. Prints the machine and the command.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

from districtlens import disclosure
from districtlens.commands.demo import build_demo
from districtlens.store import open_store
from districtlens.store import web_queries as queries
from districtlens.web import figures

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine  # noqa: E402

AUDIT = sys.modules["districtlens.disclosure.audit"]


def kinds(cells) -> str:
    counted = Counter(cell.split(":", 1)[0] for cell in cells)
    return ", ".join(f"{kind} {n}" for kind, n in sorted(counted.items())) or "none"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--carrier", action="append", default=None)
    args = parser.parse_args()
    db = args.db or Path(f"var/bench/disclosure-{args.n}.duckdb")
    carriers = args.carrier or ["shanghai-icampus"]
    if not db.exists():
        db.parent.mkdir(parents=True, exist_ok=True)
        build_demo(db, actor="bench", enterprises=args.n)
    programs = {"n": 0}
    bound = AUDIT._Programs.bound

    def counted(self, vector, sense):
        programs["n"] += 1
        return bound(self, vector, sense)

    AUDIT._Programs.bound = counted
    with open_store(db, read_only=True) as store:
        started = time.perf_counter()
        context = figures.chain_context(store)
        tables = figures.disclosure_tables(store, context)
        assert tables is not None, "the store holds no district pack"
        read = time.perf_counter() - started
        intruders = {"viewer": tables.known_mask(frozenset())}
        for carrier in carriers:
            tenants = frozenset(queries.tenant_usccs(store, [carrier], date.today()))
            intruders[f"operator:{carrier}"] = tables.known_mask(tenants)
    started = time.perf_counter()
    pattern = disclosure.protect(tables, intruders)
    protect_s = time.perf_counter() - started
    protect_programs = programs["n"]
    programs["n"] = 0
    fresh = dataclasses.replace(tables, prepared={})  # the audit derives its atoms and targets anew
    started = time.perf_counter()
    findings = [f for known in intruders.values() for f in disclosure.audit(fresh, pattern.suppressed, known)]
    audit_s = time.perf_counter() - started
    print(f"store: {db} ({args.n:,} enterprises); intruders: {', '.join(intruders)}")
    print(f"cells a restricted role sees: {len(tables.cells)} ({kinds(tables.cells)}); firms {len(tables.firms)}")
    print(f"primary suppressions: {len(pattern.primary)} ({kinds(pattern.primary)})")
    print(f"secondary suppressions: {len(pattern.secondary)} ({kinds(pattern.secondary)}); rounds {pattern.rounds}")
    print(f"read the cells: {read:.2f} s")
    print(f"pattern (primary + secondary): {protect_s:.2f} s, {protect_programs} linear programs")
    print(f"full audit: {audit_s:.2f} s, {programs['n']} linear programs, findings: {len(findings)}")
    print(f"machine: {machine()}")
    print("command: " + " ".join(sys.argv))
    if findings:
        raise SystemExit("the audit recovered a suppressed cell")


if __name__ == "__main__":
    main()
