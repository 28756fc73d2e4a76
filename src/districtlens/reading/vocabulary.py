"""The words that say what a sentence's figure is about (vocabulary.yaml): carrier kinds, levels,
enterprises, shipped lists, peer groups, measures, and the marks of a plan."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

from districtlens.yamltext import load_yaml


@cache
def vocabulary() -> dict[str, Any]:
    text = resources.files("districtlens.reading").joinpath("vocabulary.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = load_yaml(text)
    return data


def chinese_words() -> list[str]:
    """Every Chinese word of the vocabulary: the segmenter keeps them whole (众创空间 is one word,
    so that the trade name 众创 is not read inside it)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, str) and re.fullmatch(r"[\u4e00-\u9fff]{2,}", node):
            found.append(node)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(vocabulary())
    return found
