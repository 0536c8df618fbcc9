#!/usr/bin/env bash
# Instructions per check, counted by valgrind's callgrind: unlike times, the
# counts do not move with the load on a shared machine.
#
#     bash benches/instructions.sh [S|M|L|V]    (default M; needs valgrind)
#
# Runs each `check/*` benchmark once (criterion's test mode) on one size and
# divides the instructions spent inside the batch loop by its 100,000
# questions. Workload V (a product's catalog at M's counts) has only the
# `check/by_user` row.
set -euo pipefail
cd "$(dirname "$0")/.."
size="${1:-M}"
batch=100000

cargo bench --bench check --no-run --quiet
bench="$(cargo bench --bench check --no-run --message-format=json 2>/dev/null |
    sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)"

names="by_user by_session testing_session"
if [ "$size" = V ]; then
    names="by_user"
fi

for name in $names; do
    collected="$(CALLGATE_SIZES="$size" valgrind --tool=callgrind \
        --toggle-collect='*check_users*' --toggle-collect='*check_sessions*' \
        --callgrind-out-file=/dev/null "$bench" "check/$name/$size" 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p' | sort -n | tail -n 1)"
    awk -v name="$name" -v size="$size" -v n="$collected" -v batch="$batch" \
        'BEGIN { printf "check/%s/%s: %.1f instructions per check\n", name, size, n / batch }'
done
