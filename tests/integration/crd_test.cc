// The LoadTest CustomResourceDefinition (crds/stampede.dev_loadtests.yaml) on a real API server:
// it is accepted and established, the example manifests and every plan in examples/ are valid
// LoadTests, bad manifests are refused with messages that name the field, the status subresource
// feeds the printer columns and `kubectl wait --for=condition=...`, and `kubectl explain` reads
// the schema. Each plan case is also given to `stampede validate`, so the CRD and the runner's
// parser are held to the same verdicts (where the CRD is deliberately stricter, the case says
// so).
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/kube_control_plane.h"
#include "support/subprocess.h"

namespace stampede::testing {
namespace {

using namespace std::chrono_literals;

const std::string kSourceDir = STAMPEDE_SOURCE_DIR;
const std::string kCrdFile = kSourceDir + "/crds/stampede.dev_loadtests.yaml";
const std::string kCrdName = "loadtests.stampede.dev";

// What `stampede validate` says about a case's plan.
enum class Runner {
  kAccepts,  // valid plan (for an invalid manifest: the CRD is stricter, or an operator field)
  kRefuses,  // invalid plan, exit 2
};

struct Case {
  std::string label;
  std::string spec;                   // the YAML under `spec:`
  std::vector<std::string> expected;  // substrings of the API server's refusal
  Runner runner = Runner::kRefuses;
};

// ---------------------------------------------------------------------------------------------
// Building manifests

const std::string kTarget = "target: http://shop.test:8080\n";
const std::string kLoad = "load: {users: 10, duration: 1m}\n";
const std::string kScenarios = "scenarios: [{name: browse, steps: [{get: /}]}]\n";

// Every field of runs (docs/runs.md), none at its default.
const std::string kRunsFields = R"yaml(schedule: "30 2 * * 1-5"
timeZone: Europe/Berlin
concurrencyPolicy: Replace
suspend: true
startingDeadlineSeconds: 600
historyLimit: 20
onSpecChange: Replace
)yaml";

std::string indent(const std::string& text, const std::string& prefix) {
  std::istringstream lines(text);
  std::string out;
  std::string line;
  while (std::getline(lines, line)) out += (line.empty() ? "" : prefix) + line + "\n";
  return out;
}

std::string load_test(const std::string& name, const std::string& spec) {
  return "apiVersion: stampede.dev/v1alpha1\nkind: LoadTest\nmetadata:\n  name: " + name +
         "\nspec:\n" + indent(spec, "  ");
}

// An example file as a LoadTest named `name`: a plan becomes the spec, a manifest gets the name.
// The text is kept as written: a YAML round trip could change what kubectl's YAML 1.1 reads.
std::string example_manifest(const std::string& text, const std::string& name) {
  if (!YAML::Load(text)["kind"]) return load_test(name, text);
  std::istringstream lines(text);
  std::string out;
  bool in_metadata = false;
  bool renamed = false;
  for (std::string line; std::getline(lines, line);) {
    const std::size_t indent_size = line.find_first_not_of(' ');
    if (line == "metadata:") {
      in_metadata = true;
    } else if (indent_size == 0) {
      in_metadata = false;
    } else if (in_metadata && !renamed && indent_size != std::string::npos &&
               line.compare(indent_size, 5, "name:") == 0) {
      line.replace(indent_size, std::string::npos, "name: " + name);
      renamed = true;
    }
    out += line;
    out += '\n';
  }
  return out;
}

// A DNS-1123 name for a case: lowercase letters, digits and dashes.
std::string object_name(const std::string& label, std::size_t index) {
  std::string name = "case-" + std::to_string(index) + "-";
  for (const char c : label) {
    if (name.size() >= 50) break;
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (alnum) {
      name += c;
    } else if (c >= 'A' && c <= 'Z') {
      name += static_cast<char>(c - 'A' + 'a');
    } else if (name.back() != '-') {
      name += '-';
    }
  }
  while (name.back() == '-') name.pop_back();
  return name;
}

// ---------------------------------------------------------------------------------------------
// The cases

// A WebSocket session with every key and action, as a list item; the two step schemas (a
// scenario's steps and a task's) each get it.
const std::string kWsSession = R"yaml(- ws: /ws/scope?client={{ userIndex }}
  name: scope
  headers: {X-Client: "user-{{ userIndex }}"}
  auth: {bearer: token-1}
  subprotocols: [scope.v1, scope.v2]
  deflate: true
  maxMessageBytes: 1048576
  actions:
    - send: {op: configure, rate: 50, channel: "{{ userIndex }}", tags: [a, 1]}
      name: configure
    - receive: {json: /op, equals: configured}
      name: configure
      timeout: 2s
    - sendBinary: "raw {{ seq() }}"
    - send: plain text
    - receive: 50
    - receive: {body: true, contains: frame}
    - receive: {json: /op, oneOf: [frame, 3]}
    - ping
    - ping: {}
    - think: 500ms
    - think: between(1s, 3s)
    - repeat: 3
      actions:
        - send: {op: poll}
        - receive: 1
        - repeat: 10s
          actions: [ping, {think: 100ms}]
    - close: {code: 4000, reason: done}
  extract: {token: {json: /token}}
  checks: [{json: /op, equals: unsubscribed}]
  metrics: [{name: frames, counter: true}]
)yaml";

