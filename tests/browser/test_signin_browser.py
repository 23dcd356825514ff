"""The internal site end to end: sign in through a real OpenID provider on 127.0.0.1, as an editor and as a viewer.

The provider is npm's ``oidc-provider`` (tests/browser/oidc_provider.mjs, installed by
``npm ci --prefix tests/browser``) with two accounts. Streamlit reads its ``[auth]``
secrets from a temporary file given with ``--secrets.files``: nothing is written into
the repository. The public site is checked here too, in the same browser.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import StreamlitServer, _free_ports, _server, open_app, wait_until_idle
from tests.conftest import ROOT, SAMPLE_DIR, street_csv
from tests.test_briefing import CANARY, make_canary_folder

HERE = Path(__file__).parent
PROVIDER_SCRIPT = HERE / "oidc_provider.mjs"
CLIENT_ID, CLIENT_SECRET = "local-focus", "test-only-client-secret"
ROW = (
    ",{month},Cumbria Constabulary,Cumbria Constabulary,-2.93,54.89,On or near X,E01019126,Carlisle 001A,"
    "Anti-social behaviour,,"
)


def _wait_for(url: str, process: subprocess.Popen, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    process.terminate()
    output = process.communicate(timeout=10)[0]
    pytest.fail(f"{what} did not start on {url}. Its output:\n{output}")


@pytest.fixture(scope="module")
def provider_and_app(tmp_path_factory) -> Iterator[tuple[str, StreamlitServer, Path]]:
    """The OpenID provider and an internal site signing in through it, on a copy of the sample."""
    if shutil.which("node") is None or not (HERE / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("oidc-provider is not installed: run npm ci --prefix tests/browser (scripts/test.sh does)")
    root = tmp_path_factory.mktemp("signin")
    folder = root / "data"
    shutil.copytree(SAMPLE_DIR, folder)
    app_port, provider_port = _free_ports(2)  # two different ports (two calls could return the same one)
    redirect = f"http://127.0.0.1:{app_port}/oauth2callback"
    issuer = f"http://127.0.0.1:{provider_port}"
    provider = subprocess.Popen(
        ["node", str(PROVIDER_SCRIPT), str(provider_port), redirect, CLIENT_ID, CLIENT_SECRET],
        cwd=HERE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_for(f"{issuer}/.well-known/openid-configuration", provider, "oidc-provider")
        secrets = root / "secrets.toml"
        auth = {
            "redirect_uri": redirect,
            "cookie_secret": "test-only-cookie-secret-0123456789abcdef",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "server_metadata_url": f"{issuer}/.well-known/openid-configuration",
        }
        secrets.write_text(
            "[auth]\n"
            + "".join(f"{k} = {json.dumps(v)}\n" for k, v in auth.items())
            # oidc-provider knows the standard prompts only (Streamlit asks for select_account by default).
            + 'client_kwargs = { prompt = "login" }\n',
            encoding="utf-8",
        )
        roles = root / "roles.toml"
        roles.write_text('[roles]\n"ed.itor@example.org" = "editor"\n"vi.ewer@example.org" = "viewer"\n')
        env = {"LOCAL_FOCUS_MODE": "internal", "LOCAL_FOCUS_ROLES": str(roles)}
        for server in _server(folder, env=env, args=("--secrets.files", str(secrets)), port=app_port):
            yield issuer, server, folder
    finally:
        provider.terminate()
        try:
            provider.wait(timeout=10)
        except subprocess.TimeoutExpired:
            provider.kill()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        yield context
    finally:
        context.close()


def sign_in(page, server: StreamlitServer, issuer: str, account: str) -> None:
    """Open the internal site, follow "Sign in" to the provider, log in and consent, and come back."""
    page.set_default_timeout(30_000)
    page.goto(server.url)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{issuer}/**")
    page.locator('input[name="login"]').fill(account)
    page.locator('input[name="password"]').fill("any password")
    page.locator('button[type="submit"]').click()
    # The provider's consent page, the first time each account signs in to this client.
    page.wait_for_url(lambda url: url.startswith(server.url) or "/interaction/" in url)
    if "/interaction/" in page.url:
        page.locator('button[type="submit"]').click()
    page.wait_for_url(f"{server.url}/**")
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=90_000)
    wait_until_idle(page)


def upload_new_month(page, server: StreamlitServer, tmp_path: Path, month: str) -> None:
    csv = tmp_path / f"{month}-cumbria-street.csv"
    csv.write_text(street_csv(ROW.format(month=month)), encoding="utf-8")
    page.goto(f"{server.url}/data")
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=90_000)
    wait_until_idle(page)
    page.get_by_test_id("stFileUploader").locator('input[type="file"]').set_input_files(str(csv))
    expect(page.get_by_text("1 rows read = 1 accepted + 0 rejected.")).to_be_visible(timeout=60_000)


def test_signed_out_visitor_sees_only_sign_in(context, provider_and_app):
    _, server, _ = provider_and_app
    page = context.new_page()
    page.goto(f"{server.url}/data")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stMetric")).to_have_count(0)
    expect(page.get_by_test_id("stFileUploader")).to_have_count(0)


def test_editor_signs_in_and_saves(context, provider_and_app, tmp_path):
    issuer, server, folder = provider_and_app
    page = context.new_page()
    sign_in(page, server, issuer, "editor")
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("Signed in as")).to_contain_text("Ed Itor")
    expect(sidebar.get_by_text("Signed in as")).to_contain_text("editor")
    upload_new_month(page, server, tmp_path, "2021-01")
    save = page.get_by_role("button", name="Save into the data folder")
    expect(save).to_be_visible()
    save.click()
    expect(page.get_by_text("Into data: 2021-01-cumbria-street.csv saved as incidents/uploads/")).to_be_visible(
        timeout=60_000
    )
    assert (folder / "incidents/uploads/2021-01-cumbria-street.csv").read_text(encoding="utf-8") == street_csv(
        ROW.format(month="2021-01")
    )
    expect(page.get_by_test_id("stException")).to_have_count(0)

    # Signing out ends the provider's session too: its own page asks to confirm.
    page.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{issuer}/session/end**")
    page.locator('button[name="logout"][value="yes"]').click()
    page.wait_for_url(f"{server.url}/**")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stFileUploader")).to_have_count(0)


def test_viewer_signs_in_and_cannot_save(context, provider_and_app, tmp_path):
    issuer, server, folder = provider_and_app
    before = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))
    page = context.new_page()
    sign_in(page, server, issuer, "viewer")
    expect(page.get_by_test_id("stSidebar").get_by_text("Signed in as")).to_contain_text("viewer")
    upload_new_month(page, server, tmp_path, "2021-02")
    expect(page.get_by_role("button", name="Keep for this session")).to_be_visible()
    expect(page.get_by_role("button", name="Save into the data folder")).to_have_count(0)
    expect(page.get_by_text("Only editors can save into the data folder")).to_be_visible()
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")) == before


@pytest.fixture(scope="module")
def public_server(tmp_path_factory) -> Iterator[StreamlitServer]:
    folder = make_canary_folder(tmp_path_factory.mktemp("public-browser"))
    yield from _server(folder, env={"LOCAL_FOCUS_MODE": "public"})


PAGES = ["", "hub_map", "deployment", "performance", "precept", "briefing", "data"]


def test_public_site_in_the_browser(context, public_server):
    """Every page by its address, with query parameters that try to turn public mode off."""
    page = context.new_page()
    page.set_default_timeout(30_000)
    for path in PAGES:
        open_app(page, public_server, f"{path}?public=0&mode=internal&briefing_public=false")
        text = page.locator("body").inner_text()
        assert CANARY not in text, path
        assert "canary-sample" not in text and str(ROOT) not in text, path
        expect(page.get_by_test_id("stFileUploader")).to_have_count(0)
        expect(page.get_by_role("button", name="Sign in")).to_have_count(0)
        if path == "briefing":
            expect(page.get_by_text("Public mode", exact=True)).to_have_count(0)
        if path == "performance":
            expect(page.get_by_text("Multi-agency cases are internal")).to_be_visible()
    # The page's HTML and every websocket message are not read here: AppTest (tests/test_page_access.py)
    # checks every element the server sends.
