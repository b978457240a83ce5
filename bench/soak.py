#!/usr/bin/python3
"""An accelerated soak through the operator on the real node of scripts/cluster; run by
bench/soak.

    bench/soak.py KUBECTL KUBECONFIG CONTAINERD_SOCKET SECONDS RATE OUT.json

Expects the chart installed in namespace stampede and the demo target in namespace bench. Runs
one LoadTest of RATE requests/s for SECONDS on one runner pod, samples the runner's and the
leading operator's RSS (and CPU) every 10 s, and checks the result against the target's count.
Growth is measured after a warm-up of a sixth of the run: the mean RSS of the last sixth over
the mean of the sixth after the warm-up, and a least-squares slope over everything after the
warm-up, projected to 24 h.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster_bench import TARGET_NAMESPACE as NAMESPACE  # noqa: E402
from cluster_bench import Cluster, cpu_seconds, rss_mib, wait  # noqa: E402

KUBECTL, KUBECONFIG, CONTAINERD, SECONDS, RATE, OUT = sys.argv[1:7]
SECONDS, RATE = int(SECONDS), int(RATE)
CLUSTER = Cluster(KUBECTL, KUBECONFIG, CONTAINERD)
SAMPLE_EVERY = 10


def status():
    return CLUSTER.get_json("-n", NAMESPACE, "loadtest", "soak").get("status", {})


def runner_pod():
    pods = CLUSTER.get_json("-n", NAMESPACE, "pods", "-l", "stampede.dev/loadtest=soak")["items"]
    return pods[0] if pods else None


def slope_per_hour(samples):
    """Least-squares slope of (seconds, MiB) samples, in MiB per hour."""
    n = len(samples)
    mean_t = sum(t for t, _ in samples) / n
    mean_m = sum(m for _, m in samples) / n
    var = sum((t - mean_t) ** 2 for t, _ in samples)
    cov = sum((t - mean_t) * (m - mean_m) for t, m in samples)
    return cov / var * 3600 if var else 0.0


def growth(samples, start):
    """Growth after the warm-up (samples from `start` on): last sixth over the first one."""
    after = [(t, m) for t, m in samples if t >= start]
    sixth = max(1, len(after) // 6)
    first = sum(m for _, m in after[:sixth]) / sixth
    last = sum(m for _, m in after[-sixth:]) / sixth
    slope = slope_per_hour(after)
    return {"warm_mib": first, "end_mib": last, "growth_percent": (last - first) / first * 100,
            "slope_mib_per_hour": slope, "projected_24h_mib": first + slope * 24,
            "peak_mib": max(m for _, m in samples)}


def main():
    wait("the demo target's Service", CLUSTER.target_answers, 60, 0.5)
    CLUSTER.target("/__reset", "POST")
    CLUSTER.apply(f"""apiVersion: stampede.dev/v1alpha1
kind: LoadTest
metadata: {{name: soak, namespace: {NAMESPACE}}}
spec:
  target: {{url: "{CLUSTER.target_url()}"}}
  load: {{rate: {RATE}, duration: {SECONDS}s}}
  scenarios: [{{name: s, steps: [{{get: /}}]}}]
  thresholds: {{http_req_failed: ["rate < 0.01"]}}
  runners:
    count: 1
    resources: {{requests: {{cpu: 500m, memory: 64Mi}}}}
""")
    wait("phase Running", lambda: status().get("phase") == "Running", 180, 0.5)
    operator = CLUSTER.leader_pid()
    runner = CLUSTER.container_pid(runner_pod())
    began = time.monotonic()
    runner_rss, operator_rss = [], []
    operator_cpu0 = cpu_seconds(operator)
    while status().get("phase") == "Running" and time.monotonic() - began < SECONDS + 120:
        t = time.monotonic() - began
        try:
            runner_rss.append((t, rss_mib(runner)))
        except OSError:
            pass  # the runner exited: the test is ending
        operator_rss.append((t, rss_mib(operator)))
        time.sleep(SAMPLE_EVERY)
    operator_cpu = cpu_seconds(operator) - operator_cpu0
    wait("the verdict", lambda: status().get("phase") in ("Succeeded", "Failed"), 300, 1)
    final = status()
    # Only the test's path: the kubelet's probes of the target's pod are requests too.
    served = json.loads(CLUSTER.target("/__stats"))["by_path"].get("/", 0)
    warm = SECONDS / 6
    m = {"seconds": SECONDS, "rate": RATE, "phase": final.get("phase"),
         "requests": final.get("results", {}).get("requests"), "target_requests": served,
         "rps": final.get("results", {}).get("rps"),
         "p99_seconds": final.get("results", {}).get("latencySeconds", {}).get("p99"),
         "samples": len(runner_rss), "warm_up_seconds": warm,
         "runner": growth(runner_rss, warm), "operator": growth(operator_rss, warm),
         "operator_cpu_seconds": operator_cpu,
         "runner_samples": runner_rss, "operator_samples": operator_rss}
    json.dump(m, open(OUT, "w"), indent=2)
    print(json.dumps({k: v for k, v in m.items() if not k.endswith("_samples")}, indent=2))


if __name__ == "__main__":
    main()
