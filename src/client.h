/* ---------------------------------------------------------------------- */
/* client                                                                  */
/* ---------------------------------------------------------------------- */

typedef struct sio_client sio_client;

/* Zero means "default" for every field. */
typedef struct sio_config {
    const char *url;                 /* ws://host:port/path?query (copied) */
    const char *name;                /* connection name, reported in events (copied) */
    unsigned short port;             /* overrides the URL's port when not 0 */
    const char *const *headers;      /* extra handshake headers "Name: value" */
    size_t header_count;
    const char *const *protocols;    /* Sec-WebSocket-Protocol offers, SIO_MAX_PROTOCOL bytes each */
    size_t protocol_count;
    size_t max_message;              /* largest message accepted: 16 MiB */
    size_t max_handshake;            /* largest HTTP response head: 16 KiB */
    size_t max_send_queue;           /* bytes queued for writing: 64 MiB */
    size_t send_fragment_size;       /* split outgoing messages into frames of
                                        this payload size; 0 = never split */
    int connect_timeout_ms;          /* TCP connect + handshake: 10000; < 0 none */
    int close_timeout_ms;            /* waiting for the peer's close: 5000 */
    sio_allocator allocator;
    const sio_platform *platform;    /* NULL: sio_platform_default() */
    const sio_tls *tls;              /* TLS backend for wss:// and https://; NULL: refused */
    void *user_data;                 /* handed back in every event */
    /* Socket.IO (mode SIO_MODE_SOCKETIO) */
    int mode;                        /* SIO_MODE_WEBSOCKET (0) or SIO_MODE_SOCKETIO */
    const char *path;                /* Engine.IO path: "/socket.io/" */
    const char *const *query;        /* extra handshake query parameters "k=v" */
    size_t query_count;
    const char *auth;                /* CONNECT auth JSON object for the URL's namespace */
    size_t max_attachments;          /* binary attachments per packet: 10, as socket.io */
    size_t max_namespaces;           /* namespaces joined at once: 32 */
    size_t max_pending_acks;         /* emits waiting for an ack: 1024 */
    unsigned max_json_depth;         /* nesting accepted from the server: 64 */
    /* Socket.IO reconnection (the JS client's Manager and its defaults) */
    int reconnect;                   /* SIO_RECONNECT_ON (0, the default) or SIO_RECONNECT_OFF */
    unsigned reconnect_attempts;     /* attempts before giving up: 0 = no limit */
    int reconnect_delay_ms;          /* first delay, doubled per attempt: 1000 */
    int reconnect_delay_max_ms;      /* 5000 */
    int reconnect_jitter_pct;        /* randomization factor in percent: 50; < 0 none */
    int transport;                   /* SIO_TRANSPORT_WEBSOCKET (0), _POLLING or _AUTO */
    int eio;                         /* Engine.IO revision: 4 (0 = default), or 3 for Socket.IO
                                        1.x/2.x servers and 3.x/4.x servers with allowEIO3 */
    const char *dns_server;          /* "IP[:port]" to ask instead of the system's nameservers */
} sio_config;

/* Socket.IO transports: WebSocket only (the default here), HTTP long-polling
 * only (for proxies that block WebSocket), or polling first and then an
 * upgrade to WebSocket (the JS client's default). */
enum { SIO_TRANSPORT_WEBSOCKET = 0, SIO_TRANSPORT_POLLING = 1, SIO_TRANSPORT_AUTO = 2 };

enum { SIO_RECONNECT_ON = 0, SIO_RECONNECT_OFF = 1 };

enum { SIO_MODE_WEBSOCKET = 0, SIO_MODE_SOCKETIO = 1 };

/* Bytes of a binary attachment. */
typedef struct sio_bytes {
    const unsigned char *data;
    size_t len;
} sio_bytes;

