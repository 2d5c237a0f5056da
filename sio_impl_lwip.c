/* sio_impl_lwip.c - the platform for lwIP's socket API (NO_SYS 0,
 * LWIP_SOCKET 1).  Compile it instead of sio_impl_posix.c, with lwIP's
 * include directories and your lwipopts.h.
 *
 * What it uses of lwIP: lwip_socket/connect/send/recv/close, lwip_fcntl
 * (O_NONBLOCK), lwip_poll (LWIP_SOCKET_POLL, the default; no select), lwip_getsockopt
 * (SO_ERROR) and, with LWIP_DNS, dns_getserver() for the nameservers.
 * Names are resolved by sio's own non-blocking resolver over a UDP socket
 * of lwIP: set sio_config.dns_server ("IP[:port]") when lwIP has no DNS
 * module configured.  There are no /etc files: no hosts file.
 *
 * What the integrator supplies (lwIP has no portable source for either):
 *   uint64_t sio_lwip_now_ms(void);             a monotonic millisecond clock
 *                                               (sys_now() widened past its
 *                                               32-bit wrap)
 *   int sio_lwip_random(void *buf, size_t len); cryptographically secure
 *                                               bytes from a TRNG: SIO_OK, or
 *                                               a negative status
 * Never answer sio_lwip_random from rand() or LWIP_RAND(): the WebSocket
 * masking keys must be unpredictable.
 *
 * Call from any thread but lwIP's tcpip thread (the socket API blocks on
 * it); with LWIP_PROVIDE_ERRNO lwIP's errno is one global, so use sio from
 * one thread then.  An address of a family lwIP is built without (an IPv6
 * one without LWIP_IPV6) fails that address only: the next is tried.
 * sio_set waits with wait() over its sockets: up to SIO_LWIP_MAX_WAIT per
 * lwip_poll call; more are polled in turns, every 10 ms at most, so a
 * socket past the first SIO_LWIP_MAX_WAIT may wait up to 10 ms. */
#if !defined(_POSIX_C_SOURCE) && !defined(_DEFAULT_SOURCE)
#define _POSIX_C_SOURCE 200809L   /* hosted builds: ssize_t and SSIZE_MAX from the C library, as lwIP expects */
#endif
#define SIO_IMPLEMENTATION
#include "sio.h"

#include "lwip/opt.h"
#include "lwip/sockets.h"
#include "lwip/inet.h"
#include "lwip/def.h"
#include "lwip/errno.h"   /* lwIP's errno (LWIP_PROVIDE_ERRNO) or the C library's, as lwIP itself uses */
#if LWIP_DNS
#include "lwip/dns.h"
#include "lwip/tcpip.h"
#endif
#include <stdio.h>
#include <string.h>

#if !LWIP_SOCKET || !LWIP_SOCKET_POLL
#error "sio_impl_lwip.c needs LWIP_SOCKET and LWIP_SOCKET_POLL (both 1 by default) in lwipopts.h"
#endif

#ifndef SIO_LWIP_MAX_WAIT
#define SIO_LWIP_MAX_WAIT 16   /* pollfd entries on the stack of wait() */
#endif

uint64_t sio_lwip_now_ms(void);
int sio_lwip_random(void *buf, size_t len);

static void sio__lwip_error(char *err, size_t size, const char *what, int code)
{
    if (err && size) snprintf(err, size, "%s%serror %d%s", what, *what ? ": " : "", code,
                              code == ECONNREFUSED ? " (connection refused)" :
                              code == ECONNRESET ? " (connection reset)" :
                              code == ETIMEDOUT ? " (timed out)" :
                              code == EHOSTUNREACH ? " (host unreachable)" : "");
}

/* The IPv4 or IPv6 address text as a socket address; 0 when it is none. */
static int sio__lwip_address(const char *text, unsigned short port, struct sockaddr_storage *sa, socklen_t *len)
{
    memset(sa, 0, sizeof *sa);
#if LWIP_IPV4
    {
        struct sockaddr_in *in = (struct sockaddr_in *)(void *)sa;
        if (lwip_inet_pton(AF_INET, text, &in->sin_addr) == 1) {
            in->sin_family = AF_INET;
            in->sin_port = lwip_htons(port);
            *len = (socklen_t)sizeof *in;
            return 1;
        }
    }
#endif
#if LWIP_IPV6
    {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)(void *)sa;
        if (lwip_inet_pton(AF_INET6, text, &in6->sin6_addr) == 1) {
            in6->sin6_family = AF_INET6;
            in6->sin6_port = lwip_htons(port);
            *len = (socklen_t)sizeof *in6;
            return 1;
        }
    }
#endif
    return 0;
}

/* A non-blocking socket of type connecting to address (an IP address as
 * text) and port. */
