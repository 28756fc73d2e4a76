"""Every table of the dashboard, one way: sorted, filtered, paged and exported on the server, the
view carried by the URL so that it can be shared.

A page builds a `Table` from its rows (plain dicts) and its `Column`s; the `data_table` macro
(templates/macros.html) draws it. Its view is read from the query string under the table's id:
`<id>.sort` (a column key, `-key` for descending), `<id>.q` (text every shown cell is searched
for), `<id>.page` and `<id>.size` (one of PAGE_SIZES). `?export=<id>&format=csv|xlsx` answers the
whole filtered, sorted table as a file whose headers are in the user's language, money in the
language's chart unit (Formatter.money_unit): `export_response` before rendering the page.

A table that answers a form (a text read, a briefing verified) has no URL to carry its view: built
with `answer=True`, it shows every row, is sorted in the page (tables.js) and carries its exports
within the page (data: links).
"""

from __future__ import annotations

import base64
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import polars as pl
from fastapi import Request
from fastapi.responses import Response

from districtlens.export import write_table
from districtlens.web.i18n import Formatter

PAGE_SIZES = (10, 25, 50, 100, 500)
DEFAULT_PAGE_SIZE = 25
MAX_PAGE = 10_000
EXPORT_LIMIT = 10_000  # rows of a server-paged table an export takes
KINDS = ("text", "code", "number", "decimal", "money", "percent", "date", "area", "actions")
NUMERIC = frozenset({"number", "decimal", "money", "percent", "area"})
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # English message id: the header, translated
    kind: str = "text"  # one of KINDS: how the cell is shown, sorted and exported ("code": verbatim)
    link: str | None = None  # the row key holding the cell's link, if any
    translate: bool = False  # the cell is a message id (a status, a kind): shown translated
    lang_key: str | None = None  # the row key holding the cell's language (its font follows it)
    exported: bool = True  # False: a column of links or buttons only, left out of exports

    def shown(self, fmt: Formatter, value: Any) -> str:
        """The cell as the page shows it (and as the filter searches it)."""
        if self.kind == "actions":  # (form action, label) pairs: buttons, nothing to search
            return ""
        if self.kind in ("number", "area"):
            return fmt.number(value)
        if self.kind == "decimal":
            return fmt.number(value, 2)
        if self.kind == "money":
            return fmt.money(value)
        if self.kind == "percent":
            return fmt.percent(value)
        if self.kind == "date":
            return fmt.date(value)
        if value is None:
            return ""
        return fmt.gettext(str(value)) if self.translate else str(value)

    def header(self, fmt: Formatter) -> str:
        """The header, with its unit where the cells carry none (areas; money in exports)."""
        label = fmt.gettext(self.label)
        if self.kind == "area":
            return f"{label} (m²)"
        return label


@dataclass(frozen=True)
class View:
    sort: str | None
    descending: bool
    query: str
    page: int
    size: int


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def page_size(params: Mapping[str, str], table_id: str) -> int:
    """The page size the URL asks for a table, one of PAGE_SIZES."""
    size = _int(params.get(f"{table_id}.size"), DEFAULT_PAGE_SIZE)
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


