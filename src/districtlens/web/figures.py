"""The figures the pages and the API show, computed from store reads with the project's own
measures (metrics/, chains/). Each function returns JSON-ready dicts; `disclosure_pattern` and
`withhold` apply disclosure control for roles that see aggregates only (docs/disclosure.md).

Formulas (also shown on the pages, beside each figure):
- growth = revenue_t / revenue_(t-1) − 1, over the enterprises that reported in each year;
- location quotient (LQ, Florence 1939) against the city, in enterprises:
  LQ = (n_district,class / n_district) / (n_city,class / n_city);
- complexity: the product complexity index (PCI, Hidalgo & Hausmann 2009) of the activity across
  the city's districts, from the presence matrix M = [RCA ≥ 1] of enterprise counts, standardised
  as py-ecomplexity does (metrics.complexity);
- rank: position among the pack's peer districts (1 = largest), and among all of the city's.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import polars as pl

from districtlens import claims as claim_checks
from districtlens import disclosure, metrics, refdata
from districtlens.briefing import figures as briefing_figures
from districtlens.chains import report
from districtlens.chains.graph import chain_graph, graph_json
from districtlens.chains.health import DEFAULT_THRESHOLDS, judge
from districtlens.chains.templates import ChainTemplate, shipped_templates
from districtlens.claims.session import Session
from districtlens.commands.chains import load_context
from districtlens.store import Store, web_users
from districtlens.store import disclosure as disclosure_queries
from districtlens.store import overview as overview_queries
from districtlens.store import web_queries as queries

FORMULAS = {
    "enterprises": "count of the operating enterprises located in the district (trend and ranks: those that "
    "reported facts for the year)",
    "revenue": "Σ revenue (万元) of the district's operating enterprises for the year",
    "tax": "Σ tax (万元) of the district's operating enterprises for the year",
    "employees": "Σ employees of the district's operating enterprises for the year",
    "rd_spend": "Σ R&D spending (万元) of the district's operating enterprises for the year",
    "growth": "revenue_t / revenue_(t-1) − 1",
    "lq": "(n_district,activity / n_district) / (n_city,activity / n_city), n = enterprises",
    "pci": "PCI of the activity over the city's districts, M = [RCA ≥ 1] on enterprise counts (Hidalgo & "
    "Hausmann 2009), standardised as py-ecomplexity",
    "rank": "position by value among the peer districts (1 = largest)",
}


def district_names() -> dict[str, str]:
    return dict(refdata.shanghai_districts().select("adcode", "name").iter_rows())


def home_pack(store: Store) -> dict | None:
    """The first district pack of the store: the district the dashboard is about."""
    packs = queries.district_packs(store)
    return packs[0] if packs else None


def _peers(pack: dict) -> list[str]:
    merged: list[str] = []
    for group in pack["peers"].values():
        merged.extend(str(code) for code in group)
    return list(dict.fromkeys(merged)) or [pack["adcode"]]


def _rank(values: dict[str, float | None], code: str, among: list[str]) -> int | None:
    pool = [(values.get(c) or 0.0, c) for c in among if c in values]
    if code not in values or values[code] is None:
        return None
    ordered = sorted(pool, key=lambda pair: (-pair[0], pair[1]))
    return 1 + [c for _, c in ordered].index(code)


def overview(store: Store) -> dict:
    """Headline figures of the pack's district: each measure by year (trend), its latest value,
    growth and rank among the peer districts and the whole city; plus each track's revenue."""
    pack = home_pack(store)
    if pack is None:
        return {"pack": None, "indicators": [], "tracks": [], "peers": [], "year": None}
    adcode, city = pack["adcode"], pack["adcode"][:4]
    years = overview_queries.district_years(store, city)
    reported = years.filter(pl.col("revenue").is_not_null())
    year: int | None = reported.select(pl.max("year")).item() if not reported.is_empty() else None
    peers = _peers(pack)
    all_codes = sorted(years["adcode"].unique().to_list())
    names = district_names()
    # The district's own figures are the briefing's (one definition, briefing.figures.headline).
    shared = briefing_figures.headline(Session(store), adcode, year, pack["names"])
    indicators = []
    for measure in queries.MEASURES:
        mine = years.filter(pl.col("adcode") == adcode).sort("year")
        trend = [{"year": y, "value": v} for y, v in mine.select("year", measure).iter_rows()]
        latest = years.filter(pl.col("year") == year) if year is not None else years.clear()
        values = dict(latest.select("adcode", measure).iter_rows())
        prior = dict(years.filter(pl.col("year") == (year or 0) - 1).select("adcode", measure).iter_rows())
        before = prior.get(adcode)
        value = shared[measure]["value"] if measure in shared else values.get(adcode)
        indicators.append(
            {
                "id": measure,
                "year": year,
                "value": value,
                "growth": (value / before - 1) if value is not None and before else None,
                "rank_peers": _rank(values, adcode, peers),
                "peers": len([p for p in peers if p in values]),
                "rank_city": _rank(values, adcode, all_codes),
                "districts": len(values),
                "trend": trend,
                "formula": FORMULAS[measure],
                "definition": shared[measure]["definition"] if measure in shared else None,
            }
        )
    latest = years.filter(pl.col("year") == year) if year is not None else years.clear()
    peer_rows = [
        {"adcode": a, "name": names.get(a, a), "revenue": r, "enterprises": n, "home": a == adcode}
        for a, r, n in latest.filter(pl.col("adcode").is_in(peers))
        .sort("revenue", descending=True)
        .select("adcode", "revenue", "enterprises")
        .iter_rows()
    ]
    return {
        "pack": pack,
        "year": year,
        "indicators": indicators,
        "peers": peer_rows,
        "tracks": track_figures(store, pack, year) if year is not None else [],
    }