typedef enum sio_event_type {
    SIO_EVENT_NONE = 0,
    SIO_EVENT_OPEN,      /* handshake done; sends are allowed */
    SIO_EVENT_MESSAGE,   /* one whole message */
    SIO_EVENT_CLOSE,     /* the connection is gone */
    SIO_EVENT_ERROR,     /* something failed; for the connection a CLOSE follows */
    /* Socket.IO mode */
    SIO_EVENT_CONNECT,       /* a namespace connected: ns, sid (On Socket.IO Start for the URL's) */
    SIO_EVENT_CONNECT_ERROR, /* a namespace was refused: ns, message, args = the data JSON or "null" */
    SIO_EVENT_DISCONNECT,    /* a namespace is gone: ns, reason ("io server disconnect", ...) */
    SIO_EVENT_EVENT,         /* an event arrived: ns, event_name, args, data, attachments, ack_id */
    SIO_EVENT_ACK,           /* the answer to an emit with ack: ns, ack_id, args, attachments;
                                error SIO_ERR_TIMEOUT or SIO_ERR_CLOSED when it cannot come */
    SIO_EVENT_RECONNECTING,  /* the connection was lost (or not made): attempt N in delay_ms */
    SIO_EVENT_RECONNECT,     /* a new session opened after attempt N (instead of OPEN); the
                                namespaces that were connected get CONNECT again */
    SIO_EVENT_RECONNECT_FAILED /* reconnect_attempts used up; CLOSE follows */
} sio_event_type;

typedef struct sio_event {
    sio_event_type type;
    sio_client *client;
    const char *name;             /* sio_config.name, "" if none */
    void *user_data;
    /* MESSAGE */
    int binary;                   /* 0 text (valid UTF-8), 1 binary */
    const unsigned char *data;    /* valid until the next poll; data[len] == 0 */
    size_t len;
    /* OPEN */
    const char *protocol;         /* subprotocol the server chose, "" if none */
    /* CLOSE */
    int code;                     /* close code; 1006 when no close frame, 1005 none given */
    int clean;                    /* 1 if both close frames were exchanged */
    /* ERROR (and ACK, CONNECT_ERROR) */
    int error;                    /* sio_status */
    const char *message;          /* human sentence / connect_error message, NUL-terminated */
    /* Socket.IO events; strings NUL-terminated, valid until the next poll.
     * For EVENT, data/len hold the first argument as text (a string's
     * unescaped value, other values as JSON). */
    const char *ns;               /* namespace, "" for connection-wide events */
    const char *event_name;       /* EVENT: the name (a numeric name as its digits) */
    const char *args;             /* EVENT/ACK: JSON array of the arguments, without the name */
    size_t args_len;
    const char *sid;              /* CONNECT: the Socket.IO id; OPEN: the Engine.IO id */
    const char *reason;           /* CLOSE and DISCONNECT */
    const sio_bytes *attachments; /* EVENT/ACK: binary attachments, by placeholder num */
    size_t attachment_count;
    int64_t ack_id;               /* EVENT: id to answer with sio_ack(), -1 none; ACK: the emit's id */
    int attempt;                  /* RECONNECTING, RECONNECT: attempt number, from 1 */
    int delay_ms;                 /* RECONNECTING: wait before the attempt */
    int recovered;                /* CONNECT: the server restored the session (state recovery);
                                     missed events follow */
} sio_event;

typedef enum sio_state {
    SIO_STATE_IDLE = 0,          /* created or closed; sio_start() allowed */
    SIO_STATE_CONNECTING,
    SIO_STATE_OPEN,
    SIO_STATE_CLOSING,
    SIO_STATE_RECONNECTING       /* waiting before the next reconnection attempt */
} sio_state;

SIO_API int sio_create(const sio_config *cfg, sio_client **out);
SIO_API void sio_destroy(sio_client *c);                 /* at any time */
/* SIO_ERR_STATE unless idle, or while a CLOSE the event queue had no
 * memory for is still to be polled. */
SIO_API int sio_start(sio_client *c);
SIO_API int sio_stop(sio_client *c);                     /* close 1000 */
SIO_API int sio_close(sio_client *c, int code, const char *reason);
SIO_API int sio_send_text(sio_client *c, const char *text, size_t len);  /* must be UTF-8 */
SIO_API int sio_send_binary(sio_client *c, const void *data, size_t len);
SIO_API int sio_send_ping(sio_client *c, const void *data, size_t len); /* <= 125 bytes */

/* Does pending work; returns 1 with *ev filled, 0 if no event came within
 * timeout_ms (0: do not block; -1: wait forever), or a negative status for
 * bad arguments. */
SIO_API int sio_poll(sio_client *c, sio_event *ev, int timeout_ms);
/* The same over a few clients (an array): the next event of any of them. */
SIO_API int sio_poll_clients(sio_client *const *clients, size_t count, sio_event *ev, int timeout_ms);
/* Deprecated (0.x only): the old name of sio_poll_clients, easily taken
 * for sio_set_poll (a sio_set).  It stays until 1.0. */
