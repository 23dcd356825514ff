#!/usr/bin/env bash
# Install what the tests need (into .venv, made here if missing: see scripts/venv.sh), then run every test.
#   bash scripts/test.sh            # the whole suite
#   bash scripts/test.sh -k metrics        # extra arguments go to both pytest runs
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/venv.sh
source scripts/venv.sh
venv_install requirements-dev.txt

# Browser tests drive Debian's chromium (never a downloaded browser); the PDF test reads with pdftotext.
if ! command -v chromium >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1; then
  apt_install chromium poppler-utils
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
