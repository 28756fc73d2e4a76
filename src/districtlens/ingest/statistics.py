"""Published statistics (statistical bulletins, yearbooks) as a source: reading and normalising.

A file has one figure per row: `district,adcode,year,indicator,value,unit` and, optionally,
`yoy_or_note,source_url,source_doc` (the layout of /work/shared/data/published-statistics/).
Each figure keeps the value and unit as published and gains a normalised one: money in 万元
(1 亿元 = 10,000 万元), 户 and 家 as a count of entities, 人 as persons, % as a share in
percent (比重, a fraction, times 100), 平方千米 as km², 个 as a count of things, 年 as a calendar
year (a founding year). A figure without a year is a timeless fact (a district's area), not
an error. An indicator maps to the registry measure it can be set beside, when there is one
(`MEASURE_RULES`): the reconciliation reads that, never the indicator's wording.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import polars as pl

from districtlens.errors import InputError
from districtlens.ingest.read import ROW
from districtlens.ingest.reasons import problem

REQUIRED = ("district", "adcode", "year", "indicator", "value", "unit")
OPTIONAL = ("yoy_or_note", "source_url", "source_doc")

# Published unit -> (factor to the base unit, base unit).
UNITS: dict[str, tuple[float, str]] = {
    "亿元": (10_000.0, "万元"),
    "万元": (1.0, "万元"),
    "户": (1.0, "entities"),
    "家": (1.0, "entities"),
    "人": (1.0, "persons"),
    "%": (1.0, "%"),
    "平方千米": (1.0, "km2"),
    "比重": (100.0, "%"),
    "个": (1.0, "items"),
    "年": (1.0, "year"),
    "名": (1.0, "rank"),  # a place in a ranking (1 = first)
}
UNIT_SPELLINGS = {"平方公里": "平方千米", "km2": "平方千米", "km²": "平方千米", "亿": "亿元", "万": "万元"}

# (pattern over the indicator as published, measure): the first match wins. Measures:
# tax, revenue, employees (the registry's yearly facts, summed); entities[.<ownership>] (registered
# market entities at year end); new_entities[.<ownership>] (founded in the year); enterprises
# (entities other than individual businesses); hq.multinational (multinational regional
# headquarters); share.tertiary (tertiary industry's share of value added, set beside the
# registry's tertiary share of revenue: a proxy).
MEASURE_RULES: tuple[tuple[str, str], ...] = (
    (r"第三产业增加值占", "share.tertiary"),
    (r"^(区级|第三产业|第二产业)", ""),  # a part of the total, not the registry's measure
    (r"税收(总)?收入|税收总额", "tax"),
    (r"营业收入", "revenue"),
    (r"从业人员", "employees"),
    (r"跨国公司地区总部", "hq.multinational"),
    (r"^新设国有及集体", "new_entities.state-collective"),
    (r"^新设私营", "new_entities.private"),
    (r"^新设外商投资", "new_entities.foreign"),
    (r"^新设个体", "new_entities.individual"),
    (r"新设各类市场主体", "new_entities"),
    (r"^国有及集体企业户数", "entities.state-collective"),
    (r"^私营企业户数", "entities.private"),
    (r"^外商投资企业户数", "entities.foreign"),
    (r"^个体工商户户数", "entities.individual"),
    (r"登记在册各类市场主体", "entities"),
    (r"登记在册各类企业", "enterprises"),
)
# The unit a measure's figures must be published in to be set beside the registry's.
MEASURE_UNITS = {"tax": "万元", "revenue": "万元", "employees": "persons", "share.tertiary": "%"}

SCHEMA = {
    "row": pl.Int64,
    "district": pl.String,
    "adcode": pl.String,
    "year": pl.Int32,
    "indicator": pl.String,
    "value": pl.Float64,
    "unit": pl.String,
    "value_base": pl.Float64,
    "unit_base": pl.String,
    "measure": pl.String,
    "note": pl.String,
    "source_url": pl.String,
    "source_doc": pl.String,
}


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    key: str  # import.reason.*
    value: str

    def said(self) -> dict[str, Any]:
        """The problem as a nested message of an error's values (errors.said)."""
        return problem(self.row, self.column, self.key, {"value": self.value})


@dataclass(frozen=True)
class Statistics:
    rows: pl.DataFrame  # SCHEMA, one row per valid figure
    problems: list[Problem]


def _clean(text: str | None) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def measure_of(indicator: str, unit_base: str) -> str | None:
    """The registry measure a published indicator maps to, or None."""
    for pattern, measure in MEASURE_RULES:
        if re.search(pattern, indicator):
            wanted = MEASURE_UNITS.get(measure, "entities")
            return measure if measure and unit_base == wanted else None
    return None


def parse_statistics(frame: pl.DataFrame) -> Statistics:
    """Check and normalise a file read by `ingest.read.read_table` (all text, with ROW)."""
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise InputError(
            "statistics.missing_columns",
            missing=", ".join(missing),
            present=", ".join(c for c in frame.columns if c != ROW),
        )
    rows: list[dict[str, object]] = []
    problems: list[Problem] = []
    for record in frame.iter_rows(named=True):
        row, found = record[ROW], len(problems)
        adcode, indicator = _clean(record["adcode"]), _clean(record["indicator"])
        unit = _clean(record["unit"])
        unit = UNIT_SPELLINGS.get(unit, unit)
        if not re.fullmatch(r"\d{6}", adcode):
            problems.append(Problem(row, "adcode", "import.reason.not_an_adcode", adcode))
        if not indicator:
            problems.append(Problem(row, "indicator", "import.reason.empty", ""))
        if unit not in UNITS:
            problems.append(Problem(row, "unit", "import.reason.unknown_unit", unit))
        year_text = _clean(record["year"])
        year = int(year_text) if re.fullmatch(r"(19|20)\d\d", year_text) else None
        if year_text and year is None:
            problems.append(Problem(row, "year", "import.reason.not_a_year", year_text))
        value = _number(_clean(record["value"]))
        if value is None:
            problems.append(Problem(row, "value", "import.reason.not_a_number", _clean(record["value"])))
        if len(problems) > found or value is None:
            continue
        factor, unit_base = UNITS[unit]
        rows.append(
            {
                "row": row,
                "district": _clean(record["district"]),
                "adcode": adcode,
                "year": year,
                "indicator": indicator,
                "value": value,
                "unit": unit,
                "value_base": value * factor,
                "unit_base": unit_base,
                "measure": measure_of(indicator, unit_base),
                **{c: (_clean(record.get(c)) or None) for c in ("source_url", "source_doc")},
                "note": _clean(record.get("yoy_or_note")) or None,
            }
        )
    parsed = pl.DataFrame(rows, schema=SCHEMA)
    repeated = parsed.filter(pl.struct("adcode", "year", "indicator").is_duplicated())
    problems += [
        Problem(r, "indicator", "import.reason.repeated_figure", i)
        for r, i in repeated.select("row", "indicator").rows()
    ]
    return Statistics(parsed.filter(~pl.col("row").is_in(repeated["row"].implode())), problems)


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None
