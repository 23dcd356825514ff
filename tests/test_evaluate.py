"""Tests for analysis.stats.evaluation: known-truth recovery, refusals, placebo checks and the JSON shape."""

from __future__ import annotations

import ctypes
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from analysis.figures.evaluation import event_study_figure
from analysis.schema import ASB, CRIME_TYPES, UNASSIGNED
from analysis.stats.evaluation.did import event_study, stacked_did
from analysis.stats.evaluation.dose import dose_response
from analysis.stats.evaluation.evaluate import evaluate
from analysis.stats.evaluation.its import its_by_hub, its_hub, pooled_its
from analysis.stats.evaluation.placebo import placebo_checks
from analysis.stats.evaluation.results import PLACEBO_OUTCOMES, InsufficientData
from analysis.stats.evaluation.words import event_study_words, plain_english
from data.generate import DEFAULT_LAUNCHES, simulate_counts
from tests.conftest import need_shared

ROOT = Path(__file__).resolve().parent.parent


def _openblas() -> tuple | None:
    """The (get, set) thread-count functions of the OpenBLAS numpy loaded, where it can be found."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:
        return None
    for path in sorted(paths):
        lib = ctypes.CDLL(path)
        names = (("scipy_openblas", "64_"), ("scipy_openblas", ""), ("openblas", "64_"), ("openblas", ""))
        for prefix, suffix in names:
            get = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
            put = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
            if get is not None and put is not None:
                return get, put
    return None


@pytest.fixture(autouse=True, scope="module")
def one_blas_thread():
    """Hundreds of tiny regressions: BLAS threads only contend for the 2 cores (5-10x slower)."""
    blas = _openblas()
    if blas is None:
        yield
        return
    get, put = blas
    before = get()
    put(1)
    yield
    put(before)


def launches_table(launches: dict[str, str | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {"hub": list(launches), "launched": pd.to_datetime(pd.Series(list(launches.values()), dtype="object"))}
    )


DEFAULT_HUBS = launches_table(dict(DEFAULT_LAUNCHES))


def hand_built(
    levels: dict[str, float],
    launches: dict[str, str | None],
    *,
    step: float,
    start: str = "2017-01",
    months: int = 36,
    crime_types: tuple[str, ...] = (ASB, "Burglary"),
) -> pd.DataFrame:
    """Deterministic counts: level x season x gentle trend, x (1 + step) for ASB from launch."""
    periods = pd.period_range(start, periods=months, freq="M")
    rows = []
    for hub, level in levels.items():
        launch = pd.Period(launches[hub], freq="M") if launches.get(hub) else None
        for t, month in enumerate(periods):
            base = level * (1 + 0.2 * math.cos(2 * math.pi * (month.month - 7) / 12)) * 1.01 ** (t / 12)
            for crime_type in crime_types:
                treated = crime_type == ASB and launch is not None and month >= launch
                value = base * (1 + step if treated else 1) * (1 if crime_type == ASB else 0.3)
                rows.append((hub, month, crime_type, round(value)))
    return pd.DataFrame(rows, columns=["hub", "month", "crime_type", "count"])


# --------------------------------------------------------------------------- hand-built, exact answers


def test_its_recovers_an_exact_step():
    counts = hand_built({"Carlisle": 800}, {"Carlisle": "2018-07-01"}, step=-0.20)
    result = its_hub(counts, launches_table({"Carlisle": "2018-07-01"}), "Carlisle")
    assert result.effect_pct == pytest.approx(-20.0, abs=1.0)
    assert result.ci_low_pct < -20.0 < result.ci_high_pct
    assert (result.months_before, result.months_after) == (18, 18)
    assert result.series is not None and len(result.series) == 36


def test_its_without_a_step_covers_zero():
    counts = hand_built({"Carlisle": 800}, {"Carlisle": "2018-07-01"}, step=0.0)
    result = its_hub(counts, launches_table({"Carlisle": "2018-07-01"}), "Carlisle")
    assert abs(result.effect_pct) < 1.0
    assert result.ci_low_pct < 0 < result.ci_high_pct


def test_stacked_did_recovers_an_exact_step_against_a_not_yet_launched_hub():
    launches = {"Carlisle": "2018-07-01", "Eden": "2021-01-01"}  # Eden launches after the data end
    counts = hand_built({"Carlisle": 800, "Eden": 300}, launches, step=-0.25)
    result = stacked_did(counts, launches_table(launches))
    assert result.effect_pct == pytest.approx(-25.0, abs=1.0)
    assert result.ci_low_pct < -25.0 < result.ci_high_pct
    assert result.method.startswith("Stacked difference-in-differences")
    assert (result.months_before, result.months_after) == (12, 6)
    assert (result.first_month, result.last_month) == ("2017-07", "2018-12")
    group = result.details["launch_groups"][0]
    assert group["treated"] == ["Carlisle"] and group["controls"] == ["Eden"]


def test_pooled_its_recovers_a_common_step():
    launches = {"Carlisle": "2018-07-01", "Eden": "2018-10-01"}
    counts = hand_built({"Carlisle": 800, "Eden": 300}, launches, step=-0.10)
    result = pooled_its(counts, launches_table(launches))
    assert result.effect_pct == pytest.approx(-10.0, abs=1.0)
    assert result.details["hubs"] == ["Carlisle", "Eden"]


def test_a_hub_launched_earlier_is_never_a_control():
    # Allerdale launches inside Carlisle's window: not a clean control, so Carlisle has none
    # and the overall estimate falls back to the pooled time series.
    launches = {"Carlisle": "2018-07-01", "Allerdale": "2018-09-01"}
    counts = hand_built({"Carlisle": 800, "Allerdale": 500}, launches, step=-0.2)
    with pytest.raises(InsufficientData, match="clean comparison"):
        stacked_did(counts, launches_table(launches))
    result = evaluate(counts, launches_table(launches))
    assert result.overall.method.startswith("Pooled interrupted time series")
    assert result.alternatives == []
    assert result.event_study == [] and result.event_study_reason
    assert result.overall.effect_pct == pytest.approx(-20.0, abs=1.0)


def test_unassigned_is_left_out():
    launches = {"Carlisle": "2018-07-01", "Eden": "2021-01-01"}
    counts = hand_built({"Carlisle": 800, "Eden": 300, UNASSIGNED: 50}, launches, step=-0.2)
    result = evaluate(counts, launches_table(launches))
    assert UNASSIGNED not in [h.hub for h in result.hubs]
    assert UNASSIGNED not in json.dumps(result.overall.to_dict()["details"])


def test_counts_accept_month_text():
    launches = {"Carlisle": "2018-07-01"}
    counts = hand_built({"Carlisle": 800}, launches, step=-0.2)
    as_text = counts.assign(month=counts["month"].astype("str"))
    assert its_hub(as_text, launches_table(launches), "Carlisle").effect_pct == pytest.approx(-20.0, abs=1.0)


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("months", "launch", "expected"),
    [
        (20, "2017-10-01", "12 supplied months before"),  # 9 months before launch
        (16, "2017-12-01", "12 supplied months before"),  # 11 before, 5 after
        (5, "2017-01-01", "Cannot tell yet"),  # like the real data: launch in the first month
    ],
)
def test_too_few_months_is_refused_in_words(months, launch, expected):
    launches = {"Carlisle": launch, "Eden": "2030-01-01"}
    counts = hand_built({"Carlisle": 800, "Eden": 300}, launches, step=-0.2, months=months)
    with pytest.raises(InsufficientData, match=expected) as info:
        evaluate(counts, launches_table(launches))
    message = str(info.value)
    assert "Traceback" not in message and "%" not in message
    assert message.endswith(")") or message.endswith(".")


def test_no_launch_dates_is_refused_in_words():
    counts = hand_built({"Carlisle": 800, "Eden": 300}, {}, step=0.0)
    with pytest.raises(InsufficientData, match="No hub has a launch date"):
        evaluate(counts, launches_table({"Carlisle": None, "Eden": None}))


def test_real_data_months_give_cannot_tell_yet():
    # Five months, 2018-10 to 2019-02, most hubs launched 2018-10-01, Eden unknown: as released.
    launches = {h: "2018-10-01" for h in DEFAULT_LAUNCHES} | {"Eden": None}
    counts = simulate_counts(1, start="2018-10", months=5, launches={"Carlisle": "2018-10-01"})
    with pytest.raises(InsufficientData, match="Cannot tell yet: the data cover 2018-10 to 2019-02"):
        evaluate(counts, launches_table(launches))


def test_real_data_if_present_gives_cannot_tell_yet():
    real = need_shared(ROOT.parent / "shared" / "data" / "real" / "incidents").parent
    from analysis.load.dataset import load_dataset
    from analysis.measures.metrics import monthly_counts

    dataset = load_dataset(real)
    counts = monthly_counts(dataset.incidents, dataset.hub_names, coverage=dataset.coverage)
    with pytest.raises(InsufficientData, match="Cannot tell yet"):
        evaluate(counts, dataset.hubs)


def test_hubs_that_cannot_be_estimated_carry_a_reason_not_a_number():
    launches = {"Carlisle": "2018-07-01", "Eden": None, "Barrow": "2019-10-01"}
    counts = hand_built({"Carlisle": 800, "Eden": 300, "Barrow": 400}, launches, step=-0.2)
    by_hub = {h.hub: h for h in its_by_hub(counts, launches_table(launches))}
    assert by_hub["Carlisle"].effect_pct is not None and by_hub["Carlisle"].reason is None
    assert by_hub["Eden"].effect_pct is None and by_hub["Eden"].reason == "Launch date unknown."
    assert by_hub["Barrow"].effect_pct is None and "3 from launch onward" in by_hub["Barrow"].reason
    with pytest.raises(InsufficientData, match="Eden: Launch date unknown"):
        its_hub(counts, launches_table(launches), "Eden")


def test_bad_input_names_the_problem():
    counts = hand_built({"Carlisle": 800}, {"Carlisle": "2018-07-01"}, step=0.0)
    with pytest.raises(ValueError, match="`counts` is missing the column"):
        evaluate(counts.drop(columns="count"), launches_table({"Carlisle": "2018-07-01"}))
    with pytest.raises(ValueError, match="`hubs` is missing the column"):
        evaluate(counts, pd.DataFrame({"hub": ["Carlisle"]}))
    with pytest.raises(ValueError, match="unknown crime type"):
        placebo_checks(counts, launches_table({"Carlisle": "2018-07-01"}), outcomes=("Jaywalking",))


# --------------------------------------------------------------------------- the generator's sample


@pytest.fixture(scope="module")
def monthly_patrol_hours() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    months = pd.period_range("2017-01", periods=48, freq="M")
    return pd.DataFrame(
        [(hub, m, 2000 * rng.lognormal(0, 0.2)) for hub in DEFAULT_LAUNCHES for m in months],
        columns=["hub", "month", "patrol_hours"],
    )


@pytest.fixture(scope="module")
def evaluation(monthly_patrol_hours):
    return evaluate(simulate_counts(2018, asb_launch_effect=-0.20), DEFAULT_HUBS, monthly_patrol_hours)


def test_overall_is_the_stacked_did_with_months_and_assumptions(evaluation):
    o = evaluation.overall
    assert o.method.startswith("Stacked difference-in-differences")
    assert o.ci_low_pct < o.effect_pct < o.ci_high_pct
    assert o.ci_low_pct < -20.0 < o.ci_high_pct
    assert (o.months_before, o.months_after) == (12, 6)
    assert (o.first_month, o.last_month) == ("2017-10", "2019-12")
    assert len(o.assumptions) >= 3 and all(a.endswith(".") for a in o.assumptions)
    assert [g["launch_month"] for g in o.details["launch_groups"]] == ["2018-10", "2019-01", "2019-04", "2019-07"]
    assert set(o.details["launch_groups_left_out"]) == {"2019-10", "2020-01"}
    assert evaluation.alternatives[0].method.startswith("Pooled interrupted time series")


def test_every_hub_has_an_its_estimate(evaluation):
    assert sorted(h.hub for h in evaluation.hubs) == sorted(DEFAULT_LAUNCHES)
    for h in evaluation.hubs:
        assert h.ci_low_pct < h.effect_pct < h.ci_high_pct
        assert h.months_before >= 12 and h.months_after >= 6
        assert h.launched == DEFAULT_LAUNCHES[h.hub]


def test_event_study_has_leads_and_lags_with_intervals(evaluation):
    points = {p.relative_month: p for p in evaluation.event_study}
    assert sorted(points) == list(range(-6, 7))
    assert points[-1].reference and points[-1].effect_pct == 0 and points[-1].ci_low_pct is None
    for k, p in points.items():
        if k != -1:
            assert not p.reference and p.ci_low_pct < p.effect_pct < p.ci_high_pct


def test_public_event_study_matches(evaluation):
    points = event_study(simulate_counts(2018, asb_launch_effect=-0.20), DEFAULT_HUBS, leads=3, lags=5)
    assert [p.relative_month for p in points] == [-3, -2, -1, 0, 1, 2, 3, 4, 5]


def test_placebo_checks_are_named_and_judged(evaluation):
    names = [p.name for p in evaluation.placebo]
    assert names == [
        "Launch dates moved 6 months earlier (pre-launch data only)",
        "Launch dates moved 12 months earlier (pre-launch data only)",
    ] + [f"{c} (should not respond to visible patrols)" for c in PLACEBO_OUTCOMES]
    assert [p.kind for p in evaluation.placebo] == ["fake_launch"] * 2 + ["other_crime_type"] * 3
    for p in evaluation.placebo:
        assert p.method == "stacked_did"
        assert p.flagged == (not (p.ci_low_pct <= 0 <= p.ci_high_pct))
    assert all(c in CRIME_TYPES and c != ASB for c in PLACEBO_OUTCOMES)


def test_placebo_for_a_missing_crime_type_gives_a_reason():
    counts = simulate_counts(3, asb_launch_effect=0.0)
    counts = counts.loc[counts["crime_type"] != "Burglary"]
    results = placebo_checks(counts, DEFAULT_HUBS, shifts=(), outcomes=("Burglary",))
    assert results[0].effect_pct is None and results[0].flagged is None
    assert results[0].reason == "No Burglary counts in the data."


def test_dose_response_reports_an_elasticity_with_a_caveat(evaluation):
    d = evaluation.dose_response
    assert d is not None and evaluation.dose_response_reason is None
    assert d.elasticity_ci_low < d.elasticity < d.elasticity_ci_high
    assert d.ci_low_pct < d.effect_per_10pct_pct < d.ci_high_pct
    assert d.months == 288 and d.hubs == tuple(sorted(DEFAULT_LAUNCHES))
    assert "not proof" in d.caveat


def test_dose_response_recovers_a_known_elasticity(monthly_patrol_hours):
    rng = np.random.default_rng(11)
    mu = 0.1 * monthly_patrol_hours["patrol_hours"] ** 0.7 * (1 + 0.2 * np.cos(monthly_patrol_hours["month"].dt.month))
    counts = monthly_patrol_hours.assign(crime_type=ASB, count=rng.poisson(mu * 20))[
        ["hub", "month", "crime_type", "count"]
    ]
    result = dose_response(counts, monthly_patrol_hours)
    assert result.elasticity == pytest.approx(0.7, abs=0.05)
    assert result.effect_per_10pct_pct == pytest.approx(100 * (1.1**result.elasticity - 1))


def test_without_patrol_the_dose_response_is_null_with_a_reason():
    result = evaluate(simulate_counts(5, asb_launch_effect=0.0), DEFAULT_HUBS)
    assert result.dose_response is None and result.dose_response_reason == "No patrol hours were supplied."
    assert result.to_dict()["dose_response"] is None


def test_output_is_json_with_the_cli_shape(evaluation):
    record = json.loads(evaluation.to_json())
    assert set(record) >= {"overall", "hubs", "placebo", "event_study", "dose_response", "dose_response_reason"}
    assert set(record["overall"]) >= {
        "effect_pct",
        "ci_low_pct",
        "ci_high_pct",
        "method",
        "months_before",
        "months_after",
        "first_month",
        "last_month",
        "assumptions",
    }
    assert set(record["hubs"][0]) >= {
        "hub",
        "launched",
        "effect_pct",
        "ci_low_pct",
        "ci_high_pct",
        "months_before",
        "months_after",
        "method",
    }
    assert set(record["placebo"][0]) >= {"name", "kind", "effect_pct", "ci_low_pct", "ci_high_pct", "flagged"}
    assert set(record["event_study"][0]) >= {"relative_month", "effect_pct", "ci_low_pct", "ci_high_pct"}
    assert isinstance(record["summary"], list) and record["summary"]


def test_plain_english_gives_the_interval_months_and_assumptions(evaluation):
    words = plain_english(evaluation)
    o = evaluation.overall
    assert "95% CI" in words.headline and o.first_month in words.headline and o.last_month in words.headline
    assert words.headline.startswith("ASB was an estimated") and "lower" in words.headline
    assert words.method == f"Method: {o.method}."
    assert words.assumptions == "This assumes: " + " ".join(o.assumptions)
    assert len(words.alternatives) == len(evaluation.alternatives) == 1
    assert words.alternatives[0].startswith("A second method (pooled interrupted time series) gives ")
    assert "placebo" in words.placebo
    assert [h.split(":")[0] for h in words.hubs] == [h.hub for h in evaluation.hubs]
    assert words.patrol.startswith("A month with 10% more visible patrol hours") and "not proof" in words.patrol


def test_plain_english_lines_are_the_fields_in_reading_order(evaluation):
    words = plain_english(evaluation)
    lines = words.lines()
    assert lines == [
        words.headline,
        words.method,
        words.assumptions,
        *words.alternatives,
        words.placebo,
        *words.hubs,
        words.patrol,
    ]
    assert evaluation.to_dict()["summary"] == lines


def test_plain_english_has_no_placebo_sentence_when_none_was_checked():
    launches = {"Carlisle": "2018-07-01", "Eden": "2021-01-01"}
    counts = hand_built({"Carlisle": 800, "Eden": 300}, launches, step=-0.2)
    result = evaluate(counts, launches_table(launches), placebo_shifts=(), placebo_outcomes=())
    words = plain_english(result)
    assert words.placebo is None
    assert words.lines()[3 : 3 + len(words.alternatives)] == list(words.alternatives)
    assert words.lines()[-1] == words.patrol


def test_plain_english_says_cannot_tell_when_the_interval_covers_zero():
    launches = {"Carlisle": "2018-07-01", "Eden": "2021-01-01"}
    counts = hand_built({"Carlisle": 800, "Eden": 300}, launches, step=0.0)
    words = plain_english(evaluate(counts, launches_table(launches)))
    assert words.headline.startswith("We cannot tell whether ASB changed")


# --------------------------------------------------------------------------- known truth over many seeds


def test_overall_estimator_covers_the_truth_and_placebos_rarely_flag():
    """40 seeds at -20% and 40 at 0%: 95% intervals should cover the truth about 95% of the time.

    With 80 runs, coverage below 85% would be very unlikely (p < 0.01) for a method
    whose real coverage is 93% or more; placebo checks (effect-free by design) should
    flag about 5% of the time, and we allow up to 15%.
    """
    covered, flags = [], []
    for effect in (-0.20, 0.0):
        for seed in range(40):
            counts = simulate_counts(seed, asb_launch_effect=effect)
            est = stacked_did(counts, DEFAULT_HUBS)
            covered.append(est.ci_low_pct <= 100 * effect <= est.ci_high_pct)
            if effect == 0.0:
                # Placebos never see the launch effect (pre-launch data or other crime
                # types), so one effect level is enough.
                flags += [p.flagged for p in placebo_checks(counts, DEFAULT_HUBS) if p.flagged is not None]
    assert np.mean(covered) >= 0.85, f"coverage {np.mean(covered):.0%}"
    assert len(flags) >= 40 * 4
    assert np.mean(flags) <= 0.15, f"placebo false flags {np.mean(flags):.0%}"


# --------------------------------------------------------------------------- figures


def test_event_study_figure_is_readable_without_colour(evaluation):
    figure = event_study_figure(evaluation)
    assert isinstance(figure, go.Figure)
    symbols = {t.marker.symbol for t in figure.data}
    assert {"circle", "diamond", "square-open"} <= symbols
    assert all(t.error_y.array is not None for t in figure.data if t.marker.symbol != "square-open")
    assert "Months from launch" in figure.layout.xaxis.title.text
    assert "%" in figure.layout.yaxis.title.text
    kinds = {(s.type, s.x0) for s in figure.layout.shapes}
    assert ("line", -0.5) in kinds  # the launch


def test_event_study_figure_says_why_when_there_is_nothing_to_draw():
    launches = {"Carlisle": "2018-07-01", "Allerdale": "2018-09-01", "Eden": None}
    counts = hand_built({"Carlisle": 800, "Allerdale": 500, "Eden": 200}, launches, step=-0.2)
    result = evaluate(counts, launches_table(launches))
    assert "No event study" in event_study_figure(result).layout.annotations[0].text
    assert event_study_words(result).startswith("No event study: ")


def test_event_study_words_read_the_leads_and_lags(evaluation):
    text = event_study_words(evaluation)
    leads = [p for p in evaluation.event_study if p.relative_month < 0 and not p.reference]
    lags = [p for p in evaluation.event_study if p.relative_month >= 0]
    first, last = evaluation.event_study[0].relative_month, evaluation.event_study[-1].relative_month
    assert f"from {-first} months before launch to {last} after" in text
    off = [p for p in leads if not (p.ci_low_pct <= 0 <= p.ci_high_pct)]
    if off:
        assert f"Before launch, {len(off)} of {len(leads)} months' intervals exclude no change" in text
    else:
        assert f"Before launch, all {len(leads)} months' intervals include no change" in text
    below = sum(p.ci_high_pct < 0 for p in lags)
    assert f"the whole interval is below no change in {below} of {len(lags)} months" in text


def test_analysis_never_imports_streamlit():
    for path in [*(ROOT / "analysis" / "stats" / "evaluation").glob("*.py"), ROOT / "analysis/figures/evaluation.py"]:
        text = path.read_text(encoding="utf-8")
        assert "import streamlit" not in text and "from streamlit" not in text


def _sample_without(tmp_path, months):
    """The generated sample unzipped into tmp_path, with whole months (or only their ASB rows) removed."""
    import shutil
    import zipfile

    from tests.conftest import SAMPLE_DIR

    folder = tmp_path / "sample"
    shutil.copytree(SAMPLE_DIR, folder, ignore=shutil.ignore_patterns("incidents"))
    with zipfile.ZipFile(SAMPLE_DIR / "incidents" / "police-uk-sample.zip") as archive:
        archive.extractall(folder / "incidents")
    for month, what in months.items():
        path = next((folder / "incidents").rglob(f"{month}-*-street.csv"))
        if what == "all":
            path.unlink()
        else:
            lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
            path.write_text("".join(lines[:1] + [x for x in lines[1:] if ",Anti-social behaviour," not in x]))
    return folder


def test_evaluation_still_covers_the_truth_with_three_months_missing(tmp_path):
    from analysis.cli import run_evaluation
    from analysis.load.dataset import load_dataset

    dataset = load_dataset(_sample_without(tmp_path, {"2018-05": "all", "2019-03": "all", "2019-08": "asb"}))
    assert [str(m) for m in dataset.coverage.missing(stream="asb")] == ["2018-05", "2019-03", "2019-08"]
    overall = run_evaluation(dataset).overall
    assert overall.ci_low_pct < -15 < overall.ci_high_pct  # the sample's built-in effect is -15%


def test_evaluation_refuses_across_a_gap_and_names_the_months(shared_data, tmp_path):
    import shutil

    from analysis.cli import run_evaluation
    from analysis.load.dataset import load_dataset

    folder = tmp_path / "gap"
    for name in ("areas.geojson", "lsoa.geojson", "hubs.csv", "population.csv"):
        (folder).mkdir(exist_ok=True)
        shutil.copy(shared_data / "real" / name, folder / name)
    for month in ("2016-03", "2024-01", "2024-02", "2024-03", "2024-04"):
        shutil.copytree(shared_data / "police-uk" / "cumbria" / month, folder / "incidents" / month)
    with pytest.raises(InsufficientData) as refused:
        run_evaluation(load_dataset(folder))
    message = str(refused.value)
    assert "93 of them not supplied" in message and "2017-10 to 2019-03" in message
    assert "%" not in message
