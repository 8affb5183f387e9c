#!/usr/bin/env bash
# The gateway benchmark suite: every workload next to baselines measured in the same run.
#
#   bash bench/suite.sh                 # 1,000 and 10,000 hosts (10 services each)
#   SIZES="1000 10000 100000" bash bench/suite.sh
#   ONLY="oitc_hosts_scroll opennms_alarms_v2" SIZES=10000 bash bench/suite.sh   # a quick look: the
#       baselines and the named workloads only, printed and not written to docs/benchmarks.md
#
# For each size it generates the estate (bench data generator: 5% problems, a third acknowledged, 2% of
# hosts in downtime), starts the release gateway on it (time to ready, RSS), and drives each workload with
# wrk (64 connections, 2 threads, WRK_DURATION each) against the hello-world baseline (bench/hello) and
# /healthz. It also measures batched result ingestion and the memory of 1,000 idle keep-alive
# connections. Figures go to the "Gateway workloads" section of docs/benchmarks.md as ratios.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
# The idle-connection figure holds 2,000 connections open: allow the gateway and the client enough files.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
root=$(bench_root)
cd "$root"
ensure_wrk
SIZES=${SIZES:-"1000 10000"}
export WRK_DURATION=${WRK_DURATION:-10s}

cargo build --release -p rosetta-server --bin rosetta -p rosetta-bench --bin rosetta-datagen >&2
(cd bench/hello && CARGO_TARGET_DIR=target cargo build --release >&2)

work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

hello_port=$((20000 + RANDOM % 10000))
bench/hello/target/release/hello "127.0.0.1:$hello_port" &
hello_pid=$!
pids+=($hello_pid)
wait_port "$hello_port"

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# idle_kib PID PORT DIR: resident memory per connection while 1,000 keep-alive connections sit idle. Two
# batches of 1,000 are opened, the second while the first is held, and the figure is the growth the
# second batch causes: one-off effects of the first activity (the allocator handing back start-up memory,
# first-use caches) fall into the first batch, and the second cannot reuse the first's memory.
idle_kib() {
  # Start-up leaves temporary memory the allocator hands back over a few seconds; wait until the
  # resident set holds still (under 256 KiB of change per second, at most 60 s).
  local before now
  before=$(rss_kb "$1")
  for _ in $(seq 1 60); do
    sleep 1
    now=$(rss_kb "$1")
    if [ $(( now > before ? now - before : before - now )) -lt 256 ]; then break; fi
    before=$now
  done
  python3 - "$2" "$3/idle.go" >"$3/idle.out" <<'PY' &
import os, socket, sys, time
port, go = int(sys.argv[1]), sys.argv[2]
held = []
def batch(name):
    for _ in range(1000):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        s.recv(4096)
        held.append(s)
    print(name, flush=True)
batch("first")
while not os.path.exists(go):
    time.sleep(0.05)
batch("second")
time.sleep(4)
PY
  local idle_pid=$! first second
  for _ in $(seq 1 100); do grep -q first "$3/idle.out" 2>/dev/null && break; sleep 0.1; done
  sleep 1
  first=$(rss_kb "$1")
  touch "$3/idle.go"
  for _ in $(seq 1 100); do grep -q second "$3/idle.out" 2>/dev/null && break; sleep 0.1; done
  sleep 1
  second=$(rss_kb "$1")
  wait "$idle_pid" || true
  awk -v a="$second" -v b="$first" 'BEGIN {printf "%.1f", (a - b) / 1000}'
}

# Idle connections on a fresh gateway with an empty store: the figure belongs to the connection, and a
# loaded estate's allocator handing memory back in the background blurs an RSS delta.
mkdir -p "$work/idle"
idle_port=$((30000 + RANDOM % 20000))
gateway_toml "$idle_port" "$work/idle" "bench-password-1" >"$work/idle/gateway.toml"
"$REL"/rosetta serve --config "$work/idle/gateway.toml" >"$work/idle/out.log" 2>&1 &
idle_gateway=$!
pids+=("$idle_gateway")
wait_port "$idle_port"
per_conn=$(idle_kib "$idle_gateway" "$idle_port" "$work/idle")
kill "$idle_gateway"

