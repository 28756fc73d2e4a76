"""Verifying a briefing file (HTML, PDF or DOCX) against the Commission's key and the store.

Two checks:

1. the signature covers the whole document and holds for the Commission's key (`document`): any
   change to visible or hidden content (text, title, metadata, style, a label, a unit, the
   manifest), a PDF revision appended after signing, or a signature by another key fails it;
2. every figure recomputed from the store with its definition equals the manifest's value (else
   the data changed since the briefing: a later import, a correction); a cited scenario's figures
   are recomputed from the definition saved in the store, which must still be the one cited.

The verdict on the signature is one of `signing.VERDICTS`, told in words by the catalog's
`brief.verdict_<name>` in zh, en and fr.
"""

from __future__ import annotations

import importlib
import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from districtlens.briefing import document, i18n
from districtlens.briefing.figures import computer
from districtlens.claims.compute import prefetch
from districtlens.claims.session import Session
from districtlens.errors import InputError
from districtlens.store.db import Store

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


class Verdict(BaseModel):
    holds: bool  # the signature holds over the whole document and no figure changed
    format: str  # html, pdf or docx, as read from the file
    signature: str  # one of signing.VERDICTS: "valid", "altered", "another_key", ...
    reason: str  # the signature's verdict in words, in the language asked
    figures_checked: int
    changed: list[dict[str, Any]]  # the recomputed value differs from the manifest's
    ledger_head_then: str
    ledger_head_now: str


def reason(signature: str, lang: str) -> str:
    return i18n.t("verdict_" + signature, lang)


def verify(store: Store, path: Path, public: Ed25519PublicKey, lang: str = "en") -> Verdict:
    data = path.read_bytes()
    fmt = document.file_format(data)
    manifest = document.read_manifest(data, fmt, str(path))
    if manifest is None:
        raise InputError("brief.not_a_briefing", path=str(path))
    if fmt == "pdf":  # pyHanko takes a second to import: done while the figures recompute
        threading.Thread(target=importlib.import_module, args=("pyhanko.sign",), daemon=True).start()
    figures = [
        f for f in manifest.get("figures") or [] if isinstance(f, dict) and isinstance(f.get("parameters"), dict)
    ]
    session = Session(store)
    prefetch(session, [f["parameters"] for f in figures])
    figure_value = computer(session)
    changed = []
    for figure in figures:
        now = json.loads(json.dumps(figure_value(figure["parameters"]).value, default=str))
        if now != figure.get("value"):
            changed.append({"id": figure.get("id"), "ref": figure.get("ref"), "then": figure.get("value"), "now": now})
    signature = document.check_signature(data, fmt, public)
    return Verdict(
        holds=signature == "valid" and not changed,
        format=fmt,
        signature=signature,
        reason=reason(signature, lang),
        figures_checked=len(figures),
        changed=changed,
        ledger_head_then=str(manifest.get("ledger_head", "")),
        ledger_head_now=session.head,
    )
