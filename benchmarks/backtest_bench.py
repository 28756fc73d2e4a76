"""The whole back-test of one state, end to end, as `districtlens backtest` runs it.

Each case runs in its own child process (the CLI, from reading the panels to the last table:
candidates of the test and training panels, model fit, every predictor, the paired bootstrap and
the reliability table). The script measures each run's wall time and prints the scores, the
machine and the commands; the issue's bar is 30 s for one state.

    .venv/bin/python benchmarks/backtest_bench.py            # Georgia, North Carolina, Texas
    .venv/bin/python benchmarks/backtest_bench.py --quick    # Georgia's time split only

The panels are built from the County Business Patterns files in ../shared/data/us-cbp/ with
`districtlens panel from-cbp`, in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine  # noqa: E402

CBP = Path(__file__).resolve().parents[2] / "shared" / "data" / "us-cbp"
STATES = {"GA": (2017, 2019, 2021), "NC": (2017, 2019), "TX": (2017, 2021)}
CASES = {  # name: (test panel, from, to, training panel, from, to)
    "Georgia time split": ("GA", 2019, 2021, "GA", 2017, 2019),
    "North Carolina, trained on Georgia": ("NC", 2017, 2019, "GA", 2017, 2019),
    "Texas, trained on Georgia": ("TX", 2017, 2021, "GA", 2017, 2021),
}
QUICK = ("Georgia time split",)
LIMIT = 30.0


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "districtlens", *args]


def build(folder: Path, state: str) -> Path:
    out = folder / f"{state}.parquet"
    files = [str(CBP / f"US-{state}-census-naics4-counties-{y}.csv") for y in STATES[state]]
    subprocess.run(cli("panel", "from-cbp", *files, "--out", str(out)), check=True, capture_output=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Georgia's time split only")
    chosen = QUICK if parser.parse_args().quick else tuple(CASES)
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as folder:
        panels = {state: build(Path(folder), state) for state in STATES}
        print(
            "| case | command | candidates | entries | density ROC / PR | RCA ROC / PR | combined ROC / PR "
            "| Brier | seconds |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        slowest = 0.0
        for name in chosen:
            test, start, end, train, train_start, train_end = CASES[name]
            args = (
                "backtest",
                str(panels[test]),
                "--from",
                str(start),
                "--to",
                str(end),
                "--train",
                f"{panels[train]}:{train_start}:{train_end}",
                "--json",
            )
            started = time.perf_counter()
            done = subprocess.run(cli(*args), check=True, capture_output=True, text=True)
            seconds = time.perf_counter() - started
            slowest = max(slowest, seconds)
            report = json.loads(done.stdout)
            by_name = {s["predictor"]: s for s in report["scores"]}
            pair = "{roc_auc:.3f} / {pr_auc:.3f}".format
            shown = (
                f"districtlens backtest {test}.parquet --from {start} --to {end} "
                f"--train {train}.parquet:{train_start}:{train_end}"
            )
            print(
                f"| {name} | `{shown}` | {report['candidates']} | {report['entries']} "
                f"| {pair(**by_name['density'])} | {pair(**by_name['rca'])} | {pair(**by_name['combined'])} "
                f"| {report['brier']:.4f} | {seconds:.1f} |"
            )
    verdict = "within" if slowest < LIMIT else "OVER"
    print(f"slowest back-test {slowest:.1f} s: {verdict} the {LIMIT:.0f} s bar")
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")


if __name__ == "__main__":
    main()
