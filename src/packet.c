/* ---------------------------------------------------------------------- */
/* packet: the Socket.IO packet codec                                      */
/* ---------------------------------------------------------------------- */

static const char *const sio__reserved_events[] = {
    "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"
};

static int sio__reserved_event(const char *name)
{
    size_t i;
    for (i = 0; i < sizeof sio__reserved_events / sizeof sio__reserved_events[0]; i++)
        if (strcmp(name, sio__reserved_events[i]) == 0) return 1;
    return 0;
}

static int sio__packet_fail(const char **why, const char *text, int status)
{
    if (why) *why = text;
    return status;
}

/* The payload after the header: valid JSON of the shape the packet type
 * takes (an event: a non-empty array led by a name that is not reserved). */
static int sio__packet_payload_ok(const sio_packet *pk, unsigned max_depth, const char **why)
{
    sio_json data, first;
    sio_json_type t = SIO_JSON_INVALID;
    char name[32];
    size_t n;
    int r;
    if (pk->data_len) {
        r = sio_json_validate(pk->data, pk->data_len, max_depth, NULL);
        if (r != SIO_OK)
            return sio__packet_fail(why, r == SIO_ERR_TOO_BIG ? "sio: payload JSON nested too deep"
                                                              : "sio: payload is not valid JSON", r);
        data = sio_json_make(pk->data, pk->data_len);
        t = sio_json_typeof(data);
    }
    switch (pk->type) {
    case SIO_PACKET_CONNECT:
        if (pk->data_len && t != SIO_JSON_OBJECT) return sio__packet_fail(why, "sio: CONNECT payload must be an object", SIO_ERR_PROTOCOL);
        break;
    case SIO_PACKET_DISCONNECT:
        if (pk->data_len) return sio__packet_fail(why, "sio: DISCONNECT must have no payload", SIO_ERR_PROTOCOL);
        break;
    case SIO_PACKET_EVENT:
    case SIO_PACKET_BINARY_EVENT:
        if (t != SIO_JSON_ARRAY || !sio_json_at(data, 0, &first))
            return sio__packet_fail(why, "sio: EVENT payload must be a non-empty array", SIO_ERR_PROTOCOL);
        t = sio_json_typeof(first);
        if (t != SIO_JSON_STRING && t != SIO_JSON_NUMBER)
            return sio__packet_fail(why, "sio: event name must be a string or a number", SIO_ERR_PROTOCOL);
        if (t == SIO_JSON_STRING && sio_json_string(first, name, sizeof name, &n) == SIO_OK && n == strlen(name) &&
            sio__reserved_event(name))
            return sio__packet_fail(why, "sio: reserved event name", SIO_ERR_PROTOCOL);
        break;
    case SIO_PACKET_ACK:
    case SIO_PACKET_BINARY_ACK:
        if (t != SIO_JSON_ARRAY) return sio__packet_fail(why, "sio: ACK payload must be an array", SIO_ERR_PROTOCOL);
        break;
    case SIO_PACKET_CONNECT_ERROR:
        if (pk->data_len && t != SIO_JSON_OBJECT && t != SIO_JSON_STRING)
            return sio__packet_fail(why, "sio: CONNECT_ERROR payload must be an object or a string", SIO_ERR_PROTOCOL);
        break;
    default:
        break;
    }
    return SIO_OK;
}

SIO_API int sio_packet_decode(sio_packet *pk, const char *text, size_t len, unsigned max_attachments,
                              unsigned max_depth, const char **why)
{
    const char *p = text, *end = text + len;
    memset(pk, 0, sizeof *pk);
    pk->ns = "/";
    pk->ns_len = 1;
    if (len == 0) return sio__packet_fail(why, "sio: empty packet", SIO_ERR_PROTOCOL);
    if (*p < '0' || *p > '6') return sio__packet_fail(why, "sio: unknown packet type", SIO_ERR_PROTOCOL);
    pk->type = *p++ - '0';
    if (pk->type == SIO_PACKET_BINARY_EVENT || pk->type == SIO_PACKET_BINARY_ACK) {
        unsigned long n = 0;
        const char *d = p;
        while (p < end && *p >= '0' && *p <= '9') {
            n = n * 10 + (unsigned long)(*p++ - '0');
            if (n > 1000000) return sio__packet_fail(why, "sio: attachment count too large", SIO_ERR_TOO_BIG);
        }
        if (p == d || p >= end || *p != '-')
            return sio__packet_fail(why, "sio: binary packet without '<count>-'", SIO_ERR_PROTOCOL);
        p++;
        if (n > max_attachments)
            return sio__packet_fail(why, "sio: more attachments than max_attachments", SIO_ERR_TOO_BIG);
        pk->attachments = (unsigned)n;
    }
    if (p < end && *p == '/') {
        const char *comma = (const char *)memchr(p, ',', (size_t)(end - p));
        pk->ns = p;
        pk->ns_len = comma ? (size_t)(comma - p) : (size_t)(end - p);
        p = comma ? comma + 1 : end;
    }
    if (p < end && *p >= '0' && *p <= '9') {
        uint64_t id = 0;
        while (p < end && *p >= '0' && *p <= '9') {
            id = id * 10 + (uint64_t)(*p++ - '0');
            if (id > ((uint64_t)1 << 53)) return sio__packet_fail(why, "sio: ack id over 2^53", SIO_ERR_PROTOCOL);
        }
        pk->has_id = 1;
        pk->id = id;
    }
    pk->data = p;
    pk->data_len = (size_t)(end - p);
    return sio__packet_payload_ok(pk, max_depth, why);
}

SIO_API size_t sio_packet_encode_header(char *out, int type, unsigned attachments, const char *ns,
                                        int has_id, uint64_t id)
{
    size_t n = 0;
    out[n++] = (char)('0' + type);
    if (type == SIO_PACKET_BINARY_EVENT || type == SIO_PACKET_BINARY_ACK)
        n += (size_t)sprintf(out + n, "%u-", attachments);
    if (ns && strcmp(ns, "/") != 0 && ns[0]) n += (size_t)sprintf(out + n, "%s,", ns);
    if (has_id) {
        char digits[24];
        int k = 0;
        do digits[k++] = (char)('0' + id % 10); while ((id /= 10) > 0);
        while (k) out[n++] = digits[--k];
    }
    out[n] = 0;
    return n;
}

