/* sio_impl_posix.c - the sio implementation plus the POSIX platform:
 * non-blocking BSD sockets, poll(), clock_gettime(), getrandom() or
 * /dev/urandom.  Compile this one file next to your program. */
#if !defined(_WIN32)
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#if defined(__APPLE__) && !defined(_DARWIN_C_SOURCE)
#define _DARWIN_C_SOURCE
#endif
#endif

#define SIO_IMPLEMENTATION
#include "sio.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <string.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <strings.h>
#include <stdlib.h>

#if defined(__linux__) && defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 25))
#include <sys/random.h>
#define SIO__HAVE_GETRANDOM 1
#endif
#if defined(__ZEPHYR__)
#include <zephyr/random/random.h>       /* sys_csrand_get (CONFIG_CSPRNG_ENABLED) */
#endif
#if defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__NetBSD__)
#include <stdlib.h>
#define SIO__HAVE_ARC4RANDOM 1
#endif

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0   /* BSDs: SO_NOSIGPIPE is set on the socket instead */
#endif

static void sio__posix_error(char *err, size_t size, const char *what, int code)
{
    if (err && size) snprintf(err, size, "%s%s%s", what, what[0] ? ": " : "", strerror(code));
}

/* The attempt-th address of host:service, as a non-blocking socket whose
 * connect has begun (UDP: is done).  numeric: host must be an IP literal. */
static int sio__posix_open(const char *host, const char *service, int socktype, int numeric, unsigned attempt,
                           sio_socket *sock, char *err, size_t err_size)
{
    struct addrinfo hints, *list = NULL, *ai;
    unsigned i;
    int fd, rc, one = 1, flags;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = socktype;
    hints.ai_flags = AI_NUMERICSERV | (numeric ? AI_NUMERICHOST : 0);
    rc = getaddrinfo(host, service, &hints, &list);
    if (rc != 0) {
        if (err) snprintf(err, err_size, "cannot resolve '%s': %s", host, gai_strerror(rc));
        return numeric ? SIO_ERR_INVALID : SIO_ERR_NO_ADDRESS;   /* nothing to fall back to */
    }
    for (ai = list, i = 0; ai && i < attempt; ai = ai->ai_next) i++;
    if (!ai) {
        freeaddrinfo(list);
        return SIO_ERR_NO_ADDRESS;
    }
    fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) {
        sio__posix_error(err, err_size, "socket", errno);
        freeaddrinfo(list);
        return SIO_ERR_IO;
    }
    flags = fcntl(fd, F_GETFL, 0);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
        sio__posix_error(err, err_size, "fcntl", errno);
        close(fd);
        freeaddrinfo(list);
        return SIO_ERR_IO;
    }
    if (socktype == SOCK_STREAM) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
#ifdef SO_NOSIGPIPE
    setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
    do rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
    while (rc < 0 && errno == EINTR);
    if (rc < 0 && errno != EINPROGRESS) {
        sio__posix_error(err, err_size, "", errno);
        close(fd);
        freeaddrinfo(list);
        return SIO_ERR_IO;
    }
    freeaddrinfo(list);
    *sock = (sio_socket)fd;
    return SIO_OK;
}

static int sio__posix_connect(void *user, const char *host, unsigned short port, unsigned attempt,
                              sio_socket *sock, char *err, size_t err_size)
{
    char service[8];
    (void)user;
    snprintf(service, sizeof service, "%u", (unsigned)port);
    return sio__posix_open(host, service, SOCK_STREAM, 0, attempt, sock, err, err_size);
}

