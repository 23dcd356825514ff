"""Safe server defaults in .streamlit/config.toml, and every setting the code reads documented in the README."""

from __future__ import annotations

import re
import tomllib

from tests.conftest import ROOT

CONFIG = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_server_listens_on_this_machine_only():
    # Setting an address also stops Streamlit looking up the external IP address on start.
    assert CONFIG["server"]["address"] == "127.0.0.1"
    assert CONFIG["server"]["headless"] is True


def test_xsrf_on_and_errors_not_shown():
    assert CONFIG["server"]["enableXsrfProtection"] is True
    assert CONFIG["client"]["showErrorDetails"] == "none"


def test_no_usage_statistics_are_sent():
    assert CONFIG["browser"]["gatherUsageStats"] is False


def test_upload_limit_fits_a_police_uk_zip():
    # MB: a force's police.uk download zips to tens of MB; the limit keeps uploads bounded.
    assert 50 <= CONFIG["server"]["maxUploadSize"] <= 500


def test_the_code_reads_no_secret_from_the_repository():
    assert not (ROOT / ".streamlit" / "secrets.toml").exists()
    assert ".streamlit/secrets.toml" in (ROOT / ".gitignore").read_text(encoding="utf-8")


def _settings_read() -> set[str]:
    found: set[str] = set()
    for folder in ("analysis", "ui", "pages", "bench", "data", "scripts"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".py", ".sh"}:
                found |= set(re.findall(r"\bLOCAL_FOCUS_[A-Z_]+\b", path.read_text(encoding="utf-8")))
    found |= set(re.findall(r"\bLOCAL_FOCUS_[A-Z_]+\b", (ROOT / "dashboard.py").read_text(encoding="utf-8")))
    return found


def test_every_setting_the_code_reads_is_in_the_readme():
    settings = _settings_read()
    assert {"LOCAL_FOCUS_DATA", "LOCAL_FOCUS_MODE", "LOCAL_FOCUS_ROLES"} <= settings
    undocumented = sorted(s for s in settings if f"`{s}" not in README)
    assert not undocumented, f"the README does not document {undocumented}"
