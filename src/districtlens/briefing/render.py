"""Rendering a briefing: figures computed once, an unsigned manifest, then HTML, PDF or DOCX.

HTML comes from one Jinja2 template for all languages; the PDF is that HTML laid out by
WeasyPrint (fonts subset and embedded, Noto Sans CJK for Chinese) with the manifest attached as
an embedded file; the DOCX (python-docx) carries the same sections and figures as tables, and
the manifest as a package part. Each visible figure is printed as `value[Fn]`, Fn pointing to the
appendix row that gives its definition, parameters and sources.

The document carries its manifest, naming by fingerprint the key that is to sign it, and no
signature: whoever holds the private key signs the whole document (`document.embed`), so that
rendering needs no secret.
"""

from __future__ import annotations

import importlib
import io
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from districtlens.areas import Area
from districtlens.briefing import charts, document, i18n, scenario
from districtlens.briefing.figures import SECTIONS, Figure, compute_all, definition, plan
from districtlens.claims.session import Session
from districtlens.errors import InputError, UsageError
from districtlens.store import claims as claim_store
from districtlens.store import ledger
from districtlens.store.db import Store

MANIFEST_FORMAT = "districtlens-briefing/2"  # 2: the signature covers the whole document


@dataclass
class Briefing:
    area: str
    place: Area
    lang: str
    generated_at: datetime
    head: str
    synthetic: bool
    year: int | None
    figures: list[Figure]
    manifest: dict[str, Any]  # the figures as the document carries them

    @property
    def area_name(self) -> str:
        return self.place.name(self.lang)

    def figures_json(self) -> list[dict[str, Any]]:
        return [{"id": f.id, "ref": f.ref, "value": f.value, "display": f.display(self.lang)} for f in self.figures]


def build(
    store: Store,
    area: str,
    lang: str,
    key_fingerprint: str,
    figures: list[Figure] | None = None,
    scenarios: tuple[str, ...] = (),
) -> Briefing:
    """Compute the figures of `area`, citing the saved `scenarios` (or take `figures`, computed
    for `area` by `compute_figures`) and their manifest, to be signed by the key of
    `key_fingerprint`. Raises InputError for a language the briefings do not speak, NotFound for
    an area or a scenario that is none."""
    if lang not in i18n.LANGUAGES:
        raise InputError("brief.unknown_language", lang=lang, languages=", ".join(i18n.LANGUAGES))
    session = Session(store)
    place = session.area(area)
    if figures is None:
        figures = compute_figures(store, area, session, scenarios)
    head = claim_store.head(store)
    synthetic = claim_store.holds_synthetic(store)
    generated = datetime.now(UTC).replace(microsecond=0)
    year = next((f.query["years"][0] for f in figures if f.id == "headline.revenue"), None)
    manifest = {
        "format": MANIFEST_FORMAT,
        "area": area,
        "lang": lang,
        "generated_at": generated.isoformat(),
        "ledger_head": head,
        "synthetic_data": synthetic,
        "key_fingerprint": key_fingerprint,
        "figures": [
            {
                "id": f.id,
                "ref": f.ref,
                "definition": definition(f.query, lang, session),
                "parameters": f.query,
                "value": f.value,
                "display": f.display(lang),
                "sources": f.sources,
            }
            for f in figures
        ],
    }
    return Briefing(area, place, lang, generated, head, synthetic, year, figures, manifest)


def compute_figures(
    store: Store, area: str, session: Session | None = None, scenarios: tuple[str, ...] = ()
) -> list[Figure]:
    """The briefing's figures for `area` (citing the saved `scenarios`), computed once for any
    number of languages."""
    session = session or Session(store)
    return compute_all(session, plan(session, area, scenarios))


