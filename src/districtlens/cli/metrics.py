"""`districtlens metrics` and `districtlens backtest`: the regional-economics engine at the shell."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import polars as pl
import polars.selectors as cs
import typer
from rich.console import Console
from rich.table import Table

from districtlens.cli.app import app
from districtlens.cli.common import DEFAULT_DB_PATH, DbOption, JsonOption, console, emit_json, fail, store_at
from districtlens.metrics import Columns, MetricsInputError, complexity_table
from districtlens.panel import ACTIVITIES, BY, VALUES, PanelSpec, panel_from_store
from districtlens.panel.engine import PanelError

FORMATS = (".csv", ".parquet", ".json")
ConventionOption = Annotated[
    str, typer.Option("--convention", help="stata (the original Stata ecomplexity) or ecomplexity "
                      "(py-ecomplexity 0.5.3); see docs/metrics.md.")
]
ThresholdOption = Annotated[float, typer.Option("--threshold", help="RCA at or above which M = 1.")]


def read_table(path: Path, text_columns: list[str]) -> pl.DataFrame:
    """A CSV, Parquet or JSON table; label columns read as text so codes keep leading zeros."""
    if not path.exists():
        fail(f"no such file: {path}")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            header = pl.read_csv(path, n_rows=0).columns
            overrides = {c: pl.String for c in text_columns if c in header}
            return pl.read_csv(path, schema_overrides=overrides, infer_schema_length=None)
        if suffix == ".parquet":
            return pl.read_parquet(path)
        if suffix == ".json":
            return pl.read_json(path)
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        fail(f"cannot read {path}: {exc}")
    fail(f"{path}: unknown format {suffix!r}; use {', '.join(FORMATS)}")


def write_table(frame: pl.DataFrame, path: Path) -> None:
    """Write by extension; labels as plain text so that any reader gets strings."""
    frame = frame.with_columns(cs.enum().cast(pl.String))
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        frame.write_csv(path)
    elif suffix == ".parquet":
        frame.write_parquet(path)
    else:
        frame.write_json(path)


def check_out(out: Path) -> None:
    if out.suffix.lower() not in FORMATS:
        fail(f"--out {out}: unknown format {out.suffix!r}; use {', '.join(FORMATS)}")


def parse_reference(values: list[str]) -> list[str] | pl.DataFrame | None:
    """`regions:A,B,C` (a peer set) or a file of external totals (columns activity, value)."""
    if not values:
        return None
    if len(values) > 1:
        fail("give one --reference: regions:A,B,C or a file of activity totals")
    given = values[0]
    if given.startswith("regions:"):
        regions = [r for r in given.removeprefix("regions:").split(",") if r]
        if not regions:
            fail("--reference regions: lists no region")
        return regions
    table = read_table(Path(given), ["activity"])
    if not {"activity", "value"} <= set(table.columns):
        fail(f"--reference {given}: needs columns activity and value (and optionally year)")
    return table.with_columns(pl.col("activity").cast(pl.String))


@app.command("metrics")
def metrics_command(
    out: Annotated[Path, typer.Option("--out", help="Output file: .csv, .parquet or .json.")],
    file: Annotated[Path | None, typer.Argument(help="A long table (CSV, Parquet, JSON); "
                                                     "omit to read the store.")] = None,
    region: Annotated[str | None, typer.Option("--region", help="Region column (file).")] = None,
    activity: Annotated[str | None, typer.Option(
        "--activity", help="Activity column (file), or gbt4|gbt2|track (store).")] = None,
    value: Annotated[str | None, typer.Option(
        "--value", help="Value column (file), or revenue|employees|firms (store).")] = None,
    year: Annotated[str | None, typer.Option(
        "--year", help="Year column (file), or year(s) Y[,Y] to keep (store).")] = None,
    by: Annotated[str, typer.Option("--by", help="Store: district|zone|street.")] = "district",
    reference: Annotated[list[str] | None, typer.Option(
        "--reference", help="RCA reference: regions:A,B,C or a file of activity totals.")] = None,
    convention: ConventionOption = "stata",
    threshold: ThresholdOption = 1.0,
    db: DbOption = DEFAULT_DB_PATH,
) -> None:
    """RCA, presence, density, ECI, PCI, diversity, ubiquity, COI and COG for every cell."""
    check_out(out)
    ref = parse_reference(reference or [])
    if file is not None:
        missing = [n for n, v in (("--region", region), ("--activity", activity),
                                  ("--value", value)) if not v]
        if missing:
            fail(f"with a FILE, give {', '.join(missing)} (the column names)")
        frame = read_table(file, [c for c in (region, activity) if c])
        columns = Columns(region, activity, value, year)
    else:
        frame, columns = _store_panel(db, by, activity or "gbt4", value or "revenue", year)
    try:
        table = complexity_table(frame, columns, convention=convention, threshold=threshold,
                                 reference=ref)
    except MetricsInputError as exc:
        fail(str(exc))
    write_table(table, out)
    console.print(f"wrote {table.height} rows to {out}", highlight=False)


def _store_panel(db: Path, by: str, activity: str, value: str, year: str | None):
    try:
        years = tuple(int(y) for y in year.split(",")) if year else ()
    except ValueError:
        fail(f"--year {year}: with the store, give year numbers such as 2023 or 2022,2023")
    try:
        spec = PanelSpec(by=by, activity=activity, value=value, years=years)
    except PanelError as exc:
        fail(f"{exc} (store form: --by {'|'.join(BY)} --activity {'|'.join(ACTIVITIES)}"
             f" --value {'|'.join(VALUES)})")
    with store_at(db, read_only=True) as store:
        panel = panel_from_store(store.con, spec)
    if panel.height == 0:
        fail(f"the store at {db} has no {value} by {by} and {activity}"
             + (f" in {year}" if year else ""))
    return panel, Columns("region", "activity", "value", "year")


@app.command("backtest")
def backtest_command(
    file: Annotated[Path, typer.Argument(help="A long panel with at least two years.")],
    start: Annotated[int, typer.Option("--from", help="The year predictions are made in.")],
    end: Annotated[int, typer.Option("--to", help="The year entries are checked in.")],
    region: Annotated[str, typer.Option("--region", help="Region column.")] = "region",
    activity: Annotated[str, typer.Option("--activity", help="Activity column.")] = "activity",
    value: Annotated[str, typer.Option("--value", help="Value column.")] = "value",
    year: Annotated[str, typer.Option("--year", help="Year column.")] = "year",
    train: Annotated[Path | None, typer.Option(
        "--train", help="Another panel to fit the combined predictor on (same columns).")] = None,
    train_from: Annotated[int | None, typer.Option("--train-from")] = None,
    train_to: Annotated[int | None, typer.Option("--train-to")] = None,
    k: Annotated[int, typer.Option("--k", help="Candidates per region for precision@k.")] = 10,
    convention: ConventionOption = "stata",
    threshold: ThresholdOption = 1.0,
    as_json: JsonOption = False,
) -> None:
    """How well density and other predictors ranked the activities regions later entered."""
    # scikit-learn takes a second to import: only this command pays for it.
    from districtlens.metrics.backtest import backtest, panel_transitions

    columns = Columns(region, activity, value, year)
    try:
        candidates = panel_transitions(read_table(file, [region, activity]), columns, start, end,
                                       convention=convention, threshold=threshold)
        training = None
        if train is not None:
            training = panel_transitions(
                read_table(train, [region, activity]), columns,
                train_from if train_from is not None else start,
                train_to if train_to is not None else end,
                convention=convention, threshold=threshold)
        scores = backtest(candidates, train=training, k=k)
    except MetricsInputError as exc:
        fail(str(exc))
    entries = int(candidates.get_column("entered").sum())
    if as_json:
        emit_json({"from": start, "to": end, "candidates": candidates.height, "entries": entries,
                   "scores": [s.__dict__ for s in scores]})
        return
    table = Table(title=f"{file.name}: {start} -> {end}, {candidates.height} candidates, "
                        f"{entries} entries")
    for head in ("predictor", "ROC AUC", "PR AUC", f"precision@{k}"):
        table.add_column(head)
    for s in scores:
        label = f"{s.predictor} (baseline)" if s.predictor == "rca" else s.predictor
        table.add_row(label, f"{s.roc_auc:.3f}", f"{s.pr_auc:.3f}", f"{s.precision_at_k:.3f}")
    Console().print(table)
