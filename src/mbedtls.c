/* ---------------------------------------------------------------------- */
/* tls: the mbedTLS backend (SIO_WITH_MBEDTLS)                             */
/* ---------------------------------------------------------------------- */
#ifdef SIO_WITH_MBEDTLS
#include <mbedtls/version.h>
#include <mbedtls/ssl.h>
#include <mbedtls/entropy.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/x509_crt.h>
#include <mbedtls/pk.h>
#include <mbedtls/error.h>
#include <mbedtls/sha256.h>
#if defined(MBEDTLS_PSA_CRYPTO_C)
#include <psa/crypto.h>                   /* mbedTLS 3: TLS 1.3 runs on PSA, started once */
#endif

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define SIO__MBED_3 1
#define SIO__MBED_FIELD(x) MBEDTLS_PRIVATE(x)       /* 3.x hides the structures' fields */
#else
#define SIO__MBED_3 0
#define SIO__MBED_FIELD(x) x
#endif
#if SIO__MBED_3 && MBEDTLS_VERSION_NUMBER < 0x03010000   /* a certificate's DER: hidden in 3.0 only */
#define SIO__MBED_DER(crt) ((crt)->MBEDTLS_PRIVATE(raw).MBEDTLS_PRIVATE(p))
#define SIO__MBED_DER_LEN(crt) ((crt)->MBEDTLS_PRIVATE(raw).MBEDTLS_PRIVATE(len))
#else
#define SIO__MBED_DER(crt) ((crt)->raw.p)
#define SIO__MBED_DER_LEN(crt) ((crt)->raw.len)
#endif

#define SIO__MBED_IN (17u * 1024u)      /* ciphertext fed and not yet read by mbedTLS: a record */
#define SIO__MBED_OUT (17u * 1024u)     /* ciphertext made and not yet sent (mbedTLS retries the rest) */
#define SIO__MBED_PLAIN 16384u
#if SIO__MBED_3 && defined(MBEDTLS_SSL_PROTO_TLS1_3)
#define SIO__MBED_OFFERED "TLS 1.3, and TLS 1.2 with ECDHE and AES-GCM or ChaCha20-Poly1305"
#else
#define SIO__MBED_OFFERED "TLS 1.2, ECDHE with AES-GCM or ChaCha20-Poly1305"
#endif

struct sio_mbedtls {
    sio_tls table;
    sio_allocator alloc;
    mbedtls_ssl_config conf;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_x509_crt anchors, own_cert;
    mbedtls_pk_context own_key;
    int insecure, has_own;
    unsigned char (*pins)[32];         /* SHA-256 of pinned SubjectPublicKeyInfos */
    size_t pin_count;
    int pins_only;
    int (*verify)(void *, const char *, const unsigned char *, size_t, char *, size_t);
    void *verify_user;
};

typedef struct sio__mbed_session {
    sio_mbedtls *owner;
    mbedtls_ssl_context ssl;
    unsigned char in[SIO__MBED_IN];
    size_t in_at, in_len;
    unsigned char out[SIO__MBED_OUT];
    size_t out_at, out_len;
    unsigned char plain_in[SIO__MBED_PLAIN];
    size_t plain_at, plain_len;
    unsigned char plain_out[SIO__MBED_PLAIN];
    size_t pending_at, pending_len;    /* plaintext mbedTLS has not taken yet (it wants the same again) */
    int handshaken, failed, closed;
    uint32_t chain_flags;              /* mbedTLS's verdict on the certificates above the server's */
    unsigned char ip[16];              /* the host as an address (ip_len 4 or 16), or ip_len 0 */
    size_t ip_len;
    char why[192];
    char host[256];
} sio__mbed_session;

/* mbedTLS's I/O: our two buffers instead of a socket. */
static int sio__mbed_net_send(void *ctx, const unsigned char *buf, size_t len)
{
    sio__mbed_session *s = (sio__mbed_session *)ctx;
    size_t room;
    if (s->out_at == s->out_len) s->out_at = s->out_len = 0;
    room = sizeof s->out - s->out_len;
    if (!room) return MBEDTLS_ERR_SSL_WANT_WRITE;
    if (len > room) len = room;
    memcpy(s->out + s->out_len, buf, len);
    s->out_len += len;
    return (int)len;
}

