"""Writing and hashing the store's files: a lock, write-then-rename, Parquet as the store writes it."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["LOCK", "hash_bytes", "hash_file", "locked", "write_atomic", "write_parquet"]

#: The file a store's readers and writers lock (fcntl.flock); never removed.
LOCK = "lock"


@contextlib.contextmanager
def locked(store: Path, exclusive: bool) -> Iterator[None]:
    """Hold the store's lock while the block runs: exclusive to write, shared to read."""
    store.mkdir(parents=True, exist_ok=True)
    with open(store / LOCK, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary file in the same folder, then rename over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    try:
        write(temp)
        os.replace(temp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def write_parquet(path: Path, table: pa.Table) -> int:
    """Write ``table`` (categoricals dictionary-encoded, nothing else: unique IDs only slow it) and return its size."""
    dictionary = [f.name for f in table.schema if pa.types.is_dictionary(f.type)]
    write_atomic(
        path,
        lambda temp: pq.write_table(table, temp, compression="zstd", use_dictionary=dictionary, write_statistics=False),
    )
    return path.stat().st_size


def hash_file(path: Path) -> str:
    """The SHA-256 of a file, read in blocks of 1 MiB."""
    digest = hashlib.sha256()  # hardware-accelerated on most CPUs: the fastest hashlib offers
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def hash_bytes(data: bytes) -> str:
    """What :func:`hash_file` gives for a file holding ``data``."""
    return hashlib.sha256(data).hexdigest()
