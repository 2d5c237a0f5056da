/* Library-level checks against the real socket.io 4.8 server of the tests
 * (tests/servers/io_server.js): what sioc, one namespace per run, cannot show.
 *     test_io_live http://127.0.0.1:PORT        (tests/run_io_live.sh starts the server) */
#include "sio.h"
#include "test.h"
#include <stdlib.h>

static const char *base;

static sio_client *connect_root(void)
{
    sio_config cfg;
    sio_client *c = NULL;
    static char url[256];
    memset(&cfg, 0, sizeof cfg);
    snprintf(url, sizeof url, "%s/", base);
    cfg.url = url;
    cfg.mode = SIO_MODE_SOCKETIO;
    cfg.reconnect = SIO_RECONNECT_OFF;
    cfg.name = "live";
    if (sio_create(&cfg, &c) != SIO_OK) return NULL;
    sio_start(c);
    return c;
}

/* Next event of the given type (others are skipped), or 0 after 5 s. */
static int next(sio_client *c, sio_event *ev, int type, const char *name)
{
    int i;
    for (i = 0; i < 500; i++) {
        if (sio_poll(c, ev, 10) != 1) continue;
        if ((int)ev->type == type && (!name || (ev->event_name && strcmp(ev->event_name, name) == 0))) return 1;
        if (ev->type == SIO_EVENT_CLOSE) return 0;
    }
    return 0;
}

static void test_two_namespaces_share_one_connection(void)
{
    sio_client *c = connect_root();
    sio_event ev;
    int connects = 0, i;
    CHECK(c != NULL);
    CHECK_INT(sio_join(c, "/admin", "{\"token\":\"secret\"}"), SIO_OK);
    for (i = 0; i < 2 && next(c, &ev, SIO_EVENT_CONNECT, NULL); i++) connects++;
    CHECK_INT(connects, 2);
    CHECK_INT(sio_emit_string(c, "/admin", "message", "to admin"), SIO_OK);
    CHECK_INT(sio_emit_string(c, "/", "message", "to root"), SIO_OK);
    CHECK(next(c, &ev, SIO_EVENT_EVENT, "admin-back"));
    CHECK_STR(ev.ns, "/admin");
    CHECK_STR((const char *)ev.data, "to admin");
    CHECK(next(c, &ev, SIO_EVENT_EVENT, "message-back"));
    CHECK_STR(ev.ns, "/");
    CHECK_STR((const char *)ev.data, "to root");
    /* leaving one namespace keeps the other working */
    CHECK_INT(sio_leave(c, "/admin"), SIO_OK);
    CHECK(next(c, &ev, SIO_EVENT_DISCONNECT, NULL));
    CHECK_STR(ev.reason, "io client disconnect");
    CHECK_STR(ev.ns, "/admin");
    CHECK_INT(sio_emit_string(c, "/", "message", "still here"), SIO_OK);
    CHECK(next(c, &ev, SIO_EVENT_EVENT, "message-back"));
    CHECK_STR((const char *)ev.data, "still here");
    sio_stop(c);
    CHECK(next(c, &ev, SIO_EVENT_CLOSE, NULL));
    sio_destroy(c);
}

static void test_binary_ack_to_server_request(void)
{
    sio_client *c = connect_root();
    sio_event ev;
    sio_bytes b;
    CHECK(next(c, &ev, SIO_EVENT_CONNECT, NULL));
    CHECK_INT(sio_emit(c, NULL, "request-ack", "[\"q\"]"), SIO_OK);
    CHECK(next(c, &ev, SIO_EVENT_EVENT, "please-ack"));
    CHECK(ev.ack_id >= 0);
    b.data = (const unsigned char *)"\x00\xff\x10";
    b.len = 3;
    CHECK_INT(sio_ack(c, &ev, "[{\"_placeholder\":true,\"num\":0},\"text\"]", &b, 1), SIO_OK);
    CHECK(next(c, &ev, SIO_EVENT_EVENT, "got-ack"));      /* the server re-emits the ack args */
    CHECK_INT(ev.attachment_count, 1);
    if (ev.attachment_count == 1) {
        CHECK_INT(ev.attachments[0].len, 3);
        CHECK_MEM(ev.attachments[0].data, "\x00\xff\x10", 3);
    }
    CHECK_STR(ev.args, "[{\"_placeholder\":true,\"num\":0},\"text\"]");
    sio_destroy(c);
}

