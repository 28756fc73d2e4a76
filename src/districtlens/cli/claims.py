"""Claims: `districtlens claims list` and `districtlens claims check [--json]`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from districtlens.claims import QueryError, check
from districtlens.cli.app import app
from districtlens.cli.common import DbOption, JsonOption, emit_json, fail, store_at
from districtlens.store import claims as claim_store

claims_app = typer.Typer(help="Public claims and the data behind them.", no_args_is_help=True)
app.add_typer(claims_app, name="claims")
out_console = Console()

PackOption = Annotated[str | None, typer.Option("--pack", help="Only the claims of this pack.")]


def _asserted(asserted: dict | None) -> str:
    if not asserted or asserted.get("value") is None:
        return "—"
    unit = asserted.get("unit")
    return f"{asserted['value']} {unit}" if unit else str(asserted["value"])


@claims_app.command("list")
def list_claims(db: DbOption, pack: PackOption = None, as_json: JsonOption = False) -> None:
    """The claims held in the store: id, source, asserted figure and comparison."""
    with store_at(db, read_only=True) as store:
        rows = claim_store.claims(store, pack)
    if as_json:
        emit_json({"claims": [{k: r[k] for k in ("id", "pack_id", "quote", "quote_lang", "translations", "source",
                                                 "source_date", "subject", "asserted", "comparison")}
                              for r in rows]})
        return
    table = Table("id", "subject", "asserted", "comparison", "source date")
    for r in rows:
        table.add_row(r["id"], r["subject"], _asserted(r["asserted"]), r["comparison"], r["source_date"] or "")
    out_console.print(table)


@claims_app.command("check")
def check_claims(db: DbOption, pack: PackOption = None, as_json: JsonOption = False) -> None:
    """Recompute every claim on the current data: supported, contradicted or not computable."""
    with store_at(db, read_only=True) as store:
        try:
            results = check(store, pack)
        except QueryError as exc:
            fail(f"a query definition is invalid:\n{exc}")
    if as_json:
        emit_json({"claims": [r.as_json() for r in results]})
        return
    table = Table("id", "asserted", "computed", "status", "why")
    colours = {"supported": "green", "contradicted": "red", "not computable": "yellow"}
    for r in results:
        computed = "—" if r.computed is None else str(r.computed)
        table.add_row(r.id, _asserted(r.asserted), computed,
                      f"[{colours[r.status]}]{r.status}[/]", r.evidence.get("reason") or "")
    out_console.print(table)
    counts = {s: sum(r.status == s for r in results) for s in colours}
    out_console.print(", ".join(f"{n} {s}" for s, n in counts.items()))
