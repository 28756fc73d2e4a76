"""Address -> district: districtlens's locator against cpca (PyPI), on the demo registry's addresses.

    python benchmarks/locate_bench.py            # 200,000 addresses
    python benchmarks/locate_bench.py --quick    # 20,000 addresses

The truth is the district the generator drew, which it writes into the credit code (characters
3-8; former Zhabei firms keep 310108, today's 310106). Prints addresses/s and accuracy for both,
counting an unresolved address as wrong for accuracy and reporting how many each left unresolved.
cpca is the `bench` extra (`pip install districtlens[bench]`).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import command, machine  # noqa: E402

from districtlens.demo import generate_registry  # noqa: E402
from districtlens.ingest.locate import Gazetteer, locate_batch  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addresses", type=int, default=200_000)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n = 20_000 if args.quick else args.addresses
    registry = generate_registry(seed=11, n_enterprises=n).unique("uscc", keep="first").head(n)
    truth = registry["uscc"].str.slice(2, 6).str.replace("310108", "310106")
    addresses = registry["address"]

    started = time.perf_counter()
    known = pl.DataFrame(schema={"address": pl.Utf8, "district_adcode": pl.Utf8})
    ours = locate_batch(addresses, Gazetteer.default(), known)["district_adcode"]
    ours_seconds = time.perf_counter() - started

    print(f"machine: {machine()}")
    print(f"command: {command()}")
    print(f"addresses: {len(addresses):,} from the demo registry")
    report("districtlens", ours, truth, ours_seconds)
    try:
        import cpca
    except ImportError:
        print("cpca: not installed (pip install 'districtlens[bench]')")
        return
    started = time.perf_counter()
    theirs = cpca.transform(addresses.to_list())
    cpca_seconds = time.perf_counter() - started
    # cpca answers a province or city code when it cannot place the district: count that as unresolved.
    codes = pl.Series(
        [c if isinstance(c, str) and not c.endswith("00") else None for c in theirs["adcode"]], dtype=pl.Utf8
    )
    report("cpca", codes, truth, cpca_seconds)


def report(name: str, found: pl.Series, truth: pl.Series, seconds: float) -> None:
    resolved = found.is_not_null()
    right = (found == truth).fill_null(False)
    print(
        f"{name}: {len(found) / seconds:,.0f} addresses/s, accuracy {right.mean():.4f}, "
        f"unresolved {(~resolved).sum():,}, wrong when resolved {(resolved & ~right).sum():,}"
    )


if __name__ == "__main__":
    main()
