"""The capability pages (programmes, pipeline, space, briefings, the enterprise profile), in three
languages and for each role; the tables' shared view (sort, filter, page, export); errors in the
user's language; the money rule; the language chosen at sign-in kept."""

from __future__ import annotations

import csv
import html
import io
import json
import re

import pytest
from fastapi.testclient import TestClient

from districtlens.i18n import t
from districtlens.web.i18n import Formatter
from tests.web.conftest import OTHER_CARRIER, OWN_CARRIER, PASSWORD

PAGES = ("/programmes", "/pipeline", "/space", "/briefings")
# A heading of each page in each language: the page is rendered in the language asked.
HEADINGS = {
    "/programmes": {"zh": "计划与指标", "en": "Programmes", "fr": "Programmes"},
    "/pipeline": {"zh": "创新孵化管线", "en": "Innovation pipeline", "fr": "Filière d’innovation"},
    "/space": {"zh": "载体空间", "en": "Space of the carriers", "fr": "Surfaces des structures"},
    "/briefings": {"zh": "生成简报", "en": "Write a briefing", "fr": "Rédiger une note"},
}
HTML_LANG = {"zh": "zh-CN", "en": "en", "fr": "fr"}


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def chart(html: str, chart_id: str) -> dict:
    return json.loads(re.search(rf'id="{chart_id}-data">(.*?)</script>', html, re.S).group(1))


def csrf(client: TestClient, path: str = "/briefings") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


@pytest.mark.parametrize("lang", ["zh", "en", "fr"])
@pytest.mark.parametrize("path", PAGES)
def test_each_page_in_each_language(clients, path, lang):
    response = clients["admin"].get(f"{path}?lang={lang}")
    assert response.status_code == 200, response.text[:300]
    assert f'<html lang="{HTML_LANG[lang]}">' in response.text
    assert HEADINGS[path][lang] in response.text
    nav = re.search(r"<nav>(.*?)</nav>", response.text, re.S).group(1)
    assert f'href="{path}"' in nav, "the page is in the navigation"


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("anonymous", set()),
        ("viewer", {"/programmes", "/pipeline", "/space"}),
        ("operator", {"/programmes", "/pipeline", "/space"}),
        ("analyst", set(PAGES)),
    ],
)
def test_roles_reach_the_pages_they_may(clients, role, allowed):
    for path in PAGES:
        response = clients[role].get(path, follow_redirects=False)
        if role == "anonymous":
            assert response.status_code == 303 and response.headers["location"].startswith("/login")
        else:
            assert response.status_code == (200 if path in allowed else 403), (role, path)


def test_programmes_show_each_kpi_with_status_and_trend(clients):
    html = clients["analyst"].get("/programmes?lang=en&kpis.size=500").text
    rows = re.findall(r"<tr class=\"kpi-([a-z-]+)\">", html)
    assert rows, "every KPI is a row"
    assert set(rows) <= {"on-track", "at-risk", "off-track", "no-data"}
    counts = re.search(r'data-testid="kpi-counts">(.*?)</div>\s*\n', html, re.S).group(1)
    shown = [int(n.replace(",", "")) for n in re.findall(r'class="figure">([\d,]+)<', counts)]
    assert sum(shown) == len(rows), "the counts add up to the KPIs listed"
    specs = [json.loads(b) for b in re.findall(r'id="kpi-\d+-data">(.*?)</script>', html, re.S)]
    assert specs and all(s["unit"] and s["target"] is not None for s in specs), "each chart: unit and target"


def test_the_pipeline_hides_single_carriers_from_viewers(clients):
    viewer = clients["viewer"].get("/pipeline?lang=en").text
    analyst = clients["analyst"].get("/pipeline?lang=en").text
    assert 'data-testid="cohorts"' not in viewer and 'data-testid="cohorts"' in analyst
    funnel = re.findall(r'data-testid="funnel-(\w+)"', analyst)
    assert funnel and funnel == re.findall(r'data-testid="funnel-(\w+)"', viewer), "the same district funnel"


