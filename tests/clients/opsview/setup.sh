#!/usr/bin/env bash
# Installs the real Opsview client (pyopsview, pinned in requirements.txt) into ./.venv.
# Idempotent and safe to run from parallel test processes: everything happens under a flock.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
exec 9>"$here/.setup.lock"
flock 9

stamp="$here/.installed"
want="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [[ -x .venv/bin/python && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    exit 0
fi

python="${PYTHON:-python3}"
if ! "$python" -m pip index versions pyopsview >/dev/null 2>&1; then
    echo "PyPI is not reachable (pip index versions pyopsview failed); cannot install the pyopsview client" >&2
    exit 1
fi
rm -rf .venv
"$python" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-input -r requirements.txt
.venv/bin/python -c 'import pyopsview, requests'
echo "$want" > "$stamp"
