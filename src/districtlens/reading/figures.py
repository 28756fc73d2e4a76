"""Figures a sentence states: values with their unit, the year they speak of, and how they are
stated (exactly, at least, about, a rank, a share, a count of things).

Arabic numbers with the language's separators (French 3,31 and 400 000; English 1,000.5),
Chinese numerals and their 万/亿 multipliers, number words (six, vingt-quatre, 十四), fractions
(un tiers, a third, 三分之一), ordinals (deuxième, fifth, 第二), "only" (seul, 唯一) and "N of
the M" (14 des 50, 50强中有14家). Years are figures of their own when a sentence states nothing
else, and otherwise the year (or period) the other figures speak of.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any

from districtlens.yamltext import load_yaml


@dataclass(frozen=True)
class Figure:
    text: str
    start: int
    end: int
    value: float
    unit: str | None  # %, km², m², 亿元, year, rank, share, only, or the counted noun
    kind: str  # number, count, percent, share, rank, year, duration, area, money
    comparison: str = "equal"  # equal, at-least, about, rank
    of: float | None = None  # 14 of the 50: 50
    year: int | None = None
    period: tuple[int, int] | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text, "start": self.start, "end": self.end, "value": self.value}
        out |= {"unit": self.unit, "year": self.year, "kind": self.kind, "comparison": self.comparison}
        if self.of is not None:
            out["of"] = self.of
        if self.period is not None:
            out["period"] = list(self.period)
        return out


@dataclass(frozen=True)
class Words:
    """A language's words for figures (figures.yaml)."""

    numbers: dict[str, int]
    ordinals: dict[str, int]
    fractions: dict[str, float]
    approximations: dict[str, float]  # une centaine: about 100
    only: tuple[str, ...]
    at_least: tuple[str, ...]
    about: tuple[str, ...]
    units: dict[str, str]  # written unit -> unit
    multipliers: dict[str, float]
    unit_scales: dict[str, float]  # 万平方米: ten thousand m²
    durations: tuple[str, ...]
    enumerated_one: tuple[str, ...]  # un, une, one, a: a count of 1 only among other counts
    event_years: tuple[str, ...]  # fondée en 1986: a year that is a figure of its own
    events: tuple[str, ...]  # what an ordinal may count that is not a rank (plénum, session, 届)
    skip_after_number: tuple[str, ...] = field(default_factory=tuple)


@cache
def words(language: str) -> Words:
    data = load_yaml(resources.files("districtlens.reading").joinpath("figures.yaml").read_text(encoding="utf-8"))
    raw = data[language]
    return Words(
        numbers={str(k): int(v) for k, v in raw.get("numbers", {}).items()},
        ordinals={str(k): int(v) for k, v in raw.get("ordinals", {}).items()},
        fractions={str(k): float(v) for k, v in raw.get("fractions", {}).items()},
        approximations={str(k): float(v) for k, v in raw.get("approximations", {}).items()},
        only=tuple(raw.get("only", [])),
        at_least=tuple(raw.get("at_least", [])),
        about=tuple(raw.get("about", [])),
        units={str(k): str(v) for k, v in raw.get("units", {}).items()},
        multipliers={str(k): float(v) for k, v in raw.get("multipliers", {}).items()},
        unit_scales={str(k): float(v) for k, v in raw.get("unit_scales", {}).items()},
        durations=tuple(raw.get("durations", [])),
        enumerated_one=tuple(raw.get("enumerated_one", [])),
        event_years=tuple(raw.get("event_years", [])),
        events=tuple(raw.get("events", [])),
        skip_after_number=tuple(raw.get("skip_after_number", [])),
    )


def _alternation(items: list[str] | tuple[str, ...]) -> str:
    return "|".join(re.escape(i) for i in sorted(items, key=len, reverse=True))


DATE = re.compile(
    r"(?<!\d)(19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?!\d)|(?<!\d)\d{1,2}[/.]\d{1,2}[/.](19|20)\d{2}(?!\d)"
)
YEAR = re.compile(r"(?<![\d.,])(19[5-9]\d|20[0-4]\d)(?![\d.,]\d)")
ZH_NUMERAL = "零〇一二两三四五六七八九十百千万亿"
_ZH_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}
_ZH_BIG = {"万": 10_000, "亿": 100_000_000}


