"""The leads page shows each role what it may see (an operator the leads meant for their
carriers, a viewer none) and exports it; the scenario page computes before and after and
writes nothing."""

from __future__ import annotations

import html
import re
import shutil
from datetime import date

import pytest
from fastapi.testclient import TestClient

from districtlens.chains.templates import shipped_templates
from districtlens.commands import leads
from districtlens.commands.base import Context
from districtlens.commands.chains import FindTargets, targets
from districtlens.commands.pools import ImportPool, import_pool
from districtlens.store import ledger, open_store
from districtlens.store import scenarios as stored_scenarios
from districtlens.web.app import create_app
from tests.web.conftest import OTHER_CARRIER, OWN_CARRIER, USERS, login


@pytest.fixture(scope="module")
def served(web_store, tmp_path_factory):
    db = tmp_path_factory.mktemp("leads-web") / "leads.duckdb"
    shutil.copyfile(web_store["serve_copy"], db)
    with open_store(db) as store:
        ctx = Context(store=store, actor="test")
        import_pool(ctx, ImportPool(shipped=True, link=False))
        for carrier, name in ((OWN_CARRIER, "甲生物科技有限公司"), (OTHER_CARRIER, "乙医疗器械有限公司")):
            saved = leads.save(
                ctx,
                leads.SaveLead(
                    track="biopharma",
                    area="310106",
                    target_key=name,
                    name=name,
                    owner="wang",
                    carrier=carrier,
                    on=date(2026, 1, 5),
                ),
            ).lead
            leads.update(ctx, leads.UpdateLead(lead=saved.lead_id, status="contacted", on=date(2026, 1, 9)))
    app = create_app(db)
    clients = {}
    for user in USERS:
        client = TestClient(app)
        assert login(client, user).status_code == 303
        clients[USERS[user]] = client
    yield {"db": db, "clients": clients, "server": app.state.server}
    app.state.server.close()


def test_each_role_sees_the_leads_it_may(served):
    pages = {role: client.get("/leads") for role, client in served["clients"].items()}
    assert all(page.status_code == 200 for page in pages.values())
    for role in ("admin", "analyst"):
        assert "甲生物科技有限公司" in pages[role].text and "乙医疗器械有限公司" in pages[role].text
    assert "甲生物科技有限公司" in pages["operator"].text and "乙医疗器械有限公司" not in pages["operator"].text
    assert "甲生物科技有限公司" not in pages["viewer"].text and "乙医疗器械有限公司" not in pages["viewer"].text
    exported = served["clients"]["operator"].get("/leads?lang=en&export=leads&format=csv")
    assert exported.status_code == 200 and "甲生物科技有限公司" in exported.text
    assert exported.text.lstrip("\ufeff").startswith("Lead,Chain,Name,"), "headers in the reader's language"
    assert "乙医疗器械有限公司" not in exported.text


def test_the_scenario_page_computes_and_writes_nothing(served):
    client = served["clients"]["analyst"]
    with served["server"].reader() as store:
        head = ledger.head(store.con)
    page = client.get("/scenario", params={"track": "biopharma", "firm": ["2710:5000:80", "2710:3000:40"]})
    assert page.status_code == 200
    assert 'data-testid="scenario"' in page.text
    assert served["clients"]["viewer"].get("/scenario").status_code == 403
    assert client.get("/scenario", params={"firm": "27x0"}).status_code in (400, 422)
    with served["server"].reader() as store:
        assert ledger.head(store.con) == head


def test_the_targets_page_scores_the_stores_free_space(served):
    # The whys are in the language asked for (the dashboard's default is Chinese).
    rows = served["clients"]["analyst"].get("/api/targets/biopharma?lang=en").json()["targets"]
    assert rows, "the demo district has biopharma targets"
    assert all(row["parts"]["space"] is not None for row in rows)
    assert all("space free in" in row["why"] or "no free space" in row["why"] for row in rows)
    assert {row["mode"] for row in rows} <= {"fill", "strengthen", "extend"}


