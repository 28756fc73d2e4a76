"""Every table of every page is drawn by the one table mechanism (web/tables.py): sortable (by
links carrying the view, or in the page for a form's answer), exportable as XLSX and CSV with
headers in the reader's language, and paged with a choice of page size."""

from __future__ import annotations

import base64
import csv
import html as html_text
import io
import re
import shutil

import pytest
from fastapi.testclient import TestClient

from districtlens.web.app import create_app
from districtlens.web.i18n import Formatter
from tests.web.conftest import OWN_CARRIER, login
from tests.web.test_no_raw_text import PAGES

TABLE = re.compile(r"<table\b[^>]*>")
VIEW = re.compile(r'<div class="table-view" id="table-([^"]+)">(.*?)</table>', re.S)


def table_views(html: str) -> dict[str, str]:
    """Each table's id -> its tools and markup, after checking every <table> is one of them."""
    views = dict(VIEW.findall(html))
    tables = TABLE.findall(html)
    strays = [t for t in tables if "data-table=" not in t]
    assert not strays, f"tables drawn outside the shared mechanism: {strays}"
    assert len(views) == len(tables)
    return views


def headers(view: str) -> list[str]:
    return re.findall(r"<th\b[^>]*>(.*?)</th>", view, re.S)


def every_page(web_store) -> list[str]:
    tenant = web_store["own_tenants"][0]
    return [
        *PAGES,
        f"/enterprises/{tenant}",
        "/industries?division=65",
        f"/chains?track=biopharma&link={chain_link()}",
        "/scenario?track=biopharma&firm=2710:5000:80",
    ]


def chain_link() -> str:
    from districtlens.web.figures import chain_templates

    return chain_templates()["biopharma"].links[0].id


def test_every_table_on_every_page_is_sortable_paged_and_exportable(clients, web_store):
    client = clients["analyst"]
    seen = 0
    for path in every_page(web_store):
        html = client.get(path).text
        for table_id, view in table_views(html).items():
            seen += 1
            where = (path, table_id)
            assert re.search(r'data-testid="[^"]+-xlsx"', view) and re.search(r'data-testid="[^"]+-csv"', view), where
            assert f'name="{table_id}.size"' in view, where
            cells = headers(view)
            sortable = [c for c in cells if f"{table_id}.sort=" in c or 'class="sort"' in c]
            assert sortable, where
    assert seen >= 30, "the walk reached the pages' tables"


def test_every_export_is_a_file_with_headers_in_the_language(clients, web_store):
    client = clients["analyst"]
    for path in every_page(web_store):
        html = client.get(f"{path}{'&' if '?' in path else '?'}lang=fr").text
        for table_id, view in table_views(html).items():
            shown = [html_text.unescape(re.sub(r"<[^>]+>|[▲▼]", "", h)).strip() for h in headers(view)]
            href = re.search(r'href="([^"]*format=csv[^"]*)"', view).group(1).replace("&amp;", "&")
            exported = client.get(path.split("?")[0] + href)
            assert exported.status_code == 200, (path, table_id)
            assert exported.headers["content-type"].startswith("text/csv"), (path, table_id)
            first = next(csv.reader(io.StringIO(exported.text.lstrip("\ufeff"))))
            # Every exported header is one the page shows (money ones with their unit added).
            money = f" ({Formatter('fr').money_unit})"
            assert all(h.removesuffix(money) in shown for h in first), (path, table_id, first, shown)


def test_a_sort_link_carries_the_view_and_sorts(clients):
    client = clients["analyst"]
    html = client.get("/data?lang=en&ledger.sort=seq").text
    view = table_views(html)["ledger"]
    seqs = [int(n.replace(",", "")) for n in re.findall(r'<tr><td class="num">([\d,]+)</td>', view)]
    assert seqs == sorted(seqs) and len(seqs) > 1
    html = client.get("/data?lang=en&ledger.sort=-seq&ledger.size=10").text
    view = table_views(html)["ledger"]
    seqs = [int(n.replace(",", "")) for n in re.findall(r'<tr><td class="num">([\d,]+)</td>', view)]
    assert seqs == sorted(seqs, reverse=True) and len(seqs) == 10


@pytest.fixture(scope="module")
def reading_client(web_store, tmp_path_factory):
    db = tmp_path_factory.mktemp("tables-answer") / "demo.duckdb"
    shutil.copyfile(web_store["db"], db)
    app = create_app(db)
    client = TestClient(app)
    assert login(client, "analyst").status_code == 303
    yield client
    app.state.server.close()


def test_a_forms_answer_is_sorted_in_the_page_and_exported_from_it(reading_client):
    """A text read is the answer to a form: no URL gives it again, so its table carries its own
    files (data: links) and sorts in the page (buttons read by tables.js)."""
    page = reading_client.get("/reading?lang=en")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    text = "上海市静安区生物医药产业2024年营收增长12%。"
    answer = reading_client.post("/reading?lang=en", data={"csrf_token": token, "text": text, "name": "note"})
    assert answer.status_code == 200
    views = table_views(answer.text)
    firms = views["read-firms"]
    assert "data-sorted-here" in firms and firms.count('<button type="button" class="sort">') == 3
    href = re.search(r'href="(data:text/csv;base64,[^"]+)"', firms).group(1)
    exported = base64.b64decode(href.split(",", 1)[1]).decode("utf-8").lstrip("\ufeff")
    assert exported.splitlines()[0] == "Firm named,Registered name,Confidence"
    # The review queue is a view like any other: the growth figure read waits in it, its decision
    # buttons posting the session's token.
    assert f'value="{token}"' in views["queue"]


def test_the_verification_answers_tables_link_to_the_data_page(clients):
    client = clients["analyst"]
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/data").text).group(1)
    answer = client.post("/data/verify", data={"csrf_token": token})
    views = table_views(answer.text)
    assert 'href="/data?ledger.sort=' in views["ledger"]
    assert 'action="/data"' in answer.text.split('id="table-ledger"')[1]


def test_an_operator_sees_the_tables_of_their_carrier(clients):
    html = clients["operator"].get(f"/carriers?carrier={OWN_CARRIER}").text
    assert {"carriers", "tenants"} <= set(table_views(html))
