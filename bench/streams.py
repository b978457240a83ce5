#!/usr/bin/env python3
"""Stampede streaming benchmark (started by bench/streams): WebSocket and SSE.

Against the bundled demo target (stampede-target, one thread, on CPU 1), each load tool on CPU 0:

  ws    WebSocket echo: 50 sessions, each sending a small text message and waiting for its echo
        as fast as it goes; stampede (`ws:` plan, every reply timed), Locust (a User with
        websocket-client, each message reported with events.request.fire) and Artillery
        (`engine: ws`, send + match). Messages per CPU-second.
  sse   SSE events: 50 streams of 1000 events with no gap (gap_ms=0) read back to back, and a
        paced run (100 streams, one event every 10 ms each: 10,000 events/s offered); stampede
        (`stream: sse`), Locust (requests, stream=True, iter_lines) and Artillery (its HTTP engine
        reads each stream as one body: it has no SSE support). Events per CPU-second.
  hold  stampede alone: 10,000 WebSocket sessions (send, receive, 60 s idle, close) and 10,000
        SSE streams (one event every 10 s for 60 s) held at once; the runner's RSS while all are
        open against 100 of them -> memory per idle session / stream.

/usr/bin/time gives each tool's CPU time (user+sys, start-up included) and max RSS. Tools missing
or failing get a row that says so. Writes the "WebSocket echo", "SSE events" and "Concurrent
sessions" sections of BENCHMARKS.md (only those; with --quick a file under bench/out/ instead);
raw outputs stay under bench/out/<UTC timestamp>-streams/.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as B  # noqa: E402  (the HTTP harness: timing, pinning, disturbance checks)

ROOT = B.ROOT
OUT_ROOT = B.OUT_ROOT
log = B.log
med = B.med
fmt = B.fmt

USERS = 50  # WebSocket sessions / SSE streams in the throughput runs
MESSAGE = '{"op":"echo"}'  # the text message every tool sends (13 bytes)
SSE_TOKENS = 1000  # events per stream in the gap_ms=0 runs
PACED = {"users": 100, "tokens": 200, "gap_ms": 10}  # 100 x 100 events/s = 10,000 events/s
HOLD_USERS = 10000
BASE_USERS = 100
HOLD_SECONDS = 60  # how long each session / stream stays open, idle
BASE_HOLD_SECONDS = 15
SPAWN_RATE = 2000  # users started per second in the hold runs

SECTIONS = ("ws", "sse", "hold")
WS_TOOLS = ["stampede", "locust", "artillery"]
SSE_TOOLS = ["stampede", "locust", "locust-nostats", "artillery"]
PACED_TOOLS = ["stampede", "locust", "artillery"]
SECTION_TITLES = {"ws": "WebSocket echo", "sse": "SSE events", "hold": "Concurrent sessions"}

ARTILLERY_VERSION = "2.0.34"
ARTILLERY_DIR = os.environ.get(
    "STAMPEDE_BENCH_ARTILLERY_DIR",
    os.path.join(os.path.expanduser("~"), ".cache", "stampede", "bench-artillery"))
ARTILLERY = os.path.join(ARTILLERY_DIR, "node_modules", ".bin", "artillery")
SYSTEM_PYTHON = "/usr/bin/python3"

# ---------------------------------------------------------------------------------------------
# The peers' scripts

LOCUST_WS = """\
# Locust has no WebSocket client: a User with websocket-client (blocking sockets, made
# cooperative by gevent's monkey patching, which importing locust applies), each message's
# round trip reported with events.request.fire, as Locust's docs show for custom clients.
import json
import os
import time

from locust import User, constant, events, task
from locust.exception import StopUser
import websocket

MESSAGE = %(message)r
seen = {"messages": 0, "first": None, "last": None}


class WsEcho(User):
    wait_time = constant(0)

    def on_start(self):
        url = self.host.replace("http://", "ws://", 1) + "/ws/echo"
        self.ws = websocket.create_connection(url)

    def on_stop(self):
        self.ws.close()

    @task
    def echo(self):
        start = time.perf_counter()
        try:
            self.ws.send(MESSAGE)
            length, error = len(self.ws.recv()), None
        except Exception as e:  # a broken session: report it and stop this user
            length, error = 0, e
        now = time.perf_counter()
        events.request.fire(request_type="WS", name="echo", response_time=(now - start) * 1000,
                            response_length=length, exception=error, context={})
        if error is not None:
            raise StopUser()
        seen["messages"] += 1
        seen["first"] = seen["first"] or start
        seen["last"] = now


@events.quitting.add_listener
def write_counts(environment, **kwargs):
    with open(os.environ["BENCH_COUNTS"], "w") as f:
        json.dump(seen, f)
"""

LOCUST_SSE = """\
# Locust has no SSE client: an HttpUser reading the response with stream=True line by line
# (requests' iter_lines), as Locust users do. With BENCH_PER_EVENT=1 each event's gap since the
# previous one is reported with events.request.fire (inter-token latency, as stampede records
# it); with 0 the events are only counted (the stream itself is still one request row).
import json
import os
import time

from locust import HttpUser, constant, events, task

PATH = os.environ["BENCH_SSE_PATH"]
PER_EVENT = os.environ.get("BENCH_PER_EVENT", "1") == "1"
seen = {"events": 0, "streams": 0, "first": None, "last": None}


class Sse(HttpUser):
    wait_time = constant(0)

    @task
    def stream(self):
        with self.client.get(PATH, name="stream", stream=True, catch_response=True) as resp:
            last = time.perf_counter()
            seen["first"] = seen["first"] or last
            for line in resp.iter_lines():
                if not line.startswith(b"data:") or line == b"data: [DONE]":
                    continue
                now = time.perf_counter()
                if PER_EVENT:
                    events.request.fire(request_type="SSE", name="event gap",
                                        response_time=(now - last) * 1000,
                                        response_length=len(line), exception=None, context={})
                last = now
                seen["events"] += 1
                seen["last"] = now
            seen["streams"] += 1
            resp.success()


@events.quitting.add_listener
def write_counts(environment, **kwargs):
    with open(os.environ["BENCH_COUNTS"], "w") as f:
        json.dump(seen, f)
"""

LOCUST_IDLE = """\
# Start-up cost: one user that does nothing for the run's 1 s.
from locust import User, constant, task


class Idle(User):
    wait_time = constant(60)

    @task
    def nothing(self):
        pass
"""

ARTILLERY_PROCESSOR = """\
// Loops run until BENCH_SECONDS have passed since the script was loaded.
const deadline = Date.now() + 1000 * Number(process.env.BENCH_SECONDS || 10);
module.exports = {
  running(context, next) {
    return next(Date.now() < deadline);
  },
};
"""


def artillery_ws_script(url, users):
    ws_url = url.replace("http://", "ws://", 1) + "/ws/echo"
    return f"""\
# {users} sessions, each sending the message and waiting for its echo (send + match) in a loop.
config:
  target: "{ws_url}"
  processor: "./artillery-processor.js"
  phases:
    - {{duration: 1, arrivalCount: {users}}}
scenarios:
  - engine: ws
    flow:
      - loop:
          - send:
              payload: '{MESSAGE}'
              match: {{json: "$.op", value: "echo"}}
        whileTrue: running
"""


def artillery_sse_script(url, users, path):
    return f"""\
# {users} virtual users, each GETting the stream in a loop; the HTTP engine reads each stream as
# one response body (Artillery has no SSE support: no per-event parsing or timing).
config:
  target: "{url}"
  processor: "./artillery-processor.js"
  http: {{timeout: 120}}
  phases:
    - {{duration: 1, arrivalCount: {users}}}
scenarios:
  - flow:
      - loop:
          - get: {{url: "{path}"}}
        whileTrue: running
"""


ARTILLERY_IDLE = """\
# Start-up cost: one virtual user that thinks for 1 s.
config:
  target: "{url}"
  phases:
    - {{duration: 1, arrivalCount: 1}}
