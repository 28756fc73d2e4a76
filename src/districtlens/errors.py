"""One hierarchy for every refusal the product makes.

An error carries a message key and the values that fill it, never a finished English sentence:
the CLI prints it in the user's language (`DISTRICTLENS_LANG`, English by default), the API sends
the key, the values and the sentence in the language of the request, and the dashboard shows it in
the user's language. Messages live in the one catalog (`districtlens.i18n`), keyed by `key`.

The CLI turns any `DistrictlensError` into exit code 1 (`UsageError`: 2) in one place, and the
API into a 4xx in one place; nothing else catches them by kind unless it handles that kind.
"""

from __future__ import annotations

from typing import Any, ClassVar

JsonValue = str | int | float | bool | None | list[Any] | dict[str, Any]


class DistrictlensError(Exception):
    """A refusal: nothing was written. `key` names the message; `values` fill its placeholders."""

    exit_code: ClassVar[int] = 1
    http_status: ClassVar[int] = 400

    def __init__(self, key: str, **values: JsonValue):
        self.key = key
        self.values = values
        super().__init__(key)

    def message(self, lang: str = "en") -> str:
        from districtlens.i18n import t

        return t(self.key, lang, **{name: said(value, lang) for name, value in self.values.items()})

    def __str__(self) -> str:
        return self.message("en")

    def http_headers(self) -> dict[str, str]:
        """The headers an HTTP answer of this refusal carries besides its status."""
        return {}

    def as_json(self, lang: str = "en") -> dict[str, Any]:
        return {"kind": type(self).__name__, "key": self.key, "values": self.values, "message": self.message(lang)}

    @classmethod
    def from_json(cls, payload: dict[str, Any]) -> DistrictlensError:
        """The error a server answered with, as the same kind on this side."""
        kind = ERROR_KINDS.get(str(payload.get("kind")), DistrictlensError)
        return kind(str(payload["key"]), **dict(payload.get("values") or {}))


class InputError(DistrictlensError):
    """A file, a row, a definition or a value that is refused as it is."""

    http_status = 422


class UsageError(DistrictlensError):
    """Options that do not go together, or a value outside what an option takes (exit code 2)."""

    exit_code = 2
    http_status = 422


class TooLarge(InputError):
    """A file over the size a request may send."""

    http_status = 413


class SignInRequired(DistrictlensError):
    """A request without a session where one is needed."""

    http_status = 401


class TooManyAttempts(DistrictlensError):
    """Sign-ins refused for a while after too many failures; `retry_after` is in seconds."""

    http_status = 429

    def http_headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.values["retry_after"])}


class Forbidden(DistrictlensError):
    """What the user's role, carriers or form do not allow: a page, a carrier's tenants, a command
    from another machine, a form without its token."""

    http_status = 403


class NotFound(DistrictlensError):
    """Something named (an enterprise, a carrier, a track, an area, a file) that does not exist."""

    http_status = 404


class StoreError(DistrictlensError):
    """A store that cannot be opened, migrated or written as asked."""

    http_status = 409


class IntegrityError(StoreError):
    """A store, a record or a document that fails its own checks (migrations, signatures)."""


class Cancelled(DistrictlensError):
    """The caller went away before the write committed: it was rolled back."""

    http_status = 499


def said(value: JsonValue, lang: str) -> JsonValue:
    """A value as a message shows it: a nested message {"key", "values"} (a row's reason, a
    column's name) said in `lang`, a list of them one per line, an amount {"money_wan": x} by the
    language's money rule and a count {"count": n} as the locale writes numbers; any other value
    as it is. Values stay data until said, so one message serves every language."""
    if isinstance(value, dict) and isinstance(value.get("money_wan"), int | float):
        from districtlens.i18n import money

        return money(value["money_wan"], lang)
    if isinstance(value, dict) and isinstance(value.get("count"), int | float):
        from districtlens.i18n import number

        return number(value["count"], lang)
    if isinstance(value, dict) and isinstance(value.get("key"), str):
        from districtlens.i18n import t

        values = dict(value.get("values") or {})
        return t(value["key"], lang, **{name: said(inner, lang) for name, inner in values.items()})
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        return "\n".join(f"  - {said(item, lang)}" for item in value)
    return value


ERROR_KINDS: dict[str, type[DistrictlensError]] = {
    kind.__name__: kind
    for kind in (
        DistrictlensError,
        InputError,
        TooLarge,
        UsageError,
        SignInRequired,
        TooManyAttempts,
        Forbidden,
        NotFound,
        StoreError,
        IntegrityError,
        Cancelled,
    )
}
