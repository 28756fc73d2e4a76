"""The ledger: a hash chain over every write, and content hashes over every row it wrote.

Each entry's hash is SHA-256 over the canonical JSON of (seq, ts, actor, action, payload) and
the previous entry's hash, so an altered, removed or reordered entry breaks the chain. Each row of
a hashed table carries `row_hash` (SHA-256 over its other columns) and the `ledger_seq` of the
entry that wrote it; the entry's payload records, per table, the count and a digest of the row
hashes it wrote. The digest is order-free, so that neither writing nor verifying has to sort
millions of rows: SHA-256 over the sums of the four 64-bit lanes of the row hashes (an additive
multiset hash, exact in HUGEINT). `verify` recomputes all three, so a row edited, added or removed behind
districtlens's back is caught even when whoever did it also rewrote `row_hash`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import duckdb

from districtlens.i18n import t
from districtlens.store.db import AFTER_MIGRATION, one_row, register_frame, scalar

if TYPE_CHECKING:
    import polars as pl

GENESIS = "0" * 64
DIGEST_BATCH = 131_072  # row hashes read at a time to digest a write's rows: 8 MiB of text

# Every table whose rows the ledger vouches for, with the columns its row hash covers, in order.
HASHED_TABLES: dict[str, tuple[str, ...]] = {
    # Where each write's rows came from: the file's name and SHA-256 are what a reader checks a
    # figure's origin by, so they are vouched for like the rows themselves.
    "source": ("source_id", "name", "kind", "file_name", "file_sha256", "imported_at", "ledger_seq"),
    "capacity_block": (
        "carrier_id",
        "schedule_version",
        "use",
        "available_from",
        "area_m2",
        "synthetic",
        "note",
        "source_id",
        "ledger_seq",
    ),
    "tenancy_version": (
        "lease_key",
        "version",
        "carrier_id",
        "tenant_name",
        "uscc_given",
        "resolve_source_id",
        "resolve_record_id",
        "use",
        "area_m2",
        "lease_start",
        "lease_end",
        "synthetic",
        "source_id",
        "source_row",
        "valid_from",
        "ledger_seq",
    ),
    "pipeline_project": (
        "project_id",
        "version",
        "carrier_id",
        "name",
        "track_id",
        "ladder",
        "intake_date",
        "uscc",
        "graduated_on",
        "synthetic",
        "source_id",
        "valid_from",
        "ledger_seq",
    ),
    "pipeline_stage_event": ("project_id", "stage", "version", "entered_on", "synthetic", "source_id", "ledger_seq"),
    "programme_version": (
        "programme_id",
        "version",
        "district_adcode",
        "name_zh",
        "name_en",
        "name_fr",
        "thresholds",
        "note",
        "definition_sha256",
        "source_id",
        "valid_from",
        "ledger_seq",
    ),
    "programme_action": (
        "programme_id",
        "version",
        "action_id",
        "position",
        "name_zh",
        "name_en",
        "name_fr",
        "named_by",
        "note",
        "ledger_seq",
    ),
    "programme_kpi": (
        "programme_id",
        "version",
        "action_id",
        "kpi_id",
        "position",
        "name_zh",
        "name_en",
        "name_fr",
        "unit",
        "measure",
        "direction",
        "baseline",
        "targets",
        "thresholds",
        "note",
        "ledger_seq",
    ),
    "resolve_record": ("source_id", "record_id", "name", "name_en", "uscc", "address", "ledger_seq"),
    "resolve_link": (
        "link_id",
        "source_id",
        "record_id",
        "uscc",
        "probability",
        "status",
        "evidence",
        "decided_by",
        "supersedes",
        "ledger_seq",
    ),
    "enterprise_version": (
        "uscc",
        "version",
        "name",
        "name_en",
        "legal_form",
        "founded",
        "status",
        "address",
        "district_adcode",
        "street_code",
        "zone_id",
        "located_by",
        "industry_code",
        "business_scope",
        "tags",
        "ownership_type",
        "hq_status",
        "synthetic",
        "source_id",
        "valid_from",
        "ledger_seq",
    ),
    "fact_version": (
        "uscc",
        "year",
        "version",
        "revenue",
        "tax",
        "employees",
        "rd_spend",
        "synthetic",
        "source_id",
        "valid_from",
        "ledger_seq",
    ),
    "district_pack": ("pack_id", "district_adcode", "name_zh", "name_en", "name_fr", "peers", "ledger_seq"),
    "zone": (
        "zone_id",
        "pack_id",
        "district_adcode",
        "name_zh",
        "name_en",
        "name_fr",
        "role",
        "orientation",
        "orientation_note",
        "streets",
        "roads",
        "polygon",
        "lon",
        "lat",
        "ledger_seq",
    ),
    "carrier": (
        "carrier_id",
        "pack_id",
        "name_zh",
        "name_en",
        "name_fr",
        "kind",
        "level",
        "zone_id",
        "district_adcode",
        "floor_space_m2",
        "area_km2",
        "lon",
        "lat",
        "synthetic",
        "note",
        "ledger_seq",
    ),
    "track": ("track_id", "pack_id", "name_zh", "name_en", "name_fr", "classes", "keywords", "ledger_seq"),
    "web_user": ("username", "version", "role", "carriers", "password_hash", "active", "valid_from", "ledger_seq"),
    "entry_model": ("version", "file_name", "model_sha256", "meta", "valid_from", "ledger_seq"),
    "statistic": (
        "adcode",
        "district",
        "year",
        "indicator",
        "version",
        "value",
        "unit",
        "value_base",
        "unit_base",
        "measure",
        "note",
        "source_url",
        "source_doc",
        "source_id",
        "ledger_seq",
    ),
    "claim": (
        "claim_id",
        "pack_id",
        "quote",
        "quote_lang",
        "translations",
        "source",
        "source_date",
        "subject",
        "asserted",
        "comparison",
        "query",
        "ledger_seq",
    ),
    "pool_firm": (
        "pool_id",
        "version",
        "firm_id",
        "name",
        "name_en",
        "country",
        "province_code",
        "city_code",
        "district_code",
        "address",
        "sector",
        "sector_en",
        "revenue",
        "employees",
        "rank",
        "linked_uscc",
        "source_sha256",
        "ledger_seq",
    ),
    "lead_version": (
        "lead_id",
        "version",
        "track_id",
        "area",
        "target_key",
        "name",
        "place",
        "mode",
        "owner",
        "status",
        "carrier_id",
        "zone_id",
        "next_step",
        "next_date",
        "note",
        "changed_on",
        "valid_from",
        "ledger_seq",
    ),
    "scenario": ("scenario_id", "name", "area", "track_id", "definition", "ledger_seq"),
    "read_document": ("doc_sha256", "name", "format", "language", "text", "ledger_seq"),
    "claim_proposal": (
        "proposal_id",
        "doc_sha256",
        "language",
        "quote",
        "span_start",
        "span_end",
        "figure",
        "query",
        "kind",
        "comparison",
        "subject",
        "district_adcode",
        "ledger_seq",
    ),
    "claim_decision": ("proposal_id", "decision", "claim_id", "decided_by", "ledger_seq"),
}

# Columns added to a hashed table after rows were written (migration 0010): a NULL is left out of
# the row hash, so that those rows keep theirs; a value enters it as `column=value`, so that two
# such columns cannot trade values unseen.
OPTIONAL_HASHED: dict[str, frozenset[str]] = {
    "enterprise_version": frozenset({"ownership_type", "hq_status"}),
    "zone": frozenset({"lon", "lat"}),
}


# The current-state views of the versioned tables: (history table, key columns). A view shows
# the versions no later version superseded (migration 0007).
CURRENT: dict[str, tuple[str, tuple[str, ...]]] = {
    "enterprise_current": ("enterprise_version", ("uscc",)),
    "fact_current": ("fact_version", ("uscc", "year")),
}


def supersede(con: duckdb.DuckDBPyConnection, written: dict[str, str], seq: int) -> None:
    """Mark, as superseded by entry `seq`, the versions whose keys the write gives a new one.

    `written` names, per history table, the relation holding exactly the rows the write adds to
    it, each the new latest version of its key (before or after they are inserted: only older
    versions are marked). Only the superseded rows change, so a write costs what it adds, not a
    copy of the current state."""
    for history, keys in CURRENT.values():
        if history not in written:
            continue
        match = " AND ".join(f"{history}.{k} = w.{k}" for k in keys)
        con.execute(
            f"UPDATE {history} SET superseded_seq = ? FROM {written[history]} w"
            f" WHERE {match} AND {history}.version < w.version AND {history}.superseded_seq IS NULL",
            [seq],
        )


def insert_hashed(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Insert `frame` (the table's hashed columns) with each row's hash computed in SQL over the
    values cast to the column types, so the hash covers exactly what the table stores."""
    if frame.is_empty():
        return
    columns = list(HASHED_TABLES[table])
    types = dict(
        con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?", [table]
        ).fetchall()
    )
    typed = ", ".join(f"CAST(i.{c} AS {types[c]}) AS {c}" for c in columns)
    register_frame(con, "incoming_hashed_rows", frame.select(columns))
    try:
        con.execute(
            f"INSERT INTO {table} ({', '.join(columns)}, row_hash)"
            f" SELECT *, {row_hash_sql(table)} FROM (SELECT {typed} FROM incoming_hashed_rows i)"
        )
    finally:
        con.unregister("incoming_hashed_rows")


