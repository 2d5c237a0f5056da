/* ---------------------------------------------------------------------- */
/* ws                                                                      */
/* ---------------------------------------------------------------------- */

SIO_API int sio_ws_parse_header(sio_ws_frame *f, const unsigned char *buf, size_t len, const char **why)
{
    size_t hl = 2;
    unsigned n;
    if (len < 2) return 0;
    f->fin = buf[0] >> 7;
    f->rsv = (buf[0] >> 4) & 7u;
    f->opcode = buf[0] & 15u;
    f->masked = buf[1] >> 7;
    n = buf[1] & 127u;
    if (n == 126) {
        if (len < 4) return 0;
        f->length = ((uint64_t)buf[2] << 8) | buf[3];
        if (f->length < 126) {
            if (why) *why = "ws: 16-bit frame length used for a payload under 126 bytes (RFC 6455 5.2)";
            return SIO_ERR_PROTOCOL;
        }
        hl = 4;
    } else if (n == 127) {
        int i;
        if (len < 10) return 0;
        if (buf[2] & 0x80) {
            if (why) *why = "ws: 64-bit frame length has its most significant bit set (RFC 6455 5.2)";
            return SIO_ERR_PROTOCOL;
        }
        f->length = 0;
        for (i = 2; i < 10; i++) f->length = (f->length << 8) | buf[i];
        if (f->length < 65536) {
            if (why) *why = "ws: 64-bit frame length used for a payload under 65536 bytes (RFC 6455 5.2)";
            return SIO_ERR_PROTOCOL;
        }
        hl = 10;
    } else {
        f->length = n;
    }
    if (f->masked) {
        if (len < hl + 4) return 0;
        memcpy(f->mask, buf + hl, 4);
        hl += 4;
    } else {
        memset(f->mask, 0, 4);
    }
    f->header_len = hl;
    return 1;
}

SIO_API int sio_ws_peek_frame(const unsigned char *buf, size_t len, sio_ws_frame *f, const unsigned char **payload)
{
    int r = sio_ws_parse_header(f, buf, len, NULL);
    if (r != 1) return r;
    if (f->length > len - f->header_len) return 0;
    *payload = buf + f->header_len;
    return 1;
}

SIO_API size_t sio_ws_frame_size(uint64_t payload_len, int masked)
{
    size_t hl = payload_len < 126 ? 2 : payload_len < 65536 ? 4 : 10;
    return hl + (masked ? 4 : 0) + (size_t)payload_len;
}

/* Eight key bytes starting at rotation `offset`, as they lie in memory, so
 * XOR with a word loaded by memcpy is correct on any byte order. */
static uint64_t sio__mask_word(const unsigned char key[4], size_t offset)
{
    unsigned char k[8];
    uint64_t w;
    int i;
    for (i = 0; i < 8; i++) k[i] = key[(offset + (size_t)i) & 3];
    memcpy(&w, k, 8);
    return w;
}

/* dst = src XOR key (dst may equal src); word-at-a-time, no alignment needed. */
static void sio__mask_copy(unsigned char *dst, const unsigned char *src, size_t len,
                           const unsigned char key[4], size_t offset)
{
    uint64_t k = sio__mask_word(key, offset);
    size_t i = 0;
#if defined(SIO__SIMD_SSE2) || defined(SIO__SIMD_NEON)
    if (len >= 64) {
        unsigned char k16[16];
        memcpy(k16, &k, 8);
        memcpy(k16 + 8, &k, 8);
#if defined(SIO__SIMD_AVX2)
        {
            __m256i kv = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)k16));
            for (; i + 64 <= len; i += 64) {
                __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)(src + i));
                __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(src + i + 32));
                _mm256_storeu_si256((__m256i *)(void *)(dst + i), _mm256_xor_si256(a, kv));
                _mm256_storeu_si256((__m256i *)(void *)(dst + i + 32), _mm256_xor_si256(b, kv));
            }
        }
