"""Pledges against published headcount: hand-computed cases, including the real Cumbria figures."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.load.dataset import load_dataset
from analysis.measures.pledges import (
    ASSESSMENT_COLUMNS,
    assess_pledges,
    latest_assessment,
    pledge_figure,
)

# Home Office, Police workforce, 30 September of each year: Cumbria FTE (as in ../shared/data/real/workforce.csv).
REAL_WORKFORCE = pd.DataFrame(
    {
        "as_at_date": pd.to_datetime(["2015-09-30", "2016-09-30", "2017-09-30", "2018-09-30", "2019-09-30"] * 2),
        "worker_type": ["pcsos"] * 5 + ["officers"] * 5,
        "fte": [92.97, 84.24, 93.0, 86.0, 76.0, 1129.38, 1102.0, 1108.06, 1174.0, 1173.62],
    }
)


def pledge(worker_type: str, target: float, kind: str, from_date: str = "2018-04-01", name: str | None = None):
    return {
        "pledge": name or f"{worker_type} {kind} {target}",
        "worker_type": worker_type,
        "target": target,
        "kind": kind,
        "from_date": pd.Timestamp(from_date),
    }


def pledges(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def workforce(*rows: tuple[str, str, float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "as_at_date": pd.to_datetime([r[0] for r in rows]),
            "worker_type": [r[1] for r in rows],
            "fte": [r[2] for r in rows],
        }
    )


# (as_at_date, baseline_date, baseline, required, actual, gap, met): hand-computed from REAL_WORKFORCE.
REAL_CASES = [
    # Officers: +25 on the figure at or just before 1 Apr 2018, which is 30 Sep 2017 = 1,108.06 -> at least 1,133.06.
    ("officers", 25, "increase", "2018-09-30", "2017-09-30", 1108.06, 1133.06, 1174.0, 40.94, True),
    ("officers", 25, "increase", "2019-09-30", "2017-09-30", 1108.06, 1133.06, 1173.62, 40.56, True),
    # PCSOs: hold at least 95 -> 86 and 76 fall short by 9 and 19.
    ("pcsos", 95, "level", "2018-09-30", None, None, 95.0, 86.0, -9.0, False),
    ("pcsos", 95, "level", "2019-09-30", None, None, 95.0, 76.0, -19.0, False),
]


@pytest.mark.parametrize(
    "worker_type,target,kind,as_at,baseline_date,baseline,required,actual,gap,met",
    REAL_CASES,
    ids=[f"{c[0]}-{c[3]}" for c in REAL_CASES],
)
def test_real_pledges(worker_type, target, kind, as_at, baseline_date, baseline, required, actual, gap, met):
    result = assess_pledges(pledges(pledge(worker_type, target, kind)), REAL_WORKFORCE)
    row = result.set_index("as_at_date").loc[pd.Timestamp(as_at)]
    assert row["required_fte"] == pytest.approx(required)
    assert row["actual_fte"] == pytest.approx(actual)
    assert row["gap_fte"] == pytest.approx(gap)
    assert bool(row["met"]) is met
    if baseline_date is None:
        assert pd.isna(row["baseline_date"]) and pd.isna(row["baseline_fte"])
    else:
        assert row["baseline_date"] == pd.Timestamp(baseline_date)
        assert row["baseline_fte"] == pytest.approx(baseline)


def test_only_figures_from_the_pledge_date_are_assessed():
    result = assess_pledges(pledges(pledge("pcsos", 95, "level")), REAL_WORKFORCE)
    assert list(result["as_at_date"]) == [pd.Timestamp("2018-09-30"), pd.Timestamp("2019-09-30")]
    assert list(result.columns) == list(ASSESSMENT_COLUMNS)
    assert str(result["met"].dtype) == "boolean"


def test_status_sentences_say_what_the_data_says():
    result = assess_pledges(
        pledges(pledge("officers", 25, "increase"), pledge("pcsos", 95, "level")), REAL_WORKFORCE
    ).set_index(["worker_type", "as_at_date"])
    officers = result.loc[("officers", pd.Timestamp("2018-09-30"))]
    assert officers["status"] == (
        "At 30 Sep 2018: 1,174 officer FTE, 65.94 above the baseline of 1,108.06, so the pledged increase of 25 "
        "(at least 1,133.06) was reached, with 40.94 to spare: met."
    )
    assert officers["baseline_note"] == (
        "Baseline: 1,108.06 officer FTE at 30 Sep 2017, the nearest published figure before the pledge date "
        "(1 Apr 2018), about 6 months earlier."
    )
    pcsos = result.loc[("pcsos", pd.Timestamp("2019-09-30"))]
    assert pcsos["status"] == "At 30 Sep 2019: 76 PCSO FTE, 19 below the pledged 95: not met."
    assert pcsos["baseline_note"] == ""


@pytest.mark.parametrize(
    "figures,kind,target,expected_required,expected_gap,expected_met",
    [
        # Baseline on the pledge date itself: 100 + 10 = 110; 109 is 1 short.
        ([("2018-04-01", "officers", 100.0), ("2018-09-30", "officers", 109.0)], "increase", 10, 110.0, -1.0, False),
        # Exactly on target counts as met (gap 0).
        ([("2018-03-31", "officers", 100.0), ("2018-09-30", "officers", 110.0)], "increase", 10, 110.0, 0.0, True),
        # The latest figure at or before the date is the baseline (not the earliest): 104 + 5 = 109.
        (
            [("2017-03-31", "officers", 90.0), ("2017-09-30", "officers", 104.0), ("2018-09-30", "officers", 109.5)],
            "increase",
            5,
            109.0,
            0.5,
            True,
        ),
        # Level: exactly at target is met.
        ([("2018-09-30", "pcsos", 95.0)], "level", 95, 95.0, 0.0, True),
        # Level with figures only before the date and one after: only the one after counts.
        ([("2018-03-31", "pcsos", 80.0), ("2018-09-30", "pcsos", 96.5)], "level", 95, 95.0, 1.5, True),
    ],
    ids=["baseline-on-date", "exactly-met", "latest-baseline", "level-exact", "level-after-only"],
)
def test_hand_computed_cases(figures, kind, target, expected_required, expected_gap, expected_met):
    worker_type = figures[0][1]
    result = assess_pledges(pledges(pledge(worker_type, target, kind)), workforce(*figures))
    last = result.iloc[-1]
    assert last["required_fte"] == pytest.approx(expected_required)
    assert last["gap_fte"] == pytest.approx(expected_gap)
    assert bool(last["met"]) is expected_met


def test_baseline_on_the_pledge_date_is_named_as_such():
    result = assess_pledges(
        pledges(pledge("officers", 10, "increase")),
        workforce(("2018-04-01", "officers", 100.0), ("2018-09-30", "officers", 111.0)),
    )
    assert result["baseline_note"].iloc[0] == (
        "Baseline: 100 officer FTE at 1 Apr 2018, the figure published for the pledge date."
    )


@pytest.mark.parametrize(
    "figures,kind,says",
    [
        ([("2018-09-30", "officers", 1100.0)], "increase", "No officer figure at or before the pledge date"),
        ([("2017-09-30", "officers", 1100.0)], "increase", "No officer figure has been published since"),
        ([("2017-09-30", "officers", 1100.0)], "level", "No officer figure has been published since"),
        ([("2018-09-30", "pcsos", 90.0)], "increase", "No officer figures in workforce.csv"),
    ],
    ids=["no-baseline", "nothing-since-increase", "nothing-since-level", "no-figures-for-type"],
)
def test_pledges_that_cannot_be_assessed_say_why(figures, kind, says):
    result = assess_pledges(pledges(pledge("officers", 25, kind)), workforce(*figures))
    assert len(result) == 1
    row = result.iloc[0]
    assert pd.isna(row["met"]) and pd.isna(row["as_at_date"]) and pd.isna(row["actual_fte"])
    assert row["status"].startswith(says)


def test_a_repeated_date_uses_the_later_row():
    result = assess_pledges(
        pledges(pledge("pcsos", 95, "level")),
        workforce(("2018-09-30", "pcsos", 90.0), ("2018-09-30", "pcsos", 96.0)),
    )
    assert result["actual_fte"].tolist() == [96.0]


def test_worker_type_and_kind_are_matched_loosely():
    rows = pledges({**pledge("pcsos", 95, "level"), "worker_type": " PCSOs ", "kind": "Level"})
    result = assess_pledges(rows, workforce(("2018-09-30", "pcsos", 86.0)))
    assert result["gap_fte"].tolist() == [-9.0]


@pytest.mark.parametrize(
    "rows,figures,message",
    [
        (pledges(pledge("pcsos", 95, "most")), REAL_WORKFORCE, "kind must be 'level' or 'increase'"),
        (pledges(pledge("pcsos", 95, "level")).drop(columns="target"), REAL_WORKFORCE, "pledges lacks"),
        (pledges(pledge("pcsos", 95, "level")), REAL_WORKFORCE.drop(columns="fte"), "workforce lacks"),
        ([pledge("pcsos", 95, "level")], REAL_WORKFORCE, "pledges must be a DataFrame"),
    ],
    ids=["bad-kind", "pledges-column", "workforce-column", "not-a-frame"],
)
def test_bad_input_raises_a_plain_value_error(rows, figures, message):
    with pytest.raises(ValueError, match=message):
        assess_pledges(rows, figures)


def test_no_pledges_gives_an_empty_table_with_the_columns():
    result = assess_pledges(pledges(pledge("pcsos", 95, "level")).iloc[0:0], REAL_WORKFORCE)
    assert result.empty and list(result.columns) == list(ASSESSMENT_COLUMNS)


def test_latest_assessment_keeps_the_last_date_per_pledge_in_pledge_order():
    result = assess_pledges(pledges(pledge("pcsos", 95, "level"), pledge("officers", 25, "increase")), REAL_WORKFORCE)
    latest = latest_assessment(result)
    assert latest["worker_type"].tolist() == ["pcsos", "officers"]
    assert latest["as_at_date"].tolist() == [pd.Timestamp("2019-09-30")] * 2
    assert latest["met"].tolist() == [False, True]


def test_real_folder_files_give_the_real_assessment(real_dir):
    dataset = load_dataset(real_dir)
    result = assess_pledges(dataset.table("pledges.csv"), dataset.table("workforce.csv"))
    by_type = result.groupby("worker_type")
    assert by_type["met"].apply(list).to_dict() == {"officers": [True, True], "pcsos": [False, False]}
    assert result.loc[result["worker_type"] == "pcsos", "actual_fte"].tolist() == [86.0, 76.0]
    assert set(result.loc[result["worker_type"] == "officers", "baseline_date"]) == {pd.Timestamp("2017-09-30")}


def test_pledge_figure_labels_met_and_not_met_in_text_and_marks_the_dates():
    result = assess_pledges(pledges(pledge("officers", 25, "increase"), pledge("pcsos", 95, "level")), REAL_WORKFORCE)
    figure = pledge_figure(REAL_WORKFORCE, result, launch=pd.Timestamp("2018-10-01"), launch_label="First hub launch")
    labelled = {t.name: list(t.text) for t in figure.data if t.mode == "markers+text"}
    assert labelled == {"met": ["met", "met"], "not met": ["not met", "not met"]}
    notes = [a.text for a in figure.layout.annotations]
    assert "Pledge from Apr 2018" in notes
    assert "First hub launch (Oct 2018)" in notes
    assert "Pledge: baseline + 25 = 1,133.06" in notes
    assert "Pledge: at least 95" in notes
    assert any(n.startswith("Baseline 1,108.06") for n in notes)
    dashed = [t for t in figure.data if t.line.dash == "dash"]
    assert sorted(t.y[0] for t in dashed) == pytest.approx([95.0, 1133.06])
