"""Row checks, run over whole columns so that every failure of every row is reported.

A check is a predicate over a column of strings (True = fine) and the words a
person reads when it fails. :func:`row_reasons` runs them all and returns, for
each failing row, every reason in one string.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "Answers",
    "Distinct",
    "arrow_distinct",
    "Rule",
    "blank",
    "blank_or",
    "by_unique",
    "constant",
    "distinct",
    "first_seen",
    "is_blank",
    "is_date",
    "is_in",
    "is_month",
    "is_number",
    "not_blank",
    "row_reasons",
    "table_reasons",
]

Predicate = Callable[[pd.Series], pd.Series]
#: (predicate, message). The message follows the column name and value: "Month '2019-13' <message>".
Rule = tuple[Predicate, str]


def distinct(s: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Codes and distinct values of a column of strings, in order of first appearance.

    The same answer as ``pandas.factorize(s, use_na_sentinel=False)``; Arrow-backed
    strings are hashed by Arrow, several times faster.
    """
    array = getattr(s.array, "_pa_array", None)
    if isinstance(array, pa.ChunkedArray) and _is_text(array.type) and array.null_count == 0:
        encoded = pc.dictionary_encode(array.combine_chunks() if array.num_chunks != 1 else array.chunk(0))
        codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
        return codes, pd.Series(encoded.dictionary, dtype="str")
    codes, uniques = pd.factorize(s, use_na_sentinel=False)
    return codes, pd.Series(uniques, dtype="str")


def arrow_distinct(column: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, pd.Series]:
    """What :func:`distinct` gives for the strings of an Arrow column without nulls (hashed by Arrow)."""
    codes, values = _arrow_codes(column)
    return codes, pd.Series(values, dtype="str")


def _is_text(kind: pa.DataType) -> bool:
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def first_seen(codes: np.ndarray, values: pd.Series | pa.Array) -> tuple[np.ndarray, pd.Series | pa.Array]:
    """Codes and values renumbered to the values ``codes`` use, in order of first appearance.

    What :func:`distinct` gives for some of a column's rows, from the codes of the whole column
    (``values`` a pandas Series or an Arrow array, answered in kind).
    """
    used = pd.unique(codes)
    renumber = np.empty(len(values), dtype=np.int64)
    renumber[used] = np.arange(len(used))
    if isinstance(values, pa.Array):
        return renumber[codes], values.take(pa.array(used))
    return renumber[codes], values.iloc[used].reset_index(drop=True)


def constant(rows: int, value: str) -> tuple[np.ndarray, pd.Series]:
    """What :func:`distinct` gives for a column holding ``value`` in each of ``rows`` rows."""
    return np.zeros(rows, dtype=np.int64), pd.Series([value] if rows else [], dtype="str")


