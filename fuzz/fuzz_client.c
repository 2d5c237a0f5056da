/* Drives a whole client (WebSocket or Socket.IO) through the sans-I/O core
 * with an in-memory transport: after a valid handshake the fuzzer supplies
 * the server's bytes, interleaved with API calls, clock jumps and polls.
 * Input: byte 0 picks the mode (an odd length adds retries, or messages in
 * parts; Socket.IO lengths 2 mod 4 take attachments in parts); then records
 * of <op> <len> <bytes...>. */
#define SIO_IMPLEMENTATION
#include "sio.h"
#include "mem_platform.h"
#include <stdlib.h>

static void feed(const uint8_t *p, size_t n)
{
    if (net.in_len + n > sizeof net.in) {            /* keep the window small: drop what was read */
        memmove(net.in, net.in + net.in_pos, net.in_len - net.in_pos);
        net.in_len -= net.in_pos;
        net.in_pos = 0;
        if (net.in_len + n > sizeof net.in) n = sizeof net.in - net.in_len;
    }
    memcpy(net.in + net.in_len, p, n);
    net.in_len += n;
}

/* The client offers permessage-deflate, and the harness's own 101 agrees
 * (RSV1 frames are then inflated); the fuzzer's 101 says what it likes.
 * Byte 0 picks the client:
 *   bit 0  Socket.IO (else WebSocket)      bit 1  the harness opens Engine.IO and /admin
 *   bit 2  reconnection on                 bit 3  the fuzzer answers the handshake (op 7)
 *   bits 4-5  Socket.IO transport: 1 polling, 2 polling then upgrade (else WebSocket)
 *   bit 6  Engine.IO 3                     bit 7  subscribed to "want" on /admin
 * With bit 3, byte 1 sets the length of a second offered subprotocol (at
 * most 255 + 64 bytes, so over-long offers are tried too).
 * Over polling every connection (GET, POST, upgrade probe) has its own
 * inbox: raw bytes, frames and answers go to the inbox their first byte
 * picks (its bits 0-1; for frames bit 2 makes them binary; op 7: an HTTP
 * 200 with the rest as body, or with the top bit of that byte, the 101 for
 * the handshake made on that connection). */
