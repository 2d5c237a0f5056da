/* The Socket.IO client over the in-memory platform: the test plays a
 * Socket.IO server frame by frame and checks every packet the client sends. */
#define SIO_IMPLEMENTATION
#include "sio.h"
#include "test.h"
#include <stdlib.h>
#include "mem_platform.h"

static char sent[64][4096];      /* the client's text messages, decoded */
static size_t sent_count;

/* Decodes every client frame written since the last call. */
static size_t client_texts(void)
{
    sio_ws_frame f;
    static unsigned char payload[1 << 16];
    size_t i;
    sent_count = 0;
    for (i = 0; client_frame(i, &f, payload) && sent_count < 64; i++) {
        size_t n = (size_t)f.length < 4095 ? (size_t)f.length : 4095;
        memcpy(sent[sent_count], payload, n);
        sent[sent_count][n] = 0;
        if (f.opcode == SIO_WS_BINARY) sent[sent_count][0] = '#';   /* mark binary frames */
        sent_count++;
    }
    net.out_len = 0;
    return sent_count;
}

static void server_text(const char *s) { server_frame(1, SIO_WS_TEXT, s, strlen(s)); }

static const char OPEN_PACKET[] =
    "0{\"sid\":\"E1\",\"upgrades\":[],\"pingInterval\":300,\"pingTimeout\":200,\"maxPayload\":1000000}";

/* Connects a Socket.IO client to the URL's namespace; returns it after CONNECT. */
static sio_client *io_client(const char *url, const char *auth)
{
    sio_client *c = NULL;
    sio_config cfg;
    sio_event ev;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = url;
    cfg.mode = SIO_MODE_SOCKETIO;
    cfg.reconnect = SIO_RECONNECT_OFF;
    cfg.auth = auth;
    net_reset();
    if (sio_create(&cfg, &c) != SIO_OK) return NULL;
    sio_start(c);
    sio_poll(c, &ev, 0);
    server_accept(NULL);
    net.out_len = 0;
    server_text(OPEN_PACKET);
    if (poll_type(c, &ev) != SIO_EVENT_OPEN) { sio_destroy(c); return NULL; }
    return c;
}

/* A Socket.IO client made from cfg (url "http://h.test/", reconnection
 * off), opened and connected to "/"; NULL if any step failed. */
/* A client whose session opened with open_packet and whose "/" connected. */
static sio_client *io_connected_with(sio_config *cfg, const char *open_packet)
{
    sio_client *c = NULL;
    sio_event ev;
    cfg->url = "http://h.test/";
    cfg->mode = SIO_MODE_SOCKETIO;
    cfg->reconnect = SIO_RECONNECT_OFF;
    net_reset();
    if (sio_create(cfg, &c) != SIO_OK) return NULL;
    sio_start(c);
    sio_poll(c, &ev, 0);
    server_accept(NULL);
    server_text(open_packet);
    if (poll_type(c, &ev) != SIO_EVENT_OPEN) { sio_destroy(c); return NULL; }
    server_text("40{\"sid\":\"S1\"}");
    if (poll_type(c, &ev) != SIO_EVENT_CONNECT) { sio_destroy(c); return NULL; }
    return c;
}

static sio_client *io_connected(sio_config *cfg) { return io_connected_with(cfg, OPEN_PACKET); }

static void test_io_handshake_uses_engine_path_and_query(void)
{
    sio_client *c;
    sio_config cfg;
    sio_event ev;
    const char *q[] = { "token=abc" };
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "http://h.test:3000/admin?room=1";
    cfg.mode = SIO_MODE_SOCKETIO;
    cfg.reconnect = SIO_RECONNECT_OFF;
    cfg.query = q;
    cfg.query_count = 1;
    net_reset();
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    sio_start(c);
    sio_poll(c, &ev, 0);
    net.out[net.out_len] = 0;
    {
        const char *want = "GET /socket.io/?EIO=4&transport=websocket&room=1&token=abc HTTP/1.1\r\n";
        CHECK(strncmp((const char *)net.out, want, strlen(want)) == 0);
    }
    sio_destroy(c);
}

/* An empty Engine.IO path means the default; its request target was once
 * written past a buffer sized for the empty text. */
static void test_io_empty_path_is_the_default_path(void)
{
    sio_client *c;
    sio_config cfg;
    sio_event ev;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "http://h";
    cfg.mode = SIO_MODE_SOCKETIO;
    cfg.path = "";
    net_reset();
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    sio_start(c);
    sio_poll(c, &ev, 0);
    net.out[net.out_len] = 0;
    CHECK(strncmp((const char *)net.out, "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n", 52) == 0);
    sio_destroy(c);
}

static void test_io_open_packet_gives_open_event_and_connects_url_namespace(void)
{
    sio_client *c = io_client("http://h.test/admin", "{\"token\":\"secret\"}");
    sio_event ev;
    CHECK(c != NULL);
    sio_poll(c, &ev, 0);
    CHECK_INT(client_texts(), 1);
    CHECK_STR(sent[0], "40/admin,{\"token\":\"secret\"}");
    server_text("40/admin,{\"sid\":\"S1\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    CHECK_STR(ev.ns, "/admin");
    CHECK_STR(ev.sid, "S1");
    CHECK_INT(sio_get_state(c), SIO_STATE_OPEN);
    sio_destroy(c);
}

static void test_io_event_fields(void)
{
    sio_client *c = io_client("http://h.test/", NULL);
    sio_event ev;
    server_text("40{\"sid\":\"S1\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    server_text("42[\"chat\",\"h\\u00e9llo\",{\"n\":1}]");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);
    CHECK_STR(ev.ns, "/");
    CHECK_STR(ev.event_name, "chat");
    CHECK_STR((const char *)ev.data, "h\xc3\xa9llo");        /* first argument, unescaped */
    CHECK_STR(ev.args, "[\"h\\u00e9llo\",{\"n\":1}]");
    CHECK_INT(ev.args_len, strlen(ev.args));
    CHECK_INT(ev.ack_id, -1);
    server_text("42[\"only-name\"]");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);
    CHECK_STR(ev.args, "[]");
    CHECK_INT(ev.len, 0);
    server_text("42[7,{\"x\":1}]");                           /* numeric event name */
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);
    CHECK_STR(ev.event_name, "7");
    CHECK_STR((const char *)ev.data, "{\"x\":1}");
    sio_destroy(c);
}

/* Steady state costs no allocation: once buffers have grown to the traffic,
 * receiving events, emitting events and emits with acks answered call the
 * allocator zero times. */
static size_t alloc_calls;
static void *counting_realloc(void *user, void *ptr, size_t size)
{
    (void)user;
    if (size) alloc_calls++;
    return realloc(ptr, size);
}

static void steady_round(sio_client *c, int i)
{
    sio_event ev;
    sio_emit_options o;
    char text[64];
    int64_t id = 0;
    snprintf(text, sizeof text, "42[\"tick\",%d,{\"n\":\"x\"}]", i);
    server_text(text);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);
    CHECK_INT(sio_emit(c, NULL, "up", "[1,\"two\"]"), SIO_OK);
    memset(&o, 0, sizeof o);
    o.event = "echo";
    o.args = "[3]";
    o.ack = 1;
    CHECK_INT(sio_emit_ex(c, &o, &id), SIO_OK);
    sio_poll(c, &ev, 0);                                 /* written out */
    snprintf(text, sizeof text, "43%lu[3]", (unsigned long)id);
    server_text(text);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ACK);
    net.out_len = 0;
    if (net.in_pos == net.in_len) net.in_pos = net.in_len = 0;
}

static void test_io_steady_state_has_no_allocations(void)
{
    sio_client *c;
    sio_config cfg;
    size_t before;
    int i;
    memset(&cfg, 0, sizeof cfg);
    cfg.allocator.realloc = counting_realloc;
    c = io_connected(&cfg);
    CHECK(c != NULL);
    if (!c) return;
    for (i = 0; i < 50; i++) steady_round(c, i);         /* buffers reach their size */
    before = alloc_calls;
    for (i = 0; i < 1000; i++) steady_round(c, i);
    CHECK_INT(alloc_calls - before, 0);
    sio_destroy(c);
}

static void test_io_emits_wait_for_connect_reply_in_order(void)
{
    sio_client *c = io_client("http://h.test/", NULL);
    sio_event ev;
    CHECK_INT(sio_emit(c, NULL, "a", "[1]"), SIO_OK);
    CHECK_INT(sio_emit_string(c, NULL, "b", "two"), SIO_OK);
    sio_poll(c, &ev, 0);
    CHECK_INT(client_texts(), 1);
    CHECK_STR(sent[0], "40");                                 /* nothing before the CONNECT reply */
    server_text("40{\"sid\":\"S1\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    sio_poll(c, &ev, 0);
    CHECK_INT(client_texts(), 2);
    CHECK_STR(sent[0], "42[\"a\",1]");
    CHECK_STR(sent[1], "42[\"b\",\"two\"]");
    sio_destroy(c);
}

static void test_io_emit_validates_name_and_args(void)
{
    sio_client *c = io_client("http://h.test/", NULL);
    CHECK_INT(sio_emit(c, NULL, "connect", NULL), SIO_ERR_INVALID);
    CHECK_INT(sio_emit(c, NULL, "", NULL), SIO_ERR_INVALID);
    CHECK_INT(sio_emit(c, NULL, "x", "{\"not\":\"array\"}"), SIO_ERR_INVALID);
    CHECK_INT(sio_emit(c, NULL, "x", "[1,"), SIO_ERR_INVALID);
    CHECK_INT(sio_emit(c, "no-slash", "x", NULL), SIO_ERR_INVALID);
    CHECK_INT(sio_emit(c, "/a,b", "x", NULL), SIO_ERR_INVALID);
    CHECK_INT(sio_send_text(c, "raw", 3), SIO_ERR_STATE);
    sio_destroy(c);
}

static void test_io_ping_is_answered_with_pong(void)
{
    sio_client *c = io_client("http://h.test/", NULL);
    sio_event ev;
    sio_poll(c, &ev, 0);
    client_texts();
    server_text("2");
    sio_poll(c, &ev, 0);
    CHECK_INT(client_texts(), 1);
    CHECK_STR(sent[0], "3");
    sio_destroy(c);
}

/* An emit over the server's maxPayload is refused at once (SIO_ERR_TOO_BIG,
 * nothing sent, the connection kept) instead of the server dropping the
 * connection ("transport close"); one that fits goes. */
static void test_io_emit_over_max_payload_is_refused(void)
{
    static char args[300];
    sio_config cfg;
    sio_client *c;
    sio_bytes big;
    sio_emit_options o;
    sio_event ev;
    memset(&cfg, 0, sizeof cfg);
    c = io_connected_with(&cfg, "0{\"sid\":\"E1\",\"upgrades\":[],\"pingInterval\":25000,"
                                "\"pingTimeout\":20000,\"maxPayload\":100}");
    CHECK(c != NULL);
    if (!c) return;
    client_texts();
    memset(args, 'a', sizeof args);
    memcpy(args, "[\"", 2);
    memcpy(args + 93, "\"]", 3);                            /* 42["e","a" x 91]: 101 bytes */
    CHECK_INT(sio_emit(c, NULL, "e", args), SIO_ERR_TOO_BIG);
    memcpy(args + 92, "\"]", 3);                            /* 100 bytes: fits */
    CHECK_INT(sio_emit(c, NULL, "e", args), SIO_OK);
    memset(&o, 0, sizeof o);
    o.event = "bin";
    big.data = (const unsigned char *)args;
    big.len = 101;
    o.attachments = &big;
    o.attachment_count = 1;
    CHECK_INT(sio_emit_ex(c, &o, NULL), SIO_ERR_TOO_BIG);   /* the attachment alone is too big */
    sio_poll(c, &ev, 0);
    CHECK_INT(client_texts(), 1);
    CHECK_INT((int)strlen(sent[0]), 100);
    CHECK_INT(sio_get_state(c), SIO_STATE_OPEN);
    sio_destroy(c);
}

/* maxPayload counts packets as they travel: Engine.IO 3's type byte on a
 * binary frame, and over polling "b"/"b4" with base64 and v3's "<length>:"
 * prefix.  Before, a packet the server then refused (HTTP 413, or a closed
 * WebSocket) passed. */
static void test_io_max_payload_counts_the_framing(void)
{
    sio_client *c = io_client("http://h.test/", NULL);
    CHECK(c != NULL);
    if (!c) return;
    c->eio.session.max_payload = 1000;
    CHECK(sio__packet_fits(c, 1000, 0) && !sio__packet_fits(c, 1001, 0));
    CHECK(sio__packet_fits(c, 1000, 1) && !sio__packet_fits(c, 1001, 1));
    c->eio.version = 3;
    CHECK(sio__packet_fits(c, 999, 1) && !sio__packet_fits(c, 1000, 1));        /* 0x04 first */
    c->polling.active = 1;
    CHECK(sio__packet_fits(c, 996, 0) && !sio__packet_fits(c, 997, 0));        /* "996:" + 996 */
    CHECK(sio__packet_fits(c, 744, 1) && !sio__packet_fits(c, 745, 1));        /* "994:b4" + 992 of base64 */
    c->eio.version = 4;
    CHECK(sio__packet_fits(c, 747, 1) && !sio__packet_fits(c, 748, 1));        /* "b" + 996 of base64 */
    c->polling.active = 0;
    sio_destroy(c);
}

/* Emitted before the handshake said maxPayload: queued, then refused when
 * the namespace connects (its ack ends with SIO_ERR_TOO_BIG; those without
 * an ack are said in one ERROR, not one each); the next queued one still
 * goes. */
static void test_io_queued_emit_over_max_payload_fails_its_ack(void)
{
    static char args[300];
    sio_client *c = NULL;
    sio_config cfg;
    sio_emit_options o;
    sio_event ev;
    int64_t id = -1;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "http://h.test/";
    cfg.mode = SIO_MODE_SOCKETIO;
    cfg.reconnect = SIO_RECONNECT_OFF;
    net_reset();
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    if (!c) return;
    sio_start(c);
    memset(args, 'a', sizeof args);
    memcpy(args, "[\"", 2);
    memcpy(args + 200, "\"]", 3);
    memset(&o, 0, sizeof o);
    o.event = "big";
    o.args = args;
    o.ack = 1;
    CHECK_INT(sio_emit_ex(c, &o, &id), SIO_OK);
    o.ack = 0;
    CHECK_INT(sio_emit_ex(c, &o, NULL), SIO_OK);                 /* two without an ack: one ERROR for both */
    CHECK_INT(sio_emit_ex(c, &o, NULL), SIO_OK);
    CHECK_INT(sio_emit(c, NULL, "small", "[1]"), SIO_OK);
    sio_poll(c, &ev, 0);
    server_accept(NULL);
    server_text("0{\"sid\":\"E1\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":100}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_OPEN);
    client_texts();
    server_text("40{\"sid\":\"S1\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ACK);
    CHECK(ev.ack_id == id && ev.error == SIO_ERR_TOO_BIG && strstr(ev.message, "maxPayload (100 bytes)") != NULL);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);            /* a million of them would be one ERROR too */
    CHECK(ev.error == SIO_ERR_TOO_BIG && strstr(ev.message, "2 emit(s) on / larger") != NULL);
    sio_poll(c, &ev, 0);
    CHECK_INT(client_texts(), 2);                            /* the CONNECT, then the small one alone */
    CHECK_STR(sent[0], "40");
    CHECK_STR(sent[1], "42[\"small\",1]");
    sio_destroy(c);
}

static void test_io_ping_behind_a_burst_is_answered_once_and_early(void)
{
    sio_client *c = io_client("http://h.test/", NULL);
    sio_event ev;
    int events = 0;
    server_text("40{\"sid\":\"S1\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    client_texts();
    server_text("42[\"a\"]");
    server_text("42[\"b\"]");
    server_text("2");
    server_text("42[\"c\"]");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);            /* "a" delivered ... */
    CHECK_INT(sio_poll(c, &ev, 0), 1);                         /* ... and the pong already went out */
    events++;
    CHECK_INT(client_texts(), 1);
    CHECK_STR(sent[0], "3");
    while (sio_poll(c, &ev, 0) == 1) events++;
    CHECK_INT(events, 2);                                      /* "b" and "c" */
    CHECK_INT(client_texts(), 0);                              /* no second pong for the same ping */
    sio_destroy(c);
}

/* Every ping gets its own pong, once, whether answered ahead or in its
 * turn: a ping right behind a delivered message (whose first byte the
 * message's NUL borrowed) and a fragmented one (which the look-ahead
 * cannot read) must not take the credit of a later ping.  Both echoed a
 * payload twice and another never before. */
static void test_io_pings_ahead_answer_each_payload_once(void)
{
    int round;
    for (round = 0; round < 2; round++) {
        sio_client *c = io_client("http://h.test/", NULL);
        sio_event ev;
        char pongs[256] = "";
        size_t i, n;
        server_text("40{\"sid\":\"S1\"}");
        CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
        client_texts();
        server_text("42[\"a\"]");
        if (round == 0) {
            server_text("2x1");
        } else {
            server_frame(0, SIO_WS_TEXT, "2x", 2);
            server_frame(1, SIO_WS_CONTINUATION, "1", 1);
        }
        server_text("42[\"b\"]");
        server_text("2x2");
        server_text("42[\"c\"]");
        while (sio_poll(c, &ev, 0) == 1) {
            n = client_texts();
            for (i = 0; i < n; i++) { strcat(pongs, sent[i]); strcat(pongs, " "); }
        }
        n = client_texts();
        for (i = 0; i < n; i++) { strcat(pongs, sent[i]); strcat(pongs, " "); }
        CHECK_STR(pongs, "3x1 3x2 ");
        sio_destroy(c);
    }
}

/* A ping behind a burst is answered ahead also after an idle link gave
 * its big receive buffer back (the buffer starts over at 0; the
 * look-ahead's absolute offset used to point past it, so the pong waited
 * for the ping's turn, or a frame was read from its middle). */
static void test_io_ping_ahead_after_the_buffer_shrank(void)
{
    static char big[12100];
    sio_client *c;
    sio_config cfg;
    sio_event ev;
    memset(&cfg, 0, sizeof cfg);
    c = io_connected_with(&cfg, "0{\"sid\":\"E1\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000}");
    CHECK(c != NULL);
    if (!c) return;
    memcpy(big, "42[\"x\",\"", 8);
    memset(big + 8, 'a', 12000);
    strcpy(big + 8 + 12000, "\"]");
    server_text("42[\"w\"]");
    server_text(big);
    server_text("42[\"y\"]");
    while (sio_poll(c, &ev, 0) == 1) {}
    CHECK(c->ln.rx_cap > 12000);
    net.now += 1500;                                         /* idle: the link shrinks */
    sio_poll(c, &ev, 0);
    CHECK(c->ln.rx_cap < 12000);
    client_texts();
    server_text("42[\"b\"]");
    server_text("42[\"c\"]");
    server_text("2");
    server_text("42[\"d\"]");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);           /* b */
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);           /* c; the pong went out with b */
    CHECK_INT(client_texts(), 1);
    CHECK_STR(sent[0], "3");
    while (sio_poll(c, &ev, 0) == 1) {}
    CHECK_INT(client_texts(), 0);                            /* not twice */
    sio_destroy(c);
}

/* Closing, the heartbeat has no deadline any more (the close timeout runs):
 * a passed one made sio_next_timeout_ms say 0 on every call, so a
 * caller's loop spun until the close timeout. */
