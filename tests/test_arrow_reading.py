"""The store's reading of a street-level file (Arrow, no frame of rows) agrees with the in-memory loader's (pandas).

:func:`analysis.load.incidents.read_typed` checks and types a file from pyarrow's table; the
in-memory path (:func:`analysis.load.incidents._read_one` then ``_typed``) does it in pandas.
Both must accept the same rows, reject the same rows with the same line, text and reasons, and
type every accepted row alike, on hand-made bad files and on mutated ones (Hypothesis). The
places of a file are keyed from Arrow as the stored places are keyed from pandas.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.load.checks import Answers
from analysis.load.hubs import hubs_from_lsoa_names
from analysis.load.incidents import IncidentSource, _read_one, _typed, read_typed
from analysis.store.places import PLACE_KEYS, Places, _records_by_name
from tests.conftest import POLICE_HEADER
from tests.test_fuzz_loaders import _encode, _mutate
from tests.test_vectorised_checks import ASB, GOOD, ROWS

NAME = "2019-01-cumbria-street.csv"


def _source(text: str | bytes) -> IncidentSource:
    content = text.encode("utf-8") if isinstance(text, str) else text
    return IncidentSource(NAME, Path(NAME), content=content)


def _file(*rows: str, header: str = POLICE_HEADER, newline: str = "\n") -> str:
    return newline.join([header, *rows]) + newline


def assert_same_reading(source: IncidentSource) -> None:
    """read_typed gives what the in-memory loader gives: the report, then every typed column."""
    frame, _, old, columns = _read_one(source)
    for threads in (True, False):
        table, _, new = read_typed(source, use_threads=threads)
        assert (new.rows_read, new.rows_accepted, new.problem, new.notes) == (
            old.rows_read,
            old.rows_accepted,
            old.problem,
            old.notes,
        )
        pd.testing.assert_frame_equal(new.rejected, old.rejected)
        assert new.balanced
        if frame is None:
            assert table is None
            continue
        typed = _typed(frame, columns)
        want = pa.Table.from_pandas(typed, preserve_index=False)
        assert table.column_names == want.column_names
        for name in table.column_names:
            ours, theirs = table[name], want[name]
            if name == "month":  # a period in pandas, its text in Arrow
                assert ours.to_pylist() == [str(p) for p in typed["month"]]
                continue
            assert ours.to_pylist() == theirs.to_pylist(), name
            if pa.types.is_dictionary(theirs.type):
                assert ours.type.index_type == theirs.type.index_type, name
                assert ours.combine_chunks().dictionary.to_pylist() == theirs.chunk(0).dictionary.to_pylist(), name
            else:
                assert ours.type == theirs.type, name


ODD_ROWS = [
    GOOD.replace("2019-01", "٢٠١٩-01"),  # digits of another script: Python's \d, not RE2's
    GOOD.replace("E01019126", "E01٠١٩١٢٦"),
    GOOD.replace("-3.387233", "-３.387233"),
    GOOD.replace("Burglary", "BURGLARY"),
    GOOD.replace("Burglary", "\u00a0Burglary"),
    GOOD.replace("Burglary", "Public  order"),
    GOOD.replace("Allerdale 001A", "Allerdale 001A\u2028"),
    GOOD.replace("E01019126", "\tE01019126\x1f"),
    GOOD.replace("aaa1", "  aaa1 "),
    GOOD.replace("2019-01", "2019-01 "),
    GOOD.replace("2019-01", "2019-1"),
    GOOD.replace("-3.387233,54.868024", "-8.8,61.0"),
    GOOD.replace("-3.387233,54.868024", "-8.80000000001,61.00000000001"),
    GOOD.replace("-3.387233,54.868024", "1e0,5.5e1"),
    GOOD.replace("-3.387233,54.868024", "   ,   "),
    GOOD.replace("On or near Eden Street", "x" * 90),
    GOOD.replace("2019-01", "y" * 90),
    ",,,,,,,,,,,",
    "   ",
]

CASES = {
    "mixed": _file(*ROWS),
    "odd": _file(*ODD_ROWS, *ROWS[:3]),
    "only bad": _file(ROWS[2], ROWS[25]),
    "header only": _file(),
    "crlf and bom": "\ufeff" + _file(*ROWS[:8], newline="\r\n"),
    "quoted newline": _file(GOOD.replace("On or near Eden Street", '"On or near\nEden Street"'), ASB, ROWS[4]),
    "reordered with extra": _file(
        *[",".join([*r.split(",")[1:], r.split(",")[0], "extra"]) for r in (GOOD, ASB, ROWS[2])],
        header=",".join([*POLICE_HEADER.split(",")[1:], "Crime ID", "Notes"]),
    ),
    "extra named as ours": _file(GOOD + ",x", ASB + ",y", header=POLICE_HEADER + ",month"),
    "no header": "nothing,here\n1,2\n",
    "wide": _file(*[GOOD.replace("Allerdale 001A", f"Allerdale {i:03d}A").replace("aa", f"{i}") for i in range(300)]),
}


@pytest.mark.parametrize("text", list(CASES.values()), ids=list(CASES))
def test_arrow_reading_agrees_with_the_in_memory_loader(text):
    assert_same_reading(_source(text))


def test_windows_1252_file_agrees():
    assert_same_reading(_source(_file(GOOD.replace("Eden Street", "Café Street"), ASB).encode("cp1252")))


def test_unreadable_file_agrees():
    assert_same_reading(_source(b"\xff\xfeC\x00r\x00"))


FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(data=st.data())
def test_mutated_files_read_alike(data):
    base = _file(*ROWS[:12], *ODD_ROWS[:6], GOOD, ASB)
    assert_same_reading(_source(_encode(_mutate(base, data), data)))


def _place_rows(seed: int) -> pa.Table:
    rng = random.Random(seed)
    codes = ["E01019126", "", "E01019127", " E1 "]
    lon = pa.array([rng.choice([-3.1, None, -0.0, 0.0, -3.25]) for _ in range(40)], pa.float64())
    return pa.table(
        {
            "force": pa.array(["cumbria"] * 40).dictionary_encode(),
            "lsoa_code": pa.array([rng.choice(codes) for _ in range(40)]).dictionary_encode(),
            "lsoa_name": pa.array([rng.choice(["a", "b", "é"]) for _ in range(40)]),
            "longitude": lon,
            "latitude": pa.array([None if v is None else 54.5 for v in lon.to_pylist()], pa.float64()),
        }
    )


@pytest.mark.parametrize("seed", range(4))
def test_places_keyed_from_arrow_as_from_pandas(seed):
    rows = _place_rows(seed)
    assert Places.table_keys(rows) == Places._keys(rows.to_pandas())


@pytest.mark.parametrize("seed", range(4))
def test_new_places_make_the_frame_a_frame_of_tuples_made(seed):
    places = Places()
    rows = _place_rows(seed)
    numbered: dict[tuple, int] = {}
    want = [numbered.setdefault(key, len(numbered)) for key in Places.table_keys(rows)]
    assert places.ids_for(rows).tolist() == want  # a place met again keeps its id
    assert places.new == list(numbered)
    old = pd.DataFrame(places.new, columns=PLACE_KEYS).astype({"longitude": "float64", "latitude": "float64"})
    pd.testing.assert_frame_equal(places._fresh(), old)
    assert places._fresh().dtypes.to_dict() == {
        "force": "str",
        "lsoa_code": "str",
        "lsoa_name": "str",
        "longitude": np.dtype("float64"),
        "latitude": np.dtype("float64"),
    }


@FUZZ
@given(data=st.data())
def test_answers_kept_across_files_change_no_reading(data):
    """A value met in an earlier file is answered from memory: every file still reads as on its own."""
    answers = Answers()
    base = _file(*ROWS[:12], *ODD_ROWS[:6], GOOD, ASB)
    for _ in range(3):
        source = _source(_encode(_mutate(base, data), data))
        table, _, report = read_typed(source, answers=answers)
        alone, _, want = read_typed(source)
        pd.testing.assert_frame_equal(report.rejected, want.rejected)
        assert (report.rows_read, report.rows_accepted, report.notes) == (
            want.rows_read,
            want.rows_accepted,
            want.notes,
        )
        assert (table is None and alone is None) or table.equals(alone)


@pytest.mark.parametrize("seed", range(3))
def test_districts_of_names_summed_are_those_of_every_place(seed):
    """A force's districts are counted over its LSOA names summed, as over each of its places."""
    rng = np.random.default_rng(seed)
    names = ["Carlisle 001A", "Carlisle 002B", " Eden 003C", "Eden 003C ", "Allerdale 001A", "nodistrict", ""]
    frame = pd.DataFrame(
        {
            "force": pd.Series(rng.choice(["a", "b", "c"], 300), dtype="str"),
            "lsoa_name": pd.Series(rng.choice(names, 300), dtype="str"),
        }
    )
    records = pd.Series(rng.integers(0, 4, 300), dtype="int64")
    summed = _records_by_name(frame, records)
    for force in ("a", "b", "c"):
        own = (frame["force"] == force) & (records > 0)
        want = hubs_from_lsoa_names(frame.loc[own], records=records.loc[own], min_share=0.2)
        got = hubs_from_lsoa_names(
            pd.DataFrame({"lsoa_name": summed[force][0]}), records=summed[force][1], min_share=0.2
        )
        pd.testing.assert_frame_equal(got, want)
