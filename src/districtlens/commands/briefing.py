"""Briefings: render one for an area (figures, manifest, document), and verify one.

Rendering needs no secret: the document is rendered unsigned, its manifest naming by fingerprint
the key that is to sign it, and the CLI signs the whole document in its own process
(`briefing.document.write_signed`): the Commission's private key is never an argument of a
command, so it never reaches a server. Verifying takes the public key itself, as PEM text.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from districtlens.briefing import i18n, signing
from districtlens.briefing.verify import Verdict, verify
from districtlens.commands.base import Args, Context, command
from districtlens.errors import UsageError


class RenderBriefing(Args):
    area: str
    lang: str
    format: str  # html, pdf or docx
    key_fingerprint: str  # of the key that is to sign it: the document shows it
    scenarios: list[str] = []  # saved scenarios (ids) to cite, labelled hypothetical


class RenderedBriefing(BaseModel):
    area: str
    lang: str
    format: str
    ledger_head: str
    manifest: dict[str, Any]  # as the document carries it
    figures: list[dict[str, Any]]  # id, ref, value, display of each figure
    document: str  # base64 of the document, unsigned

    def document_bytes(self) -> bytes:
        return base64.b64decode(self.document)


@command("brief.render", writes=False)
def render_briefing(ctx: Context, args: RenderBriefing) -> RenderedBriefing:
    """Compute the briefing of an area and lay it out as HTML, PDF or DOCX, unsigned."""
    from districtlens.briefing import render  # its charts and layout: not for `verify`

    briefing, document = render.render(
        ctx.store, args.area, args.lang, args.format, args.key_fingerprint, scenarios=tuple(args.scenarios)
    )
    return RenderedBriefing(
        area=args.area,
        lang=args.lang,
        format=args.format,
        ledger_head=briefing.head,
        manifest=briefing.manifest,
        figures=briefing.figures_json(),
        document=base64.b64encode(document).decode("ascii"),
    )


class VerifyBriefing(Args):
    file: Path
    public_key: str  # PEM text of the Commission's public key
    lang: str = "en"  # of the verdict's reason: zh, en or fr


@command("brief.verify", writes=False)
def verify_briefing(ctx: Context, args: VerifyBriefing) -> Verdict:
    """Check that a briefing's signature covers the whole document and holds for the Commission's
    key, and recompute every figure from the store."""
    if not args.file.is_file():
        raise UsageError("file.missing", path=str(args.file))
    if args.lang not in i18n.LANGUAGES:
        raise UsageError("brief.unknown_language", lang=args.lang, languages=", ".join(i18n.LANGUAGES))
    public = signing.public_from_pem(args.public_key.encode("utf-8"), "public_key")
    return verify(ctx.store, args.file, public, args.lang)
