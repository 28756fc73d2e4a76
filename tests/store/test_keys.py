"""Versions are looked up by a key derived from the credit code: the same in Python and in SQL,
and a key shared by two codes never mixes their histories."""

from __future__ import annotations

import duckdb

from districtlens.store import open_store
from districtlens.store.histories import history
from districtlens.store.keys import LOOKUP_KEY_SQL, lookup_key
from tests.helpers import make_uscc, roster_rows, write_csv


def test_the_key_is_the_same_in_python_and_in_the_store():
    codes = [make_uscc(i) for i in range(500)] + ["", "x", "上海市静安区", "91310106MA1FL0XX2Y" * 3]
    con = duckdb.connect()
    con.execute("CREATE TABLE c (uscc VARCHAR)")
    con.executemany("INSERT INTO c VALUES (?)", [[c] for c in codes])
    in_sql = dict(con.execute(f"SELECT uscc, {LOOKUP_KEY_SQL} FROM c").fetchall())
    assert {c: lookup_key(c) for c in codes} == in_sql
    assert len(set(in_sql.values())) == len(codes)


def test_every_written_version_carries_its_key_and_is_found_by_it(tmp_path, cli):
    path = tmp_path / "s.duckdb"
    rows = roster_rows(4)
    assert cli("import", "enterprises", write_csv(tmp_path / "a.csv", rows), "--db", path).exit_code == 0
    for row in rows:
        if row["uscc"] == make_uscc(0):
            row["name"] = "renamed"
    assert cli("import", "enterprises", write_csv(tmp_path / "b.csv", rows), "--db", path).exit_code == 0
    with open_store(path) as store:
        for table in ("enterprise_version", "fact_version"):
            stored = store.con.execute(f"SELECT uscc, uscc_key FROM {table}").fetchall()
            assert stored and all(key == lookup_key(uscc) for uscc, key in stored)
        found = history(store, make_uscc(0))
        assert [v["name"] for v in found["enterprise"]][-1] == "renamed"
        assert len(found["enterprise"]) == 2 and found["facts"]
        indexed = store.con.execute("SELECT table_name, expressions FROM duckdb_indexes() ORDER BY 1").fetchall()
        assert indexed == [("enterprise_version", "[uscc_key]"), ("fact_version", "[uscc_key]")]


def test_two_codes_sharing_a_key_keep_their_own_histories(tmp_path, cli):
    path = tmp_path / "s.duckdb"
    assert cli("import", "enterprises", write_csv(tmp_path / "a.csv", roster_rows(2)), "--db", path).exit_code == 0
    first, second = make_uscc(0), make_uscc(1)
    with open_store(path) as store:
        alone = history(store, first)
        # As if the second code's digest were the first's: both are found under one key.
        for table in ("enterprise_version", "fact_version"):
            store.con.execute(f"UPDATE {table} SET uscc_key = ? WHERE uscc = ?", [lookup_key(first), second])
        shared = history(store, first)
        assert shared == alone
        assert {v["uscc"] for v in shared["enterprise"] + shared["facts"]} == {first}