def insert_source(
    con: duckdb.DuckDBPyConnection,
    seq: int,
    *,
    name: str,
    kind: str,
    file_name: str | None,
    file_sha256: str | None,
) -> None:
    """Record the source of write `seq` (its id is the seq), hashed like every vouched-for row."""
    columns = ", ".join(HASHED_TABLES["source"])
    con.execute(
        f"INSERT INTO source ({columns}, row_hash) SELECT {columns}, {row_hash_sql('source')}"
        " FROM (SELECT ? AS source_id, ? AS name, ? AS kind, ? AS file_name, ? AS file_sha256,"
        " ? AS imported_at, ? AS ledger_seq)",
        [seq, name, kind, file_name, file_sha256, now_iso(), seq],
    )


def adopt_sources(con: duckdb.DuckDBPyConnection) -> None:
    """Vouch for the sources written before the ledger hashed them (migration source_provenance):
    one entry records them, as they are when the migration runs."""
    count = scalar(con, "SELECT count(*) FROM source WHERE row_hash IS NULL")
    if not count:
        return
    seq = next_seq(con)
    con.execute("UPDATE source SET ledger_seq = ? WHERE row_hash IS NULL", [seq])
    con.execute(f"UPDATE source SET row_hash = {row_hash_sql('source')} WHERE row_hash IS NULL")
    append(con, seq, "districtlens", "ledger.adopt_sources", {"sources": count})


