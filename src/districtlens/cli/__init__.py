"""The `districtlens` command line: one Typer app (`cli.app`), one module per area of the product.

Each command parses its options, runs a command of the command layer (districtlens.commands) and
renders the result (cli.common.run).
"""

from districtlens.cli.app import app

# Each module adds its commands to `app` when imported.
from districtlens.cli import store_commands
from districtlens.cli import demo
from districtlens.cli import resolve
from districtlens.cli import metrics
from districtlens.cli import chains
from districtlens.cli import carriers
from districtlens.cli import claims
from districtlens.cli import reading
from districtlens.cli import brief
from districtlens.cli import web
from districtlens.cli import statistics
from districtlens.cli import pools
from districtlens.cli import leads
from districtlens.cli import scenarios

__all__ = ["app"]
