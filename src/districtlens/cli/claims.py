"""Claims: `districtlens claims list` and `districtlens claims check [--json]`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from districtlens.cli.app import app
from districtlens.cli.common import DbOption, JsonOption, LangOption, chosen_language, counted, listed, out_console, run
from districtlens.i18n import t

if TYPE_CHECKING:
    from districtlens.commands.claims import ClaimChecks, ClaimList, Decision, ProposalQueue

claims_app = typer.Typer(help="Public claims and the data behind them.", no_args_is_help=True)
app.add_typer(claims_app, name="claims")

PackOption = Annotated[str | None, typer.Option("--pack", help="Only the claims of this pack.")]
STATUS_COLOURS = {
    "supported": "green",
    "contradicted": "red",
    "not computable": "yellow",
    "statement of intent": "blue",
}


def _asserted(asserted: dict[str, Any] | None, lang: str) -> str:
    from districtlens.i18n import decimal

    if not asserted or asserted.get("value") is None:
        return "—"
    value = asserted["value"]
    shown = decimal(value, lang) if isinstance(value, int | float) and not isinstance(value, bool) else str(value)
    unit = asserted.get("unit")
    return f"{shown} {unit}" if unit else shown


def _word(kind: str, value: str | None, lang: str) -> str:
    """A claim's kind, comparison or status (`kind`: which vocabulary) in `lang`."""
    return t(f"cli.claims.{kind}.{value}", lang) if value else ""


@claims_app.command("list")
def list_claims(db: DbOption, pack: PackOption = None, as_json: JsonOption = False, lang: LangOption = None) -> None:
    """The claims held in the store: id, source, asserted figure and comparison."""
    from districtlens.commands import claims

    chosen = chosen_language(lang)
    args = claims.ListClaims(pack=pack)
    run(db, claims.list_claims, args, as_json=as_json, render=lambda found: _print_list(found, chosen))


def _print_list(found: ClaimList, lang: str) -> None:
    from rich.table import Table

    columns = ("id", "subject", "asserted", "comparison", "source_date")
    table = Table(*(t(f"cli.claims.col.{c}", lang) for c in columns))
    for c in found.claims:
        comparison = _word("comparison", c.comparison, lang)
        table.add_row(c.id, c.subject, _asserted(c.asserted, lang), comparison, c.source_date or "")
    out_console.print(table)


@claims_app.command("check")
def check_claims(db: DbOption, pack: PackOption = None, as_json: JsonOption = False, lang: LangOption = None) -> None:
    """Recompute every claim on the current data: supported, contradicted or not computable, with
    its evidence; a statement of intent is labelled so."""
    from districtlens.commands import claims

    chosen = chosen_language(lang)
    args = claims.CheckClaims(pack=pack)
    run(db, claims.check_claims, args, as_json=as_json, render=lambda checks: _print_checks(checks, chosen))


def _print_checks(checks: ClaimChecks, lang: str) -> None:
    from rich.markup import escape
    from rich.table import Table

    columns = ("id", "kind", "asserted", "computed", "status", "evidence")
    table = Table(*(t(f"cli.claims.col.{c}", lang) for c in columns))
    for c in checks.claims:
        computed = "—" if c.computed is None else _asserted({"value": c.computed}, lang)
        status = escape(_word("status", c.status.replace(" ", "_"), lang))
        table.add_row(
            c.id,
            _word("kind", c.kind, lang),
            _asserted(c.asserted, lang),
            computed,
            f"[{STATUS_COLOURS[c.status]}]{status}[/]",
            (c.evidence.get("text") or {}).get(lang) or c.evidence.get("reason") or "",
        )
    out_console.print(table)
    counts = [
        counted(f"cli.claims.counted.{status.replace(' ', '_')}", sum(c.status == status for c in checks.claims), lang)
        for status in STATUS_COLOURS
    ]
    out_console.print(listed(counts, lang), highlight=False)


@claims_app.command("review")
def review(
    db: DbOption,
    status: Annotated[
        str, typer.Option("--status", help="proposed (default), accepted, rejected or all.")
    ] = "proposed",
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """The claims proposed from the texts read (`read FILE`), waiting for a decision."""
    from districtlens.commands import claims

    chosen = chosen_language(lang)
    args = claims.ReviewProposals(status=status)
    run(db, claims.review_proposals, args, as_json=as_json, render=lambda queue: _print_queue(queue, chosen))


def _print_queue(queue: ProposalQueue, lang: str) -> None:
    from rich.table import Table

    table = Table(*(t(f"reading.col.{c}", lang) for c in ("claim", "kind", "figure", "query", "status", "quote")))
    for p in queue.proposals:
        query = (p.query or {}).get("kind", "—")
        status = _word("proposal", p.status, lang)
        table.add_row(p.id, _word("kind", p.kind, lang), str(p.figure.get("text")), query, status, p.quote[:90])
    out_console.print(table)


ProposalArgument = Annotated[str, typer.Argument(help="A proposed claim's id (claims review).")]


@claims_app.command("accept")
def accept(
    proposal: ProposalArgument,
    db: DbOption,
    pack: PackOption = None,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Accept a proposed claim into the claims register (a ledger entry); `claims check` checks it."""
    from districtlens.commands import claims

    chosen = chosen_language(lang)
    args = claims.DecideProposal(id=proposal, pack=pack)
    run(db, claims.accept_proposal, args, as_json=as_json, render=lambda done: _print_decision(done, chosen))


@claims_app.command("reject")
def reject(proposal: ProposalArgument, db: DbOption, as_json: JsonOption = False, lang: LangOption = None) -> None:
    """Reject a proposed claim (the decision is a ledger entry; no claim is written)."""
    from districtlens.commands import claims

    chosen = chosen_language(lang)
    args = claims.DecideProposal(id=proposal)
    run(db, claims.reject_proposal, args, as_json=as_json, render=lambda done: _print_decision(done, chosen))


def _print_decision(decision: Decision, lang: str) -> None:
    said = _word("proposal", decision.decision, lang)
    out_console.print(t("claims.decided", lang, id=decision.id, decision=said, seq=decision.ledger_seq))