#elif defined(SIO__SIMD_SSE2)
        {
            __m128i kv = _mm_loadu_si128((const __m128i *)(const void *)k16);
            for (; i + 64 <= len; i += 64) {
                __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(src + i));
                __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(src + i + 16));
                __m128i c = _mm_loadu_si128((const __m128i *)(const void *)(src + i + 32));
                __m128i d = _mm_loadu_si128((const __m128i *)(const void *)(src + i + 48));
                _mm_storeu_si128((__m128i *)(void *)(dst + i), _mm_xor_si128(a, kv));
                _mm_storeu_si128((__m128i *)(void *)(dst + i + 16), _mm_xor_si128(b, kv));
                _mm_storeu_si128((__m128i *)(void *)(dst + i + 32), _mm_xor_si128(c, kv));
                _mm_storeu_si128((__m128i *)(void *)(dst + i + 48), _mm_xor_si128(d, kv));
            }
        }
#else
        {
            uint8x16_t kv = vld1q_u8(k16);
            for (; i + 64 <= len; i += 64) {
                vst1q_u8(dst + i, veorq_u8(vld1q_u8(src + i), kv));
                vst1q_u8(dst + i + 16, veorq_u8(vld1q_u8(src + i + 16), kv));
                vst1q_u8(dst + i + 32, veorq_u8(vld1q_u8(src + i + 32), kv));
                vst1q_u8(dst + i + 48, veorq_u8(vld1q_u8(src + i + 48), kv));
            }
        }
#endif
    }
#endif
    for (; i + 32 <= len; i += 32) {
        uint64_t a, b, c, d;
        memcpy(&a, src + i, 8); memcpy(&b, src + i + 8, 8);
        memcpy(&c, src + i + 16, 8); memcpy(&d, src + i + 24, 8);
        a ^= k; b ^= k; c ^= k; d ^= k;
        memcpy(dst + i, &a, 8); memcpy(dst + i + 8, &b, 8);
        memcpy(dst + i + 16, &c, 8); memcpy(dst + i + 24, &d, 8);
    }
    for (; i + 8 <= len; i += 8) {
        uint64_t a;
        memcpy(&a, src + i, 8);
        a ^= k;
        memcpy(dst + i, &a, 8);
    }
    for (; i < len; i++) dst[i] = (unsigned char)(src[i] ^ key[(offset + i) & 3]);
}

SIO_API void sio_ws_mask(unsigned char *data, size_t len, const unsigned char key[4], size_t offset)
{
    sio__mask_copy(data, data, len, key, offset);
}

SIO_API size_t sio_ws_encode_header(unsigned char *out, int fin, int opcode, uint64_t len, const unsigned char *mask)
{
    size_t hl;
    out[0] = (unsigned char)((fin ? 0x80 : 0) | (opcode & 15));
    if (len < 126) {
        out[1] = (unsigned char)len;
        hl = 2;
    } else if (len < 65536) {
        out[1] = 126;
        out[2] = (unsigned char)(len >> 8);
        out[3] = (unsigned char)len;
        hl = 4;
    } else {
        int i;
        out[1] = 127;
        for (i = 0; i < 8; i++) out[2 + i] = (unsigned char)(len >> (56 - 8 * i));
        hl = 10;
    }
    if (mask) {
        out[1] |= 0x80;
        memcpy(out + hl, mask, 4);
        hl += 4;
    }
    return hl;
}

SIO_API size_t sio_ws_encode(unsigned char *out, int fin, int opcode, const void *payload,
                             size_t len, const unsigned char *mask)
{
    size_t hl = sio_ws_encode_header(out, fin, opcode, (uint64_t)len, mask);
    if (len && mask) sio__mask_copy(out + hl, (const unsigned char *)payload, len, mask, 0);
    else if (len) memcpy(out + hl, payload, len);
    return hl + len;
}

SIO_API void sio_ws_accept_key(const char *key, char out[29])
{
    static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    sio_sha1 s;
    unsigned char digest[20];
    sio_sha1_init(&s);
    sio_sha1_update(&s, key, strlen(key));
    sio_sha1_update(&s, guid, sizeof guid - 1);
    sio_sha1_final(&s, digest);
    sio_base64_encode(digest, 20, out);
}

