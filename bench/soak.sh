#!/usr/bin/env bash
# Soak: mixed read/write/ingest load through all three dialects for a set time, then SIGKILL and restart of
# the gateway under load, and a check that no acknowledged write was lost.
#
#   bash bench/soak.sh                       # 10 minutes, one-minute windows (the documented run)
#   SOAK_MINUTES=2 WINDOW_SECS=20 bash bench/soak.sh
#
# The gateway (release build, SQLite, 1,000 generated hosts, `history_limit` HISTORY_LIMIT) is loaded by
# `rosetta-soak` with 16 clients: Opsview status and host creation/deletion, OpenNMS v2 alarms and node
# creation/deletion, openITCOCKPIT host index, and batches of 20 passive results through the native API. The
# soak keeps at most 200 of its hosts alive (the oldest is deleted before the next is created), so the estate
# and, with the history limit, the data stay the same size: memory must stay flat. Each window records requests, errors (unexpected
# answers), unreachable requests (no answer), p50/p99 and the gateway's RSS. After SOAK_MINUTES the gateway
# is killed with SIGKILL while the load goes on and started again; the load continues for KILL_PHASE_SECS,
# then every host whose creation was acknowledged (logged by the client) must be in the store.
# Figures go to the "Soak (bench/soak.sh)" section of docs/reliability.md.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
root=$(bench_root)
cd "$root"
SOAK_MINUTES=${SOAK_MINUTES:-10}
WINDOW_SECS=${WINDOW_SECS:-60}
KILL_PHASE_SECS=${KILL_PHASE_SECS:-$WINDOW_SECS}
# Events, audit entries and closed outages kept: small, so history reaches its steady size in the first minute.
export HISTORY_LIMIT=${HISTORY_LIMIT:-5000}

cargo build --release -p rosetta-server --bin rosetta -p rosetta-bench --bin rosetta-datagen --bin rosetta-soak >&2

work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

port=$((20000 + RANDOM % 20000))
password="soak-password-1"
gateway_toml "$port" "$work" "$password" "history_limit = $HISTORY_LIMIT" >"$work/gateway.toml"
"$REL"/rosetta-datagen --config "$work/gateway.toml" --hosts 1000 >&2
key=$("$REL"/rosetta apikey create --user admin --config "$work/gateway.toml" 2>/dev/null | tail -1)
start_gateway() {
  "$REL"/rosetta serve --config "$work/gateway.toml" >>"$work/gateway.log" 2>&1 &
  pid=$!
  wait_port "$port"
}
start_gateway

soak_secs=$((SOAK_MINUTES * 60))
total_secs=$((soak_secs + KILL_PHASE_SECS))
"$REL"/rosetta-soak --url "http://127.0.0.1:$port" --password "$password" --apikey "$key" \
  --duration "$total_secs" --window "$WINDOW_SECS" --log "$work/acknowledged.txt" >"$work/windows.jsonl" 2>"$work/soak.err" &
soak_pid=$!

# pause UNTIL: sleeps until the epoch second UNTIL (not at all when it has passed).
pause() {
  local left=$(($1 - $(date +%s)))
  [ "$left" -gt 0 ] && sleep "$left"
  return 0
}

# RSS of the gateway at the end of every window; SIGKILL and restart when the soak time is over.
started=$(date +%s)
window=1
killed_at=
while [ $((window * WINDOW_SECS)) -le "$total_secs" ]; do
  target_time=$((started + window * WINDOW_SECS))
  if [ -z "$killed_at" ] && [ $((window * WINDOW_SECS)) -gt "$soak_secs" ]; then
    # The kill window: SIGKILL a few seconds into it, then start again at once.
    pause $((started + soak_secs + 5))
    kill -9 "$pid"
    wait "$pid" 2>/dev/null || true
    killed_at=$(($(date +%s) - started))
    start_gateway
  fi
  pause "$target_time"
  echo "$((window * WINDOW_SECS)) $(awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status")" >>"$work/rss.txt"
  window=$((window + 1))
done
status=0
wait "$soak_pid" || status=$?

python3 - "$work" "$SOAK_MINUTES" "$WINDOW_SECS" "${killed_at:-0}" "$status" "$(machine_description)" >"$work/section.md" <<'PY'
import datetime, json, os, sys
work, minutes, window, killed_at, status, machine = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
rows, summary = [], {}
for line in open(f"{work}/windows.jsonl"):
    value = json.loads(line)
    if "summary" in value:
        summary = value["summary"]
    else:
        rows.append(value)
rss = dict(line.split() for line in open(f"{work}/rss.txt"))
print("## Soak (bench/soak.sh)\n")
print(f"Machine: {machine}. Date: {datetime.date.today()}.")
print(f"Command: `SOAK_MINUTES={minutes} WINDOW_SECS={window} bash bench/soak.sh` (release build, SQLite, 1,000 generated hosts,")
print(f"`history_limit = {os.environ['HISTORY_LIMIT']}`; 16 clients: Opsview status reads and host creation/deletion, OpenNMS v2 alarms and node")
print("creation/deletion (at most 200 soak hosts alive), openITCOCKPIT host index, batches of 20 passive results through")
print("the native API; gateway and load share the machine).\n")
print("| window ends (s) | requests | requests/s | errors | unreachable | p50 ms | p99 ms | gateway RSS MB |")
print("|---|---|---|---|---|---|---|---|")
for row in rows:
    t = row["t"]
    mark = " (SIGKILL + restart)" if killed_at and t - window < killed_at <= t else ""
    rate = row["requests"] / window
    print(f"| {t}{mark} | {row['requests']} | {rate:.0f} | {row['errors']} | {row['unreachable']} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} | {rss.get(str(t), '-')} |")
print()
soak_rows = [row for row in rows if row["t"] <= minutes * 60]
if soak_rows:
    p99s = [row["p99_ms"] for row in soak_rows]
    rss_soak = [int(rss[str(row["t"])]) for row in soak_rows if str(row["t"]) in rss]
    print(f"Over the {minutes} soak minutes: {sum(r['errors'] for r in soak_rows)} errors, {sum(r['unreachable'] for r in soak_rows)} unreachable;"
          f" p99 from {min(p99s):.1f} to {max(p99s):.1f} ms; RSS from {min(rss_soak)} to {max(rss_soak)} MB.")
print(f"SIGKILL at {killed_at} s under load, restarted at once: {summary.get('acknowledged_writes', 0)} acknowledged host creations in the whole run;"
      f" of the {summary.get('expected_hosts', '?')} that must still exist, {summary.get('missing', '?')} missing afterwards (client exit status {status}).")
if summary.get("first_errors"):
    print("\nFirst unexpected answers: " + "; ".join(f"`{e}`" for e in summary["first_errors"][:5]))
PY
python3 "$root/bench/update_doc.py" "$root/docs/reliability.md" "Soak (bench/soak.sh)" "$work/section.md"
cat "$work/section.md"
exit "$status"
