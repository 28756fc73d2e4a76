"""Evaluating a query of the vocabulary (queries.py) on a store, its value and its evidence; and
checking claims, each claim's query evaluated and judged (judge.py).

Every answer says what it read: the tables, the rows it counted (how many are synthetic), the
sources those rows came from, and the ledger head at the time, so that whoever reads the figure
can find the data that stood behind it. A value that the store cannot give is `None` with a
reason. `lower`/`upper` bound a value the data can only bracket (a list that covers part of a
top-N).
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from typing import Any

import polars as pl

from districtlens import refdata
from districtlens.claims.judge import ClaimResult, claim_result, intent_result
from districtlens.claims.session import GIVEN_REASON, Computed, EnterpriseSet, Reason, Session, provenance, query_for
from districtlens.errors import InputError, NotFound
from districtlens.facts import FACT_COLUMNS
from districtlens.store import claims as claim_store
from districtlens.store.db import Store

# Targets are computed once per chain with this many kept; a query for fewer takes the head.
CHAIN_TOP = 10
CHAIN_KINDS = ("chain-health", "chain-targets")


def _set(session: Session, query: dict[str, Any]) -> EnterpriseSet:
    return session.enterprise_set(query["area"], query.get("track"), query.get("tag"))


def enterprise_count(session: Session, q: dict[str, Any]) -> Computed:
    which = _set(session, q)
    found = session.count(which)
    return Computed(
        found["count"],
        provenance(
            session,
            ["enterprise_current", "track"],
            set=which.describe(),
            rows=found["count"],
            synthetic_rows=found["synthetic"],
            sources=found["sources"],
        ),
    )


def total(session: Session, q: dict[str, Any]) -> Computed:
    which = _set(session, q)
    found = session.totals(which, q["column"], q["years"])
    missing = [y for y, v in found["values"].items() if v is None]
    evidence = provenance(
        session,
        ["enterprise_current", "fact_current", "track"],
        set=which.describe(),
        by_year=found["values"],
        reporting=found["reporting"],
        synthetic_rows=found["synthetic"],
        sources=found["sources"],
    )
    if missing:
        return Computed(
            None,
            evidence,
            Reason("claims.reason.no_column_years", {"column": q["column"], "years": ", ".join(map(str, missing))}),
        )
    return Computed(round(sum(found["values"].values()), 4), evidence)


def growth(session: Session, q: dict[str, Any]) -> Computed:
    which = _set(session, q)
    # Every year between, so that the evidence shows each step (a claim of steady growth).
    found = session.totals(which, q["column"], list(range(q["from"], q["to"] + 1)))
    start, end = found["values"][q["from"]], found["values"][q["to"]]
    evidence = provenance(
        session,
        ["enterprise_current", "fact_current", "track"],
        set=which.describe(),
        by_year=found["values"],
        synthetic_rows=found["synthetic"],
        sources=found["sources"],
    )
    if not start or end is None:
        return Computed(
            None,
            evidence,
            Reason("claims.reason.no_column_ends", {"column": q["column"], "start": q["from"], "end": q["to"]}),
        )
    return Computed(round(end / start - 1, 6), evidence)


def share(session: Session, q: dict[str, Any]) -> Computed:
    subset = session.enterprise_set(q["area"], q["set"].get("track"), q["set"].get("tag"))
    peers = session.peers(q["area"], q["among"])
    inside = session.count(subset)
    among = sum(claim_store.count_by_district(session.store, subset, peers).values())
    evidence = provenance(
        session,
        ["enterprise_current", "track"],
        set=subset.describe(),
        among=peers,
        area_rows=inside["count"],
        among_rows=among,
        synthetic_rows=inside["synthetic"],
        sources=inside["sources"],
    )
    if among == 0:
        return Computed(
            None, evidence, Reason("claims.reason.empty_set", {"set": str(subset.describe()), "among": q["among"]})
        )
    return Computed(round(inside["count"] / among, 6), evidence)


def rank(session: Session, q: dict[str, Any]) -> Computed:
    district = session.district_of(q["area"])
    peers = session.peers(q["area"], q["among"])
    measure = q["measure"]
    which = EnterpriseSet("district_adcode", district, measure.get("track"), measure.get("tag"))
    if measure["kind"] == "enterprise-count":
        values: dict[str, float | None] = dict(claim_store.count_by_district(session.store, which, peers))
    elif measure["kind"] == "total":
        by = session.district_totals(which, measure["column"], measure["years"], peers)
        values = {d: _total(ys) for d, ys in by.items()}
    else:
        by = session.district_totals(which, measure["column"], [measure["from"], measure["to"]], peers)
        values = {d: _growth(ys, measure["from"], measure["to"]) for d, ys in by.items()}
    evidence = provenance(
        session, ["enterprise_current", "fact_current", "track"], measure=measure, among=peers, values=values
    )
    mine = values.get(district)
    if mine is None:
        return Computed(None, evidence, Reason("claims.reason.no_measure", {"area": district}))
    known = [v for v in values.values() if v is not None]
    evidence["ranked"] = len(known)
    return Computed(1 + sum(v > mine for v in known), evidence)


def _total(by_year: dict[int, float | None]) -> float | None:
    """The sum over the years, None when a year has no value."""
    known = [v for v in by_year.values() if v is not None]
    return None if len(known) < len(by_year) else round(sum(known), 4)


def _growth(by_year: dict[int, float | None], start: int, end: int) -> float | None:
    """The growth from `start` to `end`, None without both values (or with a start of 0)."""
    first = by_year[start]
    if not first:
        return None
    last = by_year[end]
    return None if last is None else round(last / first - 1, 6)


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
    where = session.area(area)
    rows = claim_store.enterprises_matching(session.store, where.column, where.code, sorted(spellings))
    names = [r["name"] or "" for r in rows] + [r["name_en"] or "" for r in rows]
    row_keys = _trade_keys(names, table)
    found: dict[str, list[dict]] = {label: [] for label in wanted}
    by_key: dict[str, list[str]] = {}
    for (label, _), key in zip(pairs, keys, strict=True):
        if key and label not in by_key.setdefault(key, []):
            by_key[key].append(label)
    for i, row in enumerate(rows):
        for key in {k for k in (row_keys[i], row_keys[len(rows) + i]) if k is not None}:
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
    evidence = provenance(
        session,
        ["enterprise_current", "refdata:fortune-global-500-2017"],
        list=q["list"],
        list_source="Fortune Global 500, 2017 (districtlens.refdata)",
        listed=covered.height,
        present=present,
        matched={label: [r["uscc"] for r in rows] for label, rows in found.items() if rows},
        synthetic_rows=sum(r["synthetic"] for rows in found.values() for r in rows),
        sources=claim_store.source_names(session.store, [r["source_id"] for rows in found.values() for r in rows]),
    )
    if uncovered > 0:
        evidence["uncovered"] = uncovered
        return Computed(len(present), evidence, lower=len(present), upper=len(present) + uncovered)
    return Computed(len(present), evidence)


def named_presence(session: Session, q: dict[str, Any]) -> Computed:
    district = session.district_of(q["area"])
    pack_row = session.pack_row(district)
    pack = session.pack(pack_row["pack_id"]) if pack_row else None
    if pack is None:
        return Computed(None, provenance(session, []), Reason("claims.reason.no_pack"))
    named = {e.id: e for e in pack.enterprises}
    unknown = [i for i in q["enterprises"] if i not in named]
    if unknown:
        return Computed(
            None,
            provenance(session, []),
            Reason("claims.reason.unknown_enterprises", {"enterprises": ", ".join(unknown)}),
        )
    found = _present(session, q["area"], {i: [named[i].names.zh, named[i].names.en] for i in q["enterprises"]})
    present = [i for i in q["enterprises"] if found[i]]
    rows = [r for i in q["enterprises"] for r in found[i]]
    return Computed(
        len(present),
        provenance(
            session,
            ["enterprise_current", f"pack:{pack.id}"],
            present=present,
            absent=[i for i in q["enterprises"] if i not in present],
            matched={i: sorted({r["uscc"] for r in found[i]}) for i in present},
            synthetic_only=[i for i in present if all(r["synthetic"] for r in found[i])],
            synthetic_rows=len({r["uscc"] for r in rows if r["synthetic"]}),
            sources=claim_store.source_names(session.store, [r["source_id"] for r in rows]),
        ),
    )


def enterprise_attribute(session: Session, q: dict[str, Any]) -> Computed:
    district = session.district_of(q["area"])
    pack_row = session.pack_row(district)
    pack = session.pack(pack_row["pack_id"]) if pack_row else None
    named = {e.id: e for e in pack.enterprises} if pack else {}
    if q["enterprise"] not in named:
        return Computed(
            None, provenance(session, []), Reason("claims.reason.unknown_enterprises", {"enterprises": q["enterprise"]})
        )
    ent = named[q["enterprise"]]
    rows = _present(session, q["area"], {"e": [ent.names.zh, ent.names.en]})["e"]
    evidence = provenance(
        session,
        ["enterprise_current"],
        enterprise=q["enterprise"],
        matched=[r["uscc"] for r in rows],
        synthetic_only=bool(rows) and all(r["synthetic"] for r in rows),
        synthetic_rows=sum(r["synthetic"] for r in rows),
        sources=claim_store.source_names(session.store, [r["source_id"] for r in rows]),
    )
    if len(rows) != 1 or rows[0]["founded"] is None:
        why = "not_found" if not rows else ("several" if len(rows) > 1 else "no_founding")
        return Computed(None, evidence, Reason(f"claims.reason.enterprise_{why}", {"enterprise": ent.names.zh}))
    return Computed(rows[0]["founded"].year, evidence)


def _carrier_evidence(session: Session, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return provenance(
        session,
        ["carrier"],
        carriers=[r["carrier_id"] for r in rows],
        synthetic_rows=sum(bool(r["synthetic"]) for r in rows),
        from_pack_load=sum(bool(r["pack_load"]) for r in rows),
        pack_loaded=[r["carrier_id"] for r in rows if r["pack_load"]],
        sources=sorted({r["source_name"] for r in rows if r["source_name"]}),
    )


def carrier_count(session: Session, q: dict[str, Any]) -> Computed:
    rows = claim_store.carriers(session.store, session.district_of(q["area"]), q.get("carrier_kind"), q.get("level"))
    return Computed(len(rows), _carrier_evidence(session, rows))


def carrier_attribute(session: Session, q: dict[str, Any]) -> Computed:
    rows = claim_store.carriers(session.store, session.district_of(q["area"]), carrier_id=q["carrier"])
    evidence = _carrier_evidence(session, rows)
    if not rows or rows[0][q["attribute"]] is None:
        return Computed(
            None,
            evidence,
            Reason("claims.reason.no_carrier_attribute", {"attribute": q["attribute"], "carrier": q["carrier"]}),
        )
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
                which = EnterpriseSet(
                    "district_adcode", session.district_of(q["area"]), measure.get("track"), measure.get("tag")
                )
                wanted_years, wanted_districts = ranked.setdefault((which, measure["column"]), (set(), set()))
                wanted_years.update(
                    measure["years"] if measure["kind"] == "total" else (measure["from"], measure["to"])
                )
                wanted_districts.update(session.peers(q["area"], q["among"]))
            elif q["kind"] == "enterprise-count":
                counted.append(_set(session, q))
            elif q["kind"] == "share":
                counted.append(session.enterprise_set(q["area"], q["set"].get("track"), q["set"].get("tag")))
            elif q["kind"] in ("total", "growth"):
                years = tuple(q["years"]) if q["kind"] == "total" else tuple(range(q["from"], q["to"] + 1))
                summed.setdefault(tuple(map(int, years)), []).append(_set(session, q))
        except (LookupError, TypeError, AttributeError, ValueError, InputError, NotFound):
            continue  # a malformed query (a verified file's) is left to `compute`, which says why
    # A set of an unknown track is left to its figure, which then says why it has no value.
    session.read_counts([w for w in counted if w.track is None or w.track in known_tracks])
    for years, sets in summed.items():
        session.read_totals([w for w in sets if w.track is None or w.track in known_tracks], list(years))
    for (which, column), (rank_years, districts) in ranked.items():
        if (which.track is None or which.track in known_tracks) and column in FACT_COLUMNS:
            session.district_totals(which, column, sorted(rank_years), sorted(districts))


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
    return Computed(
        counts,
        provenance(
            session,
            ["enterprise_current", "fact_current", f"chain-template:{q['chain']}"],
            year=context.year,
            reference=context.reference_label,
            links={r["link_id"]: r["status"] for r in table.select("link_id", "status").iter_rows(named=True)},
        ),
    )


def chain_targets(session: Session, q: dict[str, Any]) -> Computed:
    context, _, ranked = _chain(session, q)
    ranked = ranked.head(q["top"])
    return Computed(
        ranked["name"].to_list(),
        provenance(
            session,
            ["enterprise_current", "fact_current", f"chain-template:{q['chain']}"],
            year=context.year,
            uscc=ranked["uscc"].to_list(),
        ),
    )


def published(session: Session, q: dict[str, Any]) -> Computed:
    """A published statistic, read from the store's published-statistics table; a figure that
    covers part of what the claim counts (`covers: part`) bounds it from below only."""
    adcode = q.get("adcode") or session.district_of(q["area"])
    rows = claim_store.published_figures(session.store, adcode, q["indicator"])
    evidence = provenance(session, ["statistic_current"], indicator=q["indicator"], adcode=adcode)
    if rows is None:
        return Computed(None, evidence | {"no_data": "table"}, Reason("claims.reason.no_statistics"))
    rows = [r for r in rows if "year" not in q or str(r.get("year")) == str(q["year"])]
    if not rows:
        return Computed(
            None,
            evidence | {"no_data": "indicator"},
            Reason("claims.reason.no_indicator", {"indicator": q["indicator"]}),
        )
    row = rows[0]
    evidence |= {
        "published": {
            key: row.get(key)
            for key in ("year", "value", "unit", "source_url", "source_doc")
            if row.get(key) is not None
        },
        "published_note": row.get("note", row.get("yoy_or_note")),
        "covers": q["covers"],
    }
    value = float(row["value"])
    if "elapsed_to" in q:  # a published year, read as the years from it to `elapsed_to`
        value = float(q["elapsed_to"]) - value
        evidence |= {"elapsed": {"years": value, "to": q["elapsed_to"]}}
    if q["covers"] == "part":
        return Computed(value, evidence, lower=value, upper=float("inf"))
    return Computed(value, evidence)


def _division_prefix(adcode: str) -> str:
    """The leading digits every division code within `adcode` shares: 310000 -> 31, 310106 -> 310106."""
    prefix = adcode
    while prefix.endswith("00") and len(prefix) > 2:
        prefix = prefix[:-2]
    return prefix


def register(session: Session, q: dict[str, Any]) -> Computed:
    """Entries of a shipped register of carriers in the area's district (or within `adcode`), with
    their sources; a register that holds part of the designation list (`covers: part`) bounds the
    claim from below."""
    adcode = q.get("adcode") or session.district_of(q["area"])
    entries = refdata.carrier_registers().filter(
        (pl.col("register") == q["register"]) & pl.col("district_adcode").str.starts_with(_division_prefix(adcode))
    )
    evidence = provenance(
        session,
        [f"register:{q['register']}"],
        register=q["register"],
        adcode=adcode,
        entries=entries.select("name", "recognised_year", "source_url", "source_doc").to_dicts(),
        covers=q["covers"],
    )
    value = entries.height
    if q["covers"] == "part":
        return Computed(value, evidence, lower=value, upper=float("inf"))
    return Computed(value, evidence)


def claim_status(session: Session, q: dict[str, Any]) -> Computed:
    claim = session.claim(q["claim"])
    if claim is None:
        return Computed(None, provenance(session, ["claim"]), Reason("claims.reason.no_claim", {"claim": q["claim"]}))
    result = evaluate_claim(session, claim)
    return Computed({"status": result.status, "computed": result.computed}, result.evidence)


def not_computable(session: Session, q: dict[str, Any]) -> Computed:
    return Computed(None, provenance(session, []), Reason(GIVEN_REASON, texts=q["reason"]))


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
    "published": published,
    "register": register,
    "claim-status": claim_status,
    "not-computable": not_computable,
}


def compute(session: Session, query: dict[str, Any]) -> Computed:
    """Evaluate a parsed query (queries.parse_query). A question the store cannot answer (an
    unknown area, track or peer group, a missing pack) gives value None and the reason."""
    try:
        return KINDS[query["kind"]](session, query)
    except (InputError, NotFound) as exc:
        return Computed(None, provenance(session, []), Reason(exc.key, dict(exc.values)))
    except (LookupError, ValueError) as exc:
        return Computed(None, provenance(session, []), Reason("claims.reason.unanswerable", {"detail": str(exc)}))


def _typed(typed_into: tuple[str, ...], table: str, item: str) -> bool:
    """Whether `table:item` (or one of its fields) was typed from the claim."""
    for typed in typed_into:
        kind, _, rest = typed.partition(":")
        name = rest.split(".", 1)[0]
        if kind == table and (name == item or (name.endswith("*") and item.startswith(name[:-1]))):
            return True
    return False


def without_echoes(query: dict[str, Any] | None, computed: Computed, typed_into: tuple[str, ...]) -> Computed:
    """`computed` with the claim's echo set aside: the carriers the pack load wrote from facts
    typed from the claim, and the named enterprises that only synthetic rows (the demo registry,
    made from the pack) stand behind. What is left is counted; when nothing is left the value is
    None and `echoes` names what was set aside. A claim is never supported by its own echo."""
    if query is None or not typed_into or computed.value is None:
        return computed
    evidence = computed.evidence
    kind = query["kind"]
    if kind in ("carrier-count", "carrier-attribute"):
        echoes = [c for c in evidence.get("pack_loaded", []) if _typed(typed_into, "carrier", c)]
        left = [c for c in evidence.get("carriers", []) if c not in echoes]
    elif kind == "named-presence":
        echoes = [e for e in evidence.get("synthetic_only", []) if _typed(typed_into, "enterprise", e)]
        left = [e for e in evidence.get("present", []) if e not in echoes]
    elif kind == "enterprise-attribute":
        echoed = evidence.get("synthetic_only") and _typed(typed_into, "enterprise", query["enterprise"])
        echoes, left = ([query["enterprise"]], []) if echoed else ([], [query["enterprise"]])
    else:
        return computed
    if not echoes:
        return computed
    table = "carrier" if kind.startswith("carrier") else "enterprise"
    evidence = evidence | {"echoes": [f"{table}:{e}" for e in echoes]}
    reason = Reason("claims.reason.echo")
    if not left:
        return Computed(None, evidence, reason)
    if kind == "carrier-count":
        return Computed(len(left), evidence | {"carriers": left})
    if kind == "named-presence":
        # The echoed enterprises may or may not be there: the count is bracketed.
        return Computed(len(left), evidence, lower=len(left), upper=len(left) + len(echoes))
    return computed


def evaluate_claim(session: Session, claim: dict[str, Any]) -> ClaimResult:
    """The claim's query computed on the store, its echo set aside, and judged against the
    asserted figure; a statement of intent is labelled so and not computed."""
    defined = session.pack_claim(claim)
    # Without its pack, a claim that asserts nothing reads as a statement of intent.
    kind = defined.kind if defined else ("intent" if claim["comparison"] == "none" else "figure")
    if kind == "intent":
        return intent_result(claim, session.head)
    query, origin = query_for(session, claim)
    if query is None:
        computed = Computed(None, {"ledger_head": session.head}, Reason("claims.reason.no_query"))
    else:
        computed = without_echoes(query, compute(session, query), defined.typed_into if defined else ())
    return claim_result(claim, query, origin, computed, kind)


def check(store: Store, pack_id: str | None = None, session: Session | None = None) -> list[ClaimResult]:
    """Every claim of the store (of one pack) evaluated on the current data, in load order.
    Raises InputError when a pack's query file is invalid."""
    session = session or Session(store)
    claims = claim_store.claims(store, pack_id)
    prefetch(session, [{"kind": "claim-status", "claim": claim["id"]} for claim in claims])
    return [evaluate_claim(session, claim) for claim in claims]
