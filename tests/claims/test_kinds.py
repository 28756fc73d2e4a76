"""Claims by kind: statements of intent labelled, the pack's record of which facts were typed
from which claim, and the published statistics as independent evidence (read from the store's
published-statistics table, "no data" until it is loaded)."""

from __future__ import annotations

import shutil

import polars as pl
import pytest

from districtlens import refdata
from districtlens.claims import CHECKABLE_KINDS, INTENT, NOT_COMPUTABLE, SUPPORTED, check
from districtlens.claims.compute import compute
from districtlens.claims.queries import parse_query
from districtlens.claims.session import Session
from districtlens.errors import InputError
from districtlens.ingest.packs import PackError, load_pack, pack_dir
from districtlens.store import open_store
from tests.claims.demo import copy_of, load_published_statistics

PUBLISHED_CLAIMS = (
    "biopharma-shanghai-priority-pioneer",
    "astrazeneca-china-rd-centre-2021",
    "casko-founded-1986",
    "big-data-only-national-demonstration-base",
    "big-data-third-of-municipal-key-enterprises",
    "shibei-planned-area",
    "casko-signalling-rank-first",
    "astrazeneca-fifth-global-strategic-centre",
    "icampus-twenty-enterprises-and-teams",
    "cloud-data-intelligence-chain-decade",
)


@pytest.fixture(scope="module")
def with_statistics(demo_path, tmp_path_factory):
    path = copy_of(demo_path, tmp_path_factory.mktemp("published"))
    with open_store(path) as store:
        loaded = load_published_statistics(store)
        return {r.id: r for r in check(store)}, loaded


def test_without_published_statistics_the_published_claims_say_no_data(demo_path):
    with open_store(demo_path, read_only=True) as store:
        found = {r.id: r for r in check(store)}
    for claim_id in PUBLISHED_CLAIMS:
        r = found[claim_id]
        assert r.status == NOT_COMPUTABLE and r.evidence["no_data"] == "table"
        assert "公开统计" in r.evidence["text"]["zh"] and "published statistics" in r.evidence["text"]["en"]


def test_published_statistics_decide_the_claims_they_speak_of_and_show_their_source(with_statistics):
    found, loaded = with_statistics
    assert loaded > 40  # the shared bulletins' figures and the pack's published facts
    for claim_id in PUBLISHED_CLAIMS:
        r = found[claim_id]
        assert r.status == SUPPORTED, (claim_id, r.evidence.get("reason"))
        assert r.evidence["published"]["source_doc"] and r.evidence["published"]["source_url"].startswith("http")
        assert r.evidence["published"]["source_doc"] in r.evidence["text"]["fr"]


def test_a_published_year_reads_as_the_years_since_and_bounds_them_from_below(with_statistics):
    """The cloud path: Shibei was reported as the city's cloud computing base in 2012, so by 2025
    the path had lasted at least 13 years: more than ten, whatever its true start."""
    found, _ = with_statistics
    r = found["cloud-data-intelligence-chain-decade"]
    assert r.evidence["published"]["value"] == 2012 and r.evidence["elapsed"] == {"years": 13.0, "to": 2025}
    assert r.status == SUPPORTED and r.computed == 13
    assert "13" in r.evidence["text"]["en"] and "lower bound" in r.evidence["text"]["en"]
    assert "13" in r.evidence["text"]["zh"] and "borne inférieure" in r.evidence["text"]["fr"]
    with pytest.raises(InputError):
        parse_query({"kind": "published", "indicator": "x", "elapsed_to": "2025"}, "t", "310106")


def test_a_published_figure_for_part_of_the_district_only_bounds_the_claim(with_statistics):
    found, _ = with_statistics
    for claim_id in ("national-incubators", "national-maker-spaces"):
        r = found[claim_id]
        assert r.status == NOT_COMPUTABLE and r.evidence["bounds"] == [3.0, None]
        assert "lower bound" in r.evidence["text"]["en"]


def test_how_many_checkable_claims_the_demo_and_the_published_statistics_decide(with_statistics):
    """Figures, counts and rankings are checkable; on the demo store plus the published
    statistics each one decided shows what it rests on (published source or store rows)."""
    found, _ = with_statistics
    kinds = {c.id: c.kind for c in load_pack("jingan").claims}
    checkable = [found[i] for i, kind in kinds.items() if kind in CHECKABLE_KINDS]
    decided = [r for r in checkable if r.status in ("supported", "contradicted")]
    print(f"\n{len(decided)} of {len(checkable)} checkable claims decided:", sorted(r.id for r in decided))
    assert len(checkable) == 23 and sum(r.status == INTENT for r in found.values()) == 13
    assert len(decided) >= 15  # docs/claims.md lists them; a fall means evidence was lost
    for r in decided:
        assert "published" in r.evidence or "ledger_head" in r.evidence
        assert not r.evidence.get("echoes")


