"""A data folder's police.uk month files: where a fetched month goes, which months are there, atomic writes.

A fetched or extracted month is written as ``incidents/YYYY-MM/YYYY-MM-<force>-street.csv``
(the layout of a police.uk download) beside a note of its source,
``YYYY-MM-<force>-street.source.json``, which the loaders ignore (they read .csv and .zip only).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import pandas as pd

from analysis.errors import DataProblem
from analysis.load.incidents import find_incident_sources
from analysis.schema import POLICE_UK_COLUMNS

__all__ = [
    "atomic_write",
    "check_force_id",
    "month_file",
    "month_range",
    "months_present",
    "parse_month",
    "read_month_file",
    "write_month",
]

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_FORCE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def parse_month(text: str, what: str = "month") -> pd.Period:
    """``YYYY-MM`` as a monthly period.

    Raises
    ------
    DataProblem
        When ``text`` is not a month.
    """
    if not _MONTH.match(str(text).strip()):
        raise DataProblem(f"The {what} '{text}' is not a month: write it as YYYY-MM, for example 2021-05.")
    return pd.Period(str(text).strip(), freq="M")


def month_range(first: pd.Period, last: pd.Period) -> list[str]:
    """Every month from ``first`` to ``last`` as ``YYYY-MM`` text."""
    return [str(m) for m in pd.period_range(first, last, freq="M")]


def check_force_id(force: str) -> str:
    """A police.uk force id (``cumbria``, ``city-of-london``): lower case letters, digits and hyphens.

    Raises
    ------
    DataProblem
        When ``force`` cannot be a force id (it is also used in file names).
    """
    force = str(force).strip().lower()
    if not _FORCE.match(force):
        raise DataProblem(
            f"'{force}' is not a police.uk force id: use the id police.uk gives, such as cumbria or city-of-london."
        )
    return force


def month_file(folder: Path, force: str, month: str) -> Path:
    """Where a fetched month goes: ``incidents/YYYY-MM/YYYY-MM-<force>-street.csv``."""
    return Path(folder) / "incidents" / month / f"{month}-{force}-street.csv"


def months_present(folder: Path, force: str) -> dict[str, list[str]]:
    """The force's months already in the folder: {``YYYY-MM``: [file names under the folder]}.

    Any ``YYYY-MM-<force>-street.csv`` counts, wherever it is under ``incidents/`` and
    inside zips too, so a hand-made download is recognised as well as a fetched month.
    """
    pattern = re.compile(rf"(\d{{4}}-\d{{2}})-{re.escape(force)}-street\.csv$", re.IGNORECASE)
    sources, _skipped = find_incident_sources(Path(folder) / "incidents")
    present: dict[str, list[str]] = {}
    for source in sources:
        match = pattern.search(source.name)
        if match:
            present.setdefault(match.group(1), []).append(source.name)
    return present


@contextlib.contextmanager
def atomic_write(path: Path) -> Iterator[IO[bytes]]:
    """Write ``path`` whole or not at all: a hidden temporary file in the same folder, then a rename.

    The folder is made when missing and removed again if the write fails and it is empty.
    The temporary name ends in ``.part``, which the loaders never read.
    """
    path = Path(path)
    made = not path.parent.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".part", delete=False)
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
        if made:
            with contextlib.suppress(OSError):
                path.parent.rmdir()
        raise


def write_month(
    folder: Path,
    force: str,
    month: str,
    write: Callable[[IO[bytes]], None],
    source: dict,
) -> Path:
    """Write one month's street CSV atomically, then its source note; return the CSV's path.

    Parameters
    ----------
    folder : Path
        The data folder.
    force, month : str
        police.uk force id and ``YYYY-MM``.
    write : callable
        Writes the CSV's bytes into the open temporary file.
    source : dict
        What the month came from (JSON-ready); ``file`` is added.
    """
    target = month_file(folder, force, month)
    with atomic_write(target) as handle:
        write(handle)
    note = {**source, "file": target.name}
    with atomic_write(target.with_name(f"{month}-{force}-street.source.json")) as handle:
        handle.write((json.dumps(note, indent=2, sort_keys=True) + "\n").encode("utf-8"))
    return target


def read_month_file(path: Path) -> pd.DataFrame:
    """A police.uk street CSV as text columns (blank cells as empty strings)."""
    frame = pd.read_csv(path, dtype="str", keep_default_na=False, encoding="utf-8-sig")
    return frame.reindex(columns=list(POLICE_UK_COLUMNS), fill_value="")
