"""Linking a list of code-less records (tenants, leads, a source's rows) to the registry.

    link_to_registry(store, records, source_name, actor, *, kind="tenants",
                     threshold=0.8, review_floor=0.5, file_name=None, file_sha256=None,
                     aliases=None) -> polars.DataFrame
        `records`: record_id (unique), name, and optionally uscc, name_en, address.
        Returns one row per record: record_id, uscc (the enterprise, or None), probability,
        status (linked: at or above `threshold`; review: between `review_floor` and it;
        unknown: below, or no candidate), link_id. A record whose valid credit code is in the
        registry links with probability 1 without the model.

The model's decisions are stored, with the records, by `store.resolution.write_links`.
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from districtlens.errors import InputError
from districtlens.ingest.validate import valid_uscc_mask
from districtlens.resolve import DEFAULT_REVIEW_FLOOR, DEFAULT_THRESHOLD
from districtlens.resolve.linker import prepare, train_and_score
from districtlens.store import Store
from districtlens.store import resolution as stored

_REGISTRY = "e:"
_SOURCE = "s:"


def _checked(records: pl.DataFrame) -> pl.DataFrame:
    for col in ("record_id", "name"):
        if col not in records.columns:
            raise InputError("resolve.no_column", column=col)
    if records.height == 0:
        raise InputError("resolve.no_records")
    out = records.select(
        pl.col("record_id").cast(pl.Utf8).str.strip_chars(),
        pl.col("name").cast(pl.Utf8).str.strip_chars(),
        *[
            pl.col(c).cast(pl.Utf8) if c in records.columns else pl.lit(None, pl.Utf8).alias(c)
            for c in ("name_en", "uscc", "address")
        ],
    )
    blank = out.filter(pl.col("record_id").is_null() | (pl.col("record_id") == ""))
    if blank.height:
        raise InputError("resolve.blank_record_ids", count=blank.height)
    nameless = out.filter(pl.col("name").is_null() | (pl.col("name") == ""))
    if nameless.height:
        raise InputError("resolve.nameless_record", record_id=nameless["record_id"][0])
    dup = out.filter(pl.col("record_id").is_duplicated())
    if dup.height:
        raise InputError("resolve.duplicate_record_id", record_id=dup["record_id"][0])
    return out


def _best_candidates(records: pl.DataFrame, registry: pl.DataFrame, review_floor: float, aliases: Any) -> pl.DataFrame:
    """record_id, uscc, probability, evidence: each record's best registry candidate."""
    codes = records["uscc"].str.strip_chars().str.to_uppercase()
    records = records.with_columns(pl.when(pl.Series(valid_uscc_mask(codes))).then(codes).alias("valid_uscc"))
    exact = records.join(registry.select(pl.col("uscc").alias("valid_uscc")), on="valid_uscc").select(
        "record_id",
        pl.col("valid_uscc").alias("uscc"),
        pl.lit(1.0).alias("probability"),
        pl.lit(json.dumps({"uscc": "same valid code"})).alias("evidence"),
    )
    rest = records.filter(~pl.col("record_id").is_in(exact["record_id"].implode()))
    schema = {"record_id": pl.Utf8, "uscc": pl.Utf8, "probability": pl.Float64, "evidence": pl.Utf8}
    if rest.height == 0 or registry.height == 0:
        return pl.concat([exact, pl.DataFrame(schema=schema)])
    reg = prepare(registry.with_columns((_REGISTRY + pl.col("uscc")).alias("record_id")), aliases)
    src = prepare(
        rest.with_columns((_SOURCE + pl.col("record_id")).alias("record_id"))
        .drop("uscc")
        .rename({"valid_uscc": "uscc"}),
        aliases,
    )
    pairs, _ = train_and_score([reg, src], link_type="link_only", review_floor=review_floor)
    oriented = pairs.select(
        pl.when(pl.col("record_id_l").str.starts_with(_SOURCE))
        .then(pl.col("record_id_l"))
        .otherwise(pl.col("record_id_r"))
        .str.slice(len(_SOURCE))
        .alias("record_id"),
        pl.when(pl.col("record_id_l").str.starts_with(_REGISTRY))
        .then(pl.col("record_id_l"))
        .otherwise(pl.col("record_id_r"))
        .str.slice(len(_REGISTRY))
        .alias("uscc"),
        pl.col("match_probability").alias("probability"),
        "evidence",
    )
    best = oriented.sort("probability", "uscc", descending=[True, False]).unique("record_id", keep="first")
    return pl.concat([exact, best.select(list(schema))])


def link_to_registry(
    store: Store,
    records: pl.DataFrame,
    source_name: str,
    actor: str,
    *,
    kind: str = "tenants",
    threshold: float = DEFAULT_THRESHOLD,
    review_floor: float = DEFAULT_REVIEW_FLOOR,
    file_name: str | None = None,
    file_sha256: str | None = None,
    aliases: Any = None,
) -> pl.DataFrame:
    """Link the rows of a code-less source to `enterprise_current` (see the module docstring)."""
    if not 0 < review_floor <= threshold <= 1:
        raise InputError("resolve.bad_thresholds", review_floor=review_floor, threshold=threshold)
    records = _checked(records)
    registry = stored.registry_names(store)
    best = _best_candidates(records, registry, review_floor, aliases)
    decided = (
        records.select("record_id")
        .join(best, on="record_id", how="left")
        .with_columns(
            pl.when(pl.col("probability") >= threshold)
            .then(pl.lit("linked"))
            .when(pl.col("probability") >= review_floor)
            .then(pl.lit("review"))
            .otherwise(pl.lit("unknown"))
            .alias("status"),
        )
        .with_columns(
            pl.when(pl.col("status") == "unknown").then(None).otherwise(pl.col("uscc")).alias("uscc"),
        )
    )
    source = {"name": source_name, "kind": kind, "file_name": file_name, "file_sha256": file_sha256}
    return stored.write_links(
        store, records, decided, source=source, threshold=threshold, review_floor=review_floor, actor=actor
    )
