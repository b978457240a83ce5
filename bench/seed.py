#!/usr/bin/env python3
"""A seed-shaped workload: stampede against Locust (FastHttpUser) on the bundled target.

What the seeds' teams run (seeds 003 and 004): 50 users without think time, each signing its
own HS256 JWT; task "create and read" (weight 3) POSTs a templated JSON body, extracts the new
id and GETs it back; task "whoami" (weight 1) calls a JWT-verified endpoint. Two checks on every
response. The same journey is written once as a stampede plan and once as a Locust
FastHttpUser locustfile; each tool runs --seconds against a fresh stampede-target (pinned to CPU
1, the tool to CPU 0), and the target's own counters (/__stats) are compared with what the tool
reports. Requests per CPU-second of the tool is the figure of merit.

  bench/seed [--seconds N] [--runs N] [--no-write]   (writes its section of BENCHMARKS.md)
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the harness's timing, pinning and quiet-wait helpers)

USERS = 50
SECTION = "Seed-shaped workload"  # its BENCHMARKS.md section (bench/run keeps it)
SECRET = "stampede-seed-secret"

PLAN = """\
target: {url}
load: {{users: {users}, duration: {seconds}s}}
scenarios:
  - name: seed
    auth:
      jwt:
        secret: {{env: STAMPEDE_SEED_JWT_SECRET}}
        claims: {{sub: 'user-{{{{ userIndex }}}}', role: bench}}
        expiresIn: 15m
    tasks:
      - name: create and read
        weight: 3
        steps:
          - post: /api/plans
            name: create plan
            json: {{name: 'plan-{{{{ userIndex }}}}-{{{{ randomInt(1, 1000000) }}}}'}}
            extract: {{plan: {{json: /id}}}}
            checks:
              - {{name: created, status: 201}}
              - {{name: has an id, json: /id}}
          - get: /api/plans/{{{{ plan }}}}
            name: read plan
            checks:
              - {{name: read, status: 200}}
              - {{name: pending, json: /status, equals: pending}}
      - name: whoami
        weight: 1
        steps:
          - get: /api/secure
            name: whoami
            checks:
              - {{name: authorized, status: 200}}
              - {{name: role, json: /role, equals: bench}}
"""

LOCUSTFILE = """\
import base64, hashlib, hmac, itertools, json, os, random, time

from locust import FastHttpUser, constant, task

SECRET = os.environ["STAMPEDE_SEED_JWT_SECRET"].encode()
INDEX = itertools.count()


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def token(sub):
    now = int(time.time())
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    body = b64(json.dumps({"sub": sub, "role": "bench", "iat": now, "exp": now + 900},
                          separators=(",", ":")).encode())
    sig = b64(hmac.new(SECRET, head + b"." + body, hashlib.sha256).digest())
    return (head + b"." + body + b"." + sig).decode()


