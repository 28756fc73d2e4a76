"""Accounts of the web app: roles, user names, and argon2id password hashes.

A leaf module: the command layer checks and hashes, the store keeps the versions, the web signs in.
"""

from __future__ import annotations

import re
import secrets
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from argon2 import PasswordHasher

ROLES = ("admin", "analyst", "operator", "viewer")
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD = 8


@cache
def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher

    return PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


@cache
def _dummy_hash() -> str:
    """A hash to verify against when the user does not exist, so both cases take the same time."""
    return hash_password(secrets.token_urlsafe(16))


def check_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches `password_hash`; a missing user (None) costs the same and fails."""
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
