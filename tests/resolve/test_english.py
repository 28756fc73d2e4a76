"""English names met by meaning (resolve/english.py) and by older spellings of places.

The cases are well-known firms and places written down from general knowledge, not rows of the
listed-firm files the resolver is evaluated on."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from districtlens.resolve import linker
from districtlens.resolve.english import concepts, segments, stem
from districtlens.resolve.names import parse_names

PAIRS = [
    ("长城汽车股份有限公司", "Great Wall Motor Company Limited"),
    ("上海汽车工业(集团)有限公司", "SAIC Motor Corporation Limited"),
    ("贵州茅台酒股份有限公司", "Kweichow Moutai Co., Ltd."),
    ("中国东方航空股份有限公司", "China Eastern Airlines Corporation Limited"),
    ("东北电力有限公司", "Northeast Electric Power Co., Ltd."),
    ("黑牡丹纺织有限公司", "Black Peony Textile Co., Ltd."),
]


@pytest.fixture(scope="module")
def features() -> pl.DataFrame:
    names = [name for pair in PAIRS for name in pair]
    return linker.prepare(pl.DataFrame({"record_id": [f"r{i}" for i in range(len(names))], "name": names}))


def romanised_level(features: pl.DataFrame, left: int, right: int) -> str:
    """The label of the first level of the `romanised` comparison whose SQL holds for two records,
    as Splink would find it."""
    comparison = next(c for c in linker.COMPARISONS if c["output_column_name"] == "romanised")
    row = {f"{k}_l": v for k, v in features.row(left, named=True).items()}
    row |= {f"{k}_r": v for k, v in features.row(right, named=True).items()}
    pair = pl.DataFrame([row], schema={k: pl.Utf8 for k in row})
    con = duckdb.connect()
    con.register("pair", pair.to_arrow())
    for level in comparison["comparison_levels"]:
        condition = level["sql_condition"]
        if condition == "ELSE" or con.execute(f"SELECT count(*) FROM pair WHERE {condition}").fetchone() == (1,):
            return str(level["label_for_charts"])
    raise AssertionError("no level")


def test_a_trade_name_is_cut_into_the_dictionarys_longest_words():
    assert segments(pl.Series(["长城汽车", "上海汽车工业"])).to_list() == [["长城", "汽车"], ["上海", "汽车", "工业"]]


def test_stems_make_adjectives_and_plurals_meet():
    words = pl.Series(["eastern", "oriental", "orient", "chemicals", "industries"])
    assert pl.select(stem(pl.lit(words))).to_series().to_list() == ["east", "orient", "orient", "chemic", "industry"]


@pytest.mark.parametrize(
    ("pair", "level"),
    [
        (0, "the English trade name translates the Chinese"),  # 长城: great wall
        (1, "the English trade name, one word, translates the Chinese"),  # 上海汽车工业: SAIC
        (3, "the English name's first word translates the trade name's first word"),  # 东方: eastern
        (4, "the English trade name, one word, translates the Chinese"),  # 东北: northeast
        (5, "the English name's first word translates the trade name's first word"),  # 黑: black
    ],
)
def test_an_english_name_that_translates_the_chinese_meets_it(features, pair, level):
    assert romanised_level(features, 2 * pair, 2 * pair + 1) == level
    assert romanised_level(features, 2 * pair + 1, 2 * pair) == level


def test_a_translation_does_not_meet_another_firms_english_name(features):
    # 长城汽车 against Northeast Electric Power, 黑牡丹 against SAIC.
    assert romanised_level(features, 0, 9) == "different"
    assert romanised_level(features, 10, 3) == "different"


def test_acronyms_of_translated_words_include_the_place():
    great_wall, saic = 0, 1
    features = linker.prepare(
        pl.DataFrame({"record_id": ["a", "b", "c"], "name": ["长城汽车股份有限公司", "上海汽车工业有限公司", "x"]})
    )
    assert "|gwc|" in features["meaning"][great_wall]  # Great Wall Car
    assert "|saic|" in features["meaning"][saic]  # Shanghai Automotive Industry Corporation


def test_blocking_key_is_shared_by_a_translation_and_its_english_name(features):
    # Great Wall and 长城 (great wall) meet on 大; Eastern and 东方 (east) on 东.
    assert features["sense"][0] == features["sense"][1] == "大"
    assert features["sense"][6] == features["sense"][7] == "东"
    assert features["sense"][0] != features["sense"][7]


def test_synonyms_stand_for_one_character():
    assert concepts()["orient"] == concepts()["east"] == "东"


def test_the_english_names_second_word_is_kept_for_its_own_comparison(features):
    assert features["meaning"][9] == "|northeast|#electric|"


@pytest.mark.parametrize(
    ("name", "place"),
    [
        ("Kweichow Moutai Co., Ltd.", "贵州"),
        ("Tsingtao Brewery Company Limited", "青岛"),
        ("Canton Trading Co., Ltd.", "广州"),
        ("Bank of Chengdu Co., Ltd.", "成都"),
        ("Star Lake Bioscience Co., Inc. Zhaoqing Guangdong", "广东"),
    ],
)
def test_english_names_give_their_place_in_older_spellings_and_at_the_end(name, place):
    assert parse_names([name])["location"][0] == place
