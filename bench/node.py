#!/usr/bin/python3
"""The operator and runner pods on a real node (scripts/cluster), measured; run by bench/node.

    bench/node.py KUBECTL KUBECONFIG CONTAINERD_SOCKET OUT.json

Expects the chart installed in namespace stampede and the demo target (examples/kubernetes/
demo-target.yaml) in namespace bench. Measures:
  - `kubectl apply` of a LoadTest with 10 runners to all 10 runner pods Running (polled every
    100 ms) and to phase Running (the synchronized start);
  - the start skew across those 10 pods: the first request of each pod at the target (its
    /__stats by_peer: each pod has its own address), max - min;
  - the leading operator's RSS and CPU while idle, then while 20 LoadTests run at once.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster_bench import TARGET_NAMESPACE, Cluster, cpu_seconds, rss_mib, wait  # noqa: E402

KUBECTL, KUBECONFIG, CONTAINERD, OUT = sys.argv[1:5]
CLUSTER = Cluster(KUBECTL, KUBECONFIG, CONTAINERD)
NAMESPACE = TARGET_NAMESPACE
# Small requests, so that 20 tests' pods fit the 2-CPU node beside the control plane.
RUNNERS = "    resources: {requests: {cpu: 10m, memory: 48Mi}}\n"


def kubectl(*args, check=True):
    return CLUSTER.kubectl(*args, check=check)


def get_json(*args):
    return CLUSTER.get_json(*args)


def target(path, method="GET"):
    return CLUSTER.target(path, method)


def loadtest(name, load, count):
    return f"""apiVersion: stampede.dev/v1alpha1
kind: LoadTest
metadata: {{name: {name}, namespace: {NAMESPACE}}}
spec:
  target: {{url: "{CLUSTER.target_url()}"}}
  load: {load}
  scenarios: [{{name: s, steps: [{{get: /}}]}}]
  runners:
    count: {count}
{RUNNERS}"""


def apply(manifest):
    CLUSTER.apply(manifest)


def pods_of(name):
    return get_json("-n", NAMESPACE, "pods", "-l", f"stampede.dev/loadtest={name}")["items"]


def phase(name):
    return get_json("-n", NAMESPACE, "loadtest", name).get("status", {}).get("phase", "")


def leader_process():
    """The PID of the leading operator's container, from containerd."""
    return CLUSTER.leader_pid()


def delete_all():
    kubectl("-n", NAMESPACE, "delete", "loadtests", "--all", "--wait=true")
    wait("runner pods gone", lambda: not get_json(
        "-n", NAMESPACE, "pods", "-l", "app.kubernetes.io/name=stampede-runner")["items"], 120, 0.5)


def ten_runners(m):
    target("/__reset", "POST")
    began = time.monotonic()
    # One user per runner, all started at once: each pod's first request leaves at startAt (an
    # open model would offset them on purpose, runner i taking arrivals i, i + 10, ...).
    apply(loadtest("ten", "{users: 10, duration: 10s}", 10))
    running = wait("10 runner pods Running", lambda: sum(
        p["status"].get("phase") == "Running" for p in pods_of("ten")) == 10, 180)
    started = wait("phase Running", lambda: phase("ten") == "Running", 180)
    m["apply_to_10_pods_running_seconds"] = running - began
    m["apply_to_started_seconds"] = started - began
    wait("the test to end", lambda: phase("ten") in ("Succeeded", "Failed"), 120, 0.5)
    m["ten_phase"] = phase("ten")
    ips = {p["status"].get("podIP") for p in pods_of("ten")}
    peers = json.loads(target("/__stats"))["by_peer"]
    firsts = [peers[ip]["first_request_at"] for ip in ips if ip in peers]
    m["pods_seen_at_target"] = len(firsts)
    m["start_skew_ms_10_runners"] = (max(firsts) - min(firsts)) * 1000 if firsts else -1
    delete_all()


def twenty_tests(m):
    pid = leader_process()
    cpu0 = cpu_seconds(pid)
    time.sleep(10)
    m["idle_cpu_seconds_per_10s"] = cpu_seconds(pid) - cpu0
    m["idle_rss_mib"] = rss_mib(pid)
    began = time.monotonic()
    cpu0 = cpu_seconds(pid)
    for i in range(20):
        apply(loadtest(f"many-{i}", "{rate: 10, duration: 10s}", 1))
    peak = m["idle_rss_mib"]
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        peak = max(peak, rss_mib(pid))
        phases = [lt.get("status", {}).get("phase", "")
                  for lt in get_json("-n", NAMESPACE, "loadtests")["items"]]
        if sum(p in ("Succeeded", "Failed") for p in phases) == 20:
            break
        time.sleep(0.5)
    m["twenty_wall_seconds"] = time.monotonic() - began
    m["twenty_succeeded"] = sum(
        lt.get("status", {}).get("phase") == "Succeeded"
        for lt in get_json("-n", NAMESPACE, "loadtests")["items"])
    m["twenty_cpu_seconds"] = cpu_seconds(pid) - cpu0
    m["peak_rss_mib"] = peak
    delete_all()


def main():
    m = {"kubernetes": json.loads(kubectl("version", "-o", "json"))["serverVersion"]["gitVersion"]}
    # kube-proxy writes the new Service's rules a moment after the pod is ready.
    wait("the demo target's Service", CLUSTER.target_answers, 60, 0.5)
    ten_runners(m)
    twenty_tests(m)
    json.dump(m, open(OUT, "w"), indent=2)
    print(json.dumps(m, indent=2))


if __name__ == "__main__":
    main()
