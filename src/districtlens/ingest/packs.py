"""District packs: a district's organisation (zones, carriers, tracks, enterprises, claims) as data.

A pack is a folder holding `pack.yaml` and optionally more `*.yaml` files (e.g. `claims.yaml`);
their top-level keys are merged (lists are concatenated, a scalar key may appear once).
`load_pack("jingan")` loads a pack shipped with districtlens; `load_pack(path)` loads any folder
or `pack.yaml`. Loading validates the whole pack and raises `PackError` listing every problem.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from districtlens import refdata
from districtlens.errors import InputError
from districtlens.i18n import LANGUAGES, t
from districtlens.store.ledger import canonical
from districtlens.store.packs import PackRows
from districtlens.yamltext import load_yaml

ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
ZONE_ROLES = {"core", "expansion", "support", "radiation"}
CARRIER_KINDS = {
    "university-science-park",
    "incubator",
    "maker-space",
    "cultural-creative-park",
    "rd-centre",
    "innovation-campus",
    "hi-tech-park",
    "innovation-community",
    "industry-cluster",
    "renewal-zone",
}
CARRIER_LEVELS = {"national", "municipal", "district"}
COMPARISONS = {"equal", "at-least", "about", "rank", "rising", "none"}
# A rank claim may be qualitative ("among the highest"); these need a number.
NUMERIC_COMPARISONS = {"equal", "at-least", "about"}
# What a claim is: a figure, a count of named things, a ranking (all three checkable), or a
# statement of intent (a plan, an orientation, a positioning: nothing to check).
CLAIM_KINDS = ("figure", "count", "ranking", "intent")
# `typed_into` names the pack facts typed from a claim, as `table:id` or `table:id.field`
# (carrier:shibei-hi-tech-park.area_km2): those facts are the claim's echo and never support it.
TYPED_TABLES = ("carrier", "enterprise", "zone", "track", "programme")


class PackError(InputError):
    """A pack that cannot be loaded; the message lists every problem found (`problems`)."""

    def __init__(self, where: str, problems: list[str]):
        self.problems = problems
        super().__init__("pack.invalid", pack=where, problems="\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class Names:
    zh: str
    en: str
    fr: str


@dataclass(frozen=True)
class District:
    adcode: str
    names: Names
    peers: dict[str, list[str]]


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    kind: str
    language: str
    date: date | None
    file: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Track:
    id: str
    names: Names
    classes: list[str]
    keywords: dict[str, list[str]]
    parent: str | None = None


@dataclass(frozen=True)
class Zone:
    id: str
    names: Names
    role: str
    orientation: list[str]
    orientation_note: str | None
    streets: list[str]
    streets_inferred: bool
    roads: list[str]
    polygon: dict[str, Any] | None = None
    lon: float | None = None
    lat: float | None = None
    lonlat_source: str | None = None


@dataclass(frozen=True)
class Carrier:
    id: str
    names: Names
    kind: str
    level: str | None = None
    zone: str | None = None
    district_adcode: str | None = None
    floor_space_m2: float | None = None
    floor_space: dict[str, float] = field(default_factory=dict)
    area_km2: float | None = None
    lon: float | None = None
    lat: float | None = None
    lonlat_source: str | None = None
    tracks: list[str] = field(default_factory=list)
    host_enterprise: str | None = None
    synthetic: bool = False
    note: str | None = None
    name_note: str | None = None


@dataclass(frozen=True)
class Enterprise:
    id: str
    names: Names
    tracks: list[str]
    facts: list[str]
    industry_code: str | None = None
    founded: int | None = None
    global500: str | None = None
    name_zh_verified: bool = True


@dataclass(frozen=True)
class Claim:
    id: str
    source: str
    subject: str
    quote: str
    quote_lang: str
    translations: dict[str, str]
    asserted: dict[str, Any] | None
    comparison: str
    query: dict[str, Any] | None = None
    kind: str = ""
    typed_into: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pack:
    id: str
    path: Path
    languages: list[str]
    district: District
    sources: list[Source]
    tracks: list[Track]
    zones: list[Zone]
    carriers: list[Carrier]
    enterprises: list[Enterprise]
    claims: list[Claim]

    def source(self, source_id: str) -> Source:
        return next(s for s in self.sources if s.id == source_id)


def pack_dir(name_or_path: str | Path) -> Path:
    """The folder of a pack: a shipped pack's name, a folder, or a `pack.yaml` file."""
    path = Path(name_or_path)
    if path.is_file():
        return path.parent
    if path.is_dir():
        return path
    if isinstance(name_or_path, str) and ID_PATTERN.match(name_or_path):
        shipped = Path(str(resources.files("districtlens.packs").joinpath(name_or_path)))
        if (shipped / "pack.yaml").is_file():
            return shipped
    raise PackError(
        str(name_or_path),
        ["no such pack: give a shipped pack's name or a folder holding pack.yaml"],
    )


