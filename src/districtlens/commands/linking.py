"""Linking a list of code-less records (tenants, leads, a source's rows) to the registry.

    link_to_registry(store, records, source_name, actor, *, kind="tenants",
                     threshold=0.8, review_floor=0.5, file_name=None, file_sha256=None,
                     aliases=None) -> polars.DataFrame
        `records`: record_id (unique), name, and optionally uscc, name_en, address.
        Returns one row per record: record_id, uscc (the enterprise, or None), probability,
        status (linked: at or above `threshold`, and ahead of every other enterprise; review:
        between `review_floor` and it, or tied with another enterprise; unknown: below, or no
        candidate), link_id.

    train_store_model(store, actor) -> dict
        Train the store's linkage model on the registry's names and keep it (a new version).

Each record is decided by the first of: its valid credit code is registered (probability 1); its
name, normalised (full-width, traditional characters, spaces, case), is a name of exactly one
registered enterprise, current or former, Chinese or English (probability 1); the store's trained
model scores it against the registry's names that share a blocking key with it. Linking never
trains, except once when the store has no model yet: a list of one row or a thousand is scored
with the model as it is, by the scoring SQL kept with it (linker.scoring_sql), run in the store
with the search for candidates (store.resolution.scored_pairs): Splink is not loaded. The
registry's name features are a cache in the store (`resolve_feature`, with the counts of values
that give term frequencies, `resolve_term_count`), completed for the versions written since it
was last read.

The model's decisions are stored, with the records, by `store.resolution.write_links`.
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from districtlens.errors import InputError
from districtlens.ingest.validate import valid_uscc_mask
from districtlens.resolve import DEFAULT_REVIEW_FLOOR, DEFAULT_THRESHOLD
from districtlens.resolve.aliases import load_aliases
from districtlens.resolve.linker import (
    TF_COLUMNS,
    list_rules,
    prepare,
    scoring_sql,
    tf_columns,
    train_registry_model,
    with_evidence,
    without_lost_rules,
)
from districtlens.store import Store
from districtlens.store import resolution as stored

_SOURCE = "s:"
# A blocking rule that offers one record more registry names than this offers it none: a key so
# common (the first characters 中国, the pinyin "zhon") is no evidence worth scoring.
MAX_CANDIDATES_PER_RULE = 100
SCHEMA = {"record_id": pl.Utf8, "uscc": pl.Utf8, "probability": pl.Float64, "evidence": pl.Utf8, "tied": pl.Boolean}


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


def refresh_features(store: Store) -> int:
    """Take apart the registry names written since the cache was last completed; how many."""
    done = stored.features_seq(store.con)
    if stored.versions_seq(store.con) <= done:
        return 0
    new = stored.registry_records(store, done)
    if new.height == 0:
        return 0
    features = prepare(new.select(pl.col("feature_key").alias("record_id"), "uscc", "name", "name_en", "address"))
    stored.write_features(store, features.with_columns(new["feature_key"], new["version_seq"]), TF_COLUMNS)
    return new.height


def train_store_model(store: Store, actor: str) -> dict[str, Any]:
    """Train the store's model on the registry's names (train_registry_model) and keep it as a
    new version; returns its summary (version, trained_at, records, enterprises, labelled_pairs,
    method)."""
    refresh_features(store)
    features = stored.all_features(store.con)
    if features.height == 0:
        raise InputError("resolve.empty_registry")
    model, labelled = train_registry_model(features.drop("feature_key", "version_seq"), features["uscc"])
    summary = {
        "records": features.height,
        "enterprises": features["uscc"].n_unique(),
        "labelled_pairs": labelled,
        "method": "labels" if labelled else "starting-values",
    }
    version = stored.save_model(store, model, summary, scoring_sql(model), actor)
    saved = stored.latest_model(store.con)
    assert saved is not None and saved["version"] == version
    return {k: v for k, v in saved.items() if k not in ("settings", "scoring_sql")}


def _model(store: Store, actor: str) -> dict[str, Any]:
    """The store's latest model (trained now if it has none), with its scoring SQL: kept with it,
    or written again for a model kept before the SQL was (migration 0016) or whose rules name a
    feature no longer kept (migration 0017: those rules are left out until `resolve train`)."""
    model = stored.latest_model(store.con)
    if model is None:
        train_store_model(store, actor)
        model = stored.latest_model(store.con)
        assert model is not None
    settings = without_lost_rules(model["settings"])
    if model["scoring_sql"] is None or settings is not model["settings"]:
        model["settings"] = settings
        model["scoring_sql"] = scoring_sql(settings)
    return model


def _exact(found: pl.DataFrame, records: pl.DataFrame, key: str, evidence: dict[str, str]) -> pl.DataFrame:
    return records.join(found, on=key).select(
        "record_id",
        "uscc",
        pl.lit(1.0).alias("probability"),
        pl.lit(json.dumps(evidence)).alias("evidence"),
        pl.lit(False).alias("tied"),
    )


def _best_candidates(
    store: Store, records: pl.DataFrame, review_floor: float, actor: str, aliases: Any
) -> pl.DataFrame:
    """record_id, uscc, probability, evidence, tied: each record's best registry candidate, and
    whether another enterprise scores as high (a name one character from two registered names)."""
    con = store.con
    codes = records["uscc"].str.strip_chars().str.to_uppercase()
    records = records.with_columns(pl.when(pl.Series(valid_uscc_mask(codes))).then(codes).alias("valid_uscc"))
    known = stored.registered_codes(con, records["valid_uscc"].drop_nulls().to_list())
    by_code = _exact(known, records.rename({"valid_uscc": "code"}), "code", {"uscc": "same valid code"})
    rest = records.filter(~pl.col("record_id").is_in(by_code["record_id"].implode()))
    if rest.height == 0 or not stored.has_enterprises(con):
        return pl.concat([by_code, pl.DataFrame(schema=SCHEMA)])
    refresh_features(store)
    source = prepare(
        rest.select(
            (_SOURCE + pl.col("record_id")).alias("record_id"), "name", "name_en", "address", "valid_uscc"
        ).rename({"valid_uscc": "uscc"}),
        aliases,
    )
    named = source.select(pl.col("unique_id").str.slice(len(_SOURCE)).alias("record_id"), "clean")
    by_name = _exact(
        stored.exact_names(con, named["clean"].drop_nulls().unique().to_list()),
        named,
        "clean",
        {"name": "same registered name"},
    )
    source = source.filter(~pl.col("unique_id").str.slice(len(_SOURCE)).is_in(by_name["record_id"].implode()))
    if source.height == 0:
        return pl.concat([by_code, by_name])
    model = _model(store, actor)
    pairs = stored.scored_pairs(
        con,
        source,
        rules=list_rules(model["settings"]),
        max_block=MAX_CANDIDATES_PER_RULE,
        tf_columns=tf_columns(model["settings"]),
        scoring_sql=model["scoring_sql"],
        review_floor=review_floor,
    )
    scored = with_evidence(pairs).select(
        pl.col("record_id_l").str.slice(len(_SOURCE)).alias("record_id"),
        pairs["uscc_r"].alias("uscc"),
        pl.col("match_probability").alias("probability"),
        "evidence",
    )
    at_top = pl.col("probability") == pl.col("probability").max().over("record_id")
    scored = scored.with_columns((pl.col("uscc").filter(at_top).n_unique().over("record_id") > 1).alias("tied"))
    best = scored.sort("probability", "uscc", descending=[True, False]).unique("record_id", keep="first")
    return pl.concat([by_code, by_name, best.select(list(SCHEMA))])


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
    best = _best_candidates(store, records, review_floor, actor, load_aliases() if aliases is None else aliases)
    decided = (
        records.select("record_id")
        .join(best, on="record_id", how="left")
        .with_columns(
            # A tie between two enterprises is the model unable to choose: a person does.
            pl.when((pl.col("probability") >= threshold) & ~pl.col("tied").fill_null(False))
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