static int sio__mbed_net_recv(void *ctx, unsigned char *buf, size_t len)
{
    sio__mbed_session *s = (sio__mbed_session *)ctx;
    size_t have = s->in_len - s->in_at;
    if (!have) return MBEDTLS_ERR_SSL_WANT_READ;
    if (len > have) len = have;
    memcpy(buf, s->in + s->in_at, len);
    s->in_at += len;
    if (s->in_at == s->in_len) s->in_at = s->in_len = 0;
    return (int)len;
}

/* The reason of a failed verification, from mbedTLS's flags. */
static void sio__mbed_describe_flags(sio__mbed_session *s, uint32_t flags)
{
    if (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED)
        snprintf(s->why, sizeof s->why, "certificate chain is not trusted (no trust anchor matches; see --cafile)");
    else if (flags & MBEDTLS_X509_BADCERT_CN_MISMATCH)
        snprintf(s->why, sizeof s->why, "certificate does not match the host name");
    else if (flags & (MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE))
        snprintf(s->why, sizeof s->why, "certificate expired or not yet valid");
    else if (flags & MBEDTLS_X509_BADCERT_EXT_KEY_USAGE)
        snprintf(s->why, sizeof s->why, "the certificate's Extended Key Usage does not allow a TLS server (serverAuth)");
    else {
        char text[128];
        int n = mbedtls_x509_crt_verify_info(text, sizeof text, "", flags);
        if (n > 0 && text[n - 1] == '\n') text[n - 1] = 0;
        snprintf(s->why, sizeof s->why, "certificate rejected (mbedTLS: %s)", n > 0 ? text : "unknown");
    }
}

/* Errors that mean no version or suite in common (named differently by 2.x and 3.x). */
static int sio__mbed_no_common(int e)
{
#if defined(MBEDTLS_ERR_SSL_BAD_PROTOCOL_VERSION)
    if (e == MBEDTLS_ERR_SSL_BAD_PROTOCOL_VERSION) return 1;
#endif
#if defined(MBEDTLS_ERR_SSL_BAD_HS_PROTOCOL_VERSION)
    if (e == MBEDTLS_ERR_SSL_BAD_HS_PROTOCOL_VERSION) return 1;
#endif
#if defined(MBEDTLS_ERR_SSL_NO_CIPHER_CHOSEN)
    if (e == MBEDTLS_ERR_SSL_NO_CIPHER_CHOSEN) return 1;
#endif
    (void)e;
    return 0;
}

/* A failed call: why, in the other backends' words. */
static void sio__mbed_fail(sio__mbed_session *s, int e)
{
    uint32_t flags = mbedtls_ssl_get_verify_result(&s->ssl);     /* all ones: not verified (yet) */
    s->failed = 1;
    if (s->why[0]) return;
    if (e == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED || (flags && flags != (uint32_t)-1)) {
        sio__mbed_describe_flags(s, flags);
    } else if (e == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE) {
        int alert = s->ssl.SIO__MBED_FIELD(in_msg) ? s->ssl.SIO__MBED_FIELD(in_msg)[1] : 0;
        sio__tls_alert_text(s->why, sizeof s->why, alert, SIO__MBED_OFFERED);
    } else if (sio__mbed_no_common(e)) {
        sio__tls_no_common_text(s->why, sizeof s->why, SIO__MBED_OFFERED);
    } else {
        char text[128];
        mbedtls_strerror(e, text, sizeof text);
        snprintf(s->why, sizeof s->why, "handshake failed (mbedTLS: %s)", text);
    }
}

/* Moves the handshake on, and a write mbedTLS could not take whole. */
static void sio__mbed_step(sio__mbed_session *s)
{
    int r;
    if (s->failed || s->closed) return;
    if (!s->handshaken) {
        r = mbedtls_ssl_handshake(&s->ssl);
        if (r == 0) s->handshaken = 1;
        else if (r != MBEDTLS_ERR_SSL_WANT_READ && r != MBEDTLS_ERR_SSL_WANT_WRITE) { sio__mbed_fail(s, r); return; }
    }
    while (s->handshaken && s->pending_at < s->pending_len) {
        r = mbedtls_ssl_write(&s->ssl, s->plain_out + s->pending_at, s->pending_len - s->pending_at);
        if (r == MBEDTLS_ERR_SSL_WANT_WRITE || r == MBEDTLS_ERR_SSL_WANT_READ) return;
        if (r < 0) { sio__mbed_fail(s, r); return; }
        s->pending_at += (size_t)r;
    }
    if (s->pending_at == s->pending_len) s->pending_at = s->pending_len = 0;
}

