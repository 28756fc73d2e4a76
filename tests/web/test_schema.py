"""Property-based calls of every API operation from the OpenAPI spec (schemathesis), signed in
as an analyst and as nobody: no call may end in a server error. Bounded: a few examples each."""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from tests.web.conftest import PASSWORD


@pytest.fixture(scope="module")
def analyst_cookie(web_app) -> str:
    client = TestClient(web_app)
    response = client.post("/api/login", json={"username": "analyst", "password": PASSWORD})
    assert response.status_code == 200
    return f"dl_session={client.cookies['dl_session']}"


def test_no_server_error(web_app, analyst_cookie):
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", web_app)
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
