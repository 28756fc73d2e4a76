"""The city's firms and an area's context are kept per store file and data version
(`commands.chains.load_context`): asked again on the same data, the same context answers; after
a write, the data is read again (issue #21, speed at a million firms)."""

from __future__ import annotations

from districtlens.commands.chains import load_context
from districtlens.store import open_store
from tests.chains.builders import JINGAN, XUHUI, Firm, write_firms
from tests.chains.test_targets import city_store  # noqa: F401  (the fixture)


def test_a_context_is_kept_until_the_data_changes(city_store):  # noqa: F811
    first = load_context(city_store, JINGAN)
    assert load_context(city_store, JINGAN) is first
    # Another area of the same city shares the city's firms read once.
    assert load_context(city_store, XUHUI).city is first.city
    # Another connection on the same file sees the same data version.
    with open_store(city_store.path, read_only=False) as other:
        assert load_context(other, JINGAN) is first
    write_firms(city_store, [Firm(9001, "新进企业", JINGAN, "2710")], source="later roster")
    after = load_context(city_store, JINGAN)
    assert after is not first
    assert after.city.height == first.city.height + 1
    assert "新进企业" in after.area_firms["name"].to_list()


def test_a_different_reference_or_year_is_a_different_context(city_store):  # noqa: F811
    by_city = load_context(city_store, JINGAN)
    assert load_context(city_store, JINGAN, against="peers") is not by_city
    assert load_context(city_store, JINGAN, year=by_city.year - 1) is not by_city