static int sio__mbed_pinned(const sio_mbedtls *m, const mbedtls_x509_crt *crt)
{
    const unsigned char *spki;
    size_t spki_len;
    unsigned char hash[32];
    if (sio_x509_spki(SIO__MBED_DER(crt), SIO__MBED_DER_LEN(crt), &spki, &spki_len) != 1) return 0;
#if SIO__MBED_3
    if (mbedtls_sha256(spki, spki_len, hash, 0) != 0) return 0;
#else
    if (mbedtls_sha256_ret(spki, spki_len, hash, 0) != 0) return 0;
#endif
    return sio__tls_pinned((const unsigned char (*)[32])m->pins, m->pin_count, hash);
}

/* mbedTLS's verdict on each certificate, from the root down: with the
 * pins instead of the chain a missing anchor is forgiven; at the server's
 * own certificate, its IP SANs (mbedTLS 2 has no IP check), and, once the
 * whole chain passed, its usage (which mbedTLS checks only after this), the
 * pins and the hook: the hook sees a certificate every other check passed. */
static int sio__mbed_verify(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    sio__mbed_session *s = (sio__mbed_session *)ctx;
    const sio_mbedtls *m = s->owner;
    if (m->pins_only) *flags &= ~(uint32_t)MBEDTLS_X509_BADCERT_NOT_TRUSTED;
    if (depth != 0) {
        s->chain_flags |= *flags;
        return 0;
    }
    if (s->ip_len) *flags &= ~(uint32_t)MBEDTLS_X509_BADCERT_CN_MISMATCH;   /* no name was set to check */
    if (*flags || s->chain_flags) return 0;                            /* the chain's sentence first */
    if (s->ip_len && sio_x509_has_ip(SIO__MBED_DER(crt), SIO__MBED_DER_LEN(crt), s->ip, s->ip_len) != 1) {
        snprintf(s->why, sizeof s->why, "the certificate has no IP address SAN for the host");
        *flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
        return 0;
    }
    /* The usages with sio's own reader: an mbedTLS 2 may be built without its checks */
    if (sio_x509_allows_server(SIO__MBED_DER(crt), SIO__MBED_DER_LEN(crt)) != 1) {
        *flags |= MBEDTLS_X509_BADCERT_EXT_KEY_USAGE;
        return 0;
    }
    if (sio_x509_key_allows(SIO__MBED_DER(crt), SIO__MBED_DER_LEN(crt), SIO_X509_KU_DIGITAL_SIGNATURE) != 1) {
        snprintf(s->why, sizeof s->why, "%s", SIO__TLS_NOT_FOR_SIGNING);
        *flags |= MBEDTLS_X509_BADCERT_KEY_USAGE;
        return 0;
    }
    if (m->pin_count && !sio__mbed_pinned(m, crt)) {
        snprintf(s->why, sizeof s->why, "the server's key matches none of the pins");
        *flags |= MBEDTLS_X509_BADCERT_OTHER;
        return 0;
    }
    if (m->verify) {
        char why[160];
        why[0] = 0;
        if (m->verify(m->verify_user, s->host, SIO__MBED_DER(crt), SIO__MBED_DER_LEN(crt), why, sizeof why)) {
            why[sizeof why - 1] = 0;
            snprintf(s->why, sizeof s->why, "%s", why[0] ? why : "the verification hook refused the certificate");
            *flags |= MBEDTLS_X509_BADCERT_OTHER;
        }
    }
    return 0;
}

