# sio - build and test.  Honours CC, CFLAGS, LDFLAGS and BUILD_DIR; the
# platform file and its libraries follow the compiler's target, so
#     make CC=x86_64-w64-mingw32-gcc BUILD_DIR=build-win      (or: make win)
# cross-builds the Windows programs without touching the native build.
CC ?= cc
BUILD_DIR ?= build
WARN = -std=c99 -Wall -Wextra -pedantic
CFLAGS ?= -O2 -g
ALL_CFLAGS = $(WARN) $(CFLAGS) -I.
PYTHON ?= /usr/bin/python3

# TLS backend: by default BearSSL when the compiler finds it (Debian libbearssl-dev), and one line
# saying so when it does not; make TLS=bearssl insists on it, make TLS=none leaves it out (wss://
# and https:// are then refused with "TLS not available", never sent in plaintext).
TLS ?= auto
ifeq ($(TLS),auto)
  TLS := $(shell printf '\043include <bearssl.h>\nint main(void){br_sha256_context c; br_sha256_init(&c); return 0;}\n' \
           | $(CC) $(CPPFLAGS) $(CFLAGS) -x c - $(LDFLAGS) -lbearssl -o /dev/null >/dev/null 2>&1 && echo bearssl || echo none)
  ifeq ($(TLS),none)
    $(info sio: building without TLS (BearSSL not found by $(CC): apt-get install libbearssl-dev); wss:// and https:// will be refused. TLS=none silences this line.)
  endif
endif
ifeq ($(TLS),bearssl)
  TLS_DEFINE = -DSIO_WITH_BEARSSL
  TLS_LIBS = -lbearssl
endif
# make TLS=openssl: the OpenSSL backend instead (Debian libssl-dev; TLS 1.3).
ifeq ($(TLS),openssl)
  TLS_DEFINE = -DSIO_WITH_OPENSSL
  TLS_LIBS = -lssl -lcrypto
endif
# make TLS=mbedtls: the mbedTLS backend (Debian libmbedtls-dev 2.28).
ifeq ($(TLS),mbedtls)
  TLS_DEFINE = -DSIO_WITH_MBEDTLS
  TLS_LIBS = -lmbedtls -lmbedx509 -lmbedcrypto
endif
ALL_CFLAGS += $(TLS_DEFINE)

TARGET := $(shell $(CC) -dumpmachine 2>/dev/null)
ifneq (,$(findstring mingw,$(TARGET)))
  PLATFORM_SRC = sio_impl_win32.c
  PLATFORM_LIBS = -lws2_32 -lbcrypt -liphlpapi $(TLS_LIBS) $(if $(TLS_LIBS),-lcrypt32)
  EXE = .exe
else
  PLATFORM_SRC = sio_impl_posix.c
  PLATFORM_LIBS = $(TLS_LIBS)
  EXE =
endif

EXAMPLES = sioc echo_client incari_ws_nodes incari_nodes tls_custom_backend loadgen sim_test
LIB_TESTS = test_unit test_io_unit test_io_live test_parts_live test_tls_hook test_tls_engine   # link the library object
SELF_TESTS = test_client test_io_client sim test_sim             # compile the implementation with an in-memory platform
BENCHES = bench_ws bench_io bench_mem bench_tcp soak

all: $(foreach p,$(EXAMPLES) $(LIB_TESTS) $(SELF_TESTS),$(BUILD_DIR)/$(p)$(EXE))

# sio.h is built from the parts under src/ (the order is src/PARTS); edit
# those, not sio.h.  `make amalgamate` rebuilds it; make test checks it is fresh.
sio.h: src/PARTS $(wildcard src/*.h src/*.c) tools/amalgamate.sh
	sh tools/amalgamate.sh

amalgamate:
	sh tools/amalgamate.sh

$(BUILD_DIR):
	mkdir -p $(BUILD_DIR)

# The flags the build was made with: a change (TLS found or not, CFLAGS) rebuilds everything.
$(BUILD_DIR)/flags: FORCE | $(BUILD_DIR)
	@echo '$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(PLATFORM_LIBS)' | cmp -s - $@ || echo '$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(PLATFORM_LIBS)' >$@
FORCE:

$(BUILD_DIR)/sio.o: $(PLATFORM_SRC) sio.h $(BUILD_DIR)/flags | $(BUILD_DIR)
	$(CC) $(ALL_CFLAGS) -c $(PLATFORM_SRC) -o $@

$(EXAMPLES:%=$(BUILD_DIR)/%$(EXE)): $(BUILD_DIR)/%$(EXE): examples/%.c $(BUILD_DIR)/sio.o
	$(CC) $(ALL_CFLAGS) $< $(BUILD_DIR)/sio.o $(LDFLAGS) $(PLATFORM_LIBS) -o $@

$(LIB_TESTS:%=$(BUILD_DIR)/%$(EXE)): $(BUILD_DIR)/%$(EXE): tests/%.c tests/test.h tests/tls_backend.h $(BUILD_DIR)/sio.o
	$(CC) $(ALL_CFLAGS) -Itests $< $(BUILD_DIR)/sio.o $(LDFLAGS) $(PLATFORM_LIBS) -o $@

$(SELF_TESTS:%=$(BUILD_DIR)/%$(EXE)): $(BUILD_DIR)/%$(EXE): tests/%.c tests/test.h tests/mem_platform.h sio_sim.h sio.h $(BUILD_DIR)/flags | $(BUILD_DIR)
	$(CC) $(ALL_CFLAGS) -Itests $< $(LDFLAGS) $(TLS_LIBS) -o $@

$(BUILD_DIR)/sim_test$(EXE): sio_sim.h

# The seeded simulator (tests/sim.c, built with the self-tests): make sim runs 20,000 seeds,
# make sim SEED=n replays one with its trace, make sim-long runs a million and reports seeds/s.
sim: $(BUILD_DIR)/sim$(EXE)
	$(BUILD_DIR)/sim$(EXE) $(if $(SEED),$(SEED),1 20000)

sim-long: $(BUILD_DIR)/sim$(EXE)
	$(BUILD_DIR)/sim$(EXE) 1 1000000

$(BENCHES:%=$(BUILD_DIR)/%$(EXE)): $(BUILD_DIR)/%$(EXE): bench/%.c bench/bench_clock.h $(BUILD_DIR)/sio.o
	$(CC) $(ALL_CFLAGS) $< $(BUILD_DIR)/sio.o $(LDFLAGS) $(PLATFORM_LIBS) -o $@

# Windows programs, cross-built with mingw-w64 (run them with wine).
WIN_CC ?= x86_64-w64-mingw32-gcc
win:
	$(MAKE) CC=$(WIN_CC) TLS=none BUILD_DIR=build-win all build-win/test_win_platform.exe

# The Windows platform's own hooks (resolver, WSAPoll poller): tests/run_win_platform.sh
$(BUILD_DIR)/test_win_platform.exe: tests/test_win_platform.c tests/test.h $(BUILD_DIR)/sio.o
	$(CC) $(ALL_CFLAGS) -Itests $< $(BUILD_DIR)/sio.o $(LDFLAGS) $(PLATFORM_LIBS) -o $@

# A microcontroller: Cortex-M3 (thumb, -Os) with picolibc, run under qemu-system-arm (the MPS2
# AN385 board, 16 MiB of RAM) with semihosting for output and the exit status: the unit tests
# (examples/port_template.c as the platform), the in-memory client tests and the simulator.
# Debian: gcc-arm-none-eabi picolibc-arm-none-eabi qemu-system-arm.  tests/run_cortex_m.sh runs one.
CM_CC ?= arm-none-eabi-gcc
CM_DIR ?= build-cortex-m
CM_FLAGS = $(WARN) -Werror -Os -g -mcpu=cortex-m3 -mthumb -DSIO_TEST_SMALL_TARGET -I. -Itests \
  --specs=picolibc.specs --oslib=semihost --crt0=semihost -T picolibc.ld \
  -Wl,--defsym=__flash=0 -Wl,--defsym=__flash_size=0x400000 \
  -Wl,--defsym=__ram=0x21000000 -Wl,--defsym=__ram_size=0x1000000 -Wl,--defsym=__stack_size=0x10000
CM_PROGRAMS = test_unit test_client test_io_client sim
cortex-m: $(CM_PROGRAMS:%=$(CM_DIR)/%.elf)
$(CM_DIR)/test_unit.elf: tests/test_unit.c tests/test.h examples/port_template.c sio.h
	mkdir -p $(CM_DIR)
	$(CM_CC) $(CM_FLAGS) tests/test_unit.c examples/port_template.c -o $@
$(CM_DIR)/test_client.elf $(CM_DIR)/test_io_client.elf $(CM_DIR)/sim.elf: $(CM_DIR)/%.elf: tests/%.c tests/test.h tests/mem_platform.h sio_sim.h sio.h
	mkdir -p $(CM_DIR)
	$(CM_CC) $(CM_FLAGS) $< -o $@

# The lwIP platform (sio_impl_lwip.c) against an lwIP stack in the test process (Debian
# liblwip-dev: its lwipopts.h has NO_SYS 0, poll and no DNS module): a WebSocket,
# Socket.IO and DNS peer on lwIP sockets, nothing on the host's network.
LWIP_INCLUDE ?= /usr/include/lwip
lwip: $(BUILD_DIR)/test_lwip$(EXE)
$(BUILD_DIR)/test_lwip$(EXE): tests/test_lwip.c sio_impl_lwip.c tests/test.h sio.h
	@mkdir -p $(BUILD_DIR)
	$(CC) $(WARN) -Werror $(CFLAGS) -I. -Itests -I$(LWIP_INCLUDE) tests/test_lwip.c -o $@ -llwip -lpthread

# The embedded packages (ports/, zephyr/module.yml, library.json): manifests, Kconfig -> build ->
# limits (tests/test_profile.c), the ports' CMake under stand-ins (Debian python3-kconfiglib, python3-yaml).
ports:
	/usr/bin/python3 tests/check_ports.py

# The deepest stack of each public call on Cortex-M3 (-Os, thumb), from GCC's call graph with
# stack usage (tools/stack_depth.py): each is held to 2 KiB (sio_poll's path is printed); the
# platform's hooks and the allocator are the integrator's and not counted.
STACK_ENTRIES = sio_create sio_start sio_stop sio_destroy sio_join sio_leave sio_emit_ex sio_ack sio_send_text \
  sio_send_part sio_send_end
stack: examples/port_template.c sio.h
	mkdir -p $(CM_DIR)/stack
	cd $(CM_DIR)/stack && $(CM_CC) $(WARN) -Os -mcpu=cortex-m3 -mthumb --specs=picolibc.specs -I$(CURDIR) -fcallgraph-info=su \
	  -c $(CURDIR)/examples/port_template.c -o port_template.o
	$(PYTHON) tools/stack_depth.py --max 2048 --entry sio_poll $(CM_DIR)/stack/port_template.ci
	$(PYTHON) tools/stack_depth.py --brief --max 2048 $(STACK_ENTRIES:%=--entry %) $(CM_DIR)/stack/port_template.ci

# The same programs with AddressSanitizer and UBSan, for the test run.
ASAN_DIR ?= build-asan
# Every UBSan report halts the run (float-cast-overflow is not in gcc's "undefined" set).
ASAN_FLAGS = -O1 -g -fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer -fno-sanitize-recover=all
asan:
	$(MAKE) BUILD_DIR=$(ASAN_DIR) CFLAGS="$(ASAN_FLAGS)" LDFLAGS="$(ASAN_FLAGS)" $(ASAN_DIR)/sioc $(ASAN_DIR)/test_unit $(ASAN_DIR)/test_client $(ASAN_DIR)/test_io_unit $(ASAN_DIR)/test_io_client $(ASAN_DIR)/sim $(ASAN_DIR)/test_io_live $(ASAN_DIR)/test_parts_live \
	  $(foreach t,$(FUZZ_TARGETS),$(ASAN_DIR)/fuzz_$(t)_replay)

# The registry sometimes times out: try three times before giving up.
node_modules: package.json package-lock.json
	npm ci --no-audit --no-fund || { sleep 10; npm ci --no-audit --no-fund; } || { sleep 30; npm ci --no-audit --no-fund; }
	touch node_modules

test: all asan node_modules
	BUILD_DIR=$(BUILD_DIR) ASAN_DIR=$(ASAN_DIR) bash tests/run_all.sh

# The sanitizer and valgrind parts of `make test` on their own.
check-asan: asan node_modules
	ASAN_DIR=$(ASAN_DIR) bash tests/run_checkers.sh asan

check-valgrind: all node_modules
	BUILD_DIR=$(BUILD_DIR) bash tests/run_checkers.sh valgrind

demo: $(BUILD_DIR)/sioc $(BUILD_DIR)/incari_ws_nodes $(BUILD_DIR)/incari_nodes node_modules
	BUILD_DIR=$(BUILD_DIR) bash examples/demo.sh

bench: $(BUILD_DIR)/bench_ws
	$(BUILD_DIR)/bench_ws
	$(CC) -std=c99 -O2 -DSIO_NO_SIMD -I. bench/bench_ws.c sio_impl_posix.c -o $(BUILD_DIR)/bench_ws_nosimd
	$(BUILD_DIR)/bench_ws_nosimd | grep mask
	if grep -qw avx2 /proc/cpuinfo 2>/dev/null; then \
	  $(CC) -std=c99 -O2 -mavx2 -I. bench/bench_ws.c sio_impl_posix.c -o $(BUILD_DIR)/bench_ws_avx2 && \
	  $(BUILD_DIR)/bench_ws_avx2 | grep mask; fi

size:
	bash bench/code_size.sh

bench-mem: $(BUILD_DIR)/bench_mem node_modules
	BUILD_DIR=$(BUILD_DIR) bash bench/run_mem.sh

# 10,000 Socket.IO clients for an hour, the server killed and restarted every ten minutes
soak: $(BUILD_DIR)/soak node_modules
	/usr/bin/python3 bench/run_soak.py --build $(BUILD_DIR)

bench-io: $(BUILD_DIR)/bench_io $(BUILD_DIR)/bench_tcp node_modules
	BUILD_DIR=$(BUILD_DIR) bash bench/run_io.sh

bench-sioc: $(BUILD_DIR)/sioc node_modules
	BUILD_DIR=$(BUILD_DIR) bash bench/run_sioc.sh

bench-echo: $(BUILD_DIR)/sioc node_modules
	BUILD_DIR=$(BUILD_DIR) bash bench/run_echo.sh

# zlib (Debian zlib1g-dev) is linked by this benchmark only, as the baseline.
bench-tls: node_modules
	bash bench/run_tls.sh

bench-deflate: bench/bench_deflate.c bench/bench_clock.h sio.h | $(BUILD_DIR)
	$(CC) -std=c99 -O2 -I. bench/bench_deflate.c sio_impl_posix.c -lz -o $(BUILD_DIR)/bench_deflate
	$(BUILD_DIR)/bench_deflate

# make install PREFIX=/usr/local: libsio.a, sio.h, sio_sim.h, sioc and a pkg-config file.
PREFIX ?= /usr/local
VERSION = 0.2.1
$(BUILD_DIR)/libsio.a: $(BUILD_DIR)/sio.o
	$(AR) rcs $@ $(BUILD_DIR)/sio.o

install: $(BUILD_DIR)/libsio.a $(BUILD_DIR)/sioc$(EXE)
	mkdir -p $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/bin
	cp sio.h sio_sim.h $(DESTDIR)$(PREFIX)/include/
	cp $(BUILD_DIR)/libsio.a $(DESTDIR)$(PREFIX)/lib/
	cp $(BUILD_DIR)/sioc$(EXE) $(DESTDIR)$(PREFIX)/bin/
	sed -e 's|@prefix@|$(PREFIX)|; s|@libdir@|$${prefix}/lib|; s|@includedir@|$${prefix}/include|' \
	    -e 's|@PROJECT_VERSION@|$(VERSION)|; s|@SIO_PC_LIBS@|$(PLATFORM_LIBS)|; s|@SIO_PC_CFLAGS@|$(TLS_DEFINE)|' sio.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/sio.pc

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(CM_DIR) build-win build-i386 build-s390x build-arm

# Fuzzing: libFuzzer harnesses in fuzz/; the same files build as plain
# replay programs so every compiler (and valgrind) can re-run the corpora.
# fuzz_client compiles the implementation itself, with the in-memory platform.
FUZZ_LIB_TARGETS = ws_rx url http dns eio_payload sio_packet json x509 proxy inflate queue
FUZZ_TARGETS = $(FUZZ_LIB_TARGETS) client
FUZZ_SECONDS ?= 30
$(FUZZ_LIB_TARGETS:%=$(BUILD_DIR)/fuzz_%_replay): $(BUILD_DIR)/fuzz_%_replay: fuzz/fuzz_%.c fuzz/replay_main.c $(BUILD_DIR)/sio.o
	$(CC) $(ALL_CFLAGS) $< fuzz/replay_main.c $(BUILD_DIR)/sio.o $(LDFLAGS) $(PLATFORM_LIBS) -o $@

$(BUILD_DIR)/fuzz_client_replay: fuzz/fuzz_client.c fuzz/replay_main.c tests/mem_platform.h sio_sim.h sio.h $(BUILD_DIR)/flags | $(BUILD_DIR)
	$(CC) $(ALL_CFLAGS) -Itests fuzz/fuzz_client.c fuzz/replay_main.c $(LDFLAGS) $(TLS_LIBS) -o $@

fuzz-replay: $(foreach t,$(FUZZ_TARGETS),$(BUILD_DIR)/fuzz_$(t)_replay)
	@for t in $(FUZZ_TARGETS); do $(BUILD_DIR)/fuzz_$${t}_replay fuzz/corpus/$$t fuzz/regressions/$$t || exit 1; done

# make fuzz-smoke: every harness for FUZZ_SECONDS under libFuzzer + ASan/UBSan;
# make fuzz: an hour each.  AFL++ can drive the same files (afl-clang-fast with
# fuzz/replay_main.c replaced by AFL's libFuzzer driver, -lAFLDriver... see fuzz/README.md).
fuzz-smoke fuzz: | $(BUILD_DIR)
	@for t in $(FUZZ_TARGETS); do \
	  src=fuzz/fuzz_$$t.c; extra=$(PLATFORM_SRC); [ $$t = client ] && extra=; \
	  clang -g -O1 -fsanitize=fuzzer,address,undefined,float-cast-overflow -fno-sanitize-recover=all -I. -Itests $$src $$extra -o $(BUILD_DIR)/fuzz_$$t || exit 1; \
	  mkdir -p $(BUILD_DIR)/corpus_$$t; \
	  $(BUILD_DIR)/fuzz_$$t -max_total_time=$(if $(filter fuzz,$@),3600,$(FUZZ_SECONDS)) -max_len=8192 \
	    -dict=fuzz/sio.dict -artifact_prefix=$(BUILD_DIR)/ $(BUILD_DIR)/corpus_$$t fuzz/corpus/$$t || exit 1; \
	done

.PHONY: FORCE soak sim sim-long cortex-m lwip ports stack all amalgamate asan test check-asan check-valgrind demo bench bench-io bench-sioc bench-echo bench-deflate bench-tls bench-mem size clean fuzz fuzz-smoke fuzz-replay win install
