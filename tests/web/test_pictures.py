"""The dashboard's pictures: the treemap of the industry mix (disclosure kept), the relatedness
network, the chain graph's stages and legend, every chart's CSV link with translated headers, and
one definition of the headline figures shared by the dashboard, the API and the briefing."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from urllib.parse import unquote

import pytest

from districtlens.briefing import figures as briefing_figures
from districtlens.claims.session import Session
from districtlens.store import claims as claim_store
from districtlens.store.chains import CLOSED_STATUS_PATTERN
from districtlens.web import api, figures
from districtlens.web.i18n import Formatter

LANGS = ("zh", "en", "fr")
HEADLINE = ("enterprises", "revenue", "tax", "employees", "rd_spend")


def _spec(page: str, chart_id: str) -> dict:
    found = re.search(rf'<script type="application/json" id="{chart_id}-data">(.*?)</script>', page, re.S)
    assert found, chart_id
    return json.loads(html.unescape(found.group(1)))


def _csv(page: str, chart_id: str) -> list[list[str]]:
    found = re.search(rf'<a href="(data:text/csv;[^"]+)" download="{chart_id}.csv"', page)
    assert found, chart_id
    text = unquote(html.unescape(found.group(1)).split(",", 1)[1])
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _leaves(nodes: list[dict]) -> list[dict]:
    out = []
    for node in nodes:
        out += _leaves(node["children"]) if "children" in node else [node]
    return out


# ---- one definition per figure -----------------------------------------------------------------


def test_the_overview_shows_the_briefings_headline_figures(web_app, clients):
    """The dashboard and the API give, for the same head and year, the figures the briefing
    prints. The demo store holds deregistered firms that reported facts: counting them (as the
    overview once did) would break this."""
    overview = clients["admin"].get("/api/overview").json()
    area, year = overview["pack"]["adcode"], overview["year"]
    with web_app.state.server.reader() as store:
        closed = store.con.execute(
            "SELECT count(*) FROM fact_current f JOIN enterprise_current e USING (uscc)"
            " WHERE e.district_adcode = ? AND f.year = ? AND regexp_matches(coalesce(e.status, ''), ?)",
            [area, year, CLOSED_STATUS_PATTERN],
        ).fetchone()[0]
        assert closed > 0, "the test needs closed firms with facts, else it cannot fail"
        assert claim_store.latest_fact_year(store) == year
        session = Session(store)
        planned = briefing_figures.plan(session, area)
        briefing = {f.id: f for f in briefing_figures.compute_all(session, planned)}
    indicators = {i["id"]: i for i in overview["indicators"]}
    for measure in HEADLINE:
        figure = briefing[f"headline.{measure}"]
        assert indicators[measure]["value"] == pytest.approx(figure.value, rel=1e-12), measure
        # The latest point of the trend is the same figure.
        assert indicators[measure]["trend"][-1]["value"] == pytest.approx(figure.value, rel=1e-9), measure
        for lang in LANGS:
            assert indicators[measure]["definition"][lang], (measure, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_each_headline_figure_shows_its_definition(clients, lang):
    page = clients["admin"].get(f"/?lang={lang}").text
    overview = clients["admin"].get("/api/overview").json()
    for indicator in overview["indicators"]:
        shown = re.search(rf'data-testid="definition-{indicator["id"]}">(.*?)</p>', page, re.S)
        assert shown, indicator["id"]
        text = html.unescape(shown.group(1))
        assert indicator["definition"][lang] in text
        assert overview["pack"]["adcode"] not in text, "the district is named, not coded"


# ---- the treemap -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "analyst"])
def test_the_treemap_holds_every_class_of_the_district(clients, role):
    rows = clients[role].get("/api/industry-mix").json()["rows"]
    assert rows and not any(r.get("suppressed") for r in rows)
    page = clients[role].get("/industries?lang=en&mix=enterprises").text
    leaves = _leaves(_spec(page, "industry-mix")["tree"])
    assert sorted(leaf["code"] for leaf in leaves) == sorted(r["code"] for r in rows if r["enterprises"])
    assert sum(leaf["value"] for leaf in leaves) == sum(r["enterprises"] for r in rows)
    # Nested as sections > divisions > classes: each class under its own division.
    for section in _spec(page, "industry-mix")["tree"]:
        for division in section["children"]:
            assert all(leaf["code"][:2] == division["name"][:2] for leaf in division["children"])


@pytest.mark.parametrize("role", ["viewer", "operator"])
def test_the_treemap_keeps_hidden_classes_hidden(clients, role):
    rows = clients[role].get("/api/industry-mix").json()["rows"]
    hidden = {r["code"] for r in rows if r.get("suppressed")}
    assert hidden, "the demo district has classes too small to show"
    for row in rows:
        if row["code"] in hidden:
            assert row["enterprises"] is None and row["revenue"] is None and row["employees"] is None
    for mix in ("revenue", "enterprises"):
        page = clients[role].get(f"/industries?lang=fr&mix={mix}").text
        drawn = {leaf["code"] for leaf in _leaves(_spec(page, "industry-mix")["tree"])}
        assert drawn and not drawn & hidden
        table = _csv(page, "industry-mix")
        assert not {r[2] for r in table[1:]} & hidden
        assert "masquées" in page


# ---- the relatedness network -------------------------------------------------------------------


def test_the_network_holds_present_and_next_activities(clients):
    data = clients["analyst"].get("/api/relatedness").json()
    nodes = data["nodes"]
    assert 0 < len(nodes) <= 60
    present = [n for n in nodes if n["present"]]
    following = [n for n in nodes if not n["present"]]
    assert present and following
    assert all(n["rca"] >= 1 for n in present) and all(n["rca"] < 1 for n in following)
    densities = [n["density"] for n in following]
    assert densities == sorted(densities, reverse=True)
    codes = {n["code"] for n in nodes}
    assert data["edges"] and all(e["source"] in codes and e["target"] in codes for e in data["edges"])
    assert all(0 < e["proximity"] <= 1 for e in data["edges"])


def test_a_restricted_role_sees_no_hidden_division_in_the_network(clients):
    hidden = {r["code"] for r in clients["viewer"].get("/api/industries").json()["rows"] if r.get("suppressed")}
    data = clients["viewer"].get("/api/relatedness").json()
    shown = {n["code"] for n in data["nodes"]}
    assert not shown & hidden
    assert all(e["source"] in shown and e["target"] in shown for e in data["edges"])


# ---- the chain graph, the map and every chart's CSV ---------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_chain_graph_has_stage_columns_and_a_status_legend(clients, lang):
    track = next(iter(sorted(figures.chain_templates())))
    page = clients["admin"].get(f"/chains?track={track}&lang={lang}").text
    spec = _spec(page, "chain-graph")
    assert [s["id"] for s in spec["stages"]] == ["upstream", "midstream", "downstream"]
    assert set(spec["stage"]) <= {s["id"] for s in spec["stages"]}
    assert len(set(spec["statuses"].values())) == 4
    table = _csv(page, "chain-graph")
    assert len(table) == 1 + len(spec["nodes"])
    stage_names = {s["name"] for s in spec["stages"]}
    assert {row[1] for row in table[1:]} <= stage_names
    if lang != "en":
        assert not stage_names & {"upstream", "midstream", "downstream"}


CHARTS = {
    "/": ["trend-revenue", "peers"],
    "/industries": ["industry-mix", "relatedness-network", "activities"],
    "/map": ["district-map"],
}
YEAR = {"zh": "年份", "en": "Year", "fr": "Année"}


@pytest.mark.parametrize("lang", LANGS)
def test_every_chart_has_its_data_as_csv_with_translated_headers(clients, lang):
    for path, charts in CHARTS.items():
        page = clients["analyst"].get(f"{path}?lang={lang}").text
        assert page.count('class="chart"') == page.count('download="'), path
        assert page.count('data-save="') == page.count('class="chart"'), path
        for chart_id in charts:
            table = _csv(page, chart_id)
            assert len(table) > 1 and all(len(row) == len(table[0]) for row in table), chart_id
    overview = clients["analyst"].get(f"/?lang={lang}").text
    assert _csv(overview, "trend-revenue")[0][0] == YEAR[lang]
    assert _csv(overview, "peers")[0][0] == Formatter(lang).gettext("District")


def test_the_map_outlines_the_district_and_names_its_units(clients):
    page = clients["analyst"].get("/map?lang=en&measure=revenue").text
    spec = _spec(page, "district-map")
    assert [v["adcode"] for v in spec["values"] if v["home"]] == [
        clients["analyst"].get("/api/overview").json()["pack"]["adcode"]
    ]
    assert "(" in spec["legend"] and spec["zones_name"]
    # Only the zones the pack places are drawn, each labelled by name.
    placed = [z for z in clients["analyst"].get("/api/map").json()["zones"] if z.get("lon") is not None]
    assert len(spec["zones"]) == len(placed)


def test_a_zone_the_pack_places_is_a_labelled_point(clients, monkeypatch):
    """The Jing'an pack places no zone (no public source gives their positions): place one."""
    original = api.map_for

    def placing_one(server, store, who):
        data = original(server, store, who)
        first = dict(data["zones"][0], lon=121.45, lat=31.26)
        return dict(data, zones=[first, *data["zones"][1:]])

    monkeypatch.setattr(api, "map_for", placing_one)
    page = clients["analyst"].get("/map?lang=fr").text
    zones = _spec(page, "district-map")["zones"]
    first = clients["analyst"].get("/api/map").json()["zones"][0]
    assert zones == [{"name": first["names"]["fr"], "value": [121.45, 31.26, first["enterprises"]]}]
