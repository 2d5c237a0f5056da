/* ---------------------------------------------------------------------- */
/* tls: the OpenSSL backend (SIO_WITH_OPENSSL)                             */
/* ---------------------------------------------------------------------- */
#ifdef SIO_WITH_OPENSSL
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <openssl/sha.h>

#define SIO__OSSL_CHUNK 16384u          /* ciphertext and plaintext handed over at a time */
#define SIO__OSSL_MAX_IN (64u * 1024u)  /* ciphertext fed and not yet read, at most */
#define SIO__OSSL_RECORD (SIO__OSSL_CHUNK + 2048u + 5u)   /* the largest TLS record a CHUNK of plaintext makes */
#define SIO__OSSL_OFFERED "TLS 1.3, and TLS 1.2 with ECDHE and AES-GCM or ChaCha20-Poly1305"

struct sio_openssl {
    sio_tls table;
    sio_allocator alloc;
    SSL_CTX *ctx;
    int insecure;
    unsigned char (*pins)[32];         /* SHA-256 of pinned SubjectPublicKeyInfos */
    size_t pin_count;
    int pins_only;
    int (*verify)(void *, const char *, const unsigned char *, size_t, char *, size_t);
    void *verify_user;
};

/* One connection: OpenSSL between two memory BIOs, and the buffers the
 * client reads from and writes into. */
typedef struct sio__ossl_session {
    sio_openssl *owner;
    SSL *ssl;
    BIO *in, *out;                     /* ciphertext from / for the network (owned by ssl) */
    unsigned char cipher_in[SIO__OSSL_CHUNK];
    unsigned char cipher_out[SIO__OSSL_RECORD];    /* holds all the ciphertext of one write */
    size_t out_at, out_len;
    unsigned char plain_in[SIO__OSSL_CHUNK];
    size_t plain_at, plain_len;
    unsigned char plain_out[SIO__OSSL_CHUNK];
    int failed, closed;
    char why[192];                     /* when failed; set by the checks below, else from OpenSSL */
    char host[256];
} sio__ossl_session;

/* Why the handshake failed, in the BearSSL backend's words. */
static void sio__ossl_describe(sio__ossl_session *s, unsigned long e)
{
    long v = SSL_get_verify_result(s->ssl);
    int reason = e ? ERR_GET_REASON(e) : 0;
    if (s->why[0]) return;
    if (e && ERR_GET_LIB(e) == ERR_LIB_SSL && reason == SSL_R_CERTIFICATE_VERIFY_FAILED && v != X509_V_OK) {
        switch (v) {
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY: case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN: case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE: case X509_V_ERR_CERT_UNTRUSTED:
            snprintf(s->why, sizeof s->why, "certificate chain is not trusted (no trust anchor matches; see --cafile)");
            break;
        case X509_V_ERR_HOSTNAME_MISMATCH:
            snprintf(s->why, sizeof s->why, "certificate does not match the host name");
            break;
        case X509_V_ERR_IP_ADDRESS_MISMATCH:
            snprintf(s->why, sizeof s->why, "the certificate has no IP address SAN for the host");
            break;
        case X509_V_ERR_CERT_HAS_EXPIRED: case X509_V_ERR_CERT_NOT_YET_VALID:
            snprintf(s->why, sizeof s->why, "certificate expired or not yet valid");
            break;
        case X509_V_ERR_INVALID_PURPOSE:
            snprintf(s->why, sizeof s->why, "the certificate's Extended Key Usage does not allow a TLS server (serverAuth)");
            break;
        default:
            snprintf(s->why, sizeof s->why, "certificate rejected (OpenSSL: %s)", X509_verify_cert_error_string(v));
        }
    } else if (e && ERR_GET_LIB(e) == ERR_LIB_SSL && reason >= SSL_AD_REASON_OFFSET && reason < SSL_AD_REASON_OFFSET + 256) {
        sio__tls_alert_text(s->why, sizeof s->why, reason - SSL_AD_REASON_OFFSET, SIO__OSSL_OFFERED);
    } else if (e && ERR_GET_LIB(e) == ERR_LIB_SSL &&
               (reason == SSL_R_UNSUPPORTED_PROTOCOL || reason == SSL_R_NO_PROTOCOLS_AVAILABLE ||
                reason == SSL_R_WRONG_VERSION_NUMBER || reason == SSL_R_NO_SHARED_CIPHER)) {
        sio__tls_no_common_text(s->why, sizeof s->why, SIO__OSSL_OFFERED);
    } else if (e) {
        char text[160];
        ERR_error_string_n(e, text, sizeof text);
        snprintf(s->why, sizeof s->why, "handshake failed (OpenSSL: %s)", text);
    } else {
        snprintf(s->why, sizeof s->why, "the connection ended during the TLS exchange");
    }
}

