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

