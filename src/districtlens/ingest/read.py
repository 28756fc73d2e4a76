"""Reading tabular files as they arrive: CSV in UTF-8 (with or without BOM) or GB18030/GBK, CRLF
or LF, and XLSX. Every cell is read as text so that validation, not the reader, decides what a
value means, and nothing is silently coerced."""

from __future__ import annotations

import datetime as dt
import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polars as pl

BOM = b"\xef\xbb\xbf"
ROW = "__row__"  # the row number a spreadsheet shows for the record (the header is row 1)


class ReadError(Exception):
    """A file that cannot be read as a table, with a message a person can act on."""


@dataclass(frozen=True)
class Table:
    frame: pl.DataFrame  # every column Utf8 with the header as in the file, plus ROW
    encoding: str  # utf-8, utf-8-sig, gb18030 or xlsx
    sha256: str


def to_utf8(raw: bytes) -> tuple[bytes, str]:
    """UTF-8 bytes and the encoding they came from: a BOM means UTF-8, valid UTF-8 is UTF-8, and
    anything else must be GB18030 (a superset of GBK and GB2312, the encodings Chinese
    spreadsheets and government systems write)."""
    if raw.startswith(BOM):
        return raw[len(BOM) :], "utf-8-sig"
    try:
        raw.decode("utf-8")
        return raw, "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ReadError(f"the file is neither UTF-8 nor GB18030/GBK (undecodable byte at offset {exc.start})") from exc
    return text.encode("utf-8"), "gb18030"


def read_table(path: str | Path) -> Table:
    path = Path(path)
    if not path.exists():
        raise ReadError(f"no such file: {path}")
    raw = path.read_bytes()
    if not raw or raw.isspace():
        raise ReadError(f"{path} is empty")
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".csv", ".txt", ".tsv"):
        raise ReadError(f"{path.name}: expected a .csv or .xlsx file")
    # hashlib lets go of the GIL on a large buffer: the file is digested on the other core while
    # it is decoded, which holds the GIL.
    with ThreadPoolExecutor(1) as pool:
        digest = pool.submit(_sha256, raw)
        if suffix in (".xlsx", ".xlsm"):
            return Table(_read_xlsx(path), "xlsx", digest.result())
        utf8, encoding = to_utf8(raw)
        sha256 = digest.result()
    del raw
    try:
        frame = pl.read_csv(
            utf8,
            infer_schema=False,
            separator="\t" if suffix == ".tsv" else ",",
        )
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise ReadError(f"{path.name} is not a well-formed CSV table: {exc}") from exc
    frame = _strip_header(frame).with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
    return Table(frame, encoding, sha256)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _strip_header(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.rename({c: c.strip().lstrip("\ufeff") for c in frame.columns})


def _read_xlsx(path: Path) -> pl.DataFrame:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ReadError(f"{path.name} is not a readable XLSX workbook: {exc}") from exc
    rows = book.worksheets[0].iter_rows(values_only=True)
    header = next(rows, None)
    if not header or all(h is None for h in header):
        raise ReadError(f"{path.name}: the first sheet has no header row")
    names = [str(h).strip() if h is not None else f"column_{i + 1}" for i, h in enumerate(header)]
    columns: list[list[str | None]] = [[] for _ in names]
    row_numbers: list[int] = []
    for number, row in enumerate(rows, start=2):
        if row is None or all(v is None for v in row):
            continue  # a blank sheet row is formatting, not a record
        row_numbers.append(number)
        for i, column in enumerate(columns):
            column.append(_cell_text(row[i] if i < len(row) else None))
    book.close()
    frame = pl.DataFrame(dict(zip(names, columns, strict=True)), schema=dict.fromkeys(names, pl.Utf8))
    return frame.with_columns(pl.Series(ROW, row_numbers, dtype=pl.Int64))


def _cell_text(value: object) -> str | None:
    """A cell as the text a person sees; dates as ISO so one parser handles every source."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