static void test_io_closing_does_not_spin_on_the_heartbeat(void)
{
    sio_client *c = io_client("http://h.test/", NULL);
    sio_event ev;
    int i, zeros = 0;
    server_text("40{\"sid\":\"S1\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    CHECK_INT(sio_stop(c), SIO_OK);
    while (sio_poll(c, &ev, 0) == 1) {}
    net.now += 600;                                          /* past pingInterval + pingTimeout */
    for (i = 0; i < 100; i++) {
        if (sio_next_timeout_ms(c) == 0) zeros++;
        if (sio_poll(c, &ev, 0) == 1) break;
    }
    CHECK(zeros < 2);
    CHECK(sio_next_timeout_ms(c) > 0);                       /* the close timeout's remainder */
    sio_destroy(c);
}

/* Events held for a namespace whose CONNECT reply has not come cannot be
 * delivered: they give the caller no work to do now (the loop would spin),
 * and a reply without a sid drops them. */
static void test_io_held_events_wait_without_spinning(void)
{
    sio_client *c = io_client("http://h.test/", NULL);
    sio_event ev;
    size_t before = sio_memory(c);
    server_text("42[\"early\",1]");                          /* before the CONNECT reply */
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    CHECK(sio_memory(c) > before);                           /* held */
    CHECK(sio_next_timeout_ms(c) > 0);                       /* the heartbeat's, not "now" */
    server_text("40{}");                                     /* no sid: a Socket.IO v2 server */
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT_ERROR);
    CHECK(strstr(ev.message, "v2.x") != NULL);
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    CHECK_INT(sio_memory(c), before);                        /* the held event went */
    CHECK(sio_next_timeout_ms(c) > 0);
    CHECK_INT(sio_join(c, NULL, NULL), SIO_OK);
    server_text("40{\"sid\":\"S2\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    CHECK_INT(sio_poll(c, &ev, 0), 0);                       /* not delivered to the new join */
    sio_destroy(c);
}

/* Emits "e" on ns (NULL: the URL's) asking for an ack; returns its id. */
static int64_t io_emit_with_ack(sio_client *c, const char *ns)
{
    sio_emit_options o;
    int64_t id = -1;
    memset(&o, 0, sizeof o);
    o.ns = ns;
    o.event = "e";
    o.ack = 1;
    CHECK_INT(sio_emit_ex(c, &o, &id), SIO_OK);
    return id;
}

/* Polls what is waiting: the ACK events ending ack id with SIO_ERR_CLOSED
 * on ns, and the ERROR events saying why (containing why). */
static void io_count_dropped(sio_client *c, int64_t id, const char *ns, const char *why, int *acks, int *errors)
{
    sio_event ev;
    *acks = *errors = 0;
    while (sio_poll(c, &ev, 0) == 1) {
        if (ev.type == SIO_EVENT_ACK && ev.ack_id == id && ev.error == SIO_ERR_CLOSED && strcmp(ev.ns, ns) == 0)
            ++*acks;
        if (ev.type == SIO_EVENT_ERROR && strstr(ev.message, why)) ++*errors;
    }
}

/* A namespace that refuses the connection drops its queued emits, and the
 * acks they asked for end with an error; an answer to one, before or after, is
 * ignored. */
static void test_io_refused_namespace_ends_the_acks_of_its_queued_emits(void)
{
    sio_client *c = io_client("http://h.test/", NULL);
    sio_event ev;
    int64_t id;
    int acks, errors;
    server_text("40{\"sid\":\"S1\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    id = io_emit_with_ack(c, "/z");                          /* queued until /z's reply */
    CHECK_INT(id, 0);
    server_text("43/z,0[\"guessed\"]");                      /* an answer to an emit it never got */
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    server_text("44/z,{\"message\":\"nope\"}");
    io_count_dropped(c, id, "/z", "queued emit(s) on /z were dropped", &acks, &errors);
    CHECK_INT(acks, 1);
    CHECK_INT(errors, 1);
    server_text("43/z,0[\"late\"]");
    CHECK_INT(sio_poll(c, &ev, 0), 0);                       /* nobody waits for it any more */
    sio_destroy(c);
}

/* Emits queued until the CONNECT reply that cannot go out then (no
 * randomness for the frame mask) are reported with their acks, not lost. */
static void test_io_queued_emits_that_cannot_be_sent_are_reported(void)
{
    sio_client *c = io_client("http://h.test/", NULL);
    sio_event ev;
    int64_t id = io_emit_with_ack(c, NULL);                   /* queued until "/"'s reply */
    int acks, errors;
    net.random_fail = 1;
    c->sys.random_left = 0;                                  /* no random bytes kept either */
    server_text("40{\"sid\":\"S1\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    io_count_dropped(c, id, "/", "could not be sent", &acks, &errors);
    CHECK_INT(acks, 1);
    CHECK_INT(errors, 1);
    CHECK_INT(sio_queued_bytes(c), 0);
    net.random_fail = 0;
    sio_destroy(c);
}

static sio_emit_options one_attachment_in_parts(void);
static long io_live_bytes, io_peak_bytes;
static void *io_sized_realloc(void *user, void *p, size_t size)
{
    size_t *h = p ? (size_t *)p - 2 : NULL;
    (void)user;
    if (h) io_live_bytes -= (long)h[0];
    if (size == 0) { free(h); return NULL; }
    h = (size_t *)realloc(h, size + 2 * sizeof(size_t));
    if (!h) return NULL;
    h[0] = size;
    io_live_bytes += (long)size;
    if (io_live_bytes > io_peak_bytes) io_peak_bytes = io_live_bytes;
    return h + 2;
}

/* Polls until nothing comes, counting the events; the heap never passed bound. */
static int drain_within(sio_client *c, long bound)
{
    sio_event ev;
    int n = 0;
    while (n < 10000 && sio_poll(c, &ev, 0) == 1) n++;
    CHECK(io_peak_bytes <= bound);
    return n;
}

/* A program that never polls cannot grow the event queue without end: a
 * join, emits with acks and a leave in a loop (each leave ending the acks
 * in ACK events), or starts and stops, are refused once more events wait
 * than a run may add to, and the heap stays within sio_memory_bound (the
 * queue grew by an ACK per emit for as long as the loop ran). */
static void test_io_events_not_polled_stop_new_work(void)
{
    sio_client *c = NULL;
    sio_config cfg;
    sio_emit_options e;
    long bound;
    int i, k, refused = 0;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "http://h.test/";
    cfg.mode = SIO_MODE_SOCKETIO;
    cfg.reconnect = SIO_RECONNECT_OFF;
    cfg.max_pending_acks = 8;
    cfg.max_namespaces = 2;
    cfg.allocator.realloc = io_sized_realloc;
    bound = (long)sio_memory_bound(&cfg);
    io_live_bytes = io_peak_bytes = 0;
    net_reset();
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    if (!c) return;
    memset(&e, 0, sizeof e);
    e.ns = "/x";
    e.event = "e";
    e.ack = 1;
    for (i = 0; i < 2000 && !refused; i++) {
        int r = sio_join(c, "/x", NULL);
        if (r == SIO_ERR_FULL) { refused = 1; break; }
        CHECK_INT(r, SIO_OK);
        for (k = 0; k < 4; k++) if (sio_emit_ex(c, &e, NULL) == SIO_ERR_FULL) refused = 1;
        sio_leave(c, "/x");
    }
    CHECK(refused);
    CHECK(io_peak_bytes <= bound);
    drain_within(c, bound);
    CHECK_INT(sio_join(c, "/x", NULL), SIO_OK);                 /* polled: new work is taken again */
    sio_destroy(c);
    cfg.mode = SIO_MODE_WEBSOCKET;                              /* starts and stops of a WebSocket */
    cfg.url = "ws://h.test/";
    bound = (long)sio_memory_bound(&cfg);
    io_live_bytes = io_peak_bytes = 0;
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    if (!c) return;
    for (i = 0, refused = 0; i < 3000 && !refused; i++) {
        int r = sio_start(c);
        if (r == SIO_ERR_FULL) refused = 1;
        else sio_stop(c);
    }
    CHECK(refused);
    CHECK(io_peak_bytes <= bound);
    sio_destroy(c);
    CHECK_INT(io_live_bytes, 0);
}

/* sio_memory_bound holds for a client driven to every limit at once: a
 * handshake head of max_handshake, permessage-deflate, every namespace
 * joined, events held before a CONNECT reply up to max_message, every ack
 * pending and the send queue full behind a socket that takes nothing, an
 * attachment in parts on top, a binary event with max_attachments filling
 * max_message, then the connection lost with everything failing at once. */
static void test_io_memory_stays_within_its_bound_at_every_limit(void)
{
    sio_client *c = NULL;
    sio_config cfg;
    sio_event ev;
    sio_emit_options o = one_attachment_in_parts();
    static char filler[1700], big[7800], head[2000];
    long bound;
    int i, events;
    size_t k;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "http://h.test/";
    cfg.mode = SIO_MODE_SOCKETIO;
    cfg.reconnect = SIO_RECONNECT_OFF;
    cfg.deflate = SIO_DEFLATE_ON;
    cfg.deflate_threshold = 64;
    cfg.keep_handshake = 1;
    cfg.max_message = 8192;
    cfg.max_handshake = 2048;
    cfg.max_send_queue = 8192;
    cfg.max_attachments = 3;
    cfg.max_namespaces = 3;
    cfg.max_pending_acks = 8;
    cfg.allocator.realloc = io_sized_realloc;
    bound = (long)sio_memory_bound(&cfg);
    io_live_bytes = io_peak_bytes = 0;
    net_reset();
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    if (!c) return;
    sio_start(c);
    sio_poll(c, &ev, 0);
    memset(filler, 'h', sizeof filler - 1);
    snprintf(head, sizeof head, "Sec-WebSocket-Extensions: permessage-deflate\r\nX-Filler: %s\r\n", filler);
    server_accept(head);
    server_text(OPEN_PACKET);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_OPEN);
    server_text("40{\"sid\":\"S1\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    CHECK_INT(sio_join(c, "/a", NULL), SIO_OK);
    CHECK_INT(sio_join(c, "/b", "{\"token\":\"t\"}"), SIO_OK);
    CHECK_INT(sio_join(c, "/c", NULL), SIO_ERR_FULL);
    memset(big, 'x', sizeof big - 1);
    for (i = 0; i < 3; i++) {                                  /* held for /b until its CONNECT reply */
        char text[2600];
        snprintf(text, sizeof text, "42/b,[\"early\",\"%.2500s\"]", big);
        server_text(text);
    }
    drain_within(c, bound);
    net.out_len = sizeof net.out;                              /* the server reads nothing now */
    for (i = 0; i < 20; i++) {
        sio_emit_options e;
        char args[1100];
        memset(&e, 0, sizeof e);
        snprintf(args, sizeof args, "[\"%.1000s\"]", big);
        e.event = "fill";
        e.args = args;
        e.ack = i < 8;
        if (sio_emit_ex(c, &e, NULL) != SIO_OK) break;
        drain_within(c, bound);
    }
    CHECK(i >= 7);
    CHECK_INT(sio_emit_ex(c, &o, NULL), SIO_OK);               /* an attachment in parts on a full queue */
    CHECK_INT(sio_send_begin(c, 1), SIO_OK);
    for (k = 0; k < 40 && sio_send_part(c, big, 1000) == SIO_OK; k++) drain_within(c, bound);
    {                                                          /* three attachments filling max_message */
        char packet[128];
        snprintf(packet, sizeof packet, "453-[\"bin\",{\"_placeholder\":true,\"num\":0},"
                 "{\"_placeholder\":true,\"num\":1},{\"_placeholder\":true,\"num\":2}]");
        server_text(packet);
        for (i = 0; i < 3; i++) server_frame(1, SIO_WS_BINARY, big, 2600);
    }
    drain_within(c, bound);
    server_text("40/b,{\"sid\":\"S2\"}");                      /* the held events go out */
    drain_within(c, bound);
    net.eof = 1;                                               /* gone: everything fails at once */
    events = drain_within(c, bound);
    CHECK(events >= 8);
    CHECK_INT(sio_get_state(c), SIO_STATE_IDLE);
    printf("  peak heap %ld bytes, sio_memory_bound %ld (%.0f%%)\n", io_peak_bytes, bound,
           100.0 * (double)io_peak_bytes / (double)bound);
    sio_destroy(c);
    CHECK_INT(io_live_bytes, 0);
}

/* sio_memory counts a binary packet exactly while it collects, once it is
 * whole, and after it was abandoned part-way (its unfilled slots were
 * missed until the next poll). */
static void test_io_memory_is_exact_around_binary_packets(void)
{
    static const char three[] = "453-[\"x\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1},"
                                "{\"_placeholder\":true,\"num\":2}]";
    sio_client *c;
    sio_config cfg;
    sio_event ev;
    memset(&cfg, 0, sizeof cfg);
    cfg.allocator.realloc = io_sized_realloc;
    io_live_bytes = 0;
    c = io_connected(&cfg);
    CHECK(c != NULL);
    if (!c) return;
    server_text(three);
    server_frame(1, SIO_WS_BINARY, "\x01", 1);
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    CHECK_INT(sio_memory(c), io_live_bytes);                 /* collecting */
    server_frame(1, SIO_WS_BINARY, "\x02", 1);
    server_frame(1, SIO_WS_BINARY, "\x03", 1);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);
    CHECK_INT(sio_memory(c), io_live_bytes);                 /* whole, lent to the event */
    server_text(three);
    server_frame(1, SIO_WS_BINARY, "\x01", 1);
    server_text("42[\"y\"]");                                /* abandoned after one of three */
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK_INT(sio_memory(c), io_live_bytes);
    sio_destroy(c);
    CHECK_INT(io_live_bytes, 0);
}

static void test_io_ping_timeout_disconnects(void)
{
    sio_client *c = io_client("http://h.test/", NULL);
    sio_event ev;
    uint64_t t0 = net.now;
    server_text("40{\"sid\":\"S1\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    CHECK_INT(sio_poll(c, &ev, 2000), 1);
    CHECK_INT(ev.type, SIO_EVENT_ERROR);
    CHECK_INT(ev.error, SIO_ERR_TIMEOUT);
    CHECK(net.now - t0 >= 500 && net.now - t0 < 600);        /* pingInterval + pingTimeout */
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_DISCONNECT);
    CHECK_STR(ev.reason, "ping timeout");
    CHECK_STR(ev.ns, "/");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CLOSE);
    CHECK_INT(net.sockets, 0);
    sio_destroy(c);
}

static void test_io_binary_event_reassembled(void)
{
    sio_client *c = io_client("http://h.test/", NULL);
    sio_event ev;
    server_text("40{\"sid\":\"S1\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    server_text("452-[\"bin\",{\"_placeholder\":true,\"num\":0},{\"x\":{\"num\":1,\"_placeholder\":true}}]");
    server_frame(1, SIO_WS_BINARY, "\x01\x02\x03", 3);
    CHECK_INT(sio_poll(c, &ev, 0), 0);                        /* one attachment still missing */
    server_frame(1, SIO_WS_BINARY, "\x04", 1);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);
    CHECK_STR(ev.event_name, "bin");
    CHECK_INT(ev.attachment_count, 2);
    CHECK_INT(ev.attachments[0].len, 3);
    CHECK_MEM(ev.attachments[0].data, "\x01\x02\x03", 3);
    CHECK_INT(ev.attachments[1].len, 1);
    sio_destroy(c);
}

/* The next event is a part of attachment index at offset: these bytes. */
static void next_part(sio_client *c, sio_event *ev, size_t index, uint64_t offset, const char *bytes, size_t len,
                      int final)
{
    CHECK_INT(poll_type(c, ev), SIO_EVENT_ATTACHMENT);
    CHECK_INT(ev->attachment_index, index);
    CHECK_INT(ev->offset, offset);
    CHECK_INT(ev->len, len);
    CHECK(ev->len != len || memcmp(ev->data, bytes, len) == 0);
    CHECK(ev->data && ev->data[ev->len] == 0);
    CHECK_INT(ev->final, final);
}

/* receive_parts: the EVENT comes at its header, its attachments after it
 * in parts as their frames arrive (never put together), then the next
 * packet; an ACK's the same; a dropped packet's attachments are dropped. */
static void test_io_attachments_in_parts(void)
{
    sio_client *c;
    sio_config cfg;
    sio_event ev;
    sio_emit_options o;
    int64_t id = -1;
    memset(&cfg, 0, sizeof cfg);
    cfg.receive_parts = 1;
    c = io_connected(&cfg);
    CHECK(c != NULL);
    if (!c) return;
    server_text("452-7[\"bin\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);             /* at once: nothing held */
    CHECK_STR(ev.event_name, "bin");
    CHECK_INT(ev.attachment_count, 2);
    CHECK(ev.attachments == NULL);
    CHECK_INT(ev.ack_id, 7);
    server_frame(0, SIO_WS_BINARY, "\x01\x02", 2);
    server_frame(1, SIO_WS_CONTINUATION, "\x03", 1);
    server_frame(1, SIO_WS_BINARY, "", 0);                     /* an empty attachment */
    next_part(c, &ev, 0, 0, "\x01\x02", 2, 0);
    CHECK_STR(ev.ns, "/");
    CHECK_INT(ev.ack_id, 7);
    CHECK_INT(ev.attachment_count, 2);
    next_part(c, &ev, 0, 2, "\x03", 1, 1);
    next_part(c, &ev, 1, 0, "", 0, 1);
    /* an ACK with an attachment */
    memset(&o, 0, sizeof o);
    o.event = "q";
    o.ack = 1;
    CHECK_INT(sio_emit_ex(c, &o, &id), SIO_OK);
    server_text("461-0[{\"_placeholder\":true,\"num\":0}]");
    server_frame(1, SIO_WS_BINARY, "\x09", 1);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ACK);
    CHECK_INT(ev.ack_id, id);
    CHECK_INT(ev.attachment_count, 1);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ATTACHMENT);
    CHECK_INT(ev.ack_id, id);
    CHECK_MEM(ev.data, "\x09", 1);
    /* not subscribed: the packet and its attachment go unseen */
    CHECK_INT(sio_subscribe(c, "/", "want"), SIO_OK);
    server_text("451-[\"other\",{\"_placeholder\":true,\"num\":0}]");
    server_frame(0, SIO_WS_BINARY, "\x0a", 1);
    server_frame(1, SIO_WS_CONTINUATION, "\x0b", 1);
    server_text("42[\"want\",\"after\"]");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);
    CHECK_STR((const char *)ev.data, "after");
    /* text where an attachment was announced is still an error */
    server_text("451-[\"want\",{\"_placeholder\":true,\"num\":0}]");
    server_text("42[\"want\"]");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK(strstr(ev.message, "attachments were expected") != NULL);
    sio_destroy(c);
}

/* The client's frames since the last call as one line: T (text), B
 * (binary), C (continuation), lower case without FIN, each with its
 * payload (binary bytes in hex), separated by "|". */
static const char *client_frames_line(void)
{
    static char line[4096];
    static unsigned char payload[1 << 16];
    sio_ws_frame f;
    size_t i, k, n = 0;
    line[0] = 0;
    for (i = 0; client_frame(i, &f, payload) && n < sizeof line - 200; i++) {
        char kind = f.opcode == SIO_WS_TEXT ? 'T' : f.opcode == SIO_WS_BINARY ? 'B' : f.opcode == 0 ? 'C' : '?';
        n += (size_t)snprintf(line + n, sizeof line - n, "%s%c:", i ? "|" : "", f.fin ? kind : kind + 32);
        for (k = 0; k < f.length && n < sizeof line - 8; k++)
            n += (size_t)snprintf(line + n, sizeof line - n, f.opcode == SIO_WS_TEXT ? "%c" : "%02x", payload[k]);
    }
    net.out_len = 0;
    return line;
}

/* An emit's attachments sent in parts: the header at once, each attachment
 * one binary message of fragments, and every other packet (an emit, a
 * pong) behind the last. */
static void test_io_attachments_sent_in_parts(void)
{
    sio_client *c;
    sio_config cfg;
    sio_event ev;
    sio_emit_options o;
    int64_t id = -1;
    memset(&cfg, 0, sizeof cfg);
    c = io_connected(&cfg);
    CHECK(c != NULL);
    if (!c) return;
    client_frames_line();
    CHECK_INT(sio_send_begin(c, 1), SIO_ERR_STATE);            /* no emit announced attachments */
    memset(&o, 0, sizeof o);
    o.event = "up";
    o.args = "[{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]";
    o.attachment_count = 2;
    o.ack = 1;
    CHECK_INT(sio_emit_ex(c, &o, &id), SIO_OK);
    CHECK_INT(id, 0);
    CHECK_INT(sio_emit_ex(c, &o, NULL), SIO_ERR_STATE);        /* one at a time */
    CHECK_INT(sio_emit(c, NULL, "later", "[1]"), SIO_OK);      /* waits behind the attachments */
    server_text("2");                                          /* so does the pong */
    sio_poll(c, &ev, 0);
    CHECK_INT(sio_send_begin(c, 0), SIO_ERR_INVALID);          /* attachments are binary */
    CHECK_INT(sio_send_begin(c, 1), SIO_OK);
    CHECK_INT(sio_send_begin(c, 1), SIO_ERR_STATE);
    CHECK_INT(sio_send_part(c, "\x01\x02", 2), SIO_OK);
    sio_poll(c, &ev, 0);                                       /* the first fragment leaves now */
    CHECK_INT(sio_send_part(c, "\x03", 1), SIO_OK);
    CHECK_INT(sio_send_end(c), SIO_OK);
    CHECK_INT(sio_send_begin(c, 1), SIO_OK);
    CHECK_INT(sio_send_end(c), SIO_OK);                        /* an empty one */
    CHECK_INT(sio_send_begin(c, 1), SIO_ERR_STATE);            /* both ended */
    sio_poll(c, &ev, 0);
    CHECK_STR(client_frames_line(), "T:452-0[\"up\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,"
              "\"num\":1}]|b:0102|C:03|B:|T:42[\"later\",1]|T:3");
    server_text("460-0[\"ok\"]");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ACK);
    CHECK_INT(ev.ack_id, 0);
    sio_destroy(c);
}

/* The options of an emit of "up" with one attachment that follows in parts. */
static sio_emit_options one_attachment_in_parts(void)
{
    sio_emit_options o;
    memset(&o, 0, sizeof o);
    o.event = "up";
    o.args = "[{\"_placeholder\":true,\"num\":0}]";
    o.attachment_count = 1;
    return o;
}

/* A connected client with one attachment of an emit open (a byte sent)
 * and an emit waiting behind it; what it wrote so far is read. */
static sio_client *io_mid_attachment(void)
{
    sio_config cfg;
    sio_emit_options o;
    sio_client *c;
    memset(&cfg, 0, sizeof cfg);
    o = one_attachment_in_parts();
    c = io_connected(&cfg);
    CHECK(c != NULL);
    if (!c) return NULL;
    client_frames_line();
    CHECK_INT(sio_emit_ex(c, &o, NULL), SIO_OK);
    CHECK_INT(sio_send_begin(c, 1), SIO_OK);
    CHECK_INT(sio_send_part(c, "\x01", 1), SIO_OK);
    CHECK_INT(sio_emit(c, NULL, "after", "[1]"), SIO_OK);      /* waits behind the attachment */
    return c;
}

/* sio_stop while an emit's attachments are open: what was accepted goes
 * first (the attachments as the application finishes them, the emits
 * behind them), then the namespace's DISCONNECT and the close.  A second
 * sio_stop does not wait: the emit is abandoned, and an error says so. */
static void test_io_stop_waits_for_attachments_in_parts(void)
{
    sio_client *c = io_mid_attachment();
    sio_event ev;
    int k, errors = 0;
    if (!c) return;
    CHECK_INT(sio_stop(c), SIO_OK);
    CHECK_INT(sio_join(c, "/other", NULL), SIO_OK);            /* stopping: no CONNECT goes */
    for (k = 0; k < 20; k++) sio_poll(c, &ev, 0);
    CHECK_STR(client_frames_line(), "T:451-[\"up\",{\"_placeholder\":true,\"num\":0}]|b:01");
    CHECK_INT(sio_send_part(c, "\x02", 1), SIO_OK);
    CHECK_INT(sio_send_end(c), SIO_OK);
    for (k = 0; k < 20; k++) sio_poll(c, &ev, 0);
    CHECK_STR(client_frames_line(), "C:02|T:42[\"after\",1]|T:41|?:03e8");
    sio_destroy(c);

    c = io_mid_attachment();
    if (!c) return;
    CHECK_INT(sio_stop(c), SIO_OK);
    CHECK_INT(sio_stop(c), SIO_OK);                            /* no waiting: abandoned */
    CHECK_INT(sio_send_part(c, "\x02", 1), SIO_ERR_STATE);
    for (k = 0; k < 20; k++)
        if (sio_poll(c, &ev, 0) == 1 && ev.type == SIO_EVENT_ERROR) errors++;
    CHECK_INT(errors, 1);
    CHECK_STR(client_frames_line(), "T:451-[\"up\",{\"_placeholder\":true,\"num\":0}]|b:01|?:03e8");
    sio_destroy(c);
}

/* How many events of type polls polls deliver. */
static int events_of_type(sio_client *c, int type, int polls)
{
    sio_event ev;
    int k, n = 0;
    for (k = 0; k < polls; k++)
        if (sio_poll(c, &ev, 0) == 1 && (int)ev.type == type) n++;
    return n;
}

/* Every way the connection may end while an attachment is open waits for
 * it: leaving the last namespace (before or after sio_stop) and a stop with
 * a namespace still awaiting its CONNECT reply, which is then DISCONNECTed
 * and raises no CONNECT event afterwards. */
static void test_io_every_close_waits_for_attachments_in_parts(void)
{
    sio_client *c = io_mid_attachment();
    sio_event ev;
    int k;
    if (!c) return;
    CHECK_INT(sio_leave(c, "/"), SIO_OK);                      /* the last namespace */
    for (k = 0; k < 20; k++) sio_poll(c, &ev, 0);
    CHECK_STR(client_frames_line(), "T:451-[\"up\",{\"_placeholder\":true,\"num\":0}]|b:01");
    CHECK_INT(sio_send_part(c, "\x02", 1), SIO_OK);
    CHECK_INT(sio_send_end(c), SIO_OK);
    for (k = 0; k < 20; k++) sio_poll(c, &ev, 0);
    CHECK_STR(client_frames_line(), "C:02|T:42[\"after\",1]|T:41|?:03e8");
    sio_destroy(c);

    c = io_mid_attachment();
    if (!c) return;
    CHECK_INT(sio_stop(c), SIO_OK);
    for (k = 0; k < 20; k++) sio_poll(c, &ev, 0);
    client_frames_line();
    CHECK_INT(sio_leave(c, "/"), SIO_OK);                      /* stopping already: still waits */
    for (k = 0; k < 20; k++) sio_poll(c, &ev, 0);
    CHECK_STR(client_frames_line(), "");
    CHECK_INT(sio_send_part(c, "\x02", 1), SIO_OK);
    CHECK_INT(sio_send_end(c), SIO_OK);
    for (k = 0; k < 20; k++) sio_poll(c, &ev, 0);
    CHECK_STR(client_frames_line(), "C:02|T:42[\"after\",1]|T:41|?:03e8");
    sio_destroy(c);

    c = io_mid_attachment();
    if (!c) return;
    CHECK_INT(sio_join(c, "/y", NULL), SIO_OK);                /* its CONNECT waits behind the attachment */
    CHECK_INT(sio_stop(c), SIO_OK);
    CHECK_INT(sio_emit(c, "/y", "late", "[1]"), SIO_OK);       /* queued for a next sio_start, not sent now */
    CHECK_INT(sio_send_part(c, "\x02", 1), SIO_OK);
    CHECK_INT(sio_send_end(c), SIO_OK);
    for (k = 0; k < 20; k++) sio_poll(c, &ev, 0);
    CHECK_STR(client_frames_line(), "T:451-[\"up\",{\"_placeholder\":true,\"num\":0}]|b:01|C:02|"
              "T:42[\"after\",1]|T:40/y,|T:41|T:41/y,|?:03e8");
    server_text("40/y,{\"sid\":\"Y1\"}");                     /* the reply to the CONNECT that went */
    server_frame(1, SIO_WS_CLOSE, "\x03\xe8", 2);
    CHECK_INT(events_of_type(c, SIO_EVENT_CONNECT, 20), 0);
    CHECK_STR(client_frames_line(), "");
    sio_destroy(c);
}

/* A stop with a namespace awaiting its CONNECT reply, no attachment open:
 * the namespace is DISCONNECTed with the others, and its late CONNECT reply
 * raises no event and lets nothing out after the close. */
static void test_io_stop_leaves_namespaces_still_connecting(void)
{
    sio_config cfg;
    sio_client *c;
    sio_event ev;
    memset(&cfg, 0, sizeof cfg);
    c = io_connected(&cfg);
    CHECK(c != NULL);
    if (!c) return;
    client_frames_line();
    CHECK_INT(sio_join(c, "/y", NULL), SIO_OK);
    sio_poll(c, &ev, 0);
    CHECK_STR(client_frames_line(), "T:40/y,");
    CHECK_INT(sio_stop(c), SIO_OK);
    CHECK_INT(sio_emit(c, "/y", "late", "[1]"), SIO_OK);       /* queued for a next sio_start, not sent now */
    server_text("40/y,{\"sid\":\"Y1\"}");
    CHECK_INT(events_of_type(c, SIO_EVENT_CONNECT, 20), 0);
    CHECK_STR(client_frames_line(), "T:41|T:41/y,|?:03e8");
    sio_destroy(c);
}

/* What waits behind an open attachment (emits, pongs) may fill the send
 * queue; the attachment must still go, or nothing would ever drain: a part
 * always fits once the link is empty. */
static void test_io_attachment_parts_go_when_the_queue_is_full_behind_them(void)
{
    sio_config cfg;
    sio_client *c;
    sio_event ev;
    sio_emit_options o;
    int k;
    memset(&cfg, 0, sizeof cfg);
    memset(&o, 0, sizeof o);
    cfg.max_send_queue = 2000;
    o.event = "up";
    o.args = "[{\"_placeholder\":true,\"num\":0}]";
    o.attachment_count = 1;
    c = io_connected(&cfg);
    CHECK(c != NULL);
    if (!c) return;
    CHECK_INT(sio_emit_ex(c, &o, NULL), SIO_OK);
    CHECK_INT(sio_send_begin(c, 1), SIO_OK);
    for (k = 0; k < 20; k++) sio_poll(c, &ev, 0);             /* the link is empty */
    for (k = 0; k < 1000 && sio_emit(c, NULL, "fill", "[\"0123456789\"]") == SIO_OK; k++) {}
    CHECK(k > 0 && k < 1000);
    for (k = 0; k < 4; k++) server_text("2");                 /* the pongs wait too */
    for (k = 0; k < 20; k++) sio_poll(c, &ev, 0);
    CHECK(sio_queued_bytes(c) >= cfg.max_send_queue);
    client_frames_line();
    CHECK_INT(sio_send_part(c, "\x02", 1), SIO_OK);
    CHECK_INT(sio_send_end(c), SIO_OK);
    for (k = 0; k < 20; k++) sio_poll(c, &ev, 0);
    {
        const char *want = "B:02|T:42[\"fill\",\"0123456789\"]|";   /* the part, then what waited */
        CHECK(strncmp(client_frames_line(), want, strlen(want)) == 0);
    }
    CHECK_INT((int)sio_queued_bytes(c), 0);
    sio_destroy(c);
}

static sio_client *eio3_client(const char *url);

/* Leaving the last namespace while an attachment is open defers the close;
 * joining again before the attachment ends calls the close off: the
 * connection stays, the namespace's CONNECT reply is answered as usual and
 * an emit queued for it goes (not after a close frame, nor lost). */
static void test_io_join_after_a_deferred_leave_keeps_the_connection(void)
{
    sio_client *c = io_mid_attachment();
    sio_event ev;
    int k;
    if (!c) return;
    CHECK_INT(sio_leave(c, "/"), SIO_OK);
    CHECK_INT(sio_join(c, "/", NULL), SIO_OK);
    CHECK_INT(sio_emit(c, NULL, "q", "[1]"), SIO_OK);          /* waits for the CONNECT reply */
    CHECK_INT(sio_send_end(c), SIO_OK);
    for (k = 0; k < 20; k++) sio_poll(c, &ev, 0);
    CHECK_STR(client_frames_line(), "T:451-[\"up\",{\"_placeholder\":true,\"num\":0}]|b:01|C:|T:42[\"after\",1]|T:41|T:40");
    server_text("40{\"sid\":\"S2\"}");
    CHECK_INT(events_of_type(c, SIO_EVENT_CONNECT, 20), 1);
    CHECK_STR(client_frames_line(), "T:42[\"q\",1]");
    CHECK_INT(sio_get_state(c), SIO_STATE_OPEN);
    sio_destroy(c);

    c = io_mid_attachment();                                   /* sio_emit joins the namespace itself */
    if (!c) return;
    CHECK_INT(sio_leave(c, "/"), SIO_OK);
    CHECK_INT(sio_emit(c, NULL, "q", "[2]"), SIO_OK);
    CHECK_INT(sio_send_end(c), SIO_OK);
    for (k = 0; k < 20; k++) sio_poll(c, &ev, 0);
    CHECK_STR(client_frames_line(), "T:451-[\"up\",{\"_placeholder\":true,\"num\":0}]|b:01|C:|T:42[\"after\",1]|T:41|T:40");
    server_text("40{\"sid\":\"S2\"}");
    CHECK_INT(events_of_type(c, SIO_EVENT_CONNECT, 20), 1);
    CHECK_STR(client_frames_line(), "T:42[\"q\",2]");
    sio_destroy(c);
}

/* Once our close frame is queued nothing follows it (RFC 6455 5.5.1): not
 * the answer to a ping, not what a late CONNECT reply would release. */
static void test_io_nothing_follows_our_close_frame(void)
{
    sio_config cfg;
    sio_client *c;
    sio_emit_options o;
    memset(&cfg, 0, sizeof cfg);
    c = io_connected(&cfg);
    CHECK(c != NULL);
    if (!c) return;
    client_frames_line();
    CHECK_INT(sio_stop(c), SIO_OK);
    events_of_type(c, SIO_EVENT_NONE, 5);
    server_text("2");
    server_text("2probe");
    CHECK_INT(events_of_type(c, SIO_EVENT_ERROR, 10), 0);
    CHECK_STR(client_frames_line(), "T:41|?:03e8");
    sio_destroy(c);

    c = io_mid_attachment();                                   /* the close that waited for an attachment */
    if (!c) return;
    CHECK_INT(sio_stop(c), SIO_OK);
    CHECK_INT(sio_send_end(c), SIO_OK);
    events_of_type(c, SIO_EVENT_NONE, 5);
    CHECK_STR(client_frames_line(), "T:451-[\"up\",{\"_placeholder\":true,\"num\":0}]|b:01|C:|T:42[\"after\",1]|T:41|?:03e8");
    server_text("2");
    CHECK_INT(events_of_type(c, SIO_EVENT_ERROR, 10), 0);
    CHECK_STR(client_frames_line(), "");
    sio_destroy(c);

    c = io_connected(&cfg);                                    /* the server ends the session */
    if (!c) return;
    server_text("1");
    events_of_type(c, SIO_EVENT_NONE, 5);
    CHECK_INT(sio_get_state(c), SIO_STATE_CLOSING);
    memset(&o, 0, sizeof o);
    o.event = "vol";
    o.is_volatile = 1;
    CHECK_INT(sio_emit_ex(c, &o, NULL), SIO_OK);               /* not connected any more: dropped */
    CHECK_INT((int)c->socketio.namespaces.queued_bytes, 0);
    CHECK(strstr(client_frames_line(), "vol") == NULL);
    sio_destroy(c);
}

/* A connected client (max_send_queue 100000) with an attachment open, the
 * send queue filled behind it by emits of 1000 bytes and a server that
 * reads nothing for now. */
