"""Where a data folder's store lives, and whether folders are read through a store at all.

The store is the default: every folder is read through it unless ``LOCAL_FOCUS_STORE=off``.
It sits beside the data (``DATA_DIR/.local-focus-store/``) when the folder can be written,
else in the user's cache; a public site never writes into the data folder, so its stores are
always in the cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import uuid
from collections.abc import Callable
from pathlib import Path

__all__ = [
    "STORE_DIR_ENV",
    "STORE_DIR_NAME",
    "STORE_ENV",
    "can_write",
    "cache_location",
    "store_enabled",
    "store_location",
]

#: The store's folder inside a writable data folder.
STORE_DIR_NAME = ".local-focus-store"
#: ``LOCAL_FOCUS_STORE=off`` (or 0, no, false) loads folders in memory; anything else reads them through the store.
STORE_ENV = "LOCAL_FOCUS_STORE"
#: When set, every folder's store lives under this folder (one sub-folder per data folder).
STORE_DIR_ENV = "LOCAL_FOCUS_STORE_DIR"

_OFF = {"off", "0", "no", "false"}


def store_enabled() -> bool:
    """True unless ``LOCAL_FOCUS_STORE`` is ``off`` (or 0, no, false): then a folder loads in memory."""
    return os.environ.get(STORE_ENV, "").strip().lower() not in _OFF


def can_write(folder: Path) -> bool:
    """True when a file can really be created in ``folder`` (a write attempt, not only permission bits).

    ``os.access`` is asked first (it says no for a read-only mount or a folder without
    write permission); then a file is created and removed, which catches what
    permission bits do not (root on a read-only bind mount, a full disk).
    """
    folder = Path(folder)
    if not os.access(folder, os.W_OK):
        return False
    probe = folder / f".local-focus-probe-{os.getpid()}-{uuid.uuid4().hex}"
    try:
        probe.write_bytes(b"")
    except OSError:
        return False
    with contextlib.suppress(OSError):
        probe.unlink()
    return True


def _path_key(folder: Path) -> str:
    return hashlib.blake2b(str(folder.resolve()).encode("utf-8"), digest_size=8).hexdigest()


def cache_location(folder: Path | str) -> Path:
    """``$XDG_CACHE_HOME/local-focus/<hash of the folder's absolute path>/`` (default ``~/.cache/local-focus/``)."""
    cache = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(cache).expanduser() / "local-focus" / _path_key(Path(folder))


def _public_site() -> bool:
    from analysis.access import writes_allowed  # access imports the loaders, which import this module

    return not writes_allowed()


def store_location(folder: Path | str, writable: Callable[[Path], bool] = can_write) -> Path:
    """Where the store of ``folder`` is.

    ``$LOCAL_FOCUS_STORE_DIR/<hash>/`` when that is set; else, on a public site
    (``LOCAL_FOCUS_MODE=public``), which never writes into the data folder, the cache
    (:func:`cache_location`); else ``folder/.local-focus-store`` when the store is already
    there or the folder is writable; else the cache.

    Parameters
    ----------
    folder : path
        The data folder.
    writable : callable
        Says whether a folder can be written (injectable for tests).
    """
    folder = Path(folder).resolve()
    configured = os.environ.get(STORE_DIR_ENV, "").strip()
    if configured:
        return Path(configured).expanduser() / _path_key(folder)
    if _public_site():
        return cache_location(folder)
    inside = folder / STORE_DIR_NAME
    if (inside.is_dir() and writable(inside)) or writable(folder):
        return inside
    return cache_location(folder)