def row_hash_sql(table: str, alias: str = "") -> str:
    """The SQL expression of a row's hash; NULL and the empty string hash differently."""
    prefix = f"{alias}." if alias else ""
    optional = OPTIONAL_HASHED.get(table, frozenset())
    parts = ", ".join(
        f"'{col}=' || CAST({prefix}{col} AS VARCHAR)"
        if col in optional
        else f"coalesce(CAST({prefix}{col} AS VARCHAR), chr(30))"
        for col in HASHED_TABLES[table]
    )
    return f"sha256(concat_ws(chr(31), {parts}))"


ROWS_DIGEST_SQL = (
    "sha256(concat_ws(':', "
    + ", ".join(f"coalesce(sum(('0x' || substr(row_hash, {1 + 16 * lane}, 16))::UBIGINT), 0)" for lane in range(4))
    + "))"
)


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(seq: int, ts: str, actor: str, action: str, payload: str, prev_hash: str) -> str:
    body = canonical({"seq": seq, "ts": ts, "actor": actor, "action": action, "payload": payload})
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def last_seq(con: duckdb.DuckDBPyConnection) -> int:
    """The seq of the latest entry (0 for an empty ledger): every write adds one, so it names the
    data a reader sees."""
    seq: int = scalar(con, "SELECT coalesce(max(seq), 0) FROM ledger")
    return seq


def next_seq(con: duckdb.DuckDBPyConnection) -> int:
    """The seq the next entry will take; rows written in this transaction carry it."""
    return last_seq(con) + 1


