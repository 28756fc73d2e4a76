"""Reading tabular files as they arrive: CSV in UTF-8 (with or without BOM) or GB18030/GBK, with
CRLF, LF or CR line ends, and XLSX. Every cell is read as text so that validation, not the reader, decides what a
value means, and nothing is silently coerced."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import os
import re
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from itertools import pairwise
from pathlib import Path
from typing import IO, NoReturn
from xml.etree import ElementTree

import numpy as np
import polars as pl

from districtlens.errors import InputError, NotFound

BOM = b"\xef\xbb\xbf"
ROW = "__row__"  # the row number a spreadsheet shows for the record (the header is row 1)


# hashlib lets go of the GIL on a large buffer: a file is digested on another thread while it is
# decoded and its rows checked, which mostly hold the GIL or run on one core.
_DIGESTS = ThreadPoolExecutor(1, thread_name_prefix="file-sha256")


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
import zipfile
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
            stdin, _, _ = _pipes(child)
            stdin.write(part)
            stdin.close()
            children.append(child)
        decoded = [_decode_here(*parts[0])]
        for (start, _), child in zip(parts[1:], children, strict=True):
            _, stdout, stderr = _pipes(child)
            output = stdout.read()
            err = stderr.read().decode("ascii", "replace")
            if child.wait() != 0:
                if not err.isdigit():
                    raise InputError("read.decoding_failed", reason=err.strip())
                _undecodable(start + int(err))
            decoded.append(output)
        return b"".join(decoded)


def _pipes(child: subprocess.Popen[bytes]) -> tuple[IO[bytes], IO[bytes], IO[bytes]]:
    """stdin, stdout and stderr of a child started with a pipe for each (Popen types them Optional)."""
    if child.stdin is None or child.stdout is None or child.stderr is None:
        raise RuntimeError("a decoding process was started without its pipes")
    return child.stdin, child.stdout, child.stderr


def _end(child: subprocess.Popen[bytes]) -> None:
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


@dataclass(frozen=True)
class Conventions:
    """How a file writes its values, where the cells alone cannot tell; every importer hands them
    to `validate.typed_column` with the frame."""

    decimal_comma: bool = False  # 1.234,5 (the import says so); otherwise a comma only groups thousands
    excel_numbers: bool = False  # an XLSX: the number cells of a date column are Excel serial days
    # An XLSX: by column, the rows whose cell is text that reads as a number (never a serial day).
    text_cells: Mapping[str, frozenset[int]] = field(default_factory=dict)
    text_serials: frozenset[str] = frozenset()  # date columns of a text file holding Excel serials

    def renamed(self, renames: Mapping[str, str]) -> Conventions:
        """The same conventions for the columns under the names a validator gives them."""
        return replace(self, text_cells={renames[h]: rows for h, rows in self.text_cells.items() if h in renames})


AS_USUAL = Conventions()  # points mark decimals, and no cell is an Excel serial unless shown to be


@dataclass(frozen=True)
class Table:
    frame: pl.DataFrame  # every column Utf8 with the header as in the file, plus ROW
    encoding: str  # utf-8, utf-8-sig, gb18030 or xlsx
    digest: Future[str]  # the file's SHA-256, being taken
    conventions: Conventions = AS_USUAL

    @property
    def sha256(self) -> str:
        """The file's SHA-256 (ask for it as late as possible: it is taken in the background)."""
        return self.digest.result()


MAX_CELL_CHARS = 32_767  # Excel's limit: a longer cell never came from a spreadsheet
# An XLSX is a zip: its declared sizes are checked before anything is inflated (zipfile stops at
# the declared size and fails the CRC check past it, so a lying header cannot get round them).
MAX_XLSX_EXPANDED = 512 * 2**20
MAX_XLSX_RATIO = 200  # sheet XML deflates 5-30x; a compression bomb about 1,000x
XLSX_RATIO_FROM = 2**20  # smaller parts may compress as they like: they cannot hurt
RESERVED_PREFIX = "__"  # columns the reader adds (ROW) are named so; a file's header may not be
HEADER_PROBE = 2**20  # the header row is read from the file's first megabyte
CELLS_NAMED = 10  # cells named in a refusal; the count says how many more
SERIAL_TEXT = re.compile(r"\d{1,7}(\.\d+)?")  # how an Excel serial day reads (the fraction: the time)


