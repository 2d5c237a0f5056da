/* sioc - command-line client for sio: raw WebSocket (ws) and Socket.IO (io).
 * The contract scripts rely on is in README.md ("sioc"); keep it stable. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "sio.h"

#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <windows.h>
#include <io.h>
#include <fcntl.h>
#else
#include <poll.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#endif

#define SIOC_MAX_LIST 64
#define SIOC_STDIN_PAUSE_BYTES ((size_t)4 * 1024 * 1024)
/* Records are written in batches: stdout is fully buffered and flushed when
 * the client has nothing more ready (before sioc waits), at exit, and at
 * least every SIOC_FLUSH_MS while a stream keeps the client busy. */
#define SIOC_FLUSH_MS 5
#define SIOC_FLUSH_CHECK 64          /* events between looks at the clock */
/* --exit-after: the server's answer to the close is awaited this long at most. */
#define SIOC_EXIT_GRACE_MS 500

typedef struct sioc_options {
    int io;                   /* io mode (Socket.IO) */
    int json, echo, ack;
    long ack_timeout;
    long retries;             /* io: sio_config.retries (at-least-once emits) */
    const char *queue_file;   /* io with --retries: the emits not yet acknowledged, kept across runs */
    const char *ack_reply, *auth, *path;
    const char *cafile, *cert, *key;
    int insecure;
    int no_deflate;           /* --no-deflate: do not offer permessage-deflate */
    int deflate_window;       /* --deflate-window BITS: the largest server window (0: 15) */
    int deflate_no_takeover;  /* --deflate-no-takeover: ask for server_no_context_takeover */
    unsigned tls_min_version;
    int tls_legacy_suites, tls_renegotiation, tls_any_eku;
    const char *pins[SIOC_MAX_LIST];
    size_t pin_count;
    int pins_instead_of_chain;
    int no_reconnect;         /* io: reconnection is on unless this */
    int reconnect;            /* ws: reconnection is off unless this */
    int try_all_transports, remember_upgrade;   /* io: sio_config's */
    const char *dns_server;
    const char *proxy, *no_proxy;      /* NULL: the environment's */
    int transport;
    int eio;
    const char *queries[SIOC_MAX_LIST];
    size_t query_count;
    const char *subscribes[SIOC_MAX_LIST];
    size_t subscribe_count;
    const char *url;
    const char *headers[SIOC_MAX_LIST];
    size_t header_count;
    const char *protocols[SIOC_MAX_LIST];
    size_t protocol_count;
    long connect_timeout;
    long ping_interval, pong_timeout;   /* ws: keepalive (0: off; pong_timeout 0: the library's) */
    unsigned long long max_message;
    long exit_after;          /* -1: never */
} sioc_options;

static volatile sig_atomic_t sioc_signalled;

static void sioc_on_signal(int sig)
{
    (void)sig;
    sioc_signalled = 1;
}

static void usage(FILE *f)
{
    fprintf(f,
        "usage: sioc ws [options] ws://HOST:PORT/PATH?QUERY\n"
        "       sioc io [options] http://HOST:PORT/NAMESPACE   (http, ws; https/wss need TLS)\n"
        "common options:\n"
        "  --json                 one JSON object per line on stdout for every event\n"
        "  --echo                 send every received message back (same opcode); stdin unused\n"
        "  --header 'K: V'        extra handshake header (repeatable)\n"
        "  --protocol NAME        Sec-WebSocket-Protocol to offer (repeatable)\n"
        "  --ping-interval MS     ws: send a ping every MS; {\"type\":\"pong\",\"rtt_ms\":N} records with --json\n"
        "  --pong-timeout MS      ws: nothing from the server within MS of a ping: an error, exit 1\n"
        "                         (default 10000 with --ping-interval)\n"
        "  --reconnect            ws: reconnect after a lost connection (backoff 1-5 s); lines typed\n"
        "                         meanwhile are sent after the reconnection\n"
        "  --connect-timeout MS   give up connecting after MS milliseconds\n"
        "  --max-message BYTES    largest message accepted (default 16 MiB)\n"
        "  --no-deflate           do not offer permessage-deflate (offered by default: --deflate)\n"
        "  --deflate-window BITS  the largest compression window accepted from the server, 9..15\n"
        "  --deflate-no-takeover  ask the server to compress each message on its own\n"
        "  --exit-after N         exit 0 after N message records\n"
        "  --cafile FILE          trust anchors (PEM) for wss/https (default: the system bundle)\n"
        "  --insecure             skip certificate verification (explicit only; never the default)\n"
        "  --tls-relax WHAT       allow, for old servers: tls1.0, tls1.1 (with ECDHE CBC suites),\n"
        "                         legacy-suites (static RSA too), renegotiation, any-eku (repeatable)\n"
        "  --cert FILE --key FILE client certificate and key (PEM) for mutual TLS\n"
        "  --pin sha256/BASE64    the server's key must have this SHA-256 SubjectPublicKeyInfo hash\n"
        "                         (repeatable: any one of them)\n"
        "  --pins-instead-of-chain  the pins stand in for trust anchors (name and dates still checked)\n"
        "  --dns-server IP[:PORT] resolve host names with this nameserver (default: resolv.conf)\n"
        "  --proxy URL            connect through http://[user:pass@]host:port (CONNECT), socks5://\n"
        "                         or socks5h://; default: http_proxy / https_proxy / all_proxy\n"
        "  --no-proxy LIST        hosts reached directly (default: no_proxy); --no-proxy '*': none\n");
    fprintf(f,
        "ws mode stdin: each line is sent as one text message; EOF closes (1000) and exits 0.\n"
        "io mode options:\n"
        "  --ack                  each stdin emit asks for an ack, printed as an ack record\n"
        "  --ack-timeout MS       give up waiting for an ack (error record); with --retries: each\n"
        "                         try's wait before it is sent again\n"
        "  --retries N            at least once: every emit waits for the server's ack, one at a\n"
        "                         time and in order, and is sent again (retry record) after\n"
        "                         --ack-timeout or a reconnection, up to N times (then give-up)\n"
        "  --queue-file FILE      with --retries: emits not acknowledged yet are kept in FILE and\n"
        "                         sent first by the next run (written after each change)\n"
        "  --ack-reply JSON       answer every server ack request with this JSON array\n"
        "  --auth JSON            CONNECT auth object\n"
        "  --query k=v            extra handshake query parameter (repeatable)\n"
        "  --path /socket.io/     Engine.IO path\n"
        "  --subscribe EVENT      only print these events (repeatable)\n"
        "  --no-reconnect         do not reconnect after a lost connection (default: reconnect\n"
        "                         with backoff 1-5 s, printing reconnecting records)\n"
        "  --transport T          websocket, polling or auto (default: polling, then upgrade)\n"
        "  --try-all-transports   a WebSocket refused (an HTTP error, or dropped during the handshake)\n"
        "                         falls back to polling\n"
        "  --remember-upgrade     with auto: after an upgrade, reconnect on WebSocket directly\n"
        "  --eio 3|4              Engine.IO revision (default 4; 3 for Socket.IO 2.x servers\n"
        "                         and servers with allowEIO3)\n"
        "io mode stdin: each line is a JSON array [\"event\", arg, ...] emitted on the URL's\n"
        "  namespace; {\"_binary_b64\":\"...\"} anywhere in the args is sent as binary.\n"
        "exit codes: 0 normal end, 1 connection or protocol failure, 2 bad usage.\n");
}

static int parse_number(const char *s, unsigned long long max, unsigned long long *out)
{
    char *end;
    unsigned long long v;
    if (!s || !*s || *s == '-') return 0;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *end || v > max) return 0;
    *out = v;
    return 1;
}

