"""What claim checks and briefing figures read from the store: claims, enterprise sets of an area,
their totals, carriers, and the provenance (sources, synthetic rows, ledger head) of each answer.

An enterprise set is the operating enterprises (status not closed) of an area, optionally those of
a track (industry class in the track's classes, or in a two-digit division it lists) and those
carrying a tag. The store takes a set as its SQL parameters, a `SetKey`: which column holds the
area and its code (the caller resolves the code: `districtlens.areas`), the track and the tag.
Money is summed as DECIMAL so that a total is exact and the same on every run: a briefing's
figures are compared with recomputed ones for equality.
"""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

import duckdb

from districtlens.errors import InputError, NotFound
from districtlens.facts import FACT_COLUMNS
from districtlens.store import ledger
from districtlens.store.chains import CLOSED_STATUS_PATTERN
from districtlens.store.db import Store, records, scalar

# The columns of enterprise_current an area is read from: district, street, zone.
AREA_COLUMNS = ("district_adcode", "street_code", "zone_id")

SetKey = tuple[str, str, str | None, str | None]
"""Which enterprises: (area column, area code, track id or None, tag or None)."""
S = TypeVar("S", bound=SetKey)


def head(store: Store) -> str:
    return ledger.head(store.con)


def claims(store: Store, pack_id: str | None = None) -> list[dict[str, Any]]:
    """The claims of the store (of one pack), JSON columns decoded, in load order."""
    sql = (
        "SELECT c.claim_id, c.pack_id, c.quote, c.quote_lang, c.translations, c.source,"
        " c.source_date, c.subject, c.asserted, c.comparison, c.query, c.ledger_seq,"
        " p.district_adcode FROM claim c JOIN district_pack p USING (pack_id)"
    )
    params: list[Any] = []
    if pack_id:
        sql += " WHERE c.pack_id = ?"
        params.append(pack_id)
    rows = store.con.execute(sql + " ORDER BY c.ledger_seq, c.rowid", params).fetchall()
    out = []
    for cid, pid, quote, lang, tr, source, date, subject, asserted, comparison, query, seq, adcode in rows:
        out.append(
            {
                "id": cid,
                "pack_id": pid,
                "quote": quote,
                "quote_lang": lang,
                "translations": json.loads(tr),
                "source": source,
                "source_date": date.isoformat() if date else None,
                "subject": subject,
                "asserted": json.loads(asserted) if asserted else None,
                "comparison": comparison,
                "query": json.loads(query) if query else None,
                "ledger_seq": seq,
                "district_adcode": adcode,
            }
        )
    return out


def packs(store: Store) -> list[dict[str, Any]]:
    """Loaded packs: pack_id, district_adcode, peers (decoded), ledger_seq, file (where it was read)."""
    rows = store.con.execute(
        "SELECT p.pack_id, p.district_adcode, p.peers, p.ledger_seq, s.file_name FROM district_pack p"
        " LEFT JOIN source s ON s.source_id = p.ledger_seq ORDER BY p.ledger_seq"
    ).fetchall()
    return [
        {"pack_id": pid, "district_adcode": adcode, "peers": json.loads(peers or "{}"), "ledger_seq": seq, "file": file}
        for pid, adcode, peers, seq, file in rows
    ]


def track_classes(store: Store, track_id: str) -> list[str]:
    row = store.con.execute("SELECT classes FROM track WHERE track_id = ?", [track_id]).fetchone()
    if row is None:
        raise NotFound("claims.unknown_track", track=track_id)
    return [str(c) for c in json.loads(row[0] or "[]")]


