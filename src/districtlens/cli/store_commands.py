"""Commands of the foundation: import and export enterprises, the ledger, an enterprise's history."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from districtlens.cli import app
from districtlens.cli.common import (
    DEFAULT_DB_PATH,
    EXIT_REJECTED,
    DbOption,
    JsonOption,
    console,
    emit_json,
    fail,
    print_problems,
    store_at,
)
from districtlens.export import write_table
from districtlens.importer import import_file
from districtlens.ingest.read import ReadError
from districtlens.ingest.validate import SchemaError
from districtlens.store import enterprises as stored
from districtlens.store import ledger
from districtlens.store.histories import history

import_app = typer.Typer(help="Bring a source's file into the store (all or nothing).", no_args_is_help=True)
export_app = typer.Typer(help="Write what the store holds to CSV or XLSX.", no_args_is_help=True)
ledger_app = typer.Typer(help="The hash-chained record of every write.", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")
app.add_typer(ledger_app, name="ledger")


@import_app.command("enterprises")
def import_enterprises(
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8, UTF-8 BOM, GB18030/GBK) or XLSX roster.")],
    source: Annotated[str | None, typer.Option("--source", help="Name of the source (default: file name).")] = None,
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Write the valid rows; invalid ones go to FILE.rejects.csv.")
    ] = False,
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
) -> None:
    """Import an enterprise roster, keyed by (uscc, year). Any invalid row and nothing is written."""
    with (
        store_at(db) as store,
        Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=as_json,
        ) as bar,
    ):
        task = bar.add_task("importing", total=None)
        try:
            report = import_file(
                store,
                file,
                source_name=source,
                skip_invalid=skip_invalid,
                progress=lambda stage: bar.update(task, description=stage),
            )
        except (ReadError, SchemaError) as exc:
            if as_json:
                emit_json({"source": source or file.name, "written": False, "error": str(exc)})
            fail(f"{file}: {exc}")
    if as_json:
        emit_json(report.as_json())
    else:
        _print_report(report)
    if report.errors_total and not skip_invalid:
        raise typer.Exit(EXIT_REJECTED)


def _print_report(report) -> None:
    print_problems(report)
    if report.written or not report.errors_total:
        console.print(
            f"{report.source}: {report.rows_read} rows read, {report.inserted} inserted, "
            f"{report.updated} updated, {report.unchanged} unchanged, {report.duplicates} duplicates, "
            f"{report.rejected} rejected" + (f" (see {report.rejects_file})" if report.rejects_file else "")
        )


@export_app.command("enterprises")
def export_enterprises(
    out: Annotated[Path, typer.Option("--out", help="Output file, .csv or .xlsx.")],
    db: DbOption = DEFAULT_DB_PATH,
) -> None:
    """Every enterprise with its location and latest facts; formula-leading text is neutralised."""
    if out.suffix.lower() not in (".csv", ".xlsx"):
        fail("--out must end in .csv or .xlsx", code=2)
    with store_at(db, read_only=True) as store:
        frame = stored.export_frame(store)
    write_table(frame, out)
    console.print(f"{frame.height} enterprises written to {out}")


@ledger_app.command("verify")
def ledger_verify(db: DbOption = DEFAULT_DB_PATH, as_json: JsonOption = False) -> None:
    """Check the hash chain and every row the ledger vouches for. Exit 1 naming the first break."""
    with store_at(db, read_only=True) as store:
        verdict = ledger.verify(store.con)
    if as_json:
        emit_json(
            {"intact": verdict.intact, "entries": verdict.entries, "rows": verdict.rows, "problem": verdict.problem}
        )
    elif verdict.intact:
        console.print(f"intact: {verdict.entries} entries, {verdict.rows} rows checked")
    else:
        console.print(f"[bold red]broken:[/] {verdict.problem}")
    if not verdict.intact:
        raise typer.Exit(EXIT_REJECTED)


@ledger_app.command("head")
def ledger_head(db: DbOption = DEFAULT_DB_PATH) -> None:
    """Print the latest entry's hash (the data snapshot a briefing cites)."""
    with store_at(db, read_only=True) as store:
        typer.echo(ledger.head(store.con))


@ledger_app.command("log")
def ledger_log(
    limit: Annotated[int, typer.Option("--limit", help="How many entries, newest first.")] = 20,
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
) -> None:
    """The latest entries of the ledger."""
    with store_at(db, read_only=True) as store:
        entries = ledger.entries(store.con, limit)
    if as_json:
        emit_json([e.__dict__ for e in entries])
        return
    table = Table("seq", "ts", "actor", "action", "hash", show_edge=False)
    for e in entries:
        table.add_row(str(e.seq), e.ts, e.actor, e.action, e.hash[:16])
    console.print(table)


@app.command("history")
def enterprise_history(
    uscc: Annotated[str, typer.Argument(help="Unified social credit code.")],
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
) -> None:
    """Every version of an enterprise and of its yearly facts, with validity and source."""
    with store_at(db, read_only=True) as store:
        found = history(store, uscc)
    if not found["enterprise"]:
        fail(f"no enterprise with uscc {uscc}")
    if as_json:
        emit_json(found)
        return
    for title, rows in found.items():
        console.print(f"[bold]{title}[/]")
        console.print(str(pl.DataFrame(rows, infer_schema_length=None)))
