"""Claims on the demo store: each claim's status, recomputed independently where the store can
answer it; a claim that flips when the data changes; the comparison rules; the CLI."""

from __future__ import annotations

import json

import polars as pl
import pytest

from districtlens.claims import NOT_COMPUTABLE, Computed, Session, check, compute, judge, load_queries, parse_query
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


def test_every_claim_has_a_query_definition_and_no_stray_one():
    pack = load_pack("jingan")
    queries = load_queries(pack_dir("jingan"), pack.district.adcode)
    assert set(queries) == {c.id for c in pack.claims}


def test_every_result_carries_the_ledger_head_and_a_known_status(results):
    found, ledger_head = results
    assert len(found) == len(load_pack("jingan").claims)
    for r in found.values():
        assert r.status in ("supported", "contradicted", "not computable")
        assert r.evidence["ledger_head"] == ledger_head
        if r.status == NOT_COMPUTABLE:
            assert r.evidence["reason"]


def test_claims_without_a_figure_are_not_computable(results):
    found, _ = results
    for claim in load_pack("jingan").claims:
        if claim.comparison == "none":
            assert found[claim.id].status == NOT_COMPUTABLE


def test_named_ai_enterprises_counted_like_an_independent_name_match(results, frames):
    found, _ = results
    ents, _ = frames
    names = {e.id: (e.names.zh, e.names.en) for e in load_pack("jingan").enterprises}
    wanted = found["ai-enterprises-named"].evidence["present"] + found["ai-enterprises-named"].evidence["absent"]
    jingan = ents.filter(pl.col("district_adcode") == "310106")
    expected = sum(
        jingan.filter(pl.col("name").eq(names[i][0]) | pl.col("name_en").eq(names[i][1])).height > 0 for i in wanted
    )
    r = found["ai-enterprises-named"]
    assert r.computed == expected
    assert r.status == ("supported" if expected >= 7 else "contradicted")


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


def test_casko_founding_year_read_from_the_registry(results, frames):
    found, _ = results
    ents, _ = frames
    founded = ents.filter(pl.col("name_en") == "CASKO Signal Ltd.")["founded"][0]
    r = found["casko-founded-1986"]
    assert r.computed == founded.year
    assert r.status == ("supported" if founded.year == 1986 else "contradicted")


def test_top50_pharma_is_bracketed_by_a_list_of_15(results):
    found, _ = results
    r = found["pharma-top50-in-district"]
    assert "470 AstraZeneca" in r.evidence["present"]
    assert r.evidence["bounds"] == [r.computed, r.computed + 35]
    assert r.status == NOT_COMPUTABLE


def test_carriers_transcribed_from_the_claim_prove_nothing(results):
    found, _ = results
    for claim_id, count in (("national-incubators", 4), ("municipal-cultural-creative-parks", 24)):
        r = found[claim_id]
        assert r.computed == count and r.status == NOT_COMPUTABLE
        assert "pack" in r.evidence["reason"]


def test_claim_flips_when_a_roster_closes_an_enterprise(demo_path, tmp_path):
    path = copy_of(demo_path, tmp_path)
    with open_store(path) as store:
        before = {r.id: r for r in check(store)}["ai-enterprises-named"]
        assert before.status == "supported" and before.computed == 7
        xpeng = store.con.execute(
            "SELECT uscc, name, address, industry_code, CAST(founded AS VARCHAR) FROM enterprise_current"
            " WHERE name_en = 'XPeng Motors'"
        ).fetchone()
        import_roster(
            store,
            [
                {
                    "uscc": xpeng[0],
                    "name": xpeng[1],
                    "address": xpeng[2],
                    "industry_code": xpeng[3],
                    "founded": xpeng[4],
                    "status": "注销",
                    "year": "2024",
                    "revenue": "1.00",
                }
            ],
        )
        after = {r.id: r for r in check(store)}["ai-enterprises-named"]
    assert after.status == "contradicted" and after.computed == 6
    assert "xpeng-motors" in after.evidence["absent"]
    assert after.evidence["ledger_head"] != before.evidence["ledger_head"]


def test_share_becomes_computable_once_key_enterprises_are_tagged(demo_path, tmp_path):
    path = copy_of(demo_path, tmp_path)
    with open_store(path) as store:
        assert {r.id: r for r in check(store)}["big-data-third-of-municipal-key-enterprises"].status == NOT_COMPUTABLE
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
        r = {r.id: r for r in check(store)}["big-data-third-of-municipal-key-enterprises"]
    assert r.computed == pytest.approx(in_jingan / 9, abs=1e-6)
    assert r.status == ("supported" if abs(in_jingan / 9 - 1 / 3) <= 0.05 + 0.0033 else "contradicted")


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
    ],
)
def test_comparisons(comparison, asserted, query, value, bounds, status):
    lower, upper = bounds or (None, None)
    computed = Computed(value, {}, lower=lower, upper=upper)
    assert judge(comparison, asserted, query, computed)[0] == status


def test_bad_query_definitions_are_refused():
    with pytest.raises(InputError, match="kind") as caught:
        parse_query({"kind": "nonsense"}, "x", "310106")
    assert caught.value.key == "claims.query_unknown_kind" and caught.value.values["where"] == "x"
    with pytest.raises(InputError, match="column") as caught:
        parse_query({"kind": "total", "column": "profit", "years": [2023]}, "x", "310106")
    assert caught.value.key == "claims.query_unknown_column"
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
            assert found.value is None and area in found.reason
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
    assert set(claims[0]) == {"id", "quote", "asserted", "computed", "status", "evidence"}
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
