"""The Precept outcomes page, as the PCC's office sees it, on real and sample data."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests import apptest
from tests.conftest import street_csv


def open_precept(folder, monkeypatch) -> AppTest:
    return apptest.open_page(folder, monkeypatch, "pages/precept.py")


def texts(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption])


def summaries(at: AppTest) -> list[str]:
    """The captions as read (chart summaries escape Markdown characters with backslashes)."""
    return [c.value.replace("\\", "") for c in at.caption]


def download_keys(at: AppTest) -> list[str]:
    """The keys of the download buttons (the widget id ends with the key)."""
    return sorted(b.proto.id.rsplit("-", 1)[1] for b in at.get("download_button"))


@pytest.fixture(scope="module")
def real_page(real_dir):
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield open_precept(real_dir, monkeypatch)


@pytest.fixture(scope="module")
def sample_page(sample_dir):
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield open_precept(sample_dir, monkeypatch)


def test_real_pcso_pledge_is_shown_as_not_met(real_page):
    shown = texts(real_page)
    assert ":red-badge[:material/cancel: Not met at 30 Sep 2019]" in shown
    assert "At 30 Sep 2019: 76 PCSO FTE, 19 below the pledged 95: not met." in shown
    assert "Not met at any of the 2 published dates since 1 Apr 2018." in shown
    table = real_page.dataframe[0].value  # the pledge chart's table view
    pcsos = table[table["Pledge"] == "PCSO numbers maintained at 95"]
    assert pcsos["As at"].tolist() == ["30 Sep 2018", "30 Sep 2019"]
    assert pcsos["Published FTE"].tolist() == [86.0, 76.0]
    assert pcsos["Result"].tolist() == ["not met", "not met"]
    assert pcsos["Gap"].tolist() == [-9.0, -19.0]
    # every published figure is in the table, those before the pledge without a result
    assert table.loc[table["Worker type"] == "PCSOs", "Published FTE"].tolist() == [92.97, 84.24, 93.0, 86.0, 76.0]
    assert table.loc[table["Pledge"] == "", "Result"].eq("").all()


def test_real_pledge_chart_is_summarised_in_words(real_page):
    summary = " ".join(summaries(real_page))
    # published PCSO FTE 92.97, 84.24, 93.00, 86, 76 at 30 Sep 2015..2019
    assert (
        "Published PCSO FTE, 30 Sep 2015 to 30 Sep 2019: highest 30 Sep 2017 (93), lowest 30 Sep 2019 (76)" in summary
    )
    assert (
        "PCSO numbers maintained at 95: At 30 Sep 2019: 76 PCSO FTE, 19 below the pledged 95: not met. "
        "Not met at 2 of 2 published dates since 1 Apr 2018."
    ) in summary
    assert "Met at 2 of 2 published dates since 1 Apr 2018." in summary


def test_real_officer_pledge_is_assessed_against_the_stated_baseline(real_page):
    shown = texts(real_page)
    assert (
        "Baseline: 1,108.06 officer FTE at 30 Sep 2017, the nearest published figure before the pledge date "
        "(1 Apr 2018), about 6 months earlier."
    ) in shown
    assert "so the pledged increase of 25 (at least 1,133.06) was reached, with 40.56 to spare: met." in shown
    table = real_page.dataframe[0].value
    officers = table[table["Pledge"].str.startswith("25 additional")]
    assert officers["Pledged: at least"].tolist() == pytest.approx([1133.06, 1133.06])
    assert officers["Result"].tolist() == ["met", "met"]


def test_real_data_says_it_cannot_tell_yet_and_shows_no_percent(real_page):
    [info] = [i.value for i in real_page.info if "Cannot tell yet" in i.value]
    assert "5 months" in info
    assert "resourcing.csv" in " ".join(i.value for i in real_page.info)
    assert not any("%" in m.value for m in real_page.markdown if "ASB" in m.value)
    # one download per chart, from its table view
    assert download_keys(real_page) == ["precept_asb_counts_csv", "precept_pledge_csv"]
    counts = real_page.dataframe[-1].value  # the recorded-ASB chart's table view
    assert list(counts.columns) == ["Hub", "Month", "ASB incidents"]
    latest = counts[counts["Month"] == "Feb 2019"].set_index("Hub")["ASB incidents"]
    assert (
        f"Recorded ASB incidents a month for {counts['Hub'].nunique()} hubs, Oct 2018 to Feb 2019. In Feb 2019: "
        f"highest {latest.idxmax()} ({latest.max():,}), lowest {latest.idxmin()} ({latest.min():,})."
    ) in summaries(real_page)


def test_sample_shows_the_estimate_with_its_interval_method_and_assumptions(sample_page):
    shown = texts(sample_page)
    assert "95% confidence interval\n#### " in shown
    assert "**Method.** Stacked difference-in-differences" in shown
    assert "**What this assumes**" in shown
    assert "placebo checks" in shown
    hubs_table = sample_page.dataframe[-2].value
    assert {"change", "interval", "months_before"} <= set(hubs_table.columns)
    assert sample_page.selectbox(key="precept_eval_hub").options[0] == "Allerdale"


def test_sample_hub_choice_changes_the_before_after_chart(sample_page):
    sample_page.selectbox(key="precept_eval_hub").set_value("Carlisle").run()
    assert not sample_page.exception
    [summary] = [c for c in summaries(sample_page) if c.startswith("Carlisle: ")]
    # the summary's averages are those of the table view behind the chart
    view = next(d.value for d in sample_page.dataframe if "Expected without the launch" in d.value.columns)
    after = view[view["Launch"] == "after"]
    assert f"{len(view) - len(after)} months before the launch" in summary
    assert f"{after['Recorded ASB'].mean():,.1f}".removesuffix(".0") + f" a month in the {len(after)} months" in summary
    below = int((after["Recorded ASB"] < after["Expected without the launch"]).sum())
    assert f"below the expectation in {below} of {len(after)} months" in summary


def test_sample_shows_precept_patrols_by_hub(sample_page):
    by_hub = sample_page.dataframe[1].value
    assert list(by_hub.columns[:2]) == ["hub", "precept_fte"]
    assert (by_hub["precept_patrol_hours"] <= by_hub["patrol_hours"]).all()
    monthly = sample_page.dataframe[2].value  # the patrol chart's table view: the same hours, month by month
    totals = monthly.groupby("Hub")["Precept patrol hours"].sum()
    assert totals.to_dict() == pytest.approx(by_hub.set_index("hub")["precept_patrol_hours"].to_dict())
    assert any(s.startswith("Precept-funded visible patrol hours a month for ") for s in summaries(sample_page))
    assert "Deployment figures are not public: these are generated for the sample, not real." in texts(sample_page)


def test_missing_workforce_and_pledges_say_how_to_add_them(make_folder, monkeypatch):
    row = ",2019-03,Cumbria Constabulary,Cumbria Constabulary,,,No location,,,Anti-social behaviour,,"
    folder = make_folder({"incidents/2019-03/2019-03-cumbria-street.csv": street_csv(row)})
    at = open_precept(folder, monkeypatch)
    infos = " ".join(i.value for i in at.info)
    assert "Add workforce.csv (as_at_date, worker_type, fte, source)" in infos
    assert "Add pledges.csv (pledge, worker_type, target, kind, from_date, source)." in infos
    assert "nothing to evaluate" in infos
