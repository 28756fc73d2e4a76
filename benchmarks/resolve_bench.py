"""Entity-resolution benchmark: time, peak memory and pairwise precision and recall of
`districtlens.resolve.linker.resolve` on 100,000 and 1,000,000 generated records (five sources,
see districtlens.resolve.synthetic).

    .venv/bin/python benchmarks/resolve_bench.py            # 100k and 1M
    .venv/bin/python benchmarks/resolve_bench.py --quick    # 100k only
    .venv/bin/python benchmarks/resolve_bench.py --link     # lists against a 1M-enterprise store
    .venv/bin/python benchmarks/resolve_bench.py --link --big --dir /tmp/x  # 1M only, store kept

Each size runs in its own process, so that its peak resident memory (ru_maxrss) is its own; the
figure includes generating the records. Target: 1M records in under 5 minutes and 8 GB on 2 cores.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine  # noqa: E402

RECORDS_PER_ENTERPRISE = 2.1  # records per generated enterprise (fewer at 1M: see docs/resolve.md)


def pairwise_quality(clusters, records) -> dict:
    """Pairwise precision and recall of the clusters against the generated enterprises: a pair of
    records is predicted when they share a cluster, true when they share an enterprise."""
    import polars as pl

    def pairs(frame, by: list[str]) -> int:
        sizes = frame.group_by(by).len()["len"].cast(pl.Int64)
        return int((sizes * (sizes - 1) // 2).sum())

    both = clusters.join(records.select("record_id", "entity_id"), on="record_id")
    predicted, true, right = (
        pairs(both, ["cluster_id"]),
        pairs(both, ["entity_id"]),
        pairs(both, ["cluster_id", "entity_id"]),
    )
    return {"precision": round(right / max(predicted, 1), 4), "recall": round(right / max(true, 1), 4)}


def one(n_records: int) -> dict:
    from districtlens.resolve.linker import resolve
    from districtlens.resolve.synthetic import generate

    start = time.perf_counter()
    records = generate(int(n_records / RECORDS_PER_ENTERPRISE), seed=1)
    generate_s = time.perf_counter() - start
    start = time.perf_counter()
    result = resolve(records.drop("source", "entity_id"))
    resolve_s = time.perf_counter() - start
    return {
        "records": records.height,
        "enterprises": records["entity_id"].n_unique(),
        "clusters": result.clusters["cluster_id"].n_unique(),
        "pairs_scored": result.pairs.height,
        **pairwise_quality(result.clusters, records),
        "generate_s": round(generate_s, 1),
        "resolve_s": round(resolve_s, 1),
        "steps_s": {k: round(v, 1) for k, v in result.timings.items()},
        "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2),
    }


def _bench_store(n_enterprises: int, db: Path | None):
    """A store of `n_enterprises` generated enterprises (written straight into enterprise_version:
    the import is benchmarked elsewhere) with its name features and model, and the tenant and lead
    rows of the same generation (record_id, name, address); build times in `out`. With `db`, a
    store built there before is reused (its lists are kept beside it, `db`.lists.parquet)."""
    import tempfile

    import polars as pl

    from districtlens.commands.linking import refresh_features, train_store_model
    from districtlens.resolve.synthetic import generate
    from districtlens.store import open_store
    from districtlens.store.db import register_frame

    out: dict = {}
    lists_path = db.with_suffix(".lists.parquet") if db else None
    if db and db.exists() and lists_path and lists_path.exists():
        store = open_store(db)
        out["enterprises"] = store.con.execute("SELECT count(*) FROM enterprise_current").fetchone()[0]
        return store, pl.read_parquet(lists_path), out
    records = generate(n_enterprises, seed=5, foreign=False)
    registry = records.filter(pl.col("source") == "registry").unique("uscc")
    lists = records.filter(pl.col("source").is_in(["tenants", "leads"])).select("record_id", "name", "address")
    store = open_store(db or Path(tempfile.mkdtemp()) / "store.duckdb")
    rows = registry.select(
        "uscc",
        pl.lit(1).alias("version"),
        "name",
        "name_en",
        "address",
        pl.lit(True).alias("synthetic"),
        pl.lit(1).alias("source_id"),
        pl.lit("2026-01-01T00:00:00").alias("valid_from"),
        pl.lit(1).alias("ledger_seq"),
        pl.lit("0" * 64).alias("row_hash"),
    )
    register_frame(store.con, "bench_rows", rows)
    store.con.execute(f"INSERT INTO enterprise_version ({', '.join(rows.columns)}) SELECT * FROM bench_rows")
    out["enterprises"] = registry.height
    start = time.perf_counter()
    refresh_features(store)
    out["features_s"] = round(time.perf_counter() - start, 1)
    start = time.perf_counter()
    out["model"] = {k: v for k, v in train_store_model(store, "bench").items() if k != "trained_at"}
    out["train_s"] = round(time.perf_counter() - start, 1)
    if lists_path:
        lists.write_parquet(lists_path)
    return store, lists, out


def link_one(n_enterprises: int, db: Path | None = None) -> dict:
    """`link_to_registry` of lists of 1, 100 and 1,000 tenant and lead rows against a store of
    `n_enterprises` (`_bench_store`), each timed; then 100 other rows again (warm: the process has
    scored a list before)."""
    from districtlens.commands.linking import link_to_registry

    store, lists, out = _bench_store(n_enterprises, db)
    for size, seed in ((1, 1), (100, 100), (1000, 1000), (100, 7)):
        listed = lists.sample(size, seed=seed)
        start, cpu = time.perf_counter(), time.process_time()
        linked = link_to_registry(store, listed, f"list of {size}", "bench")
        key = f"link_{size}" if seed == size else f"link_{size}_again"
        out[f"{key}_s"] = round(time.perf_counter() - start, 2)
        # CPU time of all the process's threads: on a shared machine, what the wall time hides.
        out[f"{key}_cpu_s"] = round(time.process_time() - cpu, 2)
        out[f"{key}_statuses"] = dict(linked.group_by("status").len().iter_rows())
    out["peak_rss_gb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2)
    return out


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(one(int(sys.argv[2]))))
        return
    if len(sys.argv) in (3, 4) and sys.argv[1] == "--link-one":
        print(json.dumps(link_one(int(sys.argv[2]), Path(sys.argv[3]) if len(sys.argv) == 4 else None)))
        return
    if "--link" in sys.argv:
        print(f"machine: {machine()}", flush=True)
        print(f"command: {' '.join([os.path.relpath(sys.executable), *sys.argv])}")
        # --dir DIR keeps each store (DIR/link-N.duckdb) and reuses it on the next run.
        keep = Path(sys.argv[sys.argv.index("--dir") + 1]) if "--dir" in sys.argv else None
        sizes = [1_000_000] if "--big" in sys.argv else [10_000, 1_000_000]
        for n in sizes:
            db = [str(keep / f"link-{n}.duckdb")] if keep else []
            run = subprocess.run(
                [sys.executable, __file__, "--link-one", str(n), *db], capture_output=True, text=True, check=False
            )
            result = run.stdout.strip().splitlines()[-1] if run.returncode == 0 else f"failed\n{run.stderr[-2000:]}"
            print(f"{n:>9,} enterprises: {result}", flush=True)
        return
    sizes = [100_000] if "--quick" in sys.argv else [100_000, 1_000_000]
    print(f"machine: {machine()}", flush=True)
    print(f"command: {' '.join([os.path.relpath(sys.executable), *sys.argv])}")
    for n in sizes:
        run = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True, text=True, check=False)
        if run.returncode:
            print(f"{n:>9,} records: failed\n{run.stderr[-2000:]}")
            continue
        print(f"{n:>9,} records: {run.stdout.strip().splitlines()[-1]}", flush=True)


if __name__ == "__main__":
    main()
