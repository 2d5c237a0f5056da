/* ---------------------------------------------------------------------- */
/* json: validator, reader and writer (no allocation except the writer's  */
/* optional growth)                                                        */
/* ---------------------------------------------------------------------- */

typedef enum sio_json_type {
    SIO_JSON_INVALID = 0,
    SIO_JSON_NULL,
    SIO_JSON_FALSE,
    SIO_JSON_TRUE,
    SIO_JSON_NUMBER,
    SIO_JSON_STRING,
    SIO_JSON_ARRAY,
    SIO_JSON_OBJECT
} sio_json_type;

/* One JSON value: a span of validated text. */
typedef struct sio_json {
    const char *text;
    size_t len;
} sio_json;

#define SIO_JSON_DEFAULT_DEPTH 64

/* Checks that text[0..len) is exactly one JSON value (RFC 8259, UTF-8,
 * surrounding whitespace allowed), nested at most max_depth deep (0: 64).
 * Iterative: deep nesting cannot exhaust the stack.  Returns SIO_OK,
 * SIO_ERR_PROTOCOL (invalid; *error_at = byte offset) or SIO_ERR_TOO_BIG. */
SIO_API int sio_json_validate(const char *text, size_t len, unsigned max_depth, size_t *error_at);
/* The readers below expect validated text. */
SIO_API sio_json sio_json_make(const char *text, size_t len);   /* trims whitespace */
SIO_API sio_json_type sio_json_typeof(sio_json v);

/* Iterates the members of an array or object. */
typedef struct sio_json_iter {
    const char *p, *end;
    int object;
} sio_json_iter;
SIO_API int sio_json_iter_init(sio_json_iter *it, sio_json container);   /* SIO_OK or SIO_ERR_INVALID */
/* Returns 1 with the next member (key is NULL-able; arrays give key.len 0), 0 at the end. */
SIO_API int sio_json_iter_next(sio_json_iter *it, sio_json *key, sio_json *value);
SIO_API int sio_json_find(sio_json object, const char *key, sio_json *value);   /* 1 found, 0 not */
SIO_API int sio_json_at(sio_json array, size_t index, sio_json *value);        /* 1 found, 0 not */
/* Unescapes a string value into out (NUL-terminated, \u escapes and
 * surrogate pairs to UTF-8; a lone surrogate becomes U+FFFD).  *len gets
 * the full length even when cap was too small; returns SIO_OK,
 * SIO_ERR_INVALID (not a string) or SIO_ERR_TOO_BIG (truncated). */
SIO_API int sio_json_string(sio_json v, char *out, size_t cap, size_t *len);
SIO_API int sio_json_number(sio_json v, double *out);            /* SIO_OK or SIO_ERR_INVALID */
SIO_API int sio_json_string_equals(sio_json v, const char *s);   /* 1 if a string equal to s */

/* Builds JSON text.  Give a buffer (fixed: overflow sets error
 * SIO_ERR_TOO_BIG) or none (grows through allocator).  Commas are inserted
 * for you; after sio_jw_key() comes the member's value. */
typedef struct sio_json_writer {
    char *buf;
    size_t len, cap;
    int error;                   /* first failure, SIO_OK while fine */
    int growable;
    sio_allocator allocator;
    unsigned depth;
    unsigned char need_comma[SIO_JSON_DEFAULT_DEPTH + 2];
} sio_json_writer;

SIO_API void sio_jw_init(sio_json_writer *w, char *buf, size_t cap);   /* buf NULL: growable */
SIO_API void sio_jw_free(sio_json_writer *w);                          /* growable buffers */
SIO_API void sio_jw_array_begin(sio_json_writer *w);
SIO_API void sio_jw_array_end(sio_json_writer *w);
SIO_API void sio_jw_object_begin(sio_json_writer *w);
SIO_API void sio_jw_object_end(sio_json_writer *w);
SIO_API void sio_jw_key(sio_json_writer *w, const char *key);
SIO_API void sio_jw_string(sio_json_writer *w, const char *s, size_t len);   /* escapes; invalid UTF-8 -> U+FFFD */
SIO_API void sio_jw_cstring(sio_json_writer *w, const char *s);
SIO_API void sio_jw_number(sio_json_writer *w, double v);   /* NaN/Inf -> null, as JSON.stringify */
SIO_API void sio_jw_integer(sio_json_writer *w, long long v);
SIO_API void sio_jw_bool(sio_json_writer *w, int v);
SIO_API void sio_jw_null(sio_json_writer *w);
SIO_API void sio_jw_raw(sio_json_writer *w, const char *json, size_t len);   /* a value already encoded */
SIO_API void sio_jw_placeholder(sio_json_writer *w, unsigned num);          /* {"_placeholder":true,"num":n} */
/* The NUL-terminated text, or NULL when error is set. */
SIO_API const char *sio_jw_result(const sio_json_writer *w, size_t *len);

