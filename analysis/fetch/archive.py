"""Extract one force's street-level months from a police.uk archive zip (every force, several GB).

The archive (data.police.uk/data/archive/) holds ``YYYY-MM/YYYY-MM-<force>-street.csv`` for
every force, with outcomes and stop-and-search files beside them. Only the chosen force's
street files are copied out, entry by entry (``ZipFile.open`` streamed into the month's
temporary file), so the zip is never held in memory. A URL is streamed to a temporary
file in the data folder first. Each month is written whole, as a fetch writes it.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO

import requests

from analysis.errors import DataProblem
from analysis.fetch.fetcher import FetchSummary, MonthResult, Progress
from analysis.fetch.monthfiles import check_force_id, month_file, month_range, months_present, parse_month, write_month
from analysis.fetch.police_api import USER_AGENT
from analysis.schema import POLICE_UK_COLUMNS

__all__ = ["download_archive", "extract_archive", "safe_member"]

_STREET = re.compile(r"^(\d{4}-(?:0[1-9]|1[0-2]))-([a-z0-9-]+)-street\.csv$", re.IGNORECASE)
_CHUNK = 1 << 20
_HEADER = ",".join(POLICE_UK_COLUMNS).encode("utf-8")


def safe_member(name: str) -> bool:
    """True for a zip entry whose path stays inside the folder it is extracted to.

    Examples
    --------
    >>> [safe_member(n) for n in ["2019-01/2019-01-cumbria-street.csv", "../x.csv", "/etc/x.csv", "C:/x.csv"]]
    [True, False, False, False]
    """
    path = PurePosixPath(name.replace("\\", "/"))
    return bool(name) and not path.is_absolute() and ".." not in path.parts and ":" not in path.parts[0]


def download_archive(url: str, folder: Path, progress: Progress, timeout: tuple[float, float] = (10.0, 120.0)) -> Path:
    """Stream ``url`` to a temporary ``.zip.part`` file in ``folder``; the caller removes it.

    Raises
    ------
    DataProblem
        When the address cannot be reached or does not answer with the file.
    """
    handle = tempfile.NamedTemporaryFile(dir=folder, prefix=".archive-", suffix=".zip.part", delete=False)
    try:
        with handle, requests.get(url, stream=True, timeout=timeout, headers={"User-Agent": USER_AGENT}) as answer:
            if answer.status_code != 200:
                raise DataProblem(f"{url} answered HTTP {answer.status_code}: check the archive's address.")
            size = int(answer.headers.get("Content-Length") or 0)
            done = 0
            for chunk in answer.iter_content(_CHUNK):
                handle.write(chunk)
                done += len(chunk)
                progress(done / size if size else 0, 1, f"downloading the archive: {done / 1e6:,.0f} MB")
    except requests.RequestException:
        os.unlink(handle.name)
        raise DataProblem(
            f"The archive at {url} could not be downloaded: check the address and the internet connection."
        ) from None
    except BaseException:
        os.unlink(handle.name)
        raise
    return Path(handle.name)


def _copy_counting(source: IO[bytes], target: IO[bytes]) -> int:
    """Copy in chunks; return the number of lines after the header."""
    lines = 0
    last = b"\n"
    while chunk := source.read(_CHUNK):
        target.write(chunk)
        lines += chunk.count(b"\n")
        last = chunk[-1:]
    return lines - 1 + (last != b"\n")


def _force_name(archive: zipfile.ZipFile, member: zipfile.ZipInfo, force: str) -> str:
    """``Reported by`` of the first record, else the force id."""
    with archive.open(member) as entry:
        entry.readline()
        first = entry.readline().decode("utf-8-sig", "replace").split(",")
    return first[2] if len(first) > 2 and first[2] else force


def extract_archive(
    folder: Path | str,
    force: str,
    archive: str,
    start: str | None = None,
    end: str | None = None,
    *,
    replace: bool = False,
    progress: Progress | None = None,
) -> FetchSummary:
    """Copy the force's street files (``start`` to ``end``, default all) out of a police.uk archive.

    Parameters
    ----------
    folder : path
        The data folder; months go to ``incidents/YYYY-MM/``.
    force : str
        police.uk force id, as in the archive's file names.
    archive : str
        A zip file's path, or an http(s) address to stream it from.
    start, end : str, optional
        ``YYYY-MM`` bounds.
    replace : bool
        Extract months already in the folder again.
    progress : callable, optional
        ``progress(done, total, text)``.

    Raises
    ------
    DataProblem
        When the archive cannot be read or holds no street file for the force.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataProblem(f"The data folder {folder} does not exist: make it (with hubs.csv and boundaries) first.")
    force = check_force_id(force)
    progress = progress or (lambda *_: None)
    first = parse_month(start, "--from month") if start else None
    last = parse_month(end, "--to month") if end else None
    if first and last and first > last:
        raise DataProblem(f"--from {first} is after --to {last}: give the earlier month first.")
    downloaded = None
    if re.match(r"^https?://", archive, re.IGNORECASE):
        downloaded = download_archive(archive, folder, progress)
        path = downloaded
    else:
        path = Path(archive).expanduser()
        if not path.is_file():
            raise DataProblem(f"There is no archive at {archive}: give the zip's path or its address.")
    try:
        return _extract(folder, force, path, archive, first, last, replace, progress)
    finally:
        if downloaded is not None:
            with contextlib.suppress(OSError):
                os.unlink(downloaded)


