/* ---------------------------------------------------------------------- */
/* tls: the BearSSL backend (SIO_WITH_BEARSSL)                             */
/* ---------------------------------------------------------------------- */
#ifdef SIO_WITH_BEARSSL
#include <bearssl.h>
#if defined(__unix__) || defined(__APPLE__)
#include <dirent.h>                       /* SSL_CERT_DIR */
#define SIO__BSSL_HAS_DIRS 1
#else
#define SIO__BSSL_HAS_DIRS 0
#endif
#ifdef _WIN32
#include <windows.h>
#include <wincrypt.h>                     /* the ROOT store (link crypt32) */
#ifdef _MSC_VER
#pragma comment(lib, "crypt32.lib")
#endif
#endif

struct sio_bearssl {
    sio_tls table;
    sio_allocator alloc;
    br_x509_trust_anchor *anchors;
    size_t anchor_count, anchor_cap;
    br_x509_certificate *chain;        /* client certificate chain */
    size_t chain_len, chain_cap;
    br_skey_decoder_context key;       /* the client's private key lives in here */
    int has_key, insecure, half_duplex;
    unsigned min_version;
    int legacy_suites, renegotiation, any_eku;
    unsigned char (*pins)[32];         /* SHA-256 of pinned SubjectPublicKeyInfos */
    size_t pin_count;
    int pins_only;
    int (*verify)(void *, const char *, const unsigned char *, size_t, char *, size_t);
    void *verify_user;
};

/* Accepts any certificate: only the end-entity key is extracted. */
typedef struct sio__bssl_insecure {
    const br_x509_class *vtable;
    br_x509_decoder_context dc;
    int first;
} sio__bssl_insecure;

/* BearSSL's chain validation, plus what it leaves out: the server
 * certificate's Extended Key Usage, and its IP address SANs for an IP
 * host (no SNI is sent for those, so BearSSL has no name to check). */
typedef struct sio__bssl_check {
    const br_x509_class *vtable;
    const br_x509_class **inner;       /* the minimal validator */
    const sio_allocator *alloc;
    unsigned char *ee;                 /* the server's own certificate, while the chain arrives */
    size_t ee_len, ee_cap;
    unsigned depth;
    int any_eku, too_big;
    unsigned char ip[16];              /* the host as an address (ip_len 4 or 16), or ip_len 0 */
    size_t ip_len;
    const struct sio_bearssl *owner;   /* pins and the verification hook */
    const br_ssl_engine_context *eng;  /* the suite the server chose (its hello came first) */
    const char *host;
    const char *why;                   /* set when this check (not BearSSL's) refused */
    char hook_why[160];
} sio__bssl_check;

typedef struct sio__bssl_session {
    char host[256];
    br_ssl_client_context cc;
    br_x509_minimal_context xc;
    sio__bssl_insecure xi;
    sio__bssl_check check;
    sio_bearssl *owner;
    unsigned char *iobuf;
} sio__bssl_session;

typedef struct sio__blob {
    unsigned char *buf;
    size_t len, cap;
    const sio_allocator *alloc;
    int oom;
} sio__blob;

static void sio__blob_append(void *ctx, const void *data, size_t len)
{
    sio__blob *b = (sio__blob *)ctx;
    if (b->oom || sio__reserve(b->alloc, &b->buf, &b->cap, b->len + len) != SIO_OK) {
        b->oom = 1;
        return;
    }
    memcpy(b->buf + b->len, data, len);
    b->len += len;
}

static void sio__dn_ignore(void *ctx, const void *data, size_t len) { (void)ctx; (void)data; (void)len; }

static void sio__xi_start_chain(const br_x509_class **ctx, const char *server_name)
{
    sio__bssl_insecure *x = (sio__bssl_insecure *)(void *)ctx;
    (void)server_name;
    br_x509_decoder_init(&x->dc, sio__dn_ignore, NULL);
    x->first = 1;
}
static void sio__xi_start_cert(const br_x509_class **ctx, uint32_t length) { (void)ctx; (void)length; }
static void sio__xi_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
    sio__bssl_insecure *x = (sio__bssl_insecure *)(void *)ctx;
    if (x->first) br_x509_decoder_push(&x->dc, buf, len);
}
static void sio__xi_end_cert(const br_x509_class **ctx) { ((sio__bssl_insecure *)(void *)ctx)->first = 0; }
static unsigned sio__xi_end_chain(const br_x509_class **ctx)
{
    sio__bssl_insecure *x = (sio__bssl_insecure *)(void *)ctx;
    return br_x509_decoder_get_pkey(&x->dc) ? 0 : BR_ERR_X509_INVALID_VALUE;
}
static const br_x509_pkey *sio__xi_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
    sio__bssl_insecure *x = (sio__bssl_insecure *)(void *)ctx;
    if (usages) *usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
    return br_x509_decoder_get_pkey(&x->dc);
}
static const br_x509_class sio__xi_vtable = {
    sizeof(sio__bssl_insecure), sio__xi_start_chain, sio__xi_start_cert, sio__xi_append,
    sio__xi_end_cert, sio__xi_end_chain, sio__xi_get_pkey
};

