#!/usr/bin/env python3
"""Stampede benchmark harness (Python 3 stdlib only); started by bench/run.

Runs stampede, wrk, h2load, hey and Locust (FastHttpUser) one after another against one local
nginx (`return 200 "ok"`) and writes the median of N rounds into BENCHMARKS.md:

  * closed loop: 50 connections as fast as they go for --seconds;
  * fixed rate: 10,000 and 50,000 requests/s for --seconds (stampede's open model with its
    default queue and pre-opened connections, h2load --rps and vegeta attack -rate);
  * stampede's memory per connection: max RSS with 50 and with 1000 users.

nginx runs on CPU 1 and each load tool on CPU 0 (taskset); /usr/bin/time measures each tool's
elapsed, user and system time and max RSS. A tool that is missing or fails gets a row that says so.
Raw outputs stay under bench/out/<UTC timestamp>/.
"""

import argparse
import csv
import datetime
import json
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_ROOT = os.path.join(ROOT, "bench", "out")
CONNECTIONS = 50
RATES = (10000, 50000)
MEM_USERS = (50, 1000)
# BENCHMARKS.md sections written by bench/operator, scripts/build-images --benchmarks,
# bench/streams, bench/seed, bench/node and bench/soak.
KEPT_SECTIONS = ("Operator", "Images", "WebSocket echo", "SSE events", "Concurrent sessions",
                 "Seed-shaped workload", "Operator on a real node", "Accelerated soak")
# stampede+metrics: the same closed-loop run with --listen (Prometheus export on) and /metrics
# scraped every second, to measure what the export costs. stampede+templates: every request
# rendered from templates (path, a header) and carrying an HS256 JWT, to measure what the
# scenario language costs.
TOOLS = ["stampede", "stampede+metrics", "stampede+templates", "wrk", "h2load", "hey", "locust",
         "vegeta"]
RATE_ONLY = ("vegeta",)  # fixed-rate tools: no closed-loop row
BENCH_JWT_SECRET = "stampede-bench-secret"
RATE_TOOLS = ["stampede", "h2load", "vegeta"]
# vegeta, a fixed-rate tool in Go, from the Go module proxy (built once into the cache).
VEGETA = "github.com/tsenart/vegeta/v12"
VEGETA_VERSION = "v12.13.0"

# Binary -> Debian package, for tools that are absent.
PACKAGES = {
    "nginx": "nginx-light",
    "wrk": "wrk",
    "h2load": "nghttp2-client",
    "hey": "hey",
    "locust": "python3-locust",
    "taskset": "util-linux",
    "/usr/bin/time": "time",
}

LOCUSTFILE = """\
from locust import FastHttpUser, constant, task


class U(FastHttpUser):
    wait_time = constant(0)

    @task
    def index(self):
        self.client.get("/")
"""


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Tools and machine


def which(name):
    if name.startswith("/"):
        return name if os.access(name, os.X_OK) else None
    # Prefer the system's binaries (e.g. Debian's locust) over shims earlier in PATH.
    for d in ("/usr/sbin", "/usr/bin"):
        p = os.path.join(d, name)
        if os.access(p, os.X_OK):
            return p
    return shutil.which(name)


def vegeta_binary():
    """vegeta from the Go module proxy, built once into the cache; None without Go."""
    cache = os.environ.get("STAMPEDE_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "stampede")
    bindir = os.path.join(cache, f"vegeta-{VEGETA_VERSION}", "bin")
    path = os.path.join(bindir, "vegeta")
    if os.access(path, os.X_OK):
        return path
    if shutil.which("go") is None:
        return None
    log(f"building vegeta {VEGETA_VERSION} from the Go module proxy")
    env = dict(os.environ, GOBIN=bindir, CGO_ENABLED="0", GOTOOLCHAIN="local")
    try:
        subprocess.run(["go", "install", "-trimpath", f"{VEGETA}@{VEGETA_VERSION}"], env=env,
                       check=True, timeout=900)
    except (OSError, subprocess.SubprocessError) as e:
        log(f"vegeta: build failed: {e}")
        return None
    return path if os.access(path, os.X_OK) else None


def ensure_tools(names):
    missing = [n for n in names if which(n) is None]
    if not missing:
        return
    pkgs = sorted({PACKAGES[n] for n in missing})
    log(f"missing: {' '.join(missing)}; installing {' '.join(pkgs)}")
    sudo = [] if os.geteuid() == 0 else (["sudo", "-n"] if shutil.which("sudo") else None)
    if sudo is None:
        log("not root and no sudo: cannot install; those tools get a 'missing' row")
        return
    install_deps = os.path.join(ROOT, "scripts", "install-deps")
    bench_pkgs = [p for p in pkgs if p != "time"]
    try:
        if bench_pkgs and os.access(install_deps, os.X_OK):
            subprocess.run([install_deps, "bench"], check=False, timeout=900)
        if "time" in pkgs or any(which(n) is None for n in missing):
            env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
            subprocess.run(sudo + ["apt-get", "update", "-qq"], check=False, timeout=600, env=env)
            still = sorted({PACKAGES[n] for n in missing if which(n) is None})
            subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "--no-install-recommends"]
                           + still, check=False, timeout=900, env=env)
    except (OSError, subprocess.SubprocessError) as e:
        log(f"install failed: {e}")
    for n in missing:
        if which(n) is None:
            log(f"still missing: {n}")


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def tool_version(argv, pattern=None):
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return "?"
    text = (p.stdout + p.stderr).strip()
    if pattern:
        m = re.search(pattern, text)
        return m.group(1) if m else "?"
    return text.splitlines()[0] if text else "?"


def versions(stampede):
    v = {}
    if which("nginx"):
        v["nginx"] = tool_version([which("nginx"), "-v"], r"nginx/(\S+)")
    if which("wrk"):
        v["wrk"] = tool_version([which("wrk"), "-v"], r"wrk (\S+)")
    if which("h2load"):
        v["h2load"] = tool_version([which("h2load"), "--version"], r"nghttp2/(\S+)")
    v["hey"] = dpkg_version("hey")
    v["locust"] = dpkg_version("python3-locust")
    if os.access(stampede, os.X_OK):
        v["stampede"] = tool_version([stampede, "version"]).replace("stampede ", "")
        try:
            rev = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                                 capture_output=True, text=True, timeout=20).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            rev = ""
        built = datetime.datetime.fromtimestamp(os.path.getmtime(stampede),
                                                datetime.timezone.utc).strftime("%H:%M UTC")
        v["stampede"] += f" (binary built {built}" + (f", tree at {rev}" if rev else "") + ")"
    return v


