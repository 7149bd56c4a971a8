#!/usr/bin/env bash
# Compare what two builds of handoff print, byte for byte, on the examples and on a generated
# portfolio (a refactor must change nothing a user sees).
#
#   scripts/compare_outputs.sh OLD_BINARY NEW_BINARY
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Both run under the name `handoff`, so that a message naming the program reads the same.
mkdir -p "$work/old-bin" "$work/new-bin"
cp "$1" "$work/old-bin/handoff"
cp "$2" "$work/new-bin/handoff"
old=$work/old-bin/handoff new=$work/new-bin/handoff
cp -r examples "$work/examples"
(cd "$work/examples" && git init -q && git add -A && git -c user.name=Cmp -c user.email=cmp@example.test commit -qm examples)
python3 scripts/gen_packets.py 300 "$work/corpus" 0.6 0.1 0.667
(cd "$work/corpus" && git init -q && git add -A && git -c user.name=Cmp -c user.email=cmp@example.test commit -qm corpus)
# A history: 20 packets changed by 1,000 commits (answers, statuses, sign-offs), for log and stats.
python3 scripts/gen_packets.py 20 "$work/history" >/dev/null
python3 scripts/gen_history.py "$work/history" 20 1000 >/dev/null
differ=0 same=0
for repo in examples corpus history; do
  for cmd in "check" "check --format json" "check --format sarif" "check --format github" "check --quiet --deny-warnings" \
             "status" "status --format json" "stats" "stats --format json" "remind --within 14d" "render --all -o OUT" "render --all --format html -o OUT" \
             "log winback-email" "timeline winback-email" "kinds" "kinds gtm-play" "explain --markdown"; do
    for bin in old new; do
      b=$old; [ "$bin" = new ] && b=$new
      rm -rf "$work/OUT"
      # The commands that judge against a date are given one; the others take none.
      today=(--today 2026-12-05)
      case $cmd in log* | kinds* | explain*) today=() ;; esac
      # The history's packets are named play-NNNNN.
      [ "$repo" = history ] && cmd=${cmd//winback-email/play-00003}
      # shellcheck disable=SC2086
      (cd "$work/$repo" && "$b" ${cmd//OUT/$work/OUT} "${today[@]}" >"$work/$bin.out" 2>"$work/$bin.err"; echo "exit $?" >>"$work/$bin.out") || true
      if [ -d "$work/OUT" ]; then (cd "$work/OUT" && find . -type f | sort | xargs cat) >>"$work/$bin.out"; fi
    done
    if cmp -s "$work/old.out" "$work/new.out" && cmp -s "$work/old.err" "$work/new.err"; then
      same=$((same + 1))
    else
      differ=$((differ + 1)); echo "DIFFERS: $repo: handoff $cmd"; diff "$work/old.out" "$work/new.out" | head -5 || true
    fi
  done
done
echo "outputs compared: $same identical, $differ differ"
[ "$differ" = 0 ]
