"""The column-at-a-time checks and typing of a street-level file give what row-by-row work gives.

Each check is asked once per distinct value (:class:`analysis.load.checks.Distinct`) and each
column typed from its distinct values; these tests redo the same work one row at a time, the
slow obvious way, on hand-made bad rows, and compare every reason, line and typed value.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from analysis.load.checks import Distinct, constant, distinct, first_seen, is_number, row_reasons
from analysis.load.incidents import IncidentSource, _read_one, _rules, _typed, read_typed
from analysis.schema import CRIME_TYPES
from analysis.store.places import Places
from tests.conftest import POLICE_HEADER

GOOD = (
    "aaa1,2019-01,Cumbria Constabulary,Cumbria Constabulary,-3.387233,54.868024,On or near Eden Street,"
    "E01019126,Allerdale 001A,Burglary,Under investigation,"
)
ASB = (
    ",2019-01,Cumbria Constabulary,Cumbria Constabulary,-3.384851,54.860349,On or near B5301,E01019126,"
    "Allerdale 001A,Anti-social behaviour,,"
)
#: Rows that break one rule or several (blank fields, bad months, coordinates outside Great Britain,
#: odd crime types, an LSOA code of the wrong shape, quoted commas), mixed with good ones.
ROWS = [
    GOOD,
    ASB,
    GOOD.replace("2019-01", "2019-13"),
    GOOD.replace("2019-01", " 2019-01"),
    GOOD.replace("2019-01", ""),
    GOOD.replace("2019-01", "1999-12"),
    GOOD.replace("Burglary", "burglary "),
    GOOD.replace("Burglary", "Flying saucers"),
    GOOD.replace("Burglary", "Other  theft"),
    GOOD.replace("Burglary", ""),
    GOOD.replace("-3.387233", "200"),
    GOOD.replace("-3.387233", " -3.387233 "),
    GOOD.replace("-3.387233", "-3.3872330"),
    GOOD.replace("-3.387233", "west"),
    GOOD.replace("54.868024", ""),
    GOOD.replace("-3.387233,54.868024", ","),
    GOOD.replace("-3.387233,54.868024", "2.0,61.0"),
    GOOD.replace("-3.387233,54.868024", "-8.81,49.79"),
    GOOD.replace("54.868024", "nan"),
    GOOD.replace("E01019126", "E0101"),
    GOOD.replace("E01019126", " E01019126 "),
    GOOD.replace("E01019126", ""),
    GOOD.replace("On or near Eden Street", '"On or near Eden Street, Carlisle"'),
    GOOD.replace("Allerdale 001A", " Allerdale 001A"),
    "ccc3,2019-13,X,Y,north,,Nowhere,S01000001,Z,Violence,,",
    "only,three,fields",
    GOOD + ",one too many",
    ASB.replace("2019-01", "2019-02"),
]


def _source(rows: list[str], bom: bool = False, newline: str = "\n") -> IncidentSource:
    content = newline.join([POLICE_HEADER, *rows]).encode("utf-8") + newline.encode()
    name = "2019-01-cumbria-street.csv"
    return IncidentSource(name, Path(name), content=b"\xef\xbb\xbf" * bom + content)


def _reasons_row_by_row(frame: pd.DataFrame) -> dict[int, str]:
    """Every rule asked of each row on its own, as a one-row frame."""
    found = {}
    for at in range(len(frame)):
        row = frame.iloc[[at]].reset_index(drop=True)
        reasons = []
        lon, lat = row["Longitude"].iloc[0].strip(), row["Latitude"].iloc[0].strip()
        if (lon == "") != (lat == ""):
            reasons.append("has one coordinate without the other")
        for column, rules in _rules().items():
            for fn, message in rules:
                if not bool(np.asarray(fn(row[column]))[0]):
                    reasons.append(f"{column} '{str(row[column].iloc[0])[:60]}' {message}")
        if reasons:
            found[frame.index[at]] = "; ".join(dict.fromkeys(reasons))
    return found


@pytest.mark.parametrize("values", [["b", "a", "b", " b", ""], [], ["x"] * 5, ["é€Ω", "a,b", "a\nb", "é€Ω"]])
@pytest.mark.parametrize("kind", ["str", "object", "large_arrow", "arrow"])
def test_distinct_gives_what_factorize_gives(values, kind):
    if kind == "large_arrow":
        s = pd.Series(values, dtype="str")
    elif kind == "arrow":
        s = pd.Series(pd.arrays.ArrowExtensionArray(pa.chunked_array([pa.array(values, pa.string())])))
    else:
        s = pd.Series(values, dtype=kind)
    codes, uniques = distinct(s)
    expected_codes, expected = pd.factorize(s, use_na_sentinel=False)
    assert codes.tolist() == expected_codes.tolist()
    assert uniques.tolist() == list(expected)
    assert uniques.dtype == "str"


@pytest.mark.parametrize("seed", range(5))
def test_first_seen_is_distinct_of_the_rows_kept(seed):
    rng = np.random.default_rng(seed)
    s = pd.Series(rng.choice(["a", "b", "c", "d", "e", " a"], size=60), dtype="str")
    keep = np.flatnonzero(rng.random(60) < 0.4)
    codes, values = distinct(s)
    got_codes, got = first_seen(codes[keep], values)
    want_codes, want = distinct(s.iloc[keep])
    assert got_codes.tolist() == want_codes.tolist()
    assert got.tolist() == want.tolist()


def test_constant_is_distinct_of_a_column_of_one_value():
    for rows in (0, 3):
        codes, values = constant(rows, "a.csv")
        want_codes, want = distinct(pd.Series(["a.csv"] * rows, dtype="str"))
        assert codes.tolist() == want_codes.tolist() and values.tolist() == want.tolist()


def test_shared_distinct_values_give_the_reasons_row_by_row_work_gives():
    frame = pd.read_csv(
        io.StringIO("\n".join([POLICE_HEADER, *[r for r in ROWS if r.count(",") == 11]])),
        dtype="str",
        keep_default_na=False,
    ).astype("str")
    columns = Distinct(frame)
    both = columns.per_row("Longitude", lambda u: u.str.strip() == "") == columns.per_row(
        "Latitude", lambda u: u.str.strip() == ""
    )
    reasons = row_reasons(frame, _rules(), [(lambda _: both, "has one coordinate without the other")], columns)
    assert reasons.to_dict() == _reasons_row_by_row(frame)
    assert row_reasons(frame, _rules(), [(lambda _: both, "has one coordinate without the other")]).equals(reasons)


@pytest.mark.parametrize("bom,newline", [(False, "\n"), (True, "\r\n")])
def test_read_typed_types_each_row_as_row_by_row_work_does(bom, newline):
    table, raw, report = read_typed(_source(ROWS, bom=bom, newline=newline))
    typed = table.to_pandas()
    lines = report.rejected.set_index("line")["reasons"].to_dict()
    widths = [len(next(csv.reader([r]))) for r in ROWS]
    expected_reasons = {}
    for position, reason in _reasons_row_by_row(raw.frame).items():
        expected_reasons[int(raw.locate(np.array([position]))[0][0])] = reason
    for line, width in enumerate(widths, start=2):
        if width != 12:
            expected_reasons[line] = f"has {width} fields where the header has 12"
    # crime types are matched ignoring case and spaces before they are checked
    expected_reasons = {k: v for k, v in expected_reasons.items() if "burglary " not in v and "Other  theft" not in v}
    assert lines == expected_reasons
    assert report.rows_read == len(ROWS) and report.rows_accepted == len(typed)

    kept = raw.frame.iloc[typed["_pos"].to_numpy()]
    assert typed["month"].astype("str").tolist() == kept["Month"].tolist()
    for ours, theirs in (("longitude", "Longitude"), ("latitude", "Latitude")):
        want = [float(v.strip()) if v.strip() else math.nan for v in kept[theirs]]
        np.testing.assert_array_equal(typed[ours].to_numpy(), np.array(want, dtype="float64"))
    canonical = {t.casefold(): t for t in CRIME_TYPES}
    want_types = [canonical[" ".join(v.split()).casefold()] for v in kept["Crime type"]]
    assert typed["crime_type"].astype("str").tolist() == want_types
    assert list(typed["crime_type"].cat.categories) == list(CRIME_TYPES)
    assert typed["is_asb"].tolist() == [t == "Anti-social behaviour" for t in want_types]
    for ours, theirs, strip in (
        ("location", "Location", False),
        ("falls_within", "Falls within", False),
        ("outcome", "Last outcome category", False),
        ("lsoa_code", "LSOA code", True),
        ("lsoa_name", "LSOA name", True),
    ):
        values = [v.strip() if strip else v for v in kept[theirs]]
        assert typed[ours].astype("str").tolist() == values
        assert list(typed[ours].cat.categories) == list(dict.fromkeys(values)), ours
    assert list(typed["source_file"].cat.categories) == ["2019-01-cumbria-street.csv"]
    assert typed["crime_id"].tolist() == [v.strip() for v in kept["Crime ID"]]


def test_read_typed_of_only_bad_rows_is_empty_and_typed():
    table, _, report = read_typed(_source([GOOD.replace("2019-01", "2019-13"), "only,three,fields"]))
    typed = table.to_pandas()
    assert typed.empty and report.rows_accepted == 0 and len(report.rejected) == 2
    assert list(typed["source_file"].cat.categories) == []
    assert typed["crime_type"].dtype == pd.CategoricalDtype(list(CRIME_TYPES))


@pytest.mark.parametrize(
    "rows",
    [ROWS, [GOOD] * 3, [GOOD.replace("Allerdale 001A", f"Allerdale {i:03d}A") for i in range(130)], [ROWS[2]]],
    ids=["mixed", "one place", "wide dictionary", "none accepted"],
)
def test_arrow_typing_holds_what_typing_in_pandas_then_converting_holds(rows):
    """The store writes the Arrow table: the values and types pandas typing then from_pandas gave."""
    frame, _, _, columns = _read_one(_source(rows))
    table, _, _ = read_typed(_source(rows))
    want = pa.Table.from_pandas(_typed(frame, columns), preserve_index=False)
    assert table.column_names == want.column_names
    for name in table.column_names:
        ours, theirs = table[name], want[name]
        if name == "month":  # a period in pandas, its text in Arrow
            assert ours.to_pylist() == [str(p) for p in _typed(frame, columns)["month"]]
            continue
        assert ours.to_pylist() == theirs.to_pylist(), name
        if pa.types.is_dictionary(theirs.type):
            assert ours.type.index_type == theirs.type.index_type, name
            assert ours.chunk(0).dictionary.to_pylist() == theirs.chunk(0).dictionary.to_pylist(), name
        else:
            assert ours.type == theirs.type, name


def test_place_keys_of_categoricals_are_those_of_their_text():
    rows = pd.DataFrame(
        {
            "force": pd.Categorical(["cumbria"] * 4),
            "lsoa_code": pd.Categorical(["E1", "", "E1", "E2"]),
            "lsoa_name": pd.Categorical(["a", "b", "a", "c"]),
            "longitude": [1.0, np.nan, 1.0, 2.5],
            "latitude": [50.0, np.nan, 50.0, 51.0],
        }
    )
    text = {"force": "str", "lsoa_code": "str", "lsoa_name": "str"}
    assert Places._keys(rows) == Places._keys(rows.astype(text))
    assert Places._keys(rows)[1] == ("cumbria", "", "b", None, None)


def _numbers() -> pd.Series:
    """Plain decimals near and far from the bounds, and text pandas reads its own way."""
    rng = np.random.default_rng(3)
    odd = ["", " ", "1e1", "inf", "-inf", "nan", "+3.1", ".5", "-3.", "1_000", "0x1", " 54.5 ", "54,5", "-0", "é"]
    odd += ["٣", "١.٥", "５", "1٣"]  # digits of other scripts: pandas reads none of them, nor does Arrow
    bounds = ["-8.8", "2.0", "49.8", "61.0", "2", "61"]
    near = [b + tail for b in bounds for tail in ("", "0", "00000001", "0000000000000001", "9999999999")]
    plain = [f"{v:.{d}f}" for v, d in zip(rng.uniform(-12, 65, 3000), rng.integers(0, 17, 3000), strict=True)]
    return pd.Series(list(dict.fromkeys(odd + near + plain + ["12345", "-1234.5", "00054.1"])), dtype="str")


@pytest.mark.parametrize("low,high", [(-8.8, 2.0), (49.8, 61.0), (-math.inf, math.inf), (0, math.inf)])
def test_is_number_answers_what_to_numeric_answers(low, high):
    values = _numbers()
    expected = pd.to_numeric(values.str.strip(), errors="coerce").between(low, high).fillna(False)
    assert np.asarray(is_number(low, high)(values), dtype=bool).tolist() == expected.tolist()
