"""Rows of the store rejected across files: a month loaded from another file, a later copy of a Crime ID.

Both are worked out over every file at once, after the files that changed were ingested
(where each record is placed is :mod:`analysis.store.places`): a force's month held by two files
is loaded from one (:func:`analysis.load.resupply.resupplied_months`, over the manifest's months of each file);
a Crime ID is hashed once by DuckDB over the files' remaining rows.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis.load.incidents import REPEAT_REASON, IncidentSource, find_incident_sources
from analysis.load.resupply import Resupply, resupplied_months
from analysis.load.textio import RawTable, read_csv_bytes
from analysis.schema import POLICE_UK_COLUMNS

__all__ = ["repeats", "resupplied", "resupplied_rows"]


def _crime_ids(store: Path, entry: dict, fresh: dict[str, tuple[pa.Array, np.ndarray]]) -> tuple[pa.Array, np.ndarray]:
    """A file's Crime IDs and record positions, in file order: from this run, or read back from its partitions."""
    if entry["name"] in fresh:
        return fresh[entry["name"]]
    tables = [pq.read_table(store / part["file"], columns=["crime_id", "_pos"]) for part in entry["parts"]]
    table = pa.concat_tables(tables)
    ids, positions = table["crime_id"].combine_chunks().cast(pa.large_string()), table["_pos"].to_numpy()
    if np.any(np.diff(positions) < 0):
        order = np.argsort(positions, kind="stable")
        ids, positions = ids.take(pa.array(order)), positions[order]
    return ids, positions


def _kept(found: tuple[pa.Array, np.ndarray], dropped: np.ndarray | None) -> tuple[pa.Array, np.ndarray]:
    """A file's Crime IDs and positions without the records at ``dropped``."""
    if dropped is None or not len(dropped):
        return found
    ids, positions = found
    keep = ~np.isin(positions, dropped)
    return ids.filter(pa.array(keep)), positions[keep]


def _month_rows(store: Path, entry: dict, force: str, month: str) -> pd.DataFrame:
    """``crime_id`` and ``_pos`` of a file's records of one force's month (``Falls within`` as written)."""
    tables = [
        pq.read_table(store / part["file"], columns=["crime_id", "falls_within", "_pos"])
        for part in entry["parts"]
        if part["month"] == month
    ]
    if not tables:
        return pd.DataFrame({"crime_id": pd.Series(dtype="str"), "_pos": pd.Series(dtype="int64")})
    table = pa.concat_tables(tables, promote_options="permissive")
    falls_within = table["falls_within"].combine_chunks()
    if pa.types.is_dictionary(falls_within.type):
        falls_within = falls_within.cast(pa.string())
    table = table.filter(pc.equal(falls_within, pa.scalar(force, pa.string())))
    return pd.DataFrame(
        {"crime_id": table["crime_id"].to_numpy(zero_copy_only=False), "_pos": table["_pos"].to_numpy()}
    )


def resupplied(store: Path, manifest: dict, modified) -> list[Resupply]:
    """The months loaded from another file, by the rule of :func:`analysis.load.resupply.resupplied_months`.

    Worked out from each file's months in the manifest (``Falls within``, month, rows); Crime
    IDs are read back only for two files not both named for the month. ``modified(name)`` is
    when a file was last changed.
    """
    entries = {e["name"]: e for e in manifest["sources"]}
    months = [
        (force, month, e["name"], rows) for e in manifest["sources"] for force, month, rows in e.get("months", [])
    ]

    def crime_ids(name: str, force: str, month: str) -> set[str]:
        ids = _month_rows(store, entries[name], force, month)["crime_id"]
        return set(ids[ids != ""])

    return resupplied_months(months, modified, crime_ids)


