"""Every Streamlit cache of the app, in one place, keyed on the data it was computed from.

A :class:`~analysis.load.dataset.Dataset` is hashed by its ``fingerprint`` (the folder and every
file's path, size and modification time), never by its frames: two sessions looking at the
same folder share results; a session that keeps uploads for itself reads another folder (a
private overlay), so another fingerprint, and never sees or disturbs the others' results; a file
changed by hand changes the fingerprint, so every new or reloaded session computes afresh.

Pages call these wrappers and hold no cache of their own (a code-rule test checks that).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.access import public_view
from analysis.cli import run_evaluation
from analysis.load.dataset import Dataset, fingerprint, load_dataset
from analysis.load.upload.check import UploadCheck, check_upload
from analysis.measures.data import CoverageView, LoadedFiles, coverage_view, loaded_files
from analysis.measures.deployment.dose import PatrolEstimate, patrol_estimate
from analysis.measures.deployment.series import hub_month_asb, weekly_patrol
from analysis.measures.maps.hub_map import HubMap, MapRequest
from analysis.measures.maps.hub_map import hub_map as assemble_hub_map
from analysis.measures.metrics import hub_month_counts, hub_population
from analysis.measures.overview import Overview
from analysis.measures.overview import overview as measure_overview
from analysis.measures.performance.comparison import ComparisonView, HubComparison, comparison_view
from analysis.measures.performance.comparison import hub_comparison as compare_hubs
from analysis.measures.performance.outcomes import Outcomes, crime_outcomes
from analysis.measures.performance.rates import hub_months
from analysis.measures.precept import EvaluationView, evaluation_view
from analysis.outputs.briefing.make import make_briefing
from analysis.outputs.briefing.model import Briefing
from analysis.outputs.briefing.pack import BriefingPack, make_pack
from analysis.stats.evaluation.results import Evaluation, InsufficientData
from ui.memory import thaw

__all__ = [
    "DATASET_HASH",
    "asb_by_hub_month",
    "briefing",
    "briefing_pack",
    "cached",
    "checked_upload",
    "comparison_charts",
    "data_coverage",
    "data_files",
    "counts_by_hub_month",
    "dose_response_for",
    "evaluation",
    "precept_evaluation",
    "force_view",
    "hub_map",
    "load",
    "measures_by_hub_month",
    "outcome_charts",
    "overview",
    "patrol_by_hub_week",
    "residents_by_hub_month",
]

#: How a cache hashes a Dataset argument: by what identifies its content.
DATASET_HASH = {Dataset: lambda dataset: dataset.fingerprint}


def load(folder: str, public: bool = False) -> Dataset:
    """The folder's dataset, loaded once per content (a changed file changes the key).

    A public site only ever holds the public view: case texts and rejected rows' text never load into it.
    """
    return _load_keyed(folder, fingerprint(folder), public)


@st.cache_resource(show_spinner="Loading the data folder…", max_entries=4)
def _load_keyed(folder: str, key: tuple, public: bool) -> Dataset:
    # cache_resource: one shared, read-only object per folder content, never a copy per session.
    thaw()  # a dataset this replaces may be collected (ui/memory.py)
    dataset = load_dataset(folder)
    return public_view(dataset) if public else dataset


def force_view(dataset: Dataset, force: str | None) -> Dataset:
    """One force of the dataset (:meth:`~analysis.load.dataset.Dataset.for_force`), once per content and force."""
    if force is None or force not in dataset.force_names:
        return dataset
    return _force_view(dataset.fingerprint, dataset, force)


@st.cache_resource(show_spinner=False, max_entries=8)
def _force_view(key: tuple, _dataset: Dataset, force: str) -> Dataset:
    # cache_resource: the force's rows are cut once and shared, read-only, like the whole folder's.
    return _dataset.for_force(force)


def cached(max_entries: int = 32, show_spinner: bool | str = False):
    """``st.cache_data`` that hashes a Dataset argument by its fingerprint.

    Use it around a measure from :mod:`analysis` that takes the dataset and plain arguments
    (periods, hub tuples, strings); its result is pickled, so each caller gets its own copy
    of a small, aggregated result.
    """
    return st.cache_data(max_entries=max_entries, show_spinner=show_spinner, hash_funcs=DATASET_HASH)


def _month(text: str) -> pd.Period:
    return pd.Period(text, freq="M")


# --------------------------------------------------------------------------- Overview


@cached()
def overview(dataset: Dataset, hubs: tuple[str, ...], start: str, end: str) -> Overview:
    """:func:`analysis.measures.overview.overview`, per dataset, hubs and period."""
    return measure_overview(dataset, hubs, _month(start), _month(end))


# --------------------------------------------------------------------------- pages/deployment.py


@st.cache_data(show_spinner=False, max_entries=4)
def asb_by_hub_month(key: tuple, _dataset: Dataset) -> pd.DataFrame:
    """:func:`analysis.measures.deployment.series.hub_month_asb`; cached on the folder's fingerprint."""
    return hub_month_asb(_dataset)


@st.cache_data(show_spinner=False, max_entries=4)
def patrol_by_hub_week(key: tuple, _dataset: Dataset) -> pd.DataFrame | None:
    """Weekly patrol hours per hub (None without resourcing.csv); cached on the folder's fingerprint."""
    resourcing = _dataset.table("resourcing.csv")
    return None if resourcing is None else weekly_patrol(resourcing)


@st.cache_data(show_spinner=False, max_entries=32)
def dose_response_for(key: tuple, _dataset: Dataset, hubs: tuple[str, ...], start: str, end: str) -> PatrolEstimate:
    """:func:`analysis.measures.deployment.dose.patrol_estimate` for the chosen hubs and months."""
    asb, weekly = asb_by_hub_month(key, _dataset), patrol_by_hub_week(key, _dataset)
    return patrol_estimate(asb, weekly, _dataset.hubs, hubs, _month(start), _month(end))


