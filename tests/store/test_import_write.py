"""The import marks the versions it supersedes and writes its ledger digests from the rows it
staged, not from the history: after imports that insert, update, change nothing and come from a
second source with fewer columns, the current-state views and the digests equal the plain
computation over the whole history."""

from __future__ import annotations

import json

import polars as pl

from districtlens.commands import Context
from districtlens.commands.enterprises import import_frame
from districtlens.store import db, ledger, open_store
from districtlens.store.db import register_frame
from tests.helpers import make_uscc, roster_rows


def frame(rows: list[dict[str, str]]) -> pl.DataFrame:
    columns = list(dict.fromkeys(c for r in rows for c in r))
    return pl.DataFrame([{c: r.get(c) for c in columns} for r in rows], schema=dict.fromkeys(columns, pl.String))


def rebuilt(con, history: str, keys: tuple[str, ...]) -> list[tuple]:
    """The current state as a full rebuild gives it: the latest version of every key."""
    return con.execute(
        f"SELECT * EXCLUDE (superseded_seq) FROM {history}"
        f" QUALIFY version = max(version) OVER (PARTITION BY {', '.join(keys)})"
        f" ORDER BY {', '.join(keys)}"
    ).fetchall()


def assert_matches_full_computation(con) -> None:
    for view, (history, keys) in ledger.CURRENT.items():
        current = con.execute(f"SELECT * FROM {view} ORDER BY {', '.join(keys)}").fetchall()
        assert current == rebuilt(con, history, keys), view
    for seq, payload in con.execute("SELECT seq, payload FROM ledger ORDER BY seq").fetchall():
        recorded = json.loads(payload)["rows"]
        assert recorded == ledger.table_digests(con, seq), seq
    assert ledger.verify(con).intact


def test_current_views_and_digests_equal_the_full_computation_after_several_imports(store):
    con = store.con
    rows = roster_rows(4)
    first = import_frame(
        Context(store=store, actor="test"), frame(rows), source={"name": "a", "kind": "roster"}, synthetic=False
    )
    assert (first.inserted, first.updated) == (8, 0)
    assert_matches_full_computation(con)

    rows[0]["revenue"] = "1.5"  # a fact changes
    rows[3]["name"] = "上海样本1数据科技有限公司"  # an attribute changes on the latest year's row
    rows[5]["address"] = "上海市黄浦区汉口路3号"  # a new address moves the enterprise
    rows += roster_rows(5)[8:]  # a new enterprise
    second = import_frame(
        Context(store=store, actor="test"), frame(rows), source={"name": "a", "kind": "roster"}, synthetic=False
    )
    assert (second.inserted, second.updated, second.unchanged) == (2, 3, 5)
    assert_matches_full_computation(con)

    again = import_frame(
        Context(store=store, actor="test"), frame(rows), source={"name": "a", "kind": "roster"}, synthetic=False
    )
    assert not again.written and again.unchanged == 10
    assert_matches_full_computation(con)

    other = [{"uscc": make_uscc(i), "name": f"上海样本{i}信息科技有限公司", "year": "2023", "tax": "7"} for i in (0, 2)]
    third = import_frame(
        Context(store=store, actor="test"), frame(other), source={"name": "b", "kind": "registry"}, synthetic=False
    )
    assert (third.inserted, third.updated) == (0, 2)
    assert_matches_full_computation(con)

    versions = con.execute(
        "SELECT count(*), count(DISTINCT source_id) FROM fact_version WHERE uscc = ? AND year = 2023", [make_uscc(0)]
    ).fetchone()
    assert versions == (2, 2)
    kept = con.execute(
        "SELECT revenue, tax, address FROM fact_current JOIN enterprise_current USING (uscc)"
        " WHERE uscc = ? AND year = 2023",
        [make_uscc(2)],
    ).fetchone()
    assert kept == (1000.0 + 20 + 23, 7.0, "上海市黄浦区汉口路3号")


def test_a_write_marks_only_the_older_versions_before_or_after_it_inserts_its_own(tmp_path):
    columns = "uscc, version, name, synthetic, source_id, valid_from, ledger_seq, row_hash"
    for inserted_first in (False, True):
        with open_store(tmp_path / f"s{inserted_first}.duckdb") as store:
            con = store.con
            con.execute(f"INSERT INTO enterprise_version ({columns}) VALUES ('A', 1, 'a1', false, 1, '1', 1, 'h')")
            staged = pl.DataFrame(
                {
                    "uscc": ["A"],
                    "version": [2],
                    "name": ["a2"],
                    "synthetic": [False],
                    "source_id": [2],
                    "valid_from": ["2"],
                    "ledger_seq": [2],
                    "row_hash": ["h"],
                }
            )
            register_frame(con, "staged", staged)
            if inserted_first:
                con.execute(f"INSERT INTO enterprise_version ({columns}) SELECT {columns} FROM staged")
            ledger.supersede(con, {"enterprise_version": "staged"}, 2)
            if not inserted_first:
                con.execute(f"INSERT INTO enterprise_version ({columns}) SELECT {columns} FROM staged")
            assert con.execute(
                "SELECT version, superseded_seq FROM enterprise_version ORDER BY version"
            ).fetchall() == [(1, 2), (2, None)]
            assert con.execute("SELECT name FROM enterprise_current").fetchall() == [("a2",)]


def test_each_write_stores_its_versions_in_key_order_whatever_the_files_order(store, monkeypatch):
    """Lookups by code rely on it (migration 0008): a frame of many batches, scanned by every
    thread, still lands in key order, write after write."""
    monkeypatch.setattr(db, "ROW_GROUP", 7)
    rows = roster_rows(40, years=(2021, 2022, 2023))[::-1]
    import_frame(
        Context(store=store, actor="test"), frame(rows), source={"name": "a", "kind": "roster"}, synthetic=False
    )
    for row in rows[::3]:
        row["revenue"] = "1.5"
    import_frame(
        Context(store=store, actor="test"), frame(rows), source={"name": "a", "kind": "roster"}, synthetic=False
    )
    for table, keys in (("enterprise_version", "uscc"), ("fact_version", "uscc, year")):
        for seq in (1, 2):
            stored = store.con.execute(
                f"SELECT {keys} FROM {table} WHERE ledger_seq = ? ORDER BY rowid", [seq]
            ).fetchall()
            assert stored == sorted(stored), (table, seq)
            assert len(stored) == {"enterprise_version": (40, 0), "fact_version": (120, 40)}[table][seq - 1]
