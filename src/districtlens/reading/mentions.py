"""Firms and places a text names, each linked to its record with a confidence.

The gazetteer holds every name of the store's registry (registered Chinese name, English name,
former names, and the short forms the names model gives: the name without its region and legal
form, the trade name 字号, a brand-like first word such as INTSIG) and every place of the loaded
packs (the district, zones, carriers, tracks and their keywords, streets). One Aho-Corasick pass
over a normalised copy of the text (same length, so offsets hold) finds them all; a Latin name must
stand as whole words, a short Chinese name on the word boundaries of a jieba segmentation whose
dictionary holds the registry's names. Overlaps keep the leftmost longest name.

A name that several firms share is ambiguous: it is reported with its candidates and no link
(`uscc` null, `review` true), never silently linked to one of them.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from districtlens import refdata
from districtlens.reading.vocabulary import chinese_words
from districtlens.store import reading as reading_store
from districtlens.store.db import Store

# Confidence of a link by the form of the name that matched.
FULL_NAME = 0.98
FORMER_NAME = 0.9
SHORT_NAME = 0.93
ALIAS = 0.85
TRADE_NAME = 0.8
STREET_STEM = 0.85
KEYWORD = 0.9  # a track's keyword: another track's own name wins (人工智能 is the AI track)
PLACEHOLDER_MARKS = ("未具名", "unnamed", "sans nom")  # carriers a pack counts but cannot name
LEGAL_EN = re.compile(
    r"[\s,]*(co\.?,?\s*ltd\.?|company limited|co\.,? limited|limited|ltd\.?|inc\.?|corp(oration)?\.?"
    r"|llc|plc|gmbh|s\.a\.|group)$",
    re.IGNORECASE,
)
REGION_EN = re.compile(r"^(shanghai|beijing|china)\s+|\s*\((shanghai|china|beijing)\)", re.IGNORECASE)
ZH_PLACE_SUFFIX = ("功能区", "高新园区", "园区", "街道", "镇", "区")
GENERIC_EN = frozenset({"district", "zone", "park", "shanghai", "china", "national", "municipal"})


# Full-width ASCII, typographic apostrophes and no-break spaces, folded one character for one.
_FOLD = str.maketrans(
    {**{chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}, "\u3000": " ", "\u00a0": " ", "\u202f": " "}
    | {"\u2009": " ", "’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"}
)


def normalise(text: str) -> str:
    """Lower case, typographic apostrophes and full-width forms folded, character for character
    (the result has the text's length, so an offset in one is an offset in the other)."""
    folded = text.translate(_FOLD)
    lowered = folded.lower()
    if len(lowered) == len(folded):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in folded)  # İ lowers to two


@dataclass(frozen=True)
class NameParts:
    """What the names model (resolve.names.parse_names) takes out of each name: its trade name
    (字号: 合合; caskosignal) and, for an English name, its leading word (casko, intsig)."""

    trade: list[str | None]
    lead: list[str | None]


def name_parts(names: list[str | None]) -> NameParts:
    from districtlens.resolve.names import parse_names

    if not names:
        return NameParts([], [])
    parsed = parse_names(names)
    return NameParts(parsed["trade"].to_list(), parsed["lead"].to_list())


@dataclass(frozen=True)
class Target:
    category: str  # firm or place
    id: str
    confidence: float
    place_kind: str | None = None
    short: bool = False  # a short form: must stand on word boundaries (jieba for Chinese)


@dataclass
class Gazetteer:
    automaton: Any
    targets: dict[str, list[Target]]  # normalised surface -> what it names
    places: dict[str, dict[str, Any]]  # place id -> its record (kind, carrier kind, ...)
    chinese_words: list[str]
    _segmenter: Any = field(default=None, repr=False)
    _common: set[str] = field(default_factory=set, repr=False)  # words of jieba's own dictionary
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def segmenter(self) -> Any:
        """A jieba tokenizer whose dictionary holds the registry's and the places' Chinese names,
        built on first use (only Chinese texts need it)."""
        with self._lock:
            if self._segmenter is None:
                import logging

                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                self._common = {w for w, freq in tokenizer.FREQ.items() if freq > 0}
                for word in self.chinese_words:
                    tokenizer.add_word(word, freq=100_000)
                self._segmenter = tokenizer
            return self._segmenter

    def common_word(self, word: str) -> bool:
        """Whether a Chinese word is in the language's own dictionary (创新, 众创): a trade name
        that is a common word names a firm only in a longer form of its name."""
        self.segmenter()
        return word in self._common


