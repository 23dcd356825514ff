"""Files people download: CSV safe to open in a spreadsheet.

A cell that begins with ``=``, ``+``, ``-``, ``@``, tab or carriage return can run as a
formula when a spreadsheet opens the file (CSV formula injection); such text cells get
a leading apostrophe. Numbers are left alone.
"""

from __future__ import annotations

import pandas as pd

from analysis.load.coverage import NOT_SUPPLIED

__all__ = ["FORMULA_STARTS", "escape_formulas", "to_safe_csv"]

FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def _escape_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def escape_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with every text cell that could start a formula escaped.

    Examples
    --------
    >>> escape_formulas(pd.DataFrame({"a": ["=1+1", "ok"], "b": [-1, 2]}))["a"].tolist()
    ["'=1+1", 'ok']
    """
    text_columns = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    escaped = {
        c: frame[c].map(_escape_cell) if frame[c].dtype != "category" else frame[c].astype("object").map(_escape_cell)
        for c in text_columns
    }
    header = {c: _escape_cell(str(c)) for c in frame.columns}
    return frame.assign(**escaped).rename(columns=header)


def to_safe_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV bytes of ``frame`` with formula-like cells escaped; a missing value reads "not supplied".

    A blank cell in a spreadsheet is summed as 0: a figure that was never supplied is written
    out in words instead.
    """
    return escape_formulas(frame).to_csv(index=False, na_rep=NOT_SUPPLIED).encode("utf-8")
