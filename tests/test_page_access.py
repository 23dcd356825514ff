"""The app by mode in AppTest: a public site shows no internal material, an internal site needs sign-in and a role."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import new_session
from tests.conftest import ROOT
from tests.test_briefing import CANARY, make_canary_folder
from tests.test_page_data import NEW_MONTH

PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py") if not p.name.startswith("_"))
AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "a-test-secret-that-is-long-enough-0123456789",
    "client_id": "local-focus",
    "client_secret": "not-a-real-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
EDITOR = {"is_logged_in": True, "email": "ed.itor@example.org", "name": "Ed Itor"}
VIEWER = {"is_logged_in": True, "email": "vi.ewer@example.org", "name": "Vi Ewer"}


@pytest.fixture(scope="module")
def canary_folder(tmp_path_factory) -> Path:
    return make_canary_folder(tmp_path_factory.mktemp("access-pages"))


def everything(at: AppTest) -> str:
    """Every element the app sent, as text: widgets, Markdown, tables (Arrow bytes included), chart specs."""
    parts: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    parts += [frame.value.to_csv() for frame in at.dataframe]
    return "\n".join(parts)


def start(monkeypatch, folder: Path, mode: str | None, *, user: dict | None = None, auth: bool = False) -> AppTest:
    return new_session(folder, monkeypatch, mode=mode, user=user, secrets={"auth": AUTH} if auth else None)


def visit(at: AppTest, page: str) -> AppTest:
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def briefing_walk(at: AppTest) -> list[str]:
    """Every screen of the briefing, in normal and in projector mode."""
    seen = []
    for projector in (False, True):
        at.toggle(key="briefing_projector").set_value(projector).run()
        while True:
            seen.append(everything(at))
            if at.button(key="briefing_next").disabled:
                break
            at.button(key="briefing_next").click().run()
        while not at.button(key="briefing_prev").disabled:
            at.button(key="briefing_prev").click().run()
    at.toggle(key="briefing_projector").set_value(False).run()
    return seen


def test_public_site_serves_no_internal_material(canary_folder, monkeypatch):
    at = start(monkeypatch, canary_folder, "public").run()
    # Query parameters a visitor might try: none of them is read.
    at.query_params.update({"mode": "internal", "public": "0", "briefing_public": "false", "embed": "true"})
    seen = {}
    for page in PAGES:
        visit(at, page)
        seen[page] = everything(at)
        assert not at.get("file_uploader"), page
        assert not [b for b in at.button if b.key == "upload_save"], page
        assert not [t for t in at.toggle if t.key == "briefing_public"], page
        if page == "pages/briefing.py":
            seen[page] += "\n".join(briefing_walk(at))
    for page, text in seen.items():
        assert CANARY not in text, page
        assert str(canary_folder) not in text, page
        assert canary_folder.name not in text, page  # the badge says "Data to ...", not the folder's name
    assert "Multi-agency cases are internal" in seen["pages/performance.py"]
    assert "Rejected rows are internal" in seen["pages/data.py"]


def test_no_session_value_turns_public_mode_off(canary_folder, monkeypatch, tmp_path):
    at = start(monkeypatch, canary_folder, "public").run()
    # What a page's own widgets would set, set directly: the public briefing and an upload overlay.
    at.session_state["briefing_public"] = False
    at.session_state["_kept_briefing_public"] = False
    at.session_state["data_dir_override"] = str(tmp_path)
    visit(at, "pages/briefing.py")
    texts = briefing_walk(at)
    assert not any("Internal view" in t for t in texts)
    assert not any(CANARY in t for t in texts)
    visit(at, "pages/data.py")
    assert {m.label: m.value for m in at.metric}["Rows read"] != "0"  # the folder, not the empty override


def test_the_laptop_does_show_case_text(canary_folder, monkeypatch):
    # The same walk without a mode meets the canary, so the public checks above can fail.
    at = start(monkeypatch, canary_folder, None).run()
    visit(at, "pages/performance.py")
    assert CANARY in everything(at)
    visit(at, "pages/data.py")
    assert at.get("file_uploader") and str(canary_folder) in everything(at)
    assert not at.sidebar.button  # no sign-out: nobody signs in on a laptop


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/data.py"])
def test_an_unknown_mode_serves_nothing(canary_folder, monkeypatch, page):
    at = start(monkeypatch, canary_folder, "staging").run()
    if page != "pages/overview.py":
        visit(at, page)
    assert [e.value for e in at.error] == [
        "LOCAL_FOCUS_MODE is set to 'staging', which is not a mode: set it to public (a read-only public site) or "
        "internal (staff sign in), or leave it unset on a laptop, then restart the dashboard."
    ]
    assert not at.metric and not at.dataframe


def test_internal_site_without_sign_in_set_up_serves_nothing(canary_folder, monkeypatch):
    at = start(monkeypatch, canary_folder, "internal").run()
    assert "no sign-in set up: add an [auth] section" in at.error[0].value
    assert not at.metric and not at.dataframe


@pytest.fixture
def roles(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "roles.toml"
    path.write_text(
        f'[roles]\n"{EDITOR["email"]}" = "editor"\n"{VIEWER["email"].upper()}" = "viewer"\n', encoding="utf-8"
    )
    monkeypatch.setenv("LOCAL_FOCUS_ROLES", str(path))
    return path


def test_internal_site_asks_to_sign_in_first(canary_folder, monkeypatch, roles):
    at = start(monkeypatch, canary_folder, "internal", auth=True, user={"is_logged_in": False}).run()
    assert at.button(key="access_sign_in").label == "Sign in"
    assert not at.metric and not at.dataframe and CANARY not in everything(at)
    visit(at, "pages/performance.py")
    assert at.button(key="access_sign_in") and CANARY not in everything(at)


def test_a_signed_in_person_not_in_the_roles_file_gets_nothing(canary_folder, monkeypatch, roles):
    user = {"is_logged_in": True, "email": "someone@example.org"}
    at = start(monkeypatch, canary_folder, "internal", auth=True, user=user).run()
    assert "You are signed in as someone@example.org, which this site's roles file does not list" in at.error[0].value
    assert at.button(key="access_sign_out_refused")
    assert not at.metric and CANARY not in everything(at)


def test_internal_site_without_a_roles_file_gets_nothing(canary_folder, monkeypatch):
    monkeypatch.delenv("LOCAL_FOCUS_ROLES", raising=False)
    at = start(monkeypatch, canary_folder, "internal", auth=True, user=EDITOR).run()
    assert "no roles file: set LOCAL_FOCUS_ROLES" in at.error[0].value
    assert not at.metric


def test_a_viewer_sees_internal_material_but_cannot_save(make_folder, monkeypatch, roles):
    folder = make_canary_folder(make_folder({}))
    at = start(monkeypatch, folder, "internal", auth=True, user=VIEWER).run()
    signed_in = " ".join(m.value for m in at.sidebar.markdown)
    assert "Signed in as **Vi Ewer**" in signed_in and "viewer" in signed_in
    assert at.sidebar.button(key="access_sign_out")
    visit(at, "pages/performance.py")
    assert CANARY in everything(at)
    visit(at, "pages/data.py")
    at.file_uploader(key="upload_files").set_value([("2019-04 street.csv", NEW_MONTH, "text/csv")]).run()
    assert at.button(key="upload_use_session")
    assert not [b for b in at.button if b.key == "upload_save"]
    assert "Only editors can save into the data folder" in " ".join(c.value for c in at.caption)


def test_an_editor_can_save(make_folder, monkeypatch, roles):
    folder = make_canary_folder(make_folder({}))
    at = start(monkeypatch, folder, "internal", auth=True, user=EDITOR).run()
    assert "editor" in " ".join(m.value for m in at.sidebar.markdown)
    visit(at, "pages/data.py")
    at.file_uploader(key="upload_files").set_value([("2019-04 street.csv", NEW_MONTH, "text/csv")]).run()
    at.button(key="upload_save").click().run()
    assert not at.exception
    assert (folder / "incidents/uploads/2019-04-street.csv").read_bytes() == NEW_MONTH
