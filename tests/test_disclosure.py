"""Disclosure control on hand-made tables: primary suppression, secondary suppression, rounding."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.outputs.disclosure import (
    SUPPRESSED_LABEL,
    TOTAL,
    WITHHELD_LABEL,
    disclose,
    disclose_by_group,
    primary_mask,
    round_to_base,
    secondary_mask,
)

F, W = SUPPRESSED_LABEL, WITHHELD_LABEL


@pytest.mark.parametrize(
    "counts,expected",
    [
        ([0, 1, 9, 10, 11, 250], [True, True, True, False, False, False]),
        ([10], [False]),
        ([], []),
    ],
)
def test_primary_mask(counts, expected):
    assert primary_mask(pd.Series(counts, dtype="int64")).tolist() == expected


@pytest.mark.parametrize(
    "counts,expected",
    [
        ([10, 11, 12, 13, 14, 15], [10, 10, 10, 15, 15, 15]),
        ([17, 18, 22, 23], [15, 20, 20, 25]),
        ([1234, 1237, 0], [1235, 1235, 0]),
    ],
)
def test_round_to_nearest_five(counts, expected):
    assert round_to_base(pd.Series(counts)).tolist() == expected


def test_round_to_base_rejects_a_zero_base():
    with pytest.raises(ValueError, match="base"):
        round_to_base(pd.Series([10]), base=0)


# One column with its total: the hand-worked cases.
@pytest.mark.parametrize(
    "counts,labels",
    [
        # Nothing small: nothing hidden.
        ([12, 25, 40], ["12", "25", "40", "77"]),
        # One small cell: 77 - 25 - 40 would give it back, so the next smallest (25) is withheld.
        ([3, 25, 40], [F, W, "40", "68"]),
        # Two small cells protect each other: no secondary suppression.
        ([3, 5, 40], [F, F, "40", "48"]),
        # A zero is small too.
        ([0, 25, 40], [F, W, "40", "65"]),
        # A single small cell equals its total: the total goes too (it is small anyway here).
        ([4], [F, F]),
        # A single large cell: the total shows it anyway; nothing small, nothing hidden.
        ([42], ["42", "42"]),
        # A small total with large-looking cells cannot happen; a small total with small cells hides all.
        ([2, 3], [F, F, F]),
        # Ties: the first of the equal smallest is withheld.
        ([1, 30, 30], [F, W, "30", "61"]),
    ],
)
def test_one_column_with_total(counts, labels):
    result = disclose(pd.DataFrame({"asb": counts}), column_totals=True)
    assert result.labels["asb"].tolist() == labels


def test_hidden_cell_cannot_be_worked_out_from_the_total():
    result = disclose(pd.DataFrame({"asb": [3, 25, 40]}), column_totals=True)
    shown = result.shown["asb"]
    assert shown.iloc[-1] - shown.iloc[:-1].sum(skipna=True) == 28  # only the sum of two hidden cells


def test_two_way_table_hides_a_rectangle():
    # r1c1 = 4 is small. Row r1 then has one hidden: withhold r1c2 (20, smallest left).
    # Column c1 has one hidden: withhold r2c1 (15). Column c2 has one: withhold r2c2 (18).
    # Row r2 now has two. Every line has 0 or 2 hidden; the totals all show.
    counts = pd.DataFrame({"c1": [4, 15], "c2": [20, 18], "c3": [30, 22]}, index=["r1", "r2"])
    result = disclose(counts, row_totals=True, column_totals=True)
    expected = pd.DataFrame(
        {
            "c1": [F, W, "19"],
            "c2": [W, W, "38"],
            "c3": ["30", "22", "52"],
            TOTAL: ["54", "55", "109"],
        },
        index=["r1", "r2", TOTAL],
    )
    pd.testing.assert_frame_equal(result.labels, expected)


def test_row_totals_only():
    counts = pd.DataFrame({"a": [5, 50], "b": [60, 70], "c": [80, 3]})
    result = disclose(counts, row_totals=True)
    assert result.labels.columns.tolist() == ["a", "b", "c", TOTAL]
    assert result.labels.iloc[0].tolist() == [F, W, "80", "145"]
    assert result.labels.iloc[1].tolist() == [W, "70", F, "123"]


def test_no_totals_is_primary_suppression_only():
    result = disclose(pd.DataFrame({"a": [3, 25, 40]}))
    assert result.labels["a"].tolist() == [F, "25", "40"]


def test_rounding_applies_to_shown_numbers_and_totals():
    result = disclose(pd.DataFrame({"asb": [3, 26, 42]}), column_totals=True, rounding=True)
    assert result.labels["asb"].tolist() == [F, W, "40", "70"]
    assert result.shown["asb"].tolist()[2:] == [40, 70]
    assert result.counts["asb"].tolist() == [3, 26, 42, 71]  # exact, never published


def test_also_hide_a_total_hidden_elsewhere():
    # The group total is withheld at another level; a visible cell must go with it,
    # or the total would be the sum of the cells.
    also = pd.DataFrame({"asb": [True]}, index=[TOTAL])
    result = disclose(pd.DataFrame({"asb": [40, 25, 30]}), column_totals=True, also_hide=also)
    assert result.labels["asb"].tolist() == ["40", W, "30", W]


def test_exempt_numbers_show_when_small_but_can_protect_others():
    # "No location" describes no area: shown although 3, then withheld to protect hub A's 4.
    counts = pd.DataFrame({"n": [4, 30, 3]}, index=["A", "B", "No location"])
    exempt = pd.DataFrame({"n": [False, False, True]}, index=counts.index)
    result = disclose(counts, column_totals=True, exempt=exempt)
    assert result.labels["n"].tolist() == [F, "30", W, "37"]
    alone = disclose(pd.DataFrame({"n": [30, 3]}, index=["B", "No location"]), column_totals=True, exempt=exempt)
    assert alone.labels["n"].tolist() == ["30", "3", "33"]


def test_large_numbers_get_thousands_separators():
    result = disclose(pd.DataFrame({"asb": [1200, 3400]}), column_totals=True)
    assert result.labels["asb"].tolist() == ["1,200", "3,400", "4,600"]


@pytest.mark.parametrize(
    "counts,message",
    [
        (pd.DataFrame({"a": [1, -2]}), "whole numbers"),
        (pd.DataFrame({"a": [1.5, 2]}), "whole numbers"),
        (pd.DataFrame({"a": ["x", "2"]}), "numbers only"),
        (pd.DataFrame({"a": [1, None]}), "numbers only"),
    ],
)
def test_bad_counts_are_refused(counts, message):
    with pytest.raises(ValueError, match=message):
        disclose(counts, column_totals=True)


def test_bad_input_type_is_refused():
    with pytest.raises(ValueError, match="DataFrame"):
        disclose(pd.Series([1, 2]))  # type: ignore[arg-type]


def _lines(hidden: np.ndarray, row_totals: bool, column_totals: bool) -> list[np.ndarray]:
    lines = []
    if row_totals:
        lines += list(hidden)
    if column_totals:
        lines += list(hidden.T)
    return lines


@pytest.mark.parametrize("seed", range(25))
def test_no_line_ever_has_exactly_one_hidden_number(seed):
    rng = np.random.default_rng(seed)
    shape = (rng.integers(1, 7), rng.integers(1, 6))
    counts = pd.DataFrame(rng.choice([0, 1, 4, 9, 10, 15, 30, 120], size=shape))
    row_totals, column_totals = bool(rng.integers(0, 2)), bool(rng.integers(0, 2))
    result = disclose(counts, row_totals=row_totals, column_totals=column_totals)
    hidden = result.hidden.to_numpy()
    for line in _lines(hidden, row_totals, column_totals):
        assert line.sum() != 1
    # Every small number is hidden, and everything hidden is labelled.
    assert (result.hidden | ~result.primary).all().all()
    assert (result.labels.isin([F, W]) == result.hidden).all().all()


def test_secondary_mask_works_on_a_prepared_table():
    table = pd.DataFrame({"asb": [3, 25, 40, 68]}, index=[0, 1, 2, TOTAL])
    primary = table < 10
    hidden = secondary_mask(table, primary, row_totals=False, column_totals=True)
    assert hidden["asb"].tolist() == [True, True, False, False]


def test_disclose_by_group_protects_each_group_and_rounds():
    frame = pd.DataFrame(
        {
            "hub": ["Carlisle", "Carlisle", "Carlisle", "Eden", "Eden"],
            "lsoa_code": ["E1", "E2", "E3", "E4", "E5"],
            "asb": [42, 26, 3, 12, 15],
        }
    )
    published = disclose_by_group(frame, group="hub", label_columns=["lsoa_code"], count_columns=["asb"])
    assert published.to_dict("list") == {
        "hub": ["Carlisle"] * 4 + ["Eden"] * 3,
        "lsoa_code": ["E1", "E2", "E3", TOTAL, "E4", "E5", TOTAL],
        # Carlisle: 3 small, 26 withheld, 42 -> 40, total 71 -> 70. Eden: 12 -> 10, 15 -> 15, 27 -> 25.
        "asb": ["40", W, F, "70", "10", "15", "25"],
    }


def test_disclose_by_group_hides_totals_hidden_elsewhere():
    frame = pd.DataFrame({"hub": ["A", "A", "B"], "lsoa_code": ["x", "y", "z"], "asb": [40, 25, 12]})
    hidden_totals = pd.DataFrame({"asb": [True, False]}, index=["A", "B"])
    published = disclose_by_group(
        frame, group="hub", label_columns=["lsoa_code"], count_columns=["asb"], hidden_totals=hidden_totals
    )
    assert published["asb"].tolist() == ["40", W, W, "10", "10"]


def test_disclose_by_group_without_rows_or_with_a_missing_column():
    empty = pd.DataFrame({"hub": [], "lsoa_code": [], "asb": []})
    assert disclose_by_group(empty, group="hub", label_columns=["lsoa_code"], count_columns=["asb"]).empty
    with pytest.raises(ValueError, match="no column"):
        disclose_by_group(empty, group="hub", label_columns=["lsoa_name"], count_columns=["asb"])
