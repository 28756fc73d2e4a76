"""Forged briefings fail `verify`, in HTML, PDF and DOCX alike (issue #19).

A careless or hostile insider holds a genuine signed briefing but not the Commission's private
key. Each test below forges it one way (hidden text, the figure in the title, two labels swapped,
a unit changed, white-on-white text, zero-width characters, a figure duplicated, the manifest
edited, metadata or style edited, the whole re-signed with another key, ...) and checks that the
signature's verdict names the forgery, in words in every language; the genuine file passes.

Each format is rendered and signed once for the module; the forgeries are cheap edits of it.
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from collections.abc import Callable
from xml.sax.saxutils import escape as xml_escape

import pytest
from markupsafe import escape as html_escape

from districtlens.briefing import document, i18n, render, signing
from districtlens.briefing.verify import verify
from districtlens.i18n import LANG_ENV, LANGUAGES
from districtlens.store import open_store

LANG = "en"
ZERO_WIDTH = "\u200b"


@pytest.fixture(scope="module")
def briefing(demo_path, private, figures):
    with open_store(demo_path, read_only=True) as store:
        return render.build(store, "310106", LANG, signing.fingerprint(private.public_key()), figures)


@pytest.fixture(scope="module")
def unsigned(briefing):
    return {fmt: render.to_document(briefing, fmt) for fmt in document.FORMATS}


@pytest.fixture(scope="module")
def genuine(unsigned, private):
    return {fmt: document.embed(data, fmt, private) for fmt, data in unsigned.items()}


@pytest.fixture(scope="module")
def other_key(tmp_path_factory):
    path = tmp_path_factory.mktemp("other") / "other.pem"
    signing.generate(path)
    return signing.load_private(path)


class Facts:
    """What the forgers change: a headline figure, two labels, the unit, the title."""

    def __init__(self, b: render.Briefing) -> None:
        by_id = {f.id: f for f in b.figures}
        revenue = by_id["headline.revenue"]
        self.figure = revenue.display(LANG)
        self.inflated = "1" + self.figure
        self.ref = revenue.ref
        self.labels = (by_id["headline.enterprises"].label[LANG], by_id["headline.tax"].label[LANG])
        self.unit = i18n.t("unit_wan_yuan", LANG)
        self.title = i18n.t("title", LANG, area=b.area_name)


@pytest.fixture(scope="module")
def facts(briefing):
    return Facts(briefing)


def replace(text: str, old: str, new: str, count: int = -1) -> str:
    """`text` with `old` replaced: the forgery must really change something."""
    assert old in text, old
    return text.replace(old, new, count)


def swap(text: str, a: str, b: str) -> str:
    assert a in text and b in text and a != b
    return text.replace(a, "\0").replace(b, a).replace("\0", b)


def verdict(data: bytes, fmt: str, public) -> str:
    return document.check_signature(data, fmt, public)


# ---------------------------------------------------------------- HTML


def html_forgeries(f: Facts) -> dict[str, Callable[[str], str]]:
    figure = f'data-ref="{f.ref}">{f.figure}<'
    first, second = (str(html_escape(label)) for label in f.labels)
    return {
        "hidden_text": lambda h: replace(
            h, figure, f'data-ref="{f.ref}">{f.inflated}<span style="display:none">{f.figure}</span><'
        ),
        "title": lambda h: replace(
            replace(h, figure, f'data-ref="{f.ref}">{f.inflated}<'), "</title>", f" {f.figure}[{f.ref}]</title>", 1
        ),
        "label_swap": lambda h: swap(h, f"<th>{first}</th>", f"<th>{second}</th>"),
        "unit_change": lambda h: replace(h, f"{html_escape(f.unit)},", "CNY 100M,"),
        "white_on_white": lambda h: replace(
            h, figure, f'data-ref="{f.ref}"><span style="color:#fff;background:#fff">{f.inflated}</span>{f.figure}<'
        ),
        "zero_width": lambda h: replace(h, figure, f'data-ref="{f.ref}">{ZERO_WIDTH}{f.figure}{ZERO_WIDTH}<'),
        "duplicated_figure": lambda h: replace(h, figure, f"{figure}/span><span>{f.figure}<", 1),
        "edited_manifest": lambda h: replace(h, f'"display": "{f.figure}"', f'"display": "{f.inflated}"', 1),
        "metadata": lambda h: replace(
            h, '<meta charset="utf-8">', '<meta charset="utf-8"><meta name="author" content="x">'
        ),
        "css": lambda h: replace(h, "sup.ref { font-size: 6.5pt;", "sup.ref { display: none;"),
        "script_added": lambda h: replace(h, "</body>", "<script>document.title='x'</script></body>"),
    }


HTML_FORGERIES = [
    "hidden_text",
    "title",
    "label_swap",
    "unit_change",
    "white_on_white",
    "zero_width",
    "duplicated_figure",
    "edited_manifest",
    "metadata",
    "css",
    "script_added",
]


@pytest.mark.parametrize("forgery", HTML_FORGERIES)
def test_html_forgery_fails(genuine, facts, private, forgery):
    text = genuine["html"].decode("utf-8")
    forged = html_forgeries(facts)[forgery](text).encode("utf-8")
    assert forged != genuine["html"]
    assert verdict(forged, "html", private.public_key()) == "altered"


def test_the_issues_forgeries_keep_every_figure_in_the_text(genuine, facts, private):
    """The forgeries of issue #19 still show `value[Fn]` of every figure somewhere in the file: the
    substring search `verify` made before passed them."""
    manifest = document.read_manifest(genuine["html"], "html", "genuine")
    assert manifest is not None
    for forgery in ("hidden_text", "title", "label_swap"):
        forged = html_forgeries(facts)[forgery](genuine["html"].decode("utf-8"))
        text = squeezed(html.unescape(re.sub(r"<[^>]+>", "", forged)))
        missing = [f["id"] for f in manifest["figures"] if squeezed(f"{f['display']}[{f['ref']}]") not in text]
        assert not missing, (forgery, missing)
        assert verdict(forged.encode("utf-8"), "html", private.public_key()) == "altered"


def squeezed(text: str) -> str:
    return "".join(text.split())


def test_genuine_html_passes_with_any_line_endings(genuine, private):
    assert verdict(genuine["html"], "html", private.public_key()) == "valid"
    crlf = genuine["html"].replace(b"\n", b"\r\n")
    assert verdict(crlf, "html", private.public_key()) == "valid"


def _html_signature_removed(data: bytes) -> bytes:
    start = data.index(document.HTML_SIGNATURE_MARKER)
    end = data.index(b"</script>", start) + len(b"</script>")
    return data[:start] + data[end:]


def test_html_resigned_with_another_key_fails(genuine, facts, private, other_key):
    forged = html_forgeries(facts)["hidden_text"](_html_signature_removed(genuine["html"]).decode("utf-8"))
    resigned = document.embed(forged.encode("utf-8"), "html", other_key)
    assert verdict(resigned, "html", private.public_key()) == "another_key"
    # The forger's signature, claiming the Commission's fingerprint, does not hold for its key.
    claimed = resigned.replace(
        signing.fingerprint(other_key.public_key()).encode(), signing.fingerprint(private.public_key()).encode()
    )
    assert verdict(claimed, "html", private.public_key()) == "altered"


def test_html_signature_removed_or_doubled_fails(genuine, private):
    public = private.public_key()
    assert verdict(_html_signature_removed(genuine["html"]), "html", public) == "unsigned"
    start = genuine["html"].index(document.HTML_SIGNATURE_MARKER)
    element = genuine["html"][start : genuine["html"].index(b"</script>", start) + len(b"</script>")]
    doubled = genuine["html"].replace(b"</body>", element + b"</body>")
    assert verdict(doubled, "html", public) == "malformed"
    # Moved, it would change what is shown (in the title, an attribute ...): it has one place.
    for place in (b"</title>", b"</body>"):
        moved = _html_signature_removed(genuine["html"]).replace(place, element + place, 1)
        assert verdict(moved, "html", public) == "malformed"


# ---------------------------------------------------------------- DOCX

DOCUMENT_XML = "word/document.xml"
CORE_XML = "docProps/core.xml"


def docx_with(
    data: bytes, edits: dict[str, Callable[[str], str]], added: dict[str, bytes] | None = None, comment: bytes = b""
) -> bytes:
    """The package with some members' text edited (members added, a comment), the rest byte for byte."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            content = source.read(member)
            if member.filename in edits:
                content = edits[member.filename](content.decode("utf-8")).encode("utf-8")
            target.writestr(member, content)
        for name, content in (added or {}).items():
            target.writestr(name, content)
        target.comment = comment
    return out.getvalue()


