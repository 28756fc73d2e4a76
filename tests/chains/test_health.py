"""Chain health: the missing link is found, statuses follow the stated thresholds, and every
explanation names the figures it rests on."""

from __future__ import annotations

import polars as pl
import pytest

from districtlens.chains.health import (
    DEFAULT_THRESHOLDS,
    StatusThresholds,
    area_sizes_of,
    areas_health,
    chain_health,
)
from districtlens.chains.placement import place
from districtlens.chains.templates import Link, shipped_templates
from districtlens.i18n import money

TEMPLATES = shipped_templates()
CASES = [(t, link.id) for t, template in TEMPLATES.items() for link in template.links]
UNRELATED_CLASS = "5212"  # supermarkets: in no chain


def firm_for(link: Link, uscc: str, district: str, revenue: float = 1000.0) -> dict:
    """A firm that `link`'s first rule places."""
    rule = link.rules[0]
    if rule.classes:
        code, scope = rule.classes[0], None
    else:
        code = rule.within[0] if rule.within else "7299"
        scope = f"主营{(rule.keywords_zh or rule.keywords_en)[0]}业务"
    return {
        "uscc": uscc,
        "name": f"firm {uscc}",
        "district_adcode": district,
        "industry_code": code,
        "business_scope": scope,
        "tags": None,
        "revenue": revenue,
        "revenue_prior": revenue * 0.9,
        "employees": 20.0,
    }


def unrelated(n: int, district: str, prefix: str) -> list[dict]:
    return [
        {
            "uscc": f"{prefix}{i}",
            "name": f"shop {prefix}{i}",
            "district_adcode": district,
            "industry_code": UNRELATED_CLASS,
            "business_scope": "零售",
            "tags": None,
            "revenue": 100.0,
            "revenue_prior": 100.0,
            "employees": 5.0,
        }
        for i in range(n)
    ]


def frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "uscc": pl.String,
            "name": pl.String,
            "district_adcode": pl.String,
            "industry_code": pl.String,
            "business_scope": pl.String,
            "tags": pl.String,
            "revenue": pl.Float64,
            "revenue_prior": pl.Float64,
            "employees": pl.Float64,
        },
    )


def health_of(template, city: pl.DataFrame, area: str = "A", **kwargs) -> pl.DataFrame:
    return chain_health(
        template,
        place(city, template),
        city.filter(pl.col("district_adcode") == area),
        city,
        area_label="district A",
        reference_label="the city",
        **kwargs,
    )


@pytest.mark.parametrize(("track", "left_out"), CASES, ids=[f"{t}:{k}" for t, k in CASES])
def test_an_area_with_every_link_but_one_shows_exactly_that_link_missing(track, left_out):
    template = TEMPLATES[track]
    rows = unrelated(30, "A", "ua") + unrelated(30, "B", "ub")
    for link in template.links:
        for i in range(4):
            rows.append(firm_for(link, f"B-{link.id}-{i}", "B"))
            if link.id != left_out:
                rows.append(firm_for(link, f"A-{link.id}-{i}", "A"))
    health = health_of(template, frame(rows))
    missing = health.filter(pl.col("status") == "missing")["link_id"].to_list()
    assert missing == [left_out]
    assert health.filter(pl.col("link_id") == left_out)["enterprises"].item() == 0


def expected_status(n: int, lq: float, concentration: float, t: StatusThresholds) -> str:
    """The thresholds as docs/chains.md states them."""
    if n == 0:
        return "missing"
    if n < t.min_firms_present or lq < t.weak_below_lq:
        return "weak"
    if n >= t.min_firms_strong and lq >= t.strong_from_lq and concentration <= t.max_concentration_strong:
        return "strong"
    return "present"


def test_moving_firms_in_changes_status_as_the_thresholds_say():
    template = TEMPLATES["integrated-circuits"]
    design = template.link("design")
    base = unrelated(40, "A", "ua") + unrelated(40, "B", "ub")
    movers = [firm_for(design, f"d{i}", "B", revenue=1000.0 + i) for i in range(12)]
    seen = []
    for moved in range(len(movers) + 1):
        for i, firm in enumerate(movers):
            firm["district_adcode"] = "A" if i < moved else "B"
        city = frame(base + movers)
        row = health_of(template, city).filter(pl.col("link_id") == "design").row(0, named=True)
        area_total, city_total = 40 + moved, city.height
        lq = (moved / area_total) / (len(movers) / city_total)
        assert row["enterprises"] == moved
        assert row["lq"] == pytest.approx(lq)
        concentration = (1000.0 + moved - 1) / sum(1000.0 + i for i in range(moved)) if moved else 0
        assert row["status"] == expected_status(moved, lq, concentration, DEFAULT_THRESHOLDS)
        seen.append(row["status"])
    # The walk crosses every threshold: none, too few, low LQ, present, strong.
    assert seen[0] == "missing" and seen[-1] == "strong"
    assert {"weak", "present"} <= set(seen)
    assert seen.index("present") > seen.index("weak")


def test_one_dominant_firm_keeps_a_link_from_strong():
    template = TEMPLATES["integrated-circuits"]
    design = template.link("design")
    firms = [firm_for(design, f"d{i}", "A", revenue=100.0) for i in range(12)]
    firms[0]["revenue"] = 5000.0
    firms[0]["name"] = "Giant Chips"
    city = frame(unrelated(40, "A", "ua") + unrelated(200, "B", "ub") + firms)
    row = health_of(template, city).filter(pl.col("link_id") == "design").row(0, named=True)
    assert row["concentration"] == pytest.approx(5000 / 6100)
    assert row["status"] == "present"
    assert "Giant Chips" in row["why"] and "82%" in row["why"]
    relaxed = StatusThresholds(max_concentration_strong=0.9)
    row = health_of(template, city, thresholds=relaxed).filter(pl.col("link_id") == "design").row(0, named=True)
    assert row["status"] == "strong"


