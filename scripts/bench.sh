#!/usr/bin/env bash
# Benchmark `handoff check` against the time to merely read the same files, and against rumdl.
#
#   scripts/bench.sh [N ...]        default: 10000        (BENCH_RUNS=5 rounds, medians;
#                                                         BENCH_CORPORA="lagging" for some only)
#
# For each N it generates four corpora of N packets (2 files each): one where every packet passes,
# one where 60% fail with four typical mistakes each (scripts/gen_packets.py), the failing one
# with a committed 90-day KPI series in one packet of ten (a third file each), and the failing one
# as a portfolio lags its kind after a few retros (two thirds of the packets one or two versions
# behind a kind at version 5). It prints the size of the human report of each. For each it
# reports the median wall time and peak memory of: reading every file (`cat`, the floor),
# `handoff check` with human output and with `--format json`, and rumdl when installed
# (`pip install rumdl`). The commands take turns, round after round, so that a slow moment of the
# machine falls on all of them alike; the ratios are of medians measured in this one run, next to
# the goals they are held to. Then one packet alone, 100 times, committed and not yet added to
# git; with BENCH_ONE_OF=10000, also one packet checked by name among that many committed ones.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin="$PWD/target/release/handoff"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000)
runs=${BENCH_RUNS:-5}

# Run each named command once per round, for $runs rounds; then print, per name, the median wall
# time (s) and the largest peak RSS (MiB). Commands are given as NAME=COMMAND strings for `sh -c`.
rounds() {
  local r i
  for r in $(seq "$runs"); do
    i=0
    for cmd in "$@"; do
      /usr/bin/time -f "%e %M" -o "$work/t" sh -c "${cmd#*=}" >/dev/null 2>&1 || true
      tail -n 1 "$work/t" >>"$work/times.$i"
      i=$((i + 1))
    done
  done
  i=0
  for cmd in "$@"; do
    sort -g "$work/times.$i" | awk -v name="${cmd%%=*}" '{t[NR]=$1; if ($2 > m) m = $2} END {print name, t[int((NR+1)/2)], int(m / 1024)}'
    rm -f "$work/times.$i"
    i=$((i + 1))
  done
}
ratio() { awk "BEGIN{printf \"%.2f\", $1 / ($2 > 0 ? $2 : 0.01)}"; }
# "ok" when ratio $1 <= goal $2, else "MISSED".
verdict() { awk "BEGIN{print ($1 <= $2) ? \"ok\" : \"MISSED\"}"; }

