"""A folder of several forces' police.uk files: each force's own hubs, figures and a force filter."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analysis.load.dataset import load_dataset
from analysis.load.force_names import force_of_file, force_slug, incident_forces
from analysis.schema import ASB, UNASSIGNED
from tests import apptest
from tests.conftest import REAL_DIR, ROOT, build_real_folder, need_shared, street_csv
from tests.test_incidents import GOOD_ASB, GOOD_CRIME
from tests.test_store import assert_same_dataset

CUMBRIA_HUBS = ["Carlisle", "Eden", "Allerdale", "Copeland", "Barrow", "South Lakeland"]


@pytest.fixture(scope="module")
def two_forces(tmp_path_factory) -> Path:
    """The real Cumbria folder with six months of City of London Police beside it (built in a temporary folder)."""
    return build_real_folder("forces", tmp_path_factory.mktemp("forces"))


def raw_counts(folder: Path, force: str) -> dict[str, int]:
    """Records and ASB records of one force, counted straight from its police.uk files (no project code).

    A later copy of a Crime ID is not a record (the real City files repeat 21 crimes).
    """
    rows = asb = 0
    seen: set[str] = set()
    for path in sorted((folder / "incidents").rglob(f"*-{force}-street.csv")):
        with open(path, encoding="utf-8-sig", newline="") as handle:
            for record in csv.DictReader(handle):
                crime = record["Crime ID"].strip()
                if crime and crime in seen:
                    continue
                seen.add(crime)
                rows += 1
                asb += record["Crime type"] == ASB
    return {"rows": rows, "asb": asb}


# ---------------------------------------------------------------- the dataset knows its forces


def test_the_force_comes_from_the_file_name_else_falls_within():
    assert force_of_file("incidents/2024-01/2024-01-cumbria-street.csv") == "cumbria"
    assert force_of_file("x.zip/2019-02/2019-02-city-of-london-street.csv") == "city-of-london"
    assert force_of_file("incidents/mine.csv") is None
    assert force_slug("City of London Police") == "city-of-london"
    assert force_slug("Cumbria Constabulary") == "cumbria"
    assert force_slug("Police Service of Northern Ireland") == "police-service-of-northern-ireland"


def test_a_two_force_folder_knows_its_forces_and_their_hubs(two_forces):
    dataset = load_dataset(two_forces, store=False)
    assert dataset.force_names == {"city-of-london": "City of London Police", "cumbria": "Cumbria Constabulary"}
    assert dataset.forces == ["city-of-london", "cumbria"]
    # Cumbria's hubs come from hubs.csv (their records say whose they are); the City has none: its districts.
    assert {h: dataset.hub_forces[h] for h in CUMBRIA_HUBS} == dict.fromkeys(CUMBRIA_HUBS, "cumbria")
    city_hubs = [h for h, f in dataset.hub_forces.items() if f == "city-of-london"]
    assert city_hubs == ["City of London"]
    assert list(dataset.hubs["hub"]) == [*CUMBRIA_HUBS, "City of London"]
    forces = dataset.incident_forces.astype("str")
    for force in dataset.forces:
        assert int((forces == force).sum()) == raw_counts(two_forces, force)["rows"]
    # No City record is placed in a Cumbria hub, nor the other way round.
    hub = dataset.incidents["hub"].astype("str")
    assert not hub[forces == "city-of-london"].isin(CUMBRIA_HUBS).any()
    assert not (hub[forces == "cumbria"] == "City of London").any()


def test_one_force_is_the_folder_as_that_force_sees_it(two_forces):
    dataset = load_dataset(two_forces, store=False)
    alone = load_dataset(REAL_DIR, store=False)
    cumbria = dataset.for_force("cumbria")
    # Cumbria's records, hubs and months are those of the real folder loaded on its own.
    assert cumbria.hub_names == alone.hub_names == [*CUMBRIA_HUBS, UNASSIGNED]
    assert cumbria.incidents["hub"].astype("str").value_counts().to_dict() == (
        alone.incidents["hub"].astype("str").value_counts().to_dict()
    )
    assert list(cumbria.months) == list(alone.months)
    city = dataset.for_force("city-of-london")
    assert city.hub_names == ["City of London", UNASSIGNED]
    assert int(city.incidents["is_asb"].sum()) == raw_counts(two_forces, "city-of-london")["asb"]
    assert [str(m) for m in city.months] == ["2018-10", "2018-11", "2018-12", "2019-01", "2019-02", "2019-03"]
    assert str(city.coverage.span[-1]) == "2019-03" and str(cumbria.coverage.span[-1]) == "2019-02"
    assert len({dataset.fingerprint, city.fingerprint, cumbria.fingerprint}) == 3  # caches keep them apart
    assert dataset.for_force(None) is dataset


def test_the_store_gives_the_same_two_force_dataset(two_forces):
    assert_same_dataset(two_forces)
    memory, stored = load_dataset(two_forces, store=False), load_dataset(two_forces, store=True)
    assert memory.force_names == stored.force_names and memory.hub_forces == stored.hub_forces
    assert memory.incident_forces.equals(stored.incident_forces)


def test_hubs_csv_may_name_each_hubs_force(make_folder):
    hubs = (
        "hub,region,station,area_code,launched,force\n"
        "West,West,Workington,E07000026,2019-04-01,Cumbria Constabulary\n"
        "Square Mile,City,Bishopsgate,E09000001,,city-of-london\n"
    )
    city = GOOD_CRIME.replace("Cumbria Constabulary", "City of London Police").replace("aaa1", "c1")
    folder = make_folder(
        {
            "hubs.csv": hubs,
            "incidents/2019-01/2019-01-cumbria-street.csv": street_csv(GOOD_ASB, GOOD_CRIME),
            "incidents/2019-01/2019-01-city-of-london-street.csv": street_csv(city),
        }
    )
    dataset = load_dataset(folder, store=False)
    # The Square Mile has no records (no boundaries place them), yet hubs.csv says whose it is.
    assert dataset.hub_forces == {"West": "cumbria", "Square Mile": "city-of-london"}
    assert dataset.for_force("city-of-london").hub_names == ["Square Mile", UNASSIGNED]
    assert dataset.for_force("cumbria").hubs["hub"].tolist() == ["West"]


def test_a_single_force_folder_is_unchanged(real_dir):
    dataset = load_dataset(real_dir, store=False)
    assert dataset.forces == ["cumbria"]
    assert set(dataset.hub_forces.values()) == {"cumbria"}
    assert list(dataset.hubs["hub"]) == CUMBRIA_HUBS
    assert incident_forces(dataset.incidents).astype("str").unique().tolist() == ["cumbria"]


# ---------------------------------------------------------------- the force filter in the app


def open_app(folder: Path, monkeypatch) -> AppTest:
    return apptest.open_page(folder, monkeypatch, "pages/overview.py")


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def count(text: str) -> int:
    return int(text.replace(",", ""))


def force_box(at: AppTest):
    return next((s for s in at.sidebar.selectbox if s.label == "Force"), None)


def test_one_force_gets_no_force_filter(monkeypatch):
    at = open_app(need_shared(REAL_DIR / "incidents").parent, monkeypatch)
    assert force_box(at) is None


def test_choosing_a_force_shows_its_own_figures_and_hubs(two_forces, monkeypatch):
    cumbria, city = raw_counts(two_forces, "cumbria"), raw_counts(two_forces, "city-of-london")
    at = open_app(two_forces, monkeypatch)
    box = force_box(at)
    assert box is not None and box.options == ["All forces", "City of London Police", "Cumbria Constabulary"]
    assert box.value == ""  # every force
    both = metrics(at)
    assert count(both["ASB incidents"]) == cumbria["asb"] + city["asb"]

    box.set_value("cumbria").run()
    assert not at.exception, [e.value for e in at.exception]
    values = metrics(at)
    assert count(values["ASB incidents"]) == cumbria["asb"] == 3315
    assert values["Not placed in a hub"] == "111"  # as the Cumbria folder alone (test_pages)
    assert values["Data to"] == "Feb 2019"
    hubs = next(m for m in at.sidebar.multiselect if m.label == "Hubs")
    assert hubs.options == [*CUMBRIA_HUBS, UNASSIGNED]
    hubs.set_value(["Carlisle"]).run()

    force_box(at).set_value("city-of-london").run()
    assert not at.exception, [e.value for e in at.exception]
    values = metrics(at)
    assert count(values["ASB incidents"]) == city["asb"]
    assert values["Data to"] == "Mar 2019"
    hubs = next(m for m in at.sidebar.multiselect if m.label == "Hubs")
    assert hubs.options == ["City of London", UNASSIGNED]
    assert hubs.value == []  # Carlisle is not a City hub: the choice is dropped, not kept out of sight
    assert count(values["Crimes (excluding ASB)"]) == city["rows"] - city["asb"]  # every record, placed or not
    assert count(both["Crimes (excluding ASB)"]) == cumbria["rows"] + city["rows"] - cumbria["asb"] - city["asb"]
    assert count(both["Not placed in a hub"]) == count(values["Not placed in a hub"]) + 111


@pytest.mark.parametrize(
    "page",
    sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py") if not p.name.startswith("_")),
)
def test_every_page_renders_for_the_force_without_hubs(two_forces, monkeypatch, page):
    at = open_app(two_forces, monkeypatch)
    force_box(at).set_value("city-of-london").run()
    if page != "pages/overview.py":
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert force_box(at) is not None and force_box(at).value == "city-of-london"  # kept across pages
    shown = " ".join(str(e.value) for e in [*at.markdown, *at.caption, *at.error, *at.warning, *at.info])
    assert "could not be drawn" not in shown and "could not be shown" not in shown


def test_the_briefing_on_every_force_at_once(two_forces, monkeypatch):
    at = open_app(two_forces, monkeypatch)
    at.switch_page("pages/briefing.py").run()
    shown = " ".join(str(e.value) for e in at.error)
    assert "could not be drawn" not in shown
    text = " ".join(str(e.value) for e in [*at.markdown, *at.caption, *at.info, *at.warning])
    assert "The briefing ends at February 2019" in text, text[:2000]
    assert not at.exception


def test_the_briefing_period_ends_at_the_last_month_every_hub_supplied(two_forces):
    from analysis.outputs.briefing.period import briefing_period

    dataset = load_dataset(two_forces)
    hubs = [str(h) for h in dataset.hubs["hub"]]
    start, end, note = briefing_period(dataset.coverage, hubs, 12)
    assert (str(start), str(end)) == ("2018-10", "2019-02")  # 2019-03 came from the City only
    assert note == "The briefing ends at February 2019: ASB for 2019-03 was not supplied for every hub."