def read_table(path: str | Path, *, decimal_comma: bool = False) -> Table:
    """The one reader of every importer: a CSV/TSV (UTF-8 with or without BOM, GB18030/GBK; LF,
    CRLF or CR line ends) or the first sheet of an XLSX, every cell as text. A file that cannot be
    read exactly is refused, naming the row and column: a row with more or fewer fields than the
    header, a file cut mid-row, a header named twice or with a reserved name, a NUL byte, a cell
    longer than a spreadsheet cell can be, a formula without its saved value, and an XLSX that
    would inflate beyond MAX_XLSX_EXPANDED or MAX_XLSX_RATIO."""
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
        del raw
        frame, text_cells = _read_xlsx(path)
        _check_cells(frame, path.name, may_hold_nul=True)
        return Table(frame, "xlsx", digest, Conventions(decimal_comma, excel_numbers=True, text_cells=text_cells))
    has_nul = b"\x00" in raw
    utf8, encoding = to_utf8(raw)
    del raw
    frame = _read_csv(utf8, path.name, "\t" if suffix == ".tsv" else ",")
    _check_cells(frame, path.name, may_hold_nul=has_nul)
    return Table(frame, encoding, digest, Conventions(decimal_comma))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _checked_header(names: list[str], file: str) -> list[str]:
    """The header's names, stripped, a blank one named by its position; refused when a name is
    reserved or given twice (the CSV reader would keep the first and the XLSX reader the last)."""
    named = [name.strip().lstrip("\ufeff").strip() or f"column_{i + 1}" for i, name in enumerate(names)]
    first: dict[str, int] = {}
    for position, name in enumerate(named, start=1):
        if name.startswith(RESERVED_PREFIX):
            raise InputError("read.reserved_header", file=file, column=name, position=position)
        if name in first:
            raise InputError("read.duplicate_header", file=file, column=name, first=first[name], second=position)
        first[name] = position
    return named


def _read_csv(utf8: bytes, file: str, separator: str) -> pl.DataFrame:
    if b"\r" in utf8 and b"\n" not in utf8:
        utf8 = utf8.replace(b"\r", b"\n")  # old Mac line ends: the CSV reader splits lines at \n only
    header = _checked_header(_csv_header(utf8, separator), file)
    try:
        frame = pl.read_csv(utf8, infer_schema=False, separator=separator, truncate_ragged_lines=False)
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        _check_field_counts(utf8, separator, header, file, exact=True)  # to name the row, where it can
        raise InputError("read.bad_csv", file=file, reason=str(exc)) from exc
    if frame.width != len(header):
        widths = {"read": frame.width, "header": len(header)}
        raise InputError("read.bad_csv", file=file, reason={"key": "read.width_mismatch", "values": widths})
    frame = frame.rename(dict(zip(frame.columns, header, strict=True)))
    # A short row leaves its last cells null, as do empty cells: only then are the fields counted.
    if frame.height and frame.get_column(header[-1]).null_count():
        _check_field_counts(utf8, separator, header, file)
    return frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))


def _csv_header(utf8: bytes, separator: str) -> list[str]:
    head = utf8[:HEADER_PROBE].decode("utf-8", errors="ignore")
    return next(csv.reader(io.StringIO(head, newline=""), delimiter=separator), [])


def _check_field_counts(utf8: bytes, separator: str, header: list[str], file: str, *, exact: bool = False) -> None:
    """Refuse the first record with more or fewer fields than the header (a blank line is a blank
    record, as the table has it); a short last record of a file without a final line end is a
    file cut mid-row. `_miscounted_record` finds whether there is one, fast; the csv module, exact
    about quotes, then finds it (and clears a file whose quotes only looked odd). `exact`: the
    table could not be read at all: look at once, and refuse a quote left open too."""
    if not exact and not _miscounted_record(utf8, separator, len(header)):
        return
    text = utf8.decode("utf-8")
    records = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=exact)
    width, row = len(header), 1
    try:
        next(records, None)
        for row, fields in enumerate(records, start=2):
            count = len(fields)
            if count in (0, width):
                continue
            if count > width:
                raise InputError("read.long_row", file=file, row=row, fields=count, expected=width)
            if not text.endswith(("\n", "\r")) and next(records, None) is None:
                raise InputError(
                    "read.cut_row", file=file, row=row, column=header[count - 1], fields=count, expected=width
                )
            raise InputError("read.short_row", file=file, row=row, column=header[count], fields=count, expected=width)
    except csv.Error as exc:
        raise InputError("read.bad_quotes", file=file, row=row + 1, reason=str(exc)) from exc


