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
