"""Files to text, languages, sentences and figures, without a store."""

from __future__ import annotations

import io

import docx
import pytest

from districtlens.errors import InputError
from districtlens.reading import extract, figures, language, sentences


def _pdf(text: str) -> bytes:
    """A one-page PDF showing `text` in Helvetica, written by hand (no PDF writer needed)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def test_every_format_becomes_the_same_words():
    sentence = "Shibei Hi-tech Park covers 3.31 square kilometres."
    html = f"<html><head><style>p {{}}</style><script>var x = 1;</script></head><body><p>{sentence}</p></body></html>"
    document = docx.Document()
    document.add_paragraph(sentence)
    buffer = io.BytesIO()
    document.save(buffer)
    texts = {
        "a.txt": extract.read_bytes("a.txt", sentence.encode("utf-8")).text,
        "a.md": extract.read_bytes("a.md", f"# Title\n\n**{sentence}**".encode()).text,
        "a.html": extract.read_bytes("a.html", html.encode("utf-8")).text,
        "a.docx": extract.read_bytes("a.docx", buffer.getvalue()).text,
        "a.pdf": extract.read_bytes("a.pdf", _pdf(sentence)).text,
    }
    for name, text in texts.items():
        assert sentence in text, name
    assert "var x" not in texts["a.html"]
    assert "#" not in texts["a.md"] and "**" not in texts["a.md"]


def test_gb18030_text_is_decoded_and_unknown_formats_refused():
    assert extract.read_bytes("a.txt", "静安区".encode("gb18030")).text == "静安区"
    with pytest.raises(InputError) as refused:
        extract.read_bytes("a.xlsx", b"")
    assert refused.value.key == "reading.unknown_format"


def test_the_document_hash_names_the_text_offsets_refer_to():
    one = extract.document("a", "Un texte.\r\nDeux.")
    assert one.text == "Un texte.\nDeux."
    assert one.sha256 == extract.document("b", "Un texte.\nDeux.").sha256


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("静安区拥有4家国家级科技企业孵化器，AstraZeneca 在此设立研发中心。", "zh"),
        ("Le parc hi-tech de Shibei couvre une superficie de 3,31 kilomètres carrés.", "fr"),
        ("The district counts four national incubators and three maker spaces.", "en"),
    ],
)
def test_language(text, expected):
    assert language.detect(text) == expected


def test_sentences_keep_abbreviations_and_lines():
    text = "Bonjour, M. Wu ! Il a mené six actions. CASKO Signal Ltd. est leader.\nAnimateur :"
    spans = sentences.split(text, "fr")
    assert [text[s:e] for s, e in spans] == [
        "Bonjour, M. Wu !",
        "Il a mené six actions.",
        "CASKO Signal Ltd. est leader.",
        "Animateur :",
    ]
    zh = "静安区拥有4家孵化器。市北高新园区面积3.31平方公里！"
    assert [zh[s:e] for s, e in sentences.split(zh, "zh")] == [
        "静安区拥有4家孵化器。",
        "市北高新园区面积3.31平方公里！",
    ]


def _values(sentence: str, lang: str) -> list[tuple[float, str | None, str]]:
    return [(f.value, f.unit, f.comparison) for f in figures.find(sentence, lang)]


def test_french_figures():
    assert _values("14 des 50 plus grandes entreprises sont implantées à Jing’an.", "fr") == [
        (14.0, "entreprises", "equal")
    ]
    assert _values("Le district compte à lui seul un tiers des entreprises clés.", "fr") == [(0.3333, "share", "equal")]
    assert _values("Il couvre 3,31 kilomètres carrés et libérera 400 000 mètres carrés.", "fr") == [
        (3.31, "km²", "equal"),
        (400000.0, "m²", "equal"),
    ]
    assert _values("Elle se place au deuxième rang.", "fr") == [(2.0, "rank", "rank")]
    assert figures.find("Dans l’esprit du troisième plénum du Comité central.", "fr") == []  # which meeting
    assert _values("Plus de 31 % du marché ; une centaine d’entreprises.", "fr") == [
        (31.0, "%", "at-least"),
        (100.0, "entreprises", "about"),
    ]
    founded = figures.find("Fondée en 1986, elle détient plus de 31 % du marché.", "fr")
    assert [(f.value, f.kind) for f in founded] == [(1986.0, "year"), (31.0, "percent")]
    assert figures.find("Released on:2025-10-31 Views:", "fr") == []


def test_chinese_and_english_figures():
    assert _values("全区大数据企业超过200家，约占全市的三分之一。", "zh") == [
        (200.0, "家", "at-least"),
        (0.3333, "share", "about"),
    ]
    assert _values("营业收入达到1.5亿元，位居中心城区第二。", "zh") == [(1.5, "亿元", "equal"), (2.0, "rank", "rank")]
    assert _values("十余年来，国际科创社区将释放40万平方米办公空间。", "zh") == [
        (10.0, "years", "at-least"),
        (400000.0, "m²", "equal"),
    ]
    assert figures.zh_number("二十四") == 24 and figures.zh_number("两百") == 200
    assert _values("It holds a third of the key firms and ranks fifth.", "en") == [
        (0.3333, "share", "equal"),
        (5.0, "rank", "rank"),
    ]
    period = figures.find("Between 2021 and 2023 its revenue ranked second among central districts.", "en")
    assert [(f.value, f.period) for f in period] == [(2.0, (2021, 2023))]
