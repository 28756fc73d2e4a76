"""The briefing's languages: the message table (messages.yaml) and locale formatting (Babel).

`t(key, lang, **params)` raises `MissingTranslation` rather than fall back to another language:
a briefing never shows an untranslated string. Numbers, percentages and dates follow the
locale's conventions (CLDR through Babel): 1,234.5 / 1 234,5 / 1,234.5.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from districtlens.yamltext import load_yaml

LANGUAGES = ("zh", "en", "fr")
LOCALES = {"zh": "zh_Hans_CN", "en": "en_GB", "fr": "fr_FR"}


class MissingTranslation(KeyError):
    """A message key without a text in the requested language."""


@cache
def messages() -> dict[str, dict[str, str]]:
    text = resources.files("districtlens.briefing").joinpath("messages.yaml").read_text(encoding="utf-8")
    return load_yaml(text)


def t(key: str, lang: str, **params: Any) -> str:
    entry = messages().get(key)
    if entry is None or not str(entry.get(lang) or "").strip():
        raise MissingTranslation(f"no {lang!r} text for message {key!r}")
    return entry[lang].format(**params) if params else entry[lang]


def has(key: str) -> bool:
    return key in messages()


def number(value: float | int, lang: str, decimals: int = 0) -> str:
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALES[lang])


def decimal(value: float, lang: str) -> str:
    """Up to three decimals, as the locale writes them (3.31, 3,31)."""
    return format_decimal(value, format="#,##0.###", locale=LOCALES[lang])


def percent(value: float, lang: str) -> str:
    """One decimal, in the locale's own percent pattern (27.1%, 27,1 %)."""
    pattern = Locale.parse(LOCALES[lang]).percent_formats[None].pattern
    last = pattern.rindex("0")
    return format_percent(value, format=pattern[: last + 1] + ".0" + pattern[last + 1:], locale=LOCALES[lang])


def day(value: date | datetime, lang: str) -> str:
    return format_date(value, format="long", locale=LOCALES[lang])
