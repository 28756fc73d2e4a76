"""Briefings: `districtlens brief --area 310106 --lang zh --format pdf --out FILE`,
`districtlens brief verify FILE` and `districtlens brief keygen --out KEYFILE`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from districtlens.briefing import signing
from districtlens.cli.app import app
from districtlens.cli.common import DEFAULT_DB_PATH, EXIT_USAGE, DbOption, JsonOption, emit_json, fail, store_at

brief_app = typer.Typer(
    help="The Commission's briefings: write one (brief --area ...), verify one, make the signing key.",
    invoke_without_command=True,
)
app.add_typer(brief_app, name="brief")
out_console = Console()

KeyOption = Annotated[Path | None, typer.Option(
    "--key", help=f"The Commission's Ed25519 key file (default: ${signing.KEY_ENV}).")]


@brief_app.callback()
def brief(
    ctx: typer.Context,
    db: DbOption = DEFAULT_DB_PATH,
    area: Annotated[str | None, typer.Option("--area", help="District adcode (310106) or zone id.")] = None,
    lang: Annotated[str, typer.Option("--lang", help="zh, en or fr.")] = "zh",
    fmt: Annotated[str, typer.Option("--format", help="html, pdf or docx.")] = "pdf",
    out: Annotated[Path | None, typer.Option("--out", help="The file to write.")] = None,
    key: KeyOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write a briefing on an area: headline figures, tracks, zones, carriers, chain health,
    targets and claims, every figure referenced, the whole signed."""
    if ctx.invoked_subcommand is not None:
        return
    from districtlens.briefing import FORMATS, BriefingError, make

    if area is None or out is None:
        fail("give --area and --out (or a subcommand: verify, keygen)", EXIT_USAGE)
    if fmt not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}", EXIT_USAGE)
    with store_at(db, read_only=True) as store:
        try:
            briefing = make(store, area, lang, fmt, out, key)
        except (BriefingError, signing.SigningKeyError) as exc:
            fail(str(exc))
    if as_json:
        emit_json({"out": str(out), "area": area, "lang": lang, "format": fmt, "ledger_head": briefing.head,
                   "key_fingerprint": briefing.signed["manifest"]["key_fingerprint"],
                   "figures": briefing.figures_json()})
    else:
        out_console.print(f"wrote {out} ({len(briefing.figures)} figures, ledger head {briefing.head[:12]}…)")


@brief_app.command("verify")
def verify_command(
    file: Annotated[Path, typer.Argument(help="A briefing (PDF, HTML or DOCX).")],
    db: DbOption = DEFAULT_DB_PATH,
    key: KeyOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check the signature, the visible figures and every figure recomputed from the store.
    Exit 0 when all hold, 1 otherwise (each differing figure listed)."""
    from districtlens.briefing import VerifyError, verify

    if not file.is_file():
        fail(f"no file at {file}", EXIT_USAGE)
    try:
        public = signing.load_public(signing.key_path(key))
    except signing.SigningKeyError as exc:
        fail(str(exc), EXIT_USAGE)
    with store_at(db, read_only=True) as store:
        try:
            verdict = verify(store, file, public)
        except VerifyError as exc:
            fail(str(exc))
    if as_json:
        emit_json(verdict.as_json())
    else:
        out_console.print(f"signature: {'valid' if verdict.signature is None else verdict.signature}")
        for item in verdict.edited:
            out_console.print(f"edited  {item['ref']} {item['id']}: the document no longer shows {item['manifest']}")
        for item in verdict.changed:
            out_console.print(f"changed {item['ref']} {item['id']}: {item['then']} -> {item['now']}")
        out_console.print(f"{verdict.checked} figures checked: " + ("all hold" if verdict.holds else "NOT all hold"))
    raise typer.Exit(0 if verdict.holds else 1)


@brief_app.command("keygen")
def keygen(out: Annotated[Path, typer.Option("--out", help="Where to write the private key (KEYFILE.pub beside it).")]
           ) -> None:
    """Make the Commission's Ed25519 signing key."""
    try:
        private, public = signing.generate(out)
    except signing.SigningKeyError as exc:
        fail(str(exc))
    out_console.print(f"private key {private} (keep it safe), public key {public}, fingerprint "
                      f"{signing.fingerprint(signing.load_public(public))}")
