/* ---------------------------------------------------------------------- */
/* engineio: the Engine.IO session over any transport                      */
/* ---------------------------------------------------------------------- */

/* An engine without I/O: packets come in one at a time with the time, and
 * sio__eio_receive says what each asks of the client above (answer a
 * ping, hand a Socket.IO packet up, end the session).  The heartbeat's
 * timers live here too. */
typedef struct sio__engineio {
    int version;                       /* 4, or 3: client pings, length-prefixed payloads, Socket.IO v4 */
    int open;                          /* the open packet came */
    sio_eio_open session;              /* what it said: sid, pingInterval, pingTimeout, ... */
    sio__heartbeat heartbeat;
    unsigned pings_ahead;              /* pings answered ahead of their turn (sio__eio_ping_ahead) */
} sio__engineio;

/* What a packet asks of the client (sio__eio_receive). */
enum {
    SIO__EIO_NOTHING,                  /* handled here (a pong, a noop, a ping answered ahead) */
    SIO__EIO_OPENED,                   /* the session opened: session holds its parameters */
    SIO__EIO_CLOSED,                   /* the server ends the session */
    SIO__EIO_PONG_WANTED,              /* answer "3" with the packet's payload */
    SIO__EIO_PACKET,                   /* a Socket.IO packet (text) */
    SIO__EIO_ATTACHMENT,               /* a binary attachment (raw bytes) */
    SIO__EIO_BASE64_ATTACHMENT,        /* a binary attachment in base64 ("b...": polling in b64 mode) */
    SIO__EIO_ERROR                     /* the server broke the protocol: *why says how */
};

#if SIO__WITH_SOCKETIO   /* SIO_NO_SOCKETIO leaves Engine.IO out */
/* The session is over (the transport went away): nothing open, no timers. */
static void sio__eio_end(sio__engineio *e)
{
    e->open = 0;
    e->pings_ahead = 0;
    sio__heartbeat_stop(&e->heartbeat);
}

static int sio__eio_open_packet(sio__engineio *e, const unsigned char *data, size_t len, uint64_t now, const char **why)
{
    if (e->open) return SIO__EIO_NOTHING;
    if (sio_eio_parse_open((const char *)data, len, &e->session, why) != SIO_OK) return SIO__EIO_ERROR;
    e->open = 1;
    sio__heartbeat_start(&e->heartbeat, e->version == 3, e->session.ping_interval, e->session.ping_timeout, now);
    return SIO__EIO_OPENED;
}

/* One message of the transport at time now (whole: 0 for the first part
 * of an attachment handed over in parts).  *data and *len are moved to
 * what the verdict is about: the payload after the packet type (a ping's
 * payload, the Socket.IO packet, the base64 text) or the raw attachment. */
static int sio__eio_receive(sio__engineio *e, int binary, int whole, const unsigned char **data, size_t *len,
                            uint64_t now, const char **why)
{
    const unsigned char *p = *data;
    int type;
    if (binary) {
        if (e->open && whole) sio__heartbeat_heard(&e->heartbeat, now);
        else if (e->open) sio__heartbeat_heard_part(&e->heartbeat, now, *len);
        if (e->version == 3) {                 /* type byte 4 (message) first */
            if (*len < 1 || p[0] != 4) {
                *why = "eio: Engine.IO 3 binary message without its type byte 4";
                return SIO__EIO_ERROR;
            }
            (*data)++;
            (*len)--;
        }
        return SIO__EIO_ATTACHMENT;
    }
    if (*len == 0) {
        *why = "eio: empty packet";
        return SIO__EIO_ERROR;
    }
    if (e->open) sio__heartbeat_heard(&e->heartbeat, now);
    type = p[0] >= '0' && p[0] <= '6' ? p[0] - '0' : -1;
    (*data)++;
    (*len)--;
    if (p[0] == 'b') return SIO__EIO_BASE64_ATTACHMENT;
    switch (type) {
    case SIO_EIO_OPEN:
        return sio__eio_open_packet(e, *data, *len, now, why);
    case SIO_EIO_CLOSE:
        return SIO__EIO_CLOSED;
    case SIO_EIO_PING:                        /* Engine.IO 4: the server's heartbeat, answered at once */
        if (e->pings_ahead) {
            e->pings_ahead--;
            return SIO__EIO_NOTHING;
        }
        if (!e->open) return SIO__EIO_NOTHING;
        sio__heartbeat_pinged(&e->heartbeat, now);
        return SIO__EIO_PONG_WANTED;
    case SIO_EIO_PONG:                        /* Engine.IO 3: the answer to our ping */
        if (e->open) sio__heartbeat_ponged(&e->heartbeat, now);
        return SIO__EIO_NOTHING;
    case SIO_EIO_NOOP:
        return SIO__EIO_NOTHING;
    case SIO_EIO_MESSAGE:
        if (e->open) return SIO__EIO_PACKET;
        *why = "eio: message before the open packet";
        return SIO__EIO_ERROR;
    default:
        *why = "eio: unknown packet type";
        return SIO__EIO_ERROR;
    }
}

/* Whether pings still waiting behind other messages are answered now,
 * ahead of their turn (so a burst the application is still working
 * through cannot make pingTimeout expire).  Engine.IO 4 only: in 3 the
 * client pings. */
static int sio__eio_looks_ahead(const sio__engineio *e)
{
    return e->open && e->version != 3;
}

static int sio__eio_is_ping(const unsigned char *text, size_t len)
{
    return len >= 1 && text[0] == '0' + SIO_EIO_PING;
}

/* The client answered such a ping: it is skipped when its turn comes. */
static void sio__eio_ping_ahead(sio__engineio *e, uint64_t now)
{
    sio__heartbeat_pinged(&e->heartbeat, now);
    e->pings_ahead++;
}

/* What the heartbeat needs at now (SIO__HEARTBEAT_*), and when to ask next
 * (0: never). */
static int sio__eio_due(sio__engineio *e, uint64_t now)
{
    return e->open ? sio__heartbeat_due(&e->heartbeat, now) : SIO__HEARTBEAT_NOTHING;
}

static uint64_t sio__eio_deadline(const sio__engineio *e)
{
    return sio__heartbeat_deadline(&e->heartbeat);
}
#endif