def dpkg_version(pkg):
    try:
        p = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True,
                           text=True, timeout=20)
        return p.stdout.strip() or "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def raise_fd_limit(want=65536):
    """Like `ulimit -n 65536`; falls back to the hard limit where that cannot be raised."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    for limits in ((want, max(want, hard)), (hard, hard)):
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, limits)
            return limits[0]
        except (ValueError, OSError):
            continue
    return soft


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_busy_seconds():
    """Busy (user+nice+system+irq+softirq) seconds per CPU since boot, from /proc/stat."""
    busy = {}
    try:
        with open("/proc/stat") as f:
            for line in f:
                m = re.match(r"cpu(\d+)\s+(.*)", line)
                if m:
                    v = [int(x) for x in m.group(2).split()]
                    busy[int(m.group(1))] = (v[0] + v[1] + v[2] + v[5] + v[6]) / os.sysconf(
                        "SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        pass
    return busy


def wait_for_quiet(max_wait, cpus, threshold=0.15):
    """Waits (at most max_wait s) until each of cpus is busy < threshold over 1 s; returns the
    last measured busy fractions."""
    deadline = time.monotonic() + max_wait
    while True:
        a = cpu_busy_seconds()
        time.sleep(1.0)
        b = cpu_busy_seconds()
        busy = {c: b[c] - a[c] for c in cpus if c in a and c in b}
        if all(v < threshold for v in busy.values()) or time.monotonic() >= deadline:
            return busy
        log(f"    machine busy ({', '.join(f'CPU {c} {v:.0%}' for c, v in busy.items())}); "
            "waiting")
        time.sleep(4.0)


def proc_cpu_seconds(pid):
    """user+sys CPU seconds of a running process, or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


# ---------------------------------------------------------------------------------------------
# nginx


def stop_process(proc):
    """Terminates a server the harness started (SIGTERM, SIGKILL after 10 s); None: nothing."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


class Nginx:
    def __init__(self, workdir, cpu, worker_connections=4096):
        self.dir = workdir
        self.cpu = cpu
        self.worker_connections = worker_connections
        self.proc = None
        self.port = None
        self.conf = os.path.join(workdir, "nginx.conf")

    def config(self, temp_paths=True):
        d = self.dir
        temps = ""
        if temp_paths:
            temps = "".join(f"    {k}_temp_path {d}/{k};\n"
                            for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        return f"""worker_processes 1;
daemon off;
master_process off;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
worker_rlimit_nofile {self.worker_connections * 2};
events {{
    worker_connections {self.worker_connections};
}}
http {{
    access_log off;
    keepalive_requests 1000000;
    keepalive_timeout 75s;
    default_type text/plain;
{temps}    server {{
        listen 127.0.0.1:{self.port} backlog=4096;
        location / {{
            return 200 "ok";
        }}
    }}
}}
"""

    def start(self):
        nginx = which("nginx")
        if nginx is None:
            raise RuntimeError("nginx is not installed (apt-get install nginx-light)")
        self.port = free_port()
        base = [nginx, "-p", self.dir + "/", "-e", os.path.join(self.dir, "error.log"),
                "-c", self.conf]
        for temp_paths in (True, False):
            with open(self.conf, "w") as f:
                f.write(self.config(temp_paths))
            test = subprocess.run(base + ["-t", "-q"], capture_output=True, text=True, timeout=30)
            if test.returncode == 0:
                break
        else:
            raise RuntimeError(f"nginx config test failed: {test.stderr.strip()}")
        argv = (["taskset", "-c", str(self.cpu)] if self.cpu is not None else []) + base
        self.out = open(os.path.join(self.dir, "nginx.out"), "w")
        self.proc = subprocess.Popen(argv, stdout=self.out, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited with {self.proc.returncode}; see {self.dir}")
            try:
                with urllib.request.urlopen(self.url, timeout=1) as r:
                    if r.status == 200 and r.read() == b"ok":
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("nginx did not answer within 10 s")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/"

    def cpu_seconds(self):
        return proc_cpu_seconds(self.proc.pid) if self.proc else None

    def stop(self):
        if self.proc is None:
            return
        stop_process(self.proc)
        self.proc = None
        self.out.close()


# ---------------------------------------------------------------------------------------------
# Running one measured command


def timed_run(name, argv, outdir, timeout, cpu, nginx=None):
    """Runs argv under /usr/bin/time (pinned to cpu) with a timeout; returns a dict."""
    base = os.path.join(outdir, name)
    time_file = base + ".time"
    pin = ["taskset", "-c", str(cpu)] if cpu is not None else []
    cmd = ["/usr/bin/time", "-f", "%e %U %S %M", "-o", time_file] + pin + argv
    with open(base + ".cmd", "w") as f:
        f.write(shlex.join(cmd) + "\n")
    res = {"cmd": cmd, "argv": argv, "timed_out": False}
    nginx_before = nginx.cpu_seconds() if nginx else None
    busy_before = cpu_busy_seconds()
    wall0 = time.monotonic()
    with open(base + ".stdout", "w") as out, open(base + ".stderr", "w") as err:
        p = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                             start_new_session=True, cwd=outdir)
        try:
            res["rc"] = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            res["timed_out"] = True
            os.killpg(p.pid, signal.SIGTERM)
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
            res["rc"] = p.returncode
    res["wall"] = time.monotonic() - wall0
    busy_after = cpu_busy_seconds()
    res["cpu_busy"] = {c: busy_after[c] - busy_before[c] for c in busy_after if c in busy_before}
    nginx_used = None
    if nginx_before is not None:
        after = nginx.cpu_seconds()
        if after is not None:
            nginx_used = after - nginx_before
            res["nginx_cpu_pct"] = 100.0 * nginx_used / res["wall"]
    with open(base + ".stdout", errors="replace") as f:
        res["stdout"] = f.read()
    with open(base + ".stderr", errors="replace") as f:
        res["stderr"] = f.read()
    try:
        with open(time_file) as f:
            lines = [l for l in f.read().splitlines() if l.strip()]
        e, u, s, m = lines[-1].split()
        res.update(elapsed=float(e), user=float(u), sys=float(s), cpu=float(u) + float(s),
                   rss_kib=int(m))
    except (OSError, IndexError, ValueError):
        pass
    # CPU time other processes took on the two pinned CPUs during the run (interference).
    if cpu is not None and cpu in res["cpu_busy"] and "cpu" in res:
        res["other_on_tool_cpu"] = max(0.0, res["cpu_busy"][cpu] - res["cpu"])
    if nginx is not None and nginx.cpu in res["cpu_busy"] and nginx_used is not None:
        res["other_on_nginx_cpu"] = max(0.0, res["cpu_busy"][nginx.cpu] - nginx_used)
    return res


def tail(text, n=3):
    lines = [l.strip() for l in text.strip().splitlines() if l.strip()]
    return (" / ".join(lines[-n:])[:300] or "(no output)").replace("|", "/")


class ToolError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# The tools: each returns {requests, duration, failures, ...} or raises ToolError


def stampede_plan(url, load, wait=None, templated=False):
    if templated:
        return (f"target: {url}\nload: {load}\nscenarios:\n"
                "  - name: bench\n"
                "    auth:\n"
                "      jwt:\n"
                "        secret: {env: STAMPEDE_BENCH_JWT_SECRET}\n"
                "        claims: {sub: 'user-{{ userIndex }}', role: bench}\n"
                "        expiresIn: 15m\n"
                "    steps:\n"
                "      - get: '/?user={{ userIndex }}&n={{ randomInt(1, 1000000) }}'\n"
                "        name: /\n"
                "        headers: {X-Request-Id: '{{ uuid() }}'}\n")
    scenario = "{name: bench, " + (f"wait: {wait}, " if wait else "") + "steps: [{get: /}]}"
    return f"target: {url}\nload: {load}\nscenarios: [{scenario}]\n"


class MetricsScraper:
    """Fetches http://127.0.0.1:PORT/metrics every second while a run goes, as Prometheus
    would; the scrapes' serialization cost lands in the measured stampede process."""

    def __init__(self, port):
        self.url = f"http://127.0.0.1:{port}/metrics"
        self.stop = threading.Event()
        self.scrapes = 0
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def loop(self):
        while not self.stop.wait(1.0):
            try:
                with urllib.request.urlopen(self.url, timeout=2) as r:
                    r.read()
                self.scrapes += 1
            except OSError:
                pass  # not listening yet, or finished

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def run_stampede(ctx, outdir, name, load, wait=None, metrics=False, templated=False):
    plan = os.path.join(outdir, name + ".yaml")
    os.environ["STAMPEDE_BENCH_JWT_SECRET"] = BENCH_JWT_SECRET
    with open(plan, "w") as f:
        f.write(stampede_plan(ctx.url, load, wait, templated))
    out_json = os.path.join(outdir, name + ".json")
    if os.path.exists(out_json):
        os.remove(out_json)
    argv = [ctx.stampede, "run", plan, "--threads", "1", "--quiet", "--json", out_json]
    port = free_port() if metrics else None
    if metrics:
        argv += ["--listen", f"127.0.0.1:{port}"]
    if not os.access(ctx.stampede, os.X_OK):
        raise ToolError(f"not built ({os.path.relpath(ctx.stampede, ROOT)} missing)",
                        {"argv": argv})
    if metrics:
        with MetricsScraper(port) as scraper:
            r = ctx.run(name, argv, outdir)
        r["scrapes"] = scraper.scrapes
    else:
        r = ctx.run(name, argv, outdir)
    if r["timed_out"]:
        raise ToolError(f"timed out after {ctx.timeout:.0f} s", r)
    if r["rc"] not in (0, 99):
        raise ToolError(f"exit {r['rc']}: {tail(r['stderr'] or r['stdout'])}", r)
    try:
        with open(out_json) as f:
            j = json.load(f)
        t = j["totals"]
        r.update(requests=int(t["requests"]), failures=int(t.get("failures", 0)),
                 duration=float(t.get("duration_seconds") or ctx.seconds),
                 dropped=int(t.get("dropped", 0)),
                 p99=(j.get("latency_seconds") or {}).get("p99"),
                 p50=(j.get("latency_seconds") or {}).get("p50"))
        lag = ((j.get("generators") or [{}])[0]).get("loopLagSeconds") or {}
        r.update(lag_p99=lag.get("p99"), lag_max=lag.get("max"))
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ToolError(f"no usable JSON result ({e}): {tail(r['stderr'])}", r)
    return r