/* Returns 0 on success, 2 on bad usage (message printed). */
static int parse_args(int argc, char **argv, sioc_options *o)
{
    int i;
    unsigned long long v;
    memset(o, 0, sizeof *o);
    o->exit_after = -1;
    o->transport = SIO_TRANSPORT_AUTO;    /* as the JS client: polling, then upgrade */
    if (argc < 2) { usage(stderr); return 2; }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) { usage(stdout); exit(0); }
    o->io = strcmp(argv[1], "io") == 0;
    if (!o->io && strcmp(argv[1], "ws") != 0) {
        fprintf(stderr, "sioc: unknown mode '%s' (expected 'ws' or 'io')\n", argv[1]);
        usage(stderr);
        return 2;
    }
    for (i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--json") == 0) o->json = 1;
        else if (strcmp(a, "--echo") == 0 && !o->io) o->echo = 1;
        else if (strcmp(a, "--ack") == 0 && o->io) o->ack = 1;
        else if (strcmp(a, "--no-reconnect") == 0 && o->io) o->no_reconnect = 1;
        else if (strcmp(a, "--reconnect") == 0 && !o->io) o->reconnect = 1;
        else if (strcmp(a, "--try-all-transports") == 0 && o->io) o->try_all_transports = 1;
        else if (strcmp(a, "--remember-upgrade") == 0 && o->io) o->remember_upgrade = 1;
        else if (strcmp(a, "--insecure") == 0) o->insecure = 1;
        else if (strcmp(a, "--pins-instead-of-chain") == 0) o->pins_instead_of_chain = 1;
        else if (strcmp(a, "--deflate") == 0) o->no_deflate = 0;
        else if (strcmp(a, "--no-deflate") == 0) o->no_deflate = 1;
        else if (strcmp(a, "--deflate-no-takeover") == 0) o->deflate_no_takeover = 1;
        else if (o->io && (strcmp(a, "--ack-timeout") == 0 || strcmp(a, "--ack-reply") == 0 ||
                           strcmp(a, "--retries") == 0 || strcmp(a, "--queue-file") == 0 ||
                           strcmp(a, "--auth") == 0 || strcmp(a, "--query") == 0 || strcmp(a, "--path") == 0 ||
                           strcmp(a, "--subscribe") == 0 || strcmp(a, "--transport") == 0 ||
                           strcmp(a, "--eio") == 0)) {
            if (!next) { fprintf(stderr, "sioc: %s needs a value\n", a); return 2; }
            i++;
            if (strcmp(a, "--ack-timeout") == 0) {
                if (!parse_number(next, 2147483647ULL, &v)) { fprintf(stderr, "sioc: bad --ack-timeout\n"); return 2; }
                o->ack_timeout = (long)v;
            } else if (strcmp(a, "--retries") == 0) {
                if (!parse_number(next, 1000000, &v) || v == 0) { fprintf(stderr, "sioc: bad --retries (1..1000000)\n"); return 2; }
                o->retries = (long)v;
            } else if (strcmp(a, "--queue-file") == 0) {
                o->queue_file = next;
            } else if (strcmp(a, "--ack-reply") == 0 || strcmp(a, "--auth") == 0) {
                int want_object = strcmp(a, "--auth") == 0;
                sio_json_type t;
                if (sio_json_validate(next, strlen(next), 0, NULL) != SIO_OK ||
                    (t = sio_json_typeof(sio_json_make(next, strlen(next)))) != (want_object ? SIO_JSON_OBJECT : SIO_JSON_ARRAY)) {
                    fprintf(stderr, "sioc: %s needs a JSON %s\n", a, want_object ? "object" : "array");
                    return 2;
                }
                if (want_object) o->auth = next; else o->ack_reply = next;
            } else if (strcmp(a, "--query") == 0) {
                if (o->query_count == SIOC_MAX_LIST || !strchr(next, '=')) { fprintf(stderr, "sioc: bad --query (k=v)\n"); return 2; }
                o->queries[o->query_count++] = next;
            } else if (strcmp(a, "--path") == 0) {
                o->path = next;
            } else if (strcmp(a, "--subscribe") == 0) {
                if (o->subscribe_count == SIOC_MAX_LIST || !*next) { fprintf(stderr, "sioc: bad --subscribe\n"); return 2; }
                o->subscribes[o->subscribe_count++] = next;
            } else if (strcmp(a, "--transport") == 0) {
                if (strcmp(next, "websocket") == 0) o->transport = SIO_TRANSPORT_WEBSOCKET;
                else if (strcmp(next, "polling") == 0) o->transport = SIO_TRANSPORT_POLLING;
                else if (strcmp(next, "auto") == 0) o->transport = SIO_TRANSPORT_AUTO;
                else {
                    fprintf(stderr, "sioc: --transport %s: expected websocket, polling or auto\n", next);
                    return 2;
                }
            } else if (strcmp(next, "3") == 0 || strcmp(next, "4") == 0) {
                o->eio = next[0] - '0';
            } else {
                fprintf(stderr, "sioc: --eio %s: expected 3 or 4\n", next);
                return 2;
            }
        }
        else if (strcmp(a, "--header") == 0 || (strcmp(a, "--protocol") == 0 && !o->io) || strcmp(a, "--cafile") == 0 ||
                 strcmp(a, "--cert") == 0 || strcmp(a, "--key") == 0 || strcmp(a, "--dns-server") == 0 ||
                 strcmp(a, "--proxy") == 0 || strcmp(a, "--no-proxy") == 0 || strcmp(a, "--connect-timeout") == 0 || strcmp(a, "--max-message") == 0 ||
                 strcmp(a, "--deflate-window") == 0 ||
                 (!o->io && (strcmp(a, "--ping-interval") == 0 || strcmp(a, "--pong-timeout") == 0)) ||
                 strcmp(a, "--exit-after") == 0 || strcmp(a, "--tls-relax") == 0 || strcmp(a, "--pin") == 0) {
            if (!next) { fprintf(stderr, "sioc: %s needs a value\n", a); return 2; }
            i++;
            if (strcmp(a, "--tls-relax") == 0) {
                if (strcmp(next, "tls1.0") == 0) o->tls_min_version = 0x0301;
                else if (strcmp(next, "tls1.1") == 0) o->tls_min_version = 0x0302;
                else if (strcmp(next, "legacy-suites") == 0) o->tls_legacy_suites = 1;
                else if (strcmp(next, "renegotiation") == 0) o->tls_renegotiation = 1;
                else if (strcmp(next, "any-eku") == 0) o->tls_any_eku = 1;
                else {
                    fprintf(stderr, "sioc: --tls-relax %s: expected tls1.0, tls1.1, legacy-suites, renegotiation "
                            "or any-eku\n", next);
                    return 2;
                }
            } else if (strcmp(a, "--header") == 0) {
                if (o->header_count == SIOC_MAX_LIST || !strchr(next, ':')) {
                    fprintf(stderr, "sioc: bad or too many --header values ('%s')\n", next);
                    return 2;
                }
                o->headers[o->header_count++] = next;
            } else if (strcmp(a, "--protocol") == 0) {
                if (o->protocol_count == SIOC_MAX_LIST || !*next) { fprintf(stderr, "sioc: bad --protocol\n"); return 2; }
                o->protocols[o->protocol_count++] = next;
            } else if (strcmp(a, "--cafile") == 0) {
                o->cafile = next;
            } else if (strcmp(a, "--pin") == 0) {
                unsigned char hash[32];
                if (o->pin_count == SIOC_MAX_LIST || !sio_tls_pin_parse(next, hash)) {
                    fprintf(stderr, "sioc: bad or too many --pin values ('%s': expected sha256/ and the base64 of 32 bytes)\n", next);
                    return 2;
                }
                o->pins[o->pin_count++] = next;
            } else if (strcmp(a, "--cert") == 0) {
                o->cert = next;
            } else if (strcmp(a, "--dns-server") == 0) {
                o->dns_server = next;
            } else if (strcmp(a, "--proxy") == 0) {
                o->proxy = next;
            } else if (strcmp(a, "--no-proxy") == 0) {
                o->no_proxy = next;
            } else if (strcmp(a, "--key") == 0) {
                o->key = next;
            } else if (strcmp(a, "--connect-timeout") == 0) {
                if (!parse_number(next, 2147483647ULL, &v)) { fprintf(stderr, "sioc: bad --connect-timeout\n"); return 2; }
                o->connect_timeout = (long)v;
            } else if (strcmp(a, "--ping-interval") == 0 || strcmp(a, "--pong-timeout") == 0) {
                if (!parse_number(next, 2147483647ULL, &v) || v == 0) { fprintf(stderr, "sioc: bad %s (MS > 0)\n", a); return 2; }
                if (strcmp(a, "--ping-interval") == 0) o->ping_interval = (long)v; else o->pong_timeout = (long)v;
            } else if (strcmp(a, "--deflate-window") == 0) {
                if (!parse_number(next, 15, &v) || v < 9) { fprintf(stderr, "sioc: bad --deflate-window (9..15)\n"); return 2; }
                o->deflate_window = (int)v;
            } else if (strcmp(a, "--max-message") == 0) {
                if (!parse_number(next, (unsigned long long)((size_t)-1 / 2), &v) || v == 0) {
                    fprintf(stderr, "sioc: bad --max-message\n");
                    return 2;
                }
                o->max_message = v;
            } else {
                if (!parse_number(next, 2147483647ULL, &v)) { fprintf(stderr, "sioc: bad --exit-after\n"); return 2; }
                o->exit_after = (long)v;
            }
        } else if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "sioc: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        } else if (!o->url) {
            o->url = a;
        } else {
            fprintf(stderr, "sioc: more than one URL given\n");
            return 2;
        }
    }
    if (!o->url) { fprintf(stderr, "sioc: no URL given\n"); usage(stderr); return 2; }
    if (o->queue_file && !o->retries) { fprintf(stderr, "sioc: --queue-file needs --retries\n"); return 2; }
    return 0;
}

