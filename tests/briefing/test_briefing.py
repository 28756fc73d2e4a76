"""Briefings on the demo store: every language renders from one template and one message table;
the PDF's text holds the same figures as --json; verify passes on a fresh briefing, fails on an
edited one, and reports figures that changed after a later import."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from importlib import resources

import pytest

from districtlens.briefing import build, i18n, render, signing, verify
from districtlens.store import open_store
from tests.claims.demo import copy_of, import_roster


@pytest.fixture(scope="module")
def key(tmp_path_factory):
    path = tmp_path_factory.mktemp("key") / "commission.pem"
    signing.generate(path)
    return path


@pytest.fixture(scope="module")
def figures(demo_path):
    with open_store(demo_path, read_only=True) as store:
        return render.compute_figures(store, "310106")


@pytest.fixture(scope="module")
def briefings(demo_path, key, figures):
    with open_store(demo_path, read_only=True) as store:
        return {lang: build(store, "310106", lang, key, figures) for lang in i18n.LANGUAGES}


def _squeeze(text: str) -> str:
    return "".join(text.split())


def test_every_message_has_every_language():
    for key, entry in i18n.messages().items():
        for lang in i18n.LANGUAGES:
            assert str(entry.get(lang) or "").strip(), f"{key} has no {lang}"


def test_template_holds_no_literal_text():
    source = resources.files("districtlens.briefing").joinpath("templates/briefing.html.j2").read_text("utf-8")
    body = source[source.index("<body>"):]
    text = re.sub(r"{[{%].*?[%}]}", " ", body, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    assert not re.findall(r"[A-Za-z\u4e00-\u9fff]{2,}", text)


def test_missing_translation_raises():
    with pytest.raises(i18n.MissingTranslation):
        i18n.t("no-such-message", "fr")


def test_locale_formatting():
    assert i18n.number(1234567, "en") == "1,234,567"
    assert i18n.number(1234567, "fr").replace("\u202f", " ").replace("\xa0", " ") == "1 234 567"
    assert i18n.percent(0.271, "fr").replace("\u202f", " ").replace("\xa0", " ") == "27,1 %"


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_each_language_renders_html_with_every_figure(briefings, lang):
    b = briefings[lang]
    html = render.to_html(b)
    assert f'<html lang="{lang}">' in html
    assert i18n.t("section_claims", lang) in html
    for f in b.figures:
        assert f'data-ref="{f.ref}"' in html
    other = {"zh": "en", "en": "fr", "fr": "zh"}[lang]
    assert i18n.t("section_appendix", other) not in html


def test_every_claim_with_a_figure_is_in_the_claims_table(briefings):
    ids = {f.id for f in briefings["en"].figures}
    assert "claim.pharma-top50-in-district" in ids and "claim.six-special-actions" in ids
    assert "claim.digital-chain-valley" not in ids  # states no figure


def _pdf_text(path) -> str:
    return _squeeze(subprocess.run(["pdftotext", "-enc", "UTF-8", path, "-"], capture_output=True, text=True,
                                   check=True).stdout)


def _missing(figures: list[dict], text: str) -> list[str]:
    return [f["id"] for f in figures if _squeeze(f"{f['display']}[{f['ref']}]") not in text]


def test_pdf_text_holds_the_json_figures(cli, demo_path, key, tmp_path):
    out = tmp_path / "b-zh.pdf"
    result = cli("brief", "--db", demo_path, "--area", "310106", "--lang", "zh", "--format", "pdf",
                 "--out", out, "--key", key, "--json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)["figures"]
    assert len(figures) > 50 and not _missing(figures, _pdf_text(out))
    fonts = subprocess.run(["pdffonts", out], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts and all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_pdf_of_other_languages_holds_their_figures(briefings, tmp_path, lang):
    out = render.write(briefings[lang], "pdf", tmp_path / f"b-{lang}.pdf")
    text = _pdf_text(out)
    assert not _missing(briefings[lang].figures_json(), text)
    assert _squeeze(i18n.t("section_chains", lang)) in text


@pytest.mark.parametrize("fmt", render.FORMATS)
def test_verify_passes_on_a_fresh_briefing(cli, briefings, demo_path, key, tmp_path, fmt):
    out = render.write(briefings["fr"], fmt, tmp_path / f"b.{fmt}")
    with open_store(demo_path, read_only=True) as store:
        verdict = verify(store, out, signing.load_public(key))
    assert verdict.holds, verdict.as_json()
    assert verdict.checked == len(briefings["fr"].figures)


def test_verify_cli_exit_zero_on_a_fresh_briefing(cli, briefings, demo_path, key, tmp_path):
    out = render.write(briefings["en"], "html", tmp_path / "b.html")
    result = cli("brief", "verify", out, "--db", demo_path, "--key", f"{key}.pub", "--json")
    assert result.exit_code == 0, result.output
    verdict = json.loads(result.stdout)
    assert verdict["holds"] and verdict["signature"] == "valid"


def test_verify_fails_on_edited_figures(briefings, demo_path, key, tmp_path):
    b = briefings["en"]
    html = render.to_html(b)
    target = next(f for f in b.figures if f.id == "headline.enterprises")
    shown = f'data-ref="{target.ref}">{target.display("en")}<'
    edited = tmp_path / "edited.html"
    edited.write_text(html.replace(shown, f'data-ref="{target.ref}">999,999<'), encoding="utf-8")
    public = signing.load_public(key)
    with open_store(demo_path, read_only=True) as store:
        verdict = verify(store, edited, public)
        assert not verdict.holds and [e["id"] for e in verdict.edited] == ["headline.enterprises"]
        assert verdict.signature is None  # the manifest is intact; the visible figure is not

        # Editing the manifest too (to match) breaks the signature.
        signed = json.loads(json.dumps(b.signed))
        entry = next(f for f in signed["manifest"]["figures"] if f["id"] == "headline.enterprises")
        entry["display"], entry["value"] = "999,999", 999999
        forged = tmp_path / "forged.html"
        old = render._context(b)["manifest_json"]
        new = json.dumps(signed, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
        forged.write_text(edited.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        verdict = verify(store, forged, public)
        assert verdict.signature and "altered" in verdict.signature
        assert "headline.enterprises" in [c["id"] for c in verdict.changed]


def test_verify_refuses_another_key(briefings, demo_path, tmp_path):
    path = tmp_path / "b.html"
    path.write_text(render.to_html(briefings["zh"]), encoding="utf-8")
    other = tmp_path / "other.pem"
    signing.generate(other)
    with open_store(demo_path, read_only=True) as store:
        verdict = verify(store, path, signing.load_public(other))
    assert not verdict.holds and "another key" in verdict.signature


def test_verify_reports_figures_changed_by_a_later_import(cli, demo_path, key, tmp_path):
    path = copy_of(demo_path, tmp_path)
    out = tmp_path / "before.docx"
    assert cli("brief", "--db", path, "--area", "310106", "--lang", "zh", "--format", "docx",
               "--out", out, "--key", key).exit_code == 0
    assert cli("brief", "verify", out, "--db", path, "--key", key).exit_code == 0
    with open_store(path) as store:
        row = store.con.execute("SELECT uscc, name, address, industry_code, CAST(founded AS VARCHAR)"
                                " FROM enterprise_current WHERE name_en = 'XPeng Motors'").fetchone()
        import_roster(store, [{"uscc": row[0], "name": row[1], "address": row[2], "industry_code": row[3],
                               "founded": row[4], "status": "注销", "year": "2024", "revenue": "1.00"}])
    result = cli("brief", "verify", out, "--db", path, "--key", key, "--json")
    assert result.exit_code == 1
    changed = {c["id"]: c for c in json.loads(result.stdout)["changed"]}
    assert changed["headline.enterprises"]["now"] == changed["headline.enterprises"]["then"] - 1
    assert changed["claim.ai-enterprises-named"]["now"]["status"] == "contradicted"
    text = cli("brief", "verify", out, "--db", path, "--key", key)
    assert "headline.enterprises" in text.stdout


def test_keygen_refuses_to_overwrite(cli, tmp_path):
    path = tmp_path / "k.pem"
    assert cli("brief", "keygen", "--out", path).exit_code == 0
    assert (path.stat().st_mode & 0o777) == 0o600
    assert cli("brief", "keygen", "--out", path).exit_code == 1


def test_pdftotext_is_installed():
    assert shutil.which("pdftotext"), "install poppler-utils (see .ci/debian-packages.txt)"


def test_unknown_area_is_refused_and_nothing_written(cli, demo_path, key, tmp_path):
    out = tmp_path / "x.pdf"
    result = cli("brief", "--db", demo_path, "--area", "999999", "--out", out, "--key", key)
    assert result.exit_code == 1 and not out.exists()


def test_docx_carries_the_chart_and_the_map_as_pictures(briefings, tmp_path):
    from docx import Document

    out = render.write(briefings["fr"], "docx", tmp_path / "b.docx")
    doc = Document(str(out))
    pictures = [shape for shape in doc.inline_shapes]
    assert len(pictures) == 2  # the district map, then the tracks chart
    blobs = [rel.target_part.blob for rel in doc.part.rels.values() if "image" in rel.reltype]
    assert len(blobs) == 2 and all(blob.startswith(b"\x89PNG") for blob in blobs)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert briefings["fr"].area_name in text


def test_figures_read_ahead_equal_each_figure_computed_alone(demo_path, figures):
    """A briefing reads its sets, ranks and chains ahead in a few grouped queries: every figure
    (value and evidence) equals the one a session computes for that figure alone."""
    from districtlens.claims.compute import Session, compute

    kinds = {f.query["kind"] for f in figures}
    assert {"enterprise-count", "total", "growth", "rank", "claim-status", "chain-health"} <= kinds
    with open_store(demo_path, read_only=True) as store:
        for figure in figures:
            alone = compute(Session(store), figure.query)
            assert json.loads(json.dumps(alone.value, default=str)) == figure.value, figure.id
            assert alone.reason == figure.reason, figure.id
            assert list(alone.evidence.get("sources") or []) == figure.sources, figure.id
