"""Targets and opportunities on a store: firms already in the area never appear, parts and
explanations carry real figures, zones and free space count; the chain graph."""

from __future__ import annotations

import json

import polars as pl
import pytest

from districtlens.chains import report
from districtlens.chains import targets as targets_module
from districtlens.chains.graph import chain_graph, graph_json
from districtlens.chains.templates import shipped_templates
from districtlens.commands.chains import load_context
from districtlens.errors import NotFound
from districtlens.i18n import money
from tests.chains.builders import (
    DANING_STREET,
    HUANGPU,
    JINGAN,
    PUDONG,
    XUHUI,
    Firm,
    write_firms,
    write_pack,
)

BIOPHARMA = shipped_templates()["biopharma"]
LINK_CLASSES = {
    "rd-cro-cdmo": "7340",
    "apis": "2710",
    "chemical-drugs": "2720",
    "biological-drugs": "2761",
    "medical-devices": "3581",
    "distribution-services": "5151",
}


def city_firms() -> list[Firm]:
    """Jing'an holds the class-ruled biopharma links but not synthetic biology; other districts
    hold everything, and one synthetic-biology firm already sits in Jing'an's Daning street."""
    firms, n = [], 0
    for district in (JINGAN, HUANGPU, XUHUI, PUDONG):
        for link, code in LINK_CLASSES.items():
            for k in range(4):
                n += 1
                firms.append(
                    Firm(
                        n,
                        f"{link}-{district}-{k}",
                        district,
                        code,
                        revenue=1000.0 + 37 * n,
                        revenue_prior=900.0 + 20 * n,
                        street=DANING_STREET if district == JINGAN else None,
                        zone="daning" if district == JINGAN and k == 0 else None,
                    )
                )
        for k in range(15):
            n += 1
            firms.append(Firm(n, f"shop-{district}-{k}", district, "5212", revenue=50.0))
    for district, revenue in ((HUANGPU, 8000.0), (XUHUI, 3000.0), (PUDONG, None)):
        n += 1
        firms.append(
            Firm(n, f"合成生物-{district}", district, "7320", revenue=revenue, business_scope="合成生物技术研发")
        )
    return firms


@pytest.fixture
def city_store(store):
    write_firms(store, city_firms())
    write_pack(
        store,
        [
            {
                "zone_id": "daning",
                "name_zh": "大宁功能区",
                "name_en": "Daning zone",
                "orientation": ["integrated-circuits", "digital-security", "smart-health", "biopharma"],
            },
            {
                "zone_id": "suhewan",
                "name_zh": "苏河湾功能区",
                "name_en": "Suhewan zone",
                "orientation": ["finance-services"],
            },
        ],
        peers=[HUANGPU, XUHUI, JINGAN],
    )
    return store


def test_targets_work_the_chain_three_ways_and_never_come_from_the_area(city_store):
    context = load_context(city_store, JINGAN)
    health, ranked = report.targets(context, BIOPHARMA, top=50)
    status = dict(health.select("link_id", "status").iter_rows())
    assert status["synthetic-biology"] in ("missing", "weak")
    assert ranked.height > 0
    area_usccs = set(context.area_firms["uscc"].to_list())
    assert not area_usccs & set(ranked["key"].to_list())
    assert JINGAN not in ranked["district_adcode"].to_list()
    for row in ranked.to_dicts():
        if row["mode"] == "fill":
            assert {status[link] for link in row["links"]} <= {"missing", "weak"}
        elif row["mode"] == "strengthen":
            assert {status[link] for link in row["links"]} <= {"present", "strong"}
        else:
            assert row["mode"] == "extend" and row["links"] == []
            assert row["industry_code"] not in BIOPHARMA.classes
        assert row["why"].startswith(f"[{row['mode']}]")
    scores = ranked["score"].to_list()
    assert scores == sorted(scores, reverse=True)


def test_asking_for_one_mode_gives_that_mode_only(city_store):
    context = load_context(city_store, JINGAN)
    for mode in ("fill", "strengthen", "extend"):
        _, ranked = report.targets(context, BIOPHARMA, modes=(mode,), top=None)
        assert set(ranked["mode"].to_list()) <= {mode}


