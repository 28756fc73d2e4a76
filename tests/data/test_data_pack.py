"""The Jing'an pack loads, holds every claim of FACTS.md, and broken packs fail clearly."""

import shutil
from pathlib import Path

import pytest
import yaml

from districtlens import refdata
from districtlens.ingest.packs import PackError, load_pack

SEED = Path(__file__).resolve().parents[3] / "shared" / "seed"
INTERVIEW = (SEED / "jingan-interview-2025-10-31.fr.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pack():
    return load_pack("jingan")


def test_district_and_peers(pack):
    assert pack.district.adcode == "310106"
    assert pack.district.peers["central"] == [
        "310101",
        "310104",
        "310105",
        "310106",
        "310107",
        "310109",
        "310110",
    ]
    assert {"zh", "en", "fr"} <= set(pack.languages)


def test_every_claim_quotes_the_source_exactly_with_translations(pack):
    assert pack.claims
    for claim in pack.claims:
        assert claim.quote_lang == "fr"
        assert claim.quote in INTERVIEW, claim.id
        assert claim.translations["en"].strip() and claim.translations["zh"].strip()
        assert claim.source == "interview-2025-10-31"
        assert pack.source(claim.source).date.isoformat() == "2025-10-31"
        assert claim.query is None


# The figures FACTS.md lists, as (subject, value, comparison).
FACTS_FIGURES = [
    ("jingan", 6, "equal"),  # six special actions
    ("biopharma", 14, "equal"),  # 14 of the world's 50 largest pharma
    ("health", 2, "rank"),  # 2nd among central districts
    ("astrazeneca", 2021, "equal"),  # China global R&D centre
    ("astrazeneca", 5, "rank"),  # 5th global strategic centre
    ("shanghai-icampus", 20, "about"),  # ~20 enterprises and teams
    ("casko-signal", 1986, "equal"),
    ("casko-signal", 31, "at-least"),
    ("casko-signal", 1, "rank"),
    ("data-intelligence", 10, "at-least"),  # 10+ years
    ("big-data", 1, "equal"),  # only national demonstration base
    ("big-data", 0.3333, "about"),  # one third of key enterprises
    ("blockchain", 1, "equal"),  # only national pilot zone
    ("blockchain", 100, "about"),  # ~100 enterprises
    ("artificial-intelligence", 7, "at-least"),  # the named AI firms
    ("shibei-hi-tech-park", 3.31, "equal"),
    # Floor space the community "will progressively release": a target, a statement of intent.
    ("jingan-international-innovation-community", 400000, "none"),
    ("jingan-international-innovation-community", 800000, "none"),
    ("jingan", 1, "equal"),
    ("jingan", 4, "equal"),
    ("jingan", 3, "equal"),
    ("jingan", 24, "equal"),
]


@pytest.mark.parametrize(("subject", "value", "comparison"), FACTS_FIGURES)
def test_facts_figures_are_claims(pack, subject, value, comparison):
    found = [
        c
        for c in pack.claims
        if c.subject == subject and c.comparison == comparison and (c.asserted or {}).get("value") == value
    ]
    assert len(found) == 1


def test_pharma_claim_names_its_population(pack):
    claim = next(c for c in pack.claims if c.id == "pharma-top50-in-district")
    assert claim.asserted["of"] == 50


def test_zones_roles_and_orientation(pack):
    roles = {z.id: z.role for z in pack.zones}
    assert roles == {
        "shibei": "core",
        "daning": "expansion",
        "suhewan": "support",
        "nanjing-west-road": "radiation",
    }
    daning = next(z for z in pack.zones if z.id == "daning")
    assert daning.orientation == ["integrated-circuits", "digital-security", "smart-health"]
    streets = refdata.streets()
    jingan_streets = set(streets.filter(streets["areaCode"] == "310106")["code"])
    zoned = [s for z in pack.zones for s in z.streets]
    assert len(zoned) == len(set(zoned)) and set(zoned) <= jingan_streets


def test_carriers_counted_by_the_source_are_synthetic_placeholders(pack):
    by_kind = {}
    for carrier in pack.carriers:
        by_kind.setdefault((carrier.kind, carrier.level), []).append(carrier)
    assert len(by_kind[("incubator", "national")]) == 4
    assert len(by_kind[("maker-space", "national")]) == 3
    assert len(by_kind[("cultural-creative-park", "municipal")]) == 24
    assert len(by_kind[("university-science-park", "national")]) == 1
    assert all(c.synthetic for c in by_kind[("incubator", "national")])
    shibei = next(c for c in pack.carriers if c.id == "shibei-hi-tech-park")
    assert shibei.area_km2 == 3.31 and not shibei.synthetic


def test_track_classes_exist_and_enterprises_are_named(pack):
    classes = refdata.gbt_class_codes()
    assert all(code in classes for t in pack.tracks for code in t.classes)
    names = {e.names.en for e in pack.enterprises}
    assert {
        "AstraZeneca",
        "CASKO Signal Ltd.",
        "Marketingforce",
        "INTSIG Information",
        "XPeng Motors",
        "E-surfing Digital Life Technology",
        "Xianghang (Shanghai) Technology",
        "ONEAIX Technologies",
        "YOGO Robot",
    } == names
    assert next(e for e in pack.enterprises if e.id == "casko-signal").founded == 1986


def _broken_copy(tmp_path, pack, edit):
    folder = tmp_path / "broken"
    shutil.copytree(pack.path, folder)
    doc = yaml.safe_load((folder / "pack.yaml").read_text(encoding="utf-8"))
    edit(doc)
    (folder / "pack.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return folder


def test_broken_pack_lists_every_problem(tmp_path, pack):
    def edit(doc):
        doc["languages"] = ["zh", "en"]
        doc["tracks"].append(dict(doc["tracks"][0]))  # duplicate id
        doc["tracks"][1]["classes"] = ["9999", "2710"]  # not a class
        doc["zones"][0]["orientation"] = ["no-such-track"]
        doc["carriers"][2]["zone"] = "atlantis"
        del doc["zones"][1]["names"]["fr"]

    folder = _broken_copy(tmp_path, pack, edit)
    with pytest.raises(PackError) as caught:
        load_pack(folder)
    message = str(caught.value)
    assert "missing: fr" in message
    assert "track id 'health' is used twice" in message
    assert "'9999' is not a GB/T 4754-2017 four-digit class" in message
    assert "orientation track 'no-such-track' does not exist" in message
    assert "zone 'atlantis' does not exist" in message
    assert "zone daning: name in 'fr' is missing" in message


def test_claim_with_unknown_subject_and_missing_translation(tmp_path, pack):
    folder = tmp_path / "claims"
    shutil.copytree(pack.path, folder)
    claims = yaml.safe_load((folder / "claims.yaml").read_text(encoding="utf-8"))
    claims["claims"][0]["subject"] = "nowhere"
    del claims["claims"][1]["translations"]["zh"]
    (folder / "claims.yaml").write_text(yaml.safe_dump(claims, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_pack(folder)
    assert "subject 'nowhere'" in str(caught.value)
    assert f"claim {claims['claims'][1]['id']}: translation in 'zh' is missing" in str(caught.value)


def test_unknown_pack_name_is_a_clear_error():
    with pytest.raises(PackError, match="no such pack"):
        load_pack("atlantis")
