"""Load police.uk street-level files: many months, nested folders, or a police.uk zip.

Rows are validated (every reason kept for each rejected row) and typed: categoricals
for repeated strings, the month as a period, ASB flagged and never counted as crime.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.load.checks import (
    Answers,
    Distinct,
    Rule,
    arrow_distinct,
    blank,
    blank_or,
    constant,
    is_in,
    is_month,
    is_number,
    row_reasons,
    table_reasons,
)
from analysis.load.report import FileReport, empty_rejected
from analysis.load.resupply import resupplied_months
from analysis.load.textio import RawTable, UnusableFile, read_csv_bytes
from analysis.load.zipsafety import ZipRefused, safe_members
from analysis.schema import ASB, CRIME_TYPES, POLICE_UK_COLUMNS

__all__ = [
    "INCIDENT_COLUMNS",
    "REPEAT_REASON",
    "SKIPPED_NOTE",
    "IncidentSource",
    "empty_incidents",
    "find_incident_sources",
    "is_street_file",
    "load_incident_sources",
    "load_incidents",
    "read_typed",
]

#: police.uk header to our column names.
INCIDENT_COLUMNS: dict[str, str] = {
    "Crime ID": "crime_id",
    "Month": "month",
    "Reported by": "reported_by",
    "Falls within": "falls_within",
    "Longitude": "longitude",
    "Latitude": "latitude",
    "Location": "location",
    "LSOA code": "lsoa_code",
    "LSOA name": "lsoa_name",
    "Crime type": "crime_type",
    "Last outcome category": "outcome",
    "Context": "context",
}

_CRIME_TYPE_DTYPE = pd.CategoricalDtype(list(CRIME_TYPES))
_CANONICAL_TYPE = {t.casefold(): t for t in CRIME_TYPES}
#: police.uk files that are not street-level records.
_OTHER_POLICE_FILES = re.compile(r"-(outcomes|stop-and-search)\.csv$", re.IGNORECASE)
#: Why a later copy of a Crime ID is rejected; ``{}`` is the file the first copy came from.
REPEAT_REASON = "Crime ID repeats a record already read from {}"
#: The note on a police.uk file that is read but not used (outcomes, stop and search).
SKIPPED_NOTE = "skipped: not a street-level file"
#: The names the loaders give columns: an extra column of a file may not bear one.
_OWN_NAMES = frozenset(INCIDENT_COLUMNS.values()) | {"source_file", "is_asb", "_pos", "hub", "area_code", "force"}
_OWN_NAMES |= {"assigned_by", "place_id"}
_HEADER_HINT = "The first line must be the police.uk street-level header: " + ", ".join(POLICE_UK_COLUMNS) + "."

# Great Britain and Northern Ireland, generously: police.uk points never lie outside this.
_LON = (-8.8, 2.0)
_LAT = (49.8, 61.0)


@dataclass(frozen=True)
class IncidentSource:
    """One street-level CSV: a file on disk, or a member of a zip."""

    name: str
    path: Path
    member: str | None = None
    #: The bytes themselves, for a file checked where it is held (an upload): never written and read back.
    content: bytes | None = field(default=None, repr=False, compare=False)

    def read_bytes(self) -> bytes:
        """Return the file's bytes.

        Raises
        ------
        UnusableFile
            When a zip member cannot be expanded (damaged, or compressed in a way zip readers do not share).
        OSError
            When the file cannot be opened.
        """
        if self.content is not None:
            return self.content
        if self.member is None:
            return self.path.read_bytes()
        try:
            with zipfile.ZipFile(self.path) as archive:
                return archive.read(self.member)
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError, ValueError):
            raise UnusableFile(
                f"{self.name} could not be unzipped (the zip is damaged): download it again from police.uk."
            ) from None

    def modified(self) -> float:
        """When the file was last changed (a zip member's own timestamp), in seconds since the epoch.

        A file held in memory (an upload) is the newest download there is.
        """
        if self.content is not None:
            return datetime.now().timestamp()
        if self.member is None:
            return self.path.stat().st_mtime
        with zipfile.ZipFile(self.path) as archive:
            return datetime(*archive.getinfo(self.member).date_time).timestamp()


def find_incident_sources(folder: Path) -> tuple[list[IncidentSource], list[FileReport]]:
    """List the street-level CSVs under ``folder`` (nested folders and zips).

    Returns the sources in name order, and reports for files that were skipped
    (police.uk outcomes and stop-and-search files, unreadable zips).
    """
    sources: list[IncidentSource] = []
    skipped: list[FileReport] = []
    if not folder.exists():
        return sources, skipped
    base = folder.parent
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(base).as_posix()
        suffix = path.suffix.lower()
        if suffix == ".csv":
            if _OTHER_POLICE_FILES.search(path.name):
                skipped.append(FileReport(rel, "incidents", notes=[SKIPPED_NOTE]))
            else:
                sources.append(IncidentSource(rel, path))
        elif suffix == ".zip":
            try:
                members = safe_members(path, rel)  # its directory only: nothing is expanded before the checks
            except ZipRefused as e:
                skipped.append(FileReport(rel, "incidents", problem=str(e)))
                continue
            for member in members:
                if _OTHER_POLICE_FILES.search(member):
                    continue
                sources.append(IncidentSource(f"{rel}/{member}", path, member))
    return sources, skipped


def _rules() -> dict[str, list[Rule]]:
    coordinate = "is not a number inside Great Britain"
    return {
        "Month": [(is_month(), "is not a real month (expected YYYY-MM)")],
        "Crime type": [(is_in(CRIME_TYPES), "is not one of the 14 police.uk crime types")],
        "Longitude": [(blank_or(is_number(*_LON)), coordinate)],
        "Latitude": [(blank_or(is_number(*_LAT)), coordinate)],
        "LSOA code": [(blank_or(is_in_lsoa_shape), "is not an LSOA code (like E01019126)")],
    }


def is_in_lsoa_shape(s: pd.Series) -> pd.Series:
    """True where the cell looks like an England or Wales LSOA code."""
    return s.str.strip().str.fullmatch(r"[EW]01\d{6}").fillna(False)


def _both_coordinates(columns: Distinct) -> np.ndarray:
    return columns.per_row("Longitude", blank, "blank") == columns.per_row("Latitude", blank, "blank")


def _canonical_crime_types(columns: Distinct) -> pa.Array | None:
    """The Crime type column with types matched ignoring case and stray spaces; None when none changes.

    Unknown types are left as they are, to be rejected.
    """
    codes, types = columns["Crime type"]
    if types.isin(CRIME_TYPES).all():
        return None
    cleaned = types.str.strip().str.replace(r"\s+", " ", regex=True).str.casefold().map(_CANONICAL_TYPE)
    canonical = cleaned.fillna(types)
    if canonical.equals(types):
        return None
    return pa.array(canonical.to_numpy(dtype=object), type=pa.string()).take(pa.array(codes))


def _normalise_crime_type(frame: pd.DataFrame, columns: Distinct) -> tuple[pd.DataFrame, Distinct]:
    """Match crime types ignoring case and stray spaces; unknown ones are left to be rejected."""
    column = _canonical_crime_types(columns)
    if column is None:
        return frame, columns
    frame = frame.assign(**{"Crime type": pd.Series(column, index=frame.index, dtype="str")})
    return frame, Distinct(frame)


def _rejected_frame(name: str, raw: RawTable, positions: np.ndarray, reasons: list[str]) -> pd.DataFrame:
    lines, texts = raw.locate(positions)
    return pd.DataFrame({"file": name, "line": lines.astype("int64"), "text": texts, "reasons": reasons})


def _read_raw(source: IncidentSource, use_threads: bool = True) -> tuple[RawTable | None, FileReport]:
    """A file parsed into strings (None when it cannot be used) and its report so far.

    An extra column named as one of ours (``month``) is kept, under another name.
    """
    report = FileReport(source.name, "incidents")
    try:
        data = source.read_bytes()
        raw = read_csv_bytes(data, source.name, POLICE_UK_COLUMNS, what=_HEADER_HINT, use_threads=use_threads)
    except UnusableFile as e:
        report.problem = str(e)
        return None, report
    except OSError as e:
        report.problem = f"{source.name} could not be opened ({e.strerror or e}): check the file is there and readable."
        return None, report
    report.notes = raw.notes
    report.rows_read = raw.rows_read
    clashing = [c for c in raw.table.column_names if c in _OWN_NAMES]
    if clashing:
        raw.rename({c: f"{c} (extra column)" for c in clashing})
        report.notes.append(f"extra column{'s' * (len(clashing) > 1)} {', '.join(clashing)} kept as '… (extra column)'")
    return raw, report


def _read_one(source: IncidentSource) -> tuple[pd.DataFrame | None, RawTable | None, FileReport, Distinct | None]:
    """A file's accepted rows as strings, its parsed text, its report and the distinct values of the rows.

    The in-memory loader's reading, in pandas; :func:`read_typed` gives the same answers from Arrow.
    """
    raw, report = _read_raw(source)
    if raw is None:
        return None, None, report, None
    frame, columns = _normalise_crime_type(raw.frame, Distinct(raw.frame))
    both = (lambda _: _both_coordinates(columns), "has one coordinate without the other")
    reasons = row_reasons(frame, _rules(), [both], columns)
    rejected_parts = []
    if len(raw.bad_width):
        rejected_parts.append(raw.bad_width.assign(file=source.name))
    if len(reasons):
        positions = reasons.index.to_numpy()
        rejected_parts.append(_rejected_frame(source.name, raw, positions, reasons.tolist()))
        frame = frame.drop(index=reasons.index)
    if rejected_parts:
        report.rejected = pd.concat(rejected_parts, ignore_index=True)[["file", "line", "text", "reasons"]]
    frame = frame.assign(_pos=frame.index.to_numpy(), source_file=source.name)
    report.rows_accepted = len(frame)
    known = {"source_file": constant(len(frame), source.name)}
    return frame, raw, report, columns.rows(frame, frame.index.to_numpy() if len(reasons) else None, known)


def _category(columns: Distinct, column: str, strip: bool = False) -> pd.Categorical:
    """A categorical built from the distinct values (police.uk columns repeat a lot)."""
    codes, categories = columns[column]
    if strip:
        categories = categories.str.strip()
        codes, categories = pd.factorize(categories, use_na_sentinel=False)[0][codes], pd.unique(categories)
    return pd.Categorical.from_codes(codes, categories=pd.Index(categories, dtype="str"), validate=False)


def _to_float(s: pd.Series | pa.Array) -> np.ndarray:
    """Validated numeric text to floats; blank becomes NaN (pyarrow: far faster than to_numeric)."""
    text = pc.utf8_trim_whitespace(s if isinstance(s, pa.Array) else pa.array(s, type=pa.string()))
    values = pc.cast(pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text), pa.float64())
    return values.to_numpy(zero_copy_only=False)


def _typed(frame: pd.DataFrame, columns: Distinct | None = None) -> pd.DataFrame:
    """Give each police.uk column its type and our name; extra columns are kept as they are.

    Each column is typed once per distinct value (``columns``, when the caller has them).
    """
    columns = columns if columns is not None else Distinct(frame)
    index = frame.index
    month_codes, months = columns["Month"]
    month_periods = pd.PeriodIndex(pd.Index(months, dtype="str"), freq="M")
    type_codes, types = columns["Crime type"]
    crime_type = pd.Categorical.from_codes(
        _CRIME_TYPE_DTYPE.categories.get_indexer(types)[type_codes], dtype=_CRIME_TYPE_DTYPE, validate=False
    )
    typed = {
        "month": pd.Series(month_periods[month_codes], index=index),
        "crime_type": pd.Series(crime_type, index=index),
        "crime_id": frame["Crime ID"].str.strip(),
    }
    for name in ("Longitude", "Latitude"):
        codes, values = columns[name]
        typed[INCIDENT_COLUMNS[name]] = pd.Series(_to_float(values)[codes], index=index, dtype="float64")
    for name in ("Reported by", "Falls within", "Location", "Last outcome category", "source_file"):
        typed[INCIDENT_COLUMNS.get(name, name)] = pd.Series(_category(columns, name), index=index)
    for name in ("LSOA code", "LSOA name"):
        typed[INCIDENT_COLUMNS[name]] = pd.Series(_category(columns, name, strip=True), index=index)
    frame = frame.rename(columns=INCIDENT_COLUMNS).assign(**typed)
    return frame.assign(is_asb=frame["crime_type"] == ASB)


def _index_type(categories: int) -> pa.DataType:
    """The index type pandas gives a categorical of this many categories (its narrowest codes)."""
    for bits, kind in ((8, pa.int8()), (16, pa.int16()), (32, pa.int32())):
        if categories < 2 ** (bits - 1) - 1:
            return kind
    return pa.int64()


def _text(values: pd.Series | pd.Index | pa.Array) -> pa.Array:
    """Strings (a pandas column or Index of dtype ``str``, or Arrow) as one Arrow string array, its buffers shared."""
    array = values if isinstance(values, pa.Array) else pa.array(values.array)
    array = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    return array.cast(pa.string())


def _dictionary(codes: np.ndarray, categories) -> pa.DictionaryArray:
    """A dictionary column as Arrow holds the pandas categorical of these codes and categories."""
    kind = _index_type(len(categories))
    return pa.DictionaryArray.from_arrays(pa.array(codes.astype(kind.to_pandas_dtype())), _text(categories))


def _stripped(columns: Distinct, column: str) -> tuple[np.ndarray, pa.Array]:
    """Codes and distinct values of a column with its values stripped of spaces (as :func:`_category` strips).

    In Arrow: pandas strips a column of strings with ``utf8_trim_whitespace`` and factorizes it
    with ``dictionary_encode``, both in order of first appearance.
    """
    codes, values = columns.arrow(column)
    encoded = pc.dictionary_encode(pc.utf8_trim_whitespace(values))
    return encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)[codes], encoded.dictionary


#: The typed columns made from a column's distinct values (the others are text, as they are).
_FROM_DISTINCT = ("Month", "Crime type", "Longitude", "Latitude", "LSOA code", "LSOA name")
_FROM_DISTINCT += ("Reported by", "Falls within", "Location", "Last outcome category")


def _typed_table(table: pa.Table, columns: Distinct, keep: np.ndarray | None, name: str) -> pa.Table:
    """The typed columns of :func:`_typed`, built straight into Arrow from the distinct values.

    ``table`` holds a file's records as strings, ``columns`` their distinct values and ``keep``
    the positions of the records accepted (None: every one). The same values and types
    :func:`_typed` then ``pyarrow.Table.from_pandas`` give for the accepted rows, without a
    pandas frame: categoricals are dictionary columns (categories in order of first appearance,
    ``crime_type`` over the 14 crime types), the month the text of its dictionary (``YYYY-MM``,
    already checked), a blank coordinate a null, ``_pos`` and ``source_file`` after the file's
    columns, and ``is_asb`` last.
    """
    for column in _FROM_DISTINCT:  # hashed over every row once; the accepted rows' values are renumbered
        columns.arrow(column)
    rows = table.num_rows if keep is None else len(keep)
    kept = columns.rows(None, keep, {"source_file": (np.zeros(rows, dtype=np.int64), pa.array([name][:rows]))})
    taken = None if keep is None else pa.array(keep)

    def text(column: str) -> pa.Array:
        values = table[column] if taken is None else table[column].take(taken)
        return (values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values).cast(pa.string())

    month_codes, months = kept.arrow("Month")
    type_codes, types = kept.arrow("Crime type")
    crime_types = _CRIME_TYPE_DTYPE.categories
    type_of = crime_types.get_indexer(pd.Index(types.to_pylist(), dtype="str"))[type_codes]
    typed = {
        "month": _dictionary(month_codes, months),
        "crime_type": _dictionary(type_of, crime_types),
        "crime_id": pc.utf8_trim_whitespace(text("Crime ID")).cast(pa.large_string()),
        "_pos": pa.array(np.arange(table.num_rows) if keep is None else keep, type=pa.int64()),
    }
    for column in ("Longitude", "Latitude"):
        codes, values = kept.arrow(column)
        typed[INCIDENT_COLUMNS[column]] = pa.array(_to_float(values)[codes], from_pandas=True)
    for column in ("Reported by", "Falls within", "Location", "Last outcome category", "source_file"):
        typed[INCIDENT_COLUMNS.get(column, column)] = _dictionary(*kept.arrow(column))
    for column in ("LSOA code", "LSOA name"):
        typed[INCIDENT_COLUMNS[column]] = _dictionary(*_stripped(kept, column))
    order = [*table.column_names, "_pos", "source_file"]
    names = [INCIDENT_COLUMNS.get(c, c) for c in order]
    arrays = [typed[n] if n in typed else text(c).cast(pa.large_string()) for c, n in zip(order, names, strict=True)]
    is_asb = pa.array(type_of == crime_types.get_loc(ASB))
    return pa.Table.from_arrays([*arrays, is_asb], names=[*names, "is_asb"])


def read_typed(
    source: IncidentSource, use_threads: bool = True, answers: Answers | None = None
) -> tuple[pa.Table | None, RawTable | None, FileReport]:
    """Validate and type one street-level file on its own (the store ingests file by file).

    The checks and reasons of the in-memory loader (:func:`_read_one`), asked in Arrow of
    each distinct value, with no pandas frame of the rows: the same rows accepted, the same
    rejected with the same line, text and reasons. Repeats of a Crime ID across files are not
    rejected here: that needs every file (see :func:`load_incidents`), so the store does it
    after ingesting.

    Parameters
    ----------
    source : IncidentSource
        The file (on disk, in a zip or in memory).
    use_threads : bool
        Parse on pyarrow's threads (the store reads two files at once, each on one thread).
    answers : Answers, optional
        What the checks answered for the values of files read before (the store's other files).

    Returns
    -------
    incidents : pyarrow.Table or None
        The accepted rows, typed as :func:`load_incidents` types them and as Arrow holds
        that frame (see :func:`_typed_table`), with ``_pos`` (the record's position in the
        file); None when the file cannot be used.
    raw : RawTable or None
        The parsed file, to locate rows rejected later.
    report : FileReport
    """
    raw, report = _read_raw(source, use_threads)
    if raw is None:
        return None, None, report
    table = raw.table
    columns = Distinct(table, answers=answers)
    canonical = _canonical_crime_types(columns)
    if canonical is not None:
        table = table.set_column(table.column_names.index("Crime type"), "Crime type", canonical)
        columns["Crime type"] = arrow_distinct(canonical)  # as the in-memory loader hashes it again
    both = (lambda _: _both_coordinates(columns), "has one coordinate without the other")
    reasons = table_reasons(table, _rules(), [both], columns)
    rejected_parts = []
    if len(raw.bad_width):
        rejected_parts.append(raw.bad_width.assign(file=source.name))
    keep = None
    if len(reasons):
        positions = reasons.index.to_numpy()
        rejected_parts.append(_rejected_frame(source.name, raw, positions, reasons.tolist()))
        keep = np.setdiff1d(np.arange(table.num_rows), positions)
    if rejected_parts:
        report.rejected = pd.concat(rejected_parts, ignore_index=True)[["file", "line", "text", "reasons"]]
    report.rows_accepted = table.num_rows - len(reasons)
    return _typed_table(table, columns, keep, source.name), raw, report


def empty_incidents() -> pd.DataFrame:
    """An incidents table with no rows and every typed column."""
    raw = pd.DataFrame({c: pd.Series(dtype="str") for c in POLICE_UK_COLUMNS}).assign(
        source_file=pd.Series(dtype="str")
    )
    return _typed(raw)


def _reject_repeats(frame: pd.DataFrame, raws: dict[str, RawTable], reports: dict[str, FileReport]) -> pd.DataFrame:
    """Keep the first record of each Crime ID (in file order); reject later copies with a reason."""
    ids = frame["crime_id"]
    # Hash first (fast on millions of IDs), then compare the few candidates exactly.
    hashes = pd.util.hash_pandas_object(ids, index=False)
    candidates = hashes.duplicated(keep=False).to_numpy() & ids.ne("").to_numpy()
    if not candidates.any():
        return frame
    repeated = pd.Series(False, index=frame.index)
    repeated[candidates] = ids[candidates].duplicated(keep="first").to_numpy()
    if not repeated.any():
        return frame
    first_file = frame.loc[ids.ne("")].drop_duplicates("crime_id").set_index("crime_id")["source_file"]
    for name, rows in frame.loc[repeated].groupby("source_file", observed=True):
        where = first_file.reindex(rows["crime_id"]).astype("str").to_numpy()
        reasons = [REPEAT_REASON.format(w) for w in where]
        extra = _rejected_frame(name, raws[name], rows["_pos"].to_numpy(), reasons)
        report = reports[name]
        report.rejected = pd.concat([report.rejected, extra], ignore_index=True)
        report.rows_accepted -= len(rows)
    return frame.loc[~repeated]


def _crime_ids(rows: pd.DataFrame) -> set[str]:
    ids = rows["Crime ID"].astype("str").str.strip()
    return set(ids[ids != ""])


def _reject_resupplied_months(
    frame: pd.DataFrame,
    sources: dict[str, IncidentSource],
    raws: dict[str, RawTable],
    reports: dict[str, FileReport],
) -> pd.DataFrame:
    """Load a force's month once when two files hold it (two downloads of it; see :func:`resupplied_months`).

    ASB rows have no Crime ID, so repeated rows cannot be caught one by one: the whole month
    of the other file is rejected instead, each row with the reason.
    """
    keys = frame.groupby(["Falls within", "Month", "source_file"], observed=True, sort=False).size()
    if keys.empty:
        return frame
    months = [(force, month, name, int(rows)) for (force, month, name), rows in keys.items()]

    def rows_of(name: str, force: str, month: str) -> pd.Series:
        return (frame["source_file"] == name) & (frame["Falls within"] == force) & (frame["Month"] == month)

    def crime_ids(name: str, force: str, month: str) -> set[str]:
        return _crime_ids(frame.loc[rows_of(name, force, month)])

    found = resupplied_months(months, lambda name: sources[name].modified(), crime_ids)
    if not found:
        return frame
    drop = np.zeros(len(frame), dtype=bool)
    for clash in found:
        rows = frame.index[rows_of(clash.loser, clash.force, clash.month)]
        drop[frame.index.get_indexer(rows)] = True
        positions = frame.loc[rows, "_pos"].to_numpy()
        extra = _rejected_frame(clash.loser, raws[clash.loser], positions, [clash.reason] * len(rows))
        report = reports[clash.loser]
        report.rejected = pd.concat([report.rejected, extra], ignore_index=True)
        report.rows_accepted -= len(rows)
        report.notes.append(clash.loser_note(len(rows)))
        reports[clash.winner].notes.append(clash.winner_note)
    return frame.loc[~drop]


def load_incidents(folder: Path | str) -> tuple[pd.DataFrame, list[FileReport]]:
    """Read every street-level file under ``folder``.

    Parameters
    ----------
    folder : path
        The data folder's ``incidents`` directory (files and zips, nested folders allowed).

    Returns
    -------
    incidents : pandas.DataFrame
        One typed row per accepted record (see :data:`INCIDENT_COLUMNS`, plus
        ``source_file`` and ``is_asb``); extra columns are kept.
    reports : list of FileReport
        One per file; rows read = accepted + rejected in each.

    Examples
    --------
    >>> incidents, reports = load_incidents("../shared/data/real/incidents")  # doctest: +SKIP
    """
    return load_incident_sources(*find_incident_sources(Path(folder)))


def is_street_file(name: str) -> bool:
    """False for police.uk's outcomes and stop-and-search files, which are not street-level records."""
    return not _OTHER_POLICE_FILES.search(name)


def load_incident_sources(
    sources: list[IncidentSource], reports: list[FileReport]
) -> tuple[pd.DataFrame, list[FileReport]]:
    """Read the given street-level sources (as :func:`load_incidents` does after finding them).

    ``reports`` holds reports already made (skipped files); one is added per source.
    """
    reports = list(reports)
    frames, raws, by_name = [], {}, {}
    for source in sources:
        frame, raw, report, _ = _read_one(source)
        reports.append(report)
        by_name[source.name] = report
        if frame is not None:
            frames.append(frame)
            raws[source.name] = raw
    if not frames:
        return empty_incidents(), reports
    combined = pd.concat(frames, ignore_index=True)
    combined = _reject_resupplied_months(combined, {s.name: s for s in sources}, raws, by_name)
    combined = combined.assign(crime_id=combined["Crime ID"].str.strip())
    combined = _reject_repeats(combined, raws, by_name)
    combined = combined.drop(columns=["_pos", "crime_id"])
    for report in reports:
        if len(report.rejected):
            report.rejected = report.rejected.sort_values("line", ignore_index=True)
        elif report.rejected.empty:
            report.rejected = empty_rejected()
    incidents = _typed(combined).reset_index(drop=True)
    return incidents, reports
