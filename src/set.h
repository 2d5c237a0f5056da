/* ---------------------------------------------------------------------- */
/* set: many clients driven from one thread                               */
/* ---------------------------------------------------------------------- */

/* Sets: many clients driven from one thread (thousands).  A client belongs
 * to at most one set; all of a set's clients share one platform.
 * sio_set_poll returns the next event of any client, like sio_poll_clients,
 * but a wake-up costs work only for the clients that are ready (epoll on
 * Linux, a timer heap).  sio_destroy() takes a client out of its set. */
SIO_API int sio_set_create(const sio_allocator *alloc, sio_set **out);   /* alloc NULL: default */
SIO_API int sio_set_add(sio_set *s, sio_client *c);
SIO_API int sio_set_remove(sio_set *s, sio_client *c);
SIO_API int sio_set_poll(sio_set *s, sio_event *ev, int timeout_ms);
SIO_API size_t sio_set_count(const sio_set *s);
SIO_API void sio_set_destroy(sio_set *s);               /* after removing or destroying its clients */