scenarios:
  - flow:
      - think: 1
"""


def stampede_ws_plan(url, users, seconds):
    return f"""\
target: {url}
load: {{users: {users}, duration: {seconds}s, gracefulStop: 10s}}
scenarios:
  - name: echo
    wait: constant(1h)          # one session per user, for the whole run
    steps:
      - ws: /ws/echo
        name: echo
        actions:
          - repeat: {seconds}s
            actions:
              - send: '{MESSAGE}'
                name: msg
              - receive: 1
                name: msg         # every reply timed: a REPLY row with full percentiles
"""


def stampede_sse_plan(url, users, seconds, path):
    return f"""\
target: {{url: {url}, timeout: 60s}}
load: {{users: {users}, duration: {seconds}s, gracefulStop: 10s}}
scenarios:
  - name: sse
    steps:
      - get: {path}
        name: stream
        stream: {{format: sse, end: "[DONE]"}}
"""


def stampede_hold_ws_plan(url, users, hold):
    duration = hold + -(-users // SPAWN_RATE) + 3
    return f"""\
target: {{url: {url}, timeout: 30s}}
load: {{users: {users}, spawnRate: {SPAWN_RATE}, duration: {duration}s, gracefulStop: 30s}}
scenarios:
  - name: hold
    wait: constant(1h)          # one session per user
    steps:
      - ws: /ws/echo
        name: hold
        actions:
          - send: '{MESSAGE}'
            name: hello
          - receive: 1
            name: hello
          - think: {hold}s           # the session stays open, idle
          - close
"""


def sse_hold_shape(hold):
    """(gap_ms, tokens) of a stream that lasts `hold` s: the target sends the first event at once
    and each next one, the end marker included, gap_ms later."""
    gap_ms = 10000 if hold >= 20 and hold % 10 == 0 else hold * 1000
    return gap_ms, hold * 1000 // gap_ms


def stampede_hold_sse_plan(url, users, hold):
    duration = hold + -(-users // SPAWN_RATE) + 3
    gap_ms, tokens = sse_hold_shape(hold)
    return f"""\
target: {{url: {url}, timeout: {hold + 30}s}}
load: {{users: {users}, spawnRate: {SPAWN_RATE}, duration: {duration}s, gracefulStop: 30s}}
scenarios:
  - name: hold
    wait: constant(1h)          # one stream per user
    steps:
      - get: /api/chat/stream?tokens={tokens}&first_ms=0&gap_ms={gap_ms}
        name: stream
        stream: {{format: sse, end: "[DONE]"}}
"""


# ---------------------------------------------------------------------------------------------
# Tools


def ensure_websocket_client():
    """websocket-client (Debian python3-websocket) for Locust's WebSocket user."""
    check = [SYSTEM_PYTHON, "-c", "import websocket"]
    if subprocess.run(check, capture_output=True).returncode == 0:
        return True
    if os.geteuid() != 0:
        log("python3-websocket is missing and this is not root: Locust's ws row will fail")
        return False
    log("installing python3-websocket (websocket-client) for Locust's WebSocket user")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    try:
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends",
                        "python3-websocket"], check=False, timeout=900, env=env)
    except (OSError, subprocess.SubprocessError) as e:
        log(f"apt-get failed: {e}")
    return subprocess.run([SYSTEM_PYTHON, "-c", "import websocket"],
                          capture_output=True).returncode == 0


def ensure_artillery():
    """Artillery from the npm registry into ARTILLERY_DIR (not the repository). Its install
    scripts are skipped: Playwright's would download a browser (not needed for ws or http)."""
    if os.access(ARTILLERY, os.X_OK):
        return None
    npm = shutil.which("npm")
    if npm is None:
        return "npm is not installed (apt-get install npm)"
    os.makedirs(ARTILLERY_DIR, exist_ok=True)
    argv = [npm, "install", "--no-audit", "--no-fund", "--ignore-scripts", "--prefix",
            ARTILLERY_DIR, f"artillery@{ARTILLERY_VERSION}"]
    log(f"installing Artillery: {shlex.join(argv)}")
    env = dict(os.environ, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD="1")
    t0 = time.monotonic()
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=900, env=env)
    except (OSError, subprocess.SubprocessError) as e:
        return f"npm install failed: {e}"
    log(f"  npm install took {time.monotonic() - t0:.0f} s (exit {p.returncode})")
    if p.returncode != 0 or not os.access(ARTILLERY, os.X_OK):
        return "npm install failed: " + B.tail(p.stderr or p.stdout)
    return None


def artillery_version():
    try:
        with open(os.path.join(ARTILLERY_DIR, "node_modules", "artillery", "package.json")) as f:
            return json.load(f)["version"]
    except (OSError, ValueError, KeyError):
        return None


