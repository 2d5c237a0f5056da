/* The bundled TLS backend a build has, under one set of names, for the
 * test programs that drive it by hand (test_tls_hook.c, test_tls_engine.c).
 * TEST_TLS is defined when there is one. */
#ifndef SIO_TEST_TLS_BACKEND_H
#define SIO_TEST_TLS_BACKEND_H
#if defined(SIO_WITH_BEARSSL)
#define TEST_TLS 1
typedef sio_bearssl_config test_tls_config;
typedef sio_bearssl test_tls;
#define test_tls_create sio_bearssl_create
#define test_tls_table sio_bearssl_tls
#define test_tls_destroy sio_bearssl_destroy
#elif defined(SIO_WITH_OPENSSL)
#define TEST_TLS 1
typedef sio_openssl_config test_tls_config;
typedef sio_openssl test_tls;
#define test_tls_create sio_openssl_create
#define test_tls_table sio_openssl_tls
#define test_tls_destroy sio_openssl_destroy
#elif defined(SIO_WITH_MBEDTLS)
#define TEST_TLS 1
typedef sio_mbedtls_config test_tls_config;
typedef sio_mbedtls test_tls;
#define test_tls_create sio_mbedtls_create
#define test_tls_table sio_mbedtls_tls
#define test_tls_destroy sio_mbedtls_destroy
#endif
#endif
