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

The linkage model of the store and the registry's name features (migration 0013_resolve_model):

    registry_records(store, after_seq=0) -> DataFrame   the enterprises' distinct names (each
                                        version's name and English name) read from versions
                                        written after `after_seq`
    features_seq(con) -> int            the newest version whose names have features
    versions_seq(con) -> int            the newest version of any enterprise
    write_features(store, features, counted)   add the features of new names and count their
                                        values (a cache, no ledger entry)
    scored_pairs(con, source, ...) -> DataFrame   a list's records scored against the registry
                                        names that share a blocking key with them, in one query
    exact_names(con, cleans) -> DataFrame   clean name -> uscc, for names of exactly one enterprise
    save_model(store, model, summary, scoring_sql, actor) -> int   a new model version (with
                                        its kept scoring SQL), one ledger entry
    latest_model(con) -> dict | None    the newest model (settings parsed, scoring SQL) and its
                                        summary
"""

from __future__ import annotations

import json
from typing import Any

import duckdb
import polars as pl

from districtlens.errors import InputError, NotFound, StoreError
from districtlens.store import ledger
from districtlens.store.db import Store, register_frame, sql_literal

LINK_COLUMNS = ledger.HASHED_TABLES["resolve_link"][:-1]  # without ledger_seq
IN_FORCE = ("linked", "accepted")  # statuses under which the row is that enterprise


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


# --- the linkage model and the registry's name features -----------------------------------------

FEATURE_KEY = "md5(concat_ws(chr(31), uscc, name, coalesce(name_en, ''), coalesce(address, '')))"


def registry_records(store: Store, after_seq: int = 0) -> pl.DataFrame:
    """feature_key, version_seq, uscc, name, name_en, address: one row per distinct name of an
    enterprise among versions written after `after_seq`, for enterprises still current: each
    version's name (former names included) with its English name, and the English name again as
    a name of its own, both with the current address."""
    return store.con.execute(
        f"""
        WITH names AS (
            SELECT v.uscc, v.name, v.name_en, c.address, v.ledger_seq
            FROM enterprise_version v JOIN enterprise_current c USING (uscc) WHERE v.ledger_seq > ?
            UNION ALL
            SELECT v.uscc, v.name_en, NULL, c.address, v.ledger_seq
            FROM enterprise_version v JOIN enterprise_current c USING (uscc)
            WHERE v.ledger_seq > ? AND v.name_en IS NOT NULL AND trim(v.name_en) <> ''
        )
        SELECT {FEATURE_KEY} AS feature_key, max(ledger_seq) AS version_seq, uscc, name, name_en, address
        FROM names
        GROUP BY ALL
        ORDER BY uscc, version_seq
        """,
        [after_seq, after_seq],
    ).pl()


def registered_codes(con: duckdb.DuckDBPyConnection, codes: list[str]) -> pl.DataFrame:
    """code, uscc: those of `codes` that are current enterprises."""
    register_frame(con, "incoming_codes", pl.DataFrame({"code": codes}, schema={"code": pl.Utf8}))
    try:
        return con.execute(
            "SELECT DISTINCT i.code, i.code AS uscc FROM incoming_codes i JOIN enterprise_current e ON e.uscc = i.code"
        ).pl()
    finally:
        con.unregister("incoming_codes")


def has_enterprises(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("SELECT EXISTS (SELECT 1 FROM enterprise_current)").fetchone() == (True,)


def all_features(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every cached name's features, current enterprises only, in a stable order."""
    return con.execute(
        "SELECT f.* FROM resolve_feature f SEMI JOIN enterprise_current e ON e.uscc = f.uscc ORDER BY f.feature_key"
    ).pl()


def features_seq(con: duckdb.DuckDBPyConnection) -> int:
    (seq,) = con.execute("SELECT coalesce(max(version_seq), 0) FROM resolve_feature").fetchall()[0]
    return int(seq)


