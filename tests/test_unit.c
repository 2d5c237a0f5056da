/* Unit tests of the sans-I/O layers of sio.h: url, sha1, base64, utf8,
 * http and the WebSocket codec/receiver.  Byte vectors only, no sockets.
 *
 *   cc -std=c99 -Wall -Wextra -pedantic -I. tests/test_unit.c sio_impl_posix.c
 *
 * Each test function checks one behaviour and is named for it. */
#include "sio.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>

/* ====================================================================== */
/* helpers                                                                 */
/* ====================================================================== */

static void to_hex(const unsigned char *d, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < n; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[2 * n] = '\0';
}

/* Hex of the one-shot SHA-1 of data[0..len) into hex[41]. */
static void sha1_hex(const void *data, size_t len, char hex[41])
{
    sio_sha1 s;
    unsigned char d[20];
    sio_sha1_init(&s);
    sio_sha1_update(&s, data, len);
    sio_sha1_final(&s, d);
    to_hex(d, 20, hex);
}

/* ====================================================================== */
/* url                                                                     */
/* ====================================================================== */

static void test_url_ws_defaults_port_80(void)
{
    sio_url u;
    CHECK_INT(sio_url_parse(&u, "ws://example.com/chat"), SIO_OK);
    CHECK_SPAN(u.scheme, u.scheme_len, "ws");
    CHECK_SPAN(u.host, u.host_len, "example.com");
    CHECK_SPAN(u.path, u.path_len, "/chat");
    CHECK_INT(u.query_len, 0);
    CHECK_INT(u.port, 80);
    CHECK_INT(u.secure, 0);
    CHECK_INT(u.websocket, 1);
    CHECK_INT(u.ipv6, 0);
    CHECK_INT(u.has_port, 0);
}

static void test_url_wss_defaults_port_443(void)
{
    sio_url u;
    CHECK_INT(sio_url_parse(&u, "wss://example.com/"), SIO_OK);
    CHECK_SPAN(u.host, u.host_len, "example.com");
    CHECK_SPAN(u.path, u.path_len, "/");
    CHECK_INT(u.port, 443);
    CHECK_INT(u.secure, 1);
    CHECK_INT(u.websocket, 1);
}

static void test_url_http_and_https_are_not_websocket(void)
{
    sio_url u;
    CHECK_INT(sio_url_parse(&u, "http://h/socket.io/"), SIO_OK);
    CHECK_INT(u.port, 80);
    CHECK_INT(u.secure, 0);
    CHECK_INT(u.websocket, 0);
    CHECK_SPAN(u.path, u.path_len, "/socket.io/");
    CHECK_INT(sio_url_parse(&u, "https://h/socket.io/"), SIO_OK);
    CHECK_INT(u.port, 443);
    CHECK_INT(u.secure, 1);
    CHECK_INT(u.websocket, 0);
}

static void test_url_scheme_is_case_insensitive_and_kept_as_written(void)
{
    sio_url u;
    CHECK_INT(sio_url_parse(&u, "WS://h/"), SIO_OK);
    CHECK_SPAN(u.scheme, u.scheme_len, "WS");
    CHECK_INT(u.websocket, 1);
    CHECK_INT(u.port, 80);
    CHECK_INT(sio_url_parse(&u, "WsS://h/"), SIO_OK);
    CHECK_SPAN(u.scheme, u.scheme_len, "WsS");
    CHECK_INT(u.secure, 1);
    CHECK_INT(u.port, 443);
    CHECK_INT(sio_url_parse(&u, "HTTPS://h/"), SIO_OK);
    CHECK_INT(u.secure, 1);
    CHECK_INT(u.websocket, 0);
    CHECK_INT(sio_url_parse(&u, "Http://h/"), SIO_OK);
    CHECK_INT(u.secure, 0);
    CHECK_INT(u.websocket, 0);
}

static void test_url_explicit_port(void)
{
    sio_url u;
    CHECK_INT(sio_url_parse(&u, "ws://h:9001/x"), SIO_OK);
    CHECK_SPAN(u.host, u.host_len, "h");
    CHECK_INT(u.port, 9001);
    CHECK_INT(u.has_port, 1);
    CHECK_SPAN(u.path, u.path_len, "/x");
    CHECK_INT(sio_url_parse(&u, "wss://h:80/"), SIO_OK);
    CHECK_INT(u.port, 80);
    CHECK_INT(u.secure, 1);
    CHECK_INT(sio_url_parse(&u, "ws://h:65535/"), SIO_OK);
    CHECK_INT(u.port, 65535);
    CHECK_INT(sio_url_parse(&u, "ws://h:1"), SIO_OK);
    CHECK_INT(u.port, 1);
    CHECK_INT(u.path_len, 0);
}

static void test_url_ipv6_literal(void)
{
    sio_url u;
    CHECK_INT(sio_url_parse(&u, "ws://[::1]:9001/x"), SIO_OK);
    CHECK_SPAN(u.host, u.host_len, "::1");
    CHECK_INT(u.ipv6, 1);
    CHECK_INT(u.port, 9001);
    CHECK_INT(u.has_port, 1);
    CHECK_SPAN(u.path, u.path_len, "/x");
}

/* Resolvers read a host ending in a number as IPv4, octal and hex and
 * short forms included, and do not agree on them: only four decimal parts
 * without leading zeros pass (a certificate for 10.0.0.1 must not be
 * matched while the C library connects "010.0.0.1" to 8.0.0.1). */
static void test_url_numeric_host_must_be_plain_ipv4(void)
{
    static const char *good[] = { "ws://10.0.0.1/", "ws://0.0.0.0:1/", "ws://255.255.255.255/", "ws://a1.example/",
                                  "ws://example.0x/", "ws://1.example.com/", "ws://host-1/", "ws://example.12ab/" };
    static const char *bad[] = { "ws://010.0.0.1/", "ws://10.0.0.01/", "ws://10.1/", "ws://167772161/",
                                 "ws://0x7f.0.0.1/", "ws://10.0.0.1./", "ws://example.0x1f/", "ws://256.0.0.1/",
                                 "ws://1.2.3.4.5/", "ws://a.1/", "ws://10.0.0.1.2/" };
    sio_url u;
    size_t i;
    for (i = 0; i < sizeof good / sizeof good[0]; i++) CHECK_INT(sio_url_parse(&u, good[i]), SIO_OK);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) CHECK_INT(sio_url_parse(&u, bad[i]), SIO_ERR_URL);
}

static void test_url_ipv6_literal_default_port(void)
{
    sio_url u;
    CHECK_INT(sio_url_parse(&u, "wss://[2001:db8::1]/"), SIO_OK);
    CHECK_SPAN(u.host, u.host_len, "2001:db8::1");
    CHECK_INT(u.ipv6, 1);
    CHECK_INT(u.port, 443);
    CHECK_INT(u.has_port, 0);
}

static void test_url_path_and_query_split(void)
{
    sio_url u;
    CHECK_INT(sio_url_parse(&u, "ws://h/a/b?x=1&y=2"), SIO_OK);
    CHECK_SPAN(u.path, u.path_len, "/a/b");
    CHECK_SPAN(u.query, u.query_len, "x=1&y=2");
}

static void test_url_fragment_dropped(void)
{
    sio_url u;
    CHECK_INT(sio_url_parse(&u, "ws://h/p?q=1#frag"), SIO_OK);
    CHECK_SPAN(u.path, u.path_len, "/p");
    CHECK_SPAN(u.query, u.query_len, "q=1");
    CHECK_INT(sio_url_parse(&u, "ws://h/p#frag?notquery"), SIO_OK);
    CHECK_SPAN(u.path, u.path_len, "/p");
    CHECK_INT(u.query_len, 0);
}

static void test_url_no_path(void)
{
    sio_url u;
    CHECK_INT(sio_url_parse(&u, "ws://example.com"), SIO_OK);
    CHECK_SPAN(u.host, u.host_len, "example.com");
    CHECK_INT(u.path_len, 0);
    CHECK_INT(u.query_len, 0);
    CHECK_INT(u.port, 80);
}

static void test_url_rejects_unknown_scheme(void)
{
    sio_url u;
    CHECK_INT(sio_url_parse(&u, "ftp://h/"), SIO_ERR_URL);
    CHECK_INT(sio_url_parse(&u, "wsx://h/"), SIO_ERR_URL);
    CHECK_INT(sio_url_parse(&u, "w://h/"), SIO_ERR_URL);
    CHECK_INT(sio_url_parse(&u, "h/path"), SIO_ERR_URL);
    CHECK_INT(sio_url_parse(&u, "ws:/h/"), SIO_ERR_URL);
    CHECK_INT(sio_url_parse(&u, ""), SIO_ERR_URL);
}

static void test_url_rejects_empty_host(void)
{
    sio_url u;
    CHECK_INT(sio_url_parse(&u, "ws://"), SIO_ERR_URL);
    CHECK_INT(sio_url_parse(&u, "ws:///x"), SIO_ERR_URL);
    CHECK_INT(sio_url_parse(&u, "ws://:80/"), SIO_ERR_URL);
    CHECK_INT(sio_url_parse(&u, "ws://[]:80/"), SIO_ERR_URL);
}

static void test_url_rejects_port_0(void)
{
    sio_url u;
    CHECK_INT(sio_url_parse(&u, "ws://h:0/"), SIO_ERR_URL);
}

static void test_url_rejects_port_65536(void)
{
    sio_url u;
    CHECK_INT(sio_url_parse(&u, "ws://h:65536/"), SIO_ERR_URL);
    CHECK_INT(sio_url_parse(&u, "ws://h:99999999999999999999/"), SIO_ERR_URL);
}

static void test_url_rejects_non_digit_port(void)
{
    sio_url u;
    CHECK_INT(sio_url_parse(&u, "ws://h:8a/"), SIO_ERR_URL);
    CHECK_INT(sio_url_parse(&u, "ws://h:http/"), SIO_ERR_URL);
    CHECK_INT(sio_url_parse(&u, "ws://h:-1/"), SIO_ERR_URL);
}

static void test_url_rejects_user_info(void)
{
    sio_url u;
    CHECK_INT(sio_url_parse(&u, "ws://u@h/"), SIO_ERR_URL);
    CHECK_INT(sio_url_parse(&u, "ws://u:p@h:80/"), SIO_ERR_URL);
}

static void test_url_rejects_spaces_and_control_chars(void)
{
    sio_url u;
    CHECK_INT(sio_url_parse(&u, "ws://h/a b"), SIO_ERR_URL);
    CHECK_INT(sio_url_parse(&u, "ws://h h/"), SIO_ERR_URL);
    CHECK_INT(sio_url_parse(&u, " ws://h/"), SIO_ERR_URL);
    CHECK_INT(sio_url_parse(&u, "ws://h/\x01"), SIO_ERR_URL);
    CHECK_INT(sio_url_parse(&u, "ws://h/\t"), SIO_ERR_URL);
    CHECK_INT(sio_url_parse(&u, "ws://h/x?\x7f"), SIO_ERR_URL);
    CHECK_INT(sio_url_parse(&u, "ws://h/\r\nHost: evil"), SIO_ERR_URL);
}

static void test_url_rejects_unterminated_bracket(void)
{
    sio_url u;
    CHECK_INT(sio_url_parse(&u, "ws://[::1/x"), SIO_ERR_URL);
    CHECK_INT(sio_url_parse(&u, "ws://[::1"), SIO_ERR_URL);
}

/* ====================================================================== */
/* sha1                                                                    */
/* ====================================================================== */

