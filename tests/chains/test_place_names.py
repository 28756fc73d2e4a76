"""Places said in the reader's language (issue #21): a division's Chinese name rendered in English
and French (`areas.division_name`), and target and opportunity whys free of Chinese place names
in en and fr."""

from __future__ import annotations

import re

import polars as pl
import pytest

from districtlens.areas import division_name
from districtlens.chains import report
from districtlens.chains.pools import place_label
from districtlens.commands.chains import load_context
from districtlens.refdata import areas, cities, provinces, streets
from tests.chains.builders import JINGAN
from tests.chains.test_targets import BIOPHARMA, city_store  # noqa: F401  (the fixture)

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(
    ("name", "en", "fr"),
    [
        ("浦东新区", "Pudong New Area", "nouvelle zone de Pudong"),
        ("静安区", "Jing'an District", "district de Jing'an"),
        ("苏州市", "Suzhou", "Suzhou"),
        ("西安市", "Xi'an", "Xi'an"),
        ("长宁区", "Changning District", "district de Changning"),
        ("闵行区", "Minhang District", "district de Minhang"),
        ("重庆市", "Chongqing", "Chongqing"),
        ("江苏省", "Jiangsu", "Jiangsu"),
        ("陕西省", "Shaanxi", "Shaanxi"),
        ("山西省", "Shanxi", "Shanxi"),
        ("内蒙古自治区", "Inner Mongolia", "Mongolie-Intérieure"),
        ("广西壮族自治区", "Guangxi", "Guangxi"),
        ("延边朝鲜族自治州", "Yanbian Autonomous Prefecture", "préfecture autonome de Yanbian"),
        ("崇明区", "Chongming District", "district de Chongming"),
        ("安亭镇", "Anting Town", "bourg d'Anting"),
        ("吕梁市", "Lüliang", "Lüliang"),
        ("昆山市", "Kunshan", "Kunshan"),
        ("长治市", "Changzhi", "Changzhi"),
        ("长子县", "Zhangzi County", "xian de Zhangzi"),
        ("行唐县", "Xingtang County", "xian de Xingtang"),
        ("长白朝鲜族自治县", "Changbai Autonomous County", "xian autonome de Changbai"),
        (
            "长春经济技术开发区",
            "Changchun Economic and Technological Development Zone",
            "zone de développement économique et technologique de Changchun",
        ),
    ],
)
def test_a_division_is_named_in_english_and_french(name, en, fr):
    assert division_name(name, "en") == en
    assert division_name(name, "fr") == fr
    assert division_name(name, "zh") == name


def test_every_division_of_the_codes_has_a_name_without_chinese_characters():
    names = pl.concat([frame.select("name") for frame in (provinces(), cities(), areas())])["name"].to_list()
    names += streets().filter(pl.col("areaCode") == JINGAN)["name"].to_list()
    names = [n for n in names if n != "市辖区"]
    assert len(names) > 3000
    for lang in ("en", "fr"):
        said = [division_name(n, lang) for n in names]
        assert [s for s in said if HAN.search(s)] == []
        # Syllables that would read otherwise are split by an apostrophe, never doubled.
        assert not [s for s in said if "''" in s]


def test_a_pool_firm_in_china_is_placed_smallest_first_in_the_readers_language():
    assert place_label("China", "32", "3205", "320508", "en") == "Gusu District, Suzhou, Jiangsu, China"
    assert place_label("China", "32", "3205", None, "fr") == "Suzhou, Jiangsu, Chine"
    assert place_label("China", "32", "3205", "320508", "zh") == "中国 江苏省苏州市姑苏区"


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_target_and_opportunity_whys_name_places_in_the_readers_language(city_store, lang):  # noqa: F811
    context = load_context(city_store, JINGAN)
    _, ranked = report.targets(context, BIOPHARMA, top=30, lang=lang)
    assert ranked.height
    for why in ranked["why"].to_list():
        assert not HAN.search(why), why
    assert any("(310115)" in why and division_name("浦东新区", lang) in why for why in ranked["why"].to_list())
    found = report.area_opportunities(context, BIOPHARMA, top=10, lang=lang)
    assert found.height
    for why in found["why"].to_list():
        assert not HAN.search(why), why
        assert why.startswith("Class " if lang == "en" else "Classe ")


def test_opportunity_whys_are_said_in_chinese(city_store):  # noqa: F811
    context = load_context(city_store, JINGAN)
    found = report.area_opportunities(context, BIOPHARMA, top=5, lang="zh")
    assert all(why.startswith("行业小类") and "静安区" in why for why in found["why"].to_list())