/* An OpenSSL call returned r: go on (0), or the session has failed or
 * closed (1). */
static int sio__ossl_check(sio__ossl_session *s, int r)
{
    int e = SSL_get_error(s->ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) { ERR_clear_error(); return 0; }
    if (e == SSL_ERROR_ZERO_RETURN) { s->closed = 1; ERR_clear_error(); return 1; }
    sio__ossl_describe(s, ERR_peek_last_error());
    ERR_clear_error();
    s->failed = 1;
    return 1;
}

/* Moves the handshake on after bytes came in or before bytes go out. */
static void sio__ossl_step(sio__ossl_session *s)
{
    int r;
    if (s->failed || s->closed || SSL_is_init_finished(s->ssl)) return;
    ERR_clear_error();
    r = SSL_do_handshake(s->ssl);
    if (r != 1) sio__ossl_check(s, r);
}

/* The pins and the hook, after OpenSSL's own checks passed (or, with the
 * pins instead of the chain, failed only for want of a trust anchor). */
static int sio__ossl_pins_and_hook(sio__ossl_session *s, X509 *leaf)
{
    const sio_openssl *o = s->owner;
    unsigned char *der = NULL;
    int len = i2d_X509(leaf, &der), ok = 1;
    if (len <= 0) {
        snprintf(s->why, sizeof s->why, "the server's certificate is malformed");
        return 0;
    }
    if (o->pin_count) {
        const unsigned char *spki;
        size_t spki_len;
        unsigned char hash[32];
        if (sio_x509_spki(der, (size_t)len, &spki, &spki_len) != 1) {
            snprintf(s->why, sizeof s->why, "the server's certificate is malformed");
            ok = 0;
        } else {
            SHA256(spki, spki_len, hash);
            if (!sio__tls_pinned((const unsigned char (*)[32])o->pins, o->pin_count, hash)) {
                snprintf(s->why, sizeof s->why, "the server's key matches none of the pins");
                ok = 0;
            }
        }
    }
    if (ok && o->verify) {
        char why[160];
        why[0] = 0;
        if (o->verify(o->verify_user, s->host, der, (size_t)len, why, sizeof why)) {
            why[sizeof why - 1] = 0;
            snprintf(s->why, sizeof s->why, "%s", why[0] ? why : "the verification hook refused the certificate");
            ok = 0;
        }
    }
    OPENSSL_free(der);
    return ok;
}

static int sio__ossl_chain_error(int e)
{
    return e == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY || e == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT ||
           e == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN || e == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT ||
           e == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE || e == X509_V_ERR_CERT_UNTRUSTED;
}

/* With the pins instead of the chain, a missing trust anchor is not an
 * error (every other check still is). */
