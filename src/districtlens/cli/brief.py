"""Briefings: `districtlens brief --area 310106 --lang zh --format pdf --out FILE`,
`districtlens brief verify FILE` and `districtlens brief keygen --out KEYFILE`.

The Commission's private key is read here and used here only: the command layer (or the server
that holds the store) renders the briefing unsigned, and this process signs the whole document
and writes the file. Verifying sends the public key.
"""

from __future__ import annotations

import importlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from districtlens.briefing import KEY_ENV
from districtlens.cli.app import app
from districtlens.cli.common import (
    DEFAULT_DB_PATH,
    DbOption,
    JsonOption,
    LangOption,
    absolute,
    chosen_language,
    counted,
    emit_json,
    execute_command,
    out_console,
    refuse,
    run,
)
from districtlens.errors import DistrictlensError, UsageError
from districtlens.i18n import t

if TYPE_CHECKING:
    from districtlens.briefing.verify import Verdict

brief_app = typer.Typer(
    help="The Commission's briefings: write one (brief --area ...), verify one, make the signing key.",
    invoke_without_command=True,
)
app.add_typer(brief_app, name="brief")

BRIEFING_LANGUAGE = "zh"  # the Commission's own
KeyOption = Annotated[
    Path | None, typer.Option("--key", help=f"The Commission's Ed25519 key file (default: ${KEY_ENV}).")
]


@brief_app.callback()
def brief(
    ctx: typer.Context,
    db: DbOption = DEFAULT_DB_PATH,
    area: Annotated[str | None, typer.Option("--area", help="District adcode (310106) or zone id.")] = None,
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="The briefing's language (zh unless told), and the CLI's: zh, en or fr."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="html, pdf or docx.")] = "pdf",
    out: Annotated[Path | None, typer.Option("--out", help="The file to write.")] = None,
    key: KeyOption = None,
    scenario: Annotated[
        list[str] | None,
        typer.Option("--scenario", help="A saved scenario's id to cite, labelled hypothetical (repeatable)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Write a briefing on an area: headline figures, tracks, zones, carriers, chain health,
    targets, cited scenarios (hypothetical) and claims, every figure referenced, the whole signed."""
    if ctx.invoked_subcommand is not None:
        return
    from districtlens.briefing import document, signing
    from districtlens.commands import briefing

    said_in = chosen_language(lang)  # the CLI's language: --lang, else $DISTRICTLENS_LANG
    lang = lang or BRIEFING_LANGUAGE
    if area is None or out is None:
        refuse("cli.brief.area_and_out")
    private = signing.load_private(signing.key_path(key))
    args = briefing.RenderBriefing(
        area=area,
        lang=lang,
        format=fmt,
        key_fingerprint=signing.fingerprint(private.public_key()),
        scenarios=scenario or [],
    )
    if fmt == "pdf":  # pyHanko, which signs it, takes a second to import: done while it renders
        threading.Thread(target=importlib.import_module, args=("pyhanko.sign",), daemon=True).start()
    rendered = execute_command(db, briefing.render_briefing, args)
    document.write_signed(rendered.document_bytes(), fmt, rendered.manifest, private, out)
    if as_json:
        emit_json(
            {
                "out": str(out),
                "area": area,
                "lang": lang,
                "format": fmt,
                "ledger_head": rendered.ledger_head,
                "key_fingerprint": rendered.manifest["key_fingerprint"],
                "figures": rendered.figures,
            }
        )
    else:
        figures = counted("cli.brief.figures", len(rendered.figures), said_in)
        said = t("cli.brief.written", said_in, file=str(out), figures=figures, head=rendered.ledger_head[:12])
        out_console.print(said, highlight=False, markup=False)


@brief_app.command("verify")
def verify_command(
    file: Annotated[Path, typer.Argument(help="A briefing (PDF, HTML or DOCX).")],
    db: DbOption = DEFAULT_DB_PATH,
    key: KeyOption = None,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Check that the signature covers the whole file and is the Commission's, and recompute
    every figure from the store. Exit 0 when all hold, 1 otherwise (each changed figure listed)."""
    from districtlens.briefing import signing
    from districtlens.commands import briefing

    chosen = chosen_language(lang)
    try:
        public = signing.load_public(signing.key_path(key))
    except DistrictlensError as exc:  # here the key is an option given wrong: a usage error
        raise UsageError(exc.key, **exc.values) from exc
    args = briefing.VerifyBriefing(file=absolute(file), public_key=signing.public_pem(public), lang=chosen)
    verdict = run(
        db, briefing.verify_briefing, args, as_json=as_json, render=lambda found: _print_verdict(found, chosen)
    )
    raise typer.Exit(0 if verdict.holds else 1)


def _print_verdict(verdict: Verdict, lang: str) -> None:
    out_console.print(t("cli.brief.signature", lang, reason=verdict.reason), highlight=False, markup=False)
    for item in verdict.changed:
        changed = t("cli.brief.changed", lang, ref=item["ref"], id=item["id"], then=item["then"], now=item["now"])
        out_console.print(changed, highlight=False, markup=False)
    checked = counted("cli.brief.figures_checked", verdict.figures_checked, lang)
    said = t("cli.brief.all_hold" if verdict.holds else "cli.brief.not_all_hold", lang, checked=checked)
    out_console.print(said, highlight=False, markup=False)


@brief_app.command("keygen")
def keygen(
    out: Annotated[Path, typer.Option("--out", help="Where to write the private key (KEYFILE.pub beside it).")],
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Make the Commission's Ed25519 signing key."""
    from districtlens.briefing import signing

    chosen = chosen_language(lang)
    private, public = signing.generate(out)
    fingerprint = signing.fingerprint(signing.load_public(public))
    if as_json:
        emit_json({"private_key": str(private), "public_key": str(public), "key_fingerprint": fingerprint})
        return
    said = t("cli.brief.keys", chosen, private=str(private), public=str(public), fingerprint=fingerprint)
    out_console.print(said, highlight=False, markup=False)