def test_a_zone_area_does_not_poach_from_its_own_district(city_store):
    context = load_context(city_store, "daning")
    assert context.area.kind == "zone"
    assert context.area_firms.height == len(LINK_CLASSES)
    _, ranked = report.targets(context, BIOPHARMA, top=100)
    assert ranked.height > 0
    assert JINGAN not in ranked["district_adcode"].to_list()


def test_parts_and_explanations_carry_real_figures(city_store):
    from districtlens.chains.targets import DEFAULT_WEIGHTS

    context = load_context(city_store, JINGAN)
    health, ranked = report.targets(context, BIOPHARMA, top=100)
    city = context.city.filter(pl.col("district_adcode") != JINGAN)
    weights = DEFAULT_WEIGHTS.as_dict()
    for row in ranked.to_dicts():
        firm = city.filter(pl.col("uscc") == row["uscc"]).row(0, named=True)
        parts = row["parts"]
        present = {k: v for k, v in parts.items() if v is not None}
        # A part the evidence does not inform is left out of the weights, never scored as zero.
        assert set(row["missing"]) == {k for k, v in parts.items() if v is None}
        expected = sum(weights[k] * v for k, v in present.items()) / sum(weights[k] for k in present)
        assert row["score"] == pytest.approx(expected, abs=1e-3)
        for link_id in row["links"][:1]:
            link = health.filter(pl.col("link_id") == link_id).row(0, named=True)
            assert f"{link['name_en']} ({link['enterprises']} firm" in row["why"]
        if firm["revenue"] is not None:
            assert f"revenue {money(firm['revenue'], 'en')}" in row["why"] and "万元" not in row["why"]
        else:
            assert "size" in row["missing"] and "revenue" not in row["why"]
        assert f"relatedness density {parts['density']:.2f}" in row["why"]
        assert parts["zone_fit"] == 1.0 and "Daning zone is oriented" in row["why"]
        # No carrier in this store: space is a missing part, not a zero.
        assert parts["space"] is None and "space" in row["missing"]


def test_the_bigger_filler_of_a_missing_link_ranks_first(city_store):
    context = load_context(city_store, JINGAN)
    _, ranked = report.targets(context, BIOPHARMA, modes=("fill",), top=100)
    synbio = ranked.filter(pl.col("links").list.contains("synthetic-biology"))
    names = synbio["name"].to_list()
    assert names.index(f"合成生物-{HUANGPU}") < names.index(f"合成生物-{XUHUI}")
    unsized = synbio.filter(pl.col("name") == f"合成生物-{PUDONG}").row(0, named=True)
    assert {"size", "growth"} <= set(unsized["missing"])


def test_free_space_scores_when_given(city_store):
    context = load_context(city_store, JINGAN)
    space = pl.DataFrame(
        {
            "carrier_id": ["c1"],
            "carrier_name": ["大宁中心"],
            "zone_id": ["daning"],
            "use": ["office"],
            "free_m2": [150.0],
        }
    )
    _, ranked = report.targets(context, BIOPHARMA, space=space, top=5)
    employees = dict(context.city.select("uscc", "employees").iter_rows())
    for row in ranked.to_dicts():
        # Each employee needs 10 m²: 150 m² free covers 150 / (10 x employees) of the need.
        assert row["parts"]["space"] == pytest.approx(min(1.0, 150 / (10 * employees[row["uscc"]])))
        assert "150 m² of office space free in 大宁中心" in row["why"]
        assert row["carrier_id"] == "c1"


def test_space_recorded_but_none_free_scores_zero(city_store):
    context = load_context(city_store, JINGAN)
    space = pl.DataFrame(
        {"carrier_id": ["c1"], "carrier_name": ["大宁中心"], "zone_id": ["daning"], "use": ["office"], "free_m2": [0.0]}
    )
    _, ranked = report.targets(context, BIOPHARMA, space=space, top=5)
    assert ranked.height > 0
    assert all(p["space"] == 0.0 for p in ranked["parts"].to_list())
    assert all("no free space" in why for why in ranked["why"].to_list())


