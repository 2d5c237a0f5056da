#!/usr/bin/python3
"""Real-network integration tests: proxies and redirects.  `sioc ws` and `sioc io` through real proxies
(Debian's tinyproxy for HTTP CONNECT with and without Basic authentication,
microsocks for SOCKS5 with and without user/password) and through the fake
ones of tests/servers/fake_proxy.py (a recording SOCKS5 proxy, and proxies
that answer garbage, close, never end their header, stay silent or speak
first), to the repo's Node servers (ws, socket.io 4.8) on 127.0.0.1; and
handshakes redirected by tests/servers/redirector.py (chains, a loop, another
host) to those servers.

    tests/integration_proxy.py --sioc build/sioc
    tests/integration_proxy.py --sioc build/sioc --wrapper 'valgrind --error-exitcode=99 -q'
    tests/integration_proxy.py --sioc build/sioc -k socks

Prints "PASS name" / "FAIL name: why" (and "SKIP name: why") per test, then
"N passed, N failed"; exits 1 if any test failed.
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import threading
import time

from harness import (check, short, kill_live, run_json, Registry, add_common_options, run_tests, new_counts,
                     sigterm_as_interrupt, TestSkip)
from proxies import Proxies, AUTH, free_port

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SERVERS = os.path.join(HERE, "servers")

OPTS = None
WRAPPER = []
SLOW = 1.0
PORTS = {}
PROXIES = None
PROCS = []
REG = Registry()
test = REG.test
CREDS = "%s:%s" % AUTH


def start_node(name, script):
    env = dict(os.environ)
    env["NODE_PATH"] = os.path.join(ROOT, "node_modules")
    log = open(os.path.join(OPTS.tmp, "server-%s.log" % name), "wb")
    p = subprocess.Popen(["node", os.path.join(SERVERS, script), "0"], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=log, start_new_session=True)
    log.close()
    PROCS.append(p)
    box = []
    t = threading.Thread(target=lambda: box.append(p.stdout.readline()), daemon=True)
    t.start()
    t.join(15)
    line = box[0].decode("ascii", "replace").split() if box else []
    if len(line) != 2 or line[0] != "PORT":
        raise RuntimeError("%s did not start: %r" % (script, box))
    PORTS[name] = int(line[1])


def start_redirector():
    p = subprocess.Popen([sys.executable if not os.path.exists("/usr/bin/python3") else "/usr/bin/python3",
                          os.path.join(SERVERS, "redirector.py"), str(PORTS["ws"]), str(PORTS["io"])],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=open(os.path.join(OPTS.tmp, "server-redirector.log"), "wb"), start_new_session=True)
    PROCS.append(p)
    line = p.stdout.readline().decode("ascii", "replace").split()
    if len(line) != 2 or line[0] != "PORT":
        raise RuntimeError("redirector.py did not start")
    PORTS["redirector"] = int(line[1])
    threading.Thread(target=lambda: [None for _ in p.stdout], daemon=True).start()   # keep its pipe drained


def sioc(args, stdin=b"", timeout=15.0, env=None, close_stdin=True):
    """Runs sioc --json with the given arguments; env: variables set for it
    (the runner's own proxy variables are never passed on)."""
    argv = WRAPPER + [OPTS.sioc, args[0], "--json"] + list(args[1:])
    saved = dict(os.environ)
    for k in list(os.environ):
        if k.lower() in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
            del os.environ[k]
    os.environ.update(env or {})
    try:
        return run_json(argv, stdin, close_stdin, timeout * SLOW, bool(WRAPPER))
    finally:
        os.environ.clear()
        os.environ.update(saved)


def ws_url(host="127.0.0.1", path="/echo"):
    return "ws://%s:%d%s" % (host, PORTS["ws"], path)


def io_url(host="127.0.0.1"):
    return "http://%s:%d/" % (host, PORTS["io"])


def need(name):
    if not PROXIES.has(name):
        raise TestSkip("%s is not installed" % name)


def echo_through(proxy_url, url=None, extra=()):
    r = sioc(["ws", "--proxy", proxy_url, "--exit-after", "1"] + list(extra) + [url or ws_url()], stdin=b"hello\n",
             close_stdin=False)
    check(r.rc == 0 and r.texts() == ["hello"], "no echo through %s: %s" % (proxy_url, r.describe()))
    return r


def refused_by(proxy_url, sentence, url=None, extra=()):
    r = sioc(["ws", "--proxy", proxy_url] + list(extra) + [url or ws_url()], close_stdin=False, timeout=20)
    check(r.rc == 1, "expected exit 1: %s" % r.describe())
    check(sentence in r.error_text(), "expected %r in the error: %s" % (sentence, r.describe()))
    check(not r.of("open"), "opened anyway: %s" % r.describe())
    return r


# ------------------------------------------------------------------ WebSocket through real proxies

@test
def ws_through_tinyproxy_http_connect():
    need("tinyproxy")
    before = PROXIES.connects("tinyproxy")
    echo_through(PROXIES.url("tinyproxy"))
    check(PROXIES.connects("tinyproxy") == before + 1, "tinyproxy opened %d tunnels, not 1"
          % (PROXIES.connects("tinyproxy") - before))


@test
def ws_through_tinyproxy_with_basic_auth():
    need("tinyproxy-auth")
    echo_through(PROXIES.url("tinyproxy-auth", CREDS))


@test
def ws_tinyproxy_without_credentials_says_407_and_realm():
    need("tinyproxy-auth")
    refused_by(PROXIES.url("tinyproxy-auth"), 'proxy: 407 authentication required (realm "Tinyproxy")')


@test
def ws_tinyproxy_with_wrong_password_is_refused():
    need("tinyproxy-auth")
    # tinyproxy answers a wrong password with 401 rather than 407
    refused_by(PROXIES.url("tinyproxy-auth", "alice:wrong"), "proxy: CONNECT to 127.0.0.1 port %d refused: 401"
               % PORTS["ws"])


@test
def ws_through_microsocks_socks5h_by_name():
    need("microsocks")
    echo_through(PROXIES.url("microsocks", scheme="socks5h"), ws_url("localhost"))


@test
def ws_through_microsocks_socks5_client_resolves():
    need("microsocks")
    echo_through(PROXIES.url("microsocks", scheme="socks5"), ws_url("localhost"))


@test
def ws_through_microsocks_socks5_proxy_given_by_name():
    # The client resolves the proxy's name too (never the platform's blocking
    # lookup); localhost is ::1 and 127.0.0.1, and microsocks listens on the latter only.
    need("microsocks")
    echo_through(PROXIES.url("microsocks", scheme="socks5").replace("127.0.0.1", "localhost"), ws_url("localhost"))


@test
def ws_through_dante_socks5h_by_name():
    need("dante")
    before = PROXIES.connects("dante")
    echo_through(PROXIES.url("dante", scheme="socks5h"), ws_url("localhost"))
    for _ in range(50):                       # dante's connection process writes its log line itself
        if PROXIES.connects("dante") > before:
            break
        time.sleep(0.1)
    check(PROXIES.connects("dante") > before, "dante logged no connection")


@test
def ws_through_dante_socks5_client_resolves():
    need("dante")
    echo_through(PROXIES.url("dante", scheme="socks5"), ws_url("localhost"))


@test
def ws_through_microsocks_with_password():
    need("microsocks-auth")
    echo_through(PROXIES.url("microsocks-auth", CREDS, scheme="socks5h"), ws_url("localhost"))


@test
def ws_microsocks_wrong_password_is_a_sentence():
    need("microsocks-auth")
    refused_by(PROXIES.url("microsocks-auth", "alice:wrong", scheme="socks5h"),
               "proxy: SOCKS5 authentication failed (user name or password refused)")


@test
def ws_microsocks_without_credentials_when_it_wants_them():
    need("microsocks-auth")
    refused_by(PROXIES.url("microsocks-auth", scheme="socks5h"), "proxy: SOCKS5 accepts none of our methods")


# ------------------------------------------------------------------ what is asked of a SOCKS5 proxy

@test
def socks5_sends_the_address_the_client_resolved():
    n = len(PROXIES.requests())
    echo_through("socks5://127.0.0.1:%d" % PROXIES.port("fake", "socks"), ws_url("localhost"))
    reqs = PROXIES.requests()[n:]
    check(reqs == ["REQUEST atyp=1 host=127.0.0.1 port=%d" % PORTS["ws"]], "asked %r" % reqs)


@test
def socks5h_sends_the_name_only_the_proxy_can_resolve():
    n = len(PROXIES.requests())
    echo_through("socks5h://127.0.0.1:%d" % PROXIES.port("fake", "socks"), ws_url("proxy-only.test"))
    reqs = PROXIES.requests()[n:]
    check(reqs == ["REQUEST atyp=3 host=proxy-only.test port=%d" % PORTS["ws"]], "asked %r" % reqs)


@test
def socks5_unreachable_host_is_a_sentence():
    refused_by("socks5h://127.0.0.1:%d" % PROXIES.port("fake", "unreachable"), "proxy: SOCKS5 host unreachable")


# ------------------------------------------------------------------ hostile and absent proxies

@test
def proxy_answering_garbage_fails_at_once():
    r = refused_by("http://127.0.0.1:%d" % PROXIES.port("fake", "garbage"), "proxy: the answer to CONNECT is not HTTP")
    check(r.elapsed < 5 * SLOW, "took %.1fs" % r.elapsed)


@test
def proxy_closing_mid_handshake():
    refused_by("http://127.0.0.1:%d" % PROXIES.port("fake", "close"),
               "proxy: the proxy closed the connection during its handshake")


@test
def proxy_with_an_endless_header_meets_max_handshake():
    refused_by("http://127.0.0.1:%d" % PROXIES.port("fake", "endless"),
               "proxy: the response to CONNECT exceeds 16384 bytes")


@test
def silent_proxy_is_bounded_by_the_connect_timeout():
    port = PROXIES.port("fake", "silent")
    r = refused_by("http://127.0.0.1:%d" % port, "proxy: no tunnel from 127.0.0.1 port %d to 127.0.0.1 port %d "
                   "within 1500 ms" % (port, PORTS["ws"]), extra=("--connect-timeout", "1500"))
    check(r.elapsed < 6 * SLOW, "took %.1fs" % r.elapsed)


@test
def proxy_speaking_first_in_a_plain_tunnel_is_a_handshake_error():
    refused_by("http://127.0.0.1:%d" % PROXIES.port("fake", "early"), "ws: handshake response")


@test
def proxy_that_is_not_listening():
    port = free_port()
    refused_by("http://127.0.0.1:%d" % port, "proxy: cannot connect to 127.0.0.1 port %d" % port)


@test
def bad_proxy_url_is_refused_at_create():
    r = sioc(["ws", "--proxy", "ftp://127.0.0.1:1", ws_url()])
    check(r.rc == 2 and not r.of("open"), "accepted: %s" % r.describe())
    check("bad proxy URL" in r.stderr() and "--proxy" in r.stderr() and "bad URL (expected ws" not in r.stderr(),
          "not said to be the proxy's URL: %s" % r.describe())
    r = sioc(["ws", ws_url()], env={"http_proxy": "socks4://127.0.0.1:1", "no_proxy": ""})
    check(r.rc == 2 and "bad proxy URL" in r.stderr() and "environment" in r.stderr(), r.describe())


@test
def environment_proxy_without_a_scheme_is_http():
    need("tinyproxy")
    before = PROXIES.connects("tinyproxy")
    r = sioc(["ws", "--exit-after", "1", ws_url()], stdin=b"bare\n", close_stdin=False,
             env={"http_proxy": PROXIES.url("tinyproxy").replace("http://", ""), "no_proxy": ""})
    check(r.rc == 0 and r.texts() == ["bare"], r.describe())
    check(PROXIES.connects("tinyproxy") == before + 1, "not through tinyproxy")


# ------------------------------------------------------------------ choosing the proxy

@test
def no_proxy_reaches_the_origin_directly():
    echo_through("http://127.0.0.1:%d" % free_port(), extra=("--no-proxy", "localhost,127.0.0.0/8"))


@test
def environment_proxy_is_used_by_default():
    need("tinyproxy")
    before = PROXIES.connects("tinyproxy")
    r = sioc(["ws", "--exit-after", "1", ws_url()], stdin=b"hi\n", close_stdin=False,
             env={"http_proxy": PROXIES.url("tinyproxy")})
    check(r.rc == 0 and r.texts() == ["hi"], r.describe())
    check(PROXIES.connects("tinyproxy") == before + 1, "the tunnel was not used")


@test
def environment_no_proxy_and_an_empty_proxy_option_win():
    dead = "http://127.0.0.1:%d" % free_port()
    r = sioc(["ws", "--exit-after", "1", ws_url()], stdin=b"hi\n", close_stdin=False,
             env={"HTTP_PROXY": dead, "NO_PROXY": "127.0.0.1"})
    check(r.rc == 0 and r.texts() == ["hi"], "NO_PROXY ignored: %s" % r.describe())
    r = sioc(["ws", "--proxy", "", "--exit-after", "1", ws_url()], stdin=b"hi\n", close_stdin=False,
             env={"all_proxy": dead})
    check(r.rc == 0 and r.texts() == ["hi"], "--proxy '' ignored: %s" % r.describe())


# ------------------------------------------------------------------ Socket.IO through proxies

def io_through(proxy_url, transport, host="127.0.0.1", name="tinyproxy"):
    lines = b'["delay",1200,"x"]\n'
    r = sioc(["io", "--proxy", proxy_url, "--transport", transport, "--exit-after", "3", io_url(host)],
             stdin=lines, close_stdin=False, timeout=20)
    check(r.rc == 0, r.describe())
    check([e.get("args") for e in r.events("delayed-back")] == [["x"]], "no delayed-back: %s" % r.describe())
    return r


def make_io_test(transport):
    def fn():
        need("tinyproxy")
        before = PROXIES.connects("tinyproxy")
        io_through(PROXIES.url("tinyproxy"), transport)
        used = PROXIES.connects("tinyproxy") - before
        # websocket: one tunnel; polling: the GET and the POST links; auto: also the probe
        want = {"websocket": 1, "polling": 2, "auto": 3}[transport]
        check(used == want, "%d tunnels for %s, expected %d" % (used, transport, want))
    return fn


for _t in ("websocket", "polling", "auto"):
    REG.add("io_through_tinyproxy_%s" % _t, make_io_test(_t))


def make_io_socks_test(transport, scheme):
    def fn():
        need("microsocks")
        io_through(PROXIES.url("microsocks", scheme=scheme), transport, host="localhost")
    return fn


for _t in ("websocket", "polling", "auto"):
    REG.add("io_through_microsocks_socks5h_%s" % _t, make_io_socks_test(_t, "socks5h"))
REG.add("io_through_microsocks_socks5_polling", make_io_socks_test("polling", "socks5"))


def make_io_dante_test(transport):
    def fn():
        need("dante")
        io_through(PROXIES.url("dante", scheme="socks5h"), transport, host="localhost")
    return fn


for _t in ("websocket", "auto"):
    REG.add("io_through_dante_socks5h_%s" % _t, make_io_dante_test(_t))


# ------------------------------------------------------------------ redirects

def redirector(path):
    return "ws://127.0.0.1:%d%s" % (PORTS["redirector"], path)


@test
def ws_redirect_is_followed():
    r = sioc(["ws", "--exit-after", "1", redirector("/to-echo")], stdin=b"moved\n", close_stdin=False)
    check(r.rc == 0 and r.texts() == ["moved"], r.describe())
    check(r.of("open")[0].get("url") == "ws://127.0.0.1:%d/echo" % PORTS["ws"], "final URL not reported: %s"
          % r.describe())


@test
def ws_redirect_chain_of_five_is_followed_six_is_not():
    r = sioc(["ws", "--exit-after", "1", redirector("/chain/4")], stdin=b"chain\n", close_stdin=False)
    check(r.rc == 0 and r.texts() == ["chain"], "5 redirects not followed: %s" % r.describe())
    r = sioc(["ws", redirector("/chain/5")], close_stdin=False)
    check(r.rc == 1 and "ws: too many redirects (5" in r.error_text(), "6 redirects followed: %s" % r.describe())


@test
def ws_redirect_loop_ends_with_an_error():
    r = sioc(["ws", redirector("/loop")], close_stdin=False)
    check(r.rc == 1 and "too many redirects" in r.error_text(), r.describe())
    check(r.elapsed < 5 * SLOW, "took %.1fs" % r.elapsed)


@test
def ws_redirect_through_a_proxy_goes_through_it_again():
    need("tinyproxy")
    before = PROXIES.connects("tinyproxy")
    r = sioc(["ws", "--proxy", PROXIES.url("tinyproxy"), "--exit-after", "1", redirector("/to-echo")],
             stdin=b"via\n", close_stdin=False)
    check(r.rc == 0 and r.texts() == ["via"], r.describe())
    check(PROXIES.connects("tinyproxy") == before + 2, "tinyproxy opened %d tunnels, not 2 (redirector, echo)"
          % (PROXIES.connects("tinyproxy") - before))


@test
def ws_redirect_chooses_the_proxy_again_for_the_new_host():
    # 127.0.0.1 through the proxy; the redirect goes to localhost, which --no-proxy names: direct.
    need("tinyproxy")
    before = PROXIES.connects("tinyproxy")
    r = sioc(["ws", "--proxy", PROXIES.url("tinyproxy"), "--no-proxy", "localhost", "--exit-after", "1",
              redirector("/to-headers")], close_stdin=False)
    check(r.rc == 0 and r.messages, r.describe())
    check(PROXIES.connects("tinyproxy") == before + 1, "tinyproxy opened %d tunnels, not 1 (the redirector only)"
          % (PROXIES.connects("tinyproxy") - before))


@test
def ws_redirect_to_another_host_drops_the_authorization_header():
    r = sioc(["ws", "--exit-after", "1", "--header", "Authorization: Bearer s3cret", "--header", "X-Keep: yes",
              redirector("/to-headers")], close_stdin=False)
    check(r.rc == 0 and r.messages, r.describe())
    headers = json.loads(r.messages[0]["data"])
    check(headers.get("x-keep") == "yes", "X-Keep lost: %s" % short(headers))
    check("authorization" not in headers, "Authorization carried to another host: %s" % short(headers))


@test
def io_redirected_engine_io_handshake_polling():
    r = sioc(["io", "--transport", "polling", "--exit-after", "3", "http://127.0.0.1:%d/" % PORTS["redirector"]],
             stdin=b'["delay",300,"r"]\n', close_stdin=False)
    check(r.rc == 0 and [e.get("args") for e in r.events("delayed-back")] == [["r"]], r.describe())


@test
def io_redirected_engine_io_handshake_websocket():
    r = sioc(["io", "--transport", "websocket", "--exit-after", "3", "http://127.0.0.1:%d/" % PORTS["redirector"]],
             stdin=b'["delay",300,"w"]\n', close_stdin=False)
    check(r.rc == 0 and [e.get("args") for e in r.events("delayed-back")] == [["w"]], r.describe())


@test
def refused_handshake_record_has_status_and_body():
    r = sioc(["ws", redirector("/unauthorized")], close_stdin=False)
    errs = r.of("error")
    check(r.rc == 1 and errs, r.describe())
    check(errs[0].get("status") == 401 and errs[0].get("body") == "token expired",
          "no status and body in the error record: %s" % r.describe())


# ------------------------------------------------------------------ main

def main():
    global OPTS, WRAPPER, SLOW, PROXIES
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sioc", default=os.path.join(ROOT, "build", "sioc"))
    add_common_options(ap)
    OPTS = ap.parse_args()
    if OPTS.list:
        for name, _ in REG.tests:
            print(name)
        return 0
    OPTS.sioc = os.path.abspath(OPTS.sioc)
    WRAPPER = shlex.split(OPTS.wrapper)
    SLOW = OPTS.slow_factor or (6.0 if WRAPPER else 1.0)
    OPTS.tmp = tempfile.mkdtemp(prefix="sio-integration-proxy-")
    sigterm_as_interrupt()
    counts = new_counts()
    t0 = time.monotonic()
    PROXIES = Proxies(OPTS.tmp)

    def alive():
        if not PROXIES.alive() or any(p.poll() is not None for p in PROCS):
            raise RuntimeError("a server or proxy died (logs in %s)" % OPTS.tmp)
    try:
        start_node("ws", "ws_echo.js")
        start_node("io", "io_server.js")
        start_redirector()
        PROXIES.start()
        run_tests(REG.select(OPTS.filter), counts, alive)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        counts["fail"] += 1
    except Exception as e:
        print("FAIL harness: %s" % e, flush=True)
        counts["fail"] += 1
    finally:
        kill_live()
        PROXIES.stop()
        for p in PROCS:
            try:
                os.killpg(p.pid, 9)
            except OSError:
                pass
            p.wait()
    print("(%.1fs; logs in %s)" % (time.monotonic() - t0, OPTS.tmp), file=sys.stderr)
    if counts["skip"]:
        print("%d skipped" % counts["skip"])
    print("%d passed, %d failed" % (counts["pass"], counts["fail"]))
    return 1 if counts["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
