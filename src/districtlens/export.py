"""Writing tables that people open in spreadsheets: CSV (UTF-8 with BOM, so Excel reads Chinese)
or XLSX, chosen by the file's extension.

A text cell that begins with =, +, -, @, a tab or a carriage return would be run as a formula by
Excel or LibreOffice (CSV/formula injection, OWASP). Every such cell is written with a leading
apostrophe, which spreadsheets show as text. The store keeps the text exactly as given; only
exports neutralise it.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """The same table with every formula-leading text cell prefixed by an apostrophe."""
    pattern = "^[" + "".join("\\" + c if c in "-+" else c for c in FORMULA_LEADS) + "]"
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(pattern)).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c, dtype in frame.schema.items()
        if dtype == pl.Utf8
    )


def headed(frame: pl.DataFrame, lang: str) -> pl.DataFrame:
    """`frame` with each column headed in `lang` (`export.column.<column>`): a spreadsheet shows
    people words, never the code's column names."""
    from districtlens.i18n import t

    return frame.rename({column: t(f"export.column.{column}", lang) for column in frame.columns})


def write_table(frame: pl.DataFrame, path: str | Path) -> Path:
    """Write `frame` as CSV or XLSX (by extension), neutralised for spreadsheets."""
    path = Path(path)
    safe = neutralise(frame)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        safe.write_excel(path, autofit=False)
    elif suffix == ".csv":
        path.write_bytes(b"\xef\xbb\xbf" + safe.write_csv().encode("utf-8"))
    else:
        raise ValueError(f"{path.name}: export to .csv or .xlsx")
    return path
