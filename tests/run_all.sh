#!/usr/bin/env bash
# Runs every test suite and prints one total "N passed, N failed" line.
# Each suite prints its own "N passed, N failed"; a suite that crashes or
# prints no such line counts as one failure.
#   BUILD_DIR (default build)  ASAN_DIR (default build-asan)
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh

check "sio.h is the amalgamation of src/ (sh tools/amalgamate.sh --check)" sh tools/amalgamate.sh --check
check "layers: no parser uses the client side, no engine the client, no cycle between parts (tools/layers.py --check)" "$PYTHON" tools/layers.py --check
check "sio.h with #line directives into src/ (-DSIO_SOURCE_LINES) compiles" gcc $WARN -DSIO_SOURCE_LINES -O2 -c sio_impl_posix.c -o /dev/null
check "gcc -std=c99 -Wall -Wextra -pedantic" gcc $WARN -O2 -c sio_impl_posix.c -o /dev/null
if command -v clang >/dev/null; then
    check "clang -std=c99 -Wall -Wextra -pedantic" clang $WARN -O2 -c sio_impl_posix.c -o /dev/null
fi
check "g++ -std=c++11 (header implementation as C++)" g++ -x c++ -std=c++11 -Wall -Wextra -pedantic -O2 -c sio_impl_posix.c -o /dev/null
check "g++ -std=c++11 (header declarations from C++)" g++ -x c++ -std=c++11 -Wall -Wextra -pedantic -I. -fsyntax-only tests/test_cpp_include.cpp
check "examples build" make -s "BUILD_DIR=$BUILD_DIR" "$BUILD_DIR/echo_client" "$BUILD_DIR/incari_ws_nodes" "$BUILD_DIR/bench_ws"

run_suite "unit tests" "$BUILD_DIR/test_unit"
run_suite "client tests, WebSocket-only build (SIO_NO_SOCKETIO, no warnings)" sh -c \
    "gcc $WARN -Wshadow -Werror -DSIO_NO_SOCKETIO -I. -Itests tests/test_client.c -o '$BUILD_DIR/test_client_ws_only' && '$BUILD_DIR/test_client_ws_only'"
run_suite "client tests (in-memory platform)" "$BUILD_DIR/test_client"
run_suite "client tests, build without proxies (SIO_NO_PROXY, no warnings)" sh -c \
    "gcc $WARN -Wshadow -Werror -DSIO_NO_PROXY -I. -Itests tests/test_client.c -o '$BUILD_DIR/test_client_no_proxy' && '$BUILD_DIR/test_client_no_proxy'"
run_suite "client tests, build without permessage-deflate (SIO_NO_DEFLATE, no warnings)" sh -c \
    "gcc $WARN -Wshadow -Werror -DSIO_NO_DEFLATE -I. -Itests tests/test_client.c -o '$BUILD_DIR/test_client_no_deflate' && '$BUILD_DIR/test_client_no_deflate'"
run_suite "Socket.IO codec unit tests" "$BUILD_DIR/test_io_unit"
run_suite "Socket.IO client tests (in-memory platform)" "$BUILD_DIR/test_io_client"
run_suite "seeded simulation: the client against the server model with faults, 5000 seeds (make sim SEED=n replays one)" \
    "$BUILD_DIR/sim" 1 5000
run_suite "sio_sim.h's own promises (split handshakes, limits, heartbeat, restarts, replay)" "$BUILD_DIR/test_sim"
run_suite "sio_sim.h as a program uses it: an application's resend policy under 200 seeds of faults (examples/sim_test.c)" \
    "$BUILD_DIR/sim_test" 1 200
run_suite "integration (real peers, hostile server)" "$PYTHON" tests/integration.py --sioc "$BUILD_DIR/sioc"
run_suite "Socket.IO library against socket.io 4.8" bash tests/run_io_live.sh "$BUILD_DIR/test_io_live"
run_suite "messages and attachments in parts: 64 MiB each way against npm ws, Python websockets, socket.io, python-socketio (3 MiB up) in under 64 KiB of heap" \
    bash tests/run_parts_live.sh "$BUILD_DIR/test_parts_live"
