/* The Windows platform's optional hooks on real sockets (Windows only; runs
 * under wine): names resolve without blocking (the hosts file, then
 * dns_open to tests/servers/fake_dns.py), and sio_set waits with the
 * WSAPoll poller for more clients than select()'s default FD_SETSIZE (64).
 *     test_win_platform DNS_PORT WS_PORT
 * fake_dns.py and ws_echo.js listen on 127.0.0.1 (tests/run_win_platform.sh
 * starts them).  Nothing here touches the system's hosts file: the hosts
 * tests point %SystemRoot% of this process at a temporary directory while
 * they call the hook, and only loopback addresses carry traffic. */
#ifndef _WIN32
#error "test_win_platform tests sio_impl_win32.c: build it for Windows"
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include "sio.h"
#include "test.h"
#include <stdlib.h>

static int ws_port;
static char dns_server[32];            /* "127.0.0.1:DNS_PORT" */
static unsigned short dns_port;
static const sio_platform *pf;         /* sio_platform_default() */

/* The default table, counting the hooks sio calls. */
static sio_platform counted;
static int dns_opens, poller_waits;

static int count_dns_open(void *user, const char *server, unsigned short port, unsigned index, sio_socket *sock,
                          char *err, size_t err_size)
{
    dns_opens++;
    return pf->dns_open(user, server, port, index, sock, err, err_size);
}

static int count_poller_wait(void *user, void *poller, sio_ready *out, size_t max, int timeout_ms)
{
    poller_waits++;
    return pf->poller_wait(user, poller, out, max, timeout_ms);
}

static sio_client *ws_client(const char *host, const char *name)
{
    sio_config cfg;
    sio_client *c = NULL;
    char url[128];
    memset(&cfg, 0, sizeof cfg);
    snprintf(url, sizeof url, "ws://%s:%d/echo", host, ws_port);
    cfg.url = url;
    cfg.name = name;
    cfg.platform = &counted;
    cfg.dns_server = dns_server;
    cfg.connect_timeout_ms = 8000;
    return sio_create(&cfg, &c) == SIO_OK ? c : NULL;
}

/* Polls c without blocking (sio_poll(c, &ev, 0), 1 ms apart) until an event
 * of this type, a CLOSE, or ms pass.  *slowest: the longest single call. */
static int poll_for(sio_client *c, sio_event *ev, int type, int ms, uint64_t *slowest)
{
    uint64_t end = GetTickCount64() + (uint64_t)ms;
    while (GetTickCount64() < end) {
        uint64_t t0 = GetTickCount64(), took;
        int r = sio_poll(c, ev, 0);
        took = GetTickCount64() - t0;
        if (slowest && took > *slowest) *slowest = took;
        if (r == 1 && ((int)ev->type == type || ev->type == SIO_EVENT_CLOSE)) return (int)ev->type == type;
        if (r == 0) Sleep(1);
    }
    return 0;
}

/* ---- the hosts file, through a private %SystemRoot% ---- */

static char fake_root[MAX_PATH];