printf '%-8s %-8s %-28s %8s %6s %8s %8s %-14s\n' packets corpus what seconds MiB "x floor" "x rumdl" "goal"
for n in "${sizes[@]}"; do
  for corpus in ${BENCH_CORPORA:-passing failing series lagging}; do
    dir="$work/$corpus-$n"
    share=0; [ "$corpus" = passing ] || share=0.6
    series=0; [ "$corpus" = series ] && series=0.1
    lagging=0; [ "$corpus" = lagging ] && lagging=0.667
    python3 scripts/gen_packets.py "$n" "$dir" "$share" "$series" "$lagging"
    # As CI checks it out: committed. A copy whose files git does not track yet is timed too
    # (then `git ls-files` decides which files are part of each packet).
    cp -r "$dir" "$dir-new"
    (cd "$dir" && git init -q && git add -A && git -c user.name=bench -c user.email=bench@example.com commit -qm packets)
    (cd "$dir-new" && git init -q)
    find "$dir/handoffs" "$dir-new/handoffs" -type f -exec cat {} + >/dev/null  # warm the cache
    cmds=("floor=find '$dir/handoffs' -type f -exec cat {} + > /dev/null"
          "human='$bin' -C '$dir' check --today 2026-12-05"
          "json='$bin' -C '$dir' check --today 2026-12-05 --format json"
          "human_new='$bin' -C '$dir-new' check --today 2026-12-05"
          "json_new='$bin' -C '$dir-new' check --today 2026-12-05 --format json")
    if command -v rumdl >/dev/null; then
      cmds+=("rumdl=rumdl check --no-cache '$dir/handoffs'")
    fi
    declare -A t=() m=()
    while read -r name secs mib; do t[$name]=$secs; m[$name]=$mib; done < <(rounds "${cmds[@]}")
    vs() { [ -n "${t[rumdl]:-}" ] && ratio "$1" "${t[rumdl]}" || echo "-"; }
    row() { # what, name, goal-on-floor, goal-on-rumdl
      local r; r=$(ratio "${t[$2]}" "${t[floor]}")
      local goal="-"
      [ -n "$3" ] && goal="<= $3x $(verdict "$r" "$3")"
      if [ -n "$4" ] && [ -n "${t[rumdl]:-}" ]; then goal="$goal; <= $4x rumdl $(verdict "$(vs "${t[$2]}")" "$4")"; fi
      printf '%-8s %-8s %-28s %8s %6s %8s %8s %-14s\n' "$n" "$corpus" "$1" "${t[$2]}" "${m[$2]}" "$r" "$(vs "${t[$2]}")" "$goal"
    }
    printf '%-8s %-8s %-28s %8s %6s %8s %8s %-14s\n' "$n" "$corpus" "read floor (cat)" "${t[floor]}" "${m[floor]}" "1.00" "-" "-"
    row "handoff check (human)" human 1.5 0.2
    row "handoff check --format json" json 1.2 0.2
    row "  same, not added to git" human_new "" ""
    row "  same, json, not added" json_new "" ""
    if [ -n "${t[rumdl]:-}" ]; then
      printf '%-8s %-8s %-28s %8s %6s %8s %8s %-14s\n' "$n" "$corpus" "rumdl check" "${t[rumdl]}" "${m[rumdl]}" "$(ratio "${t[rumdl]}" "${t[floor]}")" "1.00" "-"
    fi
    for name in human json; do
      [ "${m[$name]}" -le 64 ] || echo "         peak memory of $name: ${m[$name]} MiB (goal <= 64 MiB: MISSED)"
    done
    errors=$("$bin" -C "$dir" check --today 2026-12-05 --format json | python3 -c 'import json,sys; s=json.load(sys.stdin)["summary"]; print("%d failing, %d errors" % (s["failed"], s["errors"]))' || true)
    size=$("$bin" -C "$dir" check --today 2026-12-05 2>/dev/null | wc -c || true)
    mb=$(awk "BEGIN{printf \"%.2f\", $size / 1048576}")
    echo "         human output: $mb MiB (goal < 5 MiB: $(awk "BEGIN{print ($mb < 5) ? \"ok\" : \"MISSED\"}"))"
    echo "         ($(find "$dir/handoffs" -type f | wc -l) files, $(( $(find "$dir/handoffs" -type f -exec cat {} + | wc -c) / 1048576 )) MiB, $errors)"
    unset t m
    rm -rf "$dir" "$dir-new"
  done
done

# One packet, many times: the per-packet latency an editor, a pre-commit hook or CI sees. A
# committed (or staged) packet is listed from git's index in-process; a packet with a file git
# does not track yet needs `git ls-files` to know whether an ignore rule covers it.
# Each run is timed on its own (bash's clock, no process started inside the timed span); the
# median of the runs is reported, as for the corpora, so that a slow moment of the machine does
# not stand for the tool.
median_ms() { # runs, command...
  local n=$1 start end
  shift
  : >"$work/ms"
  for _ in $(seq "$n"); do
    start=$EPOCHREALTIME
    "$@" >/dev/null 2>&1 || true
    end=$EPOCHREALTIME
    echo "$start $end" >>"$work/ms"
  done
  awk '{print ($2 - $1) * 1000}' "$work/ms" | sort -g | awk '{t[NR]=$1} END {printf "%.1f", t[int((NR+1)/2)]}'
}
one="$work/repo-1"
python3 scripts/gen_packets.py 1 "$one"
(cd "$one" && git init -q)
new_ms=$(median_ms 100 "$bin" -C "$one" check --today 2026-12-05)
(cd "$one" && git add -A && git -c user.name=bench -c user.email=bench@example.com commit -qm packet)
one_ms=$(median_ms 100 "$bin" -C "$one" check --today 2026-12-05)
goal="goal <= 3 ms: $(verdict "$one_ms" 3)"
if command -v rumdl >/dev/null; then
  echo "one packet, committed: handoff check ${one_ms} ms, rumdl $(median_ms 100 rumdl check --no-cache "$one/handoffs") ms (median of 100 runs; $goal)"
