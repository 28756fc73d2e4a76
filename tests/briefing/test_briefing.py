"""Briefings on the demo store: every language renders from one template and one catalog; the
PDF's text holds the same figures as --json; verify passes on a fresh briefing and reports
figures that changed after a later import (forged briefings: test_forgery.py); the private key
signs in the CLI's process and never enters a command's arguments."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from importlib import resources

import pytest

from districtlens import i18n as catalogs
from districtlens.briefing import document, i18n, render, signing
from districtlens.briefing.verify import verify
from districtlens.ingest.packs import load_pack
from districtlens.store import open_store
from tests.claims.demo import copy_of, import_roster


@pytest.fixture(scope="module")
def briefings(demo_path, private, figures):
    fingerprint = signing.fingerprint(private.public_key())
    with open_store(demo_path, read_only=True) as store:
        return {lang: render.build(store, "310106", lang, fingerprint, figures) for lang in i18n.LANGUAGES}


def write(b: render.Briefing, fmt: str, out, private):
    """The briefing rendered, signed and written, as `districtlens brief` does it."""
    document.write_signed(render.to_document(b, fmt), fmt, b.manifest, private, out)
    return out


def _squeeze(text: str) -> str:
    return "".join(text.split())


def test_every_briefing_key_has_every_language():
    keys = [key for key in catalogs.catalog("en") if key.startswith("brief.")]
    assert "brief.title" in keys and "brief.not_a_briefing" in keys
    for lang in catalogs.LANGUAGES:
        texts = catalogs.catalog(lang)
        missing = [key for key in keys if not texts.get(key, "").strip()]
        assert not missing, f"no {lang} text for {missing}"


def test_template_holds_no_literal_text():
    source = resources.files("districtlens.briefing").joinpath("templates/briefing.html.j2").read_text("utf-8")
    body = source[source.index("<body>") :]
    text = re.sub(r"{[{%].*?[%}]}", " ", body, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    assert not re.findall(r"[A-Za-z\u4e00-\u9fff]{2,}", text)


def test_missing_translation_raises():
    with pytest.raises(catalogs.MissingTranslation):
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
    return _squeeze(
        subprocess.run(["pdftotext", "-enc", "UTF-8", path, "-"], capture_output=True, text=True, check=True).stdout
    )


def _missing(figures: list[dict], text: str) -> list[str]:
    return [f["id"] for f in figures if _squeeze(f"{f['display']}[{f['ref']}]") not in text]


def test_pdf_text_holds_the_json_figures(cli, demo_path, key, tmp_path):
    out = tmp_path / "b-zh.pdf"
    result = cli(
        "brief",
        "--db",
        demo_path,
        "--area",
        "310106",
        "--lang",
        "zh",
        "--format",
        "pdf",
        "--out",
        out,
        "--key",
        key,
        "--json",
    )
    assert result.exit_code == 0, result.output
    written = json.loads(result.stdout)
    assert set(written) == {"out", "area", "lang", "format", "ledger_head", "key_fingerprint", "figures"}
    figures = written["figures"]
    assert len(figures) > 50 and not _missing(figures, _pdf_text(out))
    fonts = subprocess.run(["pdffonts", out], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts and all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_pdf_of_other_languages_holds_their_figures(briefings, private, tmp_path, lang):
    out = write(briefings[lang], "pdf", tmp_path / f"b-{lang}.pdf", private)
    text = _pdf_text(out)
    assert not _missing(briefings[lang].figures_json(), text)
    assert _squeeze(i18n.t("section_chains", lang)) in text


@pytest.mark.parametrize("fmt", document.FORMATS)
def test_verify_passes_on_a_fresh_briefing(cli, briefings, demo_path, key, private, tmp_path, fmt):
    out = write(briefings["fr"], fmt, tmp_path / f"b.{fmt}", private)
    with open_store(demo_path, read_only=True) as store:
        verdict = verify(store, out, signing.load_public(key))
    assert verdict.holds, verdict.model_dump()
    assert verdict.figures_checked == len(briefings["fr"].figures)


@pytest.mark.parametrize("fmt", document.FORMATS)
def test_signing_adds_only_the_signature(briefings, private, tmp_path, fmt):
    """The rendered document carries its manifest and no signature; signing adds the signature and
    leaves the rest of the file as rendered (a PDF gains an incremental update)."""
    unsigned = render.to_document(briefings["en"], fmt)
    assert document.read_manifest(unsigned, fmt, "unsigned") == briefings["en"].manifest
    sealed = document.embed(unsigned, fmt, private)
    assert document.read_manifest(sealed, fmt, "signed") == briefings["en"].manifest
    if fmt == "pdf":
        assert sealed.startswith(unsigned)
    elif fmt == "docx":
        import io
        import zipfile

        before, after = zipfile.ZipFile(io.BytesIO(unsigned)), zipfile.ZipFile(io.BytesIO(sealed))
        assert before.namelist() == after.namelist()
        differ = [n for n in before.namelist() if before.read(n) != after.read(n)]
        assert differ == [document.DOCX_SIGNATURE_PART.lstrip("/")]
        assert document.canonical(sealed, fmt) == document.canonical(unsigned, fmt)
    else:
        assert document.canonical(sealed, fmt) == unsigned
        assert sealed.count(document.HTML_SIGNATURE_MARKER) == 1


def test_verify_cli_exit_zero_on_a_fresh_briefing(cli, briefings, demo_path, key, private, tmp_path):
    out = write(briefings["en"], "html", tmp_path / "b.html", private)
    result = cli("brief", "verify", out, "--db", demo_path, "--key", f"{key}.pub", "--json")
    assert result.exit_code == 0, result.output
    verdict = json.loads(result.stdout)
    assert verdict["holds"] and verdict["signature"] == "valid"
    assert verdict["reason"] == i18n.t("verdict_valid", "en")
    assert set(verdict) == {
        "holds",
        "format",
        "signature",
        "reason",
        "figures_checked",
        "changed",
        "ledger_head_then",
        "ledger_head_now",
    }


def test_verify_reports_figures_changed_by_a_later_import(cli, demo_path, key, tmp_path):
    path = copy_of(demo_path, tmp_path)
    ai_firms = [e.names.en for e in load_pack("jingan").enterprises if "artificial-intelligence" in e.tracks]
    with open_store(path) as store:
        # A real roster lists the named AI firms (a version of each from it): the demo registry's
        # rows alone, made from the claim, would prove nothing (docs/claims.md).
        rows = store.con.execute(
            "SELECT uscc, name, address, industry_code, CAST(founded AS VARCHAR)"
            " FROM enterprise_current WHERE list_contains(?, name_en)",
            [ai_firms],
        ).fetchall()
        keys = ("uscc", "name", "address", "industry_code", "founded")
        assert len(rows) == 7
        import_roster(
            store, [dict(zip(keys, r, strict=True)) | {"address": f"{r[2]}1楼", "status": "存续"} for r in rows]
        )
    out = tmp_path / "before.docx"
    assert (
        cli(
            "brief", "--db", path, "--area", "310106", "--lang", "zh", "--format", "docx", "--out", out, "--key", key
        ).exit_code
        == 0
    )
    assert cli("brief", "verify", out, "--db", path, "--key", key).exit_code == 0
    with open_store(path) as store:
        row = store.con.execute(
            "SELECT uscc, name, address, industry_code, CAST(founded AS VARCHAR)"
            " FROM enterprise_current WHERE name_en = 'XPeng Motors'"
        ).fetchone()
        import_roster(
            store,
            [
                {
                    "uscc": row[0],
                    "name": row[1],
                    "address": f"{row[2]}1楼",
                    "industry_code": row[3],
                    "founded": row[4],
                    "status": "注销",
                    "year": "2024",
                    "revenue": "1.00",
                }
            ],
        )
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


def test_docx_carries_the_chart_and_the_map_as_pictures(briefings, private, tmp_path):
    from docx import Document

    out = write(briefings["fr"], "docx", tmp_path / "b.docx", private)
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
    from districtlens.claims import Session, compute

    kinds = {f.query["kind"] for f in figures}
    assert {"enterprise-count", "total", "growth", "rank", "claim-status", "chain-health"} <= kinds
    with open_store(demo_path, read_only=True) as store:
        for figure in figures:
            alone = compute(Session(store), figure.query)
            assert json.loads(json.dumps(alone.value, default=str)) == figure.value, figure.id
            assert alone.reason == figure.reason, figure.id
            assert list(alone.evidence.get("sources") or []) == figure.sources, figure.id


def test_the_private_key_signs_in_the_cli_and_never_enters_a_command(cli, demo_path, key, tmp_path, monkeypatch):
    """`brief` renders through the command layer (brief.render) and signs in the CLI's process;
    `brief verify` (brief.verify) is given the public key. The briefing so made verifies, and no
    command's arguments hold the private key, in any encoding, or its file."""
    import base64

    from cryptography.hazmat.primitives import serialization

    from districtlens.commands import runner

    sent: list[tuple[str, str]] = []
    execute = runner.execute

    def spy(db, command, args, **options):
        sent.append((command.name, args.model_dump_json()))
        return execute(db, command, args, **options)

    monkeypatch.setattr(runner, "execute", spy)
    out = tmp_path / "b.html"
    result = cli(
        "brief",
        "--db",
        demo_path,
        "--area",
        "310106",
        "--lang",
        "en",
        "--format",
        "html",
        "--out",
        out,
        "--key",
        key,
        "--json",
    )
    assert result.exit_code == 0, result.output
    verified = cli("brief", "verify", out, "--db", demo_path, "--key", key, "--json")
    assert verified.exit_code == 0, verified.output
    assert json.loads(verified.stdout)["holds"]

    assert [name for name, _ in sent] == ["brief.render", "brief.verify"]
    private = signing.load_private(key)
    fingerprint = signing.fingerprint(private.public_key())
    assert json.loads(result.stdout)["key_fingerprint"] == fingerprint
    assert fingerprint in sent[0][1]  # the key is named, not carried
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    pem_lines = [line for line in key.read_text().splitlines() if line and not line.startswith("-----")]
    secrets = [raw.hex(), base64.b64encode(raw).decode(), *pem_lines, str(key), key.name]
    for name, arguments in sent:
        assert not [secret for secret in secrets if secret in arguments], name
