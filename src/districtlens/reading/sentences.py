"""Sentences as (start, end) offsets into the text.

Chinese ends a sentence at 。！？ (and a closing quote after one); French and English at . ! ?
followed by a space and what can start a sentence, except after an abbreviation (M., Mme, Dr,
Co., Ltd., e.g.), an initial or a number's decimal point. A line break always ends a sentence:
titles, speakers' names and list items stand on lines of their own.
"""

from __future__ import annotations

import re

Span = tuple[int, int]

_ZH_END = re.compile(r"[。！？!?；][”’」』）)]*")
_LATIN_END = re.compile(r"[.!?…]+[»”\"’')\]]*(?=\s+[«“\"'(\[]?\s*[A-ZÀ-ÖØ-Þ0-9])")
_ABBREVIATIONS = frozenset(
    [
        "m",
        "mm",
        "mme",
        "mmes",
        "mlle",
        "dr",
        "pr",
        "st",
        "ste",
        "co",
        "ltd",
        "inc",
        "corp",
        "no",
        "n°",
        "vol",
        "p",
        "pp",
        "cf",
        "etc",
        "e.g",
        "i.e",
        "vs",
        "mr",
        "mrs",
        "ms",
        "jr",
        "sr",
        "prof",
        "fig",
        "art",
    ]
)


def split(text: str, language: str) -> list[Span]:
    spans: list[Span] = []
    for line in re.finditer(r"[^\n]+", text):
        spans += _split_line(text, line.start(), line.end(), language)
    return spans


def _split_line(text: str, start: int, end: int, language: str) -> list[Span]:
    line = text[start:end]
    ends = [m.end() for m in (_ZH_END if language == "zh" else _LATIN_END).finditer(line)]
    if language != "zh":
        ends = [e for e in ends if not _after_abbreviation(line, e)]
    spans, at = [], 0
    for cut in [*ends, len(line)]:
        span = _trimmed(text, start + at, start + cut)
        if span:
            spans.append(span)
        at = cut
    return spans


def _after_abbreviation(line: str, end: int) -> bool:
    word = re.search(r"([\w.°]+)[.!?…]*[»”\"’')\]]*$", line[:end])
    if not word:
        return False
    token = word.group(1).rstrip(".").lower()
    return token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha())


def _trimmed(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start and any(c.isalnum() for c in text[start:end]) else None
