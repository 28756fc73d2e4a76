"""What-if scenarios: `scenario.compute` shows the area's chain health, location quotients,
density and complexity before and after chosen targets or hypothetical firms land in it, and
writes nothing; `scenario.save` records a scenario's definition as a ledger entry;
`scenario.list` lists the saved ones."""

from __future__ import annotations

from pydantic import BaseModel, Field, ValidationError

from districtlens.chains import report
from districtlens.chains.scenario import Hypothetical, Side, added_firms, before_and_after
from districtlens.chains.templates import ChainTemplate, get_template
from districtlens.commands.base import Args, Context, command
from districtlens.commands.chains import load_context
from districtlens.errors import InputError, UsageError
from districtlens.refdata import gbt_class_codes
from districtlens.store import scenarios as stored


class Firm(BaseModel):
    """A hypothetical firm: GB/T 4754-2017 class, revenue (万元), employees, zone."""

    industry_code: str = Field(pattern=r"^\d{4}$")
    revenue: float | None = Field(default=None, ge=0)
    employees: float | None = Field(default=None, ge=0)
    zone: str | None = None
    name: str | None = None

    @classmethod
    def from_spec(cls, spec: str) -> Firm:
        """A firm written CLASS[:REVENUE[:EMPLOYEES[:ZONE]]] (3581:5000:120:daning), as the CLI's
        --firm and the scenario page take it; refused, naming the spec, when it is not one."""
        parts = spec.strip().split(":")
        if len(parts) > 4:
            raise UsageError("scenario.firm_form", spec=spec)
        parts += [""] * (4 - len(parts))
        try:
            revenue = float(parts[1]) if parts[1] else None
            employees = float(parts[2]) if parts[2] else None
        except ValueError:
            raise UsageError("scenario.firm_numbers", spec=spec) from None
        try:
            return cls(industry_code=parts[0], revenue=revenue, employees=employees, zone=parts[3] or None)
        except ValidationError:
            raise UsageError("scenario.firm_form", spec=spec) from None


class ScenarioArgs(Args):
    """`targets`: uscc of registry firms to bring in; `firms`: hypothetical firms."""

    track: str
    area: str
    targets: list[str] = Field(default_factory=list)
    firms: list[Firm] = Field(default_factory=list)
    against: str = "city"
    year: int | None = None


class LinkChange(BaseModel):
    link_id: str
    name: dict[str, str]
    enterprises_before: int
    enterprises_after: int
    lq_before: float | None
    lq_after: float | None
    status_before: str
    status_after: str


class AreaFigures(BaseModel):
    eci: float | None
    diversity: int
    chain_density: float | None


class ScenarioResult(BaseModel):
    track: str
    area: str
    area_label: str
    added: int
    unknown_targets: list[str]
    links: list[LinkChange]
    before: AreaFigures
    after: AreaFigures


@command("scenario.compute", writes=False)
def compute(ctx: Context, args: ScenarioArgs) -> ScenarioResult:
    """The area before and after the scenario's firms land in it (nothing is written)."""
    get_template(args.track)
    if not args.targets and not args.firms:
        raise UsageError("scenario.empty")
    known = gbt_class_codes()
    for firm in args.firms:
        if firm.industry_code not in known:
            raise InputError("scenario.unknown_class", code=firm.industry_code)
    return outcome(load_context(ctx.store, args.area, args.against, args.year), args)


def outcome(context: report.Context, args: ScenarioArgs) -> ScenarioResult:
    """The scenario `args` on the area of `context` (read with the scenario's `against` and
    `year`): what `scenario.compute` answers, and what a briefing citing a saved scenario shows."""
    chain = get_template(args.track)
    firms = [Hypothetical(f.industry_code, f.revenue, f.employees, f.zone, f.name) for f in args.firms]
    added = added_firms(context, args.targets, firms)
    found = set(added["uscc"].to_list())
    before, after = before_and_after(context, chain, added)
    links = [
        LinkChange(
            link_id=b["link_id"],
            name={"zh": b["name_zh"], "en": b["name_en"], "fr": b["name_fr"]},
            enterprises_before=b["enterprises"],
            enterprises_after=a["enterprises"],
            lq_before=b["lq"],
            lq_after=a["lq"],
            status_before=b["status"],
            status_after=a["status"],
        )
        for b, a in zip(before.health.to_dicts(), after.health.to_dicts(), strict=True)
    ]
    return ScenarioResult(
        track=chain.id,
        area=context.area.code,
        area_label=context.area.label,
        added=added.height,
        unknown_targets=[t for t in args.targets if t not in found],
        links=links,
        before=_figures(before, chain),
        after=_figures(after, chain),
    )


def _figures(side: Side, chain: ChainTemplate) -> AreaFigures:
    return AreaFigures(eci=side.panel.eci, diversity=side.diversity, chain_density=side.chain_density(chain))


class SaveScenario(ScenarioArgs):
    name: str = Field(min_length=1)


class ScenarioSaved(BaseModel):
    scenario_id: str
    ledger_seq: int


@command("scenario.save", writes=True)
def save(ctx: Context, args: SaveScenario) -> ScenarioSaved:
    """Record the scenario's definition (its targets and hypothetical firms) as a ledger entry."""
    get_template(args.track)
    if not args.targets and not args.firms:
        raise UsageError("scenario.empty")
    definition = args.model_dump(mode="json", exclude={"name"})
    scenario_id, entry = stored.save_scenario(ctx.store, args.name, args.area, args.track, definition, actor=ctx.actor)
    return ScenarioSaved(scenario_id=scenario_id, ledger_seq=entry.seq)


class ListScenarios(Args):
    pass


class SavedScenario(BaseModel):
    scenario_id: str
    name: str
    area: str
    track_id: str | None
    definition: dict
    ledger_seq: int


class ScenarioList(BaseModel):
    scenarios: list[SavedScenario]


@command("scenario.list", writes=False)
def list_scenarios(ctx: Context, args: ListScenarios) -> ScenarioList:
    """The saved scenarios."""
    return ScenarioList(scenarios=[SavedScenario(**row) for row in stored.saved_scenarios(ctx.store)])