def versions(stampede, target):
    v = {}
    if os.access(stampede, os.X_OK):
        v["stampede"] = B.tool_version([stampede, "version"]).replace("stampede ", "")
        try:
            rev = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                                 capture_output=True, text=True, timeout=20).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            rev = ""
        built = datetime.datetime.fromtimestamp(
            os.path.getmtime(stampede), datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        v["stampede"] += f" (binary built {built}" + (f", tree at {rev}" if rev else "") + ")"
    v["locust"] = B.dpkg_version("python3-locust")
    v["websocket-client"] = B.dpkg_version("python3-websocket")
    v["requests"] = B.dpkg_version("python3-requests")
    art = artillery_version()
    v["artillery"] = art or "not installed"
    if shutil.which("node"):
        v["node"] = B.tool_version(["node", "--version"]).lstrip("v")
    return v


# ---------------------------------------------------------------------------------------------
# The target


class Target:
    """stampede-target with one thread, pinned; the same interface as bench.Nginx for
    bench.timed_run (cpu, cpu_seconds)."""

    def __init__(self, binary, cpu, workdir):
        self.binary = binary
        self.cpu = cpu
        self.dir = workdir
        self.proc = None
        self.url = None

    def start(self):
        pin = ["taskset", "-c", str(self.cpu)] if self.cpu is not None else []
        self.log_path = os.path.join(self.dir, "target.out")
        self.out = open(self.log_path, "w")
        self.proc = subprocess.Popen(pin + [self.binary, "--listen", "127.0.0.1:0", "--threads",
                                            "1", "--quiet"],
                                     stdout=self.out, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"stampede-target exited with {self.proc.returncode}")
            m = re.search(r"listening on (http://127\.0\.0\.1:\d+)", open(self.log_path).read())
            if m:
                self.url = m.group(1)
                return
            time.sleep(0.05)
        raise RuntimeError("stampede-target did not report its port within 10 s")

    def cpu_seconds(self):
        return B.proc_cpu_seconds(self.proc.pid) if self.proc else None

    def rss_kib(self):
        return rss_kib(self.proc.pid) if self.proc else None

    def stats(self):
        try:
            with urllib.request.urlopen(self.url + "/__stats", timeout=5) as r:
                return json.load(r)
        except (OSError, ValueError):
            return None

    def reset(self):
        req = urllib.request.Request(self.url + "/__reset", method="POST", data=b"")
        try:
            with urllib.request.urlopen(req, timeout=5) as r:
                r.read()
        except OSError:
            pass

    def stop(self):
        if self.proc is None:
            return
        B.stop_process(self.proc)
        self.proc = None
        self.out.close()


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except (OSError, ValueError):
        return []


# ---------------------------------------------------------------------------------------------
# Measured runs


class Ctx:
    def __init__(self, args, target, tool_cpu, outdir):
        self.stampede = args.stampede
        self.seconds = args.seconds
        self.target = target
        self.url = target.url
        self.tool_cpu = tool_cpu
        self.timeout = args.seconds + 90
        self.wait_idle = args.wait_idle
        self.retries = args.retries
        self.out = outdir

    def run(self, name, argv, outdir, timeout=None, env=None):
        if self.wait_idle > 0:
            B.wait_for_quiet(self.wait_idle, [c for c in (self.tool_cpu, self.target.cpu)
                                              if c is not None])
        log(f"  {name}: {shlex.join(argv)}")
        # bench.timed_run passes this process's environment on.
        saved = {k: os.environ.get(k) for k in (env or {})}
        os.environ.update(env or {})
        try:
            r = B.timed_run(name, argv, outdir, timeout or self.timeout, self.tool_cpu,
                            self.target)
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        r["target_cpu_pct"] = r.get("nginx_cpu_pct")
        return r


def fail(r, what="no result"):
    text = r.get("stderr") or r.get("stdout") or ""
    prefix = f"timed out after {r.get('wall', 0):.0f} s; " if r.get("timed_out") else \
        f"exit {r.get('rc')}; "
    raise B.ToolError(prefix + what + ": " + B.tail(text), r)


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def stampede_argv(ctx, plan, out_json):
    if os.path.exists(out_json):
        os.remove(out_json)
    return [ctx.stampede, "run", plan, "--threads", "1", "--quiet", "--json", out_json]


def run_stampede_ws(ctx, outdir, users=USERS):
    plan = write(os.path.join(outdir, "stampede-ws.yaml"),
                 stampede_ws_plan(ctx.url, users, ctx.seconds))
    out = os.path.join(outdir, "stampede-ws.json")
    r = ctx.run("stampede-ws", stampede_argv(ctx, plan, out), outdir)
    j = load_json(out)
    if r["timed_out"] or r["rc"] not in (0, 99) or not j:
        fail(r)
    rows = {(x["name"], x["method"]): x for x in j["requests"]}
    reply, session = rows.get(("msg", "REPLY")), rows.get(("echo", "WS"))
    if not reply or not session:
        fail(r, "no REPLY or WS row in the JSON")
    lat = reply.get("latency_seconds") or {}
    r.update(requests=int(reply["requests"]), failures=int(j["totals"].get("failures", 0)),
             duration=float(j["totals"]["duration_seconds"]), p50=lat.get("p50"),
             p99=lat.get("p99"), sessions=(session.get("ws") or {}).get("sessions"))
    return r


def run_stampede_sse(ctx, outdir, name, users, path):
    plan = write(os.path.join(outdir, name + ".yaml"),
                 stampede_sse_plan(ctx.url, users, ctx.seconds, path))
    out = os.path.join(outdir, name + ".json")
    r = ctx.run(name, stampede_argv(ctx, plan, out), outdir)
    j = load_json(out)
    if r["timed_out"] or r["rc"] not in (0, 99) or not j:
        fail(r)
    row = next((x for x in j["requests"] if x.get("stream")), None)
    if row is None:
        fail(r, "no stream row in the JSON")
    gap = row["stream"].get("event_gap_seconds") or {}
    r.update(requests=int(row["stream"]["events"]), streams=int(row["stream"]["streams"]),
             failures=int(j["totals"].get("failures", 0)),
             duration=float(j["totals"]["duration_seconds"]), p50=gap.get("p50"),
             p99=gap.get("p99"))
    return r


def locust_argv(ctx, outdir, locustfile, prefix, users):
    return [B.which("locust") or "locust", "-f", locustfile, "--headless", "-u", str(users), "-r",
            str(users), "-t", f"{ctx.seconds}s", "-H", ctx.url, "--csv", prefix,
            "--only-summary"]


def locust_summary(text, kind, name):
    """(requests, failures, p50 s, p99 s) of the row `kind name` in the summary Locust prints at
    the end (its --csv stats file is written every few seconds and may miss the last ones)."""
    count = failures = p50 = p99 = None
    row = re.compile(rf"^{re.escape(kind)}\s+{re.escape(name)}\s+(.*)$")
    for line in text.splitlines():
        m = row.match(line.strip())
        if not m:
            continue
        rest = m.group(1)
        stats = re.match(r"(\d+)\s+(\d+)\(", rest)
        if stats:
            count, failures = int(stats.group(1)), int(stats.group(2))
            continue
        nums = rest.split()
        if len(nums) == 12:  # 50% 66% 75% 80% 90% 95% 98% 99% 99.9% 99.99% 100% #reqs
            try:
                p50, p99 = float(nums[0]) / 1e3, float(nums[7]) / 1e3
            except ValueError:
                pass
    return count, failures, p50, p99


def run_locust_ws(ctx, outdir, users=USERS):
    if B.which("locust") is None:
        raise B.ToolError("not installed (python3-locust)")
    locustfile = write(os.path.join(outdir, "locust_ws.py"), LOCUST_WS % {"message": MESSAGE})
    counts = os.path.join(outdir, "locust-ws-counts.json")
    prefix = os.path.join(outdir, "locust-ws")
    r = ctx.run("locust-ws", locust_argv(ctx, outdir, locustfile, prefix, users), outdir,
                env={"BENCH_COUNTS": counts})
    c = load_json(counts)
    if r["timed_out"] or not c or not c.get("messages"):
        fail(r)
    _, failures, p50, p99 = locust_summary(r["stderr"], "WS", "echo")
    r.update(requests=int(c["messages"]), failures=failures or 0, p50=p50, p99=p99,
             duration=float(ctx.seconds))
    return r


def run_locust_sse(ctx, outdir, name, users, path, per_event=True):
    if B.which("locust") is None:
        raise B.ToolError("not installed (python3-locust)")
    locustfile = write(os.path.join(outdir, "locust_sse.py"), LOCUST_SSE)
    counts = os.path.join(outdir, name + "-counts.json")
    prefix = os.path.join(outdir, name)
    r = ctx.run(name, locust_argv(ctx, outdir, locustfile, prefix, users), outdir,
                env={"BENCH_COUNTS": counts, "BENCH_SSE_PATH": path,
                     "BENCH_PER_EVENT": "1" if per_event else "0"})
    c = load_json(counts)
    if r["timed_out"] or not c or not c.get("events"):
        fail(r)
    _, _, p50, p99 = locust_summary(r["stderr"], "SSE", "event gap") if per_event else \
        (None, None, None, None)
    _, failures, _, _ = locust_summary(r["stderr"], "GET", "stream")
    r.update(requests=int(c["events"]), streams=int(c["streams"]), failures=failures or 0,
             p50=p50,
             p99=p99, duration=float(ctx.seconds))
    return r


def artillery_env(ctx):
    return {"ARTILLERY_DISABLE_TELEMETRY": "true", "WORKERS": "1",
            "BENCH_SECONDS": str(ctx.seconds)}


def run_artillery(ctx, outdir, name, script):
    if not os.access(ARTILLERY, os.X_OK):
        raise B.ToolError("not installed")
    write(os.path.join(outdir, "artillery-processor.js"), ARTILLERY_PROCESSOR)
    path = write(os.path.join(outdir, name + ".yml"), script)
    report = os.path.join(outdir, name + "-report.json")
    if os.path.exists(report):
        os.remove(report)
    r = ctx.run(name, [ARTILLERY, "run", "--output", report, path], outdir,
                env=artillery_env(ctx))
    j = load_json(report)
    if r["timed_out"] or not j or "aggregate" not in j:
        fail(r)
    agg = j["aggregate"]
    counters = agg.get("counters") or {}
    span = None
    if agg.get("firstMetricAt") and agg.get("lastMetricAt"):
        span = (agg["lastMetricAt"] - agg["firstMetricAt"]) / 1000.0
    errors = sum(v for k, v in counters.items() if k.startswith("errors."))
    r.update(counters=counters, failures=int(counters.get("vusers.failed", 0)) + errors,
             duration=span if span and span > 0 else float(ctx.seconds))
    return r


def run_artillery_ws(ctx, outdir, users=USERS):
    r = run_artillery(ctx, outdir, "artillery-ws", artillery_ws_script(ctx.url, users))
    n = int(r["counters"].get("websocket.messages_received", 0))
    if not n:
        fail(r, "no message received")
    r["requests"] = n
    return r


def run_artillery_sse(ctx, outdir, name, users, path, tokens):
    r = run_artillery(ctx, outdir, name, artillery_sse_script(ctx.url, users, path))
    streams = int(r["counters"].get("http.codes.200", 0))
    if not streams:
        fail(r, "no stream read")
    # Whole bodies (checked by the bytes downloaded); events = streams x tokens.
    r.update(requests=streams * tokens, streams=streams,
             bytes=int(r["counters"].get("http.downloaded_bytes", 0)))
    return r


def startup_runs(ctx, outdir, tools):
    """CPU time of each tool started with next to no work (1 s, one idle user): the fixed cost
    a short run carries (interpreter, imports, Node.js and Artillery's plugins)."""
    res = {}
    if "stampede" in tools and os.access(ctx.stampede, os.X_OK):
        plan = write(os.path.join(outdir, "stampede-idle.yaml"),
                     f"target: {ctx.url}\nload: {{users: 1, duration: 1s}}\n"
                     "scenarios: [{name: idle, wait: constant(1h), steps: [{get: /}]}]\n")
        res["stampede"] = ctx.run("stampede-idle", stampede_argv(
            ctx, plan, os.path.join(outdir, "stampede-idle.json")), outdir, timeout=60)
    if "locust" in tools and B.which("locust"):
        lf = write(os.path.join(outdir, "locust_idle.py"), LOCUST_IDLE)
        res["locust"] = ctx.run("locust-idle", [B.which("locust"), "-f", lf, "--headless", "-u",
                                                "1", "-r", "1", "-t", "1s", "-H", ctx.url,
                                                "--only-summary"], outdir, timeout=60)
    if "artillery" in tools and os.access(ARTILLERY, os.X_OK):
        path = write(os.path.join(outdir, "artillery-idle.yml"),
                     ARTILLERY_IDLE.format(url=ctx.url))
        res["artillery"] = ctx.run("artillery-idle", [ARTILLERY, "run", path], outdir,
                                   timeout=90, env=artillery_env(ctx))
    out = {}
    for t, r in res.items():
        ok = not r.get("timed_out") and r.get("rc") == 0 and r.get("cpu") is not None
        out[t] = r["cpu"] if ok else None
        log(f"    {t} start-up: " + (f"{r['cpu']:.2f} CPU-s, {r.get('elapsed', 0):.1f} s"
                                     if ok else "failed"))
    return out


def rotate(tools, i):
    return tools[i % len(tools):] + tools[:i % len(tools)]


def ws_round(ctx, outdir, tools, i):
    results = {}
    for tool in rotate(tools, i):
        fn = {"stampede": run_stampede_ws, "locust": run_locust_ws,
              "artillery": run_artillery_ws}[tool]
        results[tool] = B.attempt(tool, fn, ctx, outdir)
    return results


def sse_round(ctx, outdir, tools, i):
    path = f"/api/chat/stream?tokens={SSE_TOKENS}&gap_ms=0"
    results = {}
    for tool in rotate(tools, i):
        if tool == "stampede":
            r = B.attempt(tool, run_stampede_sse, ctx, outdir, "stampede-sse", USERS, path)
        elif tool == "locust":
            r = B.attempt(tool, run_locust_sse, ctx, outdir, "locust-sse", USERS, path)
        elif tool == "locust-nostats":
            r = B.attempt(tool, run_locust_sse, ctx, outdir, "locust-sse-nostats", USERS, path,
                          per_event=False)
        else:
            r = B.attempt(tool, run_artillery_sse, ctx, outdir, "artillery-sse", USERS, path,
                          SSE_TOKENS)
        results[tool] = r
    return results


def paced_round(ctx, outdir, tools, i):
    p = PACED
    path = f"/api/chat/stream?tokens={p['tokens']}&first_ms=0&gap_ms={p['gap_ms']}"
    results = {}
    for tool in rotate(tools, i):
        if tool == "stampede":
            r = B.attempt(tool, run_stampede_sse, ctx, outdir, "stampede-sse-paced", p["users"],
                          path)
        elif tool == "locust":
            r = B.attempt(tool, run_locust_sse, ctx, outdir, "locust-sse-paced", p["users"], path)
        else:
            r = B.attempt(tool, run_artillery_sse, ctx, outdir, "artillery-sse-paced",
                          p["users"], path, p["tokens"])
        results[tool] = r
    return results


# ---------------------------------------------------------------------------------------------
# Held sessions (stampede only)


def hold_run(ctx, outdir, kind, users, hold):
    """One hold run against a target of its own (fresh counters, and an RSS that earlier runs
    did not grow): stampede with `users` sessions (kind ws) or streams (kind sse), sampled every
    second (the runner's and the target's RSS, the target's open sessions or streams)."""
    target = Target(ctx.target.binary, ctx.target.cpu, outdir)
    target.start()
    try:
        return hold_run_on(ctx, target, outdir, kind, users, hold)
    finally:
        target.stop()


def hold_run_on(ctx, target, outdir, kind, users, hold):
    name = f"hold-{kind}-{users}"
    plan_text = (stampede_hold_ws_plan if kind == "ws" else stampede_hold_sse_plan)(
        target.url, users, hold)
    plan = write(os.path.join(outdir, name + ".yaml"), plan_text)
    out_json = os.path.join(outdir, name + ".json")
    argv = stampede_argv(ctx, plan, out_json)
    if ctx.wait_idle > 0:
        B.wait_for_quiet(ctx.wait_idle, [c for c in (ctx.tool_cpu, target.cpu)
                                         if c is not None])
    time_file = os.path.join(outdir, name + ".time")
    pin = ["taskset", "-c", str(ctx.tool_cpu)] if ctx.tool_cpu is not None else []
    cmd = ["/usr/bin/time", "-f", "%e %U %S %M", "-o", time_file] + pin + argv
    write(os.path.join(outdir, name + ".cmd"), shlex.join(cmd) + "\n")
    log(f"  {name}: {shlex.join(argv)}")
    samples = []
    timeout = hold + users / SPAWN_RATE + 90
    t0 = time.monotonic()
    with open(os.path.join(outdir, name + ".stdout"), "w") as o, \
            open(os.path.join(outdir, name + ".stderr"), "w") as e:
        p = subprocess.Popen(cmd, stdout=o, stderr=e, stdin=subprocess.DEVNULL,
                             start_new_session=True, cwd=outdir)
        pid = None
        while p.poll() is None:
            if time.monotonic() - t0 > timeout:
                os.killpg(p.pid, signal.SIGTERM)
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                break
            if pid is None:
                kids = children(p.pid)
                pid = kids[0] if kids else None
            st = target.stats() or {}
            api = st.get("api") or {}
            if kind == "ws":
                open_now = st.get("ws_sessions_opened", 0) - st.get("ws_sessions_closed", 0)
            else:
                open_now = api.get("streams_started", 0) - api.get("streams_completed", 0)
            samples.append({"t": round(time.monotonic() - t0, 2),
                            "runner_rss_kib": rss_kib(pid) if pid else None,
                            "target_rss_kib": target.rss_kib(), "open": open_now})
            time.sleep(1.0)
        p.wait()
    r = {"name": name, "kind": kind, "users": users, "hold": hold, "argv": argv, "url": target.url,
         "rc": p.returncode, "wall": time.monotonic() - t0, "samples": samples,
         "plan": plan_text}
    try:
        e_, u_, s_, m_ = open(time_file).read().split("\n")[-2].split()
        r.update(elapsed=float(e_), cpu=float(u_) + float(s_), max_rss_kib=int(m_))
    except (OSError, ValueError, IndexError):
        pass
    st = target.stats() or {}
    r["target_stats"] = {k: v for k, v in st.items() if k.startswith("ws_")}
    r["target_stats"].update({k: v for k, v in (st.get("api") or {}).items()
                              if k.startswith("stream")})
    j = load_json(out_json)
    if j:
        t = j["totals"]
        r.update(failures=int(t.get("failures", 0)), errors=j.get("errors"),
                 requests=int(t.get("requests", 0)))
        for row in j["requests"]:
            if row.get("ws"):
                r.update(sessions=row["ws"].get("sessions"),
                         close_codes=row["ws"].get("close_codes"),
                         msgs_received=row["ws"].get("msgs_received"))
            if row.get("stream"):
                r.update(sessions=row["stream"].get("streams"),
                         events=row["stream"].get("events"))
    # All of them open at once: the samples where the target counts `users` open; the first two
    # are skipped (the last ones were just set up).
    full = [s for s in samples if s["open"] >= users and s["runner_rss_kib"]]
    r["held_seconds"] = len(full)
    steady = full[2:] or full
    r["plateau_rss_kib"] = med([s["runner_rss_kib"] for s in steady])
    r["plateau_target_rss_kib"] = med([s["target_rss_kib"] for s in steady])
    r["max_open"] = max((s["open"] for s in samples), default=0)
    log(f"    {name}: held {r['held_seconds']} s with {r['max_open']} open at most; runner RSS "
        f"{(r['plateau_rss_kib'] or 0) / 1024:.1f} MiB, failures {r.get('failures')}")
    return r


def hold_section(ctx, outdir, users, base, hold, base_hold):
    res = {}
    for kind in ("ws", "sse"):
        res[kind] = {"full": hold_run(ctx, outdir, kind, users, hold),
                     "base": hold_run(ctx, outdir, kind, base, base_hold)}
        f, b = res[kind]["full"], res[kind]["base"]
        if f.get("plateau_rss_kib") and b.get("plateau_rss_kib"):
            res[kind]["per_session_kib"] = (f["plateau_rss_kib"] - b["plateau_rss_kib"]) / \
                (users - base)
            res[kind]["target_per_session_kib"] = (
                (f["plateau_target_rss_kib"] - b["plateau_target_rss_kib"]) / (users - base)
                if f.get("plateau_target_rss_kib") and b.get("plateau_target_rss_kib") else None)
    return res


# ---------------------------------------------------------------------------------------------
# Summaries and markdown


def summarize(runs, tool, startup):
    s = B.summarize(runs, tool)
    if s.get("ok_runs"):
        ok = [r[tool] for r in runs if r.get(tool, {}).get("ok")]
        ok = [r for r in ok if r.get("clean", True)] or ok
        su = startup.get(tool.split("-")[0])  # locust-nostats: Locust's start-up
        s["startup"] = su
        if su is not None:
            s["per_cpu_ex"] = med([r["requests"] / (r["cpu"] - su) for r in ok
                                   if r.get("cpu") and r["cpu"] > su])
        s["target_cpu"] = med([r.get("target_cpu_pct") for r in ok])
        s["streams"] = med([r.get("streams") for r in ok])
    return s


def ratio(a, b):
    return f"{a / b:.1f}×" if a and b else "–"


def ms(v):
    if v is None:
        return "–"
    return f"{v * 1e3:.2f} ms" if v < 0.1 else f"{v * 1e3:.0f} ms"


def throughput_table(summ, tools, unit, base="locust", show_startup=True):
    b = summ.get(base, {})
    head = (f"| tool | {unit}/s | CPU s (user+sys) | {unit} per CPU-s | vs Locust | "
            "start-up CPU s | per CPU-s without start-up | vs Locust without start-up | "
            "max RSS MiB | target CPU % | p50 / p99 |")
    rows = [head, "| --- |" + " ---: |" * (head.count("|") - 2)]
    for t in tools:
        s = summ[t]
        if not s.get("ok_runs"):
            rows.append(f"| {t} | failed: {'; '.join(s['errors']) or 'not run'} |"
                        + " |" * (head.count("|") - 3))
            continue
        lat = "–" if s.get("p99") is None else f"{ms(s['p50'])} / {ms(s['p99'])}"
        rows.append(f"| {t} | {fmt(s['rps'])} | {fmt(s['cpu'], '.2f')} | {fmt(s['per_cpu'])} | "
                    f"{ratio(s.get('per_cpu'), b.get('per_cpu'))} | "
                    f"{fmt(s.get('startup'), '.2f')} | {fmt(s.get('per_cpu_ex'))} | "
                    f"{ratio(s.get('per_cpu_ex'), b.get('per_cpu_ex'))} | "
                    f"{fmt(s['rss_mib'], '.1f')} | {fmt(s.get('target_cpu'), '.0f')} | {lat} |")
    return rows


def interference(groups):
    tool, target, retried = [], [], 0
    for group in groups:
        for rnd in group:
            for r in rnd.values():
                retried += len(r.get("discarded") or [])
                if r.get("other_on_tool_cpu") is not None:
                    tool.append(r["other_on_tool_cpu"])
                if r.get("other_on_nginx_cpu") is not None:
                    target.append(r["other_on_nginx_cpu"])
    if not tool:
        return ""
    dirty = sum(1 for g in groups for rnd in g for r in rnd.values()
                if r.get("ok") and not r.get("clean", True))
    return (f"Other processes during the measured runs (busy time of each pinned CPU from "
            f"/proc/stat minus the measured process's CPU time), per run: tool CPU median "
            f"{med(tool):.2f} s, max {max(tool):.2f} s; target CPU median {med(target):.2f} s, "
            f"max {max(target):.2f} s. {retried} run(s) were disturbed and measured again; "
            f"{dirty} kept value(s) were still disturbed (marked *).")


def header_lines(meta, args):
    return [f"Measured by `bench/streams` on {meta['date']}: {meta['nproc']} CPUs, "
            f"{meta['cpu_model']}, Linux {meta['kernel']}; "
            + ", ".join(f"{k} {v}" for k, v in meta["versions"].items()) + ". "
            "stampede-target (the bundled demo target, `--threads 1`) on CPU "
            f"{meta['target_cpu']}, "
            f"each tool on CPU {meta['tool_cpu']} (`taskset -c`) under "
            "`/usr/bin/time -f '%e %U %S %M'`; loopback only. "
            f"{args.runs} round(s) of {args.seconds} s per tool, the order rotated each round; "
            "the tables show medians over the rounds (per-round values below each table). "
            f"Before each run the harness waited up to {args.wait_idle:.0f} s for both pinned "
            "CPUs to be under 15 % busy; a run during which other processes took 10 % or more "
            "of a pinned CPU counts as disturbed"
            + (f" and was measured again (up to {args.retries} time(s))" if args.retries else
               " (marked *; this run was made with `--retries 0` to bound its time)")
            + "; medians use the undisturbed rounds where a tool has any."]


def common_notes():
    return [
        "- CPU s = user + system CPU seconds of the whole tool process (start-up included: "
        "Python and its imports for Locust, Node.js and Artillery's plugins for Artillery). "
        "Start-up CPU s is the same tool started with one idle user for 1 s (measured once); "
        "the \"without start-up\" columns subtract it — the steady-state cost, and the fairer "
        "figure for tools with a heavy start.",
        "- target CPU % = the target's CPU time during the run / the run's wall time; near "
        "100 % the single-threaded target, not the tool, set the pace.",
    ]


def ws_markdown(meta, args, summ, tools, runs, commands, files):
    s, loc = summ.get("stampede", {}), summ.get("locust", {})
    lines = header_lines(meta, args) + [""]
    lines += [f"{USERS} WebSocket sessions against the target's `/ws/echo`, each sending the "
              f"text message `{MESSAGE}` and waiting for its echo before the next, as fast as "
              f"they go, for {args.seconds} s: messages per CPU-second of the tool.", ""]
    lines += throughput_table(summ, tools, "messages")
    lines += ["", "messages/s per round: " + B.rounds_line({"tools": tools, "summ": summ})
              + ".", ""]
    lines += common_notes()
    lines += [
        "- stampede: a `ws:` step whose send and receive are both named `msg`, so every "
        "message's reply time goes into a REPLY row with full percentiles (p50 / p99 above, "
        "from its JSON); the session row counts messages, close codes and gaps as well.",
        "- Locust: no WebSocket support of its own: a `User` with websocket-client "
        f"({meta['versions'].get('websocket-client')}, blocking sockets made cooperative by "
        "gevent) that reports each round trip with `events.request.fire` — the approach "
        "Locust's documentation gives for other protocols. p50 / p99 from the summary it "
        "prints at the end (Locust rounds them to whole milliseconds). Counts come from the "
        "locustfile's own counter (Locust's final summary agrees; its `--csv` file, written "
        "every 2 s, misses the last seconds).",
        "- Artillery: `engine: ws`, a `send` with `match` on the echo (the way to wait for a "
        "reply) in a loop; it counts messages sent and received but times none of them "
        "(no p50 / p99). Its messages/s use the span between its first and last metric.",
    ]
    if s.get("per_cpu") and loc.get("per_cpu"):
        lines.append(f"- stampede: {ratio(s['per_cpu'], loc['per_cpu'])} Locust's messages per "
                     f"CPU-s, {ratio(s.get('per_cpu_ex'), loc.get('per_cpu_ex'))} without "
                     "start-up. Each tool used its core to the full (CPU s ≈ the run's length)"
                     + (f", and with stampede the target's single thread was at "
                        f"{s['target_cpu']:.0f} %" if (s.get("target_cpu") or 0) >= 90 else "")
                     + ". What limits stampede here is the kernel: a message costs it one "
                     "`sendmsg` and two `recvmsg` (the second finds the socket empty and "
                     "returns EAGAIN before the wait), and on loopback the `sendmsg` also runs "
                     "the receiver's TCP input; `perf record` of one such run (2026-12-06) put "
                     "81 % of stampede's CPU time in the kernel, 13 % in stampede's own code. "
                     "Locust pays the same kernel cost per message plus its Python (websocket-"
                     "client's framing and masking, gevent, the stats), Artillery its "
                     "JavaScript (ws, JSON parsing and the match, its metrics).")
    inter = interference([runs])
    lines += ["", inter, ""] if inter else [""]
    lines += commands_block(commands, files)
    return lines


def sse_markdown(meta, args, summ, tools, runs, psumm, ptools, pruns, commands, files):
    lines = header_lines(meta, args) + [""]
    lines += [f"{USERS} users, each reading `/api/chat/stream?tokens={SSE_TOKENS}&gap_ms=0` (an "
              f"SSE stream of {SSE_TOKENS:,} `token` events of ~60 bytes, written as fast as the "
              "target goes, then `data: [DONE]`) back to back for "
              f"{args.seconds} s: events per CPU-second of the tool. p50 / p99 = the gap "
              "between consecutive events (inter-token latency).", ""]
    lines += throughput_table(summ, tools, "events")
    lines += ["", "events/s per round: " + B.rounds_line({"tools": tools, "summ": summ}) + ".",
              ""]
    p = PACED
    offered = p["users"] * 1000 // p["gap_ms"]
    lines += [f"### Paced: {p['users']} streams, one event every {p['gap_ms']} ms each "
              f"({offered:,} events/s offered)", "",
              f"`/api/chat/stream?tokens={p['tokens']}&first_ms=0&gap_ms={p['gap_ms']}` read "
              f"back to back by {p['users']} users: every tool keeps up, each event arrives on "
              "its own, so this compares the CPU each tool spends per event at the same event "
              "rate.", ""]
    lines += throughput_table(psumm, ptools, "events")
    lines += ["", "events/s per round: " + B.rounds_line({"tools": ptools, "summ": psumm}) + ".",
              ""]
    lines += common_notes()
    lines += [
        "- stampede: `stream: {format: sse, end: \"[DONE]\"}` — the WHATWG SSE parser, each "
        "event timed on arrival (time to first event, event gap, time per output token, "
        "tokens/s per stream, all as histograms in its JSON).",
        "- Locust: an `HttpUser` GET with `stream=True` and `iter_lines()` (requests, reading "
        "512-byte chunks), counting `data:` lines; `locust` reports each event's gap with "
        "`events.request.fire` (the per-event statistics stampede keeps), `locust-nostats` "
        "only counts them (the stream is still one request row). No SSE parsing beyond the "
        "`data:` prefix. Its p50 / p99 are whole milliseconds (a gap under 0.5 ms shows as "
        "0): with `gap_ms=0` most events arrive in the same read as the one before.",
        "- Artillery: no SSE support (no engine or plugin of its own parses events); its HTTP "
        "engine GETs the stream and reads it as one body — less work than parsing and timing "
        "every event. Events = complete streams × tokens (bodies checked by "
        "`http.downloaded_bytes`); no per-event timing.",
        "- With `gap_ms=0` a reader that lags gets several events per read (they pile up in "
        "the socket), a reader that keeps up pays a wakeup and a read per event: the target "
        "writes each event on its own. stampede keeps up (it reads and times each ~60-byte "
        "event as it arrives: a wakeup and a `recvmsg` per event), while Locust and Artillery "
        "read what piled up, kilobytes at a time — and with stampede the target's one thread "
        "is the limit. So the events per CPU-s of the first table also depend on how fast "
        "each tool reads; the paced table takes that away.",
    ]
    inter = interference([runs, pruns])
    lines += ["", inter, ""] if inter else [""]
    lines += commands_block(commands, files)
    return lines


def hold_markdown(meta, args, hold, commands, files):
    lines = [f"Measured by `bench/streams` on {meta['date']} (stampede "
             f"{meta['versions'].get('stampede')}; one runner process, `--threads 1`, on CPU "
             f"{meta['tool_cpu']}; the target, `--threads 1`, on CPU {meta['target_cpu']}; "
             f"loopback; open-file limit {meta['fd_limit']} for both). Started at "
             f"{SPAWN_RATE:,} users/s; each user opens one session or stream and then waits "
             "(`wait: constant(1h)`) until the run ends. RSS sampled every second from "
             "/proc/PID/status; \"held\" = the seconds during which the target counted every one "
             "of them open at once (its `/__stats`: `ws_sessions_opened − ws_sessions_closed`, "
             "`api.streams_started − api.streams_completed`); the RSS figure is the median over "
             "those seconds (the first two left out).", ""]
    head = ("| run | users | open at once (target) | held s | runner RSS while held, MiB | "
            "runner max RSS MiB | target RSS while held, MiB | sessions / streams in the result"
            " | failures |")
    lines += [head, "| --- |" + " ---: |" * (head.count("|") - 2)]
    for kind in ("ws", "sse"):
        for which in ("base", "full"):
            r = hold.get(kind, {}).get(which)
            if not r:
                continue
            if kind == "ws":
                label = f"WebSocket: send, receive, think {r['hold']} s, close"
            else:
                gap_ms, tokens = sse_hold_shape(r["hold"])
                label = ("SSE: one event at once" if tokens == 1 else
                         f"SSE: {tokens} events {gap_ms // 1000} s apart") + \
                    f", `[DONE]` at {r['hold']} s"
            lines.append(f"| {label} | {r['users']:,} | {r['max_open']:,} | {r['held_seconds']} | "
                         f"{fmt((r.get('plateau_rss_kib') or 0) / 1024, '.1f')} | "
                         f"{fmt((r.get('max_rss_kib') or 0) / 1024, '.1f')} | "
                         f"{fmt((r.get('plateau_target_rss_kib') or 0) / 1024, '.1f')} | "
                         f"{fmt(r.get('sessions'))} | {fmt(r.get('failures'))} |")
    lines.append("")
    for kind, what in (("ws", "idle WebSocket session"), ("sse", "open SSE stream")):
        h = hold.get(kind, {})
        if h.get("per_session_kib") is not None:
            f, b = h["full"], h["base"]
            t = h.get("target_per_session_kib")
            lines.append(f"- **{h['per_session_kib']:.1f} KiB per {what}** in the runner: "
                         f"(RSS with {f['users']:,} − RSS with {b['users']:,}) / "
                         f"{f['users'] - b['users']:,}"
                         + (f"; the target {t:.1f} KiB per session" if t is not None else "")
                         + ".")
    for kind in ("ws", "sse"):
        f = hold.get(kind, {}).get("full")
        if not f:
            continue
        ts = f.get("target_stats") or {}
        if kind == "ws":
            codes = ", ".join(f"{k} × {v:,}" for k, v in (f.get("close_codes") or {}).items())
            lines.append(f"- WebSocket, {f['users']:,} users: the result has "
                         f"{fmt(f.get('sessions'))} sessions, {fmt(f.get('msgs_received'))} "
                         f"echoes received, close codes {codes or 'none'}, "
                         f"{fmt(f.get('failures'))} failures; the target counted "
                         f"{fmt(ts.get('ws_sessions_opened'))} sessions opened and "
                         f"{fmt(ts.get('ws_sessions_closed'))} closed with the handshake.")
        else:
            lines.append(f"- SSE, {f['users']:,} users: the result has "
                         f"{fmt(f.get('sessions'))} streams and {fmt(f.get('events'))} events, "
                         f"{fmt(f.get('failures'))} failures; the target counted "
                         f"{fmt(ts.get('streams_started'))} streams started and "
                         f"{fmt(ts.get('streams_completed'))} completed.")
    lines += ["- One round (each 10,000-user run holds for a full minute); the runner's RSS "
              "includes its per-row histograms and allocator caches, so the per-session figure is "
              "what a session adds in practice, not a struct size.", ""]
    lines += commands_block(commands, files)
    return lines


def commands_block(commands, files):
    lines = ["Commands (`$URL` is the target's `http://127.0.0.1:PORT`; each prefixed with "
             "`/usr/bin/time -f '%e %U %S %M' -o FILE taskset -c 0`):", "", "```"]
    lines += commands
    lines += ["```", ""]
    for title, lang, text in files:
        lines += [f"{title}:", "", f"```{lang}", text.rstrip(), "```", ""]
    lines += ["Reproduce: `bench/streams` (all three sections, ~10 min of machine time), "
              "`bench/streams --only ws` (or `sse`, `hold`), `bench/streams --quick` (~1.5 min, "
              "a check of the harness; leaves BENCHMARKS.md alone). Artillery is installed on "
              "first use with `npm install --ignore-scripts --prefix "
              f"{ARTILLERY_DIR.replace(os.path.expanduser('~'), '~')} "
              f"artillery@{ARTILLERY_VERSION}` (~40 s, ~460 MB; its scripts are skipped: "
              "Playwright's would download a browser); websocket-client is Debian's "
              "python3-websocket."]
    return lines


def replace_section(text, name, body):
    section = f"## {name}\n\n" + "\n".join(body).strip() + "\n"
    pattern = rf"\n## {re.escape(name)}\n.*?(?=\n## |\Z)"
    if re.search(pattern, text, flags=re.S):
        return re.sub(pattern, lambda _: "\n" + section, text, count=1, flags=re.S)
    return text.rstrip() + "\n\n" + section


# ---------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true",
                    help="check the harness: 2 s runs, 1 round, 500 held sessions for 5 s; "
                         "BENCHMARKS.md untouched")
    ap.add_argument("--seconds", type=int, default=None, help="duration of each run (10)")
    ap.add_argument("--runs", type=int, default=None, help="rounds; medians reported (3)")
    ap.add_argument("--only", default=",".join(SECTIONS),
                    help="comma-separated sections to run: ws, sse, hold (all)")
    ap.add_argument("--tools", default=None,
                    help="comma-separated subset of stampede, locust, locust-nostats, artillery")
    ap.add_argument("--hold-users", type=int, default=None, help=f"({HOLD_USERS})")
    ap.add_argument("--hold-seconds", type=int, default=None, help=f"({HOLD_SECONDS})")
    ap.add_argument("--stampede", default=os.path.join(ROOT, "build", "runner", "stampede"))
    ap.add_argument("--target", default=None,
                    help="stampede-target (default: beside --stampede, target/stampede-target)")
    ap.add_argument("--output", default=None,
                    help="markdown file (default BENCHMARKS.md; with --quick, bench/out/...)")
    ap.add_argument("--wait-idle", type=float, default=None,
                    help="before each run wait up to this many seconds for both pinned CPUs to "
                         "be <15%% busy (10; 0 with --quick)")
    ap.add_argument("--retries", type=int, default=None,
                    help="measure a disturbed run again up to this many times (1; 0 with "
                         "--quick)")
    ap.add_argument("--render", metavar="DIR",
                    help="measure nothing: write the sections from DIR/results.json (a bench/out "
                         "directory of an earlier run) into --output or BENCHMARKS.md")
    args = ap.parse_args()
    if args.render:
        res = load_json(os.path.join(args.render, "results.json"))
        if not res or "out" not in res:
            log(f"{args.render}/results.json is missing or from an older harness")
            return 1
        render(res, args.output or os.path.join(ROOT, "BENCHMARKS.md"))
        return 0
    args.seconds = args.seconds or (2 if args.quick else 10)
    args.runs = args.runs or (1 if args.quick else 3)
    args.hold_users = args.hold_users or (500 if args.quick else HOLD_USERS)
    args.hold_seconds = args.hold_seconds or (5 if args.quick else HOLD_SECONDS)
    base_users = min(BASE_USERS, max(1, args.hold_users // 10))
    base_hold = min(BASE_HOLD_SECONDS, args.hold_seconds)
    if args.wait_idle is None:
        args.wait_idle = 0 if args.quick else 10
    if args.retries is None:
        args.retries = 0 if args.quick else 1
    sections = [s.strip() for s in args.only.split(",") if s.strip()]
    for s in sections:
        if s not in SECTIONS:
            ap.error(f"unknown section {s}")
    tools = None
    if args.tools:
        tools = [t.strip() for t in args.tools.split(",") if t.strip()]
        for t in tools:
            if t not in SSE_TOOLS:
                ap.error(f"unknown tool {t}")
    ws_tools = [t for t in WS_TOOLS if tools is None or t in tools]
    sse_tools = [t for t in SSE_TOOLS if tools is None or t in tools]
    paced_tools = [t for t in PACED_TOOLS if tools is None or t in tools]
    args.stampede = os.path.abspath(args.stampede)
    args.target = os.path.abspath(args.target or os.path.join(
        os.path.dirname(args.stampede), "target", "stampede-target"))
    for need in (args.stampede, args.target):
        if not os.access(need, os.X_OK):
            log(f"{need} is not built (cmake --build build --target stampede stampede-target)")
            return 1

    B.ensure_tools(["taskset", "/usr/bin/time"]
                   + (["locust"] if any(t.startswith("locust") for t in sse_tools) else []))
    for need in ("taskset", "/usr/bin/time"):
        if B.which(need) is None:
            log(f"{need} is required and missing")
            return 1
    if "ws" in sections and "locust" in ws_tools:
        ensure_websocket_client()
    artillery_error = None
    if ("ws" in sections or "sse" in sections) and "artillery" in sse_tools:
        artillery_error = ensure_artillery()
        if artillery_error:
            log(f"Artillery: {artillery_error}")
    fds = B.raise_fd_limit()
    if "hold" in sections and fds < args.hold_users + 1000:
        log(f"the open-file limit is {fds}: {args.hold_users} held sessions need "
            f"{args.hold_users + 1000}; holding {fds - 1000} instead")
        args.hold_users = max(base_users + 1, fds - 1000)
    cpus = sorted(os.sched_getaffinity(0))
    tool_cpu, target_cpu = (0, 1) if {0, 1} <= set(cpus) else \
        ((cpus[0], cpus[1]) if len(cpus) >= 2 else (None, None))

    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = os.path.join(OUT_ROOT, stamp + "-streams" + ("-quick" if args.quick else ""))
    os.makedirs(out, exist_ok=True)
    output = args.output or (os.path.join(out, "BENCHMARKS.md") if args.quick
                             else os.path.join(ROOT, "BENCHMARKS.md"))
    tool_versions = versions(args.stampede, args.target)
    stampede_src, target_src = args.stampede, args.target
    # Copies: a rebuild during the bench must not mix binaries.
    args.stampede = shutil.copy2(args.stampede, os.path.join(out, "stampede"))
    target_bin = shutil.copy2(args.target, os.path.join(out, "stampede-target"))
    log(f"raw outputs: {out}   (fd limit {fds}, tools on CPU {tool_cpu}, target on CPU "
        f"{target_cpu})")
    with open("/proc/loadavg") as f:
        loadavg = " ".join(f.read().split()[:3])
    meta = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "nproc": os.cpu_count(), "cpu_model": B.cpu_model(), "kernel": platform.release(),
            "versions": tool_versions, "tool_cpu": tool_cpu, "target_cpu": target_cpu,
            "fd_limit": fds, "loadavg": loadavg}

    target = Target(target_bin, target_cpu, out)
    results = {"meta": meta, "args": vars(args)}
    ws_runs, sse_runs, paced_runs, hold = [], [], [], None
    startup = {}
    t_start = time.monotonic()
    try:
        target.start()
        ctx = Ctx(args, target, tool_cpu, out)
        log(f"target: {target.url} (pid {target.proc.pid})")
        if "ws" in sections or "sse" in sections:
            sdir = os.path.join(out, "startup")
            os.makedirs(sdir, exist_ok=True)
            log("start-up cost (one idle user, 1 s)")
            startup = startup_runs(ctx, sdir, sse_tools)
        for i in range(args.runs):
            rdir = os.path.join(out, f"round{i + 1}")
            os.makedirs(rdir, exist_ok=True)
            if "ws" in sections:
                log(f"WebSocket echo, round {i + 1}/{args.runs}")
                ws_runs.append(ws_round(ctx, rdir, ws_tools, i))
            if "sse" in sections:
                log(f"SSE, round {i + 1}/{args.runs}")
                sse_runs.append(sse_round(ctx, rdir, sse_tools, i))
                log(f"SSE paced, round {i + 1}/{args.runs}")
                paced_runs.append(paced_round(ctx, rdir, paced_tools, i))
        if "hold" in sections:
            hdir = os.path.join(out, "hold")
            os.makedirs(hdir, exist_ok=True)
            log(f"held sessions: {args.hold_users} for {args.hold_seconds} s (baseline "
                f"{base_users} for {base_hold} s)")
            hold = hold_section(ctx, hdir, args.hold_users, base_users, args.hold_seconds,
                                base_hold)
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    except RuntimeError as e:
        log(f"error: {e}")
        return 1
    finally:
        target.stop()
    log(f"machine time: {time.monotonic() - t_start:.0f} s")

    def strip(r):
        return {k: v for k, v in r.items() if k not in ("stdout", "stderr")}

    results.update(
        out=out, url=target.url, stampede_src=stampede_src, target_src=target_src,
        sections=sections, ws_tools=ws_tools, sse_tools=sse_tools, paced_tools=paced_tools,
        artillery_error=artillery_error, startup=startup, hold=hold,
        ws_runs=[{t: strip(r) for t, r in x.items()} for x in ws_runs],
        sse_runs=[{t: strip(r) for t, r in x.items()} for x in sse_runs],
        paced_runs=[{t: strip(r) for t, r in x.items()} for x in paced_runs])
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(results, f, indent=2, default=str)
    render(results, output)
    return 0


def render(res, output):
    """Writes the sections measured in `res` (a results.json) into `output`."""
    out, url, meta = res["out"], res["url"], res["meta"]
    args = argparse.Namespace(**res["args"])
    stampede_copy = res["args"]["stampede"]
    ws_url = url.replace("http://", "ws://", 1)

    def show(argv):
        return (shlex.join(argv).replace(stampede_copy, os.path.relpath(res["stampede_src"], ROOT))
                .replace(url, "$URL").replace(out + "/round1/", "").replace(out + "/hold/", "")
                .replace(out + "/startup/", "").replace(out + "/", "")
                .replace(ARTILLERY_DIR, "$ARTILLERY_DIR").replace(ROOT + "/", ""))

    def commands_of(groups):
        return [show(r["argv"]) for group in groups if group for r in group[0].values()
                if r.get("argv")]

    def read(path):
        try:
            return open(path).read().replace(ws_url, "$WS_URL").replace(url, "$URL")
        except OSError:
            return None

    r1 = os.path.join(out, "round1")
    startup = res.get("startup") or {}
    err = res.get("artillery_error")
    bodies = {}
    if "ws" in res["sections"]:
        tools = res["ws_tools"]
        summ = {t: summarize(res["ws_runs"], t, startup) for t in tools}
        if err and "artillery" in summ and not summ["artillery"].get("ok_runs"):
            summ["artillery"]["errors"] = [err]
        files = [(n, lang, read(os.path.join(r1, f))) for n, lang, f in (
            ("stampede plan (stampede-ws.yaml)", "yaml", "stampede-ws.yaml"),
            ("Locust file (locust_ws.py)", "python", "locust_ws.py"),
            ("Artillery script (artillery-ws.yml, `$WS_URL` = `ws://127.0.0.1:PORT`; "
             "artillery-processor.js below)", "yaml", "artillery-ws.yml"),
            ("artillery-processor.js", "js", "artillery-processor.js"))]
        bodies["ws"] = ws_markdown(meta, args, summ, tools, res["ws_runs"],
                                   commands_of([res["ws_runs"]]), [f for f in files if f[2]])
        print("\nWebSocket echo:\n" + "\n".join(throughput_table(summ, tools, "messages")))
    if "sse" in res["sections"]:
        tools, ptools = res["sse_tools"], res["paced_tools"]
        summ = {t: summarize(res["sse_runs"], t, startup) for t in tools}
        psumm = {t: summarize(res["paced_runs"], t, startup) for t in ptools}
        for x in (summ, psumm):
            if err and "artillery" in x and not x["artillery"].get("ok_runs"):
                x["artillery"]["errors"] = [err]
        files = [(n, lang, read(os.path.join(r1, f))) for n, lang, f in (
            ("stampede plan (stampede-sse.yaml; the paced one differs in users and path)",
             "yaml", "stampede-sse.yaml"),
            ("Locust file (locust_sse.py)", "python", "locust_sse.py"),
            ("Artillery script (artillery-sse.yml)", "yaml", "artillery-sse.yml"))]
        bodies["sse"] = sse_markdown(meta, args, summ, tools, res["sse_runs"], psumm, ptools,
                                     res["paced_runs"],
                                     commands_of([res["sse_runs"], res["paced_runs"]]),
                                     [f for f in files if f[2]])
        print("\nSSE, gap_ms=0:\n" + "\n".join(throughput_table(summ, tools, "events")))
        print("\nSSE paced:\n" + "\n".join(throughput_table(psumm, ptools, "events")))
    hold = res.get("hold")
    if "hold" in res["sections"] and hold:
        cmds = [show(hold[k][w]["argv"]) for k in ("ws", "sse") for w in ("full", "base")]
        files = [(f"stampede plan ({hold[k]['full']['name']}.yaml)", "yaml",
                  hold[k]["full"]["plan"].replace(hold[k]["full"]["url"], "$URL"))
                 for k in ("ws", "sse")]
        bodies["hold"] = hold_markdown(meta, args, hold, cmds, files)
        print("\n" + "\n".join(l for l in bodies["hold"] if l.startswith(("|", "- **"))))

    text = open(output).read() if os.path.exists(output) else "# Benchmarks\n"
    for key in SECTIONS:
        if key in bodies:
            text = replace_section(text, SECTION_TITLES[key], bodies[key])
    with open(output, "w") as f:
        f.write(text)
    print(f"\nwrote {', '.join(SECTION_TITLES[k] for k in bodies)} into "
          f"{os.path.relpath(output, ROOT)}; raw outputs in {os.path.relpath(out, ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