def resupplied_rows(
    store: Path, manifest: dict, found: list[Resupply], raws: dict[str, RawTable], previous: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The records of months loaded from another file (the columns of :func:`repeats`), and their positions per file."""
    columns = {"source_file": "str", "_pos": "int64", "line": "int64", "text": "str", "reasons": "str"}
    empty = pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()}).assign(hash=pd.Series(dtype="str"))
    if not found:
        return empty, {}
    entries = {e["name"]: e for e in manifest["sources"]}
    known = previous.set_index(["source_file", "_pos", "hash"])[["line", "text"]] if len(previous) else None
    parts, dropped = [], {}
    for clash in found:
        entry = entries[clash.loser]
        positions = np.sort(_month_rows(store, entry, clash.force, clash.month)["_pos"].to_numpy())
        lines, texts = _locate(clash.loser, positions, raws, known, entry["hash"], manifest)
        parts.append(
            pd.DataFrame(
                {"source_file": clash.loser, "_pos": positions, "line": lines, "text": texts, "reasons": clash.reason}
            ).assign(hash=entry["hash"])
        )
        dropped[clash.loser] = np.concatenate([dropped.get(clash.loser, np.array([], dtype=np.int64)), positions])
    return pd.concat(parts, ignore_index=True)[[*columns, "hash"]].astype(columns), dropped


def repeats(
    store: Path,
    manifest: dict,
    raws: dict[str, RawTable],
    previous: pd.DataFrame,
    fresh: dict[str, tuple[pa.Array, np.ndarray]],
    dropped: dict[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """Later copies of a Crime ID across every file, in file order, with their line, text and reason.

    Every Crime ID is hashed once by DuckDB (:func:`_repeat_candidates`); only IDs whose
    hash is seen more than once are compared exactly. ``dropped`` holds, per file, the positions
    of records already rejected across files (a month loaded from another file): they
    neither repeat nor are repeated, as in :func:`analysis.incidents.load_incidents`.
    """
    columns = {"source_file": "str", "_pos": "int64", "line": "int64", "text": "str", "reasons": "str"}
    empty = pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()}).assign(hash=pd.Series(dtype="str"))
    entries = [e for e in manifest["sources"] if e["parts"]]
    if not entries:
        return empty
    ids, positions = zip(
        *(_kept(_crime_ids(store, e, fresh), (dropped or {}).get(e["name"])) for e in entries), strict=True
    )
    everything = pa.chunked_array(ids, type=pa.large_string())
    candidates = _repeat_candidates(everything)
    if not len(candidates):
        return empty
    encoded = pc.dictionary_encode(everything.take(pa.array(candidates))).combine_chunks()
    code_of = encoded.indices.to_numpy(zero_copy_only=False)  # exact: a hash shared by two IDs repeats neither
    file_of = np.repeat(np.arange(len(entries)), [len(p) for p in positions])[candidates]
    later = pd.Series(code_of).duplicated(keep="first").to_numpy()  # rows are in file order already
    first_file = pd.Series(file_of, index=code_of)[~later]
    names = np.array([e["name"] for e in entries], dtype=object)
    rows = pd.DataFrame(
        {
            "source_file": names[file_of[later]],
            "_pos": np.concatenate(positions)[candidates][later],
            "reasons": [REPEAT_REASON.format(names[f]) for f in first_file.reindex(code_of[later]).to_numpy()],
        }
    )
    hashes = {entry["name"]: entry["hash"] for entry in entries}
    known = previous.set_index(["source_file", "_pos", "hash"])[["line", "text"]] if len(previous) else None
    parts = []
    for name, group in rows.groupby("source_file", sort=False):
        lines, texts = _locate(name, group["_pos"].to_numpy(), raws, known, hashes[name], manifest)
        parts.append(group.assign(line=lines, text=texts, hash=hashes[name]))
    return pd.concat(parts, ignore_index=True)[[*columns, "hash"]].astype(columns)


def _repeat_candidates(ids: pa.ChunkedArray) -> np.ndarray:
    """Positions (sorted) of the non-blank Crime IDs whose hash is seen more than once: every repeated ID is among them.

    DuckDB hashes the IDs on every core, the GIL released; numpy finds the hashes seen twice,
    and only these few IDs are then compared exactly.
    """
    with duckdb.connect() as con:
        con.register("ids", pa.table({"pos": np.arange(len(ids), dtype=np.int64), "crime_id": ids}))
        found = con.sql("SELECT pos, hash(crime_id) AS hash FROM ids WHERE crime_id <> ''").fetchnumpy()
    positions, hashes = np.asarray(found["pos"], dtype=np.int64), np.asarray(found["hash"])
    seen = np.sort(hashes)
    twice = np.unique(seen[1:][seen[1:] == seen[:-1]])
    return np.sort(positions[np.isin(hashes, twice)]) if len(twice) else np.empty(0, dtype=np.int64)


def _locate(name, positions, raws, known, content, manifest) -> tuple[np.ndarray, list[str]]:
    """Line and text of records in a file: from this run, from the last run, or by reading the file again."""
    if name in raws:
        return raws[name].locate(positions)
    if known is not None:
        keys = pd.MultiIndex.from_arrays([[name] * len(positions), positions, [content] * len(positions)])
        found = known.reindex(keys)
        if found["line"].notna().all():
            return found["line"].astype("int64").to_numpy(), found["text"].astype("str").tolist()
    source = _source_of(Path(manifest["folder"]), name)
    raws[name] = read_csv_bytes(source.read_bytes(), name, POLICE_UK_COLUMNS)
    return raws[name].locate(positions)


def _source_of(folder: Path, name: str) -> IncidentSource:
    sources, _ = find_incident_sources(folder / "incidents")
    return next(s for s in sources if s.name == name)
