#!/usr/bin/env bash
# Runs one Cortex-M3 test program (make cortex-m) under qemu-system-arm with
# semihosting: its output on stdout, its exit status as ours.
#   tests/run_cortex_m.sh build-cortex-m/test_unit.elf [args...]
set -u
elf=$1; shift
cfg="enable=on,target=native"
for a in "$@"; do cfg="$cfg,arg=$a"; done
exec timeout 900 qemu-system-arm -M mps2-an385 -cpu cortex-m3 -nographic -monitor none -serial none \
    -semihosting-config "$cfg" -kernel "$elf"