def _context(b: Briefing) -> dict[str, Any]:
    lang = b.lang

    def row(f: Figure) -> dict[str, Any]:
        return {"ref": f.ref, "shown": f.display(lang), "text": f.label[lang], "figure": f}

    sections = {s: [row(f) for f in b.figures if f.section == s] for s in SECTIONS}
    by_id = {f.id: row(f) for f in b.figures}
    track_rows: list[dict[str, Any]] = []
    for f in b.figures:
        if f.section == "tracks" and f.id.endswith(".enterprises"):
            track_rows.append(
                {
                    "label": f.label[lang],
                    "enterprises": by_id[f.id],
                    "revenue": by_id.get(f.id.removesuffix(".enterprises") + ".revenue"),
                }
            )
    zone_rows = [{"label": f.label[lang], "figure": by_id[f.id]} for f in b.figures if f.section == "zones"]
    scenario_blocks: dict[str, dict[str, Any]] = {}
    for f in b.figures:
        if f.section == "scenarios":
            q = f.query
            block = scenario_blocks.setdefault(
                q["scenario"],
                {
                    "title": i18n.t("scenario_title", lang, name=q["name"], scenario=q["scenario"]),
                    "adds": scenario.summary(q["definition"], lang),
                    "health": None,
                    "links": [],
                    "area": [],
                },
            )
            if q["measure"] == "health":
                block["health"] = by_id[f.id]
            else:
                block["links" if q["measure"] == "link" else "area"].append(by_id[f.id])
    chart_rows = [
        (r["label"], float(r["enterprises"]["figure"].value or 0), r["enterprises"]["shown"]) for r in track_rows
    ]
    return {
        "lang": lang,
        "area_name": b.area_name,
        "generated": i18n.day(b.generated_at, lang),
        "head": b.head,
        "synthetic": b.synthetic,
        "year": b.year or "",
        "sections": sections,
        "track_rows": track_rows,
        "zone_rows": zone_rows,
        "scenarios": list(scenario_blocks.values()),
        "track_chart": charts.bar_chart(chart_rows, i18n.t("chart_tracks", lang)) if chart_rows else "",
        # A zone has no polygon of its own: its briefing shows no map.
        "map_svg": ""
        if b.place.kind == "zone"
        else charts.district_map(b.place.district_adcode, i18n.t("map_caption", lang, area=b.area_name), width=320),
        "figures": [
            {
                "ref": f["ref"],
                "definition": f["definition"],
                "parameters": ledger.canonical(f["parameters"]),
                "sources": "; ".join(f["sources"]) or i18n.t("none", lang),
            }
            for f in b.manifest["figures"]
        ],
        "key_fingerprint": b.manifest["key_fingerprint"],
        "manifest_json": document.html_json(b.manifest),
    }


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("districtlens.briefing", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def to_html(b: Briefing) -> str:
    template = _environment().get_template("briefing.html.j2")
    return template.render(t=lambda key, **p: i18n.t(key, b.lang, **p), **_context(b))


def to_pdf(b: Briefing) -> bytes:
    from weasyprint import HTML, Attachment

    manifest = Attachment(
        string=document.manifest_json(b.manifest),
        name=document.MANIFEST_NAME,
        description=document.MANIFEST_DESCRIPTION,
    )
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
    table(
        [t("track"), t("enterprises"), f"{t('revenue')} ({t('unit_wan_yuan')})"],
        [[r["label"], shown(r["enterprises"]), shown(r["revenue"]) if r["revenue"] else ""] for r in ctx["track_rows"]],
    )
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
    if ctx["scenarios"]:
        doc.add_heading(t("section_scenarios"), 1)
        doc.add_paragraph(t("scenario_hypothetical"))
        for block in ctx["scenarios"]:
            doc.add_heading(block["title"], 2)
            doc.add_paragraph(block["adds"])
            doc.add_paragraph(f"{block['health']['text']} · {t('links_by_status')}: {shown(block['health'])}")
            table(
                [t("scenario_link_column"), t("scenario_before_after")], [[r["text"], shown(r)] for r in block["links"]]
            )
            table([t("scenario_measure"), t("scenario_before_after")], [[r["text"], shown(r)] for r in block["area"]])
    doc.add_heading(t("section_claims"), 1)
    table([t("claim"), t("status")], [[r["text"], shown(r)] for r in ctx["sections"]["claims"]])
    doc.add_heading(t("section_appendix"), 1)
    table(
        [t("figure"), t("definition"), t("parameters"), t("sources")],
        [[f["ref"], f["definition"], f["parameters"], f["sources"]] for f in ctx["figures"]],
    )
    doc.add_paragraph(f"{t('signed_by')} {ctx['key_fingerprint']}")

    blob = document.manifest_json(b.manifest).encode("utf-8")
    part = Part(PackURI(document.DOCX_MANIFEST_PART), "application/json", blob, doc.part.package)
    doc.part.relate_to(part, document.DOCX_MANIFEST_REL)
    # The signature's part is there, empty, before signing: what the signature covers
    # (content types, relationships) is then final.
    signature = Part(
        PackURI(document.DOCX_SIGNATURE_PART), "application/json", document.DOCX_UNSIGNED, doc.part.package
    )
    doc.part.relate_to(signature, document.DOCX_SIGNATURE_REL)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def check_format(fmt: str) -> None:
    if fmt not in document.FORMATS:
        raise UsageError("brief.unknown_format", format=fmt, formats=", ".join(document.FORMATS))


def to_document(b: Briefing, fmt: str) -> bytes:
    """The briefing as `fmt` (html, pdf or docx), unsigned."""
    check_format(fmt)
    return to_html(b).encode("utf-8") if fmt == "html" else to_pdf(b) if fmt == "pdf" else to_docx(b)


def render(
    store: Store,
    area: str,
    lang: str,
    fmt: str,
    key_fingerprint: str,
    timings: dict[str, float] | None = None,
    scenarios: tuple[str, ...] = (),
) -> tuple[Briefing, bytes]:
    """The briefing of `area`, citing the saved `scenarios`, and its document as `fmt`, to be
    signed by the key of `key_fingerprint`: what `districtlens brief` has computed for it.
    `timings`, when given, receives figures_s and total_s."""
    check_format(fmt)
    started = time.perf_counter()
    if fmt == "pdf":
        # WeasyPrint takes half a second to import: done while the figures compute (they wait on
        # DuckDB and Polars, which release the interpreter), not after them.
        threading.Thread(target=importlib.import_module, args=("weasyprint",), daemon=True).start()
    briefing = build(store, area, lang, key_fingerprint, scenarios=scenarios)
    computed = time.perf_counter()
    data = to_document(briefing, fmt)
    if timings is not None:
        timings.update(figures_s=computed - started, total_s=time.perf_counter() - started)
    return briefing, data