def versions_seq(con: duckdb.DuckDBPyConnection) -> int:
    """The newest ledger seq of any enterprise version: when it is the cache's, nothing is new."""
    (seq,) = con.execute("SELECT coalesce(max(ledger_seq), 0) FROM enterprise_version").fetchall()[0]
    return int(seq)


def write_features(store: Store, features: pl.DataFrame, counted: list[str]) -> None:
    """Add features (feature_key, version_seq and the linker's feature columns) of names that have
    none, a name already there left alone, and count the new names' values of the `counted`
    columns into resolve_term_count. A cache of enterprise_version: no ledger entry."""
    if features.height == 0:
        return
    con = store.con
    cols = _feature_table_columns(con)
    counts = " UNION ALL ".join(
        f"SELECT {sql_literal(c)} AS column_name, {c} AS value, count(*) AS n FROM new_features"
        f" WHERE {c} IS NOT NULL GROUP BY ALL"
        for c in counted
    )
    with store.transaction():
        register_frame(con, "incoming_features", features.select(cols))
        try:
            con.execute(
                "CREATE OR REPLACE TEMP TABLE new_features AS SELECT i.* FROM incoming_features i"
                " ANTI JOIN resolve_feature f USING (feature_key)"
            )
            # Chinese names and English names apart: a list's candidates (mostly of its own
            # script) fall in fewer of the table's blocks (10 % less CPU for 100 rows at 1M).
            con.execute("INSERT INTO resolve_feature SELECT * FROM new_features ORDER BY script")
            if counted:
                con.execute(
                    f"MERGE INTO resolve_term_count t USING ({counts}) c USING (column_name, value)"
                    " WHEN MATCHED THEN UPDATE SET n = t.n + c.n WHEN NOT MATCHED THEN INSERT"
                )
        finally:
            con.execute("DROP TABLE IF EXISTS new_features")
            con.unregister("incoming_features")


def _feature_table_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [row[0] for row in con.execute("SELECT column_name FROM (DESCRIBE resolve_feature)").fetchall()]


def scored_pairs(
    con: duckdb.DuckDBPyConnection,
    source: pl.DataFrame,
    *,
    rules: list[str],
    max_block: int,
    tf_columns: list[str],
    scoring_sql: str,
    review_floor: float,
) -> pl.DataFrame:
    """A list's records (`source`, prepared features) scored against their registry candidates,
    in one query: unique_id_l (the list's), unique_id_r (the registry name's), uscc_r,
    match_probability and the per-field weights (mw_...), for the pairs at or above `review_floor`.

    A record's candidates are the registry names that share a blocking key with it under one of
    `rules` (Splink rules, `l.` the list, `r.` the registry); a rule that offers one record more
    than `max_block` names offers it none: so common a key is no evidence worth scoring. Each side
    gets tf_`column` for each of `tf_columns`: the share of the registry's names holding its
    value when a record of the list holds it too (else null), so that a common trade name counts
    as little among forty candidates as among a million names. `scoring_sql` is the model's kept
    SQL (linker.scoring_sql), reading the tables link_list and link_candidates defined here."""
    hits = " UNION ".join(
        "SELECT for_id, unique_id FROM (SELECT l.unique_id AS for_id, r.unique_id,"
        " count(*) OVER (PARTITION BY l.unique_id) AS n"
        f" FROM resolve_feature r JOIN incoming_list l ON {rule}) WHERE n <= {int(max_block)}"
        for rule in rules
    )

    def with_frequencies(alias: str) -> tuple[str, str]:
        # A value's share of the registry's names: its count over all names. Counted for the
        # list's values only: a frequency adjusts the weight of two equal values alone.
        return (
            "".join(f", tf_{c}.n / (SELECT greatest(count(*), 1) FROM resolve_feature) AS tf_{c}" for c in tf_columns),
            "".join(
                f" LEFT JOIN list_counts tf_{c} ON tf_{c}.column_name = {sql_literal(c)} AND tf_{c}.value = {alias}.{c}"
                for c in tf_columns
            ),
        )

    (list_tf, list_joins), (candidate_tf, candidate_joins) = with_frequencies("i"), with_frequencies("f")
    list_values = " UNION ".join(
        f"SELECT {sql_literal(c)} AS column_name, {c} AS value FROM incoming_list" for c in tf_columns
    )
    counts = (
        f"SELECT t.* FROM resolve_term_count t SEMI JOIN ({list_values}) v USING (column_name, value)"
        if tf_columns
        else "SELECT * FROM resolve_term_count WHERE false"
    )
    sql = f"""
        WITH hits AS ({hits}),
        list_counts AS MATERIALIZED ({counts}),
        link_list AS (SELECT i.*{list_tf} FROM incoming_list i{list_joins}),
        link_candidates AS (
            SELECT h.for_id, f.* EXCLUDE (feature_key, version_seq){candidate_tf}
            FROM resolve_feature f JOIN hits h USING (unique_id){candidate_joins}
        )
        SELECT unique_id_l, unique_id_r, uscc_r, match_probability, COLUMNS('^mw_')
        FROM ({scoring_sql}) WHERE match_probability >= {float(review_floor)}
        ORDER BY unique_id_l, unique_id_r
    """
    register_frame(con, "incoming_list", source)
    try:
        return con.execute(sql).pl()
    except duckdb.Error as exc:
        # A kept model that no longer fits the features (written by another version): say so.
        raise StoreError("resolve.list_unlinkable", reason=str(exc).splitlines()[0][:300]) from exc
    finally:
        con.unregister("incoming_list")


