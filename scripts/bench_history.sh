#!/usr/bin/env bash
# Benchmark `handoff log` on one packet with a long history.
#
#   scripts/bench_history.sh [COMMITS]     default: 1000
#
# Builds a repo where one packet is changed by COMMITS commits (answers edited, criteria checked,
# sign-offs added), then reports the best of three runs of `handoff log` and of `handoff check`.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin="$PWD/target/release/handoff"
commits=${1:-1000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 scripts/gen_packets.py 1 "$work"
cd "$work"
git init -q -b main
git config user.name "Bench User"; git config user.email bench@example.test; git config commit.gpgsign false
git add -A; git commit -qm "Create play-00000"
packet=handoffs/play-00000/handoff.md
# Fast history: one fast-import stream with a new version of the packet in every commit.
{
  for i in $(seq 1 "$commits"); do
    content=$(sed "s/Deliverability alerts acknowledged within [0-9]* business hours/Deliverability alerts acknowledged within $i business hours/" "$packet")
    printf 'commit refs/heads/main\nauthor Bench User <bench@example.test> %d +0000\ncommitter Bench User <bench@example.test> %d +0000\n' $((1700000000 + i)) $((1700000000 + i))
    printf 'data <<EOM\nChange the SLA to %d hours\nEOM\n' "$i"
    [ "$i" -eq 1 ] && printf 'from refs/heads/main^0\n'
    printf 'M 100644 inline %s\ndata %d\n%s\n' "$packet" "$(( $(printf '%s' "$content" | wc -c) + 1 ))" "$content"
  done
} | git fast-import --quiet
git reset -q --hard main
best() {
  local b=""
  for _ in 1 2 3; do
    s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N)
    t=$(( (e - s) / 1000000 ))
    if [ -z "$b" ] || [ "$t" -lt "$b" ]; then b=$t; fi
  done
  echo "$b"
}
echo "commits touching the packet: $(git rev-list --count HEAD)"
echo "handoff log:   $(best "$bin" log play-00000) ms"
echo "handoff check: $(best "$bin" check --today 2026-12-05) ms"
