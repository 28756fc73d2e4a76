"""Every page, in Chinese and French, as an analyst: no raw id from the pack (a carrier, zone,
track, stage, status or carrier-kind slug) and no run of three English words outside an element
marked `lang="en"`, a firm's name or a code. Served in-process (TestClient): fast, no browser."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from districtlens.ingest.packs import load_pack

# Pages and the query that fills them (a carrier's tenants and space, a second chain); an
# enterprise's page is added by the test.
PAGES = [
    "/",
    "/industries",
    "/map",
    "/chains",
    "/chains?track=biopharma",
    "/targets",
    "/carriers",
    "/carriers?carrier=shanghai-icampus",
    "/space?carrier=shanghai-icampus",
    "/enterprises?q=科技",
    "/claims",
    "/leads",
    "/scenario",
    "/data",
    "/programmes",
    "/pipeline",
    "/space",
    "/briefings",
]
# Elements whose text is not prose in the page's language: code, a firm's or a source's own name.
VERBATIM_CLASSES = ("firm-name", "code", "mono", "source-name")
VERBATIM_TAGS = ("code", "kbd", "samp", "pre", "script", "style", "svg", "template")
ENGLISH_RUN = re.compile(r"\b[A-Za-z]{2,}(?:[ \-][A-Za-z]{2,}){2,}\b")
# In French text a run of Latin words is English only when it holds English function words.
ENGLISH_WORDS = {
    "the",
    "of",
    "and",
    "is",
    "are",
    "to",
    "for",
    "with",
    "by",
    "from",
    "not",
    "this",
    "that",
    "its",
    "which",
    "than",
    "has",
    "have",
    "was",
    "were",
    "be",
    "rank",
    "none",
    "why",
    "how",
    "computed",
    "tenants",
    "share",
    "firms",
    "firm",
    "chain",
    "link",
    "links",
    "here",
    "there",
    "in",
    "at",
}
# Words that may stand in any language's text: units, acronyms and proper names of sources.
ALLOWED_WORDS = {"ISO", "PNG", "PDF", "HTML", "DOCX", "CSV", "XLSX", "JSON", "API", "OpenAPI", "GeoJSON", "USCC"}
# A firm's name in Latin letters ends with its legal form: a name, not a sentence to translate.
LEGAL_FORMS = re.compile(r"\b(Co|Ltd|Inc|Corp|Company|Limited|Technologies|Group|GmbH|SA|AG)\b")
# Slugs that are also words of the page's language (French writes "blockchain").
WORDS_OF = {"fr": {"blockchain"}, "zh": set()}


class VisibleText(HTMLParser):
    """The text a reader sees in `lang`, without scripts, styles, attributes, verbatim elements or
    elements marked as in another language (a quote in its source language)."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = lang
        self.stack: list[bool] = []  # whether each open element hides its text
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        values = dict(attrs)
        classes = (values.get("class") or "").split()
        hides = (
            tag in VERBATIM_TAGS
            or (tag != "html" and (values.get("lang") or self.lang).split("-")[0] != self.lang)
            or any(c in VERBATIM_CLASSES for c in classes)
            or values.get("translate") == "no"
        )
        self.stack.append(hides or (bool(self.stack) and self.stack[-1]))

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def visible_text(html: str, lang: str) -> str:
    parser = VisibleText(lang)
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def raw_ids() -> set[str]:
    """The pack's slugs a reader must never see: carriers, zones, tracks, stages, kinds, statuses."""
    pack = load_pack("jingan")
    ids: set[str] = set()
    for carrier in pack.carriers:
        ids |= {carrier.id, carrier.kind}
    for zone in pack.zones:
        ids.add(zone.id)
    for track in pack.tracks:
        ids.add(track.id)
    ids |= {"upstream", "midstream", "downstream", "rd-centre"}
    # A slug is only recognisable as one when it is a single lowercase ascii word with a hyphen, or
    # a pinyin-like id that is not an English word a page may legitimately spell in a code.
    return {i for i in ids if i and re.fullmatch(r"[a-z][a-z0-9\-]+", i)}


def english_runs(text: str, lang: str) -> list[str]:
    """Runs of 3+ Latin words that read as English: any such run in Chinese, in French only runs
    that hold at least two English function words."""
    runs = []
    for match in ENGLISH_RUN.finditer(text):
        words = re.split(r"[ \-]", match.group(0))
        if sum(word not in ALLOWED_WORDS for word in words) < 3 or LEGAL_FORMS.search(match.group(0)):
            continue
        if lang == "fr" and sum(word.lower() in ENGLISH_WORDS for word in words) < 2:
            continue
        runs.append(match.group(0))
    return runs


@pytest.mark.parametrize("lang", ["zh", "fr"])
def test_no_raw_id_nor_english_on_any_page(clients, web_store, lang):
    client = clients["analyst"]
    pages = [*PAGES, f"/enterprises/{web_store['own_tenants'][0]}"]
    slugs = raw_ids() - WORDS_OF[lang]
    slug_pattern = re.compile(
        r"(?<![\w\-./])(" + "|".join(sorted(map(re.escape, slugs), key=len, reverse=True)) + r")(?![\w\-./])"
    )
    problems: dict[str, list[str]] = {}
    for path in pages:
        separator = "&" if "?" in path else "?"
        response = client.get(f"{path}{separator}lang={lang}")
        assert response.status_code == 200, (path, lang)
        text = visible_text(response.text, lang)
        found = sorted(set(slug_pattern.findall(text))) + [f"EN: {run}" for run in english_runs(text, lang)]
        if found:
            problems[path] = found[:40]
    assert not problems, problems
