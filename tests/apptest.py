"""The one way tests open the dashboard in AppTest: through dashboard.py, as a person would."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

DEFAULT_PAGE = "pages/overview.py"
#: ``mode`` left as the environment has it (a test may have set LOCAL_FOCUS_MODE itself).
AS_SET = object()


def new_session(
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    mode: str | None | object = AS_SET,
    secrets: dict | None = None,
    user: dict | None = None,
    session_state: dict | None = None,
) -> AppTest:
    """A session on ``folder`` that has not run yet: set the site's mode, secrets, user or state first.

    ``mode`` sets ``LOCAL_FOCUS_MODE`` (None: unset, a laptop); by default it is left as it is.
    """
    monkeypatch.setenv("LOCAL_FOCUS_DATA", str(folder))
    if mode is None:
        monkeypatch.delenv("LOCAL_FOCUS_MODE", raising=False)
    elif mode is not AS_SET:
        monkeypatch.setenv("LOCAL_FOCUS_MODE", mode)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    if user is not None:
        at.user = user
    for key, value in (session_state or {}).items():
        at.session_state[key] = value
    return at


def open_page(folder: Path, monkeypatch: pytest.MonkeyPatch, page: str = DEFAULT_PAGE, **session) -> AppTest:
    """Open the app on ``folder`` and go to ``page`` (a path under pages/), failing on any exception.

    ``session`` goes to :func:`new_session` (mode, secrets, user, session_state).
    """
    at = new_session(folder, monkeypatch, **session).run()
    assert not at.exception, [e.value for e in at.exception]
    if page != DEFAULT_PAGE:
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
    return at


def rerun(widget) -> AppTest:
    """Run the app after a widget change, failing on any exception."""
    at = widget.run()
    assert not at.exception, [e.value for e in at.exception]
    return at
