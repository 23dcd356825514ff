"""Tests of the seeded sample-data generator (``data/generate.py``)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from shapely import get_coordinates
from shapely.geometry import Point, shape
from shapely.ops import unary_union

from analysis.schema import (
    ABOUT_FILE,
    AGENCIES,
    ASB,
    CRIME_TYPES,
    FUNDING,
    OUTCOMES,
    POLICE_UK_COLUMNS,
    REQUIRED_COLUMNS,
    ROLES,
    WORKER_TYPES,
)
from analysis.store.ingest import STORE_DIR_NAME
from data.build_basemap import BASEMAP_DIR
from data.generate import (
    CRIME_TYPE_SHARES,
    DEFAULT_LAUNCHES,
    GENERATED_LOCATION,
    HUBS,
    INCIDENTS_ZIP,
    SampleData,
    _geography,
    _population_table,
    expected_counts,
    generate_sample,
    main,
    simulate_counts,
    write_sample,
)

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "data" / "sample"
MANAGED_FILES = (
    "hubs.csv",
    "population.csv",
    "resourcing.csv",
    "operations.csv",
    "cases.csv",
    "workforce.csv",
    "pledges.csv",
    "areas.geojson",
    "lsoa.geojson",
    ABOUT_FILE,
    "README.md",
    INCIDENTS_ZIP,
)
N_CELLS = len(HUBS) * 48 * len(CRIME_TYPES)


@pytest.fixture(scope="module")
def sample() -> SampleData:
    """The default sample, generated once."""
    return generate_sample()


@pytest.fixture(scope="module")
def written(sample: SampleData, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default sample written to a temporary folder."""
    out = tmp_path_factory.mktemp("sample")
    write_sample(sample, out)
    return out


def _files(folder: Path) -> set[str]:
    """The folder's files, less the Parquet store the app writes beside the data (git ignores it)."""
    files = (p.relative_to(folder) for p in folder.rglob("*") if p.is_file())
    return {f.as_posix() for f in files if STORE_DIR_NAME not in f.parts}


def _post_launch(counts: pd.DataFrame, launches: dict[str, str]) -> pd.Series:
    launch = counts["hub"].map({h: pd.Period(d, freq="M") for h, d in launches.items()})
    return pd.Series([m >= lm for m, lm in zip(counts["month"], launch, strict=True)], index=counts.index)


# --- determinism and the committed sample ------------------------------------------


def test_committed_sample_holds_exactly_the_managed_files() -> None:
    assert _files(SAMPLE_DIR) == set(MANAGED_FILES)


@pytest.mark.parametrize("name", MANAGED_FILES)
def test_regenerating_reproduces_committed_sample_byte_for_byte(written: Path, name: str) -> None:
    assert (written / name).read_bytes() == (SAMPLE_DIR / name).read_bytes()


def test_sample_folder_is_small() -> None:
    total = sum((SAMPLE_DIR / name).stat().st_size for name in MANAGED_FILES)
    assert total < 7.5e6
    assert (SAMPLE_DIR / "areas.geojson").stat().st_size < 60_000
    assert (SAMPLE_DIR / "lsoa.geojson").stat().st_size < 400_000


def test_cli_writes_a_folder_for_another_seed(tmp_path: Path) -> None:
    assert main(["--out", str(tmp_path), "--seed", "7"]) == 0
    assert _files(tmp_path) == set(MANAGED_FILES)
    assert (tmp_path / "hubs.csv").read_bytes() == (SAMPLE_DIR / "hubs.csv").read_bytes()
    assert (tmp_path / INCIDENTS_ZIP).read_bytes() != (SAMPLE_DIR / INCIDENTS_ZIP).read_bytes()


# --- stage 1: counts ----------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2018, 123456])
def test_same_seed_gives_same_counts(seed: int) -> None:
    pd.testing.assert_frame_equal(simulate_counts(seed), simulate_counts(seed))


@pytest.mark.parametrize(("seed_a", "seed_b"), [(0, 1), (2018, 2019), (5, 500)])
def test_different_seeds_give_different_counts(seed_a: int, seed_b: int) -> None:
    a, b = simulate_counts(seed_a)["count"], simulate_counts(seed_b)["count"]
    assert (a != b).mean() > 0.5


