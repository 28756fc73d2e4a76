"""Builders shared by the tests of every area."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from districtlens.ingest.validate import uscc_check_char

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def make_uscc(n: int, region: str = "310106") -> str:
    """A valid unified social credit code, distinct for each n."""
    body = f"91{region}MA{n:07d}"[:17]
    return body + uscc_check_char(body)


def roster_rows(n: int, years=(2022, 2023), district: str = "静安区") -> list[dict[str, str]]:
    return [
        {
            "uscc": make_uscc(i),
            "name": f"上海样本{i}信息科技有限公司",
            "address": f"上海市{district}南京西路{100 + i}号",
            "industry_code": "6513",
            "founded": "2018-06-01",
            "year": str(year),
            "revenue": f"{1000 + 10 * i + year - 2000:.2f}",
            "employees": str(10 + i),
        }
        for i in range(n)
        for year in years
    ]


def write_csv(
    path: Path,
    rows: list[dict[str, str]],
    *,
    encoding: str = "utf-8",
    newline: str = "\n",
    headers: dict[str, str] | None = None,
) -> Path:
    frame = pl.DataFrame(rows)
    if headers:
        frame = frame.rename(headers)
    text = frame.write_csv().replace("\n", newline)
    path.write_bytes(text.encode(encoding))
    return path
