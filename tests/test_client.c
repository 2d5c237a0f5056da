/* Drives the whole client through an in-memory platform: the test plays the
 * server byte by byte, controls the clock and the random source, and reads
 * every byte the client writes.  No sockets are involved. */
#if (defined(SIO_WITH_BEARSSL) || defined(SIO_WITH_OPENSSL) || defined(SIO_WITH_MBEDTLS)) && !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L            /* setenv: the default backend's trust store */
#endif
#define SIO_IMPLEMENTATION
#include "sio.h"
#include "test.h"
#include <stdlib.h>

#include "mem_platform.h"

/* ---- tests ---- */

static void test_handshake_request_has_required_fields(void)
{
    sio_client *c;
    sio_config cfg;
    sio_event ev;
    const char *hdrs[] = { "X-Token: abc" };
    const char *protos[] = { "chat", "superchat" };
    const char *req = (const char *)net.out;
    char key[25];
    unsigned char raw[32];
    size_t raw_len = 0;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://example.test:8080/chat?room=1#frag";
    cfg.headers = hdrs; cfg.header_count = 1;
    cfg.protocols = protos; cfg.protocol_count = 2;
    net_reset();
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    CHECK_INT(sio_start(c), SIO_OK);
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    net.out[net.out_len] = 0;
    CHECK(strncmp(req, "GET /chat?room=1 HTTP/1.1\r\n", 27) == 0);
    CHECK(strstr(req, "\r\nHost: example.test:8080\r\n") != NULL);
    CHECK(strstr(req, "\r\nUpgrade: websocket\r\n") != NULL);
    CHECK(strstr(req, "\r\nConnection: Upgrade\r\n") != NULL);
    CHECK(strstr(req, "\r\nSec-WebSocket-Version: 13\r\n") != NULL);
    CHECK(strstr(req, "\r\nSec-WebSocket-Protocol: chat, superchat\r\n") != NULL);
    CHECK(strstr(req, "\r\nX-Token: abc\r\n") != NULL);
    CHECK(strstr(req, "\r\n\r\n") == req + net.out_len - 4);
    memset(key, 0, sizeof key);
    memcpy(key, strstr(req, "Sec-WebSocket-Key: ") + 19, 24);
    CHECK_INT(sio_base64_decode(key, 24, raw, &raw_len), SIO_OK);
    CHECK_INT(raw_len, 16);
    sio_destroy(c);
}

static void test_host_header_omits_default_port_and_brackets_ipv6(void)
{
    sio_client *c;
    sio_config cfg;
    sio_event ev;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://[::1]/";
    net_reset();
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    sio_start(c);
    sio_poll(c, &ev, 0);
    net.out[net.out_len] = 0;
    CHECK(strstr((const char *)net.out, "\r\nHost: [::1]\r\n") != NULL);
    sio_destroy(c);
    cfg.url = "ws://h.test/";
    cfg.port = 9001;                   /* the Incari Port field overrides the URL */
    net_reset();
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    sio_start(c);
    sio_poll(c, &ev, 0);
    net.out[net.out_len] = 0;
    CHECK(strstr((const char *)net.out, "\r\nHost: h.test:9001\r\n") != NULL);
    sio_destroy(c);
}

static void test_open_reports_the_chosen_subprotocol(void)
{
    sio_client *c;
    sio_config cfg;
    sio_event ev;
    const char *protos[] = { "chat" };
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://h.test/";
    cfg.protocols = protos; cfg.protocol_count = 1;
    net_reset();
    sio_create(&cfg, &c);
    sio_start(c);
    sio_poll(c, &ev, 0);
    server_accept("Sec-WebSocket-Protocol: chat\r\n");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_OPEN);
    CHECK_STR(ev.protocol, "chat");
    sio_destroy(c);
}

/* A server that echoes a subprotocol longer than the client's field used to
 * overwrite the fields after it; such offers are refused at sio_create and
 * the copy is bounded as well. */
static void test_long_subprotocol_is_refused_and_never_overflows(void)
{
    sio_client *c;
    sio_config cfg;
    sio_event ev;
    char longest[128], too_long[401], head[600];
    const char *protos[1];
    memset(longest, 'p', sizeof longest - 1); longest[sizeof longest - 1] = 0;
    memset(too_long, 'p', sizeof too_long - 1); too_long[sizeof too_long - 1] = 0;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://h.test/";
    cfg.protocols = protos; cfg.protocol_count = 1;
    protos[0] = too_long;
    net_reset();
    c = NULL;
    CHECK_INT(sio_create(&cfg, &c), SIO_ERR_TOO_BIG);
    CHECK(c == NULL);
    protos[0] = longest;               /* SIO_MAX_PROTOCOL bytes: offered and reported whole */
    CHECK_INT(strlen(longest), SIO_MAX_PROTOCOL);
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    sio_start(c);
    sio_poll(c, &ev, 0);
    snprintf(head, sizeof head, "Sec-WebSocket-Protocol: %s\r\n", longest);
    server_accept(head);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_OPEN);
    CHECK_STR(ev.protocol, longest);
    sio_destroy(c);
}

static void handshake_fails_with(const char *response, const char *needle)
{
    sio_client *c;
    sio_config cfg;
    sio_event ev;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://h.test/";
    net_reset();
    sio_create(&cfg, &c);
    sio_start(c);
    sio_poll(c, &ev, 0);
    if (response) server_send(response, strlen(response));
    else server_accept("Sec-WebSocket-Extensions: permessage-deflate\r\n");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK_INT(ev.error, SIO_ERR_HANDSHAKE);
    CHECK(strstr(ev.message, needle) != NULL);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CLOSE);
    CHECK_INT(ev.code, 1006);
    CHECK_INT(ev.clean, 0);
    CHECK_INT(net.sockets, 0);
    sio_destroy(c);
}

static void test_handshake_rejects_wrong_accept(void)
{
    handshake_fails_with("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                         "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n", "Sec-WebSocket-Accept");
}

static void test_handshake_rejects_non_101_status(void)
{
    handshake_fails_with("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", "HTTP 404 Not Found");
}

static void test_handshake_rejects_missing_upgrade(void)
{
    handshake_fails_with("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n\r\n", "Upgrade: websocket");
}

static void test_handshake_rejects_unoffered_extension(void)
{
    handshake_fails_with(NULL, "extension");
}

static void test_handshake_head_over_limit_fails(void)
{
    sio_client *c;
    sio_config cfg;
    sio_event ev;
    size_t i;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://h.test/";
    cfg.max_handshake = 1024;
    net_reset();
    sio_create(&cfg, &c);
    sio_start(c);
    sio_poll(c, &ev, 0);
    server_send("HTTP/1.1 101 OK\r\n", 17);
    for (i = 0; i < 100; i++) server_send("X-Filler: 0123456789abcdef\r\n", 28);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK_INT(ev.error, SIO_ERR_TOO_BIG);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CLOSE);
    sio_destroy(c);
}

static void test_frame_in_same_read_as_101_is_delivered(void)
{
    sio_client *c;
    sio_config cfg;
    sio_event ev;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://h.test/";
    net_reset();
    sio_create(&cfg, &c);
    sio_start(c);
    sio_poll(c, &ev, 0);
    server_accept(NULL);
    server_frame(1, SIO_WS_TEXT, "early", 5);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_OPEN);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_MESSAGE);
    CHECK_SPAN(ev.data, ev.len, "early");
    sio_destroy(c);
}

static void test_message_is_nul_terminated_and_next_frame_intact(void)
{
    sio_client *c = open_client(NULL);
    sio_event ev;
    CHECK(c != NULL);
    server_frame(1, SIO_WS_TEXT, "one", 3);
    server_frame(1, SIO_WS_BINARY, "two", 3);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_MESSAGE);
    CHECK_STR((const char *)ev.data, "one");
    CHECK_INT(ev.binary, 0);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_MESSAGE);   /* the borrowed byte was restored */
    CHECK_SPAN(ev.data, ev.len, "two");
    CHECK_INT(ev.binary, 1);
    CHECK_INT(ev.data[3], 0);
    sio_destroy(c);
}

static void test_message_arriving_one_byte_per_read(void)
{
    sio_client *c = open_client(NULL);
    sio_event ev;
    unsigned char big[300];
    memset(big, 'x', sizeof big);
    net.max_read = 1;
    server_frame(0, SIO_WS_TEXT, big, 100);
    server_frame(1, SIO_WS_CONTINUATION, big + 100, 200);
    CHECK_INT(sio_poll(c, &ev, 10000), 1);
    CHECK_INT(ev.type, SIO_EVENT_MESSAGE);
    CHECK_INT(ev.len, 300);
    sio_destroy(c);
}

static void test_client_frames_are_masked_with_fresh_keys(void)
{
    sio_client *c = open_client(NULL);
    sio_ws_frame f1, f2;
    sio_event ev;
    unsigned char p[16];
    CHECK_INT(sio_send_text(c, "Hello", 5), SIO_OK);
    CHECK_INT(sio_send_binary(c, "\x01\x02", 2), SIO_OK);
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    CHECK(client_frame(0, &f1, p));
    CHECK_INT(f1.masked, 1);
    CHECK_INT(f1.opcode, SIO_WS_TEXT);
    CHECK_SPAN(p, f1.length, "Hello");
    CHECK(client_frame(1, &f2, p));
    CHECK_INT(f2.masked, 1);
    CHECK_INT(f2.opcode, SIO_WS_BINARY);
    CHECK(memcmp(f1.mask, f2.mask, 4) != 0);
    CHECK(memcmp(f1.mask, "\0\0\0\0", 4) != 0);
    sio_destroy(c);
}

static void test_ping_is_answered_with_same_payload(void)
{
    sio_client *c = open_client(NULL);
    sio_event ev;
    sio_ws_frame f;
    unsigned char p[128];
    server_frame(1, SIO_WS_PING, "are you there", 13);
    server_frame(1, SIO_WS_TEXT, "after", 5);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_MESSAGE);
    CHECK_SPAN(ev.data, ev.len, "after");
    sio_poll(c, &ev, 0);
    CHECK(client_frame(0, &f, p));
    CHECK_INT(f.opcode, SIO_WS_PONG);
    CHECK_SPAN(p, f.length, "are you there");
    sio_destroy(c);
}

/* Answers to a burst leave in one write: output waits while the bytes
 * already read still hold messages, and goes before the next read. */
static void test_answers_to_a_burst_leave_in_one_write(void)
{
    sio_client *c = open_client(NULL);
    sio_event ev;
    sio_ws_frame f;
    unsigned char p[16];
    unsigned sends;
    int i;
    server_frame(1, SIO_WS_TEXT, "m0", 2);
    server_frame(1, SIO_WS_TEXT, "m1", 2);
    server_frame(1, SIO_WS_TEXT, "m2", 2);
    sends = net.sends;
    for (i = 0; i < 3; i++) {
        CHECK_INT(poll_type(c, &ev), SIO_EVENT_MESSAGE);
        CHECK_INT(sio_send_text(c, (const char *)ev.data, ev.len), SIO_OK);
    }
    CHECK_INT(net.sends, sends);                             /* nothing yet: m2 may have company */
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    CHECK_INT(net.sends, sends + 1);
    for (i = 0; i < 3; i++) {
        CHECK(client_frame((size_t)i, &f, p));
        CHECK_INT(f.opcode, SIO_WS_TEXT);
        CHECK_INT(p[1], '0' + i);
    }
    sio_destroy(c);
}

/* ... but not for long: a caller taking one event per frame has its answer
 * out at its next call, before the next event. */
static void test_answer_waits_at_most_a_millisecond_for_the_burst(void)
{
    sio_client *c = open_client(NULL);
    sio_event ev;
    sio_ws_frame f;
    unsigned char p[16];
    server_frame(1, SIO_WS_TEXT, "m0", 2);
    server_frame(1, SIO_WS_TEXT, "m1", 2);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_MESSAGE);
    CHECK_INT(sio_send_text(c, "a0", 2), SIO_OK);
    net.now += 16;                                           /* the next frame */
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_MESSAGE);
    CHECK(client_frame(0, &f, p));
    CHECK_SPAN(p, f.length, "a0");
    sio_destroy(c);
}

/* ---- keepalive (ping_interval_ms, pong_timeout_ms) ---- */

/* The keepalive engine alone: times in, verdicts out. */
static void test_keepalive_engine_by_time(void)
{
    sio__keepalive k;
    unsigned char pong[4];
    memset(&k, 0, sizeof k);
    k.interval = 1000;
    k.timeout = 300;
    sio__keepalive_start(&k, 5000);
    CHECK_INT((int)sio__keepalive_deadline(&k, 5000), 6000);
    CHECK_INT(sio__keepalive_due(&k, 5999, 5000), SIO__KEEPALIVE_NOTHING);
    CHECK_INT(sio__keepalive_due(&k, 6000, 5000), SIO__KEEPALIVE_PING);
    CHECK_INT((int)sio__keepalive_deadline(&k, 5000), 6300);  /* nothing read since: dead then */
    CHECK_INT((int)sio__keepalive_deadline(&k, 6100), 7000);  /* something read: the next ping */
    sio__keepalive_payload(&k, pong);
    CHECK_INT(sio__keepalive_pong(&k, pong, 3, 6050), -1);   /* not ours: wrong length */
    CHECK_INT(sio__keepalive_pong(&k, pong, 4, 6050), 50);
    CHECK_INT(sio__keepalive_pong(&k, pong, 4, 6060), -1);   /* answered already */
    CHECK_INT(sio__keepalive_due(&k, 7000, 6050), SIO__KEEPALIVE_PING);
    CHECK_INT(sio__keepalive_due(&k, 7299, 6050), SIO__KEEPALIVE_NOTHING);
    CHECK_INT(sio__keepalive_due(&k, 7300, 6050), SIO__KEEPALIVE_DEAD);
    sio__keepalive_stop(&k);
    CHECK_INT(sio__keepalive_due(&k, 99999, 0), SIO__KEEPALIVE_NOTHING);
    CHECK_INT((int)sio__keepalive_deadline(&k, 0), 0);
    k.interval = 0;                                          /* off */
    sio__keepalive_start(&k, 5000);
    CHECK_INT((int)sio__keepalive_deadline(&k, 5000), 0);
}

static sio_client *keepalive_client(int interval, int timeout)
{
    sio_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://example.test:8080/chat";
    cfg.ping_interval_ms = interval;
    cfg.pong_timeout_ms = timeout;
    return open_client(&cfg);
}

/* The n-th client frame must be a keepalive ping; its payload (4 bytes) in p. */
static int keepalive_ping(size_t n, unsigned char *p)
{
    sio_ws_frame f;
    return client_frame(n, &f, p) && f.opcode == SIO_WS_PING && f.length == 4;
}

static void test_keepalive_pings_every_interval_and_reports_the_round_trip(void)
{
    sio_client *c = keepalive_client(1000, 500);
    sio_event ev;
    unsigned char p[16];
    uint64_t opened = net.now;
    CHECK(c != NULL);
    if (!c) return;
    CHECK_INT(sio_next_timeout_ms(c), 1000);
    CHECK_INT(sio_poll(c, &ev, 999), 0);
    CHECK_INT((int)net.out_len, 0);                          /* not before the interval */
    CHECK_INT(sio_poll(c, &ev, 1), 0);
    CHECK(keepalive_ping(0, p));
    CHECK_INT((int)(net.now - opened), 1000);
    net.now += 7;
    server_frame(1, SIO_WS_PONG, p, 4);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_PONG);
    CHECK_INT(ev.rtt_ms, 7);
    CHECK(ev.len == 4 && memcmp(ev.data, p, 4) == 0);
    net.out_len = 0;
    CHECK_INT(sio_poll(c, &ev, 993), 0);                    /* answered: the next one, a new number */
    CHECK(keepalive_ping(0, p + 4));
    CHECK(memcmp(p, p + 4, 4) != 0);
    server_frame(1, SIO_WS_PONG, p, 4);                      /* the old number: no round trip */
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_PONG);
    CHECK_INT(ev.rtt_ms, -1);
    CHECK_INT(sio_get_state(c), SIO_STATE_OPEN);
    sio_destroy(c);
}

/* No answer: dead within interval + timeout, not a moment sooner, with a
 * sentence and CLOSE 1006; before, a silent server held the client open
 * for ever. */
static void test_keepalive_finds_a_silent_server_dead(void)
{
    sio_client *c = keepalive_client(1000, 500);
    sio_event ev;
    uint64_t opened = net.now;
    int i;
    CHECK(c != NULL);
    if (!c) return;
    for (i = 0; i < 1000 && sio_poll(c, &ev, 10) == 0; i++) {}
    CHECK_INT(ev.type, SIO_EVENT_ERROR);
    CHECK_INT(ev.error, SIO_ERR_TIMEOUT);
    CHECK(strstr(ev.message, "within 500 ms of a ping") != NULL);
    CHECK_INT((int)(net.now - opened), 1500);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CLOSE);
    CHECK_INT(ev.code, SIO_CLOSE_ABNORMAL);
    CHECK_INT(net.sockets, 0);
    sio_destroy(c);
}

/* Anything read after the ping proves the server alive (its pong may be
 * behind a burst), and an unanswered ping keeps its deadline. */
static void test_keepalive_data_after_a_ping_keeps_the_connection(void)
{
    sio_client *c = keepalive_client(1000, 500);
    sio_event ev;
    unsigned char p[16];
    uint64_t pinged;
    CHECK(c != NULL);
    if (!c) return;
    CHECK_INT(sio_poll(c, &ev, 1000), 0);
    CHECK(keepalive_ping(0, p));
    net.now += 400;
    server_frame(1, SIO_WS_TEXT, "busy", 4);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_MESSAGE);
    CHECK_INT(sio_poll(c, &ev, 550), 0);                     /* 950 ms after the ping: alive */
    CHECK_INT(sio_get_state(c), SIO_STATE_OPEN);
    net.out_len = 0;
    CHECK_INT(sio_poll(c, &ev, 50), 0);                      /* the next ping, a new number */
    pinged = net.now;
    CHECK(keepalive_ping(0, p + 4));
    CHECK(memcmp(p, p + 4, 4) != 0);
    CHECK_INT(sio_poll(c, &ev, 499), 0);
    CHECK_INT(sio_get_state(c), SIO_STATE_OPEN);
    CHECK_INT(sio_poll(c, &ev, 2), 1);                       /* due at 500 ms: the socket is looked at, */
    CHECK_INT(ev.type, SIO_EVENT_ERROR);                     /* found empty, and then it is dead */
    CHECK_INT((int)(net.now - pinged), 500);
    sio_destroy(c);
}

/* A pong that came while the application was busy (longer than the pong
 * timeout) is read before any verdict: the connection is alive.  Before,
 * it was declared dead with the pong unread. */
static void test_keepalive_reads_a_waiting_pong_before_a_verdict(void)
{
    sio_client *c = keepalive_client(1000, 500);
    sio_event ev;
    unsigned char p[16];
    CHECK(c != NULL);
    if (!c) return;
    CHECK_INT(sio_poll(c, &ev, 1000), 0);
    CHECK(keepalive_ping(0, p));
    net.now += 50;
    server_frame(1, SIO_WS_PONG, p, 4);                      /* it arrives ... */
    net.now += 2000;                                         /* ... while the application is busy */
    CHECK_INT(sio_poll(c, &ev, 100), 1);
    CHECK_INT(ev.type, SIO_EVENT_PONG);
    CHECK_INT(sio_get_state(c), SIO_STATE_OPEN);
    sio_destroy(c);
}

/* Off by default; a pong to sio_send_ping is still reported, without a
 * round trip; pong_timeout_ms < 0 pings without ever giving up. */
static void test_keepalive_off_by_default_and_pongs_still_reported(void)
{
    sio_client *c = open_client(NULL);
    sio_event ev;
    CHECK(c != NULL);
    if (!c) return;
    CHECK_INT(sio_next_timeout_ms(c), -1);
    CHECK_INT(sio_poll(c, &ev, 600000), 0);
    CHECK_INT((int)net.out_len, 0);
    CHECK_INT(sio_send_ping(c, "hi", 2), SIO_OK);
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    server_frame(1, SIO_WS_PONG, "hi", 2);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_PONG);
    CHECK_SPAN(ev.data, ev.len, "hi");
    CHECK_INT(ev.rtt_ms, -1);
    sio_destroy(c);
    c = keepalive_client(1000, -1);
    CHECK(c != NULL);
    if (!c) return;
    CHECK_INT(sio_poll(c, &ev, 60000), 0);
    CHECK_INT(sio_get_state(c), SIO_STATE_OPEN);
    CHECK(net.out_len >= 59 * 10);                           /* still pinging */
    sio_destroy(c);
}

/* ---- WebSocket reconnection (reconnect = SIO_RECONNECT_ON) ---- */

static sio_client *reconnecting_client(sio_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->url = "ws://example.test:8080/feed?room=1";
    cfg->reconnect = SIO_RECONNECT_ON;
    cfg->reconnect_jitter_pct = -1;                          /* delays exactly 1000, 2000, 4000, 5000 */
    return open_client(cfg);
}

