"""Reading a candidate pool: firms beyond the city that a district may court (listed companies,
a ranking, a fair's exhibitors). Under the shared reader's rules (`ingest.read.read_table`: CSV
or XLSX, UTF-8 or GB18030, refused whole when unreadable) and refused whole when a row is invalid.

The format (one row per firm; header names as below, other columns ignored):

| column     | required | what |
|------------|----------|------|
| firm_id    | yes      | the firm's id within the pool, unique (a stock code, a rank) |
| name       | yes      | its name as the source writes it |
| name_en    | no       | its English name |
| country    | yes      | where it is: a country name (China, 中国, USA, ...) |
| address    | no       | for a firm in China, its address: placed to province, city and district |
| sector     | no       | the source's sector label (Chinese) |
| sector_en  | no       | the same in English |
| revenue    | no       | revenue in 万元 (10,000 yuan), a number >= 0 |
| employees  | no       | employees, a number >= 0 |
| rank       | no       | the firm's rank in the source (1 = first) |

A figure the source does not give stays empty: targets then report that part as missing.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

from districtlens.errors import InputError
from districtlens.ingest.read import ROW, read_table
from districtlens.ingest.reasons import problem
from districtlens.refdata import areas, cities, provinces

REQUIRED = ("firm_id", "name", "country")
OPTIONAL = ("name_en", "address", "sector", "sector_en", "revenue", "employees", "rank")
NUMBERS = ("revenue", "employees", "rank")
CHINA = frozenset({"china", "cn", "中国", "prc", "people's republic of china", "中华人民共和国"})
PROBLEMS_LISTED = 5
_SUFFIXES = re.compile(r"(省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|特别行政区|地区|自治州|盟)$")


def read_pool(path: Path) -> tuple[pl.DataFrame, str]:
    """The pool's firms (firm_id, name, name_en, country, address, sector, sector_en, revenue,
    employees, rank, province_code, city_code, district_code) and the file's SHA-256."""
    table = read_table(path)
    frame = table.frame
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise InputError("pools.missing_columns", path=str(path), missing=", ".join(missing))
    text = frame.select(
        ROW,
        *[pl.col(c).str.strip_chars().replace("", None) for c in REQUIRED],
        *[
            pl.col(c).str.strip_chars().replace("", None) if c in frame.columns else pl.lit(None, pl.String).alias(c)
            for c in OPTIONAL
        ],
    )
    typed = text.with_columns(
        pl.col(c).str.replace_all(",", "").cast(pl.Float64, strict=False).alias(c) for c in NUMBERS
    )
    problems = _problems(text, typed)
    if problems:
        raise InputError("pools.invalid_rows", path=str(path), count=len(problems), problems=problems[:PROBLEMS_LISTED])
    placed = place_addresses(typed["address"], typed["country"])
    firms = pl.concat([typed.drop(ROW), placed], how="horizontal").with_columns(pl.col("rank").cast(pl.Int32))
    return firms, table.sha256


def _problems(text: pl.DataFrame, typed: pl.DataFrame) -> list[dict[str, Any]]:
    """Each problem (errors.said: said in the reader's language), by row."""
    found: list[tuple[int, dict[str, Any]]] = []
    for column in REQUIRED:
        for row in text.filter(pl.col(column).is_null())[ROW].to_list():
            found.append((row, problem(row, column, "import.reason.empty")))
    repeated = text.filter(~pl.col("firm_id").is_first_distinct() & pl.col("firm_id").is_not_null())
    for row, firm in repeated.select(ROW, "firm_id").iter_rows():
        found.append((row, problem(row, "firm_id", "import.reason.repeated", {"value": firm})))
    for column in NUMBERS:
        least = 1 if column == "rank" else 0
        bad = text.filter((text[column].is_not_null() & typed[column].is_null()) | (typed[column] < least))
        for row, value in bad.select(ROW, column).iter_rows():
            found.append((row, problem(row, column, "import.reason.number_below", {"value": value, "least": least})))
    return [p for _, p in sorted(found, key=lambda found: found[0])]


def is_china(country: str | None) -> bool:
    return country is not None and country.strip().lower() in CHINA


def place_addresses(addresses: pl.Series, countries: pl.Series) -> pl.DataFrame:
    """province_code, city_code, district_code of each address of a firm in China (nulls
    elsewhere or where the address does not name them): the names of the administrative
    divisions (full, or without 省/市/自治区...) found in the address, each within the one above."""
    rows = [
        place_address(address) if is_china(country) and address else (None, None, None)
        for address, country in zip(addresses.to_list(), countries.to_list(), strict=True)
    ]
    return pl.DataFrame(
        rows, schema={"province_code": pl.String, "city_code": pl.String, "district_code": pl.String}, orient="row"
    )


def place_address(address: str) -> tuple[str | None, str | None, str | None]:
    names = _division_names()
    province = _first_found(address, names["provinces"])
    city_candidates = [c for c in names["cities"] if province is None or c[0].startswith(province)]
    city = _first_found(address, city_candidates)
    if city is None and province is not None:
        # A municipality's districts sit under one "市辖区" city: it is the city.
        own = names["municipal"].get(province, [])
        city = own[0] if len(own) == 1 else None
    if province is None and city is not None:
        province = city[:2]
    district = None
    if city is not None:
        district = _first_found(address, [d for d in names["districts"] if d[0].startswith(city)])
    return province, city, district


def _first_found(address: str, candidates: list[tuple[str, str]]) -> str | None:
    """The code of the candidate name found earliest in the address (the longest on a tie)."""
    best: tuple[int, int, str] | None = None
    for code, name in candidates:
        at = address.find(name)
        if at >= 0 and (best is None or (at, -len(name)) < (best[0], -best[1])):
            best = (at, len(name), code)
    return best[2] if best else None


@cache
def _division_names() -> dict[str, Any]:
    """(code, name) of every province, city and district, each under its full name and, where it
    stays two characters or more, its name without the 省/市/自治区... ending."""

    def both(frame: pl.DataFrame) -> list[tuple[str, str]]:
        out = []
        for code, name in frame.select("code", "name").iter_rows():
            if name == "市辖区":
                continue
            out.append((str(code), name))
            short = _SUFFIXES.sub("", name)
            if short != name and len(short) >= 2:
                out.append((str(code), short))
        return out

    districts = [(str(code), name) for code, name in areas().select("code", "name").iter_rows() if len(name) >= 2]
    municipal: dict[str, list[str]] = {}
    for code, province in cities().filter(pl.col("name") == "市辖区").select("code", "provinceCode").iter_rows():
        municipal.setdefault(str(province), []).append(str(code))
    return {
        "provinces": both(provinces()),
        "cities": both(cities()),
        "districts": districts,
        "municipal": municipal,
    }
