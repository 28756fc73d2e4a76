"""The product's languages: one gettext catalog per language, and locale formatting (Babel).

Every sentence the product generates (pages, briefings, errors, reasons) is in
`locale/<locale>/LC_MESSAGES/messages.po`. Two kinds of message id live there:
- the dashboard's, whose id is the English text (the English catalog may leave it untranslated);
- keyed messages (briefing texts, errors: `store.locked`, `title`), whose id is a key that every
  language must translate, English included. `t()` refuses a key without a text in the language
  asked, so that no reader ever sees a key or a fallback language.

Catalogs are read with Babel when first used, so no build step can leave a stale .mo behind.
Placeholders are `{name}`, filled by `str.format`. Numbers, percentages and dates follow CLDR.

Money is stored in 万元 (10,000 CNY) and written by one rule per language (`money`): Chinese in
万元, or 亿元 from 1 亿; English in CNY m, or CNY bn from a billion; French in M CNY, or Md CNY from
a milliard, with narrow no-break spaces (U+202F) as French typography has them.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

LANGUAGES: tuple[str, ...] = ("zh", "en", "fr")
DEFAULT_LANGUAGE = "zh"
LANGUAGE_NAMES = {"zh": "中文", "en": "English", "fr": "Français"}
# The catalog folder of each language, and the CLDR locale its numbers and dates follow.
CATALOG_LOCALES = {"zh": "zh_CN", "en": "en", "fr": "fr"}
LOCALES = {"zh": "zh_Hans_CN", "en": "en_GB", "fr": "fr_FR"}
LANG_ENV = "DISTRICTLENS_LANG"
NARROW_NBSP = "\u202f"
# Per language: (small unit, its size in 万元, large unit, its size in 万元, the unit's pattern).
MONEY_UNITS = {
    "zh": ("万元", 1, "亿元", 10_000, "{number} {unit}"),
    "en": ("m", 100, "bn", 100_000, "CNY {number} {unit}"),
    "fr": ("M", 100, "Md", 100_000, "{number}" + NARROW_NBSP + "{unit}" + NARROW_NBSP + "CNY"),
}


class MissingTranslation(KeyError):
    """A message key without a text in the requested language (a defect: the tests look for it)."""


@cache
def catalog(lang: str) -> dict[str, str]:
    """Message id -> text in `lang`, read from its .po file (untranslated ids left out)."""
    from babel.messages.pofile import read_po

    if lang not in CATALOG_LOCALES:
        raise MissingTranslation(f"no catalog for language {lang!r}")
    locale = CATALOG_LOCALES[lang]
    po = resources.files("districtlens.i18n").joinpath("locale", locale, "LC_MESSAGES", "messages.po")
    with po.open("rb") as handle:
        messages = read_po(handle, locale=locale)
    return {str(m.id): str(m.string) for m in messages if m.id and isinstance(m.string, str) and m.string}


def t(key: str, lang: str, **values: Any) -> str:
    """The keyed message `key` in `lang`, its placeholders filled; MissingTranslation if absent."""
    text = catalog(lang).get(key)
    if text is None or not text.strip():
        raise MissingTranslation(f"no {lang!r} text for message {key!r}")
    return text.format(**values) if values else text


def has(key: str) -> bool:
    return key in catalog("en")


def gettext(lang: str) -> Any:
    """The dashboard's `_()`: the text of an English message id in `lang`, else the id itself."""
    messages = catalog(lang)
    return lambda message: messages.get(message) or message


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


def number(value: float | int, lang: str, decimals: int = 0) -> str:
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALES[lang])


def money(value_wan: float, lang: str) -> str:
    """An amount in 万元, by the language's rule (module docstring): 1,234 万元, 1.20 亿元;
    CNY 12.3 m, CNY 1.20 bn; 12,3 M CNY, 1,20 Md CNY (two decimals below ten units, one above)."""
    small, small_size, large, large_size, pattern = MONEY_UNITS[lang]
    unit, size = (large, large_size) if abs(value_wan) >= large_size else (small, small_size)
    amount = value_wan / size
    digits = 0 if lang == "zh" and unit == small else (2 if abs(amount) < 10 else 1)
    return pattern.format(number=number(amount, lang, digits), unit=unit)


def decimal(value: float, lang: str) -> str:
    """Up to three decimals, as the locale writes them (3.31, 3,31)."""
    from babel.numbers import format_decimal

    return format_decimal(value, format="#,##0.###", locale=LOCALES[lang])


def percent(value: float, lang: str, decimals: int = 1) -> str:
    """`decimals` decimals (one unless told), in the locale's own percent pattern (27.1%, 27,1 %)."""
    from babel import Locale
    from babel.numbers import format_percent

    pattern = Locale.parse(LOCALES[lang]).percent_formats[None].pattern
    last = pattern.rindex("0")
    places = "." + "0" * decimals if decimals else ""
    return format_percent(value, format=pattern[: last + 1] + places + pattern[last + 1 :], locale=LOCALES[lang])


def day(value: date | datetime, lang: str) -> str:
    from babel.dates import format_date

    return format_date(value, format="long", locale=LOCALES[lang])