@pytest.mark.parametrize("seed", [-1, 1.5, "1"])
def test_bad_seed_is_refused(seed: object) -> None:
    with pytest.raises(ValueError, match="seed"):
        simulate_counts(seed)  # type: ignore[arg-type]


def test_unknown_hub_in_launches_is_refused() -> None:
    with pytest.raises(ValueError, match="Narnia"):
        simulate_counts(launches={"Narnia": "2019-01-01"})


def test_counts_are_the_full_grid() -> None:
    counts = simulate_counts()
    assert list(counts.columns) == ["hub", "month", "crime_type", "count"]
    assert len(counts) == N_CELLS
    assert counts["month"].dtype == pd.PeriodDtype("M")
    assert counts["count"].dtype == np.int64
    assert set(counts["hub"]) == {h.hub for h in HUBS}
    assert set(counts["crime_type"]) == set(CRIME_TYPES)
    assert counts["month"].min() == pd.Period("2017-01", "M")
    assert counts["month"].max() == pd.Period("2020-12", "M")
    assert not counts.duplicated(["hub", "month", "crime_type"]).any()
    assert (counts["count"] >= 0).all()


def test_small_volume_keeps_zero_cells_in_the_grid() -> None:
    counts = simulate_counts(3, monthly_volume=200, months=12, start="2019-01")
    assert len(counts) == len(HUBS) * 12 * len(CRIME_TYPES)
    assert (counts["count"] == 0).any()


def test_crime_type_shares_sum_to_one() -> None:
    assert sum(CRIME_TYPE_SHARES.values()) == pytest.approx(1.0)
    assert set(CRIME_TYPE_SHARES) == set(CRIME_TYPES)


@pytest.mark.parametrize("seed", [1, 2018, 31337])
def test_asb_share_is_realistic(seed: int) -> None:
    counts = simulate_counts(seed)
    share = counts.loc[counts["crime_type"] == ASB, "count"].sum() / counts["count"].sum()
    assert 0.33 <= share <= 0.40


def test_counts_agree_with_the_expected_counts() -> None:
    expected = expected_counts()
    total = sum(simulate_counts(s)["count"].to_numpy() for s in range(20)) / 20
    assert total.sum() == pytest.approx(expected["expected"].sum(), rel=0.01)
    by_type = pd.Series(total).groupby(expected["crime_type"]).sum()
    assert np.allclose(by_type, expected.groupby("crime_type")["expected"].sum(), rtol=0.05)


def test_asb_peaks_in_summer() -> None:
    expected = expected_counts()
    asb = expected[expected["crime_type"] == ASB]
    by_month = asb.groupby(asb["month"].dt.month)["expected"].mean()
    assert by_month.idxmax() == 7
    assert by_month.idxmin() in (12, 1)
    assert 1.5 < by_month.max() / by_month.min() < 1.8  # about 1.25 / 0.75


@pytest.mark.parametrize("seed", [2018, 42])
def test_launch_effect_moves_post_launch_asb_only(seed: int) -> None:
    none = simulate_counts(seed, asb_launch_effect=0.0)
    half = simulate_counts(seed, asb_launch_effect=-0.5)
    asb = none["crime_type"] == ASB
    post = _post_launch(none, DEFAULT_LAUNCHES)
    # Placebo crime types and pre-launch ASB are untouched.
    assert (none.loc[~asb, "count"] == half.loc[~asb, "count"]).all()
    assert (none.loc[asb & ~post, "count"] == half.loc[asb & ~post, "count"]).all()
    # Post-launch ASB halves, on average over many hub-months.
    ratio = half.loc[asb & post, "count"].mean() / none.loc[asb & post, "count"].mean()
    assert 0.45 <= ratio <= 0.55


def test_hub_without_launch_is_never_affected() -> None:
    launches = {h: d for h, d in DEFAULT_LAUNCHES.items() if h != "Eden"}
    a = simulate_counts(9, asb_launch_effect=0.0, launches=launches)
    b = simulate_counts(9, asb_launch_effect=-0.5, launches=launches)
    eden = a["hub"] == "Eden"
    assert (a.loc[eden, "count"] == b.loc[eden, "count"]).all()