def _in_track(classes: list[str]) -> pl.Expr:
    four = [c for c in classes if len(c) == 4]
    two = [c for c in classes if len(c) == 2]
    return pl.col("industry_code").is_in(four) | pl.col("industry_code").str.slice(0, 2).is_in(two)


def track_figures(store: Store, pack: dict, year: int) -> list[dict]:
    """Per track of the pack, in its district: enterprises, revenue, employees, growth, LQ, and
    the district's rank by the track's revenue among the peers."""
    adcode = pack["adcode"]
    figures = queries.class_figures(store, adcode[:4], year)
    peers = _peers(pack)
    city_n = _enterprises(figures)
    district_n = _enterprises(figures.filter(pl.col("adcode") == adcode))
    rows = []
    for track in queries.tracks(store, pack["pack_id"]):
        inside = figures.filter(_in_track(track["classes"]))
        by_district = inside.group_by("adcode").agg(
            pl.col("enterprises").sum(),
            pl.col("revenue").sum(),
            pl.col("employees").sum(),
            pl.col("revenue_prior").sum(),
        )
        found = by_district.filter(pl.col("adcode") == adcode).to_dicts()
        mine: dict[str, Any] = (
            found[0] if found else {"enterprises": 0, "revenue": None, "employees": None, "revenue_prior": None}
        )
        track_city_n = _enterprises(inside)
        revenues = dict(by_district.select("adcode", "revenue").iter_rows())
        rows.append(
            {
                "track_id": track["track_id"],
                "names": track["names"],
                "enterprises": mine["enterprises"],
                "revenue": mine["revenue"],
                "employees": mine["employees"],
                "growth": (mine["revenue"] / mine["revenue_prior"] - 1)
                if mine["revenue"] and mine["revenue_prior"]
                else None,
                "lq": _lq(mine["enterprises"], district_n, track_city_n, city_n),
                "rank_peers": _rank(revenues, adcode, peers) if mine["revenue"] else None,
                "peers": len(peers),
            }
        )
    return rows


def _enterprises(figures: pl.DataFrame) -> int:
    """The enterprises counted in rows of `class_figures`."""
    return int(figures["enterprises"].sum() or 0)


def _lq(n_cell: float, n_area: float, n_ref_cell: float, n_ref: float) -> float | None:
    if not n_area or not n_ref_cell or not n_ref:
        return None
    return (n_cell / n_area) / (n_ref_cell / n_ref)


