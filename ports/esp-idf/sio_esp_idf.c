/* sio_esp_idf.c - sio on ESP-IDF: the implementation and the lwIP platform,
 * with the limits from menuconfig (ports/Kconfig.sio). */
#include "sdkconfig.h"
#include "../sio_kconfig.h"
#if !defined(CONFIG_SIO_MAX_MESSAGE) && !defined(SIO_SMALL_TARGET)
#define SIO_SMALL_TARGET 1             /* built without this component's Kconfig (PlatformIO, Arduino) */
#endif
#include "../../sio_impl_lwip.c"
