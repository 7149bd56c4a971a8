#!/usr/bin/env bash
# Benchmark `handoff check` against the time to merely read the same files.
#
#   scripts/bench.sh [N ...]     default: 1000 10000
#
# For each N it generates N packets (2 files each), warms the cache, and reports wall time and
# peak memory of: reading every file (cat > /dev/null, the floor), `handoff check`, and rumdl when
# installed (`pip install rumdl`); then one packet alone. Ratios are to the floor.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin="$PWD/target/release/handoff"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)

# Best wall time (s) and peak RSS (MiB) of three runs of a command.
measure() {
  local best_t="" best_m=""
  for _ in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>&1 || true
    read -r t m < <(tail -n 1 "$work/time")
    if [ -z "$best_t" ] || awk "BEGIN{exit !($t < $best_t)}"; then best_t=$t; fi
    if [ -z "$best_m" ] || [ "$m" -lt "$best_m" ]; then best_m=$m; fi
  done
  echo "$best_t $((best_m / 1024))"
}

printf '%-8s %-26s %9s %9s %10s\n' packets what seconds "MiB" "x floor"
for n in "${sizes[@]}"; do
  dir="$work/repo-$n"
  python3 scripts/gen_packets.py "$n" "$dir"
  files=$(find "$dir/handoffs" -type f | wc -l)
  bytes=$(du -sb "$dir/handoffs" | cut -f1)
  find "$dir/handoffs" -type f -exec cat {} + >/dev/null  # warm the cache
  read -r floor floor_m < <(measure sh -c "find '$dir/handoffs' -type f -exec cat {} + > /dev/null")
  read -r t m < <(measure "$bin" -C "$dir" check --today 2026-12-05 --format json)
  printf '%-8s %-26s %9s %9s %10s\n' "$n" "read floor (cat)" "$floor" "$floor_m" "1.0"
  printf '%-8s %-26s %9s %9s %10s\n' "$n" "handoff check" "$t" "$m" "$(awk "BEGIN{printf \"%.1f\", $t / ($floor > 0 ? $floor : 0.01)}")"
  if command -v rumdl >/dev/null; then
    read -r rt rm < <(measure rumdl check "$dir/handoffs")
    printf '%-8s %-26s %9s %9s %10s\n' "$n" "rumdl check" "$rt" "$rm" "$(awk "BEGIN{printf \"%.1f\", $rt / ($floor > 0 ? $floor : 0.01)}")"
    printf '%-8s %-26s %9s\n' "$n" "handoff / rumdl" "$(awk "BEGIN{printf \"%.2f\", $t / ($rt > 0 ? $rt : 0.01)}")"
  fi
  echo "         ($files files, $((bytes / 1024 / 1024)) MiB)"
done

# One packet, many times: the per-packet latency an editor or pre-commit hook sees.
one="$work/repo-1"
python3 scripts/gen_packets.py 1 "$one"
start=$(date +%s%N)
for _ in $(seq 100); do "$bin" -C "$one" check --today 2026-12-05 >/dev/null; done
end=$(date +%s%N)
echo "one packet: $(( (end - start) / 100 / 1000 )) µs per run of handoff check (mean of 100)"
