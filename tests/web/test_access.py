"""Access to the JSON API, role by role: a matrix over every route, 401 without a session, 403 for a
role that may not see a route, and a park operator kept to their own tenants however they ask."""

from __future__ import annotations

import pytest

from tests.helpers import make_uscc
from tests.web.conftest import MARKUP_USCC, OTHER_CARRIER, OWN_CARRIER

ALL = {"admin", "analyst", "operator", "viewer"}
COMMISSION = {"admin", "analyst"}


def routes(store: dict) -> list[tuple[str, str, set[str]]]:
    """(route template as in the OpenAPI spec, concrete path, roles allowed)."""
    own, other = store["own_tenants"][0], store["other_tenants"][0]
    return [
        ("/api/me", "/api/me", ALL),
        ("/api/overview", "/api/overview", ALL),
        ("/api/indicators", "/api/indicators", ALL),
        ("/api/industries", "/api/industries?division=65", ALL),
        ("/api/map", "/api/map", ALL),
        ("/api/industry-mix", "/api/industry-mix", ALL),
        ("/api/relatedness", "/api/relatedness", ALL),
        ("/api/map/districts.geojson", "/api/map/districts.geojson", ALL),
        ("/api/chains", "/api/chains", ALL),
        ("/api/chains/{track}", "/api/chains/data-intelligence", ALL),
        (
            "/api/chains/{track}/links/{link_id}/firms",
            "/api/chains/biopharma/links/rd-cro-cdmo/firms",
            COMMISSION | {"operator"},
        ),
        ("/api/targets/{track}", "/api/targets/data-intelligence", COMMISSION),
        ("/api/targets/{track}/export.xlsx", "/api/targets/data-intelligence/export.xlsx", COMMISSION),
        ("/api/enterprises", "/api/enterprises?q=", COMMISSION | {"operator"}),
        ("/api/enterprises/{uscc}", f"/api/enterprises/{own}", COMMISSION | {"operator"}),
        ("/api/enterprises/{uscc}", f"/api/enterprises/{other}", COMMISSION),
        ("/api/carriers", "/api/carriers", ALL),
        ("/api/carriers/{carrier_id}/tenants", f"/api/carriers/{OWN_CARRIER}/tenants", COMMISSION | {"operator"}),
        ("/api/carriers/{carrier_id}/tenants", f"/api/carriers/{OTHER_CARRIER}/tenants", COMMISSION),
        ("/api/claims", "/api/claims", ALL),
        ("/api/data", "/api/data", COMMISSION),
        ("/api/data/verify", "/api/data/verify", COMMISSION),
    ]


def test_the_matrix_covers_every_api_route(web_app, web_store):
    spec = web_app.openapi()
    served = {path for path, ops in spec["paths"].items() if "get" in ops}
    assert served == {template for template, _, _ in routes(web_store)}


@pytest.mark.parametrize("role", ["anonymous", "admin", "analyst", "operator", "viewer"])
def test_each_role_against_each_route(clients, web_store, role):
    for _, path, allowed in routes(web_store):
        response = clients[role].get(path)
        expected = 401 if role == "anonymous" else 200 if role in allowed else 403
        assert response.status_code == expected, (role, path, response.text[:200])


def test_an_operator_sees_exactly_their_tenants(clients, web_store):
    found = clients["operator"].get("/api/enterprises", params={"q": "", "limit": 200}).json()
    assert sorted(e["uscc"] for e in found["enterprises"]) == sorted(web_store["own_tenants"])
    assert found["total"] == len(web_store["own_tenants"])
    tenants = clients["operator"].get(f"/api/carriers/{OWN_CARRIER}/tenants").json()["tenants"]
    assert sorted(t["uscc"] for t in tenants) == sorted(web_store["own_tenants"])


def test_an_operator_guessing_ids_learns_nothing(clients, web_store):
    operator = clients["operator"]
    guesses = [*web_store["other_tenants"], make_uscc(1_234_567), MARKUP_USCC, "X" * 18]
    bodies = set()
    for uscc in guesses:
        response = operator.get(f"/api/enterprises/{uscc}")
        assert response.status_code == 403
        bodies.add(response.text)
    # Existing and made-up codes are refused alike: the answer does not say which exist.
    assert len(bodies) == 1
    for carrier in (OTHER_CARRIER, "no-such-park", "shibei-hi-tech-park"):
        response = operator.get(f"/api/carriers/{carrier}/tenants")
        assert response.status_code == 403
        assert "tenants" not in response.json()
    for other in web_store["other_tenants"]:
        found = operator.get("/api/enterprises", params={"q": other}).json()
        assert found["total"] == 0 and found["enterprises"] == []
    # The other park's tenants do not surface through a chain link either.
    firms = operator.get("/api/chains/data-intelligence").json()
    assert all(set(web_store["other_tenants"]).isdisjoint(str(n)) for n in firms["nodes"])


def test_the_commission_sees_both_parks(clients, web_store):
    for carrier, tenants in ((OWN_CARRIER, "own_tenants"), (OTHER_CARRIER, "other_tenants")):
        found = {t["uscc"] for t in clients["analyst"].get(f"/api/carriers/{carrier}/tenants").json()["tenants"]}
        # other_tenants leaves out the firms that lease in both parks
        assert set(web_store[tenants]) <= found
    assert clients["admin"].get("/api/carriers/no-such-park/tenants").status_code == 404


def test_guessing_carrier_ids_takes_no_room_in_the_answer_cache(clients, web_app):
    cache = web_app.state.server.cache
    assert clients["analyst"].get(f"/api/carriers/{OWN_CARRIER}/tenants").status_code == 200
    before = len(cache._items)
    for guess in range(20):
        assert clients["analyst"].get(f"/api/carriers/guess-{guess}/tenants").status_code == 404
    assert len(cache._items) == before
    assert not [key for key in cache._items if "guess-" in repr(key)]


def test_small_cells_are_suppressed_for_viewers(clients):
    small_seen = False
    for division in ("27", "65", "66", "72"):
        full = clients["analyst"].get("/api/industries", params={"division": division}).json()["rows"]
        public_rows = clients["viewer"].get("/api/industries", params={"division": division}).json()["rows"]
        shown = {r["code"]: r for r in public_rows}
        for row in full:
            public = shown[row["code"]]
            if 0 < row["enterprises"] < 3:
                small_seen = True
                assert public["suppressed"] and public["enterprises"] is None and public["revenue"] is None
            elif not public.get("suppressed"):  # secondary suppressions: tests/web/test_disclosure.py
                assert public["enterprises"] == row["enterprises"]
    assert small_seen, "the test store should hold at least one class with one or two enterprises"


def test_a_viewer_gets_no_enterprise_evidence_with_claims(clients):
    full = clients["analyst"].get("/api/claims").json()["claims"]
    public = clients["viewer"].get("/api/claims").json()["claims"]
    assert [c["id"] for c in full] == [c["id"] for c in public]
    assert all(set(c["evidence"]) <= {"ledger_head"} for c in public)


def test_pages_follow_the_same_rules(clients):
    assert clients["anonymous"].get("/", follow_redirects=False).status_code == 303
    assert clients["viewer"].get("/targets").status_code == 403
    assert clients["viewer"].get("/enterprises").status_code == 403
    assert clients["operator"].get(f"/carriers?carrier={OTHER_CARRIER}").status_code == 403
    assert clients["operator"].get(f"/carriers?carrier={OWN_CARRIER}").status_code == 200
    assert clients["viewer"].get("/data").status_code == 403
    assert clients["analyst"].get("/data").status_code == 200
