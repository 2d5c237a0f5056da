/* port_template.c - how to port sio to a new platform, shown for an
 * imaginary RTOS ("xos") with a BSD-like TCP/IP stack.  Copy this file,
 * replace the xos_* calls with your system's, and compile it instead of
 * sio_impl_posix.c.  It compiles as it is (the xos_* functions are stubs at
 * the bottom), so the build checks that the template stays in step with
 * the platform interface.
 *
 * What a port provides (see sio_platform in sio.h):
 *   connect/connect_result   a non-blocking TCP connect, address by address
 *   send/recv                non-blocking; SIO_ERR_AGAIN when it would block
 *   close
 *   wait                     sleep until a socket is ready or a timeout passes
 *   now_ms                   a monotonic millisecond clock
 *   random                   cryptographically secure bytes (masking keys!)
 * and sio_platform_default(), returning the table. */
#define SIO_IMPLEMENTATION
#include "sio.h"

#include <stdio.h>

/* ---- the imaginary RTOS API (replace with yours) ---------------------- */
typedef int xos_sock;
enum { XOS_OK = 0, XOS_WOULDBLOCK = -1, XOS_INPROGRESS = -2, XOS_ERROR = -3 };
static int xos_resolve(const char *host, unsigned index, unsigned char addr[16], int *family);
static xos_sock xos_tcp_open(int family);
static int xos_tcp_connect(xos_sock s, const unsigned char addr[16], unsigned short port);
static int xos_tcp_connected(xos_sock s);                 /* 1 yes, 0 pending, <0 failed */
static int xos_tcp_send(xos_sock s, const void *buf, unsigned len);
static int xos_tcp_recv(xos_sock s, void *buf, unsigned len);   /* 0 = peer closed */
static void xos_tcp_close(xos_sock s);
static int xos_select(const xos_sock *rd, int nrd, const xos_sock *wr, int nwr, unsigned timeout_ms,
                      unsigned char *ready);                /* ready[i] for rd then wr */
static unsigned long long xos_ticks_ms(void);
static int xos_trng_read(void *buf, unsigned len);          /* hardware TRNG */
static const char *xos_strerror(int code);

/* ---- the platform --------------------------------------------------------- */

static int port_connect(void *user, const char *host, unsigned short port, unsigned attempt,
                        sio_socket *sock, char *err, size_t err_size)
{
    unsigned char addr[16];
    int family, rc;
    xos_sock s;
    (void)user;
    if (xos_resolve(host, attempt, addr, &family) != XOS_OK) return SIO_ERR_NO_ADDRESS;
    s = xos_tcp_open(family);
    if (s < 0) {
        snprintf(err, err_size, "socket: %s", xos_strerror(s));
        return SIO_ERR_IO;
    }
    rc = xos_tcp_connect(s, addr, port);
    if (rc != XOS_OK && rc != XOS_INPROGRESS) {
        snprintf(err, err_size, "%s", xos_strerror(rc));
        xos_tcp_close(s);
        return SIO_ERR_IO;
    }
    *sock = (sio_socket)s;
    return SIO_OK;
}

static int port_connect_result(void *user, sio_socket sock, char *err, size_t err_size)
{
    int rc = xos_tcp_connected((xos_sock)sock);
    (void)user;
    if (rc < 0) {
        snprintf(err, err_size, "%s", xos_strerror(rc));
        return SIO_ERR_IO;
    }
    return rc;
}

static long port_send(void *user, sio_socket sock, const void *buf, size_t len, char *err, size_t err_size)
{
    int n = xos_tcp_send((xos_sock)sock, buf, len > 65535 ? 65535u : (unsigned)len);
    (void)user;
    if (n >= 0) return n;
    if (n == XOS_WOULDBLOCK) return SIO_ERR_AGAIN;
    snprintf(err, err_size, "%s", xos_strerror(n));
    return SIO_ERR_IO;
}

static long port_recv(void *user, sio_socket sock, void *buf, size_t len, char *err, size_t err_size)
{
    int n = xos_tcp_recv((xos_sock)sock, buf, len > 65535 ? 65535u : (unsigned)len);
    (void)user;
    if (n >= 0) return n;
    if (n == XOS_WOULDBLOCK) return SIO_ERR_AGAIN;
    snprintf(err, err_size, "%s", xos_strerror(n));
    return SIO_ERR_IO;
}

