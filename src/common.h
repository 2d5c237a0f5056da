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