def _complexity(figures: pl.DataFrame, level: str) -> dict[str, float]:
    """PCI per activity (column `level`) over the districts, from enterprise counts."""
    counts = figures.group_by("adcode", level).agg(pl.col("enterprises").sum())
    regions = sorted(counts["adcode"].unique().to_list())
    activities = sorted(counts[level].unique().to_list())
    if len(regions) < 2 or len(activities) < 2:
        return {}
    matrix = np.zeros((len(regions), len(activities)))
    r_index = {r: i for i, r in enumerate(regions)}
    a_index = {a: i for i, a in enumerate(activities)}
    for region, activity, n in counts.iter_rows():
        matrix[r_index[region], a_index[activity]] = n
    result = metrics.complexity(metrics.presence(metrics.rca(matrix)))
    if not np.isfinite(result.eigenvalue):
        return {}
    # PCI is standardised with the moments of the regions' kc (py-ecomplexity convention); the
    # outlook terms are not shown here, so they are passed as zeros.
    with np.errstate(divide="ignore", invalid="ignore"):
        zeros = np.zeros_like(result.kc)
        pci = metrics.standardise(result.kc, result.kp, zeros, np.zeros_like(matrix), "ecomplexity").pci
    return {a: float(v) for a, v in zip(activities, pci, strict=True) if np.isfinite(v)}


def industries(store: Store, division: str | None = None) -> dict:
    """The district's activities (GB/T divisions, or the classes of one division): enterprises,
    revenue, employees, growth, LQ against the city and complexity; and the tracks."""
    pack = home_pack(store)
    if pack is None:
        return {"pack": None, "rows": [], "tracks": [], "year": None, "division": division}
    adcode = pack["adcode"]
    years = overview_queries.district_years(store, adcode[:4]).filter(pl.col("revenue").is_not_null())
    year: int | None = years.select(pl.max("year")).item() if not years.is_empty() else None
    if year is None:
        return {"pack": pack, "rows": [], "tracks": [], "year": None, "division": division}
    figures = queries.class_figures(store, adcode[:4], year).with_columns(
        pl.col("industry_code").str.slice(0, 2).alias("division")
    )
    level = "division"
    if division:
        figures = figures.filter(pl.col("division") == division)
        level = "industry_code"
    pci = _complexity(figures, level)
    labels = _labels(level)
    city_n = _enterprises(figures)
    by_code = figures.group_by("adcode", level).agg(
        pl.col("enterprises").sum(), pl.col("revenue").sum(), pl.col("employees").sum(), pl.col("revenue_prior").sum()
    )
    city = dict(by_code.group_by(level).agg(pl.col("enterprises").sum()).iter_rows())
    mine = by_code.filter(pl.col("adcode") == adcode)
    district_n = _enterprises(mine)
    rows = []
    for row in mine.sort("revenue", descending=True, nulls_last=True).to_dicts():
        code = row[level]
        rows.append(
            {
                "code": code,
                "name": labels.get(code, code),
                "enterprises": row["enterprises"],
                "revenue": row["revenue"],
                "employees": row["employees"],
                "growth": row["revenue"] / row["revenue_prior"] - 1
                if row["revenue"] and row["revenue_prior"]
                else None,
                "lq": _lq(row["enterprises"], district_n, city.get(code, 0), city_n),
                "pci": pci.get(code),
            }
        )
    return {
        "pack": pack,
        "year": year,
        "division": division,
        "level": level,
        "rows": rows,
        "tracks": track_figures(store, pack, year) if not division else [],
        "formulas": FORMULAS,
    }


def _latest_year(store: Store, city: str) -> int | None:
    years = overview_queries.district_years(store, city).filter(pl.col("revenue").is_not_null())
    year: int | None = years.select(pl.max("year")).item() if not years.is_empty() else None
    return year


def industry_mix(store: Store) -> dict:
    """The district's industry mix, class by class (latest year): code, division, section,
    enterprises, revenue, employees; the treemap nests them section > division > class."""
    pack = home_pack(store)
    year = _latest_year(store, pack["adcode"][:4]) if pack else None
    if pack is None or year is None:
        return {"pack": pack, "year": year, "rows": []}
    classes = refdata.gbt_classes().select("code", "division", "section")
    mine = (
        queries.class_figures(store, pack["adcode"][:4], year)
        .filter((pl.col("adcode") == pack["adcode"]) & (pl.col("enterprises") > 0))
        .join(classes, left_on="industry_code", right_on="code", how="left")
        .sort("industry_code")
    )
    rows = [
        {
            "code": code,
            "division": division or code[:2],
            "section": section,
            "enterprises": n,
            "revenue": revenue,
            "employees": employees,
        }
        for code, division, section, n, revenue, employees in mine.select(
            "industry_code", "division", "section", "enterprises", "revenue", "employees"
        ).iter_rows()
    ]
    return {"pack": pack, "year": year, "rows": rows}


