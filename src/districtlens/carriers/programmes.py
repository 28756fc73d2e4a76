"""Programmes (a plan), their actions and each action's KPIs: definitions as data, and how a KPI
stands against its targets.

A KPI is a query in a small declarative vocabulary (`MEASURES`), e.g.
``{kind: enterprises, track: biopharma, zone: shibei}`` or ``{kind: occupancy, carrier: X}``,
with a direction (increase or decrease), an optional baseline ``{at: DATE, value: N}`` (no
value: measured from the store on that date) and targets ``[{by: DATE, value: N}, ...]``.

Status on a date (the date of the latest data point, `actual_at`):

- the target in force is the first target whose `by` is on or after `actual_at` (the last one
  once all have passed);
- expected = the straight line from the baseline to that target, read at `actual_at` (with no
  baseline, or a baseline after `actual_at`, expected = the target's value);
- ratio = actual / expected for an increase, expected / actual for a decrease;
- on track when ratio >= thresholds.on_track, at risk when ratio >= thresholds.at_risk, else off
  track. Thresholds are data: the programme states them, a KPI may override them
  (`DEFAULT_THRESHOLDS` apply when neither does).

Trend: the series of the measure at the trend points (yearly measures: the last years with data;
dated measures: the same day of the last years); `up`, `down` or `flat` compares the last two
points (a change within 1 % is flat).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from pydantic import BaseModel

from districtlens.carriers import given, said
from districtlens.carriers.pipeline import ALL_STAGES
from districtlens.carriers.space import add_years
from districtlens.errors import InputError

DEFAULT_THRESHOLDS = {"on_track": 0.95, "at_risk": 0.85}
FLAT_WITHIN = 0.01
TREND_POINTS = 5
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
STATUSES = ("on track", "at risk", "off track")


@dataclass(frozen=True)
class Measure:
    cadence: str  # yearly: read from yearly facts; dated: read on a day
    unit: str
    params: frozenset[str]
    required: tuple[frozenset[str], ...] = ()  # each set: at least one of these must be given


MEASURES: dict[str, Measure] = {
    "enterprises": Measure("yearly", "enterprises", frozenset({"track", "zone", "carrier"})),
    "revenue": Measure("yearly", "万元", frozenset({"track", "zone"})),
    "tax": Measure("yearly", "万元", frozenset({"track", "zone"})),
    "rd_spend": Measure("yearly", "万元", frozenset({"track", "zone"})),
    "employees": Measure("yearly", "persons", frozenset({"track", "zone"})),
    "occupancy": Measure("dated", "share", frozenset({"carrier", "zone", "use"}), (frozenset({"carrier", "zone"}),)),
    "occupied_m2": Measure("dated", "m²", frozenset({"carrier", "zone", "use"}), (frozenset({"carrier", "zone"}),)),
    "tenants": Measure("dated", "tenants", frozenset({"carrier", "zone"}), (frozenset({"carrier", "zone"}),)),
    "projects_reaching": Measure(
        "dated", "projects", frozenset({"stage", "carrier", "track"}), (frozenset({"stage"}),)
    ),
    "graduations": Measure("dated", "enterprises", frozenset({"carrier"})),
}
REFERENCES = {"track": "track", "zone": "zone", "carrier": "carrier"}


@dataclass(frozen=True)
class Kpi:
    id: str
    names: dict[str, str]
    measure: dict[str, Any]
    unit: str
    direction: str
    baseline: dict[str, Any] | None
    targets: list[dict[str, Any]]
    thresholds: dict[str, float] | None
    note: str | None


@dataclass(frozen=True)
class Action:
    id: str
    names: dict[str, str]
    named_by: str | None
    note: str | None
    kpis: list[Kpi]


@dataclass(frozen=True)
class Programme:
    id: str
    names: dict[str, str]
    thresholds: dict[str, float]
    note: str | None
    district: str | None = None  # adcode; None: the store's only district pack
    actions: list[Action] = field(default_factory=list)

    def definition(self) -> dict[str, Any]:
        """The programme as canonical data (what its digest covers)."""
        return json.loads(json.dumps(self, default=_plain, sort_keys=True))

    def digest(self) -> str:
        text = json.dumps(self.definition(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value.__dict__


# A problem of the definitions, and where it is (a programme, its action, its KPI ...), as
# messages said in the reader's language (carriers.said).
Problems = list[dict[str, object]]
Where = dict[str, object]


def parse_programmes(doc: Any, known: dict[str, set[str]]) -> list[Programme]:
    """Read `{"programmes": [...]}`; `known` holds the ids of tracks, zones and carriers of the store.
    Refuses the document naming every problem."""
    problems: Problems = []
    raw = doc.get("programmes") if isinstance(doc, dict) else None
    if not isinstance(raw, list) or not raw:
        raise InputError("carriers.invalid_programmes", problems=[said("carriers.programme.no_list")])
    programmes = [_programme(p, known, problems) for p in raw]
    ids = [p.id for p in programmes]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(said("carriers.programme.id_twice", id=dup))
    if problems:
        raise InputError("carriers.invalid_programmes", problems=problems)
    return programmes


def _names(raw: Any, where: Where, problems: Problems) -> dict[str, str]:
    names = {k: str(v).strip() for k, v in (raw or {}).items() if v} if isinstance(raw, dict) else {}
    if not names.get("en"):
        problems.append(said("carriers.programme.name_en_required", where=where))
    return names


def _thresholds(raw: Any, where: Where, problems: Problems) -> dict[str, float] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or set(raw) != {"on_track", "at_risk"}:
        problems.append(said("carriers.programme.thresholds_keys", where=where))
        return None
    on_track, at_risk = raw["on_track"], raw["at_risk"]
    if not all(isinstance(v, int | float) for v in (on_track, at_risk)) or not 0 < at_risk <= on_track:
        problems.append(said("carriers.programme.thresholds_order", where=where, value=given(raw)))
        return None
    return {"on_track": float(on_track), "at_risk": float(at_risk)}


def _date(value: Any, where: Where, problems: Problems) -> date | None:
    """A day written YYYY-MM-DD (YAML reads it as a date). A timestamp, a bare year (2025) or the
    other forms ISO 8601 allows (20251231, 2025-W01-1) are refused: a target falls on one day."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and ISO_DAY.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    problems.append(said("carriers.programme.not_a_date", where=where, value=given(value)))
    return None


