"""One read of a store for many queries: what the evaluation of queries (compute) and the checking
of claims share.

A `Session` caches what several queries ask alike: the packs, the areas they name (resolved by the
one rule of `districtlens.areas`), the counts and totals of enterprise sets, the chain contexts.
`Computed` is a query's answer: its value and its evidence, or None and the reason. `query_for`
finds a claim's query definition.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

import polars as pl

from districtlens import i18n, refdata
from districtlens.areas import Area, Zone, resolve_area
from districtlens.claims.queries import load_queries, parse_query
from districtlens.errors import InputError
from districtlens.facts import FACT_COLUMNS
from districtlens.ingest.packs import Claim, Pack, PackError, load_pack, pack_dir
from districtlens.store import claims as claim_store
from districtlens.store import places
from districtlens.store.db import Store


class EnterpriseSet(NamedTuple):
    """Which enterprises: those of an area (its code, read from its column of enterprise_current),
    optionally of a track and carrying a tag. A tuple: the store takes it as its SQL parameters
    (`store.claims.SetKey`)."""

    column: str
    area: str
    track: str | None = None
    tag: str | None = None

    def describe(self) -> dict[str, Any]:
        return {k: v for k, v in (("area", self.area), ("track", self.track), ("tag", self.tag)) if v}


@dataclass(frozen=True)
class Reason:
    """Why a value is None: a message key and its values, said in the reader's language. A reason
    the pack gives (`not-computable`) comes as its own `texts` by language."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)

    def text(self, lang: str) -> str:
        if self.texts:
            return self.texts.get(lang) or self.texts["en"]
        return i18n.t(self.key, lang, **self.values)

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "values": self.values, "texts": self.texts}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Reason:
        return cls(raw["key"], dict(raw.get("values") or {}), dict(raw.get("texts") or {}))


GIVEN_REASON = "claims.reason.given"


@dataclass
class Computed:
    value: Any
    evidence: dict[str, Any]
    reason: Reason | None = None  # why the value is None
    lower: float | None = None
    upper: float | None = None


