"""Row checks, run through pandera's lazy validation so every failure is reported.

A check is a predicate over a column of strings (True = fine) and the words a
person reads when it fails. :func:`row_reasons` runs them all and returns, for
each failing row, every reason in one string.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import pandas as pd
import pandera.pandas as pa

__all__ = [
    "Rule",
    "blank_or",
    "by_unique",
    "is_date",
    "is_in",
    "is_month",
    "is_number",
    "not_blank",
    "row_reasons",
]

Predicate = Callable[[pd.Series], pd.Series]
#: (predicate, message). The message follows the column name and value: "Month '2019-13' <message>".
Rule = tuple[Predicate, str]


def by_unique(fn: Callable[[pd.Series], pd.Series]) -> Predicate:
    """Evaluate ``fn`` once per distinct value: police.uk columns repeat a lot."""

    def _check(s: pd.Series) -> pd.Series:
        codes, uniques = pd.factorize(s, use_na_sentinel=False)
        ok = fn(pd.Series(uniques, dtype="str")).to_numpy(dtype=bool)
        return pd.Series(ok[codes], index=s.index)

    return _check


def not_blank(s: pd.Series) -> pd.Series:
    """True where the cell holds something other than spaces."""
    return s.str.strip() != ""


def blank_or(fn: Predicate) -> Predicate:
    """Allow a blank cell, otherwise apply ``fn``."""

    def _check(s: pd.Series) -> pd.Series:
        return (s.str.strip() == "") | fn(s)

    return _check


def is_in(allowed: Iterable[str]) -> Predicate:
    """True where the (stripped) cell is one of ``allowed``."""
    allowed = set(allowed)
    return by_unique(lambda u: u.str.strip().isin(allowed))


def is_number(low: float = float("-inf"), high: float = float("inf")) -> Predicate:
    """True where the cell is a number between ``low`` and ``high`` inclusive."""

    def _fn(u: pd.Series) -> pd.Series:
        values = pd.to_numeric(u.str.strip(), errors="coerce")
        return values.between(low, high).fillna(False)

    return by_unique(_fn)


def is_month(first_year: int = 2001, last_year: int | None = None) -> Predicate:
    """True where the cell is a real month ``YYYY-MM`` within the given years."""
    last_year = last_year or dt.date.today().year + 1

    def _fn(u: pd.Series) -> pd.Series:
        shaped = u.str.fullmatch(r"\d{4}-(0[1-9]|1[0-2])").fillna(False)
        year = pd.to_numeric(u.str[:4], errors="coerce")
        return shaped & year.between(first_year, last_year).fillna(False)

    return by_unique(_fn)


def is_date(monday: bool = False) -> Predicate:
    """True where the cell is an ISO date ``YYYY-MM-DD`` (a Monday when asked)."""

    def _fn(u: pd.Series) -> pd.Series:
        parsed = pd.to_datetime(u.str.strip(), format="%Y-%m-%d", errors="coerce")
        ok = parsed.notna()
        if monday:
            ok &= parsed.dt.day_of_week == 0
        return ok.fillna(False)

    return by_unique(_fn)


def row_reasons(
    frame: pd.DataFrame,
    rules: dict[str, list[Rule]],
    frame_rules: list[tuple[Callable[[pd.DataFrame], pd.Series], str]] = (),
) -> pd.Series:
    """Run every rule lazily and collect all reasons per failing row.

    Parameters
    ----------
    frame : pandas.DataFrame
        Cells as strings.
    rules : dict
        Column name to a list of (predicate, message).
    frame_rules : list
        Row-level predicates over the whole frame with their message.

    Returns
    -------
    pandas.Series
        Indexed like ``frame`` but holding only failing rows: their reasons joined by "; ".
    """
    schema = pa.DataFrameSchema(
        {
            column: pa.Column(str, [pa.Check(fn, error=message) for fn, message in column_rules], nullable=True)
            for column, column_rules in rules.items()
            if column in frame.columns
        },
        checks=[pa.Check(fn, error=message) for fn, message in frame_rules],
        strict=False,
    )
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    else:
        return pd.Series(dtype="str")
    cases = cases[cases["index"].notna()]
    is_row_rule = cases["schema_context"] == "DataFrameSchema"
    value = cases["failure_case"].astype("str").str.slice(0, 60)
    text = cases["column"].astype("str") + " '" + value + "' " + cases["check"].astype("str")
    text = text.where(~is_row_rule, cases["check"].astype("str"))
    reasons = pd.DataFrame({"index": cases["index"].astype("int64"), "reason": text}).drop_duplicates()
    return reasons.groupby("index", sort=True)["reason"].agg("; ".join)
