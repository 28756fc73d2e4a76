"""Address -> district: districtlens's locator against cpca (PyPI), on the demo registry's addresses.

    python benchmarks/locate_bench.py            # 200,000 addresses
    python benchmarks/locate_bench.py --quick    # 20,000 addresses
    python benchmarks/locate_bench.py --real     # real Shanghai addresses

`--real` reads the registered addresses of the Shenzhen-listed firms in the shared data folder
(`cn-listed-companies/`, the even-coded half) that lie in Shanghai, and the real Shanghai
addresses written down from public material in `benchmarks/data/public-shanghai-addresses.txt`
(contact and registered addresses, many informal), and measures for each set:
- placement: the share placed, and by which evidence, with the road and zone gazetteers learned
  from a store's registry (the demo registry, as a district's store would hold) and without;
- wrong placements: every address that names its district is placed again with the district name
  cut out (上海市闵行区浦江镇... -> 上海市浦江镇...), so that only the zone, town and road evidence
  can place it, and again with the name shortened (上海市闵行浦江镇...), and compared with the
  district it named. Nothing is tuned to these addresses.

The truth is the district the generator drew, which it writes into the credit code (characters
3-8; former Zhabei firms keep 310108, today's 310106). Prints addresses/s and accuracy for both,
counting an unresolved address as wrong for accuracy and reporting how many each left unresolved.
cpca is the `bench` extra (`pip install districtlens[bench]`).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import command, machine  # noqa: E402

from districtlens import refdata  # noqa: E402
from districtlens.demo import generate_registry  # noqa: E402
from districtlens.ingest.locate import Gazetteer, locate_batch  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addresses", type=int, default=200_000)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--real", action="store_true")
    args = parser.parse_args()
    if args.real:
        real()
        return
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


SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "cn-listed-companies"
PUBLIC = Path(__file__).resolve().parent / "data" / "public-shanghai-addresses.txt"


def real_shanghai_addresses() -> pl.Series:
    firms = pl.read_csv(SHARED / "szse-a-shares-dev.csv", infer_schema=False)
    return firms.filter(pl.col("省份") == "上海")["注册地址"].drop_nulls().unique(maintain_order=True)


def public_shanghai_addresses() -> pl.Series:
    lines = PUBLIC.read_text(encoding="utf-8").splitlines()
    return pl.Series([line.strip() for line in lines if line.strip() and not line.startswith("#")], dtype=pl.Utf8)


def real() -> None:
    gazetteer = Gazetteer.default()
    print(f"machine: {machine()}")
    print(f"command: {command()}")
    empty = pl.DataFrame(schema={"address": pl.Utf8, "district_adcode": pl.Utf8})
    registry = generate_registry(seed=11, n_enterprises=20_000)
    store = locate_batch(registry["address"], gazetteer, empty).with_columns(address=registry["address"])
    known = store.filter(pl.col("located_by") == "district-name").select("address", "district_adcode")
    learned = (("no registry", empty), ("demo registry of 20,000", known))
    for title, addresses in (
        ("real registered addresses of Shanghai firms (SZSE list, shared data)", real_shanghai_addresses()),
        ("real Shanghai addresses from public material (benchmarks/data)", public_shanghai_addresses()),
    ):
        print(f"\n{len(addresses)} {title}")
        measure(addresses, gazetteer, learned)


def measure(addresses: pl.Series, gazetteer: Gazetteer, learned: tuple[tuple[str, pl.DataFrame], ...]) -> None:
    """Placement with and without a registry to learn from, then wrong placements: every address
    that names its district is placed again with the name cut out, and with it shortened
    (上海市浦东新区... -> 上海市浦东...), and compared with the district it named."""
    for label, learned_from in learned:
        found = locate_batch(addresses, gazetteer, learned_from)
        placed = found["district_adcode"].is_not_null()
        print(f"learned from {label}: placed {placed.sum()}/{len(found)} ({placed.mean():.1%})")
        print("  by " + ", ".join(f"{k}: {n}" for k, n in found["located_by"].value_counts(sort=True).iter_rows()))
        for address in addresses.filter(~placed):
            print(f"  unplaced: {address}")
    named = locate_batch(addresses, gazetteer, learned[0][1]).with_columns(address=addresses)
    named = named.filter(pl.col("located_by") == "district-name")
    district_names = [refdata.district_name(code) or "" for code in named["district_adcode"]]
    short_names = [re.sub(r"(?:新区|区|县)$", "", name) for name in district_names]
    for change, by in (("cut out", [""] * len(short_names)), ("shortened", short_names)):
        changed = pl.Series([a.replace(d, b, 1) for a, d, b in zip(named["address"], district_names, by, strict=True)])
        for label, learned_from in learned:
            again = locate_batch(changed, gazetteer, learned_from)
            placed = again["district_adcode"].is_not_null()
            wrong = placed & (again["district_adcode"] != named["district_adcode"])
            print(
                f"district name {change} ({label}): {len(changed)} addresses, placed by other evidence "
                f"{placed.sum()}, wrong {wrong.sum()}"
            )
            for address, evidence in zip(changed.filter(wrong), again["located_by"].filter(wrong), strict=True):
                print(f"  wrong: {address} ({evidence})")


def report(name: str, found: pl.Series, truth: pl.Series, seconds: float) -> None:
    resolved = found.is_not_null()
    right = (found == truth).fill_null(False)
    print(
        f"{name}: {len(found) / seconds:,.0f} addresses/s, accuracy {right.mean():.4f}, "
        f"unresolved {(~resolved).sum():,}, wrong when resolved {(resolved & ~right).sum():,}"
    )


if __name__ == "__main__":
    main()
