#!/bin/sh
# The Arduino library (ESP32 boards): sh tools/package_arduino.sh OUTDIR
# writes OUTDIR/sio/ (library.properties, src/, LICENSE), ready to zip or to
# copy into ~/Arduino/libraries.  Arduino compiles every .c file under src/
# and takes no compiler options from a library, so the package's sio.h
# starts with the choices the other ports make in their build files: the
# small-target limits and the mbedTLS backend of the ESP32 core.
set -eu
cd "$(dirname "$0")/.."
out=${1:?usage: sh tools/package_arduino.sh OUTDIR}
lib="$out/sio"
rm -rf "$lib"
mkdir -p "$lib/src"
cp ports/arduino/library.properties LICENSE README.md "$lib/"
{
    printf '/* sio for Arduino (ESP32): small-target limits and the mbedTLS backend. */\n'
    printf '#ifndef SIO_SMALL_TARGET\n#define SIO_SMALL_TARGET 1\n#endif\n'
    printf '#ifndef SIO_WITH_MBEDTLS\n#define SIO_WITH_MBEDTLS 1\n#endif\n'
    cat sio.h
} > "$lib/src/sio.h"
cp sio_impl_lwip.c ports/esp-idf/sio_esp32_hooks.c "$lib/src/"
echo "$lib"