def zh_number(text: str) -> float | None:
    """十四 -> 14, 两百 -> 200, 三万五千 -> 35000; None when it is not a Chinese numeral."""
    if not text or any(c not in ZH_NUMERAL for c in text):
        return None
    total, section, digit = 0, 0, 0
    for char in text:
        if char in _ZH_DIGITS:
            digit = _ZH_DIGITS[char]
        elif char in _ZH_UNITS:
            section += (digit or 1) * _ZH_UNITS[char]
            digit = 0
        else:
            total = (total + section + digit) * _ZH_BIG[char]
            section = digit = 0
    return float(total + section + digit)


def _arabic(text: str, language: str) -> float:
    compact = re.sub(r"[\s\u00a0\u202f\u2009]", "", text)
    if language == "fr":
        compact = compact.replace(".", "").replace(",", ".") if "," in compact else compact
    else:
        compact = compact.replace(",", "")
    return float(compact)


def _number_pattern(language: str) -> str:
    if language == "fr":
        return r"\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
    return r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"


# What may not stand before a number: a letter in Latin text; in Chinese, letters touch numbers.
_NUMBER_BEFORE = {False: r"(?<![\w.,])", True: r"(?<![\d.,])"}


@cache
def _patterns(language: str) -> dict[str, re.Pattern[str]]:
    w = words(language)
    bound_l, bound_r = ("", "") if language == "zh" else (r"(?<![\w])", r"(?![\w])")
    number_words = _alternation(list(w.numbers))
    out = {
        "arabic": re.compile(
            rf"{_NUMBER_BEFORE[language == 'zh']}(?P<num>{_number_pattern(language)})"
            rf"\s?(?P<mult>{_alternation(list(w.multipliers))})?"
            rf"\s?(?P<unit>{_alternation(list(w.units))})?",
            re.IGNORECASE,
        ),
        "ordinal": re.compile(rf"{bound_l}(?P<w>{_alternation(list(w.ordinals))}){bound_r}", re.IGNORECASE),
        "fraction": re.compile(rf"{bound_l}(?P<w>{_alternation(list(w.fractions))}){bound_r}", re.IGNORECASE),
        "approx": re.compile(rf"{bound_l}(?P<w>{_alternation(list(w.approximations))}){bound_r}", re.IGNORECASE),
        "only": re.compile(rf"{bound_l}(?P<w>{_alternation(w.only)}){bound_r}", re.IGNORECASE),
        "of": re.compile(
            rf"(?P<a>\d+|{number_words})\s+(?:des|of the|of)\s+(?P<b>\d+|{number_words}){bound_r}", re.IGNORECASE
        )
        if language != "zh"
        else re.compile(r"(?P<b>\d+|[" + ZH_NUMERAL + r"]+)强[^，。；]{0,12}?有(?P<a>\d+|[" + ZH_NUMERAL + r"]+)家"),
        "words": re.compile(
            rf"{bound_l}(?P<w>{number_words}){bound_r}"
            if language != "zh"
            else r"(?<![第])(?P<w>[" + ZH_NUMERAL + r"]+)(?=[余多]?[家个项名所座大种条批类位年])"
        ),
    }
    if language == "zh":
        out["ordinal"] = re.compile(r"(?P<w>第[" + ZH_NUMERAL + r"\d]+|首位|首个|首家)")
    return out


def _number_word(token: str, language: str) -> float | None:
    if language == "zh":
        return zh_number(token) if not token.isdigit() else float(token)
    if token.isdigit():
        return float(token)
    return float(words(language).numbers[token.lower()]) if token.lower() in words(language).numbers else None


def _qualifier(sentence: str, at: int, language: str) -> str:
    """at-least or about when a qualifier stands just before the figure (plus de, nearly, 超过)."""
    w = words(language)
    before = sentence[max(0, at - 16) : at].lower().rstrip()
    if language == "zh":  # 约占全市的三分之一: the qualifier stands a few characters before, in the clause
        before = re.split(r"[，,；;：:。]", before)[-1][-6:]
        for comparison, qualifiers in (("at-least", w.at_least), ("about", w.about)):
            if any(q in before for q in qualifiers):
                return comparison
    if any(before.endswith(q) for q in w.at_least):
        return "at-least"
    if any(before.endswith(q) for q in w.about):
        return "about"
    after = sentence[at : at + 12]
    if language == "zh" and re.match(r"[\d" + ZH_NUMERAL + r"]+[余多]", after):
        return "at-least"
    return "equal"


