/* An in-process Engine.IO 4 + Socket.IO 5 server on the in-memory
 * platform's connections (mem_platform.h with net.multi): it reads what
 * the client wrote on each connection and answers as a socket.io server
 * would, over long-polling (handshake, held GETs, POSTs), the upgrade
 * probe, and WebSocket.  A client that asks for Engine.IO 3 over WebSocket
 * meets a socket.io 2 server instead (Socket.IO 4: "/" connected by the
 * server, CONNECT replies without a sid, the client's pings answered,
 * binary frames after a 0x04 byte).  Tests drive the real client against it without
 * scripting every byte, so the path the client takes may change (an
 * allocation failing, a reconnection) and the server still follows.
 *
 * With echo set it is a plain WebSocket echo server instead.
 *
 * The model: one session at a time (sim_server_drop ends it, as a server
 * restart would); every namespace is accepted and greeted with an event and
 * a binary event; an EVENT with an ack id is acked with ["ok"]; events are
 * counted.  Include after mem_platform.h. */
#ifndef SIO_SIM_SERVER_H
#define SIO_SIM_SERVER_H

typedef struct sim_server {
    int sessions;                 /* handshakes answered (the sid is "S<n>") */
    int ws_box;                   /* the connection carrying WebSocket frames, -1: none */
    int ws_upgraded;              /* "5" received: the WebSocket is the transport */
    int held_get;                 /* a long-poll GET waiting for packets, -1: none */
    char pending[8192];           /* packets for the next long-poll answer, 0x1e between them */
    size_t pending_len;
    size_t read[4];               /* how far each connection's writes were read */
    unsigned serial[4];           /* the connection read[] is about */
    int websocket[4];             /* the connection was switched to WebSocket */
    int events, acks_sent, connects, closes, upgrades;
    int offer_upgrade;            /* "upgrades":["websocket"] in the open packet */
    void (*on_packet)(const char *p, size_t n);   /* sees every EVENT the client sent */
    int refuse_namespaces;        /* CONNECT to a namespace other than "/" gets CONNECT_ERROR */
    int echo;                     /* a plain WebSocket echo server instead (any path) */
    int eio3;                     /* the session is Engine.IO 3 (over WebSocket) */
    int pongs;                    /* Engine.IO 3: the client's pings answered */
    int echoed;                   /* messages echoed */
} sim_server;

static inline void sim_server_init(sim_server *s, int offer_upgrade)
{
    memset(s, 0, sizeof *s);
    s->ws_box = s->held_get = -1;
    s->offer_upgrade = offer_upgrade;
}

static inline void sim_ws_text(int box, const char *text)
{
    unsigned char f[1024];
    size_t n = strlen(text);
    if (n > sizeof f - 16) return;
    box_send(box, f, sio_ws_encode(f, 1, SIO_WS_TEXT, text, n, NULL));
}

/* A packet for the client: on the WebSocket once upgraded, else in the
 * held GET's answer or the next one's. */
static inline void sim_server_send(sim_server *s, const char *packet)
{
    size_t n = strlen(packet);
    if (s->ws_box >= 0 && s->ws_upgraded) { sim_ws_text(s->ws_box, packet); return; }
    if (s->pending_len + n + 1 > sizeof s->pending) return;     /* a slow reader loses packets, as a test would see */
    if (s->pending_len) s->pending[s->pending_len++] = 0x1e;
    memcpy(s->pending + s->pending_len, packet, n);
    s->pending_len += n;
    if (s->held_get >= 0 && net.box[s->held_get].open) {
        box_http(s->held_get, s->pending, s->pending_len);
        s->pending_len = 0;
        s->held_get = -1;
    }
}

/* An attachment for the client: a binary frame, or "b<base64>" over polling. */
static inline void sim_server_send_binary(sim_server *s, const unsigned char *data, size_t len)
{
    char text[128];
    if (len > 64) return;
    if (s->ws_box >= 0 && s->ws_upgraded) {
        unsigned char f[128], v3[72];
        if (s->eio3) {                                          /* the packet type first */
            v3[0] = 4;
            memcpy(v3 + 1, data, len);
            data = v3;
            len++;
        }
        box_send(s->ws_box, f, sio_ws_encode(f, 1, SIO_WS_BINARY, data, len, NULL));
        return;
    }
    text[0] = 'b';
    text[1 + sio_base64_encode(data, len, text + 1)] = 0;
    sim_server_send(s, text);
}

static inline void sim_server_open(sim_server *s, int box, int over_websocket, int eio3)
{
    char open[256];
    s->sessions++;
    s->ws_upgraded = over_websocket;        /* WebSocket only: it is the transport from the start */
    s->eio3 = eio3;
    s->pending_len = 0;
    s->held_get = -1;
    snprintf(open, sizeof open, "0{\"sid\":\"S%d\",\"upgrades\":[%s],\"pingInterval\":25000,\"pingTimeout\":20000%s}",
             s->sessions, s->offer_upgrade && !over_websocket ? "\"websocket\"" : "", eio3 ? "" : ",\"maxPayload\":1000000");
    if (over_websocket) sim_ws_text(box, open);
    else box_http(box, open, strlen(open));
    if (eio3) {                             /* Socket.IO 4: the server connects "/" itself */
        s->connects++;
        sim_server_send(s, "40");
        snprintf(open, sizeof open, "42[\"welcome\",%d]", s->connects);
        sim_server_send(s, open);
    }
}

