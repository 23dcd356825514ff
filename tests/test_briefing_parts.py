"""The briefing's parts on their own: wording, the period and its year before, published counts, the model, the pack."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest

from analysis.load.dataset import load_dataset
from analysis.outputs.briefing.images import image_name
from analysis.outputs.briefing.make import make_briefing
from analysis.outputs.briefing.model import GENERATED_NOTE, LOCATION_NOTE, Screen
from analysis.outputs.briefing.pack import make_pack
from analysis.outputs.briefing.period import make_frame, publish
from analysis.outputs.briefing.screens import build_screens
from analysis.outputs.briefing.words import about, month_span, month_words
from analysis.outputs.disclosure import SUPPRESSED_LABEL, WITHHELD_LABEL
from analysis.schema import UNASSIGNED
from analysis.text.names import join_names
from tests.conftest import SAMPLE_DIR


@pytest.fixture(scope="module")
def sample():
    return load_dataset(SAMPLE_DIR)


# --------------------------------------------------------------------------- words


def test_numbers_months_and_names_in_words():
    assert about(523.4) == "523"
    assert about(52_340) == "52,300"
    assert about(1_234_567) == "1,230,000"
    assert month_words(pd.Period("2020-12", "M")) == "December 2020"
    assert month_span(pd.Period("2019-01", "M"), pd.Period("2019-12", "M")) == "January 2019 to December 2019"
    assert join_names([]) == ""
    assert join_names(["Eden"]) == "Eden"
    assert join_names(["Eden", "Carlisle"]) == "Eden and Carlisle"
    assert join_names(["Eden", "Carlisle", "Allerdale"]) == "Eden, Carlisle and Allerdale"


# --------------------------------------------------------------------------- published counts


def test_internal_counts_are_exact():
    published = publish(pd.Series({"A": 3, "B": 25, UNASSIGNED: 4}), False)
    assert published.labels.tolist() == ["3", "25", "4"]
    assert not published.hidden.any()
    assert (published.total, published.total_label, published.total_hidden) == (32, "32", False)


def test_public_counts_hide_small_ones_and_protect_them():
    published = publish(pd.Series({"A": 3, "B": 25, "C": 40, "D": 12}), True)
    # A is below 10; D, the smallest number still shown, is withheld so A cannot be worked out from the total.
    assert published.labels.tolist() == [SUPPRESSED_LABEL, "25", "40", WITHHELD_LABEL]
    assert (published.total, published.total_label, published.total_hidden) == (80, "80", False)
    assert published.shown.isna().tolist() == [True, False, False, True]
    assert published.largest_first(["A", "B", "C", "D"]) == ["C", "B", "A", "D"]  # hidden last, in their order
    assert published.values_of(["C", "A", "B"]) == [40, None, 25]


def test_records_in_no_hub_show_even_when_few():
    published = publish(pd.Series({"A": 25, "B": 40, UNASSIGNED: 4}), True)
    assert published.labels.tolist() == ["25", "40", "4"]
    assert published.total_label == "69"


def test_counts_without_their_total_hide_the_total():
    published = publish(pd.Series({"A": 30, "B": 40}), True, with_total=False)
    assert published.labels.tolist() == ["30", "40"]
    assert (published.total_label, published.total_hidden) == (SUPPRESSED_LABEL, True)


# --------------------------------------------------------------------------- the period


def test_sample_period_is_the_last_year_against_the_one_before(sample):
    frame = make_frame(sample, public=False, months=12)
    assert (frame.start, frame.end, frame.n) == (pd.Period("2020-01", "M"), pd.Period("2020-12", "M"), 12)
    assert list(frame.before) == list(pd.period_range("2019-01", "2019-12", freq="M"))
    assert (frame.before_reason, frame.period_note) == ("", "")
    assert frame.in_words == "in the 12 months to December 2020"
    assert frame.span_words == "the 12 months to December 2020"
    assert frame.area == "the Cumbria Constabulary area"
    assert frame.generated_note == (GENERATED_NOTE,)
    incidents = sample.incidents
    asb = incidents["is_asb"]
    assert frame.hubs_this.total == int((asb & incidents["month"].isin(frame.period)).sum())
    assert frame.hubs_before.total == int((asb & incidents["month"].isin(frame.before)).sum())


def test_one_month_reads_as_that_month(sample):
    frame = make_frame(sample, public=True, months=1)
    assert (frame.start, frame.end) == (pd.Period("2020-12", "M"), pd.Period("2020-12", "M"))
    assert frame.in_words == "in December 2020"
    assert frame.span_words == "December 2020"
    assert list(frame.before) == [pd.Period("2019-12", "M")]


def test_real_data_shorter_than_a_year_has_no_year_before(real_dir):
    frame = make_frame(load_dataset(real_dir), public=True, months=12)
    assert (frame.start, frame.end, frame.n) == (pd.Period("2018-10", "M"), pd.Period("2019-02", "M"), 5)
    assert frame.before is None and frame.hubs_before is None
    assert frame.before_reason == "the data start in October 2018, so there is no year before to compare with"
    assert frame.period_note == ""
    assert frame.generated_note == ()


# --------------------------------------------------------------------------- the model


def test_sample_screens_in_order_with_file_names(sample):
    frame = make_frame(sample, public=True, months=12)
    keys = [s.key for s in build_screens(frame)]
    assert keys == ["asb-trend", "asb-change", "asb-rates", "neighbourhoods", "patrols", "cases", "how-to-report"]
    public, internal = make_briefing(sample, public=True), make_briefing(sample, public=False)
    assert public.file_stem == "briefing-2020-12-public"
    assert internal.file_stem == "briefing-2020-12-internal"
    assert public.period_label == "January 2020 to December 2020 (12 months)"
    assert public.method[0].startswith("Period: January 2020 to December 2020, the latest 12 months of data")
    assert "(January 2019 to December 2019)" in public.method[0]


def test_other_notes_leave_out_the_generated_note():
    screen = Screen("k", "T", "S.", "Summary.", None, pd.DataFrame({"a": [1]}), (GENERATED_NOTE, LOCATION_NOTE))
    assert screen.other_notes == (LOCATION_NOTE,)


def test_pack_draws_each_chart_once_for_the_pdf_and_the_zip(sample):
    briefing = make_briefing(sample, public=True, months=3)
    pack = make_pack(briefing)
    charted = [(i, s.key) for i, s in enumerate(briefing.screens, start=1) if s.figure is not None]
    assert list(pack.images) == [key for _, key in charted]
    assert all(png.startswith(b"\x89PNG") for png in pack.images.values())
    assert pack.pdf.startswith(b"%PDF")
    with zipfile.ZipFile(io.BytesIO(pack.charts_zip)) as archive:
        assert archive.namelist() == [image_name(i, key) for i, key in charted] + ["README.txt"]
        assert archive.read(image_name(*charted[0])) == pack.images[charted[0][1]]
