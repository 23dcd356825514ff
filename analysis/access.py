"""Who may see and change what: the site's mode and the internal site's roles.

One environment variable, ``LOCAL_FOCUS_MODE``, says how the dashboard is run:

- ``public``: a site anyone can reach. Public mode is fixed on, internal material
  (case texts and case tables, upload and save, rejected rows, the server's folder
  path) is never served, and nothing writes into the data folder.
- ``internal``: a site for the force's staff. People sign in (OpenID Connect, set up
  in Streamlit's secrets) and the roles file named by ``LOCAL_FOCUS_ROLES`` gives each
  e-mail address a role: ``viewer`` (sees everything, may check uploads and keep them
  for their own session) or ``editor`` (may also save into the data folder). A
  signed-in address the file does not list gets no access.
- unset: a laptop. As an internal site, without sign-in; the person at the laptop
  may save.

No streamlit here: :mod:`ui.access` asks Streamlit who is signed in.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from analysis.errors import DataProblem
from analysis.load.dataset import Dataset

__all__ = [
    "EDITOR",
    "LAPTOP",
    "MODE_ENV",
    "PUBLIC",
    "INTERNAL",
    "PUBLIC_CASE_COLUMNS",
    "ROLES",
    "ROLES_ENV",
    "VIEWER",
    "Access",
    "load_roles",
    "public_view",
    "read_mode",
    "role_for",
    "writes_allowed",
]

#: The environment variable that chooses the site's mode.
MODE_ENV = "LOCAL_FOCUS_MODE"
#: The environment variable naming the internal site's roles file.
ROLES_ENV = "LOCAL_FOCUS_ROLES"

PUBLIC = "public"
INTERNAL = "internal"
#: No mode set: one person on their own machine.
LAPTOP = "laptop"
Mode = Literal["public", "internal", "laptop"]

VIEWER = "viewer"
EDITOR = "editor"
ROLES: tuple[str, ...] = (VIEWER, EDITOR)

#: The columns of cases.csv a public site keeps: when and where, never what a case is about.
PUBLIC_CASE_COLUMNS: tuple[str, ...] = ("hub", "opened", "closed", "agencies", "status")
#: What a public page says where internal material would be.
WITHHELD = "the data folder"


def read_mode(environ: Mapping[str, str] | None = None) -> Mode:
    """The site's mode from ``LOCAL_FOCUS_MODE``.

    Parameters
    ----------
    environ : mapping, optional
        The environment (``os.environ`` by default).

    Returns
    -------
    str
        ``"public"``, ``"internal"``, or ``"laptop"`` when the variable is unset or blank.

    Raises
    ------
    DataProblem
        When the variable holds anything else: the site must not guess what it may show.
    """
    environ = os.environ if environ is None else environ
    value = environ.get(MODE_ENV, "").strip().lower()
    if not value:
        return LAPTOP
    if value in (PUBLIC, INTERNAL):
        return value  # type: ignore[return-value]
    raise DataProblem(
        f"{MODE_ENV} is set to {environ.get(MODE_ENV)!r}, which is not a mode: set it to public (a read-only "
        "public site) or internal (staff sign in), or leave it unset on a laptop, then restart the dashboard."
    )


def writes_allowed(environ: Mapping[str, str] | None = None) -> bool:
    """False on a public site (or a mode that cannot be read): nothing may write into the data folder there."""
    try:
        return read_mode(environ) != PUBLIC
    except DataProblem:
        return False


def load_roles(path: Path | str) -> dict[str, str]:
    """Read a roles file: e-mail address to ``viewer`` or ``editor``.

    The file is TOML with one table, ``[roles]``::

        [roles]
        "sam.jones@cumbria.police.uk" = "editor"
        "alex.lee@cumbria.police.uk" = "viewer"

    Addresses are matched without regard to case.

    Raises
    ------
    DataProblem
        When the file is missing, is not TOML, or gives a role other than viewer or editor.
    """
    path = Path(path)
    try:
        parsed = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise DataProblem(
            f"The roles file {path} could not be read ({e.strerror or e}): set {ROLES_ENV} to a readable file."
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        raise DataProblem(
            f'The roles file {path} is not valid TOML: it needs a [roles] table of "e-mail" = "viewer" or '
            '"editor" lines.'
        ) from None
    table = parsed.get("roles")
    if not isinstance(table, dict):
        raise DataProblem(
            f'The roles file {path} has no [roles] table: add one with an "e-mail" = "role" line for each person.'
        )
    roles: dict[str, str] = {}
    for email, role in table.items():
        if not isinstance(role, str) or role.strip().lower() not in ROLES:
            raise DataProblem(
                f"In the roles file {path}, {email} has the role {role!r}: each role must be viewer or editor."
            )
        roles[email.strip().casefold()] = role.strip().lower()
    return roles


def role_for(roles: Mapping[str, str], email: str | None) -> str | None:
    """The role of ``email`` in ``roles`` (case-insensitive), or None when it is not listed."""
    if not email or not isinstance(email, str):
        return None
    return roles.get(email.strip().casefold())


@dataclass(frozen=True)
class Access:
    """What one visitor may see and do.

    Attributes
    ----------
    mode : str
        ``"public"``, ``"internal"`` or ``"laptop"``.
    email : str or None
        Who is signed in (internal site only).
    role : str or None
        ``"viewer"`` or ``"editor"`` on an internal site; None when signed out or not listed.
    """

    mode: Mode
    email: str | None = None
    role: str | None = None

    @property
    def public_site(self) -> bool:
        """True when public mode is fixed on for everyone."""
        return self.mode == PUBLIC

    @property
    def sees_internal(self) -> bool:
        """True when this visitor may see internal material (case texts, upload, rejected rows, folder path)."""
        if self.mode == LAPTOP:
            return True
        return self.mode == INTERNAL and self.role in ROLES

    @property
    def may_write(self) -> bool:
        """True when this visitor may save into the data folder (a laptop, or an internal editor)."""
        return self.mode == LAPTOP or (self.mode == INTERNAL and self.role == EDITOR)


def _without_folder(text: str | None, folder: Path) -> str | None:
    if text is None:
        return None
    return text.replace(str(folder), WITHHELD)


def public_view(dataset: Dataset) -> Dataset:
    """The dataset as a public site may serve it.

    Case texts are gone (cases.csv keeps only :data:`PUBLIC_CASE_COLUMNS`), rejected
    rows keep their counts, lines and reasons but not their text, and messages do not
    name the server's folder. Row counts still balance: read = accepted + rejected.
    The dataset given is not changed.
    """
    tables = dict(dataset.tables)
    cases = tables.get("cases.csv")
    if cases is not None:
        tables["cases.csv"] = cases[[c for c in PUBLIC_CASE_COLUMNS if c in cases.columns]].copy()
    reports = []
    for report in dataset.reports:
        rejected = report.rejected.assign(text=pd.Series("", index=report.rejected.index, dtype="str"))
        if report.kind == "cases.csv":
            rejected = rejected.assign(reasons=pd.Series("", index=rejected.index, dtype="str"))
        reports.append(
            dataclasses.replace(
                report,
                rejected=rejected,
                problem=_without_folder(report.problem, dataset.folder),
                notes=list(report.notes),
            )
        )
    return dataclasses.replace(dataset, tables=tables, reports=reports, folder_label=WITHHELD)
