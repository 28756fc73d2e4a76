"""The seed interview read: the pack's figure claims covered by proposals, the named firms found
without the alias table, and the precision of firm mentions against a hand annotation."""

from __future__ import annotations

import pytest
import yaml

from districtlens.ingest.packs import load_pack
from districtlens.reading import extract
from districtlens.reading.read import read
from tests.reading.conftest import DATA, SEED_TEXT

pytestmark = pytest.mark.skipif(not SEED_TEXT.is_file(), reason="the shared seed interview is not here")


@pytest.fixture(scope="module")
def seed_read(reading_store):
    return read(reading_store, extract.read_file(SEED_TEXT), use_aliases=False)


def _usccs_by_english_name(store) -> dict[str, str]:
    return dict(store.con.execute("SELECT name_en, uscc FROM enterprise_current WHERE name_en IS NOT NULL").fetchall())


def test_proposals_cover_the_pack_claims_that_assert_a_figure(seed_read):
    text = seed_read.document.text
    asserting = [c for c in load_pack("jingan").claims if (c.asserted or {}).get("value") is not None]
    covered = []
    for claim in asserting:
        at = text.find(claim.quote)
        assert at >= 0, claim.id
        value = claim.asserted["value"]
        covered.append(
            any(
                p.start < at + len(claim.quote)
                and at < p.end
                and abs(p.figure["value"] - value) <= 1e-3 * max(1.0, abs(value))
                for p in seed_read.proposals
            )
        )
    share = sum(covered) / len(asserting)
    print(f"pack claims asserting a figure covered (same sentence, same figure): {sum(covered)}/{len(asserting)}")
    assert share >= 0.8
    checkable = [ok for c, ok in zip(asserting, covered, strict=True) if c.kind != "intent"]
    assert sum(checkable) / len(checkable) >= 0.8
    # And the other way round: the proposals are, for the most part, claims the pack holds.
    spans = [(text.find(c.quote), len(c.quote), c.asserted["value"]) for c in asserting]
    held = [
        any(
            p.start < at + n and at < p.end and abs(p.figure["value"] - v) <= 1e-3 * max(1.0, abs(v))
            for at, n, v in spans
        )
        for p in seed_read.proposals
    ]
    print(f"proposals that are pack claims: {sum(held)}/{len(held)}")
    assert sum(held) / len(held) >= 0.8


def test_every_named_firm_is_found_without_the_alias_table(seed_read, reading_store):
    usccs = _usccs_by_english_name(reading_store)
    named = {e.names.en for e in load_pack("jingan").enterprises}
    found = {f["uscc"] for f in seed_read.firms if f["uscc"]}
    assert len(named) == 9
    assert {usccs[name] for name in named} <= found


def test_firm_mentions_are_precise_against_the_annotation(seed_read, reading_store):
    text = seed_read.document.text
    usccs = _usccs_by_english_name(reading_store)
    annotated = {}
    for m in yaml.safe_load((DATA / "seed-firm-mentions.yaml").read_text(encoding="utf-8"))["mentions"]:
        at = -1
        for _ in range(m["occurrence"]):
            at = text.find(m["text"], at + 1)
        assert at >= 0, m
        annotated[(at, at + len(m["text"]))] = usccs[m["firm"]]
    predicted = seed_read.firms
    correct = [
        f
        for f in predicted
        if any(s < f["end"] and f["start"] < e and f["uscc"] == uscc for (s, e), uscc in annotated.items())
    ]
    precision = len(correct) / len(predicted)
    recall = len({k for k, uscc in annotated.items() for f in correct if k[0] < f["end"] and f["start"] < k[1]}) / len(
        annotated
    )
    print(f"firm mentions: precision {precision:.2f}, recall {recall:.2f} ({len(predicted)} predicted)")
    assert precision >= 0.9
    assert recall >= 0.9


def test_a_proposed_claim_quotes_its_sentence_at_its_span(seed_read):
    text = seed_read.document.text
    assert seed_read.language == "fr"
    for p in seed_read.proposals:
        assert text[p.start : p.end] == p.quote
        assert p.figure["start"] >= p.start or p.figure["unit"] == "named enterprises"


def test_the_seed_counts_map_to_the_carrier_kinds_they_count(seed_read):
    counted = {
        (p.figure["value"], p.query.get("carrier_kind"), p.query.get("level"))
        for p in seed_read.proposals
        if p.query and p.query["kind"] == "carrier-count"
    }
    assert counted == {
        (1.0, "university-science-park", "national"),
        (4.0, "incubator", "national"),
        (3.0, "maker-space", "national"),
        (24.0, "cultural-creative-park", "municipal"),
    }


def test_a_sentence_repeated_in_the_text_is_proposed_once(seed_read):
    quotes = [(p.quote, p.figure["value"]) for p in seed_read.proposals]
    assert len(quotes) == len(set(quotes))
    assert seed_read.document.text.count("Il a ainsi mené six grandes actions spéciales") == 2


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_packs_english_and_chinese_renderings_are_covered_too(reading_store, lang):
    """The pack's claims hold districtlens's English and Chinese renderings of each quote: read as
    one text, they give proposals for the same figures."""
    claims = load_pack("jingan").claims
    text = "\n".join(dict.fromkeys(c.translations[lang] for c in claims))
    reading = read(reading_store, extract.document(f"renderings.{lang}.txt", text), use_aliases=False)
    assert reading.language == lang
    asserting = [c for c in claims if (c.asserted or {}).get("value") is not None]
    covered = 0
    for claim in asserting:
        quote, value = claim.translations[lang], claim.asserted["value"]
        at = text.find(quote)
        covered += any(
            p.start < at + len(quote) and at < p.end and abs(p.figure["value"] - value) <= 1e-3 * max(1.0, abs(value))
            for p in reading.proposals
        )
    print(f"{lang}: {covered}/{len(asserting)} pack claims asserting a figure covered")
    assert covered / len(asserting) >= 0.8
