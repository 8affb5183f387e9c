#!/usr/bin/env bash
# Benchmark: the authenticated request path against the unauthenticated /healthz, in the same run.
#
#   bash bench/auth.sh            # writes the "Authentication" section of docs/benchmarks.md
#
# Runs the release binary with production argon2 cost (19 MiB, 2 iterations, 1 lane) and drives it with
# wrk (64 connections, 2 threads, 10 s per workload). Basic is verified with argon2 once, then served from
# the keyed-hash cache; tokens and API keys are checked by their SHA-256 hash.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
root=$(bench_root)
cd "$root"
ensure_wrk
cargo build --release -p rosetta-server --bin rosetta >&2

work=$(mktemp -d)
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
port=$((20000 + RANDOM % 20000))
password="bench-password-1"
cat >"$work/gateway.toml" <<TOML
[server]
listen = ["127.0.0.1:$port"]
[store]
path = "$work/rosetta.db"
[auth]
admin_password = "$password"
[log]
level = "warn"
TOML
key=$("$REL"/rosetta apikey create --user admin --config "$work/gateway.toml" 2>/dev/null | tail -1)
"$REL"/rosetta serve --config "$work/gateway.toml" >"$work/out.log" 2>&1 &
pid=$!
wait_port "$port"
base="http://127.0.0.1:$port"
token=$(curl -sf -H 'Content-Type: application/json' -d "{\"username\":\"admin\",\"password\":\"$password\"}" "$base/rest/login" | sed -E 's/.*"token":"([0-9a-f]+)".*/\1/')
[ ${#token} -eq 32 ] || { echo "login failed" >&2; exit 1; }
basic=$(printf 'admin:%s' "$password" | base64)

results=()
results+=("$(wrk_run healthz "$base/healthz")")
# The authentication path alone: the same /healthz with credentials, which the gateway verifies (any
# request carrying credentials is authenticated before dispatch).
results+=("$(wrk_run auth_basic "$base/healthz" -H "Authorization: Basic $basic")")
results+=("$(wrk_run auth_token "$base/healthz" -H "X-Opsview-Username: admin" -H "X-Opsview-Token: $token")")
results+=("$(wrk_run auth_apikey "$base/healthz" -H "Authorization: X-OITC-API $key")")
# An authenticated endpoint with a body: the principal as JSON.
results+=("$(wrk_run basic "$base/api/v1/whoami" -H "Authorization: Basic $basic")")
results+=("$(wrk_run token "$base/api/v1/whoami" -H "X-Opsview-Username: admin" -H "X-Opsview-Token: $token")")
results+=("$(wrk_run apikey "$base/api/v1/whoami" -H "Authorization: X-OITC-API $key")")
login_start=$(date +%s%N)
for _ in $(seq 1 20); do
  curl -sf -o /dev/null -H 'Content-Type: application/json' -d "{\"username\":\"admin\",\"password\":\"$password\"}" "$base/rest/login"
done
login_ms=$(( ($(date +%s%N) - login_start) / 20000000 ))

baseline=$(awk '{print $2}' <<<"${results[0]}")
{
  echo "## Authentication (bench/auth.sh)"
  echo
  echo "Machine: $(machine_description). Date: $(date -u +%Y-%m-%d)."
  echo "Command: \`bash bench/auth.sh\` (release build, wrk -t2 -c64 -d10s, server and wrk on the same machine)."
  echo "argon2id cost: 19 MiB, 2 iterations, 1 lane; one \`POST /rest/login\` (argon2 verify + session write) takes ${login_ms} ms."
  echo
  echo "| workload | requests/s | ratio to /healthz | p50 ms | p99 ms |"
  echo "|---|---|---|---|---|"
  for line in "${results[@]}"; do
    read -r name rps p50 p99 <<<"$line"
    ratio=$(awk -v a="$rps" -v b="$baseline" 'BEGIN {printf "%.0f%%", 100 * a / b}')
    case $name in
      healthz) label="GET /healthz (no auth, baseline)";;
      auth_basic) label="GET /healthz + Basic (auth path; cached after the first)";;
      auth_token) label="GET /healthz + Opsview token (auth path)";;
      auth_apikey) label="GET /healthz + X-OITC-API key (auth path)";;
      basic) label="GET /api/v1/whoami, Basic (cached after the first)";;
      token) label="GET /api/v1/whoami, Opsview token";;
      apikey) label="GET /api/v1/whoami, X-OITC-API key";;
    esac
    echo "| $label | $rps | $ratio | $p50 | $p99 |"
  done
  echo
  echo "Target (issue 2): every authenticated path keeps at least 80% of the /healthz throughput (the \"auth path\" rows;"
  echo "the whoami rows add building and serialising the principal as JSON, 1.2 KB against 3 bytes)."
} >"$work/section.md"
python3 "$root/bench/update_doc.py" "$root/docs/benchmarks.md" "Authentication (bench/auth.sh)" "$work/section.md"
cat "$work/section.md"
