"""Pipeline cohorts against a cohort computed by hand, and refused pipeline data."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from districtlens.carriers.pipeline import EVENT_SCHEMA, PROJECT_SCHEMA
from districtlens.commands import Context
from districtlens.commands import carriers as workflows
from districtlens.errors import InputError
from districtlens.store import ledger
from tests.carriers.conftest import CAMPUS, INCUBATOR
from tests.helpers import make_uscc

D = date.fromisoformat


def projects(rows):
    return pl.DataFrame(
        [
            {
                "project_id": p,
                "carrier_id": c,
                "name": p,
                "track_id": None,
                "ladder": lad,
                "intake_date": D(i),
                "uscc": u,
                "graduated_on": D(g) if g else None,
            }
            for p, c, lad, i, u, g in rows
        ],
        schema=PROJECT_SCHEMA,
    )


def events(rows):
    return pl.DataFrame([{"project_id": p, "stage": s, "entered_on": D(d)} for p, s, d in rows], schema=EVENT_SCHEMA)


PROJECTS = projects(
    [
        ("p1", INCUBATOR, "venture", "2022-01-10", make_uscc(100), "2022-11-01"),
        ("p2", INCUBATOR, "venture", "2022-03-01", None, None),
        ("p3", INCUBATOR, "venture", "2022-05-01", None, None),
        ("p4", INCUBATOR, "venture", "2022-06-01", make_uscc(999), "2023-02-01"),  # a code not in the registry
        ("p5", CAMPUS, "pharma", "2023-07-01", None, None),
    ]
)
EVENTS = events(
    [
        ("p1", "prototype", "2022-01-10"),
        ("p1", "pilot", "2022-04-10"),
        ("p1", "first-customer", "2022-10-07"),
        ("p2", "prototype", "2022-03-01"),
        ("p2", "pilot", "2022-07-09"),
        ("p3", "prototype", "2022-05-01"),
        ("p4", "prototype", "2022-06-01"),
        ("p4", "first-customer", "2023-01-01"),  # skipped the pilot
        ("p5", "research", "2023-07-01"),
        ("p5", "preclinical", "2024-01-01"),
    ]
)


def write(store, projects, events, source="pipeline"):
    return workflows.load_pipeline(
        Context(store=store, actor="tester"), projects, events, source={"name": source}, synthetic=True
    )


def cohorts(store, carrier=None):
    return workflows.pipeline_cohorts(Context(store=store, actor="tester"), workflows.PipelineCohorts(carrier=carrier))


def test_a_cohort_matches_the_one_computed_by_hand(carrier_store):
    write(carrier_store, PROJECTS, EVENTS)
    found = cohorts(carrier_store, INCUBATOR)
    assert found.carrier == INCUBATOR and len(found.cohorts) == 1
    cohort = found.cohorts[0]
    assert (cohort.carrier, cohort.intake_year, cohort.ladder, cohort.projects) == (INCUBATOR, 2022, "venture", 4)
    stages = {s.stage: (s.reached, s.moved_on, s.median_days) for s in cohort.stages}
    # prototype: p1 90 days, p2 130, p4 214 (to first customer) -> median 130
    assert stages["prototype"] == (4, 3, 130.0)
    # pilot: reached by p1, p2 and p4 (which skipped it); only p1 moved on, after 180 days
    assert stages["pilot"] == (3, 1, 180.0)
    assert stages["first-customer"] == (2, 0, None)
    assert stages["scale"] == (0, 0, None)
    assert (cohort.graduated, cohort.graduation_rate) == (1, 0.25)
    every = cohorts(carrier_store).cohorts
    assert [(c.carrier, c.intake_year, c.ladder) for c in every] == [
        (INCUBATOR, 2022, "venture"),
        (CAMPUS, 2023, "pharma"),
    ]
    campus = next(c for c in every if c.carrier == CAMPUS)
    assert campus.stages[1].model_dump() == {"stage": "preclinical", "reached": 1, "moved_on": 0, "median_days": None}
    assert campus.stages[0].median_days == 184.0


def test_writing_the_same_pipeline_twice_writes_once(carrier_store):
    first = write(carrier_store, PROJECTS, EVENTS, "a")
    again = write(carrier_store, PROJECTS, EVENTS, "a")
    assert first is not None and again is None
    moved = EVENTS.with_columns(
        pl.when(pl.col("project_id") == "p3").then(D("2022-05-02")).otherwise(pl.col("entered_on")).alias("entered_on")
    )
    assert write(carrier_store, PROJECTS, moved, "b")
    assert carrier_store.con.execute(
        "SELECT version, entered_on FROM pipeline_stage_current WHERE project_id = 'p3'"
    ).fetchone() == (2, D("2022-05-02"))


@pytest.mark.parametrize(
    ("bad_events", "problem"),
    [
        (events([("p1", "preclinical", "2022-02-01")]), "not on the venture ladder"),
        (events([("p1", "pilot", "2022-02-01"), ("p1", "prototype", "2022-03-01")]), "out of the ladder's order"),
        (events([("p1", "prototype", "2021-01-01")]), "before the intake date"),
        (events([("p9", "prototype", "2022-02-01")]), "a project that is not given"),
    ],
)
def test_bad_pipeline_data_is_refused_and_nothing_written(carrier_store, bad_events, problem):
    entries = carrier_store.con.execute("SELECT count(*) FROM ledger").fetchone()
    with pytest.raises(InputError, match=problem) as caught:
        write(carrier_store, PROJECTS.head(1), bad_events, "x")
    assert caught.value.key == "carriers.invalid_pipeline"
    assert carrier_store.con.execute("SELECT count(*) FROM pipeline_project").fetchone() == (0,)
    assert carrier_store.con.execute("SELECT count(*) FROM ledger").fetchone() == entries
    assert ledger.verify(carrier_store.con).intact


def test_an_unknown_track_or_carrier_is_refused(carrier_store):
    strays = PROJECTS.head(1).with_columns(pl.lit("atlantis").alias("carrier_id"), pl.lit("alchemy").alias("track_id"))
    with pytest.raises(InputError) as caught:
        write(carrier_store, strays, EVENTS.head(1))
    assert "unknown carrier 'atlantis'" in str(caught.value) and "unknown track 'alchemy'" in str(caught.value)
    keys = [problem["key"] for problem in caught.value.values["problems"]]
    assert keys == ["carriers.pipeline.unknown_carrier", "carriers.pipeline.unknown_track"]
    assert "structure inconnue « atlantis »" in caught.value.message("fr")
    assert "未知赛道“alchemy”" in caught.value.message("zh")
    assert carrier_store.con.execute("SELECT count(*) FROM pipeline_project").fetchone() == (0,)
