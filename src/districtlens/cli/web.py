"""`districtlens serve` (the Commission's web app over a store) and `districtlens users`."""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from districtlens.cli.app import app
from districtlens.cli.common import DEFAULT_DB_PATH, DbOption, JsonOption, LangOption, chosen_language, console, run
from districtlens.errors import StoreError, UsageError
from districtlens.i18n import t

if TYPE_CHECKING:
    import uvicorn

users_app = typer.Typer(help="Users of the web app: roles admin, analyst, operator, viewer.", no_args_is_help=True)
app.add_typer(users_app, name="users")


@app.command("serve")
def serve(
    db: DbOption = DEFAULT_DB_PATH,
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8765,
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    behind_proxy: Annotated[
        bool,
        typer.Option(
            "--behind-proxy",
            help="Trust X-Forwarded-For/-Proto from --forwarded-allow-ips (the proxy's address).",
        ),
    ] = False,
    forwarded_allow_ips: Annotated[
        str, typer.Option("--forwarded-allow-ips", help="With --behind-proxy: the proxy's addresses, comma-separated.")
    ] = "127.0.0.1",
    tls_cert: Annotated[
        Path | None, typer.Option("--tls-cert", help="Serve HTTPS with this certificate (PEM).")
    ] = None,
    tls_key: Annotated[Path | None, typer.Option("--tls-key", help="The certificate's private key (PEM).")] = None,
) -> None:
    """Serve the dashboard and JSON API until Ctrl-C. While it runs, write commands on the same
    store are handed to it (the server holds the store's one write connection). Over HTTPS (TLS
    here, or a proxy that says so with --behind-proxy) cookies are Secure and HSTS is sent."""
    import uvicorn

    from districtlens.web.app import create_app

    if not db.exists():
        raise StoreError("store.missing", path=str(db))
    if (tls_cert is None) != (tls_key is None):
        raise UsageError("serve.tls_pair")
    web = create_app(db, handover_port=port, handover_tls=tls_cert is not None)
    web.state.server.warm_in_background()
    # Everything loaded so far (the libraries, the app) lives as long as the server: out of the
    # garbage collector's sight, a full collection takes a fifth of the time (about 120 ms ->
    # 20 ms with 1M enterprises), and those pauses were the slowest requests under load.
    gc.freeze()
    config = server_config(
        web,
        host=host,
        port=port,
        behind_proxy=behind_proxy,
        forwarded_allow_ips=forwarded_allow_ips,
        tls_cert=tls_cert,
        tls_key=tls_key,
    )
    uvicorn.Server(config).run()


def server_config(
    web: Any,
    *,
    host: str,
    port: int,
    behind_proxy: bool,
    forwarded_allow_ips: str = "127.0.0.1",
    tls_cert: Path | None = None,
    tls_key: Path | None = None,
) -> uvicorn.Config:
    """uvicorn's settings. Its default trusts X-Forwarded-For from loopback, which lets anyone on
    the machine (or a proxy passing the header through) pick the address the sign-in limits count:
    forwarded headers are read only when told the server is behind a proxy."""
    import uvicorn

    return uvicorn.Config(
        web,
        host=host,
        port=port,
        log_level="warning",
        proxy_headers=behind_proxy,
        forwarded_allow_ips=forwarded_allow_ips if behind_proxy else "",
        ssl_certfile=str(tls_cert) if tls_cert else None,
        ssl_keyfile=str(tls_key) if tls_key else None,
    )


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
    lang: LangOption = None,
) -> None:
    """Add a user (or a new version of one: role, carriers, password), hashed with argon2id."""
    from districtlens.commands import users

    chosen = chosen_language(lang)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt(
            t("cli.users.password", chosen),
            hide_input=True,
            confirmation_prompt=t("cli.users.password_again", chosen),
        )
    args = users.SaveUser(username=name, role=role, carriers=list(carrier or []), password=password)

    def render(saved: Any) -> None:
        role_said = t(f"cli.users.role.{saved.role}", chosen)
        said = t("cli.users.saved", chosen, username=saved.username, role=role_said, seq=saved.ledger_seq)
        console.print(said, highlight=False)

    run(db, users.save, args, as_json=as_json, render=render)


@users_app.command("disable")
def users_disable(
    name: Annotated[str, typer.Argument(help="User name.")],
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Disable a user: no more sign-ins, and every session of theirs ends at its next request."""
    from districtlens.commands import users

    chosen = chosen_language(lang)
    args = users.NamedUser(username=name)
    run(db, users.disable, args, as_json=as_json, render=lambda state: _render_state(state, chosen))


@users_app.command("enable")
def users_enable(
    name: Annotated[str, typer.Argument(help="User name.")],
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Enable a disabled user again."""
    from districtlens.commands import users

    chosen = chosen_language(lang)
    args = users.NamedUser(username=name)
    run(db, users.enable, args, as_json=as_json, render=lambda state: _render_state(state, chosen))


def _render_state(state: Any, lang: str) -> None:
    key = "user.enabled" if state.active else "user.disabled"
    if state.ledger_seq is None:
        key += "_already"
    console.print(t(key, lang, username=state.username, seq=state.ledger_seq))


@users_app.command("list")
def users_list(db: DbOption = DEFAULT_DB_PATH, as_json: JsonOption = False, lang: LangOption = None) -> None:
    """The users in force: name, role, carriers (tab-separated, one user a line)."""
    from districtlens.commands import users

    chosen = chosen_language(lang)

    def render(found: Any) -> None:
        for user in found.users:
            state = "" if user.active else "\t" + t("user.state_disabled", chosen)
            role = t(f"cli.users.role.{user.role}", chosen)
            typer.echo(f"{user.username}\t{role}\t{','.join(user.carriers)}{state}")

    run(db, users.list_users, users.ListUsers(), as_json=as_json, render=render)