class Names:
    """The gazetteer's names as they are gathered: (surface, target) pairs, normalised all at once
    (one translate and one lower over the joined surfaces, not one call per name) by `table`."""

    def __init__(self) -> None:
        self.pairs: list[tuple[str, Target]] = []

    def add(self, surface: str | None, target: Target, min_len: int = 2) -> None:
        if surface and len(surface := surface.strip()) >= min_len:
            self.pairs.append((surface, target))

    def table(self) -> dict[str, list[Target]]:
        """Normalised surface -> its targets, each (category, id) once at its best confidence."""
        joined = "\x00".join(surface for surface, _ in self.pairs)
        keys = normalise(joined).split("\x00") if self.pairs else []
        best: dict[str, dict[tuple[str, str], Target]] = {}
        for key, (_, target) in zip(keys, self.pairs, strict=True):
            known = best.setdefault(key, {})
            seen = known.get((target.category, target.id))
            if seen is None or target.confidence > seen.confidence:
                known[(target.category, target.id)] = target
        return {key: list(targets.values()) for key, targets in best.items()}


def _zh_stems(names: list[str | None]) -> list[str | None]:
    """Each Chinese name without its legal form, bracketed region and leading region, in one pass
    over the column: 上海合合信息科技股份有限公司 -> 合合信息科技."""
    import polars as pl

    from districtlens.resolve.names import regions

    leading = "|".join(re.escape(n) for n in sorted(regions()[0], key=len, reverse=True))
    stems = (
        pl.Series(names, dtype=pl.String)
        .str.replace(r"(股份有限公司|有限责任公司|有限公司|集团|公司)$", "")
        .str.replace_all(r"[（(][^）)]*[）)]", "")
        .str.replace(rf"^(?:{leading})(.{{2,}})$", "$1")
    )
    return stems.to_list()


def _zh_short(name: str, stem: str | None, trade: str | None) -> list[str]:
    """The short forms of a Chinese name: its stem (合合信息科技) and its trade name (合合)."""
    out = [stem] if stem and stem != name and len(stem) >= 2 else []
    if trade and len(trade) >= 2 and CHINESE_ONLY.fullmatch(trade) and trade != stem:
        out.append(trade)
    return out


CHINESE_ONLY = re.compile(r"[\u4e00-\u9fff]+")


def _en_short(name: str, lead: str | None) -> tuple[list[str], str | None]:
    """CASKO Signal Ltd. -> CASKO Signal; and its leading word (the names model's `lead`) when it
    is written like a brand, in capitals or camel case (CASKO, INTSIG, XPeng), not a common word."""
    stem = REGION_EN.sub("", LEGAL_EN.sub("", name)).strip(" ,.")
    shorts = [stem] if stem and stem != name and len(stem) >= 4 else []
    written = next((w for w in re.findall(r"[\w&'-]+", name) if lead and w.lower() == lead), None)
    brand = written if written and len(written) >= 4 and sum(c.isupper() for c in written) >= 2 else None
    return shorts, brand


def _firm_entries(store: Store, table: Names, use_aliases: bool) -> list[str]:
    rows = reading_store.firm_names(store)
    zh_names = [name for _, name, _, _ in rows]
    parts = name_parts(zh_names + [name_en for _, _, name_en, _ in rows])
    trades, leads = parts.trade[: len(rows)], parts.lead[len(rows) :]
    stems = _zh_stems(zh_names)
    chinese: list[str] = []
    for (uscc, name, name_en, current), trade, lead, stem in zip(rows, trades, leads, stems, strict=True):
        full = FULL_NAME if current else FORMER_NAME
        if name:
            table.add(name, Target("firm", uscc, full))
            shorts = _zh_short(name, stem, trade) if re.search(r"[\u4e00-\u9fff]", name) else []
            for short in shorts:
                table.add(short, Target("firm", uscc, TRADE_NAME if short == trade else SHORT_NAME, short=True))
            chinese += shorts  # full names need no word boundary: only short ones are checked
        if name_en:
            table.add(name_en, Target("firm", uscc, full), min_len=3)
            shorts_en, brand = _en_short(name_en, lead)
            for short in shorts_en:
                table.add(short, Target("firm", uscc, SHORT_NAME, short=True), min_len=4)
            if brand:
                table.add(brand, Target("firm", uscc, TRADE_NAME, short=True))
    if use_aliases:
        _alias_entries(table, rows, parts.trade)
    return chinese


