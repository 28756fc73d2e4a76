"""`districtlens import enterprises`: all or nothing, rejects, re-import, versions, export."""

import json

import polars as pl
from openpyxl import load_workbook

from districtlens.store import open_store
from tests.helpers import make_uscc, roster_rows, write_csv


def counts(db):
    with open_store(db, read_only=True) as s:
        return s.con.execute(
            "SELECT (SELECT count(*) FROM enterprise_version), (SELECT count(*) FROM fact_version),"
            " (SELECT count(*) FROM ledger)"
        ).fetchone()


def run_import(cli, path, db, *extra):
    result = cli("import", "enterprises", path, "--db", db, "--json", *extra)
    return result.exit_code, json.loads(result.stdout)


def test_import_then_reimport_changes_nothing(tmp_path, cli):
    db = tmp_path / "s.duckdb"
    path = write_csv(tmp_path / "r.csv", roster_rows(3), encoding="gb18030", newline="\r\n")
    code, report = run_import(cli, path, db)
    assert code == 0
    assert {
        k: report[k] for k in ("rows_read", "inserted", "updated", "unchanged", "duplicates", "rejected", "written")
    } == {"rows_read": 6, "inserted": 6, "updated": 0, "unchanged": 0, "duplicates": 0, "rejected": 0, "written": True}
    assert set(report) >= {"source", "rejects_file", "errors"}
    before = counts(db)
    assert before == (3, 6, 1)
    code, again = run_import(cli, path, db)
    assert code == 0 and again["unchanged"] == 6 and again["inserted"] == again["updated"] == 0
    assert counts(db) == before


def test_any_invalid_row_writes_nothing(tmp_path, cli):
    db = tmp_path / "s.duckdb"
    run_import(cli, write_csv(tmp_path / "ok.csv", roster_rows(2)), db)
    before = counts(db)
    rows = roster_rows(4)
    rows[5]["revenue"] = "-1"
    code, report = run_import(cli, write_csv(tmp_path / "bad.csv", rows), db)
    assert code == 1 and report["written"] is False and report["rejected"] == 1
    assert report["errors"] == [
        {
            "row": 7,
            "column": "revenue",
            "key": "import.reason.negative",
            "values": {"value": "-1"},
            "reason": "negative value -1",
        }
    ]
    assert counts(db) == before
    assert not (tmp_path / "bad.rejects.csv").exists()


def test_skip_invalid_writes_valid_rows_and_a_rejects_file(tmp_path, cli):
    db = tmp_path / "s.duckdb"
    rows = roster_rows(3)
    rows[0]["uscc"] = "=cmd|' /C calc'!A0"
    rows[3]["founded"] = "2021-02-30"
    code, report = run_import(cli, write_csv(tmp_path / "r.csv", rows), db, "--skip-invalid")
    assert code == 0 and report["written"] is True
    assert report["rejected"] == 2 and report["inserted"] == 4
    rejects = pl.read_csv(tmp_path / "r.rejects.csv", infer_schema=False)
    assert rejects.columns == ["row", "column", "reason"]
    assert rejects.rows() == [
        ("2", "credit code", "credit code '=CMD|' /C CALC'!A0' has characters no credit code uses: =|' / '!"),
        ("5", "founded", "'2021-02-30' is not a date that exists"),
    ]


def test_changed_value_makes_a_new_version_with_history(tmp_path, cli):
    db = tmp_path / "s.duckdb"
    rows = roster_rows(2, years=(2023,))
    run_import(cli, write_csv(tmp_path / "a.csv", rows), db)
    rows[0]["revenue"] = "9999"
    rows[1]["name"] = "上海样本1数据科技有限公司"
    code, report = run_import(cli, write_csv(tmp_path / "b.csv", rows), db)
    assert code == 0 and report["updated"] == 2 and report["inserted"] == 0
    with open_store(db, read_only=True) as s:
        facts = s.con.execute(
            "SELECT version, revenue, valid_to IS NULL FROM fact_history WHERE uscc = ? ORDER BY version",
            [make_uscc(0)],
        ).fetchall()
        names = s.con.execute(
            "SELECT version, name FROM enterprise_history WHERE uscc = ? ORDER BY version", [make_uscc(1)]
        ).fetchall()
        sources = s.con.execute("SELECT name FROM source ORDER BY source_id").fetchall()
    assert facts == [(1, 1023.0, False), (2, 9999.0, True)]
    assert names == [(1, "上海样本1信息科技有限公司"), (2, "上海样本1数据科技有限公司")]
    assert sources == [("a.csv",), ("b.csv",)]
    history = json.loads(cli("history", make_uscc(1), "--db", db, "--json").stdout)
    assert [v["source"] for v in history["enterprise"]] == ["a.csv", "b.csv"]


