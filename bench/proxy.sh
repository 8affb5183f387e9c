#!/usr/bin/env bash
# Benchmark: Rosetta in proxy mode against nginx `proxy_pass`, both in front of the same upstream, same run.
#
#   bash bench/proxy.sh             # writes the "Proxy mode" section of docs/benchmarks.md
#
# The upstream is a native Rosetta with 1,000 generated hosts (the "legacy" product). In front of it:
#   - nginx 1.22 from Debian's package (unpacked into bench/.tools, not installed system-wide), with an
#     upstream keep-alive pool, passing the caller's own Basic credentials through;
#   - a second Rosetta whose OpenNMS mount is `mode = "proxy"`: the caller authenticates to it with its own
#     Basic credentials and Rosetta sends the upstream's service account instead (credential translation).
# wrk drives each (64 connections, 2 threads, WRK_DURATION) on two OpenNMS reads; the upstream answered
# directly is the baseline. Everything shares the machine's cores.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
root=$(bench_root)
cd "$root"
ensure_wrk
export WRK_DURATION=${WRK_DURATION:-10s}

ensure_nginx() {
  local dir="$root/bench/.tools/nginx"
  if [ ! -x "$dir/usr/sbin/nginx" ]; then
    echo "unpacking nginx (Debian package) into bench/.tools" >&2
    local download
    download=$(mktemp -d)
    (cd "$download" && apt-get download nginx >/dev/null 2>&1) || { apt-get update -qq && (cd "$download" && apt-get download nginx >/dev/null); }
    mkdir -p "$dir"
    dpkg -x "$download"/nginx_*.deb "$dir"
    rm -rf "$download"
  fi
  echo "$dir/usr/sbin/nginx"
}
nginx=$(ensure_nginx)

cargo build --release -p rosetta-server --bin rosetta -p rosetta-bench --bin rosetta-datagen >&2

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

password="bench-password-1"
upstream_port=$((20000 + RANDOM % 10000))
proxy_port=$((upstream_port + 1))
nginx_port=$((upstream_port + 2))

mkdir -p "$work/upstream" "$work/proxy" "$work/nginx"
gateway_toml "$upstream_port" "$work/upstream" "$password" >"$work/upstream/gateway.toml"
gateway_toml "$proxy_port" "$work/proxy" "caller-password-1" >"$work/proxy/gateway.toml"
cat >>"$work/proxy/gateway.toml" <<TOML

[[mounts]]
dialect = "opennms"
mode = "proxy"

[mounts.proxy]
upstream = "http://127.0.0.1:$upstream_port"
pool_max_idle = 128

[mounts.proxy.auth.service_account]
username = "admin"
password = "$password"
TOML
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  upstream legacy {
    server 127.0.0.1:$upstream_port;
    keepalive 128;
  }
  server {
    listen 127.0.0.1:$nginx_port;
    location / {
      proxy_pass http://legacy;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
    }
  }
}
CONF

"$REL"/rosetta-datagen --config "$work/upstream/gateway.toml" --hosts 1000 >&2
"$REL"/rosetta serve --config "$work/upstream/gateway.toml" >"$work/upstream/out.log" 2>&1 &
pids+=($!)
"$REL"/rosetta serve --config "$work/proxy/gateway.toml" >"$work/proxy/out.log" 2>&1 &
pids+=($!)
"$nginx" -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
pids+=($!)
for port in "$upstream_port" "$proxy_port" "$nginx_port"; do wait_port "$port"; done

upstream_basic=$(printf 'admin:%s' "$password" | base64)
caller_basic=$(printf 'admin:%s' "caller-password-1" | base64)
node=$(curl -sf -u "admin:$password" "http://127.0.0.1:$upstream_port/api/v1/hosts?limit=1&cursor=500" | sed -E 's/.*"items":\[\{"id":([0-9]+).*/\1/')
node_path="/opennms/rest/nodes/$node"
count_path="/opennms/rest/alarms/count"
# The three fronts must give the same answers before they are timed.
for front in "$upstream_port $upstream_basic" "$nginx_port $upstream_basic" "$proxy_port $caller_basic"; do
  read -r port basic <<<"$front"
  curl -sf -H "Authorization: Basic $basic" "http://127.0.0.1:$port$node_path" >"$work/node-$port.xml"
done
cmp -s "$work/node-$upstream_port.xml" "$work/node-$nginx_port.xml" || { echo "nginx answers differently" >&2; exit 1; }
cmp -s "$work/node-$upstream_port.xml" "$work/node-$proxy_port.xml" || { echo "the proxy answers differently" >&2; exit 1; }

results=()
results+=("$(wrk_run direct_node "http://127.0.0.1:$upstream_port$node_path" -H "Authorization: Basic $upstream_basic")")
results+=("$(wrk_run nginx_node "http://127.0.0.1:$nginx_port$node_path" -H "Authorization: Basic $upstream_basic")")
results+=("$(wrk_run rosetta_node "http://127.0.0.1:$proxy_port$node_path" -H "Authorization: Basic $caller_basic")")
results+=("$(wrk_run direct_count "http://127.0.0.1:$upstream_port$count_path" -H "Authorization: Basic $upstream_basic")")
results+=("$(wrk_run nginx_count "http://127.0.0.1:$nginx_port$count_path" -H "Authorization: Basic $upstream_basic")")
results+=("$(wrk_run rosetta_count "http://127.0.0.1:$proxy_port$count_path" -H "Authorization: Basic $caller_basic")")

figure() { awk -v name="$1" -v col="$2" '$1 == name {print $col}' <<<"$(printf '%s\n' "${results[@]}")"; }
{
  echo "## Proxy mode (bench/proxy.sh)"
  echo
  echo "Machine: $(machine_description). Date: $(date -u +%Y-%m-%d)."
  echo "Command: \`bash bench/proxy.sh\` (release build; wrk -t2 -c64 -d$WRK_DURATION; upstream, fronts and wrk share the 2 cores)."
  echo "Upstream: a native Rosetta with 1,000 generated hosts. nginx $("$nginx" -v 2>&1 | sed 's/.*nginx\///') (Debian package) with a keep-alive upstream"
  echo "pool passes the caller's Basic credentials through; Rosetta's proxy mount authenticates the caller itself and sends"
  echo "its service account upstream (credential translation on every request)."
  echo
  echo "| workload | front | requests/s | ratio to nginx | p50 ms | p99 ms |"
  echo "|---|---|---|---|---|---|"
  for workload in node count; do
    nginx_rps=$(figure "nginx_$workload" 2)
    for front in direct nginx rosetta; do
      line=$(printf '%s\n' "${results[@]}" | awk -v n="${front}_$workload" '$1 == n')
      read -r _ rps p50 p99 <<<"$line"
      ratio=$(awk -v a="$rps" -v b="$nginx_rps" 'BEGIN {printf "%.0f%%", 100 * a / b}')
      case $workload in
        node) label="GET $node_path (XML)";;
        count) label="GET $count_path (text)";;
      esac
      case $front in
        direct) who="upstream directly (no proxy)";;
        nginx) who="nginx proxy_pass";;
        rosetta) who="Rosetta proxy mount";;
      esac
      echo "| $label | $who | $rps | $ratio | $p50 | $p99 |"
    done
  done
  echo
  echo "Target (issue 7): Rosetta's proxy at least nginx's throughput with a p99 no worse."
} >"$work/section.md"
python3 "$root/bench/update_doc.py" "$root/docs/benchmarks.md" "Proxy mode (bench/proxy.sh)" "$work/section.md"
cat "$work/section.md"
