"""Files a person uploads: check them exactly as the loaders do, then keep them for a session or save them.

- :func:`check_upload` runs the same loaders the data folder goes through
  (:func:`analysis.load.incidents.load_incidents` for police.uk files and zips,
  :func:`analysis.load.tables.parse_table` for the folder's CSVs) and returns the
  reports: rows read = accepted + rejected, every rejected row with its reasons.
- :func:`stage_upload` builds a session overlay: a temporary folder that mirrors
  the data folder (symbolic links to its files) with the uploads added, so the
  dashboard can load "the folder plus these files" without touching the folder.
- :func:`save_upload` writes an upload into the data folder through
  :func:`save_atomically` (a temporary file in the same directory, then
  ``os.replace``), so a failed save loses nothing, and never replaces a different
  file unless asked to.

Where uploads go: police.uk files to ``incidents/uploads/<safe name>``, the
folder's own CSVs (``resourcing.csv`` ...) to their fixed names.

No streamlit here.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import os
import re
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal

import pandas as pd

from analysis.access import writes_allowed
from analysis.errors import DataProblem
from analysis.load.incidents import (
    SKIPPED_NOTE,
    IncidentSource,
    empty_incidents,
    is_street_file,
    load_incident_sources,
    load_incidents,
)
from analysis.load.report import FileReport, empty_rejected
from analysis.load.tables import parse_table
from analysis.load.zipsafety import ZipRefused, check_zip
from analysis.schema import POLICE_UK_COLUMNS, REQUIRED_COLUMNS

__all__ = [
    "INCIDENT_KIND",
    "OVERLAY_MARKER",
    "UPLOADS_DIR",
    "SavePlan",
    "UploadCheck",
    "UploadConflict",
    "check_upload",
    "content_digest",
    "detect_kind",
    "months_already_loaded",
    "plan_save",
    "remove_overlay",
    "safe_name",
    "save_atomically",
    "save_upload",
    "stage_upload",
    "upload_target",
]

#: The kind of a police.uk street-level file or zip.
INCIDENT_KIND = "incidents"
#: Where uploaded police.uk files go, inside the data folder.
UPLOADS_DIR = PurePosixPath("incidents/uploads")
#: A file that marks a folder as an overlay this module built (and may delete).
OVERLAY_MARKER = ".local-focus-overlay"

_EXTENSIONS = (".csv", ".zip")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_STEM = 100


class UploadConflict(DataProblem):
    """Saving would replace a different file; the message says which and how to go ahead."""


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


def months_already_loaded(check: UploadCheck, incidents: pd.DataFrame) -> pd.DataFrame:
    """Months of an incident upload that other files already hold, with those files.

    Keeping both would count those months' ASB twice: ASB rows have no Crime ID, so
    a repeated ASB record cannot be told from a new one.

    Returns
    -------
    pandas.DataFrame
        ``month`` (``YYYY-MM``), ``source_file``, ``records``; empty when nothing overlaps.
    """
    columns = ["month", "source_file", "records"]
    if check.kind != INCIDENT_KIND or not check.month_counts or incidents.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "records" else "str") for c in columns})
    months = pd.PeriodIndex(check.months, freq="M")
    own = incidents["source_file"].astype("str").str.startswith(check.target) if check.target else False
    rows = incidents.loc[incidents["month"].isin(months) & ~own]
    counted = (
        rows.groupby([rows["month"].astype("str"), rows["source_file"].astype("str")])
        .size()
        .rename("records")
        .reset_index()
    )
    return counted.loc[counted["records"] > 0, columns].reset_index(drop=True)


# --------------------------------------------------------------------------- saving


def save_atomically(content: bytes, target: Path) -> None:
    """Write ``content`` to ``target`` so that a failure part-way loses nothing.

    The bytes go to a temporary file in the same directory, are flushed to disk,
    then ``os.replace`` renames it over ``target`` in one step. On any error the
    temporary file is removed and ``target`` is left as it was.

    Raises
    ------
    OSError
        When the directory cannot be written (the original file is untouched).
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, target.stat().st_mode & 0o777 if target.exists() else 0o644)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


