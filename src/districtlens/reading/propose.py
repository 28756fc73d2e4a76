"""Proposed claims: each sentence that states a checkable figure about the district becomes a
claim waiting for review, with its quote, span, figure, and the query of the claims vocabulary
(`districtlens.claims.queries`) that would check it.

The query is read off the sentence's words (vocabulary.yaml) and the places it names: a count
next to a carrier kind is a carrier count (quatre incubateurs nationaux), "N of the top M" of a
shipped list a listed presence, an ordinal among peers a rank of a track's revenue or growth,
a share of a track's enterprises a share, an area of a named carrier its attribute. A figure no
rule maps gets `not-computable` with the reason, for the reviewer to write its query. A sentence
in the future or naming a target is a statement of intent: proposed as such, never checked.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from districtlens.claims.queries import parse_query
from districtlens.errors import InputError
from districtlens.i18n import LANGUAGES, t
from districtlens.reading.figures import Figure
from districtlens.reading.mentions import Mention
from districtlens.reading.vocabulary import vocabulary

NAMED_FIRMS_AT_LEAST = 3  # a sentence naming this many firms states how many it names
NEAR_AFTER = 64  # characters after a count where what it counts is named
# Why a proposed figure is not computable (message keys), said in every language in its query, as a
# pack gives the reason of a not-computable claim.
NO_RULE = "reading.not_computable.no_rule"
NO_DISTRICT = "reading.not_computable.no_district"


@dataclass(frozen=True)
class Proposal:
    id: str
    language: str
    quote: str
    start: int
    end: int
    figure: dict[str, Any]
    query: dict[str, Any] | None  # None for a statement of intent
    kind: str  # figure, count, ranking, intent
    comparison: str  # equal, at-least, about, rank, none
    subject: str | None  # the track, carrier, zone or firm the sentence speaks of

    def asserted(self) -> dict[str, Any]:
        out = {"value": self.figure["value"], "unit": self.figure.get("unit")}
        for key in ("of", "year", "period"):
            if self.figure.get(key) is not None:
                out[key] = self.figure[key]
        return out


def _has(text: str, words: list[str] | tuple[str, ...], language: str) -> bool:
    return _first(text, words, language) is not None


def _first(text: str, words: list[str] | tuple[str, ...], language: str) -> int | None:
    """Where the first of `words` occurs in `text` (lower case): a prefix of a word in Latin text."""
    best = None
    for word in words:
        word = word.lower().replace("'", "’")
        pattern = (
            re.escape(word) if language == "zh" or re.search(r"[\u4e00-\u9fff]", word) else rf"(?<!\w){re.escape(word)}"
        )
        m = re.search(pattern, text)
        if m and (best is None or m.start() < best):
            best = m.start()
    return best


def proposal_id(sha256: str, start: int, end: int, value: float) -> str:
    digest = hashlib.sha256(f"{sha256}:{start}:{end}:{value!r}".encode()).hexdigest()
    return f"read-{digest[:12]}"


def propose(
    text: str,
    sha256: str,
    language: str,
    sentences: list[tuple[int, int]],
    figures: list[Figure],
    mentions: list[Mention],
    places: dict[str, dict[str, Any]],
    district: str | None,
) -> list[Proposal]:
    out: list[Proposal] = []
    for start, end in sentences:
        mine = [f for f in figures if start <= f.start < end]
        named = [m for m in mentions if start <= m.start < end]
        quote = text[start:end]
        low = quote.lower().replace("'", "’")
        intent = _has(low, vocabulary()["plans"], language)
        # Only linked names count: an ambiguous one may not name a firm at all.
        firms = {m.targets[0].id for m in named if m.category == "firm" and len(m.targets) == 1}
        if len(firms) >= NAMED_FIRMS_AT_LEAST:
            mine = [*mine, _named_firms(quote, start, len(firms))]
        for figure in mine:
            query, kind = (None, "intent") if intent else _query(figure, low, start, named, places, district, language)
            comparison = "none" if intent else figure.comparison
            out.append(
                Proposal(
                    id=proposal_id(sha256, start, end, figure.value),
                    language=language,
                    quote=quote,
                    start=start,
                    end=end,
                    figure=figure.as_dict(),
                    query=query,
                    kind=kind,
                    comparison=comparison,
                    subject=_subject(named),
                )
            )
    return _unique(out)


def _unique(proposals: list[Proposal]) -> list[Proposal]:
    """One proposal per claim: a sentence a text repeats (an introduction quoted again in the
    body) states its figure once; the first place it stands is the span."""
    seen: set[tuple[str, float]] = set()
    out = []
    for p in proposals:
        key = (p.quote, p.figure["value"])
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def _named_firms(quote: str, start: int, count: int) -> Figure:
    return Figure(quote, start, start + len(quote), float(count), "named enterprises", "count", "at-least")


def _subject(named: list[Mention]) -> str | None:
    for category in ("firm", "place"):
        for m in named:
            if m.category == category:
                return m.targets[0].id
    return None


def _places(named: list[Mention], kind: str, places: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The places of `kind` named, one per mention: its best target of that kind (大数据 is the big-data
    track's own name and a keyword of data intelligence)."""
    found = []
    for m in named:
        mine = [t for t in m.targets if t.category == "place" and t.place_kind == kind]
        if mine:
            found.append(places[mine[0].id])
    return found


