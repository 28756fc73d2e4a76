"""Placement: class rules, keyword rules (Chinese anywhere, Latin whole words, `within`), manual."""

from __future__ import annotations

import polars as pl
import pytest

from districtlens import cores as slicing
from districtlens.chains.placement import keyword_rules, keyword_texts, place, said_rule
from districtlens.chains.templates import parse_template, shipped_templates

BIOPHARMA = shipped_templates()["biopharma"]


def firms(*rows: tuple[str, str, str, str | None, str | None]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["uscc", "industry_code", "name", "business_scope", "tags"], orient="row")


def links_of(placed: pl.DataFrame, uscc: str, lang: str = "en") -> dict[str, str]:
    """A firm's links, each with the rule that placed it there said in `lang`."""
    rows = placed.filter(pl.col("uscc") == uscc).select("link_id", "rule", "rule_value").iter_rows()
    return {link_id: said_rule(rule, value, lang) for link_id, rule, value in rows}


def test_a_class_rule_places_every_firm_of_the_class_and_says_so():
    placed = place(
        firms(
            ("a", "2710", "某原料公司", None, None), ("b", "2710", "另一家", "", ""), ("c", "5212", "超市", None, None)
        ),
        BIOPHARMA,
    )
    assert links_of(placed, "a") == {"apis": "class 2710"}
    assert links_of(placed, "b") == {"apis": "class 2710"}
    assert links_of(placed, "c") == {}


def test_chinese_keywords_match_anywhere_in_name_scope_or_tags():
    placed = place(
        firms(
            ("n", "7299", "上海合成生物科技有限公司", None, None),
            ("s", "7299", "某公司", "从事细胞工厂构建", None),
            ("t", "7299", "某公司", None, "标签;基因编辑"),
        ),
        BIOPHARMA,
    )
    for uscc, word in (("n", "合成生物"), ("s", "细胞工厂"), ("t", "基因编辑")):
        assert links_of(placed, uscc)["synthetic-biology"] == f'keyword "{word}"'


def test_latin_keywords_match_whole_words_in_any_case():
    placed = place(
        firms(
            ("w", "7299", "X", "we offer Synthetic Biology services", None),
            ("m", "6513", "Micro systems", "microelectronics", None),
            ("c", "7299", "Y", "提供CRO服务", None),
        ),
        BIOPHARMA,
    )
    assert links_of(placed, "w")["synthetic-biology"] == 'keyword "synthetic biology"'
    assert "rd-cro-cdmo" not in links_of(placed, "m")  # "cro" inside "micro" is no CRO
    assert links_of(placed, "c")["rd-cro-cdmo"] == 'keyword "CRO"'


def test_within_limits_a_keyword_rule_to_its_classes():
    # "人工智能" alone puts a medical R&D firm into AI drug discovery, not a software firm.
    placed = place(
        firms(
            ("r", "7340", "某医学研究院", "人工智能辅助研究", None),
            ("s", "6513", "某软件公司", "人工智能平台", None),
            ("x", "6513", "某软件公司二", "AI制药平台", None),
        ),
        BIOPHARMA,
    )
    assert links_of(placed, "r")["ai-drug-discovery"] == 'keyword "人工智能"'
    assert "ai-drug-discovery" not in links_of(placed, "s")
    # The specific keyword rule has no `within`: it places a firm of any class.
    assert links_of(placed, "x")["ai-drug-discovery"] == 'keyword "AI制药"'


def test_a_firm_can_hold_several_links_and_keeps_the_first_rule_of_each():
    data = firms(("r", "7340", "CRO研究", "合同研究;人工智能", None))
    placed = place(data, BIOPHARMA)
    assert links_of(placed, "r") == {"rd-cro-cdmo": "class 7340", "ai-drug-discovery": 'keyword "人工智能"'}
    # The rules are said in the reader's language.
    assert links_of(placed, "r", "zh") == {"rd-cro-cdmo": "行业小类 7340", "ai-drug-discovery": "关键词“人工智能”"}
    assert placed.filter(pl.col("uscc") == "r").height == 2


def test_manual_placements_come_first_and_are_checked():
    data = firms(("a", "2710", "某原料公司", None, None))
    manual = pl.DataFrame({"uscc": ["a"], "link_id": ["apis"]})
    assert links_of(place(data, BIOPHARMA, manual), "a") == {"apis": "manual"}
    assert links_of(place(data, BIOPHARMA, manual), "a", "fr") == {"apis": "placé à la main"}
    with pytest.raises(ValueError, match="not-a-link"):
        place(data, BIOPHARMA, pl.DataFrame({"uscc": ["a"], "link_id": ["not-a-link"]}))


