/* A 64 MiB binary message sent and received in parts through a real
 * WebSocket echo server (npm ws, Python websockets), with the client's
 * heap measured by a counting allocator and sio_memory().
 * Against a socket.io server (an http:// URL), a 64 MiB attachment.
 *     test_parts_live ws://127.0.0.1:PORT/echo [MIB]   (tests/run_parts_live.sh starts the servers)
 *     [SIO_UPLOAD_MIB=N] test_parts_live http://127.0.0.1:PORT/ [MIB]   (N: the MiB sent, when less) */
#include "sio.h"
#include "test.h"
#include <stdlib.h>

static const char *url;
static size_t total = (size_t)64 << 20;

typedef struct counted { size_t live, peak; } counted;

/* Every allocation with its size in front, so the live bytes are known. */
static void *counting_realloc(void *user, void *ptr, size_t size)
{
    counted *k = (counted *)user;
    size_t *p = ptr ? (size_t *)ptr - 1 : NULL, old = p ? *p : 0;
    if (size == 0) {
        k->live -= old;
        free(p);
        return NULL;
    }
    p = (size_t *)realloc(p, sizeof(size_t) + size);
    if (!p) return NULL;
    k->live += size - old;
    if (k->live > k->peak) k->peak = k->live;
    *p = size;
    return p + 1;
}

/* Byte i of the message: not periodic in any power of two, so a part
 * delivered at the wrong offset shows. */
static unsigned char pattern(uint64_t i) { return (unsigned char)(i * 131 + (i >> 13) * 7 + (i >> 21)); }

static void test_64_mib_each_way_in_little_heap(void)
{
    sio_config cfg;
    sio_client *c = NULL;
    sio_event ev;
    counted k = { 0, 0 };
    unsigned char part[4096];
    size_t sent = 0, got = 0, most = 0, bad_at = (size_t)-1, parts = 0;
    int opened = 0, ended = 0, finals = 0, closed = 0, loops = 0;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = url;
    cfg.receive_parts = 1;
    cfg.max_send_queue = 16 * 1024;            /* the parts wait for the socket, not in memory */
    cfg.allocator.realloc = counting_realloc;
    cfg.allocator.user = &k;
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    CHECK_INT(sio_start(c), SIO_OK);
    while (!closed && loops++ < 10000000) {
        int r = sio_poll(c, &ev, opened && sent < total ? 0 : 50);
        if (r == 1) {
            if (ev.type == SIO_EVENT_OPEN) {
                opened = 1;
                CHECK_INT(sio_send_begin(c, 1), SIO_OK);
            } else if (ev.type == SIO_EVENT_MESSAGE) {
                size_t i;
                CHECK(ev.binary && ev.offset == got);
                for (i = 0; i < ev.len && bad_at == (size_t)-1; i++)
                    if (ev.data[i] != pattern(ev.offset + i)) bad_at = (size_t)ev.offset + i;
                got += ev.len;
                parts++;
                if (ev.final) {
                    finals++;
                    sio_stop(c);
                }
            } else if (ev.type == SIO_EVENT_CLOSE) {
                closed = 1;
                if (!finals) fprintf(stderr, "  closed early: %d %s\n", ev.code, ev.reason);
            } else if (ev.type == SIO_EVENT_ERROR) {
                fprintf(stderr, "  error: %s\n", ev.message);
            }
        }
        while (opened && sent < total) {          /* as many parts as the queue takes now */
            size_t n = total - sent < sizeof part ? total - sent : sizeof part, i;
            for (i = 0; i < n; i++) part[i] = pattern(sent + i);
            if (sio_send_part(c, part, n) != SIO_OK) break;
            sent += n;
            if (sent == total) {
                CHECK_INT(sio_send_end(c), SIO_OK);
                ended = 1;
            }
        }
        if (sio_memory(c) > most) most = sio_memory(c);
    }
    CHECK(opened && ended && closed);
    CHECK(sent == total);
    CHECK(got == total);
    CHECK_INT(finals, 1);
    CHECK(bad_at == (size_t)-1);
    CHECK(k.peak < 64 * 1024);
    CHECK(most < 64 * 1024);
    printf("# %s: %lu MiB each way in %lu parts received; peak heap %lu bytes (counting allocator), "
           "sio_memory at most %lu\n", url, (unsigned long)(total >> 20), (unsigned long)parts,
           (unsigned long)k.peak, (unsigned long)most);
    sio_destroy(c);
    CHECK_INT(k.live, 0);
}

/* Socket.IO: a 64 MiB attachment from a socket.io server received in parts
 * (ATTACHMENT events), then one sent in parts (the server acks its length
 * and the first wrong byte), with the same bound on the client's heap. */
