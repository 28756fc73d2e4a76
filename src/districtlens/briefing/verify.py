"""Verifying a briefing file (HTML, PDF or DOCX) against the Commission's key and the store.

Three checks, each reported figure by figure:

1. the signature over the embedded manifest holds for the Commission's key (else the manifest,
   i.e. the figures and their definitions, was altered or signed by someone else);
2. every figure's displayed value `value[Fn]` appears in the document's visible text as the
   manifest records it (else the visible document was edited);
3. every figure recomputed from the store with its definition equals the manifest's value (else
   the data changed since the briefing: a later import, a correction).
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from districtlens.briefing import render, signing
from districtlens.claims.compute import Session, compute, prefetch
from districtlens.store.db import Store


class VerifyError(ValueError):
    """A file that is not a districtlens briefing (no manifest), said plainly."""


@dataclass
class Verdict:
    signature: str | None  # None when it holds
    edited: list[dict[str, Any]] = field(default_factory=list)  # visible figure differs from manifest
    changed: list[dict[str, Any]] = field(default_factory=list)  # recomputed value differs
    checked: int = 0
    ledger_head_then: str = ""
    ledger_head_now: str = ""

    @property
    def holds(self) -> bool:
        return self.signature is None and not self.edited and not self.changed

    def as_json(self) -> dict[str, Any]:
        return {"holds": self.holds, "signature": "valid" if self.signature is None else self.signature,
                "figures_checked": self.checked, "edited": self.edited, "changed": self.changed,
                "ledger_head_then": self.ledger_head_then, "ledger_head_now": self.ledger_head_now}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _html_manifest(text: str) -> str | None:
    marker = '<script type="application/json" id="districtlens-manifest">'
    start = text.find(marker)
    if start < 0:
        return None
    end = text.find("</script>", start)
    return text[start + len(marker):end].replace("<\\/", "</")


def read(path: Path) -> tuple[dict[str, Any], str]:
    """(signed manifest, visible text) of a briefing file."""
    data = path.read_bytes()
    if data.startswith(b"%PDF"):
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        found = reader.attachments.get(render.MANIFEST_NAME)
        raw = found[0].decode("utf-8") if found else None
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    elif data.startswith(b"PK") and zipfile.is_zipfile(io.BytesIO(data)):
        from docx import Document

        doc = Document(io.BytesIO(data))
        raw = next((rel.target_part.blob.decode("utf-8") for rel in doc.part.rels.values()
                    if rel.reltype == render.DOCX_MANIFEST_REL), None)
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
        raise VerifyError(f"{path} carries no districtlens manifest: not a districtlens briefing")
    try:
        return json.loads(raw), text
    except json.JSONDecodeError as exc:
        raise VerifyError(f"{path}: the embedded manifest is not JSON ({exc})") from exc


def _squeeze(text: str) -> str:
    return "".join(text.split())


def verify(store: Store, path: Path, public: signing.Ed25519PublicKey) -> Verdict:
    signed, text = read(path)
    verdict = Verdict(signing.check(signed, public))
    manifest = signed.get("manifest") or {}
    figures = manifest.get("figures") or []
    visible = _squeeze(text)
    session = Session(store)
    verdict.ledger_head_then, verdict.ledger_head_now = manifest.get("ledger_head", ""), session.head
    prefetch(session, [f["parameters"] for f in figures if isinstance(f.get("parameters"), dict)])
    for figure in figures:
        verdict.checked += 1
        shown = f"{figure['display']}[{figure['ref']}]"
        if _squeeze(shown) not in visible:
            verdict.edited.append({"id": figure["id"], "ref": figure["ref"], "manifest": figure["display"]})
        now = json.loads(json.dumps(compute(session, figure["parameters"]).value, default=str))
        if now != figure["value"]:
            verdict.changed.append({"id": figure["id"], "ref": figure["ref"], "then": figure["value"], "now": now})
    return verdict
