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

