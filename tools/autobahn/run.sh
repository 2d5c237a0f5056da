#!/bin/bash
# Autobahn|Testsuite fuzzingserver driver (client conformance), loopback only.
# The suite itself is not in this repository: set it up as
# ../shared/reference/AUTOBAHN.md says and point AUTOBAHN_DIR at the directory
# that holds its autobahntestsuite/ (default /tmp/autobahn).
# usage: tools/autobahn/run.sh CASES_JSON EXCLUDE_JSON PORT CLIENT_CMD...
#   e.g. tools/autobahn/run.sh '["1.*"]' '[]' 9001 build/sioc ws --echo
#        tools/autobahn/run.sh '["12.*","13.*"]' '[]' 9002 tools/autobahn/sioc_echo.sh build/sioc
# The client command gets one more argument: ws://127.0.0.1:PORT/runCase?case=i&agent=$AGENT
# exit status: 0 = every case OK/NON-STRICT/INFORMATIONAL; 1 = some case failed/unimplemented/
#   had no result or a client run timed out; 2 = usage / port in use
# env: CASE_TIMEOUT (default 60 s per client run), AGENT (default sio)
set -u
AB=${AUTOBAHN_DIR:-/tmp/autobahn}
TS=$AB/autobahntestsuite
CTL=$(cd "$(dirname "$0")" && pwd)/ab_ctl.py
PY=/usr/bin/python3

if [ $# -lt 4 ]; then
  echo "usage: $0 CASES_JSON EXCLUDE_JSON PORT CLIENT_CMD..." >&2
  exit 2
fi
CASES=$1; EXCLUDE=${2:-[]}; PORT=${3:-9001}
shift 3
[ -n "$EXCLUDE" ] || EXCLUDE='[]'
CASE_TIMEOUT=${CASE_TIMEOUT:-60}
AGENT=${AGENT:-sio}
URL="ws://127.0.0.1:$PORT"
OUTREL="reports/clients-$PORT"
OUT="$TS/$OUTREL"

# refuse to run if something already listens on the port
if $PY -c "import socket,sys; s=socket.socket(); s.settimeout(1); sys.exit(0 if s.connect_ex(('127.0.0.1',$PORT))==0 else 1)"; then
  echo "run.sh: 127.0.0.1:$PORT is already in use" >&2
  exit 2
fi

[ -d "$TS" ] || { echo "run.sh: no Autobahn suite in $TS (AUTOBAHN_DIR)" >&2; exit 2; }
rm -rf "$OUT"; mkdir -p "$OUT"
SPEC="$OUT/spec.json"
CASES="$CASES" EXCLUDE="$EXCLUDE" URL="$URL" OUTREL="$OUTREL" SPEC="$SPEC" $PY - <<'PYEOF' || exit 2
import json, os
spec = {"url": os.environ["URL"], "options": {"failByDrop": False},
        "outdir": os.environ["OUTREL"], "cases": json.loads(os.environ["CASES"]),
        "exclude-cases": json.loads(os.environ["EXCLUDE"]), "exclude-agent-cases": {}}
with open(os.environ["SPEC"], "w") as f:
    json.dump(spec, f, indent=2)
PYEOF

(cd "$TS" && exec env PYTHONPATH=. $PY -m autobahntestsuite.wstest -m fuzzingserver -s "$SPEC" -u 0) >"$OUT/server.log" 2>&1 &
SPID=$!
cleanup() {
  if kill -0 "$SPID" 2>/dev/null; then
    kill "$SPID" 2>/dev/null
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$SPID" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$SPID" 2>/dev/null
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait until it listens
for _ in $(seq 1 150); do
  if ! kill -0 "$SPID" 2>/dev/null; then
    echo "run.sh: fuzzingserver exited early; log:" >&2; cat "$OUT/server.log" >&2; exit 1
  fi
  $PY -c "import socket,sys; s=socket.socket(); s.settimeout(1); sys.exit(0 if s.connect_ex(('127.0.0.1',$PORT))==0 else 1)" && break
  sleep 0.2
done

N=$($PY "$CTL" count "$URL/getCaseCount") || { echo "run.sh: getCaseCount failed" >&2; exit 1; }
echo "== fuzzingserver pid $SPID on $URL: $N case(s); cases=$CASES exclude=$EXCLUDE"
echo "== client: $* <url>   (timeout ${CASE_TIMEOUT}s per case; output in $OUT/client.log)"
[ "$N" -gt 0 ] 2>/dev/null || { echo "run.sh: no cases selected" >&2; exit 1; }

$PY "$CTL" ids "$URL" "$AGENT" "$N" >"$OUT/case_ids.txt" || echo "run.sh: could not list case ids" >&2

T0=$(date +%s)
TIMEOUTS=()
: >"$OUT/client.log"
for i in $(seq 1 "$N"); do
  echo "### case $i: $* $URL/runCase?case=$i&agent=$AGENT" >>"$OUT/client.log"
  t1=$(date +%s)
  timeout -k 5 "$CASE_TIMEOUT" "$@" "$URL/runCase?case=$i&agent=$AGENT" </dev/null >>"$OUT/client.log" 2>&1
  rc=$?
  echo "### case $i: rc=$rc $(( $(date +%s) - t1 ))s" >>"$OUT/client.log"
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    id=$(awk -v i="$i" '$1==i {print $2}' "$OUT/case_ids.txt")
    echo "   case $i ($id): client TIMED OUT after ${CASE_TIMEOUT}s"
    TIMEOUTS+=("$i:$id")
  fi
  if [ $(( i % 50 )) -eq 0 ]; then echo "   ... $i/$N done ($(( $(date +%s) - T0 ))s)"; fi
done
T1=$(date +%s)
echo "== ran $N case(s) in $(( T1 - T0 ))s"

if ! timeout 900 $PY "$CTL" update "$URL/updateReports?agent=$AGENT"; then
  echo "run.sh: updateReports failed (see $OUT/server.log)" >&2
fi
echo "== reports written in $(( $(date +%s) - T1 ))s: $OUT/index.html, $OUT/index.json"
cleanup
trap - EXIT

$PY "$CTL" summary "$OUT" "$AGENT"
src=$?
[ ${#TIMEOUTS[@]} -eq 0 ] || { echo "== client timeouts (index:id): ${TIMEOUTS[*]}"; src=1; }
# exit 0 only when every case is OK / NON-STRICT / INFORMATIONAL and no client run timed out
exit $src
