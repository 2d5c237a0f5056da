/* tls_custom_backend - a complete TLS backend for sio, to show the plug-in
 * interface: this one is a pass-through (no encryption at all), so it talks
 * to a plain ws:// server while the URL says wss://.  A real backend puts
 * its engine (OpenSSL with memory BIOs, mbedTLS with custom I/O callbacks,
 * wolfSSL, a hardware TLS block...) between the same four buffers:
 *
 *   recv_buf/recv_done    ciphertext from the socket goes in here
 *   read_buf/read_done    plaintext for HTTP/WebSocket comes out here
 *   write_buf/write_done  plaintext from HTTP/WebSocket goes in here
 *   send_buf/send_done    ciphertext for the socket comes out here
 *
 * sio never calls the socket on the backend's behalf beyond moving those
 * bytes, so a backend needs no I/O code of its own.
 *     tls_custom_backend wss://127.0.0.1:PORT/echo     (a PLAIN ws echo server)
 * NEVER use this pass-through for real traffic: it is an example. */
#include "sio.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUF_SIZE 65536

typedef struct plain_session {
    unsigned char in[BUF_SIZE];      /* received: "ciphertext" = plaintext here */
    size_t in_len;
    unsigned char out[BUF_SIZE];     /* to send */
    size_t out_len;
    char host[256];
} plain_session;

static void *plain_open(void *user, const char *host, char *err, size_t err_size)
{
    plain_session *s = (plain_session *)calloc(1, sizeof *s);
    (void)user;
    if (!s) { snprintf(err, err_size, "out of memory"); return NULL; }
    snprintf(s->host, sizeof s->host, "%s", host);     /* a real backend: SNI + name check */
    return s;
}

static void plain_close(void *session) { free(session); }

static unsigned char *plain_recv_buf(void *session, size_t *room)
{
    plain_session *s = (plain_session *)session;
    *room = BUF_SIZE - s->in_len;
    return s->in + s->in_len;
}

static void plain_recv_done(void *session, size_t len) { ((plain_session *)session)->in_len += len; }

static const unsigned char *plain_read_buf(void *session, size_t *len)
{
    plain_session *s = (plain_session *)session;
    *len = s->in_len;                                   /* "decryption" is the identity */
    return s->in;
}

static void plain_read_done(void *session, size_t len)
{
    plain_session *s = (plain_session *)session;
    memmove(s->in, s->in + len, s->in_len - len);
    s->in_len -= len;
}

static unsigned char *plain_write_buf(void *session, size_t *room)
{
    plain_session *s = (plain_session *)session;
    *room = BUF_SIZE - s->out_len;
    return s->out + s->out_len;
}

static void plain_write_done(void *session, size_t len) { ((plain_session *)session)->out_len += len; }

static const unsigned char *plain_send_buf(void *session, size_t *len)
{
    plain_session *s = (plain_session *)session;
    *len = s->out_len;
    return s->out;
}

static void plain_send_done(void *session, size_t len)
{
    plain_session *s = (plain_session *)session;
    memmove(s->out, s->out + len, s->out_len - len);
    s->out_len -= len;
}

static int plain_status(void *session, char *err, size_t err_size)
{
    (void)session; (void)err; (void)err_size;
    return 0;                                           /* never fails, never closes by itself */
}

static const sio_tls plain_tls = {
    NULL, plain_open, plain_close, plain_recv_buf, plain_recv_done, plain_send_buf, plain_send_done,
    plain_read_buf, plain_read_done, plain_write_buf, plain_write_done, plain_status
};

int main(int argc, char **argv)
{
    sio_config cfg = {0};
    sio_client *c;
    sio_event ev;
    int ok = 0;
    cfg.url = argc > 1 ? argv[1] : "wss://127.0.0.1:8080/echo";
    cfg.tls = &plain_tls;
    if (sio_create(&cfg, &c) != SIO_OK) return 2;
    sio_start(c);
    while (sio_poll(c, &ev, 5000) == 1) {
        if (ev.type == SIO_EVENT_OPEN) sio_send_text(c, "through the custom backend", 26);
        if (ev.type == SIO_EVENT_MESSAGE) {
            ok = ev.len == 26 && memcmp(ev.data, "through the custom backend", 26) == 0;
            printf("echo: %s\n", (const char *)ev.data);
            sio_stop(c);
        }
        if (ev.type == SIO_EVENT_ERROR) printf("error: %s\n", ev.message);
        if (ev.type == SIO_EVENT_CLOSE) break;
    }
    sio_destroy(c);
    printf("%d passed, %d failed\n", ok, !ok);
    return ok ? 0 : 1;
}
