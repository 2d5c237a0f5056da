/* sio.h - WebSocket (RFC 6455) and Socket.IO client in portable C99.
 *
 * Single-header library: declarations are always visible; the implementation
 * is compiled in exactly one translation unit that defines SIO_IMPLEMENTATION
 * before including this file.  The platform files (sio_impl_posix.c,
 * sio_impl_win32.c) do that for you, so the usual build is:
 *
 *     cc -c sio_impl_posix.c          # the library
 *     cc app.c sio_impl_posix.o       # your program, which includes "sio.h"
 *
 * ======================================================================
 * 1. Quick start
 * ======================================================================
 *
 *     sio_config cfg = {0};
 *     sio_client *c;
 *     sio_event ev;
 *     cfg.url = "ws://127.0.0.1:8080/chat";
 *     if (sio_create(&cfg, &c) != SIO_OK) return 1;
 *     sio_start(c);                                   (asynchronous)
 *     for (;;) {
 *         if (sio_poll(c, &ev, 1000) <= 0) continue;  (0: nothing happened)
 *         if (ev.type == SIO_EVENT_OPEN) sio_send_text(c, "hi", 2);
 *         if (ev.type == SIO_EVENT_MESSAGE) printf("%s\n", (const char *)ev.data);
 *         if (ev.type == SIO_EVENT_CLOSE) break;
 *     }
 *     sio_destroy(c);
 *
 * ======================================================================
 * 2. Concepts
 * ======================================================================
 *
 * - No threads, no callbacks, no globals.  The library does work only inside
 *   sio_poll() (and sio_poll_set()), on the caller's thread, and reports what
 *   happened as sio_event structs, one per call.
 * - Start and stop are asynchronous.  Every successful sio_start() is answered
 *   by exactly one SIO_EVENT_CLOSE eventually: after SIO_EVENT_OPEN when the
 *   connection was established, or directly (after an SIO_EVENT_ERROR) when it
 *   could not be.  sio_stop() begins the close handshake; the CLOSE event says
 *   when the connection is really gone.  A client can be started again after
 *   its CLOSE event.
 * - Layers, each a small sans-I/O piece with its own tests, in this order:
 *   url, sha1/base64, utf8, http, ws; then the client glue and the platform
 *   interface.  The protocol code never touches a socket: bytes go in, bytes
 *   and events come out, so it can be fuzzed and unit-tested with byte vectors.
 * - Words: a "message" is a whole WebSocket message, a "frame" one WebSocket
 *   frame, an "event" one sio_event returned by sio_poll().
 *
 * ======================================================================
 * 3. Living in your own loop
 * ======================================================================
 *
 * sio_poll(c, &ev, 0) never blocks.  An external loop (select, epoll, a game
 * loop, an RTOS task) watches sio_socket_of(c) for readability, and for
 * writability while sio_wants_write(c) is true, sleeps at most
 * sio_next_timeout_ms(c), then calls sio_poll(c, &ev, 0) until it returns 0.
 * Sends only queue bytes; they are written by the next sio_poll().
 * sio_poll_set() does the same for several named connections at once.
 *
 * ======================================================================
 * 4. Memory and data lifetime
 * ======================================================================
 *
 * - All allocation goes through sio_config.allocator, or the SIO_REALLOC /
 *   SIO_FREE macros when none is given (define them before the implementation
 *   to replace malloc).  Nothing else allocates.
 * - Received data is zero-copy where possible: ev.data points into the
 *   client's receive buffer and is valid until the next sio_poll() or
 *   sio_poll_set() call that includes this client, or sio_destroy().  Text
 *   messages (and binary ones) are followed by a NUL byte at data[len] for
 *   convenience; text may itself contain NUL.
 * - Every length from the network is bounded: max_message bounds one message
 *   (and so the receive buffer), max_handshake the HTTP response head,
 *   max_send_queue the bytes waiting to be written.
 *
 * ======================================================================
 * 5. Errors
 * ======================================================================
 *
 * Functions return SIO_OK (0) or a negative sio_status; sio_status_text()
 * names it.  Failures that happen later (network, protocol) arrive as an
 * SIO_EVENT_ERROR whose message is a human sentence naming the layer and the
 * cause, e.g. "ws: server frame was masked (RFC 6455 5.1)", followed by the
 * SIO_EVENT_CLOSE of that connection.
 *
 * ======================================================================
 * 6. Porting
 * ======================================================================
 *
 * Implement sio_platform (TCP connect/send/recv/close, wait, clock, CSPRNG)
 * in one file and define sio_platform_default() there, or pass your table in
 * sio_config.platform.  See sio_impl_posix.c.
 *
 * License: MIT, see the end of this file.
 */
