"""The carriers' demo: capacity schedules (the pack's space.yaml), synthetic tenancies and pipeline
projects, and the programme (the pack's programmes.yaml), written through the same workflows
(districtlens.commands.carriers) that real data takes.

Tenancies: each capacity block that enterprises lease (office, lab, commercial, unspecified) is
cut into units, 55-92 % of the block; each unit is leased back to back by open enterprises of the
district (a lease of 1, 2, 3 or 5 years, then a gap of up to 8 months) from the block's delivery
until 2030, so a carrier is never over-let and some leases are already ended or still to come.
Pipeline: iCampus takes about 20 pharma projects from mid-2023 (the source's "about 20 enterprises
and teams in a little over a year"); each incubator takes venture and pharma projects from 2019.
Projects move up their ladder with stage-specific odds and durations until the demo's reference
day; some that reach a second stage register as an enterprise (graduate). Everything generated is
synthetic and flagged so; the generator is deterministic for a seed.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from districtlens.carriers.pipeline import EVENT_SCHEMA, LADDERS, PROJECT_SCHEMA
from districtlens.commands.base import Context
from districtlens.commands.carriers import import_tenant_rows, load_pipeline, load_programmes, load_schedules
from districtlens.errors import InputError
from districtlens.ingest.packs import pack_dir
from districtlens.store import Store
from districtlens.store import carriers as stored
from districtlens.yamltext import load_yaml

REFERENCE_DAY = date(2025, 10, 31)  # the interview's date: pipeline histories stop here
LEASES_UNTIL = date(2030, 12, 31)
LEASED_USES = ("office", "lab", "commercial", "unspecified")
LEASE_YEARS = (1, 2, 3, 5)
UNITS_PER_BLOCK = 50  # a block is let in units of about area / 50 ...
SMALLEST_TYPICAL_UNIT = 600  # ... but of 600 m² or so at least
# Odds of moving on from each stage and the median days it takes (a lognormal around it).
PHARMA_STEPS = ((0.7, 420), (0.55, 540), (0.6, 500), (0.5, 700), (0.55, 900), (0.8, 365))
VENTURE_STEPS = ((0.65, 240), (0.55, 300), (0.5, 540))
GRADUATE_ODDS = 0.45


def build_carriers_demo(ctx: Context, seed: int, *, lease_scale: float = 1.0) -> None:
    """Load the store's pack's space.yaml and programmes.yaml, then synthetic tenancies and pipeline
    projects. The store must already hold the pack and the demo registry. `lease_scale` multiplies
    the number of leases (units are that much smaller): benchmarks use it to reach 100,000."""
    rng = np.random.default_rng(seed)
    (pack_id, adcode), *_ = stored.packs(ctx.store)
    folder = pack_dir(pack_id)

    schedules = load_schedules(ctx, _yaml(folder / "space.yaml"), source={"name": f"{pack_id}/space.yaml"})

    pool = stored.open_enterprises(ctx.store, adcode)
    if pool.is_empty():
        raise InputError("carriers.demo_without_enterprises", district=adcode)
    leases = _tenancies(rng, schedules, pool["uscc"].to_list(), lease_scale)
    report = import_tenant_rows(
        ctx, leases, carrier=None, source={"name": f"synthetic tenants (seed {seed})"}, synthetic=True
    )
    if report.errors_total:
        raise InputError("demo.invalid_rows", count=report.errors_total, examples=str(report.errors[:3]))

    projects, events = _pipeline(rng, ctx.store, pool)
    load_pipeline(ctx, projects, events, source={"name": f"synthetic pipeline (seed {seed})"}, synthetic=True)

    load_programmes(ctx, _yaml(folder / "programmes.yaml"), source={"name": f"{pack_id}/programmes.yaml"})


# A small registry can run out of free tenants for a carrier: stop letting the unit then.
MAX_BUSY_PICKS = 50


def _yaml(path: Path) -> Any:
    return load_yaml(path.read_text(encoding="utf-8"))


def _tenancies(rng: np.random.Generator, schedules: pl.DataFrame, pool: list[str], scale: float) -> pl.DataFrame:
    """Rows of tenant files (text, as a carrier would send them), with a `carrier` column."""
    rows = []
    busy: dict[str, dict[int, date]] = {}  # carrier -> tenant -> the last day of its latest lease there
    for block in schedules.filter(pl.col("use").is_in(LEASED_USES)).iter_rows(named=True):
        carrier, area = block["carrier_id"], block["area_m2"]
        taken = busy.setdefault(carrier, {})
        let, share = 0.0, rng.uniform(0.55, 0.92)
        while let < share * area:
            typical = max(area / UNITS_PER_BLOCK, SMALLEST_TYPICAL_UNIT) / scale
            unit = float(np.clip(round(rng.lognormal(np.log(typical), 0.6)), 40 / scale, 0.3 * area))
            if let + unit > share * area:
                break
            let += unit
            day = block["available_from"] + timedelta(days=int(rng.integers(0, 180)))
            busy_picks = 0
            while day <= LEASES_UNTIL and busy_picks < MAX_BUSY_PICKS:
                tenant = int(rng.integers(len(pool)))
                if taken.get(tenant, date.min) >= day:
                    busy_picks += 1  # a tenant's leases in one carrier never overlap
                    continue
                busy_picks = 0
                end = _add_years(day, int(rng.choice(LEASE_YEARS))) - timedelta(days=1)
                taken[tenant] = end
                rows.append(
                    {
                        "carrier": carrier,
                        "uscc": pool[tenant],
                        "area_m2": f"{unit:.0f}",
                        "lease_start": day.isoformat(),
                        "lease_end": end.isoformat(),
                        "use": block["use"],
                    }
                )
                day = end + timedelta(days=1 + int(rng.integers(0, 240)))
    return pl.DataFrame(rows)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _pipeline(rng: np.random.Generator, store: Store, pool: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    hosts = stored.incubating_carriers(store)
    founded = pool.filter(pl.col("founded").is_not_null())
    projects: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    graduated: set[str] = set()
    for carrier_id, kind in hosts:
        campus = kind == "innovation-campus"
        count = 22 if campus else int(rng.integers(15, 30))
        first = date(2023, 6, 1) if campus else date(2019, 1, 1)
        span = (REFERENCE_DAY - first).days
        for i in range(1, count + 1):
            ladder = "pharma" if campus or rng.random() < 0.3 else "venture"
            intake = first + timedelta(days=int(rng.integers(0, span)))
            project_id = f"{carrier_id}-p{i:02d}"
            steps = PHARMA_STEPS if ladder == "pharma" else VENTURE_STEPS
            day = intake + timedelta(days=int(rng.integers(0, 60)))
            stages = LADDERS[ladder]
            history = [(stages[0], day)]
            for stage, (odds, median_days) in zip(stages[1:], steps, strict=True):
                day = day + timedelta(days=int(rng.lognormal(np.log(median_days), 0.35)))
                if rng.random() > odds or day > REFERENCE_DAY:
                    break
                history.append((stage, day))
            uscc, graduated_on = None, None
            if len(history) >= 2 and rng.random() < GRADUATE_ODDS:
                candidates = founded.filter((pl.col("founded") >= intake) & ~pl.col("uscc").is_in(sorted(graduated)))
                if candidates.height:
                    pick = candidates.row(int(rng.integers(candidates.height)), named=True)
                    uscc, graduated_on = pick["uscc"], pick["founded"]
                    graduated.add(uscc)
            projects.append(
                {
                    "project_id": project_id,
                    "carrier_id": carrier_id,
                    "name": f"{'Team' if uscc is None else 'Project'} {project_id} (synthetic)",
                    "track_id": "biopharma" if ladder == "pharma" else None,
                    "ladder": ladder,
                    "intake_date": intake,
                    "uscc": uscc,
                    "graduated_on": graduated_on,
                }
            )
            events.extend({"project_id": project_id, "stage": s, "entered_on": d} for s, d in history)
    return pl.DataFrame(projects, schema=PROJECT_SCHEMA), pl.DataFrame(events, schema=EVENT_SCHEMA)