def _snapshot(store: Store) -> None:
    """Materialise the operating enterprises as a temporary table, once per ledger head: a briefing
    filters them by status a hundred times. A write moves the head, so the next read rebuilds it.
    Facts are read from fact_current directly: every query joins them to this table."""
    con = store.con
    con.execute("SET enable_progress_bar = false")  # a briefing's queries are many and short
    now = ledger.head(con)
    try:
        if scalar(con, "SELECT head FROM claims_snapshot") == now:
            return
    except duckdb.CatalogException:
        pass
    con.execute(
        "CREATE OR REPLACE TEMP TABLE claims_firm AS SELECT uscc, name, name_en, founded, status,"
        " district_adcode, street_code, zone_id, industry_code, tags, synthetic, source_id"
        " FROM enterprise_current WHERE NOT regexp_matches(coalesce(status, ''), ?)",
        [CLOSED_STATUS_PATTERN],
    )
    con.execute("CREATE OR REPLACE TEMP TABLE claims_snapshot AS SELECT ? AS head", [now])


def _set_filter(
    store: Store, which: SetKey, districts: list[str] | None = None, alias: str = "e"
) -> tuple[str, list[Any]]:
    """SQL condition (and parameters) selecting, in the snapshot's claims_firm (operating
    enterprises), those of `which`, or of its track and tag in any of `districts` when given."""
    _snapshot(store)
    column, code, track, tag = which
    if column not in AREA_COLUMNS:
        raise ValueError(f"an area is read from one of {', '.join(AREA_COLUMNS)}, not {column}")
    params: list[Any]
    if districts is not None:
        conds, params = [f"list_contains(?, {alias}.district_adcode)"], [districts]
    else:
        conds, params = [f"{alias}.{column} = ?"], [code]
    if track:
        classes = track_classes(store, track)
        conds.append(f"(list_contains(?, {alias}.industry_code) OR list_contains(?, left({alias}.industry_code, 2)))")
        params += [[c for c in classes if len(c) == 4], [c for c in classes if len(c) == 2]]
    if tag:
        conds.append(f"list_contains(string_split(coalesce({alias}.tags, ''), ';'), ?)")
        params.append(tag)
    return " AND ".join(conds), params


def _year_list(years: list[int]) -> str:
    """Years written into the SQL as integer literals: DuckDB then filters the fact scan itself,
    a third faster than matching each row against a list parameter."""
    if not years:
        raise InputError("claims.no_years")
    return ", ".join(str(int(year)) for year in years)


def _sources(store: Store, source_ids: list[int]) -> list[str]:
    if not source_ids:
        return []
    rows = store.con.execute(
        "SELECT name FROM source WHERE list_contains(?, source_id) ORDER BY source_id", [source_ids]
    ).fetchall()
    return [r[0] for r in rows]


def _members(store: Store, sets: list[S]) -> tuple[str, list[Any]]:
    """A subquery of (set_no, the firm's columns) rows: the operating enterprises of each of
    `sets`, numbered in order. Several sets are then counted or summed in one grouped pass (a
    briefing asks the same question of a dozen sets)."""
    filters = [_set_filter(store, which) for which in sets]
    union = " UNION ALL ".join(
        f"SELECT {i} AS set_no, e.uscc, e.synthetic, e.source_id FROM claims_firm e WHERE {cond}"
        for i, (cond, _) in enumerate(filters)
    )
    return f"({union})", [param for _, params in filters for param in params]


def count_enterprises(store: Store, sets: list[S]) -> dict[S, dict[str, Any]]:
    """{set: {count, synthetic, sources}}: the operating enterprises of each set, in one query."""
    sets = list(dict.fromkeys(sets))
    if not sets:
        return {}
    members, params = _members(store, sets)
    found = {
        set_no: (n, synthetic, source_ids)
        for set_no, n, synthetic, source_ids in store.con.execute(
            f"SELECT set_no, count(*), count(*) FILTER (WHERE synthetic), list(DISTINCT source_id)"
            f" FROM {members} GROUP BY set_no",
            params,
        ).fetchall()
    }
    out: dict[S, dict[str, Any]] = {}
    for i, which in enumerate(sets):
        n, synthetic, source_ids = found.get(i, (0, 0, []))
        out[which] = {"count": n, "synthetic": synthetic, "sources": _sources(store, sorted(source_ids or []))}
    return out


