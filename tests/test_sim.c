/* sio_sim.h's own promises, as a program using it relies on them: the
 * handshake survives split writes, messages are never cut, too large ones
 * are refused as a real server would, fragments are echoed whole, the
 * server keeps its heartbeat without the fault injector, a restarted server
 * reads nothing more, a served port cannot be taken twice, a seed replays
 * exactly, and a program blocking in sio_poll still has its server answer,
 * on time.  Sessions end when their client ends them; frames RFC 6455
 * forbids are failed; packets and attachments up to the limit get through. */
#define SIO_IMPLEMENTATION
#include "sio.h"
#include "sio_sim.h"
#include "test.h"
#include <stdlib.h>

static sio_sim_net net;
static sio_sim_server server, second;

typedef struct seen {
    int count[16];                    /* events by type */
    int close_code, message_len, ws_errors;
    char message[64];                 /* the last MESSAGE (cut to fit) */
    size_t attachment_len;            /* the first attachment of the last EVENT */
    char packets[4096];               /* what the server's on_packet saw, one per line */
} seen;

static void saw(void *user, const char *p, size_t n)
{
    seen *s = (seen *)user;
    size_t used = strlen(s->packets);
    if (used + n + 2 < sizeof s->packets) {
        memcpy(s->packets + used, p, n);
        s->packets[used + n] = '\n';
        s->packets[used + n + 1] = 0;
    }
}

static sio_client *client(const char *url, int mode, int transport, size_t fragment)
{
    sio_config cfg;
    sio_client *c = NULL;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = url;
    cfg.mode = mode;
    cfg.transport = transport;
    cfg.send_fragment_size = fragment;
    cfg.platform = sio_sim_platform(&net);
    if (sio_create(&cfg, &c) != SIO_OK) return NULL;
    sio_start(c);
    return c;
}

/* steps of the server, the client's events and ms of time */
static void pump(sio_client *c, seen *s, int steps, unsigned ms)
{
    sio_event ev;
    int i;
    for (i = 0; i < steps; i++) {
        sio_sim_server_step(&server);
        while (sio_poll(c, &ev, 0) == 1) {
            if ((int)ev.type < 16) s->count[ev.type]++;
            if (ev.type == SIO_EVENT_CLOSE) s->close_code = ev.code;
            if (ev.type == SIO_EVENT_MESSAGE) {
                s->message_len = (int)ev.len;
                snprintf(s->message, sizeof s->message, "%s", (const char *)ev.data);
            }
            if (ev.type == SIO_EVENT_EVENT && ev.attachment_count) s->attachment_len = ev.attachments[0].len;
        }
        sio_sim_idle(&net, ms);
    }
}

static void setup(uint64_t seed, int echo)
{
    sio_sim_net_init(&net, seed);
    CHECK_INT(sio_sim_server_init(&server, &net, 80, 1), 0);
    server.echo = echo;
}

/* A socket.io server whose on_packet fills s. */
static void setup_watched(uint64_t seed, seen *s)
{
    memset(s, 0, sizeof *s);
    setup(seed, 0);
    server.on_packet = saw;
    server.on_packet_user = s;
}

/* A Socket.IO client on a fresh network, after 30 steps (connected). */
static sio_client *socketio_client(uint64_t seed, int transport, seen *s)
{
    sio_client *c;
    memset(s, 0, sizeof *s);
    setup(seed, 0);
    c = client("http://e.test/", SIO_MODE_SOCKETIO, transport, 0);
    pump(c, s, 30, 10);
    return c;
}

static void test_sim_handshake_survives_split_writes(void)
{
    seen s;
    sio_client *c;
    memset(&s, 0, sizeof s);
    setup(1, 1);
    net.max_write = 7;
    net.max_read = 5;
    c = client("ws://e.test/", SIO_MODE_WEBSOCKET, 0, 0);
    pump(c, &s, 200, 10);
    CHECK_INT(s.count[SIO_EVENT_OPEN], 1);
    CHECK_INT(sio_send_text(c, "split", 5), SIO_OK);
    pump(c, &s, 200, 10);
    CHECK_INT(s.count[SIO_EVENT_MESSAGE], 1);
    CHECK_INT(s.message_len, 5);
    sio_destroy(c);
}