SIO_API int sio_ws_close_code_valid(int code)
{
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
           (code >= 3000 && code <= 4999);
}

static int sio__ws_rx_fail(sio_ws_rx *rx, int code, const char *why)
{
    rx->fail_code = code;
    rx->error = why;
    return code == SIO_CLOSE_TOO_BIG ? SIO_ERR_TOO_BIG
         : code == SIO_CLOSE_INTERNAL ? SIO_ERR_NOMEM : SIO_ERR_PROTOCOL;
}

SIO_API const char *sio_ws_frame_check(const sio_ws_frame *f, int from_client, int compression)
{
    if ((f->rsv & 3) || ((f->rsv & 4) && !compression))
        return "ws: reserved bits set without a negotiated extension (RFC 6455 5.2)";
    if ((f->rsv & 4) && (f->opcode >= 8 || f->opcode == SIO_WS_CONTINUATION))
        return "ws: RSV1 set on a control or continuation frame (RFC 7692 6.1)";
    if (from_client && !f->masked)
        return "ws: client frame was not masked (RFC 6455 5.1)";
    if (!from_client && f->masked)
        return "ws: server frame was masked (RFC 6455 5.1)";
    if (f->opcode >= 8) {
        if (f->opcode > SIO_WS_PONG)
            return "ws: unknown control opcode (RFC 6455 5.2)";
        if (!f->fin)
            return "ws: fragmented control frame (RFC 6455 5.5)";
        if (f->length > 125)
            return "ws: control frame payload over 125 bytes (RFC 6455 5.5)";
        return NULL;
    }
    if (f->opcode > SIO_WS_BINARY)
        return "ws: unknown data opcode (RFC 6455 5.2)";
    return NULL;
}

/* Checks a server frame's header against the rules, including the ones
 * that depend on the frames before it (RFC 6455 5.4) and on the limit. */
static int sio__ws_rx_check(sio_ws_rx *rx, const sio_ws_frame *f, size_t max)
{
    const char *broken = sio_ws_frame_check(f, 0, rx->compression);
    if (broken) return sio__ws_rx_fail(rx, 1002, broken);
    if (f->opcode >= 8) return SIO_OK;
    if (f->opcode == SIO_WS_CONTINUATION && !rx->in_message)
        return sio__ws_rx_fail(rx, 1002, "ws: continuation frame without a message in progress (RFC 6455 5.4)");
    if (f->opcode != SIO_WS_CONTINUATION && rx->in_message)
        return sio__ws_rx_fail(rx, 1002, "ws: new data frame while a fragmented message is in progress (RFC 6455 5.4)");
    if (f->length > (uint64_t)max - (rx->in_message ? rx->buffer_len : 0))
        return sio__ws_rx_fail(rx, 1009, "ws: message exceeds the configured max_message");
    return SIO_OK;
}

static int sio__ws_rx_close(sio_ws_rx *rx, const unsigned char *p, size_t len, sio_ws_message *msg)
{
    msg->close_code = SIO_CLOSE_NO_STATUS;
    msg->reason = (const char *)p;
    msg->reason_len = 0;
    if (len == 1)
        return sio__ws_rx_fail(rx, 1002, "ws: close frame with a 1-byte payload (RFC 6455 5.5.1)");
    if (len >= 2) {
        msg->close_code = (p[0] << 8) | p[1];
        if (!sio_ws_close_code_valid(msg->close_code))
            return sio__ws_rx_fail(rx, 1002, "ws: close frame with an invalid status code (RFC 6455 7.4)");
        if (!sio_utf8_valid(p + 2, len - 2))
            return sio__ws_rx_fail(rx, 1002, "ws: close reason is not valid UTF-8 (RFC 6455 5.5.1)");
        msg->reason = (const char *)p + 2;
        msg->reason_len = len - 2;
    }
    return SIO_OK;
}

/* Bytes the header starting at buf takes, as far as rest bytes tell. */
static size_t sio__ws_header_need(const unsigned char *buf, size_t rest)
{
    size_t hl = 2;
    if (rest >= 2) {
        unsigned n = buf[1] & 127u;
        hl += (n == 126 ? 2u : n == 127 ? 8u : 0u) + ((buf[1] & 0x80) ? 4u : 0u);
    }
    return hl;
}

