/* echo_client - the smallest useful sio program: connect, send one text and
 * one binary message, print what comes back, close.
 *     echo_client ws://127.0.0.1:8080/echo */
#include "sio.h"
#include <stdio.h>

int main(int argc, char **argv)
{
    sio_config cfg = {0};
    sio_client *c;
    sio_event ev;
    int r, exit_code = 0;
    cfg.url = argc > 1 ? argv[1] : "ws://127.0.0.1:8080/echo";
    cfg.name = "echo";
    if ((r = sio_create(&cfg, &c)) != SIO_OK) {
        fprintf(stderr, "echo_client: %s\n", sio_status_text(r));
        return 2;
    }
    sio_start(c);                                   /* asynchronous: OPEN comes later */
    for (;;) {
        if (sio_poll(c, &ev, 1000) <= 0) continue;  /* 0: nothing within a second */
        if (ev.type == SIO_EVENT_OPEN) {
            printf("[%s] open\n", ev.name);
            sio_send_text(c, "hello from sio", 14);
            sio_send_binary(c, "\x01\x02\x03", 3);
        } else if (ev.type == SIO_EVENT_MESSAGE) {
            if (ev.binary) printf("[%s] binary message, %u bytes\n", ev.name, (unsigned)ev.len);
            else printf("[%s] text message: %s\n", ev.name, (const char *)ev.data);
            if (ev.binary) sio_stop(c);             /* both echoes seen: close (1000) */
        } else if (ev.type == SIO_EVENT_ERROR) {
            printf("[%s] error: %s\n", ev.name, ev.message);
            exit_code = 1;
        } else if (ev.type == SIO_EVENT_CLOSE) {
            printf("[%s] closed: code %d, clean %d\n", ev.name, ev.code, ev.clean);
            break;
        }
    }
    sio_destroy(c);
    return exit_code;
}
