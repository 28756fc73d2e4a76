"""Stores written by an older districtlens are brought up to date, with their data as it was."""

from __future__ import annotations

import json
import subprocess
import sys

import duckdb
import pytest

from districtlens.errors import IntegrityError
from districtlens.store import db, ledger, open_store

VERSION_COLUMNS = "uscc, version, name, synthetic, source_id, valid_from, ledger_seq, row_hash"
FACT_COLUMNS = "uscc, year, version, revenue, synthetic, source_id, valid_from, ledger_seq, row_hash"


def old_store(path, monkeypatch, before: int) -> None:
    """A store with the migrations before `before` only, holding an enterprise written three
    times (entries 1, 2, 4), one written once (entry 3), and their facts, in that order, as the
    tables and the current state (copies before migration 7) of that schema held them."""
    earlier = [m for m in db.migrations() if m[0] < before]
    with monkeypatch.context() as patch:
        patch.setattr(db, "migrations", lambda: earlier)
        with open_store(path) as store:
            con = store.con
            for uscc, version, seq in (("A", 1, 1), ("A", 2, 2), ("B", 1, 3), ("A", 3, 4)):
                con.execute(
                    f"INSERT INTO enterprise_version ({VERSION_COLUMNS}) VALUES (?, ?, ?, false, 1, ?, ?, 'h')",
                    [uscc, version, f"{uscc} v{version}", str(seq), seq],
                )
                con.execute(
                    f"INSERT INTO fact_version ({FACT_COLUMNS}) VALUES (?, 2023, ?, ?, false, 1, ?, ?, 'h')",
                    [uscc, version, float(seq), str(seq), seq],
                )
            if before > 7:  # the current state is the versions nobody superseded
                for table in ("enterprise_version", "fact_version"):
                    con.execute(f"UPDATE {table} SET superseded_seq = 2 WHERE uscc = 'A' AND version = 1")
                    con.execute(f"UPDATE {table} SET superseded_seq = 4 WHERE uscc = 'A' AND version = 2")
                return
            con.execute(
                "INSERT INTO enterprise_current SELECT * FROM enterprise_version"
                " QUALIFY version = max(version) OVER (PARTITION BY uscc)"
            )
            con.execute(
                "INSERT INTO fact_current SELECT * FROM fact_version"
                " QUALIFY version = max(version) OVER (PARTITION BY uscc, year)"
            )


@pytest.mark.parametrize("read_only", [False, True])
def test_current_state_copies_become_views_of_the_latest_versions(tmp_path, monkeypatch, read_only):
    path = tmp_path / "old.duckdb"
    old_store(path, monkeypatch, before=7)
    with open_store(path, read_only=read_only) as store:
        con = store.con
        assert con.execute("SELECT max(version) FROM schema_migration").fetchone()[0] == max(
            v for v, _, _ in db.migrations()
        )
        assert con.execute("SELECT uscc, name FROM enterprise_current ORDER BY uscc").fetchall() == [
            ("A", "A v3"),
            ("B", "B v1"),
        ]
        assert con.execute("SELECT uscc, revenue FROM fact_current ORDER BY uscc").fetchall() == [
            ("A", 4.0),
            ("B", 3.0),
        ]
        assert con.execute(
            "SELECT uscc, version, superseded_seq FROM enterprise_version ORDER BY uscc, version"
        ).fetchall() == [("A", 1, 2), ("A", 2, 4), ("A", 3, None), ("B", 1, None)]
        assert "superseded_seq" not in [c[0] for c in con.execute("DESCRIBE enterprise_history").fetchall()]
        assert con.execute("SELECT count(*) FROM fact_history").fetchone()[0] == 4


def test_a_reader_cannot_update_a_store_another_process_reads(tmp_path, monkeypatch):
    path = tmp_path / "old.duckdb"
    old_store(path, monkeypatch, before=7)
    holder = subprocess.Popen(  # another reader: it keeps any process from writing
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(path)!r}, read_only=True);"
            " print('open', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(db.StoreError, match="needs a schema update, which cannot be made while"):
            open_store(path, read_only=True)
    finally:
        holder.kill()
        holder.wait()
    with open_store(path, read_only=True) as store:  # once free, it is
        assert store.con.execute("SELECT count(*) FROM enterprise_current").fetchone()[0] == 2


def test_lookup_indexes_give_way_to_versions_stored_in_key_order(tmp_path, monkeypatch):
    path = tmp_path / "old.duckdb"
    old_store(path, monkeypatch, before=8)
    with open_store(path) as store:
        con = store.con
        assert con.execute("SELECT index_name FROM duckdb_indexes()").fetchall() == []
        stored = con.execute("SELECT uscc, version, superseded_seq FROM enterprise_version ORDER BY rowid")
        assert stored.fetchall() == [("A", 1, 2), ("A", 2, 4), ("A", 3, None), ("B", 1, None)]
        assert con.execute("SELECT uscc, revenue FROM fact_version ORDER BY rowid").fetchall() == [
            ("A", 1.0),
            ("A", 2.0),
            ("A", 4.0),
            ("B", 3.0),
        ]


@pytest.mark.parametrize("version", [1, 5, 9])
def test_a_deleted_migration_record_is_refused_with_a_clear_error(tmp_path, cli, version):
    path = tmp_path / "s.duckdb"
    open_store(path).close()
    con = duckdb.connect(str(path))
    con.execute("DELETE FROM schema_migration WHERE version = ?", [version])
    con.close()
    name = next(n for v, n, _ in db.migrations() if v == version)
    for args in (["ledger", "verify"], ["users", "list"]):
        result = cli(*args, "--db", path, "--json")
        assert result.exit_code == 1
        answer = json.loads(result.stdout)
        assert answer["key"] == "store.migration_unrecorded" and answer["values"]["name"] == name
    with pytest.raises(IntegrityError) as caught:
        open_store(path, read_only=True)
    assert caught.value.key == "store.migration_unrecorded"


def test_a_renamed_or_foreign_migration_record_is_refused(tmp_path):
    path = tmp_path / "s.duckdb"
    open_store(path).close()
    con = duckdb.connect(str(path))
    con.execute("UPDATE schema_migration SET name = '0005_other.sql' WHERE version = 5")
    con.close()
    with pytest.raises(IntegrityError) as caught:
        open_store(path)
    assert caught.value.key == "store.migration_renamed"
    con = duckdb.connect(str(path))
    con.execute("UPDATE schema_migration SET version = 9999, name = '9999_x.sql' WHERE version = 5")
    con.close()
    with pytest.raises(IntegrityError) as caught:
        open_store(path)
    assert caught.value.key == "store.migration_unknown"


def test_sources_written_before_the_ledger_hashed_them_are_adopted(tmp_path, monkeypatch):
    path = tmp_path / "old.duckdb"
    provenance = next(version for version, name, _ in db.migrations() if "source_provenance" in name)
    earlier = [m for m in db.migrations() if m[0] < provenance]  # a store as it was before
    with monkeypatch.context() as patch:
        patch.setattr(db, "migrations", lambda: earlier)
        with open_store(path) as store:
            store.con.execute("INSERT INTO source VALUES (1, 'roster', 'roster', 'a.csv', 'abc', 'then')")
    with open_store(path) as store:
        assert ledger.verify(store.con) == ledger.Verdict(True, 1, 1)
        assert ledger.entries(store.con)[0].action == "ledger.adopt_sources"
        store.con.execute("UPDATE source SET file_sha256 = 'def'")
        assert not ledger.verify(store.con).intact