/* A data frame that is part of a fragmented message: appended to the
 * assembly buffer.  1 with *msg when the message is complete, 0 while more
 * fragments are due, or a negative status. */
static int sio__ws_rx_fragment(sio_ws_rx *rx, const sio_ws_frame *f, const unsigned char *payload, sio_ws_message *msg)
{
    if (sio__reserve(&rx->allocator, &rx->buffer, &rx->buffer_cap,
                     rx->buffer_len + (size_t)f->length + 1) != SIO_OK)
        return sio__ws_rx_fail(rx, 1011, "ws: out of memory assembling a fragmented message");
    if (f->length) memcpy(rx->buffer + rx->buffer_len, payload, (size_t)f->length);
    rx->buffer_len += (size_t)f->length;
    if (f->opcode != SIO_WS_CONTINUATION) {
        rx->in_message = 1;
        rx->message_opcode = (int)f->opcode;
        rx->message_compressed = (f->rsv & 4) != 0;
    }
    if (!f->fin) return 0;
    rx->buffer[rx->buffer_len] = 0;
    msg->opcode = rx->message_opcode;
    msg->data = rx->buffer;
    msg->len = rx->buffer_len;
    msg->final = 1;
    msg->compressed = rx->message_compressed;
    rx->buffer_len = 0;                          /* reused from the next call on */
    rx->in_message = 0;
    memset(&rx->utf8, 0, sizeof rx->utf8);
    return 1;
}

/* rx.parts: the payload bytes of the current data frame that buf holds,
 * handed over as one part (validated as UTF-8 on the way when text).
 * Returns 1 with *msg, 0 when buf holds none, or a negative status. */
static int sio__ws_rx_part(sio_ws_rx *rx, const unsigned char *buf, size_t len, size_t *pos, sio_ws_message *msg)
{
    size_t n = len - *pos;
    int text = rx->message_opcode == SIO_WS_TEXT;
    if ((uint64_t)n > rx->frame_left) n = (size_t)rx->frame_left;
    if (n == 0 && (rx->frame_left || !rx->frame_fin)) return 0;
    if (text && sio_utf8_feed(&rx->utf8, buf + *pos, n) != SIO_OK)
        return sio__ws_rx_fail(rx, 1007, "ws: text message is not valid UTF-8 (RFC 6455 8.1)");
    msg->opcode = rx->message_opcode;
    msg->data = buf + *pos;
    msg->len = n;
    msg->offset = rx->part_offset;
    rx->frame_left -= n;
    rx->part_offset += n;
    *pos += n;
    msg->final = rx->frame_fin && rx->frame_left == 0;
    if (msg->final) {
        if (text && !sio_utf8_complete(&rx->utf8))
            return sio__ws_rx_fail(rx, 1007, "ws: text message ends inside a UTF-8 sequence (RFC 6455 8.1)");
        rx->in_message = 0;
        rx->part_offset = 0;
        memset(&rx->utf8, 0, sizeof rx->utf8);
    }
    return 1;
}

