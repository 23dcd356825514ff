# Sourced by scripts/run.sh and scripts/test.sh: the project's own virtual environment in .venv.
#
# Debian 12 and Ubuntu 24.04 refuse `pip install` into the system Python (externally-managed-environment),
# so nothing here ever calls the system pip: `python3 -m venv` makes .venv (installing Debian's
# python3-venv with apt-get first when venv is missing, as root or with sudo), and every install and
# run goes through .venv/bin/python.

VENV_DIR=".venv"
PY="$VENV_DIR/bin/python"

as_root() {
  if [ "$(id -u)" = "0" ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "Cannot run '$*': become root (or install sudo) and run it, then try again." >&2
    exit 1
  fi
}

apt_install() {
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

make_venv() {
  if [ -x "$PY" ] && "$PY" -m pip --version >/dev/null 2>&1; then
    return
  fi
  if ! command -v python3 >/dev/null 2>&1; then
    apt_install python3 python3-venv
  fi
  rm -rf "$VENV_DIR"
  if ! python3 -m venv "$VENV_DIR" >/dev/null 2>&1; then
    # Debian and Ubuntu ship venv's pip bootstrap apart, in python3-venv.
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
    "$PY" -m pip install --quiet --disable-pip-version-check --upgrade pip
    for file in "$@"; do
      "$PY" -m pip install --quiet --disable-pip-version-check -r "$file"
    done
    rm -f "$VENV_DIR"/.installed-*
    touch "$stamp"
  fi
}
