"""Save an upload into the data folder: plan where it goes, then write it atomically.

:func:`save_upload` writes through :func:`save_atomically` (a temporary file in the same
directory, then ``os.replace``), so a failed save loses nothing, and never replaces a
different file unless asked to.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

from analysis.access import writes_allowed
from analysis.errors import DataProblem
from analysis.load.upload.check import INCIDENT_KIND, UploadCheck, content_digest


class UploadConflict(DataProblem):
    """Saving would replace a different file; the message says which and how to go ahead."""


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


def inside_folder(folder: Path, relative: str) -> Path:
    """``relative`` resolved inside ``folder``; ValueError for a path that would leave it."""
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
    path = inside_folder(folder, check.target)
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
        candidate_path = inside_folder(folder, candidate)
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
    save_atomically(content, inside_folder(Path(folder), plan.target))
    return plan
