#!/usr/bin/env bash
# Installs the real OpenNMS client (npm opennms@2.7.1, "opennms-js") into ./node_modules.
# Idempotent and safe to run from parallel test processes (flock on .setup.lock).
set -euo pipefail
cd "$(dirname "$0")"
exec 9>.setup.lock
flock 9
if [ -f node_modules/opennms/dist/opennms.node.js ] && [ -f node_modules/.rosetta-installed ]; then
  exit 0
fi
if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
else
  npm install --no-audit --no-fund --loglevel=error
fi
test -f node_modules/opennms/dist/opennms.node.js
touch node_modules/.rosetta-installed