#ifndef SIO_H
#define SIO_H

#include <stddef.h>
#include <stdint.h>

#define SIO_VERSION_MAJOR 0
#define SIO_VERSION_MINOR 1
#define SIO_VERSION_PATCH 0

#ifndef SIO_API
#define SIO_API extern
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------- */
/* Status codes                                                            */
/* ---------------------------------------------------------------------- */

typedef enum sio_status {
    SIO_OK = 0,
    SIO_ERR_INVALID = -1,    /* a bad argument from the caller */
    SIO_ERR_NOMEM = -2,      /* the allocator said no */
    SIO_ERR_STATE = -3,      /* not possible in the client's current state */
    SIO_ERR_FULL = -4,       /* the send queue limit would be exceeded; nothing queued */
    SIO_ERR_URL = -5,        /* the URL could not be parsed or is not supported */
    SIO_ERR_TLS = -6,        /* TLS needed but not available, or failed */
    SIO_ERR_PROTOCOL = -7,   /* the peer broke the protocol */
    SIO_ERR_AGAIN = -8,      /* platform: the operation would block */
    SIO_ERR_IO = -9,         /* platform: a socket or system call failed */
    SIO_ERR_TIMEOUT = -10,   /* a configured timeout expired */
    SIO_ERR_HANDSHAKE = -11, /* the server refused or botched the handshake */
    SIO_ERR_TOO_BIG = -12,   /* a configured size limit was hit */
    SIO_ERR_CLOSED = -13,    /* the peer closed the connection */
    SIO_ERR_NO_ADDRESS = -14 /* platform: no (more) addresses for the host */
} sio_status;

SIO_API const char *sio_status_text(int status);
SIO_API const char *sio_version(void);

/* Allocation: one realloc-style function (size 0 frees and returns NULL).
 * A zeroed sio_allocator means SIO_REALLOC/SIO_FREE. */
typedef struct sio_allocator {
    void *(*realloc)(void *user, void *ptr, size_t size);
    void *user;
} sio_allocator;

/* ---------------------------------------------------------------------- */
/* url: ws://, wss://, http://, https://                                  */
/* ---------------------------------------------------------------------- */

/* Spans point into the parsed text; nothing is allocated. */
typedef struct sio_url {
    const char *scheme; size_t scheme_len;  /* as written, e.g. "WS" */
    const char *host;   size_t host_len;    /* IPv6 literals without brackets */
    const char *path;   size_t path_len;    /* from the first '/', "" if absent */
    const char *query;  size_t query_len;   /* after '?', before '#' */
    unsigned short port;                    /* explicit, or 80 / 443 */
    unsigned char secure;                   /* wss or https */
    unsigned char websocket;                /* ws or wss (else http/https) */
    unsigned char ipv6;                     /* host was a bracketed literal */
    unsigned char has_port;                 /* the port was written */
} sio_url;

/* Returns SIO_OK, or SIO_ERR_URL for anything malformed or unsupported
 * (unknown scheme, empty host, port 0 or > 65535, user info, spaces or
 * control characters). */
SIO_API int sio_url_parse(sio_url *url, const char *text);

/* ---------------------------------------------------------------------- */
/* sha1 / base64                                                           */
/* ---------------------------------------------------------------------- */

typedef struct sio_sha1 {
    uint32_t state[5];
    uint64_t total;          /* bytes hashed so far */
    unsigned char block[64];
    size_t used;             /* bytes waiting in block */
} sio_sha1;

SIO_API void sio_sha1_init(sio_sha1 *s);
SIO_API void sio_sha1_update(sio_sha1 *s, const void *data, size_t len);
SIO_API void sio_sha1_final(sio_sha1 *s, unsigned char digest[20]);

/* Bytes needed for the base64 text of n bytes, including the NUL. */
#define SIO_BASE64_SIZE(n) ((((n) + 2) / 3) * 4 + 1)
/* Writes padded standard base64 and a NUL; returns the text length. */
SIO_API size_t sio_base64_encode(const void *data, size_t len, char *out);
/* Decodes standard base64 (padding optional).  out needs len/4*3+3 bytes.
 * Returns SIO_OK and *out_len, or SIO_ERR_INVALID for a bad character,
 * misplaced padding or an impossible length. */
SIO_API int sio_base64_decode(const char *text, size_t len, void *out, size_t *out_len);