def mix_tree(rows: list[dict], measure: str) -> list[dict]:
    """The treemap's nodes: sections > divisions > classes, sized by `measure`. Rows marked
    `suppressed` (disclosure control) are left out, so that no hidden cell has a size; a parent
    is then sized by the classes it shows."""
    sections = {s: n for s, n in refdata.gbt_sections().select("section", "name").iter_rows()}
    divisions = _labels("division")
    classes = _labels("industry_code")
    tree: dict[str, dict[str, list[dict]]] = {}
    for row in rows:
        value = row.get(measure)
        if row.get("suppressed") or not value:
            continue
        leaf = {"name": f"{row['code']} {classes.get(row['code'], '')}".strip(), "value": value, "code": row["code"]}
        tree.setdefault(row["section"] or "?", {}).setdefault(row["division"], []).append(leaf)
    return [
        {
            "name": f"{section} {sections.get(section, '')}".strip(),
            "children": [
                {"name": f"{division} {divisions.get(division, '')}".strip(), "children": leaves}
                for division, leaves in sorted(by_division.items())
            ],
        }
        for section, by_division in sorted(tree.items())
    ]


def relatedness(store: Store, limit: int = 60, edges_per_node: int = 3) -> dict:
    """The district's present activities (GB/T divisions with RCA ≥ 1 in enterprises against the
    city) and its best next ones (RCA < 1, highest relatedness density), at most `limit` nodes,
    with the proximity (Hidalgo et al. 2007) between them: each node's `edges_per_node`
    strongest links."""
    pack = home_pack(store)
    year = _latest_year(store, pack["adcode"][:4]) if pack else None
    if pack is None or year is None:
        return {"pack": pack, "year": year, "nodes": [], "edges": []}
    figures = queries.class_figures(store, pack["adcode"][:4], year).with_columns(
        pl.col("industry_code").str.slice(0, 2).alias("division")
    )
    counts = figures.group_by("adcode", "division").agg(pl.col("enterprises").sum())
    regions = sorted(counts["adcode"].unique().to_list())
    activities = sorted(counts["division"].unique().to_list())
    if pack["adcode"] not in regions or len(regions) < 2:
        return {"pack": pack, "year": year, "nodes": [], "edges": []}
    matrix = np.zeros((len(regions), len(activities)))
    r_index, a_index = {r: i for i, r in enumerate(regions)}, {a: i for i, a in enumerate(activities)}
    for region, activity, n in counts.iter_rows():
        matrix[r_index[region], a_index[activity]] = n or 0
    rca = metrics.rca(matrix)
    mcp = metrics.presence(rca)
    phi = metrics.proximity(mcp)
    density = metrics.density(mcp, phi)
    home = r_index[pack["adcode"]]
    present = [a for a in range(len(activities)) if mcp[home, a]]
    absent = sorted((a for a in range(len(activities)) if not mcp[home, a]), key=lambda a: -density[home, a])
    chosen = (present[:limit] + absent)[:limit]
    labels = _labels("division")
    nodes = [
        {
            "code": activities[a],
            "name": labels.get(activities[a], activities[a]),
            "present": bool(mcp[home, a]),
            "rca": float(rca[home, a]),
            "density": float(density[home, a]),
            "enterprises": int(matrix[home, a]),
        }
        for a in chosen
    ]
    kept: dict[tuple[str, str], float] = {}
    for a in chosen:
        strongest = sorted((b for b in chosen if b != a and phi[a, b] > 0), key=lambda b: -phi[a, b])
        for b in strongest[:edges_per_node]:
            low, high = sorted((activities[a], activities[b]))
            kept[(low, high)] = float(phi[a, b])
    edges = [{"source": s, "target": t, "proximity": w} for (s, t), w in sorted(kept.items())]
    return {"pack": pack, "year": year, "nodes": nodes, "edges": edges}


def _labels(level: str) -> dict[str, str]:
    if level == "division":
        return dict(refdata.gbt_divisions().select("division", "name").iter_rows())
    return dict(refdata.gbt_classes().select("code", "name").iter_rows())


