"""Data: what is loaded, coverage by month and file, the validation report, rejected rows, and new files."""

from pathlib import Path

import pandas as pd
import streamlit as st

from analysis.figures.shared import coverage_strip
from analysis.load.coverage import month_ranges
from analysis.load.dataset import DATA_DIR_ENV, default_data_dir
from analysis.load.report import rejected_rows, reports_frame
from analysis.load.upload import (
    INCIDENT_KIND,
    UploadCheck,
    UploadConflict,
    content_digest,
    months_already_loaded,
    plan_save,
    remove_overlay,
    save_upload,
    stage_upload,
)
from analysis.text.a11y import table_view
from ui import cache
from ui.access import may_write, sees_internal
from ui.charts import chart_with_table
from ui.common import attribution, csv_download, get_dataset, page_header
from ui.fetch_panel import fetch_panel

#: The contract with ui.common.get_dataset: the folder this session loads instead of the configured one.
OVERRIDE_KEY = "data_dir_override"
_STAGED = "upload_staged"  # {target: {"name", "digest", "content"}} kept for this session
_BASE = "upload_overlay_base"  # the folder the overlay mirrors
_MESSAGE = "upload_message"  # (kind, text) from the last keep or save
_DIGESTS = "upload_digests"  # {file_id: sha256}: each upload is hashed once


def _drop_session_files() -> None:
    overlay = st.session_state.pop(OVERRIDE_KEY, None)
    if overlay:
        remove_overlay(overlay)
    for key in (_STAGED, _BASE):
        st.session_state.pop(key, None)


def _restage(base: Path, staged: dict) -> None:
    """Rebuild this session's overlay from ``staged`` (or drop it when nothing is left)."""
    if not staged:
        _drop_session_files()
        return
    current = st.session_state.get(OVERRIDE_KEY)
    overlay = stage_upload(base, {target: item["content"] for target, item in staged.items()}, current)
    st.session_state[_STAGED] = staged
    st.session_state[_BASE] = str(base)
    st.session_state[OVERRIDE_KEY] = str(overlay)


def _use_for_session(items: list[tuple[UploadCheck, bytes]], base: Path) -> None:
    staged = dict(st.session_state.get(_STAGED, {}))
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
    try:
        _restage(base, staged)
    except (ValueError, OSError) as e:
        st.session_state[_MESSAGE] = ("error", f"The files could not be kept for this session: {e}")
        return
    text = []
    if added:
        text.append("Kept for this session, not saved: " + "; ".join(added) + ".")
    if already:
        text.append("Already in the data folder, so nothing to add: " + ", ".join(already) + ".")
    st.session_state[_MESSAGE] = ("success", " ".join(text) or "These files are already in use for this session.")


def _save(items: list[tuple[UploadCheck, bytes]], base: Path) -> None:
    if not may_write():  # checked again when the click arrives, not only when the button was drawn
        st.session_state[_MESSAGE] = ("error", "Only editors can save into the data folder: nothing was saved.")
        return
    replace = bool(st.session_state.get("upload_confirm_replace", False))
    done, problems, saved_digests = [], [], set()
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
        saved_digests.add(check.digest)
        done.append(f"{check.name} " + ("was already there" if plan.action == "same" else f"saved as {plan.target}"))
    # A saved file is in the folder now: keeping a session copy too would count it twice.
    staged = {t: i for t, i in st.session_state.get(_STAGED, {}).items() if i["digest"] not in saved_digests}
    if staged != st.session_state.get(_STAGED, {}):
        try:
            _restage(base, staged)
        except (ValueError, OSError) as e:
            problems.append(f"The session's other uploads could not be kept: {e}")
    if problems:
        st.session_state[_MESSAGE] = ("error", " ".join(problems + ([f"Done: {'; '.join(done)}."] if done else [])))
    else:
        st.session_state[_MESSAGE] = ("success", f"Into {base.name}: {'; '.join(done)}.")