static void write_hosts(const char *text)
{
    char dir[MAX_PATH + 64];
    FILE *f;
    GetTempPathA(MAX_PATH, fake_root);
    snprintf(fake_root + strlen(fake_root), MAX_PATH - strlen(fake_root), "sio_root_%lu", GetCurrentProcessId());
    CreateDirectoryA(fake_root, NULL);
    snprintf(dir, sizeof dir, "%s\\System32", fake_root);
    CreateDirectoryA(dir, NULL);
    snprintf(dir, sizeof dir, "%s\\System32\\drivers", fake_root);
    CreateDirectoryA(dir, NULL);
    snprintf(dir, sizeof dir, "%s\\System32\\drivers\\etc", fake_root);
    CreateDirectoryA(dir, NULL);
    snprintf(dir, sizeof dir, "%s\\System32\\drivers\\etc\\hosts", fake_root);
    f = fopen(dir, "wb");                              /* the CRLFs as written */
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void remove_hosts(void)
{
    const char *parts[] = { "\\System32\\drivers\\etc\\hosts", "\\System32\\drivers\\etc", "\\System32\\drivers",
                            "\\System32" };
    char path[MAX_PATH + 64];
    size_t i;
    snprintf(path, sizeof path, "%s%s", fake_root, parts[0]);
    DeleteFileA(path);
    for (i = 1; i < 4; i++) {
        snprintf(path, sizeof path, "%s%s", fake_root, parts[i]);
        RemoveDirectoryA(path);
    }
    RemoveDirectoryA(fake_root);
}

/* hosts_lookup with %SystemRoot% at the temporary directory for this call only. */
static const char *lookup(const char *name, unsigned index, size_t out_size)
{
    static char out[64];
    char saved[MAX_PATH];
    DWORD n = GetEnvironmentVariableA("SystemRoot", saved, sizeof saved);
    int found;
    strcpy(out, "(none)");
    SetEnvironmentVariableA("SystemRoot", fake_root);
    found = pf->hosts_lookup ? pf->hosts_lookup(pf->user, name, index, out, out_size) : 0;
    SetEnvironmentVariableA("SystemRoot", n > 0 && n < sizeof saved ? saved : NULL);
    return found == 1 ? out : "(none)";
}

static void test_platform_has_resolver_and_poller_hooks(void)
{
    CHECK(pf->hosts_lookup != NULL);
    CHECK(pf->dns_open != NULL);
    CHECK(pf->poller_open != NULL);
    CHECK(pf->poller_update != NULL);
    CHECK(pf->poller_wait != NULL);
    CHECK(pf->poller_close != NULL);
}

static void test_hosts_names_match_any_case_and_comments_are_skipped(void)
{
    write_hosts("# 10.0.0.1 commented.test\r\n"
                "127.0.0.1   Sio-Hosts.TEST  alias.test   # 10.0.0.2 trailing.test\r\n"
                "::1\tsio-hosts.test\r\n"
                "   10.0.0.3 other.test\r\n"
                "127.0.0.5 sio-hosts.test#glued comment\r\n");
    CHECK_STR(lookup("sio-hosts.test", 0, 64), "127.0.0.1");
    CHECK_STR(lookup("SIO-HOSTS.test", 1, 64), "::1");
    CHECK_STR(lookup("sio-hosts.test", 2, 64), "127.0.0.5");
    CHECK_STR(lookup("sio-hosts.test", 3, 64), "(none)");
    CHECK_STR(lookup("ALIAS.test", 0, 64), "127.0.0.1");
    CHECK_STR(lookup("other.test", 0, 64), "10.0.0.3");
    CHECK_STR(lookup("commented.test", 0, 64), "(none)");
    CHECK_STR(lookup("trailing.test", 0, 64), "(none)");
    CHECK_STR(lookup("sio-hosts", 0, 64), "(none)");
    CHECK_STR(lookup("sio-hosts.test", 0, 9), "(none)");     /* "127.0.0.1" needs 10 bytes */
    remove_hosts();
}

/* Windows answers "localhost" without the hosts file (which names it only
 * in a comment); an entry in the file wins. */
static void test_localhost_is_loopback_without_a_hosts_entry(void)
{
    write_hosts("#\t127.0.0.1       localhost\r\n#\t::1             localhost\r\n");
    CHECK_STR(lookup("localhost", 0, 64), "::1");
    CHECK_STR(lookup("LocalHost", 1, 64), "127.0.0.1");
    CHECK_STR(lookup("localhost", 2, 64), "(none)");
    write_hosts("127.0.0.1 localhost\r\n");
    CHECK_STR(lookup("localhost", 0, 64), "127.0.0.1");
    CHECK_STR(lookup("localhost", 1, 64), "(none)");
    remove_hosts();
}

/* ---- dns_open ---- */

static void test_dns_open_asks_the_given_server(void)
{
    unsigned char q[512], answer[1500];
    sio_dns_addr addr[4];
    sio_wait_item item;
    sio_socket s = SIO_INVALID_SOCKET;
    size_t n, count = 0;
    const char *why = NULL;
    char err[128] = "", text[46] = "";
    long got = SIO_ERR_AGAIN;
    int i;
    if (!pf->dns_open) { FAIL("no dns_open hook"); return; }
    CHECK_INT(pf->dns_open(pf->user, "127.0.0.1", dns_port, 0, &s, err, sizeof err), SIO_OK);
    n = sio_dns_query(q, sizeof q, 0x1234, "v4.test", SIO_DNS_A);
    CHECK_INT(pf->send(pf->user, s, q, n, err, sizeof err), (long)n);
    for (i = 0; i < 200 && got == SIO_ERR_AGAIN; i++) {
        item.socket = s;
        item.events = SIO_WAIT_READ;
        pf->wait(pf->user, &item, 1, 10);
        got = pf->recv(pf->user, s, answer, sizeof answer, err, sizeof err);
    }
    CHECK(got > 0);
    if (got > 0) {
        CHECK_INT(sio_dns_parse(answer, (size_t)got, 0x1234, "v4.test", SIO_DNS_A, addr, 4, &count, &why), SIO_OK);
        CHECK_INT(count, 1);
        if (count == 1) sio_dns_addr_text(&addr[0], text);
        CHECK_STR(text, "127.0.0.1");
    }
    pf->close(pf->user, s);
    /* a given server is the only one; IPv6; not an address */
    CHECK_INT(pf->dns_open(pf->user, "127.0.0.1", dns_port, 1, &s, err, sizeof err), SIO_ERR_NO_ADDRESS);
    CHECK_INT(pf->dns_open(pf->user, "::1", 5353, 0, &s, err, sizeof err), SIO_OK);
    pf->close(pf->user, s);
    CHECK_INT(pf->dns_open(pf->user, "127.0.0.1", 53, 0, &s, err, sizeof err), SIO_OK);
    pf->close(pf->user, s);
    err[0] = 0;
    CHECK_INT(pf->dns_open(pf->user, "dns.example", 53, 0, &s, err, sizeof err), SIO_ERR_INVALID);
    CHECK(strstr(err, "cannot resolve 'dns.example'") != NULL);
}

/* ---- clients resolving names ---- */

/* slow.test answers only when asked again, a second later (the first time
 * fake_dns.py is asked, so once per server run): every sio_poll in between
 * returns at once. */
static void test_resolving_never_blocks_sio_poll(void)
{
    sio_client *c;
    sio_event ev;
    uint64_t slowest = 0, t0, took;
    int opens_before = dns_opens;
    if (!pf->dns_open || !pf->hosts_lookup) { FAIL("no resolver hooks: connect would use getaddrinfo"); return; }
    c = ws_client("slow.test", "slow");
    CHECK(c != NULL);
    if (!c) return;
    t0 = GetTickCount64();
    CHECK_INT(sio_start(c), SIO_OK);
    took = GetTickCount64() - t0;
    CHECK(took <= 300);                                  /* far below the 1 s retry: no wait */
    CHECK(poll_for(c, &ev, SIO_EVENT_OPEN, 5000, &slowest));
    CHECK(GetTickCount64() - t0 >= 900);                 /* the nameserver was asked twice */
    CHECK(dns_opens > opens_before);
    CHECK(sio_send_text(c, "through slow.test", 17) == SIO_OK);
    CHECK(poll_for(c, &ev, SIO_EVENT_MESSAGE, 5000, &slowest));
    CHECK_SPAN(ev.data, ev.len, "through slow.test");
    if (slowest > 300) fprintf(stderr, "  slowest sio_poll: %llu ms\n", (unsigned long long)slowest);
    CHECK(slowest <= 300);
    sio_destroy(c);
}

/* sio.test gives AAAA ::1 first; nobody listens there, so the client goes on to 127.0.0.1. */
static void test_ipv6_answer_falls_back_to_ipv4(void)
{
    sio_client *c;
    sio_event ev;
    if (!pf->dns_open || !pf->hosts_lookup) { FAIL("no resolver hooks"); return; }
    c = ws_client("sio.test", "v6-then-v4");
    CHECK(c != NULL);
    if (!c) return;
    sio_start(c);
    CHECK(poll_for(c, &ev, SIO_EVENT_OPEN, 8000, NULL));
    sio_destroy(c);
}

static void test_unknown_name_is_no_such_name(void)
{
    sio_client *c;
    sio_event ev;
    if (!pf->dns_open || !pf->hosts_lookup) { FAIL("no resolver hooks"); return; }
    c = ws_client("nx.test", "nx");
    CHECK(c != NULL);
    if (!c) return;
    sio_start(c);
    CHECK(poll_for(c, &ev, SIO_EVENT_ERROR, 5000, NULL));
    CHECK_INT(ev.error, SIO_ERR_NO_ADDRESS);
    CHECK_STR(ev.message, "dns: nx.test: no such name");
    sio_destroy(c);
}

/* localhost comes from the hosts hook: the nameserver is never asked. */
static void test_localhost_connects_without_the_nameserver(void)
{
    sio_client *c;
    sio_event ev;
    int opens_before = dns_opens;
    if (!pf->dns_open || !pf->hosts_lookup) { FAIL("no resolver hooks"); return; }
    c = ws_client("localhost", "localhost");
    CHECK(c != NULL);
    if (!c) return;
    sio_start(c);
    CHECK(poll_for(c, &ev, SIO_EVENT_OPEN, 8000, NULL));
    CHECK_INT(dns_opens, opens_before);
    sio_destroy(c);
}

/* ---- the poller ---- */

/* n sockets that are always writable: UDP, connected to the fake nameserver. */
static size_t open_udp(sio_socket *socks, size_t n)
{
    size_t i;
    char err[128];
    for (i = 0; i < n; i++)
        if (!pf->dns_open || pf->dns_open(pf->user, "127.0.0.1", dns_port, 0, &socks[i], err, sizeof err) != SIO_OK)
            break;
    return i;
}

/* Which tags (1..n) one wait reported; returns how many, or -1 when one
 * was not just writable (nothing is ever sent to these sockets). */
static int wait_tags(void *poller, int *seen, size_t n, size_t max)
{
    sio_ready out[256];
    int got, i, odd = 0;
    memset(seen, 0, n * sizeof *seen);
    got = pf->poller_wait(pf->user, poller, out, max, 100);
    for (i = 0; i < got; i++) {
        size_t tag = (size_t)(uintptr_t)out[i].tag;
        if (tag >= 1 && tag <= n) seen[tag - 1]++;
        if (out[i].revents != SIO_WAIT_WRITE) odd = 1;
    }
    return odd ? -1 : got;
}

static void test_poller_keeps_track_through_adds_changes_and_removals(void)
{
    enum { N = 200 };
    sio_socket socks[N];
    int seen[N], expect, i, got;
    void *poller;
    size_t opened;
    if (!pf->poller_open) { FAIL("no poller hooks"); return; }
    opened = open_udp(socks, N);
    CHECK_INT(opened, N);
    poller = pf->poller_open(pf->user);
    CHECK(poller != NULL);
    if (!poller || opened != N) return;
    for (i = 0; i < N; i++)
        CHECK_INT(pf->poller_update(pf->user, poller, socks[i], 0, SIO_WAIT_WRITE, (void *)(uintptr_t)(i + 1)), SIO_OK);
    got = wait_tags(poller, seen, N, 256);
    CHECK_INT(got, N);
    for (i = 0; i < N; i++) CHECK_INT(seen[i], 1);
    /* every third removed, every fifth waits for reading only (nothing comes) */
    for (i = 0; i < N; i += 3) pf->poller_update(pf->user, poller, socks[i], SIO_WAIT_WRITE, 0, NULL);
    for (i = 0; i < N; i += 5)
        if (i % 3) pf->poller_update(pf->user, poller, socks[i], SIO_WAIT_WRITE, SIO_WAIT_READ, (void *)(uintptr_t)(i + 1));
    got = wait_tags(poller, seen, N, 256);
    for (i = 0, expect = 0; i < N; i++) {
        int want = (i % 3 != 0 && i % 5 != 0);
        expect += want;
        if (seen[i] != want) { CHECK_INT(seen[i], want); break; }
    }
    CHECK_INT(got, expect);
    /* back again, with a new tag */
    for (i = 0; i < N; i += 3)
        pf->poller_update(pf->user, poller, socks[i], 0, SIO_WAIT_READ | SIO_WAIT_WRITE, (void *)(uintptr_t)(i + 1));
    got = wait_tags(poller, seen, N, 256);
    CHECK_INT(got, expect + (N + 2) / 3);
    pf->poller_close(pf->user, poller);
    for (i = 0; i < N; i++) pf->close(pf->user, socks[i]);
}

/* Random registrations, changes and removals (a fixed seed), checked against
 * what each socket should want: the index must survive every removal. */
static void test_poller_agrees_with_a_model_through_random_updates(void)
{
    enum { N = 300 };
    sio_socket socks[N];
    int model[N], seen[N], i, op, mismatches = 0;
    unsigned seed = 12345;
    void *poller;
    if (!pf->poller_open) { FAIL("no poller hooks"); return; }
    CHECK_INT(open_udp(socks, N), N);
    poller = pf->poller_open(pf->user);
    CHECK(poller != NULL);
    if (!poller) return;
    memset(model, 0, sizeof model);
    for (op = 1; op <= 3000; op++) {
        int k, ev;
        seed = seed * 1103515245u + 12345u;
        k = (int)((seed >> 8) % N);
        ev = (int)((seed >> 20) % 4);                    /* 0 remove, READ, WRITE, both */
        CHECK_INT(pf->poller_update(pf->user, poller, socks[k], model[k], ev, (void *)(uintptr_t)(k + 1)), SIO_OK);
        model[k] = ev;
        if (op % 250) continue;
        CHECK(wait_tags(poller, seen, N, 256) >= 0);
        for (i = 0; i < N; i++)
            if (seen[i] != ((model[i] & SIO_WAIT_WRITE) != 0)) mismatches++;
    }
    CHECK_INT(mismatches, 0);
    pf->poller_close(pf->user, poller);
    for (i = 0; i < N; i++) pf->close(pf->user, socks[i]);
}

/* Collisions in the poller's index: 1500 made-up socket values (never valid
 * handles) registered among 100 real sockets, then all removed again; the
 * real ones must still be found, changed and removed exactly. */
static void test_poller_finds_sockets_after_removing_their_neighbours(void)
{
    enum { N = 100, FAKE = 1500 };
    sio_socket socks[N], fake[FAKE];
    int seen[N], i, k, wrong = 0;
    unsigned seed = 777;
    void *poller;
    if (!pf->poller_open) { FAIL("no poller hooks"); return; }
    CHECK_INT(open_udp(socks, N), N);
    poller = pf->poller_open(pf->user);
    CHECK(poller != NULL);
    if (!poller) return;
    for (i = 0, k = 0; i < FAKE; i++) {
        seed = seed * 1103515245u + 12345u;
        fake[i] = (sio_socket)(0x40000000u + ((seed >> 4) & 0x0FFFFFFCu));
        pf->poller_update(pf->user, poller, fake[i], 0, SIO_WAIT_READ, NULL);
        if (i % (FAKE / N) == 0 && k < N) {
            pf->poller_update(pf->user, poller, socks[k], 0, SIO_WAIT_WRITE, (void *)(uintptr_t)(k + 1));
            k++;
        }
    }
    for (i = FAKE - 1; i >= 0; i -= 2) pf->poller_update(pf->user, poller, fake[i], SIO_WAIT_READ, 0, NULL);
    for (i = 0; i < FAKE; i += 2) pf->poller_update(pf->user, poller, fake[i], SIO_WAIT_READ, 0, NULL);
    for (k = 0; k < N; k += 2) pf->poller_update(pf->user, poller, socks[k], SIO_WAIT_WRITE, 0, NULL);
    for (k = 1; k < N; k += 2)
        pf->poller_update(pf->user, poller, socks[k], SIO_WAIT_WRITE, SIO_WAIT_WRITE, (void *)(uintptr_t)(k + 1));
    CHECK_INT(wait_tags(poller, seen, N, 256), N / 2);
    for (k = 0; k < N; k++) wrong += seen[k] != k % 2;
    CHECK_INT(wrong, 0);
    pf->poller_close(pf->user, poller);
    for (k = 0; k < N; k++) pf->close(pf->user, socks[k]);
}

/* More ready sockets than room: the next wait starts where this one stopped. */
static void test_poller_serves_every_ready_socket_in_turn(void)
{
    enum { N = 10 };
    sio_socket socks[N];
    int seen[N], total[N], i, round;
    void *poller;
    if (!pf->poller_open) { FAIL("no poller hooks"); return; }
    CHECK_INT(open_udp(socks, N), N);
    poller = pf->poller_open(pf->user);
    CHECK(poller != NULL);
    if (!poller) return;
    for (i = 0; i < N; i++) pf->poller_update(pf->user, poller, socks[i], 0, SIO_WAIT_WRITE, (void *)(uintptr_t)(i + 1));
    memset(total, 0, sizeof total);
    for (round = 0; round < 3; round++) {
        CHECK_INT(wait_tags(poller, seen, N, 4), 4);
        for (i = 0; i < N; i++) total[i] += seen[i];
    }
    for (i = 0; i < N; i++) CHECK(total[i] >= 1);
    pf->poller_close(pf->user, poller);
    for (i = 0; i < N; i++) pf->close(pf->user, socks[i]);
}

/* A socket closed while registered (epoll forgets those by itself; a
 * caller of the hooks may not unregister first): the poller drops it
 * instead of failing. */
static void test_poller_forgets_closed_sockets(void)
{
    sio_socket socks[2];
    sio_ready out[4];
    void *poller;
    if (!pf->poller_open) { FAIL("no poller hooks"); return; }
    CHECK_INT(open_udp(socks, 2), 2);
    poller = pf->poller_open(pf->user);
    CHECK(poller != NULL);
    if (!poller) return;
    pf->poller_update(pf->user, poller, socks[0], 0, SIO_WAIT_WRITE, (void *)1);
    pf->poller_update(pf->user, poller, socks[1], 0, SIO_WAIT_WRITE, (void *)2);
    pf->close(pf->user, socks[0]);
    CHECK_INT(pf->poller_wait(pf->user, poller, out, 4, 100), 1);     /* only the open one */
    CHECK(out[0].tag == (void *)2);
    CHECK_INT(pf->poller_wait(pf->user, poller, out, 4, 100), 1);
    pf->close(pf->user, socks[1]);                                     /* none valid: WSAPoll refuses */
    CHECK_INT(pf->poller_wait(pf->user, poller, out, 4, 100), 0);
    CHECK_INT(pf->poller_wait(pf->user, poller, out, 4, 20), 0);      /* empty now: just sleeps */
    pf->poller_close(pf->user, poller);
}

/* 300 WebSocket clients in one sio_set: more than select()'s default 64. */
static void test_set_of_300_clients_opens_and_echoes(void)
{
    enum { N = 300 };
    sio_client *clients[N];
    sio_set *set = NULL;
    sio_event ev;
    char name[16], text[32];
    int i, opens = 0, echoes = 0, bad = 0, waits_before = poller_waits;
    uint64_t end;
    CHECK_INT(sio_set_create(NULL, &set), SIO_OK);
    if (!set) return;
    for (i = 0; i < N; i++) {
        snprintf(name, sizeof name, "c%d", i);
        clients[i] = ws_client("127.0.0.1", name);
        CHECK(clients[i] != NULL);
        if (!clients[i]) return;
        sio_set_add(set, clients[i]);
        sio_start(clients[i]);
    }
    end = GetTickCount64() + 30000;
    while (echoes + bad < N && GetTickCount64() < end) {
        if (sio_set_poll(set, &ev, 100) != 1) continue;
        if (ev.type == SIO_EVENT_OPEN) {
            opens++;
            snprintf(text, sizeof text, "echo from %s", ev.name);
            sio_send_text(ev.client, text, strlen(text));
        } else if (ev.type == SIO_EVENT_MESSAGE) {
            snprintf(text, sizeof text, "echo from %s", ev.name);
            if (ev.len == strlen(text) && memcmp(ev.data, text, ev.len) == 0) echoes++;
            else bad++;
        } else {
            if (bad++ < 3) fprintf(stderr, "  %s: event %d: %s\n", ev.name, (int)ev.type, ev.message ? ev.message : "");
        }
    }
    CHECK_INT(opens, N);
    CHECK_INT(echoes, N);
    CHECK_INT(bad, 0);
    CHECK(poller_waits > waits_before);            /* the set waited with the platform's poller */
    for (i = 0; i < N; i++) sio_destroy(clients[i]);
    CHECK_INT(sio_set_count(set), 0);
    sio_set_destroy(set);
}

/* A refused connect is reported (WSAPoll: POLLERR under wine, POLLHUP |
 * POLLERR | POLLWRNORM since Windows 10 2004; older Windows report nothing,
 * and a client would give up only at its connect timeout). */
static void test_poller_reports_a_refused_connect(void)
{
    struct sockaddr_in a;
    int len = (int)sizeof a, port = 0;
    WSADATA wsa;
    SOCKET probe;
    sio_socket s = SIO_INVALID_SOCKET;
    sio_ready out[1];
    char err[128];
    void *poller;
    if (!pf->poller_open) { FAIL("no poller hooks"); return; }
    WSAStartup(MAKEWORD(2, 2), &wsa);                   /* a free port: bound, then closed */
    probe = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(probe, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(probe, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    closesocket(probe);
    WSACleanup();
    CHECK(port > 0);
    CHECK_INT(pf->connect(pf->user, "127.0.0.1", (unsigned short)port, 0, &s, err, sizeof err), SIO_OK);
    poller = pf->poller_open(pf->user);
    CHECK(poller != NULL);
    if (!poller || s == SIO_INVALID_SOCKET) return;
    pf->poller_update(pf->user, poller, s, 0, SIO_WAIT_WRITE, (void *)7);
    CHECK_INT(pf->poller_wait(pf->user, poller, out, 1, 2000), 1);
    CHECK(out[0].tag == (void *)7);
    CHECK(out[0].revents & SIO_WAIT_READ);                /* the error, to be read by connect_result */
    CHECK(pf->connect_result(pf->user, s, err, sizeof err) < 0);
    pf->poller_close(pf->user, poller);
    pf->close(pf->user, s);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_win_platform DNS_PORT WS_PORT\n");
        return 2;
    }
    dns_port = (unsigned short)atoi(argv[1]);
    snprintf(dns_server, sizeof dns_server, "127.0.0.1:%u", (unsigned)dns_port);
    ws_port = atoi(argv[2]);
    pf = sio_platform_default();
    counted = *pf;
    if (pf->dns_open) counted.dns_open = count_dns_open;
    if (pf->poller_wait) counted.poller_wait = count_poller_wait;
    RUN(test_platform_has_resolver_and_poller_hooks);
    RUN(test_hosts_names_match_any_case_and_comments_are_skipped);
    RUN(test_localhost_is_loopback_without_a_hosts_entry);
    RUN(test_dns_open_asks_the_given_server);
    RUN(test_resolving_never_blocks_sio_poll);
    RUN(test_ipv6_answer_falls_back_to_ipv4);
    RUN(test_unknown_name_is_no_such_name);
    RUN(test_localhost_connects_without_the_nameserver);
    RUN(test_poller_keeps_track_through_adds_changes_and_removals);
    RUN(test_poller_agrees_with_a_model_through_random_updates);
    RUN(test_poller_finds_sockets_after_removing_their_neighbours);
    RUN(test_poller_serves_every_ready_socket_in_turn);
    RUN(test_poller_forgets_closed_sockets);
    RUN(test_poller_reports_a_refused_connect);
    RUN(test_set_of_300_clients_opens_and_echoes);
    return TEST_REPORT();
}
