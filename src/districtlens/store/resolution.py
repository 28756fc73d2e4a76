"""Entity resolution in the store: rows of code-less sources linked to registered enterprises.

Tables (migration 0002_resolve.sql, both hashed by the ledger): `resolve_record` holds each row of
an imported source as given; `resolve_link` holds decisions, append-only: the model's first
decision for a row, then any person's accept / reject, then any undo, each a new row with a new
`link_id` that `supersedes` the one before. `resolve_link_current` is the decision in force;
`resolve_review_queue` the rows waiting for a person. Every call below that writes is one
transaction with one ledger entry.

Linking a list to the registry (the model's decisions) is a workflow of the command layer
(districtlens.commands.linking), which stores its outcome through `write_links`.

    review_queue(con) -> DataFrame      links waiting for a person (link_id, record, candidate)
    decide(store, link_id, accept, actor) -> int     accept or reject a queued link; new link_id
    undo(store, link_id, actor) -> int  reverse the decision `link_id` (it must be in force): the
                                        row returns to the decision before it, or to no link;
                                        nothing is deleted, both records stay
    current_links(con, source_id=None) -> DataFrame  the decisions in force
    decision(con, link_id) -> dict      one decision (link), in force or not; NotFound if none
"""

from __future__ import annotations

from typing import Any

import duckdb
import polars as pl

from districtlens.errors import InputError, NotFound
from districtlens.store import ledger
from districtlens.store.db import Store, register_frame

LINK_COLUMNS = ledger.HASHED_TABLES["resolve_link"][:-1]  # without ledger_seq
IN_FORCE = ("linked", "accepted")  # statuses under which the row is that enterprise


def registry_names(store: Store) -> pl.DataFrame:
    """uscc, name, name_en, address of every current enterprise: what a list is linked against."""
    return store.con.execute("SELECT uscc, name, name_en, address FROM enterprise_current ORDER BY uscc").pl()


def write_links(
    store: Store,
    records: pl.DataFrame,
    decided: pl.DataFrame,
    *,
    source: dict[str, Any],
    threshold: float,
    review_floor: float,
    actor: str,
) -> pl.DataFrame:
    """Store a source's records and the model's first decision for each, with one ledger entry.
    `decided`: record_id, uscc, probability, status, evidence. Returns record_id, uscc,
    probability, status, link_id."""
    con = store.con
    with store.transaction():
        seq = ledger.next_seq(con)
        first = _next_link_id(con)
        ledger.insert_source(
            con,
            seq,
            name=source["name"],
            kind=source["kind"],
            file_name=source.get("file_name"),
            file_sha256=source.get("file_sha256"),
        )
        rows = records.with_columns(pl.lit(seq).alias("source_id"), pl.lit(seq).alias("ledger_seq"))
        _insert(con, "resolve_record", rows)
        links = decided.with_row_index("n").select(
            (pl.col("n").cast(pl.Int64) + first).alias("link_id"),
            pl.lit(seq).alias("source_id"),
            "record_id",
            "uscc",
            "probability",
            "status",
            "evidence",
            pl.lit("model").alias("decided_by"),
            pl.lit(None, pl.Int64).alias("supersedes"),
            pl.lit(seq).alias("ledger_seq"),
        )
        _insert(con, "resolve_link", links)
        counts = dict(decided.group_by("status").len().iter_rows())
        ledger.append(
            con,
            seq,
            actor,
            "resolve.link",
            {
                "source": {
                    "name": source["name"],
                    "kind": source["kind"],
                    "file_name": source.get("file_name"),
                    "file_sha256": source.get("file_sha256"),
                },
                "threshold": threshold,
                "review_floor": review_floor,
                "statuses": counts,
            },
        )
    return links.select("record_id", "uscc", "probability", "status", "link_id")


def _next_link_id(con: duckdb.DuckDBPyConnection) -> int:
    (next_id,) = con.execute("SELECT coalesce(max(link_id), 0) + 1 FROM resolve_link").fetchall()[0]
    return int(next_id)


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    cols = [c for c in ledger.HASHED_TABLES[table]]
    register_frame(con, "incoming_resolve", frame.select(cols))
    try:
        con.execute(
            f"INSERT INTO {table} ({', '.join(cols)}, row_hash) "
            f"SELECT *, {ledger.row_hash_sql(table, 'i')} FROM incoming_resolve i"
        )
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
        " FROM resolve_review_queue ORDER BY probability DESC, link_id"
    ).pl()


def decision(con: duckdb.DuckDBPyConnection, link_id: int) -> dict[str, Any]:
    row = con.execute(f"SELECT {', '.join(LINK_COLUMNS)} FROM resolve_link WHERE link_id = ?", [link_id]).fetchone()
    if row is None:
        raise NotFound("link.unknown", link_id=link_id)
    return dict(zip(LINK_COLUMNS, row, strict=True))


def _in_force(con: duckdb.DuckDBPyConnection, link_id: int) -> dict[str, Any]:
    link = decision(con, link_id)
    (latest,) = con.execute(
        "SELECT link_id FROM resolve_link_current WHERE source_id = ? AND record_id = ?",
        [link["source_id"], link["record_id"]],
    ).fetchall()[0]
    if latest != link_id:
        raise InputError("link.superseded", link_id=link_id, latest=latest)
    return link


def _append_decision(store: Store, link: dict, actor: str, action: str, **changes) -> int:
    con = store.con
    with store.transaction():
        seq = ledger.next_seq(con)
        new_id = _next_link_id(con)
        row = dict(link, link_id=new_id, decided_by=actor, supersedes=link["link_id"], ledger_seq=seq, **changes)
        _insert(
            con,
            "resolve_link",
            pl.DataFrame(
                [row],
                schema_overrides={
                    "uscc": pl.Utf8,
                    "probability": pl.Float64,
                    "evidence": pl.Utf8,
                    "supersedes": pl.Int64,
                },
            ),
        )
        ledger.append(
            con,
            seq,
            actor,
            action,
            {
                "link_id": new_id,
                "supersedes": link["link_id"],
                "source_id": link["source_id"],
                "record_id": link["record_id"],
                "uscc": row["uscc"],
                "status": row["status"],
            },
        )
    return new_id


def decide(store: Store, link_id: int, accept: bool, actor: str) -> int:
    """Accept or reject a link in the review queue; returns the new decision's link_id."""
    link = _in_force(store.con, link_id)
    if link["status"] != "review":
        raise InputError("link.not_in_review", link_id=link_id, status=link["status"])
    return _append_decision(
        store,
        link,
        actor,
        "resolve.accept" if accept else "resolve.reject",
        status="accepted" if accept else "rejected",
    )


def undo(store: Store, link_id: int, actor: str) -> int:
    """Reverse decision `link_id`: back to the decision it replaced, or to no link at all (for
    the model's first decision). Undoing an undo restores what it undid."""
    con = store.con
    link = _in_force(con, link_id)
    if link["supersedes"] is not None:
        before = decision(con, link["supersedes"])
        restored = {k: before[k] for k in ("uscc", "probability", "status", "evidence")}
    else:
        restored = {"uscc": None, "status": "undone"}
    return _append_decision(store, link, actor, "resolve.undo", **restored)
