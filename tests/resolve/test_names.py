"""Company names taken apart: width, brackets, scripts, legal forms, regions, business words."""

import polars as pl

from districtlens.resolve.aliases import alias_keys, load_aliases
from districtlens.resolve.names import parse_names, to_pinyin


def parts(name: str) -> dict:
    return parse_names([name]).row(0, named=True)


def test_full_width_brackets_and_traditional_characters_give_the_same_parts():
    plain = parts("上海张江生物医药科技有限公司")
    for variant in (
        "（上海）張江生物醫藥科技有限公司",
        "张江生物医药科技【上海】有限公司",
        "ＳＨ张江生物医药科技(上海)有限公司".replace("ＳＨ", ""),
    ):
        got = parts(variant)
        assert (got["trade"], got["business"], got["legal_form"], got["location"]) == (
            plain["trade"],
            plain["business"],
            plain["legal_form"],
            plain["location"],
        )
    assert plain == {
        **plain,
        "trade": "张江",
        "business": "生物医药科技",
        "legal_form": "ltd",
        "location": "上海",
        "script": "zh",
    }


def test_legal_forms_are_told_apart():
    forms = parse_names(
        [
            "上海张江科技有限公司",
            "上海张江科技有限责任公司",
            "上海张江科技股份有限公司",
            "上海张江科技集团有限公司",
            "张江科技有限公司上海分公司",
        ]
    )["legal_form"]
    assert forms.to_list() == ["ltd", "ltd", "joint_stock", "group_ltd", "branch"]


def test_region_is_a_feature_in_either_script():
    got = parse_names(
        ["北京市张江信息科技有限公司", "Shanghai Zhangjiang Information Technology Co., Ltd.", "张江信息"]
    )
    assert got["location"].to_list() == ["北京", "上海", None]
    assert got["trade"].to_list() == ["张江", "zhangjiang", "张江"]
    assert got["business"].to_list() == ["信息科技", "信息科技", "信息"]
    assert got["legal_form_en"].to_list() == [None, "co ltd", None]


def test_aliases_key_names_across_scripts():
    table = load_aliases()
    trades = parse_names(
        [
            "阿斯利康投资（中国）有限公司",
            "AstraZeneca Investment (China) Co., Ltd.",
            "ＡｓｔｒａＺｅｎｅｃａ",
            "上海张江科技有限公司",
        ]
    )["trade"]
    keys = alias_keys(trades, table).to_list()
    assert keys[0] == keys[1] == keys[2] == "astrazeneca"
    assert keys[3] == "张江"


def test_user_alias_file_extends_the_table(tmp_path):
    extra = tmp_path / "more.yaml"
    extra.write_text("aliases:\n  - [Zhangjiang Bio, 张江生物]\n", encoding="utf-8")
    table = load_aliases(extra)
    assert table["张江"] == table["zhangjiang"]
    assert "张江" not in load_aliases()


def test_pinyin_of_trade_names():
    assert to_pinyin(pl.Series(["张江", "明鹏", None])).to_list() == ["zhangjiang", "mingpeng", None]


def test_names_without_a_han_character_are_romanised_as_they_are():
    """An English-only list (no Chinese character to read) used to fail in str.replace_many."""
    from districtlens.resolve.linker import prepare
    from districtlens.resolve.names import romanisations

    got = romanisations(pl.Series(["vanke", None]))
    assert got["roman_all"].to_list() == ["|vanke|vanke|", None]
    features = prepare(pl.DataFrame({"record_id": ["e1", "e2"], "name": ["China Vanke Co., Ltd.", "BOE Technology"]}))
    assert features["form"].to_list() == ["en", "en"]


def test_nulls_and_blanks_stay_empty():
    got = parse_names([None, "", "  "])
    assert got["trade"].to_list() == [None, None, None]


def test_a_short_name_loses_its_marks_and_keeps_its_place():
    got = parse_names(["*ST国华", "万  科Ａ", "隧道股份", "浙江正特", "上海隧道工程股份有限公司"])
    assert got["trade"].to_list() == ["国华", "万科", "隧道", "正特", "隧道"]
    assert got["location"].to_list() == [None, None, None, "浙江", "上海"]
    assert got["legal_form"].to_list() == [None, None, None, None, "joint_stock"]


def test_every_reading_of_a_polyphonic_character_and_the_initials():
    from districtlens.resolve.names import romanisations

    got = romanisations(pl.Series(["长华", "劲拓", None]))
    assert got["roman_all"].to_list() == ["|zhanghua|changhua|", "|jintuo|jingta|", None]
    assert got["initials"].to_list() == ["zh", "jt", None]


def test_an_english_place_is_read_in_pinyin_and_syllable_by_syllable():
    got = parse_names(["ShiJiaZhuang Kelin Electric Co., Ltd.", "Zhe Jiang Jian Feng Group Co.,Ltd"])
    assert got["location"].to_list() == ["石家庄", "浙江"]
    assert got["lead"].to_list() == ["kelin", "jian"]
    assert got["trade"].to_list() == ["kelin", "jianfeng"]
