"""The briefing from a loaded data folder: :func:`make_briefing`."""

from __future__ import annotations

from analysis.errors import DataProblem
from analysis.load.dataset import Dataset
from analysis.measures.maps.view import is_schematic
from analysis.outputs.briefing.model import LOCATION_NOTE, Briefing, Screen
from analysis.outputs.briefing.period import Frame, make_frame
from analysis.outputs.briefing.screens import build_screens
from analysis.outputs.briefing.words import month_span, month_words
from analysis.outputs.disclosure import ROUNDING_BASE, THRESHOLD
from analysis.text.a11y import format_x

__all__ = ["make_briefing"]


def _sources(dataset: Dataset, frame: Frame) -> tuple[str, ...]:
    made_up = " (generated sample, not real)" if dataset.is_generated else ""
    first, last = dataset.months[0], dataset.months[-1]
    sources = [f"Street-level crime and ASB records, police.uk format, {format_x(first)} to {format_x(last)}{made_up}."]
    population = dataset.table("population.csv")
    if population is not None:
        named = sorted(set(population["source"].astype("str"))) if "source" in population.columns else []
        sources.append(f"Residents: {'; '.join(named) or 'population.csv'}{made_up if not named else ''}.")
    if dataset.lsoa is not None or dataset.areas is not None:
        sources.append(
            "Hub area and neighbourhood (LSOA) boundaries"
            + (" (schematic, invented)." if is_schematic(dataset.areas) else ", ONS.")
        )
    for kind, words in (
        ("resourcing.csv", "Visible patrol hours from duty records (not public)"),
        ("operations.csv", "Planned operations (Weeks of Action)"),
        ("cases.csv", "Partnership case counts from the hub case log (not public)"),
    ):
        if dataset.table(kind) is not None:
            sources.append(f"{words}{made_up}.")
    return tuple(sources)


def _method(frame: Frame, screens: tuple[Screen, ...]) -> tuple[str, ...]:
    dataset = frame.dataset
    paragraphs = [
        f"Period: {month_span(frame.start, frame.end)}, the latest {frame.n} months of data "
        f"(data to {month_words(dataset.months[-1])}). "
        + (
            f"Comparisons use the same months a year before ({month_span(frame.before[0], frame.before[-1])})."
            if frame.before is not None
            else "The data does not reach back a year, so no year-on-year comparison is made."
        ),
        "Anti-social behaviour (ASB) is counted apart from crime and never added into a crime total.",
        "Change against a year before: the ratio of the two totals, with a 95% interval from a Poisson model with "
        "one level per calendar month (so the seasons cancel) whose variance is scaled up by the month-to-month "
        "variation seen in the data (quasi-Poisson). A change is called clear only "
        "when the whole interval lies on one side of no change; otherwise it is within normal variation. "
        "It shows whether ASB moved, not why: other things change over a year too.",
        "Rates per 1,000 residents divide the period's ASB by the residents of the hub area in population.csv "
        "(the latest year up to the end of the period).",
        LOCATION_NOTE,
    ]
    if frame.public:
        paragraphs.append(
            f"Small numbers (public version): counts below {THRESHOLD} are shown as 'fewer than {THRESHOLD}' at hub "
            f"and neighbourhood level; where a total is shown, a second number is 'withheld' so a hidden count cannot "
            f"be worked out by subtraction; neighbourhood (LSOA) counts are rounded to the nearest {ROUNDING_BASE} "
            f"(the ONS 10-5 rule). Records with no location describe no area: their count shows, but may be "
            f"withheld to protect a small hub. Case texts and personal details are never shown."
        )
    else:
        paragraphs.append("INTERNAL version: exact counts, small numbers included. Do not show in public.")
    skipped = []
    keys = {s.key for s in screens}
    for key, kind, words in (
        ("asb-rates", "population.csv", "rates per resident"),
        ("patrols", "resourcing.csv", "visible patrol hours"),
        ("cases", "cases.csv", "partnership cases"),
    ):
        if key not in keys:
            skipped.append(f"{words} ({kind} missing or empty for the period)")
    if skipped:
        paragraphs.append("Not in this briefing: " + "; ".join(skipped) + ".")
    if dataset.is_generated:
        paragraphs.append("Every figure in this briefing comes from a generated sample: invented data, not real.")
    paragraphs.append(
        "Contains public sector information licensed under the Open Government Licence v3.0. "
        "Contains OS data © Crown copyright and database right."
    )
    return tuple(paragraphs)


def make_briefing(dataset: Dataset, *, public: bool = True, months: int = 12) -> Briefing:
    """Every screen of the briefing for the latest ``months`` months of ``dataset``.

    Parameters
    ----------
    dataset : Dataset
        A loaded data folder.
    public : bool
        Apply the disclosure rules and leave out anything that is not public-safe.
    months : int
        Months in the briefing period (1 to 12), ending with the last month of data;
        fewer when the data is shorter. The year before is the comparison.

    Returns
    -------
    Briefing

    Raises
    ------
    ValueError
        When ``months`` is out of range or the dataset has no incidents.
    """
    if not isinstance(months, int) or not 1 <= months <= 12:
        raise ValueError(f"months must be a whole number from 1 to 12, got {months!r}")
    if dataset.records.empty:
        raise DataProblem(f"No incident records in {dataset.folder.name}: a briefing needs police.uk data.")
    if not dataset.coverage.force["asb"].any():
        raise DataProblem(f"No ASB records in {dataset.folder.name}: the briefing is about ASB, and none was supplied.")
    frame = make_frame(dataset, public=public, months=months)
    screens = build_screens(frame)
    return Briefing(
        area=f"{frame.force} area" if frame.force else "Local Focus hub areas",
        start=frame.start,
        end=frame.end,
        last_month=frame.end,
        sources=_sources(dataset, frame),
        generated=dataset.is_generated,
        public=public,
        screens=screens,
        method=_method(frame, screens),
    )
