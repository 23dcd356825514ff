"""Every fast path the pages take gives the answer of the plain computation it replaced.

Each test builds tables of choices (or lets hypothesis draw them) and compares the fast path
with the direct, plain way of computing the same answer, written out here or kept in the module.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.load.coverage import Coverage
from analysis.load.records import _months
from analysis.outputs.briefing.period import Published, _asb_gaps, publish
from analysis.outputs.disclosure import (
    SUPPRESSED_LABEL,
    TOTAL,
    _disclose_each_group,
    _secondary,
    disclose,
    disclose_arrays,
    disclose_by_group,
)
from analysis.schema import UNASSIGNED


def _plain_secondary(values: np.ndarray, hidden: np.ndarray, row_totals: bool, column_totals: bool) -> np.ndarray:
    """Secondary suppression as it was first written: cell by cell, line by line (the reference)."""
    mask = hidden.copy()
    n_rows, n_cols = values.shape
    lines: list[list[tuple[int, int]]] = []
    if row_totals:
        lines += [[(r, c) for c in range(n_cols)] for r in range(n_rows)]
    if column_totals:
        lines += [[(r, c) for r in range(n_rows)] for c in range(n_cols)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(mask[r][c] for r, c in line) != 1:
                continue
            shown = [(values[r][c], i, (r, c)) for i, (r, c) in enumerate(line) if not mask[r][c]]
            if not shown:
                continue
            _, _, (r, c) = min(shown)
            mask[r][c] = True
            changed = True
    return mask


counts_2d = st.integers(1, 6).flatmap(
    lambda rows: st.integers(1, 4).flatmap(
        lambda cols: st.lists(st.lists(st.integers(0, 40), min_size=cols, max_size=cols), min_size=rows, max_size=rows)
    )
)


@settings(max_examples=150, deadline=None)
@given(counts_2d, st.booleans(), st.booleans(), st.integers(0, 2**16))
def test_secondary_suppression_on_arrays_is_the_plain_loop(rows, row_totals, column_totals, seed):
    values = np.array(rows, dtype="int64")
    hidden = np.random.default_rng(seed).random(values.shape) < 0.3
    got = _secondary(values, hidden, row_totals=row_totals, column_totals=column_totals)
    assert (got == _plain_secondary(values, hidden, row_totals, column_totals)).all()
    # Fortran-ordered input (as DataFrame.to_numpy may give) answers the same.
    fortran = _secondary(
        np.asfortranarray(values), np.asfortranarray(hidden), row_totals=row_totals, column_totals=column_totals
    )
    assert (fortran == got).all()


@settings(max_examples=40, deadline=None)
@given(counts_2d, st.booleans(), st.booleans(), st.integers(0, 2**16))
def test_disclose_arrays_is_disclose(rows, column_totals, rounding, seed):
    counts = pd.DataFrame(rows, columns=[f"c{i}" for i in range(len(rows[0]))])
    rng = np.random.default_rng(seed)
    shape = (len(counts) + column_totals, counts.shape[1])
    also_hide, exempt = rng.random(shape) < 0.15, rng.random(shape) < 0.15
    index = [*counts.index, *([TOTAL] if column_totals else [])]
    expected = disclose(
        counts,
        column_totals=column_totals,
        rounding=rounding,
        also_hide=pd.DataFrame(also_hide, index=index, columns=counts.columns),
        exempt=pd.DataFrame(exempt, index=index, columns=counts.columns),
    )
    hidden, labels = disclose_arrays(
        counts.to_numpy(), also_hide, exempt, column_totals=column_totals, rounding=rounding
    )
    assert (hidden == expected.hidden.to_numpy()).all()
    assert (labels == expected.labels.to_numpy()).all()


group_frames = st.lists(
    st.tuples(st.sampled_from(["Barrow", "Kendal", "Carlisle", UNASSIGNED]), st.integers(0, 30), st.integers(0, 30)),
    min_size=0,
    max_size=25,
)


@settings(max_examples=40, deadline=None)
@given(group_frames, st.booleans(), st.booleans(), st.integers(0, 2**16))
def test_disclose_by_group_is_one_disclose_per_group(rows, rounding, two_columns, seed):
    frame = pd.DataFrame(rows, columns=["hub", "this", "before"]).astype({"hub": "str"})
    frame = frame.assign(
        lsoa_code=[f"E0{i:05d}" for i in range(len(frame))], lsoa_name=[f"Place {i:03d}" for i in range(len(frame))]
    ).astype({"lsoa_code": "str", "lsoa_name": "str"})
    columns = ["this", "before"] if two_columns else ["this"]
    rng = np.random.default_rng(seed)
    hubs = ["Barrow", "Kendal", "Carlisle", UNASSIGNED]
    hidden_totals = pd.DataFrame({c: rng.random(3) < 0.4 for c in columns}, index=pd.Index(hubs[:3]))
    for totals in (None, hidden_totals):
        arguments = dict(
            group="hub", label_columns=["lsoa_code", "lsoa_name"], count_columns=columns, rounding=rounding
        )
        got = disclose_by_group(frame, hidden_totals=totals, **arguments)
        expected = _disclose_each_group(frame, hidden_totals=totals, **{**arguments, "threshold": 10, "base": 5})
        pd.testing.assert_frame_equal(got, expected)


def _plain_publish(counts: pd.Series, public: bool, with_total: bool) -> Published:
    """publish() as it was first written, through disclose() (the reference)."""
    exact = counts.astype("int64")
    total = int(exact.sum())
    exempt = pd.DataFrame({"n": exact.index == UNASSIGNED}, index=exact.index)
    result = disclose(exact.to_frame("n"), column_totals=with_total, exempt=exempt)
    hidden, labels = result.hidden["n"], result.labels["n"]
    if not with_total:
        return Published(exact, hidden, labels, total, True, SUPPRESSED_LABEL)
    cells = hidden.index != TOTAL
    return Published(exact, hidden[cells], labels[cells], total, bool(hidden.iloc[-1]), str(labels.iloc[-1]))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=1, max_size=8), st.booleans(), st.booleans())
def test_publish_is_publish_through_disclose(values, with_total, by_month):
    names = ["Barrow", "Kendal", "Carlisle", "Penrith", "Whitehaven", "Workington", "Ulverston", UNASSIGNED]
    index = pd.period_range("2019-01", periods=len(values), freq="M") if by_month else pd.Index(names[-len(values) :])
    counts = pd.Series(values, index=index)
    got, expected = publish(counts, True, with_total=with_total), _plain_publish(counts, True, with_total)
    for name in ("total", "total_hidden", "total_label"):
        assert getattr(got, name) == getattr(expected, name)
    assert got.hidden.tolist() == expected.hidden.tolist()
    assert got.labels.tolist() == expected.labels.tolist()
    assert [str(i) for i in got.hidden.index] == [str(i) for i in expected.hidden.index]


def _random_coverage(seed: int, before: int, after: int):
    """A coverage of 14 months with random gaps for the force and three hubs, and a period around it."""
    rng = np.random.default_rng(seed)
    span = pd.period_range("2019-01", periods=14, freq="M")
    force = pd.DataFrame({"crime": rng.random(14) < 0.9, "asb": rng.random(14) < 0.85}, index=span)
    judged = ["Barrow", "Kendal", UNASSIGNED]
    hubs = {s: pd.DataFrame({h: rng.random(14) < 0.85 for h in judged}, index=span) for s in ("crime", "asb")}
    return Coverage(span, force, hubs), span[0] + before, span[-1] + after, judged


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**16), st.integers(-3, 3), st.integers(-3, 3))
def test_asb_gaps_are_coverage_missing_any(seed, before, after):
    coverage, start, end, judged = _random_coverage(seed, before, after)
    for chosen in ([], ["Barrow"], ["Barrow", "Kendal", "Not judged"], judged, ["Kendal", "Kendal"]):
        expected = coverage.missing_any(start, end, chosen, streams=("asb",))
        assert list(_asb_gaps(coverage, chosen, start, end)) == expected


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**16), st.integers(-3, 3), st.integers(-3, 3))
def test_missing_any_in_one_go_is_the_union_of_each_hubs_missing_months(seed, before, after):
    coverage, start, end, judged = _random_coverage(seed, before, after)
    for chosen in ([], ["Barrow"], ["Barrow", "Kendal", "Not judged"], judged, ["Kendal", "Kendal"]):
        for streams in (("crime",), ("asb",), ("crime", "asb")):
            # One hub at a time, as Coverage.missing answers it (a hub it does not know: the force's months).
            union = {m for s in streams for h in [None, *chosen] for m in coverage.missing(start, end, s, h)}
            assert coverage.missing_any(start, end, chosen, streams=streams) == sorted(union)


@pytest.mark.parametrize(
    "texts",
    [
        ["2019-01", "2019-02", "2019-01", "2020-12"],
        [],
        ["2019-03"] * 5,
        pd.array(["2018-11", "2019-01"], dtype="str"),
    ],
)
def test_months_parsed_once_each_are_months_parsed_one_by_one(texts):
    values = pd.Series(texts, dtype="object" if isinstance(texts, list) else None)
    expected = pd.PeriodIndex(values.astype("str"), freq="M")
    pd.testing.assert_index_equal(_months(values), expected)


# --------------------------------------------------------------------------- on real folders


@pytest.fixture(scope="module", params=["sample", "gap"])
def datasets(request, tmp_path_factory):
    """(the dataset counted over rows, the same counted by DuckDB over its store): gap has months not supplied."""
    from analysis.load.dataset import load_dataset
    from tests.conftest import named_folder, with_store_records

    folder = named_folder(request.param, tmp_path_factory.mktemp("fast"))
    dataset = load_dataset(folder, store=False)
    return dataset, with_store_records(dataset, tmp_path_factory.mktemp("fast-store"))


def _choices(dataset):
    """Periods and hubs a person might choose: whole, short, one month, edges, one hub, Unassigned, none placed."""
    months, hubs = dataset.months, tuple(dataset.hub_names)
    periods = [(months[0], months[-1]), (months[-6], months[-1]), (months[-1], months[-1]), (months[2], months[-3])]
    hub_sets = [hubs, hubs[:1], hubs[-2:], (UNASSIGNED,)]
    chosen = [(p, h) for p in periods for h in hub_sets if len(h) > 1 or p[0] != months[0]]
    return [*chosen, (periods[1], ("no such hub",))]


def test_a_choice_of_the_whole_summary_is_the_summary_of_that_choice(datasets):
    from analysis.load.records import Where
    from analysis.measures.metrics import dataset_summary
    from analysis.measures.overview import _chosen_summary

    for dataset in datasets[1:]:  # the store's (the rows' summary is the same: tests/test_counts.py)
        for (start, end), hubs in _choices(dataset):
            # The rows the Overview reads of each (its chosen hubs and months), as it reads them.
            def chosen(table, hubs=hubs, start=start, end=end):
                keep = table["hub"].isin(hubs) & table["month"].between(start, end)
                return table[keep].reset_index(drop=True)

            direct = chosen(dataset_summary(dataset, Where(first=start, last=end, hubs=hubs)))
            got = chosen(_chosen_summary(dataset, hubs, start, end))
            pd.testing.assert_frame_equal(got, direct, obj=f"{start} to {end}, {hubs}")


def test_missing_in_is_the_union_of_each_hubs_missing_months_on_real_folders(datasets):
    coverage = datasets[0].coverage
    for (start, end), hubs in _choices(datasets[0]):
        for streams in (("crime",), ("asb",), ("crime", "asb")):
            months = pd.period_range(start - 2, end + 2, freq="M")
            # One hub at a time, as Coverage.missing answers it (a hub it does not know: the force's months).
            union = {m for s in streams for h in [None, *hubs] for m in coverage.missing(months[0], months[-1], s, h)}
            assert list(months[coverage.missing_in(months, hubs, streams)]) == sorted(union)
            assert coverage.missing_any(months[0], months[-1], list(hubs), streams=streams) == sorted(union)


def test_boundaries_drawn_once_are_those_drawn_each_time(datasets):
    from analysis.measures.maps import view
    from analysis.measures.maps.hub_map import ALL_HUBS, VIEW_PX, drawn_boundaries, map_boundaries

    dataset = datasets[1]
    hubs = list(dataset.hubs["hub"].astype("str"))
    areas = list(dataset.hubs["area_code"].astype("str"))
    cases = [(ALL_HUBS, areas), (ALL_HUBS, areas[:1]), (ALL_HUBS, ["no such area"])]
    for hub, area in zip(hubs[:2], areas[:2], strict=True):
        codes = dataset.lsoa.loc[dataset.lsoa["area_code"].astype("str") == area, "lsoa_code"].astype("str")
        cases.append((hub, list(codes)))
    for level, codes in cases:
        for _ in range(2):  # made, then kept
            got = drawn_boundaries(dataset, level, pd.Series(codes))
            boundaries, key = map_boundaries(dataset, level, pd.Series(codes))
            if boundaries.empty:
                assert got.geojson is None
                continue
            bounds = tuple(float(b) for b in boundaries.total_bounds)
            assert got.bounds == bounds
            assert got.codes == set(boundaries[key])
            assert got.geojson == view.map_geojson(boundaries, key, view.tolerance_for_view(bounds, VIEW_PX[0]))


def test_an_answer_kept_is_made_once_per_question_and_force(datasets):
    for dataset in datasets:
        made = []

        def make(number, answer, made=made):
            made.append(number)
            return [answer]

        first = dataset.records.kept(("a question", 1), lambda: make(1, "answer"))
        again = dataset.records.kept(("a question", 1), lambda: make(1, "another"))
        other = dataset.records.kept(("a question", 2), lambda: make(2, "other"))
        assert first is again and other == ["other"] and made == [1, 2]
    store = datasets[1].records
    one = store.for_forces(("cumbria",))
    assert one.kept(("a question", 1), lambda: "that force's") == "that force's"
