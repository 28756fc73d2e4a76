"""Fixtures shared by every area's tests."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from districtlens.cli import app
from districtlens.store import open_store


@pytest.fixture
def store(tmp_path):
    with open_store(tmp_path / "store.duckdb") as opened:
        yield opened


@pytest.fixture
def cli():
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)

    return invoke