std::vector<Case> valid_cases() {
  return {
      {"target as a URL string",
       "target: https://shop.test/api/v1\n" + kLoad + kScenarios,
       {},
       Runner::kAccepts},
      {"target as a map with every option",
       R"(target:
  url: https://shop.test:8443/base
  headers: {Accept: application/json, X-Retries: 3, "X-Odd_Name!": "a b"}
  connectTimeout: 2s
  timeout: 30
  maxResponseBytes: 16MiB
  tls: {serverName: api.internal, insecureSkipVerify: true}
)" + kLoad +
           kScenarios,
       {},
       Runner::kAccepts},
      {"maxResponseBytes as a byte count",
       "target: {url: http://shop.test, maxResponseBytes: 1048576}\n" + kLoad + kScenarios,
       {},
       Runner::kAccepts},
      {"closed model with spawnRate and gracefulStop",
       kTarget + "load: {users: 50, spawnRate: 2.5, duration: 1h30m, gracefulStop: 0s}\n" +
           kScenarios,
       {},
       Runner::kAccepts},
      {"durations as whole seconds, plain numbers and chained units",
       kTarget + R"(load:
  stages:
    - {duration: 30, users: 5}
    - {duration: "1.5", users: 10}
    - {duration: 1m30.5s, users: 10, name: hold}
    - {duration: 250ms, users: 0, name: down}
    - {duration: .5h, users: 1}
    - {duration: 2d, users: 1}
    - {duration: 10us, users: 1}
  gracefulStop: 1.5s
)" + kScenarios,
       {},
       Runner::kAccepts},
      {"open model with its sizes",
       kTarget +
           "load: {rate: 12.5, duration: 5m, maxInFlight: 50, preAllocatedUsers: 50, "
           "maxQueued: 0}\n" +
           kScenarios,
       {},
       Runner::kAccepts},
      {"open stages with preAllocatedUsers under the default maxInFlight",
       kTarget +
           "load: {stages: [{duration: 1m, rate: 150, name: up}, {duration: 1m, rate: 0}], "
           "preAllocatedUsers: 120}\n" +
           kScenarios,
       {},
       Runner::kAccepts},
      {"every wait form",
       kTarget + kLoad + R"yaml(scenarios:
  - {name: a, wait: none, steps: [{get: /}]}
  - {name: b, wait: constant(1), steps: [{get: /}]}
  - {name: c, wait: "between(500ms, 2s)", steps: [{get: /}]}
  - {name: d, wait: pacing(2.5), steps: [{get: /}]}
  - {name: e, wait: " between (0.1,0.2) ", weight: 0.5, steps: [{get: /}]}
)yaml",
       {},
       Runner::kAccepts},
      {"tasks with tags and every step form",
       kTarget + kLoad + R"(scenarios:
  - name: shopper
    weight: 3
    tasks:
      - name: browse
        weight: 4
        tags: [read, "front page"]
        steps:
          - get: /
          - get: /search?q=shoes&page=2
            name: /search
            headers: {Accept: text/html, X-Count: 2}
          - head: /health
          - options: /
      - tags: []
        steps:
          - method: post
            path: /orders
            json: {sku: A-1, quantity: 2, items: [1, 2, {nested: true}], note: null}
            expect: {status: [200, "2xx", "200-299", 404, "5XX"]}
          - put: /orders/1
            body: '{"raw": true}'
            headers: {Content-Type: application/json}
          - patch: /orders/1
            json: [1, "two", 3.5]
          - delete: /orders/1
            json: just a string
          - {method: DELETE, path: "/a%20b"}
          - {path: /defaults-to-get}
)",
       {},
       Runner::kAccepts},
      {"thresholds in every form",
       kTarget + kLoad + kScenarios + R"(thresholds:
  http_req_duration: ["p(95) < 2s", "p(99.9)<=1500", "avg < 200ms", "med<1m", "max < 10 s"]
  http_req_failed: ["rate < 1%", "count == 0", "rate<=0.01"]
  "http_req_duration{scenario:browse}": ["p(99) < 100ms"]
  "http_req_status{status:5xx}": ["rate < 0.001"]
  "http_reqs{status:429}": ["count < 10"]
  "http_req_waiting{method:get}": ["p(50) < 1s"]
  dropped_iterations: [{threshold: "count == 0", abortOnFail: true, delayAbortEval: 10s}]
  iterations: ["rate > 1", {threshold: "count >= 1"}]
  data_received: ["count > 0"]
)",
       {},
       Runner::kAccepts},
      {"a profile instead of load",
       kTarget + "profile: smoke\n" + kScenarios,
       {},
       Runner::kAccepts},
      {"a profile with a load of the plan's own (the profile gives the thresholds)",
       kTarget + kLoad + "profile: spike\n" + kScenarios,
       {},
       Runner::kAccepts},
      {"a plan name", "name: checkout\n" + kTarget + kLoad + kScenarios, {}, Runner::kAccepts},
      {"runners with a count and pod settings",
       kTarget + kLoad + kScenarios + R"(runners:
  count: 3
  image: registry.example.test/stampede/runner:0.1.0
  resources:
    requests: {cpu: 500m, memory: 256Mi}
    limits: {cpu: 2, memory: 1Gi}
  env:
    - {name: STAMPEDE_LOG, value: debug}
    - name: TOKEN
      valueFrom: {secretKeyRef: {name: api, key: token}}
  envFrom:
    - configMapRef: {name: shared}
    - secretRef: {name: more, optional: true}
      prefix: X_
  nodeSelector: {kubernetes.io/os: linux, pool: load}
  tolerations:
    - {key: dedicated, operator: Equal, value: load, effect: NoSchedule}
    - {operator: Exists}
  affinity:
    podAntiAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
        - weight: 100
          podAffinityTerm:
            topologyKey: kubernetes.io/hostname
            labelSelector: {matchLabels: {app.kubernetes.io/name: stampede}}
  securityContext: {runAsNonRoot: true, runAsUser: 65532, seccompProfile: {type: RuntimeDefault}}
  serviceAccountName: stampede-runner
  priorityClassName: load-tests
  labels: {team: checkout, tier: ""}
  annotations: {example.test/owner: "checkout team"}
  volumes:
    - {name: data, configMap: {name: users-csv, items: [{key: users.csv, path: users.csv}]}}
    - name: jwt
      projected:
        sources:
          - secret: {name: jwt-key, items: [{key: secret, path: secret, mode: 0400}]}
          - serviceAccountToken: {path: token, expirationSeconds: 3600, audience: api}
    - {name: scratch, emptyDir: {sizeLimit: 64Mi}}
  volumeMounts:
    - {name: data, mountPath: /data, readOnly: true}
    - {name: jwt, mountPath: /var/run/secrets/jwt, readOnly: true}
  topologySpreadConstraints:
    - maxSkew: 1
      topologyKey: kubernetes.io/hostname
      whenUnsatisfiable: DoNotSchedule
      labelSelector: {matchLabels: {stampede.dev/loadtest: every-field}}
  imagePullSecrets: [{name: registry}]
startTimeoutSeconds: 300
cleanup: onSuccess
ttlSecondsAfterFinished: 3600
testid: checkout-2026-01-01.a_1
)",
       {},
       Runner::kAccepts},
      {"runners sized automatically",
       kTarget + kLoad + kScenarios +
           "runners: {maxUsersPerRunner: 500, maxRatePerRunner: 200.5}\ncleanup: always\n",
       {},
       Runner::kAccepts},
      // Runs (docs/runs.md): the operator parses the schedule, the CRD only bounds it.
      {"a schedule with every field of runs",
       kTarget + kLoad + kScenarios + kRunsFields,
       {},
       Runner::kAccepts},
      {"a schedule by name, in UTC, keeping no history",
       kTarget + kLoad + kScenarios + "schedule: \"@daily\"\nhistoryLimit: 0\n",
       {},
       Runner::kAccepts},
      {"a rerun policy without a schedule, and the longest history",
       kTarget + kLoad + kScenarios +
           "onSpecChange: Replace\nhistoryLimit: 100\nttlSecondsAfterFinished: 60\n",
       {},
       Runner::kAccepts},
      // The plan language (docs/plan-language.md). users.csv is written next to the plan for
      // `stampede validate`, which also gets the variables env() and the JWT secret read.
      {"every field of the plan language",
       R"yaml(target:
  url: https://shop.test/api
  auth:
    jwt:
      secret: {env: LOADTEST_JWT_SECRET}
      algorithm: HS256
      claims: {sub: "user-{{ userIndex }}", role: "{{ users.role }}", admin: false, scopes: [a, b]}
      expiresIn: 15m
  retry: {errors: true, max: 2}
vars:
  tenant: acme
  pageSize: 50
  apiKey: '{{ env("LOADTEST_API_KEY") }}'
data:
  users: {file: users.csv, order: unique}
  prompts:
    values: ["What's the best investment strategy?", "Plan a trip to Tokyo", 42]
    order: random
  products:
    values: [{sku: A-1, price: "9.99"}, {sku: B-2, price: 12}]
    order: sequential
load:
  stages:
    - {duration: 30s, users: 1, name: warmup}
    - {duration: 1m, users: 2, name: spike}
scenarios:
  - name: api
    weight: 2
    auth: {basic: {username: "{{ users.email }}", password: '{{ env("LOADTEST_PASSWORD") }}'}}
    retry:
      statuses: [429, "5xx", "500-504"]
      max: 3
      backoff: {initial: 200ms, max: 5s, multiplier: 1.5}
      retryAfter: true
    tasks:
      - name: plans
        tags: [smoke, checkout]
        auth: {bearer: "{{ apiKey }}"}
        steps:
          - post: /plans?tenant={{ tenant }}&size={{ pageSize }}
            json: {name: "plan-{{ seq() }}", prompt: "{{ prompts.value }}", n: "{{ userIndex }}"}
            expect: {status: [201]}
            retry:
              statuses: [503]
              errors: true
              max: 0
              backoff: {initial: 0, max: 1, multiplier: 2}
              retryAfter: false
            extract:
              plan_id: {json: /id}
              etag: {header: ETag, default: none}
              code: {regex: 'code=(\w+)', default: 0}
            checks:
              - status: 201
              - status: [200, "2xx", "200-299"]
              - {name: has an id, json: /id}
              - {json: /status, equals: pending}
              - {json: /count, equals: 3}
              - {json: /ok, equals: true}
              - {json: /items/0/price, matches: '^[0-9]+\.[0-9]{2}$'}
              - {body: true, contains: '"ok"'}
              - {header: Content-Type, matches: json}
              - {json: /tier, oneOf: [gold, silver, 3]}
              - {json: /a~1b, exists: true}
              - {duration: "< 500ms"}
              - {name: fast enough, duration: "<= 2s"}
            metrics:
              - name: provider_latency
                trend: {header: X-Provider-Latency-Ms}
                unit: ms
                by: {header: X-Provider}
              - {name: provider_requests, counter: {json: /provider}}
              - {name: plans_created, counter: true}
              - {name: tokens, trend: {regex: 'tokens=([0-9]+)'}, unit: none, by: {json: /model}}
          - post: /v1/chat/completions
            json: {stream: true}
            stream: {format: sse, end: "[DONE]", tokens: {count: /choices/0/delta/content}, maxEventBytes: 65536}
          - get: /events
            stream: ndjson
          - get: /usage
            stream: {tokens: {last: /usage/completion_tokens}}
          - get: /count
            stream: {tokens: events}
          - get: /plans/{{ plan_id }}
            name: /plans/{id}
            headers: {If-None-Match: "{{ etag }}", X-Code: "{{ code }}"}
            auth: none
            checks: [{json: /id, equals: "{{ plan_id }}"}]
      - tags: []
        auth: none
        steps:
          - get: /health
            auth: {jwt: {secret: {env: LOADTEST_JWT_SECRET}}}
            retry: {statuses: [503]}
  - name: public
    auth: none
    retry: {errors: true}
    steps:
      - get: /products/{{ urlencode(products.sku) }}
        checks: [{json: /price, equals: "{{ products.price }}"}]
thresholds:
  checks: ["rate > 0.99"]
  "checks{check:has an id}": ["rate > 0.99"]
  provider_latency: ["p(95) < 500"]
  "http_req_duration{stage:spike}": ["p(95) < 2 * stage(warmup).p(95)", "p(99)<stage(warmup).p(99)*3"]
)yaml",
       {},
       Runner::kAccepts},
      {"a data file, basic auth, a JWT secret file and a retry on errors at the target",
       R"yaml(target:
  url: http://shop.test
  auth: {basic: {username: admin, password: 1234}}
  retry: {errors: true}
data:
  users: {file: users.csv}
)yaml" + kLoad +
           R"yaml(scenarios:
  - name: a
    steps:
      - get: /users/{{ users.email }}
        checks: [{status: "2xx"}]
        metrics: [{name: visits, counter: true}]
)yaml" +
           "        auth: {jwt: {secret: {file: " + kSourceDir + "/crds/README.md}, claims: {}}}\n",
       {},
       Runner::kAccepts},
      {"WebSocket sessions with every key and action, in a scenario's steps and a task's",
       kTarget + kLoad + "scenarios:\n  - name: feed\n    steps:\n" + indent(kWsSession, "      ") +
           "      - get: /tokens/{{ token }}\n  - name: echo\n    tasks:\n      - steps:\n" +
           indent(kWsSession, "          ") +
           "          - ws: /ws/echo\n            subprotocols: [chat]\n"
           "            actions: [{send: hi}, {receive: 1, timeout: 1}, close]\n",
       {},
       Runner::kAccepts},
  };
}

