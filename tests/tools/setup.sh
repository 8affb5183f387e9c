#!/usr/bin/env bash
# Installs the Python tools the tests use (PyYAML for checking deploy/ manifests) into tests/tools/.venv.
# Idempotent, and locked against parallel test processes.
set -euo pipefail
cd "$(dirname "$0")"
exec 9>.setup.lock
flock 9
if [ -x .venv/bin/python ] && .venv/bin/python -c 'import yaml' 2>/dev/null; then
  exit 0
fi
python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