static void *sio__mbed_open(void *user, const char *host, char *err, size_t err_size)
{
    sio_mbedtls *m = (sio_mbedtls *)user;
    sio__mbed_session *s;
    if (strlen(host) >= sizeof s->host) {
        snprintf(err, err_size, "tls: the host name is too long");
        return NULL;
    }
    s = (sio__mbed_session *)sio__realloc(&m->alloc, NULL, sizeof *s);
    if (!s) { snprintf(err, err_size, "out of memory"); return NULL; }
    memset(s, 0, sizeof *s);
    s->owner = m;
    strcpy(s->host, host);
    s->ip_len = sio_ip_parse(host, s->ip);
    mbedtls_ssl_init(&s->ssl);
    /* the name for SNI and the certificate check; none for an address (RFC 6066 3),
     * said explicitly (mbedTLS 3.6 refuses to verify when no name was set) */
    if (mbedtls_ssl_setup(&s->ssl, &m->conf) != 0 || mbedtls_ssl_set_hostname(&s->ssl, s->ip_len ? NULL : host) != 0) {
        mbedtls_ssl_free(&s->ssl);
        sio__realloc(&m->alloc, s, 0);
        snprintf(err, err_size, "out of memory for the TLS session");
        return NULL;
    }
    if (!m->insecure) mbedtls_ssl_set_verify(&s->ssl, sio__mbed_verify, s);
    mbedtls_ssl_set_bio(&s->ssl, s, sio__mbed_net_send, sio__mbed_net_recv, NULL);
    sio__mbed_step(s);                                   /* the ClientHello */
    return s;
}

static void sio__mbed_close(void *session)
{
    sio__mbed_session *s = (sio__mbed_session *)session;
    sio_mbedtls *m = s->owner;
    mbedtls_ssl_free(&s->ssl);
    sio__realloc(&m->alloc, s, 0);
}

static unsigned char *sio__mbed_recv_buf(void *session, size_t *room)
{
    sio__mbed_session *s = (sio__mbed_session *)session;
    *room = 0;
    if (s->failed || s->closed) return NULL;
    if (s->in_at) {                                      /* keep the unread bytes at the front */
        memmove(s->in, s->in + s->in_at, s->in_len - s->in_at);
        s->in_len -= s->in_at;
        s->in_at = 0;
    }
    *room = sizeof s->in - s->in_len;
    return *room ? s->in + s->in_len : NULL;
}

static void sio__mbed_recv_done(void *session, size_t len)
{
    sio__mbed_session *s = (sio__mbed_session *)session;
    s->in_len += len <= sizeof s->in - s->in_len ? len : sizeof s->in - s->in_len;
    sio__mbed_step(s);
}

static const unsigned char *sio__mbed_send_buf(void *session, size_t *len)
{
    sio__mbed_session *s = (sio__mbed_session *)session;
    *len = s->out_len - s->out_at;
    return *len ? s->out + s->out_at : NULL;
}

static void sio__mbed_send_done(void *session, size_t len)
{
    sio__mbed_session *s = (sio__mbed_session *)session;
    s->out_at += len <= s->out_len - s->out_at ? len : s->out_len - s->out_at;
    if (s->out_at == s->out_len) s->out_at = s->out_len = 0;
    sio__mbed_step(s);                                   /* room again for what waited */
}

static const unsigned char *sio__mbed_read_buf(void *session, size_t *len)
{
    sio__mbed_session *s = (sio__mbed_session *)session;
    if (s->plain_at == s->plain_len && s->handshaken && !s->failed && !s->closed) {
        int r, empty;
        /* 0 is an empty record (our bio never says end of stream): read on,
         * as far as mbedTLS allows empty records in a row */
        for (empty = 0; (r = mbedtls_ssl_read(&s->ssl, s->plain_in, sizeof s->plain_in)) == 0 && empty < 8; empty++) {}
        s->plain_at = s->plain_len = 0;
        if (r > 0) s->plain_len = (size_t)r;
        else if (r == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) s->closed = 1;
        else if (r == 0) {}                              /* more empty records: the next call goes on */
        else if (r != MBEDTLS_ERR_SSL_WANT_READ && r != MBEDTLS_ERR_SSL_WANT_WRITE
#ifdef MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET
                 && r != MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET
#endif
                 ) sio__mbed_fail(s, r);
    }
    *len = s->plain_len - s->plain_at;
    return *len ? s->plain_in + s->plain_at : NULL;
}

static void sio__mbed_read_done(void *session, size_t len)
{
    sio__mbed_session *s = (sio__mbed_session *)session;
    s->plain_at += len <= s->plain_len - s->plain_at ? len : s->plain_len - s->plain_at;
}