class Distinct:
    """The codes and distinct values (:func:`distinct`) of a frame's columns, each worked out once.

    Checks and typing both look at each distinct value of a column rather than at each
    row; sharing one ``Distinct`` hashes each column once for all of them.

    Parameters
    ----------
    frame : pandas.DataFrame or pyarrow.Table
        Cells as strings (an Arrow table's columns are hashed by Arrow, never converted).
    known : dict, optional
        Columns whose codes and distinct values the caller already has (a column of one value).
    answers : Answers, optional
        What checks answered for values of other files: a value met before is not asked again.
    """

    def __init__(
        self,
        frame: pd.DataFrame | pa.Table | None,
        known: dict[str, tuple[np.ndarray, pd.Series]] | None = None,
        answers: Answers | None = None,
    ) -> None:
        self.frame = frame
        self.answers = answers
        #: Per column: codes and distinct values, as a pandas Series or (not yet asked for in pandas) an Arrow array.
        self._found: dict[str, tuple[np.ndarray, pd.Series | pa.Array]] = dict(known or {})
        self._outer: tuple[Distinct, np.ndarray | None] | None = None

    def __getitem__(self, column: str) -> tuple[np.ndarray, pd.Series]:
        """Codes (one per row) and distinct values of ``column``."""
        codes, values = self._held(column)
        if isinstance(values, pa.Array):
            values = pd.Series(values, dtype="str")
            self._found[column] = codes, values
        return codes, values

    def arrow(self, column: str) -> tuple[np.ndarray, pa.Array]:
        """Codes (one per row) and distinct values of ``column`` as Arrow strings (never made a pandas Series)."""
        codes, values = self._held(column)
        return codes, values if isinstance(values, pa.Array) else _arrow_text(values)

    def _held(self, column: str) -> tuple[np.ndarray, pd.Series | pa.Array]:
        if column not in self._found:
            self._found[column] = self._work_out(column)
        return self._found[column]

    def _work_out(self, column: str) -> tuple[np.ndarray, pd.Series | pa.Array]:
        if self._outer is not None and column in self._outer[0]._found:
            outer, positions = self._outer
            codes, values = outer._found[column]
            return (codes, values) if positions is None else first_seen(codes[positions], values)
        if isinstance(self.frame, pa.Table):
            return _arrow_codes(self.frame[column])
        return distinct(self.frame[column])

    def __setitem__(self, column: str, found: tuple[np.ndarray, pd.Series]) -> None:
        """Give ``column`` its codes and distinct values (a column the caller has changed)."""
        self._found[column] = found

    def per_row(self, column: str, fn: Callable[[pd.Series], pd.Series], name: str | None = None) -> np.ndarray:
        """``fn`` evaluated once per distinct value of ``column``, answered for every row.

        ``name`` names the check among those of the column, so that :attr:`answers` keeps its answers.
        """
        return self.per_value(column, fn, name)[self._held(column)[0]]

    def per_value(self, column: str, fn: Callable[[pd.Series], pd.Series], name: str | None = None) -> np.ndarray:
        """``fn`` of each distinct value of ``column`` (True = fine), a value :attr:`answers` knows not asked again.

        ``fn`` must answer each value on its own (every check made by :func:`by_unique` does).
        """
        if self.answers is None or name is None:
            return np.asarray(fn(self[column][1]), dtype=bool)
        _, values = self.arrow(column)
        return self.answers.ask((column, name), values, fn)

    def rows(
        self, frame: pd.DataFrame | pa.Table | None, positions: np.ndarray | None = None, known: dict | None = None
    ) -> Distinct:
        """The same for ``frame``: this frame's rows at ``positions`` (every row when None), columns added or not.

        Columns already worked out here are renumbered, not hashed again.
        """
        inner = Distinct(frame, known)
        inner._outer = (self, None if positions is None else np.asarray(positions))
        return inner


class Answers:
    """What checks answered for each value, kept across the files of one ingest (thread-safe: a check is pure).

    Files of one folder share most values (LSOA codes, crime types, map points), so a value is
    asked of a check once; only values not met before go to the check. Known values are looked
    up by Arrow (``index_in``), the GIL released.
    """

    def __init__(self) -> None:
        self._known: dict[tuple[str, str], tuple[pa.Array, np.ndarray]] = {}
        self._lock = threading.Lock()

    def ask(self, key: tuple[str, str], values: pa.Array, fn: Callable[[pd.Series], pd.Series]) -> np.ndarray:
        """``fn``'s answer for each of ``values`` (distinct strings), from what is known where it can be."""
        with self._lock:
            known, answers = self._known.get(key, (pa.array([], type=values.type), np.zeros(0, dtype=bool)))
        if len(known):
            at = pc.index_in(values, value_set=known.cast(values.type))
            unseen = np.flatnonzero(at.is_null().to_numpy(zero_copy_only=False))
            found = answers[at.fill_null(0).to_numpy(zero_copy_only=False)]
        else:
            unseen, found = np.arange(len(values)), np.zeros(len(values), dtype=bool)
        if len(unseen):
            new = values.take(pa.array(unseen))
            found[unseen] = np.asarray(fn(pd.Series(new, dtype="str")), dtype=bool)
            with self._lock:
                known, answers = self._known.get(key, (pa.array([], type=pa.large_string()), np.zeros(0, dtype=bool)))
                self._known[key] = (
                    pa.concat_arrays([known, new.cast(pa.large_string())]),
                    np.concatenate([answers, found[unseen]]),
                )
        return found


