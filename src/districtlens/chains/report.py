"""Chain health and targets for an area, from the frames a caller read: the city's firms, the
area's peers and functional zones. `build_context` gathers what an area's analysis needs once;
the other functions run this package's measures on it. Reading those frames from a store is the
command layer's (`districtlens.commands.chains.load_context`); the CLI, the dashboard, claims and
briefings all go through it.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import TYPE_CHECKING

import polars as pl

from districtlens.areas import division_name
from districtlens.chains.health import (
    DEFAULT_THRESHOLDS,
    StatusThresholds,
    area_sizes_of,
    areas_health,
    chain_health,
)
from districtlens.chains.placement import keyword_rules, keyword_texts, place
from districtlens.chains.pools import place_pool
from districtlens.chains.targets import (
    CANDIDATE_COLUMNS,
    DEFAULT_WEIGHTS,
    MODES,
    ActivityPanel,
    TargetWeights,
    activity_panel,
    adjacent_classes,
    opportunities,
    rank_targets,
)
from districtlens.chains.templates import ChainTemplate, shipped_templates
from districtlens.errors import InputError, NotFound
from districtlens.i18n import number, t
from districtlens.refdata import areas, cities, district_name, provinces

if TYPE_CHECKING:
    from districtlens.areas import Area

AGAINST = ("city", "peers")


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
    zones: pl.DataFrame | None  # the functional zones a target could land in (`rank_targets`)
    _placed: dict[tuple[str, int], pl.DataFrame] = field(default_factory=dict, compare=False, repr=False)
    _texts: dict[str, pl.DataFrame] = field(default_factory=dict, compare=False, repr=False)
    _begun: set[tuple[str, int]] = field(default_factory=set, compare=False, repr=False)  # shipped chains placed
    # Two threads may place two chains at once (a briefing does); the shared text is found once.
    _texts_lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)

    def placements(self, template: ChainTemplate) -> pl.DataFrame:
        """`place` over the city's firms, once per template id and version. The first chain
        placed finds only its own keywords in the city's texts (what a request for one track
        needs: half the pass over a million names and business scopes of finding every shipped
        template's); from a second shipped chain on, the keyword text of every shipped template is
        found at once and shared (a dashboard or briefing asks for them all). A template with other
        keywords finds its own."""
        key = (template.id, template.version)
        if key not in self._placed:
            texts = None
            if shipped_templates().get(template.id) == template:
                with self._texts_lock:
                    # Another chain placed, or being placed on another thread: share from now on.
                    if "shipped" not in self._texts and self._begun - {key}:
                        self._texts["shipped"] = keyword_texts(
                            self.city, keyword_rules(list(shipped_templates().values()))
                        )
                    self._begun.add(key)
                    texts = self._texts.get("shipped")
            self._placed[key] = place(self.city, template, texts=texts)
        return self._placed[key]

    @cached_property
    def district_sizes(self) -> dict[str, int]:
        """The number of the city's firms in each district, the same for every chain."""
        return area_sizes_of(self.city, "district_adcode")

    @cached_property
    def panel(self) -> ActivityPanel:
        """`activity_panel` of the area against the city's districts."""
        return activity_panel(self.city, self.area_firms, self.area.kind == "district", self.area.code)

    def reference_name(self, lang: str) -> str:
        """What the area is measured against, said in `lang`: its city, or its peer districts."""
        if self.against == "city":
            return _city_label(self.area.city_prefix, lang)
        peers = self.reference_firms["district_adcode"].n_unique()
        return t("chains.reference.peers", lang, count=number(peers, lang))

    @property
    def activity(self) -> pl.DataFrame:
        """`activity_measures` of the area against the city's districts."""
        return self.panel.table


def check_against(against: str) -> None:
    """Refuse a reference other than the city or the peers (before anything is read for it)."""
    if against not in AGAINST:
        raise InputError("value.not_one_of", name="against", value=against, choices=", ".join(AGAINST))


def build_context(
    area: Area,
    city: pl.DataFrame,
    *,
    year: int | None,
    against: str = "city",
    peers: list[str] | None = None,
    zones: pl.DataFrame | None = None,
) -> Context:
    """The context of `area` from `city` (every operating firm of its city, as
    `store.chains.city_firms` reads them for `year`). `peers`: the peer districts of the area's
    district (needed against peers); `zones`: its district's functional zones (a zone area lands
    targets in itself only)."""
    check_against(against)
    if city.is_empty():
        raise NotFound("chains.no_firms", city=area.city_prefix)
    area_firms = city.filter(pl.col(area.column) == area.code)
    if against == "city":
        reference = city
        reference_label = _city_label(area.city_prefix)
    else:
        if not peers:
            raise NotFound("chains.no_peers", district=area.district_adcode)
        reference = city.filter(pl.col("district_adcode").is_in(peers))
        reference_label = f"its {len(peers)} peer districts"
    if zones is not None and area.kind == "zone":
        zones = zones.filter(pl.col("zone_id") == area.code)
    return Context(area, against, reference_label, year, city, area_firms, reference, zones)


