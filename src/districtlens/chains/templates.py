"""Chain templates: versioned, user-editable YAML that says which links a chain has and what places
an enterprise in each.

A template (see templates/biopharma.yaml) has an `id`, an integer `version`, a `name` in zh/en/fr
and `links`. Each link has an `id`, a `name` in zh/en/fr, a `stage` (upstream, midstream,
downstream), `rules` (alternatives: any one places a firm) and `edges` (ids of the links it
supplies), and optionally `sectors` (the sector labels of candidate pools that place a pool's firm
in the link: the editable sector-to-link mapping). A rule is either

- a class rule, `classes: ["2710", ...]`: every firm whose GB/T 4754-2017 class is listed, or
- a keyword rule, `keywords: {zh: [...], en: [...]}` with an optional `within: ["7340", ...]`:
  firms whose name, business scope or tags contain one of the keywords (and, with `within`, whose
  class is one of those).

`load_template(path)` and `shipped_templates()` return validated `ChainTemplate`s; any mistake
raises an `InputError` (keys `chains.template.*`) naming the file, the place in it and what is
wrong. The place is written as a path of the template's own keys, the same in every language:
`biopharma.yaml, links[apis].rules[2].classes` (a link by its id, or by its position counted from
1 while its id is not yet valid; a rule by its position).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from districtlens.errors import InputError, NotFound
from districtlens.i18n import LANGUAGES
from districtlens.refdata import gbt_class_codes
from districtlens.yamltext import load_yaml

STAGES = ("upstream", "midstream", "downstream")
KEYWORD_LANGUAGES = ("zh", "en")
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CLASS_PATTERN = re.compile(r"^\d{4}$")


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
    sectors: tuple[str, ...] = ()  # pool sector labels that place a pool firm here (see `pools`)

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
        raise InputError("chains.template.unreadable", where=str(path), reason=str(exc.strerror)) from exc
    except yaml.YAMLError as exc:
        raise InputError("chains.template.bad_yaml", where=str(path), reason=str(exc)) from exc
    return parse_template(raw, origin=str(path), known_classes=known_classes)


def parse_template(raw: Any, origin: str = "<template>", known_classes: frozenset[str] | None = None) -> ChainTemplate:
    """Validate a template already read into Python values (a dict as YAML gives it)."""
    known = gbt_class_codes() if known_classes is None else known_classes
    top = _Place(origin)
    data = _mapping(raw, top)
    _only_keys(data, {"id", "version", "name", "links"}, top)
    template_id = _identifier(data.get("id"), top.key("id"))
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise InputError("chains.template.bad_version", where=str(top.key("version")), value=repr(version))
    name = _names(data.get("name"), top.key("name"))
    raw_links = data.get("links")
    if not isinstance(raw_links, list) or not raw_links:
        raise InputError("chains.template.no_links", where=str(top.key("links")))
    links = tuple(_link(item, top.key("links"), i + 1, known) for i, item in enumerate(raw_links))
    ids = [link.id for link in links]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise InputError("chains.template.duplicate_links", where=str(top.key("links")), ids=", ".join(duplicates))
    for link in links:
        edges = top.key("links").item(link.id).key("edges")
        unknown = [e for e in link.edges if e not in ids]
        if unknown:
            raise InputError("chains.template.unknown_edges", where=str(edges), edges=", ".join(unknown))
        if link.id in link.edges:
            raise InputError("chains.template.self_edge", where=str(edges), link=link.id)
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
            raise InputError("chains.template.file_name", where=entry.name, id=template.id)
        found[template.id] = template
    return found


def get_template(track: str, path: str | Path | None = None) -> ChainTemplate:
    """A shipped template by track id, or the template at `path` (a user's edited copy)."""
    if path is not None:
        template = load_template(path)
        if template.id != track:
            raise InputError("chains.template.other_track", where=str(path), id=template.id, track=track)
        return template
    templates = shipped_templates()
    if track not in templates:
        raise NotFound("chains.unknown_track", track=track, known=", ".join(templates))
    return templates[track]


@dataclass(frozen=True)
class _Place:
    """Where a value sits in a template: its file (or origin) and the path of keys to it."""

    origin: str
    path: str = ""

    def __str__(self) -> str:
        return f"{self.origin}, {self.path}" if self.path else self.origin

    def key(self, name: str) -> _Place:
        return replace(self, path=f"{self.path}.{name}" if self.path else name)

    def item(self, label: str | int) -> _Place:
        """An item of the list at this place: a link by its id, or an item by its position."""
        return replace(self, path=f"{self.path}[{label}]")


def _link(raw: Any, links: _Place, position: int, known: frozenset[str]) -> Link:
    """The link at `position` (from 1) of the list at `links`: named by position until its id is read."""
    data = _mapping(raw, links.item(position))
    link_id = _identifier(data.get("id"), links.item(position).key("id"))
    where = links.item(link_id)
    _only_keys(data, {"id", "name", "stage", "rules", "edges", "sectors"}, where)
    stage = data.get("stage")
    if stage not in STAGES:
        raise InputError(
            "chains.template.bad_stage", where=str(where.key("stage")), stages=", ".join(STAGES), value=repr(stage)
        )
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise InputError("chains.template.no_rules", where=str(where.key("rules")))
    rules = tuple(_rule(r, where.key("rules").item(i + 1), known) for i, r in enumerate(raw_rules))
    edges = data.get("edges", [])
    if not isinstance(edges, list) or not all(isinstance(e, str) for e in edges):
        raise InputError("chains.template.bad_edges", where=str(where.key("edges")))
    sectors = data.get("sectors", [])
    if not isinstance(sectors, list) or not all(isinstance(s, str) and s.strip() for s in sectors):
        raise InputError("chains.template.bad_sectors", where=str(where.key("sectors")))
    name = _names(data.get("name"), where.key("name"))
    return Link(link_id, name, stage, rules, tuple(edges), tuple(s.strip() for s in sectors))


def _rule(raw: Any, where: _Place, known: frozenset[str]) -> Rule:
    data = _mapping(raw, where)
    _only_keys(data, {"classes", "keywords", "within"}, where)
    if ("classes" in data) == ("keywords" in data):
        raise InputError("chains.template.rule_kind", where=str(where))
    if "classes" in data:
        if "within" in data:
            raise InputError("chains.template.within_on_class_rule", where=str(where))
        return Rule(classes=_classes(data["classes"], where.key("classes"), known))
    keywords = _mapping(data["keywords"], where.key("keywords"))
    _only_keys(keywords, set(KEYWORD_LANGUAGES), where.key("keywords"))
    by_language = {}
    for language in KEYWORD_LANGUAGES:
        words = keywords.get(language, [])
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            raise InputError("chains.template.bad_keywords", where=str(where.key("keywords").key(language)))
        by_language[language] = tuple(w.strip() for w in words)
    if not any(by_language.values()):
        raise InputError("chains.template.no_keywords", where=str(where.key("keywords")))
    within = _classes(data["within"], where.key("within"), known) if "within" in data else ()
    return Rule(keywords_zh=by_language["zh"], keywords_en=by_language["en"], within=within)


def _classes(raw: Any, where: _Place, known: frozenset[str]) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw:
        raise InputError("chains.template.bad_classes", where=str(where))
    classes = []
    for value in raw:
        code = str(value)
        if not isinstance(value, str) or not CLASS_PATTERN.match(code):
            raise InputError("chains.template.class_not_text", where=str(where), value=repr(value))
        if code not in known:
            raise InputError("chains.template.unknown_class", where=str(where), code=code)
        classes.append(code)
    return tuple(classes)


def _names(raw: Any, where: _Place) -> dict[str, str]:
    names = _mapping(raw, where)
    missing = [lang for lang in LANGUAGES if not isinstance(names.get(lang), str) or not names[lang]]
    if missing:
        raise InputError("chains.template.missing_names", where=str(where), languages=", ".join(missing))
    return {lang: names[lang] for lang in LANGUAGES}


def _identifier(raw: Any, where: _Place) -> str:
    if not isinstance(raw, str) or not ID_PATTERN.match(raw):
        raise InputError("chains.template.bad_id", where=str(where), value=repr(raw))
    return raw


def _mapping(raw: Any, where: _Place) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise InputError("chains.template.not_a_mapping", where=str(where))
    return raw


def _only_keys(data: dict[str, Any], allowed: set[str], where: _Place) -> None:
    unknown = sorted(str(k) for k in data if k not in allowed)
    if unknown:
        raise InputError(
            "chains.template.unknown_keys",
            where=str(where),
            unknown=", ".join(unknown),
            allowed=", ".join(sorted(allowed)),
        )