static int sio__lwip_open(const char *address, unsigned short port, int type, sio_socket *sock, char *err,
                          size_t err_size)
{
    struct sockaddr_storage sa;
    socklen_t len = 0;
    int fd, rc, one = 1;
    if (!sio__lwip_address(address, port, &sa, &len)) {
        if (sio_ip_literal(address)) {       /* an address of a family this lwIP leaves out: try the next */
            if (err) snprintf(err, err_size, "'%.80s': lwIP is built without IPv%c", address,
                              strchr(address, ':') ? '6' : '4');
            return SIO_ERR_IO;
        }
        if (err) snprintf(err, err_size, "'%.80s' is not an IP address: names resolve through sio's resolver "
                          "(sio_config.dns_server)", address);
        return SIO_ERR_NO_ADDRESS;
    }
    fd = lwip_socket(sa.ss_family, type, 0);
    if (fd < 0) {
        sio__lwip_error(err, err_size, "socket", errno);
        return SIO_ERR_IO;
    }
    if (lwip_fcntl(fd, F_SETFL, O_NONBLOCK) < 0) {
        sio__lwip_error(err, err_size, "fcntl", errno);
        lwip_close(fd);
        return SIO_ERR_IO;
    }
    if (type == SOCK_STREAM) lwip_setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    rc = lwip_connect(fd, (const struct sockaddr *)&sa, len);
    if (rc < 0 && errno != EINPROGRESS && errno != EWOULDBLOCK && errno != EAGAIN) {
        sio__lwip_error(err, err_size, "", errno);
        lwip_close(fd);
        return SIO_ERR_IO;
    }
    *sock = (sio_socket)fd;
    return SIO_OK;
}

/* host is an address here: the client resolves names first (dns_open). */
static int sio__lwip_connect(void *user, const char *host, unsigned short port, unsigned attempt, sio_socket *sock,
                             char *err, size_t err_size)
{
    (void)user;
    if (attempt > 0) return SIO_ERR_NO_ADDRESS;
    return sio__lwip_open(host, port, SOCK_STREAM, sock, err, err_size);
}

