/* Unit tests of the Engine.IO / Socket.IO / JSON layers of sio.h:
 * sio_eio_parse_open, the Socket.IO packet codec, the JSON validator,
 * readers and writer.  Byte vectors only, no sockets.
 *
 *   cc -std=c99 -Wall -Wextra -pedantic -I. -Itests tests/test_io_unit.c sio_impl_posix.c
 *
 * Each test function checks one behaviour and is named for it.  Wire
 * examples come from /work/shared/reference/PROTOCOL.md (V10, section 2.2). */
#include "sio.h"
#include "test.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ====================================================================== */
/* helpers                                                                 */
/* ====================================================================== */

/* A string literal as (pointer, length), so embedded NULs count. */
#define LIT(s) (s), (sizeof(s) - 1)

/* Prints text[0..len) with non-printable bytes as \xNN (at most 120 bytes). */
static void print_escaped(const char *text, size_t len)
{
    size_t i, n = len > 120 ? 120 : len;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c >= 0x20 && c < 0x7f) fputc(c, stderr);
        else fprintf(stderr, "\\x%02X", c);
    }
    if (n < len) fprintf(stderr, "...(%lu bytes)", (unsigned long)len);
}

static void fail_at(int line, const char *what, const char *text, size_t len)
{
    test_current_failed = 1;
    fprintf(stderr, "  %s:%d: %s: \"", __FILE__, line, what);
    print_escaped(text, len);
    fprintf(stderr, "\"\n");
}

static int is_valid_json(const char *text, size_t len)
{
    size_t at = 0;
    return sio_json_validate(text, len, 0, &at) == SIO_OK;
}

