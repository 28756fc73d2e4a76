"""The leads page shows each role what it may see (an operator the leads meant for their
carriers, a viewer none) and exports it; the scenario page computes before and after and
writes nothing."""

from __future__ import annotations

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