static void test_binary_ack_from_server(void)
{
    sio_client *c = connect_root();
    sio_event ev;
    sio_emit_options o;
    sio_bytes b;
    int64_t id;
    CHECK(next(c, &ev, SIO_EVENT_CONNECT, NULL));
    b.data = (const unsigned char *)"\x01\x02\x03\x04";
    b.len = 4;
    memset(&o, 0, sizeof o);
    o.event = "message-with-ack";
    o.args = "[{\"k\":{\"_placeholder\":true,\"num\":0}}]";
    o.attachments = &b;
    o.attachment_count = 1;
    o.ack = 1;
    o.ack_timeout_ms = 3000;
    CHECK_INT(sio_emit_ex(c, &o, &id), SIO_OK);
    CHECK(next(c, &ev, SIO_EVENT_ACK, NULL));
    CHECK_INT(ev.ack_id, id);
    CHECK_INT(ev.error, 0);
    CHECK_INT(ev.attachment_count, 1);
    if (ev.attachment_count == 1) CHECK_MEM(ev.attachments[0].data, "\x01\x02\x03\x04", 4);
    sio_destroy(c);
}

static void test_emits_before_connect_arrive_in_order(void)
{
    sio_client *c = connect_root();
    sio_event ev;
    int i, ok = 1;
    char args[32];
    for (i = 0; i < 50; i++) {                     /* queued: the session is not even open yet */
        snprintf(args, sizeof args, "[%d]", i);
        CHECK_INT(sio_emit(c, NULL, "message", args), SIO_OK);
    }
    for (i = 0; i < 50; i++) {
        if (!next(c, &ev, SIO_EVENT_EVENT, "message-back")) { ok = 0; break; }
        snprintf(args, sizeof args, "[%d]", i);
        if (strcmp(ev.args, args) != 0) ok = 0;
    }
    CHECK(ok);
    sio_destroy(c);
}

static void test_volatile_emit_dropped_while_not_connected(void)
{
    sio_client *c = connect_root();
    sio_event ev;
    sio_emit_options o;
    memset(&o, 0, sizeof o);
    o.event = "message";
    o.args = "[\"volatile\"]";
    o.is_volatile = 1;
    CHECK_INT(sio_emit_ex(c, &o, NULL), SIO_OK);     /* dropped: not connected yet */
    CHECK(next(c, &ev, SIO_EVENT_CONNECT, NULL));
    CHECK_INT(sio_emit_string(c, NULL, "message", "regular"), SIO_OK);
    CHECK(next(c, &ev, SIO_EVENT_EVENT, "message-back"));
    CHECK_STR((const char *)ev.data, "regular");      /* the volatile one never arrived first */
    sio_destroy(c);
}

/* A set (epoll on Linux) drives 200 clients from this thread: all connect,
 * each gets its own echo back, each stops cleanly; memory stays small. */
