"""Reading a page of text on the demo store: the issue's bar is under 2 s a page, models loaded.

Builds the demo store (the Jing'an pack and the default synthetic registry) in a temporary
folder, then measures: loading the models once (the gazetteer of every registry and place name,
jieba's dictionary with the registry's Chinese names), reading one page (3,000 characters) of the
seed interview in French and of the test texts in Chinese and English, the whole seed
interview, and `districtlens read FILE --json` end to end in a fresh process (models included).

    .venv/bin/python benchmarks/read_bench.py [--enterprises N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import command, machine  # noqa: E402

from districtlens.commands.demo import DEMO_ENTERPRISES, build_demo  # noqa: E402
from districtlens.reading import extract, mentions  # noqa: E402
from districtlens.reading.read import read  # noqa: E402
from districtlens.store import open_store  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seed" / "jingan-interview-2025-10-31.fr.txt"
TEXTS = ROOT / "tests" / "reading" / "data"
PAGE = 3_000  # characters: a printed page of French or English prose; a Chinese page is shorter
LIMIT = 2.0
RUNS = 5


def timed(action, runs: int = RUNS) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=DEMO_ENTERPRISES)
    options = parser.parse_args()
    print(machine())
    print(command())
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "demo.duckdb"
        build_demo(db, actor="bench", enterprises=options.enterprises)
        seed = SEED.read_text(encoding="utf-8")
        pages = {
            "fr (seed, first page)": extract.document("fr.txt", seed[:PAGE]),
            "zh (test text)": extract.read_file(TEXTS / "jingan-review.zh.txt"),
            "en (test text)": extract.read_file(TEXTS / "jingan-review.en.txt"),
            f"fr (whole seed, {len(seed):,} chars)": extract.document("seed.txt", seed),
        }
        with open_store(db) as store:
            started = time.perf_counter()
            gaz = mentions.gazetteer(store)
            print(
                f"gazetteer ({len(gaz.targets):,} names, {options.enterprises:,} enterprises): "
                f"{time.perf_counter() - started:.2f} s"
            )
            started = time.perf_counter()
            gaz.segmenter()
            print(f"jieba with the registry's Chinese names: {time.perf_counter() - started:.2f} s")
            worst = 0.0
            for name, doc in pages.items():
                seconds = timed(lambda doc=doc: read(store, doc))
                print(f"read {name}: {seconds * 1000:.0f} ms (median of {RUNS})")
                if "whole" not in name:
                    worst = max(worst, seconds)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "districtlens", "read", str(SEED), "--db", str(db), "--json", "--no-propose"],
            check=True,
            capture_output=True,
        )
        print(
            f"`districtlens read SEED --json` in a fresh process (models loaded in it): "
            f"{time.perf_counter() - started:.2f} s"
        )
    verdict = "met" if worst < LIMIT else "NOT met"
    print(f"slowest page {worst:.3f} s: the {LIMIT:.0f} s bar is {verdict}")


if __name__ == "__main__":
    main()
