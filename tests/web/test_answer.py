"""The API's JSON: what JSON cannot hold becomes null, dates ISO text, keys text."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

from districtlens.web.api import Answer


def test_nan_and_infinity_become_null_and_dates_iso_text():
    body = Answer(
        {
            "nan": float("nan"),
            "inf": [float("inf"), -float("inf")],
            "day": date(2025, 1, 2),
            "at": datetime(2025, 1, 2, 3, 4, 5),
            2024: Decimal("1.50"),
            "text": "静安",
        }
    ).body
    assert json.loads(body) == {
        "nan": None,
        "inf": [None, None],
        "day": "2025-01-02",
        "at": "2025-01-02T03:04:05",
        "2024": "1.50",
        "text": "静安",
    }
    assert "静安".encode() in body  # UTF-8, not \\u escapes