def health(
    context: Context,
    template: ChainTemplate,
    placements: pl.DataFrame | None = None,
    thresholds: StatusThresholds = DEFAULT_THRESHOLDS,
    lang: str = "en",
) -> pl.DataFrame:
    """`chain_health` of the context's area (placements over the city unless given), its whys
    in `lang`."""
    if placements is None:
        placements = context.placements(template)
    return chain_health(
        template,
        placements,
        context.area_firms,
        context.reference_firms,
        area_label=context.area.label_in(lang),
        reference_label=context.reference_name(lang),
        thresholds=thresholds,
        lang=lang,
    )


def _relevant_firms(context: Context, template: ChainTemplate, placements: pl.DataFrame) -> pl.DataFrame:
    """The city's firms that can be targets of `template`: placed in one of its links, or of a
    class adjacent to it (`adjacent_classes`, as `rank_targets` narrows its candidates), gathered
    by their rows in the city (a few percent of a million firms, not all of them), with the
    columns a candidate keeps (`_as_candidates`)."""
    city = context.city
    adjacent = adjacent_classes(context.panel, template)["industry_code"]
    rows = pl.concat(
        [
            placements["firm_row"].drop_nulls().cast(pl.UInt32),
            city.select(pl.col("industry_code").is_in(adjacent.implode())).to_series().arg_true().cast(pl.UInt32),
        ]
    )
    return city.select(REGISTRY_CANDIDATE_COLUMNS)[rows.unique().sort()]


# The candidate columns a registered firm brings itself; `_as_candidates` gives it the others.
GIVEN_CANDIDATE_COLUMNS = ("key", "source", "place", "rank")
REGISTRY_CANDIDATE_COLUMNS = tuple(c for c in CANDIDATE_COLUMNS if c not in GIVEN_CANDIDATE_COLUMNS)


def _as_candidates(firms: pl.DataFrame, source: str, where: pl.Expr) -> pl.DataFrame:
    """Firms with registry columns (the city's, a lead list) as target candidates
    (`targets.CANDIDATE_COLUMNS`), keyed by their credit code and placed by `where`."""
    given = {
        "key": pl.col("uscc"),
        "source": pl.lit(source),
        "place": where,
        "rank": pl.lit(None, dtype=pl.Int64),
    }
    return firms.select(given[c].alias(c) if c in given else pl.col(c) for c in CANDIDATE_COLUMNS)


