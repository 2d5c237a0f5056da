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
