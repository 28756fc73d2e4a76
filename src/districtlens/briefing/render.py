"""Writing a briefing: figures computed once, a signed manifest, then HTML, PDF or DOCX.

HTML comes from one Jinja2 template for all languages; the PDF is that HTML laid out by
WeasyPrint (fonts subset and embedded, Noto Sans CJK for Chinese) with the manifest attached as
an embedded file; the DOCX (python-docx) carries the same sections and figures as tables, and
the manifest as a package part. Each visible figure is printed as `value[Fn]`, Fn pointing to the
appendix row that gives its definition, parameters and sources.
"""

from __future__ import annotations

import importlib
import io
import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from districtlens.areas import resolve_area
from districtlens.briefing import charts, i18n, signing
from districtlens.briefing.figures import SECTIONS, Figure, compute_all, definition, plan
from districtlens.claims.compute import Session, district_of
from districtlens.errors import NotFound
from districtlens.store import ledger, places
from districtlens.store.db import Store

FORMATS = ("html", "pdf", "docx")
MANIFEST_FORMAT = "districtlens-briefing/1"
MANIFEST_NAME = "districtlens-manifest.json"
DOCX_MANIFEST_PART = "/customXml/districtlens-manifest.json"
DOCX_MANIFEST_REL = "https://districtlens.org/relationships/briefing-manifest"


class BriefingError(ValueError):
    """A briefing that cannot be written (unknown area or language), said plainly."""


@dataclass
class Briefing:
    area: str
    lang: str
    area_name: str
    generated_at: datetime
    head: str
    synthetic: bool
    year: int | None
    figures: list[Figure]
    signed: dict[str, Any]

    def figures_json(self) -> list[dict[str, Any]]:
        return [{"id": f.id, "ref": f.ref, "value": f.value, "display": f.display(self.lang)} for f in self.figures]


def area_name(store: Store, session: Session, area: str, lang: str) -> str:
    district = district_of(session, area)
    if area == district:
        row = store.con.execute(
            "SELECT name_zh, name_en, name_fr FROM district_pack WHERE district_adcode = ? LIMIT 1", [district]
        ).fetchone()
    else:
        row = store.con.execute("SELECT name_zh, name_en, name_fr FROM zone WHERE zone_id = ?", [area]).fetchone()
    if row:
        return dict(zip(i18n.LANGUAGES, row, strict=True))[lang] or row[1] or area
    return resolve_area(area, places.zones(store), places.district_names(store)).label


def build(store: Store, area: str, lang: str, key_file: Path | None,
          figures: list[Figure] | None = None) -> Briefing:
    """Compute the figures of `area` (or take `figures`, computed for `area` by `compute_figures`)
    and sign them. Raises BriefingError, signing.SigningKeyError."""
    if lang not in i18n.LANGUAGES:
        raise BriefingError(f"--lang must be one of {', '.join(i18n.LANGUAGES)}")
    key = signing.load_private(signing.key_path(key_file))
    session = Session(store)
    try:
        resolve_area(area, places.zones(store), places.district_names(store))
        name = area_name(store, session, area, lang)
    except (NotFound, LookupError) as exc:
        raise BriefingError(str(exc)) from exc
    if figures is None:
        figures = compute_figures(store, area, session)
    head = ledger.head(store.con)
    synthetic = bool(store.con.execute(
        "SELECT coalesce(bool_or(synthetic), false) FROM enterprise_current").fetchone()[0])
    generated = datetime.now(UTC).replace(microsecond=0)
    year = next((f.query["years"][0] for f in figures if f.id == "headline.revenue"), None)
    manifest = {
        "format": MANIFEST_FORMAT, "area": area, "lang": lang, "generated_at": generated.isoformat(),
        "ledger_head": head, "synthetic_data": synthetic,
        "figures": [
            {"id": f.id, "ref": f.ref, "definition": definition(f.query, lang), "parameters": f.query,
             "value": f.value, "display": f.display(lang), "sources": f.sources}
            for f in figures
        ],
    }
    return Briefing(area, lang, name, generated, head, synthetic, year, figures, signing.sign(manifest, key))


