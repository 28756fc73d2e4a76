"""A saved what-if scenario cited in a briefing, labelled hypothetical.

A scenario is saved as a ledger entry holding its definition (`scenario.save`): the firms it
brings in (registry targets, hypothetical firms). Cited in a briefing, it gives figures like any
other, each with its parameters in the manifest: the scenario's id, name, chain, area, its whole
definition, and which measure (the chain's links by status, one link's firms, location quotient
and status, the area's economic complexity, diversity and the chain's relatedness density), each
before and after. `brief verify` computes them again from the definition the store holds: a
figure edited, the data changed, or the saved definition no longer the one the briefing cited
(a scenario missing from the store) makes the figure differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from districtlens.briefing import i18n
from districtlens.claims.session import Computed, Reason, Session, provenance
from districtlens.errors import NotFound, UsageError
from districtlens.store import ledger
from districtlens.store import scenarios as stored

if TYPE_CHECKING:
    from districtlens.commands.scenarios import ScenarioResult

KIND = "scenario"
MEASURES = ("health", "link", "complexity", "diversity", "density")
AREA_MEASURES = ("complexity", "diversity", "density")
ARROW = " → "
DIGITS = 4  # decimals kept of a quotient, a density or a complexity: what a recomputation compares


def saved(session: Session, scenario_id: str, area: str) -> dict[str, Any]:
    """The saved scenario `scenario_id`, which must lie in the district of the briefing's `area`."""
    found = stored.saved_scenario(session.store, scenario_id)
    if found is None:
        raise NotFound("brief.scenario_not_found", scenario=scenario_id)
    if session.district_of(found["area"]) != session.district_of(area):
        raise UsageError("brief.scenario_other_district", scenario=scenario_id, area=area)
    return found


def queries(session: Session, scenario: dict[str, Any]) -> list[tuple[str, dict[str, Any], dict[str, str]]]:
    """(figure id, parameters, label by language) of each figure a cited scenario gives."""
    template = session.templates[scenario["track_id"]]
    base = {
        "kind": KIND,
        "scenario": scenario["scenario_id"],
        "name": scenario["name"],
        "track": scenario["track_id"],
        "area": scenario["area"],
        "definition": scenario["definition"],
    }
    prefix = f"scenario.{scenario['scenario_id']}"
    chain = {lang: template.name.get(lang) or template.name["en"] for lang in i18n.LANGUAGES}
    found = [(f"{prefix}.health", {**base, "measure": "health"}, chain)]
    for link in template.links:
        names = {lang: link.name.get(lang) or link.name["en"] for lang in i18n.LANGUAGES}
        found.append((f"{prefix}.link.{link.id}", {**base, "measure": "link", "link": link.id}, names))
    for measure in AREA_MEASURES:
        label = {lang: i18n.t(f"scenario_{measure}", lang) for lang in i18n.LANGUAGES}
        found.append((f"{prefix}.{measure}", {**base, "measure": measure}, label))
    return found


@dataclass
class Cited:
    """The scenarios a briefing cites, each computed once from the definition the store holds."""

    session: Session
    results: dict[str, ScenarioResult] = field(default_factory=dict)

    def compute(self, query: dict[str, Any]) -> Computed:
        scenario_id = query["scenario"]
        evidence = provenance(
            self.session,
            ["scenario", "enterprise_current", "fact_current", f"chain-template:{query['track']}"],
            scenario=scenario_id,
        )
        found = stored.saved_scenario(self.session.store, scenario_id)
        if found is None:
            return Computed(None, evidence, Reason("brief.scenario_not_found", {"scenario": scenario_id}))
        if ledger.canonical(found["definition"]) != ledger.canonical(query["definition"]):
            return Computed(None, evidence, Reason("brief.scenario_redefined", {"scenario": scenario_id}))
        evidence["sources"] = [i18n.t("scenario_source", "en", scenario=scenario_id, seq=found["ledger_seq"])]
        return Computed(value(self._result(scenario_id, found["definition"]), query), evidence)

    def _result(self, scenario_id: str, definition: dict[str, Any]) -> ScenarioResult:
        from districtlens.commands.chains import load_context
        from districtlens.commands.scenarios import ScenarioArgs, outcome

        if scenario_id not in self.results:
            args = ScenarioArgs.model_validate(definition)
            if args.against == "city" and args.year is None:  # the briefing's own read of the city
                with self.session.chain_lock:
                    context = self.session.chain_context(args.area)
            else:
                context = load_context(self.session.store, args.area, args.against, args.year)
            self.results[scenario_id] = outcome(context, args)
        return self.results[scenario_id]


def _rounded(x: float | None) -> float | None:
    return None if x is None else round(x, DIGITS)


def value(result: ScenarioResult, query: dict[str, Any]) -> Any:
    """The figure `query` asks of a computed scenario, as JSON holds it."""
    measure = query["measure"]
    if measure == "health":
        from districtlens.chains.health import STATUSES

        return {
            side: {s: sum(getattr(link, f"status_{side}") == s for link in result.links) for s in STATUSES}
            for side in ("before", "after")
        }
    if measure == "link":
        link = next((item for item in result.links if item.link_id == query["link"]), None)
        if link is None:
            return None
        return {
            "enterprises": [link.enterprises_before, link.enterprises_after],
            "lq": [_rounded(link.lq_before), _rounded(link.lq_after)],
            "status": [link.status_before, link.status_after],
        }
    before, after = result.before, result.after
    if measure == "complexity":
        return [_rounded(before.eci), _rounded(after.eci)]
    if measure == "diversity":
        return [before.diversity, after.diversity]
    return [_rounded(before.chain_density), _rounded(after.chain_density)]


def _number(x: float | int | None, lang: str) -> str:
    if x is None:
        return i18n.t("none", lang)
    return i18n.number(x, lang) if isinstance(x, int) else i18n.decimal(round(x, 2), lang)


def _status(status: str, lang: str) -> str:
    return i18n.t("chain_" + status, lang)


def display(query: dict[str, Any], found: Any, lang: str) -> str:
    """A scenario figure as the briefing prints it: before → after."""
    measure = query["measure"]
    if measure == "health":
        return ARROW.join(
            " · ".join(f"{_status(s, lang)} {i18n.number(n, lang)}" for s, n in found[side].items() if n)
            for side in ("before", "after")
        )
    if measure == "link":
        return i18n.t(
            "scenario_link",
            lang,
            firms=ARROW.join(_number(n, lang) for n in found["enterprises"]),
            lq=ARROW.join(_number(x, lang) for x in found["lq"]),
            status=ARROW.join(_status(s, lang) for s in found["status"]),
        )
    return ARROW.join(_number(x, lang) for x in found)


def definition(query: dict[str, Any], lang: str, chain: str, area: str) -> str:
    """A scenario figure's definition in words: hypothetical, and recomputed from the saved definition."""
    return i18n.t(
        f"def_scenario_{query['measure']}",
        lang,
        name=query["name"],
        scenario=query["scenario"],
        chain=chain,
        area=area,
    )


def summary(scenario_definition: dict[str, Any], lang: str) -> str:
    """What the scenario brings in, in words: registry firms and hypothetical firms by class."""
    firms = scenario_definition.get("firms") or []
    return i18n.t(
        "scenario_adds",
        lang,
        targets=i18n.number(len(scenario_definition.get("targets") or []), lang),
        firms=i18n.number(len(firms), lang),
        classes=", ".join(sorted({f["industry_code"] for f in firms})) or i18n.t("none", lang),
    )
