"""Published statistics: `import statistics FILE` and `reconcile --area --year`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from districtlens.cli.app import app
from districtlens.cli.common import (
    DEFAULT_DB_PATH,
    DbOption,
    JsonOption,
    LangOption,
    absolute,
    chosen_language,
    console,
    counted,
    listed,
    run,
)
from districtlens.cli.store_commands import import_app

if TYPE_CHECKING:
    from districtlens.commands.statistics import Message, Reconciliation, StatisticsImported


@import_app.command("statistics")
def import_statistics(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX: district,adcode,year,indicator,value,unit,...")],
    source: Annotated[str | None, typer.Option("--source", help="Name of the source (default: file name).")] = None,
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Import published statistics (a bulletin's figures), all or nothing."""
    from districtlens.commands import statistics

    chosen = chosen_language(lang)

    def render(done: StatisticsImported) -> None:
        from districtlens.i18n import t

        names = ("rows_read", "figures", "unchanged", "timeless", "mapped")
        counts = listed(
            [counted(f"cli.statistics.count.{name}", getattr(done, name), chosen) for name in names], chosen
        )
        said = t("cli.import.counted", chosen, source=done.source, counts=counts)
        console.print(said, highlight=False, markup=False)

    run(
        db,
        statistics.import_statistics,
        statistics.ImportStatistics(file=absolute(file), source=source),
        as_json=as_json,
        render=render,
    )


@app.command("reconcile")
def reconcile(
    area: Annotated[str, typer.Option("--area", help="District adcode (or a street or zone of it).")],
    year: Annotated[int | None, typer.Option("--year", help="Year (default: the latest published).")] = None,
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """The registry's figures beside the district's published ones, and what the registry lacks."""
    from districtlens.commands import statistics

    chosen = chosen_language(lang)
    args = statistics.Reconcile(area=area, year=year)
    run(db, statistics.reconcile, args, as_json=as_json, render=lambda done: render_reconciliation(done, chosen))


def _text(message: Message | None, lang: str) -> str:
    from districtlens.errors import said

    return "" if message is None else str(said(message.model_dump(), lang))


def render_reconciliation(done: Reconciliation, lang: str) -> None:
    from rich.markup import escape
    from rich.table import Table

    from districtlens.commands.statistics import UNIT_KEYS
    from districtlens.i18n import number, percent, t

    console.print(f"[bold]{escape(done.area_names[lang])} ({done.area}) {done.year}[/]")
    if done.synthetic_registry:
        console.print(t("reconcile.synthetic", lang))
    columns = ("indicator", "unit", "published", "registry", "coverage", "note")
    table = Table(*(t(f"cli.reconcile.col.{c}", lang) for c in columns), show_edge=False)
    for row in done.figures:
        registry = "—" if row.registry is None else number(row.registry, lang, 2)
        if row.gap_points is not None:
            shown = number(row.gap_points, lang, 1)
            coverage = t("cli.reconcile.points", lang, points=shown if row.gap_points < 0 else f"+{shown}")
        else:
            coverage = "—" if row.coverage is None else percent(row.coverage, lang)
        table.add_row(
            row.indicator,
            t(UNIT_KEYS[row.unit], lang),
            number(row.published, lang, 2),
            registry,
            coverage,
            _text(row.note, lang),
        )
    console.print(table)
    if done.published_only:
        console.print(t("reconcile.published_only", lang, count=len(done.published_only)))
        for only in done.published_only:
            value = f"{number(only.value, lang, 2)} {only.unit}"
            console.print(f"  {only.indicator} ({only.year or '—'}): {value}", highlight=False)
    for lack in done.lacks:
        console.print(f"- {_text(lack, lang)}")