def _arrow_codes(column: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, pa.Array]:
    """Codes and distinct values (as Arrow) of an Arrow column of strings without nulls."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    encoded = pc.dictionary_encode(array)
    return encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64, copy=False), encoded.dictionary


def _arrow_text(values: pd.Series) -> pa.Array:
    """A pandas column of strings as one Arrow array (its buffers shared where they can be)."""
    array = pa.array(values.array)
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def by_unique(fn: Callable[[pd.Series], pd.Series]) -> Predicate:
    """Evaluate ``fn`` once per distinct value: police.uk columns repeat a lot.

    The predicate keeps ``fn`` as ``per_value``, so that :func:`row_reasons` can give it the
    distinct values it has already worked out.
    """

    def _check(s: pd.Series) -> pd.Series:
        codes, uniques = distinct(s)
        ok = np.asarray(fn(uniques), dtype=bool)
        return pd.Series(ok[codes], index=s.index)

    _check.per_value = fn
    return _check


def _per_value(fn: Predicate) -> Predicate:
    """What ``fn`` answers for each of a column's distinct values (the same answers as over the rows)."""
    return getattr(fn, "per_value", fn)


def blank(values: pd.Series) -> pd.Series:
    """True where the value holds nothing but spaces (over the values themselves)."""
    return values.str.strip() == ""


def not_blank(s: pd.Series) -> pd.Series:
    """True where the cell holds something other than spaces."""
    return s.str.strip() != ""


def blank_or(fn: Predicate) -> Predicate:
    """Allow a blank cell, otherwise apply ``fn``."""
    inner = _per_value(fn)
    return by_unique(lambda u: blank(u).to_numpy() | np.asarray(inner(u), dtype=bool))


def is_blank(s: pd.Series) -> pd.Series:
    """True where the cell holds nothing but spaces (evaluated once per distinct value)."""
    return by_unique(blank)(s)


def is_in(allowed: Iterable[str]) -> Predicate:
    """True where the (stripped) cell is one of ``allowed``."""
    allowed = set(allowed)
    return by_unique(lambda u: u.str.strip().isin(allowed))


#: A number Arrow and pandas both read, and read alike to far better than :data:`_NEAR`.
_PLAIN_NUMBER = r"-?[0-9]{1,4}(\.[0-9]{1,15})?"  # ASCII digits only: Arrow reads no other
#: A plain number this close to a bound is left to pandas, whose reading decides it.
_NEAR = 1e-9


def _between(text: pd.Series, low: float, high: float) -> np.ndarray:
    """What ``pandas.to_numeric(text, errors="coerce").between(low, high)`` answers."""
    return pd.to_numeric(text, errors="coerce").between(low, high).fillna(False).to_numpy(dtype=bool)


def is_number(low: float = float("-inf"), high: float = float("inf")) -> Predicate:
    """True where the cell is a number between ``low`` and ``high`` inclusive.

    The answer of ``pandas.to_numeric`` (errors coerced); plain decimals (most cells) are read
    by Arrow, several times faster, and only those within :data:`_NEAR` of a bound by pandas.
    """

    def _fn(u: pd.Series) -> pd.Series:
        text = u.str.strip()
        plain = text.str.fullmatch(_PLAIN_NUMBER).to_numpy(dtype=bool)
        ok = np.zeros(len(text), dtype=bool)
        values = pc.cast(pc.filter(pa.array(text.array), plain), pa.float64()).to_numpy(zero_copy_only=False)
        ok[plain] = (values >= low) & (values <= high)
        near = np.zeros(len(text), dtype=bool)
        near[plain] = (np.abs(values - low) < _NEAR) | (np.abs(values - high) < _NEAR)
        slow = (~plain | near) & (text != "").to_numpy(dtype=bool)  # a blank is no number: to_numeric gives NaN
        if slow.any():
            ok[slow] = _between(text[slow], low, high)
        return pd.Series(ok, index=u.index)

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
    columns: Distinct | None = None,
) -> pd.Series:
    """Run every rule over whole columns and collect all reasons per failing row.

    Each predicate runs once per column; one made by :func:`by_unique` runs once per
    distinct value, each column hashed once for all its rules. Only failing rows are
    turned into words. A row's reasons come in the order pandera's lazy validation gave
    them: the row rules, then the column rules as listed.

    Parameters
    ----------
    frame : pandas.DataFrame
        Cells as strings.
    rules : dict
        Column name to a list of (predicate, message).
    frame_rules : list
        Row-level predicates over the whole frame with their message.
    columns : Distinct, optional
        The distinct values of ``frame``'s columns, when the caller shares them.

    Returns
    -------
    pandas.Series
        Indexed like ``frame`` but holding only failing rows: their reasons joined by "; ".
    """
    columns = columns if columns is not None else Distinct(frame)
    positions: list[np.ndarray] = []
    texts: list[np.ndarray] = []
    for fn, message in frame_rules:
        bad = _failing(fn(frame), len(frame))
        if len(bad):
            positions.append(bad)
            texts.append(np.full(len(bad), message, dtype=object))
    for column, column_rules in rules.items():
        if column not in frame.columns:
            continue
        values = frame[column]
        for fn, message in column_rules:
            bad = _failing_values(columns, column, fn) if hasattr(fn, "per_value") else _failing(fn(values), len(frame))
            if len(bad):
                shown = values.iloc[bad].astype("str").str.slice(0, 60)
                positions.append(bad)
                texts.append((f"{column} '" + shown + f"' {message}").to_numpy(dtype=object))
    if not positions:
        return pd.Series(dtype="str")
    return _joined(frame.index.to_numpy()[np.concatenate(positions)], np.concatenate(texts))


