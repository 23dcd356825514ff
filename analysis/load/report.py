"""Validation reports: rows read = accepted + rejected, nothing lost.

Every loader returns a :class:`FileReport` per file it read. A rejected row keeps
its file, line number, original text and every reason it was rejected. A file
that cannot be used at all carries one plain sentence in ``problem``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

__all__ = ["REJECTED_COLUMNS", "FileReport", "empty_rejected", "reports_frame", "rejected_rows"]

#: Columns of a rejected-rows table.
REJECTED_COLUMNS: tuple[str, ...] = ("file", "line", "text", "reasons")


def _rejected_template() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "file": pd.Series(dtype="str"),
            "line": pd.Series(dtype="int64"),
            "text": pd.Series(dtype="str"),
            "reasons": pd.Series(dtype="str"),
        }
    )


_EMPTY_REJECTED = _rejected_template()


def empty_rejected() -> pd.DataFrame:
    """Return an empty rejected-rows table with the standard columns (a copy: building one anew is slow)."""
    return _EMPTY_REJECTED.copy()


@dataclass
class FileReport:
    """What happened to one file.

    Attributes
    ----------
    file : str
        The file's path relative to the data folder (or its upload name).
    kind : str
        Which contract file it is: ``incidents``, ``hubs.csv``, ``areas.geojson`` ...
    rows_read : int
        Data rows found in the file (header excluded).
    rows_accepted : int
        Rows that passed every check and are used.
    rejected : pandas.DataFrame
        One row per rejected row: ``file, line, text, reasons`` (reasons joined by "; ").
    problem : str or None
        One plain sentence when the file cannot be used at all.
    notes : list of str
        Things worth knowing that reject nothing (e.g. "read as Windows-1252").
    """

    file: str
    kind: str
    rows_read: int = 0
    rows_accepted: int = 0
    rejected: pd.DataFrame = field(default_factory=empty_rejected)
    problem: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def rows_rejected(self) -> int:
        """Rows kept aside with their reasons."""
        return len(self.rejected)

    @property
    def usable(self) -> bool:
        """True when the file could be read (some rows may still be rejected)."""
        return self.problem is None

    @property
    def balanced(self) -> bool:
        """True when rows read = accepted + rejected."""
        return self.rows_read == self.rows_accepted + self.rows_rejected

    def to_dict(self) -> dict:
        """Return a JSON-ready summary, without the rejected rows themselves."""
        return {
            "file": self.file,
            "kind": self.kind,
            "usable": self.usable,
            "rows_read": self.rows_read,
            "rows_accepted": self.rows_accepted,
            "rows_rejected": self.rows_rejected,
            "problem": self.problem,
            "notes": list(self.notes),
        }


def reports_frame(reports: list[FileReport]) -> pd.DataFrame:
    """One row per file: the summary a person reads first."""
    rows = [r.to_dict() for r in reports]
    frame = pd.DataFrame(
        rows,
        columns=["file", "kind", "usable", "rows_read", "rows_accepted", "rows_rejected", "problem", "notes"],
    )
    return frame.assign(notes=frame["notes"].map(lambda n: "; ".join(n) if isinstance(n, list) else ""))


def rejected_rows(reports: list[FileReport]) -> pd.DataFrame:
    """All rejected rows of all files, in file then line order."""
    frames = [r.rejected for r in reports if len(r.rejected)]
    if not frames:
        return empty_rejected()
    return pd.concat(frames, ignore_index=True).sort_values(["file", "line"], kind="stable", ignore_index=True)