def test_a_zone_not_oriented_to_the_chain_scores_no_fit(city_store):
    context = load_context(city_store, "suhewan")
    _, ranked = report.targets(context, BIOPHARMA, top=5)
    assert ranked.height > 0
    assert all(p["zone_fit"] == 0 for p in ranked["parts"].to_list())
    assert all("no functional zone" in why for why in ranked["why"].to_list())


def test_whys_and_labels_come_in_each_language(city_store):
    context = load_context(city_store, JINGAN)
    for lang, mark in (("zh", "【"), ("fr", "[")):
        _, ranked = report.targets(context, BIOPHARMA, top=5, lang=lang)
        assert ranked.height > 0
        assert all(why.startswith(mark) for why in ranked["why"].to_list())
    zh = report.targets(context, BIOPHARMA, modes=("fill",), top=3, lang="zh")[1]
    assert all(why.startswith("【补链】") for why in zh["why"].to_list())


def test_leads_naming_area_firms_are_dropped(city_store):
    context = load_context(city_store, JINGAN)
    inside = context.area_firms.row(0, named=True)
    leads = pl.DataFrame(
        {
            "uscc": [inside["uscc"], "91310000LEAD000001", "91310000LEAD000002"],
            "name": ["copy of an area firm", inside["name"], "新合成生物公司"],
            "district_adcode": [None, None, None],
            "street_code": [None, None, None],
            "zone_id": [None, None, None],
            "industry_code": ["7320", "7320", "7320"],
            "business_scope": ["合成生物"] * 3,
            "tags": [None, None, None],
            "revenue": [9e6, 9e6, 10.0],
            "revenue_prior": [None, None, None],
            "employees": [5.0, 5.0, 5.0],
        }
    )
    _, ranked = report.targets(context, BIOPHARMA, leads=leads, top=100)
    assert "新合成生物公司" in ranked["name"].to_list()
    assert inside["uscc"] not in ranked["uscc"].to_list()
    assert inside["name"] not in ranked["name"].to_list()


def test_opportunities_are_classes_not_yet_held(city_store):
    context = load_context(city_store, JINGAN)
    found = report.area_opportunities(context, BIOPHARMA, top=None)
    assert found.height > 0
    assert (found["rca"] < 1).all()
    assert found["score"].to_list() == sorted(found["score"].to_list(), reverse=True)
    top = found.row(0, named=True)
    assert f"RCA {round(top['rca'], 2)}" in top["why"] and top["industry_code"] in top["why"]


def test_against_peers_needs_a_peer_set(city_store, store):
    context = load_context(city_store, JINGAN, against="peers")
    assert set(context.reference_firms["district_adcode"].unique()) == {HUANGPU, XUHUI, JINGAN}
    with pytest.raises(NotFound, match="no peer set") as caught:
        load_context(city_store, HUANGPU, against="peers")
    assert (caught.value.key, caught.value.values) == ("chains.no_peers", {"district": HUANGPU})


def test_the_chain_graph_carries_health(city_store):
    context = load_context(city_store, JINGAN)
    health = report.health(context, BIOPHARMA)
    graph = chain_graph(BIOPHARMA, health)
    assert list(graph.nodes) == [link.id for link in BIOPHARMA.links]
    assert graph.number_of_edges() == sum(len(link.edges) for link in BIOPHARMA.links)
    assert graph.nodes["synthetic-biology"]["status"] == "missing"
    assert graph.has_edge("apis", "chemical-drugs")
    exported = json.loads(json.dumps(graph_json(graph)))
    assert {n["id"] for n in exported["nodes"]} == set(graph.nodes)
    assert {"source": "apis", "target": "chemical-drugs"} in exported["edges"]


def test_the_city_health_of_every_track_at_once_is_each_tracks_own(city_store):
    templates = list(shipped_templates().values())
    together = report.city_health_by_track(load_context(city_store, JINGAN), templates)
    assert list(together) == [template.id for template in templates]
    one_by_one = load_context(city_store, JINGAN)
    for template in templates:
        assert together[template.id].equals(report.city_health(one_by_one, template)), template.id
    biopharma = together["biopharma"]
    assert biopharma.filter(pl.col("district_adcode") == JINGAN, pl.col("link_id") == "apis")["enterprises"].item() == 4