def _alias_entries(
    table: Names, rows: list[tuple[str, str | None, str | None, bool]], trades: list[str | None]
) -> None:
    """The alias table's spellings (阿斯利康 = AstraZeneca, resolve.aliases): each trade-name key of
    a group names the registry firms whose Chinese or English trade name is in the group
    (`trades`: those of the rows' Chinese names, then of their English names)."""
    from districtlens.resolve.aliases import load_aliases

    aliases = load_aliases()
    firms_of: dict[str, set[str]] = {}
    for i, (uscc, _, _, _) in enumerate(rows):
        for trade in (trades[i], trades[len(rows) + i]):
            if trade in aliases:
                firms_of.setdefault(aliases[trade], set()).add(uscc)
    for spelling, canonical in aliases.items():
        for uscc in sorted(firms_of.get(canonical, ())):
            table.add(spelling, Target("firm", uscc, ALIAS, short=True))


def _capitalised_runs(name: str) -> list[str]:
    """Runs of capitalised words of a Latin name: Daning functional zone -> Daning."""
    runs = re.findall(r"(?:[A-Z][\w'’&-]*|i[A-Z]\w*)(?:\s+(?:[A-Z&][\w'’&-]*|i[A-Z]\w*|S&T))*", name)
    return [r for r in runs if len(r) >= 4 and r.lower() not in GENERIC_EN]


def _place_entries(store: Store, table: Names) -> tuple[dict[str, dict[str, Any]], list[str]]:
    places: dict[str, dict[str, Any]] = {}
    chinese: list[str] = []
    cores: dict[str, set[str]] = {}
    districts = set()
    for place in reading_store.places(store):
        key = f"{place['kind']}:{place['id']}"
        places[key] = place
        names = [n for n in place["names"] if n and not any(m in n for m in PLACEHOLDER_MARKS)]
        for name in names:
            table.add(name, Target("place", key, FULL_NAME, place["kind"], short=len(name) <= 3))
        for keyword in place.get("keywords", []):
            table.add(keyword, Target("place", key, KEYWORD, place["kind"], short=len(keyword) <= 3))
        for name in names if place["kind"] in ("zone", "district") else []:
            if re.search(r"[\u4e00-\u9fff]", name):
                chinese.append(name)
                for suffix in ZH_PLACE_SUFFIX:
                    if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                        cores.setdefault(name[: -len(suffix)], set()).add(key)
                        break
            else:
                for run in _capitalised_runs(re.sub(r"\s+District$", "", name)):
                    cores.setdefault(run, set()).add(key)
        if place["kind"] == "district":
            districts.add(place["id"])
    for core, keys in cores.items():
        if len(keys) == 1:  # a core two places share names neither
            (key,) = keys
            table.add(core, Target("place", key, SHORT_NAME, places[key]["kind"], short=True))
            chinese.append(core)
    streets = refdata.streets()
    for code, name, area in streets.select("code", "name", "areaCode").iter_rows():
        if area in districts:
            key = f"street:{code}"
            places[key] = {"kind": "street", "id": code, "names": [name], "district": area}
            table.add(name, Target("place", key, FULL_NAME, "street"))
            stem = re.sub(r"(街道|镇)$", "", name)
            if len(stem) >= 2:  # below a zone's own name (南京西路 is first the zone)
                table.add(stem, Target("place", key, STREET_STEM, "street", short=True))
            chinese.append(name)
    return places, chinese


_CACHE: dict[tuple[tuple[str, int], bool], Gazetteer] = {}
_CACHE_LOCK = threading.Lock()


