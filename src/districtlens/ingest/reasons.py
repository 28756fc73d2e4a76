"""Why a row is refused, kept as data: a message key (`import.reason.*`) and the values that fill
it, never a sentence. Validation builds them as polars expressions (`reason`), one struct
{key, values} per bad cell, `values` being a JSON object; the edges say them in the reader's
language: the report's JSON (`listed`: key, values and the text), the CLI's table and the
rejects file (`rejects_table`: headers, column names and reasons in the language asked).
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl
from pydantic import Field

from districtlens.i18n import LANGUAGES, decimal, number, t
from districtlens.ingest.read import ROW

# The problems of an import: one row per bad cell (a row may have several).
ERROR_SCHEMA = {"row": pl.Int64, "column": pl.Utf8, "key": pl.Utf8, "values": pl.Utf8}
NO_VALUES = "{}"
# The `lang` argument of an import command: zh, en or fr (English unless told).
LANGUAGE: Any = Field("en", pattern=f"^({'|'.join(LANGUAGES)})$")


def reason(key: str, **values: pl.Expr | str) -> pl.Expr:
    """The reason `key` with its `values` (expressions or texts), as a struct {key, values}: a
    text value is shown as given, a number in the reader's locale."""
    fields = [(v if isinstance(v, pl.Expr) else pl.lit(v)).alias(name) for name, v in values.items()]
    encoded = pl.struct(fields).struct.json_encode() if fields else pl.lit(NO_VALUES)
    return pl.struct(pl.lit(key).alias("key"), encoded.alias("values"))


def unpivoted(problems: pl.DataFrame) -> pl.DataFrame:
    """ERROR_SCHEMA rows from a frame of ROW and one reason column per checked column (null
    where the cell is good)."""
    return (
        problems.unpivot(index=ROW, variable_name="column", value_name="reason")
        .drop_nulls("reason")
        .unnest("reason")
        .rename({ROW: "row"})
        .select(pl.col("row").cast(pl.Int64), "column", "key", "values")
    )


def said(key: str, values: dict[str, Any], lang: str) -> str:
    """The reason in `lang`, its numbers written as the locale writes them."""
    return t(key, lang, **{name: _shown(value, lang) for name, value in values.items()})


def column_key(column: str) -> str:
    """The message naming a checked column (`uscc+year`, two columns, is `uscc_year`)."""
    return f"import.column.{column.replace('+', '_')}"


def column_label(column: str, lang: str) -> str:
    """A checked column by its name in `lang`."""
    return t(column_key(column), lang)


def listed(errors: pl.DataFrame, lang: str, limit: int | None = None) -> list[dict[str, Any]]:
    """The first `limit` problems for a report's JSON: row, column, key, values, and `reason`, the
    text in `lang`."""
    shown = errors if limit is None else errors.head(limit)
    out = []
    for row, column, key, encoded in shown.select("row", "column", "key", "values").iter_rows():
        values = json.loads(encoded)
        out.append({"row": row, "column": column, "key": key, "values": values, "reason": said(key, values, lang)})
    return out


def problem(row: int, column: str, key: str, values: dict[str, Any] | None = None) -> dict[str, Any]:
    """One problem of a refused file as a nested message of an error's values
    (errors.said): "row 3, credit code: <the reason>" in the reader's language."""
    return {
        "key": "import.problem_at",
        "values": {
            "row": row,
            "column": {"key": column_key(column)},
            "reason": {"key": key, "values": values or {}},
        },
    }


def problems_of(errors: pl.DataFrame, limit: int) -> list[dict[str, Any]]:
    """The first `limit` problems of an ERROR_SCHEMA frame as `problem`s, for an error that refuses
    the whole file."""
    return [
        problem(row, column, key, json.loads(encoded))
        for row, column, key, encoded in errors.head(limit).select("row", "column", "key", "values").iter_rows()
    ]


def rejects_table(errors: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Every problem as people read it in `lang`: row, column name, reason, under headers in
    `lang` (the rejects file)."""
    texts = [said(key, json.loads(encoded), lang) for key, encoded in errors.select("key", "values").iter_rows()]
    labels = {column: column_label(column, lang) for column in errors["column"].unique().to_list()}
    return pl.DataFrame(
        {
            t("cli.problems.row", lang): errors["row"],
            t("cli.problems.column", lang): errors["column"].replace_strict(labels, return_dtype=pl.Utf8),
            t("cli.problems.reason", lang): pl.Series(texts, dtype=pl.Utf8),
        }
    )


def _shown(value: Any, lang: str) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return number(value, lang)
    if isinstance(value, float):
        return decimal(value, lang)
    return str(value)