/* ---------------------------------------------------------------------- */
/* utf8: incremental validator (RFC 3629: no overlongs, no surrogates,    */
/* nothing above U+10FFFF)                                                 */
/* ---------------------------------------------------------------------- */

typedef struct sio_utf8 {
    unsigned char need;      /* continuation bytes still expected */
    unsigned char lo, hi;    /* allowed range of the next continuation byte */
} sio_utf8;                  /* zero-initialised = at a character boundary */

/* Feeds bytes; returns SIO_OK while the text can still be valid, or
 * SIO_ERR_PROTOCOL as soon as it cannot (fail fast).  The state may end in
 * the middle of a character: use sio_utf8_complete() at the end. */
SIO_API int sio_utf8_feed(sio_utf8 *v, const void *data, size_t len);
SIO_API int sio_utf8_complete(const sio_utf8 *v);
SIO_API int sio_utf8_valid(const void *data, size_t len);   /* 1 or 0 */

/* ---------------------------------------------------------------------- */
/* http: HTTP/1.1 response head parser and body decoder                   */
/* ---------------------------------------------------------------------- */

#ifndef SIO_HTTP_MAX_HEADERS
#define SIO_HTTP_MAX_HEADERS 64
#endif

typedef struct sio_http_header {
    const char *name;  size_t name_len;
    const char *value; size_t value_len;   /* without surrounding blanks */
} sio_http_header;

typedef struct sio_http_response {
    int status;                            /* e.g. 101 */
    int minor_version;                     /* 1 for HTTP/1.1 */
    const char *reason; size_t reason_len;
    size_t header_count;
    sio_http_header headers[SIO_HTTP_MAX_HEADERS];
    size_t head_len;                       /* bytes up to and including the blank line */
} sio_http_response;

/* Parses a response head from buf[0..len).  Returns 1 when the head is
 * complete (fields set, spans point into buf), 0 when more bytes are needed,
 * SIO_ERR_PROTOCOL for a malformed head, SIO_ERR_TOO_BIG for more than
 * SIO_HTTP_MAX_HEADERS headers.  Obsolete line folding is rejected. */
SIO_API int sio_http_parse_response(sio_http_response *r, const char *buf, size_t len);
/* Case-insensitive header lookup; NULL if absent. */
SIO_API const sio_http_header *sio_http_find_header(const sio_http_response *r, const char *name);
/* 1 if a comma-separated header value holds token (case-insensitive). */
SIO_API int sio_http_has_token(const char *value, size_t len, const char *token);

typedef enum sio_http_body_mode {
    SIO_HTTP_BODY_NONE = 0,       /* 1xx, 204, 304: no body */
    SIO_HTTP_BODY_LENGTH,         /* Content-Length */
    SIO_HTTP_BODY_CHUNKED,        /* Transfer-Encoding: chunked */
    SIO_HTTP_BODY_UNTIL_CLOSE     /* neither: read until EOF */
} sio_http_body_mode;

typedef struct sio_http_body {
    int mode;                     /* sio_http_body_mode */
    int state;                    /* chunked decoder state */
    uint64_t remaining;           /* bytes left in the body or current chunk */
    uint64_t max_body;            /* limit; 0 = unlimited */
    uint64_t total;               /* body bytes decoded so far */
} sio_http_body;

/* Chooses the body framing from a parsed head.  Returns SIO_OK, or
 * SIO_ERR_PROTOCOL for a bad or conflicting Content-Length, or
 * SIO_ERR_TOO_BIG when Content-Length exceeds max_body (0 = no limit). */
SIO_API int sio_http_body_init(sio_http_body *b, const sio_http_response *r, uint64_t max_body);
/* Decodes body bytes in place.  data[0..len) holds raw bytes after the head;
 * on return data[0..*out_len) holds decoded body bytes and *consumed says
 * how many raw bytes were used (*out_len <= *consumed).  Returns 1 when the
 * body is complete, 0 when more bytes are needed, SIO_ERR_PROTOCOL for bad
 * chunk syntax, SIO_ERR_TOO_BIG past max_body. */
SIO_API int sio_http_body_decode(sio_http_body *b, unsigned char *data, size_t len,
                                 size_t *consumed, size_t *out_len);

/* ---------------------------------------------------------------------- */
/* ws: RFC 6455 frame codec and receiver                                  */
/* ---------------------------------------------------------------------- */

enum {
    SIO_WS_CONTINUATION = 0x0,
    SIO_WS_TEXT = 0x1,
    SIO_WS_BINARY = 0x2,
    SIO_WS_CLOSE = 0x8,
    SIO_WS_PING = 0x9,
    SIO_WS_PONG = 0xA
};

