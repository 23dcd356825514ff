"""A session overlay: the data folder's files plus the uploads, in a temporary folder the session loads."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from analysis.load.upload.save import inside_folder

#: A file that marks a folder as an overlay this module built (and may delete).
OVERLAY_MARKER = ".local-focus-overlay"

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
        inside_folder(base, relative)  # checked before anything is made
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