/* Writes s as a JSON string; bytes that are not valid UTF-8 become U+FFFD. */
static void json_string(FILE *f, const unsigned char *s, size_t len)
{
    size_t i = 0, run = 0;
    fputc('"', f);
    while (i < len) {
        unsigned char ch = s[i];
        size_t clen = 1;
        if (ch >= 0x20 && ch < 0x80 && ch != '"' && ch != '\\') { i++; continue; }
        if (ch >= 0x80) {
            clen = ch >= 0xF0 ? 4 : ch >= 0xE0 ? 3 : 2;
            if (i + clen <= len && sio_utf8_valid(s + i, clen)) { i += clen; continue; }
        }
        fwrite(s + run, 1, i - run, f);
        switch (ch) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (ch < 0x20) fprintf(f, "\\u%04x", ch);
            else fputs("\\ufffd", f);
        }
        i++;
        run = i;
    }
    fwrite(s + run, 1, i - run, f);
    fputc('"', f);
}

static void json_cstr(FILE *f, const char *s) { json_string(f, (const unsigned char *)s, strlen(s)); }

static void print_base64(FILE *f, const unsigned char *data, size_t len)
{
    char buf[4 * 1024 + 1];
    size_t off;
    for (off = 0; off < len; off += 3 * 1024) {
        size_t n = len - off < 3 * 1024 ? len - off : 3 * 1024;
        fwrite(buf, 1, sio_base64_encode(data + off, n, buf), f);
    }
}

typedef struct sioc_state {
    sioc_options opt;
    sio_client *client;
    int failed, closing, stdin_open, exit_code, done;
    long messages;
    char *line;
    size_t line_len, line_cap, line_scanned;
    int skipping_line;      /* dropping the rest of an over-long line */
    int limit_reached;      /* --exit-after N records printed */
    int opened;             /* io: a session was open once (reconnections follow) */
    int clean_end;          /* io: the URL namespace ended by a server/client disconnect */
    int queue_dirty;        /* --queue-file: the emits changed since it was written */
    int queue_frozen;       /* --queue-file: the run is ending; the file keeps what is left */
    unsigned long long exit_by;   /* --exit-after reached: exit at this time (ms) whatever the server does */
#if defined(SIO_WITH_BEARSSL)
    sio_bearssl *tls;
#elif defined(SIO_WITH_OPENSSL)
    sio_openssl *tls;
#elif defined(SIO_WITH_MBEDTLS)
    sio_mbedtls *tls;
#endif
} sioc_state;

/* Text a server chose, for a terminal: C0 and C1 controls and DEL shown as
 * \xNN / \uNNNN instead of obeyed (keep_newlines: our own line breaks). */
static void print_safe(FILE *f, const unsigned char *p, size_t n, int keep_newlines)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (p[i] == '\n' && keep_newlines) fputc('\n', f);
        else if (p[i] < 0x20 || p[i] == 0x7f) fprintf(f, "\\x%02x", p[i]);
        else if (p[i] == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] < 0xa0) fprintf(f, "\\u%04x", p[++i]);
        else fputc(p[i], f);
    }
}

/* A line for stderr: after the records already printed (stdout first, so
 * the order holds), and made safe when stderr is a terminal. */
static void say(const char *fmt, ...)
{
    char text[4096];
    va_list ap;
    int n;
    fflush(stdout);
    va_start(ap, fmt);
    n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n >= sizeof text) n = (int)sizeof text - 1;
    if (isatty(fileno(stderr))) print_safe(stderr, (const unsigned char *)text, (size_t)n, 1);
    else fwrite(text, 1, (size_t)n, stderr);
}

static void record_error(sioc_state *s, const char *msg)
{
    if (s->opt.json) {
        fputs("{\"type\":\"error\",\"message\":", stdout);
        json_cstr(stdout, msg);
        fputs("}\n", stdout);
        fflush(stdout);
    } else {
        say("error: %s\n", msg);
    }
}

/* An ERROR event; a refused handshake adds the server's status and what
 * came of its body ("status", "body"). */
static void record_event_error(sioc_state *s, const sio_event *ev)
{
    sio_handshake_response hs;
    if (ev->error != SIO_ERR_HANDSHAKE || sio_handshake(s->client, &hs) != SIO_OK || hs.status < 300) {
        record_error(s, ev->message);
        return;
    }
    if (s->opt.json) {
        fputs("{\"type\":\"error\",\"message\":", stdout);
        json_cstr(stdout, ev->message);
        printf(",\"status\":%d,\"body\":", hs.status);
        json_string(stdout, (const unsigned char *)hs.body, hs.body_len);
        fputs("}\n", stdout);
        fflush(stdout);
    } else {
        say("error: %s\n  server answered %d: %.*s\n", ev->message, hs.status, (int)hs.body_len, hs.body);
    }
}

/* Milliseconds on a clock that only goes forward. */
static unsigned long long sioc_now_ms(void)
{
#ifdef _WIN32
    return (unsigned long long)GetTickCount64();
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000u + (unsigned long long)(ts.tv_nsec / 1000000);
#endif
}

static void record_close(sioc_state *s, int code, const char *reason, int clean)
{
    if (s->opt.json) {
        printf("{\"type\":\"close\",\"code\":%d,\"reason\":", code);
        json_cstr(stdout, reason);
        printf(",\"clean\":%s}\n", clean ? "true" : "false");
    } else {
        say("closed: code %d%s%s%s\n", code, reason[0] ? " (" : "", reason, reason[0] ? ")" : "");
    }
}

/* --queue-file: the emits not acknowledged yet, written to a new file that
 * then replaces the old one, so that a kill leaves one or the other whole. */
static void queue_save(sioc_state *s)
{
    size_t len = 0;
    unsigned char *blob;
    char tmp[4096];
    FILE *f;
    int ok;
    s->queue_dirty = 0;
    if (!s->opt.queue_file || s->queue_frozen) return;
    sio_queue_save(s->client, NULL, 0, &len);
    if (!(blob = (unsigned char *)malloc(len ? len : 1)) || sio_queue_save(s->client, blob, len, &len) != SIO_OK) {
        free(blob);
        record_error(s, "sioc: --queue-file: out of memory");
        return;
    }
    snprintf(tmp, sizeof tmp, "%s.tmp", s->opt.queue_file);
    f = fopen(tmp, "wb");
    ok = f && fwrite(blob, 1, len, f) == len;
    if (f && fclose(f) != 0) ok = 0;
#ifdef _WIN32
    if (ok) remove(s->opt.queue_file);         /* rename does not replace a file there */
#endif
    if (!ok || rename(tmp, s->opt.queue_file) != 0) {
        char msg[4200];
        snprintf(msg, sizeof msg, "sioc: --queue-file %s: %s", s->opt.queue_file, strerror(errno));
        record_error(s, msg);
    }
    free(blob);
}