def test_the_city_read_carries_both_years_and_takes_its_values_as_text(city_store):
    """The read writes the year and the city into its SQL: a quote in them is text, not SQL."""
    from districtlens.store.chains import city_firms as read_city
    from tests.chains.builders import YEAR

    firms = read_city(city_store, JINGAN[:4], YEAR)
    assert firms.height == len(city_firms())
    row = firms.filter(pl.col("name") == "apis-310106-0").row(0, named=True)
    expected = next(f for f in city_firms() if f.name == "apis-310106-0")
    assert (row["revenue"], row["revenue_prior"]) == (expected.revenue, expected.revenue_prior)
    assert read_city(city_store, JINGAN[:4], YEAR + 5)["revenue"].null_count() == firms.height
    assert read_city(city_store, "31' OR '1'='1", YEAR).is_empty()


def test_a_context_built_from_frames_alone_ranks_as_the_store_read_one(city_store):
    """`report` needs no store: given the area and the frames, it ranks as `load_context` does."""
    from districtlens.areas import Area
    from districtlens.store.chains import city_firms as read_city
    from tests.chains.builders import YEAR

    zones = pl.DataFrame(
        {
            "zone_id": ["daning", "suhewan"],
            "name_zh": ["大宁功能区", "苏河湾功能区"],
            "name_en": ["Daning zone", "Suhewan zone"],
            "role": ["core", "core"],
            "orientation": [["biopharma"], ["finance-services"]],
        }
    )
    area = Area("zone", "daning", JINGAN, {"zh": "大宁功能区", "en": "Daning zone"})
    built = report.build_context(area, read_city(city_store, JINGAN[:4], YEAR), year=YEAR, zones=zones)
    assert built.zones["zone_id"].to_list() == ["daning"]  # a zone lands targets in itself only
    loaded = load_context(city_store, "daning")
    assert built.area.label == loaded.area.label == "大宁功能区 (daning)"
    assert report.targets(built, BIOPHARMA)[1].equals(report.targets(loaded, BIOPHARMA)[1])
    with pytest.raises(NotFound) as caught:
        report.build_context(area, read_city(city_store, "4403", YEAR), year=YEAR)
    assert (caught.value.key, caught.value.values) == ("chains.no_firms", {"city": "3101"})


def test_the_ranking_does_not_depend_on_the_order_the_firms_come_in(city_store):
    context = load_context(city_store, JINGAN)
    shuffled = report.build_context(
        context.area,
        context.city.sample(fraction=1.0, shuffle=True, seed=7),
        year=context.year,
        zones=context.zones,
    )
    ranked = report.targets(context, BIOPHARMA, top=None)[1]
    assert ranked.height > 0
    assert ranked.equals(report.targets(shuffled, BIOPHARMA, top=None)[1])


def test_where_a_target_would_land_is_named_in_the_readers_language(city_store, tmp_path):
    """The carriers' and zones' names in a why come in the reader's language where the pack gives
    them (a French why named the Shibei zone in English and its carrier in Chinese)."""
    from districtlens.ingest.packs import load_pack, pack_rows
    from districtlens.store.db import open_store
    from districtlens.store.leads import carrier_places
    from districtlens.store.packs import write_pack

    context = load_context(city_store, JINGAN)
    zones = context.zones.with_columns(pl.concat_str(pl.lit("zone "), "zone_id").alias("name_fr"))
    landing = targets_module.landing_for("biopharma", zones, None, "fr")
    assert landing is not None and landing.zone_name == f"zone {landing.zone_id}"
    assert targets_module.landing_for("biopharma", zones, None, "zh").zone_name != landing.zone_name
    with open_store(tmp_path / "pack.duckdb") as store:
        write_pack(store, pack_rows(load_pack("jingan")), "tester")
        for lang, column in (("zh", "name_zh"), ("en", "name_en"), ("fr", "name_fr")):
            named = carrier_places(store, JINGAN, lang)
            own = dict(store.con.execute(f"SELECT carrier_id, {column} FROM carrier").fetchall())
            assert named.height > 0
            assert all(name == own[c] for c, name in named.select("carrier_id", "carrier_name").iter_rows() if own[c])