# --- stage 2: incidents -------------------------------------------------------------


def test_incidents_are_police_uk_strings(sample: SampleData) -> None:
    inc = sample.incidents
    assert tuple(inc.columns) == POLICE_UK_COLUMNS
    assert all(pd.api.types.is_string_dtype(inc[c]) for c in inc.columns)
    assert not inc.isna().any().any()
    assert inc["Month"].str.fullmatch(r"\d{4}-\d{2}").all()
    assert (inc["Reported by"] == "Cumbria Constabulary").all()
    assert (inc["Falls within"] == "Cumbria Constabulary").all()
    assert (inc["Context"] == "").all()
    assert set(inc["Crime type"]) == set(CRIME_TYPES)


def test_incidents_hold_exactly_the_stage_one_counts(sample: SampleData) -> None:
    counts = simulate_counts()
    want = counts.groupby([counts["month"].astype(str), "crime_type"])["count"].sum()
    got = sample.incidents.groupby(["Month", "Crime type"]).size()
    got = got.reindex(want.index, fill_value=0)
    assert (got.to_numpy() == want.to_numpy()).all()


def test_asb_rows_have_no_crime_id_and_no_outcome(sample: SampleData) -> None:
    inc = sample.incidents
    asb = inc["Crime type"] == ASB
    assert (inc.loc[asb, "Crime ID"] == "").all()
    assert (inc.loc[asb, "Last outcome category"] == "").all()
    crimes = inc.loc[~asb]
    assert crimes["Crime ID"].str.fullmatch(r"[0-9a-f]{64}").all()
    assert crimes["Crime ID"].is_unique
    assert crimes["Last outcome category"].isin(OUTCOMES).all()


def test_recent_months_are_mostly_under_investigation(sample: SampleData) -> None:
    crimes = sample.incidents[sample.incidents["Crime type"] != ASB]
    share = (crimes["Last outcome category"] == "Under investigation").groupby(crimes["Month"]).mean()
    assert (share.iloc[-3:] > 0.3).all()
    assert share.iloc[-1] > 0.7
    assert (share.iloc[:-3] < 0.05).all()


def test_some_rows_have_no_location(sample: SampleData) -> None:
    inc = sample.incidents
    missing = inc["Location"] == "No Location"
    assert 0.002 <= missing.mean() <= 0.007
    for column in ("Longitude", "Latitude", "LSOA code", "LSOA name"):
        assert (inc.loc[missing, column] == "").all()
        assert (inc.loc[~missing, column] != "").all()
    assert inc.loc[~missing, "Location"].str.startswith("On or near ").all()
    assert inc.loc[~missing, "Longitude"].str.fullmatch(r"-\d\.\d{6}").all()
    assert inc.loc[~missing, "Latitude"].str.fullmatch(r"5\d\.\d{6}").all()


def test_records_sit_at_real_snap_points_of_their_lsoa(sample: SampleData) -> None:
    located = sample.incidents[sample.incidents["LSOA code"] != ""]
    used = located[["Longitude", "Latitude", "Location", "LSOA code"]].drop_duplicates()
    real = pd.read_csv(BASEMAP_DIR / "snap_points.csv", dtype="str", keep_default_na=False)
    real = real.set_axis(["Longitude", "Latitude", "Location", "LSOA code", "records"], axis=1)
    matched = used.merge(real, how="left", indicator=True)
    made_up = matched["Location"] == GENERATED_LOCATION
    assert ((matched["_merge"] == "both") | made_up).all()
    assert not made_up.any()  # every Cumbria LSOA has a real snap point today
    assert (used.groupby("LSOA code").size() <= 8).all()  # the busiest few per LSOA
    assert located["LSOA code"].nunique() == 321


