"""Chain templates: the shipped ones parse and are complete; mistakes are named; a real value
chain (TPEx, test-only data) fits the structure."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import polars as pl
import pytest
import yaml

from districtlens.chains.placement import place
from districtlens.chains.templates import (
    STAGES,
    get_template,
    load_template,
    parse_template,
    shipped_templates,
)
from districtlens.errors import InputError, NotFound
from tests.chains.builders import TPEX_JSON

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "src" / "districtlens" / "chains" / "templates"
ISSUE_TRACKS = {
    "biopharma",
    "data-intelligence",
    "integrated-circuits",
    "digital-security",
    "smart-health",
    "finance-services",
}


def test_the_six_tracks_are_shipped():
    assert set(shipped_templates()) == ISSUE_TRACKS


@pytest.mark.parametrize("path", sorted(TEMPLATE_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_each_template_parses_against_the_classification(path, known_classes):
    template = load_template(path, known_classes=known_classes)
    assert template.id == path.stem
    assert template.version >= 1
    assert len(template.links) >= 4
    for link in template.links:
        assert link.stage in STAGES
        assert any(rule.classes or rule.keywords for rule in link.rules), link.id
        assert all(link.name[lang] for lang in ("zh", "en", "fr"))
        for code in link.related_classes:
            assert code in known_classes


def test_every_template_has_all_three_stages():
    for template in shipped_templates().values():
        assert {link.stage for link in template.links} == set(STAGES), template.id


def _raw(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("edit", "key", "place", "message"),
    [
        (
            lambda t: t["links"][0]["rules"][0].update(classes=["9999"]),
            "unknown_class",
            "links[rd-cro-cdmo].rules[1].classes",
            "9999 is not a GB/T",
        ),
        (
            lambda t: t["links"][0]["rules"][0].update(classes=[7340]),
            "class_not_text",
            "links[rd-cro-cdmo].rules[1].classes",
            "quoted text",
        ),
        (lambda t: t["links"][0]["name"].pop("fr"), "missing_names", "links[rd-cro-cdmo].name", "needs text in fr"),
        (lambda t: t["links"][0].update(edges=["nowhere"]), "unknown_edges", "links[rd-cro-cdmo].edges", "nowhere"),
        (lambda t: t["links"][0].update(stage="sideways"), "bad_stage", "links[rd-cro-cdmo].stage", "'sideways'"),
        (lambda t: t["links"][0].update(rules=[]), "no_rules", "links[rd-cro-cdmo].rules", "at least one"),
        (
            lambda t: t["links"][0]["rules"][0].update(keywords={"zh": ["研发"]}),
            "rule_kind",
            "links[rd-cro-cdmo].rules[1]",
            "not both",
        ),
        (lambda t: t["links"][1].update(id=t["links"][0]["id"]), "duplicate_links", "links", "used twice"),
        (lambda t: t["links"][2].update(id="Not An Id"), "bad_id", "links[3].id", "'Not An Id'"),
        (lambda t: t.update(version="one"), "bad_version", "version", "'one'"),
        (lambda t: t["links"][0].update(colour="red"), "unknown_keys", "links[rd-cro-cdmo]", "colour"),
    ],
)
def test_mistakes_are_named_with_their_place(edit, key, place, message):
    raw = _raw(TEMPLATE_DIR / "biopharma.yaml")
    assert raw["links"][0]["id"] == "rd-cro-cdmo"
    edit(raw)
    with pytest.raises(InputError) as caught:
        parse_template(raw, origin="biopharma.yaml")
    assert caught.value.key == f"chains.template.{key}"
    assert caught.value.values["where"] == f"biopharma.yaml, {place}"
    assert message in str(caught.value)
    # The place is the template's own path of keys: every language names it alike.
    for lang in ("zh", "fr"):
        assert f"biopharma.yaml, {place}" in caught.value.message(lang)


def test_a_user_template_replaces_the_shipped_one(tmp_path):
    raw = _raw(TEMPLATE_DIR / "integrated-circuits.yaml")
    raw["version"] = 2
    raw["links"] = raw["links"][:3]
    for link in raw["links"]:
        link["edges"] = [e for e in link["edges"] if e in {"design", "equipment-materials", "manufacturing"}]
    path = tmp_path / "ic.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    template = get_template("integrated-circuits", path)
    assert (template.version, len(template.links)) == (2, 3)
    with pytest.raises(InputError, match="not biopharma"):
        get_template("biopharma", path)


def test_an_unknown_track_is_not_found_with_the_known_ones():
    with pytest.raises(NotFound) as caught:
        get_template("no-such-track")
    assert caught.value.key == "chains.unknown_track"
    assert "biopharma" in caught.value.values["known"] and "no-such-track" in str(caught.value)


def test_broken_yaml_is_reported(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(InputError, match="not valid YAML") as caught:
        load_template(path)
    assert caught.value.key == "chains.template.bad_yaml" and str(path) in str(caught.value)


STREAMS = {"上游": "upstream", "中游": "midstream", "下游": "downstream"}


def _tpex_chain(industry: str) -> tuple[dict, list[dict]]:
    """A TPEx industry as a template: one link per (stream, module), a keyword rule on the
    module's name, edges from each stream's modules to the next stream's."""
    rows = [
        r
        for r in json.loads(TPEX_JSON.read_text(encoding="utf-8"))
        if r["industry"] == industry and r["stream"] in STREAMS
    ]
    modules = list(dict.fromkeys((r["stream"], r["industry_module"]) for r in rows))
    ids = {key: f"m{i}" for i, key in enumerate(modules)}
    by_stage = defaultdict(list)
    for (stream, _), link_id in ids.items():
        by_stage[STREAMS[stream]].append(link_id)
    following = {"upstream": "midstream", "midstream": "downstream", "downstream": None}
    links = [
        {
            "id": ids[(stream, module)],
            "name": {"zh": module, "en": module, "fr": module},
            "stage": STREAMS[stream],
            "rules": [{"keywords": {"zh": [module]}}],
            "edges": by_stage.get(following[STREAMS[stream]], []) if following[STREAMS[stream]] else [],
        }
        for stream, module in modules
    ]
    raw = {"id": "tpex-chain", "version": 1, "name": {"zh": industry, "en": industry, "fr": industry}, "links": links}
    return raw, rows


@pytest.mark.parametrize("industry", ["製藥", "半導體"])
def test_a_real_value_chain_fits_the_template_structure(industry):
    raw, rows = _tpex_chain(industry)
    template = parse_template(raw, origin=f"TPEx {industry}")
    modules = {(r["stream"], r["industry_module"]) for r in rows}
    assert len(template.links) == len(modules)
    assert {link.stage for link in template.links} == set(STAGES)
    # Each listed company, tagged with its module, lands in that module's link.
    firms = pl.DataFrame(
        {
            "uscc": [f"{r['company_code']}-{i}" for i, r in enumerate(rows)],
            "industry_code": [None] * len(rows),
            "name": [r["company_name"] for r in rows],
            "business_scope": [None] * len(rows),
            "tags": [r["industry_module"] for r in rows],
        },
        schema_overrides={"industry_code": pl.String, "business_scope": pl.String},
    )
    placed = place(firms, template)
    got = set(zip(placed["uscc"].to_list(), placed["link_id"].to_list(), strict=True))
    expected_link = {
        (s, m): link["id"]
        for link in raw["links"]
        for s, m in [(k, link["name"]["zh"]) for k in STREAMS if STREAMS[k] == link["stage"]]
    }
    for uscc, row in zip(firms["uscc"].to_list(), rows, strict=True):
        assert (uscc, expected_link[(row["stream"], row["industry_module"])]) in got
