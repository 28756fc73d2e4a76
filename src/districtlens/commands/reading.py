"""Reading a text: `read.file` reads a file (or pasted text), finds the firms, places and figures
it names, and puts the claims it proposes in the review queue (`claims review`)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from districtlens.commands.base import Args, Context, command
from districtlens.errors import InputError

if TYPE_CHECKING:
    from districtlens.reading.extract import Document


class ReadFile(Args):
    path: str | None = None  # a txt, md, html, docx or pdf file
    text: str | None = None  # or pasted text
    content_base64: str | None = None  # or an uploaded file's bytes (named by `name`)
    name: str | None = None  # what to call pasted text or an upload (its format from the suffix)
    aliases: bool = True  # also match the alias table's spellings (阿斯利康 = AstraZeneca)
    propose: bool = True  # put the proposed claims in the review queue


class FirmMention(BaseModel):
    text: str
    start: int
    end: int
    uscc: str | None  # null when not linked: ambiguous (see candidates) or unknown
    name: str | None
    confidence: float
    review: bool  # several firms share the name: a person decides
    candidates: list[str]


class PlaceMention(BaseModel):
    text: str
    start: int
    end: int
    kind: str  # district, zone, carrier, street, track
    id: str
    also: list[str]  # other places the same words name (kind:id)
    confidence: float


class FigureRead(BaseModel):
    text: str
    start: int
    end: int
    value: float
    unit: str | None
    year: int | None
    kind: str
    comparison: str
    of: float | None = None
    period: list[int] | None = None


class ProposedClaim(BaseModel):
    id: str
    language: str
    quote: str
    document: str  # the SHA-256 of the document's text, which start and end refer to
    start: int
    end: int
    figure: dict[str, Any]
    query: dict[str, Any] | None
    kind: str
    comparison: str
    new: bool  # put in the queue by this read (false: it was already there)


class DocumentRead(BaseModel):
    name: str
    format: str
    sha256: str
    chars: int
    sentences: int


class ReadResult(BaseModel):
    document: DocumentRead
    language: str
    district: str | None
    firms: list[FirmMention]
    places: list[PlaceMention]
    figures: list[FigureRead]
    claims: list[ProposedClaim]
    ledger_seq: int | None  # the write that queued the new proposals, if any


def _document(args: ReadFile) -> Document:
    from districtlens.reading import extract

    if args.path:
        return extract.read_file(Path(args.path))
    if args.content_base64 is not None:
        return extract.read_bytes(args.name or "upload.txt", base64.b64decode(args.content_base64))
    if args.text and args.text.strip():
        return extract.document(args.name or "pasted text", args.text)
    raise InputError("reading.no_text")


@command("read.file", writes=True)
def read_file(ctx: Context, args: ReadFile) -> ReadResult:
    """Read a text: its language, the firms (linked to the registry with a confidence; ambiguous
    names go to review), places and figures it names, and the claims it proposes, queued for
    review unless `propose` is false."""
    from districtlens.reading.read import read
    from districtlens.store import proposals as proposal_store

    doc = _document(args)
    ctx.progress("reading")
    reading = read(ctx.store, doc, use_aliases=args.aliases)
    seq: int | None = None
    new: list[str] = []
    if args.propose and reading.proposals:
        rows = [
            {
                "proposal_id": p.id,
                "doc_sha256": doc.sha256,
                "language": p.language,
                "quote": p.quote,
                "span_start": p.start,
                "span_end": p.end,
                "figure": p.figure,
                "query": p.query,
                "kind": p.kind,
                "comparison": p.comparison,
                "subject": p.subject,
                "district_adcode": reading.district,
            }
            for p in reading.proposals
        ]
        document = {"doc_sha256": doc.sha256, "name": doc.name, "format": doc.format, "language": reading.language}
        seq, new = proposal_store.write_read(ctx.store, document | {"text": doc.text}, rows, ctx.actor)
    return ReadResult(
        document=DocumentRead(
            name=doc.name, format=doc.format, sha256=doc.sha256, chars=len(doc.text), sentences=len(reading.sentences)
        ),
        language=reading.language,
        district=reading.district,
        firms=[FirmMention(**f) for f in reading.firms],
        places=[PlaceMention(**p) for p in reading.places],
        figures=[FigureRead(**f) for f in reading.figures],
        claims=[
            ProposedClaim(
                id=p.id,
                language=p.language,
                quote=p.quote,
                document=doc.sha256,
                start=p.start,
                end=p.end,
                figure=p.figure,
                query=p.query,
                kind=p.kind,
                comparison=p.comparison,
                new=p.id in new,
            )
            for p in reading.proposals
        ],
        ledger_seq=seq,
    )