@dataclass
class Session:
    """One store read for many queries: caches what several queries share (packs, chain contexts)."""

    store: Store
    _chain_contexts: dict[str, Any] = field(default_factory=dict)
    chains: dict[tuple[str, str, int], Future[Any]] = field(default_factory=dict)
    # Chains prefetched but not yet started: the chain thread and the figures' thread take from it.
    chain_queue: list[tuple[str, str, int]] = field(default_factory=list)
    queue_lock: threading.Lock = field(default_factory=threading.Lock)
    # The area's context (its read of the city) is made once, by whichever thread comes first.
    chain_lock: threading.Lock = field(default_factory=threading.Lock)
    _claims: dict[str, dict[str, Any]] | None = None
    _areas: dict[str, Area] = field(default_factory=dict)
    _totals: dict[tuple[EnterpriseSet, tuple[int, ...]], dict[str, Any]] = field(default_factory=dict)
    _counts: dict[EnterpriseSet, dict[str, Any]] = field(default_factory=dict)
    _district_totals: dict[tuple[str | None, str | None, str], dict[tuple[str, int], float | None]] = field(
        default_factory=dict
    )

    @cached_property
    def head(self) -> str:
        return claim_store.head(self.store)

    @cached_property
    def packs(self) -> list[dict[str, Any]]:
        return claim_store.packs(self.store)

    @cached_property
    def zones(self) -> dict[str, Zone]:
        return places.zones(self.store)

    @cached_property
    def district_names(self) -> dict[str, dict[str, str | None]]:
        return places.district_names(self.store)

    def area(self, code: str) -> Area:
        """The area `code` names (a district, street or zone); NotFound when it names none."""
        if code not in self._areas:
            self._areas[code] = resolve_area(code, self.zones, self.district_names)
        return self._areas[code]

    def district_of(self, code: str) -> str:
        """The adcode of the district the area `code` lies in."""
        return self.area(code).district_adcode

    def enterprise_set(self, area: str, track: str | None = None, tag: str | None = None) -> EnterpriseSet:
        found = self.area(area)
        return EnterpriseSet(found.column, found.code, track, tag)

    def pack_row(self, district_adcode: str) -> dict[str, Any] | None:
        return next((p for p in self.packs if p["district_adcode"] == district_adcode), None)

    def pack(self, pack_id: str) -> Pack | None:
        """The pack as data (its named enterprises are not store tables), from where it was loaded."""
        row = next((p for p in self.packs if p["pack_id"] == pack_id), None)
        for where in (pack_id, row and row["file"]):
            if not where:
                continue
            try:
                return _load_pack_cached(str(pack_dir(where)))
            except PackError:
                continue
        return None

    def peers(self, area: str, among: str) -> list[str]:
        """The districts `among` names for the district of `area`: a peer group of its pack, or
        `city` (every district of its city)."""
        found = self.area(area)
        if among == "city":
            areas = refdata.areas()
            return sorted(areas.filter(pl.col("cityCode") == found.city_prefix)["code"].to_list())
        pack = self.pack_row(found.district_adcode)
        group = (pack or {}).get("peers", {}).get(among)
        if not group:
            raise LookupError(f"no peer group {among!r} for district {found.district_adcode}: load its pack")
        return list(group)

    def chain_context(self, area: str, store: Store | None = None) -> Any:
        """The chain context of `area` (read through `store`, the session's by default); the
        city's firms are read once for every area."""
        from districtlens.commands.chains import load_context

        if area not in self._chain_contexts:
            first = next(iter(self._chain_contexts.values()), None)
            self._chain_contexts[area] = load_context(
                store or self.store, area, city=first.city if first else None, year=first.year if first else None
            )
        return self._chain_contexts[area]

    @cached_property
    def aliases(self) -> dict[str, str]:
        """The alias table (`resolve.aliases`) presence figures match trade names through."""
        from districtlens.resolve.aliases import load_aliases

        return load_aliases()

    @cached_property
    def templates(self) -> dict[str, Any]:
        from districtlens.chains.templates import shipped_templates

        return shipped_templates()

    def totals(self, which: EnterpriseSet, column: str, years: list[int]) -> dict[str, Any]:
        """`claim_store.totals` of one set and column (read with every set `read_totals` was given)."""
        if column not in FACT_COLUMNS:
            raise InputError("claims.unknown_column", column=column, columns=", ".join(FACT_COLUMNS))
        if (which, tuple(years)) not in self._totals:
            self.read_totals([which], years)
        totals: dict[str, Any] = self._totals[(which, tuple(years))][column]
        return totals

    def read_totals(self, sets: list[EnterpriseSet], years: list[int]) -> None:
        for which, columns in claim_store.totals(self.store, sets, years).items():
            self._totals[(which, tuple(years))] = columns

    def count(self, which: EnterpriseSet) -> dict[str, Any]:
        """`claim_store.count_enterprises` of one set (read with every set `read_counts` was given)."""
        if which not in self._counts:
            self.read_counts([which])
        return self._counts[which]

    def read_counts(self, sets: list[EnterpriseSet]) -> None:
        self._counts.update(claim_store.count_enterprises(self.store, sets))

    def district_totals(
        self, which: EnterpriseSet, column: str, years: list[int], districts: list[str]
    ) -> dict[str, dict[int, float | None]]:
        """`claim_store.totals_by_district`, each (district, year) read once per session: a rank
        among the central districts reuses the one among the city's."""
        known = self._district_totals.setdefault((which.track, which.tag, column), {})
        missing = [d for d in districts if any((d, y) not in known for y in years)]
        if missing:
            for district, by_year in claim_store.totals_by_district(self.store, which, column, years, missing).items():
                known.update({(district, year): value for year, value in by_year.items()})
        return {d: {y: known[(d, y)] for y in years} for d in districts}

    def pack_claim(self, claim: dict[str, Any]) -> Claim | None:
        """The claim as its pack defines it (its kind, the facts typed from it), or None when the
        pack folder is not found."""
        pack = self.pack(claim["pack_id"])
        return next((c for c in pack.claims if c.id == claim["id"]), None) if pack else None

    def claim(self, claim_id: str) -> dict[str, Any] | None:
        if self._claims is None:
            self._claims = {c["id"]: c for c in claim_store.claims(self.store)}
        return self._claims.get(claim_id)


_PACKS: dict[str, Pack] = {}


def _load_pack_cached(folder: str) -> Pack:
    if folder not in _PACKS:
        _PACKS[folder] = load_pack(folder)
    return _PACKS[folder]


def provenance(session: Session, tables: list[str], **more: Any) -> dict[str, Any]:
    """What every answer says it read: the ledger head, the tables, and what `more` adds."""
    return {"ledger_head": session.head, "tables": tables, **more}


def query_for(session: Session, claim: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """(the claim's parsed query or None, where it came from): the claim row's own `query` when the
    pack carried one, else the pack folder's claim-queries.yaml."""
    area = claim["district_adcode"]
    if claim.get("query"):
        return parse_query(claim["query"], f"claim {claim['id']}", area), "claim table"
    pack = session.pack(claim["pack_id"])
    if pack is None:
        return None, "pack folder not found"
    queries = _pack_queries(str(pack.path), area)
    return queries.get(claim["id"]), str(pack.path / "claim-queries.yaml")


_QUERIES: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}


def _pack_queries(folder: str, area: str) -> dict[str, dict[str, Any]]:
    if (folder, area) not in _QUERIES:
        _QUERIES[(folder, area)] = load_queries(folder, area)
    return _QUERIES[(folder, area)]
