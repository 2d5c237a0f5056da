#!/usr/bin/python3
"""TLS integration tests for `sioc ws` / `sioc io` (wss:// and https://).

    tests/integration_tls.py --sioc build-tls/sioc
    tests/integration_tls.py --sioc build-tls/sioc --sioc-plain build/sioc
    tests/integration_tls.py --sioc build-tls/sioc --wrapper 'valgrind --error-exitcode=99 -q'
    tests/integration_tls.py --sioc build-tls/sioc -k mtls,expired   (names containing any)
    tests/integration_tls.py --list

build-tls/sioc comes from `make TLS=bearssl BUILD_DIR=build-tls build-tls/sioc`.
Generates certificates into a temporary directory with tests/make_certs.sh
(openssl command line) and starts tests/servers/tls_server.js (node + the repo's
pinned `ws` and `socket.io`; `npm ci` first), which listens on 127.0.0.1 with
one HTTPS port per certificate variant: server, wrongname, expired, untrusted,
ec, mtls.  URLs use the host name `localhost` (the certificates name it).
Prints "PASS name" / "FAIL name: why" (and "SKIP name: why") per test, then
"N passed, N failed"; exits 1 if any test failed.
"""
import argparse
import base64
import hashlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import urllib.parse
import tempfile
import threading
import time

from harness import (TestFailure, TestSkip, check, short, kill_live, run_json,
                     Registry, add_common_options, run_tests, new_counts, sigterm_as_interrupt)
from proxies import Proxies

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SERVERS = os.path.join(HERE, "servers")
MIB = 1024 * 1024
VARIANTS = ("server", "wrongname", "expired", "untrusted", "ec", "mtls")

OPTS = None          # parsed command line
WRAPPER = []         # argv prefix for every sioc run
SLOW = 1.0           # multiplier for time limits (bigger under a wrapper)
PORTS = {}           # variant -> port
EXTRA_PROCS = []     # helpers started by tests (fake_dns.py), stopped at the end
CERTS = None         # directory with the generated certificates
PROXIES = None       # tinyproxy, microsocks and the fake proxies (tests/proxies.py)


def cert(name):
    return os.path.join(CERTS, name)


# ------------------------------------------------------------------ servers

class TlsServer:
    def __init__(self):
        self.proc = None
        self.log = None

    def start(self):
        nm = os.path.join(ROOT, "node_modules")
        for mod in ("ws", "socket.io"):
            if not os.path.isdir(os.path.join(nm, mod)):
                raise RuntimeError("node_modules/%s missing: run `npm ci` in %s" % (mod, ROOT))
        env = dict(os.environ)
        env["NODE_PATH"] = nm + (os.pathsep + env["NODE_PATH"] if env.get("NODE_PATH") else "")
        self.log = os.path.join(OPTS.tmp, "tls_server.log")
        logf = open(self.log, "wb")
        self.proc = subprocess.Popen(["node", os.path.join(SERVERS, "tls_server.js"), CERTS],
                                     cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=logf,
                                     start_new_session=True)
        logf.close()
        lines = []

        def read():
            for raw in self.proc.stdout:
                line = raw.decode("ascii", "replace").strip()
                lines.append(line)
                if line == "READY":
                    return
        t = threading.Thread(target=read, daemon=True)
        t.start()
        t.join(20)
        if not lines or lines[-1] != "READY":
            raise RuntimeError("tls_server.js did not get ready (got %r); see %s"
                               % (lines, self.log))
        for line in lines:
            parts = line.split()
            if len(parts) == 3 and parts[0] == "PORT":
                PORTS[parts[1]] = int(parts[2])
        missing = [v for v in VARIANTS if v not in PORTS]
        if missing:
            raise RuntimeError("tls_server.js printed no port for %s" % missing)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except OSError:
                pass
        try:
            self.proc.wait(3)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                pass
            self.proc.wait()

    def log_tail(self, n=600):
        try:
            with open(self.log, "rb") as f:
                data = f.read()
            return data[-n:].decode("utf-8", "replace").strip().replace("\n", " | ")
        except OSError:
            return ""


SERVER = TlsServer()


# --------------------------------------------------------------- running sioc

def run_sioc(binary, args, stdin=b"", close_stdin=True, timeout=15.0):
    """Run BINARY MODE --json ARGS.  stdin is written, then closed unless
    close_stdin is False (then it stays open until sioc exits)."""
    args = list(args)
    if "--json" not in args:
        args = [args[0], "--json"] + args[1:]
    return run_json(WRAPPER + [binary] + args, stdin, close_stdin, timeout * SLOW, bool(WRAPPER), 500)


def sioc(args, **kw):
    OPTS.sioc_is_tls = True
    return run_sioc(OPTS.sioc, args, **kw)


def sioc_plain(args, **kw):
    OPTS.sioc_is_tls = False
    return run_sioc(OPTS.sioc_plain, args, **kw)


def expect_rc(run, rc):
    check(run.rc == rc, "expected exit %d, got %s: %s" % (rc, run.rc, run.describe()))


def expect_open_first(run):
    check(run.records and run.records[0].get("type") == "open",
          "first record is not open: %s" % run.describe())


def expect_tls_failure(run, phrase):
    """Exit 1, an error record naming PHRASE, and no open/connect record."""
    expect_rc(run, 1)
    check(run.of("error"), "expected an error record: %s" % run.describe())
    check(not run.of("open") and not run.of("connect") and not run.messages,
          "handshake reported success on a connection that must fail: %s" % run.describe())
    if OPTS.sioc_is_tls:
        check("not available" not in run.error_text(),
              "the TLS build says TLS is not available: %s" % run.describe())
    if phrase is not None:
        check(phrase in run.error_text(), "error message does not contain %r: %s"
              % (phrase, short(run.error_text(), 400)))


