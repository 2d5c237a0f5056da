/* Fuzzes sio_queue_load: the input is a queue blob without its closing
 * hash, which the harness adds so that the structure behind it is what gets
 * explored.  A blob that loads must save back to the same bytes; the input
 * as it is (hash or no hash) must never load into more than it says. */
#include "sio.h"
#include <stdlib.h>
#include <string.h>

static uint32_t fnv1a(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    while (n--) h = (h ^ *p++) * 16777619u;
    return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sio_config cfg;
    sio_client *c = NULL;
    uint8_t *blob = (uint8_t *)malloc(size + 4), *again = NULL;
    size_t len = 0;
    uint32_t h = fnv1a(data, size);
    if (!blob) return 0;
    memcpy(blob, data, size);
    blob[size] = (uint8_t)(h >> 24);
    blob[size + 1] = (uint8_t)(h >> 16);
    blob[size + 2] = (uint8_t)(h >> 8);
    blob[size + 3] = (uint8_t)h;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "http://h.test/";
    cfg.mode = SIO_MODE_SOCKETIO;
    cfg.retries = 1;
    cfg.max_send_queue = 1 << 20;
    if (sio_create(&cfg, &c) != SIO_OK) abort();
    if (sio_queue_load(c, blob, size + 4) == SIO_OK) {
        if (sio_queue_save(c, NULL, 0, &len) != SIO_ERR_FULL || len != size + 4) abort();
        if (!(again = (uint8_t *)malloc(len)) || sio_queue_save(c, again, len, &len) != SIO_OK) abort();
        if (memcmp(again, blob, len) != 0) abort();
    }
    sio_destroy(c);
    if (sio_create(&cfg, &c) != SIO_OK) abort();
    sio_queue_load(c, data, size);
    sio_destroy(c);
    free(again);
    free(blob);
    return 0;
}