static int sio__ossl_verify_step(int ok, X509_STORE_CTX *store)
{
    SSL *ssl = (SSL *)X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    sio__ossl_session *s = ssl ? (sio__ossl_session *)SSL_get_app_data(ssl) : NULL;
    if (!ok && s && !s->why[0] && X509_STORE_CTX_get_error_depth(store) == 0 && X509_STORE_CTX_get_current_cert(store) &&
        (X509_get_extension_flags(X509_STORE_CTX_get_current_cert(store)) & EXFLAG_INVALID)) {
        /* OpenSSL then says "unable to get local issuer": the certificate is at fault, not the CA file */
        snprintf(s->why, sizeof s->why, "the server's certificate is malformed");
        return 0;
    }
    if (!ok && s && s->owner->pins_only && sio__ossl_chain_error(X509_STORE_CTX_get_error(store))) return 1;
    if (!ok && s && !s->why[0] && X509_STORE_CTX_get_error(store) == X509_V_ERR_INVALID_PURPOSE &&
        X509_STORE_CTX_get_error_depth(store) == 0) {
        /* OpenSSL's purpose check also looks at Key Usage: say which of the two refused, as the
         * other backends do (the Extended Key Usage first) */
        X509 *leaf = X509_STORE_CTX_get_current_cert(store);
        uint32_t eku = leaf ? X509_get_extended_key_usage(leaf) : UINT32_MAX;
        uint32_t ku = leaf ? X509_get_key_usage(leaf) : UINT32_MAX;
        if ((eku == UINT32_MAX || (eku & XKU_SSL_SERVER)) && ku != UINT32_MAX && !(ku & KU_DIGITAL_SIGNATURE))
            snprintf(s->why, sizeof s->why, "%s", SIO__TLS_NOT_FOR_SIGNING);
    }
    return ok;
}

/* OpenSSL's chain verification, then the pins and the hook. */
static int sio__ossl_verify_chain(X509_STORE_CTX *store, void *arg)
{
    SSL *ssl = (SSL *)X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    sio__ossl_session *s = ssl ? (sio__ossl_session *)SSL_get_app_data(ssl) : NULL;
    X509 *leaf = X509_STORE_CTX_get0_cert(store);
    (void)arg;
    if (X509_verify_cert(store) != 1) return 0;
    if (!s || !leaf) return 0;
    if (X509_get_key_usage(leaf) != UINT32_MAX && !(X509_get_key_usage(leaf) & KU_DIGITAL_SIGNATURE)) {
        snprintf(s->why, sizeof s->why, "%s", SIO__TLS_NOT_FOR_SIGNING);   /* OpenSSL would take it */
        X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
        return 0;
    }
    if ((s->owner->pin_count || s->owner->verify) && !sio__ossl_pins_and_hook(s, leaf)) {
        X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
        return 0;
    }
    return 1;
}

static void *sio__ossl_open(void *user, const char *host, char *err, size_t err_size)
{
    sio_openssl *o = (sio_openssl *)user;
    sio__ossl_session *s;
    unsigned char ip[16];
    size_t ip_len = sio_ip_parse(host, ip);
    static const unsigned char alpn[] = { 8, 'h', 't', 't', 'p', '/', '1', '.', '1' };
    if (strlen(host) >= sizeof s->host) {
        snprintf(err, err_size, "tls: the host name is too long");
        return NULL;
    }
    s = (sio__ossl_session *)sio__realloc(&o->alloc, NULL, sizeof *s);
    if (!s) { snprintf(err, err_size, "out of memory"); return NULL; }
    memset(s, 0, sizeof *s);
    s->owner = o;
    strcpy(s->host, host);
    s->ssl = SSL_new(o->ctx);
    s->in = BIO_new(BIO_s_mem());
    s->out = BIO_new(BIO_s_mem());
    if (!s->ssl || !s->in || !s->out) {
        if (s->ssl) SSL_free(s->ssl);
        if (s->in) BIO_free(s->in);
        if (s->out) BIO_free(s->out);
        sio__realloc(&o->alloc, s, 0);
        snprintf(err, err_size, "out of memory for the TLS session");
        return NULL;
    }
    BIO_set_mem_eof_return(s->in, -1);                          /* empty: wait for more, not EOF */
    BIO_set_mem_eof_return(s->out, -1);
    SSL_set_bio(s->ssl, s->in, s->out);
    SSL_set_connect_state(s->ssl);
    SSL_set_app_data(s->ssl, s);
    if (!o->insecure) {
        X509_VERIFY_PARAM *param = SSL_get0_param(s->ssl);
        int ok;
        if (ip_len) {
            ok = X509_VERIFY_PARAM_set1_ip(param, ip, ip_len);
        } else {
            X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
            ok = X509_VERIFY_PARAM_set1_host(param, host, 0);
        }
        if (!ok) {
            SSL_free(s->ssl);
            sio__realloc(&o->alloc, s, 0);
            snprintf(err, err_size, "tls: cannot check the certificate against host '%.100s'", host);
            return NULL;
        }
    }
    if (!ip_len) SSL_set_tlsext_host_name(s->ssl, host);       /* no SNI for an address (RFC 6066 3) */
    SSL_set_alpn_protos(s->ssl, alpn, sizeof alpn);
    sio__ossl_step(s);                                          /* the ClientHello */
    return s;
}

