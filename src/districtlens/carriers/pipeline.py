"""The innovation pipeline: projects and teams hosted by carriers, the stages they entered, and
cohort views of how they move from research to market.

A project follows one ladder of stages (`LADDERS`): the pharma ladder (research, preclinical,
clinical phases I-III, approval, market) or, for other tracks, the venture ladder (prototype,
pilot, first customer, scale). Its history is the date it entered each stage; a stage may be
skipped (a project may enter clinical phase I without a recorded preclinical stage).

A cohort is the projects of one carrier, intake year and ladder. For each stage s:
- reached(s): projects that entered s or any later stage (skipping s still passes it);
- moved_on(s): projects that entered s and, later, a later stage;
- median_days(s): the median over moved_on(s) of the days from entering s to entering the next
  stage they recorded (None when no project moved on);
graduated: projects that became an enterprise of the registry (their credit code is there);
graduation_rate = graduated / projects.
"""

from __future__ import annotations

import polars as pl
from pydantic import BaseModel

from districtlens.carriers import given, said
from districtlens.errors import InputError

LADDERS: dict[str, tuple[str, ...]] = {
    "pharma": ("research", "preclinical", "clinical-1", "clinical-2", "clinical-3", "approval", "market"),
    "venture": ("prototype", "pilot", "first-customer", "scale"),
}
ALL_STAGES = frozenset(stage for stages in LADDERS.values() for stage in stages)

PROJECT_SCHEMA = pl.Schema(
    {
        "project_id": pl.Utf8,
        "carrier_id": pl.Utf8,
        "name": pl.Utf8,
        "track_id": pl.Utf8,
        "ladder": pl.Utf8,
        "intake_date": pl.Date,
        "uscc": pl.Utf8,
        "graduated_on": pl.Date,
    }
)
EVENT_SCHEMA = pl.Schema({"project_id": pl.Utf8, "stage": pl.Utf8, "entered_on": pl.Date})


class StageCount(BaseModel):
    stage: str
    reached: int
    moved_on: int
    median_days: float | None


class Cohort(BaseModel):
    carrier: str
    intake_year: int
    ladder: str
    projects: int
    stages: list[StageCount]
    graduated: int
    graduation_rate: float


def stage_rank(ladder: str, stage: str) -> int | None:
    stages = LADDERS.get(ladder, ())
    return stages.index(stage) if stage in stages else None


def stages_from(stage: str) -> list[str]:
    """The stage and every later stage of its ladder."""
    for stages in LADDERS.values():
        if stage in stages:
            return list(stages[stages.index(stage) :])
    raise InputError("carriers.unknown_stage", stage=stage)


def check_pipeline(
    projects: pl.DataFrame, events: pl.DataFrame, carriers: set[str], tracks: set[str]
) -> list[dict[str, object]]:
    """Problems of projects (PROJECT_SCHEMA) and their events (EVENT_SCHEMA), as messages
    (carriers.said): unknown carrier, track or ladder, a stage not on the project's ladder, an
    event before intake, stages entered out of ladder order."""
    problems = []
    ladder_names = ", ".join(sorted(LADDERS))
    for row in projects.iter_rows(named=True):
        project = row["project_id"]
        if row["carrier_id"] not in carriers:
            problems.append(
                said("carriers.pipeline.unknown_carrier", project=project, carrier=given(row["carrier_id"]))
            )
        if row["track_id"] is not None and row["track_id"] not in tracks:
            problems.append(said("carriers.pipeline.unknown_track", project=project, track=row["track_id"]))
        if row["ladder"] not in LADDERS:
            ladder = given(row["ladder"])
            problems.append(
                said("carriers.pipeline.unknown_ladder", project=project, ladder=ladder, ladders=ladder_names)
            )
        if row["intake_date"] is None:
            problems.append(said("carriers.pipeline.no_intake", project=project))
    if projects["project_id"].is_duplicated().any():
        twice = sorted(set(projects.filter(pl.col("project_id").is_duplicated())["project_id"]))
        problems.append(said("carriers.pipeline.ids_twice", ids=", ".join(map(str, twice))))
    ladders = dict(zip(projects["project_id"], projects["ladder"], strict=True))
    intakes = dict(zip(projects["project_id"], projects["intake_date"], strict=True))
    for project_id, group in events.sort("entered_on").group_by("project_id", maintain_order=True):
        project_id = project_id[0]
        if project_id not in ladders:
            problems.append(said("carriers.pipeline.events_without_project", project=project_id))
            continue
        ladder = ladders[project_id]
        ranks = [stage_rank(ladder, s) for s in group["stage"]]
        for stage, rank in zip(group["stage"], ranks, strict=True):
            if rank is None and ladder in LADDERS:
                stages = ", ".join(LADDERS[ladder])
                problems.append(
                    said(
                        "carriers.pipeline.stage_off_ladder",
                        project=project_id,
                        stage=stage,
                        ladder=ladder,
                        stages=stages,
                    )
                )
        known = [r for r in ranks if r is not None]
        if known != sorted(known) or len(set(known)) != len(known):
            problems.append(said("carriers.pipeline.stages_out_of_order", project=project_id))
        if intakes.get(project_id) and group["entered_on"].min() < intakes[project_id]:
            problems.append(said("carriers.pipeline.stage_before_intake", project=project_id))
    return problems


