/* ---------------------------------------------------------------------- */
/* client                                                                  */
/* ---------------------------------------------------------------------- */

typedef struct sio_client sio_client;
typedef struct sio_set sio_set;   /* many clients in one thread: set.h */

/* Zero means "default" for every field. */
#define SIO_HANDSHAKE_BODY_MAX 512     /* sio_handshake: the most of a refusal's body kept */

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
    int close_timeout_ms;            /* waiting for the peer's close: 5000; also how long a close
                                        waits for the next part of an attachment (sio_send_begin) */
    /* keepalive, plain WebSocket only (Engine.IO has its own heartbeat) */
    int ping_interval_ms;            /* a ping every this many ms: 0 (the default) or < 0: none */
    int pong_timeout_ms;             /* nothing read within this after a ping: the connection is
                                        dead (ERROR SIO_ERR_TIMEOUT, CLOSE 1006): 0 = 10000; < 0 never */
    sio_allocator allocator;
    const sio_platform *platform;    /* NULL: sio_platform_default() */
    const sio_tls *tls;              /* TLS backend for wss:// and https://; NULL: with
                                        a bundled backend (SIO_WITH_BEARSSL, _OPENSSL, _MBEDTLS) one the client
                                        makes (system trust store), else refused */
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
    int reconnect;                   /* SIO_RECONNECT_DEFAULT (0: on for Socket.IO, off for WebSocket),
                                        SIO_RECONNECT_ON or SIO_RECONNECT_OFF */
    unsigned reconnect_attempts;     /* attempts before giving up: 0 = no limit */
    int reconnect_delay_ms;          /* first delay, doubled per attempt: 1000 */
    int reconnect_delay_max_ms;      /* 5000 */
    int reconnect_jitter_pct;        /* randomization factor in percent: 50; < 0 none */
    int reconnect_queue;             /* WebSocket with reconnection: SIO_RECONNECT_QUEUE (0): messages
                                        sent while not connected wait for the next connection, within
                                        max_send_queue; SIO_RECONNECT_REFUSE: refused (SIO_ERR_STATE) */
    int transport;                   /* SIO_TRANSPORT_WEBSOCKET (0), _POLLING or _AUTO */
    int try_all_transports;          /* 1: a WebSocket refused in a way polling may get through (an
                                        HTTP answer other than 101, or dropped during the handshake:
                                        a proxy that does not pass upgrades) falls back to polling
                                        for the rest of the run (the JS client's tryAllTransports) */
    int remember_upgrade;            /* 1 with _AUTO: after an upgrade succeeded, reconnections start
                                        on WebSocket (falling back to polling if it is refused) */
    int eio;                         /* Engine.IO revision: 4 (0 = default), or 3 for Socket.IO
                                        1.x/2.x servers and 3.x/4.x servers with allowEIO3 */
    const char *dns_server;          /* "IP[:port]" to ask instead of the system's nameservers */
    const char *proxy;               /* every connection through it: "http://[user:password@]host[:port]"
                                        (CONNECT), "socks5://..." (names resolved here), "socks5h://..."
                                        (names resolved by the proxy); "host:port" alone is
                                        http://; NULL: none.  Unusable: sio_create says SIO_ERR_PROXY */
    const char *no_proxy;            /* hosts reached directly: "localhost,.corp.example,10.0.0.0/8,[::1]:8080" */
    int proxy_from_environment;      /* 1: with proxy NULL, read http_proxy or https_proxy (by the URL's
                                        scheme), then all_proxy, and no_proxy, lower case first */
    int max_redirects;               /* 301/302/303/307/308 answers to the handshake followed per
                                        connection: 0 = 5; < 0: none (the answer is an error) */
    int keep_handshake;              /* 1: keep the accepted handshake's response for sio_handshake
                                        (a refused one is always kept) */
    /* permessage-deflate (RFC 7692), for WebSocket and Socket.IO over WebSocket */
    int deflate;                     /* SIO_DEFLATE_OFF (0, the default) or SIO_DEFLATE_ON: offer it.
                                        Off by default: it costs CPU, and the server's history
                                        (up to 32 KiB per connection) unless the server keeps none */
    int deflate_window_bits;         /* the largest server window accepted, 9..15 (0 = 15): the history
                                        kept per connection between messages is 1 << bits bytes */
    int deflate_no_context_takeover; /* 1: ask the server to compress each message on its own, so no
                                        history is kept between messages */
    size_t deflate_threshold;        /* messages shorter than this go out uncompressed: 0 = 128 */
    /* at-least-once emits (Socket.IO; the JS client's retries and ackTimeout) */
    int retries;                     /* > 0: every emit but a volatile one asks the server for an ack
                                        and is kept until it comes; a namespace's emits go one at a
                                        time, in order; an emit whose ack did not come within
                                        ack_timeout_ms, or whose connection was lost, is sent again
                                        (RETRY event), up to retries times, then given up (ACK with
                                        SIO_ERR_TIMEOUT).  0 (the default): sent once */
    int ack_timeout_ms;              /* with retries: how long each try waits for its ack; 0: until
                                        the connection is lost */
    /* WebSocket messages of any size in little memory */
    int receive_parts;               /* 1 (plain WebSocket): MESSAGE events hand each message over in
                                        parts as its bytes arrive (offset, final), never assembled,
                                        so max_message does not bound it and reads stay small
                                        (16 KiB); text is checked as UTF-8 across the parts.  A
                                        compressed message still comes whole, within max_message.
                                        Socket.IO: an EVENT or ACK with attachments comes at once
                                        (attachments NULL), its attachments after it as ATTACHMENT
                                        events, each in parts over WebSocket (whole over polling,
                                        or when compressed), never held together */
} sio_config;