run_suite "Socket.IO library, smallest build (SIO_NO_POLLING SIO_NO_DNS, no warnings) against socket.io 4.8" sh -c \
    "gcc $WARN -Wshadow -Werror -DSIO_NO_POLLING -DSIO_NO_DNS -I. -Itests tests/test_io_live.c sio_impl_posix.c -o '$BUILD_DIR/test_io_live_small' && bash tests/run_io_live.sh '$BUILD_DIR/test_io_live_small'"
run_suite "Socket.IO integration (socket.io, python-socketio, fake servers; sioc's default transport: polling, then upgrade)" "$PYTHON" tests/integration_io.py --sioc "$BUILD_DIR/sioc"
run_suite "Socket.IO integration over WebSocket only" "$PYTHON" tests/integration_io.py --sioc "$BUILD_DIR/sioc" --transport websocket
run_suite "Socket.IO integration over HTTP long-polling only" "$PYTHON" tests/integration_io.py --sioc "$BUILD_DIR/sioc" --transport polling
run_suite "proxies (tinyproxy, microsocks, dante, recording and hostile proxies; WebSocket and Socket.IO on every transport)" "$PYTHON" tests/integration_proxy.py --sioc "$BUILD_DIR/sioc"

# The same again under ASan+UBSan, then under valgrind (make check-asan / check-valgrind alone).
checker_suites asan
if command -v valgrind >/dev/null; then
    checker_suites valgrind
else
    fail "valgrind missing (.ci/run installs it)"
fi

# Fuzzing smoke run: every libFuzzer harness for FUZZ_SECONDS (20) under ASan+UBSan.
if command -v clang >/dev/null; then
    for t in ws_rx url http dns eio_payload sio_packet json x509 proxy inflate queue client; do
        fuzz_smoke() { make -s fuzz-smoke FUZZ_TARGETS="$1" FUZZ_SECONDS="${FUZZ_SECONDS:-20}" BUILD_DIR=build-fuzz >"$2" 2>&1; }
        log=$(mktemp)
        if fuzz_smoke "$t" "$log"; then
            echo "PASS fuzz smoke: $t ($(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1))"; total_pass=$((total_pass + 1))
        else
            fail "fuzz smoke: $t"; grep -E 'ERROR|SUMMARY|artifact' "$log" | head -10
        fi
        rm -f "$log"
    done
fi