static sio_client *io_full_behind_an_attachment(void)
{
    sio_config cfg;
    sio_client *c;
    sio_emit_options o;
    static char arg[1100];
    int k;
    memset(&cfg, 0, sizeof cfg);
    memset(&o, 0, sizeof o);
    cfg.max_send_queue = 100000;
    memset(arg, 'a', sizeof arg);
    memcpy(arg, "[\"", 2);
    memcpy(arg + 1000, "\"]", 3);
    o.event = "up";
    o.args = "[{\"_placeholder\":true,\"num\":0}]";
    o.attachment_count = 1;
    c = io_connected(&cfg);
    CHECK(c != NULL);
    if (!c) return NULL;
    CHECK_INT(sio_emit_ex(c, &o, NULL), SIO_OK);
    CHECK_INT(sio_send_begin(c, 1), SIO_OK);
    events_of_type(c, SIO_EVENT_NONE, 5);                      /* the link is empty */
    for (k = 0; k < 1000 && sio_emit(c, NULL, "fill", arg) == SIO_OK; k++) {}
    CHECK(k > 50 && k < 1000);
    CHECK(sio_queued_bytes(c) >= cfg.max_send_queue - 1100);
    net.out_len = sizeof net.out;
    return c;
}

/* Pings of 100 bytes from a server that reads nothing until the client
 * gives it up: how many it took (limit when it never did). */
static int pings_until_given_up(sio_client *c, int limit)
{
    static char ping[101];
    int k;
    memset(ping, 'p', sizeof ping - 1);
    ping[0] = '2';
    ping[sizeof ping - 1] = 0;
    for (k = 0; k < limit; k++) {
        server_text(ping);
        if (events_of_type(c, SIO_EVENT_ERROR, 3)) return k;
    }
    return limit;
}

/* What waits behind an open attachment has max_send_queue, and the parts
 * on the link have theirs: a part may take all of it once the link is
 * empty (the attachment must move, or nothing behind it ever would), and a
 * ping is still answered behind it; a server that pings and never reads is
 * still dropped. */
static void test_io_parts_and_what_waits_behind_them_have_a_send_queue_each(void)
{
    static unsigned char big[100000];
    sio_client *c = io_full_behind_an_attachment();
    int k;
    if (!c) return;
    CHECK_INT(sio_send_part(c, big, 99900), SIO_OK);           /* the link's share */
    CHECK_INT(sio_send_part(c, big, 1), SIO_ERR_FULL);         /* not more, until the link drains */
    CHECK(sio_queued_bytes(c) <= 200000);
    server_text("2");
    CHECK_INT(events_of_type(c, SIO_EVENT_ERROR, 5), 0);       /* the pong waits behind, within the slack */
    k = pings_until_given_up(c, 200);
    CHECK(k > 10 && k < 200);
    sio_destroy(c);
}

/* Once the last attachment ends, what waited behind it joins the parts on
 * the link: up to twice max_send_queue, accepted.  The server's pings are
 * still answered while that drains; one that reads nothing at all is
 * still dropped. */
static void test_io_pings_are_answered_while_what_waited_behind_parts_drains(void)
{
    static unsigned char big[100000];
    sio_client *c = io_full_behind_an_attachment();
    sio_event ev;
    if (!c) return;
    CHECK_INT(sio_send_part(c, big, 99900), SIO_OK);
    CHECK_INT(sio_send_end(c), SIO_OK);                        /* what waited joins the link */
    CHECK(sio_queued_bytes(c) > 150000);
    net.out_len = sizeof net.out - 60000;                      /* the server reads 60 KB of it */
    sio_poll(c, &ev, 0);
    server_text("2");
    CHECK_INT(events_of_type(c, SIO_EVENT_ERROR, 10), 0);
    CHECK_INT(sio_get_state(c), SIO_STATE_OPEN);
    CHECK_INT(sio_emit(c, NULL, "more", "[1]"), SIO_ERR_FULL); /* emits wait for the drain */
    CHECK(pings_until_given_up(c, 2000) < 2000);              /* and now it reads nothing */
    sio_destroy(c);
}

/* Answers the client's WebSocket pings as a live server does; how many. */
static int answer_pings(void)
{
    static unsigned char payload[1 << 16];
    sio_ws_frame f;
    size_t i;
    int n = 0;
    for (i = 0; client_frame(i, &f, payload); i++)
        if (f.opcode == SIO_WS_PING) {
            server_frame(1, SIO_WS_PONG, payload, (size_t)f.length);
            n++;
        }
    net.out_len = 0;
    return n;
}

/* Engine.IO 3 while an attachment goes in parts: the client's own ping
 * waits behind it, so a WebSocket ping (which may go between fragments)
 * asks whether the server is there: a server that answers keeps the
 * connection, a silent one is given up within pingTimeout. */
static void test_io_eio3_notices_a_dead_server_while_parts_are_open(void)
{
    sio_emit_options o;
    sio_event ev;
    int k, errors = 0, pings = 0, silent;
    o = one_attachment_in_parts();
    for (silent = 0; silent <= 1; silent++) {
        sio_client *c = eio3_client("http://h.test/");       /* pingInterval 300, pingTimeout 200 */
        CHECK(c != NULL);
        if (!c) return;
        server_text("40");
        CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
        CHECK_INT(sio_emit_ex(c, &o, NULL), SIO_OK);
        CHECK_INT(sio_send_begin(c, 1), SIO_OK);
        errors = pings = 0;
        for (k = 0; k < 600 && !errors; k++) {                 /* 60 s, a part every second */
            if (k % 10 == 0) sio_send_part(c, "\x01", 1);
            if (sio_poll(c, &ev, 100) == 1) errors += ev.type == SIO_EVENT_ERROR;
            if (!silent) pings += answer_pings();
        }
        if (silent) {
            CHECK_INT(errors, 1);
            CHECK(k < 10);                                     /* within pingInterval + pingTimeout */
        } else {
            CHECK_INT(errors, 0);
            CHECK(pings > 50);
            CHECK_INT(sio_get_state(c), SIO_STATE_OPEN);
            CHECK_INT(sio_send_end(c), SIO_OK);
        }
        sio_destroy(c);
    }
}

/* A join or leave whose packet finds the send queue full (the server
 * reads nothing, behind an open attachment as elsewhere) ends the
 * connection, as an unanswerable ping does, instead of growing the queue
 * without bound; the namespace's new state holds for the next one. */
static void test_io_join_and_leave_count_against_the_send_queue(void)
{
    sio_config cfg;
    sio_client *c;
    sio_emit_options o;
    sio_event ev;
    int k, errors = 0, closes = 0;
    memset(&cfg, 0, sizeof cfg);
    memset(&o, 0, sizeof o);
    cfg.max_send_queue = 10000;
    o.event = "up";
    o.args = "[{\"_placeholder\":true,\"num\":0}]";
    o.attachment_count = 1;
    c = io_connected(&cfg);
    CHECK(c != NULL);
    if (!c) return;
    CHECK_INT(sio_emit_ex(c, &o, NULL), SIO_OK);
    CHECK_INT(sio_send_begin(c, 1), SIO_OK);
    for (k = 0; k < 20000 && sio_get_state(c) == SIO_STATE_OPEN; k++) {
        CHECK_INT(sio_join(c, "/x", NULL), SIO_OK);
        CHECK_INT(sio_leave(c, "/x"), SIO_OK);
        CHECK(sio_queued_bytes(c) <= cfg.max_send_queue + 8192);
    }
    CHECK(k < 20000);
    for (k = 0; k < 20; k++)
        if (sio_poll(c, &ev, 100) == 1) {
            if (ev.type == SIO_EVENT_ERROR) { errors++; CHECK_INT(ev.error, SIO_ERR_FULL); }
            closes += ev.type == SIO_EVENT_CLOSE;
        }
    CHECK_INT(errors, 1);
    CHECK_INT(closes, 1);
    sio_destroy(c);
}

static sio_client *eio3_client_ex(const char *url, int receive_parts, size_t max_send_queue, const char *open);

/* An Engine.IO 3 client with max_send_queue m and "/" connected, from
 * the open packet given (NULL: pingInterval 300, pingTimeout 200). */
static sio_client *eio3_with_queue(size_t m, const char *open)
{
    sio_client *c = eio3_client_ex("http://h.test/", 0, m, open);
    sio_event ev;
    if (!c) return NULL;
    server_text("40");
    if (poll_type(c, &ev) != SIO_EVENT_CONNECT) { sio_destroy(c); return NULL; }
    return c;
}

/* A server reading the client's frames as the socket hands them over: it
 * answers "2" with "3" and WebSocket pings with pongs when `answer` is set. */
static struct { unsigned char stream[1 << 18]; size_t len; int answer, eio_pongs, ws_pongs, pings_seen; } reader;
static void reader_take(const unsigned char *p, size_t n)
{
    sio_ws_frame f;
    static unsigned char pl[4096];                             /* the pings; longer frames are passed over */
    size_t pos = 0;
    if (reader.len + n > sizeof reader.stream) return;
    memcpy(reader.stream + reader.len, p, n);
    reader.len += n;
    while (sio_ws_parse_header(&f, reader.stream + pos, reader.len - pos, NULL) == 1 &&
           pos + f.header_len + f.length <= reader.len) {
        size_t len = (size_t)f.length;
        int eio_ping;
        if (len < sizeof pl) { memcpy(pl, reader.stream + pos + f.header_len, len); sio_ws_mask(pl, len, f.mask, 0); }
        eio_ping = f.opcode == SIO_WS_TEXT && len == 1 && pl[0] == '2';
        reader.pings_seen += eio_ping || f.opcode == SIO_WS_PING;
        if (reader.answer && f.opcode == SIO_WS_PING) { server_frame(1, SIO_WS_PONG, pl, len); reader.ws_pongs++; }
        if (reader.answer && eio_ping) { server_text("3"); reader.eio_pongs++; }
        pos += f.header_len + len;
    }
    memmove(reader.stream, reader.stream + pos, reader.len - pos);   /* a frame still coming stays */
    reader.len -= pos;
}

/* A fresh reader that answers. */
static void reader_reset(void)
{
    memset(&reader, 0, sizeof reader);
    reader.answer = 1;
}

/* Engine.IO 3: a server that reads the parts slowly (10 KB per 100 ms)
 * answers a WebSocket ping only once it reaches it, behind what it is
 * still reading; it is seen reading, so it is not given up. */
static void test_io_eio3_slow_reader_stays_while_parts_drain(void)
{
    static unsigned char big[10000];
    const size_t base = sizeof net.out - 10000;
    sio_client *c = eio3_with_queue(100000, NULL);
    sio_emit_options o;
    sio_event ev;
    int k, j, errors = 0;
    CHECK(c != NULL);
    if (!c) return;
    reader_reset();
    o = one_attachment_in_parts();
    CHECK_INT(sio_emit_ex(c, &o, NULL), SIO_OK);
    CHECK_INT(sio_send_begin(c, 1), SIO_OK);
    net.out_len = 0;
    for (k = 0; k < 100; k++) {                                /* 10 s */
        while (sio_send_part(c, big, sizeof big) == SIO_OK) {}  /* the application keeps the link full */
        net.now += 100;
        net.out_len = base;                                    /* room for what the server reads now */
        for (j = 0; j < 3; j++)
            if (sio_poll(c, &ev, 0) == 1 && ev.type == SIO_EVENT_ERROR) errors++;
        reader_take(net.out + base, net.out_len - base);
        if (net.in_pos == net.in_len) net.in_pos = net.in_len = 0;
    }
    CHECK_INT(errors, 0);
    CHECK(reader.ws_pongs > 5);
    CHECK_INT(sio_get_state(c), SIO_STATE_OPEN);
    sio_destroy(c);
}

/* The drain allowance is for the drain after the last part only: an
 * Engine.IO 3 session (no server pings to reset it) starting the next
 * emit in parts gives what waits behind it no more than its own budget,
 * so emit after emit the queue stays within twice max_send_queue. */
static void test_io_drain_allowance_does_not_carry_over(void)
{
    static unsigned char big[20000];
    sio_client *c = eio3_with_queue(10000, NULL);
    sio_emit_options o;
    sio_event ev;
    int cycle, k;
    CHECK(c != NULL);
    if (!c) return;
    o = one_attachment_in_parts();
    for (cycle = 0; cycle < 6; cycle++) {
        net.out_len = 0;
        for (k = 0; k < 5; k++) sio_poll(c, &ev, 0);            /* the server reads everything */
        net.out_len = 0;
        CHECK_INT(sio_emit_ex(c, &o, NULL), SIO_OK);
        CHECK_INT(sio_send_begin(c, 1), SIO_OK);
        for (k = 0; k < 200 && sio_emit(c, NULL, "fill", "[\"0123456789012345678901234567890123456789\"]") == SIO_OK; k++) {}
        for (k = 0; k < 5; k++) sio_poll(c, &ev, 0);
        net.out_len = sizeof net.out;                          /* the server stops reading for a moment */
        CHECK_INT(sio_send_part(c, big, 9900), SIO_OK);
        CHECK_INT(sio_send_end(c), SIO_OK);
        CHECK(sio_queued_bytes(c) <= 2 * 10000 + SIO__PONG_SLACK);
        CHECK_INT(sio_get_state(c), SIO_STATE_OPEN);
    }
    sio_destroy(c);
}

/* A close waits for an open attachment only while its parts keep coming:
 * close_timeout ms without one and the emit is abandoned (an ERROR says so)
 * and the connection closes, with Engine.IO 3 (whose own pings wait behind
 * the attachment, so no ping timeout can end it) as with 4. */
static void test_io_deferred_close_ends_when_the_parts_stop_coming(void)
{
    sio_client *c;
    sio_event ev;
    sio_emit_options o;
    int k, errors, closes, v;
    for (v = 3; v <= 4; v++) {
        if (v == 3) {
            c = eio3_client("http://h.test/");
            CHECK(c != NULL);
            if (!c) return;
            server_text("40");
            CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
            o = one_attachment_in_parts();
            CHECK_INT(sio_emit_ex(c, &o, NULL), SIO_OK);
            CHECK_INT(sio_send_begin(c, 1), SIO_OK);
        } else {
            c = io_mid_attachment();
            if (!c) return;
        }
        c->close_timeout = 1000;
        CHECK_INT(sio_stop(c), SIO_OK);
        for (k = 0; k < 16; k++) {                             /* parts every 500 ms: it waits */
            if (k % 2 == 0) CHECK_INT(sio_send_part(c, "\x02", 1), SIO_OK);
            if (v == 4) server_text("2");                      /* the server is there */
            if (sio_poll(c, &ev, 250) == 1) CHECK(ev.type != SIO_EVENT_ERROR && ev.type != SIO_EVENT_CLOSE);
            answer_pings();
        }
        errors = closes = 0;
        for (k = 0; k < 100 && !closes; k++) {                 /* none for 10 s: the close goes */
            if (v == 4 && k % 2 == 0) server_text("2");
            if (sio_poll(c, &ev, 100) == 1) {
                errors += ev.type == SIO_EVENT_ERROR;
                closes += ev.type == SIO_EVENT_CLOSE;
            }
        }
        CHECK_INT(errors, 1);
        CHECK_INT(closes, 1);
        CHECK_INT(sio_get_state(c), SIO_STATE_IDLE);
        sio_destroy(c);
    }
}

/* Engine.IO 3 puts the packet type first; the server's maxPayload bounds
 * each attachment; the connection's end ends the attachments. */
static void test_io_attachments_sent_in_parts_bounds(void)
{
    sio_client *c = eio3_client("http://h.test/");
    sio_config cfg;
    sio_event ev;
    sio_emit_options o;
    static unsigned char big[1000];
    int k;
    CHECK(c != NULL);
    if (!c) return;
    server_text("40");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    client_frames_line();
    o = one_attachment_in_parts();
    CHECK_INT(sio_emit_ex(c, &o, NULL), SIO_OK);
    CHECK_INT(sio_send_begin(c, 1), SIO_OK);
    CHECK_INT(sio_send_part(c, "\xaa", 1), SIO_OK);
    CHECK_INT(sio_send_end(c), SIO_OK);
    sio_poll(c, &ev, 0);
    CHECK_STR(client_frames_line(), "T:451-[\"up\",{\"_placeholder\":true,\"num\":0}]|B:04aa");
    sio_destroy(c);

    memset(&cfg, 0, sizeof cfg);                               /* maxPayload 1000000 in OPEN_PACKET */
    c = io_connected_with(&cfg, "0{\"sid\":\"E1\",\"upgrades\":[],\"pingInterval\":300,\"pingTimeout\":200,"
                                "\"maxPayload\":1500}");
    CHECK(c != NULL);
    if (!c) return;
    CHECK_INT(sio_emit_ex(c, &o, NULL), SIO_OK);
    CHECK_INT(sio_send_begin(c, 1), SIO_OK);
    CHECK_INT(sio_send_part(c, big, sizeof big), SIO_OK);
    CHECK_INT(sio_send_part(c, big, sizeof big), SIO_ERR_TOO_BIG);
    CHECK_INT(sio_send_part(c, big, 500), SIO_OK);
    server_frame(1, SIO_WS_CLOSE, "\x03\xe8", 2);             /* the connection ends */
    while (sio_poll(c, &ev, 0) == 1 && ev.type != SIO_EVENT_CLOSE) {}
    CHECK_INT(sio_send_part(c, big, 1), SIO_ERR_STATE);
    CHECK_INT(sio_send_end(c), SIO_ERR_STATE);
    sio_destroy(c);

    cfg.max_send_queue = 100000;        /* what waits behind the attachment counts against the queue */
    c = io_connected(&cfg);
    CHECK(c != NULL);
    if (!c) return;
    CHECK_INT(sio_emit_ex(c, &o, NULL), SIO_OK);
    CHECK_INT(sio_send_begin(c, 1), SIO_OK);
    for (k = 0; k < 5000 && sio_emit(c, "/", "fill", "[\"0123456789012345678901234567890123456789\"]") == SIO_OK; k++) {}
    CHECK(k > 0 && k < 5000);
    CHECK(sio_queued_bytes(c) > 0);
    CHECK_INT(sio_send_part(c, big, sizeof big), SIO_ERR_FULL);
    CHECK(sio_queued_bytes(c) <= cfg.max_send_queue + 64);
    CHECK_INT(sio_send_end(c), SIO_OK);
    sio_destroy(c);

    cfg.max_send_queue = 0;
    cfg.retries = 2;                                           /* a resend would need the bytes again */
    c = io_connected(&cfg);
    CHECK(c != NULL);
    if (!c) return;
    CHECK_INT(sio_emit_ex(c, &o, NULL), SIO_ERR_STATE);
    sio_destroy(c);
}

/* receive_parts: a large attachment goes through in parts with the
 * client's memory bounded by its reads, not by the attachment. */
static void test_io_attachment_in_parts_in_little_memory(void)
{
    static unsigned char chunk[60000];
    sio_client *c;
    sio_config cfg;
    sio_event ev;
    size_t got = 0, peak = 0;
    int i, k, frames = 16, final = 0;
    memset(&cfg, 0, sizeof cfg);
    cfg.receive_parts = 1;
    cfg.max_message = 100000;                      /* the attachment is ten times that */
    c = io_connected(&cfg);
    CHECK(c != NULL);
    if (!c) return;
    memset(chunk, 0x5a, sizeof chunk);
    server_text("451-[\"fw\",{\"_placeholder\":true,\"num\":0}]");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);
    for (i = 0; i < frames; i++) {
        server_frame(i == frames - 1, i ? SIO_WS_CONTINUATION : SIO_WS_BINARY, chunk, sizeof chunk);
        for (k = 0; k < 100; k++) {
            if (sio_poll(c, &ev, 0) != 1) continue;
            CHECK_INT(ev.type, SIO_EVENT_ATTACHMENT);
            CHECK_INT(ev.offset, got);
            got += ev.len;
            final = ev.final;
            if (sio_memory(c) > peak) peak = sio_memory(c);
        }
        CHECK_INT(net.in_pos, net.in_len);
        net.in_len = net.in_pos = 0;
    }
    CHECK_INT(got, (size_t)frames * sizeof chunk);
    CHECK(final);
    CHECK(peak < 64 * 1024);
    sio_destroy(c);
}

/* receive_parts: an event before its namespace's CONNECT reply is held, so
 * its attachments are put together from their parts as without it. */
static void test_io_early_event_in_parts_is_held_whole(void)
{
    sio_client *c;
    sio_config cfg;
    sio_event ev;
    memset(&cfg, 0, sizeof cfg);
    cfg.receive_parts = 1;
    c = io_connected(&cfg);
    CHECK(c != NULL);
    if (!c) return;
    CHECK_INT(sio_join(c, "/b", NULL), SIO_OK);
    sio_poll(c, &ev, 0);
    server_text("451-/b,[\"early\",{\"_placeholder\":true,\"num\":0}]");
    server_frame(0, SIO_WS_BINARY, "\x01", 1);
    server_frame(1, SIO_WS_CONTINUATION, "\x02\x03", 2);
    server_text("40/b,{\"sid\":\"S2\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);
    CHECK_STR(ev.event_name, "early");
    CHECK_INT(ev.attachment_count, 1);
    CHECK(ev.attachments != NULL);
    if (ev.attachments) {
        CHECK_INT(ev.attachments[0].len, 3);
        CHECK_MEM(ev.attachments[0].data, "\x01\x02\x03", 3);
    }
    sio_destroy(c);
}

/* A binary packet that is not delivered (filtered out by the
 * subscriptions, for a namespace the client has not joined, an ack for an
 * unknown id) must leave nothing behind: the next binary packet in the same
 * read arrives whole (0.2.0 leaked the first and then freed the second
 * while it was still collecting: "binary message without a binary packet"). */
static void undelivered_binary_then_wanted(const char *undelivered)
{
    sio_client *c = io_client("http://h.test/", NULL);
    sio_event ev;
    server_text("40{\"sid\":\"S1\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    CHECK_INT(sio_subscribe(c, "/", "want"), SIO_OK);
    server_text(undelivered);
    server_frame(1, SIO_WS_BINARY, "\x0a\x0b", 2);
    server_text("451-[\"want\",{\"_placeholder\":true,\"num\":0}]");
    CHECK_INT(sio_poll(c, &ev, 0), 0);   /* the wanted packet's attachment comes in a later read */
    server_frame(1, SIO_WS_BINARY, "\x01\x02\x03", 3);
    server_text("42[\"want\",\"after\"]");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);
    CHECK_STR(ev.event_name, "want");
    CHECK_INT(ev.attachment_count, 1);
    if (ev.attachment_count == 1) {
        CHECK_INT(ev.attachments[0].len, 3);
        CHECK_MEM(ev.attachments[0].data, "\x01\x02\x03", 3);
    }
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);
    CHECK_STR((const char *)ev.data, "after");
    CHECK_INT(sio_get_state(c), SIO_STATE_OPEN);
    sio_destroy(c);                      /* ASan/valgrind: nothing of the first packet leaks */
}

static void test_io_undelivered_binary_packet_leaves_the_next_intact(void)
{
    undelivered_binary_then_wanted("451-[\"other\",{\"_placeholder\":true,\"num\":0}]");    /* filtered */
    undelivered_binary_then_wanted("451-/nowhere,[\"want\",{\"_placeholder\":true,\"num\":0}]");   /* not joined */
    undelivered_binary_then_wanted("461-77[{\"_placeholder\":true,\"num\":0}]");            /* unknown ack id */
}

static void test_io_binary_emit_and_ack_with_attachments(void)
{
    sio_client *c = io_client("http://h.test/", NULL);
    sio_event ev;
    sio_emit_options o;
    sio_bytes b;
    int64_t id = -5;
    server_text("40{\"sid\":\"S1\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    client_texts();
    b.data = (const unsigned char *)"\xff\x00";
    b.len = 2;
    memset(&o, 0, sizeof o);
    o.event = "up";
    o.args = "[{\"_placeholder\":true,\"num\":0}]";
    o.attachments = &b;
    o.attachment_count = 1;
    o.ack = 1;
    CHECK_INT(sio_emit_ex(c, &o, &id), SIO_OK);
    CHECK_INT(id, 0);
    sio_poll(c, &ev, 0);
    CHECK_INT(client_texts(), 2);
    CHECK_STR(sent[0], "451-0[\"up\",{\"_placeholder\":true,\"num\":0}]");
    CHECK(sent[1][0] == '#');
    server_text("460-0[\"done\"]");                          /* binary ack with zero attachments */
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ACK);
    CHECK_INT(ev.ack_id, 0);
    CHECK_INT(ev.error, 0);
    CHECK_STR(ev.args, "[\"done\"]");
    sio_destroy(c);
}

static void test_io_server_ack_request_is_answered(void)
{
    sio_client *c = io_client("http://h.test/", NULL);
    sio_event ev;
    server_text("40{\"sid\":\"S1\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    client_texts();
    server_text("42/,17[\"please\",1]");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);
    CHECK_INT(ev.ack_id, 17);
    CHECK_INT(sio_ack(c, &ev, "[\"ok\",2]", NULL, 0), SIO_OK);
    sio_poll(c, &ev, 0);
    CHECK_INT(client_texts(), 1);
    CHECK_STR(sent[0], "4317[\"ok\",2]");
    sio_destroy(c);
}

static void test_io_ack_timeout_and_unknown_ack_ignored(void)
{
    sio_client *c = io_client("http://h.test/", NULL);
    sio_event ev;
    sio_emit_options o;
    int64_t id;
    server_text("40{\"sid\":\"S1\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    memset(&o, 0, sizeof o);
    o.event = "slow";
    o.ack = 1;
    o.ack_timeout_ms = 100;
    CHECK_INT(sio_emit_ex(c, &o, &id), SIO_OK);
    server_text("4399[\"nobody asked\"]");                   /* unknown id: ignored */
    server_text("2");                                          /* keep the heartbeat alive */
    CHECK_INT(sio_poll(c, &ev, 150), 1);
    CHECK_INT(ev.type, SIO_EVENT_ACK);
    CHECK_INT(ev.ack_id, id);
    CHECK_INT(ev.error, SIO_ERR_TIMEOUT);
    CHECK_STR(ev.message, "operation has timed out");
    sio_destroy(c);
}

static void test_io_subscriptions_filter_events(void)
{
    sio_client *c = io_client("http://h.test/", NULL);
    sio_event ev;
    server_text("40{\"sid\":\"S1\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    CHECK_INT(sio_subscribe(c, "/", "wanted"), SIO_OK);
    server_text("42[\"other\",1]");
    server_text("42[\"wanted\",2]");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);
    CHECK_STR(ev.event_name, "wanted");
    CHECK_INT(sio_unsubscribe(c, "/", "wanted"), SIO_OK);     /* no subscriptions: catch-all again */
    server_text("42[\"other\",3]");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);
    CHECK_STR(ev.event_name, "other");
    sio_destroy(c);
}

