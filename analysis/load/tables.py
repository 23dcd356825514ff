"""Loaders for the data folder's small CSV files (hubs, population, resourcing ...).

Each file is optional except where a page needs it. Every loader validates each row
with :func:`analysis.load.checks.row_reasons` and returns the typed table with its report.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.load.checks import Rule, blank_or, is_date, is_in, is_number, not_blank, row_reasons
from analysis.load.report import FileReport
from analysis.load.textio import UnusableFile, read_csv_bytes
from analysis.schema import AGENCIES, FUNDING, PLEDGE_KINDS, REQUIRED_COLUMNS, ROLES, WORKER_TYPES

__all__ = ["HUB_CHECKED", "TABLE_RULES", "UNKNOWN_HUB", "load_table", "parse_table"]

_BLANK = "is blank"


def _unique(frame: pd.DataFrame, column: str) -> pd.Series:
    return ~frame[column].str.strip().duplicated(keep="first")


def _agencies_known(s: pd.Series) -> pd.Series:
    known = {a.casefold() for a in AGENCIES}
    return s.map(lambda v: all(part.strip().casefold() in known for part in v.split(";") if part.strip()))


def _closed_after_opened(frame: pd.DataFrame) -> pd.Series:
    opened = pd.to_datetime(frame["opened"].str.strip(), format="%Y-%m-%d", errors="coerce")
    closed = pd.to_datetime(frame["closed"].str.strip(), format="%Y-%m-%d", errors="coerce")
    return closed.isna() | opened.isna() | (closed >= opened)


def _end_after_start(frame: pd.DataFrame) -> pd.Series:
    start = pd.to_datetime(frame["start"].str.strip(), format="%Y-%m-%d", errors="coerce")
    end = pd.to_datetime(frame["end"].str.strip(), format="%Y-%m-%d", errors="coerce")
    return end.isna() | start.isna() | (end >= start)


#: Per file: column rules, then row rules.
TABLE_RULES: dict[str, tuple[dict[str, list[Rule]], list[tuple[Callable, str]]]] = {
    "hubs.csv": (
        {
            "hub": [(not_blank, _BLANK)],
            "area_code": [(not_blank, _BLANK)],
            "launched": [(blank_or(is_date()), "is not a date (YYYY-MM-DD) or blank")],
        },
        [(lambda f: _unique(f, "hub"), "names a hub already listed")],
    ),
    "population.csv": (
        {
            "area_code": [(not_blank, _BLANK)],
            "year": [(is_number(1900, 2100), "is not a year")],
            "population": [(is_number(1, 1e9), "is not a positive number")],
        },
        [],
    ),
    "resourcing.csv": (
        {
            "week": [(is_date(monday=True), "is not a Monday in YYYY-MM-DD form")],
            "hub": [(not_blank, _BLANK)],
            "role": [(is_in(ROLES), f"is not one of {', '.join(ROLES)}")],
            "funding": [(is_in(FUNDING), f"is not one of {', '.join(FUNDING)}")],
            "fte": [(is_number(0, 10_000), "is not a number of at least 0")],
            "visible_patrol_hours": [(is_number(0, 1_000_000), "is not a number of at least 0")],
        },
        [],
    ),
    "operations.csv": (
        {
            "name": [(not_blank, _BLANK)],
            "hub": [(not_blank, _BLANK)],
            "start": [(is_date(), "is not a date (YYYY-MM-DD)")],
            "end": [(is_date(), "is not a date (YYYY-MM-DD)")],
        },
        [(_end_after_start, "ends before it starts")],
    ),
    "cases.csv": (
        {
            "case_id": [(not_blank, _BLANK)],
            "hub": [(not_blank, _BLANK)],
            "opened": [(is_date(), "is not a date (YYYY-MM-DD)")],
            "closed": [(blank_or(is_date()), "is not a date (YYYY-MM-DD) or blank")],
            "agencies": [(_agencies_known, f"names an agency not in: {', '.join(AGENCIES)}")],
        },
        [
            (_closed_after_opened, "is closed before it was opened"),
            (lambda f: _unique(f, "case_id"), "repeats a case_id"),
        ],
    ),
    "workforce.csv": (
        {
            "as_at_date": [(is_date(), "is not a date (YYYY-MM-DD)")],
            "worker_type": [(is_in(WORKER_TYPES), f"is not one of {', '.join(WORKER_TYPES)}")],
            "fte": [(is_number(0, 1e6), "is not a number of at least 0")],
        },
        [],
    ),
    "pledges.csv": (
        {
            "pledge": [(not_blank, _BLANK)],
            "worker_type": [(not_blank, _BLANK)],
            "target": [(is_number(), "is not a number")],
            "kind": [(is_in(PLEDGE_KINDS), f"is not one of {', '.join(PLEDGE_KINDS)}")],
            "from_date": [(is_date(), "is not a date (YYYY-MM-DD)")],
        },
        [],
    ),
}

_DATES = {
    "hubs.csv": ("launched",),
    "resourcing.csv": ("week",),
    "operations.csv": ("start", "end"),
    "cases.csv": ("opened", "closed"),
    "workforce.csv": ("as_at_date",),
    "pledges.csv": ("from_date",),
}
_NUMBERS = {
    "population.csv": ("year", "population"),
    "resourcing.csv": ("fte", "visible_patrol_hours"),
    "workforce.csv": ("fte",),
    "pledges.csv": ("target",),
}
_CATEGORIES = {
    "resourcing.csv": ("hub", "role", "funding"),
    "cases.csv": ("hub", "issue", "status"),
}


def _typed(kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    required = REQUIRED_COLUMNS[kind]
    frame = frame.assign(**{c: frame[c].str.strip() for c in required})
    converted = {c: pd.to_datetime(frame[c].replace("", None), format="%Y-%m-%d") for c in _DATES.get(kind, ())}
    converted |= {c: pd.to_numeric(frame[c]) for c in _NUMBERS.get(kind, ())}
    converted |= {c: frame[c].astype("category") for c in _CATEGORIES.get(kind, ())}
    frame = frame.assign(**converted)
    if kind == "population.csv":
        frame = frame.assign(year=frame["year"].astype("int64"))
    return frame.reset_index(drop=True)


#: Files whose rows must name a hub that hubs.csv lists (when hubs.csv is given).
HUB_CHECKED: tuple[str, ...] = ("resourcing.csv",)
UNKNOWN_HUB = "is not a hub that hubs.csv lists"


def parse_table(
    raw_bytes: bytes, kind: str, name: str, *, hubs: Collection[str] | None = None
) -> tuple[pd.DataFrame | None, FileReport]:
    """Validate and type one contract CSV given as bytes.

    Parameters
    ----------
    raw_bytes : bytes
        The file's content.
    kind : str
        Which contract file, e.g. ``"resourcing.csv"`` (a key of :data:`TABLE_RULES`).
    name : str
        The name to report it under.
    hubs : collection of str, optional
        The hubs hubs.csv lists: rows of the files in :data:`HUB_CHECKED` that name
        another hub are rejected with that reason. None checks no hub name.

    Returns
    -------
    table : pandas.DataFrame or None
        Accepted rows, typed; None when the file cannot be used.
    report : FileReport
    """
    if kind not in TABLE_RULES:
        raise ValueError(f"kind must be one of {sorted(TABLE_RULES)}, got {kind!r}")
    report = FileReport(name, kind)
    required = REQUIRED_COLUMNS[kind]
    try:
        raw = read_csv_bytes(raw_bytes, name, required, what=f"Its first line must include: {', '.join(required)}.")
    except UnusableFile as e:
        report.problem = str(e)
        return None, report
    report.notes = raw.notes
    report.rows_read = raw.rows_read
    rules, frame_rules = TABLE_RULES[kind]
    if hubs is not None and kind in HUB_CHECKED:
        rules = {**rules, "hub": [*rules["hub"], (blank_or(is_in(hubs)), UNKNOWN_HUB)]}
    reasons = row_reasons(raw.frame, rules, frame_rules)
    parts = [raw.bad_width.assign(file=name)] if len(raw.bad_width) else []
    frame = raw.frame
    if len(reasons):
        lines, texts = raw.locate(reasons.index.to_numpy())
        parts.append(pd.DataFrame({"file": name, "line": lines, "text": texts, "reasons": reasons.to_numpy()}))
        frame = frame.drop(index=reasons.index)
    if parts:
        report.rejected = (
            pd.concat(parts, ignore_index=True)[["file", "line", "text", "reasons"]]
            .astype({"line": np.int64})
            .sort_values("line", ignore_index=True)
        )
    report.rows_accepted = len(frame)
    return _typed(kind, frame), report


def load_table(
    folder: Path | str, kind: str, *, hubs: Collection[str] | None = None
) -> tuple[pd.DataFrame | None, FileReport | None]:
    """Load ``folder/kind`` when it exists (``hubs`` as :func:`parse_table` takes it).

    Returns
    -------
    table : pandas.DataFrame or None
        None when the file is absent or unusable.
    report : FileReport or None
        None when the file is absent.
    """
    path = Path(folder) / kind
    if not path.is_file():
        return None, None
    try:
        content = path.read_bytes()
    except OSError as e:
        return None, FileReport(kind, kind, problem=f"{kind} could not be opened ({e.strerror or e}).")
    return parse_table(content, kind, kind, hubs=hubs)