def _query(
    figure: Figure,
    low: str,
    offset: int,
    named: list[Mention],
    places: dict[str, dict[str, Any]],
    district: str | None,
    language: str,
) -> tuple[dict[str, Any], str]:
    """(the query, the claim's kind) of a figure in a sentence (`low`: the sentence, lower case)."""
    kind = {"rank": "ranking", "count": "count"}.get(figure.kind, "figure")
    if district is None:
        return _not_computable(NO_DISTRICT), kind
    raw = _raw_query(figure, low, offset, named, places, language)
    if raw is None:
        return _not_computable(NO_RULE), kind
    try:
        return parse_query(raw, "proposed claim", district), kind
    except InputError:
        return _not_computable(NO_RULE), kind


def _not_computable(reason: str) -> dict[str, Any]:
    """The query of a figure that cannot be checked, with the reason `reason` in every language."""
    return {"kind": "not-computable", "reason": {lang: t(reason, lang) for lang in LANGUAGES}}


def _raw_query(
    figure: Figure, low: str, offset: int, named: list[Mention], places: dict[str, dict[str, Any]], language: str
) -> dict[str, Any] | None:
    vocab = vocabulary()
    tracks = [p["id"] for p in _places(named, "track", places)]
    near = _near(low, figure.start - offset, figure.end - offset, language)
    if figure.kind == "area":
        carriers = _places(named, "carrier", places)
        attribute = "area_km2" if figure.unit == "km²" else "floor_space_m2"
        return {"kind": "carrier-attribute", "carrier": carriers[0]["id"], "attribute": attribute} if carriers else None
    if figure.kind == "rank":
        return _rank_query(figure, low, tracks, language)
    if figure.kind == "count":
        kinds = {k: _first(near, words, language) for k, words in vocab["carrier_kinds"].items()}
        named_kinds = sorted((at, k) for k, at in kinds.items() if at is not None)
        if named_kinds:
            query: dict[str, Any] = {"kind": "carrier-count", "carrier_kind": named_kinds[0][1]}
            level = next((lv for lv, ws in vocab["levels"].items() if _has(near, ws, language)), None)
            return query | ({"level": level} if level else {})
        if figure.of is not None:
            for name, rule in vocab["lists"].items():
                if all(_has(low, words, language) for words in rule["all"]) and any(
                    _has(low, words, language) for words in rule["any"]
                ):
                    return {"kind": "listed-presence", "list": name, "top": int(figure.of)}
        if _places(named, "carrier", places):
            return None  # firms of a carrier: no register of tenants to count them in
        if _has(figure.unit or "", vocab["enterprises"], language) or _has(near, vocab["enterprises"], language):
            query = {"kind": "enterprise-count"} | ({"track": tracks[-1]} if tracks else {})
            tag = next((t for t, words in vocab["tags"].items() if _has(near, words, language)), None)
            return query | ({"tag": tag} if tag else {})
        return None
    if figure.kind == "share" and tracks and _has(low, vocab["enterprises"], language):
        return {"kind": "share", "set": {"track": tracks[-1]}, "among": "city"}
    if figure.kind == "percent" and tracks and figure.year and _has(low, vocab["measures"]["growth"], language):
        column = _column(low, language)
        return {"kind": "growth", "track": tracks[-1], "column": column, "from": figure.year - 1, "to": figure.year}
    return None


def _near(low: str, start: int, end: int, language: str) -> str:
    """The words that say what a count counts: those after it up to the end of its item of an
    enumeration (quatre incubateurs nationaux, trois espaces ...), and in Chinese also its clause
    before it (大数据企业超过200家)."""
    after = re.split(r"[，,；;：:。.、]", low[end : end + NEAR_AFTER])[0]
    if language != "zh":
        return after
    return re.split(r"[，,；;：:。、]", low[:start])[-1] + " " + after


def _column(low: str, language: str) -> str:
    for column in ("tax", "rd_spend"):
        if _has(low, vocabulary()["measures"][column], language):
            return column
    return "revenue"


def _rank_query(figure: Figure, low: str, tracks: list[str], language: str) -> dict[str, Any] | None:
    vocab = vocabulary()
    among = next((g for g, words in vocab["peer_groups"].items() if _has(low, words, language)), None)
    if not tracks or among is None:
        return None
    column = _column(low, language)
    if (
        figure.period
        and _has(low, vocab["measures"]["growth"], language)
        and not _has(low, vocab["measures"]["revenue"], language)
    ):
        measure: dict[str, Any] = {"kind": "growth", "column": column, "from": figure.period[0], "to": figure.period[1]}
    elif figure.period or figure.year:
        years = list(range(figure.period[0], figure.period[1] + 1)) if figure.period else [figure.year]
        measure = {"kind": "total", "column": column, "years": years}
    else:
        return None
    return {"kind": "rank", "among": among, "measure": measure | {"track": tracks[0]}}