/* One Engine.IO packet from the client (text; binary attachments are
 * counted with their packet and otherwise ignored). */
static inline void sim_server_packet(sim_server *s, int box, const char *p, size_t n)
{
    char reply[128];
    if (n == 6 && memcmp(p, "2probe", 6) == 0) {
        sim_ws_text(box, "3probe");
        if (s->held_get >= 0 && net.box[s->held_get].open) {   /* polling pauses: its GET ends */
            box_http(s->held_get, "6", 1);
            s->held_get = -1;
        }
        return;
    }
    if (n == 1 && p[0] == '5') {
        s->ws_upgraded = 1;
        s->upgrades++;
        if (s->pending_len) {                                    /* what waited goes on the WebSocket */
            size_t a = 0, b;
            for (b = 0; b <= s->pending_len; b++)
                if (b == s->pending_len || s->pending[b] == 0x1e) {
                    char one[1024];
                    if (b - a < sizeof one) { memcpy(one, s->pending + a, b - a); one[b - a] = 0; sim_ws_text(box, one); }
                    a = b + 1;
                }
            s->pending_len = 0;
        }
        return;
    }
    if (n == 1 && p[0] == '1') { s->closes++; sim_server_send(s, "1"); return; }
    if (s->eio3 && n >= 1 && p[0] == '2') {                     /* Engine.IO 3: the client pings */
        snprintf(reply, sizeof reply, "3%.*s", (int)(n - 1 < 100 ? n - 1 : 100), p + 1);
        s->pongs++;
        sim_server_send(s, reply);
        return;
    }
    if (n < 2 || p[0] != '4') return;                            /* pongs, noops */
    if (p[1] == '0') {                                           /* CONNECT "40" or "40/ns," */
        size_t k = 2;
        s->connects++;
        while (k < n && p[k] != ',' && p[k] != '{') k++;
        if (s->refuse_namespaces && k > 2) {
            snprintf(reply, sizeof reply, s->eio3 ? "44%.*s\"refused\"" : "44%.*s{\"message\":\"refused\"}",
                     (int)(k - 2 + (k < n && p[k] == ',')), p + 2);
            sim_server_send(s, reply);
            return;
        }
        if (s->eio3)                                             /* Socket.IO 4: no sid in the reply */
            snprintf(reply, sizeof reply, "40%.*s", (int)(k - 2 + (k < n && p[k] == ',')), p + 2);
        else
            snprintf(reply, sizeof reply, "40%.*s{\"sid\":\"N%d\"}", (int)(k - 2 + (k < n && p[k] == ',')), p + 2,
                     s->connects);
        sim_server_send(s, reply);
        snprintf(reply, sizeof reply, "42%.*s[\"welcome\",%d]", (int)(k - 2 + (k < n && p[k] == ',')), p + 2,
                 s->connects);
        sim_server_send(s, reply);
        snprintf(reply, sizeof reply, "451-%.*s[\"bin\",{\"_placeholder\":true,\"num\":0}]",
                 (int)(k - 2 + (k < n && p[k] == ',')), p + 2);
        sim_server_send(s, reply);
        sim_server_send_binary(s, (const unsigned char *)"\x01\x02\x03", 3);
    } else if (p[1] == '2' || p[1] == '5') {                     /* EVENT, BINARY_EVENT: 4<type>[N-][/ns,][id][...] */
        size_t k = 2, ns, ns_end, id;
        s->events++;
        if (s->on_packet) s->on_packet(p, n);
        if (p[1] == '5') {
            while (k < n && p[k] >= '0' && p[k] <= '9') k++;
            if (k < n && p[k] == '-') k++;
        }
        ns = ns_end = k;
        if (k < n && p[k] == '/') {
            while (k < n && p[k] != ',') k++;
            ns_end = k < n ? ++k : k;
        }
        id = k;
        while (k < n && p[k] >= '0' && p[k] <= '9') k++;
        if (k > id && k - id < 18) {
            snprintf(reply, sizeof reply, "43%.*s%.*s[\"ok\"]", (int)(ns_end - ns), p + ns, (int)(k - id), p + id);
            s->acks_sent++;
            sim_server_send(s, reply);
        }
    }
}

/* The body of a POST: packets separated by 0x1e ("b..." are binary). */
static inline void sim_server_payload(sim_server *s, int box, const char *body, size_t n)
{
    size_t a = 0, b;
    for (b = 0; b <= n; b++)
        if (b == n || body[b] == 0x1e) {
            if (b > a && body[a] != 'b') sim_server_packet(s, box, body + a, b - a);
            a = b + 1;
        }
}