/* --queue-file: the emits a run before left, sent before stdin's.  A file
 * that is not there is an empty queue.  Returns 0, or 1 (message printed). */
static int queue_load(sioc_state *s)
{
    FILE *f = fopen(s->opt.queue_file, "rb");
    unsigned char *blob = NULL;
    size_t len = 0, cap = 0;
    int r = SIO_OK;
    if (!f) {
        if (errno == ENOENT) return 0;
        fprintf(stderr, "sioc: --queue-file %s: %s\n", s->opt.queue_file, strerror(errno));
        return 1;
    }
    for (;;) {
        size_t n;
        if (len == cap) {
            unsigned char *p = cap >= ((size_t)1 << 30) ? NULL : (unsigned char *)realloc(blob, cap ? cap * 2 : 65536);
            if (!p) { r = SIO_ERR_NOMEM; break; }
            blob = p;
            cap = cap ? cap * 2 : 65536;
        }
        if ((n = fread(blob + len, 1, cap - len, f)) == 0) break;
        len += n;
    }
    fclose(f);
    if (r == SIO_OK) r = sio_queue_load(s->client, blob, len);
    free(blob);
    if (r != SIO_OK) {
        fprintf(stderr, "sioc: --queue-file %s: %s%s\n", s->opt.queue_file, sio_status_text(r),
                r == SIO_ERR_INVALID ? " (not a whole queue file)" : "");
        return 1;
    }
    return 0;
}

static void stop_client(sioc_state *s)
{
    if (s->limit_reached && !s->exit_by) s->exit_by = sioc_now_ms() + SIOC_EXIT_GRACE_MS;
    if (s->closing) return;
    s->closing = 1;
    if (s->queue_dirty) queue_save(s);
    s->queue_frozen = 1;                       /* what the stop gives up stays in the file */
    sio_stop(s->client);                       /* the CLOSE event (maybe already queued) ends the loop */
}

static void io_on_event(sioc_state *s, const sio_event *ev);
#ifndef _WIN32
/* The terminal's state; the line editor that uses it is with stdin, below. */
static struct sioc_term {
    int on, shown;                 /* our editing is active; the prompt line is on screen */
    struct termios saved;
    char line[4096];
    size_t len;
    int esc;                       /* in an escape sequence: 1 after ESC, 2 CSI, 3 SS3 */
} sioc_tty;
#define SIOC_TTY (sioc_tty.on)

/* Clears the prompt line so records (and stderr's lines) start on a clean one. */
static void term_hide(void)
{
    if (!sioc_tty.shown) return;
    fputs("\r\033[K", stdout);
    fflush(stdout);
    sioc_tty.shown = 0;
}

static void term_text(const unsigned char *p, size_t n) { print_safe(stdout, p, n, 0); }
#else
#define SIOC_TTY 0
#define term_hide() ((void)0)
#define term_text(p, n) fwrite((p), 1, (n), stdout)
#endif

static void record_reconnection(sioc_state *s, const sio_event *ev);

static void on_event(sioc_state *s, const sio_event *ev)
{
    term_hide();                                 /* a terminal's prompt line makes room */
    if (s->opt.io) {
        io_on_event(s, ev);
        return;
    }
    switch (ev->type) {
    case SIO_EVENT_OPEN:
        s->opened = 1;
        if (s->opt.json) {
            fputs("{\"type\":\"open\"", stdout);
            if (strcmp(sio_url_of(s->client), s->opt.url) != 0) {   /* a redirect took it elsewhere */
                fputs(",\"url\":", stdout);
                json_cstr(stdout, sio_url_of(s->client));
            }
            fputs("}\n", stdout);
        } else {
            say("connected%s%s%s%s\n", ev->protocol[0] ? ", protocol " : "", ev->protocol,
                    strcmp(sio_url_of(s->client), s->opt.url) != 0 ? " to " : "",
                    strcmp(sio_url_of(s->client), s->opt.url) != 0 ? sio_url_of(s->client) : "");
        }
        break;
    case SIO_EVENT_MESSAGE:
        if (s->limit_reached) break;           /* --exit-after: nothing past the N-th record */
        if (s->opt.json) {
            if (ev->binary) {
                fputs("{\"type\":\"message\",\"binary\":true,\"data_b64\":\"", stdout);
                print_base64(stdout, ev->data, ev->len);
                fputs("\"}\n", stdout);
            } else {
                fputs("{\"type\":\"message\",\"binary\":false,\"data\":", stdout);
                json_string(stdout, ev->data, ev->len);
                fputs("}\n", stdout);
            }
        } else if (ev->binary) {
            fputs("[binary] ", stdout);
            print_base64(stdout, ev->data, ev->len);
            fputc('\n', stdout);
        } else if (SIOC_TTY) {
            fputs("< ", stdout);
            term_text(ev->data, ev->len);
            fputc('\n', stdout);
        } else {
            fwrite(ev->data, 1, ev->len, stdout);
            fputc('\n', stdout);
        }
        if (s->opt.echo) {
            int r = ev->binary ? sio_send_binary(s->client, ev->data, ev->len)
                               : sio_send_text(s->client, (const char *)ev->data, ev->len);
            if (r != SIO_OK && r != SIO_ERR_STATE) {
                char msg[160];
                snprintf(msg, sizeof msg, "sioc: could not echo a message: %s", sio_status_text(r));
                record_error(s, msg);
            }
        }
        s->messages++;
        if (s->opt.exit_after >= 0 && s->messages >= s->opt.exit_after) {
            s->exit_code = 0;
            s->failed = 0;
            s->opt.exit_after = -2;            /* reached: the end is a normal one */
            s->limit_reached = 1;
            stop_client(s);
        }
        break;
    case SIO_EVENT_RECONNECTING:
    case SIO_EVENT_RECONNECT:
    case SIO_EVENT_RECONNECT_FAILED:
        record_reconnection(s, ev);
        break;
    case SIO_EVENT_PONG:
        if (s->opt.json && ev->rtt_ms >= 0) printf("{\"type\":\"pong\",\"rtt_ms\":%d}\n", ev->rtt_ms);
        break;
    case SIO_EVENT_ERROR:
        if (s->opt.exit_after != -2) s->failed = 1;
        record_event_error(s, ev);
        break;
    case SIO_EVENT_CLOSE:
        record_close(s, ev->code, ev->reason, ev->clean);
        s->done = 1;
        break;
    default:
        break;
    }
}


/* ---- io mode ---------------------------------------------------------- */

/* Prints a JSON value, replacing binary placeholders by {"_binary_b64":...}. */
static void print_value(FILE *f, sio_json v, const sio_event *ev)
{
    sio_json_iter it;
    sio_json key, val, flag, num;
    int first = 1;
    sio_json_type t = sio_json_typeof(v);
    if (t == SIO_JSON_OBJECT && sio_json_find(v, "_placeholder", &flag) && sio_json_typeof(flag) == SIO_JSON_TRUE &&
        sio_json_find(v, "num", &num)) {
        double d;
        if (sio_json_number(num, &d) == SIO_OK && d >= 0 && d < (double)ev->attachment_count) {
            fputs("{\"_binary_b64\":\"", f);
            print_base64(f, ev->attachments[(size_t)d].data, ev->attachments[(size_t)d].len);
            fputs("\"}", f);
            return;
        }
    }
    if (t != SIO_JSON_OBJECT && t != SIO_JSON_ARRAY) {
        fwrite(v.text, 1, v.len, f);
        return;
    }
    fputc(t == SIO_JSON_OBJECT ? '{' : '[', f);
    sio_json_iter_init(&it, v);
    while (sio_json_iter_next(&it, &key, &val)) {
        if (!first) fputc(',', f);
        first = 0;
        if (t == SIO_JSON_OBJECT) {
            fwrite(key.text, 1, key.len, f);
            fputc(':', f);
        }
        print_value(f, val, ev);
    }
    fputc(t == SIO_JSON_OBJECT ? '}' : ']', f);
}

