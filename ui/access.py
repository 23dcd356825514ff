"""Streamlit glue for :mod:`analysis.access`: the site's mode, sign-in, and who may do what.

Every page reaches :func:`gate` through ``ui.common.get_dataset``, so no page can be
served before the mode is read and, on an internal site, before its visitor has
signed in and been found in the roles file.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from analysis.access import (
    INTERNAL,
    ROLES_ENV,
    Access,
    load_roles,
    read_mode,
    role_for,
)
from analysis.errors import DataProblem

#: Characters with a meaning in Markdown (as ui.charts.plain escapes them; ui.charts imports ui.common).
_MARKDOWN = set("\\`*_{}[]()<>#+-.!|~$:")


def _plain(text: object) -> str:
    return "".join(f"\\{c}" if c in _MARKDOWN else c for c in str(text))


__all__ = ["current_access", "gate", "may_write", "public_site", "sees_internal"]

SIGN_IN_HELP = (
    "This is the internal Local Focus site: sign in with your force account to see it. "
    "Who may see and change what is set by the site's administrator."
)


@st.cache_data(max_entries=4, show_spinner=False)
def _roles(path: str, stamp: tuple[int, int]) -> dict[str, str]:
    """The roles file, read again whenever it changes (``stamp`` is its size and modification time)."""
    return load_roles(path)


def _roles_now() -> dict[str, str]:
    configured = os.environ.get(ROLES_ENV, "").strip()
    if not configured:
        raise DataProblem(
            f"This internal site has no roles file: set {ROLES_ENV} to a TOML file that gives each person's "
            'e-mail a role ([roles] "name@force.police.uk" = "editor" or "viewer"), then restart it.'
        )
    path = Path(configured).expanduser()
    try:
        stat = path.stat()
    except OSError as e:
        raise DataProblem(
            f"The roles file {path} could not be read ({e.strerror or e}): set {ROLES_ENV} to a readable file."
        ) from None
    return _roles(str(path), (stat.st_size, stat.st_mtime_ns))


def _auth_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        return False


def _refuse(message: str) -> None:
    st.title("Local Focus")
    st.error(message, icon=":material/block:")
    st.stop()


def _mode():
    try:
        return read_mode()
    except DataProblem as e:
        _refuse(str(e))


def current_access() -> Access:
    """What this visitor may see and do; stops the page with a sentence when they may not see it at all.

    Public site and laptop: no sign-in. Internal site: the visitor must be signed in
    (``st.login``) and listed in the roles file.
    """
    mode = _mode()
    if mode != INTERNAL:
        return Access(mode)
    if not _auth_configured():
        _refuse(
            "This internal site has no sign-in set up: add an [auth] section (redirect_uri, cookie_secret, "
            "client_id, client_secret, server_metadata_url) to Streamlit's secrets.toml, then restart it."
        )
    if not st.user.is_logged_in:
        st.title("Local Focus")
        st.markdown(SIGN_IN_HELP)
        st.button("Sign in", key="access_sign_in", on_click=st.login, icon=":material/login:", type="primary")
        st.stop()
    email = st.user.get("email")
    try:
        role = role_for(_roles_now(), email)
    except DataProblem as e:
        _refuse(str(e))
    if role is None:
        st.title("Local Focus")
        st.error(
            f"You are signed in as {email or 'an account without an e-mail address'}, which this site's roles "
            "file does not list: ask the site's administrator to add you as a viewer or an editor.",
            icon=":material/block:",
        )
        st.button("Sign out", key="access_sign_out_refused", on_click=st.logout, icon=":material/logout:")
        st.stop()
    return Access(mode, email, role)


def gate() -> Access:
    """:func:`current_access`, and on an internal site the sidebar's "signed in as" line and sign-out."""
    access = current_access()
    if access.mode == INTERNAL:
        with st.sidebar.container(key="access_signed_in"):
            name = st.user.get("name") or access.email
            st.markdown(f"Signed in as **{_plain(name)}** ({_plain(access.email)}), {access.role}")
            st.button("Sign out", key="access_sign_out", on_click=st.logout, icon=":material/logout:")
    return access


def public_site() -> bool:
    """True when public mode is fixed on (``LOCAL_FOCUS_MODE=public``)."""
    return current_access().public_site


def sees_internal() -> bool:
    """True when this visitor may see internal material."""
    return current_access().sees_internal


def may_write() -> bool:
    """True when this visitor may save into the data folder."""
    return current_access().may_write
