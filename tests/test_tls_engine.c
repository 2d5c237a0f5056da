/* The bundled TLS backend's engine, driven by hand against a real server
 * (tests/integration_tls.py runs it):
 *     test_tls_engine HOST PORT CAFILE
 * After the handshake it checks what the client relies on to know when a
 * ping has left (sio_tls.write_buf): whatever plaintext the engine was
 * given, send_buf shows all the ciphertext it holds at once, so once that
 * has gone nothing is left inside.  Prints "ok" or what broke; exits 0
 * when the contract held. */
#include "sio.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tls_backend.h"
#ifdef TEST_TLS
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

/* Moves ciphertext both ways until the engine offers room for plaintext
 * (the handshake is done) or fails; 0 when it is ready. */
static int handshake(const sio_tls *t, void *s, int fd)
{
    int rounds;
    for (rounds = 0; rounds < 400; rounds++) {
        size_t n = 0, room = 0;
        const unsigned char *out = t->send_buf(s, &n);
        unsigned char *in;
        struct pollfd p;
        char err[200];
        if (out && n) {
            long w = (long)send(fd, out, n, 0);
            if (w <= 0) return -1;
            t->send_done(s, (size_t)w);
            continue;
        }
        if (t->status(s, err, sizeof err) < 0) {
            printf("handshake failed: %s\n", err);
            return -1;
        }
        if (t->write_buf(s, &room) && room) return 0;
        p.fd = fd;
        p.events = POLLIN;
        if (poll(&p, 1, 100) <= 0) continue;
        in = t->recv_buf(s, &room);
        if (in && room) {
            long r = (long)recv(fd, in, room, 0);
            if (r <= 0) return -1;
            t->recv_done(s, (size_t)r);
        }
    }
    return -1;
}

/* Hands the engine plaintext for as long as it takes some (never sending
 * the ciphertext), then checks that send_buf showed it all at once. */
static int check_contract(const sio_tls *t, void *s)
{
    size_t given = 0, shown = 0, again = 0, room = 0;
    int writes;
    for (writes = 0; writes < 8; writes++) {
        unsigned char *p = t->write_buf(s, &room);
        if (!p || !room) break;
        if (room > 16384) room = 16384;
        memset(p, 'x', room);
        t->write_done(s, room);
        given += room;
    }
    if (!given) {
        printf("the engine took no plaintext\n");
        return 1;
    }
    t->send_buf(s, &shown);
    t->send_done(s, shown);
    t->send_buf(s, &again);
    printf("%d write(s) of %lu bytes in all; send_buf showed %lu bytes of ciphertext, then %lu more\n", writes,
           (unsigned long)given, (unsigned long)shown, (unsigned long)again);
    if (shown < given) {
        printf("send_buf showed less ciphertext than the plaintext given\n");
        return 1;
    }
    if (again) {
        printf("the engine held ciphertext send_buf did not show\n");
        return 1;
    }
    return 0;
}
#endif

int main(int argc, char **argv)
{
#ifdef TEST_TLS
    char err[256];
    const sio_tls *t;
    void *s;
    struct sockaddr_in a;
    int fd, r;
    test_tls_config tc;
    test_tls *tls = NULL;
    if (argc != 4) {
        fprintf(stderr, "usage: test_tls_engine HOST PORT CAFILE\n");
        return 2;
    }
    memset(&tc, 0, sizeof tc);
    tc.ca_file = argv[3];
    if (test_tls_create(&tc, &tls, err, sizeof err) != SIO_OK) { printf("error: %s\n", err); return 1; }
    t = test_tls_table(tls);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)atoi(argv[2]));
    a.sin_addr.s_addr = htonl(0x7f000001);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) { printf("error: connect\n"); return 1; }
    s = t->open(t->user, argv[1], err, sizeof err);
    if (!s) { printf("error: %s\n", err); return 1; }
    r = handshake(t, s, fd) == 0 ? check_contract(t, s) : 1;
    if (r == 0) printf("ok\n");
    t->close(s);
    close(fd);
    test_tls_destroy(tls);
    return r;
#else
    (void)argc; (void)argv;
    printf("no TLS backend in this build\n");
    return 2;
#endif
}