def _is_number(value: Any) -> bool:
    """A finite number: YAML's true/yes are booleans (ints to Python), .nan and .inf are floats."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _programme(raw: dict[str, Any], known: dict[str, set[str]], problems: Problems) -> Programme:
    pid = str(raw.get("id", ""))
    where = said("carriers.programme.where.programme", id=pid or "?")
    if not pid:
        problems.append(said("carriers.programme.no_id"))
    thresholds = _thresholds(raw.get("thresholds"), where, problems) or dict(DEFAULT_THRESHOLDS)
    actions = [_action(a, where, known, problems) for a in raw.get("actions") or []]
    if not actions:
        problems.append(said("carriers.programme.no_actions", where=where))
    action_ids = [a.id for a in actions]
    for dup in sorted({i for i in action_ids if action_ids.count(i) > 1}):
        problems.append(said("carriers.programme.action_twice", where=where, id=dup))
    district = None if raw.get("district") is None else str(raw["district"])
    return Programme(pid, _names(raw.get("names"), where, problems), thresholds, _note(raw), district, actions)


def _note(raw: dict[str, Any]) -> str | None:
    return " ".join(str(raw.get("note") or "").split()) or None


def _action(raw: dict[str, Any], parent: Where, known: dict[str, set[str]], problems: Problems) -> Action:
    aid = str(raw.get("id", ""))
    where = said("carriers.programme.where.action", parent=parent, id=aid or "?")
    if not aid:
        problems.append(said("carriers.programme.action_no_id", where=parent))
    kpis = [_kpi(k, where, known, problems) for k in raw.get("kpis") or []]
    kpi_ids = [k.id for k in kpis]
    for dup in sorted({i for i in kpi_ids if kpi_ids.count(i) > 1}):
        problems.append(said("carriers.programme.kpi_twice", where=where, id=dup))
    return Action(aid, _names(raw.get("names"), where, problems), raw.get("named_by"), _note(raw), kpis)


def _kpi(raw: dict[str, Any], parent: Where, known: dict[str, set[str]], problems: Problems) -> Kpi:
    kid = str(raw.get("id", ""))
    where = said("carriers.programme.where.kpi", parent=parent, id=kid or "?")
    if not kid:
        problems.append(said("carriers.programme.kpi_no_id", where=parent))
    measure = dict(raw.get("measure") or {})
    kind = measure.get("kind")
    spec = MEASURES.get(str(kind))
    if spec is None:
        kinds = ", ".join(sorted(MEASURES))
        problems.append(said("carriers.programme.unknown_measure", where=where, kind=given(kind), kinds=kinds))
    else:
        extra = set(measure) - {"kind"} - spec.params
        if extra:
            params, extras = ", ".join(sorted(spec.params)), ", ".join(sorted(extra))
            problems.append(
                said("carriers.programme.measure_extra", where=where, kind=kind, params=params, extra=extras)
            )
        for needed in spec.required:
            if not needed & set(measure):
                wanted = ", ".join(sorted(needed))
                problems.append(said("carriers.programme.measure_needs", where=where, kind=kind, needed=wanted))
        for param, table in REFERENCES.items():
            if param in measure and str(measure[param]) not in known.get(table, set()):
                named = given(measure[param])
                problems.append(said("carriers.programme.not_in_store", where=where, param=param, value=named))
        if "stage" in measure and measure["stage"] not in ALL_STAGES:
            problems.append(said("carriers.programme.not_a_stage", where=where, stage=given(measure["stage"])))
    direction = raw.get("direction", "increase")
    if direction not in ("increase", "decrease"):
        problems.append(said("carriers.programme.bad_direction", where=where))
    baseline = raw.get("baseline")
    if baseline is not None:
        at = _date((baseline or {}).get("at"), said("carriers.programme.where.baseline", parent=where), problems)
        value = baseline.get("value") if isinstance(baseline, dict) else None
        if value is not None and not _is_number(value):
            problems.append(said("carriers.programme.baseline_not_number", where=where, value=given(value)))
        baseline = {"at": at, "value": value}
    targets = []
    for target in raw.get("targets") or []:
        by = _date((target or {}).get("by"), said("carriers.programme.where.target", parent=where), problems)
        value = (target or {}).get("value")
        if not _is_number(value):
            problems.append(said("carriers.programme.target_not_number", where=where, value=given(value)))
        targets.append({"by": by, "value": value})
    if not targets:
        problems.append(said("carriers.programme.no_targets", where=where))
    by_dates = [t["by"] for t in targets if t["by"]]
    if by_dates != sorted(set(by_dates)):
        problems.append(said("carriers.programme.targets_order", where=where))
    unit = str(raw.get("unit") or (spec.unit if spec else ""))
    thresholds = _thresholds(raw.get("thresholds"), where, problems)
    return Kpi(
        kid,
        _names(raw.get("names"), where, problems),
        measure,
        unit,
        direction,
        baseline,
        targets,
        thresholds,
        _note(raw),
    )


def expected_value(
    baseline: tuple[date, float] | None, targets: list[tuple[date, float]], on: date
) -> tuple[tuple[date, float], float]:
    """(target in force, expected value on `on`): see the module docstring."""
    target = next((t for t in targets if t[0] >= on), targets[-1])
    if baseline is None or baseline[0] >= on or baseline[0] >= target[0]:
        return target, float(target[1])
    share = min(1.0, (on - baseline[0]).days / (target[0] - baseline[0]).days)
    return target, baseline[1] + share * (target[1] - baseline[1])


def status_of(
    actual: float | None, expected: float, direction: str, thresholds: dict[str, float]
) -> tuple[str | None, float | None]:
    """(status, ratio) of an actual value against the expected one; (None, None) without data."""
    if actual is None:
        return None, None
    if direction == "increase":
        ratio = actual / expected if expected else (1.0 if actual >= 0 else 0.0)
    else:
        ratio = expected / actual if actual else 1.0
    if ratio >= thresholds["on_track"]:
        return "on track", ratio
    if ratio >= thresholds["at_risk"]:
        return "at risk", ratio
    return "off track", ratio


def trend_of(values: list[float | None]) -> str | None:
    known = [v for v in values if v is not None]
    if len(known) < 2:
        return None
    before, last = known[-2], known[-1]
    scale = max(abs(before), abs(last), 1e-12)
    if abs(last - before) <= FLAT_WITHIN * scale:
        return "flat"
    return "up" if last > before else "down"


class Baseline(BaseModel):
    at: date
    value: float


class Target(BaseModel):
    by: date
    value: float


class SeriesPoint(BaseModel):
    at: date
    value: float | None


class KpiStatus(BaseModel):
    """How a KPI stands on the date of its latest data point (see the module docstring)."""

    kpi: str
    name: dict[str, str]
    measure: dict[str, Any]
    unit: str
    direction: str
    baseline: Baseline | None
    target: Target
    expected: float
    actual: float | None
    actual_at: date
    ratio: float | None
    status: str | None
    thresholds: dict[str, float]
    trend: str | None
    series: list[SeriesPoint]


class ActionStatus(BaseModel):
    action: str
    name: dict[str, str]
    named_by: str | None
    note: str | None
    kpis: list[KpiStatus]


class ProgrammeStatus(BaseModel):
    programme: str
    name: dict[str, str]
    district: str
    note: str | None
    thresholds: dict[str, float]
    at: date
    actions: list[ActionStatus]


def assess(
    kpi: Kpi, series: list[tuple[date, float | None]], baseline_value: float | None, thresholds: dict[str, float]
) -> KpiStatus:
    """A KPI's target, actual, trend and status from its measured `series` (oldest first; the
    last point is the actual) and its baseline value (given or measured)."""
    actual_at, actual = series[-1]
    baseline = None
    if kpi.baseline is not None:
        value = kpi.baseline["value"] if kpi.baseline["value"] is not None else baseline_value
        if value is not None:
            baseline = (kpi.baseline["at"], float(value))
    limits = kpi.thresholds or thresholds
    target, expected = expected_value(baseline, [(t["by"], t["value"]) for t in kpi.targets], actual_at)
    status, ratio = status_of(actual, expected, kpi.direction, limits)
    return KpiStatus(
        kpi=kpi.id,
        name=kpi.names,
        measure=kpi.measure,
        unit=kpi.unit,
        direction=kpi.direction,
        baseline=None if baseline is None else Baseline(at=baseline[0], value=baseline[1]),
        target=Target(by=target[0], value=target[1]),
        expected=expected,
        actual=actual,
        actual_at=actual_at,
        ratio=ratio,
        status=status,
        thresholds=limits,
        trend=trend_of([v for _, v in series]),
        series=[SeriesPoint(at=d, value=v) for d, v in series],
    )


class MeasureReader(Protocol):
    """Reads the measures of KPIs (the store's data) for the district a programme counts."""

    def yearly(self, measure: dict[str, Any], district: str) -> dict[int, float | None]:
        """The measure's value in each year with data."""
        ...

    def dated(self, measure: dict[str, Any], days: list[date]) -> list[float | None]:
        """The measure's value on each day."""
        ...


def trend_days(at: date) -> list[date]:
    """The days a dated measure is read on: the same day of the last TREND_POINTS years, `at` last."""
    return [add_years(at, -k) for k in range(TREND_POINTS - 1, -1, -1)]


def measure_series(
    reader: MeasureReader, measure: dict[str, Any], district: str, at: date
) -> list[tuple[date, float | None]]:
    """The trend points of a measure, oldest first: its last TREND_POINTS years with data up to
    `at` (each on 31 December), or its values on `trend_days(at)`."""
    if MEASURES[measure["kind"]].cadence == "yearly":
        values = reader.yearly(measure, district)
        years = [y for y in sorted(values) if y <= at.year][-TREND_POINTS:]
        if not years:
            return [(at, None)]
        return [(date(y, 12, 31), values[y]) for y in years]
    days = trend_days(at)
    return list(zip(days, reader.dated(measure, days), strict=True))


def measure_on(reader: MeasureReader, measure: dict[str, Any], district: str, day: date) -> float | None:
    """A measure's value on one day (a yearly measure: in that day's year)."""
    if MEASURES[measure["kind"]].cadence == "yearly":
        return reader.yearly(measure, district).get(day.year)
    return reader.dated(measure, [day])[0]


def programme_status(plan: Programme, at: date, reader: MeasureReader) -> ProgrammeStatus:
    """Each KPI of a stored programme (its `district` set) assessed on `at`."""
    district = str(plan.district)
    actions = []
    for action in plan.actions:
        assessed = []
        for kpi in action.kpis:
            series = measure_series(reader, kpi.measure, district, at)
            base = None
            if kpi.baseline and kpi.baseline.get("value") is None:
                base = measure_on(reader, kpi.measure, district, kpi.baseline["at"])
            assessed.append(assess(kpi, series, base, plan.thresholds))
        actions.append(
            ActionStatus(action=action.id, name=action.names, named_by=action.named_by, note=action.note, kpis=assessed)
        )
    return ProgrammeStatus(
        programme=plan.id,
        name=plan.names,
        district=district,
        note=plan.note,
        thresholds=plan.thresholds,
        at=at,
        actions=actions,
    )


# --- programmes as the store keeps them ----------------------------------------------------------


def definition_rows(
    plan: Programme, version: int, district: str
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """A programme as its rows of programme_version, programme_action and programme_kpi (JSON
    columns as values; the store adds the source and the ledger entry)."""
    programme_row = {
        "programme_id": plan.id,
        "version": version,
        "district_adcode": district,
        **_name_columns(plan.names),
        "thresholds": plan.thresholds,
        "note": plan.note,
        "definition_sha256": plan.digest(),
    }
    action_rows, kpi_rows = [], []
    for position, action in enumerate(plan.actions):
        action_rows.append(
            {
                "programme_id": plan.id,
                "version": version,
                "action_id": action.id,
                "position": position,
                **_name_columns(action.names),
                "named_by": action.named_by,
                "note": action.note,
            }
        )
        for kpi_position, kpi in enumerate(action.kpis):
            kpi_rows.append(
                {
                    "programme_id": plan.id,
                    "version": version,
                    "action_id": action.id,
                    "kpi_id": kpi.id,
                    "position": kpi_position,
                    **_name_columns(kpi.names),
                    "unit": kpi.unit,
                    "measure": kpi.measure,
                    "direction": kpi.direction,
                    "baseline": kpi.baseline,
                    "targets": kpi.targets,
                    "thresholds": kpi.thresholds,
                    "note": kpi.note,
                }
            )
    return programme_row, action_rows, kpi_rows


def from_rows(
    programme_rows: list[dict[str, Any]], action_rows: list[dict[str, Any]], kpi_rows: list[dict[str, Any]]
) -> list[Programme]:
    """The programmes rebuilt from the rows `definition_rows` made (JSON columns read back, each
    list in position order), each with its district."""
    kpis: dict[tuple[str, str], list[Kpi]] = {}
    for row in kpi_rows:
        baseline = row["baseline"]
        kpis.setdefault((row["programme_id"], row["action_id"]), []).append(
            Kpi(
                row["kpi_id"],
                _names_of(row),
                row["measure"],
                row["unit"],
                row["direction"],
                _dated(baseline, "at") if baseline else None,
                [_dated(target, "by") for target in row["targets"]],
                row["thresholds"],
                row["note"],
            )
        )
    actions: dict[str, list[Action]] = {}
    for row in action_rows:
        pid = row["programme_id"]
        actions.setdefault(pid, []).append(
            Action(
                row["action_id"], _names_of(row), row["named_by"], row["note"], kpis.get((pid, row["action_id"]), [])
            )
        )
    return [
        Programme(
            row["programme_id"],
            _names_of(row),
            row["thresholds"],
            row["note"],
            row["district_adcode"],
            actions.get(row["programme_id"], []),
        )
        for row in programme_rows
    ]


def _name_columns(names: dict[str, str]) -> dict[str, str | None]:
    return {f"name_{lang}": names.get(lang) for lang in ("zh", "en", "fr")}


def _names_of(row: dict[str, Any]) -> dict[str, str]:
    return {lang: row[f"name_{lang}"] for lang in ("zh", "en", "fr") if row[f"name_{lang}"]}


def _dated(item: dict[str, Any], key: str) -> dict[str, Any]:
    return {**item, key: date.fromisoformat(item[key])}
