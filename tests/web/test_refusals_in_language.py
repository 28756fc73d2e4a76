"""Every refusal of the dashboard and the API is said in the reader's language: a demoted or
curious user is told no in French or Chinese, never in a leftover English sentence."""

from __future__ import annotations

import html

import pytest

from districtlens.errors import DistrictlensError
from districtlens.i18n import t
from tests.helpers import make_uscc
from tests.web.conftest import OTHER_CARRIER

# (who asks, method, path, status, message key, values the message takes as said in the language)
REFUSALS = [
    ("viewer", "GET", "/targets", 403, "web.forbidden.page", {"role": "viewer"}),
    ("viewer", "GET", "/data", 403, "web.forbidden.page", {"role": "viewer"}),
    ("viewer", "GET", "/api/targets/data-intelligence", 403, "web.forbidden.data", {"role": "viewer"}),
    ("operator", "GET", f"/api/carriers/{OTHER_CARRIER}/tenants", 403, "web.forbidden.carrier", {}),
    ("operator", "GET", f"/carriers?carrier={OTHER_CARRIER}", 403, "web.forbidden.carrier", {}),
    ("operator", "GET", f"/api/enterprises/{make_uscc(1_234_567)}", 403, "web.forbidden.tenant", {}),
    ("anonymous", "GET", "/api/overview", 401, "web.sign_in_first", {}),
    ("analyst", "GET", f"/api/enterprises/{make_uscc(1_234_567)}", 404, "web.unknown_enterprise", None),
    ("analyst", "GET", "/api/carriers/no-such-park/tenants", 404, "web.no_carrier", None),
    ("analyst", "GET", "/api/chains/biopharma/links/no-such-link/firms", 404, "web.unknown_link", None),
    ("analyst", "POST", "/logout", 403, "web.form_expired", {}),
    ("anonymous", "POST", "/internal/commands/ledger-verify", 403, "web.forbidden.loopback", {}),
]


@pytest.mark.parametrize("lang", ["fr", "zh"])
@pytest.mark.parametrize(("who", "method", "path", "status", "key", "values"), REFUSALS, ids=lambda v: str(v))
def test_a_refusal_is_said_in_the_reader_s_language(clients, lang, who, method, path, status, key, values):
    sep = "&" if "?" in path else "?"
    response = clients[who].request(method, f"{path}{sep}lang={lang}", data={"a": "b"})
    assert response.status_code == status, response.text[:300]
    if response.headers["content-type"].startswith("application/json"):
        error = response.json()["error"]
        assert error["key"] == key
        refusal = DistrictlensError(key, **error["values"])
        text = response.json()["detail"]
    else:
        refusal = DistrictlensError(key, **{name: {"key": value} for name, value in values.items()})
        text = html.unescape(response.text)
    assert refusal.message(lang) in text
    assert refusal.message("en") not in text


@pytest.mark.parametrize("lang", ["fr", "zh"])
def test_an_invalid_api_parameter_is_said_in_the_reader_s_language(clients, lang):
    response = clients["analyst"].get(f"/api/enterprises?q=&limit=-3&lang={lang}")
    assert response.status_code == 422
    (problem,) = response.json()["detail"]
    assert problem["loc"] == ["query", "limit"]
    assert problem["msg"] == t("web.invalid.greater_than_equal", lang, field="limit", ge=1, value="-3")


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_another_site_cannot_sign_a_visitor_in_through_the_api(web_app, content_type):
    """A page elsewhere may make a browser post a JSON-looking body to /api/login as a form or as
    text/plain, without asking: that post must not sign in and set a session."""
    from fastapi.testclient import TestClient

    from tests.web.conftest import PASSWORD

    visitor = TestClient(web_app)
    headers = {} if content_type is None else {"content-type": content_type}
    body = f'{{"username": "analyst", "password": "{PASSWORD}"}}'.encode()
    response = visitor.post("/api/login", content=body, headers=headers)
    assert response.status_code == 422
    assert "set-cookie" not in response.headers
    assert visitor.get("/api/me").status_code == 401
    signed = visitor.post("/api/login", content=body, headers={"content-type": "application/json"})
    assert signed.status_code == 200 and visitor.get("/api/me").status_code == 200


@pytest.mark.parametrize("lang", ["fr", "zh"])
def test_a_refused_sign_in_is_said_in_the_reader_s_language(web_app, lang):
    import re

    from fastapi.testclient import TestClient

    visitor = TestClient(web_app)
    body = b'{"username": "nobody-here", "password": "not this"}'
    answer = visitor.post(f"/api/login?lang={lang}", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 401
    assert answer.json()["detail"] == t("web.sign_in.wrong", lang)
    page = visitor.get(f"/login?lang={lang}")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    form = {"username": "nobody-here", "password": "not this", "csrf_token": token, "next": "/"}
    refused = visitor.post(f"/login?lang={lang}", data=form, follow_redirects=False)
    assert refused.status_code == 401
    assert t("web.sign_in.wrong", lang) in html.unescape(refused.text)
    assert t("web.sign_in.wrong", "en") not in refused.text
