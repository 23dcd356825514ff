"""Precept outcomes: were the pledges kept, with the pledge chart, its table and its summary.

A pledge (``pledges.csv``) names a worker type, a target and a kind:

- ``level``: hold at least ``target`` FTE from ``from_date`` on (e.g. PCSOs maintained at 95);
- ``increase``: ``target`` FTE above the headcount at ``from_date`` (e.g. 25 more officers).

Published workforce figures (``workforce.csv``) come at a few dates a year at best
(the Home Office publishes 31 March and 30 September), so the baseline of an
``increase`` is the figure at or just before ``from_date``; the result says which
figure that is. Every published figure from ``from_date`` onward is assessed.

No streamlit here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analysis.figures.shared import PALETTE
from analysis.text.a11y import chart_summary

__all__ = [
    "ASSESSMENT_COLUMNS",
    "WORKER_LABELS",
    "assess_pledges",
    "latest_assessment",
    "pledge_figure",
    "pledge_summary",
    "pledge_table",
]

#: Columns of :func:`assess_pledges`'s result, in order.
ASSESSMENT_COLUMNS: tuple[str, ...] = (
    "pledge",
    "worker_type",
    "kind",
    "target",
    "from_date",
    "baseline_date",
    "baseline_fte",
    "required_fte",
    "as_at_date",
    "actual_fte",
    "gap_fte",
    "met",
    "status",
    "baseline_note",
)

#: How each worker type reads in a sentence (singular, as an adjective: "officer FTE").
WORKER_LABELS: dict[str, str] = {"officers": "officer", "pcsos": "PCSO"}
#: Chart titles per worker type.
_WORKER_TITLES: dict[str, str] = {"officers": "Police officers", "pcsos": "PCSOs"}

# A gap this small is rounding in the published figures, not a shortfall.
_TOLERANCE = 1e-6


def _fte(value: float) -> str:
    """1108.06 -> '1,108.06'; 86.0 -> '86'; 40.94 -> '40.94'."""
    text = f"{value:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _day(value: pd.Timestamp) -> str:
    return f"{value.day} {value.strftime('%b %Y')}"


def _worker(worker_type: str) -> str:
    return WORKER_LABELS.get(worker_type, worker_type)


def _empty() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="object") for c in ASSESSMENT_COLUMNS})
    dates = {c: pd.Series(dtype="datetime64[us]") for c in ("from_date", "baseline_date", "as_at_date")}
    numbers = {
        c: pd.Series(dtype="float64") for c in ("target", "baseline_fte", "required_fte", "actual_fte", "gap_fte")
    }
    return frame.assign(**dates, **numbers, met=pd.Series(dtype="boolean"))[list(ASSESSMENT_COLUMNS)]


def _check(frame: pd.DataFrame, name: str, columns: tuple[str, ...]) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"{name} must be a DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} lacks the column(s) {', '.join(missing)}")


def _status(kind: str, worker: str, target: float, required: float, actual: float, as_at: pd.Timestamp) -> str:
    gap = actual - required
    met = gap >= -_TOLERANCE
    when = f"At {_day(as_at)}: {_fte(actual)} {worker} FTE"
    if kind == "level":
        if met:
            return f"{when}, at or above the pledged {_fte(target)} ({_fte(gap)} to spare): met."
        return f"{when}, {_fte(-gap)} below the pledged {_fte(target)}: not met."
    baseline = required - target
    change = actual - baseline
    moved = f"{_fte(abs(change))} {'above' if change >= 0 else 'below'} the baseline of {_fte(baseline)}"
    if met:
        return (
            f"{when}, {moved}, so the pledged increase of {_fte(target)} "
            f"(at least {_fte(required)}) was reached, with {_fte(gap)} to spare: met."
        )
    return (
        f"{when}, {moved}: {_fte(-gap)} short of the pledged increase of {_fte(target)} "
        f"(at least {_fte(required)}): not met."
    )


def _baseline_note(worker: str, baseline_date: pd.Timestamp, baseline: float, from_date: pd.Timestamp) -> str:
    if baseline_date == from_date:
        where = "the figure published for the pledge date"
    else:
        days = (from_date - baseline_date).days
        if days < 31:
            earlier = f"{days} day{'s' if days != 1 else ''} earlier"
        else:
            months = round(days / 30.44)
            earlier = f"about {months} month{'s' if months != 1 else ''} earlier"
        where = f"the nearest published figure before the pledge date ({_day(from_date)}), {earlier}"
    return f"Baseline: {_fte(baseline)} {worker} FTE at {_day(baseline_date)}, {where}."


def _unassessed(pledge: pd.Series, status: str, **known: object) -> dict:
    row = {c: np.nan for c in ASSESSMENT_COLUMNS}
    row.update(
        pledge=pledge["pledge"],
        worker_type=pledge["worker_type"],
        kind=pledge["kind"],
        target=float(pledge["target"]),
        from_date=pledge["from_date"],
        baseline_date=pd.NaT,
        as_at_date=pd.NaT,
        met=pd.NA,
        status=status,
        baseline_note="",
    )
    row.update(known)
    return row


def _assess_one(pledge: pd.Series, figures: pd.DataFrame) -> list[dict]:
    worker_type, kind = pledge["worker_type"], pledge["kind"]
    target, from_date = float(pledge["target"]), pd.Timestamp(pledge["from_date"])
    worker = _worker(worker_type)
    if figures.empty:
        return [_unassessed(pledge, f"No {worker} figures in workforce.csv: add them to assess this pledge.")]
    if kind == "increase":
        before = figures[figures["as_at_date"] <= from_date]
        if before.empty:
            return [
                _unassessed(
                    pledge,
                    f"No {worker} figure at or before the pledge date ({_day(from_date)}) to measure the increase "
                    "from: add one to workforce.csv.",
                )
            ]
        base = before.iloc[-1]
        baseline_date, baseline = pd.Timestamp(base["as_at_date"]), float(base["fte"])
        required = baseline + target
        note = _baseline_note(worker, baseline_date, baseline, from_date)
    else:
        baseline_date, baseline, required, note = pd.NaT, np.nan, target, ""
    after = figures[figures["as_at_date"] >= from_date]
    if after.empty:
        return [
            _unassessed(
                pledge,
                f"No {worker} figure has been published since the pledge date ({_day(from_date)}) yet.",
                baseline_date=baseline_date,
                baseline_fte=baseline,
                required_fte=required,
                baseline_note=note,
            )
        ]
    rows = []
    for as_at, actual in zip(after["as_at_date"], after["fte"], strict=True):
        actual = float(actual)
        gap = actual - required
        rows.append(
            {
                "pledge": pledge["pledge"],
                "worker_type": worker_type,
                "kind": kind,
                "target": target,
                "from_date": from_date,
                "baseline_date": baseline_date,
                "baseline_fte": baseline,
                "required_fte": required,
                "as_at_date": pd.Timestamp(as_at),
                "actual_fte": actual,
                "gap_fte": gap,
                "met": bool(gap >= -_TOLERANCE),
                "status": _status(kind, worker, target, required, actual, pd.Timestamp(as_at)),
                "baseline_note": note,
            }
        )
    return rows


def assess_pledges(pledges: pd.DataFrame, workforce: pd.DataFrame) -> pd.DataFrame:
    """Assess each pledge at every published workforce figure from its start date.

    Parameters
    ----------
    pledges : pandas.DataFrame
        ``pledge, worker_type, target, kind (level|increase), from_date`` (datetime).
    workforce : pandas.DataFrame
        ``as_at_date`` (datetime), ``worker_type``, ``fte``. Where a worker type has
        two figures for one date, the later row in the file is used.

    Returns
    -------
    pandas.DataFrame
        One row per pledge and assessed date, columns :data:`ASSESSMENT_COLUMNS`:
        ``baseline_date``/``baseline_fte`` (the figure at or just before
        ``from_date``; NaT/NaN for a ``level`` pledge), ``required_fte`` (target for
        ``level``, baseline + target for ``increase``), ``actual_fte``, ``gap_fte``
        (actual - required: negative is a shortfall), ``met`` (nullable boolean),
        ``status`` (a plain-English sentence) and ``baseline_note``. A pledge that
        cannot be assessed yet gets one row with ``as_at_date`` NaT, ``met`` <NA>
        and a ``status`` that says why.

    Raises
    ------
    ValueError
        When a required column is missing or a ``kind`` is neither level nor increase.

    Examples
    --------
    >>> pledges = pd.DataFrame({"pledge": ["PCSOs at 95"], "worker_type": ["pcsos"], "target": [95.0],
    ...                         "kind": ["level"], "from_date": pd.to_datetime(["2018-04-01"])})
    >>> workforce = pd.DataFrame({"as_at_date": pd.to_datetime(["2018-09-30"]), "worker_type": ["pcsos"],
    ...                           "fte": [86.0]})
    >>> assess_pledges(pledges, workforce)[["gap_fte", "met"]].to_dict("records")
    [{'gap_fte': -9.0, 'met': False}]
    """
    _check(pledges, "pledges", ("pledge", "worker_type", "target", "kind", "from_date"))
    _check(workforce, "workforce", ("as_at_date", "worker_type", "fte"))
    kinds = pledges["kind"].astype("str").str.strip().str.lower()
    unknown = sorted(set(kinds) - {"level", "increase"})
    if unknown:
        raise ValueError(f"pledges kind must be 'level' or 'increase', got {', '.join(map(repr, unknown))}")
    pledges = pledges.assign(
        kind=kinds,
        worker_type=pledges["worker_type"].astype("str").str.strip().str.lower(),
        from_date=pd.to_datetime(pledges["from_date"]),
    )
    figures = (
        workforce.assign(
            worker_type=workforce["worker_type"].astype("str").str.strip().str.lower(),
            as_at_date=pd.to_datetime(workforce["as_at_date"]),
            fte=pd.to_numeric(workforce["fte"], errors="coerce"),
        )
        .dropna(subset=["as_at_date", "fte"])
        .drop_duplicates(["worker_type", "as_at_date"], keep="last")
        .sort_values("as_at_date", kind="stable")
    )
    by_type = dict(tuple(figures.groupby("worker_type", sort=False)))
    rows = []
    for _, pledge in pledges.iterrows():
        rows += _assess_one(pledge, by_type.get(pledge["worker_type"], figures.iloc[0:0]))
    if not rows:
        return _empty()
    frame = pd.DataFrame(rows, columns=list(ASSESSMENT_COLUMNS))
    return frame.astype(
        {
            "met": "boolean",
            "target": "float64",
            "baseline_fte": "float64",
            "required_fte": "float64",
            "actual_fte": "float64",
            "gap_fte": "float64",
            "from_date": "datetime64[us]",
            "baseline_date": "datetime64[us]",
            "as_at_date": "datetime64[us]",
        }
    )


def latest_assessment(assessment: pd.DataFrame) -> pd.DataFrame:
    """The most recent row per pledge (the unassessable row where there is no figure), in pledge order."""
    if assessment.empty:
        return assessment
    order = {p: i for i, p in enumerate(dict.fromkeys(assessment["pledge"]))}
    latest = assessment.sort_values("as_at_date", na_position="first", kind="stable").drop_duplicates(
        "pledge", keep="last"
    )
    return latest.sort_values("pledge", key=lambda s: s.map(order), ignore_index=True)


def pledge_figure(
    workforce: pd.DataFrame,
    assessment: pd.DataFrame,
    *,
    launch: pd.Timestamp | None = None,
    launch_label: str = "Hubs launch",
) -> go.Figure:
    """Published FTE per worker type over time, with each pledge's required level and its date marked.

    One panel per worker type (their scales differ tenfold). Assessed points are
    labelled "met" or "not met" in text and drawn with different marker shapes, so
    nothing rests on colour alone.

    Parameters
    ----------
    workforce : pandas.DataFrame
        ``as_at_date, worker_type, fte``.
    assessment : pandas.DataFrame
        The result of :func:`assess_pledges`.
    launch : Timestamp, optional
        A second date to mark (e.g. the first hub launch).
    launch_label : str
        Its label.
    """
    types = list(dict.fromkeys([*assessment["worker_type"], *workforce["worker_type"].astype("str")]))
    types = [t for t in types if (workforce["worker_type"].astype("str") == t).any()] or types[:1]
    if not types:
        return go.Figure()
    figure = make_subplots(
        rows=len(types),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.14,
        subplot_titles=[f"{_WORKER_TITLES.get(t, t)}: full-time equivalent (FTE)" for t in types],
    )
    end = workforce["as_at_date"].max() if len(workforce) else None
    for row, worker_type in enumerate(types, start=1):
        figures = workforce[workforce["worker_type"].astype("str") == worker_type].sort_values("as_at_date")
        figure.add_trace(
            go.Scatter(
                x=figures["as_at_date"],
                y=figures["fte"],
                mode="lines+markers",
                name=f"{_WORKER_TITLES.get(worker_type, worker_type)}, published FTE",
                line={"color": PALETTE[0], "width": 2.5},
                marker={"symbol": "circle", "size": 7, "color": PALETTE[0]},
                hovertemplate="%{x|%d %b %Y}: %{y:,.2f} FTE<extra></extra>",
                showlegend=False,
            ),
            row=row,
            col=1,
        )
        rows = assessment[(assessment["worker_type"] == worker_type) & assessment["as_at_date"].notna()]
        for met, symbol, word in ((True, "circle", "met"), (False, "x-thin-open", "not met")):
            points = rows[rows["met"] == met]
            if points.empty:
                continue
            figure.add_trace(
                go.Scatter(
                    x=points["as_at_date"],
                    y=points["actual_fte"],
                    mode="markers+text",
                    text=[word] * len(points),
                    textposition="bottom center" if not met else "top center",
                    textfont={"size": 13, "color": "#111111"},
                    marker={
                        "symbol": symbol,
                        "size": 14,
                        "color": PALETTE[0] if met else PALETTE[5],
                        "line": {
                            "width": 3,
                            "color": PALETTE[0] if met else PALETTE[5],
                        },
                    },
                    name=word,
                    hovertemplate="%{x|%d %b %Y}: %{y:,.2f} FTE, pledge " + word + "<extra></extra>",
                    showlegend=False,
                ),
                row=row,
                col=1,
            )
        for _, pledge in latest_assessment(assessment[assessment["worker_type"] == worker_type]).iterrows():
            if pd.isna(pledge["required_fte"]):
                continue
            right = max(end, pledge["from_date"]) if end is not None else pledge["from_date"]
            if pledge["kind"] == "increase":
                label = f"Pledge: baseline + {_fte(pledge['target'])} = {_fte(pledge['required_fte'])}"
            else:
                label = f"Pledge: at least {_fte(pledge['required_fte'])}"
            figure.add_trace(
                go.Scatter(
                    x=[pledge["from_date"], right],
                    y=[pledge["required_fte"]] * 2,
                    mode="lines",
                    line={"color": PALETTE[5], "width": 2, "dash": "dash"},
                    name=label,
                    hovertemplate=f"{label}<extra></extra>",
                    showlegend=False,
                ),
                row=row,
                col=1,
            )
            figure.add_annotation(
                x=pledge["from_date"],
                y=pledge["required_fte"],
                text=label,
                showarrow=False,
                xanchor="left",
                yanchor="bottom",
                font={"size": 12, "color": "#8A3A00"},
                bgcolor="rgba(255,255,255,0.85)",
                row=row,
                col=1,
            )
            if pledge["kind"] == "increase" and pd.notna(pledge["baseline_date"]):
                figure.add_annotation(
                    x=pledge["baseline_date"],
                    y=pledge["baseline_fte"],
                    text=f"Baseline {_fte(pledge['baseline_fte'])}<br>({_day(pledge['baseline_date'])})",
                    showarrow=True,
                    arrowhead=0,
                    ax=0,
                    ay=34,
                    font={"size": 12},
                    bgcolor="rgba(255,255,255,0.85)",
                    row=row,
                    col=1,
                )
        lows = [figures["fte"].min(), *rows["required_fte"].dropna()]
        highs = [figures["fte"].max(), *rows["required_fte"].dropna()]
        lows, highs = [v for v in lows if pd.notna(v)], [v for v in highs if pd.notna(v)]
        if lows and highs:
            pad = max((max(highs) - min(lows)) * 0.35, 2.0)
            figure.update_yaxes(range=[min(lows) - pad, max(highs) + pad], row=row, col=1)
    marks = []
    if len(assessment):
        for from_date in assessment["from_date"].dropna().unique():
            marks.append((pd.Timestamp(from_date), f"Pledge from {pd.Timestamp(from_date).strftime('%b %Y')}"))
    if launch is not None and pd.notna(launch):
        marks.append((pd.Timestamp(launch), f"{launch_label} ({pd.Timestamp(launch).strftime('%b %Y')})"))
    marks = sorted(marks, key=lambda m: m[0])
    for i, (when, text) in enumerate(marks):
        for row in range(1, len(types) + 1):
            figure.add_vline(x=when, line={"color": "#555555", "width": 1, "dash": "dot"}, row=row, col=1)
        figure.add_annotation(
            x=when,
            y=1.0,
            yref="paper",
            text=text,
            showarrow=False,
            # The last label reads to the right of its line, the one before to the left, and so on.
            xanchor="left" if (len(marks) - 1 - i) % 2 == 0 else "right",
            yanchor="bottom",
            yshift=22,
            font={"size": 12, "color": "#333333"},
        )
    figure.update_yaxes(title_text="FTE", tickformat=",.0f")
    figure.update_xaxes(tickformat="%b %Y")
    figure.update_layout(
        height=300 * len(types) + 80,
        margin={"l": 10, "r": 10, "t": 80, "b": 10},
        hovermode="closest",
    )
    return figure


def _figures(workforce: pd.DataFrame) -> pd.DataFrame:
    """Published figures with ``worker_type`` as lower-case text, in date order."""
    return workforce.assign(worker_type=workforce["worker_type"].astype("str").str.strip().str.lower()).sort_values(
        "as_at_date", kind="stable"
    )


def pledge_table(workforce: pd.DataFrame, assessment: pd.DataFrame) -> pd.DataFrame:
    """The numbers behind :func:`pledge_figure`: every published figure, with each pledge assessed at it.

    Returns
    -------
    pandas.DataFrame
        ``worker, as_at_date, fte, pledge, required_fte, gap_fte, result`` (and ``source``
        when the workforce table has one): one row per published figure and pledge
        assessed at it; figures before any pledge have an empty ``pledge`` and ``result``.
        Worker types in the order the chart draws them, dates ascending.
    """
    figures = _figures(workforce)
    keep = ["worker_type", "as_at_date", "fte"] + (["source"] if "source" in figures.columns else [])
    assessed = assessment.loc[
        assessment["as_at_date"].notna(), ["worker_type", "as_at_date", "pledge", "required_fte", "gap_fte", "met"]
    ]
    merged = figures[keep].merge(assessed, on=["worker_type", "as_at_date"], how="left")
    order = {t: i for i, t in enumerate(dict.fromkeys([*assessment["worker_type"], *figures["worker_type"]]))}
    merged = merged.assign(order=merged["worker_type"].map(order)).sort_values(["order", "as_at_date"], kind="stable")
    result = merged["met"].astype("object").map({True: "met", False: "not met"})
    result = result.where(merged["pledge"].isna(), result.fillna("cannot tell yet")).fillna("")
    table = merged.assign(
        worker=merged["worker_type"].map(lambda t: _WORKER_TITLES.get(t, t)),
        pledge=merged["pledge"].fillna(""),
        result=result,
    )
    columns = ["worker", "as_at_date", "fte", "pledge", "required_fte", "gap_fte", "result"]
    return table[columns + (["source"] if "source" in table.columns else [])].reset_index(drop=True)


def pledge_summary(workforce: pd.DataFrame, assessment: pd.DataFrame) -> str:
    """:func:`pledge_figure` in words: each worker type's published FTE, then each pledge's latest result.

    Examples
    --------
    >>> pledges = pd.DataFrame({"pledge": ["PCSOs at 95"], "worker_type": ["pcsos"], "target": [95.0],
    ...                         "kind": ["level"], "from_date": pd.to_datetime(["2018-04-01"])})
    >>> workforce = pd.DataFrame({"as_at_date": pd.to_datetime(["2017-09-30", "2018-09-30"]),
    ...                           "worker_type": ["pcsos", "pcsos"], "fte": [97.0, 86.0]})
    >>> print(pledge_summary(workforce, assess_pledges(pledges, workforce)))
    Published PCSO FTE, 30 Sep 2017 to 30 Sep 2018: highest 30 Sep 2017 (97), lowest 30 Sep 2018 (86); \