def docx_forgeries(f: Facts) -> dict[str, Callable[[bytes], bytes]]:
    shown = f"<w:t>{f.figure}[{f.ref}]</w:t>"
    first, second = (f"<w:t>{xml_escape(label)}</w:t>" for label in f.labels)
    manifest = document.DOCX_MANIFEST_PART.lstrip("/")

    def body(edit: Callable[[str], str]) -> Callable[[bytes], bytes]:
        return lambda data: docx_with(data, {DOCUMENT_XML: edit})

    def duplicate_row(xml: str) -> str:
        row = next(r for r in re.findall(r"<w:tr>.*?</w:tr>", xml, flags=re.S) if shown in r)
        return replace(xml, row, row + row, 1)

    return {
        "hidden_text": body(
            lambda x: replace(
                x,
                shown,
                f"<w:t>{f.inflated}[{f.ref}]</w:t></w:r><w:r><w:rPr><w:vanish/></w:rPr><w:t>{f.figure}</w:t>",
            )
        ),
        "title": lambda data: docx_with(
            data,
            {
                CORE_XML: lambda x: replace(x, "<dc:title/>", f"<dc:title>{f.figure}[{f.ref}]</dc:title>"),
                DOCUMENT_XML: lambda x: replace(x, shown, f"<w:t>{f.inflated}[{f.ref}]</w:t>"),
            },
        ),
        "label_swap": body(lambda x: swap(x, first, second)),
        "unit_change": body(lambda x: replace(x, f"({xml_escape(f.unit)})", "(CNY 100M)")),
        "white_on_white": body(
            lambda x: replace(
                x,
                shown,
                f'{shown}</w:r><w:r><w:rPr><w:color w:val="FFFFFF"/></w:rPr><w:t>{f.inflated}</w:t>',
            )
        ),
        "zero_width": body(lambda x: replace(x, shown, f"<w:t>{f.figure}{ZERO_WIDTH}[{f.ref}]</w:t>")),
        "duplicated_figure": body(duplicate_row),
        "edited_manifest": lambda data: docx_with(
            data, {manifest: lambda m: replace(m, f'"display": "{f.figure}"', f'"display": "{f.inflated}"', 1)}
        ),
        "metadata": lambda data: docx_with(data, {CORE_XML: lambda x: replace(x, "python-docx", "the Commission")}),
        "styles": lambda data: docx_with(data, {"word/styles.xml": lambda x: replace(x, "Noto Sans CJK SC", "Arial")}),
        "part_added": lambda data: docx_with(data, {}, {"customXml/notes.xml": f"<n>{f.inflated}</n>".encode()}),
        "zip_comment": lambda data: docx_with(data, {}, comment=f.inflated.encode("ascii")),
    }


