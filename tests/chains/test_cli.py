"""`districtlens chains ...` and `districtlens targets ...`: JSON shapes, exit codes, moving
firms in through a re-import, and exports that spreadsheets open safely."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from districtlens.chains.templates import shipped_templates
from districtlens.i18n import t
from districtlens.store import open_store
from tests.chains.builders import HUANGPU, JINGAN, Firm, write_firms, write_pack

HOSTILE = ("=1+1", "+SUM(1,2)", "-2+3", "@SUM(1)", "\tTAB", "\rCR")


def build(db, firms):
    with open_store(db) as store:
        write_firms(store, firms)
        write_pack(
            store,
            [
                {
                    "zone_id": "daning",
                    "name_zh": "大宁功能区",
                    "name_en": "Daning zone",
                    "orientation": ["integrated-circuits"],
                }
            ],
            peers=[HUANGPU, JINGAN],
        )


def base_city() -> list[Firm]:
    firms = [Firm(i, f"shop-a{i}", JINGAN, "5212") for i in range(40)]
    firms += [Firm(100 + i, f"shop-b{i}", HUANGPU, "5212") for i in range(40)]
    firms += [Firm(200 + i, f"设计{i}", HUANGPU, "6520", revenue=500.0 + i) for i in range(12)]
    firms += [Firm(300 + i, name, HUANGPU, "3973", revenue=800.0 + i) for i, name in enumerate(HOSTILE)]
    return firms


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The base city, built once: each test moves firms in its own copy."""
    path = tmp_path_factory.mktemp("chains") / "x.duckdb"
    build(path, base_city())
    return path


@pytest.fixture
def db(tmp_path, built):
    path = tmp_path / "x.duckdb"
    shutil.copyfile(built, path)
    return path