/* Polls (the clock moves while idle) until the client wrote a handshake on
 * a new connection; the milliseconds that took, or -1. */
static long ws_wait_for_attempt(sio_client *c)
{
    uint64_t t0 = net.now;
    sio_event ev;
    int i;
    for (i = 0; i < 200 && !strstr((const char *)net.out, "GET "); i++)
        if (sio_poll(c, &ev, 50) == 1 && ev.type != SIO_EVENT_RECONNECTING) return -1;
    return strstr((const char *)net.out, "GET ") ? (long)(net.now - t0) : -1;
}

static void ws_new_connection(void)
{
    net.in_len = net.in_pos = net.out_len = 0;
    net.eof = 0;
    memset(net.out, 0, 4096);
}

/* A lost connection is retried with backoff; what was sent meanwhile goes
 * out first on the new one, in order; RECONNECT replaces OPEN.  Before, a
 * WebSocket client just closed. */
static void test_ws_reconnects_and_sends_what_was_queued(void)
{
    sio_config cfg;
    sio_client *c = reconnecting_client(&cfg);
    sio_event ev;
    sio_ws_frame f;
    unsigned char p[64];
    long waited;
    CHECK(c != NULL);
    if (!c) return;
    server_frame(1, SIO_WS_CLOSE, "\x03\xe9", 2);                /* 1001: the server restarts */
    net.eof = 1;
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_RECONNECTING);
    CHECK_INT(ev.attempt, 1);
    CHECK_INT(ev.delay_ms, 1000);
    CHECK_INT(ev.code, 1001);
    CHECK_INT(sio_get_state(c), SIO_STATE_RECONNECTING);
    CHECK_INT(sio_send_text(c, "one", 3), SIO_OK);           /* kept for the next connection */
    CHECK_INT(sio_send_binary(c, "\x02", 1), SIO_OK);
    CHECK_INT(sio_send_ping(c, "", 0), SIO_ERR_STATE);       /* a ping means nothing later */
    ws_new_connection();
    waited = ws_wait_for_attempt(c);
    CHECK(waited >= 1000 && waited <= 1050);                 /* the delay, then the connect's step */
    CHECK(strstr((const char *)net.out, "GET /feed?room=1 HTTP/1.1\r\n") != NULL);
    server_accept(NULL);
    net.out_len = 0;
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_RECONNECT);
    CHECK_INT(ev.attempt, 1);
    CHECK_INT(sio_send_text(c, "three", 5), SIO_OK);
    sio_poll(c, &ev, 0);
    CHECK(client_frame(0, &f, p));
    CHECK_SPAN(p, f.length, "one");
    CHECK(client_frame(1, &f, p) && f.opcode == SIO_WS_BINARY && f.length == 1 && p[0] == 2);
    CHECK(client_frame(2, &f, p));
    CHECK_SPAN(p, f.length, "three");
    net.eof = 1;                                             /* lost again: the backoff started over */
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_RECONNECTING);
    CHECK_INT(ev.attempt, 1);
    CHECK_INT(ev.code, SIO_CLOSE_ABNORMAL);
    CHECK_INT(sio_stop(c), SIO_OK);                          /* the application ends it */
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CLOSE);
    CHECK_INT(sio_get_state(c), SIO_STATE_IDLE);
    sio_destroy(c);
}

/* sio_stop while the server's close is being answered (CLOSE_WAIT) ends
 * the run: CLOSE, not a reconnection.  Before, the stop was ignored. */
static void test_ws_stop_while_closing_does_not_reconnect(void)
{
    sio_config cfg;
    sio_client *c = reconnecting_client(&cfg);
    sio_event ev;
    CHECK(c != NULL);
    if (!c) return;
    server_frame(1, SIO_WS_CLOSE, "\x03\xe9", 2);                /* 1001, TCP kept open */
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    CHECK_INT(sio_get_state(c), SIO_STATE_CLOSING);
    CHECK_INT(sio_send_text(c, "late", 4), SIO_OK);          /* kept: a reconnection would follow */
    CHECK_INT(sio_stop(c), SIO_OK);
    net.eof = 1;
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);           /* ... but the application ended it */
    CHECK(strstr(ev.message, "1 messages kept while reconnecting were not sent") != NULL);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CLOSE);
    CHECK_INT(ev.code, 1001);
    CHECK_INT(sio_get_state(c), SIO_STATE_IDLE);
    sio_destroy(c);
}

/* Headers and query replaced while RECONNECTING (a token that expired) are
 * in the next handshake, the old ones gone. */
static void test_ws_new_credentials_take_effect_at_the_next_handshake(void)
{
    sio_config cfg;
    const char *h1[] = { "Authorization: Bearer old" }, *h2[] = { "Authorization: Bearer new", "X-Try: 2" };
    const char *q2[] = { "token=fresh" }, *bad[] = { "Bad Header" };
    sio_client *c;
    sio_event ev;
    memset(&cfg, 0, sizeof cfg);
    c = reconnecting_client(&cfg);
    CHECK(c != NULL);
    if (!c) return;
    CHECK_INT(sio_set_headers(c, h1, 1), SIO_OK);
    net.eof = 1;
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_RECONNECTING);
    CHECK_INT(sio_set_headers(c, h2, 2), SIO_OK);
    CHECK_INT(sio_set_headers(c, bad, 1), SIO_ERR_INVALID);  /* refused: nothing changes */
    CHECK_INT(sio_set_query(c, q2, 1), SIO_OK);
    ws_new_connection();
    CHECK(ws_wait_for_attempt(c) > 0);
    CHECK(strstr((const char *)net.out, "GET /feed?room=1&token=fresh HTTP/1.1\r\n") != NULL);
    CHECK(strstr((const char *)net.out, "Authorization: Bearer new\r\nX-Try: 2\r\n") != NULL);
    CHECK(strstr((const char *)net.out, "old") == NULL);
    CHECK(strstr((const char *)net.out, "Host: example.test:8080\r\n") != NULL);
    sio_destroy(c);
}

/* Attempts used up: RECONNECT_FAILED, the messages kept are reported as not
 * sent, then CLOSE; refused instead of kept when the caller chose so. */
static void test_ws_gives_up_after_the_attempts_and_says_what_was_lost(void)
{
    sio_config cfg;
    sio_client *c;
    sio_event ev;
    int i, lost = 0, failed = 0;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://example.test:8080/feed";
    cfg.reconnect = SIO_RECONNECT_ON;
    cfg.reconnect_attempts = 2;
    c = open_client(&cfg);
    CHECK(c != NULL);
    if (!c) return;
    net.eof = 1;
    net.connect_fail = 1;                                    /* the server does not come back */
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_RECONNECTING);
    CHECK_INT(sio_send_text(c, "kept", 4), SIO_OK);
    for (i = 0; i < 400 && sio_poll(c, &ev, 50) >= 0 && ev.type != SIO_EVENT_CLOSE; i++) {
        if (ev.type == SIO_EVENT_RECONNECT_FAILED) failed++;
        if (ev.type == SIO_EVENT_ERROR && strstr(ev.message, "1 messages kept while reconnecting were not sent")) lost++;
    }
    CHECK_INT(ev.type, SIO_EVENT_CLOSE);
    CHECK_INT(failed, 1);
    CHECK_INT(lost, 1);
    CHECK_INT(sio_get_state(c), SIO_STATE_IDLE);
    CHECK_INT(sio_send_text(c, "late", 4), SIO_ERR_STATE);
    sio_destroy(c);
    memset(&cfg, 0, sizeof cfg);
    c = reconnecting_client(&cfg);
    CHECK(c != NULL);
    if (!c) return;
    sio_destroy(c);
    cfg.reconnect_queue = SIO_RECONNECT_REFUSE;
    c = open_client(&cfg);
    CHECK(c != NULL);
    if (!c) return;
    net.eof = 1;
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_RECONNECTING);
    CHECK_INT(sio_send_text(c, "refused", 7), SIO_ERR_STATE);
    sio_destroy(c);
}

static void test_server_close_is_echoed_and_reported_clean(void)
{
    sio_client *c = open_client(NULL);
    sio_event ev;
    sio_ws_frame f;
    unsigned char p[128];
    server_frame(1, SIO_WS_CLOSE, "\x0f\xa1" "bye", 5);          /* 4001 "bye" */
    CHECK_INT(sio_poll(c, &ev, 0), 0);                           /* waits for TCP EOF */
    CHECK(client_frame(0, &f, p));
    CHECK_INT(f.opcode, SIO_WS_CLOSE);
    CHECK_INT(f.length, 2);
    CHECK_INT((p[0] << 8) | p[1], 4001);
    net.eof = 1;
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CLOSE);
    CHECK_INT(ev.code, 4001);
    CHECK_STR(ev.reason, "bye");
    CHECK_INT(ev.clean, 1);
    CHECK_INT(net.sockets, 0);
    sio_destroy(c);
}

static void test_stop_sends_close_1000_and_waits_for_server(void)
{
    sio_client *c = open_client(NULL);
    sio_event ev;
    sio_ws_frame f;
    unsigned char p[128];
    CHECK_INT(sio_stop(c), SIO_OK);
    CHECK_INT(sio_get_state(c), SIO_STATE_CLOSING);
    CHECK_INT(sio_send_text(c, "late", 4), SIO_ERR_STATE);
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    CHECK(client_frame(0, &f, p));
    CHECK_INT(f.opcode, SIO_WS_CLOSE);
    CHECK_INT((p[0] << 8) | p[1], 1000);
    server_frame(1, SIO_WS_CLOSE, "\x03\xe8", 2);
    net.eof = 1;
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CLOSE);
    CHECK_INT(ev.code, 1000);
    CHECK_INT(ev.clean, 1);
    CHECK_INT(sio_get_state(c), SIO_STATE_IDLE);
    sio_destroy(c);
}

static void test_close_timeout_when_server_never_answers(void)
{
    sio_client *c = open_client(NULL);
    sio_event ev;
    uint64_t t0 = net.now;
    sio_stop(c);
    CHECK_INT(poll_type(c, &ev) == SIO_EVENT_CLOSE ? 0 : sio_poll(c, &ev, 10000), 1);
    CHECK_INT(ev.type, SIO_EVENT_CLOSE);
    CHECK_INT(ev.code, 1006);
    CHECK_INT(ev.clean, 0);
    CHECK(net.now - t0 >= 5000 && net.now - t0 < 6000);
    sio_destroy(c);
}

static void test_protocol_error_sends_1002_then_drops(void)
{
    sio_client *c = open_client(NULL);
    sio_event ev;
    sio_ws_frame f;
    unsigned char p[128];
    server_send("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11);   /* masked "Hello" */
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK_INT(ev.error, SIO_ERR_PROTOCOL);
    CHECK(strstr(ev.message, "masked") != NULL);
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    CHECK(client_frame(0, &f, p));
    CHECK_INT(f.opcode, SIO_WS_CLOSE);
    CHECK_INT((p[0] << 8) | p[1], 1002);
    net.eof = 1;
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CLOSE);
    CHECK_INT(ev.code, 1002);
    CHECK_INT(ev.clean, 0);
    sio_destroy(c);
}

static void test_invalid_utf8_text_fails_with_1007(void)
{
    sio_client *c = open_client(NULL);
    sio_event ev;
    sio_ws_frame f;
    unsigned char p[128];
    server_frame(1, SIO_WS_TEXT, "ok\xed\xa0\x80", 5);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    sio_poll(c, &ev, 0);
    CHECK(client_frame(0, &f, p));
    CHECK_INT((p[0] << 8) | p[1], 1007);
    sio_destroy(c);
}

static void test_message_over_limit_fails_with_1009(void)
{
    sio_client *c;
    sio_config cfg;
    sio_event ev;
    sio_ws_frame f;
    unsigned char p[128];
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://h.test/";
    cfg.max_message = 100;
    c = open_client(&cfg);
    CHECK(c != NULL);
    server_send("\x82\x7e\x03\xe8", 4);          /* header of a 1000-byte frame only */
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK_INT(ev.error, SIO_ERR_TOO_BIG);
    sio_poll(c, &ev, 0);
    CHECK(client_frame(0, &f, p));
    CHECK_INT((p[0] << 8) | p[1], 1009);
    sio_destroy(c);
}

static void test_eof_without_close_frame_is_abnormal(void)
{
    sio_client *c = open_client(NULL);
    sio_event ev;
    net.eof = 1;
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK_INT(ev.error, SIO_ERR_CLOSED);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CLOSE);
    CHECK_INT(ev.code, 1006);
    CHECK_INT(ev.clean, 0);
    sio_destroy(c);
}

static void test_connect_timeout(void)
{
    sio_client *c;
    sio_config cfg;
    sio_event ev;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://h.test/";
    cfg.connect_timeout_ms = 500;
    net_reset();
    net.connected_after = 1000000;
    sio_create(&cfg, &c);
    sio_start(c);
    CHECK_INT(sio_poll(c, &ev, 2000), 1);
    CHECK_INT(ev.type, SIO_EVENT_ERROR);
    CHECK_INT(ev.error, SIO_ERR_TIMEOUT);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CLOSE);
    CHECK_INT(net.sockets, 0);
    sio_destroy(c);
}

static void test_connect_failure_reports_error_then_close(void)
{
    sio_client *c;
    sio_config cfg;
    sio_event ev;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://h.test/";
    cfg.name = "plc";
    net_reset();
    net.connect_fail = 1;
    sio_create(&cfg, &c);
    CHECK_INT(sio_start(c), SIO_OK);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK(strstr(ev.message, "Connection refused") != NULL);
    CHECK_STR(ev.name, "plc");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CLOSE);
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    sio_destroy(c);
}

static void fallback_case(unsigned refuse, unsigned async_refuse)
{
    sio_client *c;
    sio_config cfg;
    sio_event ev;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://dual-stack.test/";
    net_reset();
    net.addresses = 3;
    net.refuse_first = refuse;
    net.async_refuse_first = async_refuse;
    sio_create(&cfg, &c);
    sio_start(c);
    sio_poll(c, &ev, 0);               /* each poll learns of one failed attempt */
    sio_poll(c, &ev, 0);
    sio_poll(c, &ev, 0);
    CHECK_INT(net.attempt, 2);
    server_accept(NULL);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_OPEN);
    sio_destroy(c);
}

static void test_next_address_after_immediate_or_async_failure(void)
{
    fallback_case(2, 0);      /* first two addresses refuse at once */
    fallback_case(0, 2);      /* first two fail while connecting (IPv6 unreachable) */
}

static void test_all_addresses_failing_reports_the_first_error(void)
{
    sio_client *c;
    sio_config cfg;
    sio_event ev;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://dual-stack.test/";
    net_reset();
    net.addresses = 2;
    net.async_refuse_first = 2;
    sio_create(&cfg, &c);
    sio_start(c);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK(strstr(ev.message, "unreachable") != NULL);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CLOSE);
    sio_destroy(c);
}

static void test_send_queue_limit_rejects_without_queueing(void)
{
    sio_client *c;
    sio_config cfg;
    static char big[2000];
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://h.test/";
    cfg.max_send_queue = 1500;
    c = open_client(&cfg);
    memset(big, 'a', sizeof big);
    CHECK_INT(sio_send_text(c, big, 1000), SIO_OK);
    CHECK_INT(sio_queued_bytes(c), 1008);
    CHECK_INT(sio_send_text(c, big, 1000), SIO_ERR_FULL);
    CHECK_INT(sio_queued_bytes(c), 1008);
    CHECK_INT(sio_wants_write(c), 1);
    sio_destroy(c);
}

static void test_send_rejects_invalid_utf8_and_before_open(void)
{
    sio_client *c;
    sio_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://h.test/";
    net_reset();
    sio_create(&cfg, &c);
    CHECK_INT(sio_send_text(c, "x", 1), SIO_ERR_STATE);
    sio_destroy(c);
    c = open_client(NULL);
    CHECK_INT(sio_send_text(c, "\xc0\x80", 2), SIO_ERR_INVALID);
    CHECK_INT(sio_send_ping(c, "x", 126), SIO_ERR_INVALID);
    CHECK_INT(sio_close(c, 1005, ""), SIO_ERR_INVALID);
    sio_destroy(c);
}

static void test_outgoing_fragmentation(void)
{
    sio_client *c;
    sio_config cfg;
    sio_event ev;
    sio_ws_frame f;
    unsigned char p[64];
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://h.test/";
    cfg.send_fragment_size = 4;
    c = open_client(&cfg);
    CHECK_INT(sio_send_text(c, "0123456789", 10), SIO_OK);
    sio_poll(c, &ev, 0);
    CHECK(client_frame(0, &f, p)); CHECK_INT(f.opcode, SIO_WS_TEXT); CHECK_INT(f.fin, 0); CHECK_SPAN(p, f.length, "0123");
    CHECK(client_frame(1, &f, p)); CHECK_INT(f.opcode, SIO_WS_CONTINUATION); CHECK_INT(f.fin, 0); CHECK_SPAN(p, f.length, "4567");
    CHECK(client_frame(2, &f, p)); CHECK_INT(f.opcode, SIO_WS_CONTINUATION); CHECK_INT(f.fin, 1); CHECK_SPAN(p, f.length, "89");
    sio_destroy(c);
}

static void test_partial_writes_keep_byte_order(void)
{
    sio_client *c = open_client(NULL);
    sio_event ev;
    sio_ws_frame f;
    unsigned char p[64];
    int i;
    net.max_write = 3;
    sio_send_text(c, "first", 5);
    sio_send_text(c, "second", 6);
    for (i = 0; i < 20; i++) sio_poll(c, &ev, 0);
    CHECK(client_frame(0, &f, p)); CHECK_SPAN(p, f.length, "first");
    CHECK(client_frame(1, &f, p)); CHECK_SPAN(p, f.length, "second");
    CHECK_INT(sio_queued_bytes(c), 0);
    sio_destroy(c);
}

static void test_random_failure_never_sends_unmasked(void)
{
    sio_client *c = open_client(NULL);
    net.random_fail = 1;
    c->sys.random_left = 0;               /* force a refill */
    CHECK(sio_send_text(c, "x", 1) != SIO_OK);
    sio_destroy(c);
}

/* A message the random source fails in the middle of is not sent in part:
 * its first fragments would open a message that never ends. */
static void test_random_failure_leaves_no_partial_fragmented_message(void)
{
    sio_config cfg;
    sio_client *c;
    sio_event ev;
    sio_ws_frame f;
    unsigned char payload[64];
    size_t i;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://h.test/";
    cfg.send_fragment_size = 10;
    c = open_client(&cfg);
    CHECK(c != NULL);
    if (!c) return;
    c->sys.random_left = 8;                 /* two masking keys left in the pool */
    net.random_fail = 1;
    CHECK(sio_send_text(c, "0123456789abcdefghijABCDE", 25) != SIO_OK);   /* needs three */
    sio_poll(c, &ev, 0);
    for (i = 0; client_frame(i, &f, payload); i++) {}
    CHECK_INT(i, 0);                        /* nothing of the refused message went out */
    sio_destroy(c);
}

/* The server's close could not be answered (no randomness for the mask):
 * the close is an error, not a clean one. */
static void test_close_echo_that_cannot_be_queued_is_not_clean(void)
{
    sio_client *c = open_client(NULL);
    sio_event ev;
    if (!c) { CHECK(c != NULL); return; }
    c->sys.random_left = 0;
    net.random_fail = 1;
    server_frame(1, SIO_WS_CLOSE, "\x03\xe8", 2);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK_INT(ev.error, SIO_ERR_IO);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CLOSE);
    CHECK_INT(ev.clean, 0);
    CHECK_INT(ev.code, SIO_CLOSE_ABNORMAL);
    CHECK_INT((int)net.out_len, 0);         /* no unmasked close went out instead */
    sio_destroy(c);
}

/* max_send_queue SIZE_MAX ("no bound"): the pong slack must not wrap the
 * bound around to 4 KiB, which skipped pongs behind a small backlog. */
static void test_unbounded_send_queue_still_answers_pings(void)
{
    static unsigned char big[4000];
    sio_config cfg;
    sio_client *c;
    sio_event ev;
    sio_ws_frame f;
    static unsigned char p[4096];
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://h.test/";
    cfg.max_send_queue = (size_t)-1;
    c = open_client(&cfg);
    if (!c) { CHECK(c != NULL); return; }
    net.out_len = sizeof net.out;           /* the server reads nothing for now */
    CHECK_INT(sio_send_binary(c, big, sizeof big), SIO_OK);
    CHECK_INT(sio_send_binary(c, big, sizeof big), SIO_OK);
    sio_poll(c, &ev, 0);
    server_frame(1, SIO_WS_PING, "p", 1);
    sio_poll(c, &ev, 0);
    net.out_len = 0;                        /* it reads again */
    sio_poll(c, &ev, 0);
    sio_poll(c, &ev, 0);
    CHECK(client_frame(2, &f, p) && f.opcode == SIO_WS_PONG);
    sio_destroy(c);
}

