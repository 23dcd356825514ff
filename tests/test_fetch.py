"""Fetching from police.uk, offline: a local server on 127.0.0.1 answers from real recorded answers and real CSVs."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest
from pytest_httpserver import HTTPServer
from shapely.geometry import box
from streamlit.delta_generator import DeltaGenerator
from werkzeug import Response

from analysis.cli import main, validation_record
from analysis.errors import DataProblem
from analysis.fetch import fetcher as fetch_module
from analysis.fetch.fetcher import compare_months, fetch, records_to_rows, split_polygon
from analysis.fetch.monthfiles import month_file, read_month_file
from analysis.fetch.police_api import USER_AGENT, PoliceAPI, TokenBucket, exponential_wait, poly_text
from analysis.load.dataset import load_dataset
from analysis.measures.metrics import monthly_counts
from analysis.schema import ASB, UNASSIGNED
from tests.conftest import POLICE_HEADER
from tests.police_uk_fake import FakePoliceUK, read_street_csvs
from tests.test_page_data import open_data_page

MONTHS = ["2018-10", "2018-11", "2018-12", "2019-01", "2019-02"]


@pytest.fixture(scope="module")
def server():
    http = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    http.start()
    yield http
    http.clear()
    http.stop()


@pytest.fixture(scope="module")
def source_rows(real_dir) -> dict[str, pd.DataFrame]:
    return read_street_csvs(sorted((real_dir / "incidents").rglob("*-street.csv")))


@pytest.fixture(scope="module")
def source_dataset(real_dir):
    return load_dataset(real_dir)


@pytest.fixture(scope="module")
def served_months(server, shared_data, source_rows) -> dict:
    """The source rows as API records, built once per module (tests that change them work on a copy)."""
    fake = FakePoliceUK(server, shared_data)
    fake.add_rows(source_rows)
    return fake.months


@pytest.fixture
def police(server, shared_data, served_months) -> FakePoliceUK:
    server.clear()
    fake = FakePoliceUK(server, shared_data, months=dict(served_months))
    yield fake.install()
    server.clear()


@pytest.fixture
def folder(tmp_path, real_dir) -> Path:
    """An empty data folder with hubs.csv and the boundaries (no incidents)."""
    target = tmp_path / "cumbria"
    target.mkdir()
    for name in ("hubs.csv", "areas.geojson", "lsoa.geojson"):
        shutil.copy(real_dir / name, target / name)
    return target


def client(fake: FakePoliceUK, waits: list | None = None, **options) -> PoliceAPI:
    """A client for the local server: no real sleeping (waits are recorded), no rate limiting to speak of."""
    options = {"attempts": 3, "timeout": (2.0, 10.0)} | options
    return PoliceAPI(
        base_url=fake.url,
        sleep=(waits.append if waits is not None else (lambda _s: None)),
        limiter=TokenBucket(rate=1e6, burst=1_000_000),
        **options,
    )


def per_hub_month(dataset, months: list[str]) -> pd.DataFrame:
    """ASB and crime per hub and month, from monthly_counts."""
    counts = monthly_counts(
        dataset.incidents, hubs=dataset.hub_names, months=pd.PeriodIndex(months, freq="M"), coverage=dataset.coverage
    ).assign(kind=lambda d: d["crime_type"].eq(ASB).map({True: "asb", False: "crime"}))
    return counts.pivot_table(index=["hub", "month"], columns="kind", values="count", aggfunc="sum")


def written_files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in (folder / "incidents").rglob("*") if p.is_file())


# -- the whole fetch against the source CSVs -------------------------------------------------


def test_fetched_folder_validates_and_counts_equal_the_source(police, folder, source_dataset):
    police.limit = 800  # Carlisle and Allerdale hold more a month: refused, then split
    summary = fetch(folder, "cumbria", "2018-10", "2019-02", api=client(police))
    assert police.refused > 0
    assert [m.status for m in summary.months] == ["fetched"] * 5
    fetched = load_dataset(folder)
    record = validation_record(fetched)
    assert record["usable"] and record["rows_rejected"] == 0
    assert (folder / "incidents/2018-10/2018-10-cumbria-street.csv").read_text().splitlines()[0] == POLICE_HEADER

    ours, theirs = per_hub_month(fetched, MONTHS), per_hub_month(source_dataset, MONTHS)
    hubs = list(source_dataset.hubs["hub"])
    pd.testing.assert_frame_equal(ours.loc[hubs], theirs.loc[hubs])
    # Unassigned: every record without a place comes back; records placed far outside every hub
    # area cannot be asked for by polygon (34 of 18,384 here), so the fetched count is never above.
    no_place = source_dataset.incidents["longitude"].isna()
    assert int(fetched.incidents["longitude"].isna().sum()) == int(no_place.sum()) == 77
    assert (ours.loc[UNASSIGNED] <= theirs.loc[UNASSIGNED]).all().all()
    # Seen twice across polygons and pieces, kept once; every Crime ID is one of the source's.
    ids = fetched.incidents["crime_id"][fetched.incidents["crime_id"] != ""]
    assert ids.is_unique and set(ids) <= set(source_dataset.incidents["crime_id"])
    assert summary.records == len(fetched.incidents)
    note = json.loads((folder / "incidents/2019-02/2019-02-cumbria-street.source.json").read_text())
    assert note["source"] == "police.uk API" and note["records"] == (fetched.incidents["month"] == "2019-02").sum()
    lines = summary.lines()
    assert lines[0].startswith("Fetched 5 month(s) of police.uk street-level data for Cumbria Constabulary")
    assert f"{summary.records:,} records (77 without a place)." in lines[0]
    assert lines[1] == "Months written: 2018-10, 2018-11, 2018-12, 2019-01, 2019-02."


def test_rows_match_the_source_rows_field_for_field(police, folder, source_rows):
    fetch(folder, "cumbria", "2019-01", "2019-01", api=client(police))
    ours = read_month_file(month_file(folder, "cumbria", "2019-01"))
    source = source_rows["2019-01"]
    columns = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location", "Crime type"]
    columns += ["Last outcome category", "Context"]
    crimes = ours[ours["Crime ID"] != ""].set_index("Crime ID")[columns[1:]].sort_index()
    expected = source[source["Crime ID"].isin(crimes.index)].set_index("Crime ID")[columns[1:]].sort_index()
    pd.testing.assert_frame_equal(crimes, expected)
    # LSOAs come from lsoa.geojson by point: the same code as police.uk's for nearly every row
    both = ours.merge(source, on=columns, suffixes=("", "_src"))
    same = (both["LSOA code"] == both["LSOA code_src"]).mean()
    assert same > 0.95, same


# -- a polite client ---------------------------------------------------------------------------

RETRY_CASES = [
    # (answer before success, the waits slept)
    (Response("slow down", status=429, headers={"Retry-After": "7"}), [7.0]),
    (Response("slow down", status=429), [1.0]),
    (Response("oops", status=500), [1.0]),
    (Response("gateway", status=502), [1.0]),
]


@pytest.mark.parametrize(("failure", "waits_expected"), RETRY_CASES, ids=["429-retry-after", "429", "500", "502"])
def test_a_failure_then_success_is_retried_after_a_wait(police, failure, waits_expected):
    police.server.expect_oneshot_request("/crimes-street-dates").respond_with_response(failure)
    waits: list[float] = []
    dates = client(police, waits).street_dates()
    assert dates[0] == "2017-09" and dates[-1] == "2020-08" and len(dates) == 36
    assert waits == waits_expected


def test_back_off_doubles_and_a_retry_after_date_is_honoured(police):
    for _ in range(2):
        police.server.expect_oneshot_request("/forces").respond_with_data("busy", status=503)
    waits: list[float] = []
    api = client(police, waits, wait=exponential_wait(base=0.5, cap=30))
    assert any(f["id"] == "cumbria" for f in api.forces())
    assert waits == [0.5, 1.0]


def test_a_time_out_is_retried(police):
    def slow(_request):
        time.sleep(0.6)
        return Response("[]", content_type="application/json")

    police.server.expect_oneshot_request("/crimes-street-dates").respond_with_handler(slow)
    waits: list[float] = []
    assert len(client(police, waits, timeout=(2.0, 0.2)).street_dates()) == 36
    assert len(waits) == 1


def test_every_request_names_the_tool_and_polygons_go_by_post(police, folder):
    fetch(folder, "cumbria", "2019-02", "2019-02", api=client(police))
    requests = [r for r, _ in police.server.log]
    assert requests and all(r.headers["User-Agent"] == USER_AGENT for r in requests)
    assert USER_AGENT.startswith("LocalFocus/") and "neighbourhood policing dashboard" in USER_AGENT
    posts = [r for r in requests if r.method == "POST"]
    note = json.loads((folder / "incidents/2019-02/2019-02-cumbria-street.source.json").read_text())
    assert len(posts) == police.polygons_asked == note["polygons"] >= 6
    assert all(r.form["date"] == "2019-02" and r.form["poly"].count(":") >= 2 for r in posts)


def test_the_rate_limiter_lets_a_burst_through_then_spaces_requests():
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    bucket = TokenBucket(rate=10, burst=3, clock=lambda: now[0], sleep=sleep)
    for _ in range(5):
        bucket.acquire()
    assert slept == pytest.approx([0.1, 0.1])
    now[0] += 10  # idle: the bucket refills to its burst, no more
    for _ in range(3):
        bucket.acquire()
    assert len(slept) == 2
    assert PoliceAPI().limiter.rate < 15


# -- months police.uk does not have, and errors a user can act on -----------------------------


def test_a_404_month_is_not_supplied_not_a_failure(police, folder):
    summary = fetch(folder, "cumbria", "2019-02", "2019-03", api=client(police))
    assert [(m.month, m.status) for m in summary.months] == [("2019-02", "fetched"), ("2019-03", "not supplied")]
    assert not month_file(folder, "cumbria", "2019-03").exists()
    assert not (folder / "incidents/2019-03").exists()
    assert "police.uk does not have 1 month(s) for cumbria: 2019-03 (not supplied: a gap, not zero)." in summary.lines()


def test_months_police_uk_does_not_list_are_reported_without_asking(police, folder):
    police.dates = ["2019-02"]
    summary = fetch(folder, "cumbria", "2019-01", "2019-02", api=client(police))
    assert [(m.month, m.status) for m in summary.months] == [("2019-01", "not supplied"), ("2019-02", "fetched")]
    assert all(r.form["date"] == "2019-02" for r, _ in police.server.log if r.method == "POST")


ERROR_CASES = [
    # (force, from, to, words in the one sentence)
    ("cumbira", "2019-01", "2019-02", ["no force 'cumbira'", "cumbria", "avon-and-somerset"]),
    ("cumbria", "2010-01", "2010-12", ["from 2017-09 to 2020-08", "none of 2010-01 to 2010-12", "--archive"]),
    ("cumbria", "2019-02", "2019-01", ["--from 2019-02 is after --to 2019-01"]),
    ("cumbria", "2019-13", "2019-14", ["'2019-13' is not a month"]),
    ("Cumbria Constabulary", None, None, ["not a police.uk force id"]),
]


@pytest.mark.parametrize(("force", "start", "end", "words"), ERROR_CASES, ids=[c[3][0] for c in ERROR_CASES])
def test_errors_a_user_can_act_on_are_one_sentence_and_write_nothing(police, folder, force, start, end, words):
    with pytest.raises(DataProblem) as caught:
        fetch(folder, force, start, end, api=client(police))
    message = str(caught.value)
    assert all(w in message for w in words), message
    assert message.count(". ") == 0 and message.endswith(".")
    assert not (folder / "incidents").exists()


def test_police_uk_down_after_retries(police, folder):
    for _ in range(3):
        police.server.expect_oneshot_request("/crimes-street-dates").respond_with_data("down", status=500)
    with pytest.raises(DataProblem, match=r"answered HTTP 500 after 3 tries: it may be down"):
        fetch(folder, "cumbria", "2019-01", "2019-01", api=client(police))
    assert not (folder / "incidents").exists()


def test_no_network_is_one_sentence(folder):
    api = PoliceAPI(base_url="http://127.0.0.1:9", attempts=2, sleep=lambda _s: None, timeout=(1.0, 1.0))
    with pytest.raises(DataProblem, match=r"could not be reached after 2 tries: check the internet connection"):
        fetch(folder, "cumbria", "2019-01", "2019-01", api=api)


def test_the_command_line_fetches_and_exits_1_with_one_line(police, folder, monkeypatch, capsys):
    monkeypatch.setenv("POLICE_UK_API", police.url)
    assert main(["fetch", str(folder), "--force", "cumbria", "--from", "2019-02", "--to", "2019-03"]) == 0
    out, err = capsys.readouterr()
    assert "Fetched 1 month(s) of police.uk street-level data for Cumbria Constabulary" in out
    assert "2019-03 (not supplied" in out and "Traceback" not in err
    assert main(["fetch", str(folder), "--force", "nowhere", "--json"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "police.uk has no force 'nowhere'" in err
    assert main(["fetch", str(folder), "--force", "cumbria", "--from", "2019-02", "--to", "2019-02", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert [m["status"] for m in record["months"]] == ["kept"]


# -- interruption, replace and update -------------------------------------------------------


def test_an_interrupted_fetch_leaves_whole_months_and_a_rerun_resumes(police, folder):
    police.broken = {"2018-12"}  # police.uk fails on the third month, after every retry
    with pytest.raises(DataProblem, match=r"2 whole month\(s\) were written before it stopped"):
        fetch(folder, "cumbria", "2018-10", "2019-01", api=client(police))
    assert written_files(folder) == [
        f"incidents/{m}/{m}-cumbria-street{ext}" for m in ("2018-10", "2018-11") for ext in (".csv", ".source.json")
    ]
    first = {m: month_file(folder, "cumbria", m).read_bytes() for m in ("2018-10", "2018-11")}
    police.broken = set()
    asked_before = police.polygons_asked
    summary = fetch(folder, "cumbria", "2018-10", "2019-01", api=client(police))
    assert [m.status for m in summary.months] == ["kept", "kept", "fetched", "fetched"]
    assert {m: month_file(folder, "cumbria", m).read_bytes() for m in first} == first
    polygons = json.loads((folder / "incidents/2018-10/2018-10-cumbria-street.source.json").read_text())["polygons"]
    assert police.polygons_asked - asked_before == 2 * polygons  # only the two missing months were asked for
    assert len(written_files(folder)) == 8


def test_a_write_that_fails_leaves_nothing_half_written(police, folder, monkeypatch):
    real_replace = os.replace

    def failing(src, dst):
        if str(dst).endswith("2019-02-cumbria-street.csv"):
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr("analysis.fetch.monthfiles.os.replace", failing)
    with pytest.raises(OSError):
        fetch(folder, "cumbria", "2019-01", "2019-02", api=client(police))
    assert written_files(folder) == [
        "incidents/2019-01/2019-01-cumbria-street.csv",
        "incidents/2019-01/2019-01-cumbria-street.source.json",
    ]


def test_replace_fetches_a_month_again_whole(police, folder):
    fetch(folder, "cumbria", "2019-02", "2019-02", api=client(police))
    path = month_file(folder, "cumbria", "2019-02")
    before = path.read_bytes()
    path.write_text(POLICE_HEADER + "\n", encoding="utf-8")
    summary = fetch(folder, "cumbria", "2019-02", "2019-02", api=client(police), replace=True)
    assert summary.months[0].status == "replaced" and path.read_bytes() == before


def test_a_hand_made_copy_of_a_month_is_never_doubled(police, folder, real_dir):
    (folder / "incidents/download").mkdir(parents=True)
    shutil.copy(real_dir / "incidents/2019-02/2019-02-cumbria-street.csv", folder / "incidents/download")
    summary = fetch(folder, "cumbria", "2019-01", "2019-02", api=client(police), replace=True)
    assert [m.status for m in summary.months] == ["fetched", "kept"]
    assert "remove that file to fetch it" in summary.months[1].note
    assert not month_file(folder, "cumbria", "2019-02").exists()


def test_update_fetches_newer_months_and_the_last_three_again_reporting_changes(police, folder, source_rows):
    police.dates = MONTHS[:3]
    fetch(folder, "cumbria", "2018-10", "2018-12", api=client(police))
    # police.uk re-supplies December: one record withdrawn, one outcome moved on; two new months published
    december = source_rows["2018-12"].copy()
    crime = december.index[december["Crime ID"] != ""][0]
    december.loc[crime, "Last outcome category"] = "Offender given a caution"
    withdrawn = december.index[december["Crime ID"] == ""][0]
    police.months.clear()
    police.add_rows({**source_rows, "2018-12": december.drop(index=withdrawn)})
    police.dates = MONTHS
    summary = fetch(folder, "cumbria", update=True, api=client(police))
    assert [(m.month, m.status) for m in summary.months] == [
        ("2018-10", "replaced"),
        ("2018-11", "replaced"),
        ("2018-12", "replaced"),
        ("2019-01", "fetched"),
        ("2019-02", "fetched"),
    ]
    changes = {m.month: (m.changes.added, m.changes.removed, m.changes.outcome_changed) for m in summary.months[:3]}
    assert changes == {"2018-10": (0, 0, 0), "2018-11": (0, 0, 0), "2018-12": (0, 1, 1)}
    assert "2018-12 fetched again: 0 records added, 1 removed, 1 outcomes changed." in summary.lines()
    assert "2018-10 fetched again: no change." in summary.lines()
    with pytest.raises(DataProblem, match="either --update or --from"):
        fetch(folder, "cumbria", "2019-01", update=True, api=client(police))


def test_update_needs_months_in_the_folder(police, folder):
    with pytest.raises(DataProblem, match="--update needs months already in the folder"):
        fetch(folder, "cumbria", update=True, api=client(police))


# -- pieces ------------------------------------------------------------------------------------


def test_neighbourhood_boundaries_are_used_where_the_folder_has_no_areas(police, tmp_path, source_rows):
    folder = tmp_path / "bare"
    folder.mkdir()
    strips = [box(-3.7 + 0.06 * i, 53.9, -3.7 + 0.06 * (i + 1), 55.2) for i in range(33)]
    police.boundaries = {f"N{i}": list(s.exterior.coords) for i, s in enumerate(strips)}
    police.server.expect_oneshot_request("/cumbria/neighbourhoods").respond_with_json(
        [{"id": f"N{i}", "name": f"Strip {i}"} for i in range(33)]
    )
    summary = fetch(folder, "cumbria", "2019-02", "2019-02", api=client(police))
    assert "33 neighbourhood boundaries" in summary.source
    rows = source_rows["2019-02"]
    lon, lat = pd.to_numeric(rows["Longitude"]), pd.to_numeric(rows["Latitude"])
    expected = int((lon.between(-3.7, -3.7 + 0.06 * 33) & lat.between(53.9, 55.2)).sum() + lon.isna().sum())
    assert summary.records == expected
    assert read_month_file(month_file(folder, "cumbria", "2019-02"))["LSOA code"].eq("").all()


def test_a_refused_polygon_is_halved_along_its_longer_side():
    wide = box(0, 0, 4, 1)
    halves = split_polygon(wide)
    assert [h.bounds for h in halves] == [(0, 0, 2, 1), (2, 0, 4, 1)]
    assert sum(h.area for h in halves) == pytest.approx(wide.area)
    assert poly_text(wide.exterior.coords).count(":") == 3


def test_real_recorded_answers_become_police_uk_rows(shared_data):
    records = json.loads((shared_data / "police-uk/api/mozfest_all-crime_1.json").read_text())
    rows = records_to_rows(records, "Metropolitan Police Service")
    assert len(rows) == len(records) == 376
    assert list(rows.columns) == POLICE_HEADER.split(",")
    assert set(rows["Crime type"]) <= set(fetch_module.CATEGORY_NAMES.values()) and rows["Crime type"].nunique() == 14
    asb = rows[rows["Crime type"] == ASB]
    assert (asb["Crime ID"] == "").all() and (asb["Last outcome category"] == "").all()
    assert rows["Crime ID"].tolist() == [r["persistent_id"] for r in records]  # blank for some 2014 crimes too
    crimes = rows[rows["Crime type"] != ASB]
    assert crimes["Crime ID"].str.fullmatch(r"[0-9a-f]{64}").mean() > 0.9
    assert rows["Location"].tolist() == [r["location"]["street"]["name"] for r in records]  # "On or near ..."
    assert rows["Location"].str.startswith("On or near").mean() > 0.9 and (rows["Month"] == "2014-08").all()
    assert (rows["LSOA code"] == "").all()  # no lsoa.geojson given: blank, never guessed


def test_compare_months_counts_additions_removals_and_outcome_changes():
    header = POLICE_HEADER.split(",")

    def frame(*rows):
        return pd.DataFrame([dict(zip(header, r.split(","), strict=True)) for r in rows], columns=header)

    asb = ",2019-01,F,F,-3.1,54.6,On or near A,,,Anti-social behaviour,,"
    old = frame("a,2019-01,F,F,-3.1,54.6,On or near A,,,Drugs,Under investigation,", asb, asb)
    new = frame(
        "a,2019-01,F,F,-3.1,54.6,On or near A,,,Drugs,Local resolution,",
        asb,
        "b,2019-01,F,F,-3.1,54.6,On or near A,,,Drugs,Under investigation,",
    )
    changes = compare_months(old, new)
    assert (changes.added, changes.removed, changes.outcome_changed) == (1, 1, 1)
    assert str(compare_months(old, old)) == "no change"


# -- the Data page panel -----------------------------------------------------------------------


def test_the_data_page_panel_fetches_with_a_progress_bar_and_shows_the_summary(police, folder, monkeypatch):
    monkeypatch.setenv("POLICE_UK_API", police.url)
    monkeypatch.delenv("LOCAL_FOCUS_MODE", raising=False)
    shown: list[tuple[float, str]] = []
    draw = DeltaGenerator.progress

    def recorded(self, value, text=None, **kwargs):
        shown.append((value, text))
        return draw(self, value, text=text, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "progress", recorded)
    at = open_data_page(folder, monkeypatch)
    at.text_input(key="fetch_from").input("2019-02")
    at.text_input(key="fetch_to").input("2019-03")
    at.button(key="fetch_start").click().run()
    assert not at.exception, [e.value for e in at.exception]
    summary = "\n".join(s.value for s in at.success)
    assert "Fetched 1 month(s) of police.uk street-level data for Cumbria Constabulary" in summary
    assert "2019-03 (not supplied: a gap, not zero)" in summary
    assert month_file(folder, "cumbria", "2019-02").is_file()
    assert shown and shown[-1][0] == 1.0 and any("2019-02: area 1 of" in (t or "") for _, t in shown)
    # the page read the folder again: the fetched month is loaded
    written = len(read_month_file(month_file(folder, "cumbria", "2019-02")))
    coverage = next(d.value for d in at.dataframe if "source_file" in d.value.columns)
    assert coverage.to_dict("records") == [
        {"source_file": "incidents/2019-02/2019-02-cumbria-street.csv", "month": "2019-02", "records": written}
    ]


def test_the_panel_is_hidden_where_saving_is_not_allowed_and_off_on_the_sample(folder, sample_dir, monkeypatch):
    monkeypatch.setenv("LOCAL_FOCUS_MODE", "public")
    at = open_data_page(folder, monkeypatch)
    assert not [b for b in at.button if b.key == "fetch_start"]
    assert "Get police.uk data" not in [h.value for h in at.subheader]
    monkeypatch.delenv("LOCAL_FOCUS_MODE")
    at = open_data_page(sample_dir, monkeypatch)
    assert "Get police.uk data" in [h.value for h in at.subheader]
    assert not [b for b in at.button if b.key == "fetch_start"]
    assert any("generated sample" in i.value for i in at.info)