section="$work/section.md"
{
  echo "## Gateway workloads (bench/suite.sh)"
  echo
  echo "Machine: $(machine_description). Date: $(date -u +%Y-%m-%d)."
  echo "Command: \`SIZES=\"$SIZES\" bash bench/suite.sh\` (release build; wrk -t2 -c64 -d$WRK_DURATION; gateway, baseline and wrk share the machine)."
  echo "Each size: hosts with 10 services each; 5% of services in a problem state, a third of those acknowledged, 2% of hosts in downtime."
  echo "Server CPU µs/request: the serving process's user + system CPU time per answered request (from /proc), which holds when the"
  echo "machine's speed drifts and is not blurred by wrk sharing the cores; \"hello's CPU / this\" is the same figure as a ratio to hello-world's."
  echo "Idle keep-alive connections (a fresh gateway, empty store; the growth from 1,000 more while 1,000 are held): ${per_conn} KiB each."
  echo
} >"$section"

for size in $SIZES; do
  dir="$work/$size"
  mkdir -p "$dir"
  port=$((30000 + RANDOM % 20000))
  password="bench-password-1"
  gateway_toml "$port" "$dir" "$password" >"$dir/gateway.toml"
  "$REL"/rosetta-datagen --config "$dir/gateway.toml" --hosts "$size" >&2
  key=$("$REL"/rosetta apikey create --user admin --config "$dir/gateway.toml" 2>/dev/null | tail -1)
  started=$(date +%s%N)
  "$REL"/rosetta serve --config "$dir/gateway.toml" >"$dir/out.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  WAIT_PORT_SECONDS=600 wait_port "$port"
  until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; do sleep 0.02; done
  ready_ms=$(( ($(date +%s%N) - started) / 1000000 ))
  rss_start=$(rss_kb "$pid")

  base="http://127.0.0.1:$port"
  token=$(curl -sf -H 'Content-Type: application/json' -d "{\"username\":\"admin\",\"password\":\"$password\"}" "$base/rest/login" | sed -E 's/.*"token":"([0-9a-f]+)".*/\1/')
  basic=$(printf 'admin:%s' "$password" | base64)
  host_id=$(curl -sf -u "admin:$password" "$base/api/v1/hosts?limit=1&cursor=$((size / 2))" | sed -E 's/.*"items":\[\{"id":([0-9]+).*/\1/')

  results=()
  wanted() { [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" $1 "* ]]; }
  run() { if wanted "$1"; then results+=("$(CPU_PID=$pid wrk_run "$@")"); fi; }
  results+=("$(CPU_PID=$hello_pid wrk_run hello "http://127.0.0.1:$hello_port/")")
  results+=("$(CPU_PID=$pid wrk_run healthz "$base/healthz")")
  run native_whoami "$base/api/v1/whoami" -H "Authorization: Basic $basic"
  run native_services_page "$base/api/v1/services?limit=50&cursor=$((size * 5))" -H "Authorization: Basic $basic"
  run opsview_config_host "$base/rest/config/host/$host_id" -H "X-Opsview-Username: admin" -H "X-Opsview-Token: $token" -H "Content-Type: application/json"
  run opsview_status_unhandled "$base/rest/status/service?filter=unhandled&rows=50" -H "X-Opsview-Username: admin" -H "X-Opsview-Token: $token" -H "Content-Type: application/json"
  run opennms_alarms_v2 "$base/opennms/api/v2/alarms?_s=severity%3Dge%3DMAJOR&limit=50" -H "Authorization: Basic $basic" -H "Accept: application/json"
  run opennms_node_xml "$base/opennms/rest/nodes/$host_id" -H "Authorization: Basic $basic"
  run oitc_hosts_scroll "$base/hosts/index.json?angular=true&scroll=true&limit=50" -H "Authorization: X-OITC-API $key"
  rss_load=$(rss_kb "$pid")
  if [ -n "${ONLY:-}" ]; then
    printf '%s\n' "${results[@]}"
    echo "RSS $((rss_load / 1024)) MiB, ready in ${ready_ms} ms"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    continue
  fi

  # Batched ingestion: 500 results per request through the native batch endpoint.
  python3 - "$dir/batch.json" "$size" <<'PY'
import json, sys
path, size = sys.argv[1], int(sys.argv[2])
states = ["ok", "warning", "critical", "ok"]
results = [{"host": f"bench-host-{(i * 7919) % size:06d}", "service": "PING", "state": states[i % 4], "output": "bench"} for i in range(500)]
json.dump({"results": results}, open(path, "w"))
PY
  cat >"$dir/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic $basic"
local f = io.open("$dir/batch.json", "r")
wrk.body = f:read("*a")
f:close()
LUA
  ingest=$(WRK_CONNECTIONS=4 wrk_run ingest "$base/api/v1/results" -s "$dir/post.lua")
  ingest_rps=$(awk '{print $2}' <<<"$ingest")
  results_per_s=$(awk -v r="$ingest_rps" 'BEGIN {printf "%.0f", r * 500}')

  baseline=$(awk '{print $2}' <<<"${results[0]}")
  health=$(awk '{print $2}' <<<"${results[1]}")
  {
    echo "### $size hosts ($((size * 10)) services)"
    echo
    echo "Start-up to ready: ${ready_ms} ms. RSS: $((rss_start / 1024)) MiB after start, $((rss_load / 1024)) MiB after the read workloads."
    echo "Batched ingestion (500 results per request, 4 connections): ${results_per_s} results/s."
    echo
    echo "| workload | requests/s | vs hello | vs /healthz | p50 ms | p99 ms | server CPU µs/request | hello's CPU / this |"
    echo "|---|---|---|---|---|---|---|---|"
    baseline_cpu=$(awk '{print $5}' <<<"${results[0]}")
    for line in "${results[@]}"; do
      read -r name rps p50 p99 cpu <<<"$line"
      vs_hello=$(awk -v a="$rps" -v b="$baseline" 'BEGIN {printf "%.0f%%", 100 * a / b}')
      vs_health=$(awk -v a="$rps" -v b="$health" 'BEGIN {printf "%.0f%%", 100 * a / b}')
      cpu_ratio=$(awk -v a="$cpu" -v b="$baseline_cpu" 'BEGIN {printf "%.0f%%", 100 * b / a}')
      echo "| $name | $rps | $vs_hello | $vs_health | $p50 | $p99 | $cpu | $cpu_ratio |"
    done
    echo
  } >>"$section"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
done

{
  echo "Workloads: \`hello\` the hyper hello-world baseline; \`healthz\` the gateway without auth; \`native_whoami\` a cached authenticated GET;"
  echo "\`native_services_page\` a page of 50 services from the middle of the list; \`opsview_config_host\` \`GET /rest/config/host/{id}\`;"
  echo "\`opsview_status_unhandled\` \`GET /rest/status/service?filter=unhandled\`; \`opennms_alarms_v2\` \`GET /api/v2/alarms?_s=severity=ge=MAJOR&limit=50\`;"
  echo "\`opennms_node_xml\` \`GET /rest/nodes/{id}\` in XML; \`oitc_hosts_scroll\` \`GET /hosts/index.json?scroll=true&limit=50\`."
  echo
  echo "Targets (issue 9): a cached single-object authenticated GET at least 70% of hello-world with p99 <= 5 ms; a page of 50 with p99 <= 10 ms and flat from 1k to 100k hosts;"
  echo "at least 20k results/s batched; <= 300 MB RSS with 100k services; <= 16 KB per idle connection; <= 2 s to ready with 100k services."
} >>"$section"
[ -n "${ONLY:-}" ] && exit 0
python3 "$root/bench/update_doc.py" "$root/docs/benchmarks.md" "Gateway workloads (bench/suite.sh)" "$section"
cat "$section"
