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

