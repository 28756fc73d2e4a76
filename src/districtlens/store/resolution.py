"""Entity resolution in the store: rows of code-less sources linked to registered enterprises.

Tables (migration 0002_resolve.sql, both hashed by the ledger): `resolve_record` holds each row of
an imported source as given; `resolve_link` holds decisions, append-only: the model's first
decision for a row, then any person's accept / reject, then any undo, each a new row with a new
`link_id` that `supersedes` the one before. `resolve_link_current` is the decision in force;
`resolve_review_queue` the rows waiting for a person. Every call below that writes is one
transaction with one ledger entry.

The API the carriers' and leads' imports call:

    link_to_registry(store, records, source_name, actor, *, kind="tenants",
                     threshold=0.9, review_floor=0.5, file_name=None, file_sha256=None,
                     aliases=None) -> polars.DataFrame
        `records`: record_id (unique), name, and optionally uscc, name_en, address.
        Returns one row per record: record_id, uscc (the enterprise, or None), probability,
        status (linked: at or above `threshold`; review: between `review_floor` and it;
        unknown: below, or no candidate), link_id. A record whose valid credit code is in the
        registry links with probability 1 without the model.
    review_queue(con) -> DataFrame      links waiting for a person (link_id, record, candidate)
    decide(store, link_id, accept, actor) -> int     accept or reject a queued link; new link_id
    undo(store, link_id, actor) -> int  reverse the decision `link_id` (it must be in force): the
                                        row returns to the decision before it, or to no link;
                                        nothing is deleted, both records stay
    current_links(con, source_id=None) -> DataFrame  the decisions in force
"""

from __future__ import annotations

import json

import duckdb
import polars as pl

from districtlens.ingest.validate import valid_uscc_mask
from districtlens.resolve.linker import (
    DEFAULT_REVIEW_FLOOR,
    DEFAULT_THRESHOLD,
    ResolveError,
    prepare,
    train_and_score,
)
from districtlens.store import ledger
from districtlens.store.db import Store, register_frame

LINK_COLUMNS = ("link_id", "source_id", "record_id", "uscc", "probability", "status", "evidence",
                "decided_by", "supersedes")
IN_FORCE = ("linked", "accepted")  # statuses under which the row is that enterprise
_REGISTRY = "e:"
_SOURCE = "s:"


def _checked(records: pl.DataFrame) -> pl.DataFrame:
    for col in ("record_id", "name"):
        if col not in records.columns:
            raise ResolveError(f"the records have no `{col}` column")
    if records.height == 0:
        raise ResolveError("there are no records")
    out = records.select(
        pl.col("record_id").cast(pl.Utf8).str.strip_chars(),
        pl.col("name").cast(pl.Utf8).str.strip_chars(),
        *[pl.col(c).cast(pl.Utf8) if c in records.columns else pl.lit(None, pl.Utf8).alias(c)
          for c in ("name_en", "uscc", "address")],
    )
    blank = out.filter(pl.col("record_id").is_null() | (pl.col("record_id") == ""))
    if blank.height:
        raise ResolveError(f"{blank.height} record(s) have no record_id")
    nameless = out.filter(pl.col("name").is_null() | (pl.col("name") == ""))
    if nameless.height:
        raise ResolveError(f"record {nameless['record_id'][0]!r} has no name")
    dup = out.filter(pl.col("record_id").is_duplicated())
    if dup.height:
        raise ResolveError(f"record_id {dup['record_id'][0]!r} occurs more than once")
    return out