def test_each_explanation_names_real_figures():
    template = TEMPLATES["biopharma"]
    rows = unrelated(25, "A", "ua") + unrelated(25, "B", "ub")
    for k, link in enumerate(template.links):
        for i in range(k):
            rows.append(firm_for(link, f"A-{link.id}-{i}", "A", revenue=1234.0 + 10 * i))
        for i in range(3):
            rows.append(firm_for(link, f"B-{link.id}-{i}", "B"))
    health = health_of(template, frame(rows))
    for row in health.to_dicts():
        why = row["why"]
        assert f"{row['reference_enterprises']:,}" in why
        if row["enterprises"] == 0:
            assert why.startswith("No enterprise in district A")
            continue
        assert f"{row['enterprises']:,} enterprise" in why
        assert f"with revenue {money(row['revenue'], 'en')}" in why and "万元" not in why
        assert f"LQ {row['lq']:.2f}" in why


def test_growth_is_same_firm_revenue_growth():
    template = TEMPLATES["biopharma"]
    apis = template.link("apis")
    a = firm_for(apis, "a1", "A", revenue=1100.0)
    a["revenue_prior"] = 1000.0
    b = firm_for(apis, "a2", "A", revenue=500.0)
    b["revenue_prior"] = None  # a newcomer does not count as growth
    row = (
        health_of(template, frame([a, b] + unrelated(5, "A", "u")))
        .filter(pl.col("link_id") == "apis")
        .row(0, named=True)
    )
    assert row["growth"] == pytest.approx(0.1)
    assert row["revenue"] == 1600.0


def test_missing_columns_are_refused():
    template = TEMPLATES["biopharma"]
    city = frame(unrelated(3, "A", "u"))
    with pytest.raises(ValueError, match="revenue_prior"):
        chain_health(
            template, place(city, template), city.drop("revenue_prior"), city, area_label="A", reference_label="city"
        )


def test_areas_health_of_every_district_at_once_equals_each_districts_own_health():
    template = TEMPLATES["biopharma"]
    rows = unrelated(20, "A", "ua") + unrelated(35, "B", "ub") + unrelated(10, "C", "uc")
    for n, link in enumerate(template.links):
        for i in range(n % 4):
            rows.append(firm_for(link, f"A-{link.id}-{i}", "A", revenue=100.0 * (i + 1)))
        for i in range(3 + n % 2):
            rows.append(firm_for(link, f"B-{link.id}-{i}", "B"))
    city = frame(rows)
    placements = place(city, template)
    labels = {"A": "district A", "B": "district B", "C": "district C"}
    together = areas_health(
        template, placements, city, city, area_column="district_adcode", areas=labels, reference_label="the city"
    )
    assert together["district_adcode"].unique(maintain_order=True).to_list() == ["A", "B", "C"]
    for code, label in labels.items():
        alone = chain_health(
            template,
            placements,
            city.filter(pl.col("district_adcode") == code),
            city,
            area_label=label,
            reference_label="the city",
        )
        mine = together.filter(pl.col("district_adcode") == code).drop("district_adcode")
        assert mine.to_dicts() == alone.to_dicts()
    # C holds no placed firm: every link is missing there, and the reason says so.
    c = together.filter(pl.col("district_adcode") == "C")
    assert set(c["status"]) == {"missing"} and all("district C" in why for why in c["why"])


def test_placements_over_the_same_firms_gather_figures_by_row_as_the_join_on_uscc_would():
    template = TEMPLATES["biopharma"]
    rows = unrelated(15, "A", "ua") + unrelated(25, "B", "ub")
    for n, link in enumerate(template.links):
        for i in range(1 + n % 5):
            district = "AB"[(n + i) % 2]
            rows.append(firm_for(link, f"{district}-{link.id}-{i}", district, revenue=37.0 * (n + 1) + i))
    city = frame(rows)
    placements = place(city, template)
    labels = {"A": "district A", "B": "district B"}

    def of(placed: pl.DataFrame, firms: pl.DataFrame) -> pl.DataFrame:
        return areas_health(
            template, placed, firms, firms, area_column="district_adcode", areas=labels, reference_label="the city"
        )

    joined = of(placements.drop("firm_row"), city)
    assert joined["enterprises"].sum() > 0
    assert of(placements, city).equals(joined)
    sizes = area_sizes_of(city, "district_adcode")
    assert sizes == {
        "A": city.filter(pl.col("district_adcode") == "A").height,
        "B": city.filter(pl.col("district_adcode") == "B").height,
    }
    assert areas_health(
        template,
        placements,
        city,
        city,
        area_column="district_adcode",
        areas=labels,
        reference_label="the city",
        area_sizes=sizes,
    ).equals(joined)
    # Over the same firms in another order the rows point elsewhere: the figures are joined.
    shuffled = city.sample(fraction=1.0, shuffle=True, seed=7)
    assert not shuffled["uscc"].equals(city["uscc"])
    assert of(placements, shuffled).equals(joined)
    # An area's firms are a part of the frame placed: its health joins too.
    area = city.filter(pl.col("district_adcode") == "A")
    assert chain_health(template, placements, area, city, area_label="district A", reference_label="the city").equals(
        chain_health(
            template, placements.drop("firm_row"), area, city, area_label="district A", reference_label="the city"
        )
    )