# TLS: the plug-in interface end to end with a custom (pass-through) backend,
# then the BearSSL build against Node https servers (certificates made by
# openssl at test time): verification failures, mutual TLS, 16 MiB both ways,
# Socket.IO over https; once more under valgrind for the TLS code's memory.
run_suite "TLS plug-in interface: a custom backend end to end" bash tests/run_tls_custom.sh "$BUILD_DIR/tls_custom_backend"
if [ -f /usr/include/bearssl.h ]; then
    check "make finds BearSSL by itself (TLS=auto: -DSIO_WITH_BEARSSL, -lbearssl)" sh -c \
        "make -n -B BUILD_DIR=build-probe build-probe/sioc | grep -q -- '-DSIO_WITH_BEARSSL.*-lbearssl'"
    check "without BearSSL, make says so in one line and builds without TLS" sh -c \
        "out=\$(make -n -B CC='gcc -nostdinc' BUILD_DIR=build-probe build-probe/sio.o) &&
         [ \"\$(printf '%s\n' \"\$out\" | grep -c 'building without TLS')\" = 1 ] && ! printf '%s' \"\$out\" | grep -q SIO_WITH_BEARSSL"
    check "TLS build: make TLS=bearssl BUILD_DIR=build-tls (no warnings)" make -s TLS=bearssl BUILD_DIR=build-tls all
    check "build without TLS: make TLS=none BUILD_DIR=build-notls (no warnings)" \
        make -s TLS=none BUILD_DIR=build-notls build-notls/sioc build-notls/test_client
    run_suite "client tests without a TLS backend (wss:// refused by sio_create)" build-notls/test_client
    check "BearSSL backend compiles as C++11 and under -Wshadow -Wconversion" sh -c \
        "g++ -x c++ -std=c++11 -Wall -Wextra -pedantic -DSIO_WITH_BEARSSL -c sio_impl_posix.c -o /dev/null &&
         gcc $WARN -Wshadow -Wconversion -DSIO_WITH_BEARSSL -c sio_impl_posix.c -o /dev/null"
    run_suite "client tests with the BearSSL backend compiled in" build-tls/test_client
    run_suite "TLS (BearSSL) against Node https servers" "$PYTHON" tests/integration_tls.py --sioc build-tls/sioc --sioc-plain build-notls/sioc
    run_suite "TLS (BearSSL), sioc under valgrind" "$PYTHON" tests/integration_tls.py --sioc build-tls/sioc --sioc-plain build-notls/sioc --wrapper "$VALGRIND"
    check "make demo (the README's first command): Socket.IO, WebSocket, then verified wss:// and https://" sh -c \
        "make -s BUILD_DIR='$BUILD_DIR' demo >'$BUILD_DIR/demo.log' 2>&1 &&
         grep -q '\"data\":\"hello over wss\"' '$BUILD_DIR/demo.log' &&
         grep -q 'TLS, verified' '$BUILD_DIR/demo.log' && grep -q 'certificate chain is not trusted' '$BUILD_DIR/demo.log' &&
         grep -q 'On Socket.IO Start\|On Start' '$BUILD_DIR/demo.log' || { tail -30 '$BUILD_DIR/demo.log'; exit 1; }"
else
    fail "TLS: libbearssl-dev missing (.ci/run installs it)"
fi

# The OpenSSL backend (make TLS=openssl): the same TLS tests (BearSSL's policy
# relaxations aside), TLS 1.3, and once more under valgrind.
if [ -f /usr/include/openssl/ssl.h ]; then
    check "OpenSSL build: make TLS=openssl BUILD_DIR=build-ossl (no warnings)" make -s TLS=openssl BUILD_DIR=build-ossl all
    check "OpenSSL backend compiles as C++11 and under -Wshadow -Wconversion -Wsign-conversion" sh -c \
        "g++ -x c++ -std=c++11 -Wall -Wextra -pedantic -Werror -DSIO_WITH_OPENSSL -c sio_impl_posix.c -o '$BUILD_DIR/ossl_cpp.o' &&
         gcc $WARN -Werror -Wshadow -Wconversion -Wsign-conversion -DSIO_WITH_OPENSSL -c sio_impl_posix.c -o '$BUILD_DIR/ossl_c.o'"
    run_suite "client tests with the OpenSSL backend compiled in" build-ossl/test_client
    run_suite "TLS (OpenSSL) against Node https servers" "$PYTHON" tests/integration_tls.py --backend openssl --sioc build-ossl/sioc --sioc-plain build-notls/sioc
    run_suite "TLS (OpenSSL), sioc under valgrind" "$PYTHON" tests/integration_tls.py --backend openssl --sioc build-ossl/sioc --sioc-plain build-notls/sioc --wrapper "$VALGRIND"
else
    fail "TLS: libssl-dev missing (.ci/run installs it)"
fi

# The mbedTLS backend (make TLS=mbedtls; Debian's 2.28): the same TLS tests,
# TLS 1.3-only servers refused as with BearSSL, and once more under valgrind.
if [ -f /usr/include/mbedtls/ssl.h ]; then
    check "mbedTLS build: make TLS=mbedtls BUILD_DIR=build-mbed (no warnings)" make -s TLS=mbedtls BUILD_DIR=build-mbed all
    check "mbedTLS backend compiles as C++11 and under -Wshadow -Wconversion -Wsign-conversion" sh -c \
        "g++ -x c++ -std=c++11 -Wall -Wextra -pedantic -Werror -DSIO_WITH_MBEDTLS -c sio_impl_posix.c -o '$BUILD_DIR/mbed_cpp.o' &&
         gcc $WARN -Werror -Wshadow -Wconversion -Wsign-conversion -DSIO_WITH_MBEDTLS -c sio_impl_posix.c -o '$BUILD_DIR/mbed_c.o'"
    run_suite "client tests with the mbedTLS backend compiled in" build-mbed/test_client
    run_suite "TLS (mbedTLS) against Node https servers" "$PYTHON" tests/integration_tls.py --backend mbedtls --sioc build-mbed/sioc --sioc-plain build-notls/sioc
    run_suite "TLS (mbedTLS), sioc under valgrind" "$PYTHON" tests/integration_tls.py --backend mbedtls --sioc build-mbed/sioc --sioc-plain build-notls/sioc --wrapper "$VALGRIND"
else
    fail "TLS: libmbedtls-dev missing (.ci/run installs it)"
fi

# Portability: stricter warnings, tcc, a porting template, the unit and
# in-memory client tests on 32-bit x86, big-endian s390x and 32-bit ARM
# (cross-compiled, run under qemu-user), and the packaging routes.
check "gcc -Wshadow -Wconversion -Wsign-conversion (no warnings)" gcc $WARN -Wshadow -Wconversion -Wsign-conversion -O2 -c sio_impl_posix.c -o /dev/null
if command -v clang >/dev/null; then
    check "clang -Wshadow -Wconversion (no warnings)" clang $WARN -Wshadow -Wconversion -O2 -c sio_impl_posix.c -o /dev/null
fi
check "examples/port_template.c (imaginary RTOS platform) compiles" gcc $WARN -I. -c examples/port_template.c -o /dev/null
if command -v tcc >/dev/null; then
    run_suite "unit tests built with tcc" sh -c "tcc -I. -Itests tests/test_unit.c sio_impl_posix.c -o '$BUILD_DIR/tcc_test_unit' && '$BUILD_DIR/tcc_test_unit'"
    run_suite "Socket.IO client tests built with tcc" sh -c "tcc -I. -Itests tests/test_io_client.c -o '$BUILD_DIR/tcc_test_io_client' && '$BUILD_DIR/tcc_test_io_client'"
else
    fail "tcc missing (.ci/run installs it)"
fi
for target in i686-linux-gnu:i386 s390x-linux-gnu:s390x arm-linux-gnueabihf:arm; do
    tri=${target%%:*}; q=${target##*:}
    if ! command -v "$tri-gcc" >/dev/null || ! command -v "qemu-$q" >/dev/null; then
        fail "$tri-gcc or qemu-$q missing (.ci/run installs them)"; continue
    fi
    check "cross-build for $tri (make CC=$tri-gcc BUILD_DIR=build-$q, sioc included)" \
        make -s CC="$tri-gcc" BUILD_DIR="build-$q" all
    for t in test_unit test_client test_io_unit test_io_client; do
        run_suite "$t on $q (qemu-user)" "qemu-$q" -L "/usr/$tri" "build-$q/$t"
    done
done
if command -v arm-linux-gnueabihf-gcc >/dev/null && command -v qemu-arm >/dev/null; then
    run_suite "unit tests on arm with NEON masking (-mfpu=neon, qemu-user)" sh -c \
        "mkdir -p build-arm && arm-linux-gnueabihf-gcc $WARN -Werror -O2 -mfpu=neon -I. -Itests tests/test_unit.c sio_impl_posix.c -o build-arm/test_unit_neon && qemu-arm -L /usr/arm-linux-gnueabihf build-arm/test_unit_neon"
fi
if grep -qw avx2 /proc/cpuinfo 2>/dev/null; then
    run_suite "unit tests with AVX2 masking (-mavx2)" sh -c \
        "gcc $WARN -Werror -O2 -mavx2 -I. -Itests tests/test_unit.c sio_impl_posix.c -o '$BUILD_DIR/test_unit_avx2' && '$BUILD_DIR/test_unit_avx2'"
fi
# A microcontroller: Cortex-M3 with picolibc under qemu-system-arm (make cortex-m).
if command -v arm-none-eabi-gcc >/dev/null && command -v qemu-system-arm >/dev/null; then
    check "Cortex-M3 build: unit tests, in-memory client tests, simulator (arm-none-eabi-gcc -Os -mthumb, picolibc, -Werror)" \
        make -s cortex-m
    run_suite "unit tests on Cortex-M3 (qemu-system-arm, semihosting)" bash tests/run_cortex_m.sh build-cortex-m/test_unit.elf
    run_suite "client tests on Cortex-M3 (qemu-system-arm)" bash tests/run_cortex_m.sh build-cortex-m/test_client.elf
    run_suite "Socket.IO client tests on Cortex-M3 (qemu-system-arm)" bash tests/run_cortex_m.sh build-cortex-m/test_io_client.elf
    run_suite "seeded simulation on Cortex-M3, 300 seeds (qemu-system-arm)" bash tests/run_cortex_m.sh build-cortex-m/sim.elf 1 300
    check "stack on Cortex-M3: every public call at most 2 KiB deep, no recursion (make stack)" make -s stack
else
    fail "Cortex-M3: arm-none-eabi-gcc or qemu-system-arm missing (.ci/run installs gcc-arm-none-eabi, picolibc-arm-none-eabi, qemu-system-arm)"
fi
# The lwIP platform, over an lwIP stack in the test process (make lwip).
if [ -f /usr/include/lwip/lwip/sockets.h ]; then
    check "lwIP platform (sio_impl_lwip.c) compiles: -Wshadow -Wconversion -Wsign-conversion, clang, C++" sh -c \
        "gcc $WARN -Werror -Wshadow -Wconversion -Wsign-conversion -I/usr/include/lwip -c sio_impl_lwip.c -o '$BUILD_DIR/lwip_c.o' &&
         g++ -x c++ -std=c++11 -Wall -Wextra -Werror -I/usr/include/lwip -c sio_impl_lwip.c -o '$BUILD_DIR/lwip_cpp.o' &&
         { ! command -v clang >/dev/null || clang $WARN -Werror -Wshadow -Wconversion -I/usr/include/lwip -c sio_impl_lwip.c -o '$BUILD_DIR/lwip_clang.o'; }"
    check "lwIP platform test builds (make lwip, -Werror)" make -s "BUILD_DIR=$BUILD_DIR" lwip
    run_suite "lwIP platform: WebSocket, Socket.IO and DNS over an lwIP stack in one process" timeout 120 "$BUILD_DIR/test_lwip"
else
    fail "lwIP platform: liblwip-dev missing (.ci/run installs it)"
fi
run_suite "packaging (CMake add_subdirectory and find_package, pkg-config, make install)" bash tests/packaging.sh
# The embedded packages: manifests, Kconfig -> configuration header -> build and limits, the ports'
# CMake files under stand-ins (ESP-IDF, Zephyr, PlatformIO and Arduino themselves are not here).
run_suite "embedded packages: ESP-IDF, Zephyr, PlatformIO, Arduino (tests/check_ports.py)" "$PYTHON" tests/check_ports.py

# Windows: the mingw-w64 cross build, its tests under wine, and sioc.exe
# against the same real servers (echo up to 16 MiB, keys from the system
# CSPRNG, a Socket.IO exchange with acks and binary).
WINE=${WINE:-/usr/lib/wine/wine64}
if command -v x86_64-w64-mingw32-gcc >/dev/null && [ -x "$WINE" ]; then
    export WINEDEBUG=-all
    check "Windows cross-build: make win (mingw-w64, -std=c99 -Wall -Wextra -pedantic, no warnings)" make -s win
    for t in test_unit test_client test_io_unit test_io_client; do
        run_suite "Windows $t.exe under wine" "$WINE" "build-win/$t.exe"
    done
    run_suite "Windows platform hooks under wine (resolver without blocking, WSAPoll sio_set)" \
        env WINE="$WINE" bash tests/run_win_platform.sh build-win/test_win_platform.exe
    run_suite "Windows sioc.exe under wine: WebSocket" "$PYTHON" tests/integration.py --sioc build-win/sioc.exe \
        --wrapper "$WINE" -k ws_text_echo_1,ws_text_echo_utf8,ws_binary_echo_0,ws_binary_echo_65536,ws_binary_echo_16mib,ws_fragmented_receive,ws_stdin_eof_closes,hostile_masking_keys,connection_refused,hostile_masked_closes_1002,hostile_invalid_utf8_closes_1007
    run_suite "Windows sioc.exe under wine: Socket.IO" "$PYTHON" tests/integration_io.py --sioc build-win/sioc.exe \
        --wrapper "$WINE" -k io_connect_root,io_event_args_nested_json_round_trip,io_ack_for_client_emit,io_binary_to_server_echoed_byte_exact,io_binary_from_server_byte_exact_nested,io_server_ack_request_answered_with_ack_reply,py_events_both_ways,dns_
else
    fail "Windows: x86_64-w64-mingw32-gcc or $WINE missing (.ci/run installs mingw-w64 and wine64)"
fi

print_failures
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
