"""Blocking on a mistyped trade name: the keys two names one character apart share, and a kept
model whose rules name features no longer kept."""

from __future__ import annotations

import polars as pl
import pytest

from districtlens.resolve.linker import (
    FEATURE_COLUMNS,
    _typo_keys,
    list_rules,
    settings,
    without_lost_rules,
)

KEYS = ["trade_less_last", "trade_less_first", "trade_ends"]


def keys_of(trade: str) -> dict[str, str | None]:
    return pl.DataFrame({"trade_key": [trade]}).select(_typo_keys(pl.col("trade_key"))).row(0, named=True)


@pytest.mark.parametrize("trade", ["金鼎达", "金鼎达科", "长江电力", "greatwall"])
def test_a_name_with_any_one_character_replaced_shares_a_key(trade):
    for position in range(len(trade)):
        typo = trade[:position] + ("顶" if trade[position] != "顶" else "丁") + trade[position + 1 :]
        mine, theirs = keys_of(trade), keys_of(typo)
        assert any(mine[k] == theirs[k] for k in KEYS), (trade, typo)


def test_the_keys_tell_apart_names_two_characters_apart_and_leave_short_names_out():
    assert not any(keys_of("金鼎达")[k] == keys_of("银顶达")[k] for k in KEYS)
    assert all(value is None for value in keys_of("国元").values())


def test_a_model_kept_before_the_typo_keys_links_without_its_old_typo_rules():
    old = settings()
    old["blocking_rules_to_generate_predictions"] = [
        {"blocking_rule": rule}
        for rule in ("l.trade_key = r.trade_key", "l.trade_head = r.trade_head AND l.business = r.business")
    ]
    assert "trade_head" not in FEATURE_COLUMNS
    kept = without_lost_rules(old)
    assert list_rules(kept) == ["l.trade_key = r.trade_key"]
    assert kept["comparisons"] == old["comparisons"]
    current = settings()
    current["blocking_rules_to_generate_predictions"] = [
        {"blocking_rule": rule} for rule in current["blocking_rules_to_generate_predictions"]
    ]
    assert without_lost_rules(current) is current
    assert any("trade_ends" in rule for rule in list_rules(current))
