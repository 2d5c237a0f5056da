#!/bin/sh
# The client for tools/autobahn/run.sh: sioc echoing every message, its
# records thrown away (printing the 12.* messages would take longer than the run).
#   tools/autobahn/sioc_echo.sh SIOC [OPTIONS...] URL
sioc=$1
shift
exec "$sioc" ws --echo "$@" > /dev/null