def district_map(store: Store) -> dict:
    """Each district of the pack's city by every measure (latest year), the pack's zones and the
    carriers that have a position."""
    pack = home_pack(store)
    city = pack["adcode"][:4] if pack else refdata.SHANGHAI_PROVINCE + "01"
    years = overview_queries.district_years(store, city).filter(pl.col("revenue").is_not_null())
    year: int | None = years.select(pl.max("year")).item() if not years.is_empty() else None
    latest = years.filter(pl.col("year") == year)
    names = district_names()
    registered = overview_queries.registered(store, city)
    districts = [
        {
            "adcode": a,
            "name": names.get(a, a),
            "registered": registered.get(a, 0),
            **{m: row[m] for m in queries.MEASURES},
        }
        for a in sorted(names)
        for row in [next(iter(latest.filter(pl.col("adcode") == a).to_dicts()), {m: None for m in queries.MEASURES})]
    ]
    zones = []
    if pack:
        counts = queries.zone_enterprises(store, pack["adcode"])
        zones = [dict(z, enterprises=counts.get(z["zone_id"], 0)) for z in queries.zones(store, pack["pack_id"])]
    return {"pack": pack, "year": year, "districts": districts, "zones": zones, "measures": list(queries.MEASURES)}


def chain_templates() -> dict[str, ChainTemplate]:
    return shipped_templates()


def chain_context(store: Store) -> report.Context | None:
    pack = home_pack(store)
    return load_context(store, pack["adcode"]) if pack else None


def chain(store: Store, context: report.Context, template: ChainTemplate, lang: str) -> dict:
    """The chain graph of `template` in the pack's district, with each link's health (its whys
    in `lang`)."""
    health = report.health(context, template, lang=lang)
    graph = graph_json(chain_graph(template, health))
    area, reference = context.area.label_in(lang), context.reference_name(lang)
    graph.update(name=dict(template.name), area=area, reference=reference, year=context.year)
    # Restricted roles are never told how revenue spreads among a link's firms (concentration ×
    # revenue is the largest firm's revenue; a status "present, not strong" bounds it): their
    # status and reason rest on the number of firms and the LQ alone.
    public = {
        row["link_id"]: judge(
            dict(row, concentration=None, largest=None),
            area,
            reference,
            DEFAULT_THRESHOLDS,
            lang,
        )
        for row in health.to_dicts()
    }
    for node in graph["nodes"]:
        node["public_status"], node["public_why"] = public[node["id"]]
    return graph


def link_firms(context: report.Context, template: ChainTemplate, link_id: str) -> list[dict]:
    """The district's enterprises placed in one link of the chain, largest revenue first, each with
    the rule that placed it there (rule, rule_value: placement.said_rule says it)."""
    # One placement per firm and link (`place`): no firm comes twice.
    placed = context.placements(template).filter(pl.col("link_id") == link_id).select("uscc", "rule", "rule_value")
    firms = context.area_firms.join(placed, on="uscc", how="inner").sort("revenue", descending=True, nulls_last=True)
    return firms.select(
        "uscc", "name", "industry_code", "zone_id", "revenue", "employees", "rule", "rule_value"
    ).to_dicts()


# ---- disclosure control: what restricted roles may see -----------------------------------------

# The figures of a suppressed cell, ratios included: concentration × revenue, LQ × reference,
# growth × last year each give the cell back, so none of them is shown.
WITHHELD = (
    "enterprises",
    "revenue",
    "employees",
    "tax",
    "rd_spend",
    "growth",
    "lq",
    "pci",
    "rank_peers",
    "why",
    "status",  # a link's status bounds its number of firms (weak: fewer than 3) and its LQ
)
# Never shown to restricted roles: concentration × revenue is the largest firm's revenue, and
# `largest` names it.
FIRM_REVEALING = ("concentration", "largest")
DISCLOSURE_VARIABLES = ("enterprises", "revenue", "employees")


def district_cell(adcode: str) -> str:
    return f"district:{adcode}"


def activity_cell(level: str, code: str) -> str:
    return f"{'division' if level == 'division' else 'class'}:{code}"


def track_cell(track_id: str) -> str:
    return f"track:{track_id}"


def link_cell(track: str, link_id: str) -> str:
    return f"link:{track}:{link_id}"


