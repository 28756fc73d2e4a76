"""YAML as the package reads it: safe loading, through libyaml when PyYAML was built with it
(templates, packs and messages are parsed on every command, and the C loader is several times
faster than the pure-Python one)."""

from __future__ import annotations

from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """`yaml.safe_load`, with the C loader when available."""
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader, chosen above