/* Close codes used by the library (RFC 6455 7.4.1). */
enum {
    SIO_CLOSE_NORMAL = 1000,
    SIO_CLOSE_GOING_AWAY = 1001,
    SIO_CLOSE_PROTOCOL_ERROR = 1002,
    SIO_CLOSE_UNSUPPORTED = 1003,
    SIO_CLOSE_NO_STATUS = 1005,      /* never on the wire */
    SIO_CLOSE_ABNORMAL = 1006,       /* never on the wire */
    SIO_CLOSE_INVALID_DATA = 1007,
    SIO_CLOSE_POLICY = 1008,
    SIO_CLOSE_TOO_BIG = 1009,
    SIO_CLOSE_INTERNAL = 1011
};

typedef struct sio_ws_frame {
    unsigned fin, rsv, opcode, masked;   /* rsv: the three bits as 0..7 */
    unsigned char mask[4];
    uint64_t length;                     /* payload length */
    size_t header_len;                   /* 2..14 */
} sio_ws_frame;

/* Parses a frame header.  Returns 1 (header complete), 0 (need more) or
 * SIO_ERR_PROTOCOL for a non-minimal length or a 64-bit length with the top
 * bit set; *why (if not NULL) then names the rule. */
SIO_API int sio_ws_parse_header(sio_ws_frame *f, const unsigned char *buf, size_t len, const char **why);
/* Bytes a frame with this payload takes on the wire (client frames: masked). */
SIO_API size_t sio_ws_frame_size(uint64_t payload_len, int masked);
/* Writes one whole frame: header, then payload XORed with mask (mask NULL:
 * unmasked).  out needs sio_ws_frame_size() bytes; returns bytes written. */
SIO_API size_t sio_ws_encode(unsigned char *out, int fin, int opcode, const void *payload,
                             size_t len, const unsigned char *mask);
/* XOR data in place with the key; offset is the position of data[0] within
 * the payload, so a payload can be (un)masked in pieces. */
SIO_API void sio_ws_mask(unsigned char *data, size_t len, const unsigned char key[4], size_t offset);
/* base64(SHA-1(key + GUID)) into out (28 chars + NUL). */
SIO_API void sio_ws_accept_key(const char *key, char out[29]);
/* 1 if code may appear in a close frame (RFC 6455 7.4). */
SIO_API int sio_ws_close_code_valid(int code);

/* One received unit: a whole message or a control frame. */
typedef struct sio_ws_message {
    int opcode;                  /* TEXT, BINARY, PING, PONG or CLOSE */
    const unsigned char *data;   /* payload; for CLOSE the whole payload */
    size_t len;
    int close_code;              /* CLOSE: code, or 1005 when absent */
    const char *reason;          /* CLOSE: reason text (not NUL-terminated) */
    size_t reason_len;
} sio_ws_message;

/* The receiving half of a client connection: validates every RFC 6455 rule
 * for frames from a server, reassembles fragmented messages, checks text
 * UTF-8 incrementally (failing as soon as the bytes that arrived cannot be
 * valid, even inside a frame), and bounds message size. */
typedef struct sio_ws_rx {
    size_t max_message;          /* 0 = 16 MiB */
    sio_allocator allocator;
    /* state (zero-initialise the whole struct) */
    int in_message;              /* a fragmented message is being assembled */
    int message_opcode;
    sio_utf8 utf8;               /* validation state of the text in flight */
    uint64_t frame_checked;      /* payload bytes of the current frame already validated */
    unsigned char *buffer;       /* fragment assembly */
    size_t buffer_len, buffer_cap;
    int fail_code;               /* close code to send after an error */
    const char *error;           /* sentence naming the broken rule */
} sio_ws_rx;

/* Consumes bytes from buf[0..len) (server frames, not masked).
 * Returns 1 with *msg filled when a message or control frame completed, 0
 * when more bytes are needed (*need, if not NULL, is the total number of
 * bytes buf must hold to make progress), or a negative status on failure:
 * SIO_ERR_PROTOCOL (fail_code 1002 or 1007), SIO_ERR_TOO_BIG (1009),
 * SIO_ERR_NOMEM (1011); rx->error names the cause.  *consumed is how many
 * bytes of buf were used; msg->data stays valid until the next call and
 * until those bytes of buf change.  Errors are sticky. */
SIO_API int sio_ws_rx_feed(sio_ws_rx *rx, const unsigned char *buf, size_t len,
                           size_t *consumed, size_t *need, sio_ws_message *msg);
