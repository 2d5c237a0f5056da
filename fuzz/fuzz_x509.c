/* Fuzzes the certificate checks the TLS backends add (Extended Key Usage,
 * Key Usage, IP address SANs, the key a pin hashes), pin parsing and the address
 * parser: never a read outside the input, and answers that agree with each
 * other. */
#include "sio.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char ip[16];
    char text[64];
    size_t n, len = size < sizeof text - 1 ? size : sizeof text - 1;
    int eku = sio_x509_allows_server(data, size);
    int v4 = sio_x509_has_ip(data, size, (const unsigned char *)"\x7f\x00\x00\x01", 4);
    const unsigned char *spki = NULL;
    size_t spki_len = 0;
    unsigned char hash[32];
    int has_spki = sio_x509_spki(data, size, &spki, &spki_len);
    unsigned use;
    for (use = 0; use <= 8; use++) {
        int k = sio_x509_key_allows(data, size, use);
        if (k < -1 || k > 1) abort();
    }
    if (sio_x509_key_allows(data, size, 9) != -1) abort();     /* no such bit */
    if (eku < -1 || eku > 1 || v4 < -1 || v4 > 1) abort();
    if (has_spki == 1 && (spki < data || spki_len < 2 || spki_len > size || (size_t)(spki - data) > size - spki_len))
        abort();                                 /* the key lies inside the certificate */
    if (has_spki != 1 && has_spki != -1) abort();
    memcpy(text, data, len);
    text[len] = 0;
    if (sio_tls_pin_parse(text, hash) && (strlen(text) != 51 || strncmp(text, "sha256/", 7) != 0)) abort();
    n = sio_ip_parse(text, ip);
    if (n != 0 && n != 4 && n != 16) abort();
    if (n && !sio_ip_literal(text)) abort();     /* every parsed address is a literal */
    return 0;
}