/* WebSocket frames the client wrote on box (masked). */
static inline void sim_server_frames(sim_server *s, int box)
{
    struct mem_box *x = &net.box[box];
    sio_ws_frame f;
    static unsigned char payload[1 << 15];
    while (s->read[box] < x->out_len &&
           sio_ws_parse_header(&f, x->out + s->read[box], x->out_len - s->read[box], NULL) == 1 &&
           f.header_len + f.length <= x->out_len - s->read[box]) {
        memcpy(payload, x->out + s->read[box] + f.header_len, (size_t)f.length);
        sio_ws_mask(payload, (size_t)f.length, f.mask, 0);
        s->read[box] += f.header_len + (size_t)f.length;
        if (s->echo && (f.opcode == SIO_WS_TEXT || f.opcode == SIO_WS_BINARY)) {
            static unsigned char back[(1 << 15) + 16];
            if (f.fin && f.length <= 1 << 15) {                /* whole messages only, as the sim sends */
                box_send(box, back, sio_ws_encode(back, 1, f.opcode, payload, (size_t)f.length, NULL));
                s->echoed++;
            }
        } else if (f.opcode == SIO_WS_TEXT) sim_server_packet(s, box, (const char *)payload, (size_t)f.length);
        else if (f.opcode == SIO_WS_PING) {
            unsigned char pong[160];
            box_send(box, pong, sio_ws_encode(pong, 1, SIO_WS_PONG, payload, (size_t)f.length, NULL));
        } else if (f.opcode == SIO_WS_CLOSE) {
            unsigned char close[8];
            box_send(box, close, sio_ws_encode(close, 1, SIO_WS_CLOSE, "\x03\xe8", 2, NULL));
            x->eof = 1;
            s->closes++;
        }
    }
}

/* HTTP requests the client wrote on box: the handshake, long-poll GETs,
 * POSTs and WebSocket handshakes (a probe when it carries the sid). */
static inline void sim_server_requests(sim_server *s, int box)
{
    struct mem_box *x = &net.box[box];
    while (!s->websocket[box] && s->read[box] < x->out_len) {
        const char *req = (const char *)x->out + s->read[box], *end, *cl;
        size_t avail = x->out_len - s->read[box], head, body = 0;
        char line[256];
        for (end = req; end + 4 <= req + avail && memcmp(end, "\r\n\r\n", 4) != 0; end++) {}
        if (end + 4 > req + avail) return;                       /* not all there yet */
        head = (size_t)(end - req) + 4;
        for (cl = req; cl + 16 < end && memcmp(cl, "Content-Length: ", 16) != 0; cl++) {}
        if (cl + 16 < end) body = (size_t)strtoul(cl + 16, NULL, 10);
        if (head + body > avail) return;
        snprintf(line, sizeof line, "%.*s", (int)((const char *)memchr(req, '\r', head) - req), req);
        s->read[box] += head + body;
        if (strncmp(line, "POST ", 5) == 0) {
            box_http(box, "ok", 2);
            sim_server_payload(s, box, req + head, body);
        } else if (s->echo) {
            box_accept(box);
            s->websocket[box] = 1;
            s->sessions++;
        } else if (strstr(line, "transport=websocket")) {
            box_accept(box);
            s->websocket[box] = 1;
            s->ws_box = box;
            if (!strstr(line, "sid=")) sim_server_open(s, box, 1, strstr(line, "EIO=3") != NULL);
        } else if (!strstr(line, "sid=")) {
            sim_server_open(s, box, 0, 0);
        } else if (s->pending_len) {
            box_http(box, s->pending, s->pending_len);
            s->pending_len = 0;
        } else {
            s->held_get = box;
        }
    }
}

/* Reads and answers everything the client wrote since the last call. */
static inline void sim_server_step(sim_server *s)
{
    int i;
    for (i = 0; i < 4; i++) {
        if (!net.box[i].open) continue;
        if (s->serial[i] != net.box[i].serial) {                 /* a new connection in this box */
            s->serial[i] = net.box[i].serial;
            s->read[i] = 0;
            s->websocket[i] = 0;
            if (s->ws_box == i) s->ws_box = -1;
            if (s->held_get == i) s->held_get = -1;
        }
        sim_server_requests(s, i);
        if (s->websocket[i]) sim_server_frames(s, i);
    }
}

/* The server disconnects a namespace ("/" or "/name"). */
static inline void sim_server_kick(sim_server *s, const char *ns)
{
    char packet[128];
    snprintf(packet, sizeof packet, "41%s%s", strcmp(ns, "/") ? ns : "", strcmp(ns, "/") ? "," : "");
    sim_server_send(s, packet);
}

/* The server goes away (a restart): every connection ends, the session too. */
static inline void sim_server_drop(sim_server *s)
{
    int i;
    for (i = 0; i < 4; i++)
        if (net.box[i].open) net.box[i].eof = 1;
    s->ws_box = s->held_get = -1;
    s->ws_upgraded = 0;
    s->pending_len = 0;
}

#endif
