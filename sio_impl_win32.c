/* sio_impl_win32.c - the sio implementation plus the Windows platform:
 * Winsock2 non-blocking sockets, select(), GetTickCount64(),
 * BCryptGenRandom(); names resolve without blocking (the hosts file, then
 * the nameservers GetNetworkParams() names, over UDP) and sio_set waits
 * with WSAPoll().  Link with ws2_32, bcrypt and iphlpapi:
 *     x86_64-w64-mingw32-gcc app.c sio_impl_win32.c -lws2_32 -lbcrypt -liphlpapi
 *     cl app.c sio_impl_win32.c ws2_32.lib bcrypt.lib iphlpapi.lib
 * (with SIO_NO_DNS iphlpapi is not needed).
 * Every socket holds its own Winsock reference (WSAStartup on connect,
 * WSACleanup on close), and so does every sio_set poller, so there is no
 * global "init" call and no global state. */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0600          /* Vista: GetTickCount64, getaddrinfo, WSAPoll */
#endif
#ifndef _CRT_SECURE_NO_WARNINGS
#define _CRT_SECURE_NO_WARNINGS      /* MSVC: fopen is fine here */
#endif
#ifndef FD_SETSIZE
#define FD_SETSIZE 1024              /* Winsock's fd_set is an array: any size works */
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <bcrypt.h>
#ifndef SIO_NO_DNS
#include <iphlpapi.h>
#endif

#define SIO_IMPLEMENTATION
#include "sio.h"

#include <stdio.h>
#include <string.h>

#ifndef BCRYPT_USE_SYSTEM_PREFERRED_RNG
#define BCRYPT_USE_SYSTEM_PREFERRED_RNG 0x00000002
#endif

/* The system's sentence for a Winsock/Win32 error code, without the CRLF. */
static void sio__win_error(char *err, size_t size, const char *what, DWORD code)
{
    char msg[160];
    DWORD n;
    if (!err || !size) return;
    n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, code,
                       MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT), msg, (DWORD)sizeof msg, NULL);
    while (n > 0 && (msg[n - 1] == '\r' || msg[n - 1] == '\n' || msg[n - 1] == ' ' || msg[n - 1] == '.')) n--;
    if (n == 0) n = (DWORD)snprintf(msg, sizeof msg, "error %lu", (unsigned long)code);
    msg[n < sizeof msg ? n : sizeof msg - 1] = 0;
    snprintf(err, size, "%s%s%s", what, what[0] ? ": " : "", msg);
}

/* The attempt-th address of host:service, as a non-blocking socket whose
 * connect has begun (UDP: is done).  numeric: host must be an IP literal.
 * The socket holds a Winsock reference of its own, dropped by close. */
static int sio__win_open(const char *host, const char *service, int socktype, int numeric, unsigned attempt,
                         sio_socket *sock, char *err, size_t err_size)
{
    WSADATA wsa;
    struct addrinfo hints, *list = NULL, *ai;
    unsigned i;
    SOCKET s;
    u_long nonblocking = 1;
    BOOL nodelay = TRUE;
    int rc;
    if ((rc = WSAStartup(MAKEWORD(2, 2), &wsa)) != 0) {
        sio__win_error(err, err_size, "WSAStartup", (DWORD)rc);
        return SIO_ERR_IO;
    }
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = socktype;
    hints.ai_flags = AI_NUMERICSERV | (numeric ? AI_NUMERICHOST : 0);
    if ((rc = getaddrinfo(host, service, &hints, &list)) != 0) {
        char what[96];
        snprintf(what, sizeof what, "cannot resolve '%.60s'", host);
        sio__win_error(err, err_size, what, (DWORD)rc);
        WSACleanup();
        return numeric ? SIO_ERR_INVALID : SIO_ERR_NO_ADDRESS;   /* nothing to fall back to */
    }
    for (ai = list, i = 0; ai && i < attempt; ai = ai->ai_next) i++;
    if (!ai) {
        freeaddrinfo(list);
        WSACleanup();
        return SIO_ERR_NO_ADDRESS;
    }
    s = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (s == INVALID_SOCKET) {
        sio__win_error(err, err_size, "socket", (DWORD)WSAGetLastError());
        freeaddrinfo(list);
        WSACleanup();
        return SIO_ERR_IO;
    }
    ioctlsocket(s, FIONBIO, &nonblocking);
    if (socktype == SOCK_STREAM) setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *)&nodelay, sizeof nodelay);
    if (connect(s, ai->ai_addr, (int)ai->ai_addrlen) == SOCKET_ERROR && WSAGetLastError() != WSAEWOULDBLOCK) {
        sio__win_error(err, err_size, "", (DWORD)WSAGetLastError());
        closesocket(s);
        freeaddrinfo(list);
        WSACleanup();
        return SIO_ERR_IO;
    }
    freeaddrinfo(list);
    *sock = (sio_socket)s;
    return SIO_OK;
}

