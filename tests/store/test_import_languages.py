"""A refused row's reason is a message key and its values, said in the reader's language: the CLI's
table and counts, the JSON's text, and the rejects file's headers, column names and reasons, with
no English left in a zh or fr import; and every reason built in the code has its placeholders."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import polars as pl
import pytest

from districtlens.i18n import LANGUAGES, catalog, t
from tests.helpers import make_uscc, roster_rows, write_csv

SRC = Path(__file__).resolve().parents[2] / "src" / "districtlens"
# The messages an import says: its reasons, its column names, its table and its counts.
SAID = ("import.", "cli.problems.", "cli.import.")


def _said_keys() -> list[str]:
    return [key for key in catalog("en") if key.startswith(SAID)]


def english_words(lang: str) -> set[str]:
    """The English words of the import's messages that the `lang` texts do not use themselves (an
    option such as --skip-invalid is written alike in every language)."""
    english = {w for key in _said_keys() for w in re.findall(r"[a-z]{4,}", catalog("en")[key].lower())}
    own = {w for key in _said_keys() for w in re.findall(r"[a-z]{4,}", catalog(lang)[key].lower())}
    return english - own


def english_left(output: str, lang: str) -> set[str]:
    """The English words of `output`, leaving out file paths and options (they name themselves)."""
    kept = " ".join(token for token in output.split() if "/" not in token and not token.startswith("--")).lower()
    return {word for word in english_words(lang) if re.search(rf"\b{word}\b", kept)}


def bad_roster(path: Path) -> Path:
    """A roster with one row of each kind of refusal the tests read: a negative number, a date that
    does not exist, a class GB/T 4754 lacks, a credit code of the wrong length, and two rows that
    give the same (uscc, year) different values."""
    rows = roster_rows(6, years=(2023,))
    rows[1]["revenue"] = "-1"
    rows[2]["founded"] = "2021-02-30"
    rows[3]["industry_code"] = "9999"
    rows[4]["uscc"] = make_uscc(4)[:17]
    rows.append({**rows[5], "revenue": "12.5"})
    return write_csv(path, rows)


@pytest.mark.parametrize("lang", ["zh", "fr"])
def test_the_cli_says_every_refused_row_in_the_language_asked(cli, tmp_path, lang):
    result = cli("import", "enterprises", bad_roster(tmp_path / "r.csv"), "--db", tmp_path / "s.duckdb", "--lang", lang)
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert t("import.reason.negative", lang, value="-1") in output
    assert t("import.reason.no_such_date", lang, value="2021-02-30") in output
    assert t("import.column.industry_code", lang) in output
    assert english_words(lang), "the check has English words to look for"
    assert english_left(result.output, lang) == set()


def test_the_json_carries_the_key_the_values_and_the_text_in_the_language_asked(cli, tmp_path):
    path = bad_roster(tmp_path / "r.csv")
    result = cli("import", "enterprises", path, "--db", tmp_path / "s.duckdb", "--json", "--lang", "fr")
    errors = json.loads(result.stdout)["errors"]
    assert [(e["row"], e["column"], e["key"]) for e in errors] == [
        (3, "revenue", "import.reason.negative"),
        (4, "founded", "import.reason.no_such_date"),
        (5, "industry_code", "import.reason.not_a_class"),
        (6, "uscc", "import.reason.uscc_length"),
        (7, "uscc+year", "import.reason.same_key_conflict"),
        (8, "uscc+year", "import.reason.same_key_conflict"),
    ]
    assert errors[0]["values"] == {"value": "-1"} and errors[0]["reason"] == "valeur négative -1"
    assert errors[3]["values"] == {"code": make_uscc(4)[:17], "length": 17}
    assert errors[4]["values"] == {"rows": "8"}
    assert all(e["reason"] == t(e["key"], "fr", **e["values"]) for e in errors)


@pytest.mark.parametrize("lang", ["zh", "fr"])
def test_the_rejects_file_is_headed_and_reasoned_in_the_language_asked(cli, tmp_path, lang):
    path = bad_roster(tmp_path / "r.csv")
    result = cli("import", "enterprises", path, "--db", tmp_path / "s.duckdb", "--skip-invalid", "--lang", lang)
    assert result.exit_code == 0
    assert english_left(result.output, lang) == set()
    rejects = pl.read_csv(tmp_path / "r.rejects.csv", infer_schema=False)
    assert rejects.columns == [t(f"cli.problems.{c}", lang) for c in ("row", "column", "reason")]
    assert rejects.height == 6  # every refused row is kept, none lost
    assert rejects.row(0) == ("3", t("import.column.revenue", lang), t("import.reason.negative", lang, value="-1"))
    assert english_left(rejects.write_csv(), lang) == set()


def _reasons_built() -> list[tuple[str, set[str], str]]:
    """(key, the names of the values given, where) of every `reason("import.reason.x", ...)` in src."""
    found = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "reason"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                names = {k.arg for k in node.keywords if k.arg}
                found.append((node.args[0].value, names, f"{path.name}:{node.lineno}"))
    return found


def test_every_reason_built_has_a_text_in_every_language_with_the_values_it_is_given():
    built = _reasons_built()
    assert len(built) > 20, "the scan finds the reasons built in src"
    for key, names, where in built:
        for lang in LANGUAGES:
            assert set(re.findall(r"\{(\w+)\}", t(key, lang))) == names, (where, key, lang)


def test_every_column_a_refusal_can_name_has_a_name_in_every_language():
    from districtlens.carriers.tenancy import COLUMNS as TENANT_COLUMNS
    from districtlens.ingest.reasons import column_label
    from districtlens.ingest.validate import COLUMNS

    columns = {c.name for c in COLUMNS} | {c.name for c in TENANT_COLUMNS} | {"uscc+year"}
    for lang in LANGUAGES:
        assert all(column_label(column, lang) for column in columns)


def test_a_pool_import_is_said_in_the_language_of_the_cli(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("DISTRICTLENS_LANG", "zh")
    pool = tmp_path / "fair.csv"
    pool.write_text(
        "firm_id,name,country,address\n1,深圳芯片设计有限公司,China,广东省深圳市南山区科技园\n", encoding="utf-8"
    )
    result = cli("pools", "import", pool, "--no-link", "--db", tmp_path / "s.duckdb")
    assert result.exit_code == 0, result.output
    said = t("cli.import.pool", "zh", pool="fair", version=1, firms="1", placed="1", linked="0")
    assert " ".join(result.output.split()) == said + t("cli.import.pool_not_linked", "zh")

    pool.write_text("firm_id,name,country\n1,甲公司,China\n1,乙公司,China\n", encoding="utf-8")
    refused = cli("pools", "import", pool, "--no-link", "--db", tmp_path / "s.duckdb")
    assert refused.exit_code == 1
    assert "第 3 行，企业编号：“1”重复出现" in refused.output
    assert english_left(refused.output, "zh") == set()


def test_a_refused_file_is_said_in_the_language_asked_and_only_for_that_command(cli, tmp_path):
    path = write_csv(tmp_path / "r.csv", [{"name": "上海甲公司", "revenue": "1"}])
    db = tmp_path / "s.duckdb"
    refused = cli("import", "enterprises", path, "--db", db, "--lang", "fr")
    assert refused.exit_code == 1
    assert "colonne" in refused.output and "missing" not in refused.output
    as_json = cli("import", "enterprises", path, "--db", db, "--lang", "zh", "--json")
    assert json.loads(as_json.stdout)["error"] == t(
        "roster.missing_columns", "zh", **json.loads(as_json.stdout)["values"]
    )
    again = cli("import", "enterprises", path, "--db", db)
    assert "missing" in again.output  # the next command, without --lang, in the default English


def test_an_unknown_language_is_a_usage_error_said_in_the_cli_language(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("DISTRICTLENS_LANG", "fr")
    result = cli("import", "enterprises", tmp_path / "r.csv", "--db", tmp_path / "s.duckdb", "--lang", "de")
    assert result.exit_code == 2
    assert t("cli.bad_lang", "fr", languages="zh, en, fr") in result.output
