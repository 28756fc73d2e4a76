"""What every command shares: the store option, exit codes, JSON and human output."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from districtlens.config import DB_ENV, DEFAULT_DB
from districtlens.store import Store, open_store
from districtlens.store.db import StoreError

EXIT_OK = 0
EXIT_REJECTED = 1  # the input was refused; nothing was written
EXIT_USAGE = 2

console = Console(stderr=True)

DbOption = Annotated[
    Path,
    typer.Option("--db", envvar=DB_ENV, help="The store (a DuckDB file).", show_default=True),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object for machines.")]
DEFAULT_DB_PATH = DEFAULT_DB


def print_problems(report: Any) -> None:
    """The refusal line and the first problems of an import report (enterprises, tenants ...)."""
    from rich.table import Table

    if report.errors_total and not report.written:
        console.print(
            f"[bold red]rejected:[/] {report.rejected} invalid row(s) of {report.rows_read}; "
            "nothing was written (use --skip-invalid to write the valid rows)"
        )
    table = Table("row", "column", "reason", title="problems", show_edge=False)
    for error in report.errors[:20]:
        table.add_row(str(error["row"]), error["column"], error["reason"])
    if report.errors:
        console.print(table)
        if report.errors_total > 20:
            console.print(f"... and {report.errors_total - 20} more")


def emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


def fail(message: str, code: int = EXIT_REJECTED) -> NoReturn:
    console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


_stdin_read: list[str] = []


def read_stdin() -> str:
    """Standard input, read once; kept so a command handed to a running server can pass it on."""
    if not _stdin_read:
        _stdin_read.append(sys.stdin.read())
    return _stdin_read[0]


@contextmanager
def store_at(path: Path, *, read_only: bool = False) -> Iterator[Store]:
    """Open the store for a command, turning store errors into a clear message and exit 1.

    While `districtlens serve` holds the store (DuckDB lets one process open it for writing), the
    command is handed to that server, which runs it on its own open store (web/handover.py); in
    the server, this yields that store.
    """
    from districtlens.web.handover import forward, served_store

    served = served_store.get()
    if served is not None:
        if Path(path).resolve() != served.path:
            fail(f"the server holds {served.path}, not {path}")
        yield served
        return
    try:
        store = open_store(path, read_only=read_only)
    except StoreError as exc:
        if "lock" in str(exc).lower():
            code = forward(path, sys.argv[1:], _stdin_read[0] if _stdin_read else None)
            if code is not None:
                raise typer.Exit(code) from None
            fail(
                f"{exc}\nanother process holds the store; no `districtlens serve` of it is running to take "
                "the command: retry when that process ends"
            )
        fail(str(exc))
    try:
        yield store
    finally:
        store.close()