def test_busy_real_points_get_more_records(sample: SampleData) -> None:
    real = pd.read_csv(BASEMAP_DIR / "snap_points.csv", dtype="str", keep_default_na=False)
    real["records"] = real["records"].astype("int64")
    per_lsoa = real.groupby("lsoa_code")["records"].sum()
    got = sample.incidents[sample.incidents["LSOA code"] != ""].groupby("LSOA code").size()
    assert np.corrcoef(per_lsoa[got.index], got)[0, 1] > 0.8


def test_zip_is_laid_out_as_a_police_uk_download(written: Path, sample: SampleData) -> None:
    with zipfile.ZipFile(written / INCIDENTS_ZIP) as zf:
        names = zf.namelist()
        assert names == sorted(names)
        assert len(names) == 48
        for name in names:
            assert re.fullmatch(r"(\d{4}-\d{2})/\1-cumbria-street\.csv", name)
        info = zf.getinfo(names[0])
        assert info.compress_type == zipfile.ZIP_DEFLATED
        assert info.date_time == (2020, 1, 1, 0, 0, 0)
        text = zf.read(names[-1]).decode("utf-8")
    assert text.startswith(",".join(POLICE_UK_COLUMNS) + "\n")
    assert "\r" not in text
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    month = sample.incidents[sample.incidents["Month"] == names[-1][:7]]
    assert list(frame.columns) == list(POLICE_UK_COLUMNS)
    assert frame.to_numpy().tolist() == month.to_numpy().tolist()


# --- geometry -----------------------------------------------------------------------


def test_areas_are_the_real_districts_of_the_hubs(sample: SampleData) -> None:
    props = [f["properties"] for f in sample.areas["features"]]
    assert sorted(p["area_code"] for p in props) == sorted(h.area_code for h in HUBS)
    assert not any("schematic" in p for p in props)
    assert {p["area_code"]: p["hub"] for p in props} == {h.area_code: h.hub for h in HUBS}
    names = {p["area_code"]: p["area_name"] for p in props}
    assert names["E07000027"] == "Barrow-in-Furness"
    assert [f["geometry"] for f in sample.areas["features"]] == [
        f["geometry"] for f in json.loads((BASEMAP_DIR / "areas.geojson").read_text(encoding="utf-8"))["features"]
    ]
    county = unary_union([shape(f["geometry"]) for f in sample.areas["features"]])
    west, south, east, north = county.bounds
    assert -3.7 < west < -3.5 and -2.2 < east < -2.0 and 54.0 < south < 54.1 and 55.1 < north < 55.3


def test_regions_are_laid_out_north_west_south(sample: SampleData) -> None:
    centre = {f["properties"]["area_code"]: shape(f["geometry"]).centroid for f in sample.areas["features"]}
    region = {h.area_code: h.region for h in HUBS}
    ys = {r: np.mean([centre[c].y for c in centre if region[c] == r]) for r in region.values()}
    xs = {r: np.mean([centre[c].x for c in centre if region[c] == r]) for r in region.values()}
    assert ys["North"] > ys["South"]
    assert xs["West"] < xs["North"] and xs["West"] < xs["South"]


def test_lsoas_are_the_real_2011_lsoas_within_their_district(sample: SampleData) -> None:
    areas = {f["properties"]["area_code"]: shape(f["geometry"]) for f in sample.areas["features"]}
    counts = {code: 0 for code in areas}
    for feature in sample.lsoa["features"]:
        props = feature["properties"]
        polygon = shape(feature["geometry"])
        assert polygon.is_valid and not polygon.is_empty
        # district boundaries are the coarser (BUC) product: most of each LSOA lies inside its district
        assert areas[props["area_code"]].intersection(polygon).area > 0.5 * polygon.area
        assert re.fullmatch(r"E010\d{5}", props["lsoa_code"])
        counts[props["area_code"]] += 1
    assert sum(counts.values()) == 321
    assert counts["E07000028"] == 68  # Carlisle


def test_lsoa_names_use_the_district_name(sample: SampleData) -> None:
    area_name = {f["properties"]["area_code"]: f["properties"]["area_name"] for f in sample.areas["features"]}
    for feature in sample.lsoa["features"]:
        props = feature["properties"]
        assert re.fullmatch(re.escape(area_name[props["area_code"]]) + r" \d{3}[A-Z]", props["lsoa_name"])