def _noun_after(sentence: str, end: int, language: str) -> str | None:
    """The counted noun (grandes actions -> actions); Chinese counts take their classifier."""
    rest = sentence[end:]
    if language == "zh":
        match = re.match(r"\s*[余多]?([家个项名所座大种条批类位年])", rest)
        return match.group(1) if match else None
    skip = words(language).skip_after_number
    for token in re.findall(r"[^\W\d_][\w’'-]*", rest[:60])[:3]:
        token = re.sub(r"^(d|l|qu)[’']", "", token.lower())
        if token not in skip:
            return token
    return None


def _names_an_event(rest: str, language: str) -> bool:
    """Whether the words after an ordinal name an occurrence of an event (plénum, session, 届)."""
    if language == "zh":
        return bool(re.match(r"\s*(" + _alternation(words(language).events) + ")", rest))
    following = re.findall(r"[^\W\d_][\w’'-]*", rest[:40])[:2]
    return any(word.lower() in words(language).events for word in following)


def _periods(sentence: str, language: str) -> list[tuple[int, int, int, int]]:
    """(start, end, first year, last year) of each period named: entre 2021 et 2023, 2021-2023,
    from 2021 to 2023, 2021年至2023年."""
    joiners = {"fr": r"(?:entre|de)\s+{a}\s+(?:et|à)\s+{b}", "en": r"(?:between|from)\s+{a}\s+(?:and|to)\s+{b}"}
    year = r"(19[5-9]\d|20[0-4]\d)"
    patterns = [rf"{year}\s*[-–—~]\s*{year}", rf"{year}年?\s*(?:至|到|—|-)\s*{year}年?"]
    if language in joiners:
        patterns.append(joiners[language].format(a=year, b=year))
    found = []
    for pattern in patterns:
        for m in re.finditer(pattern, sentence, re.IGNORECASE):
            found.append((m.start(), m.end(), int(m.group(1)), int(m.group(2))))
    return found


def find(sentence: str, language: str, offset: int = 0) -> list[Figure]:
    """The figures of one sentence; offsets are `offset` + positions in the sentence."""
    language = language if language in ("zh", "fr", "en") else "en"
    patterns = _patterns(language)
    w = words(language)
    taken: list[tuple[int, int]] = []
    found: list[Figure] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    def add(fig: Figure) -> None:
        if free(fig.start - offset, fig.end - offset):
            taken.append((fig.start - offset, fig.end - offset))
            found.append(fig)

    periods = _periods(sentence, language)
    for s, e, _, _ in periods:
        taken.append((s, e))
    for m in DATE.finditer(sentence):  # a date is when, not a figure
        taken.append((m.start(), m.end()))
    for m in patterns["of"].finditer(sentence):
        a, b = _number_word(m.group("a"), language), _number_word(m.group("b"), language)
        if a is not None and b is not None and a < b:
            fig = Figure(
                m.group(0),
                offset + m.start(),
                offset + m.end(),
                a,
                _noun_after(sentence, m.end(), language),
                "count",
                _qualifier(sentence, m.start(), language),
                of=b,
            )
            add(fig)
    for m in patterns["fraction"].finditer(sentence):
        add(
            Figure(
                m.group(0),
                offset + m.start(),
                offset + m.end(),
                round(w.fractions[m.group("w").lower()], 4),
                "share",
                "share",
                _qualifier(sentence, m.start(), language),
            )
        )
    for m in patterns["approx"].finditer(sentence):
        add(
            Figure(
                m.group(0),
                offset + m.start(),
                offset + m.end(),
                w.approximations[m.group("w").lower()],
                _noun_after(sentence, m.end(), language),
                "count",
                "about",
            )
        )
    for m in YEAR.finditer(sentence):
        after = sentence[m.end() : m.end() + 3]
        if (language == "zh" or not re.match(r"\s*(%|km|m²|m2)", after)) and free(m.start(), m.end()):
            taken.append((m.start(), m.end()))
            found.append(Figure(m.group(0), offset + m.start(), offset + m.end(), float(m.group(1)), "year", "year"))
    for m in patterns["arabic"].finditer(sentence):
        if not free(m.start(), m.end("num")):
            continue
        written = (m.group("unit") or "").lower()
        scale = w.multipliers.get((m.group("mult") or "").lower(), 1.0) * w.unit_scales.get(written, 1.0)
        value = _arabic(m.group("num"), language) * scale
        unit = w.units.get(written) if written else None
        end = m.end() if unit or m.group("mult") else m.end("num")
        kind = _unit_kind(unit)
        if unit is None:
            unit = _noun_after(sentence, end, language)
            if unit in w.durations:
                kind, unit = "duration", "years"
            elif unit and not YEAR.fullmatch(m.group("num")):
                kind = "count"  # 120 enterprises: a number of things
        add(
            Figure(
                sentence[m.start() : end].strip(),
                offset + m.start(),
                offset + end,
                value,
                unit,
                kind,
                _qualifier(sentence, m.start(), language),
            )
        )
    for m in patterns["ordinal"].finditer(sentence):
        token = m.group("w")
        if _names_an_event(sentence[m.end() :], language):
            continue  # le troisième plénum, 第三届: which meeting, not a rank
        rank = w.ordinals.get(token.lower()) if token.lower() in w.ordinals else None
        if rank is None and language == "zh":
            rank = (
                1
                if token.startswith("首")
                else int(zh_number(token[1:]) or 0)
                if not token[1:].isdigit()
                else int(token[1:])
            )
        if rank:
            add(Figure(token, offset + m.start(), offset + m.end(), float(rank), "rank", "rank", "rank"))
    for m in patterns["only"].finditer(sentence):
        if re.search(r"(lui|elle|eux|elles)\s*$", sentence[: m.start()], re.IGNORECASE):
            continue  # à lui seul: "by itself", not "the only"
        add(Figure(m.group(0), offset + m.start(), offset + m.end(), 1.0, "only", "count"))
    for m in patterns["words"].finditer(sentence):
        token = m.group("w")
        number = _number_word(token, language)
        if number is None or not free(m.start(), m.end()):
            continue
        unit = _noun_after(sentence, m.end(), language)
        kind = "duration" if unit in w.durations else "count"
        add(
            Figure(
                token,
                offset + m.start(),
                offset + m.end(),
                number,
                "years" if kind == "duration" else unit,
                kind,
                _qualifier(sentence, m.start(), language),
            )
        )
    found = _enumerated_ones(sentence, language, offset, found, free, add)
    return _with_years(sorted(found, key=lambda f: f.start), periods, _event_years(sentence, language, offset, found))


