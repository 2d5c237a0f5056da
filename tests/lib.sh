# Shared by tests/run_all.sh and tests/run_checkers.sh: suite runners and totals.
BUILD_DIR=${BUILD_DIR:-build}
ASAN_DIR=${ASAN_DIR:-build-asan}
PYTHON=${PYTHON:-/usr/bin/python3}
WARN="-std=c99 -Wall -Wextra -pedantic"
VALGRIND="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99"
total_pass=0
total_fail=0
failures=""     # one line per failed check or suite, repeated above the total

note_failure() { failures="$failures
  $1"; }

# A failure that is no suite (a missing tool, a failed fuzz run): one failure.
fail() {
    echo "FAIL $1"; total_fail=$((total_fail + 1)); note_failure "$1"
}

# The failures again, just above the total, so the end of a long log names them.
print_failures() {
    [ -n "$failures" ] && printf 'Failed:%s\n' "$failures"
    return 0
}

# Runs a program that prints "N passed, N failed"; one that crashes or
# prints no such line counts as one failure.
run_suite() {
    local name=$1; shift
    echo "=== $name: $*"
    local out rc line p f
    out=$("$@" 2>&1); rc=$?
    printf '%s\n' "$out" | grep -Ev '^(PASS|ok) ' | tail -n 40
    line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
    if [ -z "$line" ]; then
        echo "--- $name: no result line (exit $rc): counted as 1 failure"
        note_failure "$name: no result line (exit $rc)"
        total_fail=$((total_fail + 1))
        return
    fi
    p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed*}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "--- $name: exit $rc with no failed test: counted as 1 failure"; fi
    echo "--- $name: $p passed, $f failed"
    if [ "$f" -ne 0 ]; then
        note_failure "$name: $f failed: $(printf '%s\n' "$out" | grep -E '^(FAIL|not ok)' | head -n 5 | tr '\n' ';')"
    fi
    total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
}

# A command that must succeed without printing a warning: one test.
check() {
    local name=$1; shift
    local log
    log=$(mktemp)
    if "$@" >"$log" 2>&1 && ! grep -q 'warning' "$log"; then
        echo "PASS $name"; total_pass=$((total_pass + 1))
    else
        echo "FAIL $name"; head -20 "$log"; total_fail=$((total_fail + 1)); note_failure "$name"
    fi
    rm -f "$log"
}

# Every test program and both integration suites under AddressSanitizer +
# UBSan (mode asan, the ASan build) or valgrind (mode valgrind, the normal build).
checker_suites() {
    local mode=$1 dir prefix label wrap
    if [ "$mode" = asan ]; then dir=$ASAN_DIR; prefix=""; label="ASan+UBSan"; wrap=""
    else dir=$BUILD_DIR; prefix=$VALGRIND; label="valgrind"; wrap=$VALGRIND; fi
    if [ "$mode" = asan ]; then
        for t in ws_rx url http dns eio_payload sio_packet json x509 proxy inflate queue client; do
            check "fuzz corpus + regressions replay under ASan: $t" "$dir/fuzz_${t}_replay" fuzz/corpus/$t fuzz/regressions/$t
        done
    fi
    run_suite "unit tests ($label)" $prefix "$dir/test_unit"
    run_suite "client tests ($label)" $prefix "$dir/test_client"
    run_suite "Socket.IO codec unit tests ($label)" $prefix "$dir/test_io_unit"
    run_suite "Socket.IO client tests ($label)" $prefix "$dir/test_io_client"
    run_suite "seeded simulation ($label)" $prefix "$dir/sim" 100001 "$([ "$mode" = asan ] && echo 2000 || echo 200)"
    run_suite "Socket.IO library against socket.io 4.8 ($label)" bash tests/run_io_live.sh $prefix "$dir/test_io_live"
    run_suite "messages and attachments in parts, 8 MiB each way against npm ws, Python websockets, socket.io, python-socketio ($label)" \
        bash tests/run_parts_live.sh $prefix "$dir/test_parts_live" 8
    run_suite "integration ($label sioc)" "$PYTHON" tests/integration.py --sioc "$dir/sioc" --wrapper "$wrap"
    run_suite "Socket.IO integration ($label sioc)" "$PYTHON" tests/integration_io.py --sioc "$dir/sioc" --wrapper "$wrap"
    run_suite "proxies ($label sioc)" "$PYTHON" tests/integration_proxy.py --sioc "$dir/sioc" --wrapper "$wrap"
}
