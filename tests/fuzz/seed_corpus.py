#!/usr/bin/env python3
"""Regenerates the seed corpora of tests/fuzz/corpus/ from the repository's own inputs: the
examples and profiles, the YAML in the plan and template unit tests, hand-written HTTP
responses, control API scripts, kubeconfigs and LoadTest objects; and the dictionaries of
tests/fuzz/dict/. The result documents
(corpus/result/) are written by real runs (see docs/fuzzing.md) and left alone here.

    tests/fuzz/seed_corpus.py        (from the repository root)
"""
import hashlib
import json
import pathlib
import re
import struct

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fuzz" / "corpus"


def write(target, data):
    if isinstance(data, str):
        data = data.encode()
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)


def raw_strings(path):
    """The C++ raw string literals of a source file (R"(...)" and R"tag(...)tag")."""
    text = path.read_text()
    for m in re.finditer(r'R"(\w*)\((.*?)\)\1"', text, re.S):
        yield m.group(2)


def plans():
    files = sorted(ROOT.glob("examples/*.yaml")) + sorted(ROOT.glob("profiles/*.yaml"))
    for path in files:
        write("plan", path.read_text())
    for path in sorted(ROOT.glob("tests/unit/plan_*test*")) + [ROOT / "tests/unit/template_test.cc"]:
        for text in raw_strings(path):
            if "scenarios" in text or "load" in text or "target" in text:
                write("plan", text)


def thresholds():
    for path in sorted(ROOT.glob("examples/*.yaml")) + sorted(ROOT.glob("profiles/*.yaml")):
        doc = yaml.safe_load(path.read_text())
        section = (doc.get("spec") or doc).get("thresholds") if isinstance(doc, dict) else None
        if section:
            write("threshold", yaml.safe_dump(section, sort_keys=False))
    # Every built-in metric, tags, stage references, custom metrics and option maps.
    write("threshold", """\
http_req_duration{scenario:api,name:GET /a}: ["p(99.9) < 250ms", "avg <= 100", "med < 1s"]
"http_req_duration{stage:peak}": ["p(95) < 1.5 * stage(warmup).p(95)"]
http_req_failed: [{threshold: "rate < 0.01", abortOnFail: true, delayAbortEval: 30s}]
"http_req_status{status:5xx}": ["rate < 0.001"]
"http_reqs{method:post}": ["count > 10", "rate >= 1"]
"checks{check:ok}": ["rate > 0.99"]
iterations: ["count > 0"]
dropped_iterations: ["count == 0"]
http_req_waiting: ["max < 2s", "min > 0"]
"order_ms{value:north}": ["p(90) < 20", "avg < 15ms"]
orders: ["count >= 17", "rate > 0.1"]
""")


def templates():
    texts = set()
    for path in sorted(ROOT.glob("examples/*.yaml")):
        texts.update(re.findall(r"[^\s\"']*\{\{.*?\}\}[^\s\"']*", path.read_text()))
    for text in raw_strings(ROOT / "tests/unit/template_test.cc"):
        texts.update(re.findall(r"[^\n]*\{\{.*?\}\}[^\n]*", text))
    texts.update([
        '/users/{{ userIndex }}/{{ iteration }}?r={{ runnerIndex }}/{{ runnerCount }}',
        '{{ urlencode(name) }}&{{ urlencode(urlencode(a.b)) }}',
        '{{ randomInt(-9223372036854775808, 9223372036854775807) }}',
        "{{ randomChoice('a', \"b\\\"c\", 'd\\n') }}",
        '{{ now() }} {{ now("unix") }} {{ now("unixms") }} {{ now("%Y-%m-%dT%H") }}',
        '{{ env("HOME") }}{{ env("UNSET") }}{{ "quoted\\tliteral" }}',
        '{{ kconst }}{{ xunknown }}{{ uuid() }}{{ seq() }}',
        'no expressions at all', '{{', '{{ }}', '{{ a b }}', '{{ f() }}',
    ])
    for i, text in enumerate(sorted(texts)):
        write("template", bytes([i % 8]) + text.encode())


