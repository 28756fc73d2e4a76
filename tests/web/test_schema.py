"""Property-based calls of every API operation from the OpenAPI spec (schemathesis), signed in
as an analyst and as nobody: no call may end in a server error. Bounded: a few examples each."""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from tests.web.conftest import PASSWORD


@pytest.fixture(scope="module")
def schema_app(web_store):
    """An app of its own: schemathesis runs the app's lifespan, whose end closes the store it
    serves, which the session's `web_app` must keep open for the tests after this one."""
    from districtlens.web.app import create_app

    return create_app(web_store["db"])


@pytest.fixture(scope="module")
def analyst_cookie(schema_app) -> str:
    client = TestClient(schema_app)
    response = client.post("/api/login", json={"username": "analyst", "password": PASSWORD})
    assert response.status_code == 200
    return f"dl_session={client.cookies['dl_session']}"


def test_no_server_error(schema_app, analyst_cookie):
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", schema_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=6, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def call(case):
            for headers in ({"Cookie": analyst_cookie}, {}):
                response = case.call(headers=headers)
                assert response.status_code < 500, (case.method, case.formatted_path, response.text[:300])

        call()
