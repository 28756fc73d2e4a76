"""Validation of enterprise rosters: which rows the store may take, and why the others may not.

A row is keyed by (uscc, year). It is invalid when the unified social credit code (read after
NFKC, so full-width characters count as their ASCII forms) is empty or fails the GB 32100-2015
check character; the name is empty; the industry code is not a GB/T 4754-2017 four-digit class; a
number does not parse, is negative or has a comma that does not group thousands (a decimal comma
is ambiguous unless the import says the file uses one); a date does not parse, does not exist or
is a bare year; or another row has the same key with different values (then both are invalid).
A row identical to an earlier row of the same file is a duplicate, counted and dropped. A file
with yearly facts but no year column is refused whole.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import polars as pl

from districtlens.errors import InputError
from districtlens.facts import FACT_COLUMNS
from districtlens.ingest.read import AS_USUAL, ROW, SERIAL_TEXT, Conventions
from districtlens.ingest.reasons import reason, unpivoted
from districtlens.refdata import gbt_class_codes

# GB 32100-2015: 18 characters from this alphabet (no I, O, S, V, Z); the 18th checks the first 17.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# 16 bits hold a weighted sum (at most 17 x 30 x 30 = 15,300): a quarter of the memory of 64,
# and 0.28 -> 0.17 s for a million codes.
USCC_WEIGHTS = np.array([pow(3, i, 31) for i in range(17)], dtype=np.int16)
_CHAR_VALUE = np.full(256, -1, dtype=np.int16)
for _value, _char in enumerate(USCC_ALPHABET):
    _CHAR_VALUE[ord(_char)] = _value


def uscc_check_char(code17: str) -> str:
    """The check character of the first 17 characters of a credit code (GB 32100-2015, 4.2)."""
    values = [USCC_ALPHABET.index(c) for c in code17]
    total = int(np.dot(values, USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(code: str | None) -> bool:
    return bool(valid_uscc_mask(pl.Series([code], dtype=pl.Utf8))[0])


def valid_uscc_mask(codes: pl.Series) -> np.ndarray:
    """Vectorised GB 32100-2015 check over a column of codes (nulls are invalid)."""
    filled = codes.fill_null("")
    # 18 bytes and 18 characters: ASCII only, so each character is one byte below.
    shaped = ((filled.str.len_bytes() == 18) & (filled.str.len_chars() == 18)).to_numpy()
    valid = np.zeros(len(codes), dtype=bool)
    if not shaped.any():
        return valid
    raw = filled.filter(pl.Series(shaped)).str.join("").item().encode("ascii")
    chars = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 18)
    values = _CHAR_VALUE[chars]
    well_formed = (values >= 0).all(axis=1)
    check = (31 - (values[:, :17] @ USCC_WEIGHTS) % 31) % 31
    valid[np.flatnonzero(shaped)] = well_formed & (check == values[:, 17])
    return valid


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # code, text, class, number, year, date
    aliases: tuple[str, ...]


COLUMNS: tuple[Column, ...] = (
    Column("uscc", "code", ("统一社会信用代码", "社会信用代码", "信用代码", "credit_code")),
    Column("name", "text", ("企业名称", "公司名称", "名称", "company", "company_name")),
    Column("name_en", "text", ("英文名称", "企业英文名称", "english_name")),
    Column("legal_form", "text", ("企业类型", "组织形式", "公司类型")),
    Column("address", "text", ("注册地址", "住所", "地址", "registered_address")),
    Column("industry_code", "class", ("行业代码", "国民经济行业代码", "行业", "gbt_class")),
    Column("founded", "date", ("成立日期", "注册日期", "founding_date")),
    Column("status", "text", ("登记状态", "经营状态", "企业状态")),
    Column("year", "year", ("年份", "年度", "统计年度")),
    Column("revenue", "number", ("营业收入(万元)", "营业收入", "revenue_10k_cny")),
    Column("tax", "number", ("税收(万元)", "纳税额(万元)", "税收", "纳税额")),
    Column("employees", "number", ("从业人员", "从业人员数", "从业人数", "职工人数")),
    Column("rd_spend", "number", ("研发投入(万元)", "研发费用(万元)", "研发投入", "研发费用")),
    Column("business_scope", "text", ("经营范围", "scope")),
    Column("tags", "text", ("标签", "tag")),
    Column("ownership_type", "text", ("企业性质", "经济类型", "所有制类型", "登记注册类型", "ownership")),
    Column("hq_status", "text", ("总部类型", "总部认定", "总部", "headquarters")),
)
REQUIRED = ("uscc", "name")
ENTERPRISE_COLUMNS = tuple(c.name for c in COLUMNS if c.name not in FACT_COLUMNS and c.name not in ("uscc", "year"))
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y%m%d", "%Y.%m.%d")
EXCEL_EPOCH = np.datetime64("1899-12-30")  # Excel's day 0 (it counts 1900 as a leap year)
# A text cell is an Excel serial only when every filled cell of its date column is an integer in
# this range (1954-10-03 to 2064-04-08): a column of serials exported without their format.
TEXT_SERIALS = (20_000, 60_000)
BARE_YEAR = r"^\d{4}$"  # 2015 is a year, never a date (nor Excel's day 2015, 1905-07-07)
THOUSANDS = r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$"  # 1,234,567.89
DECIMAL_COMMA = r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d*)?$"  # 1.234.567,89 or 1234,5 (--decimal-comma)


def header_key(header: str) -> str:
    """Compare headers as a person would: full-width brackets, case and spaces do not matter."""
    return "".join(unicodedata.normalize("NFKC", header).lower().split())


_ALIASES = {header_key(a): c.name for c in COLUMNS for a in (c.name, *c.aliases)}


def canonical_names(headers: list[str]) -> dict[str, str]:
    """The canonical name of each header that has one."""
    return {h: _ALIASES[header_key(h)] for h in headers if h != ROW and header_key(h) in _ALIASES}


def map_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """Rename known headers (English or Chinese) to canonical names; drop the others."""
    renames: dict[str, str] = {}
    for header in frame.columns:
        if header == ROW:
            continue
        canonical = _ALIASES.get(header_key(header))
        if canonical is None:
            continue
        if canonical in renames.values():
            first = next(h for h, c in renames.items() if c == canonical)
            raise InputError("roster.synonym_columns", first=first, second=header, column=canonical)
        renames[header] = canonical
    missing = [c for c in REQUIRED if c not in renames.values()]
    if missing:
        wanted = {c.name: c.aliases[0] for c in COLUMNS}
        raise InputError(
            "roster.missing_columns",
            missing=", ".join(f"{m} ({wanted[m]})" for m in missing),
            present=", ".join(h for h in frame.columns if h != ROW),
        )
    return frame.select(ROW, *[pl.col(h).alias(c) for h, c in renames.items()])


@dataclass(frozen=True)
class Validated:
    rows: pl.DataFrame  # the valid rows, typed, one per (uscc, year), canonical columns + ROW
    errors: pl.DataFrame  # reasons.ERROR_SCHEMA: row, column, key, values (one row per problem)
    rows_read: int
    duplicates: int
    columns: tuple[str, ...]  # canonical columns the file carried

    @property
    def rejected_rows(self) -> int:
        return self.errors["row"].n_unique() if self.errors.height else 0


def validate(frame: pl.DataFrame, conventions: Conventions = AS_USUAL) -> Validated:
    """Type every column and sort rows into valid and invalid, giving every reason."""
    conventions = conventions.renamed(canonical_names(frame.columns))
    frame = map_columns(frame)
    present = tuple(c.name for c in COLUMNS if c.name in frame.columns)
    facts = [c for c in FACT_COLUMNS if c in present]
    if facts and "year" not in present:
        raise InputError("roster.facts_without_year", columns=", ".join(facts))
    spec = {c.name: c for c in COLUMNS}
    conventions = with_text_serials(frame, [n for n in present if spec[n].kind == "date"], conventions)
    parsed = {name: typed_column(name, spec[name].kind, conventions) for name in present}
    # Typed values and a cheap flag first; the reasons (built per cell) only for flagged rows,
    # which in a clean roster are none. The flags are computed from the typed values once those
    # exist, so that no column is parsed twice.
    blanks = {name: f"_blank_{name}" for name in parsed}
    typed = frame.lazy().select(
        ROW, *[p.value.alias(n) for n, p in parsed.items()], *[p.blank.alias(blanks[n]) for n, p in parsed.items()]
    )
    checked = (
        typed.collect()
        .lazy()
        .select(ROW, *parsed, pl.any_horizontal(p.bad_given(n, blanks[n]) for n, p in parsed.items()).alias("_bad"))
        .collect()
    )
    flagged = checked["_bad"]
    errors = unpivoted(frame.filter(flagged).select(ROW, *[p.problem.alias(name) for name, p in parsed.items()]))
    clean = checked.filter(~flagged).drop("_bad")
    if "year" not in present:
        clean = clean.with_columns(pl.lit(None, dtype=pl.Int32).alias("year"))

    # Identical repeats are harmless; the same key with other values is a conflict. Only rows
    # sharing a key can be either, so only they are compared whole.
    value_columns = [c for c in clean.columns if c != ROW]
    shared = clean.filter(pl.len().over("uscc", "year") > 1)
    repeats = shared.filter(~pl.struct(value_columns).is_first_distinct())[ROW]
    deduplicated = clean.filter(~pl.col(ROW).is_in(repeats.implode())) if repeats.len() else clean
    duplicates = repeats.len()
    # Conflicts are among the rows that shared a key before the repeats went: look only there.
    unrepeated = shared.filter(~pl.col(ROW).is_in(repeats.implode())) if repeats.len() else shared
    conflicted = unrepeated.filter(pl.len().over("uscc", "year") > 1)
    if conflicted.height:
        # Each row with the other rows of its key. (A list set-difference over the joined frame
        # panicked in polars 1.x/2.1 when the file also had invalid rows: its chunks differed.)
        keyed = conflicted.select(ROW, "uscc", "year")
        others = (
            keyed.join(keyed.rename({ROW: "other"}), on=["uscc", "year"], nulls_equal=True)
            .filter(pl.col(ROW) != pl.col("other"))
            .group_by(ROW)
            .agg(pl.col("other").sort().cast(pl.Utf8).str.join(", ").alias("others"))
        )
        conflict_errors = others.select(
            pl.col(ROW).cast(pl.Int64).alias("row"),
            pl.lit("uscc+year").alias("column"),
            reason("import.reason.same_key_conflict", rows=pl.col("others")).alias("reason"),
        ).unnest("reason")
        errors = pl.concat([errors, conflict_errors])
        deduplicated = deduplicated.join(conflicted.select(ROW), on=ROW, how="anti")
    errors = errors.sort("row", "column")
    return Validated(deduplicated, errors, frame.height, duplicates, present)


def _blank(name: str) -> pl.Expr:
    return pl.col(name).is_null() | (pl.col(name).str.strip_chars() == "")


@dataclass(frozen=True)
class Parsed:
    """A column read as its kind: the typed value, whether the cell is blank, the test that tells
    from those two whether the cell cannot be taken (cheap: no reason is built), and why
    (reasons.reason, meaningful where `bad`)."""

    value: pl.Expr
    blank: pl.Expr
    check: Callable[[pl.Expr, pl.Expr], pl.Expr]  # (value, blank) -> bad
    why: pl.Expr  # reasons.reason

    @property
    def bad(self) -> pl.Expr:
        return self.check(self.value, self.blank)

    def bad_given(self, value: str, blank: str) -> pl.Expr:
        """`bad` over columns that already hold the value and the blank flag: polars does not
        reliably reuse a parse shared by two expressions, and a date is parsed five ways."""
        return self.check(pl.col(value), pl.col(blank))

    @property
    def problem(self) -> pl.Expr:
        """The reason where the cell is bad, else null."""
        return pl.when(self.bad).then(self.why)


def typed_column(name: str, kind: str, conventions: Conventions = AS_USUAL) -> Parsed:
    """The column `name` read as `kind` (code, text, class, number, year, date) under the file's
    `conventions` (read.Table.conventions): the one parser of every roster-like file
    (enterprises, tenants ...)."""
    raw = pl.col(name)
    stripped = raw.str.strip_chars()
    blank = _blank(name)
    if kind == "code":
        code = raw.str.normalize("NFKC").str.strip_chars().str.to_uppercase()
        why = pl.when(blank).then(reason("import.reason.empty_uscc")).otherwise(_uscc_problem(code))
        return Parsed(code, blank, lambda v, b: b | ~_valid_uscc(v), why)
    if kind == "text":
        value = pl.when(blank).then(None).otherwise(raw)  # stored exactly as given
        required = (lambda v, b: b) if name == "name" else (lambda v, b: pl.lit(False))
        return Parsed(value, blank, required, reason("import.reason.empty_name"))
    if kind == "class":
        codes = sorted(gbt_class_codes())
        value = pl.when(blank).then(None).otherwise(stripped)
        return Parsed(
            value, blank, lambda v, b: ~b & ~v.is_in(codes), reason("import.reason.not_a_class", value=stripped)
        )
    if kind == "number":
        number = _number(stripped, decimal_comma=conventions.decimal_comma)
        unparsed = ~blank & number.is_null()
        misplaced, key = (
            (".", "import.reason.point_not_thousands")
            if conventions.decimal_comma
            else (",", "import.reason.comma_not_thousands")
        )
        why = (
            pl.when(unparsed & stripped.str.contains(misplaced, literal=True))
            .then(reason(key, value=raw))
            .when(unparsed)
            .then(reason("import.reason.not_a_number", value=raw))
            .when(number < 0)
            .then(reason("import.reason.negative", value=raw))
            .otherwise(reason("import.reason.not_finite", value=raw))
        )
        return Parsed(number, blank, lambda v, b: ~b & ~(v.is_finite() & (v >= 0)).fill_null(False), why)
    if kind == "year":
        year = stripped.cast(pl.Int32, strict=False)
        return Parsed(
            year,
            blank,
            lambda v, b: (~b & (v.is_null() | (v < 1900) | (v > 2100))).fill_null(False),
            reason("import.reason.not_a_year", value=raw),
        )
    if kind == "date":
        serials = _serials(stripped, name, conventions)
        parsed = pl.struct(stripped.alias("text"), serials.alias("serial")).map_batches(_dates, return_dtype=pl.Date)
        why = (
            pl.when(stripped.str.contains(BARE_YEAR))
            .then(reason("import.reason.year_not_date", value=raw))
            .otherwise(reason("import.reason.no_such_date", value=raw))
        )
        return Parsed(parsed, blank, lambda v, b: ~b & v.is_null(), why)
    raise ValueError(f"unknown column kind {kind}")


def _valid_uscc(codes: pl.Expr) -> pl.Expr:
    return codes.map_batches(lambda s: pl.Series(valid_uscc_mask(s)), return_dtype=pl.Boolean)


def _uscc_problem(code: pl.Expr) -> pl.Expr:
    """Why a (normalised) credit code is not valid: its length, a character outside the code's
    alphabet, or its check character."""
    outside = code.str.replace_all(f"[{USCC_ALPHABET}]", "")
    expected = code.map_batches(_expected_check_chars, return_dtype=pl.Utf8)
    return (
        pl.when(code.str.len_chars() != 18)
        .then(reason("import.reason.uscc_length", code=code, length=code.str.len_chars()))
        .when(outside != "")
        .then(reason("import.reason.uscc_characters", code=code, characters=outside))
        .otherwise(reason("import.reason.uscc_check", code=code, expected=expected))
    )


def _expected_check_chars(codes: pl.Series) -> pl.Series:
    """The check character the first 17 characters call for (null where they cannot have one);
    taken only for the rows already found invalid."""
    return pl.Series(
        [
            uscc_check_char(c[:17]) if c and len(c) == 18 and all(ch in USCC_ALPHABET for ch in c[:17]) else None
            for c in codes.to_list()
        ],
        dtype=pl.Utf8,
    )


def _number(text: pl.Expr, *, decimal_comma: bool) -> pl.Expr:
    """A number as written: commas group thousands (1,234.5), or with `decimal_comma` points group
    thousands and a comma marks the decimals (1.234,5). Anything else with a comma or, under
    `decimal_comma`, a point is no number: 1234,56 is refused, not read as 123456."""
    if decimal_comma:
        plain = text.str.contains(DECIMAL_COMMA) | ~text.str.contains(r"[.,]")
        digits = text.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
    else:
        plain = text.str.contains(THOUSANDS) | ~text.str.contains(",", literal=True)
        digits = text.str.replace_all(",", "", literal=True)
    return pl.when(plain).then(digits.cast(pl.Float64, strict=False))


def _serials(text: pl.Expr, name: str, conventions: Conventions) -> pl.Expr:
    """Which cells of a date column are Excel serial days: the number cells of an XLSX (a date
    cell without its format), not its text cells; in a text file, every cell of a column
    `with_text_serials` found to hold them. Never a bare year."""
    integer = text.str.contains(f"^{SERIAL_TEXT.pattern}$") & ~text.str.contains(BARE_YEAR)
    if conventions.excel_numbers:
        texts = conventions.text_cells.get(name)
        return integer & ~pl.col(ROW).is_in(sorted(texts)) if texts else integer
    return integer & (name in conventions.text_serials)


def with_text_serials(frame: pl.DataFrame, dates: list[str], conventions: Conventions) -> Conventions:
    """`conventions` with the date columns of a text file whose filled cells are all integers in
    TEXT_SERIALS (Excel serials exported without their format). Decided over the whole column,
    before any row is set apart: call it on the frame as read, with the date columns' names."""
    if conventions.excel_numbers or not dates or frame.is_empty():
        return conventions
    low, high = TEXT_SERIALS
    found = frame.select(
        (_blank(c) | pl.col(c).str.strip_chars().cast(pl.Int64, strict=False).is_between(low, high))
        .fill_null(False)
        .all()
        .alias(c)
        for c in dates
    ).row(0, named=True)
    return replace(conventions, text_serials=frozenset(c for c, serial in found.items() if serial))


