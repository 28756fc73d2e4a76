"""A file (txt, md, html, docx, pdf) or pasted text as one plain text, and its SHA-256.

Offsets everywhere in `districtlens.reading` are character offsets into this text; its hash names
the document, so that a quote's span can be found again in the same extraction. Paragraphs are
separated by a blank line (docx paragraphs, html blocks, pdf pages), so that sentence splitting
never runs across them.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from districtlens.errors import InputError

FORMATS = ("txt", "md", "html", "docx", "pdf")
_SUFFIXES = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}
_SUFFIXES |= {".docx": "docx", ".pdf": "pdf"}


@dataclass(frozen=True)
class Document:
    name: str
    format: str
    text: str
    sha256: str  # of the text (UTF-8), which every offset refers to


def document(name: str, text: str, fmt: str = "txt") -> Document:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Document(name, fmt, text, hashlib.sha256(text.encode("utf-8")).hexdigest())


def format_of(name: str) -> str:
    fmt = _SUFFIXES.get(Path(name).suffix.lower())
    if fmt is None:
        raise InputError("reading.unknown_format", file=name, formats=", ".join(FORMATS))
    return fmt


def read_bytes(name: str, data: bytes, fmt: str | None = None) -> Document:
    """The text of a file's bytes; `fmt` defaults to what the name's suffix says."""
    fmt = fmt or format_of(name)
    try:
        if fmt == "docx":
            text = _docx_text(data)
        elif fmt == "pdf":
            text = _pdf_text(data)
        else:
            decoded = _decode(name, data)
            text = _html_text(decoded) if fmt == "html" else _markdown_text(decoded) if fmt == "md" else decoded
    except InputError:
        raise
    except Exception as exc:  # a damaged docx or pdf: the library says why
        raise InputError("reading.unreadable", file=name, reason=str(exc)) from exc
    return document(name, text, fmt)


def read_file(path: Path) -> Document:
    if not path.is_file():
        raise InputError("reading.no_file", file=str(path))
    return read_bytes(path.name, path.read_bytes())


def _decode(name: str, data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError("reading.not_text", file=name)


def _markdown_text(text: str) -> str:
    """Markdown without its markup (headings' #, emphasis, link targets), one line per line."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"^\s{0,3}(#{1,6}|>|[-*+]|\d+\.)\s+", "", text, flags=re.MULTILINE)
    return re.sub(r"(\*\*|__|\*|`)", "", text)


class _HtmlText(HTMLParser):
    BLOCKS = frozenset(
        [
            "p",
            "div",
            "br",
            "li",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "tr",
            "td",
            "th",
            "section",
            "article",
            "header",
            "footer",
            "title",
        ]
    )
    SKIPPED = frozenset({"script", "style", "noscript", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data))


def _html_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    return _paragraphs("".join(parser.parts).split("\n\n"))


def _paragraphs(parts: list[str]) -> str:
    return "\n\n".join(p.strip() for p in parts if p.strip())


def _docx_text(data: bytes) -> str:
    import docx

    doc = docx.Document(io.BytesIO(data))
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return _paragraphs([p.text for p in doc.paragraphs] + cells)


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return _paragraphs([page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages])