def _best_candidates(records: pl.DataFrame, registry: pl.DataFrame,
                     review_floor: float, aliases) -> pl.DataFrame:
    """record_id, uscc, probability, evidence: each record's best registry candidate."""
    codes = records["uscc"].str.strip_chars().str.to_uppercase()
    records = records.with_columns(
        pl.when(pl.Series(valid_uscc_mask(codes))).then(codes).alias("valid_uscc"))
    exact = records.join(registry.select(pl.col("uscc").alias("valid_uscc")), on="valid_uscc") \
        .select("record_id", pl.col("valid_uscc").alias("uscc"), pl.lit(1.0).alias("probability"),
                pl.lit(json.dumps({"uscc": "same valid code"})).alias("evidence"))
    rest = records.filter(~pl.col("record_id").is_in(exact["record_id"].implode()))
    schema = {"record_id": pl.Utf8, "uscc": pl.Utf8, "probability": pl.Float64,
              "evidence": pl.Utf8}
    if rest.height == 0 or registry.height == 0:
        return pl.concat([exact, pl.DataFrame(schema=schema)])
    reg = prepare(registry.with_columns((_REGISTRY + pl.col("uscc")).alias("record_id")), aliases)
    src = prepare(rest.with_columns((_SOURCE + pl.col("record_id")).alias("record_id"))
                  .drop("uscc").rename({"valid_uscc": "uscc"}), aliases)
    pairs, _ = train_and_score([reg, src], link_type="link_only", review_floor=review_floor)
    oriented = pairs.select(
        pl.when(pl.col("record_id_l").str.starts_with(_SOURCE)).then(pl.col("record_id_l"))
        .otherwise(pl.col("record_id_r")).str.slice(len(_SOURCE)).alias("record_id"),
        pl.when(pl.col("record_id_l").str.starts_with(_REGISTRY)).then(pl.col("record_id_l"))
        .otherwise(pl.col("record_id_r")).str.slice(len(_REGISTRY)).alias("uscc"),
        pl.col("match_probability").alias("probability"), "evidence",
    )
    best = oriented.sort("probability", "uscc", descending=[True, False]) \
        .unique("record_id", keep="first")
    return pl.concat([exact, best.select(list(schema))])


def link_to_registry(store: Store, records: pl.DataFrame, source_name: str, actor: str, *,
                     kind: str = "tenants", threshold: float = DEFAULT_THRESHOLD,
                     review_floor: float = DEFAULT_REVIEW_FLOOR, file_name: str | None = None,
                     file_sha256: str | None = None, aliases=None) -> pl.DataFrame:
    """Link the rows of a code-less source to `enterprise_current` (see the module docstring)."""
    if not 0 < review_floor <= threshold <= 1:
        raise ResolveError("need 0 < review floor <= threshold <= 1")
    records = _checked(records)
    con = store.con
    registry = con.execute(
        "SELECT uscc, name, name_en, address FROM enterprise_current ORDER BY uscc").pl()
    best = _best_candidates(records, registry, review_floor, aliases)
    decided = records.select("record_id").join(best, on="record_id", how="left").with_columns(
        pl.when(pl.col("probability") >= threshold).then(pl.lit("linked"))
        .when(pl.col("probability") >= review_floor).then(pl.lit("review"))
        .otherwise(pl.lit("unknown")).alias("status"),
    ).with_columns(
        pl.when(pl.col("status") == "unknown").then(None).otherwise(pl.col("uscc")).alias("uscc"),
    )
    with store.transaction():
        seq = ledger.next_seq(con)
        now = ledger.now_iso()
        first = _next_link_id(con)
        con.execute("INSERT INTO source VALUES (?, ?, ?, ?, ?, ?)",
                    [seq, source_name, kind, file_name, file_sha256, now])
        rows = records.with_columns(pl.lit(seq).alias("source_id"), pl.lit(seq).alias("ledger_seq"))
        _insert(con, "resolve_record", rows)
        links = decided.with_row_index("n").select(
            (pl.col("n").cast(pl.Int64) + first).alias("link_id"),
            pl.lit(seq).alias("source_id"), "record_id", "uscc", "probability", "status",
            "evidence", pl.lit("model").alias("decided_by"),
            pl.lit(None, pl.Int64).alias("supersedes"), pl.lit(seq).alias("ledger_seq"))
        _insert(con, "resolve_link", links)
        counts = dict(decided.group_by("status").len().iter_rows())
        ledger.append(con, seq, actor, "resolve.link", {
            "source": {"name": source_name, "kind": kind, "file_name": file_name,
                       "file_sha256": file_sha256},
            "threshold": threshold, "review_floor": review_floor, "statuses": counts})
    return links.select("record_id", "uscc", "probability", "status", "link_id")


