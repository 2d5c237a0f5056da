# sio - build and test.  Honours CC, CFLAGS, LDFLAGS and BUILD_DIR.
CC ?= cc
BUILD_DIR ?= build
WARN = -std=c99 -Wall -Wextra -pedantic
CFLAGS ?= -O2 -g
ALL_CFLAGS = $(WARN) $(CFLAGS) -I.
PLATFORM_SRC = sio_impl_posix.c
PYTHON ?= /usr/bin/python3

all: $(BUILD_DIR)/sioc $(BUILD_DIR)/test_unit $(BUILD_DIR)/test_client $(BUILD_DIR)/test_io_unit $(BUILD_DIR)/test_io_client \
     $(BUILD_DIR)/test_io_live \
     $(BUILD_DIR)/echo_client $(BUILD_DIR)/incari_ws_nodes $(BUILD_DIR)/incari_nodes

$(BUILD_DIR):
	mkdir -p $(BUILD_DIR)

$(BUILD_DIR)/sio.o: $(PLATFORM_SRC) sio.h | $(BUILD_DIR)
	$(CC) $(ALL_CFLAGS) -c $(PLATFORM_SRC) -o $@

$(BUILD_DIR)/sioc: examples/sioc.c $(BUILD_DIR)/sio.o
	$(CC) $(ALL_CFLAGS) examples/sioc.c $(BUILD_DIR)/sio.o $(LDFLAGS) -o $@

$(BUILD_DIR)/echo_client: examples/echo_client.c $(BUILD_DIR)/sio.o
	$(CC) $(ALL_CFLAGS) examples/echo_client.c $(BUILD_DIR)/sio.o $(LDFLAGS) -o $@

$(BUILD_DIR)/test_unit: tests/test_unit.c tests/test.h $(BUILD_DIR)/sio.o
	$(CC) $(ALL_CFLAGS) tests/test_unit.c $(BUILD_DIR)/sio.o $(LDFLAGS) -o $@

$(BUILD_DIR)/test_client: tests/test_client.c tests/test.h tests/mem_platform.h sio.h | $(BUILD_DIR)
	$(CC) $(ALL_CFLAGS) tests/test_client.c $(LDFLAGS) -o $@

$(BUILD_DIR)/test_io_unit: tests/test_io_unit.c tests/test.h $(BUILD_DIR)/sio.o
	$(CC) $(ALL_CFLAGS) -Itests tests/test_io_unit.c $(BUILD_DIR)/sio.o $(LDFLAGS) -o $@

$(BUILD_DIR)/test_io_live: tests/test_io_live.c tests/test.h $(BUILD_DIR)/sio.o
	$(CC) $(ALL_CFLAGS) -Itests tests/test_io_live.c $(BUILD_DIR)/sio.o $(LDFLAGS) -o $@

$(BUILD_DIR)/test_io_client: tests/test_io_client.c tests/test.h tests/mem_platform.h sio.h | $(BUILD_DIR)
	$(CC) $(ALL_CFLAGS) -Itests tests/test_io_client.c $(LDFLAGS) -o $@


$(BUILD_DIR)/incari_ws_nodes: examples/incari_ws_nodes.c $(BUILD_DIR)/sio.o
	$(CC) $(ALL_CFLAGS) examples/incari_ws_nodes.c $(BUILD_DIR)/sio.o $(LDFLAGS) -o $@

$(BUILD_DIR)/incari_nodes: examples/incari_nodes.c $(BUILD_DIR)/sio.o
	$(CC) $(ALL_CFLAGS) examples/incari_nodes.c $(BUILD_DIR)/sio.o $(LDFLAGS) -o $@

$(BUILD_DIR)/bench_ws: bench/bench_ws.c $(BUILD_DIR)/sio.o
	$(CC) $(ALL_CFLAGS) bench/bench_ws.c $(BUILD_DIR)/sio.o $(LDFLAGS) -o $@

# The same programs with AddressSanitizer and UBSan, for the test run.
ASAN_DIR ?= build-asan
ASAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
asan:
	$(MAKE) BUILD_DIR=$(ASAN_DIR) CFLAGS="$(ASAN_FLAGS)" LDFLAGS="$(ASAN_FLAGS)" $(ASAN_DIR)/sioc $(ASAN_DIR)/test_unit $(ASAN_DIR)/test_client $(ASAN_DIR)/test_io_unit $(ASAN_DIR)/test_io_client $(ASAN_DIR)/test_io_live \
	  $(foreach t,$(FUZZ_TARGETS),$(ASAN_DIR)/fuzz_$(t)_replay)

node_modules: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch node_modules

test: all asan node_modules
	BUILD_DIR=$(BUILD_DIR) ASAN_DIR=$(ASAN_DIR) bash tests/run_all.sh

demo: $(BUILD_DIR)/sioc $(BUILD_DIR)/incari_ws_nodes $(BUILD_DIR)/incari_nodes node_modules
	BUILD_DIR=$(BUILD_DIR) bash examples/demo.sh

$(BUILD_DIR)/bench_io: bench/bench_io.c $(BUILD_DIR)/sio.o
	$(CC) $(ALL_CFLAGS) bench/bench_io.c $(BUILD_DIR)/sio.o $(LDFLAGS) -o $@

bench: $(BUILD_DIR)/bench_ws
	$(BUILD_DIR)/bench_ws

bench-io: $(BUILD_DIR)/bench_io node_modules
	BUILD_DIR=$(BUILD_DIR) bash bench/run_io.sh

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR)

# Fuzzing: libFuzzer harnesses in fuzz/; the same files build as plain
# replay programs so every compiler can re-run the corpora and regressions.
FUZZ_TARGETS = ws_rx url http
FUZZ_SECONDS ?= 30
$(BUILD_DIR)/fuzz_%_replay: fuzz/fuzz_%.c fuzz/replay_main.c $(BUILD_DIR)/sio.o
	$(CC) $(ALL_CFLAGS) fuzz/fuzz_$*.c fuzz/replay_main.c $(BUILD_DIR)/sio.o $(LDFLAGS) -o $@

fuzz-replay: $(foreach t,$(FUZZ_TARGETS),$(BUILD_DIR)/fuzz_$(t)_replay)
	@for t in $(FUZZ_TARGETS); do $(BUILD_DIR)/fuzz_$${t}_replay fuzz/corpus/$$t fuzz/regressions/$$t || exit 1; done

fuzz-smoke fuzz: | $(BUILD_DIR)
	@for t in $(FUZZ_TARGETS); do \
	  clang -g -O1 -fsanitize=fuzzer,address,undefined -I. fuzz/fuzz_$$t.c $(PLATFORM_SRC) -o $(BUILD_DIR)/fuzz_$$t || exit 1; \
	  mkdir -p $(BUILD_DIR)/corpus_$$t; \
	  $(BUILD_DIR)/fuzz_$$t -max_total_time=$(if $(filter fuzz,$@),3600,$(FUZZ_SECONDS)) -max_len=8192 \
	    -artifact_prefix=$(BUILD_DIR)/ $(BUILD_DIR)/corpus_$$t fuzz/corpus/$$t || exit 1; \
	done

.PHONY: all asan test demo bench bench-io clean fuzz fuzz-smoke fuzz-replay