static void test_restart_after_close(void)
{
    sio_client *c = open_client(NULL);
    sio_event ev;
    net.eof = 1;
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CLOSE);
    net_reset();
    CHECK_INT(sio_start(c), SIO_OK);
    sio_poll(c, &ev, 0);
    server_accept(NULL);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_OPEN);
    sio_destroy(c);
}

static long live_blocks;
static void *counting_realloc(void *user, void *ptr, size_t size)
{
    (void)user;
    if (size == 0) { if (ptr) live_blocks--; free(ptr); return NULL; }
    if (!ptr) live_blocks++;
    return realloc(ptr, size);
}

/* Steady state costs no allocation: unfragmented frames in, texts, binaries
 * and pings out, once the buffers have grown to the traffic. */
static long alloc_calls;
static void *calls_realloc(void *user, void *ptr, size_t size)
{
    (void)user;
    if (size) alloc_calls++;
    return realloc(ptr, size);
}

static void test_steady_state_has_no_allocations(void)
{
    sio_client *c;
    sio_config cfg;
    sio_event ev;
    long before = 0;
    int i;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://h.test/";
    cfg.allocator.realloc = calls_realloc;
    c = open_client(&cfg);
    CHECK(c != NULL);
    for (i = 0; i < 1050; i++) {
        char text[32];
        int n = snprintf(text, sizeof text, "message %d", i);
        if (i == 50) before = alloc_calls;               /* warmed up */
        server_frame(1, i % 2 ? SIO_WS_BINARY : SIO_WS_TEXT, text, (size_t)n);
        server_frame(1, SIO_WS_PING, "p", 1);
        CHECK_INT(poll_type(c, &ev), SIO_EVENT_MESSAGE);
        CHECK_INT(sio_send_text(c, text, (size_t)n), SIO_OK);
        CHECK_INT(sio_send_binary(c, text, (size_t)n), SIO_OK);
        sio_poll(c, &ev, 0);                             /* the pong and both messages go out */
        net.out_len = 0;
        if (net.in_pos == net.in_len) net.in_pos = net.in_len = 0;
    }
    CHECK_INT(alloc_calls - before, 0);
    sio_destroy(c);
}

static void test_custom_allocator_sees_every_block(void)
{
    sio_client *c;
    sio_config cfg;
    sio_event ev;
    static unsigned char big[200000];
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://h.test/";
    cfg.allocator.realloc = counting_realloc;
    live_blocks = 0;
    c = open_client(&cfg);
    CHECK(live_blocks > 0);
    memset(big, 'z', sizeof big);
    server_frame(0, SIO_WS_BINARY, big, 100000);
    server_frame(1, SIO_WS_CONTINUATION, big, 100000);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_MESSAGE);
    CHECK_INT(ev.len, 200000);
    sio_destroy(c);
    CHECK_INT(live_blocks, 0);
}

/* Every allocation failing in turn: the k-th call (and all after it) says
 * no.  Whatever fails, nothing crashes or leaks, and a started client
 * still ends in exactly one CLOSE (the event queue's growth failing
 * included). */
static long fail_after, alloc_seen;
static void *failing_realloc(void *user, void *ptr, size_t size)
{
    (void)user;
    if (size == 0) { if (ptr) live_blocks--; free(ptr); return NULL; }
    if (++alloc_seen > fail_after) return NULL;
    if (!ptr) live_blocks++;
    return realloc(ptr, size);
}

static void test_every_allocation_failing_still_ends_in_one_close(void)
{
    long k, tried_all = 0;
    for (k = 0; k < 1000 && !tried_all; k++) {
        sio_client *c = NULL;
        sio_config cfg;
        sio_event ev;
        int closes = 0, i;
        static unsigned char big[20000];
        memset(&cfg, 0, sizeof cfg);
        cfg.url = "ws://h.test/";
        cfg.allocator.realloc = failing_realloc;
        fail_after = k;
        alloc_seen = 0;
        live_blocks = 0;
        net_reset();
        if (sio_create(&cfg, &c) != SIO_OK) { CHECK(c == NULL); CHECK_INT(live_blocks, 0); continue; }
        if (sio_start(c) == SIO_OK) {
            int accepted = 0, closed_by_server = 0;
            for (i = 0; i < 50; i++) {
                if (sio_poll(c, &ev, 0) == 1) {
                    if (ev.type == SIO_EVENT_CLOSE) closes++;
                    if (ev.type == SIO_EVENT_OPEN) { sio_send_text(c, "x", 1); sio_stop(c); }
                } else if (!accepted && net.out_len) {   /* the request is out: the server answers */
                    accepted = 1;
                    server_accept(NULL);
                    server_frame(1, SIO_WS_TEXT, "hello", 5);
                    server_frame(1, SIO_WS_BINARY, big, sizeof big);
                    server_frame(1, SIO_WS_PING, "p", 1);
                } else if (sio_get_state(c) == SIO_STATE_CLOSING && !closed_by_server) {
                    closed_by_server = 1;
                    server_frame(1, SIO_WS_CLOSE, "\x03\xe8", 2);
                    net.eof = 1;
                } else {
                    net.now += 1000;                     /* timers: a client that cannot read gives up */
                }
            }
            CHECK_INT(closes, 1);
            if (closes != 1) fprintf(stderr, "  (allocation %ld failing)\n", k + 1);
        }
        tried_all = alloc_seen <= fail_after;           /* no call failed: every one has been tried */
        sio_destroy(c);
        CHECK_INT(live_blocks, 0);
    }
    CHECK(tried_all);
}

/* A TLS backend that encrypts nothing (the bytes pass through its
 * buffers as they are), its sessions made with the failing allocator: the
 * library's TLS glue under every allocation failing in turn. */
typedef struct plain_tls {
    unsigned char in[4096], out[4096], clear[4096];
    size_t in_len, out_len, clear_len;
} plain_tls;
static void *plain_open(void *user, const char *host, char *err, size_t n)
{
    plain_tls *t = (plain_tls *)failing_realloc(user, NULL, sizeof *t);
    (void)host;
    if (!t) { snprintf(err, n, "out of memory"); return NULL; }
    memset(t, 0, sizeof *t);
    return t;
}
static void plain_close(void *s) { failing_realloc(NULL, s, 0); }
static unsigned char *plain_recv_buf(void *s, size_t *room)
{
    plain_tls *t = (plain_tls *)s;
    *room = sizeof t->in - t->in_len;
    return t->in + t->in_len;
}
static void plain_recv_done(void *s, size_t len) { ((plain_tls *)s)->in_len += len; }
static const unsigned char *plain_send_buf(void *s, size_t *len) { *len = ((plain_tls *)s)->out_len; return ((plain_tls *)s)->out; }
static void plain_send_done(void *s, size_t len)
{
    plain_tls *t = (plain_tls *)s;
    memmove(t->out, t->out + len, t->out_len - len);
    t->out_len -= len;
}
static const unsigned char *plain_read_buf(void *s, size_t *len) { *len = ((plain_tls *)s)->in_len; return ((plain_tls *)s)->in; }
static void plain_read_done(void *s, size_t len)
{
    plain_tls *t = (plain_tls *)s;
    memmove(t->in, t->in + len, t->in_len - len);
    t->in_len -= len;
}
static unsigned char *plain_write_buf(void *s, size_t *room)
{
    plain_tls *t = (plain_tls *)s;
    *room = sizeof t->out - t->out_len;
    return t->out + t->out_len;
}
static void plain_write_done(void *s, size_t len) { ((plain_tls *)s)->out_len += len; }
static int plain_status(void *s, char *err, size_t n) { (void)s; (void)err; (void)n; return 0; }

static void test_every_allocation_failing_with_a_tls_backend(void)
{
    static const sio_tls plain = { NULL, plain_open, plain_close, plain_recv_buf, plain_recv_done, plain_send_buf,
                                   plain_send_done, plain_read_buf, plain_read_done, plain_write_buf, plain_write_done,
                                   plain_status };
    long k, tried_all = 0;
    for (k = 0; k < 1000 && !tried_all; k++) {
        sio_client *c = NULL;
        sio_config cfg;
        sio_event ev;
        int closes = 0, i, accepted = 0, closed_by_server = 0, opened = 0;
        memset(&cfg, 0, sizeof cfg);
        cfg.url = "wss://h.test/";
        cfg.tls = &plain;
        cfg.allocator.realloc = failing_realloc;
        fail_after = k;
        alloc_seen = 0;
        live_blocks = 0;
        net_reset();
        if (sio_create(&cfg, &c) != SIO_OK) { CHECK(c == NULL); CHECK_INT(live_blocks, 0); continue; }
        if (sio_start(c) == SIO_OK) {
            for (i = 0; i < 60; i++) {
                if (sio_poll(c, &ev, 0) == 1) {
                    if (ev.type == SIO_EVENT_CLOSE) closes++;
                    if (ev.type == SIO_EVENT_OPEN) { opened = 1; sio_send_text(c, "x", 1); }
                    if (ev.type == SIO_EVENT_MESSAGE) sio_stop(c);
                } else if (!accepted && net.out_len) {
                    accepted = 1;
                    server_accept(NULL);
                    server_frame(1, SIO_WS_TEXT, "hello", 5);
                } else if (sio_get_state(c) == SIO_STATE_CLOSING && !closed_by_server) {
                    closed_by_server = 1;
                    server_frame(1, SIO_WS_CLOSE, "\x03\xe8", 2);
                    net.eof = 1;
                } else {
                    net.now += 1000;
                }
            }
            CHECK_INT(closes, 1);
            if (closes != 1) fprintf(stderr, "  (allocation %ld failing)\n", k + 1);
        }
        tried_all = alloc_seen <= fail_after && opened;
        sio_destroy(c);
        CHECK_INT(live_blocks, 0);
    }
    CHECK(tried_all);
}

/* A TLS engine that takes records in (a length byte, then that much
 * plaintext) and gives one record's plaintext per read_buf call, as OpenSSL
 * and mbedTLS do; an empty record is one that yields nothing, like a
 * TLS 1.3 session ticket, and a record of length 255 fails the session.
 * busy: it takes no input while it holds some.  No handshake, nothing to send. */
typedef struct record_tls {
    unsigned char in[4096], clear[256];
    size_t in_len, clear_len, clear_at;
    int failed, busy;
} record_tls;
static void *record_open(void *user, const char *host, char *err, size_t n)
{
    record_tls *t = (record_tls *)calloc(1, sizeof *t);
    (void)user; (void)host;
    if (!t) snprintf(err, n, "out of memory");
    return t;
}
static void record_close(void *s) { free(s); }
static unsigned char *record_recv_buf(void *s, size_t *room)
{
    record_tls *t = (record_tls *)s;
    *room = t->busy && t->in_len ? 0 : sizeof t->in - t->in_len;
    return *room ? t->in + t->in_len : NULL;
}
static void record_recv_done(void *s, size_t len) { ((record_tls *)s)->in_len += len; }
static const unsigned char *record_send_buf(void *s, size_t *len) { (void)s; *len = 0; return NULL; }
static void record_send_done(void *s, size_t len) { (void)s; (void)len; }
static const unsigned char *record_read_buf(void *s, size_t *len)
{
    record_tls *t = (record_tls *)s;
    if (t->clear_at == t->clear_len && !t->failed && t->in_len && t->in[0] == 255) t->failed = 1;
    if (t->clear_at == t->clear_len && !t->failed && t->in_len && (size_t)t->in[0] + 1 <= t->in_len) {   /* the next record */
        size_t n = t->in[0];
        memcpy(t->clear, t->in + 1, n);
        t->clear_at = 0;
        t->clear_len = n;
        memmove(t->in, t->in + 1 + n, t->in_len - 1 - n);
        t->in_len -= 1 + n;
    }
    *len = t->clear_len - t->clear_at;
    return *len ? t->clear + t->clear_at : NULL;
}
static void record_read_done(void *s, size_t len) { ((record_tls *)s)->clear_at += len; }
static unsigned char *record_write_buf(void *s, size_t *room) { (void)s; *room = 0; return NULL; }
static void record_write_done(void *s, size_t len) { (void)s; (void)len; }
static int record_status(void *s, char *err, size_t n)
{
    if (!((record_tls *)s)->failed) return 0;
    if (err && n) snprintf(err, n, "bad record");
    return -1;
}
static const sio_tls record_tls_backend = { NULL, record_open, record_close, record_recv_buf, record_recv_done,
                                            record_send_buf, record_send_done, record_read_buf, record_read_done,
                                            record_write_buf, record_write_done, record_status };

/* The records a test link's engine takes in next, and a read from it. */
static long record_read(sio__system *sys, sio__link *l, const void *records, size_t n, int may_read)
{
    char err[128];
    if (records) server_send(records, n);
    l->may_read = may_read;
    return sio__link_read(sys, l, 0, err, sizeof err);
}

/* Plaintext an engine holds after the socket is drained is read, not left
 * for a readiness that will not come: behind records that yield nothing
 * (session tickets), from an engine that takes no input while it holds
 * some, and a failure the engine reached while being looked at is
 * reported.  The client looks at every link that reads, the upgrade probe's
 * included, but not at a paused probe's: that waits for the switch. */
static void test_plaintext_held_by_tls_is_not_left_waiting(void)
{
    static const unsigned char records[] = { 1, 'a', 0, 0, 1, 'b' }, fatal[] = { 1, 'c', 0, 255 };
    sio__system sys;
    sio__link l;
    sio_client *c = NULL;
    sio_config cfg;
    char err[128];
    int busy;
    memset(&sys, 0, sizeof sys);
    sys.pf = &mem_platform;
    sys.tls = &record_tls_backend;
    for (busy = 0; busy <= 1; busy++) {
        net_reset();
        memset(&l, 0, sizeof l);
        CHECK_INT(mem_platform.connect(NULL, "h", 1, 0, &l.sock, err, sizeof err), SIO_OK);
        l.tls = record_open(NULL, "h", err, sizeof err);
        ((record_tls *)l.tls)->busy = busy;
        CHECK_INT(record_read(&sys, &l, records, sizeof records, 1), 1);   /* all four records in one socket read */
        CHECK_INT(net.in_pos, net.in_len);
        CHECK_INT(record_read(&sys, &l, NULL, 0, 0), 1);          /* "b", behind two empty records */
        CHECK_SPAN(l.rx + l.rx_start, l.rx_len - l.rx_start, "ab");
        CHECK_INT(record_read(&sys, &l, NULL, 0, 0), SIO_ERR_AGAIN);
        CHECK_INT(record_read(&sys, &l, fatal, sizeof fatal, 1), 1);
        CHECK_INT(record_read(&sys, &l, NULL, 0, 0), SIO_ERR_TLS);   /* not "would block" for ever */
        record_close(l.tls);
        l.tls = NULL;
        sio__link_free(&sys, &l);
    }

#if SIO__WITH_POLLING
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "https://h.test/";
    cfg.mode = SIO_MODE_SOCKETIO;
    cfg.tls = &record_tls_backend;
    net_reset();
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    CHECK(sio_next_timeout_ms(c) != 0);
    c->upgrade.link.tls = record_open(NULL, "h", err, sizeof err);
    memcpy(((record_tls *)c->upgrade.link.tls)->in, "\x06" "3probe", 7);   /* the probe's answer, inside TLS */
    ((record_tls *)c->upgrade.link.tls)->in_len = 7;
    c->upgrade.state = SIO__PROBE_PONG;                  /* waiting for it */
    CHECK_INT(sio_next_timeout_ms(c), 0);
    c->upgrade.state = SIO__PROBE_NONE;
    record_close(c->upgrade.link.tls);
    c->upgrade.link.tls = NULL;
    sio_destroy(c);
    {   /* a paused probe keeps what comes for after the switch, taken out of TLS */
        sio__upgrade u;
        sio__websocket ws;
        memset(&u, 0, sizeof u);
        memset(&ws, 0, sizeof ws);
        net_reset();
        CHECK_INT(mem_platform.connect(NULL, "h", 1, 0, &u.link.sock, err, sizeof err), SIO_OK);
        u.state = SIO__PROBE_PAUSE;
        u.link.tls = record_open(NULL, "h", err, sizeof err);
        memcpy(((record_tls *)u.link.tls)->in, "\x02" "hb", 3);
        ((record_tls *)u.link.tls)->in_len = 3;
        CHECK_INT(sio__upgrade_receive(&u, &sys, &ws, 4096), 1);
        CHECK_SPAN(u.link.rx + u.link.rx_start, u.link.rx_len - u.link.rx_start, "hb");
        CHECK(!sio__tls_buffered(&sys, &u.link));
        record_close(u.link.tls);
        u.link.tls = NULL;
        sio__link_free(&sys, &u.link);
    }
#else
    (void)c; (void)cfg;
#endif
}

/* A CLOSE the event queue had no room for is still owed to the
 * application: until it is polled, the client has not ended, and a new
 * start would see the old run's CLOSE arrive in the middle of it. */

#ifdef SIO_WITH_BEARSSL
/* Loading trust anchors with every allocation failing in turn: a failure
 * is SIO_ERR_NOMEM with nothing leaked, never an anchor with a missing key
 * (BearSSL would dereference it while verifying a chain). */
static void test_bearssl_anchors_with_every_allocation_failing(void)
{
    static const char pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIDJDCCAgygAwIBAgIUa+o7lNFzDhLAk0WCNicyMdXTdI8wDQYJKoZIhvcNAQEL\n"
    "BQAwKjESMBAGA1UECgwJc2lvIHRlc3RzMRQwEgYDVQQDDAtzaW8gdGVzdCBDQTAe\n"
    "Fw0yNjEyMDQxNTA5NDBaFw0zNjEyMDExNTA5NDBaMCoxEjAQBgNVBAoMCXNpbyB0\n"
    "ZXN0czEUMBIGA1UEAwwLc2lvIHRlc3QgQ0EwggEiMA0GCSqGSIb3DQEBAQUAA4IB\n"
    "DwAwggEKAoIBAQCq3kto7oDoXe0EmV/joNUYGhTqM6PLNMHtPtmjNTZ7ZHioYLDX\n"
    "2RfDcD6JQUqum3C+6uHdzKWKIMvAl3gtzh+2Iq0+BSL/0rNKZuonvIiBx0Ou4q2q\n"
    "U729ryaHjFV+bt5XTbPTrHwqPbQTvpyMBa+X6NqRvxiuUJBYkOvWcEcVFmu1ggf8\n"
    "B+ovCsUk8hnUWZVbWjpozhcn52xAZZkakN80K460N+VtW0A5spu6K/+OA19qrCGM\n"
    "aZVdZrF/3sl8F8I+t2cidHy4068o8bzJBtQikf9ScYLaExoze7nBBt+zuiXvaiF1\n"
    "fR8eP/1dHLLVaIg87XJDA3SVe+UenbCDv3GrAgMBAAGjQjBAMA8GA1UdEwEB/wQF\n"
    "MAMBAf8wDgYDVR0PAQH/BAQDAgEGMB0GA1UdDgQWBBSO+8ryZas7ISIdYLELHyFd\n"
    "OQGQiDANBgkqhkiG9w0BAQsFAAOCAQEAbOq9B6DAxXjqkxaApjBHXegmjIRtLaZE\n"
    "U/e9xfONjHGnzifo77JzmX4p75adbbNJvR/yYMDxqZCRfUkNwOcXlkxRhKtI9PLs\n"
    "4At0M0mzZHP3rHcJfoVLZaavNDf3KKLoAmTE7eePcyslhG/TvXWPNZxOtXYj33iz\n"
    "2fYxitWz2Nmp0q+k04zT41pQNyOMKvAzaqQhhDyP1sT0Yjg5zuQPaJtYmOfALYvt\n"
    "JeWpDWEc0r+l6W2ldQF2iKaYuK8yVrjGcUqdZp8EWRFp97UuugLiIUQzigUxsavf\n"
    "/1pJM5o09uddc2S0SZFChT8BsCLdD4hWrY7wTdndRU6DayTpUV7rMg==\n"
    "-----END CERTIFICATE-----\n";
    long k, done = 0;
    for (k = 0; k < 200 && !done; k++) {
        sio_bearssl_config tc;
        sio_bearssl *b = NULL;
        char err[256];
        int r;
        memset(&tc, 0, sizeof tc);
        tc.ca_pem = pem;
        tc.ca_pem_len = sizeof pem - 1;
        tc.allocator.realloc = failing_realloc;
        fail_after = k;
        alloc_seen = 0;
        live_blocks = 0;
        r = sio_bearssl_create(&tc, &b, err, sizeof err);
        if (r == SIO_OK) {
            size_t i;
            CHECK(b->anchor_count == 1);
            for (i = 0; i < b->anchor_count; i++)
                CHECK(b->anchors[i].pkey.key_type == BR_KEYTYPE_RSA && b->anchors[i].pkey.key.rsa.n &&
                      b->anchors[i].pkey.key.rsa.e);
            done = alloc_seen <= fail_after;
            sio_bearssl_destroy(b);
        } else {
            CHECK(b == NULL);
        }
        CHECK_INT(live_blocks, 0);
    }
    CHECK(done);
}
#endif

