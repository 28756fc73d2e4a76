"""Fixtures of the chain tests."""

from __future__ import annotations

import polars as pl
import pytest

from tests.chains.builders import GBT_CSV


@pytest.fixture
def known_classes() -> frozenset[str]:
    """The four-digit classes of the shared GB/T 4754-2017 file."""
    frame = pl.read_csv(GBT_CSV, infer_schema=False)
    return frozenset(frame.filter(pl.col("level") == "4")["code"].to_list())
