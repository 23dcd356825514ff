"""What the Data page does with a batch of uploads: review each one, keep them for the session, or save them.

Each function takes the checked uploads (``(UploadCheck, bytes)`` pairs) and plain values, and
returns what to show or keep; the page holds the session state. No streamlit here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.load.records import Records
from analysis.load.report import reports_frame
from analysis.load.upload.check import INCIDENT_KIND, UploadCheck, months_already_loaded
from analysis.load.upload.save import SavePlan, UploadConflict, plan_save, save_upload

Item = tuple[UploadCheck, bytes]


def months_text(months: Sequence[str]) -> str:
    """Months in words: ``Mar 2019``, or ``Jan 2019 to Mar 2019 (3 months)``; empty without months.

    Examples
    --------
    >>> months_text(["2019-01", "2019-02", "2019-03"])
    'Jan 2019 to Mar 2019 (3 months)'
    """
    if not months:
        return ""
    first, last = pd.Period(months[0], "M"), pd.Period(months[-1], "M")
    return first.strftime("%b %Y") if first == last else f"{first:%b %Y} to {last:%b %Y} ({len(months)} months)"


@dataclass(frozen=True)
class UploadCard:
    """What the page says of one upload."""

    check: UploadCheck
    plan: SavePlan | None
    heading: str
    rows: str | None
    status: str | None
    notes: tuple[str, ...]
    files: pd.DataFrame | None
    overlap: str | None
    unknown_hubs: str | None


@dataclass(frozen=True)
class UploadReview:
    """A batch of uploads reviewed: a card each, their rejected rows, and what the buttons offer."""

    items: tuple[Item, ...]
    cards: tuple[UploadCard, ...]
    rejected: pd.DataFrame
    usable: tuple[Item, ...]
    fresh: tuple[Item, ...]
    replacing: tuple[str, ...]
    keep_label: str


def _overlap(check: UploadCheck, records: Records) -> str | None:
    overlap = months_already_loaded(check, records)
    if not len(overlap):
        return None
    sources = sorted(set(overlap["source_file"]))
    named = ", ".join(sources[:3]) + (f" and {len(sources) - 3} more files" if len(sources) > 3 else "")
    listed = f"{months_text(sorted(set(overlap['month'])))} in {named}"
    return (
        f"It covers months the folder already has ({listed}). Keeping both counts those months twice: "
        "ASB records have no Crime ID, so a repeat cannot be told from a new record (crimes with a "
        "repeated Crime ID are set aside). Add it only in place of those files."
    )


def _card(check: UploadCheck, plan: SavePlan | None, kept: bool, records: Records, known_hubs) -> UploadCard:
    what = "police.uk street-level records" if check.kind == INCIDENT_KIND else check.kind
    what = what if check.reports else "not recognised"
    months = months_text(check.months)
    rows = None
    if check.reports:
        rows = (
            f"{check.rows_read:,} rows read = {check.rows_accepted:,} accepted + "
            f"{check.rows_rejected:,} rejected" + (" (listed below)." if check.rows_rejected else ".")
        )
    status = None
    if kept:
        status = ":material/check_circle: In use this session (not saved)."
    elif plan is not None:
        status = f"Saving: it {plan.message}."
    notes = sorted({n for r in check.reports for n in r.notes if not n.startswith("skipped")})
    already = kept or (plan is not None and plan.action == "same")
    unknown = sorted(set(check.hubs) - known_hubs) if check.usable else []
    return UploadCard(
        check=check,
        plan=plan,
        heading=f"**{check.name}** · checked as {what}" + (f" · {months}" if months else ""),
        rows=rows,
        status=status,
        notes=tuple(f"Read as: {note}." for note in notes),
        files=reports_frame(check.reports) if check.usable and len(check.reports) > 1 else None,
        overlap=None if already else _overlap(check, records),
        unknown_hubs=(
            f"It names hub(s) that hubs.csv does not list: {', '.join(unknown)}. Their rows will not count "
            "toward any hub; check the spelling against hubs.csv."
            if unknown
            else None
        ),
    )


def review_uploads(
    items: Sequence[Item], base: Path, kept: set[str], records: Records, known_hubs: set[str]
) -> UploadReview:
    """Review a batch of checked uploads against the data folder ``base`` and its ``records`` (``Dataset.records``).

    ``kept`` holds the digests already kept for this session. An upload whose save cannot be
    planned (a refused path, a folder that cannot be read) gets that as its problem.
    """
    taken: frozenset[str] = frozenset()
    reviewed: list[Item] = []
    cards, plans = [], {}
    for check, content in items:
        plan = None
        if check.usable:
            try:
                plan = plan_save(check, base, taken)
                taken |= {plan.target}
            except (ValueError, OSError) as e:
                check = dataclasses.replace(check, problem=check.problem or str(e))
        plans[check.digest] = plan
        reviewed.append((check, content))
        cards.append(_card(check, plan, check.digest in kept, records, known_hubs))
    rejected = pd.concat([c.rejected() for c, _ in reviewed], ignore_index=True)
    usable = tuple((c, content) for c, content in reviewed if c.usable)
    fresh = tuple((c, content) for c, content in usable if c.digest not in kept and plans[c.digest].action != "same")
    if fresh:
        keep_label = "Keep for this session"
    elif any(c.digest in kept for c, _ in usable):
        keep_label = "Kept for this session"
    else:
        keep_label = "Already in the folder: nothing to keep"
    return UploadReview(
        items=tuple(reviewed),
        cards=tuple(cards),
        rejected=rejected,
        usable=usable,
        fresh=fresh,
        replacing=tuple(plans[c.digest].target for c, _ in usable if plans[c.digest].action == "replace"),
        keep_label=keep_label,
    )


@dataclass(frozen=True)
class Keep:
    """Uploads to keep for the session: the new ``{target: {"name", "digest", "content"}}`` and the sentence."""

    staged: dict
    message: str


def keep_for_session(items: Sequence[Item], base: Path, staged: dict) -> Keep:
    """Add the uploads not yet kept (nor already in the folder) to the session's ``staged`` uploads."""
    staged = dict(staged)
    kept_digests = {item["digest"] for item in staged.values()}
    added, already = [], []
    for check, content in items:
        if check.digest in kept_digests:
            continue
        plan = plan_save(check, base, frozenset(staged))
        if plan.action == "same":
            already.append(check.name)
            continue
        staged[plan.target] = {"name": check.name, "digest": check.digest, "content": content}
        kept_digests.add(check.digest)
        added.append(f"{check.name} (as {plan.target})")
    text = []
    if added:
        text.append("Kept for this session, not saved: " + "; ".join(added) + ".")
    if already:
        text.append("Already in the data folder, so nothing to add: " + ", ".join(already) + ".")
    return Keep(staged, " ".join(text) or "These files are already in use for this session.")


