#!/usr/bin/env bash
# PostgreSQL against SQLite, in the same run: read throughput per replica (reads come from the cache, so
# the two should be within 10%) and write throughput (batched results, configuration writes).
#
#   ROSETTA_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test bash bench/postgres.sh [hosts]
#
# Writes the "PostgreSQL and SQLite" section of docs/benchmarks.md.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
root=$(bench_root)
cd "$root"
ensure_wrk
url=${ROSETTA_BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
hosts=${1:-1000}
export WRK_DURATION=${WRK_DURATION:-5s}
cargo build --release -p rosetta-server --bin rosetta -p rosetta-bench --bin rosetta-datagen >&2

work=$(mktemp -d)
schema="bench_$(date +%s)"
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  psql "$url" -qc "drop schema if exists $schema cascade" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
password="bench-password-1"

run_backend() {
  local name=$1 store=$2 port=$((30000 + RANDOM % 20000))
  mkdir -p "$work/$name"
  cat >"$work/$name/gateway.toml" <<TOML
[server]
listen = ["127.0.0.1:$port"]
$store
[auth]
admin_password = "$password"
[log]
level = "warn"
TOML
  "$REL"/rosetta-datagen --config "$work/$name/gateway.toml" --hosts "$hosts" >&2
  "$REL"/rosetta serve --config "$work/$name/gateway.toml" >"$work/$name/out.log" 2>&1 &
  pid=$!
  wait_port "$port"
  local base="http://127.0.0.1:$port" basic
  basic=$(printf 'admin:%s' "$password" | base64)
  local token host_id
  token=$(curl -sf -H 'Content-Type: application/json' -d "{\"username\":\"admin\",\"password\":\"$password\"}" "$base/rest/login" | sed -E 's/.*"token":"([0-9a-f]+)".*/\1/')
  host_id=$(curl -sf -u "admin:$password" "$base/api/v1/hosts?limit=1" | sed -E 's/.*"items":\[\{"id":([0-9]+).*/\1/')
  echo "$name $(wrk_run read_host "$base/rest/config/host/$host_id" -H "X-Opsview-Username: admin" -H "X-Opsview-Token: $token" -H "Content-Type: application/json")"
  echo "$name $(wrk_run read_whoami "$base/api/v1/whoami" -H "Authorization: Basic $basic")"
  python3 - "$work/$name/batch.json" "$hosts" <<'PY'
import json, sys
path, size = sys.argv[1], int(sys.argv[2])
states = ["ok", "warning", "critical", "ok"]
json.dump({"results": [{"host": f"bench-host-{(i * 7919) % size:06d}", "service": "PING", "state": states[i % 4]} for i in range(200)]}, open(path, "w"))
PY
  cat >"$work/$name/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic $basic"
local f = io.open("$work/$name/batch.json", "r")
wrk.body = f:read("*a")
f:close()
LUA
  echo "$name $(WRK_CONNECTIONS=4 wrk_run write_results "$base/api/v1/results" -s "$work/$name/post.lua")"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  pid=""
}

lines=()
while read -r line; do lines+=("$line"); done < <(
  run_backend sqlite "[store]
path = \"$work/sqlite/rosetta.db\"
synchronous = \"full\""
  run_backend postgres "[store]
url = \"$url\"
schema = \"$schema\""
)

value() { for line in "${lines[@]}"; do read -r backend name rps p50 p99 <<<"$line"; [ "$backend $name" = "$1 $2" ] && echo "$rps $p50 $p99"; done; }
section="$work/section.md"
{
  echo "## PostgreSQL and SQLite (bench/postgres.sh)"
  echo
  echo "Machine: $(machine_description). Date: $(date -u +%Y-%m-%d)."
  echo "Command: \`bash bench/postgres.sh $hosts\` (release build; $hosts hosts with 10 services; wrk -t2 -c64 -d$WRK_DURATION for reads, 4 connections for writes; PostgreSQL on the same machine)."
  echo
  echo "| workload | SQLite req/s | PostgreSQL req/s | PostgreSQL / SQLite | SQLite p99 ms | PostgreSQL p99 ms |"
  echo "|---|---|---|---|---|---|"
  for workload in read_host read_whoami write_results; do
    read -r s_rps _ s_p99 <<<"$(value sqlite $workload)"
    read -r p_rps _ p_p99 <<<"$(value postgres $workload)"
    ratio=$(awk -v a="$p_rps" -v b="$s_rps" 'BEGIN {printf "%.0f%%", 100 * a / b}')
    echo "| $workload | $s_rps | $p_rps | $ratio | $s_p99 | $p_p99 |"
  done
  echo
  echo "\`write_results\` posts 200 passive results per request (results/s = requests/s x 200); SQLite runs with \`synchronous = full\`."
  echo "Target (issue 8): reads per replica on PostgreSQL within 10% of SQLite (reads come from the cache)."
} >"$section"
python3 "$root/bench/update_doc.py" "$root/docs/benchmarks.md" "PostgreSQL and SQLite (bench/postgres.sh)" "$section"
cat "$section"