def test_an_operator_sees_the_space_of_their_own_carriers_only(clients):
    operator = clients["operator"]
    own = operator.get(f"/space?carrier={OWN_CARRIER}&lang=en")
    assert own.status_code == 200 and 'data-testid="ending"' in own.text
    refused = operator.get(f"/space?carrier={OTHER_CARRIER}&lang=zh")
    assert refused.status_code == 403
    assert t("web.forbidden.carrier", "zh") in refused.text, "the refusal in the user's language"
    options = re.findall(r'<option value="([^"]+)"', re.search(r'name="carrier">(.*?)</select>', own.text).group(1))
    assert options == [OWN_CARRIER]
    viewer = clients["viewer"].get("/space?lang=en").text
    assert 'name="carrier"' not in viewer and 'name="zone"' in viewer, "viewers choose among zones"
    assert 'data-testid="ending"' not in viewer, "no lease of a tenant for viewers"


def test_space_figures_add_up(clients):
    html = clients["analyst"].get(f"/space?carrier={OWN_CARRIER}&lang=en").text
    numbers = [int(n.replace(",", "")) for n in re.findall(r'class="figure"[^>]*>([\d,]+) m²', html)]
    capacity, occupied, free = numbers[:3]
    assert capacity == occupied + free
    assert chart(html, "occupancy")["unit"] == "%" and chart(html, "uses")["unit"] == "m²", "axes name units"


def test_an_unknown_carrier_or_zone_is_named(clients):
    response = clients["analyst"].get("/space?carrier=nowhere&lang=fr")
    assert response.status_code == 404 and "« nowhere »" in response.text and OWN_CARRIER in response.text


# ---- tables -----------------------------------------------------------------------------------


def carrier_names(html: str) -> list[str]:
    body = re.search(r'data-testid="carriers">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return [text(cell).strip() for cell in re.findall(r"<tr[^>]*><td>(.*?)</td>", body, re.S)]


def test_tables_sort_filter_and_page_by_the_url(clients):
    client = clients["analyst"]
    ascending = carrier_names(client.get("/carriers?lang=en&carriers.sort=name&carriers.size=100").text)
    descending = carrier_names(client.get("/carriers?lang=en&carriers.sort=-name&carriers.size=100").text)
    assert ascending == sorted(ascending, key=str.casefold) and descending == ascending[::-1]
    page = client.get("/carriers?lang=en&carriers.size=10&carriers.page=2").text
    assert len(carrier_names(page)) == 10 and "page 2 /" in text(page)
    assert "carriers.page=3" in page and "carriers.page=1" in page, "the pager keeps the view in its links"
    filtered = client.get("/carriers?lang=en&carriers.q=incubator&carriers.size=100").text
    names = carrier_names(filtered)
    assert names and all("incubator" in n.casefold() for n in names) and len(names) < len(ascending)


def test_exports_have_translated_headers_and_the_view(clients):
    client = clients["analyst"]
    data = client.get("/carriers?lang=fr&carriers.q=incubat&export=carriers&format=csv")
    assert data.status_code == 200 and data.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(data.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Structure" and rows[0][3].endswith("(m²)")
    assert not {"name", "kind", "zone_id", "capacity", "carrier_id"} & set(rows[0]), "no raw column name"
    assert "Surfaces" not in rows[0], "a column of links is no data"
    assert 1 < len(rows) < 40 and all("incubat" in r[0].casefold() for r in rows[1:])
    xlsx = client.get(f"/carriers?carrier={OWN_CARRIER}&export=tenants&format=xlsx&lang=zh")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    tenants = client.get(f"/carriers?carrier={OWN_CARRIER}&export=tenants&format=csv&lang=zh")
    header = tenants.content.decode("utf-8-sig").splitlines()[0]
    assert "万元" in header and "uscc" not in header


def test_an_operator_exports_nothing_they_may_not_see(clients):
    response = clients["operator"].get(f"/carriers?carrier={OTHER_CARRIER}&export=tenants&format=csv")
    assert response.status_code == 403


# ---- errors, language, money ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "said"), [("zh", "没有名为“nope”的产业链"), ("en", "No chain named 'nope'"), ("fr", "« nope »")]
)
def test_an_unknown_chain_is_named_with_the_chains(clients, lang, said):
    response = clients["viewer"].get(f"/chains?track=nope&lang={lang}")
    assert response.status_code == 404
    assert said in text(response.text).replace("&#39;", "'") and "biopharma" in response.text


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("zh", "参数 enterprises.page 应不大于 10,000"),
        ("en", "enterprises.page must be at most 10,000"),
        ("fr", "au plus"),
    ],
)
def test_invalid_parameters_are_explained_in_the_language(clients, lang, said):
    response = clients["analyst"].get(f"/enterprises?enterprises.page=100000&lang={lang}")
    assert response.status_code == 422 and said in text(response.text)
    assert "Input should be" not in response.text


