"""One simulated person on the dashboard, speaking Streamlit's own websocket protocol.

What the browser does, without the browser: ``GET /_stcore/health`` (which sets the XSRF
cookie), a websocket to ``/_stcore/stream`` with the subprotocols ``streamlit`` and the
XSRF token, then one ``BackMsg.rerun_script`` (a ``ClientState``: query string, page,
widget states, context info) per page view. The server answers with ``ForwardMsg``s; a view
has finished when ``script_finished`` says ``FINISHED_SUCCESSFULLY`` (or, for a fragment's own
rerun, ``FINISHED_FRAGMENT_RUN_SUCCESSFULLY``; an ``st.rerun()``
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
#: A fragment's own rerun (a widget inside an ``st.fragment`` changed) finishes with this instead.
FRAGMENT_FINISHED = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_FRAGMENT_RUN_SUCCESSFULLY")
COMPILE_ERROR = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_WITH_COMPILE_ERROR")


#: Widget protos the driver reads (a toggle is a checkbox; a select_slider is a slider with options).
WIDGET_KINDS = {"multiselect", "slider", "selectbox", "radio", "checkbox", "button_group", "button"}


@dataclass
class Widget:
    """A widget the server drew: its id (for widget_states), type, label, options and value as drawn.

    ``value`` is what the browser would send back unchanged (formatted option strings for the
    choice widgets, a bool for a checkbox, numbers for a numeric slider); ``fragment_id`` is set
    when the widget sits in an ``st.fragment``, whose change reruns the fragment alone.
    """

    id: str
    kind: str
    label: str
    options: list[str] = field(default_factory=list)
    value: object = None
    fragment_id: str = ""
    disabled: bool = False
    #: A numeric slider's (min, max, step).
    bounds: tuple[float, float, float] | None = None

    @property
    def key(self) -> str:
        """The widget's ``key=`` in the app (the id's suffix), or its label when it has none."""
        user_key = self.id.split("-", maxsplit=2)[-1] if self.id.startswith("$$ID") else "None"
        return self.label if user_key == "None" else user_key


@dataclass
class View:
    """One page view: how long it took, what failed, what it drew."""

    page: str
    seconds: float = 0.0
    bytes: int = 0
    messages: int = 0
    errors: list[str] = field(default_factory=list)
    widgets: dict[str, Widget] = field(default_factory=dict)
    #: Plotly charts drawn in this view.
    charts: int = 0
    #: Seconds from sending the rerun to the server's first message of it (the run has started).
    first_message_seconds: float | None = None


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

    async def change(self, page: str, widget: Widget, value: object) -> View:
        """Send ``widget`` at ``value`` as the browser would after a person's change, and rerun.

        A widget inside a fragment reruns that fragment only (the view then holds only its
        elements); a button is a trigger, sent once.
        """
        state = widget_state(widget, value)
        self.widget_states[widget.id] = state
        try:
            return await self._run(f"{page} ({widget.key} changed)", *self._current, fragment_id=widget.fragment_id)
        finally:
            if widget.kind == "button":
                del self.widget_states[widget.id]  # a trigger is true for one run only

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()

    def _back_msg(self, page_hash: str, pathname: str, fragment_id: str = "") -> bytes:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = ""
        state.page_script_hash = page_hash
        state.page_name = pathname
        if fragment_id:
            state.fragment_id = fragment_id
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

    async def _run(self, title: str, page_hash: str, pathname: str, fragment_id: str = "") -> View:
        view = View(title)
        self._current = (page_hash, pathname)
        started = time.perf_counter()
        try:
            await self._ws.send(self._back_msg(page_hash, pathname, fragment_id))
            await asyncio.wait_for(self._read_until_finished(view, started), self.timeout)
        except TimeoutError:
            view.errors.append(f"{title}: not finished within {self.timeout:.0f} s")
        except Exception as e:  # a dropped connection is a measured error, not a crash of the bench
            view.errors.append(f"{title}: {type(e).__name__}")
        view.seconds = time.perf_counter() - started
        return view

    async def _read_until_finished(self, view: View, started: float) -> None:
        while True:
            data = await self._ws.recv()
            if view.first_message_seconds is None:
                view.first_message_seconds = time.perf_counter() - started
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
                if msg.script_finished in (FINISHED, FRAGMENT_FINISHED):
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
        elif kind == "plotly_chart":
            view.charts += 1
        elif kind in WIDGET_KINDS:
            widget = _widget(kind, getattr(element, kind))
            widget.fragment_id = msg.delta.fragment_id
            view.widgets[widget.label] = widget


def _widget(kind: str, proto) -> Widget:
    """A :class:`Widget` from its proto, with the value the server drew it at."""
    if kind == "button_group":
        options = [o.content for o in proto.options]
    else:
        options = [str(o) for o in getattr(proto, "options", [])]
    widget = Widget(proto.id, kind, proto.label, options, disabled=getattr(proto, "disabled", False))
    if kind in {"radio", "selectbox"}:
        if proto.set_value and proto.HasField("raw_value"):
            widget.value = proto.raw_value
        elif proto.HasField("default") and proto.default < len(options):
            widget.value = options[proto.default]
    elif kind in {"multiselect", "button_group"}:
        indices = list(proto.default)
        widget.value = list(proto.raw_values) if proto.set_value else [options[i] for i in indices if i < len(options)]
    elif kind == "checkbox":
        widget.value = proto.value if proto.set_value else proto.default
    elif kind == "slider":
        numbers = list(proto.value) if proto.set_value else list(proto.default)
        if options:  # a select_slider: the numbers are indices into the formatted options
            widget.value = [options[int(i)] for i in numbers]
        else:
            widget.value = numbers
            widget.bounds = (proto.min, proto.max, proto.step)
    return widget


def widget_state(widget: Widget, value: object) -> WidgetState:
    """The ``WidgetState`` the browser sends for ``widget`` at ``value``.

    Streamlit 1.67 sends formatted option strings: a string for a radio or selectbox, a string
    list for a multiselect, select_slider or segmented control; a bool for a checkbox or
    toggle; numbers for a numeric slider; a trigger for a button.
    """
    state = WidgetState(id=widget.id)
    if widget.kind in {"radio", "selectbox"}:
        state.string_value = str(value)
    elif widget.kind in {"multiselect", "button_group"} or (widget.kind == "slider" and widget.options):
        state.string_array_value.data[:] = [str(v) for v in value]
    elif widget.kind == "checkbox":
        state.bool_value = bool(value)
    elif widget.kind == "slider":
        state.double_array_value.data[:] = [float(v) for v in value]
    elif widget.kind == "button":
        state.trigger_value = True
    else:
        raise ValueError(f"widget kind {widget.kind!r} cannot be set")
    return state
