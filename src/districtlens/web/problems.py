"""Refusals of a request's parameters, in the user's language: each pydantic error type the
dashboard's parameters can raise has a message `web.invalid.<type>`, the others a general one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from districtlens import i18n
from districtlens.web.i18n import Formatter

# The pydantic error types with a message of their own (each placeholder from the error's ctx).
TYPES = (
    "less_than_equal",
    "greater_than_equal",
    "less_than",
    "greater_than",
    "string_pattern_mismatch",
    "string_too_long",
    "int_parsing",
    "float_parsing",
    "missing",
)


def _shown(fmt: Formatter, value: Any) -> str:
    return fmt.number(value) if isinstance(value, int | float) and not isinstance(value, bool) else str(value)


def validation_message(error: dict[str, Any], fmt: Formatter) -> str:
    """One parameter's refusal: which parameter, what it should be."""
    loc: Sequence[Any] = error.get("loc", ())
    field = ".".join(str(part) for part in loc[1:]) or ".".join(str(part) for part in loc)
    kind = error.get("type", "")
    values = {name: _shown(fmt, value) for name, value in (error.get("ctx") or {}).items()}
    key = f"web.invalid.{kind}" if kind in TYPES else "web.invalid.other"
    return i18n.t(key, fmt.lang, **values, field=field, value=str(error.get("input", ""))[:80])
