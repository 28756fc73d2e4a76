"""What-if: the area's chain health, location quotients, density and complexity before and after
some firms land in it. Pure: it changes copies of the frames a context holds, never a store.

A scenario adds firms to the area: targets of the city's registry (their rows move to the area's
district, and zone when given: they leave the district they were in) and hypothetical firms (a
GB/T class, revenue, employees, zone). Both are placed in the chain by the template's rules like
any firm, so a firm lands in the links its class and words put it in.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from districtlens.chains import report
from districtlens.chains.placement import place
from districtlens.chains.targets import ActivityPanel
from districtlens.chains.templates import ChainTemplate

HYPOTHETICAL_PREFIX = "scenario-"


@dataclass(frozen=True)
class Hypothetical:
    """A firm that does not exist yet: its class, revenue (万元), employees and zone."""

    industry_code: str
    revenue: float | None = None
    employees: float | None = None
    zone_id: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class Side:
    """The area on one side of a scenario: its chain health and activity measures."""

    health: pl.DataFrame
    panel: ActivityPanel

    def chain_density(self, template: ChainTemplate) -> float | None:
        """The mean relatedness density of the chain's classes in the area."""
        values = self.panel.table.filter(pl.col("industry_code").is_in(list(template.classes)))["density"]
        values = values.fill_nan(None).drop_nulls()
        return float(values.mean()) if values.len() else None  # type: ignore[arg-type]

    @property
    def diversity(self) -> int:
        """The classes the area holds with RCA >= 1."""
        return int(self.panel.table["mcp"].sum())


def added_firms(context: report.Context, targets: list[str], firms: list[Hypothetical]) -> pl.DataFrame:
    """The rows the scenario adds to the area: registry targets (by uscc; moved into the area) and
    hypothetical firms (uscc `scenario-N`), with the city's columns."""
    area = context.area
    moved = context.city.filter(pl.col("uscc").is_in(targets)).with_columns(
        pl.lit(area.district_adcode).alias("district_adcode"),
        pl.lit(area.code if area.kind == "street" else None, dtype=pl.String).alias("street_code"),
        pl.lit(area.code if area.kind == "zone" else None, dtype=pl.String).alias("zone_id"),
    )
    made = pl.DataFrame(
        [
            {
                "uscc": f"{HYPOTHETICAL_PREFIX}{i}",
                "name": firm.name or f"{HYPOTHETICAL_PREFIX}{i}",
                "district_adcode": area.district_adcode,
                "street_code": area.code if area.kind == "street" else None,
                "zone_id": firm.zone_id or (area.code if area.kind == "zone" else None),
                "industry_code": firm.industry_code,
                "business_scope": None,
                "tags": None,
                "revenue": firm.revenue,
                "revenue_prior": None,
                "employees": firm.employees,
            }
            for i, firm in enumerate(firms, 1)
        ],
        schema=context.city.select(moved.columns).schema,
    )
    return pl.concat([moved, made], how="vertical_relaxed")


def before_and_after(context: report.Context, template: ChainTemplate, added: pl.DataFrame) -> tuple[Side, Side]:
    """The area before and after `added` (from `added_firms`) land in it."""
    before = Side(report.health(context, template), context.panel)
    city = pl.concat(
        [context.city.filter(~pl.col("uscc").is_in(added["uscc"].implode())), added], how="vertical_relaxed"
    )
    after_context = report.build_context(
        context.area,
        city,
        year=context.year,
        against=context.against,
        peers=_peers(context),
        zones=context.zones,
    )
    # The firms already placed keep their links; only the added ones are placed again.
    placements = pl.concat(
        [
            context.placements(template).drop("firm_row").filter(~pl.col("uscc").is_in(added["uscc"].implode())),
            place(added, template).drop("firm_row"),
        ]
    )
    after = Side(report.health(after_context, template, placements), after_context.panel)
    return before, after


def _peers(context: report.Context) -> list[str] | None:
    if context.against != "peers":
        return None
    return sorted(set(context.reference_firms["district_adcode"].to_list()))
