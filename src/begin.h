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