typedef struct sioc_binaries {
    sio_bytes items[16];
    size_t count;
    int error;
} sioc_binaries;

/* Copies a stdin value into w, turning {"_binary_b64":"..."} into attachments. */
static void convert_value(sio_json_writer *w, sio_json v, sioc_binaries *b)
{
    sio_json_iter it;
    sio_json key, val;
    sio_json_type t = sio_json_typeof(v);
    if (t == SIO_JSON_OBJECT && sio_json_find(v, "_binary_b64", &val) && sio_json_typeof(val) == SIO_JSON_STRING) {
        size_t n = 0;
        unsigned char *raw = (unsigned char *)malloc(val.len + 3);
        if (b->count == sizeof b->items / sizeof b->items[0] || !raw ||
            sio_base64_decode(val.text + 1, val.len - 2, raw, &n) != SIO_OK) {
            free(raw);
            b->error = 1;
            return;
        }
        b->items[b->count].data = raw;
        b->items[b->count].len = n;
        sio_jw_placeholder(w, (unsigned)b->count++);
        return;
    }
    if (t != SIO_JSON_OBJECT && t != SIO_JSON_ARRAY) {
        sio_jw_raw(w, v.text, v.len);
        return;
    }
    if (t == SIO_JSON_OBJECT) sio_jw_object_begin(w); else sio_jw_array_begin(w);
    sio_json_iter_init(&it, v);
    while (sio_json_iter_next(&it, &key, &val)) {
        if (t == SIO_JSON_OBJECT) {
            char name[1024];
            if (sio_json_string(key, name, sizeof name, NULL) != SIO_OK) { b->error = 1; return; }
            sio_jw_key(w, name);
        }
        convert_value(w, val, b);
    }
    if (t == SIO_JSON_OBJECT) sio_jw_object_end(w); else sio_jw_array_end(w);
}

static void io_send_line(sioc_state *s, const char *line, size_t len)
{
    sio_json arr, name_v, v;
    sio_json_iter it;
    sio_json_writer w;
    sioc_binaries bins;
    sio_emit_options o;
    char name[1024];
    int64_t id;
    int r;
    size_t i;
    while (len && (line[len - 1] == '\r' || line[len - 1] == ' ')) len--;
    if (len == 0) return;
    if (sio_json_validate(line, len, 0, NULL) != SIO_OK ||
        sio_json_typeof(arr = sio_json_make(line, len)) != SIO_JSON_ARRAY ||
        !sio_json_at(arr, 0, &name_v) || sio_json_typeof(name_v) != SIO_JSON_STRING ||
        sio_json_string(name_v, name, sizeof name, NULL) != SIO_OK) {
        record_error(s, "sioc: stdin line is not a JSON array [\"event\", arg, ...]; skipped");
        return;
    }
    memset(&bins, 0, sizeof bins);
    sio_jw_init(&w, NULL, 0);
    sio_jw_array_begin(&w);
    sio_json_iter_init(&it, arr);
    sio_json_iter_next(&it, NULL, &v);                 /* the name */
    while (sio_json_iter_next(&it, NULL, &v)) convert_value(&w, v, &bins);
    sio_jw_array_end(&w);
    memset(&o, 0, sizeof o);
    o.event = name;
    o.args = sio_jw_result(&w, NULL);
    o.attachments = bins.items;
    o.attachment_count = bins.count;
    o.ack = s->opt.ack || s->opt.queue_file;    /* --queue-file: each answer takes its emit out of the file */
    o.ack_timeout_ms = (int)s->opt.ack_timeout;
    if (bins.error || !o.args) r = SIO_ERR_INVALID;
    else r = sio_emit_ex(s->client, &o, &id);
    if (r == SIO_OK) s->queue_dirty = 1;
    if (r != SIO_OK) {
        char msg[200];
        snprintf(msg, sizeof msg, "sioc: could not emit '%.100s': %s%s", name, sio_status_text(r),
                 bins.error ? " (bad {\"_binary_b64\"} value)"
                 : r == SIO_ERR_TOO_BIG ? " (a packet over the server's maxPayload, or too many attachments)" : "");
        record_error(s, msg);
    }
    for (i = 0; i < bins.count; i++) free((void *)bins.items[i].data);
    sio_jw_free(&w);
}

static void io_print_args(const sio_event *ev)
{
#ifndef _WIN32
    if (SIOC_TTY) {                 /* JSON may carry C1 controls as they are: made safe for the screen */
        char *text = NULL;
        size_t n = 0;
        FILE *m = open_memstream(&text, &n);
        if (m) {
            print_value(m, sio_json_make(ev->args, ev->args_len), ev);
            fclose(m);
            term_text((const unsigned char *)text, n);
            free(text);
            return;
        }
    }
#endif
    print_value(stdout, sio_json_make(ev->args, ev->args_len), ev);
}

/* RECONNECTING, RECONNECT and RECONNECT_FAILED, in both modes. */
static void record_reconnection(sioc_state *s, const sio_event *ev)
{
    switch (ev->type) {
    case SIO_EVENT_RECONNECTING:
        /* --connect-timeout bounds the first connection: no retries before it. */
        if (!s->opened && s->opt.connect_timeout > 0) {
            s->failed = 1;
            stop_client(s);
            break;
        }
        if (s->opt.json) {
            printf("{\"type\":\"reconnecting\",\"attempt\":%d,\"delay_ms\":%d", ev->attempt, ev->delay_ms);
            if (!s->opt.io) {                       /* what ended the WebSocket connection */
                printf(",\"code\":%d,\"reason\":", ev->code);
                json_cstr(stdout, ev->reason);
            }
            fputs("}\n", stdout);
        } else {
            say("reconnecting: attempt %d in %d ms\n", ev->attempt, ev->delay_ms);
        }
        break;
    case SIO_EVENT_RECONNECT:
        s->opened = 1;
        s->failed = 0;                          /* the errors before it were survived */
        if (s->opt.json) printf("{\"type\":\"reconnect\",\"attempt\":%d}\n", ev->attempt);
        else if (s->opt.io) say("reconnected after %d attempt(s) (sid %s)\n", ev->attempt, ev->sid);
        else say("reconnected after %d attempt(s)\n", ev->attempt);
        break;
    default:                                    /* RECONNECT_FAILED */
        s->failed = 1;
        if (s->opt.json) printf("{\"type\":\"reconnect_failed\",\"attempts\":%d}\n", ev->attempt);
        else say("reconnection failed after %d attempt(s)\n", ev->attempt);
        break;
    }
}

