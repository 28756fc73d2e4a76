"""Chain health for every track and every district of Shanghai, and targets for one track, on a
synthetic store of N enterprises (default 1,000,000).

    .venv/bin/python benchmarks/chains_bench.py [--n 1000000 | --quick] [--db var/bench/chains-1m.duckdb]

The store is built once with the demo generator and the lead's import (two years of facts, so
growth is defined) and reused when the file exists. Prints the machine, the command and each
figure. Targets (issue #5): chain health for every track and every district under 2 s end to end
(read, place, health), targets for one track under 5 s end to end.

The sweep times what `chains city --all-tracks` runs, `report.city_health_by_track`, which runs the
tracks on concurrent threads: their placement and health overlap, so they are timed together after
the read.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import polars as pl

from districtlens.chains import report
from districtlens.chains.templates import shipped_templates
from districtlens.commands import Context
from districtlens.commands.chains import load_context
from districtlens.commands.enterprises import import_frame
from districtlens.demo import generate_registry
from districtlens.store import open_store

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine  # noqa: E402

HEALTH_TARGET_S = 2.0
TARGETS_TARGET_S = 5.0


def build(db: Path, n: int) -> None:
    started = time.perf_counter()
    frame = generate_registry(seed=20251031, n_enterprises=n, years=range(2023, 2025))
    generated = time.perf_counter()
    with open_store(db) as store:
        result = import_frame(
            Context(store=store, actor="bench"),
            frame,
            source={"name": f"demo {n}", "kind": "demo"},
            synthetic=True,
            skip_invalid=True,
        )
    done = time.perf_counter()
    print(
        f"built {db}: {frame.height:,} rows generated in {generated - started:.1f} s,"
        f" imported in {done - generated:.1f} s ({result.inserted:,} inserted)"
    )


def judge(seconds: float, target: float, n: int) -> str:
    if n < 1_000_000:
        return "the target applies at 1,000,000 enterprises"
    return f"target < {target:.0f} s: {'met' if seconds < target else 'MISSED'}"


def timed(fn):
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="20,000 enterprises (as `make bench` runs it)")
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--track", default="biopharma", help="track for the targets timing")
    args = parser.parse_args()
    if args.quick:
        args.n = 20_000
    db = args.db or Path(f"var/bench/chains-{args.n}.duckdb")
    print("machine:", machine())
    print("command:", " ".join([Path(sys.executable).name, *sys.argv]))
    if not db.exists():
        build(db, args.n)
    templates = shipped_templates()
    jingan = "310106"
    with open_store(db, read_only=True) as store:
        # Every track x every district, as `chains city --all-tracks` runs it: one read, then
        # the tracks on concurrent threads, each placed once and judged in one grouped pass
        # over all districts.
        started = time.perf_counter()
        context, load_s = timed(lambda: load_context(store, jingan))
        by_track, tracks_s = timed(lambda: report.city_health_by_track(context, list(templates.values())))
        all_s = time.perf_counter() - started
        statuses: dict[str, int] = {}
        for health in by_track.values():
            for status in health["status"].to_list():
                statuses[status] = statuses.get(status, 0) + 1
        areas = next(iter(by_track.values()))["district_adcode"].n_unique()
        print(f"store: {context.city.height:,} operating firms in the city, facts of {context.year}")
        print(
            f"chain health, {len(templates)} tracks x {areas} districts end to end:"
            f" {all_s:.2f} s (read {load_s:.2f} s, placement and health of the tracks {tracks_s:.2f} s);"
            f" statuses {statuses}"
            f" [{judge(all_s, HEALTH_TARGET_S, args.n)}]"
        )
        # The placements are kept in the context: the second sweep only judges.
        _, health_s = timed(lambda: report.city_health_by_track(context, list(templates.values())))
        print(f"  the same once the city is read and placed (a running dashboard): {health_s:.2f} s")

        # One `chains show` as the CLI runs it: read, place, health.
        end_to_end = []
        for _ in range(3):
            _, seconds = timed(lambda: report.health(load_context(store, jingan), templates[args.track]))
            end_to_end.append(seconds)
        print(f"chains show {args.track} --area {jingan} end to end: {min(end_to_end):.2f} s (best of 3)")

        # `targets` as the CLI runs it: read, place, health, measures, ranking.
        runs = []
        for _ in range(3):
            (chain, ranked), seconds = timed(
                lambda: report.targets(load_context(store, jingan), templates[args.track], top=20)
            )
            runs.append(seconds)
        targets_s = min(runs)
        gaps = chain.filter(pl.col("status").is_in(["missing", "weak"])).height
        print(
            f"targets {args.track} --area {jingan} end to end: {targets_s:.2f} s (best of 3),"
            f" {gaps} gap link(s), {ranked.height} targets"
            f" [{judge(targets_s, TARGETS_TARGET_S, args.n)}]"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