def test_every_track_gives_the_demo_district_explained_targets_in_every_mode(served):
    """On the demo store with the shipped pools: at least 10 targets outside the district for
    every track, each explained and scored on the store's free space; all three modes appear."""
    modes, sources = set(), set()
    with served["server"].reader() as store:
        ctx = Context(store=store, actor="test")
        for track in shipped_templates():
            found = targets(ctx, FindTargets(track=track, area="310106", top=20))
            outside = [t for t in found.targets if t.district_adcode != "310106"]
            assert len(outside) >= 10, track
            for target in found.targets:
                assert target.why.startswith(f"[{target.mode}]") and target.place
                assert target.parts["space"] is not None, track
            modes |= {t.mode for t in found.targets}
            sources |= {t.source for t in found.targets}
    assert modes == {"fill", "strengthen", "extend"}
    assert {"cn-listed-sample", "fortune-global-500-2017"} & sources


def token_of(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def head_of(served) -> str:
    with served["server"].reader() as store:
        return ledger.head(store.con)


def offered_target(client) -> tuple[str, str]:
    """The first target the targets page offers to save as a lead: (key, name)."""
    form = re.search(r'data-testid="save-lead">(.*?)</form>', client.get("/targets?track=biopharma").text, re.S)
    key, name = re.search(r'<option value="([^"]+)" class="firm-name">([^<·]+)', form.group(1)).groups()
    return html.unescape(key), html.unescape(name).strip()


def test_a_target_is_saved_as_a_lead_from_the_targets_page(served):
    client = served["clients"]["analyst"]
    key, name = offered_target(client)
    before = head_of(served)
    saved = client.post(
        "/targets/lead",
        data={
            "csrf_token": token_of(client, "/targets"),
            "track": "biopharma",
            "target": key,
            "owner": "li",
            "carrier": OWN_CARRIER,
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"].startswith("/leads?")
    assert head_of(served) != before, "saving is a ledger entry"
    with served["server"].reader() as store:
        found = leads.list_leads(Context(store=store, actor="test"), leads.ListLeads(track="biopharma")).leads
    lead = next(lead for lead in found if lead.target_key == key)
    assert (lead.name, lead.owner, lead.carrier_id, lead.status) == (name, "li", OWN_CARRIER, "new")
    # The operator of that carrier sees the lead, named, on the leads page.
    assert name in served["clients"]["operator"].get("/leads").text


def french(key: str) -> str:
    """A message's French text, placeholders left in."""
    from districtlens.i18n import gettext

    return gettext("fr")(key)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"target": "91310000FORGED0000"}, "web.target_not_offered"),
        ({"carrier": "no-such-carrier"}, "web.choice_not_offered"),
        ({"zone": "no-such-zone"}, "web.choice_not_offered"),
        ({"track": "nope"}, "web.unknown_chain"),
        ({"owner": "  "}, "web.owner_missing"),
    ],
)
def test_a_forged_lead_is_refused_in_the_language_and_writes_nothing(served, change, message):
    client = served["clients"]["analyst"]
    key, _ = offered_target(client)
    form = {"csrf_token": token_of(client, "/targets"), "track": "biopharma", "target": key, "owner": "li"}
    before = head_of(served)
    refused = client.post("/targets/lead?lang=fr", data=form | change, follow_redirects=False)
    assert refused.status_code in (404, 422)
    said = max(re.split(r"\{\w+\}", french(message)), key=len)  # its longest literal part
    assert said in html.unescape(refused.text), "the refusal is said in French"
    assert head_of(served) == before


