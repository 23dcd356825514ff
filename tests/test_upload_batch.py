"""A batch of uploads as the Data page handles it (analysis.load.upload.batch): review, keep, save."""

from __future__ import annotations

import doctest

import pytest

from analysis.load.dataset import load_dataset
from analysis.load.upload import batch
from analysis.load.upload.batch import keep_for_session, months_text, review_uploads, save_batch
from analysis.load.upload.check import check_upload
from tests.conftest import street_csv

ASB_ROW = (
    ",2019-03,Cumbria Constabulary,Cumbria Constabulary,-2.93,54.89,On or near X,E01019126,Carlisle 001A,"
    "Anti-social behaviour,,"
)
APRIL_ROW = ASB_ROW.replace("2019-03", "2019-04")
BAD_ROW = ASB_ROW.replace("2019-03", "2019-13")
HUBS = "hub,region,station,area_code,launched\nCarlisle,North,Civic Centre,E07000028,2018-10-01\n"
RESOURCING = "week,hub,role,funding,fte,visible_patrol_hours\n2019-03-04,Carlisle,PC,core,1,5\n"


@pytest.fixture
def base(make_folder):
    return make_folder(
        {
            "about.json": '{"generated": true}',
            "hubs.csv": HUBS,
            "resourcing.csv": RESOURCING,
            "incidents/2019-03/2019-03-cumbria-street.csv": street_csv(ASB_ROW),
        }
    )


def _item(name: str, text: str) -> tuple:
    content = text.encode("utf-8")
    return check_upload(name, content), content


def test_docstring_examples():
    assert doctest.testmod(batch).failed == 0


@pytest.mark.parametrize(
    "months,expected",
    [([], ""), (["2019-03"], "Mar 2019"), (["2019-03", "2019-04"], "Mar 2019 to Apr 2019 (2 months)")],
)
def test_months_text(months, expected):
    assert months_text(months) == expected


def test_review_says_what_each_upload_is_and_what_saving_does(base):
    dataset = load_dataset(base)
    april = _item("april-street.csv", street_csv(APRIL_ROW, BAD_ROW))
    repeat = _item("march again-street.csv", street_csv(ASB_ROW, ASB_ROW))  # not the folder's bytes
    review = review_uploads([april, repeat], base, set(), dataset.records, {"Carlisle"})
    first, second = review.cards
    assert first.heading == "**april-street.csv** · checked as police.uk street-level records · Apr 2019"
    assert first.rows == "2 rows read = 1 accepted + 1 rejected (listed below)."
    assert first.status == "Saving: it will be saved as incidents/uploads/april-street.csv."
    assert first.overlap is None and first.unknown_hubs is None
    # the March file: months the folder already has, named with the file that has them
    assert second.overlap.startswith(
        "It covers months the folder already has (Mar 2019 in incidents/2019-03/2019-03-cumbria-street.csv)."
    )
    assert len(review.rejected) == 1 and review.rejected["file"].iloc[0].endswith("april-street.csv")
    assert [c.name for c, _ in review.fresh] == ["april-street.csv", "march again-street.csv"]
    assert review.keep_label == "Keep for this session" and review.replacing == ()


def test_review_of_a_table_names_unknown_hubs_and_a_replace(base):
    dataset = load_dataset(base)
    table = _item("resourcing.csv", RESOURCING.replace("Carlisle", "Carlisel"))
    review = review_uploads([table], base, set(), dataset.records, {"Carlisle"})
    (card,) = review.cards
    assert card.unknown_hubs.startswith("It names hub(s) that hubs.csv does not list: Carlisel.")
    assert card.status == "Saving: it would replace the folder's resourcing.csv, a different file."
    assert review.replacing == ("resourcing.csv",)


def test_the_same_file_twice_is_already_in_the_folder(base):
    dataset = load_dataset(base)
    same = _item("copy.csv", street_csv(ASB_ROW))  # byte for byte the folder's March file
    review = review_uploads([same], base, set(), dataset.records, {"Carlisle"})
    assert review.cards[0].plan.action == "same" and review.cards[0].overlap is None
    assert review.fresh == () and review.keep_label == "Already in the folder: nothing to keep"
    kept = review_uploads([same], base, {same[0].digest}, dataset.records, {"Carlisle"})
    assert kept.keep_label == "Kept for this session"
    assert kept.cards[0].status == ":material/check_circle: In use this session (not saved)."


def test_keep_for_session_adds_new_files_once(base):
    april = _item("april-street.csv", street_csv(APRIL_ROW))
    same = _item("copy.csv", street_csv(ASB_ROW))
    keep = keep_for_session([april, same], base, {})
    assert list(keep.staged) == ["incidents/uploads/april-street.csv"]
    assert keep.staged["incidents/uploads/april-street.csv"]["digest"] == april[0].digest
    assert keep.message == (
        "Kept for this session, not saved: april-street.csv (as incidents/uploads/april-street.csv). "
        "Already in the data folder, so nothing to add: copy.csv."
    )
    again = keep_for_session([april], base, keep.staged)
    assert again.staged == keep.staged and again.message == "These files are already in use for this session."


def test_save_batch_saves_what_it_can_and_says_why_not_the_rest(base):
    april = _item("april-street.csv", street_csv(APRIL_ROW))
    table = _item("resourcing.csv", RESOURCING.replace("5\n", "6\n"))
    saved = save_batch([april, table], base, replace=False)
    assert saved.done == ("april-street.csv saved as incidents/uploads/april-street.csv",)
    assert saved.problems[0].startswith("resourcing.csv was not saved. The data folder already has a different")
    assert saved.digests == {april[0].digest}
    assert (base / "incidents/uploads/april-street.csv").read_bytes() == april[1]
    kind, text = saved.message(base)
    assert kind == "error" and text.endswith("Done: april-street.csv saved as incidents/uploads/april-street.csv.")
    replaced = save_batch([table], base, replace=True)
    assert replaced.message(base) == ("success", f"Into {base.name}: resourcing.csv saved as resourcing.csv.")
    assert (base / "resourcing.csv").read_bytes() == table[1]