static void test_sim_echo_returns_fragments_whole_and_refuses_too_large(void)
{
    static char big[SIO_SIM_MAX_PAYLOAD + 100];
    seen s;
    sio_client *c;
    memset(&s, 0, sizeof s);
    memset(big, 'a', sizeof big);
    setup(2, 1);
    c = client("ws://e.test/", SIO_MODE_WEBSOCKET, 0, 10);
    pump(c, &s, 10, 10);
    CHECK_INT(sio_send_text(c, "0123456789abcdefghijklmnopqrstuvwxyz", 36), SIO_OK);
    pump(c, &s, 20, 10);
    CHECK_INT(server.echoed, 1);
    CHECK_INT(s.message_len, 36);
    sio_destroy(c);

    memset(&s, 0, sizeof s);
    setup(3, 1);
    c = client("ws://e.test/", SIO_MODE_WEBSOCKET, 0, 0);
    pump(c, &s, 10, 10);
    CHECK_INT(sio_send_text(c, big, sizeof big), SIO_OK);
    pump(c, &s, 100, 10);
    CHECK_INT(s.count[SIO_EVENT_CLOSE], 1);
    CHECK_INT(s.close_code, 1009);                /* as a server with that limit says */
    CHECK_INT(server.echoed, 0);
    sio_destroy(c);
}

static void test_sim_socketio_keeps_its_heartbeat_and_limits(void)
{
    static char big[SIO_SIM_MAX_PAYLOAD + 100];
    sio_emit_options o;
    seen s;
    sio_client *c;
    memset(&s, 0, sizeof s);
    setup(4, 0);
    c = client("http://e.test/", SIO_MODE_SOCKETIO, SIO_TRANSPORT_AUTO, 0);
    pump(c, &s, 4000, 50);                        /* 200 s, no fault injector */
    CHECK_INT(server.sessions, 1);
    CHECK(server.pings >= 7);
    CHECK_INT(s.count[SIO_EVENT_RECONNECTING], 0);
    CHECK_INT(server.upgrades, 1);
    memset(big, 'a', sizeof big);                 /* over the announced maxPayload: refused */
    big[0] = '[';
    big[1] = '"';
    big[sizeof big - 3] = '"';
    big[sizeof big - 2] = ']';
    big[sizeof big - 1] = 0;
    memset(&o, 0, sizeof o);
    o.event = "big";
    o.args = big;
    CHECK(sio_emit_ex(c, &o, NULL) != SIO_OK);
    sio_destroy(c);
}

static void test_sim_unread_data_resets_instead_of_cutting(void)
{
    seen s;
    sio_client *c;
    char packet[200];
    int i;
    memset(&s, 0, sizeof s);
    setup(5, 0);
    c = client("http://e.test/", SIO_MODE_SOCKETIO, SIO_TRANSPORT_WEBSOCKET, 0);
    pump(c, &s, 20, 10);
    CHECK_INT(s.count[SIO_EVENT_CONNECT], 1);
    memset(&s, 0, sizeof s);
    snprintf(packet, sizeof packet, "42[\"push\",\"%0150d\"]", 0);
    for (i = 0; i < 400; i++) sio_sim_server_send(&server, packet);   /* 68 KB the client has not read */
    pump(c, &s, 50, 10);
    CHECK_INT(net.overflows, 1);
    CHECK(s.count[SIO_EVENT_RECONNECTING] >= 1);  /* reset, never a cut message (an ERROR of bad UTF-8) */
    CHECK(s.count[SIO_EVENT_EVENT] < 400);
    sio_destroy(c);
}

static void test_sim_restarted_server_reads_nothing_more(void)
{
    seen s;
    sio_client *c;
    setup_watched(6, &s);
    c = client("http://e.test/", SIO_MODE_SOCKETIO, SIO_TRANSPORT_WEBSOCKET, 0);
    pump(c, &s, 20, 10);
    CHECK_INT(s.count[SIO_EVENT_CONNECT], 1);
    sio_sim_server_restart(&server, 100000);      /* down for 100 s */
    CHECK_INT(sio_emit(c, NULL, "after", "[1]"), SIO_OK);
    pump(c, &s, 20, 10);
    CHECK(strstr(s.packets, "after") == NULL);
    CHECK(s.count[SIO_EVENT_RECONNECTING] >= 1);
    sio_destroy(c);
}