def parse_duration(value, unit):
    return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


def run_wrk(ctx, outdir):
    argv = [which("wrk") or "wrk", "-t1", f"-c{CONNECTIONS}", f"-d{ctx.seconds}s", ctx.url]
    r = ctx.run("wrk", argv, outdir)
    m = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)\b", r["stdout"])
    if r["timed_out"] or not m:
        raise ToolError(("timed out; " if r["timed_out"] else f"exit {r['rc']}; ")
                        + tail(r["stderr"] or r["stdout"]), r)
    r.update(requests=int(m.group(1)), duration=parse_duration(m.group(2), m.group(3)))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", r["stdout"])
    errs = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                     r["stdout"])
    r["failures"] = (int(bad.group(1)) if bad else 0) + \
        (sum(int(x) for x in errs.groups()) if errs else 0)
    return r


def run_h2load(ctx, outdir, name="h2load", rps=None):
    argv = [which("h2load") or "h2load", "--h1", "-t1", f"-c{CONNECTIONS}"]
    if rps:
        argv.append(f"--rps={rps}")
    argv += ["-D", str(ctx.seconds), ctx.url]
    r = ctx.run(name, argv, outdir)
    m = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, "
                  r"(\d+) failed, (\d+) errored, (\d+) timeout", r["stdout"])
    fin = re.search(r"finished in ([\d.]+)(us|ms|s|m), ", r["stdout"])
    if r["timed_out"] or not m:
        raise ToolError(("timed out; " if r["timed_out"] else f"exit {r['rc']}; ")
                        + tail(r["stderr"] or r["stdout"]), r)
    r.update(requests=int(m.group(4)), failures=int(m.group(5)) + int(m.group(6)),
             duration=parse_duration(fin.group(1), fin.group(2)) if fin else float(ctx.seconds))
    lat = re.search(r"time for request:\s+(\S+)\s+(\S+)\s+(\S+)", r["stdout"])
    if lat:
        r["latency_min_max_mean"] = lat.groups()
    return r


def run_vegeta(ctx, outdir, name, rate):
    """vegeta attack at a fixed rate over CONNECTIONS keep-alive connections (its CPU is the
    attack's); the report is read from its binary output afterwards, not timed."""
    vegeta = ctx.vegeta
    if vegeta is None:
        raise ToolError("not built (needs Go and the module proxy)", {})
    targets = os.path.join(outdir, name + ".targets")
    with open(targets, "w") as f:
        f.write(f"GET {ctx.url}\n")
    results = os.path.join(outdir, name + ".bin")
    argv = [vegeta, "attack", f"-rate={rate}/1s", f"-duration={ctx.seconds}s",
            f"-connections={CONNECTIONS}", f"-max-connections={CONNECTIONS}",
            f"-workers={CONNECTIONS}", f"-max-workers={CONNECTIONS}", "-keepalive=true",
            f"-targets={targets}", f"-output={results}"]
    r = ctx.run(name, argv, outdir)
    if r["timed_out"] or r["rc"] != 0:
        raise ToolError(("timed out; " if r["timed_out"] else f"exit {r['rc']}; ")
                        + tail(r["stderr"] or r["stdout"]), r)
    rep = subprocess.run([vegeta, "report", "-type=json", results], capture_output=True,
                         text=True, timeout=300, check=False)
    try:
        j = json.loads(rep.stdout)
        requests = int(j["requests"])
        ok = int((j.get("status_codes") or {}).get("200", 0))
        lat = j.get("latencies") or {}
        r.update(requests=ok, failures=requests - ok,
                 duration=float(j["duration"]) * 1e-9 or float(ctx.seconds),
                 p50=lat.get("50th", 0) * 1e-9, p99=lat.get("99th", 0) * 1e-9)
    except (ValueError, KeyError, TypeError) as e:
        raise ToolError(f"no usable report ({e}): {tail(rep.stderr)}", r)
    return r


