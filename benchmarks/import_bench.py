"""Import a generated GB18030 roster of 1,000,000 enterprise-year rows end to end (read, detect the
encoding, validate, locate, write with its ledger entry) and print rows/s, peak memory and the
time of each phase.

    python benchmarks/import_bench.py            # 1,000,000 rows
    python benchmarks/import_bench.py --quick    # 100,000 rows

Target (issue 2): at least 100,000 rows/s with peak memory under 2 GB on 2 cores. The import runs
in a child process so that its peak resident memory is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import capacity, command, machine  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")


def make_roster(path: Path, rows: int) -> int:
    from districtlens.demo import generate_registry

    frame = generate_registry(seed=7, n_enterprises=rows // 4)  # not every firm reports every year
    frame = frame.head(rows)
    path.write_bytes(frame.write_csv().replace("\n", "\r\n").encode("gb18030"))
    return frame.height


def tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and its descendants, from Linux's /proc (shared pages count
    once per process: an upper bound)."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * PAGE
            pending += [int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue  # it ended while being read
    return total / 2**20


def child(roster: str, db: str) -> None:
    from districtlens.commands import Context
    from districtlens.commands.enterprises import import_file
    from districtlens.store import open_store

    phases: list[tuple[str, float]] = []
    with open_store(db) as store:
        started = time.perf_counter()
        ctx = Context(
            store=store, actor="bench", progress_hook=lambda phase: phases.append((phase, time.perf_counter()))
        )
        report = import_file(ctx, Path(roster))
        seconds = time.perf_counter() - started
    ends = [t for _, t in phases[1:]] + [started + seconds]
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mib": peak_mib,
                "rows": report.rows_read,
                "inserted": report.inserted,
                "rejected": report.rejected,
                "encoding": report.encoding,
                "phases": {phase: end - begun for (phase, begun), end in zip(phases, ends, strict=True)},
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="100,000 rows")
    parser.add_argument("--keep", type=Path, help="Keep the store here (e.g. for the chains and brief benchmarks).")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    rows = 100_000 if args.quick else args.rows
    with tempfile.TemporaryDirectory() as folder:
        roster = Path(folder) / "roster.csv"
        made = make_roster(roster, rows)
        size = roster.stat().st_size / 2**20
        # The host's speed varies from minute to minute: it is taken before the import and after.
        before = capacity("before the import")
        # A large GB18030 file is partly decoded by a child of the import: the peak that matters
        # is that of the import and its children together, sampled from here.
        process = subprocess.Popen(
            [sys.executable, __file__, "--child", str(roster), str(Path(folder) / "bench.duckdb")],
            stdout=subprocess.PIPE,
            text=True,
        )
        together_mib = 0.0
        while process.poll() is None:
            together_mib = max(together_mib, tree_rss_mib(process.pid))
            time.sleep(0.005)
        output = process.stdout.read()
        if process.returncode:
            raise SystemExit(f"the import failed (exit {process.returncode})")
        figures = json.loads(output)
        if args.keep:
            shutil.move(Path(folder) / "bench.duckdb", args.keep)
    print(f"machine: {machine()}; {before}")
    print(f"command: {command()}")
    print(
        f"roster: {made:,} rows, {size:.0f} MiB, {figures['encoding']}, CRLF; "
        f"{figures['inserted']:,} inserted, {figures['rejected']} rejected"
    )
    print(
        f"import: {figures['seconds']:.2f} s end to end, {figures['rows'] / figures['seconds']:,.0f} rows/s, "
        f"peak memory {figures['peak_mib']:,.0f} MiB (with its decoding processes {together_mib:,.0f} MiB,"
        " sampled every 5 ms)"
    )
    print("phases: " + ", ".join(f"{phase} {seconds:.2f} s" for phase, seconds in figures["phases"].items()))


if __name__ == "__main__":
    main()
