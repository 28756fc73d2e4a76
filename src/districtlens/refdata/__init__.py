"""Reference data shipped with districtlens, with small cached loaders.

Sources, licences and changes are in ATTRIBUTION.md beside this file. Every code is text
(adcodes, street codes and GB/T 4754-2017 codes keep their leading zeros: class '0111').
Loaders are cached: treat what they return as read-only.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import polars as pl

SHANGHAI_PROVINCE = "31"


def _path(name: str):
    return resources.files("districtlens.refdata").joinpath(name)


def _read_csv(name: str) -> pl.DataFrame:
    with _path(name).open("rb") as handle:
        return pl.read_csv(handle.read(), infer_schema=False, encoding="utf8")


@cache
def gbt_table() -> pl.DataFrame:
    """The GB/T 4754-2017 file as shipped.

    Columns: level, section, division, group, class, code, name, note.
    """
    return _read_csv("gbt4754-2017.csv").with_columns(pl.col("level").cast(pl.Int8))


@cache
def gbt_sections() -> pl.DataFrame:
    """The 20 sections A-T: section, name, note."""
    return gbt_table().filter(pl.col("level") == 1).select(pl.col("code").alias("section"), "name", "note")


@cache
def gbt_divisions() -> pl.DataFrame:
    """The 97 two-digit divisions: division, section, name, note."""
    return gbt_table().filter(pl.col("level") == 2).select(pl.col("code").alias("division"), "section", "name", "note")


@cache
def gbt_classes() -> pl.DataFrame:
    """The four-digit classes: code, name, note, section, division, group (3 digits)."""
    return (
        gbt_table()
        .filter(pl.col("level") == 4)
        .select(
            "code",
            "name",
            "note",
            "section",
            "division",
            pl.col("code").str.slice(0, 3).alias("group"),
        )
    )


@cache
def gbt_groups() -> pl.DataFrame:
    """The three-digit groups, derived from the classes (the shipped level-3 rows are incomplete).

    Columns: group, section, division, name (the official name where the file has it, else null),
    classes (number of four-digit classes in the group).
    """
    named = (
        gbt_table()
        .filter(pl.col("level") == 3)
        .select(pl.col("code").alias("group"), "name")
        .unique("group", keep="first")
    )
    return (
        gbt_classes()
        .group_by("group", "section", "division")
        .agg(pl.len().alias("classes"))
        .join(named, on="group", how="left")
        .select("group", "section", "division", "name", "classes")
        .sort("group")
    )


@cache
def gbt_class_codes() -> frozenset[str]:
    """The set of valid four-digit class codes, for fast membership checks."""
    return frozenset(gbt_classes()["code"].to_list())


@cache
def provinces() -> pl.DataFrame:
    """Provinces: code (2 digits), name."""
    return _read_csv("provinces.csv")


@cache
def cities() -> pl.DataFrame:
    """Prefecture-level cities: code (4 digits), name, provinceCode."""
    return _read_csv("cities.csv")


@cache
def areas() -> pl.DataFrame:
    """County-level areas: code (6-digit adcode), name, cityCode, provinceCode."""
    return _read_csv("areas.csv")


@cache
def streets() -> pl.DataFrame:
    """Streets and towns: code (9 digits), name, areaCode, provinceCode, cityCode."""
    return _read_csv("streets.csv")


@cache
def development_zones() -> pl.DataFrame:
    """Shanghai's development zones, parks and free-trade-zone areas: name (as addresses write
    it, without the leading 上海/上海市), adcode (one row per district the zone lies in), level,
    catalogue_name. A zone with several rows spans districts and alone places nothing.

    The catalogue (development-zones.csv) and, for names it lacks, the division codes' own
    street-level units that are neither streets nor towns (菊园新区, 佘山度假区, farms, zones)."""
    catalogue = (
        _read_csv("development-zones.csv")
        .with_columns(pl.col("district_adcodes").str.split(";").alias("adcode"))
        .explode("adcode")
        .select("name", "adcode", "level", "catalogue_name")
    )
    units = (
        streets()
        .filter((pl.col("provinceCode") == SHANGHAI_PROVINCE) & ~pl.col("name").str.contains("(街道|镇|乡)$"))
        .select(
            pl.col("name").str.replace("^(?:中国)?(?:上海市?)?", "").alias("name"),
            pl.col("areaCode").alias("adcode"),
            pl.lit("division-unit").alias("level"),
            pl.col("name").alias("catalogue_name"),
        )
        .filter(~pl.col("name").is_in(catalogue["name"].implode()))
    )
    return pl.concat([catalogue, units])


@cache
def _district_names() -> dict[str, str]:
    return dict(areas().select("code", "name").iter_rows())


def district_name(adcode: str) -> str | None:
    """The official name of a county-level adcode (静安区 for 310106), or None."""
    return _district_names().get(adcode)


@cache
def _street_records() -> dict[str, tuple[str, str]]:
    return {code: (name, area) for code, name, area in streets().select("code", "name", "areaCode").iter_rows()}


def street_record(code: str) -> tuple[str, str] | None:
    """(name, district adcode) of a 9-digit street or town code, or None."""
    return _street_records().get(code)


@cache
def shanghai_districts() -> pl.DataFrame:
    """The 16 districts of Shanghai: adcode, name (e.g. 310106, 静安区)."""
    return (
        areas()
        .filter(pl.col("provinceCode") == SHANGHAI_PROVINCE)
        .select(pl.col("code").alias("adcode"), "name")
        .sort("adcode")
    )


@cache
def district_polygons() -> dict[str, Any]:
    """The 16 Shanghai district polygons: a GeoJSON FeatureCollection (name, adcode, center)."""
    return json.loads(_path("shanghai-districts.geojson").read_text(encoding="utf-8"))


@cache
def former_districts() -> pl.DataFrame:
    """Pre-merger names of Shanghai: old_name, adcode, new_name, merged_year, note."""
    return _read_csv("former_districts.csv").with_columns(pl.col("merged_year").cast(pl.Int32))


@cache
def global500() -> pl.DataFrame:
    """Fortune Global 500, 2017: rank, company, industry, sector, country (facts only)."""
    return _read_csv("fortune-global-500-2017.csv").with_columns(pl.col("rank").cast(pl.Int32))


def global500_pharma() -> pl.DataFrame:
    """The Global 500 (2017) companies whose industry is 'Pharmaceuticals', by rank."""
    return global500().filter(pl.col("industry") == "Pharmaceuticals").sort("rank")


def division_name(adcode: str) -> str | None:
    """The official name of a province (310000), city (320200) or county-level (310106) adcode."""
    if adcode.endswith("0000"):
        found = provinces().filter(pl.col("code") == adcode[:2])["name"]
    elif adcode.endswith("00"):
        found = cities().filter(pl.col("code") == adcode[:4])["name"]
    else:
        return district_name(adcode)
    return str(found[0]) if len(found) else None


@cache
def carrier_registers() -> pl.DataFrame:
    """Registers of carriers from official designations (carrier-registers.csv): register, name,
    district_adcode, recognised_year, source_url, source_doc, note. Each register is partial: it
    holds the Shanghai entries a public source names with their district, not the whole list."""
    return _read_csv("carrier-registers.csv")


def carrier_register_names() -> tuple[str, ...]:
    return tuple(sorted(set(carrier_registers()["register"].to_list())))


__all__ = [
    "areas",
    "carrier_register_names",
    "carrier_registers",
    "cities",
    "development_zones",
    "district_polygons",
    "division_name",
    "former_districts",
    "gbt_class_codes",
    "gbt_classes",
    "gbt_divisions",
    "gbt_groups",
    "gbt_sections",
    "gbt_table",
    "global500",
    "global500_pharma",
    "provinces",
    "shanghai_districts",
    "streets",
]