def run_hey(ctx, outdir):
    argv = [which("hey") or "hey", "-z", f"{ctx.seconds}s", "-c", str(CONNECTIONS), ctx.url]
    r = ctx.run("hey", argv, outdir)
    m = re.search(r"\[200\]\s+(\d+) responses", r["stdout"])
    if r["timed_out"] or not m:
        raise ToolError(("timed out; " if r["timed_out"] else f"exit {r['rc']}; ")
                        + tail(r["stderr"] or r["stdout"]), r)
    total = re.search(r"Total:\s+([\d.]+) secs", r["stdout"])
    others = sum(int(n) for code, n in re.findall(r"\[(\d+)\]\s+(\d+) responses", r["stdout"])
                 if code != "200")
    errs = re.search(r"Error distribution:\n((?:\s+\[\d+\].*\n?)+)", r["stdout"])
    nerr = sum(int(n) for n in re.findall(r"\[(\d+)\]", errs.group(1))) if errs else 0
    r.update(requests=int(m.group(1)), failures=others + nerr,
             duration=float(total.group(1)) if total else float(ctx.seconds))
    return r


def locust_aggregate(prefix, printed=""):
    """Locust's total request and failure counts: {"Request Count", "Failure Count"}, or None.

    From the summary Locust prints when it stops (PRINTED, its stderr): PREFIX_stats.csv (--csv
    PREFIX) is written by a timer and is not brought up to date at the stop, so its "Aggregated"
    row misses the last moments (measured: 54,082 requests in the CSV, 57,951 in the summary,
    and the target counted the latter). The CSV is the fallback for a Locust that printed none.
    """
    for line in printed.splitlines():
        m = re.match(r"\s+Aggregated\s+(\d+)\s+(\d+)\(", line)
        if m:
            return {"Request Count": m.group(1), "Failure Count": m.group(2)}
    try:
        with open(prefix + "_stats.csv", newline="") as f:
            for rec in csv.DictReader(f):
                if rec.get("Name") == "Aggregated":
                    return rec
    except OSError:
        pass
    return None


def locust_argv(locust, locustfile, users, seconds, url, prefix):
    """Locust headless: all users at once for `seconds`, the summary CSVs under PREFIX."""
    return [locust, "-f", locustfile, "--headless", "-u", str(users), "-r", str(users),
            "-t", f"{seconds}s", "-H", url, "--csv", prefix, "--only-summary"]


def run_locust(ctx, outdir):
    locust = which("locust")
    if locust is None:
        raise ToolError("not installed")
    locustfile = os.path.join(outdir, "locustfile.py")
    with open(locustfile, "w") as f:
        f.write(LOCUSTFILE)
    prefix = os.path.join(outdir, "locust")
    argv = locust_argv(locust, locustfile, CONNECTIONS, ctx.seconds, ctx.url.rstrip("/"), prefix)
    r = ctx.run("locust", argv, outdir)
    row = locust_aggregate(prefix, r["stderr"] or "")
    if r["timed_out"] or row is None:
        raise ToolError(("timed out; " if r["timed_out"] else f"exit {r['rc']}; ")
                        + tail(r["stderr"] or r["stdout"]), r)
    # Locust reports no run duration of its own: use the nominal one (-t).
    r.update(requests=int(row["Request Count"]), failures=int(row["Failure Count"]),
             duration=float(ctx.seconds))
    return r


# ---------------------------------------------------------------------------------------------
# Rounds


class Ctx:
    def __init__(self, args, url, nginx, tool_cpu):
        self.stampede = args.stampede
        self.seconds = args.seconds
        self.mem_seconds = args.mem_seconds
        self.url = url
        self.nginx = nginx
        self.tool_cpu = tool_cpu
        self.timeout = args.seconds + 60
        self.wait_idle = args.wait_idle
        self.retries = args.retries

    def run(self, name, argv, outdir, timeout=None):
        if self.wait_idle > 0:
            cpus = [c for c in (self.tool_cpu, self.nginx.cpu) if c is not None]
            wait_for_quiet(self.wait_idle, cpus)
        log(f"  {name}: {shlex.join(argv)}")
        r = timed_run(name, argv, outdir, timeout or self.timeout, self.tool_cpu, self.nginx)
        return r


def is_clean(r, limit=0.1):
    """True when other processes took < limit of the run's wall time on both pinned CPUs."""
    wall = r.get("wall") or 0
    return all((r.get(k) or 0) < limit * wall for k in ("other_on_tool_cpu", "other_on_nginx_cpu"))


def attempt(label, fn, ctx, *a, retry=True, **kw):
    """Runs one measurement; repeats it (up to ctx.retries times) while other processes
    disturbed it. Returns the last result, with `clean` and the disturbed tries' numbers."""
    try:
        discarded = []
        while True:
            r = fn(ctx, *a, **kw)
            r["ok"] = True
            r["clean"] = is_clean(r)
            rps = r["requests"] / r["duration"] if r.get("duration") else 0
            log(f"    {label}: {r['requests']} requests, {rps:,.0f}/s, cpu {r.get('cpu', 0):.2f} s, "
                f"rss {r.get('rss_kib', 0) / 1024:.1f} MiB, other processes "
                f"{r.get('other_on_tool_cpu', 0):.2f} / {r.get('other_on_nginx_cpu', 0):.2f} CPU-s"
                + ("" if r["clean"] else " (disturbed)"))
            if r["clean"] or not retry or len(discarded) >= ctx.retries:
                r["discarded"] = discarded
                return r
            discarded.append({k: r.get(k) for k in ("requests", "duration", "cpu", "rss_kib",
                                                   "other_on_tool_cpu", "other_on_nginx_cpu")})
            log(f"    {label}: disturbed by other processes; measuring again")
    except ToolError as e:
        r = e.args[1] if len(e.args) > 1 else {}
        r = dict(r, ok=False, error=e.args[0])
        log(f"    {label}: FAILED: {e.args[0]}")
        return r
    except (OSError, subprocess.SubprocessError) as e:
        log(f"    {label}: FAILED: {e}")
        return {"ok": False, "error": str(e)}


def closed_round(ctx, outdir, order):
    results = {}
    for tool in order:
        if tool.startswith("stampede"):
            results[tool] = attempt(tool, run_stampede, ctx, outdir, tool.replace("+", "-"),
                                    f"{{users: {CONNECTIONS}, duration: {ctx.seconds}s}}",
                                    metrics=tool == "stampede+metrics",
                                    templated=tool == "stampede+templates")
        elif which(tool) is None:
            results[tool] = {"ok": False, "error": "not installed"}
        else:
            results[tool] = attempt(tool, {"wrk": run_wrk, "h2load": run_h2load,
                                           "hey": run_hey, "locust": run_locust}[tool],
                                    ctx, outdir)
    return results


def rate_load(rate, seconds):
    """The open model as a user writes it: the rate, the duration and as many connections as
    the peers get; the queue and the pre-opened connections keep their defaults."""
    return f"{{rate: {rate}, duration: {seconds}s, maxInFlight: {CONNECTIONS}}}"