std::vector<Case> invalid_cases() {
  return {
      // --- load
      {"two load models",
       kTarget + "load: {users: 10, rate: 5, duration: 1m}\n" + kScenarios,
       {"spec.load", "two load models"}},
      {"two load models in stages",
       kTarget + "load: {stages: [{duration: 10s, users: 5}, {duration: 10s, rate: 5}]}\n" +
           kScenarios,
       {"spec.load", "two load models"}},
      {"an open-model option with users",
       kTarget + "load: {users: 10, duration: 1m, maxInFlight: 20}\n" + kScenarios,
       {"spec.load", "two load models"}},
      {"no load and no profile",
       kTarget + kScenarios,
       {"spec.load", "one of load or profile is required"}},
      {"an unknown profile",
       kTarget + "profile: heavy\n" + kScenarios,
       {"spec.profile", "Unsupported value", "\"heavy\""}},
      {"an empty load",
       kTarget + "load: {}\n" + kScenarios,
       {"spec.load", "one of users, rate or stages is required"}},
      {"negative users",
       kTarget + "load: {users: -5, duration: 1m}\n" + kScenarios,
       {"spec.load.users", "greater than or equal to 1"}},
      {"zero users",
       kTarget + "load: {users: 0, duration: 1m}\n" + kScenarios,
       {"spec.load.users", "greater than or equal to 1"}},
      {"users as text",
       kTarget + "load: {users: many, duration: 1m}\n" + kScenarios,
       {"spec.load.users", "must be of type integer"}},
      {"more users than the runner's limit",
       kTarget + "load: {users: 1000001, duration: 1m}\n" + kScenarios,
       {"spec.load.users", "less than or equal to 1000000"}},
      {"a stage with more users than the runner's limit",
       kTarget + "load: {stages: [{duration: 10s, users: 1000001}]}\n" + kScenarios,
       {"spec.load.stages[0].users", "less than or equal to 1000000"}},
      {"a rate above the runner's limit",
       kTarget + "load: {rate: 1e18, duration: 1m}\n" + kScenarios,
       {"spec.load.rate", "less than or equal to 10000000"}},
      {"a spawnRate above the runner's limit",
       kTarget + "load: {users: 5, spawnRate: 2000000, duration: 1m}\n" + kScenarios,
       {"spec.load.spawnRate", "less than or equal to 1000000"}},
      {"a maxQueued above the runner's limit",
       kTarget + "load: {rate: 5, duration: 1m, maxQueued: 4294967295}\n" + kScenarios,
       {"spec.load.maxQueued", "less than or equal to 1000000"}},
      {"a zero rate",
       kTarget + "load: {rate: 0, duration: 1m}\n" + kScenarios,
       {"spec.load.rate", "greater than 0"}},
      {"a negative spawnRate",
       kTarget + "load: {users: 5, spawnRate: -1, duration: 1m}\n" + kScenarios,
       {"spec.load.spawnRate", "greater than or equal to 0"}},
      {"empty stages",
       kTarget + "load: {stages: []}\n" + kScenarios,
       {"spec.load.stages", "at least 1 items"}},
      {"a stage without users or rate",
       kTarget + "load: {stages: [{duration: 10s, users: 5}, {duration: 10s}]}\n" + kScenarios,
       {"spec.load.stages[1]", "exactly one of users (closed model) or rate (open model)"}},
      {"a stage without duration",
       kTarget + "load: {stages: [{users: 5}]}\n" + kScenarios,
       {"spec.load.stages[0].duration", "Required value"}},
      {"stages with duration",
       kTarget + "load: {stages: [{duration: 10s, users: 5}], duration: 1m}\n" + kScenarios,
       {"spec.load.duration", "not allowed with stages"}},
      {"stages with spawnRate",
       kTarget + "load: {stages: [{duration: 10s, users: 5}], spawnRate: 1}\n" + kScenarios,
       {"spec.load.spawnRate", "not allowed with stages"}},
      {"stages with users",
       kTarget + "load: {stages: [{duration: 10s, users: 5}], users: 5}\n" + kScenarios,
       {"spec.load.stages", "users and rate are not allowed with stages"}},
      {"every stage at zero",
       kTarget + "load: {stages: [{duration: 10s, rate: 0}, {duration: 10s, rate: 0}]}\n" +
           kScenarios,
       {"spec.load.stages", "at least one stage needs users or rate > 0"}},
      {"duplicate stage names",
       kTarget +
           "load: {stages: [{duration: 10s, users: 5, name: a}, {duration: 5s, users: 1, "
           "name: a}]}\n" +
           kScenarios,
       {"spec.load.stages", "stage names must be unique"}},
      {"a negative stage target",
       kTarget + "load: {stages: [{duration: 10s, users: -1}]}\n" + kScenarios,
       {"spec.load.stages[0].users", "greater than or equal to 0"}},
      {"users without duration",
       kTarget + "load: {users: 10}\n" + kScenarios,
       {"spec.load.duration", "Required value"}},
      {"a bad duration string",
       kTarget + "load: {users: 10, duration: 10 minutes}\n" + kScenarios,
       {"spec.load.duration", "should match"}},
      {"an unknown duration unit",
       kTarget + "load: {users: 10, duration: 5y}\n" + kScenarios,
       {"spec.load.duration", "should match"}},
      {"a zero duration",
       kTarget + "load: {users: 10, duration: 0m0s}\n" + kScenarios,
       {"spec.load.duration", "should match"}},
      {"a zero duration number",
       kTarget + "load: {users: 10, duration: 0}\n" + kScenarios,
       {"spec.load.duration", "greater than or equal to 1"}},
      {"a negative duration",
       kTarget + "load: {users: 10, duration: -5s}\n" + kScenarios,
       {"spec.load.duration", "should match"}},
      // A YAML float is neither an integer nor a string; the runner reads it as seconds.
      {"a fractional duration number",
       kTarget + "load: {users: 10, duration: 1.5}\n" + kScenarios,
       {"spec.load.duration"},
       Runner::kAccepts},
      {"a bad gracefulStop",
       kTarget + "load: {users: 10, duration: 1m, gracefulStop: soon}\n" + kScenarios,
       {"spec.load.gracefulStop", "should match"}},
      {"preAllocatedUsers above maxInFlight",
       kTarget + "load: {rate: 10, duration: 1m, maxInFlight: 5, preAllocatedUsers: 6}\n" +
           kScenarios,
       {"spec.load.preAllocatedUsers", "must be <= maxInFlight"}},
      {"preAllocatedUsers above the default maxInFlight",
       kTarget + "load: {rate: 10, duration: 1m, preAllocatedUsers: 150}\n" + kScenarios,
       {"spec.load.preAllocatedUsers", "must be <= maxInFlight"}},
      {"a zero maxInFlight",
       kTarget + "load: {rate: 10, duration: 1m, maxInFlight: 0}\n" + kScenarios,
       {"spec.load.maxInFlight", "greater than or equal to 1"}},
      // --- target
      {"no target", kLoad + kScenarios, {"spec.target", "Required value"}},
      {"a target with another scheme",
       "target: ftp://shop.test\n" + kLoad + kScenarios,
       {"spec.target", "should match"}},
      {"a target with a query",
       "target: http://shop.test/?a=1\n" + kLoad + kScenarios,
       {"spec.target", "should match"}},
      {"a target map without url",
       "target: {timeout: 5s}\n" + kLoad + kScenarios,
       {"spec.target.url", "Required value"}},
      {"a target with a bad timeout",
       "target: {url: http://shop.test, timeout: soon}\n" + kLoad + kScenarios,
       {"spec.target.timeout", "should match"}},
      {"a bad maxResponseBytes",
       "target: {url: http://shop.test, maxResponseBytes: 16 parsecs}\n" + kLoad + kScenarios,
       {"spec.target.maxResponseBytes", "should match"}},
      {"a bad header name",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{get: /, headers: {\"Bad Header\": x}}]}]\n",
       {"spec.scenarios[0].steps[0].headers", "header names must be HTTP tokens"}},
      {"a header value with a line break",
       "target: {url: http://shop.test, headers: {X-A: \"one\\ntwo\"}}\n" + kLoad + kScenarios,
       {"spec.target.headers", "should match"}},
      {"tls as text",
       "target: {url: https://shop.test, tls: yes}\n" + kLoad + kScenarios,
       {"spec.target.tls", "must be of type object"}},
      // --- scenarios and steps
      {"no scenarios", kTarget + kLoad, {"spec.scenarios", "Required value"}},
      {"empty scenarios",
       kTarget + kLoad + "scenarios: []\n",
       {"spec.scenarios", "at least 1 items"}},
      {"duplicate scenario names",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{get: /}]}, {name: a, steps: [{get: /}]}]\n",
       {"spec.scenarios[1]", "Duplicate value"}},
      {"a scenario without a name",
       kTarget + kLoad + "scenarios: [{steps: [{get: /}]}]\n",
       {"spec.scenarios[0]", "Required value"}},
      {"a scenario with tasks and steps",
       kTarget + kLoad +
           "scenarios: [{name: a, tasks: [{steps: [{get: /}]}], steps: [{get: /}]}]\n",
       {"spec.scenarios[0].steps", "not allowed with tasks"}},
      {"a scenario without tasks or steps",
       kTarget + kLoad + "scenarios: [{name: a}]\n",
       {"spec.scenarios[0].tasks", "one of tasks or steps is required"}},
      {"a zero weight",
       kTarget + kLoad + "scenarios: [{name: a, weight: 0, steps: [{get: /}]}]\n",
       {"spec.scenarios[0].weight", "greater than 0"}},
      {"a bad wait",
       kTarget + kLoad + "scenarios: [{name: a, wait: sometimes, steps: [{get: /}]}]\n",
       {"spec.scenarios[0].wait", "should match"}},
      {"a wait with a missing argument",
       kTarget + kLoad + "scenarios: [{name: a, wait: \"between(1)\", steps: [{get: /}]}]\n",
       {"spec.scenarios[0].wait", "should match"}},
      {"empty steps",
       kTarget + kLoad + "scenarios: [{name: a, steps: []}]\n",
       {"spec.scenarios[0].steps", "at least 1 items"}},
      {"a task without steps",
       kTarget + kLoad + "scenarios: [{name: a, tasks: [{name: t}]}]\n",
       {"spec.scenarios[0].tasks[0].steps", "Required value"}},
      {"a step with two methods",
       kTarget + kLoad + "scenarios: [{name: a, steps: [{get: /, post: /x}]}]\n",
       {"spec.scenarios[0].steps[0]",
        "only one of get, post, put, patch, delete, head or options"}},
      {"a task step with two methods",
       kTarget + kLoad +
           "scenarios: [{name: a, tasks: [{steps: [{get: /}, {put: /, delete: /}]}]}]\n",
       {"spec.scenarios[0].tasks[0].steps[1]", "only one of get, post"}},
      {"a step with a method and a shorthand",
       kTarget + kLoad + "scenarios: [{name: a, steps: [{get: /, method: POST}]}]\n",
       {"spec.scenarios[0].steps[0]", "not allowed with a shorthand"}},
      {"a step without a path",
       kTarget + kLoad + "scenarios: [{name: a, steps: [{method: GET}]}]\n",
       {"spec.scenarios[0].steps[0].path", "Required value"}},
      {"a path without a leading slash",
       kTarget + kLoad + "scenarios: [{name: a, steps: [{get: health}]}]\n",
       {"spec.scenarios[0].steps[0].get", "should match"}},
      {"a path with a space",
       kTarget + kLoad + "scenarios: [{name: a, steps: [{post: /a b}]}]\n",
       {"spec.scenarios[0].steps[0].post", "should match"}},
      {"a path with a fragment",
       kTarget + kLoad + "scenarios: [{name: a, steps: [{get: \"/a#top\"}]}]\n",
       {"spec.scenarios[0].steps[0].get", "should match"}},
      {"an unknown method",
       kTarget + kLoad + "scenarios: [{name: a, steps: [{method: FETCH, path: /}]}]\n",
       {"spec.scenarios[0].steps[0].method", "should match"}},
      {"body and json",
       kTarget + kLoad + "scenarios: [{name: a, steps: [{post: /, body: x, json: {a: 1}}]}]\n",
       {"spec.scenarios[0].steps[0]", "must not validate the schema"}},
      {"a body that is not text",
       kTarget + kLoad + "scenarios: [{name: a, steps: [{post: /, body: {a: 1}}]}]\n",
       {"spec.scenarios[0].steps[0].body"}},
      {"a bad expected status",
       kTarget + kLoad + "scenarios: [{name: a, steps: [{get: /, expect: {status: [abc]}}]}]\n",
       {"spec.scenarios[0].steps[0].expect.status[0]", "should match"}},
      {"an expected status below 100",
       kTarget + kLoad + "scenarios: [{name: a, steps: [{get: /, expect: {status: [99]}}]}]\n",
       {"spec.scenarios[0].steps[0].expect.status[0]", "greater than or equal to 100"}},
      // The runner also takes a single status; the CRD asks for the documented list.
      {"an expected status that is not a list",
       kTarget + kLoad + "scenarios: [{name: a, steps: [{get: /, expect: {status: 200}}]}]\n",
       {"spec.scenarios[0].steps[0].expect.status", "must be of type array"},
       Runner::kAccepts},
      {"an unknown step field",
       kTarget + kLoad + "scenarios: [{name: a, steps: [{get: /, gett: /x}]}]\n",
       {"unknown field \"spec.scenarios[0].steps[0].gett\""}},
      {"an unknown spec field",
       kTarget + kLoad + kScenarios + "loads: {users: 1}\n",
       {"unknown field \"spec.loads\""}},
      // --- thresholds
      // The runner also takes a single condition; the CRD asks for the documented list.
      {"a threshold that is not a list",
       kTarget + kLoad + kScenarios + "thresholds: {http_req_failed: \"rate < 0.01\"}\n",
       {"spec.thresholds.http_req_failed", "must be of type array"},
       Runner::kAccepts},
      {"a threshold that is a number",
       kTarget + kLoad + kScenarios + "thresholds: {http_req_failed: 0.01}\n",
       {"spec.thresholds.http_req_failed", "must be of type array"}},
      {"an empty threshold list",
       kTarget + kLoad + kScenarios + "thresholds: {http_reqs: []}\n",
       {"spec.thresholds.http_reqs", "at least 1 items"}},
      {"a threshold condition without p(N)",
       kTarget + kLoad + kScenarios + "thresholds: {http_req_duration: [\"p95 < 2s\"]}\n",
       {"spec.thresholds.http_req_duration[0]", "should match"}},
      {"a threshold condition with an unknown operator",
       kTarget + kLoad + kScenarios + "thresholds: {http_req_duration: [\"avg =< 2s\"]}\n",
       {"spec.thresholds.http_req_duration[0]", "should match"}},
      {"a threshold map without a condition",
       kTarget + kLoad + kScenarios + "thresholds: {dropped_iterations: [{abortOnFail: true}]}\n",
       {"spec.thresholds.dropped_iterations[0].threshold", "Required value"}},
      {"a threshold map with a bad abortOnFail",
       kTarget + kLoad + kScenarios +
           "thresholds: {dropped_iterations: [{threshold: count == 0, abortOnFail: maybe}]}\n",
       {"spec.thresholds.dropped_iterations[0].abortOnFail", "must be of type boolean"}},
      // --- the plan language: vars and data
      {"a variable name with a space",
       kTarget + kLoad + kScenarios + "vars: {\"page size\": 50}\n",
       {"spec.vars", "variable names are letters, digits and _"}},
      {"a variable that is a list",
       kTarget + kLoad + kScenarios + "vars: {sizes: [1, 2]}\n",
       {"spec.vars.sizes"}},
      {"a data feeder with both file and values",
       kTarget + kLoad + kScenarios + "data: {users: {file: users.csv, values: [a, b]}}\n",
       {"spec.data.users", "must validate one and only one schema (oneOf)"}},
      {"a data feeder with neither file nor values",
       kTarget + kLoad + kScenarios + "data: {users: {order: random}}\n",
       {"spec.data.users", "must validate one and only one schema (oneOf)"}},
      {"a data name with a dash",
       kTarget + kLoad + kScenarios + "data: {user-list: {values: [a]}}\n",
       {"spec.data", "data names are letters, digits and _"}},
      {"an unknown data order",
       kTarget + kLoad + kScenarios + "data: {users: {values: [a], order: shuffled}}\n",
       {"spec.data.users.order", "Unsupported value", "\"sequential\", \"random\", \"unique\""}},
      {"empty data values",
       kTarget + kLoad + kScenarios + "data: {users: {values: []}}\n",
       {"spec.data.users.values", "at least 1 items"}},
      // --- auth
      {"auth with two kinds",
       kTarget + kLoad +
           "scenarios: [{name: a, auth: {bearer: t, basic: {username: u, password: p}}, "
           "steps: [{get: /}]}]\n",
       {"spec.scenarios[0].auth", "must have at most 1 items"}},
      {"auth of an unknown kind",
       kTarget + kLoad + "scenarios: [{name: a, steps: [{get: /, auth: {oauth: t}}]}]\n",
       {"spec.scenarios[0].steps[0].auth", "must validate at least one schema (anyOf)"}},
      {"auth as a string other than none",
       kTarget + kLoad + "scenarios: [{name: a, tasks: [{auth: bearer, steps: [{get: /}]}]}]\n",
       {"spec.scenarios[0].tasks[0].auth", "should match '^none$'"}},
      {"target auth with two kinds",
       "target: {url: http://shop.test, auth: {bearer: t, jwt: {secret: {env: S}}}}\n" + kLoad +
           kScenarios,
       {"spec.target.auth", "must have at most 1 items"}},
      {"basic auth without a password",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{get: /, auth: {basic: {username: u}}}]}]\n",
       {"spec.scenarios[0].steps[0].auth.basic.password", "Required value"}},
      {"a JWT without a secret",
       kTarget + kLoad + "scenarios: [{name: a, steps: [{get: /, auth: {jwt: {claims: {}}}}]}]\n",
       {"spec.scenarios[0].steps[0].auth.jwt.secret", "Required value"}},
      {"a JWT secret without env or file",
       kTarget + kLoad + "scenarios: [{name: a, steps: [{get: /, auth: {jwt: {secret: {}}}}]}]\n",
       {"spec.scenarios[0].steps[0].auth.jwt.secret",
        "must validate one and only one schema (oneOf)"}},
      {"a JWT secret with env and file",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{get: /, auth: {jwt: {secret: {env: S, file: /s}}}}]}]\n",
       {"spec.scenarios[0].steps[0].auth.jwt.secret",
        "must validate one and only one schema (oneOf)"}},
      {"a JWT secret written in the plan",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{get: /, auth: {jwt: {secret: {value: s3cr3t}}}}]}]\n",
       {"unknown field \"spec.scenarios[0].steps[0].auth.jwt.secret.value\""}},
      {"a JWT algorithm other than HS256",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{get: /, auth: {jwt: {secret: {env: S}, algorithm: "
           "RS256}}}]}]\n",
       {"spec.scenarios[0].steps[0].auth.jwt.algorithm", "Unsupported value", "\"HS256\""}},
      {"a zero JWT lifetime",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{get: /, auth: {jwt: {secret: {env: S}, expiresIn: "
           "0s}}}]}]\n",
       {"spec.scenarios[0].steps[0].auth.jwt.expiresIn", "should match"}},
      {"JWT claims that are not a map",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{get: /, auth: {jwt: {secret: {env: S}, claims: "
           "[sub]}}}]}]\n",
       {"spec.scenarios[0].steps[0].auth.jwt.claims", "must be of type object"}},
      // --- retry
      {"a retry max of 1000",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{get: /, retry: {statuses: [429], max: 1000}}]}]\n",
       {"spec.scenarios[0].steps[0].retry.max", "less than or equal to 100"}},
      {"a retry without statuses or errors",
       kTarget + kLoad + "scenarios: [{name: a, steps: [{get: /, retry: {errors: false}}]}]\n",
       {"spec.scenarios[0].steps[0].retry", "needs statuses (the statuses to retry"}},
      {"a scenario retry without statuses or errors",
       kTarget + kLoad + "scenarios: [{name: a, retry: {max: 2}, steps: [{get: /}]}]\n",
       {"spec.scenarios[0].retry", "needs statuses (the statuses to retry"}},
      {"a target retry without statuses or errors",
       "target: {url: http://shop.test, retry: {max: 2}}\n" + kLoad + kScenarios,
       {"spec.target.retry", "must validate at least one schema (anyOf)"}},
      {"a retry on a bad status",
       kTarget + kLoad + "scenarios: [{name: a, retry: {statuses: [42]}, steps: [{get: /}]}]\n",
       {"spec.scenarios[0].retry.statuses[0]", "greater than or equal to 100"}},
      {"a zero backoff multiplier",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{get: /, retry: {statuses: [429], backoff: {multiplier: "
           "0}}}]}]\n",
       {"spec.scenarios[0].steps[0].retry.backoff.multiplier", "greater than 0"}},
      {"a zero backoff max",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{get: /, retry: {statuses: [429], backoff: {max: "
           "0s}}}]}]\n",
       {"spec.scenarios[0].steps[0].retry.backoff.max", "should match"}},
      {"a retry on a task",
       kTarget + kLoad +
           "scenarios: [{name: a, tasks: [{retry: {statuses: [429]}, steps: [{get: /}]}]}]\n",
       {"unknown field \"spec.scenarios[0].tasks[0].retry\""}},
      // --- extract
      {"an extracted variable with a dash",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{get: /, extract: {plan-id: {json: /id}}}]}]\n",
       {"spec.scenarios[0].steps[0].extract", "variable names are letters, digits and _"}},
      {"an extraction with two sources",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{get: /, extract: {id: {json: /id, header: X-Id}}}]}]\n",
       {"spec.scenarios[0].steps[0].extract[id]", "needs exactly one of json (a JSON pointer)"}},
      {"an extraction with a JSON path that is no pointer",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{get: /, extract: {id: {json: data.id}}}]}]\n",
       {"spec.scenarios[0].steps[0].extract.id.json", "should match"}},
      // --- checks
      {"a check with an unknown key",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{get: /, checks: [{json: /id, equal: 1}]}]}]\n",
       {"unknown field \"spec.scenarios[0].steps[0].checks[0].equal\""}},
      {"a check with two subjects",
       kTarget + kLoad +
           "scenarios: [{name: a, tasks: [{steps: [{get: /, checks: [{json: /id, header: "
           "X-Id}]}]}]}]\n",
       {"spec.scenarios[0].tasks[0].steps[0].checks[0]",
        "must validate one and only one schema (oneOf)"}},
      {"a check without a subject",
       kTarget + kLoad + "scenarios: [{name: a, steps: [{get: /, checks: [{equals: ok}]}]}]\n",
       {"spec.scenarios[0].steps[0].checks[0]", "must validate one and only one schema (oneOf)"}},
      {"a check with two tests",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{get: /, checks: [{json: /s, equals: ok, contains: "
           "o}]}]}]\n",
       {"spec.scenarios[0].steps[0].checks[0]", "must not validate the schema (not)"}},
      {"a check on a status below 100",
       kTarget + kLoad + "scenarios: [{name: a, steps: [{get: /, checks: [{status: 42}]}]}]\n",
       {"spec.scenarios[0].steps[0].checks[0].status", "greater than or equal to 100"}},
      {"a check on a list with a bad status",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{get: /, checks: [{status: [200, 2xxx]}]}]}]\n",
       {"spec.scenarios[0].steps[0].checks[0].status[1]", "should match"}},
      {"a check on the duration with >",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{get: /, checks: [{duration: \"> 1s\"}]}]}]\n",
       {"spec.scenarios[0].steps[0].checks[0].duration", "should match"}},
      {"a check on body false",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{get: /, checks: [{body: false, contains: x}]}]}]\n",
       {"spec.scenarios[0].steps[0].checks[0].body", "Unsupported value"}},
      {"an empty check name",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{get: /, checks: [{name: \"\", json: /id}]}]}]\n",
       {"spec.scenarios[0].steps[0].checks[0].name", "at least 1 chars long"}},
      {"empty checks",
       kTarget + kLoad + "scenarios: [{name: a, steps: [{get: /, checks: []}]}]\n",
       {"spec.scenarios[0].steps[0].checks", "at least 1 items"}},
      // --- custom metrics
      {"a metric unit of minutes",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{get: /, metrics: [{name: t, trend: {json: /t}, unit: "
           "minutes}]}]}]\n",
       {"spec.scenarios[0].steps[0].metrics[0].unit", "Unsupported value",
        "\"ms\", \"s\", \"none\""}},
      {"a metric that is a trend and a counter",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{get: /, metrics: [{name: t, trend: {json: /t}, "
           "counter: true}]}]}]\n",
       {"spec.scenarios[0].steps[0].metrics[0]", "must validate one and only one schema (oneOf)"}},
      {"a metric without a name",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{get: /, metrics: [{trend: {json: /t}}]}]}]\n",
       {"spec.scenarios[0].steps[0].metrics[0].name", "Required value"}},
      {"a metric name with a dash",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{get: /, metrics: [{name: my-metric, counter: "
           "true}]}]}]\n",
       {"spec.scenarios[0].steps[0].metrics[0].name", "should match"}},
      {"a trend with two sources",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{get: /, metrics: [{name: t, trend: {json: /t, regex: "
           "x}}]}]}]\n",
       {"spec.scenarios[0].steps[0].metrics[0].trend", "needs exactly one of json"}},
      {"a counter with an unknown source",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{get: /, metrics: [{name: c, counter: {body: "
           "x}}]}]}]\n",
       {"spec.scenarios[0].steps[0].metrics[0].counter",
        "must validate at least one schema (anyOf)"}},
      // --- stream: steps
      {"a stream format that does not exist",
       kTarget + kLoad + "scenarios: [{name: a, steps: [{get: /, stream: xml}]}]\n",
       {"spec.scenarios[0].steps[0].stream", "should match"}},
      {"a stream map with an unknown format",
       kTarget + kLoad + "scenarios: [{name: a, steps: [{get: /, stream: {format: xml}}]}]\n",
       {"spec.scenarios[0].steps[0].stream.format", "Unsupported value"}},
      {"stream tokens with two sources",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{get: /, stream: {tokens: {count: /a, sum: /b}}}]}]\n",
       {"spec.scenarios[0].steps[0].stream.tokens", "at most 1"}},
      {"stream tokens counted at something not a JSON pointer",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{get: /, stream: {tokens: {count: content}}}]}]\n",
       {"spec.scenarios[0].steps[0].stream.tokens.count", "should match"}},
      // --- ws: steps
      {"a ws deflate that is not a boolean",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{ws: /ws, deflate: maybe, actions: [ping]}]}]\n",
       {"spec.scenarios[0].steps[0].deflate", "must be of type boolean"}},
      {"a zero maxMessageBytes",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{ws: /ws, maxMessageBytes: 0, actions: [ping]}]}]\n",
       {"spec.scenarios[0].steps[0].maxMessageBytes", "greater than or equal to 1"}},
      {"a ws step without actions",
       kTarget + kLoad + "scenarios: [{name: a, steps: [{ws: /ws}]}]\n",
       {"spec.scenarios[0].steps[0].actions", "Required value"}},
      {"actions on an HTTP step",
       kTarget + kLoad + "scenarios: [{name: a, steps: [{get: /, actions: [ping]}]}]\n",
       {"spec.scenarios[0].steps[0].ws", "Required value"}},
      {"a ws step with an HTTP request's field",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{ws: /ws, expect: {status: [101]}, actions: [ping]}]}]\n",
       {"spec.scenarios[0].steps[0]", "a ws: step is a WebSocket session"}},
      {"a ws step with a json body",
       kTarget + kLoad + "scenarios: [{name: a, steps: [{ws: /ws, json: {}, actions: [ping]}]}]\n",
       {"spec.scenarios[0].steps[0]", "must not validate the schema"}},
      {"deflate on an HTTP step",
       kTarget + kLoad + "scenarios: [{name: a, steps: [{get: /, deflate: true}]}]\n",
       {"spec.scenarios[0].steps[0]", "are for ws: steps"}},
      {"a subprotocol with a space",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{ws: /ws, subprotocols: [\"a b\"], actions: [ping]}]}]\n",
       {"spec.scenarios[0].steps[0].subprotocols[0]", "should match"}},
      {"a ws action with an unknown key and none of the actions",
       kTarget + kLoad + "scenarios: [{name: a, steps: [{ws: /ws, actions: [{sned: hi}]}]}]\n",
       {"spec.scenarios[0].steps[0].actions[0]", "Found none valid"}},
      {"a ws action with two kinds",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{ws: /ws, actions: [{send: hi, receive: 1}]}]}]\n",
       {"spec.scenarios[0].steps[0].actions[0]", "Found 2 valid alternatives"}},
      {"a word that is no action",
       kTarget + kLoad + "scenarios: [{name: a, steps: [{ws: /ws, actions: [pong]}]}]\n",
       {"spec.scenarios[0].steps[0].actions[0]", "should match '^(?:ping|close)$'"}},
      {"a name on a ping",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{ws: /ws, actions: [{ping: {}, name: p}]}]}]\n",
       {"spec.scenarios[0].steps[0].actions[0]", "must validate at least one schema (anyOf)"}},
      {"a timeout on a send",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{ws: /ws, actions: [{send: hi, timeout: 1s}]}]}]\n",
       {"spec.scenarios[0].steps[0].actions[0].receive", "Required value"}},
      {"a repeat without actions",
       kTarget + kLoad + "scenarios: [{name: a, steps: [{ws: /ws, actions: [{repeat: 3}]}]}]\n",
       {"spec.scenarios[0].steps[0].actions[0].actions", "Required value"}},
      {"a receive of no messages",
       kTarget + kLoad + "scenarios: [{name: a, steps: [{ws: /ws, actions: [{receive: 0}]}]}]\n",
       {"spec.scenarios[0].steps[0].actions[0].receive", "greater than or equal to 1"}},
      {"a receive with a status",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{ws: /ws, actions: [{receive: {status: 200}}]}]}]\n",
       {"spec.scenarios[0].steps[0].actions[0].receive",
        "must validate at least one schema (anyOf)"}},
      {"a close code a client may not send",
       kTarget + kLoad + "scenarios: [{name: a, steps: [{ws: /ws, actions: [{close: 1005}]}]}]\n",
       {"spec.scenarios[0].steps[0].actions[0].close",
        "must validate at least one schema (anyOf)"}},
      {"a close reason over 123 bytes",
       kTarget + kLoad + "scenarios: [{name: a, steps: [{ws: /ws, actions: [{close: {reason: " +
           std::string(124, 'r') + "}}]}]}]\n",
       {"spec.scenarios[0].steps[0].actions[0].close.reason", "Too long"}},
      {"a think time that is no duration",
       kTarget + kLoad +
           "scenarios: [{name: a, steps: [{ws: /ws, actions: [{think: pacing(1s)}]}]}]\n",
       {"spec.scenarios[0].steps[0].actions[0].think", "should match"}},
      {"ws steps in a task are checked too",
       kTarget + kLoad +
           "scenarios: [{name: a, tasks: [{steps: [{ws: /ws, maxMessageBytes: 0, actions: "
           "[ping]}]}]}]\n",
       {"spec.scenarios[0].tasks[0].steps[0].maxMessageBytes", "greater than or equal to 1"}},
      // --- templates in paths and stage references in thresholds
      {"a path with a space outside a template",
       kTarget + kLoad + "scenarios: [{name: a, steps: [{get: \"/plans/{{ id }} x\"}]}]\n",
       {"spec.scenarios[0].steps[0].get", "should match"}},
      {"a stage reference without an aggregation",
       kTarget + kLoad + kScenarios +
           "thresholds: {http_req_duration: [\"p(95) < 2 * stage(warmup)\"]}\n",
       {"spec.thresholds.http_req_duration[0]", "should match"}},
      // --- the operator's fields (the runner does not read them)
      {"zero runners",
       kTarget + kLoad + kScenarios + "runners: {count: 0}\n",
       {"spec.runners.count", "greater than or equal to 1"},
       Runner::kAccepts},
      {"a runner count with automatic sizing",
       kTarget + kLoad + kScenarios + "runners: {count: 2, maxUsersPerRunner: 100}\n",
       {"spec.runners.count", "not allowed with maxUsersPerRunner or maxRatePerRunner"},
       Runner::kAccepts},
      {"a zero maxRatePerRunner",
       kTarget + kLoad + kScenarios + "runners: {maxRatePerRunner: 0}\n",
       {"spec.runners.maxRatePerRunner", "greater than 0"},
       Runner::kAccepts},
      {"a bad resource quantity",
       kTarget + kLoad + kScenarios + "runners: {resources: {requests: {cpu: lots}}}\n",
       {"spec.runners.resources.requests.cpu", "should match"},
       Runner::kAccepts},
      {"an env var with value and valueFrom",
       kTarget + kLoad + kScenarios +
           "runners: {env: [{name: A, value: x, valueFrom: {fieldRef: {fieldPath: "
           "metadata.name}}}]}\n",
       {"spec.runners.env[0].valueFrom", "not allowed with value"},
       Runner::kAccepts},
      {"duplicate env names",
       kTarget + kLoad + kScenarios + "runners: {env: [{name: A, value: x}, {name: A}]}\n",
       {"spec.runners.env[1]", "Duplicate value"},
       Runner::kAccepts},
      {"an envFrom without a source",
       kTarget + kLoad + kScenarios + "runners: {envFrom: [{prefix: X_}]}\n",
       {"spec.runners.envFrom[0]", "exactly one of configMapRef or secretRef"},
       Runner::kAccepts},
      {"an unknown toleration operator",
       kTarget + kLoad + kScenarios + "runners: {tolerations: [{key: a, operator: Maybe}]}\n",
       {"spec.runners.tolerations[0].operator", "Unsupported value"},
       Runner::kAccepts},
      {"a volume that takes the plan's name",
       kTarget + kLoad + kScenarios + "runners: {volumes: [{name: plan, emptyDir: {}}]}\n",
       {"spec.runners.volumes", "the volume name \"plan\" is the operator's"},
       Runner::kAccepts},
      {"a mount over the plan's directory",
       kTarget + kLoad + kScenarios +
           "runners: {volumeMounts: [{name: data, mountPath: /etc/stampede/data}]}\n",
       {"spec.runners.volumeMounts", "/etc/stampede is where the operator mounts the plan"},
       Runner::kAccepts},
      // The core types' own schemas (scripts/gen-crd-schemas).
      {"a volume without a name",
       kTarget + kLoad + kScenarios + "runners: {volumes: [{configMap: {name: users}}]}\n",
       {"spec.runners.volumes[0].name", "Required value"},
       Runner::kAccepts},
      {"a ConfigMap volume item without its path",
       kTarget + kLoad + kScenarios +
           "runners: {volumes: [{name: data, configMap: {name: users, items: [{key: csv}]}}]}\n",
       {"spec.runners.volumes[0].configMap.items[0].path", "Required value"},
       Runner::kAccepts},
      {"a secret volume whose mode is text",
       kTarget + kLoad + kScenarios +
           "runners: {volumes: [{name: jwt, secret: {secretName: jwt, defaultMode: rw}}]}\n",
       {"spec.runners.volumes[0].secret.defaultMode", "must be of type integer"},
       Runner::kAccepts},
      {"a mount without a path",
       kTarget + kLoad + kScenarios + "runners: {volumeMounts: [{name: data}]}\n",
       {"spec.runners.volumeMounts[0].mountPath", "Required value"},
       Runner::kAccepts},
      {"a spread constraint without a topology key",
       kTarget + kLoad + kScenarios +
           "runners: {topologySpreadConstraints: [{maxSkew: 1, whenUnsatisfiable: "
           "DoNotSchedule}]}\n",
       {"spec.runners.topologySpreadConstraints[0].topologyKey", "Required value"},
       Runner::kAccepts},
      {"a bad service account name",
       kTarget + kLoad + kScenarios + "runners: {serviceAccountName: Bad_Name}\n",
       {"spec.runners.serviceAccountName", "should match"},
       Runner::kAccepts},
      {"a zero startTimeoutSeconds",
       kTarget + kLoad + kScenarios + "startTimeoutSeconds: 0\n",
       {"spec.startTimeoutSeconds", "greater than or equal to 1"},
       Runner::kAccepts},
      {"an unknown cleanup value",
       kTarget + kLoad + kScenarios + "cleanup: sometimes\n",
       {"spec.cleanup", "Unsupported value", "\"keep\", \"onSuccess\", \"always\""},
       Runner::kAccepts},
      {"a negative ttlSecondsAfterFinished",
       kTarget + kLoad + kScenarios + "ttlSecondsAfterFinished: -1\n",
       {"spec.ttlSecondsAfterFinished", "greater than or equal to 0"},
       Runner::kAccepts},
      {"a testid that is no label value",
       kTarget + kLoad + kScenarios + "testid: \"bad id!\"\n",
       {"spec.testid", "should match"},
       Runner::kAccepts},
      // Runs (docs/runs.md).
      {"an empty schedule",
       kTarget + kLoad + kScenarios + "schedule: \"\"\n",
       {"spec.schedule", "at least 1 chars long"},
       Runner::kAccepts},
      {"an unknown concurrencyPolicy",
       kTarget + kLoad + kScenarios + "schedule: \"@hourly\"\nconcurrencyPolicy: Allow\n",
       {"spec.concurrencyPolicy", "Unsupported value", "\"Forbid\", \"Replace\""},
       Runner::kAccepts},
      {"an unknown runners.failurePolicy",
       kTarget + kLoad + kScenarios + "runners:\n  failurePolicy: Retry\n",
       {"spec.runners.failurePolicy", "Unsupported value", "\"Fail\", \"Replace\""},
       Runner::kAccepts},
      {"a runners.maxReplacements above 100",
       kTarget + kLoad + kScenarios +
           "runners:\n  failurePolicy: Replace\n  maxReplacements: 101\n",
       {"spec.runners.maxReplacements", "less than or equal to 100"},
       Runner::kAccepts},
      {"a historyLimit above 100",
       kTarget + kLoad + kScenarios + "historyLimit: 101\n",
       {"spec.historyLimit", "less than or equal to 100"},
       Runner::kAccepts},
      {"a negative historyLimit",
       kTarget + kLoad + kScenarios + "historyLimit: -1\n",
       {"spec.historyLimit", "greater than or equal to 0"},
       Runner::kAccepts},
      {"an unknown onSpecChange",
       kTarget + kLoad + kScenarios + "onSpecChange: Later\n",
       {"spec.onSpecChange", "Unsupported value", "\"Wait\", \"Replace\""},
       Runner::kAccepts},
      {"a zero startingDeadlineSeconds",
       kTarget + kLoad + kScenarios + "schedule: \"@hourly\"\nstartingDeadlineSeconds: 0\n",
       {"spec.startingDeadlineSeconds", "greater than or equal to 1"},
       Runner::kAccepts},
      {"a timeZone without a schedule",
       kTarget + kLoad + kScenarios + "timeZone: Europe/Berlin\n",
       {"spec.timeZone", "timeZone applies to schedule: set schedule or remove timeZone"},
       Runner::kAccepts},
      {"a schedule with ttlSecondsAfterFinished",
       kTarget + kLoad + kScenarios + "schedule: \"@hourly\"\nttlSecondsAfterFinished: 60\n",
       {"spec.ttlSecondsAfterFinished", "not allowed with schedule"},
       Runner::kAccepts},
  };
}

