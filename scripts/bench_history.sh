#!/usr/bin/env bash
# Benchmark the commands that read git history, against `git log` reading the same history.
#
#   scripts/bench_history.sh            (BENCH_RUNS=5 runs each, median; BENCH_SCALE=1 adds 100,000 commits)
#
# 1. `handoff log` on one packet changed by 1,000 commits, vs `git log --raw --no-renames -- <packet>`.
# 2. `handoff stats` over 100 packets and 10,000 commits, vs `git log --raw --no-renames -- handoffs`.
# 3. `handoff check` over 10,000 packets that all carry sign-offs (the audit reads history).
# Commits edit answers, bodies and statuses, and add sign-offs; histories are written with one
# `git fast-import` stream each.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin="$PWD/target/release/handoff"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

runs=${BENCH_RUNS:-5}
# Median wall time in ms of $runs runs.
median_ms() {
  local ts=()
  for _ in $(seq "$runs"); do
    s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N)
    ts+=($(( (e - s) / 1000000 )))
  done
  printf '%s\n' "${ts[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'
}
# Median wall times in ms of two commands given as strings for `sh -c`, run in turns for $runs
# rounds (so that a slow moment of the machine falls on both alike): prints "A B".
paired_ms() {
  local as=() bs=() s e
  for _ in $(seq "$runs"); do
    s=$(date +%s%N); sh -c "$1" >/dev/null 2>&1 || true; e=$(date +%s%N); as+=($(( (e - s) / 1000000 )))
    s=$(date +%s%N); sh -c "$2" >/dev/null 2>&1 || true; e=$(date +%s%N); bs+=($(( (e - s) / 1000000 )))
  done
  echo "$(printf '%s\n' "${as[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}') $(printf '%s\n' "${bs[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')"
}
ratio() { awk "BEGIN{printf \"%.1f\", $1 / ($2 > 0 ? $2 : 1)}"; }
verdict() { awk "BEGIN{print ($1 <= $2) ? \"ok\" : \"MISSED\"}"; }

# history PACKETS COMMITS DIR: a repo with PACKETS packets and COMMITS commits, each changing the
# SLA answer of one packet (round robin), with a status change and sign-offs sprinkled in
# (scripts/gen_history.py, one `git fast-import` stream).
history() {
  python3 scripts/gen_packets.py "$1" "$3"
  python3 scripts/gen_history.py "$3" "$1" "$2"
  (cd "$3" && git config user.name Bench && git config user.email bench@example.test)
}

history 1 1000 "$work/one"
read -r t g < <(paired_ms "'$bin' -C '$work/one' log play-00000" "git -C '$work/one' log --raw --no-renames -- handoffs/play-00000")
r=$(ratio "$t" "$g")
echo "handoff log, one packet, $(git -C "$work/one" rev-list --count HEAD) commits: ${t} ms; git log --raw ${g} ms; ${r}x (goal <= 3x: $(verdict "$r" 3))"
history 100 10000 "$work/many"
read -r t g < <(paired_ms "'$bin' -C '$work/many' stats" "git -C '$work/many' log --raw --no-renames -- handoffs")
r=$(ratio "$t" "$g")
echo "handoff stats, 100 packets, $(git -C "$work/many" rev-list --count HEAD) commits: ${t} ms; git log --raw ${g} ms; ${r}x (goal <= 1.5x: $(verdict "$r" 1.5))"
echo "handoff check, same repo (with the sign-off audit): $(median_ms "$bin" -C "$work/many" check --today 2026-12-05) ms"

# 3. `handoff check` over 10,000 packets that all carry sign-offs, so the sign-off audit reads
#    the history of every packet.
python3 scripts/gen_packets.py 10000 "$work/signed"
for f in "$work"/signed/handoffs/*/handoff.md; do
  sed -i 's/^signoffs: \[\]$/signoffs:\n  - role: pm\n    by: Bench <bench@example.test>\n    at: "2026-12-01T10:00:00Z"\n    digest: sha256:0000000000000000000000000000000000000000000000000000000000000000/' "$f"
done
(cd "$work/signed" && git init -q -b main && git config user.name Bench && git config user.email bench@example.test \
   && git add -A && git commit -qm "10,000 signed packets")
echo "handoff check, 10,000 signed packets, audit on: $(median_ms "$bin" -C "$work/signed" check --today 2026-12-05 --format json) ms"

# 4. Scale (BENCH_SCALE=1): `stats` over 100 packets and 100,000 commits, with its peak memory.
if [ -n "${BENCH_SCALE:-}" ]; then
  history 100 100000 "$work/scale"
  /usr/bin/time -f "%e %M" -o "$work/t" "$bin" -C "$work/scale" stats >/dev/null
  read -r secs kib < "$work/t"
  own=$(python3 scripts/peak_mib.py "$bin" -C "$work/scale" stats)
  g=$(median_ms git -C "$work/scale" log --raw --no-renames -- handoffs)
  echo "handoff stats, 100 packets, 100,000 commits: ${secs} s; peak memory ${own} MiB of its own (goal <= 64 MiB: $(verdict "$own" 64)), $((kib / 1024)) MiB counting the git log it runs; git log --raw ${g} ms"
fi