#define SIO__MAX_CERT (64u * 1024u)     /* a server certificate larger than this is refused */

static void sio__xc_start_chain(const br_x509_class **ctx, const char *server_name)
{
    sio__bssl_check *x = (sio__bssl_check *)(void *)ctx;
    x->depth = 0;
    x->ee_len = 0;
    x->too_big = 0;
    x->why = NULL;
    (*x->inner)->start_chain(x->inner, server_name);
}
static void sio__xc_start_cert(const br_x509_class **ctx, uint32_t length)
{
    sio__bssl_check *x = (sio__bssl_check *)(void *)ctx;
    if (x->depth == 0) {
        if (length > SIO__MAX_CERT) x->too_big = 1;
        else if (sio__reserve(x->alloc, &x->ee, &x->ee_cap, length) != SIO_OK) x->too_big = 2;   /* no memory */
    }
    (*x->inner)->start_cert(x->inner, length);
}
static void sio__xc_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
    sio__bssl_check *x = (sio__bssl_check *)(void *)ctx;
    if (x->depth == 0 && !x->too_big) {
        if (len > x->ee_cap - x->ee_len) x->too_big = 1;
        else {
            memcpy(x->ee + x->ee_len, buf, len);
            x->ee_len += len;
        }
    }
    (*x->inner)->append(x->inner, buf, len);
}
static void sio__xc_end_cert(const br_x509_class **ctx)
{
    sio__bssl_check *x = (sio__bssl_check *)(void *)ctx;
    x->depth++;
    (*x->inner)->end_cert(x->inner);
}
/* The pins and the hook, once every other check passed: 0, or why not. */
static unsigned sio__xc_pins_and_hook(sio__bssl_check *x)
{
    const sio_bearssl *b = x->owner;
    if (b->pin_count) {
        const unsigned char *spki;
        size_t spki_len;
        unsigned char hash[32];
        br_sha256_context h;
        if (sio_x509_spki(x->ee, x->ee_len, &spki, &spki_len) != 1) {
            x->why = "the server's certificate is malformed";
            return BR_ERR_X509_INVALID_VALUE;
        }
        br_sha256_init(&h);
        br_sha256_update(&h, spki, spki_len);
        br_sha256_out(&h, hash);
        if (!sio__tls_pinned((const unsigned char (*)[32])b->pins, b->pin_count, hash)) {
            x->why = "the server's key matches none of the pins";
            return BR_ERR_X509_NOT_TRUSTED;
        }
    }
    if (b->verify) {
        x->hook_why[0] = 0;
        if (b->verify(b->verify_user, x->host, x->ee, x->ee_len, x->hook_why, sizeof x->hook_why)) {
            x->hook_why[sizeof x->hook_why - 1] = 0;
            if (!x->hook_why[0]) snprintf(x->hook_why, sizeof x->hook_why, "the verification hook refused the certificate");
            x->why = x->hook_why;
            return BR_ERR_X509_NOT_TRUSTED;
        }
    }
    return 0;
}

/* What the suite the server chose does with its key: encrypt to it
 * (static RSA) or agree with it (static ECDH), both only with
 * allow_legacy_suites, or sign with it (ECDHE). */
static unsigned sio__bssl_key_use(const br_ssl_engine_context *eng)
{
    switch (eng->session.cipher_suite) {
    case BR_TLS_RSA_WITH_3DES_EDE_CBC_SHA: case BR_TLS_RSA_WITH_AES_128_CBC_SHA: case BR_TLS_RSA_WITH_AES_256_CBC_SHA:
    case BR_TLS_RSA_WITH_AES_128_CBC_SHA256: case BR_TLS_RSA_WITH_AES_256_CBC_SHA256:
    case BR_TLS_RSA_WITH_AES_128_GCM_SHA256: case BR_TLS_RSA_WITH_AES_256_GCM_SHA384:
    case BR_TLS_RSA_WITH_AES_128_CCM: case BR_TLS_RSA_WITH_AES_256_CCM:
    case BR_TLS_RSA_WITH_AES_128_CCM_8: case BR_TLS_RSA_WITH_AES_256_CCM_8:
        return SIO_X509_KU_KEY_ENCIPHERMENT;
    case BR_TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA: case BR_TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA:
    case BR_TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA: case BR_TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA:
    case BR_TLS_ECDH_RSA_WITH_AES_128_CBC_SHA: case BR_TLS_ECDH_RSA_WITH_AES_256_CBC_SHA:
    case BR_TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256: case BR_TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384:
    case BR_TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256: case BR_TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384:
    case BR_TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256: case BR_TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384:
    case BR_TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256: case BR_TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384:
        return SIO_X509_KU_KEY_AGREEMENT;
    default:
        return SIO_X509_KU_DIGITAL_SIGNATURE;
    }
}

