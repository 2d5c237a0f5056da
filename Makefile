# sio - build and test.  Honours CC, CFLAGS, LDFLAGS and BUILD_DIR.
CC ?= cc
BUILD_DIR ?= build
WARN = -std=c99 -Wall -Wextra -pedantic
CFLAGS ?= -O2 -g
ALL_CFLAGS = $(WARN) $(CFLAGS) -I.
PLATFORM_SRC = sio_impl_posix.c
PYTHON ?= /usr/bin/python3

all: $(BUILD_DIR)/sioc $(BUILD_DIR)/test_unit $(BUILD_DIR)/test_client $(BUILD_DIR)/echo_client

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

$(BUILD_DIR)/test_client: tests/test_client.c tests/test.h sio.h | $(BUILD_DIR)
	$(CC) $(ALL_CFLAGS) tests/test_client.c $(LDFLAGS) -o $@

.PHONY: all test demo clean bench