// ---------------------------------------------------------------------------------------------
// The fixture: one control plane and the CRD per test process.

// What the tests of one process share: a control plane with the CRD established.
SharedControlPlane* suite = nullptr;

class Crd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    suite = start_shared_control_plane({kCrdFile}, {kCrdName}).release();
    if (!suite->error.empty() || !suite->unavailable.empty()) return;
    // The data file of the plan-language cases, next to the plans `stampede validate` reads.
    std::ofstream(suite->plane->directory() + "/users.csv")
        << "email,role\na@shop.test,admin\nb@shop.test,user\nc@shop.test,user\n";
  }

  static void TearDownTestSuite() {
    delete suite;
    suite = nullptr;
  }

  void SetUp() override {
    if (!suite->unavailable.empty()) GTEST_SKIP() << suite->unavailable;
    ASSERT_TRUE(suite->error.empty()) << suite->error;
  }

  static KubeControlPlane& plane() { return *suite->plane; }

  static KubectlResult dry_run(const std::string& manifest) {
    return plane().apply(manifest, {"--dry-run=server"});
  }

  // Writes the manifest to a file and runs `stampede validate` on it, with the files and the
  // environment the plan-language cases read.
  static RunResult validate_with_runner(const std::string& manifest) {
    return run_process({STAMPEDE_BIN, "validate", plane().write_file("plan.yaml", manifest)}, 30s,
                       {{"LOADTEST_JWT_SECRET", "not-a-real-secret"},
                        {"LOADTEST_API_KEY", "key-1"},
                        {"LOADTEST_PASSWORD", "password-1"}});
  }
};

