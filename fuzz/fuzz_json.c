/* Fuzzes the JSON validator and readers: whatever validates must be fully
 * walkable, every string unescapable, every number parsable, and writing the
 * walked value back must give valid JSON again. */
#include "sio.h"
#include <stdlib.h>
#include <string.h>

static void rewrite(sio_json v, sio_json_writer *w, unsigned depth)
{
    sio_json_iter it;
    sio_json key, val;
    sio_json_type t = sio_json_typeof(v);
    if (depth > 70) abort();                       /* validated depth is 64 */
    if (t == SIO_JSON_STRING) {
        static char buf[1 << 16];
        size_t n = 0;
        int r = sio_json_string(v, buf, sizeof buf, &n);
        if (r != SIO_OK && r != SIO_ERR_TOO_BIG) abort();
        sio_jw_string(w, buf, n < sizeof buf ? n : sizeof buf - 1);
        return;
    }
    if (t == SIO_JSON_NUMBER) {
        double d;
        if (sio_json_number(v, &d) != SIO_OK) abort();
        sio_jw_number(w, d);
        return;
    }
    if (t == SIO_JSON_ARRAY || t == SIO_JSON_OBJECT) {
        if (t == SIO_JSON_ARRAY) sio_jw_array_begin(w); else sio_jw_object_begin(w);
        if (sio_json_iter_init(&it, v) != SIO_OK) abort();
        while (sio_json_iter_next(&it, &key, &val)) {
            if (t == SIO_JSON_OBJECT) {
                static char name[1 << 12];
                if (sio_json_typeof(key) != SIO_JSON_STRING) abort();
                if (sio_json_string(key, name, sizeof name, NULL) == SIO_OK) sio_jw_key(w, name);
                else sio_jw_key(w, "");
            }
            rewrite(val, w, depth + 1);
        }
        if (t == SIO_JSON_ARRAY) sio_jw_array_end(w); else sio_jw_object_end(w);
        return;
    }
    if (t == SIO_JSON_INVALID) abort();
    sio_jw_raw(w, v.text, v.len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sio_json_writer w;
    const char *out;
    size_t len;
    if (sio_json_validate((const char *)data, size, 64, NULL) != SIO_OK) return 0;
    sio_jw_init(&w, NULL, 0);
    rewrite(sio_json_make((const char *)data, size), &w, 0);
    out = sio_jw_result(&w, &len);
    if (out && sio_json_validate(out, len, 200, NULL) != SIO_OK) abort();
    sio_jw_free(&w);
    return 0;
}