SIO_API int sio_poll_set(sio_client *const *clients, size_t count, sio_event *ev, int timeout_ms);

/* Sets: many clients driven from one thread (thousands).  A client belongs
 * to at most one set; all of a set's clients share one platform.
 * sio_set_poll returns the next event of any client, like sio_poll_clients,
 * but a wake-up costs work only for the clients that are ready (epoll on
 * Linux, a timer heap).  sio_destroy() takes a client out of its set. */
typedef struct sio_set sio_set;
SIO_API int sio_set_create(const sio_allocator *alloc, sio_set **out);   /* alloc NULL: default */
SIO_API int sio_set_add(sio_set *s, sio_client *c);
SIO_API int sio_set_remove(sio_set *s, sio_client *c);
SIO_API int sio_set_poll(sio_set *s, sio_event *ev, int timeout_ms);
SIO_API size_t sio_set_count(const sio_set *s);
SIO_API void sio_set_destroy(sio_set *s);               /* after removing or destroying its clients */

/* Socket.IO mode.  ns NULL means the URL's namespace.  Every call only
 * queues: packets for a namespace wait (in order) until its CONNECT reply. */
SIO_API int sio_join(sio_client *c, const char *ns, const char *auth_json);   /* connect a namespace */
SIO_API int sio_leave(sio_client *c, const char *ns);                         /* "io client disconnect" */
/* args_json: a JSON array of the arguments after the event name, or NULL. */
SIO_API int sio_emit(sio_client *c, const char *ns, const char *event, const char *args_json);
/* An event with one string argument. */
SIO_API int sio_emit_string(sio_client *c, const char *ns, const char *event, const char *message);

typedef struct sio_emit_options {
    const char *ns;               /* NULL: the URL's namespace */
    const char *event;
    const char *args;             /* JSON array or NULL; binary values as {"_placeholder":true,"num":N} */
    const sio_bytes *attachments; /* attachment N for placeholder N */
    size_t attachment_count;
    int ack;                      /* ask for an ack: an SIO_EVENT_ACK follows */
    int ack_timeout_ms;           /* with ack: 0 = wait as long as the connection lives */
    int is_volatile;              /* drop instead of queueing when not connected */
} sio_emit_options;
/* Returns SIO_OK (and the ack id when asked), SIO_ERR_INVALID (reserved or
 * empty name, args not a JSON array), SIO_ERR_FULL (queue or ack limits). */
SIO_API int sio_emit_ex(sio_client *c, const sio_emit_options *o, int64_t *ack_id);
/* Answers an EVENT whose ack_id >= 0 (at most once). */
SIO_API int sio_ack(sio_client *c, const sio_event *ev, const char *args_json,
                    const sio_bytes *attachments, size_t attachment_count);
/* Subscriptions: while a namespace has subscriptions only
 * those events are delivered; without any, every event is (catch-all).
 * Subscribing joins the namespace if needed. */
SIO_API int sio_subscribe(sio_client *c, const char *ns, const char *event);
SIO_API int sio_unsubscribe(sio_client *c, const char *ns, const char *event);

SIO_API sio_socket sio_socket_of(const sio_client *c);   /* SIO_INVALID_SOCKET if none */
SIO_API int sio_wants_write(const sio_client *c);
/* Every socket the client uses now, with the readiness it waits for (the
 * polling transport uses two, three while upgrading): for loops that wait
 * themselves.  Returns how many items were filled (at most max). */
SIO_API size_t sio_sockets(const sio_client *c, sio_wait_item *items, size_t max);
#define SIO_MAX_SOCKETS 3         /* per client: polling GET and POST, and an upgrade being tried */
SIO_API int sio_next_timeout_ms(const sio_client *c);    /* -1: no timer pending */
SIO_API sio_state sio_get_state(const sio_client *c);
SIO_API const char *sio_name(const sio_client *c);
SIO_API size_t sio_queued_bytes(const sio_client *c);
/* Heap bytes this client holds now (not counting a TLS backend's session).
 * Buffers grow with the traffic and shrink back to a few KiB when idle. */
SIO_API size_t sio_memory(const sio_client *c);

