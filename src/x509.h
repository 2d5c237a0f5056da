/* ---------------------------------------------------------------------- */
/* x509: the certificate fields some TLS backends leave unchecked          */
/* ---------------------------------------------------------------------- */

/* Each takes one DER certificate.  Returns 1 yes, 0 no, -1 malformed.
 * Extended Key Usage (RFC 5280 4.2.1.12): absent, serverAuth or
 * anyExtendedKeyUsage allow a TLS server. */
SIO_API int sio_x509_allows_server(const unsigned char *der, size_t len);
/* Whether a subjectAltName iPAddress entry equals ip (4 or 16 bytes). */
SIO_API int sio_x509_has_ip(const unsigned char *der, size_t len, const unsigned char *ip, size_t ip_len);
/* The certificate's SubjectPublicKeyInfo, whole (what a pin hashes):
 * returns 1 with *spki and *spki_len pointing into der, or -1 malformed. */
SIO_API int sio_x509_spki(const unsigned char *der, size_t len, const unsigned char **spki, size_t *spki_len);


