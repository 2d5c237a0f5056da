#ifdef SIO_WITH_MBEDTLS
/* The mbedTLS backend (define SIO_WITH_MBEDTLS everywhere, link -lmbedtls
 * -lmbedx509 -lmbedcrypto): mbedTLS 2.28 (Debian's; tested here) and 3.x
 * behind version checks (3.0 to 3.6 compile; 3.6.6 run by hand: README).  The
 * policy and sentences of the other backends: TLS 1.2 with ECDHE and AEAD
 * (and TLS 1.3 where the mbedTLS build has it); verification on unless
 * insecure_skip_verify (chain to a trust anchor, host name, or for an IP
 * address host its IP address SANs, validity, serverAuth usage); no SNI
 * for IP address hosts; ALPN offers http/1.1.  Trust anchors when none is
 * given: SSL_CERT_FILE, SSL_CERT_DIR, then the system bundles the BearSSL
 * backend knows.  mbedTLS allocates through its own hooks (process-wide);
 * the allocator below serves this backend's own structures. */
typedef struct sio_mbedtls_config {
    const char *ca_file;             /* PEM trust anchors; NULL and no ca_pem: the system's */
    const char *ca_pem;              /* or PEM text in memory */
    size_t ca_pem_len;
    int insecure_skip_verify;        /* DANGER: accept any certificate (tests, debugging) */
    const char *cert_file;           /* client certificate chain (PEM), for mutual TLS */
    const char *key_file;            /* its private key (PEM) */
    sio_allocator allocator;
    /* Checked after the rest, as with the other backends (not with insecure_skip_verify): */
    const char *const *pins;         /* "sha256/BASE64" each (sio_tls_pin_parse) */
    size_t pin_count;
    int pins_instead_of_chain;       /* the pins stand in for trust anchors (name, validity and
                                        usage still checked) */
    int (*verify)(void *verify_user, const char *host, const unsigned char *der, size_t len,
                  char *why, size_t why_size);
    void *verify_user;
} sio_mbedtls_config;

typedef struct sio_mbedtls sio_mbedtls;
/* Loads anchors and the client certificate once, and seeds the random
 * generator; the table serves any number of connections in one thread
 * (sio_config.tls).  Returns SIO_OK, or an error with err saying why. */
SIO_API int sio_mbedtls_create(const sio_mbedtls_config *cfg, sio_mbedtls **out, char *err, size_t err_size);
SIO_API const sio_tls *sio_mbedtls_tls(const sio_mbedtls *m);
SIO_API void sio_mbedtls_destroy(sio_mbedtls *m);   /* after every client using it */
#endif
