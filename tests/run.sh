#!/usr/bin/env bash
# Runs Rosetta's whole test suite: unit tests, the live-server integration tests and the real clients.
#
#   bash tests/run.sh
#
# Real clients (pyopsview, opennms-js, the openITCOCKPIT example) are installed by their own
# tests/clients/<name>/setup.sh into local folders (a venv, node_modules); nothing is installed globally.
# PostgreSQL tests run when ROSETTA_TEST_DATABASE_URL is set (CI sets it and fails when the database is
# unreachable); without it they are skipped, and this script says so loudly.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
if [ "${CI:-}" = "true" ]; then
  export CARGO_INCREMENTAL=0
fi

echo "== rosetta: building"
cargo build --workspace --bins --tests --locked

echo "== rosetta: installing the real clients into local folders"
for setup in tests/clients/*/setup.sh; do
  [ -f "$setup" ] || continue
  echo "-- $setup"
  bash "$setup"
done

if [ -n "${ROSETTA_TEST_DATABASE_URL:-}" ]; then
  echo "== rosetta: checking PostgreSQL at ${ROSETTA_TEST_DATABASE_URL%%\?*}"
  if ! psql "$ROSETTA_TEST_DATABASE_URL" -Atc 'select 1' >/dev/null 2>&1; then
    echo "ERROR: ROSETTA_TEST_DATABASE_URL is set but PostgreSQL does not answer" >&2
    exit 1
  fi
  echo "PostgreSQL answers; removing test schemas left by earlier runs."
  psql "$ROSETTA_TEST_DATABASE_URL" -Atc "select schema_name from information_schema.schemata where schema_name ~ '^t_[0-9a-f]{32}$'" |
    while read -r schema; do psql "$ROSETTA_TEST_DATABASE_URL" -qc "drop schema \"$schema\" cascade" >/dev/null 2>&1; done
else
  echo "##############################################################################"
  echo "# SKIPPED: PostgreSQL tests (set ROSETTA_TEST_DATABASE_URL=postgres://... to run them)"
  echo "##############################################################################"
fi

profile=default
[ "${CI:-}" = "true" ] && profile=ci
run_suite() {
  if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --workspace --locked --profile "$profile" --no-tests=fail
  else
    echo "cargo-nextest not found; using cargo test"
    cargo test --workspace --locked
  fi
}

echo "== rosetta: running the tests on the embedded SQLite store"
run_suite

if [ -n "${ROSETTA_TEST_DATABASE_URL:-}" ]; then
  echo "== rosetta: running the tests again on PostgreSQL"
  ROSETTA_TEST_STORE=postgres run_suite
fi

echo "== rosetta: OpenTelemetry export (the optional \`otel\` feature)"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run -p rosetta-server --features otel --locked --profile "$profile"
else
  cargo test -p rosetta-server --features otel --locked
fi