def responses():
    bodies = [
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello",
        b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"4\r\nabcd\r\n3;ext=1\r\nefg\r\n0\r\nTrailer: x\r\n\r\n",
        b"HTTP/1.0 200 OK\r\nServer: old\r\n\r\nclose-delimited body",
        b"HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n",
        b"HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n",
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
        b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
        b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 2\r\nConnection: close\r\n"
        b"Content-Length: 4\r\n\r\nbusy",
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nbad\r\n",
        b"HTTP/1.1 000 Zero\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.1 999 Nine\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort",
        b"garbage\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 200 OK\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\n\x1f\x8b\x08",
    ]
    for i, body in enumerate(bodies):
        for flags, limit, seed in ((0, 4, 7), (6, 2, 0), (1, 1, 3 + i)):
            write("response", bytes([flags, limit]) + struct.pack("<I", seed) + body)


def control():
    write("control", "GET /healthz\nGET /readyz\n!ready\nGET /readyz\nGET /metrics\n")
    write("control", "!notready cannot resolve target.example\nPOST /v1/start good\n.\n"
                     "!ready\nPOST /v1/start good\n{\"startAt\": \"2026-11-22T16:40:00.250Z\"}\n.\n"
                     "POST /v1/start good\n{\"startAt\": \"2026-11-22T16:40:00.250Z\"}\n.\n"
                     "GET /v1/status\n")
    write("control", "!ready\nPOST /v1/start bad\n.\nPOST /v1/start Bearer s3cret-token\n{}\n.\n"
                     "!started\nPOST /v1/stop good\n.\n!stopping\nGET /v1/result\n"
                     "!finished {\"schema\":\"stampede.result/v1\"}\nGET /v1/result\nPOST /v1/stop good\n.\n")
    write("control", "GET /v1/start\nDELETE /v1/stop\nGET /nope?x=1\nPOST /v1/start good\n"
                     "{\"startAt\": \"9999-12-31T23:59:59Z\"}\n.\n!ready\nPOST /v1/start good\n"
                     "{\"startAt\": 1, \"x\": 2}\n.\nPOST /v1/start good\n[1]\n.\n"
                     "!status {\"elapsed\": 1.5, \"requests\": 10}\nGET /v1/status\n")
    write("control", "POST /v1/load good\n{\"users\": 5}\n.\n!loads\n!ready\n"
                     "POST /v1/load bad\n{\"users\": 5}\n.\n"
                     "POST /v1/load good\n{\"users\": 10, \"spawnRate\": 2.5}\n.\n!started\n"
                     "POST /v1/load good\n{\"rate\": 5}\n.\nPOST /v1/load good\n{\"users\": -1}\n.\n"
                     "POST /v1/load good\n{\"users\": 1e999}\n.\nGET /v1/load\n!stopping\n"
                     "POST /v1/load good\n{\"users\": 3}\n.\n!finished {}\n"
                     "POST /v1/load good\n{\"users\": 3}\n.\n")


def kubeconfigs():
    for text in raw_strings(ROOT / "tests/unit/kube_client_test.cc"):
        if "clusters" in text or "current-context" in text:
            write("kubeconfig", text)
    write("kubeconfig", """\
apiVersion: v1
kind: Config
current-context: dev
contexts:
  - name: dev
    context: {cluster: dev, user: dev, namespace: load}
clusters:
  - name: dev
    cluster:
      server: https://127.0.0.1:6443
      certificate-authority: ca.crt
users:
  - name: dev
    user: {client-certificate: client.crt, client-key: /fuzz/kube/client.key}
""")
    write("kubeconfig", """\
current-context: t
contexts: [{name: t, context: {cluster: c, user: u}}]
clusters: [{name: c, cluster: {server: "http://[::1]:8080/", insecure-skip-tls-verify: true,
  certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJ=}}]
users: [{name: u, user: {tokenFile: /var/run/token, token: abc}}]
""")


