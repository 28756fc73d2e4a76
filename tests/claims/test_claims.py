"""Claims on the demo store: each claim's status, recomputed independently where the store can
answer it; a claim that flips when the data changes; the comparison rules; the CLI."""

from __future__ import annotations

import json

import polars as pl
import pytest

from districtlens.claims import (
    CHECKABLE_KINDS,
    INTENT,
    NOT_COMPUTABLE,
    STATUSES,
    Computed,
    Session,
    check,
    compute,
    judge,
    load_queries,
    parse_query,
)
from districtlens.errors import InputError
from districtlens.ingest.packs import load_pack, pack_dir
from districtlens.store import open_store
from districtlens.store.ledger import head
from tests.claims.demo import copy_of, import_roster

CLOSED = "(?i)注销|吊销|撤销"


@pytest.fixture(scope="module")
def results(demo_path):
    with open_store(demo_path, read_only=True) as store:
        return {r.id: r for r in check(store)}, head(store.con)


@pytest.fixture(scope="module")
def frames(demo_path):
    with open_store(demo_path, read_only=True) as store:
        ents = store.con.execute("SELECT * FROM enterprise_current").pl()
        facts = store.con.execute("SELECT uscc, year, revenue FROM fact_current").pl()
    return ents.filter(~pl.col("status").str.contains(CLOSED)), facts


def test_every_checkable_claim_has_a_query_definition_and_no_stray_one():
    pack = load_pack("jingan")
    queries = load_queries(pack_dir("jingan"), pack.district.adcode)
    assert set(queries) == {c.id for c in pack.claims if c.kind in CHECKABLE_KINDS}


def test_every_result_carries_the_ledger_head_a_known_status_and_its_evidence_in_three_languages(results):
    found, ledger_head = results
    assert len(found) == len(load_pack("jingan").claims)
    for r in found.values():
        assert r.status in STATUSES
        assert r.evidence["ledger_head"] == ledger_head
        assert set(r.evidence["text"]) == {"zh", "en", "fr"} and all(r.evidence["text"].values())
        if r.status == NOT_COMPUTABLE:
            assert r.evidence["reason"]


def test_statements_of_intent_are_labelled_so_and_never_not_computable(results):
    found, _ = results
    kinds = {c.id: c.kind for c in load_pack("jingan").claims}
    assert set(kinds.values()) == {"figure", "count", "ranking", "intent"}
    for claim_id, kind in kinds.items():
        assert (found[claim_id].status == INTENT) == (kind == "intent"), claim_id
        assert found[claim_id].kind == kind
    assert found["next-steps-priorities"].evidence["text"]["fr"].startswith("Une déclaration d'intention")


def test_named_ai_enterprises_found_only_in_the_demo_registry_echo_the_claim(results, frames):
    """The demo registry writes the pack's named firms, typed from this very claim, into Jing'an:
    matched by name as an independent reader would, they are all there, and prove nothing."""
    found, _ = results
    ents, _ = frames
    names = {e.id: (e.names.zh, e.names.en) for e in load_pack("jingan").enterprises}
    r = found["ai-enterprises-named"]
    wanted = r.evidence["present"] + r.evidence["absent"]
    jingan = ents.filter(pl.col("district_adcode") == "310106")
    present = [
        i for i in wanted if jingan.filter(pl.col("name").eq(names[i][0]) | pl.col("name_en").eq(names[i][1])).height
    ]
    assert sorted(r.evidence["present"]) == sorted(present)
    assert r.evidence["echoes"] == [f"enterprise:{i}" for i in r.evidence["synthetic_only"]]
    assert r.computed is None and r.status == NOT_COMPUTABLE


def test_blockchain_count_equals_the_track_filter(results, frames):
    found, _ = results
    ents, _ = frames
    classes = next(t.classes for t in load_pack("jingan").tracks if t.id == "blockchain")
    expected = ents.filter((pl.col("district_adcode") == "310106") & pl.col("industry_code").is_in(classes)).height
    r = found["blockchain-hundred-enterprises"]
    assert r.computed == expected
    assert r.status == ("supported" if abs(expected - 100) <= 15 else "contradicted")


def test_health_revenue_rank_among_central_districts(results, frames):
    found, _ = results
    ents, facts = frames
    pack = load_pack("jingan")
    classes = next(t.classes for t in pack.tracks if t.id == "health")
    central = pack.district.peers["central"]
    totals = (
        ents.filter(pl.col("industry_code").is_in(classes) & pl.col("district_adcode").is_in(central))
        .join(facts.filter(pl.col("year").is_in([2021, 2022, 2023])), on="uscc")
        .group_by("district_adcode")
        .agg(pl.col("revenue").sum())
    )
    values = dict(totals.iter_rows())
    expected = 1 + sum(v > values["310106"] + 1e-6 for v in values.values())
    r = found["health-revenue-second-among-central"]
    assert r.computed == expected
    assert r.status == ("supported" if expected == 2 else "contradicted")
    assert sorted(r.evidence["among"]) == sorted(central)


