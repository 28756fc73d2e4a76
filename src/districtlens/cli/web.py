"""`districtlens serve` (the Commission's web app over a store) and `districtlens users`."""

from __future__ import annotations

import gc
from typing import Annotated

import typer

from districtlens.cli import app
from districtlens.cli.common import (
    DEFAULT_DB_PATH,
    EXIT_USAGE,
    DbOption,
    JsonOption,
    console,
    emit_json,
    fail,
    read_stdin,
    store_at,
)
from districtlens.store.db import StoreError

users_app = typer.Typer(help="Users of the web app: roles admin, analyst, operator, viewer.", no_args_is_help=True)
app.add_typer(users_app, name="users")
MIN_PASSWORD = 8


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
        fail(f"no store at {db}: build one with `districtlens demo build --db {db}`")
    try:
        web = create_app(db, handover_port=port)
    except StoreError as exc:
        fail(f"{exc}\nanother process holds the store: stop it first")
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
    from districtlens.importer import actor
    from districtlens.store.web_users import save_user
    from districtlens.web.auth import hash_password

    if password_stdin:
        password = read_stdin().rstrip("\r\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD:
        fail(f"the password needs at least {MIN_PASSWORD} characters", code=EXIT_USAGE)
    with store_at(db) as store:
        try:
            entry = save_user(store, name, role=role, carriers=list(carrier or []),
                              password_hash=hash_password(password), actor=actor())
        except StoreError as exc:
            fail(str(exc))
    if as_json:
        emit_json({"username": name, "role": role, "carriers": sorted(set(carrier or [])), "ledger_seq": entry.seq})
    else:
        console.print(f"user {name} saved as {role} (ledger entry {entry.seq})")


@users_app.command("list")
def users_list(db: DbOption = DEFAULT_DB_PATH, as_json: JsonOption = False) -> None:
    """The users in force: name, role, carriers."""
    from districtlens.store.web_users import list_users

    with store_at(db, read_only=True) as store:
        users = [{"username": u.username, "role": u.role, "carriers": list(u.carriers), "active": u.active}
                 for u in list_users(store)]
    if as_json:
        emit_json({"users": users})
        return
    for user in users:
        typer.echo(f"{user['username']}\t{user['role']}\t{','.join(user['carriers'])}")
