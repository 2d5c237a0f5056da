/* sio_impl_win32.c - the sio implementation plus the Windows platform:
 * Winsock2 non-blocking sockets, select(), GetTickCount64(),
 * BCryptGenRandom().  Link with ws2_32 and bcrypt:
 *     x86_64-w64-mingw32-gcc app.c sio_impl_win32.c -lws2_32 -lbcrypt
 *     cl app.c sio_impl_win32.c ws2_32.lib bcrypt.lib
 * Every socket holds its own Winsock reference (WSAStartup on connect,
 * WSACleanup on close), so there is no global "init" call and no global state. */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0600          /* Vista: GetTickCount64, getaddrinfo */
#endif
#ifndef FD_SETSIZE
#define FD_SETSIZE 1024              /* Winsock's fd_set is an array: any size works */
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <bcrypt.h>

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

static int sio__win_connect(void *user, const char *host, unsigned short port, unsigned attempt,
                            sio_socket *sock, char *err, size_t err_size)
{
    WSADATA wsa;
    struct addrinfo hints, *list = NULL, *ai;
    char service[8];
    unsigned i;
    SOCKET s;
    u_long nonblocking = 1;
    BOOL nodelay = TRUE;
    int rc;
    (void)user;
    if ((rc = WSAStartup(MAKEWORD(2, 2), &wsa)) != 0) {
        sio__win_error(err, err_size, "WSAStartup", (DWORD)rc);
        return SIO_ERR_IO;
    }
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    snprintf(service, sizeof service, "%u", (unsigned)port);
    if ((rc = getaddrinfo(host, service, &hints, &list)) != 0) {
        char what[96];
        snprintf(what, sizeof what, "cannot resolve '%.60s'", host);
        sio__win_error(err, err_size, what, (DWORD)rc);
        WSACleanup();
        return SIO_ERR_NO_ADDRESS;
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
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *)&nodelay, sizeof nodelay);
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
    NULL, NULL, NULL, NULL,      /* no poller: sio_set waits with select() over every socket */
    NULL, NULL                   /* names resolve with getaddrinfo (blocking) */
};

SIO_API const sio_platform *sio_platform_default(void) { return &sio__win_platform; }
