/* ---------------------------------------------------------------------- */
/* resolver: a name to addresses over DNS, without blocking              */
/* ---------------------------------------------------------------------- */

/* An engine without I/O: the caller opens the nameserver's socket, sends
 * what sio__resolver_queries writes, feeds the datagrams that come back to
 * sio__resolver_answer, and asks sio__resolver_due at the deadline what to
 * do (ask again, try the next nameserver, or stop).  Both families are
 * asked (AAAA and A); the addresses come out IPv6 first, as getaddrinfo
 * orders them. */

#define SIO__MAX_ADDRESSES 16
#define SIO__DNS_TRY_MS 1000                   /* ask again after this long without an answer */

typedef char sio__address[46];            /* an address as text ("10.0.0.1", "::1") */

/* The memory one resolution uses, from its start until the connection: the
 * table of addresses found first (sio__resolver.addrs points at it), then
 * room for an answer and the two questions, kept off the stack (a small
 * target's could not hold them). */
typedef struct sio__resolving {
    sio__address addrs[SIO__MAX_ADDRESSES];
    unsigned char answer[1500];
    unsigned char questions[2][300];
} sio__resolving;

typedef struct sio__resolver {
    const char *host;                      /* the name (the caller's, kept while resolving) */
    sio__address *addrs;                   /* found addresses: the caller's table of SIO__MAX_ADDRESSES */
    size_t addr_count;
    unsigned server;                       /* which nameserver is asked (0: the first) */
    unsigned tries;                        /* questions sent to it */
    unsigned ids[2];                       /* the current query ids: AAAA, A */
    int waiting;                           /* 2: the AAAA answer, 1: the A answer still to come */
    int nxdomain;                          /* a server said the name does not exist */
    const char *why;                       /* why an answer was unusable (static text) */
    uint64_t deadline;                     /* ask again or move on then */
} sio__resolver;

enum { SIO__RESOLVER_WAIT, SIO__RESOLVER_ASK_AGAIN, SIO__RESOLVER_NEXT_SERVER, SIO__RESOLVER_DONE };

#if SIO__WITH_DNS
static void sio__resolver_begin(sio__resolver *r, const char *host, sio__address *table)
{
    memset(r, 0, sizeof *r);
    r->host = host;
    r->addrs = table;
}

/* A new nameserver: both questions are due again. */
static void sio__resolver_new_server(sio__resolver *r)
{
    r->tries = 0;
    r->waiting = 3;
}

/* The questions still unanswered, each with 16 fresh random bits of id
 * (from random[4]), so a forged answer must guess a new id for every
 * question and every retry.  q[k] gets n[k] bytes (0: not asked). */
static void sio__resolver_queries(sio__resolver *r, const unsigned char random[4], uint64_t now,
                                  unsigned char q[2][300], size_t n[2])
{
    int k;
    for (k = 0; k < 2; k++) {
        r->ids[k] = ((unsigned)random[2 * k] << 8) | random[2 * k + 1];
        n[k] = (r->waiting & (k == 0 ? 2 : 1)) ? sio_dns_query(q[k], 300, r->ids[k], r->host,
                                                              k == 0 ? SIO_DNS_AAAA : SIO_DNS_A) : 0;
    }
    r->deadline = now + SIO__DNS_TRY_MS;
}

/* One datagram from the nameserver: an answer to a question still open
 * counts, anything else (stale, forged, foreign) is ignored. */
static void sio__resolver_answer(sio__resolver *r, const unsigned char *msg, size_t len)
{
    sio_dns_addr found[SIO__MAX_ADDRESSES];
    size_t count = 0, k;
    const char *why = NULL;
    int which = 2, st;                         /* the AAAA question's answer, or else the A one's */
    st = sio_dns_parse(msg, len, r->ids[0], r->host, SIO_DNS_AAAA, found, SIO__MAX_ADDRESSES, &count, &why);
    if (st == SIO_ERR_AGAIN) {
        which = 1;
        st = sio_dns_parse(msg, len, r->ids[1], r->host, SIO_DNS_A, found, SIO__MAX_ADDRESSES, &count, &why);
    }
    if (st == SIO_ERR_AGAIN || !(r->waiting & which)) return;
    if (st == SIO_ERR_NO_ADDRESS) r->nxdomain = 1;
    if (st == SIO_ERR_PROTOCOL) r->why = why;
    r->waiting &= ~which;
    for (k = 0; st == SIO_OK && k < count && r->addr_count < SIO__MAX_ADDRESSES; k++)
        sio_dns_addr_text(&found[k], r->addrs[r->addr_count++]);
}

/* What to do at now: wait, ask the same server again (once), move to the
 * next server, or stop (both answered, or one family answered and the
 * other timed out: enough). */
static int sio__resolver_due(sio__resolver *r, uint64_t now)
{
    if (!r->waiting) return SIO__RESOLVER_DONE;
    if (now < r->deadline) return SIO__RESOLVER_WAIT;
    if (++r->tries < 2) return SIO__RESOLVER_ASK_AGAIN;
    if (r->addr_count) {
        r->waiting = 0;
        return SIO__RESOLVER_DONE;
    }
    r->server++;
    return SIO__RESOLVER_NEXT_SERVER;
}

/* When sio__resolver_due has something to do (0: never): while it has a
 * table and answers are still to come. */
static uint64_t sio__resolver_deadline(const sio__resolver *r)
{
    return r->addrs && r->waiting ? r->deadline : 0;
}

/* The nameserver cannot be used (the socket failed): the next one. */
static void sio__resolver_server_failed(sio__resolver *r)
{
    r->server++;
}

/* Resolving ended: IPv6 addresses first; 0, or SIO_ERR_NO_ADDRESS with
 * text saying why there is none. */
static int sio__resolver_finish(sio__resolver *r, char *text, size_t size)
{
    char tmp[46];
    size_t i, j, v6 = 0;
    for (i = 0; i < r->addr_count; i++)
        if (strchr(r->addrs[i], ':')) {
            memcpy(tmp, r->addrs[i], sizeof tmp);
            for (j = i; j > v6; j--) memcpy(r->addrs[j], r->addrs[j - 1], sizeof tmp);
            memcpy(r->addrs[v6++], tmp, sizeof tmp);
        }
    r->waiting = 0;
    if (r->addr_count) return 0;
    if (r->why)
        snprintf(text, size, "dns: %.80s: %s", r->host, r->why + 5);   /* past "dns: " */
    else
        snprintf(text, size, "dns: %.80s: %s", r->host, r->nxdomain ? "no such name" : "the name has no address");
    return SIO_ERR_NO_ADDRESS;
}
#endif /* SIO__WITH_DNS */