static unsigned char *sio__mbed_write_buf(void *session, size_t *room)
{
    sio__mbed_session *s = (sio__mbed_session *)session;
    *room = 0;
    int payload, expansion;
    size_t records;
    /* Plaintext only while no ciphertext waits, and only as much as makes
     * records that fit SIO__MBED_OUT (a build may use small records, each
     * with its own overhead): all of it is then in send_buf, none left
     * inside mbedTLS, which is how the client knows when a ping has left. */
    if (s->failed || s->closed || !s->handshaken || s->pending_len || s->out_at < s->out_len) return NULL;
    payload = mbedtls_ssl_get_max_out_record_payload(&s->ssl);
    expansion = mbedtls_ssl_get_record_expansion(&s->ssl);
    if (payload <= 0 || expansion < 0) {
        payload = 512;                                   /* unknown: small records with a CBC overhead */
        expansion = 5 + 16 + 48 + 256;
    }
    records = SIO__MBED_OUT / ((size_t)payload + (size_t)expansion);
    *room = records * (size_t)payload < sizeof s->plain_out ? records * (size_t)payload : sizeof s->plain_out;
    return *room ? s->plain_out : NULL;
}

static void sio__mbed_write_done(void *session, size_t len)
{
    sio__mbed_session *s = (sio__mbed_session *)session;
    if (!len || s->failed || s->closed) return;
    s->pending_at = 0;
    s->pending_len = len <= sizeof s->plain_out ? len : sizeof s->plain_out;
    sio__mbed_step(s);
}

static int sio__mbed_status(void *session, char *err, size_t err_size)
{
    sio__mbed_session *s = (sio__mbed_session *)session;
    if (s->failed) {
        if (err && err_size) snprintf(err, err_size, "%s", s->why[0] ? s->why : "failure");
        return -1;
    }
    return s->closed ? 1 : 0;
}

/* ---- loading ---- */


/* A PEM file of trust anchors; SIO_OK when at least one was read. */
static int sio__mbed_anchor_file(sio_mbedtls *m, const char *path, const char *what, char *err, size_t err_size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_size, "tls: cannot read %s '%.150s'", what, path);
        return SIO_ERR_IO;
    }
    fclose(f);
    if (mbedtls_x509_crt_parse_file(&m->anchors, path) < 0 || !SIO__MBED_DER_LEN(&m->anchors)) {
        snprintf(err, err_size, "tls: no usable trust anchor in '%.150s'", path);
        return SIO_ERR_TLS;
    }
    return SIO_OK;
}

/* The caller's anchors, else SSL_CERT_FILE (which must be good), the
 * directories of SSL_CERT_DIR, then the usual system bundles. */
static int sio__mbed_anchors(sio_mbedtls *m, const sio_mbedtls_config *cfg, char *err, size_t err_size)
{
    const char *file = getenv("SSL_CERT_FILE"), *dirs = getenv("SSL_CERT_DIR");
    size_t i;
    if (cfg->ca_pem) {
        size_t len = cfg->ca_pem_len ? cfg->ca_pem_len : strlen(cfg->ca_pem);
        unsigned char *copy = (unsigned char *)sio__realloc(&m->alloc, NULL, len + 1);
        int r;
        if (!copy) return SIO_ERR_NOMEM;
        memcpy(copy, cfg->ca_pem, len);
        copy[len] = 0;                                   /* mbedTLS reads PEM with its NUL */
        r = mbedtls_x509_crt_parse(&m->anchors, copy, len + 1);
        sio__realloc(&m->alloc, copy, 0);
        if (r < 0 || !SIO__MBED_DER_LEN(&m->anchors)) {
            snprintf(err, err_size, "tls: no usable trust anchor in '(memory)'");
            return SIO_ERR_TLS;
        }
        return SIO_OK;
    }
    if (cfg->ca_file) return sio__mbed_anchor_file(m, cfg->ca_file, "trust anchor file", err, err_size);
    if (m->insecure || m->pins_only) return SIO_OK;
    if (file && file[0]) return sio__mbed_anchor_file(m, file, "trust anchor file (SSL_CERT_FILE)", err, err_size);
    while (dirs && *dirs) {
        char dir[512];
        size_t n = strcspn(dirs, ":");
        if (n && n < sizeof dir) {
            memcpy(dir, dirs, n);
            dir[n] = 0;
            mbedtls_x509_crt_parse_path(&m->anchors, dir);      /* files that are not certificates are skipped */
        }
        dirs += n + (dirs[n] == ':');
    }
    for (i = 0; !SIO__MBED_DER_LEN(&m->anchors) && i < sizeof sio__tls_bundles / sizeof sio__tls_bundles[0]; i++) {
        FILE *f = fopen(sio__tls_bundles[i], "rb");
        if (!f) continue;
        fclose(f);
        mbedtls_x509_crt_parse_file(&m->anchors, sio__tls_bundles[i]);
    }
    if (SIO__MBED_DER_LEN(&m->anchors)) return SIO_OK;
    snprintf(err, err_size, "tls: no trust store found (tried SSL_CERT_FILE, SSL_CERT_DIR, %s and %d other bundles): "
             "give the CA (sio_mbedtls_config.ca_file or ca_pem; sioc --cafile)", sio__tls_bundles[0],
             (int)(sizeof sio__tls_bundles / sizeof sio__tls_bundles[0]) - 1);
    return SIO_ERR_TLS;
}