def test_the_language_chosen_at_sign_in_is_kept(web_app):
    client = TestClient(web_app)
    form = client.get("/login?lang=fr").text
    action = re.search(r'<form method="post" action="(/login[^"]*)"', form).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    wrong = client.post(
        action,
        data={"username": "viewer", "password": "not it at all", "csrf_token": token, "next": "/"},
        headers={"accept-language": "zh-CN"},
    )
    assert wrong.status_code == 401 and '<html lang="fr">' in wrong.text, "a refusal in the page's language"
    web_app.state.limiter = type(web_app.state.limiter)()  # the failure counts against the other tests' sign-ins
    response = client.post(
        action,
        data={"username": "viewer", "password": PASSWORD, "csrf_token": token, "next": "/"},
        headers={"accept-language": "zh-CN"},
    )
    assert response.status_code == 200 and '<html lang="fr">' in response.text
    assert '<html lang="fr">' in client.get("/programmes", headers={"accept-language": "zh-CN"}).text


def test_money_follows_one_rule_per_language():
    zh, en, fr = Formatter("zh"), Formatter("en"), Formatter("fr")
    assert zh.money(1234) == "1,234 万元" and zh.money(56_789) == "5.68 亿元"
    assert en.money(1234) == "CNY 12.3 m" and en.money(123_456_789) == "CNY 1,234.6 bn"
    assert fr.money(1234) == "12,3\u202fM\u202fCNY" and fr.money(123_456_789) == "1\u202f234,6\u202fMd\u202fCNY"
    assert [f.money_unit for f in (zh, en, fr)] == ["万元", "CNY m", "M\u202fCNY"]
    assert en.in_money_unit(1234) == pytest.approx(12.34) and zh.in_money_unit(1234) == 1234
    assert fr.number(1234567) == "1\u202f234\u202f567"


def test_the_map_outlines_the_district_and_names_its_units(clients):
    html = clients["viewer"].get("/map?measure=revenue&lang=en").text
    spec = chart(html, "district-map")
    assert [v["adcode"] for v in spec["values"] if v["home"]] == ["310106"]
    assert spec["legend"] == "revenue (CNY m)"
    legend = text(re.search(r'data-testid="map-legend">(.*?)</p>', html, re.S).group(1))
    assert "revenue (CNY m)" in legend and "placed" in legend


def test_the_enterprise_profile_shows_tracks_links_and_leases(clients, web_store):
    own = web_store["own_tenants"][0]
    html = clients["operator"].get(f"/enterprises/{own}?lang=en").text
    leases = re.search(r'data-testid="tenancies">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    carriers = re.findall(r'href="/space\?carrier=([^"]+)"', leases)
    assert carriers and set(carriers) == {OWN_CARRIER}, "an operator sees the leases at their carriers only"
    assert 'data-testid="tracks"' in html and 'data-testid="chain-links"' in html
    analyst = clients["analyst"].get(f"/enterprises/{own}?lang=en").text
    assert len(re.findall(r'href="/space\?carrier=', analyst)) >= len(carriers)


# ---- briefings --------------------------------------------------------------------------------


def test_a_briefing_is_rendered_unsigned_without_a_key(clients, monkeypatch):
    monkeypatch.delenv("DISTRICTLENS_SIGNING_KEY", raising=False)
    client = clients["analyst"]
    page = client.get("/briefings?lang=en").text
    assert "rendered unsigned" in page
    token = csrf(client)
    response = client.post("/briefings", data={"csrf_token": token, "area": "310106", "lang": "fr", "format": "html"})
    assert response.status_code == 200 and response.headers["x-signed"] == "no"
    assert "unsigned.html" in response.headers["content-disposition"]
    verdict = client.post(
        "/briefings/verify?lang=en", data={"csrf_token": token}, files={"file": ("b.html", response.content)}
    )
    assert verdict.status_code == 422 and "upload the Commission" in verdict.text