def _extract(folder, force, path, label, first, last, replace, progress) -> FetchSummary:
    try:
        zipped = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise DataProblem(f"{label} is not a readable zip: download the police.uk archive again.") from None
    with zipped as archive:
        chosen: dict[str, zipfile.ZipInfo] = {}
        forces, unsafe = set(), []
        for info in archive.infolist():
            match = _STREET.match(PurePosixPath(info.filename.replace("\\", "/")).name)
            if info.is_dir() or not match:
                continue
            if not safe_member(info.filename):
                unsafe.append(info.filename)
                continue
            forces.add(match.group(2).lower())
            if match.group(2).lower() == force:
                chosen.setdefault(match.group(1), info)
        if not chosen:
            named = ", ".join(sorted(forces)) or "none"
            raise DataProblem(f"{label} holds no street-level file for '{force}' (forces in it: {named}).")
        held = sorted(chosen)
        months = month_range(first or parse_month(held[0]), last or parse_month(held[-1]))
        name = _force_name(archive, chosen[held[0]], force)
        summary = FetchSummary(str(folder), force, name, f"the police.uk archive {Path(label).name}")
        present = months_present(folder, force)
        for done, month in enumerate(months):
            progress(done, len(months), month)
            summary.months.append(_one(archive, chosen.get(month), folder, force, month, present, replace, label))
        if unsafe:
            refused = ", ".join(unsafe[:3])
            summary.notes.append(f"{len(unsafe)} archive entries whose paths climb out were refused: {refused}.")
        progress(len(months), len(months), "done")
        return summary


def _one(archive, info, folder, force, month, present, replace, label) -> MonthResult:
    if info is None:
        return MonthResult(month, "not supplied")
    ours = month_file(folder, force, month)
    elsewhere = [n for n in present.get(month, []) if Path(folder, n) != ours]
    if month in present and (not replace or elsewhere):
        note = f"kept as it is in {', '.join(elsewhere)}; remove that file to extract it." if elsewhere else ""
        return MonthResult(month, "kept", note=note)
    with archive.open(info) as entry:
        header = entry.read(len(_HEADER) + 3).removeprefix(b"\xef\xbb\xbf")
    if not header.startswith(_HEADER):
        return MonthResult(month, "not supplied", note=f"{info.filename} is not a police.uk street file: left out.")
    existed = ours.is_file()
    source = {
        "source": "police.uk archive",
        "archive": str(label),
        "member": info.filename,
        "force": force,
        "month": month,
        "extracted_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }

    def write(handle: IO[bytes]) -> None:
        with archive.open(info) as entry:  # streamed entry by entry, never the whole zip
            source["records"] = _copy_counting(entry, handle)

    write_month(folder, force, month, write, source)  # the note is written after the CSV, with its count
    return MonthResult(month, "replaced" if existed else "fetched", source["records"])