def _months_text(months: list[str]) -> str:
    if not months:
        return ""
    first, last = pd.Period(months[0], "M"), pd.Period(months[-1], "M")
    return first.strftime("%b %Y") if first == last else f"{first:%b %Y} to {last:%b %Y} ({len(months)} months)"


def _digest(uploaded) -> str:
    digests = st.session_state.setdefault(_DIGESTS, {})
    if uploaded.file_id not in digests:
        digests[uploaded.file_id] = content_digest(uploaded.getvalue())
    return digests[uploaded.file_id]


base = default_data_dir()  # the configured folder: uploads are saved here and overlaid on it, never on an overlay
if st.session_state.get(_BASE) and (
    st.session_state[_BASE] != str(base) or not Path(st.session_state.get(OVERRIDE_KEY, "")).is_dir()
):
    _drop_session_files()  # the folder changed, or the temporary overlay is gone
dataset = get_dataset()
page_header("Data", dataset, "What is loaded, which months each file covers, and every row that was set aside.")

if sees_internal():  # a public site never shows the server's folder
    st.markdown(f"Folder in use: `{base}` (set `{DATA_DIR_ENV}` to load another folder).")
staged = st.session_state.get(_STAGED, {})
if staged:
    with st.container(border=True, key="upload_session_banner"):
        st.markdown(
            f"**This session also uses {len(staged)} uploaded file(s)**, not saved into the folder: "
            + "; ".join(f"{item['name']} (as {target})" for target, item in staged.items())
            + ". Every page uses the folder plus these files until you stop or close the tab."
        )
        st.button("Stop using the uploaded files", key="upload_stop_session", on_click=_drop_session_files)
if dataset.is_generated:
    st.warning(
        "This is a generated sample made by `data/generate.py`: its incidents, launch dates, deployment and "
        "cases are invented to show how the dashboard works. It sits on real ground: the hub areas and LSOAs "
        "are the real Cumbria boundaries (ONS), the residents are ONS figures, and each incident is placed at "
        "a real police.uk map point.",
        icon=":material/science:",
    )

reports = dataset.reports
files = reports_frame(reports)
read, accepted = int(files["rows_read"].sum()), int(files["rows_accepted"].sum())
rejected = int(files["rows_rejected"].sum())
columns = st.columns(4)
columns[0].metric("Rows read", f"{read:,}")
columns[1].metric("Accepted", f"{accepted:,}")
columns[2].metric("Rejected (kept below)", f"{rejected:,}")
columns[3].metric("Files unusable", f"{int((~files['usable']).sum()):,}")

for report in reports:
    if report.problem:
        st.error(report.problem, icon=":material/error:")

if sees_internal():  # a public site takes no uploads
    st.subheader("Add files")
    message = st.session_state.pop(_MESSAGE, None)
    if message:
        (st.success if message[0] == "success" else st.error)(message[1])
    st.markdown(
        "Upload police.uk street-level CSVs (or the zip data.police.uk gives you), or one of the folder's own CSVs "
        "such as **resourcing.csv**. Each file is checked exactly as the folder's files are. Then keep it for this "
        "session only, or save it into the data folder."
    )
