#!/usr/bin/env bash
# Instructions per operation, counted by valgrind's callgrind: unlike times,
# the counts do not move with the load on a shared machine.
#
#     bash benches/instructions.sh [S|M|L|V|M+pr|L+pr|M+ends]    (default M; needs valgrind)
#
# Runs each `check/*` benchmark once (criterion's test mode) on one size and
# divides the instructions spent inside the batch loop by its 100,000
# questions. A plain size (S, M, L) also gets the rows around the check:
# `explain` (per question, a batch of 1,000), `visible_objects` (per object
# listed; the bench prints how many a batch lists), and from
# `benches/service.rs` `names/user_by_name` and `names/resource_by_name`
# (per lookup, 100,000 a batch). Workload V (a product's catalog at M's counts) has only the
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

# Runs one benchmark of `$1` (an executable) under callgrind, counting only
# inside the functions `$3...`; prints callgrind's and the bench's output.
counted() {
    local exe="$1" filter="$2"
    shift 2
    local toggles=()
    for f in "$@"; do toggles+=("--toggle-collect=*$f*"); done
    CALLGATE_SIZES="$sizes" valgrind --tool=callgrind "${toggles[@]}" \
        --callgrind-out-file=/dev/null "$exe" "$filter" 2>&1
}

# The instructions callgrind collected, from `counted`'s output.
collected() {
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p' | sort -n | tail -n 1
}

per() { # ROW INSTRUCTIONS DIVISOR UNIT
    awk -v row="$1" -v n="$2" -v d="$3" -v unit="$4" \
        'BEGIN { printf "%s: %.1f instructions per %s\n", row, n / d, unit }'
}

for row in $rows; do
    # Criterion's filter is a regex: escape `+`, and anchor it so that
    # `within_project/M` does not also run `within_project/M+pr`.
    filter="^check/${row//+/\\+}\$"
    n="$(counted "$bench" "$filter" check_users check_sessions | collected)"
    per "check/$row" "$n" "$batch" check
done

case "$size" in S | M | L) ;; *) exit 0 ;; esac

n="$(counted "$bench" "^explain/$size\$" explain_all | collected)"
per "explain/$size" "$n" 1000 question
out="$(counted "$bench" "^visible_objects/$size\$" list_visible)"
listed="$(sed -n "s/^visible_objects\/$size: \([0-9]*\) objects.*/\1/p" <<<"$out")"
per "visible_objects/$size" "$(collected <<<"$out")" "$listed" "object listed"

cargo bench --bench service --no-run --quiet
service="$(cargo bench --bench service --no-run --message-format=json 2>/dev/null |
    sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)"
for lookup in user_by_name:users_by_name resource_by_name:resources_by_name; do
    n="$(counted "$service" "^names/${lookup%%:*}/$size\$" "${lookup##*:}" | collected)"
    per "names/${lookup%%:*}/$size" "$n" "$batch" lookup
done
