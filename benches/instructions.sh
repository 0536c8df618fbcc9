#!/usr/bin/env bash
# Instructions per check, counted by valgrind's callgrind: unlike times, the
# counts do not move with the load on a shared machine.
#
#     bash benches/instructions.sh [S|M|L|V|M+pr|L+pr|M+ends]    (default M; needs valgrind)
#
# Runs each `check/*` benchmark once (criterion's test mode) on one size and
# divides the instructions spent inside the batch loop by its 100,000
# questions. Workload V (a product's catalog at M's counts) has only the
# `check/by_user` row. A workload with roles within projects (M+pr, L+pr)
# has `check/by_user` (the plain size's questions), `check/within_project`
# (only users holding a role within a project, about objects of that
# project), and `check/within_project` of the plain size (the same
# questions, where those users hold none).
set -euo pipefail
cd "$(dirname "$0")/.."
size="${1:-M}"
batch=100000

# M+ends (grants with an end, DOMAIN rule 24) has its own bench file, with
# the plain size's row built alike next to it.
target=check
case "$size" in *+ends) target=grant_ends ;; esac
cargo bench --bench "$target" --no-run --quiet
bench="$(cargo bench --bench "$target" --no-run --message-format=json 2>/dev/null |
    sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)"

sizes="$size"
rows="by_user/$size by_session/$size testing_session/$size"
case "$size" in
V) rows="by_user/V" ;;
*+ends)
    sizes="${size%+ends}"
    rows="by_user/$sizes by_user/$size"
    ;;
*+pr)
    plain="${size%+pr}"
    sizes="$plain,$size"
    rows="by_user/$size within_project/$size within_project/$plain"
    ;;
esac

for row in $rows; do
    # Criterion's filter is a regex: escape `+`, and anchor it so that
    # `within_project/M` does not also run `within_project/M+pr`.
    filter="^check/${row//+/\\+}\$"
    collected="$(CALLGATE_SIZES="$sizes" valgrind --tool=callgrind \
        --toggle-collect='*check_users*' --toggle-collect='*check_sessions*' \
        --callgrind-out-file=/dev/null "$bench" "$filter" 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p' | sort -n | tail -n 1)"
    awk -v row="$row" -v n="$collected" -v batch="$batch" \
        'BEGIN { printf "check/%s: %.1f instructions per check\n", row, n / batch }'
done
