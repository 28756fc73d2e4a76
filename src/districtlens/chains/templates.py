"""Chain templates: versioned, user-editable YAML that says which links a chain has and what places
an enterprise in each.

A template (see templates/biopharma.yaml) has an `id`, an integer `version`, a `name` in zh/en/fr
and `links`. Each link has an `id`, a `name` in zh/en/fr, a `stage` (upstream, midstream,
downstream), `rules` (alternatives: any one places a firm) and `edges` (ids of the links it
supplies). A rule is either

- a class rule, `classes: ["2710", ...]`: every firm whose GB/T 4754-2017 class is listed, or
- a keyword rule, `keywords: {zh: [...], en: [...]}` with an optional `within: ["7340", ...]`:
  firms whose name, business scope or tags contain one of the keywords (and, with `within`, whose
  class is one of those).

`load_template(path)` and `shipped_templates()` return validated `ChainTemplate`s; any mistake
raises `TemplateError` naming the file, the link and what is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from districtlens.refdata import gbt_class_codes
from districtlens.yamltext import load_yaml

STAGES = ("upstream", "midstream", "downstream")
LANGUAGES = ("zh", "en", "fr")
KEYWORD_LANGUAGES = ("zh", "en")
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CLASS_PATTERN = re.compile(r"^\d{4}$")


class TemplateError(ValueError):
    """A template that cannot be used, with a message that says where and why."""


@dataclass(frozen=True)
class Rule:
    """One way into a link: a class rule (`classes`) or a keyword rule (`keywords`, `within`)."""

    classes: tuple[str, ...] = ()
    keywords_zh: tuple[str, ...] = ()
    keywords_en: tuple[str, ...] = ()
    within: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return "class" if self.classes else "keyword"

    @property
    def keywords(self) -> tuple[str, ...]:
        return self.keywords_zh + self.keywords_en

    def describe(self) -> str:
        if self.classes:
            return "class " + ", ".join(self.classes)
        text = "keyword " + " | ".join(self.keywords)
        return text + (f" within {', '.join(self.within)}" if self.within else "")


@dataclass(frozen=True)
class Link:
    id: str
    name: dict[str, str]
    stage: str
    rules: tuple[Rule, ...]
    edges: tuple[str, ...]

    @property
    def classes(self) -> tuple[str, ...]:
        """The classes that place a firm in this link by themselves (class rules only)."""
        return tuple(c for rule in self.rules for c in rule.classes)

    @property
    def related_classes(self) -> tuple[str, ...]:
        """Every class the link's rules name: its own classes and those keyword rules are limited to."""
        return tuple(dict.fromkeys(c for rule in self.rules for c in rule.classes + rule.within))


@dataclass(frozen=True)
class ChainTemplate:
    id: str
    version: int
    name: dict[str, str]
    links: tuple[Link, ...]
    origin: str

    def link(self, link_id: str) -> Link:
        for link in self.links:
            if link.id == link_id:
                return link
        raise KeyError(link_id)

    @property
    def classes(self) -> tuple[str, ...]:
        """Every class any link names, in template order."""
        return tuple(dict.fromkeys(c for link in self.links for c in link.related_classes))


