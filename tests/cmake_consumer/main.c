/* Links against sio and parses a URL: proves the headers and the library were found. */
#include <sio.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    sio_url u;
    if (sio_url_parse(&u, "ws://[::1]:9001/chat") != SIO_OK || u.port != 9001) return 1;
    if (strcmp(sio_version(), "0.2.1") != 0) return 1;
#ifdef SIO_WITH_BEARSSL
    if (sio_bearssl_tls(NULL) != NULL) return 1;      /* the backend links too */
    puts("with the BearSSL backend");
#endif
#ifdef SIO_WITH_OPENSSL
    if (sio_openssl_tls(NULL) != NULL) return 1;
    puts("with the OpenSSL backend");
#endif
#ifdef SIO_WITH_MBEDTLS
    if (sio_mbedtls_tls(NULL) != NULL) return 1;
    puts("with the mbedTLS backend");
#endif
    printf("consumer ok: sio %s, %d.%d.%d\n", sio_version(), SIO_VERSION_MAJOR, SIO_VERSION_MINOR, SIO_VERSION_PATCH);
    return 0;
}
