"""A briefing cites a saved what-if scenario, labelled hypothetical, in zh, en and fr and in HTML,
PDF and DOCX; `brief verify` recomputes its figures from the definition saved in the ledger, and
fails when a scenario figure is forged or the saved definition is no longer the one cited
(issue #21)."""

from __future__ import annotations

import io
import json
import re
import subprocess
import zipfile

import pytest
from markupsafe import escape

from districtlens.briefing import document, i18n, render, signing
from districtlens.briefing.verify import verify
from districtlens.chains.templates import shipped_templates
from districtlens.commands import scenarios
from districtlens.commands.base import Context
from districtlens.errors import NotFound
from districtlens.store import open_store
from tests.claims.demo import copy_of

AREA = "310106"
TRACK = "biopharma"


def _weak_class(ctx: Context) -> tuple[str, str]:
    """(a link that is missing or weak in the district, a class that places a firm in it)."""
    found = scenarios.compute(
        ctx, scenarios.ScenarioArgs(track=TRACK, area=AREA, firms=[scenarios.Firm(industry_code="5212")])
    )
    template = shipped_templates()[TRACK]
    for link in found.links:
        classes = template.link(link.link_id).classes
        if link.status_before in ("missing", "weak") and classes:
            return link.link_id, classes[0]
    raise AssertionError("the demo district has no weak link placed by class")


@pytest.fixture(scope="module")
def cited(demo_path, tmp_path_factory):
    """A copy of the demo store holding one saved scenario: (path, scenario id, the weak link)."""
    path = copy_of(demo_path, tmp_path_factory.mktemp("scenario"))
    with open_store(path) as store:
        ctx = Context(store=store, actor="tests")
        link_id, code = _weak_class(ctx)
        firms = [scenarios.Firm(industry_code=code, revenue=5000, employees=80) for _ in range(12)]
        saved = scenarios.save(ctx, scenarios.SaveScenario(track=TRACK, area=AREA, firms=firms, name="Twelve makers"))
    return path, saved.scenario_id, link_id


@pytest.fixture(scope="module")
def briefings(cited, private):
    path, scenario_id, _ = cited
    fingerprint = signing.fingerprint(private.public_key())
    with open_store(path, read_only=True) as store:
        figures = render.compute_figures(store, AREA, scenarios=(scenario_id,))
        return {lang: render.build(store, AREA, lang, fingerprint, figures) for lang in i18n.LANGUAGES}


def _figure(briefing: render.Briefing, fid: str):
    return next(f for f in briefing.figures if f.id == fid)


def test_the_cited_scenario_shows_the_weak_link_lifted(briefings, cited):
    _, scenario_id, link_id = cited
    link = _figure(briefings["en"], f"scenario.{scenario_id}.link.{link_id}").value
    before, after = link["enterprises"]
    assert after == before + 12
    order = ("missing", "weak", "present", "strong")
    assert order.index(link["status"][1]) > order.index(link["status"][0])
    health = _figure(briefings["en"], f"scenario.{scenario_id}.health").value
    assert health["before"] != health["after"]
    assert sum(health["before"].values()) == sum(health["after"].values()) == len(shipped_templates()[TRACK].links)


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_the_section_is_labelled_hypothetical_in_every_language(briefings, cited, lang):
    _, scenario_id, link_id = cited
    briefing = briefings[lang]
    page = render.to_html(briefing)
    for key in ("section_scenarios", "scenario_hypothetical"):
        assert escape(i18n.t(key, lang)) in page
    assert escape(i18n.t("scenario_title", lang, name="Twelve makers", scenario=scenario_id)) in page
    link = _figure(briefing, f"scenario.{scenario_id}.link.{link_id}")
    assert f'data-ref="{link.ref}">{escape(link.display(lang))}<' in page
    assert i18n.t("chain_" + link.value["status"][1], lang) in link.display(lang)
    manifest = {f["id"]: f for f in briefing.manifest["figures"]}
    entry = manifest[f"scenario.{scenario_id}.density"]
    assert len(entry["parameters"]["definition"]["firms"]) == 12
    chain = shipped_templates()[TRACK].name[lang]
    assert entry["definition"] == i18n.t(
        "def_scenario_density", lang, name="Twelve makers", scenario=scenario_id, chain=chain, area=briefing.area_name
    )


def test_pdf_and_docx_carry_the_section(briefings, cited):
    _, scenario_id, _ = cited
    briefing = briefings["fr"]
    title = i18n.t("scenario_title", "fr", name="Twelve makers", scenario=scenario_id)
    pdf = render.to_document(briefing, "pdf")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    squeezed = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", title) in squeezed
    assert re.sub(r"\s+", "", i18n.t("section_scenarios", "fr")) in squeezed
    docx = render.to_document(briefing, "docx")
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        body = z.read("word/document.xml").decode("utf-8")
    assert title.replace("'", "&apos;") in body or title in body
    assert i18n.t("scenario_hypothetical", "fr").split(" ;")[0] in body.replace("&apos;", "'")


def _signed_html(briefing: render.Briefing, private) -> bytes:
    return document.embed(render.to_document(briefing, "html"), "html", private)


