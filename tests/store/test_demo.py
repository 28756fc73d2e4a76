"""`districtlens demo build`: the embedded default store."""

import json

from districtlens.store import ledger, open_store


def test_demo_build_flags_everything_synthetic(tmp_path, cli):
    db = tmp_path / "demo.duckdb"
    result = cli("demo", "build", "--db", db, "--enterprises", "3000", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["inserted"] > 3000
    with open_store(db, read_only=True) as s:
        flags = s.con.execute("SELECT DISTINCT synthetic FROM enterprise_current").fetchall()
        districts = s.con.execute(
            "SELECT count(DISTINCT district_adcode) FROM enterprise_current WHERE district_adcode LIKE '31%'"
        ).fetchone()[0]
        years = s.con.execute("SELECT min(year), max(year) FROM fact_current").fetchone()
        zones = s.con.execute("SELECT count(*) FROM zone").fetchone()[0]
        actions = [a for (a,) in s.con.execute("SELECT action FROM ledger ORDER BY seq").fetchall()]
        assert ledger.verify(s.con).intact
    assert flags == [(True,)]
    assert districts == 16
    assert years == (2019, 2024)
    assert zones == 4
    assert actions[:2] == ["pack.load", "demo registry"]


def test_demo_store_has_a_sign_in_per_role(tmp_path, cli):
    from districtlens.accounts import check_password
    from districtlens.commands.demo import DEMO_USERS, demo_password
    from districtlens.store.web_users import get_user

    db = tmp_path / "demo.duckdb"
    assert cli("demo", "build", "--db", db, "--enterprises", "2000").exit_code == 0
    with open_store(db, read_only=True) as s:
        for name, role, carriers in DEMO_USERS:
            user = get_user(s, name)
            assert user.role == role and sorted(user.carriers) == sorted(carriers)
            assert check_password(user.password_hash, demo_password(name))
            assert not check_password(user.password_hash, "wrong-password")


def test_demo_build_refuses_to_overwrite(tmp_path, cli):
    db = tmp_path / "demo.duckdb"
    db.write_bytes(b"")
    result = cli("demo", "build", "--db", db, "--enterprises", "300")
    assert result.exit_code == 1
    assert "--replace" in result.stderr