def test_a_briefing_is_signed_with_the_server_key_and_verified(clients, monkeypatch, tmp_path):
    from districtlens.briefing import signing

    private, _ = signing.generate(tmp_path / "key.pem")
    monkeypatch.setenv("DISTRICTLENS_SIGNING_KEY", str(private))
    client = clients["analyst"]
    token = csrf(client)
    response = client.post("/briefings", data={"csrf_token": token, "area": "310106", "lang": "zh", "format": "html"})
    assert response.status_code == 200 and response.headers["x-signed"] == "yes"
    head = response.headers["x-ledger-head"]
    held = client.post(
        "/briefings/verify?lang=en", data={"csrf_token": token}, files={"file": ("b.html", response.content)}
    )
    assert held.status_code == 200 and 'data-testid="verdict"' in held.text and "The briefing holds" in held.text
    assert head in held.text
    altered = response.content.replace("静安".encode(), "黄浦".encode(), 1)
    broken = client.post("/briefings/verify?lang=en", data={"csrf_token": token}, files={"file": ("b.html", altered)})
    assert "The briefing does not hold." in broken.text


def test_briefings_need_the_form_token(clients):
    response = clients["analyst"].post("/briefings", data={"area": "310106", "lang": "zh", "format": "html"})
    assert response.status_code == 403


def test_the_enterprise_search_pages_by_the_chosen_size_and_exports(clients):
    client = clients["analyst"]
    first = client.get("/enterprises?q=科技&enterprises.size=10&lang=en").text
    second = client.get("/enterprises?q=科技&enterprises.size=10&enterprises.page=2&lang=en").text
    codes = [re.findall(r'href="/enterprises/(\w+)"', page) for page in (first, second)]
    assert len(codes[0]) == len(codes[1]) == 10 and not set(codes[0]) & set(codes[1])
    total = int(re.search(r'data-testid="result-count">([\d,]+)', first).group(1).replace(",", ""))
    exported = client.get("/enterprises?q=科技&export=enterprises&format=csv&lang=en")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0] == ["Name", "English name", "Code", "Address", "Industry"]
    assert len(rows) - 1 == min(total, 10_000) and codes[0][0] in {r[2] for r in rows[1:]}


def test_the_enterprise_search_sorts_by_a_column(clients):
    client = clients["analyst"]
    found = client.get("/enterprises?q=科技&lang=en").text
    assert "enterprises.sort=uscc" in found, "the headers are sort links"
    total = int(re.search(r'data-testid="result-count">([\d,]+)', found).group(1).replace(",", ""))
    codes = []
    for page in (1, 2):
        html = client.get(f"/enterprises?q=科技&enterprises.sort=-uscc&enterprises.size=10&enterprises.page={page}")
        codes += re.findall(r'href="/enterprises/(\w+)"', html.text)
    assert len(codes) == 20 and codes == sorted(codes, reverse=True)
    every = client.get("/enterprises?q=科技&enterprises.sort=-uscc&export=enterprises&format=csv&lang=en")
    exported = [r[2] for r in list(csv.reader(io.StringIO(every.content.decode("utf-8-sig"))))[1:]]
    assert exported[:20] == codes and len(exported) == min(total, 10_000)


def test_targets_export_translated_headers_never_raw_names(clients):
    client = clients["analyst"]
    assert client.get("/targets?track=nope&lang=en").status_code == 404
    exported = client.get("/targets?track=biopharma&export=targets&format=csv&lang=fr")
    header = exported.content.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[0] == "Rang" and not {"rank", "uscc", "industry_code", "links", "zone_id"} & set(header)
    page = client.get("/targets?track=biopharma&targets.sort=-score&lang=en").text
    scores = [float(s) for s in re.findall(r'<td class="num">(\d\.\d\d)</td>', page)]
    assert scores == sorted(scores, reverse=True) and scores


