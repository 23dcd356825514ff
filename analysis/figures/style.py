"""The one figure style: readable at 1280x800 and on a projector (15px text, 14px ticks, legend under the title).

No streamlit here.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

__all__ = ["figure_from", "interval_dict", "interval_trace", "merged", "style_figure", "style_layout", "styled"]


def _axis(settings: dict | None) -> dict:
    """An axis dict with readable fonts; a string ``title`` becomes ``{"text": title}``."""
    axis = {"tickfont": {"size": 14}, "title": {"font": {"size": 15}}}
    for name, value in (settings or {}).items():
        if name == "title":
            axis["title"] = {"text": value, "font": {"size": 15}}
        elif name == "tickfont":
            axis["tickfont"] = value
        else:
            axis[name] = value
    return axis


def style_layout(
    height: int,
    title: str | None,
    *,
    legend: bool = True,
    x: dict | None = None,
    y: dict | None = None,
    axes: dict[str, dict] | None = None,
    present: list[str] | tuple[str, ...] = (),
    **layout: object,
) -> dict:
    """The layout settings of the one style (:func:`style_figure`) as a plain dict.

    ``present`` names the axes the figure has besides ``xaxis`` and ``yaxis`` (``xaxis2``); the other
    parameters are those of :func:`style_figure`.
    """
    top = (45 if title else 10) + (40 if legend else 0)
    updates: dict[str, object] = {
        "title": {"text": title, "font": {"size": 18}, "y": 0.98, "yanchor": "top", "x": 0, "xanchor": "left"}
        if title
        else None,
        "height": height,
        "font": {"size": 15},
        "hovermode": "closest",
        "hoverlabel": {"font": {"size": 14}},
        "showlegend": legend,
        "legend": {
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.01,
            "x": 0,
            "xanchor": "left",
            "font": {"size": 14},
            "bgcolor": "rgba(0, 0, 0, 0)",
        },
        "margin": {"l": 10, "r": 20, "t": top + 20, "b": 10},
    }
    for name in dict.fromkeys(["xaxis", "yaxis", *present]):
        updates[name] = _axis(x if name.startswith("x") else y)
    for name, settings in (axes or {}).items():
        updates[name] = _axis({**((x if name.startswith("x") else y) or {}), **settings})
    updates.update(layout)
    return updates


def style_figure(
    figure: go.Figure,
    height: int,
    title: str | None,
    *,
    legend: bool = True,
    x: dict | None = None,
    y: dict | None = None,
    axes: dict[str, dict] | None = None,
    **layout: object,
) -> go.Figure:
    """Readable at 1280x800 and on a projector: 15px text, 14px ticks, the legend under the title.

    Everything is set in one ``update_layout`` call: plotly re-validates the whole
    layout on each update, so many small updates make a page slow (a figure built
    in one go by :func:`figure_from` is faster still).

    Parameters
    ----------
    figure : plotly.graph_objects.Figure
        The figure, changed in place.
    height : int
        Height in pixels.
    title : str or None
        The chart title (also named in downloads of the PNG).
    legend : bool
        Whether to show the legend (horizontal, between the title and the plot).
    x, y : dict, optional
        Settings for every x (y) axis; ``title`` may be a plain string.
    axes : dict, optional
        Settings for named axes (``"yaxis2"``), applied after ``x`` and ``y``.
    **layout
        Any other layout settings (``barmode``, ``hovermode`` ...).
    """
    present = [k for k in figure.layout.to_plotly_json() if k.startswith(("xaxis", "yaxis"))]
    figure.update_layout(style_layout(height, title, legend=legend, x=x, y=y, axes=axes, present=present, **layout))
    return figure


def merged(base: dict, updates: dict) -> dict:
    """``base`` updated by ``updates`` as plotly's ``update_layout`` does: dicts merged key by key, a None removed.

    (``update_layout(title=None)`` leaves an empty title, ``{}``, which draws as no title: the same.)
    Neither argument is changed.

    >>> merged({"xaxis": {"anchor": "y", "title": "a"}, "height": 3},
    ...        {"xaxis": {"title": {"text": "b"}}, "height": None})
    {'xaxis': {'anchor': 'y', 'title': {'text': 'b'}}}
    """
    result = dict(base)
    for key, value in updates.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result[key] = value
    return result


def figure_from(data: list[dict], layout: dict) -> go.Figure:
    """A figure built in one go from plain trace and layout dicts: validated once, the template applied once.

    The same figure as ``go.Figure()`` followed by ``add_trace`` and ``update_layout`` calls, at a
    fraction of the cost (each of those calls re-validates what it touches through the figure).
    """
    return go.Figure({"data": data, "layout": layout})


def styled(traces: list, height: int, title: str | None, **style: object) -> go.Figure:
    """``traces`` (trace objects or dicts) in the one style, built in one go: :func:`style_figure` of a new figure.

    ``style`` takes the keyword arguments of :func:`style_figure` (``legend``, ``x``, ``y``, ``axes``, layout).
    """
    return figure_from(list(traces), merged({}, style_layout(height, title, **style)))


def interval_trace(y: pd.Series, x: pd.Series, low: pd.Series, high: pd.Series, **kwargs: object) -> go.Scatter:
    """Markers at ``x`` (per ``y`` category) with horizontal 95% interval bars from ``low`` to ``high``."""
    trace = interval_dict(y, x, low, high, **kwargs)
    del trace["type"]
    return go.Scatter(**trace)


def interval_dict(y: pd.Series, x: pd.Series, low: pd.Series, high: pd.Series, **kwargs: object) -> dict:
    """:func:`interval_trace` as a plain trace dict (for :func:`figure_from`)."""
    error_x = {"type": "data", "symmetric": False, "array": high - x, "arrayminus": x - low, "thickness": 2.5}
    return {"type": "scatter", "x": x, "y": y, "mode": "markers", "error_x": error_x, **kwargs}
