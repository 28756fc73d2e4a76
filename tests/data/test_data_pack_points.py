"""The pack's carriers: placeholders labelled as such in every language, and points with a source."""

import shutil

import pytest
import yaml

from districtlens.i18n import LANGUAGES, t
from districtlens.ingest.packs import PackError, load_pack, pack_rows


@pytest.fixture(scope="module")
def pack():
    return load_pack("jingan")


def test_placeholders_carry_the_placeholder_label_in_every_language(pack):
    placeholders = [c for c in pack.carriers if c.synthetic]
    assert len(placeholders) == 32
    for carrier in placeholders:
        number = int(carrier.id.rsplit("-", 1)[1])
        for lang in LANGUAGES:
            name = getattr(carrier.names, lang)
            assert "unnamed" not in name
            # The label is the catalog's, around the group's name in that language.
            label = t("pack.placeholder_carrier", lang, kind="\0", n=number)
            before, after = label.split("\0")
            assert name.startswith(before) and name.endswith(after) and len(name) > len(label) - 1


def test_carriers_the_source_names_keep_their_names(pack):
    named = [c for c in pack.carriers if not c.synthetic]
    assert {c.id for c in named} >= {"shanghai-icampus", "shibei-hi-tech-park", "shanghai-data-chain-valley"}
    placeholder = t("pack.placeholder_carrier", "en", kind="", n=1).strip()
    assert not any(placeholder in c.names.en for c in named)


def test_zones_and_carriers_keep_their_points_in_the_store_rows(pack):
    rows = pack_rows(pack).rows
    # No public source at hand gives their coordinates: the points are left empty, not guessed.
    assert all(row[-2:] == [None, None] for row in rows["zone"])
    assert all(c.lon is None and c.lat is None for c in pack.carriers)


def _copy_with(tmp_path, pack, edit):
    folder = tmp_path / "pack"
    shutil.copytree(pack.path, folder)
    doc = yaml.safe_load((folder / "pack.yaml").read_text(encoding="utf-8"))
    edit(doc)
    (folder / "pack.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return folder


def test_a_point_needs_both_coordinates_and_its_source(tmp_path, pack):
    def edit(doc):
        doc["zones"][0].update(lon=121.45, lat=31.28)  # no source
        doc["carriers"][0].update(lon=121.44)  # no latitude
        doc["zones"][1].update(lon=500, lat=31.2, lonlat_source="a map")

    with pytest.raises(PackError) as caught:
        load_pack(_copy_with(tmp_path, pack, edit))
    message = str(caught.value)
    assert "zone shibei: lon/lat need lonlat_source" in message
    assert "carrier shanghai-icampus: lon and lat must both be numbers" in message
    assert "zone daning: lon 500, lat 31.2 is not a WGS84 point" in message


def test_a_sourced_point_reaches_the_zone_row(tmp_path, pack):
    def edit(doc):
        doc["zones"][0].update(lon=121.45, lat=31.28, lonlat_source="a cited public map")

    loaded = load_pack(_copy_with(tmp_path, pack, edit))
    shibei = next(row for row in pack_rows(loaded).rows["zone"] if row[0] == "shibei")
    assert shibei[-2:] == [121.45, 31.28]