static void sio__ossl_close(void *session)
{
    sio__ossl_session *s = (sio__ossl_session *)session;
    sio_openssl *o = s->owner;
    SSL_free(s->ssl);                                           /* and its BIOs */
    sio__realloc(&o->alloc, s, 0);
}

static unsigned char *sio__ossl_recv_buf(void *session, size_t *room)
{
    sio__ossl_session *s = (sio__ossl_session *)session;
    *room = 0;
    if (s->failed || s->closed || BIO_ctrl_pending(s->in) >= SIO__OSSL_MAX_IN) return NULL;
    *room = sizeof s->cipher_in;
    return s->cipher_in;
}

static void sio__ossl_recv_done(void *session, size_t len)
{
    sio__ossl_session *s = (sio__ossl_session *)session;
    if (len && BIO_write(s->in, s->cipher_in, (int)len) != (int)len) {
        snprintf(s->why, sizeof s->why, "out of memory for received TLS records");
        s->failed = 1;
        return;
    }
    sio__ossl_step(s);
}

static const unsigned char *sio__ossl_send_buf(void *session, size_t *len)
{
    sio__ossl_session *s = (sio__ossl_session *)session;
    if (s->out_at == s->out_len) {
        int n = BIO_pending(s->out) > 0 ? BIO_read(s->out, s->cipher_out, (int)sizeof s->cipher_out) : 0;
        s->out_at = 0;
        s->out_len = n > 0 ? (size_t)n : 0;
    }
    *len = s->out_len - s->out_at;
    return *len ? s->cipher_out + s->out_at : NULL;
}

static void sio__ossl_send_done(void *session, size_t len)
{
    sio__ossl_session *s = (sio__ossl_session *)session;
    s->out_at += len <= s->out_len - s->out_at ? len : s->out_len - s->out_at;
}

static const unsigned char *sio__ossl_read_buf(void *session, size_t *len)
{
    sio__ossl_session *s = (sio__ossl_session *)session;
    if (s->plain_at == s->plain_len && !s->failed && !s->closed && SSL_is_init_finished(s->ssl)) {
        int r;
        ERR_clear_error();
        r = SSL_read(s->ssl, s->plain_in, (int)sizeof s->plain_in);
        s->plain_at = 0;
        s->plain_len = r > 0 ? (size_t)r : 0;
        if (r <= 0) sio__ossl_check(s, r);
    }
    *len = s->plain_len - s->plain_at;
    return *len ? s->plain_in + s->plain_at : NULL;
}

static void sio__ossl_read_done(void *session, size_t len)
{
    sio__ossl_session *s = (sio__ossl_session *)session;
    s->plain_at += len <= s->plain_len - s->plain_at ? len : s->plain_len - s->plain_at;
}

static unsigned char *sio__ossl_write_buf(void *session, size_t *room)
{
    sio__ossl_session *s = (sio__ossl_session *)session;
    *room = 0;
    /* Plaintext only while no ciphertext waits: what the client hands over
     * then is all in send_buf once taken, which is how it knows when a
     * ping has left (an engine that kept taking plaintext hid up to 64 KiB
     * in the BIO, and a ping in it was counted sent too early). */
    if (s->failed || s->closed || !SSL_is_init_finished(s->ssl) || BIO_pending(s->out) > 0 || s->out_at < s->out_len)
        return NULL;
    *room = sizeof s->plain_out;
    return s->plain_out;
}

static void sio__ossl_write_done(void *session, size_t len)
{
    sio__ossl_session *s = (sio__ossl_session *)session;
    int r;
    if (!len || s->failed || s->closed) return;
    ERR_clear_error();
    r = SSL_write(s->ssl, s->plain_out, (int)len);       /* a memory BIO takes it all */
    if (r != (int)len && sio__ossl_check(s, r) == 0) {
        snprintf(s->why, sizeof s->why, "tls: a write was not taken whole");
        s->failed = 1;
    }
}