def test_regex_characters_in_keywords_are_literal():
    template = parse_template(
        {
            "id": "t",
            "version": 1,
            "name": {"zh": "t", "en": "t", "fr": "t"},
            "links": [
                {
                    "id": "lang",
                    "name": {"zh": "l", "en": "l", "fr": "l"},
                    "stage": "upstream",
                    "rules": [{"keywords": {"zh": ["(研发)"], "en": ["c++", "node.js"]}}],
                }
            ],
        },
        known_classes=frozenset(),
    )
    placed = place(
        firms(
            ("p", "7299", "X", "we write C++ daily", None),
            ("q", "7299", "Y", "nodexjs and c", None),
            ("r", "7299", "Z", "软件(研发)中心", None),
            ("s", "7299", "W", "研发中心", None),
        ),
        template,
    )
    assert links_of(placed, "p") == {"lang": 'keyword "c++"'}
    assert links_of(placed, "q") == {}
    assert links_of(placed, "r") == {"lang": 'keyword "(研发)"'}
    assert links_of(placed, "s") == {}


def test_keyword_text_shared_by_every_shipped_template_places_as_each_alone():
    """A briefing finds the keyword text of the city once for all templates: each template then
    places exactly the firms, links and rules it places on its own."""
    from districtlens.chains.placement import keyword_rules, keyword_texts
    from districtlens.demo import generate_registry

    registry = generate_registry(11, 3000).unique("uscc", keep="first", maintain_order=True)
    templates = list(shipped_templates().values())
    texts = keyword_texts(registry, keyword_rules(templates))
    assert 0 < texts.height < registry.height
    by_keyword = 0
    for template in templates:
        alone = place(registry, template)
        by_keyword += alone.filter(pl.col("rule") == "keyword").height
        assert place(registry, template, texts=texts).equals(alone), template.id
    assert by_keyword > 0


def test_keyword_text_is_the_fully_lower_cased_text_and_lists_each_keyword_it_holds():
    """Only texts with a cased letter are lower-cased (the rest are already): the text must still
    equal full lower-casing, Greek, full-width and title-case letters included, and `found` must
    hold every keyword of the rules present in it, overlapping ones too."""
    from districtlens.chains.placement import keyword_rules, keyword_texts

    template = parse_template(
        {
            "id": "t",
            "version": 1,
            "name": {"zh": "t", "en": "t", "fr": "t"},
            "links": [
                {
                    "id": "chip",
                    "name": {"zh": "c", "en": "c", "fr": "c"},
                    "stage": "upstream",
                    "rules": [{"keywords": {"zh": ["芯片", "芯片设计"], "en": ["EDA", "σας"]}}],
                }
            ],
        }
    )
    registry = firms(
        ("a", "6520", "芯片设计公司", None, None),
        ("b", "6520", "ＥＤＡ工具", "EDA Tools", None),
        ("c", "6520", "ΣΑΣ Ǆ Ⅻ", None, "Σας"),
        ("d", "6520", "超市", "零售", None),
    )
    texts = keyword_texts(registry, keyword_rules([template]))
    names = registry.select(
        pl.concat_str([pl.col(c).fill_null("") for c in ("name", "business_scope", "tags")], separator="\n")
        .str.to_lowercase()
        .alias("text"),
        "uscc",
    )
    expected = names.filter(pl.col("uscc").is_in(["a", "b", "c"]))
    assert texts["uscc"].to_list() == ["a", "b", "c"]
    assert texts["text"].to_list() == expected["text"].to_list()
    assert [sorted(words) for words in texts["found"].to_list()] == [["芯片", "芯片设计"], ["eda"], ["σας"]]
    placed = place(registry, template)
    assert links_of(placed, "b") == {"chip": 'keyword "EDA"'}
    assert links_of(placed, "c") == {"chip": 'keyword "σας"'}


def test_each_placement_carries_its_firms_row_and_a_manual_firm_not_given_has_none():
    data = firms(
        ("a", "5212", "超市", None, None),
        ("b", "2710", "某原料公司", None, None),
        ("c", "7299", "上海合成生物科技有限公司", None, None),
    )
    manual = pl.DataFrame({"uscc": ["c", "elsewhere"], "link_id": ["apis", "apis"]})
    placed = place(data, BIOPHARMA, manual)
    rows = dict(zip(placed["uscc"] + "/" + placed["link_id"], placed["firm_row"], strict=True))
    assert rows == {"c/apis": 2, "elsewhere/apis": None, "b/apis": 1, "c/synthetic-biology": 2}


@pytest.mark.parametrize("cores", [1, 2, 3, 10])
def test_keyword_texts_cut_in_slices_per_core_are_those_of_one_pass(monkeypatch, cores):
    data = firms(
        ("a", "7299", "上海合成生物科技有限公司", None, None),
        ("b", "5212", "超市", "零售", None),
        ("c", "7299", "X", "we offer Synthetic Biology services", None),
        ("d", "7340", "CRO研究", "合同研究;人工智能", None),
        ("e", "6513", "Micro systems", "microelectronics", "AI制药"),
    )
    rules = keyword_rules([BIOPHARMA])
    monkeypatch.setattr(slicing.os, "cpu_count", lambda: 1)
    whole = keyword_texts(data, rules)
    assert whole["uscc"].to_list() == ["a", "c", "d", "e"]
    assert whole["firm_row"].to_list() == [0, 2, 3, 4]
    monkeypatch.setattr(slicing.os, "cpu_count", lambda: cores)
    assert keyword_texts(data, rules).equals(whole)