def b64d(rec):
    return base64.b64decode(rec.get("data_b64", ""))


def alphabet_az(n):
    return (b"abcdefghijklmnopqrstuvwxyz" * (n // 26 + 1))[:n]


def ascii_payload(n, seed=0):
    alphabet = bytes(range(33, 127))  # printable, no space/newline
    base = alphabet * (n // len(alphabet) + 2)
    off = seed % len(alphabet)
    return base[off:off + n]


def wss(variant, path="/echo"):
    return "wss://localhost:%d%s" % (PORTS[variant], path)


def https(variant, ns="/"):
    return "https://localhost:%d%s" % (PORTS[variant], ns)


def ca_args(name="ca.pem"):
    return ["--cafile", cert(name)]


# -------------------------------------------------------------------- tests

REG = Registry()
test = REG.test


def add_test(name, fn):
    fn.__name__ = name
    REG.add(name, fn)


def text_echo(variant, extra, payload, max_message=None, timeout=15.0):
    args = ["ws", "--exit-after", "1"] + list(extra)
    if max_message:
        args += ["--max-message", str(max_message)]
    r = sioc(args + [wss(variant)], stdin=payload + b"\n", close_stdin=False, timeout=timeout)
    expect_rc(r, 0)
    expect_open_first(r)
    msgs = r.messages
    check(len(msgs) == 1, "expected exactly 1 message record, got %d: %s"
          % (len(msgs), r.describe()))
    m = msgs[0]
    check(m.get("binary") is False, "echo of a text line not text: %s" % short(m))
    got = m.get("data", "").encode("utf-8")
    check(got == payload, "echo differs: got %d bytes (sha %s), want %d bytes (sha %s); "
          "first diff at %s" % (len(got), hashlib.sha256(got).hexdigest()[:12], len(payload),
                                hashlib.sha256(payload).hexdigest()[:12],
                                next((i for i, (a, b) in enumerate(zip(got, payload)) if a != b),
                                     min(len(got), len(payload)))))
    return r


def push_echo(variant, n, text=False, extra=(), max_message=None, timeout=15.0):
    """The server pushes n bytes; sioc --echo sends them back; the server
    answers "ok <sha256>" and closes 1000."""
    args = ["ws", "--echo"] + list(extra) + ca_args()
    if max_message:
        args += ["--max-message", str(max_message)]
    path = "/push?size=%d%s" % (n, "&text=1" if text else "")
    r = sioc(args + [wss(variant, path)], close_stdin=False, timeout=timeout)
    expect_rc(r, 0)
    expect_open_first(r)
    msgs = r.messages
    check(len(msgs) >= 2, "expected payload + verdict messages: %s" % r.describe())
    first = msgs[0]
    if text:
        check(first.get("binary") is False, "pushed text reported binary: %s" % short(first))
        got = first.get("data", "").encode("utf-8")
    else:
        check(first.get("binary") is True, "pushed binary not reported binary: %s"
              % short(first))
        got = b64d(first)
    check(len(got) == n, "payload record has %d bytes, want %d" % (len(got), n))
    verdict = msgs[1]
    check(verdict.get("binary") is False and verdict.get("data", "").startswith("ok "),
          "server verdict on the echo: %s" % short(verdict))
    check(verdict["data"][3:] == hashlib.sha256(got).hexdigest(),
          "printed payload differs from what the server sent (sha256)")
    if text:
        check(got == alphabet_az(n), "text payload content wrong")
    c = r.close_rec()
    check(c is not None and c.get("code") == 1000,
          "expected close record code 1000: %s" % short(c))
    return r


def whoami(variant, extra):
    """Connect to /whoami; return the server's view of the connection."""
    r = sioc(["ws", "--exit-after", "1"] + list(extra) + [wss(variant, "/whoami")],
             close_stdin=False)
    expect_rc(r, 0)
    expect_open_first(r)
    msgs = r.messages
    check(len(msgs) == 1 and msgs[0].get("binary") is False,
          "expected one text message from /whoami: %s" % r.describe())
    try:
        return json.loads(msgs[0]["data"])
    except ValueError:
        raise TestFailure("/whoami sent non-JSON %s" % short(msgs[0]))


# --- successful connections -------------------------------------------------

@test
def wss_text_echo_with_cafile():
    text_echo("server", ca_args(), b"hello over TLS")


@test
def wss_text_echo_utf8_with_cafile():
    text_echo("server", ca_args(),
              "h\u00e9llo w\u00f6rld \u20ac \U0001F600 \u4e2d\u6587".encode("utf-8"))


@test
def wss_several_lines_in_order():
    lines = [b"line-%d-" % i + ascii_payload(1000 + i * 1000, seed=i) for i in range(5)]
    r = sioc(["ws", "--exit-after", "5"] + ca_args() + [wss("server")],
             stdin=b"".join(l + b"\n" for l in lines), close_stdin=False)
    expect_rc(r, 0)
    got = [m.get("data", "").encode("utf-8") for m in r.messages]
    check(got == lines, "echoed lines differ: %s" % short([len(g) for g in got]))


@test
def wss_cafile_with_several_certificates():
    # both_cas.pem = ca.pem + other_ca.pem: either server verifies
    text_echo("server", ca_args("both_cas.pem"), b"first ca in the bundle")
    text_echo("untrusted", ca_args("both_cas.pem"), b"second ca in the bundle")


@test
def wss_url_without_path():
    # no path at all: the request goes to "/" (the server greets with "root server")
    r = sioc(["ws", "--exit-after", "1"] + ca_args() + ["wss://localhost:%d" % PORTS["server"]],
             close_stdin=False)
    expect_rc(r, 0)
    expect_open_first(r)
    check([m.get("data") for m in r.messages] == ["root server"],
          "expected the greeting of /: %s" % r.describe())


@test
def wss_binary_push_echo_64k():
    push_echo("server", 65536)


@test
def wss_text_push_echo_64k():
    push_echo("server", 65536, text=True)


@test
def wss_text_echo_16mib():
    text_echo("server", ca_args(), ascii_payload(16 * MIB, seed=7),
              max_message=17000000, timeout=60)


@test
def wss_binary_push_echo_16mib():
    push_echo("server", 16 * MIB, max_message=17000000, timeout=60)


@test
def wss_ec_server_certificate():
    text_echo("ec", ca_args(), b"ecdsa p-256 server")
    info = whoami("ec", ca_args())
    if info.get("protocol") != "TLSv1.3":        # TLS 1.3 suites do not name the key
        check("ECDSA" in (info.get("cipher") or ""), "cipher %r is not ECDSA" % info.get("cipher"))


@test
def wss_close_handshake_on_stdin_eof():
    r = sioc(["ws"] + ca_args() + [wss("server")], stdin=b"one\n", close_stdin=True)
    expect_rc(r, 0)
    c = r.close_rec()
    check(c is not None and c.get("code") == 1000,
          "expected close record 1000 after stdin EOF: %s" % r.describe())


# --- verification failures --------------------------------------------------

@test
def wss_untrusted_ca_is_not_trusted():
    r = sioc(["ws"] + ca_args() + [wss("untrusted")], close_stdin=False)
    expect_tls_failure(r, "not trusted")


@test
def wss_wrong_host_name():
    r = sioc(["ws"] + ca_args() + [wss("wrongname")], close_stdin=False)
    expect_tls_failure(r, "host name")


@test
def wss_expired_certificate():
    r = sioc(["ws"] + ca_args() + [wss("expired")], close_stdin=False)
    expect_tls_failure(r, "expired")


@test
def wss_default_trust_store_rejects_private_ca():
    if not os.path.exists("/etc/ssl/certs/ca-certificates.crt"):
        raise TestSkip("no /etc/ssl/certs/ca-certificates.crt")
    r = sioc(["ws", wss("server")], close_stdin=False)
    expect_tls_failure(r, "not trusted")


# --- pinning (SHA-256 of the server's SubjectPublicKeyInfo) ------------------

def pin_of(name):
    """sha256/BASE64 of the public key in certificate NAME (the openssl command line)."""
    pub = subprocess.run(["openssl", "x509", "-in", cert(name), "-pubkey", "-noout"],
                         check=True, capture_output=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=pub,
                         check=True, capture_output=True).stdout
    return "sha256/" + base64.b64encode(hashlib.sha256(der).digest()).decode()


WRONG_PIN = "sha256/" + base64.b64encode(b"\x00" * 32).decode()


# --- records real servers never send (tests/servers/tls_records.py) ----------

def hostile_records(mode):
    """sioc against tls_records.py MODE; returns the run."""
    try:
        import cryptography  # noqa: F401  (the server makes its records with it)
    except ImportError:
        raise TestSkip("python3-cryptography missing")
    py = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
    p = subprocess.Popen([py, os.path.join(SERVERS, "tls_records.py"), cert("server.pem"), cert("server.key"), mode],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        line = p.stdout.readline()
        check(line.startswith(b"PORT "), "tls_records.py did not start: %r" % line)
        return sioc(["ws"] + ca_args() + ["wss://localhost:%d/" % int(line.split()[1])], close_stdin=False, timeout=15)
    finally:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except OSError:
            pass
        p.wait()


@test
def wss_empty_records_are_not_the_end():
    for mode in ("empty-1", "empty-2", "empty-3"):
        r = hostile_records(mode)
        check("after-empty" in r.texts(), "%s: the message after the empty records was lost: %s" % (mode, r.describe()))


@test
def wss_nothing_after_close_notify_is_delivered():
    r = hostile_records("close-then-data")
    check(r.texts() == ["before-close"], "messages: %s" % r.describe())
    expect_rc(r, 1)


@test
def wss_hello_request_and_warning_alert_are_passed_over():
    for mode, text in (("hello-request", "after-hello"), ("warning-alert", "after-warning")):
        r = hostile_records(mode)
        check(text in r.texts(), "%s: %s" % (mode, r.describe()))


@test
def wss_garbage_instead_of_a_record_is_a_tls_error():
    r = hostile_records("garbage")
    check(r.texts() == ["before-garbage"], "messages: %s" % r.describe())
    expect_rc(r, 1)
    check("tls:" in r.error_text(), "no TLS error: %s" % r.describe())


@test
def wss_pin_matches_with_the_chain():
    text_echo("server", ca_args() + ["--pin", WRONG_PIN, "--pin", pin_of("server.pem")], b"pinned")


@test
def wss_pin_mismatch_is_refused_though_the_chain_is_trusted():
    r = sioc(["ws"] + ca_args() + ["--pin", WRONG_PIN, wss("server")], close_stdin=False)
    expect_tls_failure(r, "matches none of the pins")


@test
def wss_pins_instead_of_chain_accept_an_untrusted_ca():
    r = sioc(["ws"] + ca_args() + ["--pin", pin_of("untrusted.pem"), wss("untrusted")], close_stdin=False)
    expect_tls_failure(r, "not trusted")
    text_echo("untrusted", ca_args() + ["--pin", pin_of("untrusted.pem"), "--pins-instead-of-chain"],
              b"pinned, no anchor")
    text_echo("untrusted", ["--pin", pin_of("untrusted.pem"), "--pins-instead-of-chain"],
              b"pinned, no trust store")
    r = sioc(["ws", "--pin", pin_of("server.pem"), "--pins-instead-of-chain", wss("untrusted")],
             close_stdin=False)
    expect_tls_failure(r, "matches none of the pins")


@test
def wss_pins_instead_of_chain_still_check_name_and_dates():
    r = sioc(["ws", "--pin", pin_of("wrongname.pem"), "--pins-instead-of-chain", wss("wrongname")],
             close_stdin=False)
    expect_tls_failure(r, "host name")
    r = sioc(["ws", "--pin", pin_of("expired.pem"), "--pins-instead-of-chain", wss("expired")],
             close_stdin=False)
    expect_tls_failure(r, "expired")


@test
def library_verification_hook_sees_the_certificate_last():
    prog = library_program("test_tls_hook")
    rc, out = run_program([prog, wss("server"), cert("ca.pem"), "count"])
    check(rc == 0 and "hook host=localhost der=cert spki=1" in out and "open" in out,
          "exit %s: %s" % (rc, short(out, 600)))
    rc, out = run_program([prog, wss("server"), cert("ca.pem"), "refuse"])
    check(rc == 1 and "the test's hook refused localhost" in out and "open" not in out,
          "exit %s: %s" % (rc, short(out, 600)))
    # after a failed check the hook is not asked: an unknown CA, one sent in the chain too (its
    # leaf alone looks fine), a certificate for e-mail only and one whose key may not sign (both
    # checked after the chain)
    for variant, why in (("untrusted", "not trusted"), ("untrustedchain", "not trusted"),
                         ("emailonly", "serverAuth"), ("kuencipher", "digitalSignature"),
                         ("kunonrep", "digitalSignature"), ("kucertsign", "digitalSignature")):
        rc, out = run_program([prog, wss(variant), cert("ca.pem"), "accept"])
        check(rc == 1 and "hook" not in out and why in out, "%s: exit %s: %s" % (variant, rc, short(out, 600)))


@test
def library_engine_shows_all_its_ciphertext():
    # The client learns that an Engine.IO 3 ping has left from the ciphertext send_buf shows:
    # the backend must not hide any (OpenSSL kept taking plaintext into its BIO, mbedTLS kept
    # a record inside).
    prog = library_program("test_tls_engine")
    port = urllib.parse.urlparse(wss("server")).port
    rc, out = run_program([prog, "localhost", str(port), cert("ca.pem")])
    check(rc == 0 and "ok" in out, "exit %s: %s" % (rc, short(out, 600)))


@test
def wss_bad_pin_is_a_usage_error():
    for bad in ("sha1/" + WRONG_PIN[7:], "sha256/abc", WRONG_PIN[:-1]):
        r = sioc(["ws", "--pin", bad, wss("server")], close_stdin=False)
        expect_rc(r, 2)


def bearssl_only(what):
    """The rest of a test checks a BearSSL-only relaxation (--tls-relax)."""
    return OPTS.backend == "bearssl"


def with_env(env, fn):
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        return fn()
    finally:
        os.environ.clear()
        os.environ.update(saved)


@test
def wss_trust_store_from_ssl_cert_file():
    r = with_env({"SSL_CERT_FILE": cert("ca.pem")},
                 lambda: sioc(["ws", "--exit-after", "1", wss("server")], stdin=b"env\n", close_stdin=False))
    expect_rc(r, 0)
    check(r.texts() == ["env"], "no echo: %s" % r.describe())


@test
def wss_trust_store_from_ssl_cert_dir():
    d = os.path.join(OPTS.tmp, "certdir")
    os.makedirs(d, exist_ok=True)
    shutil.copy(cert("ca.pem"), os.path.join(d, "ca.pem"))
    with open(os.path.join(d, "README"), "w") as f:
        f.write("not a certificate\n")
    if OPTS.backend == "openssl":     # OpenSSL looks certificates up by subject hash (openssl rehash)
        subprocess.run(["openssl", "rehash", d], check=True, capture_output=True)
    r = with_env({"SSL_CERT_FILE": "", "SSL_CERT_DIR": "/nonexistent:" + d},   # SSL_CERT_FILE would win
                 lambda: sioc(["ws", "--exit-after", "1", wss("server")], stdin=b"dir\n", close_stdin=False))
    expect_rc(r, 0)
    check(r.texts() == ["dir"], "no echo: %s" % r.describe())


def run_program(argv, timeout=15.0):
    p = subprocess.run(WRAPPER + argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=timeout * SLOW)
    return p.returncode, p.stdout.decode("utf-8", "replace")


def library_program(name):
    path = os.path.join(os.path.dirname(OPTS.sioc), name)
    if not os.access(path, os.X_OK):
        raise TestSkip("no %s next to %s" % (name, OPTS.sioc))
    return path


@test
def library_wss_without_tls_code_uses_the_system_store():
    # examples/echo_client.c sets only cfg.url: a build with BearSSL makes the
    # backend itself, verified against the system's store (here SSL_CERT_FILE).
    prog = library_program("echo_client")
    rc, out = with_env({"SSL_CERT_FILE": cert("ca.pem")}, lambda: run_program([prog, wss("server")]))
    check(rc == 0 and "[echo] text message: hello from sio" in out and "binary message, 3 bytes" in out,
          "exit %s: %s" % (rc, short(out, 600)))


@test
def library_wss_without_tls_code_refuses_an_untrusted_server():
    prog = library_program("echo_client")
    rc, out = with_env({"SSL_CERT_FILE": cert("other_ca.pem")}, lambda: run_program([prog, wss("server")]))
    check(rc != 0 and "open" not in out and "certificate chain is not trusted" in out,
          "exit %s: %s" % (rc, short(out, 600)))


@test
def library_https_without_tls_code_uses_the_system_store():
    prog = library_program("incari_nodes")
    rc, out = with_env({"SSL_CERT_FILE": cert("ca.pem")}, lambda: run_program([prog, https("server")]))
    check(rc == 0 and "On Socket.IO Start" in out and "On Socket.IO Receive" in out, "exit %s: %s" % (rc, short(out, 800)))


@test
def wss_bad_ssl_cert_file_is_named():
    r = with_env({"SSL_CERT_FILE": "/nonexistent/ca.pem"}, lambda: sioc(["ws", wss("server")], close_stdin=False))
    check(r.rc != 0 and not r.of("open"), "connected: %s" % r.describe())
    text = r.error_text() + r.stderr()
    check("SSL_CERT_FILE" in text and "/nonexistent/ca.pem" in text, "SSL_CERT_FILE not named: %s" % r.describe())


@test
def wss_cafile_of_other_ca_rejects_server():
    r = sioc(["ws"] + ca_args("other_ca.pem") + [wss("server")], close_stdin=False)
    expect_tls_failure(r, "not trusted")


@test
def wss_missing_cafile_fails():
    r = sioc(["ws", "--cafile", cert("does-not-exist.pem"), wss("server")], close_stdin=False)
    check(r.rc in (1, 2), "expected exit 1 or 2 for a missing --cafile, got %s: %s"
          % (r.rc, r.describe()))
    check(not r.of("open"), "connected although --cafile does not exist: %s" % r.describe())


@test
def wss_cafile_without_certificates_fails():
    bad = os.path.join(OPTS.tmp, "empty.pem")
    with open(bad, "w") as f:
        f.write("no certificates in here\n")
    r = sioc(["ws", "--cafile", bad, wss("server")], close_stdin=False)
    check(r.rc in (1, 2), "expected exit 1 or 2 for a --cafile without certificates, got %s: %s"
          % (r.rc, r.describe()))
    check(not r.of("open"), "connected with an empty trust store: %s" % r.describe())


# --- policy: TLS 1.2+, ECDHE + AEAD, no renegotiation, EKU, no SNI for IPs ---

@test
def wss_tls10_server_refused_unless_relaxed():
    r = sioc(["ws"] + ca_args() + [wss("tls10")], close_stdin=False)
    expect_tls_failure(r, "cipher suite in common")
    if not bearssl_only("--tls-relax tls1.0"):
        return
    text_echo("tls10", ca_args() + ["--tls-relax", "tls1.0", "--tls-relax", "legacy-suites"], b"old server")
    # the version alone is enough: it brings the forward-secret CBC suites TLS 1.0 has
    text_echo("tls10", ca_args() + ["--tls-relax", "tls1.0"], b"old server, ECDHE")


@test
def wss_static_rsa_suites_refused_unless_relaxed():
    r = sioc(["ws"] + ca_args() + [wss("staticrsa")], close_stdin=False)
    expect_tls_failure(r, "cipher suite in common")
    if not bearssl_only("--tls-relax legacy-suites"):
        return
    text_echo("staticrsa", ca_args() + ["--tls-relax", "legacy-suites"], b"no forward secrecy")
    # static RSA only encrypts to the key: one whose Key Usage is keyEncipherment alone serves
    text_echo("staticrsaku", ca_args() + ["--tls-relax", "legacy-suites"], b"encipherment only")


@test
def wss_default_suite_is_ecdhe_aead():
    info = whoami("tls12", ca_args())
    check(info.get("protocol") == "TLSv1.2", "protocol %s" % short(info))
    check(str(info.get("cipher", "")).startswith("ECDHE-") and
          ("GCM" in info.get("cipher", "") or "CHACHA20" in info.get("cipher", "")),
          "cipher %s" % short(info))


@test
def wss_key_not_for_signing_is_refused():
    # keyUsage keyEncipherment only: no ECDHE or TLS 1.3 handshake can use it (OpenSSL would);
    # nonRepudiation (BearSSL counts it as signing) or keyCertSign alone (OpenSSL's purpose check
    # refused it as an Extended Key Usage fault) are no better, and every backend says so alike
    for variant in ("kuencipher", "kunonrep", "kucertsign"):
        r = sioc(["ws"] + ca_args() + [wss(variant)], close_stdin=False)
        expect_tls_failure(r, "does not allow signing (digitalSignature)")
    if bearssl_only("legacy suites"):   # static RSA allowed, but the server chose ECDHE
        r = sioc(["ws"] + ca_args() + ["--tls-relax", "legacy-suites", wss("kuencipher")], close_stdin=False)
        expect_tls_failure(r, "does not allow signing (digitalSignature)")


@test
def wss_two_faults_name_the_chain_first():
    # an unknown CA, and reached by address no IP SAN: the chain is what every backend names
    url = "wss://127.0.0.1:%d/echo" % PORTS["untrustednoip"]
    r = sioc(["ws"] + ca_args() + [url], close_stdin=False)
    expect_tls_failure(r, "not trusted")


@test
def wss_alpn_offers_http11():
    # OpenSSL and mbedTLS offer ALPN http/1.1 (the server chooses it); BearSSL offers none
    info = whoami("server", ca_args())
    want = False if OPTS.backend == "bearssl" else "http/1.1"
    check(info.get("alpn") == want, "alpn %r, expected %r: %s" % (info.get("alpn"), want, short(info)))


@test
def wss_tls13_only_server():
    if not OPTS.tls13:                  # BearSSL and mbedTLS 2 speak TLS 1.2 at most: refused, and said so
        r = sioc(["ws"] + ca_args() + [wss("tls13")], close_stdin=False)
        expect_tls_failure(r, "no TLS version or cipher suite in common")
        return
    info = whoami("tls13", ca_args())
    check(info.get("protocol") == "TLSv1.3", "protocol %s" % short(info))


@test
def wss_renegotiation_refused_unless_relaxed():
    # Refused, the server (OpenSSL) ends the connection; relaxed, it goes on.
    r = sioc(["ws", "--exit-after", "1"] + ca_args() + [wss("tls12", "/renegotiate")], close_stdin=False)
    check(not any(m.get("data", "").startswith("renegotiated") for m in r.messages),
          "the client renegotiated: %s" % r.describe())
    if not bearssl_only("--tls-relax renegotiation"):
        return
    r = sioc(["ws", "--exit-after", "1"] + ca_args() + ["--tls-relax", "renegotiation",
                                                         wss("tls12", "/renegotiate")], close_stdin=False)
    expect_rc(r, 0)
    texts = [m.get("data", "") for m in r.messages]
    check(texts[:1] == ["renegotiated"], "relaxed, the server saw %s" % short(texts))


@test
def wss_email_only_eku_is_refused_unless_relaxed():
    r = sioc(["ws"] + ca_args() + [wss("emailonly")], close_stdin=False)
    expect_tls_failure(r, "Extended Key Usage")
    if not bearssl_only("--tls-relax any-eku"):
        return
    text_echo("emailonly", ca_args() + ["--tls-relax", "any-eku"], b"eku relaxed")


@test
def wss_ip_host_sends_no_sni_and_matches_ip_sans():
    r = sioc(["ws", "--exit-after", "1"] + ca_args() + ["wss://127.0.0.1:%d/whoami" % PORTS["ipsan"]],
             close_stdin=False)
    expect_rc(r, 0)
    info = json.loads(r.messages[0]["data"]) if r.messages else {}
    check(info.get("servername") is False, "the client sent SNI for an IP host: %s" % short(info))
    info = whoami("server", ca_args())
    check(info.get("servername") == "localhost", "SNI for a name: %s" % short(info))


def start_fake_dns():
    """tests/servers/fake_dns.py on a free UDP port (www.sio.test and deep.www.sio.test are 127.0.0.1)."""
    if "dns" not in PORTS:
        py = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
        p = subprocess.Popen([py, os.path.join(SERVERS, "fake_dns.py"), "0"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, start_new_session=True)
        EXTRA_PROCS.append(p)
        PORTS["dns"] = int(p.stdout.readline().split()[1])
    return "127.0.0.1:%d" % PORTS["dns"]


@test
def wss_wildcard_certificate_matches_one_label():
    # DNS:*.sio.test: www.sio.test matches; deep.www.sio.test (two labels) does not (RFC 6125 6.4.3)
    dns = start_fake_dns()
    port = PORTS["wildcard"]
    r = sioc(["ws", "--exit-after", "1", "--dns-server", dns] + ca_args() + ["wss://www.sio.test:%d/echo" % port],
             stdin=b"wild\n", close_stdin=False)
    expect_rc(r, 0)
    check(r.texts() == ["wild"], "no echo through the wildcard name: %s" % r.describe())
    r = sioc(["ws", "--dns-server", dns] + ca_args() + ["wss://deep.www.sio.test:%d/echo" % port], close_stdin=False)
    expect_tls_failure(r, "does not match the host name")
    r = sioc(["ws"] + ca_args() + ["wss://localhost:%d/echo" % port], close_stdin=False)
    expect_tls_failure(r, "does not match the host name")


@test
def wss_ip_host_not_in_ip_sans_is_refused():
    # server.pem has DNS:127.0.0.1 but no IP SAN for ::1; wrongname has none
    r = sioc(["ws"] + ca_args() + ["wss://127.0.0.1:%d/echo" % PORTS["wrongname"]], close_stdin=False)
    expect_tls_failure(r, "IP address SAN")


@test
def io_polling_body_cut_without_close_notify_is_an_error():
    # 0.2.0 took a TCP close without close_notify as the end of a body
    # delimited by the connection's end, which an attacker can forge.
    r = sioc(["io", "--json", "--no-reconnect", "--transport", "polling", "--path", "/trunc/"] + ca_args() +
             [https("server")], close_stdin=False, timeout=10)
    expect_tls_failure(r, "close_notify")


# --- --insecure -------------------------------------------------------------

@test
def wss_insecure_accepts_untrusted_ca():
    text_echo("untrusted", ["--insecure"], b"insecure but encrypted")


@test
def wss_insecure_accepts_wrong_name_and_expired():
    text_echo("wrongname", ["--insecure"], b"wrong name, insecure")
    text_echo("expired", ["--insecure"], b"expired, insecure")


# --- mutual TLS -------------------------------------------------------------

def make_mtls_ok(certfile, keyfile, cn):
    def t():
        info = whoami("mtls", ca_args() + ["--cert", cert(certfile), "--key", cert(keyfile)])
        check(info.get("authorized") is True and info.get("client_cn") == cn,
              "server's view of the client certificate: %s" % short(info))
        text_echo("mtls", ca_args() + ["--cert", cert(certfile), "--key", cert(keyfile)],
                  b"mutual " + certfile.encode())
    return t


add_test("mtls_client_cert_rsa_pkcs1_key", make_mtls_ok("client.pem", "client.key",
                                                        "sio test client"))
add_test("mtls_client_cert_rsa_pkcs8_key", make_mtls_ok("client.pem", "client_pkcs8.key",
                                                        "sio test client"))
add_test("mtls_client_cert_chain_file", make_mtls_ok("client_chain.pem", "client.key",
                                                     "sio test client"))
add_test("mtls_client_cert_ec_pkcs8_key", make_mtls_ok("client_ec.pem", "client_ec.key",
                                                       "sio test client ec"))
add_test("mtls_client_cert_ec_sec1_key", make_mtls_ok("client_ec.pem", "client_ec_sec1.key",
                                                      "sio test client ec"))


@test
def mtls_without_client_cert_fails():
    r = sioc(["ws"] + ca_args() + [wss("mtls")], close_stdin=False)
    # node refuses with a fatal handshake_failure alert: "tls:" plus details
    expect_tls_failure(r, "tls:")


@test
def mtls_client_cert_from_other_ca_fails():
    # node completes the handshake, then drops the connection (no alert):
    # any error record with exit 1 will do
    r = sioc(["ws"] + ca_args() + ["--cert", cert("client_untrusted.pem"),
                                    "--key", cert("client_untrusted.key"), wss("mtls")],
             close_stdin=False)
    expect_tls_failure(r, None)


@test
def mtls_cert_without_key_is_refused():
    r = sioc(["ws"] + ca_args() + ["--cert", cert("client.pem"), wss("mtls")], close_stdin=False)
    check(r.rc in (1, 2), "expected exit 1 or 2 for --cert without --key, got %s: %s"
          % (r.rc, r.describe()))
    check(not r.of("open"), "connected with --cert but no --key: %s" % r.describe())


@test
def mtls_key_not_matching_cert_fails():
    r = sioc(["ws"] + ca_args() + ["--cert", cert("client.pem"), "--key", cert("client_ec.key"),
                                    wss("mtls")], close_stdin=False)
    check(r.rc in (1, 2), "expected exit 1 or 2 for a key that does not match, got %s: %s"
          % (r.rc, r.describe()))
    check(not r.of("open"), "connected with a key that does not match: %s" % r.describe())


# --- Socket.IO over TLS -----------------------------------------------------

def io_echo_ack(url, extra=()):
    args = ["1", "a", {"b": [True, None]}]
    lines = [["message-with-ack"] + args, ["message", "hi", 2]]
    data = b"".join(json.dumps(l).encode() + b"\n" for l in lines)
    r = sioc(["io", "--ack", "--exit-after", "1", "--no-reconnect"] + list(extra)
             + ca_args() + [url], stdin=data, close_stdin=False)
    expect_rc(r, 0)
    con = r.of("connect")
    check(con and con[0].get("ns") == "/" and con[0].get("sid"),
          "no connect record with a sid: %s" % r.describe())
    acks = r.of("ack")
    check(acks and acks[0].get("args") == args, "no ack record with args %s: %s"
          % (short(args), r.describe()))
    back = r.events("message-back")
    check(back and back[0].get("args") == ["hi", 2], "no message-back event: %s" % r.describe())
    return r


# ------------------------------------------------------------------ redirects over TLS

@test
def wss_redirect_to_plain_ws_is_refused():
    r = sioc(["ws"] + ca_args() + [wss("server", "/redirect-plain")], close_stdin=False)
    check(r.rc == 1 and "redirect: from a secure URL to a plain one refused" in r.error_text(), r.describe())


@test
def wss_redirect_on_the_same_server_stays_secure():
    r = sioc(["ws", "--exit-after", "1"] + ca_args() + [wss("server", "/redirect-secure")], stdin=b"still tls\n",
             close_stdin=False)
    expect_rc(r, 0)
    check(r.texts() == ["still tls"], r.describe())


# ------------------------------------------------------------------ TLS inside a proxy's tunnel

def need_proxy(name):
    if not PROXIES.has(name):
        raise TestSkip("%s is not installed" % name)


@test
def wss_through_http_proxy_verifies_the_origin():
    need_proxy("tinyproxy")
    r = sioc(["ws", "--proxy", PROXIES.url("tinyproxy"), "--exit-after", "1"] + ca_args() + [wss("server")],
             stdin=b"through\n", close_stdin=False)
    expect_rc(r, 0)
    check(r.texts() == ["through"], "no echo: %s" % r.describe())


@test
def wss_through_proxy_checks_the_origins_name_not_the_proxys():
    need_proxy("tinyproxy")
    r = sioc(["ws", "--proxy", PROXIES.url("tinyproxy")] + ca_args() + [wss("wrongname")], close_stdin=False)
    expect_tls_failure(r, "host name")


@test
def wss_through_socks5h_by_name():
    need_proxy("microsocks")
    r = sioc(["ws", "--proxy", PROXIES.url("microsocks", scheme="socks5h"), "--exit-after", "1"] + ca_args()
             + [wss("server")], stdin=b"socks\n", close_stdin=False)
    expect_rc(r, 0)
    check(r.texts() == ["socks"], "no echo: %s" % r.describe())


@test
def wss_proxy_speaking_before_tls_is_refused():
    r = sioc(["ws", "--proxy", "http://127.0.0.1:%d" % PROXIES.port("fake", "early")] + ca_args() + [wss("server")],
             close_stdin=False)
    check(r.rc == 1 and "proxy: bytes came through the tunnel before TLS started" in r.error_text(),
          "expected the early bytes refused: %s" % r.describe())


@test
def io_https_through_http_proxy_polling_and_upgrade():
    need_proxy("tinyproxy")
    io_echo_ack(https("server"), extra=("--proxy", PROXIES.url("tinyproxy"), "--transport", "auto"))


@test
def io_https_connect_event_and_ack():
    io_echo_ack(https("server"))


@test
def io_wss_url_connect_event_and_ack():
    io_echo_ack("wss://localhost:%d/" % PORTS["server"])


@test
def io_https_websocket_transport():
    io_echo_ack(https("server"), ["--transport", "websocket"])


@test
def io_https_polling_transport():
    if not OPTS.polling:
        raise TestSkip("this sioc has no polling transport (per --help)")
    io_echo_ack(https("server"), ["--transport", "polling"])


@test
def io_https_ec_server():
    io_echo_ack(https("ec"))


@test
def io_https_untrusted_is_not_trusted():
    r = sioc(["io", "--no-reconnect", "--exit-after", "1"] + ca_args() + [https("untrusted")],
             close_stdin=False)
    expect_tls_failure(r, "not trusted")


@test
def io_https_wrong_host_name():
    r = sioc(["io", "--no-reconnect", "--exit-after", "1"] + ca_args() + [https("wrongname")],
             close_stdin=False)
    expect_tls_failure(r, "host name")


@test
def io_https_polling_untrusted_is_not_trusted():
    if not OPTS.polling:
        raise TestSkip("this sioc has no polling transport (per --help)")
    r = sioc(["io", "--no-reconnect", "--transport", "polling", "--exit-after", "1"]
             + ca_args() + [https("untrusted")], close_stdin=False)
    expect_tls_failure(r, "not trusted")


@test
def io_https_mtls_with_client_cert():
    io_echo_ack(https("mtls"), ["--cert", cert("client.pem"), "--key", cert("client.key")])


# --- the build without TLS --------------------------------------------------

@test
def plain_build_refuses_wss():
    if not os.access(OPTS.sioc_plain, os.X_OK):
        raise TestSkip("no plain build at %s" % OPTS.sioc_plain)
    r = sioc_plain(["ws"] + ca_args() + [wss("server")], close_stdin=False)
    expect_tls_failure(r, "TLS")


@test
def plain_build_refuses_https_io():
    if not os.access(OPTS.sioc_plain, os.X_OK):
        raise TestSkip("no plain build at %s" % OPTS.sioc_plain)
    r = sioc_plain(["io", "--no-reconnect"] + [https("server")],
                 close_stdin=False)
    expect_tls_failure(r, "TLS")


# ------------------------------------------------------------------- runner

def detect_polling():
    try:
        p = subprocess.run([OPTS.sioc, "--help"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=10)
        text = p.stdout.decode("utf-8", "replace")
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "polling" in text and "polling comes later" not in text


def main():
    global OPTS, WRAPPER, SLOW, CERTS, PROXIES
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sioc", default=os.path.join(ROOT, "build-tls", "sioc"),
                    help="sioc built with TLS (default build-tls/sioc)")
    ap.add_argument("--backend", choices=("bearssl", "openssl", "mbedtls"), default="bearssl",
                    help="the TLS backend --sioc was built with (BearSSL's policy relaxations are not OpenSSL's)")
    ap.add_argument("--tls13", choices=("yes", "no"), default=None,
                    help="the backend speaks TLS 1.3 (default: yes for openssl; mbedTLS 3.6 builds do)")
    ap.add_argument("--sioc-plain", default=os.path.join(ROOT, "build", "sioc"),
                    help="sioc built without TLS (default build/sioc)")
    add_common_options(ap)
    OPTS = ap.parse_args()
    OPTS.tls13 = OPTS.backend == "openssl" if OPTS.tls13 is None else OPTS.tls13 == "yes"
    if OPTS.list:
        for name, _ in REG.tests:
            print(name)
        return 0
    OPTS.sioc = os.path.abspath(OPTS.sioc)
    OPTS.sioc_plain = os.path.abspath(OPTS.sioc_plain)
    if not os.access(OPTS.sioc, os.X_OK):
        print("sioc not found or not executable: %s" % OPTS.sioc, file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    if not shutil.which("openssl") or not shutil.which("node"):
        print("openssl and node are needed", file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    WRAPPER = shlex.split(OPTS.wrapper)
    SLOW = OPTS.slow_factor or (6.0 if WRAPPER else 1.0)
    OPTS.tmp = tempfile.mkdtemp(prefix="sio-integration-tls-")
    OPTS.polling = detect_polling()
    CERTS = os.path.join(OPTS.tmp, "certs")
    PROXIES = Proxies(OPTS.tmp)

    sigterm_as_interrupt()

    def server_alive():
        if not SERVER.alive():
            raise RuntimeError("tls_server.js died (exit %s): %s"
                               % (SERVER.proc.returncode, SERVER.log_tail()))

    counts = new_counts()
    t_start = time.monotonic()
    try:
        mk = subprocess.run(["sh", os.path.join(HERE, "make_certs.sh"), CERTS],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        if mk.returncode != 0:
            raise RuntimeError("make_certs.sh failed: %s"
                               % mk.stdout.decode("utf-8", "replace").strip()[-600:])
        SERVER.start()
        PROXIES.start()
        run_tests(REG.select(OPTS.filter), counts, server_alive)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        counts["fail"] += 1
    except Exception as e:
        print("FAIL harness: %s" % e, flush=True)
        counts["fail"] += 1
    finally:
        kill_live()
        SERVER.stop()
        PROXIES.stop()
        for p in EXTRA_PROCS:
            p.kill()
            p.wait()
    passed, failed, skipped = counts["pass"], counts["fail"], counts["skip"]
    if failed:
        print("(%.1fs; certificates and server log in %s)"
              % (time.monotonic() - t_start, OPTS.tmp), file=sys.stderr)
    else:
        shutil.rmtree(OPTS.tmp, ignore_errors=True)
        print("(%.1fs%s)" % (time.monotonic() - t_start,
                             ", %d skipped" % skipped if skipped else ""), file=sys.stderr)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
