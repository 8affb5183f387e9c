#!/usr/bin/env bash
# Installs the real openITCOCKPIT API client stack (Python `requests`, as the official docs use) into
# .venv. Idempotent and safe to run from parallel test processes (flock on .setup.lock).
set -euo pipefail
cd "$(dirname "$0")"
exec 9>.setup.lock
flock 9
stamp=.venv/.installed-$(sha256sum requirements.txt | cut -c1-16)
if [ -f "$stamp" ]; then
  exit 0
fi
rm -rf .venv
python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
touch "$stamp"
