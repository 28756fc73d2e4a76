"""How far a general method can link English names to full Chinese names on real firms.

    .venv/bin/python benchmarks/resolve_english_ceiling.py [--dir DIR]

DIR holds full.csv, short.csv and english.csv as `resolve_names_eval.py` writes them (run it first
with the same --dir). The script resolves the three files as `districtlens resolve` does, then
scores every English name against every full name (no blocking: about 5.7 million pairs on the
shared half) with the model that resolution trained, and counts what linking each English name to
its one best full name would give, by the margin in bits between that best and the runner-up.
Blocking can only lose pairs and the clustering only refuses links, so with this model no choice
of blocking rules or floor reaches more than these figures.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

import duckdb
import polars as pl
from splink import DuckDBAPI, Linker

from districtlens.resolve import linker

ALL_ENGLISH_AGAINST_FULL = [
    {"blocking_rule": "l.script = 'en' AND r.form = 'full'", "sql_dialect": "duckdb"},
    {"blocking_rule": "r.script = 'en' AND l.form = 'full'", "sql_dialect": "duckdb"},
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", type=Path, default=Path("/tmp/names"))
    into = parser.parse_args().dir
    records = pl.concat(
        [pl.read_csv(into / f"{kind}.csv", infer_schema_length=0) for kind in ("full", "short", "english")],
        how="diagonal",
    )
    start = time.perf_counter()
    features = linker.prepare(records)
    resolution = linker.resolve(records)
    model = {**resolution.model, "blocking_rules_to_generate_predictions": ALL_ENGLISH_AGAINST_FULL}
    logging.getLogger("splink").setLevel(logging.ERROR)
    db_api = DuckDBAPI(duckdb.connect())
    scorer = Linker(db_api.register(features.to_arrow(), dataset_display_name="names"), model, log_level=None)
    scored = scorer.inference.predict(threshold_match_probability=None, warning_mode="never")
    pairs = pl.from_pandas(scored.as_pandas_dataframe()[["unique_id_l", "unique_id_r", "match_weight"]])
    english_left = pl.col("unique_id_l").str.starts_with("E")
    pairs = pairs.select(
        pl.when(english_left).then("unique_id_l").otherwise("unique_id_r").alias("english"),
        pl.when(english_left).then("unique_id_r").otherwise("unique_id_l").alias("full"),
        "match_weight",
    )
    # Each English name's best full name, and how far ahead of the next it is.
    ranked = pairs.sort("match_weight", descending=True).group_by("english", maintain_order=True).head(2)
    best = ranked.group_by("english", maintain_order=True).agg(
        pl.col("full").first(),
        (pl.col("match_weight").first() - pl.col("match_weight").get(1, null_on_oob=True)).alias("margin"),
    )
    clusters = resolution.clusters.select("record_id", "cluster_id")
    best = (
        best.with_columns((pl.col("english").str.slice(1) == pl.col("full").str.slice(1)).alias("right"))
        .join(clusters.rename({"record_id": "english", "cluster_id": "cluster_e"}), on="english")
        .join(clusters.rename({"record_id": "full", "cluster_id": "cluster_f"}), on="full")
    )
    firm = clusters.with_columns(pl.col("record_id").str.slice(0, 1).alias("kind"), pl.col("record_id").str.slice(1))
    same_firm = firm.filter(pl.col("kind") == "E").join(firm.filter(pl.col("kind") == "F"), on="record_id")
    both = same_firm.height
    linked_now = same_firm.filter(pl.col("cluster_id") == pl.col("cluster_id_right")).height
    rows = []
    for floor in (0.0, 1.0, 3.0, 6.0):
        chosen = best.filter(pl.col("margin") > floor)
        right = chosen.filter(pl.col("right"))
        new = right.filter(pl.col("cluster_e") != pl.col("cluster_f")).height
        rows.append(
            {
                "margin_over_bits": floor,
                "right": right.height,
                "wrong": chosen.height - right.height,
                "right_not_linked_now": new,
                "full_english_recall_at_most": round((linked_now + new) / both, 3),
            }
        )
    print(
        json.dumps(
            {
                "firms_with_full_and_english": both,
                "english_pairs_scored": pairs.height,
                "linked_now": linked_now,
                "recall_now": round(linked_now / both, 3),
                "best_candidate_by_margin": rows,
                "seconds": round(time.perf_counter() - start, 1),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
