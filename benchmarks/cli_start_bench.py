"""How fast the command line starts: `districtlens --help` and `districtlens ledger head` (target:
under 0.5 s each), as a user runs them, in a fresh process each time.

    .venv/bin/python benchmarks/cli_start_bench.py            # 15 runs of each
    .venv/bin/python benchmarks/cli_start_bench.py --quick    # 5 runs of each

`ledger head` runs on a small demo store built once under var/bench/. Prints the median and range
of the wall times, the machine and the command.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine  # noqa: E402

CLI = [sys.executable, "-m", "districtlens"]


def wall(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 runs of each instead of 15")
    parser.add_argument("--db", type=Path, default=Path("var/bench/cli-start.duckdb"))
    options = parser.parse_args()
    if not options.db.exists():
        options.db.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [*CLI, "demo", "build", "--db", str(options.db), "--enterprises", "1000"], check=True, capture_output=True
        )
    runs = 5 if options.quick else 15
    print(machine())
    for name, argv in (
        ("districtlens --help", [*CLI, "--help"]),
        ("districtlens ledger head", [*CLI, "ledger", "head", "--db", str(options.db)]),
    ):
        wall(argv)  # the first run fills the file cache
        times = sorted(wall(argv) for _ in range(runs))
        print(
            f"{name}: median {statistics.median(times):.3f} s, range {times[0]:.3f}-{times[-1]:.3f} s "
            f"in {runs} runs (target 0.5 s)"
        )


if __name__ == "__main__":
    main()
