/* sioc - command-line client for sio (WebSocket mode).
 * The contract scripts rely on is in README.md ("sioc"); keep it stable. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "sio.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SIOC_MAX_LIST 64
#define SIOC_STDIN_PAUSE_BYTES ((size_t)4 * 1024 * 1024)

typedef struct sioc_options {
    int json, echo;
    const char *url;
    const char *headers[SIOC_MAX_LIST];
    size_t header_count;
    const char *protocols[SIOC_MAX_LIST];
    size_t protocol_count;
    long connect_timeout;
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
        "  --json                 one JSON object per line on stdout for every event\n"
        "  --echo                 send every received message back (same opcode); stdin unused\n"
        "  --header 'K: V'        extra handshake header (repeatable)\n"
        "  --protocol NAME        Sec-WebSocket-Protocol to offer (repeatable)\n"
        "  --connect-timeout MS   give up connecting after MS milliseconds\n"
        "  --max-message BYTES    largest message accepted (default 16 MiB)\n"
        "  --exit-after N         exit 0 after N message records\n"
        "  --cafile FILE, --insecure   TLS options (wss); this build has no TLS backend\n"
        "stdin: each line is sent as one text message; EOF closes (1000) and exits 0.\n"
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
    if (argc < 2) { usage(stderr); return 2; }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) { usage(stdout); exit(0); }
    if (strcmp(argv[1], "io") == 0) {
        fprintf(stderr, "sioc: io mode (Socket.IO) is not available in this build yet\n");
        return 2;
    }
    if (strcmp(argv[1], "ws") != 0) {
        fprintf(stderr, "sioc: unknown mode '%s' (expected 'ws')\n", argv[1]);
        usage(stderr);
        return 2;
    }
    for (i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--json") == 0) o->json = 1;
        else if (strcmp(a, "--echo") == 0) o->echo = 1;
        else if (strcmp(a, "--insecure") == 0) { }
        else if (strcmp(a, "--header") == 0 || strcmp(a, "--protocol") == 0 || strcmp(a, "--cafile") == 0 ||
                 strcmp(a, "--connect-timeout") == 0 || strcmp(a, "--max-message") == 0 ||
                 strcmp(a, "--exit-after") == 0) {
            if (!next) { fprintf(stderr, "sioc: %s needs a value\n", a); return 2; }
            i++;
            if (strcmp(a, "--header") == 0) {
                if (o->header_count == SIOC_MAX_LIST || !strchr(next, ':')) {
                    fprintf(stderr, "sioc: bad or too many --header values ('%s')\n", next);
                    return 2;
                }
                o->headers[o->header_count++] = next;
            } else if (strcmp(a, "--protocol") == 0) {
                if (o->protocol_count == SIOC_MAX_LIST || !*next) { fprintf(stderr, "sioc: bad --protocol\n"); return 2; }
                o->protocols[o->protocol_count++] = next;
            } else if (strcmp(a, "--cafile") == 0) {
            } else if (strcmp(a, "--connect-timeout") == 0) {
                if (!parse_number(next, 2147483647ULL, &v)) { fprintf(stderr, "sioc: bad --connect-timeout\n"); return 2; }
                o->connect_timeout = (long)v;
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
} sioc_state;

static void record_error(sioc_state *s, const char *msg)
{
    if (s->opt.json) {
        fputs("{\"type\":\"error\",\"message\":", stdout);
        json_cstr(stdout, msg);
        fputs("}\n", stdout);
        fflush(stdout);
    } else {
        fprintf(stderr, "error: %s\n", msg);
    }
}

static void stop_client(sioc_state *s)
{
    if (s->closing) return;
    s->closing = 1;
    if (sio_stop(s->client) != SIO_OK && sio_get_state(s->client) == SIO_STATE_IDLE) s->done = 1;
}

static void on_event(sioc_state *s, const sio_event *ev)
{
    switch (ev->type) {
    case SIO_EVENT_OPEN:
        if (s->opt.json) fputs("{\"type\":\"open\"}\n", stdout);
        else fprintf(stderr, "connected%s%s\n", ev->protocol[0] ? ", protocol " : "", ev->protocol);
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
    case SIO_EVENT_ERROR:
        if (s->opt.exit_after != -2) s->failed = 1;
        record_error(s, ev->message);
        break;
    case SIO_EVENT_CLOSE:
        if (s->opt.json) {
            printf("{\"type\":\"close\",\"code\":%d,\"reason\":", ev->code);
            json_cstr(stdout, ev->reason);
            printf(",\"clean\":%s}\n", ev->clean ? "true" : "false");
        } else {
            fprintf(stderr, "closed: code %d%s%s%s\n", ev->code, ev->reason[0] ? " (" : "", ev->reason,
                    ev->reason[0] ? ")" : "");
        }
        s->done = 1;
        break;
    default:
        break;
    }
    fflush(stdout);
}

static void send_line(sioc_state *s, char *line, size_t len)
{
    int r;
    if (len && line[len - 1] == '\r') len--;
    r = sio_send_text(s->client, line, len);
    if (r != SIO_OK) {
        char msg[160];
        snprintf(msg, sizeof msg, "sioc: stdin line not sent: %s%s", sio_status_text(r),
                 r == SIO_ERR_INVALID ? " (not valid UTF-8)" : "");
        record_error(s, msg);
    }
}

/* Reads what stdin has; sends complete lines.  Lines longer than the
 * message limit are reported and skipped. */
