"""Enterprises: the import end to end (read, validate, locate, then write all or nothing), the
export, and one enterprise's history.

The demo build imports its synthetic registry through `import_frame`, so that synthetic data
takes exactly the road real data takes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
from pydantic import BaseModel

from districtlens.commands.base import Args, Context, command
from districtlens.errors import NotFound, UsageError
from districtlens.export import write_table
from districtlens.ingest.enterprises import prepare_roster
from districtlens.ingest.locate import Gazetteer
from districtlens.ingest.read import ROW, read_table
from districtlens.ingest.reasons import LANGUAGE, listed, rejects_table
from districtlens.ingest.report import ImportReport
from districtlens.ingest.validate import Validated, validate
from districtlens.store import enterprises as stored
from districtlens.store.histories import History, history

MAX_ERRORS_LISTED = 1000


class ImportEnterprises(Args):
    file: Path
    source: str | None = None
    skip_invalid: bool = False
    decimal_comma: bool = False  # the file writes 1.234,5: a comma marks the decimals
    lang: str = LANGUAGE  # of the reasons said in the report and the rejects file


@command("import.enterprises", writes=True)
def import_enterprises(ctx: Context, args: ImportEnterprises) -> ImportReport:
    """Import an enterprise roster file (CSV or XLSX), keyed by (uscc, year). Refuses a file that is
    not a roster; the report's `written` says whether the store changed. With `skip_invalid`, the
    valid rows are written and the invalid ones go to FILE.rejects.csv, said in `lang`."""
    return import_file(
        ctx,
        args.file,
        source_name=args.source,
        skip_invalid=args.skip_invalid,
        decimal_comma=args.decimal_comma,
        lang=args.lang,
    )


def import_file(
    ctx: Context,
    path: Path,
    *,
    source_name: str | None = None,
    skip_invalid: bool = False,
    decimal_comma: bool = False,
    lang: str = "en",
) -> ImportReport:
    ctx.progress("reading")
    table = read_table(path, decimal_comma=decimal_comma)
    ctx.progress("validating")
    checked = validate(table.frame, table.conventions)
    source = {
        "name": source_name or path.name,
        "kind": "roster",
        "file_name": path.name,
        "file_sha256": table.sha256,  # taken meanwhile
        "encoding": table.encoding,
    }
    del table  # the text of every cell, as read: the typed rows replace it (at 1M rows, 400 MB)
    report = _write_validated(ctx, checked, source=source, synthetic=False, skip_invalid=skip_invalid, lang=lang)
    report.encoding = source["encoding"]
    if report.errors_total and skip_invalid:
        rejects = path.with_name(f"{path.stem}.rejects.csv")
        write_table(rejects_table(report.error_rows, lang), rejects)
        report.rejects_file = str(rejects)
    return report


def import_frame(
    ctx: Context,
    frame: pl.DataFrame,
    *,
    source: dict[str, Any],
    synthetic: bool,
    skip_invalid: bool = False,
    action: str = "import enterprises",
) -> ImportReport:
    """Import a roster already read as text columns (with the ROW column)."""
    if ROW not in frame.columns:
        frame = frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
    ctx.progress("validating")
    return _write_validated(
        ctx, validate(frame), source=source, synthetic=synthetic, skip_invalid=skip_invalid, action=action
    )


def _write_validated(
    ctx: Context,
    checked: Validated,
    *,
    source: dict[str, Any],
    synthetic: bool,
    skip_invalid: bool,
    action: str = "import enterprises",
    lang: str = "en",
) -> ImportReport:
    report = ImportReport(
        source=source["name"],
        rows_read=checked.rows_read,
        duplicates=checked.duplicates,
        rejected=checked.rejected_rows,
        errors_total=checked.errors.height,
        errors=listed(checked.errors, lang, MAX_ERRORS_LISTED),
        error_rows=checked.errors,
    )
    if checked.errors.height and not skip_invalid:
        return report
    store = ctx.store
    ctx.progress("locating")
    zone_streets, zone_roads = stored.zone_places(store)
    gazetteer = Gazetteer.default().with_zones(zone_streets, zone_roads)
    roster = prepare_roster(checked, gazetteer, stored.placed_addresses(store))
    ctx.progress("writing")
    counts = stored.write_roster(
        store,
        enterprises=roster.enterprises,
        facts=roster.facts,
        keys=roster.keys,
        columns=roster.columns,
        source=source,
        synthetic=synthetic,
        actor=ctx.actor,
        action=action,
    )
    report.inserted, report.updated, report.unchanged = counts.inserted, counts.updated, counts.unchanged
    report.written = counts.ledger_seq is not None
    report.ledger_seq = counts.ledger_seq
    return report


class ExportEnterprises(Args):
    out: Path


class Exported(BaseModel):
    out: str
    rows: int


@command("export.enterprises", writes=False)
def export_enterprises(ctx: Context, args: ExportEnterprises) -> Exported:
    """Every enterprise with its location and latest facts, as CSV or XLSX; formula-leading text
    is neutralised."""
    if args.out.suffix.lower() not in (".csv", ".xlsx"):
        raise UsageError("file.bad_suffix", path=str(args.out), suffixes=".csv, .xlsx")
    frame = stored.export_frame(ctx.store)
    write_table(frame, args.out)
    return Exported(out=str(args.out), rows=frame.height)


class EnterpriseHistory(Args):
    uscc: str


@command("history", writes=False)
def enterprise_history(ctx: Context, args: EnterpriseHistory) -> History:
    """Every version of an enterprise and of its yearly facts, with validity and source."""
    found = history(ctx.store, args.uscc)
    if not found["enterprise"]:
        raise NotFound("enterprise.unknown", uscc=args.uscc)
    return found
