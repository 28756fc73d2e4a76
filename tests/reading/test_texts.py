"""A Chinese and an English text about the demo district (tests/reading/data): the firms and the
figures they contain, and the queries of the claims they propose."""

from __future__ import annotations

import pytest

from districtlens.reading import extract
from districtlens.reading.mentions import Mention, Target, firm_link
from districtlens.reading.read import read
from tests.reading.conftest import DATA


def _uscc(store, column: str, name: str) -> str:
    return store.con.execute(f"SELECT uscc FROM enterprise_current WHERE {column} = ?", [name]).fetchone()[0]


@pytest.fixture(scope="module")
def texts(reading_store):
    return {lang: read(reading_store, extract.read_file(DATA / f"jingan-review.{lang}.txt")) for lang in ("zh", "en")}


def test_the_chinese_text(texts, reading_store):
    zh = texts["zh"]
    assert zh.language == "zh" and zh.district == "310106"
    linked = {f["uscc"] for f in zh.firms if f["uscc"]}
    for name in ("卡斯柯信号有限公司", "上海合合信息科技股份有限公司", "阿斯利康"):
        assert _uscc(reading_store, "name", name) in linked
    # Every firm mention is either one of those or sent to review, never a silent wrong link.
    assert all(f["uscc"] in linked or f["review"] for f in zh.firms)
    assert [(f["value"], f["unit"]) for f in zh.figures] == [
        (3.31, "km²"),
        (200.0, "家"),
        (0.3333, "share"),
        (2021.0, "year"),
        (4.0, "家"),
        (3.0, "家"),
        (15.0, "%"),
    ]
    queries = {p.figure["text"]: p.query for p in zh.proposals}
    assert queries["4家"] == {
        "kind": "carrier-count",
        "area": "310106",
        "carrier_kind": "incubator",
        "level": "national",
    }
    assert queries["200家"]["kind"] == "enterprise-count" and queries["200家"]["track"] == "big-data"
    assert queries["三分之一"]["kind"] == "share"


def test_the_english_text(texts, reading_store):
    en = texts["en"]
    assert en.language == "en"
    found = {f["text"]: f["uscc"] for f in en.firms}
    assert found["CASKO Signal Ltd."] == _uscc(reading_store, "name_en", "CASKO Signal Ltd.")
    assert found["AstraZeneca"] == _uscc(reading_store, "name_en", "AstraZeneca")
    assert found["INTSIG"] == _uscc(reading_store, "name_en", "INTSIG Information")  # a brand-like short name
    assert found["YOGO Robot"] == _uscc(reading_store, "name_en", "YOGO Robot")
    assert {p["id"] for p in en.places} >= {"shibei-hi-tech-park", "daning", "310106"}
    assert [(f["value"], f["unit"]) for f in en.figures] == [
        (3.31, "km²"),
        (31.0, "%"),
        (2021.0, "year"),
        (4.0, "national"),
        (3.0, "national"),
        (120.0, "enterprises"),
    ]
    queries = {p.figure["text"]: p.query for p in en.proposals}
    assert queries["3.31 square kilometres"]["carrier"] == "shibei-hi-tech-park"
    assert queries["four"]["carrier_kind"] == "incubator"
    assert queries["three"]["carrier_kind"] == "maker-space"


def test_a_name_several_firms_share_goes_to_review():
    mention = Mention("Data", 0, 4, (Target("firm", "A", 0.8), Target("firm", "B", 0.8)))
    link = firm_link(mention)
    assert link["uscc"] is None and link["review"] and sorted(link["candidates"]) == ["A", "B"]
    assert firm_link(Mention("X", 0, 1, (Target("firm", "A", 0.98),)))["uscc"] == "A"


def test_a_former_name_still_names_the_firm(reading_copy):
    """Rename a firm with a new version; the old name still finds it (at a lower confidence)."""
    from districtlens.store import open_store
    from tests.claims.demo import import_roster

    with open_store(reading_copy) as store:
        uscc = _uscc(store, "name_en", "YOGO Robot")
        import_roster(
            store,
            [{"uscc": uscc, "name": "上海有个智能机器人有限公司", "name_en": "YOGO Smart Robot", "year": "2024"}],
        )
        doc = extract.document("n.txt", "YOGO Robot et YOGO Smart Robot sont une seule entreprise.")
        firms = read(store, doc).firms
    assert [(f["text"], f["uscc"], f["confidence"] < 0.98) for f in firms] == [
        ("YOGO Robot", uscc, True),
        ("YOGO Smart Robot", uscc, False),
    ]


def test_a_count_of_tagged_firms_maps_to_the_tag(reading_store):
    doc = extract.document("policy.zh.txt", "2024年，全区高新技术企业数量达到1500家，专精特新企业120家。")
    queries = {p.figure["text"]: p.query for p in read(reading_store, doc).proposals}
    assert queries["1500家"] == {"kind": "enterprise-count", "area": "310106", "tag": "高新技术企业"}
    assert queries["120家"]["tag"] == "专精特新"


def test_a_latin_firm_name_must_be_capitalised(reading_store):
    doc = extract.document("n.txt", "Le marketingforce du district ; Marketingforce y est implantée.")
    assert [f["start"] for f in read(reading_store, doc).firms] == [doc.text.index("Marketingforce")]


def test_the_alias_table_links_a_spelling_the_registry_lacks(reading_copy):
    """A firm registered only as 辉瑞投资有限公司 is named Pfizer in an English text: the alias table
    (resolve/aliases.yaml) links it; without the table, nothing does."""
    from districtlens.store import open_store
    from tests.claims.demo import import_roster
    from tests.helpers import make_uscc

    uscc = make_uscc(9_990_001)
    with open_store(reading_copy) as store:
        import_roster(
            store, [{"uscc": uscc, "name": "辉瑞投资有限公司", "address": "上海市静安区南京西路1号", "year": "2024"}]
        )
        doc = extract.document("n.txt", "Pfizer opened a centre in the district.")
        assert [(f["text"], f["uscc"]) for f in read(store, doc, use_aliases=True).firms] == [("Pfizer", uscc)]
        assert read(store, doc, use_aliases=False).firms == []