static void test_io_64_mib_attachment_in_little_heap(void)
{
    sio_config cfg;
    sio_client *c = NULL;
    sio_event ev;
    counted k = { 0, 0 };
    size_t got = 0, most = 0, bad_at = (size_t)-1, parts = 0, sent = 0, up = total;
    int events = 0, finals = 0, closed = 0, loops = 0, sending = 0, acked = 0;
    char args[64], want[96];
    unsigned char part[4096];
    sio_emit_options upload;
    memset(&upload, 0, sizeof upload);
    upload.event = "upload";
    upload.args = "[{\"_placeholder\":true,\"num\":0}]";
    upload.attachment_count = 1;
    upload.ack = 1;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = url;
    cfg.mode = SIO_MODE_SOCKETIO;
    cfg.reconnect = SIO_RECONNECT_OFF;
    cfg.receive_parts = 1;
    cfg.max_send_queue = 16 * 1024;            /* the parts wait for the socket, not in memory */
    cfg.allocator.realloc = counting_realloc;
    cfg.allocator.user = &k;
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    CHECK_INT(sio_start(c), SIO_OK);
    snprintf(args, sizeof args, "[%lu]", (unsigned long)total);
    if (getenv("SIO_UPLOAD_MIB") && *getenv("SIO_UPLOAD_MIB"))
        up = (size_t)strtoul(getenv("SIO_UPLOAD_MIB"), NULL, 10) << 20;
    snprintf(want, sizeof want, "[{\"len\":%lu,\"bad\":-1}]", (unsigned long)up);
    while (!closed && loops++ < 10000000) {
        while (sending && sent < up) {           /* as many parts as the queue takes now */
            size_t n = up - sent < sizeof part ? up - sent : sizeof part, i;
            for (i = 0; i < n; i++) part[i] = pattern(sent + i);
            if (sio_send_part(c, part, n) != SIO_OK) break;
            sent += n;
            if (sent == up) CHECK_INT(sio_send_end(c), SIO_OK);
        }
        if (sio_memory(c) > most) most = sio_memory(c);
        if (sio_poll(c, &ev, sending && sent < up ? 0 : 50) != 1) continue;
        if (ev.type == SIO_EVENT_CONNECT) {
            CHECK_INT(sio_emit(c, NULL, "big-binary", args), SIO_OK);
        } else if (ev.type == SIO_EVENT_EVENT && strcmp(ev.event_name, "big-binary") == 0) {
            events++;                          /* the server also greets with "auth" and "query" */
            CHECK(ev.attachment_count == 1 && ev.attachments == NULL);
        } else if (ev.type == SIO_EVENT_ATTACHMENT) {
            size_t i;
            CHECK(ev.offset == got && ev.attachment_index == 0);
            for (i = 0; i < ev.len && bad_at == (size_t)-1; i++)
                if (ev.data[i] != pattern(ev.offset + i)) bad_at = (size_t)ev.offset + i;
            got += ev.len;
            parts++;
            if (ev.final) {
                finals++;
                CHECK_INT(sio_emit_ex(c, &upload, NULL), SIO_OK);
                CHECK_INT(sio_send_begin(c, 1), SIO_OK);
                sending = 1;
            }
        } else if (ev.type == SIO_EVENT_ACK) {
            acked++;
            CHECK_STR(ev.args, want);
            sio_stop(c);
        } else if (ev.type == SIO_EVENT_CLOSE) {
            closed = 1;
        } else if (ev.type == SIO_EVENT_ERROR) {
            fprintf(stderr, "  error: %s\n", ev.message);
        }
        if (sio_memory(c) > most) most = sio_memory(c);
    }
    CHECK(closed);
    CHECK_INT(events, 1);
    CHECK_INT(finals, 1);
    CHECK_INT(acked, 1);
    CHECK(got == total && sent == up);
    CHECK(bad_at == (size_t)-1);
    CHECK(k.peak < 64 * 1024);
    CHECK(most < 64 * 1024);
    printf("# %s: a %lu MiB attachment received in %lu parts, %lu MiB sent; peak heap %lu bytes (counting "
           "allocator), sio_memory at most %lu\n", url, (unsigned long)(total >> 20), (unsigned long)parts,
           (unsigned long)(up >> 20),
           (unsigned long)k.peak, (unsigned long)most);
    sio_destroy(c);
    CHECK_INT(k.live, 0);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_parts_live ws://HOST:PORT/echo [MIB]\n");
        return 2;
    }
    url = argv[1];
    if (argc > 2) total = (size_t)strtoul(argv[2], NULL, 10) << 20;
    if (strncmp(url, "http", 4) == 0) {
        RUN(test_io_64_mib_attachment_in_little_heap);
    } else {
        RUN(test_64_mib_each_way_in_little_heap);
    }
    return TEST_REPORT();
}