def test_casko_founding_year_from_the_registry_is_an_echo(demo_path):
    """The demo registry takes CASKO's founding year from the pack, typed from the claim."""
    from districtlens.claims.compute import without_echoes

    with open_store(demo_path, read_only=True) as store:
        session = Session(store)
        query = parse_query(
            {"kind": "enterprise-attribute", "enterprise": "casko-signal", "attribute": "founded-year"}, "x", "310106"
        )
        computed = compute(session, query)
        typed = next(c.typed_into for c in load_pack("jingan").claims if c.id == "casko-founded-1986")
    assert computed.value == 1986  # the demo's synthetic row, made from the pack
    echoed = without_echoes(query, computed, typed)
    assert echoed.value is None and echoed.evidence["echoes"] == ["enterprise:casko-signal"]
    assert without_echoes(query, computed, ("enterprise:intsig",)) is computed


def test_top50_pharma_is_bracketed_by_a_list_of_15(results):
    found, _ = results
    r = found["pharma-top50-in-district"]
    assert "470 AstraZeneca" in r.evidence["present"]
    assert r.evidence["bounds"] == [r.computed, r.computed + 35]
    assert r.status == NOT_COMPUTABLE


def test_carriers_typed_from_the_claim_prove_nothing(results):
    found, _ = results
    r = found["municipal-cultural-creative-parks"]
    assert r.computed is None and r.status == NOT_COMPUTABLE
    assert len(r.evidence["echoes"]) == 24 and all(e.startswith("carrier:") for e in r.evidence["echoes"])
    assert "own source" in r.evidence["text"]["en"]
    # The university science park is read from a register of real sources, not from its echo.
    parks = found["national-university-science-parks"]
    assert parks.evidence["entries"] and not parks.evidence.get("echoes")


def test_an_independent_carrier_counts_and_the_echo_does_not():
    from districtlens.claims.compute import without_echoes

    query = {"kind": "carrier-count", "area": "310106", "carrier_kind": "incubator", "level": "national"}
    evidence = {
        "carriers": ["national-incubator-1", "national-incubator-2", "tus-park"],
        "pack_loaded": ["national-incubator-1", "national-incubator-2"],
    }
    counted = without_echoes(query, Computed(3, evidence), ("carrier:national-incubator-*",))
    assert counted.value == 1 and counted.evidence["carriers"] == ["tus-park"]
    # A pack carrier that no claim was typed into is data like any other.
    assert without_echoes(query, Computed(3, evidence), ("carrier:shibei-hi-tech-park.area_km2",)).value == 3


def test_a_real_roster_makes_the_named_firms_count_and_the_claim_flips_when_one_closes(demo_path, tmp_path):
    path = copy_of(demo_path, tmp_path)
    columns = "uscc, name, address, industry_code, CAST(founded AS VARCHAR)"
    names = [
        e.names.en
        for e in load_pack("jingan").enterprises
        if e.id
        in (
            "marketingforce",
            "intsig",
            "xpeng-motors",
            "e-surfing-digital-life",
            "xianghang-technology",
            "oneaix-technologies",
            "yogo-robot",
        )
    ]

    def roster(rows, status="存续"):
        # The roster's own record of each firm (its address written to the floor): a new version
        # of the firm, from a real source.
        keys = ("uscc", "name", "address", "industry_code", "founded")
        return [
            dict(zip(keys, row, strict=True))
            | {"address": f"{row[2]}1楼", "status": status, "year": "2024", "revenue": "1.00"}
            for row in rows
        ]

    with open_store(path) as store:
        assert {r.id: r for r in check(store)}["ai-enterprises-named"].status == NOT_COMPUTABLE
        rows = store.con.execute(
            f"SELECT {columns} FROM enterprise_current WHERE list_contains(?, name_en)", [names]
        ).fetchall()
        assert len(rows) == 7
        import_roster(store, roster(rows))
        before = {r.id: r for r in check(store)}["ai-enterprises-named"]
        assert before.status == "supported" and before.computed == 7 and "echoes" not in before.evidence
        xpeng = next(
            row
            for row in rows
            if row[0]
            == store.con.execute("SELECT uscc FROM enterprise_current WHERE name_en = 'XPeng Motors'").fetchone()[0]
        )
        import_roster(store, roster([xpeng], status="注销"), name="closure")
        after = {r.id: r for r in check(store)}["ai-enterprises-named"]
    assert after.status == "contradicted" and after.computed == 6
    assert "xpeng-motors" in after.evidence["absent"]
    assert after.evidence["ledger_head"] != before.evidence["ledger_head"]