@dataclass(frozen=True)
class Saved:
    """What a save of a batch did: a phrase per file saved, a sentence per problem, the digests saved."""

    done: tuple[str, ...]
    problems: tuple[str, ...]
    digests: frozenset[str]

    def message(self, base: Path, more_problems: Sequence[str] = ()) -> tuple[str, str]:
        """``("success" | "error", sentence)`` for the page."""
        problems = [*self.problems, *more_problems]
        if problems:
            return "error", " ".join(problems + ([f"Done: {'; '.join(self.done)}."] if self.done else []))
        return "success", f"Into {base.name}: {'; '.join(self.done)}."


def save_batch(items: Sequence[Item], base: Path, *, replace: bool) -> Saved:
    """Save each upload into ``base`` (see :func:`save_upload`); a file that fails leaves the others saved."""
    done, problems, digests = [], [], set()
    taken: frozenset[str] = frozenset()
    for check, content in items:
        try:
            plan = save_upload(check, content, base, replace=replace, taken=taken)
        except UploadConflict as e:
            problems.append(f"{check.name} was not saved. {e}")
            continue
        except OSError as e:
            problems.append(
                f"{check.name} could not be saved into {base} ({e.strerror or e}); nothing in the folder changed."
            )
            continue
        except ValueError as e:
            problems.append(f"{check.name} was not saved. {e}")
            continue
        taken |= {plan.target}
        digests.add(check.digest)
        done.append(f"{check.name} " + ("was already there" if plan.action == "same" else f"saved as {plan.target}"))
    return Saved(tuple(done), tuple(problems), frozenset(digests))
