/* ---------------------------------------------------------------------- */
/* upgrade: from long-polling to a WebSocket of the same Engine.IO session */
/* ---------------------------------------------------------------------- */

/* The probe: a WebSocket with the session's sid.  After its handshake it
 * sends "2probe", waits for "3probe" (answering pings that come first),
 * then pauses; the client sends "5" and switches once polling is idle. */
enum { SIO__PROBE_NONE, SIO__PROBE_CONNECTING, SIO__PROBE_HANDSHAKE, SIO__PROBE_PONG, SIO__PROBE_PAUSE,
       SIO__PROBE_FAILED };

typedef struct sio__upgrade {
    sio__link link;                    /* the probe's connection */
    int state;                         /* SIO__PROBE_* */
    uint64_t deadline;                 /* the probe gives up then, unless paused */
} sio__upgrade;

#if SIO__WITH_POLLING   /* SIO_NO_POLLING leaves the upgrade out */
/* The probe's connect began at now; it has timeout_ms to reach the pause. */
static void sio__upgrade_begin(sio__upgrade *u, uint64_t now, int timeout_ms)
{
    u->state = SIO__PROBE_CONNECTING;
    u->deadline = now + (uint64_t)(timeout_ms > 0 ? timeout_ms : 10000);
}

/* When the probe gives up, unless it paused (it then waits for polling to
 * finish its exchanges); 0: no deadline. */
static uint64_t sio__upgrade_deadline(const sio__upgrade *u)
{
    return u->state > SIO__PROBE_NONE && u->state < SIO__PROBE_PAUSE ? u->deadline : 0;
}

static int sio__upgrade_expired(const sio__upgrade *u, uint64_t now)
{
    uint64_t d = sio__upgrade_deadline(u);
    return d && now >= d;
}

/* The server's frames on the probe up to its "3probe": 1 once it came, 0
 * while more bytes are needed, -1 for anything else.  Pings may come
 * first (RFC 6455 5.5.2: at any time after the handshake) and are
 * answered; pongs are ignored. */
static int sio__upgrade_frames(sio__websocket *ws, sio__system *sys, sio__link *l)
{
    sio_ws_frame f;
    const unsigned char *p;
    int r;
    while ((r = sio_ws_peek_frame(l->rx + l->rx_start, l->rx_len - l->rx_start, &f, &p)) == 1) {
        const void *payload = p;
        size_t n = (size_t)f.length;
        if (f.masked || (f.rsv & (ws->deflate_on && f.opcode < 8 ? 3u : 7u)) || !f.fin) return -1;
        l->rx_start += f.header_len + n;
        if (f.opcode == SIO_WS_PING && n <= 125) {
            /* a server whose pings outrun what it reads of the pongs fails the probe (the
             * pongs would pile up without bound); a socket that takes them is flushed each step */
            if ((l->write_blocked && l->tx_len - l->tx_sent > SIO__PONG_SLACK) ||
                sio__websocket_frame(ws, sys, l, SIO_WS_PONG, &payload, &n, 1) != SIO_OK)
                return -1;
        } else if (f.opcode != SIO_WS_PONG || n > 125) {
            if (f.rsv) {                        /* a compressed "3probe", inflated to keep the history */
                sio_ws_message m;
                memset(&m, 0, sizeof m);
                m.opcode = (int)f.opcode;
                m.data = p;
                m.len = n;
                m.compressed = 1;
                if (f.opcode >= 8 || sio__websocket_inflate(ws, &m) != SIO__WS_MESSAGE) return -1;
                p = m.data;
                n = m.len;
            }
            return f.opcode == SIO_WS_TEXT && n == 6 && memcmp(p, "3probe", 6) == 0 ? 1 : -1;
        }
    }
    return r < 0 ? -1 : 0;
}

/* Reads the probe's link (its request sent or being sent): the handshake
 * checked with ws, "2probe" queued and flushed, frames up to "3probe".
 * Returns 1 once paused, 0 while waiting for bytes, -1 when the probe
 * failed. */
static int sio__upgrade_receive(sio__upgrade *u, sio__system *sys, sio__websocket *ws, size_t max_handshake)
{
    const void *probe = "2probe";
    size_t six = 6;
    char text[SIO__TEXT_SIZE], err[128];
    sio__link *l = &u->link;
    int r, reads;
    long n;
    if (u->state == SIO__PROBE_PAUSE) {
        /* What comes while paused is kept for the WebSocket after the switch,
         * but taken off the socket (and out of TLS), a read a step: left
         * there it would wake the pump again and again until the switch. */
        if (l->rx_len - l->rx_start >= max_handshake) return -1;
        err[0] = 0;
        n = sio__link_read(sys, l, 0, err, sizeof err);
        return n > 0 || n == SIO_ERR_AGAIN ? 1 : -1;   /* the server's end or an error: no switch */
    }
    /* every pass looks at what is buffered before it reads, and the loop
     * ends only after a look: bytes read last never wait for the socket */
    for (reads = 0;; reads++) {
        if (u->state == SIO__PROBE_HANDSHAKE) {
            r = sio__websocket_handshake(ws, l, max_handshake, text, sizeof text);
            if (r < 0) return -1;
            if (r == 1) {                         /* frames behind the head are looked at below */
                if (sio__websocket_frame(ws, sys, l, SIO_WS_TEXT, &probe, &six, 1) != SIO_OK ||
                    sio__link_flush(sys, l, text, sizeof text) != 0)
                    return -1;
                u->state = SIO__PROBE_PONG;
            }
        }
        if (u->state == SIO__PROBE_PONG && l->rx_len > l->rx_start) {
            if ((r = sio__upgrade_frames(ws, sys, l)) < 0) return -1;
            if (r == 1) u->state = SIO__PROBE_PAUSE;   /* no new GET or POST from now on */
        }
        if (u->state == SIO__PROBE_PAUSE) return 1;
        if (l->rx_len - l->rx_start >= max_handshake) return -1;   /* what is left: pings were taken */
        if (reads >= 3) return 0;                 /* every read was looked at */
        err[0] = 0;
        n = sio__link_read(sys, l, 0, err, sizeof err);
        if (n == SIO_ERR_AGAIN) return 0;
        if (n <= 0) return -1;
    }
}
#endif