static void test_start_waits_for_an_owed_close(void)
{
    sio_client *c = NULL;
    sio_config cfg;
    sio_event ev;
    int i, closes = 0;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://h.test/";
    cfg.allocator.realloc = failing_realloc;
    fail_after = 1000000;
    alloc_seen = 0;
    live_blocks = 0;
    net_reset();
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    if (!c) return;
    CHECK_INT(sio_start(c), SIO_OK);
    fail_after = alloc_seen;                 /* from now on nothing can be allocated */
    CHECK_INT(sio_stop(c), SIO_OK);
    for (i = 0; i < 20 && sio_get_state(c) != SIO_STATE_IDLE; i++) {
        net.now += 1000;
        sio_poll(c, &ev, 0);
        if (ev.type == SIO_EVENT_CLOSE) closes++;
    }
    CHECK_INT(sio_get_state(c), SIO_STATE_IDLE);
    CHECK_INT(closes, 0);                    /* the queue could not take it: the CLOSE is owed */
    CHECK_INT(sio_start(c), SIO_ERR_STATE);
    CHECK_INT(sio_poll(c, &ev, 0), 1);
    CHECK_INT(ev.type, SIO_EVENT_CLOSE);
    fail_after = 1000000;
    CHECK_INT(sio_start(c), SIO_OK);
    sio_destroy(c);
    CHECK_INT(live_blocks, 0);
}

static void test_poll_set_serves_both_clients(void)
{
    sio_client *a = open_client(NULL), *b;
    sio_client *set[2];
    sio_event ev;
    sio_config cfg;
    int seen_a = 0, seen_b = 0, i;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://h.test/";
    cfg.name = "b";
    /* b shares the in-memory network: it stays connecting and idle */
    net.connected_after = 1000000;
    sio_create(&cfg, &b);
    sio_start(b);
    set[0] = a; set[1] = b;
    server_frame(1, SIO_WS_TEXT, "m1", 2);
    server_frame(1, SIO_WS_TEXT, "m2", 2);
    for (i = 0; i < 2; i++) {
        CHECK_INT(sio_poll_set(set, 2, &ev, 100), 1);
        if (ev.client == a) seen_a++;
        if (ev.client == b) seen_b++;
    }
    CHECK_INT(seen_a, 2);
    CHECK_INT(seen_b, 0);
    CHECK_INT(sio_stop(b), SIO_OK);
    CHECK_INT(sio_poll_set(set, 2, &ev, 100), 1);
    CHECK(ev.client == b);
    CHECK_INT(ev.type, SIO_EVENT_CLOSE);
    sio_destroy(a);
    sio_destroy(b);
}

static void test_wss_without_tls_backend_is_refused(void)
{
    sio_client *c = NULL;
    sio_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "wss://h.test/";
#if !defined(SIO_WITH_BEARSSL) && !defined(SIO_WITH_OPENSSL) && !defined(SIO_WITH_MBEDTLS)
    CHECK_INT(sio_create(&cfg, &c), SIO_ERR_TLS);
    CHECK(c == NULL);
#elif !defined(_WIN32)
    {   /* A build with BearSSL makes its own backend when it starts, with the
         * system's trust store: one that cannot be read is the ERROR. */
        sio_event ev;
        const char *old = getenv("SSL_CERT_FILE");
        char *saved = old ? (char *)malloc(strlen(old) + 1) : NULL;
        if (saved) strcpy(saved, old);
        setenv("SSL_CERT_FILE", "/nonexistent/sio-test-store.pem", 1);
        net_reset();
        CHECK_INT(sio_create(&cfg, &c), SIO_OK);
        CHECK_INT(sio_start(c), SIO_OK);
        CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
        CHECK_INT(ev.error, SIO_ERR_TLS);
        CHECK(ev.message && strstr(ev.message, "/nonexistent/sio-test-store.pem") != NULL);
        CHECK_INT(poll_type(c, &ev), SIO_EVENT_CLOSE);
        CHECK_INT(net.sockets, 0);                     /* refused before any connection */
        sio_destroy(c);
        c = NULL;
        if (saved) setenv("SSL_CERT_FILE", saved, 1); else unsetenv("SSL_CERT_FILE");
        free(saved);
    }
#endif
    cfg.url = "ftp://h.test/";
    CHECK_INT(sio_create(&cfg, &c), SIO_ERR_URL);
    cfg.url = "ws://h.test/";
    {
        const char *bad[] = { "X-Evil: a\r\nInjected: b" };
        cfg.headers = bad; cfg.header_count = 1;
        CHECK_INT(sio_create(&cfg, &c), SIO_ERR_INVALID);
    }
}

/* ---- memory: exact accounting, buffers shrink back when idle ---- */

static size_t live_bytes;
static void *sized_realloc(void *user, void *ptr, size_t size)
{
    size_t *h = ptr ? (size_t *)ptr - 2 : NULL;
    (void)user;
    if (h) live_bytes -= h[0];
    if (size == 0) { free(h); return NULL; }
    h = (size_t *)realloc(h, size + 2 * sizeof(size_t));
    if (!h) return NULL;
    h[0] = size;
    live_bytes += size;
    return h + 2;
}

static void test_memory_is_exact_and_shrinks_after_a_big_message(void)
{
    sio_client *c;
    sio_config cfg;
    sio_event ev;
    static unsigned char big[300000];
    size_t idle;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://h.test/";
    cfg.allocator.realloc = sized_realloc;
    live_bytes = 0;
    c = open_client(&cfg);
    CHECK(c != NULL);
    sio_poll(c, &ev, 0);
    CHECK_INT(sio_memory(c), live_bytes);
    idle = live_bytes;
    CHECK(idle < 8192);                                    /* a small idle client */
    memset(big, 'q', sizeof big);
    server_frame(0, SIO_WS_BINARY, big, 150000);           /* fragmented: reassembled */
    server_frame(1, SIO_WS_CONTINUATION, big, 150000);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_MESSAGE);
    CHECK_INT(ev.len, 300000);
    CHECK(live_bytes > 300000);
    CHECK_INT(sio_memory(c), live_bytes);
    CHECK_INT(sio_send_binary(c, big, sizeof big), SIO_OK);
    sio_poll(c, &ev, 0);                                   /* written; the message is no longer valid */
    CHECK(live_bytes > 300000);                            /* traffic keeps its receive buffer ... */
    sio_poll(c, &ev, 1500);                                /* ... until the link is idle a while */
    CHECK_INT(sio_memory(c), live_bytes);
    CHECK(live_bytes <= idle + 2 * 8192);                  /* back to small buffers */
    sio_destroy(c);
    CHECK_INT(live_bytes, 0);
}

/* Messages kept while reconnecting are counted, held in no more than
 * max_send_queue, and given back when sent.  Before, sio_memory left them
 * out and the buffer could double past the bound. */
static void test_memory_counts_messages_kept_while_reconnecting(void)
{
    static unsigned char chunk[10000];
    sio_client *c;
    sio_config cfg;
    sio_event ev;
    int i, kept = 0;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://h.test/";
    cfg.allocator.realloc = sized_realloc;
    cfg.reconnect = SIO_RECONNECT_ON;
    cfg.max_send_queue = 50000;
    live_bytes = 0;
    c = open_client(&cfg);
    CHECK(c != NULL);
    if (!c) return;
    net.eof = 1;
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_RECONNECTING);
    for (i = 0; i < 10; i++) kept += sio_send_binary(c, chunk, sizeof chunk) == SIO_OK;
    CHECK_INT(kept, 4);                                      /* the fifth would pass 50,000 bytes */
    CHECK_INT(sio_memory(c), live_bytes);
    CHECK(live_bytes < 50000 + 8192);
    ws_new_connection();
    CHECK(ws_wait_for_attempt(c) > 0);
    server_accept(NULL);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_RECONNECT);
    CHECK_INT(sio_memory(c), live_bytes);
    sio_destroy(c);
    CHECK_INT(live_bytes, 0);
}

/* The table of resolved addresses is counted while it exists and given
 * back once a connection is up. */
static void test_memory_counts_the_resolved_addresses_while_connecting(void)
{
    sio_client *c;
    sio_config cfg;
    sio_event ev;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://hosts.test/";                           /* 10.9.9.9 in the in-memory hosts file */
    cfg.platform = &mem_platform_dns;
    cfg.allocator.realloc = sized_realloc;
    live_bytes = 0;
    net_reset();
    net.connected_after = 1;
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    CHECK_INT(sio_start(c), SIO_OK);
    CHECK_INT(sio_memory(c), live_bytes);
    CHECK(c->resolver.addrs != NULL);
    sio_poll(c, &ev, 0);                                   /* still connecting */
    CHECK_INT(sio_memory(c), live_bytes);
    sio_poll(c, &ev, 0);                                   /* connected: the table is given back */
    CHECK_INT(sio_memory(c), live_bytes);
    CHECK(c->resolver.addrs == NULL);
    CHECK_STR(c->address, "10.9.9.9");
    server_accept(NULL);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_OPEN);
    CHECK_INT(sio_memory(c), live_bytes);
    sio_destroy(c);
    CHECK_INT(live_bytes, 0);
}

/* ---- sets ---- */

/* A poller that records what is registered for the client's socket (7): a
 * socket closed while still registered is how a handle the system hands out
 * again gets reported for the wrong (perhaps destroyed) client. */
static int rec_events;
static void *rec_tag;
static int closed_while_registered;
static void *rec_open(void *u) { (void)u; return &rec_events; }
static int rec_update(void *u, void *p, sio_socket s, int old_events, int new_events, void *tag)
{
    (void)u; (void)p; (void)old_events;
    if (s != 7) return SIO_ERR_IO;
    rec_events = new_events;
    rec_tag = tag;
    return SIO_OK;
}
static int rec_wait(void *u, void *p, sio_ready *out, size_t max, int timeout_ms)
{
    int revents = (rec_events & SIO_WAIT_WRITE) |
                  ((rec_events & SIO_WAIT_READ) && (net.in_pos < net.in_len || net.eof) ? SIO_WAIT_READ : 0);
    (void)u; (void)p;
    if (revents && max) {
        out[0].tag = rec_tag;
        out[0].revents = revents;
        return 1;
    }
    net.now += timeout_ms < 0 ? 1000 : (uint64_t)timeout_ms;
    return 0;
}
static void rec_close_poller(void *u, void *p) { (void)u; (void)p; }
static void rec_close(void *u, sio_socket s)
{
    if (s == 7 && rec_events) closed_while_registered++;
    mem_close(u, s);
}
static const sio_platform rec_platform = { NULL, mem_connect, mem_connect_result, mem_send, mem_recv,
                                           rec_close, mem_wait, mem_now, mem_random, rec_open, rec_update,
                                           rec_wait, rec_close_poller, NULL, NULL };

static void test_set_forgets_a_socket_before_closing_it(void)
{
    sio_client *c = NULL;
    sio_set *set;
    sio_config cfg;
    sio_event ev;
    int i, got = -1;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://h.test/";
    cfg.platform = &rec_platform;
    net_reset();
    rec_events = closed_while_registered = 0;
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    CHECK_INT(sio_set_create(NULL, &set), SIO_OK);
    CHECK_INT(sio_set_add(set, c), SIO_OK);
    sio_start(c);
    sio_set_poll(set, &ev, 0);                           /* connects, writes the request */
    server_accept(NULL);
    for (i = 0; i < 10 && got != SIO_EVENT_OPEN; i++)
        if (sio_set_poll(set, &ev, 100) == 1) got = (int)ev.type;
    CHECK_INT(got, SIO_EVENT_OPEN);
    sio_set_poll(set, &ev, 0);                           /* idle: registered for reading */
    CHECK(rec_events & SIO_WAIT_READ);
    server_frame(1, SIO_WS_CLOSE, "\x03\xe8", 2);        /* the server closes */
    net.eof = 1;
    for (i = 0; i < 10 && got != SIO_EVENT_CLOSE; i++)
        if (sio_set_poll(set, &ev, 100) == 1) got = (int)ev.type;
    CHECK_INT(got, SIO_EVENT_CLOSE);
    CHECK_INT(net.sockets, 0);
    CHECK_INT(closed_while_registered, 0);
    CHECK_INT(rec_events, 0);
    sio_destroy(c);
    sio_set_destroy(set);
}

static void test_set_delivers_events_runs_timers_and_forgets_destroyed_clients(void)
{
    sio_client *c = open_client(NULL), *other = NULL;
    sio_set *set, *set2;
    sio_event ev;
    sio_config cfg;
    CHECK_INT(sio_set_create(NULL, &set), SIO_OK);
    CHECK_INT(sio_set_poll(set, &ev, 0), 0);                /* empty */
    CHECK_INT(sio_set_add(set, c), SIO_OK);
    CHECK_INT(sio_set_add(set, c), SIO_OK);                 /* already there */
    CHECK_INT(sio_set_count(set), 1);
    CHECK_INT(sio_set_create(NULL, &set2), SIO_OK);
    CHECK_INT(sio_set_add(set2, c), SIO_ERR_STATE);         /* one set per client */
    server_frame(1, SIO_WS_TEXT, "m1", 2);
    CHECK_INT(sio_set_poll(set, &ev, 100), 1);
    CHECK_INT(ev.type, SIO_EVENT_MESSAGE);
    CHECK(ev.client == c);
    CHECK_INT(sio_set_poll(set, &ev, 0), 0);
    /* a timer: the close handshake times out with no answer */
    CHECK_INT(sio_stop(c), SIO_OK);
    {
        uint64_t t0 = net.now;
        CHECK_INT(sio_set_poll(set, &ev, 20000), 1);
        CHECK_INT(ev.type, SIO_EVENT_CLOSE);
        CHECK(net.now - t0 >= 5000);                        /* close_timeout_ms */
    }
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://h.test/";
    CHECK_INT(sio_create(&cfg, &other), SIO_OK);
    CHECK_INT(sio_set_add(set, other), SIO_OK);
    CHECK_INT(sio_set_count(set), 2);
    sio_destroy(other);                                     /* leaves the set */
    CHECK_INT(sio_set_count(set), 1);
    CHECK_INT(sio_set_remove(set, c), SIO_OK);
    CHECK_INT(sio_set_remove(set, c), SIO_ERR_INVALID);
    CHECK_INT(sio_set_add(set2, c), SIO_OK);
    sio_set_destroy(set);
    sio_destroy(c);
    CHECK_INT(sio_set_count(set2), 0);
    sio_set_destroy(set2);
}

#ifdef SIO_NO_SOCKETIO
/* The WebSocket-only build refuses Socket.IO mode instead of half-working. */
static void test_no_socketio_build_refuses_socketio_mode(void)
{
    sio_config cfg;
    sio_client *c = NULL;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "http://h.test/";
    cfg.mode = SIO_MODE_SOCKETIO;
    CHECK_INT(sio_create(&cfg, &c), SIO_ERR_INVALID);
    CHECK(c == NULL);
}

/* Its Socket.IO calls exist (programs link) and refuse: no client is a
 * Socket.IO client. */
static void test_no_socketio_build_answers_socketio_calls(void)
{
    sio_client *c = open_client(NULL);
    sio_emit_options o;
    sio_event ev;
    int64_t id = 5;
    memset(&o, 0, sizeof o);
    memset(&ev, 0, sizeof ev);
    o.event = "e";
    CHECK(c != NULL);
    CHECK_INT(sio_join(c, "/a", NULL), SIO_ERR_STATE);
    CHECK_INT(sio_leave(c, "/a"), SIO_ERR_STATE);
    CHECK_INT(sio_emit(c, NULL, "e", NULL), SIO_ERR_STATE);
    CHECK_INT(sio_emit_string(c, NULL, "e", "m"), SIO_ERR_STATE);
    CHECK_INT(sio_emit_ex(c, &o, &id), SIO_ERR_STATE);
    CHECK_INT(id, -1);
    o.attachment_count = 1;                     /* attachments to follow in parts: as the full build */
    CHECK_INT(sio_emit_ex(c, &o, &id), SIO_ERR_STATE);
    o.attachment_count = 0;
    CHECK_INT(sio_subscribe(c, NULL, "e"), SIO_ERR_STATE);
    CHECK_INT(sio_unsubscribe(c, NULL, "e"), SIO_ERR_STATE);
    CHECK_INT(sio_join(NULL, "/a", NULL), SIO_ERR_INVALID);
    CHECK_INT(sio_ack(NULL, &ev, NULL, NULL, 0), SIO_ERR_INVALID);
    CHECK_INT(sio_ack(c, &ev, NULL, NULL, 0), SIO_ERR_INVALID);        /* as the full build: no EVENT */
    CHECK_INT(sio_emit(c, NULL, NULL, NULL), SIO_ERR_INVALID);
    CHECK_INT(sio_emit_string(c, NULL, "e", NULL), SIO_ERR_INVALID);
    CHECK_INT(sio_send_text(c, "still a WebSocket", 17), SIO_OK);
    sio_destroy(c);
}
#endif

/* ---- name resolution without blocking (a platform with DNS hooks) ---- */

/* The id of the n-th DNS query the client wrote (net.out holds datagrams
 * back to back; queries here are 12 + name + 4 bytes). */
static unsigned query_id(size_t n, size_t qlen, int *type)
{
    const unsigned char *q = net.out + n * qlen;
    *type = q[qlen - 3];
    return ((unsigned)q[0] << 8) | q[1];
}

static void answer_a(unsigned id, int type, int with_address)
{
    unsigned char m[128];
    size_t n = sio_dns_query(m, sizeof m, id, "name.test", type);
    m[2] = 0x81;                                          /* a response, recursion available */
    m[3] = 0x80;
    if (with_address) {
        static const unsigned char rr[] = { 0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 7 };
        m[7] = 1;
        memcpy(m + n, rr, sizeof rr);
        n += sizeof rr;
    }
    server_send(m, n);
}

/* A response to a query for name.test (type 1 A, 28 AAAA) with the given
 * id and rcode, carrying one A record 10.0.0.7 when with_address. */
static size_t dns_response(unsigned char *m, unsigned id, int type, int rcode, int with_address)
{
    static const unsigned char rr[] = { 0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 7 };
    size_t n = sio_dns_query(m, 128, id, "name.test", type);
    m[2] = 0x81;
    m[3] = (unsigned char)(0x80 | rcode);
    if (with_address) {
        m[7] = 1;
        memcpy(m + n, rr, sizeof rr);
        n += sizeof rr;
    }
    return n;
}

/* The resolver engine alone: queries out, datagrams and times in, what to
 * do next out; no platform, no client. */
/* The link alone: a socket's bytes in and out through sio__system, no
 * client.  Reads grow the buffer from SIO__READ_FIRST, a short read stops
 * reading until the socket is ready again, consumed bytes are moved to the
 * front only when room is needed, queued bytes survive a socket that takes
 * part of them, and an idle link gives its buffers back. */
static void test_link_alone_reads_flushes_and_trims(void)
{
    sio__system sys;
    sio__link l;
    sio__route route;
    char err[64], text[128];
    size_t i;
    memset(&sys, 0, sizeof sys);
    memset(&route, 0, sizeof route);
    sys.pf = &mem_platform;
    net_reset();
    memset(&l, 0, sizeof l);
    CHECK_INT(mem_platform.connect(NULL, "h", 1, 0, &l.sock, err, sizeof err), SIO_OK);
    l.connecting = 1;
    l.may_read = 1;
    route.host = "h";
    route.port = 1;
    CHECK_INT(sio__link_ready(&sys, &l, &route, NULL, text, sizeof text), 1);
    CHECK(!l.tls && !l.connecting);
    for (i = 0; i < 3000; i++) net.in[i] = (unsigned char)i;
    net.in_len = 3000;
    CHECK_INT((int)sio__link_read(&sys, &l, 0, err, sizeof err), (int)SIO__READ_FIRST - 1);
    CHECK(l.streaming && l.chunk == 2 * SIO__READ_FIRST);            /* a full read: read more next time */
    CHECK_INT((int)sio__link_read(&sys, &l, 0, err, sizeof err), 3000 - (int)SIO__READ_FIRST + 1);
    CHECK(!l.may_read);                                              /* short: the socket is drained */
    CHECK_INT((int)sio__link_read(&sys, &l, 0, err, sizeof err), SIO_ERR_AGAIN);
    CHECK(memcmp(l.rx, net.in, 3000) == 0 && l.rx_len == 3000);
    CHECK_INT((int)l.last_read, 1000);
    l.rx_start = 2990;                                               /* all but 10 bytes consumed */
    net.in_len += 5000;
    l.may_read = 1;
    CHECK_INT((int)sio__link_read(&sys, &l, 9000, err, sizeof err), 5000);   /* needs room: the rest moves to the front */
    CHECK_INT((int)l.rx_start, 0);
    CHECK(l.rx[0] == (unsigned char)2990 && l.rx_len == 5010 && l.rx_cap > SIO__KEEP);

    CHECK_INT(sio__link_reserve(&sys, &l, 20000), SIO_OK);
    memset(l.tx, 'x', 20000);
    l.tx_len = 20000;
    net.max_write = 7000;
    CHECK_INT(sio__link_flush(&sys, &l, text, sizeof text), 0);     /* the socket takes all, 7000 at a time */
    CHECK_INT((int)net.out_len, 20000);
    CHECK(l.tx_len == 0 && l.tx_sent == 0);
    l.rx_start = l.rx_len;
    net.now += SIO__IDLE_MS;
    sio__link_trim(&sys, &l, 0);
    CHECK(l.rx == NULL && l.tx == NULL);                             /* idle: both buffers given back */
    mem_platform.close(NULL, l.sock);
    sio__link_free(&sys, &l);
    CHECK_INT((int)l.sock, (int)SIO_INVALID_SOCKET);
}