static void test_io_subscribe_joins_second_namespace(void)
{
    sio_client *c = io_client("http://h.test/", NULL);
    sio_event ev;
    server_text("40{\"sid\":\"S1\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    client_texts();
    CHECK_INT(sio_subscribe(c, "/news", "headline"), SIO_OK);
    sio_poll(c, &ev, 0);
    CHECK_INT(client_texts(), 1);
    CHECK_STR(sent[0], "40/news,");
    server_text("40/news,{\"sid\":\"N1\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    CHECK_STR(ev.ns, "/news");
    server_text("42/news,[\"sports\"]");
    server_text("42/news,[\"headline\",\"x\"]");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);
    CHECK_STR(ev.ns, "/news");
    CHECK_STR(ev.event_name, "headline");
    sio_destroy(c);
}

static void test_io_connect_error_with_data(void)
{
    sio_client *c = io_client("http://h.test/admin", NULL);
    sio_event ev;
    server_text("44/admin,{\"message\":\"not authorized\",\"data\":{\"content\":\"retry later\"}}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT_ERROR);
    CHECK_STR(ev.ns, "/admin");
    CHECK_STR(ev.message, "not authorized");
    CHECK_STR(ev.args, "{\"content\":\"retry later\"}");
    sio_destroy(c);
}

static void test_io_server_disconnect_closes_when_last_namespace(void)
{
    sio_client *c = io_client("http://h.test/", NULL);
    sio_event ev;
    sio_ws_frame f;
    unsigned char p[64];
    server_text("40{\"sid\":\"S1\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    client_texts();
    server_text("41");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_DISCONNECT);
    CHECK_STR(ev.reason, "io server disconnect");
    sio_poll(c, &ev, 0);
    CHECK(client_frame(0, &f, p));
    CHECK_INT(f.opcode, SIO_WS_CLOSE);
    sio_destroy(c);
}

static void test_io_stop_disconnects_namespaces_then_closes(void)
{
    sio_client *c = io_client("http://h.test/", NULL);
    sio_event ev;
    server_text("40{\"sid\":\"S1\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    client_texts();
    CHECK_INT(sio_stop(c), SIO_OK);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_DISCONNECT);
    CHECK_STR(ev.reason, "io client disconnect");
    server_frame(1, SIO_WS_CLOSE, "\x03\xe8", 2);
    net.eof = 1;
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CLOSE);
    CHECK_INT(ev.clean, 1);
    sio_destroy(c);
}

/* Engine.IO pongs count against max_send_queue like every queued byte: a
 * server that sends big pings and reads nothing is dropped with a clear
 * error instead of growing the client's memory without bound (0.2.0 queued
 * every pong: 150 pings of 1 MiB held 150 MB with an 8 MiB limit). */
static void test_io_pongs_count_against_the_send_queue(void)
{
    sio_client *c;
    sio_config cfg;
    sio_event ev;
    static char ping[1 + 600];
    int i;
    memset(&cfg, 0, sizeof cfg);
    cfg.max_send_queue = 4000;
    c = io_connected(&cfg);
    if (!c) { CHECK(c != NULL); return; }
    net.out_len = sizeof net.out;        /* the server stops reading */
    memset(ping, 'p', sizeof ping - 1);
    ping[0] = '2';
    ping[sizeof ping - 1] = 0;
    for (i = 0; i < 6; i++) server_text(ping);       /* 3,600 bytes of pongs fit */
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    CHECK_INT(sio_get_state(c), SIO_STATE_OPEN);
    for (i = 0; i < 20; i++) server_text(ping);
    CHECK_INT(sio_poll(c, &ev, 0), 1);  /* (the in-memory socket is always writable: no waiting) */
    CHECK_INT(ev.type, SIO_EVENT_ERROR);
    CHECK_INT(ev.error, SIO_ERR_TOO_BIG);
    CHECK(ev.message && strstr(ev.message, "max_send_queue") != NULL);
    CHECK(sio_memory(c) < 64 * 1024);
    net.out_len = 0;                     /* the server reads again, then goes */
    net.eof = 1;
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_DISCONNECT);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CLOSE);
    sio_destroy(c);
}

/* The emit check counts the Socket.IO bytes of the new emit, not the
 * WebSocket frame header around them, so a queue filled with emits can hold
 * a little more than max_send_queue.  The next ping must still be answered
 * (0.2.1 failed the connection with "cannot be answered": one ping after
 * SIO_ERR_FULL). */
static void test_io_ping_after_emits_filled_the_queue_is_answered(void)
{
    sio_client *c;
    sio_config cfg;
    sio_event ev;
    static char args[2000];
    size_t before;
    memset(&cfg, 0, sizeof cfg);
    cfg.max_send_queue = 2000;
    c = io_connected(&cfg);
    if (!c) { CHECK(c != NULL); return; }
    net.out_len = sizeof net.out;        /* the server stops reading */
    memset(args, 'x', sizeof args);      /* 42["e","x..."]: exactly 2,000 bytes */
    memcpy(args, "[\"", 2);
    memcpy(args + 1992, "\"]", 3);      /* args: 1,994 bytes; inner 1,992 + 8 */
    CHECK_INT(sio_emit(c, NULL, "e", args), SIO_OK);
    CHECK_INT(sio_emit(c, NULL, "e", "[1]"), SIO_ERR_FULL);
    before = sio_queued_bytes(c);
    CHECK(before > 2000);                /* the frame header on top */
    server_text("2");
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    CHECK_INT(sio_get_state(c), SIO_STATE_OPEN);
    CHECK(sio_queued_bytes(c) > before); /* the pong waits behind the emit */
    sio_destroy(c);
}

/* The Engine.IO heartbeat engine alone: times in, what is due out.
 * Each row is one step: an input at a time, then what sio__heartbeat_due
 * says at that time and the next deadline. */
/* The pending acks alone: ids in order, found by namespace and id, the
 * earliest deadline, expiry by the time given, the bound, trimming. */
static void test_acks_engine_alone(void)
{
    sio__acks a;
    sio_allocator alloc;
    size_t i;
    memset(&a, 0, sizeof a);
    memset(&alloc, 0, sizeof alloc);
    CHECK_INT(sio__acks_reserve(&a, &alloc, 2), SIO_OK);
    CHECK_INT(sio__acks_add(&a, 0, 1, 0), 0);
    CHECK_INT(sio__acks_reserve(&a, &alloc, 2), SIO_OK);
    CHECK_INT(sio__acks_add(&a, 1, 0, 500), 1);
    CHECK_INT(sio__acks_reserve(&a, &alloc, 2), SIO_ERR_FULL);
    CHECK_INT(sio__acks_find(&a, 1, 1), 1);
    CHECK_INT(sio__acks_find(&a, 0, 1), -1);                   /* the id belongs to another namespace */
    CHECK_INT(sio__acks_deadline(&a), 500);
    CHECK_INT(sio__acks_expired(&a, 0, 499), -1);
    CHECK_INT(sio__acks_expired(&a, 0, 500), 1);
    sio__acks_remove(&a, 0);
    CHECK_INT(a.count, 1);
    CHECK_INT(a.list[0].id, 1);                                /* the rest keep their order */
    CHECK(!a.list[0].sent);
    sio__acks_remove(&a, 0);
    CHECK_INT(sio__acks_deadline(&a), 0);
    for (i = 0; i < 100; i++) {
        CHECK_INT(sio__acks_reserve(&a, &alloc, 1000), SIO_OK);
        sio__acks_add(&a, 0, 1, 0);
    }
    CHECK_INT(a.list[99].id, 101);
    sio__acks_trim(&a, &alloc);
    CHECK(a.list != NULL);                                     /* in use: kept */
    while (a.count) sio__acks_remove(&a, a.count - 1);
    sio__acks_trim(&a, &alloc);
    CHECK(a.list == NULL && a.cap == 0);
    CHECK_INT(a.next_id, 102);                                 /* ids never repeat */
}

/* A binary packet's assembly alone: the text kept, attachments counted
 * against max_message, the whole delivered, then freed at release; one
 * at a time; nothing announced. */
static void test_binary_engine_alone(void)
{
    sio__binary b;
    sio_allocator alloc;
    memset(&b, 0, sizeof b);
    memset(&alloc, 0, sizeof alloc);
    CHECK_INT(sio__binary_add(&b, &alloc, (const unsigned char *)"x", 1, 1, 100), SIO_ERR_STATE);
    CHECK_INT(sio__binary_begin(&b, &alloc, "52-[\"e\"]", 8, 2), SIO_OK);
    CHECK_INT(sio__binary_begin(&b, &alloc, "51-[\"f\"]", 8, 1), SIO_ERR_STATE);   /* one at a time */
    CHECK_STR(b.text, "52-[\"e\"]");
    CHECK_INT(sio__binary_add(&b, &alloc, (const unsigned char *)"\x01\x02", 2, 1, 100), 0);
    sio__binary_release(&b, &alloc);                          /* collecting: kept */
    CHECK_INT(b.have, 1);
    CHECK_INT(sio__binary_memory(&b), 9 + 2 * sizeof(sio_bytes) + 2);
    CHECK_INT(sio__binary_add(&b, &alloc, (const unsigned char *)"", 0, 1, 100), 1);
    CHECK_INT(b.have, 2);
    CHECK_MEM(b.parts[0].data, "\x01\x02", 2);
    CHECK_INT(b.parts[1].len, 0);
    CHECK_INT(sio__binary_add(&b, &alloc, (const unsigned char *)"x", 1, 1, 100), SIO_ERR_STATE);   /* whole */
    sio__binary_release(&b, &alloc);
    CHECK(b.text == NULL && b.parts == NULL && b.have == 0);
    CHECK_INT(sio__binary_memory(&b), 0);

    /* the text and the attachments together stay within max_message */
    CHECK_INT(sio__binary_begin(&b, &alloc, "51-[1]", 6, 3), SIO_OK);
    CHECK_INT(sio__binary_add(&b, &alloc, (const unsigned char *)"1234", 4, 1, 12), 0);
    CHECK_INT(sio__binary_add(&b, &alloc, (const unsigned char *)"12", 2, 1, 12), 0);   /* 12 bytes so far */
    CHECK_INT(sio__binary_add(&b, &alloc, (const unsigned char *)"1", 1, 1, 12), SIO_ERR_TOO_BIG);
    CHECK(b.done && !b.need);                                  /* abandoned */
    sio__binary_release(&b, &alloc);
    CHECK(b.text == NULL);

    /* an attachment put together from parts, doubling its room, exact at its end */
    CHECK_INT(sio__binary_begin(&b, &alloc, "51-[1]", 6, 1), SIO_OK);
    CHECK_INT(sio__binary_add(&b, &alloc, (const unsigned char *)"abc", 3, 0, 100), 0);
    CHECK_INT(sio__binary_add(&b, &alloc, (const unsigned char *)"", 0, 0, 100), 0);
    CHECK_INT(sio__binary_add(&b, &alloc, (const unsigned char *)"de", 2, 0, 100), 0);
    CHECK_INT(b.have, 0);
    CHECK_INT(sio__binary_memory(&b), 7 + sizeof(sio_bytes) + b.room);
    sio__binary_release(&b, &alloc);                          /* collecting: kept */
    CHECK_INT(sio__binary_add(&b, &alloc, (const unsigned char *)"f", 1, 1, 100), 1);
    CHECK_INT(b.parts[0].len, 6);
    CHECK_MEM(b.parts[0].data, "abcdef", 6);
    CHECK_INT(sio__binary_memory(&b), 7 + sizeof(sio_bytes) + 6);
    sio__binary_release(&b, &alloc);
    /* parts past max_message abandon it; what was put together is freed */
    CHECK_INT(sio__binary_begin(&b, &alloc, "51-[1]", 6, 1), SIO_OK);
    CHECK_INT(sio__binary_add(&b, &alloc, (const unsigned char *)"abcd", 4, 0, 12), 0);
    CHECK_INT(sio__binary_add(&b, &alloc, (const unsigned char *)"abc", 3, 0, 12), SIO_ERR_TOO_BIG);
    sio__binary_release(&b, &alloc);
    CHECK(b.text == NULL && b.parts == NULL && b.room == 0);

    /* in parts: only counted; the last part of the last attachment ends it */
    CHECK_INT(sio__binary_begin_parts(&b, 2, 1, "/a", 7), SIO_OK);
    CHECK_INT(sio__binary_begin_parts(&b, 1, 0, NULL, -1), SIO_ERR_STATE);   /* one at a time */
    CHECK_INT(sio__binary_add(&b, &alloc, (const unsigned char *)"x", 1, 1, 100), SIO_ERR_STATE);
    CHECK_INT(sio__binary_part(&b, 0), 0);
    CHECK_INT(sio__binary_part(&b, 1), 0);
    CHECK_INT(sio__binary_part(&b, 1), 1);
    CHECK(b.done && !b.need);
    CHECK_INT(sio__binary_part(&b, 1), SIO_ERR_STATE);
    CHECK_STR(b.ns, "/a");
    CHECK_INT(sio__binary_memory(&b), 0);                      /* counted, never kept */
    sio__binary_release(&b, &alloc);
    CHECK(b.ns == NULL && !b.in_parts);
    CHECK_INT(sio__binary_begin_parts(&b, 1, 0, "/a", -1), SIO_OK);              /* dropped */
    CHECK(b.ns == NULL);
    CHECK_INT(sio__binary_part(&b, 1), 0);
    sio__binary_release(&b, &alloc);
}

/* One Socket.IO packet through the namespaces engine alone. */
static int ns_verdict(sio__namespaces *n, int eio, const char *packet, int *i, int *recovered)
{
    sio_packet pk;
    const char *why = NULL;
    CHECK_INT(sio_packet_decode(&pk, packet, strlen(packet), 10, 32, &why), SIO_OK);
    *i = -1;
    *recovered = -1;
    return sio__namespaces_receive(n, eio, "ENGINE", &pk, sio_json_make(pk.data, pk.data_len), i, recovered);
}

/* Refuses to allocate a namespace's struct and counts the growths of a
 * list of three namespaces; everything else as usual. */
static int ns_list_grown;
static void *ns_struct_refused(void *user, void *p, size_t size)
{
    (void)user;
    if (size == sizeof(sio__ns)) return NULL;
    if (size == 3 * sizeof(sio__ns *)) ns_list_grown++;
    if (size == 0) {
        free(p);
        return NULL;
    }
    return realloc(p, size);
}

static void test_namespaces_engine_alone(void)
{
    sio__namespaces n;
    sio_allocator alloc;
    sio_packet pk;
    const sio__held *h;
    const char *why = NULL, *piece = "42[\"e\"]";
    size_t len = 7, base;
    int i, rec, admin;
    memset(&n, 0, sizeof n);
    memset(&alloc, 0, sizeof alloc);
    CHECK_INT(sio__namespaces_add(&n, &alloc, NULL, 4), SIO_ERR_STATE);        /* no URL namespace yet */
    CHECK_INT(sio__namespaces_add(&n, &alloc, "/", 4), 0);
    CHECK_INT(sio__namespaces_add(&n, &alloc, NULL, 4), 0);
    CHECK_INT(sio__namespaces_add(&n, &alloc, "admin", 4), SIO_ERR_INVALID);  /* no leading '/' */
    CHECK_INT(sio__namespaces_add(&n, &alloc, "/a,b", 4), SIO_ERR_INVALID);
    admin = sio__namespaces_add(&n, &alloc, "/admin", 2);
    CHECK_INT(admin, 1);
    CHECK_INT(sio__namespaces_add(&n, &alloc, "/admin", 2), 1);                /* found, not added */
    CHECK_INT(sio__namespaces_add(&n, &alloc, "/x", 2), SIO_ERR_FULL);
    CHECK_INT(sio__namespaces_find(&n, "/admin", 6), 1);
    CHECK_INT(sio__namespaces_find(&n, "/adm", 4), -1);
    n.list[admin]->joined = 1;
    sio__namespaces_start(&n);
    CHECK(n.list[0]->joined && n.list[0]->state == SIO__NS_WANTED && n.list[admin]->state == SIO__NS_WANTED);

    /* nothing is expected before our CONNECT */
    CHECK_INT(ns_verdict(&n, 4, "0/admin,{\"sid\":\"S\"}", &i, &rec), SIO__NS_IGNORED);
    CHECK_INT(ns_verdict(&n, 4, "2/admin,[\"e\"]", &i, &rec), SIO__NS_IGNORED);
    CHECK_INT(ns_verdict(&n, 4, "2/other,[\"e\"]", &i, &rec), SIO__NS_IGNORED);
    CHECK_INT(i, -1);

    /* emits queue and events wait while connecting; held events count within their bound */
    n.list[admin]->state = SIO__NS_CONNECTING;
    CHECK_INT(sio__namespaces_enqueue(&n, &alloc, n.list[admin], (const void *const *)&piece, &len, 1, NULL, 0, 7), SIO_OK);
    CHECK_INT(sio__namespaces_enqueue(&n, &alloc, n.list[admin], (const void *const *)&piece, &len, 1, NULL, 0, -1), SIO_OK);
    CHECK_INT(n.queued_bytes, 2 * (7 + sizeof(sio__queued)));                /* with each emit's record */
    sio__namespaces_unqueue(&n, &alloc, n.list[admin], 7);                    /* its ack timed out */
    CHECK_INT(n.queued_bytes, 7 + sizeof(sio__queued));
    CHECK_INT(n.list[admin]->queued, 1);
    CHECK_INT(ns_verdict(&n, 4, "2/admin,[\"early\",1]", &i, &rec), SIO__NS_EARLY);
    CHECK_INT(i, admin);
    CHECK_INT(sio_packet_decode(&pk, "2/admin,[\"early\",1]", 19, 10, 32, &why), SIO_OK);
    CHECK_INT(sio__namespaces_hold(&n, &alloc, n.list[admin], &pk, pk.data, NULL, 0, 1000), SIO_OK);
    base = n.held_bytes;
    CHECK_INT(sio__namespaces_hold(&n, &alloc, n.list[admin], &pk, pk.data, NULL, 0, 2 * base - 1), SIO_ERR_TOO_BIG);
    CHECK_INT(n.held_bytes, base);
    CHECK(sio__namespaces_next_held(&n, &alloc, &i) == NULL);                 /* not connected yet */

    /* the CONNECT reply: the sid, then a recovered session with the same pid */
    CHECK_INT(ns_verdict(&n, 4, "0/admin,{\"sid\":\"S1\",\"pid\":\"P\"}", &i, &rec), SIO__NS_JOINED);
    CHECK(i == admin && rec == 0 && n.list[admin]->state == SIO__NS_CONNECTED);
    CHECK_STR(n.list[admin]->sid, "S1");
    CHECK_INT(ns_verdict(&n, 4, "0/admin,{\"sid\":\"S2\"}", &i, &rec), SIO__NS_IGNORED);   /* only once */
    h = sio__namespaces_next_held(&n, &alloc, &i);
    CHECK(h != NULL && i == admin);
    if (h) CHECK_STR(h->data, "[\"early\",1]");
    CHECK_INT(n.held_bytes, 0);
    CHECK_INT(sio__namespaces_memory(&n) > base, 1);                          /* the replayed one until released */
    CHECK(sio__namespaces_next_held(&n, &alloc, &i) == NULL);
    CHECK(n.replayed == NULL);
    CHECK_INT(ns_verdict(&n, 4, "2/admin,[\"e\"]", &i, &rec), SIO__NS_EVENT);
    CHECK_INT(ns_verdict(&n, 4, "3/admin,[]", &i, &rec), SIO__NS_IGNORED);    /* an ack needs an id */
    CHECK_INT(ns_verdict(&n, 4, "3/admin,5[]", &i, &rec), SIO__NS_ACK);
    n.list[admin]->state = SIO__NS_CONNECTING;
    CHECK_INT(ns_verdict(&n, 4, "0/admin,{\"sid\":\"S3\",\"pid\":\"P\"}", &i, &rec), SIO__NS_JOINED);
    CHECK_INT(rec, 1);

    /* the server disconnects it: not wanted any more */
    CHECK_INT(ns_verdict(&n, 4, "1/admin,", &i, &rec), SIO__NS_LEFT);
    CHECK(!n.list[admin]->joined && n.list[admin]->state == SIO__NS_OFF);
    CHECK_INT(ns_verdict(&n, 4, "1/admin,", &i, &rec), SIO__NS_IGNORED);

    /* Engine.IO 3: the socket id is the engine's; without a sid in v4 the server is v2 */
    n.list[0]->state = SIO__NS_CONNECTING;
    CHECK_INT(ns_verdict(&n, 3, "0", &i, &rec), SIO__NS_JOINED);
    CHECK_STR(n.list[0]->sid, "ENGINE");
    n.list[admin]->state = SIO__NS_CONNECTING;
    CHECK_INT(ns_verdict(&n, 3, "0/admin,", &i, &rec), SIO__NS_JOINED);
    CHECK_STR(n.list[admin]->sid, "/admin#ENGINE");
    n.list[admin]->state = SIO__NS_CONNECTING;
    n.list[admin]->joined = 1;
    CHECK_INT(ns_verdict(&n, 4, "0/admin,{}", &i, &rec), SIO__NS_NO_SID);
    CHECK(!n.list[admin]->joined && n.list[admin]->state == SIO__NS_OFF);
    n.list[admin]->state = SIO__NS_CONNECTING;
    CHECK_INT(ns_verdict(&n, 4, "4/admin,{\"message\":\"no\"}", &i, &rec), SIO__NS_REFUSED);

    /* a lost connection: queues stay for a reconnection while wanted */
    CHECK_INT(sio__namespaces_enqueue(&n, &alloc, n.list[0], (const void *const *)&piece, &len, 1, NULL, 0, -1), SIO_OK);
    CHECK_INT(n.queued_bytes, 2 * (7 + sizeof(sio__queued)));
    sio__namespaces_end(&n, &alloc, 1);
    CHECK_INT(n.queued_bytes, 7 + sizeof(sio__queued));                       /* /admin's went: not wanted */
    CHECK(n.list[0]->state == SIO__NS_WANTED && n.list[admin]->state == SIO__NS_OFF);
    CHECK_INT(sio__namespaces_wanted(&n), 1);
    sio__namespaces_leave(&n, &alloc, 0);
    CHECK_INT(n.queued_bytes, 0);
    CHECK_INT(sio__namespaces_wanted(&n), 0);

    CHECK_INT(sio__namespace_subscribe(n.list[0], &alloc, "a"), SIO_OK);
    CHECK_INT(sio__namespace_subscribe(n.list[0], &alloc, "a"), SIO_OK);      /* once */
    CHECK_INT(n.list[0]->sub_count, 1);
    CHECK(sio__namespace_subscribed(n.list[0], "a") && !sio__namespace_subscribed(n.list[0], "b"));
    sio__namespace_unsubscribe(n.list[0], &alloc, "a");
    CHECK(sio__namespace_subscribed(n.list[0], "b"));                          /* none: all */

    /* a namespace that cannot be made leaves the list as it was */
    base = sio__namespaces_memory(&n);
    alloc.realloc = ns_struct_refused;
    CHECK_INT(sio__namespaces_add(&n, &alloc, "/more", 8), SIO_ERR_NOMEM);
    CHECK_INT(n.count, 2);
    CHECK_INT(ns_list_grown, 0);                                              /* sio_memory stays exact */
    CHECK_INT(sio__namespaces_memory(&n), base);
    sio__namespaces_free(&n, &alloc);
    CHECK(n.list == NULL && n.count == 0);
}

/* One packet through the Engine.IO engine alone: the verdict and where the
 * payload starts. */
static int eio_verdict(sio__engineio *e, int binary, const char *packet, size_t len, uint64_t now,
                       const unsigned char **p, size_t *plen, const char **why)
{
    *p = (const unsigned char *)packet;
    *plen = len;
    *why = NULL;
    return sio__eio_receive(e, binary, 1, p, plen, now, why);
}

/* The Engine.IO engine alone (no client, no clock): packets in with the
 * time, verdicts out, the heartbeat's timers. */
static void test_engineio_engine_alone(void)
{
    static const char open4[] = "0{\"sid\":\"s1\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000}";
    sio__engineio e;
    const unsigned char *p;
    const char *why;
    size_t n;
    memset(&e, 0, sizeof e);
    e.version = 4;
    CHECK_INT(eio_verdict(&e, 0, "2", 1, 10, &p, &n, &why), SIO__EIO_NOTHING);      /* no session: no pong */
    CHECK_INT(eio_verdict(&e, 0, "4hi", 3, 10, &p, &n, &why), SIO__EIO_ERROR);
    CHECK_STR(why, "eio: message before the open packet");
    CHECK_INT(eio_verdict(&e, 0, open4, sizeof open4 - 1, 1000, &p, &n, &why), SIO__EIO_OPENED);
    CHECK_STR(e.session.sid, "s1");
    CHECK_INT(sio__eio_deadline(&e), 1000 + 25000 + 20000);
    CHECK_INT(eio_verdict(&e, 0, open4, sizeof open4 - 1, 1100, &p, &n, &why), SIO__EIO_NOTHING);  /* once */
    CHECK_INT(eio_verdict(&e, 0, "2probe", 6, 2000, &p, &n, &why), SIO__EIO_PONG_WANTED);
    CHECK_SPAN(p, n, "probe");
    CHECK_INT(sio__eio_deadline(&e), 2000 + 25000 + 20000);
    CHECK_INT(eio_verdict(&e, 0, "42[\"a\"]", 7, 2100, &p, &n, &why), SIO__EIO_PACKET);
    CHECK_SPAN(p, n, "2[\"a\"]");
    CHECK_INT(eio_verdict(&e, 0, "bAQI=", 5, 2100, &p, &n, &why), SIO__EIO_BASE64_ATTACHMENT);
    CHECK_SPAN(p, n, "AQI=");
    CHECK_INT(eio_verdict(&e, 1, "\x04\x01", 2, 2100, &p, &n, &why), SIO__EIO_ATTACHMENT);
    CHECK_INT(n, 2);                                           /* Engine.IO 4: no type byte */
    CHECK_INT(eio_verdict(&e, 0, "6", 1, 2100, &p, &n, &why), SIO__EIO_NOTHING);
    CHECK_INT(eio_verdict(&e, 0, "", 0, 2100, &p, &n, &why), SIO__EIO_ERROR);
    CHECK_STR(why, "eio: empty packet");
    CHECK_INT(eio_verdict(&e, 0, "9", 1, 2100, &p, &n, &why), SIO__EIO_ERROR);
    CHECK_STR(why, "eio: unknown packet type");
    /* a ping answered ahead of its turn is not answered again in it */
    CHECK(sio__eio_looks_ahead(&e));
    CHECK(sio__eio_is_ping((const unsigned char *)"2", 1) && !sio__eio_is_ping((const unsigned char *)"3", 1));
    sio__eio_ping_ahead(&e, 3000);
    CHECK_INT(sio__eio_deadline(&e), 3000 + 25000 + 20000);
    CHECK_INT(eio_verdict(&e, 0, "2", 1, 3500, &p, &n, &why), SIO__EIO_NOTHING);
    CHECK_INT(eio_verdict(&e, 0, "2", 1, 3600, &p, &n, &why), SIO__EIO_PONG_WANTED);
    CHECK_INT(sio__eio_due(&e, 3600 + 45000 - 1), SIO__HEARTBEAT_NOTHING);
    CHECK_INT(sio__eio_due(&e, 3600 + 45000), SIO__HEARTBEAT_TIMEOUT);
    CHECK_INT(eio_verdict(&e, 0, "1", 1, 3700, &p, &n, &why), SIO__EIO_CLOSED);
    sio__eio_end(&e);
    CHECK(!e.open && !sio__eio_looks_ahead(&e));
    CHECK_INT(sio__eio_due(&e, 1000000), SIO__HEARTBEAT_NOTHING);
    CHECK_INT(sio__eio_deadline(&e), 0);

    /* Engine.IO 3: the client pings; binary messages carry the type byte 4 */
    memset(&e, 0, sizeof e);
    e.version = 3;
    CHECK_INT(eio_verdict(&e, 0, open4, sizeof open4 - 1, 0, &p, &n, &why), SIO__EIO_OPENED);
    CHECK(!sio__eio_looks_ahead(&e));
    CHECK_INT(sio__eio_due(&e, 24999), SIO__HEARTBEAT_NOTHING);
    CHECK_INT(sio__eio_due(&e, 25000), SIO__HEARTBEAT_PING);
    CHECK_INT(sio__eio_deadline(&e), 25000 + 20000);           /* the pong is awaited */
    CHECK_INT(eio_verdict(&e, 0, "3", 1, 26000, &p, &n, &why), SIO__EIO_NOTHING);
    CHECK_INT(sio__eio_deadline(&e), 26000 + 25000);           /* the next ping */
    CHECK_INT(eio_verdict(&e, 1, "\x04\x07\x08", 3, 26000, &p, &n, &why), SIO__EIO_ATTACHMENT);
    CHECK_INT(n, 2);
    CHECK_INT(p[0], 7);
    CHECK_INT(eio_verdict(&e, 1, "\x07", 1, 26000, &p, &n, &why), SIO__EIO_ERROR);
    CHECK_STR(why, "eio: Engine.IO 3 binary message without its type byte 4");
}

/* The polling transport's engine alone: a POST body built from packets, a
 * response read from a link in pieces (chunked, with cookies), its end. */