/* A malloc'd buffer of n bytes (n > 0). */
static char *xmalloc(size_t n)
{
    char *p = (char *)malloc(n);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

/* "<prefix>" + depth-1 '[' ... ']' + "<suffix>": an array nested `depth`
 * deep in total when the prefix opens one array.  NUL-terminated. */
static char *nested(const char *prefix, size_t inner, const char *suffix, int balanced)
{
    size_t pl = strlen(prefix), sl = strlen(suffix), i, n = 0;
    char *s = xmalloc(pl + 2 * inner + sl + 1);
    memcpy(s, prefix, pl);
    n = pl;
    for (i = 0; i < inner; i++) s[n++] = '[';
    if (balanced)
        for (i = 0; i < inner; i++) s[n++] = ']';
    memcpy(s + n, suffix, sl);
    n += sl;
    s[n] = '\0';
    return s;
}

/* Case-insensitive equality of two NUL-terminated strings. */
static int equal_ignoring_case(const char *a, const char *b)
{
    for (;; a++, b++) {
        int x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z') x += 32;
        if (y >= 'A' && y <= 'Z') y += 32;
        if (x != y) return 0;
        if (!x) return 1;
    }
}

/* ---- json validator checks ------------------------------------------ */

#define CHECK_JSON_VALID(s) check_json_(LIT(s), 0, 1, __LINE__)
#define CHECK_JSON_INVALID(s) check_json_(LIT(s), 0, 0, __LINE__)

static void check_json_(const char *text, size_t len, unsigned depth, int want_ok, int line)
{
    size_t at = (size_t)-1;
    int rc = sio_json_validate(text, len, depth, &at);
    if (want_ok && rc != SIO_OK) {
        fail_at(line, "sio_json_validate rejected valid JSON", text, len);
        fprintf(stderr, "    returned %d, error_at %lu\n", rc, (unsigned long)at);
    } else if (!want_ok && rc != SIO_ERR_PROTOCOL) {
        fail_at(line, "sio_json_validate did not return SIO_ERR_PROTOCOL for", text, len);
        fprintf(stderr, "    returned %d\n", rc);
    } else if (!want_ok && at > len) {
        fail_at(line, "error_at past the end for", text, len);
        fprintf(stderr, "    error_at %lu, len %lu\n", (unsigned long)at, (unsigned long)len);
    }
}

#define CHECK_ERROR_AT(s, lo, hi) check_error_at_(LIT(s), lo, hi, __LINE__)

static void check_error_at_(const char *text, size_t len, size_t lo, size_t hi, int line)
{
    size_t at = (size_t)-1;
    int rc = sio_json_validate(text, len, 0, &at);
    if (rc != SIO_ERR_PROTOCOL || at < lo || at > hi) {
        fail_at(line, "error position", text, len);
        fprintf(stderr, "    returned %d, error_at %lu, expected within [%lu, %lu]\n", rc,
                (unsigned long)at, (unsigned long)lo, (unsigned long)hi);
    }
}

/* ---- packet checks ---------------------------------------------------- */

#define CHECK_PACKET(s, type, att, ns, has_id, id, data) \
    check_packet_(LIT(s), type, att, ns, has_id, id, data, __LINE__)

static void check_packet_(const char *text, size_t len, int type, unsigned att, const char *ns,
                          int has_id, uint64_t id, const char *data, int line)
{
    sio_packet p;
    const char *why = NULL;
    int rc;
    memset(&p, 0xA5, sizeof p);
    rc = sio_packet_decode(&p, text, len, 10, 64, &why);
    if (rc != SIO_OK) {
        fail_at(line, "sio_packet_decode rejected", text, len);
        fprintf(stderr, "    returned %d, why \"%s\"\n", rc, why ? why : "(null)");
        return;
    }
    if (p.type != type) {
        fail_at(line, "type", text, len);
        fprintf(stderr, "    type %d, expected %d\n", p.type, type);
    }
    if (p.attachments != att) {
        fail_at(line, "attachments", text, len);
        fprintf(stderr, "    attachments %u, expected %u\n", p.attachments, att);
    }
    if (!p.ns || p.ns_len != strlen(ns) || memcmp(p.ns, ns, p.ns_len) != 0) {
        fail_at(line, "namespace", text, len);
        fprintf(stderr, "    ns \"%.*s\", expected \"%s\"\n", p.ns ? (int)p.ns_len : 6,
                p.ns ? p.ns : "(null)", ns);
    }
    if ((p.has_id != 0) != (has_id != 0) || (has_id && p.id != id)) {
        fail_at(line, "ack id", text, len);
        fprintf(stderr, "    has_id %d id %llu, expected has_id %d id %llu\n", p.has_id,
                (unsigned long long)p.id, has_id, (unsigned long long)id);
    }
    if (p.data_len != strlen(data) || (p.data_len && memcmp(p.data, data, p.data_len) != 0)) {
        fail_at(line, "data", text, len);
        fprintf(stderr, "    data \"%.*s\", expected \"%s\"\n", (int)(p.data_len > 200 ? 200 : p.data_len),
                p.data_len ? p.data : "", data);
    } else if (p.data_len && (p.data < text || p.data + p.data_len > text + len)) {
        fail_at(line, "data does not point into the decoded text", text, len);
    }
}

#define CHECK_REJECT(s) check_reject_(LIT(s), __LINE__)

static void check_reject_(const char *text, size_t len, int line)
{
    sio_packet p;
    const char *why = NULL;
    int rc;
    memset(&p, 0, sizeof p);
    rc = sio_packet_decode(&p, text, len, 10, 64, &why);
    if (rc >= 0) {
        fail_at(line, "sio_packet_decode accepted invalid packet", text, len);
        fprintf(stderr, "    returned %d\n", rc);
    } else if (!why) {
        fail_at(line, "sio_packet_decode gave no reason (*why NULL) for", text, len);
    }
}

/* ---- packet header checks --------------------------------------------- */

#define CHECK_HEADER(type, att, ns, has_id, id, want) \
    check_header_(type, att, ns, has_id, id, want, __LINE__)

static void check_header_(int type, unsigned att, const char *ns, int has_id, uint64_t id,
                          const char *want, int line)
{
    char out[256];
    size_t n;
    memset(out, 'x', sizeof out);
    n = sio_packet_encode_header(out, type, att, ns, has_id, id);
    if (n != strlen(want) || memcmp(out, want, n) != 0) {
        test_current_failed = 1;
        fprintf(stderr, "  %s:%d: header \"%.*s\" (len %lu), expected \"%s\"\n", __FILE__, line,
                (int)(n < sizeof out ? n : sizeof out), out, (unsigned long)n, want);
    }
}

/* ---- eio open checks -------------------------------------------------- */

#define CHECK_OPEN_REJECT(s) check_open_reject_(LIT(s), __LINE__)

static void check_open_reject_(const char *json, size_t len, int line)
{
    sio_eio_open o;
    const char *why = NULL;
    int rc;
    memset(&o, 0, sizeof o);
    rc = sio_eio_parse_open(json, len, &o, &why);
    if (rc != SIO_ERR_PROTOCOL) {
        fail_at(line, "sio_eio_parse_open did not return SIO_ERR_PROTOCOL for", json, len);
        fprintf(stderr, "    returned %d\n", rc);
    } else if (!why) {
        fail_at(line, "sio_eio_parse_open gave no reason (*why NULL) for", json, len);
    }
}

/* ---- writer ----------------------------------------------------------- */

/* Checks the writer's result equals want exactly and is valid JSON. */
#define CHECK_WRITER(w, want) check_writer_(w, want, __LINE__)

static void check_writer_(const sio_json_writer *w, const char *want, int line)
{
    size_t len = (size_t)-1;
    const char *r = sio_jw_result(w, &len);
    if (!r) {
        test_current_failed = 1;
        fprintf(stderr, "  %s:%d: sio_jw_result NULL (error %d), expected %s\n", __FILE__, line,
                w->error, want);
        return;
    }
    if (len != strlen(want) || memcmp(r, want, len) != 0 || r[len] != '\0') {
        test_current_failed = 1;
        fprintf(stderr, "  %s:%d: writer produced \"", __FILE__, line);
        print_escaped(r, len);
        fprintf(stderr, "\" (len %lu), expected %s\n", (unsigned long)len, want);
    }
    if (!is_valid_json(r, len)) fail_at(line, "writer output is not valid JSON", r, len);
}

/* ====================================================================== */
/* eio: open packet                                                        */
/* ====================================================================== */

static void test_eio_open_spec_example(void)
{
    static const char json[] =
        "{\"sid\":\"lv_VI97HAXpY6yYWAAAC\",\"upgrades\":[\"websocket\"],\"pingInterval\":25000,"
        "\"pingTimeout\":20000,\"maxPayload\":1000000}";
    sio_eio_open o;
    const char *why = NULL;
    memset(&o, 0xA5, sizeof o);
    CHECK_INT(sio_eio_parse_open(json, sizeof json - 1, &o, &why), SIO_OK);
    CHECK_STR(o.sid, "lv_VI97HAXpY6yYWAAAC");
    CHECK_INT(o.ping_interval, 25000);
    CHECK_INT(o.ping_timeout, 20000);
    CHECK_INT(o.max_payload, 1000000);
    CHECK_INT(o.upgrade_websocket, 1);
}

static void test_eio_open_empty_upgrades_means_no_websocket_upgrade(void)
{
    static const char json[] =
        "{\"sid\":\"abc\",\"upgrades\":[],\"pingInterval\":2000,\"pingTimeout\":1000,\"maxPayload\":1000000}";
    sio_eio_open o;
    const char *why = NULL;
    memset(&o, 0xA5, sizeof o);
    CHECK_INT(sio_eio_parse_open(json, sizeof json - 1, &o, &why), SIO_OK);
    CHECK_STR(o.sid, "abc");
    CHECK_INT(o.upgrade_websocket, 0);
    CHECK_INT(o.ping_interval, 2000);
    CHECK_INT(o.ping_timeout, 1000);
}

static void test_eio_open_websocket_found_among_several_upgrades(void)
{
    static const char json[] =
        "{\"sid\":\"abc\",\"upgrades\":[\"polling\",\"websocket\"],\"pingInterval\":1,\"pingTimeout\":1}";
    sio_eio_open o;
    const char *why = NULL;
    memset(&o, 0, sizeof o);
    CHECK_INT(sio_eio_parse_open(json, sizeof json - 1, &o, &why), SIO_OK);
    CHECK_INT(o.upgrade_websocket, 1);
}

static void test_eio_open_v3_without_max_payload(void)
{
    static const char json[] =
        "{\"sid\":\"abc\",\"upgrades\":[\"websocket\"],\"pingInterval\":25000,\"pingTimeout\":5000}";
    sio_eio_open o;
    const char *why = NULL;
    memset(&o, 0xA5, sizeof o);
    CHECK_INT(sio_eio_parse_open(json, sizeof json - 1, &o, &why), SIO_OK);
    CHECK_STR(o.sid, "abc");
    CHECK_INT(o.max_payload, 0);
    CHECK_INT(o.ping_interval, 25000);
    CHECK_INT(o.ping_timeout, 5000);
    CHECK_INT(o.upgrade_websocket, 1);
}

static void test_eio_open_key_order_does_not_matter(void)
{
    static const char json[] =
        "{\"maxPayload\":42,\"pingTimeout\":20000,\"upgrades\":[\"websocket\"],"
        "\"pingInterval\":25000,\"sid\":\"xyz\"}";
    sio_eio_open o;
    const char *why = NULL;
    memset(&o, 0xA5, sizeof o);
    CHECK_INT(sio_eio_parse_open(json, sizeof json - 1, &o, &why), SIO_OK);
    CHECK_STR(o.sid, "xyz");
    CHECK_INT(o.ping_interval, 25000);
    CHECK_INT(o.ping_timeout, 20000);
    CHECK_INT(o.max_payload, 42);
    CHECK_INT(o.upgrade_websocket, 1);
}

static void test_eio_open_unknown_keys_ignored(void)
{
    static const char json[] =
        "{\"sid\":\"abc\",\"future\":{\"sid\":\"nested\",\"x\":[1,2]},\"upgrades\":[],"
        "\"pingInterval\":25000,\"pingTimeout\":20000}";
    sio_eio_open o;
    const char *why = NULL;
    memset(&o, 0, sizeof o);
    CHECK_INT(sio_eio_parse_open(json, sizeof json - 1, &o, &why), SIO_OK);
    CHECK_STR(o.sid, "abc");
}

static void test_eio_open_sid_of_63_chars_fits(void)
{
    static const char json[] =
        "{\"sid\":\"123456789012345678901234567890123456789012345678901234567890123\","
        "\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000}";
    sio_eio_open o;
    const char *why = NULL;
    memset(&o, 0, sizeof o);
    CHECK_INT(sio_eio_parse_open(json, sizeof json - 1, &o, &why), SIO_OK);
    CHECK_STR(o.sid, "123456789012345678901234567890123456789012345678901234567890123");
}

/* One row per case: a failing row names its line. */
static void test_eio_open_rejects(void)
{
    /* open rejects missing sid */
    CHECK_OPEN_REJECT("{\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000}");
    /* open rejects empty sid */
    CHECK_OPEN_REJECT("{\"sid\":\"\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000}");
    /* open rejects sid that is not a string */
    CHECK_OPEN_REJECT("{\"sid\":12,\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000}");
    /* open rejects sid of 64 chars */
    CHECK_OPEN_REJECT("{\"sid\":\"1234567890123456789012345678901234567890123456789012345678901234\","
                      "\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000}");
    /* open rejects sid of 100 chars */
    CHECK_OPEN_REJECT("{\"sid\":\"1234567890123456789012345678901234567890123456789012345678901234567890"
                      "123456789012345678901234567890\","
                      "\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000}");
    /* open rejects sid with control char */
    CHECK_OPEN_REJECT("{\"sid\":\"ab\\u0001cd\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000}");
    /* open rejects missing ping interval */
    CHECK_OPEN_REJECT("{\"sid\":\"abc\",\"upgrades\":[],\"pingTimeout\":20000}");
    /* open rejects missing ping timeout */
    CHECK_OPEN_REJECT("{\"sid\":\"abc\",\"upgrades\":[],\"pingInterval\":25000}");
    /* open rejects negative ping interval */
    CHECK_OPEN_REJECT("{\"sid\":\"abc\",\"upgrades\":[],\"pingInterval\":-1,\"pingTimeout\":20000}");
    /* open rejects negative ping timeout */
    CHECK_OPEN_REJECT("{\"sid\":\"abc\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":-5}");
    /* open rejects ping interval string */
    CHECK_OPEN_REJECT("{\"sid\":\"abc\",\"upgrades\":[],\"pingInterval\":\"25000\",\"pingTimeout\":20000}");
    /* open rejects absurd ping interval */
    CHECK_OPEN_REJECT("{\"sid\":\"abc\",\"upgrades\":[],\"pingInterval\":1e12,\"pingTimeout\":20000}");
    CHECK_OPEN_REJECT("{\"sid\":\"abc\",\"upgrades\":[],\"pingInterval\":86400001,\"pingTimeout\":20000}");
    CHECK_OPEN_REJECT("{\"sid\":\"abc\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":1e12}");
    /* open rejects invalid json */
    CHECK_OPEN_REJECT("{\"sid\":\"abc\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000");
    CHECK_OPEN_REJECT("{sid:\"abc\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000}");
    CHECK_OPEN_REJECT("{\"sid\":\"abc\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000}x");
    CHECK_OPEN_REJECT("");
    /* open rejects non object */
    CHECK_OPEN_REJECT("[\"abc\",25000,20000]");
    CHECK_OPEN_REJECT("\"abc\"");
    CHECK_OPEN_REJECT("null");
}

static void test_eio_open_accepts_ping_interval_of_one_day(void)
{
    static const char json[] =
        "{\"sid\":\"abc\",\"upgrades\":[],\"pingInterval\":86400000,\"pingTimeout\":86400000}";
    sio_eio_open o;
    const char *why = NULL;
    memset(&o, 0, sizeof o);
    CHECK_INT(sio_eio_parse_open(json, sizeof json - 1, &o, &why), SIO_OK);
    CHECK_INT(o.ping_interval, 86400000L);
    CHECK_INT(o.ping_timeout, 86400000L);
}

/* ====================================================================== */
/* sio: packet decode, valid packets (PROTOCOL.md V10 and friends)         */
/* ====================================================================== */

/* One row per case: a failing row names its line. */
static void test_packet_decode_accepts(void)
{
    /* connect bare */
    CHECK_PACKET("0", SIO_PACKET_CONNECT, 0, "/", 0, 0, "");
    /* connect reply with namespace */
    CHECK_PACKET("0/admin,{\"sid\":\"oSO0OpakMV_3jnilAAAA\"}", SIO_PACKET_CONNECT, 0, "/admin", 0, 0,
                 "{\"sid\":\"oSO0OpakMV_3jnilAAAA\"}");
    /* connect error object */
    CHECK_PACKET("4{\"message\":\"Not authorized\"}", SIO_PACKET_CONNECT_ERROR, 0, "/", 0, 0,
                 "{\"message\":\"Not authorized\"}");
    /* connect error plain string */
    CHECK_PACKET("4\"plain string\"", SIO_PACKET_CONNECT_ERROR, 0, "/", 0, 0, "\"plain string\"");
    /* event main namespace */
    CHECK_PACKET("2[\"foo\"]", SIO_PACKET_EVENT, 0, "/", 0, 0, "[\"foo\"]");
    /* event with namespace */
    CHECK_PACKET("2/admin,[\"bar\"]", SIO_PACKET_EVENT, 0, "/admin", 0, 0, "[\"bar\"]");
    /* binary event one attachment */
    CHECK_PACKET("51-[\"baz\",{\"_placeholder\":true,\"num\":0}]", SIO_PACKET_BINARY_EVENT, 1, "/", 0, 0,
                 "[\"baz\",{\"_placeholder\":true,\"num\":0}]");
    /* binary event two attachments with namespace */
    CHECK_PACKET("52-/admin,[\"baz\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]",
                 SIO_PACKET_BINARY_EVENT, 2, "/admin", 0, 0,
                 "[\"baz\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
    /* binary event zero attachments */
    CHECK_PACKET("50-[\"a\"]", SIO_PACKET_BINARY_EVENT, 0, "/", 0, 0, "[\"a\"]");
    /* event with ack id */
    CHECK_PACKET("212[\"foo\"]", SIO_PACKET_EVENT, 0, "/", 1, 12, "[\"foo\"]");
    /* ack with namespace and id */
    CHECK_PACKET("3/admin,13[\"bar\"]", SIO_PACKET_ACK, 0, "/admin", 1, 13, "[\"bar\"]");
    /* binary ack with id */
    CHECK_PACKET("61-15[\"bar\",{\"_placeholder\":true,\"num\":0}]", SIO_PACKET_BINARY_ACK, 1, "/", 1, 15,
                 "[\"bar\",{\"_placeholder\":true,\"num\":0}]");
    /* disconnect bare */
    CHECK_PACKET("1", SIO_PACKET_DISCONNECT, 0, "/", 0, 0, "");
    /* disconnect with namespace */
    CHECK_PACKET("1/admin,", SIO_PACKET_DISCONNECT, 0, "/admin", 0, 0, "");
    /* namespace without comma runs to end */
    /* "40/random" on the wire (PROTOCOL.md 2.2, V5) */
    CHECK_PACKET("0/random", SIO_PACKET_CONNECT, 0, "/random", 0, 0, "");
    /* event with numeric name */
    CHECK_PACKET("2[42,\"x\"]", SIO_PACKET_EVENT, 0, "/", 0, 0, "[42,\"x\"]");
    /* ack with empty array */
    CHECK_PACKET("3[]", SIO_PACKET_ACK, 0, "/", 0, 0, "[]");
    CHECK_PACKET("37[]", SIO_PACKET_ACK, 0, "/", 1, 7, "[]");
    /* ack id zero */
    CHECK_PACKET("20[\"a\"]", SIO_PACKET_EVENT, 0, "/", 1, 0, "[\"a\"]");
    /* ack id 2 pow 53 accepted */
    CHECK_PACKET("29007199254740992[\"a\"]", SIO_PACKET_EVENT, 0, "/", 1, 9007199254740992ULL, "[\"a\"]");
    /* spec v6 v7 v9 examples */
    CHECK_PACKET("2456[\"message-with-ack\",1,\"2\",{\"3\":[false]}]", SIO_PACKET_EVENT, 0, "/", 1, 456,
                 "[\"message-with-ack\",1,\"2\",{\"3\":[false]}]");
    CHECK_PACKET("3456[1,\"2\",{\"3\":[false]}]", SIO_PACKET_ACK, 0, "/", 1, 456, "[1,\"2\",{\"3\":[false]}]");
    CHECK_PACKET("62-789[{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]",
                 SIO_PACKET_BINARY_ACK, 2, "/", 1, 789,
                 "[{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
    CHECK_PACKET("4/random,{\"message\":\"Invalid namespace\"}", SIO_PACKET_CONNECT_ERROR, 0, "/random", 0, 0,
                 "{\"message\":\"Invalid namespace\"}");
    /* event with utf8 and escapes */
    CHECK_PACKET("2[\"message\",\"\xE2\x82\xAC\xF0\x9F\x98\x80\",\"\\u00e9\\\"\"]", SIO_PACKET_EVENT, 0, "/", 0, 0,
                 "[\"message\",\"\xE2\x82\xAC\xF0\x9F\x98\x80\",\"\\u00e9\\\"\"]");
    /* names near reserved are accepted */
    CHECK_PACKET("2[\"connected\"]", SIO_PACKET_EVENT, 0, "/", 0, 0, "[\"connected\"]");
    CHECK_PACKET("2[\"Connect\"]", SIO_PACKET_EVENT, 0, "/", 0, 0, "[\"Connect\"]");
    CHECK_PACKET("2[\"connec\"]", SIO_PACKET_EVENT, 0, "/", 0, 0, "[\"connec\"]");
    /* accepts exactly max attachments */
    CHECK_PACKET("510-[\"a\",{\"_placeholder\":true,\"num\":0}]", SIO_PACKET_BINARY_EVENT, 10, "/", 0, 0,
                 "[\"a\",{\"_placeholder\":true,\"num\":0}]");
    /* event name with nul is not reserved */
    /* "connect\u0000x" is not "connect" (socket.io-parser accepts it) */
    CHECK_PACKET("2[\"connect\\u0000x\"]", SIO_PACKET_EVENT, 0, "/", 0, 0, "[\"connect\\u0000x\"]");
}

/* One row per case: a failing row names its line. */
static void test_packet_decode_rejects(void)
{
    /* ack id above 2 pow 53 rejected */
    CHECK_REJECT("29007199254740993[\"a\"]");
    CHECK_REJECT("299999999999999999999[\"a\"]");
    CHECK_REJECT("3999999999999999999999999999999[]");
    /* rejects connect with string payload */
    CHECK_REJECT("0/admin,\"invalid\"");
    /* rejects connect with array payload */
    CHECK_REJECT("0[]");
    /* rejects disconnect with payload */
    CHECK_REJECT("1/admin,{}");
    CHECK_REJECT("1[]");
    /* rejects event with object payload */
    CHECK_REJECT("2/admin,{}");
    /* rejects event name true */
    CHECK_REJECT("2[true,\"foo\"]");
    /* rejects event name null */
    CHECK_REJECT("2[null,\"bar\"]");
    /* rejects event name object or array */
    CHECK_REJECT("2[{},\"bar\"]");
    CHECK_REJECT("2[[\"a\"],\"bar\"]");
    /* rejects reserved event names */
    CHECK_REJECT("2[\"connect\"]");
    CHECK_REJECT("2[\"connect_error\"]");
    CHECK_REJECT("2[\"disconnect\"]");
    CHECK_REJECT("2[\"disconnecting\"]");
    CHECK_REJECT("2[\"newListener\"]");
    CHECK_REJECT("2[\"removeListener\"]");
    CHECK_REJECT("2/admin,1[\"connect\",1]");
    CHECK_REJECT("51-[\"disconnect\",{\"_placeholder\":true,\"num\":0}]");
    /* rejects binary without attachment count */
    CHECK_REJECT("5");
    CHECK_REJECT("51");
    CHECK_REJECT("5a-");
    CHECK_REJECT("5[\"a\"]");
    /* rejects unknown type */
    CHECK_REJECT("999");
    CHECK_REJECT("7[\"a\"]");
    CHECK_REJECT("9");
    CHECK_REJECT("a");
    CHECK_REJECT("-1");
    CHECK_REJECT("[\"a\"]");
    /* rejects empty input */
    CHECK_REJECT("");
    /* rejects event with empty array */
    CHECK_REJECT("2[]");
    /* rejects event without payload */
    CHECK_REJECT("2");
    CHECK_REJECT("2/admin,");
    CHECK_REJECT("212");
    /* rejects ack that is not an array */
    CHECK_REJECT("3{}");
    CHECK_REJECT("31\"x\"");
    CHECK_REJECT("31");
    /* rejects connect error of other types */
    CHECK_REJECT("4123x");
    CHECK_REJECT("4true");
    /* rejects truncated json */
    CHECK_REJECT("2[\"a\"");
    CHECK_REJECT("2[\"a");
    CHECK_REJECT("0{\"sid\":");
    /* rejects trailing garbage */
    CHECK_REJECT("2[\"a\"]garbage");
    CHECK_REJECT("2[\"a\"][\"b\"]");
    CHECK_REJECT("0{}{}");
    /* rejects invalid utf8 in payload */
    CHECK_REJECT("2[\"a\",\"\xC0\x80\"]");
    CHECK_REJECT("2[\"a\",\"\xFF\"]");
    /* rejects attachments on non binary type */
    CHECK_REJECT("211-[\"a\"]");
    CHECK_REJECT("31-[\"a\"]");
    CHECK_REJECT("01-{}");
    /* rejects too many attachments */
    CHECK_REJECT("511-[\"a\",{\"_placeholder\":true,\"num\":0}]");
    CHECK_REJECT("699999999999999999999-[]");
    /* rejects reserved name written with escape */
    /* "\u0063onnect" is "connect" once unescaped */
    CHECK_REJECT("2[\"\\u0063onnect\"]");
}

static void test_packet_nesting_60_deep_accepted(void)
{
    /* the outer array plus 59 nested ones: 60 deep */
    char *s = nested("2[\"a\",", 59, "]", 1);
    sio_packet p;
    const char *why = NULL;
    int rc = sio_packet_decode(&p, s, strlen(s), 10, 64, &why);
    CHECK_INT(rc, SIO_OK);
    if (rc == SIO_OK) {
        CHECK_INT(p.type, SIO_PACKET_EVENT);
        CHECK_INT(p.data_len, strlen(s) - 1);
    }
    free(s);
}

static void test_packet_nesting_64_deep_accepted(void)
{
    char *s = nested("2[\"a\",", 63, "]", 1);
    sio_packet p;
    const char *why = NULL;
    CHECK_INT(sio_packet_decode(&p, s, strlen(s), 10, 64, &why), SIO_OK);
    free(s);
}

/* ====================================================================== */
/* sio: packet decode, invalid packets                                     */
/* ====================================================================== */

static void test_packet_accepts_connect_error_without_payload(void)
{
    /* As socket.io-parser: only a present payload is validated. */
    sio_packet p;
    const char *why = NULL;
    CHECK_INT(sio_packet_decode(&p, "4", 1, 10, 64, &why), SIO_OK);
    CHECK_INT(p.type, SIO_PACKET_CONNECT_ERROR);
    CHECK_INT(sio_packet_decode(&p, "4/admin,", 8, 10, 64, &why), SIO_OK);
    CHECK_SPAN(p.ns, p.ns_len, "/admin");
}

static void test_packet_rejects_nesting_65_deep(void)
{
    /* the outer array plus 64 nested ones: 65 deep, max_depth 64 */
    char *s = nested("2[\"a\",", 64, "]", 1);
    sio_packet p;
    const char *why = NULL;
    int rc = sio_packet_decode(&p, s, strlen(s), 10, 64, &why);
    CHECK(rc < 0);
    CHECK(rc == SIO_ERR_TOO_BIG || rc == SIO_ERR_PROTOCOL);
    CHECK(why != NULL);
    free(s);
}

static void test_packet_rejects_100000_deep_nesting_without_crashing(void)
{
    char *s = nested("2[\"a\",", 100000, "]", 1);
    sio_packet p;
    const char *why = NULL;
    int rc = sio_packet_decode(&p, s, strlen(s), 10, 64, &why);
    CHECK(rc < 0);
    CHECK(why != NULL);
    free(s);
    /* unbalanced: only opening brackets */
    s = nested("2[\"a\",", 100000, "", 0);
    why = NULL;
    rc = sio_packet_decode(&p, s, strlen(s), 10, 64, &why);
    CHECK(rc < 0);
    CHECK(why != NULL);
    free(s);
}

static void test_packet_decode_reads_only_len_bytes(void)
{
    /* the bytes after len are not part of the packet */
    static const char text[] = "2[\"foo\"]garbage";
    sio_packet p;
    const char *why = NULL;
    memset(&p, 0, sizeof p);
    CHECK_INT(sio_packet_decode(&p, text, 8, 10, 64, &why), SIO_OK);
    CHECK_SPAN(p.data, p.data_len, "[\"foo\"]");
}

/* ====================================================================== */
/* sio: packet header encode                                               */
/* ====================================================================== */

/* One row per case: a failing row names its line. */
static void test_packet_header_encodes(void)
{
    /* event main namespace */
    CHECK_HEADER(SIO_PACKET_EVENT, 0, "/", 0, 0, "2");
    /* event with namespace */
    CHECK_HEADER(SIO_PACKET_EVENT, 0, "/admin", 0, 0, "2/admin,");
    /* event with ack id */
    CHECK_HEADER(SIO_PACKET_EVENT, 0, "/", 1, 1, "21");
    CHECK_HEADER(SIO_PACKET_EVENT, 0, "/", 1, 0, "20");
    CHECK_HEADER(SIO_PACKET_EVENT, 0, "/", 1, 9007199254740992ULL, "29007199254740992");
    /* ack with namespace and id */
    CHECK_HEADER(SIO_PACKET_ACK, 0, "/admin", 1, 13, "3/admin,13");
    /* binary event */
    CHECK_HEADER(SIO_PACKET_BINARY_EVENT, 1, "/", 0, 0, "51-");
    CHECK_HEADER(SIO_PACKET_BINARY_EVENT, 0, "/", 0, 0, "50-");
    /* binary ack with id */
    CHECK_HEADER(SIO_PACKET_BINARY_ACK, 1, "/", 1, 15, "61-15");
    /* binary event with namespace */
    CHECK_HEADER(SIO_PACKET_BINARY_EVENT, 2, "/admin", 0, 0, "52-/admin,");
    CHECK_HEADER(SIO_PACKET_BINARY_ACK, 2, "/admin", 1, 789, "62-/admin,789");
    /* connect */
    CHECK_HEADER(SIO_PACKET_CONNECT, 0, "/", 0, 0, "0");
    CHECK_HEADER(SIO_PACKET_CONNECT, 0, "/admin", 0, 0, "0/admin,");
    /* disconnect */
    CHECK_HEADER(SIO_PACKET_DISCONNECT, 0, "/", 0, 0, "1");
    CHECK_HEADER(SIO_PACKET_DISCONNECT, 0, "/admin", 0, 0, "1/admin,");
}

static void test_header_round_trips_through_decode(void)
{
    char buf[256];
    size_t n = sio_packet_encode_header(buf, SIO_PACKET_BINARY_ACK, 3, "/chat", 1, 77);
    sio_packet p;
    const char *why = NULL;
    memset(&p, 0, sizeof p);
    CHECK(n + 2 < sizeof buf);
    memcpy(buf + n, "[]", 2);
    CHECK_INT(sio_packet_decode(&p, buf, n + 2, 10, 64, &why), SIO_OK);
    CHECK_INT(p.type, SIO_PACKET_BINARY_ACK);
    CHECK_INT(p.attachments, 3);
    CHECK_SPAN(p.ns, p.ns_len, "/chat");
    CHECK_INT(p.has_id, 1);
    CHECK_INT(p.id, 77);
    CHECK_SPAN(p.data, p.data_len, "[]");
}

/* ====================================================================== */
/* json: validator                                                         */
/* ====================================================================== */

/* One row per case: a failing row names its line. */
static void test_json_accepts(void)
{
    /* valid scalars */
    CHECK_JSON_VALID("null");
    CHECK_JSON_VALID("true");
    CHECK_JSON_VALID("false");
    CHECK_JSON_VALID("0");
    CHECK_JSON_VALID("-1");
    CHECK_JSON_VALID("\"\"");
    CHECK_JSON_VALID("\"abc\"");
    /* valid nested structures */
    CHECK_JSON_VALID("[]");
    CHECK_JSON_VALID("{}");
    CHECK_JSON_VALID("[[],{},[[]]]");
    CHECK_JSON_VALID("{\"a\":[1,{\"b\":null}],\"c\":{\"d\":[true,false]},\"\":\"\"}");
    CHECK_JSON_VALID("[\"a,]\\\"}\",{\"k]\":\"v}\"}]");
    /* whitespace around and inside */
    CHECK_JSON_VALID(" \t\r\n[ 1 , 2 ]\n");
    CHECK_JSON_VALID("{ \"a\" : 1 , \"b\"\t:\r\n[ ] }");
    CHECK_JSON_VALID("  null  ");
    /* string escapes valid */
    CHECK_JSON_VALID("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"");
    CHECK_JSON_VALID("\"\\u0041\\u00e9\\u00E9\\uFFFF\"");
    CHECK_JSON_VALID("\"\\ud83d\\ude00\"");
    CHECK_JSON_VALID("\"\\u0000\"");
    /* lone surrogate escape is valid */
    /* RFC 8259 grammar allows any \uXXXX; the reader maps it to U+FFFD */
    CHECK_JSON_VALID("\"\\ud800\"");
    CHECK_JSON_VALID("\"\\udc00x\"");
    CHECK_JSON_VALID("\"\\ud800\\u0041\"");
    /* valid utf8 in strings */
    CHECK_JSON_VALID("\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF\"");
    CHECK_JSON_VALID("\"\x7F\"");
    /* valid numbers */
    CHECK_JSON_VALID("-0");
    CHECK_JSON_VALID("1e10");
    CHECK_JSON_VALID("1.5E-3");
    CHECK_JSON_VALID("0.1");
    CHECK_JSON_VALID("1E+2");
    CHECK_JSON_VALID("-0.0e-0");
    CHECK_JSON_VALID("123456789012345678901234567890");
    CHECK_JSON_VALID("[0,-1,2.5,3e3]");
}

/* One row per case: a failing row names its line. */
static void test_json_rejects(void)
{
    /* invalid numbers */
    CHECK_JSON_INVALID("01");
    CHECK_JSON_INVALID("-01");
    CHECK_JSON_INVALID("00");
    CHECK_JSON_INVALID("1.");
    CHECK_JSON_INVALID(".5");
    CHECK_JSON_INVALID("+1");
    CHECK_JSON_INVALID("-");
    CHECK_JSON_INVALID("1e");
    CHECK_JSON_INVALID("1e+");
    CHECK_JSON_INVALID("0x10");
    CHECK_JSON_INVALID("NaN");
    CHECK_JSON_INVALID("Infinity");
    CHECK_JSON_INVALID("-Infinity");
    CHECK_JSON_INVALID("[01]");
    CHECK_JSON_INVALID("[1.]");
    /* invalid literals */
    CHECK_JSON_INVALID("tru");
    CHECK_JSON_INVALID("nul");
    CHECK_JSON_INVALID("True");
    CHECK_JSON_INVALID("truex");
    CHECK_JSON_INVALID("undefined");
    CHECK_JSON_INVALID("[nulll]");
    /* invalid trailing commas */
    CHECK_JSON_INVALID("[1,]");
    CHECK_JSON_INVALID("{\"a\":1,}");
    CHECK_JSON_INVALID("[,1]");
    CHECK_JSON_INVALID("[1,,2]");
    CHECK_JSON_INVALID("{,}");
    /* invalid object syntax */
    CHECK_JSON_INVALID("{a:1}");
    CHECK_JSON_INVALID("{'a':1}");
    CHECK_JSON_INVALID("['a']");
    CHECK_JSON_INVALID("{1:2}");
    CHECK_JSON_INVALID("{\"a\" 1}");
    CHECK_JSON_INVALID("{\"a\"}");
    CHECK_JSON_INVALID("{\"a\":}");
    CHECK_JSON_INVALID("{\"a\":1 \"b\":2}");
    CHECK_JSON_INVALID("[1 2]");
    /* invalid mismatched brackets */
    CHECK_JSON_INVALID("[1}");
    CHECK_JSON_INVALID("{\"a\":1]");
    CHECK_JSON_INVALID("[");
    CHECK_JSON_INVALID("]");
    CHECK_JSON_INVALID("[[]");
    CHECK_JSON_INVALID("[]]");
    CHECK_JSON_INVALID("{\"a\":[}]");
    /* invalid control char in string */
    CHECK_JSON_INVALID("\"a\x01b\"");
    CHECK_JSON_INVALID("\"a\tb\"");
    CHECK_JSON_INVALID("\"a\nb\"");
    CHECK_JSON_INVALID("\"a\0b\"");
    CHECK_JSON_INVALID("\"\x1F\"");
    /* invalid escapes */
    CHECK_JSON_INVALID("\"\\x41\"");
    CHECK_JSON_INVALID("\"\\'\"");
    CHECK_JSON_INVALID("\"\\u12\"");
    CHECK_JSON_INVALID("\"\\u12G4\"");
    CHECK_JSON_INVALID("\"\\U0041\"");
    CHECK_JSON_INVALID("\"\\\"");
    CHECK_JSON_INVALID("\"abc");
    /* invalid utf8 in strings */
    CHECK_JSON_INVALID("\"\xC0\x80\"");              /* overlong NUL */
    CHECK_JSON_INVALID("\"\xE0\x80\x80\"");          /* overlong */
    CHECK_JSON_INVALID("\"\xED\xA0\x80\"");          /* encoded surrogate */
    CHECK_JSON_INVALID("\"\xF4\x90\x80\x80\"");      /* above U+10FFFF */
    CHECK_JSON_INVALID("\"\xF5\x80\x80\x80\"");
    CHECK_JSON_INVALID("\"\xFF\"");
    CHECK_JSON_INVALID("\"\x80\"");                  /* lone continuation */
    CHECK_JSON_INVALID("\"\xE2\x82\"");              /* truncated sequence */
    CHECK_JSON_INVALID("\"\xC3\"");
    /* invalid two values */
    CHECK_JSON_INVALID("1 2");
    CHECK_JSON_INVALID("{}{}");
    CHECK_JSON_INVALID("[] x");
    CHECK_JSON_INVALID("\"a\"\"b\"");
    /* invalid empty input */
    CHECK_JSON_INVALID("");
    CHECK_JSON_INVALID("   ");
    CHECK_JSON_INVALID("\n");
    /* invalid whitespace kinds */
    /* RFC 8259: only space, tab, LF and CR */
    CHECK_JSON_INVALID("\f1");
    CHECK_JSON_INVALID("[1,\v2]");
    CHECK_JSON_INVALID("1\0");
    CHECK_JSON_INVALID("\xC2\xA0" "1");
}

static void test_json_validate_uses_len_not_nul(void)
{
    static const char text[] = "[1,2]xyz";
    size_t at = 0;
    CHECK_INT(sio_json_validate(text, 5, 0, &at), SIO_OK);
    CHECK_INT(sio_json_validate(text, 4, 0, &at), SIO_ERR_PROTOCOL);
}

static void test_json_depth_limit_exact(void)
{
    size_t at = 0;
    CHECK_INT(sio_json_validate(LIT("[[[]]]"), 3, &at), SIO_OK);
    CHECK_INT(sio_json_validate(LIT("[[[]]]"), 2, &at), SIO_ERR_TOO_BIG);
    CHECK_INT(sio_json_validate(LIT("{\"a\":{\"b\":[]}}"), 3, &at), SIO_OK);
    CHECK_INT(sio_json_validate(LIT("{\"a\":{\"b\":[]}}"), 2, &at), SIO_ERR_TOO_BIG);
    CHECK_INT(sio_json_validate(LIT("[1]"), 1, &at), SIO_OK);
    CHECK_INT(sio_json_validate(LIT("1"), 1, &at), SIO_OK);
    CHECK_INT(sio_json_validate(LIT("[[1],[2],[3]]"), 2, &at), SIO_OK);
}

static void test_json_depth_limit_default_is_64(void)
{
    char *ok = nested("", 64, "", 1);
    char *deep = nested("", 65, "", 1);
    size_t at = 0;
    CHECK_INT(sio_json_validate(ok, strlen(ok), 0, &at), SIO_OK);
    CHECK_INT(sio_json_validate(deep, strlen(deep), 0, &at), SIO_ERR_TOO_BIG);
    CHECK_INT(sio_json_validate(deep, strlen(deep), 64, &at), SIO_ERR_TOO_BIG);
    CHECK_INT(sio_json_validate(deep, strlen(deep), 65, &at), SIO_OK);
    free(ok);
    free(deep);
}

static void test_json_100000_deep_does_not_crash(void)
{
    char *s = nested("", 100000, "", 1);
    char *unclosed = nested("", 100000, "", 0);
    size_t at = 0;
    int rc;
    CHECK_INT(sio_json_validate(s, strlen(s), 0, &at), SIO_ERR_TOO_BIG);
    CHECK(sio_json_validate(unclosed, strlen(unclosed), 0, &at) < 0);
    /* a huge max_depth: valid or refused, but no stack overflow */
    rc = sio_json_validate(s, strlen(s), 200000, &at);
    CHECK(rc == SIO_OK || rc == SIO_ERR_TOO_BIG);
    rc = sio_json_validate(unclosed, strlen(unclosed), 200000, &at);
    CHECK(rc < 0);
    free(s);
    free(unclosed);
}

static void test_json_error_at_points_at_offending_byte(void)
{
    CHECK_ERROR_AT("[1,]", 3, 3);
    /* inside a string: the offending byte or the string's opening quote */
    CHECK_ERROR_AT("\"ab\x01\"", 0, 3);
    CHECK_ERROR_AT("[1,2,x]", 5, 5);
    CHECK_ERROR_AT("{\"a\":01}", 5, 6);
    CHECK_ERROR_AT("[true,\"\xFF\"]", 6, 7);
    CHECK_ERROR_AT("1 2", 1, 2);
}

/* ====================================================================== */
/* json: readers                                                           */
/* ====================================================================== */

static void test_json_make_trims_whitespace(void)
{
    sio_json v = sio_json_make(LIT(" \t\r\n[1, 2]\n "));
    CHECK_SPAN(v.text, v.len, "[1, 2]");
}

static void test_json_typeof_each_type(void)
{
    CHECK_INT(sio_json_typeof(sio_json_make(LIT("null"))), SIO_JSON_NULL);
    CHECK_INT(sio_json_typeof(sio_json_make(LIT("false"))), SIO_JSON_FALSE);
    CHECK_INT(sio_json_typeof(sio_json_make(LIT("true"))), SIO_JSON_TRUE);
    CHECK_INT(sio_json_typeof(sio_json_make(LIT("-1.5e3"))), SIO_JSON_NUMBER);
    CHECK_INT(sio_json_typeof(sio_json_make(LIT("0"))), SIO_JSON_NUMBER);
    CHECK_INT(sio_json_typeof(sio_json_make(LIT("\"s\""))), SIO_JSON_STRING);
    CHECK_INT(sio_json_typeof(sio_json_make(LIT("[1]"))), SIO_JSON_ARRAY);
    CHECK_INT(sio_json_typeof(sio_json_make(LIT("{}"))), SIO_JSON_OBJECT);
    CHECK_INT(sio_json_typeof(sio_json_make(LIT("  {\"a\":1} "))), SIO_JSON_OBJECT);
}

static void test_json_iterate_array(void)
{
    sio_json arr = sio_json_make(LIT("[1,\"two\",[3],{\"four\":4},null]"));
    sio_json_iter it;
    sio_json key, val;
    CHECK_INT(sio_json_iter_init(&it, arr), SIO_OK);
    CHECK_INT(sio_json_iter_next(&it, &key, &val), 1);
    CHECK_INT(key.len, 0);
    CHECK_SPAN(val.text, val.len, "1");
    CHECK_INT(sio_json_iter_next(&it, &key, &val), 1);
    CHECK_INT(key.len, 0);
    CHECK_SPAN(val.text, val.len, "\"two\"");
    CHECK_INT(sio_json_iter_next(&it, &key, &val), 1);
    CHECK_SPAN(val.text, val.len, "[3]");
    CHECK_INT(sio_json_iter_next(&it, &key, &val), 1);
    CHECK_SPAN(val.text, val.len, "{\"four\":4}");
    CHECK_INT(sio_json_iter_next(&it, &key, &val), 1);
    CHECK_SPAN(val.text, val.len, "null");
    CHECK_INT(sio_json_typeof(val), SIO_JSON_NULL);
    CHECK_INT(sio_json_iter_next(&it, &key, &val), 0);
    CHECK_INT(sio_json_iter_next(&it, &key, &val), 0);
}

static void test_json_iterate_array_without_key(void)
{
    sio_json arr = sio_json_make(LIT("[true,false]"));
    sio_json_iter it;
    sio_json val;
    CHECK_INT(sio_json_iter_init(&it, arr), SIO_OK);
    CHECK_INT(sio_json_iter_next(&it, NULL, &val), 1);
    CHECK_SPAN(val.text, val.len, "true");
    CHECK_INT(sio_json_iter_next(&it, NULL, &val), 1);
    CHECK_SPAN(val.text, val.len, "false");
    CHECK_INT(sio_json_iter_next(&it, NULL, &val), 0);
}

static void test_json_iterate_object(void)
{
    sio_json obj = sio_json_make(LIT("{\"a\":1,\"b\":[2,3],\"c\":{\"d\":\"e\"}}"));
    sio_json_iter it;
    sio_json key, val;
    CHECK_INT(sio_json_iter_init(&it, obj), SIO_OK);
    CHECK_INT(sio_json_iter_next(&it, &key, &val), 1);
    CHECK_SPAN(key.text, key.len, "\"a\"");
    CHECK_INT(sio_json_string_equals(key, "a"), 1);
    CHECK_SPAN(val.text, val.len, "1");
    CHECK_INT(sio_json_iter_next(&it, &key, &val), 1);
    CHECK_SPAN(key.text, key.len, "\"b\"");
    CHECK_SPAN(val.text, val.len, "[2,3]");
    CHECK_INT(sio_json_iter_next(&it, &key, &val), 1);
    CHECK_SPAN(key.text, key.len, "\"c\"");
    CHECK_SPAN(val.text, val.len, "{\"d\":\"e\"}");
    CHECK_INT(sio_json_iter_next(&it, &key, &val), 0);
}

static void test_json_iterate_with_whitespace(void)
{
    sio_json obj = sio_json_make(LIT("{ \"k\" : [ 1 , \"x\" ] ,\n\"m\"\t:\tnull }"));
    sio_json_iter it, inner;
    sio_json key, val, v2;
    CHECK_INT(sio_json_iter_init(&it, obj), SIO_OK);
    CHECK_INT(sio_json_iter_next(&it, &key, &val), 1);
    CHECK_SPAN(key.text, key.len, "\"k\"");
    CHECK_SPAN(val.text, val.len, "[ 1 , \"x\" ]");
    CHECK_INT(sio_json_iter_init(&inner, val), SIO_OK);
    CHECK_INT(sio_json_iter_next(&inner, NULL, &v2), 1);
    CHECK_SPAN(v2.text, v2.len, "1");
    CHECK_INT(sio_json_iter_next(&inner, NULL, &v2), 1);
    CHECK_SPAN(v2.text, v2.len, "\"x\"");
    CHECK_INT(sio_json_iter_next(&inner, NULL, &v2), 0);
    CHECK_INT(sio_json_iter_next(&it, &key, &val), 1);
    CHECK_SPAN(key.text, key.len, "\"m\"");
    CHECK_SPAN(val.text, val.len, "null");
    CHECK_INT(sio_json_iter_next(&it, &key, &val), 0);
}

static void test_json_iterate_strings_with_brackets_and_escaped_quotes(void)
{
    sio_json arr = sio_json_make(LIT("[\"a,]\\\"}\",{\"k]\":\"v},\"},2]"));
    sio_json_iter it;
    sio_json val;
    CHECK_INT(sio_json_iter_init(&it, arr), SIO_OK);
    CHECK_INT(sio_json_iter_next(&it, NULL, &val), 1);
    CHECK_SPAN(val.text, val.len, "\"a,]\\\"}\"");
    CHECK_INT(sio_json_iter_next(&it, NULL, &val), 1);
    CHECK_SPAN(val.text, val.len, "{\"k]\":\"v},\"}");
    CHECK_INT(sio_json_iter_next(&it, NULL, &val), 1);
    CHECK_SPAN(val.text, val.len, "2");
    CHECK_INT(sio_json_iter_next(&it, NULL, &val), 0);
}

static void test_json_iterate_empty_containers(void)
{
    sio_json_iter it;
    sio_json key, val;
    CHECK_INT(sio_json_iter_init(&it, sio_json_make(LIT("[]"))), SIO_OK);
    CHECK_INT(sio_json_iter_next(&it, &key, &val), 0);
    CHECK_INT(sio_json_iter_init(&it, sio_json_make(LIT("{}"))), SIO_OK);
    CHECK_INT(sio_json_iter_next(&it, &key, &val), 0);
    CHECK_INT(sio_json_iter_init(&it, sio_json_make(LIT("[ ]"))), SIO_OK);
    CHECK_INT(sio_json_iter_next(&it, &key, &val), 0);
    CHECK_INT(sio_json_iter_init(&it, sio_json_make(LIT("{ \n}"))), SIO_OK);
    CHECK_INT(sio_json_iter_next(&it, &key, &val), 0);
}

static void test_json_iter_init_rejects_scalars(void)
{
    sio_json_iter it;
    CHECK_INT(sio_json_iter_init(&it, sio_json_make(LIT("1"))), SIO_ERR_INVALID);
    CHECK_INT(sio_json_iter_init(&it, sio_json_make(LIT("\"[]\""))), SIO_ERR_INVALID);
    CHECK_INT(sio_json_iter_init(&it, sio_json_make(LIT("null"))), SIO_ERR_INVALID);
}

static void test_json_find_present_and_absent(void)
{
    sio_json obj = sio_json_make(LIT("{\"ab\":1,\"a\":2,\"b\":{\"c\":3},\"cc\":\"x\"}"));
    sio_json v;
    CHECK_INT(sio_json_find(obj, "a", &v), 1);
    CHECK_SPAN(v.text, v.len, "2");
    CHECK_INT(sio_json_find(obj, "ab", &v), 1);
    CHECK_SPAN(v.text, v.len, "1");
    CHECK_INT(sio_json_find(obj, "cc", &v), 1);
    CHECK_SPAN(v.text, v.len, "\"x\"");
    CHECK_INT(sio_json_find(obj, "z", &v), 0);
    CHECK_INT(sio_json_find(obj, "", &v), 0);
    /* "c" exists only inside "b": not a member of the outer object */
    CHECK_INT(sio_json_find(obj, "c", &v), 0);
}

static void test_json_find_nested_object_value(void)
{
    sio_json obj = sio_json_make(LIT("{\"b\":{\"c\":[3,{\"d\":true}]}}"));
    sio_json b, c, d;
    CHECK_INT(sio_json_find(obj, "b", &b), 1);
    CHECK_SPAN(b.text, b.len, "{\"c\":[3,{\"d\":true}]}");
    CHECK_INT(sio_json_typeof(b), SIO_JSON_OBJECT);
    CHECK_INT(sio_json_find(b, "c", &c), 1);
    CHECK_SPAN(c.text, c.len, "[3,{\"d\":true}]");
    CHECK_INT(sio_json_at(c, 1, &d), 1);
    CHECK_INT(sio_json_find(d, "d", &d), 1);
    CHECK_INT(sio_json_typeof(d), SIO_JSON_TRUE);
}

static void test_json_find_skips_values_that_look_like_keys(void)
{
    /* the string "k" as a value must not be taken for the key "k" */
    sio_json obj = sio_json_make(LIT("{\"x\":\"k\",\"y\":[\"k\"],\"k\":7}"));
    sio_json v;
    CHECK_INT(sio_json_find(obj, "k", &v), 1);
    CHECK_SPAN(v.text, v.len, "7");
}

static void test_json_at_in_and_out_of_range(void)
{
    sio_json arr = sio_json_make(LIT("[10,\"x\",[1,2],{\"k\":null}]"));
    sio_json v;
    CHECK_INT(sio_json_at(arr, 0, &v), 1);
    CHECK_SPAN(v.text, v.len, "10");
    CHECK_INT(sio_json_at(arr, 1, &v), 1);
    CHECK_SPAN(v.text, v.len, "\"x\"");
    CHECK_INT(sio_json_at(arr, 2, &v), 1);
    CHECK_SPAN(v.text, v.len, "[1,2]");
    CHECK_INT(sio_json_at(arr, 3, &v), 1);
    CHECK_SPAN(v.text, v.len, "{\"k\":null}");
    CHECK_INT(sio_json_at(arr, 4, &v), 0);
    CHECK_INT(sio_json_at(arr, (size_t)-1, &v), 0);
    CHECK_INT(sio_json_at(sio_json_make(LIT("[]")), 0, &v), 0);
}

static void test_json_string_unescapes_to_utf8(void)
{
    /* "a\"b\\c\/d\n\t\u00e9\ud83d\ude00" */
    sio_json v = sio_json_make(LIT("\"a\\\"b\\\\c\\/d\\n\\t\\u00e9\\ud83d\\ude00\""));
    static const char want[] = "a\"b\\c/d\n\t\xC3\xA9\xF0\x9F\x98\x80";
    char out[64];
    size_t len = 0;
    CHECK_INT(sio_json_string(v, out, sizeof out, &len), SIO_OK);
    CHECK_INT(len, sizeof want - 1);
    CHECK_MEM(out, want, sizeof want);   /* including the NUL */
}

static void test_json_string_other_escapes(void)
{
    sio_json v = sio_json_make(LIT("\"\\b\\f\\r\\u0041\\u20AC\\u0000z\""));
    static const char want[] = "\b\f\rA\xE2\x82\xAC\0z";
    char out[32];
    size_t len = 0;
    CHECK_INT(sio_json_string(v, out, sizeof out, &len), SIO_OK);
    CHECK_INT(len, sizeof want - 1);
    CHECK_MEM(out, want, sizeof want);
}

static void test_json_string_raw_utf8_copied(void)
{
    sio_json v = sio_json_make(LIT("\"\xE2\x82\xAC\xF0\x9F\x98\x80\""));
    char out[16];
    size_t len = 0;
    CHECK_INT(sio_json_string(v, out, sizeof out, &len), SIO_OK);
    CHECK_INT(len, 7);
    CHECK_STR(out, "\xE2\x82\xAC\xF0\x9F\x98\x80");
}

static void test_json_string_empty(void)
{
    char out[1];
    size_t len = 99;
    out[0] = 'x';
    CHECK_INT(sio_json_string(sio_json_make(LIT("\"\"")), out, sizeof out, &len), SIO_OK);
    CHECK_INT(len, 0);
    CHECK_INT(out[0], '\0');
}

static void test_json_string_too_small_reports_full_length(void)
{
    sio_json v = sio_json_make(LIT("\"a\\\"b\\\\c\\/d\\n\\t\\u00e9\\ud83d\\ude00\""));
    char out[32];
    size_t len = 0, i;
    memset(out, '#', sizeof out);
    CHECK_INT(sio_json_string(v, out, 5, &len), SIO_ERR_TOO_BIG);
    CHECK_INT(len, 15);
    CHECK(memchr(out, '\0', 5) != NULL);   /* NUL-terminated within cap */
    for (i = 5; i < sizeof out; i++) CHECK_INT(out[i], '#');
}

static void test_json_string_exact_fit_boundary(void)
{
    sio_json v = sio_json_make(LIT("\"abcd\""));
    char out[8];
    size_t len = 0;
    CHECK_INT(sio_json_string(v, out, 5, &len), SIO_OK);
    CHECK_INT(len, 4);
    CHECK_STR(out, "abcd");
    CHECK_INT(sio_json_string(v, out, 4, &len), SIO_ERR_TOO_BIG);
    CHECK_INT(len, 4);
    CHECK(memchr(out, '\0', 4) != NULL);
}

static void test_json_string_lone_surrogate_becomes_replacement_char(void)
{
    char out[32];
    size_t len = 0;
    CHECK_INT(sio_json_string(sio_json_make(LIT("\"\\ud800\"")), out, sizeof out, &len), SIO_OK);
    CHECK_INT(len, 3);
    CHECK_STR(out, "\xEF\xBF\xBD");
    CHECK_INT(sio_json_string(sio_json_make(LIT("\"x\\udc00y\"")), out, sizeof out, &len), SIO_OK);
    CHECK_INT(len, 5);
    CHECK_STR(out, "x\xEF\xBF\xBDy");
    CHECK_INT(sio_json_string(sio_json_make(LIT("\"\\ud800A\"")), out, sizeof out, &len), SIO_OK);
    CHECK_INT(len, 4);
    CHECK_STR(out, "\xEF\xBF\xBD" "A");
    CHECK_INT(sio_json_string(sio_json_make(LIT("\"\\ud800\\u0041\"")), out, sizeof out, &len), SIO_OK);
    CHECK_INT(len, 4);
    CHECK_STR(out, "\xEF\xBF\xBD" "A");
}

static void test_json_string_rejects_non_strings(void)
{
    char out[16];
    size_t len = 0;
    CHECK_INT(sio_json_string(sio_json_make(LIT("1")), out, sizeof out, &len), SIO_ERR_INVALID);
    CHECK_INT(sio_json_string(sio_json_make(LIT("[\"a\"]")), out, sizeof out, &len), SIO_ERR_INVALID);
    CHECK_INT(sio_json_string(sio_json_make(LIT("null")), out, sizeof out, &len), SIO_ERR_INVALID);
}

/* Compares as doubles: on x87 (FLT_EVAL_METHOD 2) a constant like 0.1 is
 * evaluated in long double unless it passes through a double. */
static int same_double(double a, double b)
{
    volatile double x = a, y = b;
    return x == y;
}

static void test_json_number_values(void)
{
    double d = -1;
    CHECK_INT(sio_json_number(sio_json_make(LIT("42")), &d), SIO_OK);
    CHECK(same_double(d, 42.0));
    CHECK_INT(sio_json_number(sio_json_make(LIT("-0.5")), &d), SIO_OK);
    CHECK(same_double(d, -0.5));
    CHECK_INT(sio_json_number(sio_json_make(LIT("1.5E-3")), &d), SIO_OK);
    CHECK(same_double(d, 1.5e-3));
    CHECK_INT(sio_json_number(sio_json_make(LIT("1e10")), &d), SIO_OK);
    CHECK(same_double(d, 1e10));
    CHECK_INT(sio_json_number(sio_json_make(LIT("0.1")), &d), SIO_OK);
    CHECK(same_double(d, 0.1));
    CHECK_INT(sio_json_number(sio_json_make(LIT(" 7 ")), &d), SIO_OK);
    CHECK(same_double(d, 7.0));
}

static void test_json_number_zero_with_huge_exponent_is_zero(void)
{
    double d = -1;
    CHECK_INT(sio_json_number(sio_json_make(LIT("0e400")), &d), SIO_OK);
    CHECK(d == 0.0);
    d = -1;
    CHECK_INT(sio_json_number(sio_json_make(LIT("0.0E+999")), &d), SIO_OK);
    CHECK(d == 0.0);
}

/* |a - b| <= 1e-15 |b|, and a finite */
static int close_to(double a, double b)
{
    double diff = a > b ? a - b : b - a;
    double mag = b < 0 ? -b : b;
    return a == a && a - a == 0 && diff <= mag * 1e-15;
}

static void test_json_number_extremes_of_double_range(void)
{
    /* DBL_MAX and DBL_MIN as %.17g writes them: representable, so not
     * infinity and not 0 */
    double d = 0;
    CHECK_INT(sio_json_number(sio_json_make(LIT("1.7976931348623157e308")), &d), SIO_OK);
    CHECK(close_to(d, 1.7976931348623157e308));
    CHECK_INT(sio_json_number(sio_json_make(LIT("2.2250738585072014e-308")), &d), SIO_OK);
    CHECK(close_to(d, 2.2250738585072014e-308));
    CHECK_INT(sio_json_number(sio_json_make(LIT("-1.2345678901234567e-200")), &d), SIO_OK);
    CHECK(close_to(d, -1.2345678901234567e-200));
}

static void test_json_number_in_array_span(void)
{
    /* a number value whose span is followed by more text */
    sio_json arr = sio_json_make(LIT("[12,34]"));
    sio_json v;
    double d = 0;
    CHECK_INT(sio_json_at(arr, 0, &v), 1);
    CHECK_INT(sio_json_number(v, &d), SIO_OK);
    CHECK(d == 12.0);
}

static void test_json_number_rejects_non_numbers(void)
{
    double d = 0;
    CHECK_INT(sio_json_number(sio_json_make(LIT("\"1\"")), &d), SIO_ERR_INVALID);
    CHECK_INT(sio_json_number(sio_json_make(LIT("null")), &d), SIO_ERR_INVALID);
    CHECK_INT(sio_json_number(sio_json_make(LIT("[1]")), &d), SIO_ERR_INVALID);
    CHECK_INT(sio_json_number(sio_json_make(LIT("true")), &d), SIO_ERR_INVALID);
}

static void test_json_string_equals(void)
{
    CHECK_INT(sio_json_string_equals(sio_json_make(LIT("\"abc\"")), "abc"), 1);
    CHECK_INT(sio_json_string_equals(sio_json_make(LIT("\"abc\"")), "ab"), 0);
    CHECK_INT(sio_json_string_equals(sio_json_make(LIT("\"abc\"")), "abcd"), 0);
    CHECK_INT(sio_json_string_equals(sio_json_make(LIT("\"abc\"")), "abC"), 0);
    CHECK_INT(sio_json_string_equals(sio_json_make(LIT("\"\"")), ""), 1);
    CHECK_INT(sio_json_string_equals(sio_json_make(LIT("\"\"")), "a"), 0);
    CHECK_INT(sio_json_string_equals(sio_json_make(LIT("1")), "1"), 0);
    CHECK_INT(sio_json_string_equals(sio_json_make(LIT("null")), "null"), 0);
    CHECK_INT(sio_json_string_equals(sio_json_make(LIT("[\"abc\"]")), "abc"), 0);
}

static void test_json_string_equals_compares_unescaped_value(void)
{
    CHECK_INT(sio_json_string_equals(sio_json_make(LIT("\"a\\\"b\"")), "a\"b"), 1);
    CHECK_INT(sio_json_string_equals(sio_json_make(LIT("\"a\\/b\"")), "a/b"), 1);
    CHECK_INT(sio_json_string_equals(sio_json_make(LIT("\"\\u0063onnect\"")), "connect"), 1);
    CHECK_INT(sio_json_string_equals(sio_json_make(LIT("\"\\u00e9\"")), "\xC3\xA9"), 1);
    CHECK_INT(sio_json_string_equals(sio_json_make(LIT("\"a\\\\\"")), "a\\"), 1);
    CHECK_INT(sio_json_string_equals(sio_json_make(LIT("\"a\\\\\"")), "a\\\\"), 0);
}

static void test_json_string_equals_long_escaped_string(void)
{
    /* 300 'a' then an escaped newline, against the same 301 bytes */
    char json[310], want[310];
    memset(json, 'a', sizeof json);
    json[0] = '"';
    memcpy(json + 301, "\\n\"", 3);
    memset(want, 'a', 300);
    want[300] = '\n';
    want[301] = '\0';
    CHECK_INT(sio_json_string_equals(sio_json_make(json, 304), want), 1);
    want[299] = 'b';
    CHECK_INT(sio_json_string_equals(sio_json_make(json, 304), want), 0);
}

/* ====================================================================== */
/* json: writer                                                            */
/* ====================================================================== */

static void test_jw_builds_event_array_with_commas(void)
{
    char buf[256];
    sio_json_writer w;
    sio_jw_init(&w, buf, sizeof buf);
    sio_jw_array_begin(&w);
    sio_jw_cstring(&w, "chat");
    sio_jw_object_begin(&w);
    sio_jw_key(&w, "text");
    sio_jw_cstring(&w, "hi \"there\"\n");
    sio_jw_key(&w, "n");
    sio_jw_integer(&w, 3);
    sio_jw_key(&w, "ok");
    sio_jw_bool(&w, 1);
    sio_jw_key(&w, "none");
    sio_jw_null(&w);
    sio_jw_object_end(&w);
    sio_jw_array_begin(&w);
    sio_jw_integer(&w, 1);
    sio_jw_number(&w, 2.5);
    sio_jw_array_end(&w);
    sio_jw_array_end(&w);
    CHECK_INT(w.error, SIO_OK);
    CHECK_WRITER(&w, "[\"chat\",{\"text\":\"hi \\\"there\\\"\\n\",\"n\":3,\"ok\":true,\"none\":null},[1,2.5]]");
}

static void test_jw_empty_containers(void)
{
    char buf[64];
    sio_json_writer w;
    sio_jw_init(&w, buf, sizeof buf);
    sio_jw_array_begin(&w);
    sio_jw_array_begin(&w);
    sio_jw_array_end(&w);
    sio_jw_object_begin(&w);
    sio_jw_object_end(&w);
    sio_jw_bool(&w, 0);
    sio_jw_array_end(&w);
    CHECK_WRITER(&w, "[[],{},false]");
}

static void test_jw_bool_nonzero_is_true(void)
{
    char buf[64];
    sio_json_writer w;
    sio_jw_init(&w, buf, sizeof buf);
    sio_jw_array_begin(&w);
    sio_jw_bool(&w, 7);
    sio_jw_bool(&w, 0);
    sio_jw_array_end(&w);
    CHECK_WRITER(&w, "[true,false]");
}

static void test_jw_key_is_escaped(void)
{
    char buf[64];
    sio_json_writer w;
    sio_jw_init(&w, buf, sizeof buf);
    sio_jw_object_begin(&w);
    sio_jw_key(&w, "q\"k");
    sio_jw_integer(&w, 1);
    sio_jw_key(&w, "b\\");
    sio_jw_integer(&w, 2);
    sio_jw_object_end(&w);
    CHECK_WRITER(&w, "{\"q\\\"k\":1,\"b\\\\\":2}");
}

static void test_jw_scalar_top_level(void)
{
    char buf[64];
    sio_json_writer w;
    sio_jw_init(&w, buf, sizeof buf);
    sio_jw_cstring(&w, "x");
    CHECK_WRITER(&w, "\"x\"");
    sio_jw_init(&w, buf, sizeof buf);
    sio_jw_integer(&w, -5);
    CHECK_WRITER(&w, "-5");
}

static void test_jw_growable_100kb_string(void)
{
    const size_t n = 100000;
    char *s = xmalloc(n);
    char *back = xmalloc(n + 1);
    size_t i, len = 0, backlen = 0;
    const char *r;
    sio_json_writer w;
    for (i = 0; i < n; i++) s[i] = (char)('a' + i % 26);
    sio_jw_init(&w, NULL, 0);
    sio_jw_array_begin(&w);
    sio_jw_string(&w, s, n);
    sio_jw_array_end(&w);
    CHECK_INT(w.error, SIO_OK);
    r = sio_jw_result(&w, &len);
    CHECK(r != NULL);
    if (r) {
        sio_json v;
        CHECK_INT(len, n + 4);
        CHECK_INT(r[len], '\0');
        CHECK(is_valid_json(r, len));
        CHECK_INT(sio_json_at(sio_json_make(r, len), 0, &v), 1);
        CHECK_INT(sio_json_string(v, back, n + 1, &backlen), SIO_OK);
        CHECK_INT(backlen, n);
        CHECK_MEM(back, s, n);
    }
    sio_jw_free(&w);
    free(s);
    free(back);
}

static void test_jw_growable_many_values(void)
{
    sio_json_writer w;
    const char *r;
    size_t len = 0, count = 0;
    int i;
    sio_json_iter it;
    sio_json val;
    sio_jw_init(&w, NULL, 0);
    sio_jw_array_begin(&w);
    for (i = 0; i < 20000; i++) {
        sio_jw_object_begin(&w);
        sio_jw_key(&w, "i");
        sio_jw_integer(&w, i);
        sio_jw_key(&w, "s");
        sio_jw_cstring(&w, "\"\\\n");
        sio_jw_object_end(&w);
    }
    sio_jw_array_end(&w);
    r = sio_jw_result(&w, &len);
    CHECK(r != NULL);
    if (r) {
        CHECK(is_valid_json(r, len));
        CHECK_INT(sio_json_iter_init(&it, sio_json_make(r, len)), SIO_OK);
        while (sio_json_iter_next(&it, NULL, &val)) count++;
        CHECK_INT(count, 20000);
    }
    sio_jw_free(&w);
}

static void test_jw_fixed_buffer_overflow_sets_too_big(void)
{
    char buf[32];
    size_t i, len = 0;
    sio_json_writer w;
    memset(buf, '#', sizeof buf);
    sio_jw_init(&w, buf, 8);
    sio_jw_array_begin(&w);
    sio_jw_cstring(&w, "hello world");
    sio_jw_array_end(&w);
    CHECK_INT(w.error, SIO_ERR_TOO_BIG);
    CHECK(sio_jw_result(&w, &len) == NULL);
    for (i = 8; i < sizeof buf; i++) CHECK_INT(buf[i], '#');
}

static void test_jw_error_is_sticky(void)
{
    char buf[8];
    size_t len = 0;
    sio_json_writer w;
    sio_jw_init(&w, buf, sizeof buf);
    sio_jw_cstring(&w, "this does not fit");
    CHECK_INT(w.error, SIO_ERR_TOO_BIG);
    /* later small writes that would fit do not clear the error */
    sio_jw_null(&w);
    CHECK_INT(w.error, SIO_ERR_TOO_BIG);
    CHECK(sio_jw_result(&w, &len) == NULL);
}

static void test_jw_fixed_buffer_exact_fit(void)
{
    char buf[16];
    size_t len = 0;
    sio_json_writer w;
    /* "abcd" with quotes is 6 bytes, plus the NUL */
    sio_jw_init(&w, buf, 7);
    sio_jw_cstring(&w, "abcd");
    CHECK_INT(w.error, SIO_OK);
    CHECK_WRITER(&w, "\"abcd\"");
    sio_jw_init(&w, buf, 6);
    sio_jw_cstring(&w, "abcd");
    CHECK_INT(w.error, SIO_ERR_TOO_BIG);
    CHECK(sio_jw_result(&w, &len) == NULL);
}

static void test_jw_control_chars_escaped_as_u00xx(void)
{
    char buf[64];
    size_t len = 0;
    const char *r;
    sio_json_writer w;
    sio_jw_init(&w, buf, sizeof buf);
    sio_jw_string(&w, LIT("\x01" "a" "\x1F" "\x00"));
    r = sio_jw_result(&w, &len);
    CHECK(r != NULL);
    if (r) {
        if (!equal_ignoring_case(r, "\"\\u0001a\\u001f\\u0000\""))
            fail_at(__LINE__, "control chars not escaped as \\u00XX", r, len);
        CHECK(is_valid_json(r, len));
    }
}

static void test_jw_short_escapes_round_trip(void)
{
    char buf[64], back[16];
    size_t len = 0, blen = 0;
    const char *r;
    sio_json_writer w;
    sio_jw_init(&w, buf, sizeof buf);
    sio_jw_string(&w, LIT("\b\f\n\r\t\"\\/"));
    r = sio_jw_result(&w, &len);
    CHECK(r != NULL);
    if (r) {
        CHECK(is_valid_json(r, len));
        CHECK_INT(sio_json_string(sio_json_make(r, len), back, sizeof back, &blen), SIO_OK);
        CHECK_INT(blen, 8);
        CHECK_MEM(back, "\b\f\n\r\t\"\\/", 8);
    }
}

static void test_jw_invalid_utf8_written_as_replacement(void)
{
    char buf[64];
    size_t len = 0;
    const char *r;
    sio_json_writer w;
    sio_jw_init(&w, buf, sizeof buf);
    sio_jw_string(&w, LIT("a\xFF" "b"));
    r = sio_jw_result(&w, &len);
    CHECK(r != NULL);
    if (r) {
        if (!equal_ignoring_case(r, "\"a\\ufffdb\"") && strcmp(r, "\"a\xEF\xBF\xBD" "b\"") != 0)
            fail_at(__LINE__, "invalid UTF-8 not written as U+FFFD", r, len);
        CHECK(is_valid_json(r, len));
    }
}

static void test_jw_invalid_utf8_output_is_valid_json(void)
{
    static const char *const bad[] = {
        "\xC0\x80", "\xED\xA0\x80", "\xE2\x82", "\xF4\x90\x80\x80", "\x80\x80", "x\xC3",
        "\xF0\x9F\x98", "\xE0\x80\x80", "\xFE\xFF"
    };
    size_t k;
    for (k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char buf[128], back[64];
        size_t len = 0, blen = 0;
        const char *r;
        sio_json_writer w;
        sio_jw_init(&w, buf, sizeof buf);
        sio_jw_string(&w, bad[k], strlen(bad[k]));
        r = sio_jw_result(&w, &len);
        if (!r) {
            fail_at(__LINE__, "writer failed on", bad[k], strlen(bad[k]));
            continue;
        }
        if (!is_valid_json(r, len)) fail_at(__LINE__, "writer output is not valid JSON", r, len);
        else if (sio_json_string(sio_json_make(r, len), back, sizeof back, &blen) != SIO_OK ||
                 strstr(back, "\xEF\xBF\xBD") == NULL)
            fail_at(__LINE__, "no U+FFFD in the written string", r, len);
    }
}

static void test_jw_valid_utf8_round_trips(void)
{
    static const char s[] = "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF\x7F";
    char buf[64], back[64];
    size_t len = 0, blen = 0;
    const char *r;
    sio_json_writer w;
    sio_jw_init(&w, buf, sizeof buf);
    sio_jw_string(&w, s, sizeof s - 1);
    r = sio_jw_result(&w, &len);
    CHECK(r != NULL);
    if (r) {
        CHECK(is_valid_json(r, len));
        CHECK_INT(sio_json_string(sio_json_make(r, len), back, sizeof back, &blen), SIO_OK);
        CHECK_INT(blen, sizeof s - 1);
        CHECK_MEM(back, s, sizeof s);
    }
}

static void test_jw_number_nan_and_inf_are_null(void)
{
    char buf[64];
    sio_json_writer w;
    sio_jw_init(&w, buf, sizeof buf);
    sio_jw_array_begin(&w);
    sio_jw_number(&w, NAN);
    sio_jw_number(&w, INFINITY);
    sio_jw_number(&w, -INFINITY);
    sio_jw_array_end(&w);
    CHECK_WRITER(&w, "[null,null,null]");
}

static void test_jw_number_values_round_trip(void)
{
    static const double vals[] = { 0.1, -2.5, 123456789.125, 1.0 / 3.0, -1e-7, 42.0 };
    size_t k;
    for (k = 0; k < sizeof vals / sizeof vals[0]; k++) {
        char buf[64];
        size_t len = 0;
        double d = 0;
        const char *r;
        sio_json_writer w;
        sio_jw_init(&w, buf, sizeof buf);
        sio_jw_number(&w, vals[k]);
        r = sio_jw_result(&w, &len);
        CHECK(r != NULL);
        if (!r) continue;
        if (!is_valid_json(r, len)) fail_at(__LINE__, "number output is not valid JSON", r, len);
        CHECK_INT(sio_json_number(sio_json_make(r, len), &d), SIO_OK);
        if (d != vals[k]) fail_at(__LINE__, "number did not round-trip", r, len);
    }
}

static void test_jw_number_large_exponent_reads_back_exactly(void)
{
    /* the writer prints 1e300 as 17 digits; reading them must give 1e300 */
    char buf[64];
    size_t len = 0;
    double d = 0;
    const char *r;
    sio_json_writer w;
    sio_jw_init(&w, buf, sizeof buf);
    sio_jw_number(&w, 1e300);
    r = sio_jw_result(&w, &len);
    CHECK(r != NULL);
    if (r) {
        CHECK(is_valid_json(r, len));
        CHECK_INT(sio_json_number(sio_json_make(r, len), &d), SIO_OK);
        if (!same_double(d, 1e300)) fail_at(__LINE__, "1e300 did not read back exactly", r, len);
    }
}

static void test_jw_number_integral_has_no_fraction(void)
{
    char buf[64];
    sio_json_writer w;
    sio_jw_init(&w, buf, sizeof buf);
    sio_jw_array_begin(&w);
    sio_jw_number(&w, 3.0);
    sio_jw_number(&w, -0.0 + 0.0);
    sio_jw_number(&w, 2.5);
    sio_jw_array_end(&w);
    CHECK_WRITER(&w, "[3,0,2.5]");
}

static void test_jw_placeholder(void)
{
    char buf[128];
    sio_json_writer w;
    sio_jw_init(&w, buf, sizeof buf);
    sio_jw_placeholder(&w, 2);
    CHECK_WRITER(&w, "{\"_placeholder\":true,\"num\":2}");
    sio_jw_init(&w, buf, sizeof buf);
    sio_jw_array_begin(&w);
    sio_jw_cstring(&w, "x");
    sio_jw_placeholder(&w, 0);
    sio_jw_placeholder(&w, 1);
    sio_jw_array_end(&w);
    CHECK_WRITER(&w, "[\"x\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
}

static void test_jw_integers(void)
{
    char buf[128];
    sio_json_writer w;
    sio_jw_init(&w, buf, sizeof buf);
    sio_jw_array_begin(&w);
    sio_jw_integer(&w, LLONG_MIN);
    sio_jw_integer(&w, 0);
    sio_jw_integer(&w, 9007199254740993LL);
    sio_jw_integer(&w, LLONG_MAX);
    sio_jw_integer(&w, -1);
    sio_jw_array_end(&w);
    CHECK_WRITER(&w, "[-9223372036854775808,0,9007199254740993,9223372036854775807,-1]");
}

static void test_jw_raw_value(void)
{
    char buf[64];
    sio_json_writer w;
    sio_jw_init(&w, buf, sizeof buf);
    sio_jw_array_begin(&w);
    sio_jw_integer(&w, 1);
    sio_jw_raw(&w, LIT("{\"a\":[]}"));
    sio_jw_integer(&w, 2);
    sio_jw_array_end(&w);
    CHECK_WRITER(&w, "[1,{\"a\":[]},2]");
    sio_jw_init(&w, buf, sizeof buf);
    sio_jw_object_begin(&w);
    sio_jw_key(&w, "k");
    sio_jw_raw(&w, LIT("[1,2]"));
    sio_jw_key(&w, "m");
    sio_jw_raw(&w, LIT("\"s\""));
    sio_jw_object_end(&w);
    CHECK_WRITER(&w, "{\"k\":[1,2],\"m\":\"s\"}");
}

static void test_jw_deep_nesting_is_valid_or_refused(void)
{
    /* need_comma[] has 64 levels: deeper must either still be correct
     * JSON or set an error, never corrupt memory */
    char buf[512];
    size_t len = 0;
    const char *r;
    int i;
    sio_json_writer w;
    sio_jw_init(&w, buf, sizeof buf);
    for (i = 0; i < 100; i++) {
        sio_jw_array_begin(&w);
        sio_jw_integer(&w, i);
    }
    for (i = 0; i < 100; i++) sio_jw_array_end(&w);
    r = sio_jw_result(&w, &len);
    if (r) {
        size_t at = 0;
        if (sio_json_validate(r, len, 200, &at) != SIO_OK)
            fail_at(__LINE__, "deep writer output is not valid JSON", r, len);
    } else {
        CHECK(w.error < 0);
    }
}

static void test_jw_output_always_validates(void)
{
    /* a mix of everything, checked by the validator */
    char buf[1024];
    size_t len = 0;
    const char *r;
    sio_json_writer w;
    sio_jw_init(&w, buf, sizeof buf);
    sio_jw_object_begin(&w);
    sio_jw_key(&w, "\x01key\xFF");
    sio_jw_array_begin(&w);
    sio_jw_string(&w, LIT("\0\x1F\x7F\xC3\xA9\xED\xA0\x80\"\\"));
    sio_jw_number(&w, -1.25e-300);
    sio_jw_number(&w, NAN);
    sio_jw_integer(&w, LLONG_MIN);
    sio_jw_placeholder(&w, 4000000000u);
    sio_jw_object_begin(&w);
    sio_jw_object_end(&w);
    sio_jw_null(&w);
    sio_jw_bool(&w, 0);
    sio_jw_array_end(&w);
    sio_jw_key(&w, "");
    sio_jw_cstring(&w, "");
    sio_jw_object_end(&w);
    r = sio_jw_result(&w, &len);
    CHECK(r != NULL);
    if (r && !is_valid_json(r, len)) fail_at(__LINE__, "writer output is not valid JSON", r, len);
}

/* ====================================================================== */

/* ---- eio polling payloads (PROTOCOL.md 1.4, V1, V15) ------------------- */

/* Splits a payload and joins the packets with '|' for comparison. */
static void payload_split(int eio, const char *body, size_t len, char *out, int *rc)
{
    size_t pos = 0, off, plen, n = 0;
    int r;
    while ((r = sio_eio_payload_next(eio, (const unsigned char *)body, len, &pos, &off, &plen)) == 1) {
        if (n) out[n++] = '|';
        memcpy(out + n, body + off, plen);
        n += plen;
    }
    out[n] = 0;
    *rc = r;
}

static void test_eio_payload_v4_splits_on_record_separator(void)
{
    char out[128];
    int rc;
    payload_split(4, LIT("0\x1e" "1\x1e" "2probe\x1e" "3probe\x1e" "4test"), out, &rc);
    CHECK_INT(rc, 0);
    CHECK_STR(out, "0|1|2probe|3probe|4test");
    payload_split(4, LIT("4hello\x1e" "bAQIDBA=="), out, &rc);
    CHECK_STR(out, "4hello|bAQIDBA==");
    payload_split(4, LIT("6"), out, &rc);
    CHECK_STR(out, "6");
}

static void test_eio_payload_v3_lengths_count_utf16_units(void)
{
    char out[128];
    int rc;
    payload_split(3, LIT("6:4hello6:4world"), out, &rc);
    CHECK_INT(rc, 0);
    CHECK_STR(out, "4hello|4world");
    /* the euro sign is one unit, the emoji two (a surrogate pair) */
    payload_split(3, LIT("19:42[\"message\",\"\xe2\x82\xac\xf0\x9f\x98\x80\"]2:40"), out, &rc);
    CHECK_INT(rc, 0);
    CHECK_STR(out, "42[\"message\",\"\xe2\x82\xac\xf0\x9f\x98\x80\"]|40");
    payload_split(3, LIT("10:b4AQIDBA==1:6"), out, &rc);
    CHECK_STR(out, "b4AQIDBA==|6");
}

static void test_eio_payload_v3_malformed_is_rejected(void)
{
    static const char *const bad[] = { "4hello", ":4hello", "6:4hell", "99999999999:4", "3x:4ab",
                                       "2:\xf0\x9f\x98\x80" "5", "6:4hello7" };
    char out[128];
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc;
        payload_split(3, bad[i], strlen(bad[i]), out, &rc);
        if (rc != SIO_ERR_PROTOCOL) {
            test_current_failed = 1;
            fprintf(stderr, "  v3 payload %lu accepted\n", (unsigned long)i);
        }
    }
}

static void test_eio_v3_encode_round_trip(void)
{
    static const char in[] = "42[\"m\",\"\xe2\x82\xac\xf0\x9f\x98\x80\"]\x1e" "bAQID\x1e" "2";
    unsigned char enc[128];
    char out[128];
    size_t n = sio_eio_v3_encode(NULL, (const unsigned char *)in, sizeof in - 1);
    int rc;
    CHECK_INT(sio_eio_v3_encode(enc, (const unsigned char *)in, sizeof in - 1), n);
    enc[n] = 0;
    CHECK_STR((const char *)enc, "13:42[\"m\",\"\xe2\x82\xac\xf0\x9f\x98\x80\"]6:b4AQID1:2");
    payload_split(3, (const char *)enc, n, out, &rc);
    CHECK_INT(rc, 0);
    CHECK_STR(out, "42[\"m\",\"\xe2\x82\xac\xf0\x9f\x98\x80\"]|b4AQID|2");
}

int main(void)
{
    /* eio payloads */
    RUN(test_eio_payload_v4_splits_on_record_separator);
    RUN(test_eio_payload_v3_lengths_count_utf16_units);
    RUN(test_eio_payload_v3_malformed_is_rejected);
    RUN(test_eio_v3_encode_round_trip);
    /* eio open */
    RUN(test_eio_open_spec_example);
    RUN(test_eio_open_empty_upgrades_means_no_websocket_upgrade);
    RUN(test_eio_open_websocket_found_among_several_upgrades);
    RUN(test_eio_open_v3_without_max_payload);
    RUN(test_eio_open_key_order_does_not_matter);
    RUN(test_eio_open_unknown_keys_ignored);
    RUN(test_eio_open_sid_of_63_chars_fits);
    RUN(test_eio_open_rejects);
    RUN(test_eio_open_accepts_ping_interval_of_one_day);

    /* packet decode: valid */
    RUN(test_packet_decode_accepts);
    RUN(test_packet_decode_rejects);
    RUN(test_packet_nesting_60_deep_accepted);
    RUN(test_packet_nesting_64_deep_accepted);
    RUN(test_packet_decode_reads_only_len_bytes);

    /* packet decode: invalid */
    RUN(test_packet_accepts_connect_error_without_payload);
    RUN(test_packet_rejects_nesting_65_deep);
    RUN(test_packet_rejects_100000_deep_nesting_without_crashing);

    /* packet header */
    RUN(test_packet_header_encodes);
    RUN(test_header_round_trips_through_decode);

    /* json validator */
    RUN(test_json_accepts);
    RUN(test_json_rejects);
    RUN(test_json_validate_uses_len_not_nul);
    RUN(test_json_depth_limit_exact);
    RUN(test_json_depth_limit_default_is_64);
    RUN(test_json_100000_deep_does_not_crash);
    RUN(test_json_error_at_points_at_offending_byte);

    /* json readers */
    RUN(test_json_make_trims_whitespace);
    RUN(test_json_typeof_each_type);
    RUN(test_json_iterate_array);
    RUN(test_json_iterate_array_without_key);
    RUN(test_json_iterate_object);
    RUN(test_json_iterate_with_whitespace);
    RUN(test_json_iterate_strings_with_brackets_and_escaped_quotes);
    RUN(test_json_iterate_empty_containers);
    RUN(test_json_iter_init_rejects_scalars);
    RUN(test_json_find_present_and_absent);
    RUN(test_json_find_nested_object_value);
    RUN(test_json_find_skips_values_that_look_like_keys);
    RUN(test_json_at_in_and_out_of_range);
    RUN(test_json_string_unescapes_to_utf8);
    RUN(test_json_string_other_escapes);
    RUN(test_json_string_raw_utf8_copied);
    RUN(test_json_string_empty);
    RUN(test_json_string_too_small_reports_full_length);
    RUN(test_json_string_exact_fit_boundary);
    RUN(test_json_string_lone_surrogate_becomes_replacement_char);
    RUN(test_json_string_rejects_non_strings);
    RUN(test_json_number_values);
    RUN(test_json_number_zero_with_huge_exponent_is_zero);
    RUN(test_json_number_extremes_of_double_range);
    RUN(test_json_number_in_array_span);
    RUN(test_json_number_rejects_non_numbers);
    RUN(test_json_string_equals);
    RUN(test_json_string_equals_compares_unescaped_value);
    RUN(test_json_string_equals_long_escaped_string);

    /* json writer */
    RUN(test_jw_builds_event_array_with_commas);
    RUN(test_jw_empty_containers);
    RUN(test_jw_bool_nonzero_is_true);
    RUN(test_jw_key_is_escaped);
    RUN(test_jw_scalar_top_level);
    RUN(test_jw_growable_100kb_string);
    RUN(test_jw_growable_many_values);
    RUN(test_jw_fixed_buffer_overflow_sets_too_big);
    RUN(test_jw_error_is_sticky);
    RUN(test_jw_fixed_buffer_exact_fit);
    RUN(test_jw_control_chars_escaped_as_u00xx);
    RUN(test_jw_short_escapes_round_trip);
    RUN(test_jw_invalid_utf8_written_as_replacement);
    RUN(test_jw_invalid_utf8_output_is_valid_json);
    RUN(test_jw_valid_utf8_round_trips);
    RUN(test_jw_number_nan_and_inf_are_null);
    RUN(test_jw_number_values_round_trip);
    RUN(test_jw_number_large_exponent_reads_back_exactly);
    RUN(test_jw_number_integral_has_no_fraction);
    RUN(test_jw_placeholder);
    RUN(test_jw_integers);
    RUN(test_jw_raw_value);
    RUN(test_jw_deep_nesting_is_valid_or_refused);
    RUN(test_jw_output_always_validates);

    return TEST_REPORT();
}
