"""Disclosure control for public output: small numbers hidden, hidden numbers kept hidden.

The rules follow the ONS "10-5 rule" used for small-area statistics:

1. **Primary suppression.** A count below :data:`THRESHOLD` (10) is not shown; it is
   written "fewer than 10". Zero counts too: a zero among small numbers would single
   out its neighbours.
2. **Secondary suppression.** A table that publishes totals lets a reader subtract:
   if a line (a row with its row total, or a column with its column total) has exactly
   one hidden number, that number is the total minus the rest. So whenever a line has
   exactly one hidden number, the smallest number still shown in that line is hidden
   as well ("withheld"), preferring a cell to the total, and the check repeats until
   every line has none or at least two hidden numbers.
3. **Rounding.** Where small areas (LSOAs) are published, the counts still shown are
   rounded to the nearest :data:`ROUNDING_BASE` (5), totals included (each rounded
   from its exact value, so rounded cells need not add up to the rounded total).

A secondary cell is at least 10, so it is labelled "withheld", not "fewer than 10".
No streamlit here: the page, the PDF and the command line share these functions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "ROUNDING_BASE",
    "SUPPRESSED_LABEL",
    "THRESHOLD",
    "TOTAL",
    "WITHHELD_LABEL",
    "DisclosedTable",
    "disclose",
    "disclose_arrays",
    "disclose_by_group",
    "primary_mask",
    "round_to_base",
    "secondary_mask",
]

#: Counts below this are never shown in public output.
THRESHOLD = 10
#: Small-area counts that are shown are rounded to a multiple of this.
ROUNDING_BASE = 5
#: What a count below the threshold reads as.
SUPPRESSED_LABEL = "fewer than 10"
#: What a count hidden only to protect another reads as.
WITHHELD_LABEL = "withheld"
#: The label of the margins :func:`disclose` adds.
TOTAL = "Total"


def primary_mask(counts: pd.DataFrame | pd.Series, threshold: int = THRESHOLD) -> pd.DataFrame | pd.Series:
    """True where a count is below ``threshold`` (zero included).

    Examples
    --------
    >>> primary_mask(pd.Series([0, 9, 10, 250])).tolist()
    [True, True, False, False]
    """
    return counts < threshold


def round_to_base(counts: pd.DataFrame | pd.Series, base: int = ROUNDING_BASE) -> pd.DataFrame | pd.Series:
    """Whole counts rounded to the nearest multiple of ``base`` (halves round up).

    Examples
    --------
    >>> round_to_base(pd.Series([10, 12, 13, 17, 18, 1234])).tolist()
    [10, 10, 15, 15, 20, 1235]
    """
    if base < 1:
        raise ValueError(f"base must be a positive whole number, got {base!r}")
    return (np.floor(counts / base + 0.5) * base).astype("int64")


def _validate_counts(counts: pd.DataFrame) -> None:
    if not isinstance(counts, pd.DataFrame):
        raise ValueError(f"counts must be a DataFrame of whole counts, got {type(counts).__name__}")
    try:
        numeric = counts.to_numpy(dtype="float64")
    except (TypeError, ValueError) as e:
        raise ValueError("counts must hold numbers only (no blanks or text)") from e
    if np.isnan(numeric).any():
        raise ValueError("counts must hold numbers only (no blanks or text)")
    if (numeric < 0).any() or (numeric != np.floor(numeric)).any():
        raise ValueError("counts must be whole numbers of zero or more")


def _with_margins(counts: pd.DataFrame, row_totals: bool, column_totals: bool) -> pd.DataFrame:
    table = counts.astype("int64")
    if row_totals:
        table = table.assign(**{TOTAL: table.sum(axis=1)})
    if column_totals:
        table = pd.concat([table, table.sum(axis=0).to_frame(TOTAL).T])
    return table


def secondary_mask(table: pd.DataFrame, hidden: pd.DataFrame, *, row_totals: bool, column_totals: bool) -> pd.DataFrame:
    """Hide more numbers until no line has exactly one hidden number.

    Parameters
    ----------
    table : pandas.DataFrame
        Counts, with a last column of row totals when ``row_totals`` and a last row
        of column totals when ``column_totals`` (as :func:`disclose` builds it).
    hidden : pandas.DataFrame
        Boolean, same shape: the numbers hidden so far (primary suppression).
    row_totals, column_totals : bool
        Which margins ``table`` holds. A row is a line when row totals are shown;
        a column is a line when column totals are shown.

    Returns
    -------
    pandas.DataFrame
        Boolean, same shape: every number to hide (``hidden`` included).
    """
    mask = _secondary(
        table.to_numpy(dtype="int64"), hidden.to_numpy(dtype=bool), row_totals=row_totals, column_totals=column_totals
    )
    return pd.DataFrame(mask, index=table.index, columns=table.columns)


def _secondary(values: np.ndarray, hidden: np.ndarray, *, row_totals: bool, column_totals: bool) -> np.ndarray:
    """:func:`secondary_mask` on arrays: the numbers to hide (``hidden`` included), as a new bool array."""
    mask = np.array(hidden, dtype=bool, order="C", copy=True)
    values = np.ascontiguousarray(values)
    n_rows, n_cols = values.shape
    # Each line as the flat positions of its numbers, in order: rows (the total sits last, so ties
    # prefer a cell to the total), then columns.
    flat = np.arange(n_rows * n_cols).reshape(n_rows, n_cols)
    lines = ([flat[r] for r in range(n_rows)] if row_totals else []) + (
        [flat[:, c] for c in range(n_cols)] if column_totals else []
    )
    cells, numbers = mask.reshape(-1), values.reshape(-1)
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden_here = cells[line]
            if np.count_nonzero(hidden_here) != 1:
                continue
            shown = line[~hidden_here]
            if not len(shown):
                continue
            # The smallest number still shown; among equals, the first (cells come before the total).
            cells[shown[np.argmin(numbers[shown])]] = True
            changed = True
    return mask


@dataclass(frozen=True)
class DisclosedTable:
    """A count table made safe to publish.

    Attributes
    ----------
    counts : pandas.DataFrame
        The exact counts with the margins added (never publish this).
    primary, hidden : pandas.DataFrame
        Boolean masks: below the threshold; hidden for any reason.
    shown : pandas.DataFrame
        Nullable integers: the published value (rounded when asked) or ``<NA>`` when hidden.
    labels : pandas.DataFrame
        Text to print: a number with thousands separators, "fewer than 10" or "withheld".
    """

    counts: pd.DataFrame
    primary: pd.DataFrame
    hidden: pd.DataFrame
    shown: pd.DataFrame
    labels: pd.DataFrame


def disclose(
    counts: pd.DataFrame,
    *,
    row_totals: bool = False,
    column_totals: bool = False,
    rounding: bool = False,
    threshold: int = THRESHOLD,
    base: int = ROUNDING_BASE,
    also_hide: pd.DataFrame | None = None,
    exempt: pd.DataFrame | None = None,
) -> DisclosedTable:
    """Apply primary and secondary suppression (and rounding) to a table of counts.

    Parameters
    ----------
    counts : pandas.DataFrame
        Whole counts, zero or more; rows and columns are what the table publishes.
    row_totals, column_totals : bool
        Whether the published table shows a total for each row (a ``Total`` column
        is added) or for each column (a ``Total`` row is added).
    rounding : bool
        Round the numbers still shown to the nearest ``base`` (for small areas).
    threshold, base : int
        The suppression threshold and the rounding base.
    also_hide : pandas.DataFrame, optional
        Booleans, labelled like the table with its margins (``Total``): numbers to hide
        whatever their size, because another table hides them (missing labels: False).
        They take part in secondary suppression and read "withheld".
    exempt : pandas.DataFrame, optional
        Booleans, labelled the same way: numbers that describe no area or person (such as
        records with no location) and are shown even when small. They can still be
        withheld to protect another number.

    Returns
    -------
    DisclosedTable

    Raises
    ------
    ValueError
        When ``counts`` holds anything but whole numbers of zero or more.

    Examples
    --------
    >>> result = disclose(pd.DataFrame({"asb": [3, 25, 40]}), column_totals=True)
    >>> result.labels["asb"].tolist()
    ['fewer than 10', 'withheld', '40', '68']
    """
    _validate_counts(counts)
    table = _with_margins(counts, row_totals, column_totals)
    primary = primary_mask(table, threshold)
    if exempt is not None:
        primary = primary & ~exempt.reindex(index=table.index, columns=table.columns).fillna(False).astype(bool)
    start = primary
    if also_hide is not None:
        extra = also_hide.reindex(index=table.index, columns=table.columns).fillna(False).astype(bool)
        start = primary | extra
    hidden = secondary_mask(table, start, row_totals=row_totals, column_totals=column_totals)
    values = round_to_base(table, base) if rounding else table
    shown = values.astype("Int64").mask(hidden)
    labels = values.map(lambda v: f"{v:,}").mask(hidden, WITHHELD_LABEL).mask(primary, SUPPRESSED_LABEL)
    return DisclosedTable(table, primary, hidden, shown, labels)


def disclose_by_group(
    frame: pd.DataFrame,
    *,
    group: str,
    label_columns: list[str],
    count_columns: list[str],
    rounding: bool = True,
    threshold: int = THRESHOLD,
    base: int = ROUNDING_BASE,
    hidden_totals: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Disclose small-area counts group by group, each group publishing its own total.

    For example LSOAs (rows) within hubs (``group``), where the hub totals are
    published elsewhere: each hub's column totals make the lines that secondary
    suppression protects.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per small area, with ``group``, ``label_columns`` and ``count_columns``.
    group : str
        The column whose totals are published.
    label_columns : list of str
        Columns copied as they are (e.g. LSOA code and name).
    count_columns : list of str
        The counts to disclose.
    rounding : bool
        Round shown counts to the nearest ``base``.
    threshold, base : int
        The suppression threshold and the rounding base.
    hidden_totals : pandas.DataFrame, optional
        Booleans indexed by group with ``count_columns``: group totals another table
        hides (e.g. a hub's count withheld at hub level), hidden here too.

    Returns
    -------
    pandas.DataFrame
        ``group``, ``label_columns`` and each count column as text (number, "fewer
        than 10" or "withheld"), with one total row per group (labels ``Total``),
        in the order of ``frame``. Numbers are never exact where rounding is on.
    """
    missing = [c for c in [group, *label_columns, *count_columns] if c not in frame.columns]
    if missing:
        raise ValueError(f"frame has no column(s) {', '.join(missing)}")
    named = [group, *label_columns, *count_columns]
    plain = frame.empty or len(set(named)) < len(named) or not _all_text(frame, [group, *label_columns])
    if plain or (hidden_totals is not None and not hidden_totals.index.is_unique):
        arguments = (rounding, threshold, base, hidden_totals)
        return _disclose_each_group(frame, group, label_columns, count_columns, *arguments)
    _validate_counts(frame[count_columns])
    counts = frame[count_columns].astype("int64").to_numpy()
    codes, names = pd.factorize(frame[group], sort=False)
    texts = {c: frame[c].to_numpy(dtype=object) for c in label_columns}
    hidden_elsewhere = {}
    if hidden_totals is not None:
        rows_hidden = hidden_totals[count_columns].astype(bool).to_numpy()
        hidden_elsewhere = dict(zip(hidden_totals.index, rows_hidden, strict=True))
    out: dict[str, list] = {c: [] for c in named}
    for number, name in enumerate(names):
        rows = np.flatnonzero(codes == number)
        also_hide = np.zeros((len(rows) + 1, len(count_columns)), dtype=bool)
        if name in hidden_elsewhere:
            also_hide[-1] = hidden_elsewhere[name]
        _, labels = disclose_arrays(counts[rows], also_hide, rounding=rounding, threshold=threshold, base=base)
        out[group] += [name] * (len(rows) + 1)
        for c in label_columns:
            out[c] += [*texts[c][rows], TOTAL]
        for i, c in enumerate(count_columns):
            out[c] += list(labels[:, i])
    return pd.DataFrame({c: pd.Series(values, dtype="str") for c, values in out.items()})