static void test_polling_engine_alone(void)
{
    static const char resp[] = "HTTP/1.1 200 OK\r\nSet-Cookie: io=abc; Path=/\r\nConnection: close\r\n"
                               "Transfer-Encoding: chunked\r\n\r\n6\r\n4hello\r\n0\r\n\r\n";
    static const char refused[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 34\r\n\r\n"
                                  "{\"code\":3,\"message\":\"Bad request\"}";
    sio__system sys;
    sio__polling pl;
    sio__link l;
    sio__http_in in;
    sio_allocator a;
    char *cookies[SIO__MAX_COOKIES], text[200];
    const void *piece;
    size_t len, i;
    memset(&sys, 0, sizeof sys);
    sys.pf = &mem_platform;
    memset(&a, 0, sizeof a);
    memset(&pl, 0, sizeof pl);
    memset(cookies, 0, sizeof cookies);
    piece = "4hi";
    len = 3;
    CHECK_INT(sio__polling_append(&pl, &a, 0, &piece, &len, 1), SIO_OK);
    piece = "\x01\x02\x03";
    CHECK_INT(sio__polling_append(&pl, &a, 1, &piece, &len, 1), SIO_OK);
    CHECK_SPAN(pl.out, pl.out_len, "4hi\x1e" "bAQID");          /* separated; binary as "b" + base64 */

    net_reset();
    memset(&l, 0, sizeof l);
    memset(&in, 0, sizeof in);
    CHECK_INT(mem_platform.connect(NULL, "h", 1, 0, &l.sock, text, sizeof text), SIO_OK);
    l.may_read = 1;
    for (i = 0; i + 1 < sizeof resp; i += 7) {                   /* seven bytes a read */
        size_t n = sizeof resp - 1 - i < 7 ? sizeof resp - 1 - i : 7;
        int r;
        memcpy(net.in + net.in_len, resp + i, n);
        net.in_len += n;
        l.may_read = 1;
        r = sio__polling_receive(&sys, &l, &in, 4096, 1000, cookies, text, sizeof text);
        CHECK_INT(r, i + n == sizeof resp - 1 ? 1 : 0);
    }
    CHECK_INT(in.status, 200);
    CHECK_SPAN(l.rx + l.rx_start + in.body_at, in.dec - in.body_at, "4hello");
    CHECK_STR(cookies[0], "io=abc");
    CHECK_INT(sio__polling_done(&sys, &l, &in), 1);              /* Connection: close */
    CHECK(l.rx_start == 0 && l.rx_len == 0 && !in.head_done);

    memset(&in, 0, sizeof in);
    memcpy(net.in + net.in_len, refused, sizeof refused - 1);
    net.in_len += sizeof refused - 1;
    l.may_read = 1;
    CHECK_INT(sio__polling_receive(&sys, &l, &in, 4096, 1000, cookies, text, sizeof text), 1);
    sio__polling_error_text(&l, &in, "handshake", text, sizeof text);
    CHECK_STR(text, "eio: handshake refused: HTTP 400: Bad request (code 3)");
    memset(&in, 0, sizeof in);
    l.rx_start = l.rx_len = 0;
    CHECK_INT(sio__polling_receive(&sys, &l, &in, 10, 1000, cookies, text, sizeof text), 0);
    net.in_len = 0;
    memcpy(net.in, "HTTP/1.1 200 OK\r\nX-Long: 0123456789", 35);
    net.in_len = 35;
    l.may_read = 1;
    CHECK_INT(sio__polling_receive(&sys, &l, &in, 10, 1000, cookies, text, sizeof text), SIO_ERR_TOO_BIG);
    mem_platform.close(NULL, l.sock);
    sio__link_free(&sys, &l);
    sio__free(&a, pl.out);
    for (i = 0; i < SIO__MAX_COOKIES; i++) sio__free(&a, cookies[i]);
}

static void test_heartbeat_engine_by_time(void)
{
    enum { START4, START3, HEARD, PINGED, PONGED, STOP, ASK };
    typedef struct { int input; uint64_t now; int due; uint64_t deadline; } row_t;
    static const row_t v4[] = {
        { START4, 1000, SIO__HEARTBEAT_NOTHING, 1000 + 300 + 200 },   /* interval 300, timeout 200 */
        { ASK, 1499, SIO__HEARTBEAT_NOTHING, 1500 },
        { PINGED, 1300, SIO__HEARTBEAT_NOTHING, 1800 },
        { HEARD, 1700, SIO__HEARTBEAT_NOTHING, 1900 },                /* a late ping behind a burst */
        { HEARD, 1650, SIO__HEARTBEAT_NOTHING, 1900 },                /* never earlier */
        { ASK, 1900, SIO__HEARTBEAT_TIMEOUT, 1900 },
        { STOP, 1900, SIO__HEARTBEAT_NOTHING, 0 },
        { PINGED, 2000, SIO__HEARTBEAT_NOTHING, 0 },                  /* stopped stays stopped */
    }, v3[] = {
        { START3, 1000, SIO__HEARTBEAT_NOTHING, 1300 },               /* the client pings first */
        { ASK, 1300, SIO__HEARTBEAT_PING, 1500 },                     /* the pong within the timeout */
        { ASK, 1400, SIO__HEARTBEAT_NOTHING, 1500 },
        { HEARD, 1450, SIO__HEARTBEAT_NOTHING, 1950 },
        { PONGED, 1450, SIO__HEARTBEAT_NOTHING, 1750 },               /* the next ping an interval later */
        { PONGED, 1500, SIO__HEARTBEAT_NOTHING, 1750 },               /* a second pong changes nothing */
        { ASK, 1750, SIO__HEARTBEAT_PING, 1950 },
        { ASK, 1950, SIO__HEARTBEAT_TIMEOUT, 1950 },                  /* no pong */
    };
    const row_t *runs[2];
    size_t counts[2], r, i;
    runs[0] = v4; counts[0] = sizeof v4 / sizeof v4[0];
    runs[1] = v3; counts[1] = sizeof v3 / sizeof v3[0];
    for (r = 0; r < 2; r++) {
        sio__heartbeat h;
        memset(&h, 0, sizeof h);
        for (i = 0; i < counts[r]; i++) {
            const row_t *row = &runs[r][i];
            int due = SIO__HEARTBEAT_NOTHING;
            switch (row->input) {
            case START4: sio__heartbeat_start(&h, 0, 300, 200, row->now); break;
            case START3: sio__heartbeat_start(&h, 1, 300, 200, row->now); break;
            case HEARD: sio__heartbeat_heard(&h, row->now); break;
            case PINGED: sio__heartbeat_pinged(&h, row->now); break;
            case PONGED: sio__heartbeat_ponged(&h, row->now); break;
            case STOP: sio__heartbeat_stop(&h); break;
            default: due = sio__heartbeat_due(&h, row->now); break;
            }
            if (due != row->due || sio__heartbeat_deadline(&h) != row->deadline)
                fprintf(stderr, "  run %lu row %lu: due %d deadline %lu\n", (unsigned long)r, (unsigned long)i, due,
                        (unsigned long)sio__heartbeat_deadline(&h));
            CHECK_INT(due, row->due);
            CHECK(sio__heartbeat_deadline(&h) == row->deadline);
        }
    }
}

/* A placeholder number no integer can hold is refused before any
 * conversion (0.2.0 converted 1e300 to size_t: undefined behaviour). */
static void test_io_placeholder_num_out_of_range_is_a_parse_error(void)
{
    static const char *nums[] = { "1e300", "-1e300", "18446744073709551616", "1.5", "-0.5", "1" };
    size_t i;
    for (i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        sio_client *c = io_client("http://h.test/", NULL);
        sio_event ev;
        char packet[128];
        server_text("40{\"sid\":\"S1\"}");
        CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
        snprintf(packet, sizeof packet, "451-[\"x\",{\"_placeholder\":true,\"num\":%s}]", nums[i]);
        server_text(packet);
        server_frame(1, SIO_WS_BINARY, "\x01", 1);
        CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
        CHECK(ev.message && strstr(ev.message, "placeholder") != NULL);
        sio_destroy(c);
    }
}

/* 1 if a binary event with these arguments and count attachments is
 * delivered, 0 if refused as a parse error. */
static int placeholder_verdict(const char *args, int count)
{
    sio_client *c = io_client("http://h.test/", NULL);
    sio_event ev;
    char packet[512];
    int i, r;
    server_text("40{\"sid\":\"S1\"}");
    poll_type(c, &ev);
    snprintf(packet, sizeof packet, "45%d-[\"x\",%s]", count, args);
    server_text(packet);
    for (i = 0; i < count; i++) server_frame(1, SIO_WS_BINARY, "\x01", 1);
    r = poll_type(c, &ev);
    sio_destroy(c);
    return r == SIO_EVENT_EVENT ? 1 : r == SIO_EVENT_ERROR ? 0 : -1;
}

/* The placeholder check reads the text once (linear at any depth) and
 * decides as socket.io-parser: the first _placeholder and num keys count,
 * and nothing inside a placeholder object is looked at. */
static void test_io_placeholder_check_cases(void)
{
    CHECK_INT(placeholder_verdict("{\"_placeholder\":true,\"num\":0}", 1), 1);
    CHECK_INT(placeholder_verdict("{\"num\":1,\"_placeholder\":true}", 2), 1);
    CHECK_INT(placeholder_verdict("{\"_placeholder\":true,\"num\":1}", 1), 0);
    CHECK_INT(placeholder_verdict("{\"_placeholder\":true}", 1), 0);
    CHECK_INT(placeholder_verdict("{\"_placeholder\":true,\"num\":\"0\"}", 1), 0);
    CHECK_INT(placeholder_verdict("[[[[{\"a\":[{\"_placeholder\":true,\"num\":0}]}]]]]", 1), 1);
    CHECK_INT(placeholder_verdict("[[[[{\"a\":[{\"_placeholder\":true,\"num\":3}]}]]]]", 1), 0);
    CHECK_INT(placeholder_verdict("{\"_placeholder\":true,\"num\":0,\"x\":{\"_placeholder\":true,\"num\":9}}", 1), 1);
    CHECK_INT(placeholder_verdict("{\"x\":{\"_placeholder\":true,\"num\":9},\"_placeholder\":true,\"num\":0}", 1), 1);
    CHECK_INT(placeholder_verdict("{\"_placeholder\":false,\"x\":{\"_placeholder\":true,\"num\":9}}", 1), 0);
    CHECK_INT(placeholder_verdict("{\"_placeholder\":\"true\",\"num\":9}", 1), 1);
    /* repeated keys: the server's JSON.parse keeps the last, so both are refused */
    CHECK_INT(placeholder_verdict("{\"_placeholder\":true,\"num\":0,\"num\":9}", 1), 0);
    CHECK_INT(placeholder_verdict("{\"_placeholder\":true,\"num\":9,\"num\":0}", 1), 0);
    CHECK_INT(placeholder_verdict("{\"_placeholder\":false,\"_placeholder\":true,\"num\":9}", 1), 0);
    CHECK_INT(placeholder_verdict("[{\"num\":1,\"num\":2},{\"_placeholder\":true,\"num\":0}]", 1), 1);
    /* no attachments ("0-"): a placeholder names nothing */
    CHECK_INT(placeholder_verdict("{\"_placeholder\":true,\"num\":0}", 0), 0);
    CHECK_INT(placeholder_verdict("{\"a\":1}", 0), 1);
    CHECK_INT(placeholder_verdict("[\"{\\\"_placeholder\\\":true,\\\"num\\\":7}\",{\"_placeholder\":true,\"num\":0}]", 1), 1);
    CHECK_INT(placeholder_verdict("{\"\\u005fplaceholder\":true,\"num\":7}", 1), 0);
    CHECK_INT(placeholder_verdict("{ \"_placeholder\" : true , \"num\" : 0 }", 1), 1);
    CHECK_INT(placeholder_verdict("[{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]", 2), 1);
}

/* max_message bounds one binary packet as a whole, not only each of its
 * attachments (ten attachments of max_message each were accepted). */
static void test_io_attachments_together_are_bounded_by_max_message(void)
{
    sio_client *c;
    sio_config cfg;
    sio_event ev;
    static unsigned char att[400];
    memset(&cfg, 0, sizeof cfg);
    cfg.max_message = 1000;
    c = io_connected(&cfg);
    if (!c) { CHECK(c != NULL); return; }
    server_text("452-[\"two\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
    server_frame(1, SIO_WS_BINARY, att, sizeof att);
    server_frame(1, SIO_WS_BINARY, att, sizeof att);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);                /* 2 x 400 and the header fit */
    server_text("453-[\"three\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1},"
                "{\"_placeholder\":true,\"num\":2}]");
    server_frame(1, SIO_WS_BINARY, att, sizeof att);
    server_frame(1, SIO_WS_BINARY, att, sizeof att);
    server_frame(1, SIO_WS_BINARY, att, sizeof att);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK_INT(ev.error, SIO_ERR_TOO_BIG);
    CHECK(ev.message && strstr(ev.message, "max_message") != NULL);
    sio_destroy(c);
}

/* Every allocation failing in turn, for a Socket.IO client with emits
 * queued before the connection, a second namespace, a binary event and
 * acks: nothing crashes or leaks, and a start ends in exactly one CLOSE. */
static long io_fail_after, io_alloc_seen, io_live;
static void *io_failing_realloc(void *user, void *ptr, size_t size)
{
    (void)user;
    if (size == 0) { if (ptr) io_live--; free(ptr); return NULL; }
    if (++io_alloc_seen > io_fail_after) return NULL;
    if (!ptr) io_live++;
    return realloc(ptr, size);
}

/* With and without retries (whose outbox resends on the clock). */
static void test_io_every_allocation_failing_still_ends_in_one_close(void)
{
    long k, tried_all = 0;
    int retries, modes_done = 0;
    for (retries = 0; retries <= 2; retries += 2, tried_all = 0)
    for (k = 0; k < 2000 && !tried_all; k++) {
        sio_client *c = NULL;
        sio_config cfg;
        sio_event ev;
        int closes = 0, i, step = 0;
        memset(&cfg, 0, sizeof cfg);
        cfg.url = "http://h.test/";
        cfg.mode = SIO_MODE_SOCKETIO;
        cfg.reconnect = SIO_RECONNECT_OFF;
        cfg.allocator.realloc = io_failing_realloc;
        cfg.retries = retries;
        cfg.ack_timeout_ms = 500;
        io_fail_after = k;
        io_alloc_seen = 0;
        io_live = 0;
        net_reset();
        if (sio_create(&cfg, &c) != SIO_OK) { CHECK(c == NULL); CHECK_INT(io_live, 0); continue; }
        sio_emit(c, NULL, "early", "[1]");
        sio_emit(c, "/news", "early", "[2]");
        if (sio_start(c) == SIO_OK) {
            for (i = 0; i < 60; i++) {
                if (sio_poll(c, &ev, 0) == 1) {
                    if (ev.type == SIO_EVENT_CLOSE) closes++;
                    if (ev.type == SIO_EVENT_EVENT && ev.ack_id >= 0) sio_ack(c, &ev, "[true]", NULL, 0);
                    continue;
                }
                switch (step++) {
                case 0: if (net.out_len) { server_accept(NULL); server_text(OPEN_PACKET); } else step--; break;
                case 1: server_text("40{\"sid\":\"S1\"}"); break;
                case 2:
                    server_text("451-[\"bin\",{\"_placeholder\":true,\"num\":0}]");
                    server_frame(1, SIO_WS_BINARY, "\x01\x02", 2);
                    server_text("427[\"ask\",\"x\"]");
                    break;
                case 3: server_text("2"); break;
                case 4: server_frame(1, SIO_WS_CLOSE, "\x03\xe8", 2); net.eof = 1; break;
                default: net.now += 1000; break;
                }
            }
            CHECK_INT(closes, 1);
            if (closes != 1) fprintf(stderr, "  (allocation %ld failing)\n", k + 1);
        }
        tried_all = io_alloc_seen <= io_fail_after;
        sio_destroy(c);
        CHECK_INT(io_live, 0);
        modes_done += (int)tried_all;
    }
    CHECK_INT(modes_done, 2);
}

/* ---- the client against the in-process server model (sio_sim.h) ---- */

typedef struct model_run {
    int opens, connects, closes, acks, ack_failures, events, stop_after_idle, restart_after_idle;
} model_run;

/* Pumps a started client against the model until it is idle again (or 600
 * steps): the server answers what the client wrote, the clock moves 100 ms
 * whenever nothing happened.  The first CONNECT emits with an ack; after
 * restart_after_idle quiet steps the server restarts (0: never), after
 * stop_after_idle the application stops. */
static void model_pump(sio_client *c, sio_sim_server *s, model_run *r)
{
    sio_event ev;
    int i, idle = 0, restarted = 0, stopped = 0;
    for (i = 0; i < 600 && sio_get_state(c) != SIO_STATE_IDLE; i++) {
        sio_sim_server_step(s);
        if (sio_poll(c, &ev, 0) == 1) {
            switch (ev.type) {
            case SIO_EVENT_OPEN: r->opens++; break;
            case SIO_EVENT_CONNECT:
                if (++r->connects == 1) {
                    sio_emit_options o;
                    memset(&o, 0, sizeof o);
                    o.event = "hello";
                    o.args = "[1]";
                    o.ack = 1;
                    sio_emit_ex(c, &o, NULL);
                }
                break;
            case SIO_EVENT_ACK: r->acks++; break;
            case SIO_EVENT_EVENT:
                r->events++;
                if (ev.attachment_count == 1 && ev.attachments) {        /* the binary one is echoed */
                    sio_emit_options o;
                    memset(&o, 0, sizeof o);
                    o.event = "echo";
                    o.args = "[{\"_placeholder\":true,\"num\":0}]";
                    o.attachments = ev.attachments;
                    o.attachment_count = 1;
                    o.ack = 1;
                    sio_emit_ex(c, &o, NULL);
                }
                break;
            case SIO_EVENT_ERROR: if (ev.ack_id >= 0) r->ack_failures++; break;
            case SIO_EVENT_CLOSE: r->closes++; break;
            default: break;
            }
            continue;
        }
        idle++;
        if (r->restart_after_idle && idle == r->restart_after_idle && !restarted) { restarted = 1; sio_sim_server_restart(s, 0); }
        else if (idle == r->stop_after_idle && !stopped) { stopped = 1; sio_stop(c); }
        else net.now += 100;
    }
    while (sio_poll(c, &ev, 0) == 1)                       /* what is left after the end */
        if (ev.type == SIO_EVENT_CLOSE) r->closes++;
}

/* A Socket.IO client for the model: transport, reconnection with short
 * delays, an emit with an ack made before the start. */
static int model_client(sio_config *cfg, int transport, int reconnect, sio_client **c)
{
    sio_emit_options o;
    cfg->url = "http://h.test/";
    cfg->mode = SIO_MODE_SOCKETIO;
    cfg->transport = transport;
    cfg->reconnect = reconnect ? SIO_RECONNECT_ON : SIO_RECONNECT_OFF;
    cfg->reconnect_delay_ms = 200;
    cfg->reconnect_delay_max_ms = 400;
    cfg->reconnect_attempts = 3;
    net_reset();
    net.multi = 1;
    if (sio_create(cfg, c) != SIO_OK) return 0;
    memset(&o, 0, sizeof o);
    o.event = "early";
    o.args = "[0]";
    o.ack = 1;
    sio_emit_ex(*c, &o, NULL);
    return 1;
}

/* The model itself: over polling with the upgrade, WebSocket alone and
 * polling alone, the client connects, both emits are acked, a stop ends
 * in one CLOSE; with a server restart it reconnects and connects again. */
static void test_io_client_against_the_server_model(void)
{
    static const int transports[] = { SIO_TRANSPORT_AUTO, SIO_TRANSPORT_WEBSOCKET, SIO_TRANSPORT_POLLING };
    int t, restart;
    for (restart = 0; restart <= 1; restart++)
        for (t = 0; t < 3; t++) {
            sio_config cfg;
            sio_client *c = NULL;
            static sio_sim_server s;
            model_run r;
            memset(&cfg, 0, sizeof cfg);
            memset(&r, 0, sizeof r);
            r.stop_after_idle = 60;
            r.restart_after_idle = restart ? 20 : 0;
            sio_sim_server_init(&s, &net.sim, 0, 1);
            CHECK(model_client(&cfg, transports[t], restart, &c));
            if (!c) continue;
            CHECK_INT(sio_start(c), SIO_OK);
            model_pump(c, &s, &r);
            CHECK_INT(r.closes, 1);
            CHECK_INT(r.connects, 1 + restart);
            CHECK_INT(s.sessions, 1 + restart);
            CHECK_INT(r.events, 2 * (1 + restart));                   /* the greetings, per session */
            CHECK(r.acks + r.ack_failures >= 3);                       /* early, hello, the echoes */
            if (!restart) CHECK_INT(r.acks, 3);
            if (transports[t] == SIO_TRANSPORT_AUTO && !restart) CHECK_INT(s.upgrades, 1);
            if (r.closes != 1 || r.connects != 1 + restart)
                fprintf(stderr, "  (transport %d, restart %d: opens %d connects %d closes %d acks %d)\n", t, restart,
                        r.opens, r.connects, r.closes, r.acks);
            sio_destroy(c);
        }
}

/* Every allocation failing in turn against the server model: polling with
 * the upgrade, WebSocket alone, polling alone, each with and without a
 * server restart and reconnection.  Nothing crashes or leaks; a start ends
 * in exactly one CLOSE. */
static void test_io_every_allocation_failing_against_the_server_model(void)
{
    static const int transports[] = { SIO_TRANSPORT_AUTO, SIO_TRANSPORT_WEBSOCKET, SIO_TRANSPORT_POLLING };
    int t, restart, scenarios_done = 0;
    for (restart = 0; restart <= 1; restart++)
        for (t = 0; t < 3; t++) {
            long k, tried_all = 0;
            for (k = 0; k < 5000 && !tried_all; k++) {
                sio_config cfg;
                sio_client *c = NULL;
                static sio_sim_server s;
                model_run r;
                memset(&cfg, 0, sizeof cfg);
                memset(&r, 0, sizeof r);
                r.stop_after_idle = 60;
                r.restart_after_idle = restart ? 20 : 0;
                cfg.allocator.realloc = io_failing_realloc;
                io_fail_after = k;
                io_alloc_seen = 0;
                io_live = 0;
                sio_sim_server_init(&s, &net.sim, 0, 1);
                if (!model_client(&cfg, transports[t], restart, &c)) { CHECK(c == NULL); CHECK_INT(io_live, 0); continue; }
                if (sio_start(c) == SIO_OK) {
                    model_pump(c, &s, &r);
                    CHECK_INT(r.closes, 1);
                    CHECK_INT(sio_get_state(c), SIO_STATE_IDLE);
                    if (r.closes != 1 || sio_get_state(c) != SIO_STATE_IDLE)
                        fprintf(stderr, "  (transport %d, restart %d, allocation %ld failing: closes %d)\n", t, restart,
                                k + 1, r.closes);
                }
                tried_all = io_alloc_seen <= io_fail_after;
                sio_destroy(c);
                CHECK_INT(io_live, 0);
            }
            scenarios_done += (int)tried_all;
        }
    CHECK_INT(scenarios_done, 6);
}

/* The polling transport over in-memory connections (one inbox each):
 * the handshake GET, the CONNECT in a POST, the reply in a long-poll GET.
 * Then pings whose pongs the server never collects (it answers no POST)
 * count against max_send_queue as over WebSocket. */
static int open_box(void)
{
    int i;
    for (i = 3; i >= 0; i--)
        if (net.sim.link[i].open && net.sim.link[i].in_len == net.sim.link[i].in_pos) return i;
    return -1;
}
/* A polling client made from cfg, its first GET written. */
static sio_client *polling_client(sio_config *cfg)
{
    sio_client *c = NULL;
    sio_event ev;
    cfg->url = "http://h.test/";
    cfg->mode = SIO_MODE_SOCKETIO;
    cfg->reconnect = SIO_RECONNECT_OFF;
    cfg->transport = SIO_TRANSPORT_POLLING;
    net_reset();
    net.multi = 1;
    CHECK_INT(sio_create(cfg, &c), SIO_OK);
    sio_start(c);
    sio_poll(c, &ev, 0);
    return c;
}

/* A polling client whose session is open and "/" connected (pingInterval
 * 300, pingTimeout 200), what it wrote so far forgotten. */
static sio_client *polling_client_connected(sio_config *cfg)
{
    static const char open4[] = "0{\"sid\":\"P1\",\"upgrades\":[],\"pingInterval\":300,\"pingTimeout\":200,\"maxPayload\":1000000}";
    sio_client *c = polling_client(cfg);
    sio_event ev;
    int i;
    net.out_len = 0;
    box_http(0, open4, sizeof open4 - 1);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_OPEN);
    for (i = 0; i < 5 && sio_poll(c, &ev, 0) == 0; i++) {}
    net.out_len = 0;
    box_http(0, "40{\"sid\":\"S1\"}", 14);                  /* the long poll */
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    for (i = 0; i < 5; i++) sio_poll(c, &ev, 0);
    return c;
}

static void test_io_polling_in_memory_and_pongs_bounded(void)
{
    sio_client *c = NULL;
    sio_config cfg;
    sio_event ev;
    static const char open4[] = "0{\"sid\":\"P1\",\"upgrades\":[],\"pingInterval\":300,\"pingTimeout\":200,\"maxPayload\":1000000}";
    static char pings[16 * 602];
    int i, got_error = 0;
    memset(&cfg, 0, sizeof cfg);
    cfg.max_send_queue = 4000;
    c = polling_client(&cfg);
    net.out[net.out_len] = 0;
    CHECK(strstr((const char *)net.out, "GET /socket.io/?EIO=4&transport=polling") != NULL);
    net.out_len = 0;
    box_http(0, open4, sizeof open4 - 1);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_OPEN);
    for (i = 0; i < 5 && sio_poll(c, &ev, 0) == 0; i++) {}
    net.out[net.out_len] = 0;
    CHECK(strstr((const char *)net.out, "POST /socket.io/?EIO=4&transport=polling") != NULL);
    CHECK(strstr((const char *)net.out, "\r\n\r\n40") != NULL);
    net.out_len = 0;
    box_http(0, "40{\"sid\":\"S1\"}", 14);                  /* the long poll */
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    /* sixteen 600-byte pings in one long-poll answer; the POST of the
     * first pongs is never answered, so the rest stay queued */
    for (i = 0; i < 16; i++) {
        char *p = pings + i * 602;
        if (i) *p++ = 0x1e;
        p[0] = '2';
        memset(p + 1, 'p', 600);
    }
    box_http(0, pings, 16 * 602 - 1);
    for (i = 0; i < 20 && !got_error; i++)
        if (sio_poll(c, &ev, 0) == 1 && ev.type == SIO_EVENT_ERROR) got_error = 1;
    CHECK(got_error);
    CHECK(got_error && ev.error == SIO_ERR_TOO_BIG && strstr(ev.message, "max_send_queue") != NULL);
    CHECK(open_box() >= -1);
    sio_destroy(c);
}

/* Over polling too nothing follows our close packet: a ping the long poll
 * brings after sio_stop is not answered in the POST that carries it. */
static void test_io_polling_nothing_follows_the_close_packet(void)
{
    sio_client *c = NULL;
    sio_config cfg;
    sio_event ev;
    int i;
    memset(&cfg, 0, sizeof cfg);
    c = polling_client_connected(&cfg);
    CHECK_INT(sio_stop(c), SIO_OK);
    for (i = 0; i < 5; i++) sio_poll(c, &ev, 0);
    box_http(0, "2", 1);                                       /* the next long poll: a ping */
    for (i = 0; i < 5; i++) sio_poll(c, &ev, 0);
    box_http(1, "ok", 2);                                      /* the POST of the CONNECT answered */
    for (i = 0; i < 10; i++) sio_poll(c, &ev, 0);
    net.out[net.out_len] = 0;
    CHECK(strstr((const char *)net.out, "\r\n\r\n41\x1e" "1") != NULL);
    CHECK(strstr((const char *)net.out, "\x1e" "3") == NULL);
    sio_destroy(c);
}

/* A step of polling handles at most four responses, and whatever it
 * handles last leaves its next request on the way: four empty long-poll
 * answers in a row once left no GET out after the step, so the server's
 * next ping could not reach a client waiting on its sockets. */