def count_by_district(store: Store, which: SetKey, districts: list[str]) -> dict[str, int]:
    """Operating enterprises of the set (its area ignored) per district of `districts`."""
    cond, params = _set_filter(store, which, districts)
    rows = store.con.execute(
        f"SELECT e.district_adcode, count(*) FROM claims_firm e WHERE {cond} GROUP BY 1", params
    ).fetchall()
    found = dict(rows)
    return {d: found.get(d, 0) for d in districts}


def totals(store: Store, sets: list[S], years: list[int]) -> dict[S, dict[str, dict[str, Any]]]:
    """{set: {fact column: {values: {year: exact sum}, reporting, synthetic, sources}}}, every set
    and column in one query: the facts are joined to the sets' firms once, grouped by set and year."""
    sets = list(dict.fromkeys(sets))
    if not sets:
        return {}
    members, params = _members(store, sets)
    sums = ", ".join(f"sum(CAST(f.{c} AS DECIMAL(38, 4))), count(f.{c})" for c in FACT_COLUMNS)
    rows = store.con.execute(
        f"SELECT m.set_no, f.year, {sums}, count(*) FILTER (WHERE f.synthetic), list(DISTINCT f.source_id)"
        f" FROM {members} m JOIN fact_current f ON f.uscc = m.uscc"
        f" WHERE f.year IN ({_year_list(years)}) GROUP BY m.set_no, f.year ORDER BY m.set_no, f.year",
        params,
    ).fetchall()
    out: dict[S, dict[str, dict[str, Any]]] = {}
    for n, which in enumerate(sets):
        mine = [r[1:] for r in rows if r[0] == n]
        synthetic = sum(r[-2] for r in mine)
        sources = _sources(store, sorted({s for r in mine for s in (r[-1] or [])}))
        out[which] = {}
        for i, column in enumerate(FACT_COLUMNS):
            values = {int(r[0]): (float(r[1 + 2 * i]) if r[1 + 2 * i] is not None else None) for r in mine}
            out[which][column] = {
                "values": {y: values.get(y) for y in years},
                "reporting": {int(r[0]): r[2 + 2 * i] for r in mine},
                "synthetic": synthetic,
                "sources": sources,
            }
    return out


def totals_by_district(
    store: Store, which: SetKey, column: str, years: list[int], districts: list[str]
) -> dict[str, dict[int, float | None]]:
    """{district: {year: exact sum}} of the set's fact column (its area ignored), one query."""
    if column not in FACT_COLUMNS:
        raise InputError("claims.unknown_column", column=column, columns=", ".join(FACT_COLUMNS))
    cond, params = _set_filter(store, which, districts)
    rows = store.con.execute(
        f"SELECT e.district_adcode, f.year, sum(CAST(f.{column} AS DECIMAL(38, 4)))"
        f" FROM claims_firm e JOIN fact_current f ON f.uscc = e.uscc"
        f" WHERE {cond} AND f.year IN ({_year_list(years)}) GROUP BY 1, 2",
        params,
    ).fetchall()
    out: dict[str, dict[int, float | None]] = {d: dict.fromkeys(years) for d in districts}
    for district, year, total in rows:
        out[district][int(year)] = float(total) if total is not None else None
    return out


def enterprises_matching(store: Store, area_column: str, area: str, keys: list[str]) -> list[dict[str, Any]]:
    """Operating enterprises of `area` (read from `area_column`) whose name or English name, reduced
    to lowercase letters, digits and CJK characters, contains one of `keys` (a cheap prefilter; the
    caller confirms).

    Rows: uscc, name, name_en, founded, synthetic, source_id.
    """
    if not keys:
        return []
    cond, params = _set_filter(store, (area_column, area, None, None))
    normalised = (
        "regexp_replace(lower(coalesce(e.name, '') || '|' || coalesce(e.name_en, '')),"
        " '[^a-z0-9\u4e00-\u9fff|]', '', 'g')"
    )
    # One alternation, not a lambda per key: the normalised name is then computed once per row.
    any_key = "|".join(re.escape(key) for key in sorted(set(keys)))
    rows = store.con.execute(
        f"SELECT e.uscc, e.name, e.name_en, e.founded, e.synthetic, e.source_id"
        f" FROM claims_firm e WHERE {cond} AND regexp_matches({normalised}, ?)",
        [*params, any_key],
    ).fetchall()
    return [
        {"uscc": u, "name": n, "name_en": en, "founded": f, "synthetic": s, "source_id": src}
        for u, n, en, f, s, src in rows
    ]