def test_coordinates_have_five_decimals(sample: SampleData) -> None:
    for collection in (sample.areas, sample.lsoa):
        for feature in collection["features"]:
            coords = np.array(get_coordinates(shape(feature["geometry"])))
            assert (np.round(coords, 5) == coords).all()


def test_every_point_lies_inside_its_lsoa(sample: SampleData) -> None:
    polygons = {f["properties"]["lsoa_code"]: shape(f["geometry"]) for f in sample.lsoa["features"]}
    names = {f["properties"]["lsoa_code"]: f["properties"]["lsoa_name"] for f in sample.lsoa["features"]}
    located = sample.incidents[sample.incidents["LSOA code"] != ""]
    points = located[["Longitude", "Latitude", "LSOA code", "LSOA name"]].drop_duplicates()
    for lon, lat, code, name in points.itertuples(index=False):
        assert polygons[code].contains(Point(float(lon), float(lat)))
        assert names[code] == name


# --- the other tables ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "file"),
    [
        ("hubs", "hubs.csv"),
        ("population", "population.csv"),
        ("resourcing", "resourcing.csv"),
        ("operations", "operations.csv"),
        ("cases", "cases.csv"),
        ("workforce", "workforce.csv"),
        ("pledges", "pledges.csv"),
    ],
)
def test_tables_have_the_contract_columns(sample: SampleData, table: str, file: str) -> None:
    frame = getattr(sample, table)
    assert set(REQUIRED_COLUMNS[file]) <= set(frame.columns)
    assert len(frame) > 0


def test_hubs_carry_the_default_launches(sample: SampleData) -> None:
    launched = dict(zip(sample.hubs["hub"], sample.hubs["launched"], strict=True))
    assert launched == DEFAULT_LAUNCHES
    assert list(sample.hubs["hub"]) == [h.hub for h in HUBS]


def test_population_is_the_real_ons_residents(sample: SampleData) -> None:
    pop = sample.population
    districts = pop[pop["area_code"].str.startswith("E07")]
    lsoas = pop[pop["area_code"].str.startswith("E01")]
    assert sorted(districts["year"].unique()) == [2017, 2019, 2020]  # the ONS estimates in the span
    assert len(districts) == 6 * 3 and len(lsoas) == 321 * 3
    assert lsoas.groupby("year")["population"].sum().equals(districts.groupby("year")["population"].sum())
    assert set(pop["source"]) == {f"ONS mid-{y} population estimates" for y in (2017, 2019, 2020)}
    carlisle = districts[districts["area_code"] == "E07000028"].set_index("year")["population"]
    assert carlisle[2019] == 108_678  # ONS mid-2019, Carlisle
    assert set(lsoas["area_code"]) == {f["properties"]["lsoa_code"] for f in sample.lsoa["features"]}


