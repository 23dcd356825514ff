r"""Zip files checked before anything inside them is expanded.

police.uk gives a zip of monthly CSVs. A zip can also be built to harm whoever opens
it: a zip inside a zip, a small file that expands to gigabytes (a "zip bomb"), a
member whose name climbs out of the folder (``../``, ``/etc``, ``C:\``), tens of
thousands of members, or encrypted members. :func:`check_zip` reads only the zip's
directory (never a member's content) and refuses any of these with one sentence.

Python's :mod:`zipfile` never returns more bytes for a member than its directory
entry declares (and checks the CRC at the end), so limits on the declared sizes hold
when the members are read.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from analysis.load.textio import UnusableFile

__all__ = ["ZipLimits", "ZipRefused", "check_zip", "safe_members"]

_GIB = 1024**3


@dataclass(frozen=True)
class ZipLimits:
    """What a police.uk zip never exceeds.

    A year of every force's street, outcomes and stop-and-search files is under
    2,000 members and about 2 GB of CSV; CSV text compresses about 5 to 15 times.
    """

    #: Members (files and folders) in the zip.
    max_entries: int = 20_000
    #: Bytes of all members once expanded.
    max_total_bytes: int = 4 * _GIB
    #: Expanded size over compressed size, for the whole zip and for any member over 1 MiB.
    max_ratio: float = 100.0
    #: Members smaller than this are not held to the ratio (tiny files compress oddly).
    ratio_floor_bytes: int = 1024**2


class ZipRefused(UnusableFile):
    """A zip refused before it was expanded; the message is one plain sentence."""


_DRIVE = re.compile(r"^[A-Za-z]:")
_NESTED = (".zip", ".jar", ".7z", ".gz", ".tgz", ".bz2", ".xz", ".rar", ".tar")


def _climbs_out(name: str) -> bool:
    if "\x00" in name or name.startswith(("/", "\\")) or _DRIVE.match(name):
        return True
    return ".." in PurePosixPath(name.replace("\\", "/")).parts


def check_zip(source: Path | str | bytes | BinaryIO, name: str, limits: ZipLimits = ZipLimits()) -> list[str]:
    """Refuse a zip that is not a plain archive of files, reading only its directory.

    Parameters
    ----------
    source : path, bytes or binary file
        The zip.
    name : str
        Its name, used in the message.
    limits : ZipLimits
        The limits to hold it to.

    Returns
    -------
    list of str
        The names of its members (folders included), in the zip's order.

    Raises
    ------
    ZipRefused
        When it is not a readable zip, holds another archive, names a member outside
        the folder, is encrypted, has too many members, or expands too far.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        source = io.BytesIO(source)
    try:
        with zipfile.ZipFile(source) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError):
        raise ZipRefused(f"{name} is not a readable zip: download it again from police.uk.") from None
    if len(infos) > limits.max_entries:
        raise ZipRefused(
            f"{name} holds {len(infos):,} files, more than the {limits.max_entries:,} a police.uk zip has: "
            "it was refused unopened."
        )
    total = compressed = 0
    for info in infos:
        member = info.filename
        if _climbs_out(member):
            raise ZipRefused(
                f"{name} names a file outside its own folder ({member[:80]!r}): it was refused unopened; "
                "download the zip again from police.uk."
            )
        if member.lower().endswith(_NESTED):
            raise ZipRefused(
                f"{name} holds another archive ({PurePosixPath(member).name[:80]}): unzip that one first and "
                "upload its CSV files or its own zip."
            )
        if info.flag_bits & 0x1:
            raise ZipRefused(f"{name} is encrypted: police.uk zips are not, so download it again from police.uk.")
        if info.file_size >= limits.ratio_floor_bytes and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise ZipRefused(
                f"{name} expands far more than CSV files do ({PurePosixPath(member).name[:80]} would grow "
                f"{info.file_size / max(info.compress_size, 1):,.0f} times): it was refused unopened."
            )
        total += info.file_size
        compressed += info.compress_size
    if total > limits.max_total_bytes:
        raise ZipRefused(
            f"{name} would expand to {total / _GIB:,.1f} GB, more than the {limits.max_total_bytes / _GIB:,.0f} GB "
            "allowed: upload fewer months at a time."
        )
    if total >= limits.ratio_floor_bytes and total > limits.max_ratio * max(compressed, 1):
        raise ZipRefused(f"{name} expands far more than CSV files do: it was refused unopened.")
    return [info.filename for info in infos]


def safe_members(source: Path | str | bytes | BinaryIO, name: str, limits: ZipLimits = ZipLimits()) -> list[str]:
    """The CSV members of a zip that passes :func:`check_zip`, in name order."""
    return sorted(m for m in check_zip(source, name, limits) if m.lower().endswith(".csv"))
