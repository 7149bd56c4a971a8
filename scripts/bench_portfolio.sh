#!/usr/bin/env bash
# Time the portfolio commands over many repositories: 50 repositories of 200 packets each
# (scripts/gen_packets.py, 10% failing), each its own git repository with one commit.
#
#   scripts/bench_portfolio.sh [REPOS] [PACKETS]      (default: 50 200; goal: under 5 s)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin="$PWD/target/release/handoff"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
repos=${1:-50}
packets=${2:-200}
args=()
for i in $(seq -w 1 "$repos"); do
  dir="$work/team-$i"
  python3 scripts/gen_packets.py "$packets" "$dir" 0.1
  (cd "$dir" && git init -q -b main && git add -A \
     && git -c user.name=Bench -c user.email=bench@example.test commit -qm "packets")
  args+=(--repo "$dir")
done
for cmd in "status" "remind --within 7d" "stats"; do
  start=$(date +%s%N)
  # shellcheck disable=SC2086
  "$bin" $cmd "${args[@]}" --today 2026-12-05 >/dev/null 2>&1 || true
  end=$(date +%s%N)
  echo "handoff $cmd over $repos repositories of $packets packets: $(( (end - start) / 1000000 )) ms (goal: under 5000 ms)"
done