static void open_polling(int eio, int upgrade)
{
    char body[160];
    int n = snprintf(body, sizeof body, "0{\"sid\":\"F\",\"upgrades\":[%s],\"pingInterval\":100,\"pingTimeout\":100}",
                     upgrade ? "\"websocket\"" : "");
    if (eio == 3) {
        char v3[180];
        int m = snprintf(v3, sizeof v3, "%d:%s", n, body);
        box_http(0, v3, (size_t)m);
    } else {
        box_http(0, body, (size_t)n);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sio_client *c = NULL;
    sio_config cfg;
    sio_event ev;
    size_t pos = 1;
    int socketio, own_handshake, multi, deaf = 0, polls = 0;
    char offer[64 + 256];
    const char *protocols[2];
    if (size < 1) return 0;
    socketio = data[0] & 1;
    own_handshake = (data[0] & 8) != 0;
    multi = socketio && ((data[0] >> 4) & 3) != 0 && ((data[0] >> 4) & 3) != 3;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = socketio ? "http://fuzz.test/admin" : "ws://fuzz.test/x";
    cfg.mode = socketio ? SIO_MODE_SOCKETIO : SIO_MODE_WEBSOCKET;
    cfg.reconnect = (data[0] & 4) ? SIO_RECONNECT_ON : SIO_RECONNECT_OFF;
    cfg.eio = (data[0] & 64) ? 3 : 4;
    cfg.transport = !multi ? SIO_TRANSPORT_WEBSOCKET : ((data[0] >> 4) & 3) == 1 ? SIO_TRANSPORT_POLLING
                                                                                 : SIO_TRANSPORT_AUTO;
    cfg.max_message = 4096;
    cfg.max_send_queue = 4096;
    cfg.max_pending_acks = 16;
    cfg.max_namespaces = 4;
    cfg.retries = socketio && (size & 1) ? 2 : 0;   /* odd inputs: at-least-once emits, resent on timeouts */
    cfg.receive_parts = socketio ? (size & 3) == 2 : (size & 1);   /* messages or attachments in parts */
    cfg.ack_timeout_ms = 50;
    cfg.deflate = SIO_DEFLATE_ON;            /* agreed below, or whatever the fuzzer's 101 says */
    if (own_handshake && size >= 2) {
        size_t n = 64 + (size_t)data[1];
        memset(offer, 'p', n);
        offer[n] = 0;
        protocols[0] = "chat";
        protocols[1] = offer;
        cfg.protocols = protocols;
        cfg.protocol_count = 2;
        pos = 2;
    }
    net_reset();
    net.multi = multi;
    if (sio_create(&cfg, &c) != SIO_OK) return 0;   /* an over-long offer is refused here */
    if (socketio && (data[0] & 128)) sio_subscribe(c, "/admin", "want");
    sio_start(c);
    sio_poll(c, &ev, 0);
    if (multi) {
        if (data[0] & 2) {
            open_polling(cfg.eio, cfg.transport == SIO_TRANSPORT_AUTO);
            sio_poll(c, &ev, 0);
        }
    } else {
        if (!own_handshake) server_accept("Sec-WebSocket-Extensions: permessage-deflate\r\n");
        if (socketio && (data[0] & 2)) {
            static const char open4[] = "0{\"sid\":\"F\",\"pingInterval\":100,\"pingTimeout\":100}";
            if (own_handshake) server_accept("Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n");
            server_frame(1, SIO_WS_TEXT, open4, sizeof open4 - 1);
            if (cfg.eio == 3) server_frame(1, SIO_WS_TEXT, "40", 2);
            server_frame(1, SIO_WS_TEXT, "40/admin,{\"sid\":\"S\"}", 20);
        }
    }
    while (pos + 2 <= size) {
        int op = data[pos] % 8;
        size_t n = data[pos + 1];
        const uint8_t *p = data + pos + 2;
        if (pos + 2 + n > size) n = size - pos - 2;
        pos += 2 + n;
        if (multi && n > 0 && (op <= 2 || op == 7)) {            /* to one connection's inbox */
            int box = p[0] & 3;
            if (op == 2) {
                unsigned char frame[300];
                size_t m = sio_ws_encode(frame, 1, (p[0] & 4) ? SIO_WS_BINARY : SIO_WS_TEXT, p + 1, n - 1, NULL);
                box_send(box, frame, m);
            } else if (op == 7 && (p[0] & 0x80)) {
                if (net.sim.link[box].key[0]) box_accept(box);
            } else if (op == 7) {
                box_http(box, p + 1, n - 1);
            } else {
                box_send(box, p + 1, n - 1);
            }
            op = -1;
        }
        switch (op) {
        case -1: break;
        case 0: case 1: feed(p, n); break;                       /* raw server bytes */
        case 2: server_frame(1, (data[pos - 1] & 1) ? SIO_WS_BINARY : SIO_WS_TEXT, p, n); break;
        case 3:
            if (socketio) {
                char args[300];
                memcpy(args, p, n);
                args[n] = 0;
                sio_emit(c, (n & 1) ? "/admin" : NULL, "ev", args);
                sio_subscribe(c, "/admin", (n & 2) ? "x" : "y");
                if (n & 4) {                                     /* attachments in parts, ended or not */
                    sio_emit_options o;
                    memset(&o, 0, sizeof o);
                    o.event = "up";
                    o.attachment_count = 1 + (n & 1);
                    o.ack = (n & 16) != 0;
                    sio_emit_ex(c, &o, NULL);
                    sio_send_begin(c, 1);
                    sio_send_part(c, p, n);
                    if (n & 8) sio_send_end(c);
                }
            } else {
                sio_send_text(c, (const char *)p, n);
                sio_send_binary(c, p, n);
                sio_send_begin(c, n & 1);                        /* a message in parts, ended or not */
                sio_send_part(c, p, n);
                if (n & 2) sio_send_end(c);
            }
            break;
        case 4: net.now += n * 10; break;                        /* timers */
        case 5:
            if (n == 7) sio_stop(c);
            else if (n == 9) net.eof = net.sim.link[0].eof = net.sim.link[1].eof = net.sim.link[2].eof = net.sim.link[3].eof = 1;
            else if (n == 11) deaf = !deaf;                      /* the server stops (starts) reading */
            break;
        case 6: if (sio_get_state(c) == SIO_STATE_IDLE) sio_start(c); break;
        case 7:                                                  /* the 101, selecting an offer */
            if (own_handshake) {
                char extra[700];
                size_t k = n < 300 ? n : 300;
                snprintf(extra, sizeof extra, "Sec-WebSocket-Protocol: %s\r\n%.*s", (n & 1) ? offer : "chat",
                         (int)k, (const char *)p);
                server_accept(extra);
            }
            break;
        }
        while (sio_poll(c, &ev, 0) == 1 && polls++ < 100000) {
            if (ev.type == SIO_EVENT_EVENT && ev.ack_id >= 0) sio_ack(c, &ev, "[1]", NULL, 0);
            if (ev.type == SIO_EVENT_MESSAGE && ev.data[ev.len] != 0) abort();
            if (ev.type == SIO_EVENT_ATTACHMENT && (ev.attachment_index >= ev.attachment_count || !ev.ns)) abort();
        }
        /* Whatever the server sends, the client queues no more than the
         * send limit plus its small control frames (pongs, close, CONNECT). */
        if (sio__backlog(c) > cfg.max_send_queue + 4096 + 1024) abort();
        net.out_len = deaf ? sizeof net.out : 0;                  /* the server reads everything, or nothing */
    }
    sio_destroy(c);
    (void)open_client;
    (void)client_frame;
    (void)poll_type;
    return 0;
}