static int sio__ossl_status(void *session, char *err, size_t err_size)
{
    sio__ossl_session *s = (sio__ossl_session *)session;
    if (s->failed) {
        if (err && err_size) snprintf(err, err_size, "%s", s->why[0] ? s->why : "failure");
        return -1;
    }
    return s->closed ? 1 : 0;
}

/* The trust anchors of PEM text in memory; how many were added. */
static int sio__ossl_add_pem(SSL_CTX *ctx, const char *pem, size_t len)
{
    BIO *b = BIO_new_mem_buf(pem, (int)len);
    X509 *x;
    int added = 0;
    if (!b) return -1;
    while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
        if (X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), x) == 1) added++;
        X509_free(x);
    }
    ERR_clear_error();
    BIO_free(b);
    return added;
}

/* Trust anchors: the caller's, else SSL_CERT_FILE (named when it fails),
 * else OpenSSL's default store. */
static int sio__ossl_anchors(sio_openssl *o, const sio_openssl_config *cfg, char *err, size_t err_size)
{
    const char *env = getenv("SSL_CERT_FILE");
    if (cfg->ca_pem) {
        size_t len = cfg->ca_pem_len ? cfg->ca_pem_len : strlen(cfg->ca_pem);
        if (len > (size_t)16 << 20 || sio__ossl_add_pem(o->ctx, cfg->ca_pem, len) <= 0) {
            snprintf(err, err_size, "tls: no usable trust anchor in '(memory)'");
            return SIO_ERR_TLS;
        }
        return SIO_OK;
    }
    if (cfg->ca_file) {
        FILE *f = fopen(cfg->ca_file, "rb");
        if (!f) {
            snprintf(err, err_size, "tls: cannot read trust anchor file '%.150s'", cfg->ca_file);
            return SIO_ERR_IO;
        }
        fclose(f);
        if (SSL_CTX_load_verify_locations(o->ctx, cfg->ca_file, NULL) != 1) {
            ERR_clear_error();
            snprintf(err, err_size, "tls: no usable trust anchor in '%.150s'", cfg->ca_file);
            return SIO_ERR_TLS;
        }
        return SIO_OK;
    }
    if (o->insecure || o->pins_only) return SIO_OK;
    if (env && env[0]) {
        if (SSL_CTX_load_verify_locations(o->ctx, env, NULL) != 1) {
            ERR_clear_error();
            snprintf(err, err_size, "tls: cannot read trust anchor file (SSL_CERT_FILE) '%.150s'", env);
            return SIO_ERR_TLS;
        }
        return SIO_OK;
    }
    if (SSL_CTX_set_default_verify_paths(o->ctx) != 1) {
        ERR_clear_error();
        snprintf(err, err_size, "tls: no trust store found: give the CA (sio_openssl_config.ca_file or ca_pem; sioc --cafile)");
        return SIO_ERR_TLS;
    }
    return SIO_OK;
}

static int sio__ossl_client_cert(sio_openssl *o, const sio_openssl_config *cfg, char *err, size_t err_size)
{
    if (!cfg->cert_file && !cfg->key_file) return SIO_OK;
    if (!cfg->cert_file || !cfg->key_file) {
        snprintf(err, err_size, "tls: a client certificate needs both a certificate and a key file");
        return SIO_ERR_INVALID;
    }
    if (SSL_CTX_use_certificate_chain_file(o->ctx, cfg->cert_file) != 1) {
        ERR_clear_error();
        snprintf(err, err_size, "tls: no certificate found in '%.150s'", cfg->cert_file);
        return SIO_ERR_TLS;
    }
    if (SSL_CTX_use_PrivateKey_file(o->ctx, cfg->key_file, SSL_FILETYPE_PEM) != 1) {
        ERR_clear_error();
        snprintf(err, err_size, "tls: no private key found in '%.150s'", cfg->key_file);
        return SIO_ERR_TLS;
    }
    if (SSL_CTX_check_private_key(o->ctx) != 1) {
        ERR_clear_error();
        snprintf(err, err_size, "tls: the private key in '%.150s' does not match the certificate", cfg->key_file);
        return SIO_ERR_TLS;
    }
    return SIO_OK;
}


