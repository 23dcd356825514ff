"""The server bench's helpers (/proc parsing, the value a widget is changed to, the tables) and one short run.

No figure is asserted: timings and memory depend on the machine. The short run starts the bare
floor app on 127.0.0.1 and drives it through the bench's own start, walk and change code.
"""

from __future__ import annotations

import asyncio

import pytest

from bench import serve_bench
from bench.protocol import Widget, widget_state
from tests.conftest import SAMPLE_DIR


@pytest.mark.parametrize(
    "stat,expected",
    [
        ("1 (python) S 0 1 1 0 -1 4194560 10 0 0 0 250 50 0 0 20 0 1", 3.0),
        ("7 (a (b) c) R 1 7 7 0 -1 0 0 0 0 0 100 0 30 70 20", 2.0),  # spaces and parentheses in the name
    ],
)
def test_cpu_seconds_are_utime_stime_and_childrens(stat, expected):
    assert serve_bench.parse_stat_cpu(stat, 100) == pytest.approx(expected)


def test_a_status_field_is_read_in_kib():
    status = "Name:\tpython\nVmPeak:\t  900 kB\nVmHWM:\t  524288 kB\nVmRSS:\t  1024 kB\n"
    assert serve_bench.parse_status_kib(status, "VmHWM") == 524288
    with pytest.raises(KeyError, match="VmSwap"):
        serve_bench.parse_status_kib(status, "VmSwap")


def test_cpu_and_memory_of_this_process_are_read_from_proc():
    import os

    assert serve_bench.cpu_seconds(os.getpid()) > 0
    memory = serve_bench.memory_mib(os.getpid())
    assert memory["VmHWM"] >= memory["VmRSS"] > 0


MONTHS = ["Jan 2019", "Feb 2019", "Mar 2019", "Apr 2019", "May 2019", "Jun 2019", "Jul 2019", "Aug 2019"]


@pytest.mark.parametrize(
    "widget,expected",
    [
        (Widget("$$ID-1-f_hubs", "multiselect", "Hubs", ["Carlisle", "Eden"], []), ["Carlisle"]),
        (Widget("$$ID-1-f_hubs", "multiselect", "Hubs", ["Carlisle", "Eden"], ["Eden"]), []),
        (Widget("$$ID-1-f_period", "slider", "Period", MONTHS, [MONTHS[0], MONTHS[-1]]), ["Mar 2019", "Aug 2019"]),
        (Widget("$$ID-1-f_period", "slider", "Period", MONTHS, ["Mar 2019", "Aug 2019"]), ["Jan 2019", "Aug 2019"]),
        (Widget("$$ID-1-map_family", "radio", "Records", ["ASB", "Crime"], "ASB"), "Crime"),
        (Widget("$$ID-1-map_level", "selectbox", "Areas", ["All hubs", "Eden"], "All hubs"), "Eden"),
        (Widget("$$ID-1-map_hotspots", "checkbox", "Hotspots", [], False), True),
        (Widget("$$ID-1-overview_view", "button_group", "Show", ["County", "Each hub"], ["County"]), ["Each hub"]),
        (Widget("$$ID-1-dep_weeks", "slider", "Weeks", [], [4.0], bounds=(2, 8, 1)), [5.0]),
        (Widget("$$ID-1-dep_weeks", "slider", "Weeks", [], [8.0], bounds=(2, 8, 1)), [7.0]),
        (Widget("$$ID-1-briefing_next", "button", "Next", []), True),
        (Widget("$$ID-1-upload_save", "button", "Save", []), None),  # a button that writes: never pressed
        (Widget("$$ID-1-fetch_update", "checkbox", "Update", [], False), None),  # the fetch panel: left alone
        (Widget("$$ID-1-map_level", "selectbox", "Areas", ["All hubs"], "All hubs", disabled=True), None),
        (Widget("$$ID-1-x", "radio", "Only", ["one"], "one"), None),
    ],
    ids=lambda v: v.key if isinstance(v, Widget) else None,
)
def test_a_change_is_a_different_value_a_person_could_choose(widget, expected):
    assert serve_bench.change_for(widget) == expected