static unsigned sio__xc_end_chain(const br_x509_class **ctx)
{
    sio__bssl_check *x = (sio__bssl_check *)(void *)ctx;
    unsigned r = (*x->inner)->end_chain(x->inner);
    int eku = 1, ip = 1;
    if (r == BR_ERR_X509_NOT_TRUSTED && x->owner->pins_only) r = 0;    /* the pins decide */
    if (r == 0) {
        if (x->too_big || !x->ee_len) {
            x->why = x->too_big == 1 ? "the server's certificate is too large to check (64 KiB at most)"
                     : x->too_big ? "out of memory checking the server's certificate"
                                  : "the server sent an empty certificate";
            r = BR_ERR_X509_LIMIT_EXCEEDED;
        } else {
            unsigned use = sio__bssl_key_use(x->eng);
            int key = 1;
            if (!x->any_eku) eku = sio_x509_allows_server(x->ee, x->ee_len);
            if (eku == 1 && x->ip_len) ip = sio_x509_has_ip(x->ee, x->ee_len, x->ip, x->ip_len);
            /* BearSSL would refuse a key the suite cannot use only after the hook, and
             * takes nonRepudiation for signing */
            if (eku == 1 && ip == 1) key = sio_x509_key_allows(x->ee, x->ee_len, use);
            if (eku != 1 || ip != 1 || key != 1) {
                x->why = eku < 0 || ip < 0 || key < 0 ? "the server's certificate is malformed"
                         : !eku ? "the certificate's Extended Key Usage does not allow a TLS server (serverAuth)"
                         : !ip ? "the certificate has no IP address SAN for the host"
                         : use == SIO_X509_KU_DIGITAL_SIGNATURE ? SIO__TLS_NOT_FOR_SIGNING
                         : "the certificate's Key Usage does not allow the key exchange the server chose "
                           "(keyEncipherment or keyAgreement)";
                r = eku == 0 || key == 0 ? BR_ERR_X509_FORBIDDEN_KEY_USAGE : BR_ERR_X509_BAD_SERVER_NAME;
            }
            if (r == 0) r = sio__xc_pins_and_hook(x);
        }
    }
    sio__free(x->alloc, x->ee);
    x->ee = NULL;
    x->ee_len = x->ee_cap = 0;
    return r;
}
static const br_x509_pkey *sio__xc_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
    const sio__bssl_check *x = (const sio__bssl_check *)(const void *)ctx;
    return (*x->inner)->get_pkey(x->inner, usages);
}
static const br_x509_class sio__xc_vtable = {
    sizeof(sio__bssl_check), sio__xc_start_chain, sio__xc_start_cert, sio__xc_append,
    sio__xc_end_cert, sio__xc_end_chain, sio__xc_get_pkey
};

/* Calls fn for every PEM object in text. */
static int sio__pem_each(const sio_allocator *a, const unsigned char *pem, size_t len,
                         int (*fn)(sio_bearssl *b, const char *name, const unsigned char *der, size_t n),
                         sio_bearssl *b)
{
    br_pem_decoder_context pc;
    sio__blob der;
    char name[128];
    int inobj = 0, r = SIO_OK, pass;
    memset(&der, 0, sizeof der);
    der.alloc = a;
    br_pem_decoder_init(&pc);
    for (pass = 0; pass < 2 && r == SIO_OK; pass++) {
        /* a final newline makes sure the last END line is seen */
        const unsigned char *p = pass ? (const unsigned char *)"\n" : pem;
        size_t left = pass ? 1 : len;
        while (left > 0 && r == SIO_OK) {
            size_t used = br_pem_decoder_push(&pc, p, left);
            p += used;
            left -= used;
            switch (br_pem_decoder_event(&pc)) {
            case BR_PEM_BEGIN_OBJ:
                snprintf(name, sizeof name, "%s", br_pem_decoder_name(&pc));
                der.len = 0;
                br_pem_decoder_setdest(&pc, sio__blob_append, &der);
                inobj = 1;
                break;
            case BR_PEM_END_OBJ:
                if (inobj) r = der.oom ? SIO_ERR_NOMEM : fn(b, name, der.buf, der.len);
                inobj = 0;
                break;
            case BR_PEM_ERROR:
                r = SIO_ERR_TLS;
                break;
            default:
                break;
            }
        }
    }
    if (der.buf) sio__realloc(a, der.buf, 0);
    return r;
}

static unsigned char *sio__bssl_dup(sio_bearssl *b, const unsigned char *p, size_t n)
{
    unsigned char *q = (unsigned char *)sio__realloc(&b->alloc, NULL, n ? n : 1);
    if (q && n) memcpy(q, p, n);
    return q;
}

static int sio__is_cert(const char *name)
{
    return strcmp(name, "CERTIFICATE") == 0 || strcmp(name, "X509 CERTIFICATE") == 0;
}

