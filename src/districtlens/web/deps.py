"""What every route needs: the server state, the signed-in principal, the language, and the
access checks. Access is decided here, for the API and the pages alike."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any, TypeVar

from fastapi import Request

from districtlens.commands import Context
from districtlens.errors import Forbidden, SignInRequired
from districtlens.web import auth
from districtlens.web.i18n import Formatter, pick_language
from districtlens.web.state import ServerState, Snapshot

T = TypeVar("T")


def state(request: Request) -> ServerState:
    return request.app.state.server


def session(request: Request) -> auth.Session | None:
    """The request's session, if it holds one whose account is as it was at sign-in: a later
    version of the account (role, password, carriers, disabled) ends every session of it."""
    sessions: auth.Sessions = request.app.state.sessions
    current = sessions.get(request.cookies.get(auth.SESSION_COOKIE))
    if current is None or auth.still_valid(current, state(request).accounts()):
        return current
    sessions.end_user(current.principal.username)
    return None


def language(request: Request) -> str:
    current = session(request)
    return pick_language(
        request.query_params.get("lang"),
        current.lang if current else None,
        request.cookies.get(auth.LANG_COOKIE),
        accept=request.headers.get("accept-language"),
    )


def formatter(request: Request) -> Formatter:
    return Formatter(language(request))


def principal(request: Request) -> auth.Principal:
    """The signed-in user, or 401."""
    current = session(request)
    if current is None:
        raise SignInRequired("web.sign_in_first")
    return current.principal


def require(permission: str):
    def check(request: Request) -> auth.Principal:
        who = principal(request)
        if not who.may(permission):
            raise Forbidden("web.forbidden.data", role={"key": who.role})
        return who

    return check


def reader(request: Request) -> Iterator[Snapshot]:
    with state(request).reader() as store:
        yield store


def today() -> date:
    return date.today()


def may_see_carrier(who: auth.Principal, carrier_id: str) -> bool:
    """Tenants of a carrier: the Commission sees all; an operator only the carriers bound to them."""
    if who.sees_all_enterprises:
        return True
    return who.role == "operator" and carrier_id in who.carriers


class LoginRequired(Exception):
    """A page asked for without a session: the app redirects to /login?next=<path>."""

    def __init__(self, next_path: str):
        self.next_path = next_path


async def check_form(request: Request):
    """A signed-in user's form: the session's CSRF token must come with it."""
    current = session(request)
    if current is None:
        raise LoginRequired("/")
    form = await request.form()
    if not auth.same_token(current.csrf, str(form.get("csrf_token", ""))):
        raise Forbidden("web.form_expired")
    return form


def run_write(server: ServerState, command: Callable[[Context, Any], T], args: Any, actor: str) -> T:
    """Run a write command (commands/) on the server's write connection as `actor`: the CLI's own
    command, so a write from the dashboard is the same write and the same ledger entry."""
    with server.writer() as store:
        return command(Context(store=store, actor=actor), args)