// ---------------------------------------------------------------------------------------------

TEST_F(Crd, IsEstablishedStructuralWithItsNamesAndStatusSubresource) {
  const KubectlResult got = plane().kubectl({"get", "crd", kCrdName, "-o", "json"});
  ASSERT_TRUE(got.ok()) << got.describe();
  const nlohmann::json crd = nlohmann::json::parse(got.out);
  const auto& names = crd["spec"]["names"];
  EXPECT_EQ(names["kind"], "LoadTest");
  EXPECT_EQ(names["plural"], "loadtests");
  EXPECT_EQ(names["shortNames"], nlohmann::json::array({"slt"}));
  EXPECT_EQ(crd["spec"]["scope"], "Namespaced");
  const auto& version = crd["spec"]["versions"][0];
  EXPECT_EQ(version["name"], "v1alpha1");
  EXPECT_TRUE(version["subresources"].contains("status"));
  std::map<std::string, std::string> conditions;
  for (const auto& c : crd["status"]["conditions"]) {
    conditions[c["type"].get<std::string>()] = c["status"].get<std::string>();
  }
  EXPECT_EQ(conditions["Established"], "True");
  EXPECT_EQ(conditions["NamesAccepted"], "True");
  EXPECT_FALSE(conditions.contains("NonStructuralSchema")) << crd["status"].dump(2);
}

