"""Where a briefing file carries its manifest, how the signed manifest takes the place of the
unsigned one, and how a verifier reads it back.

A briefing carries its manifest in an envelope, {"manifest": ..., "signature": ...}: HTML in a
<script type="application/json"> element, PDF as an embedded file, DOCX as a package part. The
command layer renders the document with the envelope unsigned (signature null); the CLI signs
the manifest with the Commission's private key, which never leaves its process, and `embed`
puts the signed envelope where the unsigned one was, leaving the rest of the file as rendered.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from districtlens.briefing import signing
from districtlens.errors import InputError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

FORMATS = ("html", "pdf", "docx")
MANIFEST_NAME = "districtlens-manifest.json"
MANIFEST_DESCRIPTION = "districtlens signed briefing manifest"
DOCX_MANIFEST_PART = "/customXml/districtlens-manifest.json"
DOCX_MANIFEST_REL = "https://districtlens.org/relationships/briefing-manifest"
HTML_MARKER = '<script type="application/json" id="districtlens-manifest">'
HTML_END = "</script>"


def unsigned(manifest: dict[str, Any]) -> dict[str, Any]:
    """The envelope a rendered briefing carries until its manifest is signed."""
    return {"manifest": manifest, "signature": None}


def envelope_json(envelope: dict[str, Any]) -> str:
    return json.dumps(envelope, ensure_ascii=False, sort_keys=True)


def html_json(envelope: dict[str, Any]) -> str:
    """The envelope as the HTML's script element holds it (no `</` to end the element early)."""
    return envelope_json(envelope).replace("</", "<\\/")


def embed(document: bytes, fmt: str, signed: dict[str, Any]) -> bytes:
    """The rendered `document` (as `fmt`) with the `signed` envelope in place of the unsigned one."""
    if fmt == "html":
        text = document.decode("utf-8")
        start = text.index(HTML_MARKER) + len(HTML_MARKER)
        end = text.index(HTML_END, start)
        return (text[:start] + html_json(signed) + text[end:]).encode("utf-8")
    blob = envelope_json(signed).encode("utf-8")
    if fmt == "pdf":
        return _embed_pdf(document, blob)
    return _embed_docx(document, blob)


def _embed_pdf(document: bytes, blob: bytes) -> bytes:
    """An incremental update of the PDF: the rendered file is kept byte for byte, and a revision
    that replaces the embedded manifest (its content, size and checksum) is appended."""
    from pypdf import PdfWriter
    from pypdf.generic import ByteStringObject, NumberObject

    writer = PdfWriter(io.BytesIO(document), incremental=True)
    attachment = next(found for found in writer.attachment_list if found.name == MANIFEST_NAME)
    attachment.content = blob
    attachment.size = NumberObject(len(blob))
    attachment.checksum = ByteStringObject(hashlib.md5(blob, usedforsecurity=False).digest())
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _embed_docx(document: bytes, blob: bytes) -> bytes:
    """The DOCX package rewritten member by member, the manifest part's content replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(document)) as source, zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            replaced = "/" + member.filename == DOCX_MANIFEST_PART
            target.writestr(member, blob if replaced else source.read(member))
    return out.getvalue()


def write_signed(
    document: bytes, fmt: str, manifest: dict[str, Any], key: Ed25519PrivateKey, out: Path
) -> dict[str, Any]:
    """Sign `manifest` with `key`, embed it in the rendered `document` and write it to `out`;
    the signed envelope."""
    signed = signing.sign(manifest, key)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(embed(document, fmt, signed))
    return signed


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _html_manifest(text: str) -> str | None:
    start = text.find(HTML_MARKER)
    if start < 0:
        return None
    end = text.find(HTML_END, start)
    return text[start + len(HTML_MARKER) : end].replace("<\\/", "</")


def read(path: Path) -> tuple[dict[str, Any], str]:
    """(the envelope, the visible text) of a briefing file; InputError when it carries none."""
    data = path.read_bytes()
    if data.startswith(b"%PDF"):
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        found = reader.attachments.get(MANIFEST_NAME)
        raw = found[0].decode("utf-8") if found else None
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    elif data.startswith(b"PK") and zipfile.is_zipfile(io.BytesIO(data)):
        from docx import Document

        doc = Document(io.BytesIO(data))
        raw = next(
            (
                rel.target_part.blob.decode("utf-8")
                for rel in doc.part.rels.values()
                if rel.reltype == DOCX_MANIFEST_REL
            ),
            None,
        )
        texts = [p.text for p in doc.paragraphs]
        texts += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
        text = "\n".join(texts)
    else:
        html = data.decode("utf-8", errors="replace")
        raw = _html_manifest(html)
        parser = _Text()
        parser.feed(html)
        text = "".join(parser.parts)
    if raw is None:
        raise InputError("brief.not_a_briefing", path=str(path))
    try:
        return json.loads(raw), text
    except json.JSONDecodeError as exc:
        raise InputError("brief.manifest_not_json", path=str(path), reason=str(exc)) from exc
