/* The limits a build sets at compile time (SIO_SMALL_TARGET, or the
 * SIO_DEFAULT_* macros the ESP-IDF and Zephyr ports take from Kconfig) are
 * the ones a client with a zeroed sio_config enforces.  Built several ways by
 * tests/check_ports.py; the limits must fit mem_platform's 1 MiB buffers. */
#define SIO_IMPLEMENTATION
#include "sio.h"
#include "test.h"
#include <stdlib.h>
#include "mem_platform.h"

#define MAX_MESSAGE ((size_t)SIO_DEFAULT_MAX_MESSAGE)
#define MAX_SEND_QUEUE ((size_t)SIO_DEFAULT_MAX_SEND_QUEUE)

static unsigned char payload[(1 << 20) - 16];

/* A binary message of n bytes in one frame from the server. */
static void server_binary(size_t n)
{
    unsigned char head[14];
    size_t h = sio_ws_encode_header(head, 1, SIO_WS_BINARY, (uint64_t)n, NULL);
    server_send(head, h);
    server_send(payload, n);
}

static void test_largest_message_is_the_default_max_message(void)
{
    sio_client *c = open_client(NULL);
    sio_event ev;
    CHECK(c != NULL);
    if (!c) return;
    server_binary(MAX_MESSAGE);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_MESSAGE);
    CHECK_INT(ev.len, MAX_MESSAGE);
    server_binary(MAX_MESSAGE + 1);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK_INT(ev.error, SIO_ERR_TOO_BIG);
    sio_destroy(c);
}

static void test_send_queue_is_the_default_max_send_queue(void)
{
    sio_client *c = open_client(NULL);
    CHECK(c != NULL);
    if (!c) return;
    CHECK_INT(sio_send_binary(c, payload, MAX_SEND_QUEUE - 64), SIO_OK);
    CHECK_INT(sio_send_binary(c, payload, 128), SIO_ERR_FULL);
    sio_destroy(c);
}

static void test_reads_stay_within_read_max(void)
{
    /* A stream of small messages: the receive buffer grows by reads of at
     * most SIO_READ_MAX, so it never holds much more than that. */
    sio_client *c = open_client(NULL);
    sio_event ev;
    size_t i, most = 0;
    CHECK(c != NULL);
    if (!c) return;
    for (i = 0; i < 2000; i++) server_binary(100);
    for (i = 0; i < 2000; i++) {
        if (poll_type(c, &ev) != SIO_EVENT_MESSAGE) break;
        if (sio_memory(c) > most) most = sio_memory(c);
    }
    CHECK_INT(i, 2000);
    printf("largest sio_memory while streaming: %lu\n", (unsigned long)most);
    CHECK(most < (size_t)SIO_READ_MAX * 2 + 16384);
    sio_destroy(c);
}

int main(void)
{
    memset(payload, 'x', sizeof payload);
    if (MAX_MESSAGE + 16 > sizeof payload || MAX_SEND_QUEUE > sizeof payload) {
        printf("test_profile: the limits must fit 1 MiB\n0 passed, 1 failed\n");
        return 1;
    }
    printf("limits: max_message %lu, max_send_queue %lu, read max %lu\n", (unsigned long)MAX_MESSAGE,
           (unsigned long)MAX_SEND_QUEUE, (unsigned long)SIO_READ_MAX);
    RUN(test_largest_message_is_the_default_max_message);
    RUN(test_send_queue_is_the_default_max_send_queue);
    RUN(test_reads_stay_within_read_max);
    return TEST_REPORT();
}