static void read_stdin(sioc_state *s, size_t max_line)
{
    char buf[65536];
    ssize_t n = read(0, buf, sizeof buf);
    size_t i, start = 0;
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
    if (n <= 0) {
        if (s->line_len && !s->skipping_line) send_line(s, s->line, s->line_len);
        s->line_len = 0;
        s->stdin_open = 0;
        stop_client(s);
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
    struct sigaction sa;
    memset(&s, 0, sizeof s);
    r = parse_args(argc, argv, &s.opt);
    if (r) return r;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = sioc_on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    memset(&cfg, 0, sizeof cfg);
    cfg.url = s.opt.url;
    cfg.name = "sioc";
    cfg.headers = s.opt.headers;
    cfg.header_count = s.opt.header_count;
    cfg.protocols = s.opt.protocols;
    cfg.protocol_count = s.opt.protocol_count;
    cfg.max_message = (size_t)s.opt.max_message;
    if (s.opt.connect_timeout > 0) cfg.connect_timeout_ms = (int)s.opt.connect_timeout;
    /* Echoing peers (conformance suites) send huge bursts: allow a deep queue. */
    cfg.max_send_queue = (cfg.max_message ? cfg.max_message : (size_t)16 << 20) * 4;
    r = sio_create(&cfg, &s.client);
    if (r == SIO_ERR_URL || r == SIO_ERR_INVALID) {
        fprintf(stderr, "sioc: %s: '%s'\n", r == SIO_ERR_URL ? "bad URL (expected ws://HOST:PORT/PATH)"
                                                            : "invalid header or protocol", s.opt.url);
        return 2;
    }
    if (r != SIO_OK) {
        record_error(&s, r == SIO_ERR_TLS ? "tls: wss:// needs a TLS backend and this build has none"
                                          : sio_status_text(r));
        return 1;
    }
    s.stdin_open = !s.opt.echo;
    sio_start(s.client);
    while (!s.done) {
        struct pollfd fds[2];
        nfds_t n = 0;
        int timeout;
        while (!s.done && (r = sio_poll(s.client, &ev, 0)) > 0) on_event(&s, &ev);
        if (s.done) break;
        if (sioc_signalled) {
            sioc_signalled = 0;
            s.failed = 0;
            s.opt.exit_after = -2;
            stop_client(&s);
            continue;
        }
        if (sio_socket_of(s.client) != SIO_INVALID_SOCKET) {
            fds[n].fd = (int)sio_socket_of(s.client);
            fds[n].events = (short)(POLLIN | (sio_wants_write(s.client) ? POLLOUT : 0));
            n++;
        }
        if (s.stdin_open && !s.closing && sio_get_state(s.client) == SIO_STATE_OPEN &&
            sio_queued_bytes(s.client) < SIOC_STDIN_PAUSE_BYTES) {
            fds[n].fd = 0;
            fds[n].events = POLLIN;
            n++;
        }
        timeout = sio_next_timeout_ms(s.client);
        if (poll(fds, n, timeout) > 0 && n && fds[n - 1].fd == 0 && (fds[n - 1].revents & (POLLIN | POLLHUP | POLLERR)))
            read_stdin(&s, cfg.max_message ? cfg.max_message : (size_t)16 << 20);
    }
    sio_destroy(s.client);
    free(s.line);
    return s.opt.exit_after == -2 ? 0 : (s.failed ? 1 : 0);
}
