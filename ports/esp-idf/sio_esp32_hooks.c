/* sio_esp32_hooks.c - the two hooks sio_impl_lwip.c asks of the integrator,
 * from ESP-IDF's own sources (also used by the PlatformIO and Arduino
 * packages, which run on ESP-IDF). */
#include <stddef.h>
#include <stdint.h>
#include "esp_timer.h"
#include "esp_random.h"

uint64_t sio_lwip_now_ms(void);
int sio_lwip_random(void *buf, size_t len);

uint64_t sio_lwip_now_ms(void)
{
    return (uint64_t)esp_timer_get_time() / 1000u;   /* microseconds since boot, 64-bit */
}

/* esp_fill_random is a true RNG while Wi-Fi or Bluetooth runs (or the
 * bootloader's entropy source is on); before that it is not: connect after
 * the radio is up, as any network client does. */
int sio_lwip_random(void *buf, size_t len)
{
    esp_fill_random(buf, len);
    return 0;                          /* SIO_OK */
}
