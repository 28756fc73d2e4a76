"""`districtlens find` and the dashboard's search: one firm found however its name is written
(full, short with its marks, English, former, traditional characters) or its code typed with
spaces."""

from __future__ import annotations

import json

import polars as pl
import pytest

from districtlens.commands import Context
from districtlens.commands.enterprises import import_frame
from districtlens.resolve.names import search_forms
from districtlens.store.search import SearchIndex
from tests.helpers import make_uscc

COLUMNS = ("uscc", "name", "name_en", "address")


def load(store, rows):
    frame = pl.DataFrame([{c: r.get(c) for c in COLUMNS} for r in rows], schema=dict.fromkeys(COLUMNS, pl.String))
    report = import_frame(
        Context(store=store, actor="test"), frame, source={"name": "r", "kind": "roster"}, synthetic=False
    )
    assert report.written


@pytest.fixture
def firms(store):
    load(
        store,
        [
            {"uscc": make_uscc(1), "name": "苏州安洁科技股份有限公司", "name_en": "Suzhou Anjie Technology Co., Ltd."},
            {
                "uscc": make_uscc(2),
                "name": "上海隧道工程股份有限公司",
                "name_en": "Shanghai Tunnel Engineering Co., Ltd.",
            },
            {"uscc": make_uscc(3), "name": "深圳中国农大科技股份有限公司"},
        ],
    )
    # A rename: the former name stays searchable.
    load(store, [{"uscc": make_uscc(3), "name": "深圳国华网安科技股份有限公司"}])
    return store


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("安洁科技", 1),  # short name
        ("蘇州安潔", 1),  # traditional characters
        ("ANJIE  technology", 1),  # English, other case and spacing
        ("隧道股份", 2),  # short name: 股份 stands for the legal form
        ("*ST国华", 3),  # risk mark
        ("中国农大", 3),  # former name
    ],
)
def test_a_firm_is_found_however_its_name_is_written(firms, text, code):
    total, rows = SearchIndex.read(firms).find(text, limit=5, offset=0, forms=search_forms(text))
    assert total == 1 and rows[0]["uscc"] == make_uscc(code)


def test_a_credit_code_typed_in_groups_is_found(firms):
    code = make_uscc(2)
    spaced = " ".join(code[i : i + 4] for i in range(0, len(code), 4))
    total, rows = SearchIndex.read(firms).find(spaced, limit=5, offset=0)
    assert total == 1 and rows[0]["uscc"] == code


def test_a_name_nobody_holds_finds_nothing(firms):
    assert SearchIndex.read(firms).find("完全无关", limit=5, offset=0, forms=search_forms("完全无关")) == (0, [])


def test_the_find_command_prints_json(cli, firms):
    db = firms.path
    firms.close()
    result = cli("find", "安潔科技", "--db", db, "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert found["total"] == 1 and found["enterprises"][0]["uscc"] == make_uscc(1)
    assert set(found["enterprises"][0]) == {"uscc", "name", "name_en", "address"}
    plain = cli("find", "隧道股份", "--db", db)
    assert plain.exit_code == 0 and "上海隧道工程股份有限公司" in plain.output