// The Argo CD post-deploy example applies as it is; read back before any operator has written
// it, its status is the CRD's default, which says the generation is not observed yet (what
// kstatus and the Argo CD health check read as in progress).
TEST_F(Crd, TheGitOpsExampleAppliesAndReadsAsNotObservedYet) {
  const std::string example = kSourceDir + "/examples/gitops/argocd/post-deploy-check.yaml";
  const KubectlResult applied = plane().kubectl({"apply", "-f", example});
  ASSERT_TRUE(applied.ok()) << applied.describe();
  const KubectlResult got =
      plane().kubectl({"get", "loadtest", "checkout-post-deploy", "-o", "json"});
  ASSERT_TRUE(got.ok()) << got.describe();
  const nlohmann::json object = nlohmann::json::parse(got.out);
  EXPECT_EQ(object["metadata"]["generation"], 1);
  EXPECT_EQ(object["status"], nlohmann::json({{"observedGeneration", 0}}));
  EXPECT_TRUE(plane().kubectl({"delete", "loadtest", "checkout-post-deploy"}).ok());
}

// The Argo CD health check ships as a Lua file and in two snippets that install it: the
// snippets hold exactly the file's text (the operator's tests run the file).
TEST(GitOpsExamples, TheArgoCdSnippetsHoldTheHealthCheck) {
  const std::string dir = kSourceDir + "/examples/gitops/argocd/";
  std::ifstream in(dir + "health.lua");
  const std::string lua((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(lua.empty());
  const std::string key = "resource.customizations.health.stampede.dev_LoadTest";
  const YAML::Node values = YAML::LoadFile(dir + "values-health.yaml");
  EXPECT_EQ(values["configs"]["cm"][key].as<std::string>(), lua);
  const YAML::Node patch = YAML::LoadFile(dir + "argocd-cm-patch.yaml");
  EXPECT_EQ(patch["data"][key].as<std::string>(), lua);
}

TEST_F(Crd, ExampleLoadTestAppliesWithServerDryRunAndForReal) {
  const std::string example = kSourceDir + "/examples/loadtest.yaml";
  const KubectlResult dry = plane().kubectl({"apply", "--dry-run=server", "-f", example});
  ASSERT_TRUE(dry.ok()) << dry.describe();
  EXPECT_NE(dry.out.find("loadtest.stampede.dev/checkout-smoke created (server dry run)"),
            std::string::npos)
      << dry.out;
  EXPECT_FALSE(plane().kubectl({"get", "loadtest", "checkout-smoke"}).ok())
      << "a dry run must not create the object";

  const KubectlResult applied = plane().kubectl({"apply", "-f", example});
  ASSERT_TRUE(applied.ok()) << applied.describe();
  const KubectlResult got = plane().kubectl({"get", "loadtest", "checkout-smoke", "-o", "json"});
  ASSERT_TRUE(got.ok()) << got.describe();
  const nlohmann::json object = nlohmann::json::parse(got.out);
  EXPECT_EQ(object["spec"]["load"]["stages"].size(), 2u);
  EXPECT_EQ(object["spec"]["load"]["maxInFlight"], 100);
  // The open-ended json body is kept as written.
  EXPECT_EQ(object["spec"]["scenarios"][0]["tasks"][1]["steps"][0]["json"],
            nlohmann::json::parse(R"({"sku": "A-1", "quantity": 2})"));

  // Server-side apply works too (scenarios are a list keyed by name).
  const KubectlResult server_side = plane().kubectl(
      {"apply", "--server-side", "--field-manager=crd-test", "--force-conflicts", "-f", example});
  EXPECT_TRUE(server_side.ok()) << server_side.describe();
  EXPECT_TRUE(plane().kubectl({"delete", "loadtest", "checkout-smoke"}).ok());
}

TEST_F(Crd, EveryExamplePlanIsAcceptedAsALoadTest) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(kSourceDir + "/examples")) {
    const auto ext = entry.path().extension();
    if (ext == ".yaml" || ext == ".yml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 2u);
  for (const auto& file : files) {
    SCOPED_TRACE(file.string());
    std::ifstream in(file);
    std::ostringstream text;
    text << in.rdbuf();
    const std::string manifest =
        example_manifest(text.str(), object_name("example-" + file.stem().string(), 0));
    const KubectlResult applied = dry_run(manifest);
    EXPECT_TRUE(applied.ok()) << manifest << "\n" << applied.describe();
  }
}

TEST_F(Crd, AcceptsEveryFormOfThePlanAndTheOperatorFields) {
  const std::vector<Case> cases = valid_cases();
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].label);
    const std::string manifest = load_test(object_name(cases[i].label, i), cases[i].spec);
    const KubectlResult applied = dry_run(manifest);
    EXPECT_TRUE(applied.ok()) << manifest << "\n" << applied.describe();
  }
}

