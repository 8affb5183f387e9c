# Shared helpers for the benchmark scripts (sourced, not run).
# Every figure a script reports is paired with a baseline measured in the same run.

# Where cargo puts release binaries (honours CARGO_TARGET_DIR, so a worktree can share a build directory).
REL=${CARGO_TARGET_DIR:-target}/release

bench_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

ensure_wrk() {
  if ! command -v wrk >/dev/null 2>&1; then
    echo "installing wrk (Debian package)" >&2
    (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null
  fi
}

# wrk_run NAME URL [extra wrk args...] -> prints "NAME RPS P50_MS P99_MS", and with CPU_PID set a fifth
# field: that process's CPU time (user + system) per request in microseconds, a figure that holds when the
# machine's speed drifts and that the client's own cost does not blur.
wrk_run() {
  local name=$1 url=$2; shift 2
  local out cpu_before
  cpu_before=$(cpu_ticks)
  out=$(wrk -t"${WRK_THREADS:-2}" -c"${WRK_CONNECTIONS:-64}" -d"${WRK_DURATION:-10s}" --latency "$@" "$url")
  local rps p50 p99
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  local errors
  errors=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
  if [ -n "$errors" ]; then
    echo "benchmark $name had $errors non-2xx responses" >&2
    echo "$out" >&2
    return 1
  fi
  if [ -z "${CPU_PID:-}" ]; then
    echo "$name $rps $(to_ms "$p50") $(to_ms "$p99")"
    return
  fi
  local requests
  requests=$(awk '/ requests in / {print $1}' <<<"$out")
  echo "$name $rps $(to_ms "$p50") $(to_ms "$p99") $(awk -v a="$(cpu_ticks)" -v b="$cpu_before" -v n="$requests" -v hz="$(getconf CLK_TCK)" \
    'BEGIN {printf "%.1f", (a - b) / hz * 1e6 / n}')"
}

# cpu_ticks: user + system clock ticks of CPU_PID so far (nothing without CPU_PID).
cpu_ticks() {
  [ -n "${CPU_PID:-}" ] || return 0
  # Fields 14 and 15 of /proc/PID/stat, counted after the command name (which may hold spaces).
  sed -E 's/^.*\) //' "/proc/$CPU_PID/stat" | awk '{print $12 + $13}'
}

# Converts wrk latency strings (512.00us, 1.20ms, 2.00s) to milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
    else { printf "%s", v }
  }'
}

machine_description() {
  local cpu
  cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
  echo "$(nproc) cores ($cpu), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
}

# wait_port PORT: waits until something listens on 127.0.0.1:PORT.
wait_port() {
  # WAIT_PORT_SECONDS (default 10): a gateway loading a million services needs longer.
  for _ in $(seq 1 $(( ${WAIT_PORT_SECONDS:-10} * 20 ))); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  echo "nothing listens on port $1" >&2
  return 1
}

# gateway_toml PORT DIR PASSWORD [STORE_LINE]: the benchmarks' gateway.toml (SQLite file in DIR, admin
# password, warn logs); STORE_LINE is one more `[store]` setting.
gateway_toml() {
  cat <<TOML
[server]
listen = ["127.0.0.1:$1"]
[store]
path = "$2/rosetta.db"
synchronous = "normal"
${4:-}
[auth]
admin_password = "$3"
[log]
level = "warn"
TOML
}