def _dates(cells: pl.Series) -> pl.Series:
    """Each cell read by the first of DATE_FORMATS that reads it, else, where `_serials` says so,
    as an Excel serial day. A file writes its dates one way: each later format tries only the
    cells still unread, instead of every format parsing every cell."""
    text, serial = cells.struct.field("text"), cells.struct.field("serial")
    parsed = text.str.strptime(pl.Date, DATE_FORMATS[0], strict=False)
    for form in DATE_FORMATS[1:]:
        unread = (parsed.is_null() & text.is_not_null()).arg_true()
        if unread.is_empty():
            return parsed
        parsed = parsed.scatter(unread, text.gather(unread).str.strptime(pl.Date, form, strict=False))
    unread = (parsed.is_null() & serial.fill_null(False)).arg_true()
    if unread.is_empty():
        return parsed
    days = text.gather(unread).to_frame("text").select(_excel_serial(pl.col("text"))).to_series()
    return parsed.scatter(unread, days)


def _excel_serial(text: pl.Expr) -> pl.Expr:
    """Excel stores dates as days since 1899-12-30 (the fraction is the time of day)."""
    days = text.cast(pl.Float64, strict=False).floor().cast(pl.Int32, strict=False)
    return pl.when(days.is_between(1, 2_958_465)).then(pl.lit(EXCEL_EPOCH).cast(pl.Date) + pl.duration(days=days))
