"""`districtlens demo build`: the embedded default, a synthetic store around the Jing'an pack."""

from __future__ import annotations

from typing import Annotated

import typer

from districtlens.cli.app import app
from districtlens.cli.common import (
    DEFAULT_DB_PATH,
    EXIT_REJECTED,
    DbOption,
    JsonOption,
    LangOption,
    chosen_language,
    console,
    counted,
    emit_json,
    refuse,
)
from districtlens.config import DEMO_ENTERPRISES, DEMO_SEED

demo_app = typer.Typer(help="The demo store: synthetic data around the reference district.", no_args_is_help=True)
app.add_typer(demo_app, name="demo")


@demo_app.command("build")
def demo_build(
    db: DbOption = DEFAULT_DB_PATH,
    enterprises: Annotated[int, typer.Option("--enterprises", min=100, help="How many synthetic enterprises.")] = (
        DEMO_ENTERPRISES
    ),
    seed: Annotated[int, typer.Option("--seed", help="Seed of the generator (same seed, same data).")] = DEMO_SEED,
    pack: Annotated[str, typer.Option("--pack", help="District pack (name or folder).")] = "jingan",
    replace: Annotated[bool, typer.Option("--replace", help="Delete an existing store at --db first.")] = False,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Build the demo store: the district pack, then a synthetic registry of all 16 districts (2019-2024)."""
    from districtlens.commands.demo import DEMO_USERS, build_demo, demo_password
    from districtlens.commands.runner import current_actor
    from districtlens.i18n import t

    chosen = chosen_language(lang)
    if db.exists() and not replace:
        refuse("cli.demo.exists", code=EXIT_REJECTED, path=str(db))
    with console.status(t("cli.demo.building", chosen), spinner="dots") as status:
        report = build_demo(
            db,
            actor=current_actor(),
            enterprises=enterprises,
            seed=seed,
            pack=pack,
            replace=replace,
            progress=lambda stage: status.update(t(f"progress.{stage}", chosen)),
        )
    if as_json:
        emit_json(report.as_json())
    else:
        console.print(counted("cli.demo.built", report.inserted, chosen, path=str(db)), highlight=False)
        sign_ins = ", ".join(f"{name} / {demo_password(name)}" for name, _, _ in DEMO_USERS)
        console.print(t("cli.demo.sign_in", chosen, users=sign_ins), highlight=False)
