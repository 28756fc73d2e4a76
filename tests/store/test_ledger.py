"""`ledger verify` catches an altered, removed or reordered entry, and rows changed behind our back."""

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from districtlens.cli import app
from districtlens.store import ledger, open_store
from tests.helpers import make_uscc, roster_rows, write_csv


@pytest.fixture(scope="module")
def three_imports(tmp_path_factory) -> Path:
    """A store of three imports, built once: each test tampers with its own copy."""
    into = tmp_path_factory.mktemp("ledger")
    path = into / "s.duckdb"
    runner = CliRunner()
    rows = roster_rows(3)
    for name, changed in (("a", None), ("b", 0), ("c", 1)):
        if changed is not None:
            rows[changed]["revenue"] = str(5 + changed)
        csv = write_csv(into / f"{name}.csv", rows)
        done = runner.invoke(app, ["import", "enterprises", str(csv), "--db", str(path)])
        assert done.exit_code == 0, done.output
    return path


@pytest.fixture
def db(tmp_path, three_imports):
    path = tmp_path / "s.duckdb"
    shutil.copyfile(three_imports, path)
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


def test_an_edited_source_fails_verify(cli, db):
    tamper(db, "UPDATE source SET file_sha256 = repeat('0', 64) WHERE source_id = 2")
    code, verdict = verify(cli, db)
    assert code == 1 and verdict["problem"].startswith("source row source_id=2")


def test_an_edited_source_with_its_hash_recomputed_fails_verify(cli, db):
    tamper(
        db,
        "UPDATE source SET file_name = 'innocent.csv' WHERE source_id = 1",
        f"UPDATE source SET row_hash = {ledger.row_hash_sql('source')}",
    )
    code, verdict = verify(cli, db)
    assert code == 1 and verdict["problem"] == "source rows of entry 1 were replaced (digest differs)"


def rewrite_everything(db, fact_update: str) -> None:
    """What an insider with write access can do: change a value, then recompute every row hash,
    every entry's row digests and the whole chain, so that the store is consistent again."""
    with open_store(db) as s:
        con = s.con
        con.execute(fact_update)
        for table in ledger.HASHED_TABLES:
            con.execute(f"UPDATE {table} SET row_hash = {ledger.row_hash_sql(table)}")
        prev = ledger.GENESIS
        for seq, ts, actor, action, payload in con.execute(
            "SELECT seq, ts, actor, action, payload FROM ledger ORDER BY seq"
        ).fetchall():
            body = dict(json.loads(payload), rows=ledger.table_digests(con, seq))
            text = ledger.canonical(body)
            digest = ledger.entry_hash(seq, ts, actor, action, text, prev)
            con.execute(
                "UPDATE ledger SET payload = ?, prev_hash = ?, hash = ? WHERE seq = ?", [text, prev, digest, seq]
            )
            prev = digest


@pytest.fixture
def key(tmp_path, cli):
    path = tmp_path / "keys" / "commission.key"
    assert cli("brief", "keygen", "--out", path).exit_code == 0
    return path


def test_a_full_rewrite_is_caught_by_a_checkpoint(cli, db, key, tmp_path):
    point = tmp_path / "checkpoint.json"
    made = cli("ledger", "checkpoint", "--out", point, "--key", key, "--db", db, "--json")
    assert made.exit_code == 0 and json.loads(made.stdout)["seq"] == 3
    code, verdict = verify(cli, db)
    before = cli("ledger", "verify", "--checkpoint", point, "--key", f"{key}.pub", "--db", db, "--json")
    assert before.exit_code == 0 and json.loads(before.stdout)["checkpoint"] == 3
    rewrite_everything(db, f"UPDATE fact_version SET revenue = 1e9 WHERE uscc = '{make_uscc(2)}'")
    # Without the checkpoint the rewritten store passes: that is the attack.
    code, verdict = verify(cli, db)
    assert code == 0 and verdict["intact"]
    after = cli("ledger", "verify", "--checkpoint", point, "--key", f"{key}.pub", "--db", db, "--json")
    assert after.exit_code == 1
    assert json.loads(after.stdout)["problem"] == (
        "ledger entry 3 is not the one the checkpoint signed: the ledger was rewritten"
    )


def test_a_forged_or_foreign_checkpoint_is_refused(cli, db, key, tmp_path):
    point = tmp_path / "checkpoint.json"
    assert cli("ledger", "checkpoint", "--out", point, "--key", key, "--db", db).exit_code == 0
    assert cli("ledger", "checkpoint", "--out", point, "--key", key, "--db", db).exit_code == 1  # not overwritten
    document = json.loads(point.read_text(encoding="utf-8"))
    document["manifest"]["head"] = "f" * 64
    point.write_text(json.dumps(document), encoding="utf-8")
    forged = cli("ledger", "verify", "--checkpoint", point, "--key", key, "--db", db, "--json")
    assert forged.exit_code == 1 and json.loads(forged.stdout)["key"] == "ledger.checkpoint_not_signed"
    other = tmp_path / "other.key"
    assert cli("brief", "keygen", "--out", other).exit_code == 0
    point.unlink()
    assert cli("ledger", "checkpoint", "--out", point, "--key", other, "--db", db).exit_code == 0
    foreign = cli("ledger", "verify", "--checkpoint", point, "--key", key, "--db", db, "--json")
    assert foreign.exit_code == 1 and json.loads(foreign.stdout)["key"] == "ledger.checkpoint_not_signed"


def test_the_signing_key_and_a_new_store_are_their_owners_alone(cli, key, tmp_path):
    assert key.stat().st_mode & 0o777 == 0o600
    path = tmp_path / "new.duckdb"
    added = cli("users", "add", "owner", "--role", "admin", "--password-stdin", "--db", path, input="a long password\n")
    assert added.exit_code == 0
    assert path.stat().st_mode & 0o777 == 0o600
    with open_store(tmp_path / "library.duckdb") as s:
        assert s.path.stat().st_mode & 0o777 == 0o600