def test_share_becomes_computable_once_key_enterprises_are_tagged(demo_path, tmp_path):
    path = copy_of(demo_path, tmp_path)
    share = parse_query(
        {"kind": "share", "among": "city", "set": {"track": "big-data", "tag": "市级重点企业"}}, "x", "310106"
    )
    with open_store(path) as store:
        assert compute(Session(store), share).value is None
        classes = ["6450", "6550", "6511", "6512", "6560"]
        rows = store.con.execute(
            "SELECT uscc, name, address, industry_code, CAST(founded AS VARCHAR), district_adcode"
            " FROM enterprise_current WHERE list_contains(?, industry_code) AND status <> '注销'"
            " ORDER BY district_adcode = '310106' DESC, uscc LIMIT 9",
            [classes],
        ).fetchall()
        in_jingan = sum(r[5] == "310106" for r in rows)
        import_roster(
            store,
            [
                {
                    "uscc": u,
                    "name": n,
                    "address": a,
                    "industry_code": c,
                    "founded": f,
                    "tags": "市级重点企业",
                    "year": "2024",
                    "revenue": "10.00",
                }
                for u, n, a, c, f, _ in rows
            ],
        )
        computed = compute(Session(store), share)
    assert computed.value == pytest.approx(in_jingan / 9, abs=1e-6)
    assert computed.evidence["area_rows"] == in_jingan


@pytest.mark.parametrize(
    ("comparison", "asserted", "query", "value", "bounds", "status"),
    [
        ("equal", {"value": 14}, {}, 14, None, "supported"),
        ("equal", {"value": 14}, {}, 13, None, "contradicted"),
        ("at-least", {"value": 31, "strict": True}, {}, 31, None, "contradicted"),
        ("at-least", {"value": 31}, {}, 31, None, "supported"),
        ("about", {"value": 100}, {"tolerance": {"relative": 0.15}}, 86, None, "supported"),
        ("about", {"value": 100}, {"tolerance": {"relative": 0.15}}, 84, None, "contradicted"),
        ("about", {"value": 100}, {}, 100, None, "not computable"),
        ("rank", {"value": 2}, {}, 2, None, "supported"),
        ("rank", {"value": None}, {"within": 4}, 5, None, "contradicted"),
        ("rank", {"value": None}, {}, 1, None, "not computable"),
        ("equal", {"value": 14}, {}, 1, (1, 36), "not computable"),
        ("equal", {"value": 40}, {}, 1, (1, 36), "contradicted"),
        ("at-least", {"value": 3}, {}, 3, (3, 10), "supported"),
        ("equal", {"value": 4}, {}, 3, (3, float("inf")), "not computable"),
        ("equal", {"value": 2}, {}, 3, (3, float("inf")), "contradicted"),
    ],
)
def test_comparisons(comparison, asserted, query, value, bounds, status):
    lower, upper = bounds or (None, None)
    computed = Computed(value, {}, lower=lower, upper=upper)
    assert judge(comparison, asserted, query, computed)[0] == status


@pytest.mark.parametrize(
    ("by_year", "status"),
    [
        ({2021: 1.0, 2022: 2.0, 2023: 3.0}, "supported"),
        ({2021: 1.0, 2022: 3.0, 2023: 2.0}, "contradicted"),
        ({2021: 1.0, 2022: None, 2023: 3.0}, "not computable"),
        ({2021: 1.0}, "not computable"),
    ],
)
def test_steady_growth_means_every_year_above_the_one_before(by_year, status):
    computed = Computed(0.5, {"by_year": by_year})
    assert judge("rising", None, {}, computed)[0] == status


def test_bad_query_definitions_are_refused():
    with pytest.raises(InputError, match="kind") as caught:
        parse_query({"kind": "nonsense"}, "x", "310106")
    assert caught.value.key == "claims.query_unknown_kind" and caught.value.values["where"] == "x"
    with pytest.raises(InputError, match="column") as caught:
        parse_query({"kind": "total", "column": "profit", "years": [2023]}, "x", "310106")
    assert caught.value.key == "claims.query_unknown_column"
    with pytest.raises(InputError) as caught:
        parse_query({"kind": "published", "indicator": "GDP", "covers": "most"}, "x", "310106")
    assert caught.value.key == "claims.query_bad_covers" and "all, part" in caught.value.message("en")
    assert parse_query({"kind": "published", "indicator": "GDP"}, "x", "310106")["covers"] == "all"
    with pytest.raises(InputError, match="tolerance") as caught:
        parse_query({"kind": "enterprise-count", "tolerance": {"roughly": 1}}, "x", "310106")
    assert caught.value.message("fr").startswith("x : tolerance doit être {relative: r}")