static void test_sim_ports_are_served_once(void)
{
    sio_sim_net_init(&net, 7);
    CHECK_INT(sio_sim_server_init(&server, &net, 80, 0), 0);
    CHECK_INT(sio_sim_server_init(&second, &net, 80, 0), -1);
    CHECK_INT(sio_sim_server_init(&second, &net, 0, 0), -1);
    CHECK_INT(sio_sim_server_init(&second, &net, 8080, 0), 0);
    CHECK_INT(sio_sim_server_init(&server, &net, 80, 0), 0);     /* again: starts afresh */
    sio_sim_net_init(&net, 7);
    CHECK_INT(sio_sim_server_init(&server, &net, 0, 0), 0);
    CHECK_INT(sio_sim_server_init(&second, &net, 8080, 0), -1);
}

/* ---- raw connections: what no sio client would send ---- */

static sio_socket raw_open(void)
{
    char err[128];
    sio_socket k = SIO_INVALID_SOCKET;
    CHECK_INT(net.platform.connect(net.platform.user, "raw.test", 80, 0, &k, err, sizeof err), SIO_OK);
    return k;
}

static void raw_send(sio_socket k, const char *text)
{
    char err[128];
    CHECK_INT(net.platform.send(net.platform.user, k, text, strlen(text), err, sizeof err), (long)strlen(text));
}

/* The server steps, then what it answered (NUL-terminated). */
static const char *raw_answer(sio_socket k)
{
    static char in[8192];
    char err[128];
    long n;
    sio_sim_server_step(&server);
    n = net.platform.recv(net.platform.user, k, in, sizeof in - 1, err, sizeof err);
    in[n > 0 ? n : 0] = 0;
    return in;
}

/* A polling handshake on a raw connection: the session's sid. */
static void raw_handshake(sio_socket k)
{
    const char *a;
    raw_send(k, "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: raw.test\r\n\r\n");
    a = raw_answer(k);
    CHECK(strstr(a, "\"sid\":\"S1\"") != NULL);
    CHECK(strstr(a, "\"maxPayload\":24576") != NULL);
}