uploads = (
    st.file_uploader("Files to add (.csv or .zip)", type=["csv", "zip"], accept_multiple_files=True, key="upload_files")
    if sees_internal()
    else None
)
if uploads:
    items = [(cache.checked_upload(f.name, _digest(f), f.getvalue()), f.getvalue()) for f in uploads]
    kept = {item["digest"] for item in staged.values()}
    known_hubs = set(dataset.hubs["hub"].astype("str"))
    taken: frozenset[str] = frozenset()
    plans = {}
    for check, _content in items:
        plan = None
        if check.usable:
            try:
                plan = plan_save(check, base, taken)
                taken |= {plan.target}
            except (ValueError, OSError) as e:
                check.problem = check.problem or str(e)
        plans[check.digest] = plan
        with st.container(border=True, key=f"upload_card_{check.digest[:12]}"):
            what = "police.uk street-level records" if check.kind == INCIDENT_KIND else check.kind
            what = what if check.reports else "not recognised"
            months = _months_text(check.months)
            st.markdown(f"**{check.name}** · checked as {what}" + (f" · {months}" if months else ""))
            if check.reports:
                st.markdown(
                    f"{check.rows_read:,} rows read = {check.rows_accepted:,} accepted + "
                    f"{check.rows_rejected:,} rejected" + (" (listed below)." if check.rows_rejected else ".")
                )
            if check.digest in kept:
                st.markdown(":material/check_circle: In use this session (not saved).")
            elif plan is not None:
                st.markdown(f"Saving: it {plan.message}.")
            for problem in check.problems:
                st.error(problem, icon=":material/error:")
            for note in sorted({n for r in check.reports for n in r.notes if not n.startswith("skipped")}):
                st.caption(f"Read as: {note}.")
            if check.usable and len(check.reports) > 1:
                with st.expander(f"The {len(check.reports)} files inside {check.name}"):
                    st.dataframe(reports_frame(check.reports), hide_index=True)
            already = check.digest in kept or (plan is not None and plan.action == "same")
            overlap = None if already else months_already_loaded(check, dataset.incidents)
            if overlap is not None and len(overlap):
                sources = sorted(set(overlap["source_file"]))
                named = ", ".join(sources[:3]) + (f" and {len(sources) - 3} more files" if len(sources) > 3 else "")
                listed = f"{_months_text(sorted(set(overlap['month'])))} in {named}"
                st.warning(
                    f"It covers months the folder already has ({listed}). Keeping both counts those months twice: "
                    "ASB records have no Crime ID, so a repeat cannot be told from a new record (crimes with a "
                    "repeated Crime ID are set aside). Add it only in place of those files.",
                    icon=":material/content_copy:",
                )
            unknown = sorted(set(check.hubs) - known_hubs) if check.usable else []
            if unknown:
                st.warning(
                    f"It names hub(s) that hubs.csv does not list: {', '.join(unknown)}. Their rows will not count "
                    "toward any hub; check the spelling against hubs.csv.",
                    icon=":material/help:",
                )
    upload_rejected = pd.concat([c.rejected() for c, _ in items], ignore_index=True)
    if len(upload_rejected):
        st.markdown(f"**Rejected rows in the uploads** ({len(upload_rejected):,})")
        st.dataframe(
            upload_rejected[["file", "line", "reasons", "text"]].head(1000),
            hide_index=True,
            key="upload_rejected_table",
            column_config={"reasons": st.column_config.TextColumn(width="large")},
        )
        csv_download(
            upload_rejected, "Download the rejected rows", "upload_rejected_rows.csv", key="dl_upload_rejected"
        )
    usable = [(c, content) for c, content in items if c.usable]
    if usable:
        replacing = [plans[c.digest].target for c, _ in usable if plans[c.digest].action == "replace"]
        if replacing:
            st.checkbox(
                f"When saving, replace the folder's {', '.join(replacing)} with the upload (the old file is "
                "overwritten; keeping for this session changes nothing in the folder)",
                key="upload_confirm_replace",
            )
        left, right = st.columns(2)
        fresh = [(c, content) for c, content in usable if c.digest not in kept and plans[c.digest].action != "same"]
        if fresh:
            keep_label = "Keep for this session"
        elif any(c.digest in kept for c, _ in usable):
            keep_label = "Kept for this session"
        else:
            keep_label = "Already in the folder: nothing to keep"
        left.button(
            keep_label,
            disabled=not fresh,
            key="upload_use_session",
            type="primary",
            on_click=_use_for_session,
            args=(fresh, base),
            help="Every page uses the folder plus these files until you stop or close the tab. Nothing is written "
            "to the folder.",
            width="stretch",
        )
        if may_write():
            right.button(
                f"Save into the data folder ({base.name})",
                key="upload_save",
                on_click=_save,
                args=(usable, base),
                help="Writes the files into the folder (a new name where a different file has the same name).",
                width="stretch",
            )
        else:
            right.caption("Only editors can save into the data folder; you can keep the files for this session.")