def load_template(path: str | Path, known_classes: frozenset[str] | None = None) -> ChainTemplate:
    """Read and validate one template file. `known_classes` defaults to the shipped GB/T 4754-2017."""
    path = Path(path)
    try:
        raw = load_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TemplateError(f"{path}: cannot read the template ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise TemplateError(f"{path}: not valid YAML: {exc}") from exc
    return parse_template(raw, origin=str(path), known_classes=known_classes)


def parse_template(
    raw: Any, origin: str = "<template>", known_classes: frozenset[str] | None = None
) -> ChainTemplate:
    """Validate a template already read into Python values (a dict as YAML gives it)."""
    known = gbt_class_codes() if known_classes is None else known_classes
    where = origin
    data = _mapping(raw, where, "the template")
    _only_keys(data, {"id", "version", "name", "links"}, where)
    template_id = _identifier(data.get("id"), where, "id")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise TemplateError(f"{where}: `version` must be a whole number of at least 1, got {version!r}")
    name = _names(data.get("name"), where)
    raw_links = data.get("links")
    if not isinstance(raw_links, list) or not raw_links:
        raise TemplateError(f"{where}: `links` must be a non-empty list")
    links = tuple(_link(item, where, i + 1, known) for i, item in enumerate(raw_links))
    ids = [link.id for link in links]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise TemplateError(f"{where}: link ids used twice: {', '.join(duplicates)}")
    for link in links:
        unknown = [e for e in link.edges if e not in ids]
        if unknown:
            raise TemplateError(
                f"{where}, link {link.id}: edges name links that do not exist: {', '.join(unknown)}"
            )
        if link.id in link.edges:
            raise TemplateError(f"{where}, link {link.id}: a link cannot have an edge to itself")
    return ChainTemplate(template_id, version, name, links, origin)


@cache
def shipped_templates() -> dict[str, ChainTemplate]:
    """The templates shipped in districtlens/chains/templates/, by id."""
    folder = resources.files("districtlens.chains").joinpath("templates")
    found: dict[str, ChainTemplate] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        with resources.as_file(entry) as path:
            template = load_template(path)
        if template.id != entry.name.removesuffix(".yaml"):
            raise TemplateError(f"{entry.name}: the file name must be the template id ({template.id})")
        found[template.id] = template
    return found


def get_template(track: str, path: str | Path | None = None) -> ChainTemplate:
    """A shipped template by track id, or the template at `path` (a user's edited copy)."""
    if path is not None:
        template = load_template(path)
        if template.id != track:
            raise TemplateError(f"{path}: the template's id is {template.id}, not {track}")
        return template
    templates = shipped_templates()
    if track not in templates:
        raise TemplateError(f"no chain template for track {track!r}; known: {', '.join(templates)}")
    return templates[track]


def _link(raw: Any, origin: str, position: int, known: frozenset[str]) -> Link:
    data = _mapping(raw, f"{origin}, link {position}", "a link")
    link_id = _identifier(data.get("id"), f"{origin}, link {position}", "id")
    where = f"{origin}, link {link_id}"
    _only_keys(data, {"id", "name", "stage", "rules", "edges"}, where)
    stage = data.get("stage")
    if stage not in STAGES:
        raise TemplateError(f"{where}: `stage` must be one of {', '.join(STAGES)}, got {stage!r}")
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise TemplateError(f"{where}: `rules` must list at least one class or keyword rule")
    rules = tuple(_rule(r, f"{where}, rule {i + 1}", known) for i, r in enumerate(raw_rules))
    edges = data.get("edges", [])
    if not isinstance(edges, list) or not all(isinstance(e, str) for e in edges):
        raise TemplateError(f"{where}: `edges` must be a list of link ids")
    return Link(link_id, _names(data.get("name"), where), stage, rules, tuple(edges))


def _rule(raw: Any, where: str, known: frozenset[str]) -> Rule:
    data = _mapping(raw, where, "a rule")
    _only_keys(data, {"classes", "keywords", "within"}, where)
    if ("classes" in data) == ("keywords" in data):
        raise TemplateError(f"{where}: a rule has either `classes` or `keywords` (one, not both)")
    if "classes" in data:
        if "within" in data:
            raise TemplateError(f"{where}: `within` belongs to keyword rules only")
        return Rule(classes=_classes(data["classes"], where, "classes", known))
    keywords = _mapping(data["keywords"], where, "`keywords`")
    _only_keys(keywords, set(KEYWORD_LANGUAGES), f"{where}, keywords")
    by_language = {}
    for language in KEYWORD_LANGUAGES:
        words = keywords.get(language, [])
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            raise TemplateError(f"{where}: keywords.{language} must be a list of non-empty words")
        by_language[language] = tuple(w.strip() for w in words)
    if not any(by_language.values()):
        raise TemplateError(f"{where}: a keyword rule needs at least one keyword")
    within = _classes(data["within"], where, "within", known) if "within" in data else ()
    return Rule(keywords_zh=by_language["zh"], keywords_en=by_language["en"], within=within)


def _classes(raw: Any, where: str, key: str, known: frozenset[str]) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw:
        raise TemplateError(f"{where}: `{key}` must be a non-empty list of four-digit classes")
    classes = []
    for value in raw:
        code = str(value)
        if not isinstance(value, str) or not CLASS_PATTERN.match(code):
            raise TemplateError(
                f"{where}: `{key}` holds {value!r}; write four-digit GB/T 4754-2017 classes"
                f" as quoted text, e.g. \"2710\""
            )
        if code not in known:
            raise TemplateError(f"{where}: {code} is not a GB/T 4754-2017 class")
        classes.append(code)
    return tuple(classes)


def _names(raw: Any, where: str) -> dict[str, str]:
    names = _mapping(raw, where, "`name`")
    missing = [lang for lang in LANGUAGES if not isinstance(names.get(lang), str) or not names[lang]]
    if missing:
        raise TemplateError(f"{where}: `name` needs text in {', '.join(missing)}")
    return {lang: names[lang] for lang in LANGUAGES}


def _identifier(raw: Any, where: str, key: str) -> str:
    if not isinstance(raw, str) or not ID_PATTERN.match(raw):
        raise TemplateError(
            f"{where}: `{key}` must be lower-case words joined by hyphens, got {raw!r}"
        )
    return raw


def _mapping(raw: Any, where: str, what: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise TemplateError(f"{where}: {what} must be a mapping of keys to values")
    return raw


def _only_keys(data: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(str(k) for k in data if k not in allowed)
    if unknown:
        raise TemplateError(
            f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
        )