static int sio__bssl_add_anchor(sio_bearssl *b, const char *name, const unsigned char *der, size_t n)
{
    br_x509_decoder_context dc;
    const br_x509_pkey *pk;
    br_x509_trust_anchor *ta;
    sio__blob dn;
    if (!sio__is_cert(name)) return SIO_OK;
    memset(&dn, 0, sizeof dn);
    dn.alloc = &b->alloc;
    br_x509_decoder_init(&dc, sio__blob_append, &dn);
    br_x509_decoder_push(&dc, der, n);
    pk = br_x509_decoder_get_pkey(&dc);
    if (!pk || dn.oom) {                      /* unusable: skipped, as other clients do */
        if (dn.buf) sio__realloc(&b->alloc, dn.buf, 0);
        return dn.oom ? SIO_ERR_NOMEM : SIO_OK;
    }
    if (b->anchor_count == b->anchor_cap) {
        size_t cap = b->anchor_cap ? b->anchor_cap * 2 : 16;
        void *p = sio__realloc(&b->alloc, b->anchors, cap * sizeof *b->anchors);
        if (!p) { sio__realloc(&b->alloc, dn.buf, 0); return SIO_ERR_NOMEM; }
        b->anchors = (br_x509_trust_anchor *)p;
        b->anchor_cap = cap;
    }
    ta = &b->anchors[b->anchor_count];
    memset(ta, 0, sizeof *ta);
    ta->dn.data = dn.buf;
    ta->dn.len = dn.len;
    ta->flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
    ta->pkey.key_type = pk->key_type;
    if (pk->key_type == BR_KEYTYPE_RSA) {
        ta->pkey.key.rsa.n = sio__bssl_dup(b, pk->key.rsa.n, pk->key.rsa.nlen);
        ta->pkey.key.rsa.nlen = pk->key.rsa.nlen;
        ta->pkey.key.rsa.e = sio__bssl_dup(b, pk->key.rsa.e, pk->key.rsa.elen);
        ta->pkey.key.rsa.elen = pk->key.rsa.elen;
    } else {
        ta->pkey.key.ec.curve = pk->key.ec.curve;
        ta->pkey.key.ec.q = sio__bssl_dup(b, pk->key.ec.q, pk->key.ec.qlen);
        ta->pkey.key.ec.qlen = pk->key.ec.qlen;
    }
    if (pk->key_type == BR_KEYTYPE_RSA ? !ta->pkey.key.rsa.n || !ta->pkey.key.rsa.e : !ta->pkey.key.ec.q) {
        if (pk->key_type == BR_KEYTYPE_RSA) {     /* out of memory: not an anchor with a NULL key */
            sio__free(&b->alloc, ta->pkey.key.rsa.n);
            sio__free(&b->alloc, ta->pkey.key.rsa.e);
        }
        sio__free(&b->alloc, dn.buf);
        return SIO_ERR_NOMEM;
    }
    b->anchor_count++;
    return SIO_OK;
}

static int sio__bssl_add_chain(sio_bearssl *b, const char *name, const unsigned char *der, size_t n)
{
    if (!sio__is_cert(name)) return SIO_OK;
    if (b->chain_len == b->chain_cap) {
        size_t cap = b->chain_cap ? b->chain_cap * 2 : 4;
        void *p = sio__realloc(&b->alloc, b->chain, cap * sizeof *b->chain);
        if (!p) return SIO_ERR_NOMEM;
        b->chain = (br_x509_certificate *)p;
        b->chain_cap = cap;
    }
    b->chain[b->chain_len].data = sio__bssl_dup(b, der, n);
    b->chain[b->chain_len].data_len = n;
    if (!b->chain[b->chain_len].data) return SIO_ERR_NOMEM;
    b->chain_len++;
    return SIO_OK;
}

static int sio__bssl_add_key(sio_bearssl *b, const char *name, const unsigned char *der, size_t n)
{
    if (strstr(name, "PRIVATE KEY") == NULL) return SIO_OK;
    br_skey_decoder_init(&b->key);
    br_skey_decoder_push(&b->key, der, n);
    if (br_skey_decoder_last_error(&b->key) != 0) return SIO_ERR_TLS;
    b->has_key = 1;
    return SIO_OK;
}

/* Reads a whole file (bounded: trust bundles are small). */
static int sio__read_file(const sio_allocator *a, const char *path, unsigned char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    sio__blob blob;
    unsigned char chunk[4096];
    size_t n;
    if (!f) return SIO_ERR_IO;
    memset(&blob, 0, sizeof blob);
    blob.alloc = a;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && !blob.oom && blob.len < ((size_t)16 << 20))
        sio__blob_append(&blob, chunk, n);
    fclose(f);
    if (blob.oom || blob.len >= ((size_t)16 << 20)) {
        if (blob.buf) sio__realloc(a, blob.buf, 0);
        return blob.oom ? SIO_ERR_NOMEM : SIO_ERR_TOO_BIG;
    }
    *out = blob.buf;
    *len = blob.len;
    return SIO_OK;
}