@pytest.mark.parametrize(
    ("start", "months", "years"),
    [("2017-01", 48, [2017, 2019, 2020]), ("2018-03", 12, [2017]), ("2012-01", 12, [2011]), ("2021-06", 6, [2020])],
)
def test_population_years_cover_the_span(start: str, months: int, years: list[int]) -> None:
    table = _population_table(_geography(), range(int(start[:4]), int(start[:4]) + (months + 11) // 12))
    assert sorted(table["year"].unique()) == years


def test_resourcing_weeks_are_mondays(sample: SampleData) -> None:
    res = sample.resourcing
    weeks = pd.to_datetime(res["week"], format="%Y-%m-%d")
    assert (weeks.dt.day_of_week == 0).all()
    assert set(res["role"]) == set(ROLES)
    assert set(res["funding"]) == set(FUNDING)
    assert (res["fte"] > 0).all()
    assert (res["visible_patrol_hours"] >= 0).all()
    assert not res.duplicated(["week", "hub", "role", "funding"]).any()


@pytest.mark.parametrize("hub", list(DEFAULT_LAUNCHES))
def test_precept_fte_steps_up_after_launch(sample: SampleData, hub: str) -> None:
    res = sample.resourcing[sample.resourcing["hub"] == hub]
    weeks = pd.Index(sorted(res["week"].unique()))
    precept = res[res["funding"] == "precept"].groupby("week")["fte"].sum()
    precept = precept.reindex(weeks, fill_value=0.0)
    launch = DEFAULT_LAUNCHES[hub]
    before, after = precept[precept.index < launch], precept[precept.index >= launch]
    assert after.mean() > before.mean() + 2
    hours = res[res["funding"] == "precept"].groupby("week")["visible_patrol_hours"].sum()
    assert hours.reindex(weeks, fill_value=0.0)[weeks >= launch].mean() > 10


def test_county_establishment_matches_the_pledges(sample: SampleData) -> None:
    res = sample.resourcing
    last = res[res["week"] == res["week"].max()]
    pcsos = last.loc[last["role"] == "PCSO", "fte"].sum()
    precept_pcs = last.loc[(last["role"] == "PC") & (last["funding"] == "precept"), "fte"].sum()
    inspectors = last[last["role"] == "Inspector"]
    assert pcsos == pytest.approx(95, abs=5)
    assert precept_pcs == pytest.approx(25, abs=2)
    assert len(inspectors) == 6
    assert (inspectors["funding"] == "precept").sum() == 4


def test_operations_include_a_week_of_action(sample: SampleData) -> None:
    ops = sample.operations
    week = ops[ops["name"].str.contains("Week of Action")]
    assert len(week) >= 1
    assert (week["hub"] == "All").all() and (week["focus"] == "ASB").all()
    days = pd.to_datetime(week["end"]) - pd.to_datetime(week["start"])
    assert (days == pd.Timedelta(days=6)).all()  # seven days, inclusive
    hubs = set(ops["hub"]) - {"All"}
    assert hubs and hubs <= {h.hub for h in HUBS}
    assert set(ops["focus"]) <= {"ASB", "antisocial driving", "shoplifting"}


def test_cases_are_multi_agency_and_consistent(sample: SampleData) -> None:
    cases = sample.cases
    assert 200 <= len(cases) <= 500
    assert cases["case_id"].is_unique
    for agencies in cases["agencies"]:
        parts = agencies.split("; ")
        assert "Police" in parts and set(parts) <= set(AGENCIES)
    is_open = cases["status"] == "open"
    assert set(cases["status"]) == {"open", "closed"}
    assert (cases.loc[is_open, "closed"] == "").all()
    closed = cases[~is_open]
    assert (closed["closed"] >= closed["opened"]).all()
    launch = cases["hub"].map(DEFAULT_LAUNCHES)
    assert (cases["opened"] >= launch).all()
    assert cases["summary"].str.len().gt(20).all()


def test_workforce_and_pledges(sample: SampleData) -> None:
    wf = sample.workforce
    assert set(wf["worker_type"]) == set(WORKER_TYPES)
    assert set(pd.to_datetime(wf["as_at_date"]).dt.strftime("%m-%d")) == {"03-31", "09-30"}
    officers = wf[wf["worker_type"] == "officers"].set_index("as_at_date")["fte"]
    assert officers.iloc[-1] - officers[officers.index < "2018-04-01"].mean() > 15
    pcsos = wf.loc[wf["worker_type"] == "pcsos", "fte"]
    assert pcsos.between(88, 102).all()
    assert (wf["source"] == "Generated sample").all()
    assert set(sample.pledges["worker_type"]) <= set(WORKER_TYPES)
    assert len(sample.pledges) == 2


def test_about_says_generated(sample: SampleData) -> None:
    about = sample.about
    assert about["generated"] is True
    assert about["seed"] == 2018
    assert about["asb_launch_effect"] == -0.15
    assert about["generator"] == "data/generate.py"
    assert about["name"] == "Generated sample"
    assert (
        "Source: Office for National Statistics licensed under the Open Government Licence v3.0."
        in (about["attribution"][0])
    )
    assert "Contains OS data © Crown copyright and database right." in about["attribution"][0]
    readme = (SAMPLE_DIR / "README.md").read_text(encoding="utf-8")
    assert about["attribution"][0] in readme and "Generated, not real" in readme