static int sio__posix_connect_result(void *user, sio_socket sock, char *err, size_t err_size)
{
    struct pollfd p;
    int soerr = 0, rc;
    socklen_t len = sizeof soerr;
    (void)user;
    p.fd = (int)sock;
    p.events = POLLOUT;
    p.revents = 0;
    rc = poll(&p, 1, 0);
    if (rc == 0) return 0;
    if (rc < 0) return errno == EINTR ? 0 : SIO_ERR_IO;
    if (getsockopt((int)sock, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0) soerr = errno;
    if (soerr) {
        sio__posix_error(err, err_size, "", soerr);
        return SIO_ERR_IO;
    }
    return 1;
}

static long sio__posix_send(void *user, sio_socket sock, const void *buf, size_t len, char *err, size_t err_size)
{
    ssize_t n;
    (void)user;
    do n = send((int)sock, buf, len, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n >= 0) return (long)n;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return SIO_ERR_AGAIN;
    sio__posix_error(err, err_size, "", errno);
    return SIO_ERR_IO;
}

static long sio__posix_recv(void *user, sio_socket sock, void *buf, size_t len, char *err, size_t err_size)
{
    ssize_t n;
    (void)user;
    do n = recv((int)sock, buf, len, 0);
    while (n < 0 && errno == EINTR);
    if (n >= 0) return (long)n;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return SIO_ERR_AGAIN;
    sio__posix_error(err, err_size, "", errno);
    return SIO_ERR_IO;
}

static void sio__posix_close(void *user, sio_socket sock)
{
    (void)user;
    close((int)sock);
}

static int sio__posix_wait(void *user, sio_wait_item *items, size_t count, int timeout_ms)
{
    struct pollfd stack[64], *fds = stack;
    size_t i;
    int rc;
    (void)user;
    if (count > 64) {
        fds = (struct pollfd *)SIO_REALLOC(NULL, count * sizeof *fds);
        if (!fds) return SIO_ERR_NOMEM;
    }
    for (i = 0; i < count; i++) {
        fds[i].fd = (int)items[i].socket;
        fds[i].events = (short)(((items[i].events & SIO_WAIT_READ) ? POLLIN : 0) |
                                ((items[i].events & SIO_WAIT_WRITE) ? POLLOUT : 0));
        fds[i].revents = 0;
    }
    rc = poll(count ? fds : NULL, (nfds_t)count, timeout_ms);
    for (i = 0; rc > 0 && i < count; i++) {
        int r = 0;
        if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) r |= SIO_WAIT_READ;
        if (fds[i].revents & (POLLOUT | POLLERR)) r |= SIO_WAIT_WRITE;
        items[i].revents = r;
    }
    if (fds != stack) SIO_FREE(fds);
    if (rc < 0) return errno == EINTR ? 0 : SIO_ERR_IO;
    return rc;
}

static uint64_t sio__posix_now_ms(void *user)
{
    struct timespec ts;
    (void)user;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int sio__posix_random(void *user, void *buf, size_t len)
{
    unsigned char *p = (unsigned char *)buf;
    (void)user;
#if defined(__ZEPHYR__)
    (void)p;                             /* Zephyr (CONFIG_POSIX_API) has no /dev/urandom: its CSPRNG */
    return sys_csrand_get(buf, len) == 0 ? SIO_OK : SIO_ERR_IO;
#elif defined(SIO__HAVE_ARC4RANDOM)
    arc4random_buf(buf, len);
    return SIO_OK;
#else
#if defined(SIO__HAVE_GETRANDOM)
    while (len > 0) {
        ssize_t n = getrandom(p, len, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            break;                       /* ENOSYS on old kernels: use the device */
        }
        p += n;
        len -= (size_t)n;
    }
    if (len == 0) return SIO_OK;
#endif
    {
        int fd;
        do fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
        while (fd < 0 && errno == EINTR);
        if (fd < 0) return SIO_ERR_IO;
        while (len > 0) {
            ssize_t n = read(fd, p, len);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                close(fd);
                return SIO_ERR_IO;
            }
            p += n;
            len -= (size_t)n;
        }
        close(fd);
        return SIO_OK;
    }
#endif
}


#ifndef SIO_NO_DNS
/* ---- non-blocking name resolution: the hosts file and the nameservers ---- */

/* The index-th matching entry of a configuration file ('#' comments):
 * with key, the second word of lines whose first word is key (resolv.conf's
 * "nameserver IP"); with name, the first word of lines naming it among the
 * others (hosts' "IP name alias...", case-insensitive).  1 found, 0 not. */
static int sio__posix_entry(const char *path, const char *key, const char *name, unsigned index, char *out,
                            size_t out_size)
{
    char line[512];
    unsigned found = 0;
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    while (fgets(line, sizeof line, f)) {
        char *hash = strchr(line, '#'), *save = NULL, *first, *word;
        int match = 0;
        if (hash) *hash = 0;
        if (!(first = strtok_r(line, " \t\r\n", &save))) continue;
        while (!match && (word = strtok_r(NULL, " \t\r\n", &save)) != NULL)
            match = key ? strcmp(first, key) == 0 : strcasecmp(word, name) == 0;
        if (match && found++ == index && strlen(key ? word : first) < out_size) {
            strcpy(out, key ? word : first);
            fclose(f);
            return 1;
        }
    }
    fclose(f);
    return 0;
}