class Seed(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        self.index = next(INDEX)
        self.auth = {"Authorization": "Bearer " + token(f"user-{self.index}")}

    @task(3)
    def create_and_read(self):
        name = f"plan-{self.index}-{random.randint(1, 1000000)}"
        with self.client.post("/api/plans", json={"name": name}, headers=self.auth,
                              name="create plan", catch_response=True) as r:
            if r.status_code != 201:
                return r.failure(f"status {r.status_code}")
            plan = (r.json() or {}).get("id")
            if plan is None:
                return r.failure("no id")
        with self.client.get(f"/api/plans/{plan}", headers=self.auth, name="read plan",
                             catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"status {r.status_code}")
            elif (r.json() or {}).get("status") != "pending":
                r.failure("not pending")

    @task(1)
    def whoami(self):
        with self.client.get("/api/secure", headers=self.auth, name="whoami",
                             catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"status {r.status_code}")
            elif (r.json() or {}).get("role") != "bench":
                r.failure("wrong role")
"""


class Target:
    """stampede-target on a free loopback port, pinned to one CPU."""

    def __init__(self, binary, cpu, outdir):
        self.port = bench.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        pin = ["taskset", "-c", str(cpu)] if cpu is not None else []
        self.log = open(os.path.join(outdir, "target.log"), "w")
        self.proc = subprocess.Popen(pin + [binary, "--listen", f"127.0.0.1:{self.port}",
                                            "--threads", "1", "--jwt-secret", SECRET, "--quiet"],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(100):
            try:
                self.stats()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("stampede-target did not start")

    def stats(self):
        with urllib.request.urlopen(self.url + "/__stats", timeout=5) as r:
            return json.load(r)

    def stop(self):
        bench.stop_process(self.proc)
        self.log.close()


def target_counts(stats):
    api = stats.get("api", {})
    return {"requests": stats.get("requests", 0), "plans_created": api.get("plans_created", 0),
            "jwt_accepted": api.get("jwt_accepted", 0), "by_status": stats.get("by_status", {})}


def measure(args, outdir, name, argv_for):
    """One measured run of argv_for(target_url) against a fresh target; the result has the
    tool's time and the target's own counts."""
    target = Target(args.target, args.target_cpu, outdir)
    try:
        bench.wait_for_quiet(30, [c for c in (args.tool_cpu, args.target_cpu) if c is not None])
        argv = argv_for(target.url)
        bench.log(f"  {name}: {' '.join(argv)}")
        r = bench.timed_run(name, argv, outdir, args.seconds + 120, args.tool_cpu)
        r["target"] = target_counts(target.stats())
    finally:
        target.stop()
    return r


def run_stampede(args, outdir):
    plan = os.path.join(outdir, "seed.yaml")
    out_json = os.path.join(outdir, "stampede-seed.json")

    def argv_for(url):
        with open(plan, "w") as f:
            f.write(PLAN.format(url=url, users=USERS, seconds=args.seconds))
        return [args.stampede, "run", plan, "--threads", "1", "--quiet", "--json", out_json]
    r = measure(args, outdir, "stampede-seed", argv_for)
    with open(out_json) as f:
        t = json.load(f)["totals"]
    r.update(requests=int(t["requests"]), failures=int(t.get("failures", 0)),
             duration=float(t.get("duration_seconds") or args.seconds))
    return r


def run_locust(args, outdir):
    locust = bench.which("locust")
    if locust is None:
        raise RuntimeError("locust is not installed (python3-locust)")
    locustfile = os.path.join(outdir, "seed_locustfile.py")
    with open(locustfile, "w") as f:
        f.write(LOCUSTFILE)
    prefix = os.path.join(outdir, "locust-seed")

    def argv_for(url):
        return bench.locust_argv(locust, locustfile, USERS, args.seconds, url, prefix)
    r = measure(args, outdir, "locust-seed", argv_for)
    row = bench.locust_aggregate(prefix, r["stderr"] or "")
    if row is None:
        raise RuntimeError("locust wrote no aggregated row: " + bench.tail(r["stderr"]))
    # Locust reports no run duration of its own: the nominal one (-t).
    r.update(requests=int(row["Request Count"]), failures=int(row["Failure Count"]),
             duration=float(args.seconds))
    return r


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def section(args, runs):
    def per_cpu(r):
        return r["requests"] / r["cpu"] if r.get("cpu") else None

    s = {tool: median([per_cpu(r[tool]) for r in runs]) for tool in ("stampede", "locust")}
    rows = ["| tool | requests (median) | failures | requests/s | CPU s | requests per CPU-s | "
            "target counted | plans created |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for tool in ("stampede", "locust"):
        rs = [r[tool] for r in runs]
        rows.append(
            f"| {tool} | {median([r['requests'] for r in rs]):,.0f} | "
            f"{median([r['failures'] for r in rs]):,.0f} | "
            f"{median([r['requests'] / r['duration'] for r in rs]):,.0f} | "
            f"{median([r.get('cpu') for r in rs]):.2f} | {s[tool]:,.0f} | "
            f"{median([r['target']['requests'] for r in rs]):,.0f} | "
            f"{median([r['target']['plans_created'] for r in rs]):,.0f} |")
    ratio = s["stampede"] / s["locust"] if s["stampede"] and s["locust"] else None
    # Requests in flight when a tool stops are served but, cut off, not counted by the tool.
    gap = {t: max(abs(r[t]["requests"] - r[t]["target"]["requests"]) for r in runs)
           for t in ("stampede", "locust")}
    with open("/proc/loadavg") as f:
        loadavg = " ".join(f.read().split()[:3])
    lines = [f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on "
             f"{os.cpu_count()} CPUs ({bench.cpu_model()}), load average {loadavg} at the end; "
             f"locust {bench.dpkg_version('python3-locust')}.", "",
             f"{USERS} users without think time for {args.seconds} s, median of {args.runs} "
             "rounds (`bench/seed`): each user signs its own HS256 JWT; task \"create and read\" "
             "(weight 3) POSTs a templated JSON body, extracts the new id and GETs it; task "
             "\"whoami\" (weight 1) calls the JWT-verified /api/secure; two checks on every "
             "response. The same journey as a stampede plan and as a Locust FastHttpUser "
             "(bench/seed.py has both). The tool runs on CPU 0, stampede-target (1 thread) on "
             "CPU 1, a fresh target per run; \"target counted\" is the target's own /__stats.",
             ""] + rows + [""]
    if ratio:
        lines.append(f"stampede does **{ratio:.1f}×** Locust's requests per CPU-second on this "
                     "workload. " + "; ".join(
                         f"{t}'s count " + ("equals the target's in every run" if gap[t] == 0
                                            else f"is within {gap[t]:,} of the target's")
                         for t in ("stampede", "locust")) +
                     " (a request in flight when a tool stops is served but not counted).")
    busy = {t: median([r[t].get("cpu", 0) / r[t]["duration"] for r in runs])
            for t in ("stampede", "locust")}
    lines += ["", f"stampede used {busy['stampede']:.2f} CPU-seconds per second of load and "
              f"Locust {busy['locust']:.2f} (its start-up included): the one-thread target sets "
              "stampede's pace, so stampede's "
              "CPU-seconds include sleeping and waking for responses, which a CPU-bound tool "
              "never pays."]
    return lines, ratio


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--stampede", default=os.path.join(bench.ROOT, "build", "runner",
                                                       "stampede"))
    ap.add_argument("--target", default=os.path.join(bench.ROOT, "build", "runner", "target",
                                                     "stampede-target"))
    ap.add_argument("--no-write", action="store_true",
                    help="print the section; leave BENCHMARKS.md as it is")
    args = ap.parse_args()
    bench.ensure_tools(["taskset", "/usr/bin/time", "locust"])
    cpus = sorted(os.sched_getaffinity(0))
    args.tool_cpu, args.target_cpu = (cpus[0], cpus[1]) if len(cpus) >= 2 else (None, None)
    os.environ["STAMPEDE_SEED_JWT_SECRET"] = SECRET
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    out = os.path.join(bench.OUT_ROOT, f"seed-{stamp}")
    os.makedirs(out, exist_ok=True)
    runs = []
    for i in range(args.runs):
        rdir = os.path.join(out, f"round{i + 1}")
        os.makedirs(rdir, exist_ok=True)
        bench.log(f"round {i + 1}/{args.runs}")
        order = ("stampede", "locust") if i % 2 == 0 else ("locust", "stampede")
        rnd = {}
        for tool in order:
            rnd[tool] = (run_stampede if tool == "stampede" else run_locust)(args, rdir)
            r = rnd[tool]
            bench.log(f"    {tool}: {r['requests']} requests ({r['failures']} failed), target "
                      f"counted {r['target']['requests']}, cpu {r.get('cpu', 0):.2f} s")
        runs.append(rnd)
    lines, ratio = section(args, runs)
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump([{t: {k: v for k, v in r.items() if k not in ("stdout", "stderr")}
                    for t, r in rnd.items()} for rnd in runs], f, indent=2)
    text = "\n".join(lines) + "\n"
    print(text)
    body = os.path.join(out, "section.md")
    with open(body, "w") as f:
        f.write(text)
    if not args.no_write:
        subprocess.run([os.path.join(bench.ROOT, "bench", "write-section"), SECTION, body],
                       check=True)
    return 0 if ratio else 1


if __name__ == "__main__":
    sys.exit(main())
