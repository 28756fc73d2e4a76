"""Evaluating a query of the vocabulary (queries.py) on a store: its value and its evidence.

Every answer says what it read: the tables, the rows it counted (how many are synthetic), the
sources those rows came from, and the ledger head at the time, so that whoever reads the figure
can find the data that stood behind it. A value that the store cannot give is `None` with a
reason. `lower`/`upper` bound a value the data can only bracket (a list that covers part of a
top-N).
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import polars as pl

from districtlens import refdata
from districtlens.ingest.packs import Pack, PackError, load_pack, pack_dir
from districtlens.store import claims as claim_store
from districtlens.store.claims import EnterpriseSet
from districtlens.store.db import Store

# Targets are computed once per chain with this many kept; a query for fewer takes the head.
CHAIN_TOP = 10
CHAIN_KINDS = ("chain-health", "chain-targets")


@dataclass
class Computed:
    value: Any
    evidence: dict[str, Any]
    reason: str | None = None  # why the value is None
    lower: float | None = None
    upper: float | None = None


@dataclass
class Session:
    """One store read for many queries: caches what several queries share (packs, chain contexts)."""

    store: Store
    _chain_contexts: dict[str, Any] = field(default_factory=dict)
    chains: dict[tuple[str, str, int], Future] = field(default_factory=dict)
    # Chains prefetched but not yet started: the chain thread and the figures' thread take from it.
    chain_queue: list[tuple[str, str, int]] = field(default_factory=list)
    queue_lock: threading.Lock = field(default_factory=threading.Lock)
    # The area's context (its read of the city) is made once, by whichever thread comes first.
    chain_lock: threading.Lock = field(default_factory=threading.Lock)
    _claims: dict[str, dict[str, Any]] | None = None
    _totals: dict[tuple[EnterpriseSet, tuple[int, ...]], dict[str, Any]] = field(default_factory=dict)
    _counts: dict[EnterpriseSet, dict[str, Any]] = field(default_factory=dict)
    _district_totals: dict[tuple[str | None, str | None, str], dict[tuple[str, int], float | None]] = field(
        default_factory=dict)

    @cached_property
    def head(self) -> str:
        return claim_store.head(self.store)

    @cached_property
    def packs(self) -> list[dict[str, Any]]:
        return claim_store.packs(self.store)

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
        district = district_of(self, area)
        if among == "city":
            areas = refdata.areas()
            return sorted(areas.filter(pl.col("cityCode") == district[:4])["code"].to_list())
        pack = self.pack_row(district)
        group = (pack or {}).get("peers", {}).get(among)
        if not group:
            raise LookupError(f"no peer group {among!r} for district {district}: load its pack")
        return list(group)

    def chain_context(self, area: str, store: Store | None = None):
        """The chain context of `area` (read through `store`, the session's by default); the
        city's firms are read once for every area."""
        from districtlens.commands.chains import load_context

        if area not in self._chain_contexts:
            first = next(iter(self._chain_contexts.values()), None)
            self._chain_contexts[area] = load_context(
                store or self.store, area, city=first.city if first else None, year=first.year if first else None)
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
        if column not in claim_store.FACT_COLUMNS:
            raise claim_store.ClaimStoreError(
                f"no fact column {column!r}; one of {', '.join(claim_store.FACT_COLUMNS)}")
        if (which, tuple(years)) not in self._totals:
            self.read_totals([which], years)
        return self._totals[(which, tuple(years))][column]

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

    def district_totals(self, which: EnterpriseSet, column: str, years: list[int],
                        districts: list[str]) -> dict[str, dict[int, float | None]]:
        """`claim_store.totals_by_district`, each (district, year) read once per session: a rank
        among the central districts reuses the one among the city's."""
        known = self._district_totals.setdefault((which.track, which.tag, column), {})
        missing = [d for d in districts if any((d, y) not in known for y in years)]
        if missing:
            for district, by_year in claim_store.totals_by_district(
                    self.store, which, column, years, missing).items():
                known.update({(district, year): value for year, value in by_year.items()})
        return {d: {y: known[(d, y)] for y in years} for d in districts}

    def claim(self, claim_id: str) -> dict[str, Any] | None:
        if self._claims is None:
            self._claims = {c["id"]: c for c in claim_store.claims(self.store)}
        return self._claims.get(claim_id)


_PACKS: dict[str, Pack] = {}


def _load_pack_cached(folder: str) -> Pack:
    if folder not in _PACKS:
        _PACKS[folder] = load_pack(folder)
    return _PACKS[folder]


def district_of(session: Session, area: str) -> str:
    if area.isdigit() and len(area) >= 6:
        return area[:6]
    row = session.store.con.execute("SELECT district_adcode FROM zone WHERE zone_id = ?", [area]).fetchone()
    if row is None:
        raise LookupError(f"{area!r} is not a district, street or zone of the store")
    return row[0]


def _evidence(session: Session, tables: list[str], **more: Any) -> dict[str, Any]:
    return {"ledger_head": session.head, "tables": tables, **more}


def _set(query: dict[str, Any]) -> EnterpriseSet:
    return EnterpriseSet(query["area"], query.get("track"), query.get("tag"))


def enterprise_count(session: Session, q: dict[str, Any]) -> Computed:
    found = session.count(_set(q))
    return Computed(found["count"], _evidence(
        session, ["enterprise_current", "track"], set=_set(q).describe(), rows=found["count"],
        synthetic_rows=found["synthetic"], sources=found["sources"]))


def total(session: Session, q: dict[str, Any]) -> Computed:
    found = session.totals(_set(q), q["column"], q["years"])
    missing = [y for y, v in found["values"].items() if v is None]
    evidence = _evidence(session, ["enterprise_current", "fact_current", "track"], set=_set(q).describe(),
                         by_year=found["values"], reporting=found["reporting"],
                         synthetic_rows=found["synthetic"], sources=found["sources"])
    if missing:
        return Computed(None, evidence, f"no {q['column']} in the store for {', '.join(map(str, missing))}")
    return Computed(round(sum(found["values"].values()), 4), evidence)


def growth(session: Session, q: dict[str, Any]) -> Computed:
    found = session.totals(_set(q), q["column"], [q["from"], q["to"]])
    start, end = found["values"][q["from"]], found["values"][q["to"]]
    evidence = _evidence(session, ["enterprise_current", "fact_current", "track"], set=_set(q).describe(),
                         by_year=found["values"], synthetic_rows=found["synthetic"], sources=found["sources"])
    if not start or end is None:
        return Computed(None, evidence, f"no {q['column']} for {q['from']} or {q['to']}")
    return Computed(round(end / start - 1, 6), evidence)


def share(session: Session, q: dict[str, Any]) -> Computed:
    subset = EnterpriseSet(q["area"], q["set"].get("track"), q["set"].get("tag"))
    peers = session.peers(q["area"], q["among"])
    inside = session.count(subset)
    among = sum(claim_store.count_by_district(session.store, subset, peers).values())
    evidence = _evidence(session, ["enterprise_current", "track"], set=subset.describe(), among=peers,
                         area_rows=inside["count"], among_rows=among, synthetic_rows=inside["synthetic"],
                         sources=inside["sources"])
    if among == 0:
        return Computed(None, evidence, f"no enterprise of the set {subset.describe()} in {q['among']}")
    return Computed(round(inside["count"] / among, 6), evidence)


def rank(session: Session, q: dict[str, Any]) -> Computed:
    district = district_of(session, q["area"])
    peers = session.peers(q["area"], q["among"])
    measure = q["measure"]
    which = EnterpriseSet(district, measure.get("track"), measure.get("tag"))
    if measure["kind"] == "enterprise-count":
        values: dict[str, float | None] = dict(claim_store.count_by_district(session.store, which, peers))
    elif measure["kind"] == "total":
        by = session.district_totals(which, measure["column"], measure["years"], peers)
        values = {d: (None if any(v is None for v in ys.values()) else round(sum(ys.values()), 4))
                  for d, ys in by.items()}
    else:
        by = session.district_totals(which, measure["column"], [measure["from"], measure["to"]], peers)
        values = {d: (round(ys[measure["to"]] / ys[measure["from"]] - 1, 6)
                      if ys[measure["from"]] and ys[measure["to"]] is not None else None)
                  for d, ys in by.items()}
    evidence = _evidence(session, ["enterprise_current", "fact_current", "track"], measure=measure,
                         among=peers, values=values)
    if district not in values or values[district] is None:
        return Computed(None, evidence, f"no value of the measure for {district}")
    known = [v for v in values.values() if v is not None]
    evidence["ranked"] = len(known)
    return Computed(1 + sum(v > values[district] for v in known), evidence)


def _trade_keys(names: list[str], aliases: dict[str, str]) -> list[str | None]:
    from districtlens.resolve.aliases import alias_keys
    from districtlens.resolve.names import parse_names

    if not names:
        return []
    trades = parse_names(pl.Series(names, dtype=pl.String))["trade"]
    return alias_keys(trades, aliases).to_list()


def _present(session: Session, area: str, wanted: dict[str, list[str]]) -> dict[str, list[dict]]:
    """{wanted label: matching enterprises of the area}, by trade-name key through the alias table.

    `wanted` maps a label to its names (in any language); an enterprise matches when the key of
    its name or English name equals the key of one of them (AstraZeneca, 阿斯利康 and AstraZeneca
    Investment (China) Co., Ltd. share one key). One read of the store serves every label."""
    pairs = [(label, name) for label, names in wanted.items() for name in names if name]
    table = session.aliases
    keys = _trade_keys([name for _, name in pairs], table)
    # The prefilter looks for every spelling that maps to a wanted key (阿斯利康 for astrazeneca).
    spellings = {k for k in keys if k}
    spellings |= {alias for alias, canonical in table.items() if canonical in spellings}
    spellings |= {s.replace("and", "") for s in spellings if "and" in s}
    rows = claim_store.enterprises_matching(session.store, area, sorted(spellings))
    names = [r["name"] or "" for r in rows] + [r["name_en"] or "" for r in rows]
    row_keys = _trade_keys(names, table)
    found: dict[str, list[dict]] = {label: [] for label in wanted}
    by_key: dict[str, list[str]] = {}
    for (label, _), key in zip(pairs, keys, strict=True):
        if key and label not in by_key.setdefault(key, []):
            by_key[key].append(label)
    for i, row in enumerate(rows):
        for key in {row_keys[i], row_keys[len(rows) + i]} - {None}:
            for label in by_key.get(key, []):
                if row not in found[label]:
                    found[label].append(row)
    return found


def listed_presence(session: Session, q: dict[str, Any]) -> Computed:
    listed = refdata.global500_pharma() if q["list"] == "global500-pharma" else refdata.global500()
    covered = listed.head(q["top"])
    wanted = {f"{r['rank']} {r['company']}": [r["company"]] for r in covered.iter_rows(named=True)}
    found = _present(session, q["area"], wanted)
    present = sorted((label for label, rows in found.items() if rows), key=lambda s: int(s.split()[0]))
    uncovered = q["top"] - covered.height
    evidence = _evidence(
        session, ["enterprise_current", "refdata:fortune-global-500-2017"],
        list=q["list"], list_source="Fortune Global 500, 2017 (districtlens.refdata)",
        listed=covered.height, present=present,
        matched={label: [r["uscc"] for r in rows] for label, rows in found.items() if rows},
        synthetic_rows=sum(r["synthetic"] for rows in found.values() for r in rows),
        sources=claim_store.source_names(session.store, [r["source_id"] for rows in found.values() for r in rows]),
    )
    if uncovered > 0:
        evidence["uncovered"] = uncovered
        return Computed(len(present), evidence, lower=len(present), upper=len(present) + uncovered)
    return Computed(len(present), evidence)


def named_presence(session: Session, q: dict[str, Any]) -> Computed:
    district = district_of(session, q["area"])
    pack_row = session.pack_row(district)
    pack = session.pack(pack_row["pack_id"]) if pack_row else None
    if pack is None:
        return Computed(None, _evidence(session, []), "the pack naming the enterprises is not available")
    named = {e.id: e for e in pack.enterprises}
    unknown = [i for i in q["enterprises"] if i not in named]
    if unknown:
        return Computed(None, _evidence(session, []), f"the pack names no enterprise {', '.join(unknown)}")
    found = _present(session, q["area"], {i: [named[i].names.zh, named[i].names.en] for i in q["enterprises"]})
    present = [i for i in q["enterprises"] if found[i]]
    rows = [r for i in q["enterprises"] for r in found[i]]
    return Computed(len(present), _evidence(
        session, ["enterprise_current", f"pack:{pack.id}"], present=present,
        absent=[i for i in q["enterprises"] if i not in present],
        matched={i: sorted({r["uscc"] for r in found[i]}) for i in present},
        synthetic_rows=len({r["uscc"] for r in rows if r["synthetic"]}),
        sources=claim_store.source_names(session.store, [r["source_id"] for r in rows])))


def enterprise_attribute(session: Session, q: dict[str, Any]) -> Computed:
    district = district_of(session, q["area"])
    pack_row = session.pack_row(district)
    pack = session.pack(pack_row["pack_id"]) if pack_row else None
    named = {e.id: e for e in pack.enterprises} if pack else {}
    if q["enterprise"] not in named:
        return Computed(None, _evidence(session, []), f"no pack enterprise {q['enterprise']!r}")
    ent = named[q["enterprise"]]
    rows = _present(session, q["area"], {"e": [ent.names.zh, ent.names.en]})["e"]
    evidence = _evidence(session, ["enterprise_current"], matched=[r["uscc"] for r in rows],
                         synthetic_rows=sum(r["synthetic"] for r in rows),
                         sources=claim_store.source_names(session.store, [r["source_id"] for r in rows]))
    if len(rows) != 1 or rows[0]["founded"] is None:
        why = "not found in the area" if not rows else (
            "several enterprises match" if len(rows) > 1 else "its founding date is unknown")
        return Computed(None, evidence, f"{ent.names.en}: {why}")
    return Computed(rows[0]["founded"].year, evidence)


def _carrier_evidence(session: Session, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return _evidence(session, ["carrier"], carriers=[r["carrier_id"] for r in rows],
                     synthetic_rows=sum(bool(r["synthetic"]) for r in rows),
                     from_pack_load=sum(bool(r["pack_load"]) for r in rows),
                     sources=sorted({r["source_name"] for r in rows if r["source_name"]}))


def carrier_count(session: Session, q: dict[str, Any]) -> Computed:
    rows = claim_store.carriers(session.store, district_of(session, q["area"]), q.get("carrier_kind"),
                                q.get("level"))
    return Computed(len(rows), _carrier_evidence(session, rows))


def carrier_attribute(session: Session, q: dict[str, Any]) -> Computed:
    rows = claim_store.carriers(session.store, district_of(session, q["area"]), carrier_id=q["carrier"])
    evidence = _carrier_evidence(session, rows)
    if not rows or rows[0][q["attribute"]] is None:
        return Computed(None, evidence, f"the store has no {q['attribute']} for carrier {q['carrier']}")
    return Computed(rows[0][q["attribute"]], evidence)


def _template(session: Session, chain: str):
    if chain not in session.templates:
        raise LookupError(f"no chain template {chain!r}; known: {', '.join(session.templates)}")
    return session.templates[chain]


def _chain_key(q: dict[str, Any]) -> tuple[str, str, int]:
    """Targets are computed once per chain with CHAIN_TOP kept; a query for more asks for more."""
    return q["area"], q["chain"], max(q.get("top", 0), CHAIN_TOP)


def _compute_chain(session: Session, store: Store, key: tuple[str, str, int]):
    from districtlens.chains import report

    area, chain, top = key
    with session.chain_lock:
        context = session.chain_context(area, store)
    health, ranked = report.targets(context, _template(session, chain), top=top)
    return context, health, ranked


def _run_chain(session: Session, store: Store, key: tuple[str, str, int]) -> None:
    job = session.chains[key]
    try:
        job.set_result(_compute_chain(session, store, key))
    except Exception as exc:  # kept for every figure that asks for this chain
        job.set_exception(exc)


def _next_chain(session: Session) -> tuple[str, str, int] | None:
    with session.queue_lock:
        return session.chain_queue.pop(0) if session.chain_queue else None


def _chain(session: Session, q: dict[str, Any]):
    """(context, health, ranked targets) of a chain in an area, computed once per session:
    `report.targets` places the city's firms and judges the links on the way. While a prefetched
    chain is not ready, this thread computes the chains nobody has started (two cores, two chains)."""
    key = _chain_key(q)
    if key not in session.chains:
        session.chains[key] = Future()
        _run_chain(session, session.store, key)
    while not session.chains[key].done() and (waiting := _next_chain(session)) is not None:
        _run_chain(session, session.store, waiting)
    return session.chains[key].result()


def prefetch(session: Session, queries: list[dict[str, Any]]) -> None:
    """Read ahead what `queries` will ask: the chains start on a thread of their own
    (`prefetch_chains`); the enterprise counts and fact totals of all their sets are read in one
    query per list of years, and the district totals of their ranks in one query per measure,
    instead of one query per figure."""
    from districtlens.claims.evaluate import query_for

    expanded = []
    for q in queries:
        if q.get("kind") == "claim-status" and (claim := session.claim(q.get("claim", ""))) is not None:
            q = query_for(session, claim)[0] or {}
        expanded.append(q)
    prefetch_chains(session, expanded)
    known_tracks = {t["track_id"] for t in claim_store.tracks(session.store)}
    counted: list[EnterpriseSet] = []
    summed: dict[tuple[int, ...], list[EnterpriseSet]] = {}
    ranked: dict[tuple[EnterpriseSet, str], tuple[set[int], set[str]]] = {}
    for q in expanded:
        try:
            if q["kind"] == "rank" and q["measure"]["kind"] in ("total", "growth"):
                measure = q["measure"]
                which = EnterpriseSet(district_of(session, q["area"]), measure.get("track"), measure.get("tag"))
                wanted_years, wanted_districts = ranked.setdefault((which, measure["column"]), (set(), set()))
                wanted_years.update(
                    measure["years"] if measure["kind"] == "total" else (measure["from"], measure["to"]))
                wanted_districts.update(session.peers(q["area"], q["among"]))
            elif q["kind"] == "enterprise-count":
                counted.append(_set(q))
            elif q["kind"] == "share":
                counted.append(EnterpriseSet(q["area"], q["set"].get("track"), q["set"].get("tag")))
            elif q["kind"] in ("total", "growth"):
                years = tuple(q["years"]) if q["kind"] == "total" else (q["from"], q["to"])
                summed.setdefault(tuple(map(int, years)), []).append(_set(q))
        except (LookupError, TypeError, AttributeError, ValueError):
            continue  # a malformed query (a verified file's) is left to `compute`, which says why
    # A set of an unknown track is left to its figure, which then says why it has no value.
    session.read_counts([w for w in counted if w.track is None or w.track in known_tracks])
    for years, sets in summed.items():
        session.read_totals([w for w in sets if w.track is None or w.track in known_tracks], list(years))
    for (which, column), (years, districts) in ranked.items():
        if (which.track is None or which.track in known_tracks) and column in claim_store.FACT_COLUMNS:
            session.district_totals(which, column, sorted(years), sorted(districts))


def prefetch_chains(session: Session, queries: list[dict[str, Any]]) -> None:
    """Start computing, on a thread of its own with its own connection, every chain `queries`
    need: chains are Polars work and the other figures DuckDB work, so on a machine with spare
    cores the two overlap. `_chain` then takes the result, or helps with the chains not started."""
    keys = [_chain_key(q) for q in queries if q.get("kind") in CHAIN_KINDS and "area" in q and "chain" in q]
    keys = [k for k in dict.fromkeys(keys) if k not in session.chains]
    if not keys:
        return
    session.chains.update({key: Future() for key in keys})
    with session.queue_lock:
        session.chain_queue.extend(keys)

    def run() -> None:
        reader = session.store.reader()
        try:
            while (key := _next_chain(session)) is not None:
                _run_chain(session, reader, key)
        finally:
            reader.close()

    threading.Thread(target=run, name="districtlens-chains", daemon=True).start()


def chain_health(session: Session, q: dict[str, Any]) -> Computed:
    from districtlens.chains.health import STATUSES

    context, table, _ = _chain(session, q)
    counts = {s: int((table["status"] == s).sum()) for s in STATUSES}
    return Computed(counts, _evidence(
        session, ["enterprise_current", "fact_current", f"chain-template:{q['chain']}"],
        year=context.year, reference=context.reference_label,
        links={r["link_id"]: r["status"] for r in table.select("link_id", "status").iter_rows(named=True)}))


def chain_targets(session: Session, q: dict[str, Any]) -> Computed:
    context, _, ranked = _chain(session, q)
    ranked = ranked.head(q["top"])
    return Computed(ranked["name"].to_list(), _evidence(
        session, ["enterprise_current", "fact_current", f"chain-template:{q['chain']}"],
        year=context.year, uscc=ranked["uscc"].to_list()))


def claim_status(session: Session, q: dict[str, Any]) -> Computed:
    from districtlens.claims.evaluate import evaluate_claim, query_for

    claim = session.claim(q["claim"])
    if claim is None:
        return Computed(None, _evidence(session, ["claim"]), f"no claim {q['claim']!r} in the store")
    result = evaluate_claim(session, claim, query_for(session, claim))
    return Computed({"status": result.status, "computed": result.computed}, result.evidence)


def not_computable(session: Session, q: dict[str, Any]) -> Computed:
    return Computed(None, _evidence(session, []), q["reason"])


KINDS = {
    "enterprise-count": enterprise_count,
    "total": total,
    "growth": growth,
    "share": share,
    "rank": rank,
    "listed-presence": listed_presence,
    "named-presence": named_presence,
    "enterprise-attribute": enterprise_attribute,
    "carrier-count": carrier_count,
    "carrier-attribute": carrier_attribute,
    "chain-health": chain_health,
    "chain-targets": chain_targets,
    "claim-status": claim_status,
    "not-computable": not_computable,
}


def compute(session: Session, query: dict[str, Any]) -> Computed:
    """Evaluate a parsed query (queries.parse_query). A question the store cannot answer (an
    unknown track or peer group, a missing pack) gives value None and the reason."""
    try:
        return KINDS[query["kind"]](session, query)
    except (LookupError, claim_store.ClaimStoreError, ValueError) as exc:
        return Computed(None, _evidence(session, []), str(exc))