DOCX_FORGERIES = [
    "hidden_text",
    "title",
    "label_swap",
    "unit_change",
    "white_on_white",
    "zero_width",
    "duplicated_figure",
    "edited_manifest",
    "metadata",
    "styles",
    "part_added",
    "zip_comment",
]


@pytest.mark.parametrize("forgery", DOCX_FORGERIES)
def test_docx_forgery_fails(genuine, facts, private, forgery):
    forged = docx_forgeries(facts)[forgery](genuine["docx"])
    assert document.canonical(forged, "docx") != document.canonical(genuine["docx"], "docx")
    assert verdict(forged, "docx", private.public_key()) == "altered"


def test_genuine_docx_passes_even_repacked(genuine, private):
    """The signature covers the members' bytes, not how the zip stores them."""
    assert verdict(genuine["docx"], "docx", private.public_key()) == "valid"
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(genuine["docx"])) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for name in reversed(source.namelist()):
            target.writestr(name, source.read(name))
    assert verdict(out.getvalue(), "docx", private.public_key()) == "valid"


def test_docx_resigned_with_another_key_fails(genuine, facts, private, other_key):
    forged = docx_forgeries(facts)["label_swap"](genuine["docx"])
    assert verdict(document.embed(forged, "docx", other_key), "docx", private.public_key()) == "another_key"


