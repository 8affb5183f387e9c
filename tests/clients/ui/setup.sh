#!/usr/bin/env bash
# Installs what the status-page test needs: Debian's Chromium (apt, only when /usr/bin/chromium is
# missing) and playwright-core (npm ci from the committed package-lock.json, never a bundled browser).
# Idempotent and safe to run from parallel test processes: everything happens under flocks.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

if [[ ! -x /usr/bin/chromium ]]; then
    # One machine-wide lock: apt must not run twice, whichever checkout asks.
    exec 8>/tmp/rosetta-ui-chromium.lock
    flock 8
    if [[ ! -x /usr/bin/chromium ]]; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq chromium >/dev/null
    fi
    flock -u 8
fi
test -x /usr/bin/chromium

exec 9>"$here/.setup.lock"
flock 9
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
stamp="$here/node_modules/.rosetta-installed"
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
node -e 'require("playwright-core")'
echo "$want" > "$stamp"
