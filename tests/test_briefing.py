"""The briefing: comparisons with intervals, suppression end to end, the PDF pack, and the canary.

The canary: a copy of the sample whose case texts (``issue`` and ``summary``) hold a
string that must never reach public output. :func:`make_canary_folder` is shared with
the page and browser tests.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from analysis.load.dataset import load_dataset
from analysis.outputs.briefing.images import CHART_HEIGHT, CHART_WIDTH, charts_zip
from analysis.outputs.briefing.make import make_briefing
from analysis.outputs.briefing.pack import build_briefing
from analysis.outputs.briefing.pdf import briefing_pdf
from analysis.outputs.disclosure import SUPPRESSED_LABEL, TOTAL, WITHHELD_LABEL
from tests.conftest import SAMPLE_DIR, street_csv

CANARY = "CANARY-7f3a9b-private"


def make_canary_folder(root: Path) -> Path:
    """A copy of the sample whose case ``issue`` and ``summary`` texts hold :data:`CANARY`."""
    folder = root / "canary-sample"
    if not folder.exists():
        shutil.copytree(SAMPLE_DIR, folder)
        cases = pd.read_csv(folder / "cases.csv", dtype="str", keep_default_na=False)
        cases = cases.assign(
            issue=cases["issue"] + f" ({CANARY})",
            summary=f"{CANARY}: Jo Bloggs of 12 Example Street, 07700 900123, repeat caller",
        )
        cases.to_csv(folder / "cases.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def canary_dataset(tmp_path_factory):
    return load_dataset(make_canary_folder(tmp_path_factory.mktemp("briefing")))


def _text(briefing) -> str:
    """Every word a briefing holds: titles, sentences, summaries, notes, tables, method, sources."""
    parts = [briefing.area, briefing.period_label, *briefing.sources, *briefing.method]
    for screen in briefing.screens:
        parts += [screen.title, screen.sentence, screen.summary, *screen.notes]
        parts += [" ".join(map(str, screen.table.columns)), screen.table.astype("str").to_csv(index=False)]
    return "\n".join(parts)


def _pdftotext(path: Path, first: int | None = None) -> str:
    args = ["pdftotext", *(["-f", str(first), "-l", str(first)] if first else []), str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def _pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def _words(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- comparisons


def test_months_out_of_range_is_refused(canary_dataset):
    with pytest.raises(ValueError, match="1 to 12"):
        make_briefing(canary_dataset, months=13)


# --------------------------------------------------------------------------- suppression end to end


def _asb(lsoa_code: str, lsoa_name: str, n: int, month: str = "2020-01") -> list[str]:
    row = (
        f",{month},Cumbria Constabulary,Cumbria Constabulary,-2.9,54.9,On or near High Street,"
        f"{lsoa_code},{lsoa_name},Anti-social behaviour,,"
    )
    return [row] * n


NO_LOCATION_ASB = ",2020-01,Cumbria Constabulary,Cumbria Constabulary,,,No Location,,,Anti-social behaviour,,"
BURGLARY = (
    "c1,2020-01,Cumbria Constabulary,Cumbria Constabulary,-2.9,54.9,On or near High Street,"
    "E01000004,Eden 001A,Burglary,Under investigation,"
)
HUBS = (
    "hub,region,station,area_code,launched\n"
    "Carlisle,North,Carlisle Police Station,E07000028,\n"
    "Eden,North,Penrith,E07000030,\n"
    "Allerdale,West,Workington,E07000026,\n"
)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """One month: Carlisle 3 + 26 + 42, Eden 12 + 15, Allerdale 4, 11 without a location."""
    rows = (
        _asb("E01000001", "Carlisle 001A", 3)
        + _asb("E01000002", "Carlisle 001B", 26)
        + _asb("E01000003", "Carlisle 001C", 42)
        + _asb("E01000004", "Eden 001A", 12)
        + _asb("E01000005", "Eden 001B", 15)
        + _asb("E01000006", "Allerdale 001A", 4)
        + [NO_LOCATION_ASB] * 11
        + [BURGLARY] * 20
    )
    folder = tmp_path_factory.mktemp("tiny")
    (folder / "incidents" / "2020-01").mkdir(parents=True)
    (folder / "incidents" / "2020-01" / "2020-01-cumbria-street.csv").write_text(street_csv(*rows))
    (folder / "hubs.csv").write_text(HUBS)
    return load_dataset(folder)


def _screen(briefing, key):
    return next(s for s in briefing.screens if s.key == key)


def test_tiny_public_briefing_suppresses_and_protects(tiny):
    briefing = make_briefing(tiny, public=True)
    assert [s.key for s in briefing.screens] == ["asb-trend", "asb-by-hub", "neighbourhoods", "how-to-report"]
    # Hub level: Allerdale (4) is below 10; the county total (113) is published, so the next smallest,
    # the 11 records placed in no hub, is withheld with it and 4 cannot be worked out by subtraction.
    by_hub = _screen(briefing, "asb-by-hub").table
    assert by_hub.to_dict("list") == {
        "Hub": ["Carlisle", "Eden", "Allerdale"],
        "ASB incidents in January 2020": ["71", "27", SUPPRESSED_LABEL],
    }
    assert _screen(briefing, "asb-trend").sentence.startswith("There were 113 ASB incidents in January 2020")
    # LSOA level, rounded to 5: Carlisle 3 hidden, 26 withheld, 42 -> 40, total 71 -> 70; Eden 12 -> 10,
    # 15 -> 15, 27 -> 25; Allerdale's only LSOA and its total hidden. Burglary is not ASB and counts nowhere.
    table = _screen(briefing, "neighbourhoods").table
    column = "ASB in January 2020"
    assert table[["Hub", "Neighbourhood (LSOA)", column]].values.tolist() == [
        ["Carlisle", "Carlisle 001C", "40"],
        ["Carlisle", "Carlisle 001B", WITHHELD_LABEL],
        ["Carlisle", "Carlisle 001A", SUPPRESSED_LABEL],
        ["Carlisle", TOTAL, "70"],
        ["Eden", "Eden 001B", "15"],
        ["Eden", "Eden 001A", "10"],
        ["Eden", TOTAL, "25"],
        ["Allerdale", "Allerdale 001A", SUPPRESSED_LABEL],
        ["Allerdale", TOTAL, SUPPRESSED_LABEL],
    ]
    chart = _screen(briefing, "neighbourhoods").figure.data[0]
    assert list(chart.x) == [10, 15, 40]  # drawn bottom-up; only published, rounded values
    assert "3 of the 6 neighbourhoods" in _screen(briefing, "neighbourhoods").sentence


def test_tiny_internal_briefing_shows_exact_counts(tiny):
    briefing = make_briefing(tiny, public=False)
    assert "internal" in briefing.mode_label.casefold()
    by_hub = _screen(briefing, "asb-by-hub").table
    assert by_hub["ASB incidents in January 2020"].tolist() == ["71", "27", "4"]
    table = _screen(briefing, "neighbourhoods").table
    assert table["ASB in January 2020"].tolist() == ["42", "26", "3", "71", "15", "12", "27", "4", "4"]


def test_real_data_without_history(real_dir):
    briefing = make_briefing(load_dataset(real_dir), public=True)
    assert [s.key for s in briefing.screens] == [
        "asb-trend",
        "asb-by-hub",
        "asb-rates",
        "neighbourhoods",
        "how-to-report",
    ]
    assert briefing.period_label == "October 2018 to February 2019 (5 months)"
    assert "so there is no year before to compare with" in _screen(briefing, "asb-trend").sentence
    assert _screen(briefing, "asb-by-hub").sentence.startswith("Not enough history yet")
    assert any("Not in this briefing: visible patrol hours" in p for p in briefing.method)
    # 3,315 ASB records in the five months (as the Overview test counts them).
    assert "There were 3,315 ASB incidents" in _screen(briefing, "asb-trend").sentence
    # Every LSOA count published is hidden or a multiple of 5, and every hub keeps a hidden number company.
    table = _screen(briefing, "neighbourhoods").table
    values = table["ASB in the 5 months to February 2019"]
    hidden = values.isin([SUPPRESSED_LABEL, WITHHELD_LABEL])
    assert (values[~hidden].str.replace(",", "").astype(int) % 5 == 0).all()
    assert hidden.sum() > 100  # most of the 306 LSOAs had fewer than 10 reports in five months
    for _, group in table.groupby("Hub"):
        assert group["ASB in the 5 months to February 2019"].isin([SUPPRESSED_LABEL, WITHHELD_LABEL]).sum() != 1


def test_sample_sentences_match_independent_counts(canary_dataset):
    briefing = make_briefing(canary_dataset, public=True)
    assert [s.key for s in briefing.screens] == [
        "asb-trend",
        "asb-change",
        "asb-rates",
        "neighbourhoods",
        "patrols",
        "cases",
        "how-to-report",
    ]
    incidents = canary_dataset.incidents
    months = incidents["month"]
    last = months.max()
    this = int((incidents["is_asb"] & (months > last - 12)).sum())
    before = int((incidents["is_asb"] & (months <= last - 12) & (months > last - 24)).sum())
    sentence = _screen(briefing, "asb-trend").sentence
    assert f"There were {this:,} ASB incidents in the 12 months to {last.strftime('%B %Y')}" in sentence
    assert f"against {before:,} in the same months a year before" in sentence
    cases = canary_dataset.table("cases.csv")
    opened = int(cases["opened"].dt.to_period("M").between(last - 11, last).sum())
    assert f"The hubs opened {opened:,} cases" in _screen(briefing, "cases").sentence
    for screen in briefing.screens:
        assert screen.sentence and screen.summary and len(screen.table)
        assert "%" not in screen.sentence or "between" in screen.sentence  # never a bare percent change
        assert "Generated sample data: not real." in screen.notes or screen.key == "how-to-report"


# --------------------------------------------------------------------------- the pack and the canary


def test_public_pack_pdf_pngs_and_canary(canary_dataset, tmp_path):
    result = build_briefing(canary_dataset, tmp_path / "pack.pdf", public=True)
    briefing = result.briefing
    charted = [s for s in briefing.screens if s.figure is not None]
    # Title page, one page per screen, method page.
    assert result.pages == len(briefing.screens) + 2 == _pages(result.pdf) == 9
    title = _words(_pdftotext(result.pdf, 1))
    for expected in (
        "Local Focus: public briefing",
        "Area: Cumbria Constabulary area",
        "Period: January 2020 to December 2020 (12 months)",
        "Last month of data: December 2020",
        "Data sources",
        "Generated sample data: not real",
    ):
        assert expected in title
    for page, screen in enumerate(briefing.screens, start=2):
        text = _words(_pdftotext(result.pdf, page))
        assert f"{page - 1}. {screen.title}" in text
        assert _words(screen.sentence) in text
        assert f"Page {page} of 9" in text
    method = _words(_pdftotext(result.pdf, 9))
    assert "How these figures were made" in method and "fewer than 10" in method
    assert "police.uk locations are approximate" in method
    # A PNG per chart, 1600 x 900, named in screen order.
    assert [p.name for p in result.charts] == [f"{i:02d}-{s.key}.png" for i, s in enumerate(charted, start=1)]
    for path in result.charts:
        assert Image.open(path).size == (CHART_WIDTH, CHART_HEIGHT)
    # The canary is in the data, and nowhere in public output.
    assert canary_dataset.table("cases.csv")["summary"].str.contains(CANARY).all()
    assert CANARY not in _pdftotext(result.pdf)
    assert CANARY not in _text(briefing)
    images = {p.stem.split("-", 1)[1]: p.read_bytes() for p in result.charts}
    with zipfile.ZipFile(io.BytesIO(charts_zip(briefing, images))) as archive:
        assert sorted(archive.namelist()) == sorted([p.name for p in result.charts] + ["README.txt"])
        assert CANARY not in archive.read("README.txt").decode()
    for path in result.charts:
        assert CANARY.encode() not in path.read_bytes()


def test_internal_briefing_does_reach_the_canary(canary_dataset):
    # The check above would be empty if no output could ever hold case text: the internal view does.
    assert CANARY in _text(make_briefing(canary_dataset, public=False))


def test_pdf_without_images_draws_tables(tiny, tmp_path):
    briefing = make_briefing(tiny, public=True)
    path = tmp_path / "tables.pdf"
    path.write_bytes(briefing_pdf(briefing, {}))
    assert _pages(path) == len(briefing.screens) + 2
    assert "Carlisle Police Station" in _pdftotext(path)


@pytest.mark.parametrize("name", ["gap", "cumbria12", "city"])
def test_briefing_builds_on_every_real_folder_and_never_bridges_a_gap(name, real_folders):
    briefing = make_briefing(load_dataset(real_folders[name]), public=True)
    text = " ".join([s.sentence for s in briefing.screens] + [n for s in briefing.screens for n in s.notes])
    assert briefing.screens
    trend = next(s for s in briefing.screens if s.key == "asb-trend")
    if name in {"gap", "cumbria12"}:
        # The last supplied run is 2024-01..04: the period stops there, and the year before was never supplied.
        assert briefing.period_label.startswith("January 2024 to April 2024")
        assert "not supplied" in text and "%" not in trend.sentence
        # The chart shows the gap as one: the months not supplied shaded and labelled, never a fall to zero.
        labels = [a.text for a in trend.figure.layout.annotations]
        assert labels.count("not supplied") == 1 and "this period (shaded)" in labels
        gap = min(trend.figure.layout.shapes, key=lambda shape: pd.Timestamp(shape.x0))  # the period's band is last
        assert pd.Timestamp(gap.x0) < pd.Timestamp("2023-01-01") < pd.Timestamp("2023-12-01") < pd.Timestamp(gap.x1)
    assert "Traceback" not in text


def test_a_supplied_window_has_no_gap_band(tiny):
    trend = next(s for s in make_briefing(tiny, public=True).screens if s.key == "asb-trend")
    assert "not supplied" not in [a.text for a in trend.figure.layout.annotations]


def test_briefing_pdf_builds_on_the_gap_folder(real_folders, tmp_path):
    result = build_briefing(load_dataset(real_folders["gap"]), tmp_path / "gap.pdf", public=True)
    assert result.pages >= 3 and result.pdf.stat().st_size > 10_000


def test_ten_years_of_months_with_many_lsoas_and_a_gap(make_folder):
    """A ten-year span crossing every year boundary, over 127 LSOAs (int16 category codes), one year missing."""
    months = [str(m) for m in pd.period_range("2014-01", "2023-12", freq="M") if m.year != 2019]
    files = {}
    for i, month in enumerate(months):
        rows = []
        for j in range(12):
            lsoa = f"E0101{(i * 12 + j) % 300:04d}"
            kind = "Anti-social behaviour" if j % 3 else "Burglary"
            crime_id = "" if kind == "Anti-social behaviour" else f"id{i}-{j}"
            rows.append(
                f"{crime_id},{month},Cumbria Constabulary,Cumbria Constabulary,-2.93,54.89,On or near X,{lsoa},"
                f"Carlisle {j:03d}A,{kind},,"
            )
        files[f"incidents/{month}/{month}-cumbria-street.csv"] = street_csv(*rows)
    files["hubs.csv"] = "hub,region,station,area_code,launched\nCarlisle,North,Carlisle,Carlisle,2018-10-01\n"
    dataset = load_dataset(make_folder(files))
    assert len(dataset.months) == 120 and len(dataset.coverage.missing()) == 12
    briefing = make_briefing(dataset, public=False)
    assert briefing.period_label.startswith("January 2023 to December 2023")
    trend = next(s for s in briefing.screens if s.key == "asb-trend")
    assert "%" in trend.sentence  # 2022 was supplied: the year-on-year comparison is made
    from analysis.cli import summary_records

    record = summary_records(dataset)
    gap_rows = [r for r in record["rows"] if r["month"].startswith("2019")]
    assert gap_rows and all(r["asb"] is None and r["crime"] is None for r in gap_rows)
