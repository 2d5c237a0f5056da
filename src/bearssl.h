#ifdef SIO_WITH_BEARSSL
/* The BearSSL backend (define SIO_WITH_BEARSSL everywhere, link -lbearssl).
 * Verification is on unless insecure_skip_verify is set: the chain must
 * lead to one of the trust anchors; the server's certificate must match the
 * URL's host (a DNS name, or for an IP address host one of its IP address
 * SANs), be within its validity period, and when it has an Extended Key
 * Usage, allow serverAuth.  The policy by default: TLS 1.2, ECDHE key
 * exchange with AEAD suites only (forward secrecy), renegotiation refused,
 * no SNI for IP address hosts (RFC 6066 3).  Each relaxation is a field
 * below.  Not checked: revocation (CRL, OCSP) and name constraints. */
typedef struct sio_bearssl_config {
    const char *ca_file;             /* PEM trust anchors; NULL and no ca_pem: the system's store
                                        (SSL_CERT_FILE, SSL_CERT_DIR, then the usual bundles of
                                        Debian, Fedora/RHEL, SUSE, Alpine, macOS, FreeBSD) */
    const char *ca_pem;              /* or PEM text in memory */
    size_t ca_pem_len;
    int insecure_skip_verify;        /* DANGER: accept any certificate (tests, debugging) */
    const char *cert_file;           /* client certificate chain (PEM), for mutual TLS */
    const char *key_file;            /* its private key (PEM: RSA or EC, PKCS#1, SEC1 or PKCS#8) */
    int half_duplex;                 /* one 16.7 KiB buffer instead of 16.7 + 16.4 KiB per connection */
    sio_allocator allocator;
    /* Relaxations of the policy, each off by default (for old servers only): */
    unsigned min_version;            /* 0: TLS 1.2; SIO_TLS_1_0 or SIO_TLS_1_1 also allows those,
                                        with their ECDHE CBC suites */
    int allow_legacy_suites;         /* every suite BearSSL has: static RSA (no forward secrecy), CBC */
    int allow_renegotiation;         /* honour the server's renegotiation requests */
    int allow_any_eku;               /* accept a certificate whose Extended Key Usage lacks serverAuth */
    /* Checked after the rest (not with insecure_skip_verify): */
    const char *const *pins;         /* "sha256/BASE64" each (sio_tls_pin_parse): the server's key
                                        must be one of them */
    size_t pin_count;
    int pins_instead_of_chain;       /* the pins stand in for trust anchors: a chain that leads to
                                        none is accepted when the server's key is pinned (its name,
                                        validity and usage are still checked); no trust store is
                                        loaded unless ca_file or ca_pem is given */
    /* Last, with the server's certificate (DER) once every check passed:
     * nonzero refuses it, for the reason written into why. */
    int (*verify)(void *verify_user, const char *host, const unsigned char *der, size_t len,
                  char *why, size_t why_size);
    void *verify_user;
} sio_bearssl_config;

typedef struct sio_bearssl sio_bearssl;
/* Loads anchors and the client key once; the returned table serves any
 * number of connections (sio_config.tls).  Returns SIO_OK, or SIO_ERR_TLS /
 * SIO_ERR_IO / SIO_ERR_NOMEM with err naming the file and the problem. */
SIO_API int sio_bearssl_create(const sio_bearssl_config *cfg, sio_bearssl **out, char *err, size_t err_size);
SIO_API const sio_tls *sio_bearssl_tls(const sio_bearssl *b);
SIO_API void sio_bearssl_destroy(sio_bearssl *b);   /* after every client using it */
#endif