def test_docx_signature_removed_or_doubled_fails(genuine, unsigned, private):
    public = private.public_key()
    assert verdict(unsigned["docx"], "docx", public) == "unsigned"
    signature = document.DOCX_SIGNATURE_PART.lstrip("/")
    with zipfile.ZipFile(io.BytesIO(genuine["docx"])) as source:
        block = source.read(signature)
    assert verdict(docx_with(unsigned["docx"], {}, {signature: block}), "docx", public) == "malformed"


# ---------------------------------------------------------------- PDF


def pdf_incremental(data: bytes, edit: Callable) -> bytes:
    """A revision appended to the signed PDF, as an editor keeping the signed revision does."""
    from pypdf import PdfWriter

    writer = PdfWriter(io.BytesIO(data), incremental=True)
    edit(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_rewritten(data: bytes, edit: Callable) -> bytes:
    """The signed PDF rewritten whole with an edit, its signature dictionary carried over."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    edit(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _draw(operators: str) -> Callable:
    """Append drawing operators to the first page, with Helvetica as /FForged."""

    def edit(writer) -> None:
        from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

        page = writer.pages[0]
        fonts = page["/Resources"]["/Font"]
        fonts[NameObject("/FForged")] = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
        stream = DecodedStreamObject()
        stream.set_data(page.get_contents().get_data() + operators.encode("latin-1"))
        page.replace_contents(stream)

    return edit


def _edit_content(change: Callable[[bytes, list[bytes]], bytes]) -> Callable:
    """Edit the first page's content stream, given its text-showing operands (glyph runs)."""

    def edit(writer) -> None:
        from pypdf.generic import DecodedStreamObject

        page = writer.pages[0]
        content = page.get_contents().get_data()
        runs = list(dict.fromkeys(re.findall(rb"\[[^\]]*\]\s*TJ", content)))
        assert len(runs) > 3
        stream = DecodedStreamObject()
        stream.set_data(change(content, runs))
        page.replace_contents(stream)

    return edit


def _swap_runs(content: bytes, runs: list[bytes]) -> bytes:
    a, b = runs[1], runs[2]
    return content.replace(a, b"\0").replace(b, a).replace(b"\0", b)


def _edit_manifest(change: Callable[[str], str]) -> Callable:
    def edit(writer) -> None:
        from pypdf.generic import NumberObject

        attachment = next(a for a in writer.attachment_list if a.name == document.MANIFEST_NAME)
        blob = change(attachment.content.decode("utf-8")).encode("utf-8")
        attachment.content = blob
        attachment.size = NumberObject(len(blob))

    return edit


def pdf_forgeries(f: Facts) -> dict[str, Callable[[bytes], bytes]]:
    at = "1 0 0 -1 80 120 Tm"
    manifest_figure = f'"display": "{f.figure}"'
    return {
        "hidden_text": lambda d: pdf_incremental(d, _draw(f"BT /FForged 9 Tf 3 Tr {at} ({f.figure}) Tj ET")),
        "title": lambda d: pdf_incremental(d, lambda w: w.add_metadata({"/Title": f"{f.title} {f.figure}"})),
        "label_swap": lambda d: pdf_rewritten(d, _edit_content(_swap_runs)),
        "unit_change": lambda d: pdf_rewritten(d, _edit_content(lambda c, runs: c.replace(runs[3], runs[1], 1))),
        "white_on_white": lambda d: pdf_incremental(
            d, _draw(f"q 1 1 1 rg 60 100 200 30 re f BT /FForged 9 Tf {at} ({f.inflated}) Tj ET Q")
        ),
        "zero_width": lambda d: pdf_incremental(
            d, _edit_manifest(lambda m: replace(m, manifest_figure, f'"display": "{f.figure}{ZERO_WIDTH}"', 1))
        ),
        "duplicated_figure": lambda d: pdf_rewritten(d, lambda w: w.add_page(w.pages[0])),
        "edited_manifest": lambda d: pdf_rewritten(
            d, _edit_manifest(lambda m: replace(m, manifest_figure, f'"display": "{f.inflated}"', 1))
        ),
        "metadata": lambda d: d.replace(b"/Producer (W", b"/Producer (X", 1),
        "style": lambda d: pdf_rewritten(
            d, _edit_content(lambda c, runs: replace_bytes(c, b"0.623529 0.698039 0.768627 rg", b"1 1 1 rg"))
        ),
        "text_in_place": lambda d: pdf_incremental(d, _edit_content(_swap_runs)),
    }


def replace_bytes(data: bytes, old: bytes, new: bytes) -> bytes:
    assert old in data, old
    return data.replace(old, new)


# What each PDF forgery comes to: a revision appended after the signature (the signed revision
# intact), or a file whose signed bytes changed.
PDF_FORGERIES = {
    "hidden_text": "updated_after_signing",
    "title": "updated_after_signing",
    "label_swap": "altered",
    "unit_change": "altered",
    "white_on_white": "updated_after_signing",
    "zero_width": "updated_after_signing",
    "duplicated_figure": "altered",
    "edited_manifest": "altered",
    "metadata": "altered",
    "style": "altered",
    "text_in_place": "updated_after_signing",
}


@pytest.mark.parametrize("forgery", PDF_FORGERIES)
def test_pdf_forgery_fails(genuine, facts, private, forgery):
    forged = pdf_forgeries(facts)[forgery](genuine["pdf"])
    assert forged != genuine["pdf"]
    assert verdict(forged, "pdf", private.public_key()) == PDF_FORGERIES[forgery]


def test_genuine_pdf_passes(genuine, private):
    assert verdict(genuine["pdf"], "pdf", private.public_key()) == "valid"


def test_pdf_with_bytes_after_the_signed_end_fails(genuine, facts, private):
    appended = genuine["pdf"] + f"\n% {facts.inflated}\n".encode("ascii")
    assert verdict(appended, "pdf", private.public_key()) == "updated_after_signing"


def test_pdf_resigned_with_another_key_fails(genuine, unsigned, facts, private, other_key):
    public = private.public_key()
    assert verdict(unsigned["pdf"], "pdf", public) == "unsigned"
    forged = pdf_forgeries(facts)["edited_manifest"](unsigned["pdf"])
    assert verdict(document.embed(forged, "pdf", other_key), "pdf", public) == "another_key"
    # The genuine briefing signed over again, by another key: a revision after the signature.
    assert verdict(countersigned(genuine["pdf"], other_key), "pdf", public) == "updated_after_signing"


def countersigned(data: bytes, key) -> bytes:
    """A second PAdES signature by `key`, in a field of its own, appended to the signed PDF."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    meta = signers.PdfSignatureMetadata(field_name="countersignature")
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    return bytes(signers.sign_pdf(writer, meta, signer=document.pdf_signer(key)).getvalue())


# ---------------------------------------------------------------- every format


def test_every_verdict_is_told_in_every_language():
    for name in signing.VERDICTS:
        texts = {lang: i18n.t(f"verdict_{name}", lang) for lang in LANGUAGES}
        assert len(set(texts.values())) == len(LANGUAGES), name


@pytest.mark.parametrize("fmt", ["pdf", "docx"])  # HTML: through the CLI, below
def test_verify_refuses_a_forgery_with_a_translated_reason(demo_path, genuine, facts, private, tmp_path, fmt):
    forge = {"docx": docx_forgeries(facts)["unit_change"], "pdf": pdf_forgeries(facts)["title"]}
    path = tmp_path / f"forged.{fmt}"
    path.write_bytes(forge[fmt](genuine[fmt]))
    with open_store(demo_path, read_only=True) as store:
        result = verify(store, path, private.public_key(), lang="zh")
    expected = "updated_after_signing" if fmt == "pdf" else "altered"
    assert not result.holds and result.format == fmt and result.signature == expected
    assert result.reason == i18n.t(f"verdict_{expected}", "zh")
    assert result.figures_checked == len(facts_ids(genuine, fmt)) and not result.changed  # the data did not change


def facts_ids(genuine: dict[str, bytes], fmt: str) -> list[str]:
    manifest = document.read_manifest(genuine[fmt], fmt, fmt)
    assert manifest is not None
    return [f["id"] for f in manifest["figures"]]


def test_cli_tells_the_forgery_in_the_users_language(cli, demo_path, genuine, facts, key, tmp_path, monkeypatch):
    forged = tmp_path / "forged.html"
    forged.write_bytes(html_forgeries(facts)["hidden_text"](genuine["html"].decode("utf-8")).encode("utf-8"))
    monkeypatch.setenv(LANG_ENV, "fr")
    result = cli("brief", "verify", forged, "--db", demo_path, "--key", f"{key}.pub", "--json")
    assert result.exit_code == 1
    answer = json.loads(result.stdout)
    assert answer["signature"] == "altered" and answer["reason"] == i18n.t("verdict_altered", "fr")