def test_targets_excel_from_the_api_is_headed_and_reasoned_in_the_language(clients):
    from openpyxl import load_workbook

    from districtlens.i18n import t

    client = clients["analyst"]
    exported = client.get("/api/targets/biopharma/export.xlsx?lang=zh")
    assert exported.status_code == 200
    rows = list(load_workbook(io.BytesIO(exported.content)).worksheets[0].iter_rows(values_only=True))
    header = list(rows[0])
    assert header[0] == t("export.column.rank", "zh")
    assert not {"rank", "uscc", "industry_code", "links", "zone_id", "why"} & set(header)
    whys = [row[header.index(t("export.column.why", "zh"))] for row in rows[1:]]
    assert whys and not any(re.search(r"[A-Za-z]{2,} [A-Za-z]{2,} [A-Za-z]{2,}", why) for why in whys), whys[:2]


def test_chain_links_and_their_firms_use_the_shared_table(clients):
    client = clients["analyst"]
    page = client.get("/chains?track=biopharma&lang=en&links.sort=-enterprises").text
    body = re.search(r'data-testid="links">.*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    counts = [int(n.replace(",", "")) for n in re.findall(r'<td class="num">([\d,]+)</td><td class="num">', body)]
    assert counts == sorted(counts, reverse=True)
    link = re.search(r'href="/chains\?track=biopharma&amp;link=([\w-]+)#firms"', page).group(1)
    firms = client.get(f"/chains?track=biopharma&link={link}&lang=zh&export=firms&format=csv")
    header = firms.content.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("名称") and "uscc" not in header


def test_claims_show_the_statement_in_the_language_and_export(clients):
    client = clients["viewer"]
    page = client.get("/claims?lang=en&claims.size=500").text
    cells = re.findall(r'<tr class="verdict-[\w-]+"><td lang="(\w+)">', page)
    assert cells and set(cells) <= {"en", "zh"}, "each statement says its language (its font follows)"
    exported = client.get("/claims?lang=fr&export=claims&format=csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Déclaration" and len(rows) - 1 == len(cells)


def test_registered_names_are_marked_chinese_on_other_pages(clients):
    page = clients["analyst"].get("/enterprises?q=科技&lang=en").text
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S).group(1)
    assert body.count('<td lang="zh">') == body.count("<tr>") > 0


@pytest.mark.parametrize(
    ("lang", "area", "against"),
    [("en", "Jing'an District (310106)", "Shanghai"), ("fr", "district de Jing’an (310106)", "Shanghai")],
)
def test_the_chain_page_names_the_district_in_the_language(clients, lang, area, against):
    html = clients["analyst"].get(f"/chains?track=biopharma&lang={lang}").text
    lead = re.search(r'<p class="lead">(.*?)</p>', html, re.S).group(1).replace("&#39;", "'")
    assert area in lead and against in lead and "静安区" not in lead
    # The links' public reasons (what restricted roles read) name it alike.
    viewer = clients["viewer"].get(f"/chains?track=biopharma&lang={lang}").text.replace("&#39;", "'")
    assert "静安区" not in text(viewer)


def test_a_link_s_firms_and_a_firm_s_page_say_why_the_firm_is_in_the_link(clients):
    """Each firm of a link says the rule that placed it there (its class, a keyword, by hand), in
    the reader's language, on the link's table and on the firm's own page."""
    from districtlens.chains.placement import said_rule

    client = clients["analyst"]
    page = client.get("/chains?track=biopharma&lang=en").text
    link = re.search(r'href="/chains\?track=biopharma&amp;link=([\w-]+)#firms"', page).group(1)
    firms = client.get(f"/api/chains/biopharma/links/{link}/firms").json()["firms"]
    assert firms and all(f["rule"] in {"class", "keyword", "manual"} for f in firms)
    exported = client.get(f"/chains?track=biopharma&link={link}&lang=fr&export=firms&format=csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    column = rows[0].index("Placé par")
    by_name = {row[0]: row[column] for row in rows[1:]}
    for firm in firms:
        said = said_rule(firm["rule"], firm["rule_value"], "fr")
        assert by_name[firm["name"]] == said
    first = firms[0]
    profile = html.unescape(client.get(f"/enterprises/{first['uscc']}?lang=zh").text)
    chain_links = re.search(r'data-testid="chain-links">(.*?)</dd>', profile, re.S).group(1)
    assert f"({said_rule(first['rule'], first['rule_value'], 'zh')})" in chain_links
