"""The `districtlens` command line: one Typer app, one module per area of the product.

Each command parses its options, runs a command of the command layer (districtlens.commands) and
renders the result. A refusal (`DistrictlensError`) is printed in the user's language and turned
into its exit code here, once: 1 when the input was refused, 2 for a usage error.
"""

from typing import Any

import click
import typer
from typer.core import TyperGroup

from districtlens.errors import DistrictlensError


class ErrorsToExitCodes(TyperGroup):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DistrictlensError as exc:
            from districtlens.cli.common import report_error

            report_error(exc)
            raise typer.Exit(exc.exit_code) from None


app = typer.Typer(
    name="districtlens",
    cls=ErrorsToExitCodes,
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
