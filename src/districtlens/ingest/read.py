"""Reading tabular files as they arrive: CSV in UTF-8 (with or without BOM) or GB18030/GBK, CRLF
or LF, and XLSX. Every cell is read as text so that validation, not the reader, decides what a
value means, and nothing is silently coerced."""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import os
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import NoReturn

import polars as pl

from districtlens.errors import InputError, NotFound

BOM = b"\xef\xbb\xbf"
ROW = "__row__"  # the row number a spreadsheet shows for the record (the header is row 1)


# hashlib lets go of the GIL on a large buffer: a file is digested on another thread while it is
# decoded and its rows checked, which mostly hold the GIL or run on one core.
_DIGESTS = ThreadPoolExecutor(1, thread_name_prefix="file-sha256")


@dataclass(frozen=True)
class Table:
    frame: pl.DataFrame  # every column Utf8 with the header as in the file, plus ROW
    encoding: str  # utf-8, utf-8-sig, gb18030 or xlsx
    digest: Future[str]  # the file's SHA-256, being taken

    @property
    def sha256(self) -> str:
        """The file's SHA-256 (ask for it as late as possible: it is taken in the background)."""
        return self.digest.result()


def to_utf8(raw: bytes) -> tuple[bytes, str]:
    """UTF-8 bytes and the encoding they came from: a BOM means UTF-8, valid UTF-8 is UTF-8, and
    anything else must be GB18030 (a superset of GBK and GB2312, the encodings Chinese
    spreadsheets and government systems write)."""
    if raw.startswith(BOM):
        return raw[len(BOM) :], "utf-8-sig"
    if _is_utf8(raw):
        return raw, "utf-8"
    return gb18030_to_utf8(raw), "gb18030"


UTF8_PROBE = 2**20  # bytes checked at a time


def _is_utf8(raw: bytes) -> bool:
    """Whether `raw` is valid UTF-8, checked a megabyte at a time: a failing decode copies its
    whole input into the exception (0.13-0.15 s for a 169 MiB GB18030 file failing on its first
    line), and a succeeding one builds a string as large as the file."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(raw)
    try:
        for start in range(0, len(raw), UTF8_PROBE):
            decoder.decode(view[start : start + UTF8_PROBE])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


# Below this size a file is decoded in one piece: a child process costs more than it saves.
PARALLEL_DECODE_FROM = 8 * 2**20
_DECODER = """
import sys
data = sys.stdin.buffer.read()  # all of it first: the parent waits until its part is taken
view, start, decoded = memoryview(data), 0, []
while start < len(data):
    end = data.find(b"\\n", start + (1 << 22)) + 1 or len(data)
    try:
        decoded.append(str(view[start:end], "gb18030").encode("utf-8"))
    except UnicodeDecodeError as exc:
        sys.stderr.write(str(start + exc.start))
        sys.exit(3)
    start = end
sys.stdout.buffer.writelines(decoded)  # once all is decoded: the parent reads when it is done
"""


def gb18030_to_utf8(raw: bytes) -> bytes:
    """GB18030 bytes as UTF-8, a large file on every core.

    Python's codec holds the GIL for the whole call, so threads cannot share the work: the
    file is cut at line ends into one part per core and child processes decode all parts but
    the first while this one decodes it. A cut at a line end never splits a character: no byte
    of a multi-byte GB18030 character is below 0x30, and a line feed is 0x0A. A child decodes a
    few megabytes at a time, holding its part and its output but never the text in between."""
    parts = _line_parts(raw, min(os.cpu_count() or 1, max(1, len(raw) // PARALLEL_DECODE_FROM)))
    with ExitStack() as stack:
        children = []
        for _, part in parts[1:]:
            child = subprocess.Popen(
                [sys.executable, "-I", "-S", "-c", _DECODER],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            stack.callback(_end, child)
            child.stdin.write(part)
            child.stdin.close()
            children.append(child)
        decoded = [_decode_here(*parts[0])]
        for (start, _), child in zip(parts[1:], children, strict=True):
            output = child.stdout.read()
            err = child.stderr.read().decode("ascii", "replace")
            if child.wait() != 0:
                if not err.isdigit():
                    raise InputError("read.decoding_failed", reason=err.strip())
                _undecodable(start + int(err))
            decoded.append(output)
        return b"".join(decoded)


def _end(child: subprocess.Popen) -> None:
    """Stop a decoding process that is still running (this one failed first)."""
    if child.poll() is None:
        child.kill()
    child.wait()


def _line_parts(raw: bytes, count: int) -> list[tuple[int, memoryview]]:
    """(offset, bytes) of up to `count` parts of `raw` of about equal size, each ending at a line
    end; views, not copies, of a file that may be hundreds of megabytes."""
    cuts = [0]
    for k in range(1, count):
        cut = raw.find(b"\n", max(cuts[-1], k * len(raw) // count)) + 1
        if cut <= 0 or cut >= len(raw):
            break
        cuts.append(cut)
    cuts.append(len(raw))
    view = memoryview(raw)
    return [(a, view[a:b]) for a, b in pairwise(cuts)]


def _decode_here(start: int, part: memoryview) -> bytes:
    try:
        return str(part, "gb18030").encode("utf-8")
    except UnicodeDecodeError as exc:
        _undecodable(start + exc.start)


def _undecodable(offset: int) -> NoReturn:
    raise InputError("read.undecodable", offset=offset)


def read_table(path: str | Path) -> Table:
    path = Path(path)
    if not path.exists():
        raise NotFound("file.missing", path=str(path))
    raw = path.read_bytes()
    if not raw or raw.isspace():
        raise InputError("read.empty", path=str(path))
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".csv", ".txt", ".tsv"):
        raise InputError("read.not_a_table_file", file=path.name)
    digest = _DIGESTS.submit(_sha256, raw)
    if suffix in (".xlsx", ".xlsm"):
        return Table(_read_xlsx(path), "xlsx", digest)
    utf8, encoding = to_utf8(raw)
    del raw
    try:
        frame = pl.read_csv(
            utf8,
            infer_schema=False,
            separator="\t" if suffix == ".tsv" else ",",
        )
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise InputError("read.bad_csv", file=path.name, reason=str(exc)) from exc
    frame = _strip_header(frame).with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
    return Table(frame, encoding, digest)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _strip_header(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.rename({c: c.strip().lstrip("\ufeff") for c in frame.columns})


def _read_xlsx(path: Path) -> pl.DataFrame:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InputError("read.bad_xlsx", file=path.name, reason=str(exc)) from exc
    rows = book.worksheets[0].iter_rows(values_only=True)
    header = next(rows, None)
    if not header or all(h is None for h in header):
        raise InputError("read.no_header", file=path.name)
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