/* The WebSocket connection engine alone, over a link whose bytes the test
 * places and reads: no client, no socket. */
static void ws_engine_sent(sio__link *l)
{
    memcpy(net.out, l->tx, l->tx_len);
    net.out_len = l->tx_len;
    l->tx_len = 0;
}

/* A WebSocket engine and the system it runs on, for the engine tests. */
static void ws_engine_init(sio__system *sys, sio__websocket *ws)
{
    memset(sys, 0, sizeof *sys);
    sys->pf = &mem_platform;
    net_reset();
    memset(ws, 0, sizeof *ws);
    ws->rx.max_message = 1000;
}

#if SIO__WITH_POLLING   /* the upgrade exists only with polling */
/* A probe's link connected to the in-memory server, begun at 1000 with
 * timeout_ms (0: the default). */
static void probe_engine_init(sio__system *sys, sio__websocket *ws, sio__upgrade *u, int timeout_ms)
{
    char text[128];
    ws_engine_init(sys, ws);
    memset(u, 0, sizeof *u);
    sio__websocket_begin(ws);
    CHECK_INT(mem_platform.connect(NULL, "h", 1, 0, &u->link.sock, text, sizeof text), SIO_OK);
    u->link.may_read = 1;
    sio__upgrade_begin(u, 1000, timeout_ms);
}

/* The upgrade probe's engine alone (no client): the 101 checked, "2probe"
 * sent, a ping before "3probe" answered, then the pause; the deadline. */
static void test_upgrade_engine_alone(void)
{
    sio__system sys;
    sio__upgrade u;
    sio__websocket ws;
    sio_ws_frame f;
    unsigned char p[64];
    char text[128];
    probe_engine_init(&sys, &ws, &u, 0);
    CHECK_INT(u.state, SIO__PROBE_CONNECTING);
    CHECK(!sio__upgrade_expired(&u, 10999) && sio__upgrade_expired(&u, 11000));   /* 10 s by default */
    CHECK_INT(sio__websocket_request(&ws, &sys, &u.link), SIO_OK);   /* the caller's part: connected, request */
    CHECK_INT(sio__link_flush(&sys, &u.link, text, sizeof text), 0);
    u.state = SIO__PROBE_HANDSHAKE;
    CHECK_INT(sio__upgrade_receive(&u, &sys, &ws, 4096), 0);         /* nothing from the server yet */
    server_accept(NULL);
    net.out_len = 0;
    u.link.may_read = 1;                                             /* as a poller says after new bytes */
    CHECK_INT(sio__upgrade_receive(&u, &sys, &ws, 4096), 0);
    CHECK_INT(u.state, SIO__PROBE_PONG);
    CHECK(client_frame(0, &f, p) && f.opcode == SIO_WS_TEXT && f.masked);
    CHECK_SPAN(p, f.length, "2probe");
    server_frame(1, SIO_WS_PING, "hb", 2);                           /* RFC 6455 5.5.2: at any time */
    server_frame(1, SIO_WS_TEXT, "3probe", 6);
    net.out_len = 0;
    u.link.may_read = 1;
    CHECK_INT(sio__upgrade_receive(&u, &sys, &ws, 4096), 1);
    CHECK_INT(u.state, SIO__PROBE_PAUSE);
    CHECK_INT(sio__link_flush(&sys, &u.link, text, sizeof text), 0);
    CHECK(client_frame(0, &f, p) && f.opcode == SIO_WS_PONG);
    CHECK_SPAN(p, f.length, "hb");
    CHECK(!sio__upgrade_expired(&u, 1000000));                       /* paused: waits for polling to idle */
    CHECK_INT(sio__upgrade_receive(&u, &sys, &ws, 4096), 1);
    sio__link_free(&sys, &u.link);

    /* anything but "3probe" (here the server's own data) fails the probe */
    probe_engine_init(&sys, &ws, &u, 500);
    CHECK(sio__upgrade_expired(&u, 1500));
    CHECK_INT(sio__websocket_request(&ws, &sys, &u.link), SIO_OK);
    CHECK_INT(sio__link_flush(&sys, &u.link, text, sizeof text), 0);
    u.state = SIO__PROBE_HANDSHAKE;
    server_accept(NULL);
    server_frame(1, SIO_WS_TEXT, "4hi", 3);
    CHECK_INT(sio__upgrade_receive(&u, &sys, &ws, 4096), -1);
    sio__link_free(&sys, &u.link);
}

/* Engines that read a few times per call look at what their last read
 * brought before they return 0 ("waiting for bytes"): the caller then
 * waits on a socket with nothing more to come, so a whole answer left
 * unread waited for a timer.  (A polling GET answered in three reads while
 * an upgrade waited for it stalled until the ping timeout.) */
static void test_engines_look_at_their_last_read(void)
{
    static char answer[9000];
    static const unsigned char ping[125] = { 0 };
    sio__system sys;
    sio__upgrade u;
    sio__websocket ws;
    sio__link l;
    sio__http_in in;
    char text[128], *cookies = NULL;
    size_t head, i, pings;
    ws_engine_init(&sys, &ws);
    memset(&l, 0, sizeof l);
    memset(&in, 0, sizeof in);
    CHECK_INT(mem_platform.connect(NULL, "h", 1, 0, &l.sock, text, sizeof text), SIO_OK);
    l.may_read = 1;
    head = (size_t)sprintf(answer, "HTTP/1.1 200 OK\r\nContent-Length: 8200\r\n\r\n4");
    memset(answer + head, 'a', 8199);                                /* whole after the third, short, read */
    server_send(answer, head + 8199);
    CHECK_INT(sio__polling_receive(&sys, &l, &in, 4096, 100000, &cookies, text, sizeof text), 1);
    CHECK_INT(in.status, 200);
    CHECK_INT(in.dec - in.body_at, 8200);
    CHECK(cookies == NULL);
    sio__link_free(&sys, &l);

    for (pings = 0; pings <= 130; pings++) {                         /* "3probe" after 0 to 16 KiB of pings */
        int r;
        probe_engine_init(&sys, &ws, &u, 0);
        CHECK_INT(sio__websocket_request(&ws, &sys, &u.link), SIO_OK);
        CHECK_INT(sio__link_flush(&sys, &u.link, text, sizeof text), 0);
        u.state = SIO__PROBE_HANDSHAKE;
        server_accept(NULL);
        CHECK_INT(sio__upgrade_receive(&u, &sys, &ws, 65536), 0);
        for (i = 0; i < pings; i++) server_frame(1, SIO_WS_PING, ping, sizeof ping);
        server_frame(1, SIO_WS_TEXT, "3probe", 6);
        do {                                                         /* a poller says readable while bytes wait */
            u.link.may_read = net.in_pos < net.in_len;
            r = sio__upgrade_receive(&u, &sys, &ws, 65536);
            sio__link_flush(&sys, &u.link, text, sizeof text);      /* the pongs */
            net.out_len = 0;
        } while (r == 0 && net.in_pos < net.in_len);
        if (r != 1) printf("  after %lu pings\n", (unsigned long)pings);
        CHECK_INT(r, 1);
        sio__link_free(&sys, &u.link);
    }
}

/* One call of the probe reads at most a few times, however the 101 falls
 * across its reads: a head completed by the third read, followed by a
 * stream of pings, once made it read (and queue pongs) until the socket
 * ran dry, with sio_poll never returning while the server kept sending. */
static void test_upgrade_reads_are_bounded_wherever_the_head_ends(void)
{
    static char head[16384];
    static const unsigned char ping[125] = { 0 };
    static const size_t pads[] = { 0, 2000, 6500, 8800, 9000, 12000, 14000 };
    sio__system sys;
    sio__upgrade u;
    sio__websocket ws;
    char text[128], accept[29];
    size_t k, i, n;
    for (k = 0; k < sizeof pads / sizeof pads[0]; k++) {
        probe_engine_init(&sys, &ws, &u, 0);
        CHECK_INT(sio__websocket_request(&ws, &sys, &u.link), SIO_OK);
        CHECK_INT(sio__link_flush(&sys, &u.link, text, sizeof text), 0);
        u.state = SIO__PROBE_HANDSHAKE;
        accept_for_request(accept);
        n = (size_t)sprintf(head, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            "Sec-WebSocket-Accept: %s\r\nX-Pad: ", accept);
        memset(head + n, 'p', pads[k]);
        n += pads[k];
        memcpy(head + n, "\r\n\r\n", 4);
        server_send(head, n + 4);
        for (i = 0; i < 4000; i++) server_frame(1, SIO_WS_PING, ping, sizeof ping);   /* 508 KB */
        net.out_len = 0;
        CHECK_INT(sio__upgrade_receive(&u, &sys, &ws, sizeof head), 0);
        CHECK_INT(u.state, SIO__PROBE_PONG);
        if (net.in_pos > 64 * 1024 || u.link.tx_len - u.link.tx_sent > 64 * 1024)
            printf("  head %lu bytes: read %lu, %lu of pongs queued in one call\n", (unsigned long)(n + 4),
                   (unsigned long)net.in_pos, (unsigned long)(u.link.tx_len - u.link.tx_sent));
        CHECK(net.in_pos <= 64 * 1024);
        CHECK(u.link.tx_len - u.link.tx_sent <= 64 * 1024);
        sio__link_free(&sys, &u.link);
    }
}
#endif

static void test_websocket_engine_alone(void)
{
    static char proto[] = "chat", *protos[1] = { proto };
    sio__system sys;
    sio__link l;
    sio__websocket ws;
    sio_ws_message m;
    sio_ws_frame f;
    unsigned char p[64];
    char why[128];
    size_t head;
    ws_engine_init(&sys, &ws);
    memset(&l, 0, sizeof l);
    ws.fragment = 3;
    ws.protocols = protos;
    ws.protocol_count = 1;
    sio__websocket_begin(&ws);
    CHECK_INT(sio__websocket_request(&ws, &sys, &l), SIO_OK);
    ws_engine_sent(&l);
    CHECK(strstr((const char *)net.out, "Sec-WebSocket-Protocol: chat\r\n") != NULL);
    CHECK(memcmp(net.out + net.out_len - 4, "\r\n\r\n", 4) == 0);

    server_accept("Sec-WebSocket-Protocol: chat\r\n");
    head = net.in_len;
    server_frame(1, SIO_WS_PING, "p", 1);
    server_frame(1, SIO_WS_TEXT, "hi", 2);
    server_frame(1, SIO_WS_CLOSE, "\x03\xe8" "bye", 5);
    l.rx = net.in;
    l.rx_cap = sizeof net.in;
    l.rx_len = head - 3;                                          /* the head without its last bytes */
    CHECK_INT(sio__websocket_handshake(&ws, &l, 4096, why, sizeof why), 0);
    l.rx_len = net.in_len;
    CHECK_INT(sio__websocket_handshake(&ws, &l, 4096, why, sizeof why), 1);
    CHECK_INT((int)l.rx_start, (int)head);                        /* the frames stay buffered */
    CHECK_STR(ws.protocol, "chat");

    CHECK_INT(sio__websocket_receive(&ws, &sys, &l, 100, &m), SIO__WS_MESSAGE);
    CHECK_SPAN(m.data, m.len, "hi");
    ws_engine_sent(&l);
    CHECK(client_frame(0, &f, p) && f.opcode == SIO_WS_PONG && f.masked);   /* the ping, answered on the way */
    CHECK_SPAN(p, f.length, "p");
    CHECK_INT(sio__websocket_receive(&ws, &sys, &l, 100, &m), SIO__WS_PEER_CLOSED);
    CHECK_INT(ws.close_code, 1000);
    CHECK_STR(ws.close_reason, "bye");
    CHECK(ws.close_sent);
    ws_engine_sent(&l);
    CHECK(client_frame(0, &f, p) && f.opcode == SIO_WS_CLOSE && f.length == 2);   /* the code echoed */
    CHECK(p[0] == 0x03 && p[1] == 0xe8);
    CHECK_INT(sio__websocket_receive(&ws, &sys, &l, 100, &m), SIO__WS_MORE);

    CHECK_INT(sio__websocket_send(&ws, &sys, &l, SIO_WS_TEXT, (const unsigned char *)"abcdefg", 7, 100), SIO_OK);
    ws_engine_sent(&l);
    CHECK(client_frame(0, &f, p) && f.opcode == SIO_WS_TEXT && !f.fin);
    CHECK_SPAN(p, f.length, "abc");
    CHECK(client_frame(2, &f, p) && f.opcode == SIO_WS_CONTINUATION && f.fin);
    CHECK_SPAN(p, f.length, "g");
    l.tx_len = 95;                                                /* 95 bytes wait: 7 more pass the bound */
    CHECK_INT(sio__websocket_send(&ws, &sys, &l, SIO_WS_BINARY, (const unsigned char *)"x", 1, 100), SIO_ERR_FULL);
    CHECK_INT((int)l.tx_len, 95);

    sio__websocket_begin(&ws);                                    /* a masked server frame: 1002 */
    l.rx_start = l.rx_len = 0;
    net.in_len = 0;
    net.in_len += sio_ws_encode(net.in, 1, SIO_WS_TEXT, "x", 1, (const unsigned char *)"abcd");
    l.rx_len = net.in_len;
    CHECK(sio__websocket_receive(&ws, &sys, &l, 100, &m) < 0);
    CHECK_INT(ws.rx.fail_code, 1002);
    l.rx = NULL;
    sio__link_free(&sys, &l);
    sio_ws_rx_free(&ws.rx);
}

static void test_resolver_engine_by_time_and_bytes(void)
{
    static const unsigned char rnd1[4] = { 0x12, 0x34, 0x56, 0x78 }, rnd2[4] = { 0x9a, 0xbc, 0xde, 0xf0 };
    unsigned char q[2][300], m[128];
    size_t n[2];
    char text[128];
    sio__resolver r;
    sio__address table[SIO__MAX_ADDRESSES];
    sio__resolver_begin(&r, "name.test", table);
    sio__resolver_new_server(&r);
    sio__resolver_queries(&r, rnd1, 1000, q, n);
    CHECK(n[0] > 12 && n[1] > 12);                      /* AAAA and A */
    CHECK_INT((int)r.ids[0], 0x1234);
    CHECK_INT((int)r.ids[1], 0x5678);
    CHECK_INT(sio__resolver_due(&r, 1999), SIO__RESOLVER_WAIT);
    sio__resolver_answer(&r, m, dns_response(m, 0x5679, SIO_DNS_A, 0, 1));   /* wrong id: ignored */
    CHECK_INT((int)r.addr_count, 0);
    sio__resolver_answer(&r, m, dns_response(m, 0x5678, SIO_DNS_A, 0, 1));
    CHECK_INT((int)r.addr_count, 1);
    CHECK_STR(r.addrs[0], "10.0.0.7");
    CHECK_INT(r.waiting, 2);                            /* the AAAA answer still to come */
    CHECK_INT(sio__resolver_due(&r, 2000), SIO__RESOLVER_ASK_AGAIN);
    sio__resolver_queries(&r, rnd2, 2000, q, n);        /* only the open question, new id */
    CHECK(n[0] > 12 && n[1] == 0);
    CHECK_INT((int)r.ids[0], 0x9abc);
    sio__resolver_answer(&r, m, dns_response(m, 0x1234, SIO_DNS_AAAA, 0, 0));   /* the old id: ignored */
    CHECK_INT(r.waiting, 2);
    CHECK_INT(sio__resolver_due(&r, 3000), SIO__RESOLVER_DONE);   /* one family is enough */
    CHECK_INT(sio__resolver_finish(&r, text, sizeof text), 0);

    sio__resolver_begin(&r, "name.test", table);        /* no such name, then the next server */
    sio__resolver_new_server(&r);
    sio__resolver_queries(&r, rnd1, 0, q, n);
    sio__resolver_answer(&r, m, dns_response(m, 0x1234, SIO_DNS_AAAA, 3, 0));
    sio__resolver_answer(&r, m, dns_response(m, 0x5678, SIO_DNS_A, 3, 0));
    CHECK_INT(sio__resolver_due(&r, 0), SIO__RESOLVER_DONE);
    CHECK_INT(sio__resolver_finish(&r, text, sizeof text), SIO_ERR_NO_ADDRESS);
    CHECK_STR(text, "dns: name.test: no such name");

    sio__resolver_begin(&r, "name.test", table);        /* silence: ask again once, then move on */
    sio__resolver_new_server(&r);
    sio__resolver_queries(&r, rnd1, 0, q, n);
    CHECK_INT(sio__resolver_due(&r, 1000), SIO__RESOLVER_ASK_AGAIN);
    sio__resolver_queries(&r, rnd2, 1000, q, n);
    CHECK_INT(sio__resolver_due(&r, 2000), SIO__RESOLVER_NEXT_SERVER);
    CHECK_INT((int)r.server, 1);
}

/* What a client waits for comes from its links and the resolver: the
 * nameserver's answers while resolving (the request waits), a connect's
 * completion, then the peer's bytes; nothing once a run ended. */
static void test_sockets_and_timeout_follow_what_the_links_want(void)
{
    sio_config cfg;
    sio_client *c;
    sio_event ev;
    sio_wait_item items[3];
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://name.test:8080/";
    cfg.platform = &mem_platform_dns;
    cfg.connect_timeout_ms = 60000;
    net_reset();
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    CHECK_INT(sio_sockets(c, items, 3), 0);
    CHECK_INT(sio_next_timeout_ms(c), -1);
    CHECK_INT(sio_start(c), SIO_OK);
    CHECK_INT(sio_sockets(c, items, 3), 1);
    CHECK_INT(items[0].events, SIO_WAIT_READ);            /* the nameserver's answers */
    CHECK_INT(sio_wants_write(c), 0);                     /* the built request waits */
    CHECK(sio_next_timeout_ms(c) > 0 && sio_next_timeout_ms(c) <= 1000);   /* the resolver asks again then */
    net.now += 70000;                                     /* no answer: the connect timeout ends the run */
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK(strstr(ev.message, "timed out") != NULL);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CLOSE);
    CHECK_INT(sio_sockets(c, items, 3), 0);
    CHECK_INT(sio_next_timeout_ms(c), -1);                /* no stale resolver deadline */
    sio_destroy(c);

    cfg.url = "ws://h.test/";
    cfg.platform = NULL;
    net_reset();
    net.addresses = 2;
    net.async_refuse_first = 1;                           /* the first connect stays in progress */
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    CHECK_INT(sio_start(c), SIO_OK);
    CHECK_INT(sio_sockets(c, items, 3), 1);
    CHECK_INT(items[0].events, SIO_WAIT_WRITE);           /* its completion only */
    CHECK_INT(sio_wants_write(c), 1);
    CHECK(sio_next_timeout_ms(c) >= 0 && sio_next_timeout_ms(c) <= SIO__CONNECT_RECHECK_MS);
    sio_destroy(c);
    c = open_client(NULL);
    CHECK_INT(sio_sockets(c, items, 3), 1);
    CHECK_INT(items[0].events, SIO_WAIT_READ);            /* open and idle: the peer's bytes */
    CHECK_INT(sio_wants_write(c), 0);
    CHECK_INT(sio_next_timeout_ms(c), -1);
    sio_destroy(c);
}

static void test_dns_resolution_does_not_block_and_connects_to_the_answer(void)
{
    sio_config cfg;
    sio_client *c;
    sio_event ev;
    unsigned id_aaaa, id_a;
    int type;
    size_t qlen = 12 + 11 + 4;                            /* "name.test": 4name4test0 */
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://name.test:8080/";
    cfg.platform = &mem_platform_dns;
    net_reset();
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    CHECK_INT(sio_start(c), SIO_OK);
    CHECK_INT(net.dns_opens, 1);
    CHECK_INT(net.out_len, 2 * qlen);                     /* AAAA and A asked at once */
    id_aaaa = query_id(0, qlen, &type);
    CHECK_INT(type, SIO_DNS_AAAA);
    id_a = query_id(1, qlen, &type);
    CHECK_INT(type, SIO_DNS_A);
    CHECK_INT(sio_get_state(c), SIO_STATE_CONNECTING);
    CHECK_INT(sio_poll(c, &ev, 0), 0);                    /* nothing to wait for inside the library */
    net.out_len = 0;
    answer_a(id_aaaa ^ 0x5555, SIO_DNS_AAAA, 0);         /* a stranger's answer is ignored */
    sio_poll(c, &ev, 0);
    answer_a(id_aaaa, SIO_DNS_AAAA, 0);                  /* no IPv6 address */
    sio_poll(c, &ev, 0);
    CHECK_INT(net.out_len, 0);
    answer_a(id_a, SIO_DNS_A, 1);
    sio_poll(c, &ev, 0);                                  /* resolved: connects and sends the request */
    CHECK_STR(net.last_host, "10.0.0.7");
    server_accept(NULL);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_OPEN);
    sio_destroy(c);
}

