"""Writing a district pack (packs/) into the store's pack tables, as one ledgered write."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import duckdb

from districtlens.packs import Pack
from districtlens.store import ledger
from districtlens.store.db import Store, StoreError

ACTION = "pack.load"


def write_pack(store: Store, pack: Pack, actor: str) -> ledger.Entry:
    """Insert `pack` into district_pack, zone, carrier, track and claim, with one ledger entry.

    All or nothing. JSON columns hold canonical JSON text (sorted keys, no spaces). A `source`
    row (kind 'pack') records where the pack came from. Refuses, writing nothing, when the pack
    is already loaded (reloading is not supported yet) or when one of its ids is taken by
    another pack's row (ids are keys across packs).
    """
    loaded = store.con.execute(
        "SELECT ledger_seq FROM district_pack WHERE pack_id = ?", [pack.id]
    ).fetchone()
    if loaded:
        raise StoreError(
            f"pack {pack.id!r} is already loaded (ledger entry {loaded[0]}); "
            "reloading a pack is not supported yet"
        )
    rows = _rows(pack)
    try:
        with store.transaction() as con:
            seq = ledger.next_seq(con)
            con.execute(
                "INSERT INTO source VALUES (?, ?, 'pack', ?, ?, ?)",
                [seq, pack.id, str(pack.path), _pack_digest(pack), ledger.now_iso()],
            )
            for table, table_rows in rows.items():
                _insert(con, table, [[*row, seq] for row in table_rows])
            return ledger.append(
                con,
                seq,
                actor,
                ACTION,
                {
                    "pack_id": pack.id,
                    "district_adcode": pack.district.adcode,
                    "source_id": seq,
                    "counts": {table: len(table_rows) for table, table_rows in rows.items()},
                },
            )
    except duckdb.ConstraintException as exc:
        raise StoreError(
            f"pack {pack.id!r} was not loaded: one of its ids is already used by "
            f"another pack ({exc})"
        ) from exc


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
        f"INSERT INTO {table} ({names}, row_hash) "
        f"SELECT {names}, {ledger.row_hash_sql(table)} FROM (SELECT {typed})",
        [list(row) for row in rows],
    )


def _json(value: Any) -> str | None:
    return None if value is None else ledger.canonical(value)


def _rows(pack: Pack) -> dict[str, list[list[Any]]]:
    """The pack's rows per table, columns in ledger.HASHED_TABLES order without ledger_seq."""
    adcode = pack.district.adcode
    district = [
        [
            pack.id,
            adcode,
            pack.district.names.zh,
            pack.district.names.en,
            pack.district.names.fr,
            _json(pack.district.peers),
        ]
    ]
    zones = [
        [
            z.id,
            pack.id,
            adcode,
            z.names.zh,
            z.names.en,
            z.names.fr,
            z.role,
            _json(z.orientation),
            z.orientation_note,
            _json(z.streets),
            _json(z.roads),
            _json(z.polygon),
        ]
        for z in pack.zones
    ]
    carriers = [
        [
            c.id,
            pack.id,
            c.names.zh,
            c.names.en,
            c.names.fr,
            c.kind,
            c.level,
            c.zone,
            c.district_adcode or adcode,
            c.floor_space_m2,
            c.area_km2,
            c.lon,
            c.lat,
            c.synthetic,
            c.note,
        ]
        for c in pack.carriers
    ]
    tracks = [
        [
            t.id,
            pack.id,
            t.names.zh,
            t.names.en,
            t.names.fr,
            _json(t.classes),
            _json(_keywords(t.keywords)),
        ]
        for t in pack.tracks
    ]
    claims = []
    for c in pack.claims:
        source = pack.source(c.source)
        claims.append(
            [
                c.id,
                pack.id,
                c.quote,
                c.quote_lang,
                _json(c.translations),
                source.title,
                source.date,
                c.subject,
                _json(c.asserted),
                c.comparison,
                _json(c.query),
            ]
        )
    return {
        "district_pack": district,
        "zone": zones,
        "carrier": carriers,
        "track": tracks,
        "claim": claims,
    }


def _keywords(by_language: dict[str, list[str]]) -> list[str]:
    """One list, Chinese first (business scopes are Chinese), without repeats."""
    ordered = [
        *by_language.get("zh", []),
        *by_language.get("en", []),
        *(
            w
            for lang, words in sorted(by_language.items())
            if lang not in ("zh", "en")
            for w in words
        ),
    ]
    return list(dict.fromkeys(ordered))


def _pack_digest(pack: Pack) -> str:
    digest = hashlib.sha256()
    for path in sorted(pack.path.glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
