"""Published statistics: `import statistics FILE` and `reconcile --area --year`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from districtlens.cli.app import app
from districtlens.cli.common import DEFAULT_DB_PATH, DbOption, JsonOption, absolute, console, language, run
from districtlens.cli.store_commands import import_app

if TYPE_CHECKING:
    from districtlens.commands.statistics import Message, Reconciliation, StatisticsImported


@import_app.command("statistics")
def import_statistics(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX: district,adcode,year,indicator,value,unit,...")],
    source: Annotated[str | None, typer.Option("--source", help="Name of the source (default: file name).")] = None,
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
) -> None:
    """Import published statistics (a bulletin's figures), all or nothing."""
    from districtlens.commands import statistics

    def render(done: StatisticsImported) -> None:
        from districtlens.i18n import number, t

        lang = language()
        counted = ("rows_read", "figures", "unchanged", "timeless", "mapped")
        counts = {name: number(getattr(done, name), lang) for name in counted}
        console.print(t("cli.import.statistics", lang, source=done.source, **counts), highlight=False, markup=False)

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
) -> None:
    """The registry's figures beside the district's published ones, and what the registry lacks."""
    from districtlens.commands import statistics

    run(
        db,
        statistics.reconcile,
        statistics.Reconcile(area=area, year=year),
        as_json=as_json,
        render=render_reconciliation,
    )


def _text(message: Message | None, lang: str) -> str:
    from districtlens.i18n import t

    return "" if message is None else t(message.key, lang, **message.values)


def render_reconciliation(done: Reconciliation) -> None:
    from rich.table import Table

    from districtlens.commands.statistics import UNIT_KEYS
    from districtlens.i18n import t

    lang = language()
    console.print(f"[bold]{done.area_names[lang]} ({done.area}) {done.year}[/]")
    if done.synthetic_registry:
        console.print(t("reconcile.synthetic", lang))
    table = Table("indicator", "unit", "published", "registry", "coverage", "note", show_edge=False)
    for row in done.figures:
        registry = "—" if row.registry is None else f"{row.registry:,.2f}"
        if row.gap_points is not None:
            coverage = f"{row.gap_points:+.1f} pt"
        else:
            coverage = "—" if row.coverage is None else f"{row.coverage:.1%}"
        table.add_row(
            row.indicator,
            t(UNIT_KEYS[row.unit], lang),
            f"{row.published:,.2f}",
            registry,
            coverage,
            _text(row.note, lang),
        )
    console.print(table)
    if done.published_only:
        console.print(t("reconcile.published_only", lang, count=len(done.published_only)))
        for only in done.published_only:
            console.print(f"  {only.indicator} ({only.year or '—'}): {only.value:,.2f} {only.unit}")
    for lack in done.lacks:
        console.print(f"- {_text(lack, lang)}")
