"""The alias table: names of one enterprise across scripts (AstraZeneca = 阿斯利康), as data.

`aliases.yaml` (shipped) and any user file in the same format hold groups of names; every name is
taken apart by `names.parse_names` and its trade name becomes a key that maps to the group's
canonical key (the first name's trade name). `alias_keys` applies the table to a column of trade
names: a trade name in the table becomes its canonical key, any other stays as it is, so the
linker compares "astrazeneca" with "astrazeneca" whether a source wrote 阿斯利康 or AstraZeneca.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import polars as pl
import yaml

from districtlens.errors import InputError, NotFound
from districtlens.resolve.names import parse_names
from districtlens.yamltext import load_yaml


def _groups(text: str, origin: str) -> list[list[str]]:
    try:
        data = load_yaml(text) or {}
    except yaml.YAMLError as exc:
        raise InputError("resolve.aliases_not_yaml", origin=origin, reason=str(exc)) from exc
    groups = data.get("aliases") if isinstance(data, dict) else None
    if not isinstance(groups, list) or not all(
        isinstance(g, list) and len(g) >= 2 and all(isinstance(n, str) and n.strip() for n in g) for g in groups
    ):
        raise InputError("resolve.aliases_bad_shape", origin=origin)
    return groups


def load_aliases(extra: str | Path | None = None) -> dict[str, str]:
    """Trade-name key -> canonical key, from the shipped table and an optional user file."""
    shipped = resources.files("districtlens.resolve").joinpath("aliases.yaml").read_text(encoding="utf-8")
    groups = _groups(shipped, "aliases.yaml")
    if extra is not None:
        path = Path(extra)
        if not path.is_file():
            raise NotFound("resolve.aliases_missing", path=str(path))
        groups += _groups(path.read_text(encoding="utf-8"), str(path))
    flat: list[str | None] = [name for group in groups for name in group]
    trades = parse_names(flat)["trade"].to_list()
    table: dict[str, str] = {}
    at = 0
    for group in groups:
        keys = trades[at : at + len(group)]
        at += len(group)
        canonical = keys[0]
        for key in keys:
            if key is not None:
                table[key] = canonical
    return table


def alias_keys(trades: pl.Series, table: dict[str, str]) -> pl.Series:
    """Each trade name replaced by its canonical key when the table knows it."""
    return trades.replace(table) if table else trades