/* sio_config.dns_server as address and port, as the client splits it
 * before asking the platform for a socket. */
static void test_dns_server_text_is_split_into_address_and_port(void)
{
    char host[64];
    unsigned short port = 0;
    CHECK_INT(sio__nameserver_split("10.0.0.1", host, sizeof host, &port), 0);
    CHECK_STR(host, "10.0.0.1");
    CHECK_INT(port, 53);
    CHECK_INT(sio__nameserver_split("10.0.0.1:5353", host, sizeof host, &port), 0);
    CHECK_STR(host, "10.0.0.1");
    CHECK_INT(port, 5353);
    CHECK_INT(sio__nameserver_split("[::1]:5353", host, sizeof host, &port), 0);
    CHECK_STR(host, "::1");
    CHECK_INT(port, 5353);
    CHECK_INT(sio__nameserver_split("[fd00::1]", host, sizeof host, &port), 0);
    CHECK_STR(host, "fd00::1");
    CHECK_INT(port, 53);
    CHECK_INT(sio__nameserver_split("fd00::53", host, sizeof host, &port), 0);   /* IPv6 without a port */
    CHECK_STR(host, "fd00::53");
    CHECK_INT(port, 53);
    CHECK_INT(sio__nameserver_split("10.0.0.1:65535", host, sizeof host, &port), 0);
    CHECK_INT(port, 65535);
    CHECK_INT(sio__nameserver_split("10.0.0.1:99999", host, sizeof host, &port), -1);
    CHECK_INT(sio__nameserver_split("10.0.0.1:0", host, sizeof host, &port), -1);
    CHECK_INT(sio__nameserver_split("10.0.0.1:53x", host, sizeof host, &port), -1);
    CHECK_INT(sio__nameserver_split("10.0.0.1:", host, sizeof host, &port), -1);
    CHECK_INT(sio__nameserver_split("[::1]:", host, sizeof host, &port), -1);
}

/* Each question and each retry has its own 16 random bits of id; an answer
 * to another question or to an earlier try (its id known to an attacker
 * who saw it) feeds nothing in. */
static void test_dns_retry_has_new_ids_and_forged_answers_are_ignored(void)
{
    sio_config cfg;
    sio_client *c;
    sio_event ev;
    unsigned first_aaaa, first_a, id_aaaa, id_a;
    int type;
    size_t qlen = 12 + 11 + 4;
    uint64_t t0;
    unsigned char m[128];
    size_t n;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://name.test:8080/";
    cfg.platform = &mem_platform_dns;
    net_reset();
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    CHECK_INT(sio_start(c), SIO_OK);
    first_aaaa = query_id(0, qlen, &type);
    first_a = query_id(1, qlen, &type);
    CHECK(first_aaaa != first_a);
    net.out_len = 0;
    n = sio_dns_query(m, sizeof m, first_a, "evil.test", SIO_DNS_A);   /* right id, other question */
    m[2] = 0x81; m[3] = 0x83;                                          /* NXDOMAIN */
    server_send(m, n);
    sio_poll(c, &ev, 0);
    CHECK_INT(sio_get_state(c), SIO_STATE_CONNECTING);
    t0 = net.now;
    while (net.out_len == 0 && net.now - t0 < 5000) sio_poll(c, &ev, 100);   /* the retry */
    CHECK_INT(net.out_len, 2 * qlen);
    id_aaaa = query_id(0, qlen, &type);
    CHECK_INT(type, SIO_DNS_AAAA);
    id_a = query_id(1, qlen, &type);
    CHECK(id_aaaa != first_aaaa && id_a != first_a);
    answer_a(first_a, SIO_DNS_A, 1);                   /* the earlier try's id: stale */
    sio_poll(c, &ev, 0);
    CHECK(strcmp(net.last_host, "10.0.0.7") != 0);
    answer_a(id_aaaa, SIO_DNS_AAAA, 0);
    sio_poll(c, &ev, 0);                               /* (one datagram per read here) */
    answer_a(id_a, SIO_DNS_A, 1);
    sio_poll(c, &ev, 0);
    CHECK_STR(net.last_host, "10.0.0.7");
    sio_destroy(c);
}

static void test_dns_hosts_file_then_silence_times_out(void)
{
    sio_config cfg;
    sio_client *c;
    sio_event ev;
    uint64_t t0;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://hosts.test/";
    cfg.platform = &mem_platform_dns;
    net_reset();
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    sio_start(c);
    CHECK_INT(net.dns_opens, 0);                          /* the hosts file answered */
    CHECK_STR(net.last_host, "10.9.9.9");
    sio_destroy(c);

    cfg.url = "ws://name.test/";
    net_reset();
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    sio_start(c);
    net.out_len = 0;
    t0 = net.now;
    while (net.out_len == 0 && net.now - t0 < 5000) sio_poll(c, &ev, 100);
    CHECK(net.now - t0 >= 1000);                          /* asked again after a second */
    CHECK(net.out_len > 0);
    CHECK_INT(poll_type(c, &ev), -1);
    t0 = net.now;
    while (sio_poll(c, &ev, 100) == 0 && net.now - t0 < 5000) {}
    CHECK_INT(ev.type, SIO_EVENT_ERROR);
    CHECK_INT(ev.error, SIO_ERR_TIMEOUT);
    CHECK(strstr(ev.message, "no answer for name.test") != NULL);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CLOSE);
    CHECK_INT(net.sockets, 0);                            /* the nameserver socket was closed */
    sio_destroy(c);
}

/* ---- through a proxy ---- */

/* A client of ws://example.test:8080/chat through proxy (no_proxy may
 * exclude hosts), started: its first bytes are out. */
static sio_client *proxied_client_excluding(const char *proxy, const char *no_proxy)
{
    sio_client *c = NULL;
    sio_config cfg;
    sio_event ev;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://example.test:8080/chat";
    cfg.proxy = proxy;
    cfg.no_proxy = no_proxy;
    net_reset();
    if (sio_create(&cfg, &c) != SIO_OK) return NULL;
    sio_start(c);
    sio_poll(c, &ev, 0);
    return c;
}

#ifdef SIO_NO_PROXY
/* A build without proxies refuses one rather than connecting around it. */
static void test_proxy_refused_without_the_proxy_stage(void)
{
    sio_client *c = NULL;
    sio_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://example.test:8080/chat";
    cfg.proxy = "http://proxy.test:3128";
    CHECK_INT(sio_create(&cfg, &c), SIO_ERR_INVALID);
    CHECK(c == NULL);
    cfg.no_proxy = "*";                                  /* no proxy wanted for this origin */
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    sio_destroy(c);
    cfg.proxy = "";
    cfg.no_proxy = NULL;
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    sio_destroy(c);
}
#else

static sio_client *proxied_client(const char *proxy) { return proxied_client_excluding(proxy, NULL); }

/* The tunnel's handshake comes first on the connection, to the proxy; the
 * WebSocket handshake follows only once the proxy said yes, and while the
 * client waits for that answer it waits to read, not to write. */
static void test_proxy_http_tunnel_comes_before_the_handshake(void)
{
    static const char connect_req[] = "CONNECT example.test:8080 HTTP/1.1\r\nHost: example.test:8080\r\n"
                                      "Proxy-Authorization: Basic dTpw\r\n\r\n";
    sio_client *c = proxied_client("http://u:p@proxy.test:3128");
    sio_event ev;
    sio_wait_item w[SIO_MAX_SOCKETS];
    CHECK_STR(net.last_host, "proxy.test");
    CHECK_SPAN((const char *)net.out, net.out_len, connect_req);
    CHECK_INT(sio_sockets(c, w, SIO_MAX_SOCKETS), 1);
    CHECK_INT(w[0].events, SIO_WAIT_READ);
    CHECK(!sio_wants_write(c));
    CHECK_INT(sio_get_state(c), SIO_STATE_CONNECTING);
    CHECK(sio_memory(c) >= sizeof(sio__tunnel) + sizeof(struct sio_client));   /* the tunnel's state counts */
    server_send("HTTP/1.1 200 Connec", 19);                    /* half an answer: still waiting */
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    CHECK_INT(net.out_len, sizeof connect_req - 1);
    server_send("tion established\r\n\r\n", 20);
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    CHECK(net.out_len > sizeof connect_req - 1);
    CHECK(strncmp((const char *)net.out + sizeof connect_req - 1, "GET /chat HTTP/1.1\r\nHost: example.test:8080\r\n",
                  45) == 0);
    server_accept(NULL);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_OPEN);
    net.out_len = 0;
    server_frame(1, SIO_WS_TEXT, "hi", 2);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_MESSAGE);
    CHECK_SPAN((const char *)ev.data, ev.len, "hi");
    CHECK(sio_memory(c) > 0);
    sio_destroy(c);
}

/* The tunnel's reads are bounded per step, and the step ends only after a
 * look at what the last read brought: an answer that came whole in the
 * read that drained the socket opens the tunnel at once (before, it waited
 * for the next wake-up).  Here a 3 KB "100 Continue", 22,000 more, then the
 * 200: the sixteenth read is the short one. */
static void test_proxy_tunnel_looks_at_its_last_read(void)
{
    static char first[3100];
    static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
    sio_client *c = proxied_client("http://proxy.test:3128");
    char text[256];
    size_t n = (size_t)sprintf(first, "HTTP/1.1 100 Continue\r\nX-Pad: "), i;
    int r = 0, steps;
    memset(first + n, 'p', 3000);
    n += 3000;
    memcpy(first + n, "\r\n\r\n", 4);
    server_send(first, n + 4);
    for (i = 0; i < 22000; i++) server_send(cont, sizeof cont - 1);
    server_send("HTTP/1.1 200 OK\r\n\r\n", 19);
    /* each step is what the pump does after the poller said "readable" */
    for (steps = 0; steps < 10 && net.in_pos < net.in_len; steps++) {
        c->ln.may_read = 1;
        r = sio__link_ready(&c->sys, &c->ln, &c->route, sio__tunnel_target(c), text, sizeof text);
        if (r != 0) break;
    }
    CHECK_INT(net.in_pos, net.in_len);
    CHECK_INT(r, 1);                                     /* open once the socket is drained, no wake-up needed */
    CHECK(c->ln.tunnel == NULL);
    sio_destroy(c);
}

static void test_proxy_refusal_is_an_error_then_close(void)
{
    sio_client *c = proxied_client("http://proxy.test:3128");
    sio_event ev;
    {
        static const char refusal[] = "HTTP/1.1 407 Proxy Authentication Required\r\n"
                                      "Proxy-Authenticate: Basic realm=\"corp\"\r\n\r\n";
        server_send(refusal, sizeof refusal - 1);
    }
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK_INT(ev.error, SIO_ERR_PROXY);
    CHECK_STR(ev.message, "proxy: 407 authentication required (realm \"corp\")");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CLOSE);
    CHECK_INT(ev.code, SIO_CLOSE_ABNORMAL);
    CHECK(strstr((const char *)net.out, "GET ") == NULL);             /* nothing for the origin went out */
    sio_destroy(c);
}

static void test_proxy_socks5h_names_the_origin(void)
{
    static const unsigned char request[] = "\x05\x01\x00\x03\x0c" "example.test" "\x1f\x90";
    sio_client *c = proxied_client("socks5h://[::1]:1080");
    sio_event ev;
    CHECK_STR(net.last_host, "::1");
    CHECK_INT(net.out_len, 3);
    CHECK_MEM(net.out, "\x05\x01\x00", 3);
    server_send("\x05\x00\x05\x00\x00\x01\x7f\x00\x00", 9);         /* the method, most of the reply */
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    CHECK_INT(net.out_len, 3 + sizeof request - 1);
    CHECK_MEM(net.out + 3, request, sizeof request - 1);
    server_send("\x01\x00\x50", 3);
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    CHECK(strncmp((const char *)net.out + 3 + sizeof request - 1, "GET /chat HTTP/1.1\r\n", 20) == 0);
    net.out_len -= 3 + sizeof request - 1;                          /* the request alone, for its key */
    memmove(net.out, net.out + 3 + sizeof request - 1, net.out_len);
    net.out[net.out_len] = 0;
    server_accept(NULL);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_OPEN);
    if (ev.type == SIO_EVENT_ERROR) fprintf(stderr, "    %s\n", ev.message);
    sio_destroy(c);
}

/* A client of url through a socks5 proxy with the resolving in-memory
 * platform, started: its first bytes are out (NULL if refused). */
static sio_client *socks_client(const char *url, const char *proxy)
{
    sio_client *c = NULL;
    sio_config cfg;
    sio_event ev;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = url;
    cfg.proxy = proxy;
    cfg.platform = &mem_platform_dns;
    if (sio_create(&cfg, &c) != SIO_OK) return NULL;
    sio_start(c);
    sio_poll(c, &ev, 0);
    return c;
}

/* socks5:// hands the proxy the origin's addresses one by one: a refusal
 * of one is not the end, as a direct connection would try the next. */
static void test_proxy_socks5_tries_the_origins_next_address(void)
{
    static const unsigned char first[] = "\x05\x01\x00\x01\x0a\x09\x09\x09\x1f\x90";
    static const unsigned char second[] = "\x05\x01\x00\x01\x0a\x09\x09\x08\x1f\x90";
    sio_client *c;
    sio_event ev;
    net_reset();
    c = socks_client("ws://two.test:8080/chat", "socks5://10.0.0.5:1080");
    CHECK(c != NULL);
    if (!c) return;
    CHECK_STR(net.last_host, "10.0.0.5");
    server_send("\x05\x00", 2);
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    CHECK_INT(net.out_len, 3 + 10);
    CHECK_MEM(net.out + 3, first, 10);
    server_send("\x05\x04\x00\x01\x00\x00\x00\x00\x00\x00", 10);   /* host unreachable */
    net.out_len = 0;
    CHECK_INT(sio_poll(c, &ev, 0), 0);                  /* no event: the next address */
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    CHECK_STR(net.last_host, "10.0.0.5");
    CHECK_MEM(net.out, "\x05\x01\x00", 3);
    server_send("\x05\x00", 2);
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    CHECK_MEM(net.out + 3, second, 10);
    sio_destroy(c);
}

/* socks5:// with a proxy given by name: the client resolves the proxy's
 * name first (never the platform's blocking lookup), then the origin's. */
static void test_proxy_socks5_by_name_resolves_both_names(void)
{
    static const unsigned char first[] = "\x05\x01\x00\x01\x0a\x09\x09\x09\x1f\x90";
    sio_client *c;
    sio_event ev;
    net_reset();
    c = socks_client("ws://two.test:8080/chat", "socks5://hosts.test:1080");
    CHECK(c != NULL);
    if (!c) return;
    CHECK_STR(net.last_host, "10.9.9.9");                /* the proxy, by the address found for its name */
    server_send("\x05\x00", 2);
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    CHECK_INT(net.out_len, 3 + 10);
    CHECK_MEM(net.out + 3, first, 10);                   /* the origin, by its first address */
    sio_destroy(c);
    net_reset();                                          /* an origin given as an address: the proxy's name only */
    c = socks_client("ws://10.1.2.3:8080/chat", "socks5://hosts.test:1080");
    CHECK(c != NULL);
    if (!c) return;
    CHECK_STR(net.last_host, "10.9.9.9");
    server_send("\x05\x00", 2);
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    CHECK_MEM(net.out + 3, "\x05\x01\x00\x01\x0a\x01\x02\x03\x1f\x90", 10);
    sio_destroy(c);
    net_reset();                                          /* the proxy's IPv6 address refuses: its IPv4 one */
    net.refuse_host = "fd00::7";
    c = socks_client("ws://hosts.test:8080/chat", "socks5://dual.test:1080");
    CHECK(c != NULL);
    if (!c) return;
    CHECK_STR(net.last_host, "10.9.9.7");
    server_send("\x05\x00", 2);
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    CHECK_MEM(net.out + 3, first, 10);                   /* still the origin's first address */
    sio_destroy(c);
}

/* socks5:// and an origin given as an address: one request, and the
 * proxy's refusal is the end (not a request per address slot). */
static void test_proxy_socks5_refusal_of_an_address_origin_ends_it(void)
{
    sio_client *c;
    sio_event ev;
    int opens;
    net_reset();
    c = socks_client("ws://10.1.2.3:8080/chat", "socks5://10.0.0.5:1080");
    CHECK(c != NULL);
    if (!c) return;
    server_send("\x05\x00\x05\x04\x00\x01\x00\x00\x00\x00\x00\x00", 12);   /* no auth; host unreachable */
    opens = net.sockets;
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK_INT(ev.error, SIO_ERR_PROXY);
    CHECK(strstr(ev.message, "host unreachable") != NULL);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CLOSE);
    CHECK(net.sockets <= opens);                          /* no second connection was opened */
    sio_destroy(c);
}

/* no_proxy leaves the origin direct; a bad proxy URL is refused at create. */
static void test_proxy_choice_at_create(void)
{
    sio_client *c;
    sio_config cfg;
    sio_event ev;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://example.test:8080/chat";
    cfg.proxy = "socks4://proxy.test";
    CHECK_INT(sio_create(&cfg, &c), SIO_ERR_PROXY);
    cfg.no_proxy = "example.test";                       /* unusable even where no_proxy leaves it out */
    CHECK_INT(sio_create(&cfg, &c), SIO_ERR_PROXY);
    cfg.no_proxy = NULL;
    cfg.proxy = "proxy.test:3128";                       /* no scheme: HTTP, as curl reads http_proxy */
    net_reset();
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    CHECK_INT(sio_start(c), SIO_OK);
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    CHECK_STR(net.last_host, "proxy.test");
    CHECK(strncmp((const char *)net.out, "CONNECT example.test:8080 HTTP/1.1\r\n", 36) == 0);
    sio_destroy(c);
    cfg.proxy = "http://proxy.test:3128";
    cfg.no_proxy = "localhost, .test";
    net_reset();
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    CHECK_INT(sio_start(c), SIO_OK);
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    CHECK_STR(net.last_host, "example.test");
    CHECK(strncmp((const char *)net.out, "GET /chat", 9) == 0);
    sio_destroy(c);
}
#endif

/* ---- redirects of the handshake ---- */

static sio_client *redirect_client(int max_redirects)
{
    static const char *hdrs[] = { "Authorization: Bearer secret", "X-Keep: 1" };
    sio_client *c = NULL;
    sio_config cfg;
    sio_event ev;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://example.test:8080/chat";
    cfg.headers = hdrs;
    cfg.header_count = 2;
    cfg.max_redirects = max_redirects;
    net_reset();
    if (sio_create(&cfg, &c) != SIO_OK) return NULL;
    sio_start(c);
    sio_poll(c, &ev, 0);
    return c;
}

static void redirect_answer(const char *status, const char *location)
{
    char head[512];
    snprintf(head, sizeof head, "HTTP/1.1 %s\r\nLocation: %s\r\nContent-Length: 0\r\n\r\n", status, location);
    server_send(head, strlen(head));
    net.out_len = 0;                                   /* the next request starts the output */
    memset(net.out, 0, 64);
}

static void test_redirect_is_followed_to_its_location(void)
{
    sio_client *c = redirect_client(0);
    sio_event ev;
    const char *req = (const char *)net.out;
    redirect_answer("301 Moved Permanently", "ws://other.test:9000/new?x=1");
    CHECK_INT(sio_poll(c, &ev, 0), 0);                 /* no event: it starts over */
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    CHECK_STR(net.last_host, "other.test");
    CHECK(strncmp(req, "GET /new?x=1 HTTP/1.1\r\nHost: other.test:9000\r\n", 46) == 0);
    CHECK(strstr(req, "X-Keep: 1\r\n") != NULL);
    CHECK(strstr(req, "Authorization") == NULL);      /* credentials stay with their host */
    server_accept(NULL);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_OPEN);
    CHECK_STR(sio_url_of(c), "ws://other.test:9000/new?x=1");
    sio_destroy(c);
    /* an absolute path stays on the server, with its credentials */
    c = redirect_client(0);
    redirect_answer("307 Temporary Redirect", "/moved");
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    CHECK(strncmp(req, "GET /moved HTTP/1.1\r\nHost: example.test:8080\r\n", 46) == 0);
    CHECK(strstr(req, "Authorization: Bearer secret\r\n") != NULL);
    CHECK_STR(sio_url_of(c), "ws://example.test:8080/moved");
    sio_destroy(c);
}