def test_a_register_names_its_entries_and_a_partial_one_only_bounds_the_claim(with_statistics):
    """The national university science parks are counted from the shipped register (real public
    sources, each entry with its district), not from the pack's carrier typed from the claim."""
    found, _ = with_statistics
    r = found["national-university-science-parks"]
    register = refdata.carrier_registers().filter(
        (pl.col("register") == "national-university-science-park") & (pl.col("district_adcode") == "310106")
    )
    assert register.height >= 1 and r.evidence["query"]["kind"] == "register"
    assert [e["name"] for e in r.evidence["entries"]] == register["name"].to_list()
    assert all(e["source_url"].startswith("http") for e in r.evidence["entries"])
    assert r.evidence["bounds"] == [float(register.height), None] and not r.evidence.get("echoes")
    # "one" against "at least one": the bracket holds it and more, so nothing is decided.
    assert r.status == NOT_COMPUTABLE and "lower bound" in r.evidence["text"]["en"]
    assert register["name"][0] in r.evidence["text"]["zh"] and "borne inférieure" in r.evidence["text"]["fr"]


def test_a_whole_register_counts_a_city_exactly_and_decides(demo_path, with_statistics):
    """The 2022 list of national blockchain comprehensive pilots is held whole (the source names 15,
    each by its city): counted within Shanghai (310000) it gives an exact value, not a bound."""
    pilots = refdata.carrier_registers().filter(pl.col("register") == "national-blockchain-comprehensive-pilot")
    in_shanghai = pilots.filter(pl.col("district_adcode").str.starts_with("31"))
    assert pilots.height == 15 and pilots["district_adcode"].n_unique() == 15
    query = parse_query(
        {
            "kind": "register",
            "register": "national-blockchain-comprehensive-pilot",
            "adcode": "310000",
            "covers": "all",
        },
        "t",
        "310106",
    )
    with open_store(demo_path, read_only=True) as store:
        computed = compute(Session(store), query)
    assert computed.lower is None and computed.value == in_shanghai.height
    found, _ = with_statistics
    r = found["blockchain-only-national-pilot-zone"]
    assert r.status == (SUPPORTED if in_shanghai.height == 1 else "contradicted") and "bounds" not in r.evidence
    assert "上海市" in r.evidence["text"]["zh"] and r.evidence["entries"][0]["source_url"].startswith("http")
    # Within a district, only the entries placed in it count: the pilot is placed by city.
    district = parse_query({"kind": "register", "register": "national-blockchain-comprehensive-pilot"}, "t", "310106")
    with open_store(demo_path, read_only=True) as store:
        assert compute(Session(store), district).value == 0
    with pytest.raises(InputError):
        parse_query({"kind": "register", "register": "national-gardens"}, "t", "310106")


def _pack_copy(tmp_path, edit):
    folder = tmp_path / "jingan"
    shutil.copytree(pack_dir("jingan"), folder)
    claims = folder / "claims.yaml"
    claims.write_text(edit(claims.read_text(encoding="utf-8")), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (lambda t: t.replace("kind: ranking", "kind: opinion", 1), "kind 'opinion' is not one of"),
        (
            lambda t: t.replace("typed_into: [carrier:shibei-hi-tech-park.area_km2]", "typed_into: [carrier:nowhere]"),
            "names no carrier of the pack",
        ),
        (lambda t: t.replace("typed_into: [zone:daning]", "typed_into: [street:daning]"), "is not table:id[.field]"),
        (
            lambda t: t.replace("kind: intent\n", "kind: figure\n", 1),
            "a statement of intent, and only it, has comparison 'none'",
        ),
    ],
)
def test_a_pack_with_a_wrong_kind_or_typed_fact_is_refused(tmp_path, edit, problem):
    with pytest.raises(PackError) as caught:
        load_pack(_pack_copy(tmp_path, edit))
    assert any(problem in p for p in caught.value.problems), caught.value.problems


def test_every_register_has_its_label_in_every_language_and_every_entry_its_source():
    from districtlens import i18n

    for name in refdata.carrier_register_names():
        assert all(i18n.t(f"claims.register.{name}", lang) for lang in i18n.LANGUAGES)
    registers = refdata.carrier_registers()
    assert registers["source_url"].str.starts_with("http").all() and registers["source_doc"].str.len_chars().min() > 0
    assert registers["district_adcode"].str.contains(r"^\d{6}$").all()
