"""Candidate pools as targets: placing a pool's firms in a chain's links, and saying where they are.

A pool firm has no GB/T class: it is placed by its name (and English name) and its sector label
under the template's keyword rules that need no class, and by the template's `sectors` (a link
lists the sector labels that place a pool firm in it: the editable sector-to-link mapping).
"""

from __future__ import annotations

from functools import cache

import polars as pl

from districtlens.areas import division_name
from districtlens.chains.placement import place
from districtlens.chains.templates import ChainTemplate
from districtlens.refdata import areas, cities, provinces

POOL_KEY_SEPARATOR = ":"


def pool_key(pool_id: str, firm_id: str) -> str:
    """The key of a pool firm among candidates (registry firms are keyed by their uscc)."""
    return f"{pool_id}{POOL_KEY_SEPARATOR}{firm_id}"


def place_pool(firms: pl.DataFrame, template: ChainTemplate) -> pl.DataFrame:
    """(key, link_id, rule, rule_value) of every pool firm (key, name, name_en, sector, sector_en)
    and link it belongs to: by keyword (name and sector text) or by sector label."""
    texts = firms.select(
        pl.col("key").alias("uscc"),
        pl.lit(None, dtype=pl.String).alias("industry_code"),
        pl.concat_str("name", "name_en", separator=" ", ignore_nulls=True).alias("name"),
        pl.concat_str("sector", "sector_en", separator=" ", ignore_nulls=True).alias("business_scope"),
        pl.lit(None, dtype=pl.String).alias("tags"),
    )
    by_keyword = place(texts, template).select(pl.col("uscc").alias("key"), "link_id", "rule", "rule_value")
    mapping = pl.DataFrame(
        [(sector, link.id) for link in template.links for sector in link.sectors],
        schema={"label": pl.String, "link_id": pl.String},
        orient="row",
    )
    labels = pl.concat(
        [firms.select("key", pl.col(column).alias("label")).drop_nulls("label") for column in ("sector", "sector_en")]
    )
    by_sector = labels.join(mapping, on="label", how="inner").select(
        "key", "link_id", pl.lit("sector").alias("rule"), pl.col("label").alias("rule_value")
    )
    return pl.concat([by_keyword, by_sector]).unique(["key", "link_id"], keep="first", maintain_order=True)


# Country names as pools write them that CLDR's English names do not spell so.
COUNTRY_ALIASES = {"USA": "US", "U.S.": "US", "Britain": "GB", "U.K.": "GB", "UK": "GB", "U.A.E": "AE", "UAE": "AE"}
COUNTRY_ALIASES |= {"Turkey": "TR", "South Korea": "KR", "Russia": "RU", "Taiwan": "TW", "Hong Kong": "HK"}


def country_name(country: str | None, lang: str) -> str:
    """A country as a pool names it (in English), named in `lang` by CLDR (Babel); a name it does
    not know stays as the pool gives it."""
    if not country:
        return ""
    code = COUNTRY_ALIASES.get(country) or _english_countries().get(country.casefold())
    return _territories(lang).get(code, country) if code else country


@cache
def _territories(lang: str) -> dict[str, str]:
    """CLDR's country names in `lang`, read once per language (a pool names thousands of firms)."""
    from babel import Locale

    return dict(Locale.parse(lang).territories)


@cache
def _english_countries() -> dict[str, str]:
    return {name.casefold(): code for code, name in _territories("en").items() if code.isalpha()}


def place_label(
    country: str | None, province: str | None, city: str | None, district: str | None, lang: str = "en"
) -> str:
    """Where a pool firm is, for people: the country in `lang`, and in China the province, city
    and district named from the administrative codes (中国 江苏省苏州市; in English and French the
    smallest first: Suzhou, Jiangsu, China)."""
    names = _names()
    parts = [name for code in (province, city, district) if code and (name := names.get(code)) and name != "市辖区"]
    shown = country_name(country, lang)
    if not parts:
        return shown
    if lang == "zh":
        return f"{shown} {''.join(parts)}".strip()
    return ", ".join([division_name(name, lang) for name in reversed(parts)] + ([shown] if shown else []))


def pool_candidates(firms: pl.DataFrame, lang: str = "en") -> pl.DataFrame:
    """A pool's firms (store.pools.pool_firms) as candidates: key, name, name_en, sector,
    sector_en, source, place, industry_code, tags, revenue, revenue_prior, employees, rank,
    linked_uscc, district_code."""
    where = ["country", "province_code", "city_code", "district_code"]
    # Firms share places: each place is said once.
    places = (
        firms.select(where)
        .unique()
        .with_columns(
            pl.struct(where)
            .map_elements(
                lambda r: place_label(r["country"], r["province_code"], r["city_code"], r["district_code"], lang),
                return_dtype=pl.String,
            )
            .alias("place")
        )
    )
    firms = firms.join(places, on=where, how="left", nulls_equal=True, maintain_order="left")
    return firms.select(
        pl.struct("pool_id", "firm_id")
        .map_elements(lambda r: pool_key(r["pool_id"], r["firm_id"]), return_dtype=pl.String)
        .alias("key"),
        pl.lit(None, dtype=pl.String).alias("uscc"),
        "name",
        "name_en",
        "sector",
        "sector_en",
        pl.col("pool_id").alias("source"),
        "place",
        pl.lit(None, dtype=pl.String).alias("district_adcode"),
        pl.lit(None, dtype=pl.String).alias("industry_code"),
        pl.lit(None, dtype=pl.String).alias("tags"),
        pl.col("revenue").cast(pl.Float64),
        pl.lit(None, dtype=pl.Float64).alias("revenue_prior"),
        pl.col("employees").cast(pl.Float64),
        pl.col("rank").cast(pl.Int64),
        "linked_uscc",
        "district_code",
    )


@cache
def _names() -> dict[str, str]:
    found: dict[str, str] = {}
    for frame in (provinces(), cities(), areas()):
        found.update({str(code): name for code, name in frame.select("code", "name").iter_rows()})
    return found
