"""The briefing's chart images: an image kaleido did not write is drawn again, never read as missing."""

from __future__ import annotations

from types import SimpleNamespace

import plotly.graph_objects as go
import plotly.io as pio
import pytest

from analysis.errors import DataProblem
from analysis.outputs.briefing.images import chart_images


def _briefing(*keys: str) -> SimpleNamespace:
    screens = [SimpleNamespace(key=k, figure=go.Figure(go.Bar(x=[1], y=[2]))) for k in keys]
    return SimpleNamespace(screens=[*screens, SimpleNamespace(key="words", figure=None)])


def test_an_image_not_written_is_drawn_again(monkeypatch):
    calls = []

    def write_images(figures, files, **_options):
        calls.append([f.name for f in files])
        for f in files if len(calls) > 1 else files[1:]:  # the first call leaves out the first image
            f.write_bytes(b"png:" + f.name.encode())

    monkeypatch.setattr(pio, "write_images", write_images)
    images = chart_images(_briefing("asb-trend", "asb-change"))
    assert calls == [["asb-trend.png", "asb-change.png"], ["asb-trend.png"]]
    assert images == {"asb-trend": b"png:asb-trend.png", "asb-change": b"png:asb-change.png"}


def test_an_image_never_written_is_a_clear_problem(monkeypatch):
    monkeypatch.setattr(pio, "write_images", lambda figures, files, **_options: None)
    with pytest.raises(DataProblem, match="Chart images could not be drawn"):
        chart_images(_briefing("asb-trend"))
