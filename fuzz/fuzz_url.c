/* Fuzzes the URL parser: spans must stay inside the input. */
#include "sio.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = (char *)malloc(size + 1);
    sio_url u;
    if (!s) return 0;
    memcpy(s, data, size);
    s[size] = 0;
    if (sio_url_parse(&u, s) == SIO_OK) {
        size_t n = strlen(s);
        if (u.host < s || u.host + u.host_len > s + n || u.path + u.path_len > s + n ||
            u.query + u.query_len > s + n || u.port == 0)
            abort();
    }
    free(s);
    return 0;
}
