"""The `districtlens` command line: one Typer app, one module per area of the product."""

import typer

app = typer.Typer(
    name="districtlens",
    help="A district's innovation economy: kept, measured, mapped and briefed.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

# Each module adds its commands to `app` when imported.
from districtlens.cli import store_commands
from districtlens.cli import demo
from districtlens.cli import resolve
from districtlens.cli import metrics
from districtlens.cli import chains
from districtlens.cli import carriers
from districtlens.cli import claims
from districtlens.cli import brief
from districtlens.cli import web
