"""The evaluation in sentences the PCC's office can read aloud."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from analysis.schema import ASB
from analysis.text.changes import interval_words, percent_words

if TYPE_CHECKING:
    from analysis.stats.evaluation.results import Evaluation, EventStudyPoint

__all__ = ["PlainEnglish", "event_study_words", "plain_english"]


@dataclass(frozen=True)
class PlainEnglish:
    """An evaluation in sentences, by name.

    Attributes
    ----------
    headline : str
        The headline estimate with its interval, months and method's comparison.
    method : str
        "Method: ...".
    assumptions : str
        "This assumes: ..." (every assumption of the headline).
    alternatives : tuple of str
        One sentence per other method.
    placebo : str or None
        The placebo checks in one sentence; None when none could be run.
    hubs : tuple of str
        One sentence per hub.
    patrol : str
        The dose-response (patrol hours) with its caveat, or why there is none.
    """

    headline: str
    method: str
    assumptions: str
    alternatives: tuple[str, ...]
    placebo: str | None
    hubs: tuple[str, ...]
    patrol: str

    def lines(self) -> list[str]:
        """Every sentence in reading order (the CLI's text and the JSON ``summary``)."""
        placebo = [] if self.placebo is None else [self.placebo]
        return [self.headline, self.method, self.assumptions, *self.alternatives, *placebo, *self.hubs, self.patrol]


def _change(pct: float, digits: int = 0) -> str:
    """'12% lower', '3% higher', 'no different'; one decimal under 1% so a bound is never rounded to zero."""
    return percent_words(pct, digits, fine=True, same="no different")


def _range(low: float, high: float, digits: int = 0) -> str:
    return interval_words(low, high, digits, fine=True)


def _short_name(outcome: str) -> str:
    return "ASB" if outcome == ASB else outcome


def plain_english(evaluation: Evaluation) -> PlainEnglish:
    """Summarise an evaluation in sentences the PCC's office can read aloud.

    Parameters
    ----------
    evaluation : Evaluation
        The result of :func:`evaluate`.

    Returns
    -------
    PlainEnglish
        The headline with its interval, months and method; what it assumes; the other
        method; the placebo checks; hubs; and the dose-response with its caveat.
    """
    o = evaluation.overall
    what = _short_name(evaluation.outcome)
    is_did = o.method.startswith("Stacked")
    compared = (
        "compared with hubs that had not launched yet"
        if is_did
        else "compared with each hub's own trend and season before launch"
    )
    window = f"the first {o.months_after} months after each launch" if is_did else "the months after each launch"
    if o.covers_zero:
        head = (
            f"We cannot tell whether {what} changed when the hubs launched: the best estimate is "
            f"{_change(o.effect_pct)} over {window}, {compared}, but the {_range(o.ci_low_pct, o.ci_high_pct)} "
            f"includes no change (months {o.first_month} to {o.last_month})."
        )
    else:
        head = (
            f"{what} was an estimated {_change(o.effect_pct)} ({_range(o.ci_low_pct, o.ci_high_pct)}) over "
            f"{window} than it would otherwise have been, {compared}, covering months {o.first_month} "
            f"to {o.last_month}."
        )
    alternatives = tuple(
        f"A second method ({alt.method.split(' (')[0].lower()}) gives {_change(alt.effect_pct)} "
        f"({_range(alt.ci_low_pct, alt.ci_high_pct)}), months {alt.first_month} to {alt.last_month}."
        for alt in evaluation.alternatives
    )
    placebo = None
    done = [p for p in evaluation.placebo if p.flagged is not None]
    flagged = [p for p in done if p.flagged]
    if done:
        # Each check flags 1 time in 20 by chance; with several, one flag somewhere is common.
        by_chance = 1 - 0.95 ** len(done)
        names = "; ".join(
            f"{p.name.split(' (')[0]}: {_change(p.effect_pct or 0.0)} "
            f"({_range(p.ci_low_pct or 0.0, p.ci_high_pct or 0.0)})"
            for p in flagged
        )
        if len(flagged) >= 2:
            placebo = (
                f"Caution: {len(flagged)} of {len(done)} placebo checks showed a change where there should be "
                f"none ({names}); something other than the launch may be moving the figures."
            )
        elif flagged:
            placebo = (
                f"One of {len(done)} placebo checks showed a change where there should be none ({names}). "
                f"With {len(done)} checks, at least one such flag happens by chance about "
                f"{by_chance:.0%} of the time, so this is a prompt to look closer, not proof of a problem."
            )
        else:
            placebo = (
                f"None of the {len(done)} placebo checks (fake launch dates, crime types patrols "
                "should not affect) showed a change, which supports the estimate."
            )
    hubs = []
    for hub in evaluation.hubs:
        if hub.effect_pct is None:
            hubs.append(f"{hub.hub}: no estimate ({hub.reason})")
        else:
            hubs.append(
                f"{hub.hub}: {_change(hub.effect_pct)} after launch "
                f"({_range(hub.ci_low_pct or 0.0, hub.ci_high_pct or 0.0)}; "
                f"{hub.months_before} months before, {hub.months_after} after)."
            )
    d = evaluation.dose_response
    if d is None:
        patrol = f"Patrol hours: no estimate ({evaluation.dose_response_reason})"
    else:
        change = _change(d.effect_per_10pct_pct, 1)
        level = f"about the same {what}" if change == "no different" else f"{change} {what}"
        patrol = (
            f"A month with 10% more visible patrol hours had {level} ({_range(d.ci_low_pct, d.ci_high_pct, 1)}), "
            f"over {d.months} hub-months from {d.first_month} to {d.last_month}. " + d.caveat
        )
    return PlainEnglish(
        headline=head,
        method=f"Method: {o.method}.",
        assumptions="This assumes: " + " ".join(o.assumptions),
        alternatives=alternatives,
        placebo=placebo,
        hubs=tuple(hubs),
        patrol=patrol,
    )


def _includes_zero(point: EventStudyPoint) -> bool:
    return point.ci_low_pct is not None and point.ci_high_pct is not None and point.ci_low_pct <= 0 <= point.ci_high_pct


def _month_words(point: EventStudyPoint) -> str:
    when = "launch month" if point.relative_month == 0 else f"month {point.relative_month:+d}"
    return f"{when}: {_change(point.effect_pct)} ({_range(point.ci_low_pct or 0.0, point.ci_high_pct or 0.0)})"


def event_study_words(evaluation: Evaluation) -> str:
    """The event study in words: whether the months before launch were flat, and what followed.

    Months before launch whose 95% intervals all include no change support the assumption
    that the launching hubs and the hubs not launched yet moved in step (parallel trends).

    Parameters
    ----------
    evaluation : Evaluation
        The result of :func:`analysis.stats.evaluation.evaluate.evaluate`.

    Returns
    -------
    str
        Two or three sentences, or why there is no event study.
    """
    points = evaluation.event_study
    if not points:
        return f"No event study: {evaluation.event_study_reason or 'not enough data.'}"
    what = _short_name(evaluation.outcome)
    leads = [p for p in points if p.relative_month < 0 and not p.reference]
    lags = [p for p in points if p.relative_month >= 0]
    first, last = points[0].relative_month, points[-1].relative_month
    text = (
        f"Change in {what} in the launching hubs against hubs that had not launched yet, month by month from "
        f"{-first} months before launch to {last} after, each against the month before launch, with 95% intervals."
    )
    if leads:
        off = [p for p in leads if not _includes_zero(p)]
        if not off:
            text += (
                f" Before launch, all {len(leads)} months' intervals include no change: the hubs moved in step "
                "before launch, as the estimate assumes."
            )
        else:
            text += (
                f" Before launch, {len(off)} of {len(leads)} months' intervals exclude no change "
                f"({'; '.join(_month_words(p) for p in off)}): the hubs may not have moved in step before launch, "
                "so read the estimate with care."
            )
    if lags:
        lower = sum(1 for p in lags if p.ci_high_pct is not None and p.ci_high_pct < 0)
        higher = sum(1 for p in lags if p.ci_low_pct is not None and p.ci_low_pct > 0)
        text += (
            f" From the launch month on, the whole interval is below no change in {lower} of {len(lags)} months and "
            f"above it in {higher}; the estimates run from {_change(min(p.effect_pct for p in lags))} "
            f"to {_change(max(p.effect_pct for p in lags))}."
        )
    return text