static int sio__pem_file(sio_bearssl *b, const char *path, const char *what,
                         int (*fn)(sio_bearssl *, const char *, const unsigned char *, size_t),
                         char *err, size_t err_size)
{
    unsigned char *text = NULL;
    size_t len = 0;
    int r = sio__read_file(&b->alloc, path, &text, &len);
    if (r != SIO_OK) {
        snprintf(err, err_size, "tls: cannot read %s '%.150s'", what, path);
        return r;
    }
    r = sio__pem_each(&b->alloc, text, len, fn, b);
    if (text) sio__realloc(&b->alloc, text, 0);
    if (r != SIO_OK) snprintf(err, err_size, "tls: %s '%.150s' is not valid PEM", what, path);
    return r;
}


#if SIO__BSSL_HAS_DIRS
/* Every PEM file of the directories in list (':'-separated, as OpenSSL's
 * SSL_CERT_DIR); files that are not PEM certificates are skipped. */
static void sio__bssl_anchor_dirs(sio_bearssl *b, const char *list)
{
    char dir[512], path[1024], ignored[8];
    while (*list) {
        size_t n = strcspn(list, ":");
        DIR *d;
        struct dirent *e;
        if (n && n < sizeof dir) {
            memcpy(dir, list, n);
            dir[n] = 0;
            if ((d = opendir(dir)) != NULL) {
                while ((e = readdir(d)) != NULL) {
                    if (e->d_name[0] == '.' || strlen(dir) + strlen(e->d_name) + 2 > sizeof path) continue;
                    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
                    sio__pem_file(b, path, "trust anchor file", sio__bssl_add_anchor, ignored, sizeof ignored);
                }
                closedir(d);
            }
        }
        list += n + (list[n] == ':');
    }
}
#endif

#ifdef _WIN32
/* Whether Windows lets a root vouch for servers: its purposes, when the
 * store restricts them, include server authentication. */
static int sio__bssl_root_for_servers(PCCERT_CONTEXT cert)
{
    union { CERT_ENHKEY_USAGE usage; unsigned char room[1024]; } buf;
    PCERT_ENHKEY_USAGE usage = &buf.usage;
    DWORD size = sizeof buf, i;
    if (!CertGetEnhancedKeyUsage(cert, CERT_FIND_PROP_ONLY_ENHKEY_USAGE_FLAG, usage, &size))
        return GetLastError() == (DWORD)CRYPT_E_NOT_FOUND;  /* no restriction; a longer list: not trusted */
    if (usage->cUsageIdentifier == 0) return 1;
    for (i = 0; i < usage->cUsageIdentifier; i++)
        if (strcmp(usage->rgpszUsageIdentifier[i], szOID_PKIX_KP_SERVER_AUTH) == 0) return 1;
    return 0;
}

/* Windows keeps its trust anchors in the system's ROOT certificate store,
 * not in a file.  Roots restricted to other purposes (e-mail, code
 * signing) and certificates BearSSL cannot use are skipped. */
static int sio__bssl_windows_roots(sio_bearssl *b)
{
    HCERTSTORE store = CertOpenSystemStoreA(0, "ROOT");
    PCCERT_CONTEXT cert = NULL;
    int r = SIO_OK;
    if (!store) return SIO_OK;
    while (r == SIO_OK && (cert = CertEnumCertificatesInStore(store, cert)) != NULL)
        if (sio__bssl_root_for_servers(cert))
            r = sio__bssl_add_anchor(b, "CERTIFICATE", cert->pbCertEncoded, cert->cbCertEncoded);
    if (cert) CertFreeCertificateContext(cert);
    CertCloseStore(store, 0);
    return r;
}
#define SIO__BSSL_SYSTEM_STORE "the Windows ROOT store, "
#else
#define SIO__BSSL_SYSTEM_STORE ""
#endif

/* The system's trust store, when the caller gave no CA: SSL_CERT_FILE
 * (which must then be good), the files of SSL_CERT_DIR, on Windows the
 * ROOT store, then the first of the usual bundles that holds an anchor.
 * err names what was tried. */
