"""The load bench's protocol driver: it speaks Streamlit's websocket protocol and counts failures.

Only the driver's message handling is checked here; the bench's figures are never asserted
(they depend on the machine). One server on the sample, on 127.0.0.1.
"""

from __future__ import annotations

import asyncio

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench import load_sessions
from bench.protocol import FAULT_TEXT, ProtocolSession, View
from tests.conftest import SAMPLE_DIR


@pytest.fixture(scope="module")
def server_url():
    port = load_sessions._free_port()
    process = load_sessions.start_server(SAMPLE_DIR, port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except Exception:
            process.kill()
            process.wait()


def test_fault_sentence_matches_the_app():
    from analysis.errors import FAULT_SENTENCE

    assert FAULT_SENTENCE.startswith(FAULT_TEXT)


def test_an_exception_or_the_fault_sentence_in_a_delta_is_an_error():
    view = View("Overview")
    msg = ForwardMsg()
    msg.delta.new_element.exception.type = "KeyError"
    ProtocolSession._read_delta(msg, view)
    msg = ForwardMsg()
    msg.delta.new_element.alert.body = "This page could not be drawn. This is a fault in Local Focus, not in your data."
    ProtocolSession._read_delta(msg, view)
    msg = ForwardMsg()
    msg.delta.new_element.alert.body = "No population.csv: no rates."
    ProtocolSession._read_delta(msg, view)
    assert len(view.errors) == 2


def test_one_session_opens_visits_two_pages_and_changes_a_filter(server_url):
    async def run():
        session = ProtocolSession(server_url, timeout=180)
        try:
            views = [await session.open()]
            assert set(load_sessions.PAGES) <= set(session.pages)
            views.append(await session.visit("Overview"))
            views.append(await session.visit(load_sessions.FILTER_PAGE))
            hubs = views[-1].widgets[load_sessions.FILTER_LABEL]
            assert hubs.kind == "multiselect" and hubs.options
            views.append(await session.set_widget(load_sessions.FILTER_LABEL, views[-1], hubs.options[:1]))
            return views
        finally:
            await session.close()

    views = asyncio.run(run())
    assert [v.errors for v in views] == [[]] * 4
    assert all(v.messages > 0 and v.seconds > 0 for v in views)


def test_a_short_level_has_page_views_and_no_errors(server_url):
    levels = load_sessions.main(
        ["--url", server_url, "--levels", "1", "--seconds", "4", "--think", "0.2", "0.5", "--no-warm-up"]
        + ["--ramp", "0", "--timeout", "180"]
    )
    assert len(levels[0].times) > 0
    assert levels[0].errors == []
    assert levels[0].rss_mb > 0  # the server's process was found by its port
