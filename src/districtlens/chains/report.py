"""Chain health and targets for an area of a store: reads through `districtlens.store.chains`,
then the pure functions of this package. The CLI and the dashboard both call these.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property

import polars as pl

from districtlens.chains.health import (
    DEFAULT_THRESHOLDS,
    StatusThresholds,
    area_sizes_of,
    areas_health,
    chain_health,
)
from districtlens.chains.placement import keyword_rules, keyword_texts, place
from districtlens.chains.targets import (
    DEFAULT_WEIGHTS,
    TargetWeights,
    activity_measures,
    opportunities,
    rank_targets,
)
from districtlens.chains.templates import ChainTemplate, shipped_templates
from districtlens.refdata import areas, cities, provinces
from districtlens.store import Store
from districtlens.store import chains as chain_store
from districtlens.store.chains import Area

AGAINST = ("city", "peers")


class ReportError(ValueError):
    """A request the store cannot answer (no peers, no firms), said plainly."""


@dataclass(frozen=True)
class Context:
    """What one area's analysis needs, read once: reuse it across tracks. Placements and the
    activity measures are computed on first use and kept, since every chain of a briefing or a
    dashboard asks for them again."""

    area: Area
    against: str
    reference_label: str
    year: int | None
    city: pl.DataFrame  # every operating firm of the city
    area_firms: pl.DataFrame
    reference_firms: pl.DataFrame
    _placed: dict[tuple[str, int], pl.DataFrame] = field(default_factory=dict, compare=False, repr=False)
    _texts: dict[str, pl.DataFrame] = field(default_factory=dict, compare=False, repr=False)
    # Two threads may place two chains at once (a briefing does); the shared text is found once.
    _texts_lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)

    def placements(self, template: ChainTemplate) -> pl.DataFrame:
        """`place` over the city's firms, once per template id and version. The keyword text of
        the city is found once for every shipped template (one pass over a million names and
        business scopes, not one per chain); a template with other keywords finds its own."""
        key = (template.id, template.version)
        if key not in self._placed:
            texts = None
            if shipped_templates().get(template.id) == template:
                with self._texts_lock:
                    if "shipped" not in self._texts:
                        self._texts["shipped"] = keyword_texts(
                            self.city, keyword_rules(list(shipped_templates().values())))
                    texts = self._texts["shipped"]
            self._placed[key] = place(self.city, template, texts=texts)
        return self._placed[key]

    @cached_property
    def district_sizes(self) -> dict[str, int]:
        """The number of the city's firms in each district, the same for every chain."""
        return area_sizes_of(self.city, "district_adcode")

    @cached_property
    def activity(self) -> pl.DataFrame:
        """`activity_measures` of the area against the city's districts."""
        return activity_measures(self.city, self.area_firms, self.area.kind == "district", self.area.code)


def load_context(store: Store, area_code: str, against: str = "city", year: int | None = None,
                 city: pl.DataFrame | None = None) -> Context:
    """Resolve the area and read the city's firms (pass `city` to reuse an earlier read)."""
    if against not in AGAINST:
        raise ReportError(f"--against must be one of {', '.join(AGAINST)}, got {against!r}")
    area = chain_store.resolve_area(store, area_code)
    if year is None and city is None:
        year = chain_store.latest_fact_year(store)
    if city is None:
        city = chain_store.city_firms(store, area.city_prefix, year)
    if city.is_empty():
        raise ReportError(f"the store holds no operating firm in city {area.city_prefix}")
    area_firms = city.filter(pl.col(area.column) == area.code)
    if against == "city":
        reference = city
        reference_label = _city_label(area.city_prefix)
    else:
        peers = chain_store.peer_districts(store, area.district_adcode)
        if not peers:
            raise ReportError(
                f"no peer set for district {area.district_adcode}: load its pack, or use"
                " --against city"
            )
        reference = city.filter(pl.col("district_adcode").is_in(peers))
        reference_label = f"its {len(peers)} peer districts"
    return Context(area, against, reference_label, year, city, area_firms, reference)


def health(context: Context, template: ChainTemplate, placements: pl.DataFrame | None = None,
           thresholds: StatusThresholds = DEFAULT_THRESHOLDS) -> pl.DataFrame:
    """`chain_health` of the context's area (placements over the city unless given)."""
    if placements is None:
        placements = context.placements(template)
    return chain_health(
        template, placements, context.area_firms, context.reference_firms,
        area_label=context.area.label, reference_label=context.reference_label,
        thresholds=thresholds,
    )