/* An Engine.IO 4 WebSocket on a raw connection (a session opens). */
static void raw_websocket(sio_socket k)
{
    raw_send(k, "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
    CHECK(strstr(raw_answer(k), "101 Switching Protocols") != NULL);
}

/* One masked text frame from a raw connection. */
static void raw_text(sio_socket k, int fin, int opcode, const char *text)
{
    unsigned char frame[256];
    size_t n = sio_ws_encode(frame, fin, opcode, text, strlen(text), (const unsigned char *)"mask");
    CHECK_INT(net.platform.send(net.platform.user, k, frame, n, NULL, 0), (long)n);
}

static void test_sim_unknown_and_ended_sessions_get_400(void)
{
    sio_socket k;
    setup(9, 0);
    k = raw_open();
    raw_handshake(k);
    raw_send(k, "GET /socket.io/?EIO=4&transport=polling&sid=S9 HTTP/1.1\r\nHost: raw.test\r\n\r\n");
    CHECK(strstr(raw_answer(k), "400 Bad Request") != NULL);
    sio_sim_server_restart(&server, 0);                     /* the session ends: its sid with it */
    k = raw_open();
    raw_send(k, "POST /socket.io/?EIO=4&transport=polling&sid=S1 HTTP/1.1\r\nContent-Length: 9\r\n\r\n42[\"x\",1]");
    CHECK(strstr(raw_answer(k), "\"code\":1") != NULL);
    CHECK_INT(server.events, 0);
}

static void test_sim_too_large_posts_and_frames_are_refused(void)
{
    static char request[SIO_SIM_LINK_BYTES];
    sio_socket k;
    unsigned char frame[16];
    setup(10, 0);
    k = raw_open();
    raw_handshake(k);
    snprintf(request, sizeof request, "POST /socket.io/?EIO=4&transport=polling&sid=S1 HTTP/1.1\r\n"
             "Content-Length: %d\r\n\r\n", SIO_SIM_MAX_PAYLOAD + 1);
    raw_send(k, request);
    CHECK(strstr(raw_answer(k), "413 Payload Too Large") != NULL);

    setup(11, 0);                                           /* a frame over maxPayload on the WebSocket */
    k = raw_open();
    raw_websocket(k);
    frame[0] = 0x81;                                        /* text, masked, 64-bit length */
    frame[1] = 0x80 | 127;
    memset(frame + 2, 0, 8);
    frame[7] = 0x01;                                        /* 2^16 bytes announced */
    memset(frame + 10, 0, 4);
    CHECK_INT(net.platform.send(net.platform.user, k, frame, 14, NULL, 0), 14);
    {
        const unsigned char *a = (const unsigned char *)raw_answer(k);   /* close 1009 */
        CHECK(a[0] == 0x88 && a[1] == 2 && a[2] == 0x03 && a[3] == 0xf1);
    }
    CHECK_INT(server.refused, 1);
    CHECK(net.link[0].eof);
}

static void test_sim_a_silent_client_loses_its_session(void)
{
    sio_socket k;
    setup(12, 0);
    k = raw_open();
    raw_handshake(k);
    CHECK(server.live);
    sio_sim_idle(&net, SIO_SIM_PING_INTERVAL + 1);
    raw_answer(k);                                          /* the ping goes out (into the pending answer) */
    CHECK_INT(server.pings, 1);
    sio_sim_idle(&net, SIO_SIM_PING_TIMEOUT + 1);
    raw_answer(k);                                          /* no pong: the session ends */
    CHECK_INT(server.ping_timeouts, 1);
    CHECK(!server.live);
}

static void test_sim_a_restarted_server_ignores_the_old_connection(void)
{
    seen s;
    sio_socket k;
    setup_watched(13, &s);
    k = raw_open();
    raw_websocket(k);
    sio_sim_server_restart(&server, 0);
    raw_text(k, 1, SIO_WS_TEXT, "42[\"late\"]");   /* lost */
    raw_answer(k);
    CHECK_INT(server.events, 0);
    CHECK(strstr(s.packets, "late") == NULL);
}

/* One seed's events as text, for comparing two runs. */
static void run_trace(uint64_t seed, char *out, size_t size)
{
    sio_sim_faults f = sio_sim_default_faults();
    sio_client *c;
    sio_event ev;
    size_t used = 0;
    int step;
    setup(seed, 0);
    c = client("http://e.test/", SIO_MODE_SOCKETIO, SIO_TRANSPORT_AUTO, 0);
    out[0] = 0;
    for (step = 0; step < 600 && c; step++) {
        sio_sim_server_step(&server);
        sio_sim_inject(&net, &server, 1, &f);
        if (step % 20 == 0) sio_emit(c, NULL, "tick", "[1]");
        while (sio_poll(c, &ev, 0) == 1 && used + 40 < size)
            used += (size_t)snprintf(out + used, size - used, "%llu:%d ", (unsigned long long)net.now, (int)ev.type);
        sio_sim_idle(&net, 30);
    }
    sio_destroy(c);
}

static void test_sim_a_seed_replays_exactly(void)
{
    static char a[16384], b[16384];
    run_trace(99, a, sizeof a);
    run_trace(99, b, sizeof b);
    CHECK(strlen(a) > 100);
    CHECK_STR(a, b);
    run_trace(100, b, sizeof b);
    CHECK(strcmp(a, b) != 0);
}

static void step_server(void *user) { sio_sim_server_step((sio_sim_server *)user); }

static void test_sim_a_blocking_poll_still_gets_answers(void)
{
    sio_client *c;
    sio_event ev;
    int k, connected = 0;
    setup(8, 0);
    net.on_wait = step_server;
    net.on_wait_user = &server;
    c = client("http://e.test/", SIO_MODE_SOCKETIO, SIO_TRANSPORT_POLLING, 0);
    for (k = 0; k < 20 && !connected; k++)
        if (sio_poll(c, &ev, -1) == 1 && ev.type == SIO_EVENT_CONNECT) connected = 1;
    CHECK(connected);
    CHECK(net.now < 5000);                       /* answered at once, not after timeouts */
    sio_destroy(c);
}

/* A fragmented message whose parts a ping separates is echoed whole (the
 * pong once overwrote the message being assembled). */
static void test_sim_echo_keeps_a_message_whole_across_a_ping(void)
{
    seen s;
    sio_client *c;
    memset(&s, 0, sizeof s);
    setup(20, 1);
    c = client("ws://e.test/", SIO_MODE_WEBSOCKET, 0, 0);
    pump(c, &s, 10, 10);
    CHECK_INT(sio_send_begin(c, 0), SIO_OK);
    CHECK_INT(sio_send_part(c, "hello", 5), SIO_OK);
    pump(c, &s, 2, 10);
    CHECK_INT(sio_send_ping(c, "p", 1), SIO_OK);
    pump(c, &s, 2, 10);
    CHECK_INT(sio_send_part(c, "world", 5), SIO_OK);
    CHECK_INT(sio_send_end(c), SIO_OK);
    pump(c, &s, 10, 10);
    CHECK_STR(s.message, "helloworld");
    CHECK_INT(s.count[SIO_EVENT_CLOSE], 0);
    CHECK_INT(server.echoed, 1);
    sio_destroy(c);
}

/* A long query (a token) before the sid does not hide the sid. */
static void test_sim_a_long_query_keeps_its_session(void)
{
    static char url[1200];
    seen s;
    sio_client *c;
    memset(&s, 0, sizeof s);
    setup(21, 0);
    snprintf(url, sizeof url, "http://e.test/?token=%0900d", 7);
    c = client(url, SIO_MODE_SOCKETIO, SIO_TRANSPORT_POLLING, 0);
    pump(c, &s, 50, 10);
    CHECK_INT(s.count[SIO_EVENT_CONNECT], 1);
    CHECK_INT(server.sessions, 1);
    CHECK_INT(server.refused, 0);
    sio_destroy(c);
}

/* A client that stops ends its session at once: no ping timeout later,
 * and the sid is gone (over WebSocket and over polling). */
static void test_sim_a_stopped_client_ends_its_session(void)
{
    static const int transports[] = { SIO_TRANSPORT_WEBSOCKET, SIO_TRANSPORT_POLLING, SIO_TRANSPORT_AUTO };
    int t;
    for (t = 0; t < 3; t++) {
        seen s;
        sio_client *c = socketio_client(22, transports[t], &s);
        CHECK_INT(s.count[SIO_EVENT_CONNECT], 1);
        CHECK(server.live);
        CHECK_INT(sio_stop(c), SIO_OK);
        pump(c, &s, 30, 10);
        CHECK_INT(s.count[SIO_EVENT_CLOSE], 1);
        CHECK(!server.live);
        pump(c, &s, 100, 1000);                   /* 100 s */
        CHECK_INT(server.ping_timeouts, 0);
        sio_destroy(c);
    }
}

/* A WebSocket transport that closes without a word (the client's
 * connection dropped) ends the session too. */
static void test_sim_a_closed_websocket_ends_its_session(void)
{
    sio_socket k;
    setup(23, 0);
    k = raw_open();
    raw_websocket(k);
    CHECK(server.live);
    net.platform.close(net.platform.user, k);
    sio_sim_server_step(&server);
    CHECK(!server.live);
    sio_sim_idle(&net, 100000);
    sio_sim_server_step(&server);
    CHECK_INT(server.ping_timeouts, 0);
}

/* What a client wrote just before it closed still reaches the server. */
static void test_sim_bytes_written_before_a_close_arrive(void)
{
    sio_socket k;
    setup(24, 0);
    k = raw_open();
    raw_websocket(k);
    raw_text(k, 1, SIO_WS_TEXT, "42[\"last\"]");
    net.platform.close(net.platform.user, k);
    sio_sim_server_step(&server);
    CHECK_INT(server.events, 1);
}

/* A packet of exactly SIO_SIM_MAX_PAYLOAD is taken; one byte more is not. */
static void test_sim_a_packet_of_the_largest_size_is_taken(void)
{
    static char packet[SIO_SIM_MAX_PAYLOAD + 2];
    sio_socket k;
    setup(25, 0);
    k = raw_open();
    raw_handshake(k);
    memset(packet, 'x', sizeof packet);
    packet[0] = '4';
    CHECK_INT(sio_sim_server_send_n(&server, packet, SIO_SIM_MAX_PAYLOAD + 1), -1);
    CHECK_INT(sio_sim_server_send_n(&server, packet, SIO_SIM_MAX_PAYLOAD), 0);
    CHECK_INT(net.overflows, 0);
    CHECK(server.live);
    CHECK_INT(sio_sim_server_send(&server, "2"), -1);        /* no room left: the session ends */
    CHECK_INT(net.overflows, 1);
    CHECK(!server.live);
}

/* A long-poll GET that arrives after the probe is answered with a noop
 * 100 ms later, so the upgrade does not wait for the next ping; a probe
 * that never sends "5" is closed after the upgrade timeout, and polling
 * goes on as before. */
static void test_sim_a_get_during_the_probe_gets_a_noop(void)
{
    sio_socket k, w;
    setup(26, 0);
    server.offer_upgrade = 1;
    k = raw_open();
    raw_handshake(k);
    w = raw_open();
    raw_send(w, "GET /socket.io/?EIO=4&transport=websocket&sid=S1 HTTP/1.1\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
    CHECK(strstr(raw_answer(w), "101 Switching Protocols") != NULL);
    raw_text(w, 1, SIO_WS_TEXT, "2probe");
    CHECK(memcmp(raw_answer(w) + 2, "3probe", 6) == 0);
    raw_send(k, "GET /socket.io/?EIO=4&transport=polling&sid=S1 HTTP/1.1\r\nHost: raw.test\r\n\r\n");
    CHECK_STR(raw_answer(k), "");
    sio_sim_idle(&net, SIO_SIM_NOOP_INTERVAL);
    CHECK(strstr(raw_answer(k), "\r\n\r\n6") != NULL);
    CHECK(server.probing);
    sio_sim_idle(&net, SIO_SIM_UPGRADE_TIMEOUT);
    raw_answer(w);
    CHECK(!server.probing);
    CHECK(net.link[1].gone);
    raw_send(k, "GET /socket.io/?EIO=4&transport=polling&sid=S1 HTTP/1.1\r\nHost: raw.test\r\n\r\n");
    sio_sim_idle(&net, SIO_SIM_NOOP_INTERVAL);
    CHECK_STR(raw_answer(k), "");                            /* held again, for packets */
    CHECK(server.live);
}

/* A probe whose connection is reset ends the probing: a client that stays
 * on polling, blocking in sio_poll, still sees its clock move (the noops
 * once came at once, forever). */
static void test_sim_a_lost_probe_ends_the_noops(void)
{
    seen s;
    sio_client *c;
    sio_event ev;
    int k;
    uint64_t before;
    memset(&s, 0, sizeof s);
    setup(34, 0);
    c = client("http://e.test/", SIO_MODE_SOCKETIO, SIO_TRANSPORT_AUTO, 0);
    for (k = 0; k < 100; k++) {
        sio_sim_server_step(&server);
        if (server.probing) break;                           /* the "3probe" not read yet */
        while (sio_poll(c, &ev, 0) == 1) {}
        sio_sim_idle(&net, 10);
    }
    CHECK(server.probing);
    net.link[server.probe_link].reset = 1;
    pump(c, &s, 50, 10);
    CHECK(!server.probing);
    CHECK(server.live);
    net.on_wait = step_server;
    net.on_wait_user = &server;
    before = net.now;
    while (sio_poll(c, &ev, 5000) == 1) {}
    CHECK(net.now >= before + 5000);
    CHECK_INT(server.upgrades, 0);
    sio_destroy(c);
}

/* Frames RFC 6455 forbids a client are failed with 1002. */
static void test_sim_broken_client_frames_are_failed(void)
{
    static const unsigned char unmasked[] = { 0x81, 0x02, '4', '0' };
    static const unsigned char reserved[] = { 0xc1, 0x80, 0, 0, 0, 0 };                 /* RSV1, no extension */
    static const unsigned char opcode[] = { 0x83, 0x80, 0, 0, 0, 0 };                   /* opcode 3 */
    static const unsigned char long_form[] = { 0x81, 0xfe, 0x00, 0x05, 0, 0, 0, 0 };    /* 5 in 16 bits */
    static const unsigned char nothing[] = { 0x80, 0x80, 0, 0, 0, 0 };                  /* continuation */
    static const unsigned char fragmented_ping[] = { 0x09, 0x80, 0, 0, 0, 0 };
    static const unsigned char *const frames[] = { unmasked, reserved, opcode, long_form, nothing, fragmented_ping };
    static const size_t sizes[] = { sizeof unmasked, sizeof reserved, sizeof opcode, sizeof long_form, sizeof nothing,
                                    sizeof fragmented_ping };
    size_t i;
    for (i = 0; i < sizeof frames / sizeof frames[0]; i++) {
        sio_socket k;
        const unsigned char *a;
        setup(27, 1);
        k = raw_open();
        raw_send(k, "GET / HTTP/1.1\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
        CHECK(strstr(raw_answer(k), "101 Switching Protocols") != NULL);
        CHECK_INT(net.platform.send(net.platform.user, k, frames[i], sizes[i], NULL, 0), (long)sizes[i]);
        a = (const unsigned char *)raw_answer(k);
        CHECK(a[0] == 0x88 && a[1] == 2 && a[2] == 0x03 && a[3] == 0xea);      /* close 1002 */
        CHECK_INT(server.protocol_errors, 1);
        CHECK(net.link[0].gone);
        if (a[0] != 0x88) fprintf(stderr, "  (frame %d was not failed)\n", (int)i);
    }
}

/* A Socket.IO packet in fragments is taken whole. */
static void test_sim_a_fragmented_packet_is_taken_whole(void)
{
    seen s;
    sio_socket k;
    setup_watched(28, &s);
    k = raw_open();
    raw_websocket(k);
    raw_text(k, 0, SIO_WS_TEXT, "42[\"fr");
    raw_text(k, 1, SIO_WS_CONTINUATION, "ag\"]");
    raw_answer(k);
    CHECK_INT(server.events, 1);
    CHECK_STR(s.packets, "42[\"frag\"]\n");
    CHECK_INT(server.protocol_errors, 0);
}

/* Engine.IO 3 over polling is not modelled: refused clearly, as a v4
 * server without allowEIO3 does. */
static void test_sim_engineio3_polling_is_refused(void)
{
    sio_socket k;
    setup(29, 0);
    k = raw_open();
    raw_send(k, "GET /socket.io/?EIO=3&transport=polling HTTP/1.1\r\nHost: raw.test\r\n\r\n");
    CHECK(strstr(raw_answer(k), "Unsupported protocol version") != NULL);
    CHECK_INT(server.sessions, 0);
}

/* A blocking wait stops at the server's next ping: a client that blocks
 * in sio_poll sees the heartbeat every 25 s, not once per timeout. */
static void test_sim_a_wait_stops_at_the_servers_timers(void)
{
    sio_client *c;
    sio_event ev;
    int k;
    setup(30, 0);
    net.on_wait = step_server;
    net.on_wait_user = &server;
    c = client("http://e.test/", SIO_MODE_SOCKETIO, SIO_TRANSPORT_WEBSOCKET, 0);
    for (k = 0; k < 2000 && net.now < 1000 + 225000; k++) sio_poll(c, &ev, 60000);
    CHECK(server.pings >= 8);
    CHECK_INT(server.ping_timeouts, 0);
    CHECK_INT(server.sessions, 1);
    sio_destroy(c);
}

/* A server whose init failed serves nothing and is safe to use; so is
 * one never set up.  NULL servers: faults for every server. */
static void test_sim_a_server_that_is_not_serving_is_inert(void)
{
    static sio_sim_server never;
    sio_socket k;
    sio_sim_faults f;
    setup(31, 0);
    CHECK_INT(sio_sim_server_init(&second, &net, 80, 0), -1);
    k = raw_open();
    raw_send(k, "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: raw.test\r\n\r\n");
    sio_sim_server_step(&second);                            /* not serving: it takes nothing */
    sio_sim_server_restart(&second, 10);
    sio_sim_server_step(&never);
    sio_sim_server_restart(&never, 10);
    CHECK_INT(second.sessions, 0);
    CHECK(strstr(raw_answer(k), "\"sid\"") != NULL);       /* the serving one answers */
    CHECK_INT(sio_sim_server_init(&second, &net, 8080, 0), 0);
    memset(&f, 0, sizeof f);
    f.restart = 1000;
    sio_sim_inject(&net, NULL, 0, &f);
    CHECK_INT(net.restarts, 2);
}

/* Attachments of any size up to the limit reach the client, over polling
 * and WebSocket. */
static void test_sim_large_attachments_are_sent(void)
{
    static unsigned char data[4000], big[SIO_SIM_MAX_PAYLOAD + 1];
    static const int transports[] = { SIO_TRANSPORT_POLLING, SIO_TRANSPORT_WEBSOCKET };
    int t;
    memset(data, 0xab, sizeof data);
    for (t = 0; t < 2; t++) {
        seen s;
        sio_client *c = socketio_client(32, transports[t], &s);
        CHECK_INT(s.attachment_len, 3);                      /* the greeting's */
        CHECK_INT(sio_sim_server_send(&server, "451-[\"big\",{\"_placeholder\":true,\"num\":0}]"), 0);
        CHECK_INT(sio_sim_server_send_binary(&server, data, sizeof data), 0);
        pump(c, &s, 10, 10);
        CHECK_INT(s.attachment_len, sizeof data);
        CHECK_INT(sio_sim_server_send_binary(&server, data, SIO_SIM_MAX_PAYLOAD + 1), -1);
        if (t == 0) CHECK_INT(sio_sim_server_send_binary(&server, big, 18430), -1);   /* its base64: too large */
        else CHECK_INT(sio_sim_server_send_binary(&server, big, SIO_SIM_MAX_PAYLOAD), 0);
        CHECK(server.live);                                  /* refused, not the session's end */
        CHECK_INT(net.overflows, 0);
        sio_destroy(c);
    }
}

/* A send that resets a client's connection says so. */
static void test_sim_a_send_that_overflows_says_so(void)
{
    sio_socket k;
    char packet[2000];
    int i, r = 0;
    setup(33, 0);
    k = raw_open();
    raw_websocket(k);
    memset(packet, 'x', sizeof packet - 1);
    packet[sizeof packet - 1] = 0;
    for (i = 0; i < 40 && r == 0; i++) r = sio_sim_server_send(&server, packet);
    CHECK_INT(r, -1);
    CHECK_INT(net.overflows, 1);
    CHECK(i < 40);
}

/* Without a platform file: the clients take the simulated one (sio.h compiled here). */
const sio_platform *sio_platform_default(void) { return sio_sim_platform(&net); }

int main(void)
{
    RUN(test_sim_handshake_survives_split_writes);
    RUN(test_sim_echo_returns_fragments_whole_and_refuses_too_large);
    RUN(test_sim_socketio_keeps_its_heartbeat_and_limits);
    RUN(test_sim_unread_data_resets_instead_of_cutting);
    RUN(test_sim_restarted_server_reads_nothing_more);
    RUN(test_sim_ports_are_served_once);
    RUN(test_sim_unknown_and_ended_sessions_get_400);
    RUN(test_sim_too_large_posts_and_frames_are_refused);
    RUN(test_sim_a_silent_client_loses_its_session);
    RUN(test_sim_a_restarted_server_ignores_the_old_connection);
    RUN(test_sim_a_seed_replays_exactly);
    RUN(test_sim_a_blocking_poll_still_gets_answers);
    RUN(test_sim_echo_keeps_a_message_whole_across_a_ping);
    RUN(test_sim_a_long_query_keeps_its_session);
    RUN(test_sim_a_stopped_client_ends_its_session);
    RUN(test_sim_a_closed_websocket_ends_its_session);
    RUN(test_sim_bytes_written_before_a_close_arrive);
    RUN(test_sim_a_packet_of_the_largest_size_is_taken);
    RUN(test_sim_a_get_during_the_probe_gets_a_noop);
    RUN(test_sim_a_lost_probe_ends_the_noops);
    RUN(test_sim_broken_client_frames_are_failed);
    RUN(test_sim_a_fragmented_packet_is_taken_whole);
    RUN(test_sim_engineio3_polling_is_refused);
    RUN(test_sim_a_wait_stops_at_the_servers_timers);
    RUN(test_sim_a_server_that_is_not_serving_is_inert);
    RUN(test_sim_large_attachments_are_sent);
    RUN(test_sim_a_send_that_overflows_says_so);
    return TEST_REPORT();
}
