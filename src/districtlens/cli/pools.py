"""Candidate pools: `districtlens pools import FILE | --shipped` and `districtlens pools list`."""

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
    out_console,
    run,
)

if TYPE_CHECKING:
    from districtlens.commands.pools import PoolList, PoolsImported

pools_app = typer.Typer(help="Candidate pools: firms beyond the city that targets may propose.", no_args_is_help=True)
app.add_typer(pools_app, name="pools")


@pools_app.command("import")
def import_pool(
    file: Annotated[Path | None, typer.Argument(help="A pool file (CSV or XLSX): firm_id, name, country, ...")] = None,
    pool: Annotated[str | None, typer.Option("--pool", help="The pool's id (default: the file's name).")] = None,
    shipped: Annotated[bool, typer.Option("--shipped", help="Import the pools shipped with districtlens.")] = False,
    no_link: Annotated[bool, typer.Option("--no-link", help="Do not link the firms to the registry.")] = False,
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Load a candidate pool as a new version of it (all or nothing, ledgered)."""
    from districtlens.commands import pools

    chosen = chosen_language(lang)
    args = pools.ImportPool(
        file=absolute(file) if file is not None else None, pool=pool, shipped=shipped, link=not no_link
    )
    run(db, pools.import_pool, args, as_json=as_json, render=lambda found: _print_imported(found, chosen))


def _print_imported(found: PoolsImported, lang: str) -> None:
    from districtlens.commands.pools import NOT_ASKED
    from districtlens.i18n import number, t

    for p in found.pools:
        counts = {"firms": p.firms, "placed": p.placed_in_china, "linked": p.linked}
        line = t(
            "cli.import.pool", lang, pool=p.pool, version=p.version, **{k: number(v, lang) for k, v in counts.items()}
        )
        if p.link_note == NOT_ASKED:
            line += t("cli.import.pool_not_linked", lang)
        elif p.link_note:  # the resolver's own failure, as it words it
            line += t("cli.import.pool_linking_failed", lang, detail=p.link_note)
        out_console.print(line, highlight=False, markup=False)


@pools_app.command("list")
def list_pools(db: DbOption = DEFAULT_DB_PATH, as_json: JsonOption = False, lang: LangOption = None) -> None:
    """The pools in force."""
    from districtlens.commands import pools

    chosen = chosen_language(lang)
    run(db, pools.list_pools, pools.ListPools(), as_json=as_json, render=lambda found: _print_list(found, chosen))


def _print_list(found: PoolList, lang: str) -> None:
    from rich.table import Table

    from districtlens.i18n import number, t

    columns = ("pool", "version", "firms", "countries", "linked")
    table = Table(*(t(f"cli.pools.col.{c}", lang) for c in columns))
    for p in found.pools:
        counts = (number(n, lang) for n in (p.firms, p.countries, p.linked))
        table.add_row(p.pool_id, str(p.version), *counts)
    out_console.print(table)