else
  echo "one packet, committed: handoff check ${one_ms} ms (median of 100 runs; $goal)"
fi
echo "one packet, not yet added to git: handoff check ${new_ms} ms (median of 100 runs; git lists it)"
# For scale: what starting any process costs on this machine.
echo "for scale: starting $(type -P true) takes $(median_ms 100 "$(type -P true)") ms here"
# `metrics pull` of 100 packets × 365 days from a SQLite file: the first pull writes every series,
# the second finds them unchanged.
pull="$work/repo-pull"
python3 scripts/gen_packets.py 100 "$pull"
python3 - "$pull" <<'PY'
import datetime, pathlib, sqlite3, sys
root = pathlib.Path(sys.argv[1])
(root / "data").mkdir()
db = sqlite3.connect(root / "data" / "kpis.db")
db.execute("create table kpi_daily (kpi text, day text, value real, primary key (kpi, day))")
first = datetime.date(2025, 12, 5)
for i in range(100):
    db.executemany("insert into kpi_daily values (?, ?, ?)",
                   [(f"play-{i:05d}", str(first + datetime.timedelta(days=k)), 10 + k % 7 / 10) for k in range(365)])
db.commit()
for d in (root / "handoffs").iterdir():
    p = d / "handoff.md"
    p.write_text(p.read_text().replace("  stability: ",
        f"  series:\n    source: warehouse\n    query: select day, value from kpi_daily where kpi = '{d.name}' and day between ?1 and ?2\n  stability: ", 1))
PY
# A year after day 0, the pull covers the whole year of days (the config copied from examples/
# names the SQLite source `warehouse`).
for f in "$pull"/handoffs/*/handoff.md; do sed -i 's/^day0: 2026-12-07$/day0: 2025-12-20/' "$f"; done
(cd "$pull" && git init -q)
start=$EPOCHREALTIME
"$bin" -C "$pull" metrics pull --today 2026-12-04 --quiet >/dev/null
first_ms=$(awk "BEGIN{printf \"%.0f\", ($EPOCHREALTIME - $start) * 1000}")
rows=$(cat "$pull"/handoffs/*/metrics/kpi.csv | grep -vc '^day,')
again_ms=$(median_ms 5 "$bin" -C "$pull" metrics pull --today 2026-12-04 --quiet)
echo "metrics pull, 100 packets from SQLite ($rows rows written): first ${first_ms} ms, unchanged ${again_ms} ms (median of 5; goal <= 1000 ms: $(verdict "$first_ms" 1000))"
rm -rf "$pull"
if [ -n "${BENCH_ONE_OF:-}" ]; then
  # One packet checked by name in a committed repository of BENCH_ONE_OF packets.
  big="$work/repo-big"
  python3 scripts/gen_packets.py "$BENCH_ONE_OF" "$big" 0.6
  (cd "$big" && git init -q && git add -A && git -c user.name=bench -c user.email=bench@example.com commit -qm packets)
  ids=("$big"/handoffs/*)
  id=$(basename "${ids[0]}")
  echo "one packet of $BENCH_ONE_OF, committed: handoff check $id $(median_ms 20 "$bin" -C "$big" check "$id" --today 2026-12-05) ms (median of 20 runs)"
  rm -rf "$big"
fi