latest 30 Sep 2018 (86). PCSOs at 95: At 30 Sep 2018: 86 PCSO FTE, 9 below the pledged 95: not met. \
Not met at 1 of 1 published dates since 1 Apr 2018.
    """
    figures = _figures(workforce).dropna(subset=["as_at_date", "fte"])
    sentences = []
    for worker_type in dict.fromkeys([*assessment["worker_type"], *figures["worker_type"]]):
        published = figures[figures["worker_type"] == worker_type]
        if published.empty:
            continue
        what = f"Published {_worker(str(worker_type))} FTE"
        sentences.append(
            chart_summary(published, x="as_at_date", y="fte", what=what, value_format="{:,.2f}").replace(".00)", ")")
        )
    for _, latest in latest_assessment(assessment).iterrows():
        sentence = f"{latest['pledge']}: {latest['status']}"
        assessed = assessment[(assessment["pledge"] == latest["pledge"]) & assessment["met"].notna()]
        if len(assessed):
            met = int(assessed["met"].sum())
            word = "Met" if met else "Not met"
            sentence += (
                f" {word} at {met if met else len(assessed)} of {len(assessed)} published dates since "
                f"{_day(latest['from_date'])}."
            )
        sentences.append(sentence)
    return " ".join(sentences) if sentences else "No published workforce figures to show."