static int sio__lwip_connect_result(void *user, sio_socket sock, char *err, size_t err_size)
{
    struct pollfd p;
    int soerr = 0, rc;
    socklen_t len = (socklen_t)sizeof soerr;
    (void)user;
    p.fd = (int)sock;
    p.events = POLLOUT;
    p.revents = 0;
    rc = lwip_poll(&p, 1, 0);
    if (rc == 0) return 0;
    if (rc < 0) {
        if (err) snprintf(err, err_size, "poll failed on socket %d", (int)sock);
        return SIO_ERR_IO;
    }
    if (lwip_getsockopt((int)sock, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0) soerr = errno;
    if (soerr == ECONNRESET) soerr = ECONNREFUSED;   /* lwIP's word for a RST answering the SYN */
    if (soerr) {
        sio__lwip_error(err, err_size, "", soerr);
        return SIO_ERR_IO;
    }
    return 1;
}

static long sio__lwip_send(void *user, sio_socket sock, const void *buf, size_t len, char *err, size_t err_size)
{
    ssize_t n;
    (void)user;
    if (len > 0x7fffffffu) len = 0x7fffffffu;
    n = lwip_send((int)sock, buf, len, 0);
    if (n >= 0) return (long)n;
    if (errno == EWOULDBLOCK || errno == EAGAIN || errno == EINTR) return SIO_ERR_AGAIN;
    sio__lwip_error(err, err_size, "send", errno);
    return SIO_ERR_IO;
}

static long sio__lwip_recv(void *user, sio_socket sock, void *buf, size_t len, char *err, size_t err_size)
{
    ssize_t n;
    (void)user;
    if (len > 0x7fffffffu) len = 0x7fffffffu;
    n = lwip_recv((int)sock, buf, len, 0);
    if (n >= 0) return (long)n;
    if (errno == EWOULDBLOCK || errno == EAGAIN || errno == EINTR) return SIO_ERR_AGAIN;
    sio__lwip_error(err, err_size, "recv", errno);
    return SIO_ERR_IO;
}

static void sio__lwip_close(void *user, sio_socket sock)
{
    (void)user;
    lwip_close((int)sock);
}

/* lwip_poll over items [from, from + n); revents filled; ready count. */
static int sio__lwip_poll_some(sio_wait_item *items, size_t n, int timeout_ms)
{
    struct pollfd p[SIO_LWIP_MAX_WAIT];
    size_t i;
    int rc, hits = 0;
    for (i = 0; i < n; i++) {
        p[i].fd = (int)items[i].socket;
        p[i].events = (short)(((items[i].events & SIO_WAIT_READ) ? POLLIN : 0) |
                              ((items[i].events & SIO_WAIT_WRITE) ? POLLOUT : 0));
        p[i].revents = 0;
    }
    rc = lwip_poll(p, (nfds_t)n, timeout_ms);
    if (rc < 0) return SIO_ERR_IO;   /* lwIP's poll is never interrupted; it fails on a bad socket */
    for (i = 0; i < n; i++) {
        items[i].revents = 0;
        if (p[i].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) items[i].revents |= SIO_WAIT_READ;
        if (p[i].revents & (POLLOUT | POLLERR)) items[i].revents |= SIO_WAIT_WRITE;
        if (items[i].revents) hits++;
    }
    return hits;
}

static int sio__lwip_wait(void *user, sio_wait_item *items, size_t count, int timeout_ms)
{
    uint64_t start = sio_lwip_now_ms();
    (void)user;
    if (count <= SIO_LWIP_MAX_WAIT) {
        if (count == 0) {                       /* lwip_poll sleeps on nothing too (fds NULL) */
            lwip_poll(NULL, 0, timeout_ms < 0 ? 1000 : timeout_ms);
            return 0;
        }
        return sio__lwip_poll_some(items, count, timeout_ms);
    }
    for (;;) {                                  /* more than one call holds: in turns */
        size_t from;
        int hits = 0, r;
        uint64_t waited = sio_lwip_now_ms() - start;
        for (from = 0; from < count; from += SIO_LWIP_MAX_WAIT) {
            size_t n = count - from < SIO_LWIP_MAX_WAIT ? count - from : SIO_LWIP_MAX_WAIT;
            if ((r = sio__lwip_poll_some(items + from, n, 0)) < 0) return r;
            hits += r;
        }
        if (hits || (timeout_ms >= 0 && waited >= (uint64_t)timeout_ms)) return hits;
        {
            int step = timeout_ms < 0 || (uint64_t)timeout_ms - waited > 10 ? 10 : (int)((uint64_t)timeout_ms - waited);
            if ((r = sio__lwip_poll_some(items, SIO_LWIP_MAX_WAIT, step)) != 0) return r;
        }
    }
}

static uint64_t sio__lwip_now_ms(void *user)
{
    (void)user;
    return sio_lwip_now_ms();
}

static int sio__lwip_random(void *user, void *buf, size_t len)
{
    int r;
    (void)user;
    r = sio_lwip_random(buf, len);
    return r == SIO_OK ? SIO_OK : r < 0 ? r : SIO_ERR_IO;
}

#ifndef SIO_NO_DNS
/* No hosts file on a device. */
static int sio__lwip_hosts_lookup(void *user, const char *name, unsigned index, char *out, size_t out_size)
{
    (void)user; (void)name; (void)index; (void)out; (void)out_size;
    return 0;
}

/* A UDP socket connected to port of server, or of lwIP's index-th
 * nameserver (LWIP_DNS: dns_setserver, DHCP). */
static int sio__lwip_dns_open(void *user, const char *server, unsigned short port, unsigned index, sio_socket *sock,
                              char *err, size_t err_size)
{
    char text[48];
    (void)user;
    if (server) {
        if (index > 0) return SIO_ERR_NO_ADDRESS;
        return sio__lwip_open(server, port, SOCK_DGRAM, sock, err, err_size);
    }
#if LWIP_DNS
    {
        unsigned slot, seen = 0;
        for (slot = 0; slot < DNS_MAX_SERVERS; slot++) {   /* the index-th server set: slots may be empty */
            int found;
            LOCK_TCPIP_CORE();                              /* DHCP may be setting it */
            found = !ip_addr_isany(dns_getserver((u8_t)slot)) && ipaddr_ntoa_r(dns_getserver((u8_t)slot), text,
                                                                              (int)sizeof text) != NULL;
            UNLOCK_TCPIP_CORE();
            if (found && seen++ == index) return sio__lwip_open(text, port, SOCK_DGRAM, sock, err, err_size);
        }
    }
#endif
    (void)text;
    if (index == 0 && err)
        snprintf(err, err_size, "lwIP knows no nameserver: set one (dns_setserver, DHCP) or sio_config.dns_server");
    return SIO_ERR_NO_ADDRESS;
}
#define SIO__LWIP_RESOLVER sio__lwip_hosts_lookup, sio__lwip_dns_open
#else
#define SIO__LWIP_RESOLVER NULL, NULL
#endif

static const sio_platform sio__lwip_platform = {
    NULL, sio__lwip_connect, sio__lwip_connect_result, sio__lwip_send, sio__lwip_recv, sio__lwip_close,
    sio__lwip_wait, sio__lwip_now_ms, sio__lwip_random,
    NULL, NULL, NULL, NULL,
    SIO__LWIP_RESOLVER
};

SIO_API const sio_platform *sio_platform_default(void) { return &sio__lwip_platform; }