TEST_F(Crd, RefusesInvalidManifestsNamingTheField) {
  const std::vector<Case> cases = invalid_cases();
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].label);
    const std::string manifest = load_test(object_name(cases[i].label, i), cases[i].spec);
    const KubectlResult applied = dry_run(manifest);
    EXPECT_FALSE(applied.ok()) << "accepted:\n" << manifest;
    for (const std::string& expected : cases[i].expected) {
      EXPECT_NE(applied.err.find(expected), std::string::npos)
          << "missing '" << expected << "' in:\n"
          << applied.err << "\nfor:\n"
          << manifest;
    }
  }
}

TEST_F(Crd, RefusesANameTooLongForTheRunnerObjects) {
  const std::string name(53, 'a');
  const KubectlResult applied = dry_run(load_test(name, kTarget + kLoad + kScenarios));
  EXPECT_FALSE(applied.ok());
  EXPECT_NE(applied.err.find("metadata.name must be at most 52 characters"), std::string::npos)
      << applied.err;
  EXPECT_TRUE(dry_run(load_test(std::string(52, 'a'), kTarget + kLoad + kScenarios)).ok());
}

// The CRD and the runner's parser agree on every case (where they deliberately differ, the case
// says so): a plan the API server admits is one the runner will run.
TEST_F(Crd, AgreesWithTheRunnersParser) {
  auto check = [](const std::vector<Case>& cases) {
    for (std::size_t i = 0; i < cases.size(); ++i) {
      SCOPED_TRACE(cases[i].label);
      const std::string manifest = load_test(object_name(cases[i].label, i), cases[i].spec);
      const RunResult r = validate_with_runner(manifest);
      const int expected = cases[i].runner == Runner::kAccepts ? 0 : 2;
      EXPECT_EQ(r.status.code, expected) << manifest << "\n" << r.stdout_text << r.stderr_text;
    }
  };
  check(valid_cases());
  check(invalid_cases());
}

// The fields of runs are stored as written; when absent, the API server writes the defaults the
// operator reads (docs/runs.md), and none for schedule, timeZone and startingDeadlineSeconds.
TEST_F(Crd, StoresTheFieldsOfRunsAndTheirDefaults) {
  ASSERT_TRUE(plane()
                  .apply(load_test("runs-every-field", kTarget + kLoad + kScenarios + kRunsFields))
                  .ok());
  const KubectlResult every = plane().kubectl({"get", "slt", "runs-every-field", "-o", "json"});
  ASSERT_TRUE(every.ok()) << every.describe();
  const nlohmann::json written = nlohmann::json::parse(every.out)["spec"];
  const nlohmann::json as_written = {
      {"schedule", "30 2 * * 1-5"},     {"timeZone", "Europe/Berlin"},
      {"concurrencyPolicy", "Replace"}, {"suspend", true},
      {"startingDeadlineSeconds", 600}, {"historyLimit", 20},
      {"onSpecChange", "Replace"}};
  for (const auto& [key, value] : as_written.items()) EXPECT_EQ(written[key], value) << key;

  ASSERT_TRUE(plane().apply(load_test("runs-defaults", kTarget + kLoad + kScenarios)).ok());
  const KubectlResult got = plane().kubectl({"get", "slt", "runs-defaults", "-o", "json"});
  ASSERT_TRUE(got.ok()) << got.describe();
  const nlohmann::json spec = nlohmann::json::parse(got.out)["spec"];
  EXPECT_EQ(spec["concurrencyPolicy"], "Forbid");
  EXPECT_EQ(spec["suspend"], false);
  EXPECT_EQ(spec["historyLimit"], 10);
  EXPECT_EQ(spec["onSpecChange"], "Wait");
  // In spec.runners, when it is given: a lost runner fails the test unless asked otherwise.
  ASSERT_TRUE(plane()
                  .apply(load_test("runs-runner-defaults",
                                   kTarget + kLoad + kScenarios + "runners:\n  count: 2\n"))
                  .ok());
  const nlohmann::json runners = nlohmann::json::parse(
      plane().kubectl({"get", "slt", "runs-runner-defaults", "-o", "json"}).out)["spec"]["runners"];
  EXPECT_EQ(runners["failurePolicy"], "Fail");
  EXPECT_EQ(runners["maxReplacements"], 3);
  EXPECT_TRUE(plane().kubectl({"delete", "slt", "runs-runner-defaults"}).ok());
  for (const char* absent : {"schedule", "timeZone", "startingDeadlineSeconds"}) {
    EXPECT_FALSE(spec.contains(absent)) << absent << " in " << spec.dump(2);
  }
  // The runner takes the stored spec, defaults and all (the operator hands it the whole spec).
  const RunResult validated =
      validate_with_runner(nlohmann::json({{"apiVersion", "stampede.dev/v1alpha1"},
                                           {"kind", "LoadTest"},
                                           {"metadata", {{"name", "runs-defaults"}}},
                                           {"spec", spec}})
                               .dump());
  EXPECT_EQ(validated.status.code, 0) << validated.stdout_text << validated.stderr_text;
  EXPECT_TRUE(plane().kubectl({"delete", "slt", "runs-every-field", "runs-defaults"}).ok());
}

TEST_F(Crd, GetShowsThePrinterColumnsFromTheStatus) {
  ASSERT_TRUE(plane().apply(load_test("columns", kTarget + kLoad + kScenarios)).ok());
  const KubectlResult before = plane().kubectl({"get", "slt"});
  ASSERT_TRUE(before.ok()) << before.describe();
  EXPECT_NE(before.out.find("NAME"), std::string::npos);
  for (const char* column :
       {"RUN", "PHASE", "RUNNERS", "RPS", "P95", "ERRORS", "RESULT", "LAST", "AGE"}) {
    EXPECT_NE(before.out.find(column), std::string::npos) << column << " in\n" << before.out;
  }

  const std::string status = R"({"status": {
      "phase": "Running", "testid": "columns-x1b2c", "observedGeneration": 1,
      "runners": {"desired": 3, "ready": 2, "summary": "2/3"},
      "progress": {"elapsed": "1m30s", "elapsedSeconds": 90, "users": 40, "rps": 123.5,
                   "requests": 11115, "failures": 7, "p95": "23.4ms", "p95Seconds": 0.0234},
      "result": "Passed", "reason": "Running", "message": "3 runners started",
      "startingSince": "2026-01-01T09:59:50Z", "startTime": "2026-01-01T10:00:00Z",
      "resultConfigMap": "columns-result", "run": 2, "runGeneration": 1, "trigger": "Schedule",
      "lastResult": "Failed", "nextScheduleTime": "2026-01-02T10:00:00Z"}})";
  const KubectlResult patched = plane().kubectl(
      {"patch", "slt", "columns", "--subresource=status", "--type=merge", "-p", status});
  ASSERT_TRUE(patched.ok()) << patched.describe();

  // Every field the operator writes is in the schema: nothing was pruned.
  const KubectlResult stored = plane().kubectl({"get", "slt", "columns", "-o", "json"});
  ASSERT_TRUE(stored.ok()) << stored.describe();
  EXPECT_EQ(nlohmann::json::parse(stored.out)["status"], nlohmann::json::parse(status)["status"]);

  const KubectlResult row = plane().kubectl({"get", "loadtests", "columns", "--no-headers"});
  ASSERT_TRUE(row.ok()) << row.describe();
  std::istringstream fields(row.out);
  std::vector<std::string> cells;
  for (std::string cell; fields >> cell;) cells.push_back(cell);
  ASSERT_GE(cells.size(), 10u) << row.out;
  EXPECT_EQ(std::vector<std::string>(cells.begin(), cells.begin() + 9),
            (std::vector<std::string>{"columns", "2", "Running", "2/3", "123.5", "23.4ms", "7",
                                      "Passed", "Failed"}))
      << row.out;

  const KubectlResult wide = plane().kubectl({"get", "loadtest", "columns", "-o", "wide"});
  ASSERT_TRUE(wide.ok()) << wide.describe();
  for (const char* text : {"USERS", "ELAPSED", "TESTID", "NEXT", "40", "1m30s", "columns-x1b2c",
                           "2026-01-02T10:00:00Z"}) {
    EXPECT_NE(wide.out.find(text), std::string::npos) << text << " in\n" << wide.out;
  }
  // The category lists it too.
  const KubectlResult category = plane().kubectl({"get", "stampede"});
  EXPECT_NE(category.out.find("columns"), std::string::npos) << category.describe();
}