def _joined(index: np.ndarray, texts: np.ndarray) -> pd.Series:
    """Each failing row's reasons (once each, in the order found) joined by "; ", rows in order of ``index``."""
    reasons = pd.DataFrame({"index": index, "reason": texts}).drop_duplicates()
    return reasons.groupby("index", sort=True)["reason"].agg("; ".join).astype("str")


def table_reasons(
    table: pa.Table,
    rules: dict[str, list[Rule]],
    frame_rules: list[tuple[Callable[[pa.Table], np.ndarray], str]],
    columns: Distinct,
) -> pd.Series:
    """What :func:`row_reasons` gives for ``table``'s rows as a pandas frame, from an Arrow table of strings.

    Every column rule must be made by :func:`by_unique` (asked once per distinct value of
    ``columns``); a failing row's cell is shown from its distinct value, so no row is
    converted to pandas. The answer is indexed by the failing rows' positions.
    """
    positions: list[np.ndarray] = []
    texts: list[np.ndarray] = []
    for fn, message in frame_rules:
        bad = _failing(fn(table), table.num_rows)
        if len(bad):
            positions.append(bad)
            texts.append(np.full(len(bad), message, dtype=object))
    for column, column_rules in rules.items():
        if column not in table.column_names:
            continue
        for fn, message in column_rules:
            if not hasattr(fn, "per_value"):
                raise TypeError(f"the rule '{message}' of {column} is not asked per distinct value (by_unique)")
            codes, _ = columns.arrow(column)
            ok = columns.per_value(column, fn.per_value, message)
            if ok.all():
                continue
            values = columns[column][1]
            bad = np.flatnonzero(~ok[codes])
            shown = np.empty(len(values), dtype=object)
            failing = np.flatnonzero(~ok)
            cells = values.iloc[failing].astype("str").str.slice(0, 60)
            shown[failing] = (f"{column} '" + cells + f"' {message}").to_numpy(dtype=object)
            positions.append(bad)
            texts.append(shown[codes[bad]])
    if not positions:
        return pd.Series(dtype="str")
    return _joined(np.concatenate(positions), np.concatenate(texts))


def _failing_values(columns: Distinct, column: str, fn: Predicate) -> np.ndarray:
    """Positions where a :func:`by_unique` predicate fails, asked once per distinct value."""
    codes, values = columns[column]
    ok = np.asarray(fn.per_value(values), dtype=bool)
    if ok.all():
        return np.empty(0, dtype=np.int64)
    return np.flatnonzero(~ok[codes])


def _failing(ok, length: int) -> np.ndarray:
    """Positions where a predicate's answer is not True (a scalar answer names no row)."""
    if np.ndim(ok) == 0:
        return np.empty(0, dtype=np.int64)
    if not (isinstance(ok, np.ndarray) and ok.dtype == bool):  # booleans already hold no missing answer
        ok = np.asarray(pd.Series(ok).fillna(False).to_numpy(), dtype=bool)
    if len(ok) != length:
        raise ValueError(f"a check returned {len(ok)} answers for {length} rows")
    return np.flatnonzero(~ok)
