/* ---------------------------------------------------------------------- */
/* x509: Extended Key Usage and IP address SANs (RFC 5280)                */
/* ---------------------------------------------------------------------- */

/* One DER element in p[0..n): its tag, header length and content length.
 * Returns 0 when it does not fit or is not DER this code reads. */
static int sio__der(const unsigned char *p, size_t n, unsigned *tag, size_t *hdr, size_t *len)
{
    size_t l, k, i;
    if (n < 2 || (p[0] & 0x1f) == 0x1f) return 0;       /* certificates use no high tag numbers */
    *tag = p[0];
    l = p[1];
    *hdr = 2;
    if (l & 0x80) {
        k = l & 0x7f;
        if (k == 0 || k > 3 || n - 2 < k) return 0;     /* 16 MiB is more than any certificate */
        for (l = 0, i = 0; i < k; i++) l = (l << 8) | p[2 + i];
        *hdr = 2 + k;
    }
    if (l > n - *hdr) return 0;
    *len = l;
    return 1;
}

/* The contents of extension oid's extnValue.  Returns 1, 0 (absent), -1
 * (malformed, or present twice: RFC 5280 4.2 allows one, and validators
 * that keep the last copy would disagree with one that reads the first). */
static int sio__x509_extension(const unsigned char *der, size_t n, const unsigned char *oid, size_t oid_len,
                               const unsigned char **value, size_t *value_len)
{
    unsigned tag;
    size_t hdr, len, pos;
    int field, found;
    if (!sio__der(der, n, &tag, &hdr, &len) || tag != 0x30) return -1;        /* Certificate */
    der += hdr;
    if (!sio__der(der, len, &tag, &hdr, &len) || tag != 0x30) return -1;      /* TBSCertificate */
    der += hdr;
    n = len;
    for (pos = 0, field = 0; pos < n; pos += hdr + len, field++) {
        if (!sio__der(der + pos, n - pos, &tag, &hdr, &len) || field > 10) return -1;
        if (tag == 0xa3) break;                                               /* [3] extensions */
    }
    if (pos >= n) return 0;
    der += pos + hdr;
    if (!sio__der(der, len, &tag, &hdr, &len) || tag != 0x30) return -1;
    der += hdr;
    n = len;
    for (pos = 0, found = 0; pos < n; pos += hdr + len) {
        const unsigned char *e;
        size_t ehdr, elen, at, h2, l2;
        unsigned t2;
        if (!sio__der(der + pos, n - pos, &tag, &hdr, &len) || tag != 0x30) return -1;   /* Extension */
        e = der + pos + hdr;
        if (!sio__der(e, len, &t2, &ehdr, &elen) || t2 != 0x06) return -1;              /* extnID */
        if (ehdr + elen != oid_len || memcmp(e, oid, oid_len) != 0) continue;
        if (found++) return -1;
        at = ehdr + elen;
        if (!sio__der(e + at, len - at, &t2, &h2, &l2)) return -1;
        if (t2 == 0x01) {                                                               /* critical */
            at += h2 + l2;
            if (!sio__der(e + at, len - at, &t2, &h2, &l2)) return -1;
        }
        if (t2 != 0x04) return -1;                                                      /* extnValue */
        *value = e + at + h2;
        *value_len = l2;
    }
    return found ? 1 : 0;
}

