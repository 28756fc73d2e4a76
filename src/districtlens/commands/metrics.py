"""The regional-economics engine on tables: RCA, density, ECI, PCI ... of a panel, and the back-test.

`metrics.table` builds the panel from the store and writes the table to a file. A panel that is a
file needs no store: `table_of_file` and `backtest_files` are plain functions the CLI calls.
A `convention` arrives as text (an option, JSON) and goes to complexity_table as it is: that
refuses any but its two.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

import polars as pl
from pydantic import BaseModel

from districtlens.commands.base import Args, Context, command
from districtlens.errors import InputError, NotFound
from districtlens.metrics import Columns, complexity_table
from districtlens.panel import PanelSpec, panel_from_store

if TYPE_CHECKING:
    from districtlens.metrics.backtest import Score
    from districtlens.metrics.complexity import Convention

FORMATS = (".csv", ".parquet", ".json")


def read_table(path: Path, text_columns: list[str]) -> pl.DataFrame:
    """A CSV, Parquet or JSON table; label columns read as text so codes keep leading zeros."""
    if not path.exists():
        raise NotFound("file.missing", path=str(path))
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputError("metrics.unknown_format", path=str(path), suffix=suffix, formats=", ".join(FORMATS))
    try:
        if suffix == ".csv":
            header = pl.read_csv(path, n_rows=0).columns
            overrides = {c: pl.String for c in text_columns if c in header}
            return pl.read_csv(path, schema_overrides=overrides, infer_schema_length=None)
        if suffix == ".parquet":
            return pl.read_parquet(path)
        return pl.read_json(path)
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        raise InputError("metrics.unreadable", path=str(path), reason=str(exc)) from exc


def check_output(out: Path) -> None:
    """Refuse an output file of a format the table cannot be written in, before any work."""
    if out.suffix.lower() not in FORMATS:
        raise InputError("metrics.unknown_format", path=str(out), suffix=out.suffix, formats=", ".join(FORMATS))


def write_table(frame: pl.DataFrame, path: Path) -> None:
    """Write by extension; labels as plain text so that any reader gets strings."""
    import polars.selectors as cs

    frame = frame.with_columns(cs.enum().cast(pl.String))
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        frame.write_csv(path)
    elif suffix == ".parquet":
        frame.write_parquet(path)
    else:
        frame.write_json(path)


def reference_of(regions: list[str] | None, totals: Path | None) -> list[str] | pl.DataFrame | None:
    """The RCA reference: a peer set of regions, a file of external totals (activity, value and
    optionally year), or none (the whole panel)."""
    if regions is not None:
        return regions
    if totals is not None:
        return read_table(totals, ["activity"]).with_columns(pl.col("activity").cast(pl.String))
    return None


class Written(BaseModel):
    out: str
    rows: int


def table_of_file(
    file: Path,
    columns: Columns,
    out: Path,
    *,
    reference_regions: list[str] | None = None,
    reference_totals: Path | None = None,
    convention: str = "stata",
    threshold: float = 1.0,
) -> Written:
    """The complexity table of a long table in `file` (CSV, Parquet or JSON), written to `out`."""
    check_output(out)
    reference = reference_of(reference_regions, reference_totals)
    frame = read_table(file, [c for c in (columns.region, columns.activity) if c])
    table = complexity_table(
        frame, columns, convention=cast("Convention", convention), threshold=threshold, reference=reference
    )
    write_table(table, out)
    return Written(out=str(out), rows=table.height)


class StoreTable(Args):
    out: Path
    by: str = "district"
    activity: str = "gbt4"
    value: str = "revenue"
    years: tuple[int, ...] = ()
    reference_regions: list[str] | None = None
    reference_totals: Path | None = None
    convention: str = "stata"
    threshold: float = 1.0


@command("metrics.table", writes=False)
def store_table(ctx: Context, args: StoreTable) -> Written:
    """The complexity table of the store's panel (value by region and activity, per year), written
    to `out` (.csv, .parquet or .json), zero cells included."""
    check_output(args.out)
    spec = PanelSpec(by=args.by, activity=args.activity, value=args.value, years=args.years)
    reference = reference_of(args.reference_regions, args.reference_totals)
    ctx.progress("panel")
    panel = panel_from_store(ctx.store, spec)
    if panel.height == 0:
        asked = {"path": str(ctx.store.path), "value": args.value, "by": args.by, "activity": args.activity}
        if args.years:
            raise InputError("metrics.empty_panel_in_years", years=", ".join(map(str, args.years)), **asked)
        raise InputError("metrics.empty_panel", **asked)
    ctx.progress("measures")
    table = complexity_table(
        panel,
        Columns("region", "activity", "value", "year"),
        convention=cast("Convention", args.convention),
        threshold=args.threshold,
        reference=reference,
    )
    write_table(table, args.out)
    return Written(out=str(args.out), rows=table.height)


@dataclass(frozen=True)
class Backtested:
    start: int
    end: int
    candidates: int
    entries: int
    scores: list[Score]


def backtest_files(
    file: Path,
    columns: Columns,
    start: int,
    end: int,
    *,
    train: Path | None = None,
    train_start: int | None = None,
    train_end: int | None = None,
    k: int = 10,
    convention: str = "stata",
    threshold: float = 1.0,
) -> Backtested:
    """How well density and the other predictors ranked the activities the regions of `file` entered
    between `start` and `end`; with `train`, also the combined predictor fitted on that panel's
    transitions (between `train_start` and `train_end`, by default the same years)."""
    # scikit-learn takes a second to import: only the back-test pays for it.
    from districtlens.metrics.backtest import backtest, panel_transitions

    labels = [c for c in (columns.region, columns.activity) if c]
    candidates = panel_transitions(
        read_table(file, labels), columns, start, end, convention=cast("Convention", convention), threshold=threshold
    )
    training = None
    if train is not None:
        training = panel_transitions(
            read_table(train, labels),
            columns,
            start if train_start is None else train_start,
            end if train_end is None else train_end,
            convention=cast("Convention", convention),
            threshold=threshold,
        )
    scores = backtest(candidates, train=training, k=k)
    return Backtested(
        start=start,
        end=end,
        candidates=candidates.height,
        entries=int(candidates.get_column("entered").sum()),
        scores=scores,
    )