def exact_names(con: duckdb.DuckDBPyConnection, cleans: list[str]) -> pl.DataFrame:
    """clean, uscc: each of `cleans` that is a name (normalised, any version, Chinese or English)
    of exactly one enterprise (the cache holds the names of current enterprises only)."""
    register_frame(con, "incoming_names", pl.DataFrame({"clean": cleans}, schema={"clean": pl.Utf8}))
    try:
        return con.execute(
            "SELECT f.clean, any_value(f.uscc) AS uscc FROM resolve_feature f"
            " SEMI JOIN incoming_names i ON i.clean = f.clean"
            " GROUP BY f.clean HAVING count(DISTINCT f.uscc) = 1"
        ).pl()
    finally:
        con.unregister("incoming_names")


def save_model(store: Store, model: dict[str, Any], summary: dict[str, Any], scoring_sql: str, actor: str) -> int:
    """Store a trained model and its scoring SQL as the next version, with one ledger entry;
    returns the version."""
    con = store.con
    with store.transaction():
        seq = ledger.next_seq(con)
        (version,) = con.execute("SELECT coalesce(max(version), 0) + 1 FROM resolve_model").fetchall()[0]
        trained_at = ledger.now_iso()
        con.execute(
            "INSERT INTO resolve_model VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                version,
                trained_at,
                summary["records"],
                summary["enterprises"],
                summary["labelled_pairs"],
                summary["method"],
                json.dumps(model, ensure_ascii=False),
                seq,
                scoring_sql,
            ],
        )
        ledger.append(con, seq, actor, "resolve.train", {"version": version, "trained_at": trained_at, **summary})
    return int(version)


def latest_model(con: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    """The newest model: version, trained_at, records, enterprises, labelled_pairs, method,
    settings (parsed) and scoring_sql (None for a model kept before migration 0016); None if the
    store has none."""
    row = con.execute(
        "SELECT version, trained_at, records, enterprises, labelled_pairs, method, settings, scoring_sql"
        " FROM resolve_model ORDER BY version DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    keys = ("version", "trained_at", "records", "enterprises", "labelled_pairs", "method", "settings", "scoring_sql")
    out = dict(zip(keys, row, strict=True))
    out["settings"] = json.loads(out["settings"])
    return out