def compute_figures(store: Store, area: str, session: Session | None = None) -> list[Figure]:
    """The briefing's figures for `area`, computed once for any number of languages."""
    session = session or Session(store)
    try:
        return compute_all(session, plan(session, area))
    except LookupError as exc:
        raise BriefingError(str(exc)) from exc


def _context(b: Briefing) -> dict[str, Any]:
    lang = b.lang

    def row(f: Figure) -> dict[str, Any]:
        return {"ref": f.ref, "shown": f.display(lang), "text": f.label[lang], "figure": f}

    sections = {s: [row(f) for f in b.figures if f.section == s] for s in SECTIONS}
    by_id = {f.id: row(f) for f in b.figures}
    track_rows = []
    for f in b.figures:
        if f.section == "tracks" and f.id.endswith(".enterprises"):
            track_rows.append({"label": f.label[lang], "enterprises": by_id[f.id],
                               "revenue": by_id.get(f.id.removesuffix(".enterprises") + ".revenue")})
    zone_rows = [{"label": f.label[lang], "figure": by_id[f.id]}
                 for f in b.figures if f.section == "zones"]
    chart_rows = [(r["label"], float(r["enterprises"]["figure"].value or 0), r["enterprises"]["shown"])
                  for r in track_rows]
    return {
        "lang": lang, "area_name": b.area_name, "generated": i18n.day(b.generated_at, lang), "head": b.head,
        "synthetic": b.synthetic, "year": b.year or "", "sections": sections, "track_rows": track_rows,
        "zone_rows": zone_rows,
        "track_chart": charts.bar_chart(chart_rows, i18n.t("chart_tracks", lang)) if chart_rows else "",
        "map_svg": charts.district_map(b.area[:6], i18n.t("map_caption", lang, area=b.area_name), width=320),
        "figures": [{"ref": f["ref"], "definition": f["definition"],
                     "parameters": ledger.canonical(f["parameters"]),
                     "sources": "; ".join(f["sources"]) or i18n.t("none", lang)}
                    for f in b.signed["manifest"]["figures"]],
        "key_fingerprint": b.signed["manifest"]["key_fingerprint"],
        "manifest_json": json.dumps(b.signed, ensure_ascii=False, sort_keys=True).replace("</", "<\\/"),
    }


