"""Charts as SVG text, drawn from the figures (no plotting library: bars and polygons suffice).

`bar_chart` draws horizontal bars with their labels and displayed values; `district_map` draws
the city's districts from the shipped polygons (refdata.district_polygons) and fills the
briefing's district. Coordinates are projected equirectangularly with a cos(latitude) x-scale,
adequate at a city's extent.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

from districtlens import refdata

FONT = "Noto Sans CJK SC, Noto Sans, sans-serif"


def bar_chart(rows: list[tuple[str, float, str]], title: str, width: int = 640) -> str:
    """rows: (label, value, displayed value)."""
    bar_h, gap, label_w, value_w, top = 16, 6, 200, 90, 28
    height = top + len(rows) * (bar_h + gap) + 8
    biggest = max((v for _, v, _ in rows), default=0) or 1
    span = width - label_w - value_w - 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="11" role="img" '
        f'aria-label="{escape(title)}">',
        f'<text x="0" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    for i, (label, value, shown) in enumerate(rows):
        y = top + i * (bar_h + gap)
        w = max(0.0, span * value / biggest)
        parts.append(f'<text x="{label_w - 6}" y="{y + 12}" text-anchor="end">{escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="#2f6f9f"/>')
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 12}">{escape(shown)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry["type"] == "MultiPolygon":
        return [poly[0] for poly in geometry["coordinates"]]
    return []


def district_map(adcode: str, caption: str, width: int = 420) -> str:
    """The city's districts, `adcode` filled (`caption` labels it for screen readers); a district
    of a city without shipped polygons gives no map."""
    features = [
        f for f in refdata.district_polygons()["features"] if str(f["properties"].get("adcode", ""))[:4] == adcode[:4]
    ]
    rings = [(str(f["properties"]["adcode"]), ring) for f in features for ring in _rings(f["geometry"])]
    if not rings:
        return ""
    lons = [p[0] for _, r in rings for p in r]
    lats = [p[1] for _, r in rings for p in r]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    kx = math.cos(math.radians((south + north) / 2))
    span_x, span_y = (east - west) * kx, north - south
    scale = (width - 20) / max(span_x, span_y)
    height = int(span_y * scale) + 20

    def xy(p: list[float]) -> str:
        return f"{10 + (p[0] - west) * kx * scale:.1f},{10 + (north - p[1]) * scale:.1f}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="11" role="img" '
        f'aria-label="{escape(caption)}">'
    ]
    for code, ring in rings:
        fill = "#d9822b" if code == adcode else "#e6ecf2"
        parts.append(
            f'<polygon points="{" ".join(xy(p) for p in ring)}" fill="{fill}" stroke="#5b6b7a" stroke-width="0.6"/>'
        )
    parts.append("</svg>")
    return "".join(parts)
