"""The site's mode and roles (analysis.access): what each visitor may see and do, and the public view."""

from __future__ import annotations

import pytest

from analysis.access import (
    EDITOR,
    INTERNAL,
    LAPTOP,
    MODE_ENV,
    PUBLIC,
    VIEWER,
    Access,
    load_roles,
    public_view,
    read_mode,
    role_for,
    writes_allowed,
)
from analysis.errors import DataProblem
from analysis.load.dataset import load_dataset
from analysis.load.report import rejected_rows
from analysis.load.upload.check import check_upload
from analysis.load.upload.save import save_upload
from tests.conftest import street_csv
from tests.test_briefing import CANARY, make_canary_folder


@pytest.mark.parametrize(
    ("value", "mode"),
    [
        (None, LAPTOP),
        ("", LAPTOP),
        ("  ", LAPTOP),
        ("public", PUBLIC),
        (" PUBLIC ", PUBLIC),
        ("internal", INTERNAL),
        ("Internal", INTERNAL),
    ],
)
def test_read_mode(value, mode):
    environ = {} if value is None else {MODE_ENV: value}
    assert read_mode(environ) == mode


@pytest.mark.parametrize("value", ["staging", "publik", "off", "0", "laptop"])
def test_an_unknown_mode_is_refused_in_a_sentence(value):
    with pytest.raises(DataProblem, match=r"is not a mode: set it to public .* or internal") as caught:
        read_mode({MODE_ENV: value})
    assert str(caught.value).endswith("restart the dashboard.")
    assert not writes_allowed({MODE_ENV: value})


@pytest.mark.parametrize(
    ("environ", "allowed"), [({}, True), ({MODE_ENV: "internal"}, True), ({MODE_ENV: "public"}, False)]
)
def test_writes_allowed(environ, allowed):
    assert writes_allowed(environ) is allowed


@pytest.mark.parametrize(
    ("access", "public_site", "sees_internal", "may_write"),
    [
        (Access(LAPTOP), False, True, True),
        (Access(PUBLIC), True, False, False),
        (Access(PUBLIC, "ed@example.org", EDITOR), True, False, False),
        (Access(INTERNAL), False, False, False),
        (Access(INTERNAL, "vi@example.org", VIEWER), False, True, False),
        (Access(INTERNAL, "ed@example.org", EDITOR), False, True, True),
        (Access(INTERNAL, "who@example.org", None), False, False, False),
    ],
)
def test_access_by_mode_and_role(access, public_site, sees_internal, may_write):
    assert (access.public_site, access.sees_internal, access.may_write) == (public_site, sees_internal, may_write)


def test_roles_file(tmp_path):
    path = tmp_path / "roles.toml"
    path.write_text('[roles]\n"Ed.Itor@Example.org" = "editor"\n"vi@example.org" = " Viewer "\n', encoding="utf-8")
    roles = load_roles(path)
    assert roles == {"ed.itor@example.org": EDITOR, "vi@example.org": VIEWER}
    assert role_for(roles, "ed.itor@EXAMPLE.org ") == EDITOR
    assert role_for(roles, "vi@example.org") == VIEWER
    assert role_for(roles, "nobody@example.org") is None
    assert role_for(roles, None) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "could not be read"),
        ("[roles\n", "is not valid TOML"),
        (b"\xff\xfe[roles]", "is not valid TOML"),
        ('"a@b" = "editor"\n', "has no [roles] table"),
        ('[roles]\n"a@b" = "admin"\n', "each role must be viewer or editor"),
        ('[roles]\n"a@b" = 1\n', "each role must be viewer or editor"),
    ],
)
def test_a_bad_roles_file_is_refused_in_a_sentence(tmp_path, text, message):
    path = tmp_path / "roles.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    elif text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(DataProblem, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_roles(path)


@pytest.fixture(scope="module")
def canary(tmp_path_factory):
    folder = make_canary_folder(tmp_path_factory.mktemp("access"))
    # A rejected case row holding the canary too (a bad date), so rejected rows' text is tested.
    with (folder / "cases.csv").open("a", encoding="utf-8") as handle:
        handle.write(f"LF-9999,Carlisle,not-a-date,,ASB,Police,open,{CANARY} in a rejected row\n")
    return folder


def _all_text(dataset) -> str:
    parts = [table.to_csv() for table in dataset.tables.values()]
    parts += [rejected_rows(dataset.reports).to_csv()]
    parts += [str(r.to_dict()) for r in dataset.reports]
    parts += [dataset.missing(kind) or "" for kind in ("lsoa.geojson", "operations.csv", "cases.csv")]
    return "\n".join(parts)


def test_public_view_holds_no_case_text_and_still_balances(canary):
    dataset = load_dataset(canary)
    assert CANARY in _all_text(dataset)  # the check below could fail
    public = public_view(dataset)
    assert CANARY not in _all_text(public)
    assert list(public.table("cases.csv").columns) == ["hub", "opened", "closed", "agencies", "status"]
    assert len(public.table("cases.csv")) == len(dataset.table("cases.csv"))
    for before, after in zip(dataset.reports, public.reports, strict=True):
        assert (after.rows_read, after.rows_accepted, after.rows_rejected) == (
            before.rows_read,
            before.rows_accepted,
            before.rows_rejected,
        )
        assert after.balanced
    assert sum(r.rows_rejected for r in public.reports) >= 1
    # The dataset it was made from is unchanged (the internal site may share the same load).
    assert CANARY in _all_text(dataset)


def test_public_view_never_names_the_folder(make_folder):
    folder = make_folder({"hubs.csv": "hub,region,station,area_code,launched\nA,,,E1,\n"})
    public = public_view(load_dataset(folder))
    text = _all_text(public)
    assert str(folder) not in text and folder.name not in text
    assert "No lsoa.geojson in the data folder." in public.missing("lsoa.geojson")


def test_nothing_is_saved_on_a_public_site(make_folder, monkeypatch):
    folder = make_folder({"hubs.csv": "hub,region,station,area_code,launched\nA,,,E1,\n"})
    content = street_csv(
        ",2019-03,C,C,-2.93,54.89,On or near X,E01019126,Carlisle 001A,Anti-social behaviour,,"
    ).encode()
    check = check_upload("2019-03.csv", content)
    assert check.usable
    monkeypatch.setenv(MODE_ENV, "public")
    with pytest.raises(DataProblem, match="public site: nothing can be saved"):
        save_upload(check, content, folder)
    assert not (folder / "incidents").exists()
    monkeypatch.setenv(MODE_ENV, "internal")
    assert save_upload(check, content, folder).action == "new"