def _event_years(sentence: str, language: str, offset: int, found: list[Figure]) -> set[int]:
    """Start offsets of the years an event phrase introduces (fondée en 1986, 成立于1986年)."""
    lead = words(language).event_years
    return {
        f.start
        for f in found
        if f.kind == "year" and any(sentence[: f.start - offset].lower().rstrip().endswith(phrase) for phrase in lead)
    }


CLASSIFIERS = frozenset("家个项名所座种条批类位")  # Chinese measure words: what follows is counted


def _unit_kind(unit: str | None) -> str:
    if unit in CLASSIFIERS:
        return "count"
    if unit and ("元" in unit or unit == "yuan"):
        return "money"
    return {"%": "percent", "km²": "area", "m²": "area", "year": "year", "years": "duration"}.get(unit or "", "number")


def _enumerated_ones(
    sentence: str,
    language: str,
    offset: int,
    found: list[Figure],
    free: Callable[[int, int], bool],
    add: Callable[[Figure], None],
) -> list[Figure]:
    """ "un parc ..., quatre incubateurs, trois espaces": an article counts as 1 only in an
    enumeration of other counts, where it stands for a number."""
    w = words(language)
    if sum(f.kind == "count" for f in found) < 2 or not w.enumerated_one:
        return found
    pattern = re.compile(rf"(?<![\w’'])(?P<w>{_alternation(w.enumerated_one)})(?![\w’'])", re.IGNORECASE)
    first_count = min(f.start for f in found if f.kind == "count") - offset
    for m in pattern.finditer(sentence):
        # In a list of counts: within the stretch that holds them, after a colon or a "compte".
        if m.start() >= first_count - 80 and free(m.start(), m.end()):
            unit = _noun_after(sentence, m.end(), language)
            add(Figure(m.group(0), offset + m.start(), offset + m.end(), 1.0, unit, "count"))
            break
    return found


def _with_years(found: list[Figure], periods: list[tuple[int, int, int, int]], events: set[int]) -> list[Figure]:
    """Years as context: when a sentence states other figures, its years and periods say when
    (a year an event phrase introduces stays a figure: the year a firm was founded)."""
    others = [f for f in found if f.kind != "year" or f.start in events]
    years = [int(f.value) for f in found if f.kind == "year" and f.start not in events]
    if not others:
        return found
    period = (periods[0][2], periods[0][3]) if periods else None
    year = period[1] if period else (years[-1] if len(set(years)) == 1 else None)
    return [f if f.kind == "year" else replace(f, year=year, period=period) for f in others]