@dataclass(frozen=True)
class SavePlan:
    """Where an upload would be saved and what that does.

    ``action``: ``"new"`` (nothing there yet), ``"same"`` (the identical file is
    already there: nothing to write), ``"renamed"`` (a different police.uk file has
    that name, so a new name is used) or ``"replace"`` (a different file of that kind
    is there: only with the person's confirmation).
    """

    target: str
    action: Literal["new", "same", "renamed", "replace"]

    @property
    def message(self) -> str:
        """The plan in a sentence."""
        return {
            "new": f"will be saved as {self.target}",
            "same": f"is already in the folder as {self.target}",
            "renamed": f"will be saved as {self.target} (a different file already has the name)",
            "replace": f"would replace the folder's {self.target}, a different file",
        }[self.action]


def _inside(folder: Path, relative: str) -> Path:
    if not relative or PurePosixPath(relative).is_absolute() or ".." in PurePosixPath(relative).parts:
        raise ValueError(f"{relative!r} is not a path inside the data folder.")
    path = (folder / relative).resolve()
    if not path.is_relative_to(folder.resolve()):
        raise ValueError(f"{relative!r} is not a path inside the data folder.")
    return path


def _same_file(path: Path, digest: str) -> bool:
    return path.is_file() and content_digest(path.read_bytes()) == digest


def _identical_incident_file(folder: Path, check: UploadCheck) -> str | None:
    """The folder's police.uk file with exactly these bytes, wherever it is under incidents/, if any."""
    incidents = folder / "incidents"
    if not incidents.is_dir():
        return None
    for path in sorted(incidents.rglob("*")):
        if path.is_file() and path.stat().st_size == check.size and _same_file(path, check.digest):
            return path.relative_to(folder).as_posix()
    return None


def plan_save(check: UploadCheck, folder: Path, taken: frozenset[str] = frozenset()) -> SavePlan:
    """Decide where ``check``'s file goes in ``folder`` without writing anything.

    Parameters
    ----------
    check : UploadCheck
        From :func:`check_upload`.
    folder : Path
        The data folder.
    taken : frozenset of str
        Relative paths already chosen for other uploads in the same batch.
    """
    if not check.target:
        raise ValueError(check.problem or f"{check.name} cannot be saved.")
    folder = Path(folder)
    path = _inside(folder, check.target)
    if check.kind == INCIDENT_KIND:
        twin = _identical_incident_file(folder, check)
        if twin is not None:
            return SavePlan(twin, "same")
    if not path.exists() and check.target not in taken:
        return SavePlan(check.target, "new")
    if _same_file(path, check.digest) and check.target not in taken:
        return SavePlan(check.target, "same")
    if check.kind != INCIDENT_KIND:
        return SavePlan(check.target, "replace")
    stem, suffix = PurePosixPath(check.target).stem, PurePosixPath(check.target).suffix
    parent = PurePosixPath(check.target).parent
    for number in range(2, 10_000):
        candidate = (parent / f"{stem}-{number}{suffix}").as_posix()
        if candidate in taken:
            continue
        candidate_path = _inside(folder, candidate)
        if not candidate_path.exists():
            return SavePlan(candidate, "renamed")
        if _same_file(candidate_path, check.digest):
            return SavePlan(candidate, "same")
    raise ValueError(f"Too many files named like {check.target}: tidy {parent} and try again.")


def save_upload(
    check: UploadCheck, content: bytes, folder: Path, *, replace: bool = False, taken: frozenset[str] = frozenset()
) -> SavePlan:
    """Save an upload into the data folder, atomically.

    Parameters
    ----------
    check : UploadCheck
        From :func:`check_upload` on the same ``content``.
    content : bytes
        The uploaded bytes.
    folder : Path
        The data folder.
    replace : bool
        Allow replacing a different file of the same kind (e.g. ``resourcing.csv``);
        the person must have confirmed it.
    taken : frozenset of str
        Paths already used by other uploads of the same batch.

    Returns
    -------
    SavePlan
        What was done.

    Raises
    ------
    UploadConflict
        When a different file would be replaced and ``replace`` is False.
    ValueError
        When the upload is unusable or its content does not match ``check``.
    OSError
        When writing fails (nothing is lost: see :func:`save_atomically`).
    """
    if not writes_allowed():
        raise DataProblem("This is a public site: nothing can be saved into its data folder.")
    if content_digest(content) != check.digest:
        raise ValueError(f"The bytes given for {check.name} are not the ones that were checked: check it again.")
    if not check.usable:
        raise ValueError(" ".join(check.problems) or f"{check.name} cannot be used.")
    plan = plan_save(check, folder, taken)
    if plan.action == "same":
        return plan
    if plan.action == "replace" and not replace:
        raise UploadConflict(
            f"The data folder already has a different {plan.target}: confirm that the upload should replace it."
        )
    save_atomically(content, _inside(Path(folder), plan.target))
    return plan