static int sio__bssl_system_anchors(sio_bearssl *b, char *err, size_t err_size)
{
    const char *file = getenv("SSL_CERT_FILE"), *dirs = getenv("SSL_CERT_DIR");
    char ignored[8];
    size_t i;
    if (file && file[0]) {
        int r = sio__pem_file(b, file, "trust anchor file (SSL_CERT_FILE)", sio__bssl_add_anchor, err, err_size);
        if (r == SIO_OK && !b->anchor_count) {
            snprintf(err, err_size, "tls: no usable trust anchor in '%.150s' (SSL_CERT_FILE)", file);
            r = SIO_ERR_TLS;
        }
        return r;
    }
#if SIO__BSSL_HAS_DIRS
    if (dirs && dirs[0]) sio__bssl_anchor_dirs(b, dirs);
#else
    (void)dirs;
#endif
#ifdef _WIN32
    if (!b->anchor_count && sio__bssl_windows_roots(b) != SIO_OK) {
        snprintf(err, err_size, "tls: out of memory reading the Windows ROOT store");
        return SIO_ERR_NOMEM;
    }
#endif
    for (i = 0; !b->anchor_count && i < sizeof sio__tls_bundles / sizeof sio__tls_bundles[0]; i++)
        sio__pem_file(b, sio__tls_bundles[i], "trust anchor file", sio__bssl_add_anchor, ignored, sizeof ignored);
    if (b->anchor_count) return SIO_OK;
    snprintf(err, err_size, "tls: no trust store found (tried SSL_CERT_FILE, SSL_CERT_DIR, " SIO__BSSL_SYSTEM_STORE "%s and %d other bundles): "
             "give the CA (sio_bearssl_config.ca_file or ca_pem; sioc --cafile)", SIO_DEFAULT_CA_FILE,
             (int)(sizeof sio__tls_bundles / sizeof sio__tls_bundles[0]) - 1);
    return SIO_ERR_TLS;
}

/* Why a session failed, in words. */
#define SIO__BSSL_OFFERED "TLS 1.2, ECDHE with AES-GCM or ChaCha20-Poly1305, unless relaxed"

static void sio__bssl_describe(const sio__bssl_session *s, int e, char *err, size_t err_size)
{
    if (!err || !err_size) return;
    if (s && s->check.why)
        snprintf(err, err_size, "%s", s->check.why);
    else if (e == BR_ERR_X509_NOT_TRUSTED)
        snprintf(err, err_size, "certificate chain is not trusted (no trust anchor matches; see --cafile)");
    else if (e == BR_ERR_X509_BAD_SERVER_NAME)
        snprintf(err, err_size, "certificate does not match the host name");
    else if (e == BR_ERR_X509_EXPIRED)
        snprintf(err, err_size, "certificate expired or not yet valid");
    else if (e >= BR_ERR_X509_OK && e < BR_ERR_X509_OK + 64)
        snprintf(err, err_size, "certificate rejected (BearSSL X.509 error %d)", e);
    else if (e == BR_ERR_BAD_VERSION || e == BR_ERR_BAD_CIPHER_SUITE)
        sio__tls_no_common_text(err, err_size, SIO__BSSL_OFFERED);
    else if (e >= BR_ERR_RECV_FATAL_ALERT && e < BR_ERR_SEND_FATAL_ALERT)
        sio__tls_alert_text(err, err_size, e - BR_ERR_RECV_FATAL_ALERT, SIO__BSSL_OFFERED);
    else if (e >= BR_ERR_SEND_FATAL_ALERT)
        snprintf(err, err_size, "handshake failed: sent fatal alert %d", e - BR_ERR_SEND_FATAL_ALERT);
    else
        snprintf(err, err_size, "handshake failed (BearSSL error %d)", e);
}