static void test_io_polling_step_ends_with_a_request_out(void)
{
    sio_client *c = NULL;
    sio_config cfg;
    sio_event ev;
    const char *p;
    int i, gets = 0;
    memset(&cfg, 0, sizeof cfg);
    c = polling_client_connected(&cfg);
    CHECK(c->polling.get_busy);
    for (i = 0; i < 4; i++) box_http(0, "", 0);               /* answers to this GET and the next three */
    net.out_len = 0;
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    net.out[net.out_len] = 0;
    for (p = (const char *)net.out; (p = strstr(p, "GET /socket.io/")) != NULL; p++) gets++;
    CHECK_INT(gets, 4);
    CHECK(c->polling.get_busy);
    sio_destroy(c);
}

/* receive_parts over polling: each attachment comes whole as one
 * ATTACHMENT event (its base64 decoded where it lay). */
static void test_io_polling_attachments_in_parts(void)
{
    sio_client *c = NULL;
    sio_config cfg;
    sio_event ev;
    static const char open4[] = "0{\"sid\":\"P1\",\"upgrades\":[],\"pingInterval\":300,\"pingTimeout\":200}";
    static const char bin[] = "451-[\"b\",{\"_placeholder\":true,\"num\":0}]\x1e" "bAQID\x1e" "42[\"after\"]";
    int i;
    memset(&cfg, 0, sizeof cfg);
    cfg.receive_parts = 1;
    c = polling_client(&cfg);
    box_http(0, open4, sizeof open4 - 1);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_OPEN);
    for (i = 0; i < 5 && sio_poll(c, &ev, 0) == 0; i++) {}
    box_http(0, "40{\"sid\":\"S1\"}", 14);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    box_http(0, bin, sizeof bin - 1);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);
    CHECK_INT(ev.attachment_count, 1);
    CHECK(ev.attachments == NULL);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ATTACHMENT);
    CHECK_INT(ev.len, 3);
    CHECK_MEM(ev.data, "\x01\x02\x03", 3);
    CHECK(ev.data[3] == 0);
    CHECK(ev.offset == 0 && ev.final == 1 && ev.attachment_index == 0);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);
    CHECK_STR(ev.event_name, "after");
    sio_destroy(c);
}

/* An unmasked server frame on one in-memory connection. */
static void box_frame(int i, int opcode, const char *payload, size_t len)
{
    unsigned char f[256];
    box_send(i, f, sio_ws_encode(f, 1, opcode, payload, len, NULL));
}

/* A name resolved by the client: the table of addresses is given back
 * once the first connection is up, and the session's other connections
 * (the POST, the upgrade probe) go to the address that worked. */
static void test_io_polling_links_reuse_the_resolved_address(void)
{
    sio_client *c;
    sio_config cfg;
    sio_event ev;
    static const char open4[] = "0{\"sid\":\"P1\",\"upgrades\":[\"websocket\"],\"pingInterval\":25000,"
                                "\"pingTimeout\":20000,\"maxPayload\":1000000}";
    int i, opened = 0;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "http://hosts.test/";                   /* 10.9.9.9 in the in-memory hosts file */
    cfg.mode = SIO_MODE_SOCKETIO;
    cfg.reconnect = SIO_RECONNECT_OFF;
    cfg.transport = SIO_TRANSPORT_AUTO;
    cfg.platform = &mem_platform_dns;
    net_reset();
    net.multi = 1;
    net.connected_after = 1;                          /* the connect takes a step */
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    sio_start(c);
    CHECK(c->resolver.addrs != NULL);
    CHECK_STR(net.last_host, "10.9.9.9");
    sio_poll(c, &ev, 0);
    CHECK(c->resolver.addrs != NULL);                 /* still connecting: other addresses may follow */
    sio_poll(c, &ev, 0);
    CHECK(c->resolver.addrs == NULL);                 /* connected: the table is given back */
    box_http(0, open4, sizeof open4 - 1);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_OPEN);
    strcpy(net.last_host, "?");
    for (i = 0; i < 5; i++) sio_poll(c, &ev, 0);      /* POST "40", long-poll GET, the probe */
    for (i = 1; i < 4; i++) opened += net.sim.link[i].open;
    CHECK_INT(opened, 2);                             /* the POST and the probe ... */
    CHECK_STR(net.last_host, "10.9.9.9");             /* ... to the address that worked */
    sio_destroy(c);
}

/* A Socket.IO client on polling (transport AUTO) whose "/" connected and
 * whose upgrade probe sent "2probe" on connection *probe (the GET is
 * connection 0).  NULL when it did not get there. */
static sio_client *io_probing(int *probe)
{
    sio_client *c = NULL;
    sio_config cfg;
    sio_event ev;
    static const char open4[] = "0{\"sid\":\"P1\",\"upgrades\":[\"websocket\"],\"pingInterval\":25000,"
                                "\"pingTimeout\":20000,\"maxPayload\":1000000}";
    int i, get = 0, post = -1;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "http://h.test/";
    cfg.mode = SIO_MODE_SOCKETIO;
    cfg.reconnect = SIO_RECONNECT_OFF;
    cfg.transport = SIO_TRANSPORT_AUTO;
    net_reset();
    net.multi = 1;
    *probe = -1;
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    sio_start(c);
    sio_poll(c, &ev, 0);
    box_http(get, open4, sizeof open4 - 1);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_OPEN);
    for (i = 0; i < 5; i++) sio_poll(c, &ev, 0);      /* POST "40", long-poll GET, the probe's handshake */
    for (i = 1; i < 4; i++) {
        if (!net.sim.link[i].open) continue;
        if (net.sim.link[i].key[0]) *probe = i;
        else post = i;
    }
    CHECK(*probe > 0 && post > 0);
    if (*probe < 0 || post < 0) { sio_destroy(c); return NULL; }
    box_http(post, "ok", 2);
    box_http(get, "40{\"sid\":\"S1\"}", 14);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    box_accept(*probe);
    for (i = 0; i < 3; i++) sio_poll(c, &ev, 0);      /* "2probe" goes out */
    net.out_len = 0;
    return c;
}

/* The upgrade probe answers a WebSocket ping that comes before "3probe"
 * (RFC 6455 5.5.2 allows control frames at any time; 0.2.1 gave up on the
 * upgrade and stayed on polling), then the WebSocket takes over. */
static void test_io_upgrade_probe_answers_a_ping_before_3probe(void)
{
    sio_event ev;
    int i, probe, get = 0;
    sio_ws_frame f;
    unsigned char payload[128];
    sio_client *c = io_probing(&probe);
    if (!c) return;
    box_frame(probe, SIO_WS_PING, "hb", 2);
    box_frame(probe, SIO_WS_TEXT, "3probe", 6);
    for (i = 0; i < 3; i++) sio_poll(c, &ev, 0);
    CHECK(client_frame(0, &f, payload));              /* the ping's pong, on the probe */
    CHECK_INT(f.opcode, SIO_WS_PONG);
    CHECK_MEM(payload, "hb", 2);
    box_http(get, "6", 1);                            /* the paused long poll ends */
    for (i = 0; i < 5; i++) sio_poll(c, &ev, 0);      /* "5": the WebSocket is the transport */
    CHECK(net.out_len > 0);
    box_frame(probe, SIO_WS_TEXT, "42[\"over\",\"ws\"]", 15);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);
    CHECK_STR(ev.event_name, "over");
    sio_destroy(c);
}

/* A probe whose server sends pings and reads none of the pongs fails once
 * the pongs waiting pass the pong slack (they piled up without bound: a
 * server streaming pings grew the probe's send buffer for its whole 10 s
 * deadline); the session stays on polling. */
static void test_io_upgrade_probe_pongs_are_bounded(void)
{
    sio_event ev;
    int i, probe;
    size_t before;
    static char ping[125];
    sio_client *c = io_probing(&probe);
    if (!c) return;
    before = sio_memory(c);
    memset(ping, 'p', sizeof ping);
    net.out_len = sizeof net.out;                     /* nothing the client writes is read */
    for (i = 0; i < 240; i++) {
        box_frame(probe, SIO_WS_PING, ping, sizeof ping);
        sio_poll(c, &ev, 0);
        CHECK(sio_memory(c) < before + 3 * SIO__PONG_SLACK);
    }
    CHECK_INT(sio_get_state(c), SIO_STATE_OPEN);
    sio_destroy(c);
}

/* A probe that paused (polling finishing its GET) has no deadline: one
 * that had passed made sio_next_timeout_ms say 0 on every call, so a
 * caller spun for as long as the server held the GET. */
static void test_io_paused_probe_does_not_spin(void)
{
    sio_event ev;
    int i, probe, zeros = 0, pong;
    sio_ws_frame f;
    unsigned char payload[128];
    sio_client *c = io_probing(&probe);
    if (!c) return;
    box_frame(probe, SIO_WS_TEXT, "3probe", 6);
    for (i = 0; i < 3; i++) sio_poll(c, &ev, 0);      /* paused */
    box_frame(probe, SIO_WS_PING, "hb", 2);           /* kept for after the switch, but off the socket */
    net.now += 11000;                                 /* past the probe's 10 s */
    for (i = 0; i < 100; i++) {
        if (sio_next_timeout_ms(c) == 0) zeros++;
        sio_poll(c, &ev, 0);
    }
    CHECK(zeros < 2);
    CHECK_INT(net.sim.link[probe].in_pos, net.sim.link[probe].in_len);   /* else readable: woken at once, for ever */
    net.out_len = 0;
    box_http(0, "6", 1);                              /* the GET ends: the WebSocket takes over */
    for (i = 0; i < 5; i++) sio_poll(c, &ev, 0);
    box_frame(probe, SIO_WS_TEXT, "42[\"over\",\"ws\"]", 15);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);
    for (i = 0, pong = 0; i < 4 && client_frame((size_t)i, &f, payload); i++)   /* "5", then the pong */
        if (f.opcode == SIO_WS_PONG && f.length == 2 && memcmp(payload, "hb", 2) == 0) pong = 1;
    CHECK(pong);                                      /* the ping read while paused was answered */
    sio_destroy(c);

    c = io_probing(&probe);                           /* the server ends the probe while it is paused */
    if (!c) return;
    box_frame(probe, SIO_WS_TEXT, "3probe", 6);
    for (i = 0; i < 3; i++) sio_poll(c, &ev, 0);
    net.sim.link[probe].eof = 1;
    for (i = zeros = 0; i < 20; i++) {
        if (sio_next_timeout_ms(c) == 0) zeros++;
        sio_poll(c, &ev, 0);
    }
    CHECK(zeros < 2);
    CHECK_INT(c->upgrade.state, SIO__PROBE_FAILED);
    box_http(0, "42[\"still\",\"polling\"]", 21);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);
    sio_destroy(c);
}

static void parse_error_case(const char *packet)
{
    sio_client *c = io_client("http://h.test/", NULL);
    sio_event ev;
    server_text("40{\"sid\":\"S1\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    server_text(packet);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK_INT(ev.error, SIO_ERR_PROTOCOL);
    net.eof = 1;
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_DISCONNECT);
    CHECK_STR(ev.reason, "parse error");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CLOSE);
    sio_destroy(c);
}

static void test_io_parse_errors(void)
{
    parse_error_case("4abc");
    parse_error_case("42{}");
    parse_error_case("42abc[\"x\"]");
    parse_error_case("42999999999999999999999[\"x\"]");
    parse_error_case("4599-[\"x\"]");
    parse_error_case("9");
    parse_error_case("");
}

static void test_io_pending_acks_fail_when_connection_drops(void)
{
    sio_client *c = io_client("http://h.test/", NULL);
    sio_event ev;
    sio_emit_options o;
    server_text("40{\"sid\":\"S1\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    memset(&o, 0, sizeof o);
    o.event = "x";
    o.ack = 1;
    CHECK_INT(sio_emit_ex(c, &o, NULL), SIO_OK);
    net.eof = 1;
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_DISCONNECT);
    CHECK_STR(ev.reason, "transport close");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ACK);
    CHECK_INT(ev.error, SIO_ERR_CLOSED);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CLOSE);
    sio_destroy(c);
}

static void test_io_attachments_over_limit_are_a_parse_error(void)
{
    parse_error_case("4511-[\"x\"]");              /* default max_attachments is 10, as socket.io */
}

static void test_io_placeholder_out_of_range_is_a_parse_error(void)
{
    sio_client *c = io_client("http://h.test/", NULL);
    sio_event ev;
    server_text("40{\"sid\":\"S1\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    server_text("451-[\"x\",{\"_placeholder\":true,\"num\":5}]");
    server_frame(1, SIO_WS_BINARY, "\x01", 1);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK(strstr(ev.message, "placeholder") != NULL);
    sio_destroy(c);
}

static void test_io_text_while_collecting_attachments_is_a_parse_error(void)
{
    sio_client *c = io_client("http://h.test/", NULL);
    sio_event ev;
    server_text("40{\"sid\":\"S1\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    server_text("452-[\"x\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
    server_frame(1, SIO_WS_BINARY, "\x01", 1);
    server_text("42[\"y\"]");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK(strstr(ev.message, "attachments were expected") != NULL);
    net.eof = 1;
    while (poll_type(c, &ev) != SIO_EVENT_CLOSE) {}
    sio_destroy(c);                      /* valgrind/ASan: the collected attachment is freed */
}

static void test_io_ping_between_attachments_is_fine(void)
{
    sio_client *c = io_client("http://h.test/", NULL);
    sio_event ev;
    server_text("40{\"sid\":\"S1\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    server_text("451-[\"bin\",{\"_placeholder\":true,\"num\":0}]");
    server_text("2");                                          /* heartbeat while collecting */
    server_frame(1, SIO_WS_BINARY, "\x07", 1);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);
    CHECK_INT(ev.attachment_count, 1);
    sio_destroy(c);
}

static void test_io_connect_timeout_covers_the_open_packet(void)
{
    sio_client *c = NULL;
    sio_config cfg;
    sio_event ev;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "http://h.test/";
    cfg.mode = SIO_MODE_SOCKETIO;
    cfg.reconnect = SIO_RECONNECT_OFF;
    cfg.connect_timeout_ms = 500;
    net_reset();
    sio_create(&cfg, &c);
    sio_start(c);
    sio_poll(c, &ev, 0);
    server_accept(NULL);                                       /* WebSocket up, no open packet ever */
    CHECK_INT(sio_poll(c, &ev, 2000), 1);
    CHECK_INT(ev.type, SIO_EVENT_ERROR);
    CHECK_INT(ev.error, SIO_ERR_TIMEOUT);
    CHECK(strstr(ev.message, "open packet") != NULL);
    sio_destroy(c);
}

static void test_io_deep_json_is_a_parse_error(void)
{
    static char deep[200100];
    size_t i, n = 0;
    n += (size_t)sprintf(deep, "42[\"x\",");
    for (i = 0; i < 100000; i++) deep[n++] = '[';
    for (i = 0; i < 100000; i++) deep[n++] = ']';
    deep[n++] = ']';
    deep[n] = 0;
    {
        sio_client *c = io_client("http://h.test/", NULL);
        sio_event ev;
        server_text("40{\"sid\":\"S1\"}");
        CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
        server_frame(1, SIO_WS_TEXT, deep, n);
        CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
        CHECK(strstr(ev.message, "deep") != NULL);
        sio_destroy(c);
    }
}

static void test_io_restart_rejoins_namespaces(void)
{
    sio_client *c = io_client("http://h.test/", NULL);
    sio_event ev;
    server_text("40{\"sid\":\"S1\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    CHECK_INT(sio_join(c, "/chat", "{\"k\":1}"), SIO_OK);
    server_text("40/chat,{\"sid\":\"S2\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    net.eof = 1;
    while (poll_type(c, &ev) != SIO_EVENT_CLOSE) {}
    net_reset();
    CHECK_INT(sio_start(c), SIO_OK);
    sio_poll(c, &ev, 0);
    server_accept(NULL);
    net.out_len = 0;
    server_text(OPEN_PACKET);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_OPEN);
    sio_poll(c, &ev, 0);
    CHECK_INT(client_texts(), 2);
    CHECK_STR(sent[0], "40");
    CHECK_STR(sent[1], "40/chat,{\"k\":1}");
    sio_destroy(c);
}

/* ---- reconnection ---- */

/* A client that reconnects with fixed delays (no randomization). */
static sio_client *reconnecting_client(const char *auth, unsigned attempts)
{
    sio_client *c = NULL;
    sio_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "http://h.test/";
    cfg.mode = SIO_MODE_SOCKETIO;
    cfg.auth = auth;
    cfg.reconnect_attempts = attempts;
    cfg.reconnect_jitter_pct = -1;
    net_reset();
    if (sio_create(&cfg, &c) != SIO_OK) return NULL;
    sio_start(c);
    return c;
}

/* The server side of a fresh TCP connection: empty buffers, same clock. */
static void net_new_connection(void)
{
    net.in_len = net.in_pos = net.out_len = 0;
    net.eof = 0;
}

/* Polls (the clock advances while idle) until the client wrote its
 * handshake on a new connection; returns the milliseconds that took. */
static long wait_for_attempt(sio_client *c)
{
    uint64_t t0 = net.now;
    sio_event ev;
    int i;
    for (i = 0; i < 200 && net.out_len == 0; i++)
        if (sio_poll(c, &ev, 100) == 1) return -1;          /* no event expected meanwhile */
    return net.out_len ? (long)(net.now - t0) : -2;
}

static void open_session(sio_client *c, const char *sid, int want)
{
    sio_event ev;
    char open[160];
    sio_poll(c, &ev, 0);
    server_accept(NULL);
    net.out_len = 0;
    snprintf(open, sizeof open, "0{\"sid\":\"%s\",\"upgrades\":[],\"pingInterval\":300,\"pingTimeout\":200}", sid);
    server_text(open);
    CHECK_INT(poll_type(c, &ev), want);
    if (want == SIO_EVENT_RECONNECT) CHECK_INT(ev.attempt, 1);
}

static void test_io_reconnect_keeps_offline_emits_and_rejoins(void)
{
    sio_client *c = reconnecting_client(NULL, 0);
    sio_event ev;
    int64_t id0 = -1, id1 = -1;
    sio_emit_options o;
    long waited;
    CHECK(c != NULL);
    open_session(c, "E1", SIO_EVENT_OPEN);
    server_text("40{\"sid\":\"S1\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    CHECK_INT(sio_join(c, "/admin", "{\"token\":\"t\"}"), SIO_OK);
    sio_poll(c, &ev, 0);
    server_text("40/admin,{\"sid\":\"A1\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    CHECK_STR(ev.ns, "/admin");
    net.out_len = 0;
    memset(&o, 0, sizeof o);
    o.event = "sent";
    o.ack = 1;
    CHECK_INT(sio_emit_ex(c, &o, &id0), SIO_OK);
    sio_poll(c, &ev, 0);
    net.eof = 1;                                              /* the server is gone */
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_DISCONNECT);
    CHECK_STR(ev.reason, "transport close");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_DISCONNECT);
    CHECK_STR(ev.ns, "/admin");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ACK);              /* the sent emit's ack cannot come */
    CHECK_INT(ev.ack_id, id0);
    CHECK_INT(ev.error, SIO_ERR_CLOSED);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_RECONNECTING);
    CHECK_INT(ev.attempt, 1);
    CHECK_INT(ev.delay_ms, 1000);
    CHECK_INT(sio_get_state(c), SIO_STATE_RECONNECTING);
    /* Offline: emits queue in order, volatile ones are dropped. */
    o.event = "offline";
    CHECK_INT(sio_emit_ex(c, &o, &id1), SIO_OK);
    CHECK_INT(sio_emit(c, NULL, "second", "[2]"), SIO_OK);
    o.event = "vol";
    o.ack = 0;
    o.is_volatile = 1;
    CHECK_INT(sio_emit_ex(c, &o, NULL), SIO_OK);
    net_new_connection();
    waited = wait_for_attempt(c);
    CHECK(waited >= 1000 && waited <= 1200);
    open_session(c, "E2", SIO_EVENT_RECONNECT);
    sio_poll(c, &ev, 0);
    CHECK_INT(client_texts(), 2);
    CHECK_STR(sent[0], "40");                                 /* both namespaces join again */
    CHECK_STR(sent[1], "40/admin,{\"token\":\"t\"}");        /* with their auth */
    server_text("40/admin,{\"sid\":\"A2\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    CHECK_STR(ev.ns, "/admin");
    server_text("40{\"sid\":\"S2\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    CHECK_STR(ev.sid, "S2");
    CHECK_INT(ev.recovered, 0);
    sio_poll(c, &ev, 0);
    CHECK_INT(client_texts(), 2);
    CHECK_STR(sent[0], "421[\"offline\"]");
    CHECK_STR(sent[1], "42[\"second\",2]");
    server_text("431[\"ok\"]");                               /* its ack arrives after the reconnection */
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ACK);
    CHECK_INT(ev.ack_id, id1);
    CHECK_INT(ev.error, 0);
    sio_destroy(c);
}

/* For Socket.IO a redirect takes scheme, host and port only: the URL's own
 * query stays, also when sio_set_query replaces the caller's entries.
 * Before, it became the Location's query. */
static void test_io_set_query_after_a_redirect_keeps_the_url_query(void)
{
    static const char redirect[] = "HTTP/1.1 302 Found\r\nLocation: http://other.test:3000/x?evil=1\r\n"
                                   "Content-Length: 0\r\n\r\n";
    const char *q[] = { "token=t2" };
    sio_client *c = NULL;
    sio_config cfg;
    sio_event ev;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "http://h.test:3000/?room=1";
    cfg.mode = SIO_MODE_SOCKETIO;
    cfg.reconnect = SIO_RECONNECT_OFF;
    net_reset();
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    if (!c) return;
    sio_start(c);
    sio_poll(c, &ev, 0);
    server_send(redirect, sizeof redirect - 1);
    net.out_len = 0;
    memset(net.out, 0, 512);
    sio_poll(c, &ev, 0);
    sio_poll(c, &ev, 0);
    CHECK_STR(net.last_host, "other.test");
    CHECK(strstr((const char *)net.out, "&room=1 HTTP/1.1") != NULL && strstr((const char *)net.out, "evil") == NULL);
    CHECK_INT(sio_set_query(c, q, 1), SIO_OK);
    CHECK_STR(c->eio_query, "&room=1&token=t2");
    sio_destroy(c);
}

/* A token that expired while RECONNECTING: the new query and headers are
 * in the next handshake, the auth of sio_join again in the next CONNECT. */
static void test_io_new_credentials_while_reconnecting(void)
{
    sio_client *c = reconnecting_client("{\"token\":\"old\"}", 0);
    const char *q[] = { "token=new" }, *h[] = { "Authorization: Bearer new" };
    sio_event ev;
    CHECK(c != NULL);
    if (!c) return;
    open_session(c, "E1", SIO_EVENT_OPEN);
    server_text("40{\"sid\":\"S1\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    net.eof = 1;
    while (poll_type(c, &ev) != SIO_EVENT_RECONNECTING) {}
    CHECK_INT(sio_set_query(c, q, 1), SIO_OK);
    CHECK_INT(sio_set_headers(c, h, 1), SIO_OK);
    CHECK_INT(sio_join(c, "/", "{\"token\":\"new\"}"), SIO_OK);
    net_new_connection();
    CHECK(wait_for_attempt(c) > 0);
    CHECK(strstr((const char *)net.out, "&token=new HTTP/1.1\r\n") != NULL);
    CHECK(strstr((const char *)net.out, "Authorization: Bearer new\r\n") != NULL);
    open_session(c, "E2", SIO_EVENT_RECONNECT);
    sio_poll(c, &ev, 0);
    CHECK_INT(client_texts(), 1);
    CHECK_STR(sent[0], "40{\"token\":\"new\"}");
    sio_destroy(c);
}

static void test_io_reconnect_backoff_grows_then_gives_up(void)
{
    sio_client *c;
    sio_event ev;
    net_reset();
    c = reconnecting_client(NULL, 3);
    CHECK(c != NULL);
    sio_destroy(c);
    {
        sio_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.url = "http://h.test/";
        cfg.mode = SIO_MODE_SOCKETIO;
        cfg.reconnect_attempts = 3;
        cfg.reconnect_delay_ms = 1500;
        cfg.reconnect_jitter_pct = -1;
        net_reset();
        net.connect_fail = 1;                                  /* every attempt is refused */
        CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    }
    CHECK_INT(sio_emit(c, NULL, "queued", NULL), SIO_OK);
    sio_start(c);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);           /* the first connection fails too */
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_RECONNECTING);
    CHECK_INT(ev.delay_ms, 1500);
    CHECK_INT(poll_type(c, &ev), -1);
    {
        int want[] = { 3000, 5000 }, k, n;
        for (k = 0; k < 2; k++) {
            for (n = 0; n < 100 && sio_poll(c, &ev, 100) == 0; n++) {}
            CHECK_INT(ev.type, SIO_EVENT_ERROR);
            CHECK_INT(poll_type(c, &ev), SIO_EVENT_RECONNECTING);
            CHECK_INT(ev.attempt, k + 2);
            CHECK_INT(ev.delay_ms, want[k]);                   /* doubled, capped at 5000 */
        }
        for (n = 0; n < 100 && sio_poll(c, &ev, 100) == 0; n++) {}
        CHECK_INT(ev.type, SIO_EVENT_ERROR);
    }
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);           /* the queued emit is reported dropped */
    CHECK(strstr(ev.message, "dropped") != NULL);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_RECONNECT_FAILED);
    CHECK_INT(ev.attempt, 3);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CLOSE);
    CHECK_INT(sio_get_state(c), SIO_STATE_IDLE);
    sio_destroy(c);
}

static void test_io_no_reconnect_after_server_disconnect_or_stop(void)
{
    sio_client *c = reconnecting_client(NULL, 0);
    sio_event ev;
    open_session(c, "E1", SIO_EVENT_OPEN);
    server_text("40{\"sid\":\"S1\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    server_text("41");                                        /* io server disconnect */
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_DISCONNECT);
    CHECK_STR(ev.reason, "io server disconnect");
    server_frame(1, SIO_WS_CLOSE, "\x03\xe8", 2);
    net.eof = 1;
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CLOSE);
    CHECK_INT(sio_get_state(c), SIO_STATE_IDLE);
    sio_destroy(c);

    c = reconnecting_client(NULL, 0);                          /* stopped while waiting to retry */
    open_session(c, "E1", SIO_EVENT_OPEN);
    net.eof = 1;
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_RECONNECTING);
    CHECK_INT(sio_emit(c, NULL, "never", NULL), SIO_OK);
    CHECK_INT(sio_stop(c), SIO_OK);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);           /* the queued emit is reported */
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CLOSE);
    CHECK_INT(sio_get_state(c), SIO_STATE_IDLE);
    CHECK_INT(poll_type(c, &ev), -1);
    sio_destroy(c);
}

static void test_io_connection_state_recovery(void)
{
    sio_client *c = reconnecting_client("{\"token\":\"t\"}", 0);
    sio_event ev;
    open_session(c, "E1", SIO_EVENT_OPEN);
    server_text("40{\"sid\":\"S1\",\"pid\":\"P1\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    CHECK_INT(ev.recovered, 0);
    server_text("42[\"news\",\"hi\",{\"n\":1},\"OFF1\"]");    /* offsets end broadcasts */
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);
    CHECK_STR(ev.args, "[\"hi\",{\"n\":1}]");
    CHECK_INT(ev.args_len, strlen(ev.args));
    CHECK_STR((const char *)ev.data, "hi");
    server_text("42[\"tick\",\"OFF2\"]");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);
    CHECK_STR(ev.args, "[]");
    CHECK_INT(ev.len, 0);
    server_text("42[\"direct\",7]");                          /* no offset: left alone */
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);
    CHECK_STR(ev.args, "[7]");
    net.eof = 1;
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_DISCONNECT);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_RECONNECTING);
    net_new_connection();
    CHECK(wait_for_attempt(c) > 0);
    open_session(c, "E2", SIO_EVENT_RECONNECT);
    sio_poll(c, &ev, 0);
    CHECK_INT(client_texts(), 1);
    CHECK_STR(sent[0], "40{\"pid\":\"P1\",\"offset\":\"OFF2\",\"token\":\"t\"}");
    /* The server sends the missed events before its CONNECT reply. */
    server_text("42[\"missed\",1,\"OFF3\"]");
    server_text("42[\"missed\",2,\"OFF4\"]");
    server_text("40{\"sid\":\"S1\",\"pid\":\"P1\"}");
    server_text("42[\"live\",3,\"OFF5\"]");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    CHECK_INT(ev.recovered, 1);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);
    CHECK_STR(ev.event_name, "missed");
    CHECK_STR(ev.args, "[1]");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);
    CHECK_STR(ev.args, "[2]");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);
    CHECK_STR(ev.event_name, "live");
    sio_destroy(c);
}

