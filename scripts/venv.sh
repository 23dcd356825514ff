# Sourced by scripts/run.sh and scripts/test.sh: the project's own virtual environment in .venv.
#
# Debian 12 and Ubuntu 24.04 refuse `pip install` into the system Python (externally-managed-environment),
# so nothing here ever calls the system pip: `python3 -m venv` makes .venv (installing python3-venv with
# apt-get first when venv or its pip bootstrap, ensurepip, is missing, as root or with sudo), and every
# install and run goes through .venv/bin/python.

VENV_DIR=".venv"
PY="$VENV_DIR/bin/python"

# ID from /etc/os-release ("debian", "ubuntu", ...), or "unknown".
os_id() {
  (. /etc/os-release 2>/dev/null && echo "${ID:-unknown}") || echo unknown
}

# Install Debian/Ubuntu packages with apt-get, as root or with sudo; otherwise say in one sentence what to do.
apt_install() {
  local sudo=()
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "This needs the system packages $* and this machine has no apt-get (the scripts know Debian and Ubuntu): install them, then run this command again." >&2
    exit 1
  fi
  if [ "$(id -u)" != "0" ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "This needs the system packages $*, which only root can install (there is no sudo here): as root, run 'apt-get install $*', then run this command again." >&2
      exit 1
    fi
    sudo=(sudo)
  fi
  echo "Installing system packages with apt-get: $*" >&2
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

make_venv() {
  if [ -x "$PY" ] && "$PY" -m pip --version >/dev/null 2>&1; then
    return
  fi
  if ! command -v python3 >/dev/null 2>&1; then
    apt_install python3 python3-venv
  fi
  if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "Python 3.11 or later is needed (pandas 3 needs it) and python3 here is $(python3 -c 'import platform; print(platform.python_version())'): use Debian 12, Ubuntu 24.04 or later." >&2
    exit 1
  fi
  rm -rf "$VENV_DIR"
  if ! python3 -m venv "$VENV_DIR" >/dev/null 2>&1; then
    # Debian and Ubuntu ship venv's pip bootstrap (ensurepip) apart, in python3-venv
    # (python3.12-venv on Ubuntu 24.04, which python3-venv pulls in).
    rm -rf "$VENV_DIR"
    apt_install python3-venv
    python3 -m venv "$VENV_DIR"
  fi
}

# Install a requirements file into .venv, again only when it (or a file it includes) has changed.
venv_install() {
  make_venv
  local stamp
  stamp="$VENV_DIR/.installed-$(cat "$@" requirements.txt | sha256sum | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    echo "Installing $* into $VENV_DIR (from PyPI; the first time takes a few minutes)" >&2
    "$PY" -m pip install --quiet --disable-pip-version-check --upgrade pip
    for file in "$@"; do
      "$PY" -m pip install --quiet --disable-pip-version-check -r "$file"
    done
    rm -f "$VENV_DIR"/.installed-*
    touch "$stamp"
  fi
}
