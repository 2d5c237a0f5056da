/* sio_zephyr.c - sio on Zephyr: the implementation and the POSIX platform
 * over Zephyr's sockets (CONFIG_POSIX_API).  Zephyr has no /etc files, so
 * names go to getaddrinfo, which asks Zephyr's own resolver and may block. */
#include "../sio_kconfig.h"        /* Zephyr's autoconf.h is included by the build */
#ifndef SIO_NO_DNS
#define SIO_NO_DNS 1
#endif
#include "../../sio_impl_posix.c"
