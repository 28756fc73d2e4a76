"""`districtlens serve` (the Commission's web app over a store) and `districtlens users`."""

from __future__ import annotations

import gc
import sys
from typing import Annotated, Any

import typer

from districtlens.cli.app import app
from districtlens.cli.common import DEFAULT_DB_PATH, DbOption, JsonOption, console, run
from districtlens.errors import StoreError

users_app = typer.Typer(help="Users of the web app: roles admin, analyst, operator, viewer.", no_args_is_help=True)
app.add_typer(users_app, name="users")


@app.command("serve")
def serve(
    db: DbOption = DEFAULT_DB_PATH,
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8765,
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
) -> None:
    """Serve the dashboard and JSON API until Ctrl-C. While it runs, write commands on the same
    store are handed to it (the server holds the store's one write connection)."""
    import uvicorn

    from districtlens.web.app import create_app

    if not db.exists():
        raise StoreError("store.missing", path=str(db))
    web = create_app(db, handover_port=port)
    web.state.server.warm_in_background()
    # Everything loaded so far (the libraries, the app) lives as long as the server: out of the
    # garbage collector's sight, a full collection takes a fifth of the time (about 120 ms ->
    # 20 ms with 1M enterprises), and those pauses were the slowest requests under load.
    gc.freeze()
    uvicorn.run(web, host=host, port=port, log_level="warning")


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="User name (letters, digits, . _ @ -).")],
    role: Annotated[str, typer.Option("--role", help="admin, analyst, operator or viewer.")],
    carrier: Annotated[
        list[str] | None, typer.Option("--carrier", help="A carrier an operator may see (repeat for more).")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
) -> None:
    """Add a user (or a new version of one: role, carriers, password), hashed with argon2id."""
    from districtlens.commands import users

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    args = users.SaveUser(username=name, role=role, carriers=list(carrier or []), password=password)

    def render(saved: Any) -> None:
        console.print(f"user {saved.username} saved as {saved.role} (ledger entry {saved.ledger_seq})")

    run(db, users.save, args, as_json=as_json, render=render)


@users_app.command("list")
def users_list(db: DbOption = DEFAULT_DB_PATH, as_json: JsonOption = False) -> None:
    """The users in force: name, role, carriers."""
    from districtlens.commands import users

    def render(found: Any) -> None:
        for user in found.users:
            typer.echo(f"{user.username}\t{user.role}\t{','.join(user.carriers)}")

    run(db, users.list_users, users.ListUsers(), as_json=as_json, render=render)
