/* The bundled TLS backend's verification hook against a real server
 * (tests/integration_tls.py runs it):
 *     test_tls_hook URL CAFILE accept|refuse|count
 * The hook sees the server's certificate after every other check passed:
 * "accept" lets it through, "refuse" refuses it with a sentence, "count"
 * accepts only a certificate whose SubjectPublicKeyInfo can be read.
 * Prints "hook host=H der=N spki=1" per call, then "open" or "error: ...";
 * exits 0 when the connection opened. */
#include "sio.h"
#include <stdio.h>
#include <string.h>
#include "tls_backend.h"

static int hook(void *user, const char *host, const unsigned char *der, size_t len, char *why, size_t why_size)
{
    const char *mode = (const char *)user;
    const unsigned char *spki = NULL;
    size_t spki_len = 0;
    int has_spki = sio_x509_spki(der, len, &spki, &spki_len) == 1;
    printf("hook host=%s der=%s spki=%d\n", host, len > 100 ? "cert" : "short", has_spki);
    if (strcmp(mode, "refuse") == 0) {
        snprintf(why, why_size, "the test's hook refused %s", host);
        return 1;
    }
    return strcmp(mode, "count") == 0 && !has_spki;
}

int main(int argc, char **argv)
{
#ifdef TEST_TLS
    sio_config cfg;
    sio_client *c = NULL;
    sio_event ev;
    char err[256];
    int opened = 0, i;
    test_tls_config tc;
    test_tls *tls = NULL;
    if (argc != 4) {
        fprintf(stderr, "usage: test_tls_hook URL CAFILE accept|refuse|count\n");
        return 2;
    }
    memset(&tc, 0, sizeof tc);
    tc.ca_file = argv[2];
    tc.verify = hook;
    tc.verify_user = argv[3];
    if (test_tls_create(&tc, &tls, err, sizeof err) != SIO_OK) { printf("error: %s\n", err); return 1; }
    memset(&cfg, 0, sizeof cfg);
    cfg.url = argv[1];
    cfg.tls = test_tls_table(tls);
    if (sio_create(&cfg, &c) != SIO_OK || sio_start(c) != SIO_OK) { printf("error: sio_create\n"); return 1; }
    for (i = 0; i < 100 && !opened; i++) {
        if (sio_poll(c, &ev, 100) != 1) continue;
        if (ev.type == SIO_EVENT_OPEN) { printf("open\n"); opened = 1; }
        else if (ev.type == SIO_EVENT_ERROR) printf("error: %s\n", ev.message ? ev.message : "");
        else if (ev.type == SIO_EVENT_CLOSE) break;
    }
    sio_destroy(c);
    test_tls_destroy(tls);
    return opened ? 0 : 1;
#else
    (void)argc; (void)argv; (void)hook;
    printf("no TLS backend in this build\n");
    return 2;
#endif
}
