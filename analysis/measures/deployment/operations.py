"""Operations (e.g. a Week of Action): patrol hours in the weeks around one, and ASB in the months around it.

No streamlit here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.figures.chart import Chart
from analysis.figures.deployment import asb_around_figure, week_of_action_figure
from analysis.measures.deployment.series import PATROL_COLUMNS, area_total
from analysis.stats.intervals import poisson_interval, rate_ratio
from analysis.text.a11y import chart_summary, table_view
from analysis.text.changes import change_words

__all__ = [
    "OPERATION_NOTE",
    "OperationView",
    "operation_choices",
    "operation_view",
    "asb_around",
    "asb_around_summary",
    "asb_around_view",
    "operation_weeks",
    "operations_in_view",
    "week_of_action",
    "week_of_action_summary",
    "week_of_action_view",
    "WeekOfAction",
]


def operations_in_view(operations: pd.DataFrame, hubs: Iterable[str], start: pd.Period, end: pd.Period) -> pd.DataFrame:
    """Operations for the chosen hubs (or "All") that overlap the months ``start`` to ``end``.

    Returns
    -------
    pandas.DataFrame
        ``name, hub, start, end, focus, label`` sorted by start; ``label`` is
        "name (hub, focus)" for legends and lists.
    """
    columns = ["name", "hub", "start", "end", "focus", "label"]
    hubs = set(hubs)
    hub_col = operations["hub"].astype("str")
    keep = (
        ((hub_col.str.casefold() == "all") | hub_col.isin(hubs))
        & (operations["end"] >= start.start_time)
        & (operations["start"] <= end.end_time)
    )
    chosen = operations.loc[keep].sort_values(["start", "name"])
    if chosen.empty:
        return pd.DataFrame(columns=columns)
    label = (
        chosen["name"].astype("str") + " (" + chosen["hub"].astype("str") + ", " + chosen["focus"].astype("str") + ")"
    )
    return chosen.assign(label=label)[columns].reset_index(drop=True)


def operation_weeks(weeks: pd.Series | pd.DatetimeIndex, start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
    """Which weeks (given by their Monday) overlap an operation from ``start`` to ``end``, inclusive.

    Examples
    --------
    >>> weeks = pd.Series(pd.to_datetime(["2019-07-15", "2019-07-22", "2019-07-29"]))
    >>> operation_weeks(weeks, pd.Timestamp("2019-07-22"), pd.Timestamp("2019-07-28")).tolist()
    [False, True, False]
    """
    mondays = pd.DatetimeIndex(weeks)
    return np.asarray((mondays <= end) & (mondays + pd.Timedelta(days=6) >= start))


@dataclass(frozen=True)
class WeekOfAction:
    """An operation's patrol hours against the weeks around it.

    Attributes
    ----------
    weeks : pandas.DataFrame
        ``week, patrol_hours, window`` with window "before", "operation" or "after".
    operation_mean, before_mean, after_mean : float
        Mean weekly patrol hours in each window.
    before_sd : float
        Standard deviation of the weeks before.
    usual_low, usual_high : float
        95% prediction interval for the mean of as many usual weeks as the operation
        lasts, from the weeks before: ``mean +/- t * sd * sqrt(1/m + 1/n)``.
    position : str
        "above", "within" or "below" that range, or "not available".
    difference, difference_low, difference_high : float
        Operation mean minus the mean of the weeks before, with that interval.
    after_difference, after_low, after_high : float
        Mean of the weeks after minus the weeks before (Welch 95% interval): did
        patrol hours stay up?
    """

    weeks: pd.DataFrame
    operation_mean: float
    before_mean: float
    after_mean: float
    before_sd: float
    usual_low: float
    usual_high: float
    position: str
    difference: float
    difference_low: float
    difference_high: float
    after_difference: float
    after_low: float
    after_high: float


def week_of_action(weekly: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp, n_weeks: int = 4) -> WeekOfAction:
    """Patrol hours during an operation against the ``n_weeks`` weeks before and after.

    Parameters
    ----------
    weekly : pandas.DataFrame
        ``week, patrol_hours`` for one area (one row per week).
    start, end : pandas.Timestamp
        The operation's first and last day.
    n_weeks : int
        Weeks each side.

    Returns
    -------
    WeekOfAction

    Raises
    ------
    ValueError
        When no week of ``weekly`` overlaps the operation.
    """
    if n_weeks < 2:
        raise ValueError(f"n_weeks must be at least 2, got {n_weeks}")
    series = weekly[["week", "patrol_hours"]].dropna().sort_values("week").reset_index(drop=True)
    during = operation_weeks(series["week"], start, end)
    if not during.any():
        raise ValueError(f"No patrol hours for the weeks of the operation ({start:%d %b %Y} to {end:%d %b %Y}).")
    first, last = np.flatnonzero(during)[[0, -1]]
    before = series.iloc[max(0, first - n_weeks) : first]
    after = series.iloc[last + 1 : last + 1 + n_weeks]
    op = series.iloc[first : last + 1]
    window = pd.Series("operation", index=op.index)
    table = pd.concat(
        [before.assign(window="before"), op.assign(window=window), after.assign(window="after")], ignore_index=True
    )
    op_mean = float(op["patrol_hours"].mean())
    b = before["patrol_hours"].to_numpy(float)
    a = after["patrol_hours"].to_numpy(float)
    b_mean = float(b.mean()) if len(b) else math.nan
    a_mean = float(a.mean()) if len(a) else math.nan
    b_sd = float(b.std(ddof=1)) if len(b) >= 2 else math.nan
    if len(b) >= 2:
        from scipy import special  # the t quantile scipy.stats.t.ppf gives; imported when needed

        t = float(special.stdtrit(len(b) - 1, 0.975))
        half = t * b_sd * math.sqrt(1 / len(op) + 1 / len(b))
        low, high = b_mean - half, b_mean + half
        position = "above" if op_mean > high else "below" if op_mean < low else "within"
    else:
        low = high = math.nan
        half = math.nan
        position = "not available"
    if len(a) >= 2 and len(b) >= 2:
        from scipy import stats  # a heavy import, only for this test (scipy.special serves the rest)

        welch = stats.ttest_ind(a, b, equal_var=False)
        ci = welch.confidence_interval(0.95)
        after_low, after_high = float(ci.low), float(ci.high)
    else:
        after_low = after_high = math.nan
    return WeekOfAction(
        weeks=table,
        operation_mean=op_mean,
        before_mean=b_mean,
        after_mean=a_mean,
        before_sd=b_sd,
        usual_low=low,
        usual_high=high,
        position=position,
        difference=op_mean - b_mean,
        difference_low=op_mean - b_mean - half,
        difference_high=op_mean - b_mean + half,
        after_difference=a_mean - b_mean,
        after_low=after_low,
        after_high=after_high,
    )


def asb_around(asb: pd.Series, month: pd.Period, n_months: int = 3) -> tuple[pd.DataFrame, tuple[float, float, float]]:
    """Monthly ASB around an operation's month, with exact Poisson intervals.

    Parameters
    ----------
    asb : pandas.Series
        ASB records per month for one area, indexed by month.
    month : pandas.Period
        The operation's month.
    n_months : int
        Months each side.

    Returns
    -------
    tuple
        ``(table, ratio)``: ``table`` has ``month, asb, ci_low, ci_high, window``
        (before, operation month, after; months absent from ``asb`` are left out);
        ``ratio`` is the operation month's count over the mean of the months before,
        with its exact 95% interval (NaN without months before). ASB is monthly, so
        a week's operation is one week in a month of counts.
    """
    wanted = pd.period_range(month - n_months, month + n_months, freq="M")
    present = asb.reindex(wanted).dropna()
    bounds = [poisson_interval(float(v)) for v in present]
    window = np.where(present.index < month, "before", np.where(present.index > month, "after", "operation month"))
    table = pd.DataFrame(
        {
            "month": present.index,
            "asb": present.to_numpy(float),
            "ci_low": [lo for lo, _ in bounds],
            "ci_high": [hi for _, hi in bounds],
            "window": window,
        }
    )
    before = table.loc[table["window"] == "before", "asb"]
    during = table.loc[table["window"] == "operation month", "asb"]
    if len(before) and len(during):
        ratio = rate_ratio(float(during.iloc[0]), float(before.sum()), 1.0, float(len(before)))
    else:
        ratio = (math.nan, math.nan, math.nan)
    return table, ratio


def week_of_action_summary(result: WeekOfAction, name: str) -> str:
    """The Week of Action patrol chart in words: the mean before, during and after, and the usual range.

    Examples
    --------
    >>> weeks = pd.DataFrame({"week": pd.date_range("2020-06-22", periods=7, freq="W-MON"),
    ...                       "patrol_hours": [100.0, 104.0, 96.0, 100.0, 200.0, 120.0, 100.0]})
    >>> result = week_of_action(weeks, pd.Timestamp("2020-07-20"), pd.Timestamp("2020-07-26"), 4)
    >>> week_of_action_summary(result, "Op X")
    "Patrol hours a week around Op X: 4 weeks before averaged 100; the operation's 1 week 200, above the usual range \
(88 to 112); 2 weeks after averaged 110."
    """
    weeks = result.weeks
    counts = {w: int((weeks["window"] == w).sum()) for w in ("before", "operation", "after")}

    def n(k: int) -> str:
        return f"{k} week{'s' if k != 1 else ''}"

    parts = []
    if counts["before"]:
        parts.append(f"{n(counts['before'])} before averaged {result.before_mean:,.0f}")
    during = f"the operation's {n(counts['operation'])} {result.operation_mean:,.0f}"
    if math.isfinite(result.usual_low):
        during += f", {result.position} the usual range ({result.usual_low:,.0f} to {result.usual_high:,.0f})"
    else:
        during += " (too few weeks before for a usual range)"
    parts.append(during)
    if counts["after"]:
        parts.append(f"{n(counts['after'])} after averaged {result.after_mean:,.0f}")
    return f"Patrol hours a week around {name}: " + "; ".join(parts) + "."


def week_of_action_view(result: WeekOfAction) -> pd.DataFrame:
    """The Week of Action patrol chart as a table: each week, its window and patrol hours."""
    weeks = result.weeks
    return table_view(
        weeks.assign(
            week=[f"{d.day} {d:%b %Y}" for d in weeks["week"]],
            patrol_hours=weeks["patrol_hours"].round(1),
        ),
        {"week": "Week (Monday)", "window": "Window", "patrol_hours": "Patrol hours"},
    )


def asb_around_summary(table: pd.DataFrame, name: str) -> str:
    """The ASB-around-an-operation chart in words: the operation month against the months either side.

    Examples
    --------
    >>> table = pd.DataFrame({"month": pd.period_range("2020-06", periods=3, freq="M"), "asb": [10.0, 16.0, 12.0],
    ...                       "ci_low": [4.8, 9.1, 6.2], "ci_high": [18.4, 26.0, 21.0],
    ...                       "window": ["before", "operation month", "after"]})
    >>> asb_around_summary(table, "Op X")
    'ASB a month around Op X, Jun 2020 to Aug 2020: highest Jul 2020 (16), lowest Jun 2020 (10); latest Aug 2020 (12). \
Operation month Jul 2020: 16 (95% interval 9 to 26); the 1 month before averaged 10, the 1 month after 12.'
    """
    text = chart_summary(table, x="month", y="asb", what=f"ASB a month around {name}")
    during = table.loc[table["window"] == "operation month"]
    if len(during):
        row = during.iloc[0]
        text += (
            f" Operation month {row['month']:%b %Y}: {row['asb']:,.0f} "
            f"(95% interval {row['ci_low']:,.0f} to {row['ci_high']:,.0f})"
        )
        sides = []
        for window in ("before", "after"):
            part = table.loc[table["window"] == window, "asb"]
            if len(part):
                label = f"the {len(part)} month{'s' if len(part) != 1 else ''} {window}"
                sides.append(f"{label} averaged {part.mean():,.0f}" if not sides else f"{label} {part.mean():,.0f}")
        text += ("; " + ", ".join(sides) if sides else "") + "."
    return text


def asb_around_view(table: pd.DataFrame) -> pd.DataFrame:
    """The ASB-around-an-operation chart as a table: each month's ASB with its exact 95% interval."""
    return table_view(
        table.assign(
            asb=table["asb"].round().astype("Int64"), ci_low=table["ci_low"].round(1), ci_high=table["ci_high"].round(1)
        ),
        {"month": "Month", "window": "Window", "asb": "ASB incidents", "ci_low": "95% low", "ci_high": "95% high"},
    )


