"""Validate a roster with many refused rows and say every refusal: the reasons built as keys and
values, the report's first 1,000 said in the import's language, and the whole rejects table in
Chinese (what `import enterprises --skip-invalid --lang zh` writes).

    python benchmarks/rejects_bench.py                 # 200,000 rows, one in ten refused
    python benchmarks/rejects_bench.py --rows 1000000

The rows are the demo registry's; every tenth row gets one of five faults (a negative revenue, a
date that does not exist, an unknown industry class, a credit code of 17 characters, a revenue
with a decimal comma).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import command, machine  # noqa: E402

FAULTS = (
    ("revenue", pl.lit("-1")),
    ("founded", pl.lit("2021-02-30")),
    ("industry_code", pl.lit("9999")),
    ("uscc", pl.col("uscc").str.slice(0, 17)),
    ("revenue", pl.lit("1234,56")),
)


def spoiled_roster(rows: int) -> pl.DataFrame:
    """The demo registry as text cells with ROW, one row in ten given one of FAULTS."""
    from districtlens.demo import generate_registry
    from districtlens.ingest.read import ROW

    frame = generate_registry(seed=7, n_enterprises=rows // 4).head(rows)
    frame = frame.select(pl.all().cast(pl.Utf8)).with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
    fault = (pl.col(ROW) // 10) % len(FAULTS)
    spoiled = pl.col(ROW) % 10 == 0
    for i, (column, value) in enumerate(FAULTS):
        frame = frame.with_columns(pl.when(spoiled & (fault == i)).then(value).otherwise(pl.col(column)).alias(column))
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    from districtlens.ingest.reasons import listed, rejects_table
    from districtlens.ingest.validate import validate

    frame = spoiled_roster(args.rows)
    started = time.perf_counter()
    checked = validate(frame)
    validated = time.perf_counter() - started
    started = time.perf_counter()
    listed(checked.errors, "zh", 1000)
    first = time.perf_counter() - started
    started = time.perf_counter()
    table = rejects_table(checked.errors, "zh")
    said = time.perf_counter() - started
    print(f"machine: {machine()}")
    print(f"command: {command()}")
    print(f"roster: {frame.height:,} rows, {checked.rejected_rows:,} refused, {checked.errors.height:,} problems")
    print(
        f"validate (reasons as keys and values): {validated:.2f} s; first 1,000 said: {first * 1000:.0f} ms; "
        f"rejects table in zh: {said:.2f} s ({table.height / said:,.0f} problems/s)"
    )


if __name__ == "__main__":
    main()
