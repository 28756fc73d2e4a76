"""Amounts of money in a claim's evidence are written by the product's one money rule
(`districtlens.i18n.money`): never 万元 in English or French."""

from __future__ import annotations

from districtlens.claims.judge import evidence_text
from districtlens.i18n import money


def test_a_published_amount_follows_the_money_rule_in_every_language():
    published = {"value": 12.5, "unit": "亿元", "year": 2023, "source_doc": "公报"}
    said = evidence_text("supported", {"published": published, "indicator": "营业收入", "covers": "all"})
    for lang in ("zh", "en", "fr"):
        assert money(125_000, lang) in said[lang], said[lang]
        assert "  " not in said[lang]
    assert "亿元" not in said["en"] + said["fr"] and "\u202fMd\u202fCNY" in said["fr"]


def test_a_total_of_a_money_column_follows_the_money_rule_and_a_count_does_not():
    revenue = {"query": {"kind": "total", "column": "revenue"}, "rows": 12, "synthetic_rows": 0}
    said = evidence_text("supported", revenue, 4_321.0)
    assert "43,2\u202fM\u202fCNY" in said["fr"] and "CNY 43.2 m" in said["en"] and "4,321 万元" in said["zh"]
    employees = {"query": {"kind": "total", "column": "employees"}, "rows": 12, "synthetic_rows": 0}
    said = evidence_text("supported", employees, 4_321.0)
    assert "4321" in said["en"] and "CNY" not in said["en"]
    # A unit that is not money stays as published.
    counted = evidence_text(
        "supported", {"published": {"value": 1200, "unit": "户", "year": 2023}, "indicator": "企业", "covers": "all"}
    )
    assert "1200 户" in counted["zh"]
