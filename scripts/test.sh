#!/usr/bin/env bash
# Install what the tests need (into .venv, made here if missing: see scripts/venv.sh), then run every test.
#   bash scripts/test.sh            # the whole suite
#   bash scripts/test.sh -k metrics        # extra arguments go to both pytest runs
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/venv.sh
source scripts/venv.sh
venv_install requirements-dev.txt

# The browser tests (Playwright) and the briefing's chart images (kaleido) need a Chromium they can
# start, passed on as LOCAL_FOCUS_CHROMIUM: the one it names when set; else a packaged
# /usr/bin/chromium (Debian's chromium, installed here when missing: never a downloaded browser); on
# Ubuntu, whose chromium package only installs a snap (which Playwright cannot drive, and which needs
# snapd: absent in containers and WSL), Playwright's own Chromium build, downloaded once by
# `playwright install`. The PDF tests read with pdftotext (poppler-utils).
debian_chromium=/usr/bin/chromium
case "$(readlink -f "$debian_chromium" 2>/dev/null)" in /snap/*) debian_chromium="" ;; esac
if [ -n "${LOCAL_FOCUS_CHROMIUM:-}" ]; then
  if [ ! -x "$LOCAL_FOCUS_CHROMIUM" ]; then
    echo "LOCAL_FOCUS_CHROMIUM is '$LOCAL_FOCUS_CHROMIUM', which is not a program here: point it at a Chromium or Chrome binary, or unset it." >&2
    exit 1
  fi
elif [ -n "$debian_chromium" ] && [ -x "$debian_chromium" ]; then
  LOCAL_FOCUS_CHROMIUM="$debian_chromium"
elif [ "$(os_id)" = ubuntu ]; then
  if [ ! -f "$VENV_DIR/.playwright-deps" ]; then
    if [ "$(id -u)" = "0" ]; then
      "$PY" -m playwright install-deps chromium
    elif command -v sudo >/dev/null 2>&1; then
      sudo "$PY" -m playwright install-deps chromium
    else
      echo "Playwright's Chromium needs system libraries, which only root can install (there is no sudo here): as root, run '$VENV_DIR/bin/python -m playwright install-deps chromium' in $PWD, then run this command again." >&2
      exit 1
    fi
    touch "$VENV_DIR/.playwright-deps"
  fi
  "$PY" -m playwright install chromium
  LOCAL_FOCUS_CHROMIUM="$("$PY" -c 'from playwright.sync_api import sync_playwright
with sync_playwright() as p: print(p.chromium.executable_path)')"
else
  apt_install chromium
  LOCAL_FOCUS_CHROMIUM=/usr/bin/chromium
fi
export LOCAL_FOCUS_CHROMIUM
if ! command -v pdftotext >/dev/null 2>&1; then
  apt_install poppler-utils
fi
if ! command -v npm >/dev/null 2>&1; then
  apt_install nodejs npm
fi

# axe-core (accessibility checks) and oidc-provider (the sign-in test's OpenID provider), from the npm
# registry, pinned by tests/browser/package-lock.json.
if [ -f tests/browser/package-lock.json ] && { [ ! -f tests/browser/node_modules/axe-core/axe.min.js ] ||
  [ ! -d tests/browser/node_modules/oidc-provider ]; }; then
  npm ci --prefix tests/browser --no-audit --no-fund --silent
fi

# Many small regressions run in parallel workers: one BLAS thread each avoids oversubscribing the cores.
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
# Unit and AppTest tests in two workers; then the browser tests on their own, so servers and
# chromium do not compete with the other worker for the two cores. Exit 5 means "no test
# selected" (e.g. with -k): not a failure here.
status=0
"$PY" -m pytest -n 2 -m "not browser" "$@" || status=$?
[ "$status" = 5 ] && status=0
[ "$status" = 0 ] || exit "$status"
"$PY" -m pytest -m browser "$@" || status=$?
[ "$status" = 5 ] && status=0
exit "$status"
