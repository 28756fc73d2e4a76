"""`districtlens metrics` and `districtlens backtest`: the regional-economics engine at the shell."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from districtlens.cli.app import app
from districtlens.cli.common import DEFAULT_DB_PATH, DbOption, JsonOption, absolute, console, emit_json, fail, run

ConventionOption = Annotated[
    str,
    typer.Option(
        "--convention",
        help="stata (the original Stata ecomplexity) or ecomplexity (py-ecomplexity 0.5.3); see docs/metrics.md.",
    ),
]
ThresholdOption = Annotated[float, typer.Option("--threshold", help="RCA at or above which M = 1.")]


def parse_reference(values: list[str]) -> tuple[list[str] | None, Path | None]:
    """`regions:A,B,C` (a peer set) or a file of external totals (columns activity, value): the
    regions, or the file."""
    if not values:
        return None, None
    if len(values) > 1:
        fail("give one --reference: regions:A,B,C or a file of activity totals")
    given = values[0]
    if given.startswith("regions:"):
        regions = [r for r in given.removeprefix("regions:").split(",") if r]
        if not regions:
            fail("--reference regions: lists no region")
        return regions, None
    return None, absolute(Path(given))


def parse_years(year: str | None) -> tuple[int, ...]:
    try:
        return tuple(int(y) for y in year.split(",")) if year else ()
    except ValueError:
        fail(f"--year {year}: with the store, give year numbers such as 2023 or 2022,2023")


@app.command("metrics")
def metrics_command(
    out: Annotated[Path, typer.Option("--out", help="Output file: .csv, .parquet or .json.")],
    file: Annotated[
        Path | None, typer.Argument(help="A long table (CSV, Parquet, JSON); omit to read the store.")
    ] = None,
    region: Annotated[str | None, typer.Option("--region", help="Region column (file).")] = None,
    activity: Annotated[
        str | None, typer.Option("--activity", help="Activity column (file), or gbt4|gbt2|track (store).")
    ] = None,
    value: Annotated[
        str | None, typer.Option("--value", help="Value column (file), or revenue|employees|firms (store).")
    ] = None,
    year: Annotated[
        str | None, typer.Option("--year", help="Year column (file), or year(s) Y[,Y] to keep (store).")
    ] = None,
    by: Annotated[str, typer.Option("--by", help="Store: district|zone|street.")] = "district",
    reference: Annotated[
        list[str] | None, typer.Option("--reference", help="RCA reference: regions:A,B,C or a file of activity totals.")
    ] = None,
    convention: ConventionOption = "stata",
    threshold: ThresholdOption = 1.0,
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
) -> None:
    """RCA, presence, density, ECI, PCI, diversity, ubiquity, COI and COG for every cell."""
    from districtlens.commands import metrics

    regions, totals = parse_reference(reference or [])

    def report_written(done: metrics.Written) -> None:
        console.print(f"wrote {done.rows} rows to {out}", highlight=False)

    if file is None:
        args = metrics.StoreTable(
            out=absolute(out),
            by=by,
            activity=activity or "gbt4",
            value=value or "revenue",
            years=parse_years(year),
            reference_regions=regions,
            reference_totals=totals,
            convention=convention,
            threshold=threshold,
        )
        run(db, metrics.store_table, args, as_json=as_json, render=report_written)
        return
    if not (region and activity and value):
        missing = [n for n, v in (("--region", region), ("--activity", activity), ("--value", value)) if not v]
        fail(f"with a FILE, give {', '.join(missing)} (the column names)")
    from districtlens.metrics import Columns

    written = metrics.table_of_file(
        file,
        Columns(region, activity, value, year),
        out,
        reference_regions=regions,
        reference_totals=totals,
        convention=convention,
        threshold=threshold,
    )
    if as_json:
        emit_json(written.model_dump(mode="json"))
    else:
        report_written(written)


@app.command("backtest")
def backtest_command(
    file: Annotated[Path, typer.Argument(help="A long panel with at least two years.")],
    start: Annotated[int, typer.Option("--from", help="The year predictions are made in.")],
    end: Annotated[int, typer.Option("--to", help="The year entries are checked in.")],
    region: Annotated[str, typer.Option("--region", help="Region column.")] = "region",
    activity: Annotated[str, typer.Option("--activity", help="Activity column.")] = "activity",
    value: Annotated[str, typer.Option("--value", help="Value column.")] = "value",
    year: Annotated[str, typer.Option("--year", help="Year column.")] = "year",
    train: Annotated[
        Path | None, typer.Option("--train", help="Another panel to fit the combined predictor on (same columns).")
    ] = None,
    train_from: Annotated[int | None, typer.Option("--train-from")] = None,
    train_to: Annotated[int | None, typer.Option("--train-to")] = None,
    k: Annotated[int, typer.Option("--k", help="Candidates per region for precision@k.")] = 10,
    convention: ConventionOption = "stata",
    threshold: ThresholdOption = 1.0,
    as_json: JsonOption = False,
) -> None:
    """How well density and other predictors ranked the activities regions later entered."""
    from districtlens.commands.metrics import backtest_files
    from districtlens.metrics import Columns

    found = backtest_files(
        file,
        Columns(region, activity, value, year),
        start,
        end,
        train=train,
        train_start=train_from,
        train_end=train_to,
        k=k,
        convention=convention,
        threshold=threshold,
    )
    if as_json:
        emit_json(
            {
                "from": found.start,
                "to": found.end,
                "candidates": found.candidates,
                "entries": found.entries,
                "scores": [s.__dict__ for s in found.scores],
            }
        )
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{file.name}: {start} -> {end}, {found.candidates} candidates, {found.entries} entries")
    for head in ("predictor", "ROC AUC", "PR AUC", f"precision@{k}"):
        table.add_column(head)
    for s in found.scores:
        label = f"{s.predictor} (baseline)" if s.predictor == "rca" else s.predictor
        table.add_row(label, f"{s.roc_auc:.3f}", f"{s.pr_auc:.3f}", f"{s.precision_at_k:.3f}")
    Console().print(table)