SIO_API int sio_x509_allows_server(const unsigned char *der, size_t len)
{
    static const unsigned char eku[] = { 0x06, 0x03, 0x55, 0x1d, 0x25 };
    static const unsigned char server_auth[] = { 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01 };
    static const unsigned char any_eku[] = { 0x06, 0x04, 0x55, 0x1d, 0x25, 0x00 };
    const unsigned char *v;
    size_t n, pos, hdr, l;
    unsigned tag;
    int r;
    if (!der) return -1;
    r = sio__x509_extension(der, len, eku, sizeof eku, &v, &n);
    if (r <= 0) return r < 0 ? -1 : 1;                  /* no Extended Key Usage: any use */
    if (!sio__der(v, n, &tag, &hdr, &l) || tag != 0x30) return -1;
    v += hdr;
    for (pos = 0; pos < l; pos += hdr + n) {
        if (!sio__der(v + pos, l - pos, &tag, &hdr, &n) || tag != 0x06) return -1;
        if ((hdr + n == sizeof server_auth && memcmp(v + pos, server_auth, sizeof server_auth) == 0) ||
            (hdr + n == sizeof any_eku && memcmp(v + pos, any_eku, sizeof any_eku) == 0))
            return 1;
    }
    return 0;
}

SIO_API int sio_x509_key_allows(const unsigned char *der, size_t len, unsigned usage)
{
    static const unsigned char key_usage[] = { 0x06, 0x03, 0x55, 0x1d, 0x0f };
    const unsigned char *v;
    size_t n, hdr, l;
    unsigned tag;
    int r;
    if (!der || usage > 8) return -1;
    r = sio__x509_extension(der, len, key_usage, sizeof key_usage, &v, &n);
    if (r <= 0) return r < 0 ? -1 : 1;                  /* no Key Usage: any use */
    /* BIT STRING: the count of unused bits, then the bits, bit 0 first (the top of the first
     * byte); the unused bits at the end are padding, whatever they hold */
    if (!sio__der(v, n, &tag, &hdr, &l) || tag != 0x03 || l < 1 || v[hdr] > 7 || (l == 1 && v[hdr])) return -1;
    if (1 + usage / 8 >= l) return 0;                   /* the bits after the last byte are 0 */
    if (1 + usage / 8 == l - 1 && 7 - usage % 8 < v[hdr]) return 0;
    return (v[hdr + 1 + usage / 8] >> (7 - usage % 8)) & 1;
}

/* TBSCertificate: [0] version (optional), serialNumber, signature, issuer,
 * validity, subject, subjectPublicKeyInfo (RFC 5280 4.1). */
SIO_API int sio_x509_spki(const unsigned char *der, size_t len, const unsigned char **spki, size_t *spki_len)
{
    unsigned tag;
    size_t hdr, n, pos, el = 0;
    int field;
    if (!der || !spki || !spki_len) return -1;
    if (!sio__der(der, len, &tag, &hdr, &n) || tag != 0x30) return -1;       /* Certificate */
    der += hdr;
    if (!sio__der(der, n, &tag, &hdr, &n) || tag != 0x30) return -1;         /* TBSCertificate */
    der += hdr;
    for (pos = 0, field = 0; pos < n; pos += hdr + el) {
        if (!sio__der(der + pos, n - pos, &tag, &hdr, &el)) return -1;
        if (pos == 0 && tag == 0xa0) continue;                               /* the version does not count */
        if (field++ == 5) {
            if (tag != 0x30) return -1;
            *spki = der + pos;
            *spki_len = hdr + el;
            return 1;
        }
    }
    return -1;
}

SIO_API int sio_x509_has_ip(const unsigned char *der, size_t len, const unsigned char *ip, size_t ip_len)
{
    static const unsigned char san[] = { 0x06, 0x03, 0x55, 0x1d, 0x11 };
    const unsigned char *v;
    size_t n, pos, hdr, l;
    unsigned tag;
    int r;
    if (!der || !ip) return -1;
    r = sio__x509_extension(der, len, san, sizeof san, &v, &n);
    if (r <= 0) return r;
    if (!sio__der(v, n, &tag, &hdr, &l) || tag != 0x30) return -1;
    v += hdr;
    for (pos = 0; pos < l; pos += hdr + n) {
        if (!sio__der(v + pos, l - pos, &tag, &hdr, &n)) return -1;
        if (tag == 0x87 && n == ip_len && memcmp(v + pos + hdr, ip, ip_len) == 0) return 1;   /* [7] iPAddress */
    }
    return 0;
}


