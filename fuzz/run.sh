#!/usr/bin/env bash
# Runs every fuzz target for a set time and records executions and findings in docs/reliability.md.
#
#   [FUZZ_JOBS=n] bash fuzz/run.sh [seconds-per-target] [target...]
#
# A run over some targets keeps the other targets' rows in docs/reliability.md.
#
# FUZZ_JOBS runs that many targets side by side (default 1).
#
# Installs cargo-fuzz into fuzz/.tools on first use. The stable toolchain builds the sanitizer
# instrumentation with RUSTC_BOOTSTRAP=1 (no nightly toolchain can be fetched here). Seeds come from
# fuzz/seeds/<target>; new crashes are copied to fuzz/regressions/<target>/, which the normal test suite
# replays (rosetta-fuzzing's saved_inputs_replay_without_panics).
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
shift || true
if [ "$#" -gt 0 ]; then targets=("$@"); else
  mapfile -t targets < <(sed -n 's/^name = "\([a-z_]*\)"$/\1/p' Cargo.toml | grep -v '^rosetta-fuzz$')
fi
if [ ! -x .tools/bin/cargo-fuzz ]; then
  cargo install --locked --root .tools cargo-fuzz >&2
fi
export RUSTC_BOOTSTRAP=1
jobs=${FUZZ_JOBS:-1}
outcomes=$(mktemp -d)

# Fuzzes one target and writes "<target> <executions> <findings> <exit>" to $outcomes/<target>.
fuzz_one() {
  local target=$1 log status=0 execs crashes=0 artifact
  mkdir -p "corpus/$target" "regressions/$target"
  cp -n seeds/"$target"/* "corpus/$target/" 2>/dev/null || true
  log=$(mktemp)
  .tools/bin/cargo-fuzz fuzz run --release "$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 >"$log" 2>&1 || status=$?
  execs=$(awk -F: '/stat::number_of_executed_units/ {gsub(/ /, "", $NF); print $NF}' "$log" | tail -1)
  for artifact in artifacts/"$target"/*; do
    [ -f "$artifact" ] || continue
    cp "$artifact" "regressions/$target/"
    crashes=$((crashes + 1))
  done
  echo "$target ${execs:-0} $crashes $status" >"$outcomes/$target"
  echo "$target: ${execs:-0} executions, $crashes findings (exit $status)" >&2
  rm -f "$log"
}
export -f fuzz_one
export seconds outcomes

# Builds every target once up front, so the lanes below do not wait on each other's builds.
.tools/bin/cargo-fuzz build --release >&2
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'fuzz_one "$1"' _ {}
section=$(mktemp)
doc=../docs/reliability.md
mapfile -t every < <(sed -n 's/^name = "\([a-z_]*\)"$/\1/p' Cargo.toml | grep -v '^rosetta-fuzz$')
{
  echo "## Fuzzing (fuzz/run.sh)"
  echo
  echo "Command: \`FUZZ_JOBS=$jobs bash fuzz/run.sh SECONDS [TARGET...]\` on $(nproc) cores (last run $(date -u +%Y-%m-%d): $seconds s per target);"
  echo "cargo-fuzz (libFuzzer) with AddressSanitizer. A run over some targets keeps the other targets' rows from earlier"
  echo "runs; each row's seconds say how long that target ran."
  echo "Findings are copied to \`fuzz/regressions/<target>/\` and replayed by the normal test suite on stable Rust."
  echo
  echo "| target | seconds | executions | findings |"
  echo "|---|---|---|---|"
  for target in "${every[@]}"; do
    if [ -f "$outcomes/$target" ]; then
      read -r _ execs crashes status <"$outcomes/$target"
      if [ "$status" != 0 ] && [ "$crashes" = 0 ]; then crashes="none (run failed, exit $status)"; fi
      echo "| $target | $seconds | $execs | $crashes |"
    elif [ -f "$doc" ]; then
      grep -m1 "^| $target | " "$doc" || true
    fi
  done
} >"$section"
rm -rf "$outcomes"
python3 ../bench/update_doc.py "$doc" "Fuzzing (fuzz/run.sh)" "$section"
cat "$section"