SIO_API int sio_openssl_create(const sio_openssl_config *cfg, sio_openssl **out, char *err, size_t err_size)
{
    sio_openssl *o;
    sio_allocator a;
    int r;
    char dummy[8];
    if (!err) { err = dummy; err_size = sizeof dummy; }
    err[0] = 0;
    if (!cfg || !out) return SIO_ERR_INVALID;
    *out = NULL;
    if (cfg->min_version && cfg->min_version != SIO_TLS_1_2 && cfg->min_version != SIO_TLS_1_3) {
        snprintf(err, err_size, "tls: min_version must be SIO_TLS_1_2 or SIO_TLS_1_3");
        return SIO_ERR_INVALID;
    }
    a = cfg->allocator;
    o = (sio_openssl *)sio__realloc(&a, NULL, sizeof *o);
    if (!o) return SIO_ERR_NOMEM;
    memset(o, 0, sizeof *o);
    o->alloc = a;
    o->insecure = cfg->insecure_skip_verify;
    o->verify = cfg->verify;
    o->verify_user = cfg->verify_user;
    o->ctx = SSL_CTX_new(TLS_client_method());
    if (!o->ctx) {
        sio__realloc(&a, o, 0);
        snprintf(err, err_size, "tls: OpenSSL could not make a context");
        return SIO_ERR_NOMEM;
    }
    SSL_CTX_set_min_proto_version(o->ctx, cfg->min_version == SIO_TLS_1_3 ? TLS1_3_VERSION : TLS1_2_VERSION);
    SSL_CTX_set_options(o->ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    /* TLS 1.2 as the BearSSL backend: ECDHE with AEAD only (TLS 1.3's suites all are) */
    SSL_CTX_set_cipher_list(o->ctx, "ECDHE+AESGCM:ECDHE+CHACHA20");
    SSL_CTX_set_mode(o->ctx, SSL_MODE_RELEASE_BUFFERS);
    if (!o->insecure) {
        SSL_CTX_set_verify(o->ctx, SSL_VERIFY_PEER, sio__ossl_verify_step);
        SSL_CTX_set_cert_verify_callback(o->ctx, sio__ossl_verify_chain, NULL);
    } else {
        SSL_CTX_set_verify(o->ctx, SSL_VERIFY_NONE, NULL);
    }
    o->table.user = o;
    o->table.open = sio__ossl_open;
    o->table.close = sio__ossl_close;
    o->table.recv_buf = sio__ossl_recv_buf;
    o->table.recv_done = sio__ossl_recv_done;
    o->table.send_buf = sio__ossl_send_buf;
    o->table.send_done = sio__ossl_send_done;
    o->table.read_buf = sio__ossl_read_buf;
    o->table.read_done = sio__ossl_read_done;
    o->table.write_buf = sio__ossl_write_buf;
    o->table.write_done = sio__ossl_write_done;
    o->table.status = sio__ossl_status;
    r = sio__tls_pins_load(&o->alloc, cfg->pins, cfg->pin_count, cfg->pins_instead_of_chain, &o->pins, err, err_size);
    o->pin_count = r == SIO_OK ? cfg->pin_count : 0;
    o->pins_only = cfg->pins_instead_of_chain;
    if (r == SIO_OK && (r = sio__ossl_anchors(o, cfg, err, err_size)) == SIO_OK)
        r = sio__ossl_client_cert(o, cfg, err, err_size);
    if (r != SIO_OK) {
        sio_openssl_destroy(o);
        return r;
    }
    *out = o;
    return SIO_OK;
}

SIO_API const sio_tls *sio_openssl_tls(const sio_openssl *o) { return o ? &o->table : NULL; }

SIO_API void sio_openssl_destroy(sio_openssl *o)
{
    sio_allocator a;
    if (!o) return;
    a = o->alloc;
    if (o->ctx) SSL_CTX_free(o->ctx);
    if (o->pins) sio__realloc(&a, o->pins, 0);
    sio__realloc(&a, o, 0);
}
#endif /* SIO_WITH_OPENSSL */