static void test_sha1_fips_abc(void)
{
    char hex[41];
    sha1_hex("abc", 3, hex);
    CHECK_STR(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
}

static void test_sha1_fips_448_bit_message(void)
{
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    char hex[41];
    CHECK_INT(strlen(m), 56);
    sha1_hex(m, strlen(m), hex);
    CHECK_STR(hex, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

static void test_sha1_fips_million_a_in_odd_pieces(void)
{
    static unsigned char a[1000];
    sio_sha1 s;
    unsigned char d[20];
    char hex[41];
    size_t done = 0, piece = 1;
    memset(a, 'a', sizeof a);
    sio_sha1_init(&s);
    while (done < 1000000) {
        size_t n = piece;
        if (n > 1000000 - done) n = 1000000 - done;
        sio_sha1_update(&s, a, n);
        done += n;
        piece += 2;                 /* 1, 3, 5, ..., 999, 1, 3, ... */
        if (piece > 999) piece = 1;
    }
    sio_sha1_final(&s, d);
    to_hex(d, 20, hex);
    CHECK_STR(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

static void test_sha1_empty_string(void)
{
    char hex[41];
    sha1_hex("", 0, hex);
    CHECK_STR(hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

/* Known digests of the bytes 00 01 02 .. n-1, around the padding edges. */
static void test_sha1_block_boundary_lengths_known_digests(void)
{
    static const struct { size_t n; const char *hex; } v[] = {
        { 55, "8ae2d46729cfe68ff927af5eec9c7d1b66d65ac2" },
        { 56, "636e2ec698dac903498e648bd2f3af641d3c88cb" },
        { 63, "6d942da0c4392b123528f2905c713a3ce28364bd" },
        { 64, "c6138d514ffa2135bfce0ed0b8fac65669917ec7" },
        { 65, "69bd728ad6e13cd76ff19751fde427b00e395746" },
        { 119, "41c89d06001bab4ab78736b44efe7ce18ce6ae08" },
        { 120, "d3dbd653bd8597b7475321b60a36891278e6a04a" },
        { 128, "e6434bc401f98603d7eda504790c98c67385d535" }
    };
    unsigned char data[128];
    char hex[41];
    size_t i;
    for (i = 0; i < sizeof data; i++) data[i] = (unsigned char)i;
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        sha1_hex(data, v[i].n, hex);
        CHECK_STR(hex, v[i].hex);
    }
}

static void test_sha1_streaming_equals_one_shot_across_block_boundaries(void)
{
    static const size_t lens[] = { 55, 56, 63, 64, 65 };
    unsigned char data[65];
    size_t i, k, j;
    for (i = 0; i < sizeof data; i++) data[i] = (unsigned char)(i * 7 + 3);
    for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        size_t n = lens[i];
        char want[41], got[41];
        sha1_hex(data, n, want);
        /* two pieces, split at every position */
        for (k = 0; k <= n; k++) {
            sio_sha1 s;
            unsigned char d[20];
            sio_sha1_init(&s);
            sio_sha1_update(&s, data, k);
            sio_sha1_update(&s, data + k, n - k);
            sio_sha1_final(&s, d);
            to_hex(d, 20, got);
            CHECK_STR(got, want);
        }
        /* one byte at a time, with empty updates in between */
        {
            sio_sha1 s;
            unsigned char d[20];
            sio_sha1_init(&s);
            for (j = 0; j < n; j++) {
                sio_sha1_update(&s, data + j, 1);
                sio_sha1_update(&s, data, 0);
            }
            sio_sha1_final(&s, d);
            to_hex(d, 20, got);
            CHECK_STR(got, want);
        }
    }
}

/* ====================================================================== */
/* base64                                                                  */
/* ====================================================================== */

static const struct { const char *plain, *b64; } rfc4648[] = {
    { "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
    { "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" }
};

static void test_base64_encode_rfc4648_vectors(void)
{
    size_t i;
    for (i = 0; i < sizeof rfc4648 / sizeof rfc4648[0]; i++) {
        char out[SIO_BASE64_SIZE(6)];
        size_t n;
        memset(out, 'X', sizeof out);
        n = sio_base64_encode(rfc4648[i].plain, strlen(rfc4648[i].plain), out);
        CHECK_INT(n, strlen(rfc4648[i].b64));
        CHECK_STR(out, rfc4648[i].b64);
    }
}

static void test_base64_decode_rfc4648_vectors(void)
{
    size_t i;
    for (i = 0; i < sizeof rfc4648 / sizeof rfc4648[0]; i++) {
        unsigned char out[16];
        size_t n = 99;
        CHECK_INT(sio_base64_decode(rfc4648[i].b64, strlen(rfc4648[i].b64), out, &n), SIO_OK);
        CHECK_SPAN(out, n, rfc4648[i].plain);
    }
}

static void test_base64_decode_without_padding(void)
{
    unsigned char out[16];
    size_t n = 99;
    CHECK_INT(sio_base64_decode("Zg", 2, out, &n), SIO_OK);
    CHECK_SPAN(out, n, "f");
    CHECK_INT(sio_base64_decode("Zm8", 3, out, &n), SIO_OK);
    CHECK_SPAN(out, n, "fo");
    CHECK_INT(sio_base64_decode("Zm9vYg", 6, out, &n), SIO_OK);
    CHECK_SPAN(out, n, "foob");
    CHECK_INT(sio_base64_decode("Zm9vYmE", 7, out, &n), SIO_OK);
    CHECK_SPAN(out, n, "fooba");
}

static void test_base64_decode_all_byte_values_round_trip(void)
{
    unsigned char in[256], back[256 + 3];
    char text[SIO_BASE64_SIZE(256)];
    size_t i, n, m = 0;
    for (i = 0; i < 256; i++) in[i] = (unsigned char)(255 - i);
    n = sio_base64_encode(in, 256, text);
    CHECK_INT(n, 344);
    CHECK_INT(strlen(text), 344);
    CHECK_INT(sio_base64_decode(text, n, back, &m), SIO_OK);
    CHECK_INT(m, 256);
    CHECK_MEM(back, in, 256);
}

static void test_base64_decode_rejects_invalid_characters(void)
{
    unsigned char out[16];
    size_t n;
    CHECK_INT(sio_base64_decode("Zm9v!A==", 8, out, &n), SIO_ERR_INVALID);
    CHECK_INT(sio_base64_decode("Zm 9", 4, out, &n), SIO_ERR_INVALID);
    CHECK_INT(sio_base64_decode("Zm9-", 4, out, &n), SIO_ERR_INVALID);   /* base64url */
    CHECK_INT(sio_base64_decode("Zm9_", 4, out, &n), SIO_ERR_INVALID);
    CHECK_INT(sio_base64_decode("Zm9\0", 4, out, &n), SIO_ERR_INVALID);
    CHECK_INT(sio_base64_decode("Zm9\xc3", 4, out, &n), SIO_ERR_INVALID);
}

static void test_base64_decode_rejects_misplaced_padding(void)
{
    unsigned char out[16];
    size_t n;
    CHECK_INT(sio_base64_decode("=Zg=", 4, out, &n), SIO_ERR_INVALID);
    CHECK_INT(sio_base64_decode("Z=g=", 4, out, &n), SIO_ERR_INVALID);
    CHECK_INT(sio_base64_decode("Zg==Zg==", 8, out, &n), SIO_ERR_INVALID);
    CHECK_INT(sio_base64_decode("Zm=v", 4, out, &n), SIO_ERR_INVALID);
    CHECK_INT(sio_base64_decode("====", 4, out, &n), SIO_ERR_INVALID);
}

static void test_base64_decode_rejects_length_1_mod_4(void)
{
    unsigned char out[16];
    size_t n;
    CHECK_INT(sio_base64_decode("Z", 1, out, &n), SIO_ERR_INVALID);
    CHECK_INT(sio_base64_decode("Zm9vY", 5, out, &n), SIO_ERR_INVALID);
    CHECK_INT(sio_base64_decode("Zm9vYmFyZ", 9, out, &n), SIO_ERR_INVALID);
}

/* ====================================================================== */
/* WebSocket accept key                                                    */
/* ====================================================================== */

static void test_ws_accept_key_rfc6455_example(void)
{
    char out[29];
    memset(out, 'X', sizeof out);
    sio_ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", out);
    CHECK_STR(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

/* ====================================================================== */
/* utf8                                                                    */
/* ====================================================================== */

/* 1 if data is accepted by feed + complete and by sio_utf8_valid, checking
 * that both agree. */
static int utf8_ok(const unsigned char *data, size_t len)
{
    sio_utf8 v;
    int fed, whole;
    memset(&v, 0, sizeof v);
    fed = sio_utf8_feed(&v, data, len) == SIO_OK && sio_utf8_complete(&v);
    whole = sio_utf8_valid(data, len);
    CHECK_INT(whole, fed);
    return whole;
}

static void test_utf8_valid_ascii(void)
{
    static const unsigned char s[] = { 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00, 0x7f };
    CHECK_INT(utf8_ok(s, sizeof s), 1);
    CHECK_INT(utf8_ok(s, 0), 1);
}

static void test_utf8_valid_2_byte_char(void)
{
    static const unsigned char s[] = { 0xc2, 0x80, 0xc2, 0xa9, 0xdf, 0xbf };  /* U+0080 U+00A9 U+07FF */
    CHECK_INT(utf8_ok(s, sizeof s), 1);
}

static void test_utf8_valid_3_byte_char(void)
{
    static const unsigned char s[] = { 0xe0, 0xa0, 0x80, 0xe2, 0x82, 0xac, 0xed, 0x9f, 0xbf,
                                       0xee, 0x80, 0x80, 0xef, 0xbf, 0xbf };
    /* U+0800 U+20AC U+D7FF U+E000 U+FFFF */
    CHECK_INT(utf8_ok(s, sizeof s), 1);
}

static void test_utf8_valid_4_byte_char(void)
{
    static const unsigned char s[] = { 0xf0, 0x90, 0x80, 0x80, 0xf0, 0x9f, 0x98, 0x80 };  /* U+10000 U+1F600 */
    CHECK_INT(utf8_ok(s, sizeof s), 1);
}

static void test_utf8_valid_u10ffff(void)
{
    static const unsigned char s[] = { 0xf4, 0x8f, 0xbf, 0xbf };
    CHECK_INT(utf8_ok(s, sizeof s), 1);
}

static void test_utf8_invalid_u110000(void)
{
    static const unsigned char s[] = { 0xf4, 0x90, 0x80, 0x80 };
    CHECK_INT(utf8_ok(s, sizeof s), 0);
}

static void test_utf8_invalid_overlongs(void)
{
    static const unsigned char c0[] = { 0xc0, 0x80 };
    static const unsigned char c1[] = { 0xc1, 0xbf };
    static const unsigned char e0[] = { 0xe0, 0x80, 0x80 };
    static const unsigned char e0b[] = { 0xe0, 0x9f, 0xbf };
    static const unsigned char f0[] = { 0xf0, 0x80, 0x80, 0x80 };
    static const unsigned char f0b[] = { 0xf0, 0x8f, 0xbf, 0xbf };
    CHECK_INT(utf8_ok(c0, sizeof c0), 0);
    CHECK_INT(utf8_ok(c1, sizeof c1), 0);
    CHECK_INT(utf8_ok(e0, sizeof e0), 0);
    CHECK_INT(utf8_ok(e0b, sizeof e0b), 0);
    CHECK_INT(utf8_ok(f0, sizeof f0), 0);
    CHECK_INT(utf8_ok(f0b, sizeof f0b), 0);
}

static void test_utf8_invalid_surrogates(void)
{
    static const unsigned char lo[] = { 0xed, 0xa0, 0x80 };  /* U+D800 */
    static const unsigned char hi[] = { 0xed, 0xbf, 0xbf };  /* U+DFFF */
    CHECK_INT(utf8_ok(lo, sizeof lo), 0);
    CHECK_INT(utf8_ok(hi, sizeof hi), 0);
}

static void test_utf8_invalid_f5_to_ff(void)
{
    unsigned b;
    for (b = 0xf5; b <= 0xff; b++) {
        unsigned char s[4];
        sio_utf8 v;
        s[0] = (unsigned char)b;
        s[1] = s[2] = s[3] = 0x80;
        memset(&v, 0, sizeof v);
        CHECK_INT(sio_utf8_feed(&v, s, 1), SIO_ERR_PROTOCOL);
        CHECK_INT(utf8_ok(s, sizeof s), 0);
    }
}

static void test_utf8_invalid_stray_continuation_byte(void)
{
    static const unsigned char a[] = { 0x80 };
    static const unsigned char b[] = { 0x41, 0xbf };
    static const unsigned char c[] = { 0xc2, 0xa9, 0xa9 };
    CHECK_INT(utf8_ok(a, sizeof a), 0);
    CHECK_INT(utf8_ok(b, sizeof b), 0);
    CHECK_INT(utf8_ok(c, sizeof c), 0);
}

static void test_utf8_truncated_sequence_valid_so_far_but_not_complete(void)
{
    static const unsigned char s[] = { 0x41, 0xe2, 0x82 };
    sio_utf8 v;
    memset(&v, 0, sizeof v);
    CHECK_INT(sio_utf8_feed(&v, s, sizeof s), SIO_OK);
    CHECK(!sio_utf8_complete(&v));
    CHECK_INT(sio_utf8_valid(s, sizeof s), 0);
    memset(&v, 0, sizeof v);
    CHECK(sio_utf8_complete(&v));   /* zeroed = at a boundary */
}

static void test_utf8_fail_fast_at_first_impossible_byte(void)
{
    static const unsigned char s[] = { 0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc,
                                       0xce, 0xb5, 0xed, 0xa0, 0x80, 0x65, 0x64, 0x69, 0x74,
                                       0x65, 0x64 };
    sio_utf8 v;
    size_t i, failed_at = (size_t)-1;
    memset(&v, 0, sizeof v);
    for (i = 0; i < sizeof s; i++) {
        if (sio_utf8_feed(&v, s + i, 1) != SIO_OK) { failed_at = i; break; }
    }
    CHECK_INT(failed_at, 12);   /* the A0 after ED */
}

static void test_utf8_fail_fast_on_second_byte_of_bad_prefix(void)
{
    static const unsigned char bad[][2] = {
        { 0xe0, 0x80 }, { 0xe0, 0x9f }, { 0xed, 0xa0 }, { 0xf0, 0x80 }, { 0xf0, 0x8f },
        { 0xf4, 0x90 }, { 0xc2, 0x41 }, { 0xe2, 0xc0 }
    };
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sio_utf8 v;
        memset(&v, 0, sizeof v);
        CHECK_INT(sio_utf8_feed(&v, bad[i], 1), SIO_OK);
        CHECK_INT(sio_utf8_feed(&v, bad[i] + 1, 1), SIO_ERR_PROTOCOL);
    }
}

static void test_utf8_kosme_split_at_every_position_is_valid(void)
{
    static const unsigned char s[] = { 0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc,
                                       0xce, 0xb5 };   /* κόσμε */
    size_t k;
    for (k = 0; k <= sizeof s; k++) {
        sio_utf8 v;
        memset(&v, 0, sizeof v);
        CHECK_INT(sio_utf8_feed(&v, s, k), SIO_OK);
        CHECK_INT(sio_utf8_feed(&v, s + k, sizeof s - k), SIO_OK);
        CHECK(sio_utf8_complete(&v));
    }
    CHECK_INT(sio_utf8_valid(s, sizeof s), 1);
}

/* ====================================================================== */
/* http                                                                    */
/* ====================================================================== */

static const char resp101[] =
    "HTTP/1.1 101 Switching Protocols\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
    "\r\n"
    "\x81\x02hi";

static void test_http_parses_101_response_head(void)
{
    sio_http_response r;
    size_t head = strlen(resp101) - 4;   /* the frame after the blank line */
    CHECK_INT(sio_http_parse_response(&r, resp101, strlen(resp101)), 1);
    CHECK_INT(r.status, 101);
    CHECK_INT(r.minor_version, 1);
    CHECK_SPAN(r.reason, r.reason_len, "Switching Protocols");
    CHECK_INT(r.header_count, 3);
    CHECK_SPAN(r.headers[0].name, r.headers[0].name_len, "Upgrade");
    CHECK_SPAN(r.headers[0].value, r.headers[0].value_len, "websocket");
    CHECK_SPAN(r.headers[1].name, r.headers[1].name_len, "Connection");
    CHECK_SPAN(r.headers[1].value, r.headers[1].value_len, "Upgrade");
    CHECK_SPAN(r.headers[2].name, r.headers[2].name_len, "Sec-WebSocket-Accept");
    CHECK_SPAN(r.headers[2].value, r.headers[2].value_len, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    CHECK_INT(r.head_len, head);
    CHECK_MEM(resp101 + r.head_len, "\x81\x02hi", 4);
}

static void test_http_head_exactly_complete_without_trailing_bytes(void)
{
    sio_http_response r;
    size_t head = strlen(resp101) - 4;
    CHECK_INT(sio_http_parse_response(&r, resp101, head), 1);
    CHECK_INT(r.head_len, head);
    CHECK_INT(r.status, 101);
}

static void test_http_incomplete_head_needs_more_at_every_prefix(void)
{
    size_t head = strlen(resp101) - 4, n;
    for (n = 0; n < head; n++) {
        sio_http_response r;
        int rc = sio_http_parse_response(&r, resp101, n);
        if (rc != 0) fprintf(stderr, "  prefix length %u\n", (unsigned)n);
        CHECK_INT(rc, 0);
    }
}

static void test_http_parses_http_1_0_status_line(void)
{
    static const char s[] = "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n";
    sio_http_response r;
    CHECK_INT(sio_http_parse_response(&r, s, strlen(s)), 1);
    CHECK_INT(r.status, 404);
    CHECK_INT(r.minor_version, 0);
    CHECK_SPAN(r.reason, r.reason_len, "Not Found");
}

static void test_http_header_values_trimmed(void)
{
    static const char s[] =
        "HTTP/1.1 200 OK\r\n"
        "X-A:   value with  inner spaces \t \r\n"
        "X-B:\r\n"
        "X-C:\tx\r\n"
        "\r\n";
    sio_http_response r;
    CHECK_INT(sio_http_parse_response(&r, s, strlen(s)), 1);
    CHECK_INT(r.header_count, 3);
    CHECK_SPAN(r.headers[0].value, r.headers[0].value_len, "value with  inner spaces");
    CHECK_INT(r.headers[1].value_len, 0);
    CHECK_SPAN(r.headers[2].value, r.headers[2].value_len, "x");
}

static void test_http_find_header_case_insensitive(void)
{
    sio_http_response r;
    const sio_http_header *h;
    CHECK_INT(sio_http_parse_response(&r, resp101, strlen(resp101)), 1);
    h = sio_http_find_header(&r, "sec-websocket-accept");
    CHECK(h != NULL);
    if (h) CHECK_SPAN(h->value, h->value_len, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    h = sio_http_find_header(&r, "UPGRADE");
    CHECK(h != NULL);
    if (h) CHECK_SPAN(h->value, h->value_len, "websocket");
    CHECK(sio_http_find_header(&r, "Sec-WebSocket-Protocol") == NULL);
    CHECK(sio_http_find_header(&r, "Upgrad") == NULL);
}

static void test_http_has_token_in_comma_list(void)
{
    const char *v = "keep-alive, Upgrade";
    CHECK_INT(sio_http_has_token(v, strlen(v), "upgrade"), 1);
    CHECK_INT(sio_http_has_token(v, strlen(v), "Keep-Alive"), 1);
    CHECK_INT(sio_http_has_token(v, strlen(v), "upgr"), 0);
    CHECK_INT(sio_http_has_token(v, strlen(v), "alive"), 0);
    CHECK_INT(sio_http_has_token(v, strlen(v), "close"), 0);
    CHECK_INT(sio_http_has_token("Upgrade", 7, "upgrade"), 1);
    CHECK_INT(sio_http_has_token(" upgrade ,x", 11, "upgrade"), 1);
    CHECK_INT(sio_http_has_token("", 0, "upgrade"), 0);
    /* only the first len bytes count */
    CHECK_INT(sio_http_has_token(v, 10, "upgrade"), 0);
}

static void test_http_rejects_malformed_status_line(void)
{
    static const char *const bad[] = {
        "HTTP/1.1 abc OK\r\n\r\n",
        "HTTX/1.1 101 Switching Protocols\r\n\r\n",
        "HTTP/1.1 1O1 OK\r\n\r\n",
        "HTTP/1.1 10 OK\r\n\r\n",
        "garbage\r\n\r\n"
    };
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sio_http_response r;
        int rc = sio_http_parse_response(&r, bad[i], strlen(bad[i]));
        if (rc != SIO_ERR_PROTOCOL) fprintf(stderr, "  status line %u\n", (unsigned)i);
        CHECK_INT(rc, SIO_ERR_PROTOCOL);
    }
}

static void test_http_rejects_header_without_colon(void)
{
    static const char s[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade websocket\r\n\r\n";
    sio_http_response r;
    CHECK_INT(sio_http_parse_response(&r, s, strlen(s)), SIO_ERR_PROTOCOL);
}

static void test_http_rejects_obs_fold(void)
{
    static const char s[] =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: web\r\n socket\r\n\r\n";
    static const char t[] =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: web\r\n\tsocket\r\n\r\n";
    sio_http_response r;
    CHECK_INT(sio_http_parse_response(&r, s, strlen(s)), SIO_ERR_PROTOCOL);
    CHECK_INT(sio_http_parse_response(&r, t, strlen(t)), SIO_ERR_PROTOCOL);
}

static size_t build_head_with_headers(char *buf, int count)
{
    int i;
    size_t n = 0;
    n += (size_t)sprintf(buf + n, "HTTP/1.1 200 OK\r\n");
    for (i = 0; i < count; i++) n += (size_t)sprintf(buf + n, "X-H%d: %d\r\n", i, i);
    n += (size_t)sprintf(buf + n, "\r\n");
    return n;
}

static void test_http_accepts_max_headers(void)
{
    static char buf[8192];
    sio_http_response r;
    size_t n = build_head_with_headers(buf, SIO_HTTP_MAX_HEADERS);
    CHECK_INT(sio_http_parse_response(&r, buf, n), 1);
    CHECK_INT(r.header_count, SIO_HTTP_MAX_HEADERS);
}

static void test_http_rejects_more_than_max_headers(void)
{
    static char buf[8192];
    sio_http_response r;
    size_t n = build_head_with_headers(buf, SIO_HTTP_MAX_HEADERS + 1);
    CHECK_INT(sio_http_parse_response(&r, buf, n), SIO_ERR_TOO_BIG);
}

/* Parses head (must succeed) and initialises a body decoder for it. */
static int body_for(sio_http_body *b, const char *head, uint64_t max_body)
{
    sio_http_response r;
    int rc = sio_http_parse_response(&r, head, strlen(head));
    CHECK_INT(rc, 1);
    memset(b, 0, sizeof *b);
    return sio_http_body_init(b, &r, max_body);
}

/* Feeds raw[0..len) in pieces of step bytes, re-feeding what was not
 * consumed; decoded bytes are appended to out.  Returns the last status. */
static int body_run(sio_http_body *b, const char *raw, size_t len, size_t step,
                    char *out, size_t *out_total, size_t *raw_used)
{
    unsigned char pending[256];
    size_t plen = 0, fed = 0;
    int rc = 0;
    *out_total = 0;
    *raw_used = 0;
    while (fed < len || plen > 0) {
        size_t take = len - fed < step ? len - fed : step;
        size_t consumed = 0, out_len = 0;
        memcpy(pending + plen, raw + fed, take);
        plen += take;
        fed += take;
        rc = sio_http_body_decode(b, pending, plen, &consumed, &out_len);
        if (rc < 0) return rc;
        CHECK(consumed <= plen);
        CHECK(out_len <= consumed);
        if (consumed > plen || out_len > consumed) return -100;
        memcpy(out + *out_total, pending, out_len);
        *out_total += out_len;
        *raw_used += consumed;
        memmove(pending, pending + consumed, plen - consumed);
        plen -= consumed;
        if (rc == 1) return rc;
        if (take == 0 && consumed == 0) break;   /* no progress, no input left */
    }
    return rc;
}

static void test_http_body_content_length_partial_feeds(void)
{
    sio_http_body b;
    char out[64];
    size_t total, used;
    CHECK_INT(body_for(&b, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", 0), SIO_OK);
    CHECK_INT(b.mode, SIO_HTTP_BODY_LENGTH);
    CHECK_INT(body_run(&b, "0123456789XYZ", 13, 3, out, &total, &used), 1);
    CHECK_SPAN(out, total, "0123456789");
    CHECK_INT(used, 10);
}

static void test_http_body_content_length_needs_more(void)
{
    sio_http_body b;
    unsigned char data[4];
    size_t consumed = 0, out_len = 0;
    CHECK_INT(body_for(&b, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", 0), SIO_OK);
    memcpy(data, "0123", 4);
    CHECK_INT(sio_http_body_decode(&b, data, 4, &consumed, &out_len), 0);
    CHECK_INT(consumed, 4);
    CHECK_INT(out_len, 4);
    CHECK_MEM(data, "0123", 4);
}

static const char chunked_head[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
static const char wikipedia[] = "4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n";

static void test_http_body_chunked_whole(void)
{
    sio_http_body b;
    char out[64];
    size_t total, used;
    CHECK_INT(body_for(&b, chunked_head, 0), SIO_OK);
    CHECK_INT(b.mode, SIO_HTTP_BODY_CHUNKED);
    CHECK_INT(body_run(&b, wikipedia, strlen(wikipedia), 1000, out, &total, &used), 1);
    CHECK_SPAN(out, total, "Wikipedia");
    CHECK_INT(used, strlen(wikipedia));
}

static void test_http_body_chunked_one_byte_at_a_time(void)
{
    sio_http_body b;
    char out[64];
    size_t total, used;
    CHECK_INT(body_for(&b, chunked_head, 0), SIO_OK);
    CHECK_INT(body_run(&b, wikipedia, strlen(wikipedia), 1, out, &total, &used), 1);
    CHECK_SPAN(out, total, "Wikipedia");
    CHECK_INT(used, strlen(wikipedia));
}

static void test_http_body_chunked_leaves_bytes_after_body(void)
{
    static const char raw[] = "4\r\nWiki\r\n0\r\n\r\nHTTP/1.1";
    sio_http_body b;
    char out[64];
    size_t total, used;
    CHECK_INT(body_for(&b, chunked_head, 0), SIO_OK);
    CHECK_INT(body_run(&b, raw, strlen(raw), 1000, out, &total, &used), 1);
    CHECK_SPAN(out, total, "Wiki");
    CHECK_INT(used, strlen(raw) - 8);
}

static void test_http_body_chunked_extensions_ignored(void)
{
    static const char raw[] = "4;x=y\r\nWiki\r\n5;a=\"b\";c\r\npedia\r\n0;z=1\r\n\r\n";
    sio_http_body b;
    char out[64];
    size_t total, used;
    CHECK_INT(body_for(&b, chunked_head, 0), SIO_OK);
    CHECK_INT(body_run(&b, raw, strlen(raw), 1000, out, &total, &used), 1);
    CHECK_SPAN(out, total, "Wikipedia");
}

static void test_http_body_chunked_uppercase_hex_size(void)
{
    static const char raw[] = "A\r\n0123456789\r\n0\r\n\r\n";
    sio_http_body b;
    char out[64];
    size_t total, used;
    CHECK_INT(body_for(&b, chunked_head, 0), SIO_OK);
    CHECK_INT(body_run(&b, raw, strlen(raw), 1, out, &total, &used), 1);
    CHECK_SPAN(out, total, "0123456789");
}

static void test_http_body_chunked_bad_hex(void)
{
    static const char raw[] = "zz\r\nWiki\r\n0\r\n\r\n";
    static const char raw2[] = "4\r\nWiki\r\ng\r\n0\r\n\r\n";
    sio_http_body b;
    char out[64];
    size_t total, used;
    CHECK_INT(body_for(&b, chunked_head, 0), SIO_OK);
    CHECK_INT(body_run(&b, raw, strlen(raw), 1000, out, &total, &used), SIO_ERR_PROTOCOL);
    CHECK_INT(body_for(&b, chunked_head, 0), SIO_OK);
    CHECK_INT(body_run(&b, raw2, strlen(raw2), 1000, out, &total, &used), SIO_ERR_PROTOCOL);
}

static void test_http_body_chunked_missing_crlf_after_data(void)
{
    static const char raw[] = "4\r\nWikiXX5\r\npedia\r\n0\r\n\r\n";
    sio_http_body b;
    char out[64];
    size_t total, used;
    CHECK_INT(body_for(&b, chunked_head, 0), SIO_OK);
    CHECK_INT(body_run(&b, raw, strlen(raw), 1000, out, &total, &used), SIO_ERR_PROTOCOL);
}

static void test_http_body_chunked_past_max_body(void)
{
    sio_http_body b;
    char out[64];
    size_t total, used;
    CHECK_INT(body_for(&b, chunked_head, 5), SIO_OK);
    CHECK_INT(body_run(&b, wikipedia, strlen(wikipedia), 1000, out, &total, &used), SIO_ERR_TOO_BIG);
}

/* A chunk size near 2^64 must not wrap the total past max_body: the sum
 * is checked before it is made. */
static void test_http_body_chunk_size_sum_cannot_wrap(void)
{
    sio_http_body b;
    char out[64];
    size_t total, used;
    static const char raw[] = "a\r\n0123456789\r\nFFFFFFFFFFFFFFF9\r\nxyz";
    CHECK_INT(body_for(&b, chunked_head, 100), SIO_OK);
    CHECK_INT(body_run(&b, raw, strlen(raw), 1000, out, &total, &used), SIO_ERR_TOO_BIG);
}

static void test_http_body_content_length_over_max_body(void)
{
    sio_http_body b;
    CHECK_INT(body_for(&b, "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n", 10), SIO_ERR_TOO_BIG);
    CHECK_INT(body_for(&b, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", 10), SIO_OK);
}

static void test_http_body_bad_content_length(void)
{
    sio_http_body b;
    CHECK_INT(body_for(&b, "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", 0), SIO_ERR_PROTOCOL);
    CHECK_INT(body_for(&b, "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 0), SIO_ERR_PROTOCOL);
    CHECK_INT(body_for(&b, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 0),
              SIO_ERR_PROTOCOL);
}

static void test_http_body_none_for_204_304_101(void)
{
    sio_http_body b;
    CHECK_INT(body_for(&b, "HTTP/1.1 204 No Content\r\n\r\n", 0), SIO_OK);
    CHECK_INT(b.mode, SIO_HTTP_BODY_NONE);
    CHECK_INT(body_for(&b, "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n", 0), SIO_OK);
    CHECK_INT(b.mode, SIO_HTTP_BODY_NONE);
    CHECK_INT(body_for(&b, resp101, 0), SIO_OK);
    CHECK_INT(b.mode, SIO_HTTP_BODY_NONE);
}

static void test_http_body_until_close_without_length(void)
{
    sio_http_body b;
    CHECK_INT(body_for(&b, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n", 0), SIO_OK);
    CHECK_INT(b.mode, SIO_HTTP_BODY_UNTIL_CLOSE);
}

/* ====================================================================== */
/* ws codec                                                                */
/* ====================================================================== */

static const unsigned char hello[5] = { 0x48, 0x65, 0x6c, 0x6c, 0x6f };   /* "Hello" */
static const unsigned char rfc_mask[4] = { 0x37, 0xfa, 0x21, 0x3d };

/* Peeking at whole frames without consuming them: the look-ahead for
 * pings and the upgrade probe read frames this way. */
static void test_ws_peek_frame_needs_the_whole_payload(void)
{
    static const unsigned char two[] = { 0x81, 0x02, 'h', 'i', 0x89, 0x00 };
    static const unsigned char bad[] = { 0x81, 0x7e, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o' };
    sio_ws_frame f;
    const unsigned char *p = NULL;
    size_t n;
    for (n = 0; n < 4; n++) CHECK_INT(sio_ws_peek_frame(two, n, &f, &p), 0);
    CHECK_INT(sio_ws_peek_frame(two, 4, &f, &p), 1);
    CHECK(p == two + 2);
    CHECK_INT((int)f.length, 2);
    CHECK_INT((int)f.opcode, SIO_WS_TEXT);
    CHECK_INT(sio_ws_peek_frame(two + 4, 2, &f, &p), 1);
    CHECK_INT((int)f.opcode, SIO_WS_PING);
    CHECK_INT((int)f.length, 0);
    CHECK_INT(sio_ws_peek_frame(bad, sizeof bad, &f, &p), SIO_ERR_PROTOCOL);   /* non-minimal length */
}

static void test_ws_encode_unmasked_hello(void)
{
    static const unsigned char want[] = { 0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f };
    unsigned char out[16];
    CHECK_INT(sio_ws_encode(out, 1, SIO_WS_TEXT, hello, 5, NULL), 7);
    CHECK_MEM(out, want, 7);
}

static void test_ws_encode_masked_hello(void)
{
    static const unsigned char want[] = { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d,
                                          0x7f, 0x9f, 0x4d, 0x51, 0x58 };
    unsigned char out[16];
    CHECK_INT(sio_ws_encode(out, 1, SIO_WS_TEXT, hello, 5, rfc_mask), 11);
    CHECK_MEM(out, want, 11);
}

static void test_ws_mask_round_trips_rfc_example(void)
{
    static const unsigned char masked[] = { 0x7f, 0x9f, 0x4d, 0x51, 0x58 };
    unsigned char buf[5];
    memcpy(buf, hello, 5);
    sio_ws_mask(buf, 5, rfc_mask, 0);
    CHECK_MEM(buf, masked, 5);
    sio_ws_mask(buf, 5, rfc_mask, 0);
    CHECK_MEM(buf, hello, 5);
}

static void test_ws_encode_fragmented_unmasked_hel_lo(void)
{
    static const unsigned char first[] = { 0x01, 0x03, 0x48, 0x65, 0x6c };
    static const unsigned char second[] = { 0x80, 0x02, 0x6c, 0x6f };
    unsigned char out[16];
    CHECK_INT(sio_ws_encode(out, 0, SIO_WS_TEXT, hello, 3, NULL), 5);
    CHECK_MEM(out, first, 5);
    CHECK_INT(sio_ws_encode(out, 1, SIO_WS_CONTINUATION, hello + 3, 2, NULL), 4);
    CHECK_MEM(out, second, 4);
}

static void test_ws_encode_unmasked_ping_hello(void)
{
    static const unsigned char want[] = { 0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f };
    unsigned char out[16];
    CHECK_INT(sio_ws_encode(out, 1, SIO_WS_PING, hello, 5, NULL), 7);
    CHECK_MEM(out, want, 7);
}

static void test_ws_encode_256_byte_binary_header(void)
{
    static const unsigned char want[] = { 0x82, 0x7e, 0x01, 0x00 };
    static unsigned char payload[256], out[256 + 14];
    size_t i;
    for (i = 0; i < sizeof payload; i++) payload[i] = (unsigned char)i;
    CHECK_INT(sio_ws_encode(out, 1, SIO_WS_BINARY, payload, 256, NULL), 260);
    CHECK_MEM(out, want, 4);
    CHECK_MEM(out + 4, payload, 256);
}

static void test_ws_encode_65536_byte_binary_header(void)
{
    static const unsigned char want[] = { 0x82, 0x7f, 0x00, 0x00, 0x00, 0x00,
                                          0x00, 0x01, 0x00, 0x00 };
    static unsigned char payload[65536], out[65536 + 14];
    size_t i;
    for (i = 0; i < sizeof payload; i++) payload[i] = (unsigned char)(i * 13);
    CHECK_INT(sio_ws_encode(out, 1, SIO_WS_BINARY, payload, 65536, NULL), 65546);
    CHECK_MEM(out, want, 10);
    CHECK_MEM(out + 10, payload, 65536);
}

/* Headers alone, byte for byte, at each length form; lengths from 2^32 on
 * only the 64-bit form can carry. */
static void test_ws_encode_header_bytes_at_every_length_form(void)
{
    static const struct { int fin, opcode; uint64_t len; int masked; unsigned char want[14]; size_t want_len; } cases[] = {
        { 1, SIO_WS_TEXT, 0, 0, { 0x81, 0x00 }, 2 },
        { 1, SIO_WS_BINARY, 125, 0, { 0x82, 0x7d }, 2 },
        { 0, SIO_WS_TEXT, 126, 0, { 0x01, 0x7e, 0x00, 0x7e }, 4 },
        { 1, SIO_WS_CONTINUATION, 65535, 0, { 0x80, 0x7e, 0xff, 0xff }, 4 },
        { 1, SIO_WS_BINARY, 65536, 0, { 0x82, 0x7f, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00 }, 10 },
        { 1, SIO_WS_BINARY, 0x123456789aULL, 0, { 0x82, 0x7f, 0, 0, 0, 0x12, 0x34, 0x56, 0x78, 0x9a }, 10 },
        { 1, SIO_WS_BINARY, 0x7fffffffffffffffULL, 0, { 0x82, 0x7f, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, 10 },
        { 1, SIO_WS_PING, 5, 1, { 0x89, 0x85, 0x37, 0xfa, 0x21, 0x3d }, 6 },
        { 1, SIO_WS_TEXT, 300, 1, { 0x81, 0xfe, 0x01, 0x2c, 0x37, 0xfa, 0x21, 0x3d }, 8 },
        { 0, SIO_WS_BINARY, 0x100000000ULL, 1, { 0x02, 0xff, 0, 0, 0, 0x01, 0, 0, 0, 0, 0x37, 0xfa, 0x21, 0x3d }, 14 },
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned char head[14];
        size_t h = sio_ws_encode_header(head, cases[i].fin, cases[i].opcode, cases[i].len,
                                        cases[i].masked ? rfc_mask : NULL);
        CHECK_INT(h, cases[i].want_len);
        CHECK_MEM(head, cases[i].want, cases[i].want_len);
        if (cases[i].len < 65536)                                    /* sio_ws_frame_size is a size_t */
            CHECK_INT(h, sio_ws_frame_size(cases[i].len, cases[i].masked) - cases[i].len);
    }
}

/* Each rule a header breaks on its own, for a server's frames and a
 * client's, and which one is named when several are broken. */
static void test_ws_frame_check_names_each_rule(void)
{
    static const struct { unsigned fin, rsv, opcode, masked; uint64_t length; int from_client, compression;
                          const char *rule; } cases[] = {
        { 1, 0, SIO_WS_TEXT, 0, 5, 0, 0, NULL },
        { 1, 0, SIO_WS_TEXT, 1, 5, 1, 0, NULL },
        { 0, 0, SIO_WS_CONTINUATION, 0, 5, 0, 0, NULL },
        { 1, 0, SIO_WS_CONTINUATION, 1, 5, 1, 0, NULL },
        { 1, 0, SIO_WS_TEXT, 1, 5, 0, 0, "server frame was masked" },
        { 1, 0, SIO_WS_TEXT, 0, 5, 1, 0, "client frame was not masked" },
        { 1, 4, SIO_WS_TEXT, 0, 5, 0, 0, "reserved bits" },
        { 1, 4, SIO_WS_TEXT, 0, 5, 0, 1, NULL },
        { 1, 4, SIO_WS_BINARY, 1, 5, 1, 1, NULL },
        { 1, 2, SIO_WS_TEXT, 0, 5, 0, 1, "reserved bits" },
        { 1, 1, SIO_WS_TEXT, 0, 5, 0, 1, "reserved bits" },
        { 1, 4, SIO_WS_CONTINUATION, 0, 5, 0, 1, "RSV1" },
        { 1, 4, SIO_WS_PING, 0, 5, 0, 1, "RSV1" },
        { 1, 0, 3, 0, 5, 0, 0, "unknown data opcode" },
        { 1, 0, 7, 1, 5, 1, 0, "unknown data opcode" },
        { 1, 0, 11, 1, 5, 1, 0, "unknown control opcode" },
        { 1, 0, 15, 0, 5, 0, 0, "unknown control opcode" },
        { 0, 0, SIO_WS_PING, 0, 5, 0, 0, "fragmented control" },
        { 1, 0, SIO_WS_CLOSE, 0, 125, 0, 0, NULL },
        { 1, 0, SIO_WS_PONG, 1, 126, 1, 0, "over 125" },
        { 0, 0, SIO_WS_BINARY, 0, 1u << 20, 0, 0, NULL },
        { 1, 2, SIO_WS_TEXT, 0, 5, 1, 0, "reserved bits" },           /* several broken: the receiver's order */
        { 0, 0, 12, 1, 200, 0, 0, "server frame was masked" },
        { 0, 0, SIO_WS_PING, 0, 200, 0, 0, "fragmented control" },
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sio_ws_frame f;
        const char *rule;
        memset(&f, 0, sizeof f);
        f.fin = cases[i].fin;
        f.rsv = cases[i].rsv;
        f.opcode = cases[i].opcode;
        f.masked = cases[i].masked;
        f.length = cases[i].length;
        rule = sio_ws_frame_check(&f, cases[i].from_client, cases[i].compression);
        if (!cases[i].rule) CHECK(rule == NULL);
        else CHECK(rule != NULL && strstr(rule, cases[i].rule) != NULL);
    }
}

static void test_ws_encode_masked_long_payload_unmasks_back(void)
{
    static const unsigned char key[4] = { 0x01, 0x80, 0xff, 0x5a };
    static unsigned char payload[300], out[300 + 14];
    size_t i;
    for (i = 0; i < sizeof payload; i++) payload[i] = (unsigned char)(i ^ 0x55);
    CHECK_INT(sio_ws_encode(out, 1, SIO_WS_BINARY, payload, 300, key), 308);
    CHECK_INT(out[0], 0x82);
    CHECK_INT(out[1], 0xfe);
    CHECK_INT(out[2], 0x01);
    CHECK_INT(out[3], 0x2c);
    CHECK_MEM(out + 4, key, 4);
    for (i = 0; i < 300; i++) CHECK_INT(out[8 + i], payload[i] ^ key[i % 4]);
}

static void test_ws_encode_does_not_modify_payload(void)
{
    unsigned char payload[5], out[16];
    memcpy(payload, hello, 5);
    sio_ws_encode(out, 1, SIO_WS_TEXT, payload, 5, rfc_mask);
    CHECK_MEM(payload, hello, 5);
}

static void test_ws_frame_size_unmasked(void)
{
    CHECK_INT(sio_ws_frame_size(0, 0), 2);
    CHECK_INT(sio_ws_frame_size(125, 0), 127);
    CHECK_INT(sio_ws_frame_size(126, 0), 130);
    CHECK_INT(sio_ws_frame_size(65535, 0), 65539);
    CHECK_INT(sio_ws_frame_size(65536, 0), 65546);
}

static void test_ws_frame_size_masked(void)
{
    CHECK_INT(sio_ws_frame_size(0, 1), 6);
    CHECK_INT(sio_ws_frame_size(125, 1), 131);
    CHECK_INT(sio_ws_frame_size(126, 1), 134);
    CHECK_INT(sio_ws_frame_size(65535, 1), 65543);
    CHECK_INT(sio_ws_frame_size(65536, 1), 65550);
}

static void test_ws_parse_header_masked_hello(void)
{
    static const unsigned char h[] = { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f };
    sio_ws_frame f;
    memset(&f, 0, sizeof f);
    CHECK_INT(sio_ws_parse_header(&f, h, sizeof h, NULL), 1);
    CHECK_INT(f.fin, 1);
    CHECK_INT(f.rsv, 0);
    CHECK_INT(f.opcode, SIO_WS_TEXT);
    CHECK_INT(f.masked, 1);
    CHECK_MEM(f.mask, rfc_mask, 4);
    CHECK_INT(f.length, 5);
    CHECK_INT(f.header_len, 6);
}

static void test_ws_parse_header_fin_rsv_opcode_bits(void)
{
    static const unsigned char h[] = { 0x70, 0x00 };
    sio_ws_frame f;
    memset(&f, 0, sizeof f);
    CHECK_INT(sio_ws_parse_header(&f, h, sizeof h, NULL), 1);
    CHECK_INT(f.fin, 0);
    CHECK_INT(f.rsv, 7);
    CHECK_INT(f.opcode, 0);
    CHECK_INT(f.masked, 0);
    CHECK_INT(f.length, 0);
    CHECK_INT(f.header_len, 2);
}

static void test_ws_parse_header_16_and_64_bit_lengths(void)
{
    static const unsigned char h16[] = { 0x82, 0x7e, 0x01, 0x00 };
    static const unsigned char h16max[] = { 0x82, 0x7e, 0xff, 0xff };
    static const unsigned char h64[] = { 0x82, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00 };
    static const unsigned char h64big[] = { 0x82, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                            0x01, 0x02, 0x03, 0x04 };
    sio_ws_frame f;
    memset(&f, 0, sizeof f);
    CHECK_INT(sio_ws_parse_header(&f, h16, sizeof h16, NULL), 1);
    CHECK_INT(f.length, 256);
    CHECK_INT(f.header_len, 4);
    CHECK_INT(sio_ws_parse_header(&f, h16max, sizeof h16max, NULL), 1);
    CHECK_INT(f.length, 65535);
    CHECK_INT(sio_ws_parse_header(&f, h64, sizeof h64, NULL), 1);
    CHECK_INT(f.length, 65536);
    CHECK_INT(f.header_len, 10);
    CHECK_INT(sio_ws_parse_header(&f, h64big, sizeof h64big, NULL), 1);
    CHECK(f.length == (uint64_t)0x7fffffffffffffffULL);
    CHECK_INT(f.header_len, 14);
    CHECK_INT(f.masked, 1);
    CHECK_INT(f.mask[3], 0x04);
}

static void test_ws_parse_header_needs_more_at_each_prefix(void)
{
    static const unsigned char h7[] = { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d };
    static const unsigned char h16[] = { 0x82, 0xfe, 0x01, 0x00, 0x01, 0x02, 0x03, 0x04 };
    static const unsigned char h64[] = { 0x82, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00 };
    sio_ws_frame f;
    size_t n;
    for (n = 0; n < sizeof h7; n++) CHECK_INT(sio_ws_parse_header(&f, h7, n, NULL), 0);
    CHECK_INT(sio_ws_parse_header(&f, h7, sizeof h7, NULL), 1);
    for (n = 0; n < sizeof h16; n++) CHECK_INT(sio_ws_parse_header(&f, h16, n, NULL), 0);
    CHECK_INT(sio_ws_parse_header(&f, h16, sizeof h16, NULL), 1);
    CHECK_INT(f.header_len, 8);
    for (n = 0; n < sizeof h64; n++) CHECK_INT(sio_ws_parse_header(&f, h64, n, NULL), 0);
    CHECK_INT(sio_ws_parse_header(&f, h64, sizeof h64, NULL), 1);
}

static void test_ws_parse_header_rejects_non_minimal_16_bit_length(void)
{
    static const unsigned char h[] = { 0x82, 0x7e, 0x00, 0x7d };
    static const unsigned char z[] = { 0x82, 0x7e, 0x00, 0x00 };
    sio_ws_frame f;
    const char *why = NULL;
    CHECK_INT(sio_ws_parse_header(&f, h, sizeof h, &why), SIO_ERR_PROTOCOL);
    CHECK(why != NULL);
    CHECK_INT(sio_ws_parse_header(&f, z, sizeof z, NULL), SIO_ERR_PROTOCOL);
}

static void test_ws_parse_header_rejects_non_minimal_64_bit_length(void)
{
    static const unsigned char h[] = { 0x82, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff };
    static const unsigned char s[] = { 0x82, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05 };
    sio_ws_frame f;
    const char *why = NULL;
    CHECK_INT(sio_ws_parse_header(&f, h, sizeof h, &why), SIO_ERR_PROTOCOL);
    CHECK(why != NULL);
    CHECK_INT(sio_ws_parse_header(&f, s, sizeof s, NULL), SIO_ERR_PROTOCOL);
}

static void test_ws_parse_header_rejects_64_bit_length_with_msb_set(void)
{
    static const unsigned char h[] = { 0x82, 0x7f, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
    sio_ws_frame f;
    const char *why = NULL;
    CHECK_INT(sio_ws_parse_header(&f, h, sizeof h, &why), SIO_ERR_PROTOCOL);
    CHECK(why != NULL);
}

static void test_ws_mask_in_pieces_equals_mask_at_once(void)
{
    static const unsigned char key[4] = { 0xa1, 0x0b, 0x7c, 0xe3 };
    unsigned char ref[208], once[208 + 8], pieces[208 + 8];
    size_t len, off, split, align, i;
    /* up to 200: the 64-byte SIMD loop, the 32- and 8-byte loops and the tail */
    for (len = 0; len <= 200; len += len < 40 ? 1 : 7)
        for (off = 0; off < 8; off++)
            for (align = 0; align < 4; align++) {
                /* reference: byte-wise XOR */
                for (i = 0; i < len; i++) {
                    ref[i] = (unsigned char)(i * 31 + len);
                    ref[i] ^= key[(off + i) % 4];
                }
                for (i = 0; i < len; i++) once[align + i] = (unsigned char)(i * 31 + len);
                sio_ws_mask(once + align, len, key, off);
                if (len) CHECK_MEM(once + align, ref, len);
                for (split = 0; split <= len; split++) {
                    for (i = 0; i < len; i++) pieces[align + i] = (unsigned char)(i * 31 + len);
                    sio_ws_mask(pieces + align, split, key, off);
                    sio_ws_mask(pieces + align + split, len - split, key, off + split);
                    if (len && memcmp(pieces + align, ref, len) != 0) {
                        fprintf(stderr, "  len %u off %u align %u split %u\n", (unsigned)len,
                                (unsigned)off, (unsigned)align, (unsigned)split);
                        CHECK_MEM(pieces + align, ref, len);
                        return;
                    }
                }
            }
}

static void test_ws_mask_does_not_touch_bytes_outside_range(void)
{
    static const unsigned char key[4] = { 0xff, 0xff, 0xff, 0xff };
    unsigned char buf[216];
    size_t start, len, i;
    for (start = 0; start < 8; start++)
        for (len = 0; len < 200; len += len < 40 ? 1 : 7) {
            memset(buf, 0, sizeof buf);
            sio_ws_mask(buf + start, len, key, start);
            for (i = 0; i < sizeof buf; i++)
                CHECK_INT(buf[i], (i >= start && i < start + len) ? 0xff : 0x00);
        }
}

static void test_ws_close_code_valid(void)
{
    static const int good[] = { 1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999 };
    static const int bad[] = { 0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535, -1 };
    size_t i;
    for (i = 0; i < sizeof good / sizeof good[0]; i++) CHECK_INT(sio_ws_close_code_valid(good[i]), 1);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) CHECK_INT(sio_ws_close_code_valid(bad[i]), 0);
}

/* ====================================================================== */
/* ws receiver                                                             */
/* ====================================================================== */

#define RX_MAX_MSGS 8
#define RX_MAX_DATA 512

typedef struct rx_result {
    int rc;                      /* first error, or 0 */
    size_t error_fed;            /* input bytes given when the error came */
    int count;                   /* units delivered */
    int opcode[RX_MAX_MSGS];
    unsigned char data[RX_MAX_MSGS][RX_MAX_DATA];
    size_t len[RX_MAX_MSGS];
    int close_code[RX_MAX_MSGS];
    char reason[RX_MAX_MSGS][RX_MAX_DATA];
    size_t reason_len[RX_MAX_MSGS];
} rx_result;

static rx_result rx_res, rx_res2;

static void rx_init(sio_ws_rx *rx, size_t max_message)
{
    memset(rx, 0, sizeof *rx);
    rx->max_message = max_message;
}

/* Feeds bytes[0..n) step bytes at a time the way a client does: the bytes
 * not consumed stay at the front of the buffer and new bytes are appended.
 * Every delivered unit is copied into res.  Stops at the first error. */
static void rx_run(sio_ws_rx *rx, const unsigned char *bytes, size_t n, size_t step, rx_result *res)
{
    unsigned char *pending = (unsigned char *)malloc(n + 1);
    size_t plen = 0, fed = 0;
    int guard;
    memset(res, 0, sizeof *res);
    if (!pending) { CHECK(pending != NULL); return; }
    while (fed < n) {
        size_t take = n - fed < step ? n - fed : step;
        memcpy(pending + plen, bytes + fed, take);
        plen += take;
        fed += take;
        for (guard = 0;; guard++) {
            size_t consumed = 0, need = 0;
            sio_ws_message m;
            int rc;
            memset(&m, 0, sizeof m);
            rc = sio_ws_rx_feed(rx, pending, plen, &consumed, &need, &m);
            if (guard > 1000) { FAIL("rx_feed makes no progress"); free(pending); return; }
            if (rc < 0) { res->rc = rc; res->error_fed = fed; free(pending); return; }
            CHECK(rc == 0 || rc == 1);
            CHECK(consumed <= plen);
            if (consumed > plen) { free(pending); return; }
            if (rc == 1) {
                int k = res->count++;
                if (k < RX_MAX_MSGS) {
                    res->opcode[k] = m.opcode;
                    res->len[k] = m.len;
                    if (m.len) memcpy(res->data[k], m.data, m.len < RX_MAX_DATA ? m.len : RX_MAX_DATA);
                    res->close_code[k] = m.close_code;
                    res->reason_len[k] = m.reason_len;
                    if (m.reason_len)
                        memcpy(res->reason[k], m.reason,
                               m.reason_len < RX_MAX_DATA ? m.reason_len : RX_MAX_DATA);
                }
            } else if (consumed == 0) {
                CHECK(need > plen);
            }
            memmove(pending, pending + consumed, plen - consumed);
            plen -= consumed;
            if (rc == 1 && plen > 0) continue;
            if (rc == 0 && consumed > 0 && plen > 0) continue;
            break;
        }
    }
    free(pending);
}

/* Feeds the whole input at once; returns the first error or 0. */
static int rx_feed_all(sio_ws_rx *rx, const unsigned char *bytes, size_t n)
{
    rx_run(rx, bytes, n, n ? n : 1, &rx_res);
    return rx_res.rc;
}

/* Runs bytes through a fresh receiver; returns its error (0 if none) and
 * stores the fail_code. */
static int rx_error_of(const unsigned char *bytes, size_t n, size_t max_message, int *fail_code)
{
    sio_ws_rx rx;
    int rc;
    rx_init(&rx, max_message);
    rc = rx_feed_all(&rx, bytes, n);
    *fail_code = rx.fail_code;
    if (rc < 0) CHECK(rx.error != NULL);
    sio_ws_rx_free(&rx);
    return rc;
}

#define CHECK_RX_FAILS(bytes, status, code) do { int fc_ = 0; \
    CHECK_INT(rx_error_of((bytes), sizeof (bytes), 0, &fc_), (status)); \
    CHECK_INT(fc_, (code)); } while (0)

static void test_ws_rx_single_text_frame(void)
{
    static const unsigned char in[] = { 0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f };
    sio_ws_rx rx;
    rx_init(&rx, 0);
    CHECK_INT(rx_feed_all(&rx, in, sizeof in), 0);
    CHECK_INT(rx_res.count, 1);
    CHECK_INT(rx_res.opcode[0], SIO_WS_TEXT);
    CHECK_SPAN(rx_res.data[0], rx_res.len[0], "Hello");
    sio_ws_rx_free(&rx);
}

static void test_ws_rx_consumes_exactly_one_frame(void)
{
    static const unsigned char in[] = { 0x82, 0x03, 0x00, 0x01, 0x02, 0x81, 0x01 };
    sio_ws_rx rx;
    sio_ws_message m;
    size_t consumed = 0;
    rx_init(&rx, 0);
    memset(&m, 0, sizeof m);
    CHECK_INT(sio_ws_rx_feed(&rx, in, sizeof in, &consumed, NULL, &m), 1);
    CHECK_INT(consumed, 5);
    CHECK_INT(m.opcode, SIO_WS_BINARY);
    CHECK_INT(m.len, 3);
    if (m.len == 3) CHECK_MEM(m.data, in + 2, 3);
    sio_ws_rx_free(&rx);
}

static void test_ws_rx_binary_pong_and_empty_text(void)
{
    static const unsigned char in[] = { 0x82, 0x02, 0x00, 0xff, 0x8a, 0x01, 0x78, 0x81, 0x00 };
    sio_ws_rx rx;
    rx_init(&rx, 0);
    CHECK_INT(rx_feed_all(&rx, in, sizeof in), 0);
    CHECK_INT(rx_res.count, 3);
    CHECK_INT(rx_res.opcode[0], SIO_WS_BINARY);
    CHECK_INT(rx_res.len[0], 2);
    CHECK_MEM(rx_res.data[0], in + 2, 2);
    CHECK_INT(rx_res.opcode[1], SIO_WS_PONG);
    CHECK_SPAN(rx_res.data[1], rx_res.len[1], "x");
    CHECK_INT(rx_res.opcode[2], SIO_WS_TEXT);
    CHECK_INT(rx_res.len[2], 0);
    sio_ws_rx_free(&rx);
}

static void test_ws_rx_partial_frame_needs_more(void)
{
    static const unsigned char in[] = { 0x82, 0x05, 0x01, 0x02 };
    sio_ws_rx rx;
    sio_ws_message m;
    size_t consumed = 99, need = 0;
    rx_init(&rx, 0);
    CHECK_INT(sio_ws_rx_feed(&rx, in, 1, &consumed, &need, &m), 0);
    if (consumed == 0) CHECK(need >= 2);
    sio_ws_rx_free(&rx);
    rx_init(&rx, 0);
    consumed = 99;
    CHECK_INT(sio_ws_rx_feed(&rx, in, sizeof in, &consumed, &need, &m), 0);
    if (consumed == 0) CHECK_INT(need, 7);
    sio_ws_rx_free(&rx);
}

static const unsigned char frag_with_ping[] = {
    0x01, 0x03, 0x48, 0x65, 0x6c,        /* text, not final: "Hel" */
    0x89, 0x02, 0x70, 0x31,              /* ping "p1" */
    0x00, 0x01, 0x6c,                    /* continuation: "l" */
    0x80, 0x01, 0x6f                     /* final continuation: "o" */
};

static void test_ws_rx_fragmented_message_with_interleaved_ping(void)
{
    sio_ws_rx rx;
    rx_init(&rx, 0);
    CHECK_INT(rx_feed_all(&rx, frag_with_ping, sizeof frag_with_ping), 0);
    CHECK_INT(rx_res.count, 2);
    CHECK_INT(rx_res.opcode[0], SIO_WS_PING);
    CHECK_SPAN(rx_res.data[0], rx_res.len[0], "p1");
    CHECK_INT(rx_res.opcode[1], SIO_WS_TEXT);
    CHECK_SPAN(rx_res.data[1], rx_res.len[1], "Hello");
    sio_ws_rx_free(&rx);
}

static void test_ws_rx_one_byte_at_a_time_gives_same_result(void)
{
    sio_ws_rx a, b;
    int i;
    rx_init(&a, 0);
    rx_init(&b, 0);
    rx_run(&a, frag_with_ping, sizeof frag_with_ping, sizeof frag_with_ping, &rx_res);
    rx_run(&b, frag_with_ping, sizeof frag_with_ping, 1, &rx_res2);
    CHECK_INT(rx_res2.rc, 0);
    CHECK_INT(rx_res2.count, rx_res.count);
    CHECK_INT(rx_res2.count, 2);
    for (i = 0; i < rx_res.count && i < RX_MAX_MSGS; i++) {
        CHECK_INT(rx_res2.opcode[i], rx_res.opcode[i]);
        CHECK_INT(rx_res2.len[i], rx_res.len[i]);
        CHECK_MEM(rx_res2.data[i], rx_res.data[i], rx_res.len[i]);
    }
    CHECK_SPAN(rx_res2.data[1], rx_res2.len[1], "Hello");
    sio_ws_rx_free(&a);
    sio_ws_rx_free(&b);
}

static void test_ws_rx_one_byte_at_a_time_long_frames(void)
{
    static unsigned char in[4 + 300 + 2 + 3 + 10 + 70000];
    sio_ws_rx rx;
    size_t n = 0, i;
    in[n++] = 0x82; in[n++] = 0x7e; in[n++] = 0x01; in[n++] = 0x2c;   /* 300 bytes */
    for (i = 0; i < 300; i++) in[n++] = (unsigned char)i;
    in[n++] = 0x81; in[n++] = 0x03; in[n++] = 0xe2; in[n++] = 0x82; in[n++] = 0xac;   /* "€" */
    in[n++] = 0x82; in[n++] = 0x7f; in[n++] = 0; in[n++] = 0; in[n++] = 0; in[n++] = 0;
    in[n++] = 0x00; in[n++] = 0x01; in[n++] = 0x11; in[n++] = 0x70;   /* 70000 bytes */
    for (i = 0; i < 70000; i++) in[n++] = (unsigned char)(i * 3);
    rx_init(&rx, 0);
    rx_run(&rx, in, n, 1, &rx_res);
    CHECK_INT(rx_res.rc, 0);
    CHECK_INT(rx_res.count, 3);
    CHECK_INT(rx_res.opcode[0], SIO_WS_BINARY);
    CHECK_INT(rx_res.len[0], 300);
    CHECK_MEM(rx_res.data[0], in + 4, 300);
    CHECK_INT(rx_res.opcode[1], SIO_WS_TEXT);
    CHECK_SPAN(rx_res.data[1], rx_res.len[1], "\xe2\x82\xac");
    CHECK_INT(rx_res.opcode[2], SIO_WS_BINARY);
    CHECK_INT(rx_res.len[2], 70000);
    CHECK_MEM(rx_res.data[2], in + 4 + 300 + 5 + 10, RX_MAX_DATA);
    sio_ws_rx_free(&rx);
}

static void test_ws_rx_close_with_code_and_reason(void)
{
    static const unsigned char in[] = { 0x88, 0x05, 0x03, 0xe8, 0x62, 0x79, 0x65 };
    sio_ws_rx rx;
    rx_init(&rx, 0);
    CHECK_INT(rx_feed_all(&rx, in, sizeof in), 0);
    CHECK_INT(rx_res.count, 1);
    CHECK_INT(rx_res.opcode[0], SIO_WS_CLOSE);
    CHECK_INT(rx_res.close_code[0], 1000);
    CHECK_SPAN(rx_res.reason[0], rx_res.reason_len[0], "bye");
    CHECK_INT(rx_res.len[0], 5);
    CHECK_MEM(rx_res.data[0], in + 2, 5);
    sio_ws_rx_free(&rx);
}

static void test_ws_rx_empty_close_is_1005(void)
{
    static const unsigned char in[] = { 0x88, 0x00 };
    sio_ws_rx rx;
    rx_init(&rx, 0);
    CHECK_INT(rx_feed_all(&rx, in, sizeof in), 0);
    CHECK_INT(rx_res.count, 1);
    CHECK_INT(rx_res.opcode[0], SIO_WS_CLOSE);
    CHECK_INT(rx_res.close_code[0], 1005);
    CHECK_INT(rx_res.reason_len[0], 0);
    sio_ws_rx_free(&rx);
}

static void test_ws_rx_rejects_rsv_bits(void)
{
    static const unsigned char rsv1[] = { 0xc1, 0x01, 0x41 };
    static const unsigned char rsv2[] = { 0xa1, 0x01, 0x41 };
    static const unsigned char rsv3[] = { 0x91, 0x01, 0x41 };
    CHECK_RX_FAILS(rsv1, SIO_ERR_PROTOCOL, 1002);
    CHECK_RX_FAILS(rsv2, SIO_ERR_PROTOCOL, 1002);
    CHECK_RX_FAILS(rsv3, SIO_ERR_PROTOCOL, 1002);
}

static void test_ws_rx_rejects_reserved_opcodes(void)
{
    static const unsigned char op3[] = { 0x83, 0x00 };
    static const unsigned char opb[] = { 0x8b, 0x00 };
    static const unsigned char op7[] = { 0x87, 0x01, 0x41 };
    static const unsigned char opf[] = { 0x8f, 0x00 };
    CHECK_RX_FAILS(op3, SIO_ERR_PROTOCOL, 1002);
    CHECK_RX_FAILS(opb, SIO_ERR_PROTOCOL, 1002);
    CHECK_RX_FAILS(op7, SIO_ERR_PROTOCOL, 1002);
    CHECK_RX_FAILS(opf, SIO_ERR_PROTOCOL, 1002);
}

static void test_ws_rx_rejects_masked_server_frame(void)
{
    static const unsigned char in[] = { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58 };
    CHECK_RX_FAILS(in, SIO_ERR_PROTOCOL, 1002);
}

static void test_ws_rx_rejects_fragmented_ping(void)
{
    static const unsigned char in[] = { 0x09, 0x01, 0x41, 0x80, 0x00 };
    CHECK_RX_FAILS(in, SIO_ERR_PROTOCOL, 1002);
}

static void test_ws_rx_rejects_ping_with_126_byte_payload(void)
{
    unsigned char in[4 + 126];
    memset(in, 0x41, sizeof in);
    in[0] = 0x89; in[1] = 0x7e; in[2] = 0x00; in[3] = 0x7e;
    CHECK_RX_FAILS(in, SIO_ERR_PROTOCOL, 1002);
}

static void test_ws_rx_accepts_ping_with_125_byte_payload(void)
{
    unsigned char in[2 + 125];
    sio_ws_rx rx;
    memset(in, 0x41, sizeof in);
    in[0] = 0x89; in[1] = 0x7d;
    rx_init(&rx, 0);
    CHECK_INT(rx_feed_all(&rx, in, sizeof in), 0);
    CHECK_INT(rx_res.count, 1);
    CHECK_INT(rx_res.opcode[0], SIO_WS_PING);
    CHECK_INT(rx_res.len[0], 125);
    sio_ws_rx_free(&rx);
}

static void test_ws_rx_rejects_continuation_without_start(void)
{
    static const unsigned char in[] = { 0x80, 0x01, 0x41 };
    static const unsigned char in2[] = { 0x00, 0x01, 0x41 };
    CHECK_RX_FAILS(in, SIO_ERR_PROTOCOL, 1002);
    CHECK_RX_FAILS(in2, SIO_ERR_PROTOCOL, 1002);
}

static void test_ws_rx_rejects_new_message_during_fragmented_message(void)
{
    static const unsigned char in[] = { 0x01, 0x01, 0x41, 0x81, 0x01, 0x42 };
    static const unsigned char in2[] = { 0x02, 0x01, 0x41, 0x82, 0x01, 0x42 };
    CHECK_RX_FAILS(in, SIO_ERR_PROTOCOL, 1002);
    CHECK_RX_FAILS(in2, SIO_ERR_PROTOCOL, 1002);
}

static void test_ws_rx_rejects_close_with_1_byte_payload(void)
{
    static const unsigned char in[] = { 0x88, 0x01, 0x03 };
    CHECK_RX_FAILS(in, SIO_ERR_PROTOCOL, 1002);
}

static void test_ws_rx_rejects_invalid_close_codes(void)
{
    static const int bad[] = { 0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535 };
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        unsigned char in[4];
        int fc = 0, rc;
        in[0] = 0x88; in[1] = 0x02;
        in[2] = (unsigned char)(bad[i] >> 8); in[3] = (unsigned char)(bad[i] & 0xff);
        rc = rx_error_of(in, sizeof in, 0, &fc);
        if (rc != SIO_ERR_PROTOCOL || fc != 1002) fprintf(stderr, "  close code %d\n", bad[i]);
        CHECK_INT(rc, SIO_ERR_PROTOCOL);
        CHECK_INT(fc, 1002);
    }
}

static void test_ws_rx_accepts_valid_close_codes(void)
{
    static const int good[] = { 1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999 };
    size_t i;
    for (i = 0; i < sizeof good / sizeof good[0]; i++) {
        unsigned char in[4];
        sio_ws_rx rx;
        in[0] = 0x88; in[1] = 0x02;
        in[2] = (unsigned char)(good[i] >> 8); in[3] = (unsigned char)(good[i] & 0xff);
        rx_init(&rx, 0);
        CHECK_INT(rx_feed_all(&rx, in, sizeof in), 0);
        if (rx_res.count != 1 || rx_res.close_code[0] != good[i])
            fprintf(stderr, "  close code %d\n", good[i]);
        CHECK_INT(rx_res.count, 1);
        CHECK_INT(rx_res.opcode[0], SIO_WS_CLOSE);
        CHECK_INT(rx_res.close_code[0], good[i]);
        sio_ws_rx_free(&rx);
    }
}

static void test_ws_rx_rejects_close_reason_with_invalid_utf8(void)
{
    static const unsigned char in[] = { 0x88, 0x06, 0x03, 0xe8, 0x62, 0xed, 0xa0, 0x80 };
    int fc = 0;
    CHECK_INT(rx_error_of(in, sizeof in, 0, &fc), SIO_ERR_PROTOCOL);
    CHECK(fc == 1002 || fc == 1007);
}

static void test_ws_rx_rejects_invalid_utf8_in_text_frame(void)
{
    static const unsigned char in[] = { 0x81, 0x04, 0x41, 0xc0, 0x80, 0x42 };
    CHECK_RX_FAILS(in, SIO_ERR_PROTOCOL, 1007);
}

static void test_ws_rx_binary_frame_is_not_utf8_checked(void)
{
    static const unsigned char in[] = { 0x82, 0x04, 0x41, 0xc0, 0x80, 0xff };
    sio_ws_rx rx;
    rx_init(&rx, 0);
    CHECK_INT(rx_feed_all(&rx, in, sizeof in), 0);
    CHECK_INT(rx_res.count, 1);
    CHECK_INT(rx_res.opcode[0], SIO_WS_BINARY);
    sio_ws_rx_free(&rx);
}

static void test_ws_rx_invalid_utf8_fails_fast_inside_partial_frame(void)
{
    /* header says 10 bytes; only "A", ED, A0 have arrived */
    static const unsigned char in[] = { 0x81, 0x0a, 0x41, 0xed, 0xa0 };
    sio_ws_rx rx;
    rx_init(&rx, 0);
    CHECK_INT(rx_feed_all(&rx, in, sizeof in), SIO_ERR_PROTOCOL);
    CHECK_INT(rx.fail_code, 1007);
    sio_ws_rx_free(&rx);
}

static void test_ws_rx_invalid_utf8_fails_fast_byte_by_byte(void)
{
    static const unsigned char in[] = { 0x81, 0x0a, 0x41, 0xed, 0xa0, 0x80, 0x41, 0x41, 0x41, 0x41,
                                        0x41, 0x41 };
    sio_ws_rx rx;
    rx_init(&rx, 0);
    rx_run(&rx, in, sizeof in, 1, &rx_res);
    CHECK_INT(rx_res.rc, SIO_ERR_PROTOCOL);
    CHECK_INT(rx_res.error_fed, 5);   /* right after the A0 */
    CHECK_INT(rx.fail_code, 1007);
    sio_ws_rx_free(&rx);
}

static void test_ws_rx_invalid_utf8_split_across_fragments(void)
{
    static const unsigned char in[] = { 0x01, 0x02, 0x41, 0xed, 0x80, 0x02, 0xa0, 0x80 };
    CHECK_RX_FAILS(in, SIO_ERR_PROTOCOL, 1007);
}

static void test_ws_rx_valid_utf8_split_across_fragments(void)
{
    /* κόσμε with the 3-byte character split over three frames */
    static const unsigned char in[] = { 0x01, 0x03, 0xce, 0xba, 0xe1,
                                        0x00, 0x01, 0xbd,
                                        0x80, 0x07, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5 };
    sio_ws_rx rx;
    rx_init(&rx, 0);
    CHECK_INT(rx_feed_all(&rx, in, sizeof in), 0);
    CHECK_INT(rx_res.count, 1);
    CHECK_INT(rx_res.opcode[0], SIO_WS_TEXT);
    CHECK_SPAN(rx_res.data[0], rx_res.len[0], "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5");
    sio_ws_rx_free(&rx);
}

static void test_ws_rx_text_ending_mid_character(void)
{
    static const unsigned char single[] = { 0x81, 0x02, 0x41, 0xce };
    static const unsigned char frags[] = { 0x01, 0x01, 0x41, 0x80, 0x02, 0xe2, 0x82 };
    CHECK_RX_FAILS(single, SIO_ERR_PROTOCOL, 1007);
    CHECK_RX_FAILS(frags, SIO_ERR_PROTOCOL, 1007);
}

static void test_ws_rx_message_too_big_single_frame_header(void)
{
    static const unsigned char in[] = { 0x82, 0x0b };   /* 11 bytes announced, none sent */
    int fc = 0;
    CHECK_INT(rx_error_of(in, sizeof in, 10, &fc), SIO_ERR_TOO_BIG);
    CHECK_INT(fc, 1009);
}

static void test_ws_rx_message_too_big_64_bit_length(void)
{
    static const unsigned char in[] = { 0x82, 0x7f, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00 };
    int fc = 0;
    CHECK_INT(rx_error_of(in, sizeof in, 0, &fc), SIO_ERR_TOO_BIG);   /* 4 GiB > 16 MiB */
    CHECK_INT(fc, 1009);
}

static void test_ws_rx_message_too_big_across_fragments(void)
{
    static const unsigned char in[] = { 0x02, 0x06, 1, 2, 3, 4, 5, 6,
                                        0x80, 0x06, 1, 2, 3, 4, 5, 6 };
    int fc = 0;
    CHECK_INT(rx_error_of(in, sizeof in, 10, &fc), SIO_ERR_TOO_BIG);
    CHECK_INT(fc, 1009);
}

static void test_ws_rx_message_at_max_message_accepted(void)
{
    static const unsigned char in[] = { 0x02, 0x05, 1, 2, 3, 4, 5,
                                        0x80, 0x05, 6, 7, 8, 9, 10 };
    sio_ws_rx rx;
    rx_init(&rx, 10);
    CHECK_INT(rx_feed_all(&rx, in, sizeof in), 0);
    CHECK_INT(rx_res.count, 1);
    CHECK_INT(rx_res.len[0], 10);
    sio_ws_rx_free(&rx);
}

static void test_ws_rx_errors_are_sticky(void)
{
    static const unsigned char bad[] = { 0xc1, 0x01, 0x41 };
    static const unsigned char good[] = { 0x81, 0x01, 0x41 };
    sio_ws_rx rx;
    sio_ws_message m;
    size_t consumed = 0;
    int rc;
    rx_init(&rx, 0);
    memset(&m, 0, sizeof m);
    rc = sio_ws_rx_feed(&rx, bad, sizeof bad, &consumed, NULL, &m);
    CHECK_INT(rc, SIO_ERR_PROTOCOL);
    CHECK_INT(rx.fail_code, 1002);
    CHECK(rx.error != NULL);
    CHECK_INT(sio_ws_rx_feed(&rx, good, sizeof good, &consumed, NULL, &m), rc);
    CHECK_INT(sio_ws_rx_feed(&rx, good, sizeof good, &consumed, NULL, &m), rc);
    CHECK_INT(rx.fail_code, 1002);
    sio_ws_rx_free(&rx);
}

static void test_ws_rx_too_big_error_is_sticky(void)
{
    static const unsigned char bad[] = { 0x82, 0x0b };
    static const unsigned char good[] = { 0x81, 0x01, 0x41 };
    sio_ws_rx rx;
    sio_ws_message m;
    size_t consumed = 0;
    rx_init(&rx, 10);
    CHECK_INT(sio_ws_rx_feed(&rx, bad, sizeof bad, &consumed, NULL, &m), SIO_ERR_TOO_BIG);
    CHECK_INT(sio_ws_rx_feed(&rx, good, sizeof good, &consumed, NULL, &m), SIO_ERR_TOO_BIG);
    CHECK_INT(rx.fail_code, 1009);
    sio_ws_rx_free(&rx);
}

static void test_ws_rx_free_twice_and_on_zeroed_is_safe(void)
{
    sio_ws_rx rx;
    rx_init(&rx, 0);
    sio_ws_rx_free(&rx);
    CHECK_INT(rx_feed_all(&rx, frag_with_ping, sizeof frag_with_ping), 0);
    sio_ws_rx_free(&rx);
    sio_ws_rx_free(&rx);
    CHECK(1);
}

/* ====================================================================== */

/* ---- dns (RFC 1035) ---- */

static void test_dns_query_bytes(void)
{
    unsigned char q[512];
    static const unsigned char want[] = {
        0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
        7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1 };
    CHECK_INT(sio_dns_query(q, sizeof q, 0x1234, "example.com", SIO_DNS_A), sizeof want);
    CHECK(memcmp(q, want, sizeof want) == 0);
    CHECK_INT(sio_dns_query(q, sizeof q, 0x1234, "example.com.", SIO_DNS_AAAA), sizeof want);   /* trailing dot */
    CHECK_INT(q[sizeof want - 3], 28);
    CHECK_INT(sio_dns_query(q, sizeof q, 1, "a..b", SIO_DNS_A), 0);
    CHECK_INT(sio_dns_query(q, sizeof q, 1, "", SIO_DNS_A), 0);
    CHECK_INT(sio_dns_query(q, sizeof q, 1, "bad name", SIO_DNS_A), 0);
    CHECK_INT(sio_dns_query(q, sizeof q, 1, "x.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", SIO_DNS_A), 0);   /* 64-byte label */
    CHECK_INT(sio_dns_query(q, 10, 1, "example.com", SIO_DNS_A), 0);
}

/* An answer: header, the question for "a.test", then records. */
static size_t dns_answer(unsigned char *m, unsigned id, int flags_lo, const unsigned char *records, size_t rlen, int ancount)
{
    static const unsigned char question[] = { 1, 'a', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1 };
    m[0] = (unsigned char)(id >> 8); m[1] = (unsigned char)id;
    m[2] = 0x81; m[3] = (unsigned char)(0x80 | flags_lo);
    m[4] = 0; m[5] = 1; m[6] = 0; m[7] = (unsigned char)ancount; m[8] = m[9] = m[10] = m[11] = 0;
    memcpy(m + 12, question, sizeof question);
    if (rlen) memcpy(m + 12 + sizeof question, records, rlen);
    return 12 + sizeof question + rlen;
}

static void test_dns_parse_answers(void)
{
    unsigned char m[512];
    sio_dns_addr a[4];
    size_t count, n;
    char text[46];
    const char *why;
    /* CNAME (compressed owner) then an A record for the target */
    static const unsigned char cname_then_a[] = {
        0xC0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 4, 1, 'b', 0xC0, 14,
        0xC0, 36, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 7 };   /* owner: the CNAME target b.test */
    static const unsigned char aaaa[] = {
        0xC0, 12, 0, 28, 0, 1, 0, 0, 0, 60, 0, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
    n = dns_answer(m, 7, 0, cname_then_a, sizeof cname_then_a, 2);
    CHECK_INT(sio_dns_parse(m, n, 7, "a.test", SIO_DNS_A, a, 4, &count, &why), SIO_OK);
    CHECK_INT(count, 1);
    sio_dns_addr_text(&a[0], text);
    CHECK_STR(text, "10.0.0.7");
    m[21] = SIO_DNS_AAAA;
    CHECK_INT(sio_dns_parse(m, n, 7, "a.test", SIO_DNS_AAAA, a, 4, &count, &why), SIO_OK);   /* no AAAA: empty */
    CHECK_INT(count, 0);
    m[21] = SIO_DNS_A;
    CHECK_INT(sio_dns_parse(m, n, 8, "a.test", SIO_DNS_A, a, 4, &count, &why), SIO_ERR_AGAIN); /* someone else's */
    n = dns_answer(m, 9, 0, aaaa, sizeof aaaa, 1);
    m[21] = SIO_DNS_AAAA;                                  /* the question's type */
    CHECK_INT(sio_dns_parse(m, n, 9, "a.test", SIO_DNS_AAAA, a, 4, &count, &why), SIO_OK);
    CHECK_INT(count, 1);
    sio_dns_addr_text(&a[0], text);
    CHECK_STR(text, "2001:db8::1");
    n = dns_answer(m, 9, 3, NULL, 0, 0);                   /* NXDOMAIN */
    CHECK_INT(sio_dns_parse(m, n, 9, "a.test", SIO_DNS_A, a, 4, &count, &why), SIO_ERR_NO_ADDRESS);
    n = dns_answer(m, 9, 2, NULL, 0, 0);                   /* SERVFAIL */
    CHECK_INT(sio_dns_parse(m, n, 9, "a.test", SIO_DNS_A, a, 4, &count, &why), SIO_ERR_PROTOCOL);
    CHECK(why != NULL);
}

/* Only the asked name and its CNAME chain count; an answer to another
 * question is not ours (it cannot fail the query or feed it addresses). */
static void test_dns_parse_follows_the_chain_from_the_asked_name(void)
{
    unsigned char m[512];
    sio_dns_addr a[4];
    size_t count, n;
    char text[46];
    const char *why;
    /* an A record for "b.test" (not asked, not in a chain), then one for "a.test" */
    static const unsigned char stranger_then_own[] = {
        1, 'b', 0xC0, 14, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 6, 6, 6, 6,
        0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 1 };
    /* a.test CNAME c.test; c.test CNAME d.test; d.test A 10.0.0.9; x A 6.6.6.6 (listed before) */
    static const unsigned char chain[] = {
        1, 'x', 0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 6, 6, 6, 6,
        1, 'd', 0xC0, 14, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 9,
        0xC0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 4, 1, 'c', 0xC0, 14,
        0xC0, 71, 0, 5, 0, 1, 0, 0, 0, 60, 0, 2, 0xC0, 41 };
    /* a CNAME loop: a.test -> a.test */
    static const unsigned char loop[] = { 0xC0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 2, 0xC0, 12 };
    static const unsigned char other_question[] = { 1, 'z', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1 };
    n = dns_answer(m, 7, 0, stranger_then_own, sizeof stranger_then_own, 2);
    CHECK_INT(sio_dns_parse(m, n, 7, "a.test", SIO_DNS_A, a, 4, &count, &why), SIO_OK);
    CHECK_INT(count, 1);
    sio_dns_addr_text(&a[0], text);
    CHECK_STR(text, "10.0.0.1");
    CHECK_INT(sio_dns_parse(m, n, 7, "A.TEST.", SIO_DNS_A, a, 4, &count, &why), SIO_OK);   /* names ignore case */
    CHECK_INT(count, 1);
    n = dns_answer(m, 7, 0, chain, sizeof chain, 4);
    CHECK_INT(sio_dns_parse(m, n, 7, "a.test", SIO_DNS_A, a, 4, &count, &why), SIO_OK);
    CHECK_INT(count, 1);
    sio_dns_addr_text(&a[0], text);
    CHECK_STR(text, "10.0.0.9");
    n = dns_answer(m, 7, 0, loop, sizeof loop, 1);
    CHECK_INT(sio_dns_parse(m, n, 7, "a.test", SIO_DNS_A, a, 4, &count, &why), SIO_OK);
    CHECK_INT(count, 0);
    n = dns_answer(m, 7, 0, stranger_then_own, sizeof stranger_then_own, 2);
    CHECK_INT(sio_dns_parse(m, n, 7, "b.test", SIO_DNS_A, a, 4, &count, &why), SIO_ERR_AGAIN);   /* other question */
    CHECK_INT(sio_dns_parse(m, n, 7, "a.test", SIO_DNS_AAAA, a, 4, &count, &why), SIO_ERR_AGAIN); /* other type */
    memcpy(m + 12, other_question, sizeof other_question);
    m[3] = 0x83;                                           /* a forged NXDOMAIN for another name */
    CHECK_INT(sio_dns_parse(m, n, 7, "a.test", SIO_DNS_A, a, 4, &count, &why), SIO_ERR_AGAIN);
    m[5] = 0;                                              /* no question at all */
    CHECK_INT(sio_dns_parse(m, n, 7, "a.test", SIO_DNS_A, a, 4, &count, &why), SIO_ERR_AGAIN);
}

static void test_dns_parse_rejects_malformed(void)
{
    unsigned char m[512];
    sio_dns_addr a[4];
    size_t count, n;
    static const unsigned char loop[] = { 0xC0, 32, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 1, 2, 3, 4 };  /* pointer forward */
    static const unsigned char overrun[] = { 0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0x01, 0x00, 1, 2 };
    n = dns_answer(m, 5, 0, loop, sizeof loop, 1);
    CHECK_INT(sio_dns_parse(m, n, 5, "a.test", SIO_DNS_A, a, 4, &count, NULL), SIO_ERR_PROTOCOL);
    n = dns_answer(m, 5, 0, overrun, sizeof overrun, 1);
    CHECK_INT(sio_dns_parse(m, n, 5, "a.test", SIO_DNS_A, a, 4, &count, NULL), SIO_ERR_PROTOCOL);
    n = dns_answer(m, 5, 0, NULL, 0, 3);                  /* claims 3 records, has none */
    CHECK_INT(sio_dns_parse(m, n, 5, "a.test", SIO_DNS_A, a, 4, &count, NULL), SIO_ERR_PROTOCOL);
    m[2] |= 0x02;                                          /* truncated */
    CHECK_INT(sio_dns_parse(m, n, 5, "a.test", SIO_DNS_A, a, 4, &count, NULL), SIO_ERR_PROTOCOL);
    CHECK_INT(sio_dns_parse(m, 11, 5, "a.test", SIO_DNS_A, a, 4, &count, NULL), SIO_ERR_PROTOCOL);
}

static void test_dns_addr_text_and_literals(void)
{
    sio_dns_addr a;
    char text[46];
    memset(&a, 0, sizeof a);
    a.family = 6;
    sio_dns_addr_text(&a, text);
    CHECK_STR(text, "::");
    a.bytes[15] = 1;
    sio_dns_addr_text(&a, text);
    CHECK_STR(text, "::1");
    a.bytes[0] = 0xfe; a.bytes[1] = 0x80; a.bytes[15] = 0;
    a.bytes[14] = 0x12;
    sio_dns_addr_text(&a, text);
    CHECK_STR(text, "fe80::1200");
    CHECK(sio_ip_literal("127.0.0.1"));
    CHECK(sio_ip_literal("::1"));
    CHECK(sio_ip_literal("fe80::1:2"));
    CHECK(!sio_ip_literal("localhost"));
    CHECK(!sio_ip_literal("1.2.3"));
    CHECK(!sio_ip_literal("1.2.3.4.5"));
    CHECK(!sio_ip_literal("1234.1.1.1"));
    CHECK(!sio_ip_literal("a.b.c.d"));
    CHECK(!sio_ip_literal(""));
    CHECK(!sio_ip_literal("010.0.0.1"));         /* octal to inet_aton: 8.0.0.1 */
    CHECK(!sio_ip_literal("10.0.0.01"));
    CHECK(!sio_ip_literal("256.0.0.1"));
    CHECK(sio_ip_literal("10.0.0.0"));
}

static void test_ip_parse_to_bytes(void)
{
    unsigned char b[16];
    static const unsigned char v6_1[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
    static const unsigned char mapped[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4 };
    static const unsigned char fe80[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2 };
    static const unsigned char full[16] = { 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0xab, 0xcd };
    CHECK_INT(sio_ip_parse("127.0.0.1", b), 4);
    CHECK_MEM(b, "\x7f\x00\x00\x01", 4);
    CHECK_INT(sio_ip_parse("255.255.255.255", b), 4);
    CHECK_INT(sio_ip_parse("::1", b), 16);
    CHECK_MEM(b, v6_1, 16);
    CHECK_INT(sio_ip_parse("::ffff:1.2.3.4", b), 16);
    CHECK_MEM(b, mapped, 16);
    CHECK_INT(sio_ip_parse("FE80::1:2", b), 16);
    CHECK_MEM(b, fe80, 16);
    CHECK_INT(sio_ip_parse("1:2:3:4:5:6:7:abcd", b), 16);
    CHECK_MEM(b, full, 16);
    CHECK_INT(sio_ip_parse("::", b), 16);
    CHECK_INT(sio_ip_parse("1::", b), 16);
    CHECK_INT(sio_ip_parse("256.1.1.1", b), 0);
    CHECK_INT(sio_ip_parse("1.2.3", b), 0);
    CHECK_INT(sio_ip_parse("1.2.3.4.", b), 0);
    CHECK_INT(sio_ip_parse("1.2.3.4.5", b), 0);
    CHECK_INT(sio_ip_parse("1::2::3", b), 0);
    CHECK_INT(sio_ip_parse(":1::", b), 0);
    CHECK_INT(sio_ip_parse("1:2:3:4:5:6:7", b), 0);
    CHECK_INT(sio_ip_parse("1:2:3:4:5:6:7:8:9", b), 0);
    CHECK_INT(sio_ip_parse("1:2:3:4:5:6:7:8::", b), 0);
    CHECK_INT(sio_ip_parse("12345::", b), 0);
    CHECK_INT(sio_ip_parse("1:", b), 0);
    CHECK_INT(sio_ip_parse("localhost", b), 0);
    CHECK_INT(sio_ip_parse("010.0.0.1", b), 0);   /* leading zeros: octal to the C library */
    CHECK_INT(sio_ip_parse("10.0.0.01", b), 0);
    CHECK_INT(sio_ip_parse("::ffff:1.2.3.04", b), 0);
    CHECK_INT(sio_ip_parse("0.0.0.0", b), 4);
    CHECK_INT(sio_ip_parse("10.0.0.100", b), 4);
    CHECK_INT(sio_ip_parse("", b), 0);
}

/* A certificate cut down to what the checks read: the TBSCertificate's
 * fields up to [3] extensions, each extension given as OID and value. */
static size_t der_put(unsigned char *out, unsigned tag, const unsigned char *content, size_t n)
{
    size_t h = 2;
    out[0] = (unsigned char)tag;
    if (n < 128) out[1] = (unsigned char)n;
    else { out[1] = 0x82; out[2] = (unsigned char)(n >> 8); out[3] = (unsigned char)n; h = 4; }
    memmove(out + h, content, n);
    return h + n;
}
static size_t fake_cert(unsigned char *out, const unsigned char *exts, size_t exts_len)
{
    unsigned char tbs[600], seq[600];
    size_t n = 0, m;
    static const unsigned char head[] = { 0xa0, 0x03, 0x02, 0x01, 0x02, 0x02, 0x01, 0x07, 0x30, 0x00 };
    memcpy(tbs, head, sizeof head);
    n = sizeof head;
    if (exts) {
        m = der_put(seq, 0x30, exts, exts_len);
        n += der_put(tbs + n, 0xa3, seq, m);
    }
    m = der_put(seq, 0x30, tbs, n);
    seq[m++] = 0x30; seq[m++] = 0x00;              /* signatureAlgorithm, signature: not read */
    return der_put(out, 0x30, seq, m);
}
static size_t fake_ext(unsigned char *out, const unsigned char *oid, size_t oid_len, int critical,
                       const unsigned char *value, size_t value_len)
{
    unsigned char e[300], v[300];
    size_t n = 0;
    memcpy(e, oid, oid_len);
    n = oid_len;
    if (critical) { e[n++] = 0x01; e[n++] = 0x01; e[n++] = 0xff; }
    n += der_put(e + n, 0x04, (memcpy(v, value, value_len), v), value_len);
    return der_put(out, 0x30, e, n);
}

static void test_x509_extended_key_usage(void)
{
    static const unsigned char eku_oid[] = { 0x06, 0x03, 0x55, 0x1d, 0x25 };
    static const unsigned char ku_oid[] = { 0x06, 0x03, 0x55, 0x1d, 0x0f };
    static const unsigned char server_auth[] = { 0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01 };
    static const unsigned char email_only[] = { 0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x04 };
    static const unsigned char client_then_any[] = { 0x30, 0x10, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03,
                                                     0x02, 0x06, 0x04, 0x55, 0x1d, 0x25, 0x00 };
    static const unsigned char ku[] = { 0x03, 0x02, 0x05, 0xa0 };
    unsigned char ext[400], cert[700];
    size_t e, n;
    n = fake_cert(cert, NULL, 0);                                   /* no extensions at all */
    CHECK_INT(sio_x509_allows_server(cert, n), 1);
    e = fake_ext(ext, ku_oid, sizeof ku_oid, 1, ku, sizeof ku);    /* extensions, no EKU */
    n = fake_cert(cert, ext, e);
    CHECK_INT(sio_x509_allows_server(cert, n), 1);
    e += fake_ext(ext + e, eku_oid, sizeof eku_oid, 0, server_auth, sizeof server_auth);
    n = fake_cert(cert, ext, e);
    CHECK_INT(sio_x509_allows_server(cert, n), 1);
    e = fake_ext(ext, eku_oid, sizeof eku_oid, 1, email_only, sizeof email_only);
    n = fake_cert(cert, ext, e);
    CHECK_INT(sio_x509_allows_server(cert, n), 0);
    e = fake_ext(ext, eku_oid, sizeof eku_oid, 0, client_then_any, sizeof client_then_any);
    n = fake_cert(cert, ext, e);
    CHECK_INT(sio_x509_allows_server(cert, n), 1);                 /* anyExtendedKeyUsage */
    CHECK_INT(sio_x509_allows_server(cert, n - 3), -1);            /* cut short */
    CHECK_INT(sio_x509_allows_server(cert, 1), -1);
    cert[0] = 0x31;
    CHECK_INT(sio_x509_allows_server(cert, n), -1);
}

/* Key Usage bits count from the top of the BIT STRING's first byte; bits
 * past its end are 0; no Key Usage allows any use. */
static void test_x509_key_usage(void)
{
    static const unsigned char ku_oid[] = { 0x06, 0x03, 0x55, 0x1d, 0x0f };
    static const unsigned char sign_and_encipher[] = { 0x03, 0x02, 0x05, 0xa0 };
    static const unsigned char non_repudiation[] = { 0x03, 0x02, 0x06, 0x40 };
    static const unsigned char two_bytes[] = { 0x03, 0x03, 0x07, 0x08, 0x80 };   /* keyAgreement, decipherOnly */
    static const unsigned char bad[] = { 0x04, 0x02, 0x05, 0xa0 };
    static const unsigned char padding_set[] = { 0x03, 0x02, 0x07, 0xa0 };     /* one bit used: 0 */
    unsigned char ext[300], cert[600];
    size_t e, n = fake_cert(cert, NULL, 0);
    CHECK_INT(sio_x509_key_allows(cert, n, SIO_X509_KU_DIGITAL_SIGNATURE), 1);
    e = fake_ext(ext, ku_oid, sizeof ku_oid, 1, sign_and_encipher, sizeof sign_and_encipher);
    n = fake_cert(cert, ext, e);
    CHECK_INT(sio_x509_key_allows(cert, n, SIO_X509_KU_DIGITAL_SIGNATURE), 1);
    CHECK_INT(sio_x509_key_allows(cert, n, SIO_X509_KU_KEY_ENCIPHERMENT), 1);
    CHECK_INT(sio_x509_key_allows(cert, n, SIO_X509_KU_KEY_AGREEMENT), 0);
    CHECK_INT(sio_x509_key_allows(cert, n, 8), 0);                   /* past the byte */
    e = fake_ext(ext, ku_oid, sizeof ku_oid, 1, non_repudiation, sizeof non_repudiation);
    n = fake_cert(cert, ext, e);
    CHECK_INT(sio_x509_key_allows(cert, n, SIO_X509_KU_DIGITAL_SIGNATURE), 0);   /* BearSSL would say yes */
    CHECK_INT(sio_x509_key_allows(cert, n, 1), 1);
    e = fake_ext(ext, ku_oid, sizeof ku_oid, 1, two_bytes, sizeof two_bytes);
    n = fake_cert(cert, ext, e);
    CHECK_INT(sio_x509_key_allows(cert, n, SIO_X509_KU_KEY_AGREEMENT), 1);
    CHECK_INT(sio_x509_key_allows(cert, n, 8), 1);
    CHECK_INT(sio_x509_key_allows(cert, n, 9), -1);
    e = fake_ext(ext, ku_oid, sizeof ku_oid, 1, bad, sizeof bad);
    n = fake_cert(cert, ext, e);
    CHECK_INT(sio_x509_key_allows(cert, n, SIO_X509_KU_DIGITAL_SIGNATURE), -1);
    e = fake_ext(ext, ku_oid, sizeof ku_oid, 1, padding_set, sizeof padding_set);
    n = fake_cert(cert, ext, e);
    CHECK_INT(sio_x509_key_allows(cert, n, SIO_X509_KU_DIGITAL_SIGNATURE), 1);
    CHECK_INT(sio_x509_key_allows(cert, n, SIO_X509_KU_KEY_ENCIPHERMENT), 0);   /* a padding bit, not a usage */
    e = fake_ext(ext, ku_oid, sizeof ku_oid, 1, sign_and_encipher, sizeof sign_and_encipher);
    e += fake_ext(ext + e, ku_oid, sizeof ku_oid, 1, non_repudiation, sizeof non_repudiation);
    n = fake_cert(cert, ext, e);
    CHECK_INT(sio_x509_key_allows(cert, n, SIO_X509_KU_DIGITAL_SIGNATURE), -1);  /* twice: which one counts? */
    CHECK_INT(sio_x509_allows_server(cert, n), 1);                               /* no EKU, once */
}

static void test_x509_ip_address_sans(void)
{
    static const unsigned char san_oid[] = { 0x06, 0x03, 0x55, 0x1d, 0x11 };
    static const unsigned char names[] = { 0x30, 0x23, 0x82, 0x09, 'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't',
                                           0x87, 0x04, 127, 0, 0, 1,
                                           0x87, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
    static const unsigned char lo6[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
    unsigned char ext[300], cert[600];
    size_t e = fake_ext(ext, san_oid, sizeof san_oid, 0, names, sizeof names), n = fake_cert(cert, ext, e);
    CHECK_INT(sio_x509_has_ip(cert, n, (const unsigned char *)"\x7f\x00\x00\x01", 4), 1);
    CHECK_INT(sio_x509_has_ip(cert, n, lo6, 16), 1);
    CHECK_INT(sio_x509_has_ip(cert, n, (const unsigned char *)"\x7f\x00\x00\x02", 4), 0);
    CHECK_INT(sio_x509_has_ip(cert, n, lo6, 4), 0);              /* "::" is not 0.0.0.0 */
    n = fake_cert(cert, NULL, 0);
    CHECK_INT(sio_x509_has_ip(cert, n, lo6, 16), 0);             /* no SAN: no address matches */
}

/* The SubjectPublicKeyInfo is the seventh TBSCertificate field with the
 * version, the sixth without; pins are "sha256/" and 44 base64 characters. */
static void test_x509_spki_and_pins(void)
{
    static const unsigned char fields[] = { 0x02, 0x01, 0x07, 0x30, 0x00, 0x30, 0x00, 0x30, 0x00, 0x30, 0x00,
                                            0x30, 0x05, 0x30, 0x00, 0x03, 0x01, 0x00 };   /* ... spki */
    unsigned char tbs[64], seq[80], cert[100], hash[32];
    const unsigned char *spki = NULL;
    size_t n, m, len = 0;
    memcpy(tbs, "\xa0\x03\x02\x01\x02", 5);
    memcpy(tbs + 5, fields, sizeof fields);
    m = der_put(seq, 0x30, tbs, 5 + sizeof fields);
    n = der_put(cert, 0x30, seq, m);
    CHECK_INT(sio_x509_spki(cert, n, &spki, &len), 1);
    CHECK(spki == cert + 4 + 5 + 11 && len == 7);
    m = der_put(seq, 0x30, fields, sizeof fields);                /* no version */
    n = der_put(cert, 0x30, seq, m);
    CHECK_INT(sio_x509_spki(cert, n, &spki, &len), 1);
    CHECK(spki == cert + 4 + 11 && len == 7);
    m = der_put(seq, 0x30, fields, sizeof fields - 7);           /* no spki */
    n = der_put(cert, 0x30, seq, m);
    CHECK_INT(sio_x509_spki(cert, n, &spki, &len), -1);
    CHECK_INT(sio_x509_spki(cert, n - 1, &spki, &len), -1);
    CHECK_INT(sio_x509_spki(NULL, 0, &spki, &len), -1);

    CHECK_INT(sio_tls_pin_parse("sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", hash), 1);
    CHECK_INT(sio_tls_pin_parse("sha256/47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", hash), 1);
    CHECK_INT(hash[0], 0xe3);
    CHECK_INT(hash[31], 0x55);
    CHECK_INT(sio_tls_pin_parse("sha256/47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU", hash), 0);
    CHECK_INT(sio_tls_pin_parse("sha1/47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", hash), 0);
    CHECK_INT(sio_tls_pin_parse("sha256/47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuF==", hash), 0);
    CHECK_INT(sio_tls_pin_parse("sha256/47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSu!U=", hash), 0);
    CHECK_INT(sio_tls_pin_parse(NULL, hash), 0);
}

/* ====================================================================== */
/* proxy                                                                   */
/* ====================================================================== */

static void test_proxy_url_parse_accepts_the_three_kinds(void)
{
    sio_proxy_url p;
    CHECK_INT(sio_proxy_url_parse(&p, "http://proxy.lan:3128"), SIO_OK);
    CHECK_INT(p.kind, SIO_PROXY_HTTP);
    CHECK_SPAN(p.host, p.host_len, "proxy.lan");
    CHECK_INT(p.port, 3128);
    CHECK(p.user == NULL);
    CHECK_INT(sio_proxy_url_parse(&p, "HTTP://10.0.0.1/"), SIO_OK);
    CHECK_INT(p.port, 80);
    CHECK_INT(sio_proxy_url_parse(&p, "socks5://127.0.0.1"), SIO_OK);
    CHECK_INT(p.kind, SIO_PROXY_SOCKS5);
    CHECK_INT(p.port, 1080);
    CHECK_INT(sio_proxy_url_parse(&p, "socks5h://u%40x:p%3Aw@[::1]:1081"), SIO_OK);
    CHECK_INT(p.kind, SIO_PROXY_SOCKS5H);
    CHECK_SPAN(p.host, p.host_len, "::1");
    CHECK(p.ipv6);
    CHECK_INT(p.port, 1081);
    CHECK_SPAN(p.user, p.user_len, "u%40x");
    CHECK_SPAN(p.password, p.password_len, "p%3Aw");
    CHECK_INT(sio_proxy_url_parse(&p, "http://user@h:1"), SIO_OK);   /* no password: an empty one */
    CHECK_SPAN(p.user, p.user_len, "user");
    CHECK_INT(p.password_len, 0);
}

static void test_proxy_url_parse_refuses_what_it_cannot_use(void)
{
    static const char *const bad[] = {
        NULL, "", "proxy:3128", "https://proxy:3128", "socks4://h", "ftp://h", "http://", "http://:80",
        "http://h:0", "http://h:65536", "http://h:", "http://h:8a", "http://h/path", "http://h?x", "http://h#x",
        "http://u%zz@h", "http://u%0@h", "http://u:%00@h", "http://[::1", "http://[zz]:1", "http://h h",
        "http://010.0.0.1", "http://a%b@c@h", "http://[::1]x",
        /* credentials: RFC 1929 wants 1 to 255 bytes each, RFC 7617 no ':' in a user-id */
        "http://@h", "socks5://:pw@h", "socks5://user@h", "socks5h://user:@h", "socks5://@h", "http://u%3a:p@h"
    };
    char longer[400];
    sio_proxy_url p;
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int r = sio_proxy_url_parse(&p, bad[i]);
        if (r != SIO_ERR_URL) fprintf(stderr, "    accepted: %s\n", bad[i] ? bad[i] : "(null)");
        CHECK_INT(r, SIO_ERR_URL);
    }
    /* credentials of 255 bytes once decoded pass, 256 do not */
    strcpy(longer, "socks5://");
    memset(longer + 9, 'u', 255);
    strcpy(longer + 9 + 255, ":p@h");
    CHECK_INT(sio_proxy_url_parse(&p, longer), SIO_OK);
    memset(longer + 9, 'u', 256);
    strcpy(longer + 9 + 256, ":p@h");
    CHECK_INT(sio_proxy_url_parse(&p, longer), SIO_ERR_URL);
}

/* Feeds a reply one byte at a time: the codec never needs more than it says. */
static int proxy_feed_slowly(sio_proxy_handshake *h, const char *reply, size_t n, size_t *used, unsigned char *out,
                             size_t *out_len, char *why)
{
    size_t k;
    int r = 0;
    for (k = 1; k <= n; k++) {
        r = sio_proxy_receive(h, (const unsigned char *)reply, k, used, out, SIO_PROXY_OUT_SIZE, out_len, why, 256);
        if (r != 0 || *used || *out_len) break;
    }
    return r;
}

static void test_proxy_http_connect_request_and_reply(void)
{
    sio_proxy_url p;
    sio_proxy_handshake h;
    unsigned char out[SIO_PROXY_OUT_SIZE];
    char why[256];
    size_t n, used;
    static const char reply[] = "HTTP/1.0 200 Connection established\r\nProxy-Agent: t\r\n\r\n\x81\x02hi";
    sio_proxy_url_parse(&p, "http://127.0.0.1:8888");
    CHECK_INT(sio_proxy_begin(&h, &p, "example.com", 443, 16384, out, sizeof out, &n), SIO_OK);
    CHECK_SPAN((const char *)out, n, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
    CHECK_INT(proxy_feed_slowly(&h, reply, sizeof reply - 1, &used, out, &n, why), 1);
    CHECK_INT(used, sizeof reply - 1 - 4);                  /* the WebSocket frame after it is the origin's */
    CHECK_INT(n, 0);
    /* credentials, percent-decoded, as Basic; an IPv6 origin in brackets */
    sio_proxy_url_parse(&p, "http://Al%20ice:p%3Ass@[::1]:8888");
    CHECK_INT(sio_proxy_begin(&h, &p, "::1", 8080, 16384, out, sizeof out, &n), SIO_OK);
    CHECK_SPAN((const char *)out, n, "CONNECT [::1]:8080 HTTP/1.1\r\nHost: [::1]:8080\r\n"
                                     "Proxy-Authorization: Basic QWwgaWNlOnA6c3M=\r\n\r\n");   /* "Al ice:p:ss" */
    /* too little room, no origin */
    CHECK_INT(sio_proxy_begin(&h, &p, "example.com", 443, 16384, out, 100, &n), SIO_ERR_INVALID);
    CHECK_INT(sio_proxy_begin(&h, &p, "", 443, 16384, out, sizeof out, &n), SIO_ERR_INVALID);
}

/* What goes into the request is a name or an address literal: nothing a
 * caller passes can add a header or change the request line. */
static void test_proxy_begin_refuses_what_is_no_host(void)
{
    static const char *const bad[] = { "evil.com:80 HTTP/1.1\r\nX-Injected: 1\r\nY: z", "ex ample", "[::1]", "a:b",
                                       "a/b", "a@b", "a\tb" };
    sio_proxy_url http, socks;
    sio_proxy_handshake h;
    unsigned char out[SIO_PROXY_OUT_SIZE];
    size_t i, n;
    sio_proxy_url_parse(&http, "http://h:1");
    sio_proxy_url_parse(&socks, "socks5h://h");
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_INT(sio_proxy_begin(&h, &http, bad[i], 443, 16384, out, sizeof out, &n), SIO_ERR_INVALID);
        CHECK_INT(sio_proxy_begin(&h, &socks, bad[i], 443, 16384, out, sizeof out, &n), SIO_ERR_INVALID);
        CHECK_INT(n, 0);
    }
    CHECK_INT(sio_proxy_begin(&h, &http, "example.com", 0, 16384, out, sizeof out, &n), SIO_ERR_INVALID);
    CHECK_INT(sio_proxy_begin(&h, &http, "x_y-1.example.com", 1, 16384, out, sizeof out, &n), SIO_OK);
    http.kind = 0;                                            /* a struct a failed parse left zeroed */
    CHECK_INT(sio_proxy_begin(&h, &http, "example.com", 1, 16384, out, sizeof out, &n), SIO_ERR_INVALID);
}

/* Interim 1xx answers come before the final one (RFC 9110 15.2); an empty
 * read, a small room and a call after a failure are answered plainly. */
static void test_proxy_http_interim_answers_and_odd_calls(void)
{
    static const char reply[] = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early\r\nLink: x\r\n\r\n"
                                "HTTP/1.1 200 OK\r\n\r\nrest";
    sio_proxy_url p;
    sio_proxy_handshake h;
    unsigned char out[SIO_PROXY_OUT_SIZE];
    char why[256], *many = (char *)malloc(2000);
    size_t n, used, k, total = 0;
    int r = 0;
    sio_proxy_url_parse(&p, "http://h:1");
    sio_proxy_begin(&h, &p, "example.com", 443, 16384, out, sizeof out, &n);
    CHECK_INT(sio_proxy_receive(&h, NULL, 0, &used, out, sizeof out, &n, why, sizeof why), 0);
    CHECK_INT(sio_proxy_receive(&h, (const unsigned char *)reply, 5, &used, out, 10, &n, why, sizeof why), SIO_ERR_INVALID);
    CHECK(why[0] != 0);
    for (k = 1; k <= sizeof reply - 1 && r == 0; k++) {         /* a byte at a time, dropping what was used */
        r = sio_proxy_receive(&h, (const unsigned char *)reply + total, k - total, &used, out, sizeof out, &n, why,
                              sizeof why);
        total += used;
    }
    CHECK_INT(r, 1);
    CHECK_INT(total, sizeof reply - 1 - 4);
    sio_proxy_begin(&h, &p, "example.com", 443, 16384, out, sizeof out, &n);
    CHECK_INT(sio_proxy_receive(&h, (const unsigned char *)reply, sizeof reply - 1, &used, out, sizeof out, &n, why,
                                sizeof why), 1);
    CHECK_INT(used, sizeof reply - 1 - 4);
    /* 65 headers: the parser's bound, said as such; the reason's control bytes never reach the sentence */
    strcpy(many, "HTTP/1.1 200 OK\r\n");
    for (k = 0; k < 65; k++) strcat(many, "A: b\r\n");
    strcat(many, "\r\n");
    sio_proxy_begin(&h, &p, "example.com", 443, 16384, out, sizeof out, &n);
    CHECK_INT(sio_proxy_receive(&h, (const unsigned char *)many, strlen(many), &used, out, sizeof out, &n, why,
                                sizeof why), SIO_ERR_TOO_BIG);
    CHECK_STR(why, "proxy: the response to CONNECT has more than 64 headers");
    sio_proxy_begin(&h, &p, "example.com", 443, 16384, out, sizeof out, &n);
    strcpy(many, "HTTP/1.1 502 \x1b[31mRED\x07\r\n\r\n");
    CHECK_INT(sio_proxy_receive(&h, (const unsigned char *)many, strlen(many), &used, out, sizeof out, &n, why,
                                sizeof why), SIO_ERR_PROXY);
    CHECK_STR(why, "proxy: CONNECT to example.com port 443 refused: 502 ?[31mRED?");
    /* a failed handshake stays failed */
    CHECK_INT(sio_proxy_receive(&h, (const unsigned char *)"HTTP/1.1 200 OK\r\n\r\n", 19, &used, out, sizeof out,
                                &n, why, sizeof why), SIO_ERR_PROXY);
    CHECK_STR(why, "proxy: the handshake has failed already");
    free(many);
}

static void test_proxy_http_refusals_are_sentences(void)
{
    static const struct { const char *url, *reply; int status; const char *why; } cases[] = {
        { "http://h:1", "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"Squid proxy\"\r\n"
          "Content-Length: 0\r\n\r\n", SIO_ERR_PROXY, "proxy: 407 authentication required (realm \"Squid proxy\")" },
        { "http://u:p@h:1", "HTTP/1.1 407 x\r\nProxy-Authenticate: Basic charset=\"UTF-8\", realm=corp\r\n\r\n",
          SIO_ERR_PROXY, "proxy: 407 authentication failed (realm \"corp\")" },
        { "http://h:1", "HTTP/1.1 407 x\r\n\r\n", SIO_ERR_PROXY, "proxy: 407 authentication required" },
        { "http://h:1", "HTTP/1.1 403 Forbidden\r\n\r\n", SIO_ERR_PROXY,
          "proxy: CONNECT to example.com port 443 refused: 403 Forbidden" },
        { "http://h:1", "HTTP/1.1 101 Switching\r\n\r\n", SIO_ERR_PROXY,
          "proxy: CONNECT to example.com port 443 refused: 101 Switching" },
        { "http://h:1", "\x05\x01", SIO_ERR_PROTOCOL, "proxy: the answer to CONNECT is not HTTP (is it an HTTP proxy?)" },
        { "http://h:1", "SSH-2.0-OpenSSH_9.2\r\n", SIO_ERR_PROTOCOL,
          "proxy: the answer to CONNECT is not HTTP (is it an HTTP proxy?)" }
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sio_proxy_url p;
        sio_proxy_handshake h;
        unsigned char out[SIO_PROXY_OUT_SIZE];
        char why[256];
        size_t n, used;
        sio_proxy_url_parse(&p, cases[i].url);
        sio_proxy_begin(&h, &p, "example.com", 443, 16384, out, sizeof out, &n);
        CHECK_INT(proxy_feed_slowly(&h, cases[i].reply, strlen(cases[i].reply), &used, out, &n, why), cases[i].status);
        CHECK_STR(why, cases[i].why);
    }
}

static void test_proxy_http_endless_head_is_bounded(void)
{
    sio_proxy_url p;
    sio_proxy_handshake h;
    unsigned char out[SIO_PROXY_OUT_SIZE];
    char why[256], *head = (char *)malloc(5000);
    size_t n, used;
    sio_proxy_url_parse(&p, "http://h:1");
    sio_proxy_begin(&h, &p, "example.com", 443, 1024, out, sizeof out, &n);
    strcpy(head, "HTTP/1.1 200 OK\r\nX: ");
    memset(head + 20, 'a', 4000);
    CHECK_INT(sio_proxy_receive(&h, (const unsigned char *)head, 1000, &used, out, sizeof out, &n, why, sizeof why), 0);
    CHECK_INT(sio_proxy_receive(&h, (const unsigned char *)head, 4020, &used, out, sizeof out, &n, why, sizeof why),
              SIO_ERR_TOO_BIG);
    CHECK_STR(why, "proxy: the response to CONNECT exceeds 1024 bytes");
    free(head);
}

static void test_proxy_socks5_without_and_with_credentials(void)
{
    sio_proxy_url p;
    sio_proxy_handshake h;
    unsigned char out[SIO_PROXY_OUT_SIZE];
    char why[256];
    size_t n, used;
    /* socks5: an address literal, no credentials */
    sio_proxy_url_parse(&p, "socks5://127.0.0.1:1080");
    CHECK_INT(sio_proxy_begin(&h, &p, "example.com", 80, 0, out, sizeof out, &n), SIO_ERR_INVALID);   /* resolve first */
    CHECK_INT(sio_proxy_begin(&h, &p, "127.0.0.1", 8080, 0, out, sizeof out, &n), SIO_OK);
    CHECK_INT(n, 3);
    CHECK_MEM(out, "\x05\x01\x00", 3);
    CHECK_INT(proxy_feed_slowly(&h, "\x05\x00", 2, &used, out, &n, why), 0);
    CHECK_INT(used, 2);
    CHECK_INT(n, 10);
    CHECK_MEM(out, "\x05\x01\x00\x01\x7f\x00\x00\x01\x1f\x90", 10);
    CHECK_INT(proxy_feed_slowly(&h, "\x05\x00\x00\x01\x7f\x00\x00\x01\x99\x99GET", 13, &used, out, &n, why), 1);
    CHECK_INT(used, 10);
    /* socks5h: the name goes to the proxy; user and password (RFC 1929) */
    sio_proxy_url_parse(&p, "socks5h://al%69ce:s3cret@127.0.0.1");
    CHECK_INT(sio_proxy_begin(&h, &p, "example.com", 443, 0, out, sizeof out, &n), SIO_OK);
    CHECK_INT(n, 4);
    CHECK_MEM(out, "\x05\x02\x00\x02", 4);
    CHECK_INT(proxy_feed_slowly(&h, "\x05\x02", 2, &used, out, &n, why), 0);
    CHECK_INT(n, 14);
    CHECK_MEM(out, "\x01\x05" "alice" "\x06" "s3cret", 14);
    CHECK_INT(proxy_feed_slowly(&h, "\x01\x00", 2, &used, out, &n, why), 0);
    CHECK_INT(n, 18);
    CHECK_MEM(out, "\x05\x01\x00\x03\x0b" "example.com" "\x01\xbb", 18);
    /* the reply may carry a name or an IPv6 address */
    CHECK_INT(proxy_feed_slowly(&h, "\x05\x00\x00\x03\x03" "abc" "\x00\x50", 10, &used, out, &n, why), 1);
    CHECK_INT(used, 10);
    sio_proxy_begin(&h, &p, "::1", 443, 0, out, sizeof out, &n);
    proxy_feed_slowly(&h, "\x05\x00", 2, &used, out, &n, why);
    CHECK_INT(n, 22);
    CHECK_MEM(out, "\x05\x01\x00\x04\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01\x01\xbb", 22);
    CHECK_INT(proxy_feed_slowly(&h, "\x05\x00\x00\x04" "0123456789abcdef" "\x00\x50", 22, &used, out, &n, why), 1);
    CHECK_INT(used, 22);
}

static void test_proxy_socks5_refusals_are_sentences(void)
{
    /* each case: the replies (length first, then the bytes) fed in turn */
    static const struct { const char *url, *replies; int status; const char *why; } cases[] = {
        { "socks5h://h", "\2\x05\xff", SIO_ERR_PROXY,
          "proxy: SOCKS5 accepts none of our methods (it may want a user and password)" },
        { "socks5h://u:p@h", "\2\x05\x02" "\2\x01\x01", SIO_ERR_PROXY,
          "proxy: SOCKS5 authentication failed (user name or password refused)" },
        { "socks5h://h", "\2\x05\x00" "\4\x05\x04\x00\x01", SIO_ERR_PROXY, "proxy: SOCKS5 host unreachable" },
        { "socks5h://h", "\2\x05\x00" "\2\x05\x05", SIO_ERR_PROXY, "proxy: SOCKS5 connection refused" },
        { "socks5h://h", "\2\x05\x00" "\2\x05\x63", SIO_ERR_PROXY, "proxy: SOCKS5 unknown error" },
        { "socks5h://h", "\2\x05\x02", SIO_ERR_PROTOCOL,
          "proxy: the answer to the greeting is not SOCKS5 (is it a SOCKS5 proxy?)" },
        { "socks5h://h", "\x10HTTP/1.1 400 Bad", SIO_ERR_PROTOCOL,
          "proxy: the answer to the greeting is not SOCKS5 (is it a SOCKS5 proxy?)" },
        { "socks5h://h", "\2\x05\x00" "\5\x05\x00\x00\x07\x00", SIO_ERR_PROTOCOL,
          "proxy: the answer to CONNECT is not SOCKS5 (address type 7)" },
        { "socks5h://h", "\2\x05\x00" "\2\x04\x5a", SIO_ERR_PROTOCOL, "proxy: the answer to CONNECT is not SOCKS5" }
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sio_proxy_url p;
        sio_proxy_handshake h;
        unsigned char out[SIO_PROXY_OUT_SIZE];
        char why[256];
        size_t n, used;
        const char *r = cases[i].replies;
        int st = 0;
        sio_proxy_url_parse(&p, cases[i].url);
        sio_proxy_begin(&h, &p, "example.com", 443, 0, out, sizeof out, &n);
        while (*r && st == 0) {
            st = proxy_feed_slowly(&h, r + 1, (size_t)*r, &used, out, &n, why);
            r += 1 + *r;
        }
        CHECK_INT(st, cases[i].status);
        CHECK_STR(why, cases[i].why);
    }
}

static void test_proxy_excluded_follows_no_proxy(void)
{
    const char *list = " localhost, .corp.example ,example.org:8080,10.0.0.0/8,[::1]:9000, fe80::/10,192.168.1.7";
    CHECK(sio_proxy_excluded(list, "localhost", 80));
    CHECK(sio_proxy_excluded(list, "LOCALHOST.", 80));
    CHECK(!sio_proxy_excluded(list, "notlocalhost", 80));
    CHECK(sio_proxy_excluded(list, "corp.example", 443));
    CHECK(sio_proxy_excluded(list, "a.b.corp.example", 443));
    CHECK(!sio_proxy_excluded(list, "xcorp.example", 443));
    CHECK(sio_proxy_excluded(list, "example.org", 8080));
    CHECK(sio_proxy_excluded(list, "www.example.org", 8080));
    CHECK(!sio_proxy_excluded(list, "example.org", 80));
    CHECK(sio_proxy_excluded(list, "10.200.3.4", 80));
    CHECK(!sio_proxy_excluded(list, "11.0.0.1", 80));
    CHECK(sio_proxy_excluded(list, "::1", 9000));
    CHECK(!sio_proxy_excluded(list, "::1", 9001));
    CHECK(sio_proxy_excluded(list, "fe80::1", 80));
    CHECK(!sio_proxy_excluded(list, "fec0::1", 80));
    CHECK(sio_proxy_excluded(list, "192.168.1.7", 1));
    CHECK(!sio_proxy_excluded(list, "192.168.1.8", 1));
    CHECK(!sio_proxy_excluded(list, "10.example", 80));      /* a name is not matched against a block */
    CHECK(sio_proxy_excluded("*", "anything", 1));
    CHECK(sio_proxy_excluded("*.example.com", "a.example.com", 1));
    CHECK(!sio_proxy_excluded("", "a", 1));
    CHECK(!sio_proxy_excluded(NULL, "a", 1));
    CHECK(!sio_proxy_excluded("10.0.0.0/33,10.0.0.0/,/8", "10.0.0.1", 1));
    CHECK(sio_proxy_excluded("0.0.0.0/0", "1.2.3.4", 1));
}

/* ---- deflate ------------------------------------------------------------- */

static int inflate_once(sio_inflater *z, const unsigned char *in, size_t len, size_t max,
                        const unsigned char **out, size_t *out_len)
{
    return sio_inflate_message(z, in, len, 1, max, out, out_len);
}

/* RFC 7692 7.2.3.1: "Hello" in one fixed-Huffman block. */
static void test_inflate_rfc7692_hello(void)
{
    static const unsigned char hello_deflated[] = {0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00};
    sio_inflater z;
    const unsigned char *out;
    size_t n;
    memset(&z, 0, sizeof z);
    CHECK_INT(inflate_once(&z, hello_deflated, sizeof hello_deflated, 100, &out, &n), SIO_OK);
    CHECK_SPAN(out, n, "Hello");
    CHECK_INT(out[n], 0);
    sio_inflater_free(&z);
}

/* RFC 7692 7.2.3.2: the second "Hello" refers back into the first message,
 * which only a receiver that kept the history can follow. */
static void test_inflate_context_takeover_refers_to_the_last_message(void)
{
    static const unsigned char first[] = {0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00};
    static const unsigned char second[] = {0xf2, 0x00, 0x11, 0x00, 0x00};
    sio_inflater z;
    const unsigned char *out;
    size_t n;
    memset(&z, 0, sizeof z);
    z.window = 32768;
    CHECK_INT(inflate_once(&z, first, sizeof first, 100, &out, &n), SIO_OK);
    memset((unsigned char *)out, '#', n);         /* a parser working in place must not change the history */
    CHECK_INT(inflate_once(&z, second, sizeof second, 100, &out, &n), SIO_OK);
    CHECK_SPAN(out, n, "Hello");
    sio_inflater_free(&z);
    memset(&z, 0, sizeof z);                      /* no history kept: the reference is refused */
    CHECK_INT(inflate_once(&z, first, sizeof first, 100, &out, &n), SIO_OK);
    CHECK_INT(inflate_once(&z, second, sizeof second, 100, &out, &n), SIO_ERR_PROTOCOL);
    CHECK(z.error && strstr(z.error, "before the start"));
    sio_inflater_free(&z);
}

/* A server that agreed on a 512-byte window may not refer 1000 bytes back,
 * though the bytes are there. */
static void test_inflate_distance_beyond_the_window_is_refused(void)
{
    static const unsigned char second[] = {0x4a, 0xa7, 0x43, 0x3e, 0x07, 0x00};   /* zlib: 100 bytes from 1000 back */
    unsigned char first[1000];
    const unsigned char *packed, *out;
    size_t packed_len, n, i;
    sio_deflater d;
    sio_inflater z;
    unsigned window, x = 1;
    for (i = 0; i < sizeof first; i++) {                 /* letters that repeat nowhere closer */
        x = x * 1103515245u + 12345u;
        first[i] = (unsigned char)('a' + (x >> 16) % 16);
    }
    memset(&d, 0, sizeof d);
    d.window_bits = 9;                                   /* as the server agreed */
    CHECK_INT(sio_deflate_message(&d, first, sizeof first, 2000, &packed, &packed_len), SIO_OK);
    for (window = 512; window <= 1024; window *= 2) {
        memset(&z, 0, sizeof z);
        z.window = window;
        CHECK_INT(inflate_once(&z, packed, packed_len, 2000, &out, &n), SIO_OK);
        CHECK(n == sizeof first && memcmp(out, first, n) == 0);
        if (window == 512) {
            CHECK_INT(inflate_once(&z, second, sizeof second, 2000, &out, &n), SIO_ERR_PROTOCOL);
            CHECK(z.error && strstr(z.error, "beyond the agreed window"));
        } else {
            CHECK_INT(inflate_once(&z, second, sizeof second, 2000, &out, &n), SIO_OK);
            CHECK(n == 100 && memcmp(out, first, 100) == 0);
        }
        sio_inflater_free(&z);
    }
    sio_deflater_free(&d);
}

/* RFC 7692 7.2.3.3 (stored block), 7.2.3.5 (two blocks, the first ended by
 * a sync flush) and 7.2.3.6 (BFINAL set). */
static void test_inflate_rfc7692_stored_two_blocks_and_final(void)
{
    static const unsigned char stored[] = {0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00};
    static const unsigned char two[] = {0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00};
    static const unsigned char final[] = {0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00};
    sio_inflater z;
    const unsigned char *out;
    size_t n;
    memset(&z, 0, sizeof z);
    CHECK_INT(inflate_once(&z, stored, sizeof stored, 100, &out, &n), SIO_OK);
    CHECK_SPAN(out, n, "Hello");
    CHECK_INT(inflate_once(&z, two, sizeof two, 100, &out, &n), SIO_OK);
    CHECK_SPAN(out, n, "Hello");
    CHECK_INT(inflate_once(&z, final, sizeof final, 100, &out, &n), SIO_OK);
    CHECK_SPAN(out, n, "Hello");
    CHECK_INT(inflate_once(&z, (const unsigned char *)"", 0, 100, &out, &n), SIO_OK);   /* empty: leniently "" */
    CHECK_INT(n, 0);
    /* a stored block of 4 bytes with none given would take the appended tail as its data */
    CHECK_INT(inflate_once(&z, (const unsigned char *)"\x00\x04\x00\xfb\xff", 5, 100, &out, &n), SIO_ERR_PROTOCOL);
    CHECK(z.error && strstr(z.error, "sync flush"));
    sio_inflater_free(&z);
}

/* A dynamic-Huffman block made by zlib (level 9, raw, sync flush) from 40
 * generated lines. */
static void test_inflate_dynamic_block_from_zlib(void)
{
    static const unsigned char data[] = {
        0x7c, 0x94, 0xc1, 0x55, 0x03, 0x31, 0x0c, 0x44, 0xef, 0x54, 0xa1, 0x12, 0x2c, 0xc9, 0xf6, 0xda,
        0xe5, 0x00, 0x09, 0x10, 0x48, 0x58, 0x08, 0x1b, 0x20, 0x54, 0x4f, 0x0a, 0xd0, 0xd7, 0x7d, 0xe6,
        0xd9, 0xd2, 0x9f, 0xd1, 0xf6, 0xb2, 0x97, 0xcf, 0xcb, 0xe1, 0xf1, 0x4d, 0x1e, 0xce, 0xeb, 0xcf,
        0xbb, 0x3c, 0xad, 0xbf, 0x52, 0xe4, 0xf5, 0x72, 0xfa, 0xf8, 0x92, 0xf5, 0x7b, 0x7f, 0x96, 0xed,
        0x26, 0x38, 0xde, 0xff, 0x5d, 0x65, 0xb7, 0x3e, 0x4b, 0xb9, 0xdb, 0x02, 0xbd, 0xa2, 0x5e, 0x43,
        0xbd, 0xa1, 0xbe, 0x86, 0x7a, 0x47, 0xfd, 0x0c, 0xf5, 0x95, 0xff, 0xd3, 0x43, 0x43, 0x43, 0x83,
        0xb5, 0xd0, 0xd0, 0xd1, 0xe0, 0xf1, 0x0b, 0x0b, 0x8f, 0x1c, 0xcf, 0x30, 0xd0, 0xd0, 0xe3, 0x25,
        0x4d, 0x34, 0x8c, 0x98, 0x82, 0x32, 0x66, 0x2d, 0x00, 0x3a, 0x21, 0x6d, 0xf0, 0x0a, 0xc3, 0xd6,
        0x1a, 0x4f, 0xa2, 0x9e, 0xf0, 0x8b, 0xb7, 0xa5, 0x09, 0xf2, 0x19, 0x13, 0xd1, 0x04, 0x3a, 0x50,
        0xd7, 0x9e, 0xe4, 0x04, 0x5e, 0x61, 0xf0, 0x36, 0x60, 0x16, 0x46, 0xef, 0x06, 0x1b, 0x9b, 0x49,
        0x1e, 0xa1, 0x83, 0x4c, 0xbf, 0x02, 0x7d, 0x63, 0xfa, 0xb5, 0xc2, 0x2b, 0x49, 0xd5, 0x47, 0x3c,
        0x8b, 0x31, 0xfd, 0x66, 0xf1, 0xc6, 0x8c, 0xe9, 0xb7, 0x25, 0xe6, 0x62, 0x4c, 0xbf, 0x03, 0x7d,
        0x63, 0xfa, 0x9d, 0x5e, 0x61, 0xfa, 0x0b, 0xcd, 0xc2, 0xf4, 0x17, 0xda, 0x58, 0x52, 0x7d, 0xe0,
        0xe2, 0x4c, 0x7f, 0x02, 0x7d, 0x67, 0xfa, 0x13, 0x32, 0xe6, 0x49, 0xf7, 0x0b, 0x44, 0xd9, 0x93,
        0xf2, 0x17, 0x68, 0x8c, 0x27, 0xed, 0x57, 0x28, 0xa6, 0xb7, 0xe4, 0x94, 0x41, 0x02, 0xbc, 0x27,
        0x1e, 0x38, 0x33, 0xce, 0x11, 0x50, 0x87, 0x6b, 0xe6, 0x23, 0xbb, 0x99, 0xb0, 0x37, 0x0e, 0x81,
        0xb6, 0xdb, 0x6d, 0xfe, 0x07};
    char expect[4096];
    size_t elen = 0, n;
    int i;
    sio_inflater z;
    const unsigned char *out;
    for (i = 0; i < 40; i++)
        elen += (size_t)sprintf(expect + elen, "the quick brown fox %d jumps over the lazy dog %d\n", i, i * i);
    memset(&z, 0, sizeof z);
    CHECK_INT(inflate_once(&z, data, sizeof data, 1 << 20, &out, &n), SIO_OK);
    CHECK_INT(n, elen);
    CHECK(n == elen && memcmp(out, expect, n) == 0);
    CHECK_INT(inflate_once(&z, data, sizeof data, elen - 1, &out, &n), SIO_ERR_TOO_BIG);   /* one byte short */
    CHECK_INT(inflate_once(&z, data, sizeof data - 20, 1 << 20, &out, &n), SIO_ERR_PROTOCOL); /* cut short */
    sio_inflater_free(&z);
}

/* Hostile streams: each is refused with a sentence, never read past. */
static void test_inflate_refuses_invalid_streams(void)
{
    static const struct { const char *bytes; size_t len; const char *why; } cases[] = {
        {"\x07", 1, "block type 3"},                                  /* BTYPE 11 */
        {"\x00\x05\x00\xfb\xff" "Hello", 10, "complement"},           /* NLEN wrong */
        {"\x00\x05\x00\xfa\xff" "He", 7, "ends early"},               /* stored block cut */
        {"\x03\x02\x00", 3, "before the start"},                      /* fixed: a match at distance 1 first */
        {"\x04\xff\xff\xff\xff\xff", 6, NULL},                        /* dynamic header of ones */
        {"\x05\xe0\xff\xff\xff\xff\xff\xff", 8, NULL},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sio_inflater z;
        const unsigned char *out;
        size_t n;
        int r;
        memset(&z, 0, sizeof z);
        r = sio_inflate_message(&z, (const unsigned char *)cases[i].bytes, cases[i].len, 0, 1 << 20, &out, &n);
        CHECK(r == SIO_ERR_PROTOCOL);
        CHECK(z.error != NULL);
        if (cases[i].why && z.error && !strstr(z.error, cases[i].why)) {
            fprintf(stderr, "  case %lu: %s\n", (unsigned long)i, z.error);
            CHECK(0);
        }
        sio_inflater_free(&z);
    }
}

/* A deflate bomb: 10 MiB of zeros in a few KiB is refused at max, having
 * allocated no more than max. */
static size_t bomb_peak, bomb_now;
static void *bomb_realloc(void *user, void *p, size_t n)
{
    size_t *sizes = (size_t *)user, old = p ? ((size_t *)p)[-1] : 0;
    size_t *q;
    (void)sizes;
    if (n == 0) {
        if (p) { bomb_now -= old; free((size_t *)p - 1); }
        return NULL;
    }
    q = (size_t *)realloc(p ? (size_t *)p - 1 : NULL, n + sizeof(size_t));
    if (!q) return NULL;
    bomb_now += n - old;
    if (bomb_now > bomb_peak) bomb_peak = bomb_now;
    q[0] = n;
    return q + 1;
}

/* 10 MiB of zeros, or 2 MiB on a microcontroller target with 16 MiB of RAM. */
#ifdef SIO_TEST_SMALL_TARGET
#define BOMB_SIZE (2u << 20)
#else
#define BOMB_SIZE (10u << 20)
#endif

static void test_inflate_bomb_is_bounded_by_max(void)
{
    sio_deflater d;
    sio_inflater z;
    unsigned char *zeros = (unsigned char *)calloc(1, BOMB_SIZE), *copy;
    const unsigned char *c, *out;
    size_t clen, n;
    memset(&d, 0, sizeof d);
    CHECK(zeros != NULL);
    if (!zeros) return;
    CHECK_INT(sio_deflate_message(&d, zeros, BOMB_SIZE, BOMB_SIZE, &c, &clen), SIO_OK);
    CHECK(clen < 64 * 1024);
    copy = (unsigned char *)malloc(clen);
    memcpy(copy, c, clen);
    sio_deflater_free(&d);
    memset(&z, 0, sizeof z);
    z.allocator.realloc = bomb_realloc;
    bomb_peak = bomb_now = 0;
    CHECK_INT(sio_inflate_message(&z, copy, clen, 1, 64 * 1024, &out, &n), SIO_ERR_TOO_BIG);
    CHECK(z.error && strstr(z.error, "max_message"));
    CHECK(bomb_peak < 64 * 1024 + 16 * 1024);
    sio_inflater_free(&z);
    CHECK_INT(bomb_now, 0);
    free(copy);
    free(zeros);
}

/* Round trips through our own compressor for many shapes of data: text,
 * runs, random bytes, every small length, each window size. */
static void test_deflate_round_trips(void)
{
    static unsigned char data[300000];
    size_t lens[] = {0, 1, 2, 3, 4, 5, 7, 130, 258, 259, 1000, 32768, 40000, 65536, 70000, 300000};
    unsigned seed = 12345, bits;
    size_t i, k;
    int shape;
    for (shape = 0; shape < 3; shape++) {
        for (i = 0; i < sizeof data; i++) {
            seed = seed * 1103515245u + 12345u;
            data[i] = shape == 0 ? (unsigned char)"abcdefgh hello world {}\"\n"[(seed >> 16) % 25]
                    : shape == 1 ? (unsigned char)((i / 300) & 0xff)
                    : (unsigned char)(seed >> 16);
        }
        for (bits = 8; bits <= 15; bits += 7)
            for (k = 0; k < sizeof lens / sizeof lens[0]; k++) {
                sio_deflater d;
                sio_inflater z;
                const unsigned char *c, *out;
                size_t clen, n;
                int r;
                memset(&d, 0, sizeof d);
                memset(&z, 0, sizeof z);
                d.window_bits = bits;
                r = sio_deflate_message(&d, data, lens[k], lens[k] + lens[k] / 1024 + 64, &c, &clen);
                CHECK_INT(r, SIO_OK);
                if (r == SIO_OK) {
                    r = sio_inflate_message(&z, c, clen, 1, lens[k], &out, &n);
                    CHECK_INT(r, SIO_OK);
                    CHECK(r == SIO_OK && n == lens[k] && (n == 0 || memcmp(out, data, n) == 0));
                    if (shape == 1 && lens[k] >= 1000) CHECK(clen * 20 < lens[k]);
                }
                sio_deflater_free(&d);
                sio_inflater_free(&z);
            }
    }
}

/* Data that would not shrink is left to be sent as it is. */
static void test_deflate_says_when_it_does_not_pay(void)
{
    unsigned char data[1000];
    unsigned seed = 7;
    size_t i, clen;
    const unsigned char *c;
    sio_deflater d;
    for (i = 0; i < sizeof data; i++) {
        seed = seed * 1103515245u + 12345u;
        data[i] = (unsigned char)(seed >> 16);
    }
    memset(&d, 0, sizeof d);
    CHECK_INT(sio_deflate_message(&d, data, sizeof data, sizeof data, &c, &clen), SIO_ERR_TOO_BIG);
    CHECK_INT(sio_deflate_message(&d, (const unsigned char *)"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 32, 32, &c, &clen), SIO_OK);
    CHECK(clen < 10);
    sio_deflater_free(&d);
}

int main(void)
{
    /* proxy */
    RUN(test_proxy_url_parse_accepts_the_three_kinds);
    RUN(test_proxy_url_parse_refuses_what_it_cannot_use);
    RUN(test_proxy_http_connect_request_and_reply);
    RUN(test_proxy_http_refusals_are_sentences);
    RUN(test_proxy_begin_refuses_what_is_no_host);
    RUN(test_proxy_http_interim_answers_and_odd_calls);
    RUN(test_proxy_http_endless_head_is_bounded);
    RUN(test_proxy_socks5_without_and_with_credentials);
    RUN(test_proxy_socks5_refusals_are_sentences);
    RUN(test_proxy_excluded_follows_no_proxy);
    /* dns */
    RUN(test_dns_query_bytes);
    RUN(test_dns_parse_answers);
    RUN(test_dns_parse_rejects_malformed);
    RUN(test_dns_parse_follows_the_chain_from_the_asked_name);
    RUN(test_dns_addr_text_and_literals);
    RUN(test_ip_parse_to_bytes);
    /* x509 */
    RUN(test_x509_extended_key_usage);
    RUN(test_x509_key_usage);
    RUN(test_x509_ip_address_sans);
    RUN(test_x509_spki_and_pins);
    /* url */
    RUN(test_url_ws_defaults_port_80);
    RUN(test_url_wss_defaults_port_443);
    RUN(test_url_http_and_https_are_not_websocket);
    RUN(test_url_scheme_is_case_insensitive_and_kept_as_written);
    RUN(test_url_explicit_port);
    RUN(test_url_ipv6_literal);
    RUN(test_url_ipv6_literal_default_port);
    RUN(test_url_numeric_host_must_be_plain_ipv4);
    RUN(test_url_path_and_query_split);
    RUN(test_url_fragment_dropped);
    RUN(test_url_no_path);
    RUN(test_url_rejects_unknown_scheme);
    RUN(test_url_rejects_empty_host);
    RUN(test_url_rejects_port_0);
    RUN(test_url_rejects_port_65536);
    RUN(test_url_rejects_non_digit_port);
    RUN(test_url_rejects_user_info);
    RUN(test_url_rejects_spaces_and_control_chars);
    RUN(test_url_rejects_unterminated_bracket);
    /* sha1 */
    RUN(test_sha1_fips_abc);
    RUN(test_sha1_fips_448_bit_message);
    RUN(test_sha1_fips_million_a_in_odd_pieces);
    RUN(test_sha1_empty_string);
    RUN(test_sha1_block_boundary_lengths_known_digests);
    RUN(test_sha1_streaming_equals_one_shot_across_block_boundaries);
    /* base64 */
    RUN(test_base64_encode_rfc4648_vectors);
    RUN(test_base64_decode_rfc4648_vectors);
    RUN(test_base64_decode_without_padding);
    RUN(test_base64_decode_all_byte_values_round_trip);
    RUN(test_base64_decode_rejects_invalid_characters);
    RUN(test_base64_decode_rejects_misplaced_padding);
    RUN(test_base64_decode_rejects_length_1_mod_4);
    RUN(test_ws_accept_key_rfc6455_example);
    /* utf8 */
    RUN(test_inflate_rfc7692_hello);
    RUN(test_inflate_context_takeover_refers_to_the_last_message);
    RUN(test_inflate_distance_beyond_the_window_is_refused);
    RUN(test_inflate_rfc7692_stored_two_blocks_and_final);
    RUN(test_inflate_dynamic_block_from_zlib);
    RUN(test_inflate_refuses_invalid_streams);
    RUN(test_inflate_bomb_is_bounded_by_max);
    RUN(test_deflate_round_trips);
    RUN(test_deflate_says_when_it_does_not_pay);
    RUN(test_utf8_valid_ascii);
    RUN(test_utf8_valid_2_byte_char);
    RUN(test_utf8_valid_3_byte_char);
    RUN(test_utf8_valid_4_byte_char);
    RUN(test_utf8_valid_u10ffff);
    RUN(test_utf8_invalid_u110000);
    RUN(test_utf8_invalid_overlongs);
    RUN(test_utf8_invalid_surrogates);
    RUN(test_utf8_invalid_f5_to_ff);
    RUN(test_utf8_invalid_stray_continuation_byte);
    RUN(test_utf8_truncated_sequence_valid_so_far_but_not_complete);
    RUN(test_utf8_fail_fast_at_first_impossible_byte);
    RUN(test_utf8_fail_fast_on_second_byte_of_bad_prefix);
    RUN(test_utf8_kosme_split_at_every_position_is_valid);
    /* http */
    RUN(test_http_parses_101_response_head);
    RUN(test_http_head_exactly_complete_without_trailing_bytes);
    RUN(test_http_incomplete_head_needs_more_at_every_prefix);
    RUN(test_http_parses_http_1_0_status_line);
    RUN(test_http_header_values_trimmed);
    RUN(test_http_find_header_case_insensitive);
    RUN(test_http_has_token_in_comma_list);
    RUN(test_http_rejects_malformed_status_line);
    RUN(test_http_rejects_header_without_colon);
    RUN(test_http_rejects_obs_fold);
    RUN(test_http_accepts_max_headers);
    RUN(test_http_rejects_more_than_max_headers);
    RUN(test_http_body_content_length_partial_feeds);
    RUN(test_http_body_content_length_needs_more);
    RUN(test_http_body_chunked_whole);
    RUN(test_http_body_chunked_one_byte_at_a_time);
    RUN(test_http_body_chunked_leaves_bytes_after_body);
    RUN(test_http_body_chunked_extensions_ignored);
    RUN(test_http_body_chunked_uppercase_hex_size);
    RUN(test_http_body_chunked_bad_hex);
    RUN(test_http_body_chunked_missing_crlf_after_data);
    RUN(test_http_body_chunked_past_max_body);
    RUN(test_http_body_chunk_size_sum_cannot_wrap);
    RUN(test_http_body_content_length_over_max_body);
    RUN(test_http_body_bad_content_length);
    RUN(test_http_body_none_for_204_304_101);
    RUN(test_http_body_until_close_without_length);
    /* ws codec */
    RUN(test_ws_peek_frame_needs_the_whole_payload);
    RUN(test_ws_encode_unmasked_hello);
    RUN(test_ws_encode_masked_hello);
    RUN(test_ws_mask_round_trips_rfc_example);
    RUN(test_ws_encode_fragmented_unmasked_hel_lo);
    RUN(test_ws_encode_unmasked_ping_hello);
    RUN(test_ws_encode_256_byte_binary_header);
    RUN(test_ws_encode_65536_byte_binary_header);
    RUN(test_ws_encode_header_bytes_at_every_length_form);
    RUN(test_ws_frame_check_names_each_rule);
    RUN(test_ws_encode_masked_long_payload_unmasks_back);
    RUN(test_ws_encode_does_not_modify_payload);
    RUN(test_ws_frame_size_unmasked);
    RUN(test_ws_frame_size_masked);
    RUN(test_ws_parse_header_masked_hello);
    RUN(test_ws_parse_header_fin_rsv_opcode_bits);
    RUN(test_ws_parse_header_16_and_64_bit_lengths);
    RUN(test_ws_parse_header_needs_more_at_each_prefix);
    RUN(test_ws_parse_header_rejects_non_minimal_16_bit_length);
    RUN(test_ws_parse_header_rejects_non_minimal_64_bit_length);
    RUN(test_ws_parse_header_rejects_64_bit_length_with_msb_set);
    RUN(test_ws_mask_in_pieces_equals_mask_at_once);
    RUN(test_ws_mask_does_not_touch_bytes_outside_range);
    RUN(test_ws_close_code_valid);
    /* ws receiver */
    RUN(test_ws_rx_single_text_frame);
    RUN(test_ws_rx_consumes_exactly_one_frame);
    RUN(test_ws_rx_binary_pong_and_empty_text);
    RUN(test_ws_rx_partial_frame_needs_more);
    RUN(test_ws_rx_fragmented_message_with_interleaved_ping);
    RUN(test_ws_rx_one_byte_at_a_time_gives_same_result);
    RUN(test_ws_rx_one_byte_at_a_time_long_frames);
    RUN(test_ws_rx_close_with_code_and_reason);
    RUN(test_ws_rx_empty_close_is_1005);
    RUN(test_ws_rx_rejects_rsv_bits);
    RUN(test_ws_rx_rejects_reserved_opcodes);
    RUN(test_ws_rx_rejects_masked_server_frame);
    RUN(test_ws_rx_rejects_fragmented_ping);
    RUN(test_ws_rx_rejects_ping_with_126_byte_payload);
    RUN(test_ws_rx_accepts_ping_with_125_byte_payload);
    RUN(test_ws_rx_rejects_continuation_without_start);
    RUN(test_ws_rx_rejects_new_message_during_fragmented_message);
    RUN(test_ws_rx_rejects_close_with_1_byte_payload);
    RUN(test_ws_rx_rejects_invalid_close_codes);
    RUN(test_ws_rx_accepts_valid_close_codes);
    RUN(test_ws_rx_rejects_close_reason_with_invalid_utf8);
    RUN(test_ws_rx_rejects_invalid_utf8_in_text_frame);
    RUN(test_ws_rx_binary_frame_is_not_utf8_checked);
    RUN(test_ws_rx_invalid_utf8_fails_fast_inside_partial_frame);
    RUN(test_ws_rx_invalid_utf8_fails_fast_byte_by_byte);
    RUN(test_ws_rx_invalid_utf8_split_across_fragments);
    RUN(test_ws_rx_valid_utf8_split_across_fragments);
    RUN(test_ws_rx_text_ending_mid_character);
    RUN(test_ws_rx_message_too_big_single_frame_header);
    RUN(test_ws_rx_message_too_big_64_bit_length);
    RUN(test_ws_rx_message_too_big_across_fragments);
    RUN(test_ws_rx_message_at_max_message_accepted);
    RUN(test_ws_rx_errors_are_sticky);
    RUN(test_ws_rx_too_big_error_is_sticky);
    RUN(test_ws_rx_free_twice_and_on_zeroed_is_safe);
    return TEST_REPORT();
}