SIO_API void sio_ws_rx_free(sio_ws_rx *rx);

/* ---------------------------------------------------------------------- */
/* platform: what a port implements                                        */
/* ---------------------------------------------------------------------- */

typedef intptr_t sio_socket;
#define SIO_INVALID_SOCKET ((sio_socket)-1)

enum { SIO_WAIT_READ = 1, SIO_WAIT_WRITE = 2 };

typedef struct sio_wait_item {
    sio_socket socket;
    int events;      /* SIO_WAIT_READ | SIO_WAIT_WRITE wanted */
    int revents;     /* set by wait(): ready (errors and hang-ups count as ready) */
} sio_wait_item;

/* All functions get the table's user pointer.  err/err_size receive a
 * human sentence on failure. */
typedef struct sio_platform {
    void *user;
    /* Starts a non-blocking TCP connection to the attempt-th address of host
     * (0 = first).  SIO_OK: *sock is connecting or connected.
     * SIO_ERR_NO_ADDRESS: attempt is past the last address.  Other
     * negative status: failure, err says why. */
    int (*connect)(void *user, const char *host, unsigned short port, unsigned attempt,
                   sio_socket *sock, char *err, size_t err_size);
    /* 1 connected, 0 still connecting, negative status: failed. */
    int (*connect_result)(void *user, sio_socket sock, char *err, size_t err_size);
    /* Bytes written (> 0), SIO_ERR_AGAIN, or a negative status. */
    long (*send)(void *user, sio_socket sock, const void *buf, size_t len, char *err, size_t err_size);
    /* Bytes read (> 0), 0 on orderly EOF, SIO_ERR_AGAIN, or a negative status. */
    long (*recv)(void *user, sio_socket sock, void *buf, size_t len, char *err, size_t err_size);
    void (*close)(void *user, sio_socket sock);
    /* Waits until an item is ready or timeout_ms passes (-1: forever; with
     * count 0 it just sleeps).  Returns the number of ready items, 0 on
     * timeout or interruption, negative on failure. */
    int (*wait)(void *user, sio_wait_item *items, size_t count, int timeout_ms);
    /* Monotonic milliseconds. */
    uint64_t (*now_ms)(void *user);
    /* Cryptographically secure random bytes; SIO_OK or a negative status. */
    int (*random)(void *user, void *buf, size_t len);
} sio_platform;

/* Defined by the platform file (sio_impl_posix.c, sio_impl_win32.c, yours). */
SIO_API const sio_platform *sio_platform_default(void);

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
    const char *const *protocols;    /* Sec-WebSocket-Protocol offers */
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
    void *user_data;                 /* handed back in every event */
} sio_config;

typedef enum sio_event_type {
    SIO_EVENT_NONE = 0,
    SIO_EVENT_OPEN,      /* handshake done; sends are allowed (On Start) */
    SIO_EVENT_MESSAGE,   /* one whole message (On Receive) */
    SIO_EVENT_CLOSE,     /* the connection is gone (On Stop) */
    SIO_EVENT_ERROR      /* something failed; a CLOSE follows (On Error) */
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
    const char *reason;           /* NUL-terminated */
    int clean;                    /* 1 if both close frames were exchanged */
    /* ERROR */
    int error;                    /* sio_status */
    const char *message;          /* human sentence, NUL-terminated */
} sio_event;

typedef enum sio_state {
    SIO_STATE_IDLE = 0,          /* created or closed; sio_start() allowed */
    SIO_STATE_CONNECTING,
    SIO_STATE_OPEN,
    SIO_STATE_CLOSING
} sio_state;

SIO_API int sio_create(const sio_config *cfg, sio_client **out);
SIO_API void sio_destroy(sio_client *c);                 /* at any time */
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
/* The same over several clients: returns the next event of any of them. */
SIO_API int sio_poll_set(sio_client *const *clients, size_t count, sio_event *ev, int timeout_ms);

SIO_API sio_socket sio_socket_of(const sio_client *c);   /* SIO_INVALID_SOCKET if none */
SIO_API int sio_wants_write(const sio_client *c);
SIO_API int sio_next_timeout_ms(const sio_client *c);    /* -1: no timer pending */
SIO_API sio_state sio_get_state(const sio_client *c);
SIO_API const char *sio_name(const sio_client *c);
SIO_API size_t sio_queued_bytes(const sio_client *c);

#ifdef __cplusplus
}
#endif

#endif /* SIO_H */