def test_verify_recomputes_the_scenario_and_holds(briefings, cited, private, tmp_path):
    path, scenario_id, _ = cited
    file = tmp_path / "brief.html"
    file.write_bytes(_signed_html(briefings["en"], private))
    with open_store(path, read_only=True) as store:
        verdict = verify(store, file, private.public_key())
    assert verdict.holds, verdict.changed
    cited_figures = [f for f in briefings["en"].manifest["figures"] if f["id"].startswith(f"scenario.{scenario_id}.")]
    assert len(cited_figures) == len(shipped_templates()[TRACK].links) + 4
    assert verdict.figures_checked == len(briefings["en"].manifest["figures"])


def _forged(briefing: render.Briefing, fid: str, private, resign: bool) -> bytes:
    """The briefing's HTML with one scenario figure's firms after raised by 5, in the text and the
    manifest; re-signed by the key's holder when `resign` (so that only the recomputation can tell)."""
    figure = _figure(briefing, fid)
    forged_value = json.loads(json.dumps(figure.value))
    forged_value["enterprises"][1] += 5
    shown = figure.display("en")
    forged_display = shown.replace(
        f"→ {i18n.number(figure.value['enterprises'][1], 'en')}",
        f"→ {i18n.number(forged_value['enterprises'][1], 'en')}",
        1,
    )
    assert forged_display != shown
    genuine = _signed_html(briefing, private)
    text = genuine.decode("utf-8")
    start = text.index(document.HTML_SIGNATURE_MARKER.decode())
    end = text.index("</script>", start) + len("</script>")
    unsigned = text[:start] + text[end:] if resign else text
    manifest = document.read_manifest(genuine, "html", "genuine")
    assert manifest is not None
    for entry in manifest["figures"]:
        if entry["id"] == fid:
            entry["value"], entry["display"] = forged_value, forged_display
    old_manifest = unsigned[unsigned.index('id="districtlens-manifest">') :]
    old_manifest = old_manifest[len('id="districtlens-manifest">') : old_manifest.index("</script>")]
    forged = unsigned.replace(old_manifest, document.html_json(manifest), 1)
    forged = forged.replace(f'data-ref="{figure.ref}">{shown}<', f'data-ref="{figure.ref}">{forged_display}<', 1)
    assert forged != unsigned
    data = forged.encode("utf-8")
    return document.embed(data, "html", private) if resign else data


@pytest.mark.parametrize("resign", [False, True], ids=["without-key", "re-signed"])
def test_a_forged_scenario_figure_fails_verify(briefings, cited, private, tmp_path, resign):
    path, scenario_id, link_id = cited
    fid = f"scenario.{scenario_id}.link.{link_id}"
    file = tmp_path / "forged.html"
    file.write_bytes(_forged(briefings["en"], fid, private, resign))
    with open_store(path, read_only=True) as store:
        verdict = verify(store, file, private.public_key())
    assert not verdict.holds
    assert [c["id"] for c in verdict.changed] == [fid]
    assert verdict.signature == ("valid" if resign else "altered")


def test_a_redefined_scenario_fails_verify(briefings, cited, private, tmp_path):
    path, scenario_id, _ = cited
    file = tmp_path / "brief.html"
    file.write_bytes(_signed_html(briefings["en"], private))
    changed_store = copy_of(path, tmp_path)
    with open_store(changed_store) as store:
        (definition,) = store.con.execute(
            "SELECT definition FROM scenario WHERE scenario_id = ?", [scenario_id]
        ).fetchone()
        fewer = json.loads(definition)
        fewer["firms"] = fewer["firms"][:1]
        store.con.execute("UPDATE scenario SET definition = ? WHERE scenario_id = ?", [json.dumps(fewer), scenario_id])
        verdict = verify(store, file, private.public_key())
    assert verdict.signature == "valid" and not verdict.holds
    changed = {c["id"] for c in verdict.changed}
    assert changed and all(fid.startswith(f"scenario.{scenario_id}.") for fid in changed)
    assert all(c["now"] is None for c in verdict.changed)


def test_an_unknown_scenario_is_refused(demo_path):
    with open_store(demo_path, read_only=True) as store, pytest.raises(NotFound):
        render.compute_figures(store, AREA, scenarios=("scenario-9999",))


def test_the_command_line_cites_a_scenario_and_verify_holds(cli, cited, key, tmp_path):
    path, scenario_id, _ = cited
    out = tmp_path / "cited.html"
    args = ("--db", path, "--area", AREA, "--lang", "en", "--format", "html", "--out", out, "--key", key)
    result = cli("brief", *args, "--scenario", scenario_id, "--json")
    assert result.exit_code == 0, result.output
    ids = [f["id"] for f in json.loads(result.stdout)["figures"]]
    assert f"scenario.{scenario_id}.health" in ids
    verified = cli("brief", "verify", out, "--db", path, "--key", f"{key}.pub", "--json")
    assert verified.exit_code == 0 and json.loads(verified.stdout)["figures_checked"] == len(ids)
    unknown = cli("brief", *args, "--scenario", "scenario-9999")
    assert unknown.exit_code != 0
