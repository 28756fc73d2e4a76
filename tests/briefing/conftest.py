import pytest

from tests.claims.demo import demo_store


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory):
    return demo_store(tmp_path_factory.mktemp("claims-demo"))
