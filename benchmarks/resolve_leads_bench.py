"""How many generated lead rows (traditional characters, typos, no code) link to the right
enterprise of a store of about 850,000 generated enterprises.

    .venv/bin/python benchmarks/resolve_leads_bench.py --db DIR/link-1000000.duckdb [--rows 2000]

The store is `resolve_bench.py`'s (`_bench_store`: built in --db on the first run, features and
model included, and reused after). 2,000 lead rows of the same generation are linked with
`link_to_registry`; the output counts the rows linked, sent to review and left unknown, and how many
of the first two name the enterprise the generator made them from. Linking the same rows again on
one store adds links; each run reports its own.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import polars as pl  # noqa: E402
import resolve_bench  # noqa: E402

ENTERPRISES = 1_000_000  # asked of the generator; about 850,000 remain once codes are unique


def main() -> None:
    from districtlens.commands.linking import link_to_registry
    from districtlens.resolve.synthetic import generate

    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--rows", type=int, default=2000)
    options = parser.parse_args()
    store, _, built = resolve_bench._bench_store(ENTERPRISES, options.db)
    records = generate(ENTERPRISES, seed=5, foreign=False)
    made_from = records.filter(pl.col("source") == "registry").unique("uscc").select("entity_id", "uscc")
    leads = (
        records.filter(pl.col("source") == "leads")
        .join(made_from.rename({"uscc": "true_uscc"}), on="entity_id")
        .sample(options.rows, seed=3)
    )
    start = time.perf_counter()
    linked = link_to_registry(store, leads.select("record_id", "name", "address"), "leads", "bench")
    seconds = time.perf_counter() - start
    decided = linked.join(leads.select("record_id", "true_uscc"), on="record_id")
    out: dict = {"store": built, "rows": leads.height, "link_s": round(seconds, 2)}
    for status in ("linked", "review"):
        part = decided.filter(pl.col("status") == status)
        out[status] = {"rows": part.height, "right": part.filter(pl.col("uscc") == pl.col("true_uscc")).height}
    out["unknown"] = decided.filter(pl.col("status") == "unknown").height
    print(json.dumps(out))


if __name__ == "__main__":
    main()
