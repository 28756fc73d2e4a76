"""Writing a district pack's rows (made by ingest.packs.pack_rows) into the store's pack tables, as
one ledgered write."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from districtlens.errors import StoreError
from districtlens.store import ledger
from districtlens.store.db import Store

ACTION = "pack.load"


@dataclass(frozen=True)
class PackRows:
    """A pack as the store keeps it: its rows per table (columns in ledger.HASHED_TABLES order
    without ledger_seq), where it was read from and the digest of its files."""

    id: str
    district_adcode: str
    path: str
    digest: str
    rows: dict[str, list[list[Any]]]


def write_pack(store: Store, pack: PackRows, actor: str) -> ledger.Entry:
    """Insert a pack's rows into district_pack, zone, carrier, track and claim, with one ledger entry.

    All or nothing. JSON columns hold canonical JSON text (sorted keys, no spaces). A `source`
    row (kind 'pack') records where the pack came from. Refuses, writing nothing, when the pack
    is already loaded (reloading is not supported yet) or when one of its ids is taken by
    another pack's row (ids are keys across packs).
    """
    loaded = store.con.execute("SELECT ledger_seq FROM district_pack WHERE pack_id = ?", [pack.id]).fetchone()
    if loaded:
        raise StoreError("pack.already_loaded", pack=pack.id, ledger_seq=loaded[0])
    rows = pack.rows
    try:
        with store.transaction() as con:
            seq = ledger.next_seq(con)
            ledger.insert_source(con, seq, name=pack.id, kind="pack", file_name=pack.path, file_sha256=pack.digest)
            for table, table_rows in rows.items():
                _insert(con, table, [[*row, seq] for row in table_rows])
            return ledger.append(
                con,
                seq,
                actor,
                ACTION,
                {
                    "pack_id": pack.id,
                    "district_adcode": pack.district_adcode,
                    "source_id": seq,
                    "counts": {table: len(table_rows) for table, table_rows in rows.items()},
                },
            )
    except duckdb.ConstraintException as exc:
        raise StoreError("pack.id_taken", pack=pack.id, reason=str(exc)) from exc


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[Sequence[Any]]) -> None:
    """INSERT ... SELECT with the row hash computed in SQL over values cast to the column types.

    The cast happens before hashing so the hash covers exactly what the table stores (an int
    given for a DOUBLE column hashes as the stored '1200000.0', not '1200000').
    """
    if not rows:
        return
    columns = list(ledger.HASHED_TABLES[table])
    types = dict(
        con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?",
            [table],
        ).fetchall()
    )
    typed = ", ".join(f"CAST(? AS {types[c]}) AS {c}" for c in columns)
    names = ", ".join(columns)
    con.executemany(
        f"INSERT INTO {table} ({names}, row_hash) SELECT {names}, {ledger.row_hash_sql(table)} FROM (SELECT {typed})",
        [list(row) for row in rows],
    )