static void io_on_event(sioc_state *s, const sio_event *ev)
{
    if (s->limit_reached && ev->type != SIO_EVENT_CLOSE) return;
    switch (ev->type) {
    case SIO_EVENT_OPEN:
        s->opened = 1;
        if (!s->opt.json) say("engine open (sid %s)\n", ev->sid);
        break;
    case SIO_EVENT_RECONNECTING:
    case SIO_EVENT_RECONNECT:
    case SIO_EVENT_RECONNECT_FAILED:
        record_reconnection(s, ev);
        break;
    case SIO_EVENT_CONNECT:
        if (s->opt.json) {
            fputs("{\"type\":\"connect\",\"ns\":", stdout);
            json_cstr(stdout, ev->ns);
            fputs(",\"sid\":", stdout);
            json_cstr(stdout, ev->sid);
            if (ev->recovered) fputs(",\"recovered\":true", stdout);
            fputs("}\n", stdout);
        } else {
            say("connected to %s (sid %s)\n", ev->ns, ev->sid);
        }
        break;
    case SIO_EVENT_EVENT:
        if (s->opt.json) {
            fputs("{\"type\":\"event\",\"ns\":", stdout);
            json_cstr(stdout, ev->ns);
            fputs(",\"name\":", stdout);
            json_cstr(stdout, ev->event_name);
            fputs(",\"args\":", stdout);
            io_print_args(ev);
            if (ev->ack_id >= 0) printf(",\"ack_id\":%lld", (long long)ev->ack_id);
            fputs("}\n", stdout);
        } else if (SIOC_TTY) {
            fputs("< ", stdout);
            term_text((const unsigned char *)ev->ns, strlen(ev->ns));
            fputc(' ', stdout);
            term_text((const unsigned char *)ev->event_name, strlen(ev->event_name));
            fputc(' ', stdout);
            io_print_args(ev);
            fputc('\n', stdout);
        } else {
            printf("%s %s ", ev->ns, ev->event_name);
            io_print_args(ev);
            fputc('\n', stdout);
        }
        if (ev->ack_id >= 0 && s->opt.ack_reply) sio_ack(s->client, ev, s->opt.ack_reply, NULL, 0);
        s->messages++;
        if (s->opt.exit_after >= 0 && s->messages >= s->opt.exit_after) {
            s->opt.exit_after = -2;
            s->limit_reached = 1;
            stop_client(s);
        }
        break;
    case SIO_EVENT_RETRY:
        if (s->opt.json) {
            fputs("{\"type\":\"retry\",\"ns\":", stdout);
            json_cstr(stdout, ev->ns);
            printf(",\"id\":%lld,\"attempt\":%d,\"reason\":", (long long)ev->ack_id, ev->attempt);
            json_cstr(stdout, ev->reason ? ev->reason : "");
            fputs("}\n", stdout);
        } else {
            say("retry %lld on %s (attempt %d): %s\n", (long long)ev->ack_id, ev->ns, ev->attempt,
                ev->reason ? ev->reason : "");
        }
        break;
    case SIO_EVENT_ACK:
        if (s->opt.retries) {
            if (ev->error == SIO_ERR_CLOSED) s->queue_frozen = 1;   /* the run ends: the file keeps them */
            else s->queue_dirty = 1;
        }
        if (ev->error && s->opt.retries) {
            if (s->opt.json) {
                fputs("{\"type\":\"give-up\",\"ns\":", stdout);
                json_cstr(stdout, ev->ns);
                printf(",\"id\":%lld,\"tries\":%d,\"message\":", (long long)ev->ack_id, ev->attempt);
                json_cstr(stdout, ev->message);
                fputs("}\n", stdout);
            } else {
                say("give-up %lld on %s after %d tries: %s\n", (long long)ev->ack_id, ev->ns, ev->attempt, ev->message);
            }
        } else if (ev->error) {
            char msg[200];
            snprintf(msg, sizeof msg, "ack %lld on %.100s: %s", (long long)ev->ack_id, ev->ns, ev->message);
            record_error(s, msg);
        } else if (!s->opt.ack) {
            break;                                 /* asked for by --queue-file only */
        } else if (s->opt.json) {
            fputs("{\"type\":\"ack\",\"ns\":", stdout);
            json_cstr(stdout, ev->ns);
            printf(",\"id\":%lld,", (long long)ev->ack_id);
            if (s->opt.retries) printf("\"tries\":%d,", ev->attempt);
            fputs("\"args\":", stdout);
            io_print_args(ev);
            fputs("}\n", stdout);
        } else {
            printf("ack %lld ", (long long)ev->ack_id);
            io_print_args(ev);
            fputc('\n', stdout);
        }
        break;
    case SIO_EVENT_CONNECT_ERROR:
        s->failed = 1;
        if (s->opt.json) {
            fputs("{\"type\":\"connect_error\",\"ns\":", stdout);
            json_cstr(stdout, ev->ns);
            fputs(",\"message\":", stdout);
            json_cstr(stdout, ev->message);
            fputs(",\"data\":", stdout);
            fwrite(ev->args, 1, ev->args_len, stdout);
            fputs("}\n", stdout);
        } else {
            say("connect_error on %s: %s\n", ev->ns, ev->message);
        }
        stop_client(s);
        break;
    case SIO_EVENT_DISCONNECT: {
        int by_peer = strcmp(ev->reason, "io server disconnect") == 0 || strcmp(ev->reason, "io client disconnect") == 0;
        int retried = !by_peer && !s->opt.no_reconnect && !s->closing;
        if (by_peer) s->clean_end = 1;
        else if (!retried) s->failed = 1;
        if (s->opt.json) {
            fputs("{\"type\":\"disconnect\",\"ns\":", stdout);
            json_cstr(stdout, ev->ns);
            fputs(",\"reason\":", stdout);
            json_cstr(stdout, ev->reason);
            fputs("}\n", stdout);
        } else {
            say("disconnected from %s: %s\n", ev->ns, ev->reason);
        }
        if (!retried) stop_client(s);
        break;
    }
    case SIO_EVENT_ERROR:
        s->failed = 1;
        record_event_error(s, ev);
        break;
    case SIO_EVENT_CLOSE:
        s->done = 1;
        break;
    default:
        break;
    }
}

static void send_line(sioc_state *s, char *line, size_t len)
{
    int r;
    if (s->opt.io) {
        io_send_line(s, line, len);
        return;
    }
    if (len && line[len - 1] == '\r') len--;
    r = sio_send_text(s->client, line, len);
    if (r != SIO_OK) {
        char msg[160];
        snprintf(msg, sizeof msg, "sioc: stdin line not sent: %s%s", sio_status_text(r),
                 r == SIO_ERR_INVALID ? " (not valid UTF-8)" : "");
        record_error(s, msg);
    }
}

#ifdef _WIN32
/* Windows cannot wait on stdin and a socket together, so a thread reads
 * stdin into a buffer that the main loop drains between short polls. */
typedef struct sioc_stdin {
    CRITICAL_SECTION lock;
    char buf[65536];
    size_t len;
    int eof;
} sioc_stdin;

static sioc_stdin sioc_in;

static DWORD WINAPI stdin_thread(LPVOID arg)
{
    HANDLE h = GetStdHandle(STD_INPUT_HANDLE);
    char tmp[16384];
    (void)arg;
    for (;;) {
        DWORD got = 0;
        size_t off = 0;
        if (!ReadFile(h, tmp, sizeof tmp, &got, NULL) || got == 0) break;
        while (off < got) {
            size_t take;
            EnterCriticalSection(&sioc_in.lock);
            take = sizeof sioc_in.buf - sioc_in.len;
            if (take > got - off) take = got - off;
            memcpy(sioc_in.buf + sioc_in.len, tmp + off, take);
            sioc_in.len += take;
            LeaveCriticalSection(&sioc_in.lock);
            off += take;
            if (off < got) Sleep(5);            /* the main loop is behind: wait for room */
        }
    }
    EnterCriticalSection(&sioc_in.lock);
    sioc_in.eof = 1;
    LeaveCriticalSection(&sioc_in.lock);
    return 0;
}

static void stdin_start(void)
{
    HANDLE t;
    InitializeCriticalSection(&sioc_in.lock);
    t = CreateThread(NULL, 0, stdin_thread, NULL, 0, NULL);
    if (t) CloseHandle(t);
    else sioc_in.eof = 1;
}

/* Bytes read (> 0), 0 at EOF, -1 when nothing is there yet. */
static long stdin_take(char *out, size_t cap)
{
    long n;
    EnterCriticalSection(&sioc_in.lock);
    n = (long)(sioc_in.len < cap ? sioc_in.len : cap);
    memcpy(out, sioc_in.buf, (size_t)n);
    memmove(sioc_in.buf, sioc_in.buf + n, sioc_in.len - (size_t)n);
    sioc_in.len -= (size_t)n;
    if (n == 0 && !sioc_in.eof) n = -1;
    LeaveCriticalSection(&sioc_in.lock);
    return n;
}
#else
static void stdin_start(void) { }

static long stdin_take(char *out, size_t cap)
{
    long n = (long)read(0, out, cap);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return -1;
    return n < 0 ? 0 : n;
}
#endif

/* ---- a terminal at both ends: a prompt and a small line editor -------- */
/* When stdin and stdout are a terminal (and neither --json nor --echo), sioc
 * edits the line itself with the terminal's echo off, so a record that
 * arrives while a line is being typed is printed above it and the line is
 * drawn again; received text is shown as "< text", control characters made
 * visible (a server cannot drive the terminal). */
#ifndef _WIN32

static void term_restore(void)
{
    if (sioc_tty.on) tcsetattr(0, TCSANOW, &sioc_tty.saved);
    sioc_tty.on = 0;
}

