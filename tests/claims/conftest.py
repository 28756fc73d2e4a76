import pytest

from tests.claims.demo import build_demo_store
from tests.helpers import built_once


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory, worker_id):
    return built_once(tmp_path_factory, worker_id, "claims-demo", build_demo_store) / "demo.duckdb"