static void test_set_of_200_clients(void)
{
    enum { N = 200 };
    sio_client *cs[N];
    sio_set *set;
    sio_event ev;
    int i, connects = 0, echoes = 0, closes = 0, rounds;
    int echoed[N];
    CHECK_INT(sio_set_create(NULL, &set), SIO_OK);
    for (i = 0; i < N; i++) {
        cs[i] = connect_root();
        CHECK(cs[i] != NULL);
        if (!cs[i]) return;
        echoed[i] = 0;
        CHECK_INT(sio_set_add(set, cs[i]), SIO_OK);
    }
    /* one loop: a client's echo may come before the last client connected */
    for (rounds = 0; rounds < 2000 && (connects < N || echoes < N); rounds++) {
        if (sio_set_poll(set, &ev, 50) != 1) continue;
        for (i = 0; i < N && cs[i] != ev.client; i++) {}
        CHECK(i < N);
        if (i == N) break;
        if (ev.type == SIO_EVENT_CONNECT) {
            char msg[32];
            snprintf(msg, sizeof msg, "client-%d", i);
            CHECK_INT(sio_emit_string(ev.client, NULL, "message", msg), SIO_OK);
            connects++;
        } else if (ev.type == SIO_EVENT_EVENT && strcmp(ev.event_name, "message-back") == 0) {
            char want[32];
            snprintf(want, sizeof want, "client-%d", i);
            CHECK_STR((const char *)ev.data, want);
            echoed[i]++;
            echoes++;
        }
    }
    CHECK_INT(connects, N);
    CHECK_INT(echoes, N);
    for (i = 0; i < N; i++) {
        CHECK_INT(echoed[i], 1);
        CHECK(sio_memory(cs[i]) < 16384);
        sio_stop(cs[i]);
    }
    for (rounds = 0; rounds < 2000 && closes < N; rounds++)
        if (sio_set_poll(set, &ev, 50) == 1 && ev.type == SIO_EVENT_CLOSE) closes++;
    CHECK_INT(closes, N);
    for (i = 0; i < N; i++) sio_destroy(cs[i]);
    CHECK_INT(sio_set_count(set), 0);
    sio_set_destroy(set);
}

#if defined(SIO_NO_POLLING) && defined(SIO_NO_DNS)
/* The smallest build: Socket.IO over WebSocket only, names through the
 * platform's connect.  Polling transports are refused, not half-working. */
static void test_small_build_refuses_polling_and_resolves_names(void)
{
    sio_config cfg;
    sio_client *c = NULL;
    sio_event ev;
    char url[256];
    const char *port = strrchr(base, ':');
    memset(&cfg, 0, sizeof cfg);
    CHECK(port != NULL);
    snprintf(url, sizeof url, "http://localhost%s/", port ? port : "");
    cfg.url = url;
    cfg.mode = SIO_MODE_SOCKETIO;
    cfg.reconnect = SIO_RECONNECT_OFF;
    cfg.transport = SIO_TRANSPORT_POLLING;
    CHECK_INT(sio_create(&cfg, &c), SIO_ERR_INVALID);
    cfg.transport = SIO_TRANSPORT_AUTO;
    CHECK_INT(sio_create(&cfg, &c), SIO_ERR_INVALID);
    cfg.transport = SIO_TRANSPORT_WEBSOCKET;
    cfg.dns_server = "127.0.0.1";                        /* no resolver to give it to */
    CHECK_INT(sio_create(&cfg, &c), SIO_ERR_INVALID);
    cfg.dns_server = NULL;
    cfg.mode = SIO_MODE_WEBSOCKET;                       /* the transport field is Socket.IO's only */
    cfg.transport = SIO_TRANSPORT_POLLING;
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    sio_destroy(c);
    cfg.mode = SIO_MODE_SOCKETIO;
    cfg.transport = SIO_TRANSPORT_WEBSOCKET;
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    sio_start(c);
    CHECK(next(c, &ev, SIO_EVENT_CONNECT, NULL));
    CHECK_INT(sio_emit_string(c, "/", "message", "by name"), SIO_OK);
    CHECK(next(c, &ev, SIO_EVENT_EVENT, "message-back"));
    CHECK_STR((const char *)ev.data, "by name");
    sio_destroy(c);
}
#endif

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_io_live http://127.0.0.1:PORT\n");
        return 2;
    }
    base = argv[1];
    RUN(test_two_namespaces_share_one_connection);
    RUN(test_binary_ack_to_server_request);
    RUN(test_binary_ack_from_server);
    RUN(test_emits_before_connect_arrive_in_order);
    RUN(test_volatile_emit_dropped_while_not_connected);
    RUN(test_set_of_200_clients);
#if defined(SIO_NO_POLLING) && defined(SIO_NO_DNS)
    RUN(test_small_build_refuses_polling_and_resolves_names);
#endif
    return TEST_REPORT();
}