def loadtests():
    for path in sorted(ROOT.glob("examples/*.yaml")):
        doc = yaml.safe_load(path.read_text())
        if not isinstance(doc, dict):
            continue
        spec = doc.get("spec") or {k: v for k, v in doc.items()}
        lt = {"apiVersion": "stampede.dev/v1alpha1", "kind": "LoadTest",
              "metadata": {"name": path.stem, "namespace": "load",
                           "uid": "3f9a1c2e-0000-4000-8000-000000000001", "generation": 2,
                           "creationTimestamp": "2026-12-01T10:00:00Z"},
              "spec": spec}
        write("loadtest", json.dumps(lt, default=str))
    spec = yaml.safe_load((ROOT / "examples/loadtest.yaml").read_text())["spec"]
    spec.update({"runners": {"count": 3, "maxUsersPerRunner": 50, "image": "r:1",
                             "resources": {"limits": {"cpu": "1"}}, "labels": {"a": "b"}},
                 "cleanup": "onSuccess", "ttlSecondsAfterFinished": 60, "startTimeoutSeconds": 30,
                 "testid": "t-1"})
    for status in ({}, {"phase": "Starting", "startAt": "2026-12-01T10:00:05Z", "runners": 3,
                        "testid": "t-1", "observedGeneration": 1},
                   {"phase": "Running", "startedAt": "2026-12-01T10:00:05Z",
                    "conditions": [{"type": "Ready", "status": "False", "reason": "Running"}]},
                   {"phase": "Succeeded", "finishedAt": "2026-12-01T10:01:00Z"}):
        lt = {"metadata": {"name": "t", "namespace": "n", "uid": "u-1", "generation": 1,
                           "deletionTimestamp": "2026-12-01T10:02:00Z"} if status.get("phase") ==
              "Succeeded" else {"name": "t", "namespace": "n", "uid": "u-1", "generation": 1},
              "spec": spec, "status": status}
        write("loadtest", json.dumps(lt))


def dictionary(name, items):
    """A libFuzzer dictionary: one quoted token a line, \\xHH for anything not printable."""
    def quote(token):
        return '"' + "".join(c if 0x20 <= ord(c) < 0x7f and c not in '"\\' else
                             "\\" + c if c in '"\\' else "\\x%02X" % ord(c)
                             for c in token) + '"'
    lines = ["# libFuzzer dictionary (-dict=): tokens the parser branches on."]
    lines += [quote(t) for t in dict.fromkeys(items)]
    (ROOT / "tests" / "fuzz" / "dict").mkdir(exist_ok=True)
    (ROOT / "tests" / "fuzz" / "dict" / (name + ".dict")).write_text("\n".join(lines) + "\n")


