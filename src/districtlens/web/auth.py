"""Who may see what: users, argon2 passwords, sessions, CSRF tokens and the login rate limit.

Sessions live in the serving process (a random token in an HttpOnly, SameSite=Lax cookie); they
end when it stops. A session holds the version of the account it signed in as: any later version
(a new password, role or carriers, or the account disabled) ends it on its next request. Every
form carries a CSRF token: the session's, or before login a token that must match the `dl_csrf`
cookie (double submit).

Failed sign-ins are limited so that a guesser is slowed without a stranger locking the owner out
(`LoginLimiter`): per (account, address) and per address, a few failures then 429 until the window
passes; per account, failures from addresses that never signed in to it earn a growing back-off
that the addresses it did sign in from do not share.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

from districtlens.accounts import ROLES, check_password
from districtlens.store import Store, web_users
from districtlens.web.background import HASHING

__all__ = ["ROLES", "Principal", "authenticate"]
SESSION_COOKIE = "dl_session"
CSRF_COOKIE = "dl_csrf"
LANG_COOKIE = "dl_lang"
SESSION_SECONDS = 8 * 3600
MAX_FAILURES = 5  # per (account, address) within WINDOW_SECONDS
ADDRESS_FAILURES = 30  # per address, over every account, within WINDOW_SECONDS
WINDOW_SECONDS = 300
# Per account, from addresses it never signed in from: this many failures within ACCOUNT_WINDOW are
# free, then each more waits 2, 4, 8 ... seconds (at most BACKOFF_CAP) after the latest one.
ACCOUNT_FREE_FAILURES = 10
ACCOUNT_WINDOW = 3600
BACKOFF_CAP = 300

# What each role may reach. "enterprise" = enterprise-level figures (operators: their tenants only);
# "aggregate" = district and industry aggregates (suppressed below MIN_CELL for restricted roles).
PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset({"aggregate", "enterprise", "targets", "data", "tenants", "users"}),
    "analyst": frozenset({"aggregate", "enterprise", "targets", "data", "tenants"}),
    "operator": frozenset({"aggregate", "enterprise", "tenants"}),
    "viewer": frozenset({"aggregate"}),
}
# Cells (district x industry, chain links, carriers) with fewer enterprises than this are
# suppressed for roles that see aggregates only: a figure of one or two firms is theirs.
MIN_CELL = 3


@dataclass(frozen=True)
class Principal:
    """The signed-in user, as requests see them."""

    username: str
    role: str
    carriers: tuple[str, ...]
    version: int  # of the account when it signed in: a later version ends the session

    def may(self, permission: str) -> bool:
        return permission in PERMISSIONS[self.role]

    @property
    def restricted(self) -> bool:
        """Sees aggregates with small cells suppressed (not the Commission)."""
        return self.role in ("operator", "viewer")

    @property
    def sees_all_enterprises(self) -> bool:
        return self.role in ("admin", "analyst")


@dataclass
class Session:
    principal: Principal
    csrf: str
    expires: float
    lang: str | None = None


@dataclass
class Sessions:
    _items: dict[str, Session] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def create(self, principal: Principal, lang: str | None) -> str:
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._items[token] = Session(principal, secrets.token_urlsafe(32), time.time() + SESSION_SECONDS, lang)
        return token

    def get(self, token: str | None) -> Session | None:
        if not token:
            return None
        with self._lock:
            session = self._items.get(token)
            if session is None:
                return None
            if session.expires < time.time():
                del self._items[token]
                return None
            return session

    def end(self, token: str | None) -> None:
        with self._lock:
            self._items.pop(token or "", None)

    def end_user(self, username: str) -> int:
        """End every session of `username` (its account changed); how many ended."""
        with self._lock:
            ended = [t for t, s in self._items.items() if s.principal.username == username]
            for token in ended:
                del self._items[token]
        return len(ended)


def still_valid(session: Session, accounts: dict[str, tuple[int, bool]]) -> bool:
    """Whether the account is as it was at sign-in: same version, still active."""
    return accounts.get(session.principal.username) == (session.principal.version, True)


class LoginLimiter:
    """Failed sign-ins, kept in the serving process. `retry_after` says how long an attempt on
    (account, address) must wait, None when it may go ahead:

    - (account, address): MAX_FAILURES within WINDOW_SECONDS, then wait for the window. A stranger
      exhausting it for their own address leaves every other address alone;
    - address: ADDRESS_FAILURES over all accounts within WINDOW_SECONDS (one address spraying names);
    - account: failures from addresses the account never signed in from, ACCOUNT_FREE_FAILURES
      free within ACCOUNT_WINDOW, then a doubling back-off after the latest. A guesser rotating
      addresses is slowed to a crawl; the owner, at an address they signed in from, is not.
    """

    def __init__(self) -> None:
        self._failures: dict[tuple[str, ...], deque[float]] = defaultdict(deque)
        self._known: dict[str, set[str]] = defaultdict(set)  # account -> addresses it signed in from
        # account -> when an attempt over its free failures last went ahead: parallel attempts
        # from unknown addresses wait for each other's back-off, not only for failures recorded.
        self._last_try: dict[str, float] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, ...], now: float, window: float) -> deque[float]:
        """The failures of `key` within `window`. A key whose failures all passed is forgotten:
        names and addresses made up by a guesser take no memory once their window is over."""
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - window:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def retry_after(self, account: str, address: str, now: float | None = None) -> float | None:
        now = time.time() if now is None else now
        with self._lock:
            for key, limit in ((("pair", account, address), MAX_FAILURES), (("address", address), ADDRESS_FAILURES)):
                times = self._recent(key, now, WINDOW_SECONDS)
                if len(times) >= limit:
                    return times[-limit] + WINDOW_SECONDS - now
            if address in self._known.get(account, ()):
                return None
            times = self._recent(("account", account), now, ACCOUNT_WINDOW)
            if not times:
                self._last_try.pop(account, None)
            excess = len(times) - ACCOUNT_FREE_FAILURES + 1
            if excess > 0:
                latest = max(times[-1], self._last_try.get(account, 0.0))
                wait = min(2.0**excess, BACKOFF_CAP) - (now - latest)
                if wait > 0:
                    return wait
                self._last_try[account] = now
            return None

    def failed(self, account: str, address: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self._lock:
            keys = [("pair", account, address), ("address", address)]
            if address not in self._known.get(account, ()):
                keys.append(("account", account))
            for key in keys:
                self._failures[key].append(now)

    def succeeded(self, account: str, address: str) -> None:
        with self._lock:
            self._failures.pop(("pair", account, address), None)
            self._known[account].add(address)


def authenticate(store: Store, username: str, password: str) -> Principal | None:
    user = web_users.get_user(store, username)
    matches = HASHING.run(check_password, user.password_hash if user else None, password)
    if not matches or user is None or not user.active:
        return None
    return Principal(user.username, user.role, user.carriers, user.version)


def same_token(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    return hmac.compare_digest(a, b)