static int sio__mbed_own(sio_mbedtls *m, const sio_mbedtls_config *cfg, char *err, size_t err_size)
{
    int r;
    if (!cfg->cert_file && !cfg->key_file) return SIO_OK;
    if (!cfg->cert_file || !cfg->key_file) {
        snprintf(err, err_size, "tls: a client certificate needs both a certificate and a key file");
        return SIO_ERR_INVALID;
    }
    if (mbedtls_x509_crt_parse_file(&m->own_cert, cfg->cert_file) != 0) {
        snprintf(err, err_size, "tls: no certificate found in '%.150s'", cfg->cert_file);
        return SIO_ERR_TLS;
    }
#if SIO__MBED_3
    r = mbedtls_pk_parse_keyfile(&m->own_key, cfg->key_file, NULL, mbedtls_ctr_drbg_random, &m->drbg);
#else
    r = mbedtls_pk_parse_keyfile(&m->own_key, cfg->key_file, NULL);
#endif
    if (r != 0) {
        snprintf(err, err_size, "tls: no private key found in '%.150s'", cfg->key_file);
        return SIO_ERR_TLS;
    }
    if (mbedtls_ssl_conf_own_cert(&m->conf, &m->own_cert, &m->own_key) != 0) {
        snprintf(err, err_size, "tls: the client certificate in '%.150s' cannot be used", cfg->cert_file);
        return SIO_ERR_TLS;
    }
    return SIO_OK;
}

/* TLS 1.2 with ECDHE and AEAD (TLS 1.3's suites, where built, all are). */
static const int sio__mbed_suites[] = {
#if SIO__MBED_3 && defined(MBEDTLS_SSL_PROTO_TLS1_3)
    MBEDTLS_TLS1_3_AES_128_GCM_SHA256, MBEDTLS_TLS1_3_AES_256_GCM_SHA384, MBEDTLS_TLS1_3_CHACHA20_POLY1305_SHA256,
#endif
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    0
};

