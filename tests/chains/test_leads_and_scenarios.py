"""A lead's life from target to landed (ledger entries, who sees it) and what-if scenarios
(before and after, written nowhere unless saved)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from districtlens.chains.templates import shipped_templates
from districtlens.commands import leads, scenarios
from districtlens.commands.base import Context
from districtlens.commands.chains import FindTargets, targets
from districtlens.errors import InputError, NotFound
from districtlens.store import ledger
from tests.chains.builders import JINGAN
from tests.chains.test_targets import city_store  # noqa: F401  (the fixture)

LIFE = ("contacted", "visited", "negotiating", "signed", "landed")


def _entries(store) -> int:
    return ledger.last_seq(store.con)


def test_a_lead_lives_from_target_to_landed_in_the_ledger(city_store, tmp_path):  # noqa: F811
    ctx = Context(store=city_store, actor="analyst-wang")
    target = targets(ctx, FindTargets(track="biopharma", area=JINGAN, top=5)).targets[0]
    start = _entries(city_store)
    saved = leads.save(
        ctx,
        leads.SaveLead(
            track="biopharma",
            area=JINGAN,
            target_key=target.key,
            name=target.name,
            place=target.place,
            mode=target.mode,
            owner="wang",
            carrier="shibei-park",
            next_step="first call",
            on=date(2026, 1, 5),
        ),
    ).lead
    assert (saved.status, saved.version, saved.mode) == ("new", 1, target.mode)
    assert _entries(city_store) == start + 1
    for day, status in enumerate(LIFE, start=6):
        moved = leads.update(ctx, leads.UpdateLead(lead=saved.lead_id, status=status, on=date(2026, 1, day))).lead
        assert moved.status == status
    assert moved.version == 1 + len(LIFE) and moved.owner == "wang" and moved.next_step == "first call"
    assert _entries(city_store) == start + 1 + len(LIFE)  # every change is one ledger entry
    actions = [e.action for e in ledger.entries(city_store.con, limit=1 + len(LIFE))]
    assert actions == ["leads.update"] * len(LIFE) + ["leads.save"]
    assert ledger.entries(city_store.con, limit=1)[0].payload["status"] == "landed"
    assert ledger.verify(city_store.con).intact

    # Who sees it: the Commission all, an operator only leads meant for their carriers, a viewer none.
    def seen(role: str, carriers: list[str]) -> list[str]:
        found = leads.list_leads(ctx, leads.ListLeads(role=role, carriers=carriers))
        return [lead.lead_id for lead in found.leads]

    assert seen("analyst", []) == [saved.lead_id]
    assert seen("operator", ["shibei-park"]) == [saved.lead_id]
    assert seen("operator", ["another-park"]) == []
    assert seen("viewer", ["shibei-park"]) == []

    found = leads.list_leads(ctx, leads.ListLeads(out=tmp_path / "leads.csv"))
    funnel = {(c.track_id, c.status): c.leads for c in found.funnel}
    assert funnel[("biopharma", "landed")] == 1 and funnel[("biopharma", "new")] == 0
    assert len(found.funnel) == len(leads.STATUSES)
    exported = pl.read_csv(tmp_path / "leads.csv")
    assert exported["status"].to_list() == ["landed"]


def test_lead_changes_are_checked(city_store):  # noqa: F811
    ctx = Context(store=city_store, actor="tests")
    with pytest.raises(NotFound):
        leads.update(ctx, leads.UpdateLead(lead="lead-99999", status="contacted"))
    saved = leads.save(
        ctx, leads.SaveLead(track="biopharma", area=JINGAN, target_key="k", name="n", owner="o", on=date(2026, 2, 1))
    ).lead
    head = ledger.head(city_store.con)
    with pytest.raises(InputError) as caught:
        leads.update(ctx, leads.UpdateLead(lead=saved.lead_id, status="won"))
    assert caught.value.key == "leads.bad_status"
    with pytest.raises(InputError) as caught:
        leads.update(ctx, leads.UpdateLead(lead=saved.lead_id, status="contacted", on=date(2026, 1, 1)))
    assert caught.value.key == "leads.before_last_change"
    assert ledger.head(city_store.con) == head  # a refused change writes nothing


def _weak_link_with_classes(ctx: Context, area: str) -> tuple[str, str]:
    found = scenarios.compute(
        ctx, scenarios.ScenarioArgs(track="biopharma", area=area, firms=[scenarios.Firm(industry_code="5212")])
    )
    template = shipped_templates()["biopharma"]
    for link in found.links:
        classes = template.link(link.link_id).classes
        if link.status_before in ("missing", "weak") and classes:
            return link.link_id, classes[0]
    raise AssertionError("the fixture has no weak link placed by class")


def test_a_scenario_filling_a_weak_link_lifts_it_and_writes_nothing(city_store):  # noqa: F811
    ctx = Context(store=city_store, actor="tests")
    area = "daning"
    link_id, code = _weak_link_with_classes(ctx, area)
    head = ledger.head(city_store.con)
    firms = [scenarios.Firm(industry_code=code, revenue=5000, employees=80, zone=area) for _ in range(12)]
    found = scenarios.compute(ctx, scenarios.ScenarioArgs(track="biopharma", area=area, firms=firms))
    link = next(item for item in found.links if item.link_id == link_id)
    assert link.enterprises_after == link.enterprises_before + 12
    assert link.lq_after is not None and (link.lq_before is None or link.lq_after > link.lq_before)
    order = ("missing", "weak", "present", "strong")
    assert order.index(link.status_after) > order.index(link.status_before)
    untouched = [
        item
        for item in found.links
        if item.link_id != link_id and not set(shipped_templates()["biopharma"].link(item.link_id).classes) & {code}
    ]
    assert all(item.enterprises_after == item.enterprises_before for item in untouched)
    assert found.added == 12
    assert ledger.head(city_store.con) == head  # computing writes nothing

    saved = scenarios.save(
        ctx, scenarios.SaveScenario(track="biopharma", area=area, firms=firms, name="twelve API makers")
    )
    assert ledger.head(city_store.con) != head
    entry = ledger.entries(city_store.con, limit=1)[0]
    assert entry.action == "scenario.save" and len(entry.payload["definition"]["firms"]) == 12
    listed = scenarios.list_scenarios(ctx, scenarios.ListScenarios()).scenarios
    assert [s.scenario_id for s in listed] == [saved.scenario_id]


def test_a_scenario_can_bring_in_registry_targets(city_store):  # noqa: F811
    ctx = Context(store=city_store, actor="tests")
    chosen = [t for t in targets(ctx, FindTargets(track="biopharma", area=JINGAN, mode="fill", top=3)).targets]
    found = scenarios.compute(
        ctx, scenarios.ScenarioArgs(track="biopharma", area=JINGAN, targets=[t.key for t in chosen] + ["nope"])
    )
    assert found.added == len(chosen) and found.unknown_targets == ["nope"]
    gained = {link for t in chosen for link in t.links}
    for link in found.links:
        if link.link_id in gained:
            assert link.enterprises_after > link.enterprises_before
    assert found.before.diversity >= 0 and found.after.chain_density is not None


def test_a_hypothetical_firm_is_read_one_way_for_the_cli_and_the_page():
    from districtlens.commands.scenarios import Firm
    from districtlens.errors import UsageError

    firm = Firm.from_spec(" 2710:5000:80:daning ")
    assert (firm.industry_code, firm.revenue, firm.employees, firm.zone) == ("2710", 5000.0, 80.0, "daning")
    assert Firm.from_spec("2710").revenue is None
    for spec, key in (
        ("2710:x", "scenario.firm_numbers"),
        ("1:2:3:4:5", "scenario.firm_form"),
        ("27x0", "scenario.firm_form"),
    ):
        with pytest.raises(UsageError) as refused:
            Firm.from_spec(spec)
        assert refused.value.key == key