static void port_close(void *user, sio_socket sock)
{
    (void)user;
    xos_tcp_close((xos_sock)sock);
}

#define PORT_MAX_WAIT 8

static int port_wait(void *user, sio_wait_item *items, size_t count, int timeout_ms)
{
    xos_sock rd[PORT_MAX_WAIT], wr[PORT_MAX_WAIT];
    unsigned char ready[2 * PORT_MAX_WAIT];
    int nrd = 0, nwr = 0, rc, hits = 0;
    size_t i;
    (void)user;
    if (count > PORT_MAX_WAIT) count = PORT_MAX_WAIT;   /* a small device: a few connections */
    for (i = 0; i < count; i++) {
        if (items[i].events & SIO_WAIT_READ) rd[nrd++] = (xos_sock)items[i].socket;
        if (items[i].events & SIO_WAIT_WRITE) wr[nwr++] = (xos_sock)items[i].socket;
    }
    rc = xos_select(rd, nrd, wr, nwr, timeout_ms < 0 ? 0xFFFFFFFFu : (unsigned)timeout_ms, ready);
    if (rc < 0) return SIO_ERR_IO;
    {
        int r = 0, w = nrd;                       /* ready[]: the read sockets, then the write ones */
        for (i = 0; i < count; i++) {
            items[i].revents = 0;
            if ((items[i].events & SIO_WAIT_READ) && ready[r++]) items[i].revents |= SIO_WAIT_READ;
            if ((items[i].events & SIO_WAIT_WRITE) && ready[w++]) items[i].revents |= SIO_WAIT_WRITE;
            if (items[i].revents) hits++;
        }
    }
    return hits;
}

static uint64_t port_now_ms(void *user)
{
    (void)user;
    return (uint64_t)xos_ticks_ms();
}

/* Never fall back to a weak generator: masking keys must be unpredictable. */
static int port_random(void *user, void *buf, size_t len)
{
    (void)user;
    return xos_trng_read(buf, (unsigned)len) == XOS_OK ? SIO_OK : SIO_ERR_IO;
}

static const sio_platform port_platform = {
    NULL, port_connect, port_connect_result, port_send, port_recv, port_close,
    port_wait, port_now_ms, port_random,
    NULL, NULL, NULL, NULL,   /* optional readiness poller for sio_set (epoll-like); NULL: wait() */
    NULL, NULL                /* optional hosts file + UDP nameserver socket for non-blocking DNS */
};

SIO_API const sio_platform *sio_platform_default(void) { return &port_platform; }

/* ---- stubs so the template compiles; a real port deletes these ---------- */
static int xos_resolve(const char *host, unsigned index, unsigned char addr[16], int *family)
{ (void)host; (void)addr; *family = 4; return index == 0 ? XOS_ERROR : XOS_ERROR; }
static xos_sock xos_tcp_open(int family) { (void)family; return XOS_ERROR; }
static int xos_tcp_connect(xos_sock s, const unsigned char addr[16], unsigned short port)
{ (void)s; (void)addr; (void)port; return XOS_ERROR; }
static int xos_tcp_connected(xos_sock s) { (void)s; return XOS_ERROR; }
static int xos_tcp_send(xos_sock s, const void *buf, unsigned len) { (void)s; (void)buf; (void)len; return XOS_ERROR; }
static int xos_tcp_recv(xos_sock s, void *buf, unsigned len) { (void)s; (void)buf; (void)len; return XOS_ERROR; }
static void xos_tcp_close(xos_sock s) { (void)s; }
static int xos_select(const xos_sock *rd, int nrd, const xos_sock *wr, int nwr, unsigned timeout_ms,
                      unsigned char *ready)
{ (void)rd; (void)nrd; (void)wr; (void)nwr; (void)timeout_ms; (void)ready; return XOS_ERROR; }
static unsigned long long xos_ticks_ms(void) { return 0; }
static int xos_trng_read(void *buf, unsigned len) { (void)buf; (void)len; return XOS_ERROR; }
static const char *xos_strerror(int code) { return code == XOS_WOULDBLOCK ? "would block" : "xos error"; }
