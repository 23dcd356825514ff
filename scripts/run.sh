#!/usr/bin/env bash
# Install what the dashboard needs into .venv (made here if missing), then serve it on 127.0.0.1:8501.
#   bash scripts/run.sh                               # a laptop: the bundled sample, no sign-in
#   LOCAL_FOCUS_MODE=public bash scripts/run.sh       # a read-only public site
#   LOCAL_FOCUS_MODE=internal LOCAL_FOCUS_ROLES=/etc/local-focus/roles.toml bash scripts/run.sh
# Extra arguments go to `streamlit run`, e.g. --server.port 8502.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/venv.sh
source scripts/venv.sh
venv_install requirements.txt
exec "$PY" -m streamlit run dashboard.py "$@"
