/* ---------------------------------------------------------------------- */
/* x509: the certificate fields some TLS backends leave unchecked          */
/* ---------------------------------------------------------------------- */

/* Each takes one DER certificate.  Returns 1 yes, 0 no, -1 malformed.
 * Extended Key Usage (RFC 5280 4.2.1.12): absent, serverAuth or
 * anyExtendedKeyUsage allow a TLS server. */
SIO_API int sio_x509_allows_server(const unsigned char *der, size_t len);
/* Whether the certificate's key may be used for usage, one of the Key
 * Usage bits below (RFC 5280 4.2.1.3): 1 when its Key Usage has the bit
 * or it has no Key Usage, 0 when it lacks it, -1 malformed.  (BearSSL
 * counts nonRepudiation as signing; a TLS server's key needs
 * digitalSignature for ECDHE and TLS 1.3.) */
#define SIO_X509_KU_DIGITAL_SIGNATURE 0
#define SIO_X509_KU_KEY_ENCIPHERMENT 2
#define SIO_X509_KU_KEY_AGREEMENT 4
SIO_API int sio_x509_key_allows(const unsigned char *der, size_t len, unsigned usage);
/* Whether a subjectAltName iPAddress entry equals ip (4 or 16 bytes). */
SIO_API int sio_x509_has_ip(const unsigned char *der, size_t len, const unsigned char *ip, size_t ip_len);
/* The certificate's SubjectPublicKeyInfo, whole (what a pin hashes):
 * returns 1 with *spki and *spki_len pointing into der, or -1 malformed. */
SIO_API int sio_x509_spki(const unsigned char *der, size_t len, const unsigned char **spki, size_t *spki_len);