static int sio__posix_hosts_lookup(void *user, const char *name, unsigned index, char *out, size_t out_size)
{
    (void)user;
    return sio__posix_entry("/etc/hosts", NULL, name, index, out, out_size);
}

/* A UDP socket connected to port of server (an IP address), or of the
 * index-th nameserver of /etc/resolv.conf (127.0.0.1 when it names none). */
static int sio__posix_dns_open(void *user, const char *server, unsigned short port, unsigned index, sio_socket *sock,
                               char *err, size_t err_size)
{
    char line[256], service[8];
    (void)user;
    if (server) {
        if (index > 0 || strlen(server) >= sizeof line) return SIO_ERR_NO_ADDRESS;
        strcpy(line, server);
    } else if (!sio__posix_entry("/etc/resolv.conf", "nameserver", NULL, index, line, sizeof line)) {
        if (index > 0) return SIO_ERR_NO_ADDRESS;
        strcpy(line, "127.0.0.1");                       /* none named: the resolver's default */
    }
    snprintf(service, sizeof service, "%u", (unsigned)port);
    return sio__posix_open(line, service, SOCK_DGRAM, 1, 0, sock, err, err_size);
}

#define SIO__RESOLVER sio__posix_hosts_lookup, sio__posix_dns_open
#else
#define SIO__RESOLVER NULL, NULL
#endif

#ifdef __linux__
/* sio_set's poller: epoll, so one wake-up costs nothing per idle client. */
#include <sys/epoll.h>

static void *sio__epoll_open(void *user)
{
    int fd = epoll_create1(EPOLL_CLOEXEC);
    (void)user;
    return fd < 0 ? NULL : (void *)(intptr_t)(fd + 1);      /* + 1: fd 0 is not NULL */
}

static int sio__epoll_update(void *user, void *poller, sio_socket sock, int old_events, int new_events, void *tag)
{
    int ep = (int)(intptr_t)poller - 1;
    struct epoll_event e;
    (void)user;
    memset(&e, 0, sizeof e);
    int fd = (int)sock;
    e.events = ((new_events & SIO_WAIT_READ) ? (uint32_t)EPOLLIN : 0u) |
               ((new_events & SIO_WAIT_WRITE) ? (uint32_t)EPOLLOUT : 0u);
    e.data.ptr = tag;
    if (!new_events) return epoll_ctl(ep, EPOLL_CTL_DEL, fd, &e) == 0 ? SIO_OK : SIO_ERR_IO;
    if (old_events && epoll_ctl(ep, EPOLL_CTL_MOD, fd, &e) == 0) return SIO_OK;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e) == 0) return SIO_OK;
    return errno == EEXIST && epoll_ctl(ep, EPOLL_CTL_MOD, fd, &e) == 0 ? SIO_OK : SIO_ERR_IO;
}

static int sio__epoll_wait(void *user, void *poller, sio_ready *out, size_t max, int timeout_ms)
{
    struct epoll_event evs[256];
    int n, i;
    (void)user;
    if (max > 256) max = 256;
    n = epoll_wait((int)(intptr_t)poller - 1, evs, (int)max, timeout_ms);
    if (n < 0) return errno == EINTR ? 0 : SIO_ERR_IO;
    for (i = 0; i < n; i++) {
        out[i].tag = evs[i].data.ptr;
        out[i].revents = ((evs[i].events & (uint32_t)(EPOLLIN | EPOLLHUP | EPOLLERR)) ? (int)SIO_WAIT_READ : 0) |
                         ((evs[i].events & (uint32_t)EPOLLOUT) ? (int)SIO_WAIT_WRITE : 0);
    }
    return n;
}

static void sio__epoll_close(void *user, void *poller)
{
    (void)user;
    close((int)(intptr_t)poller - 1);
}
#define SIO__POLLER sio__epoll_open, sio__epoll_update, sio__epoll_wait, sio__epoll_close
#else
#define SIO__POLLER NULL, NULL, NULL, NULL
#endif

static const sio_platform sio__posix_platform = {
    NULL,
    sio__posix_connect,
    sio__posix_connect_result,
    sio__posix_send,
    sio__posix_recv,
    sio__posix_close,
    sio__posix_wait,
    sio__posix_now_ms,
    sio__posix_random,
    SIO__POLLER,
    SIO__RESOLVER
};

SIO_API const sio_platform *sio_platform_default(void) { return &sio__posix_platform; }
