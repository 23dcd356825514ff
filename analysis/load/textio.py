"""Read a CSV file's bytes into a table of strings, keeping every row's line number.

Handles UTF-8 with or without BOM and Windows-1252, LF or CRLF line ends, quoted
newlines, reordered and extra columns. Parsing uses pyarrow; a file with rows of the
wrong width falls back to Python's csv module so those rows can be kept with
their line numbers rather than lost.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from analysis.errors import DataProblem

__all__ = ["RawTable", "UnusableFile", "read_csv_bytes"]

log = logging.getLogger(__name__)

# A quoted cell may be long (a case summary, a pasted note): csv's default 128 KiB per field would
# stop the exact re-read of a file that pyarrow has already parsed.
csv.field_size_limit(max(csv.field_size_limit(), 1 << 26))


class UnusableFile(DataProblem):
    """A file that cannot be used at all; the message is one plain sentence."""


@dataclass
class RawTable:
    """A CSV file parsed into strings.

    Attributes
    ----------
    table : pyarrow.Table
        One row per well-formed record, every cell a string ("" when blank);
        the header names stripped of spaces and BOM.
    bad_width : pandas.DataFrame
        Records with the wrong number of fields: ``line, text, reasons``.
    notes : list of str
        How the file was read (encoding, line ends), for the report.
    frame : pandas.DataFrame
        ``table`` as pandas strings (dtype ``str``), made when first asked for.
    """

    table: pa.Table
    data: bytes
    bad_width: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    _lines: np.ndarray | None = None
    _record_text: list[str] | None = None
    _frame: pd.DataFrame | None = None

    @property
    def frame(self) -> pd.DataFrame:
        """The records as a pandas frame of strings (converted from :attr:`table` once)."""
        if self._frame is None:
            self._frame = _to_pandas(self.table)
        return self._frame

    @frame.setter
    def frame(self, frame: pd.DataFrame) -> None:
        self._frame = frame
        self.table = _from_pandas(frame)

    def rename(self, names: dict[str, str]) -> None:
        """Rename columns (``{old: new}``) of the table and of its frame."""
        self.table = self.table.rename_columns([names.get(c, c) for c in self.table.column_names])
        if self._frame is not None:
            self._frame = self._frame.rename(columns=names)

    @property
    def rows_read(self) -> int:
        """Every data record in the file, well-formed or not."""
        return self.table.num_rows + len(self.bad_width)

    def locate(self, positions: np.ndarray) -> tuple[np.ndarray, list[str]]:
        """Return the 1-based line numbers and original text of the given records.

        Parameters
        ----------
        positions : numpy.ndarray
            0-based positions of records in ``frame``.
        """
        if self._lines is None:
            self._lines, self._record_text = _record_lines(self.data.decode("utf-8"))
        positions = np.asarray(positions, dtype=int)
        return self._lines[positions], [self._record_text[p] for p in positions]


def _check_bytes(raw: bytes, name: str) -> tuple[bytes, list[str]]:
    """Refuse what is not text; strip a UTF-8 byte-order mark."""
    notes: list[str] = []
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise UnusableFile(f"{name} is saved as UTF-16: save it again as CSV (UTF-8) and reload it.")
    if raw[:4] == b"PK\x03\x04":
        raise UnusableFile(f"{name} is a spreadsheet or zip, not a CSV file: save it as CSV (UTF-8) and reload it.")
    if b"\x00" in raw[:65536]:
        raise UnusableFile(f"{name} is not a text file: it should be a CSV file as police.uk or this app provides.")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        notes.append("UTF-8 with byte-order mark")
    if b"\r\n" in raw[:65536]:
        notes.append("Windows (CRLF) line ends")
    return raw, notes


def _is_utf8(data: bytes, chunk: int = 1 << 20) -> bool:
    """True when ``data`` is UTF-8, checked a chunk at a time (never a whole copy of a large file as text)."""
    if not data or np.frombuffer(data, dtype=np.uint8).max() < 0x80:  # ASCII (most files) is UTF-8: no decoder
        return True  # numpy scans the bytes without the GIL, so the other file's thread runs meanwhile
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(view), chunk):
            decoder.decode(view[start : start + chunk])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _from_cp1252(raw: bytes, name: str) -> bytes:
    """Re-encode a Windows-1252 file as UTF-8, or refuse it."""
    try:
        return raw.decode("cp1252").encode("utf-8")
    except UnicodeDecodeError:
        raise UnusableFile(
            f"{name} is not readable text (neither UTF-8 nor Windows-1252): save it as CSV (UTF-8) and reload it."
        ) from None


def _header(text: str) -> list[str]:
    try:
        first = next(csv.reader(io.StringIO(text[:65536], newline="")), [])
    except csv.Error:  # e.g. a lone carriage return or a quote left open in the first line
        return []
    return [h.strip().lstrip("\ufeff").strip() for h in first]


#: Where a CSV line ends, for the csv module and pyarrow alike (``str.splitlines`` also breaks at
#: a vertical tab, a form feed and other characters that are data inside a CSV field).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _record_lines(text: str) -> tuple[np.ndarray, list[str]]:
    """Line number (1-based) and original text of every data record, header excluded.

    A record is every line that is not empty, as pyarrow reads them: a line of commas alone
    (every field blank) or of spaces is a record, to be rejected with its reasons, never skipped.
    """
    if '"' not in text:
        physical = _LINE_BREAK.split(text)
        numbers = [i + 1 for i, line in enumerate(physical) if line]
        numbers = numbers[1:]
        return np.asarray(numbers, dtype=int), [physical[n - 1] for n in numbers]
    physical = _LINE_BREAK.split(text)
    reader = csv.reader(io.StringIO(text, newline=""))
    starts, texts, previous_end = [], [], 0
    for row in reader:
        end = reader.line_num
        start = previous_end + 1
        previous_end = end
        if not row:
            continue
        starts.append(start)
        texts.append("\n".join(physical[start - 1 : end]))
    return np.asarray(starts[1:], dtype=int), texts[1:]


def _python_parse(text: str, columns: list[str]) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, list[str]]:
    """Slow, exact parse for files with rows of the wrong width."""
    lines, texts = _record_lines(text)
    reader = csv.reader(io.StringIO(text, newline=""))
    records = [row for row in reader if row][1:]
    width = len(columns)
    good_rows, good_pos, bad = [], [], []
    for pos, row in enumerate(records):
        if len(row) == width:
            good_rows.append(row)
            good_pos.append(pos)
        else:
            bad.append(
                {
                    "line": int(lines[pos]),
                    "text": texts[pos],
                    "reasons": f"has {len(row)} fields where the header has {width}",
                }
            )
    frame = (
        pd.DataFrame(good_rows, columns=columns, dtype="str")
        if good_rows
        else pd.DataFrame({c: pd.Series(dtype="str") for c in columns})
    )
    bad_frame = pd.DataFrame(bad, columns=["line", "text", "reasons"])
    keep = np.asarray(good_pos, dtype=int)
    return frame, bad_frame, lines[keep] if len(keep) else np.asarray([], dtype=int), [texts[p] for p in keep]


def read_csv_bytes(
    raw: bytes, name: str, required: Sequence[str], *, what: str = "", use_threads: bool = True
) -> RawTable:
    """Parse a CSV file's bytes into strings.

    Parameters
    ----------
    raw : bytes
        The file's content.
    name : str
        The file's name, used in messages.
    required : sequence of str
        Columns that must be in the header (any order; extra columns are kept).
    what : str
        A hint for the user on what the header should be, appended to the message.
    use_threads : bool
        Parse on pyarrow's threads (False for a caller that reads several files at once on its own threads).

    Returns
    -------
    RawTable

    Raises
    ------
    UnusableFile
        When the file is empty, not text, or lacks required columns.
    """
    if not raw or raw.isspace():  # raw.strip() would copy the whole file
        raise UnusableFile(f"{name} is empty: it needs a header line and at least one row.")
    data, notes = _check_bytes(raw, name)
    if not _is_utf8(data):
        data = _from_cp1252(data, name)
        notes.append("read as Windows-1252")
    columns = _header(data[:65536].decode("utf-8", errors="replace"))
    if not any(columns):
        raise UnusableFile(f"{name} has no header line: the first line must name the columns.")
    missing = [c for c in required if c not in columns]
    if missing:
        hint = f" {what}" if what else ""
        lacking = (
            f"missing: {', '.join(missing)}"
            if len(missing) <= 4
            else f"it lacks {len(missing)} of the {len(required)} required columns"
        )
        raise UnusableFile(f"{name} does not have the expected header ({lacking}).{hint}")
    if len(set(columns)) != len(columns):
        raise UnusableFile(f"{name} names a column twice in its header: each column name must appear once.")
    bad_width = 0

    def _count_bad(_row: pacsv.InvalidRow) -> str:
        nonlocal bad_width
        bad_width += 1
        return "skip"

    quoted = b'"' in data
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=columns, skip_rows=1, use_threads=use_threads),
            parse_options=pacsv.ParseOptions(newlines_in_values=quoted, invalid_row_handler=_count_bad),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in columns},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException) as e:
        log.warning("pyarrow could not parse %s: %s", name, e)  # the library's words go to the log, not the screen
        raise UnusableFile(f"{name} could not be read as CSV: check it is a comma-separated file.") from e
    if bad_width:
        try:
            frame, bad, lines, texts = _python_parse(data.decode("utf-8"), columns)
        except csv.Error as e:
            log.warning("The csv module could not parse %s: %s", name, e)
            raise UnusableFile(f"{name} could not be read as CSV: check it is a comma-separated file.") from None
        return RawTable(_from_pandas(frame), data, bad, notes, lines, texts, frame)
    return RawTable(table, data, pd.DataFrame(columns=["line", "text", "reasons"]), notes)


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    """A table of strings as pandas strings (dtype ``str``, backed by Arrow)."""
    text = pd.StringDtype("pyarrow", na_value=np.nan)
    return table.to_pandas(types_mapper={pa.string(): text, pa.large_string(): text}.get)


def _from_pandas(frame: pd.DataFrame) -> pa.Table:
    """A pandas frame of strings as an Arrow table of ``string`` columns, as pyarrow's parse gives."""
    arrays = [pa.array(frame[c].array).cast(pa.string()) for c in frame.columns]
    arrays = [a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a for a in arrays]
    return pa.Table.from_arrays(arrays, names=list(frame.columns))
