"""`districtlens metrics` and `districtlens backtest`: the regional-economics engine at the shell."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from districtlens.cli.app import app
from districtlens.cli.common import (
    DEFAULT_DB_PATH,
    DbOption,
    JsonOption,
    absolute,
    console,
    emit_json,
    fail,
    language,
    run,
)

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


panel_app = typer.Typer(help="Long panels (region, activity, value, year) from published tables.", no_args_is_help=True)
app.add_typer(panel_app, name="panel")


@panel_app.command("from-cbp")
def panel_from_cbp_command(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Yearly County Business Patterns files (Fips, Naics, "
            "Establishments, ...); the year is read from each name."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="The panel: .csv, .parquet or .json.")],
    value: Annotated[str, typer.Option("--value", help="Establishments, Employees or Payroll.")] = "Establishments",
    as_json: JsonOption = False,
) -> None:
    """One long panel (region, activity, value, year) from yearly CBP county files."""
    from districtlens.commands.metrics import panel_from_cbp

    written = panel_from_cbp([absolute(f) for f in files], absolute(out), value=value)
    if as_json:
        emit_json(written.model_dump(mode="json"))
    else:
        console.print(f"wrote {written.rows} rows to {out}", highlight=False)


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
        list[str] | None,
        typer.Option(
            "--train",
            help="A panel to fit the combined predictor on (same columns): FILE:FROM:TO, or FILE "
            "with --train-from/--train-to. Repeatable.",
        ),
    ] = None,
    train_from: Annotated[int | None, typer.Option("--train-from")] = None,
    train_to: Annotated[int | None, typer.Option("--train-to")] = None,
    model: Annotated[
        Path | None, typer.Option("--model", help="A model saved with --save-model (instead of --train).")
    ] = None,
    save_model: Annotated[
        Path | None,
        typer.Option("--save-model", help="Save the fitted model, its training panels, periods and scores (skops)."),
    ] = None,
    resamples: Annotated[int, typer.Option("--bootstrap", help="Bootstrap draws for the intervals.")] = 200,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the model and of the bootstrap.")] = 0,
    k: Annotated[int, typer.Option("--k", help="Candidates per region for precision@k.")] = 10,
    convention: ConventionOption = "stata",
    threshold: ThresholdOption = 1.0,
    as_json: JsonOption = False,
) -> None:
    """How well density and other predictors ranked the activities regions later entered."""
    from districtlens.commands.metrics import backtest_files, parse_train
    from districtlens.errors import DistrictlensError
    from districtlens.metrics import Columns

    try:
        trains = [parse_train(t) for t in train or []]
    except DistrictlensError as exc:
        fail(exc.message(language()))
    found = backtest_files(
        absolute(file),
        Columns(region, activity, value, year),
        start,
        end,
        trains=[type(t)(absolute(t.file), t.start, t.end) for t in trains],
        train_start=train_from,
        train_end=train_to,
        k=k,
        convention=convention,
        threshold=threshold,
        model_file=absolute(model) if model else None,
        save_to=absolute(save_model) if save_model else None,
        resamples=resamples,
        seed=seed,
    )
    if as_json:
        emit_json(
            {
                "from": found.start,
                "to": found.end,
                "candidates": found.candidates,
                "entries": found.entries,
                "scores": [s.__dict__ for s in found.scores],
                "brier": found.brier,
                "reliability": found.reliability,
                "differences": [d.__dict__ for d in found.differences],
                "winners": found.winners,
                "training": found.training,
                "model_file": found.model_file,
                "bootstrap": {"resamples": resamples, "seed": seed, "level": 0.95},
                "sign_convention": found.sign_convention,
            }
        )
        return
    render_backtest(file.name, found, k, resamples, seed)


def render_backtest(name: str, found: object, k: int, resamples: int, seed: int) -> None:
    """The scores, the winner of each measure, the differences and the reliability table."""
    from rich.console import Console
    from rich.table import Table

    from districtlens.commands.metrics import Backtested

    assert isinstance(found, Backtested)
    out = Console()
    table = Table(title=f"{name}: {found.start} -> {found.end}, {found.candidates} candidates, {found.entries} entries")
    for head in ("predictor", "ROC AUC", "PR AUC", f"precision@{k}"):
        table.add_column(head)
    for s in found.scores:
        label = f"{s.predictor} (baseline)" if s.predictor == "rca" else s.predictor
        if s.roc_auc < 0.5:
            label += " (low predicts entry)"
        table.add_row(label, f"{s.roc_auc:.3f}", f"{s.pr_auc:.3f}", f"{s.precision_at_k:.3f}")
    out.print(table)
    out.print("winners: " + ", ".join(f"{m} {w}" for m, w in found.winners.items()), highlight=False)
    out.print(f"sign convention: {found.sign_convention}", highlight=False)
    for t in found.training:
        out.print(f"trained on {t.get('file')} {t.get('from')} -> {t.get('to')}", highlight=False)
    if found.differences:
        diff = Table(title=f"combined minus each predictor, 95% paired bootstrap ({resamples} draws, seed {seed})")
        for head in ("against", "measure", "difference", "interval"):
            diff.add_column(head)
        for d in found.differences:
            diff.add_row(d.against, d.measure, f"{d.difference:+.3f}", f"[{d.low:+.3f}, {d.high:+.3f}]")
        out.print(diff)
    if found.brier is not None:
        rel = Table(title=f"calibration of the combined predictor: Brier score {found.brier:.4f}")
        for head in ("probability from", "to", "candidates", "mean predicted", "observed share"):
            rel.add_column(head)
        for b in found.reliability:
            rel.add_row(
                f"{b['low']:.3f}",
                f"{b['high']:.3f}",
                str(int(b["count"])),
                f"{b['predicted']:.3f}",
                f"{b['observed']:.3f}",
            )
        out.print(rel)


model_app = typer.Typer(
    help="The entry model `targets --opportunities` ranks by, kept in the store.", no_args_is_help=True
)
app.add_typer(model_app, name="entry-model")


@model_app.command("set")
def entry_model_set(
    file: Annotated[Path, typer.Argument(help="A skops file written by backtest --save-model.")],
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
) -> None:
    """Keep an entry model in the store (a new, ledgered version): targets --opportunities ranks by it."""
    from districtlens.commands.metrics import SetEntryModel, set_entry_model

    run(db, set_entry_model, SetEntryModel(file=absolute(file)), as_json=as_json, render=_print_entry_model)


@model_app.command("show")
def entry_model_show(db: DbOption = DEFAULT_DB_PATH, as_json: JsonOption = False) -> None:
    """The entry model in force in the store, or none."""
    from districtlens.commands.metrics import NoArgs, show_entry_model

    run(db, show_entry_model, NoArgs(), as_json=as_json, render=lambda shown: _print_entry_model(shown.model))


def _print_entry_model(info: object) -> None:
    from districtlens.commands.metrics import EntryModelInfo

    if not isinstance(info, EntryModelInfo):
        console.print(
            "No entry model is stored: targets --opportunities ranks by relatedness density.", highlight=False
        )
        return
    console.print(
        f"entry model version {info.version}: {info.file_name} (sha256 {info.model_sha256[:12]}), "
        f"set {info.valid_from}; {info.convention} convention, threshold {info.threshold}",
        highlight=False,
    )
    for panel in info.training:
        counts = (
            f": {panel['candidates']} candidates, {panel['entries']} entries"
            if "candidates" in panel and "entries" in panel
            else ""
        )
        console.print(
            f"  trained on {panel.get('file', '?')} {panel.get('from', '?')}-{panel.get('to', '?')}{counts}",
            highlight=False,
        )