def _next_link_id(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT coalesce(max(link_id), 0) + 1 FROM resolve_link").fetchone()[0]


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    cols = [c for c in ledger.HASHED_TABLES[table]]
    register_frame(con, "incoming_resolve", frame.select(cols))
    try:
        con.execute(f"INSERT INTO {table} ({', '.join(cols)}, row_hash) "
                    f"SELECT *, {ledger.row_hash_sql(table, 'i')} FROM incoming_resolve i")
    finally:
        con.unregister("incoming_resolve")


def current_links(con: duckdb.DuckDBPyConnection, source_id: int | None = None) -> pl.DataFrame:
    sql = f"SELECT {', '.join(LINK_COLUMNS)} FROM resolve_link_current"
    params: list = []
    if source_id is not None:
        sql += " WHERE source_id = ?"
        params.append(source_id)
    return con.execute(sql + " ORDER BY link_id", params).pl()


def review_queue(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return con.execute(
        "SELECT link_id, source_id, record_id, name, uscc, enterprise_name, probability, evidence"
        " FROM resolve_review_queue ORDER BY probability DESC, link_id").pl()


def _in_force(con: duckdb.DuckDBPyConnection, link_id: int) -> dict:
    row = con.execute(f"SELECT {', '.join(LINK_COLUMNS)} FROM resolve_link WHERE link_id = ?",
                      [link_id]).fetchone()
    if row is None:
        raise ResolveError(f"there is no link {link_id}")
    link = dict(zip(LINK_COLUMNS, row, strict=True))
    latest = con.execute("SELECT link_id FROM resolve_link_current WHERE source_id = ? AND "
                         "record_id = ?", [link["source_id"], link["record_id"]]).fetchone()[0]
    if latest != link_id:
        raise ResolveError(f"link {link_id} is no longer in force: decision {latest} replaced it")
    return link


def _append_decision(store: Store, link: dict, actor: str, action: str, **changes) -> int:
    con = store.con
    with store.transaction():
        seq = ledger.next_seq(con)
        new_id = _next_link_id(con)
        row = dict(link, link_id=new_id, decided_by=actor, supersedes=link["link_id"],
                   ledger_seq=seq, **changes)
        _insert(con, "resolve_link", pl.DataFrame([row], schema_overrides={
            "uscc": pl.Utf8, "probability": pl.Float64, "evidence": pl.Utf8,
            "supersedes": pl.Int64}))
        ledger.append(con, seq, actor, action, {
            "link_id": new_id, "supersedes": link["link_id"], "source_id": link["source_id"],
            "record_id": link["record_id"], "uscc": row["uscc"], "status": row["status"]})
    return new_id


def decide(store: Store, link_id: int, accept: bool, actor: str) -> int:
    """Accept or reject a link in the review queue; returns the new decision's link_id."""
    link = _in_force(store.con, link_id)
    if link["status"] != "review":
        raise ResolveError(f"link {link_id} is not waiting for review (it is {link['status']})")
    return _append_decision(store, link, actor, "resolve.accept" if accept else "resolve.reject",
                            status="accepted" if accept else "rejected")


def undo(store: Store, link_id: int, actor: str) -> int:
    """Reverse decision `link_id`: back to the decision it replaced, or to no link at all (for
    the model's first decision). Undoing an undo restores what it undid."""
    con = store.con
    link = _in_force(con, link_id)
    if link["supersedes"] is not None:
        row = con.execute(f"SELECT {', '.join(LINK_COLUMNS)} FROM resolve_link WHERE link_id = ?",
                          [link["supersedes"]]).fetchone()
        before = dict(zip(LINK_COLUMNS, row, strict=True))
        restored = {k: before[k] for k in ("uscc", "probability", "status", "evidence")}
    else:
        restored = {"uscc": None, "status": "undone"}
    return _append_decision(store, link, actor, "resolve.undo", **restored)