def targets(
    store: Store,
    context: Context,
    template: ChainTemplate,
    *,
    leads: pl.DataFrame | None = None,
    space: pl.DataFrame | None = None,
    top: int | None = 20,
    weights: TargetWeights = DEFAULT_WEIGHTS,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(health, ranked targets). Candidates are the city's firms outside the area's district
    (a zone or street does not poach from its own district), plus `leads` when given."""
    placements = context.placements(template)
    chain = health(context, template, placements)
    outside = context.city.filter(pl.col("district_adcode") != context.area.district_adcode)
    candidates = outside
    if leads is not None:
        # Firm rows point into two frames once the leads are added: they would mean nothing.
        placements = pl.concat([placements, place(leads, template)], how="vertical").drop("firm_row")
        candidates = pl.concat(
            [outside.select(LEAD_COLUMNS), leads.select(LEAD_COLUMNS)], how="vertical_relaxed"
        )
    activity = context.activity
    zones = chain_store.zones(store, context.area.district_adcode)
    if context.area.kind == "zone":
        zones = zones.filter(pl.col("zone_id") == context.area.code)
    ranked = rank_targets(
        template, chain, placements, candidates, context.area_firms, activity,
        area_label=context.area.label, zones=zones, space=space, weights=weights, top=top,
    )
    return chain, ranked


def area_opportunities(context: Context, template: ChainTemplate, top: int | None = 20) -> pl.DataFrame:
    return opportunities(context.activity, template, context.area.label, top=top)


def city_health(context: Context, template: ChainTemplate,
                thresholds: StatusThresholds = DEFAULT_THRESHOLDS) -> pl.DataFrame:
    """Chain health of every district of the context's city against the whole city, in one pass
    (`areas_health`): the map of which district holds which link. Columns: district_adcode, then
    those of `chain_health`."""
    districts = areas().filter(pl.col("cityCode") == context.area.city_prefix).sort("code")
    return areas_health(
        template, context.placements(template), context.city, context.city,
        area_column="district_adcode",
        areas={code: f"{name} ({code})" for code, name in districts.select("code", "name").iter_rows()},
        reference_label=_city_label(context.area.city_prefix), thresholds=thresholds,
        area_sizes=context.district_sizes,
    )


def city_health_by_track(context: Context, templates: list[ChainTemplate],
                         thresholds: StatusThresholds = DEFAULT_THRESHOLDS) -> dict[str, pl.DataFrame]:
    """`city_health` of each of `templates`, by template id in their order: the map of every
    track at once. Each track runs on its own thread (up to four per core): a track is a chain of
    small polars steps (which release the GIL) glued by Python, and with every track in flight the
    cores always have a step to run."""
    workers = max(1, min(len(templates), 4 * (os.cpu_count() or 1)))
    with ThreadPoolExecutor(workers) as pool:
        found = [pool.submit(city_health, context, template, thresholds) for template in templates]
        return {template.id: health.result() for template, health in zip(templates, found, strict=True)}


def _city_label(prefix: str) -> str:
    """The city's name; a municipality's districts sit under "市辖区", so name the province."""
    found = cities().filter(pl.col("code") == prefix)
    if found.is_empty():
        return f"city {prefix}"
    name = found["name"][0]
    if name == "市辖区":
        province = provinces().filter(pl.col("code") == prefix[:2])
        name = province["name"][0] if not province.is_empty() else name
    return f"{name} ({prefix})"


LEAD_COLUMNS = ("uscc", "name", "district_adcode", "street_code", "zone_id", "industry_code",
                "business_scope", "tags", "revenue", "revenue_prior", "employees")


def leads_frame(rows: pl.DataFrame) -> pl.DataFrame:
    """A validated lead list (ingest.validate rows, one per uscc and year) as candidate firms:
    the latest year's revenue and employees, the year before's revenue. Leads have no location
    in the city (district_adcode null): they are, by definition, elsewhere."""
    columns = set(rows.columns)

    def column(name: str, dtype: pl.DataType) -> pl.Expr:
        return pl.col(name).cast(dtype) if name in columns else pl.lit(None, dtype=dtype).alias(name)

    firms = rows.select(
        pl.col("uscc"), pl.col("name"), column("industry_code", pl.String),
        column("business_scope", pl.String), column("tags", pl.String),
        column("year", pl.Int32), column("revenue", pl.Float64), column("employees", pl.Float64),
    )
    latest = firms.sort("year", descending=True, nulls_last=True).unique("uscc", keep="first")
    prior = firms.select("uscc", (pl.col("year") + 1).alias("year"),
                         pl.col("revenue").alias("revenue_prior")).drop_nulls("year")
    return latest.join(prior, on=["uscc", "year"], how="left").select(
        "uscc", "name", pl.lit(None, dtype=pl.String).alias("district_adcode"),
        pl.lit(None, dtype=pl.String).alias("street_code"),
        pl.lit(None, dtype=pl.String).alias("zone_id"), "industry_code", "business_scope", "tags",
        "revenue", "revenue_prior", "employees",
    )
