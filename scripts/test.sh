#!/usr/bin/env bash
# Install what the tests need, then run every test.
#   bash scripts/test.sh            # the whole suite
#   bash scripts/test.sh -k metrics        # extra arguments go to both pytest runs
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt

# Browser tests drive Debian's chromium (never a downloaded browser); the PDF test reads with pdftotext.
if ! command -v chromium >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null
  fi
fi

# axe-core (accessibility checks), from the npm registry, pinned by tests/browser/package-lock.json.
if [ -f tests/browser/package-lock.json ] && [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
  npm ci --prefix tests/browser --no-audit --no-fund --silent
fi

# Many small regressions run in parallel workers: one BLAS thread each avoids oversubscribing the cores.
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
# Unit and AppTest tests in two workers; then the browser tests on their own, so servers and
# chromium do not compete with the other worker for the two cores. Exit 5 means "no test
# selected" (e.g. with -k): not a failure here.
status=0
python3 -m pytest -n 2 -m "not browser" "$@" || status=$?
[ "$status" = 5 ] && status=0
[ "$status" = 0 ] || exit "$status"
python3 -m pytest -m browser "$@" || status=$?
[ "$status" = 5 ] && status=0
exit "$status"
