"""Enterprise search (the dashboard's and the API's): substring of a Chinese or English name,
current or former, of the credit code or the address; Latin letters in any case; the current
record shown; paging with the total; a needle's punctuation taken literally."""

from __future__ import annotations

import polars as pl

from districtlens.commands import Context
from districtlens.commands.enterprises import import_frame
from districtlens.store.search import SearchIndex
from tests.helpers import make_uscc


def roster(rows: list[dict[str, str]]) -> pl.DataFrame:
    columns = ("uscc", "name", "name_en", "address", "industry_code")
    return pl.DataFrame([{c: r.get(c) for c in columns} for r in rows], schema=dict.fromkeys(columns, pl.String))


def load(store, rows, source="roster"):
    report = import_frame(
        Context(store=store, actor="test"), roster(rows), source={"name": source, "kind": "roster"}, synthetic=False
    )
    assert report.written


def test_search_finds_by_any_name_code_or_address_and_shows_the_current_record(store):
    load(
        store,
        [
            {
                "uscc": make_uscc(1),
                "name": "上海瑞麒生物医药有限公司",
                "name_en": "Ruiqi Bio (Shanghai) Co., Ltd.",
                "address": "上海市静安区江场三路1号",
                "industry_code": "7340",
            },
            {
                "uscc": make_uscc(2),
                "name": "上海东东科技有限公司",
                "address": "上海市静安区A座(南)2号",
                "industry_code": "6513",
            },
            {
                "uscc": make_uscc(3),
                "name": "上海西西贸易有限公司",
                "name_en": "Société Xixi",
                "address": "上海市黄浦区汉口路3号",
                "industry_code": "5212",
            },
        ],
    )
    load(store, [{"uscc": make_uscc(1), "name": "上海瑞麒新药有限公司", "industry_code": "7340"}], "rename")

    def found(q, **paging):
        total, rows = SearchIndex.read(store).find(q, limit=paging.get("limit", 20), offset=paging.get("offset", 0))
        return total, [r["uscc"] for r in rows], rows

    total, codes, rows = found("生物医药")  # the former name
    assert (total, codes) == (1, [make_uscc(1)]) and rows[0]["name"] == "上海瑞麒新药有限公司"
    assert found("RUIQI bio")[1] == [make_uscc(1)]  # English, any case
    assert found(make_uscc(2).lower())[1] == [make_uscc(2)]  # code, lower case
    assert found("汉口路")[1] == [make_uscc(3)]
    assert found("É")[1] == [make_uscc(3)]  # case beyond ASCII
    assert found("a座(南)")[1] == [make_uscc(2)]  # brackets literal, Latin letter in any case
    assert found(".*")[0] == 0  # no regex
    assert found("zzz")[0] == 0
    total, codes, _ = found("有限公司", limit=2)
    assert total == 3 and len(codes) == 2
    total, codes, _ = found("有限公司", limit=2, offset=2)
    assert total == 3 and len(codes) == 1
    assert found("有限公司", offset=5)[:2] == (3, [])


def test_search_within_a_list_of_codes(store):
    load(store, [{"uscc": make_uscc(i), "name": f"上海样本{i}有限公司", "industry_code": "6513"} for i in range(4)])
    total, rows = SearchIndex.read(store).find("样本", limit=10, offset=0, within=[make_uscc(1), make_uscc(3)])
    assert total == 2 and {r["uscc"] for r in rows} == {make_uscc(1), make_uscc(3)}
