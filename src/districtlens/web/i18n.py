"""The dashboard's locale-aware numbers, money and dates, over the one catalog (districtlens.i18n).

Money is stored in 万元 (10,000 CNY) and shown by the product's one rule per language
(`districtlens.i18n.money`: 万元/亿元, CNY m/bn, M CNY/Md CNY).
Charts use the smaller unit of the language (`money_unit`, `money_scale`) and name it on the axis.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

from districtlens.i18n import (
    CATALOG_LOCALES,
    LANGUAGE_NAMES,
    LANGUAGES,
    MONEY_UNITS,
    NARROW_NBSP,
    gettext,
    money,
    pick_language,
)

__all__ = ["LANGUAGES", "LANGUAGE_NAMES", "Formatter", "pick_language"]
# The measures charts show: money ones in `money_unit`, the others in the unit named here.
MONEY_MEASURES = frozenset({"revenue", "tax", "rd_spend"})
MEASURE_UNITS = {"enterprises": "enterprises", "registered": "enterprises", "employees": "persons"}
MONEY_AXIS_UNITS = {"zh": "万元", "en": "CNY m", "fr": "M" + NARROW_NBSP + "CNY"}


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
        """An amount in 万元 by the language's rule (`districtlens.i18n.money`); "–" for none."""
        return "–" if _missing(value_wan) else money(value_wan, self.lang)

    @property
    def money_unit(self) -> str:
        """The unit charts and exports give amounts in (万元, CNY m, M CNY)."""
        return MONEY_AXIS_UNITS[self.lang]

    def in_money_unit(self, value_wan):
        """An amount in 万元 converted to `money_unit` (None stays None)."""
        if _missing(value_wan):
            return None
        return value_wan / MONEY_UNITS[self.lang][1]

    def unit_of(self, measure: str) -> str:
        """The unit a chart of `measure` is drawn in, in this language."""
        if measure in MONEY_MEASURES:
            return self.money_unit
        unit = MEASURE_UNITS.get(measure)
        return self.gettext(unit) if unit else ""

    def chart_values(self, measure: str, values) -> list:
        """`values` of `measure` in the unit `unit_of` names (money converted from 万元)."""
        if measure in MONEY_MEASURES:
            return [self.in_money_unit(v) for v in values]
        return list(values)

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
