#!/usr/bin/env bash
# Benchmark handoff against its floors, all in one run: `check` against the time to merely read
# the same files (and rumdl); `log` and `stats` against `git log --raw` reading the same history;
# `render --all` and `status` over large portfolios, with their peak memory.
#
#   scripts/bench.sh [N ...]        default: 10000        (BENCH_RUNS=5 rounds, medians;
#                                                         BENCH_CORPORA="lagging" for some only;
#                                                         BENCH_PARTS="check history portfolio"
#                                                         to run some parts only;
#                                                         BENCH_PORTFOLIO="10000 60000" sizes)
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
# BENCH_BIN=path times a build already made (and skips building).
if [ -z "${BENCH_BIN:-}" ]; then cargo build --release --quiet; fi
bin=$(realpath "${BENCH_BIN:-target/release/handoff}")
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
    sort -g "$work/times.$i" | awk -v name="${cmd%%=*}" '{t[NR]=$1; if ($2 > m) m = $2} END {print name, t[int((NR+1)/2)], int(m / 1024), t[1]}'
    rm -f "$work/times.$i"
    i=$((i + 1))
  done
}
# Whether part $1 of the benchmark runs (BENCH_PARTS, default all).
part() { [[ " ${BENCH_PARTS:-check history portfolio} " == *" $1 "* ]]; }
ratio() { awk "BEGIN{printf \"%.2f\", $1 / ($2 > 0 ? $2 : 0.01)}"; }
# "ok" when ratio $1 <= goal $2, else "MISSED".
verdict() { awk "BEGIN{print ($1 <= $2) ? \"ok\" : \"MISSED\"}"; }

part check && printf '%-8s %-8s %-28s %8s %6s %8s %8s %-14s\n' packets corpus what seconds MiB "x floor" "x rumdl" "goal"
part check && for n in "${sizes[@]}"; do
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
    while read -r name secs mib _; do t[$name]=$secs; m[$name]=$mib; done < <(rounds "${cmds[@]}")
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
if part check; then
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
fi

# History: `log` of one packet with 1,000 commits, and `stats` over 100 packets and 10,000
# commits (scripts/gen_history.py: commits edit answers, bodies and statuses and add sign-offs),
# each against `git log --raw --no-renames` listing the same history, its floor: handoff runs
# that very log, then reads the versions' texts with `git cat-file --batch` as it streams. Each
# pair runs in turns, timed from this shell (no shell started inside the timed span); the median
# and the best of the rounds are given.
pair_ms() { # A B: "medianA bestA medianB bestB" in ms over $runs rounds
  local s e
  : >"$work/pa"; : >"$work/pb"
  for _ in $(seq "$runs"); do
    s=$EPOCHREALTIME; sh -c "$1" >/dev/null 2>&1 || true; e=$EPOCHREALTIME; echo "$s $e" >>"$work/pa"
    s=$EPOCHREALTIME; sh -c "$2" >/dev/null 2>&1 || true; e=$EPOCHREALTIME; echo "$s $e" >>"$work/pb"
  done
  for f in "$work/pa" "$work/pb"; do
    awk '{print ($2 - $1) * 1000}' "$f" | sort -g | awk '{t[NR]=$1} END {printf "%.1f %.1f ", t[int((NR+1)/2)], t[1]}'
  done
  echo
}
if part history; then
  echo
  printf '%-40s %10s %10s %12s %12s %-16s\n' "history" "median ms" "best ms" "floor median" "x floor" "goal"
  hone="$work/history-one" hmany="$work/history-many"
  python3 scripts/gen_packets.py 1 "$hone" && python3 scripts/gen_history.py "$hone" 1 1000
  python3 scripts/gen_packets.py 100 "$hmany" && python3 scripts/gen_history.py "$hmany" 100 10000
  for what in log stats; do
    if [ "$what" = log ]; then
      label="log, one packet, 1,000 commits" goal=3
      a="exec '$bin' -C '$hone' log play-00000" b="exec git -C '$hone' log --raw --no-renames -- handoffs/play-00000"
    else
      label="stats, 100 packets, 10,000 commits" goal=1.5
      a="exec '$bin' -C '$hmany' stats" b="exec git -C '$hmany' log --raw --no-renames -- handoffs"
    fi
    read -r am ab bm bb < <(pair_ms "$a" "$b")
    r=$(ratio "$am" "$bm") rb=$(ratio "$ab" "$bb")
    printf '%-40s %10s %10s %12s %12s %-16s\n' "$label" "$am" "$ab" "$bm" "${r}x (best ${rb}x)" "<= ${goal}x $(verdict "$rb" "$goal")"
  done
  rm -rf "$hone" "$hmany"
fi

# Portfolios: `status` (table, JSON) and `render --all` (markdown pages and index) over N
# packets (60% failing, committed), with their peak memory, next to reading the files (`cat`) and
# `check --format json` on the same corpus. Time and memory grow in step with the packets. Each
# render writes into a new empty folder, and the sites are removed only after the last round: on
# an ext4 without a journal (as on this machine) files created within a minute of deleting many
# others take several times as long, which would time the file system's state, not handoff.
if part portfolio; then
  echo
  printf '%-8s %-34s %8s %6s %8s %8s %-30s\n' packets what seconds MiB "x cat" "x check" goal
  for n in ${BENCH_PORTFOLIO:-10000 60000}; do
    dir="$work/portfolio-$n"
    python3 scripts/gen_packets.py "$n" "$dir" 0.6
    (cd "$dir" && git init -q && git add -A && git -c user.name=bench -c user.email=bench@example.com commit -qm packets)
    find "$dir/handoffs" -type f -exec cat {} + >/dev/null
    declare -A t=() m=()
    while read -r name secs mib _; do t[$name]=$secs; m[$name]=$mib; done < <(rounds \
      "floor=find '$dir/handoffs' -type f -exec cat {} + > /dev/null" \
      "check='$bin' -C '$dir' check --today 2026-12-05 --format json" \
      "status='$bin' -C '$dir' status --today 2026-12-05" \
      "status_json='$bin' -C '$dir' status --today 2026-12-05 --format json" \
      "render=site=\$(mktemp -d -p '$work' site.XXXXXX) && '$bin' -C '$dir' render --all -o \"\$site\" --today 2026-12-05" \
      "render_html=site=\$(mktemp -d -p '$work' site.XXXXXX) && '$bin' -C '$dir' render --all --format html -o \"\$site\" --today 2026-12-05")
    prow() { # what, name, goal text
      printf '%-8s %-34s %8s %6s %8s %8s %-30s\n' "$n" "$1" "${t[$2]}" "${m[$2]}" "$(ratio "${t[$2]}" "${t[floor]}")" "$(ratio "${t[$2]}" "${t[check]}")" "$3"
    }
    prow "read floor (cat)" floor "-"
    prow "check --format json" check "-"
    prow "status" status "<= 100 MiB $(verdict "${m[status]}" 100)"
    prow "status --format json" status_json "<= 100 MiB $(verdict "${m[status_json]}" 100)"
    prow "render --all (markdown)" render "<= 60 s $(verdict "${t[render]}" 60), <= 300 MiB $(verdict "${m[render]}" 300)"
    prow "render --all --format html" render_html "<= 60 s $(verdict "${t[render_html]}" 60), <= 300 MiB $(verdict "${m[render_html]}" 300)"
    unset t m
    rm -rf "$dir" "$work"/site.*
  done
fi
