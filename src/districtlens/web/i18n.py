"""The dashboard's locale-aware numbers, money and dates, over the one catalog (districtlens.i18n).

Money is stored in 万元 (10,000 CNY): Chinese shows 万元 as such, English and French show the
amount in CNY in the compact form of their locale (e.g. CN¥1.2B, 1,2 Md CN¥).
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_compact_currency, format_decimal, format_percent

from districtlens.i18n import CATALOG_LOCALES, LANGUAGE_NAMES, LANGUAGES, gettext, pick_language

__all__ = ["LANGUAGES", "LANGUAGE_NAMES", "Formatter", "pick_language"]


def _missing(value) -> bool:
    """Not a number to show: None, NaN, infinity, or anything that is not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return True
    return isinstance(value, float) and not math.isfinite(value)


class Formatter:
    """Formatting for one language; templates get it as `fmt`."""

    def __init__(self, lang: str):
        self.lang = lang
        self.locale = Locale.parse(CATALOG_LOCALES[lang])
        self.gettext = gettext(lang)

    def number(self, value, digits: int = 0) -> str:
        if _missing(value):
            return "–"
        return format_decimal(value, format=f"#,##0.{'0' * digits}" if digits else "#,##0", locale=self.locale)

    def money(self, value_wan) -> str:
        """An amount in 万元, in the language's own way of writing it."""
        if _missing(value_wan):
            return "–"
        if self.lang == "zh":
            return f"{format_decimal(value_wan, format='#,##0', locale=self.locale)} 万元"
        return format_compact_currency(value_wan * 10_000, "CNY", locale=self.locale, fraction_digits=1)

    def percent(self, value, digits: int = 1) -> str:
        if _missing(value):
            return "–"
        return format_percent(value, format=f"#,##0.{'0' * digits}%", locale=self.locale)

    def date(self, value) -> str:
        if value in (None, ""):
            return "–"
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if isinstance(value, datetime):
            return format_datetime(value, "medium", locale=self.locale)
        if isinstance(value, date):
            return format_date(value, "medium", locale=self.locale)
        return str(value)

    def name(self, names: dict | None) -> str:
        """The name in this language, else Chinese, else English."""
        names = names or {}
        return names.get(self.lang) or names.get("zh") or names.get("en") or ""
