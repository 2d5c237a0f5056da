/* ---------------------------------------------------------------------- */
/* heartbeat: the Engine.IO session's timers                               */
/* ---------------------------------------------------------------------- */

/* An engine without I/O: the time comes in as an argument, and
 * sio__heartbeat_due says what the session needs at that time (send a ping,
 * or give up on the server); sio__heartbeat_deadline says when to ask next.
 * Engine.IO 4: the server pings every pingInterval and the client answers;
 * a server silent for pingInterval + pingTimeout is gone.  Engine.IO 3:
 * the client pings every pingInterval; a pong must come within
 * pingTimeout. */
typedef struct sio__heartbeat {
    int client_pings;             /* Engine.IO 3 */
    uint64_t interval, timeout;   /* pingInterval, pingTimeout (ms) */
    uint64_t deadline;            /* nothing heard by then: the server is gone (0: not running) */
    uint64_t next_ping;           /* Engine.IO 3: when to ping (0: a pong is awaited) */
    uint64_t asked_at;            /* Engine.IO 3: when the ping whose answer is awaited went */
    uint64_t heard_at;            /* when the last whole packet came (bytes of one still coming are no sign:
                                     a server can trickle them for ever) */
    uint64_t part_bytes;          /* of attachments in parts since then (sio__heartbeat_heard_part) */
} sio__heartbeat;

#define SIO__HEARD_PART_BYTES 16384   /* attachment bytes in parts that count as a packet heard */

enum { SIO__HEARTBEAT_NOTHING, SIO__HEARTBEAT_PING, SIO__HEARTBEAT_TIMEOUT };

#if SIO__WITH_SOCKETIO   /* SIO_NO_SOCKETIO leaves Engine.IO out */
/* The open packet came: interval and timeout from it (ms, at most a day). */
static void sio__heartbeat_start(sio__heartbeat *h, int client_pings, long interval, long timeout, uint64_t now)
{
    h->client_pings = client_pings;
    h->interval = (uint64_t)interval;
    h->timeout = (uint64_t)timeout;
    h->deadline = now + h->interval + h->timeout;
    h->next_ping = client_pings ? now + h->interval : 0;
}

static void sio__heartbeat_stop(sio__heartbeat *h)
{
    memset(h, 0, sizeof *h);
}

/* Any packet proves the server alive: one busy with a burst sends its
 * ping late, behind the burst (Engine.IO 3: until the next pong is due). */
static void sio__heartbeat_heard(sio__heartbeat *h, uint64_t now)
{
    uint64_t alive = now + h->timeout + (h->client_pings ? h->interval : 0);
    if (h->deadline && alive > h->deadline) h->deadline = alive;
    h->heard_at = now;
    h->part_bytes = 0;
}

/* len more bytes of an attachment handed over in parts (receive_parts):
 * its end may be far off, so every SIO__HEARD_PART_BYTES of it count as a
 * packet heard, and a server that trickles a byte at a time is not kept
 * for ever by it, nor one that sends a large attachment given up. */
static void sio__heartbeat_heard_part(sio__heartbeat *h, uint64_t now, size_t len)
{
    h->part_bytes += len;
    if (h->part_bytes >= SIO__HEARD_PART_BYTES) sio__heartbeat_heard(h, now);
}

/* A whole frame that carries no packet (the WebSocket pong to the ping
 * sio__eio3_websocket_ping sent) answers a ping all the same. */
static void sio__heartbeat_heard_frame(sio__heartbeat *h, uint64_t now)
{
    h->heard_at = now;
}

/* Engine.IO 3: a ping of another kind went (a WebSocket ping, while the
 * client's own waits behind attachments): an answer is due in pingTimeout. */
static uint64_t sio__heartbeat_wait(const sio__heartbeat *h) { return h->timeout ? h->timeout : 1; }

static void sio__heartbeat_asked(sio__heartbeat *h, uint64_t now)
{
    if (!h->deadline) return;
    h->deadline = now + sio__heartbeat_wait(h);   /* a pingTimeout of 0 must not spin */
    h->asked_at = now;
}

/* When the ping whose answer is awaited went (not derived from the
 * deadline: any packet heard moves that on). */
static uint64_t sio__heartbeat_asked_at(const sio__heartbeat *h) { return h->asked_at; }

/* The server's ping (Engine.IO 4): the next is due within an interval. */
static void sio__heartbeat_pinged(sio__heartbeat *h, uint64_t now)
{
    if (h->deadline) h->deadline = now + h->interval + h->timeout;
}

/* The server's pong (Engine.IO 3): the next ping in an interval. */
static void sio__heartbeat_ponged(sio__heartbeat *h, uint64_t now)
{
    if (h->client_pings && h->deadline && !h->next_ping) h->next_ping = now + h->interval;
}

/* What is due at now: SIO__HEARTBEAT_PING (send one; its pong is awaited
 * from now on), SIO__HEARTBEAT_TIMEOUT (the server is gone), or nothing. */
static int sio__heartbeat_due(sio__heartbeat *h, uint64_t now)
{
    if (!h->deadline) return SIO__HEARTBEAT_NOTHING;
    if (h->next_ping && now >= h->next_ping) {
        h->next_ping = 0;
        h->deadline = now + h->timeout;
        h->asked_at = now;
        return SIO__HEARTBEAT_PING;
    }
    return now >= h->deadline ? SIO__HEARTBEAT_TIMEOUT : SIO__HEARTBEAT_NOTHING;
}

/* When sio__heartbeat_due has something next; 0: never. */
static uint64_t sio__heartbeat_deadline(const sio__heartbeat *h)
{
    return h->next_ping && h->next_ping < h->deadline ? h->next_ping : h->deadline;
}
#endif
