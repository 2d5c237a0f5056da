/* ---------------------------------------------------------------------- */
/* dns: query encoder and answer parser (RFC 1035), for a non-blocking     */
/* resolver over UDP                                                       */
/* ---------------------------------------------------------------------- */

enum { SIO_DNS_A = 1, SIO_DNS_AAAA = 28 };

typedef struct sio_dns_addr {
    int family;                   /* 4 or 6 */
    unsigned char bytes[16];      /* network order; IPv4 in the first 4 */
} sio_dns_addr;

/* Writes a recursive query for name (ASCII host name, at most 253 bytes)
 * and type into buf.  Returns its length, or 0 if the name is not a valid
 * host name or cap (512 is always enough) is too small. */
SIO_API size_t sio_dns_query(unsigned char *buf, size_t cap, unsigned id, const char *name, int type);
/* Parses the answer to the query with this id, name and type: the
 * addresses of that type for the name, or at the end of its CNAME chain,
 * go to out (at most max; *count says how many); records for other owners
 * are ignored.  Returns SIO_OK (count may be 0: the name has no such
 * record), SIO_ERR_NO_ADDRESS for "no such name", SIO_ERR_AGAIN when it is
 * not the answer to this query (another id, or another question), or
 * SIO_ERR_PROTOCOL for a malformed, truncated or failed answer (*why says which). */
SIO_API int sio_dns_parse(const unsigned char *msg, size_t len, unsigned id, const char *name, int type,
                          sio_dns_addr *out, size_t max, size_t *count, const char **why);
/* An address as text ("127.0.0.1", "::1"); returns its length.  out: 46 bytes. */
SIO_API size_t sio_dns_addr_text(const sio_dns_addr *a, char *out);
/* 1 if text is an IPv4 or IPv6 literal (no resolution needed). */
SIO_API int sio_ip_literal(const char *text);
/* The address in text ("10.0.0.1", "::1", "::ffff:1.2.3.4") as bytes in
 * network order: returns 4 or 16, or 0 if text is not an address.  IPv4
 * is four decimal parts without leading zeros: the C library reads
 * "010.0.0.1" as octal (8.0.0.1), so that form is no address here. */
SIO_API size_t sio_ip_parse(const char *text, unsigned char out[16]);

