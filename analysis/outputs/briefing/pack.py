"""The pack in memory (for the page's downloads) or on disk, and the ``briefing`` command.

``python -m analysis briefing DATA_DIR --out FILE.pdf [--public] [--force FORCE]`` calls :func:`build_briefing`.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

from analysis.load.dataset import Dataset, load_dataset
from analysis.load.force import add_force_argument, one_force
from analysis.outputs.briefing.images import chart_images, charts_zip, image_name
from analysis.outputs.briefing.make import make_briefing
from analysis.outputs.briefing.model import Briefing
from analysis.outputs.briefing.pdf import briefing_pdf

__all__ = [
    "BriefingPack",
    "BriefingResult",
    "add_briefing_arguments",
    "briefing_command",
    "build_briefing",
    "make_pack",
]


@dataclass(frozen=True)
class BriefingPack:
    """What a briefing takes away: the PDF pack, a PNG per chart, and those PNGs zipped for slides."""

    pdf: bytes
    images: dict[str, bytes]
    charts_zip: bytes


def make_pack(briefing: Briefing) -> BriefingPack:
    """Draw the chart images once and make the PDF pack and the ZIP of charts from them."""
    images = chart_images(briefing)
    return BriefingPack(briefing_pdf(briefing, images), images, charts_zip(briefing, images))


@dataclass(frozen=True)
class BriefingResult:
    """What :func:`build_briefing` wrote."""

    pdf: Path
    pages: int
    charts: tuple[Path, ...]
    briefing: Briefing = field(repr=False)


def build_briefing(dataset: Dataset, out: Path, *, public: bool, months: int = 12) -> BriefingResult:
    """Write the PDF pack to ``out`` and a PNG of each chart into ``<out stem>-charts/``.

    Parameters
    ----------
    dataset : Dataset
        A loaded data folder.
    out : Path
        The PDF to write (its folder is created).
    public : bool
        The public version (disclosure rules on).
    months : int
        Months in the briefing period.

    Returns
    -------
    BriefingResult
        The PDF path, its page count (title + screens + method), the PNG paths and the briefing.
    """
    out = Path(out)
    briefing = make_briefing(dataset, public=public, months=months)
    pack = make_pack(briefing)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(pack.pdf)
    chart_dir = out.with_name(f"{out.stem}-charts")
    chart_dir.mkdir(exist_ok=True)
    charts = []
    for i, screen in enumerate(briefing.screens, start=1):
        if screen.key in pack.images:
            path = chart_dir / image_name(i, screen.key)
            path.write_bytes(pack.images[screen.key])
            charts.append(path)
    return BriefingResult(out, len(briefing.screens) + 2, tuple(charts), briefing)


# --------------------------------------------------------------------------- command line


def add_briefing_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``briefing`` sub-command's arguments (after ``data_dir``)."""
    parser.add_argument("--out", required=True, type=Path, help="the PDF to write; chart PNGs go to <name>-charts/")
    parser.add_argument("--public", action="store_true", help="the public version: small numbers suppressed")
    parser.add_argument(
        "--months",
        type=int,
        default=12,
        help="months in the briefing period, 1 to 12 (default 12), ending with the last month of data",
    )
    add_force_argument(parser)


def briefing_command(args: argparse.Namespace) -> int:
    """Handle ``python -m analysis briefing DATA_DIR --out FILE.pdf [--public]``."""
    dataset = one_force(load_dataset(args.data_dir), args.force)
    result = build_briefing(dataset, args.out, public=args.public, months=args.months)
    b = result.briefing
    print(f"Wrote {result.pdf} ({result.pages} pages: title, {len(b.screens)} screens, method). {b.mode_label}")
    print(f"Period: {b.period_label}. Chart images: {len(result.charts)} in {result.pdf.stem}-charts/")
    return 0
