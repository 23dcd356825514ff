"""A PNG of each chart (for the PDF and for slides), drawn by kaleido with Debian chromium, and their ZIP."""

from __future__ import annotations

import io
import logging
import os
import tempfile
import zipfile
from pathlib import Path

from analysis.errors import DataProblem
from analysis.outputs.briefing.model import Briefing

__all__ = ["CHART_HEIGHT", "CHART_WIDTH", "CHROMIUM", "chart_images", "charts_zip", "image_name"]

#: Size of chart images for the PDF and for slides (16:9), in pixels.
CHART_WIDTH, CHART_HEIGHT = 1600, 900
#: Charts are laid out at this width and scaled up to CHART_WIDTH, so their type reads from the back of a hall.
_LAYOUT_WIDTH = 1120
#: The Chromium kaleido uses to draw chart images: LOCAL_FOCUS_CHROMIUM when set, else Debian chromium.
CHROMIUM = os.environ.get("LOCAL_FOCUS_CHROMIUM") or "/usr/bin/chromium"


def _use_debian_chromium() -> None:
    """Point kaleido at CHROMIUM when it is there (kaleido would otherwise look elsewhere first)."""
    if Path(CHROMIUM).exists() and "BROWSER_PATH" not in os.environ:
        os.environ["BROWSER_PATH"] = CHROMIUM


def chart_images(briefing: Briefing, *, width: int = CHART_WIDTH, height: int = CHART_HEIGHT) -> dict[str, bytes]:
    """PNG bytes of every screen's chart, keyed by screen key, drawn by kaleido.

    Raises
    ------
    ValueError
        When kaleido cannot start a browser (Chromium missing).
    """
    import plotly.io as pio

    _use_debian_chromium()
    screens = [s for s in briefing.screens if s.figure is not None]
    with tempfile.TemporaryDirectory(prefix="briefing-") as tmp:
        files = [Path(tmp) / f"{s.key}.png" for s in screens]
        todo = list(zip(screens, files, strict=True))
        for _attempt in range(2):  # kaleido under heavy load has been seen to return without writing a file
            try:
                pio.write_images(
                    [s.figure for s, _ in todo],
                    [f for _, f in todo],
                    width=_LAYOUT_WIDTH,
                    height=round(_LAYOUT_WIDTH * height / width),
                    scale=width / _LAYOUT_WIDTH,
                )
            except Exception as e:  # kaleido raises several types when chromium is missing or fails
                logging.getLogger(__name__).exception("kaleido could not draw the briefing charts")
                raise DataProblem(
                    f"Chart images could not be drawn: kaleido needs Chromium ({CHROMIUM}: "
                    "on Debian apt-get install chromium, elsewhere set LOCAL_FOCUS_CHROMIUM to a Chromium program)."
                ) from e
            todo = [(s, f) for s, f in todo if not f.is_file()]
            if not todo:
                break
            missing = [s.key for s, _ in todo]
            logging.getLogger(__name__).warning("kaleido wrote no image for %s: drawing again", missing)
        if todo:
            raise DataProblem("Chart images could not be drawn: Chromium did not finish them; try again.")
        return {s.key: f.read_bytes() for s, f in zip(screens, files, strict=True)}


def image_name(index: int, key: str) -> str:
    """The file name of screen ``index``'s chart: '02-asb-change.png'."""
    return f"{index:02d}-{key}.png"


def charts_zip(briefing: Briefing, images: dict[str, bytes]) -> bytes:
    """A ZIP of the chart PNGs (for slides) with a text file of each chart's summary."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        lines = [f"Local Focus briefing: {briefing.area}, {briefing.period_label}.", briefing.mode_label, ""]
        for i, screen in enumerate(briefing.screens, start=1):
            if screen.key in images:
                name = image_name(i, screen.key)
                archive.writestr(name, images[screen.key])
                lines += [f"{name}: {screen.title}", f"  {screen.sentence}", f"  Alt text: {screen.summary}", ""]
        archive.writestr("README.txt", "\n".join(lines))
    return buffer.getvalue()
