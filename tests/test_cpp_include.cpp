// The header's declarations must be usable from C++ (extern "C").
#include "sio.h"
static_assert(sizeof(sio_event) > 0, "sio_event is a complete type");
int main() { sio_config cfg = sio_config(); cfg.url = "ws://127.0.0.1:1/"; return cfg.port; }