static void test_redirects_are_bounded(void)
{
    sio_client *c = redirect_client(2);
    sio_event ev;
    int i;
    for (i = 0; i < 2; i++) {
        redirect_answer("302 Found", "/loop");
        CHECK_INT(sio_poll(c, &ev, 0), 0);
        CHECK_INT(sio_poll(c, &ev, 0), 0);
    }
    redirect_answer("302 Found", "/loop");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK_INT(ev.error, SIO_ERR_HANDSHAKE);
    CHECK_STR(ev.message, "ws: too many redirects (2; last to /loop)");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CLOSE);
    sio_destroy(c);
    c = redirect_client(-1);                            /* none followed: the answer is the error */
    redirect_answer("308 Permanent Redirect", "ws://other.test/");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK_STR(ev.message, "ws: too many redirects (0; last to ws://other.test/)");
    sio_destroy(c);
    c = redirect_client(0);
    redirect_answer("302 Found", "ftp://other.test/");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK_STR(ev.message, "redirect: unusable Location 'ftp://other.test/'");
    sio_destroy(c);
#if !defined(SIO_WITH_BEARSSL) && !defined(SIO_WITH_OPENSSL) && !defined(SIO_WITH_MBEDTLS)
    c = redirect_client(0);
    redirect_answer("302 Found", "wss://other.test/");   /* no TLS backend */
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK_INT(ev.error, SIO_ERR_TLS);
    CHECK_STR(ev.message, "redirect: to 'wss://other.test/': tls: TLS not available: this build has no TLS backend");
    sio_destroy(c);
#endif
}

/* A redirect to another origin chooses its proxy again: no_proxy may name
 * the new host, or not name it any more. */
static sio_client *redirect_proxy_client(const char *no_proxy)
{
    return proxied_client_excluding("http://proxy.test:3128", no_proxy);
}

#ifdef SIO_NO_PROXY
static void test_redirect_refused_where_a_proxy_would_be_needed(void)
{
    sio_client *c = redirect_proxy_client("example.test");   /* direct, so this build may go */
    sio_event ev;
    CHECK(c != NULL);
    if (!c) return;
    CHECK_STR(net.last_host, "example.test");
    redirect_answer("302 Found", "ws://far.test:9000/x");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK_INT(ev.error, SIO_ERR_INVALID);
    CHECK_STR(ev.message, "redirect: to 'ws://far.test:9000/x': this origin is reached through a proxy, "
                          "and this build has none (SIO_NO_PROXY)");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CLOSE);
    CHECK_STR(net.last_host, "example.test");                 /* never around the proxy */
    CHECK_STR(sio_url_of(c), "ws://example.test:8080/chat");  /* the refused redirect changed nothing */
    net.out_len = 0;
    CHECK_INT(sio_start(c), SIO_OK);                          /* so a new start goes where it went */
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    CHECK_STR(net.last_host, "example.test");
    CHECK(strncmp((const char *)net.out, "GET /chat HTTP/1.1\r\nHost: example.test:8080\r\n", 45) == 0);
    sio_destroy(c);
}
#else
static void test_redirect_chooses_the_proxy_again(void)
{
    sio_client *c = redirect_proxy_client("direct.test");
    sio_event ev;
    CHECK_STR(net.last_host, "proxy.test");
    CHECK(strncmp((const char *)net.out, "CONNECT example.test:8080 ", 26) == 0);
    server_send("HTTP/1.1 200 Connection established\r\n\r\n", 39);
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    redirect_answer("302 Found", "ws://direct.test/x");     /* no_proxy names it: direct */
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    CHECK_STR(net.last_host, "direct.test");
    CHECK(strncmp((const char *)net.out, "GET /x HTTP/1.1\r\nHost: direct.test\r\n", 36) == 0);
    sio_destroy(c);

    c = redirect_proxy_client("example.test");               /* direct first, then through the proxy */
    CHECK_STR(net.last_host, "example.test");
    redirect_answer("307 Temporary Redirect", "ws://far.test:9000/y");
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    CHECK_STR(net.last_host, "proxy.test");
    CHECK(strncmp((const char *)net.out, "CONNECT far.test:9000 HTTP/1.1\r\n", 32) == 0);
    sio_destroy(c);
}
#endif

/* ---- the server's answer to the handshake ---- */

static void test_handshake_answer_is_kept_for_a_refusal_and_when_asked(void)
{
    static const char refusal[] = "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\nContent-Length: 13\r\n\r\n"
                                  "token expired";
    sio_client *c;
    sio_config cfg;
    sio_event ev;
    sio_handshake_response hs;
    sio_http_response r;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://example.test:8080/chat";
    net_reset();
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    CHECK_INT(sio_handshake(c, &hs), SIO_ERR_STATE);
    sio_start(c);
    sio_poll(c, &ev, 0);
    server_send(refusal, sizeof refusal - 1);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK_INT(ev.error, SIO_ERR_HANDSHAKE);
    CHECK_INT(sio_handshake(c, &hs), SIO_OK);
    CHECK_INT(hs.status, 401);
    CHECK_SPAN(hs.body, hs.body_len, "token expired");
    CHECK_INT(sio_http_parse_response(&r, hs.head, hs.head_len), 1);
    CHECK(sio_http_find_header(&r, "WWW-Authenticate") != NULL);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CLOSE);
    CHECK(sio_memory(c) >= sizeof refusal);
    sio_destroy(c);
    /* an accepted one only when asked */
    c = open_client(&cfg);
    CHECK(c != NULL);
    CHECK_INT(sio_handshake(c, &hs), SIO_ERR_STATE);
    sio_destroy(c);
    cfg.keep_handshake = 1;
    c = open_client(&cfg);
    CHECK_INT(sio_handshake(c, &hs), SIO_OK);
    CHECK_INT(hs.status, 101);
    CHECK(strncmp(hs.head, "HTTP/1.1 101 ", 13) == 0 && hs.head_len > 20 && hs.body_len == 0);
    sio_destroy(c);
}

/* ---- permessage-deflate ------------------------------------------------- */

#ifdef SIO_NO_DEFLATE
/* Left out, it is never offered, and an answer with it is refused. */
static void test_deflate_left_out_offers_nothing(void)
{
    sio_client *c;
    sio_config cfg;
    sio_event ev;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://h.test/";
    cfg.deflate = SIO_DEFLATE_ON;
    net_reset();
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    sio_start(c);
    sio_poll(c, &ev, 0);
    net.out[net.out_len] = 0;
    CHECK(strstr((const char *)net.out, "Sec-WebSocket-Extensions") == NULL);
    server_accept("Sec-WebSocket-Extensions: permessage-deflate\r\n");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK(strstr(ev.message, "did not offer") != NULL);
    sio_destroy(c);
}
#else

static sio_client *deflate_client(const char *answer, sio_config *cfg_in)
{
    sio_client *c = NULL;
    sio_config cfg;
    sio_event ev;
    char extra[256];
    if (cfg_in) cfg = *cfg_in;
    else {
        memset(&cfg, 0, sizeof cfg);
        cfg.deflate = SIO_DEFLATE_ON;
    }
    cfg.url = "ws://h.test/";
    net_reset();
    if (sio_create(&cfg, &c) != SIO_OK) return NULL;
    sio_start(c);
    sio_poll(c, &ev, 0);
    snprintf(extra, sizeof extra, "Sec-WebSocket-Extensions: %s\r\n", answer);
    server_accept(answer ? extra : NULL);
    return c;
}

/* A server frame with RSV1 (compressed) set. */
static void server_frame_rsv1(int fin, int op, const void *p, size_t n)
{
    size_t at = net.in_len;
    server_frame(fin, op, p, n);
    net.in[at] |= 0x40;
}

/* An open client that agreed to answer, with frames of at most 100 bytes
 * and nothing written yet. */
static sio_client *deflate_sender(const char *answer)
{
    sio_config cfg;
    sio_event ev;
    sio_client *c;
    memset(&cfg, 0, sizeof cfg);
    cfg.deflate = SIO_DEFLATE_ON;
    cfg.send_fragment_size = 100;
    c = deflate_client(answer, &cfg);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_OPEN);
    net.out_len = 0;
    return c;
}

/* A compressed message queued behind one the socket took only part of, when
 * the send buffer must move what is pending to make room: its RSV1 bit is
 * set on its own first byte.  0.2 set it where the frame would have been
 * before the move, sending the compressed bytes as plain data. */
static void test_deflate_rsv1_after_the_send_buffer_moved(void)
{
    static unsigned char noise[8180], payload[9000];          /* its frame: 8188 bytes of the buffer's 8192 */
    static char text[3000];
    sio_client *c = deflate_client("permessage-deflate", NULL);
    sio_event ev;
    sio_ws_frame f;
    size_t i;
    uint32_t x = 12345;
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_OPEN);
    net.out_len = 0;
    for (i = 0; i < sizeof noise; i++) { x = x * 1103515245u + 12345u; noise[i] = (unsigned char)(x >> 24); }
    memset(text, 'a', sizeof text);
    CHECK_INT(sio_send_binary(c, noise, sizeof noise), SIO_OK);   /* does not shrink: sent as it is */
    net.out_len = sizeof net.out - 1000;                          /* the socket takes 1000 bytes */
    sio_poll(c, &ev, 0);
    CHECK_INT(net.out_len, sizeof net.out);
    memmove(net.out, net.out + sizeof net.out - 1000, 1000);      /* (kept at the start, for reading) */
    net.out_len = 1000;
    CHECK(c->ln.tx_sent == 1000 && c->ln.tx_cap - c->ln.tx_len < 20);   /* no room without moving */
    CHECK_INT(sio_send_text(c, text, sizeof text), SIO_OK);     /* compressed, behind the rest */
    for (i = 0; i < 10; i++) sio_poll(c, &ev, 0);
    CHECK(client_frame(0, &f, payload));
    CHECK(f.opcode == SIO_WS_BINARY && f.rsv == 0 && f.length == sizeof noise);
    CHECK(client_frame(1, &f, payload));
    CHECK(f.opcode == SIO_WS_TEXT && f.rsv == 4 && f.length < 100);
    sio_destroy(c);
}

static void test_deflate_offer_lists_what_the_caller_chose(void)
{
    sio_client *c;
    sio_config cfg;
    sio_event ev;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://h.test/";
    net_reset();
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);              /* off by default: nothing offered */
    sio_start(c);
    sio_poll(c, &ev, 0);
    net.out[net.out_len] = 0;
    CHECK(strstr((const char *)net.out, "Sec-WebSocket-Extensions") == NULL);
    sio_destroy(c);
    cfg.deflate = SIO_DEFLATE_ON;
    cfg.deflate_window_bits = 10;
    cfg.deflate_no_context_takeover = 1;
    net_reset();
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    sio_start(c);
    sio_poll(c, &ev, 0);
    net.out[net.out_len] = 0;
    CHECK(strstr((const char *)net.out, "\r\nSec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover; "
                 "client_max_window_bits; server_max_window_bits=10; server_no_context_takeover\r\n") != NULL);
    sio_destroy(c);
    cfg.deflate_window_bits = 8;                               /* zlib cannot honour 8: refused */
    CHECK_INT(sio_create(&cfg, &c), SIO_ERR_INVALID);
    cfg.deflate_window_bits = 0;
    cfg.deflate = 2;
    CHECK_INT(sio_create(&cfg, &c), SIO_ERR_INVALID);
}

/* A client that asked for a 10-bit server window, given answer. */
static sio_client *deflate_client_window_10(const char *answer)
{
    sio_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.deflate = SIO_DEFLATE_ON;
    cfg.deflate_window_bits = 10;
    return deflate_client(answer, &cfg);
}

/* Answers that break RFC 7692 7.1 fail the handshake with a sentence. */
static void test_deflate_answer_outside_the_offer_fails_the_handshake(void)
{
    static const struct { const char *answer, *why; } cases[] = {
        {"permessage-deflate; foo", "did not offer"},
        {"permessage-deflate; server_max_window_bits=16", "outside 8..15"},
        {"permessage-deflate; server_max_window_bits=7", "outside 8..15"},
        {"permessage-deflate; server_max_window_bits=09", "outside 8..15"},
        {"permessage-deflate; client_max_window_bits", "outside 8..15"},
        {"permessage-deflate; server_max_window_bits=12", "above the one offered"},
        {"permessage-deflate; server_no_context_takeover; server_no_context_takeover", "twice"},
        {"permessage-deflate; client_no_context_takeover=1", "a value"},
        {"permessage-deflate, permessage-deflate", "more than one"},
        {"x-webkit-deflate-frame", "did not offer"},
        {"permessage-deflate;", "malformed"},
        {"permessage-deflate\r\nSec-WebSocket-Extensions: permessage-deflate", "did not offer"},
        {"permessage-deflate", "server_max_window_bits left out"},        /* asked for 10 */
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sio_event ev;
        sio_client *c = deflate_client_window_10(cases[i].answer);
        CHECK(c != NULL);
        if (!c) continue;
        CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
        CHECK_INT(ev.error, SIO_ERR_HANDSHAKE);
        if (!ev.message || !strstr(ev.message, cases[i].why)) {
            fprintf(stderr, "  answer '%s': %s\n", cases[i].answer, ev.message ? ev.message : "(none)");
            CHECK(0);
        }
        sio_destroy(c);
    }
}

/* Asked for server_no_context_takeover, a server must repeat it. */
static void test_deflate_no_takeover_asked_must_be_agreed(void)
{
    sio_config cfg;
    sio_client *c;
    sio_event ev;
    memset(&cfg, 0, sizeof cfg);
    cfg.deflate = SIO_DEFLATE_ON;
    cfg.deflate_no_context_takeover = 1;
    c = deflate_client("permessage-deflate", &cfg);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK(strstr(ev.message, "server_no_context_takeover left out") != NULL);
    sio_destroy(c);
    c = deflate_client("permessage-deflate; server_no_context_takeover", &cfg);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_OPEN);
    CHECK_INT(c->websocket.inflater.window, 0);
    sio_destroy(c);
}

/* What RFC 7692 allows an answer to say: quoted values, any case, spaces,
 * fewer parameters than offered, an empty list (none agreed). */
static void test_deflate_answers_within_the_offer_are_accepted(void)
{
    static const struct { const char *answer; int agreed; } cases[] = {
        {"permessage-deflate; server_max_window_bits=10", 1},
        {"permessage-deflate; server_max_window_bits=\"10\"", 1},
        {"PERMESSAGE-DEFLATE ;Server_No_Context_Takeover ; server_max_window_bits = 9 ; client_max_window_bits = 9", 1},
        {"permessage-deflate; client_no_context_takeover; server_max_window_bits=8", 1},
        {", permessage-deflate; server_max_window_bits=10 ,", 1},          /* empty list elements */
        {"permessage-deflate; server_max_window_bits=10\r\nSec-WebSocket-Extensions: ,", 1},
        {"", 0},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sio_event ev;
        sio_client *c = deflate_client_window_10(cases[i].answer);
        if (poll_type(c, &ev) != SIO_EVENT_OPEN) {
            fprintf(stderr, "  answer '%s': %s\n", cases[i].answer, ev.message ? ev.message : "(no open)");
            CHECK(0);
        }
        CHECK_INT(c->websocket.deflate_on, cases[i].agreed);
        sio_destroy(c);
    }
}

/* The server keeps its history: the second "Hello" of RFC 7692 7.2.3.2
 * refers into the first.  A message in fragments carries RSV1 on its first
 * frame only. */
static void test_deflate_receives_compressed_messages(void)
{
    static const unsigned char hello[] = {0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00};
    static const unsigned char again[] = {0xf2, 0x00, 0x11, 0x00, 0x00};
    sio_client *c = deflate_client("permessage-deflate; server_max_window_bits=10", NULL);
    sio_event ev;
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_OPEN);
    server_frame_rsv1(1, SIO_WS_TEXT, hello, sizeof hello);
    server_frame_rsv1(1, SIO_WS_BINARY, again, sizeof again);
    server_frame_rsv1(0, SIO_WS_TEXT, hello, 3);
    server_frame(1, SIO_WS_CONTINUATION, hello + 3, sizeof hello - 3);
    server_frame(1, SIO_WS_TEXT, "plain", 5);                   /* RSV1 clear: not compressed */
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_MESSAGE);
    CHECK_SPAN(ev.data, ev.len, "Hello");
    CHECK_INT(ev.binary, 0);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_MESSAGE);
    CHECK_SPAN(ev.data, ev.len, "Hello");
    CHECK_INT(ev.binary, 1);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_MESSAGE);
    CHECK_SPAN(ev.data, ev.len, "Hello");
    CHECK_INT(ev.data[ev.len], 0);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_MESSAGE);
    CHECK_SPAN(ev.data, ev.len, "plain");
    CHECK(c->websocket.inflater.buffer != NULL);                /* the history is held... */
    server_frame(1, SIO_WS_CLOSE, "\x03\xe8", 2);
    net.eof = 1;                                                /* and drops TCP */
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CLOSE);
    CHECK(c->websocket.inflater.buffer == NULL);                /* ...and goes with the connection */
    sio_destroy(c);
}

/* Each rule RFC 7692 adds to the frames, and what inflates wrongly: a
 * protocol error with the close code that names it. */
static void test_deflate_frame_rules_and_bad_data_fail_the_connection(void)
{
    static const unsigned char hello[] = {0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00};
    static const unsigned char bad_utf8[] = {0xfa, 0x0f, 0x00};   /* one byte 0xff, fixed Huffman */
    int k;
    for (k = 0; k < 5; k++) {
        sio_client *c = deflate_client(k == 4 ? NULL : "permessage-deflate", NULL);
        sio_event ev;
        sio_ws_frame f;
        unsigned char payload[256];
        int expect_code = 1002;
        CHECK_INT(poll_type(c, &ev), SIO_EVENT_OPEN);
        net.out_len = 0;
        if (k == 0) server_frame_rsv1(1, SIO_WS_PING, "", 0);
        if (k == 1) {
            server_frame(0, SIO_WS_TEXT, "He", 2);
            server_frame_rsv1(1, SIO_WS_CONTINUATION, "llo", 3);
        }
        if (k == 2) {
            server_frame_rsv1(1, SIO_WS_TEXT, bad_utf8, sizeof bad_utf8);
            expect_code = 1007;
        }
        if (k == 3) {
            server_frame_rsv1(1, SIO_WS_TEXT, "\x07", 1);         /* block type 3 */
            expect_code = 1007;
        }
        if (k == 4) server_frame_rsv1(1, SIO_WS_TEXT, hello, sizeof hello);   /* not agreed */
        CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
        CHECK_INT(ev.error, SIO_ERR_PROTOCOL);
        CHECK(client_frame(0, &f, payload) && f.opcode == SIO_WS_CLOSE);
        CHECK_INT((payload[0] << 8) | payload[1], expect_code);
        sio_destroy(c);
    }
}

/* Inflating past max_message is a 1009 close, not an allocation. */
static void test_deflate_bomb_closes_with_1009(void)
{
    sio_config cfg;
    sio_client *c;
    sio_event ev;
    sio_ws_frame f;
    sio_deflater d;
    unsigned char payload[256], *zeros = (unsigned char *)calloc(1, 1 << 20);
    const unsigned char *packed;
    size_t n;
    memset(&cfg, 0, sizeof cfg);
    cfg.deflate = SIO_DEFLATE_ON;
    cfg.max_message = 4096;
    c = deflate_client("permessage-deflate", &cfg);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_OPEN);
    memset(&d, 0, sizeof d);
    CHECK_INT(sio_deflate_message(&d, zeros, 1 << 20, 1 << 20, &packed, &n), SIO_OK);
    CHECK(n < 4096);
    net.out_len = 0;
    server_frame_rsv1(1, SIO_WS_BINARY, packed, n);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK_INT(ev.error, SIO_ERR_TOO_BIG);
    CHECK(client_frame(0, &f, payload) && f.opcode == SIO_WS_CLOSE);
    CHECK_INT((payload[0] << 8) | payload[1], 1009);
    CHECK(sio_memory(c) < 64 * 1024);
    sio_destroy(c);
    sio_deflater_free(&d);
    free(zeros);
}

/* Sends: at or above the threshold and shrinking, compressed with RSV1 on
 * the first frame; below it, or not shrinking, as they are. */