/* Offering permessage-deflate (sio_config.deflate).  The client compresses
 * each message on its own (client_no_context_takeover) and sends one
 * uncompressed when compressing would not shrink it.  In a SIO_NO_DEFLATE
 * build it is never offered. */
enum { SIO_DEFLATE_OFF = 0, SIO_DEFLATE_ON = 1 };

/* Socket.IO transports: WebSocket only (the default here), HTTP long-polling
 * only (for proxies that block WebSocket), or polling first and then an
 * upgrade to WebSocket (the JS client's default). */
enum { SIO_TRANSPORT_WEBSOCKET = 0, SIO_TRANSPORT_POLLING = 1, SIO_TRANSPORT_AUTO = 2 };

/* Reconnection after a lost connection (or one not made), with backoff:
 * RECONNECTING, then RECONNECT instead of OPEN, or RECONNECT_FAILED and
 * CLOSE when reconnect_attempts are used up.  Only sio_stop/sio_close end
 * it. */
enum { SIO_RECONNECT_DEFAULT = 0, SIO_RECONNECT_OFF = 1, SIO_RECONNECT_ON = 2 };
enum { SIO_RECONNECT_QUEUE = 0, SIO_RECONNECT_REFUSE = 1 };

enum { SIO_MODE_WEBSOCKET = 0, SIO_MODE_SOCKETIO = 1 };

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
                                error SIO_ERR_TIMEOUT or SIO_ERR_CLOSED when it cannot come
                                (with retries: for every emit given up, asked for an ack or not) */
    SIO_EVENT_RECONNECTING,  /* the connection was lost (or not made): attempt N in delay_ms;
                                code, clean and reason of what ended it */
    SIO_EVENT_RECONNECT,     /* a new connection opened after attempt N (instead of OPEN); the
                                namespaces that were connected get CONNECT again; WebSocket:
                                protocol, and the messages queued meanwhile go out first */
    SIO_EVENT_RECONNECT_FAILED, /* reconnect_attempts used up; CLOSE follows */
    SIO_EVENT_PONG,          /* WebSocket: the server's pong: data/len its payload; rtt_ms */
    SIO_EVENT_RETRY,         /* an emit with retries is sent again: ns, ack_id (the emit's id), attempt
                                (the retry, from 1), reason (why the last try got no answer) */
    SIO_EVENT_ATTACHMENT     /* receive_parts: a part of an attachment of the EVENT or ACK just
                                delivered: ns, ack_id (the EVENT's, or the emit's), attachment_index
                                of attachment_count, data/len, offset, final.  They all come,
                                also after sio_leave meanwhile */
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
    uint64_t offset;              /* MESSAGE with receive_parts: the message's bytes before this part */
    int final;                    /* MESSAGE: the message ends with this part (always 1 without
                                     receive_parts); a text part may end inside a character */
    /* OPEN, RECONNECT */
    const char *protocol;         /* subprotocol the server chose, "" if none */
    /* CLOSE (and RECONNECTING) */
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
    const char *reason;           /* CLOSE, RECONNECTING and DISCONNECT */
    const sio_bytes *attachments; /* EVENT/ACK: binary attachments, by placeholder num (NULL with
                                     receive_parts: ATTACHMENT events follow, in order) */
    size_t attachment_count;
    size_t attachment_index;      /* ATTACHMENT: whose part this is (the placeholder's num) */
    int64_t ack_id;               /* EVENT: id to answer with sio_ack(), -1 none; ACK: the emit's id */
    int attempt;                  /* RECONNECTING, RECONNECT: attempt number, from 1; RETRY: the
                                     retry, from 1; ACK of an emit with retries: the tries it took */
    int delay_ms;                 /* RECONNECTING: wait before the attempt */
    int recovered;                /* CONNECT: the server restored the session (state recovery);
                                     missed events follow */
    int rtt_ms;                   /* PONG: ms since the keepalive ping it answers; -1 for any
                                     other pong (one for sio_send_ping, or unasked) */
} sio_event;

typedef enum sio_state {
    SIO_STATE_IDLE = 0,          /* created or closed; sio_start() allowed */
    SIO_STATE_CONNECTING,
    SIO_STATE_OPEN,
    SIO_STATE_CLOSING,
    SIO_STATE_RECONNECTING       /* waiting before the next reconnection attempt */
} sio_state;
