"""Commands of the foundation: import and export enterprises, the ledger, an enterprise's history."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from districtlens.cli.app import app
from districtlens.cli.common import (
    DEFAULT_DB_PATH,
    EXIT_REJECTED,
    DbOption,
    DecimalCommaOption,
    JsonOption,
    LangOption,
    absolute,
    chosen_language,
    console,
    counted,
    print_import_counts,
    print_problems,
    run,
)
from districtlens.errors import DistrictlensError, InputError, NotFound, UsageError
from districtlens.i18n import t

if TYPE_CHECKING:
    from districtlens.ingest.report import ImportReport
    from districtlens.store.histories import History
    from districtlens.store.ledger import Entry, Verdict

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
    decimal_comma: DecimalCommaOption = False,
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Import an enterprise roster, keyed by (uscc, year). Any invalid row and nothing is written."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from districtlens.commands import enterprises

    said_in = chosen_language(lang)
    args = enterprises.ImportEnterprises(
        file=absolute(file), source=source, skip_invalid=skip_invalid, decimal_comma=decimal_comma, lang=said_in
    )
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=as_json,
    ) as bar:
        task = bar.add_task(t("cli.import.importing", said_in), total=None)
        report = run(
            db,
            enterprises.import_enterprises,
            args,
            as_json=as_json,
            render=lambda _: None,
            progress=lambda stage: bar.update(task, description=t(f"progress.{stage}", said_in)),
        )
    if not as_json:
        print_import_report(report, said_in)
    if report.errors_total and not skip_invalid:
        raise typer.Exit(EXIT_REJECTED)


def print_import_report(report: ImportReport, lang: str) -> None:
    print_problems(report, lang)
    if report.written or not report.errors_total:
        print_import_counts(report, lang)


@export_app.command("enterprises")
def export_enterprises(
    out: Annotated[Path, typer.Option("--out", help="Output file, .csv or .xlsx.")],
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Every enterprise with its location and latest facts; formula-leading text is neutralised."""
    from districtlens.commands import enterprises

    chosen = chosen_language(lang)
    run(
        db,
        enterprises.export_enterprises,
        enterprises.ExportEnterprises(out=absolute(out)),
        as_json=as_json,
        render=lambda done: console.print(
            counted("cli.export.written", done.rows, chosen, file=str(out)), highlight=False, markup=False
        ),
    )


KeyOption = Annotated[
    Path | None,
    typer.Option(
        "--key", help="The Commission's Ed25519 key file, as for briefings (default: $DISTRICTLENS_SIGNING_KEY)."
    ),
]


@ledger_app.command("verify")
def ledger_verify(
    checkpoint: Annotated[
        Path | None, typer.Option("--checkpoint", help="Also check against this signed checkpoint (ledger checkpoint).")
    ] = None,
    key: KeyOption = None,
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Check the hash chain and every row the ledger vouches for. Exit 1 naming the first break.
    With --checkpoint, also that the ledger still holds the entry the checkpoint signed."""
    from rich.markup import escape

    from districtlens.commands import ledger

    chosen = chosen_language(lang)

    def render(verdict: Verdict) -> None:
        if verdict.intact:
            entries = counted("cli.ledger.entries", verdict.entries, chosen)
            rows = counted("cli.ledger.rows_checked", verdict.rows, chosen)
            console.print(t("cli.ledger.intact", chosen, entries=entries, rows=rows), highlight=False)
            if verdict.checkpoint is not None:
                console.print(t("ledger.checkpoint_holds", chosen, seq=verdict.checkpoint))
        else:
            problem = ledger.problem_said(verdict, chosen)
            console.print(f"[bold red]{escape(t('cli.ledger.broken', chosen))}[/] {escape(problem)}")

    args = ledger.VerifyLedger()
    if checkpoint is not None:
        args = ledger.VerifyLedger(checkpoint=_read_checkpoint(checkpoint), public_key=_public_pem(key))
    verdict = run(db, ledger.verify, args, as_json=as_json, render=render)
    if not verdict.intact:
        raise typer.Exit(EXIT_REJECTED)


def _read_checkpoint(path: Path) -> dict[str, Any]:
    import json

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise NotFound("ledger.no_checkpoint_file", path=str(path)) from exc
    except (OSError, ValueError) as exc:
        raise InputError("ledger.not_a_checkpoint") from exc
    if not isinstance(document, dict):
        raise InputError("ledger.not_a_checkpoint")
    return document


def _public_pem(key: Path | None) -> str:
    """The public key, as PEM text, of the key file given (private or public)."""
    from districtlens.briefing import signing

    try:
        return signing.public_pem(signing.load_public(signing.key_path(key)))
    except DistrictlensError as exc:  # here the key is an option given wrong: a usage error
        raise UsageError(exc.key, **exc.values) from exc


@ledger_app.command("checkpoint")
def ledger_checkpoint(
    out: Annotated[Path, typer.Option("--out", help="Where to write the checkpoint (keep it outside the store).")],
    key: KeyOption = None,
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Write the ledger's (seq, head), signed with the Commission's key, to OUT: `ledger verify
    --checkpoint OUT` later catches a ledger rewritten since, even consistently."""
    import json

    from districtlens.briefing import signing
    from districtlens.commands import ledger

    chosen = chosen_language(lang)
    if out.exists():
        raise InputError("ledger.checkpoint_exists", path=str(out))
    try:
        private = signing.load_private(signing.key_path(key))
    except DistrictlensError as exc:
        raise UsageError(exc.key, **exc.values) from exc
    point = run(db, ledger.checkpoint, ledger.LedgerCheckpoint(), as_json=as_json, render=lambda _: None)
    document = ledger.checkpoint_document(point, private)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if not as_json:
        console.print(t("ledger.checkpoint_written", chosen, path=str(out), seq=point.seq, head=point.head[:16]))


@ledger_app.command("head")
def ledger_head(db: DbOption = DEFAULT_DB_PATH, as_json: JsonOption = False) -> None:
    """Print the latest entry's hash (the data snapshot a briefing cites)."""
    from districtlens.commands import ledger

    run(db, ledger.head, ledger.LedgerHead(), as_json=as_json, render=typer.echo)


@ledger_app.command("log")
def ledger_log(
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many entries, newest first.")] = 20,
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """The latest entries of the ledger."""
    from districtlens.commands import ledger

    chosen = chosen_language(lang)

    def render(entries: list[Entry]) -> None:
        from rich.table import Table

        columns = ("seq", "ts", "actor", "action", "hash")
        table = Table(*(t(f"cli.ledger.col.{c}", chosen) for c in columns), show_edge=False)
        for e in entries:
            table.add_row(str(e.seq), e.ts, e.actor, ledger.action_label(e.action, chosen), e.hash[:16])
        console.print(table)

    run(db, ledger.log, ledger.LedgerLog(limit=limit), as_json=as_json, render=render)


@app.command("history")
def enterprise_history(
    uscc: Annotated[str, typer.Argument(help="Unified social credit code.")],
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Every version of an enterprise and of its yearly facts, with validity and source."""
    from districtlens.commands import enterprises

    chosen = chosen_language(lang)

    def render(found: History) -> None:
        import polars as pl

        for part, rows in found.items():
            console.print(f"[bold]{t(f'cli.history.{part}', chosen)}[/]")
            console.print(str(pl.DataFrame(rows, infer_schema_length=None)))

    run(db, enterprises.enterprise_history, enterprises.EnterpriseHistory(uscc=uscc), as_json=as_json, render=render)
