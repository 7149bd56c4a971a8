#!/usr/bin/env bash
# Benchmark `handoff check` against the time to merely read the same files, and against rumdl.
#
#   scripts/bench.sh [N ...]        default: 10000        (BENCH_RUNS=5 runs each, median)
#
# For each N it generates two corpora of N packets (2 files each): one where every packet passes,
# and one where 60% fail with four typical mistakes each (scripts/gen_packets.py). For each it
# reports the median wall time and peak memory of: reading every file (`cat`, the floor),
# `handoff check` with human output and with `--format json`, and rumdl when installed
# (`pip install rumdl`), all measured in this one run, with the ratios the performance goals are
# stated in. Then one packet alone, run 100 times.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin="$PWD/target/release/handoff"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000)
runs=${BENCH_RUNS:-5}

# Median wall time (s) and the largest peak RSS (MiB) of $runs runs of a command.
measure() {
  local ts=() ms=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>&1 || true
    read -r t m < <(tail -n 1 "$work/time")
    ts+=("$t"); ms+=("$m")
  done
  local t m
  t=$(printf '%s\n' "${ts[@]}" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
  m=$(printf '%s\n' "${ms[@]}" | sort -g | tail -n 1)
  echo "$t $((m / 1024))"
}
ratio() { awk "BEGIN{printf \"%.2f\", $1 / ($2 > 0 ? $2 : 0.01)}"; }

printf '%-8s %-9s %-28s %8s %6s %9s %9s\n' packets corpus what seconds MiB "x floor" "x rumdl"
for n in "${sizes[@]}"; do
  for corpus in passing failing; do
    dir="$work/$corpus-$n"
    share=0; [ "$corpus" = failing ] && share=0.6
    python3 scripts/gen_packets.py "$n" "$dir" "$share"
    (cd "$dir" && git init -q)
    find "$dir/handoffs" -type f -exec cat {} + >/dev/null  # warm the cache
    read -r floor floor_m < <(measure sh -c "find '$dir/handoffs' -type f -exec cat {} + > /dev/null")
    read -r human human_m < <(measure "$bin" -C "$dir" check --today 2026-12-05)
    read -r json json_m < <(measure "$bin" -C "$dir" check --today 2026-12-05 --format json)
    rumdl_t=""
    if command -v rumdl >/dev/null; then
      read -r rumdl_t rumdl_m < <(measure rumdl check --no-cache "$dir/handoffs")
    fi
    vs() { [ -n "$rumdl_t" ] && ratio "$1" "$rumdl_t" || echo "-"; }
    printf '%-8s %-9s %-28s %8s %6s %9s %9s\n' "$n" "$corpus" "read floor (cat)" "$floor" "$floor_m" "1.00" "-"
    printf '%-8s %-9s %-28s %8s %6s %9s %9s\n' "$n" "$corpus" "handoff check (human)" "$human" "$human_m" "$(ratio "$human" "$floor")" "$(vs "$human")"
    printf '%-8s %-9s %-28s %8s %6s %9s %9s\n' "$n" "$corpus" "handoff check --format json" "$json" "$json_m" "$(ratio "$json" "$floor")" "$(vs "$json")"
    if [ -n "$rumdl_t" ]; then
      printf '%-8s %-9s %-28s %8s %6s %9s %9s\n' "$n" "$corpus" "rumdl check" "$rumdl_t" "$rumdl_m" "$(ratio "$rumdl_t" "$floor")" "1.00"
    fi
    errors=$("$bin" -C "$dir" check --today 2026-12-05 --format json | python3 -c 'import json,sys; s=json.load(sys.stdin)["summary"]; print("%d failing, %d errors" % (s["failed"], s["errors"]))' || true)
    echo "         ($(find "$dir/handoffs" -type f | wc -l) files, $(( $(find "$dir/handoffs" -type f -exec cat {} + | wc -c) / 1048576 )) MiB, $errors)"
    rm -rf "$dir"
  done
done

# One packet, many times: the per-packet latency an editor or pre-commit hook sees.
one="$work/repo-1"
python3 scripts/gen_packets.py 1 "$one"
(cd "$one" && git init -q)
start=$(date +%s%N)
for _ in $(seq 100); do "$bin" -C "$one" check --today 2026-12-05 >/dev/null; done
end=$(date +%s%N)
one_ms=$(awk "BEGIN{printf \"%.1f\", ($end - $start) / 100 / 1000000}")
if command -v rumdl >/dev/null; then
  start=$(date +%s%N)
  for _ in $(seq 100); do rumdl check --no-cache "$one/handoffs" >/dev/null 2>&1 || true; done
  end=$(date +%s%N)
  echo "one packet: handoff check ${one_ms} ms, rumdl $(awk "BEGIN{printf \"%.1f\", ($end - $start) / 100 / 1000000}") ms (mean of 100 runs)"
else
  echo "one packet: handoff check ${one_ms} ms (mean of 100 runs)"
fi
