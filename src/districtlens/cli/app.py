"""The Typer app every command module adds its commands to.

A refusal (`DistrictlensError`) is printed in the user's language and turned into its exit code
here, once: 1 when the input was refused, 2 for a usage error.

Every file a command creates (the store and its write-ahead log, keys, the handover file,
checkpoints, exports) is readable by its owner only while the command runs: the umask is
narrowed for the command and restored after it.
"""

import os
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperGroup

from districtlens.errors import DistrictlensError

if TYPE_CHECKING:
    from typer._click.core import Context as ClickContext  # typer's own copy of click


class ErrorsToExitCodes(TyperGroup):
    def invoke(self, ctx: "ClickContext") -> Any:
        from districtlens.cli.common import ASKED_LANGUAGE, report_error

        previous = os.umask(0o077)
        asked = ASKED_LANGUAGE.set(None)  # a command's --lang holds for that command only
        try:
            return super().invoke(ctx)
        except DistrictlensError as exc:
            report_error(exc)
            raise typer.Exit(exc.exit_code) from None
        finally:
            ASKED_LANGUAGE.reset(asked)
            os.umask(previous)


app = typer.Typer(
    name="districtlens",
    cls=ErrorsToExitCodes,
    help="A district's innovation economy: kept, measured, mapped and briefed.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
