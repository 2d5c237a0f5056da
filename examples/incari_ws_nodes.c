/* incari_ws_nodes - the Incari Studio WebSocket client nodes on sio.
 *
 * Each node maps to one call or event (see README, "Incari nodes"):
 *   Start        -> sio_start()            On Start   <- SIO_EVENT_OPEN
 *   Stop         -> sio_stop()             On Stop    <- SIO_EVENT_CLOSE
 *   Send         -> sio_send_text() / sio_send_binary() (Is Binary flag)
 *   On Receive   <- SIO_EVENT_MESSAGE      On Error   <- SIO_EVENT_ERROR
 * Several named connections are driven by one sio_poll_clients() loop.
 *     incari_ws_nodes ws://127.0.0.1:8080/echo [ws://127.0.0.1:8080/echo] */
#include "sio.h"
#include <stdio.h>
#include <string.h>

typedef struct connection {
    const char *name;
    const char *url;
    sio_client *client;
    int received;
} connection;

static void node_send(connection *conn, int is_binary, const void *msg, size_t len)
{
    int r = is_binary ? sio_send_binary(conn->client, msg, len)
                      : sio_send_text(conn->client, (const char *)msg, len);
    if (r != SIO_OK) printf("[%s] Send failed: %s\n", conn->name, sio_status_text(r));
}

int main(int argc, char **argv)
{
    connection conns[2];
    sio_client *set[2];
    size_t count = argc > 2 ? 2 : 1, i, stopped = 0;
    sio_event ev;
    memset(conns, 0, sizeof conns);
    conns[0].name = "Panel";
    conns[0].url = argc > 1 ? argv[1] : "ws://127.0.0.1:8080/echo";
    conns[1].name = "Logger";
    conns[1].url = argc > 2 ? argv[2] : conns[0].url;
    for (i = 0; i < count; i++) {
        sio_config cfg = {0};
        cfg.name = conns[i].name;
        cfg.url = conns[i].url;
        cfg.user_data = &conns[i];
        if (sio_create(&cfg, &conns[i].client) != SIO_OK) {
            printf("[%s] bad configuration\n", conns[i].name);
            return 2;
        }
        set[i] = conns[i].client;
        sio_start(conns[i].client);                           /* Start node */
    }
    while (stopped < count) {
        connection *conn;
        if (sio_poll_clients(set, count, &ev, 1000) <= 0) continue;
        conn = (connection *)ev.user_data;
        switch (ev.type) {
        case SIO_EVENT_OPEN:                                  /* On Start */
            printf("[%s] On Start\n", ev.name);
            node_send(conn, 0, "temperature=21.5", 16);       /* Send, Is Binary = false */
            node_send(conn, 1, "\x10\x20\x30", 3);            /* Send, Is Binary = true */
            break;
        case SIO_EVENT_MESSAGE:                               /* On Receive */
            if (ev.binary) printf("[%s] On Receive: %u bytes (binary)\n", ev.name, (unsigned)ev.len);
            else printf("[%s] On Receive: %s\n", ev.name, (const char *)ev.data);
            if (++conn->received == 2) sio_stop(conn->client); /* Stop node */
            break;
        case SIO_EVENT_ERROR:                                 /* On Error */
            printf("[%s] On Error: %s\n", ev.name, ev.message);
            break;
        case SIO_EVENT_CLOSE:                                 /* On Stop */
            printf("[%s] On Stop (code %d)\n", ev.name, ev.code);
            stopped++;
            break;
        default:
            break;
        }
    }
    for (i = 0; i < count; i++) sio_destroy(conns[i].client);
    return 0;
}
