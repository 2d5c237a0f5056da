"""Shared machinery of the integration runners (integration.py,
integration_io.py, integration_tls.py): failures and checks, running one
sioc process with a time limit, parsing --json records, the test registry
and the loop that prints PASS/FAIL/SKIP lines and "N passed, N failed"."""
import json
import os
import signal
import subprocess
import threading
import time
import traceback


# sioc reads http_proxy and its kin by default, as curl does: a runner's own
# environment must not send the tests through a proxy they did not choose.
for _name in list(os.environ):
    if _name.lower() in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        del os.environ[_name]


class TestFailure(Exception):
    pass


class TestSkip(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise TestFailure(msg)


def short(v, n=160):
    s = v if isinstance(v, str) else repr(v)
    return s if len(s) <= n else s[:n] + "...(%d chars)" % len(s)


# sioc processes still running: killed (whole process group) when a runner ends.
LIVE = set()
LIVE_LOCK = threading.Lock()


def track(p):
    with LIVE_LOCK:
        LIVE.add(p)


def untrack(p):
    with LIVE_LOCK:
        LIVE.discard(p)


def kill_live():
    with LIVE_LOCK:
        for p in list(LIVE):
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except OSError:
                pass


def spawn(argv, stdin=b"", close_stdin=True, timeout=15.0):
    """Runs argv to its end (killed after timeout seconds).  stdin is written,
    then closed unless close_stdin is False (then it stays open until the
    process exits).  Returns (rc, out, err, timed_out, elapsed)."""
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, start_new_session=True)
    track(p)
    out, err = [], []

    def reader(f, acc):
        acc.append(f.read())

    def writer():
        try:
            if stdin:
                p.stdin.write(stdin)
                p.stdin.flush()
            if close_stdin:
                p.stdin.close()
        except (BrokenPipeError, OSError, ValueError):
            pass

    ts = [threading.Thread(target=reader, args=(p.stdout, out), daemon=True),
          threading.Thread(target=reader, args=(p.stderr, err), daemon=True),
          threading.Thread(target=writer, daemon=True)]
    for t in ts:
        t.start()
    timed_out = False
    try:
        p.wait(timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except OSError:
            pass
        p.wait()
    elapsed = time.monotonic() - t0
    try:
        p.stdin.close()
    except (OSError, ValueError):
        pass
    for t in ts[:2]:
        t.join(10)
    untrack(p)
    return p.returncode, (out[0] if out else b""), (err[0] if err else b""), timed_out, elapsed


def parse_record(line):
    """One --json stdout line as a record dict, or None if it is not one."""
    try:
        obj = json.loads(line.decode("utf-8") if isinstance(line, bytes) else line)
    except (ValueError, UnicodeDecodeError):
        return None
    return obj if isinstance(obj, dict) and "type" in obj else None


def parse_records(out):
    """(records, bad_lines) of a --json run's whole stdout."""
    records, bad = [], []
    for line in out.split(b"\n"):
        if not line.strip():
            continue
        rec = parse_record(line)
        if rec is None:
            bad.append(line[:200])
        else:
            records.append(rec)
    return records, bad


class Records:
    """What one sioc run printed with --json, and the record helpers the
    runners share (integration.py, integration_io.py, integration_tls.py).
    A subclass sets records, rc, elapsed and says where stderr is."""
    describe_limit = 400

    def __init__(self):
        self.records = []
        self.bad_lines = []
        self.rc = None
        self.elapsed = 0.0
        self.timed_out = False

    def stderr(self):
        return ""

    def of(self, typ):
        return [r for r in self.records if r.get("type") == typ]

    @property
    def messages(self):
        return self.of("message")

    def texts(self):
        return [m.get("data") for m in self.messages if m.get("binary") is False]

    def events(self, name=None):
        return [e for e in self.of("event") if name is None or e.get("name") == name]

    def close_rec(self):
        c = self.of("close")
        return c[-1] if c else None

    def error_text(self):
        return " | ".join(str(e.get("message", "")) for e in self.of("error"))

    def describe(self):
        err = self.stderr().strip().replace("\n", " | ")
        recs = json.dumps([{k: v for k, v in r.items() if k != "_t"} for r in self.records], ensure_ascii=True)
        if len(recs) > self.describe_limit:
            recs = recs[:self.describe_limit] + "...(%d records)" % len(self.records)
        return "rc=%s elapsed=%.2fs records=%s stderr=%s" % (self.rc, self.elapsed, recs, short(err, 300))


def check_exit(rc, timed_out, timeout, wrapped, stderr_text, describe):
    """Failures common to every sioc run."""
    check(not timed_out, "sioc did not exit within %.0fs (killed): %s" % (timeout, describe()))
    check(not (wrapped and rc == 99), "wrapper reported errors (exit 99): %s" % short(stderr_text, 2000))
    check(rc is not None and rc >= 0, "sioc died from signal %s: %s"
          % (-rc if rc is not None else "?", describe()))


class Run(Records):
    """One sioc run to its end: argv, its whole stdout and stderr."""

    def __init__(self, argv, describe_limit=400):
        Records.__init__(self)
        self.argv = argv
        self.describe_limit = describe_limit
        self.out = b""
        self.err = b""

    def stderr(self):
        return self.err.decode("utf-8", "replace")


def run_json(argv, stdin=b"", close_stdin=True, timeout=15.0, wrapped=False, describe_limit=400):
    """Runs a `sioc ... --json` command line to its end (killed after
    timeout seconds) and checks what every run must hold: it exited by itself,
    no wrapper report, no signal, every stdout line a record."""
    run = Run(argv, describe_limit)
    run.rc, run.out, run.err, run.timed_out, run.elapsed = spawn(argv, stdin, close_stdin, timeout)
    run.records, run.bad_lines = parse_records(run.out)
    check_exit(run.rc, run.timed_out, timeout, wrapped, run.stderr(), run.describe)
    check(not run.bad_lines, "non-JSON stdout lines with --json: %s" % short(run.bad_lines))
    return run


class LiveRun(Records):
    """One sioc process the test talks to while it runs: records are parsed
    as they arrive (wait_for), stdin takes more (send), finish() waits for the
    exit and runs the checks common to every run.  slow multiplies the time
    limits; wrapped says a --wrapper (valgrind) runs it."""

    def __init__(self, argv, stdin=b"", close_stdin=False, slow=1.0, wrapped=False, describe_limit=700):
        Records.__init__(self)
        self.argv = argv
        self.slow = slow
        self.wrapped = wrapped
        self.describe_limit = describe_limit
        self.err_chunks = []
        self.cond = threading.Condition()
        self.t0 = time.monotonic()
        self.p = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, start_new_session=True)
        track(self.p)
        self.threads = [threading.Thread(target=self._read_out, daemon=True),
                        threading.Thread(target=self._read_err, daemon=True)]
        for t in self.threads:
            t.start()
        self.stdin_data, self.close_stdin = stdin, close_stdin
        self.writer = threading.Thread(target=self._write, daemon=True)
        self.writer.start()

    def _write(self):
        try:
            if self.stdin_data:
                self.p.stdin.write(self.stdin_data)
                self.p.stdin.flush()
            if self.close_stdin:
                self.p.stdin.close()
        except (BrokenPipeError, OSError, ValueError):
            pass

    def send(self, data):
        try:
            self.p.stdin.write(data)
            self.p.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass

    def _read_out(self):
        for line in iter(self.p.stdout.readline, b""):
            if not line.strip():
                continue
            obj = parse_record(line)
            with self.cond:
                if obj is None:
                    self.bad_lines.append(line[:200])
                else:
                    obj["_t"] = round(time.monotonic() - self.t0, 4)
                    self.records.append(obj)
                    self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def _read_err(self):
        for chunk in iter(lambda: self.p.stderr.read(4096), b""):
            if sum(len(c) for c in self.err_chunks) < 1 << 20:
                self.err_chunks.append(chunk)

    def wait_for(self, pred, timeout):
        deadline = time.monotonic() + timeout * self.slow
        with self.cond:
            while True:
                if any(pred(r) for r in self.records):
                    return True
                left = deadline - time.monotonic()
                if left <= 0 or self.p.poll() is not None and not self.threads[0].is_alive():
                    return any(pred(r) for r in self.records)
                self.cond.wait(min(left, 0.1))

    def kill(self, sig):
        try:
            os.kill(self.p.pid, sig)
        except OSError:
            pass

    def finish(self, timeout):
        """Wait for exit (kill after timeout) and run the checks common to every run."""
        try:
            self.p.wait(timeout * self.slow)
        except subprocess.TimeoutExpired:
            self.timed_out = True
            try:
                os.killpg(self.p.pid, signal.SIGKILL)
            except OSError:
                pass
            self.p.wait()
        self.elapsed = time.monotonic() - self.t0
        try:
            self.p.stdin.close()
        except (OSError, ValueError):
            pass
        for t in self.threads:
            t.join(10)
        untrack(self.p)
        self.rc = self.p.returncode
        self.after_exit()
        check_exit(self.rc, self.timed_out, timeout * self.slow, self.wrapped, self.stderr(), self.describe)
        check(self.rc != 2, "sioc rejected the command line (exit 2): %s" % self.describe())
        err = self.stderr()
        for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            if marker in err:
                raise TestFailure("sanitizer report on stderr: %s"
                                  % short(err[max(0, err.index(marker) - 20):], 1500))
        check(not self.bad_lines, "non-JSON stdout lines with --json: %s"
              % short(repr(self.bad_lines)))
        return self

    def after_exit(self):
        """What a subclass collects once the process has ended."""

    def stderr(self):
        return b"".join(self.err_chunks).decode("utf-8", "replace")