/* A signal that ends the process: the terminal as it was, then the default. */
static void term_signal(int sig)
{
    tcsetattr(0, TCSANOW, &sioc_tty.saved);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void term_start(void)
{
    struct termios raw;
    const char *t = getenv("TERM");
    if (!isatty(0) || !isatty(1) || (t && strcmp(t, "dumb") == 0) || tcgetattr(0, &sioc_tty.saved) != 0) return;
    raw = sioc_tty.saved;
    raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);       /* ISIG stays: Ctrl-C closes cleanly */
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr(0, TCSANOW, &raw) != 0) return;
    sioc_tty.on = 1;
    atexit(term_restore);
    signal(SIGHUP, term_signal);                      /* signals that end sioc at once */
    signal(SIGQUIT, term_signal);
}

static void term_show(void)
{
    if (sioc_tty.shown) return;
    fputs("\r\033[K> ", stdout);
    fwrite(sioc_tty.line, 1, sioc_tty.len, stdout);
    sioc_tty.shown = 1;
}

/* Text for the screen: C0 and C1 controls and DEL shown as \xNN. */

/* Keys typed: edits the line, sends it on Enter.  Returns 0 on Ctrl-D at an
 * empty line (the end of input), else 1. */
static int term_keys(sioc_state *s, const unsigned char *k, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char b = k[i];
        if (sioc_tty.esc) {                          /* arrow keys and the like: ignored */
            if (sioc_tty.esc == 1) sioc_tty.esc = b == '[' ? 2 : b == 'O' ? 3 : 0;
            else if (sioc_tty.esc == 3 || (b >= 0x40 && b <= 0x7e)) sioc_tty.esc = 0;
            continue;
        }
        if (b == 0x1b) {
            sioc_tty.esc = 1;
        } else if (b == '\r' || b == '\n') {
            sioc_tty.shown = 0;                      /* the line as sent, drawn whole */
            term_show();
            fputc('\n', stdout);                      /* the typed line stays, as in wscat */
            sioc_tty.shown = 0;
            fflush(stdout);
            send_line(s, sioc_tty.line, sioc_tty.len);
            sioc_tty.len = 0;
        } else if (b == 0x7f || b == 0x08) {         /* one character back, all its UTF-8 bytes */
            while (sioc_tty.len && (sioc_tty.line[sioc_tty.len - 1] & 0xc0) == 0x80) sioc_tty.len--;
            if (sioc_tty.len) sioc_tty.len--;
        } else if (b == 0x15) {                      /* Ctrl-U */
            sioc_tty.len = 0;
        } else if (b == 0x04) {                      /* Ctrl-D */
            if (!sioc_tty.len) {
                term_hide();
                return 0;
            }
        } else if ((b >= 0x20 || b == '\t') && sioc_tty.len < sizeof sioc_tty.line) {
            sioc_tty.line[sioc_tty.len++] = (char)b;
        } else if (b >= 0x20 || b == '\t') {
            fputc('\a', stdout);                     /* the line is full: said, not dropped silently */
        }
    }
    sioc_tty.shown = 0;
    term_show();
    fflush(stdout);
    return 1;
}
#endif

/* Reads what stdin has; sends complete lines.  Lines longer than the
 * message limit are reported and skipped. */
static void read_stdin(sioc_state *s, size_t max_line)
{
    char buf[65536];
    long n = stdin_take(buf, sizeof buf);
    size_t i, start = 0;
    if (n < 0) return;
#ifndef _WIN32
    if (sioc_tty.on && n > 0 && term_keys(s, (const unsigned char *)buf, (size_t)n)) return;
    if (sioc_tty.on) n = 0;                           /* Ctrl-D at an empty line */
#endif
    if (n == 0) {
        if (s->line_len && !s->skipping_line) send_line(s, s->line, s->line_len);
        s->line_len = 0;
        s->stdin_open = 0;
        if (!s->opt.io) stop_client(s);       /* io mode: EOF does not end the session */
        return;
    }
    for (i = 0; i <= (size_t)n; i++) {
        int at_end = i == (size_t)n;
        size_t piece;
        if (!at_end && buf[i] != '\n') continue;
        piece = i - start;
        if (!s->skipping_line) {
            if (s->line_len + piece > max_line) {
                record_error(s, "sioc: stdin line longer than --max-message; skipped");
                s->skipping_line = 1;
                s->line_len = 0;
            } else if (!at_end && s->line_len == 0) {
                send_line(s, buf + start, piece);            /* whole line in this read */
            } else if (piece || !at_end) {
                if (s->line_len + piece > s->line_cap) {
                    size_t cap = s->line_cap ? s->line_cap : 65536;
                    char *p;
                    while (cap < s->line_len + piece) cap *= 2;
                    p = (char *)realloc(s->line, cap);
                    if (!p) { record_error(s, "sioc: out of memory reading stdin"); exit(1); }
                    s->line = p;
                    s->line_cap = cap;
                }
                memcpy(s->line + s->line_len, buf + start, piece);
                s->line_len += piece;
                if (!at_end) {
                    send_line(s, s->line, s->line_len);
                    s->line_len = 0;
                }
            }
        }
        if (!at_end) s->skipping_line = 0;
        start = i + 1;
    }
}