static void *sio__bssl_open(void *user, const char *host, char *err, size_t err_size)
{
    sio_bearssl *b = (sio_bearssl *)user;
    sio__bssl_session *s = (sio__bssl_session *)sio__realloc(&b->alloc, NULL, sizeof *s);
    size_t iolen = b->half_duplex ? BR_SSL_BUFSIZE_MONO : BR_SSL_BUFSIZE_BIDI;
    if (!s) { snprintf(err, err_size, "out of memory"); return NULL; }
    memset(s, 0, sizeof *s);
    s->owner = b;
    if (strlen(host) >= sizeof s->host) {
        sio__realloc(&b->alloc, s, 0);
        snprintf(err, err_size, "tls: the host name is too long");
        return NULL;
    }
    strcpy(s->host, host);
    s->iobuf = (unsigned char *)sio__realloc(&b->alloc, NULL, iolen);
    if (!s->iobuf) {
        sio__realloc(&b->alloc, s, 0);
        snprintf(err, err_size, "out of memory for the TLS buffers");
        return NULL;
    }
    br_ssl_client_init_full(&s->cc, &s->xc, b->anchors, b->anchor_count);
    s->check.ip_len = sio_ip_parse(host, s->check.ip);
    if (b->insecure) {
        s->xi.vtable = &sio__xi_vtable;
        br_ssl_engine_set_x509(&s->cc.eng, &s->xi.vtable);
    } else {
        s->check.vtable = &sio__xc_vtable;
        s->check.inner = &s->xc.vtable;
        s->check.alloc = &b->alloc;
        s->check.any_eku = b->any_eku;
        s->check.owner = b;
        s->check.eng = &s->cc.eng;
        s->check.host = s->host;
        br_ssl_engine_set_x509(&s->cc.eng, &s->check.vtable);
    }
    br_ssl_engine_set_versions(&s->cc.eng, b->min_version ? b->min_version : BR_TLS12, BR_TLS12);
    if (!b->legacy_suites) {
        /* AEAD first; a server held at TLS 1.0/1.1 has no AEAD suite, so
         * allowing those versions allows their forward-secret CBC suites */
        static const uint16_t suites[] = {
            BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            BR_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, BR_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
            BR_TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, BR_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA
        };
        size_t n = sizeof suites / sizeof suites[0];
        br_ssl_engine_set_suites(&s->cc.eng, suites, b->min_version && b->min_version < BR_TLS12 ? n : n - 4);
    }
    if (!b->renegotiation) br_ssl_engine_add_flags(&s->cc.eng, BR_OPT_NO_RENEGOTIATION);
    if (b->has_key && b->chain_len) {
        if (br_skey_decoder_key_type(&b->key) == BR_KEYTYPE_RSA)
            br_ssl_client_set_single_rsa(&s->cc, b->chain, b->chain_len, br_skey_decoder_get_rsa(&b->key),
                                         br_rsa_pkcs1_sign_get_default());
        else
            br_ssl_client_set_single_ec(&s->cc, b->chain, b->chain_len, br_skey_decoder_get_ec(&b->key),
                                        BR_KEYTYPE_SIGN | BR_KEYTYPE_KEYX, BR_KEYTYPE_EC, br_ec_get_default(),
                                        br_ecdsa_sign_asn1_get_default());
    }
    br_ssl_engine_set_buffer(&s->cc.eng, s->iobuf, iolen, !b->half_duplex);
    /* No SNI for an address (RFC 6066 3); the check above matches its IP SANs. */
    if (!br_ssl_client_reset(&s->cc, s->check.ip_len ? NULL : host, 0)) {
        sio__bssl_describe(s, br_ssl_engine_last_error(&s->cc.eng), err, err_size);
        sio__realloc(&b->alloc, s->iobuf, 0);
        sio__realloc(&b->alloc, s, 0);
        return NULL;
    }
    return s;
}

static void sio__bssl_close(void *session)
{
    sio__bssl_session *s = (sio__bssl_session *)session;
    sio_bearssl *b = s->owner;
    sio__free(&b->alloc, s->check.ee);           /* a handshake cut off while the chain arrived */
    sio__realloc(&b->alloc, s->iobuf, 0);
    sio__realloc(&b->alloc, s, 0);
}

#define SIO__ENG(session) (&((sio__bssl_session *)(session))->cc.eng)
static unsigned char *sio__bssl_recv_buf(void *s, size_t *n) { return br_ssl_engine_recvrec_buf(SIO__ENG(s), n); }
static void sio__bssl_recv_done(void *s, size_t n) { br_ssl_engine_recvrec_ack(SIO__ENG(s), n); }
static const unsigned char *sio__bssl_send_buf(void *s, size_t *n) { return br_ssl_engine_sendrec_buf(SIO__ENG(s), n); }
static void sio__bssl_send_done(void *s, size_t n) { br_ssl_engine_sendrec_ack(SIO__ENG(s), n); }
static const unsigned char *sio__bssl_read_buf(void *s, size_t *n) { return br_ssl_engine_recvapp_buf(SIO__ENG(s), n); }
static void sio__bssl_read_done(void *s, size_t n) { br_ssl_engine_recvapp_ack(SIO__ENG(s), n); }
static unsigned char *sio__bssl_write_buf(void *s, size_t *n) { return br_ssl_engine_sendapp_buf(SIO__ENG(s), n); }
static void sio__bssl_write_done(void *s, size_t n)
{
    br_ssl_engine_sendapp_ack(SIO__ENG(s), n);
    br_ssl_engine_flush(SIO__ENG(s), 0);
}

static int sio__bssl_status(void *s, char *err, size_t err_size)
{
    int e;
    if (br_ssl_engine_current_state(SIO__ENG(s)) != BR_SSL_CLOSED) return 0;
    e = br_ssl_engine_last_error(SIO__ENG(s));
    if (e == BR_ERR_OK) return 1;
    sio__bssl_describe((const sio__bssl_session *)s, e, err, err_size);
    return -1;
}