static int sio__mbed_configure(sio_mbedtls *m, char *err, size_t err_size)
{
    static const char *alpn[] = { "http/1.1", NULL };
    static const char personal[] = "sio";
    if (mbedtls_ctr_drbg_seed(&m->drbg, mbedtls_entropy_func, &m->entropy, (const unsigned char *)personal,
                              sizeof personal - 1) != 0) {
        snprintf(err, err_size, "tls: mbedTLS could not seed its random generator");
        return SIO_ERR_TLS;
    }
    if (mbedtls_ssl_config_defaults(&m->conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT) != 0) {
        snprintf(err, err_size, "tls: mbedTLS could not make a configuration");
        return SIO_ERR_TLS;
    }
    mbedtls_ssl_conf_rng(&m->conf, mbedtls_ctr_drbg_random, &m->drbg);
#if MBEDTLS_VERSION_NUMBER >= 0x03020000
    mbedtls_ssl_conf_min_tls_version(&m->conf, MBEDTLS_SSL_VERSION_TLS1_2);
#else
    mbedtls_ssl_conf_min_version(&m->conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
#endif
    mbedtls_ssl_conf_ciphersuites(&m->conf, sio__mbed_suites);
#if defined(MBEDTLS_SSL_RENEGOTIATION)
    mbedtls_ssl_conf_renegotiation(&m->conf, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
#endif
#if defined(MBEDTLS_SSL_ALPN)
    mbedtls_ssl_conf_alpn_protocols(&m->conf, alpn);
#else
    (void)alpn;
#endif
    mbedtls_ssl_conf_authmode(&m->conf, m->insecure ? MBEDTLS_SSL_VERIFY_NONE : MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(&m->conf, &m->anchors, NULL);
    return SIO_OK;
}

SIO_API int sio_mbedtls_create(const sio_mbedtls_config *cfg, sio_mbedtls **out, char *err, size_t err_size)
{
    sio_mbedtls *m;
    sio_allocator a;
    int r;
    char dummy[8];
    if (!err) { err = dummy; err_size = sizeof dummy; }
    err[0] = 0;
    if (!cfg || !out) return SIO_ERR_INVALID;
    *out = NULL;
    a = cfg->allocator;
    m = (sio_mbedtls *)sio__realloc(&a, NULL, sizeof *m);
    if (!m) return SIO_ERR_NOMEM;
    memset(m, 0, sizeof *m);
    m->alloc = a;
    m->insecure = cfg->insecure_skip_verify;
    m->verify = cfg->verify;
    m->verify_user = cfg->verify_user;
    mbedtls_ssl_config_init(&m->conf);
    mbedtls_entropy_init(&m->entropy);
    mbedtls_ctr_drbg_init(&m->drbg);
    mbedtls_x509_crt_init(&m->anchors);
    mbedtls_x509_crt_init(&m->own_cert);
    mbedtls_pk_init(&m->own_key);
#if defined(MBEDTLS_PSA_CRYPTO_C)
    if (psa_crypto_init() != PSA_SUCCESS) {
        sio__realloc(&a, m, 0);
        snprintf(err, err_size, "tls: mbedTLS could not start its PSA crypto");
        return SIO_ERR_TLS;
    }
#endif
    m->table.user = m;
    m->table.open = sio__mbed_open;
    m->table.close = sio__mbed_close;
    m->table.recv_buf = sio__mbed_recv_buf;
    m->table.recv_done = sio__mbed_recv_done;
    m->table.send_buf = sio__mbed_send_buf;
    m->table.send_done = sio__mbed_send_done;
    m->table.read_buf = sio__mbed_read_buf;
    m->table.read_done = sio__mbed_read_done;
    m->table.write_buf = sio__mbed_write_buf;
    m->table.write_done = sio__mbed_write_done;
    m->table.status = sio__mbed_status;
    r = sio__tls_pins_load(&m->alloc, cfg->pins, cfg->pin_count, cfg->pins_instead_of_chain, &m->pins, err, err_size);
    m->pin_count = r == SIO_OK ? cfg->pin_count : 0;
    m->pins_only = cfg->pins_instead_of_chain;
    if (r == SIO_OK && (r = sio__mbed_anchors(m, cfg, err, err_size)) == SIO_OK &&
        (r = sio__mbed_configure(m, err, err_size)) == SIO_OK)
        r = sio__mbed_own(m, cfg, err, err_size);
    if (r != SIO_OK) {
        sio_mbedtls_destroy(m);
        return r;
    }
    *out = m;
    return SIO_OK;
}

SIO_API const sio_tls *sio_mbedtls_tls(const sio_mbedtls *m) { return m ? &m->table : NULL; }

SIO_API void sio_mbedtls_destroy(sio_mbedtls *m)
{
    sio_allocator a;
    if (!m) return;
    a = m->alloc;
    mbedtls_ssl_config_free(&m->conf);
    mbedtls_ctr_drbg_free(&m->drbg);
    mbedtls_entropy_free(&m->entropy);
    mbedtls_x509_crt_free(&m->anchors);
    mbedtls_x509_crt_free(&m->own_cert);
    mbedtls_pk_free(&m->own_key);               /* and the private key with it */
    if (m->pins) sio__realloc(&a, m->pins, 0);
    sio__realloc(&a, m, 0);
}
#endif /* SIO_WITH_MBEDTLS */
