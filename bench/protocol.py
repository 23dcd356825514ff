"""One simulated person on the dashboard, speaking Streamlit's own websocket protocol.

What the browser does, without the browser: ``GET /_stcore/health`` (which sets the XSRF
cookie), a websocket to ``/_stcore/stream`` with the subprotocols ``streamlit`` and the
XSRF token, then one ``BackMsg.rerun_script`` (a ``ClientState``: query string, page,
widget states, context info) per page view. The server answers with ``ForwardMsg``s; a view
has finished when ``script_finished`` says ``FINISHED_SUCCESSFULLY`` (an ``st.rerun()``
inside the run finishes early and runs again: that is still the same view).

A view fails when a delta holds an exception element or the app's fault sentence
(:data:`analysis.errors.FAULT_SENTENCE`, e.g. "This page could not be drawn. …"), when the
server sends ``page_not_found`` or a compile error, when the connection drops, or when the
view has not finished within the timeout.

Read from Streamlit 1.67's server (``web/server/starlette/starlette_websocket.py``,
``runtime/app_session.py``) and its protos; no browser, so one machine can hold many sessions.
Like the browser, it tells the server which large messages it already holds
(``cached_message_hashes``), so a page seen before is not sent again in full.
"""

from __future__ import annotations

import asyncio
import time
import urllib.request
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

#: The app's fault sentence (analysis.errors.FAULT_SENTENCE), here so the driver needs no app import.
FAULT_TEXT = "This is a fault in Local Focus"
FINISHED = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_SUCCESSFULLY")
COMPILE_ERROR = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_WITH_COMPILE_ERROR")


@dataclass
class Widget:
    """A widget the server drew: its id (for widget_states), type, label and options."""

    id: str
    kind: str
    label: str
    options: list[str] = field(default_factory=list)


@dataclass
class View:
    """One page view: how long it took, what failed, what it drew."""

    page: str
    seconds: float = 0.0
    bytes: int = 0
    messages: int = 0
    errors: list[str] = field(default_factory=list)
    widgets: dict[str, Widget] = field(default_factory=dict)


def xsrf_cookie(base_url: str) -> str | None:
    """The XSRF cookie the server sets on its health check, as a browser receives it first."""
    with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=30) as response:
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            if "_streamlit_xsrf" in cookie:
                return cookie["_streamlit_xsrf"].value
    return None


class ProtocolSession:
    """A websocket session: :meth:`open` the app, then :meth:`visit` pages by title."""

    def __init__(self, base_url: str, timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.pages: dict[str, tuple[str, str]] = {}  # title -> (page_script_hash, url_pathname)
        self.cached_hashes: set[str] = set()
        self.widget_states: dict[str, WidgetState] = {}  # what this person has set, sent with every rerun
        self._ws = None
        self._current = ("", "")

    async def open(self) -> View:
        """Connect and run the default page, as opening the address does; learns the pages."""
        from websockets.asyncio.client import connect

        parts = urlsplit(self.base_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        token = await asyncio.to_thread(xsrf_cookie, self.base_url)
        headers = {"Origin": f"{parts.scheme}://{parts.netloc}"}
        if token:
            headers["Cookie"] = f"_streamlit_xsrf={token}"
        # The token rides in the subprotocol header, as the browser sends it.
        self._ws = await connect(
            f"{scheme}://{parts.netloc}{parts.path}/_stcore/stream",
            subprotocols=["streamlit", token] if token else ["streamlit"],
            additional_headers=headers,
            max_size=None,  # the map page's payload is several MB
            ping_interval=None,  # a busy server is measured by the page timeout, not by pings
            open_timeout=self.timeout,
        )
        return await self._run("(open)", "", "")

    async def visit(self, title: str) -> View:
        """Click a page in the navigation."""
        page_hash, pathname = self.pages[title]
        return await self._run(title, page_hash, pathname)

    async def set_widget(self, label: str, view: View, value: list[str]) -> View:
        """Change a multiselect (by its label, from the last view) to ``value`` and rerun the page."""
        widget = view.widgets[label]
        state = WidgetState(id=widget.id)
        state.string_array_value.data[:] = value
        self.widget_states[widget.id] = state
        return await self._run(f"{view.page} ({label} changed)", *self._current)

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()

    def _back_msg(self, page_hash: str, pathname: str) -> bytes:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = ""
        state.page_script_hash = page_hash
        state.page_name = pathname
        state.widget_states.widgets.extend(self.widget_states.values())
        state.cached_message_hashes.extend(sorted(self.cached_hashes))
        info = state.context_info
        info.timezone = "Europe/London"
        info.timezone_offset = 0
        info.locale = "en-GB"
        info.url = f"{self.base_url}/{pathname}"
        info.is_embedded = False
        info.color_scheme = "light"
        return msg.SerializeToString()

    async def _run(self, title: str, page_hash: str, pathname: str) -> View:
        view = View(title)
        self._current = (page_hash, pathname)
        started = time.perf_counter()
        try:
            await self._ws.send(self._back_msg(page_hash, pathname))
            await asyncio.wait_for(self._read_until_finished(view), self.timeout)
        except TimeoutError:
            view.errors.append(f"{title}: not finished within {self.timeout:.0f} s")
        except Exception as e:  # a dropped connection is a measured error, not a crash of the bench
            view.errors.append(f"{title}: {type(e).__name__}")
        view.seconds = time.perf_counter() - started
        return view

    async def _read_until_finished(self, view: View) -> None:
        while True:
            data = await self._ws.recv()
            view.bytes += len(data)
            view.messages += 1
            msg = ForwardMsg()
            msg.ParseFromString(data)
            if msg.metadata.cacheable and msg.hash:
                self.cached_hashes.add(msg.hash)
            kind = msg.WhichOneof("type")
            if kind == "delta":
                self._read_delta(msg, view)
            elif kind == "navigation":
                self.pages = {p.page_name: (p.page_script_hash, p.url_pathname) for p in msg.navigation.app_pages}
            elif kind == "page_not_found":
                view.errors.append(f"{view.page}: page not found")
            elif kind == "script_finished":
                if msg.script_finished == COMPILE_ERROR:
                    view.errors.append(f"{view.page}: compile error")
                    return
                if msg.script_finished == FINISHED:
                    return

    @staticmethod
    def _read_delta(msg: ForwardMsg, view: View) -> None:
        if msg.delta.WhichOneof("type") != "new_element":
            return
        element = msg.delta.new_element
        kind = element.WhichOneof("type")
        if kind == "exception":
            view.errors.append(f"{view.page}: exception {element.exception.type}: {element.exception.message[:80]}")
        elif kind == "alert" and FAULT_TEXT in element.alert.body:
            view.errors.append(f"{view.page}: {element.alert.body[:80]}")
        elif kind in {"multiselect", "slider", "selectbox", "radio", "checkbox", "button_group"}:
            proto = getattr(element, kind)
            view.widgets[proto.label] = Widget(proto.id, kind, proto.label, list(getattr(proto, "options", [])))