static int sio__win_connect(void *user, const char *host, unsigned short port, unsigned attempt,
                            sio_socket *sock, char *err, size_t err_size)
{
    char service[8];
    (void)user;
    snprintf(service, sizeof service, "%u", (unsigned)port);
    return sio__win_open(host, service, SOCK_STREAM, 0, attempt, sock, err, err_size);
}

/* select() reports a failed non-blocking connect in the except set, which
 * WSAPoll did not do reliably on older Windows versions. */
static int sio__win_connect_result(void *user, sio_socket sock, char *err, size_t err_size)
{
    fd_set w, e;
    struct timeval tv = { 0, 0 };
    int soerr = 0, len = (int)sizeof soerr;
    (void)user;
    FD_ZERO(&w);
    FD_ZERO(&e);
    FD_SET((SOCKET)sock, &w);
    FD_SET((SOCKET)sock, &e);
    if (select(0, NULL, &w, &e, &tv) <= 0) return 0;
    if (FD_ISSET((SOCKET)sock, &e) || !FD_ISSET((SOCKET)sock, &w)) {
        getsockopt((SOCKET)sock, SOL_SOCKET, SO_ERROR, (char *)&soerr, &len);
        sio__win_error(err, err_size, "", (DWORD)(soerr ? soerr : WSAECONNREFUSED));
        return SIO_ERR_IO;
    }
    return 1;
}

static long sio__win_send(void *user, sio_socket sock, const void *buf, size_t len, char *err, size_t err_size)
{
    int n;
    (void)user;
    if (len > 0x40000000u) len = 0x40000000u;
    n = send((SOCKET)sock, (const char *)buf, (int)len, 0);
    if (n >= 0) return (long)n;
    if (WSAGetLastError() == WSAEWOULDBLOCK) return SIO_ERR_AGAIN;
    sio__win_error(err, err_size, "", (DWORD)WSAGetLastError());
    return SIO_ERR_IO;
}

static long sio__win_recv(void *user, sio_socket sock, void *buf, size_t len, char *err, size_t err_size)
{
    int n;
    (void)user;
    if (len > 0x40000000u) len = 0x40000000u;
    n = recv((SOCKET)sock, (char *)buf, (int)len, 0);
    if (n >= 0) return (long)n;
    if (WSAGetLastError() == WSAEWOULDBLOCK) return SIO_ERR_AGAIN;
    sio__win_error(err, err_size, "", (DWORD)WSAGetLastError());
    return SIO_ERR_IO;
}

static void sio__win_close(void *user, sio_socket sock)
{
    (void)user;
    closesocket((SOCKET)sock);
    WSACleanup();                    /* the reference taken in connect */
}

static int sio__win_wait(void *user, sio_wait_item *items, size_t count, int timeout_ms)
{
    fd_set r, w, e;
    struct timeval tv, *ptv = NULL;
    size_t i;
    int rc, ready = 0;
    (void)user;
    if (count == 0) {                /* select() refuses three empty sets */
        Sleep(timeout_ms < 0 ? INFINITE : (DWORD)timeout_ms);
        return 0;
    }
    if (count > FD_SETSIZE) count = FD_SETSIZE;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_ZERO(&e);
    for (i = 0; i < count; i++) {
        SOCKET s = (SOCKET)items[i].socket;
        if (items[i].events & SIO_WAIT_READ) FD_SET(s, &r);
        if (items[i].events & SIO_WAIT_WRITE) FD_SET(s, &w);
        FD_SET(s, &e);
        items[i].revents = 0;
    }
    if (timeout_ms >= 0) {
        tv.tv_sec = timeout_ms / 1000;
        tv.tv_usec = (timeout_ms % 1000) * 1000;
        ptv = &tv;
    }
    rc = select(0, &r, &w, &e, ptv);
    if (rc == SOCKET_ERROR) return SIO_ERR_IO;
    for (i = 0; rc > 0 && i < count; i++) {
        SOCKET s = (SOCKET)items[i].socket;
        int ev = 0;
        if (FD_ISSET(s, &r) || FD_ISSET(s, &e)) ev |= SIO_WAIT_READ;
        if (FD_ISSET(s, &w) || FD_ISSET(s, &e)) ev |= SIO_WAIT_WRITE;
        items[i].revents = ev;
        if (ev) ready++;
    }
    return ready;
}

