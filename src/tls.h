/* ---------------------------------------------------------------------- */
/* tls: the plug-in interface between the socket and HTTP                 */
/* ---------------------------------------------------------------------- */

/* A TLS backend is a sans-I/O engine: it never touches the socket.  The
 * client moves ciphertext between the socket and the engine's record
 * buffers, and plaintext between the engine's application buffers and the
 * HTTP/WebSocket layers.  Each *_buf call returns a buffer (NULL or a zero
 * length when there is nothing to give or no room now); the matching *_done
 * call says how many bytes were used.  This is BearSSL's engine shape, and
 * OpenSSL/mbedTLS/wolfSSL fit it with memory BIOs or custom I/O callbacks;
 * examples/tls_custom_backend.c is a complete (pass-through) backend. */
/* A build with a bundled backend (BearSSL, OpenSSL, mbedTLS): a secure URL works
 * with sio_config.tls NULL. */
#if defined(SIO_WITH_BEARSSL) || defined(SIO_WITH_OPENSSL) || defined(SIO_WITH_MBEDTLS)
#define SIO__WITH_TLS 1
#else
#define SIO__WITH_TLS 0
#endif

/* TLS versions, for the backends' min_version. */
#define SIO_TLS_1_0 0x0301
#define SIO_TLS_1_1 0x0302
#define SIO_TLS_1_2 0x0303
#define SIO_TLS_1_3 0x0304

/* The first system trust store tried when no CA is given (after
 * SSL_CERT_FILE and SSL_CERT_DIR), by the backends that read PEM bundles. */
#ifndef SIO_DEFAULT_CA_FILE
#ifdef SIO_BEARSSL_DEFAULT_CA_FILE                  /* its name before 0.3 */
#define SIO_DEFAULT_CA_FILE SIO_BEARSSL_DEFAULT_CA_FILE
#else
#define SIO_DEFAULT_CA_FILE "/etc/ssl/certs/ca-certificates.crt"
#endif
#endif

/* Certificate pinning, for every TLS backend: a pin is "sha256/" and the
 * base64 of the SHA-256 of a server key's DER SubjectPublicKeyInfo (as
 * HPKP and OkHttp write it; `openssl x509 -pubkey -noout | openssl pkey
 * -pubin -outform der | openssl dgst -sha256 -binary | base64`).  Returns
 * 1 and the 32 bytes in hash, or 0 when pin is not one.  Backends compare
 * the server certificate's key (sio_x509_spki) with them. */
SIO_API int sio_tls_pin_parse(const char *pin, unsigned char hash[32]);

typedef struct sio_tls {
    void *user;
    /* A session for one connection: host is the URL's host (SNI and the
     * certificate name check).  NULL on failure, err says why. */
    void *(*open)(void *user, const char *host, char *err, size_t err_size);
    void (*close)(void *session);
    unsigned char *(*recv_buf)(void *session, size_t *room);        /* ciphertext from the network */
    void (*recv_done)(void *session, size_t len);
    const unsigned char *(*send_buf)(void *session, size_t *len);   /* ciphertext for the network */
    void (*send_done)(void *session, size_t len);
    const unsigned char *(*read_buf)(void *session, size_t *len);   /* plaintext received */
    void (*read_done)(void *session, size_t len);
    /* Plaintext to send, and flush it.  send_buf must show all the
     * ciphertext the engine holds: the client learns from it when a ping
     * has left.  An engine that keeps more elsewhere (OpenSSL's BIO,
     * mbedTLS's record) offers room here only while send_buf is empty. */
    unsigned char *(*write_buf)(void *session, size_t *room);
    void (*write_done)(void *session, size_t len);
    /* 0 running, 1 closed cleanly, negative: failed and err names the
     * cause ("certificate chain is not trusted", ...). */
    int (*status)(void *session, char *err, size_t err_size);
} sio_tls;

