"""Helpers of the benches that run on the real node of scripts/cluster (bench/node.py,
bench/soak.py): kubectl, waiting, and the processes behind pods (through containerd) with
their memory and CPU from /proc."""
import json
import subprocess
import sys
import time
import urllib.request

# Where the benches run the demo target (examples/kubernetes/demo-target.yaml).
TARGET_NAMESPACE = "bench"


class Cluster:
    def __init__(self, kubectl, kubeconfig, containerd_socket):
        self.kubectl_bin = kubectl
        self.kubeconfig = kubeconfig
        self.containerd = containerd_socket

    def kubectl(self, *args, check=True):
        done = subprocess.run([self.kubectl_bin, "--kubeconfig", self.kubeconfig, *args],
                              capture_output=True, text=True, timeout=180)
        if check and done.returncode != 0:
            sys.exit(f"kubectl {' '.join(args)}: {done.stderr}")
        return done.stdout

    def get_json(self, *args):
        return json.loads(self.kubectl("get", *args, "-o", "json"))

    def apply(self, manifest):
        done = subprocess.run([self.kubectl_bin, "--kubeconfig", self.kubeconfig, "apply", "-f",
                               "-"], input=manifest, capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            sys.exit(f"kubectl apply: {done.stderr}")

    def target_url(self, path=""):
        """The demo target's Service, on its cluster IP (the host reaches it through kube-proxy)."""
        ip = self.kubectl("-n", TARGET_NAMESPACE, "get", "service", "demo-target", "-o",
                          "jsonpath={.spec.clusterIP}")
        return f"http://{ip}:8080{path}"

    def target(self, path, method="GET"):
        request = urllib.request.Request(self.target_url(path), method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.read()

    def target_answers(self):
        # kube-proxy writes the new Service's rules a moment after the pod is ready.
        try:
            return self.target("/health") is not None
        except OSError:
            return False

    def container_pid(self, pod):
        """The host PID of the first container of a pod (a JSON object), from containerd."""
        container = pod["status"]["containerStatuses"][0]["containerID"].split("//", 1)[1]
        tasks = subprocess.run(["ctr", "--address", self.containerd, "-n", "k8s.io", "tasks",
                                "ls"], capture_output=True, text=True, check=True).stdout
        for line in tasks.splitlines()[1:]:
            fields = line.split()
            if fields and fields[0] == container:
                return int(fields[1])
        sys.exit(f"no task for container {container}")

    def leader_pid(self):
        """The PID of the leading operator's container."""
        holder = self.kubectl("-n", "stampede", "get", "lease", "stampede-operator", "-o",
                              "jsonpath={.spec.holderIdentity}")
        return self.container_pid(self.get_json("-n", "stampede", "pod", holder))


def wait(what, probe, timeout, every=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if probe():
            return time.monotonic()
        time.sleep(every)
    sys.exit(f"timed out waiting for {what}")


def rss_mib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in clock ticks of 1/100 s