SCAN_CHUNK = 16 * 2**20  # bytes counted at a time: a few arrays of this size at once


def _miscounted_record(utf8: bytes, separator: str, width: int) -> bool:
    """Whether a line other than the first has other than `width` fields (blank lines aside),
    counting separators and line feeds outside double quotes, a chunk at a time with numpy
    (about 0.5 s for 1M rows, where the csv module takes 11 s)."""
    data = np.frombuffer(utf8, dtype=np.uint8)
    inside = False  # a quote opened before the chunk is still open
    open_separators, open_length = 0, 0  # of the line still open at the chunk's start
    header = True  # the first line is the header, not a record
    for start in range(0, len(data), SCAN_CHUNK):
        chunk = data[start : start + SCAN_CHUNK]
        feeds, per_line, tail, inside = _line_fields(chunk, ord(separator), inside)
        per_line[:1] += open_separators
        lengths = np.diff(feeds, prepend=-1) - 1
        if not len(feeds):
            open_separators, open_length = open_separators + tail, open_length + len(chunk)
            continue
        lengths[0] += open_length
        blank = (lengths == 0) | ((lengths == 1) & (chunk[np.maximum(feeds - 1, 0)] == ord("\r")))
        wrong = (per_line != width - 1) & ~blank
        wrong[0] &= not header
        header = False
        if wrong.any():
            return True
        open_separators, open_length = tail, len(chunk) - 1 - int(feeds[-1])
    return open_length > 0 and not header and open_separators != width - 1


def _line_fields(chunk: np.ndarray, separator: int, inside: bool) -> tuple[np.ndarray, np.ndarray, int, bool]:
    """The line feeds of a chunk outside quotes, the separators outside quotes on each line they
    end, those after the last feed, and whether a quote is open at the chunk's end.

    Quotes are few: the spans between a quote and the next are found from their positions, and a
    separator counts unless it is in one, with lookups of the few feeds and quotes among the
    separators (no pass over every byte but the three comparisons)."""
    quotes = np.flatnonzero(chunk == ord('"'))
    if inside:
        quotes = np.concatenate([[-1], quotes])
    feeds = np.flatnonzero(chunk == ord("\n"))
    separators = np.flatnonzero(chunk == separator)
    if len(quotes):
        feeds = feeds[np.searchsorted(quotes, feeds) % 2 == 0]  # an odd count of quotes before: quoted
        opens, closes = quotes[0::2], np.append(quotes[1::2], len(chunk))[: len(quotes[0::2])]
        quoted = np.searchsorted(separators, closes) - np.searchsorted(separators, opens)
        quoted_before = np.concatenate([[0], np.cumsum(quoted)])
        before = np.searchsorted(separators, feeds) - quoted_before[np.searchsorted(closes, feeds)]
        total = len(separators) - int(quoted.sum())
    else:
        before = np.searchsorted(separators, feeds)
        total = len(separators)
    per_line = np.diff(before, prepend=0)
    tail = total - (int(before[-1]) if len(before) else 0)
    return feeds, per_line, tail, bool(len(quotes) % 2)


def _check_cells(frame: pl.DataFrame, file: str, *, may_hold_nul: bool) -> None:
    """Refuse the first cell holding a NUL byte or more characters than a spreadsheet cell can."""
    columns = [c for c in frame.columns if c != ROW]
    if not columns or frame.is_empty():
        return
    # A cell is never longer in characters than in bytes: the byte length (no scan) clears almost all.
    suspects = [pl.col(c).str.len_bytes() > MAX_CELL_CHARS for c in columns]
    if may_hold_nul:
        suspects += [pl.col(c).str.contains("\x00", literal=True) for c in columns]
    flagged = frame.filter(pl.any_horizontal(suspects).fill_null(False))
    for row in flagged.iter_rows(named=True):
        for column in columns:
            value = row[column]
            if value is None:
                continue
            if "\x00" in value:
                raise InputError("read.nul_byte", file=file, row=row[ROW], column=column)
            if len(value) > MAX_CELL_CHARS:
                raise InputError(
                    "read.cell_too_long", file=file, row=row[ROW], column=column, chars=len(value), limit=MAX_CELL_CHARS
                )