class Table:
    """Rows with their columns and the view the URL asks for; `rows` is the page shown."""

    def __init__(
        self,
        request: Request,
        table_id: str,
        columns: Sequence[Column],
        rows: list[dict[str, Any]],
        fmt: Formatter,
        *,
        default_sort: str | None = None,
        testid: str | None = None,
        row_class: Callable[[dict[str, Any]], str] | None = None,
        total: int | None = None,
        path: str = "",
        answer: bool = False,
    ):
        """`total`: the rows are one page of a search the server pages itself (its order, its
        filter), `total` rows in all; the table then pages and exports, and its sort links ask
        the page for a sorted view (built without `total`, from the rows to sort). `path`: the page its
        links go to, when it is not the one answering (a form's answer, such as /data/verify)."""
        self.id = table_id
        self.path = path
        self.answer = answer
        self.testid = testid or table_id
        self.columns = list(columns)
        self.fmt = fmt
        self.row_class = row_class
        self._params = request.query_params
        self.view = self._view(default_sort)
        self.server_paged = total is not None
        self.sizes = PAGE_SIZES
        if answer:
            self.matching = self.rows = rows
            self.total, self.pages, self.page = len(rows), 1, 1
            return
        if total is not None:
            self.matching = self.rows = rows
            self.total = total
            self.pages = max(1, -(-total // self.view.size))
            self.page = self.view.page
            return
        self.matching = self._sorted(self._filtered(rows))
        self.total = len(self.matching)
        self.pages = max(1, -(-self.total // self.view.size))
        self.page = min(self.view.page, self.pages)
        start = (self.page - 1) * self.view.size
        self.rows = self.matching[start : start + self.view.size]

    @property
    def offset(self) -> int:
        return (self.view.page - 1) * self.view.size

    def _view(self, default_sort: str | None) -> View:
        get = self._params.get
        sort = get(f"{self.id}.sort") or default_sort or ""
        key = sort.lstrip("-")
        size = page_size(self._params, self.id)
        return View(
            sort=key if key in {c.key for c in self.columns} else None,
            descending=sort.startswith("-"),
            query=(get(f"{self.id}.q") or "").strip()[:100],
            page=max(1, min(_int(get(f"{self.id}.page"), 1), MAX_PAGE)),
            size=size,
        )

    def _filtered(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        needle = self.view.query.casefold()
        if not needle:
            return rows
        return [r for r in rows if any(needle in c.shown(self.fmt, r.get(c.key)).casefold() for c in self.columns)]

    def _sorted(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if self.view.sort is None:
            return rows
        column = next(c for c in self.columns if c.key == self.view.sort)
        numeric = column.kind in NUMERIC

        def key(row: dict[str, Any]) -> Any:
            value = row.get(column.key)
            if numeric:
                return float(value) if isinstance(value, int | float) else float("-inf")
            return column.shown(self.fmt, value).casefold() if value is not None else ""

        # Empty cells last either way: sort the filled ones, then append the empty.
        filled = [r for r in rows if r.get(column.key) is not None]
        empty = [r for r in rows if r.get(column.key) is None]
        return sorted(filled, key=key, reverse=self.view.descending) + empty

    # ---- what the macro needs --------------------------------------------------------------

    def url(self, **changes: Any) -> str:
        """This page's query string with this table's view changed (other tables' kept)."""
        params = {k: v for k, v in self._params.items() if k not in ("export", "format", "lang")}
        for name, value in changes.items():
            key = f"{self.id}.{name}"
            if value in (None, ""):
                params.pop(key, None)
            else:
                params[key] = str(value)
        return f"{self.path}?{urlencode(params)}"

    def sort_url(self, column: Column) -> str:
        descending = self.view.sort == column.key and not self.view.descending
        return self.url(sort=("-" if descending else "") + column.key, page=None)

    def export_url(self, kind: str) -> str:
        if self.answer:  # no URL gives this table again: the file itself, as a data: link
            with tempfile.TemporaryDirectory() as folder:
                content = write_table(self.frame(), Path(folder) / f"{self.id}.{kind}").read_bytes()
            return f"data:{EXPORT_TYPES[kind].split(';')[0]};base64,{base64.b64encode(content).decode('ascii')}"
        params = {k: v for k, v in self._params.items() if k not in ("export", "format")}
        return f"{self.path}?{urlencode(dict(params, export=self.id, format=kind))}"

    def hidden_params(self) -> list[tuple[str, str]]:
        """The query parameters the filter form keeps (all but this table's filter and page)."""
        own = (f"{self.id}.q", f"{self.id}.page", f"{self.id}.size")
        return [(k, v) for k, v in self._params.items() if k not in own and k not in ("export", "format")]

    def cell(self, column: Column, row: dict[str, Any]) -> str:
        return column.shown(self.fmt, row.get(column.key))

    # ---- export ----------------------------------------------------------------------------

    def frame(self) -> pl.DataFrame:
        """The filtered, sorted table with translated headers: numbers as numbers, money in the
        language's unit (named in its header), texts as shown."""
        data: dict[str, list[Any]] = {}
        schema: dict[str, Any] = {}
        for column in (c for c in self.columns if c.exported):
            header = column.header(self.fmt)
            values = [row.get(column.key) for row in self.matching]
            if column.kind == "money":
                header = f"{header} ({self.fmt.money_unit})"
                data[header] = [self.fmt.in_money_unit(v) for v in values]
            elif column.kind in NUMERIC:
                data[header] = [float(v) if isinstance(v, int | float) else None for v in values]
            else:
                data[header] = [column.shown(self.fmt, v) if v is not None else None for v in values]
            schema[header] = pl.Float64 if column.kind in NUMERIC else pl.String
        return pl.DataFrame(data, schema=schema)


def export_response(request: Request, *tables: Table, name: str) -> Response | None:
    """The file of the table `?export=` names, in the `?format=` asked; None when none is asked."""
    wanted, kind = request.query_params.get("export"), request.query_params.get("format", "xlsx")
    table = next((t for t in tables if t.id == wanted), None)
    if table is None or kind not in EXPORT_TYPES:
        return None
    with tempfile.TemporaryDirectory() as folder:
        path = write_table(table.frame(), Path(folder) / f"{name}.{kind}")
        content = path.read_bytes()
    return Response(
        content,
        media_type=EXPORT_TYPES[kind],
        headers={"Content-Disposition": f'attachment; filename="{name}-{table.id}.{kind}"'},
    )