def new_versions(incoming: pl.DataFrame, stored: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Rows of `incoming` that are new or differ from `stored` (the same columns and `version`),
    each with its next `version`."""
    values = [c for c in incoming.columns if c not in keys]
    joined = incoming.join(stored, on=keys, how="left", suffix="_stored")
    same = pl.lit(True)
    for column in values:
        same = same & pl.col(column).eq_missing(pl.col(f"{column}_stored"))
    return joined.filter(pl.col("version").is_null() | ~same).select(
        *incoming.columns, (pl.col("version").fill_null(0) + 1).cast(pl.Int32).alias("version")
    )


def cohorts(projects: pl.DataFrame, events: pl.DataFrame, registered: set[str]) -> list[Cohort]:
    """Cohort views (see the module docstring), sorted by carrier, intake year and ladder.

    `projects`: project_id, carrier_id, ladder, intake_date, uscc; `events`: project_id, stage,
    entered_on; `registered`: the credit codes of the registry.
    """
    ladder_of = dict(zip(projects["project_id"], projects["ladder"], strict=True))
    ranked = events.filter(pl.col("project_id").is_in(list(ladder_of))).with_columns(
        pl.struct("project_id", "stage")
        .map_elements(lambda r: stage_rank(ladder_of[r["project_id"]], r["stage"]), return_dtype=pl.Int64)
        .alias("rank")
    )
    # Time in a stage: from entering it to entering the next recorded stage.
    ranked = ranked.sort("project_id", "rank").with_columns(
        (pl.col("entered_on").shift(-1).over("project_id") - pl.col("entered_on")).dt.total_days().alias("days")
    )
    furthest = ranked.group_by("project_id").agg(pl.col("rank").max().alias("furthest"))
    base = projects.with_columns(pl.col("intake_date").dt.year().alias("intake_year")).join(
        furthest, on="project_id", how="left"
    )
    result = []
    keys = ("carrier_id", "intake_year", "ladder")
    for key, members in base.sort(*keys).group_by(*keys, maintain_order=True):
        carrier_id, intake_year, ladder = key
        member_events = ranked.filter(pl.col("project_id").is_in(members["project_id"].implode()))
        stages = []
        for rank, stage in enumerate(LADDERS[ladder]):
            in_stage = member_events.filter(pl.col("rank") == rank)
            moved = in_stage.drop_nulls("days")
            stages.append(
                StageCount(
                    stage=stage,
                    reached=int((members["furthest"].fill_null(-1) >= rank).sum()),
                    moved_on=moved.height,
                    median_days=float(moved.select(pl.median("days")).item()) if moved.height else None,
                )
            )
        graduated = int(members["uscc"].is_in(sorted(registered)).sum())
        result.append(
            Cohort(
                carrier=carrier_id,
                intake_year=intake_year,
                ladder=ladder,
                projects=members.height,
                stages=stages,
                graduated=graduated,
                graduation_rate=graduated / members.height,
            )
        )
    return result