SIO_API int sio_ws_rx_feed(sio_ws_rx *rx, const unsigned char *buf, size_t len,
                           size_t *consumed, size_t *need, sio_ws_message *msg)
{
    size_t pos = 0;
    size_t max = rx->max_message ? rx->max_message : SIO__DEFAULT_MAX_MESSAGE;
    *consumed = 0;
    if (need) *need = 0;
    memset(msg, 0, sizeof *msg);
    if (rx->error) return sio__ws_rx_fail(rx, rx->fail_code, rx->error);
    for (;;) {
        sio_ws_frame f;
        const char *why = NULL;
        const unsigned char *payload;
        size_t avail;
        int text, r, streamed;
        if (rx->frame_left) {                        /* inside a frame handed over in parts */
            r = sio__ws_rx_part(rx, buf, len, &pos, msg);
            *consumed = pos;
            if (r == 0 && need) *need = 1;
            return r;
        }
        r = sio_ws_parse_header(&f, buf + pos, len - pos, &why);
        if (r == 0) {
            *consumed = pos;
            if (need) *need = sio__ws_header_need(buf + pos, len - pos);
            return 0;
        }
        if (r < 0) return sio__ws_rx_fail(rx, 1002, why);
        streamed = rx->parts && f.opcode < 8 &&
                   (f.opcode == SIO_WS_CONTINUATION ? rx->in_message && !rx->message_compressed : !(f.rsv & 4)) &&
                   (rx->parts != SIO_WS_PARTS_BINARY ||
                    (f.opcode == SIO_WS_CONTINUATION ? rx->message_opcode : (int)f.opcode) == SIO_WS_BINARY);
        if ((r = sio__ws_rx_check(rx, &f, streamed ? (size_t)-1 : max)) != SIO_OK) return r;
        if (streamed) {                              /* its payload goes out as it comes */
            if (f.opcode != SIO_WS_CONTINUATION) {
                rx->in_message = 1;
                rx->message_opcode = (int)f.opcode;
                rx->message_compressed = 0;
            }
            pos += f.header_len;
            rx->frame_left = f.length;
            rx->frame_fin = f.fin != 0;
            if (f.length || f.fin) {
                r = sio__ws_rx_part(rx, buf, len, &pos, msg);
                *consumed = pos;
                if (r == 0 && need) *need = 1;
                return r;
            }
            continue;                                /* an empty fragment: nothing to hand over */
        }
        payload = buf + pos + f.header_len;
        avail = len - pos - f.header_len;
        text = f.opcode == SIO_WS_TEXT || (f.opcode == SIO_WS_CONTINUATION && rx->message_opcode == SIO_WS_TEXT);
        if (f.opcode == SIO_WS_CONTINUATION ? rx->message_compressed : (f.rsv & 4) != 0)
            text = 0;                                /* compressed: checked once inflated */
        if (avail > f.length) avail = (size_t)f.length;
        /* Validate text as it arrives, even before the frame is complete. */
        if (text && avail > rx->frame_checked) {
            if (sio_utf8_feed(&rx->utf8, payload + rx->frame_checked, avail - (size_t)rx->frame_checked) != SIO_OK)
                return sio__ws_rx_fail(rx, 1007, "ws: text message is not valid UTF-8 (RFC 6455 8.1)");
            rx->frame_checked = avail;
        }
        if (avail < f.length) {
            *consumed = pos;
            if (need) *need = f.header_len + (size_t)f.length;
            return 0;
        }
        rx->frame_checked = 0;
        pos += f.header_len + (size_t)f.length;
        if (f.opcode >= 8) {
            msg->opcode = (int)f.opcode;
            msg->data = payload;
            msg->len = (size_t)f.length;
            if (f.opcode == SIO_WS_CLOSE && (r = sio__ws_rx_close(rx, payload, msg->len, msg)) != SIO_OK)
                return r;
            *consumed = pos;
            return 1;
        }
        if (f.fin && text && !sio_utf8_complete(&rx->utf8))
            return sio__ws_rx_fail(rx, 1007, "ws: text message ends inside a UTF-8 sequence (RFC 6455 8.1)");
        if (f.fin && !rx->in_message) {              /* whole message in one frame: zero-copy */
            memset(&rx->utf8, 0, sizeof rx->utf8);
            msg->opcode = (int)f.opcode;
            msg->data = payload;
            msg->len = (size_t)f.length;
            msg->final = 1;
            msg->compressed = (f.rsv & 4) != 0;
            *consumed = pos;
            return 1;
        }
        if ((r = sio__ws_rx_fragment(rx, &f, payload, msg)) != 0) {
            if (r == 1) *consumed = pos;
            return r;
        }
    }
}

SIO_API void sio_ws_rx_free(sio_ws_rx *rx)
{
    if (rx->buffer) sio__realloc(&rx->allocator, rx->buffer, 0);
    rx->buffer = NULL;
    rx->buffer_len = rx->buffer_cap = 0;
}