# Fetching writes into the data folder: only for those who may save (an editor, or the laptop).
fetch_panel(base, allowed=may_write(), generated=dataset.is_generated)
st.subheader("Files")
st.dataframe(
    files,
    hide_index=True,
    column_config={
        "usable": st.column_config.CheckboxColumn("usable"),
        "rows_read": st.column_config.NumberColumn("read", format="%d"),
        "rows_accepted": st.column_config.NumberColumn("accepted", format="%d"),
        "rows_rejected": st.column_config.NumberColumn("rejected", format="%d"),
    },
    key="files_table",
)

st.subheader("Rejected rows")
rejected_table = rejected_rows(reports)
if not sees_internal():
    st.info("Rejected rows are internal: the public site shows only how many there are.", icon=":material/lock:")
elif rejected_table.empty:
    st.success("No row was rejected.", icon=":material/check_circle:")
else:
    st.dataframe(rejected_table.head(1000), hide_index=True, key="rejected_table")
    if len(rejected_table) > 1000:
        st.caption(f"Showing the first 1,000 of {len(rejected_table):,}; the download has them all.")
    csv_download(rejected_table, "Download every rejected row", "rejected_rows.csv", key="dl_rejected")

st.subheader("Coverage by month")
incidents = dataset.incidents
if incidents.empty:
    st.info("No incident records loaded.")
else:
    months = cache.coverage_by_month(dataset.fingerprint, dataset)
    strip, strip_table, strip_summary = coverage_strip(dataset.coverage, dataset.months[0], dataset.months[-1])
    chart_with_table(
        strip,
        table_view(strip_table, {"month": "Month", "Crime": "Crime", "ASB": "ASB"}),
        strip_summary,
        key="data_coverage",
    )
    gaps = dataset.coverage.summary_record()["months_not_supplied"]
    if gaps["crime"] or gaps["asb"]:
        st.warning(
            f"Not supplied: crime {month_ranges([pd.Period(m, 'M') for m in gaps['crime']]) or 'none'}; "
            f"ASB {month_ranges([pd.Period(m, 'M') for m in gaps['asb']]) or 'none'}. "
            "Every page shows these months as gaps, never as zeros; rates, comparisons and estimates leave them out.",
            icon=":material/event_busy:",
        )
    hub_gaps = dataset.coverage.hub_gaps()
    if len(hub_gaps):
        st.warning(
            f"{len(hub_gaps)} hub-month(s) not supplied although the force's files hold the month "
            "(no record of a hub that usually has several): see the last column below.",
            icon=":material/event_busy:",
        )
    resupplied = [note for r in dataset.reports for note in r.notes if note.startswith("skipped ")]
    if resupplied:
        st.info(
            "The same month in two files is loaded once (the newer download wins: police.uk re-supplies months "
            "with later outcomes); the other file's rows are in the rejected rows with the reason. "
            + "; ".join(resupplied[:5]),
            icon=":material/content_copy:",
        )
    st.dataframe(
        table_view(
            months,
            {"month": "Month", "crime": "Crimes", "asb": "ASB", "hubs_not_supplied": "Hubs not supplied"},
        ),
        hide_index=True,
        key="coverage_months",
    )
    by_file = cache.records_by_file(dataset.fingerprint, dataset)
    st.dataframe(by_file, hide_index=True, key="coverage_table")
    assigned = incidents["assigned_by"].value_counts().rename_axis("placed by").rename("records").reset_index()
    st.markdown(
        "**How records were placed in hubs** (LSOA code, a 2021 code through the ONS lookup, the LSOA name, "
        f"then the point; else Unassigned). Hubs: {dataset.hubs_source}."
    )
    st.dataframe(assigned, hide_index=True, key="assigned_table")
    csv_download(months, "Download coverage by month", "coverage.csv", key="dl_coverage")
attribution()