# --------------------------------------------------------------------------- one operation on the page

#: What the operation view cannot say.
OPERATION_NOTE = (
    "ASB is monthly, so an operation of one week is one week inside a month's count, and the month's ASB "
    "is not its effect. The comparison does not allow for the season (summer ASB is higher anyway), nor for "
    "anything else that changed that month. Patrol hours: the usual range is a 95% prediction interval "
    "for the operation's weeks from the weeks before it."
)


def operation_choices(operations: pd.DataFrame) -> tuple[list[str], str]:
    """The operations' labels and the one shown first: the latest Week of Action, else the latest operation."""
    labels = list(operations["label"])
    return labels, next((label for label in reversed(labels) if "week of action" in label.lower()), labels[-1])


@dataclass(frozen=True)
class OperationView:
    """One operation against the weeks (patrol hours) and months (ASB) around it.

    ``patrol`` is None when there are no patrol hours for it (``patrol_note`` says why), ``asb`` None when
    no ASB month around it is in the data.
    """

    caption: str
    patrol: Chart | None
    patrol_note: str
    patrol_mean: str
    patrol_words: str
    asb: Chart | None
    asb_words: str


def operation_view(
    operations: pd.DataFrame,
    label: str,
    weekly_all: pd.DataFrame | None,
    asb_all: pd.DataFrame,
    hubs: list[str],
    area: str,
    n_weeks: int,
) -> OperationView:
    """The operation ``label`` of ``operations`` against the ``n_weeks`` weeks and 3 months either side.

    An operation for "All" hubs is compared on the figures of ``hubs`` (the area named ``area``); any
    other on its own hub's. ``weekly_all`` is from :func:`~analysis.measures.deployment.series.weekly_patrol`
    (None without resourcing.csv), ``asb_all`` from :func:`~analysis.measures.deployment.series.hub_month_asb`.
    """
    op = operations.loc[operations["label"] == label].iloc[0]
    everywhere = str(op["hub"]).casefold() == "all"
    op_hubs = hubs if everywhere else [str(op["hub"])]
    caption = (
        f"{op['name']}: {op['start']:%d %b %Y} to {op['end']:%d %b %Y}, focus {op['focus']}, "
        f"compared on the figures of {area if everywhere else str(op['hub'])}."
    )
    patrol, patrol_note, patrol_mean, patrol_words = None, "Patrol hours need resourcing.csv.", "", ""
    if weekly_all is not None:
        weekly_op = area_total(weekly_all.loc[weekly_all["hub"].isin(op_hubs)], op_hubs, "week", PATROL_COLUMNS)
        try:
            result = week_of_action(weekly_op, op["start"], op["end"], n_weeks)
        except ValueError as e:
            patrol_note = str(e)
        else:
            patrol = Chart(
                week_of_action_figure(result, title="Patrol hours a week"),
                week_of_action_view(result),
                week_of_action_summary(result, str(op["name"])),
                "dep_woa_patrol",
                "operation_weeks.csv",
            )
            patrol_mean = f"{result.operation_mean:,.0f}"
            patrol_words = _patrol_words(result, n_weeks)
    asb_op = area_total(asb_all, op_hubs, "month", ["asb"]).set_index("month")["asb"]
    month = op["start"].to_period("M")
    table, (ratio, low, high) = asb_around(asb_op, month, 3)
    asb = None
    if not table.empty:
        asb = Chart(
            asb_around_figure(table, title="ASB a month"),
            asb_around_view(table),
            asb_around_summary(table, str(op["name"])),
            "dep_woa_asb",
            "operation_asb.csv",
        )
    asb_words = (
        f"ASB in {month.strftime('%b %Y')} against the mean of the months before: **{change_words(ratio, low, high)}**."
    )
    return OperationView(caption, patrol, patrol_note, patrol_mean, patrol_words, asb, asb_words)


def _patrol_words(result: WeekOfAction, n_weeks: int) -> str:
    """The operation's patrol hours against the usual range, and the weeks after, in words."""
    delta = (
        f"{result.difference:+,.0f} hours a week against the {n_weeks} weeks before "
        f"(95% interval {result.difference_low:+,.0f} to {result.difference_high:+,.0f})"
        if math.isfinite(result.difference_low)
        else "too few weeks before for an interval"
    )
    return f"That is **{result.position}** the usual range: {delta}. " + (
        f"The {n_weeks} weeks after averaged {result.after_mean:,.0f} hours "
        f"({result.after_difference:+,.0f} against before, Welch 95% interval "
        f"{result.after_low:+,.0f} to {result.after_high:+,.0f})."
        if math.isfinite(result.after_low)
        else ""
    )