int main(int argc, char **argv)
{
    sioc_state s;
    sio_config cfg;
    sio_event ev;
    int r;
    unsigned long long last_flush;
#ifndef _WIN32
    struct sigaction sa;
#endif
    setvbuf(stdout, NULL, _IOFBF, (size_t)1 << 16);   /* records leave in batches (SIOC_FLUSH_MS) */
    memset(&s, 0, sizeof s);
    r = parse_args(argc, argv, &s.opt);
    if (r) return r;
#ifdef _WIN32
    _setmode(_fileno(stdout), _O_BINARY);      /* records end in \n, as on POSIX */
    _setmode(_fileno(stdin), _O_BINARY);
    signal(SIGINT, sioc_on_signal);
    signal(SIGTERM, sioc_on_signal);
#else
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = sioc_on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
#endif

    memset(&cfg, 0, sizeof cfg);
    cfg.url = s.opt.url;
    cfg.name = "sioc";
    cfg.headers = s.opt.headers;
    cfg.header_count = s.opt.header_count;
    cfg.protocols = s.opt.protocols;
    cfg.protocol_count = s.opt.protocol_count;
    cfg.max_message = (size_t)s.opt.max_message;
    cfg.deflate = s.opt.no_deflate ? SIO_DEFLATE_OFF : SIO_DEFLATE_ON;
    cfg.deflate_window_bits = s.opt.deflate_window;
    cfg.deflate_no_context_takeover = s.opt.deflate_no_takeover;
    cfg.dns_server = s.opt.dns_server;
    cfg.proxy = s.opt.proxy;
    cfg.no_proxy = s.opt.no_proxy;
    cfg.proxy_from_environment = 1;                 /* as curl and wscat: http_proxy and friends */
    if (s.opt.io) {
        cfg.mode = SIO_MODE_SOCKETIO;
        cfg.path = s.opt.path;
        cfg.query = s.opt.queries;
        cfg.query_count = s.opt.query_count;
        cfg.auth = s.opt.auth;
        cfg.reconnect = s.opt.no_reconnect ? SIO_RECONNECT_OFF : SIO_RECONNECT_ON;
        cfg.transport = s.opt.transport;
        cfg.try_all_transports = s.opt.try_all_transports;
        cfg.remember_upgrade = s.opt.remember_upgrade;
        cfg.eio = s.opt.eio;
        cfg.retries = (int)s.opt.retries;
        cfg.ack_timeout_ms = (int)s.opt.ack_timeout;
    } else {
        cfg.reconnect = s.opt.reconnect ? SIO_RECONNECT_ON : SIO_RECONNECT_OFF;
    }
    if (s.opt.connect_timeout > 0) cfg.connect_timeout_ms = (int)s.opt.connect_timeout;
    cfg.ping_interval_ms = (int)s.opt.ping_interval;
    cfg.pong_timeout_ms = (int)s.opt.pong_timeout;
    /* Echoing peers (conformance suites) send huge bursts: allow a deep queue. */
    cfg.max_send_queue = (cfg.max_message ? cfg.max_message : (size_t)16 << 20) * 4;
#if defined(SIO_WITH_BEARSSL) || defined(SIO_WITH_OPENSSL) || defined(SIO_WITH_MBEDTLS)
    {
        sio_url u;
        if (sio_url_parse(&u, s.opt.url) == SIO_OK && u.secure) {
#if defined(SIO_WITH_BEARSSL)
            sio_bearssl_config tc;
#elif defined(SIO_WITH_OPENSSL)
            sio_openssl_config tc;
#else
            sio_mbedtls_config tc;
#endif
            char err[256];
            memset(&tc, 0, sizeof tc);
            tc.ca_file = s.opt.cafile;
            tc.insecure_skip_verify = s.opt.insecure;
            tc.cert_file = s.opt.cert;
            tc.key_file = s.opt.key;
            tc.pins = s.opt.pins;
            tc.pin_count = s.opt.pin_count;
            tc.pins_instead_of_chain = s.opt.pins_instead_of_chain;
            if (s.opt.insecure) fprintf(stderr, "sioc: --insecure: the server's certificate is NOT verified\n");
#if defined(SIO_WITH_BEARSSL)
            tc.min_version = s.opt.tls_min_version;
            tc.allow_legacy_suites = s.opt.tls_legacy_suites;
            tc.allow_renegotiation = s.opt.tls_renegotiation;
            tc.allow_any_eku = s.opt.tls_any_eku;
            r = sio_bearssl_create(&tc, &s.tls, err, sizeof err);
            if (r == SIO_OK) cfg.tls = sio_bearssl_tls(s.tls);
#else
            if (s.opt.tls_min_version || s.opt.tls_legacy_suites || s.opt.tls_renegotiation || s.opt.tls_any_eku) {
                fprintf(stderr, "sioc: --tls-relax: offered by the BearSSL backend only\n");
                return 2;
            }
#if defined(SIO_WITH_OPENSSL)
            r = sio_openssl_create(&tc, &s.tls, err, sizeof err);
            if (r == SIO_OK) cfg.tls = sio_openssl_tls(s.tls);
#else
            r = sio_mbedtls_create(&tc, &s.tls, err, sizeof err);
            if (r == SIO_OK) cfg.tls = sio_mbedtls_tls(s.tls);
#endif
#endif
            if (r != SIO_OK) {
                record_error(&s, err);
                return 1;
            }
        }
    }
#endif
    r = sio_create(&cfg, &s.client);
    if (r == SIO_ERR_URL || r == SIO_ERR_INVALID) {
        fprintf(stderr, "sioc: %s: '%s'\n", r == SIO_ERR_URL ? "bad URL (expected ws://HOST:PORT/PATH, or http://HOST:PORT/NAMESPACE in io mode)"
                                                            : "invalid header or protocol", s.opt.url);
        return 2;
    }
    if (r == SIO_ERR_PROXY) {
        fprintf(stderr, "sioc: bad proxy URL (expected http://[USER:PASS@]HOST:PORT, socks5:// or socks5h://) "
                        "in %s: '%s'\n", cfg.proxy ? "--proxy" : "the environment (https_proxy, http_proxy, all_proxy)",
                cfg.proxy ? cfg.proxy : "");
        return 2;
    }
    if (r == SIO_ERR_TOO_BIG) {
        fprintf(stderr, "sioc: a --protocol is longer than %d bytes\n", SIO_MAX_PROTOCOL);
        return 2;
    }
    if (r != SIO_OK) {
        record_error(&s, r == SIO_ERR_TLS ? "tls: TLS not available: this build has no TLS backend (make TLS=bearssl)"
                                          : sio_status_text(r));
        return 1;
    }
    s.stdin_open = !s.opt.echo;
    if (s.opt.io) {
        size_t k;
        for (k = 0; k < s.opt.subscribe_count; k++) sio_subscribe(s.client, NULL, s.opt.subscribes[k]);
        if (s.opt.queue_file && queue_load(&s)) {
            sio_destroy(s.client);
            return 1;
        }
    }
    if (s.stdin_open) stdin_start();
#ifndef _WIN32
    if (s.stdin_open && !s.opt.json) term_start();
#endif
    sio_start(s.client);
    last_flush = sioc_now_ms();
    while (!s.done) {
#ifndef _WIN32
        struct pollfd fds[SIO_MAX_SOCKETS + 1];
        nfds_t n = 0;
        int timeout;
#endif
        int want_stdin;
        unsigned long long now;
        unsigned batch = 0;
        while (!s.done && (r = sio_poll(s.client, &ev, 0)) > 0) {
            on_event(&s, &ev);
            if (++batch % SIOC_FLUSH_CHECK == 0 && (now = sioc_now_ms()) - last_flush >= SIOC_FLUSH_MS) {
                fflush(stdout);
                last_flush = now;
            }
        }
        fflush(stdout);                              /* nothing more ready: the batch goes out */
        if (s.queue_dirty) queue_save(&s);
        last_flush = now = sioc_now_ms();
        if (s.done) break;
        if (s.exit_by && now >= s.exit_by) {         /* the server did not answer the close in time */
            if (!s.opt.io) record_close(&s, SIO_CLOSE_ABNORMAL, "", 0);
            break;
        }
        if (sioc_signalled) {
            sioc_signalled = 0;
            if (s.closing) break;                    /* a second Ctrl-C: no more waiting for the close */
            s.failed = 0;
            s.opt.exit_after = -2;
            stop_client(&s);
            continue;
        }
        want_stdin = s.stdin_open && !s.closing &&
            (s.opt.io || s.opt.reconnect ? sio_get_state(s.client) != SIO_STATE_IDLE    /* queued meanwhile */
                                         : sio_get_state(s.client) == SIO_STATE_OPEN) &&
            sio_queued_bytes(s.client) < SIOC_STDIN_PAUSE_BYTES;
#ifndef _WIN32
        if (sioc_tty.on && want_stdin) {             /* the prompt, once the batch above it is out */
            term_show();
            fflush(stdout);
        }
#endif
#ifdef _WIN32
        if (want_stdin) read_stdin(&s, cfg.max_message ? cfg.max_message : (size_t)16 << 20);
        if (!s.done && sio_poll(s.client, &ev, want_stdin ? 10 : 50) > 0) on_event(&s, &ev);
#else
        /* The external-loop API: watch the client's sockets and stdin together. */
        {
            sio_wait_item items[SIO_MAX_SOCKETS];
            size_t k, count = sio_sockets(s.client, items, SIO_MAX_SOCKETS);
            for (k = 0; k < count; k++) {
                fds[n].fd = (int)items[k].socket;
                fds[n].events = (short)(((items[k].events & SIO_WAIT_READ) ? POLLIN : 0) |
                                        ((items[k].events & SIO_WAIT_WRITE) ? POLLOUT : 0));
                n++;
            }
        }
        if (want_stdin) {
            fds[n].fd = 0;
            fds[n].events = POLLIN;
            n++;
        }
        timeout = sio_next_timeout_ms(s.client);
        if (s.exit_by && (timeout < 0 || (unsigned long long)timeout > s.exit_by - now))
            timeout = (int)(s.exit_by - now);
        if (poll(fds, n, timeout) > 0 && n && fds[n - 1].fd == 0 && (fds[n - 1].revents & (POLLIN | POLLHUP | POLLERR)))
            read_stdin(&s, cfg.max_message ? cfg.max_message : (size_t)16 << 20);
#endif
    }
    term_hide();
    fflush(stdout);
    if (s.queue_dirty) queue_save(&s);
    sio_destroy(s.client);
#if defined(SIO_WITH_BEARSSL)
    sio_bearssl_destroy(s.tls);
#elif defined(SIO_WITH_OPENSSL)
    sio_openssl_destroy(s.tls);
#elif defined(SIO_WITH_MBEDTLS)
    sio_mbedtls_destroy(s.tls);
#endif
    free(s.line);
    if (s.opt.exit_after == -2) return 0;
    if (s.opt.io && s.clean_end && !s.failed) return 0;
    return s.failed ? 1 : 0;
}