def test_an_area_that_is_none_gives_no_value_and_says_why(demo_path):
    """A query's area is read by the one rule of districtlens.areas: a code that names no
    district, street or zone gives no value, and the reason names the code."""
    with open_store(demo_path, read_only=True) as store:
        session = Session(store)
        for area in ("nowhere", "999999"):
            found = compute(session, parse_query({"kind": "enterprise-count", "area": area}, "x"))
            assert found.value is None and found.reason is not None and area in found.reason.text("en")
        street = "310106019"  # a street of Jing'an: the demo registry places no firm by street
        assert session.district_of(street) == "310106"
        assert compute(session, parse_query({"kind": "enterprise-count", "area": street}, "x")).value == 0
        assert compute(session, parse_query({"kind": "enterprise-count", "area": "daning"}, "x")).value > 0


def test_cli_check_json_and_list(cli, demo_path, results):
    found, _ = results
    out = cli("claims", "check", "--json", "--db", demo_path)
    assert out.exit_code == 0, out.output
    claims = json.loads(out.stdout)["claims"]
    assert {c["id"]: c["status"] for c in claims} == {i: r.status for i, r in found.items()}
    assert set(claims[0]) == {"id", "kind", "quote", "asserted", "computed", "status", "evidence"}
    table = cli("claims", "check", "--db", demo_path)
    assert table.exit_code == 0 and "statement of intent" in table.stdout
    listed = cli("claims", "list", "--db", demo_path)
    assert listed.exit_code == 0 and "pharma-top50" in listed.stdout
    listed = json.loads(cli("claims", "list", "--db", demo_path, "--json").stdout)["claims"]
    assert [c["id"] for c in listed] == [c["id"] for c in claims]
    assert set(listed[0]) == {
        "id",
        "pack_id",
        "quote",
        "quote_lang",
        "translations",
        "source",
        "source_date",
        "subject",
        "asserted",
        "comparison",
    }


def test_check_command_answers_as_the_claims_package(demo_path, results):
    """`claims.check` through the command layer (its result's JSON round trip included) gives
    each claim the status and value `check` gives, with the evidence as JSON holds it."""
    from districtlens.commands import execute
    from districtlens.commands.claims import CheckClaims, check_claims

    found, _ = results
    answered = execute(demo_path, check_claims, CheckClaims(pack="jingan"))
    assert [c.id for c in answered.claims] == list(found)
    for c in answered.claims:
        assert (c.status, c.computed) == (found[c.id].status, found[c.id].computed)
        assert c.evidence == json.loads(json.dumps(found[c.id].evidence, default=str))


def test_sets_read_together_equal_each_set_read_alone(demo_path):
    """A briefing reads the counts and totals of all its sets in one query each: every set's
    answer equals the one it gets alone, a set without firms and a year without facts included."""
    from districtlens.store import claims as claim_store

    with open_store(demo_path, read_only=True) as store:
        zone = store.con.execute("SELECT zone_id FROM zone ORDER BY zone_id LIMIT 1").fetchone()[0]
        track = store.con.execute("SELECT track_id FROM track ORDER BY track_id LIMIT 1").fetchone()[0]
        session = Session(store)
        district, untagged = session.enterprise_set("310106"), session.enterprise_set("310106", track, "no-such-tag")
        in_zone = session.enterprise_set(zone)
        sets = [
            district,
            session.enterprise_set("310106", track),
            in_zone,
            session.enterprise_set("310101"),
            untagged,
            session.enterprise_set("310106019"),
        ]
        years = [1990, 2023, 2024]
        together_counts = claim_store.count_enterprises(store, sets)
        together_totals = claim_store.totals(store, sets, years)
        for which in sets:
            assert together_counts[which] == claim_store.count_enterprises(store, [which])[which]
            assert together_totals[which] == claim_store.totals(store, [which], years)[which]
    assert together_counts[untagged]["count"] == 0
    assert together_totals[district]["revenue"]["values"][1990] is None
    assert together_totals[district]["revenue"]["values"][2024] > 0
    assert together_counts[district]["count"] > together_counts[in_zone]["count"] > 0
