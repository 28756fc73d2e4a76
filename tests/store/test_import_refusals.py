"""Files are read right or refused (issue #19, part 5): each misreading the issue lists is, through
the CLI and the commands layer, either read correctly or refused with exit code 1, naming the row,
the column and the reason, with the store unchanged (ledger head and row counts)."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import polars as pl
import pytest
from openpyxl import Workbook

from districtlens.store import open_store
from tests.helpers import make_uscc, roster_rows, write_csv

HEADER = "uscc,name,address,industry_code,founded,year,revenue,employees"


def state(db: Path) -> tuple:
    """The ledger head and the row counts a refused import must leave as they were."""
    with open_store(db, read_only=True) as s:
        return s.con.execute(
            "SELECT (SELECT max_by(hash, seq) FROM ledger), (SELECT count(*) FROM ledger),"
            " (SELECT count(*) FROM enterprise_version), (SELECT count(*) FROM fact_version),"
            " (SELECT count(*) FROM source)"
        ).fetchone()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    """A store holding one roster already: a refusal must not touch what is there."""
    from typer.testing import CliRunner

    from districtlens.cli import app

    folder = tmp_path_factory.mktemp("seeded")
    db = folder / "s.duckdb"
    roster = write_csv(folder / "seed.csv", roster_rows(2))
    result = CliRunner().invoke(app, ["import", "enterprises", str(roster), "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture
def db(seeded, tmp_path) -> Path:
    copy = tmp_path / "s.duckdb"
    shutil.copy(seeded, copy)
    return copy


def line(i: int, **values: str) -> str:
    row = {**roster_rows(i + 1, years=(2024,))[i], **values}
    return ",".join(row[c] for c in HEADER.split(","))


def refused(cli, db: Path, path: Path, *extra: str) -> str:
    """Import `path`, assert it is refused with the store unchanged; the refusal's message."""
    before = state(db)
    result = cli("import", "enterprises", path, "--db", db, *extra)
    assert result.exit_code == 1, result.output
    assert state(db) == before
    return result.output


def refused_rows(cli, db: Path, path: Path) -> list[dict]:
    """Like `refused`, through --json: the row problems the report lists."""
    before = state(db)
    result = cli("import", "enterprises", path, "--db", db, "--json")
    assert result.exit_code == 1, result.output
    assert state(db) == before
    report = json.loads(result.stdout)
    assert report["written"] is False
    return report["errors"]


