"""The layout the code promises, checked on the source itself: no import cycle, a store that
imports no workflow, a web that imports no CLI, every error key translated, migrations numbered
without duplicates or gaps."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

from districtlens.i18n import LANGUAGES, catalog
from districtlens.store.db import RETIRED_MIGRATIONS, migrations

SRC = Path(__file__).resolve().parents[1] / "src" / "districtlens"
# What the store may import besides itself: small leaf modules.
STORE_MAY_IMPORT = {
    "districtlens.errors",
    "districtlens.areas",
    "districtlens.i18n",
    "districtlens.refdata",
    "districtlens.config",
    "districtlens.yamltext",
    "districtlens.cores",
    "districtlens.facts",
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Module -> the districtlens modules it imports, at any depth of its code."""
    modules = {_module_name(p): p for p in SRC.rglob("*.py")}
    found: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(
                        package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                    )
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names
                ]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            found[name].update(t for t in targets if t.startswith("districtlens") and t in modules)
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in list(graph):
        if node not in index:
            visit(node)
    return components


def test_no_import_cycle_in_src():
    assert _cycles(_imports()) == []


def test_the_store_imports_only_itself_and_leaf_modules():
    wrong = {
        (module, target)
        for module, targets in _imports().items()
        if module.startswith("districtlens.store")
        for target in targets
        if not target.startswith("districtlens.store") and target not in STORE_MAY_IMPORT
    }
    assert wrong == set()


@pytest.mark.parametrize("package", ["districtlens.web", "districtlens.commands", "districtlens.store"])
def test_no_layer_below_the_cli_imports_it(package):
    assert {
        (m, t)
        for m, targets in _imports().items()
        if m.startswith(package)
        for t in targets
        if t.startswith("districtlens.cli")
    } == set()


def test_no_module_runs_the_cli_through_a_test_harness():
    for path in SRC.rglob("*.py"):
        assert "CliRunner" not in path.read_text(encoding="utf-8"), path


ERROR_CALL = re.compile(
    r"\b(?:DistrictlensError|InputError|UsageError|NotFound|StoreError|IntegrityError|Cancelled)"
    r"\(\s*\"([a-z_]+(?:\.[a-z0-9_]+)+)\""
)


def test_every_error_key_raised_in_src_has_a_text_in_every_language():
    keys = {key for path in SRC.rglob("*.py") for key in ERROR_CALL.findall(path.read_text(encoding="utf-8"))}
    assert len(keys) > 20, "the pattern finds the errors raised in src"
    missing = {(lang, key) for lang in LANGUAGES for key in keys if not catalog(lang).get(key, "").strip()}
    assert missing == set()


def test_keyed_messages_are_in_every_language_with_the_same_placeholders():
    placeholder = re.compile(r"\{(\w+)\}")
    english = catalog("en")
    keyed = [key for key in english if re.fullmatch(r"[a-z_]+(?:\.[a-z0-9_]+)+", key)]
    assert keyed
    for lang in LANGUAGES:
        texts = catalog(lang)
        for key in keyed:
            assert texts.get(key, "").strip(), (lang, key)
            assert set(placeholder.findall(texts[key])) == set(placeholder.findall(english[key])), (lang, key)


def test_migrations_are_numbered_without_duplicates_or_gaps():
    numbers = [version for version, _, _ in migrations()]
    assert len(numbers) == len(set(numbers))
    expected = set(range(1, max(numbers) + 1)) - RETIRED_MIGRATIONS
    assert set(numbers) == expected


def test_every_command_takes_json():
    """`--json` everywhere, as the README promises (serve runs until stopped: it prints nothing)."""
    import typer

    from districtlens.cli import app

    def leaves(command, path):
        children = getattr(command, "commands", None)
        if children:
            if getattr(command, "invoke_without_command", False):
                yield path, command
            for name, child in children.items():
                yield from leaves(child, [*path, name])
        else:
            yield path, command

    without = [
        " ".join(path)
        for path, command in leaves(typer.main.get_command(app), [])
        if path != ["serve"] and "--json" not in {o for p in command.params for o in getattr(p, "opts", [])}
    ]
    assert without == []
