"""Check an upload exactly as the data folder's loaders do, and say where it would go.

:func:`check_upload` runs the same loaders the data folder goes through
(:func:`analysis.load.incidents.load_incidents` for police.uk files and zips,
:func:`analysis.load.tables.parse_table` for the folder's CSVs) and returns the
reports: rows read = accepted + rejected, every rejected row with its reasons.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pandas as pd

from analysis.load.incidents import (
    SKIPPED_NOTE,
    IncidentSource,
    empty_incidents,
    is_street_file,
    load_incident_sources,
    load_incidents,
)
from analysis.load.records import Records, Where
from analysis.load.report import FileReport, empty_rejected
from analysis.load.tables import parse_table
from analysis.load.zipsafety import ZipRefused, check_zip
from analysis.schema import POLICE_UK_COLUMNS, REQUIRED_COLUMNS

#: The kind of a police.uk street-level file or zip.
INCIDENT_KIND = "incidents"
#: Where uploaded police.uk files go, inside the data folder.
UPLOADS_DIR = PurePosixPath("incidents/uploads")

_EXTENSIONS = (".csv", ".zip")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_STEM = 100


def content_digest(content: bytes) -> str:
    """SHA-256 of the bytes, in hex: what identifies an upload."""
    return hashlib.sha256(content).hexdigest()


def safe_name(name: str) -> str:
    r"""A file name safe to write into the data folder.

    Letters, digits, ``.``, ``_`` and ``-`` are kept; any other run of characters
    becomes ``-``; leading dots are dropped (no hidden files); the extension is
    lower-cased and must be ``.csv`` or ``.zip``.

    Raises
    ------
    ValueError
        When ``name`` is blank, names a folder (``/``, ``\``, ``..``) or has
        another extension.

    Examples
    --------
    >>> safe_name("2019-03 Cumbria street (1).CSV")
    '2019-03-Cumbria-street-1.csv'
    """
    if not isinstance(name, str) or not name.strip():
        raise ValueError("The uploaded file has no name: give it a name ending in .csv or .zip.")
    if "/" in name or "\\" in name or "\x00" in name or name.strip() in {".", ".."}:
        raise ValueError(f"{name!r} is not a plain file name: names with folders in them (like ../) are refused.")
    stem, dot, extension = name.strip().rpartition(".")
    extension = f".{extension.lower()}" if dot else ""
    if extension not in _EXTENSIONS:
        raise ValueError(f"{name} is not a .csv or .zip file: only those can be added.")
    cleaned = re.sub(r"-{2,}", "-", _UNSAFE.sub("-", stem)).lstrip(".").strip("-_")[:_MAX_STEM].rstrip(".-_")
    if not cleaned:
        raise ValueError(f"{name!r} has no usable name before {extension}: rename it, e.g. 2019-03-street{extension}.")
    return cleaned + extension


def _header(content: bytes) -> list[str]:
    head = content[:65536]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        text = head.decode("cp1252", errors="replace")
    try:
        first = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error:  # a lone carriage return or an open quote: the loaders will say what is wrong
        return []
    return [cell.strip().lstrip("\ufeff").strip() for cell in first]


def _best_kind(columns: set[str]) -> tuple[str | None, float]:
    """The file whose required columns the header shares most, and the share (0 to 1)."""
    candidates = {INCIDENT_KIND: POLICE_UK_COLUMNS, **REQUIRED_COLUMNS}
    scored = [(len(set(required) & columns) / len(required), kind) for kind, required in candidates.items()]
    share, kind = max(scored, key=lambda pair: pair[0])
    return (kind if share > 0 else None), share


def _recognised(name: str, content: bytes) -> bool:
    """True when the name or the header says what the file is (half of a file's columns is enough to tell)."""
    if name.lower().endswith(".zip") or name.strip().lower() in REQUIRED_COLUMNS or not content.strip():
        return True
    return _best_kind(set(_header(content)))[1] >= 0.5


def detect_kind(name: str, content: bytes) -> str:
    """Which file of the data folder an upload is: ``"incidents"`` or a contract name like ``"resourcing.csv"``.

    A ``.zip`` is a police.uk download. A CSV is recognised by its header (the
    file whose required columns it shares most, if at least half of them), else by
    its name (``resourcing.csv``); anything else is checked as a police.uk file, so
    its report names the header it should have.
    """
    if name.lower().endswith(".zip"):
        return INCIDENT_KIND
    kind, share = _best_kind(set(_header(content)))
    if kind is not None and share >= 0.5:
        return kind
    lowered = name.strip().lower()
    return lowered if lowered in REQUIRED_COLUMNS else INCIDENT_KIND


def upload_target(name: str, kind: str) -> str:
    """Where an upload goes inside the data folder, as a relative POSIX path.

    Examples
    --------
    >>> upload_target("2019-03-cumbria-street.csv", "incidents")
    'incidents/uploads/2019-03-cumbria-street.csv'
    >>> upload_target("deployment 2020.csv", "resourcing.csv")
    'resourcing.csv'
    """
    if kind == INCIDENT_KIND:
        return (UPLOADS_DIR / safe_name(name)).as_posix()
    if kind not in REQUIRED_COLUMNS:
        raise ValueError(f"kind must be 'incidents' or one of {', '.join(REQUIRED_COLUMNS)}, got {kind!r}")
    safe_name(name)  # refuse traversal names for every kind
    return kind


@dataclass
class UploadCheck:
    """What the loaders made of one uploaded file.

    Attributes
    ----------
    name : str
        The name it was uploaded under.
    digest : str
        SHA-256 of its bytes.
    size : int
        Bytes.
    kind : str
        ``"incidents"`` or the contract file it is (``"resourcing.csv"`` ...).
    target : str
        Where it goes in the data folder (relative POSIX path).
    reports : list of FileReport
        One per file read (a zip gives one per CSV inside it).
    month_counts : dict
        Incident records accepted per month (``"YYYY-MM"``); empty for other kinds.
    hubs : tuple of str
        Hub names the file uses (tables with a ``hub`` column).
    problem : str or None
        Why the upload cannot be used at all (a name refused, nothing in a zip).
    """

    name: str
    digest: str
    size: int
    kind: str
    target: str
    reports: list[FileReport] = field(default_factory=list)
    month_counts: dict[str, int] = field(default_factory=dict)
    hubs: tuple[str, ...] = ()
    problem: str | None = None

    @property
    def rows_read(self) -> int:
        """Data rows read over every file in the upload."""
        return sum(r.rows_read for r in self.reports)

    @property
    def rows_accepted(self) -> int:
        """Rows that passed every check."""
        return sum(r.rows_accepted for r in self.reports)

    @property
    def rows_rejected(self) -> int:
        """Rows kept aside, each with its reasons."""
        return sum(r.rows_rejected for r in self.reports)

    @property
    def problems(self) -> list[str]:
        """Every sentence saying why the upload, or a file inside it, cannot be used."""
        found = [self.problem] if self.problem else []
        # Name the file as the person uploaded it, not by where it would go.
        found += [
            r.problem.replace(self.target, self.name, 1) if self.target else r.problem
            for r in self.reports
            if r.problem
        ]
        if not found and self.rows_accepted == 0:
            skipped = [r.file for r in self.reports if any(n.startswith("skipped") for n in r.notes)]
            if skipped:
                found.append(
                    f"{self.name} is not a street-level file (police.uk outcomes and stop-and-search files are not "
                    "used): upload the file whose name ends in -street.csv."
                )
            else:
                found.append(f"No row of {self.name} could be used: see the rejected rows for the reasons.")
        return found

    @property
    def usable(self) -> bool:
        """True when at least one row can be used and the name was accepted."""
        return self.problem is None and self.rows_accepted > 0

    @property
    def months(self) -> list[str]:
        """Months with accepted incident records, in order."""
        return sorted(self.month_counts)

    def rejected(self) -> pd.DataFrame:
        """Every rejected row: ``file, line, text, reasons``."""
        frames = [r.rejected for r in self.reports if len(r.rejected)]
        return pd.concat(frames, ignore_index=True) if frames else empty_rejected()


def _check_incidents(check: UploadCheck, content: bytes) -> UploadCheck:
    if check.name.lower().endswith(".zip"):
        # The same loader as the data folder, on a scratch folder holding only the zip (read a member at a time).
        with tempfile.TemporaryDirectory(prefix="local-focus-check-") as scratch:
            path = Path(scratch) / check.target
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            incidents, reports = load_incidents(Path(scratch) / "incidents")
    elif is_street_file(check.target):
        # A CSV is read from the bytes already held: no second copy written out and read back.
        source = IncidentSource(check.target, Path(check.target), content=content)
        incidents, reports = load_incident_sources([source], [])
    else:
        incidents, reports = empty_incidents(), [FileReport(check.target, "incidents", notes=[SKIPPED_NOTE])]
    if not reports:
        check.problem = (
            f"{check.name} holds no CSV files: upload the police.uk zip (or its -street.csv files) as downloaded."
        )
    check.reports = reports
    if len(incidents):
        counts = incidents.groupby("month").size()
        check.month_counts = {str(month): int(n) for month, n in counts.items() if n}
    return check


def _check_table(check: UploadCheck, content: bytes) -> UploadCheck:
    table, report = parse_table(content, check.kind, check.name)
    check.reports = [report]
    if table is not None and "hub" in table.columns:
        check.hubs = tuple(sorted(str(h) for h in table["hub"].astype("str").unique() if str(h).strip()))
    return check


def check_upload(name: str, content: bytes) -> UploadCheck:
    """Validate one uploaded file exactly as the data folder's loaders would.

    Parameters
    ----------
    name : str
        The name it was uploaded under (a plain file name, .csv or .zip).
    content : bytes
        Its bytes.

    Returns
    -------
    UploadCheck
        Never raises for bad content or a refused name: ``problems`` says what is
        wrong in plain sentences, the reports keep every rejected row.
    """
    digest, size = content_digest(content), len(content)
    try:
        kind = detect_kind(name, content)
        target = upload_target(name, kind)
    except ValueError as e:
        return UploadCheck(name, digest, size, INCIDENT_KIND, "", problem=str(e))
    check = UploadCheck(name, digest, size, kind, target)
    if not _recognised(name, content):
        check.problem = (
            f"{name} is neither a police.uk street-level file nor one of the data folder's CSVs: its first line "
            f"should be the police.uk header ({', '.join(POLICE_UK_COLUMNS[:3])} ...) or the columns of "
            f"{', '.join(REQUIRED_COLUMNS)}; or name it after one of those files."
        )
        if content[:4] == b"PK\x03\x04":
            check.problem = f"{name} is a zip or spreadsheet saved as .csv: upload the zip as .zip, or save it as CSV."
        return check
    if kind == INCIDENT_KIND:
        if name.lower().endswith(".zip"):
            try:
                check_zip(content, name)  # its directory only: refused before anything is expanded
            except ZipRefused as e:
                check.problem = str(e)
                return check
        return _check_incidents(check, content)
    return _check_table(check, content)


def months_already_loaded(check: UploadCheck, records: Records) -> pd.DataFrame:
    """Months of an incident upload that other files already hold, with those files.

    Keeping both would count those months' ASB twice: ASB rows have no Crime ID, so
    a repeated ASB record cannot be told from a new one.

    Parameters
    ----------
    check : UploadCheck
        The upload, checked.
    records : Records
        The folder's records (``Dataset.records``): counted per month and file, never read as rows.

    Returns
    -------
    pandas.DataFrame
        ``month`` (``YYYY-MM``), ``source_file``, ``records``; empty when nothing overlaps.
    """
    columns = ["month", "source_file", "records"]
    empty = pd.DataFrame({c: pd.Series(dtype="int64" if c == "records" else "str") for c in columns})
    if check.kind != INCIDENT_KIND or not check.month_counts:
        return empty
    months = pd.PeriodIndex(check.months, freq="M")
    counted = records.count(["month", "source_file"], Where(months.min(), months.max()))
    if counted.empty:
        return empty
    own = counted["source_file"].str.startswith(check.target) if check.target else False
    counted = counted.loc[counted["month"].isin(months) & ~own]
    return counted.assign(month=counted["month"].astype("str"))[columns].reset_index(drop=True)