# --------------------------------------------------------------------------- session overlay


#: Session overlays older than this are swept away when a new one is made (sessions that ended leave theirs).
STALE_OVERLAY_HOURS = 24
_OVERLAY_PREFIX = "local-focus-session-"


def _is_overlay(path: Path) -> bool:
    return (path / OVERLAY_MARKER).is_file()


def _sweep_stale_overlays(parent: Path, max_age_hours: float = STALE_OVERLAY_HOURS) -> None:
    """Remove overlays this module built that nobody has touched for ``max_age_hours``."""
    cutoff = time.time() - max_age_hours * 3600
    for candidate in parent.glob(f"{_OVERLAY_PREFIX}*"):
        with contextlib.suppress(OSError):
            overlays = [child for child in candidate.iterdir() if _is_overlay(child)]
            if overlays and all((o / OVERLAY_MARKER).stat().st_mtime < cutoff for o in overlays):
                for overlay in overlays:
                    remove_overlay(overlay)


def stage_upload(base: Path, uploads: Mapping[str, bytes], overlay: Path | None = None) -> Path:
    """Build (or rebuild) a session overlay: ``base``'s files plus the uploads, in a temporary folder.

    Every file of ``base`` is linked into the overlay (copied where links are not
    allowed); each upload is written at its relative path, in place of the base
    file of that name if there is one. ``base`` itself is never written to.

    Parameters
    ----------
    base : Path
        The data folder.
    uploads : mapping of str to bytes
        Relative POSIX path (as :func:`plan_save` gives) to content.
    overlay : Path, optional
        An overlay this function built before, to rebuild in place; by default a
        new temporary folder named like ``base`` (so pages still show its name).

    Returns
    -------
    Path
        The overlay folder, to load instead of ``base``.

    Raises
    ------
    ValueError
        When ``base`` is not a folder, a path leaves the folder, or ``overlay`` is
        not an overlay this module built.
    """
    base = Path(base).resolve()
    if not base.is_dir():
        raise ValueError(f"The data folder {base} does not exist.")
    for relative in uploads:
        _inside(base, relative)  # checked before anything is made
    if overlay is None:
        _sweep_stale_overlays(Path(tempfile.gettempdir()))
        overlay = Path(tempfile.mkdtemp(prefix=_OVERLAY_PREFIX)) / base.name
    else:
        overlay = Path(overlay).resolve()
        if overlay == base or overlay.is_relative_to(base) or base.is_relative_to(overlay):
            raise ValueError("The session overlay must be a folder apart from the data folder.")
        if overlay.exists():
            if not _is_overlay(overlay):
                raise ValueError(f"{overlay} is not a session overlay: refusing to replace it.")
            shutil.rmtree(overlay)
    overlay.mkdir(parents=True)
    (overlay / OVERLAY_MARKER).write_text(f"Session overlay of {base}\n", encoding="utf-8")
    for path in sorted(base.rglob("*")):
        relative = path.relative_to(base)
        if not path.is_file() or relative.as_posix() in uploads or relative.as_posix() == OVERLAY_MARKER:
            continue
        link = overlay / relative
        link.parent.mkdir(parents=True, exist_ok=True)
        try:
            link.symlink_to(path)
        except OSError:
            shutil.copy2(path, link)
    for relative, content in uploads.items():
        destination = overlay / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(content)
    return overlay


def remove_overlay(overlay: Path | str) -> None:
    """Delete an overlay :func:`stage_upload` built (and its temporary parent); anything else is left alone."""
    overlay = Path(overlay)
    if not _is_overlay(overlay):
        return
    shutil.rmtree(overlay, ignore_errors=True)
    parent = overlay.parent
    if parent.name.startswith(_OVERLAY_PREFIX):
        with contextlib.suppress(OSError):
            parent.rmdir()