/* ---- Engine.IO 3 / Socket.IO protocol v4 over WebSocket ---- */

/* An Engine.IO 3 client over WebSocket, its session open (open NULL: the
 * open packet with pingInterval 300, pingTimeout 200). */
static sio_client *eio3_client_ex(const char *url, int receive_parts, size_t max_send_queue, const char *open)
{
    sio_client *c = NULL;
    sio_config cfg;
    sio_event ev;
    memset(&cfg, 0, sizeof cfg);
    cfg.receive_parts = receive_parts;
    cfg.url = url;
    cfg.mode = SIO_MODE_SOCKETIO;
    cfg.reconnect = SIO_RECONNECT_OFF;
    cfg.eio = 3;
    cfg.max_send_queue = max_send_queue;
    net_reset();
    if (sio_create(&cfg, &c) != SIO_OK) return NULL;
    sio_start(c);
    sio_poll(c, &ev, 0);
    net.out[net.out_len] = 0;
    CHECK(strstr((const char *)net.out, "GET /socket.io/?EIO=3&transport=websocket") != NULL);
    server_accept(NULL);
    net.out_len = 0;
    server_text(open ? open : "0{\"sid\":\"E3\",\"upgrades\":[],\"pingInterval\":300,\"pingTimeout\":200}");
    if (poll_type(c, &ev) != SIO_EVENT_OPEN) { sio_destroy(c); return NULL; }
    return c;
}

static sio_client *eio3_client_with(const char *url, int receive_parts)
{
    return eio3_client_ex(url, receive_parts, 0, NULL);
}

static sio_client *eio3_client(const char *url) { return eio3_client_with(url, 0); }

/* Engine.IO 3 in parts: the type byte is taken off the first part and
 * the offsets count the attachment's bytes only. */
static void test_io_eio3_attachment_in_parts(void)
{
    sio_client *c = eio3_client_with("http://h.test/", 1);
    sio_event ev;
    CHECK(c != NULL);
    if (!c) return;
    server_text("40");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    server_text("451-[\"b\",{\"_placeholder\":true,\"num\":0}]");
    server_frame(0, SIO_WS_BINARY, "\x04", 1);             /* the type byte alone: nothing to hand over */
    server_frame(0, SIO_WS_CONTINUATION, "\x01\x02", 2);
    server_frame(1, SIO_WS_CONTINUATION, "\x03", 1);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);
    CHECK_INT(ev.attachment_count, 1);
    CHECK(ev.attachments == NULL);
    next_part(c, &ev, 0, 0, "\x01\x02", 2, 0);
    next_part(c, &ev, 0, 2, "\x03", 1, 1);
    server_text("42[\"after\"]");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);
    CHECK_STR(ev.event_name, "after");
    sio_destroy(c);
}

/* Engine.IO 3 sending attachments in parts: the client's pings wait behind
 * them, so their pongs cannot come; WebSocket pings between the fragments
 * ask instead, and a server that answers them is no ping timeout. */
static void test_io_eio3_pings_wait_behind_attachments(void)
{
    sio_client *c = eio3_client("http://h.test/");
    sio_event ev;
    sio_emit_options o;
    int n;
    CHECK(c != NULL);
    if (!c) return;
    server_text("40");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    o = one_attachment_in_parts();
    CHECK_INT(sio_emit_ex(c, &o, NULL), SIO_OK);
    CHECK_INT(sio_send_begin(c, 1), SIO_OK);
    CHECK_INT(sio_send_part(c, "\x01", 1), SIO_OK);
    for (n = 0; n < 40; n++) {                                 /* 2 s: pingInterval 300, pingTimeout 200 */
        if (sio_poll(c, &ev, 50) == 1) CHECK_INT(ev.type, SIO_EVENT_NONE);
        answer_pings();
    }
    CHECK_INT(sio_get_state(c), SIO_STATE_OPEN);
    client_frames_line();
    CHECK_INT(sio_send_end(c), SIO_OK);
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    CHECK_STR(client_frames_line(), "C:|T:2");                 /* the attachment's end, then the ping */
    server_text("3");
    for (n = 0; n < 4; n++) CHECK_INT(sio_poll(c, &ev, 50), 0);
    CHECK_INT(sio_get_state(c), SIO_STATE_OPEN);
    sio_destroy(c);
}

static void test_io_eio3_implicit_connect_and_client_pings(void)
{
    sio_client *c = eio3_client("http://h.test/");
    sio_event ev;
    int n;
    CHECK(c != NULL);
    sio_poll(c, &ev, 0);
    CHECK_INT(client_texts(), 0);                          /* "/" is connected by the server */
    server_text("40");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    CHECK_STR(ev.sid, "E3");                               /* v4 protocol: the engine's id */
    /* The client pings every pingInterval; the server answers. */
    for (n = 0; n < 2; n++) {
        uint64_t t0 = net.now;
        while (net.out_len == 0 && net.now - t0 < 1000) sio_poll(c, &ev, 50);
        CHECK(net.now - t0 >= 250 && net.now - t0 <= 350);
        CHECK_INT(client_texts(), 1);
        CHECK_STR(sent[0], "2");
        server_text("3");
        sio_poll(c, &ev, 0);
    }
    /* No answer within pingTimeout: ping timeout. */
    while (net.out_len == 0) sio_poll(c, &ev, 50);
    CHECK_STR((client_texts(), sent[0]), "2");
    n = 0;
    while (sio_poll(c, &ev, 50) == 0 && n++ < 20) {}
    CHECK_INT(ev.type, SIO_EVENT_ERROR);
    CHECK(strstr(ev.message, "no ping") != NULL);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_DISCONNECT);
    CHECK_STR(ev.reason, "ping timeout");
    sio_destroy(c);
}

static void test_io_eio3_binary_frames_carry_a_type_byte(void)
{
    sio_client *c = eio3_client("http://h.test/");
    sio_event ev;
    sio_emit_options o;
    sio_bytes att;
    static const char bin_in[] = "\x04\x01\x02";
    unsigned char payload[64];
    sio_ws_frame f;
    CHECK(c != NULL);
    server_text("40");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    memset(&o, 0, sizeof o);
    o.event = "up";
    o.args = "[{\"_placeholder\":true,\"num\":0}]";
    att.data = (const unsigned char *)"\xAA\xBB";
    att.len = 2;
    o.attachments = &att;
    o.attachment_count = 1;
    CHECK_INT(sio_emit_ex(c, &o, NULL), SIO_OK);
    sio_poll(c, &ev, 0);
    CHECK(client_frame(1, &f, payload));
    CHECK_INT(f.opcode, SIO_WS_BINARY);
    CHECK_INT(f.length, 3);
    CHECK(memcmp(payload, "\x04\xAA\xBB", 3) == 0);
    net.out_len = 0;
    server_text("451-[\"b\",{\"_placeholder\":true,\"num\":0}]");
    server_frame(1, SIO_WS_BINARY, bin_in, 3);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_EVENT);
    CHECK_INT(ev.attachment_count, 1);
    CHECK_INT(ev.attachments[0].len, 2);
    CHECK(memcmp(ev.attachments[0].data, "\x01\x02", 2) == 0);
    server_text("451-[\"b\",{\"_placeholder\":true,\"num\":0}]");
    server_frame(1, SIO_WS_BINARY, "\x01\x02", 2);          /* no type byte */
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK_INT(ev.error, SIO_ERR_PROTOCOL);
    sio_destroy(c);
}

static void test_io_eio3_namespace_error_packet(void)
{
    sio_client *c = eio3_client("http://h.test/admin");
    sio_event ev;
    CHECK(c != NULL);
    sio_poll(c, &ev, 0);
    CHECK_INT(client_texts(), 1);
    CHECK_STR(sent[0], "40/admin,");                       /* no auth payload in v4 */
    sio_destroy(c);
    c = eio3_client("http://h.test/admin?token=1&x=y");
    CHECK(c != NULL);
    sio_poll(c, &ev, 0);
    CHECK_INT(client_texts(), 1);
    CHECK_STR(sent[0], "40/admin?token=1&x=y,");           /* v4: the query rides in the CONNECT */
    server_text("40");                                     /* "/" connected by the server: not ours */
    server_text("44/admin,\"not authorized\"");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT_ERROR);
    CHECK_STR(ev.ns, "/admin");
    CHECK_STR(ev.message, "not authorized");
    sio_destroy(c);
}

/* ---- at-least-once emits (sio_config.retries) ---- */

/* The ack id of a sent event "42<id>[...": -1 when it has none. */
static long long wire_id(const char *text)
{
    const char *p = text + 2;
    long long id = 0;
    if (strncmp(text, "42", 2) != 0 || *p < '0' || *p > '9') return -1;
    while (*p >= '0' && *p <= '9') id = id * 10 + (*p++ - '0');
    return id;
}

/* The body after the header of a sent event. */
static const char *wire_body(const char *text)
{
    return strchr(text, '[');
}

/* The server answers the event the client sent as text with args. */
static void server_ack_of(const char *text, const char *args)
{
    char ack[128];
    snprintf(ack, sizeof ack, "43%lld%s", wire_id(text), args);
    server_text(ack);
}

/* Polls the ms that pass in steps of 50 with the server's pings keeping the
 * session alive; returns the first event (0 when none came). */
static int io_wait_alive(sio_client *c, sio_event *ev, int ms)
{
    int t;
    for (t = 0; t < ms; t += 50) {
        server_text("2");
        if (sio_poll(c, ev, 50) == 1) return (int)ev->type;
    }
    return 0;
}

static int64_t io_emit_reliable(sio_client *c, const char *ns, const char *event, const char *args, int ack)
{
    sio_emit_options o;
    int64_t id = -1;
    memset(&o, 0, sizeof o);
    o.ns = ns;
    o.event = event;
    o.args = args;
    o.ack = ack;
    CHECK_INT(sio_emit_ex(c, &o, &id), SIO_OK);
    return id;
}

/* One emit in flight at a time, resent with a new ack id when its ack does
 * not come in time (a RETRY event), the late answer to an earlier try
 * ignored; the next emit goes only after the answer; out of tries, an ACK
 * event with SIO_ERR_TIMEOUT, also for an emit that asked for no ack. */
static void test_io_retries_send_in_order_and_resend_on_timeout(void)
{
    sio_config cfg;
    sio_client *c;
    sio_event ev;
    int64_t a, b, d;
    long long w1, w2;
    memset(&cfg, 0, sizeof cfg);
    cfg.retries = 2;
    cfg.ack_timeout_ms = 200;
    c = io_connected(&cfg);
    CHECK(c != NULL);
    client_texts();
    a = io_emit_reliable(c, NULL, "a", "[1]", 0);
    b = io_emit_reliable(c, NULL, "b", "[2]", 1);
    CHECK(a >= 0 && b > a);
    sio_poll(c, &ev, 0);
    CHECK_INT(client_texts(), 1);                           /* b waits for a's answer */
    CHECK_STR(wire_body(sent[0]), "[\"a\",1]");
    CHECK((w1 = wire_id(sent[0])) >= 0);
    CHECK_INT(io_wait_alive(c, &ev, 400), SIO_EVENT_RETRY);
    CHECK_INT(ev.ack_id, a);
    CHECK_INT(ev.attempt, 1);
    CHECK_STR(ev.ns, "/");
    CHECK_STR(ev.reason, "no ack within the ack timeout");
    client_texts();
    CHECK_INT((int)sent_count - 1 >= 0, 1);
    CHECK_STR(wire_body(sent[sent_count - 1]), "[\"a\",1]");
    CHECK((w2 = wire_id(sent[sent_count - 1])) >= 0 && w2 != w1);
    {
        char late[64];
        snprintf(late, sizeof late, "43%lld[\"late\"]", w1);    /* the first try's answer: too late */
        server_text(late);
        CHECK_INT(sio_poll(c, &ev, 0), 0);
        CHECK_INT(client_texts(), 0);                        /* b still waits */
        snprintf(late, sizeof late, "43%lld[\"ok\"]", w2);
        server_text(late);
        CHECK_INT(sio_poll(c, &ev, 0), 0);                   /* a asked for no ack: no event */
    }
    CHECK_INT(client_texts(), 1);
    CHECK_STR(wire_body(sent[0]), "[\"b\",2]");
    server_ack_of(sent[0], "[\"yes\",3]");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ACK);
    CHECK_INT(ev.ack_id, b);
    CHECK_INT(ev.error, 0);
    CHECK_INT(ev.attempt, 1);
    CHECK_STR(ev.args, "[\"yes\",3]");
    d = io_emit_reliable(c, NULL, "d", NULL, 0);            /* never answered: 1 + 2 tries */
    CHECK_INT(io_wait_alive(c, &ev, 400), SIO_EVENT_RETRY);
    CHECK_INT(ev.attempt, 1);
    CHECK_INT(io_wait_alive(c, &ev, 400), SIO_EVENT_RETRY);
    CHECK_INT(ev.attempt, 2);
    CHECK_INT(io_wait_alive(c, &ev, 400), SIO_EVENT_ACK);
    CHECK_INT(ev.ack_id, d);
    CHECK_INT(ev.error, SIO_ERR_TIMEOUT);
    CHECK_INT(ev.attempt, 3);
    CHECK(strstr(ev.message, "no ack after 3 tries") != NULL);
    {
        size_t k, tries = 0;
        client_texts();
        for (k = 0; k < sent_count; k++) tries += wire_body(sent[k]) && strcmp(wire_body(sent[k]), "[\"d\"]") == 0;
        CHECK_INT((int)tries, 3);                           /* one frame per try */
    }
    CHECK_INT(sio_memory(c) >= sizeof(sio_client), 1);
    sio_destroy(c);
}

/* A connection lost while an emit waits for its answer: the emit goes again
 * on the next connection, before those made while offline, and each is
 * reported once; a stop ends the rest with SIO_ERR_CLOSED. */
static void test_io_retries_resend_after_a_reconnection(void)
{
    sio_client *c = NULL;
    sio_config cfg;
    sio_event ev;
    int64_t a, b, d;
    int closed = 0;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "http://h.test/";
    cfg.mode = SIO_MODE_SOCKETIO;
    cfg.reconnect_jitter_pct = -1;
    cfg.retries = 3;
    net_reset();
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    sio_start(c);
    open_session(c, "E1", SIO_EVENT_OPEN);
    server_text("40{\"sid\":\"S1\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    client_texts();
    a = io_emit_reliable(c, NULL, "a", NULL, 1);
    sio_poll(c, &ev, 0);
    CHECK_INT(client_texts(), 1);
    net.eof = 1;                                             /* the server is gone before answering */
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ERROR);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_DISCONNECT);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_RECONNECTING);   /* no ACK event: a is kept */
    b = io_emit_reliable(c, NULL, "b", NULL, 1);             /* made while offline */
    net_new_connection();
    CHECK(wait_for_attempt(c) >= 1000);
    open_session(c, "E2", SIO_EVENT_RECONNECT);
    sio_poll(c, &ev, 0);
    client_texts();
    server_text("40{\"sid\":\"S2\"}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_RETRY);
    CHECK_INT(ev.ack_id, a);
    CHECK_INT(ev.attempt, 1);
    CHECK_STR(ev.reason, "the connection was lost");
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    CHECK_INT(client_texts(), 1);
    CHECK_STR(wire_body(sent[0]), "[\"a\"]");
    server_ack_of(sent[0], "[]");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_ACK);
    CHECK_INT(ev.ack_id, a);
    CHECK_INT(ev.attempt, 2);
    CHECK_INT(sio_poll(c, &ev, 0), 0);
    CHECK_INT(client_texts(), 1);
    CHECK_STR(wire_body(sent[0]), "[\"b\"]");               /* b's first try */
    d = io_emit_reliable(c, NULL, "d", NULL, 0);
    CHECK_INT(sio_stop(c), SIO_OK);
    while (sio_poll(c, &ev, 0) == 1)
        if (ev.type == SIO_EVENT_ACK && ev.error == SIO_ERR_CLOSED && (ev.ack_id == b || ev.ack_id == d)) closed++;
    CHECK_INT(closed, 2);
    sio_destroy(c);
}

/* Emits with retries made before any connection, on two namespaces and with
 * an attachment, saved as a blob and loaded into a new client: they go out
 * in order with their ids once the namespaces connect.  A blob cut short or
 * changed, loaded twice, or into a client without retries is refused whole. */
static void test_io_queue_save_and_load(void)
{
    static unsigned char blob[4096], bad[4096];
    sio_client *c = NULL, *d = NULL;
    sio_config cfg;
    sio_event ev;
    sio_emit_options o;
    sio_bytes att;
    size_t len = 0, len2 = 0;
    int64_t ids[3];
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "http://h.test/";
    cfg.mode = SIO_MODE_SOCKETIO;
    cfg.retries = 1;
    net_reset();
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    CHECK_INT(sio_queue_save(c, NULL, 0, &len), SIO_ERR_FULL);   /* the size of an empty queue */
    CHECK_INT((int)len, 13);
    ids[0] = io_emit_reliable(c, NULL, "first", "[1]", 1);
    memset(&o, 0, sizeof o);
    o.ns = "/admin";
    o.event = "bin";
    o.args = "[{\"_placeholder\":true,\"num\":0}]";
    att.data = (const unsigned char *)"\x01\x02\x00\x03";
    att.len = 4;
    o.attachments = &att;
    o.attachment_count = 1;
    CHECK_INT(sio_emit_ex(c, &o, &ids[1]), SIO_OK);
    ids[2] = io_emit_reliable(c, NULL, "third", NULL, 0);
    CHECK_INT(sio_queue_save(c, blob, 10, &len), SIO_ERR_FULL);
    CHECK_INT(sio_queue_save(c, blob, sizeof blob, &len2), SIO_OK);
    CHECK_INT((int)len2, (int)len);
    sio_destroy(c);

    net_reset();
    CHECK_INT(sio_create(&cfg, &d), SIO_OK);
    CHECK_INT(sio_queue_load(d, blob, len - 1), SIO_ERR_INVALID);      /* cut short */
    memcpy(bad, blob, len);
    bad[len / 2] ^= 0x20;
    CHECK_INT(sio_queue_load(d, bad, len), SIO_ERR_INVALID);           /* changed */
    CHECK_INT(sio_queue_load(d, NULL, 0), SIO_ERR_INVALID);
    CHECK_INT(sio_queue_load(d, blob, len), SIO_OK);
    CHECK_INT(sio_queue_load(d, blob, len), SIO_ERR_STATE);            /* the ids are taken now */
    CHECK_INT(sio_queue_save(d, bad, sizeof bad, &len2), SIO_OK);
    CHECK_INT((int)len2, (int)len);
    CHECK(memcmp(bad, blob, len) == 0);                                 /* the same queue again */
    sio_start(d);
    sio_poll(d, &ev, 0);
    server_accept(NULL);
    net.out_len = 0;
    server_text(OPEN_PACKET);
    CHECK_INT(poll_type(d, &ev), SIO_EVENT_OPEN);
    CHECK_INT(sio_poll(d, &ev, 0), 0);
    client_texts();
    CHECK_INT((int)sent_count, 2);
    CHECK_STR(sent[1], "40/admin,");                                    /* joined by the load */
    server_text("40/admin,{\"sid\":\"A1\"}");
    CHECK_INT(poll_type(d, &ev), SIO_EVENT_CONNECT);
    CHECK_INT(sio_poll(d, &ev, 0), 0);
    client_texts();
    CHECK_INT((int)sent_count, 2);
    CHECK(strncmp(sent[0], "451-/admin,", 11) == 0);
    CHECK(strstr(sent[0], "[\"bin\",{\"_placeholder\":true,\"num\":0}]") != NULL);
    CHECK_INT(sent[1][0], '#');                                         /* the attachment */
    server_text("40{\"sid\":\"S1\"}");
    CHECK_INT(poll_type(d, &ev), SIO_EVENT_CONNECT);
    CHECK_INT(sio_poll(d, &ev, 0), 0);
    CHECK_INT(client_texts(), 1);
    CHECK_STR(wire_body(sent[0]), "[\"first\",1]");
    server_ack_of(sent[0], "[7]");
    CHECK_INT(poll_type(d, &ev), SIO_EVENT_ACK);
    CHECK_INT(ev.ack_id, ids[0]);                                       /* the id it had before the restart */
    CHECK_STR(ev.args, "[7]");
    CHECK_INT(sio_poll(d, &ev, 0), 0);
    CHECK_INT(client_texts(), 1);
    CHECK_STR(wire_body(sent[0]), "[\"third\"]");
    CHECK(io_emit_reliable(d, NULL, "new", NULL, 0) > ids[2]);          /* new ids come after the loaded */
    sio_destroy(d);

    cfg.retries = 0;
    CHECK_INT(sio_create(&cfg, &d), SIO_OK);
    CHECK_INT(sio_queue_load(d, blob, len), SIO_ERR_STATE);             /* no retries: nothing to keep them */
    sio_destroy(d);
    cfg.retries = 1;
    cfg.max_pending_acks = 2;
    CHECK_INT(sio_create(&cfg, &d), SIO_OK);
    CHECK_INT(sio_queue_load(d, blob, len), SIO_ERR_FULL);
    CHECK_INT(sio_queue_save(d, bad, sizeof bad, &len2), SIO_OK);
    CHECK_INT((int)len2, 13);                                           /* nothing was taken */
    sio_destroy(d);
}

/* A server that reads nothing does not make the client copy an emit again
 * at every ack timeout: a try waits while its last one has not left, so the
 * memory stays within max_send_queue.  (Before, each timeout queued one
 * more copy: 134 MB for a 200 KB emit in 5 s.) */
static void test_io_retries_do_not_pile_up_behind_a_full_socket(void)
{
    static char big[200000];
    static const char open_slow[] =
        "0{\"sid\":\"E1\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":1000000}";
    sio_config cfg;
    sio_client *c;
    sio_event ev;
    int i, retries = 0;
    memset(&cfg, 0, sizeof cfg);
    cfg.retries = 100000;
    cfg.ack_timeout_ms = 10;
    cfg.max_send_queue = 1000000;
    c = io_connected_with(&cfg, open_slow);
    CHECK(c != NULL);
    memset(big, 'x', sizeof big - 10);
    memcpy(big, "[\"", 2);
    memcpy(big + sizeof big - 10, "\"]", 3);
    net.out_len = sizeof net.out;                              /* the server reads nothing */
    io_emit_reliable(c, NULL, "big", big, 0);
    for (i = 0; i < 500; i++) {
        net.now += 10;
        while (sio_poll(c, &ev, 0) == 1) retries += ev.type == SIO_EVENT_RETRY;
    }
    CHECK(sio_memory(c) < 2 * cfg.max_send_queue);
    CHECK(retries < 5);
    sio_destroy(c);
}

/* One blob with the same id twice is refused whole. */
static void test_io_queue_load_refuses_an_id_twice(void)
{
    static unsigned char blob[4096];
    sio_client *c = NULL;
    sio_config cfg;
    size_t len = 0, n, at;
    uint32_t h = 2166136261u;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "http://h.test/";
    cfg.mode = SIO_MODE_SOCKETIO;
    cfg.retries = 1;
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    io_emit_reliable(c, NULL, "a", NULL, 0);
    io_emit_reliable(c, NULL, "b", NULL, 0);                  /* ids 0 and 1, the same length each */
    CHECK_INT(sio_queue_save(c, blob, sizeof blob, &len), SIO_OK);
    sio_destroy(c);
    n = (len - 13) / 2;                                        /* each emit's bytes */
    at = 9 + n;                                                /* the second emit's id: made 0 */
    blob[at + 7] = 0;
    for (at = 0; at < len - 4; at++) h = (h ^ blob[at]) * 16777619u;
    blob[len - 4] = (unsigned char)(h >> 24); blob[len - 3] = (unsigned char)(h >> 16);
    blob[len - 2] = (unsigned char)(h >> 8); blob[len - 1] = (unsigned char)h;
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    CHECK_INT(sio_queue_load(c, blob, len), SIO_ERR_INVALID);
    CHECK_INT(sio_queue_save(c, NULL, 0, &len), SIO_ERR_FULL);
    CHECK_INT((int)len, 13);
    sio_destroy(c);
}

/* Every length in a blob is checked: a blob whose hash is right but whose
 * lengths run past its end, or whose body is not an event sio_emit would
 * take, is refused. */
static void test_io_queue_load_checks_every_length(void)
{
    static const unsigned char good_body[] = "[\"e\"]";
    unsigned char b[128];
    size_t n;
    sio_client *c = NULL;
    sio_config cfg;
    int len_at, k;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "http://h.test/";
    cfg.mode = SIO_MODE_SOCKETIO;
    cfg.retries = 1;
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    for (k = 0; k < 7; k++) {
        uint32_t h = 2166136261u;
        size_t i;
        n = 0;
        memcpy(b, "SIOQ\x01\x00\x00\x00\x01", 9);
        n = 9;
        memset(b + n, 0, 8); b[n + 7] = 5; n += 8;            /* id 5 */
        b[n++] = 0;                                           /* flags */
        b[n++] = 0; b[n++] = 1; b[n++] = '/';                 /* namespace "/" */
        len_at = (int)n;
        b[n++] = 0; b[n++] = 0; b[n++] = 0; b[n++] = 5;       /* body length */
        memcpy(b + n, good_body, 5); n += 5;
        b[n++] = 0; b[n++] = 0;                               /* no attachments */
        if (k == 1) b[len_at + 3] = 200;                      /* the body runs past the end */
        if (k == 2) b[n - 1] = 1;                             /* an attachment with no bytes for it */
        if (k == 3) b[len_at + 4] = '{';                      /* a body that is not an array */
        if (k == 4) b[len_at - 1] = 'x';                      /* not a namespace name */
        if (k == 5) b[17] = 2;                                /* unknown flags */
        if (k == 6) memcpy(b + len_at + 4, "[\"\"] ", 5);       /* an event no emit could name */
        for (i = 0; i < n; i++) h = (h ^ b[i]) * 16777619u;
        b[n++] = (unsigned char)(h >> 24); b[n++] = (unsigned char)(h >> 16);
        b[n++] = (unsigned char)(h >> 8); b[n++] = (unsigned char)h;
        CHECK_INT(sio_queue_load(c, b, n), k == 0 ? SIO_OK : SIO_ERR_INVALID);
        if (k == 0) { sio_destroy(c); c = NULL; CHECK_INT(sio_create(&cfg, &c), SIO_OK); }
    }
    sio_destroy(c);
}

/* Engine.IO 3, an attachment trickling out in parts: a server that answers
 * every WebSocket ping and also sends events is alive.  (Its events moved
 * the heartbeat's deadline, from which the time of the last ping was worked
 * out: a pong read before that time no longer counted.) */
static void test_io_eio3_server_that_talks_and_answers_stays_while_parts_trickle(void)
{
    sio_emit_options o = one_attachment_in_parts();
    sio_event ev;
    int k, errors = 0, pings = 0;
    sio_client *c = eio3_client("http://h.test/");            /* pingInterval 300, pingTimeout 200 */
    CHECK(c != NULL);
    if (!c) return;
    server_text("40");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    CHECK_INT(sio_emit_ex(c, &o, NULL), SIO_OK);
    CHECK_INT(sio_send_begin(c, 1), SIO_OK);
    for (k = 0; k < 600 && !errors; k++) {                     /* 60 s, a part a second */
        int n;
        if (k % 10 == 0) sio_send_part(c, "\x01", 1);
        if (sio_poll(c, &ev, 100) == 1 && ev.type == SIO_EVENT_ERROR) errors++;
        n = answer_pings();
        pings += n;
        if (n) server_text("42[\"news\",1]");
    }
    CHECK_INT(errors, 0);
    CHECK(pings > 10);
    CHECK_INT(sio_get_state(c), SIO_STATE_OPEN);
    sio_destroy(c);
}