static void test_deflate_sends_compressed_when_it_pays(void)
{
    sio_client *c;
    sio_event ev;
    sio_ws_frame f;
    sio_inflater z;
    static unsigned char payload[4096];
    char text[1000];
    const unsigned char *out;
    size_t n, i;
    unsigned seed = 1;
    c = deflate_sender("permessage-deflate; client_max_window_bits=9");
    for (i = 0; i < sizeof text; i++) text[i] = "Hello, world! "[i % 14];
    CHECK_INT(sio_send_text(c, text, sizeof text), SIO_OK);
    CHECK_INT(sio_send_text(c, "short", 5), SIO_OK);
    for (i = 0; i < 500; i++) {
        seed = seed * 1103515245u + 12345u;
        payload[i] = (unsigned char)(seed >> 16);
    }
    CHECK_INT(sio_send_binary(c, payload, 500), SIO_OK);       /* random: would not shrink */
    sio_poll(c, &ev, 0);
    CHECK(client_frame(0, &f, payload));
    CHECK_INT(f.rsv, 4);
    CHECK_INT(f.fin, 1);                                        /* compressed into one frame of < 100 */
    memset(&z, 0, sizeof z);
    CHECK_INT(sio_inflate_message(&z, payload, (size_t)f.length, 1, 1 << 20, &out, &n), SIO_OK);
    CHECK(n == sizeof text && memcmp(out, text, n) == 0);
    sio_inflater_free(&z);
    CHECK(client_frame(1, &f, payload));
    CHECK_INT(f.rsv, 0);
    CHECK_SPAN(payload, f.length, "short");
    CHECK(client_frame(2, &f, payload));
    CHECK_INT(f.rsv, 0);
    CHECK_INT(f.fin, 0);                                        /* sent as is, in fragments */
    CHECK(client_frame(3, &f, payload));
    CHECK_INT(f.rsv, 0);
    CHECK_INT(f.opcode, SIO_WS_CONTINUATION);
    sio_destroy(c);
}

#endif

#ifndef SIO_NO_DEFLATE
/* With send_fragment_size, the compressed bytes are what is cut: RSV1 on
 * the first fragment, clear on the continuations. */
static void test_deflate_compressed_message_goes_out_in_fragments(void)
{
    sio_client *c;
    sio_event ev;
    sio_ws_frame f;
    sio_inflater z;
    static unsigned char joined[8192], payload[8192];
    char text[5000];
    const unsigned char *out;
    size_t n, i, have = 0;
    unsigned x = 1;
    c = deflate_sender("permessage-deflate");
    for (i = 0; i < sizeof text; i++) {
        x = x * 1103515245u + 12345u;
        text[i] = (char)('a' + (x >> 16) % 16);
    }
    CHECK_INT(sio_send_text(c, text, sizeof text), SIO_OK);
    sio_poll(c, &ev, 0);
    for (i = 0; client_frame(i, &f, payload); i++) {
        CHECK_INT(f.rsv, i == 0 ? 4 : 0);
        CHECK_INT(f.opcode, i == 0 ? SIO_WS_TEXT : SIO_WS_CONTINUATION);
        CHECK(f.length <= 100);
        memcpy(joined + have, payload, (size_t)f.length);
        have += (size_t)f.length;
        if (f.fin) break;
    }
    CHECK(i > 2 && have < sizeof text);
    memset(&z, 0, sizeof z);
    CHECK_INT(sio_inflate_message(&z, joined, have, 1, 1 << 20, &out, &n), SIO_OK);
    CHECK(n == sizeof text && memcmp(out, text, n) == 0);
    sio_inflater_free(&z);
    sio_destroy(c);
}
#endif

/* ---- messages in parts (receive_parts, sio_send_begin/part/end) ---- */

static sio_client *parts_client(size_t max_message)
{
    static sio_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://example.test:8080/chat";
    cfg.receive_parts = 1;
    cfg.max_message = max_message;
    return open_client(&cfg);
}

/* A binary message five times max_message, in one frame whose bytes come
 * in reads of 3000: handed over in parts as they arrive, offsets without
 * gaps, final on the last only, every byte as sent, and the client's heap
 * stays small (the reads are bounded, nothing is assembled). */
static void test_parts_a_big_frame_arrives_in_parts(void)
{
    static unsigned char msg[200000];
    sio_client *c = parts_client(40000);
    sio_event ev;
    uint64_t next = 0;
    size_t i, parts = 0, most = 0;
    int finals = 0;
    CHECK(c != NULL);
    for (i = 0; i < sizeof msg; i++) msg[i] = (unsigned char)(i * 7 + (i >> 9));
    net.max_read = 3000;
    server_frame(1, SIO_WS_BINARY, msg, sizeof msg);
    while (sio_poll(c, &ev, 0) == 1 || net.in_pos < net.in_len) {
        if (ev.type != SIO_EVENT_MESSAGE) continue;
        CHECK_INT(ev.binary, 1);
        CHECK(ev.offset == next);
        CHECK(ev.len > 0 && ev.offset + ev.len <= sizeof msg);
        if (ev.offset + ev.len <= sizeof msg) CHECK(memcmp(ev.data, msg + ev.offset, ev.len) == 0);
        CHECK_INT(ev.data[ev.len], 0);
        next += ev.len;
        parts++;
        finals += ev.final;
        if (ev.final) CHECK(next == sizeof msg);
        if (sio_memory(c) > most) most = sio_memory(c);
        ev.type = SIO_EVENT_NONE;
    }
    CHECK(next == sizeof msg);
    CHECK_INT(finals, 1);
    CHECK(parts >= sizeof msg / 3000);
    CHECK(most < 64 * 1024);
    CHECK_INT(sio_get_state(c), SIO_STATE_OPEN);
    sio_destroy(c);
}

/* A fragmented text message whose characters span frames and reads, with a
 * ping between the fragments: parts in order, the ping answered, the text
 * whole when joined; then one whose bytes stop being UTF-8 mid-frame fails
 * at once (1007), before the message ends. */
static void test_parts_text_across_fragments_and_invalid_utf8(void)
{
    static const char text[] = "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80 end";
    sio_client *c = parts_client(0);
    sio_event ev;
    char joined[64];
    size_t have = 0;
    int finals = 0, i;
    sio_ws_frame f;
    unsigned char payload[64];
    CHECK(c != NULL);
    net.max_read = 3;
    server_frame(0, SIO_WS_TEXT, text, 2);                     /* "h" and half of e-acute */
    server_frame(0, SIO_WS_CONTINUATION, text + 2, 0);         /* an empty fragment */
    server_frame(1, SIO_WS_PING, "p", 1);
    server_frame(0, SIO_WS_CONTINUATION, text + 2, 9);
    server_frame(1, SIO_WS_CONTINUATION, text + 11, sizeof text - 1 - 11);
    for (i = 0; i < 400 && finals == 0; i++) {
        if (sio_poll(c, &ev, 0) != 1 || ev.type != SIO_EVENT_MESSAGE) continue;
        CHECK_INT(ev.binary, 0);
        CHECK(ev.offset == have);
        memcpy(joined + have, ev.data, ev.len);
        have += ev.len;
        finals += ev.final;
    }
    CHECK_INT(finals, 1);
    CHECK_INT((int)have, (int)sizeof text - 1);
    CHECK(memcmp(joined, text, sizeof text - 1) == 0);
    CHECK(client_frame(0, &f, payload));
    CHECK_INT(f.opcode, SIO_WS_PONG);
    net.out_len = 0;
    server_frame(0, SIO_WS_TEXT, "ok \xc3", 4);
    server_frame(1, SIO_WS_CONTINUATION, "(", 1);              /* not a continuation byte */
    for (i = 0; i < 50 && sio_get_state(c) == SIO_STATE_OPEN; i++) sio_poll(c, &ev, 0);
    CHECK(client_frame(0, &f, payload));
    CHECK_INT(f.opcode, SIO_WS_CLOSE);
    CHECK_INT((payload[0] << 8) | payload[1], 1007);
    sio_destroy(c);
}

/* sio_send_begin/part/end: TEXT without FIN, continuations, an empty final
 * continuation; between them other messages are refused, pings go; a part
 * that would pass max_send_queue waits (SIO_ERR_FULL) and goes once the
 * queue drained; text must be UTF-8 across parts, also at the end. */
static void test_parts_sent_as_fragments(void)
{
    sio_config cfg;
    sio_client *c;
    sio_event ev;
    sio_ws_frame f;
    static unsigned char payload[8192], big[3000];
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://example.test:8080/chat";
    cfg.max_send_queue = 4000;
    c = open_client(&cfg);
    CHECK(c != NULL);
    CHECK_INT(sio_send_part(c, "x", 1), SIO_ERR_STATE);        /* no message begun */
    CHECK_INT(sio_send_end(c), SIO_ERR_STATE);
    CHECK_INT(sio_send_begin(c, 0), SIO_OK);
    CHECK_INT(sio_send_begin(c, 0), SIO_ERR_STATE);
    CHECK_INT(sio_send_part(c, "caf\xc3", 4), SIO_OK);         /* a character split between parts */
    CHECK_INT(sio_send_text(c, "other", 5), SIO_ERR_STATE);
    CHECK_INT(sio_send_ping(c, "p", 1), SIO_OK);
    CHECK_INT(sio_send_part(c, "\xff", 1), SIO_ERR_INVALID);   /* nothing sent */
    CHECK_INT(sio_send_end(c), SIO_ERR_INVALID);               /* ends inside the character */
    CHECK_INT(sio_send_part(c, "\xa9!", 2), SIO_OK);
    CHECK_INT(sio_send_end(c), SIO_OK);
    sio_poll(c, &ev, 0);
    CHECK(client_frame(0, &f, payload));
    CHECK(f.opcode == SIO_WS_TEXT && !f.fin && f.length == 4);
    CHECK(client_frame(1, &f, payload));
    CHECK(f.opcode == SIO_WS_PING && f.fin);
    CHECK(client_frame(2, &f, payload));                        /* the end grew the last part's fragment */
    CHECK(f.opcode == SIO_WS_CONTINUATION && f.fin && f.length == 2 && memcmp(payload, "\xa9!", 2) == 0);
    CHECK(!client_frame(3, &f, payload));
    net.out_len = 0;
    /* binary, with back-pressure: the server reads nothing for a while */
    CHECK_INT(sio_send_begin(c, 1), SIO_OK);
    net.out_len = sizeof net.out;                               /* the server's window is shut */
    CHECK_INT(sio_send_part(c, big, sizeof big), SIO_OK);
    CHECK_INT(sio_send_part(c, big, sizeof big), SIO_ERR_FULL);
    net.out_len = 0;                                            /* it reads again */
    sio_poll(c, &ev, 0);
    CHECK_INT(sio_send_part(c, big, sizeof big), SIO_OK);
    CHECK_INT(sio_send_end(c), SIO_OK);
    sio_poll(c, &ev, 0);
    CHECK(client_frame(0, &f, payload));
    CHECK(f.opcode == SIO_WS_BINARY && !f.fin && f.length == sizeof big);
    CHECK(client_frame(1, &f, payload));
    CHECK(f.opcode == SIO_WS_CONTINUATION && f.fin && f.length == sizeof big);
    CHECK_INT(sio_send_text(c, "after", 5), SIO_OK);           /* messages again */
    sio_destroy(c);
}

/* Parts queued while the server reads nothing grow one fragment instead of
 * adding one each (servers cap the fragments of a message), across the
 * header's 2-, 4- and 10-byte lengths, the mask continued: the bytes
 * arrive as sent; a ping between them starts a new fragment. */
static void test_parts_grow_the_unsent_fragment(void)
{
    static unsigned char part[1000], payload[80000];
    sio_client *c = open_client(NULL);
    sio_event ev;
    sio_ws_frame f;
    size_t i, k;
    CHECK(c != NULL);
    net.out_len = sizeof net.out;                               /* nothing goes out for now */
    CHECK_INT(sio_send_begin(c, 1), SIO_OK);
    for (k = 0; k < 70; k++) {                                  /* 100 bytes, then 69,100 in all */
        size_t n = k == 0 ? 100 : sizeof part;
        for (i = 0; i < n; i++) part[i] = (unsigned char)(k * 31 + i);
        CHECK_INT(sio_send_part(c, part, n), SIO_OK);
    }
    CHECK_INT(sio_send_ping(c, "p", 1), SIO_OK);
    CHECK_INT(sio_send_part(c, "tail", 4), SIO_OK);
    CHECK_INT(sio_send_end(c), SIO_OK);
    net.out_len = 0;
    sio_poll(c, &ev, 0);
    CHECK(client_frame(0, &f, payload));
    CHECK(f.opcode == SIO_WS_BINARY && !f.fin && f.length == 100 + 69 * sizeof part);
    for (k = 0; k < 70; k++) {
        size_t n = k == 0 ? 100 : sizeof part, at = k == 0 ? 0 : 100 + (k - 1) * sizeof part;
        for (i = 0; i < n && payload[at + i] == (unsigned char)(k * 31 + i); i++) {}
        CHECK(i == n);
    }
    CHECK(client_frame(1, &f, payload));
    CHECK(f.opcode == SIO_WS_PING);
    CHECK(client_frame(2, &f, payload));
    CHECK(f.opcode == SIO_WS_CONTINUATION && f.fin && f.length == 4 && memcmp(payload, "tail", 4) == 0);
    CHECK(!client_frame(3, &f, payload));
    sio_destroy(c);
}

/* A connection that ends takes the message in parts with it: the next part
 * is refused, and a new connection starts with no message in progress. */
static void test_parts_end_with_the_connection(void)
{
    sio_client *c = open_client(NULL);
    sio_event ev;
    CHECK(c != NULL);
    CHECK_INT(sio_send_begin(c, 1), SIO_OK);
    CHECK_INT(sio_send_part(c, "ab", 2), SIO_OK);
    net.eof = 1;
    while (sio_poll(c, &ev, 0) == 1 && ev.type != SIO_EVENT_CLOSE) {}
    CHECK_INT(sio_send_part(c, "cd", 2), SIO_ERR_STATE);
    CHECK_INT(sio_send_end(c), SIO_ERR_STATE);
    net_reset();
    CHECK_INT(sio_start(c), SIO_OK);
    sio_poll(c, &ev, 0);
    server_accept(NULL);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_OPEN);
    CHECK_INT(sio_send_part(c, "cd", 2), SIO_ERR_STATE);
    CHECK_INT(sio_send_text(c, "new", 3), SIO_OK);
    CHECK_INT(sio_send_begin(c, 0), SIO_OK);
    sio_destroy(c);
}

int main(void)
{
    RUN(test_handshake_request_has_required_fields);
    RUN(test_handshake_answer_is_kept_for_a_refusal_and_when_asked);
    RUN(test_redirect_is_followed_to_its_location);
    RUN(test_redirects_are_bounded);
#ifdef SIO_NO_PROXY
    RUN(test_redirect_refused_where_a_proxy_would_be_needed);
#else
    RUN(test_redirect_chooses_the_proxy_again);
#endif
#ifdef SIO_NO_PROXY
    RUN(test_proxy_refused_without_the_proxy_stage);
#else
    RUN(test_proxy_http_tunnel_comes_before_the_handshake);
    RUN(test_proxy_tunnel_looks_at_its_last_read);
    RUN(test_proxy_refusal_is_an_error_then_close);
    RUN(test_proxy_socks5h_names_the_origin);
    RUN(test_proxy_choice_at_create);
    RUN(test_proxy_socks5_tries_the_origins_next_address);
    RUN(test_proxy_socks5_by_name_resolves_both_names);
    RUN(test_proxy_socks5_refusal_of_an_address_origin_ends_it);
#endif
    RUN(test_host_header_omits_default_port_and_brackets_ipv6);
    RUN(test_open_reports_the_chosen_subprotocol);
    RUN(test_long_subprotocol_is_refused_and_never_overflows);
    RUN(test_handshake_rejects_wrong_accept);
    RUN(test_handshake_rejects_non_101_status);
    RUN(test_handshake_rejects_missing_upgrade);
#ifdef SIO_NO_DEFLATE
    RUN(test_deflate_left_out_offers_nothing);
#else
    RUN(test_deflate_compressed_message_goes_out_in_fragments);
    RUN(test_deflate_offer_lists_what_the_caller_chose);
    RUN(test_deflate_rsv1_after_the_send_buffer_moved);
    RUN(test_deflate_answer_outside_the_offer_fails_the_handshake);
    RUN(test_deflate_answers_within_the_offer_are_accepted);
    RUN(test_deflate_no_takeover_asked_must_be_agreed);
    RUN(test_deflate_receives_compressed_messages);
    RUN(test_deflate_frame_rules_and_bad_data_fail_the_connection);
    RUN(test_deflate_bomb_closes_with_1009);
    RUN(test_deflate_sends_compressed_when_it_pays);
#endif
    RUN(test_handshake_rejects_unoffered_extension);
    RUN(test_handshake_head_over_limit_fails);
    RUN(test_frame_in_same_read_as_101_is_delivered);
    RUN(test_message_is_nul_terminated_and_next_frame_intact);
    RUN(test_message_arriving_one_byte_per_read);
    RUN(test_client_frames_are_masked_with_fresh_keys);
    RUN(test_ping_is_answered_with_same_payload);
    RUN(test_answers_to_a_burst_leave_in_one_write);
    RUN(test_keepalive_engine_by_time);
    RUN(test_keepalive_pings_every_interval_and_reports_the_round_trip);
    RUN(test_keepalive_finds_a_silent_server_dead);
    RUN(test_keepalive_data_after_a_ping_keeps_the_connection);
    RUN(test_keepalive_reads_a_waiting_pong_before_a_verdict);
    RUN(test_keepalive_off_by_default_and_pongs_still_reported);
    RUN(test_ws_reconnects_and_sends_what_was_queued);
    RUN(test_ws_stop_while_closing_does_not_reconnect);
    RUN(test_ws_new_credentials_take_effect_at_the_next_handshake);
    RUN(test_ws_gives_up_after_the_attempts_and_says_what_was_lost);
    RUN(test_answer_waits_at_most_a_millisecond_for_the_burst);
    RUN(test_server_close_is_echoed_and_reported_clean);
    RUN(test_stop_sends_close_1000_and_waits_for_server);
    RUN(test_close_timeout_when_server_never_answers);
    RUN(test_protocol_error_sends_1002_then_drops);
    RUN(test_invalid_utf8_text_fails_with_1007);
    RUN(test_message_over_limit_fails_with_1009);
    RUN(test_eof_without_close_frame_is_abnormal);
    RUN(test_connect_timeout);
    RUN(test_connect_failure_reports_error_then_close);
    RUN(test_next_address_after_immediate_or_async_failure);
    RUN(test_all_addresses_failing_reports_the_first_error);
    RUN(test_send_queue_limit_rejects_without_queueing);
    RUN(test_send_rejects_invalid_utf8_and_before_open);
    RUN(test_outgoing_fragmentation);
    RUN(test_partial_writes_keep_byte_order);
    RUN(test_random_failure_never_sends_unmasked);
    RUN(test_random_failure_leaves_no_partial_fragmented_message);
    RUN(test_close_echo_that_cannot_be_queued_is_not_clean);
    RUN(test_unbounded_send_queue_still_answers_pings);
    RUN(test_restart_after_close);
    RUN(test_custom_allocator_sees_every_block);
    RUN(test_every_allocation_failing_still_ends_in_one_close);
    RUN(test_every_allocation_failing_with_a_tls_backend);
    RUN(test_plaintext_held_by_tls_is_not_left_waiting);
#ifdef SIO_WITH_BEARSSL
    RUN(test_bearssl_anchors_with_every_allocation_failing);
#endif
    RUN(test_start_waits_for_an_owed_close);
    RUN(test_steady_state_has_no_allocations);
    RUN(test_memory_is_exact_and_shrinks_after_a_big_message);
    RUN(test_memory_counts_messages_kept_while_reconnecting);
    RUN(test_memory_counts_the_resolved_addresses_while_connecting);
    RUN(test_resolver_engine_by_time_and_bytes);
    RUN(test_sockets_and_timeout_follow_what_the_links_want);
    RUN(test_link_alone_reads_flushes_and_trims);
    RUN(test_websocket_engine_alone);
#if SIO__WITH_POLLING
    RUN(test_upgrade_engine_alone);
    RUN(test_engines_look_at_their_last_read);
    RUN(test_upgrade_reads_are_bounded_wherever_the_head_ends);
#endif
    RUN(test_dns_resolution_does_not_block_and_connects_to_the_answer);
    RUN(test_dns_hosts_file_then_silence_times_out);
    RUN(test_dns_retry_has_new_ids_and_forged_answers_are_ignored);
    RUN(test_dns_server_text_is_split_into_address_and_port);
#ifdef SIO_NO_SOCKETIO
    RUN(test_no_socketio_build_refuses_socketio_mode);
    RUN(test_no_socketio_build_answers_socketio_calls);
#endif
    RUN(test_set_delivers_events_runs_timers_and_forgets_destroyed_clients);
    RUN(test_poll_set_serves_both_clients);
    RUN(test_set_forgets_a_socket_before_closing_it);
    RUN(test_wss_without_tls_backend_is_refused);
    RUN(test_parts_a_big_frame_arrives_in_parts);
    RUN(test_parts_text_across_fragments_and_invalid_utf8);
    RUN(test_parts_sent_as_fragments);
    RUN(test_parts_grow_the_unsent_fragment);
    RUN(test_parts_end_with_the_connection);
    return TEST_REPORT();
}