SIO_API int sio_bearssl_create(const sio_bearssl_config *cfg, sio_bearssl **out, char *err, size_t err_size)
{
    sio_bearssl *b;
    sio_allocator a;
    int r = SIO_OK;
    char dummy[8];
    if (!err) { err = dummy; err_size = sizeof dummy; }
    err[0] = 0;
    if (!cfg || !out) return SIO_ERR_INVALID;
    *out = NULL;
    a = cfg->allocator;
    b = (sio_bearssl *)sio__realloc(&a, NULL, sizeof *b);
    if (!b) return SIO_ERR_NOMEM;
    memset(b, 0, sizeof *b);
    b->alloc = a;
    b->insecure = cfg->insecure_skip_verify;
    b->half_duplex = cfg->half_duplex;
    if (cfg->min_version && (cfg->min_version < SIO_TLS_1_0 || cfg->min_version > SIO_TLS_1_2)) {
        sio__realloc(&a, b, 0);
        snprintf(err, err_size, "tls: min_version must be SIO_TLS_1_0, SIO_TLS_1_1 or SIO_TLS_1_2");
        return SIO_ERR_INVALID;
    }
    b->min_version = cfg->min_version;
    b->legacy_suites = cfg->allow_legacy_suites;
    b->renegotiation = cfg->allow_renegotiation;
    b->any_eku = cfg->allow_any_eku;
    b->verify = cfg->verify;
    b->verify_user = cfg->verify_user;
    if ((r = sio__tls_pins_load(&b->alloc, cfg->pins, cfg->pin_count, cfg->pins_instead_of_chain, &b->pins, err,
                                err_size)) != SIO_OK) {
        sio_bearssl_destroy(b);
        return r;
    }
    b->pin_count = cfg->pin_count;
    b->pins_only = cfg->pins_instead_of_chain;
    b->table.user = b;
    b->table.open = sio__bssl_open;
    b->table.close = sio__bssl_close;
    b->table.recv_buf = sio__bssl_recv_buf;
    b->table.recv_done = sio__bssl_recv_done;
    b->table.send_buf = sio__bssl_send_buf;
    b->table.send_done = sio__bssl_send_done;
    b->table.read_buf = sio__bssl_read_buf;
    b->table.read_done = sio__bssl_read_done;
    b->table.write_buf = sio__bssl_write_buf;
    b->table.write_done = sio__bssl_write_done;
    b->table.status = sio__bssl_status;
    if (cfg->ca_pem) {
        r = sio__pem_each(&b->alloc, (const unsigned char *)cfg->ca_pem,
                          cfg->ca_pem_len ? cfg->ca_pem_len : strlen(cfg->ca_pem), sio__bssl_add_anchor, b);
        if (r != SIO_OK) snprintf(err, err_size, "tls: the trust anchors in memory are not valid PEM");
    } else if (cfg->ca_file) {
        r = sio__pem_file(b, cfg->ca_file, "trust anchor file", sio__bssl_add_anchor, err, err_size);
    } else if (!b->insecure && !b->pins_only) {
        r = sio__bssl_system_anchors(b, err, err_size);
    }
    if (r == SIO_OK && !b->insecure && !b->pins_only && b->anchor_count == 0) {
        snprintf(err, err_size, "tls: no usable trust anchor in '%.150s'", cfg->ca_file ? cfg->ca_file : "(memory)");
        r = SIO_ERR_TLS;
    }
    if (r == SIO_OK && (cfg->cert_file || cfg->key_file)) {
        if (!cfg->cert_file || !cfg->key_file) {
            snprintf(err, err_size, "tls: a client certificate needs both a certificate and a key file");
            r = SIO_ERR_INVALID;
        }
        if (r == SIO_OK) r = sio__pem_file(b, cfg->cert_file, "client certificate", sio__bssl_add_chain, err, err_size);
        if (r == SIO_OK) r = sio__pem_file(b, cfg->key_file, "client key", sio__bssl_add_key, err, err_size);
        if (r == SIO_OK && (!b->chain_len || !b->has_key)) {
            snprintf(err, err_size, "tls: no %s found in '%.150s'", b->chain_len ? "private key" : "certificate",
                     b->chain_len ? cfg->key_file : cfg->cert_file);
            r = SIO_ERR_TLS;
        }
    }
    if (r != SIO_OK) {
        sio_bearssl_destroy(b);
        return r;
    }
    *out = b;
    return SIO_OK;
}

SIO_API const sio_tls *sio_bearssl_tls(const sio_bearssl *b) { return b ? &b->table : NULL; }

SIO_API void sio_bearssl_destroy(sio_bearssl *b)
{
    size_t i;
    sio_allocator a;
    if (!b) return;
    a = b->alloc;
    for (i = 0; i < b->anchor_count; i++) {
        br_x509_trust_anchor *ta = &b->anchors[i];
        sio__realloc(&a, ta->dn.data, 0);
        if (ta->pkey.key_type == BR_KEYTYPE_RSA) {
            sio__realloc(&a, ta->pkey.key.rsa.n, 0);
            sio__realloc(&a, ta->pkey.key.rsa.e, 0);
        } else {
            sio__realloc(&a, ta->pkey.key.ec.q, 0);
        }
    }
    if (b->anchors) sio__realloc(&a, b->anchors, 0);
    for (i = 0; i < b->chain_len; i++) sio__realloc(&a, b->chain[i].data, 0);
    if (b->chain) sio__realloc(&a, b->chain, 0);
    if (b->pins) sio__realloc(&a, b->pins, 0);
    memset(&b->key, 0, sizeof b->key);        /* do not leave the private key in freed memory */
    sio__realloc(&a, b, 0);
}
#endif /* SIO_WITH_BEARSSL */
