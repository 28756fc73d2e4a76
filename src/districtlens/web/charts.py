"""Every chart's data as CSV: the same numbers the chart draws, under translated headers, offered
as a download link beside it (a data: address, so no request and no route of its own).

A spec may carry its own table (`csv`: {header, rows}); otherwise the table follows its kind.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from districtlens.export import FORMULA_LEADS

Gettext = Callable[[str], str]


def _cell(value: Any) -> Any:
    """A text cell that a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in FORMULA_LEADS:
        return "'" + value
    return "" if value is None else value


def chart_table(spec: dict[str, Any], _: Gettext) -> tuple[list[str], list[list[Any]]]:
    """(header, rows) of the chart `spec`, headers in the page's language."""
    if "csv" in spec:
        return list(spec["csv"]["header"]), [list(r) for r in spec["csv"]["rows"]]
    kind = spec["kind"]
    if kind in ("line", "bar"):
        x_name = spec.get("x_name") or _("Year" if kind == "line" else "Name")
        return [x_name, spec.get("name") or _("Value")], [[x, y] for x, y in zip(spec["x"], spec["y"], strict=False)]
    if kind == "stack":
        header = [spec.get("x_name") or _("Year"), *(s["name"] for s in spec["series"])]
        return header, [[x, *(s["data"][i] for s in spec["series"])] for i, x in enumerate(spec["x"])]
    if kind == "map":
        rows = [[d["name"], d["adcode"], d["value"]] for d in spec["values"]]
        return [_("District"), _("Code"), spec.get("legend") or spec.get("name") or _("Value")], rows
    if kind == "graph":
        statuses = spec.get("statuses", {})
        rows = [
            [label, stage, statuses.get(status, status)]
            for label, stage, status in zip(spec["labels"], spec["stage_names"], spec["status"], strict=True)
        ]
        return [_("Link"), _("Stage"), _("Status")], rows
    raise ValueError(f"no table for a chart of kind {kind}")


def chart_csv(spec: dict[str, Any], _: Gettext) -> str:
    """A data: address holding the chart's table as CSV (UTF-8 with a byte-order mark, so that
    spreadsheets read the Chinese right)."""
    header, rows = chart_table(spec, _)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_cell(h) for h in header])
    writer.writerows([_cell(v) for v in row] for row in rows)
    return "data:text/csv;charset=utf-8," + quote("\ufeff" + out.getvalue())