TEST_F(Crd, StatusIsValidatedAndConditionsWorkWithKubectlWait) {
  ASSERT_TRUE(plane().apply(load_test("waiting", kTarget + kLoad + kScenarios)).ok());
  const KubectlResult bad_phase =
      plane().kubectl({"patch", "slt", "waiting", "--subresource=status", "--type=merge", "-p",
                       R"({"status": {"phase": "Exploded"}})"});
  EXPECT_FALSE(bad_phase.ok());
  EXPECT_NE(bad_phase.err.find("status.phase"), std::string::npos) << bad_phase.err;

  const std::string completed = R"({"status": {"phase": "Succeeded", "result": "Passed",
      "reason": "ThresholdsPassed", "message": "1000 requests, every threshold passed",
      "completionTime": "2026-01-01T10:05:00Z",
      "conditions": [
        {"type": "Completed", "status": "True", "reason": "Finished", "message": "3 runners",
         "lastTransitionTime": "2026-01-01T10:05:00Z", "observedGeneration": 1},
        {"type": "ThresholdsPassed", "status": "True", "reason": "AllPassed", "message": "",
         "lastTransitionTime": "2026-01-01T10:05:00Z", "observedGeneration": 1}],
      "results": {"requests": 1000, "failures": 2, "rps": 100.5, "errorRate": 0.002,
                  "dropped": 0, "iterations": 500, "durationSeconds": 9.95,
                  "errors": {"unexpected_status": 2},
                  "latencySeconds": {"min": 0.001, "mean": 0.012, "p50": 0.01, "p90": 0.02,
                                     "p95": 0.03, "p99": 0.05, "p99_9": 0.09, "max": 0.2},
                  "statusCodes": {"200": 998, "503": 2},
                  "topRequests": [{"scenario": "browse", "name": "/", "method": "GET",
                                   "requests": 1000, "failures": 2, "rps": 100.5,
                                   "latencySeconds": {"p50": 0.01, "p95": 0.03, "p99": 0.05,
                                                      "max": 0.2}}],
                  "thresholds": [{"metric": "http_req_duration",
                                  "expression": "p(95) < 500ms", "actual": 0.03, "ok": true},
                                 {"metric": "iterations", "expression": "count > 0",
                                  "ok": true}],
                  "thresholdsPassed": true},
      "run": 3, "runGeneration": 2, "trigger": "Rerun", "rerun": "2026-01-01-b",
      "lastResult": "Passed",
      "history": [
        {"run": 2, "generation": 2, "trigger": "SpecChanged",
         "startTime": "2026-01-01T09:00:00Z", "completionTime": "2026-01-01T09:05:00Z",
         "phase": "Failed", "result": "Error", "reason": "Superseded", "requests": 400,
         "rps": 80.25, "errorRate": 0.0, "p95Seconds": 0.031, "p99Seconds": 0.052,
         "resultConfigMap": "waiting-2-result"},
        {"run": 1, "generation": 1, "trigger": "Created",
         "startTime": "2026-01-01T08:00:00Z", "completionTime": "2026-01-01T08:05:00Z",
         "phase": "Succeeded", "result": "Passed", "reason": "ThresholdsPassed",
         "requests": 1000, "rps": 100.5, "errorRate": 0.002, "p95Seconds": 0.03,
         "p99Seconds": 0.05, "resultConfigMap": "waiting-1-result"}],
      "lastScheduleTime": "2026-01-01T08:00:00Z", "nextScheduleTime": "2026-01-02T08:00:00Z",
      "skippedScheduleTimes": 4,
      "pendingRun": {"trigger": "Schedule", "scheduledTime": "2026-01-01T10:00:00Z"}}})";
  const KubectlResult patched = plane().kubectl(
      {"patch", "slt", "waiting", "--subresource=status", "--type=merge", "-p", completed});
  ASSERT_TRUE(patched.ok()) << patched.describe();
  const KubectlResult stored = plane().kubectl({"get", "slt", "waiting", "-o", "json"});
  ASSERT_TRUE(stored.ok()) << stored.describe();
  // As written, merged into the status the CRD defaults before the first write.
  nlohmann::json expected = nlohmann::json::parse(completed)["status"];
  expected["observedGeneration"] = 0;
  EXPECT_EQ(nlohmann::json::parse(stored.out)["status"], expected);
  const KubectlResult waited =
      plane().kubectl({"wait", "--for=condition=Completed", "loadtest/waiting", "--timeout=10s"});
  EXPECT_TRUE(waited.ok()) << waited.describe();

  // A condition without its required fields is refused.
  const KubectlResult bad_condition =
      plane().kubectl({"patch", "slt", "waiting", "--subresource=status", "--type=merge", "-p",
                       R"({"status": {"conditions": [{"type": "Running", "status": "Maybe"}]}})"});
  EXPECT_FALSE(bad_condition.ok());
  EXPECT_NE(bad_condition.err.find("status.conditions[0]"), std::string::npos) << bad_condition.err;

  // At most 100 past runs (spec.historyLimit's maximum).
  nlohmann::json history = nlohmann::json::array();
  for (int run = 101; run >= 1; --run) history.push_back({{"run", run}, {"generation", 1}});
  const KubectlResult too_long =
      plane().kubectl({"patch", "slt", "waiting", "--subresource=status", "--type=merge", "-p",
                       nlohmann::json({{"status", {{"history", history}}}}).dump()});
  EXPECT_FALSE(too_long.ok());
  EXPECT_NE(too_long.err.find("status.history"), std::string::npos) << too_long.err;
  EXPECT_NE(too_long.err.find("must have at most 100 items"), std::string::npos) << too_long.err;
}

TEST_F(Crd, TestidCannotChange) {
  ASSERT_TRUE(
      plane().apply(load_test("fixed-id", kTarget + kLoad + kScenarios + "testid: first\n")).ok());
  const KubectlResult changed =
      plane().apply(load_test("fixed-id", kTarget + kLoad + kScenarios + "testid: second\n"));
  EXPECT_FALSE(changed.ok());
  EXPECT_NE(changed.err.find("spec.testid"), std::string::npos) << changed.err;
  EXPECT_NE(changed.err.find("testid is immutable"), std::string::npos) << changed.err;
  // Any other change is fine.
  const KubectlResult other = plane().apply(load_test(
      "fixed-id", kTarget + "load: {users: 20, duration: 1m}\n" + kScenarios + "testid: first\n"));
  EXPECT_TRUE(other.ok()) << other.describe();
}

TEST_F(Crd, ExplainDescribesTheSchema) {
  // The API server publishes a new CRD's OpenAPI document a moment after it is established.
  KubectlResult runners = plane().kubectl({"explain", "loadtest.spec.runners"});
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (!runners.ok() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(500ms);
    runners = plane().kubectl({"explain", "loadtest.spec.runners"});
  }
  ASSERT_TRUE(runners.ok()) << runners.describe();
  for (const char* field :
       {"count", "maxUsersPerRunner", "maxRatePerRunner", "image", "resources", "env", "envFrom",
        "nodeSelector", "tolerations", "affinity", "securityContext", "serviceAccountName",
        "priorityClassName", "labels", "annotations", "volumes", "volumeMounts",
        "topologySpreadConstraints", "imagePullSecrets"}) {
    EXPECT_NE(runners.out.find(std::string(field) + "\t"), std::string::npos) << field << " in\n"
                                                                              << runners.out;
  }
  const KubectlResult load = plane().kubectl({"explain", "slt.spec.load.stages"});
  ASSERT_TRUE(load.ok()) << load.describe();
  EXPECT_NE(load.out.find("duration"), std::string::npos) << load.out;
  // The plan language, including the fields described without a type (auth).
  const KubectlResult steps = plane().kubectl({"explain", "slt.spec.scenarios.tasks.steps"});
  ASSERT_TRUE(steps.ok()) << steps.describe();
  for (const char* field :
       {"auth", "retry", "extract", "checks", "metrics", "ws", "subprotocols", "actions"}) {
    EXPECT_NE(steps.out.find(std::string(field) + "\t"), std::string::npos) << field << " in\n"
                                                                            << steps.out;
  }
  const KubectlResult jwt = plane().kubectl({"explain", "slt.spec.target.auth.jwt.secret"});
  ASSERT_TRUE(jwt.ok()) << jwt.describe();
  EXPECT_NE(jwt.out.find("env\t"), std::string::npos) << jwt.out;
  const KubectlResult spec = plane().kubectl({"explain", "slt.spec"});
  ASSERT_TRUE(spec.ok()) << spec.describe();
  for (const char* field : {"vars", "data", "profile", "schedule", "timeZone", "concurrencyPolicy",
                            "suspend", "startingDeadlineSeconds", "historyLimit", "onSpecChange"}) {
    EXPECT_NE(spec.out.find(std::string(field) + "\t"), std::string::npos) << field << " in\n"
                                                                           << spec.out;
  }
  const KubectlResult status = plane().kubectl({"explain", "loadtest.status.results"});
  ASSERT_TRUE(status.ok()) << status.describe();
  EXPECT_NE(status.out.find("thresholds"), std::string::npos) << status.out;
  const KubectlResult history = plane().kubectl({"explain", "loadtest.status.history"});
  ASSERT_TRUE(history.ok()) << history.describe();
  for (const char* field : {"run", "generation", "trigger", "p99Seconds", "resultConfigMap"}) {
    EXPECT_NE(history.out.find(std::string(field) + "\t"), std::string::npos) << field << " in\n"
                                                                              << history.out;
  }
}

// The fixture itself with the controller manager: the Job controller creates an indexed Job's
// pods (they stay Pending: there is no scheduler or kubelet) and the garbage collector removes
// them with the Job. The operator's tests rely on both.
TEST(CrdControlPlane, RunsTheJobControllerAndTheGarbageCollector) {
  if (const std::string why = kube_control_plane_unavailable(); !why.empty()) GTEST_SKIP() << why;
  KubeControlPlane plane({.controller_manager = true});
  const std::string job = R"(apiVersion: batch/v1
kind: Job
metadata:
  name: runners
spec:
  completionMode: Indexed
  completions: 2
  parallelism: 2
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: runner
          image: registry.example.test/stampede/runner:test
)";
  const KubectlResult created = plane.apply(job);
  ASSERT_TRUE(created.ok()) << created.describe();

  auto pods = [&plane] {
    const KubectlResult listed =
        plane.kubectl({"get", "pods", "-l", "job-name=runners", "-o", "name"});
    std::istringstream lines(listed.out);
    std::vector<std::string> names;
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty()) names.push_back(line);
    }
    return names;
  };
  auto wait_for = [](auto condition) {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (!condition() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(250ms);
    }
    return condition();
  };
  EXPECT_TRUE(wait_for([&] { return pods().size() == 2; }))
      << "the Job controller created no pods\n"
      << plane.controller_manager_log();

  const KubectlResult deleted =
      plane.kubectl({"delete", "job", "runners", "--cascade=background", "--wait=false"});
  ASSERT_TRUE(deleted.ok()) << deleted.describe();
  EXPECT_TRUE(wait_for([&] { return pods().empty(); })) << "the garbage collector left the pods\n"
                                                        << plane.controller_manager_log();
}

}  // namespace
}  // namespace stampede::testing