def test_history_of_an_enterprise_is_what_the_history_views_hold(tmp_path, cli):
    """`history` (one lookup of both tables, validity worked out in Python) against the views that
    rank the whole table with a window; with the sources read, or handed in as the server keeps them;
    and `Histories`, every history held in memory, as the server answers profiles."""
    from districtlens.store.histories import Histories, history, source_names

    db = tmp_path / "s.duckdb"
    rows = roster_rows(2, years=(2022, 2023))
    run_import(cli, write_csv(tmp_path / "a.csv", rows), db)
    rows[0]["revenue"] = "9999"
    rows[3]["name"] = "上海样本1数据科技有限公司"
    run_import(cli, write_csv(tmp_path / "b.csv", rows), db)
    with open_store(db, read_only=True) as s:
        for uscc in (make_uscc(0), make_uscc(1), make_uscc(7)):
            expected = {}
            for part, view, order in (
                ("enterprise", "enterprise_history", "version"),
                ("facts", "fact_history", "year, version"),
            ):
                cursor = s.con.execute(
                    f"SELECT h.* EXCLUDE (row_hash), s.name AS source, s.kind AS source_kind FROM {view} h"
                    f" JOIN source s USING (source_id) WHERE uscc = ? ORDER BY {order}",
                    [uscc],
                )
                names = [d[0] for d in cursor.description]
                expected[part] = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
            for sources in (None, source_names(s)):
                assert history(s, uscc, sources) == expected, uscc
            assert Histories.read(s).of(uscc) == expected, uscc
        assert [v["valid_to"] is None for v in history(s, make_uscc(1))["enterprise"]] == [False, True]
        assert len(history(s, make_uscc(0))["facts"]) == 3  # 2022, and 2023 in two versions


def test_missing_column_keeps_stored_values(tmp_path, cli):
    db = tmp_path / "s.duckdb"
    rows = roster_rows(1, years=(2023,))
    run_import(cli, write_csv(tmp_path / "a.csv", rows), db)
    slim = [{"uscc": rows[0]["uscc"], "name": rows[0]["name"], "year": "2023", "employees": "99"}]
    code, report = run_import(cli, write_csv(tmp_path / "b.csv", slim), db)
    assert report["updated"] == 1
    with open_store(db, read_only=True) as s:
        row = s.con.execute("SELECT revenue, employees FROM fact_current").fetchone()
        address = s.con.execute("SELECT address, district_adcode FROM enterprise_current").fetchone()
    assert row == (1023.0, 99.0)
    assert address == (rows[0]["address"], "310106")


def test_xlsx_import_and_old_district_names(tmp_path, cli):
    db = tmp_path / "s.duckdb"
    rows = roster_rows(2, years=(2023,), district="闸北区")
    frame = pl.DataFrame(rows).rename({"uscc": "统一社会信用代码", "name": "企业名称", "address": "注册地址"})
    frame.write_excel(tmp_path / "r.xlsx")
    code, report = run_import(cli, tmp_path / "r.xlsx", db)
    assert code == 0 and report["inserted"] == 2
    with open_store(db, read_only=True) as s:
        placed = s.con.execute("SELECT DISTINCT district_adcode, located_by FROM enterprise_current").fetchall()
    assert placed == [("310106", "former-name")]


def test_unreadable_file_is_refused_with_a_message(tmp_path, cli):
    db = tmp_path / "s.duckdb"
    path = tmp_path / "r.csv"
    path.write_text("公司,地址\n甲,乙\n", encoding="utf-8")
    result = cli("import", "enterprises", path, "--db", db)
    assert result.exit_code == 1
    assert "missing column(s): uscc" in result.stderr
    assert counts(db) == (0, 0, 0)


def test_export_neutralises_formula_leading_text(tmp_path, cli):
    db = tmp_path / "s.duckdb"
    rows = roster_rows(4, years=(2023,))
    for row, name in zip(rows, ["=1+2", "+SUM(A1)", "-x", "@cmd"], strict=True):
        row["name"] = name
    run_import(cli, write_csv(tmp_path / "r.csv", rows), db)
    with open_store(db, read_only=True) as s:
        assert sorted(r[0] for r in s.con.execute("SELECT name FROM enterprise_current").fetchall()) == sorted(
            ["=1+2", "+SUM(A1)", "-x", "@cmd"]
        )
    assert cli("export", "enterprises", "--out", tmp_path / "e.xlsx", "--db", db).exit_code == 0
    sheet = load_workbook(tmp_path / "e.xlsx").active
    names = [c.value for c in sheet["B"]][1:]
    assert sorted(names) == sorted(["'=1+2", "'+SUM(A1)", "'-x", "'@cmd"])
    assert all(c.data_type == "s" for c in sheet["B"])
    assert cli("export", "enterprises", "--out", tmp_path / "e.csv", "--db", db).exit_code == 0
    exported = pl.read_csv(tmp_path / "e.csv", infer_schema=False)
    assert {
        "uscc",
        "name",
        "address",
        "district_adcode",
        "street_code",
        "zone",
        "industry_code",
        "synthetic",
        "revenue",
    } <= set(exported.columns)
    assert sorted(exported["name"].to_list()) == sorted(names)
