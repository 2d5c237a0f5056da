/* ---------------------------------------------------------------------- */
/* tls: what the bundled backends share (pins, the system's trust store)   */
/* ---------------------------------------------------------------------- */

SIO_API int sio_tls_pin_parse(const char *pin, unsigned char hash[32])
{
    unsigned char out[36];
    size_t n = 0;
    if (!pin || !hash || strncmp(pin, "sha256/", 7) != 0 || strlen(pin + 7) != 44 || pin[7 + 43] != '=' ||
        pin[7 + 42] == '=' || sio_base64_decode(pin + 7, 44, out, &n) != SIO_OK || n != 32)
        return 0;
    memcpy(hash, out, 32);
    return 1;
}

#if SIO__WITH_TLS
/* A server certificate whose Key Usage has no digitalSignature: it cannot
 * sign the ECDHE parameters or TLS 1.3's handshake (RFC 5246 7.4.2, RFC
 * 8446 4.4.2.2), so every backend refuses it before the pins and the hook. */
#define SIO__TLS_NOT_FOR_SIGNING "the certificate's Key Usage does not allow signing (digitalSignature), which " \
    "ECDHE and TLS 1.3 need"

/* Why a handshake failed, in the same words from every backend: no TLS
 * version or cipher suite in common (offered: what that backend offers),
 * or the server's fatal alert with what it usually means. */
static void sio__tls_no_common_text(char *out, size_t size, const char *offered)
{
    snprintf(out, size, "handshake failed: no TLS version or cipher suite in common with the server (offered: %s)",
             offered);
}

static void sio__tls_alert_text(char *out, size_t size, int alert, const char *offered)
{
    if (alert == 70 || alert == 71)                /* protocol_version, insufficient_security */
        sio__tls_no_common_text(out, size, offered);
    else if (alert == 40)
        snprintf(out, size, "handshake failed: the server sent fatal alert 40 (handshake failure: no TLS version or "
                 "cipher suite in common, a client certificate required, or a renegotiation refused)");
    else
        snprintf(out, size, "handshake failed: the server sent fatal alert %d%s", alert,
                 alert == 42 || alert == 116 ? " (a client certificate may be required)" : "");
}

/* The caller's pins, parsed into *out (count hashes, from the allocator),
 * or a sentence in err. */
static int sio__tls_pins_load(const sio_allocator *a, const char *const *pins, size_t count, int instead_of_chain,
                              unsigned char (**out)[32], char *err, size_t err_size)
{
    size_t i;
    *out = NULL;
    if (instead_of_chain && !count) {
        snprintf(err, err_size, "tls: pins_instead_of_chain needs pins");
        return SIO_ERR_INVALID;
    }
    if (!count) return SIO_OK;
    if (!pins || count > 1024) {
        snprintf(err, err_size, "tls: pins NULL, or more than 1024");
        return SIO_ERR_INVALID;
    }
    *out = (unsigned char (*)[32])sio__realloc(a, NULL, count * 32);
    if (!*out) return SIO_ERR_NOMEM;
    for (i = 0; i < count; i++)
        if (!sio_tls_pin_parse(pins[i], (*out)[i])) {
            snprintf(err, err_size, "tls: pin %u is not sha256/ and the base64 of 32 bytes: '%.60s'", (unsigned)i + 1,
                     pins[i] ? pins[i] : "(null)");
            return SIO_ERR_INVALID;        /* the caller frees *out with the rest */
        }
    return SIO_OK;
}

/* Whether hash (a server key's) is one of the n pins. */
static int sio__tls_pinned(const unsigned char (*pins)[32], size_t n, const unsigned char hash[32])
{
    size_t i;
    for (i = 0; i < n; i++)
        if (memcmp(pins[i], hash, 32) == 0) return 1;
    return 0;
}
#endif

/* ---- the system's trust store, for backends that read PEM bundles ---- */
#if defined(SIO_WITH_BEARSSL) || defined(SIO_WITH_MBEDTLS)
/* Where systems keep their trust store, in the order tried when no CA is
 * given (after SSL_CERT_FILE and SSL_CERT_DIR). */
static const char *const sio__tls_bundles[] = {
    SIO_DEFAULT_CA_FILE,                                    /* Debian, Ubuntu, Arch, Gentoo */
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",    /* Fedora, RHEL 7+ */
    "/etc/pki/tls/certs/ca-bundle.crt",                     /* RHEL 6, CentOS */
    "/etc/ssl/ca-bundle.pem",                               /* openSUSE, SLES */
    "/etc/ssl/cert.pem",                                    /* Alpine, macOS, OpenBSD */
    "/usr/local/share/certs/ca-root-nss.crt",               /* FreeBSD */
    "/usr/local/etc/openssl/cert.pem"                       /* macOS with Homebrew's OpenSSL */
};
#endif
