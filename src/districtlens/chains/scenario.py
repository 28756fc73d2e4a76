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
# Where a firm is: what a scenario changes of a registry firm it moves into the area.
PLACE_COLUMNS = ("district_adcode", "street_code", "zone_id")


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
    # A registry firm the scenario moves keeps its row, changed where it is, and its links (its
    # class and words are the same); the new firms come after the city's rows and are placed. The
    # placements' rows then still point into the city, so the health gathers the firms' figures by
    # row instead of joining a million credit codes.
    city = context.city
    rows = city["uscc"].is_in(added["uscc"].implode()).arg_true()
    moved = city.select("uscc").gather(rows).join(added, on="uscc", how="left", maintain_order="left")
    new = added.join(moved.select("uscc"), on="uscc", how="anti")
    city = city.with_columns(city[column].clone().scatter(rows, moved[column]) for column in PLACE_COLUMNS)
    city = pl.concat([city, new.select(city.columns)], how="vertical_relaxed")
    placed_new = place(new, template).with_columns(pl.col("firm_row") + context.city.height)
    after_context = report.build_context(
        context.area,
        city,
        year=context.year,
        against=context.against,
        peers=_peers(context),
        zones=context.zones,
    )
    placements = pl.concat([context.placements(template), placed_new])
    after = Side(report.health(after_context, template, placements), after_context.panel)
    return before, after


def _peers(context: report.Context) -> list[str] | None:
    if context.against != "peers":
        return None
    return sorted(set(context.reference_firms["district_adcode"].to_list()))