class Registry:
    """Tests in definition order; @REG.test or REG.add(name, fn)."""

    def __init__(self):
        self.tests = []

    def test(self, fn):
        self.tests.append((fn.__name__, fn))
        return fn

    def add(self, name, fn):
        self.tests.append((name, fn))

    def select(self, filt):
        keys = filt.split(",")
        return [(n, f) for n, f in self.tests if any(k in n for k in keys)]


def add_common_options(ap):
    ap.add_argument("--wrapper", default="", help="command prefix for every sioc run")
    ap.add_argument("-k", "--filter", default="",
                    help="run tests whose name contains this (comma-separated: any of these)")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--slow-factor", type=float, default=None,
                    help="multiply time limits (default 1, or 6 with --wrapper)")


def run_one(fn):
    try:
        fn()
        return "pass", ""
    except TestSkip as e:
        return "skip", str(e)
    except TestFailure as e:
        return "fail", str(e)
    except Exception as e:  # a bug in the test or a dead server
        return "fail", "exception %s: %s" % (type(e).__name__,
                                             traceback.format_exc().strip().splitlines()[-1])


def run_tests(selected, counts, after_each=None):
    """Runs the tests, printing one line each and counting into counts
    ({"pass", "fail", "skip"}; kept when a run stops early).  after_each()
    may raise to stop the run (a dead server)."""
    for name, fn in selected:
        t0 = time.monotonic()
        status, why = run_one(fn)
        dt = time.monotonic() - t0
        counts[status] += 1
        if status == "pass":
            print("PASS %s (%.2fs)" % (name, dt), flush=True)
        elif status == "skip":
            print("SKIP %s: %s" % (name, why), flush=True)
        else:
            print("FAIL %s: %s" % (name, why), flush=True)
        if after_each:
            after_each()


def new_counts():
    return {"pass": 0, "fail": 0, "skip": 0}


def sigterm_as_interrupt():
    def on_term(signum, frame):
        raise KeyboardInterrupt()
    signal.signal(signal.SIGTERM, on_term)