def gazetteer(store: Store, use_aliases: bool = True) -> Gazetteer:
    """The store's gazetteer, built once for the names it holds (a write that renames a firm or
    loads a pack makes the next read rebuild it)."""
    key = (reading_store.names_version(store), use_aliases)
    with _CACHE_LOCK:
        if key not in _CACHE:
            _CACHE.clear()
            _CACHE[key] = _build(store, use_aliases)
        return _CACHE[key]


def _build(store: Store, use_aliases: bool) -> Gazetteer:
    import ahocorasick

    names = Names()
    chinese = _firm_entries(store, names, use_aliases)
    places, chinese_places = _place_entries(store, names)
    table = names.table()
    automaton = ahocorasick.Automaton()
    for surface in table:
        automaton.add_word(surface, surface)
    automaton.make_automaton()
    return Gazetteer(automaton, table, places, sorted(set(chinese + chinese_places + chinese_words())))


@dataclass(frozen=True)
class Mention:
    text: str
    start: int
    end: int
    targets: tuple[Target, ...]

    @property
    def category(self) -> str:
        return self.targets[0].category


def _word_char(char: str) -> bool:
    return char.isalnum() and not ("\u4e00" <= char <= "\u9fff")


def _stands_alone(text: str, start: int, end: int) -> bool:
    """A Latin name must not run into letters on either side (CASKO, not CASKOS)."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    first, last = text[start], text[end - 1]
    return not (_word_char(first) and _word_char(before)) and not (_word_char(last) and _word_char(after))


def find(text: str, language: str, gaz: Gazetteer) -> list[Mention]:
    """Every firm and place mention of `text`: within each category, the leftmost longest."""
    folded = normalise(text)
    boundaries: set[int] | None = None
    candidates: list[Mention] = []
    for last, surface in gaz.automaton.iter(folded):
        start, end = last - len(surface) + 1, last + 1
        if not _stands_alone(text, start, end):
            continue
        targets = gaz.targets[surface]
        original = text[start:end]
        latin = not re.search(r"[\u4e00-\u9fff]", original)
        if latin and original[:1].islower():
            # A Latin firm name is a name only where the text capitalises it (Roche, not roche).
            targets = [t for t in targets if t.category != "firm"]
        if not latin and any(t.short for t in targets):
            if boundaries is None:
                boundaries = _boundaries(text, gaz) if language == "zh" else set()
            if language == "zh" and (start not in boundaries or end not in boundaries):
                continue
            if language == "zh":
                targets = [t for t in targets if not (t.short and t.category == "firm" and gaz.common_word(original))]
            if not targets:
                continue
        for category in ("firm", "place"):
            mine = tuple(sorted((t for t in targets if t.category == category), key=lambda t: -t.confidence))
            if mine:
                candidates.append(Mention(original, start, end, mine))
    firms = _leftmost_longest([c for c in candidates if c.category == "firm"])
    # A place inside a firm's name is part of the name (YOGO Robot names no robot track).
    places = [
        p
        for p in _leftmost_longest([c for c in candidates if c.category == "place"])
        if not any(f.start <= p.start and p.end <= f.end and (f.start, f.end) != (p.start, p.end) for f in firms)
    ]
    return sorted(firms + places, key=lambda m: m.start)


def _leftmost_longest(mentions: list[Mention]) -> list[Mention]:
    kept: list[Mention] = []
    reach = -1
    for m in sorted(mentions, key=lambda m: (m.start, -(m.end - m.start))):
        if m.start >= reach:
            kept.append(m)
            reach = m.end
    return kept


def _boundaries(text: str, gaz: Gazetteer) -> set[int]:
    return {b for _, start, end in gaz.segmenter().tokenize(text) for b in (start, end)}


def firm_link(mention: Mention) -> dict[str, Any]:
    """{uscc, confidence, candidates}: one firm, or none when several share the name (review)."""
    firms = sorted({t.id: t for t in mention.targets if t.category == "firm"}.values(), key=lambda t: -t.confidence)
    if len(firms) == 1:
        return {"uscc": firms[0].id, "confidence": firms[0].confidence, "candidates": [], "review": False}
    return {
        "uscc": None,
        "confidence": round(firms[0].confidence / len(firms), 4),
        "candidates": [t.id for t in firms],
        "review": True,
    }
