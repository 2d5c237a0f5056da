/* ---------------------------------------------------------------------- */
/* sha1 (FIPS 180-4) / base64 (RFC 4648)                                   */
/* ---------------------------------------------------------------------- */

#define SIO__ROL32(x, n) (((x) << (n)) | ((x) >> (32 - (n))))

static void sio__sha1_block(uint32_t st[5], const unsigned char *b)
{
    uint32_t w[80], a, bb, c, d, e, t;
    int i;
    for (i = 0; i < 16; i++)
        w[i] = ((uint32_t)b[4 * i] << 24) | ((uint32_t)b[4 * i + 1] << 16) |
               ((uint32_t)b[4 * i + 2] << 8) | (uint32_t)b[4 * i + 3];
    for (i = 16; i < 80; i++) {
        t = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16];
        w[i] = SIO__ROL32(t, 1);
    }
    a = st[0]; bb = st[1]; c = st[2]; d = st[3]; e = st[4];
    for (i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) { f = (bb & c) | (~bb & d); k = 0x5A827999u; }
        else if (i < 40) { f = bb ^ c ^ d; k = 0x6ED9EBA1u; }
        else if (i < 60) { f = (bb & c) | (bb & d) | (c & d); k = 0x8F1BBCDCu; }
        else { f = bb ^ c ^ d; k = 0xCA62C1D6u; }
        t = SIO__ROL32(a, 5) + f + e + k + w[i];
        e = d; d = c; c = SIO__ROL32(bb, 30); bb = a; a = t;
    }
    st[0] += a; st[1] += bb; st[2] += c; st[3] += d; st[4] += e;
}

SIO_API void sio_sha1_init(sio_sha1 *s)
{
    s->state[0] = 0x67452301u; s->state[1] = 0xEFCDAB89u; s->state[2] = 0x98BADCFEu;
    s->state[3] = 0x10325476u; s->state[4] = 0xC3D2E1F0u;
    s->total = 0;
    s->used = 0;
}

SIO_API void sio_sha1_update(sio_sha1 *s, const void *data, size_t len)
{
    const unsigned char *p = (const unsigned char *)data;
    s->total += len;
    while (len > 0) {
        size_t take = 64 - s->used;
        if (take > len) take = len;
        if (s->used == 0 && len >= 64) {
            sio__sha1_block(s->state, p);
            take = 64;
        } else {
            memcpy(s->block + s->used, p, take);
            s->used += take;
            if (s->used == 64) { sio__sha1_block(s->state, s->block); s->used = 0; }
        }
        p += take;
        len -= take;
    }
}

SIO_API void sio_sha1_final(sio_sha1 *s, unsigned char digest[20])
{
    uint64_t bits = s->total * 8;
    int i;
    s->block[s->used++] = 0x80;
    if (s->used > 56) {
        memset(s->block + s->used, 0, 64 - s->used);
        sio__sha1_block(s->state, s->block);
        s->used = 0;
    }
    memset(s->block + s->used, 0, 56 - s->used);
    for (i = 0; i < 8; i++) s->block[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
    sio__sha1_block(s->state, s->block);
    for (i = 0; i < 20; i++) digest[i] = (unsigned char)(s->state[i / 4] >> (24 - 8 * (i % 4)));
}

static const char sio__b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

SIO_API size_t sio_base64_encode(const void *data, size_t len, char *out)
{
    const unsigned char *p = (const unsigned char *)data;
    size_t i, o = 0;
    for (i = 0; i + 2 < len; i += 3) {
        uint32_t v = ((uint32_t)p[i] << 16) | ((uint32_t)p[i + 1] << 8) | p[i + 2];
        out[o++] = sio__b64[v >> 18];
        out[o++] = sio__b64[(v >> 12) & 63];
        out[o++] = sio__b64[(v >> 6) & 63];
        out[o++] = sio__b64[v & 63];
    }
    if (i < len) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < len) v |= (uint32_t)p[i + 1] << 8;
        out[o++] = sio__b64[v >> 18];
        out[o++] = sio__b64[(v >> 12) & 63];
        out[o++] = (i + 1 < len) ? sio__b64[(v >> 6) & 63] : '=';
        out[o++] = '=';
    }
    out[o] = '\0';
    return o;
}

static int sio__b64_value(int ch)
{
    if (ch >= 'A' && ch <= 'Z') return ch - 'A';
    if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9') return ch - '0' + 52;
    if (ch == '+') return 62;
    if (ch == '/') return 63;
    return -1;
}

SIO_API int sio_base64_decode(const char *text, size_t len, void *out, size_t *out_len)
{
    unsigned char *o = (unsigned char *)out;
    size_t i, n = 0, pad = 0;
    uint32_t acc = 0;
    int bits = 0;
    if (len % 4 == 0 && len >= 1 && text[len - 1] == '=') pad++;
    if (len % 4 == 0 && len >= 2 && text[len - 2] == '=') pad++;
    if ((len - pad) % 4 == 1) return SIO_ERR_INVALID;
    for (i = 0; i < len - pad; i++) {
        int v = sio__b64_value((unsigned char)text[i]);
        if (v < 0) return SIO_ERR_INVALID;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            o[n++] = (unsigned char)(acc >> bits);
        }
    }
    if (out_len) *out_len = n;
    return SIO_OK;
}