/* Engine.IO 3: a slow reader (10 KB per 100 ms) that answers every ping
 * stays after the last part too, while what waited behind the parts (its
 * "2" among it) drains for longer than pingInterval + pingTimeout. */
static void test_io_eio3_slow_reader_stays_after_the_last_part(void)
{
    static unsigned char big[10000];
    const size_t base = sizeof net.out - 10000;
    sio_client *c = eio3_with_queue(100000, NULL);
    sio_emit_options o;
    sio_event ev;
    int k, j, errors = 0, ended = 0;
    CHECK(c != NULL);
    if (!c) return;
    reader_reset();
    o = one_attachment_in_parts();
    CHECK_INT(sio_emit_ex(c, &o, NULL), SIO_OK);
    CHECK_INT(sio_send_begin(c, 1), SIO_OK);
    net.out_len = 0;
    for (k = 0; k < 80 && !errors; k++) {                      /* 8 s */
        if (k < 30) while (sio_send_part(c, big, sizeof big) == SIO_OK) {}
        else if (!ended) { CHECK_INT(sio_send_end(c), SIO_OK); ended = 1; CHECK(sio_queued_bytes(c) > 50000); }
        net.now += 100;
        net.out_len = base;
        for (j = 0; j < 3; j++)
            if (sio_poll(c, &ev, 0) == 1 && ev.type == SIO_EVENT_ERROR) errors++;
        reader_take(net.out + base, net.out_len - base);
        if (net.in_pos == net.in_len) net.in_pos = net.in_len = 0;
    }
    CHECK_INT(errors, 0);
    CHECK(reader.eio_pongs >= 1);
    CHECK_INT(sio_get_state(c), SIO_STATE_OPEN);
    sio_destroy(c);
}

/* Engine.IO 3: a server that takes no byte but keeps sending events (each
 * a sign of life to the heartbeat) is given up after pingInterval +
 * pingTimeout, as Engine.IO 4 drops one whose pong finds no room. */
static void test_io_eio3_server_that_talks_but_reads_nothing_is_given_up(void)
{
    static unsigned char big[20000];
    sio_client *c = eio3_with_queue(10000, NULL);
    sio_emit_options o = one_attachment_in_parts();
    sio_event ev;
    int k, errors = 0, closed = 0;
    CHECK(c != NULL);
    if (!c) return;
    CHECK_INT(sio_emit_ex(c, &o, NULL), SIO_OK);
    CHECK_INT(sio_send_begin(c, 1), SIO_OK);
    net.out_len = sizeof net.out;                              /* reads nothing from now on */
    for (k = 0; k < 600 && !closed; k++) {                     /* up to 60 s */
        sio_send_part(c, big, 5000);
        net.now += 100;
        if (k % 4 == 0) server_text("42[\"news\",1]");
        if (net.in_pos == net.in_len) net.in_pos = net.in_len = 0;
        if (sio_poll(c, &ev, 0) == 1) {
            if (ev.type == SIO_EVENT_ERROR) {
                errors++;
                CHECK_INT(ev.error, SIO_ERR_TIMEOUT);
                CHECK(ev.message && strstr(ev.message, "took no bytes"));
            }
            closed = ev.type == SIO_EVENT_CLOSE;
        }
    }
    CHECK_INT(errors, 1);
    CHECK(closed);
    CHECK(k < 20);                                             /* pingInterval + pingTimeout: 500 ms */
    sio_destroy(c);
}

/* Polling with reconnection on: leaving the last namespace when its
 * DISCONNECT finds the send queue full ends the connection for good (the
 * leave holds); it reconnected, to a session with no namespace. */
static void test_io_polling_leave_of_the_last_namespace_with_a_full_queue_closes(void)
{
    sio_client *c = NULL;
    sio_config cfg;
    sio_event ev;
    static char ping[9000];
    size_t q, len;
    int i, k, reconnecting = 0, closes = 0, errors = 0;
    memset(&cfg, 0, sizeof cfg);
    cfg.max_send_queue = 4000;
    c = polling_client_connected(&cfg);
    c->reconnect = SIO_RECONNECT_ON;
    for (k = 0; k < 1000 && sio_emit(c, NULL, "fill", "[\"0123456789\"]") == SIO_OK; k++) {}
    q = sio_queued_bytes(c);
    len = cfg.max_send_queue + 4096 - 1 - q;                   /* the pong fits exactly */
    ping[0] = '2';
    memset(ping + 1, 'p', len);
    box_http(0, ping, len + 1);
    for (i = 0; i < 5; i++) CHECK(sio_poll(c, &ev, 0) != 1);
    CHECK_INT(sio_leave(c, NULL), SIO_OK);                      /* the last namespace */
    for (i = 0; i < 60; i++) {
        int r = sio_poll(c, &ev, 0);
        net.now += 100;
        if (r != 1) continue;
        errors += ev.type == SIO_EVENT_ERROR;
        closes += ev.type == SIO_EVENT_CLOSE;
        reconnecting += ev.type == SIO_EVENT_RECONNECTING;
    }
    CHECK_INT(errors, 1);
    CHECK_INT(reconnecting, 0);
    CHECK_INT(closes, 1);
    sio_destroy(c);
}

/* A pass-through TLS engine that takes plaintext a record at a time, only
 * once the last record left whole (as BearSSL and mbedTLS do). */
typedef struct record_tls {
    unsigned char cipher[80000], in[20000], plain[16384];
    size_t c_len, c_at, in_len, in_at;
    int buffered;                      /* takes plaintext while less than 64 KiB of ciphertext waits (OpenSSL) */
} record_tls;
static record_tls rtls;
static void *rtls_open(void *u, const char *h, char *e, size_t n)
{
    int buffered = rtls.buffered;
    (void)u; (void)h; (void)e; (void)n;
    memset(&rtls, 0, sizeof rtls);
    rtls.buffered = buffered;
    return &rtls;
}
static void rtls_close(void *s) { (void)s; }
static unsigned char *rtls_recv_buf(void *s, size_t *room)
{
    (void)s;
    if (rtls.in_at == rtls.in_len) rtls.in_at = rtls.in_len = 0;
    *room = sizeof rtls.in - rtls.in_len;
    return *room ? rtls.in + rtls.in_len : NULL;
}
static void rtls_recv_done(void *s, size_t n) { (void)s; rtls.in_len += n; }
static const unsigned char *rtls_send_buf(void *s, size_t *n) { (void)s; *n = rtls.c_len - rtls.c_at; return *n ? rtls.cipher + rtls.c_at : NULL; }
static void rtls_send_done(void *s, size_t n) { (void)s; rtls.c_at += n; if (rtls.c_at == rtls.c_len) rtls.c_at = rtls.c_len = 0; }
static const unsigned char *rtls_read_buf(void *s, size_t *n) { (void)s; *n = rtls.in_len - rtls.in_at; return *n ? rtls.in + rtls.in_at : NULL; }
static void rtls_read_done(void *s, size_t n) { (void)s; rtls.in_at += n; }
static unsigned char *rtls_write_buf(void *s, size_t *room)
{
    int full = rtls.buffered ? rtls.c_len - rtls.c_at >= 65536 : rtls.c_len > 0;
    (void)s;
    *room = full ? 0 : sizeof rtls.plain;
    return full ? NULL : rtls.plain;
}
static void rtls_write_done(void *s, size_t n)
{
    (void)s;
    memmove(rtls.cipher, rtls.cipher + rtls.c_at, rtls.c_len - rtls.c_at);
    rtls.c_len -= rtls.c_at;
    rtls.c_at = 0;
    memcpy(rtls.cipher + rtls.c_len, rtls.plain, n);
    rtls.c_len += n;
}
static int rtls_status(void *s, char *e, size_t n) { (void)s; (void)e; (void)n; return 0; }
static const sio_tls record_tls_engine = { NULL, rtls_open, rtls_close, rtls_recv_buf, rtls_recv_done, rtls_send_buf,
                                           rtls_send_done, rtls_read_buf, rtls_read_done, rtls_write_buf, rtls_write_done,
                                           rtls_status };

/* Engine.IO 3 over TLS: a live server reading 500 bytes every 100 ms, and
 * answering every ping it reads, stays while 60 KB drain.  The TLS engine
 * takes plaintext a record at a time: the socket taking ciphertext shows
 * the reading (the plaintext alone moved in 16 KB steps, too rarely). */
/* An Engine.IO 3 client over the record TLS engine (buffered: OpenSSL's
 * way), "/" connected, pingInterval 1000 and pingTimeout 1000. */
static sio_client *eio3_over_tls(int buffered, size_t max_send_queue)
{
    sio_client *c = NULL;
    sio_config cfg;
    sio_event ev;
    int k;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "https://h.test/";
    cfg.mode = SIO_MODE_SOCKETIO;
    cfg.reconnect = SIO_RECONNECT_OFF;
    cfg.eio = 3;
    cfg.max_send_queue = max_send_queue;
    cfg.tls = &record_tls_engine;
    net_reset();
    reader_reset();
    rtls.buffered = buffered;
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    sio_start(c);
    for (k = 0; k < 5; k++) sio_poll(c, &ev, 0);
    server_accept(NULL);
    net.out_len = 0;
    server_text("0{\"sid\":\"E3\",\"upgrades\":[],\"pingInterval\":1000,\"pingTimeout\":1000}");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_OPEN);
    server_text("40");
    CHECK_INT(poll_type(c, &ev), SIO_EVENT_CONNECT);
    return c;
}

/* Emits per_step events of 550 bytes every 100 ms to a server that reads
 * 500 bytes each time (reader_take: it answers pings when reader.answer is
 * set), until an ERROR or 300 s; returns the steps, *errors the ERRORs. */
static int emit_to_a_slow_reader(sio_client *c, int per_step, int *errors)
{
    sio_event ev;
    const size_t base = sizeof net.out - 500;
    static char arg[700];
    int k, j, i;
    *errors = 0;
    arg[0] = '[';
    arg[1] = '"';
    memset(arg + 2, 'x', 550);
    strcpy(arg + 552, "\"]");
    net.out_len = 0;
    for (k = 0; k < 3000 && !*errors; k++) {
        for (i = 0; i < per_step; i++) sio_emit(c, NULL, "tick", arg);
        net.now += 100;
        net.out_len = base;
        for (j = 0; j < 3; j++)
            if (sio_poll(c, &ev, 0) == 1 && ev.type == SIO_EVENT_ERROR) (*errors)++;
        reader_take(net.out + base, net.out_len - base);
    }
    return k;
}

/* Over an engine that keeps taking plaintext while ciphertext waits
 * (OpenSSL), a server that reads but answers no ping is given up: the ping
 * counts as taken once the ciphertext held when its plaintext went in has
 * gone (the engine is never empty while the application sends). */
static void test_io_eio3_reader_that_never_answers_over_buffered_tls_is_given_up(void)
{
    sio_client *c = eio3_over_tls(1, 20000);
    int errors, k;
    reader.answer = 0;
    k = emit_to_a_slow_reader(c, 2, &errors);
    CHECK_INT(errors, 1);
    CHECK(k < 300);
    rtls.buffered = 0;
    sio_destroy(c);
}

/* A server that reads everything, answers no ping and trickles the bytes
 * of one long frame (a byte every 100 ms) is given up: only a whole packet
 * (or the pong of a WebSocket ping) answers a ping, as in the JS client,
 * not bytes of one still coming (it was kept for ever). */
static void test_io_eio3_server_trickling_one_frame_is_given_up(void)
{
    sio_event ev;
    sio_client *c = eio3_with_queue(100000, "0{\"sid\":\"E3\",\"upgrades\":[],\"pingInterval\":1000,\"pingTimeout\":1000}");
    const unsigned char head[4] = { 0x81, 126, 60000 >> 8, 60000 & 0xff };
    int k, j, errors = 0;
    CHECK(c != NULL);
    if (!c) return;
    server_send(head, sizeof head);
    for (k = 0; k < 3000 && !errors; k++) {                    /* up to 300 s */
        net.now += 100;
        server_send("4", 1);
        for (j = 0; j < 3; j++) {
            if (sio_poll(c, &ev, 0) == 1 && ev.type == SIO_EVENT_ERROR) {
                errors++;
                CHECK(strstr(ev.message, "pingInterval + pingTimeout") != NULL);
            }
            net.out_len = 0;                                   /* read, never answered */
        }
    }
    CHECK_INT(errors, 1);
    CHECK(k < 60);                                             /* a few pingInterval + pingTimeout */
    sio_destroy(c);
}

/* With receive_parts, an attachment handed over as it comes counts as a
 * packet heard only every 16 KiB: a server trickling a byte of an endless
 * attachment every 100 ms, answering no ping, is given up (each part kept
 * it, Engine.IO 3 and 4), and one sending a large attachment at 100 KB/s
 * whose pong waits behind it is kept. */
static void parts_trickle(int eio, size_t step, int expect_errors)
{
    sio_event ev;
    sio_client *c;
    static unsigned char bytes[10000];
    const unsigned char head[10] = { 0x82, 127, 0, 0, 0, 0, 0x80, 0, 0, 0 };   /* 2 GiB: fits a 32-bit size */
    int k, j, errors = 0;
    if (eio == 3) {
        c = eio3_client_ex("http://h.test/", 1, 0, "0{\"sid\":\"E3\",\"upgrades\":[],\"pingInterval\":1000,\"pingTimeout\":1000}");
        if (c) server_text("40");
    } else {
        sio_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.receive_parts = 1;
        c = io_connected_with(&cfg, "0{\"sid\":\"E4\",\"upgrades\":[],\"pingInterval\":1000,\"pingTimeout\":1000}");
    }
    CHECK(c != NULL);
    if (!c) return;
    server_text("451-[\"file\",{\"_placeholder\":true,\"num\":0}]");
    server_send(head, sizeof head);
    if (eio == 3) server_send("\x04", 1);
    memset(bytes, 'b', sizeof bytes);
    for (k = 0; k < 600 && !errors; k++) {                      /* up to 60 s */
        net.now += 100;
        if (net.in_pos == net.in_len) net.in_pos = net.in_len = 0;
        if (net.in_len + step <= sizeof net.in) server_send(bytes, step);
        for (j = 0; j < 4; j++)
            if (sio_poll(c, &ev, 0) == 1 && ev.type == SIO_EVENT_ERROR) {
                errors++;
                CHECK(strstr(ev.message, "pingInterval + pingTimeout") != NULL);
                if (!expect_errors) printf("  Engine.IO %d, %lu bytes per 100 ms, after %d ms: %s\n", eio,
                                           (unsigned long)step, k * 100, ev.message);
            }
        net.out_len = 0;                                       /* read; pings answered by none */
    }
    CHECK_INT(errors, expect_errors);
    if (expect_errors) CHECK(k < 60);
    sio_destroy(c);
}

static void test_io_attachment_parts_trickled_do_not_keep_a_silent_server(void)
{
    parts_trickle(3, 1, 1);
    parts_trickle(4, 1, 1);
    parts_trickle(3, 10000, 0);                                /* 100 KB/s: its pong waits behind it */
    parts_trickle(4, 10000, 0);
}

/* Emits with a small attachment in parts every 1.5 s do not keep a server
 * that reads everything and answers no ping: the end of the last part
 * restarts the ping's wait only when the client's ping was held behind the
 * parts, and never over a ping the socket took and no answer followed. */
static void test_io_eio3_attachments_in_parts_do_not_keep_a_silent_server(void)
{
    sio_event ev;
    sio_client *c = eio3_with_queue(100000, "0{\"sid\":\"E3\",\"upgrades\":[],\"pingInterval\":1000,\"pingTimeout\":1000}");
    sio_emit_options o = one_attachment_in_parts();
    int k, j, errors = 0;
    CHECK(c != NULL);
    if (!c) return;
    for (k = 0; k < 3000 && !errors; k++) {                    /* up to 300 s */
        if (k % 15 == 0) {
            CHECK_INT(sio_emit_ex(c, &o, NULL), SIO_OK);
            CHECK_INT(sio_send_begin(c, 1), SIO_OK);
            CHECK_INT(sio_send_part(c, "\x01\x02", 2), SIO_OK);
            CHECK_INT(sio_send_end(c), SIO_OK);
        }
        net.now += 100;
        for (j = 0; j < 3; j++) {
            if (sio_poll(c, &ev, 0) == 1 && ev.type == SIO_EVENT_ERROR) errors++;
            net.out_len = 0;                                   /* read, never answered */
        }
    }
    CHECK_INT(errors, 1);
    CHECK(k < 100);
    sio_destroy(c);
}

static void test_io_eio3_slow_reader_over_tls_stays(void)
{
    sio_client *c = eio3_over_tls(0, 100000);
    sio_event ev;
    static char arg[1100];
    const size_t base = sizeof net.out - 500;
    int k, j, errors = 0;
    arg[0] = '[';
    arg[1] = '"';
    memset(arg + 2, 'x', 1000);
    strcpy(arg + 1002, "\"]");
    for (k = 0; k < 60; k++) CHECK_INT(sio_emit(c, NULL, "big", arg), SIO_OK);
    net.out_len = 0;
    for (k = 0; k < 200 && !errors; k++) {                     /* 20 s */
        net.now += 100;
        net.out_len = base;                                     /* the server read 500 bytes */
        for (j = 0; j < 3; j++)
            if (sio_poll(c, &ev, 0) == 1 && ev.type == SIO_EVENT_ERROR) errors++;
        reader_take(net.out + base, net.out_len - base);
        if (net.in_pos == net.in_len) net.in_pos = net.in_len = 0;
    }
    CHECK_INT(errors, 0);
    CHECK(reader.eio_pongs >= 5);
    CHECK_INT(sio_get_state(c), SIO_STATE_OPEN);
    sio_destroy(c);
}

/* Engine.IO 3, no attachments: a server that reads (slowly) but answers no
 * ping is given up once it has taken a ping and pingTimeout passed; its
 * reading alone kept it for ever. */
static void test_io_eio3_reader_that_never_answers_is_given_up(void)
{
    sio_client *c = eio3_with_queue(20000, "0{\"sid\":\"E3\",\"upgrades\":[],\"pingInterval\":1000,\"pingTimeout\":1000}");
    int k, errors;
    CHECK(c != NULL);
    if (!c) return;
    memset(&reader, 0, sizeof reader);
    k = emit_to_a_slow_reader(c, 1, &errors);
    CHECK_INT(errors, 1);
    CHECK(reader.pings_seen >= 1);
    CHECK(k < 100);                                             /* within a few pingInterval + pingTimeout */
    sio_destroy(c);
}

/* Leaving a namespace whose emits fill the send queue: the DISCONNECT has
 * the room those emits leave (they were counted first: SIO_ERR_FULL, when
 * a server that reads nothing had had its pong take the slack). */
static void test_io_leave_has_the_room_of_the_queue_it_drops(void)
{
    sio_config cfg;
    sio_event ev;
    sio_client *c;
    static char ping[9000];
    size_t len;
    int k, full = 0;
    memset(&cfg, 0, sizeof cfg);
    cfg.max_send_queue = 4000;
    c = io_connected(&cfg);
    CHECK(c != NULL);
    if (!c) return;
    net.out_len = sizeof net.out;                               /* the server reads nothing */
    CHECK_INT(sio_join(c, "/a", NULL), SIO_OK);
    for (k = 0; k < 5; k++) sio_poll(c, &ev, 0);
    for (k = 0; k < 1000 && sio_emit(c, "/a", "fill", "[\"0123456789\"]") == SIO_OK; k++) {}
    CHECK(k > 30);                                              /* each counted with its record */
    len = cfg.max_send_queue + 4096 - 1 - sio_queued_bytes(c) - c->socketio.namespaces.queued_bytes - 8;
    ping[0] = '2';                                              /* its pong takes the slack */
    memset(ping + 1, 'p', len);
    server_frame(1, SIO_WS_TEXT, ping, len + 1);
    for (k = 0; k < 5; k++) sio_poll(c, &ev, 0);
    CHECK_INT(sio_leave(c, "/a"), SIO_OK);
    for (k = 0; k < 5; k++)
        if (sio_poll(c, &ev, 0) == 1 && ev.type == SIO_EVENT_ERROR && ev.error == SIO_ERR_FULL) full++;
    CHECK_INT(full, 0);
    CHECK_INT(sio_get_state(c), SIO_STATE_OPEN);
    sio_destroy(c);
}

int main(void)
{
    (void)open_client;                 /* the WebSocket tests' helper */
    RUN(test_io_handshake_uses_engine_path_and_query);
    RUN(test_io_empty_path_is_the_default_path);
    RUN(test_io_open_packet_gives_open_event_and_connects_url_namespace);
    RUN(test_io_event_fields);
    RUN(test_io_steady_state_has_no_allocations);
    RUN(test_io_emits_wait_for_connect_reply_in_order);
    RUN(test_io_emit_validates_name_and_args);
    RUN(test_io_ping_is_answered_with_pong);
    RUN(test_io_ping_behind_a_burst_is_answered_once_and_early);
    RUN(test_io_emit_over_max_payload_is_refused);
    RUN(test_io_max_payload_counts_the_framing);
    RUN(test_io_queued_emit_over_max_payload_fails_its_ack);
    RUN(test_io_pings_ahead_answer_each_payload_once);
    RUN(test_io_ping_ahead_after_the_buffer_shrank);
    RUN(test_io_closing_does_not_spin_on_the_heartbeat);
    RUN(test_io_held_events_wait_without_spinning);
    RUN(test_io_refused_namespace_ends_the_acks_of_its_queued_emits);
    RUN(test_io_queued_emits_that_cannot_be_sent_are_reported);
    RUN(test_io_memory_is_exact_around_binary_packets);
    RUN(test_io_ping_timeout_disconnects);
    RUN(test_io_binary_event_reassembled);
    RUN(test_io_attachments_in_parts);
    RUN(test_io_attachments_sent_in_parts);
    RUN(test_io_attachments_sent_in_parts_bounds);
    RUN(test_io_stop_waits_for_attachments_in_parts);
    RUN(test_io_every_close_waits_for_attachments_in_parts);
    RUN(test_io_stop_leaves_namespaces_still_connecting);
    RUN(test_io_attachment_parts_go_when_the_queue_is_full_behind_them);
    RUN(test_io_join_after_a_deferred_leave_keeps_the_connection);
    RUN(test_io_nothing_follows_our_close_frame);
    RUN(test_io_parts_and_what_waits_behind_them_have_a_send_queue_each);
    RUN(test_io_deferred_close_ends_when_the_parts_stop_coming);
    RUN(test_io_pings_are_answered_while_what_waited_behind_parts_drains);
    RUN(test_io_eio3_notices_a_dead_server_while_parts_are_open);
    RUN(test_io_join_and_leave_count_against_the_send_queue);
    RUN(test_io_eio3_slow_reader_stays_while_parts_drain);
    RUN(test_io_drain_allowance_does_not_carry_over);
    RUN(test_io_eio3_server_that_talks_and_answers_stays_while_parts_trickle);
    RUN(test_io_eio3_slow_reader_stays_after_the_last_part);
    RUN(test_io_eio3_server_that_talks_but_reads_nothing_is_given_up);
    RUN(test_io_polling_leave_of_the_last_namespace_with_a_full_queue_closes);
    RUN(test_io_eio3_slow_reader_over_tls_stays);
    RUN(test_io_eio3_reader_that_never_answers_over_buffered_tls_is_given_up);
    RUN(test_io_eio3_attachments_in_parts_do_not_keep_a_silent_server);
    RUN(test_io_eio3_server_trickling_one_frame_is_given_up);
    RUN(test_io_attachment_parts_trickled_do_not_keep_a_silent_server);
    RUN(test_io_memory_stays_within_its_bound_at_every_limit);
    RUN(test_io_events_not_polled_stop_new_work);
    RUN(test_io_eio3_reader_that_never_answers_is_given_up);
    RUN(test_io_leave_has_the_room_of_the_queue_it_drops);
    RUN(test_io_polling_attachments_in_parts);
    RUN(test_io_polling_nothing_follows_the_close_packet);
    RUN(test_io_polling_step_ends_with_a_request_out);
    RUN(test_io_attachment_in_parts_in_little_memory);
    RUN(test_io_early_event_in_parts_is_held_whole);
    RUN(test_io_undelivered_binary_packet_leaves_the_next_intact);
    RUN(test_io_binary_emit_and_ack_with_attachments);
    RUN(test_io_server_ack_request_is_answered);
    RUN(test_io_ack_timeout_and_unknown_ack_ignored);
    RUN(test_io_retries_send_in_order_and_resend_on_timeout);
    RUN(test_io_retries_resend_after_a_reconnection);
    RUN(test_io_queue_save_and_load);
    RUN(test_io_queue_load_checks_every_length);
    RUN(test_io_retries_do_not_pile_up_behind_a_full_socket);
    RUN(test_io_queue_load_refuses_an_id_twice);
    RUN(test_io_subscriptions_filter_events);
    RUN(test_io_subscribe_joins_second_namespace);
    RUN(test_io_connect_error_with_data);
    RUN(test_io_server_disconnect_closes_when_last_namespace);
    RUN(test_io_stop_disconnects_namespaces_then_closes);
    RUN(test_io_parse_errors);
    RUN(test_io_polling_in_memory_and_pongs_bounded);
    RUN(test_io_upgrade_probe_answers_a_ping_before_3probe);
    RUN(test_io_paused_probe_does_not_spin);
    RUN(test_io_upgrade_probe_pongs_are_bounded);
    RUN(test_io_polling_links_reuse_the_resolved_address);
    RUN(test_io_every_allocation_failing_still_ends_in_one_close);
    RUN(test_io_client_against_the_server_model);
    RUN(test_io_every_allocation_failing_against_the_server_model);
    RUN(test_io_attachments_together_are_bounded_by_max_message);
    RUN(test_io_placeholder_check_cases);
    RUN(test_io_placeholder_num_out_of_range_is_a_parse_error);
    RUN(test_heartbeat_engine_by_time);
    RUN(test_polling_engine_alone);
    RUN(test_engineio_engine_alone);
    RUN(test_acks_engine_alone);
    RUN(test_binary_engine_alone);
    RUN(test_namespaces_engine_alone);
    RUN(test_io_pongs_count_against_the_send_queue);
    RUN(test_io_ping_after_emits_filled_the_queue_is_answered);
    RUN(test_io_pending_acks_fail_when_connection_drops);
    RUN(test_io_attachments_over_limit_are_a_parse_error);
    RUN(test_io_placeholder_out_of_range_is_a_parse_error);
    RUN(test_io_text_while_collecting_attachments_is_a_parse_error);
    RUN(test_io_ping_between_attachments_is_fine);
    RUN(test_io_connect_timeout_covers_the_open_packet);
    RUN(test_io_deep_json_is_a_parse_error);
    RUN(test_io_restart_rejoins_namespaces);
    RUN(test_io_reconnect_keeps_offline_emits_and_rejoins);
    RUN(test_io_new_credentials_while_reconnecting);
    RUN(test_io_set_query_after_a_redirect_keeps_the_url_query);
    RUN(test_io_reconnect_backoff_grows_then_gives_up);
    RUN(test_io_no_reconnect_after_server_disconnect_or_stop);
    RUN(test_io_connection_state_recovery);
    RUN(test_io_eio3_implicit_connect_and_client_pings);
    RUN(test_io_eio3_binary_frames_carry_a_type_byte);
    RUN(test_io_eio3_attachment_in_parts);
    RUN(test_io_eio3_pings_wait_behind_attachments);
    RUN(test_io_eio3_namespace_error_packet);
    return TEST_REPORT();
}