def _check_zip(path: Path) -> None:
    """Refuse an XLSX whose parts would inflate beyond the limits, from the sizes its zip declares."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError("read.bad_xlsx", file=path.name, reason=str(exc)) from exc
    expanded = sum(p.file_size for p in parts)
    if expanded > MAX_XLSX_EXPANDED:
        raise InputError(
            "read.xlsx_too_large", file=path.name, expanded_mib=expanded // 2**20, limit_mib=MAX_XLSX_EXPANDED // 2**20
        )
    for part in parts:
        if part.file_size > XLSX_RATIO_FROM and part.file_size > MAX_XLSX_RATIO * max(part.compress_size, 1):
            raise InputError(
                "read.xlsx_ratio",
                file=path.name,
                part=part.filename,
                ratio=part.file_size // max(part.compress_size, 1),
                limit=MAX_XLSX_RATIO,
            )


def _read_xlsx(path: Path) -> tuple[pl.DataFrame, dict[str, frozenset[int]]]:
    """The first sheet as text, and the rows, by column, of its text cells that read as numbers."""
    from openpyxl import load_workbook

    _check_zip(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InputError("read.bad_xlsx", file=path.name, reason=str(exc)) from exc
    try:
        sheet = book.worksheets[0]
        uncached = _uncached_formulas(path, sheet._worksheet_path)  # the sheet's part in the zip
        if uncached:
            raise InputError(
                "read.uncached_formulas", file=path.name, count=len(uncached), cells=", ".join(uncached[:CELLS_NAMED])
            )
        return _sheet_frame(sheet.iter_rows(values_only=True), path.name)
    except (zipfile.BadZipFile, zlib.error, EOFError, ElementTree.ParseError) as exc:  # a part damaged or lying
        raise InputError("read.bad_xlsx", file=path.name, reason=str(exc)) from exc
    finally:
        book.close()


def _sheet_frame(rows: Iterator[tuple[object, ...]], file: str) -> tuple[pl.DataFrame, dict[str, frozenset[int]]]:
    header = next(rows, None)
    if not header or all(h is None for h in header):
        raise InputError("read.no_header", file=file)
    names = _checked_header(["" if h is None else str(h) for h in header], file)
    columns: list[list[str | None]] = [[] for _ in names]
    texts: list[list[int]] = [[] for _ in names]
    row_numbers: list[int] = []
    for number, row in enumerate(rows, start=2):
        if row is None or all(v is None for v in row):
            continue  # a blank sheet row is formatting, not a record
        row_numbers.append(number)
        for i, column in enumerate(columns):
            value = row[i] if i < len(row) else None
            if isinstance(value, str) and SERIAL_TEXT.fullmatch(value.strip()):
                texts[i].append(number)
            column.append(_cell_text(value))
    frame = pl.DataFrame(dict(zip(names, columns, strict=True)), schema=dict.fromkeys(names, pl.Utf8))
    text_cells = {name: frozenset(found) for name, found in zip(names, texts, strict=True) if found}
    return frame.with_columns(pl.Series(ROW, row_numbers, dtype=pl.Int64)), text_cells


def _uncached_formulas(path: Path, sheet_part: str) -> list[str]:
    """The cells (A1 style) of the sheet holding a formula but no saved value: a file written by a
    program, never opened in a spreadsheet. Such a cell reads as empty, which it is not."""
    with zipfile.ZipFile(path) as archive:
        xml = archive.read(sheet_part.lstrip("/"))
    if b"<f" not in xml and b":f" not in xml:  # no formula element at all: the common case
        return []
    cells: list[str] = []
    for _, element in ElementTree.iterparse(io.BytesIO(xml)):
        if element.tag.rsplit("}", 1)[-1] != "c":
            continue
        children = {child.tag.rsplit("}", 1)[-1]: child for child in element}
        if "f" in children and not _saved_value(element, children.get("v")):
            cells.append(element.get("r", "?"))
        element.clear()
    return cells


def _saved_value(cell: ElementTree.Element, value: ElementTree.Element | None) -> bool:
    """Whether a formula cell holds its result: a value element, empty only for a text result
    (a program writing formulas leaves an empty one in a number cell)."""
    if value is None:
        return False
    return bool(value.text) or cell.get("t") == "str"


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
