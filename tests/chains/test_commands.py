"""The chains commands: each gives through the command layer the JSON its CLI prints under
`--json`, with the keys the CLI printed before the command layer (clients read them); results
read back into their own type; the chain analysis itself needs no store."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from districtlens.commands import Context
from districtlens.commands import chains as commands
from districtlens.store import open_store
from tests.chains.builders import HUANGPU, JINGAN, XUHUI, write_firms, write_pack
from tests.chains.test_targets import city_firms
from tests.helpers import make_uscc

LINK_HEALTH = [
    "id",
    "name",
    "names",
    "stage",
    "classes",
    "enterprises",
    "revenue",
    "employees",
    "growth",
    "lq",
    "concentration",
    "status",
    "why",
]
CITY_TRACK = ["track", "version", "reference", "year", "thresholds", "districts"]
# The keys of each output, in the order the CLI printed them before the command layer.
KEYS = {
    "show": (
        ["track", "version", "area", "area_label", "against", "reference", "year", "thresholds", "links"],
        "links",
        LINK_HEALTH,
    ),
    "city": (CITY_TRACK, "districts", ["district", "label", "links"]),
    "city_all": (["tracks"], "tracks", CITY_TRACK),
    "graph": (
        ["area", "track", "version", "nodes", "edges"],
        "nodes",
        [
            "id",
            "name",
            "stage",
            "classes",
            "enterprises",
            "revenue",
            "employees",
            "growth",
            "lq",
            "concentration",
            "status",
            "why",
        ],
    ),
    "targets": (
        ["track", "area", "area_label", "year", "weights", "space_source", "space_on", "pools", "targets"],
        "targets",
        [
            "key",
            "uscc",
            "name",
            "source",
            "place",
            "district_adcode",
            "mode",
            "industry_code",
            "links",
            "carrier_id",
            "zone_id",
            "score",
            "parts",
            "missing",
            "why",
        ],
    ),
    "opportunities": (
        ["track", "area", "area_label", "ranked_by", "model", "note", "opportunities"],
        "opportunities",
        ["industry_code", "name", "in_track", "area_enterprises", "rca", "density", "pci", "cog", "score", "why"],
    ),
}


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("chains") / "x.duckdb"
    with open_store(path) as store:
        write_firms(store, city_firms())
        write_pack(
            store,
            [
                {
                    "zone_id": "daning",
                    "name_zh": "大宁功能区",
                    "name_en": "Daning zone",
                    "orientation": ["integrated-circuits", "biopharma"],
                },
            ],
            peers=[HUANGPU, XUHUI, JINGAN],
        )
    return path


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("inputs")
    leads = folder / "leads.csv"
    leads.write_text(
        "uscc,name,industry_code,business_scope,year,revenue,employees\n"
        f"{make_uscc(9999, '440300')},新合成生物公司,7320,合成生物技术研发,2024,9000000,5\n",
        encoding="utf-8",
    )
    space = folder / "space.csv"
    space.write_text("zone_id,free_m2\ndaning,5000\n", encoding="utf-8")
    return {"leads": leads, "space": space}


def through_commands(db: Path, command, args) -> object:
    """What the command layer answers, run on the store directly, as JSON."""
    with open_store(db, read_only=True) as store:
        result = command(Context(store=store, actor="tests"), args)
    dumped = command.dump(result)
    assert command.dump(command.load(dumped)) == dumped  # the result reads back into its type
    return dumped


def cli_json(cli, *args: object) -> object:
    result = cli(*args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


CASES = {
    "show": (
        commands.show,
        commands.ShowChain(track="biopharma", area="daning", against="peers"),
        ("chains", "show", "biopharma", "--area", "daning", "--against", "peers", "--json"),
    ),
    "city": (
        commands.city,
        commands.CityHealth(area=JINGAN, track="biopharma"),
        ("chains", "city", "biopharma", "--area", JINGAN, "--json"),
    ),
    "city_all": (
        commands.city,
        commands.CityHealth(area=JINGAN),
        ("chains", "city", "--all-tracks", "--area", JINGAN, "--json"),
    ),
    "graph": (
        commands.graph,
        commands.GraphOfChain(track="biopharma", area=JINGAN, year=2024),
        ("chains", "graph", "biopharma", "--area", JINGAN, "--year", "2024"),
    ),
    "opportunities": (
        commands.opportunities,
        commands.FindOpportunities(track="biopharma", area=JINGAN, top=30),
        ("targets", "biopharma", "--area", JINGAN, "--opportunities", "--top", "30", "--json"),
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_command_gives_the_json_its_cli_prints(cli, db, name):
    command, args, argv = CASES[name]
    expected = through_commands(db, command, args)
    assert cli_json(cli, *argv, "--db", db) == expected
    top, inner, row = KEYS[name]
    assert list(expected) == top
    assert list(expected[inner][0]) == row


def test_targets_with_leads_and_space_give_the_json_the_cli_prints(cli, db, inputs, tmp_path):
    args = commands.FindTargets(
        track="biopharma",
        area="daning",
        top=500,
        mode="fill",
        leads=inputs["leads"],
        space=inputs["space"],
        out=tmp_path / "through-commands.xlsx",
    )
    expected = through_commands(db, commands.targets, args)
    printed = cli_json(
        cli,
        "targets",
        "biopharma",
        "--area",
        "daning",
        "--top",
        "500",
        "--mode",
        "fill",
        "--leads",
        inputs["leads"],
        "--space",
        inputs["space"],
        "--out",
        tmp_path / "through-cli.xlsx",
        "--db",
        db,
        "--json",
    )
    assert printed == expected
    top, inner, row = KEYS["targets"]
    assert list(expected) == top and list(expected[inner][0]) == row
    assert expected["space_source"] == "file"
    lead = next(target for target in expected["targets"] if target["name"] == "新合成生物公司")
    assert lead["source"] == "leads" and lead["links"] == ["synthetic-biology"]
    # The command writes the file it is given, the CLI's run as the command layer's.
    assert (tmp_path / "through-commands.xlsx").stat().st_size > 0
    assert (tmp_path / "through-cli.xlsx").stat().st_size > 0


def test_the_list_needs_no_store_and_prints_the_same(cli):
    expected = commands.list_chains().model_dump(mode="json")
    assert cli_json(cli, "chains", "list", "--json") == expected
    assert list(expected) == ["chains"]
    assert list(expected["chains"][0]) == ["id", "version", "name", "links"]
    assert list(expected["chains"][0]["links"][0]) == ["id", "name", "stage"]


def test_one_track_and_every_track_read_back_as_their_own_kind(db):
    for args, kind in (
        (commands.CityHealth(area=JINGAN, track="biopharma"), commands.CityChain),
        (commands.CityHealth(area=JINGAN), commands.CityChains),
    ):
        assert isinstance(commands.city.load(through_commands(db, commands.city, args)), kind)


@pytest.mark.parametrize(
    ("args", "kind", "key"),
    [
        (commands.ShowChain(track="biopharma", area="nowhere"), "NotFound", "area.unknown"),
        (commands.ShowChain(track="no-such-track", area=JINGAN), "NotFound", "chains.unknown_track"),
        (commands.ShowChain(track="biopharma", area=HUANGPU, against="peers"), "NotFound", "chains.no_peers"),
        (commands.ShowChain(track="biopharma", area=JINGAN, against="town"), "InputError", "value.not_one_of"),
    ],
)
def test_refusals_are_keyed_errors(db, args, kind, key):
    from districtlens.errors import DistrictlensError

    with pytest.raises(DistrictlensError) as caught:
        through_commands(db, commands.show, args)
    assert (type(caught.value).__name__, caught.value.key) == (kind, key)


def test_a_bad_output_suffix_and_an_edited_template_without_a_track_are_usage_errors(db, tmp_path):
    from districtlens.errors import UsageError

    with pytest.raises(UsageError, match="must end in"):
        through_commands(
            db, commands.targets, commands.FindTargets(track="biopharma", area=JINGAN, out=tmp_path / "rows.txt")
        )
    with pytest.raises(UsageError) as caught:
        through_commands(db, commands.city, commands.CityHealth(area=JINGAN, template=tmp_path / "t.yaml"))
    assert caught.value.key == "chains.template_needs_track"


def test_invalid_space_rows_are_refused_with_their_rows(db, tmp_path):
    from districtlens.errors import InputError

    space = tmp_path / "space.csv"
    space.write_text("zone_id,free_m2\ndaning,5000\ndaning,-3\ndaning,lots\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        through_commands(db, commands.targets, commands.FindTargets(track="biopharma", area=JINGAN, space=space))
    assert (caught.value.key, caught.value.values["rows"]) == ("chains.space_bad_free_m2", "3, 4")


def test_the_chains_package_reads_no_store():
    """Chains are pure functions on frames: the store is read by the command layer."""
    package = Path(commands.report.__file__).parent
    for source in package.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for name in names:
                assert not name.startswith(("districtlens.store", "districtlens.commands", "duckdb")), (
                    f"{source.name} imports {name}"
                )


def test_every_chains_message_has_every_language_with_the_same_placeholders():
    import string

    from districtlens.i18n import LANGUAGES, catalog

    keys = [key for key in catalog("en") if key.startswith("chains.")]
    assert len(keys) >= 30
    for key in keys:
        fields = {
            lang: {f for _, f, _, _ in string.Formatter().parse(catalog(lang).get(key, "")) if f} for lang in LANGUAGES
        }
        assert all(catalog(lang).get(key) for lang in LANGUAGES), key
        assert fields["zh"] == fields["en"] == fields["fr"], key