def text_file(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_a_decimal_comma_is_refused_unless_the_import_says_so(cli, db, tmp_path):
    quoted = line(5, revenue="1234,56").replace("1234,56", '"1234,56"')
    path = text_file(tmp_path / "r.csv", f"{HEADER}\n{quoted}\n")
    errors = refused_rows(cli, db, path)
    assert [(e["row"], e["column"]) for e in errors] == [(2, "revenue")]
    assert "decimal comma" in errors[0]["reason"]
    result = cli("import", "enterprises", path, "--db", db, "--json", "--decimal-comma")
    assert result.exit_code == 0, result.output
    with open_store(db, read_only=True) as s:
        assert s.con.execute("SELECT revenue FROM fact_current WHERE uscc = ?", [make_uscc(5)]).fetchone() == (1234.56,)


def test_thousands_separators_still_read_and_decimal_points_are_refused_under_decimal_comma(cli, db, tmp_path):
    grouped = line(5, revenue="1,234.5").replace("1,234.5", '"1,234.5"')
    path = text_file(tmp_path / "r.csv", f"{HEADER}\n{grouped}\n")
    assert cli("import", "enterprises", path, "--db", db, "--decimal-comma").exit_code == 1
    assert cli("import", "enterprises", path, "--db", db).exit_code == 0
    with open_store(db, read_only=True) as s:
        assert s.con.execute("SELECT revenue FROM fact_current WHERE uscc = ?", [make_uscc(5)]).fetchone() == (1234.5,)


def test_a_bare_year_is_not_a_date(cli, db, tmp_path):
    path = text_file(tmp_path / "r.csv", f"{HEADER}\n{line(5, founded='2015')}\n{line(6)}\n")
    errors = refused_rows(cli, db, path)
    assert [(e["row"], e["column"]) for e in errors] == [(2, "founded")]
    assert "is a year, not a date" in errors[0]["reason"]


def test_a_file_cut_mid_row_is_refused(cli, db, tmp_path):
    whole = f"{HEADER}\n{line(5)}\n{line(6, revenue='98.5')}\n"
    cut = whole[: whole.rindex(",2024,") + len(",2024,98")]
    assert cut.endswith(",2024,98")
    output = refused(cli, db, text_file(tmp_path / "r.csv", cut))
    assert "ends in the middle of row 3" in output and "'revenue'" in output


def test_a_short_row_is_refused(cli, db, tmp_path):
    short = ",".join(line(6).split(",")[:5])
    output = refused(cli, db, text_file(tmp_path / "r.csv", f"{HEADER}\n{line(5)}\n{short}\n{line(7)}\n"))
    assert "row 3: 5 field(s) where the header has 8" in output and "'year'" in output


def test_a_long_row_is_refused(cli, db, tmp_path):
    output = refused(cli, db, text_file(tmp_path / "r.csv", f"{HEADER}\n{line(5)}\n{line(6)},x\n"))
    assert "row 3: 9 fields where the header has 8" in output


def test_facts_without_a_year_column_are_refused(cli, db, tmp_path):
    rows = [{"uscc": make_uscc(5), "name": "上海甲公司", "revenue": "100", "employees": "5"}]
    output = refused(cli, db, write_csv(tmp_path / "r.csv", rows))
    assert "no year column" in output and "revenue, employees" in output


def test_formulas_without_saved_values_are_refused_naming_the_cells(cli, db, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    for i in (5, 6):
        sheet.append(line(i).split(","))
    sheet["G2"] = "=1000+234"  # openpyxl writes the formula and no value: never opened in a spreadsheet
    sheet["H3"] = "=SUM(H2:H2)"
    book.save(tmp_path / "r.xlsx")
    output = refused(cli, db, tmp_path / "r.xlsx")
    assert "2 formula cell(s)" in output and "G2, H3" in output


def test_cr_only_line_ends_are_read(cli, db, tmp_path):
    path = text_file(tmp_path / "r.csv", "\r".join([HEADER, line(5), line(6), line(7)]) + "\r", "gb18030")
    result = cli("import", "enterprises", path, "--db", db, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["rows_read"], report["inserted"], report["rejected"]) == (3, 3, 0)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_header_named_twice_is_refused(cli, db, tmp_path, suffix):
    frame = pl.DataFrame([line(5).split(",") + ["上海乙公司"]], schema=[*HEADER.split(","), "name_2"], orient="row")
    path = tmp_path / f"r{suffix}"
    if suffix == ".csv":
        path.write_text(frame.write_csv().replace("name_2", "name"), encoding="utf-8")
    else:
        book = Workbook()
        book.active.append([*HEADER.split(","), "name"])
        book.active.append(frame.row(0))
        book.save(path)
    output = refused(cli, db, path)
    assert "names column 'name' twice (columns 2 and 9)" in output


def bomb(path: Path, padding_mib: int) -> Path:
    """A valid workbook whose sheet XML carries `padding_mib` MiB of blanks: a few hundred KB on disk."""
    book = Workbook()
    book.active.append(HEADER.split(","))
    book.active.append(line(5).split(","))
    plain = io.BytesIO()
    book.save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            data = source.read(part.filename)
            if part.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * (padding_mib * 2**20))
            target.writestr(part.filename, data)
    return path


def test_a_compression_bomb_is_refused_before_it_is_inflated(cli, db, tmp_path):
    path = bomb(tmp_path / "bomb.xlsx", 64)
    assert path.stat().st_size < 2**20
    output = refused(cli, db, path)
    assert "xl/worksheets/sheet1.xml" in output and "compression bomb" in output


def test_an_xlsx_declaring_more_than_the_limit_is_refused(cli, db, tmp_path, monkeypatch):
    from districtlens.ingest import read

    monkeypatch.setattr(read, "MAX_XLSX_EXPANDED", 2**20)
    output = refused(cli, db, bomb(tmp_path / "big.xlsx", 1))
    assert "more than the 1 MiB an import reads" in output


def test_a_reserved_header_is_refused_cleanly(cli, db, tmp_path):
    output = refused(cli, db, text_file(tmp_path / "r.csv", f"{HEADER},__row__\n{line(5)},7\n"))
    assert "column 9 is named '__row__'" in output


def test_a_full_width_credit_code_is_read_as_its_ascii_form(cli, db, tmp_path):
    code = make_uscc(5)
    wide = "".join(chr(ord(c) + 0xFEE0) for c in code)  # ９１３１… as a Chinese input method types it
    path = text_file(tmp_path / "r.csv", f"{HEADER}\n{line(5).replace(code, wide)}\n")
    result = cli("import", "enterprises", path, "--db", db, "--json")
    assert result.exit_code == 0, result.output
    with open_store(db, read_only=True) as s:
        assert s.con.execute("SELECT uscc FROM enterprise_current WHERE uscc = ?", [code]).fetchone() == (code,)


def test_a_full_width_code_failing_its_check_is_refused_for_that_reason(cli, db, tmp_path):
    code = make_uscc(5)
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    wide = "".join(chr(ord(c) + 0xFEE0) for c in wrong)
    errors = refused_rows(cli, db, text_file(tmp_path / "r.csv", f"{HEADER}\n{line(5).replace(code, wide)}\n"))
    assert [(e["row"], e["column"], e["key"]) for e in errors] == [(2, "uscc", "import.reason.uscc_check")]
    assert errors[0]["values"] == {"code": wrong, "expected": code[17]}
    assert errors[0]["reason"] == (
        f"credit code '{wrong}' fails the GB 32100-2015 check: its last character should be {code[17]}"
    )


def test_a_nul_byte_is_refused(cli, db, tmp_path):
    nul = line(6, name="上海\x00乙")
    output = refused(cli, db, text_file(tmp_path / "r.csv", f"{HEADER}\n{line(5)}\n{nul}\n"))
    assert "row 3, column 'name': the cell holds a NUL byte" in output


def test_a_cell_longer_than_a_spreadsheet_cell_is_refused(cli, db, tmp_path):
    output = refused(cli, db, text_file(tmp_path / "r.csv", f"{HEADER}\n{line(5, address='路' * 32_768)}\n"))
    assert "row 2, column 'address': the cell holds 32768 characters" in output


def xlsx_roster(path: Path, founded: list[object]) -> Path:
    book = Workbook()
    book.active.append(HEADER.split(","))
    for i, day in enumerate(founded, start=5):
        book.active.append([*line(i).split(",")[:4], day, 2024, 1000, 5])
    book.save(path)
    return path


def test_numbers_of_an_xlsx_date_column_are_excel_serials_but_a_year_is_not(cli, db, tmp_path):
    result = cli("import", "enterprises", xlsx_roster(tmp_path / "r.xlsx", [44260, "2021-03-06"]), "--db", db)
    assert result.exit_code == 0, result.output
    with open_store(db, read_only=True) as s:
        founded = s.con.execute(
            "SELECT uscc, CAST(founded AS VARCHAR) FROM enterprise_current WHERE uscc IN (?, ?) ORDER BY uscc",
            [make_uscc(5), make_uscc(6)],
        ).fetchall()
    assert founded == [(make_uscc(5), "2021-03-05"), (make_uscc(6), "2021-03-06")]
    output = refused(cli, db, xlsx_roster(tmp_path / "y.xlsx", [2015]))
    assert "'2015' is a year, not a date" in " ".join(output.split())
    # A text cell reading 44260 is no number cell: no serial, whatever its neighbours.
    errors = refused_rows(cli, db, xlsx_roster(tmp_path / "t.xlsx", [44260, "44261"]))
    assert [(e["row"], e["column"], e["key"], e["values"], e["reason"]) for e in errors] == [
        (3, "founded", "import.reason.no_such_date", {"value": "44261"}, "'44261' is not a date that exists")
    ]