def targets(
    context: Context,
    template: ChainTemplate,
    *,
    leads: pl.DataFrame | None = None,
    pools: pl.DataFrame | None = None,
    space: pl.DataFrame | None = None,
    modes: tuple[str, ...] = MODES,
    top: int | None = 20,
    weights: TargetWeights = DEFAULT_WEIGHTS,
    lang: str = "en",
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(health, ranked targets). Candidates are the city's firms outside the area's district
    (a zone or street does not poach from its own district), `leads` (`leads_frame`) and `pools`
    (`chains.pools.pool_candidates`); a pool firm linked by entity resolution to a firm of the
    area, or placed in the area's district, is left out."""
    placements = context.placements(template)
    chain = health(context, template, placements, lang=lang)
    district = context.area.district_adcode
    outside = _relevant_firms(context, template, placements).filter(pl.col("district_adcode") != district)
    labels = {code: _district_label(code, lang) for code in outside["district_adcode"].unique().drop_nulls()}
    candidates = [
        _as_candidates(
            outside, "registry", pl.col("district_adcode").replace_strict(labels, default=pl.col("district_adcode"))
        )
    ]
    placed = [placements.select(pl.col("uscc").alias("key"), "link_id")]
    area_codes = context.area_firms["uscc"]
    excluded = [area_codes]
    if leads is not None:
        candidates.append(_as_candidates(leads, "leads", pl.lit(None, dtype=pl.String)))
        placed.append(place(leads, template).select(pl.col("uscc").alias("key"), "link_id"))
        # A lead may carry another credit code for a firm already in the area: its name gives it away.
        excluded.append(leads.filter(pl.col("name").is_in(context.area_firms["name"].implode()))["uscc"])
    if pools is not None and not pools.is_empty():
        candidates.append(pools.select(CANDIDATE_COLUMNS))
        placed.append(place_pool(pools, template).select("key", "link_id"))
        inside = pools.filter(pl.col("linked_uscc").is_in(area_codes.implode()) | (pl.col("district_code") == district))
        excluded.append(inside["key"])
    exclude = pl.concat([keys.cast(pl.String) for keys in excluded])
    ranked = rank_targets(
        template,
        chain,
        pl.concat(placed),
        pl.concat(candidates, how="vertical_relaxed"),
        context.panel,
        area_label=context.area.label_in(lang),
        exclude=exclude,
        zones=context.zones,
        space=space,
        weights=weights,
        modes=modes,
        top=top,
        lang=lang,
    )
    return chain, ranked


def area_opportunities(
    context: Context,
    template: ChainTemplate,
    top: int | None = 20,
    probability: pl.DataFrame | None = None,
    lang: str = "en",
) -> pl.DataFrame:
    """`opportunities` of the context's area, their whys in `lang`."""
    return opportunities(
        context.activity, template, context.area.label_in(lang), top=top, probability=probability, lang=lang
    )


def city_health(
    context: Context, template: ChainTemplate, thresholds: StatusThresholds = DEFAULT_THRESHOLDS
) -> pl.DataFrame:
    """Chain health of every district of the context's city against the whole city, in one pass
    (`areas_health`): the map of which district holds which link. Columns: district_adcode, then
    those of `chain_health`."""
    districts = areas().filter(pl.col("cityCode") == context.area.city_prefix).sort("code")
    return areas_health(
        template,
        context.placements(template),
        context.city,
        context.city,
        area_column="district_adcode",
        areas={code: f"{name} ({code})" for code, name in districts.select("code", "name").iter_rows()},
        reference_label=_city_label(context.area.city_prefix),
        thresholds=thresholds,
        area_sizes=context.district_sizes,
    )


def city_health_by_track(
    context: Context, templates: list[ChainTemplate], thresholds: StatusThresholds = DEFAULT_THRESHOLDS
) -> dict[str, pl.DataFrame]:
    """`city_health` of each of `templates`, by template id in their order: the map of every
    track at once. Each track runs on its own thread (up to four per core): a track is a chain of
    small polars steps (which release the GIL) glued by Python, and with every track in flight the
    cores always have a step to run."""
    workers = max(1, min(len(templates), 4 * (os.cpu_count() or 1)))
    with ThreadPoolExecutor(workers) as pool:
        found = [pool.submit(city_health, context, template, thresholds) for template in templates]
        return {template.id: health.result() for template, health in zip(templates, found, strict=True)}


@cache
def _district_label(code: str, lang: str) -> str:
    """A district's name in `lang` and its adcode, as a target says where it is."""
    return f"{division_name(district_name(code) or code, lang)} ({code})"


def _city_label(prefix: str, lang: str = "zh") -> str:
    """The city's name in `lang`; a municipality's districts sit under "市辖区", so name the province."""
    found = cities().filter(pl.col("code") == prefix)
    if found.is_empty():
        return t("chains.reference.city_code", lang, code=prefix)
    name = found["name"][0]
    if name == "市辖区":
        province = provinces().filter(pl.col("code") == prefix[:2])
        name = province["name"][0] if not province.is_empty() else name
    return f"{division_name(name, lang)} ({prefix})"


LEAD_COLUMNS = (
    "uscc",
    "name",
    "district_adcode",
    "street_code",
    "zone_id",
    "industry_code",
    "business_scope",
    "tags",
    "revenue",
    "revenue_prior",
    "employees",
)


def leads_frame(rows: pl.DataFrame) -> pl.DataFrame:
    """A validated lead list (ingest.validate rows, one per uscc and year) as candidate firms:
    the latest year's revenue and employees, the year before's revenue. Leads have no location
    in the city (district_adcode null): they are, by definition, elsewhere."""
    columns = set(rows.columns)

    def column(name: str, dtype: pl.DataType | type[pl.DataType]) -> pl.Expr:
        return pl.col(name).cast(dtype) if name in columns else pl.lit(None, dtype=dtype).alias(name)

    firms = rows.select(
        pl.col("uscc"),
        pl.col("name"),
        column("industry_code", pl.String),
        column("business_scope", pl.String),
        column("tags", pl.String),
        column("year", pl.Int32),
        column("revenue", pl.Float64),
        column("employees", pl.Float64),
    )
    latest = firms.sort("year", descending=True, nulls_last=True).unique("uscc", keep="first")
    prior = firms.select(
        "uscc", (pl.col("year") + 1).alias("year"), pl.col("revenue").alias("revenue_prior")
    ).drop_nulls("year")
    return latest.join(prior, on=["uscc", "year"], how="left").select(
        "uscc",
        "name",
        pl.lit(None, dtype=pl.String).alias("district_adcode"),
        pl.lit(None, dtype=pl.String).alias("street_code"),
        pl.lit(None, dtype=pl.String).alias("zone_id"),
        "industry_code",
        "business_scope",
        "tags",
        "revenue",
        "revenue_prior",
        "employees",
    )