def test_a_widget_is_named_by_its_key_or_else_its_label():
    assert Widget("$$ID-abc123-f_hubs", "multiselect", "Hubs").key == "f_hubs"
    assert Widget("$$ID-abc123-None", "multiselect", "Hubs").key == "Hubs"


def test_widget_states_carry_the_value_as_the_browser_sends_it():
    state = widget_state(Widget("i", "slider", "Period", MONTHS), ["Jan 2019", "Feb 2019"])
    assert list(state.string_array_value.data) == ["Jan 2019", "Feb 2019"]
    assert widget_state(Widget("i", "slider", "Weeks", bounds=(2, 8, 1)), [5]).double_array_value.data[:] == [5.0]
    assert widget_state(Widget("i", "radio", "Records"), "Crime").string_value == "Crime"
    assert widget_state(Widget("i", "checkbox", "Hotspots"), True).bool_value is True
    assert widget_state(Widget("i", "button", "Next"), True).trigger_value is True


def test_the_markdown_table_formats_numbers_and_gaps():
    table = serve_bench.markdown_table(["page", "s", "n"], [["Hub map", 0.126, 3], ["a|b", 1.5, None]])
    assert table.splitlines() == [
        "| page | s | n |",
        "| --- | --- | --- |",
        "| Hub map | 0.13 | 3 |",
        "| a\\|b | 1.50 | — |",
    ]
    assert serve_bench.ratio(3.0, 1.5) == "2.0 x" and serve_bench.ratio(1.0, 0) == "—"


def test_a_short_run_on_the_floor_app_starts_walks_and_changes_the_filter(tmp_path):
    """One start of the bare app on 127.0.0.1, through the bench's own first chart, walk and changes."""
    env = serve_bench.server_env(SAMPLE_DIR, tmp_path / "stores")
    server = serve_bench.start_server(serve_bench.FLOOR, env, tmp_path / "server.log")

    async def drive():
        start, session = await serve_bench.first_chart(server, timeout=60)
        try:
            return start, await serve_bench.walk(server, session, "floor", ["Overview", "Data"], filters=True)
        finally:
            await session.close()

    try:
        start, walked = asyncio.run(drive())
    finally:
        server.stop()
    assert start.errors == [] and start.charts == 1
    assert start.first_chart_seconds >= start.healthy_seconds > 0 and start.cpu_to_first_chart > 0
    assert [v.page for v in walked.visits] == ["Overview", "Data"] and walked.missing_pages == []
    assert [(c.page, c.what, c.step) for c in walked.changes] == [
        (page, "Hubs", step) for page in ("Overview", "Data") for step in ("changed", "back")
    ]
    assert all(c.errors == [] and c.wall_seconds > 0 for c in walked.changes)
    assert walked.memory_after_visits["VmHWM"] > 0
    run = serve_bench.AppRun("floor_app.py", str(SAMPLE_DIR), None, [start], walked)
    assert "| Overview | Hubs | multiselect |" in serve_bench.changes_table(walked, walked)
    assert "floor_app.py" in serve_bench.start_table(run, [run])


def test_the_start_table_takes_the_start_imports_floor_off_ours():
    def run(app: str, cpu: float) -> serve_bench.AppRun:
        start = serve_bench.Start(1.0, 2.0, cpu, 0.5, cpu / 2, 1)
        return serve_bench.AppRun(app, "f", None, [start])

    ours, bare, start = run("dashboard.py", 3.0), run("floor_app.py", 1.5), run(serve_bench.FLOOR_START.name, 2.5)
    table = serve_bench.start_table(ours, [bare, start]).splitlines()
    assert "| ours − bare floor |  | 0.000 | 0.000 | 1.50 | 0.000 | 0.75 |" in table
    assert "| ours − start-imports floor |  | 0.000 | 0.000 | 0.50 | 0.000 | 0.25 |" in table
    assert not any("start-imports" in line for line in serve_bench.start_table(ours, [bare]).splitlines())
