"""What every command shares: the store and JSON options, running a command, exit codes, output.

A CLI command parses its options into the command's typed arguments, runs the command through
`run` (on the store it opens, or through the server that holds it: districtlens.commands), and
renders the result: `--json` prints the result's JSON, otherwise the command's renderer prints it
for people. Refusals (`DistrictlensError`) become exit code 1 (usage errors 2) in one place, the
root group (`cli.ErrorsToExitCodes`).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console

from districtlens.config import DB_ENV, DEFAULT_DB
from districtlens.errors import DistrictlensError
from districtlens.i18n import LANG_ENV, LANGUAGES

if TYPE_CHECKING:
    from districtlens.commands.base import Args, Command

A = TypeVar("A", bound="Args")
R = TypeVar("R")

EXIT_OK = 0
EXIT_REJECTED = 1  # the input was refused; nothing was written
EXIT_USAGE = 2

console = Console(stderr=True)
out_console = Console()

DbOption = Annotated[
    Path,
    typer.Option("--db", envvar=DB_ENV, help="The store (a DuckDB file).", show_default=True),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object for machines.")]
DecimalCommaOption = Annotated[
    bool,
    typer.Option(
        "--decimal-comma",
        help="The file writes 1.234,5: a comma marks decimals (without it, 1234,56 is refused as ambiguous).",
    ),
]
LangOption = Annotated[
    str | None,
    typer.Option("--lang", help="Language of the whys and labels printed: zh, en or fr (default: $DISTRICTLENS_LANG)."),
]
DEFAULT_DB_PATH = DEFAULT_DB


# The --lang of the command running, once it is read (`chosen_language`): its refusals are said in
# it too. The root group (cli.app) clears it around each command.
ASKED_LANGUAGE: ContextVar[str | None] = ContextVar("asked_language", default=None)


def language() -> str:
    """The language of the CLI's messages: the command's --lang, else $DISTRICTLENS_LANG (zh, en
    or fr), else English."""
    chosen = ASKED_LANGUAGE.get() or os.environ.get(LANG_ENV, "en")
    return chosen if chosen in LANGUAGES else "en"


def chosen_language(lang: str | None) -> str:
    """The --lang given (zh, en or fr), else the environment's (`language`); what the rest of the
    command says, its refusals included, follows it."""
    if lang is None:
        return language()
    if lang not in LANGUAGES:
        from districtlens.i18n import t

        fail(t("cli.bad_lang", language(), languages=", ".join(LANGUAGES)), code=EXIT_USAGE)
    ASKED_LANGUAGE.set(lang)
    return lang


def emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


def run(
    db: Path,
    command: Command[A, R],
    args: A,
    *,
    as_json: bool,
    render: Callable[[R], None],
    progress: Callable[[str], None] | None = None,
) -> R:
    """Run `command` on the store at `db` and print its result: JSON, or `render`. A refusal is
    printed as JSON too under --json, then raised for the root group to turn into an exit code."""
    try:
        result = execute_command(db, command, args, progress=progress)
    except DistrictlensError as exc:
        if as_json:
            emit_json({"error": exc.message(language()), "key": exc.key, "values": exc.values})
        raise
    if as_json:
        emit_json(command.dump(result))
    else:
        render(result)
    return result


def execute_command(db: Path, command: Command[A, R], args: A, *, progress: Callable[[str], None] | None = None) -> R:
    from districtlens.commands.runner import execute

    return execute(db.resolve(), command, args, progress=progress)


def fail(message: str, code: int = EXIT_REJECTED) -> NoReturn:
    """Print a usage problem the CLI itself finds (before any command runs), already said in the
    CLI's language, and exit with `code`."""
    print_error(message)
    raise typer.Exit(code)


def refuse(key: str, code: int = EXIT_USAGE, **values: Any) -> NoReturn:
    """`fail` with the message `key` said in the CLI's language."""
    from districtlens.i18n import t

    fail(t(key, language(), **values), code)


def report_error(exc: DistrictlensError) -> None:
    print_error(exc.message(language()))


def print_error(message: str) -> None:
    from rich.markup import escape

    from districtlens.i18n import t

    console.print(f"[bold red]{escape(t('cli.error', language()))}[/] {escape(message)}", highlight=False)


def counted(key: str, count: int, lang: str, **values: Any) -> str:
    """The message `key.one` or `key.other`, whichever `lang`'s plural rule (CLDR) takes for
    `count` (French says 0 and 1 in the singular, Chinese has one form), {count} written as the
    locale writes numbers."""
    from babel import Locale

    from districtlens.i18n import LOCALES, number, t

    form = "one" if Locale.parse(LOCALES[lang]).plural_form(count) == "one" else "other"
    return t(f"{key}.{form}", lang, count=number(count, lang), **values)


def listed(parts: list[str], lang: str) -> str:
    """Parts of a sentence joined as `lang` joins a list (", " or "，")."""
    from districtlens.i18n import t

    return t("cli.import.list_separator", lang).join(parts)


def print_problems(report: Any, lang: str) -> None:
    """The refusal line and the first problems of an import report (enterprises, tenants ...), each
    reason said in `lang` from its key and values."""
    from rich.markup import escape
    from rich.table import Table

    from districtlens.i18n import number, t
    from districtlens.ingest.reasons import column_label, said

    if report.errors_total and not report.written:
        refused = t(
            "cli.problems.rejected",
            lang,
            rejected=number(report.rejected, lang),
            rows_read=number(report.rows_read, lang),
        )
        console.print(f"[bold red]{escape(refused)}[/]")
    columns = (t(f"cli.problems.{c}", lang) for c in ("row", "column", "reason"))
    table = Table(*columns, title=t("cli.problems.title", lang), show_edge=False)
    for error in report.errors[:20]:
        table.add_row(
            str(error["row"]),
            escape(column_label(error["column"], lang)),
            escape(said(error["key"], error["values"], lang)),
        )
    if report.errors:
        console.print(table)
        if report.errors_total > 20:
            console.print(t("cli.problems.more", lang, more=number(report.errors_total - 20, lang)))


def print_import_counts(report: Any, lang: str, tail: str = "") -> None:
    """What an import read, wrote and refused, in `lang`; `tail`, already said, ends the line."""
    from districtlens.i18n import t

    names = ("rows_read", "inserted", "updated", "unchanged", "duplicates", "rejected")
    counts = listed([counted(f"cli.import.count.{name}", getattr(report, name), lang) for name in names], lang)
    said = t("cli.import.counted", lang, source=report.source, counts=counts)
    if report.rejects_file:
        said += t("cli.import.rejects_file", lang, file=report.rejects_file)
    console.print(said + tail, highlight=False, markup=False)


def absolute(path: Path) -> Path:
    """A file named on the command line, as the absolute path the server reads it by."""
    return Path(path).expanduser().resolve()
