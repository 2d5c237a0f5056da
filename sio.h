#ifdef SIO_SOURCE_LINES
#line 1 "src/begin.h"
#endif
/* sio.h - WebSocket (RFC 6455) and Socket.IO client in portable C99.
 *
 * Single-header library: declarations are always visible; the implementation
 * is compiled in exactly one translation unit that defines SIO_IMPLEMENTATION
 * before including this file.  The platform files (sio_impl_posix.c,
 * sio_impl_win32.c, sio_impl_lwip.c) do that for you, so the usual build is:
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
 *   sio_poll() (and sio_poll_clients()), on the caller's thread, and reports what
 *   happened as sio_event structs, one per call.
 * - Start and stop are asynchronous.  Every successful sio_start() is answered
 *   by exactly one SIO_EVENT_CLOSE eventually: after SIO_EVENT_OPEN when the
 *   connection was established, or directly (after an SIO_EVENT_ERROR) when it
 *   could not be.  sio_stop() begins the close handshake; the CLOSE event says
 *   when the connection is really gone.  A client can be started again after
 *   its CLOSE event.
 * - Layers, each with its own tests: the parsers (url, sha1/base64, utf8,
 *   http, dns, x509, proxy, ws, json, eio, packet); the engines (heartbeat, acks,
 *   binary, namespaces, resolver, engineio), which take the time as an
 *   argument; the link (a socket, its TLS session, its buffers) and the
 *   connections over it (websocket, polling, upgrade); then the client
 *   (client, resolve, transport, socketio, redirect, pump, the public
 *   calls, set)
 *   over the platform interface.  Only the link and the client's pump
 *   touch sockets and the clock: bytes go in, bytes and events come out,
 *   so the protocol code can be fuzzed and unit-tested with byte vectors.
 *   ARCHITECTURE.md draws it.
 * - Words: a "message" is a whole WebSocket message, a "frame" one WebSocket
 *   frame, an "event" one sio_event returned by sio_poll().
 *
 * ======================================================================
 * 3. Configuration macros (define before the implementation is compiled)
 * ======================================================================
 *
 *   SIO_REALLOC(p, n), SIO_FREE(p)  allocation when sio_config.allocator is
 *                                   zero (default: realloc/free)
 *   SIO_ASSERT(x)                   internal assertions (default: assert)
 *   SIO_API                         decoration of public functions (default
 *                                   extern; define as static for a private copy)
 *   SIO_HTTP_MAX_HEADERS            headers kept from an HTTP response (64)
 * Everything else is runtime configuration in sio_config, where zero means
 * the default, so new fields never break old callers.
 *
 * ======================================================================
 * 4. Events
 * ======================================================================
 *
 * sio_poll() returns one sio_event at a time: OPEN, MESSAGE, CLOSE, ERROR
 * for WebSocket; Socket.IO adds CONNECT, CONNECT_ERROR, EVENT, ACK and
 * DISCONNECT (section 11).  Each event carries the connection's name and
 * user_data.  ERROR carries a status and a sentence; CLOSE a close code,
 * reason and whether the close handshake completed.  A WebSocket also gives
 * PONG (rtt_ms for the keepalive's pings, ping_interval_ms), and with
 * reconnect = SIO_RECONNECT_ON RECONNECTING (instead of CLOSE, with what
 * ended the connection), RECONNECT (instead of OPEN) and RECONNECT_FAILED;
 * messages sent meanwhile wait for the next connection (reconnect_queue).
 * sio_set_headers() and sio_set_query() change what the next handshake
 * sends.  With receive_parts a MESSAGE is a part of a message (offset,
 * final) as its bytes arrived; sio_send_begin/part/end send one in parts,
 * so messages of any size move through a few KiB.  Socket.IO attachments
 * move the same way: ATTACHMENT events after their EVENT or ACK, and an
 * emit with attachment_count but no attachments followed by one message
 * in parts per attachment.
 *
 * ======================================================================
 * 5. Living in your own loop; threads
 * ======================================================================
 *
 * sio_poll(c, &ev, 0) never blocks.  An external loop (select, epoll, a game
 * loop, an RTOS task) watches the sockets sio_sockets(c) lists (one for
 * WebSocket; two for HTTP long-polling, three during an upgrade) for the
 * readiness each wants, sleeps at most sio_next_timeout_ms(c), then calls
 * sio_poll(c, &ev, 0) until it returns 0 (readiness is level-triggered).
 * Sends only queue bytes; they are written by the next sio_poll(), except
 * that while the bytes already read still hold messages they wait for those
 * (at most 1 ms), so the answers to a burst leave in one write.
 * sio_poll_clients() does the same for a few named connections at once, fairly.
 * For thousands of clients in one thread use a sio_set: it waits with the
 * platform's poller (epoll on Linux, WSAPoll on Windows), keeps timers in
 * a heap, and steps only the clients that are ready; sio_set_poll() returns
 * the next event of any.
 * Nothing in sio_poll() blocks: names are resolved by the client itself
 * over UDP when the platform provides the hosts_lookup/dns_open hooks (both
 * bundled platforms do: /etc/hosts and /etc/resolv.conf's nameservers on
 * POSIX, the hosts file and GetNetworkParams()'s on Windows, or
 * sio_config.dns_server; AAAA and A at once, asked again after a second,
 * then the next nameserver; IPv6 addresses first, IPv4 when they fail).
 * Without the hooks connect() resolves names itself, which may block.
 * The library has no threads and no global state: a client may be used
 * from any thread, but from one thread at a time; different clients are
 * independent.
 *
 * ======================================================================
 * 6. Memory and data lifetime
 * ======================================================================
 *
 * - All allocation goes through sio_config.allocator, or the SIO_REALLOC /
 *   SIO_FREE macros when none is given (sio_set_create's allocator for a
 *   set).  The bundled platform files use SIO_REALLOC / SIO_FREE for their
 *   own scratch (wait()'s poll array, the WSAPoll poller, the Windows
 *   nameserver list).  Nothing else allocates.
 * - Received data is zero-copy where possible: ev.data points into the
 *   client's receive buffer and is valid until the next sio_poll() or
 *   sio_poll_clients() call that includes this client, or sio_destroy().  Text
 *   messages (and binary ones) are followed by a NUL byte at data[len] for
 *   convenience; text may itself contain NUL.  The same holds for every
 *   string and attachment of a Socket.IO event.
 * - Buffers start small (reads of 2 KiB, doubling while a stream fills
 *   them), grow to what a message needs (bounded by the limits below),
 *   shrink back to a few KiB once a connection is idle (no reads for a
 *   second), and are released when it closes.  An idle connected Socket.IO
 *   client holds about 5.7 KB; sio_memory(c) says how much it holds now,
 *   sio_memory_bound(&cfg) the most it can ever hold under cfg's limits.
 * - Smaller builds, by macros defined where the implementation is compiled:
 *   SIO_NO_SOCKETIO leaves the Socket.IO client out (WebSocket only);
 *   SIO_NO_POLLING leaves HTTP long-polling and the upgrade out (Socket.IO
 *   over WebSocket only: transports other than SIO_TRANSPORT_WEBSOCKET are
 *   refused by sio_create); SIO_NO_DNS leaves the client's own non-blocking
 *   resolver out (names then go to the platform's connect, which may block;
 *   IP literals never do; sio_config.dns_server is refused); SIO_NO_PROXY
 *   leaves proxies out (a proxy in sio_config, or from the environment when
 *   asked, is refused, never bypassed); SIO_NO_DEFLATE leaves
 *   permessage-deflate and its codec out; SIO_NO_SIMD masks without
 *   SSE2/AVX2/NEON.  `make size` shows what each saves.
 *
 * ======================================================================
 * 7. TLS
 * ======================================================================
 *
 * TLS is a plug-in (sio_tls, section "tls" below): a sans-I/O engine the
 * client feeds with ciphertext from the socket and plaintext from HTTP, so
 * any library (or a hardware engine) fits; examples/tls_custom_backend.c is
 * a complete worked backend.  The bundled backend is BearSSL: define
 * SIO_WITH_BEARSSL for every file and link -lbearssl (make does when it
 * finds BearSSL).  Then a secure URL works with cfg.tls NULL: the client
 * makes a backend with the system's trust store when it first connects.
 * sio_bearssl_create() loads trust anchors (a PEM file, PEM in memory, or
 * the system bundle by default) and an optional client certificate, and
 * sio_bearssl_tls() gives the table for sio_config.tls.  Verification is
 * on by default: chain to a trust anchor, host name (DNS names), validity;
 * skipping it takes the explicitly named insecure_skip_verify.  Failures
 * name the cause ("certificate chain is not trusted", "certificate does not
 * match the host name", "certificate expired or not yet valid", "the server
 * sent fatal alert N").  Memory per connection: the engine (about 4 KiB)
 * plus its buffers, 16.7 KiB + 16.4 KiB full duplex (default) or 16.7 KiB
 * half duplex (half_duplex = 1: fine for request/response traffic, slower
 * when both sides stream at once).  Without a backend, wss:// and https://
 * are refused by sio_create() with SIO_ERR_TLS ("TLS not available"), never
 * downgraded to plaintext.
 *
 * The OpenSSL backend (SIO_WITH_OPENSSL, -lssl -lcrypto; make TLS=openssl,
 * CMake -DSIO_TLS=OPENSSL) and the mbedTLS one (SIO_WITH_MBEDTLS; make
 * TLS=mbedtls) are the same shape: sio_openssl_create()/sio_openssl_tls(),
 * sio_mbedtls_create()/sio_mbedtls_tls(), the same checks and sentences;
 * OpenSSL adds TLS 1.3.  All take pins ("sha256/BASE64" of the server key's SubjectPublicKeyInfo,
 * sioc --pin), checked with the chain or instead of it, and a verification
 * hook that sees the server's certificate last. 
 *
 * ======================================================================
 * 8. Porting
 * ======================================================================
 *
 * Implement sio_platform (TCP connect/send/recv/close, wait, clock, CSPRNG)
 * in one file and define sio_platform_default() there, or pass your table in
 * sio_config.platform.  See sio_impl_posix.c, sio_impl_win32.c,
 * sio_impl_lwip.c and examples/port_template.c; tests/mem_platform.h is a complete in-memory
 * platform.  The core needs only C99 and the standard library (string.h,
 * stdio.h for snprintf, stdlib.h for the default allocator); it does no
 * unaligned access and makes no assumption about byte order.
 *
 * ======================================================================
 * 9. Limits (sio_config; zero = the default shown)
 * ======================================================================
 *
 *   max_message       16 MiB   one WebSocket message (and the receive buffer)
 *   max_handshake     16 KiB   the HTTP response head of the handshake
 *   max_send_queue    64 MiB   bytes queued for writing (SIO_ERR_FULL beyond); the
 *                              client's own answers count too: a server whose
 *                              Engine.IO pings outrun it is dropped (SIO_ERR_TOO_BIG);
 *                              an attachment sent in parts has its own (sio_send_begin)
 *   max_attachments   10       binary attachments in one Socket.IO packet
 *   max_namespaces    32       namespaces joined at once
 *   max_pending_acks  1024     emits waiting for an ack
 *   max_json_depth    64       nesting of JSON from the server
 * The defaults are compile-time macros (SIO_DEFAULT_MAX_MESSAGE and the
 * like, README "Small targets"); -DSIO_SMALL_TARGET picks 16 KiB messages and
 * send queue, 4 KiB handshakes and reads, 4 namespaces, 16 pending acks.
 * Every length from the network is checked against these before use; a
 * limit hit is a clear error (close 1009, "parse error", SIO_ERR_FULL),
 * never a crash or an unbounded allocation.
 *
 * ======================================================================
 * 10. Errors
 * ======================================================================
 *
 * Functions return SIO_OK (0) or a negative sio_status; sio_status_text()
 * names it.  Failures that happen later (network, protocol) arrive as an
 * SIO_EVENT_ERROR whose message is a human sentence naming the layer and the
 * cause, e.g. "ws: server frame was masked (RFC 6455 5.1)", followed by the
 * SIO_EVENT_CLOSE of that connection.
 *
 * ======================================================================
 * 11. Socket.IO
 * ======================================================================
 *
 * cfg.mode = SIO_MODE_SOCKETIO makes the client speak Engine.IO v4 and
 * Socket.IO v5 (cfg.eio = 3: Engine.IO v3 and Socket.IO v4, for 1.x/2.x
 * servers).  cfg.transport picks WebSocket (the default), HTTP long-polling
 * (a GET and a POST connection; cookies the server sets are sent back, as
 * sticky-session load balancers need), or polling first and then an upgrade
 * to WebSocket (SIO_TRANSPORT_AUTO, the JS client's way; polling stays if the
 * upgrade fails).  Polling uses two sockets and an upgrade a third: external
 * loops watch sio_sockets(), not only sio_socket_of().  As in the JS client the URL's
 * path is the namespace ("http://host:3000/admin" -> "/admin"); the Engine.IO
 * path is cfg.path ("/socket.io/").  OPEN reports the Engine.IO session;
 * CONNECT each namespace (On Socket.IO Start for the URL's one).  Emits made
 * before a namespace's CONNECT reply wait in order and go out right after it.
 * Server pings are answered at once; no ping within pingInterval +
 * pingTimeout is "ping timeout" (any packet from the server also proves the
 * connection alive for pingTimeout more: a server busy with a burst sends its
 * ping late, behind the burst; Engine.IO 3, where the client pings: a
 * server that takes no byte of what the client has for it within
 * pingInterval + pingTimeout is given up all the same, and one seen
 * reading is kept while the client's ping waits to be written, behind
 * attachments or a backlog; once the socket took the ping, its answer
 * has pingTimeout, and only a whole packet answers it (bytes of one still
 * coming do not; with receive_parts every 16 KiB of an attachment in
 * parts counts as one): a server behind a socket buffer that holds more than
 * pingTimeout of its reading is given up, as the client cannot see it).
 * Every pending ack ends in an ACK event: the
 * answer, "operation has timed out" or "socket has been disconnected".
 * Packets from the server are validated completely (JSON depth, attachment
 * count and placeholders, ack id range); anything malformed is a "parse
 * error" disconnect.  The JSON reader/writer used for this is public.
 *
 * Reconnection (on unless cfg.reconnect = SIO_RECONNECT_OFF; for a plain
 * WebSocket only with SIO_RECONNECT_ON, section 4) follows the JS
 * client's Manager: after a lost or failed connection RECONNECTING (attempt,
 * delay_ms) comes instead of CLOSE; delays start at 1 s and double up to 5 s,
 * each moved by up to 50 %; RECONNECT opens the new session and every
 * namespace that was wanted gets CONNECT again.  None after sio_stop(), after
 * the server disconnected the last namespace, or when reconnect_attempts are
 * used up (RECONNECT_FAILED, then CLOSE).  Emits made while disconnected wait
 * in order (volatile ones are dropped); acks of emits that had left end with
 * SIO_ERR_CLOSED, those of queued emits keep waiting.  With state recovery
 * on the server, CONNECT carries the session's pid and last offset, CONNECT
 * reports recovered, the missed events follow it, and the offset the server
 * appends to broadcasts is removed from args.
 *
 * At least once (cfg.retries > 0, the JS client's retries and ackTimeout):
 * every emit but a volatile one asks for an ack and is kept until it comes,
 * a namespace's emits one at a time and in order; a try not answered within
 * ack_timeout_ms, or lost with its connection, is sent again (RETRY) up to
 * retries times, then given up (ACK with SIO_ERR_TIMEOUT).
 * sio_queue_save() and sio_queue_load() carry the emits not yet acknowledged
 * across a restart as a blob.
 *
 * License: MIT, see the end of this file.
 */
#ifndef SIO_H
#define SIO_H

#include <stddef.h>
#include <stdint.h>

#define SIO_VERSION_MAJOR 0
#define SIO_VERSION_MINOR 2
#define SIO_VERSION_PATCH 1

#ifndef SIO_API
#define SIO_API extern
#endif

#ifdef __cplusplus
extern "C" {
#endif

#ifdef SIO_SOURCE_LINES
#line 1 "src/common.h"
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
    SIO_ERR_NO_ADDRESS = -14, /* platform: no (more) addresses for the host */
    SIO_ERR_PROXY = -15      /* the proxy refused the tunnel; from sio_create: its URL is unusable */
} sio_status;

SIO_API const char *sio_status_text(int status);
SIO_API const char *sio_version(void);

/* Allocation: one realloc-style function (size 0 frees and returns NULL).
 * A zeroed sio_allocator means SIO_REALLOC/SIO_FREE. */
typedef struct sio_allocator {
    void *(*realloc)(void *user, void *ptr, size_t size);
    void *user;
} sio_allocator;

/* Bytes of a binary attachment. */
typedef struct sio_bytes {
    const unsigned char *data;
    size_t len;
} sio_bytes;
#ifdef SIO_SOURCE_LINES
#line 1 "src/url.h"
#endif
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
 * control characters, a host ending in a number that is not four decimal
 * parts without leading zeros: "010.0.0.1", "10.1", "0x7f.0.0.1", which
 * resolvers read in different ways). */
SIO_API int sio_url_parse(sio_url *url, const char *text);

#ifdef SIO_SOURCE_LINES
#line 1 "src/sha1_base64.h"
#endif
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

#ifdef SIO_SOURCE_LINES
#line 1 "src/utf8.h"
#endif
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

#ifdef SIO_SOURCE_LINES
#line 1 "src/http.h"
#endif
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

#ifdef SIO_SOURCE_LINES
#line 1 "src/dns.h"
#endif
/* ---------------------------------------------------------------------- */
/* dns: query encoder and answer parser (RFC 1035), for a non-blocking     */
/* resolver over UDP                                                       */
/* ---------------------------------------------------------------------- */

enum { SIO_DNS_A = 1, SIO_DNS_AAAA = 28 };

typedef struct sio_dns_addr {
    int family;                   /* 4 or 6 */
    unsigned char bytes[16];      /* network order; IPv4 in the first 4 */
} sio_dns_addr;

/* Writes a recursive query for name (ASCII host name, at most 253 bytes)
 * and type into buf.  Returns its length, or 0 if the name is not a valid
 * host name or cap (512 is always enough) is too small. */
SIO_API size_t sio_dns_query(unsigned char *buf, size_t cap, unsigned id, const char *name, int type);
/* Parses the answer to the query with this id, name and type: the
 * addresses of that type for the name, or at the end of its CNAME chain,
 * go to out (at most max; *count says how many); records for other owners
 * are ignored.  Returns SIO_OK (count may be 0: the name has no such
 * record), SIO_ERR_NO_ADDRESS for "no such name", SIO_ERR_AGAIN when it is
 * not the answer to this query (another id, or another question), or
 * SIO_ERR_PROTOCOL for a malformed, truncated or failed answer (*why says which). */
SIO_API int sio_dns_parse(const unsigned char *msg, size_t len, unsigned id, const char *name, int type,
                          sio_dns_addr *out, size_t max, size_t *count, const char **why);
/* An address as text ("127.0.0.1", "::1"); returns its length.  out: 46 bytes. */
SIO_API size_t sio_dns_addr_text(const sio_dns_addr *a, char *out);
/* 1 if text is an IPv4 or IPv6 literal (no resolution needed). */
SIO_API int sio_ip_literal(const char *text);
/* The address in text ("10.0.0.1", "::1", "::ffff:1.2.3.4") as bytes in
 * network order: returns 4 or 16, or 0 if text is not an address.  IPv4
 * is four decimal parts without leading zeros: the C library reads
 * "010.0.0.1" as octal (8.0.0.1), so that form is no address here. */
SIO_API size_t sio_ip_parse(const char *text, unsigned char out[16]);

#ifdef SIO_SOURCE_LINES
#line 1 "src/x509.h"
#endif
/* ---------------------------------------------------------------------- */
/* x509: the certificate fields some TLS backends leave unchecked          */
/* ---------------------------------------------------------------------- */

/* Each takes one DER certificate.  Returns 1 yes, 0 no, -1 malformed.
 * Extended Key Usage (RFC 5280 4.2.1.12): absent, serverAuth or
 * anyExtendedKeyUsage allow a TLS server. */
SIO_API int sio_x509_allows_server(const unsigned char *der, size_t len);
/* Whether the certificate's key may be used for usage, one of the Key
 * Usage bits below (RFC 5280 4.2.1.3): 1 when its Key Usage has the bit
 * or it has no Key Usage, 0 when it lacks it, -1 malformed.  (BearSSL
 * counts nonRepudiation as signing; a TLS server's key needs
 * digitalSignature for ECDHE and TLS 1.3.) */
#define SIO_X509_KU_DIGITAL_SIGNATURE 0
#define SIO_X509_KU_KEY_ENCIPHERMENT 2
#define SIO_X509_KU_KEY_AGREEMENT 4
SIO_API int sio_x509_key_allows(const unsigned char *der, size_t len, unsigned usage);
/* Whether a subjectAltName iPAddress entry equals ip (4 or 16 bytes). */
SIO_API int sio_x509_has_ip(const unsigned char *der, size_t len, const unsigned char *ip, size_t ip_len);
/* The certificate's SubjectPublicKeyInfo, whole (what a pin hashes):
 * returns 1 with *spki and *spki_len pointing into der, or -1 malformed. */
SIO_API int sio_x509_spki(const unsigned char *der, size_t len, const unsigned char **spki, size_t *spki_len);


#ifdef SIO_SOURCE_LINES
#line 1 "src/deflate.h"
#endif
/* ---------------------------------------------------------------------- */
/* deflate: raw DEFLATE (RFC 1951) both ways, a whole message at a time,  */
/* for permessage-deflate (RFC 7692); SIO_NO_DEFLATE leaves it out        */
/* ---------------------------------------------------------------------- */

/* The receiving side.  Inflated bytes go into one flat buffer after the
 * history the sender may refer to (context takeover), so a match is a copy
 * within the buffer and no separate window is kept. */
typedef struct sio_inflater {
    sio_allocator allocator;
    size_t window;               /* history kept between messages: 0 (no context takeover) or 1 << bits */
    /* state (zero-initialise, then set allocator and window) */
    unsigned char *buffer;       /* buffer[0..history) is the history, then the message being inflated */
    size_t history, cap;
    unsigned char *copy;         /* with a window: the message handed out, which its user may change
                                    while the history must stay as the sender has it */
    size_t copy_cap;
    const char *error;           /* sentence naming what was wrong with the last message */
} sio_inflater;

/* Inflates one message: the raw DEFLATE data in[0..len), followed (when
 * sync_tail is 1) by the 00 00 ff ff that RFC 7692 7.2.2 has a receiver
 * append.  Never produces more than max bytes.  Returns SIO_OK with
 * *out and *out_len (valid until the next call, sio_inflater_trim or
 * sio_inflater_free), or SIO_ERR_PROTOCOL (the data is not valid DEFLATE or
 * ends early), SIO_ERR_TOO_BIG (it inflates to more than max bytes) or
 * SIO_ERR_NOMEM, with z->error saying which rule broke.  After an error the
 * history is gone: the connection cannot go on. */
SIO_API int sio_inflate_message(sio_inflater *z, const unsigned char *in, size_t len, int sync_tail,
                                size_t max, const unsigned char **out, size_t *out_len);
/* Idle: gives back all but the history (with a window), or everything. */
SIO_API void sio_inflater_trim(sio_inflater *z);
SIO_API void sio_inflater_free(sio_inflater *z);

/* The sending side: each message is compressed on its own (no context
 * takeover), so nothing is kept between messages. */
typedef struct sio_deflater {
    sio_allocator allocator;
    unsigned window_bits;        /* matches reach back at most 1 << window_bits bytes (8..15; 0 = 15) */
    /* state (zero-initialise, then set allocator and window_bits) */
    unsigned char *out;          /* the last message's compressed bytes */
    size_t out_cap;
} sio_deflater;

/* Compresses in[0..len) as raw DEFLATE that ends with an empty non-final
 * stored block whose 00 00 ff ff is left off (RFC 7692 7.2.1).  Returns
 * SIO_OK with *out and *out_len (valid until the next call or
 * sio_deflater_free), SIO_ERR_TOO_BIG when the result would take limit
 * bytes or more (send the message as it is), or SIO_ERR_NOMEM.  Work
 * tables live only during the call. */
SIO_API int sio_deflate_message(sio_deflater *d, const unsigned char *in, size_t len, size_t limit,
                                const unsigned char **out, size_t *out_len);
SIO_API void sio_deflater_free(sio_deflater *d);
#ifdef SIO_SOURCE_LINES
#line 1 "src/proxy.h"
#endif
/* ---------------------------------------------------------------------- */
/* proxy: the handshakes that open a tunnel through an HTTP proxy         */
/* (CONNECT) or a SOCKS5 proxy (RFC 1928, user/password RFC 1929)         */
/* ---------------------------------------------------------------------- */

typedef enum sio_proxy_kind {
    SIO_PROXY_HTTP = 1,      /* http://: CONNECT host:port, Basic Proxy-Authorization */
    SIO_PROXY_SOCKS5,        /* socks5://: the client resolves the name, the proxy gets an address */
    SIO_PROXY_SOCKS5H        /* socks5h://: the proxy resolves the name */
} sio_proxy_kind;

#define SIO_PROXY_MAX_CREDENTIAL 255   /* user name and password, each (RFC 1929's bound) */
#define SIO_PROXY_MAX_HOST 255         /* the origin's name (a SOCKS5 domain's bound) */
#define SIO_PROXY_OUT_SIZE 1536        /* room that any request of the handshake fits in */

/* Spans point into the parsed text; nothing is allocated. */
typedef struct sio_proxy_url {
    int kind;                               /* sio_proxy_kind */
    const char *host; size_t host_len;      /* IPv6 literals without brackets */
    const char *user; size_t user_len;      /* percent-encoded as written; user NULL: none */
    const char *password; size_t password_len;
    unsigned short port;                    /* explicit, or 80 (http) / 1080 (socks5, socks5h) */
    unsigned char ipv6;                     /* host was a bracketed literal */
} sio_proxy_url;

/* "http://[user[:password]@]host[:port][/]", "socks5://..." or
 * "socks5h://...".  Returns SIO_OK, or SIO_ERR_URL for anything else
 * (another scheme, a path, a bad percent escape, an empty user name, a
 * credential over SIO_PROXY_MAX_CREDENTIAL bytes once decoded or holding a
 * NUL, an empty SOCKS5 password (RFC 1929), a ':' in an HTTP user name
 * (RFC 7617)). */
SIO_API int sio_proxy_url_parse(sio_proxy_url *p, const char *text);

/* 1 when no_proxy (a list as in the no_proxy variable: names, ".suffix" or
 * "suffix" domains, IP literals, CIDR blocks, each optionally ":port";
 * "*" alone for all) says that host:port is reached directly. */
SIO_API int sio_proxy_excluded(const char *no_proxy, const char *host, unsigned short port);

/* One tunnel's handshake.  The strings it was begun with must outlive it. */
typedef struct sio_proxy_handshake {
    const sio_proxy_url *proxy;
    const char *host;                       /* the origin; for SOCKS5 an address literal */
    unsigned short port;
    int step, failed;                       /* failed: the status it failed with */
    size_t max_head;                        /* HTTP: the largest response head accepted */
    size_t scanned;                         /* HTTP: bytes of the head searched for its end */
} sio_proxy_handshake;

/* Begins the handshake for a tunnel to host:port: the first bytes to send
 * go to out.  Returns SIO_OK, or SIO_ERR_INVALID: cap under
 * SIO_PROXY_OUT_SIZE, port 0, host empty, over SIO_PROXY_MAX_HOST bytes,
 * neither an address literal nor a name of letters, digits, '-', '.' and
 * '_', or not an address literal for socks5:// (the client resolves). */
SIO_API int sio_proxy_begin(sio_proxy_handshake *h, const sio_proxy_url *proxy, const char *host,
                            unsigned short port, size_t max_head, unsigned char *out, size_t cap, size_t *out_len);

/* Takes the bytes received so far and not used yet; *used of them were the
 * proxy's (drop them before the next call).  Returns 0 while more are
 * needed (*out_len bytes, maybe 0, to send next), 1 when the tunnel is open
 * (what follows the used bytes is the origin's), or a negative status
 * with why filled, again at every later call: SIO_ERR_PROXY (refused:
 * "proxy: 407 authentication required (realm \"x\")", "proxy: SOCKS5 host
 * unreachable"), SIO_ERR_PROTOCOL (not the proxy protocol), SIO_ERR_TOO_BIG
 * (an HTTP response head over max_head bytes or SIO_HTTP_MAX_HEADERS
 * headers), SIO_ERR_INVALID (cap under SIO_PROXY_OUT_SIZE). */
SIO_API int sio_proxy_receive(sio_proxy_handshake *h, const unsigned char *in, size_t len, size_t *used,
                              unsigned char *out, size_t cap, size_t *out_len, char *why, size_t why_size);
#ifdef SIO_SOURCE_LINES
#line 1 "src/ws.h"
#endif
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

#define SIO_MAX_PROTOCOL 127       /* longest subprotocol offer; sio_create refuses longer (SIO_ERR_TOO_BIG) */

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
/* The rule (RFC 6455, or RFC 7692 for RSV1) a header from
 * sio_ws_parse_header breaks on its own, whatever came before it, or NULL;
 * when it breaks several, the first in the receiver's order: reserved
 * bits, masking, opcode, then a control frame's fragmentation and size.
 * from_client: 1 for a frame a client sent (it must be masked), 0 for a
 * server's (it must not be); compression: permessage-deflate was agreed,
 * so RSV1 may start a data message.  The rules that depend on earlier
 * frames (continuations) and on size limits are the receiver's. */
SIO_API const char *sio_ws_frame_check(const sio_ws_frame *f, int from_client, int compression);
/* A whole frame at the start of buf, without consuming it (for looking
 * ahead of a receiver): 1 with *f and *payload (still masked if it was)
 * once header and payload are all in buf, which then holds
 * f->header_len + f->length bytes of it; 0 if more bytes are needed;
 * SIO_ERR_PROTOCOL for a header sio_ws_parse_header refuses. */
SIO_API int sio_ws_peek_frame(const unsigned char *buf, size_t len, sio_ws_frame *f, const unsigned char **payload);
/* Bytes a frame with this payload takes on the wire (client frames: masked). */
SIO_API size_t sio_ws_frame_size(uint64_t payload_len, int masked);
/* Writes a frame's header alone (the mask key after it when mask is not
 * NULL), for a payload the caller writes after it; out needs 14 bytes and
 * len must be under 2^63 (RFC 6455 5.2).  Returns bytes written. */
SIO_API size_t sio_ws_encode_header(unsigned char *out, int fin, int opcode, uint64_t len,
                                    const unsigned char *mask);
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
    int compressed;              /* TEXT/BINARY: the payload is compressed (RSV1, RFC 7692) and
                                    not yet checked as UTF-8: inflate and check it above */
    uint64_t offset;             /* TEXT/BINARY with rx.parts: the message's bytes before this part */
    int final;                   /* TEXT/BINARY: the message ends here (always 1 without rx.parts) */
} sio_ws_message;

enum { SIO_WS_PARTS_OFF = 0, SIO_WS_PARTS_ALL = 1, SIO_WS_PARTS_BINARY = 2 };

/* The receiving half of a client connection: validates every RFC 6455 rule
 * for frames from a server, reassembles fragmented messages, checks text
 * UTF-8 incrementally (failing as soon as the bytes that arrived cannot be
 * valid, even inside a frame), and bounds message size. */
typedef struct sio_ws_rx {
    size_t max_message;          /* 0 = 16 MiB */
    sio_allocator allocator;
    int compression;             /* 1: permessage-deflate was agreed, RSV1 marks a compressed message */
    /* state (zero-initialise the whole struct) */
    int in_message;              /* a fragmented message is being assembled */
    int message_opcode;
    int message_compressed;      /* the message being assembled had RSV1 */
    sio_utf8 utf8;               /* validation state of the text in flight */
    uint64_t frame_checked;      /* payload bytes of the current frame already validated */
    unsigned char *buffer;       /* fragment assembly */
    size_t buffer_len, buffer_cap;
    int fail_code;               /* close code to send after an error */
    const char *error;           /* sentence naming the broken rule */
    /* parts: uncompressed data is handed over as it arrives, in parts
     * (offset, final), never assembled: no buffer and no max_message for
     * it.  A compressed message still comes whole (inflating needs it).
     * SIO_WS_PARTS_ALL, or SIO_WS_PARTS_BINARY: text messages come whole. */
    int parts;
    uint64_t frame_left;         /* parts: payload bytes of the current frame still to come */
    int frame_fin;
    uint64_t part_offset;        /* parts: bytes of the message handed over so far */
} sio_ws_rx;

/* Consumes bytes from buf[0..len) (server frames, not masked).
 * Returns 1 with *msg filled when a message or control frame completed, 0
 * when more bytes are needed (*need, if not NULL, is how many bytes counted
 * from buf + *consumed are needed to make progress), or a negative status:
 * SIO_ERR_PROTOCOL (fail_code 1002 or 1007), SIO_ERR_TOO_BIG (1009),
 * SIO_ERR_NOMEM (1011); rx->error names the cause.  *consumed is how many
 * bytes of buf were used; msg->data stays valid until the next call and
 * until those bytes of buf change.  Errors are sticky. */
SIO_API int sio_ws_rx_feed(sio_ws_rx *rx, const unsigned char *buf, size_t len,
                           size_t *consumed, size_t *need, sio_ws_message *msg);
SIO_API void sio_ws_rx_free(sio_ws_rx *rx);

#ifdef SIO_SOURCE_LINES
#line 1 "src/eio.h"
#endif
/* ---------------------------------------------------------------------- */
/* eio: Engine.IO v4 packets (carried one per WebSocket message)           */
/* ---------------------------------------------------------------------- */

enum {
    SIO_EIO_OPEN = 0,
    SIO_EIO_CLOSE = 1,
    SIO_EIO_PING = 2,
    SIO_EIO_PONG = 3,
    SIO_EIO_MESSAGE = 4,
    SIO_EIO_UPGRADE = 5,
    SIO_EIO_NOOP = 6
};

/* The open packet's JSON: {"sid","upgrades","pingInterval","pingTimeout","maxPayload"}. */
typedef struct sio_eio_open {
    char sid[64];                /* NUL-terminated */
    long ping_interval;          /* ms */
    long ping_timeout;           /* ms */
    uint64_t max_payload;        /* 0 when absent (Engine.IO v3) */
    int upgrade_websocket;       /* "websocket" listed in upgrades */
} sio_eio_open;

/* Parses the JSON after the '0' of an open packet.  Returns SIO_OK, or
 * SIO_ERR_PROTOCOL for invalid JSON, a missing/empty/over-long sid (or one
 * with control characters), or a missing, negative or absurd (> 1 day)
 * pingInterval/pingTimeout; *why names the field. */
SIO_API int sio_eio_parse_open(const char *json, size_t len, sio_eio_open *out, const char **why);

/* The next packet of a polling payload body[*pos..len).  Engine.IO 4
 * separates packets with 0x1e; Engine.IO 3 writes <length>:<packet>, the
 * length in UTF-16 code units (a JS string's length).  Returns 1 with the
 * packet at body + *off, *plen bytes long, and *pos moved past it; 0 when the
 * body is used up; SIO_ERR_PROTOCOL for a malformed v3 payload. */
SIO_API int sio_eio_payload_next(int eio, const unsigned char *body, size_t len, size_t *pos,
                                 size_t *off, size_t *plen);
/* An Engine.IO 3 payload from 0x1e-separated packets (binary ones written
 * "b<base64>" become "b4<base64>").  Returns its size; out NULL: size only. */
SIO_API size_t sio_eio_v3_encode(unsigned char *out, const unsigned char *in, size_t len);

#ifdef SIO_SOURCE_LINES
#line 1 "src/packet.h"
#endif
/* ---------------------------------------------------------------------- */
/* sio: Socket.IO v5 packet codec                                          */
/* ---------------------------------------------------------------------- */

enum {
    SIO_PACKET_CONNECT = 0,
    SIO_PACKET_DISCONNECT = 1,
    SIO_PACKET_EVENT = 2,
    SIO_PACKET_ACK = 3,
    SIO_PACKET_CONNECT_ERROR = 4,
    SIO_PACKET_BINARY_EVENT = 5,
    SIO_PACKET_BINARY_ACK = 6
};

/* A decoded packet; spans point into the decoded text. */
typedef struct sio_packet {
    int type;                    /* SIO_PACKET_* */
    unsigned attachments;        /* binary packets: attachments that follow */
    const char *ns; size_t ns_len;   /* "/" when absent */
    int has_id;
    uint64_t id;                 /* ack id */
    const char *data; size_t data_len;   /* JSON payload, len 0 when absent */
} sio_packet;

/* Decodes <type>[<n>-][<ns>,][<id>][<json>] (the text after Engine.IO's '4')
 * and applies the protocol's validity rules: CONNECT payload an object or
 * absent, DISCONNECT without payload, EVENT a non-empty array whose first
 * element is a string (not a reserved name) or a number, ACK an array,
 * CONNECT_ERROR an object, a string or absent, attachments only on binary types and at
 * most max_attachments, ack id at most 2^53, JSON valid and nested at most
 * max_depth deep.  Returns SIO_OK or SIO_ERR_PROTOCOL / SIO_ERR_TOO_BIG with
 * *why naming the rule. */
SIO_API int sio_packet_decode(sio_packet *p, const char *text, size_t len, unsigned max_attachments,
                              unsigned max_depth, const char **why);
/* Writes the packet header "<type>[<n>-][<ns>,][<id>]" (ns "/" is omitted);
 * out needs 48 + strlen(ns) bytes.  Returns the length. */
SIO_API size_t sio_packet_encode_header(char *out, int type, unsigned attachments, const char *ns,
                                        int has_id, uint64_t id);

#ifdef SIO_SOURCE_LINES
#line 1 "src/json.h"
#endif
/* ---------------------------------------------------------------------- */
/* json: validator, reader and writer (no allocation except the writer's  */
/* optional growth)                                                        */
/* ---------------------------------------------------------------------- */

typedef enum sio_json_type {
    SIO_JSON_INVALID = 0,
    SIO_JSON_NULL,
    SIO_JSON_FALSE,
    SIO_JSON_TRUE,
    SIO_JSON_NUMBER,
    SIO_JSON_STRING,
    SIO_JSON_ARRAY,
    SIO_JSON_OBJECT
} sio_json_type;

/* One JSON value: a span of validated text. */
typedef struct sio_json {
    const char *text;
    size_t len;
} sio_json;

#define SIO_JSON_DEFAULT_DEPTH 64

/* Checks that text[0..len) is exactly one JSON value (RFC 8259, UTF-8,
 * surrounding whitespace allowed), nested at most max_depth deep (0: 64).
 * Iterative: deep nesting cannot exhaust the stack.  Returns SIO_OK,
 * SIO_ERR_PROTOCOL (invalid; *error_at = byte offset) or SIO_ERR_TOO_BIG. */
SIO_API int sio_json_validate(const char *text, size_t len, unsigned max_depth, size_t *error_at);
/* The readers below expect validated text. */
SIO_API sio_json sio_json_make(const char *text, size_t len);   /* trims whitespace */
SIO_API sio_json_type sio_json_typeof(sio_json v);

/* Iterates the members of an array or object. */
typedef struct sio_json_iter {
    const char *p, *end;
    int object;
} sio_json_iter;
SIO_API int sio_json_iter_init(sio_json_iter *it, sio_json container);   /* SIO_OK or SIO_ERR_INVALID */
/* Returns 1 with the next member (key is NULL-able; arrays give key.len 0), 0 at the end. */
SIO_API int sio_json_iter_next(sio_json_iter *it, sio_json *key, sio_json *value);
SIO_API int sio_json_find(sio_json object, const char *key, sio_json *value);   /* 1 found, 0 not */
SIO_API int sio_json_at(sio_json array, size_t index, sio_json *value);        /* 1 found, 0 not */
/* Unescapes a string value into out (NUL-terminated, \u escapes and
 * surrogate pairs to UTF-8; a lone surrogate becomes U+FFFD).  *len gets
 * the full length even when cap was too small; returns SIO_OK,
 * SIO_ERR_INVALID (not a string) or SIO_ERR_TOO_BIG (truncated). */
SIO_API int sio_json_string(sio_json v, char *out, size_t cap, size_t *len);
SIO_API int sio_json_number(sio_json v, double *out);            /* SIO_OK or SIO_ERR_INVALID */
SIO_API int sio_json_string_equals(sio_json v, const char *s);   /* 1 if a string equal to s */

/* Builds JSON text.  Give a buffer (fixed: overflow sets error
 * SIO_ERR_TOO_BIG) or none (grows through allocator).  Commas are inserted
 * for you; after sio_jw_key() comes the member's value. */
typedef struct sio_json_writer {
    char *buf;
    size_t len, cap;
    int error;                   /* first failure, SIO_OK while fine */
    int growable;
    sio_allocator allocator;
    unsigned depth;
    unsigned char need_comma[SIO_JSON_DEFAULT_DEPTH + 2];
} sio_json_writer;

SIO_API void sio_jw_init(sio_json_writer *w, char *buf, size_t cap);   /* buf NULL: growable */
SIO_API void sio_jw_free(sio_json_writer *w);                          /* growable buffers */
SIO_API void sio_jw_array_begin(sio_json_writer *w);
SIO_API void sio_jw_array_end(sio_json_writer *w);
SIO_API void sio_jw_object_begin(sio_json_writer *w);
SIO_API void sio_jw_object_end(sio_json_writer *w);
SIO_API void sio_jw_key(sio_json_writer *w, const char *key);
SIO_API void sio_jw_string(sio_json_writer *w, const char *s, size_t len);   /* escapes; invalid UTF-8 -> U+FFFD */
SIO_API void sio_jw_cstring(sio_json_writer *w, const char *s);
SIO_API void sio_jw_number(sio_json_writer *w, double v);   /* NaN/Inf -> null, as JSON.stringify */
SIO_API void sio_jw_integer(sio_json_writer *w, long long v);
SIO_API void sio_jw_bool(sio_json_writer *w, int v);
SIO_API void sio_jw_null(sio_json_writer *w);
SIO_API void sio_jw_raw(sio_json_writer *w, const char *json, size_t len);   /* a value already encoded */
SIO_API void sio_jw_placeholder(sio_json_writer *w, unsigned num);          /* {"_placeholder":true,"num":n} */
/* The NUL-terminated text, or NULL when error is set. */
SIO_API const char *sio_jw_result(const sio_json_writer *w, size_t *len);

#ifdef SIO_SOURCE_LINES
#line 1 "src/platform.h"
#endif
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
typedef struct sio_ready {
    void *tag;
    int revents;                  /* SIO_WAIT_READ | SIO_WAIT_WRITE */
} sio_ready;

typedef struct sio_platform {
    void *user;
    /* Starts a non-blocking TCP connection to the attempt-th address of host
     * (0 = first).  SIO_OK: *sock is connecting or connected.
     * SIO_ERR_NO_ADDRESS: attempt is past the last address (or the name
     * does not resolve; err then says why).  Other
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
    /* Optional (NULL: sio_set waits with wait() over every socket): a
     * readiness poller such as epoll.  poller_update registers, changes
     * (old_events != 0) or removes (new_events 0) a socket's interest;
     * poller_wait fills up to max ready items (the tag given at
     * registration, revents) and returns how many, 0 on timeout. */
    void *(*poller_open)(void *user);
    int (*poller_update)(void *user, void *poller, sio_socket sock, int old_events, int new_events, void *tag);
    int (*poller_wait)(void *user, void *poller, sio_ready *out, size_t max, int timeout_ms);
    void (*poller_close)(void *user, void *poller);
    /* Optional non-blocking name resolution (NULL: connect() resolves names
     * itself, which may block).  hosts_lookup copies the index-th address of
     * name in the hosts file to out and returns 1, or 0 when there is none.
     * dns_open opens a non-blocking UDP socket connected to port (53 unless
     * sio_config.dns_server names another) of server (an IP address as
     * text: the client splits sio_config.dns_server) or, with server NULL,
     * of the index-th nameserver of the system (SIO_ERR_NO_ADDRESS past the
     * last); send/recv/close then serve it as any socket. */
    int (*hosts_lookup)(void *user, const char *name, unsigned index, char *out, size_t out_size);
    int (*dns_open)(void *user, const char *server, unsigned short port, unsigned index, sio_socket *sock, char *err,
                    size_t err_size);
} sio_platform;

/* Defined by the platform file (sio_impl_posix.c, sio_impl_win32.c, yours). */
SIO_API const sio_platform *sio_platform_default(void);

#ifdef SIO_SOURCE_LINES
#line 1 "src/tls.h"
#endif
/* ---------------------------------------------------------------------- */
/* tls: the plug-in interface between the socket and HTTP                 */
/* ---------------------------------------------------------------------- */

/* A TLS backend is a sans-I/O engine: it never touches the socket.  The
 * client moves ciphertext between the socket and the engine's record
 * buffers, and plaintext between the engine's application buffers and the
 * HTTP/WebSocket layers.  Each *_buf call returns a buffer (NULL or a zero
 * length when there is nothing to give or no room now); the matching *_done
 * call says how many bytes were used.  This is BearSSL's engine shape, and
 * OpenSSL/mbedTLS/wolfSSL fit it with memory BIOs or custom I/O callbacks;
 * examples/tls_custom_backend.c is a complete (pass-through) backend. */
/* A build with a bundled backend (BearSSL, OpenSSL, mbedTLS): a secure URL works
 * with sio_config.tls NULL. */
#if defined(SIO_WITH_BEARSSL) || defined(SIO_WITH_OPENSSL) || defined(SIO_WITH_MBEDTLS)
#define SIO__WITH_TLS 1
#else
#define SIO__WITH_TLS 0
#endif

/* TLS versions, for the backends' min_version. */
#define SIO_TLS_1_0 0x0301
#define SIO_TLS_1_1 0x0302
#define SIO_TLS_1_2 0x0303
#define SIO_TLS_1_3 0x0304

/* The first system trust store tried when no CA is given (after
 * SSL_CERT_FILE and SSL_CERT_DIR), by the backends that read PEM bundles. */
#ifndef SIO_DEFAULT_CA_FILE
#ifdef SIO_BEARSSL_DEFAULT_CA_FILE                  /* its name before 0.3 */
#define SIO_DEFAULT_CA_FILE SIO_BEARSSL_DEFAULT_CA_FILE
#else
#define SIO_DEFAULT_CA_FILE "/etc/ssl/certs/ca-certificates.crt"
#endif
#endif

/* Certificate pinning, for every TLS backend: a pin is "sha256/" and the
 * base64 of the SHA-256 of a server key's DER SubjectPublicKeyInfo (as
 * HPKP and OkHttp write it; `openssl x509 -pubkey -noout | openssl pkey
 * -pubin -outform der | openssl dgst -sha256 -binary | base64`).  Returns
 * 1 and the 32 bytes in hash, or 0 when pin is not one.  Backends compare
 * the server certificate's key (sio_x509_spki) with them. */
SIO_API int sio_tls_pin_parse(const char *pin, unsigned char hash[32]);

typedef struct sio_tls {
    void *user;
    /* A session for one connection: host is the URL's host (SNI and the
     * certificate name check).  NULL on failure, err says why. */
    void *(*open)(void *user, const char *host, char *err, size_t err_size);
    void (*close)(void *session);
    unsigned char *(*recv_buf)(void *session, size_t *room);        /* ciphertext from the network */
    void (*recv_done)(void *session, size_t len);
    const unsigned char *(*send_buf)(void *session, size_t *len);   /* ciphertext for the network */
    void (*send_done)(void *session, size_t len);
    const unsigned char *(*read_buf)(void *session, size_t *len);   /* plaintext received */
    void (*read_done)(void *session, size_t len);
    /* Plaintext to send, and flush it.  send_buf must show all the
     * ciphertext the engine holds: the client learns from it when a ping
     * has left.  An engine that keeps more elsewhere (OpenSSL's BIO,
     * mbedTLS's record) offers room here only while send_buf is empty. */
    unsigned char *(*write_buf)(void *session, size_t *room);
    void (*write_done)(void *session, size_t len);
    /* 0 running, 1 closed cleanly, negative: failed and err names the
     * cause ("certificate chain is not trusted", ...). */
    int (*status)(void *session, char *err, size_t err_size);
} sio_tls;

#ifdef SIO_SOURCE_LINES
#line 1 "src/bearssl.h"
#endif
#ifdef SIO_WITH_BEARSSL
/* The BearSSL backend (define SIO_WITH_BEARSSL everywhere, link -lbearssl).
 * Verification is on unless insecure_skip_verify is set: the chain must
 * lead to one of the trust anchors; the server's certificate must match the
 * URL's host (a DNS name, or for an IP address host one of its IP address
 * SANs), be within its validity period, and when it has an Extended Key
 * Usage, allow serverAuth.  The policy by default: TLS 1.2, ECDHE key
 * exchange with AEAD suites only (forward secrecy), renegotiation refused,
 * no SNI for IP address hosts (RFC 6066 3).  Each relaxation is a field
 * below.  Not checked: revocation (CRL, OCSP) and name constraints. */
typedef struct sio_bearssl_config {
    const char *ca_file;             /* PEM trust anchors; NULL and no ca_pem: the system's store
                                        (SSL_CERT_FILE, SSL_CERT_DIR, then the usual bundles of
                                        Debian, Fedora/RHEL, SUSE, Alpine, macOS, FreeBSD) */
    const char *ca_pem;              /* or PEM text in memory */
    size_t ca_pem_len;
    int insecure_skip_verify;        /* DANGER: accept any certificate (tests, debugging) */
    const char *cert_file;           /* client certificate chain (PEM), for mutual TLS */
    const char *key_file;            /* its private key (PEM: RSA or EC, PKCS#1, SEC1 or PKCS#8) */
    int half_duplex;                 /* one 16.7 KiB buffer instead of 16.7 + 16.4 KiB per connection */
    sio_allocator allocator;
    /* Relaxations of the policy, each off by default (for old servers only): */
    unsigned min_version;            /* 0: TLS 1.2; SIO_TLS_1_0 or SIO_TLS_1_1 also allows those,
                                        with their ECDHE CBC suites */
    int allow_legacy_suites;         /* every suite BearSSL has: static RSA (no forward secrecy), CBC */
    int allow_renegotiation;         /* honour the server's renegotiation requests */
    int allow_any_eku;               /* accept a certificate whose Extended Key Usage lacks serverAuth */
    /* Checked after the rest (not with insecure_skip_verify): */
    const char *const *pins;         /* "sha256/BASE64" each (sio_tls_pin_parse): the server's key
                                        must be one of them */
    size_t pin_count;
    int pins_instead_of_chain;       /* the pins stand in for trust anchors: a chain that leads to
                                        none is accepted when the server's key is pinned (its name,
                                        validity and usage are still checked); no trust store is
                                        loaded unless ca_file or ca_pem is given */
    /* Last, with the server's certificate (DER) once every check passed:
     * nonzero refuses it, for the reason written into why. */
    int (*verify)(void *verify_user, const char *host, const unsigned char *der, size_t len,
                  char *why, size_t why_size);
    void *verify_user;
} sio_bearssl_config;

typedef struct sio_bearssl sio_bearssl;
/* Loads anchors and the client key once; the returned table serves any
 * number of connections (sio_config.tls).  Returns SIO_OK, or SIO_ERR_TLS /
 * SIO_ERR_IO / SIO_ERR_NOMEM with err naming the file and the problem. */
SIO_API int sio_bearssl_create(const sio_bearssl_config *cfg, sio_bearssl **out, char *err, size_t err_size);
SIO_API const sio_tls *sio_bearssl_tls(const sio_bearssl *b);
SIO_API void sio_bearssl_destroy(sio_bearssl *b);   /* after every client using it */
#endif

#ifdef SIO_SOURCE_LINES
#line 1 "src/openssl.h"
#endif
#ifdef SIO_WITH_OPENSSL
/* The OpenSSL backend (define SIO_WITH_OPENSSL everywhere, link -lssl
 * -lcrypto; OpenSSL 1.1.1 or 3.x).  The policy: TLS 1.2 and 1.3, OpenSSL's
 * default suites at its default security level; verification on unless
 * insecure_skip_verify: the chain must lead to a trust anchor, the
 * server's certificate must match the URL's host (a DNS name, or for an
 * IP address host one of its IP address SANs), be within its validity
 * period and allow serverAuth; no SNI for IP address hosts (RFC 6066 3);
 * ALPN offers http/1.1.  Errors use the BearSSL backend's sentences.
 * OpenSSL allocates its own memory (the allocator below serves only this
 * backend's own structures: OpenSSL's hooks are process-wide). */
typedef struct sio_openssl_config {
    const char *ca_file;             /* PEM trust anchors; NULL and no ca_pem: OpenSSL's default
                                        store (SSL_CERT_FILE, SSL_CERT_DIR, then its built-in paths) */
    const char *ca_pem;              /* or PEM text in memory */
    size_t ca_pem_len;
    int insecure_skip_verify;        /* DANGER: accept any certificate (tests, debugging) */
    const char *cert_file;           /* client certificate chain (PEM), for mutual TLS */
    const char *key_file;            /* its private key (PEM) */
    sio_allocator allocator;
    unsigned min_version;            /* 0: TLS 1.2; SIO_TLS_1_3 refuses TLS 1.2 servers */
    /* Checked after the rest, as with BearSSL (not with insecure_skip_verify): */
    const char *const *pins;         /* "sha256/BASE64" each (sio_tls_pin_parse) */
    size_t pin_count;
    int pins_instead_of_chain;       /* the pins stand in for trust anchors (name, validity and
                                        usage still checked) */
    int (*verify)(void *verify_user, const char *host, const unsigned char *der, size_t len,
                  char *why, size_t why_size);
    void *verify_user;
} sio_openssl_config;

typedef struct sio_openssl sio_openssl;
/* Loads anchors and the client certificate once; the table serves any
 * number of connections (sio_config.tls).  Returns SIO_OK, or SIO_ERR_TLS /
 * SIO_ERR_IO / SIO_ERR_INVALID / SIO_ERR_NOMEM with err saying why. */
SIO_API int sio_openssl_create(const sio_openssl_config *cfg, sio_openssl **out, char *err, size_t err_size);
SIO_API const sio_tls *sio_openssl_tls(const sio_openssl *o);
SIO_API void sio_openssl_destroy(sio_openssl *o);   /* after every client using it */
#endif
#ifdef SIO_SOURCE_LINES
#line 1 "src/mbedtls.h"
#endif
#ifdef SIO_WITH_MBEDTLS
/* The mbedTLS backend (define SIO_WITH_MBEDTLS everywhere, link -lmbedtls
 * -lmbedx509 -lmbedcrypto): mbedTLS 2.28 (Debian's; tested here) and 3.x
 * behind version checks (3.0 to 3.6 compile; 3.6.6 run by hand: README).  The
 * policy and sentences of the other backends: TLS 1.2 with ECDHE and AEAD
 * (and TLS 1.3 where the mbedTLS build has it); verification on unless
 * insecure_skip_verify (chain to a trust anchor, host name, or for an IP
 * address host its IP address SANs, validity, serverAuth usage); no SNI
 * for IP address hosts; ALPN offers http/1.1.  Trust anchors when none is
 * given: SSL_CERT_FILE, SSL_CERT_DIR, then the system bundles the BearSSL
 * backend knows.  mbedTLS allocates through its own hooks (process-wide);
 * the allocator below serves this backend's own structures. */
typedef struct sio_mbedtls_config {
    const char *ca_file;             /* PEM trust anchors; NULL and no ca_pem: the system's */
    const char *ca_pem;              /* or PEM text in memory */
    size_t ca_pem_len;
    int insecure_skip_verify;        /* DANGER: accept any certificate (tests, debugging) */
    const char *cert_file;           /* client certificate chain (PEM), for mutual TLS */
    const char *key_file;            /* its private key (PEM) */
    sio_allocator allocator;
    /* Checked after the rest, as with the other backends (not with insecure_skip_verify): */
    const char *const *pins;         /* "sha256/BASE64" each (sio_tls_pin_parse) */
    size_t pin_count;
    int pins_instead_of_chain;       /* the pins stand in for trust anchors (name, validity and
                                        usage still checked) */
    int (*verify)(void *verify_user, const char *host, const unsigned char *der, size_t len,
                  char *why, size_t why_size);
    void *verify_user;
} sio_mbedtls_config;

typedef struct sio_mbedtls sio_mbedtls;
/* Loads anchors and the client certificate once, and seeds the random
 * generator; the table serves any number of connections in one thread
 * (sio_config.tls).  Returns SIO_OK, or an error with err saying why. */
SIO_API int sio_mbedtls_create(const sio_mbedtls_config *cfg, sio_mbedtls **out, char *err, size_t err_size);
SIO_API const sio_tls *sio_mbedtls_tls(const sio_mbedtls *m);
SIO_API void sio_mbedtls_destroy(sio_mbedtls *m);   /* after every client using it */
#endif
#ifdef SIO_SOURCE_LINES
#line 1 "src/client.h"
#endif
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
#ifdef SIO_SOURCE_LINES
#line 1 "src/client_api.h"
#endif
/* ---------------------------------------------------------------------- */
/* client_api: create, start, poll, send, stop; what the client waits for */
/* ---------------------------------------------------------------------- */

SIO_API int sio_create(const sio_config *cfg, sio_client **out);
SIO_API void sio_destroy(sio_client *c);                 /* at any time */
/* SIO_ERR_STATE unless idle, or while a CLOSE the event queue had no
 * memory for is still to be polled; SIO_ERR_FULL while more events wait to
 * be polled than a run may add to (8, for Socket.IO plus max_pending_acks
 * + 4 x max_namespaces + 8): sio_start, sio_join, sio_emit* and sio_queue_load refuse new work
 * then, so a program that does not poll cannot grow the queue without end. */
SIO_API int sio_start(sio_client *c);
SIO_API int sio_stop(sio_client *c);                     /* close 1000 */
SIO_API int sio_close(sio_client *c, int code, const char *reason);
SIO_API int sio_send_text(sio_client *c, const char *text, size_t len);  /* must be UTF-8 */
SIO_API int sio_send_binary(sio_client *c, const void *data, size_t len);
SIO_API int sio_send_ping(sio_client *c, const void *data, size_t len); /* <= 125 bytes */
/* One message in parts, for messages larger than the memory at hand (a
 * firmware image): begin, then parts as they are ready, then end.  Each
 * part goes out as one or more fragments at once (uncompressed); a part
 * that does not fit max_send_queue now is refused (SIO_ERR_FULL: poll and
 * offer it again), text parts must be UTF-8 taken together (a character
 * may span parts; SIO_ERR_INVALID, nothing sent, otherwise).  Until end,
 * other messages are refused (SIO_ERR_STATE); pings may go between.  A
 * connection that ends takes the message with it (SIO_ERR_STATE then).
 * Socket.IO: the attachments of an emit made with attachment_count and
 * attachments NULL (over WebSocket, its namespace connected, no retries;
 * SIO_ERR_STATE otherwise, after joining a namespace not joined yet),
 * binary, one message each, in order.  Until the last ends, the other
 * packets (emits, acks, the answers to the server's pings; with Engine.IO
 * 3 the client's pings, whose pong is awaited from when they leave) wait
 * behind them, within max_send_queue and counted by sio_queued_bytes:
 * send them promptly, as a server that waits longer than its pingTimeout
 * drops the connection.  The parts have a max_send_queue of their own (all
 * of it whenever the link is empty, so the attachment always moves):
 * sio_queued_bytes may reach twice max_send_queue meanwhile, and stays
 * above max_send_queue after the last until the link drains (emits are
 * refused, SIO_ERR_FULL, the server's pings still answered).  A part that
 * would take an attachment past the server's maxPayload is refused
 * (SIO_ERR_TOO_BIG).  sio_stop/sio_close meanwhile (or leaving the last
 * namespace) waits for the last to end while parts keep coming: what was
 * accepted goes first, then the namespaces' DISCONNECT and the close.
 * Called again before that, or close_timeout ms without a part, it closes
 * at once, and the emit and what waited behind it are not sent (an ERROR,
 * SIO_ERR_CLOSED, says so).  Joining a namespace meanwhile calls off the
 * close that leaving the last one began. */
SIO_API int sio_send_begin(sio_client *c, int binary);
SIO_API int sio_send_part(sio_client *c, const void *data, size_t len);
SIO_API int sio_send_end(sio_client *c);
/* Replace the extra handshake headers ("Name: value") or query entries
 * ("k=v"; for WebSocket after the URL's own query) sio_create copied from
 * the config, for every handshake from the next one on: in any state, also
 * while RECONNECTING (a token that expired).  For a Socket.IO namespace's
 * auth, sio_join(c, ns, auth) again.  SIO_ERR_INVALID for a malformed one
 * (nothing changes). */
SIO_API int sio_set_headers(sio_client *c, const char *const *headers, size_t count);
SIO_API int sio_set_query(sio_client *c, const char *const *query, size_t count);

/* Does pending work; returns 1 with *ev filled, 0 if no event came within
 * timeout_ms (0: do not block; -1: wait forever), or a negative status for
 * bad arguments. */
SIO_API int sio_poll(sio_client *c, sio_event *ev, int timeout_ms);
/* The same over a few clients (an array): the next event of any of them. */
SIO_API int sio_poll_clients(sio_client *const *clients, size_t count, sio_event *ev, int timeout_ms);
/* Deprecated (0.x only): the old name of sio_poll_clients, easily taken
 * for sio_set_poll (a sio_set).  It stays until 1.0. */
SIO_API int sio_poll_set(sio_client *const *clients, size_t count, sio_event *ev, int timeout_ms);

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
/* The URL the client connects to: sio_config.url until a handshake was
 * redirected, then the URL it was sent to (reconnections use it too). */
SIO_API const char *sio_url_of(const sio_client *c);

/* The server's answer to the handshake of this run (the WebSocket's 101,
 * or the Engine.IO handshake's 200 over polling): kept for a refusal (401,
 * 403, ...) always, for an accepted one when sio_config.keep_handshake is
 * set; until the next sio_start.  The head can be read with
 * sio_http_parse_response / sio_http_find_header. */
typedef struct sio_handshake_response {
    int status;                        /* the HTTP status */
    const char *head;                  /* status line and headers, through the blank line */
    size_t head_len;
    const char *body;                  /* a refusal's body, as far as it came with the head */
    size_t body_len;                   /* (at most SIO_HANDSHAKE_BODY_MAX bytes) */
} sio_handshake_response;
/* SIO_OK with *out filled, or SIO_ERR_STATE when none is kept. */
SIO_API int sio_handshake(const sio_client *c, sio_handshake_response *out);
/* Bytes accepted for sending and not yet handed to the kernel (with
 * attachments sent in parts, also what waits behind them). */
SIO_API size_t sio_queued_bytes(const sio_client *c);
/* Heap bytes this client holds now (not counting a TLS backend's session).
 * Buffers grow with the traffic and shrink back to a few KiB when idle. */
SIO_API size_t sio_memory(const sio_client *c);
/* The most heap a client made with cfg can ever hold at once, from its
 * limits (max_message, max_handshake, max_send_queue, max_attachments,
 * max_namespaces, max_pending_acks) and its strings: every buffer at the
 * size its limit lets it reach, doubled where it grows by doubling, and
 * what a step holds for a moment (a parsed response head, the deflater's
 * tables).  Not counted: a TLS backend's sessions (section 7), strings
 * the program adds later (sio_join's auth, sio_subscribe's names,
 * sio_set_headers), and sio_poll_clients' list for more than 5 clients.
 * (size_t)-1 when it does not fit a size_t. */
SIO_API size_t sio_memory_bound(const sio_config *cfg);
#ifdef SIO_SOURCE_LINES
#line 1 "src/socketio_api.h"
#endif
/* ---------------------------------------------------------------------- */
/* socketio_api: namespaces, emits, acks, subscriptions                   */
/* ---------------------------------------------------------------------- */

/* Socket.IO mode.  ns NULL means the URL's namespace.  Every call only
 * queues: packets for a namespace wait (in order) until its CONNECT reply.
 * A join or leave whose CONNECT or DISCONNECT finds the send queue full
 * (the server reads nothing) ends the connection (ERROR, SIO_ERR_FULL),
 * as a ping it cannot answer does; the join or leave holds for the next. */
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
    const sio_bytes *attachments; /* attachment N for placeholder N; NULL with attachment_count:
                                     they follow in parts, sio_send_begin(c, 1)/part/end each */
    size_t attachment_count;
    int ack;                      /* ask for an ack: an SIO_EVENT_ACK follows */
    int ack_timeout_ms;           /* with ack: 0 = wait as long as the connection lives; with
                                     sio_config.retries: each try's wait (0: its ack_timeout_ms) */
    int is_volatile;              /* drop instead of queueing when not connected */
} sio_emit_options;
/* Returns SIO_OK (and the ack id when asked), SIO_ERR_INVALID (reserved or
 * empty name, args not a JSON array), SIO_ERR_FULL (queue or ack limits),
 * SIO_ERR_TOO_BIG (more attachments than max_attachments, or a packet over
 * the server's maxPayload, which it would drop with the connection). */
SIO_API int sio_emit_ex(sio_client *c, const sio_emit_options *o, int64_t *ack_id);
/* Answers an EVENT whose ack_id >= 0 (at most once); the same statuses
 * (SIO_ERR_TOO_BIG for more attachments than max_attachments). */
SIO_API int sio_ack(sio_client *c, const sio_event *ev, const char *args_json,
                    const sio_bytes *attachments, size_t attachment_count);
/* Subscriptions: while a namespace has subscriptions only
 * those events are delivered; without any, every event is (catch-all).
 * Subscribing joins the namespace if needed. */
SIO_API int sio_subscribe(sio_client *c, const char *ns, const char *event);
SIO_API int sio_unsubscribe(sio_client *c, const char *ns, const char *event);

/* At-least-once emits kept across a restart (sio_config.retries): the
 * emits not yet acknowledged, in order, as a blob for a file or flash.
 * sio_queue_save writes it into out (cap bytes) and its size into *len;
 * with out NULL or cap too small it only says the size (SIO_ERR_FULL).
 * sio_queue_load, on a client with retries, appends a saved queue to its
 * emits: each keeps its id and goes when its namespace connects (joined
 * if needed); the tries start over, each waiting this client's
 * ack_timeout_ms (an emit's own timeout is not saved).  SIO_ERR_INVALID for bytes that are
 * not a whole blob (cut short, changed), SIO_ERR_STATE when an id is in
 * use, SIO_ERR_FULL over max_send_queue or max_pending_acks; on any error
 * nothing is loaded. */
SIO_API int sio_queue_save(const sio_client *c, unsigned char *out, size_t cap, size_t *len);
SIO_API int sio_queue_load(sio_client *c, const unsigned char *blob, size_t len);
#ifdef SIO_SOURCE_LINES
#line 1 "src/set.h"
#endif
/* ---------------------------------------------------------------------- */
/* set: many clients driven from one thread                               */
/* ---------------------------------------------------------------------- */

/* Sets: many clients driven from one thread (thousands).  A client belongs
 * to at most one set; all of a set's clients share one platform.
 * sio_set_poll returns the next event of any client, like sio_poll_clients,
 * but a wake-up costs work only for the clients that are ready (epoll on
 * Linux, a timer heap).  sio_destroy() takes a client out of its set. */
SIO_API int sio_set_create(const sio_allocator *alloc, sio_set **out);   /* alloc NULL: default */
SIO_API int sio_set_add(sio_set *s, sio_client *c);
SIO_API int sio_set_remove(sio_set *s, sio_client *c);
SIO_API int sio_set_poll(sio_set *s, sio_event *ev, int timeout_ms);
SIO_API size_t sio_set_count(const sio_set *s);
SIO_API void sio_set_destroy(sio_set *s);               /* after removing or destroying its clients */
#ifdef SIO_SOURCE_LINES
#line 1 "src/end.h"
#endif
#ifdef __cplusplus
}
#endif

#endif /* SIO_H */

#ifdef SIO_SOURCE_LINES
#line 1 "src/common.c"
#endif
/* ====================================================================== */
/* Implementation                                                          */
/* ====================================================================== */
#ifdef SIO_IMPLEMENTATION
#ifndef SIO__IMPLEMENTED
#define SIO__IMPLEMENTED

#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <locale.h>

#if !defined(SIO_REALLOC) || !defined(SIO_FREE)
#include <stdlib.h>
#define SIO_REALLOC(p, n) realloc((p), (n))
#define SIO_FREE(p) free(p)
#endif
#ifndef SIO_ASSERT
#include <assert.h>
#define SIO_ASSERT(x) assert(x)
#endif
/* Masking 16 bytes at a time where the compiler offers SSE2 or NEON, 32
 * with AVX2 (-mavx2, -march=native); the word-at-a-time loop stays as the
 * fallback and for tails.  SIO_NO_SIMD turns it off. */
#if !defined(SIO_NO_SIMD) && defined(__AVX2__)
#include <immintrin.h>
#define SIO__SIMD_AVX2 1
#define SIO__SIMD_SSE2 1
#elif !defined(SIO_NO_SIMD) && (defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2))
#include <emmintrin.h>
#define SIO__SIMD_SSE2 1
#elif !defined(SIO_NO_SIMD) && defined(__ARM_NEON)
#include <arm_neon.h>
#define SIO__SIMD_NEON 1
#endif

/* Build options, defined where the implementation is compiled.
 * SIO_NO_SOCKETIO leaves the Socket.IO client out (a WebSocket-only build). */
#ifdef SIO_NO_SOCKETIO
#define SIO__WITH_SOCKETIO 0
#else
#define SIO__WITH_SOCKETIO 1
#endif
/* SIO_NO_POLLING leaves HTTP long-polling and the upgrade out (Socket.IO
 * over WebSocket only); SIO_NO_DNS leaves the client's own resolver out
 * (names go to the platform's connect, which may block): its code is in
 * #if SIO__WITH_DNS blocks. */
#if defined(SIO_NO_POLLING)
#define SIO__WITH_POLLING 0
#else
#define SIO__WITH_POLLING SIO__WITH_SOCKETIO
#endif
#if defined(SIO_NO_DNS)
#define SIO__WITH_DNS 0
#else
#define SIO__WITH_DNS 1
#endif
/* SIO_NO_PROXY leaves the links' proxy stage out (the proxy codecs stay,
 * unused): sio_create refuses a proxy instead of connecting around it. */
#if defined(SIO_NO_PROXY)
#define SIO__WITH_PROXY 0
#else
#define SIO__WITH_PROXY 1
#endif

/* SIO_NO_DEFLATE leaves permessage-deflate and its codec out. */
#if defined(SIO_NO_DEFLATE)
#define SIO__WITH_DEFLATE 0
#else
#define SIO__WITH_DEFLATE 1
#endif

#define SIO__DEFLATE_THRESHOLD 128   /* shorter messages rarely shrink enough to pay */
#define SIO__CONNECT_RECHECK_MS 250

/* The limits a zero in sio_config stands for.  Define any of these where the
 * implementation is compiled to change them (the ESP-IDF and Zephyr ports
 * take them from Kconfig); SIO_SMALL_TARGET picks limits for a device with a
 * few hundred KB of RAM.  SIO_READ_MAX is the largest single read (reads
 * start at 2 KiB and double while a stream fills them). */
#if defined(SIO_SMALL_TARGET)
#ifndef SIO_DEFAULT_MAX_MESSAGE
#define SIO_DEFAULT_MAX_MESSAGE 16384
#endif
#ifndef SIO_DEFAULT_MAX_HANDSHAKE
#define SIO_DEFAULT_MAX_HANDSHAKE 4096
#endif
#ifndef SIO_DEFAULT_MAX_SEND_QUEUE
#define SIO_DEFAULT_MAX_SEND_QUEUE 16384
#endif
#ifndef SIO_DEFAULT_MAX_ATTACHMENTS
#define SIO_DEFAULT_MAX_ATTACHMENTS 2
#endif
#ifndef SIO_DEFAULT_MAX_NAMESPACES
#define SIO_DEFAULT_MAX_NAMESPACES 4
#endif
#ifndef SIO_DEFAULT_MAX_PENDING_ACKS
#define SIO_DEFAULT_MAX_PENDING_ACKS 16
#endif
#ifndef SIO_DEFAULT_MAX_JSON_DEPTH
#define SIO_DEFAULT_MAX_JSON_DEPTH 16
#endif
#ifndef SIO_READ_MAX
#define SIO_READ_MAX 4096
#endif
#endif
#ifndef SIO_DEFAULT_MAX_MESSAGE
#define SIO_DEFAULT_MAX_MESSAGE 16777216
#endif
#ifndef SIO_DEFAULT_MAX_HANDSHAKE
#define SIO_DEFAULT_MAX_HANDSHAKE 16384
#endif
#ifndef SIO_DEFAULT_MAX_SEND_QUEUE
#define SIO_DEFAULT_MAX_SEND_QUEUE 67108864
#endif
#ifndef SIO_DEFAULT_MAX_ATTACHMENTS
#define SIO_DEFAULT_MAX_ATTACHMENTS 10   /* as socket.io-parser */
#endif
#ifndef SIO_DEFAULT_MAX_NAMESPACES
#define SIO_DEFAULT_MAX_NAMESPACES 32
#endif
#ifndef SIO_DEFAULT_MAX_PENDING_ACKS
#define SIO_DEFAULT_MAX_PENDING_ACKS 1024
#endif
#ifndef SIO_READ_MAX
#define SIO_READ_MAX 65536
#endif
#if SIO_DEFAULT_MAX_MESSAGE < 1 || SIO_DEFAULT_MAX_HANDSHAKE < 256 || SIO_DEFAULT_MAX_SEND_QUEUE < 1 || \
    SIO_DEFAULT_MAX_ATTACHMENTS < 1 || SIO_DEFAULT_MAX_NAMESPACES < 1 || SIO_DEFAULT_MAX_PENDING_ACKS < 1 || \
    SIO_READ_MAX < 512
#error "sio: a SIO_DEFAULT_MAX_* limit or SIO_READ_MAX is below its minimum"
#endif
#define SIO__DEFAULT_MAX_MESSAGE ((size_t)SIO_DEFAULT_MAX_MESSAGE)
#define SIO__DEFAULT_MAX_HANDSHAKE ((size_t)SIO_DEFAULT_MAX_HANDSHAKE)
#define SIO__DEFAULT_MAX_SEND_QUEUE ((size_t)SIO_DEFAULT_MAX_SEND_QUEUE)
#define SIO__DEFAULT_CONNECT_TIMEOUT 10000
#define SIO__DEFAULT_CLOSE_TIMEOUT 5000
#define SIO__DEFAULT_PONG_TIMEOUT 10000

#ifdef __cplusplus
extern "C" {
#endif

#define SIO__TEXT_OF(x) #x
#define SIO__VERSION_TEXT(a, b, c) SIO__TEXT_OF(a) "." SIO__TEXT_OF(b) "." SIO__TEXT_OF(c)
SIO_API const char *sio_version(void)
{
    return SIO__VERSION_TEXT(SIO_VERSION_MAJOR, SIO_VERSION_MINOR, SIO_VERSION_PATCH);
}

SIO_API const char *sio_status_text(int status)
{
    switch (status) {
    case SIO_OK: return "ok";
    case SIO_ERR_INVALID: return "invalid argument";
    case SIO_ERR_NOMEM: return "out of memory";
    case SIO_ERR_STATE: return "not possible in the current state";
    case SIO_ERR_FULL: return "send queue full";
    case SIO_ERR_URL: return "bad or unsupported URL";
    case SIO_ERR_TLS: return "TLS failure or TLS not available";
    case SIO_ERR_PROTOCOL: return "protocol violation by the peer";
    case SIO_ERR_AGAIN: return "operation would block";
    case SIO_ERR_IO: return "I/O error";
    case SIO_ERR_TIMEOUT: return "timed out";
    case SIO_ERR_HANDSHAKE: return "handshake failed";
    case SIO_ERR_TOO_BIG: return "size limit exceeded";
    case SIO_ERR_CLOSED: return "connection closed";
    case SIO_ERR_NO_ADDRESS: return "no address for host";
    case SIO_ERR_PROXY: return "the proxy refused the tunnel, or its URL is unusable";
    default: return "unknown status";
    }
}

/* Allocation through the configured allocator or SIO_REALLOC/SIO_FREE. */
static void *sio__realloc(const sio_allocator *a, void *ptr, size_t size)
{
    if (a && a->realloc) return a->realloc(a->user, ptr, size);
    if (size == 0) { SIO_FREE(ptr); return NULL; }
    return SIO_REALLOC(ptr, size);
}

static int sio__lower(int ch) { return (ch >= 'A' && ch <= 'Z') ? ch + 32 : ch; }

static int sio__span_ieq(const char *a, size_t alen, const char *b)
{
    size_t i;
    for (i = 0; i < alen; i++)
        if (b[i] == '\0' || sio__lower((unsigned char)a[i]) != sio__lower((unsigned char)b[i])) return 0;
    return b[alen] == '\0';
}

static void sio__free(const sio_allocator *a, void *p)
{
    if (p) sio__realloc(a, p, 0);
}

static char *sio__strdup(const sio_allocator *a, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = (char *)sio__realloc(a, NULL, n);
    if (p) memcpy(p, s, n);
    return p;
}

static size_t sio__str_size(const char *s) { return s ? strlen(s) + 1 : 0; }

/* The earlier of two deadlines, 0 standing for none. */
static uint64_t sio__earliest(uint64_t a, uint64_t b)
{
    return a && (!b || a < b) ? a : b;
}

/* Grows *buf so it holds at least need bytes (doubling, bounded by need). */
#if SIO__WITH_SOCKETIO
/* A Socket.IO packet kept to send later, in one block: its text as pieces,
 * then its attachments.  sio__packed_size says the bytes (and *text_len the
 * text's); sio__pack copies them to out and the attachments' lengths to
 * att_lens. */
static size_t sio__packed_size(const size_t *lens, size_t n, const sio_bytes *atts, size_t count, size_t *text_len)
{
    size_t k, total = 0;
    for (k = 0; k < n; k++) total += lens[k];
    *text_len = total;
    for (k = 0; k < count; k++) total += atts[k].len;
    return total;
}

static void sio__pack(unsigned char *out, size_t *att_lens, const void *const *pieces, const size_t *lens, size_t n,
                      const sio_bytes *atts, size_t count)
{
    size_t k, off = 0;
    for (k = 0; k < n; k++) {
        memcpy(out + off, pieces[k], lens[k]);
        off += lens[k];
    }
    for (k = 0; k < count; k++) {
        att_lens[k] = atts[k].len;
        if (atts[k].len) memcpy(out + off, atts[k].data, atts[k].len);
        off += atts[k].len;
    }
}
#endif

static int sio__reserve(const sio_allocator *a, unsigned char **buf, size_t *cap, size_t need)
{
    size_t ncap;
    void *p;
    if (need <= *cap) return SIO_OK;
    ncap = *cap ? *cap : 256;
    while (ncap < need) ncap = (ncap > ((size_t)-1) / 2) ? need : ncap * 2;
    p = sio__realloc(a, *buf, ncap);
    if (!p) return SIO_ERR_NOMEM;
    *buf = (unsigned char *)p;
    *cap = ncap;
    return SIO_OK;
}

#ifdef SIO_SOURCE_LINES
#line 1 "src/url.c"
#endif
/* ---------------------------------------------------------------------- */
/* url                                                                     */
/* ---------------------------------------------------------------------- */

/* A host whose last label is a number is an IPv4 address to resolvers and
 * browsers, which also read "010.0.0.1" (octal), "0x7f.1" and "10.1"; they
 * disagree on those forms, so only four plain decimal parts are allowed. */
static int sio__url_numeric_host_ok(const char *h, size_t n)
{
    char text[16];
    size_t end = n && h[n - 1] == '.' ? n - 1 : n, start = end, hex = 0;
    while (start > 0 && h[start - 1] != '.') start--;
    if (start == end || !(h[start] >= '0' && h[start] <= '9')) return 1;
    if (end - start > 2 && h[start] == '0' && (h[start + 1] | 0x20) == 'x') hex = start += 2;
    for (; start < end; start++)
        if (!(h[start] >= '0' && h[start] <= '9') && !(hex && strchr("abcdefABCDEF", h[start]))) return 1;   /* a name */
    if (n >= sizeof text) return 0;
    memcpy(text, h, n);
    text[n] = 0;
    return sio_ip_literal(text);                 /* four decimal parts, no trailing dot */
}

SIO_API int sio_url_parse(sio_url *u, const char *text)
{
    const char *p, *auth, *auth_end, *s;
    size_t i;
    memset(u, 0, sizeof *u);
    if (!text) return SIO_ERR_URL;
    for (s = text; *s; s++)
        if ((unsigned char)*s <= 0x20 || *s == 0x7f) return SIO_ERR_URL;
    p = strstr(text, "://");
    if (!p) return SIO_ERR_URL;
    u->scheme = text;
    u->scheme_len = (size_t)(p - text);
    if (sio__span_ieq(text, u->scheme_len, "ws")) { u->websocket = 1; }
    else if (sio__span_ieq(text, u->scheme_len, "wss")) { u->websocket = 1; u->secure = 1; }
    else if (sio__span_ieq(text, u->scheme_len, "http")) { }
    else if (sio__span_ieq(text, u->scheme_len, "https")) { u->secure = 1; }
    else return SIO_ERR_URL;
    auth = p + 3;
    auth_end = auth + strcspn(auth, "/?#");
    for (s = auth; s < auth_end; s++)
        if (*s == '@') return SIO_ERR_URL;           /* user info is not supported */
    if (*auth == '[') {
        const char *close = (const char *)memchr(auth, ']', (size_t)(auth_end - auth));
        if (!close || close == auth + 1) return SIO_ERR_URL;
        for (s = auth + 1; s < close; s++)
            if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') || (*s >= 'A' && *s <= 'F') ||
                  *s == ':' || *s == '.'))
                return SIO_ERR_URL;
        u->host = auth + 1;
        u->host_len = (size_t)(close - auth - 1);
        u->ipv6 = 1;
        s = close + 1;
        if (s < auth_end && *s != ':') return SIO_ERR_URL;
    } else {
        s = auth;
        while (s < auth_end && *s != ':') s++;
        u->host = auth;
        u->host_len = (size_t)(s - auth);
        if (u->host_len == 0) return SIO_ERR_URL;
        for (i = 0; i < u->host_len; i++)
            if (strchr("[]<>\"\\^`{|}%", u->host[i])) return SIO_ERR_URL;
        if (!sio__url_numeric_host_ok(u->host, u->host_len)) return SIO_ERR_URL;
    }
    if (s < auth_end) {                                /* ":port" */
        unsigned long port = 0;
        s++;
        if (s == auth_end) return SIO_ERR_URL;
        for (; s < auth_end; s++) {
            if (*s < '0' || *s > '9') return SIO_ERR_URL;
            port = port * 10 + (unsigned long)(*s - '0');
            if (port > 65535) return SIO_ERR_URL;
        }
        if (port == 0) return SIO_ERR_URL;
        u->port = (unsigned short)port;
        u->has_port = 1;
    } else {
        u->port = u->secure ? 443 : 80;
    }
    p = auth_end;
    if (*p == '/') {
        u->path = p;
        u->path_len = strcspn(p, "?#");
        p += u->path_len;
    } else {
        u->path = p;
        u->path_len = 0;
    }
    if (*p == '?') {
        u->query = p + 1;
        u->query_len = strcspn(p + 1, "#");
    } else {
        u->query = p;
        u->query_len = 0;
    }
    return SIO_OK;
}

#ifdef SIO_SOURCE_LINES
#line 1 "src/sha1_base64.c"
#endif
/* ---------------------------------------------------------------------- */
/* sha1 (FIPS 180-4) / base64 (RFC 4648)                                   */
/* ---------------------------------------------------------------------- */

#define SIO__ROL32(x, n) (((x) << (n)) | ((x) >> (32 - (n))))

static void sio__sha1_block(uint32_t st[5], const unsigned char *b)
{
    uint32_t w[80], a, bb, c, d, e, t;
    int i;
    for (i = 0; i < 16; i++)
        w[i] = ((uint32_t)b[4 * i] << 24) | ((uint32_t)b[4 * i + 1] << 16) |
               ((uint32_t)b[4 * i + 2] << 8) | (uint32_t)b[4 * i + 3];
    for (i = 16; i < 80; i++) {
        t = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16];
        w[i] = SIO__ROL32(t, 1);
    }
    a = st[0]; bb = st[1]; c = st[2]; d = st[3]; e = st[4];
    for (i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) { f = (bb & c) | (~bb & d); k = 0x5A827999u; }
        else if (i < 40) { f = bb ^ c ^ d; k = 0x6ED9EBA1u; }
        else if (i < 60) { f = (bb & c) | (bb & d) | (c & d); k = 0x8F1BBCDCu; }
        else { f = bb ^ c ^ d; k = 0xCA62C1D6u; }
        t = SIO__ROL32(a, 5) + f + e + k + w[i];
        e = d; d = c; c = SIO__ROL32(bb, 30); bb = a; a = t;
    }
    st[0] += a; st[1] += bb; st[2] += c; st[3] += d; st[4] += e;
}

SIO_API void sio_sha1_init(sio_sha1 *s)
{
    s->state[0] = 0x67452301u; s->state[1] = 0xEFCDAB89u; s->state[2] = 0x98BADCFEu;
    s->state[3] = 0x10325476u; s->state[4] = 0xC3D2E1F0u;
    s->total = 0;
    s->used = 0;
}

SIO_API void sio_sha1_update(sio_sha1 *s, const void *data, size_t len)
{
    const unsigned char *p = (const unsigned char *)data;
    s->total += len;
    while (len > 0) {
        size_t take = 64 - s->used;
        if (take > len) take = len;
        if (s->used == 0 && len >= 64) {
            sio__sha1_block(s->state, p);
            take = 64;
        } else {
            memcpy(s->block + s->used, p, take);
            s->used += take;
            if (s->used == 64) { sio__sha1_block(s->state, s->block); s->used = 0; }
        }
        p += take;
        len -= take;
    }
}

SIO_API void sio_sha1_final(sio_sha1 *s, unsigned char digest[20])
{
    uint64_t bits = s->total * 8;
    int i;
    s->block[s->used++] = 0x80;
    if (s->used > 56) {
        memset(s->block + s->used, 0, 64 - s->used);
        sio__sha1_block(s->state, s->block);
        s->used = 0;
    }
    memset(s->block + s->used, 0, 56 - s->used);
    for (i = 0; i < 8; i++) s->block[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
    sio__sha1_block(s->state, s->block);
    for (i = 0; i < 20; i++) digest[i] = (unsigned char)(s->state[i / 4] >> (24 - 8 * (i % 4)));
}

static const char sio__b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

SIO_API size_t sio_base64_encode(const void *data, size_t len, char *out)
{
    const unsigned char *p = (const unsigned char *)data;
    size_t i, o = 0;
    for (i = 0; i + 2 < len; i += 3) {
        uint32_t v = ((uint32_t)p[i] << 16) | ((uint32_t)p[i + 1] << 8) | p[i + 2];
        out[o++] = sio__b64[v >> 18];
        out[o++] = sio__b64[(v >> 12) & 63];
        out[o++] = sio__b64[(v >> 6) & 63];
        out[o++] = sio__b64[v & 63];
    }
    if (i < len) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < len) v |= (uint32_t)p[i + 1] << 8;
        out[o++] = sio__b64[v >> 18];
        out[o++] = sio__b64[(v >> 12) & 63];
        out[o++] = (i + 1 < len) ? sio__b64[(v >> 6) & 63] : '=';
        out[o++] = '=';
    }
    out[o] = '\0';
    return o;
}

static int sio__b64_value(int ch)
{
    if (ch >= 'A' && ch <= 'Z') return ch - 'A';
    if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9') return ch - '0' + 52;
    if (ch == '+') return 62;
    if (ch == '/') return 63;
    return -1;
}

SIO_API int sio_base64_decode(const char *text, size_t len, void *out, size_t *out_len)
{
    unsigned char *o = (unsigned char *)out;
    size_t i, n = 0, pad = 0;
    uint32_t acc = 0;
    int bits = 0;
    if (len % 4 == 0 && len >= 1 && text[len - 1] == '=') pad++;
    if (len % 4 == 0 && len >= 2 && text[len - 2] == '=') pad++;
    if ((len - pad) % 4 == 1) return SIO_ERR_INVALID;
    for (i = 0; i < len - pad; i++) {
        int v = sio__b64_value((unsigned char)text[i]);
        if (v < 0) return SIO_ERR_INVALID;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            o[n++] = (unsigned char)(acc >> bits);
        }
    }
    if (out_len) *out_len = n;
    return SIO_OK;
}

#ifdef SIO_SOURCE_LINES
#line 1 "src/utf8.c"
#endif
/* ---------------------------------------------------------------------- */
/* utf8                                                                    */
/* ---------------------------------------------------------------------- */

/* Classifies a lead byte: number of continuation bytes and the range the
 * first one must fall in (this is where overlongs, surrogates and values
 * above U+10FFFF are excluded). */
static int sio__utf8_lead(unsigned char b, sio_utf8 *v)
{
    if (b >= 0xC2 && b <= 0xDF) { v->need = 1; v->lo = 0x80; v->hi = 0xBF; return 1; }
    if (b == 0xE0) { v->need = 2; v->lo = 0xA0; v->hi = 0xBF; return 1; }
    if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) { v->need = 2; v->lo = 0x80; v->hi = 0xBF; return 1; }
    if (b == 0xED) { v->need = 2; v->lo = 0x80; v->hi = 0x9F; return 1; }
    if (b == 0xF0) { v->need = 3; v->lo = 0x90; v->hi = 0xBF; return 1; }
    if (b >= 0xF1 && b <= 0xF3) { v->need = 3; v->lo = 0x80; v->hi = 0xBF; return 1; }
    if (b == 0xF4) { v->need = 3; v->lo = 0x80; v->hi = 0x8F; return 1; }
    return 0;
}

SIO_API int sio_utf8_feed(sio_utf8 *v, const void *data, size_t len)
{
    const unsigned char *p = (const unsigned char *)data, *end = p + len;
    while (p < end) {
        if (v->need == 0) {
            /* ASCII fast path: 32 bytes, then 8 bytes at a time */
            while (end - p >= 32) {
                uint64_t a, b, c, d;
                memcpy(&a, p, 8); memcpy(&b, p + 8, 8); memcpy(&c, p + 16, 8); memcpy(&d, p + 24, 8);
                if ((a | b | c | d) & UINT64_C(0x8080808080808080)) break;
                p += 32;
            }
            while (end - p >= 8) {
                uint64_t w;
                memcpy(&w, p, 8);
                if (w & UINT64_C(0x8080808080808080)) break;
                p += 8;
            }
            if (p == end) break;
            if (*p < 0x80) { p++; continue; }
            if (!sio__utf8_lead(*p, v)) return SIO_ERR_PROTOCOL;
            p++;
        } else {
            if (*p < v->lo || *p > v->hi) return SIO_ERR_PROTOCOL;
            v->lo = 0x80;
            v->hi = 0xBF;
            v->need--;
            p++;
        }
    }
    return SIO_OK;
}

SIO_API int sio_utf8_complete(const sio_utf8 *v) { return v->need == 0; }

SIO_API int sio_utf8_valid(const void *data, size_t len)
{
    sio_utf8 v;
    memset(&v, 0, sizeof v);
    return sio_utf8_feed(&v, data, len) == SIO_OK && v.need == 0;
}

#ifdef SIO_SOURCE_LINES
#line 1 "src/http.c"
#endif
/* ---------------------------------------------------------------------- */
/* http                                                                    */
/* ---------------------------------------------------------------------- */

static int sio__is_tchar(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Finds the end of the line starting at p; returns the index of '\n' or -1. */
static long sio__line_end(const char *buf, size_t from, size_t len)
{
    const char *nl = (const char *)memchr(buf + from, '\n', len - from);
    return nl ? (long)(nl - buf) : -1;
}

/* A response head without its headers: what sio__http_parse keeps. */
typedef struct sio__http_status {
    int status, minor_version;
    const char *reason; size_t reason_len;
    size_t header_count;                   /* all of them (at most SIO_HTTP_MAX_HEADERS) */
    size_t kept;                           /* those stored */
    size_t head_len;
} sio__http_status;

/* Parses a response head (see sio_http_parse_response), storing up to cap
 * of its headers (only those called keep when it is not NULL): a caller
 * that wants one header needs no room for sixty-four. */
static int sio__http_parse(sio__http_status *r, sio_http_header *headers, size_t cap, const char *keep, const char *buf,
                           size_t len)
{
    size_t pos, line_start, line_len;
    long nl;
    const char *line;
    int i;
    memset(r, 0, sizeof *r);
    /* Find the blank line first so partial input costs one scan. */
    for (pos = 0;; pos = (size_t)nl + 1) {
        nl = sio__line_end(buf, pos, len);
        if (nl < 0) return 0;
        if ((size_t)nl == pos || ((size_t)nl == pos + 1 && buf[pos] == '\r')) {
            if (pos == 0) return SIO_ERR_PROTOCOL;      /* empty status line */
            r->head_len = (size_t)nl + 1;
            break;
        }
    }
    /* Status line: HTTP/1.x SP 3DIGIT [SP reason] */
    nl = sio__line_end(buf, 0, len);
    line = buf;
    line_len = (size_t)nl;
    if (line_len > 0 && line[line_len - 1] == '\r') line_len--;
    if (line_len < 12 || memcmp(line, "HTTP/1.", 7) != 0 || line[7] < '0' || line[7] > '9' ||
        line[8] != ' ')
        return SIO_ERR_PROTOCOL;
    r->minor_version = line[7] - '0';
    for (i = 9; i < 12; i++)
        if (line[i] < '0' || line[i] > '9') return SIO_ERR_PROTOCOL;
    r->status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    if (line_len > 12 && line[12] != ' ') return SIO_ERR_PROTOCOL;
    r->reason = line + (line_len > 12 ? 13 : 12);
    r->reason_len = line_len > 12 ? line_len - 13 : 0;
    /* Header fields */
    for (line_start = (size_t)nl + 1; line_start < r->head_len;) {
        sio_http_header *h, scratch;
        const char *colon, *v, *vend;
        nl = sio__line_end(buf, line_start, len);
        line = buf + line_start;
        line_len = (size_t)nl - line_start;
        if (line_len > 0 && line[line_len - 1] == '\r') line_len--;
        if (line_len == 0) break;
        if (line[0] == ' ' || line[0] == '\t') return SIO_ERR_PROTOCOL;   /* obs-fold */
        colon = (const char *)memchr(line, ':', line_len);
        if (!colon || colon == line) return SIO_ERR_PROTOCOL;
        for (v = line; v < colon; v++)
            if (!sio__is_tchar((unsigned char)*v)) return SIO_ERR_PROTOCOL;
        if (r->header_count == SIO_HTTP_MAX_HEADERS) return SIO_ERR_TOO_BIG;
        r->header_count++;
        h = r->kept < cap ? &headers[r->kept] : &scratch;
        h->name = line;
        h->name_len = (size_t)(colon - line);
        if (h != &scratch && (!keep || sio__span_ieq(line, h->name_len, keep))) r->kept++;
        v = colon + 1;
        vend = line + line_len;
        while (v < vend && (*v == ' ' || *v == '\t')) v++;
        while (vend > v && (vend[-1] == ' ' || vend[-1] == '\t')) vend--;
        for (h->value = v; v < vend; v++)
            if (((unsigned char)*v < 0x20 && *v != '\t') || *v == 0x7f) return SIO_ERR_PROTOCOL;
        h->value_len = (size_t)(vend - h->value);
        line_start = (size_t)nl + 1;
    }
    return 1;
}

SIO_API int sio_http_parse_response(sio_http_response *r, const char *buf, size_t len)
{
    sio__http_status head;
    int st = sio__http_parse(&head, r->headers, SIO_HTTP_MAX_HEADERS, NULL, buf, len);
    r->status = head.status;
    r->minor_version = head.minor_version;
    r->reason = head.reason;
    r->reason_len = head.reason_len;
    r->header_count = head.kept;
    r->head_len = head.head_len;
    return st;
}

/* sio_http_parse_response into a response on the heap, for the client's
 * layers: its header array is too big for a small target's stack.  *out
 * is set (free it) only when the result is 1; SIO_ERR_NOMEM when there was
 * no memory for it. */
static int sio__http_parse_response_heap(const sio_allocator *a, sio_http_response **out, const char *buf, size_t len)
{
    sio_http_response *r = (sio_http_response *)sio__realloc(a, NULL, sizeof *r);
    int st;
    *out = NULL;
    if (!r) return SIO_ERR_NOMEM;
    st = sio_http_parse_response(r, buf, len);
    if (st == 1) *out = r;
    else sio__free(a, r);
    return st;
}

SIO_API const sio_http_header *sio_http_find_header(const sio_http_response *r, const char *name)
{
    size_t i;
    for (i = 0; i < r->header_count; i++)
        if (sio__span_ieq(r->headers[i].name, r->headers[i].name_len, name)) return &r->headers[i];
    return NULL;
}

SIO_API int sio_http_has_token(const char *value, size_t len, const char *token)
{
    size_t i = 0;
    while (i < len) {
        size_t start, end;
        while (i < len && (value[i] == ' ' || value[i] == '\t' || value[i] == ',')) i++;
        start = i;
        while (i < len && value[i] != ',') i++;
        end = i;
        while (end > start && (value[end - 1] == ' ' || value[end - 1] == '\t')) end--;
        if (end > start && sio__span_ieq(value + start, end - start, token)) return 1;
    }
    return 0;
}

enum { SIO__CHUNK_SIZE, SIO__CHUNK_SIZE_MORE, SIO__CHUNK_EXT, SIO__CHUNK_SIZE_LF, SIO__CHUNK_DATA, SIO__CHUNK_DATA_CR,
       SIO__CHUNK_DATA_LF, SIO__CHUNK_TRAILER_START, SIO__CHUNK_TRAILER_LINE, SIO__CHUNK_TRAILER_LF,
       SIO__CHUNK_LAST_LF, SIO__CHUNK_DONE };

SIO_API int sio_http_body_init(sio_http_body *b, const sio_http_response *r, uint64_t max_body)
{
    const sio_http_header *te, *cl;
    memset(b, 0, sizeof *b);
    b->max_body = max_body;
    if ((r->status >= 100 && r->status < 200) || r->status == 204 || r->status == 304) {
        b->mode = SIO_HTTP_BODY_NONE;
        return SIO_OK;
    }
    te = sio_http_find_header(r, "Transfer-Encoding");
    cl = sio_http_find_header(r, "Content-Length");
    if (te) {
        if (!sio_http_has_token(te->value, te->value_len, "chunked")) {
            b->mode = SIO_HTTP_BODY_UNTIL_CLOSE;
            return SIO_OK;
        }
        b->mode = SIO_HTTP_BODY_CHUNKED;
        b->state = SIO__CHUNK_SIZE;
        return SIO_OK;
    }
    if (cl) {
        uint64_t n = 0;
        size_t i;
        size_t k;
        if (cl->value_len == 0) return SIO_ERR_PROTOCOL;
        for (i = 0; i < cl->value_len; i++) {
            char ch = cl->value[i];
            if (ch < '0' || ch > '9') return SIO_ERR_PROTOCOL;
            if (n > (UINT64_MAX - 9) / 10) return SIO_ERR_TOO_BIG;
            n = n * 10 + (uint64_t)(ch - '0');
        }
        /* Several Content-Length headers must agree (RFC 9112 6.3). */
        for (k = 0; k < r->header_count; k++) {
            const sio_http_header *h = &r->headers[k];
            if (h != cl && sio__span_ieq(h->name, h->name_len, "Content-Length") &&
                (h->value_len != cl->value_len || memcmp(h->value, cl->value, h->value_len) != 0))
                return SIO_ERR_PROTOCOL;
        }
        if (max_body && n > max_body) return SIO_ERR_TOO_BIG;
        b->mode = SIO_HTTP_BODY_LENGTH;
        b->remaining = n;
        return SIO_OK;
    }
    b->mode = SIO_HTTP_BODY_UNTIL_CLOSE;
    return SIO_OK;
}

static int sio__hex(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int sio__body_add(sio_http_body *b, uint64_t n)
{
    if (n > UINT64_MAX - b->total) return SIO_ERR_TOO_BIG;
    b->total += n;
    return (b->max_body && b->total > b->max_body) ? SIO_ERR_TOO_BIG : SIO_OK;
}

/* One byte of a chunk-size line ("1a;ext\r\n"): a negative status, 1 when
 * the line ended, else 0. */
static int sio__chunk_size_byte(sio_http_body *b, int c)
{
    int h = sio__hex(c);
    if (b->state == SIO__CHUNK_SIZE) {          /* the first hex digit is required */
        if (h < 0) return SIO_ERR_PROTOCOL;
        b->state = SIO__CHUNK_SIZE_MORE;
    }
    if (b->state == SIO__CHUNK_SIZE_MORE) {
        if (h >= 0) {
            if (b->remaining > (UINT64_MAX >> 4)) return SIO_ERR_TOO_BIG;
            b->remaining = b->remaining * 16 + (uint64_t)h;
            return 0;
        }
        if (c == ';' || c == ' ' || c == '\t') { b->state = SIO__CHUNK_EXT; return 0; }
        if (c == '\r') { b->state = SIO__CHUNK_SIZE_LF; return 0; }
        return c == '\n' ? 1 : SIO_ERR_PROTOCOL;
    }
    if (b->state == SIO__CHUNK_EXT) {
        if (c == '\r') { b->state = SIO__CHUNK_SIZE_LF; return 0; }
        if (c == '\n') return 1;
        return c < 0x20 && c != '\t' ? SIO_ERR_PROTOCOL : 0;
    }
    return c == '\n' ? 1 : SIO_ERR_PROTOCOL;    /* SIO__CHUNK_SIZE_LF */
}

/* The size line ended: the chunk's data next, or the trailers after the
 * last (empty) chunk. */
static int sio__chunk_size_done(sio_http_body *b)
{
    if (b->remaining == 0) {
        b->state = SIO__CHUNK_TRAILER_START;
        return 0;
    }
    if (b->max_body && (b->total > b->max_body || b->remaining > b->max_body - b->total))
        return SIO_ERR_TOO_BIG;                 /* compared, never summed: a size near 2^64 would wrap */
    b->state = SIO__CHUNK_DATA;
    return 0;
}

SIO_API int sio_http_body_decode(sio_http_body *b, unsigned char *data, size_t len,
                                 size_t *consumed, size_t *out_len)
{
    size_t in = 0, out = 0;
    int rc = 0;
    *consumed = 0;
    *out_len = 0;
    if (b->mode == SIO_HTTP_BODY_NONE) return 1;
    if (b->mode == SIO_HTTP_BODY_UNTIL_CLOSE || b->mode == SIO_HTTP_BODY_LENGTH) {
        size_t take = len;
        if (b->mode == SIO_HTTP_BODY_LENGTH && take > b->remaining) take = (size_t)b->remaining;
        if (sio__body_add(b, take) != SIO_OK) return SIO_ERR_TOO_BIG;
        if (b->mode == SIO_HTTP_BODY_LENGTH) b->remaining -= take;
        *consumed = take;
        *out_len = take;
        return (b->mode == SIO_HTTP_BODY_LENGTH && b->remaining == 0) ? 1 : 0;
    }
    while (in < len && rc == 0) {
        int c = data[in];
        switch (b->state) {
        case SIO__CHUNK_SIZE: case SIO__CHUNK_SIZE_MORE: case SIO__CHUNK_EXT: case SIO__CHUNK_SIZE_LF: {
            int r = sio__chunk_size_byte(b, c);
            if (r < 0) return r;
            in++;
            if (r == 1 && (r = sio__chunk_size_done(b)) < 0) return r;
            break;
        }
        case SIO__CHUNK_DATA: {
            size_t take = len - in;
            if (take > b->remaining) take = (size_t)b->remaining;
            memmove(data + out, data + in, take);
            out += take;
            in += take;
            b->remaining -= take;
            if (sio__body_add(b, take) != SIO_OK) return SIO_ERR_TOO_BIG;
            if (b->remaining == 0) b->state = SIO__CHUNK_DATA_CR;
            break;
        }
        case SIO__CHUNK_DATA_CR:
            if (c == '\r') { b->state = SIO__CHUNK_DATA_LF; in++; break; }
            if (c == '\n') { b->state = SIO__CHUNK_SIZE; in++; break; }
            return SIO_ERR_PROTOCOL;
        case SIO__CHUNK_DATA_LF:
            if (c != '\n') return SIO_ERR_PROTOCOL;
            b->state = SIO__CHUNK_SIZE;
            in++;
            break;
        case SIO__CHUNK_TRAILER_START:      /* after the last chunk: trailers or the blank line */
            if (c == '\r') { b->state = SIO__CHUNK_LAST_LF; in++; break; }
            if (c == '\n') { in++; b->state = SIO__CHUNK_DONE; rc = 1; break; }
            b->state = SIO__CHUNK_TRAILER_LINE;
            break;
        case SIO__CHUNK_TRAILER_LINE:
            if (c == '\n') b->state = SIO__CHUNK_TRAILER_START;
            in++;
            break;
        case SIO__CHUNK_LAST_LF:
            if (c != '\n') return SIO_ERR_PROTOCOL;
            in++;
            b->state = SIO__CHUNK_DONE;
            rc = 1;
            break;
        case SIO__CHUNK_DONE:
            rc = 1;
            break;
        default:
            return SIO_ERR_PROTOCOL;
        }
    }
    if (b->state == SIO__CHUNK_DONE) rc = 1;
    *consumed = in;
    *out_len = out;
    return rc;
}

#ifdef SIO_SOURCE_LINES
#line 1 "src/dns.c"
#endif
/* ---------------------------------------------------------------------- */
/* dns                                                                     */
/* ---------------------------------------------------------------------- */

SIO_API size_t sio_dns_query(unsigned char *buf, size_t cap, unsigned id, const char *name, int type)
{
    size_t n = strlen(name), pos = 12, label = 0, i;
    if (n == 0 || n > 253 || cap < n + 18 || name[0] == '.') return 0;
    buf[0] = (unsigned char)(id >> 8);
    buf[1] = (unsigned char)id;
    buf[2] = 0x01;                             /* recursion desired */
    buf[3] = 0;
    buf[4] = 0; buf[5] = 1;                    /* one question */
    memset(buf + 6, 0, 6);
    for (i = 0; i <= n; i++) {
        if (i == n || name[i] == '.') {
            size_t len = i - label;
            if (len == 0 && i == n && i > 0 && name[i - 1] == '.') break;   /* trailing dot */
            if (len == 0 || len > 63) return 0;
            buf[pos++] = (unsigned char)len;
            memcpy(buf + pos, name + label, len);
            pos += len;
            label = i + 1;
        } else {
            unsigned char ch = (unsigned char)name[i];
            if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
                  ch == '_'))
                return 0;
        }
    }
    buf[pos++] = 0;
    buf[pos++] = (unsigned char)(type >> 8);
    buf[pos++] = (unsigned char)type;
    buf[pos++] = 0;
    buf[pos++] = 1;                            /* class IN */
    return pos;
}

/* Skips a (possibly compressed) name; returns the offset after it in the
 * message, or 0 when it is malformed.  Pointers may only go backwards, so
 * the walk ends. */
static size_t sio__dns_skip_name(const unsigned char *m, size_t len, size_t pos)
{
    size_t end = 0, hops = 0;
    for (;;) {
        unsigned char b;
        if (pos >= len) return 0;
        b = m[pos];
        if (b == 0) return end ? end : pos + 1;
        if ((b & 0xC0) == 0xC0) {
            size_t target;
            if (pos + 1 >= len) return 0;
            target = ((size_t)(b & 0x3F) << 8) | m[pos + 1];
            if (!end) end = pos + 2;
            if (target >= pos || ++hops > 64) return 0;
            pos = target;
            continue;
        }
        if (b & 0xC0) return 0;                /* reserved label types */
        pos += 1 + (size_t)b;
    }
}

static unsigned sio__be16(const unsigned char *p) { return ((unsigned)p[0] << 8) | p[1]; }

/* The name at pos in its wire form, uncompressed and lower-cased (names
 * compare without case), into out.  Returns 1, or 0 when malformed. */
static int sio__dns_name_wire(const unsigned char *m, size_t len, size_t pos, unsigned char out[256])
{
    size_t n = 0, hops = 0, i;
    for (;;) {
        unsigned char b;
        if (pos >= len) return 0;
        b = m[pos];
        if ((b & 0xC0) == 0xC0) {
            size_t target;
            if (pos + 1 >= len) return 0;
            target = ((size_t)(b & 0x3F) << 8) | m[pos + 1];
            if (target >= pos || ++hops > 64) return 0;
            pos = target;
            continue;
        }
        if ((b & 0xC0) || n + 1 + b > 255 || pos + 1 + b > len) return 0;
        out[n++] = b;
        if (b == 0) return 1;
        for (i = 0; i < b; i++) {
            unsigned char ch = m[pos + 1 + i];
            out[n++] = (unsigned char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
        }
        pos += 1 + (size_t)b;
    }
}

static int sio__dns_names_equal(const unsigned char *a, const unsigned char *b)
{
    size_t n = 0;
    while (a[n]) n += 1 + a[n];
    return memcmp(a, b, n + 1) == 0;
}

/* Walks the answer records once: the index-th record's owner name, type,
 * class and data.  Returns 1, 0 past the last, or -1 (*why set). */
static int sio__dns_record(const unsigned char *m, size_t len, size_t first, size_t an, size_t index,
                           size_t *owner, unsigned *rtype, unsigned *rclass, size_t *rdata, size_t *rlen,
                           const char **why)
{
    size_t pos = first, i;
    for (i = 0; i < an; i++) {
        *owner = pos;
        if (!(pos = sio__dns_skip_name(m, len, pos)) || pos + 10 > len) {
            *why = "dns: malformed answer record";
            return -1;
        }
        *rtype = sio__be16(m + pos);
        *rclass = sio__be16(m + pos + 2);
        *rlen = sio__be16(m + pos + 8);
        *rdata = pos + 10;
        if (*rdata + *rlen > len) {
            *why = "dns: answer record runs past the message";
            return -1;
        }
        if (i == index) return 1;
        pos = *rdata + *rlen;
    }
    return 0;
}

SIO_API int sio_dns_parse(const unsigned char *m, size_t len, unsigned id, const char *name, int type,
                          sio_dns_addr *out, size_t max, size_t *count, const char **why)
{
    unsigned char asked[300], owner_name[256], current[256];
    size_t pos = 12, an, i, qlen, hop;
    unsigned rcode;
    const char *dummy;
    if (!why) why = &dummy;
    *why = NULL;
    *count = 0;
    if (len < 12) { *why = "dns: answer shorter than its header"; return SIO_ERR_PROTOCOL; }
    if (sio__be16(m) != (id & 0xFFFF) || !(m[2] & 0x80)) return SIO_ERR_AGAIN;   /* not our answer */
    /* The question must be ours too: one question, the same name, type and class. */
    qlen = name ? sio_dns_query(asked, sizeof asked, id, name, type) : 0;
    if (!qlen || !sio__dns_name_wire(asked, qlen, 12, current) || sio__be16(m + 4) != 1 ||
        !sio__dns_name_wire(m, len, 12, owner_name) || !sio__dns_names_equal(owner_name, current))
        return SIO_ERR_AGAIN;
    if (!(pos = sio__dns_skip_name(m, len, 12)) || pos + 4 > len || (int)sio__be16(m + pos) != type ||
        sio__be16(m + pos + 2) != 1)
        return SIO_ERR_AGAIN;
    pos += 4;
    if (m[2] & 0x02) { *why = "dns: truncated answer (TCP fallback is not supported)"; return SIO_ERR_PROTOCOL; }
    rcode = m[3] & 0x0F;
    if (rcode == 3) return SIO_ERR_NO_ADDRESS;
    if (rcode != 0) { *why = "dns: the nameserver answered with an error"; return SIO_ERR_PROTOCOL; }
    an = sio__be16(m + 6);
    for (i = 0; i < an; i++) {                   /* every record well-formed, or nothing is taken */
        size_t o, d, l;
        unsigned t, k;
        if (sio__dns_record(m, len, pos, an, i, &o, &t, &k, &d, &l, why) < 0) return SIO_ERR_PROTOCOL;
    }
    /* Only records for the asked name count, following its CNAME chain
     * (a few hops); addresses for any other owner are ignored. */
    for (hop = 0; hop < 8; hop++) {
        size_t next = 0, next_end = 0;           /* where the CNAME's target name is */
        for (i = 0; i < an; i++) {
            size_t o, d, l;
            unsigned t, k;
            if (sio__dns_record(m, len, pos, an, i, &o, &t, &k, &d, &l, why) < 0) return SIO_ERR_PROTOCOL;
            if (k != 1 || !sio__dns_name_wire(m, len, o, owner_name) || !sio__dns_names_equal(owner_name, current))
                continue;
            if ((int)t == type && l == (type == SIO_DNS_A ? 4u : 16u) && *count < max) {
                out[*count].family = type == SIO_DNS_A ? 4 : 6;
                memset(out[*count].bytes, 0, 16);
                memcpy(out[*count].bytes, m + d, l);
                (*count)++;
            } else if (t == 5 && !next) {        /* CNAME: the chain goes on at its target */
                next = d;
                next_end = d + l;
            }
        }
        if (*count || !next) break;
        if (!sio__dns_name_wire(m, next_end, next, current)) {
            *why = "dns: malformed CNAME record";
            return SIO_ERR_PROTOCOL;
        }
    }
    return SIO_OK;
}

SIO_API size_t sio_dns_addr_text(const sio_dns_addr *a, char *out)
{
    const unsigned char *b = a->bytes;
    size_t n = 0;
    int i, best = -1, best_len = 0;
    if (a->family == 4) return (size_t)sprintf(out, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
    for (i = 0; i < 8;) {                       /* the longest run of zero groups becomes "::" */
        int j = i;
        while (j < 8 && b[2 * j] == 0 && b[2 * j + 1] == 0) j++;
        if (j - i > best_len && j - i > 1) { best = i; best_len = j - i; }
        i = j > i ? j : i + 1;
    }
    for (i = 0; i < 8; i++) {
        if (i == best) {
            n += (size_t)sprintf(out + n, "::");
            i += best_len - 1;
            continue;
        }
        n += (size_t)sprintf(out + n, "%s%x", n && out[n - 1] != ':' ? ":" : "", sio__be16(b + 2 * i));
    }
    return n;
}

/* IPv4: four decimal parts, each 0-255, and nothing after; 4 or 0. */
static size_t sio__ipv4_parse(const char *p, unsigned char out[4])
{
    int i;
    for (i = 0; i < 4; i++) {
        unsigned v = 0, digits = 0;
        if (p[0] == '0' && p[1] >= '0' && p[1] <= '9') return 0;   /* inet_aton reads "010" as octal 8 */
        while (*p >= '0' && *p <= '9' && digits < 4) v = v * 10 + (unsigned)(*p++ - '0'), digits++;
        if (!digits || digits > 3 || v > 255 || *p != (i < 3 ? '.' : 0)) return 0;
        out[i] = (unsigned char)v;
        if (i < 3) p++;
    }
    return 4;
}

SIO_API size_t sio_ip_parse(const char *t, unsigned char out[16])
{
    unsigned groups[8];
    int n = 0, gap = -1, i;
    const char *p = t;
    if (!t || !*t) return 0;
    if (!strchr(t, ':')) return sio__ipv4_parse(t, out);
    if (p[0] == ':' && p[1] == ':') { gap = 0; p += 2; }
    else if (p[0] == ':') return 0;
    while (*p && n < 8) {
        unsigned v = 0, digits = 0;
        if (strchr(p, ':') == NULL && strchr(p, '.') != NULL) {   /* a dotted IPv4 tail */
            unsigned char v4[4];
            if (n > 6 || sio__ipv4_parse(p, v4) != 4) return 0;
            groups[n++] = ((unsigned)v4[0] << 8) | v4[1];
            groups[n++] = ((unsigned)v4[2] << 8) | v4[3];
            p += strlen(p);
            break;
        }
        while (digits < 5 && ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F'))) {
            v = v * 16 + (unsigned)(*p <= '9' ? *p - '0' : (*p | 0x20) - 'a' + 10);
            p++;
            digits++;
        }
        if (!digits || digits > 4) return 0;
        groups[n++] = v;
        if (*p == 0) break;
        if (*p != ':') return 0;
        p++;
        if (*p == ':') {
            if (gap >= 0) return 0;             /* "::" only once */
            gap = n;
            p++;
        } else if (*p == 0) {
            return 0;                           /* a trailing single ':' */
        }
    }
    if (*p || (gap < 0 && n != 8) || (gap >= 0 && n > 7)) return 0;
    memset(out, 0, 16);
    for (i = 0; i < n; i++) {
        int at = gap >= 0 && i >= gap ? 8 - (n - i) : i;
        out[2 * at] = (unsigned char)(groups[i] >> 8);
        out[2 * at + 1] = (unsigned char)groups[i];
    }
    return 16;
}

SIO_API int sio_ip_literal(const char *t)
{
    int dots = 0, digits = 0, value = 0;
    const char *p;
    if (!t || !*t) return 0;
    if (strchr(t, ':')) {                       /* IPv6: hex groups and colons (a dotted tail allowed) */
        for (p = t; *p; p++)
            if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F') ||
                  *p == ':' || *p == '.'))
                return 0;
        return 1;
    }
    for (p = t; *p; p++) {                      /* IPv4: sio_ip_parse's rule, without its code */
        if (*p == '.') {
            if (!digits) return 0;
            dots++;
            digits = value = 0;
        } else if (*p >= '0' && *p <= '9') {
            value = value * 10 + (*p - '0');
            if (++digits > 3 || value > 255 || (digits == 2 && p[-1] == '0')) return 0;   /* no leading zero */
        } else {
            return 0;
        }
    }
    return dots == 3 && digits > 0;
}

#ifdef SIO_SOURCE_LINES
#line 1 "src/x509.c"
#endif
/* ---------------------------------------------------------------------- */
/* x509: Extended Key Usage and IP address SANs (RFC 5280)                */
/* ---------------------------------------------------------------------- */

/* One DER element in p[0..n): its tag, header length and content length.
 * Returns 0 when it does not fit or is not DER this code reads. */
static int sio__der(const unsigned char *p, size_t n, unsigned *tag, size_t *hdr, size_t *len)
{
    size_t l, k, i;
    if (n < 2 || (p[0] & 0x1f) == 0x1f) return 0;       /* certificates use no high tag numbers */
    *tag = p[0];
    l = p[1];
    *hdr = 2;
    if (l & 0x80) {
        k = l & 0x7f;
        if (k == 0 || k > 3 || n - 2 < k) return 0;     /* 16 MiB is more than any certificate */
        for (l = 0, i = 0; i < k; i++) l = (l << 8) | p[2 + i];
        *hdr = 2 + k;
    }
    if (l > n - *hdr) return 0;
    *len = l;
    return 1;
}

/* The contents of extension oid's extnValue.  Returns 1, 0 (absent), -1
 * (malformed, or present twice: RFC 5280 4.2 allows one, and validators
 * that keep the last copy would disagree with one that reads the first). */
static int sio__x509_extension(const unsigned char *der, size_t n, const unsigned char *oid, size_t oid_len,
                               const unsigned char **value, size_t *value_len)
{
    unsigned tag;
    size_t hdr, len, pos;
    int field, found;
    if (!sio__der(der, n, &tag, &hdr, &len) || tag != 0x30) return -1;        /* Certificate */
    der += hdr;
    if (!sio__der(der, len, &tag, &hdr, &len) || tag != 0x30) return -1;      /* TBSCertificate */
    der += hdr;
    n = len;
    for (pos = 0, field = 0; pos < n; pos += hdr + len, field++) {
        if (!sio__der(der + pos, n - pos, &tag, &hdr, &len) || field > 10) return -1;
        if (tag == 0xa3) break;                                               /* [3] extensions */
    }
    if (pos >= n) return 0;
    der += pos + hdr;
    if (!sio__der(der, len, &tag, &hdr, &len) || tag != 0x30) return -1;
    der += hdr;
    n = len;
    for (pos = 0, found = 0; pos < n; pos += hdr + len) {
        const unsigned char *e;
        size_t ehdr, elen, at, h2, l2;
        unsigned t2;
        if (!sio__der(der + pos, n - pos, &tag, &hdr, &len) || tag != 0x30) return -1;   /* Extension */
        e = der + pos + hdr;
        if (!sio__der(e, len, &t2, &ehdr, &elen) || t2 != 0x06) return -1;              /* extnID */
        if (ehdr + elen != oid_len || memcmp(e, oid, oid_len) != 0) continue;
        if (found++) return -1;
        at = ehdr + elen;
        if (!sio__der(e + at, len - at, &t2, &h2, &l2)) return -1;
        if (t2 == 0x01) {                                                               /* critical */
            at += h2 + l2;
            if (!sio__der(e + at, len - at, &t2, &h2, &l2)) return -1;
        }
        if (t2 != 0x04) return -1;                                                      /* extnValue */
        *value = e + at + h2;
        *value_len = l2;
    }
    return found ? 1 : 0;
}

SIO_API int sio_x509_allows_server(const unsigned char *der, size_t len)
{
    static const unsigned char eku[] = { 0x06, 0x03, 0x55, 0x1d, 0x25 };
    static const unsigned char server_auth[] = { 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01 };
    static const unsigned char any_eku[] = { 0x06, 0x04, 0x55, 0x1d, 0x25, 0x00 };
    const unsigned char *v;
    size_t n, pos, hdr, l;
    unsigned tag;
    int r;
    if (!der) return -1;
    r = sio__x509_extension(der, len, eku, sizeof eku, &v, &n);
    if (r <= 0) return r < 0 ? -1 : 1;                  /* no Extended Key Usage: any use */
    if (!sio__der(v, n, &tag, &hdr, &l) || tag != 0x30) return -1;
    v += hdr;
    for (pos = 0; pos < l; pos += hdr + n) {
        if (!sio__der(v + pos, l - pos, &tag, &hdr, &n) || tag != 0x06) return -1;
        if ((hdr + n == sizeof server_auth && memcmp(v + pos, server_auth, sizeof server_auth) == 0) ||
            (hdr + n == sizeof any_eku && memcmp(v + pos, any_eku, sizeof any_eku) == 0))
            return 1;
    }
    return 0;
}

SIO_API int sio_x509_key_allows(const unsigned char *der, size_t len, unsigned usage)
{
    static const unsigned char key_usage[] = { 0x06, 0x03, 0x55, 0x1d, 0x0f };
    const unsigned char *v;
    size_t n, hdr, l;
    unsigned tag;
    int r;
    if (!der || usage > 8) return -1;
    r = sio__x509_extension(der, len, key_usage, sizeof key_usage, &v, &n);
    if (r <= 0) return r < 0 ? -1 : 1;                  /* no Key Usage: any use */
    /* BIT STRING: the count of unused bits, then the bits, bit 0 first (the top of the first
     * byte); the unused bits at the end are padding, whatever they hold */
    if (!sio__der(v, n, &tag, &hdr, &l) || tag != 0x03 || l < 1 || v[hdr] > 7 || (l == 1 && v[hdr])) return -1;
    if (1 + usage / 8 >= l) return 0;                   /* the bits after the last byte are 0 */
    if (1 + usage / 8 == l - 1 && 7 - usage % 8 < v[hdr]) return 0;
    return (v[hdr + 1 + usage / 8] >> (7 - usage % 8)) & 1;
}

/* TBSCertificate: [0] version (optional), serialNumber, signature, issuer,
 * validity, subject, subjectPublicKeyInfo (RFC 5280 4.1). */
SIO_API int sio_x509_spki(const unsigned char *der, size_t len, const unsigned char **spki, size_t *spki_len)
{
    unsigned tag;
    size_t hdr, n, pos, el = 0;
    int field;
    if (!der || !spki || !spki_len) return -1;
    if (!sio__der(der, len, &tag, &hdr, &n) || tag != 0x30) return -1;       /* Certificate */
    der += hdr;
    if (!sio__der(der, n, &tag, &hdr, &n) || tag != 0x30) return -1;         /* TBSCertificate */
    der += hdr;
    for (pos = 0, field = 0; pos < n; pos += hdr + el) {
        if (!sio__der(der + pos, n - pos, &tag, &hdr, &el)) return -1;
        if (pos == 0 && tag == 0xa0) continue;                               /* the version does not count */
        if (field++ == 5) {
            if (tag != 0x30) return -1;
            *spki = der + pos;
            *spki_len = hdr + el;
            return 1;
        }
    }
    return -1;
}

SIO_API int sio_x509_has_ip(const unsigned char *der, size_t len, const unsigned char *ip, size_t ip_len)
{
    static const unsigned char san[] = { 0x06, 0x03, 0x55, 0x1d, 0x11 };
    const unsigned char *v;
    size_t n, pos, hdr, l;
    unsigned tag;
    int r;
    if (!der || !ip) return -1;
    r = sio__x509_extension(der, len, san, sizeof san, &v, &n);
    if (r <= 0) return r;
    if (!sio__der(v, n, &tag, &hdr, &l) || tag != 0x30) return -1;
    v += hdr;
    for (pos = 0; pos < l; pos += hdr + n) {
        if (!sio__der(v + pos, l - pos, &tag, &hdr, &n)) return -1;
        if (tag == 0x87 && n == ip_len && memcmp(v + pos + hdr, ip, ip_len) == 0) return 1;   /* [7] iPAddress */
    }
    return 0;
}


#ifdef SIO_SOURCE_LINES
#line 1 "src/tls.c"
#endif
/* ---------------------------------------------------------------------- */
/* tls: what the bundled backends share (pins, the system's trust store)   */
/* ---------------------------------------------------------------------- */

SIO_API int sio_tls_pin_parse(const char *pin, unsigned char hash[32])
{
    unsigned char out[36];
    size_t n = 0;
    if (!pin || !hash || strncmp(pin, "sha256/", 7) != 0 || strlen(pin + 7) != 44 || pin[7 + 43] != '=' ||
        pin[7 + 42] == '=' || sio_base64_decode(pin + 7, 44, out, &n) != SIO_OK || n != 32)
        return 0;
    memcpy(hash, out, 32);
    return 1;
}

#if SIO__WITH_TLS
/* A server certificate whose Key Usage has no digitalSignature: it cannot
 * sign the ECDHE parameters or TLS 1.3's handshake (RFC 5246 7.4.2, RFC
 * 8446 4.4.2.2), so every backend refuses it before the pins and the hook. */
#define SIO__TLS_NOT_FOR_SIGNING "the certificate's Key Usage does not allow signing (digitalSignature), which " \
    "ECDHE and TLS 1.3 need"

/* Why a handshake failed, in the same words from every backend: no TLS
 * version or cipher suite in common (offered: what that backend offers),
 * or the server's fatal alert with what it usually means. */
static void sio__tls_no_common_text(char *out, size_t size, const char *offered)
{
    snprintf(out, size, "handshake failed: no TLS version or cipher suite in common with the server (offered: %s)",
             offered);
}

static void sio__tls_alert_text(char *out, size_t size, int alert, const char *offered)
{
    if (alert == 70 || alert == 71)                /* protocol_version, insufficient_security */
        sio__tls_no_common_text(out, size, offered);
    else if (alert == 40)
        snprintf(out, size, "handshake failed: the server sent fatal alert 40 (handshake failure: no TLS version or "
                 "cipher suite in common, a client certificate required, or a renegotiation refused)");
    else
        snprintf(out, size, "handshake failed: the server sent fatal alert %d%s", alert,
                 alert == 42 || alert == 116 ? " (a client certificate may be required)" : "");
}

/* The caller's pins, parsed into *out (count hashes, from the allocator),
 * or a sentence in err. */
static int sio__tls_pins_load(const sio_allocator *a, const char *const *pins, size_t count, int instead_of_chain,
                              unsigned char (**out)[32], char *err, size_t err_size)
{
    size_t i;
    *out = NULL;
    if (instead_of_chain && !count) {
        snprintf(err, err_size, "tls: pins_instead_of_chain needs pins");
        return SIO_ERR_INVALID;
    }
    if (!count) return SIO_OK;
    if (!pins || count > 1024) {
        snprintf(err, err_size, "tls: pins NULL, or more than 1024");
        return SIO_ERR_INVALID;
    }
    *out = (unsigned char (*)[32])sio__realloc(a, NULL, count * 32);
    if (!*out) return SIO_ERR_NOMEM;
    for (i = 0; i < count; i++)
        if (!sio_tls_pin_parse(pins[i], (*out)[i])) {
            snprintf(err, err_size, "tls: pin %u is not sha256/ and the base64 of 32 bytes: '%.60s'", (unsigned)i + 1,
                     pins[i] ? pins[i] : "(null)");
            return SIO_ERR_INVALID;        /* the caller frees *out with the rest */
        }
    return SIO_OK;
}

/* Whether hash (a server key's) is one of the n pins. */
static int sio__tls_pinned(const unsigned char (*pins)[32], size_t n, const unsigned char hash[32])
{
    size_t i;
    for (i = 0; i < n; i++)
        if (memcmp(pins[i], hash, 32) == 0) return 1;
    return 0;
}
#endif

/* ---- the system's trust store, for backends that read PEM bundles ---- */
#if defined(SIO_WITH_BEARSSL) || defined(SIO_WITH_MBEDTLS)
/* Where systems keep their trust store, in the order tried when no CA is
 * given (after SSL_CERT_FILE and SSL_CERT_DIR). */
static const char *const sio__tls_bundles[] = {
    SIO_DEFAULT_CA_FILE,                                    /* Debian, Ubuntu, Arch, Gentoo */
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",    /* Fedora, RHEL 7+ */
    "/etc/pki/tls/certs/ca-bundle.crt",                     /* RHEL 6, CentOS */
    "/etc/ssl/ca-bundle.pem",                               /* openSUSE, SLES */
    "/etc/ssl/cert.pem",                                    /* Alpine, macOS, OpenBSD */
    "/usr/local/share/certs/ca-root-nss.crt",               /* FreeBSD */
    "/usr/local/etc/openssl/cert.pem"                       /* macOS with Homebrew's OpenSSL */
};
#endif
#ifdef SIO_SOURCE_LINES
#line 1 "src/deflate.c"
#endif
/* ---- deflate: raw DEFLATE (RFC 1951) for permessage-deflate ------------- */

#if SIO__WITH_DEFLATE

/* Lengths and distances: base values and extra bits (RFC 1951 3.2.5). */
static const unsigned short sio__len_base[29] = {
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
    131, 163, 195, 227, 258};
static const unsigned char sio__len_extra[29] = {
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const unsigned short sio__dist_base[30] = {
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const unsigned char sio__dist_extra[30] = {
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
/* The order code length code lengths come in (RFC 1951 3.2.7). */
static const unsigned char sio__clen_order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

static unsigned sio__reverse_bits(unsigned code, unsigned len)
{
    unsigned r = 0;
    while (len--) {
        r = (r << 1) | (code & 1);
        code >>= 1;
    }
    return r;
}

/* ---- inflate ------------------------------------------------------------ */

#define SIO__FAST_BITS 10
/* A Huffman code for decoding: codes up to SIO__FAST_BITS long are found
 * with one look-up of the next bits; longer ones by walking the canonical
 * code one bit at a time. */
typedef struct sio__huffman {
    uint16_t fast[1u << SIO__FAST_BITS];   /* next bits -> symbol << 4 | length; 0: a longer code or none */
    uint16_t count[16];                    /* codes of each length */
    uint16_t symbol[288];                  /* symbols in code order */
} sio__huffman;

typedef struct sio__inflate_tables {
    sio__huffman lit, dist;
} sio__inflate_tables;

static const unsigned char sio__sync_tail[4] = {0, 0, 0xff, 0xff};

/* The input as bits, lowest first, with the sync tail after it. */
typedef struct sio__bits {
    const unsigned char *in;
    size_t len, total, pos;    /* total: len plus the tail */
    uint64_t buf;
    unsigned cnt;
} sio__bits;

/* Fills buf to at least 57 bits.  Past the end come zero bytes, counted in
 * pos so that sio__bits_over can tell the data ended early. */
static void sio__bits_refill(sio__bits *b)
{
    if (b->pos + 8 <= b->len) {
        /* Eight bytes at once; the bits of the byte only partly taken are
         * taken again next time, so the two ORs agree. */
        const unsigned char *p = b->in + b->pos;
        uint64_t v = (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
                     (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
        b->buf |= v << b->cnt;
        b->pos += (63 - b->cnt) >> 3;
        b->cnt |= 56;
        return;
    }
    while (b->cnt <= 56) {
        unsigned byte = b->pos < b->len ? b->in[b->pos] : b->pos < b->total ? sio__sync_tail[b->pos - b->len] : 0;
        b->buf |= (uint64_t)byte << b->cnt;
        b->cnt += 8;
        b->pos++;
    }
}

/* 1 once more bits were used than the input has. */
static int sio__bits_over(const sio__bits *b)
{
    return b->pos * 8 - b->cnt > b->total * 8;
}

static unsigned sio__bits_take(sio__bits *b, unsigned n)   /* n <= 32, after a refill */
{
    unsigned v = (unsigned)(b->buf & ((((uint64_t)1) << n) - 1));
    b->buf >>= n;
    b->cnt -= n;
    return v;
}

/* Builds a decoding code from code lengths.  Returns the number of unused
 * codes (0: complete), or -1 when the lengths over-subscribe the code. */
static int sio__huffman_build(sio__huffman *h, const unsigned char *lengths, unsigned n)
{
    uint16_t offs[16], next[16];
    unsigned s, len;
    int left = 1;
    memset(h->count, 0, sizeof h->count);
    memset(h->fast, 0, sizeof h->fast);
    for (s = 0; s < n; s++) h->count[lengths[s]]++;
    h->count[0] = 0;
    for (len = 1; len < 16; len++) {
        left = left * 2 - h->count[len];
        if (left < 0) return -1;
    }
    offs[1] = 0;
    next[1] = 0;
    for (len = 1; len < 15; len++) {
        offs[len + 1] = (uint16_t)(offs[len] + h->count[len]);
        next[len + 1] = (uint16_t)((next[len] + h->count[len]) << 1);
    }
    for (s = 0; s < n; s++) {
        unsigned l = lengths[s], code, i;
        if (!l) continue;
        h->symbol[offs[l]++] = (uint16_t)s;
        code = next[l]++;
        if (l > SIO__FAST_BITS) continue;
        for (i = sio__reverse_bits(code, l); i < (1u << SIO__FAST_BITS); i += 1u << l)
            h->fast[i] = (uint16_t)(s << 4 | l);
    }
    return left;
}

/* A code may be incomplete only when it has a single code of one bit
 * (RFC 1951 3.2.7 allows one distance code; zlib allows the same for
 * literals). */
static int sio__huffman_usable(const sio__huffman *h, int left)
{
    unsigned len, used = 0;
    if (left == 0) return 1;
    if (left < 0) return 0;
    for (len = 1; len < 16; len++) used += h->count[len];
    return used == 1 && h->count[1] == 1;
}

/* The next symbol, after a refill; -1 for bits that are no code. */
static int sio__huffman_decode(sio__bits *b, const sio__huffman *h)
{
    unsigned e = h->fast[b->buf & ((1u << SIO__FAST_BITS) - 1)];
    unsigned code = 0, first = 0, index = 0, len;
    uint64_t bits = b->buf;
    if (e) {
        b->buf >>= e & 15;
        b->cnt -= e & 15;
        return (int)(e >> 4);
    }
    for (len = 1; len < 16; len++) {     /* the canonical code, most significant bit first */
        unsigned count = h->count[len];
        code |= (unsigned)(bits & 1);
        bits >>= 1;
        if (code - first < count) {
            b->buf >>= len;
            b->cnt -= len;
            return h->symbol[index + code - first];
        }
        index += count;
        first = (first + count) << 1;
        code <<= 1;
    }
    return -1;
}

static int sio__inflate_fail(sio_inflater *z, int status, const char *why)
{
    z->error = why;
    return status;
}

/* Room for need more bytes at out position o, growing the buffer by
 * doubling but never past limit (history plus max). */
static int sio__inflate_room(sio_inflater *z, size_t o, size_t need, size_t limit)
{
    size_t cap;
    void *p;
    if (need > limit - o) return SIO_ERR_TOO_BIG;
    if (o + need <= z->cap && z->buffer) return SIO_OK;
    cap = z->cap < 256 ? 256 : z->cap;
    while (cap < o + need) cap = cap > limit / 2 ? limit : cap * 2;
    if (cap > limit) cap = limit;
    p = sio__realloc(&z->allocator, z->buffer, cap + 1);   /* + 1: the NUL after a message */
    if (!p) return SIO_ERR_NOMEM;
    z->buffer = (unsigned char *)p;
    z->cap = cap;
    return SIO_OK;
}

/* Code lengths of a dynamic block (RFC 1951 3.2.7) into lit and dist. */
static int sio__inflate_dynamic_codes(sio_inflater *z, sio__bits *b, sio__inflate_tables *t)
{
    unsigned char lengths[286 + 30], clen[19];
    unsigned nlit, ndist, ncode, i = 0, k;
    int left;
    sio__bits_refill(b);
    nlit = sio__bits_take(b, 5) + 257;
    ndist = sio__bits_take(b, 5) + 1;
    ncode = sio__bits_take(b, 4) + 4;
    if (nlit > 286 || ndist > 30)
        return sio__inflate_fail(z, SIO_ERR_PROTOCOL, "deflate: a dynamic block has too many length or distance codes");
    memset(clen, 0, sizeof clen);
    for (k = 0; k < ncode; k++) {
        sio__bits_refill(b);
        clen[sio__clen_order[k]] = (unsigned char)sio__bits_take(b, 3);
    }
    left = sio__huffman_build(&t->lit, clen, 19);   /* lit holds the code length code for a while */
    if (left != 0)
        return sio__inflate_fail(z, SIO_ERR_PROTOCOL, "deflate: a dynamic block's code length code is not complete");
    while (i < nlit + ndist) {
        int sym;
        unsigned repeat, value = 0;
        sio__bits_refill(b);
        sym = sio__huffman_decode(b, &t->lit);
        if (sym < 0) return sio__inflate_fail(z, SIO_ERR_PROTOCOL, "deflate: invalid code length code");
        if (sym < 16) {
            lengths[i++] = (unsigned char)sym;
            continue;
        }
        if (sym == 16) {
            if (i == 0) return sio__inflate_fail(z, SIO_ERR_PROTOCOL, "deflate: code length repeat with no previous length");
            value = lengths[i - 1];
            repeat = 3 + sio__bits_take(b, 2);
        } else if (sym == 17) {
            repeat = 3 + sio__bits_take(b, 3);
        } else {
            repeat = 11 + sio__bits_take(b, 7);
        }
        if (repeat > nlit + ndist - i)
            return sio__inflate_fail(z, SIO_ERR_PROTOCOL, "deflate: code lengths repeat past the end of the block's codes");
        while (repeat--) lengths[i++] = (unsigned char)value;
    }
    if (sio__bits_over(b)) return sio__inflate_fail(z, SIO_ERR_PROTOCOL, "deflate: compressed data ends early");
    if (!lengths[256]) return sio__inflate_fail(z, SIO_ERR_PROTOCOL, "deflate: a dynamic block has no end-of-block code");
    if (!sio__huffman_usable(&t->lit, sio__huffman_build(&t->lit, lengths, nlit)))
        return sio__inflate_fail(z, SIO_ERR_PROTOCOL, "deflate: invalid literal/length code lengths");
    left = sio__huffman_build(&t->dist, lengths + nlit, ndist);
    if (left != 1 << 15 && !sio__huffman_usable(&t->dist, left))   /* none at all: literals only */
        return sio__inflate_fail(z, SIO_ERR_PROTOCOL, "deflate: invalid distance code lengths");
    return SIO_OK;
}

static void sio__inflate_fixed_codes(sio__inflate_tables *t)
{
    unsigned char lengths[288];
    unsigned i;
    for (i = 0; i < 144; i++) lengths[i] = 8;
    for (; i < 256; i++) lengths[i] = 9;
    for (; i < 280; i++) lengths[i] = 7;
    for (; i < 288; i++) lengths[i] = 8;
    sio__huffman_build(&t->lit, lengths, 288);
    for (i = 0; i < 30; i++) lengths[i] = 5;
    sio__huffman_build(&t->dist, lengths, 30);
}

/* The symbols of one Huffman-coded block, up to its end-of-block code;
 * *o is where output goes, start where this message began (the history
 * before it may be referred to), limit where max bytes would be passed. */
static int sio__inflate_codes(sio_inflater *z, sio__bits *bits, const sio__inflate_tables *t, size_t *o_io, size_t limit)
{
    /* Local copies: stores into the output could alias the structs. */
    sio__bits b = *bits;
    unsigned char *buf = z->buffer;
    size_t o = *o_io, end = z->cap < limit ? z->cap : limit;   /* output may go up to end without a check */
    size_t reach = z->window ? z->window : 32768;                 /* the farthest a match may refer back */
    int r = SIO_OK;
    const char *why = NULL;
    for (;;) {
        int sym;
        unsigned len, dist;
        sio__bits_refill(&b);
        if (b.pos > b.total + 8) {
            why = "deflate: compressed data ends early";
            break;
        }
        sym = sio__huffman_decode(&b, &t->lit);
        if (sym < 256) {
            if (sym < 0) {
                why = "deflate: invalid literal/length code";
                break;
            }
            if (o >= end) {
                if ((r = sio__inflate_room(z, o, 1, limit)) != SIO_OK) break;
                buf = z->buffer;
                end = z->cap < limit ? z->cap : limit;
            }
            buf[o++] = (unsigned char)sym;
            continue;
        }
        if (sym == 256) break;
        sym -= 257;
        if (sym >= 29) {
            why = "deflate: invalid length code";
            break;
        }
        len = sio__len_base[sym] + sio__bits_take(&b, sio__len_extra[sym]);
        sym = sio__huffman_decode(&b, &t->dist);      /* 15 + 5 + 15 + 13 bits fit in one refill */
        if (sym < 0 || sym >= 30) {
            why = "deflate: invalid distance code";
            break;
        }
        dist = sio__dist_base[sym] + sio__bits_take(&b, sio__dist_extra[sym]);
        if (dist > o || dist > reach) {
            why = dist > o ? "deflate: distance refers to before the start of the data"
                           : "deflate: distance reaches beyond the agreed window";
            break;
        }
        if (len > end - o) {
            if ((r = sio__inflate_room(z, o, len, limit)) != SIO_OK) break;
            buf = z->buffer;
            end = z->cap < limit ? z->cap : limit;
        }
        {
            unsigned char *dst = buf + o;
            const unsigned char *src = dst - dist;
            o += len;
            if (dist >= len) {
                memcpy(dst, src, len);
            } else if (dist >= 8) {                   /* overlapping: in steps that do not */
                while (len >= 8) {
                    memcpy(dst, src, 8);
                    dst += 8;
                    src += 8;
                    len -= 8;
                }
                while (len--) *dst++ = *src++;
            } else {
                while (len--) *dst++ = *src++;        /* a short repeat */
            }
        }
    }
    *bits = b;
    *o_io = o;
    if (r != SIO_OK)
        return sio__inflate_fail(z, r, r == SIO_ERR_NOMEM ? "deflate: out of memory" : "deflate: message inflates past max_message");
    return why ? sio__inflate_fail(z, SIO_ERR_PROTOCOL, why) : SIO_OK;
}

/* A stored block: its header was read; the bits left in the byte are skipped. */
static int sio__inflate_stored(sio_inflater *z, sio__bits *b, size_t *o, size_t limit)
{
    unsigned n, nn;
    size_t at, from_in;
    int r;
    sio__bits_take(b, b->cnt & 7);
    sio__bits_refill(b);
    n = sio__bits_take(b, 16);
    nn = sio__bits_take(b, 16);
    if (sio__bits_over(b)) return sio__inflate_fail(z, SIO_ERR_PROTOCOL, "deflate: compressed data ends early");
    if ((n ^ 0xffffu) != nn) return sio__inflate_fail(z, SIO_ERR_PROTOCOL, "deflate: stored block length does not match its complement");
    at = b->pos - b->cnt / 8;              /* the bytes still in buf go back to the input */
    b->buf = 0;
    b->cnt = 0;
    if (n > b->total - at) return sio__inflate_fail(z, SIO_ERR_PROTOCOL, "deflate: compressed data ends early");
    if ((r = sio__inflate_room(z, *o, n, limit)) != SIO_OK)
        return sio__inflate_fail(z, r, r == SIO_ERR_NOMEM ? "deflate: out of memory" : "deflate: message inflates past max_message");
    from_in = at < b->len ? (b->len - at < n ? b->len - at : n) : 0;
    if (from_in) memcpy(z->buffer + *o, b->in + at, from_in);
    if (n > from_in) memcpy(z->buffer + *o + from_in, sio__sync_tail + (at + from_in - b->len), n - from_in);
    *o += n;
    b->pos = at + n;
    return SIO_OK;
}

SIO_API int sio_inflate_message(sio_inflater *z, const unsigned char *in, size_t len, int sync_tail,
                                size_t max, const unsigned char **out, size_t *out_len)
{
    sio__bits b;
    sio__inflate_tables *t;
    size_t start, o, limit;
    int final = 0, closed = 0, r = SIO_OK;
    *out = NULL;
    *out_len = 0;
    z->error = NULL;
    /* The next message may refer back a window: what lies before it is
     * dropped only once twice the window has piled up. */
    if (z->window && z->history > 2 * z->window) {
        memmove(z->buffer, z->buffer + z->history - z->window, z->window);
        z->history = z->window;
    }
    if (!z->window) z->history = 0;
    start = o = z->history;
    limit = max > (size_t)-1 - start - 1 ? (size_t)-2 : start + max;
    if (sio__inflate_room(z, o, 0, limit) != SIO_OK) return sio__inflate_fail(z, SIO_ERR_NOMEM, "deflate: out of memory");
    if (len == 0) {                      /* no data at all: an empty message, leniently */
        z->buffer[o] = 0;
        *out = z->buffer + o;
        return SIO_OK;
    }
    t = (sio__inflate_tables *)sio__realloc(&z->allocator, NULL, sizeof *t);
    if (!t) return sio__inflate_fail(z, SIO_ERR_NOMEM, "deflate: out of memory");
    memset(&b, 0, sizeof b);
    b.in = in;
    b.len = len;
    b.total = len + (sync_tail ? 4 : 0);
    while (!final && r == SIO_OK) {
        unsigned type;
        if ((b.pos * 8 - b.cnt + 7) / 8 >= b.total) break;   /* only the last byte's padding is left */
        sio__bits_refill(&b);
        final = (int)sio__bits_take(&b, 1);
        type = sio__bits_take(&b, 2);
        closed = 0;
        if (type == 0) {
            size_t before = o;
            r = sio__inflate_stored(z, &b, &o, limit);
            closed = r == SIO_OK && o == before && b.pos == b.total;   /* the sync flush's empty block */
        } else if (type == 3) {
            r = sio__inflate_fail(z, SIO_ERR_PROTOCOL, "deflate: invalid block type 3");
        } else {
            if (type == 1) sio__inflate_fixed_codes(t);
            else r = sio__inflate_dynamic_codes(z, &b, t);
            if (r == SIO_OK) r = sio__inflate_codes(z, &b, t, &o, limit);
        }
        if (r == SIO_OK && sio__bits_over(&b))
            r = sio__inflate_fail(z, SIO_ERR_PROTOCOL, "deflate: compressed data ends early");
    }
    /* With the tail appended, a message that is not final must end exactly
     * with it as an empty stored block: else the tail was taken as data. */
    if (r == SIO_OK && sync_tail && !final && !closed)
        r = sio__inflate_fail(z, SIO_ERR_PROTOCOL, "deflate: the data does not end with a sync flush (RFC 7692 7.2.2)");
    sio__free(&z->allocator, t);
    if (r != SIO_OK) {
        z->history = 0;
        return r;
    }
    z->buffer[o] = 0;                                   /* room for it was kept (cap + 1) */
    *out = z->buffer + start;
    *out_len = o - start;
    if (z->window) {
        /* The caller may write into what it gets (a parser that works in
         * place); the history the next message refers to must not change. */
        if (o - start + 1 > z->copy_cap) {
            void *p = sio__realloc(&z->allocator, z->copy, o - start + 1);
            if (!p) {
                z->history = 0;
                return sio__inflate_fail(z, SIO_ERR_NOMEM, "deflate: out of memory");
            }
            z->copy = (unsigned char *)p;
            z->copy_cap = o - start + 1;
        }
        memcpy(z->copy, z->buffer + start, o - start + 1);
        *out = z->copy;
    }
    z->history = z->window ? o : 0;
    return SIO_OK;
}

SIO_API void sio_inflater_trim(sio_inflater *z)
{
    sio__free(&z->allocator, z->copy);
    z->copy = NULL;
    z->copy_cap = 0;
    if (!z->window) {
        sio__free(&z->allocator, z->buffer);
        z->buffer = NULL;
        z->cap = z->history = 0;
    } else if (z->cap > z->window) {               /* only the window stays */
        void *p;
        size_t keep = z->history < z->window ? z->history : z->window;
        memmove(z->buffer, z->buffer + z->history - keep, keep);
        z->history = keep;
        p = sio__realloc(&z->allocator, z->buffer, z->window + 1);
        if (p) {
            z->buffer = (unsigned char *)p;
            z->cap = z->window;
        }
    }
}

SIO_API void sio_inflater_free(sio_inflater *z)
{
    sio__free(&z->allocator, z->buffer);
    sio__free(&z->allocator, z->copy);
    z->buffer = z->copy = NULL;
    z->cap = z->history = z->copy_cap = 0;
}

/* ---- deflate ------------------------------------------------------------ */

#define SIO__BLOCK_SYMBOLS 16384     /* symbols per block: each block gets its own codes */
#define SIO__MAX_CHAIN 4             /* candidates tried per position: a fast level */
#define SIO__NICE_MATCH 32           /* a match this long is taken without looking further */
#define SIO__INSERT_MAX 4           /* positions inside matches up to this long are hashed */

/* Bits out, lowest first; gives up (full) rather than pass cap. */
typedef struct sio__bitwriter {
    unsigned char *out;
    size_t pos, cap;
    uint64_t buf;
    unsigned cnt;
    int full;
} sio__bitwriter;

/* Writes out the low 32 bits that are full. */
static void sio__put_word(sio__bitwriter *w)
{
    if (w->pos + 4 > w->cap) {
        w->full = 1;
        w->pos = 0;                      /* keep writing in place: the result is dropped */
    }
    w->out[w->pos++] = (unsigned char)w->buf;
    w->out[w->pos++] = (unsigned char)(w->buf >> 8);
    w->out[w->pos++] = (unsigned char)(w->buf >> 16);
    w->out[w->pos++] = (unsigned char)(w->buf >> 24);
    w->buf >>= 32;
    w->cnt -= 32;
}

static void sio__put_bits(sio__bitwriter *w, unsigned bits, unsigned n)   /* n <= 32 */
{
    w->buf |= (uint64_t)bits << w->cnt;
    w->cnt += n;
    if (w->cnt >= 32) sio__put_word(w);
}

/* Pads to a whole byte and writes out everything pending. */
static void sio__put_align(sio__bitwriter *w)
{
    while (w->cnt > 0) {
        if (w->pos + 1 > w->cap) {
            w->full = 1;
            w->pos = 0;
        }
        w->out[w->pos++] = (unsigned char)w->buf;
        w->buf >>= 8;
        w->cnt = w->cnt > 8 ? w->cnt - 8 : 0;
    }
    w->buf = 0;
}

/* The tree building's tables (on the heap with the message's other work
 * tables: a small target's stack could not hold them). */
typedef struct sio__huffman_work {
    uint16_t order[288], parent[2 * 288];
    uint32_t weight[2 * 288];
    uint16_t depth[2 * 288];
} sio__huffman_work;

/* Code lengths of at most limit bits for the symbols' frequencies: a
 * Huffman tree, then the longest codes pushed back under the limit by
 * moving leaves while keeping the code complete.  At least two symbols get
 * a code, so every code is complete (some inflaters refuse others). */
static void sio__huffman_lengths(const uint32_t *freq, unsigned n, unsigned limit, unsigned char *lengths,
                                 sio__huffman_work *t)
{
    uint16_t *order = t->order, *parent = t->parent, *depth = t->depth;
    uint32_t *weight = t->weight;
    unsigned counts[16] = {0};
    unsigned used = 0, i, j, leaf, node, next, total, len;
    memset(lengths, 0, n);
    for (i = 0; i < n; i++)
        if (freq[i]) order[used++] = (uint16_t)i;
    for (i = 0; used < 2 && i < n; i++)              /* too few symbols: add a zero-weight one */
        if (!freq[i] && (used == 0 || order[0] != i)) order[used++] = (uint16_t)i;
    for (i = 1; i < used; i++) {                      /* ascending frequency (insertion sort: n <= 288) */
        uint16_t s = order[i];
        for (j = i; j > 0 && (freq[order[j - 1]] > freq[s] || (freq[order[j - 1]] == freq[s] && order[j - 1] > s)); j--)
            order[j] = order[j - 1];
        order[j] = s;
    }
    /* Two queues: leaves in order, then internal nodes as they are made
     * (made in ascending weight).  Nodes 0..used-1 are leaves. */
    for (i = 0; i < used; i++) weight[i] = freq[order[i]];
    leaf = 0;
    next = used;
    for (node = used; node < 2 * used - 1; node++) {
        unsigned pick[2], k;
        for (k = 0; k < 2; k++) {
            if (leaf < used && (next >= node || weight[leaf] <= weight[next])) pick[k] = leaf++;
            else pick[k] = next++;
        }
        weight[node] = weight[pick[0]] + weight[pick[1]];
        parent[pick[0]] = parent[pick[1]] = (uint16_t)node;
    }
    depth[2 * used - 2] = 0;
    for (node = 2 * used - 2; node-- > 0;) {
        depth[node] = (uint16_t)(depth[parent[node]] + 1);
        if (node < used) counts[depth[node] > limit ? limit : depth[node]]++;
    }
    total = 0;
    for (len = 1; len <= limit; len++) total += counts[len] << (limit - len);
    while (total > (1u << limit)) {                   /* over the limit: move leaves up */
        counts[limit]--;
        for (len = limit - 1; len > 0; len--)
            if (counts[len]) {
                counts[len]--;
                counts[len + 1] += 2;
                break;
            }
        total--;
    }
    /* The rarest symbols get the longest codes. */
    i = 0;
    for (len = limit; len > 0; len--)
        for (j = 0; j < counts[len]; j++) lengths[order[i++]] = (unsigned char)len;
}

/* Canonical codes for the lengths, bit-reversed for writing lowest first. */
static void sio__huffman_codes(const unsigned char *lengths, unsigned n, uint16_t *codes)
{
    unsigned count[16] = {0}, next[16], len, code = 0, s;
    for (s = 0; s < n; s++) count[lengths[s]]++;
    count[0] = 0;
    for (len = 1; len < 16; len++) {
        code = (code + count[len - 1]) << 1;
        next[len] = code;
    }
    for (s = 0; s < n; s++)
        codes[s] = lengths[s] ? (uint16_t)sio__reverse_bits(next[lengths[s]]++, lengths[s]) : 0;
}

static unsigned sio__top_bit(unsigned v)          /* 0 < v < 65536 */
{
    unsigned n = 0;
    if (v >= 1u << 8) { v >>= 8; n += 8; }
    if (v >= 1u << 4) { v >>= 4; n += 4; }
    if (v >= 1u << 2) { v >>= 2; n += 2; }
    return n + (v >= 2);
}

/* The length symbol (0..28) of a match length - 3 (0..255), and the
 * distance symbol (0..29) of a distance - 1 (0..32767): each four (two)
 * symbols share a count of extra bits that grows by one per power of two. */
static unsigned sio__len_symbol(unsigned n)
{
    unsigned top;
    if (n < 8) return n;
    if (n == 255) return 28;
    top = sio__top_bit(n);
    return 4 * (top - 1) + ((n >> (top - 2)) & 3);
}

static unsigned sio__dist_symbol(unsigned d)
{
    unsigned top;
    if (d < 4) return d;
    top = sio__top_bit(d);
    return 2 * top + ((d >> (top - 1)) & 1);
}

/* A block's symbols: a literal byte, or a match: the top bit, then the
 * length symbol and its extra value (5 bits each), the distance symbol (5)
 * and the distance - 1 (15). */
#define SIO__MATCH 0x80000000u
/* A block's counts, code lengths and codes. */
typedef struct sio__block_tables {
    sio__huffman_work huffman;
    uint32_t lit_freq[286], dist_freq[30], clen_freq[19];
    unsigned char lengths[286 + 30], clen_len[19], fixed_len[288], fixed_dist[30];
    uint16_t lit_codes[288], dist_codes[30], clen_codes[19], rle[286 + 30];
} sio__block_tables;

typedef struct sio__block {
    const unsigned char *in;
    size_t start, end;                 /* the input bytes it covers */
    uint32_t *symbols;
    size_t count;
    sio__block_tables *t;
} sio__block;

/* The code length codes for lit/dist lengths: (symbol, extra) pairs. */
static unsigned sio__rle_lengths(const unsigned char *lengths, unsigned n, uint16_t *out)
{
    unsigned i = 0, m = 0;
    while (i < n) {
        unsigned v = lengths[i], run = 1;
        while (i + run < n && lengths[i + run] == v) run++;
        i += run;
        if (v == 0) {
            while (run >= 11) {
                unsigned r = run > 138 ? 138 : run;
                out[m++] = (uint16_t)(18 | (r - 11) << 5);
                run -= r;
            }
            if (run >= 3) {
                out[m++] = (uint16_t)(17 | (run - 3) << 5);
                run = 0;
            }
        } else {
            out[m++] = (uint16_t)v;
            run--;
            while (run >= 3) {
                unsigned r = run > 6 ? 6 : run;
                out[m++] = (uint16_t)(16 | (r - 3) << 5);
                run -= r;
            }
        }
        while (run--) out[m++] = (uint16_t)v;
    }
    return m;
}

/* Writes one block, dynamic, fixed or stored, whichever is shortest. */
static void sio__write_block(sio__bitwriter *w, const sio__block *k)
{
    sio__block_tables *t = k->t;
    uint32_t *lit_freq = t->lit_freq, *dist_freq = t->dist_freq, *clen_freq = t->clen_freq;
    unsigned char *lengths = t->lengths, *clen_len = t->clen_len, *fixed_len = t->fixed_len, *fixed_dist = t->fixed_dist;
    uint16_t *lit_codes = t->lit_codes, *dist_codes = t->dist_codes, *clen_codes = t->clen_codes, *rle = t->rle;
    const unsigned char *lit_len, *dist_len;
    unsigned nlit = 286, ndist = 30, nclen = 19, nrle, i;
    size_t extra = 0, dyn = 0, fix = 0, stored, raw = k->end - k->start;
    memset(t->lit_freq, 0, sizeof t->lit_freq);
    memset(t->dist_freq, 0, sizeof t->dist_freq);
    memset(t->clen_freq, 0, sizeof t->clen_freq);
    for (i = 0; i < k->count; i++) {
        uint32_t s = k->symbols[i];
        if (s < 256) {
            lit_freq[s]++;
        } else {
            unsigned ls = s & 31, ds = (s >> 10) & 31;
            lit_freq[257 + ls]++;
            dist_freq[ds]++;
            extra += sio__len_extra[ls] + sio__dist_extra[ds];
        }
    }
    lit_freq[256] = 1;
    sio__huffman_lengths(lit_freq, 286, 15, lengths, &t->huffman);
    sio__huffman_lengths(dist_freq, 30, 15, lengths + 286, &t->huffman);
    while (nlit > 257 && !lengths[nlit - 1]) nlit--;
    while (ndist > 1 && !lengths[286 + ndist - 1]) ndist--;
    memmove(lengths + nlit, lengths + 286, ndist);
    nrle = sio__rle_lengths(lengths, nlit + ndist, rle);
    for (i = 0; i < nrle; i++) clen_freq[rle[i] & 31]++;
    sio__huffman_lengths(clen_freq, 19, 7, clen_len, &t->huffman);
    while (nclen > 4 && !clen_len[sio__clen_order[nclen - 1]]) nclen--;
    /* What each choice costs in bits. */
    dyn = 3 + 14 + 3 * nclen;
    for (i = 0; i < nrle; i++) {
        unsigned s = rle[i] & 31;
        dyn += (size_t)clen_len[s] + (s == 16 ? 2u : s == 17 ? 3u : s == 18 ? 7u : 0u);
    }
    for (i = 0; i < 144; i++) fixed_len[i] = 8;
    for (; i < 256; i++) fixed_len[i] = 9;
    for (; i < 280; i++) fixed_len[i] = 7;
    for (; i < 288; i++) fixed_len[i] = 8;
    memset(fixed_dist, 5, sizeof t->fixed_dist);
    fix = 3 + extra;
    dyn += extra;
    for (i = 0; i < 286; i++) {
        fix += (size_t)lit_freq[i] * fixed_len[i];
        dyn += (size_t)lit_freq[i] * (i < nlit ? lengths[i] : 0);
    }
    for (i = 0; i < 30; i++) {
        fix += (size_t)dist_freq[i] * 5;
        dyn += (size_t)dist_freq[i] * (i < ndist ? lengths[nlit + i] : 0);
    }
    stored = (raw + 5 * (raw / 65535 + 1)) * 8 + 7;
    if (stored < dyn && stored < fix) {
        size_t at = k->start;
        do {
            size_t n = k->end - at > 65535 ? 65535 : k->end - at, j;
            sio__put_bits(w, 0, 3);
            sio__put_align(w);
            sio__put_bits(w, (unsigned)(n | (n ^ 0xffff) << 16), 32);
            for (j = 0; j < n; j++) sio__put_bits(w, k->in[at + j], 8);
            at += n;
        } while (at < k->end);
        return;
    }
    if (fix <= dyn) {
        lit_len = fixed_len;
        dist_len = fixed_dist;
        sio__huffman_codes(fixed_len, 288, lit_codes);
        sio__huffman_codes(fixed_dist, 30, dist_codes);
        sio__put_bits(w, 1 << 1, 3);
    } else {
        lit_len = lengths;
        dist_len = lengths + nlit;
        sio__huffman_codes(lengths, nlit, lit_codes);
        sio__huffman_codes(lengths + nlit, ndist, dist_codes);
        sio__huffman_codes(clen_len, 19, clen_codes);
        sio__put_bits(w, 2 << 1, 3);
        sio__put_bits(w, (nlit - 257) | (ndist - 1) << 5 | (nclen - 4) << 10, 14);
        for (i = 0; i < nclen; i++) sio__put_bits(w, clen_len[sio__clen_order[i]], 3);
        for (i = 0; i < nrle; i++) {
            unsigned s = rle[i] & 31, x = rle[i] >> 5;
            sio__put_bits(w, clen_codes[s], clen_len[s]);
            if (s >= 16) sio__put_bits(w, x, s == 16 ? 2 : s == 17 ? 3 : 7);
        }
    }
    {
        sio__bitwriter lw = *w;                    /* a local copy: output stores could alias it */
        for (i = 0; i < k->count && !lw.full; i++) {
            uint32_t s = k->symbols[i];
            if (s < 256) {
                sio__put_bits(&lw, lit_codes[s], lit_len[s]);
            } else {
                unsigned ls = s & 31, ds = (s >> 10) & 31;
                unsigned dx = ((s >> 15) & 0x7fff) - (sio__dist_base[ds] - 1u);
                sio__put_bits(&lw, lit_codes[257 + ls] | ((s >> 5) & 31) << lit_len[257 + ls],
                              lit_len[257 + ls] + sio__len_extra[ls]);
                sio__put_bits(&lw, dist_codes[ds] | dx << dist_len[ds], dist_len[ds] + sio__dist_extra[ds]);
            }
        }
        *w = lw;
    }
    sio__put_bits(w, lit_codes[256], lit_len[256]);
}

static uint32_t sio__hash3(const unsigned char *p, unsigned bits)
{
    return (((uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]) * 2654435761u) >> (32 - bits);
}

/* Work tables for one message, sized by it: small messages need little. */
typedef struct sio__lz {
    uint32_t *head, *prev;       /* position + 1 of the last and the previous occurrence of a hash */
    unsigned hash_bits;
    size_t prev_mask, window;
} sio__lz;

/* The longest match for position i within the window, 0 when under 3. */
static unsigned sio__lz_match(const sio__lz *z, const unsigned char *in, size_t len, size_t i, uint32_t cand, unsigned *dist)
{
    unsigned best = 2, chain = SIO__MAX_CHAIN;
    size_t max = len - i > 258 ? 258 : len - i;
    while (cand && chain--) {
        size_t c = cand - 1, n = 0;
        uint32_t older;
        if (i - c > z->window) break;
        if (in[c + best] == in[i + best]) {
            while (n + 8 <= max && memcmp(in + c + n, in + i + n, 8) == 0) n += 8;
            while (n < max && in[c + n] == in[i + n]) n++;
            if (n > best) {
                best = (unsigned)n;
                *dist = (unsigned)(i - c);
                if (n >= SIO__NICE_MATCH || n == max) break;
            }
        }
        older = z->prev[c & z->prev_mask];
        if (older >= cand) break;                  /* the slot was reused by a newer position */
        cand = older;
    }
    return best >= 3 ? best : 0;
}

static void sio__lz_insert(sio__lz *z, const unsigned char *in, size_t i)
{
    uint32_t h = sio__hash3(in + i, z->hash_bits);
    z->prev[i & z->prev_mask] = z->head[h];
    z->head[h] = (uint32_t)i + 1;
}

SIO_API int sio_deflate_message(sio_deflater *d, const unsigned char *in, size_t len, size_t limit,
                                const unsigned char **out, size_t *out_len)
{
    sio__lz z;
    sio__block k;
    sio__bitwriter w;
    size_t i = 0, cap, prev_size = 1, table;
    unsigned bits = d->window_bits >= 8 && d->window_bits <= 15 ? d->window_bits : 15;
    void *mem;
    *out = NULL;
    *out_len = 0;
    if (limit == 0 || len > (size_t)0xffffffffu - 1) return SIO_ERR_TOO_BIG;
    cap = (limit < len + len / 1024 + 64 ? limit : len + len / 1024 + 64) + 8;
    if (d->out_cap < cap) {
        void *p = sio__realloc(&d->allocator, d->out, cap);
        if (!p) return SIO_ERR_NOMEM;
        d->out = (unsigned char *)p;
        d->out_cap = cap;
    }
    memset(&z, 0, sizeof z);
    z.window = (size_t)1 << bits;
    z.hash_bits = 8;
    while (z.hash_bits < 15 && ((size_t)1 << z.hash_bits) < len) z.hash_bits++;
    while (prev_size < z.window && prev_size < len) prev_size <<= 1;
    z.prev_mask = prev_size - 1;
    table = ((size_t)1 << z.hash_bits) + prev_size;
    mem = sio__realloc(&d->allocator, NULL, sizeof(sio__block_tables) + table * sizeof(uint32_t) +
                                            SIO__BLOCK_SYMBOLS * sizeof(uint32_t));
    if (!mem) return SIO_ERR_NOMEM;
    z.head = (uint32_t *)((sio__block_tables *)mem + 1);
    z.prev = z.head + ((size_t)1 << z.hash_bits);
    memset(z.head, 0, ((size_t)1 << z.hash_bits) * sizeof(uint32_t));
    memset(&k, 0, sizeof k);
    k.in = in;
    k.symbols = z.prev + prev_size;
    k.t = (sio__block_tables *)mem;
    memset(&w, 0, sizeof w);
    w.out = d->out;
    w.cap = d->out_cap - 8;
    while (i < len && !w.full) {
        unsigned mlen = 0, dist = 0;
        if (i + 3 <= len) {
            uint32_t h = sio__hash3(in + i, z.hash_bits);
            mlen = sio__lz_match(&z, in, len, i, z.head[h], &dist);
            z.prev[i & z.prev_mask] = z.head[h];
            z.head[h] = (uint32_t)i + 1;
        }
        if (mlen) {
            size_t j, end = i + mlen;
            unsigned ls = sio__len_symbol(mlen - 3), ds = sio__dist_symbol(dist - 1);
            k.symbols[k.count++] = SIO__MATCH | ls | (mlen - sio__len_base[ls]) << 5 | ds << 10 | (uint32_t)(dist - 1) << 15;
            /* Short matches hash every position inside them; long ones
             * only their last few, so that the next match is near. */
            for (j = mlen <= SIO__INSERT_MAX ? i + 1 : end - 3; j < end && j + 3 <= len; j++) sio__lz_insert(&z, in, j);
            i = end;
        } else {
            k.symbols[k.count++] = in[i++];
        }
        if (k.count == SIO__BLOCK_SYMBOLS || i == len) {
            k.end = i;
            sio__write_block(&w, &k);
            k.start = i;
            k.count = 0;
        }
    }
    sio__put_bits(&w, 0, 3);              /* the empty stored block of the sync flush */
    sio__put_align(&w);
    sio__free(&d->allocator, mem);
    if (w.full || w.pos >= limit) return SIO_ERR_TOO_BIG;
    *out = d->out;
    *out_len = w.pos;
    return SIO_OK;
}

SIO_API void sio_deflater_free(sio_deflater *d)
{
    sio__free(&d->allocator, d->out);
    d->out = NULL;
    d->out_cap = 0;
}

#endif
#ifdef SIO_SOURCE_LINES
#line 1 "src/proxy.c"
#endif
/* ---------------------------------------------------------------------- */
/* proxy                                                                   */
/* ---------------------------------------------------------------------- */

enum {   /* sio_proxy_handshake.step */
    SIO__PROXY_HTTP_REPLY,               /* CONNECT sent: the response head */
    SIO__PROXY_SOCKS_METHOD,             /* greeting sent: the method chosen */
    SIO__PROXY_SOCKS_AUTH,               /* user and password sent: their verdict */
    SIO__PROXY_SOCKS_REPLY,              /* CONNECT sent: the reply */
    SIO__PROXY_OPEN
};

/* Percent-decodes s[0..n) into out (NULL: only measures).  Returns the
 * decoded length, or (size_t)-1 for a bad escape or an escaped NUL. */
static size_t sio__proxy_unescape(const char *s, size_t n, char *out)
{
    size_t i, k = 0;
    for (i = 0; i < n; i++, k++) {
        int ch = (unsigned char)s[i];
        if (ch == '%') {
            int hi, lo;
            if (n - i < 3) return (size_t)-1;
            hi = sio__hex((unsigned char)s[i + 1]);
            lo = sio__hex((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0 || (hi | lo) == 0) return (size_t)-1;
            ch = hi * 16 + lo;
            i += 2;
        }
        if (out) out[k] = (char)ch;
    }
    return k;
}

SIO_API int sio_proxy_url_parse(sio_proxy_url *p, const char *text)
{
    const char *s, *auth, *at = NULL, *end;
    unsigned long port = 0;
    memset(p, 0, sizeof *p);
    if (!text || !(s = strstr(text, "://"))) return SIO_ERR_URL;
    if (sio__span_ieq(text, (size_t)(s - text), "http")) p->kind = SIO_PROXY_HTTP;
    else if (sio__span_ieq(text, (size_t)(s - text), "socks5")) p->kind = SIO_PROXY_SOCKS5;
    else if (sio__span_ieq(text, (size_t)(s - text), "socks5h")) p->kind = SIO_PROXY_SOCKS5H;
    else return SIO_ERR_URL;
    auth = s + 3;
    for (end = auth; *end && *end != '/'; end++) {
        if ((unsigned char)*end <= 0x20 || *end == 0x7f || *end == '?' || *end == '#') return SIO_ERR_URL;
        if (*end == '@') at = end;
    }
    if (*end == '/' && end[1]) return SIO_ERR_URL;                 /* a path means another kind of URL */
    if (at) {
        const char *colon = (const char *)memchr(auth, ':', (size_t)(at - auth));
        p->user = auth;
        p->user_len = (size_t)((colon ? colon : at) - auth);
        p->password = colon ? colon + 1 : at;
        p->password_len = (size_t)(at - p->password);
        char user[SIO_PROXY_MAX_CREDENTIAL + 1];
        size_t un = sio__proxy_unescape(p->user, p->user_len, NULL), pn;
        pn = sio__proxy_unescape(p->password, p->password_len, NULL);
        if (un == 0 || un > SIO_PROXY_MAX_CREDENTIAL || pn > SIO_PROXY_MAX_CREDENTIAL)
            return SIO_ERR_URL;                                     /* (size_t)-1 included */
        if (p->kind != SIO_PROXY_HTTP && pn == 0) return SIO_ERR_URL;   /* RFC 1929: 1 to 255 bytes each */
        sio__proxy_unescape(p->user, p->user_len, user);
        if (p->kind == SIO_PROXY_HTTP && memchr(user, ':', un)) return SIO_ERR_URL;   /* RFC 7617: no colon in a user-id */
        auth = at + 1;
    }
    if (*auth == '[') {
        const char *close = (const char *)memchr(auth, ']', (size_t)(end - auth));
        char literal[48];
        if (!close || (size_t)(close - auth - 1) >= sizeof literal) return SIO_ERR_URL;
        memcpy(literal, auth + 1, (size_t)(close - auth - 1));
        literal[close - auth - 1] = 0;
        if (sio_ip_parse(literal, (unsigned char *)literal) != 16) return SIO_ERR_URL;
        p->host = auth + 1;
        p->host_len = (size_t)(close - auth - 1);
        p->ipv6 = 1;
        s = close + 1;
    } else {
        for (s = auth; s < end && *s != ':'; s++)
            if (strchr("[]<>\"\\^`{|}%@", *s)) return SIO_ERR_URL;
        p->host = auth;
        p->host_len = (size_t)(s - auth);
        if (!p->host_len || p->host_len > SIO_PROXY_MAX_HOST || !sio__url_numeric_host_ok(p->host, p->host_len))
            return SIO_ERR_URL;
    }
    if (s < end && *s != ':') return SIO_ERR_URL;
    if (s < end) {
        if (++s == end) return SIO_ERR_URL;
        for (; s < end; s++) {
            if (*s < '0' || *s > '9' || (port = port * 10 + (unsigned long)(*s - '0')) > 65535) return SIO_ERR_URL;
        }
        if (port == 0) return SIO_ERR_URL;
    }
    p->port = (unsigned short)(port ? port : p->kind == SIO_PROXY_HTTP ? 80 : 1080);
    return SIO_OK;
}

/* Whether the address ip (n = 4 or 16 bytes) is in the block "addr/bits". */
static int sio__proxy_in_block(const unsigned char *ip, size_t n, char *block)
{
    unsigned char net[16];
    char *slash = strchr(block, '/'), *s;
    unsigned long bits = 0;
    size_t i;
    *slash = 0;
    if (sio_ip_parse(block, net) != n || !slash[1]) return 0;
    for (s = slash + 1; *s; s++)
        if (*s < '0' || *s > '9' || (bits = bits * 10 + (unsigned long)(*s - '0')) > n * 8) return 0;
    for (i = 0; i < n && bits > 0; i++, bits = bits > 8 ? bits - 8 : 0) {
        unsigned mask = bits >= 8 ? 0xffu : (0xffu << (8 - bits)) & 0xffu;
        if ((ip[i] & mask) != (net[i] & mask)) return 0;
    }
    return 1;
}

/* Whether one no_proxy entry (NUL-terminated, blanks removed) covers host:port. */
static int sio__proxy_entry_covers(char *e, const char *host, unsigned short port)
{
    unsigned char ip[16], other[16];
    size_t ip_len = sio_ip_parse(host, ip), hn = strlen(host), en;
    char *colon = strrchr(e, ':');
    if (e[0] == '*' && !e[1]) return 1;
    if (e[0] == '[') {                                  /* "[v6]" or "[v6]:port" */
        char *close = strchr(e, ']');
        if (!close || (close[1] && close[1] != ':')) return 0;
        colon = close[1] ? close + 1 : NULL;
        *close = 0;
        e++;
    } else if (colon && strchr(e, ':') != colon) {
        colon = NULL;                                   /* a bare IPv6 literal or block */
    }
    if (colon) {
        unsigned long want = 0;
        const char *d;
        *colon = 0;
        for (d = colon + 1; *d; d++)
            if (*d < '0' || *d > '9' || (want = want * 10 + (unsigned long)(*d - '0')) > 65535) return 0;
        if (want != port) return 0;
    }
    if (strchr(e, '/')) return ip_len && sio__proxy_in_block(ip, ip_len, e);
    if ((en = sio_ip_parse(e, other)) != 0) return en == ip_len && memcmp(ip, other, ip_len) == 0;
    if (e[0] == '*' && e[1] == '.') e++;               /* "*.example.com" as ".example.com" */
    if (e[0] == '.') e++;
    en = strlen(e);
    if (en && e[en - 1] == '.') e[--en] = 0;           /* "example.com." is example.com */
    if (hn && host[hn - 1] == '.') hn--;
    if (!en || ip_len || en > hn) return 0;
    return sio__span_ieq(host + hn - en, en, e) && (hn == en || host[hn - en - 1] == '.');
}

SIO_API int sio_proxy_excluded(const char *no_proxy, const char *host, unsigned short port)
{
    const char *p = no_proxy;
    if (!p || !host) return 0;
    while (*p) {
        char entry[SIO_PROXY_MAX_HOST + 16];
        size_t n = 0;
        while (*p == ',' || *p == ' ' || *p == '\t') p++;
        while (p[n] && p[n] != ',' && p[n] != ' ' && p[n] != '\t') n++;
        if (n && n < sizeof entry) {
            memcpy(entry, p, n);
            entry[n] = 0;
            if (sio__proxy_entry_covers(entry, host, port)) return 1;
        }
        p += n;
    }
    return 0;
}

/* "CONNECT host:port" with Basic credentials when the URL has them. */
static size_t sio__proxy_http_request(const sio_proxy_handshake *h, char *out)
{
    const sio_proxy_url *u = h->proxy;
    const char *open = strchr(h->host, ':') ? "[" : "", *close = *open ? "]" : "";
    char *p = out;
    p += sprintf(p, "CONNECT %s%s%s:%u HTTP/1.1\r\nHost: %s%s%s:%u\r\n", open, h->host, close, (unsigned)h->port,
                 open, h->host, close, (unsigned)h->port);
    if (u->user) {
        unsigned char plain[2 * SIO_PROXY_MAX_CREDENTIAL + 1];
        size_t n = sio__proxy_unescape(u->user, u->user_len, (char *)plain);
        plain[n++] = ':';
        n += sio__proxy_unescape(u->password, u->password_len, (char *)plain + n);
        p += sprintf(p, "Proxy-Authorization: Basic ");
        p += sio_base64_encode(plain, n, p);
        memset(plain, 0, sizeof plain);
        p += sprintf(p, "\r\n");
    }
    p += sprintf(p, "\r\n");
    return (size_t)(p - out);
}

/* SOCKS5's CONNECT: the address, or for socks5h the name (RFC 1928 4). */
static size_t sio__proxy_socks_request(const sio_proxy_handshake *h, unsigned char *out)
{
    unsigned char ip[16];
    size_t n = sio_ip_parse(h->host, ip), k = 4;
    out[0] = 5; out[1] = 1; out[2] = 0;
    if (n) {
        out[3] = n == 4 ? 1 : 4;
        memcpy(out + k, ip, n);
        k += n;
    } else {
        n = strlen(h->host);
        out[3] = 3;
        out[k++] = (unsigned char)n;
        memcpy(out + k, h->host, n);
        k += n;
    }
    out[k++] = (unsigned char)(h->port >> 8);
    out[k++] = (unsigned char)h->port;
    return k;
}

/* RFC 1929: version 1, then each credential with its length. */
static size_t sio__proxy_socks_credentials(const sio_proxy_url *u, unsigned char *out)
{
    size_t k = 1, n;
    out[0] = 1;
    n = sio__proxy_unescape(u->user, u->user_len, (char *)out + k + 1);
    out[k] = (unsigned char)n;
    k += 1 + n;
    n = sio__proxy_unescape(u->password, u->password_len, (char *)out + k + 1);
    out[k] = (unsigned char)n;
    return k + 1 + n;
}

SIO_API int sio_proxy_begin(sio_proxy_handshake *h, const sio_proxy_url *proxy, const char *host,
                            unsigned short port, size_t max_head, unsigned char *out, size_t cap, size_t *out_len)
{
    unsigned char ip[16];
    size_t n = host ? strlen(host) : 0, i;
    int literal = n && sio_ip_parse(host, ip) != 0;
    *out_len = 0;
    if (!n || n > SIO_PROXY_MAX_HOST || !proxy || !port || proxy->kind < SIO_PROXY_HTTP || proxy->kind > SIO_PROXY_SOCKS5H)
        return SIO_ERR_INVALID;
    if (proxy->kind == SIO_PROXY_SOCKS5 && !literal) return SIO_ERR_INVALID;   /* the client resolves it first */
    for (i = 0; !literal && i < n; i++) {     /* a name goes into the request as it is: letters, digits, - . _ */
        char ch = host[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || strchr("-._", ch)))
            return SIO_ERR_INVALID;
    }
    if (cap < SIO_PROXY_OUT_SIZE) return SIO_ERR_INVALID;
    memset(h, 0, sizeof *h);
    h->proxy = proxy;
    h->host = host;
    h->port = port;
    h->max_head = max_head;
    if (proxy->kind == SIO_PROXY_HTTP) {
        h->step = SIO__PROXY_HTTP_REPLY;
        *out_len = sio__proxy_http_request(h, (char *)out);
        return SIO_OK;
    }
    h->step = SIO__PROXY_SOCKS_METHOD;
    out[0] = 5;                                          /* no authentication, or user and password */
    out[1] = proxy->user ? 2 : 1;
    out[2] = 0;
    out[3] = 2;
    *out_len = proxy->user ? 4 : 3;
    return SIO_OK;
}

/* Copies the proxy's text s[0..n) for a sentence: at most 60 bytes, and
 * '?' for anything but printable ASCII (no control bytes reach a log). */
static const char *sio__proxy_printable(const char *s, size_t n, char out[61])
{
    size_t i;
    if (n > 60) n = 60;
    for (i = 0; i < n; i++) out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
    out[n] = 0;
    return out;
}

/* The realm of a Proxy-Authenticate challenge, for the error sentence
 * ("" when there is none). */
static const char *sio__proxy_realm(const sio_http_header *hd, char out[61])
{
    size_t i;
    for (i = 0; hd && i + 6 <= hd->value_len; i++) {
        if (sio__span_ieq(hd->value + i, 6, "realm=") && (i == 0 || strchr(" ,\t", hd->value[i - 1]))) {
            const char *v = hd->value + i + 6, *end = hd->value + hd->value_len, *start;
            if (v < end && *v == '"') v++;
            for (start = v; v < end && *v != '"' && *v != ','; v++) {}
            return sio__proxy_printable(start, (size_t)(v - start), out);
        }
    }
    out[0] = 0;
    return out;
}

/* Where the head in[0..len) ends (just past its blank line), or 0 while it
 * does not.  Scanning resumes near where the last call stopped, so a head
 * that arrives a byte at a time costs one pass, not one parse per byte. */
static size_t sio__proxy_head_end(sio_proxy_handshake *h, const unsigned char *in, size_t len)
{
    size_t i;
    for (i = h->scanned > 2 ? h->scanned - 2 : 0; i < len; i++) {
        if (in[i] != '\n') continue;
        if (i + 1 < len && in[i + 1] == '\n') return i + 2;
        if (i + 2 < len && in[i + 1] == '\r' && in[i + 2] == '\n') return i + 3;
    }
    h->scanned = len;
    return 0;
}

/* The proxy's answer to CONNECT: interim 1xx heads are skipped, a 2xx
 * opens the tunnel, anything else is a refusal. */
static int sio__proxy_http_reply(sio_proxy_handshake *h, const unsigned char *in, size_t len, size_t *used,
                                 char *why, size_t why_size)
{
    char text[61];
    for (;;) {
        sio__http_status r;
        sio_http_header challenge;
        size_t limit = len - *used > h->max_head ? h->max_head : len - *used;
        const unsigned char *p = in + *used;
        int st;
        if (memcmp(p, "HTTP/", limit < 5 ? limit : 5) != 0) {   /* fails now, not at the connect timeout */
            snprintf(why, why_size, "proxy: the answer to CONNECT is not HTTP (is it an HTTP proxy?)");
            return SIO_ERR_PROTOCOL;
        }
        if (!sio__proxy_head_end(h, p, limit)) {
            if (len - *used < h->max_head) return 0;
            snprintf(why, why_size, "proxy: the response to CONNECT exceeds %lu bytes", (unsigned long)h->max_head);
            return SIO_ERR_TOO_BIG;
        }
        st = sio__http_parse(&r, &challenge, 1, "Proxy-Authenticate", (const char *)p, limit);
        if (st == SIO_ERR_TOO_BIG) {
            snprintf(why, why_size, "proxy: the response to CONNECT has more than %d headers", SIO_HTTP_MAX_HEADERS);
            return SIO_ERR_TOO_BIG;
        }
        if (st != 1) {
            snprintf(why, why_size, "proxy: the answer to CONNECT is not HTTP (is it an HTTP proxy?)");
            return SIO_ERR_PROTOCOL;
        }
        if (r.status >= 200 && r.status <= 299) {
            *used += r.head_len;
            h->step = SIO__PROXY_OPEN;
            return 1;
        }
        if (r.status == 407) {
            sio__proxy_realm(r.kept ? &challenge : NULL, text);
            snprintf(why, why_size, "proxy: 407 authentication %s%s%s%s", h->proxy->user ? "failed" : "required",
                     text[0] ? " (realm \"" : "", text, text[0] ? "\")" : "");
            return SIO_ERR_PROXY;
        }
        if (r.status < 100 || r.status > 199 || r.status == 101) {
            snprintf(why, why_size, "proxy: CONNECT to %.100s port %u refused: %d %s", h->host, (unsigned)h->port,
                     r.status, sio__proxy_printable(r.reason, r.reason_len, text));
            return SIO_ERR_PROXY;
        }
        *used += r.head_len;                       /* 100, 102, 103: the final answer follows (RFC 9110 15.2) */
        h->scanned = 0;
    }
}

/* RFC 1928 6: what a SOCKS5 reply code means. */
static const char *sio__proxy_socks_error(int code)
{
    static const char *const text[] = {
        "succeeded", "general SOCKS server failure", "connection not allowed by ruleset", "network unreachable",
        "host unreachable", "connection refused", "TTL expired", "command not supported",
        "address type not supported"
    };
    return code >= 0 && code < (int)(sizeof text / sizeof text[0]) ? text[code] : "unknown error";
}

/* The SOCKS5 replies: the method, the credentials' verdict, the CONNECT's. */
static int sio__proxy_socks_reply(sio_proxy_handshake *h, const unsigned char *in, size_t len, size_t *used,
                                  unsigned char *out, size_t *out_len, char *why, size_t why_size)
{
    size_t need;
    if (len < 2) return 0;
    if (h->step == SIO__PROXY_SOCKS_METHOD) {
        if (in[0] != 5 || (in[1] != 0 && in[1] != 2 && in[1] != 0xff) || (in[1] == 2 && !h->proxy->user)) {
            snprintf(why, why_size, "proxy: the answer to the greeting is not SOCKS5 (is it a SOCKS5 proxy?)");
            return SIO_ERR_PROTOCOL;
        }
        if (in[1] == 0xff) {
            snprintf(why, why_size, "proxy: SOCKS5 accepts none of our methods (%s)",
                     h->proxy->user ? "no authentication, user and password" : "it may want a user and password");
            return SIO_ERR_PROXY;
        }
        *used = 2;
        h->step = in[1] == 2 ? SIO__PROXY_SOCKS_AUTH : SIO__PROXY_SOCKS_REPLY;
        *out_len = in[1] == 2 ? sio__proxy_socks_credentials(h->proxy, out) : sio__proxy_socks_request(h, out);
        return 0;
    }
    if (h->step == SIO__PROXY_SOCKS_AUTH) {
        if (in[1] != 0) {
            snprintf(why, why_size, "proxy: SOCKS5 authentication failed (user name or password refused)");
            return SIO_ERR_PROXY;
        }
        *used = 2;
        h->step = SIO__PROXY_SOCKS_REPLY;
        *out_len = sio__proxy_socks_request(h, out);
        return 0;
    }
    if (in[0] != 5) {
        snprintf(why, why_size, "proxy: the answer to CONNECT is not SOCKS5");
        return SIO_ERR_PROTOCOL;
    }
    if (in[1] != 0) {
        snprintf(why, why_size, "proxy: SOCKS5 %s", sio__proxy_socks_error(in[1]));
        return SIO_ERR_PROXY;
    }
    if (len < 5) return 0;
    need = in[3] == 1 ? 10 : in[3] == 4 ? 22 : in[3] == 3 ? 7 + (size_t)in[4] : 0;
    if (!need || in[2] != 0) {
        snprintf(why, why_size, "proxy: the answer to CONNECT is not SOCKS5 (%s %u)", in[2] ? "reserved byte" : "address type",
                 (unsigned)(in[2] ? in[2] : in[3]));
        return SIO_ERR_PROTOCOL;
    }
    if (len < need) return 0;
    *used = need;
    h->step = SIO__PROXY_OPEN;
    return 1;
}

SIO_API int sio_proxy_receive(sio_proxy_handshake *h, const unsigned char *in, size_t len, size_t *used,
                              unsigned char *out, size_t cap, size_t *out_len, char *why, size_t why_size)
{
    int r;
    *used = *out_len = 0;
    if (why_size) why[0] = 0;
    if (h->step == SIO__PROXY_OPEN) return 1;
    if (h->failed) {
        snprintf(why, why_size, "proxy: the handshake has failed already");
        return h->failed;
    }
    if (cap < SIO_PROXY_OUT_SIZE) {
        snprintf(why, why_size, "proxy: the room for the replies is smaller than SIO_PROXY_OUT_SIZE");
        return SIO_ERR_INVALID;
    }
    if (len == 0) return 0;
    r = h->step == SIO__PROXY_HTTP_REPLY ? sio__proxy_http_reply(h, in, len, used, why, why_size)
                                         : sio__proxy_socks_reply(h, in, len, used, out, out_len, why, why_size);
    if (r < 0) h->failed = r;
    return r;
}
#ifdef SIO_SOURCE_LINES
#line 1 "src/ws.c"
#endif
/* ---------------------------------------------------------------------- */
/* ws                                                                      */
/* ---------------------------------------------------------------------- */

SIO_API int sio_ws_parse_header(sio_ws_frame *f, const unsigned char *buf, size_t len, const char **why)
{
    size_t hl = 2;
    unsigned n;
    if (len < 2) return 0;
    f->fin = buf[0] >> 7;
    f->rsv = (buf[0] >> 4) & 7u;
    f->opcode = buf[0] & 15u;
    f->masked = buf[1] >> 7;
    n = buf[1] & 127u;
    if (n == 126) {
        if (len < 4) return 0;
        f->length = ((uint64_t)buf[2] << 8) | buf[3];
        if (f->length < 126) {
            if (why) *why = "ws: 16-bit frame length used for a payload under 126 bytes (RFC 6455 5.2)";
            return SIO_ERR_PROTOCOL;
        }
        hl = 4;
    } else if (n == 127) {
        int i;
        if (len < 10) return 0;
        if (buf[2] & 0x80) {
            if (why) *why = "ws: 64-bit frame length has its most significant bit set (RFC 6455 5.2)";
            return SIO_ERR_PROTOCOL;
        }
        f->length = 0;
        for (i = 2; i < 10; i++) f->length = (f->length << 8) | buf[i];
        if (f->length < 65536) {
            if (why) *why = "ws: 64-bit frame length used for a payload under 65536 bytes (RFC 6455 5.2)";
            return SIO_ERR_PROTOCOL;
        }
        hl = 10;
    } else {
        f->length = n;
    }
    if (f->masked) {
        if (len < hl + 4) return 0;
        memcpy(f->mask, buf + hl, 4);
        hl += 4;
    } else {
        memset(f->mask, 0, 4);
    }
    f->header_len = hl;
    return 1;
}

SIO_API int sio_ws_peek_frame(const unsigned char *buf, size_t len, sio_ws_frame *f, const unsigned char **payload)
{
    int r = sio_ws_parse_header(f, buf, len, NULL);
    if (r != 1) return r;
    if (f->length > len - f->header_len) return 0;
    *payload = buf + f->header_len;
    return 1;
}

SIO_API size_t sio_ws_frame_size(uint64_t payload_len, int masked)
{
    size_t hl = payload_len < 126 ? 2 : payload_len < 65536 ? 4 : 10;
    return hl + (masked ? 4 : 0) + (size_t)payload_len;
}

/* Eight key bytes starting at rotation `offset`, as they lie in memory, so
 * XOR with a word loaded by memcpy is correct on any byte order. */
static uint64_t sio__mask_word(const unsigned char key[4], size_t offset)
{
    unsigned char k[8];
    uint64_t w;
    int i;
    for (i = 0; i < 8; i++) k[i] = key[(offset + (size_t)i) & 3];
    memcpy(&w, k, 8);
    return w;
}

/* dst = src XOR key (dst may equal src); word-at-a-time, no alignment needed. */
static void sio__mask_copy(unsigned char *dst, const unsigned char *src, size_t len,
                           const unsigned char key[4], size_t offset)
{
    uint64_t k = sio__mask_word(key, offset);
    size_t i = 0;
#if defined(SIO__SIMD_SSE2) || defined(SIO__SIMD_NEON)
    if (len >= 64) {
        unsigned char k16[16];
        memcpy(k16, &k, 8);
        memcpy(k16 + 8, &k, 8);
#if defined(SIO__SIMD_AVX2)
        {
            __m256i kv = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)k16));
            for (; i + 64 <= len; i += 64) {
                __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)(src + i));
                __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(src + i + 32));
                _mm256_storeu_si256((__m256i *)(void *)(dst + i), _mm256_xor_si256(a, kv));
                _mm256_storeu_si256((__m256i *)(void *)(dst + i + 32), _mm256_xor_si256(b, kv));
            }
        }
#elif defined(SIO__SIMD_SSE2)
        {
            __m128i kv = _mm_loadu_si128((const __m128i *)(const void *)k16);
            for (; i + 64 <= len; i += 64) {
                __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(src + i));
                __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(src + i + 16));
                __m128i c = _mm_loadu_si128((const __m128i *)(const void *)(src + i + 32));
                __m128i d = _mm_loadu_si128((const __m128i *)(const void *)(src + i + 48));
                _mm_storeu_si128((__m128i *)(void *)(dst + i), _mm_xor_si128(a, kv));
                _mm_storeu_si128((__m128i *)(void *)(dst + i + 16), _mm_xor_si128(b, kv));
                _mm_storeu_si128((__m128i *)(void *)(dst + i + 32), _mm_xor_si128(c, kv));
                _mm_storeu_si128((__m128i *)(void *)(dst + i + 48), _mm_xor_si128(d, kv));
            }
        }
#else
        {
            uint8x16_t kv = vld1q_u8(k16);
            for (; i + 64 <= len; i += 64) {
                vst1q_u8(dst + i, veorq_u8(vld1q_u8(src + i), kv));
                vst1q_u8(dst + i + 16, veorq_u8(vld1q_u8(src + i + 16), kv));
                vst1q_u8(dst + i + 32, veorq_u8(vld1q_u8(src + i + 32), kv));
                vst1q_u8(dst + i + 48, veorq_u8(vld1q_u8(src + i + 48), kv));
            }
        }
#endif
    }
#endif
    for (; i + 32 <= len; i += 32) {
        uint64_t a, b, c, d;
        memcpy(&a, src + i, 8); memcpy(&b, src + i + 8, 8);
        memcpy(&c, src + i + 16, 8); memcpy(&d, src + i + 24, 8);
        a ^= k; b ^= k; c ^= k; d ^= k;
        memcpy(dst + i, &a, 8); memcpy(dst + i + 8, &b, 8);
        memcpy(dst + i + 16, &c, 8); memcpy(dst + i + 24, &d, 8);
    }
    for (; i + 8 <= len; i += 8) {
        uint64_t a;
        memcpy(&a, src + i, 8);
        a ^= k;
        memcpy(dst + i, &a, 8);
    }
    for (; i < len; i++) dst[i] = (unsigned char)(src[i] ^ key[(offset + i) & 3]);
}

SIO_API void sio_ws_mask(unsigned char *data, size_t len, const unsigned char key[4], size_t offset)
{
    sio__mask_copy(data, data, len, key, offset);
}

SIO_API size_t sio_ws_encode_header(unsigned char *out, int fin, int opcode, uint64_t len, const unsigned char *mask)
{
    size_t hl;
    out[0] = (unsigned char)((fin ? 0x80 : 0) | (opcode & 15));
    if (len < 126) {
        out[1] = (unsigned char)len;
        hl = 2;
    } else if (len < 65536) {
        out[1] = 126;
        out[2] = (unsigned char)(len >> 8);
        out[3] = (unsigned char)len;
        hl = 4;
    } else {
        int i;
        out[1] = 127;
        for (i = 0; i < 8; i++) out[2 + i] = (unsigned char)(len >> (56 - 8 * i));
        hl = 10;
    }
    if (mask) {
        out[1] |= 0x80;
        memcpy(out + hl, mask, 4);
        hl += 4;
    }
    return hl;
}

SIO_API size_t sio_ws_encode(unsigned char *out, int fin, int opcode, const void *payload,
                             size_t len, const unsigned char *mask)
{
    size_t hl = sio_ws_encode_header(out, fin, opcode, (uint64_t)len, mask);
    if (len && mask) sio__mask_copy(out + hl, (const unsigned char *)payload, len, mask, 0);
    else if (len) memcpy(out + hl, payload, len);
    return hl + len;
}

SIO_API void sio_ws_accept_key(const char *key, char out[29])
{
    static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    sio_sha1 s;
    unsigned char digest[20];
    sio_sha1_init(&s);
    sio_sha1_update(&s, key, strlen(key));
    sio_sha1_update(&s, guid, sizeof guid - 1);
    sio_sha1_final(&s, digest);
    sio_base64_encode(digest, 20, out);
}

SIO_API int sio_ws_close_code_valid(int code)
{
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
           (code >= 3000 && code <= 4999);
}

static int sio__ws_rx_fail(sio_ws_rx *rx, int code, const char *why)
{
    rx->fail_code = code;
    rx->error = why;
    return code == SIO_CLOSE_TOO_BIG ? SIO_ERR_TOO_BIG
         : code == SIO_CLOSE_INTERNAL ? SIO_ERR_NOMEM : SIO_ERR_PROTOCOL;
}

SIO_API const char *sio_ws_frame_check(const sio_ws_frame *f, int from_client, int compression)
{
    if ((f->rsv & 3) || ((f->rsv & 4) && !compression))
        return "ws: reserved bits set without a negotiated extension (RFC 6455 5.2)";
    if ((f->rsv & 4) && (f->opcode >= 8 || f->opcode == SIO_WS_CONTINUATION))
        return "ws: RSV1 set on a control or continuation frame (RFC 7692 6.1)";
    if (from_client && !f->masked)
        return "ws: client frame was not masked (RFC 6455 5.1)";
    if (!from_client && f->masked)
        return "ws: server frame was masked (RFC 6455 5.1)";
    if (f->opcode >= 8) {
        if (f->opcode > SIO_WS_PONG)
            return "ws: unknown control opcode (RFC 6455 5.2)";
        if (!f->fin)
            return "ws: fragmented control frame (RFC 6455 5.5)";
        if (f->length > 125)
            return "ws: control frame payload over 125 bytes (RFC 6455 5.5)";
        return NULL;
    }
    if (f->opcode > SIO_WS_BINARY)
        return "ws: unknown data opcode (RFC 6455 5.2)";
    return NULL;
}

/* Checks a server frame's header against the rules, including the ones
 * that depend on the frames before it (RFC 6455 5.4) and on the limit. */
static int sio__ws_rx_check(sio_ws_rx *rx, const sio_ws_frame *f, size_t max)
{
    const char *broken = sio_ws_frame_check(f, 0, rx->compression);
    if (broken) return sio__ws_rx_fail(rx, 1002, broken);
    if (f->opcode >= 8) return SIO_OK;
    if (f->opcode == SIO_WS_CONTINUATION && !rx->in_message)
        return sio__ws_rx_fail(rx, 1002, "ws: continuation frame without a message in progress (RFC 6455 5.4)");
    if (f->opcode != SIO_WS_CONTINUATION && rx->in_message)
        return sio__ws_rx_fail(rx, 1002, "ws: new data frame while a fragmented message is in progress (RFC 6455 5.4)");
    if (f->length > (uint64_t)max - (rx->in_message ? rx->buffer_len : 0))
        return sio__ws_rx_fail(rx, 1009, "ws: message exceeds the configured max_message");
    return SIO_OK;
}

static int sio__ws_rx_close(sio_ws_rx *rx, const unsigned char *p, size_t len, sio_ws_message *msg)
{
    msg->close_code = SIO_CLOSE_NO_STATUS;
    msg->reason = (const char *)p;
    msg->reason_len = 0;
    if (len == 1)
        return sio__ws_rx_fail(rx, 1002, "ws: close frame with a 1-byte payload (RFC 6455 5.5.1)");
    if (len >= 2) {
        msg->close_code = (p[0] << 8) | p[1];
        if (!sio_ws_close_code_valid(msg->close_code))
            return sio__ws_rx_fail(rx, 1002, "ws: close frame with an invalid status code (RFC 6455 7.4)");
        if (!sio_utf8_valid(p + 2, len - 2))
            return sio__ws_rx_fail(rx, 1002, "ws: close reason is not valid UTF-8 (RFC 6455 5.5.1)");
        msg->reason = (const char *)p + 2;
        msg->reason_len = len - 2;
    }
    return SIO_OK;
}

/* Bytes the header starting at buf takes, as far as rest bytes tell. */
static size_t sio__ws_header_need(const unsigned char *buf, size_t rest)
{
    size_t hl = 2;
    if (rest >= 2) {
        unsigned n = buf[1] & 127u;
        hl += (n == 126 ? 2u : n == 127 ? 8u : 0u) + ((buf[1] & 0x80) ? 4u : 0u);
    }
    return hl;
}

/* A data frame that is part of a fragmented message: appended to the
 * assembly buffer.  1 with *msg when the message is complete, 0 while more
 * fragments are due, or a negative status. */
static int sio__ws_rx_fragment(sio_ws_rx *rx, const sio_ws_frame *f, const unsigned char *payload, sio_ws_message *msg)
{
    if (sio__reserve(&rx->allocator, &rx->buffer, &rx->buffer_cap,
                     rx->buffer_len + (size_t)f->length + 1) != SIO_OK)
        return sio__ws_rx_fail(rx, 1011, "ws: out of memory assembling a fragmented message");
    if (f->length) memcpy(rx->buffer + rx->buffer_len, payload, (size_t)f->length);
    rx->buffer_len += (size_t)f->length;
    if (f->opcode != SIO_WS_CONTINUATION) {
        rx->in_message = 1;
        rx->message_opcode = (int)f->opcode;
        rx->message_compressed = (f->rsv & 4) != 0;
    }
    if (!f->fin) return 0;
    rx->buffer[rx->buffer_len] = 0;
    msg->opcode = rx->message_opcode;
    msg->data = rx->buffer;
    msg->len = rx->buffer_len;
    msg->final = 1;
    msg->compressed = rx->message_compressed;
    rx->buffer_len = 0;                          /* reused from the next call on */
    rx->in_message = 0;
    memset(&rx->utf8, 0, sizeof rx->utf8);
    return 1;
}

/* rx.parts: the payload bytes of the current data frame that buf holds,
 * handed over as one part (validated as UTF-8 on the way when text).
 * Returns 1 with *msg, 0 when buf holds none, or a negative status. */
static int sio__ws_rx_part(sio_ws_rx *rx, const unsigned char *buf, size_t len, size_t *pos, sio_ws_message *msg)
{
    size_t n = len - *pos;
    int text = rx->message_opcode == SIO_WS_TEXT;
    if ((uint64_t)n > rx->frame_left) n = (size_t)rx->frame_left;
    if (n == 0 && (rx->frame_left || !rx->frame_fin)) return 0;
    if (text && sio_utf8_feed(&rx->utf8, buf + *pos, n) != SIO_OK)
        return sio__ws_rx_fail(rx, 1007, "ws: text message is not valid UTF-8 (RFC 6455 8.1)");
    msg->opcode = rx->message_opcode;
    msg->data = buf + *pos;
    msg->len = n;
    msg->offset = rx->part_offset;
    rx->frame_left -= n;
    rx->part_offset += n;
    *pos += n;
    msg->final = rx->frame_fin && rx->frame_left == 0;
    if (msg->final) {
        if (text && !sio_utf8_complete(&rx->utf8))
            return sio__ws_rx_fail(rx, 1007, "ws: text message ends inside a UTF-8 sequence (RFC 6455 8.1)");
        rx->in_message = 0;
        rx->part_offset = 0;
        memset(&rx->utf8, 0, sizeof rx->utf8);
    }
    return 1;
}

SIO_API int sio_ws_rx_feed(sio_ws_rx *rx, const unsigned char *buf, size_t len,
                           size_t *consumed, size_t *need, sio_ws_message *msg)
{
    size_t pos = 0;
    size_t max = rx->max_message ? rx->max_message : SIO__DEFAULT_MAX_MESSAGE;
    *consumed = 0;
    if (need) *need = 0;
    memset(msg, 0, sizeof *msg);
    if (rx->error) return sio__ws_rx_fail(rx, rx->fail_code, rx->error);
    for (;;) {
        sio_ws_frame f;
        const char *why = NULL;
        const unsigned char *payload;
        size_t avail;
        int text, r, streamed;
        if (rx->frame_left) {                        /* inside a frame handed over in parts */
            r = sio__ws_rx_part(rx, buf, len, &pos, msg);
            *consumed = pos;
            if (r == 0 && need) *need = 1;
            return r;
        }
        r = sio_ws_parse_header(&f, buf + pos, len - pos, &why);
        if (r == 0) {
            *consumed = pos;
            if (need) *need = sio__ws_header_need(buf + pos, len - pos);
            return 0;
        }
        if (r < 0) return sio__ws_rx_fail(rx, 1002, why);
        streamed = rx->parts && f.opcode < 8 &&
                   (f.opcode == SIO_WS_CONTINUATION ? rx->in_message && !rx->message_compressed : !(f.rsv & 4)) &&
                   (rx->parts != SIO_WS_PARTS_BINARY ||
                    (f.opcode == SIO_WS_CONTINUATION ? rx->message_opcode : (int)f.opcode) == SIO_WS_BINARY);
        if ((r = sio__ws_rx_check(rx, &f, streamed ? (size_t)-1 : max)) != SIO_OK) return r;
        if (streamed) {                              /* its payload goes out as it comes */
            if (f.opcode != SIO_WS_CONTINUATION) {
                rx->in_message = 1;
                rx->message_opcode = (int)f.opcode;
                rx->message_compressed = 0;
            }
            pos += f.header_len;
            rx->frame_left = f.length;
            rx->frame_fin = f.fin != 0;
            if (f.length || f.fin) {
                r = sio__ws_rx_part(rx, buf, len, &pos, msg);
                *consumed = pos;
                if (r == 0 && need) *need = 1;
                return r;
            }
            continue;                                /* an empty fragment: nothing to hand over */
        }
        payload = buf + pos + f.header_len;
        avail = len - pos - f.header_len;
        text = f.opcode == SIO_WS_TEXT || (f.opcode == SIO_WS_CONTINUATION && rx->message_opcode == SIO_WS_TEXT);
        if (f.opcode == SIO_WS_CONTINUATION ? rx->message_compressed : (f.rsv & 4) != 0)
            text = 0;                                /* compressed: checked once inflated */
        if (avail > f.length) avail = (size_t)f.length;
        /* Validate text as it arrives, even before the frame is complete. */
        if (text && avail > rx->frame_checked) {
            if (sio_utf8_feed(&rx->utf8, payload + rx->frame_checked, avail - (size_t)rx->frame_checked) != SIO_OK)
                return sio__ws_rx_fail(rx, 1007, "ws: text message is not valid UTF-8 (RFC 6455 8.1)");
            rx->frame_checked = avail;
        }
        if (avail < f.length) {
            *consumed = pos;
            if (need) *need = f.header_len + (size_t)f.length;
            return 0;
        }
        rx->frame_checked = 0;
        pos += f.header_len + (size_t)f.length;
        if (f.opcode >= 8) {
            msg->opcode = (int)f.opcode;
            msg->data = payload;
            msg->len = (size_t)f.length;
            if (f.opcode == SIO_WS_CLOSE && (r = sio__ws_rx_close(rx, payload, msg->len, msg)) != SIO_OK)
                return r;
            *consumed = pos;
            return 1;
        }
        if (f.fin && text && !sio_utf8_complete(&rx->utf8))
            return sio__ws_rx_fail(rx, 1007, "ws: text message ends inside a UTF-8 sequence (RFC 6455 8.1)");
        if (f.fin && !rx->in_message) {              /* whole message in one frame: zero-copy */
            memset(&rx->utf8, 0, sizeof rx->utf8);
            msg->opcode = (int)f.opcode;
            msg->data = payload;
            msg->len = (size_t)f.length;
            msg->final = 1;
            msg->compressed = (f.rsv & 4) != 0;
            *consumed = pos;
            return 1;
        }
        if ((r = sio__ws_rx_fragment(rx, &f, payload, msg)) != 0) {
            if (r == 1) *consumed = pos;
            return r;
        }
    }
}

SIO_API void sio_ws_rx_free(sio_ws_rx *rx)
{
    if (rx->buffer) sio__realloc(&rx->allocator, rx->buffer, 0);
    rx->buffer = NULL;
    rx->buffer_len = rx->buffer_cap = 0;
}

#ifdef SIO_SOURCE_LINES
#line 1 "src/json.c"
#endif
/* ---------------------------------------------------------------------- */
/* json                                                                    */
/* ---------------------------------------------------------------------- */

#define SIO__JSON_MAX_DEPTH 1024

static const char *sio__json_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    return p;
}

/* Scans a string starting at the opening quote; returns the byte after the
 * closing quote, or NULL when invalid (control character, bad escape, bad
 * UTF-8, unterminated). */
static const char *sio__json_scan_string(const char *p, const char *end)
{
    p++;
    while (p < end) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '"') return p + 1;
        if (ch < 0x20) return NULL;
        if (ch == '\\') {
            if (++p >= end) return NULL;
            if (*p == 'u') {
                int i;
                for (i = 1; i <= 4; i++)
                    if (p + i >= end || sio__hex((unsigned char)p[i]) < 0) return NULL;
                p += 5;
            } else if (strchr("\"\\/bfnrt", *p) && *p) {
                p++;
            } else {
                return NULL;
            }
        } else if (ch < 0x80) {
            p++;
        } else {
            sio_utf8 v;
            memset(&v, 0, sizeof v);
            if (!sio__utf8_lead(ch, &v)) return NULL;
            for (p++; v.need; v.need--, p++) {
                if (p >= end || (unsigned char)*p < v.lo || (unsigned char)*p > v.hi) return NULL;
                v.lo = 0x80;
                v.hi = 0xBF;
            }
        }
    }
    return NULL;
}

static const char *sio__json_scan_number(const char *p, const char *end)
{
    if (p < end && *p == '-') p++;
    if (p >= end) return NULL;
    if (*p == '0') p++;
    else if (*p >= '1' && *p <= '9') while (p < end && *p >= '0' && *p <= '9') p++;
    else return NULL;
    if (p < end && *p == '.') {
        const char *d = ++p;
        while (p < end && *p >= '0' && *p <= '9') p++;
        if (p == d) return NULL;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        const char *d;
        p++;
        if (p < end && (*p == '+' || *p == '-')) p++;
        d = p;
        while (p < end && *p >= '0' && *p <= '9') p++;
        if (p == d) return NULL;
    }
    return p;
}

static const char *sio__json_scan_literal(const char *p, const char *end)
{
    static const char *const words[] = { "true", "false", "null" };
    int i;
    for (i = 0; i < 3; i++) {
        size_t n = strlen(words[i]);
        if ((size_t)(end - p) >= n && memcmp(p, words[i], n) == 0) return p + n;
    }
    return NULL;
}

SIO_API int sio_json_validate(const char *text, size_t len, unsigned max_depth, size_t *error_at)
{
    /* One bit per level: 1 = object.  Iterative, so depth costs no stack. */
    unsigned char kinds[SIO__JSON_MAX_DEPTH / 8];
    const char *p = text, *end = text + len;
    unsigned depth = 0;
    enum { VALUE, KEY, AFTER } state = VALUE;
    int status = SIO_ERR_PROTOCOL;
    if (max_depth == 0) max_depth = SIO_JSON_DEFAULT_DEPTH;
    if (max_depth > SIO__JSON_MAX_DEPTH) max_depth = SIO__JSON_MAX_DEPTH;
    if (!text) goto fail;
    for (;;) {
        p = sio__json_ws(p, end);
        if (state == AFTER) {
            int in_object;
            if (depth == 0) {
                if (p == end) return SIO_OK;
                goto fail;
            }
            if (p >= end) goto fail;
            in_object = (kinds[(depth - 1) / 8] >> ((depth - 1) % 8)) & 1;
            if (*p == ',') { p++; state = in_object ? KEY : VALUE; continue; }
            if (*p == (in_object ? '}' : ']')) { p++; depth--; continue; }
            goto fail;
        }
        if (p >= end) goto fail;
        if (state == KEY) {
            const char *at = p;
            if (*p != '"' || !(p = sio__json_scan_string(p, end))) { p = at; goto fail; }
            p = sio__json_ws(p, end);
            if (p >= end || *p != ':') goto fail;
            p++;
            state = VALUE;
            continue;
        }
        /* VALUE */
        if (*p == '{' || *p == '[') {
            int object = *p == '{';
            if (depth >= max_depth) { status = SIO_ERR_TOO_BIG; goto fail; }
            if (object) kinds[depth / 8] = (unsigned char)(kinds[depth / 8] | (1u << (depth % 8)));
            else kinds[depth / 8] = (unsigned char)(kinds[depth / 8] & ~(1u << (depth % 8)));
            depth++;
            p = sio__json_ws(p + 1, end);
            if (p < end && *p == (object ? '}' : ']')) { p++; depth--; state = AFTER; continue; }
            state = object ? KEY : VALUE;
            continue;
        }
        {
            const char *at = p;
            if (*p == '"') p = sio__json_scan_string(p, end);
            else if (*p == '-' || (*p >= '0' && *p <= '9')) p = sio__json_scan_number(p, end);
            else p = sio__json_scan_literal(p, end);
            if (!p) { p = at; goto fail; }
        }
        state = AFTER;
    }
fail:
    if (error_at) *error_at = p ? (size_t)(p - text) : 0;
    return status;
}

/* End of the value starting at p (validated text). */
static const char *sio__json_skip(const char *p, const char *end)
{
    if (p >= end) return p;
    if (*p == '"') return sio__json_scan_string(p, end);
    if (*p == '{' || *p == '[') {
        unsigned depth = 0;
        while (p < end) {
            if (*p == '"') { p = sio__json_scan_string(p, end); if (!p) return end; continue; }
            if (*p == '{' || *p == '[') depth++;
            else if (*p == '}' || *p == ']') { if (--depth == 0) return p + 1; }
            p++;
        }
        return end;
    }
    while (p < end && !strchr(",]} \t\r\n", *p)) p++;
    return p;
}

SIO_API sio_json sio_json_make(const char *text, size_t len)
{
    sio_json v;
    const char *end = text + len;
    text = sio__json_ws(text, end);
    while (end > text && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r')) end--;
    v.text = text;
    v.len = (size_t)(end - text);
    return v;
}

SIO_API sio_json_type sio_json_typeof(sio_json v)
{
    if (!v.text || v.len == 0) return SIO_JSON_INVALID;
    switch (v.text[0]) {
    case 'n': return SIO_JSON_NULL;
    case 'f': return SIO_JSON_FALSE;
    case 't': return SIO_JSON_TRUE;
    case '"': return SIO_JSON_STRING;
    case '[': return SIO_JSON_ARRAY;
    case '{': return SIO_JSON_OBJECT;
    default: return (v.text[0] == '-' || (v.text[0] >= '0' && v.text[0] <= '9')) ? SIO_JSON_NUMBER : SIO_JSON_INVALID;
    }
}

SIO_API int sio_json_iter_init(sio_json_iter *it, sio_json v)
{
    sio_json_type t = sio_json_typeof(v);
    if ((t != SIO_JSON_ARRAY && t != SIO_JSON_OBJECT) || v.len < 2) return SIO_ERR_INVALID;
    it->p = v.text + 1;
    it->end = v.text + v.len - 1;
    it->object = t == SIO_JSON_OBJECT;
    return SIO_OK;
}

SIO_API int sio_json_iter_next(sio_json_iter *it, sio_json *key, sio_json *value)
{
    const char *p = sio__json_ws(it->p, it->end), *q;
    if (p >= it->end) return 0;
    if (key) { key->text = p; key->len = 0; }
    if (it->object) {
        q = sio__json_skip(p, it->end);
        if (key) key->len = (size_t)(q - p);
        p = sio__json_ws(q, it->end);
        if (p < it->end && *p == ':') p++;
        p = sio__json_ws(p, it->end);
    }
    q = sio__json_skip(p, it->end);
    if (value) { value->text = p; value->len = (size_t)(q - p); }
    p = sio__json_ws(q, it->end);
    if (p < it->end && *p == ',') p++;
    it->p = p;
    return 1;
}

SIO_API int sio_json_find(sio_json object, const char *key, sio_json *value)
{
    sio_json_iter it;
    sio_json k, v;
    if (sio_json_typeof(object) != SIO_JSON_OBJECT || sio_json_iter_init(&it, object) != SIO_OK) return 0;
    while (sio_json_iter_next(&it, &k, &v))
        if (sio_json_string_equals(k, key)) {
            if (value) *value = v;
            return 1;
        }
    return 0;
}

SIO_API int sio_json_at(sio_json array, size_t index, sio_json *value)
{
    sio_json_iter it;
    sio_json v;
    size_t i = 0;
    if (sio_json_typeof(array) != SIO_JSON_ARRAY || sio_json_iter_init(&it, array) != SIO_OK) return 0;
    while (sio_json_iter_next(&it, NULL, &v))
        if (i++ == index) {
            if (value) *value = v;
            return 1;
        }
    return 0;
}

static size_t sio__utf8_put(unsigned long cp, char *out)
{
    if (cp < 0x80) { out[0] = (char)cp; return 1; }
    if (cp < 0x800) { out[0] = (char)(0xC0 | (cp >> 6)); out[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12)); out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18)); out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static unsigned long sio__hex4(const char *p)
{
    return ((unsigned long)sio__hex((unsigned char)p[0]) << 12) | ((unsigned long)sio__hex((unsigned char)p[1]) << 8) |
           ((unsigned long)sio__hex((unsigned char)p[2]) << 4) | (unsigned long)sio__hex((unsigned char)p[3]);
}

/* Decodes the next piece of string content at *pp: a run of plain bytes
 * (returned in place through *piece) or one escape (decoded into tmp). */
static size_t sio__json_next_piece(const char **pp, const char *end, char tmp[4], const char **piece)
{
    const char *p = *pp;
    size_t k = 1;
    if (*p != '\\') {
        const char *q = p;
        while (q < end && *q != '\\') q++;
        *piece = p;
        *pp = q;
        return (size_t)(q - p);
    }
    *piece = tmp;
    p++;
    switch (*p) {
    case 'b': tmp[0] = '\b'; break;
    case 'f': tmp[0] = '\f'; break;
    case 'n': tmp[0] = '\n'; break;
    case 'r': tmp[0] = '\r'; break;
    case 't': tmp[0] = '\t'; break;
    case 'u': {
        unsigned long cp = sio__hex4(p + 1);
        p += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF && end - p >= 7 && p[1] == '\\' && p[2] == 'u') {
            unsigned long lo = sio__hex4(p + 3);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                p += 6;
            }
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;   /* lone surrogate */
        k = sio__utf8_put(cp, tmp);
        break;
    }
    default: tmp[0] = *p; break;
    }
    *pp = p + 1;
    return k;
}

SIO_API int sio_json_string(sio_json v, char *out, size_t cap, size_t *len)
{
    const char *p, *end;
    size_t n = 0;
    if (sio_json_typeof(v) != SIO_JSON_STRING || v.len < 2) return SIO_ERR_INVALID;
    p = v.text + 1;
    end = v.text + v.len - 1;
    while (p < end) {
        char tmp[4];
        const char *piece;
        size_t k = sio__json_next_piece(&p, end, tmp, &piece);
        if (out && n < cap) memcpy(out + n, piece, n + k < cap ? k : cap - n);
        n += k;
    }
    if (len) *len = n;
    if (out && cap) out[n < cap ? n : cap - 1] = 0;
    return (out && n < cap) || (!out && !cap) ? SIO_OK : SIO_ERR_TOO_BIG;
}

SIO_API int sio_json_string_equals(sio_json v, const char *s)
{
    const char *p, *end;
    size_t n = strlen(s), at = 0;
    if (sio_json_typeof(v) != SIO_JSON_STRING || v.len < 2) return 0;
    p = v.text + 1;
    end = v.text + v.len - 1;
    while (p < end) {
        char tmp[4];
        const char *piece;
        size_t k = sio__json_next_piece(&p, end, tmp, &piece);
        if (at + k > n || memcmp(s + at, piece, k) != 0) return 0;
        at += k;
    }
    return at == n;
}

/* Fallback for numbers too long for strtod's buffer below: exact for up to
 * 19 significant digits and powers of ten up to 1e22, close otherwise. */
static int sio__json_number_long(sio_json v, double *out)
{
    const char *p = v.text, *end = v.text + v.len;
    uint64_t mant = 0;
    int exp10 = 0, neg = 0, digits = 0;
    double r;
    long e = 0;
    if (sio_json_typeof(v) != SIO_JSON_NUMBER || !sio__json_scan_number(p, end)) return SIO_ERR_INVALID;
    if (*p == '-') { neg = 1; p++; }
    for (; p < end && *p >= '0' && *p <= '9'; p++) {
        if (digits < 19) { mant = mant * 10 + (uint64_t)(*p - '0'); if (mant) digits++; }
        else exp10++;
    }
    if (p < end && *p == '.')
        for (p++; p < end && *p >= '0' && *p <= '9'; p++)
            if (digits < 19) { mant = mant * 10 + (uint64_t)(*p - '0'); if (mant) digits++; exp10--; }
    if (p < end && (*p == 'e' || *p == 'E')) {
        int eneg = 0;
        p++;
        if (*p == '+' || *p == '-') eneg = *p++ == '-';
        for (; p < end && *p >= '0' && *p <= '9'; p++) if (e < 100000) e = e * 10 + (*p - '0');
        exp10 += (int)(eneg ? -e : e);
    }
    r = (double)mant;
    if (mant != 0) {
        /* Scale in exact steps (10^k is exact for k <= 22), so huge or tiny
         * exponents neither overflow nor underflow on the way. */
        static const double pow10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };
        int negative_exp = exp10 < 0;
        if (negative_exp) exp10 = -exp10;
        if (exp10 > 800) exp10 = 800;
        while (exp10 > 0 && r != 0 && r - r == 0) {
            int k = exp10 > 22 ? 22 : exp10;
            r = negative_exp ? r / pow10[k] : r * pow10[k];
            exp10 -= k;
        }
    }
    *out = neg ? -r : r;
    return SIO_OK;
}

/* strtod rounds correctly (even with x87 excess precision), but reads the
 * locale's decimal point: the JSON '.' is swapped for it first. */
SIO_API int sio_json_number(sio_json v, double *out)
{
    char buf[128], *end;
    const char *point = localeconv()->decimal_point;
    size_t i;
    if (sio_json_typeof(v) != SIO_JSON_NUMBER || !sio__json_scan_number(v.text, v.text + v.len)) return SIO_ERR_INVALID;
    if (v.len >= sizeof buf || !point || !point[0] || point[1]) return sio__json_number_long(v, out);
    memcpy(buf, v.text, v.len);
    buf[v.len] = 0;
    for (i = 0; i < v.len; i++)
        if (buf[i] == '.') buf[i] = point[0];
    *out = strtod(buf, &end);
    return SIO_OK;
}

/* writer */

SIO_API void sio_jw_init(sio_json_writer *w, char *buf, size_t cap)
{
    memset(w, 0, sizeof *w);
    w->buf = buf;
    w->cap = buf ? cap : 0;
    w->growable = buf == NULL;
    if (buf && cap) buf[0] = 0;
}

SIO_API void sio_jw_free(sio_json_writer *w)
{
    if (w->growable && w->buf) sio__realloc(&w->allocator, w->buf, 0);
    w->buf = NULL;
    w->len = w->cap = 0;
}

static void sio__jw_put(sio_json_writer *w, const char *s, size_t n)
{
    if (w->error) return;
    if (w->len + n + 1 > w->cap) {
        size_t cap;
        void *p;
        if (!w->growable) { w->error = SIO_ERR_TOO_BIG; return; }
        cap = w->cap ? w->cap : 256;
        while (cap < w->len + n + 1) cap *= 2;
        p = sio__realloc(&w->allocator, w->buf, cap);
        if (!p) { w->error = SIO_ERR_NOMEM; return; }
        w->buf = (char *)p;
        w->cap = cap;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = 0;
}

/* Comma before a value, unless it follows a key or opens its container. */
static void sio__jw_value(sio_json_writer *w)
{
    if (w->depth == 0) return;
    if (w->need_comma[w->depth] == 1) sio__jw_put(w, ",", 1);
    w->need_comma[w->depth] = 1;
}

static void sio__jw_open(sio_json_writer *w, const char *bracket)
{
    sio__jw_value(w);
    sio__jw_put(w, bracket, 1);
    if (w->depth + 1 >= sizeof w->need_comma) { w->error = SIO_ERR_TOO_BIG; return; }
    w->need_comma[++w->depth] = 0;
}

static void sio__jw_close(sio_json_writer *w, const char *bracket)
{
    if (w->depth == 0) { w->error = SIO_ERR_INVALID; return; }
    w->depth--;
    sio__jw_put(w, bracket, 1);
}

SIO_API void sio_jw_array_begin(sio_json_writer *w) { sio__jw_open(w, "["); }
SIO_API void sio_jw_array_end(sio_json_writer *w) { sio__jw_close(w, "]"); }
SIO_API void sio_jw_object_begin(sio_json_writer *w) { sio__jw_open(w, "{"); }
SIO_API void sio_jw_object_end(sio_json_writer *w) { sio__jw_close(w, "}"); }

static void sio__jw_escaped(sio_json_writer *w, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len, *run = p;
    sio__jw_put(w, "\"", 1);
    while (p < end) {
        unsigned char ch = *p;
        char esc[8];
        const char *rep = NULL;
        size_t skip = 1;
        if (ch >= 0x20 && ch < 0x80 && ch != '"' && ch != '\\') { p++; continue; }
        if (ch >= 0x80) {
            sio_utf8 v;
            size_t k;
            memset(&v, 0, sizeof v);
            if (sio__utf8_lead(ch, &v) && (size_t)(end - p) > v.need) {
                for (k = 1; k <= v.need; k++) {
                    if (p[k] < v.lo || p[k] > v.hi) break;
                    v.lo = 0x80; v.hi = 0xBF;
                }
                if (k > v.need) { p += k; continue; }
            }
            rep = "\\ufffd";
        } else if (ch == '"') rep = "\\\"";
        else if (ch == '\\') rep = "\\\\";
        else if (ch == '\n') rep = "\\n";
        else if (ch == '\r') rep = "\\r";
        else if (ch == '\t') rep = "\\t";
        else { snprintf(esc, sizeof esc, "\\u%04x", ch); rep = esc; }
        sio__jw_put(w, (const char *)run, (size_t)(p - run));
        sio__jw_put(w, rep, strlen(rep));
        p += skip;
        run = p;
    }
    sio__jw_put(w, (const char *)run, (size_t)(p - run));
    sio__jw_put(w, "\"", 1);
}

SIO_API void sio_jw_key(sio_json_writer *w, const char *key)
{
    sio__jw_value(w);
    sio__jw_escaped(w, key, strlen(key));
    sio__jw_put(w, ":", 1);
    w->need_comma[w->depth] = 2;     /* the value that follows writes no comma */
}

SIO_API void sio_jw_string(sio_json_writer *w, const char *s, size_t len)
{
    sio__jw_value(w);
    sio__jw_escaped(w, s, len);
}

SIO_API void sio_jw_cstring(sio_json_writer *w, const char *s) { sio_jw_string(w, s, strlen(s)); }

SIO_API void sio_jw_raw(sio_json_writer *w, const char *json, size_t len)
{
    sio__jw_value(w);
    sio__jw_put(w, json, len);
}

SIO_API void sio_jw_integer(sio_json_writer *w, long long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", v);
    sio_jw_raw(w, buf, strlen(buf));
}

SIO_API void sio_jw_number(sio_json_writer *w, double v)
{
    char buf[40];
    int prec;
    size_t i;
    if (v != v || v - v != 0) { sio_jw_raw(w, "null", 4); return; }   /* NaN, +-Inf */
    if (v < 9007199254740992.0 && v > -9007199254740992.0 && v == (double)(long long)v) {
        sio_jw_integer(w, (long long)v);
        return;
    }
    /* Shortest precision that reads back exactly (checked with our parser,
     * which is locale-independent; the decimal point is forced to '.'). */
    for (prec = 15; prec <= 17; prec++) {
        double back;
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        for (i = 0; buf[i]; i++) if (buf[i] == ',') buf[i] = '.';
        if (sio_json_number(sio_json_make(buf, strlen(buf)), &back) == SIO_OK && back == v) break;
    }
    sio_jw_raw(w, buf, strlen(buf));
}

SIO_API void sio_jw_bool(sio_json_writer *w, int v) { sio_jw_raw(w, v ? "true" : "false", v ? 4 : 5); }
SIO_API void sio_jw_null(sio_json_writer *w) { sio_jw_raw(w, "null", 4); }

SIO_API void sio_jw_placeholder(sio_json_writer *w, unsigned num)
{
    char buf[48];
    snprintf(buf, sizeof buf, "{\"_placeholder\":true,\"num\":%u}", num);
    sio_jw_raw(w, buf, strlen(buf));
}

SIO_API const char *sio_jw_result(const sio_json_writer *w, size_t *len)
{
    if (w->error) return NULL;
    if (len) *len = w->len;
    return w->buf ? w->buf : "";
}

#ifdef SIO_SOURCE_LINES
#line 1 "src/eio.c"
#endif
/* ---------------------------------------------------------------------- */
/* eio: the Engine.IO open packet and polling payloads (v3 and v4)       */
/* ---------------------------------------------------------------------- */

static int sio__json_ms(sio_json obj, const char *key, long *out)
{
    sio_json v;
    double d;
    if (!sio_json_find(obj, key, &v) || sio_json_number(v, &d) != SIO_OK) return 0;
    if (d < 0 || d > 86400000.0 || d != (double)(long)d) return 0;
    *out = (long)d;
    return 1;
}

SIO_API int sio_eio_parse_open(const char *json, size_t len, sio_eio_open *out, const char **why)
{
    sio_json obj, v;
    size_t n, i;
    double d;
    memset(out, 0, sizeof *out);
    if (sio_json_validate(json, len, 32, NULL) != SIO_OK || sio_json_typeof(obj = sio_json_make(json, len)) != SIO_JSON_OBJECT) {
        if (why) *why = "eio: open packet is not a JSON object";
        return SIO_ERR_PROTOCOL;
    }
    if (!sio_json_find(obj, "sid", &v) || sio_json_string(v, out->sid, sizeof out->sid, &n) != SIO_OK || n == 0) {
        if (why) *why = "eio: open packet has a missing, empty or over-long sid";
        return SIO_ERR_PROTOCOL;
    }
    for (i = 0; i < n; i++)
        if ((unsigned char)out->sid[i] < 0x20 || out->sid[i] == 0x7f) {
            if (why) *why = "eio: open packet sid contains control characters";
            return SIO_ERR_PROTOCOL;
        }
    if (!sio__json_ms(obj, "pingInterval", &out->ping_interval) || !sio__json_ms(obj, "pingTimeout", &out->ping_timeout)) {
        if (why) *why = "eio: open packet pingInterval/pingTimeout missing or not a duration in ms";
        return SIO_ERR_PROTOCOL;
    }
    if (sio_json_find(obj, "maxPayload", &v) && sio_json_number(v, &d) == SIO_OK && d > 0 && d < 1e15)
        out->max_payload = (uint64_t)d;
    if (sio_json_find(obj, "upgrades", &v) && sio_json_typeof(v) == SIO_JSON_ARRAY) {
        sio_json_iter it;
        sio_json u;
        sio_json_iter_init(&it, v);
        while (sio_json_iter_next(&it, NULL, &u))
            if (sio_json_string_equals(u, "websocket")) out->upgrade_websocket = 1;
    }
    return SIO_OK;
}

/* JS string length (UTF-16 code units) of UTF-8 text: Engine.IO 3 counts so. */
static size_t sio__utf16_units(const unsigned char *p, size_t len)
{
    size_t i, units = 0;
    for (i = 0; i < len; i++)
        if ((p[i] & 0xC0) != 0x80) units += p[i] >= 0xF0 ? 2 : 1;
    return units;
}

SIO_API size_t sio_eio_v3_encode(unsigned char *out, const unsigned char *in, size_t len)
{
    size_t pos = 0, n = 0;
    while (pos < len) {
        const unsigned char *sep = (const unsigned char *)memchr(in + pos, 0x1e, len - pos);
        size_t plen = sep ? (size_t)(sep - (in + pos)) : len - pos;
        int binary = plen && in[pos] == 'b';
        char digits[24];
        size_t d = (size_t)sprintf(digits, "%lu:", (unsigned long)(sio__utf16_units(in + pos, plen) + (size_t)binary));
        if (out) {
            memcpy(out + n, digits, d);
            if (binary) {
                out[n + d] = 'b';
                out[n + d + 1] = '4';
                memcpy(out + n + d + 2, in + pos + 1, plen - 1);
            } else if (plen) {
                memcpy(out + n + d, in + pos, plen);
            }
        }
        n += d + plen + (size_t)binary;
        pos += plen + 1;
    }
    return n;
}

SIO_API int sio_eio_payload_next(int eio, const unsigned char *body, size_t len, size_t *pos,
                                 size_t *off, size_t *plen)
{
    const unsigned char *p;
    size_t left, i = 0, units = 0, seen = 0, start;
    if (*pos >= len) return 0;
    p = body + *pos;
    left = len - *pos;
    if (eio != 3) {
        const unsigned char *sep = (const unsigned char *)memchr(p, 0x1e, left);
        *off = *pos;
        *plen = sep ? (size_t)(sep - p) : left;
        *pos += *plen + (sep ? 1 : 0);
        return 1;
    }
    while (i < left && i < 10 && p[i] >= '0' && p[i] <= '9') units = units * 10 + (size_t)(p[i++] - '0');
    if (i == 0 || i >= left || p[i] != ':') return SIO_ERR_PROTOCOL;
    start = ++i;
    while (seen < units && i < left) {
        unsigned char b = p[i];
        seen += b >= 0xF0 ? 2 : 1;
        i += b < 0xC0 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
    }
    if (seen != units || i > left) return SIO_ERR_PROTOCOL;
    *off = *pos + start;
    *plen = i - start;
    *pos += i;
    return 1;
}

#ifdef SIO_SOURCE_LINES
#line 1 "src/packet.c"
#endif
/* ---------------------------------------------------------------------- */
/* packet: the Socket.IO packet codec                                      */
/* ---------------------------------------------------------------------- */

static const char *const sio__reserved_events[] = {
    "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"
};

static int sio__reserved_event(const char *name)
{
    size_t i;
    for (i = 0; i < sizeof sio__reserved_events / sizeof sio__reserved_events[0]; i++)
        if (strcmp(name, sio__reserved_events[i]) == 0) return 1;
    return 0;
}

static int sio__packet_fail(const char **why, const char *text, int status)
{
    if (why) *why = text;
    return status;
}

/* The payload after the header: valid JSON of the shape the packet type
 * takes (an event: a non-empty array led by a name that is not reserved). */
static int sio__packet_payload_ok(const sio_packet *pk, unsigned max_depth, const char **why)
{
    sio_json data, first;
    sio_json_type t = SIO_JSON_INVALID;
    char name[32];
    size_t n;
    int r;
    if (pk->data_len) {
        r = sio_json_validate(pk->data, pk->data_len, max_depth, NULL);
        if (r != SIO_OK)
            return sio__packet_fail(why, r == SIO_ERR_TOO_BIG ? "sio: payload JSON nested too deep"
                                                              : "sio: payload is not valid JSON", r);
        data = sio_json_make(pk->data, pk->data_len);
        t = sio_json_typeof(data);
    }
    switch (pk->type) {
    case SIO_PACKET_CONNECT:
        if (pk->data_len && t != SIO_JSON_OBJECT) return sio__packet_fail(why, "sio: CONNECT payload must be an object", SIO_ERR_PROTOCOL);
        break;
    case SIO_PACKET_DISCONNECT:
        if (pk->data_len) return sio__packet_fail(why, "sio: DISCONNECT must have no payload", SIO_ERR_PROTOCOL);
        break;
    case SIO_PACKET_EVENT:
    case SIO_PACKET_BINARY_EVENT:
        if (t != SIO_JSON_ARRAY || !sio_json_at(data, 0, &first))
            return sio__packet_fail(why, "sio: EVENT payload must be a non-empty array", SIO_ERR_PROTOCOL);
        t = sio_json_typeof(first);
        if (t != SIO_JSON_STRING && t != SIO_JSON_NUMBER)
            return sio__packet_fail(why, "sio: event name must be a string or a number", SIO_ERR_PROTOCOL);
        if (t == SIO_JSON_STRING && sio_json_string(first, name, sizeof name, &n) == SIO_OK && n == strlen(name) &&
            sio__reserved_event(name))
            return sio__packet_fail(why, "sio: reserved event name", SIO_ERR_PROTOCOL);
        break;
    case SIO_PACKET_ACK:
    case SIO_PACKET_BINARY_ACK:
        if (t != SIO_JSON_ARRAY) return sio__packet_fail(why, "sio: ACK payload must be an array", SIO_ERR_PROTOCOL);
        break;
    case SIO_PACKET_CONNECT_ERROR:
        if (pk->data_len && t != SIO_JSON_OBJECT && t != SIO_JSON_STRING)
            return sio__packet_fail(why, "sio: CONNECT_ERROR payload must be an object or a string", SIO_ERR_PROTOCOL);
        break;
    default:
        break;
    }
    return SIO_OK;
}

SIO_API int sio_packet_decode(sio_packet *pk, const char *text, size_t len, unsigned max_attachments,
                              unsigned max_depth, const char **why)
{
    const char *p = text, *end = text + len;
    memset(pk, 0, sizeof *pk);
    pk->ns = "/";
    pk->ns_len = 1;
    if (len == 0) return sio__packet_fail(why, "sio: empty packet", SIO_ERR_PROTOCOL);
    if (*p < '0' || *p > '6') return sio__packet_fail(why, "sio: unknown packet type", SIO_ERR_PROTOCOL);
    pk->type = *p++ - '0';
    if (pk->type == SIO_PACKET_BINARY_EVENT || pk->type == SIO_PACKET_BINARY_ACK) {
        unsigned long n = 0;
        const char *d = p;
        while (p < end && *p >= '0' && *p <= '9') {
            n = n * 10 + (unsigned long)(*p++ - '0');
            if (n > 1000000) return sio__packet_fail(why, "sio: attachment count too large", SIO_ERR_TOO_BIG);
        }
        if (p == d || p >= end || *p != '-')
            return sio__packet_fail(why, "sio: binary packet without '<count>-'", SIO_ERR_PROTOCOL);
        p++;
        if (n > max_attachments)
            return sio__packet_fail(why, "sio: more attachments than max_attachments", SIO_ERR_TOO_BIG);
        pk->attachments = (unsigned)n;
    }
    if (p < end && *p == '/') {
        const char *comma = (const char *)memchr(p, ',', (size_t)(end - p));
        pk->ns = p;
        pk->ns_len = comma ? (size_t)(comma - p) : (size_t)(end - p);
        p = comma ? comma + 1 : end;
    }
    if (p < end && *p >= '0' && *p <= '9') {
        uint64_t id = 0;
        while (p < end && *p >= '0' && *p <= '9') {
            id = id * 10 + (uint64_t)(*p++ - '0');
            if (id > ((uint64_t)1 << 53)) return sio__packet_fail(why, "sio: ack id over 2^53", SIO_ERR_PROTOCOL);
        }
        pk->has_id = 1;
        pk->id = id;
    }
    pk->data = p;
    pk->data_len = (size_t)(end - p);
    return sio__packet_payload_ok(pk, max_depth, why);
}

SIO_API size_t sio_packet_encode_header(char *out, int type, unsigned attachments, const char *ns,
                                        int has_id, uint64_t id)
{
    size_t n = 0;
    out[n++] = (char)('0' + type);
    if (type == SIO_PACKET_BINARY_EVENT || type == SIO_PACKET_BINARY_ACK)
        n += (size_t)sprintf(out + n, "%u-", attachments);
    if (ns && strcmp(ns, "/") != 0 && ns[0]) n += (size_t)sprintf(out + n, "%s,", ns);
    if (has_id) {
        char digits[24];
        int k = 0;
        do digits[k++] = (char)('0' + id % 10); while ((id /= 10) > 0);
        while (k) out[n++] = digits[--k];
    }
    out[n] = 0;
    return n;
}

#ifdef SIO_SOURCE_LINES
#line 1 "src/heartbeat.c"
#endif
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
#ifdef SIO_SOURCE_LINES
#line 1 "src/acks.c"
#endif
/* ---------------------------------------------------------------------- */
/* acks: the emits waiting for the server's answer                         */
/* ---------------------------------------------------------------------- */

/* An engine without I/O: ids handed out in order, found again when the
 * answer comes, and timed out by the time passed in. */
typedef struct sio__ack {
    uint64_t id;
    int ns;                        /* the namespace's index */
    uint64_t deadline;             /* 0: none */
    int sent;                      /* the emit left the queue: a lost connection ends it */
} sio__ack;

typedef struct sio__acks {
    sio__ack *list;                /* in emit order */
    size_t count, cap;
    uint64_t next_id;
} sio__acks;

#if SIO__WITH_SOCKETIO   /* SIO_NO_SOCKETIO leaves Socket.IO out */
/* Room for one more, within max: SIO_OK, SIO_ERR_FULL or SIO_ERR_NOMEM. */
static int sio__acks_reserve(sio__acks *a, const sio_allocator *alloc, size_t max)
{
    if (a->count >= max) return SIO_ERR_FULL;
    if (a->count == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 8;
        void *p = sio__realloc(alloc, a->list, cap * sizeof *a->list);
        if (!p) return SIO_ERR_NOMEM;
        a->list = (sio__ack *)p;
        a->cap = cap;
    }
    return SIO_OK;
}

/* Takes the next id (after sio__acks_reserve). */
static uint64_t sio__acks_add(sio__acks *a, int ns, int sent, uint64_t deadline)
{
    sio__ack *k = &a->list[a->count++];
    k->id = a->next_id++;
    k->ns = ns;
    k->sent = sent;
    k->deadline = deadline;
    return k->id;
}

/* The index of the ack for id in namespace ns, or -1. */
static int sio__acks_find(const sio__acks *a, int ns, uint64_t id)
{
    size_t i;
    for (i = 0; i < a->count; i++)
        if (a->list[i].id == id && a->list[i].ns == ns) return (int)i;
    return -1;
}

/* Removes one, keeping the others in emit order. */
static void sio__acks_remove(sio__acks *a, size_t i)
{
    memmove(&a->list[i], &a->list[i + 1], (a->count - i - 1) * sizeof *a->list);
    a->count--;
}

/* The first ack at or after index from whose deadline has passed at now,
 * or -1. */
static int sio__acks_expired(const sio__acks *a, size_t from, uint64_t now)
{
    for (; from < a->count; from++)
        if (a->list[from].deadline && now >= a->list[from].deadline) return (int)from;
    return -1;
}

/* The earliest deadline, 0 when none. */
static uint64_t sio__acks_deadline(const sio__acks *a)
{
    uint64_t d = 0;
    size_t i;
    for (i = 0; i < a->count; i++) d = sio__earliest(a->list[i].deadline, d);
    return d;
}

/* An empty list gives back a large array. */
static void sio__acks_trim(sio__acks *a, const sio_allocator *alloc)
{
    if (!a->count && a->cap > 64) {
        sio__free(alloc, a->list);
        a->list = NULL;
        a->cap = 0;
    }
}
#endif
#ifdef SIO_SOURCE_LINES
#line 1 "src/outbox.c"
#endif
/* ---------------------------------------------------------------------- */
/* outbox: emits sent at least once (sio_config.retries)                   */
/* ---------------------------------------------------------------------- */

/* An engine without I/O: the emits a client with retries holds until the
 * server acknowledges them, in emit order.  A namespace has one try in
 * flight at a time, its first emit, so a resend never overtakes a later
 * emit.  The time comes in as an argument; the bytes can be saved as a
 * blob and read back after a restart. */
typedef struct sio__outgoing {
    struct sio__outgoing *next;
    uint64_t id;                   /* the application's handle: its ACK event carries it */
    uint64_t wire_id;              /* the ack id of the try in flight: each try has its own */
    uint64_t deadline;             /* of the try in flight; 0: none */
    uint64_t timeout;              /* how long each try waits for its answer; 0: no limit */
    int ns;                        /* the namespace's index */
    int tries;                     /* sends so far */
    int in_flight;
    const char *why;               /* why the last try ended without an answer (static text) */
    int want_ack;                  /* the answer is reported (a failure always is) */
    size_t body_len, count, total; /* the ["name",args...] text, the attachments, all bytes */
    size_t *lens;                  /* of the attachments */
    unsigned char *bytes;          /* the body, then the attachments */
} sio__outgoing;

typedef struct sio__outbox {
    sio__outgoing *head, *tail;
    size_t count, bytes;           /* entries, and the bytes they hold */
} sio__outbox;

/* A blob: "SIOQ", version 1, the count, then per emit its id, flags (1:
 * wants the answer), namespace, body and attachments, each length before
 * its bytes, all big-endian; last an FNV-1a hash of everything before it,
 * so that a file cut short or a flash page gone bad is refused. */
#define SIO__QUEUE_MAGIC "SIOQ"
#define SIO__QUEUE_VERSION 1

/* One emit as a blob holds it, pointing into the blob. */
typedef struct sio__saved_emit {
    uint64_t id;
    int want_ack;
    const char *ns;
    size_t ns_len;
    const char *body;
    size_t body_len;
    size_t count;                  /* attachments: count x (4-byte length, bytes) at atts */
    const unsigned char *atts;
} sio__saved_emit;

typedef struct sio__queue_reader {
    const unsigned char *p, *end;
    size_t left;                   /* emits not read yet */
} sio__queue_reader;

#if SIO__WITH_SOCKETIO   /* SIO_NO_SOCKETIO leaves Socket.IO out */
/* Appends an emit with room for body_len + the attachments' bytes (total
 * in all) and count lengths, for the caller to fill; NULL without memory. */
static sio__outgoing *sio__outbox_append(sio__outbox *o, const sio_allocator *a, int ns, uint64_t id, int want_ack,
                                         size_t body_len, size_t count, size_t total)
{
    sio__outgoing *e = (sio__outgoing *)sio__realloc(a, NULL, sizeof *e + count * sizeof(size_t) + total);
    if (!e) return NULL;
    memset(e, 0, sizeof *e);
    e->lens = (size_t *)(e + 1);
    e->bytes = (unsigned char *)(e->lens + count);
    e->id = id;
    e->ns = ns;
    e->want_ack = want_ack;
    e->body_len = body_len;
    e->count = count;
    e->total = total;
    if (o->tail) o->tail->next = e; else o->head = e;
    o->tail = e;
    o->count++;
    o->bytes += total;
    return e;
}

/* Appends an emit: its body as pieces, then count attachments. */
static int sio__outbox_add(sio__outbox *o, const sio_allocator *a, int ns, uint64_t id, int want_ack,
                           const void *const *pieces, const size_t *lens, size_t n,
                           const sio_bytes *atts, size_t count)
{
    size_t body, total = sio__packed_size(lens, n, atts, count, &body);
    sio__outgoing *e = sio__outbox_append(o, a, ns, id, want_ack, body, count, total);
    if (!e) return SIO_ERR_NOMEM;
    sio__pack(e->bytes, e->lens, pieces, lens, n, atts, count);
    return SIO_OK;
}

/* The first emit of namespace ns (the one that goes next), or NULL. */
static sio__outgoing *sio__outbox_first(const sio__outbox *o, int ns)
{
    sio__outgoing *e;
    for (e = o->head; e && e->ns != ns; e = e->next) {}
    return e;
}

/* The emit whose try in flight has ack id wire_id, or NULL: the answer to
 * an earlier try comes too late and is ignored. */
static sio__outgoing *sio__outbox_answered(const sio__outbox *o, int ns, uint64_t wire_id)
{
    sio__outgoing *e = sio__outbox_first(o, ns);
    return e && e->in_flight && e->wire_id == wire_id ? e : NULL;
}

/* An emit with this id, or NULL. */
static sio__outgoing *sio__outbox_find(const sio__outbox *o, uint64_t id)
{
    sio__outgoing *e;
    for (e = o->head; e && e->id != id; e = e->next) {}
    return e;
}

static void sio__outbox_remove(sio__outbox *o, const sio_allocator *a, sio__outgoing *e)
{
    sio__outgoing **link = &o->head, *prev = NULL;
    while (*link && *link != e) { prev = *link; link = &(*link)->next; }
    if (!*link) return;
    *link = e->next;
    if (o->tail == e) o->tail = prev;
    o->count--;
    o->bytes -= e->total;
    sio__free(a, e);
}

/* The try was sent now with ack id wire_id: its answer is due by now +
 * the emit's timeout (none: the connection's end decides). */
static void sio__outbox_sent(sio__outgoing *e, uint64_t wire_id, uint64_t now)
{
    e->tries++;
    e->in_flight = 1;
    e->wire_id = wire_id;
    e->deadline = e->timeout ? now + e->timeout : 0;
}

/* A try in flight whose deadline has passed at now, or NULL; the try is
 * over. */
static sio__outgoing *sio__outbox_expired(sio__outbox *o, uint64_t now)
{
    sio__outgoing *e;
    for (e = o->head; e; e = e->next)
        if (e->in_flight && e->deadline && now >= e->deadline) {
            e->in_flight = 0;
            e->why = "no ack within the ack timeout";
            return e;
        }
    return NULL;
}

/* The earliest deadline of a try in flight, 0 when none. */
static uint64_t sio__outbox_deadline(const sio__outbox *o)
{
    uint64_t d = 0;
    const sio__outgoing *e;
    for (e = o->head; e; e = e->next)
        if (e->in_flight) d = sio__earliest(e->deadline, d);
    return d;
}

/* The connection is gone and with it every answer on the way: the tries in
 * flight go again on the next one. */
static void sio__outbox_land(sio__outbox *o)
{
    sio__outgoing *e;
    for (e = o->head; e; e = e->next)
        if (e->in_flight) {
            e->in_flight = 0;
            e->why = "the connection was lost";
        }
}

static size_t sio__outbox_memory(const sio__outbox *o)
{
    const sio__outgoing *e;
    size_t n = 0;
    for (e = o->head; e; e = e->next) n += sizeof *e + e->count * sizeof(size_t) + e->total;
    return n;
}

static void sio__outbox_free(sio__outbox *o, const sio_allocator *a)
{
    while (o->head) sio__outbox_remove(o, a, o->head);
}

/* 1 if v fits a blob's 4-byte length (no comparison a 32-bit size_t makes
 * always true). */
static int sio__fits_u32(size_t v) { return (v >> 16 >> 16) == 0; }

static uint32_t sio__fnv1a(const unsigned char *p, size_t n)
{
    uint32_t h = 2166136261u;
    while (n--) h = (h ^ *p++) * 16777619u;
    return h;
}

static unsigned char *sio__put_be(unsigned char *p, uint64_t v, int bytes)
{
    while (bytes--) *p++ = (unsigned char)(v >> (8 * bytes));
    return p;
}

static uint64_t sio__get_be(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    while (bytes--) v = v << 8 | *p++;
    return v;
}

/* Writes the emits as a blob into out (cap bytes; out may be NULL to ask)
 * and says its size in *len.  name(ctx, ns) gives a namespace's name.
 * SIO_ERR_FULL when cap is too small; SIO_ERR_TOO_BIG for a piece that a
 * blob's lengths cannot say. */
static int sio__outbox_save(const sio__outbox *o, const char *(*name)(const void *ctx, int ns), const void *ctx,
                            unsigned char *out, size_t cap, size_t *len)
{
    const sio__outgoing *e;
    size_t need = 4 + 1 + 4 + 4, k;
    unsigned char *p = out;
    if (!sio__fits_u32(o->count)) return SIO_ERR_TOO_BIG;
    for (e = o->head; e; e = e->next) {
        size_t ns_len = strlen(name(ctx, e->ns)), more;
        if (ns_len > 0xFFFF || !sio__fits_u32(e->body_len) || e->count > 0xFFFF) return SIO_ERR_TOO_BIG;
        for (k = 0; k < e->count; k++)
            if (!sio__fits_u32(e->lens[k])) return SIO_ERR_TOO_BIG;
        more = 8 + 1 + 2 + ns_len + 4 + 2 + 4 * e->count;       /* the name is written once per emit: */
        if (more > (size_t)-1 - need || e->total > (size_t)-1 - need - more) return SIO_ERR_TOO_BIG;   /* count it */
        need += more + e->total;
    }
    *len = need;
    if (!out || cap < need) return SIO_ERR_FULL;
    memcpy(p, SIO__QUEUE_MAGIC, 4);
    p[4] = SIO__QUEUE_VERSION;
    p = sio__put_be(p + 5, o->count, 4);
    for (e = o->head; e; e = e->next) {
        const char *ns = name(ctx, e->ns);
        size_t ns_len = strlen(ns), off = e->body_len;
        p = sio__put_be(p, e->id, 8);
        *p++ = (unsigned char)(e->want_ack ? 1 : 0);
        p = sio__put_be(p, ns_len, 2);
        memcpy(p, ns, ns_len);
        p = sio__put_be(p + ns_len, e->body_len, 4);
        memcpy(p, e->bytes, e->body_len);
        p = sio__put_be(p + e->body_len, e->count, 2);
        for (k = 0; k < e->count; k++) {
            p = sio__put_be(p, e->lens[k], 4);
            if (e->lens[k]) memcpy(p, e->bytes + off, e->lens[k]);
            p += e->lens[k];
            off += e->lens[k];
        }
    }
    sio__put_be(p, sio__fnv1a(out, (size_t)(p - out)), 4);
    return SIO_OK;
}

/* Checks a blob's frame (magic, version, hash) and gets ready to read its
 * emits: SIO_OK or SIO_ERR_INVALID. */
static int sio__queue_read_begin(sio__queue_reader *r, const unsigned char *blob, size_t len)
{
    if (!blob || len < 13 || memcmp(blob, SIO__QUEUE_MAGIC, 4) != 0 || blob[4] != SIO__QUEUE_VERSION ||
        sio__get_be(blob + len - 4, 4) != sio__fnv1a(blob, len - 4))
        return SIO_ERR_INVALID;
    r->left = (size_t)sio__get_be(blob + 5, 4);
    r->p = blob + 9;
    r->end = blob + len - 4;
    return SIO_OK;
}

/* Takes n bytes of the blob (NULL when fewer are left). */
static const unsigned char *sio__queue_take(sio__queue_reader *r, size_t n)
{
    const unsigned char *p = r->p;
    if ((size_t)(r->end - r->p) < n) return NULL;
    r->p += n;
    return p;
}

/* The next emit: 1, 0 after the last (with every byte read), or
 * SIO_ERR_INVALID for a blob whose lengths do not add up. */
static int sio__queue_read_next(sio__queue_reader *r, sio__saved_emit *s)
{
    const unsigned char *p;
    size_t k;
    if (!r->left) return r->p == r->end ? 0 : SIO_ERR_INVALID;
    if (!(p = sio__queue_take(r, 11))) return SIO_ERR_INVALID;
    s->id = sio__get_be(p, 8);
    if (p[8] > 1) return SIO_ERR_INVALID;
    s->want_ack = p[8];
    s->ns_len = (size_t)sio__get_be(p + 9, 2);
    if (!(s->ns = (const char *)sio__queue_take(r, s->ns_len)) || !(p = sio__queue_take(r, 4))) return SIO_ERR_INVALID;
    s->body_len = (size_t)sio__get_be(p, 4);
    if (!(s->body = (const char *)sio__queue_take(r, s->body_len)) || !(p = sio__queue_take(r, 2))) return SIO_ERR_INVALID;
    s->count = (size_t)sio__get_be(p, 2);
    s->atts = r->p;
    for (k = 0; k < s->count; k++)
        if (!(p = sio__queue_take(r, 4)) || !sio__queue_take(r, (size_t)sio__get_be(p, 4))) return SIO_ERR_INVALID;
    r->left--;
    return 1;
}

/* The bytes a saved emit holds. */
static size_t sio__saved_size(const sio__saved_emit *s)
{
    const unsigned char *p = s->atts;
    size_t k, n = s->body_len;
    for (k = 0; k < s->count; k++) {
        size_t len = (size_t)sio__get_be(p, 4);
        n += len;
        p += 4 + len;
    }
    return n;
}

/* Appends a saved emit (read from a blob) to namespace ns. */
static int sio__outbox_add_saved(sio__outbox *o, const sio_allocator *a, int ns, const sio__saved_emit *s)
{
    const unsigned char *p = s->atts;
    size_t k, off = s->body_len;
    sio__outgoing *e = sio__outbox_append(o, a, ns, s->id, s->want_ack, s->body_len, s->count, sio__saved_size(s));
    if (!e) return SIO_ERR_NOMEM;
    memcpy(e->bytes, s->body, s->body_len);
    for (k = 0; k < s->count; k++) {
        e->lens[k] = (size_t)sio__get_be(p, 4);
        if (e->lens[k]) memcpy(e->bytes + off, p + 4, e->lens[k]);
        off += e->lens[k];
        p += 4 + e->lens[k];
    }
    return SIO_OK;
}

/* Removes the emits after last (all: last NULL), newest first. */
static void sio__outbox_cut(sio__outbox *o, const sio_allocator *a, sio__outgoing *last)
{
    while (o->tail && o->tail != last) sio__outbox_remove(o, a, o->tail);
}
#endif
#ifdef SIO_SOURCE_LINES
#line 1 "src/binary.c"
#endif
/* ---------------------------------------------------------------------- */
/* binary: a Socket.IO binary packet and the attachments that follow it    */
/* ---------------------------------------------------------------------- */

/* An engine without I/O.  The packet's text is kept until its attachments
 * have come (each its own message, or its parts in order); then the whole
 * is delivered, and its memory stays valid until sio__binary_release at
 * the next step.  With receive_parts the packet is delivered at once and
 * its attachments are only counted as their parts go by (in_parts). */
typedef struct sio__binary {
    char *text;                        /* the packet's text, NUL-terminated */
    size_t text_len;
    sio_bytes *parts;                  /* attachments so far (owned), room for slots */
    size_t slots, have, need;          /* need: the number announced, 0 once whole or abandoned;
                                          in_parts: have = the attachments ended */
    size_t filled, room;               /* the attachment parts[have] being put together from parts */
    size_t bytes;                      /* text and attachments so far: max_message at most */
    int done;                          /* delivered or abandoned: freed at the next release */
    int in_parts;                      /* its attachments are handed over in parts as they come */
    int deliver;                       /* in_parts: the packet was delivered, so its attachments are */
    const char *ns;                    /* in_parts and deliver: the packet's namespace's name (a
                                          namespace lives as long as its client) */
    int64_t id;                        /* in_parts and deliver: its ack id (-1 none) */
} sio__binary;

#if SIO__WITH_SOCKETIO   /* SIO_NO_SOCKETIO leaves Socket.IO out */
/* Frees a delivered or abandoned packet (nothing while one is collecting). */
static void sio__binary_release(sio__binary *b, const sio_allocator *alloc)
{
    size_t i;
    if (!b->done) return;
    for (i = 0; b->parts && i < b->have + (b->room ? 1 : 0); i++) sio__free(alloc, (void *)b->parts[i].data);
    sio__free(alloc, b->parts);
    sio__free(alloc, b->text);
    memset(b, 0, sizeof *b);
}

/* Stops collecting: what came is freed at the next release. */
static void sio__binary_abandon(sio__binary *b)
{
    b->need = 0;
    b->done = 1;
}

/* A packet delivered at once (deliver: in namespace ns, ack id id) or
 * dropped, whose count attachments are handed over in parts as they come.
 * SIO_ERR_STATE while another is still collecting. */
static int sio__binary_begin_parts(sio__binary *b, size_t count, int deliver, const char *ns, int64_t id)
{
    if (b->need) return SIO_ERR_STATE;
    b->ns = deliver ? ns : NULL;
    b->in_parts = 1;
    b->deliver = deliver;
    b->id = id;
    b->need = count;
    b->have = 0;
    b->done = 0;
    return SIO_OK;
}

/* One part of the attachment in parts: which one it is (from 0); the
 * packet is done after the final part of its last.  SIO_ERR_STATE when
 * no attachment was announced. */
static long sio__binary_part(sio__binary *b, int final)
{
    size_t index = b->have;
    if (!b->need || !b->in_parts) return SIO_ERR_STATE;
    if (final && ++b->have == b->need) sio__binary_abandon(b);   /* the last: freed at the next release */
    return (long)index;
}

/* A packet announcing count attachments (text[len], at most max_message).
 * SIO_ERR_STATE while another is still collecting; SIO_ERR_NOMEM. */
static int sio__binary_begin(sio__binary *b, const sio_allocator *alloc, const char *text, size_t len, size_t count)
{
    if (b->text) return SIO_ERR_STATE;
    b->text = (char *)sio__realloc(alloc, NULL, len + 1);
    b->parts = (sio_bytes *)sio__realloc(alloc, NULL, count * sizeof *b->parts);
    b->text_len = len;
    b->slots = b->parts ? count : 0;
    b->done = 1;                                 /* on failure, freed at the next release */
    if (!b->text || !b->parts) return SIO_ERR_NOMEM;
    memcpy(b->text, text, len);
    b->text[len] = 0;
    b->bytes = len;
    b->need = count;
    b->have = 0;
    b->done = 0;
    return SIO_OK;
}

/* Bytes of an attachment (all of it, or a part of it with final 0 until
 * its last).  Returns 1 when the packet is whole (text, parts, have), 0
 * when more is needed, SIO_ERR_STATE when no attachment was announced,
 * SIO_ERR_TOO_BIG when the packet would pass max_message (abandoned),
 * SIO_ERR_NOMEM. */
static int sio__binary_add(sio__binary *b, const sio_allocator *alloc, const unsigned char *data, size_t len,
                           int final, size_t max_message)
{
    unsigned char *at;
    if (!b->need || b->in_parts) return SIO_ERR_STATE;
    if (b->bytes > max_message || len > max_message - b->bytes) {   /* each fits; all must too */
        sio__binary_abandon(b);
        return SIO_ERR_TOO_BIG;
    }
    if (!b->room) b->parts[b->have].data = NULL;
    if (b->filled + len > b->room || !b->room) {  /* doubling: parts add up in linear time */
        size_t need = b->filled + len, room = final || b->room * 2 < need ? need : b->room * 2;
        if (room > max_message) room = need;
        if (!(at = (unsigned char *)sio__realloc(alloc, (void *)b->parts[b->have].data, room ? room : 1)))
            return SIO_ERR_NOMEM;
        b->parts[b->have].data = at;
        b->room = room ? room : 1;
    }
    at = (unsigned char *)b->parts[b->have].data;
    if (len) memcpy(at + b->filled, data, len);
    b->filled += len;
    b->bytes += len;
    if (!final) return 0;
    if (b->room > b->filled && b->filled &&     /* doubled past the end: give the rest back */
        (at = (unsigned char *)sio__realloc(alloc, (void *)b->parts[b->have].data, b->filled)) != NULL)
        b->parts[b->have].data = at;
    b->parts[b->have].len = b->filled;
    b->filled = b->room = 0;
    if (++b->have < b->need) return 0;
    sio__binary_abandon(b);                      /* whole: delivered now, freed at the next release */
    return 1;
}

/* Heap held, for sio_memory. */
static size_t sio__binary_memory(const sio__binary *b)
{
    size_t n = b->text ? b->text_len + 1 : 0, i;
    n += b->slots * sizeof(sio_bytes) + b->room;
    for (i = 0; i < b->have && b->parts; i++) n += b->parts[i].len ? b->parts[i].len : 1;
    return n;
}
#endif
#ifdef SIO_SOURCE_LINES
#line 1 "src/namespaces.c"
#endif
/* ---------------------------------------------------------------------- */
/* namespaces: Socket.IO's namespaces, their queues and held events        */
/* ---------------------------------------------------------------------- */

/* An engine without I/O.  It keeps what each namespace is (wanted,
 * connecting, connected), the emits waiting for its CONNECT reply and the
 * events that came before it, and says what a received packet means for
 * it; the session above sends, delivers and reports. */

/* An encoded Socket.IO packet waiting for its namespace's CONNECT reply:
 * the text message, then each attachment (lengths in lens[]). */
typedef struct sio__queued {
    struct sio__queued *next;
    size_t text_len, count, total;
    int64_t ack_id;                /* the emit's ack id, -1 when it asks for none */
    size_t *lens;
    unsigned char *bytes;
} sio__queued;

/* An event that arrived before its namespace's CONNECT reply (a server
 * recovering a session sends the missed ones first): delivered after it. */
typedef struct sio__held {
    struct sio__held *next;
    int has_id;
    uint64_t id;
    size_t data_len, count, total;
    sio_bytes *atts;
    char *data;                    /* the JSON array, NUL-terminated */
} sio__held;

enum { SIO__NS_OFF, SIO__NS_WANTED, SIO__NS_CONNECTING, SIO__NS_CONNECTED };

typedef struct sio__ns {
    char *name;                    /* "/" or "/admin" */
    char *auth;                    /* CONNECT payload, NULL for none */
    int state;
    int joined;                    /* the application wants it connected */
    char sid[64];
    char pid[64], offset[64];      /* state recovery: JSON string tokens, "" when unknown */
    sio__queued *queue_head, *queue_tail;
    size_t queued;                 /* packets in the queue */
    sio__held *held_head, *held_tail;
    char **subs;                   /* subscribed event names */
    size_t sub_count, sub_cap;
} sio__ns;

typedef struct sio__namespaces {
    sio__ns **list;                /* pointers stay put while the array grows */
    size_t count;
    size_t queued_bytes;           /* held by the queues (sio__queued_cost) */
    size_t held_bytes;             /* in the held events */
    sio__held *replayed;           /* delivered last; freed at the next step */
} sio__namespaces;

/* What a received packet means for its namespace (sio__namespaces_receive). */
enum sio__ns_verdict {
    SIO__NS_IGNORED,               /* not ours, or not expected in its state: dropped, as the JS client does */
    SIO__NS_JOINED,                /* the CONNECT reply: connected; the queue goes out now */
    SIO__NS_NO_SID,                /* a CONNECT reply without a sid (a Socket.IO v2 server): refused; the held events are to go */
    SIO__NS_REFUSED,               /* CONNECT_ERROR: refused; the queue and the held events are to go */
    SIO__NS_LEFT,                  /* the server DISCONNECTed it */
    SIO__NS_EVENT,                 /* an event to deliver */
    SIO__NS_EARLY,                 /* an event before the CONNECT reply: to hold */
    SIO__NS_ACK                    /* an ack to match */
};

#if SIO__WITH_SOCKETIO   /* SIO_NO_SOCKETIO leaves Socket.IO out */
static int sio__namespace_name_ok(const char *name)
{
    const char *p;
    if (!name || name[0] != '/' || strlen(name) > 200) return 0;
    for (p = name; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == ',' || *p == 0x7f) return 0;
    return 1;
}

/* The index of the namespace called name (len bytes), or -1. */
static int sio__namespaces_find(const sio__namespaces *n, const char *name, size_t len)
{
    size_t i;
    for (i = 0; i < n->count; i++)
        if (strlen(n->list[i]->name) == len && memcmp(n->list[i]->name, name, len) == 0) return (int)i;
    return -1;
}

/* Finds or adds a namespace (NULL: the URL's, index 0), at most max of
 * them.  Returns the index or a negative status. */
static int sio__namespaces_add(sio__namespaces *n, const sio_allocator *a, const char *name, size_t max)
{
    sio__ns *ns, **grown;
    int i;
    if (!name) return n->count ? 0 : SIO_ERR_STATE;
    if (!sio__namespace_name_ok(name)) return SIO_ERR_INVALID;
    i = sio__namespaces_find(n, name, strlen(name));
    if (i >= 0) return i;
    if (n->count >= max) return SIO_ERR_FULL;
    /* the list grows last, so that it never holds a slot without a namespace */
    if (!(ns = (sio__ns *)sio__realloc(a, NULL, sizeof *ns))) return SIO_ERR_NOMEM;
    memset(ns, 0, sizeof *ns);
    ns->name = sio__strdup(a, name);
    grown = ns->name ? (sio__ns **)sio__realloc(a, n->list, (n->count + 1) * sizeof *grown) : NULL;
    if (!grown) {
        sio__free(a, ns->name);
        sio__free(a, ns);
        return SIO_ERR_NOMEM;
    }
    n->list = grown;
    n->list[n->count] = ns;
    return (int)n->count++;
}

/* What a queued emit holds, counted against max_send_queue: its bytes and
 * its record (tiny emits would hold many times what their bytes say). */
static size_t sio__queued_cost(const sio__queued *q)
{
    return sizeof *q + q->count * sizeof(size_t) + q->total;
}

/* Copies a packet (text pieces, then attachments) to the end of the
 * namespace's queue, where it waits for the CONNECT reply. */
static int sio__namespaces_enqueue(sio__namespaces *n, const sio_allocator *a, sio__ns *ns, const void *const *pieces,
                                   const size_t *lens, size_t pieces_count, const sio_bytes *atts, size_t count,
                                   int64_t ack_id)
{
    size_t text_len, total = sio__packed_size(lens, pieces_count, atts, count, &text_len);
    sio__queued *q = (sio__queued *)sio__realloc(a, NULL, sizeof *q + count * sizeof(size_t) + total);
    if (!q) return SIO_ERR_NOMEM;
    q->lens = (size_t *)(q + 1);
    q->bytes = (unsigned char *)(q->lens + count);
    sio__pack(q->bytes, q->lens, pieces, lens, pieces_count, atts, count);
    q->next = NULL;
    q->ack_id = ack_id;
    q->text_len = text_len;
    q->count = count;
    q->total = total;
    if (ns->queue_tail) ns->queue_tail->next = q;
    else ns->queue_head = q;
    ns->queue_tail = q;
    ns->queued++;
    n->queued_bytes += sio__queued_cost(q);
    return SIO_OK;
}

/* An emit whose ack timed out while it still waited in the queue is not
 * sent any more (as the JS client drops it from its send buffer). */
static void sio__namespaces_unqueue(sio__namespaces *n, const sio_allocator *a, sio__ns *ns, uint64_t ack_id)
{
    sio__queued **link = &ns->queue_head, *prev = NULL;
    while (*link) {
        sio__queued *q = *link;
        if (q->ack_id == (int64_t)ack_id) {
            *link = q->next;
            if (ns->queue_tail == q) ns->queue_tail = prev;
            ns->queued--;
            n->queued_bytes -= sio__queued_cost(q);
            sio__free(a, q);
            return;
        }
        prev = q;
        link = &q->next;
    }
}

/* The first queued emit leaves the queue (it went out, or is dropped). */
static void sio__namespaces_shift(sio__namespaces *n, const sio_allocator *a, sio__ns *ns)
{
    sio__queued *q = ns->queue_head;
    ns->queue_head = q->next;
    if (!ns->queue_head) ns->queue_tail = NULL;
    ns->queued--;
    n->queued_bytes -= sio__queued_cost(q);
    sio__free(a, q);
}

static void sio__namespaces_drop_queue(sio__namespaces *n, const sio_allocator *a, sio__ns *ns)
{
    while (ns->queue_head) sio__namespaces_shift(n, a, ns);
}

static void sio__namespaces_drop_held(sio__namespaces *n, const sio_allocator *a, sio__ns *ns)
{
    while (ns->held_head) {
        sio__held *h = ns->held_head;
        ns->held_head = h->next;
        n->held_bytes -= h->total;
        sio__free(a, h);
    }
    ns->held_tail = NULL;
}

/* Keeps an event of a namespace still waiting for its CONNECT reply, all
 * held events together within max bytes. */
static int sio__namespaces_hold(sio__namespaces *n, const sio_allocator *a, sio__ns *ns, const sio_packet *pk,
                                const char *data, const sio_bytes *atts, size_t count, size_t max)
{
    size_t total = sizeof(sio__held) + count * sizeof(sio_bytes) + pk->data_len + 1, k;
    sio__held *h;
    unsigned char *p;
    for (k = 0; k < count; k++) total += atts[k].len;
    if (n->held_bytes + total > max) return SIO_ERR_TOO_BIG;
    if (!(h = (sio__held *)sio__realloc(a, NULL, total))) return SIO_ERR_NOMEM;
    h->next = NULL;
    h->has_id = pk->has_id;
    h->id = pk->id;
    h->data_len = pk->data_len;
    h->count = count;
    h->total = total;
    h->atts = (sio_bytes *)(h + 1);
    h->data = (char *)(h->atts + count);
    memcpy(h->data, data, pk->data_len);
    h->data[pk->data_len] = 0;
    p = (unsigned char *)h->data + pk->data_len + 1;
    for (k = 0; k < count; k++) {
        if (atts[k].len) memcpy(p, atts[k].data, atts[k].len);
        h->atts[k].data = p;
        h->atts[k].len = atts[k].len;
        p += atts[k].len;
    }
    if (ns->held_tail) ns->held_tail->next = h;
    else ns->held_head = h;
    ns->held_tail = h;
    n->held_bytes += total;
    return SIO_OK;
}

/* 1 when a held event can be delivered now: its namespace is connected. */
static int sio__namespaces_deliverable(const sio__namespaces *n)
{
    size_t i;
    for (i = 0; i < n->count && n->held_bytes; i++)
        if (n->list[i]->state == SIO__NS_CONNECTED && n->list[i]->held_head) return 1;
    return 0;
}

/* The next held event of a connected namespace (*i its index), or NULL.
 * It stays valid until the next call or sio__namespaces_release. */
static const sio__held *sio__namespaces_next_held(sio__namespaces *n, const sio_allocator *a, int *i)
{
    size_t k;
    sio__free(a, n->replayed);
    n->replayed = NULL;
    for (k = 0; k < n->count && n->held_bytes; k++) {
        sio__ns *ns = n->list[k];
        sio__held *h = ns->held_head;
        if (ns->state != SIO__NS_CONNECTED || !h) continue;
        ns->held_head = h->next;
        if (!ns->held_head) ns->held_tail = NULL;
        n->held_bytes -= h->total;
        n->replayed = h;
        *i = (int)k;
        return h;
    }
    return NULL;
}

/* Gives back the event delivered last. */
static void sio__namespaces_release(sio__namespaces *n, const sio_allocator *a)
{
    sio__free(a, n->replayed);
    n->replayed = NULL;
}

/* 1 while the application wants a namespace connected. */
static int sio__namespaces_wanted(const sio__namespaces *n)
{
    size_t i;
    for (i = 0; i < n->count; i++)
        if (n->list[i]->joined) return 1;
    return 0;
}

/* A new start: the URL's namespace (index 0) and those joined are wanted. */
static void sio__namespaces_start(sio__namespaces *n)
{
    size_t i;
    n->list[0]->joined = 1;                                /* as io(url) */
    for (i = 0; i < n->count; i++) n->list[i]->state = n->list[i]->joined ? SIO__NS_WANTED : SIO__NS_OFF;
}

/* The application or the server ended namespace i: what it held goes. */
static void sio__namespaces_leave(sio__namespaces *n, const sio_allocator *a, int i)
{
    sio__ns *ns = n->list[i];
    sio__namespaces_drop_queue(n, a, ns);
    sio__namespaces_drop_held(n, a, ns);
    ns->state = SIO__NS_OFF;
    ns->joined = 0;
}

/* The connection ended: the held events go, and the queues too unless
 * keep_queues (a reconnection follows) and the namespace is still wanted;
 * those go back to WANTED. */
static void sio__namespaces_end(sio__namespaces *n, const sio_allocator *a, int keep_queues)
{
    size_t i;
    for (i = 0; i < n->count; i++) {
        sio__ns *ns = n->list[i];
        if (!keep_queues || !ns->joined) sio__namespaces_drop_queue(n, a, ns);
        sio__namespaces_drop_held(n, a, ns);
        ns->state = ns->joined ? SIO__NS_WANTED : SIO__NS_OFF;
    }
}

/* The session's CONNECT reply: the socket id (Engine.IO 3 has none and
 * takes the engine's, "sid" or "/admin#sid") and the recovery pid.
 * *recovered is 1 when the server resumed the last session. */
static int sio__namespaces_joined(sio__ns *ns, int eio_version, const char *engine_sid, sio_json payload,
                                  int *recovered)
{
    sio_json sid, pid;
    if (eio_version == 3) {
        size_t k = 0;
        const char *part[3], *src;
        int m;
        part[0] = strcmp(ns->name, "/") ? ns->name : "";
        part[1] = strcmp(ns->name, "/") ? "#" : "";
        part[2] = engine_sid;
        for (m = 0; m < 3; m++)
            for (src = part[m]; *src && k + 1 < sizeof ns->sid; src++) ns->sid[k++] = *src;
        ns->sid[k] = 0;
    } else if (!sio_json_find(payload, "sid", &sid) || sio_json_string(sid, ns->sid, sizeof ns->sid, NULL) != SIO_OK) {
        ns->state = SIO__NS_OFF;
        ns->joined = 0;
        return SIO__NS_NO_SID;
    }
    ns->state = SIO__NS_CONNECTED;
    *recovered = 0;
    if (sio_json_find(payload, "pid", &pid) && sio_json_typeof(pid) == SIO_JSON_STRING &&
        pid.len < sizeof ns->pid) {             /* state recovery (Socket.IO 4.6+) */
        *recovered = ns->pid[0] && strlen(ns->pid) == pid.len && memcmp(ns->pid, pid.text, pid.len) == 0;
        if (!*recovered) ns->offset[0] = 0;
        memcpy(ns->pid, pid.text, pid.len);
        ns->pid[pid.len] = 0;
    } else {
        ns->pid[0] = ns->offset[0] = 0;
    }
    return SIO__NS_JOINED;
}

/* What a received packet means for its namespace (*i: its index; for
 * JOINED, *recovered as above).  The state changes here; the queue, the
 * held events, the acks and the events are the caller's to handle. */
static int sio__namespaces_receive(sio__namespaces *n, int eio_version, const char *engine_sid, const sio_packet *pk,
                                   sio_json payload, int *i, int *recovered)
{
    sio__ns *ns;
    if ((*i = sio__namespaces_find(n, pk->ns, pk->ns_len)) < 0) return SIO__NS_IGNORED;
    ns = n->list[*i];
    switch (pk->type) {
    case SIO_PACKET_CONNECT:
        if (ns->state != SIO__NS_CONNECTING) return SIO__NS_IGNORED;
        return sio__namespaces_joined(ns, eio_version, engine_sid, payload, recovered);
    case SIO_PACKET_CONNECT_ERROR:
        if (ns->state != SIO__NS_CONNECTING) return SIO__NS_IGNORED;
        ns->state = SIO__NS_OFF;
        ns->joined = 0;
        return SIO__NS_REFUSED;
    case SIO_PACKET_DISCONNECT:
        if (ns->state != SIO__NS_CONNECTED) return SIO__NS_IGNORED;
        ns->state = SIO__NS_OFF;
        ns->joined = 0;
        return SIO__NS_LEFT;
    case SIO_PACKET_EVENT:
    case SIO_PACKET_BINARY_EVENT:
        if (ns->state == SIO__NS_CONNECTING) return SIO__NS_EARLY;   /* delivered after the CONNECT reply */
        return ns->state == SIO__NS_CONNECTED ? SIO__NS_EVENT : SIO__NS_IGNORED;
    case SIO_PACKET_ACK:
    case SIO_PACKET_BINARY_ACK:
        return pk->has_id ? SIO__NS_ACK : SIO__NS_IGNORED;
    default:
        return SIO__NS_IGNORED;
    }
}

/* 1 when pk is an event sio__namespaces_receive would hold until its
 * namespace's CONNECT reply (SIO__NS_EARLY). */
static int sio__namespaces_early(const sio__namespaces *n, const sio_packet *pk)
{
    int i = sio__namespaces_find(n, pk->ns, pk->ns_len);
    return i >= 0 && (pk->type == SIO_PACKET_EVENT || pk->type == SIO_PACKET_BINARY_EVENT) &&
           n->list[i]->state == SIO__NS_CONNECTING;
}

/* 1 when events called name reach the application (no subscription: all). */
static int sio__namespace_subscribed(const sio__ns *ns, const char *name)
{
    size_t i;
    if (ns->sub_count == 0) return 1;
    for (i = 0; i < ns->sub_count; i++)
        if (strcmp(ns->subs[i], name) == 0) return 1;
    return 0;
}

/* Adds event to the namespace's subscriptions, at most 1,024 of them. */
static int sio__namespace_subscribe(sio__ns *ns, const sio_allocator *a, const char *event)
{
    char *copy;
    if (ns->sub_count && sio__namespace_subscribed(ns, event)) return SIO_OK;
    if (ns->sub_count >= 1024) return SIO_ERR_FULL;
    if (ns->sub_count == ns->sub_cap) {
        size_t cap = ns->sub_cap ? ns->sub_cap * 2 : 4;
        void *p = sio__realloc(a, ns->subs, cap * sizeof(char *));
        if (!p) return SIO_ERR_NOMEM;
        ns->subs = (char **)p;
        ns->sub_cap = cap;
    }
    if (!(copy = sio__strdup(a, event))) return SIO_ERR_NOMEM;
    ns->subs[ns->sub_count++] = copy;
    return SIO_OK;
}

static void sio__namespace_unsubscribe(sio__ns *ns, const sio_allocator *a, const char *event)
{
    size_t k;
    for (k = 0; k < ns->sub_count; k++)
        if (strcmp(ns->subs[k], event) == 0) {
            sio__free(a, ns->subs[k]);
            ns->subs[k] = ns->subs[--ns->sub_count];
            return;
        }
}

/* Heap held by the namespaces, for sio_memory. */
static size_t sio__namespaces_memory(const sio__namespaces *n)
{
    size_t bytes = n->count * sizeof(sio__ns *), i, k;
    for (i = 0; i < n->count; i++) {
        const sio__ns *ns = n->list[i];
        const sio__queued *q;
        const sio__held *h;
        bytes += sizeof *ns + sio__str_size(ns->name) + sio__str_size(ns->auth) + ns->sub_cap * sizeof(char *);
        for (k = 0; k < ns->sub_count; k++) bytes += sio__str_size(ns->subs[k]);
        for (q = ns->queue_head; q; q = q->next) bytes += sizeof *q + q->count * sizeof(size_t) + q->total;
        for (h = ns->held_head; h; h = h->next) bytes += h->total;
    }
    return bytes + (n->replayed ? n->replayed->total : 0);
}

static void sio__namespaces_free(sio__namespaces *n, const sio_allocator *a)
{
    size_t i, k;
    sio__namespaces_release(n, a);
    for (i = 0; i < n->count; i++) {
        sio__ns *ns = n->list[i];
        sio__namespaces_drop_queue(n, a, ns);
        sio__namespaces_drop_held(n, a, ns);
        for (k = 0; k < ns->sub_count; k++) sio__free(a, ns->subs[k]);
        sio__free(a, ns->subs);
        sio__free(a, ns->auth);
        sio__free(a, ns->name);
        sio__free(a, ns);
    }
    sio__free(a, n->list);
    n->list = NULL;
    n->count = 0;
}
#endif
#ifdef SIO_SOURCE_LINES
#line 1 "src/resolver.c"
#endif
/* ---------------------------------------------------------------------- */
/* resolver: a name to addresses over DNS, without blocking              */
/* ---------------------------------------------------------------------- */

/* An engine without I/O: the caller opens the nameserver's socket, sends
 * what sio__resolver_queries writes, feeds the datagrams that come back to
 * sio__resolver_answer, and asks sio__resolver_due at the deadline what to
 * do (ask again, try the next nameserver, or stop).  Both families are
 * asked (AAAA and A); the addresses come out IPv6 first, as getaddrinfo
 * orders them. */

#define SIO__MAX_ADDRESSES 16
#define SIO__DNS_TRY_MS 1000                   /* ask again after this long without an answer */

typedef char sio__address[46];            /* an address as text ("10.0.0.1", "::1") */

/* The memory one resolution uses, from its start until the connection: the
 * table of addresses found first (sio__resolver.addrs points at it), then
 * room for an answer and the two questions, kept off the stack (a small
 * target's could not hold them). */
typedef struct sio__resolving {
    sio__address addrs[SIO__MAX_ADDRESSES];
    unsigned char answer[1500];
    unsigned char questions[2][300];
} sio__resolving;

typedef struct sio__resolver {
    const char *host;                      /* the name (the caller's, kept while resolving) */
    sio__address *addrs;                   /* found addresses: the caller's table of SIO__MAX_ADDRESSES */
    size_t addr_count;
    unsigned server;                       /* which nameserver is asked (0: the first) */
    unsigned tries;                        /* questions sent to it */
    unsigned ids[2];                       /* the current query ids: AAAA, A */
    int waiting;                           /* 2: the AAAA answer, 1: the A answer still to come */
    int nxdomain;                          /* a server said the name does not exist */
    const char *why;                       /* why an answer was unusable (static text) */
    uint64_t deadline;                     /* ask again or move on then */
} sio__resolver;

enum { SIO__RESOLVER_WAIT, SIO__RESOLVER_ASK_AGAIN, SIO__RESOLVER_NEXT_SERVER, SIO__RESOLVER_DONE };

#if SIO__WITH_DNS
static void sio__resolver_begin(sio__resolver *r, const char *host, sio__address *table)
{
    memset(r, 0, sizeof *r);
    r->host = host;
    r->addrs = table;
}

/* A new nameserver: both questions are due again. */
static void sio__resolver_new_server(sio__resolver *r)
{
    r->tries = 0;
    r->waiting = 3;
}

/* The questions still unanswered, each with 16 fresh random bits of id
 * (from random[4]), so a forged answer must guess a new id for every
 * question and every retry.  q[k] gets n[k] bytes (0: not asked). */
static void sio__resolver_queries(sio__resolver *r, const unsigned char random[4], uint64_t now,
                                  unsigned char q[2][300], size_t n[2])
{
    int k;
    for (k = 0; k < 2; k++) {
        r->ids[k] = ((unsigned)random[2 * k] << 8) | random[2 * k + 1];
        n[k] = (r->waiting & (k == 0 ? 2 : 1)) ? sio_dns_query(q[k], 300, r->ids[k], r->host,
                                                              k == 0 ? SIO_DNS_AAAA : SIO_DNS_A) : 0;
    }
    r->deadline = now + SIO__DNS_TRY_MS;
}

/* One datagram from the nameserver: an answer to a question still open
 * counts, anything else (stale, forged, foreign) is ignored. */
static void sio__resolver_answer(sio__resolver *r, const unsigned char *msg, size_t len)
{
    sio_dns_addr found[SIO__MAX_ADDRESSES];
    size_t count = 0, k;
    const char *why = NULL;
    int which = 2, st;                         /* the AAAA question's answer, or else the A one's */
    st = sio_dns_parse(msg, len, r->ids[0], r->host, SIO_DNS_AAAA, found, SIO__MAX_ADDRESSES, &count, &why);
    if (st == SIO_ERR_AGAIN) {
        which = 1;
        st = sio_dns_parse(msg, len, r->ids[1], r->host, SIO_DNS_A, found, SIO__MAX_ADDRESSES, &count, &why);
    }
    if (st == SIO_ERR_AGAIN || !(r->waiting & which)) return;
    if (st == SIO_ERR_NO_ADDRESS) r->nxdomain = 1;
    if (st == SIO_ERR_PROTOCOL) r->why = why;
    r->waiting &= ~which;
    for (k = 0; st == SIO_OK && k < count && r->addr_count < SIO__MAX_ADDRESSES; k++)
        sio_dns_addr_text(&found[k], r->addrs[r->addr_count++]);
}

/* What to do at now: wait, ask the same server again (once), move to the
 * next server, or stop (both answered, or one family answered and the
 * other timed out: enough). */
static int sio__resolver_due(sio__resolver *r, uint64_t now)
{
    if (!r->waiting) return SIO__RESOLVER_DONE;
    if (now < r->deadline) return SIO__RESOLVER_WAIT;
    if (++r->tries < 2) return SIO__RESOLVER_ASK_AGAIN;
    if (r->addr_count) {
        r->waiting = 0;
        return SIO__RESOLVER_DONE;
    }
    r->server++;
    return SIO__RESOLVER_NEXT_SERVER;
}

/* When sio__resolver_due has something to do (0: never): while it has a
 * table and answers are still to come. */
static uint64_t sio__resolver_deadline(const sio__resolver *r)
{
    return r->addrs && r->waiting ? r->deadline : 0;
}

/* The nameserver cannot be used (the socket failed): the next one. */
static void sio__resolver_server_failed(sio__resolver *r)
{
    r->server++;
}

/* Resolving ended: IPv6 addresses first; 0, or SIO_ERR_NO_ADDRESS with
 * text saying why there is none. */
static int sio__resolver_finish(sio__resolver *r, char *text, size_t size)
{
    char tmp[46];
    size_t i, j, v6 = 0;
    for (i = 0; i < r->addr_count; i++)
        if (strchr(r->addrs[i], ':')) {
            memcpy(tmp, r->addrs[i], sizeof tmp);
            for (j = i; j > v6; j--) memcpy(r->addrs[j], r->addrs[j - 1], sizeof tmp);
            memcpy(r->addrs[v6++], tmp, sizeof tmp);
        }
    r->waiting = 0;
    if (r->addr_count) return 0;
    if (r->why)
        snprintf(text, size, "dns: %.80s: %s", r->host, r->why + 5);   /* past "dns: " */
    else
        snprintf(text, size, "dns: %.80s: %s", r->host, r->nxdomain ? "no such name" : "the name has no address");
    return SIO_ERR_NO_ADDRESS;
}
#endif /* SIO__WITH_DNS */
#ifdef SIO_SOURCE_LINES
#line 1 "src/link.c"
#endif
/* ---------------------------------------------------------------------- */
/* link: one TCP connection, its TLS session and its buffers              */
/* ---------------------------------------------------------------------- */

#define SIO__TEXT_SIZE 256
#define SIO__READ_CHUNK ((size_t)SIO_READ_MAX)   /* largest read */
/* largest read when messages are handed over in parts */
#define SIO__PARTS_READ (SIO_READ_MAX < 16384 ? (size_t)SIO_READ_MAX : (size_t)16384)
/* first read of a link; doubles while reads fill it */
#define SIO__READ_FIRST (SIO_READ_MAX < 2048 ? (size_t)SIO_READ_MAX : (size_t)2048)
#define SIO__KEEP ((size_t)8192)               /* buffers up to this size stay allocated when idle */
#define SIO__IDLE_MS 1000                      /* a link this long without reads is idle */

/* What a client's links share: the allocator for their buffers, the
 * platform's sockets, clock and randomness, the TLS backend for secure
 * URLs.  The link is the only layer that calls them (the client pump
 * closes sockets, as a sio_set must forget them first). */
typedef struct sio__system {
    sio_allocator alloc;
    const sio_platform *pf;
    const sio_tls *tls;
    unsigned char random_pool[256];    /* CSPRNG bytes for masking keys, drawn in batches */
    size_t random_left;
    size_t read_max;                   /* largest read: 0 = SIO__READ_CHUNK */
} sio__system;

/* Where a link goes: the origin (TLS runs to it, with its name), directly
 * or through a tunnel the proxy opens to target (the origin's name, or for
 * socks5:// its address). */
typedef struct sio__route {
    const char *host;                  /* the origin */
    unsigned short port;
    int secure;                        /* TLS to the origin */
    const sio_proxy_url *proxy;        /* NULL: no proxy */
    size_t max_head;                   /* the longest HTTP answer from the proxy */
} sio__route;

/* The proxy stage of a link while its tunnel opens (after TCP, before TLS). */
typedef struct sio__tunnel {
#if SIO__WITH_PROXY
    sio_proxy_handshake shake;
    size_t out_len, out_sent;          /* the handshake's bytes for the proxy */
    unsigned char out[SIO_PROXY_OUT_SIZE];
#else
    size_t out_len, out_sent;          /* never allocated */
#endif
} sio__tunnel;

/* One TCP connection (with its TLS session) and its buffers. */
typedef struct sio__link {
    sio_socket sock;
    void *tls;                         /* TLS session, NULL when plain */
    unsigned char *rx;                 /* bytes from the socket */
    size_t rx_start, rx_len, rx_cap;
    unsigned char *tx;                 /* bytes for the socket */
    size_t tx_sent, tx_len, tx_cap;
    int may_read;                      /* 0 after a short or empty read, until wait() says readable */
    int connecting;                    /* TCP connect in progress (polling links) */
    size_t chunk;                      /* next read size: grows while reads fill the buffer */
    int streaming;                     /* the last read filled the buffer: more is coming */
    uint64_t last_read;                /* ms of the last bytes read */
    uint64_t peer_reading;             /* ms when the socket last took bytes after refusing some:
                                          the peer is reading (a socket that never refuses proves nothing) */
    int write_blocked;                 /* the last flush left bytes the socket refused */
    uint64_t blocked_since;            /* ms when the socket began refusing bytes (write_blocked) */
    uint64_t taken;                    /* bytes the socket (or the TLS engine) took in all */
    uint64_t mark;                     /* sio__link_mark: taken once the socket took this many */
    uint64_t mark_taken_at;            /* ms when it did (0: not yet, or no mark) */
    int marked;
    int cipher_waiting;                /* TLS: the socket refused ciphertext the engine holds */
    uint64_t cipher_sent;              /* TLS: ciphertext the socket took in all */
    uint64_t mark_cipher;              /* TLS: the mark is taken once cipher_sent reaches this (0: not known yet) */
    uint64_t drained_at;               /* ms when a read last found the socket empty */
    int truncated;                     /* TLS: TCP ended without close_notify (the end may be forged) */
    sio__tunnel *tunnel;               /* the proxy's handshake while it runs (connecting stays 1) */
} sio__link;

static uint64_t sio__link_now(const sio__system *sys) { return sys->pf->now_ms(sys->pf->user); }

/* CSPRNG bytes, drawn from the platform in batches; used bytes are wiped. */
static int sio__random(sio__system *sys, unsigned char *out, size_t n)
{
    while (n > 0) {
        size_t take;
        if (sys->random_left == 0) {
            if (sys->pf->random(sys->pf->user, sys->random_pool, sizeof sys->random_pool) != SIO_OK) return SIO_ERR_IO;
            sys->random_left = sizeof sys->random_pool;
        }
        take = n < sys->random_left ? n : sys->random_left;
        memcpy(out, sys->random_pool + sizeof sys->random_pool - sys->random_left, take);
        memset(sys->random_pool + sizeof sys->random_pool - sys->random_left, 0, take);
        sys->random_left -= take;
        out += take;
        n -= take;
    }
    return SIO_OK;
}

/* Plaintext waiting inside the TLS engine (so no need to wait on the socket). */
static int sio__tls_buffered(const sio__system *sys, const sio__link *l)
{
    size_t n = 0;
    return l->tls && sys->tls->read_buf(l->tls, &n) && n > 0;
}

/* After the socket said "would block": whether the engine still has
 * something for a read, plaintext in one of its next few records (records
 * that yield none, like TLS 1.3 session tickets, come in twos) or an end
 * it reached while looking (failed, or closed) that the read reports. */
static int sio__tls_pending(const sio__system *sys, const sio__link *l)
{
    char why[64];                                /* a backend may describe its failure here */
    int k;
    if (!l->tls) return 0;
    for (k = 0; k < 4; k++) {
        if (sio__tls_buffered(sys, l)) return 1;
        why[0] = 0;
        if (sys->tls->status(l->tls, why, sizeof why) != 0) return 1;
    }
    return 0;
}

static int sio__tls_failed(const sio__system *sys, sio__link *l, char *err, size_t err_size)
{
    char why[SIO__TEXT_SIZE - 8];
    why[0] = 0;
    if (sys->tls->status(l->tls, why, sizeof why) >= 0) return 0;
    snprintf(err, err_size, "tls: %s", why[0] ? why : "failure");
    return 1;
}

/* Sends the ciphertext the engine has; 0, or -1 when the socket failed. */
static int sio__tls_push_out(const sio__system *sys, sio__link *l, char *err, size_t err_size)
{
    for (;;) {
        size_t n = 0;
        const unsigned char *p = sys->tls->send_buf(l->tls, &n);
        long w;
        if (!p || !n) { l->cipher_waiting = 0; return 0; }
        w = sys->pf->send(sys->pf->user, l->sock, p, n, err, err_size);
        if (w == SIO_ERR_AGAIN) { l->cipher_waiting = 1; return 0; }
        if (w <= 0) return -1;
        /* the engine takes plaintext a record at a time: the peer is seen reading by its ciphertext */
        if (l->cipher_waiting) l->peer_reading = sio__link_now(sys);
        l->cipher_sent += (uint64_t)w;
        sys->tls->send_done(l->tls, (size_t)w);
    }
}

/* A send failed (the peer closed): the reason may be a TLS alert still
 * waiting in the socket, so feed what can be read before blaming TCP.
 * Returns 1 (err filled with the TLS cause) if the engine failed. */
static int sio__tls_salvage(const sio__system *sys, sio__link *l, char *err, size_t err_size)
{
    int i;
    for (i = 0; i < 4; i++) {
        size_t n = 0;
        char ignored[64];
        unsigned char *in = sys->tls->recv_buf(l->tls, &n);
        long r;
        if (!in || !n) break;
        r = sys->pf->recv(sys->pf->user, l->sock, in, n, ignored, sizeof ignored);
        if (r <= 0) break;
        sys->tls->recv_done(l->tls, (size_t)r);
    }
    return sio__tls_failed(sys, l, err, err_size);
}

/* Plaintext into dst: bytes, 0 at a clean end, SIO_ERR_AGAIN, or an error. */
static long sio__tls_read(const sio__system *sys, sio__link *l, unsigned char *dst, size_t room, char *err, size_t err_size)
{
    int round;
    for (round = 0; round < 16; round++) {
        size_t n = 0;
        const unsigned char *p = sys->tls->read_buf(l->tls, &n);
        unsigned char *in;
        long r;
        if (p && n) {
            if (n > room) n = room;
            memcpy(dst, p, n);
            sys->tls->read_done(l->tls, n);
            return (long)n;
        }
        if (sio__tls_failed(sys, l, err, err_size)) return SIO_ERR_TLS;
        if (sys->tls->status(l->tls, NULL, 0) == 1) return 0;
        if (sio__tls_push_out(sys, l, err, err_size) < 0)                    /* handshake replies first */
            return sio__tls_salvage(sys, l, err, err_size) ? SIO_ERR_TLS : SIO_ERR_IO;
        in = sys->tls->recv_buf(l->tls, &n);
        if (!in || !n) {
            if (sio__tls_pending(sys, l)) continue;
            return SIO_ERR_AGAIN;
        }
        r = sys->pf->recv(sys->pf->user, l->sock, in, n, err, err_size);
        if (r <= 0) {
            if (r == SIO_ERR_AGAIN) {
                l->may_read = 0;
                /* an engine may hold records it took earlier but gave no
                 * plaintext for (mbedTLS after a session ticket) */
                if (sio__tls_pending(sys, l)) continue;
            }
            if (r == 0) l->truncated = 1;       /* no close_notify came first (that ends above) */
            return r;
        }
        sys->tls->recv_done(l->tls, (size_t)r);
    }
    return SIO_ERR_AGAIN;
}

/* Plaintext from tx into the engine, then its ciphertext to the socket. */
static int sio__tls_flush(const sio__system *sys, sio__link *l, char *text, size_t text_size)
{
    char err[128];
    err[0] = 0;
    while (l->tx_sent < l->tx_len) {
        size_t room = 0, n = l->tx_len - l->tx_sent;
        unsigned char *w = sys->tls->write_buf(l->tls, &room);
        if (!w || !room) break;                  /* handshake still running, or the engine is full */
        if (n > room) n = room;
        memcpy(w, l->tx + l->tx_sent, n);
        sys->tls->write_done(l->tls, n);
        l->tx_sent += n;
    }
    if (l->tx_sent == l->tx_len) l->tx_sent = l->tx_len = 0;
    if (sio__tls_push_out(sys, l, err, sizeof err) < 0) {
        if (sio__tls_salvage(sys, l, text, text_size)) return SIO_ERR_TLS;
        snprintf(text, text_size, "tcp: send failed: %s", err[0] ? err : "error");
        return SIO_ERR_IO;
    }
    return sio__tls_failed(sys, l, text, text_size) ? SIO_ERR_TLS : 0;
}

/* The marked bytes are all in the socket, or (TLS) in the engine: then
 * they are taken once the ciphertext the engine held at that moment has
 * gone too (an engine that keeps taking plaintext is never empty). */
static void sio__link_mark_check(const sio__system *sys, sio__link *l)
{
    size_t held = 0;
    if (l->tls && !l->mark_cipher) {
        if (sys->tls->send_buf(l->tls, &held) && held) {
            l->mark_cipher = l->cipher_sent + held;
            return;
        }
    } else if (l->tls && l->cipher_sent < l->mark_cipher) {
        return;
    }
    l->mark_taken_at = sio__link_now(sys);
}

/* sio__link_flush without TLS. */
static int sio__link_write(const sio__system *sys, sio__link *l, char *text, size_t text_size)
{
    char err[128];
    while (l->tx_sent < l->tx_len) {
        size_t n = l->tx_len - l->tx_sent;
        long w;
        if (n > (size_t)1 << 30) n = (size_t)1 << 30;
        err[0] = 0;
        w = sys->pf->send(sys->pf->user, l->sock, l->tx + l->tx_sent, n, err, sizeof err);
        if (w == SIO_ERR_AGAIN) return 0;
        if (w <= 0) {
            snprintf(text, text_size, "tcp: send failed: %s", err[0] ? err : sio_status_text((int)w));
            return SIO_ERR_IO;
        }
        l->tx_sent += (size_t)w;
    }
    l->tx_sent = l->tx_len = 0;
    return 0;
}

/* Writes a link's queued bytes until the socket would block.  Returns 0,
 * or SIO_ERR_IO / SIO_ERR_TLS with text saying why the connection failed. */
static int sio__link_flush(const sio__system *sys, sio__link *l, char *text, size_t text_size)
{
    size_t pending = l->tx_len - l->tx_sent;
    int r = l->tls ? sio__tls_flush(sys, l, text, text_size) : sio__link_write(sys, l, text, text_size);
    if (l->write_blocked && l->tx_len - l->tx_sent < pending) l->peer_reading = sio__link_now(sys);
    if (!l->write_blocked && l->tx_len > l->tx_sent) l->blocked_since = sio__link_now(sys);
    l->taken += pending - (l->tx_len - l->tx_sent);
    if (l->marked && !l->mark_taken_at && l->taken >= l->mark) sio__link_mark_check(sys, l);
    l->write_blocked = l->tx_len > l->tx_sent;
    return r;
}

/* Marks what is queued now (a ping just queued last): mark_taken_at says
 * when the socket took all of it.  An earlier mark stays until cleared (its
 * ping answered): it is the oldest unanswered ping. */
#if SIO__WITH_SOCKETIO   /* Engine.IO 3's pings */
static void sio__link_mark(sio__link *l)
{
    if (l->marked) return;               /* the oldest unanswered ping stays marked until cleared */
    l->marked = 1;
    l->mark = l->taken + (l->tx_len - l->tx_sent);
    l->mark_taken_at = 0;
    l->mark_cipher = 0;
}
#endif

/* Reads once into a link's receive buffer.  Returns bytes read, 0 on EOF,
 * SIO_ERR_AGAIN, or another negative status (err filled). */
static long sio__link_read(const sio__system *sys, sio__link *l, size_t need, char *err, size_t err_size)
{
    size_t want, room;
    long r;
    if (l->chunk < SIO__READ_FIRST) l->chunk = SIO__READ_FIRST;
    /* chunk - 1 plus the spare NUL byte: a power of two, so the largest
     * buffer stays under malloc's mmap threshold (no mmap/munmap per burst) */
    want = need > l->chunk - 1 ? need : l->chunk - 1;
    /* A short read means the socket is drained: skip the recv that would
     * only say EAGAIN and let the caller wait for readiness instead. */
    if (!l->may_read && !sio__tls_pending(sys, l)) return SIO_ERR_AGAIN;
    if (l->rx_start > 0 && l->rx_cap - l->rx_len < want + 1) {
        memmove(l->rx, l->rx + l->rx_start, l->rx_len - l->rx_start);
        l->rx_len -= l->rx_start;
        l->rx_start = 0;
    }
    if (l->rx_cap - l->rx_len < want + 1 &&
        sio__reserve(&sys->alloc, &l->rx, &l->rx_cap, l->rx_len + want + 1) != SIO_OK)
        return SIO_ERR_NOMEM;
    /* Keep one spare byte so a message at the end can be NUL-terminated. */
    room = l->rx_cap - l->rx_len - 1;
    if (l->tls) {
        r = sio__tls_read(sys, l, l->rx + l->rx_len, room, err, err_size);
    } else {
        r = sys->pf->recv(sys->pf->user, l->sock, l->rx + l->rx_len, room, err, err_size);
        if (r == SIO_ERR_AGAIN || (r > 0 && (size_t)r < room)) l->may_read = 0;
    }
    if (r > 0) {
        l->rx_len += (size_t)r;
        l->last_read = sio__link_now(sys);
    }
    if (!l->may_read) l->drained_at = sio__link_now(sys);   /* nothing more was there then */
    l->streaming = r > 0 && (size_t)r == room;
    if (l->streaming) {                  /* a stream: read more at once */
        size_t most = sys->read_max ? sys->read_max : SIO__READ_CHUNK;
        l->chunk = l->chunk < most / 2 ? l->chunk * 2 : most;
    }
    return r;
}

static int sio__link_reserve(const sio__system *sys, sio__link *l, size_t more)
{
    if (l->tx_sent > 0 && l->tx_cap - l->tx_len < more) {
        memmove(l->tx, l->tx + l->tx_sent, l->tx_len - l->tx_sent);
        l->tx_len -= l->tx_sent;
        l->tx_sent = 0;
    }
    return sio__reserve(&sys->alloc, &l->tx, &l->tx_cap, l->tx_len + more);
}

/* Gives back what an idle link holds beyond SIO__KEEP: the receive buffer
 * once it is empty and nothing was read for SIO__IDLE_MS (traffic keeps its
 * buffer: freeing it per wake-up would cost an allocation and, for big
 * buffers, system calls each time), the send buffer once it is flushed. */
static void sio__link_trim(const sio__system *sys, sio__link *l, int receiving)
{
    if (!receiving && l->rx_start == l->rx_len && l->rx_cap > SIO__KEEP &&
        sio__link_now(sys) - l->last_read >= SIO__IDLE_MS) {
        sio__free(&sys->alloc, l->rx);
        l->rx = NULL;
        l->rx_start = l->rx_len = l->rx_cap = 0;
        l->chunk /= 2;                   /* a burst after a pause still reads big */
    }
    if (l->tx_sent == l->tx_len && l->tx_cap > SIO__KEEP) {
        sio__free(&sys->alloc, l->tx);
        l->tx = NULL;
        l->tx_sent = l->tx_len = l->tx_cap = 0;
    }
}

static int sio__link_wants_write(const sio__system *sys, const sio__link *l)
{
    size_t n = 0;
    if (l->sock == SIO_INVALID_SOCKET) return 0;
    if (l->tunnel) return l->tunnel->out_sent < l->tunnel->out_len;
    if (l->tls && sys->tls->send_buf(l->tls, &n) && n) return 1;
    return l->connecting || l->tx_sent < l->tx_len;
}

/* What the link waits for (SIO_WAIT_READ, SIO_WAIT_WRITE): a connect in
 * progress only its completion (writable), else the peer's bytes (the
 * proxy's while the tunnel opens), and room while it has bytes to send. */
static int sio__link_wants(const sio__system *sys, const sio__link *l)
{
    if (l->sock == SIO_INVALID_SOCKET) return 0;
    return (l->connecting && !l->tunnel ? 0 : SIO_WAIT_READ) | (sio__link_wants_write(sys, l) ? SIO_WAIT_WRITE : 0);
}

#if SIO__WITH_PROXY
/* Runs the proxy's handshake: its bytes out, its answers in, until the
 * tunnel is open (1), more is awaited (0), or it failed (negative, text
 * says why).  The answers are read into the link's receive buffer, whose
 * growth the codec bounds (max_head); what follows them is the origin's. */
static int sio__link_tunnel(const sio__system *sys, sio__link *l, const sio__route *route, char *text, size_t text_size)
{
    sio__tunnel *t = l->tunnel;
    char err[SIO__TEXT_SIZE - 32];
    int reads = 0, steps;
    /* a step either takes buffered bytes or answers, so the steps end with
     * what is buffered; the cap only guards against a codec that did neither */
    for (steps = 0;; steps++) {
        size_t used = 0;
        long n;
        int r;
        while (t->out_sent < t->out_len) {
            err[0] = 0;
            n = sys->pf->send(sys->pf->user, l->sock, t->out + t->out_sent, t->out_len - t->out_sent, err, sizeof err);
            if (n == SIO_ERR_AGAIN) return 0;
            if (n <= 0) {
                snprintf(text, text_size, "proxy: send failed: %s", err[0] ? err : sio_status_text((int)n));
                return SIO_ERR_IO;
            }
            t->out_sent += (size_t)n;
        }
        r = sio_proxy_receive(&t->shake, l->rx ? l->rx + l->rx_start : NULL, l->rx_len - l->rx_start, &used, t->out,
                              sizeof t->out, &t->out_len, err, sizeof err);
        l->rx_start += used;
        t->out_sent = 0;
        if (r < 0) {
            snprintf(text, text_size, "%s", err);
            return r;
        }
        if (r == 1) break;
        if (steps >= 4096) return 0;
        if (used || t->out_len) continue;                 /* a step done: the next may be buffered already */
        if (reads++ == 16) return 0;                      /* after a look at what the last read brought */
        err[0] = 0;
        n = sio__link_read(sys, l, 0, err, sizeof err);
        if (n == SIO_ERR_AGAIN) return 0;
        if (n <= 0) {
            snprintf(text, text_size, "proxy: %s during its handshake%s%.160s", n == 0 ? "the proxy closed the connection"
                     : "reading failed", n == 0 ? "" : ": ", n == 0 ? "" : err[0] ? err : sio_status_text((int)n));
            return n == 0 ? SIO_ERR_PROXY : (int)n;
        }
    }
    if (route->secure && l->rx_len > l->rx_start) {        /* TLS starts with our hello: nothing may come first */
        snprintf(text, text_size, "proxy: bytes came through the tunnel before TLS started");
        return SIO_ERR_PROXY;
    }
    sio__free(&sys->alloc, t);
    l->tunnel = NULL;
    return 1;
}

#endif

/* 1 when the link is connected (through the proxy's tunnel when the route
 * has one, TLS started when it is secure), 0 while connecting, or a
 * negative status with text saying why.  target: where the tunnel goes
 * (NULL: the origin's name). */
static int sio__link_ready(const sio__system *sys, sio__link *l, const sio__route *route, const char *target,
                           char *text, size_t text_size)
{
    char err[128];
    int r;
    if (!l->connecting) return 1;
    if (!l->tunnel) {
        const sio_proxy_url *p = route->proxy;
        err[0] = 0;
        r = sys->pf->connect_result(sys->pf->user, l->sock, err, sizeof err);
        if (r == 0) return 0;
        if (r < 0) {
            size_t n = p ? p->host_len : strlen(route->host);     /* the proxy's host is a span of its URL */
            snprintf(text, text_size, "%s: cannot connect to %.*s port %u: %s", p ? "proxy" : "tcp",
                     (int)(n > 80 ? 80 : n), p ? p->host : route->host, (unsigned)(p ? p->port : route->port),
                     err[0] ? err : sio_status_text(r));
            return SIO_ERR_IO;
        }
#if SIO__WITH_PROXY
        if (p && !(l->tunnel = (sio__tunnel *)sio__realloc(&sys->alloc, NULL, sizeof *l->tunnel))) {
            snprintf(text, text_size, "proxy: out of memory for the handshake");
            return SIO_ERR_NOMEM;
        }
        if (p && sio_proxy_begin(&l->tunnel->shake, p, target ? target : route->host, route->port, route->max_head,
                                 l->tunnel->out, sizeof l->tunnel->out, &l->tunnel->out_len) != SIO_OK) {
            snprintf(text, text_size, "proxy: cannot ask for a tunnel to %.80s%s", target ? target : route->host,
                     !target && p->kind == SIO_PROXY_SOCKS5 ? " (socks5:// needs its address, which this client "
                     "cannot resolve itself: use socks5h://)" : "");
            return SIO_ERR_INVALID;
        }
        if (p) l->tunnel->out_sent = 0;
#else
        (void)target;
#endif
    }
#if SIO__WITH_PROXY
    if (l->tunnel && (r = sio__link_tunnel(sys, l, route, text, text_size)) <= 0) return r;
#endif
    l->connecting = 0;
    if (route->secure) {
        char why[SIO__TEXT_SIZE - 8];
        why[0] = 0;
        l->tls = sys->tls->open(sys->tls->user, route->host, why, sizeof why);
        l->truncated = 0;
        if (!l->tls) {
            snprintf(text, text_size, "tls: %s", why[0] ? why : "could not start a session");
            return SIO_ERR_TLS;
        }
    }
    return 1;
}

/* After a failed connect attempt (its socket closed by the client): no
 * tunnel state and none of the proxy's bytes are left for the next. */
static void sio__link_retry(const sio__system *sys, sio__link *l)
{
    sio__free(&sys->alloc, l->tunnel);
    l->tunnel = NULL;
    l->rx_start = l->rx_len = 0;
}

/* Ends the TLS session and frees the buffers; the socket must be closed
 * already (by the client, which tells its set first). */
static void sio__link_free(const sio__system *sys, sio__link *l)
{
    if (l->tls) sys->tls->close(l->tls);
    sio__free(&sys->alloc, l->tunnel);
    sio__free(&sys->alloc, l->rx);
    sio__free(&sys->alloc, l->tx);
    memset(l, 0, sizeof *l);
    l->sock = SIO_INVALID_SOCKET;
}
#ifdef SIO_SOURCE_LINES
#line 1 "src/websocket.c"
#endif
/* ---------------------------------------------------------------------- */
/* websocket: one WebSocket connection on a link (RFC 6455): the opening  */
/* handshake, frames both ways, the close handshake                       */
/* ---------------------------------------------------------------------- */

/* Pongs (WebSocket and Engine.IO) may exceed the send queue's bound by this
 * much: an application that filled the queue must not lose its connection
 * to the next ping, yet a server that pings without reading still meets a
 * bound. */
#define SIO__PONG_SLACK ((size_t)4096)

/* What sio__websocket_receive found. */
enum { SIO__WS_MORE = 0, SIO__WS_MESSAGE = 1, SIO__WS_PEER_CLOSED = 2, SIO__WS_PONG = 3 };

/* Keepalive for a plain WebSocket (sio_config.ping_interval_ms): an engine
 * without I/O.  A ping goes out every interval; a connection from which
 * nothing at all (the pong, or anything else: a server busy with a burst
 * answers behind it) was read within timeout after a ping is dead, so a
 * dead one is found within interval + timeout.  The pings carry a
 * sequence number, so the pong answering the latest one gives the
 * round-trip time. */
typedef struct sio__keepalive {
    uint64_t interval, timeout;        /* ms; interval 0: off; timeout 0: never dead */
    uint64_t next_ping;                /* 0: not running */
    uint64_t ping_at;                  /* the latest ping (0: none unanswered) */
    uint32_t seq;                      /* its number, the payload of its pong */
} sio__keepalive;

enum { SIO__KEEPALIVE_NOTHING, SIO__KEEPALIVE_PING, SIO__KEEPALIVE_DEAD };

static void sio__keepalive_start(sio__keepalive *k, uint64_t now)
{
    k->ping_at = 0;
    k->next_ping = k->interval ? now + k->interval : 0;
}

static void sio__keepalive_stop(sio__keepalive *k) { k->next_ping = k->ping_at = 0; }

/* When the last ping is due to have been answered: 0 when no answer is awaited. */
static uint64_t sio__keepalive_dead_at(const sio__keepalive *k, uint64_t heard)
{
    if (!k->ping_at || !k->timeout || heard >= k->ping_at) return 0;
    return k->ping_at + k->timeout;
}

/* What is due at now, given when the link last read anything: a ping (its
 * number in k->seq; its pong is awaited from now on), or death. */
static int sio__keepalive_due(sio__keepalive *k, uint64_t now, uint64_t heard)
{
    uint64_t dead = sio__keepalive_dead_at(k, heard);
    if (!k->next_ping) return SIO__KEEPALIVE_NOTHING;
    if (dead && now >= dead) return SIO__KEEPALIVE_DEAD;
    if (now < k->next_ping) return SIO__KEEPALIVE_NOTHING;
    k->next_ping = now + k->interval;
    if (!dead) {                       /* an unanswered ping still has its own deadline */
        k->ping_at = now;
        k->seq++;
    }
    return SIO__KEEPALIVE_PING;
}

/* When sio__keepalive_due has something next; 0: never. */
static uint64_t sio__keepalive_deadline(const sio__keepalive *k, uint64_t heard)
{
    uint64_t dead = sio__keepalive_dead_at(k, heard);
    if (!k->next_ping) return 0;
    return dead && dead < k->next_ping ? dead : k->next_ping;
}

/* The latest ping's payload: its number, big-endian. */
#define SIO__KEEPALIVE_PAYLOAD 4
static void sio__keepalive_payload(const sio__keepalive *k, unsigned char out[SIO__KEEPALIVE_PAYLOAD])
{
    out[0] = (unsigned char)(k->seq >> 24);
    out[1] = (unsigned char)(k->seq >> 16);
    out[2] = (unsigned char)(k->seq >> 8);
    out[3] = (unsigned char)k->seq;
}

/* A pong's round-trip time in ms if it answers the latest ping, else -1. */
static int sio__keepalive_pong(sio__keepalive *k, const unsigned char *p, size_t n, uint64_t now)
{
    uint64_t rtt;
    if (!k->ping_at || n != SIO__KEEPALIVE_PAYLOAD) return -1;
    if ((((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3]) != k->seq) return -1;
    rtt = now - k->ping_at;
    k->ping_at = 0;
    return rtt > (uint64_t)INT_MAX ? INT_MAX : (int)rtt;
}

/* A WebSocket connection's state; the link it runs on is an argument. */
typedef struct sio__websocket {
    sio_ws_rx rx;                      /* the frame receiver (with max_message and the allocator) */
    size_t rx_need, hs_scanned;        /* bytes wanted before parsing again; handshake bytes scanned */
    size_t fragment;                   /* payload bytes per outgoing data frame; 0: a frame per message */
    size_t peeked;                     /* bytes after the link's rx_start already seen by sio__websocket_peek */
    char **protocols;                  /* the Sec-WebSocket-Protocol offers (owned) */
    size_t protocol_count;
    int close_sent, close_code;
    char accept[29];                   /* the Sec-WebSocket-Accept expected */
    char protocol[SIO_MAX_PROTOCOL + 1]; /* negotiated subprotocol */
    char close_reason[128];
    /* permessage-deflate (RFC 7692): what the client offers, then what the
     * connection agreed.  Each message is compressed on its own; the
     * server's history is kept only when it keeps one (context takeover). */
    int deflate_offer;                 /* offer it (sio_config.deflate) */
    int deflate_bits;                  /* the server's window asked for, 9..15 (server_max_window_bits) */
    int deflate_no_takeover;           /* ask for server_no_context_takeover */
    size_t deflate_threshold;          /* shorter messages go out uncompressed */
    int deflate_on;                    /* agreed for this connection */
    sio_inflater inflater;
    sio_deflater deflater;
    sio__keepalive keepalive;          /* plain WebSocket only: Engine.IO has its heartbeat */
    int tx_parts;                      /* a message sent in parts is open */
    int tx_opcode;                     /* its next frame's: TEXT or BINARY, then CONTINUATION */
    int tx_text;
    sio_utf8 tx_utf8;                  /* its text so far */
    /* The last frame queued on the link, while it is the link's last bytes:
     * a part may grow it instead of adding a fragment (servers cap the
     * fragments of a message: npm ws at 16384). */
    int tail;                          /* a fragment of the message in parts, nothing after it */
    int tail_opcode;
    size_t tail_head, tail_payload;    /* header (with the mask) and payload bytes */
    unsigned char tail_key[4];
} sio__websocket;

/* Forgets a message in progress (a new connection, or a new transport). */
static void sio__websocket_rx_reset(sio__websocket *ws)
{
    sio_allocator a = ws->rx.allocator;
    size_t max = ws->rx.max_message;
    int parts = ws->rx.parts;
    sio_ws_rx_free(&ws->rx);
    memset(&ws->rx, 0, sizeof ws->rx);
    ws->rx.allocator = a;
    ws->rx.max_message = max;
    ws->rx.parts = parts;
    ws->rx.compression = ws->deflate_on;       /* a new transport keeps what its handshake agreed */
    ws->rx_need = 0;
    ws->peeked = 0;
}

/* A new connection: nothing received, nothing negotiated, no close yet. */
static void sio__websocket_begin(sio__websocket *ws)
{
    ws->deflate_on = 0;
    sio__websocket_rx_reset(ws);
#if SIO__WITH_DEFLATE
    sio_inflater_free(&ws->inflater);          /* no history from the last connection */
#endif
    ws->hs_scanned = 0;
    ws->tx_parts = ws->tail = 0;               /* a message sent in parts ended with its connection */
    ws->close_sent = 0;
    ws->close_code = SIO_CLOSE_ABNORMAL;
    ws->close_reason[0] = 0;
    ws->protocol[0] = 0;
}

/* An idle connection gives back a large message buffer. */
static void sio__websocket_trim(sio__websocket *ws)
{
    if (!ws->rx.in_message && ws->rx.buffer_cap > SIO__KEEP) sio_ws_rx_free(&ws->rx);
#if SIO__WITH_DEFLATE
    sio_inflater_trim(&ws->inflater);          /* kept only with the server's history */
#endif
}

/* The connection is gone: the server's history and any compression
 * buffers go with it. */
static void sio__websocket_forget(sio__websocket *ws)
{
#if SIO__WITH_DEFLATE
    sio_inflater_free(&ws->inflater);
    sio_deflater_free(&ws->deflater);
#else
    (void)ws;
#endif
}

/* The heap a connection holds beyond its struct and its link. */
static size_t sio__websocket_memory(const sio__websocket *ws)
{
    size_t i, n = ws->rx.buffer_cap + ws->protocol_count * sizeof(char *);
    for (i = 0; i < ws->protocol_count; i++) n += sio__str_size(ws->protocols[i]);
    return n + (ws->inflater.buffer ? ws->inflater.cap + 1 : 0) + ws->inflater.copy_cap + ws->deflater.out_cap;
}

/* Gives back everything; a is what the protocols were copied with. */
static void sio__websocket_free(sio__websocket *ws, const sio_allocator *a)
{
    size_t i;
    sio_ws_rx_free(&ws->rx);
    for (i = 0; i < ws->protocol_count; i++) sio__free(a, ws->protocols[i]);
    sio__free(a, ws->protocols);
    ws->protocols = NULL;
    ws->protocol_count = 0;
#if SIO__WITH_DEFLATE
    sio_inflater_free(&ws->inflater);
    sio_deflater_free(&ws->deflater);
#endif
}

/* Ends the opening handshake's request, begun by the caller on l, with the
 * WebSocket headers and a fresh key (RFC 6455 4.1). */
static int sio__websocket_request(sio__websocket *ws, sio__system *sys, sio__link *l)
{
    unsigned char nonce[16];
    char key[SIO_BASE64_SIZE(16)], *p;
    size_t need = 160, i;
    if (sio__random(sys, nonce, sizeof nonce) != SIO_OK) return SIO_ERR_IO;
    sio_base64_encode(nonce, sizeof nonce, key);
    sio_ws_accept_key(key, ws->accept);
    for (i = 0; i < ws->protocol_count; i++) need += strlen(ws->protocols[i]) + 2;
    if (sio__link_reserve(sys, l, need + 160) != SIO_OK) return SIO_ERR_NOMEM;
    p = (char *)l->tx + l->tx_len;
    p += sprintf(p, "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n");
#if SIO__WITH_DEFLATE
    /* We never refer back to earlier messages; the server may keep its
     * history (within the window asked for) unless told not to. */
    if (ws->deflate_offer) {
        p += sprintf(p, "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover; client_max_window_bits");
        if (ws->deflate_bits < 15) p += sprintf(p, "; server_max_window_bits=%d", ws->deflate_bits);
        if (ws->deflate_no_takeover) p += sprintf(p, "; server_no_context_takeover");
        p += sprintf(p, "\r\n");
    }
#endif
    for (i = 0; i < ws->protocol_count; i++)
        p += sprintf(p, "%s%s%s", i ? ", " : "Sec-WebSocket-Protocol: ", ws->protocols[i],
                     i + 1 == ws->protocol_count ? "\r\n" : "");
    p += sprintf(p, "Sec-WebSocket-Key: %s\r\n\r\n", key);
    l->tx_len = (size_t)((unsigned char *)p - l->tx);
    return SIO_OK;
}

/* How much of a header value is commas and blanks only: all of it for an
 * empty list. */
static size_t sio__list_blank(const char *v, size_t n)
{
    size_t i = 0;
    while (i < n && (v[i] == ',' || v[i] == ' ' || v[i] == '\t')) i++;
    return i;
}

#if SIO__WITH_DEFLATE
/* One parameter of an extension: name [= value], value a token or a
 * quoted string.  Returns the position after it, or NULL if malformed. */
static const char *sio__extension_param(const char *p, const char *end, const char **name, size_t *name_len,
                                        char *value, size_t value_size)
{
    size_t n = 0;
    while (p < end && (*p == ' ' || *p == '\t')) p++;
    *name = p;
    while (p < end && sio__is_tchar((unsigned char)*p)) p++;
    *name_len = (size_t)(p - *name);
    value[0] = 0;
    while (p < end && (*p == ' ' || *p == '\t')) p++;
    if (!*name_len) return NULL;
    if (p < end && *p == '=') {
        int quoted;
        p++;
        while (p < end && (*p == ' ' || *p == '\t')) p++;
        quoted = p < end && *p == '"';
        if (quoted) p++;
        while (p < end && (quoted ? *p != '"' : sio__is_tchar((unsigned char)*p))) {
            if (quoted && *p == '\\' && p + 1 < end) p++;
            if (n + 1 >= value_size) return NULL;
            value[n++] = *p++;
        }
        if (quoted && (p == end || *p++ != '"')) return NULL;
        value[n] = 0;
        if (!n) return NULL;
        while (p < end && (*p == ' ' || *p == '\t')) p++;
    }
    return p;
}
#endif

/* The server's Sec-WebSocket-Extensions: nothing, or permessage-deflate
 * within what was offered (RFC 7692 7.1); anything else fails the
 * handshake with why filled. */
static int sio__websocket_extensions(sio__websocket *ws, const sio_http_response *r, char *why, size_t why_size)
{
    size_t i, count = 0;
    const sio_http_header *h = NULL;
#if SIO__WITH_DEFLATE
    static const char *const names[4] = {"server_no_context_takeover", "client_no_context_takeover",
                                          "server_max_window_bits", "client_max_window_bits"};
    const char *p, *end, *name, *problem = NULL;
    size_t name_len;
    int seen[4] = {0, 0, 0, 0}, bits[4] = {0, 0, 15, 15};
    char value[8];
#endif
    for (i = 0; i < r->header_count; i++)     /* empty lists count as none (RFC 7230 7) */
        if (sio__span_ieq(r->headers[i].name, r->headers[i].name_len, "Sec-WebSocket-Extensions") &&
            r->headers[i].value_len > sio__list_blank(r->headers[i].value, r->headers[i].value_len)) {
            h = &r->headers[i];
            count++;
        }
    ws->deflate_on = 0;
    ws->rx.compression = 0;
    if (!h) return SIO_OK;
#if SIO__WITH_DEFLATE
    if (ws->deflate_offer && count == 1) {
        p = h->value;
        end = h->value + h->value_len;
        while (p < end && (*p == ',' || *p == ' ' || *p == '\t')) p++;              /* empty elements */
        while (end > p && (end[-1] == ',' || end[-1] == ' ' || end[-1] == '\t')) end--;
        p = sio__extension_param(p, end, &name, &name_len, value, sizeof value);
        if (!p || !sio__span_ieq(name, name_len, "permessage-deflate") || value[0])
            problem = "an extension the client did not offer";
        while (!problem && p < end) {
            int k;
            if (*p != ';') {
                problem = *p == ',' ? "more than one extension" : "a malformed permessage-deflate response";
                break;
            }
            if (!(p = sio__extension_param(p + 1, end, &name, &name_len, value, sizeof value))) {
                problem = "a malformed permessage-deflate response";
                break;
            }
            for (k = 0; k < 4 && !sio__span_ieq(name, name_len, names[k]); k++) {}
            if (k == 4) problem = "a permessage-deflate parameter the client did not offer";
            else if (seen[k]++) problem = "a permessage-deflate parameter twice";
            else if (k < 2 && value[0]) problem = "a value on a no_context_takeover parameter";
            else if (k >= 2) {
                /* 8..15 as plain digits, no sign, no leading zero */
                bits[k] = value[0] >= '1' && value[0] <= '9' && (!value[1] || (!value[2] && value[1] >= '0' && value[1] <= '9'))
                        ? atoi(value) : 0;
                if (bits[k] < 8 || bits[k] > 15) problem = "window bits missing or outside 8..15";
                else if (k == 2 && bits[k] > ws->deflate_bits) problem = "server_max_window_bits above the one offered";
            }
        }
        /* What the client asked of the server is accepted only by being
         * repeated (RFC 7692 7.1.1.1, 7.1.2.1). */
        if (!problem && ws->deflate_no_takeover && !seen[0]) problem = "server_no_context_takeover left out";
        if (!problem && ws->deflate_bits < 15 && !seen[2]) problem = "server_max_window_bits left out";
        if (!problem) {
            /* zlib makes a 512-byte window when a server says 8 */
            ws->deflate_on = 1;
            ws->rx.compression = 1;
            ws->inflater.window = seen[0] ? 0 : (size_t)1 << (bits[2] < 9 ? 9 : bits[2]);
            ws->inflater.allocator = ws->rx.allocator;
            ws->deflater.allocator = ws->rx.allocator;
            ws->deflater.window_bits = (unsigned)bits[3];
            return SIO_OK;
        }
        snprintf(why, why_size, "ws: server answered permessage-deflate with %s (RFC 7692 7.1)", problem);
        return SIO_ERR_HANDSHAKE;
    }
#endif
    snprintf(why, why_size, "ws: server selected an extension the client did not offer (RFC 6455 4.1)");
    return SIO_ERR_HANDSHAKE;
}

/* Checks the server's 101 answer (RFC 6455 4.1, client requirements 1-6). */
static int sio__websocket_check(sio__websocket *ws, const sio_http_response *r, char *why, size_t why_size)
{
    const sio_http_header *h;
    size_t i;
    if (r->status != 101) {
        snprintf(why, why_size, "ws: handshake refused: server answered HTTP %d %.*s", r->status,
                 (int)(r->reason_len > 80 ? 80 : r->reason_len), r->reason);
        return SIO_ERR_HANDSHAKE;
    }
    h = sio_http_find_header(r, "Upgrade");
    if (!h || !sio_http_has_token(h->value, h->value_len, "websocket")) {
        snprintf(why, why_size, "ws: handshake response lacks 'Upgrade: websocket' (RFC 6455 4.1)");
        return SIO_ERR_HANDSHAKE;
    }
    h = sio_http_find_header(r, "Connection");
    if (!h || !sio_http_has_token(h->value, h->value_len, "upgrade")) {
        snprintf(why, why_size, "ws: handshake response lacks 'Connection: upgrade' (RFC 6455 4.1)");
        return SIO_ERR_HANDSHAKE;
    }
    h = sio_http_find_header(r, "Sec-WebSocket-Accept");
    if (!h || h->value_len != 28 || memcmp(h->value, ws->accept, 28) != 0) {
        snprintf(why, why_size, "ws: handshake response has a %s Sec-WebSocket-Accept (RFC 6455 4.1)",
                 h ? "wrong" : "missing");
        return SIO_ERR_HANDSHAKE;
    }
    if (sio__websocket_extensions(ws, r, why, why_size) != SIO_OK) return SIO_ERR_HANDSHAKE;
    ws->protocol[0] = 0;
    h = sio_http_find_header(r, "Sec-WebSocket-Protocol");
    if (!h) return SIO_OK;
    for (i = 0; i < ws->protocol_count; i++)
        if (strlen(ws->protocols[i]) == h->value_len && memcmp(ws->protocols[i], h->value, h->value_len) == 0)
            break;
    if (i == ws->protocol_count) {
        snprintf(why, why_size, "ws: server selected subprotocol '%.*s' that the client did not offer (RFC 6455 4.1)",
                 (int)(h->value_len > 60 ? 60 : h->value_len), h->value);
        return SIO_ERR_HANDSHAKE;
    }
    if (h->value_len >= sizeof ws->protocol) {   /* offers are bounded at sio_create; never trust that here */
        snprintf(why, why_size, "ws: server selected a subprotocol longer than %d bytes", SIO_MAX_PROTOCOL);
        return SIO_ERR_HANDSHAKE;
    }
    memcpy(ws->protocol, h->value, h->value_len);
    ws->protocol[h->value_len] = 0;
    return SIO_OK;
}

/* Looks for the server's answer to the opening handshake in l's bytes.
 * Returns 1 when a valid 101 came (its head consumed; frames after it stay
 * buffered), 0 while the head is incomplete, or a negative status with why
 * filled. */
static int sio__websocket_handshake(sio__websocket *ws, sio__link *l, size_t max_head, char *why, size_t why_size)
{
    size_t have = l->rx_len - l->rx_start, from = ws->hs_scanned > 3 ? ws->hs_scanned - 3 : 0;
    /* Parse only once a blank line can be there. */
    if (have > from && memchr(l->rx + l->rx_start + from, '\n', have - from)) {
        sio_http_response *resp;
        int r = sio__http_parse_response_heap(&ws->rx.allocator, &resp, (const char *)l->rx + l->rx_start, have);
        if (r < 0) {
            snprintf(why, why_size, "%s", r == SIO_ERR_NOMEM ? "ws: out of memory reading the handshake response"
                                          : r == SIO_ERR_TOO_BIG ? "ws: handshake response has too many headers"
                                                                 : "ws: handshake response is not valid HTTP/1.1");
            return r == SIO_ERR_NOMEM ? SIO_ERR_NOMEM : SIO_ERR_HANDSHAKE;
        }
        if (r == 1) {
            size_t head_len = resp->head_len;
            r = sio__websocket_check(ws, resp, why, why_size);
            sio__free(&ws->rx.allocator, resp);
            if (r != SIO_OK) return r;
            l->rx_start += head_len;
            return 1;
        }
    }
    ws->hs_scanned = have;
    if (have >= max_head) {
        snprintf(why, why_size, "ws: handshake response head exceeds %lu bytes (max_handshake)", (unsigned long)max_head);
        return SIO_ERR_TOO_BIG;
    }
    return 0;
}

/* A data message of at least the threshold, compressed when that makes
 * it shorter: 1 with *data and *len the compressed bytes (the deflater's,
 * until sio__websocket_compressed_sent), 0 to send it as it is, or
 * SIO_ERR_NOMEM. */
static int sio__websocket_compress(sio__websocket *ws, int opcode, const unsigned char **data, size_t *len)
{
#if SIO__WITH_DEFLATE
    const unsigned char *out;
    size_t n;
    int r;
    if (!ws->deflate_on || opcode > SIO_WS_BINARY || *len < ws->deflate_threshold) return 0;
    r = sio_deflate_message(&ws->deflater, *data, *len, *len, &out, &n);
    if (r == SIO_ERR_TOO_BIG) return 0;
    if (r != SIO_OK) return r;
    *data = out;
    *len = n;
    return 1;
#else
    (void)ws; (void)opcode; (void)data; (void)len;
    return 0;
#endif
}

/* The compressed bytes were framed: an idle sender holds no buffer. */
static void sio__websocket_compressed_sent(sio__websocket *ws)
{
#if SIO__WITH_DEFLATE
    sio_deflater_free(&ws->deflater);
#else
    (void)ws;
#endif
}

#if SIO__WITH_SOCKETIO   /* Engine.IO packets and the probe's frames */
/* Queues one masked frame on l whose payload is the pieces, one after the
 * other (compressed as one message when that was agreed and pays). */
static int sio__websocket_frame(sio__websocket *ws, sio__system *sys, sio__link *l, int opcode,
                                const void *const *pieces, const size_t *lens, size_t n)
{
    unsigned char key[4];
    size_t total = 0, i, off = 0, hl;
    const unsigned char *packed = NULL;
    unsigned char *joined = NULL;
    int compressed = 0, r = SIO_OK;
    for (i = 0; i < n; i++) total += lens[i];
    if (ws->deflate_on && opcode <= SIO_WS_BINARY && total >= ws->deflate_threshold) {
        joined = (unsigned char *)sio__realloc(&sys->alloc, NULL, total ? total : 1);
        if (!joined) return SIO_ERR_NOMEM;
        for (i = 0; i < n; i++) {
            if (lens[i]) memcpy(joined + off, pieces[i], lens[i]);
            off += lens[i];
        }
        off = 0;
        packed = joined;
        compressed = sio__websocket_compress(ws, opcode, &packed, &total);
        if (compressed < 0) {
            sio__free(&sys->alloc, joined);
            return compressed;
        }
        if (compressed) {
            sio__free(&sys->alloc, joined);
            joined = NULL;
        }
    }
    if (sio__link_reserve(sys, l, sio_ws_frame_size(total, 1)) != SIO_OK) r = SIO_ERR_NOMEM;
    else if (sio__random(sys, key, 4) != SIO_OK) r = SIO_ERR_IO;
    if (r != SIO_OK) {
        sio__free(&sys->alloc, joined);
        if (compressed) sio__websocket_compressed_sent(ws);
        return r;
    }
    hl = sio_ws_encode_header(l->tx + l->tx_len, 1, opcode, (uint64_t)total, key);
    if (compressed) l->tx[l->tx_len] |= 0x40;                 /* RSV1: compressed (RFC 7692 6) */
    if (packed) {
        sio__mask_copy(l->tx + l->tx_len + hl, packed, total, key, 0);
    } else {
        for (i = 0; i < n; i++) {
            sio__mask_copy(l->tx + l->tx_len + hl + off, (const unsigned char *)pieces[i], lens[i], key, off);
            off += lens[i];
        }
    }
    l->tx_len += hl + total;
    ws->tail = 0;
    sio__free(&sys->alloc, joined);
    if (compressed) sio__websocket_compressed_sent(ws);
    return SIO_OK;
}
#endif

/* Queues data as frames of at most ws->fragment payload bytes (control
 * frames whole): the first with opcode (and RSV1 when compressed), the
 * others continuations, the last with FIN when fin; all of them or none.
 * Refuses (SIO_ERR_FULL) when the bytes waiting on the link would pass
 * limit ((size_t)-1 for the close and pongs). */
static int sio__websocket_frames(sio__websocket *ws, sio__system *sys, sio__link *l, int opcode, int compressed,
                                 int fin_last, const unsigned char *data, size_t len, size_t limit)
{
    size_t frag, total = 0, off, start;
    int first = 1, r = SIO_OK;
    frag = (ws->fragment && opcode < 8) ? ws->fragment : (len ? len : 1);
    for (off = 0; off < len || first; off += frag, first = 0) {
        size_t n = len - off < frag ? len - off : frag;
        total += sio_ws_frame_size(n, 1);
        if (off + n >= len) break;
    }
    if ((l->tx_len - l->tx_sent) + total > limit) r = SIO_ERR_FULL;
    else if (sio__link_reserve(sys, l, total) != SIO_OK) r = SIO_ERR_NOMEM;
    off = 0;
    start = l->tx_len;                            /* after the reserve, which may move what is pending */
    if (r == SIO_OK) do {
        unsigned char key[4];
        size_t n = len - off < frag ? len - off : frag;
        int fin = off + n >= len && fin_last;
        if (sio__random(sys, key, 4) != SIO_OK) {
            l->tx_len = start;                    /* no fragment of a message that cannot be finished */
            r = SIO_ERR_IO;
            break;
        }
        ws->tail_opcode = off == 0 ? opcode : SIO_WS_CONTINUATION;
        ws->tail_payload = n;
        ws->tail_head = sio_ws_frame_size(n, 1) - n;
        memcpy(ws->tail_key, key, 4);
        l->tx_len += sio_ws_encode(l->tx + l->tx_len, fin, ws->tail_opcode, data + off, n, key);
        if (off == 0 && compressed) l->tx[start] |= 0x40;   /* RSV1 on the first frame only (RFC 7692 6) */
        off += n;
    } while (off < len);
    ws->tail = 0;                                 /* what comes after a fragment ends its growing */
    return r;
}

/* Grows the last fragment of the message in parts by a part, when that
 * fragment is the link's last bytes and none of it went yet (FIN too with
 * fin): 1 when done, 0 when a new fragment is needed, or SIO_ERR_FULL /
 * SIO_ERR_NOMEM.  The payload keeps its mask key, continued at its offset. */
static int sio__websocket_grow(sio__websocket *ws, sio__system *sys, sio__link *l, const unsigned char *data,
                               size_t len, int fin, size_t limit)
{
    size_t start, head, more;
    if (!ws->tail || l->tx_len - l->tx_sent < ws->tail_head + ws->tail_payload ||
        (ws->fragment && ws->tail_payload + len > ws->fragment))
        return 0;
    head = sio_ws_frame_size(ws->tail_payload + len, 1) - (ws->tail_payload + len);
    more = head - ws->tail_head + len;
    if ((l->tx_len - l->tx_sent) + more > limit) return SIO_ERR_FULL;
    if (sio__link_reserve(sys, l, more) != SIO_OK) return SIO_ERR_NOMEM;
    start = l->tx_len - ws->tail_head - ws->tail_payload;     /* the reserve may have moved it: from the end */
    if (head != ws->tail_head)
        memmove(l->tx + start + head, l->tx + start + ws->tail_head, ws->tail_payload);
    sio_ws_encode_header(l->tx + start, fin, ws->tail_opcode, ws->tail_payload + len, ws->tail_key);
    sio__mask_copy(l->tx + start + head + ws->tail_payload, data, len, ws->tail_key, ws->tail_payload);
    l->tx_len += more;
    ws->tail_head = head;
    ws->tail_payload += len;
    ws->tail = !fin;
    return 1;
}

/* A message sent in parts begins (sio_send_begin). */
static void sio__websocket_parts_begin(sio__websocket *ws, int binary)
{
    ws->tx_parts = 1;
    ws->tx_opcode = binary ? SIO_WS_BINARY : SIO_WS_TEXT;
    ws->tx_text = !binary;
    memset(&ws->tx_utf8, 0, sizeof ws->tx_utf8);
}

/* One part of the message sent in parts, as fragments (uncompressed: a
 * message is compressed whole or not at all), within limit; the last part
 * (fin) ends the message and is not held back by limit, the parts were.
 * Text must stay UTF-8 across the parts: SIO_ERR_INVALID, nothing sent. */
static int sio__websocket_part(sio__websocket *ws, sio__system *sys, sio__link *l, const unsigned char *data,
                               size_t len, int fin, size_t limit)
{
    sio_utf8 text = ws->tx_utf8;
    int r;
    if (!len && !fin) return SIO_OK;
    if (ws->tx_text && (sio_utf8_feed(&text, data, len) != SIO_OK || (fin && !sio_utf8_complete(&text))))
        return SIO_ERR_INVALID;
    if (fin) limit = (size_t)-1;
    if ((r = sio__websocket_grow(ws, sys, l, data, len, fin, limit)) == 0) {
        r = sio__websocket_frames(ws, sys, l, ws->tx_opcode, 0, fin, data, len, limit);
        ws->tail = r == SIO_OK && !fin;
    }
    if (r < 0) return r;
    ws->tx_parts = !fin;
    ws->tx_opcode = SIO_WS_CONTINUATION;
    ws->tx_utf8 = text;
    return SIO_OK;
}

/* Queues one message (compressed when that was agreed and pays). */
static int sio__websocket_send(sio__websocket *ws, sio__system *sys, sio__link *l, int opcode,
                               const unsigned char *data, size_t len, size_t limit)
{
    int r, compressed = sio__websocket_compress(ws, opcode, &data, &len);
    if (compressed < 0) return compressed;
    r = sio__websocket_frames(ws, sys, l, opcode, compressed, 1, data, len, limit);
    if (compressed) sio__websocket_compressed_sent(ws);
    return r;
}

/* Queues our close frame (code 0: none); nothing may be sent after it.
 * close_sent says it was queued: a close that could not be (no randomness
 * for its mask, no memory) leaves it 0, and the close is then not clean. */
static int sio__websocket_close(sio__websocket *ws, sio__system *sys, sio__link *l, int code, const char *reason)
{
    int r;
    unsigned char payload[125];
    size_t n = 0, rlen = reason ? strlen(reason) : 0;
    if (code) {
        payload[0] = (unsigned char)(code >> 8);
        payload[1] = (unsigned char)code;
        if (rlen > 123) rlen = 123;
        if (rlen) memcpy(payload + 2, reason, rlen);
        n = 2 + rlen;
    }
    r = sio__websocket_send(ws, sys, l, SIO_WS_CLOSE, payload, n, (size_t)-1);
    ws->close_sent = r == SIO_OK;
    return r;
}

/* A compressed message, inflated in place of m's data: SIO__WS_MESSAGE,
 * or a negative status with rx's error set (it sticks, as a frame error). */
static int sio__websocket_inflate(sio__websocket *ws, sio_ws_message *m)
{
#if SIO__WITH_DEFLATE
    const unsigned char *out;
    size_t n;
    int r = sio_inflate_message(&ws->inflater, m->data, m->len, 1,
                                ws->rx.max_message ? ws->rx.max_message : SIO__DEFAULT_MAX_MESSAGE, &out, &n);
    if (r == SIO_OK && m->opcode == SIO_WS_TEXT && !sio_utf8_valid(out, n)) {
        ws->inflater.error = "ws: text message is not valid UTF-8 (RFC 6455 8.1)";
        r = SIO_ERR_PROTOCOL;
    }
    if (r != SIO_OK) {
        ws->rx.fail_code = r == SIO_ERR_TOO_BIG ? SIO_CLOSE_TOO_BIG : r == SIO_ERR_NOMEM ? SIO_CLOSE_INTERNAL
                                                                    : SIO_CLOSE_INVALID_DATA;
        ws->rx.error = ws->inflater.error;
        return r;
    }
    m->data = out;
    m->len = n;
    m->compressed = 0;
    return SIO__WS_MESSAGE;
#else
    (void)m;
    ws->rx.fail_code = SIO_CLOSE_PROTOCOL_ERROR;
    return SIO_ERR_PROTOCOL;
#endif
}

/* The next message from the bytes buffered on l.  Pings are answered and
 * the server's close frame is recorded and echoed on the way.  Returns
 * SIO__WS_MESSAGE (a data message in m), SIO__WS_PONG (the server's pong
 * in m), SIO__WS_PEER_CLOSED, SIO__WS_MORE
 * (read, at least rx_need bytes when not 0), or a negative status when the
 * server broke the protocol (rx.fail_code and rx.error say how).  Pongs
 * are skipped once max_queue plus the slack wait on the link. */
static int sio__websocket_receive(sio__websocket *ws, sio__system *sys, sio__link *l, size_t max_queue,
                                  sio_ws_message *m)
{
    while (l->rx_start < l->rx_len) {
        size_t used, need;
        int r = sio_ws_rx_feed(&ws->rx, l->rx + l->rx_start, l->rx_len - l->rx_start, &used, &need, m);
        l->rx_start += used;
        ws->peeked = ws->peeked > used ? ws->peeked - used : 0;
        if (r < 0) return r;
        if (r == 0) {
            ws->rx_need = need;
            return SIO__WS_MORE;
        }
        ws->rx_need = 0;                              /* a whole frame: nothing pending any more */
        if (m->opcode == SIO_WS_TEXT || m->opcode == SIO_WS_BINARY)
            return m->compressed ? sio__websocket_inflate(ws, m) : SIO__WS_MESSAGE;
        if (m->opcode == SIO_WS_PING) {
            /* Beyond the slack pongs are skipped, which RFC 6455 5.5.3
             * allows for unanswered pings. */
            if (!ws->close_sent && (l->tx_len - l->tx_sent) < max_queue + SIO__PONG_SLACK)
                sio__websocket_send(ws, sys, l, SIO_WS_PONG, m->data, m->len, (size_t)-1);
        } else if (m->opcode == SIO_WS_PONG) {
            return SIO__WS_PONG;
        } else if (m->opcode == SIO_WS_CLOSE) {
            ws->close_code = m->close_code;
            snprintf(ws->close_reason, sizeof ws->close_reason, "%.*s", (int)m->reason_len, m->reason);
            if (!ws->close_sent)   /* echo the status code (RFC 6455 5.5.1) */
                sio__websocket_close(ws, sys, l, m->close_code == SIO_CLOSE_NO_STATUS ? 0 : m->close_code, "");
            return SIO__WS_PEER_CLOSED;
        }
    }
    return SIO__WS_MORE;
}

#if SIO__WITH_SOCKETIO   /* Engine.IO's look-ahead is its one user */
/* The next whole frame buffered on l behind what receive has reached and
 * what earlier peeks have seen, without consuming it: a layer above may
 * look ahead (Engine.IO answers pings waiting behind a burst).  Returns 1
 * with the frame; sio__websocket_peek_next moves past it. */
static int sio__websocket_peek(sio__websocket *ws, const sio__link *l, sio_ws_frame *f, const unsigned char **payload)
{
    size_t have = l->rx_len - l->rx_start;
    if (ws->rx.frame_left) return 0;             /* inside a frame handed over in parts: no header here */
    if (ws->peeked >= have) {
        ws->peeked = have;
        return 0;
    }
    return sio_ws_peek_frame(l->rx + l->rx_start + ws->peeked, have - ws->peeked, f, payload) == 1;
}

static void sio__websocket_peek_next(sio__websocket *ws, const sio_ws_frame *f)
{
    ws->peeked += f->header_len + (size_t)f->length;
}
#endif
#ifdef SIO_SOURCE_LINES
#line 1 "src/polling.c"
#endif
/* ---------------------------------------------------------------------- */
/* polling: Engine.IO's HTTP long-polling transport on links: the POST     */
/* body, the responses (head, cookies, body), their end                   */
/* ---------------------------------------------------------------------- */

/* An HTTP response being read on a link; offsets are from the link's rx_start. */
typedef struct sio__http_in {
    int head_done, status, closes;     /* closes: the server ends the connection after it */
    sio_http_body body;
    size_t body_at, raw, dec;          /* body start; undecoded bytes; end of the decoded body */
} sio__http_in;

#define SIO__MAX_COOKIES 16

/* Engine.IO over HTTP long-polling: one long-poll GET on the client's link,
 * at most one POST on a link of its own. */
typedef struct sio__polling {
    int active;                        /* this session runs over polling */
    sio__link post;
    sio__http_in get_in, post_in;
    int get_busy, post_busy;           /* a request is in flight */
    size_t pkt_pos, pkt_end;           /* packets of a GET body still to handle (ln.rx offsets) */
    unsigned char *out;                /* packets for the next POST, 0x1e-separated */
    size_t out_len, out_cap;
} sio__polling;

/* Appends an Engine.IO packet to the next POST body: packets are separated
 * by 0x1e, binary ones are "b" + base64. */
#if SIO__WITH_POLLING   /* SIO_NO_POLLING leaves the long-polling transport out */
static int sio__polling_append(sio__polling *pl, const sio_allocator *a, int binary, const void *const *pieces, const size_t *lens, size_t n)
{
    size_t total = 0, i, need;
    unsigned char *p;
    for (i = 0; i < n; i++) total += lens[i];
    need = 1 + (binary ? 1 + SIO_BASE64_SIZE(total) : total);
    if (sio__reserve(a, &pl->out, &pl->out_cap, pl->out_len + need) != SIO_OK) return SIO_ERR_NOMEM;
    p = pl->out + pl->out_len;
    if (pl->out_len) *p++ = 0x1e;
    if (!binary) {
        for (i = 0; i < n; i++) {
            if (lens[i]) memcpy(p, pieces[i], lens[i]);
            p += lens[i];
        }
    } else {                                    /* attachments come as one piece */
        *p++ = 'b';
        p += sio_base64_encode((const unsigned char *)pieces[0], lens[0], (char *)p);
    }
    pl->out_len = (size_t)(p - pl->out);
    return SIO_OK;
}

/* Keeps the name=value of every Set-Cookie (sticky-session load balancers
 * route by them) to send back on later requests of this client. */
static void sio__polling_take_cookies(const sio_allocator *a, char **cookies, const sio_http_response *r)
{
    size_t h;
    for (h = 0; h < r->header_count; h++) {
        const sio_http_header *hd = &r->headers[h];
        size_t len = 0, name_len, i, free_slot = SIO__MAX_COOKIES;
        const char *eq;
        char *copy;
        if (!sio__span_ieq(hd->name, hd->name_len, "Set-Cookie")) continue;
        while (len < hd->value_len && hd->value[len] != ';') len++;
        while (len && (hd->value[len - 1] == ' ' || hd->value[len - 1] == '\t')) len--;
        eq = (const char *)memchr(hd->value, '=', len);
        if (!eq || eq == hd->value || len > 1024) continue;
        for (i = 0; i < len; i++)
            if ((unsigned char)hd->value[i] < 0x21 || hd->value[i] == 0x7f) break;
        if (i < len) continue;
        name_len = (size_t)(eq - hd->value) + 1;           /* with the '=' */
        for (i = 0; i < SIO__MAX_COOKIES; i++) {
            if (!cookies[i]) { if (free_slot == SIO__MAX_COOKIES) free_slot = i; continue; }
            if (strncmp(cookies[i], hd->value, name_len) == 0) break;
        }
        if (i == SIO__MAX_COOKIES) i = free_slot;
        if (i == SIO__MAX_COOKIES) continue;              /* full: the first ones win */
        copy = (char *)sio__realloc(a, NULL, len + 1);
        if (!copy) continue;
        memcpy(copy, hd->value, len);
        copy[len] = 0;
        sio__free(a, cookies[i]);
        cookies[i] = copy;
    }
}

/* Reads one HTTP response on a link, keeping its cookies.  Returns 1 when
 * it is complete (the body at rx_start + body_at .. dec), 0 when more is
 * needed, or a negative status with text filled. */
static int sio__polling_receive(sio__system *sys, sio__link *l, sio__http_in *in, size_t max_head, uint64_t max_body,
                                char **cookies, char *text, size_t text_size)
{
    char err[128];
    int reads;
    for (reads = 0;; reads++) {
        long n;
        size_t have = l->rx_len - l->rx_start;
        if (!in->head_done && have && memchr(l->rx + l->rx_start, '\n', have)) {
            sio_http_response *resp;
            int r = sio__http_parse_response_heap(&sys->alloc, &resp, (const char *)l->rx + l->rx_start, have);
            const sio_http_header *h;
            if (r < 0) {
                snprintf(text, text_size, "%s", r == SIO_ERR_NOMEM ? "eio: out of memory reading a polling response"
                                                                   : "eio: polling response is not valid HTTP/1.1");
                return r == SIO_ERR_NOMEM ? SIO_ERR_NOMEM : SIO_ERR_PROTOCOL;
            }
            if (r == 1) {
                in->head_done = 1;
                in->status = resp->status;
                h = sio_http_find_header(resp, "Connection");
                in->closes = resp->minor_version == 0 || (h && sio_http_has_token(h->value, h->value_len, "close"));
                sio__polling_take_cookies(&sys->alloc, cookies, resp);
                r = sio_http_body_init(&in->body, resp, max_body);
                in->body_at = in->raw = in->dec = resp->head_len;
                sio__free(&sys->alloc, resp);
                if (r != SIO_OK) {
                    snprintf(text, text_size, "eio: polling response body is too big or badly framed (limit %lu bytes)",
                             (unsigned long)max_body);
                    return SIO_ERR_TOO_BIG;
                }
            }
        }
        if (!in->head_done && have >= max_head) {
            snprintf(text, text_size, "eio: polling response head exceeds %lu bytes", (unsigned long)max_head);
            return SIO_ERR_TOO_BIG;
        }
        if (in->head_done) {
            size_t used = 0, out = 0;
            int r = 1;
            if (in->body.mode != SIO_HTTP_BODY_NONE) {
                r = sio_http_body_decode(&in->body, l->rx + l->rx_start + in->raw, have - in->raw, &used, &out);
                if (r < 0) {
                    snprintf(text, text_size, "eio: polling response body is %s",
                             r == SIO_ERR_TOO_BIG ? "too big" : "badly chunked");
                    return r;
                }
                if (out && in->dec != in->raw) memmove(l->rx + l->rx_start + in->dec, l->rx + l->rx_start + in->raw, out);
                in->dec += out;
                in->raw += used;
            }
            if (r == 1) return 1;
        }
        if (reads == 3) return 0;                /* every read was looked at: what it brought is not left unread */
        err[0] = 0;
        n = sio__link_read(sys, l, 0, err, sizeof err);
        if (n == SIO_ERR_AGAIN) return 0;
        if (n == 0 && in->head_done && in->body.mode == SIO_HTTP_BODY_UNTIL_CLOSE) {
            if (l->truncated) {                  /* the end is the body's length: it must be TLS's own */
                snprintf(text, text_size, "tls: the server ended a body delimited by the connection's end "
                         "without close_notify: it may have been cut short (truncation)");
                return SIO_ERR_TLS;
            }
            in->closes = 1;
            return 1;
        }
        if (n <= 0) {
            snprintf(text, text_size, "eio: polling connection %s%s%s", n == 0 ? "closed by the server" : "failed",
                     n == 0 ? "" : ": ", n == 0 ? "" : err);
            return n == 0 ? SIO_ERR_CLOSED : n == SIO_ERR_TLS ? SIO_ERR_TLS : SIO_ERR_IO;
        }
    }
}

/* An error status: the server's {"code","message"} body, or its first bytes. */
static void sio__polling_error_text(const sio__link *l, const sio__http_in *in, const char *what, char *text, size_t size)
{
    const char *body = (const char *)l->rx + l->rx_start + in->body_at;
    size_t len = in->dec - in->body_at;
    sio_json v = sio_json_make(body, len), m, code;
    char msg[120];
    double num = -1;
    msg[0] = 0;
    if (len && sio_json_validate(body, len, 8, NULL) == SIO_OK && sio_json_find(v, "message", &m))
        sio_json_string(m, msg, sizeof msg, NULL);
    if (len && sio_json_validate(body, len, 8, NULL) == SIO_OK && sio_json_find(v, "code", &code))
        sio_json_number(code, &num);
    if (msg[0] && num >= 0 && num <= 1e6 && num == (double)(long)num)   /* range first, then convert */
        snprintf(text, size, "eio: %s refused: HTTP %d: %s (code %ld)", what, in->status, msg, (long)num);
    else if (msg[0])
        snprintf(text, size, "eio: %s refused: HTTP %d: %s", what, in->status, msg);
    else
        snprintf(text, size, "eio: %s refused: HTTP %d%s%.*s", what, in->status, len ? ": " : "",
                 (int)(len > 80 ? 80 : len), len ? body : "");
    for (len = 0; text[len]; len++)
        if ((unsigned char)text[len] < 0x20) text[len] = ' ';
}

/* Drops the response just handled.  Returns 1 when the server ends the
 * connection after it: its TLS session is closed and the caller closes the
 * socket (a new connection is opened for the next request). */
static int sio__polling_done(const sio__system *sys, sio__link *l, sio__http_in *in)
{
    int closes = in->closes;
    l->rx_start += in->raw;
    if (l->rx_start == l->rx_len) l->rx_start = l->rx_len = 0;
    if (closes) {
        if (l->tls) sys->tls->close(l->tls);
        l->tls = NULL;
        l->rx_start = l->rx_len = l->tx_sent = l->tx_len = 0;
    }
    memset(in, 0, sizeof *in);
    return closes;
}
#endif
#ifdef SIO_SOURCE_LINES
#line 1 "src/engineio.c"
#endif
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
#ifdef SIO_SOURCE_LINES
#line 1 "src/upgrade.c"
#endif
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
#ifdef SIO_SOURCE_LINES
#line 1 "src/client.c"
#endif
/* ---------------------------------------------------------------------- */
/* client: glue between the platform socket, HTTP and WebSocket layers    */
/* ---------------------------------------------------------------------- */

enum sio__phase {
    SIO__IDLE,
    SIO__BACKOFF,        /* waiting to reconnect (deadline = the next attempt) */
    SIO__RESOLVING,      /* asking the nameserver (ln.sock is the UDP socket) */
    SIO__CONNECTING,     /* TCP connect in progress */
    SIO__HANDSHAKE,      /* request sent or being sent; waiting for 101 */
    SIO__OPEN,
    SIO__CLOSING,        /* we sent close; waiting for the server's */
    SIO__CLOSE_WAIT,     /* both close frames exchanged; waiting for TCP EOF */
    SIO__FAILING         /* protocol error: flushing our close, then dropping */
};

#define SIO__FAIL_LINGER_MS 1000
typedef struct sio__pending {
    int type, code, error, clean;
    int attempt, delay_ms;         /* RECONNECTING, RECONNECT, RECONNECT_FAILED */
    int ns;                        /* namespace index, -1 for the connection */
    int64_t ack_id;
    const char *reason;            /* static text (DISCONNECT reasons) */
    char text[SIO__TEXT_SIZE];     /* error message or close reason */
} sio__pending;

/* The events waiting to be returned, and the one returned last. */
typedef struct sio__events {
    sio__pending *ring;
    size_t cap, head, count;
    sio__pending current;              /* storage behind the last returned event */
    unsigned char *nul_at;             /* byte replaced by the NUL after a message */
    int close_owed, owed_code, owed_clean;   /* a CLOSE the ring had no room for: delivered last */
    unsigned char nul_saved;
} sio__events;

/* Socket.IO over an Engine.IO session: namespaces, acks, binary packets. */
typedef struct sio__socketio {
    sio__namespaces namespaces;        /* their queues and held events */
    const char *disconnect_reason;     /* for the DISCONNECT events of a lost connection */
    sio__acks acks;                    /* emits waiting for their answer */
    sio__outbox outbox;                /* emits with retries, until their answer */
    int outbox_stalled;                /* sending its next emit failed: the timers try again */
    sio__binary binary;                /* a binary packet collecting its attachments */
    int receive_parts;                 /* attachments are handed over in parts (ATTACHMENT events) */
    /* An emit whose attachments the application sends in parts: until the
     * last has ended the WebSocket carries nothing else, so every other
     * frame waits in held (only its send buffer is used), in order. */
    size_t parts_to_send;              /* its attachments not yet ended */
    uint64_t part_bytes;               /* of the attachment being sent, against maxPayload */
    sio__link held;
    int ping_held;                     /* Engine.IO 3: the client's "2" waits in held */
    int stop_waits;                    /* sio_stop came meanwhile: the close follows the last */
    uint64_t stop_deadline;            /* unless no part comes before this */
    size_t drain_allowance;            /* what the parts took past max_send_queue when what waited
                                          joined them: allowed as it drains (sio__small_packet_fits) */
    int stop_code;
    char stop_reason[124];
    char *scratch;                     /* event name and first argument, unescaped */
    size_t scratch_cap;
} sio__socketio;

#define SIO__SOCKETIO(c) (SIO__WITH_SOCKETIO && (c)->session != NULL)
#if SIO__WITH_POLLING
#define SIO__POLLING(c) ((c)->polling.active)
#else
#define SIO__POLLING(c) 0
#endif

/* The client's links: the main one; with polling also the POSTs' and the
 * upgrade probe's (sio__link_at). */
#define SIO__LINKS (SIO__WITH_POLLING ? 3 : 1)

/* A client's place in a sio_set: its ready list, its deadline in the
 * timer heap, and what the set's poller watches for it. */
typedef struct sio__membership {
    struct sio_set *set;               /* NULL: in none */
    sio_client *ready_next, *ready_prev, *all_next, *all_prev;
    size_t heap_pos;
    uint64_t set_deadline;
    sio_socket reg_sock[SIO__LINKS];   /* what the poller has for ln, post, probe */
    int reg_events[SIO__LINKS];
    int in_ready;
} sio__membership;

/* What the client's core calls of the Socket.IO session above it when a
 * connection ends.  socketio.c provides it for SIO_MODE_SOCKETIO, so the
 * core knows no session (and a WebSocket client has none). */
typedef struct sio__session_hooks {
    int (*retry_wanted)(const sio_client *c);              /* reconnect after this loss? */
    void (*teardown)(sio_client *c, int keep_queues);      /* DISCONNECTs, failed acks, dropped queues */
    void (*transports_reset)(sio_client *c);               /* polling links and the probe, after ln */
} sio__session_hooks;

/* The client: its settings, the pump's own state, and one struct per
 * engine.  Data flows up from ln (and the polling and probe links) through
 * websocket or polling, eio, socketio, to the events. */
struct sio_client {
    /* settings (sio_create) */
    sio__system sys;                   /* allocator, platform, TLS backend for secure URLs */
#if defined(SIO_WITH_BEARSSL)
    sio_bearssl *default_tls;          /* sys.tls when sio_config.tls was NULL (sio__need_tls) */
#elif defined(SIO_WITH_OPENSSL)
    sio_openssl *default_tls;
#elif defined(SIO_WITH_MBEDTLS)
    sio_mbedtls *default_tls;
#endif
    void *user_data;
    char *name, *url_text, *host, *request_head;   /* request_head: all but the key line */
    sio_url url;
    size_t max_message, max_handshake, max_send_queue;
    size_t max_attachments, max_namespaces, max_pending_acks;
    int emit_retries;                  /* sio_config.retries */
    uint64_t emit_ack_timeout;         /* sio_config.ack_timeout_ms; 0: none */
    char *dns_server;
    char *eio_target, *eio_query;      /* the request target (Socket.IO: the Engine.IO path); extra query "&k=v..." */
    char *own_query;                   /* Socket.IO: the configured URL's query, which a redirect does not change */
    sio__route route;                  /* the origin, and the proxy on the way (links' TLS and tunnels) */
    char *proxy_setting, *no_proxy;    /* sio_config.proxy and .no_proxy: chosen from again after a redirect */
    int proxy_from_environment;
#if SIO__WITH_PROXY
    sio_proxy_url proxy;               /* spans into proxy_text; kind 0: none */
    char *proxy_text, *hop_host;       /* hop_host: the proxy's name (NULL: the first hop is the origin) */
    unsigned short hop_port;
#endif
    const sio__session_hooks *session; /* SIO_MODE_SOCKETIO: the session above; NULL: plain WebSocket */
    unsigned short port;
    int transport;                     /* sio_config.transport */
    int try_all_transports;            /* WebSocket refused: polling instead (sio_config) */
    int remember_upgrade;              /* AUTO: after an upgrade, reconnect on WebSocket (sio_config) */
    int fell_back;                     /* this run: the WebSocket was refused, polling took over */
    int upgraded;                      /* this run: an upgrade to WebSocket succeeded */
    unsigned max_json_depth;
    int connect_timeout, close_timeout;
    int max_redirects, redirects;      /* redirects: followed since the connection began */
    int keep_handshake;
    char *handshake;                   /* the kept answer to the handshake: head, then body */
    size_t handshake_head, handshake_body;
    int handshake_status;
    int reconnect;
    unsigned reconnect_attempts;
    int delay_min, delay_max, jitter_pct;
    int reconnect_queue;               /* WebSocket: SIO_RECONNECT_QUEUE or _REFUSE */

    /* the pump */
    int phase;
    unsigned attempt;                  /* the address tried */
    int user_stop;
    unsigned retries;                  /* reconnection attempts since the last open session */
    sio__link ln;                      /* the WebSocket, or the polling GETs */
    uint64_t deadline;                 /* 0: no timer */
    uint64_t stepped_at;               /* when the WebSocket was last stepped (ms) */
    uint64_t output_since;             /* output waiting since at least then; 0: none */
    int output_now;                    /* it must not wait for the bytes read to be worked through */
    char first_error[SIO__TEXT_SIZE];  /* of the first address tried */
    char why[SIO__TEXT_SIZE];          /* the sentence of an error being made on the pump's path, handed at once
                                          to a function that copies it before doing anything else (sio__push,
                                          sio__abort, sio__fail, sio__end_ack, sio__outbox_give_up): one
                                          buffer, not one per frame, keeps sio_poll's stack small */
#if SIO__WITH_DNS
    sio__address address;              /* the resolved address that connected ("": none) */
#if SIO__WITH_PROXY
    sio__address proxy_address[2];     /* socks5://: the proxy's first address of each family, resolved
                                          before the origin's ("": not yet) */
    unsigned proxy_attempt;            /* the one tried */
#endif
#endif
    sio__events events;                /* waiting to be returned by sio_poll */
    unsigned char *offline;            /* WebSocket: messages sent while not connected, each
                                          [opcode][size_t length][payload], for the next connection */
    size_t offline_len, offline_cap, offline_count;
#if SIO__WITH_POLLING
    char *cookies[SIO__MAX_COOKIES];   /* "name=value" from Set-Cookie of polling responses, sent back (sticky sessions) */
#endif
    unsigned long served;              /* events returned; rotates sio_poll_clients */

    /* the engines */
#if SIO__WITH_DNS
    sio__resolver resolver;            /* names without blocking; also the hosts file's addresses */
#endif
    sio__websocket websocket;          /* the WebSocket connection on ln */
#if SIO__WITH_POLLING
    sio__polling polling;              /* Engine.IO over HTTP long-polling: GETs on ln */
    sio__upgrade upgrade;              /* transport AUTO: the WebSocket being tried */
#endif
#if SIO__WITH_SOCKETIO
    sio__engineio eio;                 /* the Engine.IO session */
    sio__socketio socketio;            /* namespaces, acks, binary packets */
#endif
    sio__membership membership;        /* in a sio_set */
};

#define SIO__NO_POS ((size_t)-1)

/* The first hop of every connection: the proxy, or the origin itself.
 * Names are resolved and TCP connects go there; TLS goes to the origin. */
#if SIO__WITH_PROXY
static const char *sio__hop_host(const sio_client *c) { return c->hop_host ? c->hop_host : c->host; }
static unsigned short sio__hop_port(const sio_client *c) { return c->hop_host ? c->hop_port : c->port; }
static const char *sio__hop_word(const sio_client *c) { return c->hop_host ? "proxy" : "tcp"; }

/* socks5:// takes the origin's address, which the client resolves: the
 * name resolved is the origin's, while TCP goes to the proxy. */
static int sio__proxy_wants_address(const sio_client *c) { return c->proxy.kind == SIO_PROXY_SOCKS5; }
#else
static const char *sio__hop_host(const sio_client *c) { return c->host; }
static unsigned short sio__hop_port(const sio_client *c) { return c->port; }
static const char *sio__hop_word(const sio_client *c) { (void)c; return "tcp"; }
static int sio__proxy_wants_address(const sio_client *c) { (void)c; return 0; }
#endif
/* socks5:// by name: the proxy's name is resolved first, the origin's next. */
static int sio__resolving_proxy(const sio_client *c)
{
#if SIO__WITH_PROXY && SIO__WITH_DNS
    return sio__proxy_wants_address(c) && !c->proxy_address[0][0] && !sio_ip_literal(c->hop_host);
#else
    (void)c;
    return 0;
#endif
}

static const char *sio__resolved_name(const sio_client *c)
{
    return sio__proxy_wants_address(c) && !sio__resolving_proxy(c) ? c->host : sio__hop_host(c);
}

/* Where a link's tunnel goes: for socks5:// the origin's address (the one
 * being tried, or the one that worked for the session), else its name. */
static const char *sio__tunnel_target(const sio_client *c)
{
#if SIO__WITH_DNS
    if (!sio__proxy_wants_address(c)) return NULL;
    if (c->resolver.addrs && c->attempt < c->resolver.addr_count) return c->resolver.addrs[c->attempt];
    if (c->address[0]) return c->address;
#else
    (void)c;                                   /* the platform resolves: no address to give */
#endif
    return NULL;
}

/* Link i of the client (i < SIO__LINKS): 0 the main one, 1 polling's POSTs, 2 an upgrade's probe. */
static sio__link *sio__link_at(const sio_client *c, int i)
{
#if SIO__WITH_POLLING
    return (sio__link *)(i == 0 ? &c->ln : i == 1 ? &c->polling.post : &c->upgrade.link);
#else
    (void)i;
    return (sio__link *)&c->ln;
#endif
}

/* 1 while a Socket.IO client's connection is up but Engine.IO's open
 * packet has not come yet. */
static int sio__awaiting_session(const sio_client *c)
{
#if SIO__WITH_SOCKETIO
    return SIO__SOCKETIO(c) && !c->eio.open;
#else
    (void)c;
    return 0;
#endif
}

/* 1 while one of the client's links waits for its TCP connect. */
static int sio__links_connecting(const sio_client *c)
{
#if SIO__WITH_POLLING
    return c->ln.connecting || c->polling.post.connecting || c->upgrade.link.connecting;
#else
    return c->ln.connecting;
#endif
}

/* Readiness was seen but not told apart: every link tries to read. */
static void sio__links_may_read(sio_client *c)
{
    int i;
    for (i = 0; i < SIO__LINKS; i++) sio__link_at(c, i)->may_read = 1;
}

/* The byte after a message that its NUL borrowed goes back (the event's
 * data is no longer valid). */
static void sio__nul_give_back(sio_client *c)
{
    if (c->events.nul_at) *c->events.nul_at = c->events.nul_saved;
    c->events.nul_at = NULL;
}

static uint64_t sio__now(const sio_client *c) { return c->sys.pf->now_ms(c->sys.pf->user); }

/* Queues an event.  The ring grows as needed; its size is bounded by the
 * namespaces and pending acks a connection can have, plus a few. */
static sio__pending *sio__push(sio_client *c, int type, int code, int error, int clean, const char *text)
{
    sio__pending *p;
    size_t n;
    if (c->events.count == c->events.cap) {
        size_t cap = c->events.cap ? c->events.cap * 2 : 4, i;
        sio__pending *q = (sio__pending *)sio__realloc(&c->sys.alloc, NULL, cap * sizeof *q);
        if (!q) {
            if (type == SIO_EVENT_CLOSE) {        /* every start still ends in exactly one CLOSE */
                c->events.close_owed = 1;
                c->events.owed_code = code;
                c->events.owed_clean = clean;
            }
            return NULL;
        }
        for (i = 0; i < c->events.count; i++) q[i] = c->events.ring[(c->events.head + i) % c->events.cap];
        sio__free(&c->sys.alloc, c->events.ring);
        c->events.ring = q;
        c->events.cap = cap;
        c->events.head = 0;
    }
    p = &c->events.ring[(c->events.head + c->events.count++) % c->events.cap];
    p->ns = -1;
    p->ack_id = -1;
    p->attempt = p->delay_ms = 0;
    p->reason = NULL;
    p->type = type;
    p->code = code;
    p->error = error;
    p->clean = clean;
    n = text ? strlen(text) : 0;
    if (n >= SIO__TEXT_SIZE) n = SIO__TEXT_SIZE - 1;
    if (n) memcpy(p->text, text, n);
    p->text[n] = 0;
    return p;
}

/* Whether so many events wait to be polled that new work (a start, a join,
 * an emit) is refused, SIO_ERR_FULL: each may end in events, and a program
 * that never polls would grow the queue without bound.  Room stays for the
 * events of what exists already (an ACK per pending ack, a few per
 * namespace, the connection's own), which sio_memory_bound counts. */
static int sio__events_crowded(const sio_client *c)
{
    size_t most = 8;
#if SIO__WITH_SOCKETIO
    if (SIO__SOCKETIO(c)) most += c->max_pending_acks + 4 * c->max_namespaces + 8;   /* a lost connection's */
#endif
    return c->events.count >= most;
}

static int sio__pop(sio_client *c, sio_event *ev)
{
    if (c->events.count) {
        c->events.current = c->events.ring[c->events.head];
        c->events.head = (c->events.head + 1) % c->events.cap;
        c->events.count--;
    } else {                                     /* only the owed CLOSE is left */
        memset(&c->events.current, 0, sizeof c->events.current);
        c->events.current.type = SIO_EVENT_CLOSE;
        c->events.current.code = c->events.owed_code;
        c->events.current.clean = c->events.owed_clean;
        c->events.current.ns = -1;
        c->events.current.ack_id = -1;
        c->events.close_owed = 0;
    }
    ev->type = (sio_event_type)c->events.current.type;
#if SIO__WITH_SOCKETIO
    if (c->events.current.ns >= 0) ev->ns = c->socketio.namespaces.list[c->events.current.ns]->name;
#endif
    ev->ack_id = c->events.current.ack_id;
    ev->attempt = c->events.current.attempt;
    ev->delay_ms = c->events.current.delay_ms;
    ev->error = c->events.current.error;
    ev->message = c->events.current.text;
    ev->reason = c->events.current.reason ? c->events.current.reason : c->events.current.text;
    if (ev->type == SIO_EVENT_CLOSE || ev->type == SIO_EVENT_RECONNECTING) {
        ev->code = c->events.current.code;
        ev->clean = c->events.current.clean;
    }
    if (ev->type == SIO_EVENT_ACK) ev->args = "[]";
    return 1;
}


/* The set a client belongs to, as the client sees it: set.c puts these
 * first in struct sio_set, so the client reaches its set without knowing
 * it (and programs without sets do not link them). */
typedef struct sio__set_hooks {
    void (*wake)(sio_set *s, sio_client *c);                      /* work was queued from outside */
    void (*forget)(sio_set *s, sio_client *c, sio_socket sock);   /* before one of c's sockets closes */
    int (*remove)(sio_set *s, sio_client *c);                     /* c is destroyed */
} sio__set_hooks;

static const sio__set_hooks *sio__set_of(const sio_client *c)
{
    return (const sio__set_hooks *)(const void *)c->membership.set;
}

/* Work queued from outside sio_set_poll (an emit, a send, a stop) makes the
 * client ready, so its set writes it out without waiting for the socket. */
static void sio__wake(sio_client *c)
{
    if (c->membership.set) sio__set_of(c)->wake(c->membership.set, c);
}

/* Closes one of the client's sockets; a set's poller forgets it first, so
 * that a handle the system hands out again is never reported for this
 * client (WSAPoll keeps closed handles; epoll would drop the new owner's
 * registration when this client later leaves the set). */
static void sio__close_socket(sio_client *c, sio_socket sock)
{
    if (c->membership.set) sio__set_of(c)->forget(c->membership.set, c, sock);
    c->sys.pf->close(c->sys.pf->user, sock);
}

static void sio__link_close(sio_client *c, sio__link *l)
{
    if (l->sock != SIO_INVALID_SOCKET) sio__close_socket(c, l->sock);
    sio__link_free(&c->sys, l);
}

/* The resolved addresses are given back once one connected (kept: the
 * session's other connections go to it) or the attempt is over. */
static void sio__addresses_release(sio_client *c, int connected)
{
#if !SIO__WITH_DNS
    (void)c;                                   /* the platform's connect resolves: nothing kept */
    (void)connected;
#else
    c->address[0] = 0;
    if (connected && c->resolver.addr_count && c->attempt < c->resolver.addr_count)
        memcpy(c->address, c->resolver.addrs[c->attempt], sizeof c->address);
    sio__free(&c->sys.alloc, c->resolver.addrs);
    c->resolver.addrs = NULL;
    c->resolver.addr_count = 0;
#endif
}

/* Keeps the server's answer to the handshake (head, and the start of a
 * refusal's body) for sio_handshake; without memory it is not kept. */
static void sio__keep_handshake(sio_client *c, int status, const unsigned char *head, size_t head_len,
                                const unsigned char *body, size_t body_len)
{
    if (body_len > SIO_HANDSHAKE_BODY_MAX) body_len = SIO_HANDSHAKE_BODY_MAX;
    sio__free(&c->sys.alloc, c->handshake);
    c->handshake_head = c->handshake_body = 0;
    c->handshake_status = 0;
    if (!(c->handshake = (char *)sio__realloc(&c->sys.alloc, NULL, head_len + body_len + 1))) return;
    memcpy(c->handshake, head, head_len);
    if (body_len) memcpy(c->handshake + head_len, body, body_len);
    c->handshake[head_len + body_len] = 0;
    c->handshake_head = head_len;
    c->handshake_body = body_len;
    c->handshake_status = status;
}

/* A refused answer at the start of l's received bytes, kept with what came
 * of its body. */
static void sio__keep_refusal(sio_client *c, const sio__link *l)
{
    sio_http_response *r;
    const unsigned char *p = l->rx ? l->rx + l->rx_start : NULL;
    size_t n = l->rx ? l->rx_len - l->rx_start : 0;
    if (p && sio__http_parse_response_heap(&c->sys.alloc, &r, (const char *)p, n) == 1) {
        sio__keep_handshake(c, r->status, p, r->head_len, p + r->head_len, n - r->head_len);
        sio__free(&c->sys.alloc, r);
    }
}

/* The request head's Host line for the client's server; its length. */
static size_t sio__host_line(const sio_client *c, char *out)
{
    char *p = out;
    p += sprintf(p, "Host: %s%s%s", c->url.ipv6 ? "[" : "", c->host, c->url.ipv6 ? "]" : "");
    if (c->port != (c->url.secure ? 443 : 80)) p += sprintf(p, ":%u", (unsigned)c->port);
    p += sprintf(p, "\r\n");
    return (size_t)(p - out);
}

/* A WebSocket client's request target: the URL's path ("/" when it has
 * none) and query; out holds path_len + query_len + 3 bytes. */
static void sio__websocket_target(const sio_client *c, char *out)
{
    sprintf(out, "%s%.*s%s%.*s", c->url.path_len ? "" : "/", (int)c->url.path_len, c->url.path,
            c->url.query_len ? "?" : "", (int)c->url.query_len, c->url.query);
}

/* The connection's sockets and buffers go (the session's other links too);
 * what happens next is the caller's. */
static void sio__drop_connection(sio_client *c)
{
    c->events.nul_at = NULL;                    /* the buffer it points into goes away */
    sio__link_close(c, &c->ln);
    sio__addresses_release(c, 0);
    if (SIO__SOCKETIO(c)) c->session->transports_reset(c);
    sio_ws_rx_free(&c->websocket.rx);
    sio__websocket_forget(&c->websocket);
}

/* Whether the server's silence since t is known: the socket was found
 * empty at t or later.  Else (the application was busy and what came
 * meanwhile is unread) the socket is read again first, and the verdict
 * waits for that step. */
static int sio__silent_since(sio_client *c, uint64_t t)
{
    if (c->ln.sock == SIO_INVALID_SOCKET || (!c->ln.may_read && c->ln.drained_at >= t)) return 1;
    c->ln.may_read = 1;
    return 0;
}

/* ---- messages sent while a reconnecting WebSocket is not connected ---- */

/* Keeps one for the next connection, within max_send_queue. */
static int sio__offline_add(sio_client *c, int opcode, const unsigned char *data, size_t len)
{
    size_t need = 1 + sizeof len + len;
    if (len > c->max_send_queue || need > c->max_send_queue - c->offline_len) return SIO_ERR_FULL;
    if (c->offline_len + need > c->offline_cap) {
        size_t cap = c->offline_cap ? c->offline_cap : 256;
        unsigned char *p;
        while (cap < c->offline_len + need) cap = cap > (size_t)-1 / 2 ? c->offline_len + need : cap * 2;
        if (cap > c->max_send_queue) cap = c->max_send_queue;      /* never more than the bound */
        p = (unsigned char *)sio__realloc(&c->sys.alloc, c->offline, cap);
        if (!p) return SIO_ERR_NOMEM;
        c->offline = p;
        c->offline_cap = cap;
    }
    c->offline[c->offline_len] = (unsigned char)opcode;
    memcpy(c->offline + c->offline_len + 1, &len, sizeof len);
    if (len) memcpy(c->offline + c->offline_len + 1 + sizeof len, data, len);
    c->offline_len += need;
    c->offline_count++;
    return SIO_OK;
}

static void sio__offline_clear(sio_client *c)
{
    sio__free(&c->sys.alloc, c->offline);
    c->offline = NULL;
    c->offline_len = c->offline_cap = c->offline_count = 0;
}

/* The connection opened: the kept messages go first, in order. */
static void sio__offline_send(sio_client *c)
{
    size_t pos = 0;
    while (pos < c->offline_len) {
        size_t len;
        int opcode = c->offline[pos];
        memcpy(&len, c->offline + pos + 1, sizeof len);
        if (sio__websocket_send(&c->websocket, &c->sys, &c->ln, opcode, c->offline + pos + 1 + sizeof len, len,
                                (size_t)-1) != SIO_OK) {
            snprintf(c->why, sizeof c->why, "ws: %lu messages kept while reconnecting were lost (out of memory)",
                     (unsigned long)c->offline_count);
            sio__push(c, SIO_EVENT_ERROR, 0, SIO_ERR_NOMEM, 0, c->why);
            break;
        }
        pos += 1 + sizeof len + len;
        c->offline_count--;
    }
    sio__offline_clear(c);
}

/* Exponential backoff with the JS client's randomization: delay_min *
 * 2^retries, moved up or down by up to jitter percent, capped at delay_max;
 * RECONNECTING says what ended the connection and when the next try is. */
static void sio__schedule_retry(sio_client *c, int code, const char *reason, int clean)
{
    uint64_t ms = (uint64_t)c->delay_min;
    unsigned i;
    unsigned char r[3];
    sio__pending *p;
    for (i = 0; i < c->retries && ms < (uint64_t)c->delay_max; i++) ms *= 2;
    if (c->jitter_pct > 0 && sio__random(&c->sys, r, sizeof r) == SIO_OK) {
        uint64_t deviation = ms * (uint64_t)c->jitter_pct * (((uint64_t)r[0] << 8) | r[1]) / (100u * 65536u);
        ms = (r[2] & 1) ? ms + deviation : ms - deviation;
    }
    if (ms > (uint64_t)c->delay_max) ms = (uint64_t)c->delay_max;
    c->retries++;
    c->phase = SIO__BACKOFF;
    c->deadline = sio__now(c) + ms;
    if (!c->deadline) c->deadline = 1;                    /* 0 means "no timer" */
    p = sio__push(c, SIO_EVENT_RECONNECTING, code, 0, clean, reason);
    if (p) { p->attempt = (int)c->retries; p->delay_ms = (int)ms; }
}

/* Ends the connection: socket closed, buffers released, CLOSE queued
 * (after the DISCONNECT events of a Socket.IO connection), unless the
 * client will reconnect: then RECONNECTING instead.  A WebSocket client
 * reconnects only when asked to (SIO_RECONNECT_ON), after any end the
 * application did not ask for. */
static void sio__finish(sio_client *c, int code, const char *reason, int clean)
{
    const sio__session_hooks *session = SIO__SOCKETIO(c) ? c->session : NULL;   /* none in SIO_NO_SOCKETIO builds */
    int retry = session ? session->retry_wanted(c) : c->reconnect == SIO_RECONNECT_ON && !c->user_stop;
    int give_up = retry && c->reconnect_attempts && c->retries >= c->reconnect_attempts;
    if (session) session->teardown(c, retry && !give_up);
    sio__drop_connection(c);
    c->phase = SIO__IDLE;
    c->deadline = 0;
    if (give_up) {
        sio__pending *p = sio__push(c, SIO_EVENT_RECONNECT_FAILED, 0, SIO_ERR_CLOSED, 0,
                                    "sio: reconnection attempts exhausted");
        if (p) p->attempt = (int)c->retries;
    } else if (retry) {
        sio__schedule_retry(c, code, reason, clean);
        return;
    }
    if (c->offline_count) {                      /* the end: nothing will send them */
        snprintf(c->why, sizeof c->why, "ws: %lu messages kept while reconnecting were not sent: the client stopped",
                 (unsigned long)c->offline_count);
        sio__push(c, SIO_EVENT_ERROR, 0, SIO_ERR_CLOSED, 0, c->why);
        sio__offline_clear(c);
    }
    sio__push(c, SIO_EVENT_CLOSE, code, 0, clean, reason);
}

/* The TLS backend for a secure URL: the caller's (sio_config.tls), else in
 * a build with a bundled backend one the client makes the first time it needs it,
 * verifying against the system's trust store, so that a wss:// URL works
 * with no TLS code in the program.  Never plaintext instead. */
static int sio__need_tls(sio_client *c, char *text, size_t size)
{
    if (c->sys.tls) return SIO_OK;
#ifdef SIO_WITH_BEARSSL
    {
        sio_bearssl_config tc;
        memset(&tc, 0, sizeof tc);
        tc.allocator = c->sys.alloc;
        if (sio_bearssl_create(&tc, &c->default_tls, text, size) != SIO_OK) return SIO_ERR_TLS;
        c->sys.tls = sio_bearssl_tls(c->default_tls);
        return SIO_OK;
    }
#elif defined(SIO_WITH_OPENSSL)
    {
        sio_openssl_config tc;
        memset(&tc, 0, sizeof tc);
        tc.allocator = c->sys.alloc;
        if (sio_openssl_create(&tc, &c->default_tls, text, size) != SIO_OK) return SIO_ERR_TLS;
        c->sys.tls = sio_openssl_tls(c->default_tls);
        return SIO_OK;
    }
#elif defined(SIO_WITH_MBEDTLS)
    {
        sio_mbedtls_config tc;
        memset(&tc, 0, sizeof tc);
        tc.allocator = c->sys.alloc;
        if (sio_mbedtls_create(&tc, &c->default_tls, text, size) != SIO_OK) return SIO_ERR_TLS;
        c->sys.tls = sio_mbedtls_tls(c->default_tls);
        return SIO_OK;
    }
#else
    snprintf(text, size, "tls: TLS not available: this build has no TLS backend");
    return SIO_ERR_TLS;
#endif
}

/* An environment variable by its lower-case name, then its upper-case one;
 * NULL when neither is set to something. */
static const char *sio__env(const char *lower, const char *upper)
{
    const char *v = getenv(lower);
    if (!v || !v[0]) v = getenv(upper);
    return v && v[0] ? v : NULL;
}

/* The proxy for an origin, decided and parsed before the client uses it,
 * so that a refusal leaves the client as it was. */
typedef struct sio__proxy_plan {
    char *text;                        /* its URL; NULL: the origin directly */
#if SIO__WITH_PROXY
    sio_proxy_url parsed;              /* spans into text */
    char *hop_host;
#endif
} sio__proxy_plan;

static void sio__proxy_plan_free(sio_client *c, sio__proxy_plan *p)
{
    sio__free(&c->sys.alloc, p->text);
#if SIO__WITH_PROXY
    sio__free(&c->sys.alloc, p->hop_host);
#endif
    memset(p, 0, sizeof *p);
}

/* The proxy on the way to an origin, if any: the configured one, or the
 * environment's when asked (by the URL's scheme); none when no_proxy names
 * the origin (unless check_all: a configured proxy is checked even then).
 * SIO_ERR_INVALID: a proxy applies and this build has none; SIO_ERR_PROXY:
 * its URL is not usable; SIO_ERR_NOMEM. */
static int sio__plan_proxy(sio_client *c, int secure, const char *host, unsigned short port, int check_all,
                           sio__proxy_plan *p)
{
    const char *url = c->proxy_setting, *except = c->no_proxy;
    memset(p, 0, sizeof *p);
    if (!url && c->proxy_from_environment) {
        url = secure ? sio__env("https_proxy", "HTTPS_PROXY") : sio__env("http_proxy", "HTTP_PROXY");
        if (!url) url = sio__env("all_proxy", "ALL_PROXY");
        if (!except) except = sio__env("no_proxy", "NO_PROXY");
    }
    if (!url || !url[0] || (!check_all && sio_proxy_excluded(except, host, port))) return SIO_OK;
#if !SIO__WITH_PROXY
    return check_all ? SIO_OK : SIO_ERR_INVALID;     /* a proxy this build cannot use: never around it */
#else
    {   /* "host:port" alone means an HTTP proxy, as curl and wget read http_proxy */
        const char *scheme = strstr(url, "://") ? "" : "http://";
        size_t n = strlen(scheme) + strlen(url) + 1;
        if (!(p->text = (char *)sio__realloc(&c->sys.alloc, NULL, n))) return SIO_ERR_NOMEM;
        snprintf(p->text, n, "%s%s", scheme, url);
    }
    if (sio_proxy_url_parse(&p->parsed, p->text) != SIO_OK) {
        sio__proxy_plan_free(c, p);
        return SIO_ERR_PROXY;
    }
    if (!(p->hop_host = (char *)sio__realloc(&c->sys.alloc, NULL, p->parsed.host_len + 1))) {
        sio__proxy_plan_free(c, p);
        return SIO_ERR_NOMEM;
    }
    memcpy(p->hop_host, p->parsed.host, p->parsed.host_len);
    p->hop_host[p->parsed.host_len] = 0;
    return SIO_OK;
#endif
}

/* Makes plan the client's route to its origin (c->host, c->port), taking
 * the plan's memory. */
static void sio__use_proxy(sio_client *c, sio__proxy_plan *plan)
{
    c->route.host = c->host;
    c->route.port = c->port;
    c->route.secure = c->url.secure;
    c->route.max_head = c->max_handshake;
#if SIO__WITH_PROXY
    sio__free(&c->sys.alloc, c->proxy_text);
    sio__free(&c->sys.alloc, c->hop_host);
    c->proxy_text = plan->text;
    c->hop_host = plan->hop_host;
    c->proxy = plan->parsed;
    c->hop_port = plan->parsed.port;
    c->route.proxy = plan->text ? &c->proxy : NULL;
#else
    sio__free(&c->sys.alloc, plan->text);
#endif
    memset(plan, 0, sizeof *plan);
}

/* Connection lost or never made: ERROR then CLOSE 1006. */
static void sio__abort(sio_client *c, int error, const char *text)
{
#if SIO__WITH_SOCKETIO
    if (!c->socketio.disconnect_reason) c->socketio.disconnect_reason = error == SIO_ERR_CLOSED ? "transport close" : "transport error";
#endif
    sio__push(c, SIO_EVENT_ERROR, 0, error, 0, text);
    sio__finish(c, SIO_CLOSE_ABNORMAL, "", 0);
}

/* Fail the WebSocket connection (RFC 6455 7.1.7): report, send our close
 * frame, then give the server a moment to read it before dropping TCP. */
static void sio__fail(sio_client *c, int code, int error, const char *why)
{
    const char *reason = code == SIO_CLOSE_TOO_BIG ? "message too big"
                       : code == SIO_CLOSE_INVALID_DATA ? (why && strstr(why, "UTF-8") ? "invalid UTF-8" : "invalid compressed data")
                       : code == SIO_CLOSE_INTERNAL ? "internal error" : "protocol error";
    int linger = c->close_timeout < SIO__FAIL_LINGER_MS ? c->close_timeout : SIO__FAIL_LINGER_MS;
    sio__push(c, SIO_EVENT_ERROR, 0, error, 0, why);
    if (SIO__POLLING(c)) {                    /* no close frame to send: the session just ends */
        sio__finish(c, code, reason, 0);
        return;
    }
    if (!c->websocket.close_sent) sio__websocket_close(&c->websocket, &c->sys, &c->ln, code, reason);
    c->websocket.close_code = code;
    snprintf(c->websocket.close_reason, sizeof c->websocket.close_reason, "%s", reason);
    c->phase = SIO__FAILING;
    c->deadline = sio__now(c) + (uint64_t)linger;
}

/* The main link's flush.  Returns 0, or -1 when the connection was lost
 * (events queued). */
static int sio__flush(sio_client *c)
{
    int r = sio__link_flush(&c->sys, &c->ln, c->why, sizeof c->why);
    if (r == 0) return 0;
    if (c->phase == SIO__CLOSE_WAIT || c->phase == SIO__FAILING)
        sio__finish(c, c->websocket.close_code, c->websocket.close_reason, c->phase == SIO__CLOSE_WAIT);
    else
        sio__abort(c, r, c->why);
    return -1;
}
#ifdef SIO_SOURCE_LINES
#line 1 "src/resolve.c"
#endif
/* ---- resolving names without blocking ---- */

static void sio__start_next_address(sio_client *c);

/* Connects to the attempt-th address: one the client resolved itself, or
 * the platform's own lookup of the host. */
static int sio__connect_attempt(sio_client *c, sio_socket *sock, char *err, size_t err_size)
{
#if SIO__WITH_DNS
    const char *address = c->address[0] ? c->address : NULL;
#if SIO__WITH_PROXY
    if (sio__proxy_wants_address(c)) {              /* the addresses are the origin's: TCP goes to the proxy */
        const char *proxy = c->proxy_address[c->proxy_attempt];
        /* one try per origin address; an origin given as an address (or one
         * that connected before) has one */
        if (c->resolver.addr_count ? c->attempt >= c->resolver.addr_count : c->attempt >= 1 && !c->address[0])
            return SIO_ERR_NO_ADDRESS;
        return c->sys.pf->connect(c->sys.pf->user, proxy[0] ? proxy : sio__hop_host(c), sio__hop_port(c), 0, sock,
                                  err, err_size);
    }
#endif
    if (c->resolver.addr_count) {
        if (c->attempt >= c->resolver.addr_count) return SIO_ERR_NO_ADDRESS;
        address = c->resolver.addrs[c->attempt];
    }
    if (address) return c->sys.pf->connect(c->sys.pf->user, address, sio__hop_port(c), 0, sock, err, err_size);
#endif
    return c->sys.pf->connect(c->sys.pf->user, sio__hop_host(c), sio__hop_port(c), c->attempt, sock, err, err_size);
}

#if SIO__WITH_DNS
/* The memory of the resolution under way (its addresses table is the first part). */
static sio__resolving *sio__resolving_of(const sio_client *c) { return (sio__resolving *)(void *)c->resolver.addrs; }

/* Sends the questions still unanswered to the nameserver's socket; -1
 * when there is no randomness for their ids. */
static int sio__dns_send(sio_client *c)
{
    unsigned char (*q)[300] = sio__resolving_of(c)->questions, id[4];
    size_t n[2];
    char err[64];
    int k;
    if (sio__random(&c->sys, id, sizeof id) != SIO_OK) return -1;
    sio__resolver_queries(&c->resolver, id, sio__now(c), q, n);
    for (k = 0; k < 2; k++)
        if (n[k]) c->sys.pf->send(c->sys.pf->user, c->ln.sock, q[k], n[k], err, sizeof err);
    return 0;
}

/* sio_config.dns_server ("IP", "IP:port", "[IPv6]:port") as the address and
 * the port (53 when none is given); 0, or -1 when the port is not 1-65535. */
static int sio__nameserver_split(const char *text, char *host, size_t host_size, unsigned short *port)
{
    const char *end = text + strlen(text), *colon = strrchr(text, ':'), *p;
    unsigned long v = 0;
    *port = 53;
    if (text[0] == '[' && (p = strchr(text, ']')) != NULL) {
        colon = p[1] == ':' ? p + 1 : NULL;
        end = p;
        text++;
    } else if (colon && strchr(text, ':') != colon) {
        colon = NULL;                                     /* IPv6 without a port */
    }
    if (colon) {
        if (end > colon) end = colon;
        for (p = colon + 1; *p >= '0' && *p <= '9' && v <= 65535; p++) v = v * 10 + (unsigned long)(*p - '0');
        if (*p || v == 0 || v > 65535) return -1;
        *port = (unsigned short)v;
    }
    snprintf(host, host_size, "%.*s", (int)(end - text), text);
    return 0;
}

/* Asks the resolver's current nameserver; -1 when there is none (err then
 * says why, if the platform could not open one). */
static int sio__dns_next_server(sio_client *c, char *err, size_t err_size)
{
    char host[64];
    unsigned short port = 53;
    err[0] = 0;
    if (c->ln.sock != SIO_INVALID_SOCKET) sio__close_socket(c, c->ln.sock);
    c->ln.sock = SIO_INVALID_SOCKET;
    if (c->dns_server && c->resolver.server > 0) return -1;
    if (c->dns_server && sio__nameserver_split(c->dns_server, host, sizeof host, &port) < 0) {
        snprintf(err, err_size, "bad nameserver port '%s'", strrchr(c->dns_server, ':') + 1);
        return -1;
    }
    if (c->sys.pf->dns_open(c->sys.pf->user, c->dns_server ? host : NULL, port, c->resolver.server, &c->ln.sock, err,
                        err_size) != SIO_OK) {
        c->ln.sock = SIO_INVALID_SOCKET;
        return -1;
    }
    sio__resolver_new_server(&c->resolver);
    c->ln.may_read = 1;
    if (sio__dns_send(c) < 0) {
        snprintf(err, err_size, "no random source for query ids");
        return -1;
    }
    return 0;
}

/* A name is resolved.  When it was a socks5:// proxy's, its first address
 * (and one of the other family) is kept and 1 says the origin's name is to
 * be resolved in turn; else 0: connect. */
static int sio__proxy_resolved(sio_client *c)
{
#if SIO__WITH_PROXY
    if (sio__resolving_proxy(c)) {            /* IPv6 first when there is one, as for the origin */
        unsigned i;
        int v6 = strchr(c->resolver.addrs[0], ':') != NULL;
        memcpy(c->proxy_address[0], c->resolver.addrs[0], sizeof c->proxy_address[0]);
        for (i = 1; i < c->resolver.addr_count; i++)
            if ((strchr(c->resolver.addrs[i], ':') != NULL) != v6) {
                memcpy(c->proxy_address[1], c->resolver.addrs[i], sizeof c->proxy_address[1]);
                break;
            }
        sio__addresses_release(c, 0);
        return !sio_ip_literal(c->host);
    }
#endif
    (void)c;
    return 0;
}

/* Begins connecting by name: the hosts file first, then the nameservers.
 * Loops (rather than recursing) when a proxy's name found in the hosts
 * file is followed by the origin's, so the stack stays bounded. */
static void sio__resolve(sio_client *c)
{
    char why[128];
    sio__resolver *r = &c->resolver;
    do {
        sio__resolving *w = (sio__resolving *)sio__realloc(&c->sys.alloc, NULL, sizeof *w);
        if (!w) {
            sio__abort(c, SIO_ERR_NOMEM, "dns: out of memory for the addresses");
            return;
        }
        sio__resolver_begin(r, sio__resolved_name(c), w->addrs);
        while (r->addr_count < SIO__MAX_ADDRESSES &&
               c->sys.pf->hosts_lookup(c->sys.pf->user, sio__resolved_name(c), (unsigned)r->addr_count,
                                       r->addrs[r->addr_count], sizeof r->addrs[0]) == 1)
            r->addr_count++;
        if (!r->addr_count) {
            c->phase = SIO__RESOLVING;
            if (sio__dns_next_server(c, why, sizeof why) < 0) {
                snprintf(c->why, sizeof c->why, "dns: cannot resolve %.80s: %s", sio__resolved_name(c),
                         why[0] ? why : "no nameserver to ask");
                sio__abort(c, SIO_ERR_NO_ADDRESS, c->why);
            }
            return;
        }
    } while (sio__proxy_resolved(c));
    sio__start_next_address(c);
}

/* Resolving ended: connect to what was found, or fail saying why not. */
static void sio__dns_done(sio_client *c)
{
    int r = sio__resolver_finish(&c->resolver, c->why, sizeof c->why);
    sio__close_socket(c, c->ln.sock);
    c->ln.sock = SIO_INVALID_SOCKET;
    c->phase = SIO__CONNECTING;
    if (r != 0) sio__abort(c, r, c->why);
    else if (sio__proxy_resolved(c)) sio__resolve(c);
    else sio__start_next_address(c);
}

/* Reads nameserver answers. */
static void sio__step_resolve(sio_client *c)
{
    char err[128];
    int i;
    for (i = 0; i < 8 && c->resolver.waiting; i++) {
        unsigned char *msg = sio__resolving_of(c)->answer;
        long n;
        err[0] = 0;
        if (!c->ln.may_read) return;
        n = c->sys.pf->recv(c->sys.pf->user, c->ln.sock, msg, sizeof sio__resolving_of(c)->answer, err, sizeof err);
        if (n == SIO_ERR_AGAIN) { c->ln.may_read = 0; return; }
        if (n <= 0) {                                    /* e.g. ICMP port unreachable: next server */
            sio__resolver_server_failed(&c->resolver);
            if (sio__dns_next_server(c, err, sizeof err) < 0) sio__dns_done(c);
            return;
        }
        sio__resolver_answer(&c->resolver, msg, (size_t)n);
    }
    if (!c->resolver.waiting) sio__dns_done(c);
}

/* No answer in time: ask again, then the next nameserver. */
static void sio__resolve_timer(sio_client *c)
{
    char why[128];
    switch (sio__resolver_due(&c->resolver, sio__now(c))) {
    case SIO__RESOLVER_ASK_AGAIN:
        if (sio__dns_send(c) == 0) return;
        c->resolver.tries = 2;                        /* no randomness: as if no answer came */
        sio__resolve_timer(c);
        return;
    case SIO__RESOLVER_DONE:
        sio__dns_done(c);
        return;
    case SIO__RESOLVER_NEXT_SERVER:
        if (sio__dns_next_server(c, why, sizeof why) == 0) return;
        snprintf(c->why, sizeof c->why, "dns: no answer for %.80s from the nameservers", sio__resolved_name(c));
        c->phase = SIO__CONNECTING;
        sio__abort(c, SIO_ERR_TIMEOUT, c->why);
        return;
    default:
        return;
    }
}
#endif /* SIO__WITH_DNS */

/* socks5:// by name: after a failure to reach the proxy at one address, its
 * other family's (1), before the origin's next address is given a turn. */
static int sio__next_proxy_address(sio_client *c)
{
#if SIO__WITH_PROXY && SIO__WITH_DNS
    if (!sio__proxy_wants_address(c) || c->proxy_attempt > 0 || !c->proxy_address[1][0]) return 0;
    c->proxy_attempt = 1;
    return 1;
#else
    (void)c;
    return 0;
#endif
}

/* Addresses of the origin left after the one being tried. */
static int sio__more_addresses(const sio_client *c)
{
#if SIO__WITH_DNS
    return c->attempt + 1 < c->resolver.addr_count;
#else
    (void)c;
    return 0;
#endif
}

static void sio__step_connect(sio_client *c)
{
    int r = sio__link_ready(&c->sys, &c->ln, &c->route, sio__tunnel_target(c), c->why, sizeof c->why);
    if (r == 0) return;
    if (r > 0) {
        c->phase = SIO__POLLING(c) ? SIO__OPEN : SIO__HANDSHAKE;   /* polling: HTTP requests follow */
        sio__addresses_release(c, 1);
        return;
    }
    /* TCP is up: TLS or the proxy said no, not the address; but socks5://
     * is asked for one of the origin's addresses, and the next may work */
    if (r != SIO_ERR_IO && !(r == SIO_ERR_PROXY && sio__proxy_wants_address(c) && sio__more_addresses(c))) {
        sio__abort(c, r, c->why);
        return;
    }
    if (!c->first_error[0]) memcpy(c->first_error, c->why, sizeof c->first_error);
    sio__close_socket(c, c->ln.sock);
    c->ln.sock = SIO_INVALID_SOCKET;
    sio__link_retry(&c->sys, &c->ln);
    if (!(r == SIO_ERR_IO && sio__next_proxy_address(c))) c->attempt++;
    sio__start_next_address(c);
}


/* Starts a connection to the next address of the host that does not fail
 * at once (IPv6/IPv4 fallback); reports the first failure when none is left. */
static void sio__start_next_address(sio_client *c)
{
    char err[128];
    int r = SIO_ERR_NO_ADDRESS;
    while (c->attempt < SIO__MAX_ADDRESSES) {
        err[0] = 0;
        r = sio__connect_attempt(c, &c->ln.sock, err, sizeof err);
        if (r == SIO_OK) {
            c->ln.connecting = 1;
            return;
        }
        c->ln.sock = SIO_INVALID_SOCKET;
        if (r == SIO_ERR_NO_ADDRESS) break;
        if (!c->first_error[0])
            snprintf(c->first_error, sizeof c->first_error, "%s: cannot connect to %.80s port %u: %s", sio__hop_word(c),
                     sio__hop_host(c), (unsigned)sio__hop_port(c), err[0] ? err : sio_status_text(r));
        if (!sio__next_proxy_address(c)) c->attempt++;
    }
    if (c->first_error[0]) {
        sio__abort(c, SIO_ERR_IO, c->first_error);
    } else {
        snprintf(c->why, sizeof c->why, "%s: cannot connect to %.80s port %u: %s", sio__hop_word(c), sio__hop_host(c),
                 (unsigned)sio__hop_port(c),
                 err[0] ? err : "no address");
        sio__abort(c, SIO_ERR_NO_ADDRESS, c->why);
    }
}


#if SIO__WITH_SOCKETIO
/* Query values the server chose (the sid) are percent-encoded. */
static size_t sio__url_escape(char *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || strchr("-_.~", ch)) {
            out[n++] = (char)ch;
        } else {
            out[n++] = '%';
            out[n++] = hex[ch >> 4];
            out[n++] = hex[ch & 15];
        }
    }
    out[n] = 0;
    return n;
}

/* Appends "METHOD target HTTP/1.1", Host, the application's headers and the
 * cookies to a link's output; the caller adds its own headers and the blank line. */
static int sio__http_head(sio_client *c, sio__link *l, const char *method, const char *transport, int with_sid)
{
    char sid[3 * sizeof c->eio.session.sid], stamp[12];
    unsigned char rnd[6];
    size_t need = 128 + strlen(c->eio_target) + strlen(c->eio_query) + strlen(c->request_head) + sizeof sid, i;
    char *p;
#if SIO__WITH_POLLING
    const char *sep = "Cookie: ";
    for (i = 0; i < SIO__MAX_COOKIES; i++)
        if (c->cookies[i]) need += strlen(c->cookies[i]) + 2;
#endif
    if (sio__link_reserve(&c->sys, l, need) != SIO_OK) return SIO_ERR_NOMEM;
    sid[0] = 0;
    if (with_sid) sio__url_escape(sid, c->eio.session.sid);
    stamp[0] = 0;
    if (strcmp(transport, "polling") == 0 && sio__random(&c->sys, rnd, sizeof rnd) == SIO_OK) {
        sio_base64_encode(rnd, sizeof rnd, stamp);       /* the JS client's cache buster, URL-safe */
        for (i = 0; stamp[i]; i++) stamp[i] = stamp[i] == '+' ? '-' : stamp[i] == '/' ? '_' : stamp[i];
    }
    p = (char *)l->tx + l->tx_len;
    p += sprintf(p, "%s %s?EIO=%d&transport=%s%s%s%s%s%s%s HTTP/1.1\r\n%s", method, c->eio_target, c->eio.version, transport,
                 c->eio_query, stamp[0] ? "&t=" : "", stamp, c->eio.version == 3 && stamp[0] ? "&b64=1" : "",
                 with_sid ? "&sid=" : "", sid, c->request_head);
#if SIO__WITH_POLLING
    for (i = 0; i < SIO__MAX_COOKIES; i++)
        if (c->cookies[i]) {
            p += sprintf(p, "%s%s", sep, c->cookies[i]);
            sep = "; ";
        }
    if (sep[0] == ';') p += sprintf(p, "\r\n");
#endif
    l->tx_len = (size_t)((unsigned char *)p - l->tx);
    return SIO_OK;
}

#endif

/* The WebSocket handshake request on l (with_sid: an upgrade of a polling
 * session): the request line and the client's headers, then the
 * connection's own. */
static int sio__build_request(sio_client *c, sio__link *l, int with_sid)
{
#if SIO__WITH_SOCKETIO
    int r;
    if (SIO__SOCKETIO(c)) {
        if ((r = sio__http_head(c, l, "GET", "websocket", with_sid)) != SIO_OK) return r;
        return sio__websocket_request(&c->websocket, &c->sys, l);
    }
#endif
    (void)with_sid;
    if (sio__link_reserve(&c->sys, l, strlen(c->eio_target) + strlen(c->eio_query) + strlen(c->request_head) + 16) != SIO_OK)
        return SIO_ERR_NOMEM;
    l->tx_len += (size_t)sprintf((char *)l->tx + l->tx_len, "GET %s%s%s HTTP/1.1\r\n%s", c->eio_target,
                                 !c->eio_query[0] ? "" : strchr(c->eio_target, '?') ? "&" : "?",
                                 c->eio_query[0] ? c->eio_query + 1 : "", c->request_head);
    return sio__websocket_request(&c->websocket, &c->sys, l);
}
#ifdef SIO_SOURCE_LINES
#line 1 "src/transport.c"
#endif
/* ---- transport: the Engine.IO session's transports -----------------------
 * Packets out over the WebSocket or the next polling POST, the close of the
 * session, the GET and POST requests of long-polling, and the upgrade from
 * polling to WebSocket. */

#if SIO__WITH_SOCKETIO
/* Sends one Engine.IO packet made of the concatenated pieces: a WebSocket
 * frame, or an entry of the next polling POST.  Nothing follows our close
 * (RFC 6455 5.5.1; Engine.IO's close packet likewise): SIO_ERR_STATE. */
static int sio__eio_send(sio_client *c, int binary, const void *const *pieces, const size_t *lens, size_t n)
{
    sio__link *l = c->socketio.parts_to_send ? &c->socketio.held : &c->ln;   /* behind attachments in parts */
    if (c->websocket.close_sent) return SIO_ERR_STATE;
#if SIO__WITH_POLLING
    if (SIO__POLLING(c)) return sio__polling_append(&c->polling, &c->sys.alloc, binary, pieces, lens, n);
#endif
    if (binary && c->eio.version == 3) {              /* v3 binary frames start with the packet type */
        const void *p2[2];
        size_t l2[2];
        p2[0] = "\x04"; l2[0] = 1;
        p2[1] = pieces[0]; l2[1] = lens[0];
        return sio__websocket_frame(&c->websocket, &c->sys, l, SIO_WS_BINARY, p2, l2, 2);
    }
    return sio__websocket_frame(&c->websocket, &c->sys, l, binary ? SIO_WS_BINARY : SIO_WS_TEXT, pieces, lens, n);
}
#endif

/* Bytes accepted for sending but not yet handed to the kernel. */
static size_t sio__backlog(const sio_client *c)
{
#if SIO__WITH_POLLING
    return (c->ln.tx_len - c->ln.tx_sent) + c->polling.out_len + (c->polling.post.tx_len - c->polling.post.tx_sent) +
           c->socketio.held.tx_len;
#elif SIO__WITH_SOCKETIO
    return c->ln.tx_len - c->ln.tx_sent + c->socketio.held.tx_len;
#else
    return c->ln.tx_len - c->ln.tx_sent;
#endif
}

#if SIO__WITH_POLLING
static void sio__probe_fail(sio_client *c);
#endif

/* Ends the session from our side: a close frame, or Engine.IO's close
 * packet in the next POST.  CLOSING until it is delivered.  While an emit's
 * attachments are being sent in parts the close waits for the last to end
 * (sio__socketio_part_ended), behind what was accepted before it, as long
 * as parts keep coming (sio__socketio_parts_stalled). */
static int sio__eio_close(sio_client *c, int code, const char *reason)
{
    int r;
#if SIO__WITH_SOCKETIO
    if (c->socketio.parts_to_send) {
        size_t n = reason ? strlen(reason) : 0;
        if (n >= sizeof c->socketio.stop_reason) n = sizeof c->socketio.stop_reason - 1;
        c->socketio.stop_waits = 1;
        c->socketio.stop_deadline = sio__now(c) + (uint64_t)c->close_timeout;
        c->socketio.stop_code = code;
        if (n) memcpy(c->socketio.stop_reason, reason, n);
        c->socketio.stop_reason[n] = 0;
        return SIO_OK;
    }
#endif
#if SIO__WITH_POLLING
    if (SIO__POLLING(c)) {
        const void *piece = "1";
        size_t one = 1;
        if (c->upgrade.state != SIO__PROBE_NONE && c->upgrade.state != SIO__PROBE_FAILED)
            sio__probe_fail(c);          /* no upgrade now: polling resumes to deliver the close */
        r = sio__polling_append(&c->polling, &c->sys.alloc, 0, &piece, &one, 1);
        c->websocket.close_sent = 1;
    } else
#endif
    {
        r = sio__websocket_close(&c->websocket, &c->sys, &c->ln, code, reason);
    }
    c->phase = SIO__CLOSING;
    c->deadline = sio__now(c) + (uint64_t)c->close_timeout;
    return r;
}

#if SIO__WITH_POLLING   /* the polling requests and the upgrade */
/* A link of this client's server: connected, TLS started when the URL is secure. */
static int sio__link_connected(sio_client *c, sio__link *l, char *text, size_t text_size)
{
    return sio__link_ready(&c->sys, l, &c->route, sio__tunnel_target(c), text, text_size);
}

/* Opens a link to the address that worked for the session (polling POSTs,
 * or a GET connection the server closed). */
static int sio__link_open(sio_client *c, sio__link *l, char *text, size_t text_size)
{
    char err[128];
    int r;
    err[0] = 0;
    r = sio__connect_attempt(c, &l->sock, err, sizeof err);
    if (r != SIO_OK) {
        l->sock = SIO_INVALID_SOCKET;
        snprintf(text, text_size, "%s: cannot connect to %.80s port %u: %s", sio__hop_word(c), sio__hop_host(c),
                 (unsigned)sio__hop_port(c),
                 err[0] ? err : sio_status_text(r));
        return r == SIO_ERR_NO_ADDRESS ? SIO_ERR_IO : r;
    }
    l->connecting = 1;
    l->may_read = 1;
    return SIO_OK;
}

/* Drops the response just handled; closes the connection when the server ends it. */
static void sio__http_done(sio_client *c, sio__link *l, sio__http_in *in)
{
    if (sio__polling_done(&c->sys, l, in)) {
        sio__close_socket(c, l->sock);
        l->sock = SIO_INVALID_SOCKET;
    }
}

/* Starts the GET (the handshake, then the long poll) and the POST of the
 * packets waiting, each when none is in flight.  Returns 0 or a status. */
static int sio__poll_requests(sio_client *c, char *text, size_t text_size)
{
    int r;
    if (c->upgrade.state == SIO__PROBE_PAUSE) return 0;       /* upgrading: polling is paused */
    if (!c->polling.get_busy && c->polling.pkt_end == 0 && c->phase == SIO__OPEN) {
        if (c->ln.sock == SIO_INVALID_SOCKET && (r = sio__link_open(c, &c->ln, text, text_size)) != SIO_OK) return r;
        if ((r = sio__http_head(c, &c->ln, "GET", "polling", c->eio.open)) != SIO_OK) return r;
        if (sio__link_reserve(&c->sys, &c->ln, 32) != SIO_OK) return SIO_ERR_NOMEM;
        c->ln.tx_len += (size_t)sprintf((char *)c->ln.tx + c->ln.tx_len, "Accept: */*\r\n\r\n");
        c->polling.get_busy = 1;
    }
    if (!c->polling.post_busy && c->polling.out_len && c->eio.open) {
        size_t max = c->eio.session.max_payload ? (size_t)c->eio.session.max_payload : 1000000, take = 0, next, body;
        if (c->eio.version == 3) max /= 2;                        /* room for the length prefixes */
        /* Whole packets while they fit under the server's maxPayload (at least one). */
        for (;;) {
            const unsigned char *sep = (const unsigned char *)memchr(c->polling.out + take + (take ? 1 : 0), 0x1e,
                                                                     c->polling.out_len - take - (take ? 1 : 0));
            next = sep ? (size_t)(sep - c->polling.out) : c->polling.out_len;
            if (take && next > max) break;
            take = next;
            if (!sep || take >= max) break;
        }
        if (c->polling.post.sock == SIO_INVALID_SOCKET && (r = sio__link_open(c, &c->polling.post, text, text_size)) != SIO_OK) return r;
        if ((r = sio__http_head(c, &c->polling.post, "POST", "polling", 1)) != SIO_OK) return r;
        body = c->eio.version == 3 ? sio_eio_v3_encode(NULL, c->polling.out, take) : take;
        if (sio__link_reserve(&c->sys, &c->polling.post, 96 + body) != SIO_OK) return SIO_ERR_NOMEM;
        c->polling.post.tx_len += (size_t)sprintf((char *)c->polling.post.tx + c->polling.post.tx_len,
                                          "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: %lu\r\n\r\n",
                                          (unsigned long)body);
        if (c->eio.version == 3) sio_eio_v3_encode(c->polling.post.tx + c->polling.post.tx_len, c->polling.out, take);
        else memcpy(c->polling.post.tx + c->polling.post.tx_len, c->polling.out, take);
        c->polling.post.tx_len += body;
        if (take < c->polling.out_len) take++;                      /* the separator after the batch */
        memmove(c->polling.out, c->polling.out + take, c->polling.out_len - take);
        c->polling.out_len -= take;
        c->polling.post_busy = 1;
    }
    return 0;
}

/* The next packet of a GET body, NUL-terminated in place (v4: on the
 * separator; v3: the byte after it is borrowed).  Returns 1, 0 at the end,
 * or SIO_ERR_PROTOCOL for a malformed v3 payload. */
static int sio__poll_next(sio_client *c, unsigned char **out, size_t *out_len)
{
    unsigned char *body, *p;
    size_t off = 0, len = 0;
    int r;
    if (!c->ln.rx) return 0;                      /* released (the connection failed): nothing left */
    body = c->ln.rx + c->ln.rx_start;
    r = sio_eio_payload_next(c->eio.version, body, c->polling.pkt_end, &c->polling.pkt_pos, &off, &len);
    if (r != 1) return r;
    p = body + off;
    if (c->eio.version == 3) {
        c->events.nul_at = p + len;
        c->events.nul_saved = p[len];
    }
    p[len] = 0;                                   /* the separator, the next length, or the spare byte */
    if (c->eio.version == 3 && len >= 2 && p[0] == 'b') {   /* "b4<base64>": drop the type */
        p[1] = 'b';
        p++;
        len--;
    }
    *out = p;
    *out_len = len;
    return 1;
}


/* ---- Upgrade from polling to WebSocket (transport SIO_TRANSPORT_AUTO) ----
 * As Engine.IO requires: a WebSocket with the session's sid, "2probe" and
 * the server's "3probe", then polling pauses (the pending GET is answered
 * with a noop, the POST in flight completes), "5" goes over the WebSocket
 * and it becomes the transport.  Packets emitted meanwhile wait and follow
 * the "5".  Any failure keeps the session on polling. */

static void sio__probe_fail(sio_client *c)
{
    sio__link_close(c, &c->upgrade.link);
    c->upgrade.state = SIO__PROBE_FAILED;
}



/* The WebSocket becomes the transport: polling links closed, the packets
 * that waited sent as frames after the "5". */
static void sio__probe_commit(sio_client *c)
{
    size_t pos = 0;
    sio__nul_give_back(c);
    sio__link_close(c, &c->ln);
    sio__link_close(c, &c->polling.post);
    c->ln = c->upgrade.link;
    memset(&c->upgrade.link, 0, sizeof c->upgrade.link);
    c->upgrade.link.sock = SIO_INVALID_SOCKET;
    c->upgrade.state = SIO__PROBE_NONE;
    c->polling.active = 0;
    c->upgraded = 1;                                 /* remember_upgrade: reconnections start here */
    c->polling.get_busy = c->polling.post_busy = 0;
    memset(&c->polling.get_in, 0, sizeof c->polling.get_in);
    memset(&c->polling.post_in, 0, sizeof c->polling.post_in);
    sio__websocket_rx_reset(&c->websocket);          /* nothing peeked on the new link either */
    while (pos < c->polling.out_len) {
        unsigned char *p = c->polling.out + pos;
        unsigned char *sep = (unsigned char *)memchr(p, 0x1e, c->polling.out_len - pos);
        size_t len = sep ? (size_t)(sep - p) : c->polling.out_len - pos;
        const void *piece = p;
        pos += len + 1;
        if (len && p[0] == 'b') {               /* attachments go as binary frames again */
            size_t n = 0;
            if (sio_base64_decode((const char *)p + 1, len - 1, p, &n) != SIO_OK) continue;
            sio__eio_send(c, 1, &piece, &n, 1);
        } else {
            sio__eio_send(c, 0, &piece, &len, 1);
        }
    }
    c->polling.out_len = 0;
}

static void sio__probe_start(sio_client *c, uint64_t now)
{
    if (c->transport != SIO_TRANSPORT_AUTO || !c->eio.session.upgrade_websocket ||
        sio__link_open(c, &c->upgrade.link, c->why, sizeof c->why) != SIO_OK) {
        c->upgrade.state = SIO__PROBE_FAILED;          /* nothing to try, or it cannot */
        return;
    }
    sio__upgrade_begin(&c->upgrade, now, c->connect_timeout);
}

/* Advances the upgrade; returns 1 when the WebSocket took over. */
static int sio__probe_step(sio_client *c, uint64_t now)
{
    const void *upgrade = "5";
    size_t one = 1;
    int r;
    sio__link *l = &c->upgrade.link;
    if (sio__upgrade_expired(&c->upgrade, now)) {
        sio__probe_fail(c);
        return 0;
    }
    if (c->upgrade.state == SIO__PROBE_CONNECTING) {
        if ((r = sio__link_connected(c, l, c->why, sizeof c->why)) < 0) { sio__probe_fail(c); return 0; }
        if (r == 0) return 0;
        if (sio__build_request(c, l, 1) != SIO_OK) { sio__probe_fail(c); return 0; }
        c->upgrade.state = SIO__PROBE_HANDSHAKE;
    }
    if (sio__link_flush(&c->sys, l, c->why, sizeof c->why) != 0 ||
        (r = sio__upgrade_receive(&c->upgrade, &c->sys, &c->websocket, c->max_handshake)) < 0) {
        sio__probe_fail(c);
        return 0;
    }
    if (r == 0 || c->polling.get_busy || c->polling.pkt_end || c->polling.post_busy) return 0;
    if (sio__websocket_frame(&c->websocket, &c->sys, l, SIO_WS_TEXT, &upgrade, &one, 1) != SIO_OK) {
        sio__probe_fail(c);
        return 0;
    }
    sio__probe_commit(c);
    return 1;
}
#endif

#if SIO__WITH_SOCKETIO
/* Polling links and state of an ended session. */
static void sio__poll_reset(sio_client *c)
{
#if SIO__WITH_POLLING
    sio__link_close(c, &c->polling.post);
    sio__link_close(c, &c->upgrade.link);
    c->upgrade.state = SIO__PROBE_NONE;
    memset(&c->polling.get_in, 0, sizeof c->polling.get_in);
    memset(&c->polling.post_in, 0, sizeof c->polling.post_in);
    c->polling.get_busy = c->polling.post_busy = 0;
    c->polling.pkt_pos = c->polling.pkt_end = 0;
    c->polling.out_len = 0;
#endif
    c->ln.connecting = 0;
}
#endif
#ifdef SIO_SOURCE_LINES
#line 1 "src/socketio.c"
#endif
/* ---- Engine.IO and Socket.IO over the session's transport ---------------- */
#if SIO__WITH_SOCKETIO   /* SIO_NO_SOCKETIO leaves Socket.IO out */


static int sio__eio_send_text(sio_client *c, const char *a, size_t alen, const char *b, size_t blen)
{
    const void *pieces[2];
    size_t lens[2];
    pieces[0] = a; lens[0] = alen;
    pieces[1] = b; lens[1] = blen;
    return sio__eio_send(c, 0, pieces, lens, blen ? 2 : 1);
}


/* 1 if a small packet of the client's own (a pong of len payload bytes, a
 * CONNECT, a DISCONNECT) fits: within max_send_queue plus the pong slack,
 * so a queue the application filled with emits (whose frame headers the
 * emit check does not see) still answers the next ping.  While an emit's
 * attachments go in parts the packet waits behind them with the rest, and
 * that has a max_send_queue of its own: the parts on the link have theirs
 * (sio__parts_limit).  After them, what both took past max_send_queue is
 * allowed as it drains (drain_allowance shrinks with the backlog, never
 * regrows): only the slack is for the packets themselves. */
static int sio__small_packet_fits(sio_client *c, size_t len)
{
    size_t waiting = c->socketio.parts_to_send ? c->socketio.held.tx_len : sio__backlog(c);
    size_t *allowance = &c->socketio.drain_allowance;
    if (c->socketio.parts_to_send) {
        *allowance = 0;                          /* what waits behind parts has its own budget only */
    } else if (*allowance) {
        size_t excess = waiting > c->max_send_queue ? waiting - c->max_send_queue : 0;
        if (excess < *allowance) *allowance = excess;
    }
    return c->socketio.namespaces.queued_bytes + waiting + 1 + len <= c->max_send_queue + SIO__PONG_SLACK + *allowance;
}

/* Answers an Engine.IO ping.  The pong counts against the send queue: a
 * server that keeps pinging while it reads nothing is dropped rather than
 * allowed to grow the client's memory.  Returns 0 when the connection
 * failed. */
static int sio__eio_pong(sio_client *c, const char *payload, size_t len)
{
    if (c->websocket.close_sent) return 1;      /* we said goodbye: the server's pings go unanswered */
    if (!sio__small_packet_fits(c, len)) {
        snprintf(c->why, sizeof c->why, "eio: a ping of %lu bytes cannot be answered: the send queue is full "
                 "(max_send_queue %lu bytes); the server sends more than it reads",
                 (unsigned long)len, (unsigned long)c->max_send_queue);
        sio__fail(c, SIO_CLOSE_POLICY, SIO_ERR_TOO_BIG, c->why);
        return 0;
    }
    sio__eio_send_text(c, "3", 1, payload, len);
    return 1;
}

/* Finds or adds the namespace called name (NULL: the URL's): its index or a
 * negative status. */
static int sio__namespace(sio_client *c, const char *name)
{
    return sio__namespaces_add(&c->socketio.namespaces, &c->sys.alloc, name, c->max_namespaces);
}

/* The index of the namespace called name (NULL: the URL's), or -1. */
static int sio__namespace_index(const sio_client *c, const char *name)
{
    if (!name) return c->socketio.namespaces.count ? 0 : -1;
    return sio__namespaces_find(&c->socketio.namespaces, name, strlen(name));
}

/* Ends pending ack k with an ACK event carrying error and text. */
static void sio__end_ack(sio_client *c, size_t k, int error, const char *text)
{
    const sio__ack *a = &c->socketio.acks.list[k];
    sio__pending *p = sio__push(c, SIO_EVENT_ACK, 0, error, 0, text);
    if (p) { p->ns = a->ns; p->ack_id = (int64_t)a->id; }
    sio__acks_remove(&c->socketio.acks, k);
}

/* Reports emits that can no longer be sent, so nothing is lost silently. */
static void sio__ns_discard_queue(sio_client *c, int i, const char *why)
{
    sio__ns *ns = c->socketio.namespaces.list[i];
    const sio__queued *q;
    if (ns->queued) {
        char text[SIO__TEXT_SIZE];
        sio__pending *p;
        snprintf(text, sizeof text, "sio: %lu queued emit(s) on %.100s were dropped: %s",
                 (unsigned long)ns->queued, ns->name, why);
        p = sio__push(c, SIO_EVENT_ERROR, 0, SIO_ERR_CLOSED, 0, text);
        if (p) p->ns = i;
    }
    for (q = ns->queue_head; q; q = q->next) {         /* nothing will answer their acks */
        int k = q->ack_id >= 0 ? sio__acks_find(&c->socketio.acks, i, (uint64_t)q->ack_id) : -1;
        if (k >= 0) sio__end_ack(c, (size_t)k, SIO_ERR_CLOSED, "socket has been disconnected");
    }
    sio__namespaces_drop_queue(&c->socketio.namespaces, &c->sys.alloc, ns);
}

/* Ends the pending acks of one namespace (or all: ns < 0) with an error;
 * with only_sent, those of emits still queued for a reconnection stay. */
static void sio__fail_acks(sio_client *c, int ns, int error, const char *text, int only_sent)
{
    size_t i = 0;
    while (i < c->socketio.acks.count) {
        const sio__ack *a = &c->socketio.acks.list[i];
        if ((ns >= 0 && a->ns != ns) || (only_sent && !a->sent)) i++;
        else sio__end_ack(c, i, error, text);
    }
}

/* CONNECT with the auth object; after a session with state recovery the
 * server's pid and the last offset seen go first, as the JS client's
 * Object.assign({pid, offset}, auth) (keys of auth win). */
static int sio__send_connect(sio_client *c, int i)
{
    sio__ns *ns = c->socketio.namespaces.list[i];
    char *head = c->why, recovery[160];           /* under 240 bytes: a namespace has at most 200 */
    const void *pieces[3];
    size_t lens[3], n = 1;
    const char *auth = ns->auth ? ns->auth : "";
    head[0] = '4';
    n += sio_packet_encode_header(head + 1, SIO_PACKET_CONNECT, 0, ns->name, 0, 0);
    ns->state = SIO__NS_CONNECTING;
    pieces[0] = head; lens[0] = n;
    if (c->eio.version == 3 && c->eio_query[0] && strcmp(ns->name, "/") != 0) {
        /* Socket.IO v4: the query goes in the namespace, "40/admin?token=1," */
        const void *q[4];
        size_t ql[4];
        q[0] = head; ql[0] = n - 1;                       /* without the ',' */
        q[1] = "?"; ql[1] = 1;
        q[2] = c->eio_query + 1; ql[2] = strlen(c->eio_query + 1);   /* past the leading '&' */
        q[3] = ","; ql[3] = 1;
        return sio__eio_send(c, 0, q, ql, 4);
    }
    pieces[1] = auth; lens[1] = c->eio.version == 3 ? 0 : strlen(auth);   /* Socket.IO v4 has no auth */
    if (ns->pid[0] && ns->offset[0] && c->eio.version == 4) {
        const char *inner = auth;
        while (*inner && *inner != '{') inner++;             /* auth is a validated object or "" */
        if (*inner) inner++;
        while (*inner == ' ' || *inner == '\t' || *inner == '\r' || *inner == '\n') inner++;
        lens[1] = (size_t)snprintf(recovery, sizeof recovery, "{\"pid\":%s,\"offset\":%s%s", ns->pid,
                                   ns->offset, *inner && *inner != '}' ? "," : "");
        pieces[1] = recovery;
        pieces[2] = *inner ? inner : "}";
        lens[2] = strlen((const char *)pieces[2]);
        return sio__eio_send(c, 0, pieces, lens, 3);
    }
    return sio__eio_send(c, 0, pieces, lens, lens[1] ? 2 : 1);
}

/* A server drops a packet over its maxPayload (which an Engine.IO 4
 * handshake states; it stays known while reconnecting) together with the
 * whole connection, seen by the application as a "transport close": such
 * a packet is refused before it goes, counted as it travels: over
 * polling binary as "b" and base64, in Engine.IO 3 with a length prefix. */
static int sio__packet_fits(const sio_client *c, size_t len, int binary)
{
    uint64_t max = c->eio.session.max_payload, n = (uint64_t)len, digits;
    int v3 = c->eio.version == 3;
    if (!max) return 1;
    if (binary && SIO__POLLING(c)) n = (v3 ? 2 : 1) + (n + 2) / 3 * 4;   /* "b" (v3: "b4") and base64 */
    else if (binary && v3) n++;                                           /* v3 frames start with the type */
    if (v3 && SIO__POLLING(c))                                            /* and "<length>:" before each */
        for (digits = n, n++; digits; digits /= 10) n++;
    return n <= max;
}

static int sio__queued_fits(const sio_client *c, const sio__queued *q)
{
    size_t i;
    if (!sio__packet_fits(c, q->text_len, 0)) return 0;
    for (i = 0; i < q->count; i++)
        if (!sio__packet_fits(c, q->lens[i], 1)) return 0;
    return 1;
}

/* Sends an encoded packet (text message + attachments) now. */
static int sio__send_queued(sio_client *c, const sio__queued *q)
{
    size_t i, off = q->text_len;
    const void *piece = q->bytes;
    int r = sio__eio_send(c, 0, &piece, &q->text_len, 1);
    for (i = 0; r == SIO_OK && i < q->count; i++) {
        piece = q->bytes + off;
        r = sio__eio_send(c, 1, &piece, &q->lens[i], 1);
        off += q->lens[i];
    }
    return r;
}


/* Ends an emit of the outbox with an ACK event carrying error and text. */
static void sio__outbox_give_up(sio_client *c, sio__outgoing *e, int error, const char *text)
{
    sio__pending *p = sio__push(c, SIO_EVENT_ACK, 0, error, 0, text);
    if (p) { p->ns = e->ns; p->ack_id = (int64_t)e->id; p->attempt = e->tries; }
    sio__outbox_remove(&c->socketio.outbox, &c->sys.alloc, e);
}

/* Gives up the outbox's emits on namespace ns (all: ns < 0). */
static void sio__outbox_fail(sio_client *c, int ns, int error, const char *text)
{
    sio__outgoing *e = c->socketio.outbox.head, *next;
    for (; e; e = next) {
        next = e->next;
        if (ns < 0 || e->ns == ns) sio__outbox_give_up(c, e, error, text);
    }
}

/* One try of an emit: 4<header with a new ack id><body>, then the
 * attachments.  The try counts once its text went. */
static int sio__outbox_send(sio_client *c, sio__outgoing *e, uint64_t now)
{
    char *head = c->why;                         /* under 240 bytes: a namespace has at most 200 */
    const void *pieces[2];
    size_t lens[2], k, off = e->body_len;
    uint64_t wire_id = c->socketio.acks.next_id;
    int r;
    head[0] = '4';
    pieces[0] = head;
    lens[0] = 1 + sio_packet_encode_header(head + 1, e->count ? SIO_PACKET_BINARY_EVENT : SIO_PACKET_EVENT,
                                           (unsigned)e->count, c->socketio.namespaces.list[e->ns]->name, 1, wire_id);
    pieces[1] = e->bytes;
    lens[1] = e->body_len;
    if ((r = sio__eio_send(c, 0, pieces, lens, 2)) != SIO_OK) return r;
    c->socketio.acks.next_id++;
    sio__outbox_sent(e, wire_id, now);
    for (k = 0; r == SIO_OK && k < e->count; k++) {
        pieces[0] = e->bytes + off;
        r = sio__eio_send(c, 1, pieces, &e->lens[k], 1);
        off += e->lens[k];
    }
    return SIO_OK;                               /* a lost attachment is a lost try: its deadline or the connection's end resends it */
}

/* Sends namespace i's next emit of the outbox when none is in flight and
 * the namespace is connected; an emit out of tries, or over the server's
 * maxPayload, is given up and the one after it goes. */
static void sio__outbox_next(sio_client *c, int i)
{
    sio__outgoing *e;
    uint64_t now = sio__now(c);
    if (c->phase != SIO__OPEN || !c->eio.open || c->socketio.namespaces.list[i]->state != SIO__NS_CONNECTED) return;
    while ((e = sio__outbox_first(&c->socketio.outbox, i)) != NULL && !e->in_flight) {
        size_t k, head = 1 + sio_packet_encode_header(c->why, e->count ? SIO_PACKET_BINARY_EVENT : SIO_PACKET_EVENT,
                                                      (unsigned)e->count, c->socketio.namespaces.list[i]->name, 1,
                                                      c->socketio.acks.next_id);
        int fits = sio__packet_fits(c, head + e->body_len, 0);
        for (k = 0; fits && k < e->count; k++) fits = sio__packet_fits(c, e->lens[k], 1);
        if (e->tries > c->emit_retries) {
            snprintf(c->why, sizeof c->why, "operation has timed out: no ack after %d tries", e->tries);
            sio__outbox_give_up(c, e, SIO_ERR_TIMEOUT, c->why);
        } else if (!fits) {
            snprintf(c->why, sizeof c->why, "sio: an emit on %.100s is larger than the server's maxPayload (%lu bytes): not sent",
                     c->socketio.namespaces.list[i]->name, (unsigned long)c->eio.session.max_payload);
            sio__outbox_give_up(c, e, SIO_ERR_TOO_BIG, c->why);
        } else if (sio__backlog(c) + e->total > c->max_send_queue) {
            c->socketio.outbox_stalled = 1;      /* the last try has not even left: no copy over the limit */
            return;
        } else if (sio__outbox_send(c, e, now) != SIO_OK) {
            c->socketio.outbox_stalled = 1;      /* memory or the random source failed: the timers try again */
            return;
        } else if (e->tries > 1) {
            sio__pending *p = sio__push(c, SIO_EVENT_RETRY, 0, 0, 0, NULL);
            if (p) { p->ns = i; p->ack_id = (int64_t)e->id; p->attempt = e->tries - 1; p->reason = e->why; }
        }
    }
}

/* When no namespace is wanted any more the connection closes, as the JS
 * client's Manager does. */
static void sio__socketio_maybe_close(sio_client *c)
{
    if (!sio__namespaces_wanted(&c->socketio.namespaces) && c->phase == SIO__OPEN && !c->websocket.close_sent &&
        !c->socketio.stop_waits && sio__eio_close(c, SIO_CLOSE_NORMAL, "") != SIO_OK)
        sio__abort(c, SIO_ERR_NOMEM, "ws: could not queue the close frame");
}

static void sio__socketio_parse_error(sio_client *c, const char *why)
{
    c->socketio.disconnect_reason = "parse error";
    sio__fail(c, SIO_CLOSE_PROTOCOL_ERROR, SIO_ERR_PROTOCOL, why);
}

/* ---- attachments sent in parts (sio_emit_ex without attachments, then
 * sio_send_begin/part/end for each) ---- */

/* The connection ended: what waited behind the attachments goes with it,
 * as frames already on its link do. */
static void sio__socketio_parts_drop(sio_client *c)
{
    sio__free(&c->sys.alloc, c->socketio.held.tx);
    memset(&c->socketio.held, 0, sizeof c->socketio.held);
    c->socketio.parts_to_send = 0;
    c->socketio.stop_waits = 0;
    c->socketio.drain_allowance = 0;
    c->socketio.ping_held = 0;
}

/* len more bytes of the attachment went: a close waiting for the last one
 * waits on (close_timeout from now). */
static void sio__socketio_part_sent(sio_client *c, size_t len)
{
    c->socketio.part_bytes += len;
    if (c->socketio.stop_waits) c->socketio.stop_deadline = sio__now(c) + (uint64_t)c->close_timeout;
}

/* The emit whose attachments go in parts is not sent after all, nor what
 * waits behind it; an ERROR says why. */
static void sio__socketio_parts_abandon(sio_client *c, const char *why)
{
    char text[SIO__TEXT_SIZE];
    snprintf(text, sizeof text, "sio: %s before the emit's attachments ended: it, and what waited behind it, was not sent",
             why);
    sio__socketio_parts_drop(c);
    sio__push(c, SIO_EVENT_ERROR, 0, SIO_ERR_CLOSED, 0, text);
}

/* A close waits for an emit's attachments only while parts come: after
 * close_timeout without one the emit is abandoned and the close goes. */
static void sio__socketio_parts_stalled(sio_client *c, uint64_t now)
{
    int code = c->socketio.stop_code;
    char reason[sizeof c->socketio.stop_reason], why[80];
    if (!c->socketio.stop_waits || now < c->socketio.stop_deadline) return;
    memcpy(reason, c->socketio.stop_reason, sizeof reason);
    snprintf(why, sizeof why, "no part came within close_timeout (%d ms) of the close", c->close_timeout);
    sio__socketio_parts_abandon(c, why);
    if (sio__eio_close(c, code, reason) != SIO_OK) sio__abort(c, SIO_ERR_NOMEM, "ws: could not queue the close frame");
}

/* sio_send_begin: the next attachment (binary; Engine.IO 3 puts the packet
 * type first). */
static int sio__socketio_parts_begin(sio_client *c, int binary)
{
    int r = SIO_OK;
    if (!c->socketio.parts_to_send || c->websocket.tx_parts || c->phase != SIO__OPEN || c->websocket.close_sent)
        return SIO_ERR_STATE;
    if (!binary) return SIO_ERR_INVALID;
    sio__websocket_parts_begin(&c->websocket, 1);
    sio__socketio_part_sent(c, 0);
    c->socketio.part_bytes = 0;
    if (c->eio.version == 3 &&
        (r = sio__websocket_part(&c->websocket, &c->sys, &c->ln, (const unsigned char *)"\x04", 1, 0, (size_t)-1)) != SIO_OK)
        c->websocket.tx_parts = 0;
    return r;
}

/* sio_send_part: whether the attachment stays within the server's
 * maxPayload with len more bytes (a larger one is dropped with the
 * connection). */
static int sio__socketio_part_fits(const sio_client *c, size_t len)
{
    uint64_t after = c->socketio.part_bytes + len;
    return after <= (uint64_t)((size_t)-1 - 8) && sio__packet_fits(c, (size_t)after, 1);
}

/* Engine.IO 3: a ping was just queued on the link; the link's mark says
 * when the socket took it.  A marked ping answered since (something read
 * after the socket took it) makes room for this one. */
static void sio__eio3_mark_ping(sio_client *c)
{
    sio__link *l = &c->ln;
    if (l->marked && l->mark_taken_at && c->eio.heartbeat.heard_at >= l->mark_taken_at) l->marked = 0;
    sio__link_mark(l);
}

/* sio_send_end: an attachment ended; after the last, what waited goes. */
static void sio__socketio_part_ended(sio_client *c)
{
    sio__link *held = &c->socketio.held;
    int stop = c->socketio.stop_waits, ping_held = c->socketio.ping_held;
    if (--c->socketio.parts_to_send) {
        sio__socketio_part_sent(c, 0);
        return;
    }
    if (held->tx_len && sio__link_reserve(&c->sys, &c->ln, held->tx_len) != SIO_OK) {
        sio__fail(c, SIO_CLOSE_INTERNAL, SIO_ERR_NOMEM, "sio: out of memory sending what waited behind attachments");
        return;
    }
    if (held->tx_len) memcpy(c->ln.tx + c->ln.tx_len, held->tx, held->tx_len);
    c->ln.tx_len += held->tx_len;
    sio__socketio_parts_drop(c);
    if (sio__backlog(c) > c->max_send_queue) c->socketio.drain_allowance = sio__backlog(c) - c->max_send_queue;
    if (stop && sio__eio_close(c, c->socketio.stop_code, c->socketio.stop_reason) != SIO_OK) {
        sio__abort(c, SIO_ERR_NOMEM, "ws: could not queue the close frame");
        return;
    }
    if (ping_held) {                             /* Engine.IO 3: the held ping leaves now; its pong's wait begins */
        sio__heartbeat_asked(&c->eio.heartbeat, sio__now(c));
        sio__eio3_mark_ping(c);
    }
}

/* The namespace DISCONNECTs, failed acks and dropped queues of a lost
 * connection; namespaces the application still wants go back to WANTED.
 * Before a reconnection (keep_queues) emits not sent yet stay queued. */
static void sio__socketio_teardown(sio_client *c, int keep_queues)
{
    sio__namespaces *n = &c->socketio.namespaces;
    size_t i;
    const char *reason = c->socketio.disconnect_reason ? c->socketio.disconnect_reason : "transport close";
    for (i = 0; i < n->count; i++) {
        if (n->list[i]->state == SIO__NS_CONNECTED) {
            sio__pending *p = sio__push(c, SIO_EVENT_DISCONNECT, 0, 0, 0, NULL);
            if (p) { p->ns = (int)i; p->reason = reason; }
        }
        if (!keep_queues || !n->list[i]->joined) {
            sio__ns_discard_queue(c, (int)i, "the connection closed before the namespace connected");
            sio__outbox_fail(c, (int)i, SIO_ERR_CLOSED, "socket has been disconnected");
        }
    }
    sio__outbox_land(&c->socketio.outbox);       /* the answers on the way are lost: resent on the next connection */
    sio__namespaces_end(n, &c->sys.alloc, keep_queues);
    sio__fail_acks(c, -1, SIO_ERR_CLOSED, "socket has been disconnected", keep_queues);
    sio__eio_end(&c->eio);
    sio__binary_abandon(&c->socketio.binary);     /* attachments collected so far are freed next step */
    sio__socketio_parts_drop(c);
}

/* As the JS client's Manager: reconnect after any loss except a stop by
 * the application or a namespace the server disconnected (left = not joined). */
static int sio__socketio_retry_wanted(const sio_client *c)
{
    if (c->reconnect == SIO_RECONNECT_OFF || c->user_stop) return 0;
    if (c->socketio.disconnect_reason && strcmp(c->socketio.disconnect_reason, "io client disconnect") == 0) return 0;
    return sio__namespaces_wanted(&c->socketio.namespaces);
}

/* The session the client's core ends through (sio__finish). */
static const sio__session_hooks sio__socketio_session = {
    sio__socketio_retry_wanted, sio__socketio_teardown, sio__poll_reset
};

/* What the last event lent out (a binary packet, replayed held events) is
 * given back at the next step. */
static void sio__socketio_release(sio_client *c)
{
    sio__binary_release(&c->socketio.binary, &c->sys.alloc);
    sio__namespaces_release(&c->socketio.namespaces, &c->sys.alloc);
}

/* An idle session gives back large buffers. */
static void sio__socketio_trim(sio_client *c)
{
    if (c->socketio.scratch_cap > SIO__KEEP) {
        sio__free(&c->sys.alloc, c->socketio.scratch);
        c->socketio.scratch = NULL;
        c->socketio.scratch_cap = 0;
    }
    sio__acks_trim(&c->socketio.acks, &c->sys.alloc);
}

static char *sio__scratch(sio_client *c, size_t need)
{
    if (need > c->socketio.scratch_cap) {
        /* doubling up to what trimming keeps, so that values growing a byte
         * at a time do not realloc each time; beyond that, the exact size */
        size_t cap = need < 64 ? 64 : need;
        if (need <= SIO__KEEP && 2 * c->socketio.scratch_cap > cap)
            cap = 2 * c->socketio.scratch_cap > SIO__KEEP ? SIO__KEEP : 2 * c->socketio.scratch_cap;
        char *p = (char *)sio__realloc(&c->sys.alloc, c->socketio.scratch, cap);
        if (!p) return NULL;
        c->socketio.scratch = p;
        c->socketio.scratch_cap = cap;
    }
    return c->socketio.scratch;
}

/* A value as text: strings unescaped, anything else as its JSON. */
static size_t sio__value_text(sio_json v, char *out, size_t cap)
{
    size_t n = 0;
    if (sio_json_typeof(v) == SIO_JSON_STRING) {
        sio_json_string(v, out, cap, &n);
        return n;
    }
    n = v.len < cap ? v.len : cap - 1;
    memcpy(out, v.text, n);
    out[n] = 0;
    return n;
}

/* Fills an EVENT from a validated ["name", args...] array held in writable
 * memory whose byte after the array may be overwritten with a NUL. */
static int sio__socketio_event(sio_client *c, int i, const sio_packet *pk, char *data, sio_event *ev)
{
    sio_json arr = sio_json_make(data, pk->data_len), first, second, last, v;
    sio_json_iter it;
    sio__ns *ns = c->socketio.namespaces.list[i];
    char *name, *msg, *cut = NULL;
    size_t need, count = 0;
    sio_json_iter_init(&it, arr);
    sio_json_iter_next(&it, NULL, &first);
    need = first.len + 1;
    if (sio_json_iter_next(&it, NULL, &second)) {
        last = second;
        count = 1;
        while (sio_json_iter_next(&it, NULL, &v)) { last = v; count++; }
    } else {
        second.len = 0;
    }
    /* With state recovery the server appends the offset to its broadcasts:
     * remember it for the next CONNECT and hand the event over without it. */
    if (ns->pid[0] && count && sio_json_typeof(last) == SIO_JSON_STRING) {
        if (last.len < sizeof ns->offset) {
            memcpy(ns->offset, last.text, last.len);
            ns->offset[last.len] = 0;
        }
        if (count == 1) second.len = 0;
        else for (cut = (char *)last.text - 1; *cut != ','; cut--) {}
    }
    need += second.len + 1;
    if (!(name = sio__scratch(c, need))) {
        sio__fail(c, SIO_CLOSE_INTERNAL, SIO_ERR_NOMEM, "sio: out of memory delivering an event");
        return 0;
    }
    sio__value_text(first, name, first.len + 1);
    if (!sio__namespace_subscribed(ns, name)) return 0;
    msg = name + first.len + 1;
    ev->len = second.len ? sio__value_text(second, msg, second.len + 1) : 0;
    msg[ev->len] = 0;
    ev->type = SIO_EVENT_EVENT;
    ev->ns = ns->name;
    ev->event_name = name;
    ev->data = (const unsigned char *)msg;
    if (second.len) {
        /* Zero-copy args: the comma before the second element becomes '['
         * (and the one before a stripped offset ']'). */
        char *comma = (char *)second.text - 1;
        while (*comma != ',') comma--;
        *comma = '[';
        ev->args = comma;
        if (cut) *cut = ']';
        ev->args_len = (size_t)((cut ? cut + 1 : arr.text + arr.len) - comma);
        comma[ev->args_len] = 0;
    } else {
        ev->args = "[]";
        ev->args_len = 2;
    }
    ev->ack_id = pk->has_id ? (int64_t)pk->id : -1;
    return 1;
}

/* Delivers the next event held back until its namespace connected. */
static int sio__socketio_replay(sio_client *c, sio_event *ev)
{
    const sio__held *h;
    int i;
    while ((h = sio__namespaces_next_held(&c->socketio.namespaces, &c->sys.alloc, &i)) != NULL) {
        sio_packet pk;
        memset(&pk, 0, sizeof pk);
        pk.type = SIO_PACKET_EVENT;
        pk.has_id = h->has_id;
        pk.id = h->id;
        pk.data = h->data;
        pk.data_len = h->data_len;
        if (sio__socketio_event(c, i, &pk, h->data, ev)) {    /* h is freed at the next step */
            if (h->count) {
                ev->attachments = h->atts;
                ev->attachment_count = h->count;
            }
            return 1;
        }
    }
    return 0;
}

/* The namespace connected (CONNECT reply): the emits made before it go
 * out in order; those that cannot are reported, as their acks. */
static int sio__ns_on_connect(sio_client *c, int i, int recovered, sio_event *ev)
{
    sio__ns *ns = c->socketio.namespaces.list[i];
    const sio__queued *q;
    unsigned long too_big = 0;                   /* without an ack: said once, not per emit */
    while ((q = ns->queue_head) != NULL) {
        int k = q->ack_id >= 0 ? sio__acks_find(&c->socketio.acks, i, (uint64_t)q->ack_id) : -1;
        if (!sio__queued_fits(c, q)) {       /* emitted before the server's maxPayload was known */
            snprintf(c->why, sizeof c->why, "sio: an emit on %.100s is larger than the server's maxPayload (%lu bytes): not sent",
                     ns->name, (unsigned long)c->eio.session.max_payload);
            if (k >= 0) sio__end_ack(c, (size_t)k, SIO_ERR_TOO_BIG, c->why);
            else too_big++;
        } else {
            if (sio__send_queued(c, q) != SIO_OK) break;
            if (k >= 0) c->socketio.acks.list[k].sent = 1;
        }
        sio__namespaces_shift(&c->socketio.namespaces, &c->sys.alloc, ns);
    }
    if (too_big) {
        sio__pending *p;
        snprintf(c->why, sizeof c->why, "sio: %lu emit(s) on %.100s larger than the server's maxPayload (%lu bytes) "
                 "were not sent", too_big, ns->name, (unsigned long)c->eio.session.max_payload);
        if ((p = sio__push(c, SIO_EVENT_ERROR, 0, SIO_ERR_TOO_BIG, 0, c->why)) != NULL) p->ns = i;
    }
    sio__ns_discard_queue(c, i, "they could not be sent (memory or the random source failed)");
    sio__outbox_next(c, i);
    ev->type = SIO_EVENT_CONNECT;
    ev->ns = ns->name;
    ev->sid = ns->sid;
    ev->recovered = recovered;
    return 1;
}

/* The namespace refused the connection: message and data for the event
 * (v4's ERROR packet carries the data alone); its queued emits fail.  A
 * CONNECT reply without a sid (why) refuses it too: the events held for
 * it go, its queue waits for a new join. */
static int sio__ns_on_connect_error(sio_client *c, int i, const sio_packet *pk, char *data, sio_event *ev,
                                    const char *why)
{
    sio_json payload = sio_json_make(data, pk->data_len), m, d;
    char *text;
    ev->type = SIO_EVENT_CONNECT_ERROR;
    ev->ns = c->socketio.namespaces.list[i]->name;
    ev->error = SIO_ERR_HANDSHAKE;
    ev->args = "null";
    ev->args_len = 4;
    if (why) {
        ev->message = why;
        sio__namespaces_drop_held(&c->socketio.namespaces, &c->sys.alloc, c->socketio.namespaces.list[i]);
        return 1;
    }
    if (sio_json_typeof(payload) == SIO_JSON_STRING) m = payload;
    else if (!sio_json_find(payload, "message", &m)) m.len = 0;
    if (c->eio.version == 3 && pk->data_len && sio_json_typeof(payload) != SIO_JSON_STRING) {
        data[pk->data_len] = 0;                 /* Socket.IO v4 ERROR: the payload is the data */
        ev->args = data;
        ev->args_len = pk->data_len;
    } else if (sio_json_typeof(payload) == SIO_JSON_OBJECT && sio_json_find(payload, "data", &d)) {
        ((char *)d.text)[d.len] = 0;            /* inside our buffer: the ',' or '}' after it */
        ev->args = d.text;
        ev->args_len = d.len;
    }
    text = sio__scratch(c, m.len + 1);
    if (text && m.len) sio__value_text(m, text, m.len + 1);
    else if (text) text[0] = 0;
    ev->message = text ? text : "";
    sio__ns_discard_queue(c, i, "the namespace refused the connection");
    sio__outbox_fail(c, i, SIO_ERR_CLOSED, "the namespace refused the connection");
    sio__namespaces_leave(&c->socketio.namespaces, &c->sys.alloc, i);
    return 1;
}

/* The server answered the try in flight of an outbox emit: the emit is
 * done (reported when it asked for the answer) and the next one goes. */
static int sio__outbox_on_ack(sio_client *c, sio__outgoing *e, char *data, size_t len, sio_event *ev)
{
    int i = e->ns, report = e->want_ack;
    if (report) {
        ev->type = SIO_EVENT_ACK;
        ev->ns = c->socketio.namespaces.list[i]->name;
        ev->ack_id = (int64_t)e->id;
        ev->attempt = e->tries;
        ev->args = data;
        ev->args_len = len;
        data[len] = 0;
    }
    sio__outbox_remove(&c->socketio.outbox, &c->sys.alloc, e);
    sio__outbox_next(c, i);
    return report;
}

/* One Socket.IO packet; data is writable (see above).  Returns 1 with an
 * event. */
static int sio__socketio_packet(sio_client *c, const sio_packet *pk, char *data, sio_event *ev)
{
    sio__namespaces *n = &c->socketio.namespaces;
    int i, k, recovered = 0;
    sio__outgoing *e;
    int verdict;
    if (pk->type == SIO_PACKET_CONNECT && c->websocket.close_sent)
        return 0;                               /* too late: the namespace connects on the next connection */
    verdict = sio__namespaces_receive(n, c->eio.version, c->eio.session.sid, pk, sio_json_make(data, pk->data_len),
                                          &i, &recovered);
    switch (verdict) {
    case SIO__NS_JOINED:
        return sio__ns_on_connect(c, i, recovered, ev);
    case SIO__NS_NO_SID:
    case SIO__NS_REFUSED:
        return sio__ns_on_connect_error(c, i, pk, data, ev, verdict == SIO__NS_REFUSED ? NULL :
                                        "It seems you are trying to reach a Socket.IO server "
                                        "in v2.x with a v3.x client, but they are not compatible");
    case SIO__NS_LEFT:
        sio__fail_acks(c, i, SIO_ERR_CLOSED, "socket has been disconnected", 0);
        sio__outbox_fail(c, i, SIO_ERR_CLOSED, "socket has been disconnected");
        ev->type = SIO_EVENT_DISCONNECT;
        ev->ns = n->list[i]->name;
        ev->reason = "io server disconnect";
        sio__socketio_maybe_close(c);
        return 1;
    case SIO__NS_EARLY: {
        size_t count = pk->attachments ? c->socketio.binary.have : 0;
        if (sio__namespaces_hold(n, &c->sys.alloc, n->list[i], pk, data, count ? c->socketio.binary.parts : NULL, count,
                                 c->max_message) != SIO_OK)
            sio__fail(c, SIO_CLOSE_TOO_BIG, SIO_ERR_TOO_BIG, "sio: events before the CONNECT reply exceed max_message");
        return 0;
    }
    case SIO__NS_EVENT:
        return sio__socketio_event(c, i, pk, data, ev);
    case SIO__NS_ACK:   /* unknown ids are ignored, and those of emits still queued: the server cannot know them */
        if ((e = sio__outbox_answered(&c->socketio.outbox, i, pk->id)) != NULL)
            return sio__outbox_on_ack(c, e, data, pk->data_len, ev);
        if ((k = sio__acks_find(&c->socketio.acks, i, pk->id)) < 0 || !c->socketio.acks.list[k].sent) return 0;
        sio__acks_remove(&c->socketio.acks, (size_t)k);
        ev->type = SIO_EVENT_ACK;
        ev->ns = n->list[i]->name;
        ev->ack_id = (int64_t)pk->id;
        ev->args = data;
        ev->args_len = pk->data_len;
        data[pk->data_len] = 0;
        return 1;
    default:
        return 0;
    }
}

/* Whether a {"_placeholder":true,"num":N} object names an attachment that
 * exists.  The range first: converting 1e300 to an integer is undefined. */
static int sio__placeholder_num_ok(const char *text, size_t len, size_t count)
{
    double d;
    return sio_json_number(sio_json_make(text, len), &d) == SIO_OK && d >= 0 && d < (double)count &&
           d == (double)(size_t)d;
}

enum { SIO__PH_OBJECT = 1, SIO__PH_KEY = 2, SIO__PH_SEEN = 4, SIO__PH_TRUE = 8, SIO__PH_NUM_SEEN = 16,
       SIO__PH_NUM_OK = 32, SIO__PH_BAD = 64, SIO__PH_TWICE = 128 };

/* Every {"_placeholder":true,...} in a binary packet must name an
 * attachment that exists; what is inside a placeholder is not looked at.
 * An object with "_placeholder" that repeats it or "num" is refused: the
 * server's JSON.parse keeps the last value, this check would see the first.
 * One pass over the validated text with a state byte per open object or
 * array: linear in the size at any depth (walking each level again cost
 * size x depth).  Returns 1, 0, or SIO_ERR_NOMEM. */
static int sio__placeholders_ok(sio_client *c, const char *p, size_t n, size_t count)
{
    unsigned char small[64], *st = small;
    size_t i, depth = 0, max_depth = 0, d = 0;
    int pending = 0, ok = 1;                     /* 1: _placeholder's value next, 2: num's */
    for (i = 0; i < n; i++) {                    /* how deep, so the stack can be sized */
        if (p[i] == '"') { for (i++; i < n && p[i] != '"'; i++) if (p[i] == '\\') i++; }
        else if (p[i] == '{' || p[i] == '[') { if (++d > max_depth) max_depth = d; }
        else if (p[i] == '}' || p[i] == ']') d--;
    }
    if (max_depth > sizeof small && !(st = (unsigned char *)sio__realloc(&c->sys.alloc, NULL, max_depth))) return SIO_ERR_NOMEM;
    for (i = 0; i < n && ok; i++) {
        unsigned char *top = depth ? &st[depth - 1] : NULL;
        size_t start = i;
        switch (p[i]) {
        case ' ': case '\t': case '\r': case '\n': case ':':
            continue;
        case ',':
            if (top && (*top & SIO__PH_OBJECT)) *top |= SIO__PH_KEY;
            continue;
        case '{': case '[':
            if (pending == 1 && top) *top &= (unsigned char)~SIO__PH_TRUE;
            pending = 0;
            st[depth++] = p[i] == '{' ? SIO__PH_OBJECT | SIO__PH_KEY : 0;
            continue;
        case '}': case ']': {
            int good = ((*top & SIO__PH_SEEN) && (*top & SIO__PH_TWICE)) ? 0 :
                       (*top & SIO__PH_TRUE) ? (*top & SIO__PH_NUM_OK) != 0 : !(*top & SIO__PH_BAD);
            depth--;
            if (!good && depth) st[depth - 1] |= SIO__PH_BAD;
            else if (!good) ok = 0;
            continue;
        }
        case '"':
            for (i++; i < n && p[i] != '"'; i++) if (p[i] == '\\') i++;
            if (top && (*top & SIO__PH_KEY)) {   /* a key: _placeholder and num matter */
                sio_json k = sio_json_make(p + start, i + 1 - start);
                unsigned char seen = sio_json_string_equals(k, "_placeholder") ? SIO__PH_SEEN :
                                     sio_json_string_equals(k, "num") ? SIO__PH_NUM_SEEN : 0;
                *top &= (unsigned char)~SIO__PH_KEY;
                if (seen && (*top & seen)) *top |= SIO__PH_TWICE;
                else if (seen) { *top |= seen; pending = seen == SIO__PH_SEEN ? 1 : 2; }
                continue;
            }
            pending = 0;                         /* a string value */
            continue;
        default:                                 /* a number, true, false or null */
            while (i + 1 < n && p[i + 1] != ',' && p[i + 1] != '}' && p[i + 1] != ']' && p[i + 1] != ' ' &&
                   p[i + 1] != '\t' && p[i + 1] != '\r' && p[i + 1] != '\n')
                i++;
            if (top && pending == 1 && i + 1 - start == 4 && memcmp(p + start, "true", 4) == 0) *top |= SIO__PH_TRUE;
            if (top && pending == 2 && sio__placeholder_num_ok(p + start, i + 1 - start, count)) *top |= SIO__PH_NUM_OK;
            pending = 0;
            continue;
        }
    }
    if (st != small) sio__free(&c->sys.alloc, st);
    return ok;
}

/* Checks the placeholders of a binary packet against count attachments;
 * 0 (the connection failing) when one names none of them. */
static int sio__socketio_placeholders_check(sio_client *c, const sio_packet *pk, size_t count)
{
    int r = sio__placeholders_ok(c, pk->data, pk->data_len, count);
    if (r == SIO_ERR_NOMEM) {
        sio__fail(c, SIO_CLOSE_INTERNAL, SIO_ERR_NOMEM, "sio: out of memory checking attachment placeholders");
        return 0;
    }
    if (!r) sio__socketio_parse_error(c, "sio: attachment placeholder with a missing or out-of-range num");
    return r;
}

/* A part of an attachment handed over as it came (receive_parts): an
 * ATTACHMENT event when its packet was delivered.  Returns 1 with it. */
static int sio__socketio_attachment_part(sio_client *c, const unsigned char *data, size_t len, uint64_t offset,
                                         int final, sio_event *ev)
{
    sio__binary *b = &c->socketio.binary;
    size_t count = b->need;                      /* the last part ends the packet */
    long index = sio__binary_part(b, final);
    if (index < 0) {
        sio__socketio_parse_error(c, "sio: binary message without a binary packet announcing it");
        return 0;
    }
    if (!b->deliver || (!len && !final)) return 0;
    ev->type = SIO_EVENT_ATTACHMENT;
    ev->ns = b->ns;
    ev->ack_id = b->id;
    ev->attachment_index = (size_t)index;
    ev->attachment_count = count;
    ev->binary = 1;
    ev->data = data;
    ev->len = len;
    ev->offset = offset;
    ev->final = final;
    return 1;
}

/* Bytes of an attachment (a part of it when final is 0): kept until its
 * packet is whole, or with receive_parts handed over at once.  Returns 1
 * with an event. */
static int sio__socketio_attachment(sio_client *c, const unsigned char *data, size_t len, uint64_t offset,
                                    int final, sio_event *ev)
{
    sio__binary *b = &c->socketio.binary;
    sio_packet pk;
    const char *why = NULL;
    if (b->in_parts) return sio__socketio_attachment_part(c, data, len, offset, final, ev);
    switch (sio__binary_add(b, &c->sys.alloc, data, len, final, c->max_message)) {
    case 0:
        return 0;
    case 1:
        break;
    case SIO_ERR_STATE:
        sio__socketio_parse_error(c, "sio: binary message without a binary packet announcing it");
        return 0;
    case SIO_ERR_TOO_BIG:
        snprintf(c->why, sizeof c->why, "sio: the attachments of one binary packet exceed max_message (%lu bytes)",
                 (unsigned long)c->max_message);
        sio__fail(c, SIO_CLOSE_TOO_BIG, SIO_ERR_TOO_BIG, c->why);
        return 0;
    default:
        sio__fail(c, SIO_CLOSE_INTERNAL, SIO_ERR_NOMEM, "sio: out of memory storing an attachment");
        return 0;
    }
    /* All attachments are here: deliver the packet that announced them. */
    sio_packet_decode(&pk, b->text, b->text_len, (unsigned)c->max_attachments, c->max_json_depth, &why);
    if (!sio__socketio_placeholders_check(c, &pk, b->have)) return 0;
    if (!sio__socketio_packet(c, &pk, (char *)pk.data, ev)) {
        sio__binary_release(&c->socketio.binary, &c->sys.alloc);   /* not delivered: the next binary packet may follow in this read */
        return 0;
    }
    ev->attachments = b->parts;
    ev->attachment_count = b->have;
    return 1;
}

/* Answers Engine.IO pings that wait behind other frames on the WebSocket,
 * so a burst of events the application is still working through cannot
 * make the server's pingTimeout expire.  Each frame is looked at once.
 * The pings answered ahead are skipped in their turn by count, so they
 * must be the next ones in the stream: the look-ahead stops at a ping it
 * cannot answer now (fragmented, over-long, or no room for the pong). */
static void sio__eio_pings_ahead(sio_client *c, uint64_t now)
{
    sio_ws_frame f;
    const unsigned char *payload;
    if (SIO__POLLING(c) || c->websocket.close_sent || !sio__eio_looks_ahead(&c->eio)) return;
    while (sio__websocket_peek(&c->websocket, &c->ln, &f, &payload)) {
        size_t n = (size_t)f.length;
        if (f.rsv) break;                       /* compressed: only its turn can read it */
        if (f.opcode == SIO_WS_TEXT && sio__eio_is_ping(payload, n)) {
            if (!f.fin || f.masked || n > 125 || !sio__small_packet_fits(c, n - 1))
                break;                          /* its own turn answers it (or reports the full queue) */
            sio__eio_send_text(c, "3", 1, (const char *)payload + 1, n - 1);
            sio__eio_ping_ahead(&c->eio, now);
            c->output_now = 1;                  /* the point is to answer before the burst is worked through */
        }
        sio__websocket_peek_next(&c->websocket, &f);
    }
}

/* The Engine.IO session opened: the joined namespaces connect. */
static int sio__eio_on_open(sio_client *c, sio_event *ev)
{
    size_t i;
    c->deadline = 0;                        /* connected: the connect timeout is over */
    for (i = 0; i < c->socketio.namespaces.count; i++) {
        sio__ns *ns = c->socketio.namespaces.list[i];
        if (!ns->joined) continue;
        if (c->eio.version == 3 && strcmp(ns->name, "/") == 0)
            ns->state = SIO__NS_CONNECTING;   /* Socket.IO v4: the server connects "/" itself */
        else
            sio__send_connect(c, (int)i);
    }
    ev->type = c->retries ? SIO_EVENT_RECONNECT : SIO_EVENT_OPEN;
    ev->attempt = (int)c->retries;
    ev->sid = c->eio.session.sid;
    c->retries = 0;                         /* the backoff starts over */
    return 1;
}

/* The server closes the session. */
static void sio__eio_on_close(sio_client *c, uint64_t now)
{
    c->socketio.disconnect_reason = "transport close";
    if (SIO__POLLING(c)) {
        sio__finish(c, SIO_CLOSE_NORMAL, "", 1);
        return;
    }
    if (!c->websocket.close_sent) {
        sio__websocket_close(&c->websocket, &c->sys, &c->ln, SIO_CLOSE_NORMAL, "");
        c->phase = SIO__CLOSING;
        c->deadline = now + (uint64_t)c->close_timeout;
    }
}

/* A base64 attachment (polling), decoded where it lies: the bytes are
 * written behind the text being read, never ahead of it. */
static int sio__socketio_base64_attachment(sio_client *c, unsigned char *text, size_t len, sio_event *ev)
{
    size_t n = 0;
    if (sio_base64_decode((const char *)text, len, text, &n) != SIO_OK) {
        sio__socketio_parse_error(c, "eio: bad base64 in a binary packet");
        return 0;
    }
    text[n] = 0;
    return sio__socketio_attachment(c, text, n, 0, 1, ev);
}

/* A binary packet whose attachments are handed over in parts as they come
 * (receive_parts): delivered now, with attachment_count and no
 * attachments; or dropped (an unknown ack, an event not subscribed to),
 * its attachments then too.  Returns 1 with an event. */
static int sio__socketio_packet_in_parts(sio_client *c, const sio_packet *pk, sio_event *ev)
{
    int delivered;
    if (!sio__socketio_placeholders_check(c, pk, pk->attachments)) return 0;
    if (c->socketio.binary.need) {               /* before anything is delivered (text in between fails earlier) */
        sio__socketio_parse_error(c, "sio: binary packet while another one's attachments were expected");
        return 0;
    }
    sio__binary_release(&c->socketio.binary, &c->sys.alloc);   /* a packet delivered earlier in this step */
    delivered = sio__socketio_packet(c, pk, (char *)pk->data, ev);
    if (c->phase == SIO__FAILING || c->phase < SIO__CONNECTING) return 0;
    sio__binary_begin_parts(&c->socketio.binary, pk->attachments, delivered, delivered ? ev->ns : NULL,
                            delivered ? ev->ack_id : -1);
    if (delivered) ev->attachment_count = pk->attachments;
    return delivered;
}

/* A Socket.IO packet (the text after Engine.IO's "4"); a binary one is
 * kept until its attachments arrive.  text[len] is writable. */
static int sio__socketio_text_packet(sio_client *c, unsigned char *text, size_t len, sio_event *ev)
{
    const char *why = NULL;
    sio_packet pk;
    int r;
    if (sio_packet_decode(&pk, (const char *)text, len, (unsigned)c->max_attachments,
                          c->max_json_depth, &why) != SIO_OK) {
        sio__socketio_parse_error(c, why);
        return 0;
    }
    if (pk.attachments && c->socketio.receive_parts &&
        !sio__namespaces_early(&c->socketio.namespaces, &pk))   /* held events need their attachments whole */
        return sio__socketio_packet_in_parts(c, &pk, ev);
    if (pk.attachments) {                       /* keep the header until its attachments arrive */
        sio__binary_release(&c->socketio.binary, &c->sys.alloc);   /* a packet delivered earlier in this step */
        r = sio__binary_begin(&c->socketio.binary, &c->sys.alloc, (const char *)text, len, pk.attachments);
        if (r == SIO_ERR_STATE)                          /* never overwrite one still collecting */
            sio__socketio_parse_error(c, "sio: binary packet while another one's attachments were expected");
        else if (r != SIO_OK)
            sio__fail(c, SIO_CLOSE_INTERNAL, SIO_ERR_NOMEM, "sio: out of memory for a binary packet");
        return 0;
    }
    if ((pk.type == SIO_PACKET_BINARY_EVENT || pk.type == SIO_PACKET_BINARY_ACK) &&
        !sio__socketio_placeholders_check(c, &pk, 0))  /* "0-": no placeholder can be right */
        return 0;
    return sio__socketio_packet(c, &pk, (char *)pk.data, ev);
}

/* One message of the transport at time now: what Engine.IO makes of it,
 * and the Socket.IO packet or attachment it carries.  Returns 1 with an
 * event.  data[len] is writable. */
static int sio__eio_message(sio_client *c, uint64_t now, int binary, unsigned char *data, size_t len,
                            uint64_t offset, int final, sio_event *ev)
{
    const unsigned char *p = data;
    const char *why = NULL;
    if (binary && offset > 0) {                 /* the rest of an attachment in parts: Engine.IO saw its start */
        if (final) sio__heartbeat_heard(&c->eio.heartbeat, now);
        else sio__heartbeat_heard_part(&c->eio.heartbeat, now, len);
        return sio__socketio_attachment(c, data, len, offset - (c->eio.version == 3), final, ev);
    }
    if (!binary && c->socketio.binary.need && len > 0 && data[0] == '0' + SIO_EIO_MESSAGE) {
        sio__binary_abandon(&c->socketio.binary);  /* Engine.IO pings and noops may come between */
        sio__socketio_parse_error(c, "sio: text message while binary attachments were expected");
        return 0;
    }
    switch (sio__eio_receive(&c->eio, binary, final, &p, &len, now, &why)) {
    case SIO__EIO_OPENED:
        return sio__eio_on_open(c, ev);
    case SIO__EIO_CLOSED:
        sio__eio_on_close(c, now);
        return 0;
    case SIO__EIO_PONG_WANTED:
        sio__eio_pong(c, (const char *)p, len);
        return 0;
    case SIO__EIO_PACKET:
        return sio__socketio_text_packet(c, (unsigned char *)p, len, ev);
    case SIO__EIO_ATTACHMENT:
        return sio__socketio_attachment(c, p, len, 0, final, ev);
    case SIO__EIO_BASE64_ATTACHMENT:
        return sio__socketio_base64_attachment(c, (unsigned char *)p, len, ev);
    case SIO__EIO_ERROR:
        sio__socketio_parse_error(c, why);
        return 0;
    default:
        return 0;
    }
}
#endif
#ifdef SIO_SOURCE_LINES
#line 1 "src/socketio_api.c"
#endif
#if SIO__WITH_SOCKETIO   /* SIO_NO_SOCKETIO: the calls below answer SIO_ERR_STATE */
/* Engine.IO 3 with an attachment open (or what waited behind one still
 * draining): the client's ping waits behind it, so a WebSocket ping, which
 * may go between its fragments, asks whether the server is there (not when
 * the link is full: the server is not reading; nor after our close frame).
 * Whatever is read after it answers, and so does a server seen reading
 * (the ping may wait behind parts a slow reader is taking). */
static void sio__eio3_websocket_ping(sio_client *c, uint64_t now)
{
    sio__heartbeat_asked(&c->eio.heartbeat, now);
    if (c->websocket.close_sent) return;
    if (c->ln.tx_len - c->ln.tx_sent + 6 > c->max_send_queue + SIO__PONG_SLACK) return;   /* 6: the ping's frame */
    sio__websocket_send(&c->websocket, &c->sys, &c->ln, SIO_WS_PING, (const unsigned char *)"", 0, (size_t)-1);
    sio__eio3_mark_ping(c);
    c->output_now = 1;
}

/* Engine.IO 3 over WebSocket, at a ping timeout.  While the oldest
 * unanswered ping has not left (it waits behind attachments in parts, or
 * behind what waited behind them, or in a backlog a slow reader is taking)
 * no answer can be expected: a server read from or seen reading since the
 * ask is kept.  Once the socket took the ping (the link's mark), only a
 * whole packet (or WebSocket pong) read after that keeps it: bytes of a
 * frame still coming are no answer, a server could trickle them for ever. */
static int sio__eio3_alive_behind_backlog(const sio_client *c)
{
    uint64_t since = sio__heartbeat_asked_at(&c->eio.heartbeat);
    if (!c->eio.heartbeat.client_pings || SIO__POLLING(c)) return 0;
    if (c->ln.marked && c->ln.mark_taken_at) return c->eio.heartbeat.heard_at >= c->ln.mark_taken_at;
    return c->eio.heartbeat.heard_at >= since || c->ln.peer_reading >= since;
}

/* The oldest unanswered ping left the socket less than pingTimeout ago:
 * its answer has pingTimeout from then (not from the ask). */
static int sio__eio3_ping_left_lately(const sio_client *c, uint64_t now)
{
    return c->eio.heartbeat.client_pings && !SIO__POLLING(c) && c->ln.marked && c->ln.mark_taken_at &&
           c->eio.heartbeat.heard_at < c->ln.mark_taken_at && now < c->ln.mark_taken_at + sio__heartbeat_wait(&c->eio.heartbeat);
}

/* Engine.IO 3: the server's packets keep its session (any packet is a sign
 * of life), so a server that talks but reads nothing would be kept for
 * ever; one that took no byte for pingInterval + pingTimeout is given up.
 * (Engine.IO 4 drops it when its pong finds no room.)  0: no such wait. */
static uint64_t sio__eio3_write_deadline(const sio_client *c)
{
    uint64_t since;
    if (!c->eio.heartbeat.client_pings || !c->eio.heartbeat.deadline || SIO__POLLING(c) || !c->ln.write_blocked)
        return 0;
    since = c->ln.peer_reading > c->ln.blocked_since ? c->ln.peer_reading : c->ln.blocked_since;
    return since + c->eio.heartbeat.interval + c->eio.heartbeat.timeout;
}

static void sio__socketio_timers(sio_client *c, uint64_t now)
{
    int k = 0;
    size_t i;
    sio__outgoing *e;
    if (!SIO__SOCKETIO(c)) return;
    while ((e = sio__outbox_expired(&c->socketio.outbox, now)) != NULL)   /* ends: resent with a later deadline, or not in flight */
        sio__outbox_next(c, e->ns);
    if (c->socketio.outbox_stalled) {
        c->socketio.outbox_stalled = 0;
        for (i = 0; i < c->socketio.namespaces.count; i++) sio__outbox_next(c, (int)i);
    }
    while ((k = sio__acks_expired(&c->socketio.acks, (size_t)k, now)) >= 0) {   /* ack timers run while offline too */
        const sio__ack *a = &c->socketio.acks.list[k];
        if (!a->sent)
            sio__namespaces_unqueue(&c->socketio.namespaces, &c->sys.alloc, c->socketio.namespaces.list[a->ns], a->id);
        sio__end_ack(c, (size_t)k, SIO_ERR_TIMEOUT, "operation has timed out");
    }
    if (c->phase != SIO__OPEN) return;
    sio__socketio_parts_stalled(c, now);
    if (c->phase != SIO__OPEN) return;
    if (sio__eio3_write_deadline(c) && now >= sio__eio3_write_deadline(c)) {
        char text[SIO__TEXT_SIZE];
        snprintf(text, sizeof text, "eio: the server took no bytes for pingInterval + pingTimeout (%ld ms)",
                 c->eio.session.ping_interval + c->eio.session.ping_timeout);
        c->socketio.disconnect_reason = "ping timeout";
        sio__push(c, SIO_EVENT_ERROR, 0, SIO_ERR_TIMEOUT, 0, text);
        sio__finish(c, SIO_CLOSE_ABNORMAL, "ping timeout", 0);
        return;
    }
    switch (sio__eio_due(&c->eio, now)) {
    case SIO__HEARTBEAT_PING:                    /* Engine.IO 3: the client pings (a server reading nothing gets none) */
        if (sio__small_packet_fits(c, 0) && sio__eio_send_text(c, "2", 1, "", 0) == SIO_OK && !SIO__POLLING(c)) {
            if (c->socketio.parts_to_send) c->socketio.ping_held = 1;   /* it waits behind the parts */
            else sio__eio3_mark_ping(c);
        }
        if (c->socketio.parts_to_send) sio__eio3_websocket_ping(c, now);
        break;
    case SIO__HEARTBEAT_TIMEOUT: {
        char text[SIO__TEXT_SIZE];
        if (!SIO__POLLING(c) && !sio__silent_since(c, c->eio.heartbeat.deadline)) break;   /* unread bytes may hold the ping */
        if (sio__eio3_ping_left_lately(c, now)) {
            sio__heartbeat_asked(&c->eio.heartbeat, c->ln.mark_taken_at);
            break;
        }
        if (sio__eio3_alive_behind_backlog(c)) {
            sio__eio3_websocket_ping(c, now);   /* ask again */
            break;
        }
        snprintf(text, sizeof text, "eio: no ping from the server within pingInterval + pingTimeout (%ld ms)",
                 c->eio.session.ping_interval + c->eio.session.ping_timeout);
        c->socketio.disconnect_reason = "ping timeout";
        sio__push(c, SIO_EVENT_ERROR, 0, SIO_ERR_TIMEOUT, 0, text);
        sio__finish(c, SIO_CLOSE_ABNORMAL, "ping timeout", 0);   /* the server is gone: no close handshake */
        break;
    }
    default:
        break;
    }
}

/* When sio__socketio_timers has something to do: the acks' deadlines
 * always, the heartbeat's and a close's waiting for parts while the session
 * is open (closing, it has none: the close timeout runs). */
static uint64_t sio__socketio_deadline(const sio_client *c)
{
    uint64_t open = c->phase != SIO__OPEN ? 0 : sio__earliest(sio__earliest(sio__eio_deadline(&c->eio),
                                                                            sio__eio3_write_deadline(c)),
                                                              c->socketio.stop_waits ? c->socketio.stop_deadline : 0);
    return sio__earliest(sio__earliest(open, sio__acks_deadline(&c->socketio.acks)),
                         sio__outbox_deadline(&c->socketio.outbox));
}

/* The body of an event or ack as pieces, [<name>,<args>], pointing into
 * event, args and name_buf (or w, for a long name: sio_jw_free it). */
static int sio__emit_body(sio_client *c, const char *event, const char *args, sio_json_writer *w,
                          char *name_buf, size_t name_cap, const void **pieces, size_t *lens, size_t *n)
{
    const char *inner = "";
    size_t inner_len = 0;
    if (args && *args) {
        sio_json arr = sio_json_make(args, strlen(args));
        if (arr.len > 2) {
            inner = arr.text + 1;
            inner_len = arr.len - 2;
            while (inner_len && strchr(" \t\r\n", *inner)) { inner++; inner_len--; }
        }
    }
    pieces[*n] = "[";
    lens[(*n)++] = 1;
    sio_jw_init(w, name_buf, name_cap);   /* the escaped name: on the stack unless long */
    if (event) {
        sio_jw_cstring(w, event);
        if (w->error) {
            sio_jw_init(w, NULL, 0);
            w->allocator = c->sys.alloc;
            sio_jw_cstring(w, event);
            if (w->error) { sio_jw_free(w); return SIO_ERR_NOMEM; }
        }
        pieces[*n] = w->buf;
        lens[(*n)++] = w->len;
    }
    if (inner_len) {
        if (event) { pieces[*n] = ","; lens[(*n)++] = 1; }
        pieces[*n] = inner;
        lens[(*n)++] = inner_len;
    }
    pieces[*n] = "]";
    lens[(*n)++] = 1;
    return SIO_OK;
}

/* Bytes the client holds to send later: the namespaces' queues and the
 * outbox. */
static size_t sio__to_send_later(const sio_client *c)
{
    return c->socketio.namespaces.queued_bytes + c->socketio.outbox.bytes;
}

/* Whether a packet of text_len bytes and count attachments may be taken:
 * SIO_ERR_TOO_BIG over the server's maxPayload, SIO_ERR_FULL when the bytes
 * waiting to go would pass max_send_queue, else SIO_OK. */
static int sio__emit_room(const sio_client *c, size_t text_len, const sio_bytes *atts, size_t count)
{
    size_t k, total = text_len;
    for (k = 0; k < count; k++) {
        if (!sio__packet_fits(c, atts[k].len, 1)) return SIO_ERR_TOO_BIG;
        total += atts[k].len;
    }
    if (!sio__packet_fits(c, text_len, 0)) return SIO_ERR_TOO_BIG;
    return sio__to_send_later(c) + sio__backlog(c) + total > c->max_send_queue ? SIO_ERR_FULL : SIO_OK;
}

/* Encodes an event or ack as pieces: 4<header>[<name>,<args>] and sends it
 * at once (no copy, no allocation: straight into the transport's buffer) or
 * copies it into the namespace's queue until the CONNECT reply.  atts NULL
 * with count: the attachments follow in parts (sent at once, see below). */
static int sio__socketio_emit(sio_client *c, int i, int type, int has_id, uint64_t id, const char *event,
                        const char *args, const sio_bytes *atts, size_t count)
{
    sio__ns *ns = c->socketio.namespaces.list[i];
    const void *pieces[6];
    size_t lens[6], n = 0, total = 0, k;
    char head[256], name_buf[256];
    sio_json_writer w;
    int r = SIO_OK;
    head[0] = '4';
    pieces[n] = head;
    lens[n++] = 1 + sio_packet_encode_header(head + 1, count ? type + 3 : type, (unsigned)count, ns->name, has_id, id);
    if ((r = sio__emit_body(c, event, args, &w, name_buf, sizeof name_buf, pieces, lens, &n)) != SIO_OK) return r;
    for (k = 0; k < n; k++) total += lens[k];
    if ((r = sio__emit_room(c, total, atts, atts ? count : 0)) != SIO_OK) {
        sio_jw_free(&w);
        return r;
    }
    if (ns->state == SIO__NS_CONNECTED && c->eio.open && !c->websocket.close_sent) {
        r = sio__eio_send(c, 0, pieces, lens, n);
        for (k = 0; r == SIO_OK && atts && k < count; k++) {
            const void *piece = atts[k].data;
            r = sio__eio_send(c, 1, &piece, &atts[k].len, 1);
        }
        sio_jw_free(&w);
        return r;
    }
    r = sio__namespaces_enqueue(&c->socketio.namespaces, &c->sys.alloc, ns, pieces, lens, n, atts, count,
                                type == SIO_PACKET_EVENT && has_id ? (int64_t)id : -1);
    sio_jw_free(&w);
    return r;
}

/* An emit with retries: kept in the outbox until the server answers it,
 * sent when its turn comes.  Its id is taken from the acks' ids, so that
 * every ACK event names one emit. */
static int sio__emit_at_least_once(sio_client *c, int i, const sio_emit_options *o, int64_t *ack_id)
{
    const void *pieces[5];
    size_t lens[5], n = 0, total = 0, k;
    char head[256], name_buf[256];
    sio_json_writer w;
    uint64_t id = c->socketio.acks.next_id;
    int r;
    if (c->socketio.outbox.count + c->socketio.acks.count >= c->max_pending_acks) return SIO_ERR_FULL;
    if ((r = sio__emit_body(c, o->event, o->args, &w, name_buf, sizeof name_buf, pieces, lens, &n)) != SIO_OK) return r;
    for (k = 0; k < n; k++) total += lens[k];
    total += 1 + sio_packet_encode_header(head, o->attachment_count ? SIO_PACKET_BINARY_EVENT : SIO_PACKET_EVENT,
                                          (unsigned)o->attachment_count, c->socketio.namespaces.list[i]->name, 1, id);
    r = sio__emit_room(c, total, o->attachments, o->attachment_count);
    if (r == SIO_OK)
        r = sio__outbox_add(&c->socketio.outbox, &c->sys.alloc, i, id, o->ack, pieces, lens, n,
                            o->attachments, o->attachment_count);
    sio_jw_free(&w);
    if (r != SIO_OK) return r;
    c->socketio.outbox.tail->timeout = o->ack_timeout_ms > 0 ? (uint64_t)o->ack_timeout_ms : c->emit_ack_timeout;
    c->socketio.acks.next_id++;
    if (ack_id) *ack_id = (int64_t)id;
    sio__outbox_next(c, i);
    return SIO_OK;
}

static int sio__check_args(const sio_client *c, const char *args)
{
    sio_json v;
    if (!args || !*args) return SIO_OK;
    if (sio_json_validate(args, strlen(args), SIO__JSON_MAX_DEPTH, NULL) != SIO_OK) return SIO_ERR_INVALID;
    v = sio_json_make(args, strlen(args));
    (void)c;
    return sio_json_typeof(v) == SIO_JSON_ARRAY ? SIO_OK : SIO_ERR_INVALID;
}

/* A CONNECT or DISCONNECT that finds the send queue full (the server reads
 * nothing, as with pongs) ends the connection instead of growing it; the
 * namespace's new state holds for the next connection (so it is made
 * before this is called: over polling the connection ends at once). */
static void sio__namespace_packet_refused(sio_client *c)
{
    char text[SIO__TEXT_SIZE];
    snprintf(text, sizeof text, "sio: no room for a namespace's CONNECT or DISCONNECT: the send queue is full "
             "(max_send_queue %lu bytes); the server reads nothing", (unsigned long)c->max_send_queue);
    sio__fail(c, SIO_CLOSE_POLICY, SIO_ERR_FULL, text);
}

/* Joins a namespace: CONNECT now if the session is open, else after it
 * opens.  A close that waits for an emit's attachments because the last
 * namespace was left is called off: a namespace is wanted again. */
static int sio__join(sio_client *c, int i)
{
    sio__ns *ns = c->socketio.namespaces.list[i];
    sio__wake(c);
    ns->joined = 1;
    if (ns->state == SIO__NS_OFF) ns->state = SIO__NS_WANTED;
    if (ns->state == SIO__NS_WANTED && c->eio.open && c->phase == SIO__OPEN && !c->user_stop) {
        c->socketio.stop_waits = 0;
        if (!sio__small_packet_fits(c, 2 + strlen(ns->name) + (ns->auth ? strlen(ns->auth) : 0))) {
            sio__namespace_packet_refused(c);
            return SIO_OK;
        }
        return sio__send_connect(c, i);
    }
    return SIO_OK;
}

SIO_API int sio_join(sio_client *c, const char *ns, const char *auth_json)
{
    int i;
    if (!c) return SIO_ERR_INVALID;
    if (!SIO__SOCKETIO(c)) return SIO_ERR_STATE;
    if (sio__events_crowded(c)) return SIO_ERR_FULL;
    if (auth_json && *auth_json &&
        (sio_json_validate(auth_json, strlen(auth_json), SIO__JSON_MAX_DEPTH, NULL) != SIO_OK ||
         sio_json_typeof(sio_json_make(auth_json, strlen(auth_json))) != SIO_JSON_OBJECT))
        return SIO_ERR_INVALID;
    if ((i = sio__namespace(c, ns)) < 0) return i;
    if (auth_json && *auth_json) {
        char *copy = sio__strdup(&c->sys.alloc, auth_json);
        if (!copy) return SIO_ERR_NOMEM;
        sio__free(&c->sys.alloc, c->socketio.namespaces.list[i]->auth);
        c->socketio.namespaces.list[i]->auth = copy;
    }
    return sio__join(c, i);
}

SIO_API int sio_leave(sio_client *c, const char *name)
{
    int i, say, fits;
    sio__ns *ns;
    if (!c) return SIO_ERR_INVALID;
    if (!SIO__SOCKETIO(c)) return SIO_ERR_STATE;
    if (name && !sio__namespace_name_ok(name)) return SIO_ERR_INVALID;
    if ((i = sio__namespace_index(c, name)) < 0) return SIO_ERR_STATE;
    ns = c->socketio.namespaces.list[i];
    sio__wake(c);
    say = (ns->state == SIO__NS_CONNECTED || ns->state == SIO__NS_CONNECTING) && c->phase == SIO__OPEN &&
          !c->websocket.close_sent;
    if (ns->state == SIO__NS_CONNECTED) {
        sio__pending *p = sio__push(c, SIO_EVENT_DISCONNECT, 0, 0, 0, NULL);
        if (p) { p->ns = i; p->reason = "io client disconnect"; }
    }
    sio__fail_acks(c, i, SIO_ERR_CLOSED, "socket has been disconnected", 0);
    sio__outbox_fail(c, i, SIO_ERR_CLOSED, "the namespace was left");
    sio__ns_discard_queue(c, i, "the namespace was left");     /* first: its room is the DISCONNECT's */
    fits = !say || sio__small_packet_fits(c, 2 + strlen(ns->name));
    if (say && fits) {
        char head[256];
        size_t n = 1;
        head[0] = '4';
        n += sio_packet_encode_header(head + 1, SIO_PACKET_DISCONNECT, 0, ns->name, 0, 0);
        sio__eio_send_text(c, head, n, "", 0);
    }
    sio__namespaces_leave(&c->socketio.namespaces, &c->sys.alloc, i);
    if (!fits) sio__namespace_packet_refused(c);
    else sio__socketio_maybe_close(c);
    return SIO_OK;
}

static int sio__emit(sio_client *c, const sio_emit_options *o, int64_t *ack_id);

/* Whether an emit's attachments may follow in parts now: over an open
 * WebSocket, its namespace connected with nothing queued, no other
 * attachments in parts under way.  Without retries: a resend would need
 * the attachments again. */
static int sio__may_send_parts(const sio_client *c, int i)
{
    const sio__ns *ns = c->socketio.namespaces.list[i];
    return c->emit_retries == 0 && c->phase == SIO__OPEN && c->eio.open && !SIO__POLLING(c) &&
           !c->websocket.close_sent && !c->socketio.parts_to_send && !c->websocket.tx_parts &&
           ns->state == SIO__NS_CONNECTED && !ns->queue_head;
}

/* Queues the emit and lets a set know the client has work. */
SIO_API int sio_emit_ex(sio_client *c, const sio_emit_options *o, int64_t *ack_id)
{
    int r = sio__emit(c, o, ack_id);
    if (r == SIO_OK) sio__wake(c);
    return r;
}

static int sio__emit(sio_client *c, const sio_emit_options *o, int64_t *ack_id)
{
    int i, r, in_parts = o && o->attachment_count && !o->attachments;
    uint64_t id = 0;
    if (ack_id) *ack_id = -1;
    if (!c || !o || !o->event || !o->event[0]) return SIO_ERR_INVALID;
    if (!SIO__SOCKETIO(c)) return SIO_ERR_STATE;
    if (sio__events_crowded(c)) return SIO_ERR_FULL;
    if (sio__reserved_event(o->event) || !sio_utf8_valid(o->event, strlen(o->event))) return SIO_ERR_INVALID;
    if ((r = sio__check_args(c, o->args)) != SIO_OK) return r;
    if (o->attachment_count > c->max_attachments) return SIO_ERR_TOO_BIG;
    if ((i = sio__namespace(c, o->ns)) < 0) return i;
    if (!c->socketio.namespaces.list[i]->joined && (r = sio__join(c, i)) != SIO_OK) return r;
    if (in_parts && !sio__may_send_parts(c, i)) return SIO_ERR_STATE;
    if (o->is_volatile && !in_parts && (c->socketio.namespaces.list[i]->state != SIO__NS_CONNECTED ||
                                        c->websocket.close_sent || c->socketio.parts_to_send || sio__backlog(c) > 0))
        return SIO_OK;                          /* not connected, or busy: dropped */
    if (c->emit_retries > 0 && !o->is_volatile) return sio__emit_at_least_once(c, i, o, ack_id);
    if (o->ack) {
        if ((r = sio__acks_reserve(&c->socketio.acks, &c->sys.alloc, c->max_pending_acks)) != SIO_OK) return r;
        id = c->socketio.acks.next_id;
        r = sio__socketio_emit(c, i, SIO_PACKET_EVENT, 1, id, o->event, o->args, o->attachments, o->attachment_count);
        if (r != SIO_OK) return r;
        sio__acks_add(&c->socketio.acks, i, c->socketio.namespaces.list[i]->queue_head == NULL,   /* else it waits in the queue */
                      o->ack_timeout_ms > 0 ? sio__now(c) + (uint64_t)o->ack_timeout_ms : 0);
        if (ack_id) *ack_id = (int64_t)id;
    } else {
        r = sio__socketio_emit(c, i, SIO_PACKET_EVENT, 0, 0, o->event, o->args, o->attachments, o->attachment_count);
        if (r != SIO_OK) return r;
    }
    if (in_parts) c->socketio.parts_to_send = o->attachment_count;
    return SIO_OK;
}

SIO_API int sio_emit(sio_client *c, const char *ns, const char *event, const char *args_json)
{
    sio_emit_options o;
    memset(&o, 0, sizeof o);
    o.ns = ns;
    o.event = event;
    o.args = args_json;
    return sio_emit_ex(c, &o, NULL);
}

SIO_API int sio_emit_string(sio_client *c, const char *ns, const char *event, const char *message)
{
    sio_json_writer w;
    int r;
    if (!c || !message) return SIO_ERR_INVALID;
    sio_jw_init(&w, NULL, 0);
    w.allocator = c->sys.alloc;
    sio_jw_array_begin(&w);
    sio_jw_cstring(&w, message);
    sio_jw_array_end(&w);
    r = w.error ? w.error : sio_emit(c, ns, event, w.buf);
    sio_jw_free(&w);
    return r;
}

SIO_API int sio_ack(sio_client *c, const sio_event *ev, const char *args_json,
                    const sio_bytes *attachments, size_t attachment_count)
{
    int i, r;
    if (!c || !ev || ev->type != SIO_EVENT_EVENT || ev->ack_id < 0 || !ev->ns) return SIO_ERR_INVALID;
    if (attachment_count && !attachments) return SIO_ERR_INVALID;
    if (attachment_count > c->max_attachments) return SIO_ERR_TOO_BIG;
    if ((r = sio__check_args(c, args_json)) != SIO_OK) return r;
    i = sio__namespace_index(c, ev->ns);
    if (i < 0 || c->socketio.namespaces.list[i]->state != SIO__NS_CONNECTED || c->phase != SIO__OPEN) return SIO_ERR_STATE;
    sio__wake(c);
    return sio__socketio_emit(c, i, SIO_PACKET_ACK, 1, (uint64_t)ev->ack_id, NULL, args_json, attachments, attachment_count);
}

SIO_API int sio_subscribe(sio_client *c, const char *name, const char *event)
{
    int i, r;
    if (!c || !event || !event[0]) return SIO_ERR_INVALID;
    if (!SIO__SOCKETIO(c)) return SIO_ERR_STATE;
    if ((i = sio__namespace(c, name)) < 0) return i;
    if ((r = sio__namespace_subscribe(c->socketio.namespaces.list[i], &c->sys.alloc, event)) != SIO_OK) return r;
    return c->socketio.namespaces.list[i]->joined ? SIO_OK : sio__join(c, i);
}

SIO_API int sio_unsubscribe(sio_client *c, const char *name, const char *event)
{
    int i;
    if (!c || !event) return SIO_ERR_INVALID;
    if (!SIO__SOCKETIO(c)) return SIO_ERR_STATE;
    if ((i = sio__namespace_index(c, name)) >= 0)
        sio__namespace_unsubscribe(c->socketio.namespaces.list[i], &c->sys.alloc, event);
    return SIO_OK;
}

static const char *sio__namespace_name_at(const void *ctx, int ns)
{
    return ((const sio_client *)ctx)->socketio.namespaces.list[ns]->name;
}

SIO_API int sio_queue_save(const sio_client *c, unsigned char *out, size_t cap, size_t *len)
{
    if (!c || !len) return SIO_ERR_INVALID;
    *len = 0;
    if (!SIO__SOCKETIO(c)) return SIO_ERR_STATE;
    return sio__outbox_save(&c->socketio.outbox, sio__namespace_name_at, c, out, cap, len);
}

/* Whether id names an emit the client holds (its outbox or its acks). */
static int sio__emit_id_taken(const sio_client *c, uint64_t id)
{
    size_t k;
    for (k = 0; k < c->socketio.acks.count; k++)
        if (c->socketio.acks.list[k].id == id) return 1;
    return sio__outbox_find(&c->socketio.outbox, id) != NULL;
}

/* Whether a saved emit's event name, still JSON, is one sio_emit refuses. */
static int sio__reserved_event_json(sio_json name)
{
    size_t i;
    for (i = 0; i < sizeof sio__reserved_events / sizeof sio__reserved_events[0]; i++)
        if (sio_json_string_equals(name, sio__reserved_events[i])) return 1;
    return sio_json_string_equals(name, "");
}

/* A saved emit the client can send: a namespace name, a body that is a
 * JSON array starting with the event's name (one sio_emit takes),
 * attachments within
 * max_attachments, an id no emit has.  Copies the name into name. */
static int sio__saved_emit_check(const sio_client *c, const sio__saved_emit *s, char *name, size_t cap)
{
    sio_json body, first;
    if (s->ns_len >= cap || s->id >= ((uint64_t)1 << 52)) return SIO_ERR_INVALID;   /* ids after it stay below 2^53 */
    memcpy(name, s->ns, s->ns_len);
    name[s->ns_len] = 0;
    if (strlen(name) != s->ns_len || !sio__namespace_name_ok(name) ||
        sio_json_validate(s->body, s->body_len, SIO__JSON_MAX_DEPTH, NULL) != SIO_OK ||
        sio_json_typeof(body = sio_json_make(s->body, s->body_len)) != SIO_JSON_ARRAY ||
        !sio_json_at(body, 0, &first) || sio_json_typeof(first) != SIO_JSON_STRING ||
        sio__reserved_event_json(first))
        return SIO_ERR_INVALID;
    if (s->count > c->max_attachments) return SIO_ERR_TOO_BIG;
    return sio__emit_id_taken(c, s->id) ? SIO_ERR_STATE : SIO_OK;
}

/* Two passes over the blob: every emit is checked before any is taken, so
 * that a blob goes in whole or not at all. */
SIO_API int sio_queue_load(sio_client *c, const unsigned char *blob, size_t len)
{
    sio__queue_reader r;
    sio__saved_emit s;
    sio__outgoing *last;
    char name[256];
    size_t count = 0, bytes = 0, i;
    int k, ns = 0, st = SIO_OK;
    if (!c) return SIO_ERR_INVALID;
    if (!SIO__SOCKETIO(c) || c->emit_retries <= 0) return SIO_ERR_STATE;
    if (sio__events_crowded(c)) return SIO_ERR_FULL;
    if (sio__queue_read_begin(&r, blob, len) != SIO_OK) return SIO_ERR_INVALID;
    while ((k = sio__queue_read_next(&r, &s)) == 1) {
        if ((st = sio__saved_emit_check(c, &s, name, sizeof name)) != SIO_OK) return st;
        count++;
        bytes += sio__saved_size(&s);
        if (c->socketio.outbox.count + c->socketio.acks.count + count > c->max_pending_acks ||
            sio__to_send_later(c) + bytes > c->max_send_queue)
            return SIO_ERR_FULL;                 /* said as soon as known: a huge blob is not read through */
    }
    if (k < 0) return SIO_ERR_INVALID;
    last = c->socketio.outbox.tail;
    sio__queue_read_begin(&r, blob, len);
    while (st == SIO_OK && sio__queue_read_next(&r, &s) == 1) {
        if (sio__saved_emit_check(c, &s, name, sizeof name) != SIO_OK) st = SIO_ERR_INVALID;   /* an id twice in the blob */
        else if ((ns = sio__namespace(c, name)) < 0) st = ns;
        else st = sio__outbox_add_saved(&c->socketio.outbox, &c->sys.alloc, ns, &s);
        if (st == SIO_OK) c->socketio.outbox.tail->timeout = c->emit_ack_timeout;
        if (st == SIO_OK && s.id >= c->socketio.acks.next_id) c->socketio.acks.next_id = s.id + 1;
    }
    if (st != SIO_OK) {
        sio__outbox_cut(&c->socketio.outbox, &c->sys.alloc, last);
        return st;
    }
    for (i = 0; i < c->socketio.namespaces.count; i++)
        if (sio__outbox_first(&c->socketio.outbox, (int)i)) {
            if (!c->socketio.namespaces.list[i]->joined && (st = sio__join(c, (int)i)) != SIO_OK) return st;
            sio__outbox_next(c, (int)i);
        }
    sio__wake(c);
    return SIO_OK;
}

/* Heap held by the session, for sio_memory. */
static size_t sio__socketio_memory(const sio_client *c)
{
    return c->socketio.acks.cap * sizeof(sio__ack) + c->socketio.scratch_cap + sio__outbox_memory(&c->socketio.outbox) +
           sio__namespaces_memory(&c->socketio.namespaces) + sio__binary_memory(&c->socketio.binary) +
           c->socketio.held.tx_cap;
}

static void sio__socketio_free(sio_client *c)
{
    sio__free(&c->sys.alloc, c->socketio.held.tx);
    sio__binary_abandon(&c->socketio.binary);
    sio__socketio_release(c);
    sio__namespaces_free(&c->socketio.namespaces, &c->sys.alloc);
    sio__free(&c->sys.alloc, c->socketio.acks.list);
    sio__free(&c->sys.alloc, c->socketio.scratch);
    sio__outbox_free(&c->socketio.outbox, &c->sys.alloc);
}

/* Socket.IO part of sio_create: the URL's namespace and its auth. */
static int sio__socketio_configure(sio_client *c, const sio_config *cfg)
{
    size_t i;
    int r;
    char ns[256];
    if (cfg->path)
        for (i = 0; cfg->path[i]; i++)
            if ((unsigned char)cfg->path[i] <= 0x20 || strchr("?#", cfg->path[i])) return SIO_ERR_INVALID;
    if (c->url.path_len >= sizeof ns) return SIO_ERR_URL;
    if (c->url.path_len <= 1) strcpy(ns, "/");
    else {
        memcpy(ns, c->url.path, c->url.path_len);
        ns[c->url.path_len] = 0;
    }
    if ((r = sio__namespace(c, ns)) < 0) return r == SIO_ERR_INVALID ? SIO_ERR_URL : r;
    return sio_join(c, ns, cfg->auth);
}

/* sio_stop on a Socket.IO connection: every namespace connected or
 * awaiting its CONNECT reply is DISCONNECTed (a late reply is then
 * ignored), acks and retried emits fail, queues are dropped. */
static void sio__fail_acks_and_leave_all(sio_client *c)
{
    size_t i;
    for (i = 0; i < c->socketio.namespaces.count; i++) {
        sio__ns *ns = c->socketio.namespaces.list[i];
        if (ns->state == SIO__NS_CONNECTED || ns->state == SIO__NS_CONNECTING) {
            char head[256];
            size_t n = 1;
            head[0] = '4';
            n += sio_packet_encode_header(head + 1, SIO_PACKET_DISCONNECT, 0, ns->name, 0, 0);
            sio__eio_send_text(c, head, n, "", 0);
        }
        if (ns->state == SIO__NS_CONNECTED) {
            sio__pending *p = sio__push(c, SIO_EVENT_DISCONNECT, 0, 0, 0, NULL);
            if (p) { p->ns = (int)i; p->reason = "io client disconnect"; }
        }
        if (ns->state == SIO__NS_CONNECTED || ns->state == SIO__NS_CONNECTING) ns->state = SIO__NS_WANTED;
        sio__ns_discard_queue(c, (int)i, "the connection was stopped");
    }
    sio__fail_acks(c, -1, SIO_ERR_CLOSED, "socket has been disconnected", 0);
    sio__outbox_fail(c, -1, SIO_ERR_CLOSED, "the connection was stopped");
    c->socketio.disconnect_reason = "io client disconnect";
}

/* sio_close on an open Socket.IO connection, before the session's close
 * (which waits for an emit's attachments still being sent): the first
 * leaves every namespace; a second, while the close still waits, abandons
 * the emit and what waits behind it, and says so. */
static void sio__socketio_stop(sio_client *c)
{
    if (c->user_stop && c->socketio.stop_waits) {
        sio__socketio_parts_abandon(c, "stopped again");
        return;
    }
    sio__fail_acks_and_leave_all(c);
}
#else
/* SIO_NO_SOCKETIO: the Socket.IO calls exist, and no client is a Socket.IO
 * client (sio_create refuses the mode). */
SIO_API int sio_join(sio_client *c, const char *ns, const char *auth_json)
{
    (void)ns; (void)auth_json;
    return c ? SIO_ERR_STATE : SIO_ERR_INVALID;
}
SIO_API int sio_leave(sio_client *c, const char *name) { return sio_join(c, name, NULL); }
SIO_API int sio_emit_ex(sio_client *c, const sio_emit_options *o, int64_t *ack_id)
{
    if (ack_id) *ack_id = -1;
    if (!o || !o->event || !o->event[0]) return SIO_ERR_INVALID;
    return sio_join(c, NULL, NULL);
}
SIO_API int sio_emit(sio_client *c, const char *ns, const char *event, const char *args_json)
{
    (void)args_json;
    return event && event[0] ? sio_join(c, ns, NULL) : SIO_ERR_INVALID;
}
SIO_API int sio_emit_string(sio_client *c, const char *ns, const char *event, const char *message)
{
    return message ? sio_emit(c, ns, event, NULL) : SIO_ERR_INVALID;
}
SIO_API int sio_ack(sio_client *c, const sio_event *ev, const char *args_json,
                    const sio_bytes *attachments, size_t attachment_count)
{
    (void)args_json;
    if (!ev || ev->type != SIO_EVENT_EVENT || ev->ack_id < 0 || !ev->ns || (attachment_count && !attachments))
        return SIO_ERR_INVALID;
    return sio_join(c, NULL, NULL);
}
SIO_API int sio_subscribe(sio_client *c, const char *name, const char *event) { return sio_emit(c, name, event, NULL); }
SIO_API int sio_unsubscribe(sio_client *c, const char *name, const char *event)
{
    return event ? sio_join(c, name, NULL) : SIO_ERR_INVALID;
}
SIO_API int sio_queue_save(const sio_client *c, unsigned char *out, size_t cap, size_t *len)
{
    (void)out; (void)cap;
    if (len) *len = 0;
    return c && len ? SIO_ERR_STATE : SIO_ERR_INVALID;
}
SIO_API int sio_queue_load(sio_client *c, const unsigned char *blob, size_t len)
{
    (void)blob; (void)len;
    return c ? SIO_ERR_STATE : SIO_ERR_INVALID;
}
#endif
#ifdef SIO_SOURCE_LINES
#line 1 "src/redirect.c"
#endif
/* ---- redirects of the handshake ------------------------------------------
 * A 301, 302, 303, 307 or 308 answer to the WebSocket handshake or to the
 * Engine.IO handshake sends the client to its Location, up to
 * max_redirects times per connection: never from a secure URL to a plain
 * one, and without the cookies and the Authorization header when the host
 * changes.  The URL reached is the client's from then on (sio_url_of), for
 * reconnections too. */

#define SIO__MAX_LOCATION 1024

/* The Location of a redirect whose head starts l's received bytes: its
 * length (under SIO__MAX_LOCATION) with *value pointing into the head, or 0
 * (not a redirect, or no usable Location). */
static size_t sio__redirect_location(const sio_allocator *a, const sio__link *l, const char **value)
{
    sio_http_response *r;
    const sio_http_header *h;
    size_t n = 0;
    if (!l->rx || sio__http_parse_response_heap(a, &r, (const char *)l->rx + l->rx_start, l->rx_len - l->rx_start) != 1)
        return 0;
    if ((r->status == 301 || r->status == 302 || r->status == 303 || r->status == 307 || r->status == 308) &&
        (h = sio_http_find_header(r, "Location")) != NULL && h->value_len && h->value_len < SIO__MAX_LOCATION) {
        *value = h->value;
        n = h->value_len;
    }
    sio__free(a, r);
    return n;
}

/* The absolute URL a Location names, in this client's kind of scheme (ws
 * and wss for WebSocket, http and https for Socket.IO), into out.  0, or
 * -1 for a Location that is neither absolute nor an absolute path. */
static int sio__redirect_target(const sio_client *c, const char *loc, char *out, size_t size)
{
    const char *rest = strstr(loc, "://");
    int secure, len;
    if (rest) {
        size_t n = (size_t)(rest - loc);
        if (sio__span_ieq(loc, n, "https") || sio__span_ieq(loc, n, "wss")) secure = 1;
        else if (sio__span_ieq(loc, n, "http") || sio__span_ieq(loc, n, "ws")) secure = 0;
        else return -1;
        rest += 3;
    } else if (loc[0] == '/' && loc[1] != '/') {        /* an absolute path on the same server */
        secure = c->url.secure;
    } else {
        return -1;
    }
    if (!rest) {                                       /* the port in use, which sio_config.port may have set */
        char port[8] = "";
        if (c->port != (secure ? 443 : 80)) snprintf(port, sizeof port, ":%u", (unsigned)c->port);
        len = snprintf(out, size, "%s://%s%.*s%s%s%s", SIO__SOCKETIO(c) ? (secure ? "https" : "http") : (secure ? "wss" : "ws"),
                       c->url.ipv6 ? "[" : "", (int)c->url.host_len, c->url.host, c->url.ipv6 ? "]" : "", port, loc);
    } else {
        len = snprintf(out, size, "%s://%s", SIO__SOCKETIO(c) ? (secure ? "https" : "http") : (secure ? "wss" : "ws"), rest);
    }
    return len >= 0 && (size_t)len < size ? 0 : -1;       /* a URL cut short is no URL */
}

/* The request head's lines for the new host (into head, room for the old
 * head and the new host's line): its Host line, then the caller's headers,
 * without Authorization and Cookie when the host changed. */
static void sio__redirect_head(sio_client *c, char *head, int other_host)
{
    const char *old = c->request_head, *line = strstr(old, "\r\n") + 2;
    char *p = head;
    p += sio__host_line(c, p);
    while (*line) {
        const char *end = strstr(line, "\r\n");
        size_t n = end ? (size_t)(end + 2 - line) : strlen(line);
        if (!other_host || !(sio__span_ieq(line, 14, "authorization:") || sio__span_ieq(line, 7, "cookie:"))) {
            memcpy(p, line, n);
            p += n;
        }
        line += n;
    }
    *p = 0;
    sio__free(&c->sys.alloc, c->request_head);
    c->request_head = head;
}

/* Points the client at location (url: room for the URL made of it).
 * SIO_OK, or a negative status with text saying why it will not go there. */
static int sio__redirect_to(sio_client *c, const char *location, char *url, size_t url_size, char *text, size_t size)
{
    char why[SIO__TEXT_SIZE], *url_text, *host, *head, *target = NULL;
    sio_url u;
    sio__proxy_plan plan;
    int other_host, i, r;
    if (c->redirects >= c->max_redirects) {
        snprintf(text, size, "%s: too many redirects (%d; last to %.120s)", SIO__SOCKETIO(c) ? "eio" : "ws",
                 c->redirects, location);
        return SIO_ERR_HANDSHAKE;
    }
    if (sio__redirect_target(c, location, url, url_size) < 0 || sio_url_parse(&u, url) != SIO_OK) {
        snprintf(text, size, "redirect: unusable Location '%.120s'", location);
        return SIO_ERR_HANDSHAKE;
    }
    if (c->url.secure && !u.secure) {
        snprintf(text, size, "redirect: from a secure URL to a plain one refused (Location '%.120s')", location);
        return SIO_ERR_HANDSHAKE;
    }
    if (u.secure && sio__need_tls(c, why, sizeof why) != SIO_OK) {
        snprintf(text, size, "redirect: to '%.80s': %.150s", location, why);
        return SIO_ERR_TLS;
    }
    /* Everything that can fail comes before the client changes: a refusal
     * leaves it as it was (its URL, proxy and headers) for a reconnection. */
    url_text = sio__strdup(&c->sys.alloc, url);
    host = (char *)sio__realloc(&c->sys.alloc, NULL, u.host_len + 1);
    head = (char *)sio__realloc(&c->sys.alloc, NULL, strlen(c->request_head) + u.host_len + 16);
    if (!SIO__SOCKETIO(c)) target = (char *)sio__realloc(&c->sys.alloc, NULL, u.path_len + u.query_len + 3);
    r = url_text && host && head && (SIO__SOCKETIO(c) || target) ? SIO_OK : SIO_ERR_NOMEM;
    if (r == SIO_OK) {
        sio_url_parse(&u, url_text);                      /* spans into the client's own copy */
        memcpy(host, u.host, u.host_len);
        host[u.host_len] = 0;
        r = sio__plan_proxy(c, u.secure, host, u.port, 0, &plan);   /* another origin: maybe another proxy, or none */
    }
    if (r != SIO_OK) {
        sio__free(&c->sys.alloc, url_text);
        sio__free(&c->sys.alloc, host);
        sio__free(&c->sys.alloc, head);
        sio__free(&c->sys.alloc, target);
        snprintf(text, size, "redirect: to '%.80s': %s", location, r == SIO_ERR_INVALID
                 ? "this origin is reached through a proxy, and this build has none (SIO_NO_PROXY)"
                 : r == SIO_ERR_PROXY ? "the proxy URL is not usable" : "out of memory");
        return r;
    }
    other_host = strlen(host) != strlen(c->host) || !sio__span_ieq(host, strlen(host), c->host) || u.port != c->port;
    sio__free(&c->sys.alloc, c->url_text);
    sio__free(&c->sys.alloc, c->host);
    c->url_text = url_text;
    c->url = u;
    c->host = host;
    c->port = u.port;
    c->redirects++;
    sio__use_proxy(c, &plan);
#if SIO__WITH_POLLING
    for (i = 0; other_host && i < SIO__MAX_COOKIES; i++) {   /* cookies stay with their host */
        sio__free(&c->sys.alloc, c->cookies[i]);
        c->cookies[i] = NULL;
    }
#else
    (void)i;
#endif
    sio__redirect_head(c, head, other_host);
    if (target) {                                         /* a WebSocket client's request target: path and query */
        sio__websocket_target(c, target);
        sio__free(&c->sys.alloc, c->eio_target);
        c->eio_target = target;
    }
    return SIO_OK;
}
#ifdef SIO_SOURCE_LINES
#line 1 "src/pump.c"
#endif
/* ---------------------------------------------------------------------- */
/* pump: one bounded round of a client's work, the events it yields       */
/* ---------------------------------------------------------------------- */

/* Whether a Socket.IO connection starts on long-polling: as configured;
 * AUTO goes straight to WebSocket after an upgrade with remember_upgrade;
 * a refused WebSocket falls back for the rest of the run. */
#if SIO__WITH_POLLING
static int sio__polling_first(const sio_client *c)
{
    if (!SIO__SOCKETIO(c)) return 0;
    if (c->fell_back || c->transport == SIO_TRANSPORT_POLLING) return 1;
    if (c->transport == SIO_TRANSPORT_AUTO) return !(c->remember_upgrade && c->upgraded);
    return 0;
}
#endif

static void sio__begin(sio_client *c);

/* A Socket.IO WebSocket refused in a way polling may get through (an HTTP
 * answer other than 101, or the connection dropped during the handshake:
 * a proxy or load balancer that does not pass upgrades): the attempt
 * starts over on polling, if the caller allowed it (try_all_transports, or
 * AUTO whose remembered upgrade failed).  Returns 1 when it did. */
static int sio__fall_back_to_polling(sio_client *c)
{
#if SIO__WITH_POLLING
    if (!SIO__SOCKETIO(c) || SIO__POLLING(c) || c->fell_back) return 0;
    if (c->transport == SIO_TRANSPORT_WEBSOCKET ? !c->try_all_transports : c->transport != SIO_TRANSPORT_AUTO) return 0;
    sio__drop_connection(c);
    c->fell_back = 1;
    c->upgraded = 0;
    sio__begin(c);
    return 1;
#else
    (void)c;
    return 0;
#endif
}

/* Starts one connection attempt (sio_start, or a reconnection). */
static void sio__begin(sio_client *c)
{
    int r;
    c->attempt = 0;
    c->first_error[0] = 0;
    sio__websocket_begin(&c->websocket);
    c->phase = SIO__CONNECTING;
    c->ln.may_read = 1;
#if SIO__WITH_SOCKETIO
    c->socketio.disconnect_reason = NULL;
#endif
#if SIO__WITH_POLLING
    c->polling.active = sio__polling_first(c);
#endif
    if (c->url.secure && (r = sio__need_tls(c, c->why, sizeof c->why)) != SIO_OK) {
        sio__abort(c, r, c->why);
        return;
    }
    if (!SIO__POLLING(c) && sio__build_request(c, &c->ln, 0) != SIO_OK) {
        sio__abort(c, SIO_ERR_IO, "ws: could not build the handshake (random source or memory failed)");
        return;
    }
    c->deadline = c->connect_timeout > 0 ? sio__now(c) + (uint64_t)c->connect_timeout : 0;
    c->redirects = 0;                     /* each attempt may follow max_redirects */
    sio__addresses_release(c, 0);
#if SIO__WITH_DNS && SIO__WITH_PROXY
    c->proxy_address[0][0] = c->proxy_address[1][0] = 0;
    c->proxy_attempt = 0;
#endif
#if SIO__WITH_DNS
    if (c->sys.pf->dns_open && c->sys.pf->hosts_lookup && !sio_ip_literal(sio__resolved_name(c))) {
        sio__resolve(c);
        return;
    }
#endif
    sio__start_next_address(c);
}

/* A redirect answer to the handshake on l: 1 when the client starts over at
 * its Location (the attempt's connections closed, no event), 0 when the
 * answer is no redirect, -1 when the client will not follow it (ERROR and
 * CLOSE queued). */
static int sio__follow_redirect(sio_client *c, const sio__link *l)
{
    const char *value = NULL;
    size_t n = sio__redirect_location(&c->sys.alloc, l, &value);
    char *location, *url, *text;
    int r;
    if (!n) return 0;
    /* The Location, the URL made of it and the reason of a refusal live on
     * the heap for the moment: a small target's stack could not hold them
     * below the new attempt's frames. */
    location = (char *)sio__realloc(&c->sys.alloc, NULL, 2 * SIO__MAX_LOCATION + 16 + SIO__TEXT_SIZE);
    if (!location) {
        sio__abort(c, SIO_ERR_NOMEM, "redirect: out of memory");
        return -1;
    }
    memcpy(location, value, n);
    location[n] = 0;
    url = location + SIO__MAX_LOCATION;
    text = url + SIO__MAX_LOCATION + 16;
    r = sio__redirect_to(c, location, url, SIO__MAX_LOCATION + 16, text, SIO__TEXT_SIZE);
    if (r != SIO_OK) sio__abort(c, r, text);
    sio__free(&c->sys.alloc, location);
    if (r != SIO_OK) return -1;
    sio__drop_connection(c);
    r = c->redirects;
    sio__begin(c);
    c->redirects = r;                     /* the same attempt goes on */
    return 1;
}

/* A read on the main link ended (0) or failed (n < 0, err says why). */
static void sio__read_failed(sio_client *c, long n, const char *err, const char *when)
{
    char text[SIO__TEXT_SIZE];
    if (n == SIO_ERR_TLS) {
        sio__abort(c, SIO_ERR_TLS, err);
        return;
    }
    snprintf(text, sizeof text, "ws: connection %s %s%s%s", n == 0 ? "closed by the server" : "failed", when,
             n == 0 ? "" : ": ", n == 0 ? "" : err);
    sio__abort(c, n == 0 ? SIO_ERR_CLOSED : SIO_ERR_IO, text);
}

/* Returns 1 with the OPEN event when the handshake completed. */
static int sio__step_handshake(sio_client *c, sio_event *ev)
{
    char err[128];
    int reads;
    for (reads = 0;; reads++) {
        long n;
        size_t start = c->ln.rx_start;
        int r = sio__websocket_handshake(&c->websocket, &c->ln, c->max_handshake, err, sizeof err);
        if (r < 0) {
            if (r == SIO_ERR_HANDSHAKE && sio__follow_redirect(c, &c->ln) != 0) return 0;
            if (r == SIO_ERR_HANDSHAKE) sio__keep_refusal(c, &c->ln);
            if (r == SIO_ERR_HANDSHAKE && sio__fall_back_to_polling(c)) return 0;
            sio__abort(c, r, err);
            return 0;
        }
        if (r == 1) {
            c->phase = SIO__OPEN;
            if (!SIO__SOCKETIO(c)) sio__keepalive_start(&c->websocket.keepalive, sio__now(c));
            if (c->keep_handshake) sio__keep_handshake(c, 101, c->ln.rx + start, c->ln.rx_start - start, NULL, 0);
            if (!SIO__SOCKETIO(c)) {
                c->deadline = 0;                      /* Socket.IO: until the open packet */
                sio__offline_send(c);
            }
            ev->type = c->retries && !SIO__SOCKETIO(c) ? SIO_EVENT_RECONNECT : SIO_EVENT_OPEN;
            ev->attempt = (int)c->retries;
            if (!SIO__SOCKETIO(c)) c->retries = 0;    /* the backoff starts over */
            ev->protocol = c->websocket.protocol;
            return 1;
        }
        if (reads == 1) return 0;
        err[0] = 0;
        n = sio__link_read(&c->sys, &c->ln, 0, err, sizeof err);
        if (n == SIO_ERR_AGAIN) return 0;
        if (n <= 0) {
            if (n != SIO_ERR_TLS && sio__fall_back_to_polling(c)) return 0;
            sio__read_failed(c, n, err, "during the handshake");
            return 0;
        }
    }
}

/* Waits for the server to drop TCP after the close handshake or a failure. */
static void sio__step_drain(sio_client *c)
{
    char err[128];
    int i;
    if (c->ln.tx_sent < c->ln.tx_len) return;
    for (i = 0; i < 4; i++) {
        long n;
        c->ln.rx_start = c->ln.rx_len = 0;     /* whatever comes now is discarded */
        n = sio__link_read(&c->sys, &c->ln, 0, err, sizeof err);
        if (n == SIO_ERR_AGAIN) return;
        if (n <= 0) {
            sio__finish(c, c->websocket.close_code, c->websocket.close_reason, c->phase == SIO__CLOSE_WAIT);
            return;
        }
    }
}

/* m's payload ends with a NUL for the event: the byte after it is borrowed
 * (given back before the next frame is read). */
static void sio__terminate_payload(sio_client *c, const sio_ws_message *m)
{
    unsigned char *end = (unsigned char *)m->data + m->len;
    if (end >= c->ln.rx && end < c->ln.rx + c->ln.rx_cap) {   /* zero-copy: borrow the next byte */
        c->events.nul_at = end;
        c->events.nul_saved = *end;
    }
    *end = 0;
}

/* The server's pong: a PONG event on a plain WebSocket, with the round
 * trip when it answers the keepalive's latest ping.  Returns 1 with it. */
static int sio__ws_pong_event(sio_client *c, const sio_ws_message *m, sio_event *ev)
{
    if (SIO__SOCKETIO(c)) {
#if SIO__WITH_SOCKETIO
        sio__heartbeat_heard_frame(&c->eio.heartbeat, sio__now(c));
#endif
        return 0;
    }
    ev->rtt_ms = sio__keepalive_pong(&c->websocket.keepalive, m->data, m->len, sio__now(c));
    sio__terminate_payload(c, m);
    ev->type = SIO_EVENT_PONG;
    ev->binary = 1;
    ev->data = m->data;
    ev->len = m->len;
    return 1;
}

/* A data message from the WebSocket: the MESSAGE event, or for Socket.IO
 * the Engine.IO packet it carries.  Returns 1 with an event, 0 to go on
 * with the next frame, -1 when the connection stopped. */
static int sio__ws_message_event(sio_client *c, const sio_ws_message *m, sio_event *ev)
{
    sio__terminate_payload(c, m);
    if (!SIO__SOCKETIO(c)) {
        ev->type = SIO_EVENT_MESSAGE;
        ev->binary = m->opcode == SIO_WS_BINARY;
        ev->data = m->data;
        ev->len = m->len;
        ev->offset = m->offset;
        ev->final = m->final;
        return 1;
    }
#if SIO__WITH_SOCKETIO
    {
        uint64_t now = sio__now(c);
        if (sio__eio_message(c, now, m->opcode == SIO_WS_BINARY, (unsigned char *)m->data, m->len, m->offset,
                             m->final, ev)) {
            if (c->events.nul_at) *c->events.nul_at = c->events.nul_saved;   /* the next frame whole again */
            sio__eio_pings_ahead(c, now);
            if (c->events.nul_at) *c->events.nul_at = 0;
            return 1;
        }
    }
    if (c->phase == SIO__FAILING || c->phase < SIO__CONNECTING) return -1;
    sio__nul_give_back(c);                                    /* nothing borrowed any more */
#endif
    return 0;
}

/* Output waits while bytes already read still hold messages, so answers to
 * a burst leave in one write; it goes before the next read from the socket,
 * once it has waited SIO__OUTPUT_WAIT_MS (a caller taking one event per
 * frame), or at once when marked urgent (a pong answered ahead of a burst).
 * Returns 1 when it is due now. */
#define SIO__OUTPUT_WAIT_MS 1
static int sio__output_due(sio_client *c)
{
    uint64_t now = sio__now(c), last = c->stepped_at;
    c->stepped_at = now;
    if (c->ln.tx_sent >= c->ln.tx_len) {
        c->output_since = 0;
        c->output_now = 0;
        return 0;
    }
    if (!c->output_since) c->output_since = last ? last : now;   /* queued after the last step began */
    if (!c->output_now && now - c->output_since < SIO__OUTPUT_WAIT_MS) return 0;
    c->output_since = 0;                       /* it goes now: the next output waits anew */
    c->output_now = 0;
    return 1;
}

/* Returns 1 with a MESSAGE event. */
static int sio__step_frames(sio_client *c, sio_event *ev)
{
    char err[128];
    int reads;
    for (reads = 0;; reads++) {
        long n;
        if (c->phase == SIO__CLOSE_WAIT || c->phase == SIO__FAILING) {
            if (sio__flush(c) == 0) sio__step_drain(c);
            return 0;
        }
        if (reads == 0 && sio__output_due(c) && sio__flush(c) < 0) return 0;
        for (;;) {
            sio_ws_message m;
            int r = sio__websocket_receive(&c->websocket, &c->sys, &c->ln, c->max_send_queue, &m);
            if (r < 0) {
                sio__fail(c, c->websocket.rx.fail_code, r, c->websocket.rx.error);
                return 0;
            }
            if (r == SIO__WS_PEER_CLOSED) {
                if (!c->websocket.close_sent) {                        /* our answer could not be queued */
                    sio__abort(c, SIO_ERR_IO, "ws: could not answer the server's close frame (random source or memory failed)");
                    return 0;
                }
                c->phase = SIO__CLOSE_WAIT;
                c->deadline = sio__now(c) + (uint64_t)c->close_timeout;
            }
            if (r == SIO__WS_PONG) {
                if (sio__ws_pong_event(c, &m, ev)) return 1;
                continue;
            }
            if (r != SIO__WS_MESSAGE) break;
            if ((r = sio__ws_message_event(c, &m, ev)) != 0) return r > 0;
        }
        if (c->phase == SIO__CLOSE_WAIT) continue;   /* flush our close, then drain */
        if (sio__flush(c) < 0) return 0;              /* nothing read is left: the output goes */
        if (reads == 1) return 0;
        err[0] = 0;
        n = sio__link_read(&c->sys, &c->ln, c->websocket.rx_need, err, sizeof err);
        if (n == SIO_ERR_AGAIN) return 0;
        if (n == SIO_ERR_NOMEM) {
            sio__fail(c, SIO_CLOSE_INTERNAL, SIO_ERR_NOMEM, "ws: out of memory growing the receive buffer");
            return 0;
        }
        if (n <= 0) {
            if (c->phase == SIO__CLOSING && n != SIO_ERR_TLS)
                sio__finish(c, SIO_CLOSE_ABNORMAL, "", 0);   /* we wanted to close anyway */
            else
                sio__read_failed(c, n, err, "without a close frame");
            return 0;
        }
    }
}

#if SIO__WITH_POLLING   /* SIO_NO_POLLING leaves the long-polling transport out */
/* Hands the packets of a received GET body to the Engine.IO layer, one
 * event at a time.  Returns 1 with an event. */
static int sio__poll_packets(sio_client *c, sio_event *ev)
{
    unsigned char *p;
    size_t len;
    int r;
    while ((r = sio__poll_next(c, &p, &len)) == 1) {
        if (sio__eio_message(c, sio__now(c), 0, p, len, 0, 1, ev)) return 1;
        if (c->phase < SIO__OPEN || c->phase == SIO__FAILING) return 0;
        sio__nul_give_back(c);
    }
    if (r < 0) {
        sio__socketio_parse_error(c, "eio: malformed Engine.IO 3 payload (<length>:<packet> expected)");
        return 0;
    }
    if (c->polling.pkt_end) {                                         /* the body is handled */
        c->polling.pkt_pos = c->polling.pkt_end = 0;
        sio__http_done(c, &c->ln, &c->polling.get_in);
    }
    return 0;
}

/* A polling link's round: connected (TLS started), then what waits to go
 * out.  0, or a negative status with text saying why. */
static int sio__poll_link(sio_client *c, sio__link *l, char *text, size_t size)
{
    int r = sio__link_connected(c, l, text, size);
    return r > 0 ? sio__link_flush(&c->sys, l, text, size) : r;
}

/* Reads the response on a polling link: 1 when it is whole and a 200, 0
 * while it is not whole, 2 when the handshake was redirected (the client
 * started over, or failed with its events queued), or a negative status
 * with text saying why. */
static int sio__poll_response(sio_client *c, sio__link *l, sio__http_in *in, uint64_t max_body, const char *what,
                              char *text, size_t size)
{
    int r = sio__polling_receive(&c->sys, l, in, c->max_handshake, max_body, c->cookies, text, size);
    if (r != 1 || in->status == 200) return r;
    if (l == &c->ln && !c->eio.open && sio__follow_redirect(c, l) != 0) return 2;   /* started over, or failed */
    if (l == &c->ln && !c->eio.open)
        sio__keep_handshake(c, in->status, l->rx + l->rx_start, in->body_at, l->rx + l->rx_start + in->body_at,
                            in->dec - in->body_at);
    sio__polling_error_text(l, in, what, text, size);
    return l == &c->ln && !c->eio.open ? SIO_ERR_HANDSHAKE : SIO_ERR_PROTOCOL;
}

/* Rounds of the polling transport while they make progress, at most
 * four with responses; returns 1 with an event.  The last round only
 * sends: a response that ended the fourth leaves its next request on its
 * way, not a client that waits on sockets that will never speak. */
static int sio__step_polling(sio_client *c, sio_event *ev)
{
    int round, r;
    uint64_t max_body = (uint64_t)c->max_message + 4096;
    for (round = 0;; round++) {
        int progress = 0;
        if (sio__poll_packets(c, ev)) return 1;
        if (c->phase < SIO__OPEN) return 0;
        if (c->eio.open && c->phase == SIO__OPEN) {
            uint64_t now = sio__now(c);
            if (c->upgrade.state == SIO__PROBE_NONE) sio__probe_start(c, now);
            if (c->upgrade.state != SIO__PROBE_FAILED && sio__probe_step(c, now)) return 0;
        }
        if (c->phase == SIO__CLOSING && !c->polling.post_busy && !c->polling.out_len) {
            sio__finish(c, SIO_CLOSE_NORMAL, "", 1);          /* our close packet was delivered */
            return 0;
        }
        c->why[0] = 0;
        if ((r = sio__poll_requests(c, c->why, sizeof c->why)) != 0) break;
        if ((r = sio__poll_link(c, &c->ln, c->why, sizeof c->why)) != 0) break;
        if (c->polling.post.sock != SIO_INVALID_SOCKET && (r = sio__poll_link(c, &c->polling.post, c->why, sizeof c->why)) != 0)
            break;
        if (round == 4) return 0;
        if (c->polling.get_busy && !c->ln.connecting && c->polling.pkt_end == 0) {
            r = sio__poll_response(c, &c->ln, &c->polling.get_in, max_body, c->eio.open ? "polling GET" : "handshake", c->why,
                                   sizeof c->why);
            if (r == 2) return 0;
            if (r < 0) break;
            if (r == 1 && !c->eio.open && c->keep_handshake)
                sio__keep_handshake(c, 200, c->ln.rx + c->ln.rx_start, c->polling.get_in.body_at, NULL, 0);
            if (r == 1) {
                c->polling.get_busy = 0;
                c->polling.pkt_pos = c->polling.get_in.body_at;
                c->polling.pkt_end = c->polling.get_in.dec;
                if (c->polling.pkt_end == c->polling.pkt_pos) sio__http_done(c, &c->ln, &c->polling.get_in);
                progress = 1;
            }
        }
        if (c->polling.post_busy && c->polling.post.sock != SIO_INVALID_SOCKET && !c->polling.post.connecting) {
            r = sio__poll_response(c, &c->polling.post, &c->polling.post_in, 4096, "polling POST", c->why, sizeof c->why);
            if (r < 0) break;
            if (r == 1) {
                sio__http_done(c, &c->polling.post, &c->polling.post_in);
                c->polling.post_busy = 0;
                progress = 1;
            }
        }
        if (!progress) return 0;
    }
    if (r < 0) {
        if (c->phase == SIO__CLOSING) sio__finish(c, SIO_CLOSE_ABNORMAL, "", 0);
        else sio__abort(c, r == SIO_ERR_CLOSED || r == SIO_ERR_TLS || r == SIO_ERR_HANDSHAKE || r == SIO_ERR_TOO_BIG ||
                            r == SIO_ERR_PROTOCOL || r == SIO_ERR_PROXY || r == SIO_ERR_NOMEM ? r : SIO_ERR_IO, c->why);
    }
    return 0;
}
#endif

/* The plain WebSocket's keepalive at now: a ping, or the verdict that the
 * connection is dead (nothing read for pong_timeout after a ping). */
static void sio__keepalive_timer(sio_client *c, uint64_t now)
{
    sio__keepalive *k = &c->websocket.keepalive;
    unsigned char payload[SIO__KEEPALIVE_PAYLOAD];
    switch (sio__keepalive_due(k, now, c->ln.last_read)) {
    case SIO__KEEPALIVE_PING:
        if (c->ln.tx_len - c->ln.tx_sent >= c->max_send_queue + SIO__PONG_SLACK) break;   /* stuck: its deadline tells */
        sio__keepalive_payload(k, payload);
        sio__websocket_send(&c->websocket, &c->sys, &c->ln, SIO_WS_PING, payload, sizeof payload, (size_t)-1);
        c->output_now = 1;
        break;
    case SIO__KEEPALIVE_DEAD:
        if (!sio__silent_since(c, sio__keepalive_dead_at(k, c->ln.last_read))) break;
        snprintf(c->why, sizeof c->why, "ws: nothing from %.80s port %u within %lu ms of a ping: the connection is dead",
                 c->host, (unsigned)c->port, (unsigned long)k->timeout);
        sio__keepalive_stop(k);
        sio__abort(c, SIO_ERR_TIMEOUT, c->why);
        break;
    default:
        break;
    }
}

static void sio__check_timer(sio_client *c)
{
    uint64_t now = sio__now(c);
#if SIO__WITH_SOCKETIO
    sio__socketio_timers(c, now);
#endif
#if SIO__WITH_DNS
    if (c->phase == SIO__RESOLVING) sio__resolve_timer(c);
#endif
    if (c->phase == SIO__OPEN && !SIO__SOCKETIO(c)) sio__keepalive_timer(c, now);
    if (!c->deadline || now < c->deadline || c->phase == SIO__IDLE) return;
    switch (c->phase) {
    case SIO__CONNECTING:
    case SIO__HANDSHAKE:
    case SIO__OPEN:                      /* Socket.IO: no Engine.IO open packet yet */
        snprintf(c->why, sizeof c->why, c->phase == SIO__OPEN ? "eio: no open packet from %.80s port %u within %d ms"
                                                          : "ws: connecting to %.80s port %u timed out after %d ms",
                 c->host, (unsigned)c->port, c->connect_timeout);
#if SIO__WITH_PROXY
        if (c->ln.connecting && c->route.proxy)   /* the proxy has not let it through: say so, not the origin */
            snprintf(c->why, sizeof c->why, "proxy: no tunnel from %.80s port %u to %.80s port %u within %d ms",
                     c->hop_host, (unsigned)c->hop_port, c->host, (unsigned)c->port, c->connect_timeout);
#endif
        sio__abort(c, SIO_ERR_TIMEOUT, c->why);
        break;
    case SIO__CLOSING:
        sio__finish(c, SIO_CLOSE_ABNORMAL, "close handshake timed out", 0);
        break;
    case SIO__BACKOFF:
        sio__begin(c);
        break;
    case SIO__RESOLVING:
        snprintf(c->why, sizeof c->why, "dns: resolving %.80s timed out after %d ms", sio__resolved_name(c), c->connect_timeout);
        sio__abort(c, SIO_ERR_TIMEOUT, c->why);
        break;
    case SIO__CLOSE_WAIT:
    case SIO__FAILING:
        sio__finish(c, c->websocket.close_code, c->websocket.close_reason, c->phase == SIO__CLOSE_WAIT);
        break;
    default:
        c->deadline = 0;
    }
}

/* Idle clients shrink back to small buffers (called when the data of the
 * last event is no longer valid). */
static void sio__trim(sio_client *c)
{
#if SIO__WITH_POLLING
    sio__link_trim(&c->sys, &c->ln, c->websocket.rx.in_message || c->polling.pkt_end != 0 || c->polling.get_in.head_done);
    sio__link_trim(&c->sys, &c->polling.post, c->polling.post_in.head_done);
    if (!c->polling.out_len && c->polling.out_cap > SIO__KEEP) {
        sio__free(&c->sys.alloc, c->polling.out);
        c->polling.out = NULL;
        c->polling.out_cap = 0;
    }
#else
    sio__link_trim(&c->sys, &c->ln, c->websocket.rx.in_message);
#endif
    sio__websocket_trim(&c->websocket);
    if (!c->events.count && c->events.cap > 16) {
        sio__free(&c->sys.alloc, c->events.ring);
        c->events.ring = NULL;
        c->events.cap = c->events.head = 0;
    }
#if SIO__WITH_SOCKETIO
    sio__socketio_trim(c);
#endif
}

/* The WebSocket transport's round: the handshake, then frames, the timers,
 * and the pongs and acks queued while reading.  Returns 1 with an event. */
static int sio__step_websocket_transport(sio_client *c, sio_event *ev)
{
    int got = 0;
    if (c->phase == SIO__HANDSHAKE && sio__flush(c) == 0 && c->phase == SIO__HANDSHAKE) {
        got = sio__step_handshake(c, ev);
        if (got && SIO__SOCKETIO(c)) {   /* the session opens with Engine.IO's open packet */
            got = 0;
            memset(ev, 0, sizeof *ev);
        }
    }
    if (!got && !c->events.count && c->phase >= SIO__OPEN) got = sio__step_frames(c, ev);
    if (!got && !c->events.count) sio__check_timer(c);
    if (!got && c->ln.sock != SIO_INVALID_SOCKET && c->phase >= SIO__OPEN && c->ln.tx_len > c->ln.tx_sent)
        sio__flush(c);
    return got;
}

#if SIO__WITH_POLLING
/* The polling transport's round, then the timers.  Returns 1 with an
 * event, 0, or -1 when the session moved to WebSocket just now (its
 * frames may be waiting already). */
static int sio__step_polling_transport(sio_client *c, sio_event *ev)
{
    if (c->phase >= SIO__OPEN && sio__step_polling(c, ev)) return 1;
    if (c->events.count) return 0;
    if (!SIO__POLLING(c)) return -1;
    sio__check_timer(c);
    /* a ping the timer queued goes out now, not at the next wake-up */
    if (SIO__POLLING(c) && c->phase >= SIO__OPEN && c->polling.out_len && !c->polling.post_busy && !c->events.count)
        return sio__step_polling(c, ev);
    return 0;
}
#endif

/* One bounded round of work: what the last event lent is given back, the
 * waiting events first, then the phase's work and the transport's round.
 * Returns 1 with *ev filled, else 0. */
static int sio__step(sio_client *c, sio_event *ev)
{
    int got = -1;
    sio__nul_give_back(c);
#if SIO__WITH_SOCKETIO
    if (SIO__SOCKETIO(c)) sio__socketio_release(c);
#endif
    sio__trim(c);
    if (c->events.count || c->events.close_owed) return sio__pop(c, ev);
#if SIO__WITH_SOCKETIO
    if (sio__namespaces_deliverable(&c->socketio.namespaces) && sio__socketio_replay(c, ev)) return 1;
#endif
#if SIO__WITH_DNS
    if (c->phase == SIO__RESOLVING) sio__step_resolve(c);
#endif
    if (c->phase == SIO__CONNECTING) sio__step_connect(c);
#if SIO__WITH_POLLING
    if (SIO__POLLING(c)) got = sio__step_polling_transport(c, ev);
#endif
    if (got < 0) got = sio__step_websocket_transport(c, ev);
    if (got) return 1;
    if (c->events.count || c->events.close_owed) return sio__pop(c, ev);
    sio__websocket_trim(&c->websocket);   /* nothing lent out: what a compressed ping needed goes now */
    return 0;
}

/* One step of the client; 1 with ev filled in (never NULL strings) when it
 * has an event. */
static int sio__next_event(sio_client *c, sio_event *ev)
{
    memset(ev, 0, sizeof *ev);
    if (!sio__step(c, ev)) return 0;
    ev->client = c;
    ev->name = c->name;
    ev->user_data = c->user_data;
    if (!ev->reason) ev->reason = "";
    if (!ev->message) ev->message = "";
    if (!ev->protocol) ev->protocol = "";
    return 1;
}
#ifdef SIO_SOURCE_LINES
#line 1 "src/client_api.c"
#endif




SIO_API size_t sio_memory(const sio_client *c)
{
    size_t n, i;
    if (!c) return 0;
    n = sizeof *c + sio__str_size(c->name) + sio__str_size(c->url_text) + sio__str_size(c->host) +

        sio__str_size(c->request_head) + sio__str_size(c->eio_target) + sio__str_size(c->eio_query) +
        sio__str_size(c->own_query) + c->offline_cap;
#if SIO__WITH_PROXY
    n += sio__str_size(c->proxy_text) + sio__str_size(c->hop_host);
#endif
    n += sio__str_size(c->proxy_setting) + sio__str_size(c->no_proxy);
    if (c->handshake) n += c->handshake_head + c->handshake_body + 1;
    n += sio__websocket_memory(&c->websocket);
    for (i = 0; i < SIO__LINKS; i++) {
        const sio__link *l = sio__link_at(c, (int)i);
        n += l->rx_cap + l->tx_cap + (l->tunnel ? sizeof *l->tunnel : 0);
    }
    n += c->events.cap * sizeof(sio__pending);
#if SIO__WITH_POLLING
    n += c->polling.out_cap;
#endif
#if SIO__WITH_POLLING
    for (i = 0; i < SIO__MAX_COOKIES; i++) n += sio__str_size(c->cookies[i]);
#endif
#if SIO__WITH_DNS
    if (c->resolver.addrs) n += sizeof(sio__resolving);
#endif
#if SIO__WITH_SOCKETIO
    n += sio__socketio_memory(c);
#endif
    return n;
}

/* Saturating sums and products for sio_memory_bound. */
static size_t sio__bound_add(size_t a, size_t b) { return a > (size_t)-1 - b ? (size_t)-1 : a + b; }
static size_t sio__bound_mul(size_t a, size_t b) { return b && a > (size_t)-1 / b ? (size_t)-1 : a * b; }
/* A buffer that grows by doubling from 256 to hold n bytes (plus a NUL). */
static size_t sio__bound_grown(size_t n) { return sio__bound_add(sio__bound_mul(n, 2), 512); }

static size_t sio__bound_strings(const sio_config *cfg)
{
    size_t n = 0, i;
    const char *const one[] = { cfg->url, cfg->name, cfg->path, cfg->auth, cfg->dns_server, cfg->proxy, cfg->no_proxy };
    for (i = 0; i < sizeof one / sizeof one[0]; i++) n = sio__bound_add(n, one[i] ? strlen(one[i]) + 1 : 0);
    for (i = 0; cfg->headers && i < cfg->header_count; i++)
        n = sio__bound_add(n, cfg->headers[i] ? strlen(cfg->headers[i]) + 4 : 0);
    for (i = 0; cfg->query && i < cfg->query_count; i++)
        n = sio__bound_add(n, cfg->query[i] ? 3 * strlen(cfg->query[i]) + 2 : 0);   /* percent-encoded */
    for (i = 0; cfg->protocols && i < cfg->protocol_count; i++)
        n = sio__bound_add(n, (cfg->protocols[i] ? strlen(cfg->protocols[i]) + 3 : 0) + sizeof(char *));
    if (cfg->proxy_from_environment) {                /* what the client will read there */
        const char *const env[] = { "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
                                    "no_proxy", "NO_PROXY" };
        for (i = 0; i < sizeof env / sizeof env[0]; i++) {
            const char *v = getenv(env[i]);
            n = sio__bound_add(n, v ? strlen(v) + 8 : 0);
        }
    }
    return n;
}

/* The limits sio_memory_bound works from, defaults for zeros. */
typedef struct sio__bound_limits {
    size_t m, h, q, k, ns, acks, read, strings;
} sio__bound_limits;

/* The links' buffers: on the main link a message (or a polling response,
 * head and body) and a read after it, what goes out (an attachment in
 * parts on top of a full queue), the receiver's assembled message, the
 * handshake kept, and what waits while not connected (WebSocket) or
 * behind attachments in parts (Socket.IO); with polling the POST link,
 * the packets waiting (v3 binary as base64), the probe's link and the
 * cookies; the proxies' tunnels. */
static size_t sio__bound_links(const sio_config *cfg, const sio__bound_limits *b)
{
    size_t n = sio__bound_grown(sio__bound_add(sio__bound_add(b->m, b->h), 4096 + 64 + b->read)), q2 = b->q;
    /* the messages kept while reconnecting go out at once, framed: send_fragment_size adds a
     * header of up to 14 bytes per fragment */
    if (cfg->send_fragment_size) q2 = sio__bound_add(q2, sio__bound_mul(b->q / cfg->send_fragment_size + 1, 14));
    n = sio__bound_add(n, sio__bound_grown(sio__bound_add(sio__bound_mul(q2, 2), SIO__PONG_SLACK + 1024)));
    n = sio__bound_add(n, sio__bound_grown(b->m));
    n = sio__bound_add(n, sio__bound_add(sio__bound_add(b->m, b->h), 4096 + 1));
    n = sio__bound_add(n, sio__bound_grown(sio__bound_add(b->q, 1024)));
#if SIO__WITH_POLLING
    if (cfg->mode == SIO_MODE_SOCKETIO && (cfg->transport != SIO_TRANSPORT_WEBSOCKET || cfg->try_all_transports)) {
        size_t post = sio__bound_grown(sio__bound_add(sio__bound_add(b->q, b->q / 2), 1024));
        n = sio__bound_add(n, sio__bound_mul(post, 2));
        n = sio__bound_add(n, sio__bound_mul(sio__bound_grown(sio__bound_add(b->h, 4096 + b->read)), 2));
        /* the cookies kept (1,024 bytes each at most), and sent on the GET, the POST and the
         * probe's handshake */
        n = sio__bound_add(n, SIO__MAX_COOKIES * 1025);
        n = sio__bound_add(n, sio__bound_mul(sio__bound_grown(sio__bound_add(b->strings, SIO__MAX_COOKIES * 1026 + 1024)), 3));
    }
#endif
    if (cfg->proxy || cfg->proxy_from_environment) n = sio__bound_add(n, SIO__LINKS * sizeof(sio__tunnel));
    return n;
}

/* permessage-deflate: the history and a message inflated, its copy; a
 * message deflated (at most max_send_queue), the joined pieces, and for a
 * moment the tables: a hash head and chain of the message's size up to the
 * 32 KiB window, and a block's symbols. */
static size_t sio__bound_deflate(const sio_config *cfg, const sio__bound_limits *b)
{
#if SIO__WITH_DEFLATE
    size_t n, table = 256;
    if (cfg->deflate != SIO_DEFLATE_ON) return 0;
    while (table < b->q && table < 32768) table *= 2;
    n = sio__bound_mul(sio__bound_add(b->m, 32768 + 16), 2);
    n = sio__bound_add(n, sio__bound_mul(sio__bound_add(b->q, b->q / 1024 + 1024), 2));
    return sio__bound_add(n, sizeof(sio__block_tables) + (2 * table + SIO__BLOCK_SYMBOLS) * sizeof(uint32_t));
#else
    (void)cfg; (void)b;
    return 0;
#endif
}

/* Socket.IO: acks and emits kept (their bytes within max_send_queue),
 * namespaces, events held before a CONNECT reply (within max_message),
 * attachments being assembled (the old and the grown block for a moment),
 * the text scratch, the JSON walk's stack. */
static size_t sio__bound_socketio(const sio_config *cfg, const sio__bound_limits *b)
{
#if SIO__WITH_SOCKETIO
    size_t n;
    if (cfg->mode != SIO_MODE_SOCKETIO) return 0;
    n = sio__bound_mul(sio__bound_mul(b->acks, 2), sizeof(sio__ack));
    n = sio__bound_add(n, sio__bound_mul(b->acks, sizeof(sio__outgoing) + sizeof(sio__queued) + 2 * b->k * sizeof(size_t)));
    n = sio__bound_add(n, sio__bound_mul(b->q, 2));
    n = sio__bound_add(n, sio__bound_mul(b->ns, sizeof(sio__ns) + 2 * sizeof(void *) + 512));
    n = sio__bound_add(n, sio__bound_add(b->m, sio__bound_mul(b->k, sizeof(sio_bytes) + 64)));
    n = sio__bound_add(n, sio__bound_add(sio__bound_mul(b->m, 3), sio__bound_mul(b->k, 2 * sizeof(sio_bytes))));
    n = sio__bound_add(n, sio__bound_add(b->m, SIO__KEEP + 1));
    return sio__bound_add(n, cfg->max_json_depth ? cfg->max_json_depth : 1024);
#else
    (void)cfg; (void)b;
    return 0;
#endif
}

SIO_API size_t sio_memory_bound(const sio_config *cfg)
{
    sio__bound_limits b;
    size_t n, events;
    if (!cfg) return 0;
    b.m = cfg->max_message ? cfg->max_message : SIO__DEFAULT_MAX_MESSAGE;
    b.h = cfg->max_handshake ? cfg->max_handshake : SIO__DEFAULT_MAX_HANDSHAKE;
    b.q = cfg->max_send_queue ? cfg->max_send_queue : SIO__DEFAULT_MAX_SEND_QUEUE;
    b.k = cfg->max_attachments ? cfg->max_attachments : (size_t)SIO_DEFAULT_MAX_ATTACHMENTS;
    b.ns = cfg->max_namespaces ? cfg->max_namespaces : (size_t)SIO_DEFAULT_MAX_NAMESPACES;
    b.acks = cfg->max_pending_acks ? cfg->max_pending_acks : (size_t)SIO_DEFAULT_MAX_PENDING_ACKS;
    b.read = SIO__READ_CHUNK > SIO__PARTS_READ ? SIO__READ_CHUNK : SIO__PARTS_READ;
    b.strings = sio__bound_strings(cfg);
    /* the client and its strings, copied a few times (URL parts, the request head) */
    n = sio__bound_add(sizeof(sio_client) + 4096, sio__bound_mul(b.strings, 4));
    n = sio__bound_add(n, sio__bound_links(cfg, &b));
    n = sio__bound_add(n, sio__bound_deflate(cfg, &b));
    n = sio__bound_add(n, sio__bound_socketio(cfg, &b));
    /* events waiting: every ack failed at once, a few per namespace, and the connection's own
     * (ERROR, CLOSE, RECONNECTING...), in a ring that doubles */
    events = 16;
    if (cfg->mode == SIO_MODE_SOCKETIO)
        events = sio__bound_add(events, sio__bound_add(sio__bound_mul(b.acks, 2), sio__bound_mul(b.ns, 8) + 48));
    n = sio__bound_add(n, sio__bound_mul(sio__bound_mul(events, 2), sizeof(sio__pending)));
    /* for a moment: a response head parsed, a redirect's URL and head, the resolver */
    n = sio__bound_add(n, sizeof(sio_http_response) + 2 * 1024 + 16 + SIO__TEXT_SIZE + 1024);
    n = sio__bound_add(n, sio__bound_mul(b.strings, 2));
#if SIO__WITH_DNS
    n = sio__bound_add(n, sizeof(sio__resolving));
#endif
    return n;
}

static int sio__add_string(const sio_allocator *a, char **dst, const char *s)
{
    *dst = sio__strdup(a, s);
    return *dst ? SIO_OK : SIO_ERR_NOMEM;
}

static int sio__header_ok(const char *h)
{
    const char *colon = strchr(h, ':'), *p;
    if (!colon || colon == h) return 0;
    for (p = h; p < colon; p++)
        if (!sio__is_tchar((unsigned char)*p)) return 0;
    for (p = colon; *p; p++)
        if (*p == '\r' || *p == '\n') return 0;
    return 1;
}

static void sio__shrink(const sio_allocator *a, char **s)
{
    char *p = (char *)sio__realloc(a, *s, strlen(*s) + 1);
    if (p) *s = p;
}

static int sio__query_ok(const char *const *query, size_t count)
{
    size_t i;
    for (i = 0; i < count; i++) {
        const char *p;
        if (!query || !query[i] || !strchr(query[i], '=')) return 0;
        for (p = query[i]; *p; p++)
            if ((unsigned char)*p <= 0x20 || *p == '#' || *p == 0x7f) return 0;
    }
    return 1;
}

static int sio__headers_ok(const char *const *headers, size_t count)
{
    size_t i;
    for (i = 0; i < count; i++)
        if (!headers || !headers[i] || !sio__header_ok(headers[i])) return 0;
    return 1;
}

/* The query every handshake adds, "&k=v..." (Socket.IO: after the URL's
 * own, which goes there since the URL's path is the namespace). */
static char *sio__make_query(sio_client *c, const char *const *query, size_t count)
{
    size_t size = 2 + (c->own_query ? strlen(c->own_query) : 0), i;
    char *q, *p;
    for (i = 0; i < count; i++) size += strlen(query[i]) + 1;
    p = q = (char *)sio__realloc(&c->sys.alloc, NULL, size);
    if (!q) return NULL;
    *p = 0;
    if (c->own_query && c->own_query[0]) p += sprintf(p, "&%s", c->own_query);
    for (i = 0; i < count; i++) p += sprintf(p, "&%s", query[i]);
    sio__shrink(&c->sys.alloc, &q);
    return q;
}

/* The request head's lines but the request line: Host, then the caller's headers. */
static char *sio__make_head(sio_client *c, const char *const *headers, size_t count)
{
    size_t size = 64 + strlen(c->host), i;
    char *head, *p;
    for (i = 0; i < count; i++) size += strlen(headers[i]) + 2;
    p = head = (char *)sio__realloc(&c->sys.alloc, NULL, size);
    if (!head) return NULL;
    p += sio__host_line(c, p);
    for (i = 0; i < count; i++) p += sprintf(p, "%s\r\n", headers[i]);
    sio__shrink(&c->sys.alloc, &head);            /* exact sizes, so that sio_memory() can count them */
    return head;
}

/* The parts of every request built once: the target (the URL's path and
 * query, or the Engine.IO path), the extra query, then Host and the
 * application's headers. */
static int sio__make_request_head(sio_client *c, const sio_config *cfg)
{
    const char *path = cfg->path && cfg->path[0] ? cfg->path : "/socket.io/";   /* "" too: the default */
    if (SIO__SOCKETIO(c) && c->url.query_len) {
        c->own_query = (char *)sio__realloc(&c->sys.alloc, NULL, c->url.query_len + 1);
        if (!c->own_query) return SIO_ERR_NOMEM;
        memcpy(c->own_query, c->url.query, c->url.query_len);
        c->own_query[c->url.query_len] = 0;
    }
    c->eio_target = (char *)sio__realloc(&c->sys.alloc, NULL, 3 + c->url.path_len + c->url.query_len + strlen(path));
    c->eio_query = sio__make_query(c, cfg->query, cfg->query_count);
    c->request_head = sio__make_head(c, cfg->headers, cfg->header_count);
    if (!c->request_head || !c->eio_target || !c->eio_query) return SIO_ERR_NOMEM;
    if (SIO__SOCKETIO(c))       /* Engine.IO path; the URL path is the namespace */
        sprintf(c->eio_target, "%s%s", path[0] == '/' ? "" : "/", path);
    else
        sio__websocket_target(c, c->eio_target);
    sio__shrink(&c->sys.alloc, &c->eio_target);
    return SIO_OK;
}

SIO_API int sio_set_headers(sio_client *c, const char *const *headers, size_t count)
{
    char *head;
    if (!c || !sio__headers_ok(headers, count)) return SIO_ERR_INVALID;
    if (!(head = sio__make_head(c, headers, count))) return SIO_ERR_NOMEM;
    sio__free(&c->sys.alloc, c->request_head);
    c->request_head = head;
    return SIO_OK;
}

SIO_API int sio_set_query(sio_client *c, const char *const *query, size_t count)
{
    char *q;
    if (!c || !sio__query_ok(query, count)) return SIO_ERR_INVALID;
    if (!(q = sio__make_query(c, query, count))) return SIO_ERR_NOMEM;
    sio__free(&c->sys.alloc, c->eio_query);
    c->eio_query = q;
    return SIO_OK;
}

/* The caller's headers and subprotocols: SIO_OK or why not. */
static int sio__config_strings_ok(const sio_config *cfg)
{
    size_t i;
    if (!sio__headers_ok(cfg->headers, cfg->header_count) || !sio__query_ok(cfg->query, cfg->query_count))
        return SIO_ERR_INVALID;
    for (i = 0; i < cfg->protocol_count; i++) {
        const char *p;
        if (!cfg->protocols || !cfg->protocols[i] || !cfg->protocols[i][0]) return SIO_ERR_INVALID;
        for (p = cfg->protocols[i]; *p; p++)
            if (!sio__is_tchar((unsigned char)*p)) return SIO_ERR_INVALID;
        if (p - cfg->protocols[i] > SIO_MAX_PROTOCOL) return SIO_ERR_TOO_BIG;   /* the event's field holds no more */
    }
    return SIO_OK;
}

#ifndef SIO_DEFAULT_MAX_JSON_DEPTH                 /* SIO_SMALL_TARGET's is in common.c */
#define SIO_DEFAULT_MAX_JSON_DEPTH SIO_JSON_DEFAULT_DEPTH
#endif
#if SIO_DEFAULT_MAX_JSON_DEPTH < 2
#error "sio: SIO_DEFAULT_MAX_JSON_DEPTH is below 2"
#endif

/* The limits, timeouts and reconnection settings, defaults for zeros. */
static void sio__config_numbers(sio_client *c, const sio_config *cfg)
{
    c->max_message = cfg->max_message ? cfg->max_message : SIO__DEFAULT_MAX_MESSAGE;
    c->max_handshake = cfg->max_handshake ? cfg->max_handshake : SIO__DEFAULT_MAX_HANDSHAKE;
    c->max_send_queue = cfg->max_send_queue ? cfg->max_send_queue : SIO__DEFAULT_MAX_SEND_QUEUE;
    if (c->max_send_queue > (size_t)-1 - SIO__PONG_SLACK)      /* "no bound": the pongs' slack must not wrap */
        c->max_send_queue = (size_t)-1 - SIO__PONG_SLACK;
    c->websocket.fragment = cfg->send_fragment_size;
    c->websocket.deflate_offer = SIO__WITH_DEFLATE && cfg->deflate == SIO_DEFLATE_ON;
    c->websocket.deflate_bits = cfg->deflate_window_bits ? cfg->deflate_window_bits : 15;
    c->websocket.deflate_no_takeover = cfg->deflate_no_context_takeover != 0;
    c->websocket.deflate_threshold = cfg->deflate_threshold ? cfg->deflate_threshold : SIO__DEFLATE_THRESHOLD;
    c->connect_timeout = cfg->connect_timeout_ms ? cfg->connect_timeout_ms : SIO__DEFAULT_CONNECT_TIMEOUT;
    c->close_timeout = cfg->close_timeout_ms > 0 ? cfg->close_timeout_ms : SIO__DEFAULT_CLOSE_TIMEOUT;
    c->websocket.keepalive.interval = cfg->ping_interval_ms > 0 ? (uint64_t)cfg->ping_interval_ms : 0;
    c->websocket.keepalive.timeout = cfg->pong_timeout_ms == 0 ? SIO__DEFAULT_PONG_TIMEOUT
                                   : cfg->pong_timeout_ms < 0 ? 0 : (uint64_t)cfg->pong_timeout_ms;
    c->max_attachments = cfg->max_attachments ? cfg->max_attachments : (size_t)SIO_DEFAULT_MAX_ATTACHMENTS;
    c->max_namespaces = cfg->max_namespaces ? cfg->max_namespaces : (size_t)SIO_DEFAULT_MAX_NAMESPACES;
    c->max_pending_acks = cfg->max_pending_acks ? cfg->max_pending_acks : (size_t)SIO_DEFAULT_MAX_PENDING_ACKS;
    c->emit_retries = cfg->retries > 0 ? cfg->retries : 0;
    c->emit_ack_timeout = cfg->ack_timeout_ms > 0 ? (uint64_t)cfg->ack_timeout_ms : 0;
    c->max_json_depth = cfg->max_json_depth ? cfg->max_json_depth : (unsigned)SIO_DEFAULT_MAX_JSON_DEPTH;
    c->max_redirects = cfg->max_redirects == 0 ? 5 : cfg->max_redirects < 0 ? 0 : cfg->max_redirects;
    c->keep_handshake = cfg->keep_handshake;
    c->reconnect = cfg->reconnect;
    c->reconnect_attempts = cfg->reconnect_attempts;
    c->delay_min = cfg->reconnect_delay_ms > 0 ? cfg->reconnect_delay_ms : 1000;
    c->delay_max = cfg->reconnect_delay_max_ms > 0 ? cfg->reconnect_delay_max_ms : 5000;
    if (c->delay_max < c->delay_min) c->delay_max = c->delay_min;
    c->jitter_pct = cfg->reconnect_jitter_pct == 0 ? 50 : cfg->reconnect_jitter_pct > 100 ? 100 : cfg->reconnect_jitter_pct;
    c->reconnect_queue = cfg->reconnect_queue;
}

SIO_API int sio_create(const sio_config *cfg, sio_client **out)
{
    sio_client *c;
    sio_allocator a;
    size_t i;
    int r;
    if (!cfg || !out || !cfg->url) return SIO_ERR_INVALID;
    *out = NULL;
    a = cfg->allocator;
    if ((r = sio__config_strings_ok(cfg)) != SIO_OK) return r;
    c = (sio_client *)sio__realloc(&a, NULL, sizeof *c);
    if (!c) return SIO_ERR_NOMEM;
    memset(c, 0, sizeof *c);
    c->sys.alloc = a;
    c->ln.sock = SIO_INVALID_SOCKET;
    c->sys.pf = cfg->platform ? cfg->platform : sio_platform_default();
    c->user_data = cfg->user_data;
    sio__config_numbers(c, cfg);
    r = sio__add_string(&a, &c->name, cfg->name ? cfg->name : "");
    if (r == SIO_OK) r = sio__add_string(&a, &c->url_text, cfg->url);
    if (r == SIO_OK && cfg->dns_server) r = sio__add_string(&a, &c->dns_server, cfg->dns_server);
    if (r == SIO_OK && sio_url_parse(&c->url, c->url_text) != SIO_OK) r = SIO_ERR_URL;
    if (r == SIO_OK) {
        c->host = (char *)sio__realloc(&a, NULL, c->url.host_len + 1);
        if (!c->host) r = SIO_ERR_NOMEM;
        else {
            memcpy(c->host, c->url.host, c->url.host_len);
            c->host[c->url.host_len] = 0;
        }
    }
#if SIO__WITH_SOCKETIO
    if (cfg->mode == SIO_MODE_SOCKETIO) c->session = &sio__socketio_session;
#endif
    if (r == SIO_OK && cfg->mode != SIO_MODE_WEBSOCKET && !SIO__SOCKETIO(c)) r = SIO_ERR_INVALID;
    c->sys.tls = cfg->tls;
#if !SIO__WITH_TLS
    if (r == SIO_OK && c->url.secure && !c->sys.tls) r = SIO_ERR_TLS;   /* never plaintext instead */
#endif
    c->port = cfg->port ? cfg->port : c->url.port;
    c->transport = cfg->transport;
    c->try_all_transports = cfg->try_all_transports != 0;
    c->remember_upgrade = cfg->remember_upgrade != 0;
    if (r == SIO_OK && cfg->eio && cfg->eio != 3 && cfg->eio != 4) r = SIO_ERR_INVALID;
    if (r == SIO_OK && ((cfg->deflate != SIO_DEFLATE_OFF && cfg->deflate != SIO_DEFLATE_ON) ||
                        (cfg->deflate_window_bits && (cfg->deflate_window_bits < 9 || cfg->deflate_window_bits > 15))))
        r = SIO_ERR_INVALID;
#if SIO__WITH_SOCKETIO
    c->eio.version = cfg->eio ? cfg->eio : 4;
#endif
#if SIO__WITH_POLLING
    c->polling.post.sock = c->upgrade.link.sock = SIO_INVALID_SOCKET;
#endif
    if (r == SIO_OK && (c->transport < SIO_TRANSPORT_WEBSOCKET || c->transport > SIO_TRANSPORT_AUTO ||
                        (!SIO__WITH_POLLING && SIO__SOCKETIO(c) && c->transport != SIO_TRANSPORT_WEBSOCKET)))
        r = SIO_ERR_INVALID;
    if (r == SIO_OK && !SIO__WITH_DNS && cfg->dns_server) r = SIO_ERR_INVALID;   /* no resolver to give it to */
    if (r == SIO_OK && cfg->dns_server && strlen(cfg->dns_server) > 63) r = SIO_ERR_INVALID;   /* "[v6]:port" fits */
#if SIO__WITH_SOCKETIO
    if (r == SIO_OK && SIO__SOCKETIO(c)) r = sio__socketio_configure(c, cfg);
#endif
    if (r == SIO_OK && cfg->protocol_count) {
        c->websocket.protocols = (char **)sio__realloc(&a, NULL, cfg->protocol_count * sizeof(char *));
        if (!c->websocket.protocols) r = SIO_ERR_NOMEM;
        else memset(c->websocket.protocols, 0, cfg->protocol_count * sizeof(char *));
        for (i = 0; r == SIO_OK && i < cfg->protocol_count; i++) {
            r = sio__add_string(&a, &c->websocket.protocols[i], cfg->protocols[i]);
            c->websocket.protocol_count = i + 1;
        }
    }
    if (r == SIO_OK && cfg->proxy) r = sio__add_string(&a, &c->proxy_setting, cfg->proxy);
    if (r == SIO_OK && cfg->no_proxy) r = sio__add_string(&a, &c->no_proxy, cfg->no_proxy);
    c->proxy_from_environment = cfg->proxy_from_environment;
    if (r == SIO_OK) {
        sio__proxy_plan plan;
        /* a configured proxy must be usable even where no_proxy leaves it out:
         * a redirect may lead to an origin it serves */
        if (cfg->proxy && cfg->proxy[0] && (r = sio__plan_proxy(c, c->url.secure, c->host, c->port, 1, &plan)) == SIO_OK)
            sio__proxy_plan_free(c, &plan);
        if (r == SIO_OK && (r = sio__plan_proxy(c, c->url.secure, c->host, c->port, 0, &plan)) == SIO_OK)
            sio__use_proxy(c, &plan);
    }
    if (r == SIO_OK) r = sio__make_request_head(c, cfg);
    c->websocket.rx.allocator = a;
    c->websocket.rx.max_message = c->max_message;
    if (cfg->receive_parts) {                    /* Engine.IO's text packets still come whole */
        c->websocket.rx.parts = SIO__SOCKETIO(c) ? SIO_WS_PARTS_BINARY : SIO_WS_PARTS_ALL;
        c->sys.read_max = SIO__PARTS_READ;
#if SIO__WITH_SOCKETIO
        c->socketio.receive_parts = SIO__SOCKETIO(c);
#endif
    }
    if (r != SIO_OK) {
        sio_destroy(c);
        return r;
    }
    *out = c;
    return SIO_OK;
}

SIO_API void sio_destroy(sio_client *c)
{
    sio_allocator a;
    if (!c) return;
    if (c->membership.set) sio__set_of(c)->remove(c->membership.set, c);
    a = c->sys.alloc;
    sio__link_close(c, &c->ln);
    sio__addresses_release(c, 0);
    sio__free(&a, c->name);
    sio__free(&a, c->url_text);
    sio__free(&a, c->dns_server);
    sio__free(&a, c->host);
    sio__free(&a, c->handshake);
    sio__free(&a, c->offline);
    sio__free(&a, c->own_query);
#if SIO__WITH_PROXY
    sio__free(&a, c->proxy_text);
    sio__free(&a, c->hop_host);
#endif
    sio__free(&a, c->proxy_setting);
    sio__free(&a, c->no_proxy);
    sio__free(&a, c->request_head);
    sio__free(&a, c->eio_target);
    sio__free(&a, c->eio_query);
#if SIO__WITH_POLLING
    sio__link_close(c, &c->polling.post);
    sio__link_close(c, &c->upgrade.link);
    sio__free(&a, c->polling.out);
#endif
#if SIO__WITH_POLLING
    {
        size_t i;
        for (i = 0; i < SIO__MAX_COOKIES; i++) sio__free(&a, c->cookies[i]);
    }
#endif
    sio__websocket_free(&c->websocket, &a);
#if SIO__WITH_SOCKETIO
    sio__socketio_free(c);
#endif
    sio__free(&a, c->events.ring);
#if defined(SIO_WITH_BEARSSL)
    sio_bearssl_destroy(c->default_tls);
#elif defined(SIO_WITH_OPENSSL)
    sio_openssl_destroy(c->default_tls);
#elif defined(SIO_WITH_MBEDTLS)
    sio_mbedtls_destroy(c->default_tls);
#endif
    sio__free(&a, c);
}


SIO_API int sio_start(sio_client *c)
{
    if (!c) return SIO_ERR_INVALID;
    if (c->phase != SIO__IDLE || c->events.close_owed) return SIO_ERR_STATE;   /* the last run's CLOSE first */
    if (sio__events_crowded(c)) return SIO_ERR_FULL;
    c->user_stop = 0;
    c->retries = 0;
    c->fell_back = c->upgraded = 0;                  /* a new run tries the configured transport again */
    sio__free(&c->sys.alloc, c->handshake);          /* this run's answer replaces the last one's */
    c->handshake = NULL;
#if SIO__WITH_SOCKETIO
    if (SIO__SOCKETIO(c)) sio__namespaces_start(&c->socketio.namespaces);
#endif
    sio__begin(c);
    sio__wake(c);
    return SIO_OK;
}

SIO_API int sio_close(sio_client *c, int code, const char *reason)
{
    size_t rlen;
    if (!c) return SIO_ERR_INVALID;
    rlen = reason ? strlen(reason) : 0;
    if ((code && !sio_ws_close_code_valid(code)) || rlen > 123 || (!code && rlen) ||
        (rlen && !sio_utf8_valid(reason, rlen)))
        return SIO_ERR_INVALID;
    sio__wake(c);
    switch (c->phase) {
    case SIO__IDLE:
        return SIO_ERR_STATE;
    case SIO__BACKOFF:
        c->user_stop = 1;
        sio__finish(c, SIO_CLOSE_ABNORMAL, "stopped while waiting to reconnect", 0);
        return SIO_OK;
    case SIO__RESOLVING:
    case SIO__CONNECTING:
    case SIO__HANDSHAKE:
        c->user_stop = 1;
        sio__finish(c, SIO_CLOSE_ABNORMAL, "stopped before the connection was open", 0);
        return SIO_OK;
    case SIO__OPEN:
#if SIO__WITH_SOCKETIO
        if (SIO__SOCKETIO(c)) sio__socketio_stop(c);
#endif
        c->user_stop = 1;
        if (SIO__POLLING(c) && sio__awaiting_session(c)) {
            sio__finish(c, SIO_CLOSE_ABNORMAL, "stopped before the connection was open", 0);
            return SIO_OK;
        }
        if (sio__eio_close(c, code, reason) != SIO_OK) {
            sio__abort(c, SIO_ERR_NOMEM, "ws: could not queue the close frame");
            return SIO_OK;
        }
        return SIO_OK;
    default:                                 /* already closing: it ends there, without a reconnection */
        c->user_stop = 1;
        return SIO_OK;
    }
}

SIO_API int sio_stop(sio_client *c) { return sio_close(c, SIO_CLOSE_NORMAL, ""); }

/* While a reconnecting WebSocket is not connected (between sio_start and
 * the end, the server's close or a failure included), messages wait for
 * the next connection, unless refused. */
static int sio__sends_kept(const sio_client *c, int opcode)
{
    int between = (c->phase != SIO__IDLE && c->phase < SIO__OPEN) || c->phase == SIO__CLOSE_WAIT ||
                  c->phase == SIO__FAILING;
    return c->reconnect == SIO_RECONNECT_ON && c->reconnect_queue == SIO_RECONNECT_QUEUE && !c->user_stop &&
           opcode != SIO_WS_PING && between;
}

/* A message in parts goes out as fragments on this connection: between
 * its frames only control frames may go (RFC 6455 5.4). */
static int sio__sending_parts(const sio_client *c)
{
    return c->websocket.tx_parts && c->phase == SIO__OPEN && !c->websocket.close_sent;
}

static int sio__send_data(sio_client *c, int opcode, const void *data, size_t len)
{
    if (!c || (!data && len)) return SIO_ERR_INVALID;
    if (SIO__SOCKETIO(c) || (opcode != SIO_WS_PING && sio__sending_parts(c))) return SIO_ERR_STATE;
    if (sio__sends_kept(c, opcode)) return sio__offline_add(c, opcode, (const unsigned char *)data, len);
    if (c->phase != SIO__OPEN || c->websocket.close_sent) return SIO_ERR_STATE;
    sio__wake(c);
    return sio__websocket_send(&c->websocket, &c->sys, &c->ln, opcode, (const unsigned char *)data, len, c->max_send_queue);
}

SIO_API int sio_send_text(sio_client *c, const char *text, size_t len)
{
    if (text && !sio_utf8_valid(text, len)) return SIO_ERR_INVALID;
    return sio__send_data(c, SIO_WS_TEXT, text, len);
}

SIO_API int sio_send_binary(sio_client *c, const void *data, size_t len)
{
    return sio__send_data(c, SIO_WS_BINARY, data, len);
}

SIO_API int sio_send_ping(sio_client *c, const void *data, size_t len)
{
    if (len > 125) return SIO_ERR_INVALID;
    return sio__send_data(c, SIO_WS_PING, data, len);
}

SIO_API int sio_send_begin(sio_client *c, int binary)
{
    if (!c) return SIO_ERR_INVALID;
#if SIO__WITH_SOCKETIO
    if (SIO__SOCKETIO(c)) return sio__socketio_parts_begin(c, binary);   /* an emit's next attachment */
#endif
    if (SIO__SOCKETIO(c) || c->phase != SIO__OPEN || c->websocket.close_sent || sio__sending_parts(c))
        return SIO_ERR_STATE;
    sio__websocket_parts_begin(&c->websocket, binary);
    return SIO_OK;
}

/* Room on the link for a part: max_send_queue less what an emit's
 * attachments hold back (their packet and what waits behind them), but all
 * of it once the link is empty: what is held back goes only after the last
 * attachment, so the attachment must always be able to move.  The parts and
 * what waits behind them may so take twice max_send_queue in all. */
static size_t sio__parts_limit(const sio_client *c)
{
#if SIO__WITH_SOCKETIO
    size_t behind = c->socketio.held.tx_len + c->socketio.namespaces.queued_bytes;
    if (c->ln.tx_len == c->ln.tx_sent) return c->max_send_queue;
    return behind < c->max_send_queue ? c->max_send_queue - behind : 0;
#else
    return c->max_send_queue;
#endif
}

SIO_API int sio_send_part(sio_client *c, const void *data, size_t len)
{
    int r;
    if (!c || (!data && len)) return SIO_ERR_INVALID;
    if (!sio__sending_parts(c)) return SIO_ERR_STATE;
#if SIO__WITH_SOCKETIO
    if (SIO__SOCKETIO(c) && !sio__socketio_part_fits(c, len)) return SIO_ERR_TOO_BIG;
#endif
    r = sio__websocket_part(&c->websocket, &c->sys, &c->ln, (const unsigned char *)data, len, 0, sio__parts_limit(c));
    if (r != SIO_OK) return r;
#if SIO__WITH_SOCKETIO
    if (SIO__SOCKETIO(c) && len) sio__socketio_part_sent(c, len);
#endif
    sio__wake(c);
    return SIO_OK;
}

SIO_API int sio_send_end(sio_client *c)
{
    int r;
    if (!c) return SIO_ERR_INVALID;
    if (!sio__sending_parts(c)) return SIO_ERR_STATE;
    r = sio__websocket_part(&c->websocket, &c->sys, &c->ln, (const unsigned char *)"", 0, 1, c->max_send_queue);
    if (r != SIO_OK) return r;
#if SIO__WITH_SOCKETIO
    if (SIO__SOCKETIO(c)) sio__socketio_part_ended(c);
#endif
    sio__wake(c);
    return SIO_OK;
}

SIO_API sio_socket sio_socket_of(const sio_client *c) { return c ? c->ln.sock : SIO_INVALID_SOCKET; }

/* What link i waits for (SIO_WAIT_*).  While resolving, the main link's
 * socket is the nameserver's: its answers are read, the request waits. */
static int sio__wants(const sio_client *c, int i)
{
    if (i == 0 && c->phase == SIO__RESOLVING) return c->ln.sock == SIO_INVALID_SOCKET ? 0 : SIO_WAIT_READ;
    return sio__link_wants(&c->sys, sio__link_at(c, i));
}

SIO_API int sio_wants_write(const sio_client *c)
{
    return c && (sio__wants(c, 0) & SIO_WAIT_WRITE) != 0;
}

SIO_API size_t sio_sockets(const sio_client *c, sio_wait_item *items, size_t max)
{
    size_t n = 0;
    int i;
    if (!c || !items) return 0;
    for (i = 0; i < SIO__LINKS && n < max; i++) {
        const sio__link *l = sio__link_at(c, i);
        if (l->sock == SIO_INVALID_SOCKET) continue;
        items[n].socket = l->sock;
        items[n].events = sio__wants(c, i);
        items[n++].revents = 0;
    }
    return n;
}

/* The minimum of what the pump's timer and the engines' deadlines ask for. */
SIO_API int sio_next_timeout_ms(const sio_client *c)
{
    uint64_t now;
    uint64_t deadline;
    int i;
    if (!c) return -1;
    if (c->events.count || c->events.close_owed) return 0;   /* work waiting */
    for (i = 0; i < SIO__LINKS; i++)              /* plaintext the socket no longer shows: the probe's too */
        if (sio__tls_buffered(&c->sys, sio__link_at(c, i))) return 0;
#if SIO__WITH_POLLING
    if (c->polling.pkt_end > c->polling.pkt_pos) return 0;
#endif
#if SIO__WITH_SOCKETIO
    if (sio__namespaces_deliverable(&c->socketio.namespaces)) return 0;
#endif
    deadline = c->deadline;
#if SIO__WITH_POLLING
    deadline = sio__earliest(deadline, sio__upgrade_deadline(&c->upgrade));
#endif
#if SIO__WITH_DNS
    deadline = sio__earliest(deadline, sio__resolver_deadline(&c->resolver));
#endif
#if SIO__WITH_SOCKETIO
    if (SIO__SOCKETIO(c)) deadline = sio__earliest(deadline, sio__socketio_deadline(c));
#endif
    if (c->phase == SIO__OPEN && !SIO__SOCKETIO(c))
        deadline = sio__earliest(deadline, sio__keepalive_deadline(&c->websocket.keepalive, c->ln.last_read));
    now = sio__now(c);
    /* A connect in progress is also asked now and then: a poller may never
     * report a refused one (WSAPoll before Windows 10 2004). */
    if (sio__links_connecting(c)) deadline = sio__earliest(deadline, now + SIO__CONNECT_RECHECK_MS);
    if (!deadline) return -1;
    if (now >= deadline) return 0;
    return deadline - now > (uint64_t)INT_MAX ? INT_MAX : (int)(deadline - now);
}

SIO_API sio_state sio_get_state(const sio_client *c)
{
    if (!c) return SIO_STATE_IDLE;
    switch (c->phase) {
    case SIO__RESOLVING:
    case SIO__CONNECTING:
    case SIO__HANDSHAKE: return SIO_STATE_CONNECTING;
    case SIO__OPEN: return sio__awaiting_session(c) ? SIO_STATE_CONNECTING : SIO_STATE_OPEN;
    case SIO__IDLE: return SIO_STATE_IDLE;
    case SIO__BACKOFF: return SIO_STATE_RECONNECTING;
    default: return SIO_STATE_CLOSING;
    }
}

SIO_API const char *sio_name(const sio_client *c) { return c ? c->name : ""; }
SIO_API const char *sio_url_of(const sio_client *c) { return c ? c->url_text : ""; }

SIO_API int sio_handshake(const sio_client *c, sio_handshake_response *out)
{
    if (!c || !out) return SIO_ERR_INVALID;
    memset(out, 0, sizeof *out);
    if (!c->handshake) return SIO_ERR_STATE;
    out->status = c->handshake_status;
    out->head = c->handshake;
    out->head_len = c->handshake_head;
    out->body = c->handshake + c->handshake_head;
    out->body_len = c->handshake_body;
    return SIO_OK;
}

SIO_API size_t sio_queued_bytes(const sio_client *c) { return c ? sio__backlog(c) : 0; }

SIO_API int sio_poll(sio_client *c, sio_event *ev, int timeout_ms)
{
    if (!c) return SIO_ERR_INVALID;
    return sio_poll_clients(&c, 1, ev, timeout_ms);
}

#define SIO__WAIT_STACK 16


SIO_API int sio_poll_set(sio_client *const *clients, size_t count, sio_event *ev, int timeout_ms)
{
    return sio_poll_clients(clients, count, ev, timeout_ms);
}

SIO_API int sio_poll_clients(sio_client *const *clients, size_t count, sio_event *ev, int timeout_ms)
{
    const sio_platform *pf;
    uint64_t start;
    size_t i;
    if (!clients || !ev || count == 0) return SIO_ERR_INVALID;
    for (i = 0; i < count; i++)
        if (!clients[i]) return SIO_ERR_INVALID;
    pf = clients[0]->sys.pf;
    start = pf->now_ms(pf->user);
    if (timeout_ms == 0)                      /* an external loop saw readiness: try to read */
        for (i = 0; i < count; i++) sio__links_may_read(clients[i]);
    for (;;) {
        sio_wait_item stack_items[SIO__WAIT_STACK], *items = stack_items;
        size_t rotate = 0, n = 0;
        int wait_ms = timeout_ms, r;
        uint64_t now;
        for (i = 0; i < count; i++) rotate += clients[i]->served;
        for (i = 0; i < count; i++) {
            sio_client *c = clients[(rotate + i) % count];
            if (sio__next_event(c, ev)) {
                c->served++;
                return 1;
            }
        }
        memset(ev, 0, sizeof *ev);
        now = pf->now_ms(pf->user);
        if (timeout_ms >= 0) {
            if (now - start >= (uint64_t)timeout_ms) return 0;
            wait_ms = (int)((uint64_t)timeout_ms - (now - start));
        }
        if (SIO__LINKS * count > SIO__WAIT_STACK) {
            items = (sio_wait_item *)sio__realloc(&clients[0]->sys.alloc, NULL, SIO__LINKS * count * sizeof *items);
            if (!items) return SIO_ERR_NOMEM;
        }
        for (i = 0; i < count; i++) {
            const sio_client *c = clients[i];
            int t = sio_next_timeout_ms(c);
            if (t >= 0 && (wait_ms < 0 || t < wait_ms)) wait_ms = t;
            n += sio_sockets(c, items + n, SIO__LINKS);
        }
        if (n == 0 && wait_ms < 0) {          /* nothing could ever happen */
            if (items != stack_items) sio__free(&clients[0]->sys.alloc, items);
            return 0;
        }
        r = pf->wait(pf->user, items, n, wait_ms);
        if (r > 0) {                          /* readiness: allow reads again (items follow clients' order) */
            size_t k = 0, marked = 0;
            for (i = 0; i < count && k < n; i++) {
                int m;
                for (m = 0; m < SIO__LINKS && k < n; m++) {
                    sio__link *l = sio__link_at(clients[i], m);
                    if (l->sock == SIO_INVALID_SOCKET) continue;
                    if (items[k].revents) { l->may_read = 1; marked++; }
                    k++;
                }
            }
            if (!marked)                      /* a platform that reports no revents: try everyone */
                for (i = 0; i < count; i++) sio__links_may_read(clients[i]);
        }
        if (items != stack_items) sio__free(&clients[0]->sys.alloc, items);
        if (r < 0) return 0;
    }
}


#ifdef SIO_SOURCE_LINES
#line 1 "src/set.c"
#endif
/* ---- sets: many clients driven from one thread ---------------------------
 * Readiness comes from the platform's poller (epoll on Linux, WSAPoll on
 * Windows), so a wake-up costs work only for the clients that have
 * something to do; timers sit in a binary heap.  Without a poller the set
 * falls back to wait() over every socket.  Clients are served first in,
 * first out.  A client's socket leaves the poller before it is closed. */

struct sio_set {
    sio__set_hooks hooks;              /* first: what its clients call (sio__set_of) */
    sio_allocator alloc;
    const sio_platform *pf;
    void *poller;
    size_t count;                      /* clients in the set */
    sio_client *ready_head, *ready_tail;
    sio_client **heap;                 /* by set_deadline, earliest first */
    size_t heap_count, heap_cap;
    sio_ready *events;
    size_t events_cap;
    sio_wait_item *items;              /* fallback without a poller */
    size_t items_cap;
    sio_client *all;                   /* every client, for the fallback */
};

static int sio__heap_less(const sio_set *s, size_t i, size_t j)
{
    return s->heap[i]->membership.set_deadline < s->heap[j]->membership.set_deadline;
}

static void sio__heap_swap(sio_set *s, size_t i, size_t j)
{
    sio_client *t = s->heap[i];
    s->heap[i] = s->heap[j];
    s->heap[j] = t;
    s->heap[i]->membership.heap_pos = i;
    s->heap[j]->membership.heap_pos = j;
}

static void sio__heap_fix(sio_set *s, size_t i)
{
    while (i > 0 && sio__heap_less(s, i, (i - 1) / 2)) {
        sio__heap_swap(s, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < s->heap_count && sio__heap_less(s, l, m)) m = l;
        if (r < s->heap_count && sio__heap_less(s, r, m)) m = r;
        if (m == i) return;
        sio__heap_swap(s, i, m);
        i = m;
    }
}

static void sio__heap_remove(sio_set *s, sio_client *c)
{
    size_t i = c->membership.heap_pos;
    if (i == SIO__NO_POS) return;
    s->heap_count--;
    if (i != s->heap_count) {
        s->heap[i] = s->heap[s->heap_count];
        s->heap[i]->membership.heap_pos = i;
        sio__heap_fix(s, i);
    }
    c->membership.heap_pos = SIO__NO_POS;
}

/* Puts the client's next deadline (0: none) into the heap. */
static int sio__heap_set(sio_set *s, sio_client *c, uint64_t deadline)
{
    if (!deadline) {
        sio__heap_remove(s, c);
        return SIO_OK;
    }
    c->membership.set_deadline = deadline;
    if (c->membership.heap_pos == SIO__NO_POS) {
        if (s->heap_count == s->heap_cap) {
            size_t cap = s->heap_cap ? s->heap_cap * 2 : 16;
            void *p = sio__realloc(&s->alloc, s->heap, cap * sizeof *s->heap);
            if (!p) return SIO_ERR_NOMEM;
            s->heap = (sio_client **)p;
            s->heap_cap = cap;
        }
        c->membership.heap_pos = s->heap_count;
        s->heap[s->heap_count++] = c;
    }
    sio__heap_fix(s, c->membership.heap_pos);
    return SIO_OK;
}

static void sio__ready_push(sio_set *s, sio_client *c)
{
    if (c->membership.in_ready) return;
    c->membership.in_ready = 1;
    c->membership.ready_next = NULL;
    c->membership.ready_prev = s->ready_tail;
    if (s->ready_tail) s->ready_tail->membership.ready_next = c;
    else s->ready_head = c;
    s->ready_tail = c;
}

static void sio__ready_unlink(sio_set *s, sio_client *c)
{
    if (!c->membership.in_ready) return;
    if (c->membership.ready_prev) c->membership.ready_prev->membership.ready_next = c->membership.ready_next;
    else s->ready_head = c->membership.ready_next;
    if (c->membership.ready_next) c->membership.ready_next->membership.ready_prev = c->membership.ready_prev;
    else s->ready_tail = c->membership.ready_prev;
    c->membership.in_ready = 0;
    c->membership.ready_next = c->membership.ready_prev = NULL;
}

/* A tag names a client's link for the poller: the client pointer with the
 * link's index in its low bits (clients are at least 4-byte aligned). */
static void *sio__tag(sio_client *c, int link) { return (void *)((uintptr_t)c | (uintptr_t)link); }

/* After a client had nothing more to say: registers its sockets' interest
 * with the poller and its next deadline with the heap. */
static void sio__set_sync(sio_set *s, sio_client *c)
{
    sio_wait_item items[SIO_MAX_SOCKETS];
    /* the timeout first: looking for plaintext may leave a TLS engine
     * ciphertext to send (an alert), which the interest must include */
    int t = sio_next_timeout_ms(c);
    size_t n, k;
    int link;
    uint64_t d;
    if (t == 0) {                              /* buffered work: serve it at once */
        sio__ready_push(s, c);
        return;
    }
    n = sio_sockets(c, items, SIO_MAX_SOCKETS);
    if (s->poller) {
        for (link = 0; link < SIO__LINKS; link++) {
            sio_socket sock = sio__link_at(c, link)->sock;
            int events = 0;
            for (k = 0; k < n; k++)
                if (items[k].socket == sock) events = items[k].events;
            if (sock == SIO_INVALID_SOCKET) {
                c->membership.reg_sock[link] = SIO_INVALID_SOCKET;   /* closed: the poller forgot it already */
                continue;
            }
            if (sock != c->membership.reg_sock[link]) c->membership.reg_events[link] = 0;
            if (events != c->membership.reg_events[link] || sock != c->membership.reg_sock[link]) {
                if (s->pf->poller_update(s->pf->user, s->poller, sock, c->membership.reg_events[link], events,
                                         sio__tag(c, link)) == SIO_OK) {
                    c->membership.reg_sock[link] = sock;
                    c->membership.reg_events[link] = events;
                }
            }
        }
    }
    d = t < 0 ? 0 : sio__now(c) + (uint64_t)t;
    sio__heap_set(s, c, d);
}

/* A client's socket is about to close: the poller forgets it first. */
static void sio__set_forget(sio_set *s, sio_client *c, sio_socket sock)
{
    int i;
    for (i = 0; i < SIO__LINKS; i++) {
        if (c->membership.reg_sock[i] != sock) continue;
        if (s->poller && c->membership.reg_events[i]) s->pf->poller_update(s->pf->user, s->poller, sock, c->membership.reg_events[i], 0, NULL);
        c->membership.reg_sock[i] = SIO_INVALID_SOCKET;
        c->membership.reg_events[i] = 0;
    }
}

SIO_API int sio_set_add(sio_set *s, sio_client *c)
{
    int i;
    if (!s || !c) return SIO_ERR_INVALID;
    if (c->membership.set) return c->membership.set == s ? SIO_OK : SIO_ERR_STATE;
    if (!s->pf) {
        s->pf = c->sys.pf;
        if (s->pf->poller_open && !(s->poller = s->pf->poller_open(s->pf->user))) return SIO_ERR_IO;
    } else if (s->pf != c->sys.pf) {
        return SIO_ERR_INVALID;                 /* one platform per set */
    }
    c->membership.set = s;
    c->membership.heap_pos = SIO__NO_POS;
    for (i = 0; i < SIO__LINKS; i++) {
        c->membership.reg_sock[i] = SIO_INVALID_SOCKET;
        c->membership.reg_events[i] = 0;
    }
    c->membership.all_next = s->all;
    c->membership.all_prev = NULL;
    if (s->all) s->all->membership.all_prev = c;
    s->all = c;
    s->count++;
    sio__ready_push(s, c);
    return SIO_OK;
}

SIO_API int sio_set_remove(sio_set *s, sio_client *c)
{
    int i;
    if (!s || !c || c->membership.set != s) return SIO_ERR_INVALID;
    sio__ready_unlink(s, c);
    sio__heap_remove(s, c);
    for (i = 0; i < SIO__LINKS && s->poller; i++)
        if (c->membership.reg_sock[i] != SIO_INVALID_SOCKET)
            s->pf->poller_update(s->pf->user, s->poller, c->membership.reg_sock[i], c->membership.reg_events[i], 0, NULL);
    if (c->membership.all_prev) c->membership.all_prev->membership.all_next = c->membership.all_next;
    else s->all = c->membership.all_next;
    if (c->membership.all_next) c->membership.all_next->membership.all_prev = c->membership.all_prev;
    c->membership.set = NULL;
    s->count--;
    return SIO_OK;
}

SIO_API int sio_set_create(const sio_allocator *alloc, sio_set **out)
{
    sio_set *s;
    sio_allocator a;
    if (!out) return SIO_ERR_INVALID;
    *out = NULL;
    memset(&a, 0, sizeof a);
    if (alloc) a = *alloc;
    s = (sio_set *)sio__realloc(&a, NULL, sizeof *s);
    if (!s) return SIO_ERR_NOMEM;
    memset(s, 0, sizeof *s);
    s->hooks.wake = sio__ready_push;
    s->hooks.forget = sio__set_forget;
    s->hooks.remove = sio_set_remove;
    s->alloc = a;
    *out = s;
    return SIO_OK;
}

SIO_API size_t sio_set_count(const sio_set *s) { return s ? s->count : 0; }

/* Waits for readiness; marks the ready links readable and queues their
 * clients.  Returns 0, or a negative status. */
static int sio__set_wait(sio_set *s, int wait_ms)
{
    size_t i;
    if (s->poller) {
        int n;
        if (s->events_cap < 256) {
            void *p = sio__realloc(&s->alloc, s->events, 256 * sizeof *s->events);
            if (!p) return SIO_ERR_NOMEM;
            s->events = (sio_ready *)p;
            s->events_cap = 256;
        }
        n = s->pf->poller_wait(s->pf->user, s->poller, s->events, s->events_cap, wait_ms);
        if (n > 0 && (size_t)n == s->events_cap && s->events_cap < SIO__LINKS * s->count) {
            /* a full batch: take more per call next time (a WSAPoll-style
             * poller pays for every registered socket on each call) */
            void *p = sio__realloc(&s->alloc, s->events, 2 * s->events_cap * sizeof *s->events);
            if (p) {
                s->events = (sio_ready *)p;       /* realloc kept this batch */
                s->events_cap *= 2;
            }
        }
        for (i = 0; n > 0 && i < (size_t)n; i++) {
            uintptr_t tag = (uintptr_t)s->events[i].tag;
            sio_client *c = (sio_client *)(tag & ~(uintptr_t)3);
            int link = (int)(tag & 3);
            if (c->membership.set != s) continue;
            sio__link_at(c, link)->may_read = 1;
            sio__ready_push(s, c);
        }
        return n < 0 ? n : 0;
    } else {
        size_t n = 0;
        sio_client *c;
        int r;
        if (s->items_cap < SIO__LINKS * s->count) {
            void *p = sio__realloc(&s->alloc, s->items, SIO__LINKS * s->count * sizeof *s->items);
            if (!p) return SIO_ERR_NOMEM;
            s->items = (sio_wait_item *)p;
            s->items_cap = SIO__LINKS * s->count;
        }
        for (c = s->all; c; c = c->membership.all_next) n += sio_sockets(c, s->items + n, SIO__LINKS);
        r = s->pf ? s->pf->wait(s->pf->user, s->items, n, wait_ms) : 0;
        if (r < 0) return r;
        for (c = s->all; c; c = c->membership.all_next) {    /* readiness is not mapped back: let everyone read */
            if (r == 0) break;
            sio__links_may_read(c);
            sio__ready_push(s, c);
        }
        return 0;
    }
}

SIO_API int sio_set_poll(sio_set *s, sio_event *ev, int timeout_ms)
{
    uint64_t start, now;
    int waited = 0;                           /* even with timeout 0, ask the poller once */
    if (!s || !ev) return SIO_ERR_INVALID;
    if (!s->pf) return 0;
    start = s->pf->now_ms(s->pf->user);
    for (;;) {
        size_t budget = s->count + 1;          /* each client once per round */
        int wait_ms = timeout_ms, r;
        while (s->ready_head && budget--) {
            sio_client *c = s->ready_head;
            sio__ready_unlink(s, c);
            if (sio__next_event(c, ev)) {
                sio__ready_push(s, c);          /* it may have more; others go first */
                return 1;
            }
            sio__set_sync(s, c);
        }
        memset(ev, 0, sizeof *ev);
        now = s->pf->now_ms(s->pf->user);
        while (s->heap_count && s->heap[0]->membership.set_deadline <= now) {   /* timers due */
            sio_client *c = s->heap[0];
            sio__heap_remove(s, c);
            sio__ready_push(s, c);
        }
        if (s->ready_head) continue;
        if (timeout_ms >= 0) {
            if (now - start >= (uint64_t)timeout_ms && waited) return 0;
            wait_ms = now - start >= (uint64_t)timeout_ms ? 0 : (int)((uint64_t)timeout_ms - (now - start));
        }
        if (s->heap_count) {
            uint64_t d = s->heap[0]->membership.set_deadline;
            int t = d <= now ? 0 : d - now > (uint64_t)INT_MAX ? INT_MAX : (int)(d - now);
            if (wait_ms < 0 || t < wait_ms) wait_ms = t;
        }
        if (!s->count) return 0;
        if ((r = sio__set_wait(s, wait_ms)) < 0) return r;
        waited = 1;
    }
}

SIO_API void sio_set_destroy(sio_set *s)
{
    if (!s) return;
    while (s->all) sio_set_remove(s, s->all);
    if (s->poller) s->pf->poller_close(s->pf->user, s->poller);
    sio__free(&s->alloc, s->heap);
    sio__free(&s->alloc, s->events);
    sio__free(&s->alloc, s->items);
    sio__free(&s->alloc, s);
}


#ifdef SIO_SOURCE_LINES
#line 1 "src/bearssl.c"
#endif
/* ---------------------------------------------------------------------- */
/* tls: the BearSSL backend (SIO_WITH_BEARSSL)                             */
/* ---------------------------------------------------------------------- */
#ifdef SIO_WITH_BEARSSL
#include <bearssl.h>
#if defined(__unix__) || defined(__APPLE__)
#include <dirent.h>                       /* SSL_CERT_DIR */
#define SIO__BSSL_HAS_DIRS 1
#else
#define SIO__BSSL_HAS_DIRS 0
#endif
#ifdef _WIN32
#include <windows.h>
#include <wincrypt.h>                     /* the ROOT store (link crypt32) */
#ifdef _MSC_VER
#pragma comment(lib, "crypt32.lib")
#endif
#endif

struct sio_bearssl {
    sio_tls table;
    sio_allocator alloc;
    br_x509_trust_anchor *anchors;
    size_t anchor_count, anchor_cap;
    br_x509_certificate *chain;        /* client certificate chain */
    size_t chain_len, chain_cap;
    br_skey_decoder_context key;       /* the client's private key lives in here */
    int has_key, insecure, half_duplex;
    unsigned min_version;
    int legacy_suites, renegotiation, any_eku;
    unsigned char (*pins)[32];         /* SHA-256 of pinned SubjectPublicKeyInfos */
    size_t pin_count;
    int pins_only;
    int (*verify)(void *, const char *, const unsigned char *, size_t, char *, size_t);
    void *verify_user;
};

/* Accepts any certificate: only the end-entity key is extracted. */
typedef struct sio__bssl_insecure {
    const br_x509_class *vtable;
    br_x509_decoder_context dc;
    int first;
} sio__bssl_insecure;

/* BearSSL's chain validation, plus what it leaves out: the server
 * certificate's Extended Key Usage, and its IP address SANs for an IP
 * host (no SNI is sent for those, so BearSSL has no name to check). */
typedef struct sio__bssl_check {
    const br_x509_class *vtable;
    const br_x509_class **inner;       /* the minimal validator */
    const sio_allocator *alloc;
    unsigned char *ee;                 /* the server's own certificate, while the chain arrives */
    size_t ee_len, ee_cap;
    unsigned depth;
    int any_eku, too_big;
    unsigned char ip[16];              /* the host as an address (ip_len 4 or 16), or ip_len 0 */
    size_t ip_len;
    const struct sio_bearssl *owner;   /* pins and the verification hook */
    const br_ssl_engine_context *eng;  /* the suite the server chose (its hello came first) */
    const char *host;
    const char *why;                   /* set when this check (not BearSSL's) refused */
    char hook_why[160];
} sio__bssl_check;

typedef struct sio__bssl_session {
    char host[256];
    br_ssl_client_context cc;
    br_x509_minimal_context xc;
    sio__bssl_insecure xi;
    sio__bssl_check check;
    sio_bearssl *owner;
    unsigned char *iobuf;
} sio__bssl_session;

typedef struct sio__blob {
    unsigned char *buf;
    size_t len, cap;
    const sio_allocator *alloc;
    int oom;
} sio__blob;

static void sio__blob_append(void *ctx, const void *data, size_t len)
{
    sio__blob *b = (sio__blob *)ctx;
    if (b->oom || sio__reserve(b->alloc, &b->buf, &b->cap, b->len + len) != SIO_OK) {
        b->oom = 1;
        return;
    }
    memcpy(b->buf + b->len, data, len);
    b->len += len;
}

static void sio__dn_ignore(void *ctx, const void *data, size_t len) { (void)ctx; (void)data; (void)len; }

static void sio__xi_start_chain(const br_x509_class **ctx, const char *server_name)
{
    sio__bssl_insecure *x = (sio__bssl_insecure *)(void *)ctx;
    (void)server_name;
    br_x509_decoder_init(&x->dc, sio__dn_ignore, NULL);
    x->first = 1;
}
static void sio__xi_start_cert(const br_x509_class **ctx, uint32_t length) { (void)ctx; (void)length; }
static void sio__xi_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
    sio__bssl_insecure *x = (sio__bssl_insecure *)(void *)ctx;
    if (x->first) br_x509_decoder_push(&x->dc, buf, len);
}
static void sio__xi_end_cert(const br_x509_class **ctx) { ((sio__bssl_insecure *)(void *)ctx)->first = 0; }
static unsigned sio__xi_end_chain(const br_x509_class **ctx)
{
    sio__bssl_insecure *x = (sio__bssl_insecure *)(void *)ctx;
    return br_x509_decoder_get_pkey(&x->dc) ? 0 : BR_ERR_X509_INVALID_VALUE;
}
static const br_x509_pkey *sio__xi_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
    sio__bssl_insecure *x = (sio__bssl_insecure *)(void *)ctx;
    if (usages) *usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
    return br_x509_decoder_get_pkey(&x->dc);
}
static const br_x509_class sio__xi_vtable = {
    sizeof(sio__bssl_insecure), sio__xi_start_chain, sio__xi_start_cert, sio__xi_append,
    sio__xi_end_cert, sio__xi_end_chain, sio__xi_get_pkey
};

#define SIO__MAX_CERT (64u * 1024u)     /* a server certificate larger than this is refused */

static void sio__xc_start_chain(const br_x509_class **ctx, const char *server_name)
{
    sio__bssl_check *x = (sio__bssl_check *)(void *)ctx;
    x->depth = 0;
    x->ee_len = 0;
    x->too_big = 0;
    x->why = NULL;
    (*x->inner)->start_chain(x->inner, server_name);
}
static void sio__xc_start_cert(const br_x509_class **ctx, uint32_t length)
{
    sio__bssl_check *x = (sio__bssl_check *)(void *)ctx;
    if (x->depth == 0) {
        if (length > SIO__MAX_CERT) x->too_big = 1;
        else if (sio__reserve(x->alloc, &x->ee, &x->ee_cap, length) != SIO_OK) x->too_big = 2;   /* no memory */
    }
    (*x->inner)->start_cert(x->inner, length);
}
static void sio__xc_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
    sio__bssl_check *x = (sio__bssl_check *)(void *)ctx;
    if (x->depth == 0 && !x->too_big) {
        if (len > x->ee_cap - x->ee_len) x->too_big = 1;
        else {
            memcpy(x->ee + x->ee_len, buf, len);
            x->ee_len += len;
        }
    }
    (*x->inner)->append(x->inner, buf, len);
}
static void sio__xc_end_cert(const br_x509_class **ctx)
{
    sio__bssl_check *x = (sio__bssl_check *)(void *)ctx;
    x->depth++;
    (*x->inner)->end_cert(x->inner);
}
/* The pins and the hook, once every other check passed: 0, or why not. */
static unsigned sio__xc_pins_and_hook(sio__bssl_check *x)
{
    const sio_bearssl *b = x->owner;
    if (b->pin_count) {
        const unsigned char *spki;
        size_t spki_len;
        unsigned char hash[32];
        br_sha256_context h;
        if (sio_x509_spki(x->ee, x->ee_len, &spki, &spki_len) != 1) {
            x->why = "the server's certificate is malformed";
            return BR_ERR_X509_INVALID_VALUE;
        }
        br_sha256_init(&h);
        br_sha256_update(&h, spki, spki_len);
        br_sha256_out(&h, hash);
        if (!sio__tls_pinned((const unsigned char (*)[32])b->pins, b->pin_count, hash)) {
            x->why = "the server's key matches none of the pins";
            return BR_ERR_X509_NOT_TRUSTED;
        }
    }
    if (b->verify) {
        x->hook_why[0] = 0;
        if (b->verify(b->verify_user, x->host, x->ee, x->ee_len, x->hook_why, sizeof x->hook_why)) {
            x->hook_why[sizeof x->hook_why - 1] = 0;
            if (!x->hook_why[0]) snprintf(x->hook_why, sizeof x->hook_why, "the verification hook refused the certificate");
            x->why = x->hook_why;
            return BR_ERR_X509_NOT_TRUSTED;
        }
    }
    return 0;
}

/* What the suite the server chose does with its key: encrypt to it
 * (static RSA) or agree with it (static ECDH), both only with
 * allow_legacy_suites, or sign with it (ECDHE). */
static unsigned sio__bssl_key_use(const br_ssl_engine_context *eng)
{
    switch (eng->session.cipher_suite) {
    case BR_TLS_RSA_WITH_3DES_EDE_CBC_SHA: case BR_TLS_RSA_WITH_AES_128_CBC_SHA: case BR_TLS_RSA_WITH_AES_256_CBC_SHA:
    case BR_TLS_RSA_WITH_AES_128_CBC_SHA256: case BR_TLS_RSA_WITH_AES_256_CBC_SHA256:
    case BR_TLS_RSA_WITH_AES_128_GCM_SHA256: case BR_TLS_RSA_WITH_AES_256_GCM_SHA384:
    case BR_TLS_RSA_WITH_AES_128_CCM: case BR_TLS_RSA_WITH_AES_256_CCM:
    case BR_TLS_RSA_WITH_AES_128_CCM_8: case BR_TLS_RSA_WITH_AES_256_CCM_8:
        return SIO_X509_KU_KEY_ENCIPHERMENT;
    case BR_TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA: case BR_TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA:
    case BR_TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA: case BR_TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA:
    case BR_TLS_ECDH_RSA_WITH_AES_128_CBC_SHA: case BR_TLS_ECDH_RSA_WITH_AES_256_CBC_SHA:
    case BR_TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256: case BR_TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384:
    case BR_TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256: case BR_TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384:
    case BR_TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256: case BR_TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384:
    case BR_TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256: case BR_TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384:
        return SIO_X509_KU_KEY_AGREEMENT;
    default:
        return SIO_X509_KU_DIGITAL_SIGNATURE;
    }
}

static unsigned sio__xc_end_chain(const br_x509_class **ctx)
{
    sio__bssl_check *x = (sio__bssl_check *)(void *)ctx;
    unsigned r = (*x->inner)->end_chain(x->inner);
    int eku = 1, ip = 1;
    if (r == BR_ERR_X509_NOT_TRUSTED && x->owner->pins_only) r = 0;    /* the pins decide */
    if (r == 0) {
        if (x->too_big || !x->ee_len) {
            x->why = x->too_big == 1 ? "the server's certificate is too large to check (64 KiB at most)"
                     : x->too_big ? "out of memory checking the server's certificate"
                                  : "the server sent an empty certificate";
            r = BR_ERR_X509_LIMIT_EXCEEDED;
        } else {
            unsigned use = sio__bssl_key_use(x->eng);
            int key = 1;
            if (!x->any_eku) eku = sio_x509_allows_server(x->ee, x->ee_len);
            if (eku == 1 && x->ip_len) ip = sio_x509_has_ip(x->ee, x->ee_len, x->ip, x->ip_len);
            /* BearSSL would refuse a key the suite cannot use only after the hook, and
             * takes nonRepudiation for signing */
            if (eku == 1 && ip == 1) key = sio_x509_key_allows(x->ee, x->ee_len, use);
            if (eku != 1 || ip != 1 || key != 1) {
                x->why = eku < 0 || ip < 0 || key < 0 ? "the server's certificate is malformed"
                         : !eku ? "the certificate's Extended Key Usage does not allow a TLS server (serverAuth)"
                         : !ip ? "the certificate has no IP address SAN for the host"
                         : use == SIO_X509_KU_DIGITAL_SIGNATURE ? SIO__TLS_NOT_FOR_SIGNING
                         : "the certificate's Key Usage does not allow the key exchange the server chose "
                           "(keyEncipherment or keyAgreement)";
                r = eku == 0 || key == 0 ? BR_ERR_X509_FORBIDDEN_KEY_USAGE : BR_ERR_X509_BAD_SERVER_NAME;
            }
            if (r == 0) r = sio__xc_pins_and_hook(x);
        }
    }
    sio__free(x->alloc, x->ee);
    x->ee = NULL;
    x->ee_len = x->ee_cap = 0;
    return r;
}
static const br_x509_pkey *sio__xc_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
    const sio__bssl_check *x = (const sio__bssl_check *)(const void *)ctx;
    return (*x->inner)->get_pkey(x->inner, usages);
}
static const br_x509_class sio__xc_vtable = {
    sizeof(sio__bssl_check), sio__xc_start_chain, sio__xc_start_cert, sio__xc_append,
    sio__xc_end_cert, sio__xc_end_chain, sio__xc_get_pkey
};

/* Calls fn for every PEM object in text. */
static int sio__pem_each(const sio_allocator *a, const unsigned char *pem, size_t len,
                         int (*fn)(sio_bearssl *b, const char *name, const unsigned char *der, size_t n),
                         sio_bearssl *b)
{
    br_pem_decoder_context pc;
    sio__blob der;
    char name[128];
    int inobj = 0, r = SIO_OK, pass;
    memset(&der, 0, sizeof der);
    der.alloc = a;
    br_pem_decoder_init(&pc);
    for (pass = 0; pass < 2 && r == SIO_OK; pass++) {
        /* a final newline makes sure the last END line is seen */
        const unsigned char *p = pass ? (const unsigned char *)"\n" : pem;
        size_t left = pass ? 1 : len;
        while (left > 0 && r == SIO_OK) {
            size_t used = br_pem_decoder_push(&pc, p, left);
            p += used;
            left -= used;
            switch (br_pem_decoder_event(&pc)) {
            case BR_PEM_BEGIN_OBJ:
                snprintf(name, sizeof name, "%s", br_pem_decoder_name(&pc));
                der.len = 0;
                br_pem_decoder_setdest(&pc, sio__blob_append, &der);
                inobj = 1;
                break;
            case BR_PEM_END_OBJ:
                if (inobj) r = der.oom ? SIO_ERR_NOMEM : fn(b, name, der.buf, der.len);
                inobj = 0;
                break;
            case BR_PEM_ERROR:
                r = SIO_ERR_TLS;
                break;
            default:
                break;
            }
        }
    }
    if (der.buf) sio__realloc(a, der.buf, 0);
    return r;
}

static unsigned char *sio__bssl_dup(sio_bearssl *b, const unsigned char *p, size_t n)
{
    unsigned char *q = (unsigned char *)sio__realloc(&b->alloc, NULL, n ? n : 1);
    if (q && n) memcpy(q, p, n);
    return q;
}

static int sio__is_cert(const char *name)
{
    return strcmp(name, "CERTIFICATE") == 0 || strcmp(name, "X509 CERTIFICATE") == 0;
}

static int sio__bssl_add_anchor(sio_bearssl *b, const char *name, const unsigned char *der, size_t n)
{
    br_x509_decoder_context dc;
    const br_x509_pkey *pk;
    br_x509_trust_anchor *ta;
    sio__blob dn;
    if (!sio__is_cert(name)) return SIO_OK;
    memset(&dn, 0, sizeof dn);
    dn.alloc = &b->alloc;
    br_x509_decoder_init(&dc, sio__blob_append, &dn);
    br_x509_decoder_push(&dc, der, n);
    pk = br_x509_decoder_get_pkey(&dc);
    if (!pk || dn.oom) {                      /* unusable: skipped, as other clients do */
        if (dn.buf) sio__realloc(&b->alloc, dn.buf, 0);
        return dn.oom ? SIO_ERR_NOMEM : SIO_OK;
    }
    if (b->anchor_count == b->anchor_cap) {
        size_t cap = b->anchor_cap ? b->anchor_cap * 2 : 16;
        void *p = sio__realloc(&b->alloc, b->anchors, cap * sizeof *b->anchors);
        if (!p) { sio__realloc(&b->alloc, dn.buf, 0); return SIO_ERR_NOMEM; }
        b->anchors = (br_x509_trust_anchor *)p;
        b->anchor_cap = cap;
    }
    ta = &b->anchors[b->anchor_count];
    memset(ta, 0, sizeof *ta);
    ta->dn.data = dn.buf;
    ta->dn.len = dn.len;
    ta->flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
    ta->pkey.key_type = pk->key_type;
    if (pk->key_type == BR_KEYTYPE_RSA) {
        ta->pkey.key.rsa.n = sio__bssl_dup(b, pk->key.rsa.n, pk->key.rsa.nlen);
        ta->pkey.key.rsa.nlen = pk->key.rsa.nlen;
        ta->pkey.key.rsa.e = sio__bssl_dup(b, pk->key.rsa.e, pk->key.rsa.elen);
        ta->pkey.key.rsa.elen = pk->key.rsa.elen;
    } else {
        ta->pkey.key.ec.curve = pk->key.ec.curve;
        ta->pkey.key.ec.q = sio__bssl_dup(b, pk->key.ec.q, pk->key.ec.qlen);
        ta->pkey.key.ec.qlen = pk->key.ec.qlen;
    }
    if (pk->key_type == BR_KEYTYPE_RSA ? !ta->pkey.key.rsa.n || !ta->pkey.key.rsa.e : !ta->pkey.key.ec.q) {
        if (pk->key_type == BR_KEYTYPE_RSA) {     /* out of memory: not an anchor with a NULL key */
            sio__free(&b->alloc, ta->pkey.key.rsa.n);
            sio__free(&b->alloc, ta->pkey.key.rsa.e);
        }
        sio__free(&b->alloc, dn.buf);
        return SIO_ERR_NOMEM;
    }
    b->anchor_count++;
    return SIO_OK;
}

static int sio__bssl_add_chain(sio_bearssl *b, const char *name, const unsigned char *der, size_t n)
{
    if (!sio__is_cert(name)) return SIO_OK;
    if (b->chain_len == b->chain_cap) {
        size_t cap = b->chain_cap ? b->chain_cap * 2 : 4;
        void *p = sio__realloc(&b->alloc, b->chain, cap * sizeof *b->chain);
        if (!p) return SIO_ERR_NOMEM;
        b->chain = (br_x509_certificate *)p;
        b->chain_cap = cap;
    }
    b->chain[b->chain_len].data = sio__bssl_dup(b, der, n);
    b->chain[b->chain_len].data_len = n;
    if (!b->chain[b->chain_len].data) return SIO_ERR_NOMEM;
    b->chain_len++;
    return SIO_OK;
}

static int sio__bssl_add_key(sio_bearssl *b, const char *name, const unsigned char *der, size_t n)
{
    if (strstr(name, "PRIVATE KEY") == NULL) return SIO_OK;
    br_skey_decoder_init(&b->key);
    br_skey_decoder_push(&b->key, der, n);
    if (br_skey_decoder_last_error(&b->key) != 0) return SIO_ERR_TLS;
    b->has_key = 1;
    return SIO_OK;
}

/* Reads a whole file (bounded: trust bundles are small). */
static int sio__read_file(const sio_allocator *a, const char *path, unsigned char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    sio__blob blob;
    unsigned char chunk[4096];
    size_t n;
    if (!f) return SIO_ERR_IO;
    memset(&blob, 0, sizeof blob);
    blob.alloc = a;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && !blob.oom && blob.len < ((size_t)16 << 20))
        sio__blob_append(&blob, chunk, n);
    fclose(f);
    if (blob.oom || blob.len >= ((size_t)16 << 20)) {
        if (blob.buf) sio__realloc(a, blob.buf, 0);
        return blob.oom ? SIO_ERR_NOMEM : SIO_ERR_TOO_BIG;
    }
    *out = blob.buf;
    *len = blob.len;
    return SIO_OK;
}

static int sio__pem_file(sio_bearssl *b, const char *path, const char *what,
                         int (*fn)(sio_bearssl *, const char *, const unsigned char *, size_t),
                         char *err, size_t err_size)
{
    unsigned char *text = NULL;
    size_t len = 0;
    int r = sio__read_file(&b->alloc, path, &text, &len);
    if (r != SIO_OK) {
        snprintf(err, err_size, "tls: cannot read %s '%.150s'", what, path);
        return r;
    }
    r = sio__pem_each(&b->alloc, text, len, fn, b);
    if (text) sio__realloc(&b->alloc, text, 0);
    if (r != SIO_OK) snprintf(err, err_size, "tls: %s '%.150s' is not valid PEM", what, path);
    return r;
}


#if SIO__BSSL_HAS_DIRS
/* Every PEM file of the directories in list (':'-separated, as OpenSSL's
 * SSL_CERT_DIR); files that are not PEM certificates are skipped. */
static void sio__bssl_anchor_dirs(sio_bearssl *b, const char *list)
{
    char dir[512], path[1024], ignored[8];
    while (*list) {
        size_t n = strcspn(list, ":");
        DIR *d;
        struct dirent *e;
        if (n && n < sizeof dir) {
            memcpy(dir, list, n);
            dir[n] = 0;
            if ((d = opendir(dir)) != NULL) {
                while ((e = readdir(d)) != NULL) {
                    if (e->d_name[0] == '.' || strlen(dir) + strlen(e->d_name) + 2 > sizeof path) continue;
                    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
                    sio__pem_file(b, path, "trust anchor file", sio__bssl_add_anchor, ignored, sizeof ignored);
                }
                closedir(d);
            }
        }
        list += n + (list[n] == ':');
    }
}
#endif

#ifdef _WIN32
/* Whether Windows lets a root vouch for servers: its purposes, when the
 * store restricts them, include server authentication. */
static int sio__bssl_root_for_servers(PCCERT_CONTEXT cert)
{
    union { CERT_ENHKEY_USAGE usage; unsigned char room[1024]; } buf;
    PCERT_ENHKEY_USAGE usage = &buf.usage;
    DWORD size = sizeof buf, i;
    if (!CertGetEnhancedKeyUsage(cert, CERT_FIND_PROP_ONLY_ENHKEY_USAGE_FLAG, usage, &size))
        return GetLastError() == (DWORD)CRYPT_E_NOT_FOUND;  /* no restriction; a longer list: not trusted */
    if (usage->cUsageIdentifier == 0) return 1;
    for (i = 0; i < usage->cUsageIdentifier; i++)
        if (strcmp(usage->rgpszUsageIdentifier[i], szOID_PKIX_KP_SERVER_AUTH) == 0) return 1;
    return 0;
}

/* Windows keeps its trust anchors in the system's ROOT certificate store,
 * not in a file.  Roots restricted to other purposes (e-mail, code
 * signing) and certificates BearSSL cannot use are skipped. */
static int sio__bssl_windows_roots(sio_bearssl *b)
{
    HCERTSTORE store = CertOpenSystemStoreA(0, "ROOT");
    PCCERT_CONTEXT cert = NULL;
    int r = SIO_OK;
    if (!store) return SIO_OK;
    while (r == SIO_OK && (cert = CertEnumCertificatesInStore(store, cert)) != NULL)
        if (sio__bssl_root_for_servers(cert))
            r = sio__bssl_add_anchor(b, "CERTIFICATE", cert->pbCertEncoded, cert->cbCertEncoded);
    if (cert) CertFreeCertificateContext(cert);
    CertCloseStore(store, 0);
    return r;
}
#define SIO__BSSL_SYSTEM_STORE "the Windows ROOT store, "
#else
#define SIO__BSSL_SYSTEM_STORE ""
#endif

/* The system's trust store, when the caller gave no CA: SSL_CERT_FILE
 * (which must then be good), the files of SSL_CERT_DIR, on Windows the
 * ROOT store, then the first of the usual bundles that holds an anchor.
 * err names what was tried. */
static int sio__bssl_system_anchors(sio_bearssl *b, char *err, size_t err_size)
{
    const char *file = getenv("SSL_CERT_FILE"), *dirs = getenv("SSL_CERT_DIR");
    char ignored[8];
    size_t i;
    if (file && file[0]) {
        int r = sio__pem_file(b, file, "trust anchor file (SSL_CERT_FILE)", sio__bssl_add_anchor, err, err_size);
        if (r == SIO_OK && !b->anchor_count) {
            snprintf(err, err_size, "tls: no usable trust anchor in '%.150s' (SSL_CERT_FILE)", file);
            r = SIO_ERR_TLS;
        }
        return r;
    }
#if SIO__BSSL_HAS_DIRS
    if (dirs && dirs[0]) sio__bssl_anchor_dirs(b, dirs);
#else
    (void)dirs;
#endif
#ifdef _WIN32
    if (!b->anchor_count && sio__bssl_windows_roots(b) != SIO_OK) {
        snprintf(err, err_size, "tls: out of memory reading the Windows ROOT store");
        return SIO_ERR_NOMEM;
    }
#endif
    for (i = 0; !b->anchor_count && i < sizeof sio__tls_bundles / sizeof sio__tls_bundles[0]; i++)
        sio__pem_file(b, sio__tls_bundles[i], "trust anchor file", sio__bssl_add_anchor, ignored, sizeof ignored);
    if (b->anchor_count) return SIO_OK;
    snprintf(err, err_size, "tls: no trust store found (tried SSL_CERT_FILE, SSL_CERT_DIR, " SIO__BSSL_SYSTEM_STORE "%s and %d other bundles): "
             "give the CA (sio_bearssl_config.ca_file or ca_pem; sioc --cafile)", SIO_DEFAULT_CA_FILE,
             (int)(sizeof sio__tls_bundles / sizeof sio__tls_bundles[0]) - 1);
    return SIO_ERR_TLS;
}

/* Why a session failed, in words. */
#define SIO__BSSL_OFFERED "TLS 1.2, ECDHE with AES-GCM or ChaCha20-Poly1305, unless relaxed"

static void sio__bssl_describe(const sio__bssl_session *s, int e, char *err, size_t err_size)
{
    if (!err || !err_size) return;
    if (s && s->check.why)
        snprintf(err, err_size, "%s", s->check.why);
    else if (e == BR_ERR_X509_NOT_TRUSTED)
        snprintf(err, err_size, "certificate chain is not trusted (no trust anchor matches; see --cafile)");
    else if (e == BR_ERR_X509_BAD_SERVER_NAME)
        snprintf(err, err_size, "certificate does not match the host name");
    else if (e == BR_ERR_X509_EXPIRED)
        snprintf(err, err_size, "certificate expired or not yet valid");
    else if (e >= BR_ERR_X509_OK && e < BR_ERR_X509_OK + 64)
        snprintf(err, err_size, "certificate rejected (BearSSL X.509 error %d)", e);
    else if (e == BR_ERR_BAD_VERSION || e == BR_ERR_BAD_CIPHER_SUITE)
        sio__tls_no_common_text(err, err_size, SIO__BSSL_OFFERED);
    else if (e >= BR_ERR_RECV_FATAL_ALERT && e < BR_ERR_SEND_FATAL_ALERT)
        sio__tls_alert_text(err, err_size, e - BR_ERR_RECV_FATAL_ALERT, SIO__BSSL_OFFERED);
    else if (e >= BR_ERR_SEND_FATAL_ALERT)
        snprintf(err, err_size, "handshake failed: sent fatal alert %d", e - BR_ERR_SEND_FATAL_ALERT);
    else
        snprintf(err, err_size, "handshake failed (BearSSL error %d)", e);
}

static void *sio__bssl_open(void *user, const char *host, char *err, size_t err_size)
{
    sio_bearssl *b = (sio_bearssl *)user;
    sio__bssl_session *s = (sio__bssl_session *)sio__realloc(&b->alloc, NULL, sizeof *s);
    size_t iolen = b->half_duplex ? BR_SSL_BUFSIZE_MONO : BR_SSL_BUFSIZE_BIDI;
    if (!s) { snprintf(err, err_size, "out of memory"); return NULL; }
    memset(s, 0, sizeof *s);
    s->owner = b;
    if (strlen(host) >= sizeof s->host) {
        sio__realloc(&b->alloc, s, 0);
        snprintf(err, err_size, "tls: the host name is too long");
        return NULL;
    }
    strcpy(s->host, host);
    s->iobuf = (unsigned char *)sio__realloc(&b->alloc, NULL, iolen);
    if (!s->iobuf) {
        sio__realloc(&b->alloc, s, 0);
        snprintf(err, err_size, "out of memory for the TLS buffers");
        return NULL;
    }
    br_ssl_client_init_full(&s->cc, &s->xc, b->anchors, b->anchor_count);
    s->check.ip_len = sio_ip_parse(host, s->check.ip);
    if (b->insecure) {
        s->xi.vtable = &sio__xi_vtable;
        br_ssl_engine_set_x509(&s->cc.eng, &s->xi.vtable);
    } else {
        s->check.vtable = &sio__xc_vtable;
        s->check.inner = &s->xc.vtable;
        s->check.alloc = &b->alloc;
        s->check.any_eku = b->any_eku;
        s->check.owner = b;
        s->check.eng = &s->cc.eng;
        s->check.host = s->host;
        br_ssl_engine_set_x509(&s->cc.eng, &s->check.vtable);
    }
    br_ssl_engine_set_versions(&s->cc.eng, b->min_version ? b->min_version : BR_TLS12, BR_TLS12);
    if (!b->legacy_suites) {
        /* AEAD first; a server held at TLS 1.0/1.1 has no AEAD suite, so
         * allowing those versions allows their forward-secret CBC suites */
        static const uint16_t suites[] = {
            BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            BR_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, BR_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
            BR_TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, BR_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA
        };
        size_t n = sizeof suites / sizeof suites[0];
        br_ssl_engine_set_suites(&s->cc.eng, suites, b->min_version && b->min_version < BR_TLS12 ? n : n - 4);
    }
    if (!b->renegotiation) br_ssl_engine_add_flags(&s->cc.eng, BR_OPT_NO_RENEGOTIATION);
    if (b->has_key && b->chain_len) {
        if (br_skey_decoder_key_type(&b->key) == BR_KEYTYPE_RSA)
            br_ssl_client_set_single_rsa(&s->cc, b->chain, b->chain_len, br_skey_decoder_get_rsa(&b->key),
                                         br_rsa_pkcs1_sign_get_default());
        else
            br_ssl_client_set_single_ec(&s->cc, b->chain, b->chain_len, br_skey_decoder_get_ec(&b->key),
                                        BR_KEYTYPE_SIGN | BR_KEYTYPE_KEYX, BR_KEYTYPE_EC, br_ec_get_default(),
                                        br_ecdsa_sign_asn1_get_default());
    }
    br_ssl_engine_set_buffer(&s->cc.eng, s->iobuf, iolen, !b->half_duplex);
    /* No SNI for an address (RFC 6066 3); the check above matches its IP SANs. */
    if (!br_ssl_client_reset(&s->cc, s->check.ip_len ? NULL : host, 0)) {
        sio__bssl_describe(s, br_ssl_engine_last_error(&s->cc.eng), err, err_size);
        sio__realloc(&b->alloc, s->iobuf, 0);
        sio__realloc(&b->alloc, s, 0);
        return NULL;
    }
    return s;
}

static void sio__bssl_close(void *session)
{
    sio__bssl_session *s = (sio__bssl_session *)session;
    sio_bearssl *b = s->owner;
    sio__free(&b->alloc, s->check.ee);           /* a handshake cut off while the chain arrived */
    sio__realloc(&b->alloc, s->iobuf, 0);
    sio__realloc(&b->alloc, s, 0);
}

#define SIO__ENG(session) (&((sio__bssl_session *)(session))->cc.eng)
static unsigned char *sio__bssl_recv_buf(void *s, size_t *n) { return br_ssl_engine_recvrec_buf(SIO__ENG(s), n); }
static void sio__bssl_recv_done(void *s, size_t n) { br_ssl_engine_recvrec_ack(SIO__ENG(s), n); }
static const unsigned char *sio__bssl_send_buf(void *s, size_t *n) { return br_ssl_engine_sendrec_buf(SIO__ENG(s), n); }
static void sio__bssl_send_done(void *s, size_t n) { br_ssl_engine_sendrec_ack(SIO__ENG(s), n); }
static const unsigned char *sio__bssl_read_buf(void *s, size_t *n) { return br_ssl_engine_recvapp_buf(SIO__ENG(s), n); }
static void sio__bssl_read_done(void *s, size_t n) { br_ssl_engine_recvapp_ack(SIO__ENG(s), n); }
static unsigned char *sio__bssl_write_buf(void *s, size_t *n) { return br_ssl_engine_sendapp_buf(SIO__ENG(s), n); }
static void sio__bssl_write_done(void *s, size_t n)
{
    br_ssl_engine_sendapp_ack(SIO__ENG(s), n);
    br_ssl_engine_flush(SIO__ENG(s), 0);
}

static int sio__bssl_status(void *s, char *err, size_t err_size)
{
    int e;
    if (br_ssl_engine_current_state(SIO__ENG(s)) != BR_SSL_CLOSED) return 0;
    e = br_ssl_engine_last_error(SIO__ENG(s));
    if (e == BR_ERR_OK) return 1;
    sio__bssl_describe((const sio__bssl_session *)s, e, err, err_size);
    return -1;
}


SIO_API int sio_bearssl_create(const sio_bearssl_config *cfg, sio_bearssl **out, char *err, size_t err_size)
{
    sio_bearssl *b;
    sio_allocator a;
    int r = SIO_OK;
    char dummy[8];
    if (!err) { err = dummy; err_size = sizeof dummy; }
    err[0] = 0;
    if (!cfg || !out) return SIO_ERR_INVALID;
    *out = NULL;
    a = cfg->allocator;
    b = (sio_bearssl *)sio__realloc(&a, NULL, sizeof *b);
    if (!b) return SIO_ERR_NOMEM;
    memset(b, 0, sizeof *b);
    b->alloc = a;
    b->insecure = cfg->insecure_skip_verify;
    b->half_duplex = cfg->half_duplex;
    if (cfg->min_version && (cfg->min_version < SIO_TLS_1_0 || cfg->min_version > SIO_TLS_1_2)) {
        sio__realloc(&a, b, 0);
        snprintf(err, err_size, "tls: min_version must be SIO_TLS_1_0, SIO_TLS_1_1 or SIO_TLS_1_2");
        return SIO_ERR_INVALID;
    }
    b->min_version = cfg->min_version;
    b->legacy_suites = cfg->allow_legacy_suites;
    b->renegotiation = cfg->allow_renegotiation;
    b->any_eku = cfg->allow_any_eku;
    b->verify = cfg->verify;
    b->verify_user = cfg->verify_user;
    if ((r = sio__tls_pins_load(&b->alloc, cfg->pins, cfg->pin_count, cfg->pins_instead_of_chain, &b->pins, err,
                                err_size)) != SIO_OK) {
        sio_bearssl_destroy(b);
        return r;
    }
    b->pin_count = cfg->pin_count;
    b->pins_only = cfg->pins_instead_of_chain;
    b->table.user = b;
    b->table.open = sio__bssl_open;
    b->table.close = sio__bssl_close;
    b->table.recv_buf = sio__bssl_recv_buf;
    b->table.recv_done = sio__bssl_recv_done;
    b->table.send_buf = sio__bssl_send_buf;
    b->table.send_done = sio__bssl_send_done;
    b->table.read_buf = sio__bssl_read_buf;
    b->table.read_done = sio__bssl_read_done;
    b->table.write_buf = sio__bssl_write_buf;
    b->table.write_done = sio__bssl_write_done;
    b->table.status = sio__bssl_status;
    if (cfg->ca_pem) {
        r = sio__pem_each(&b->alloc, (const unsigned char *)cfg->ca_pem,
                          cfg->ca_pem_len ? cfg->ca_pem_len : strlen(cfg->ca_pem), sio__bssl_add_anchor, b);
        if (r != SIO_OK) snprintf(err, err_size, "tls: the trust anchors in memory are not valid PEM");
    } else if (cfg->ca_file) {
        r = sio__pem_file(b, cfg->ca_file, "trust anchor file", sio__bssl_add_anchor, err, err_size);
    } else if (!b->insecure && !b->pins_only) {
        r = sio__bssl_system_anchors(b, err, err_size);
    }
    if (r == SIO_OK && !b->insecure && !b->pins_only && b->anchor_count == 0) {
        snprintf(err, err_size, "tls: no usable trust anchor in '%.150s'", cfg->ca_file ? cfg->ca_file : "(memory)");
        r = SIO_ERR_TLS;
    }
    if (r == SIO_OK && (cfg->cert_file || cfg->key_file)) {
        if (!cfg->cert_file || !cfg->key_file) {
            snprintf(err, err_size, "tls: a client certificate needs both a certificate and a key file");
            r = SIO_ERR_INVALID;
        }
        if (r == SIO_OK) r = sio__pem_file(b, cfg->cert_file, "client certificate", sio__bssl_add_chain, err, err_size);
        if (r == SIO_OK) r = sio__pem_file(b, cfg->key_file, "client key", sio__bssl_add_key, err, err_size);
        if (r == SIO_OK && (!b->chain_len || !b->has_key)) {
            snprintf(err, err_size, "tls: no %s found in '%.150s'", b->chain_len ? "private key" : "certificate",
                     b->chain_len ? cfg->key_file : cfg->cert_file);
            r = SIO_ERR_TLS;
        }
    }
    if (r != SIO_OK) {
        sio_bearssl_destroy(b);
        return r;
    }
    *out = b;
    return SIO_OK;
}

SIO_API const sio_tls *sio_bearssl_tls(const sio_bearssl *b) { return b ? &b->table : NULL; }

SIO_API void sio_bearssl_destroy(sio_bearssl *b)
{
    size_t i;
    sio_allocator a;
    if (!b) return;
    a = b->alloc;
    for (i = 0; i < b->anchor_count; i++) {
        br_x509_trust_anchor *ta = &b->anchors[i];
        sio__realloc(&a, ta->dn.data, 0);
        if (ta->pkey.key_type == BR_KEYTYPE_RSA) {
            sio__realloc(&a, ta->pkey.key.rsa.n, 0);
            sio__realloc(&a, ta->pkey.key.rsa.e, 0);
        } else {
            sio__realloc(&a, ta->pkey.key.ec.q, 0);
        }
    }
    if (b->anchors) sio__realloc(&a, b->anchors, 0);
    for (i = 0; i < b->chain_len; i++) sio__realloc(&a, b->chain[i].data, 0);
    if (b->chain) sio__realloc(&a, b->chain, 0);
    if (b->pins) sio__realloc(&a, b->pins, 0);
    memset(&b->key, 0, sizeof b->key);        /* do not leave the private key in freed memory */
    sio__realloc(&a, b, 0);
}
#endif /* SIO_WITH_BEARSSL */
#ifdef SIO_SOURCE_LINES
#line 1 "src/openssl.c"
#endif
/* ---------------------------------------------------------------------- */
/* tls: the OpenSSL backend (SIO_WITH_OPENSSL)                             */
/* ---------------------------------------------------------------------- */
#ifdef SIO_WITH_OPENSSL
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <openssl/sha.h>

#define SIO__OSSL_CHUNK 16384u          /* ciphertext and plaintext handed over at a time */
#define SIO__OSSL_MAX_IN (64u * 1024u)  /* ciphertext fed and not yet read, at most */
#define SIO__OSSL_RECORD (SIO__OSSL_CHUNK + 2048u + 5u)   /* the largest TLS record a CHUNK of plaintext makes */
#define SIO__OSSL_OFFERED "TLS 1.3, and TLS 1.2 with ECDHE and AES-GCM or ChaCha20-Poly1305"

struct sio_openssl {
    sio_tls table;
    sio_allocator alloc;
    SSL_CTX *ctx;
    int insecure;
    unsigned char (*pins)[32];         /* SHA-256 of pinned SubjectPublicKeyInfos */
    size_t pin_count;
    int pins_only;
    int (*verify)(void *, const char *, const unsigned char *, size_t, char *, size_t);
    void *verify_user;
};

/* One connection: OpenSSL between two memory BIOs, and the buffers the
 * client reads from and writes into. */
typedef struct sio__ossl_session {
    sio_openssl *owner;
    SSL *ssl;
    BIO *in, *out;                     /* ciphertext from / for the network (owned by ssl) */
    unsigned char cipher_in[SIO__OSSL_CHUNK];
    unsigned char cipher_out[SIO__OSSL_RECORD];    /* holds all the ciphertext of one write */
    size_t out_at, out_len;
    unsigned char plain_in[SIO__OSSL_CHUNK];
    size_t plain_at, plain_len;
    unsigned char plain_out[SIO__OSSL_CHUNK];
    int failed, closed;
    char why[192];                     /* when failed; set by the checks below, else from OpenSSL */
    char host[256];
} sio__ossl_session;

/* Why the handshake failed, in the BearSSL backend's words. */
static void sio__ossl_describe(sio__ossl_session *s, unsigned long e)
{
    long v = SSL_get_verify_result(s->ssl);
    int reason = e ? ERR_GET_REASON(e) : 0;
    if (s->why[0]) return;
    if (e && ERR_GET_LIB(e) == ERR_LIB_SSL && reason == SSL_R_CERTIFICATE_VERIFY_FAILED && v != X509_V_OK) {
        switch (v) {
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY: case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN: case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE: case X509_V_ERR_CERT_UNTRUSTED:
            snprintf(s->why, sizeof s->why, "certificate chain is not trusted (no trust anchor matches; see --cafile)");
            break;
        case X509_V_ERR_HOSTNAME_MISMATCH:
            snprintf(s->why, sizeof s->why, "certificate does not match the host name");
            break;
        case X509_V_ERR_IP_ADDRESS_MISMATCH:
            snprintf(s->why, sizeof s->why, "the certificate has no IP address SAN for the host");
            break;
        case X509_V_ERR_CERT_HAS_EXPIRED: case X509_V_ERR_CERT_NOT_YET_VALID:
            snprintf(s->why, sizeof s->why, "certificate expired or not yet valid");
            break;
        case X509_V_ERR_INVALID_PURPOSE:
            snprintf(s->why, sizeof s->why, "the certificate's Extended Key Usage does not allow a TLS server (serverAuth)");
            break;
        default:
            snprintf(s->why, sizeof s->why, "certificate rejected (OpenSSL: %s)", X509_verify_cert_error_string(v));
        }
    } else if (e && ERR_GET_LIB(e) == ERR_LIB_SSL && reason >= SSL_AD_REASON_OFFSET && reason < SSL_AD_REASON_OFFSET + 256) {
        sio__tls_alert_text(s->why, sizeof s->why, reason - SSL_AD_REASON_OFFSET, SIO__OSSL_OFFERED);
    } else if (e && ERR_GET_LIB(e) == ERR_LIB_SSL &&
               (reason == SSL_R_UNSUPPORTED_PROTOCOL || reason == SSL_R_NO_PROTOCOLS_AVAILABLE ||
                reason == SSL_R_WRONG_VERSION_NUMBER || reason == SSL_R_NO_SHARED_CIPHER)) {
        sio__tls_no_common_text(s->why, sizeof s->why, SIO__OSSL_OFFERED);
    } else if (e) {
        char text[160];
        ERR_error_string_n(e, text, sizeof text);
        snprintf(s->why, sizeof s->why, "handshake failed (OpenSSL: %s)", text);
    } else {
        snprintf(s->why, sizeof s->why, "the connection ended during the TLS exchange");
    }
}

/* An OpenSSL call returned r: go on (0), or the session has failed or
 * closed (1). */
static int sio__ossl_check(sio__ossl_session *s, int r)
{
    int e = SSL_get_error(s->ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) { ERR_clear_error(); return 0; }
    if (e == SSL_ERROR_ZERO_RETURN) { s->closed = 1; ERR_clear_error(); return 1; }
    sio__ossl_describe(s, ERR_peek_last_error());
    ERR_clear_error();
    s->failed = 1;
    return 1;
}

/* Moves the handshake on after bytes came in or before bytes go out. */
static void sio__ossl_step(sio__ossl_session *s)
{
    int r;
    if (s->failed || s->closed || SSL_is_init_finished(s->ssl)) return;
    ERR_clear_error();
    r = SSL_do_handshake(s->ssl);
    if (r != 1) sio__ossl_check(s, r);
}

/* The pins and the hook, after OpenSSL's own checks passed (or, with the
 * pins instead of the chain, failed only for want of a trust anchor). */
static int sio__ossl_pins_and_hook(sio__ossl_session *s, X509 *leaf)
{
    const sio_openssl *o = s->owner;
    unsigned char *der = NULL;
    int len = i2d_X509(leaf, &der), ok = 1;
    if (len <= 0) {
        snprintf(s->why, sizeof s->why, "the server's certificate is malformed");
        return 0;
    }
    if (o->pin_count) {
        const unsigned char *spki;
        size_t spki_len;
        unsigned char hash[32];
        if (sio_x509_spki(der, (size_t)len, &spki, &spki_len) != 1) {
            snprintf(s->why, sizeof s->why, "the server's certificate is malformed");
            ok = 0;
        } else {
            SHA256(spki, spki_len, hash);
            if (!sio__tls_pinned((const unsigned char (*)[32])o->pins, o->pin_count, hash)) {
                snprintf(s->why, sizeof s->why, "the server's key matches none of the pins");
                ok = 0;
            }
        }
    }
    if (ok && o->verify) {
        char why[160];
        why[0] = 0;
        if (o->verify(o->verify_user, s->host, der, (size_t)len, why, sizeof why)) {
            why[sizeof why - 1] = 0;
            snprintf(s->why, sizeof s->why, "%s", why[0] ? why : "the verification hook refused the certificate");
            ok = 0;
        }
    }
    OPENSSL_free(der);
    return ok;
}

static int sio__ossl_chain_error(int e)
{
    return e == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY || e == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT ||
           e == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN || e == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT ||
           e == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE || e == X509_V_ERR_CERT_UNTRUSTED;
}

/* With the pins instead of the chain, a missing trust anchor is not an
 * error (every other check still is). */
static int sio__ossl_verify_step(int ok, X509_STORE_CTX *store)
{
    SSL *ssl = (SSL *)X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    sio__ossl_session *s = ssl ? (sio__ossl_session *)SSL_get_app_data(ssl) : NULL;
    if (!ok && s && !s->why[0] && X509_STORE_CTX_get_error_depth(store) == 0 && X509_STORE_CTX_get_current_cert(store) &&
        (X509_get_extension_flags(X509_STORE_CTX_get_current_cert(store)) & EXFLAG_INVALID)) {
        /* OpenSSL then says "unable to get local issuer": the certificate is at fault, not the CA file */
        snprintf(s->why, sizeof s->why, "the server's certificate is malformed");
        return 0;
    }
    if (!ok && s && s->owner->pins_only && sio__ossl_chain_error(X509_STORE_CTX_get_error(store))) return 1;
    if (!ok && s && !s->why[0] && X509_STORE_CTX_get_error(store) == X509_V_ERR_INVALID_PURPOSE &&
        X509_STORE_CTX_get_error_depth(store) == 0) {
        /* OpenSSL's purpose check also looks at Key Usage: say which of the two refused, as the
         * other backends do (the Extended Key Usage first) */
        X509 *leaf = X509_STORE_CTX_get_current_cert(store);
        uint32_t eku = leaf ? X509_get_extended_key_usage(leaf) : UINT32_MAX;
        uint32_t ku = leaf ? X509_get_key_usage(leaf) : UINT32_MAX;
        if ((eku == UINT32_MAX || (eku & XKU_SSL_SERVER)) && ku != UINT32_MAX && !(ku & KU_DIGITAL_SIGNATURE))
            snprintf(s->why, sizeof s->why, "%s", SIO__TLS_NOT_FOR_SIGNING);
    }
    return ok;
}

/* OpenSSL's chain verification, then the pins and the hook. */
static int sio__ossl_verify_chain(X509_STORE_CTX *store, void *arg)
{
    SSL *ssl = (SSL *)X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    sio__ossl_session *s = ssl ? (sio__ossl_session *)SSL_get_app_data(ssl) : NULL;
    X509 *leaf = X509_STORE_CTX_get0_cert(store);
    (void)arg;
    if (X509_verify_cert(store) != 1) return 0;
    if (!s || !leaf) return 0;
    if (X509_get_key_usage(leaf) != UINT32_MAX && !(X509_get_key_usage(leaf) & KU_DIGITAL_SIGNATURE)) {
        snprintf(s->why, sizeof s->why, "%s", SIO__TLS_NOT_FOR_SIGNING);   /* OpenSSL would take it */
        X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
        return 0;
    }
    if ((s->owner->pin_count || s->owner->verify) && !sio__ossl_pins_and_hook(s, leaf)) {
        X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
        return 0;
    }
    return 1;
}

static void *sio__ossl_open(void *user, const char *host, char *err, size_t err_size)
{
    sio_openssl *o = (sio_openssl *)user;
    sio__ossl_session *s;
    unsigned char ip[16];
    size_t ip_len = sio_ip_parse(host, ip);
    static const unsigned char alpn[] = { 8, 'h', 't', 't', 'p', '/', '1', '.', '1' };
    if (strlen(host) >= sizeof s->host) {
        snprintf(err, err_size, "tls: the host name is too long");
        return NULL;
    }
    s = (sio__ossl_session *)sio__realloc(&o->alloc, NULL, sizeof *s);
    if (!s) { snprintf(err, err_size, "out of memory"); return NULL; }
    memset(s, 0, sizeof *s);
    s->owner = o;
    strcpy(s->host, host);
    s->ssl = SSL_new(o->ctx);
    s->in = BIO_new(BIO_s_mem());
    s->out = BIO_new(BIO_s_mem());
    if (!s->ssl || !s->in || !s->out) {
        if (s->ssl) SSL_free(s->ssl);
        if (s->in) BIO_free(s->in);
        if (s->out) BIO_free(s->out);
        sio__realloc(&o->alloc, s, 0);
        snprintf(err, err_size, "out of memory for the TLS session");
        return NULL;
    }
    BIO_set_mem_eof_return(s->in, -1);                          /* empty: wait for more, not EOF */
    BIO_set_mem_eof_return(s->out, -1);
    SSL_set_bio(s->ssl, s->in, s->out);
    SSL_set_connect_state(s->ssl);
    SSL_set_app_data(s->ssl, s);
    if (!o->insecure) {
        X509_VERIFY_PARAM *param = SSL_get0_param(s->ssl);
        int ok;
        if (ip_len) {
            ok = X509_VERIFY_PARAM_set1_ip(param, ip, ip_len);
        } else {
            X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
            ok = X509_VERIFY_PARAM_set1_host(param, host, 0);
        }
        if (!ok) {
            SSL_free(s->ssl);
            sio__realloc(&o->alloc, s, 0);
            snprintf(err, err_size, "tls: cannot check the certificate against host '%.100s'", host);
            return NULL;
        }
    }
    if (!ip_len) SSL_set_tlsext_host_name(s->ssl, host);       /* no SNI for an address (RFC 6066 3) */
    SSL_set_alpn_protos(s->ssl, alpn, sizeof alpn);
    sio__ossl_step(s);                                          /* the ClientHello */
    return s;
}

static void sio__ossl_close(void *session)
{
    sio__ossl_session *s = (sio__ossl_session *)session;
    sio_openssl *o = s->owner;
    SSL_free(s->ssl);                                           /* and its BIOs */
    sio__realloc(&o->alloc, s, 0);
}

static unsigned char *sio__ossl_recv_buf(void *session, size_t *room)
{
    sio__ossl_session *s = (sio__ossl_session *)session;
    *room = 0;
    if (s->failed || s->closed || BIO_ctrl_pending(s->in) >= SIO__OSSL_MAX_IN) return NULL;
    *room = sizeof s->cipher_in;
    return s->cipher_in;
}

static void sio__ossl_recv_done(void *session, size_t len)
{
    sio__ossl_session *s = (sio__ossl_session *)session;
    if (len && BIO_write(s->in, s->cipher_in, (int)len) != (int)len) {
        snprintf(s->why, sizeof s->why, "out of memory for received TLS records");
        s->failed = 1;
        return;
    }
    sio__ossl_step(s);
}

static const unsigned char *sio__ossl_send_buf(void *session, size_t *len)
{
    sio__ossl_session *s = (sio__ossl_session *)session;
    if (s->out_at == s->out_len) {
        int n = BIO_pending(s->out) > 0 ? BIO_read(s->out, s->cipher_out, (int)sizeof s->cipher_out) : 0;
        s->out_at = 0;
        s->out_len = n > 0 ? (size_t)n : 0;
    }
    *len = s->out_len - s->out_at;
    return *len ? s->cipher_out + s->out_at : NULL;
}

static void sio__ossl_send_done(void *session, size_t len)
{
    sio__ossl_session *s = (sio__ossl_session *)session;
    s->out_at += len <= s->out_len - s->out_at ? len : s->out_len - s->out_at;
}

static const unsigned char *sio__ossl_read_buf(void *session, size_t *len)
{
    sio__ossl_session *s = (sio__ossl_session *)session;
    if (s->plain_at == s->plain_len && !s->failed && !s->closed && SSL_is_init_finished(s->ssl)) {
        int r;
        ERR_clear_error();
        r = SSL_read(s->ssl, s->plain_in, (int)sizeof s->plain_in);
        s->plain_at = 0;
        s->plain_len = r > 0 ? (size_t)r : 0;
        if (r <= 0) sio__ossl_check(s, r);
    }
    *len = s->plain_len - s->plain_at;
    return *len ? s->plain_in + s->plain_at : NULL;
}

static void sio__ossl_read_done(void *session, size_t len)
{
    sio__ossl_session *s = (sio__ossl_session *)session;
    s->plain_at += len <= s->plain_len - s->plain_at ? len : s->plain_len - s->plain_at;
}

static unsigned char *sio__ossl_write_buf(void *session, size_t *room)
{
    sio__ossl_session *s = (sio__ossl_session *)session;
    *room = 0;
    /* Plaintext only while no ciphertext waits: what the client hands over
     * then is all in send_buf once taken, which is how it knows when a
     * ping has left (an engine that kept taking plaintext hid up to 64 KiB
     * in the BIO, and a ping in it was counted sent too early). */
    if (s->failed || s->closed || !SSL_is_init_finished(s->ssl) || BIO_pending(s->out) > 0 || s->out_at < s->out_len)
        return NULL;
    *room = sizeof s->plain_out;
    return s->plain_out;
}

static void sio__ossl_write_done(void *session, size_t len)
{
    sio__ossl_session *s = (sio__ossl_session *)session;
    int r;
    if (!len || s->failed || s->closed) return;
    ERR_clear_error();
    r = SSL_write(s->ssl, s->plain_out, (int)len);       /* a memory BIO takes it all */
    if (r != (int)len && sio__ossl_check(s, r) == 0) {
        snprintf(s->why, sizeof s->why, "tls: a write was not taken whole");
        s->failed = 1;
    }
}

static int sio__ossl_status(void *session, char *err, size_t err_size)
{
    sio__ossl_session *s = (sio__ossl_session *)session;
    if (s->failed) {
        if (err && err_size) snprintf(err, err_size, "%s", s->why[0] ? s->why : "failure");
        return -1;
    }
    return s->closed ? 1 : 0;
}

/* The trust anchors of PEM text in memory; how many were added. */
static int sio__ossl_add_pem(SSL_CTX *ctx, const char *pem, size_t len)
{
    BIO *b = BIO_new_mem_buf(pem, (int)len);
    X509 *x;
    int added = 0;
    if (!b) return -1;
    while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
        if (X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), x) == 1) added++;
        X509_free(x);
    }
    ERR_clear_error();
    BIO_free(b);
    return added;
}

/* Trust anchors: the caller's, else SSL_CERT_FILE (named when it fails),
 * else OpenSSL's default store. */
static int sio__ossl_anchors(sio_openssl *o, const sio_openssl_config *cfg, char *err, size_t err_size)
{
    const char *env = getenv("SSL_CERT_FILE");
    if (cfg->ca_pem) {
        size_t len = cfg->ca_pem_len ? cfg->ca_pem_len : strlen(cfg->ca_pem);
        if (len > (size_t)16 << 20 || sio__ossl_add_pem(o->ctx, cfg->ca_pem, len) <= 0) {
            snprintf(err, err_size, "tls: no usable trust anchor in '(memory)'");
            return SIO_ERR_TLS;
        }
        return SIO_OK;
    }
    if (cfg->ca_file) {
        FILE *f = fopen(cfg->ca_file, "rb");
        if (!f) {
            snprintf(err, err_size, "tls: cannot read trust anchor file '%.150s'", cfg->ca_file);
            return SIO_ERR_IO;
        }
        fclose(f);
        if (SSL_CTX_load_verify_locations(o->ctx, cfg->ca_file, NULL) != 1) {
            ERR_clear_error();
            snprintf(err, err_size, "tls: no usable trust anchor in '%.150s'", cfg->ca_file);
            return SIO_ERR_TLS;
        }
        return SIO_OK;
    }
    if (o->insecure || o->pins_only) return SIO_OK;
    if (env && env[0]) {
        if (SSL_CTX_load_verify_locations(o->ctx, env, NULL) != 1) {
            ERR_clear_error();
            snprintf(err, err_size, "tls: cannot read trust anchor file (SSL_CERT_FILE) '%.150s'", env);
            return SIO_ERR_TLS;
        }
        return SIO_OK;
    }
    if (SSL_CTX_set_default_verify_paths(o->ctx) != 1) {
        ERR_clear_error();
        snprintf(err, err_size, "tls: no trust store found: give the CA (sio_openssl_config.ca_file or ca_pem; sioc --cafile)");
        return SIO_ERR_TLS;
    }
    return SIO_OK;
}

static int sio__ossl_client_cert(sio_openssl *o, const sio_openssl_config *cfg, char *err, size_t err_size)
{
    if (!cfg->cert_file && !cfg->key_file) return SIO_OK;
    if (!cfg->cert_file || !cfg->key_file) {
        snprintf(err, err_size, "tls: a client certificate needs both a certificate and a key file");
        return SIO_ERR_INVALID;
    }
    if (SSL_CTX_use_certificate_chain_file(o->ctx, cfg->cert_file) != 1) {
        ERR_clear_error();
        snprintf(err, err_size, "tls: no certificate found in '%.150s'", cfg->cert_file);
        return SIO_ERR_TLS;
    }
    if (SSL_CTX_use_PrivateKey_file(o->ctx, cfg->key_file, SSL_FILETYPE_PEM) != 1) {
        ERR_clear_error();
        snprintf(err, err_size, "tls: no private key found in '%.150s'", cfg->key_file);
        return SIO_ERR_TLS;
    }
    if (SSL_CTX_check_private_key(o->ctx) != 1) {
        ERR_clear_error();
        snprintf(err, err_size, "tls: the private key in '%.150s' does not match the certificate", cfg->key_file);
        return SIO_ERR_TLS;
    }
    return SIO_OK;
}


SIO_API int sio_openssl_create(const sio_openssl_config *cfg, sio_openssl **out, char *err, size_t err_size)
{
    sio_openssl *o;
    sio_allocator a;
    int r;
    char dummy[8];
    if (!err) { err = dummy; err_size = sizeof dummy; }
    err[0] = 0;
    if (!cfg || !out) return SIO_ERR_INVALID;
    *out = NULL;
    if (cfg->min_version && cfg->min_version != SIO_TLS_1_2 && cfg->min_version != SIO_TLS_1_3) {
        snprintf(err, err_size, "tls: min_version must be SIO_TLS_1_2 or SIO_TLS_1_3");
        return SIO_ERR_INVALID;
    }
    a = cfg->allocator;
    o = (sio_openssl *)sio__realloc(&a, NULL, sizeof *o);
    if (!o) return SIO_ERR_NOMEM;
    memset(o, 0, sizeof *o);
    o->alloc = a;
    o->insecure = cfg->insecure_skip_verify;
    o->verify = cfg->verify;
    o->verify_user = cfg->verify_user;
    o->ctx = SSL_CTX_new(TLS_client_method());
    if (!o->ctx) {
        sio__realloc(&a, o, 0);
        snprintf(err, err_size, "tls: OpenSSL could not make a context");
        return SIO_ERR_NOMEM;
    }
    SSL_CTX_set_min_proto_version(o->ctx, cfg->min_version == SIO_TLS_1_3 ? TLS1_3_VERSION : TLS1_2_VERSION);
    SSL_CTX_set_options(o->ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    /* TLS 1.2 as the BearSSL backend: ECDHE with AEAD only (TLS 1.3's suites all are) */
    SSL_CTX_set_cipher_list(o->ctx, "ECDHE+AESGCM:ECDHE+CHACHA20");
    SSL_CTX_set_mode(o->ctx, SSL_MODE_RELEASE_BUFFERS);
    if (!o->insecure) {
        SSL_CTX_set_verify(o->ctx, SSL_VERIFY_PEER, sio__ossl_verify_step);
        SSL_CTX_set_cert_verify_callback(o->ctx, sio__ossl_verify_chain, NULL);
    } else {
        SSL_CTX_set_verify(o->ctx, SSL_VERIFY_NONE, NULL);
    }
    o->table.user = o;
    o->table.open = sio__ossl_open;
    o->table.close = sio__ossl_close;
    o->table.recv_buf = sio__ossl_recv_buf;
    o->table.recv_done = sio__ossl_recv_done;
    o->table.send_buf = sio__ossl_send_buf;
    o->table.send_done = sio__ossl_send_done;
    o->table.read_buf = sio__ossl_read_buf;
    o->table.read_done = sio__ossl_read_done;
    o->table.write_buf = sio__ossl_write_buf;
    o->table.write_done = sio__ossl_write_done;
    o->table.status = sio__ossl_status;
    r = sio__tls_pins_load(&o->alloc, cfg->pins, cfg->pin_count, cfg->pins_instead_of_chain, &o->pins, err, err_size);
    o->pin_count = r == SIO_OK ? cfg->pin_count : 0;
    o->pins_only = cfg->pins_instead_of_chain;
    if (r == SIO_OK && (r = sio__ossl_anchors(o, cfg, err, err_size)) == SIO_OK)
        r = sio__ossl_client_cert(o, cfg, err, err_size);
    if (r != SIO_OK) {
        sio_openssl_destroy(o);
        return r;
    }
    *out = o;
    return SIO_OK;
}

SIO_API const sio_tls *sio_openssl_tls(const sio_openssl *o) { return o ? &o->table : NULL; }

SIO_API void sio_openssl_destroy(sio_openssl *o)
{
    sio_allocator a;
    if (!o) return;
    a = o->alloc;
    if (o->ctx) SSL_CTX_free(o->ctx);
    if (o->pins) sio__realloc(&a, o->pins, 0);
    sio__realloc(&a, o, 0);
}
#endif /* SIO_WITH_OPENSSL */
#ifdef SIO_SOURCE_LINES
#line 1 "src/mbedtls.c"
#endif
/* ---------------------------------------------------------------------- */
/* tls: the mbedTLS backend (SIO_WITH_MBEDTLS)                             */
/* ---------------------------------------------------------------------- */
#ifdef SIO_WITH_MBEDTLS
#include <mbedtls/version.h>
#include <mbedtls/ssl.h>
#include <mbedtls/entropy.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/x509_crt.h>
#include <mbedtls/pk.h>
#include <mbedtls/error.h>
#include <mbedtls/sha256.h>
#if defined(MBEDTLS_PSA_CRYPTO_C)
#include <psa/crypto.h>                   /* mbedTLS 3: TLS 1.3 runs on PSA, started once */
#endif

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define SIO__MBED_3 1
#define SIO__MBED_FIELD(x) MBEDTLS_PRIVATE(x)       /* 3.x hides the structures' fields */
#else
#define SIO__MBED_3 0
#define SIO__MBED_FIELD(x) x
#endif
#if SIO__MBED_3 && MBEDTLS_VERSION_NUMBER < 0x03010000   /* a certificate's DER: hidden in 3.0 only */
#define SIO__MBED_DER(crt) ((crt)->MBEDTLS_PRIVATE(raw).MBEDTLS_PRIVATE(p))
#define SIO__MBED_DER_LEN(crt) ((crt)->MBEDTLS_PRIVATE(raw).MBEDTLS_PRIVATE(len))
#else
#define SIO__MBED_DER(crt) ((crt)->raw.p)
#define SIO__MBED_DER_LEN(crt) ((crt)->raw.len)
#endif

#define SIO__MBED_IN (17u * 1024u)      /* ciphertext fed and not yet read by mbedTLS: a record */
#define SIO__MBED_OUT (17u * 1024u)     /* ciphertext made and not yet sent (mbedTLS retries the rest) */
#define SIO__MBED_PLAIN 16384u
#if SIO__MBED_3 && defined(MBEDTLS_SSL_PROTO_TLS1_3)
#define SIO__MBED_OFFERED "TLS 1.3, and TLS 1.2 with ECDHE and AES-GCM or ChaCha20-Poly1305"
#else
#define SIO__MBED_OFFERED "TLS 1.2, ECDHE with AES-GCM or ChaCha20-Poly1305"
#endif

struct sio_mbedtls {
    sio_tls table;
    sio_allocator alloc;
    mbedtls_ssl_config conf;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_x509_crt anchors, own_cert;
    mbedtls_pk_context own_key;
    int insecure, has_own;
    unsigned char (*pins)[32];         /* SHA-256 of pinned SubjectPublicKeyInfos */
    size_t pin_count;
    int pins_only;
    int (*verify)(void *, const char *, const unsigned char *, size_t, char *, size_t);
    void *verify_user;
};

typedef struct sio__mbed_session {
    sio_mbedtls *owner;
    mbedtls_ssl_context ssl;
    unsigned char in[SIO__MBED_IN];
    size_t in_at, in_len;
    unsigned char out[SIO__MBED_OUT];
    size_t out_at, out_len;
    unsigned char plain_in[SIO__MBED_PLAIN];
    size_t plain_at, plain_len;
    unsigned char plain_out[SIO__MBED_PLAIN];
    size_t pending_at, pending_len;    /* plaintext mbedTLS has not taken yet (it wants the same again) */
    int handshaken, failed, closed;
    uint32_t chain_flags;              /* mbedTLS's verdict on the certificates above the server's */
    unsigned char ip[16];              /* the host as an address (ip_len 4 or 16), or ip_len 0 */
    size_t ip_len;
    char why[192];
    char host[256];
} sio__mbed_session;

/* mbedTLS's I/O: our two buffers instead of a socket. */
static int sio__mbed_net_send(void *ctx, const unsigned char *buf, size_t len)
{
    sio__mbed_session *s = (sio__mbed_session *)ctx;
    size_t room;
    if (s->out_at == s->out_len) s->out_at = s->out_len = 0;
    room = sizeof s->out - s->out_len;
    if (!room) return MBEDTLS_ERR_SSL_WANT_WRITE;
    if (len > room) len = room;
    memcpy(s->out + s->out_len, buf, len);
    s->out_len += len;
    return (int)len;
}

static int sio__mbed_net_recv(void *ctx, unsigned char *buf, size_t len)
{
    sio__mbed_session *s = (sio__mbed_session *)ctx;
    size_t have = s->in_len - s->in_at;
    if (!have) return MBEDTLS_ERR_SSL_WANT_READ;
    if (len > have) len = have;
    memcpy(buf, s->in + s->in_at, len);
    s->in_at += len;
    if (s->in_at == s->in_len) s->in_at = s->in_len = 0;
    return (int)len;
}

/* The reason of a failed verification, from mbedTLS's flags. */
static void sio__mbed_describe_flags(sio__mbed_session *s, uint32_t flags)
{
    if (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED)
        snprintf(s->why, sizeof s->why, "certificate chain is not trusted (no trust anchor matches; see --cafile)");
    else if (flags & MBEDTLS_X509_BADCERT_CN_MISMATCH)
        snprintf(s->why, sizeof s->why, "certificate does not match the host name");
    else if (flags & (MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE))
        snprintf(s->why, sizeof s->why, "certificate expired or not yet valid");
    else if (flags & MBEDTLS_X509_BADCERT_EXT_KEY_USAGE)
        snprintf(s->why, sizeof s->why, "the certificate's Extended Key Usage does not allow a TLS server (serverAuth)");
    else {
        char text[128];
        int n = mbedtls_x509_crt_verify_info(text, sizeof text, "", flags);
        if (n > 0 && text[n - 1] == '\n') text[n - 1] = 0;
        snprintf(s->why, sizeof s->why, "certificate rejected (mbedTLS: %s)", n > 0 ? text : "unknown");
    }
}

/* Errors that mean no version or suite in common (named differently by 2.x and 3.x). */
static int sio__mbed_no_common(int e)
{
#if defined(MBEDTLS_ERR_SSL_BAD_PROTOCOL_VERSION)
    if (e == MBEDTLS_ERR_SSL_BAD_PROTOCOL_VERSION) return 1;
#endif
#if defined(MBEDTLS_ERR_SSL_BAD_HS_PROTOCOL_VERSION)
    if (e == MBEDTLS_ERR_SSL_BAD_HS_PROTOCOL_VERSION) return 1;
#endif
#if defined(MBEDTLS_ERR_SSL_NO_CIPHER_CHOSEN)
    if (e == MBEDTLS_ERR_SSL_NO_CIPHER_CHOSEN) return 1;
#endif
    (void)e;
    return 0;
}

/* A failed call: why, in the other backends' words. */
static void sio__mbed_fail(sio__mbed_session *s, int e)
{
    uint32_t flags = mbedtls_ssl_get_verify_result(&s->ssl);     /* all ones: not verified (yet) */
    s->failed = 1;
    if (s->why[0]) return;
    if (e == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED || (flags && flags != (uint32_t)-1)) {
        sio__mbed_describe_flags(s, flags);
    } else if (e == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE) {
        int alert = s->ssl.SIO__MBED_FIELD(in_msg) ? s->ssl.SIO__MBED_FIELD(in_msg)[1] : 0;
        sio__tls_alert_text(s->why, sizeof s->why, alert, SIO__MBED_OFFERED);
    } else if (sio__mbed_no_common(e)) {
        sio__tls_no_common_text(s->why, sizeof s->why, SIO__MBED_OFFERED);
    } else {
        char text[128];
        mbedtls_strerror(e, text, sizeof text);
        snprintf(s->why, sizeof s->why, "handshake failed (mbedTLS: %s)", text);
    }
}

/* Moves the handshake on, and a write mbedTLS could not take whole. */
static void sio__mbed_step(sio__mbed_session *s)
{
    int r;
    if (s->failed || s->closed) return;
    if (!s->handshaken) {
        r = mbedtls_ssl_handshake(&s->ssl);
        if (r == 0) s->handshaken = 1;
        else if (r != MBEDTLS_ERR_SSL_WANT_READ && r != MBEDTLS_ERR_SSL_WANT_WRITE) { sio__mbed_fail(s, r); return; }
    }
    while (s->handshaken && s->pending_at < s->pending_len) {
        r = mbedtls_ssl_write(&s->ssl, s->plain_out + s->pending_at, s->pending_len - s->pending_at);
        if (r == MBEDTLS_ERR_SSL_WANT_WRITE || r == MBEDTLS_ERR_SSL_WANT_READ) return;
        if (r < 0) { sio__mbed_fail(s, r); return; }
        s->pending_at += (size_t)r;
    }
    if (s->pending_at == s->pending_len) s->pending_at = s->pending_len = 0;
}

static int sio__mbed_pinned(const sio_mbedtls *m, const mbedtls_x509_crt *crt)
{
    const unsigned char *spki;
    size_t spki_len;
    unsigned char hash[32];
    if (sio_x509_spki(SIO__MBED_DER(crt), SIO__MBED_DER_LEN(crt), &spki, &spki_len) != 1) return 0;
#if SIO__MBED_3
    if (mbedtls_sha256(spki, spki_len, hash, 0) != 0) return 0;
#else
    if (mbedtls_sha256_ret(spki, spki_len, hash, 0) != 0) return 0;
#endif
    return sio__tls_pinned((const unsigned char (*)[32])m->pins, m->pin_count, hash);
}

/* mbedTLS's verdict on each certificate, from the root down: with the
 * pins instead of the chain a missing anchor is forgiven; at the server's
 * own certificate, its IP SANs (mbedTLS 2 has no IP check), and, once the
 * whole chain passed, its usage (which mbedTLS checks only after this), the
 * pins and the hook: the hook sees a certificate every other check passed. */
static int sio__mbed_verify(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    sio__mbed_session *s = (sio__mbed_session *)ctx;
    const sio_mbedtls *m = s->owner;
    if (m->pins_only) *flags &= ~(uint32_t)MBEDTLS_X509_BADCERT_NOT_TRUSTED;
    if (depth != 0) {
        s->chain_flags |= *flags;
        return 0;
    }
    if (s->ip_len) *flags &= ~(uint32_t)MBEDTLS_X509_BADCERT_CN_MISMATCH;   /* no name was set to check */
    if (*flags || s->chain_flags) return 0;                            /* the chain's sentence first */
    if (s->ip_len && sio_x509_has_ip(SIO__MBED_DER(crt), SIO__MBED_DER_LEN(crt), s->ip, s->ip_len) != 1) {
        snprintf(s->why, sizeof s->why, "the certificate has no IP address SAN for the host");
        *flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
        return 0;
    }
    /* The usages with sio's own reader: an mbedTLS 2 may be built without its checks */
    if (sio_x509_allows_server(SIO__MBED_DER(crt), SIO__MBED_DER_LEN(crt)) != 1) {
        *flags |= MBEDTLS_X509_BADCERT_EXT_KEY_USAGE;
        return 0;
    }
    if (sio_x509_key_allows(SIO__MBED_DER(crt), SIO__MBED_DER_LEN(crt), SIO_X509_KU_DIGITAL_SIGNATURE) != 1) {
        snprintf(s->why, sizeof s->why, "%s", SIO__TLS_NOT_FOR_SIGNING);
        *flags |= MBEDTLS_X509_BADCERT_KEY_USAGE;
        return 0;
    }
    if (m->pin_count && !sio__mbed_pinned(m, crt)) {
        snprintf(s->why, sizeof s->why, "the server's key matches none of the pins");
        *flags |= MBEDTLS_X509_BADCERT_OTHER;
        return 0;
    }
    if (m->verify) {
        char why[160];
        why[0] = 0;
        if (m->verify(m->verify_user, s->host, SIO__MBED_DER(crt), SIO__MBED_DER_LEN(crt), why, sizeof why)) {
            why[sizeof why - 1] = 0;
            snprintf(s->why, sizeof s->why, "%s", why[0] ? why : "the verification hook refused the certificate");
            *flags |= MBEDTLS_X509_BADCERT_OTHER;
        }
    }
    return 0;
}

static void *sio__mbed_open(void *user, const char *host, char *err, size_t err_size)
{
    sio_mbedtls *m = (sio_mbedtls *)user;
    sio__mbed_session *s;
    if (strlen(host) >= sizeof s->host) {
        snprintf(err, err_size, "tls: the host name is too long");
        return NULL;
    }
    s = (sio__mbed_session *)sio__realloc(&m->alloc, NULL, sizeof *s);
    if (!s) { snprintf(err, err_size, "out of memory"); return NULL; }
    memset(s, 0, sizeof *s);
    s->owner = m;
    strcpy(s->host, host);
    s->ip_len = sio_ip_parse(host, s->ip);
    mbedtls_ssl_init(&s->ssl);
    /* the name for SNI and the certificate check; none for an address (RFC 6066 3),
     * said explicitly (mbedTLS 3.6 refuses to verify when no name was set) */
    if (mbedtls_ssl_setup(&s->ssl, &m->conf) != 0 || mbedtls_ssl_set_hostname(&s->ssl, s->ip_len ? NULL : host) != 0) {
        mbedtls_ssl_free(&s->ssl);
        sio__realloc(&m->alloc, s, 0);
        snprintf(err, err_size, "out of memory for the TLS session");
        return NULL;
    }
    if (!m->insecure) mbedtls_ssl_set_verify(&s->ssl, sio__mbed_verify, s);
    mbedtls_ssl_set_bio(&s->ssl, s, sio__mbed_net_send, sio__mbed_net_recv, NULL);
    sio__mbed_step(s);                                   /* the ClientHello */
    return s;
}

static void sio__mbed_close(void *session)
{
    sio__mbed_session *s = (sio__mbed_session *)session;
    sio_mbedtls *m = s->owner;
    mbedtls_ssl_free(&s->ssl);
    sio__realloc(&m->alloc, s, 0);
}

static unsigned char *sio__mbed_recv_buf(void *session, size_t *room)
{
    sio__mbed_session *s = (sio__mbed_session *)session;
    *room = 0;
    if (s->failed || s->closed) return NULL;
    if (s->in_at) {                                      /* keep the unread bytes at the front */
        memmove(s->in, s->in + s->in_at, s->in_len - s->in_at);
        s->in_len -= s->in_at;
        s->in_at = 0;
    }
    *room = sizeof s->in - s->in_len;
    return *room ? s->in + s->in_len : NULL;
}

static void sio__mbed_recv_done(void *session, size_t len)
{
    sio__mbed_session *s = (sio__mbed_session *)session;
    s->in_len += len <= sizeof s->in - s->in_len ? len : sizeof s->in - s->in_len;
    sio__mbed_step(s);
}

static const unsigned char *sio__mbed_send_buf(void *session, size_t *len)
{
    sio__mbed_session *s = (sio__mbed_session *)session;
    *len = s->out_len - s->out_at;
    return *len ? s->out + s->out_at : NULL;
}

static void sio__mbed_send_done(void *session, size_t len)
{
    sio__mbed_session *s = (sio__mbed_session *)session;
    s->out_at += len <= s->out_len - s->out_at ? len : s->out_len - s->out_at;
    if (s->out_at == s->out_len) s->out_at = s->out_len = 0;
    sio__mbed_step(s);                                   /* room again for what waited */
}

static const unsigned char *sio__mbed_read_buf(void *session, size_t *len)
{
    sio__mbed_session *s = (sio__mbed_session *)session;
    if (s->plain_at == s->plain_len && s->handshaken && !s->failed && !s->closed) {
        int r, empty;
        /* 0 is an empty record (our bio never says end of stream): read on,
         * as far as mbedTLS allows empty records in a row */
        for (empty = 0; (r = mbedtls_ssl_read(&s->ssl, s->plain_in, sizeof s->plain_in)) == 0 && empty < 8; empty++) {}
        s->plain_at = s->plain_len = 0;
        if (r > 0) s->plain_len = (size_t)r;
        else if (r == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) s->closed = 1;
        else if (r == 0) {}                              /* more empty records: the next call goes on */
        else if (r != MBEDTLS_ERR_SSL_WANT_READ && r != MBEDTLS_ERR_SSL_WANT_WRITE
#ifdef MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET
                 && r != MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET
#endif
                 ) sio__mbed_fail(s, r);
    }
    *len = s->plain_len - s->plain_at;
    return *len ? s->plain_in + s->plain_at : NULL;
}

static void sio__mbed_read_done(void *session, size_t len)
{
    sio__mbed_session *s = (sio__mbed_session *)session;
    s->plain_at += len <= s->plain_len - s->plain_at ? len : s->plain_len - s->plain_at;
}

static unsigned char *sio__mbed_write_buf(void *session, size_t *room)
{
    sio__mbed_session *s = (sio__mbed_session *)session;
    *room = 0;
    int payload, expansion;
    size_t records;
    /* Plaintext only while no ciphertext waits, and only as much as makes
     * records that fit SIO__MBED_OUT (a build may use small records, each
     * with its own overhead): all of it is then in send_buf, none left
     * inside mbedTLS, which is how the client knows when a ping has left. */
    if (s->failed || s->closed || !s->handshaken || s->pending_len || s->out_at < s->out_len) return NULL;
    payload = mbedtls_ssl_get_max_out_record_payload(&s->ssl);
    expansion = mbedtls_ssl_get_record_expansion(&s->ssl);
    if (payload <= 0 || expansion < 0) {
        payload = 512;                                   /* unknown: small records with a CBC overhead */
        expansion = 5 + 16 + 48 + 256;
    }
    records = SIO__MBED_OUT / ((size_t)payload + (size_t)expansion);
    *room = records * (size_t)payload < sizeof s->plain_out ? records * (size_t)payload : sizeof s->plain_out;
    return *room ? s->plain_out : NULL;
}

static void sio__mbed_write_done(void *session, size_t len)
{
    sio__mbed_session *s = (sio__mbed_session *)session;
    if (!len || s->failed || s->closed) return;
    s->pending_at = 0;
    s->pending_len = len <= sizeof s->plain_out ? len : sizeof s->plain_out;
    sio__mbed_step(s);
}

static int sio__mbed_status(void *session, char *err, size_t err_size)
{
    sio__mbed_session *s = (sio__mbed_session *)session;
    if (s->failed) {
        if (err && err_size) snprintf(err, err_size, "%s", s->why[0] ? s->why : "failure");
        return -1;
    }
    return s->closed ? 1 : 0;
}

/* ---- loading ---- */


/* A PEM file of trust anchors; SIO_OK when at least one was read. */
static int sio__mbed_anchor_file(sio_mbedtls *m, const char *path, const char *what, char *err, size_t err_size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_size, "tls: cannot read %s '%.150s'", what, path);
        return SIO_ERR_IO;
    }
    fclose(f);
    if (mbedtls_x509_crt_parse_file(&m->anchors, path) < 0 || !SIO__MBED_DER_LEN(&m->anchors)) {
        snprintf(err, err_size, "tls: no usable trust anchor in '%.150s'", path);
        return SIO_ERR_TLS;
    }
    return SIO_OK;
}

/* The caller's anchors, else SSL_CERT_FILE (which must be good), the
 * directories of SSL_CERT_DIR, then the usual system bundles. */
static int sio__mbed_anchors(sio_mbedtls *m, const sio_mbedtls_config *cfg, char *err, size_t err_size)
{
    const char *file = getenv("SSL_CERT_FILE"), *dirs = getenv("SSL_CERT_DIR");
    size_t i;
    if (cfg->ca_pem) {
        size_t len = cfg->ca_pem_len ? cfg->ca_pem_len : strlen(cfg->ca_pem);
        unsigned char *copy = (unsigned char *)sio__realloc(&m->alloc, NULL, len + 1);
        int r;
        if (!copy) return SIO_ERR_NOMEM;
        memcpy(copy, cfg->ca_pem, len);
        copy[len] = 0;                                   /* mbedTLS reads PEM with its NUL */
        r = mbedtls_x509_crt_parse(&m->anchors, copy, len + 1);
        sio__realloc(&m->alloc, copy, 0);
        if (r < 0 || !SIO__MBED_DER_LEN(&m->anchors)) {
            snprintf(err, err_size, "tls: no usable trust anchor in '(memory)'");
            return SIO_ERR_TLS;
        }
        return SIO_OK;
    }
    if (cfg->ca_file) return sio__mbed_anchor_file(m, cfg->ca_file, "trust anchor file", err, err_size);
    if (m->insecure || m->pins_only) return SIO_OK;
    if (file && file[0]) return sio__mbed_anchor_file(m, file, "trust anchor file (SSL_CERT_FILE)", err, err_size);
    while (dirs && *dirs) {
        char dir[512];
        size_t n = strcspn(dirs, ":");
        if (n && n < sizeof dir) {
            memcpy(dir, dirs, n);
            dir[n] = 0;
            mbedtls_x509_crt_parse_path(&m->anchors, dir);      /* files that are not certificates are skipped */
        }
        dirs += n + (dirs[n] == ':');
    }
    for (i = 0; !SIO__MBED_DER_LEN(&m->anchors) && i < sizeof sio__tls_bundles / sizeof sio__tls_bundles[0]; i++) {
        FILE *f = fopen(sio__tls_bundles[i], "rb");
        if (!f) continue;
        fclose(f);
        mbedtls_x509_crt_parse_file(&m->anchors, sio__tls_bundles[i]);
    }
    if (SIO__MBED_DER_LEN(&m->anchors)) return SIO_OK;
    snprintf(err, err_size, "tls: no trust store found (tried SSL_CERT_FILE, SSL_CERT_DIR, %s and %d other bundles): "
             "give the CA (sio_mbedtls_config.ca_file or ca_pem; sioc --cafile)", sio__tls_bundles[0],
             (int)(sizeof sio__tls_bundles / sizeof sio__tls_bundles[0]) - 1);
    return SIO_ERR_TLS;
}

static int sio__mbed_own(sio_mbedtls *m, const sio_mbedtls_config *cfg, char *err, size_t err_size)
{
    int r;
    if (!cfg->cert_file && !cfg->key_file) return SIO_OK;
    if (!cfg->cert_file || !cfg->key_file) {
        snprintf(err, err_size, "tls: a client certificate needs both a certificate and a key file");
        return SIO_ERR_INVALID;
    }
    if (mbedtls_x509_crt_parse_file(&m->own_cert, cfg->cert_file) != 0) {
        snprintf(err, err_size, "tls: no certificate found in '%.150s'", cfg->cert_file);
        return SIO_ERR_TLS;
    }
#if SIO__MBED_3
    r = mbedtls_pk_parse_keyfile(&m->own_key, cfg->key_file, NULL, mbedtls_ctr_drbg_random, &m->drbg);
#else
    r = mbedtls_pk_parse_keyfile(&m->own_key, cfg->key_file, NULL);
#endif
    if (r != 0) {
        snprintf(err, err_size, "tls: no private key found in '%.150s'", cfg->key_file);
        return SIO_ERR_TLS;
    }
    if (mbedtls_ssl_conf_own_cert(&m->conf, &m->own_cert, &m->own_key) != 0) {
        snprintf(err, err_size, "tls: the client certificate in '%.150s' cannot be used", cfg->cert_file);
        return SIO_ERR_TLS;
    }
    return SIO_OK;
}

/* TLS 1.2 with ECDHE and AEAD (TLS 1.3's suites, where built, all are). */
static const int sio__mbed_suites[] = {
#if SIO__MBED_3 && defined(MBEDTLS_SSL_PROTO_TLS1_3)
    MBEDTLS_TLS1_3_AES_128_GCM_SHA256, MBEDTLS_TLS1_3_AES_256_GCM_SHA384, MBEDTLS_TLS1_3_CHACHA20_POLY1305_SHA256,
#endif
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    0
};

static int sio__mbed_configure(sio_mbedtls *m, char *err, size_t err_size)
{
    static const char *alpn[] = { "http/1.1", NULL };
    static const char personal[] = "sio";
    if (mbedtls_ctr_drbg_seed(&m->drbg, mbedtls_entropy_func, &m->entropy, (const unsigned char *)personal,
                              sizeof personal - 1) != 0) {
        snprintf(err, err_size, "tls: mbedTLS could not seed its random generator");
        return SIO_ERR_TLS;
    }
    if (mbedtls_ssl_config_defaults(&m->conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT) != 0) {
        snprintf(err, err_size, "tls: mbedTLS could not make a configuration");
        return SIO_ERR_TLS;
    }
    mbedtls_ssl_conf_rng(&m->conf, mbedtls_ctr_drbg_random, &m->drbg);
#if MBEDTLS_VERSION_NUMBER >= 0x03020000
    mbedtls_ssl_conf_min_tls_version(&m->conf, MBEDTLS_SSL_VERSION_TLS1_2);
#else
    mbedtls_ssl_conf_min_version(&m->conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
#endif
    mbedtls_ssl_conf_ciphersuites(&m->conf, sio__mbed_suites);
#if defined(MBEDTLS_SSL_RENEGOTIATION)
    mbedtls_ssl_conf_renegotiation(&m->conf, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
#endif
#if defined(MBEDTLS_SSL_ALPN)
    mbedtls_ssl_conf_alpn_protocols(&m->conf, alpn);
#else
    (void)alpn;
#endif
    mbedtls_ssl_conf_authmode(&m->conf, m->insecure ? MBEDTLS_SSL_VERIFY_NONE : MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(&m->conf, &m->anchors, NULL);
    return SIO_OK;
}

SIO_API int sio_mbedtls_create(const sio_mbedtls_config *cfg, sio_mbedtls **out, char *err, size_t err_size)
{
    sio_mbedtls *m;
    sio_allocator a;
    int r;
    char dummy[8];
    if (!err) { err = dummy; err_size = sizeof dummy; }
    err[0] = 0;
    if (!cfg || !out) return SIO_ERR_INVALID;
    *out = NULL;
    a = cfg->allocator;
    m = (sio_mbedtls *)sio__realloc(&a, NULL, sizeof *m);
    if (!m) return SIO_ERR_NOMEM;
    memset(m, 0, sizeof *m);
    m->alloc = a;
    m->insecure = cfg->insecure_skip_verify;
    m->verify = cfg->verify;
    m->verify_user = cfg->verify_user;
    mbedtls_ssl_config_init(&m->conf);
    mbedtls_entropy_init(&m->entropy);
    mbedtls_ctr_drbg_init(&m->drbg);
    mbedtls_x509_crt_init(&m->anchors);
    mbedtls_x509_crt_init(&m->own_cert);
    mbedtls_pk_init(&m->own_key);
#if defined(MBEDTLS_PSA_CRYPTO_C)
    if (psa_crypto_init() != PSA_SUCCESS) {
        sio__realloc(&a, m, 0);
        snprintf(err, err_size, "tls: mbedTLS could not start its PSA crypto");
        return SIO_ERR_TLS;
    }
#endif
    m->table.user = m;
    m->table.open = sio__mbed_open;
    m->table.close = sio__mbed_close;
    m->table.recv_buf = sio__mbed_recv_buf;
    m->table.recv_done = sio__mbed_recv_done;
    m->table.send_buf = sio__mbed_send_buf;
    m->table.send_done = sio__mbed_send_done;
    m->table.read_buf = sio__mbed_read_buf;
    m->table.read_done = sio__mbed_read_done;
    m->table.write_buf = sio__mbed_write_buf;
    m->table.write_done = sio__mbed_write_done;
    m->table.status = sio__mbed_status;
    r = sio__tls_pins_load(&m->alloc, cfg->pins, cfg->pin_count, cfg->pins_instead_of_chain, &m->pins, err, err_size);
    m->pin_count = r == SIO_OK ? cfg->pin_count : 0;
    m->pins_only = cfg->pins_instead_of_chain;
    if (r == SIO_OK && (r = sio__mbed_anchors(m, cfg, err, err_size)) == SIO_OK &&
        (r = sio__mbed_configure(m, err, err_size)) == SIO_OK)
        r = sio__mbed_own(m, cfg, err, err_size);
    if (r != SIO_OK) {
        sio_mbedtls_destroy(m);
        return r;
    }
    *out = m;
    return SIO_OK;
}

SIO_API const sio_tls *sio_mbedtls_tls(const sio_mbedtls *m) { return m ? &m->table : NULL; }

SIO_API void sio_mbedtls_destroy(sio_mbedtls *m)
{
    sio_allocator a;
    if (!m) return;
    a = m->alloc;
    mbedtls_ssl_config_free(&m->conf);
    mbedtls_ctr_drbg_free(&m->drbg);
    mbedtls_entropy_free(&m->entropy);
    mbedtls_x509_crt_free(&m->anchors);
    mbedtls_x509_crt_free(&m->own_cert);
    mbedtls_pk_free(&m->own_key);               /* and the private key with it */
    if (m->pins) sio__realloc(&a, m->pins, 0);
    sio__realloc(&a, m, 0);
}
#endif /* SIO_WITH_MBEDTLS */
#ifdef SIO_SOURCE_LINES
#line 1 "src/end.c"
#endif

#ifdef __cplusplus
}
#endif

#endif /* SIO__IMPLEMENTED */
#endif /* SIO_IMPLEMENTATION */

/*
 * ----------------------------------------------------------------------
 * Change history
 *   0.1.0 (2026-11-22)  WebSocket client (RFC 6455), POSIX platform, sioc ws.
 *   0.2.0 (2026-11-22)  Socket.IO polling and upgrade, Engine.IO 3, reconnection.
 *   0.2.1 (2026-12-03)  Security fixes (six defects from an independent review),
 *                       TLS policy, sets, non-blocking DNS, smaller builds.
 * ----------------------------------------------------------------------
 * MIT License
 *
 * Copyright (c) 2026 the sio authors
 *
 * Permission is hereby granted, free of charge, to any person obtaining a copy
 * of this software and associated documentation files (the "Software"), to deal
 * in the Software without restriction, including without limitation the rights
 * to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
 * copies of the Software, and to permit persons to whom the Software is
 * furnished to do so, subject to the following conditions:
 *
 * The above copyright notice and this permission notice shall be included in
 * all copies or substantial portions of the Software.
 *
 * THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 * IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
 * FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
 * AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
 * LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
 * OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
 * SOFTWARE.
 */