static uint64_t sio__win_now_ms(void *user)
{
    (void)user;
    return (uint64_t)GetTickCount64();
}

static int sio__win_random(void *user, void *buf, size_t len)
{
    unsigned char *p = (unsigned char *)buf;
    (void)user;
    while (len > 0) {
        ULONG n = len > 0x10000000u ? 0x10000000u : (ULONG)len;
        if (BCryptGenRandom(NULL, p, n, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) return SIO_ERR_IO;
        p += n;
        len -= n;
    }
    return SIO_OK;
}

#ifndef SIO_NO_DNS
/* ---- non-blocking name resolution: the hosts file and the nameservers ---- */

/* The next blank-separated word of *p, NUL-terminated in place; NULL at the end. */
static char *sio__win_word(char **p)
{
    char *w = *p + strspn(*p, " \t\r\n"), *end;
    if (!*w) return NULL;
    end = w + strcspn(w, " \t\r\n");
    *p = *end ? end + 1 : end;
    *end = 0;
    return w;
}

/* The index-th address the hosts file gives name (case-insensitive).  The
 * file is %SystemRoot%\System32\drivers\etc\hosts, the default of the
 * resolver's DataBasePath.  Windows answers "localhost" itself (its hosts
 * file lists it only in a comment), so without an entry it is ::1, 127.0.0.1. */
static int sio__win_hosts_lookup(void *user, const char *name, unsigned index, char *out, size_t out_size)
{
    char root[MAX_PATH], path[MAX_PATH + 32], line[512];
    const char *addr = NULL;
    unsigned found = 0;
    DWORD n = GetEnvironmentVariableA("SystemRoot", root, MAX_PATH);
    FILE *f = NULL;
    (void)user;
    if (n == 0 || n >= MAX_PATH) n = GetSystemWindowsDirectoryA(root, MAX_PATH);
    if (n > 0 && n < MAX_PATH) {
        snprintf(path, sizeof path, "%s\\System32\\drivers\\etc\\hosts", root);
        f = fopen(path, "r");
    }
    while (f && !addr && fgets(line, sizeof line, f)) {
        char *hash = strchr(line, '#'), *rest = line, *first, *word;
        if (hash) *hash = 0;
        if (!(first = sio__win_word(&rest))) continue;
        while ((word = sio__win_word(&rest)) != NULL) {
            if (_stricmp(word, name) != 0) continue;
            if (found++ == index) addr = first;
            break;
        }
    }
    if (!addr && found == 0 && index < 2 && _stricmp(name, "localhost") == 0)
        addr = index == 0 ? "::1" : "127.0.0.1";
    if (addr && strlen(addr) < out_size) memcpy(out, addr, strlen(addr) + 1);
    else addr = NULL;
    if (f) fclose(f);
    return addr != NULL;
}

/* Copies the index-th nameserver GetNetworkParams names (the system-wide
 * list, in the order the resolver asks them) to out: 1 found, 0 not (*seen:
 * how many there are), or SIO_ERR_NOMEM. */
static int sio__win_nameserver(unsigned index, char *out, size_t out_size, unsigned *seen)
{
    FIXED_INFO *info = NULL;
    ULONG size = sizeof *info;
    DWORD rc = ERROR_BUFFER_OVERFLOW;
    int tries, found = 0;
    for (tries = 0; rc == ERROR_BUFFER_OVERFLOW && tries < 3; tries++) {   /* the list may grow meanwhile */
        void *p = SIO_REALLOC(info, size);
        if (!p) {
            if (info) SIO_FREE(info);
            return SIO_ERR_NOMEM;
        }
        info = (FIXED_INFO *)p;
        rc = GetNetworkParams(info, &size);
    }
    *seen = 0;
    if (rc == ERROR_SUCCESS) {
        const IP_ADDR_STRING *a;
        for (a = &info->DnsServerList; a && !found; a = a->Next) {
            size_t len = strlen(a->IpAddress.String);
            if (len == 0) continue;                    /* an empty first entry: none configured */
            if ((*seen)++ == index && len < out_size) {
                memcpy(out, a->IpAddress.String, len + 1);
                found = 1;
            }
        }
    }
    SIO_FREE(info);
    return found;
}

/* A UDP socket connected to port of server (an IP address), or of the
 * index-th nameserver of the system (127.0.0.1 when it names none). */
static int sio__win_dns_open(void *user, const char *server, unsigned short port, unsigned index, sio_socket *sock,
                             char *err, size_t err_size)
{
    char line[256], service[8];
    (void)user;
    if (server) {
        if (index > 0 || strlen(server) >= sizeof line) return SIO_ERR_NO_ADDRESS;
        memcpy(line, server, strlen(server) + 1);
    } else {
        unsigned seen = 0;
        int rc = sio__win_nameserver(index, line, sizeof line, &seen);
        if (rc < 0) {
            if (err && err_size) snprintf(err, err_size, "GetNetworkParams: out of memory");
            return rc;
        }
        if (rc == 0) {
            if (index > 0 || seen > 0) return SIO_ERR_NO_ADDRESS;
            memcpy(line, "127.0.0.1", 10);
        }
    }
    snprintf(service, sizeof service, "%u", (unsigned)port);
    return sio__win_open(line, service, SOCK_DGRAM, 1, 0, sock, err, err_size);
}

#define SIO__RESOLVER sio__win_hosts_lookup, sio__win_dns_open
#else
#define SIO__RESOLVER NULL, NULL
#endif

/* ---- sio_set's poller: WSAPoll over every registered socket ----
 * select() stops at FD_SETSIZE sockets; WSAPoll takes any number.  The
 * sockets sit in one array (what WSAPoll reads), found by an open-addressing
 * index from socket to slot, so registering, changing and removing cost
 * O(1); a removed slot is filled with the last one. */
typedef struct sio__win_poller {
    WSAPOLLFD *fds;              /* slots 0 .. count-1 */
    void **tags;                 /* tags[i] belongs to fds[i] */
    size_t *index;               /* 2 * cap places: slot + 1, or 0 when empty */
    size_t count, cap;
    size_t next;                 /* the slot wait reports first, so that no socket starves */
} sio__win_poller;

static size_t sio__win_home(const sio__win_poller *p, SOCKET s)
{
    return (size_t)(((uint64_t)s >> 2) * 0x9E3779B97F4A7C15ull >> 32) & (2 * p->cap - 1);
}

/* The place of s in the index, or the empty place where it would go. */
static size_t sio__win_find(const sio__win_poller *p, SOCKET s)
{
    size_t i = sio__win_home(p, s);
    while (p->index[i] && p->fds[p->index[i] - 1].fd != s) i = (i + 1) & (2 * p->cap - 1);
    return i;
}

/* Doubles the room (64 slots at first) and rebuilds the index. */
static int sio__win_grow(sio__win_poller *p)
{
    size_t cap = p->cap ? 2 * p->cap : 64, i;
    void *fds = SIO_REALLOC(p->fds, cap * sizeof *p->fds), *tags, *index;
    if (fds) p->fds = (WSAPOLLFD *)fds;
    tags = fds ? SIO_REALLOC(p->tags, cap * sizeof *p->tags) : NULL;
    if (tags) p->tags = (void **)tags;
    index = tags ? SIO_REALLOC(NULL, 2 * cap * sizeof *p->index) : NULL;
    if (!index) return SIO_ERR_NOMEM;
    memset(index, 0, 2 * cap * sizeof *p->index);
    if (p->index) SIO_FREE(p->index);
    p->index = (size_t *)index;
    p->cap = cap;
    for (i = 0; i < p->count; i++) p->index[sio__win_find(p, p->fds[i].fd)] = i + 1;
    return SIO_OK;
}

/* Removes the socket at index place at; the last slot moves into its slot. */
static void sio__win_remove(sio__win_poller *p, size_t at)
{
    size_t slot = p->index[at] - 1, last = p->count - 1, mask = 2 * p->cap - 1, j = at;
    p->index[at] = 0;
    for (;;) {                   /* close the gap: pull back entries that probed past it */
        size_t home;
        j = (j + 1) & mask;
        if (!p->index[j]) break;
        home = sio__win_home(p, p->fds[p->index[j] - 1].fd);
        if (at <= j ? (at < home && home <= j) : (at < home || home <= j)) continue;
        p->index[at] = p->index[j];
        p->index[j] = 0;
        at = j;
    }
    if (slot != last) {
        p->index[sio__win_find(p, p->fds[last].fd)] = slot + 1;
        p->fds[slot] = p->fds[last];
        p->tags[slot] = p->tags[last];
    }
    p->count--;
}

/* The poller holds a Winsock reference of its own: its array may outlive
 * every socket in it (a closed socket stays until WSAPoll reports it). */
static void *sio__win_poller_open(void *user)
{
    WSADATA wsa;
    sio__win_poller *p;
    (void)user;
    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) return NULL;
    p = (sio__win_poller *)SIO_REALLOC(NULL, sizeof *p);
    if (p) memset(p, 0, sizeof *p);
    if (p && sio__win_grow(p) == SIO_OK) return p;
    if (p) {
        if (p->fds) SIO_FREE(p->fds);
        if (p->tags) SIO_FREE(p->tags);
        SIO_FREE(p);
    }
    WSACleanup();
    return NULL;
}