def rate_round(ctx, outdir, order, rate):
    results = {}
    for tool in order:
        label = f"{tool} ({rate:,}/s)"
        if tool == "stampede":
            results[tool] = attempt(label, run_stampede, ctx, outdir, f"stampede-rate-{rate}",
                                    rate_load(rate, ctx.seconds))
        elif tool == "vegeta":
            results[tool] = attempt(label, run_vegeta, ctx, outdir, f"vegeta-rate-{rate}", rate)
        elif which("h2load") is None:
            results[tool] = {"ok": False, "error": "not installed"}
        else:
            results[tool] = attempt(label, run_h2load, ctx, outdir, f"h2load-rate-{rate}",
                                    rate // CONNECTIONS)
    return results


def memory_round(ctx, outdir):
    results = {}
    for users in MEM_USERS:
        load = f"{{users: {users}, duration: {ctx.mem_seconds}s}}"
        results[users] = attempt(f"stampede ({users} users)", run_stampede, ctx, outdir,
                                 f"stampede-mem-{users}", load, "constant(100ms)", retry=False)
    return results


def perf_profile(ctx, outdir):
    """perf record -g of one closed-loop and one fixed-rate stampede run; writes
    perf-{closed,rate}-report.txt (call graphs) and perf-{closed,rate}-top.txt (flat)."""
    if not os.access(ctx.stampede, os.X_OK) or shutil.which("perf") is None:
        log("perf: stampede or perf missing; skipped")
        return
    loads = {"closed": f"{{users: {CONNECTIONS}, duration: {ctx.seconds}s}}",
             "rate": rate_load(RATES[-1], ctx.seconds)}
    for name, load in loads.items():
        if ctx.wait_idle > 0:
            wait_for_quiet(ctx.wait_idle, [c for c in (ctx.tool_cpu, ctx.nginx.cpu)
                                           if c is not None])
        plan = os.path.join(outdir, f"stampede-perf-{name}.yaml")
        with open(plan, "w") as f:
            f.write(stampede_plan(ctx.url, load))
        data = os.path.join(outdir, f"perf-{name}.data")
        pin = ["taskset", "-c", str(ctx.tool_cpu)] if ctx.tool_cpu is not None else []
        argv = (["perf", "record", "-g", "-o", data, "--"] + pin +
                [ctx.stampede, "run", plan, "--threads", "1", "--quiet",
                 "--json", os.path.join(outdir, f"stampede-perf-{name}.json")])
        log(f"  perf: {shlex.join(argv)}")
        try:
            subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           timeout=ctx.timeout + 60, check=False)
            for suffix, extra in (("report", []), ("top", ["-g", "none", "--percent-limit",
                                                          "0.3"])):
                path = os.path.join(outdir, f"perf-{name}-{suffix}.txt")
                with open(path, "w") as f:
                    subprocess.run(["perf", "report", "-i", data, "--no-children", "--stdio"]
                                   + extra, stdout=f, stderr=subprocess.DEVNULL, timeout=600,
                                   check=False)
                log(f"  perf {name}: {path}")
        except (OSError, subprocess.SubprocessError) as e:
            log(f"  perf {name}: failed: {e}")


# ---------------------------------------------------------------------------------------------
# Summaries


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarize(runs, tool):
    """Median of each metric over the runs where the tool worked."""
    ok = [r[tool] for r in runs if r.get(tool, {}).get("ok")]
    failed = [r[tool] for r in runs if tool in r and not r[tool].get("ok")]
    clean = [r for r in ok if r.get("clean", True)]
    s = {"ok_runs": len(ok), "runs": len(ok) + len(failed), "clean_runs": len(clean),
         "errors": sorted({f.get("error", "?") for f in failed})}
    s["rps_rounds"] = [(r["requests"] / r["duration"], r.get("clean", True)) for r in ok]
    s["cpu_rounds"] = [(r["cpu"], r.get("clean", True)) for r in ok if r.get("cpu")]
    ok = clean or ok  # medians over the undisturbed runs where there are any
    if not ok:
        return s
    rps = [r["requests"] / r["duration"] for r in ok]
    cpu = [r.get("cpu") for r in ok]
    s.update(
        requests=med([r["requests"] for r in ok]),
        rps=med(rps), rps_all=rps,
        cpu=med(cpu),
        per_cpu=med([r["requests"] / r["cpu"] for r in ok if r.get("cpu")]),
        rss_mib=med([r["rss_kib"] / 1024 for r in ok if r.get("rss_kib")]),
        failures=med([r.get("failures", 0) for r in ok]),
        nginx_cpu=med([r.get("nginx_cpu_pct") for r in ok]),
        dropped=med([r.get("dropped") for r in ok]),
        p99=med([r.get("p99") for r in ok]),
        p50=med([r.get("p50") for r in ok]),
        lag_p99=med([r.get("lag_p99") for r in ok]),
        lag_max=med([r.get("lag_max") for r in ok]),
        elapsed=med([r.get("elapsed") for r in ok]),
    )
    return s


def fmt(v, spec=",.0f", none="–"):
    return none if v is None else format(v, spec)


