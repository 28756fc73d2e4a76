"""Users of the web app: add or change one (role, carriers, password), disable or enable one, list
them. Each change is a new version of the user, which ends every session of it (web/auth.py)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from districtlens import accounts
from districtlens.commands.base import Args, Context, command
from districtlens.errors import InputError, NotFound, UsageError
from districtlens.store import web_users


class SaveUser(Args):
    """The password travels in the request body, once: never on a command line or standard input
    of the server."""

    username: str
    role: str
    carriers: list[str] = Field(default_factory=list)
    password: str = Field(repr=False)


class SavedUser(BaseModel):
    username: str
    role: str
    carriers: list[str]
    ledger_seq: int


class ListUsers(Args):
    pass


class NamedUser(Args):
    username: str


class UserState(BaseModel):
    username: str
    active: bool
    ledger_seq: int | None  # None: the user already was so, nothing was written


class UserRow(BaseModel):
    username: str
    role: str
    carriers: list[str]
    active: bool


class UserList(BaseModel):
    users: list[UserRow]


def check_user(username: str, role: str, carriers: list[str], known_carriers: set[str]) -> None:
    """Refuse a malformed name, an unknown role, an operator without carriers, carriers for another
    role, and a carrier id the store lacks."""
    if not accounts.USERNAME.match(username):
        raise InputError("user.bad_name", username=username)
    if role not in accounts.ROLES:
        raise InputError("user.bad_role", role=role, roles=", ".join(accounts.ROLES))
    if role == "operator" and not carriers:
        raise InputError("user.operator_without_carrier")
    if role != "operator" and carriers:
        raise InputError("user.carriers_not_operator", role=role)
    unknown = sorted(set(carriers) - known_carriers)
    if unknown:
        raise InputError("user.unknown_carriers", carriers=", ".join(unknown))


@command("users.save", writes=True)
def save(ctx: Context, args: SaveUser) -> SavedUser:
    """Add a user, or a new version of one, hashed with argon2id; a ledger entry names the change."""
    if len(args.password) < accounts.MIN_PASSWORD:
        raise UsageError("user.short_password", minimum=accounts.MIN_PASSWORD)
    carriers = sorted(set(args.carriers))
    check_user(args.username, args.role, carriers, web_users.carrier_ids(ctx.store))
    entry = web_users.save_user(
        ctx.store,
        args.username,
        role=args.role,
        carriers=carriers,
        password_hash=accounts.hash_password(args.password),
        actor=ctx.actor,
    )
    return SavedUser(username=args.username, role=args.role, carriers=carriers, ledger_seq=entry.seq)


@command("users.list", writes=False)
def list_users(ctx: Context, args: ListUsers) -> UserList:
    """The users in force: name, role, carriers, whether active."""
    return UserList(
        users=[
            UserRow(username=u.username, role=u.role, carriers=list(u.carriers), active=u.active)
            for u in web_users.list_users(ctx.store)
        ]
    )


@command("users.disable", writes=True)
def disable(ctx: Context, args: NamedUser) -> UserState:
    """Disable a user: they can no longer sign in, and their sessions end at their next request."""
    return _set_active(ctx, args.username, active=False)


@command("users.enable", writes=True)
def enable(ctx: Context, args: NamedUser) -> UserState:
    """Enable a disabled user again (their old sessions stay ended: they sign in anew)."""
    return _set_active(ctx, args.username, active=True)


def _set_active(ctx: Context, username: str, *, active: bool) -> UserState:
    user = web_users.get_user(ctx.store, username)
    if user is None:
        raise NotFound("user.not_found", username=username)
    if user.active == active:
        return UserState(username=username, active=active, ledger_seq=None)
    entry = web_users.save_user(
        ctx.store,
        username,
        role=user.role,
        carriers=list(user.carriers),
        password_hash=user.password_hash,
        actor=ctx.actor,
        active=active,
    )
    return UserState(username=username, active=active, ledger_seq=entry.seq)