def load_pack(name_or_path: str | Path) -> Pack:
    """Load and validate a pack; raise PackError naming every problem."""
    folder = pack_dir(name_or_path)
    raw = _read_documents(folder)
    problems: list[str] = []
    pack = _build(raw, folder, problems)
    if pack is not None:
        _validate(pack, problems)
    if problems or pack is None:  # _build gives no pack only with problems
        raise PackError(str(folder), problems)
    return pack


# --- reading --------------------------------------------------------------------------------


def _read_documents(folder: Path) -> dict[str, Any]:
    main = folder / "pack.yaml"
    if not main.is_file():
        raise PackError(str(folder), ["pack.yaml is missing"])
    merged: dict[str, Any] = {}
    problems = []
    for path in [main, *sorted(p for p in folder.glob("*.yaml") if p.name != "pack.yaml")]:
        try:
            doc = load_yaml(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            problems.append(f"{path.name}: not valid YAML ({exc})")
            continue
        if not isinstance(doc, dict):
            problems.append(f"{path.name}: the top level must be a mapping")
            continue
        for key, value in doc.items():
            if isinstance(value, list) and isinstance(merged.get(key, []), list):
                merged.setdefault(key, []).extend(value)
            elif key in merged:
                problems.append(f"{path.name}: key {key!r} is already given in another file")
            else:
                merged[key] = value
    if problems:
        raise PackError(str(folder), problems)
    return merged


def _names(raw: Any, where: str, problems: list[str], required=LANGUAGES) -> Names:
    raw = raw if isinstance(raw, dict) else {}
    for lang in required:
        if not isinstance(raw.get(lang), str) or not raw[lang].strip():
            problems.append(f"{where}: name in {lang!r} is missing")
    return Names(**{lang: str(raw.get(lang) or raw.get("en") or "") for lang in LANGUAGES})


def _code_list(values: Any) -> list[str]:
    return [str(v) for v in (values or [])]


def _build(raw: dict[str, Any], folder: Path, problems: list[str]) -> Pack | None:
    for key in ("pack_id", "district"):
        if key not in raw:
            problems.append(f"{key!r} is missing")
    if problems:
        return None
    district_raw = raw["district"]
    district = District(
        adcode=str(district_raw.get("adcode", "")),
        names=_names(district_raw.get("names"), "district", problems),
        peers={k: _code_list(v) for k, v in (district_raw.get("peers") or {}).items()},
    )
    sources = [
        Source(
            id=str(s.get("id", "")),
            title=str(s.get("title", "")).strip(),
            kind=str(s.get("kind", "")),
            language=str(s.get("language", "")),
            date=s.get("date"),
            file=s.get("file"),
            note=(s.get("note") or "").strip() or None,
        )
        for s in raw.get("sources", [])
    ]
    tracks = [
        Track(
            id=str(t.get("id", "")),
            names=_names(t.get("names"), f"track {t.get('id')}", problems),
            classes=_code_list(t.get("classes")),
            keywords={k: list(v or []) for k, v in (t.get("keywords") or {}).items()},
            parent=t.get("parent"),
        )
        for t in raw.get("tracks", [])
    ]
    zones = [
        Zone(
            id=str(z.get("id", "")),
            names=_names(z.get("names"), f"zone {z.get('id')}", problems),
            role=str(z.get("role", "")),
            orientation=list(z.get("orientation") or []),
            orientation_note=(z.get("orientation_note") or "").strip() or None,
            streets=_code_list(z.get("streets")),
            streets_inferred=bool(z.get("streets_inferred")),
            roads=list(z.get("roads") or []),
            polygon=z.get("polygon"),
            lon=z.get("lon"),
            lat=z.get("lat"),
            lonlat_source=z.get("lonlat_source"),
        )
        for z in raw.get("zones", [])
    ]
    carriers = []
    for c in raw.get("carriers", []):
        carriers.extend(_carriers(c, district.adcode, problems))
    enterprises = [
        Enterprise(
            id=str(e.get("id", "")),
            names=_names(e.get("names"), f"enterprise {e.get('id')}", problems, ("zh", "en")),
            tracks=list(e.get("tracks") or []),
            facts=[str(f) for f in e.get("facts") or []],
            industry_code=None if e.get("industry_code") is None else str(e["industry_code"]),
            founded=e.get("founded"),
            global500=e.get("global500"),
            name_zh_verified=bool(e.get("name_zh_verified", True)),
        )
        for e in raw.get("enterprises", [])
    ]
    claims = [
        Claim(
            id=str(c.get("id", "")),
            source=str(c.get("source", "")),
            subject=str(c.get("subject", "")),
            quote=str(c.get("quote") or ""),
            quote_lang=str(c.get("quote_lang", "")),
            translations=dict(c.get("translations") or {}),
            asserted=c.get("asserted"),
            comparison=str(c.get("comparison", "")),
            query=c.get("query"),
            kind=str(c.get("kind", "")),
            typed_into=tuple(str(t) for t in c.get("typed_into") or ()),
        )
        for c in raw.get("claims", [])
    ]
    return Pack(
        id=str(raw["pack_id"]),
        path=folder,
        languages=list(raw.get("languages") or []),
        district=district,
        sources=sources,
        tracks=tracks,
        zones=zones,
        carriers=carriers,
        enterprises=enterprises,
        claims=claims,
    )


def _carriers(raw: dict[str, Any], adcode: str, problems: list[str]) -> list[Carrier]:
    """One carrier, or `count` numbered placeholders when the source gives only a count."""
    # What every carrier of `raw` shares: each gets its own id and names.
    common = Carrier(
        id="",
        names=Names("", "", ""),
        kind=str(raw.get("kind", "")),
        level=raw.get("level"),
        zone=raw.get("zone"),
        district_adcode=str(raw.get("district_adcode") or adcode),
        floor_space_m2=raw.get("floor_space_m2"),
        floor_space=dict(raw.get("floor_space") or {}),
        area_km2=raw.get("area_km2"),
        lon=raw.get("lon"),
        lat=raw.get("lat"),
        lonlat_source=raw.get("lonlat_source"),
        tracks=list(raw.get("tracks") or []),
        host_enterprise=raw.get("host_enterprise"),
        synthetic=bool(raw.get("synthetic", False)),
        note=(raw.get("note") or "").strip() or None,
        name_note=(raw.get("name_note") or "").strip() or None,
    )
    if "count" not in raw:
        names = _names(raw.get("names"), f"carrier {raw.get('id')}", problems)
        return [replace(common, id=str(raw.get("id", "")), names=names)]
    count, prefix = raw.get("count"), str(raw.get("id_prefix", ""))
    if not isinstance(count, int) or count < 1 or not prefix:
        problems.append(f"carrier group {prefix or '?'}: needs a positive integer count and an id_prefix")
        return []
    if not common.synthetic:
        problems.append(f"carrier group {prefix}: placeholders for counted carriers must be synthetic: true")
    base = _names(raw.get("names"), f"carrier group {prefix}", problems)
    width = len(str(count))
    return [
        replace(
            common,
            id=f"{prefix}-{i:0{width}d}",
            names=Names(
                **{lang: t("pack.placeholder_carrier", lang, kind=getattr(base, lang), n=i) for lang in LANGUAGES}
            ),
        )
        for i in range(1, count + 1)
    ]


# --- validating -----------------------------------------------------------------------------


def _validate(pack: Pack, problems: list[str]) -> None:
    missing_langs = [lang for lang in LANGUAGES if lang not in pack.languages]
    if missing_langs:
        problems.append(f"languages must include {', '.join(LANGUAGES)} (missing: {', '.join(missing_langs)})")
    if not ID_PATTERN.match(pack.id):
        problems.append(f"pack_id {pack.id!r} is not lowercase-kebab")

    adcodes = set(refdata.areas()["code"].to_list())
    if pack.district.adcode not in adcodes:
        problems.append(f"district adcode {pack.district.adcode!r} is not a county-level division code")
    for group, codes in pack.district.peers.items():
        for code in codes:
            if code not in adcodes:
                problems.append(f"district peers {group}: {code!r} is not a county-level division code")

    kinds: dict[str, Sequence[Source | Track | Zone | Carrier | Enterprise | Claim]] = {
        "source": pack.sources,
        "track": pack.tracks,
        "zone": pack.zones,
        "carrier": pack.carriers,
        "enterprise": pack.enterprises,
        "claim": pack.claims,
    }
    ids: dict[str, set[str]] = {}
    for kind, items in kinds.items():
        seen: set[str] = set()
        for item in items:
            if not ID_PATTERN.match(item.id):
                problems.append(f"{kind} id {item.id!r} is not lowercase-kebab (a-z, 0-9, '-')")
            if item.id in seen:
                problems.append(f"{kind} id {item.id!r} is used twice")
            seen.add(item.id)
        ids[kind] = seen

    classes = refdata.gbt_class_codes()
    for track in pack.tracks:
        if not track.classes:
            problems.append(f"track {track.id}: no GB/T 4754-2017 classes")
        for code in track.classes:
            if code not in classes:
                problems.append(f"track {track.id}: {code!r} is not a GB/T 4754-2017 four-digit class")
        for lang in ("zh", "en"):
            if not track.keywords.get(lang):
                problems.append(f"track {track.id}: keywords in {lang!r} are missing")
        if track.parent is not None and track.parent not in ids["track"]:
            problems.append(f"track {track.id}: parent {track.parent!r} is not a track of this pack")

    streets = refdata.streets()
    district_streets = set(streets.filter(streets["areaCode"] == pack.district.adcode)["code"].to_list())
    zoned: dict[str, str] = {}
    for zone in pack.zones:
        if zone.role not in ZONE_ROLES:
            problems.append(f"zone {zone.id}: role {zone.role!r} is not one of {sorted(ZONE_ROLES)}")
        for track_id in zone.orientation:
            if track_id not in ids["track"]:
                problems.append(f"zone {zone.id}: orientation track {track_id!r} does not exist")
        for code in zone.streets:
            if code not in district_streets:
                problems.append(f"zone {zone.id}: street {code!r} is not a street of {pack.district.adcode}")
            elif code in zoned:
                problems.append(f"zone {zone.id}: street {code} is already in zone {zoned[code]}")
            zoned.setdefault(code, zone.id)

    for zone in pack.zones:
        _check_point(f"zone {zone.id}", zone.lon, zone.lat, zone.lonlat_source, problems)
    for carrier in pack.carriers:
        where = f"carrier {carrier.id}"
        _check_point(where, carrier.lon, carrier.lat, carrier.lonlat_source, problems)
        if carrier.kind not in CARRIER_KINDS:
            problems.append(f"{where}: kind {carrier.kind!r} is not one of {sorted(CARRIER_KINDS)}")
        if carrier.level is not None and carrier.level not in CARRIER_LEVELS:
            problems.append(f"{where}: level {carrier.level!r} is not one of {sorted(CARRIER_LEVELS)}")
        if carrier.zone is not None and carrier.zone not in ids["zone"]:
            problems.append(f"{where}: zone {carrier.zone!r} does not exist")
        if carrier.host_enterprise is not None and carrier.host_enterprise not in ids["enterprise"]:
            problems.append(f"{where}: host enterprise {carrier.host_enterprise!r} does not exist")
        for track_id in carrier.tracks:
            if track_id not in ids["track"]:
                problems.append(f"{where}: track {track_id!r} does not exist")

    for enterprise in pack.enterprises:
        for track_id in enterprise.tracks:
            if track_id not in ids["track"]:
                problems.append(f"enterprise {enterprise.id}: track {track_id!r} does not exist")
        if enterprise.industry_code is not None and enterprise.industry_code not in classes:
            problems.append(
                f"enterprise {enterprise.id}: {enterprise.industry_code!r} is not a GB/T 4754-2017 four-digit class"
            )

    subjects = {pack.id} | ids["track"] | ids["zone"] | ids["carrier"] | ids["enterprise"]
    for claim in pack.claims:
        where = f"claim {claim.id}"
        if not claim.quote.strip():
            problems.append(f"{where}: quote is empty")
        if claim.quote_lang not in LANGUAGES:
            problems.append(f"{where}: quote_lang {claim.quote_lang!r} is not one of {LANGUAGES}")
        for lang in LANGUAGES:
            if lang != claim.quote_lang and not str(claim.translations.get(lang) or "").strip():
                problems.append(f"{where}: translation in {lang!r} is missing")
        if claim.source not in ids["source"]:
            problems.append(f"{where}: source {claim.source!r} does not exist")
        if claim.subject not in subjects:
            problems.append(f"{where}: subject {claim.subject!r} is not the pack, a track, zone, carrier or enterprise")
        if claim.comparison not in COMPARISONS:
            problems.append(f"{where}: comparison {claim.comparison!r} is not one of {sorted(COMPARISONS)}")
        if claim.asserted is not None and not (isinstance(claim.asserted, dict) and "value" in claim.asserted):
            problems.append(f"{where}: asserted must be a mapping with a 'value'")
        elif claim.comparison in NUMERIC_COMPARISONS and (claim.asserted or {}).get("value") is None:
            problems.append(f"{where}: comparison {claim.comparison!r} needs an asserted value")
        if claim.kind not in CLAIM_KINDS:
            problems.append(f"{where}: kind {claim.kind!r} is not one of {list(CLAIM_KINDS)}")
        elif (claim.kind == "intent") != (claim.comparison == "none"):
            problems.append(f"{where}: a statement of intent, and only it, has comparison 'none'")
        for typed in claim.typed_into:
            table, _, rest = typed.partition(":")
            named = rest.split(".", 1)[0]
            if table not in TYPED_TABLES or not named:
                problems.append(f"{where}: typed_into {typed!r} is not table:id[.field], table one of {TYPED_TABLES}")
            elif table in ids and not any(
                known == named or (named.endswith("*") and known.startswith(named[:-1])) for known in ids[table]
            ):
                problems.append(f"{where}: typed_into {typed!r} names no {table} of the pack")


def _check_point(where: str, lon: Any, lat: Any, source: str | None, problems: list[str]) -> None:
    """A point is both coordinates (WGS84 degrees) with the public source that gives them, or none."""
    if lon is None and lat is None:
        return
    if not all(isinstance(v, int | float) for v in (lon, lat)):
        problems.append(f"{where}: lon and lat must both be numbers (or both left out)")
        return
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        problems.append(f"{where}: lon {lon}, lat {lat} is not a WGS84 point")
    if not (source or "").strip():
        problems.append(f"{where}: lon/lat need lonlat_source, the public source that gives them")


__all__ = [
    "Carrier",
    "Claim",
    "District",
    "Enterprise",
    "Names",
    "Pack",
    "PackError",
    "Source",
    "Track",
    "Zone",
    "load_pack",
    "pack_dir",
]


# --- as the store keeps it ----------------------------------------------------------------


def _json(value: Any) -> str | None:
    return None if value is None else canonical(value)


def pack_rows(pack: Pack) -> PackRows:
    """The pack as the store keeps it (store.packs.write_pack): its rows per table, columns in
    ledger.HASHED_TABLES order without ledger_seq."""
    adcode = pack.district.adcode
    district = [
        [
            pack.id,
            adcode,
            pack.district.names.zh,
            pack.district.names.en,
            pack.district.names.fr,
            _json(pack.district.peers),
        ]
    ]
    zones = [
        [
            z.id,
            pack.id,
            adcode,
            z.names.zh,
            z.names.en,
            z.names.fr,
            z.role,
            _json(z.orientation),
            z.orientation_note,
            _json(z.streets),
            _json(z.roads),
            _json(z.polygon),
            z.lon,
            z.lat,
        ]
        for z in pack.zones
    ]
    carriers = [
        [
            c.id,
            pack.id,
            c.names.zh,
            c.names.en,
            c.names.fr,
            c.kind,
            c.level,
            c.zone,
            c.district_adcode or adcode,
            c.floor_space_m2,
            c.area_km2,
            c.lon,
            c.lat,
            c.synthetic,
            c.note,
        ]
        for c in pack.carriers
    ]
    tracks = [
        [
            t.id,
            pack.id,
            t.names.zh,
            t.names.en,
            t.names.fr,
            _json(t.classes),
            _json(_keywords(t.keywords)),
        ]
        for t in pack.tracks
    ]
    claims = []
    for c in pack.claims:
        source = pack.source(c.source)
        claims.append(
            [
                c.id,
                pack.id,
                c.quote,
                c.quote_lang,
                _json(c.translations),
                source.title,
                source.date,
                c.subject,
                _json(c.asserted),
                c.comparison,
                _json(c.query),
            ]
        )
    rows: dict[str, list[list[Any]]] = {
        "district_pack": district,
        "zone": zones,
        "carrier": carriers,
        "track": tracks,
        "claim": claims,
    }
    return PackRows(pack.id, adcode, str(pack.path), _pack_digest(pack), rows)


def _keywords(by_language: dict[str, list[str]]) -> list[str]:
    """One list, Chinese first (business scopes are Chinese), without repeats."""
    ordered = [
        *by_language.get("zh", []),
        *by_language.get("en", []),
        *(w for lang, words in sorted(by_language.items()) if lang not in ("zh", "en") for w in words),
    ]
    return list(dict.fromkeys(ordered))


def _pack_digest(pack: Pack) -> str:
    digest = hashlib.sha256()
    for path in sorted(pack.path.glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
