#!/usr/bin/env bash
# CMake (find_package after install, and add_subdirectory), pkg-config and
# make install PREFIX=... consumers.  Prints "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
root=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
step() {
    local name=$1; shift
    if "$@" >"$tmp/log" 2>&1; then echo "PASS $name"; pass=$((pass + 1))
    else echo "FAIL $name"; tail -20 "$tmp/log"; fail=$((fail + 1)); fi
}
step "cmake build + install" sh -c "cmake -S '$root' -B '$tmp/b' -DCMAKE_INSTALL_PREFIX='$tmp/p' >/dev/null &&
    cmake --build '$tmp/b' >/dev/null && cmake --install '$tmp/b' >/dev/null && test -f '$tmp/p/include/sio.h' && test -f '$tmp/p/include/sio_sim.h'"
step "find_package(sio) consumer" sh -c "cmake -S tests/cmake_consumer -B '$tmp/c1' -DCMAKE_PREFIX_PATH='$tmp/p' >/dev/null &&
    cmake --build '$tmp/c1' >/dev/null && '$tmp/c1/consumer'"
step "add_subdirectory(sio) consumer" sh -c "cmake -S tests/cmake_consumer -B '$tmp/c2' -DSIO_SOURCE_DIR='$root' >/dev/null &&
    cmake --build '$tmp/c2' >/dev/null && '$tmp/c2/consumer'"
step "pkg-config consumer (cmake install)" sh -c "cc tests/cmake_consumer/main.c \$(PKG_CONFIG_PATH='$tmp/p/lib/pkgconfig' pkg-config --cflags --libs sio) -o '$tmp/pc' && '$tmp/pc'"
step "make install PREFIX=... + pkg-config consumer" sh -c "make -s install PREFIX='$tmp/m' BUILD_DIR='$tmp/mb' >/dev/null &&
    cc tests/cmake_consumer/main.c \$(PKG_CONFIG_PATH='$tmp/m/lib/pkgconfig' pkg-config --cflags --libs sio) -o '$tmp/pm' && '$tmp/pm' &&
    test -x '$tmp/m/bin/sioc'"
if [ -f /usr/include/bearssl.h ]; then     # found, so every route builds with TLS (SIO_TLS=AUTO, make's TLS=auto)
    step "consumers get the BearSSL backend (CMake, pkg-config, make install)" sh -c \
        "'$tmp/c1/consumer' | grep -q BearSSL && '$tmp/c2/consumer' | grep -q BearSSL && '$tmp/pc' | grep -q BearSSL && '$tmp/pm' | grep -q BearSSL"
fi
step "CMake with SIO_TLS=OPENSSL: find_package and pkg-config consumers get the OpenSSL backend" sh -c \
    "cmake -S '$root' -B '$tmp/o' -DSIO_TLS=OPENSSL -DCMAKE_INSTALL_PREFIX='$tmp/op' >/dev/null &&
     cmake --build '$tmp/o' >/dev/null && cmake --install '$tmp/o' >/dev/null &&
     cmake -S tests/cmake_consumer -B '$tmp/oc' -DCMAKE_PREFIX_PATH='$tmp/op' >/dev/null &&
     cmake --build '$tmp/oc' >/dev/null && '$tmp/oc/consumer' | grep -q OpenSSL &&
     cc tests/cmake_consumer/main.c \$(PKG_CONFIG_PATH='$tmp/op/lib/pkgconfig' pkg-config --cflags --libs sio) -o '$tmp/opc' &&
     '$tmp/opc' | grep -q OpenSSL"
step "CMake with SIO_TLS=MBEDTLS: the installed library's consumer gets the mbedTLS backend" sh -c \
    "cmake -S '$root' -B '$tmp/mb' -DSIO_TLS=MBEDTLS -DCMAKE_INSTALL_PREFIX='$tmp/mp' >/dev/null &&
     cmake --build '$tmp/mb' >/dev/null && cmake --install '$tmp/mb' >/dev/null &&
     cc tests/cmake_consumer/main.c \$(PKG_CONFIG_PATH='$tmp/mp/lib/pkgconfig' pkg-config --cflags --libs sio) -o '$tmp/mpc' &&
     '$tmp/mpc' | grep -q mbedTLS"
step "CMake with SIO_TLS=NONE builds without TLS" sh -c "cmake -S '$root' -B '$tmp/n' -DSIO_TLS=NONE >/dev/null &&
    cmake --build '$tmp/n' >/dev/null && ! grep -q SIO_WITH_BEARSSL '$tmp/n/sio.pc'"
if command -v meson >/dev/null; then
    step "meson build (-Dwerror=true, warning_level 3) + meson test (unit, codec, in-memory clients, simulator)" sh -c \
        "meson setup '$tmp/meson' '$root' -Dwerror=true --prefix='$tmp/mp2' >/dev/null && ninja -C '$tmp/meson' >/dev/null &&
         meson test -C '$tmp/meson' >/dev/null"
    step "meson install + pkg-config consumer" sh -c "meson install -C '$tmp/meson' >/dev/null &&
        pc=\$(find '$tmp/mp2' -name sio.pc) && cc tests/cmake_consumer/main.c \$(PKG_CONFIG_PATH=\$(dirname \$pc) pkg-config --cflags --libs sio) \
        -Wl,-rpath,\$(dirname \$(dirname \$pc)) -o '$tmp/mesonpc' && '$tmp/mesonpc'"
    step "meson -Dtls=openssl: the tests pass with the OpenSSL backend" sh -c \
        "meson setup '$tmp/meson-o' '$root' -Dtls=openssl -Dwerror=true >/dev/null && ninja -C '$tmp/meson-o' >/dev/null &&
         meson test -C '$tmp/meson-o' >/dev/null"
    step "meson -Dtls=mbedtls: the tests pass with the mbedTLS backend" sh -c \
        "meson setup '$tmp/meson-m' '$root' -Dtls=mbedtls -Dwerror=true >/dev/null && ninja -C '$tmp/meson-m' >/dev/null &&
         meson test -C '$tmp/meson-m' >/dev/null"
else
    echo "FAIL meson missing (.ci/run installs it)"; fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
