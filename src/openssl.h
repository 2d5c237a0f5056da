#ifdef SIO_WITH_OPENSSL
/* The OpenSSL backend (define SIO_WITH_OPENSSL everywhere, link -lssl
 * -lcrypto; OpenSSL 1.1.1 or 3.x).  The policy: TLS 1.2 and 1.3, OpenSSL's
 * default suites at its default security level; verification on unless
 * insecure_skip_verify: the chain must lead to a trust anchor, the
 * server's certificate must match the URL's host (a DNS name, or for an
 * IP address host one of its IP address SANs), be within its validity
 * period and allow serverAuth; no SNI for IP address hosts (RFC 6066 3);
 * ALPN offers http/1.1.  Errors use the BearSSL backend's sentences.
 * OpenSSL allocates its own memory (the allocator below serves only this
 * backend's own structures: OpenSSL's hooks are process-wide). */
typedef struct sio_openssl_config {
    const char *ca_file;             /* PEM trust anchors; NULL and no ca_pem: OpenSSL's default
                                        store (SSL_CERT_FILE, SSL_CERT_DIR, then its built-in paths) */
    const char *ca_pem;              /* or PEM text in memory */
    size_t ca_pem_len;
    int insecure_skip_verify;        /* DANGER: accept any certificate (tests, debugging) */
    const char *cert_file;           /* client certificate chain (PEM), for mutual TLS */
    const char *key_file;            /* its private key (PEM) */
    sio_allocator allocator;
    unsigned min_version;            /* 0: TLS 1.2; SIO_TLS_1_3 refuses TLS 1.2 servers */
    /* Checked after the rest, as with BearSSL (not with insecure_skip_verify): */
    const char *const *pins;         /* "sha256/BASE64" each (sio_tls_pin_parse) */
    size_t pin_count;
    int pins_instead_of_chain;       /* the pins stand in for trust anchors (name, validity and
                                        usage still checked) */
    int (*verify)(void *verify_user, const char *host, const unsigned char *der, size_t len,
                  char *why, size_t why_size);
    void *verify_user;
} sio_openssl_config;

typedef struct sio_openssl sio_openssl;
/* Loads anchors and the client certificate once; the table serves any
 * number of connections (sio_config.tls).  Returns SIO_OK, or SIO_ERR_TLS /
 * SIO_ERR_IO / SIO_ERR_INVALID / SIO_ERR_NOMEM with err saying why. */
SIO_API int sio_openssl_create(const sio_openssl_config *cfg, sio_openssl **out, char *err, size_t err_size);
SIO_API const sio_tls *sio_openssl_tls(const sio_openssl *o);
SIO_API void sio_openssl_destroy(sio_openssl *o);   /* after every client using it */
#endif