def source_names(store: Store, source_ids: list[int]) -> list[str]:
    return _sources(store, sorted(set(source_ids)))


def carriers(
    store: Store, district_adcode: str, kind: str | None = None, level: str | None = None, carrier_id: str | None = None
) -> list[dict[str, Any]]:
    """Carriers of a district (optionally of a kind, level, or one id): every column, and
    `pack_load` true when the row was written by the load of a pack (transcribed from its sources)."""
    conds, params = ["c.district_adcode = ?"], [district_adcode]
    for column, value in (("kind", kind), ("level", level), ("carrier_id", carrier_id)):
        if value is not None:
            conds.append(f"c.{column} = ?")
            params.append(value)
    cursor = store.con.execute(
        "SELECT c.*, s.kind = 'pack' AS pack_load, s.name AS source_name FROM carrier c"
        " LEFT JOIN source s ON s.source_id = c.ledger_seq"
        f" WHERE {' AND '.join(conds)} ORDER BY c.carrier_id",
        params,
    )
    return records(cursor)


def carrier_counts(store: Store, district_adcode: str) -> dict[str, int]:
    """{kind: number of carriers} of a district."""
    rows = store.con.execute(
        "SELECT kind, count(*) FROM carrier WHERE district_adcode = ? GROUP BY 1 ORDER BY 1",
        [district_adcode],
    ).fetchall()
    return dict(rows)


def zones(store: Store, district_adcode: str) -> list[dict[str, Any]]:
    """The district's zones: zone_id, names, role."""
    rows = store.con.execute(
        "SELECT zone_id, name_zh, name_en, name_fr, role FROM zone WHERE district_adcode = ? ORDER BY zone_id",
        [district_adcode],
    ).fetchall()
    return [{"zone_id": z, "names": {"zh": zh, "en": en, "fr": fr}, "role": role} for z, zh, en, fr, role in rows]


def tracks(store: Store, pack_id: str | None = None) -> list[dict[str, Any]]:
    sql = "SELECT track_id, name_zh, name_en, name_fr, classes FROM track"
    params: list[Any] = []
    if pack_id:
        sql += " WHERE pack_id = ?"
        params.append(pack_id)
    rows = store.con.execute(sql + " ORDER BY rowid", params).fetchall()
    return [
        {"track_id": t, "names": {"zh": zh, "en": en, "fr": fr}, "classes": json.loads(c or "[]")}
        for t, zh, en, fr, c in rows
    ]


def holds_synthetic(store: Store) -> bool:
    """Whether any enterprise of the store is synthetic (a briefing then says so)."""
    return bool(scalar(store.con, "SELECT coalesce(bool_or(synthetic), false) FROM enterprise_current"))


def latest_fact_year(store: Store) -> int | None:
    year: int | None = scalar(store.con, "SELECT max(year) FROM fact_current WHERE revenue IS NOT NULL")
    return year


def published_figures(store: Store, adcode: str, indicator: str) -> list[dict[str, Any]] | None:
    """The published statistics of `adcode` for `indicator`, latest year first (each row: adcode,
    year, indicator, value and unit as published, note, source_url, source_doc, and the rest of
    `statistic_current`); None when no published statistics were loaded (`import statistics`)."""
    if not scalar(store.con, "SELECT count(*) FROM statistic_current"):
        return None
    cursor = store.con.execute(
        "SELECT * FROM statistic_current WHERE adcode = ? AND indicator = ? ORDER BY year DESC NULLS LAST",
        [adcode, indicator],
    )
    return records(cursor)