def dictionaries():
    keys = ("abortOnFail algorithm apiVersion auth backoff basic bearer body by caFile claims "
            "connectTimeout counter delayAbortEval delete description duration env equals errors "
            "expiresIn file get head header headers initial insecureSkipVerify json jwt kind load "
            "max maxInFlight maxResponseBytes metadata method multiplier name order password patch "
            "path post profile put rate retry retryAfter scenarios secret serverName spawnRate spec "
            "stages status statuses steps tags target tasks threshold thresholds timeout trend unit "
            "url username users values wait weight vars data extract checks metrics expect "
            "gracefulStop preAllocatedUsers maxQueued runners count testid cleanup "
            "startTimeoutSeconds ttlSecondsAfterFinished schedule timeZone concurrencyPolicy "
            "suspend startingDeadlineSeconds historyLimit onSpecChange contains regex setup "
            "teardown").split()
    syntax = [": ", "- ", "{", "}", "[", "]", ", ", "\n  ", "\n    - ", "&a ", "*a", "!!str ",
              "|\n  ", ">\n  ", "---\n", "...\n", "? ", "'", '"', "#", "~", "\t", "null", "true",
              "false", "1e308", "-1", "0x10", ".inf", ".nan", "4294967296"]
    values = ["1s", "500ms", "2m", "1h", "between(1s, 3s)", "http://127.0.0.1:8080",
              "https://[::1]:8443/x", "smoke", "load", "stress", "spike", "soak", "progressive",
              "warmup", "sustained", "HS256", "random", "sequential", "2xx", "200-299",
              "application/json", "stampede.dev/v1alpha1", "LoadTest"]
    templates = ["{{", "}}", "{{ setup.", "{{ uuid() }}", "{{ seq() }}", "{{ randomInt(1, 9) }}",
                 '{{ randomChoice("a", "b") }}', '{{ now("unix") }}', '{{ env("X") }}',
                 "{{ urlencode(", "userIndex", "runnerIndex", "runnerCount", "iteration"]
    thresholds = ["http_req_duration", "http_req_failed", "http_reqs", "http_req_status",
                  "http_req_waiting", "http_req_connecting", "iterations", "dropped_iterations",
                  "checks", "p(95)", "p(99.9)", "avg", "min", "max", "med", "rate", "count", " < ",
                  " <= ", " > ", " >= ", " == ", " != ", "stage(", ").p(95)", "{scenario:",
                  "{name:", "{status:5xx}", "{method:", "{check:", "{stage:", "{value:", "%"]
    dictionary("plan", keys + syntax + values + templates + thresholds)
    dictionary("threshold", thresholds + syntax + [
        "threshold", "abortOnFail", "delayAbortEval", "api", "GET /a", "POST /b", "ok", "warmup",
        "peak", "order_ms", "orders", "north", "1s", "250ms", "1.5 * "])
    dictionary("template", templates + [
        "urlencode", "randomInt", "randomChoice", "uuid", "seq", "now", "env", "(", ")", ",", '"',
        "'", "\\", "%Y-%m-%d", "unixms", "kconst", "xunknown", "a.b", "\r\n",
        "-9223372036854775808", "9223372036854775807"])
    dictionary("response", [
        "HTTP/1.1 ", "HTTP/1.0 ", " 200 OK", "\r\n", "\r\n\r\n", "Content-Length: ",
        "Transfer-Encoding: chunked", "Transfer-Encoding: gzip, chunked", "Connection: close",
        "Connection: keep-alive", "Connection: upgrade", "Upgrade: websocket",
        "Proxy-Connection: keep-alive", "0\r\n\r\n", ";ext=", "Trailer: ", "100 Continue",
        "101 Switching Protocols", "204", "304", "Keep-Alive: timeout=5", "\t", " ",
        "ffffffffffffffff", "18446744073709551616"])
    write("control", "!ready\nPOST /v1/setup good\n.\n!allow setup\nPOST /v1/setup bad\n.\n"
                     "POST /v1/setup good\n.\n!phasefailed setup\nPOST /v1/setup good\n.\n"
                     "!needvalues\nPOST /v1/start good\n{}\n.\nPOST /v1/start good\n"
                     "{\"setupValues\": {\"token\": \"t\"}, \"teardownBy\": \"operator\"}\n.\n"
                     "!allow teardown\nPOST /v1/teardown good\n.\n!phasedone teardown\n"
                     "POST /v1/teardown good\n.\n")
    dictionary("control", [
        "GET ", "POST ", "PUT ", "/metrics", "/healthz", "/readyz", "/v1/status", "/v1/result",
        "/v1/start", "/v1/stop", " good", " bad", "Bearer ", "\n.\n", "!ready\n", "!notready ",
        "!started\n", "!stopping\n", "!status ", "!finished ", '{"startAt": "',
        "2026-11-22T16:40:00.250Z", "Z", "+02:00", '"}', "9999-12-31T23:59:59Z",
        "1677-09-21T00:12:43Z", "null", "{}", "[]", ".123456789", "/v1/load", "!loads\n",
        '{"users": ', ', "spawnRate": ', '{"rate": ', "1e999", "/v1/setup", "/v1/teardown",
        "!allow setup\n", "!allow teardown\n", "!deny setup\n", "!needvalues\n",
        "!phasedone setup\n", "!phasefailed teardown\n", '"setupValues": {', '"teardownBy": ',
        '"operator"', '"runner"'])
    dictionary("kubeconfig", [
        "current-context", "contexts", "context", "cluster", "clusters", "user", "users", "name",
        "namespace", "server", "certificate-authority", "certificate-authority-data",
        "client-certificate", "client-certificate-data", "client-key", "client-key-data",
        "insecure-skip-tls-verify", "token", "tokenFile", "https://", "http://", "[::1]", ":6443",
        "ca.crt", "client.crt", "client.key", "/fuzz/kube/", ": ", "- ", "{", "}", "[", "]", "=",
        "=="])
    json_syntax = ["null", "true", "1e308", "-1", "4294967296", "18446744073709551615", ":", ",",
                   "{", "}", "[", "]"]
    dictionary("loadtest", ['"%s"' % k for k in (
        "metadata spec status name namespace uid generation deletionTimestamp creationTimestamp "
        "runners count maxUsersPerRunner maxRatePerRunner image resources cleanup always "
        "onSuccess ttlSecondsAfterFinished startTimeoutSeconds testid phase Pending Starting "
        "Running Succeeded Failed startAt startedAt finishedAt observedGeneration conditions "
        "target load scenarios thresholds profile users rate stages duration").split()]
        + json_syntax)
    dictionary("result", ['"%s"' % k for k in (
        "schema stampede.result/v1 totals duration_seconds requests failures status_codes errors "
        "histograms latency service_time waiting connecting v unit ns count min max sum buckets "
        "stages custom kind trend counter values value histogram series iterations dropped "
        "retries retried_statuses checks passes fails scenario name method t users p50 p95 "
        "p99").split()] + json_syntax + ["3600000000000", "\\u0000"])


if __name__ == "__main__":
    plans()
    thresholds()
    templates()
    responses()
    control()
    kubeconfigs()
    loadtests()
    dictionaries()