def test_saving_a_lead_is_refused_to_viewers_operators_and_forms_without_the_token(served):
    key, _ = offered_target(served["clients"]["analyst"])
    before = head_of(served)
    for role in ("viewer", "operator"):
        client = served["clients"][role]
        form = {"csrf_token": token_of(client, "/leads"), "track": "biopharma", "target": key, "owner": role}
        refused = client.post("/targets/lead", data=form | {"carrier": OWN_CARRIER}, follow_redirects=False)
        assert refused.status_code == 403, role
    forged = {"csrf_token": "forged", "track": "biopharma", "target": key, "owner": "li"}
    assert served["clients"]["analyst"].post("/targets/lead", data=forged).status_code == 403
    assert head_of(served) == before


def test_a_scenario_is_computed_without_writing_and_saved_as_one_entry(served):
    client = served["clients"]["analyst"]
    params = {"track": "biopharma", "firm": ["2710:5000:80"]}
    before = head_of(served)
    page = client.get("/scenario", params=params)
    assert 'data-testid="save-scenario"' in page.text and head_of(served) == before
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    saved = client.post(
        "/scenario/save",
        data={"csrf_token": token, "track": "biopharma", "firm": "2710:5000:80", "name": "两家药厂"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    after = head_of(served)
    assert after != before
    shown = client.get(saved.headers["location"]).text
    assert "两家药厂" in shown and 'data-testid="saved"' in shown
    with served["server"].reader() as store:
        scenarios = stored_scenarios.saved_scenarios(store)
    assert scenarios[-1]["name"] == "两家药厂" and scenarios[-1]["definition"]["firms"][0]["industry_code"] == "2710"
    # A target the page did not offer, a missing name: refused in the language, nothing written.
    for change in ({"target": "91310000FORGED0000"}, {"name": ""}):
        form = {"csrf_token": token, "track": "biopharma", "firm": "2710:5000:80", "name": "x"} | change
        refused = client.post("/scenario/save?lang=en", data=form, follow_redirects=False)
        assert refused.status_code == 422 and "nothing was saved" in refused.text
    assert head_of(served) == after
    # Viewers and operators may not save one.
    for role in ("viewer", "operator"):
        other = served["clients"][role]
        form = {"csrf_token": token_of(other, "/leads"), "track": "biopharma", "firm": "2710", "name": "x"}
        assert other.post("/scenario/save", data=form, follow_redirects=False).status_code == 403
    assert head_of(served) == after


def test_a_briefing_cites_a_saved_scenario_the_page_offers(served, monkeypatch):
    monkeypatch.delenv("DISTRICTLENS_SIGNING_KEY", raising=False)
    client = served["clients"]["analyst"]
    token = token_of(client, "/scenario")
    form = {"csrf_token": token, "track": "biopharma", "firm": "2710:8000:90", "name": "一家新药厂"}
    assert client.post("/scenario/save", data=form, follow_redirects=False).status_code == 303
    with served["server"].reader() as store:
        saved = stored_scenarios.saved_scenarios(store)
    scenario_id = next(s["scenario_id"] for s in saved if s["name"] == "一家新药厂")
    page = client.get("/briefings?lang=en").text
    offered = re.search(r'data-testid="cite-scenarios">(.*?)</fieldset>', page, re.S).group(1)
    assert f'value="{scenario_id}"' in offered and "一家新药厂" in offered
    brief = {"csrf_token": token, "area": "310106", "lang": "en", "format": "html"}
    cited = client.post("/briefings", data=brief | {"scenario": scenario_id})
    assert cited.status_code == 200 and f"scenario.{scenario_id}." in cited.text
    assert f"scenario.{scenario_id}." not in client.post("/briefings", data=brief).text
    refused = client.post("/briefings?lang=en", data=brief | {"scenario": "scenario-9999"})
    assert refused.status_code == 422 and "not one of the choices offered" in refused.text


def test_a_firm_s_name_is_marked_chinese_only_when_it_is():
    from districtlens.web.labels import name_lang

    assert name_lang("阿斯利康投资（中国）有限公司") == "zh"
    assert name_lang("AstraZeneca") is None and name_lang(None) is None