def head(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute("SELECT hash FROM ledger ORDER BY seq DESC LIMIT 1").fetchone()
    return row[0] if row else GENESIS


def table_digests(
    con: duckdb.DuckDBPyConnection, seq: int, written: dict[str, str] | None = None
) -> dict[str, dict[str, Any]]:
    """Per hashed table, the count and digest of the rows entry `seq` wrote. `written` may name,
    per table, a relation holding exactly those rows (as for `supersede`): digesting it
    spares filtering a large table for the entry's rows; `verify` digests the tables themselves."""
    written = written or {}
    digests = {}
    # A step run after a migration (`db.AFTER_MIGRATION`) writes before later migrations have
    # created their tables; a table that does not exist holds no rows of the entry.
    present = {row[0] for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    for table in HASHED_TABLES:
        if table not in written and table not in present:
            continue
        if table in written:
            count, digest = _rows_digest(con, written[table])
        else:
            count, digest = one_row(con, f"SELECT count(*), {ROWS_DIGEST_SQL} FROM {table} WHERE ledger_seq = ?", [seq])
        if count:
            digests[table] = {"rows": count, "digest": digest}
    return digests


def _rows_digest(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[int, str]:
    """The count and ROWS_DIGEST_SQL of a relation's rows, summed here rather than in SQL, which
    builds and parses a text for each lane of each row. The hashes are read in batches, to
    keep the text of a million of them out of memory at once; lanes are summed as their 32-bit
    halves, exactly in 64 bits below 2**32 rows."""
    count = 0
    # numpy and polars only here: reading the head or the log needs neither (the CLI starts faster).
    import numpy as np
    import polars as pl

    halves = np.zeros(8, dtype=np.uint64)
    for batch in con.execute(f"SELECT row_hash FROM {relation}").to_arrow_reader(DIGEST_BATCH):
        hashes = pl.Series(batch.column(0))
        count += hashes.len()
        words = np.frombuffer(bytes.fromhex(hashes.str.join("").item()), dtype=">u4").reshape(-1, 8)
        halves += words.sum(axis=0, dtype=np.uint64)
    lanes = [(int(halves[2 * lane]) << 32) + int(halves[2 * lane + 1]) for lane in range(4)]
    return count, hashlib.sha256(":".join(map(str, lanes)).encode("ascii")).hexdigest()


@dataclass(frozen=True)
class Entry:
    seq: int
    ts: str
    actor: str
    action: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str


def append(
    con: duckdb.DuckDBPyConnection,
    seq: int,
    actor: str,
    action: str,
    payload: dict[str, Any],
    *,
    written: dict[str, str] | None = None,
) -> Entry:
    """Record a write. Call inside the write's transaction, after its rows (tagged `seq`) exist;
    `written` as for `table_digests`."""
    if seq != next_seq(con):
        raise RuntimeError(f"ledger seq {seq} is not the next one ({next_seq(con)})")
    full_payload = dict(payload, rows=table_digests(con, seq, written))
    ts = now_iso()
    text = canonical(full_payload)
    prev = head(con)
    digest = entry_hash(seq, ts, actor, action, text, prev)
    con.execute("INSERT INTO ledger VALUES (?, ?, ?, ?, ?, ?, ?)", [seq, ts, actor, action, text, prev, digest])
    return Entry(seq, ts, actor, action, full_payload, prev, digest)


def entries(con: duckdb.DuckDBPyConnection, limit: int | None = None) -> list[Entry]:
    sql = "SELECT seq, ts, actor, action, payload, prev_hash, hash FROM ledger ORDER BY seq DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return [Entry(s, ts, a, act, json.loads(p), ph, h) for s, ts, a, act, p, ph, h in con.execute(sql).fetchall()]


@dataclass(frozen=True)
class Verdict:
    intact: bool
    entries: int
    rows: int
    problem: str | None = None  # the first break, in English (`problem_key` says it in any language)
    checkpoint: int | None = None  # the seq of the signed checkpoint the ledger was checked against
    problem_key: str | None = None  # a message key (ledger.problem.*) ...
    problem_values: dict[str, Any] | None = None  # ... and its values


def _broken(entries: int, checked: int, problem_key: str, checkpoint: int | None = None, **values: Any) -> Verdict:
    """A verdict naming the first break by its message key (ledger.problem.`problem_key`) and values."""
    key = f"ledger.problem.{problem_key}"
    return Verdict(False, entries, checked, t(key, "en", **values), checkpoint, key, values)


def against_checkpoint(con: duckdb.DuckDBPyConnection, verdict: Verdict, seq: int, head_hash: str) -> Verdict:
    """`verdict` (of an intact ledger), also checked against a checkpoint: the entry at `seq` must
    still hash to `head_hash`. A ledger rewritten since, even consistently, fails here."""
    row = con.execute("SELECT hash FROM ledger WHERE seq = ?", [seq]).fetchone()
    if row is None:
        return _broken(verdict.entries, verdict.rows, "checkpoint_entry_removed", seq, seq=seq)
    if row[0] != head_hash:
        return _broken(verdict.entries, verdict.rows, "checkpoint_rewritten", seq, seq=seq)
    return Verdict(True, verdict.entries, verdict.rows, None, seq)


def verify(con: duckdb.DuckDBPyConnection) -> Verdict:
    """Check the chain, every row's hash, and every entry's row digests; name the first break."""
    rows = con.execute("SELECT seq, ts, actor, action, payload, prev_hash, hash FROM ledger ORDER BY seq").fetchall()
    prev = GENESIS
    recorded: dict[int, dict[str, Any]] = {}
    for expected_seq, (seq, ts, actor, action, payload, prev_hash, digest) in enumerate(rows, 1):
        if seq != expected_seq:
            return _broken(len(rows), 0, "entry_missing", expected=expected_seq, seq=seq)
        if prev_hash != prev:
            return _broken(len(rows), 0, "not_chained", seq=seq, previous=seq - 1)
        if entry_hash(seq, ts, actor, action, payload, prev_hash) != digest:
            return _broken(len(rows), 0, "entry_altered", seq=seq, action=action)
        recorded[seq] = json.loads(payload).get("rows", {})
        prev = digest

    checked = 0
    for table in HASHED_TABLES:
        altered = con.execute(
            f"SELECT ledger_seq, row_hash FROM {table}"
            f" WHERE row_hash <> {row_hash_sql(table)} ORDER BY ledger_seq LIMIT 1"
        ).fetchone()
        if altered:
            key = _row_key(con, table, altered[1])
            return _broken(len(rows), checked, "row_changed", table=table, row=key, seq=altered[0])
        found = {
            seq: {"rows": n, "digest": d}
            for seq, n, d in con.execute(
                f"SELECT ledger_seq, count(*), {ROWS_DIGEST_SQL} FROM {table} GROUP BY ledger_seq"
            ).fetchall()
        }
        checked += sum(v["rows"] for v in found.values())
        for seq in sorted(set(found) | {s for s, tables in recorded.items() if table in tables}):
            want = recorded.get(seq, {}).get(table)
            have = found.get(seq)
            if want != have:
                key, values = _digest_problem(table, seq, want, have)
                return _broken(len(rows), checked, key, table=table, seq=seq, **values)
    for view, (history, keys) in CURRENT.items():
        # Each version must be superseded by the entry that wrote the next one, and the latest
        # by none: otherwise the view would show an old version, or two, or none.
        key_list = ", ".join(keys)
        stray = con.execute(
            f"SELECT {key_list} FROM (SELECT {key_list}, superseded_seq,"
            f" lead(ledger_seq) OVER (PARTITION BY {key_list} ORDER BY version) AS next_seq FROM {history})"
            f" WHERE superseded_seq IS DISTINCT FROM next_seq ORDER BY {key_list} LIMIT 1"
        ).fetchone()
        if stray:
            key = ", ".join(f"{k}={v}" for k, v in zip(keys, stray, strict=True))
            return _broken(len(rows), checked, "stale_current", view=view, row=key)
    return Verdict(True, len(rows), checked)


def _row_key(con: duckdb.DuckDBPyConnection, table: str, row_hash: str) -> str:
    key_cols = HASHED_TABLES[table][:3]
    values = one_row(con, f"SELECT {', '.join(key_cols)} FROM {table} WHERE row_hash = ? LIMIT 1", [row_hash])
    return ", ".join(f"{c}={v}" for c, v in zip(key_cols, values, strict=True))


def _digest_problem(
    table: str, seq: int, want: dict[str, Any] | None, have: dict[str, Any] | None
) -> tuple[str, dict[str, Any]]:
    """Why the rows the ledger recorded for entry `seq` (`want`) differ from those held (`have`):
    a ledger.problem key and its values beyond table and seq."""
    if want is None:
        if have is None:
            raise ValueError(f"{table} entry {seq}: nothing recorded and nothing held do not differ")
        return "rows_unrecorded", {"rows": have["rows"]}
    if have is None:
        return "rows_removed", {"rows": want["rows"]}
    if want["rows"] != have["rows"]:
        return "rows_count", {"recorded": want["rows"], "held": have["rows"]}
    return "rows_replaced", {}


AFTER_MIGRATION["source_provenance"] = adopt_sources
