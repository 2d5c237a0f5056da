"""Real and fake proxies for the integration runners, on 127.0.0.1 only:
Debian's tinyproxy (HTTP CONNECT, with and without Basic authentication),
microsocks (SOCKS5, with and without user/password), dante-server (SOCKS5,
no authentication: user/password in dante means system accounts) and
tests/servers/fake_proxy.py (a recording SOCKS5 proxy and hostile ones).

    p = Proxies(tmpdir); p.start(); ...; p.stop()
    p.url("tinyproxy")          -> "http://127.0.0.1:<port>"
    p.url("tinyproxy-auth", "alice:s3cret")
    p.port("fake", "garbage")
    p.requests()                -> the REQUEST lines fake_proxy.py printed so far
    p.connects("tinyproxy")     -> tunnels tinyproxy has opened so far (its log)
"""
import os
import shutil
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
AUTH = ("alice", "s3cret")


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_listening(port, proc, what, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError("%s exited at start (%s)" % (what, proc.returncode))
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("%s does not listen on port %d" % (what, port))


class Proxies:
    def __init__(self, tmp):
        self.tmp = tmp
        self.procs = []
        self.ports = {}
        self.fake_lines = []
        self.lock = threading.Lock()

    def available(self):
        """Names of the real proxies installed here."""
        return [n for n, exe in (("tinyproxy", "tinyproxy"), ("microsocks", "microsocks"), ("dante", "danted"))
                if shutil.which(exe)]

    def _spawn(self, name, argv, port):
        log = open(os.path.join(self.tmp, "proxy-%s.log" % name), "wb")
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                             start_new_session=True)
        log.close()
        self.procs.append(p)
        wait_listening(port, p, name)
        self.ports[name] = port

    def _tinyproxy(self, name, auth):
        port = free_port()
        conf = os.path.join(self.tmp, "%s.conf" % name)
        with open(conf, "w") as f:
            f.write("Port %d\nListen 127.0.0.1\nTimeout 60\nMaxClients 200\nLogLevel Connect\n"
                    "LogFile \"%s\"\n" % (port, os.path.join(self.tmp, "%s.connects" % name)))
            if auth:
                f.write("BasicAuth %s %s\n" % AUTH)
        self._spawn(name, ["tinyproxy", "-d", "-c", conf], port)

    def _microsocks(self, name, auth):
        port = free_port()
        argv = ["microsocks", "-i", "127.0.0.1", "-p", str(port)]
        if auth:
            argv += ["-u", AUTH[0], "-P", AUTH[1]]
        self._spawn(name, argv, port)

    def _dante(self, name):
        port = free_port()
        conf = os.path.join(self.tmp, "%s.conf" % name)
        with open(conf, "w") as f:
            f.write("logoutput: %s\ninternal: 127.0.0.1 port = %d\nexternal: 127.0.0.1\n"
                    "clientmethod: none\nsocksmethod: none\n" % (os.path.join(self.tmp, "%s.connects" % name), port))
            if os.geteuid() == 0:
                f.write("user.unprivileged: nobody\n")
            f.write("client pass {\n  from: 127.0.0.0/8 to: 0.0.0.0/0\n}\n"
                    "socks pass {\n  from: 127.0.0.0/8 to: 0.0.0.0/0\n  log: connect\n}\n")
        self._spawn(name, [shutil.which("danted"), "-f", conf, "-p", os.path.join(self.tmp, "%s.pid" % name)], port)

    def _fake(self):
        p = subprocess.Popen([PY, os.path.join(HERE, "servers", "fake_proxy.py")], stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=open(os.path.join(self.tmp, "proxy-fake.log"), "wb"),
                             start_new_session=True)
        self.procs.append(p)
        ready = threading.Event()

        def read():
            for raw in p.stdout:
                line = raw.decode("ascii", "replace").strip()
                parts = line.split()
                if len(parts) == 3 and parts[0] == "PORT":
                    self.ports["fake-" + parts[1]] = int(parts[2])
                elif line == "READY":
                    ready.set()
                else:
                    with self.lock:
                        self.fake_lines.append(line)
        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(15):
            raise RuntimeError("fake_proxy.py did not start")

    def start(self):
        self._fake()
        if shutil.which("tinyproxy"):
            self._tinyproxy("tinyproxy", False)
            self._tinyproxy("tinyproxy-auth", True)
        if shutil.which("microsocks"):
            self._microsocks("microsocks", False)
            self._microsocks("microsocks-auth", True)
        if shutil.which("danted"):
            self._dante("dante")

    def stop(self):
        for p in self.procs:
            try:
                os.killpg(p.pid, 9)
            except OSError:
                pass
            p.wait()

    def alive(self):
        return all(p.poll() is None for p in self.procs)

    def has(self, name):
        return name in self.ports

    def port(self, name, mode=None):
        return self.ports[name if mode is None else "%s-%s" % (name, mode)]

    def url(self, name, credentials=None, scheme=None):
        if scheme is None:
            scheme = "http" if name.startswith("tinyproxy") or not name.startswith(("microsocks", "dante", "fake-socks")) \
                else "socks5h"
        return "%s://%s127.0.0.1:%d" % (scheme, credentials + "@" if credentials else "", self.ports[name])

    def requests(self):
        with self.lock:
            return [l for l in self.fake_lines if l.startswith("REQUEST ")]

    def connects(self, name):
        try:
            with open(os.path.join(self.tmp, "%s.connects" % name), "rb") as f:
                text = f.read()
                return text.count(b"Established connection to host") + text.count(b"tcp/connect [:")
        except OSError:
            return 0