static int sio__win_poller_update(void *user, void *poller, sio_socket sock, int old_events, int new_events, void *tag)
{
    sio__win_poller *p = (sio__win_poller *)poller;
    SOCKET s = (SOCKET)sock;
    size_t at = sio__win_find(p, s), slot;
    (void)user;
    (void)old_events;            /* the index knows whether s is registered */
    if (!new_events) {
        if (p->index[at]) sio__win_remove(p, at);
        return SIO_OK;
    }
    if (!p->index[at]) {
        if (p->count == p->cap) {
            if (sio__win_grow(p) != SIO_OK) return SIO_ERR_NOMEM;
            at = sio__win_find(p, s);
        }
        p->fds[p->count].fd = s;
        p->index[at] = ++p->count;
    }
    slot = p->index[at] - 1;
    p->fds[slot].events = (short)(((new_events & SIO_WAIT_READ) ? POLLRDNORM : 0) |
                                  ((new_events & SIO_WAIT_WRITE) ? POLLWRNORM : 0));
    p->fds[slot].revents = 0;
    p->tags[slot] = tag;
    return SIO_OK;
}

static int sio__win_poller_wait(void *user, void *poller, sio_ready *out, size_t max, int timeout_ms)
{
    sio__win_poller *p = (sio__win_poller *)poller;
    size_t i, k, start, n = 0, before = p->count;
    int rc;
    (void)user;
    if (p->count == 0) {         /* WSAPoll refuses an empty array */
        Sleep(timeout_ms < 0 ? INFINITE : (DWORD)timeout_ms);
        return 0;
    }
    rc = WSAPoll(p->fds, (ULONG)p->count, timeout_ms);
    if (rc == SOCKET_ERROR) {
        int e = WSAGetLastError();
        if (e != WSAEINVAL && e != WSAENOTSOCK) return SIO_ERR_IO;
        for (i = 0; i < p->count; i++) {         /* it refuses when no socket is valid: find the closed ones */
            int type, len = (int)sizeof type;
            p->fds[i].revents = (short)(getsockopt(p->fds[i].fd, SOL_SOCKET, SO_TYPE, (char *)&type, &len) ==
                                        SOCKET_ERROR ? POLLNVAL : 0);
        }
    }
    /* A closed socket (POLLNVAL) is forgotten, as epoll forgets it (sio_set
     * unregisters before closing; another user of the hooks may not). */
    for (i = 0; rc != 0 && i < p->count;) {
        if (p->fds[i].revents & POLLNVAL) sio__win_remove(p, sio__win_find(p, p->fds[i].fd));
        else i++;
    }
    if (rc == SOCKET_ERROR) return p->count < before ? 0 : SIO_ERR_IO;
    start = p->next < p->count ? p->next : 0;
    for (k = 0; rc > 0 && k < p->count && n < max; k++) {
        int r;
        i = (start + k) % p->count;
        r = p->fds[i].revents;
        r = ((r & (POLLRDNORM | POLLHUP | POLLERR)) ? SIO_WAIT_READ : 0) | ((r & POLLWRNORM) ? SIO_WAIT_WRITE : 0);
        if (!r) continue;
        out[n].tag = p->tags[i];
        out[n++].revents = r;
        p->next = i + 1;
    }
    return (int)n;
}

static void sio__win_poller_close(void *user, void *poller)
{
    sio__win_poller *p = (sio__win_poller *)poller;
    (void)user;
    SIO_FREE(p->fds);
    SIO_FREE(p->tags);
    SIO_FREE(p->index);
    SIO_FREE(p);
    WSACleanup();                    /* the reference taken in poller_open */
}

#define SIO__POLLER sio__win_poller_open, sio__win_poller_update, sio__win_poller_wait, sio__win_poller_close

static const sio_platform sio__win_platform = {
    NULL,
    sio__win_connect,
    sio__win_connect_result,
    sio__win_send,
    sio__win_recv,
    sio__win_close,
    sio__win_wait,
    sio__win_now_ms,
    sio__win_random,
    SIO__POLLER,
    SIO__RESOLVER
};

SIO_API const sio_platform *sio_platform_default(void) { return &sio__win_platform; }
