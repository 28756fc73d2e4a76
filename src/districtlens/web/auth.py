"""Who may see what: users, argon2 passwords, sessions, CSRF tokens and the login rate limit.

Sessions live in the serving process (a random token in an HttpOnly, SameSite=Lax cookie); they
end when it stops. Every form carries a CSRF token: the session's, or before login a token that
must match the `dl_csrf` cookie (double submit). Failed logins are limited per user name and per
client address: `MAX_FAILURES` within `WINDOW_SECONDS`, then 429 until the window passes.
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

__all__ = ["ROLES", "Principal", "authenticate"]
SESSION_COOKIE = "dl_session"
CSRF_COOKIE = "dl_csrf"
LANG_COOKIE = "dl_lang"
SESSION_SECONDS = 8 * 3600
MAX_FAILURES = 5
WINDOW_SECONDS = 300

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


class LoginLimiter:
    """At most MAX_FAILURES failed logins per key within WINDOW_SECONDS."""

    def __init__(self, max_failures: int = MAX_FAILURES, window: float = WINDOW_SECONDS):
        self.max_failures = max_failures
        self.window = window
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures[key]
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def blocked(self, *keys: str) -> bool:
        now = time.time()
        with self._lock:
            return any(len(self._recent(k, now)) >= self.max_failures for k in keys)

    def failed(self, *keys: str) -> None:
        now = time.time()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, username_key: str) -> None:
        with self._lock:
            self._failures.pop(username_key, None)


def authenticate(store: Store, username: str, password: str) -> Principal | None:
    user = web_users.get_user(store, username)
    if not check_password(user.password_hash if user else None, password) or user is None or not user.active:
        return None
    return Principal(user.username, user.role, user.carriers)


def same_token(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a, b)
