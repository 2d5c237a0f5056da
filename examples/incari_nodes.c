/* incari_nodes - the Incari Studio Socket.IO nodes, one call or event each:
 *
 *   connection (Name, URL, Port)  sio_config.name / .url / .port, mode SIO_MODE_SOCKETIO
 *   Socket.IO Start               sio_start()                  (returns at once)
 *   On Socket.IO Start            SIO_EVENT_CONNECT of the URL's namespace
 *   Socket.IO Stop                sio_stop()                   (returns at once)
 *   On Socket.IO Stop             SIO_EVENT_CLOSE
 *   Socket.IO Send                sio_emit_string(client, Namespace, Event Name, Message)
 *   Socket.IO Subscribe           sio_subscribe(client, Namespace, Event Name)
 *   Socket.IO Unsubscribe         sio_unsubscribe(client, Namespace, Event Name)
 *   On Socket.IO Receive          SIO_EVENT_EVENT: ev.ns, ev.event_name, ev.data (Message)
 *   On Socket.IO Error            SIO_EVENT_ERROR / CONNECT_ERROR: ev.ns, ev.message
 *
 *     incari_nodes http://127.0.0.1:3000/        (a server with a "message" -> "message-back" echo)
 */
#include "sio.h"
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    sio_config cfg = {0};
    sio_client *conn;
    sio_event ev;
    int received = 0, exit_code = 0;
    cfg.name = "Machine";                                  /* Name */
    cfg.url = argc > 1 ? argv[1] : "http://127.0.0.1:3000/";  /* URL (port inside, or in .port) */
    cfg.mode = SIO_MODE_SOCKETIO;
    if (sio_create(&cfg, &conn) != SIO_OK) {
        fprintf(stderr, "incari_nodes: bad connection settings\n");
        return 2;
    }
    sio_subscribe(conn, "/", "message-back");              /* Subscribe (Namespace "/", Event Name) */
    sio_start(conn);                                       /* Socket.IO Start */
    for (;;) {
        if (sio_poll(conn, &ev, 1000) <= 0) continue;
        switch (ev.type) {
        case SIO_EVENT_CONNECT:                            /* On Socket.IO Start */
            printf("[%s] On Socket.IO Start (namespace %s)\n", ev.name, ev.ns);
            sio_emit_string(conn, "/", "message", "temperature=21.5");   /* Send */
            sio_emit_string(conn, "/", "message", "pressure=1.2");
            break;
        case SIO_EVENT_EVENT:                              /* On Socket.IO Receive */
            printf("[%s] On Socket.IO Receive: namespace %s, trigger %s, message %s\n", ev.name, ev.ns,
                   ev.event_name, (const char *)ev.data);
            if (++received == 2) {
                sio_unsubscribe(conn, "/", "message-back"); /* Unsubscribe */
                sio_stop(conn);                            /* Socket.IO Stop */
            }
            break;
        case SIO_EVENT_CONNECT_ERROR:
        case SIO_EVENT_ERROR:                              /* On Socket.IO Error */
            printf("[%s] On Socket.IO Error: namespace %s, message %s\n", ev.name, ev.ns ? ev.ns : "",
                   ev.message);
            exit_code = 1;
            break;
        case SIO_EVENT_CLOSE:                              /* On Socket.IO Stop */
            printf("[%s] On Socket.IO Stop\n", ev.name);
            sio_destroy(conn);
            return exit_code;
        default:
            break;
        }
    }
}
