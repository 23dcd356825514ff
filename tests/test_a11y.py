"""Charts in words: summaries and table views built from tiny tables."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.text.a11y import chart_summary, format_x, table_view

MONTHS = pd.PeriodIndex(["2020-01", "2020-02", "2020-03"], freq="M")


@pytest.mark.parametrize(
    "table,kwargs,expected",
    [
        (
            pd.DataFrame({"month": MONTHS, "asb": [120, 340, 90]}),
            {"x": "month", "y": "asb", "what": "ASB incidents per month"},
            "ASB incidents per month, Jan 2020 to Mar 2020: highest Feb 2020 (340), lowest Mar 2020 (90); "
            "latest Mar 2020 (90).",
        ),
        (
            pd.DataFrame({"hub": ["Eden", "Barrow", "Carlisle"], "rate": [3.25, 10.3, 9.1]}),
            {"x": "hub", "y": "rate", "what": "ASB per 1,000 residents", "value_format": "{:.1f}"},
            "ASB per 1,000 residents by hub: highest Barrow (10.3), lowest Eden (3.2); 3 shown.",
        ),
        (
            pd.DataFrame({"hub": ["Eden", "Barrow", "Carlisle"], "cases": [None, 31, 12]}),
            {"x": "hub", "y": "cases", "what": "Cases opened"},
            "Cases opened by hub: highest Barrow (31), lowest Carlisle (12); 2 shown. "
            "1 value(s) hidden to protect small numbers.",
        ),
        (
            pd.DataFrame({"hub": ["Eden"], "cases": [None]}),
            {"x": "hub", "y": "cases", "what": "Cases opened"},
            "Cases opened: no values to show. 1 value(s) hidden to protect small numbers.",
        ),
        (
            pd.DataFrame({"month": MONTHS.append(MONTHS), "hub": ["A"] * 3 + ["B"] * 3, "asb": [1, 2, 3, 30, 20, 10]}),
            {"x": "month", "y": "asb", "what": "ASB incidents", "series": "hub"},
            "ASB incidents for 2 hubs, Jan 2020 to Mar 2020. In Mar 2020: highest B (10), lowest A (3).",
        ),
        (
            pd.DataFrame({"month": MONTHS[:1], "asb": [7]}),
            {"x": "month", "y": "asb", "what": "ASB incidents"},
            "ASB incidents, Jan 2020: 7.",
        ),
    ],
)
def test_chart_summary(table, kwargs, expected):
    assert chart_summary(table, **kwargs) == expected


def test_chart_summary_names_a_missing_column():
    with pytest.raises(ValueError, match="no column"):
        chart_summary(pd.DataFrame({"a": [1]}), x="a", y="b", what="x")


@pytest.mark.parametrize(
    "value,expected",
    [
        (pd.Period("2020-03", "M"), "Mar 2020"),
        (pd.Timestamp("2020-03-01"), "Mar 2020"),
        (pd.Timestamp("2020-03-02"), "2 Mar 2020"),
        ("Eden", "Eden"),
        (12, "12"),
    ],
)
def test_format_x(value, expected):
    assert format_x(value) == expected


def test_table_view_renames_orders_and_writes_months():
    table = pd.DataFrame({"asb": [1, 2], "month": MONTHS[:2], "extra": ["x", "y"]})
    view = table_view(table, {"month": "Month", "asb": "ASB incidents"})
    assert view.to_dict("list") == {"Month": ["Jan 2020", "Feb 2020"], "ASB incidents": [1, 2]}
    with pytest.raises(ValueError, match="no column"):
        table_view(table, {"hub": "Hub"})
