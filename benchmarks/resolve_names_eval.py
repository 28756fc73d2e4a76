"""Real-names evaluation of `districtlens resolve`: the firms of a names file (the shared half of
the Chinese listed firms, /work/shared/data/cn-listed-companies/names-dev.csv) written three
ways, in three files of one row per firm (`record_id,name[,address]`):

- full.csv: the full legal name (newest of the lists) with the registered address where known;
- short.csv: the newest short name (证券简称), spaces removed;
- english.csv: the English name registered with the exchange.

    .venv/bin/python benchmarks/resolve_names_eval.py [NAMES_CSV] [--dir DIR]

writes the three files to DIR (default: a temporary directory), runs
`districtlens resolve full.csv short.csv english.csv --out clusters.csv` (no store) as a user
would, and prints the pairwise precision and the recall by kind of pair (two records of one firm
are a true pair; a firm's code never reaches the linker).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

DEFAULT_NAMES = Path("/work/shared/data/cn-listed-companies/names-dev.csv")
KINDS = {"F": "full", "S": "short", "E": "english"}


def _newest(*cols: str) -> pl.Expr:
    return pl.coalesce([pl.when(pl.col(c).str.strip_chars() != "").then(pl.col(c)) for c in cols])


def write_files(names_csv: Path, into: Path) -> list[Path]:
    firms = pl.read_csv(names_csv, infer_schema_length=0)
    views = {
        "full": firms.select(
            ("F" + pl.col("code")).alias("record_id"),
            _newest("full_szse_2025", "full_tushare_2022", "full_chainkg_2021").alias("name"),
            pl.col("reg_address_szse_2025").alias("address"),
        ),
        "short": firms.select(
            ("S" + pl.col("code")).alias("record_id"),
            _newest("short_szse_2025", "short_sse_2025", "short_tushare_2022", "short_chainkg_2021")
            .str.replace_all(r"\s", "")
            .alias("name"),
        ),
        "english": firms.select(
            ("E" + pl.col("code")).alias("record_id"),
            _newest("english_szse_2025", "english_sse_2025").alias("name"),
        ),
    }
    paths = []
    for kind, frame in views.items():
        path = into / f"{kind}.csv"
        frame.filter(pl.col("name").is_not_null()).write_csv(path)
        paths.append(path)
    return paths


def score(clusters: pl.DataFrame) -> dict:
    """Pairwise precision overall, recall by kind of pair (full-short, full-english, short-english)."""
    rec = clusters.with_columns(
        pl.col("record_id").str.slice(0, 1).alias("kind"), pl.col("record_id").str.slice(1).alias("firm")
    )
    predicted = rec.join(rec, on="cluster_id").filter(pl.col("record_id") < pl.col("record_id_right"))
    true_pred = predicted.filter(pl.col("firm") == pl.col("firm_right"))
    out: dict = {
        "records": rec.height,
        "predicted_pairs": predicted.height,
        "precision": round(true_pred.height / max(predicted.height, 1), 3),
    }
    for a, b in itertools.combinations("FSE", 2):
        truth = rec.filter(pl.col("kind") == a).join(rec.filter(pl.col("kind") == b), on="firm").height
        found = true_pred.filter(
            ((pl.col("kind") == a) & (pl.col("kind_right") == b))
            | ((pl.col("kind") == b) & (pl.col("kind_right") == a))
        ).height
        out[f"recall_{KINDS[a]}_{KINDS[b]}"] = round(found / max(truth, 1), 3)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("names_csv", nargs="?", type=Path, default=DEFAULT_NAMES)
    parser.add_argument("--dir", type=Path, default=None)
    options = parser.parse_args()
    names_csv = options.names_csv
    into = options.dir or Path(tempfile.mkdtemp())
    into.mkdir(parents=True, exist_ok=True)
    files = write_files(names_csv, into)
    out = into / "clusters.csv"
    command = [sys.executable, "-m", "districtlens", "resolve", *map(str, files), "--out", str(out), "--json"]
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=os.environ)
    seconds = time.perf_counter() - start
    print(f"command: districtlens resolve {' '.join(f.name for f in files)} --out clusters.csv")
    print(json.dumps({**score(pl.read_csv(out, infer_schema_length=0)), "seconds": round(seconds, 1)}))


if __name__ == "__main__":
    main()