# --------------------------------------------------------------------------- pages/performance.py


@st.cache_data(show_spinner=False, max_entries=4)
def counts_by_hub_month(key: tuple, _dataset: Dataset) -> pd.DataFrame:
    """Records per hub, month and crime type over the whole data; cached on the folder's fingerprint."""
    return hub_month_counts(_dataset)


@st.cache_data(show_spinner=False, max_entries=4)
def residents_by_hub_month(key: tuple, _dataset: Dataset) -> pd.DataFrame:
    """Residents per hub and month from population.csv (empty without it); cached on the folder's fingerprint."""
    return hub_population(_dataset.hubs, _dataset.table("population.csv"), _dataset.months)


@st.cache_data(show_spinner=False, max_entries=16)
def measures_by_hub_month(key: tuple, _dataset: Dataset, crime_types: tuple[str, ...]) -> pd.DataFrame:
    """:func:`analysis.measures.performance.rates.hub_months` over the whole data, per chosen crime types."""
    return hub_months(counts_by_hub_month(key, _dataset), residents_by_hub_month(key, _dataset), crime_types)


@st.cache_resource(show_spinner=False, max_entries=64)
def comparison_charts(
    key: tuple,
    _dataset: Dataset,
    crime_types: tuple[str, ...],
    hubs: tuple[str, ...],
    start: str,
    end: str,
    column: str,
    name: str,
    period: str,
) -> tuple[HubComparison, ComparisonView]:
    """The hub comparison and :func:`~analysis.measures.performance.comparison.comparison_view` of it.

    cache_resource: the view's three figures are drawn once per data, choice and period and shared
    read-only (plotly's layout checks cost more than a filter change may take, on every rerun).
    """
    monthly = measures_by_hub_month(key, _dataset, crime_types)
    result = compare_hubs(monthly, hubs, _month(start), _month(end), _dataset.months[0], column)
    return result, comparison_view(result, name, period, _month(end))


@st.cache_resource(show_spinner=False, max_entries=64)
def outcome_charts(
    key: tuple,
    _dataset: Dataset,
    crime_types: tuple[str, ...],
    hubs: tuple[str, ...],
    start: str,
    end: str,
    period: str,
) -> tuple[Outcomes, tuple]:
    """:func:`~analysis.measures.performance.outcomes.crime_outcomes` and its two charts (ASB has no outcome).

    Drawn once per data, choice and period and shared read-only, as :func:`comparison_charts`.
    """
    result = crime_outcomes(_dataset.records, crime_types, hubs, _month(start), _month(end), _dataset.months[-1])
    return result, (result.charts(period) if not result.distribution.empty else ())


# --------------------------------------------------------------------------- pages/precept.py


@st.cache_data(show_spinner="Estimating the change in ASB…", max_entries=8)
def evaluation(key: tuple, _dataset: Dataset) -> tuple[Evaluation | None, str | None]:
    """The evaluation of the whole dataset, or why it cannot be made (cached on the folder's fingerprint)."""
    try:
        return run_evaluation(_dataset), None
    except InsufficientData as e:
        return None, str(e)


@st.cache_data(show_spinner=False, max_entries=16)
def precept_evaluation(key: tuple, _evaluation: Evaluation, hubs: tuple[str, ...]) -> EvaluationView:
    """:func:`analysis.measures.precept.evaluation_view` of :func:`evaluation`'s result, per folder and hubs."""
    return evaluation_view(_evaluation, hubs)


# --------------------------------------------------------------------------- pages/hub_map.py


@st.cache_resource(max_entries=32, show_spinner=False, hash_funcs={**DATASET_HASH, MapRequest: repr})
def hub_map(dataset: Dataset, request: MapRequest) -> HubMap:
    """:func:`analysis.measures.maps.hub_map.hub_map`, per dataset and request.

    cache_resource: one shared, read-only map per request (unpickling a plotly figure on every rerun
    would cost more than the 0.3 s a filter change may take).
    """
    return assemble_hub_map(dataset, request)


# --------------------------------------------------------------------------- pages/briefing.py


@st.cache_data(max_entries=8, show_spinner=False)
def briefing(folder: str, key: tuple, public: bool, months: int, _dataset: Dataset) -> Briefing:
    """The briefing model for one data, mode and period."""
    return make_briefing(_dataset, public=public, months=months)


@st.cache_data(max_entries=4, show_spinner=False)
def briefing_pack(folder: str, key: tuple, public: bool, months: int, _dataset: Dataset) -> BriefingPack:
    """The PDF pack and the ZIP of chart PNGs (drawn once per data, mode and period)."""
    return make_pack(briefing(folder, key, public, months, _dataset))


# --------------------------------------------------------------------------- pages/data.py


@st.cache_data(show_spinner=False, max_entries=4)
def data_files(key: tuple, _dataset: Dataset) -> LoadedFiles:
    """The Data page's files, rows and rejected rows, once per folder content (not per visit)."""
    return loaded_files(_dataset)


@st.cache_data(show_spinner=False, max_entries=4)
def data_coverage(key: tuple, _dataset: Dataset) -> CoverageView:
    """The Data page's coverage by month and by file, once per folder content: it reads every record."""
    return coverage_view(_dataset)


@st.cache_data(max_entries=64, show_spinner="Checking the uploaded file…")
def checked_upload(name: str, digest: str, _content: bytes) -> UploadCheck:
    """The loaders' report on one upload, cached on its name and the hash of its bytes."""
    return check_upload(name, _content)
