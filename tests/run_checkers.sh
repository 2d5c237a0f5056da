#!/usr/bin/env bash
# make check-asan / make check-valgrind: the whole suite under one checker.
#   tests/run_checkers.sh asan|valgrind
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
checker_suites "${1:-asan}"
print_failures
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