def disclosure_tables(store: Store, context: report.Context | None) -> disclosure.Tables | None:
    """Every cell a restricted role sees, as a sum over the home district's firms: the district's
    total (overview, map, peers), its divisions and classes, its tracks, and the links of every
    shipped chain. Firms count in a cell as the figure counts them (the industry tables count
    the firms that reported for the year; a chain counts the operating firms placed in it)."""
    pack = home_pack(store)
    if pack is None:
        return None
    adcode = pack["adcode"]
    years = overview_queries.district_years(store, adcode[:4]).filter(pl.col("revenue").is_not_null())
    year = years.select(pl.max("year")).item() if not years.is_empty() else None
    if year is None:
        return None
    facts = disclosure_queries.district_facts(store, adcode, year)
    coded = facts.filter(pl.col("industry_code").is_not_null())
    members = [
        facts.select(pl.lit(district_cell(adcode)).alias("cell"), "firm"),
        coded.select(("division:" + pl.col("industry_code").str.slice(0, 2)).alias("cell"), "firm"),
        coded.select(("class:" + pl.col("industry_code")).alias("cell"), "firm"),
    ]
    for track in queries.tracks(store, pack["pack_id"]):
        inside = coded.filter(_in_track(track["classes"]))
        members.append(inside.select(pl.lit(track_cell(track["track_id"])).alias("cell"), "firm"))
    firms = [facts.select("firm", "revenue", "employees")]
    if context is not None:
        # A chain of another year than the tables' sums other values: its firms are other unknowns.
        suffix = "" if context.year == year else f"@{context.year}"
        area = context.area_firms.select(
            (pl.col("uscc") + suffix).alias("firm"), pl.col("revenue").cast(pl.Float64), "employees"
        )
        firms.append(area)
        for template in chain_templates().values():
            placed = context.placements(template).join(context.area_firms.select("uscc"), on="uscc", how="semi")
            members.append(
                placed.select(
                    (pl.lit(link_cell(template.id, "")) + pl.col("link_id")).alias("cell"),
                    (pl.col("uscc") + suffix).alias("firm"),
                )
            )
    every_firm = pl.concat(
        [f.with_columns(pl.col("revenue").cast(pl.Float64), pl.col("employees").cast(pl.Float64)) for f in firms]
    ).unique("firm", keep="first", maintain_order=True)
    return disclosure.tables_from_frames(pl.concat(members), every_firm, DISCLOSURE_VARIABLES)


def intruders(store: Store, tables: disclosure.Tables, today: date) -> dict[str, np.ndarray]:
    """Who may combine what restricted roles see with what they know: a viewer (nothing), and
    each operator (the figures of their carriers' current tenants, which they see)."""
    found = {"viewer": tables.known_mask(frozenset())}
    for user in web_users.list_users(store):
        if user.role == "operator" and user.active and user.carriers:
            tenants = frozenset(queries.tenant_usccs(store, list(user.carriers), today))
            found["operator:" + "+".join(sorted(user.carriers))] = tables.known_mask(tenants)
    return found


def disclosure_pattern(store: Store, context: report.Context | None, today: date) -> disclosure.Pattern:
    """The cells hidden from restricted roles: primary (threshold and p% rules, for every
    intruder) and secondary (until no intruder's linear program bounds a hidden cell)."""
    tables = disclosure_tables(store, context)
    if tables is None:
        return disclosure.Pattern(frozenset(), frozenset(), 0)
    return disclosure.protect(tables, intruders(store, tables, today))


def withhold(rows: list[dict], cell_of, hidden: frozenset[str], *, ranked: bool = False) -> list[dict]:
    """The rows as a restricted role sees them: no figure of a hidden cell (marked `suppressed`),
    and nowhere a figure that reveals one firm. `ranked`: the rows are in order of their value,
    which would place a hidden cell between two shown ones (bounding it): hidden rows go last,
    in the order of their cells."""
    out = []
    for row in rows:
        shown = {k: v for k, v in row.items() if k not in FIRM_REVEALING}
        if cell_of(row) in hidden:
            shown.update({k: None for k in WITHHELD if k in row}, suppressed=True)
        out.append(shown)
    if ranked:
        out = [r for r in out if not r.get("suppressed")] + sorted((r for r in out if r.get("suppressed")), key=cell_of)
    return out


def claim_results(store: Store) -> list[dict]:
    """Every claim with its verdict on the current data (the claims package's `check`)."""
    return [
        {
            "id": r.id,
            "quote": r.quote,
            "quote_lang": r.quote_lang,
            "translations": r.translations,
            "asserted": r.asserted,
            "comparison": r.comparison,
            "computed": r.computed,
            "status": r.status,
            "evidence": r.evidence,
        }
        for r in claim_checks.check(store)
    ]
