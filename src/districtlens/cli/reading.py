"""Reading texts: `districtlens read FILE [--json]`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from districtlens.cli.app import app
from districtlens.cli.common import DbOption, JsonOption, LangOption, chosen_language, counted, listed, out_console, run

if TYPE_CHECKING:
    from districtlens.commands.reading import ReadResult


@app.command("read")
def read_file(
    file: Annotated[Path, typer.Argument(help="A txt, md, html, docx or pdf file, in zh, fr or en.")],
    db: DbOption,
    aliases: Annotated[
        bool, typer.Option("--aliases/--no-aliases", help="Also match the alias table's spellings of firms.")
    ] = True,
    propose: Annotated[
        bool, typer.Option("--propose/--no-propose", help="Queue the proposed claims for review (claims review).")
    ] = True,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Read a text: its language, the firms, places and figures it names, and the claims it proposes
    (queued for review: `claims review`, `claims accept ID`, `claims reject ID`)."""
    from districtlens.commands import reading

    chosen = chosen_language(lang)
    args = reading.ReadFile(path=str(file.resolve()), aliases=aliases, propose=propose)
    run(db, reading.read_file, args, as_json=as_json, render=lambda result: _print(result, chosen))


def _print(result: ReadResult, lang: str) -> None:
    from rich.table import Table

    from districtlens.i18n import LANGUAGE_NAMES, number, t

    found = {
        "sentences": result.document.sentences,
        "firms": len(result.firms),
        "places": len(result.places),
        "figures": len(result.figures),
    }
    counts = listed([counted(f"cli.read.{name}", n, lang) for name, n in found.items()], lang)
    language = LANGUAGE_NAMES.get(result.language, result.language)
    said = t("cli.read.summary", lang, name=result.document.name, language=language, counts=counts)
    out_console.print(said, highlight=False, markup=False)
    firms = Table(*(t(f"reading.col.{c}", lang) for c in ("firm", "registered", "confidence", "review")))
    for f in result.firms:
        firms.add_row(f.text, f.name or "—", number(f.confidence, lang, 2), t("reading.yes", lang) if f.review else "")
    out_console.print(firms)
    claims = Table(*(t(f"reading.col.{c}", lang) for c in ("claim", "kind", "figure", "query", "quote")))
    for c in result.claims:
        kind = t(f"cli.claims.kind.{c.kind}", lang)
        claims.add_row(c.id, kind, str(c.figure.get("text")), (c.query or {}).get("kind", "—"), c.quote[:80])
    out_console.print(claims)