def _all_text(frame: pd.DataFrame, columns: list[str]) -> bool:
    """True when every one of ``columns`` holds text with no blank (the shape the fast path of groups makes)."""
    return all(isinstance(frame[c].dtype, pd.StringDtype) and not frame[c].isna().any() for c in columns)


def disclose_arrays(
    counts: np.ndarray,
    also_hide: np.ndarray | None = None,
    exempt: np.ndarray | None = None,
    *,
    column_totals: bool = True,
    rounding: bool = False,
    threshold: int = THRESHOLD,
    base: int = ROUNDING_BASE,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`disclose` of one table (with its column totals, or none), on arrays: (hidden, labels).

    ``counts`` are whole counts (rows by columns); ``also_hide`` and ``exempt`` are bool, shaped like
    the table with its total row (the last). The same rules and the same answer as :func:`disclose`.
    """
    table = np.vstack([counts, counts.sum(axis=0, keepdims=True)]) if column_totals else counts
    table = table.astype("int64")
    primary = table < threshold
    if exempt is not None:
        primary &= ~exempt
    start = primary if also_hide is None else primary | also_hide
    hidden = _secondary(table, start, row_totals=False, column_totals=column_totals)
    values = (np.floor(table / base + 0.5) * base).astype("int64") if rounding else table
    labels = np.array([f"{v:,}" for v in values.reshape(-1).tolist()], dtype=object).reshape(values.shape)
    labels[hidden] = WITHHELD_LABEL
    labels[primary] = SUPPRESSED_LABEL
    return hidden, labels


def _disclose_each_group(frame, group, label_columns, count_columns, rounding, threshold, base, hidden_totals):
    """:func:`disclose_by_group` the plain way, one :func:`disclose` per group (any kind of group or label)."""
    parts = []
    for name, rows in frame.groupby(group, sort=False, observed=True):
        also_hide = None
        if hidden_totals is not None and name in hidden_totals.index:
            also_hide = hidden_totals.loc[[name], count_columns].set_axis([TOTAL]).astype(bool)
        result = disclose(
            rows[count_columns].reset_index(drop=True),
            column_totals=True,
            rounding=rounding,
            threshold=threshold,
            base=base,
            also_hide=also_hide,
        )
        labels = rows[label_columns].reset_index(drop=True)
        total_row = pd.DataFrame({c: [TOTAL] for c in label_columns})
        labels = pd.concat([labels, total_row], ignore_index=True)
        part = pd.concat([labels, result.labels.reset_index(drop=True)], axis=1)
        parts.append(part.assign(**{group: name})[[group, *label_columns, *count_columns]])
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in [group, *label_columns, *count_columns]})
    return pd.concat(parts, ignore_index=True)
