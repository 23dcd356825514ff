"""Every measure that counts records answers alike from rows (pandas) and from the store (DuckDB), and as rows say.

Each measure is asked of the dataset (its records counted in pandas over the rows in memory) and
of :func:`tests.conftest.with_store_records` of it (the same records counted by DuckDB over the
Parquet store): the answers must be equal, on the sample and on ../shared/data/real. Each is
also checked against counts made here, straight from the rows, so a conversion that broke both
paths alike still fails.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from collections import Counter

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from analysis.cli import main, run_evaluation, summary_records
from analysis.load.dataset import load_dataset
from analysis.load.force import one_force
from analysis.load.records import StoreRecords
from analysis.measures.data import coverage_view
from analysis.measures.deployment.series import hub_month_asb
from analysis.measures.metrics import hub_month_counts, hub_names
from analysis.measures.overview import overview
from analysis.measures.precept import recorded_asb_chart
from analysis.outputs.briefing.make import make_briefing
from analysis.outputs.briefing.period import make_frame
from analysis.schema import ASB, UNASSIGNED
from analysis.stats.evaluation.results import InsufficientData
from tests.conftest import REAL_DIR, SAMPLE_DIR, build_real_folder, need_shared, with_store_records
from tests.test_precept import Choices


@pytest.fixture(scope="module", params=["sample", "real"])
def pair(request, tmp_path_factory):
    """(dataset counted over rows, the same dataset counted by DuckDB over its store)."""
    folder = SAMPLE_DIR if request.param == "sample" else need_shared(REAL_DIR / "incidents").parent
    dataset = load_dataset(folder, store=False)
    stored = with_store_records(dataset, tmp_path_factory.mktemp("store"))
    assert isinstance(stored.records, StoreRecords)
    return dataset, stored


def assert_same(a, b, where: str = "result") -> None:
    """Equal all the way down: frames and series exactly, figures by their JSON, dataclasses field by field."""
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, obj=where)
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b, obj=where)
    elif isinstance(a, go.Figure):
        assert a.to_json() == b.to_json(), where
    elif dataclasses.is_dataclass(a) and not isinstance(a, type):
        assert type(a) is type(b), where
        for f in dataclasses.fields(a):
            if f.name != "dataset":
                assert_same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, tuple | list) and not isinstance(a, str):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for k in a:
            assert_same(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, float) and np.isnan(a):
        assert isinstance(b, float) and np.isnan(b), where
    else:
        assert a == b, where


def by_hand(rows: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Rows counted per ``keys`` (text as str), the independent route."""
    return rows.groupby([rows[k].astype("str") if k != "month" else rows[k] for k in keys]).size()


def test_hub_names_and_hub_month_counts(pair):
    dataset, stored = pair
    assert hub_names(dataset) == hub_names(stored) == dataset.hub_names
    counts = hub_month_counts(dataset)
    assert_same(counts, hub_month_counts(stored))
    rows = dataset.incidents
    expected = by_hand(rows, ["hub", "month", "crime_type"])
    got = counts.set_index(["hub", "month", "crime_type"])["count"]
    assert got.loc[expected.index].tolist() == expected.tolist()
    assert got.sum() == len(rows.loc[rows["crime_type"].astype("str").isin(got.index.levels[2])])


def test_summary_records(pair):
    dataset, stored = pair
    record = summary_records(dataset)
    assert_same(record, summary_records(stored))
    rows = dataset.incidents
    asb = by_hand(rows.loc[rows["is_asb"]], ["hub", "month"])
    got = {(r["hub"], pd.Period(r["month"], "M")): r["asb"] for r in record["rows"] if r["asb"]}
    assert got == {k: v for k, v in asb.items() if v}


def test_evaluation(pair):
    dataset, stored = pair
    try:
        expected = run_evaluation(dataset).to_dict()
    except InsufficientData as e:
        with pytest.raises(InsufficientData, match=str(e)[:40]):
            run_evaluation(stored)
        return
    assert_same(expected, run_evaluation(stored).to_dict())


def test_overview(pair):
    dataset, stored = pair
    hubs = tuple(dataset.hub_names)
    for start, end, chosen in (
        (dataset.months[0], dataset.months[-1], hubs),
        (dataset.months[1], dataset.months[-2], hubs[:2]),
    ):
        result = overview(dataset, chosen, start, end)
        assert_same(result, overview(stored, chosen, start, end))
        rows = dataset.incidents
        keep = rows["month"].between(start, end) & rows["hub"].isin(chosen)
        supplied = dataset.coverage.supplied("asb", None, rows["month"]).to_numpy()
        assert result.asb == (rows["is_asb"] & keep & supplied).sum()


def test_recorded_asb_chart(pair):
    dataset, stored = pair
    hubs = tuple(dataset.hub_names)
    choices = Choices(hubs, dataset.months[0], dataset.months[-1])
    chart = recorded_asb_chart(dataset, choices, None)
    assert_same(chart, recorded_asb_chart(stored, choices, None))
    rows = dataset.incidents
    asb = by_hand(rows.loc[rows["is_asb"] & (rows["hub"] != UNASSIGNED)], ["hub"])
    shown = chart.table.groupby("Hub")["ASB incidents"].sum()
    assert shown[shown > 0].to_dict() == asb[asb > 0].to_dict()


