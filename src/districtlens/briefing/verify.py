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

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from districtlens.briefing import document, signing
from districtlens.claims.compute import compute, prefetch
from districtlens.claims.session import Session
from districtlens.store.db import Store

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


class Verdict(BaseModel):
    holds: bool  # the signature holds, and no figure was edited or changed
    signature: str  # "valid", or what is wrong with it
    figures_checked: int
    edited: list[dict[str, Any]]  # the visible figure differs from the manifest's
    changed: list[dict[str, Any]]  # the recomputed value differs from the manifest's
    ledger_head_then: str
    ledger_head_now: str


def _squeeze(text: str) -> str:
    return "".join(text.split())


def verify(store: Store, path: Path, public: Ed25519PublicKey) -> Verdict:
    signed, text = document.read(path)
    problem = signing.check(signed, public)
    manifest = signed.get("manifest") or {}
    figures = manifest.get("figures") or []
    visible = _squeeze(text)
    session = Session(store)
    prefetch(session, [f["parameters"] for f in figures if isinstance(f.get("parameters"), dict)])
    edited, changed = [], []
    for figure in figures:
        shown = f"{figure['display']}[{figure['ref']}]"
        if _squeeze(shown) not in visible:
            edited.append({"id": figure["id"], "ref": figure["ref"], "manifest": figure["display"]})
        now = json.loads(json.dumps(compute(session, figure["parameters"]).value, default=str))
        if now != figure["value"]:
            changed.append({"id": figure["id"], "ref": figure["ref"], "then": figure["value"], "now": now})
    return Verdict(
        holds=problem is None and not edited and not changed,
        signature=problem or "valid",
        figures_checked=len(figures),
        edited=edited,
        changed=changed,
        ledger_head_then=manifest.get("ledger_head", ""),
        ledger_head_now=session.head,
    )
