/* sio_kconfig.h - the Kconfig options of ports/Kconfig.sio (CONFIG_SIO_*) as
 * the macros sio.h's implementation reads.  Included by the ESP-IDF and
 * Zephyr ports after their build's configuration header and before sio.h. */
#ifndef SIO_KCONFIG_H
#define SIO_KCONFIG_H

#if defined(CONFIG_SIO_MAX_MESSAGE)      /* the options are there: Kconfig ran */
#define SIO_DEFAULT_MAX_MESSAGE CONFIG_SIO_MAX_MESSAGE
#define SIO_DEFAULT_MAX_SEND_QUEUE CONFIG_SIO_MAX_SEND_QUEUE
#define SIO_DEFAULT_MAX_HANDSHAKE CONFIG_SIO_MAX_HANDSHAKE
#define SIO_READ_MAX CONFIG_SIO_READ_MAX
#define SIO_DEFAULT_MAX_NAMESPACES CONFIG_SIO_MAX_NAMESPACES
#define SIO_DEFAULT_MAX_PENDING_ACKS CONFIG_SIO_MAX_PENDING_ACKS
#define SIO_DEFAULT_MAX_ATTACHMENTS CONFIG_SIO_MAX_ATTACHMENTS
#if defined(CONFIG_SIO_SMALL_TARGET)
#define SIO_SMALL_TARGET 1                   /* the remaining limits (JSON depth) */
#endif
#if !defined(CONFIG_SIO_SOCKETIO)
#define SIO_NO_SOCKETIO 1
#endif
#if !defined(CONFIG_SIO_POLLING)
#define SIO_NO_POLLING 1
#endif
#if !defined(CONFIG_SIO_DEFLATE)
#define SIO_NO_DEFLATE 1
#endif
#if !defined(CONFIG_SIO_PROXY)
#define SIO_NO_PROXY 1
#endif
#if defined(CONFIG_SIO_TLS_MBEDTLS) && !defined(SIO_WITH_MBEDTLS)
#define SIO_WITH_MBEDTLS 1                   /* the component also passes it to its users */
#endif
#endif

#endif
