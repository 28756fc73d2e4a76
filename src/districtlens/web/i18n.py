"""Languages of the dashboard: gettext catalogs (Babel) and locale-aware numbers, money and dates.

Catalogs are the .po files under locale/<locale>/LC_MESSAGES/messages.po; they are compiled in
memory when the server starts (Babel's `read_po` then `write_mo`), so no build step can leave a
stale .mo behind. Money is stored in 万元 (10,000 CNY): Chinese shows 万元 as such, English and
French show the amount in CNY in the compact form of their locale (e.g. CN¥1.2B, 1,2 Md CN¥).
"""

from __future__ import annotations

import io
import math
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from importlib import resources

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_compact_currency, format_decimal, format_percent
from babel.support import Translations

LANGUAGES = {"zh": "zh_CN", "en": "en", "fr": "fr"}
DEFAULT_LANGUAGE = "zh"
LANGUAGE_NAMES = {"zh": "中文", "en": "English", "fr": "Français"}


@cache
def translations(lang: str) -> Translations:
    locale = LANGUAGES[lang]
    po = resources.files("districtlens.web").joinpath("locale", locale, "LC_MESSAGES", "messages.po")
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def pick_language(*candidates: str | None, accept: str | None = None) -> str:
    """The first supported language among `candidates`, else from Accept-Language, else Chinese."""
    for candidate in candidates:
        if candidate in LANGUAGES:
            return candidate
    for part in (accept or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE


def _missing(value) -> bool:
    """Not a number to show: None, NaN, infinity, or anything that is not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return True
    return isinstance(value, float) and not math.isfinite(value)


class Formatter:
    """Formatting for one language; templates get it as `fmt`."""

    def __init__(self, lang: str):
        self.lang = lang
        self.locale = Locale.parse(LANGUAGES[lang])
        self.gettext = translations(lang).gettext

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