def status_of(cli, db, link="design"):
    result = cli("chains", "show", "integrated-circuits", "--area", JINGAN, "--db", db, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    return next(row for row in out["links"] if row["id"] == link), out


def test_show_json_has_the_documented_shape(cli, db):
    link, out = status_of(cli, db)
    assert {"track", "area", "links"} <= set(out)
    assert (out["track"], out["area"]) == ("integrated-circuits", JINGAN)
    for row in out["links"]:
        assert {"id", "name", "stage", "classes", "enterprises", "revenue", "lq", "status", "why"} <= set(row)
    assert link["classes"] == ["6520"]
    assert link["status"] == "missing"


def test_moving_firms_in_through_a_reimport_changes_status(cli, db):
    statuses = []
    for moved in (1, 10):
        movers = [
            Firm(200 + i, f"设计{i}", JINGAN if i < moved else HUANGPU, "6520", revenue=500.0 + i) for i in range(12)
        ]
        with open_store(db) as store:
            write_firms(store, movers, source=f"moved {moved}")
        link, _ = status_of(cli, db)
        assert link["enterprises"] == moved
        assert f"{moved} enterprise" in link["why"] and f"LQ {link['lq']:.2f}" in link["why"]
        statuses.append(link["status"])
    assert statuses == ["weak", "strong"]


def test_against_peers_and_by_zone(cli, db):
    result = cli(
        "chains", "show", "integrated-circuits", "--area", "daning", "--against", "peers", "--db", db, "--json"
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["area"] == "daning"


def test_bad_requests_exit_1_without_a_traceback(cli, db):
    for args in (
        ("chains", "show", "integrated-circuits", "--area", "nowhere"),
        ("chains", "show", "no-such-track", "--area", JINGAN),
        ("targets", "integrated-circuits", "--area", "999999"),
    ):
        result = cli(*args, "--db", db)
        assert result.exit_code == 1
        assert "Traceback" not in result.output


def test_list_and_graph(cli, db):
    listed = json.loads(cli("chains", "list", "--json").output)
    assert len(listed["chains"]) == 6
    graph = json.loads(cli("chains", "graph", "integrated-circuits", "--area", JINGAN, "--db", db).output)
    assert {n["id"] for n in graph["nodes"]} >= {"design", "manufacturing"}
    assert {"source": "design", "target": "manufacturing"} in graph["edges"]


def test_targets_json_has_the_documented_shape(cli, db):
    result = cli("targets", "integrated-circuits", "--area", JINGAN, "--top", "5", "--db", db, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert (out["track"], out["area"]) == ("integrated-circuits", JINGAN)
    assert len(out["targets"]) == 5
    for row in out["targets"]:
        assert {"key", "uscc", "name", "mode", "place", "district_adcode", "links", "score", "parts", "why"} <= set(row)
        assert row["district_adcode"] != JINGAN and row["mode"] in ("fill", "strengthen", "extend")


def test_opportunities_json(cli, db):
    result = cli("targets", "integrated-circuits", "--area", JINGAN, "--opportunities", "--db", db, "--json")
    assert result.exit_code == 0, result.output
    assert all(row["rca"] < 1 for row in json.loads(result.output)["opportunities"])


def test_leads_file_is_validated(cli, db, tmp_path):
    bad = tmp_path / "leads.csv"
    bad.write_text("uscc,name\nnot-a-code,某公司\n", encoding="utf-8")
    result = cli("targets", "integrated-circuits", "--area", JINGAN, "--leads", bad, "--db", db)
    assert result.exit_code == 1
    assert "invalid" in result.output
    assert "row 2, credit code: credit code 'NOT-A-CODE' has 10 characters, not 18" in result.output
    refused = cli("targets", "integrated-circuits", "--area", JINGAN, "--leads", bad, "--db", db, "--json")
    (problem,) = json.loads(refused.stdout)["values"]["problems"]
    assert problem["values"]["reason"] == {
        "key": "import.reason.uscc_length",
        "values": {"code": "NOT-A-CODE", "length": 10},
    }


def test_excel_export_opens_in_openpyxl_and_libreoffice_with_formulas_neutralised(cli, db, tmp_path):
    out = tmp_path / "targets.xlsx"
    result = cli("targets", "integrated-circuits", "--area", JINGAN, "--top", "50", "--db", db, "--out", out)
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out).worksheets[0]
    header = [c.value for c in sheet[1]]
    names = [row[header.index(t("export.column.name", "en"))] for row in sheet.iter_rows(min_row=2, values_only=True)]
    # Every hostile name is there, behind an apostrophe (a carriage return is stored as the
    # XLSX escape _x000D_, which openpyxl hands back as written).
    hostile_names = [n for n in names if not n.startswith("设计")]
    assert len(hostile_names) == len(HOSTILE)
    assert all(n.startswith("'") for n in hostile_names)
    assert {"'=1+1", "'+SUM(1,2)", "'-2+3", "'@SUM(1)", "'\tTAB"} <= set(hostile_names)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"

    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is needed: apt-get install libreoffice-calc-nogui"
    converted = tmp_path / "converted"
    env = dict(os.environ, HOME=str(tmp_path))  # a private profile: no lock on the user's
    subprocess.run(
        [soffice, "--headless", "--convert-to", "csv", "--outdir", str(converted), str(out)],
        check=True,
        env=env,
        capture_output=True,
        timeout=180,
    )
    with open(converted / "targets.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    name_column = rows[0].index(t("export.column.name", "en"))
    seen = [row[name_column] for row in rows[1:]]
    # LibreOffice reads the text as text: nothing was evaluated ("=1+1" did not become 2).
    assert "'=1+1" in seen and "2" not in seen
    assert "'@SUM(1)" in seen and "'+SUM(1,2)" in seen


def test_excel_export_is_headed_and_labelled_in_the_chosen_language(cli, db, tmp_path):
    out = tmp_path / "targets.xlsx"
    result = cli("targets", "integrated-circuits", "--area", JINGAN, "--lang", "zh", "--db", db, "--out", out)
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(out).worksheets[0].iter_rows(values_only=True))
    header = list(rows[0])
    assert t("export.column.rank", "zh") in header and t("export.column.why", "zh") in header
    # No column name of the code, no mode or part slug: words a reader can read.
    assert not {"rank", "uscc", "industry_code", "links", "zone_id", "carrier_id", "fit"} & set(header)
    modes = {row[header.index(t("export.column.mode", "zh"))] for row in rows[1:]}
    assert modes and modes <= {t(f"targets.mode.{m}", "zh") for m in ("fill", "strengthen", "extend")}
    whys = [row[header.index(t("export.column.why", "zh"))] for row in rows[1:]]
    assert all(not re.search(r"[A-Za-z]{3,} [A-Za-z]{3,} [A-Za-z]{3,}", why) for why in whys), whys[:3]


def test_csv_export_neutralises_too(cli, db, tmp_path):
    out = tmp_path / "targets.csv"
    assert (
        cli("targets", "integrated-circuits", "--area", JINGAN, "--top", "50", "--db", db, "--out", out).exit_code == 0
    )
    text = out.read_text(encoding="utf-8-sig")
    assert "'=1+1" in text and "'-2+3" in text
    with pytest.raises(ValueError):
        text.index("\n=1+1")


def test_city_shows_every_district_and_agrees_with_show(cli, db):
    result = cli("chains", "city", "integrated-circuits", "--area", JINGAN, "--db", db, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    districts = {row["district"]: row for row in out["districts"]}
    assert len(districts) == 16 and {JINGAN, HUANGPU} <= set(districts)
    assert districts[HUANGPU]["links"]["design"]["enterprises"] == 12
    link, _ = status_of(cli, db)
    assert districts[JINGAN]["links"]["design"]["status"] == link["status"] == "missing"
    table = cli("chains", "city", "integrated-circuits", "--area", JINGAN, "--db", db)
    # Links are headed by their names in the language, never by their ids.
    assert table.exit_code == 0 and "Design" in table.output and "design" not in table.output
    french = cli("chains", "city", "integrated-circuits", "--area", JINGAN, "--lang", "fr", "--db", db)
    assert french.exit_code == 0 and "Conception" in french.output and "missing" not in french.output


def test_city_of_all_tracks_gives_each_track_as_city_gives_it_alone(cli, db):
    result = cli("chains", "city", "--all-tracks", "--area", JINGAN, "--db", db, "--json")
    assert result.exit_code == 0, result.output
    tracks = json.loads(result.output)["tracks"]
    assert [t["track"] for t in tracks] == list(shipped_templates())
    alone = cli("chains", "city", "integrated-circuits", "--area", JINGAN, "--db", db, "--json")
    assert next(t for t in tracks if t["track"] == "integrated-circuits") == json.loads(alone.output)
    assert cli("chains", "city", "biopharma", "--all-tracks", "--area", JINGAN, "--db", db).exit_code == 2
    assert cli("chains", "city", "--area", JINGAN, "--db", db).exit_code == 2
    table = cli("chains", "city", "--all-tracks", "--area", JINGAN, "--db", db)
    assert table.exit_code == 0 and "Design" in table.output and "APIs" in table.output
    assert "apis" not in table.output


def test_show_gives_each_reason_in_the_language_asked_for(cli, db):
    said = {}
    for lang in ("zh", "en", "fr"):
        result = cli("chains", "show", "integrated-circuits", "--area", JINGAN, "--lang", lang, "--db", db, "--json")
        assert result.exit_code == 0, result.output
        said[lang] = json.loads(result.output)["links"]
    assert [link["status"] for link in said["zh"]] == [link["status"] for link in said["en"]]
    for zh, en in zip(said["zh"], said["en"], strict=True):
        assert zh["why"] != en["why"] and not re.search(r"[A-Za-z]{2,} [A-Za-z]{2,} [A-Za-z]{2,}", zh["why"]), zh["why"]
    table = cli("chains", "show", "integrated-circuits", "--area", JINGAN, "--lang", "fr", "--db", db)
    assert table.exit_code == 0 and t("chains.col.why", "fr") in table.output and "so weak" not in table.output


def test_targets_speak_the_language_asked_for(cli, db, monkeypatch):
    zh = json.loads(
        cli("targets", "integrated-circuits", "--area", JINGAN, "--lang", "zh", "--db", db, "--json").output
    )
    assert zh["targets"] and all(t["why"].startswith("【") for t in zh["targets"])
    monkeypatch.setenv("DISTRICTLENS_LANG", "fr")
    printed = cli("targets", "integrated-circuits", "--area", JINGAN, "--top", "2", "--db", db)
    assert printed.exit_code == 0 and "pourquoi" in printed.output
    assert cli("targets", "integrated-circuits", "--area", JINGAN, "--lang", "de", "--db", db).exit_code == 2


def test_pools_leads_and_scenarios_from_the_command_line(cli, db, tmp_path):
    pool = tmp_path / "fair.csv"
    pool.write_text(
        "firm_id,name,country,address,sector,revenue\n"
        "1,深圳芯片设计有限公司,China,广东省深圳市南山区科技园,半导体,50000\n"
        "2,Chip Design Inc,USA,,Semiconductors and Other Electronic Components,\n",
        encoding="utf-8",
    )
    imported = json.loads(cli("pools", "import", pool, "--no-link", "--db", db, "--json").output)
    assert imported["pools"][0] == imported["pools"][0] | {"pool": "fair", "firms": 2, "placed_in_china": 1}
    found = json.loads(
        cli("targets", "integrated-circuits", "--area", JINGAN, "--pool", "fair", "--db", db, "--json").output
    )
    from_pool = [t for t in found["targets"] if t["source"] == "fair"]
    assert {t["name"] for t in from_pool} == {"深圳芯片设计有限公司", "Chip Design Inc"}
    assert any("Nanshan District, Shenzhen, Guangdong" in t["place"] for t in from_pool)  # the CLI speaks English
    target = from_pool[0]
    saved = json.loads(
        cli(
            "leads",
            "save",
            "integrated-circuits",
            "--area",
            JINGAN,
            "--key",
            target["key"],
            "--name",
            target["name"],
            "--owner",
            "li",
            "--db",
            db,
            "--json",
        ).output
    )["lead"]
    moved = json.loads(cli("leads", "update", saved["lead_id"], "--status", "contacted", "--db", db, "--json").output)
    assert moved["lead"]["version"] == 2 and moved["lead"]["status"] == "contacted"
    listed = json.loads(cli("leads", "list", "--db", db, "--json").output)
    assert [lead["lead_id"] for lead in listed["leads"]] == [saved["lead_id"]]
    code = shipped_templates()["integrated-circuits"].links[0].classes[0]
    what_if = json.loads(
        cli(
            "scenario",
            "compute",
            "integrated-circuits",
            "--area",
            JINGAN,
            "--firm",
            f"{code}:900:30",
            "--db",
            db,
            "--json",
        ).output
    )
    assert (
        what_if["added"] == 1
        and what_if["links"][0]["enterprises_after"] == what_if["links"][0]["enterprises_before"] + 1
    )
