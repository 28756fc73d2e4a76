"""`ledger verify` catches an altered, removed or reordered entry, and rows changed behind our back."""

import json

import pytest

from districtlens.store import ledger, open_store
from tests.helpers import make_uscc, roster_rows, write_csv


@pytest.fixture
def db(tmp_path, cli):
    path = tmp_path / "s.duckdb"
    rows = roster_rows(3)
    assert cli("import", "enterprises", write_csv(tmp_path / "a.csv", rows), "--db", path).exit_code == 0
    rows[0]["revenue"] = "5"
    assert cli("import", "enterprises", write_csv(tmp_path / "b.csv", rows), "--db", path).exit_code == 0
    rows[1]["revenue"] = "6"
    assert cli("import", "enterprises", write_csv(tmp_path / "c.csv", rows), "--db", path).exit_code == 0
    return path


def tamper(db, *statements):
    with open_store(db) as s:
        for sql in statements:
            s.con.execute(sql)


def verify(cli, db):
    result = cli("ledger", "verify", "--db", db, "--json")
    return result.exit_code, json.loads(result.stdout)


def test_intact_store_verifies(cli, db):
    code, verdict = verify(cli, db)
    assert code == 0 and verdict["intact"] and verdict["entries"] == 3
    with open_store(db, read_only=True) as s:
        assert cli("ledger", "head", "--db", db).stdout.strip() == ledger.head(s.con)


@pytest.mark.parametrize(
    ("statements", "problem"),
    [
        (["UPDATE ledger SET actor = 'mallory' WHERE seq = 2"], "ledger entry 2 (import enterprises) was altered"),
        (["DELETE FROM ledger WHERE seq = 2"], "ledger entry 2 is missing (found 3)"),
        (
            [
                "UPDATE ledger SET seq = 99 WHERE seq = 2",
                "UPDATE ledger SET seq = 2 WHERE seq = 3",
                "UPDATE ledger SET seq = 3 WHERE seq = 99",
            ],
            "ledger entry 2 does not follow entry 1",
        ),
        (
            ["UPDATE ledger SET payload = replace(payload, '\"inserted\":0', '\"inserted\":7') WHERE seq = 3"],
            "ledger entry 3 (import enterprises) was altered",
        ),
    ],
)
def test_ledger_tampering_is_caught(cli, db, statements, problem):
    tamper(db, *statements)
    code, verdict = verify(cli, db)
    assert code == 1 and not verdict["intact"]
    assert verdict["problem"] == problem


def test_changed_fact_row_is_caught(cli, db):
    tamper(db, f"UPDATE fact_version SET revenue = 1e9 WHERE uscc = '{make_uscc(2)}' AND year = 2023")
    code, verdict = verify(cli, db)
    assert code == 1
    assert verdict["problem"].startswith(f"fact_version row uscc={make_uscc(2)}, year=2023")


def test_changed_row_with_recomputed_hash_is_caught(cli, db):
    table = "enterprise_version"
    tamper(
        db,
        f"UPDATE {table} SET name = 'forged' WHERE uscc = '{make_uscc(1)}'",
        f"UPDATE {table} SET row_hash = {ledger.row_hash_sql(table)}",
    )
    code, verdict = verify(cli, db)
    assert code == 1
    assert verdict["problem"] == "enterprise_version rows of entry 1 were replaced (digest differs)"


def test_removed_and_added_rows_are_caught(cli, db):
    tamper(db, f"DELETE FROM fact_version WHERE uscc = '{make_uscc(0)}' AND version = 2")
    code, verdict = verify(cli, db)
    assert code == 1 and verdict["problem"] == "fact_version rows written by entry 2 were removed (ledger recorded 1)"


def test_row_smuggled_in_under_an_entry_is_caught(cli, db):
    table = "fact_version"
    tamper(
        db,
        f"INSERT INTO {table} SELECT * REPLACE (1999 AS year) FROM {table} WHERE ledger_seq = 3",
        f"UPDATE {table} SET row_hash = {ledger.row_hash_sql(table)}",
    )
    code, verdict = verify(cli, db)
    assert code == 1 and verdict["problem"] == "fact_version rows of entry 3: ledger recorded 1, store holds 2"


@pytest.mark.parametrize(
    ("statement", "firm"),
    [
        # the latest version hidden: the firm drops out of enterprise_current
        ("UPDATE enterprise_version SET superseded_seq = ledger_seq WHERE uscc = '{uscc}'", 1),
        # an old version shown again beside the latest
        ("UPDATE fact_version SET superseded_seq = NULL WHERE uscc = '{uscc}' AND year = 2022", 0),
        # superseded, but by an entry that wrote no newer version
        ("UPDATE fact_version SET superseded_seq = 3 WHERE uscc = '{uscc}' AND year = 2022 AND version = 1", 0),
    ],
)
def test_current_state_must_be_the_latest_versions(cli, db, statement, firm):
    tamper(db, statement.format(uscc=make_uscc(firm)))
    code, verdict = verify(cli, db)
    assert code == 1
    assert "does not hold the latest version of uscc=" + make_uscc(firm) in verdict["problem"]
