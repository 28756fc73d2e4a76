"""The briefing's texts: the catalog's `brief.*` keys (districtlens.i18n), and its formatting.

`t(key, lang, **params)` raises `districtlens.i18n.MissingTranslation` rather than fall back to
another language: a briefing never shows an untranslated string.
"""

from __future__ import annotations

from typing import Any

from districtlens import i18n
from districtlens.i18n import LANGUAGES, day, decimal, number, percent

__all__ = ["LANGUAGES", "day", "decimal", "has", "number", "percent", "t"]
PREFIX = "brief."


def t(key: str, lang: str, **params: Any) -> str:
    return i18n.t(PREFIX + key, lang, **params)


def has(key: str) -> bool:
    return i18n.has(PREFIX + key)
