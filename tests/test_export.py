"""Downloads are safe to open in a spreadsheet."""

import pandas as pd
import pytest

from analysis.outputs.export import escape_formulas, to_safe_csv


@pytest.mark.parametrize(
    "cell,expected",
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("On or near High Street", "On or near High Street"),
        ("", ""),
    ],
)
def test_text_cells(cell, expected):
    assert escape_formulas(pd.DataFrame({"a": [cell]}))["a"].iloc[0] == expected


def test_numbers_categoricals_and_headers():
    frame = pd.DataFrame({"=x": [-1.5], "c": pd.Categorical(["=bad"]), "n": [-3]})
    escaped = escape_formulas(frame)
    assert list(escaped.columns) == ["'=x", "c", "n"]
    assert escaped["'=x"].iloc[0] == -1.5
    assert escaped["c"].iloc[0] == "'=bad"
    assert to_safe_csv(frame).decode().splitlines()[1] == "-1.5,'=bad,-3"


def test_a_figure_never_supplied_is_written_out_in_words_never_blank():
    frame = pd.DataFrame({"month": ["2019-01", "2019-02"], "asb": [12.0, float("nan")]})
    text = to_safe_csv(frame).decode("utf-8").splitlines()
    assert text == ["month,asb", "2019-01,12.0", "2019-02,not supplied"]