def closed_table(summ, tools):
    base = summ.get("wrk", {}).get("per_cpu")
    rows = ["| tool | requests/s | CPU s (user+sys) | requests per CPU-s | vs wrk (requests per "
            "CPU-s) | max RSS MiB | nginx CPU % |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for t in tools:
        s = summ[t]
        if not s.get("ok_runs"):
            rows.append(f"| {t} | failed: {'; '.join(s['errors']) or 'not run'} | | | | | |")
            continue
        vs = f"{s['per_cpu'] / base:.2f}×" if base and s.get("per_cpu") else "–"
        rows.append(f"| {t} | {fmt(s['rps'])} | {fmt(s['cpu'], '.2f')} | {fmt(s['per_cpu'])} | "
                    f"{vs} | {fmt(s['rss_mib'], '.1f')} | {fmt(s['nginx_cpu'], '.0f')} |")
    return rows


def rate_table(summ, tools, rate):
    rows = ["| tool | target req/s | achieved req/s | CPU s (user+sys) | requests per CPU-s | "
            "max RSS MiB | dropped | p50 / p99 latency | loop lag p99 / max |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for t in tools:
        s = summ[t]
        if not s.get("ok_runs"):
            rows.append(f"| {t} | {rate:,} | failed: {'; '.join(s['errors']) or 'not run'} "
                        "| | | | | | |")
            continue
        lat = "–"
        if s.get("p99") is not None:
            lat = f"{s['p50'] * 1e3:.2f} ms / {s['p99'] * 1e3:.2f} ms"
        lag = "n/a"
        if s.get("lag_p99") is not None:
            lag = f"{s['lag_p99'] * 1e3:.2f} ms / {s['lag_max'] * 1e3:.2f} ms"
        dropped = fmt(s.get("dropped")) if t == "stampede" else "n/a"
        rows.append(f"| {t} | {rate:,} | {fmt(s['rps'])} | {fmt(s['cpu'], '.2f')} | "
                    f"{fmt(s['per_cpu'])} | {fmt(s['rss_mib'], '.1f')} | {dropped} | {lat} | "
                    f"{lag} |")
    return rows


def memory_summary(mem_runs):
    per = []
    rss = {u: [] for u in MEM_USERS}
    errors = set()
    for r in mem_runs:
        a, b = r.get(MEM_USERS[0], {}), r.get(MEM_USERS[1], {})
        for u, x in ((MEM_USERS[0], a), (MEM_USERS[1], b)):
            if x.get("ok") and x.get("rss_kib"):
                rss[u].append(x["rss_kib"])
            elif not x.get("ok"):
                errors.add(x.get("error", "?"))
        if a.get("ok") and b.get("ok") and a.get("rss_kib") and b.get("rss_kib"):
            per.append((b["rss_kib"] - a["rss_kib"]) / (MEM_USERS[1] - MEM_USERS[0]))
    return {"per_conn_kib": med(per), "all": per, "rss50": med(rss[MEM_USERS[0]]),
            "rss1000": med(rss[MEM_USERS[1]]), "errors": sorted(errors)}


def spread_text(section):
    """'; in this run ...' with the largest per-round spread of one tool's requests/s."""
    spreads = []
    for t in section["tools"]:
        vals = [x for x, _ in section["summ"][t].get("rps_rounds", [])]
        if len(vals) >= 2:
            spreads.append(((max(vals) - min(vals)) / statistics.median(vals), t))
    if not spreads:
        return ""
    worst, tool = max(spreads)
    return (f"; in this run one tool's per-round requests/s varied by up to {worst * 100:.0f} % "
            f"({tool}: (max − min) / median)")


def rounds_line(section, key="rps_rounds", spec=",.0f"):
    return "; ".join(
        f"{t} " + ", ".join(f"{x:{spec}}" + ("" if clean else "*")
                            for x, clean in section["summ"][t].get(key, []))
        for t in section["tools"] if section["summ"][t].get("ok_runs"))


def write_markdown(path, ctx, args, meta, closed, rate, mem, commands):
    n = args.runs
    lines = ["# Benchmarks", "",
             "Stampede next to wrk, h2load, hey, vegeta and Locust against the same local nginx. "
             "Generated by `bench/run`; numbers are from this one machine and are only "
             "comparable with each other.", "",
             f"- date: {meta['date']}",
             f"- machine: {meta['nproc']} CPUs (`nproc`), {meta['cpu_model']}, "
             f"Linux {meta['kernel']}",
             "- versions: " + ", ".join(f"{k} {v}" for k, v in meta["versions"].items()),
             f"- CPU pinning: nginx on CPU {meta['nginx_cpu']}, every load tool on CPU "
             f"{meta['tool_cpu']} (`taskset -c`)" if meta["tool_cpu"] is not None
             else "- CPU pinning: none (fewer than 2 CPUs available)",
             f"- {n} round{'s' if n != 1 else ''}; each round runs every tool once, in an order "
             "rotated by one tool per round; the tables show the median of each column over the "
             "rounds (per-round values below). Differences under ~5 % are within run-to-run "
             "noise on this machine" + spread_text(closed) + "; absolute requests/s of every "
             "tool also moved together by up to ~15 % between whole bench runs at different "
             "times (a shared virtual machine), so compare tools within one table.", "",
             "## Setup", "",
             "nginx 1 worker (`worker_processes 1; daemon off; master_process off;`, "
             "`access_log off;`, `keepalive_requests 1000000;`, `worker_connections 4096`), "
             "answering every request with `location / { return 200 \"ok\"; }` on a free "
             "127.0.0.1 port. Each tool runs under `/usr/bin/time -f '%e %U %S %M'`.", "",
             "- requests/s = requests / the load duration the tool reports (Locust reports "
             "none: its `-t` duration is used).",
             "- CPU s = user + system CPU seconds of the whole tool process, start-up included "
             "(Locust's includes the Python interpreter and imports).",
             "- requests per CPU-s = requests / CPU s; \"vs wrk\" = that figure divided by "
             "wrk's.",
             "- nginx CPU % = nginx's user+system CPU time during the run / the run's wall "
             "time; near 100 % means the single nginx worker was at its limit.",
             (f"- this machine is shared: before each run the harness waited up to "
              f"{args.wait_idle:.0f} s for both pinned CPUs to be less than 15 % busy, and "
              "measured a run again (up to "
              f"{args.retries} times) when other processes took 10 % or more of either pinned "
              "CPU during it (busy time from /proc/stat minus the measured processes' CPU "
              "time). Per-round values marked * were still disturbed; the medians use only "
              "the undisturbed rounds where a tool has any."), "",
             f"## Closed loop: {CONNECTIONS} connections, no think time, {args.seconds} s", ""]
    lines += closed["table"]
    lines += ["", "requests/s per round: " + rounds_line(closed) + ".", ""]
    notes = []
    for t in closed["tools"]:
        s = closed["summ"][t]
        if s.get("ok_runs") and s.get("failures"):
            notes.append(f"{t} counted {s['failures']:,.0f} failed requests (median).")
        if s.get("ok_runs") and s["ok_runs"] < s["runs"]:
            notes.append(f"{t}: {s['ok_runs']} of {s['runs']} rounds worked "
                         f"({'; '.join(s['errors'])}).")
    bound = [t for t in closed["tools"]
             if closed["summ"][t].get("ok_runs") and (closed["summ"][t].get("nginx_cpu") or 0) >= 90]
    if bound:
        notes.append(f"nginx used 90 % or more of its CPU during the runs of {', '.join(bound)}: "
                     "there the single nginx worker was at its limit as well as the tool, so "
                     "requests/s partly measures nginx; requests per CPU-s is the figure to "
                     "compare.")
    plain = closed["summ"].get("stampede", {})
    exported = closed["summ"].get("stampede+metrics", {})
    if plain.get("per_cpu") and exported.get("per_cpu"):
        change = (exported["per_cpu"] / plain["per_cpu"] - 1) * 100
        notes.append(f"metrics export: stampede+metrics is the same run with `--listen` "
                     f"(Prometheus export on) and `/metrics` fetched every second: "
                     f"{exported['per_cpu']:,.0f} requests per CPU-s against "
                     f"{plain['per_cpu']:,.0f} without, {change:+.1f} % (the exporter works "
                     "on the once-per-second merged snapshot, never on the request path).")
    templated = closed["summ"].get("stampede+templates", {})
    if plain.get("per_cpu") and templated.get("per_cpu"):
        change = (templated["per_cpu"] / plain["per_cpu"] - 1) * 100
        notes.append(f"scenario language: stampede+templates renders every request from "
                     f"templates (a path with userIndex and randomInt, an X-Request-Id header "
                     f"with uuid()) and sends an HS256 JWT on each (signed per user, re-signed "
                     f"when a fifth of its life is left): {templated['per_cpu']:,.0f} requests "
                     f"per CPU-s against {plain['per_cpu']:,.0f} for the plain run, "
                     f"{change:+.1f} % (the limit is -20 %).")
    if closed["summ"].get("stampede", {}).get("p99") is not None:
        s = closed["summ"]["stampede"]
        notes.append(f"stampede kept full latency statistics in the run (from its JSON: p50 "
                     f"{s['p50'] * 1e3:.2f} ms, p99 {s['p99'] * 1e3:.2f} ms).")
    lines += [f"- {x}" for x in notes] + ([""] if notes else [])
    for r, section in rate.items():
        lines += [f"## Fixed rate: {r:,} requests/s for {args.seconds} s", "",
                  f"stampede's open model as a user writes it (`{rate_load(r, args.seconds)}`: "
                  f"at most {CONNECTIONS} in flight, the default queue of 100 ms of arrivals "
                  "and pre-opened connections; an arrival that waited is timed from its "
                  "schedule, one that finds the queue full is dropped and counted), h2load "
                  f"`--rps={r // CONNECTIONS}` per connection × {CONNECTIONS} connections "
                  f"(no percentiles) and vegeta `attack -rate={r}/1s` over {CONNECTIONS} "
                  "keep-alive connections and workers. Loop lag: how late stampede's 10 ms "
                  "ticks ran (its result's `generators[].loopLagSeconds`).", ""]
        lines += section["table"]
        lines += ["", "achieved requests/s per round: " + rounds_line(section) + "; CPU s per "
                  "round: " + rounds_line(section, "cpu_rounds", ".2f") + ".", ""]
    inter = meta.get("interference")
    if inter:
        lines += ["Other processes on the machine during the measured runs (busy time of each "
                  "pinned CPU from /proc/stat minus the measured process's CPU time), per run: "
                  f"tool CPU median {inter['tool_med']:.2f} s, max {inter['tool_max']:.2f} s; "
                  f"nginx CPU median {inter['nginx_med']:.2f} s, max {inter['nginx_max']:.2f} s. "
                  f"{inter['retried']} run(s) were disturbed and measured again. "
                  f"Load average at the start: {meta['loadavg']}.", ""]
    lines += ["## Memory per connection (stampede)", ""]
    m = mem
    if m["per_conn_kib"] is not None:
        lines += [f"`load: {{users: N, duration: {args.mem_seconds}s}}` with `wait: "
                  "constant(100ms)` (the target is not saturated): max RSS "
                  f"{m['rss50'] / 1024:.1f} MiB with {MEM_USERS[0]} users, "
                  f"{m['rss1000'] / 1024:.1f} MiB with {MEM_USERS[1]} users → "
                  f"(RSS{MEM_USERS[1]} − RSS{MEM_USERS[0]}) / "
                  f"{MEM_USERS[1] - MEM_USERS[0]} = **{m['per_conn_kib']:.1f} KiB per "
                  "connection** (median over rounds: "
                  + ", ".join(f"{x:.1f}" for x in m["all"]) + ")."]
    else:
        lines += ["not measured: " + ("; ".join(m["errors"]) or "no run")]
    lines += ["", "Where the time goes (profiles, syscalls per request, what was tried): "
              "[docs/performance.md](docs/performance.md).", "", "## Commands", "",
              "`$URL` is `http://127.0.0.1:PORT/`, PORT a free port chosen per run; every "
              f"command is prefixed with `/usr/bin/time -f '%e %U %S %M' -o FILE taskset -c "
              f"{meta['tool_cpu']}`. stampede runs from a copy of the binary taken when the "
              "bench starts, so a rebuild during the bench does not mix binaries.", "", "```"]
    lines += commands
    lines += ["```", "", "stampede plans (`$URL` as above):", "", "```yaml"]
    for name, text in meta["plans"]:
        lines += [f"# {name}", text.rstrip()]
    lines += ["```", "", "Locust file:", "", "```python", LOCUSTFILE.rstrip(), "```", "",
              "## How to reproduce", "", "```sh",
              "scripts/install-deps build bench",
              "cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release && cmake --build build",
              "bench/run                 # rewrites BENCHMARKS.md; raw outputs in bench/out/",
              "bench/run --runs 5 --seconds 20",
              "bench/run --quick         # 2 s, 1 round: checks the harness, leaves "
              "BENCHMARKS.md alone",
              "bench/run --perf          # also perf record -g of a closed-loop and a "
              "fixed-rate stampede run",
              "```", ""]
    # Sections owned by other scripts (bench/operator, scripts/build-images) are kept.
    kept = ""
    if os.path.exists(path):
        old = open(path).read()
        for name in KEPT_SECTIONS:
            m = re.search(rf"\n## {name}\n.*?(?=\n## |\Z)", old, flags=re.S)
            kept += m.group(0) if m else ""
    with open(path, "w") as f:
        f.write("\n".join(lines).rstrip() + "\n" + kept)


# ---------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=int, default=None, help="duration of each run (10)")
    ap.add_argument("--runs", type=int, default=None, help="rounds; medians are reported (3)")
    ap.add_argument("--quick", action="store_true",
                    help="smoke test of the harness: 2 s, 1 round, BENCHMARKS.md untouched")
    ap.add_argument("--mem-seconds", type=int, default=None,
                    help="duration of the memory-per-connection runs (5)")
    ap.add_argument("--stampede", default=os.path.join(ROOT, "build", "runner", "stampede"))
    ap.add_argument("--tools", default=",".join(TOOLS),
                    help="comma-separated subset of " + ",".join(TOOLS))
    ap.add_argument("--output", default=None,
                    help="markdown file (default BENCHMARKS.md; with --quick, bench/out/...)")
    ap.add_argument("--no-rate", action="store_true", help="skip the fixed-rate runs")
    ap.add_argument("--no-memory", action="store_true", help="skip the memory runs")
    ap.add_argument("--wait-idle", type=float, default=None,
                    help="before each run wait up to this many seconds for both pinned CPUs to "
                         "be <15%% busy (other processes); 30, 0 with --quick")
    ap.add_argument("--retries", type=int, default=None,
                    help="measure a run again (up to this many times) when other processes "
                         "took >= 10%% of a pinned CPU during it; 2, 0 with --quick")
    ap.add_argument("--perf", action="store_true",
                    help="also perf record -g one closed-loop stampede run")
    args = ap.parse_args()
    args.seconds = args.seconds or (2 if args.quick else 10)
    args.runs = args.runs or (1 if args.quick else 3)
    args.mem_seconds = args.mem_seconds or (2 if args.quick else 5)
    if args.retries is None:
        args.retries = 0 if args.quick else 2
    if args.wait_idle is None:
        args.wait_idle = 0 if args.quick else 30
    args.stampede = os.path.abspath(args.stampede)
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    for t in tools:
        if t not in TOOLS:
            ap.error(f"unknown tool {t}")

    ensure_tools(["nginx", "taskset", "/usr/bin/time"]
                 + [t for t in tools if not t.startswith("stampede") and t not in RATE_ONLY])
    for need in ("nginx", "taskset", "/usr/bin/time"):
        if which(need) is None:
            log(f"{need} is required and missing")
            return 1
    fds = raise_fd_limit()
    cpus = sorted(os.sched_getaffinity(0))
    tool_cpu, nginx_cpu = (0, 1) if {0, 1} <= set(cpus) else \
        ((cpus[0], cpus[1]) if len(cpus) >= 2 else (None, None))

    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = os.path.join(OUT_ROOT, stamp + ("-quick" if args.quick else ""))
    os.makedirs(out, exist_ok=True)
    latest = os.path.join(OUT_ROOT, "latest")
    try:
        if os.path.islink(latest):
            os.remove(latest)
        os.symlink(os.path.basename(out), latest)
    except OSError:
        pass
    output = args.output or (os.path.join(out, "BENCHMARKS.md") if args.quick
                             else os.path.join(ROOT, "BENCHMARKS.md"))
    # Versions now, and stampede from a copy: a rebuild during the bench must not mix binaries.
    tool_versions = versions(args.stampede)
    stampede_src = args.stampede
    if os.access(args.stampede, os.X_OK):
        copy = os.path.join(out, "stampede")
        shutil.copy2(args.stampede, copy)
        args.stampede = copy
    log(f"raw outputs: {out}   (fd limit {fds}, tools on CPU {tool_cpu}, nginx on CPU "
        f"{nginx_cpu})")
    if "stampede" in tools and not os.access(args.stampede, os.X_OK):
        log(f"note: {args.stampede} is not built; stampede rows will say so")

    with open("/proc/loadavg") as f:
        loadavg = " ".join(f.read().split()[:3])
    ngx_dir = tempfile.mkdtemp(prefix="stampede-bench-nginx-")
    nginx = Nginx(ngx_dir, nginx_cpu)
    closed_runs, mem_runs = [], []
    rate_runs = {r: [] for r in RATES}
    rate_tools = [t for t in RATE_TOOLS if t in tools]
    closed_tools = [t for t in tools if t not in RATE_ONLY]
    commands = []
    try:
        nginx.start()
        ctx = Ctx(args, nginx.url, nginx, tool_cpu)
        ctx.vegeta = vegeta_binary() if "vegeta" in rate_tools and not args.no_rate else None
        log(f"nginx: {nginx.url} (pid {nginx.proc.pid}, config {nginx.conf})")
        for i in range(args.runs):
            rdir = os.path.join(out, f"round{i + 1}")
            os.makedirs(rdir, exist_ok=True)
            order = closed_tools[i % len(closed_tools):] + closed_tools[:i % len(closed_tools)]
            log(f"round {i + 1}/{args.runs}: {', '.join(order)}")
            closed_runs.append(closed_round(ctx, rdir, order))
            if not args.no_rate and rate_tools:
                rorder = rate_tools[i % len(rate_tools):] + rate_tools[:i % len(rate_tools)]
                for r in RATES:
                    rate_runs[r].append(rate_round(ctx, rdir, rorder, r))
            if not args.no_memory and "stampede" in tools:
                mem_runs.append(memory_round(ctx, rdir))
        if args.perf:
            perf_profile(ctx, out)
        shutil.copy(nginx.conf, os.path.join(out, "nginx.conf"))
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    except RuntimeError as e:
        log(f"error: {e}")
        return 1
    finally:
        nginx.stop()
        shutil.rmtree(ngx_dir, ignore_errors=True)

    first = os.path.join(out, "round1")

    def show(argv):
        return (shlex.join(argv).replace(nginx.url, "$URL")
                .replace(nginx.url.rstrip("/"), "$URL").replace(first + "/", "")
                .replace(args.stampede, stampede_src)
                .replace(ROOT + "/", ""))

    # Exact commands from the first round, files shown relative to the round directory.
    all_rate_runs = [x for r in RATES for x in rate_runs[r]]
    for group in (closed_runs, all_rate_runs, mem_runs):
        if not group:
            continue
        for r in group[0].values():
            if r.get("argv"):
                commands.append(show(r["argv"]))
    plans = []
    for name in ("stampede", *(f"stampede-rate-{r}" for r in RATES), f"stampede-mem-{MEM_USERS[0]}",
                 f"stampede-mem-{MEM_USERS[1]}"):
        p = os.path.join(first, name + ".yaml")
        if os.path.exists(p):
            with open(p) as f:
                plans.append((name + ".yaml", f.read().replace(nginx.url, "$URL")))

    closed_summ = {t: summarize(closed_runs, t) for t in closed_tools}
    rate_summ = {r: {t: summarize(rate_runs[r], t) for t in rate_tools} for r in RATES}
    mem = memory_summary(mem_runs)
    closed = {"tools": closed_tools, "summ": closed_summ,
              "table": closed_table(closed_summ, closed_tools)}
    rate = {r: {"tools": rate_tools, "summ": rate_summ[r],
                "table": rate_table(rate_summ[r], rate_tools, r)}
            for r in RATES if rate_runs[r]}
    other_tool, other_nginx, retried = [], [], 0
    for group in (closed_runs, all_rate_runs, mem_runs):
        for rnd in group:
            for r in rnd.values():
                retried += len(r.get("discarded") or [])
                if r.get("other_on_tool_cpu") is not None:
                    other_tool.append(r["other_on_tool_cpu"])
                if r.get("other_on_nginx_cpu") is not None:
                    other_nginx.append(r["other_on_nginx_cpu"])
    interference = None
    if other_tool and other_nginx:
        interference = {"tool_med": med(other_tool), "tool_max": max(other_tool),
                        "nginx_med": med(other_nginx), "nginx_max": max(other_nginx),
                        "retried": retried}
    meta = {
        "interference": interference, "loadavg": loadavg,
        "date": subprocess.run(["date", "-u"], capture_output=True, text=True).stdout.strip(),
        "nproc": subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip(),
        "cpu_model": cpu_model(), "kernel": platform.release(),
        "versions": tool_versions, "tool_cpu": tool_cpu, "nginx_cpu": nginx_cpu,
        "plans": plans,
    }
    write_markdown(output, ctx, args, meta, closed, rate, mem, commands)

    def strip(r):
        return {k: v for k, v in r.items() if k not in ("stdout", "stderr")}

    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump({"meta": meta, "args": vars(args),
                   "closed_runs": [{t: strip(r) for t, r in x.items()} for x in closed_runs],
                   "rate_runs": {str(rate): [{t: strip(r) for t, r in x.items()} for x in runs]
                                 for rate, runs in rate_runs.items()},
                   "mem_runs": [{str(u): strip(r) for u, r in x.items()} for x in mem_runs],
                   "closed": closed_summ, "rate": {str(r): v for r, v in rate_summ.items()},
                   "memory": mem}, f, indent=2)

    print(f"\nClosed loop, {CONNECTIONS} connections, {args.seconds} s, median of {args.runs}:")
    print("\n".join(closed["table"]))
    for r, section in rate.items():
        print(f"\nFixed rate {r:,}/s, {args.seconds} s:")
        print("\n".join(section["table"]))
    if mem["per_conn_kib"] is not None:
        print(f"\nstampede memory per connection: {mem['per_conn_kib']:.1f} KiB "
              f"(RSS {mem['rss50'] / 1024:.1f} MiB @ {MEM_USERS[0]} users, "
              f"{mem['rss1000'] / 1024:.1f} MiB @ {MEM_USERS[1]} users)")
    print(f"\nwrote {os.path.relpath(output, ROOT)}; raw outputs in "
          f"{os.path.relpath(out, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
