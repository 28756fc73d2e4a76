"""A document read: its language, sentences, firm and place mentions, figures, and proposed claims."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from districtlens.reading import figures as figure_reader
from districtlens.reading import language as language_detector
from districtlens.reading import mentions as mention_finder
from districtlens.reading import sentences as sentence_splitter
from districtlens.reading.extract import Document
from districtlens.reading.propose import Proposal, propose
from districtlens.store import reading as reading_store
from districtlens.store.db import Store


@dataclass(frozen=True)
class Reading:
    document: Document
    language: str
    sentences: list[tuple[int, int]]
    firms: list[dict[str, Any]]
    places: list[dict[str, Any]]
    figures: list[dict[str, Any]]
    proposals: list[Proposal]
    district: str | None


def read(store: Store, doc: Document, *, use_aliases: bool = True) -> Reading:
    gaz = mention_finder.gazetteer(store, use_aliases)
    lang = language_detector.detect(doc.text)
    spans = sentence_splitter.split(doc.text, lang)
    found = mention_finder.find(doc.text, lang, gaz)
    figs = [f for start, end in spans for f in figure_reader.find(doc.text[start:end], lang, start)]
    district = _district(found, gaz.places)
    proposals = propose(doc.text, doc.sha256, lang, spans, figs, found, gaz.places, district)
    return Reading(
        document=doc,
        language=lang,
        sentences=spans,
        firms=_firms(store, found),
        places=[_place(m) for m in found if m.category == "place"],
        figures=[f.as_dict() for f in figs],
        proposals=proposals,
        district=district,
    )


def _district(found: list[mention_finder.Mention], places: dict[str, dict[str, Any]]) -> str | None:
    """The district the text speaks of: the one it names most, else the only one the store's packs
    hold; None when neither decides."""
    named = Counter(
        places[t.id]["district"]
        for m in found
        for t in m.targets
        if t.category == "place" and places[t.id].get("district")
    )
    if named:
        return named.most_common(1)[0][0]
    held = {p["id"] for p in places.values() if p["kind"] == "district"}
    return next(iter(held)) if len(held) == 1 else None


def _firms(store: Store, found: list[mention_finder.Mention]) -> list[dict[str, Any]]:
    links = [(m, mention_finder.firm_link(m)) for m in found if m.category == "firm"]
    names = reading_store.current_names(store, sorted({link["uscc"] for _, link in links if link["uscc"]}))
    return [
        {
            "text": m.text,
            "start": m.start,
            "end": m.end,
            "uscc": link["uscc"],
            "name": names.get(link["uscc"]) if link["uscc"] else None,
            "confidence": link["confidence"],
            "review": link["review"],
            "candidates": link["candidates"],
        }
        for m, link in links
    ]


def _place(m: mention_finder.Mention) -> dict[str, Any]:
    first = m.targets[0]
    kind, _, ident = first.id.partition(":")
    return {
        "text": m.text,
        "start": m.start,
        "end": m.end,
        "kind": kind,
        "id": ident,
        "also": [t.id for t in m.targets[1:]],
        "confidence": first.confidence,
    }