def test_hub_month_asb(pair):
    dataset, stored = pair
    asb = hub_month_asb(dataset)
    assert_same(asb, hub_month_asb(stored))
    rows = dataset.incidents
    expected = by_hand(rows.loc[rows["is_asb"] & (rows["hub"] != UNASSIGNED)], ["hub", "month"])
    got = asb.set_index(["hub", "month"])["asb"]
    assert got.loc[expected.index].tolist() == expected.tolist()
    assert got.sum() == expected.sum()


def test_coverage_view(pair):
    dataset, stored = pair
    view = coverage_view(dataset)
    assert_same(view, coverage_view(stored))
    rows = dataset.incidents
    by_month = view.months.set_index("month")
    for stream, chosen in (("asb", rows["is_asb"]), ("crime", ~rows["is_asb"])):
        expected = rows.loc[chosen].groupby("month").size()
        assert by_month[stream].dropna().astype("int64").to_dict() == expected[expected > 0].to_dict()
    files = by_hand(rows, ["source_file", "month"])
    assert view.by_file.set_index(["source_file", "month"])["records"].to_dict() == {
        (f, str(m)): n for (f, m), n in files.items()
    }
    placed = rows["assigned_by"].value_counts()
    assert view.placed["placed by"].tolist() == [str(p) for p in placed.index]
    assert view.placed["records"].tolist() == placed.tolist()


@pytest.mark.parametrize("public", [False, True])
def test_briefing(pair, public):
    dataset, stored = pair
    months = 12 if len(dataset.months) >= 24 else 3
    assert_same(
        make_briefing(dataset, public=public, months=months), make_briefing(stored, public=public, months=months)
    )
    frame = make_frame(dataset, public=public, months=months)
    rows = dataset.incidents
    this = rows.loc[rows["is_asb"] & rows["month"].isin(frame.period)]
    assert frame.hubs_this.total == len(this)
    assert (
        frame.hubs_this.exact.to_dict()
        == by_hand(this, ["hub"]).reindex(frame.hubs_this.exact.index, fill_value=0).to_dict()
    )
    assert frame.force == rows["falls_within"].value_counts().index[0]
    assert int(frame.asb["records"].sum()) == int((rows["crime_type"] == ASB).sum())


# ---------------------------------------------------------------- --force: one force of a folder of several


@pytest.fixture(scope="module")
def two_forces(tmp_path_factory):
    """The real Cumbria folder with six months of City of London Police beside it."""
    return build_real_folder("forces", tmp_path_factory.mktemp("forces"))


def raw_force_counts(folder, force: str) -> tuple[Counter, Counter, int]:
    """ASB and crime per month of one force, and its data rows, straight from its police.uk files (csv only).

    A later copy of a Crime ID is not a record (police.uk repeats some crimes across months).
    """
    asb, crime, seen, lines = Counter(), Counter(), set(), 0
    for path in sorted((folder / "incidents").rglob(f"*-{force}-street.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                lines += 1
                crime_id = row["Crime ID"].strip()
                if crime_id and crime_id in seen:
                    continue
                seen.add(crime_id)
                (asb if row["Crime type"] == ASB else crime)[row["Month"]] += 1
    return asb, crime, lines


def run_json(capsys, *argv: str) -> tuple[int, dict]:
    code = main(list(argv))
    out = capsys.readouterr().out
    return code, json.loads(out)


@pytest.mark.parametrize("force", ["city-of-london", "cumbria"])
def test_summary_and_validate_for_one_force(two_forces, capsys, force):
    asb, crime, lines = raw_force_counts(two_forces, force)
    code, record = run_json(capsys, "summary", str(two_forces), "--json", "--force", force)
    assert code == 0
    got_asb, got_crime = Counter(), Counter()
    for row in record["rows"]:
        got_asb[row["month"]] += row["asb"] or 0
        got_crime[row["month"]] += row["crime"] or 0
    assert +got_asb == asb and +got_crime == crime
    hubs = {row["hub"] for row in record["rows"]} - {UNASSIGNED}
    cumbria = {"Carlisle", "Eden", "Allerdale", "Copeland", "Barrow", "South Lakeland"}
    assert (hubs == cumbria) if force == "cumbria" else (hubs and not hubs & cumbria)
    assert record["first_month"] == min(asb) and record["last_month"] == max(asb)
    code, validation = run_json(capsys, "validate", str(two_forces), "--json", "--force", force)
    incident_files = [f for f in validation["files"] if f["kind"] == "incidents"]
    assert incident_files and all(f"-{force}-street.csv" in f["file"] for f in incident_files)
    assert sum(f["rows_read"] for f in incident_files) == lines
    assert validation["coverage"]["first_month"] == min(asb)


def test_evaluate_and_briefing_for_one_force(two_forces, capsys):
    code, record = run_json(capsys, "evaluate", str(two_forces), "--json", "--force", "cumbria")
    assert code == 1 and record["estimate"] is None and "months" in record["reason"]  # five months: cannot tell yet
    city = one_force(load_dataset(two_forces, store=False), "City of London Police")  # its name works too
    assert city.force == "city-of-london"
    briefing = make_briefing(city, public=False, months=3)
    assert briefing.area == "City of London Police area"
    assert briefing.end == pd.Period(max(raw_force_counts(two_forces, "city-of-london")[0]), "M")


@pytest.mark.parametrize("command", ["summary", "evaluate", "validate"])
def test_an_unknown_force_is_one_sentence_listing_the_forces(two_forces, capsys, command):
    assert main([command, str(two_forces), "--force", "durham"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert (
        captured.err.strip() == "There is no force 'durham' in forces: the forces it holds are city-of-london, cumbria."
    )