def _environment() -> Environment:
    return Environment(loader=PackageLoader("districtlens.briefing", "templates"), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def to_html(b: Briefing) -> str:
    template = _environment().get_template("briefing.html.j2")
    return template.render(t=lambda key, **p: i18n.t(key, b.lang, **p), **_context(b))


def to_pdf(b: Briefing) -> bytes:
    from weasyprint import HTML, Attachment

    manifest = Attachment(string=json.dumps(b.signed, ensure_ascii=False, sort_keys=True), name=MANIFEST_NAME,
                          description="districtlens signed briefing manifest")
    return HTML(string=to_html(b)).write_pdf(attachments=[manifest])


def to_docx(b: Briefing) -> bytes:
    import cairosvg
    from docx import Document
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.shared import Inches

    lang, ctx = b.lang, _context(b)
    t = lambda key, **p: i18n.t(key, lang, **p)  # noqa: E731
    doc = Document()
    doc.styles["Normal"].font.name = "Noto Sans CJK SC"
    doc.add_heading(t("title", area=b.area_name), 0)
    doc.add_paragraph(t("subtitle"))
    doc.add_paragraph(f"{t('generated')} {ctx['generated']} · {t('snapshot')} {b.head}")
    if b.synthetic:
        doc.add_paragraph(t("synthetic_warning"))
    doc.add_paragraph(t("how_to_read"))

    def shown(r: dict[str, Any]) -> str:
        return f"{r['shown']}[{r['ref']}]"

    def picture(svg: str, width) -> None:
        """The same SVG chart as the HTML and PDF, as a PNG (Word documents do not all read SVG)."""
        if svg:
            png = cairosvg.svg2png(bytestring=svg.encode("utf-8"), output_width=int(width.inches * 200))
            doc.add_picture(io.BytesIO(png), width=width)

    def table(header: list[str], rows: list[list[str]]) -> None:
        grid = doc.add_table(rows=1, cols=len(header))
        for cell, text in zip(grid.rows[0].cells, header, strict=True):
            cell.text = text
        for values in rows:
            cells = grid.add_row().cells
            for cell, text in zip(cells, values, strict=True):
                cell.text = text

    doc.add_heading(t("section_headline"), 1)
    table([t("value"), t("figure")], [[r["text"], shown(r)] for r in ctx["sections"]["headline"]])
    if ctx["map_svg"]:
        doc.add_heading(t("section_map"), 1)
        picture(ctx["map_svg"], Inches(3.3))
        doc.add_paragraph(t("map_caption", area=b.area_name))
    doc.add_heading(t("section_tracks"), 1)
    picture(ctx["track_chart"], Inches(6.3))
    table([t("track"), t("enterprises"), f"{t('revenue')} ({t('unit_wan_yuan')})"],
          [[r["label"], shown(r["enterprises"]), shown(r["revenue"]) if r["revenue"] else ""]
           for r in ctx["track_rows"]])
    doc.add_heading(t("section_zones"), 1)
    table([t("zone"), t("enterprises")], [[r["label"], shown(r["figure"])] for r in ctx["zone_rows"]])
    doc.add_heading(t("section_carriers"), 1)
    table([t("carrier_kind"), t("count")], [[r["text"], shown(r)] for r in ctx["sections"]["carriers"]])
    doc.add_heading(t("section_chains"), 1)
    for r in ctx["sections"]["chains"]:
        doc.add_paragraph(f"{r['text']} · {t('links_by_status')}: {shown(r)}")
    doc.add_heading(t("section_targets"), 1)
    for r in ctx["sections"]["targets"]:
        doc.add_paragraph(f"{r['text']} · {t('top_targets')}: {shown(r)}")
    doc.add_heading(t("section_claims"), 1)
    table([t("claim"), t("status")], [[r["text"], shown(r)] for r in ctx["sections"]["claims"]])
    doc.add_heading(t("section_appendix"), 1)
    table([t("figure"), t("definition"), t("parameters"), t("sources")],
          [[f["ref"], f["definition"], f["parameters"], f["sources"]] for f in ctx["figures"]])
    doc.add_paragraph(f"{t('signed_by')} {ctx['key_fingerprint']}")

    blob = json.dumps(b.signed, ensure_ascii=False, sort_keys=True).encode("utf-8")
    part = Part(PackURI(DOCX_MANIFEST_PART), "application/json", blob, doc.part.package)
    doc.part.relate_to(part, DOCX_MANIFEST_REL)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def make(store: Store, area: str, lang: str, fmt: str, out: Path, key_file: Path | None,
         timings: dict[str, float] | None = None) -> Briefing:
    """Build the briefing of `area` and write it to `out` as `fmt`: what `districtlens brief` does.
    `timings`, when given, receives figures_s and total_s."""
    if fmt not in FORMATS:
        raise BriefingError(f"--format must be one of {', '.join(FORMATS)}")
    started = time.perf_counter()
    if fmt == "pdf":
        # WeasyPrint takes half a second to import: done while the figures compute (they wait on
        # DuckDB and Polars, which release the interpreter), not after them.
        threading.Thread(target=importlib.import_module, args=("weasyprint",), daemon=True).start()
    briefing = build(store, area, lang, key_file)
    computed = time.perf_counter()
    write(briefing, fmt, out)
    if timings is not None:
        timings.update(figures_s=computed - started, total_s=time.perf_counter() - started)
    return briefing


def write(b: Briefing, fmt: str, out: Path) -> Path:
    if fmt not in FORMATS:
        raise BriefingError(f"--format must be one of {', '.join(FORMATS)}")
    data = to_html(b).encode("utf-8") if fmt == "html" else to_pdf(b) if fmt == "pdf" else to_docx(b)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return out
