"""Every link's reason is said in the reader's language: the same status in zh, en and fr, and no
English sentence left in the Chinese or French reasons."""

from __future__ import annotations

import re

import polars as pl
import pytest

from districtlens.chains.placement import place
from districtlens.i18n import money, number
from tests.chains.test_health import TEMPLATES, firm_for, frame, unrelated

ENGLISH_RUN = re.compile(r"[A-Za-z]{2,}(?: [A-Za-z]{2,}){2,}")


def city() -> pl.DataFrame:
    """District A holds the first link strongly, the second through one dominant firm, the third
    with a single firm, a fourth with a few, and none of the rest; district B holds every link."""
    links = TEMPLATES["integrated-circuits"].links
    rows = unrelated(40, "A", "ua") + unrelated(200, "B", "ub")
    sizes = {0: 12, 1: 12, 2: 1, 3: 4}
    for index, link in enumerate(links):
        for i in range(sizes.get(index, 0)):
            revenue = 1_000_000.0 if index == 1 and i == 0 else 1_234.0
            rows.append(dict(firm_for(link, f"a{index}-{i}", "A", revenue), name=f"甲{index}号科技有限公司{i}"))
        for i in range(6):
            rows.append(dict(firm_for(link, f"b{index}-{i}", "B"), name=f"乙{index}号科技有限公司{i}"))
    return frame(rows)


@pytest.fixture(scope="module")
def by_language() -> dict[str, pl.DataFrame]:
    from districtlens.chains.health import chain_health

    template = TEMPLATES["integrated-circuits"]
    firms = city()
    placements = place(firms, template)
    area = firms.filter(pl.col("district_adcode") == "A")
    labels = {"zh": ("静安区", "上海市"), "en": ("Jing'an", "Shanghai"), "fr": ("Jing'an", "Shanghai")}
    return {
        lang: chain_health(
            template, placements, area, firms, area_label=labels[lang][0], reference_label=labels[lang][1], lang=lang
        )
        for lang in ("zh", "en", "fr")
    }


def test_every_status_is_reached_and_the_same_in_every_language(by_language):
    statuses = by_language["en"]["status"].to_list()
    assert {"strong", "present", "weak", "missing"} <= set(statuses), statuses
    for lang in ("zh", "fr"):
        assert by_language[lang]["status"].to_list() == statuses


@pytest.mark.parametrize("lang", ["zh", "fr"])
def test_no_english_sentence_in_the_reasons(by_language, lang):
    english = by_language["en"]["why"].to_list()
    for why, said_in_english in zip(by_language[lang]["why"].to_list(), english, strict=True):
        assert why != said_in_english
        runs = ENGLISH_RUN.findall(why)
        if lang == "zh":
            assert not runs, why
        else:
            assert not any(word in run.split() for run in runs for word in ("the", "firms", "so", "while")), why


def test_figures_in_a_reason_follow_the_locale(by_language):
    rows = by_language["fr"].to_dicts()
    strong = next(r for r in rows if r["status"] == "strong")
    # French groups thousands with a narrow no-break space and writes decimals with a comma.
    assert number(strong["lq"], "fr", 2) in strong["why"] and "," in number(strong["lq"], "fr", 2)


@pytest.mark.parametrize(("lang", "small_unit"), [("zh", "万元"), ("en", " m"), ("fr", "\u202fM\u202fCNY")])
def test_revenue_in_a_reason_follows_the_money_rule(by_language, lang, small_unit):
    """Revenue is written by the product's one money rule: 万元/亿元 in Chinese, CNY m/bn and
    M CNY/Md CNY otherwise, never 万元 outside Chinese."""
    whys = by_language[lang].filter(pl.col("revenue").is_not_null()).to_dicts()
    assert len(whys) >= 2
    for row in whys:
        assert money(row["revenue"], lang) in row["why"], row["why"]
        if lang != "zh":
            assert "万元" not in row["why"] and "CNY" in row["why"], row["why"]
    assert any(small_unit in row["why"] for row in whys)


def test_a_shipped_pool_is_named_in_the_readers_language_and_an_imported_one_by_its_id():
    from importlib import resources

    from districtlens.chains.targets import source_label

    shipped = [p.name.removesuffix(".csv") for p in resources.files("districtlens.refdata").joinpath("pools").iterdir()]
    assert shipped
    for pool in shipped:
        labels = {lang: source_label(pool, lang) for lang in ("zh", "en", "fr")}
        assert pool not in labels.values(), labels
        assert re.search(r"[\u4e00-\u9fff]", labels["zh"]) and len(set(labels.values())) == 3, labels
    assert source_label("our-fair-2026", "zh") == "our-fair-2026"


def test_a_pool_firms_country_is_named_in_the_readers_language():
    from districtlens.chains.pools import country_name, place_label

    assert [country_name("USA", lang) for lang in ("zh", "en", "fr")] == ["美国", "United States", "États-Unis"]
    assert country_name("Britain", "fr") == "Royaume-Uni"
    assert country_name("Atlantis", "zh") == "Atlantis"  # unknown: as the pool gives it
    assert place_label("China", None, None, None, "fr") == "Chine"
