// The GitOps examples (examples/gitops: the nightly soak, the Argo CD post-deploy check, the Flux
// Kustomizations) on a real API server with the real CRDs: ours and Flux's GitRepository and
// Kustomization (scripts/fetch-flux-crds). Each example is applied as its tool would apply it:
// the soak with `kubectl apply -k`, the Flux objects as written, and what kustomize-controller
// would build from each Kustomization (its path, targetNamespace, patches and postBuild
// substitutions). No operator and no Flux controllers run here: the objects are stored and
// validated by the schemas (CEL rules included), and what the GitOps tools conclude from them is
// computed by the tools' own code: kstatus and Argo CD's Lua engine (scripts/build-health), and
// Flux's evaluator of a Kustomization's CEL health checks (scripts/build-flux-health).
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "support/kube_control_plane.h"
#include "support/project_tool.h"
#include "support/subprocess.h"

namespace stampede::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const std::string kSourceDir = STAMPEDE_SOURCE_DIR;
const std::string kGitOps = kSourceDir + "/examples/gitops";
const std::string kSoakName = "plant-backend-soak";
const std::string kSoakNamespace = "plant";
const std::string kPostDeployName = "checkout-post-deploy";

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Seconds in a plan duration such as 10s, 21h or 1h30m (the units the examples use).
double duration_seconds(const std::string& text) {
  static const std::regex kPart(R"((\d+(?:\.\d+)?)(ms|s|m|h|d))");
  double total = 0;
  std::string rest = text;
  for (std::smatch m; std::regex_search(rest, m, kPart); rest = m.suffix()) {
    const double n = std::stod(m[1].str());
    const std::string unit = m[2].str();
    total += unit == "ms"  ? n / 1000
             : unit == "s" ? n
             : unit == "m" ? n * 60
             : unit == "h" ? n * 3600
                           : n * 86400;
  }
  return total;
}

// The Kubernetes objects of the YAML files in examples/gitops/flux, in file order.
std::vector<YAML::Node> flux_objects() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kGitOps + "/flux")) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<YAML::Node> objects;
  for (const auto& file : files) {
    for (const YAML::Node& doc : YAML::LoadAllFromFile(file.string())) {
      if (doc.IsMap()) objects.push_back(doc);
    }
  }
  return objects;
}

std::vector<YAML::Node> of_kind(const std::vector<YAML::Node>& objects, const std::string& kind) {
  std::vector<YAML::Node> out;
  for (const auto& o : objects) {
    if (o["kind"].as<std::string>("") == kind) out.push_back(o);
  }
  return out;
}

// A Kustomization's spec.path as a directory of the repository ("./examples/x" -> "examples/x").
std::string repo_path(const std::string& path) {
  std::string p = path;
  while (p.rfind("./", 0) == 0) p = p.substr(2);
  while (!p.empty() && p.back() == '/') p.pop_back();
  return p;
}

// ---------------------------------------------------------------------------------------------
// Without a control plane: what the Flux examples refer to exists.

// Every Kustomization's path is a directory of this repository that kustomize can build (a
// kustomization.yaml), inside what its GitRepository checks out, and every sourceRef names a
// GitRepository of the examples: a path renamed or mistyped fails here, not in a cluster.
TEST(FluxExamples, ReferToPathsThatExistInTheRepository) {
  const std::vector<YAML::Node> objects = flux_objects();
  const auto repositories = of_kind(objects, "GitRepository");
  const auto kustomizations = of_kind(objects, "Kustomization");
  ASSERT_EQ(repositories.size(), 1u);
  ASSERT_EQ(kustomizations.size(), 2u);
  for (const auto& k : kustomizations) {
    const std::string name = k["metadata"]["name"].as<std::string>();
    SCOPED_TRACE(name);
    EXPECT_EQ(k["apiVersion"].as<std::string>(), "kustomize.toolkit.fluxcd.io/v1");
    const std::string path = repo_path(k["spec"]["path"].as<std::string>(""));
    ASSERT_FALSE(path.empty())
        << "spec.path is required here: the repository root is not an example";
    EXPECT_TRUE(fs::is_directory(fs::path(kSourceDir) / path)) << path << " is not a directory";
    EXPECT_TRUE(fs::is_regular_file(fs::path(kSourceDir) / path / "kustomization.yaml"))
        << path << " has no kustomization.yaml";
    const YAML::Node source = k["spec"]["sourceRef"];
    EXPECT_EQ(source["kind"].as<std::string>(""), "GitRepository");
    const YAML::Node* repository = nullptr;
    for (const auto& r : repositories) {
      if (r["metadata"]["name"].as<std::string>() == source["name"].as<std::string>("")) {
        repository = &r;
      }
    }
    ASSERT_NE(repository, nullptr) << "no GitRepository " << source["name"];
    // A sparse checkout holds only its directories: the path must be in one of them.
    if (const YAML::Node sparse = (*repository)["spec"]["sparseCheckout"]) {
      bool inside = false;
      for (const auto& dir : sparse) {
        const std::string d = repo_path(dir.as<std::string>());
        EXPECT_TRUE(fs::is_directory(fs::path(kSourceDir) / d)) << d;
        inside = inside || path == d || path.rfind(d + "/", 0) == 0;
      }
      EXPECT_TRUE(inside) << path << " is outside the GitRepository's sparseCheckout";
    }
  }
}

// The soak's LoadTest reads its data file where its ConfigMap is mounted, under the key the
// kustomization generates it with; and one run fits between two nightly starts (see the
// header of loadtest.yaml).
TEST(SoakExample, MountsItsDataFileAndFitsInANight) {
  const YAML::Node kustomization = YAML::LoadFile(kGitOps + "/soak/kustomization.yaml");
  const YAML::Node loadtest = YAML::LoadFile(kGitOps + "/soak/loadtest.yaml");
  const YAML::Node generator = kustomization["configMapGenerator"][0];
  const std::string configmap = generator["name"].as<std::string>();
  const std::string key = generator["files"][0].as<std::string>();
  EXPECT_TRUE(fs::is_regular_file(kGitOps + "/soak/" + key));
  EXPECT_TRUE(kustomization["generatorOptions"]["disableNameSuffixHash"].as<bool>(false))
      << "the LoadTest names the ConfigMap as written";
  const YAML::Node runners = loadtest["spec"]["runners"];
  ASSERT_EQ(runners["volumes"].size(), 1u);
  EXPECT_EQ(runners["volumes"][0]["configMap"]["name"].as<std::string>(), configmap);
  const std::string mount = runners["volumeMounts"][0]["mountPath"].as<std::string>();
  EXPECT_EQ(runners["volumeMounts"][0]["name"].as<std::string>(),
            runners["volumes"][0]["name"].as<std::string>());
  EXPECT_EQ(loadtest["spec"]["data"]["customers"]["file"].as<std::string>(), mount + "/" + key);

  EXPECT_EQ(loadtest["spec"]["schedule"].as<std::string>(), "0 20 * * *");  // once a day
  double load = 0;
  for (const auto& stage : loadtest["spec"]["load"]["stages"]) {
    load += duration_seconds(stage["duration"].as<std::string>());
  }
  // The load, gracefulStop (default 30 s) and the longest the runners may take to start.
  const double run = load + 30 + loadtest["spec"]["startTimeoutSeconds"].as<double>();
  EXPECT_GE(load, 23 * 3600.0);
  EXPECT_LT(run, 24 * 3600.0 - 30 * 60) << "a run must end half an hour before the next night";
}

// ---------------------------------------------------------------------------------------------
// On the control plane.

SharedControlPlane* suite = nullptr;

class GitOpsExamples : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string flux;
    try {
      flux = project_tool("STAMPEDE_FLUX_CRDS", "fetch-flux-crds");
    } catch (const std::exception& e) {
      suite = new SharedControlPlane;
      suite->error = std::string("no Flux CRDs: ") + e.what();
      return;
    }
    suite = start_shared_control_plane(
                {kSourceDir + "/crds/stampede.dev_loadtests.yaml",
                 flux + "/source.toolkit.fluxcd.io_gitrepositories.yaml",
                 flux + "/kustomize.toolkit.fluxcd.io_kustomizations.yaml"},
                {"loadtests.stampede.dev", "gitrepositories.source.toolkit.fluxcd.io",
                 "kustomizations.kustomize.toolkit.fluxcd.io"})
                .release();
    if (!suite->error.empty() || !suite->unavailable.empty()) return;
    // The soak's namespace is its service's, the post-deploy check's the checkout app's
    // (Flux's targetNamespace), Flux's objects live in flux-system.
    for (const char* ns : {"plant", "shop", "flux-system"}) {
      const KubectlResult created = suite->plane->kubectl({"create", "namespace", ns});
      if (!created.ok()) {
        suite->error = created.describe();
        return;
      }
    }
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

  // The object as the API server stored it; null (with a test failure) when it cannot be read.
  static nlohmann::json get(const std::string& resource, const std::string& name,
                            const std::string& ns) {
    const KubectlResult r = plane().kubectl({"get", resource, name, "-n", ns, "-o", "json"});
    EXPECT_TRUE(r.ok()) << r.describe();
    return r.ok() ? nlohmann::json::parse(r.out) : nlohmann::json();
  }

  // The object as a manifest to apply: what a file in Git holds (no server-set metadata, no
  // status).
  static std::string manifest_of(const nlohmann::json& object) {
    nlohmann::json m = {
        {"apiVersion", object["apiVersion"]},
        {"kind", object["kind"]},
        {"metadata",
         {{"name", object["metadata"]["name"]}, {"namespace", object["metadata"]["namespace"]}}},
        {"spec", object["spec"]}};
    return m.dump(2);
  }

  // The soak as `kubectl apply -k` leaves it when it is new: deleted first if an earlier case
  // left it behind.
  static void fresh_soak() {
    plane().kubectl({"delete", "loadtest", kSoakName, "-n", kSoakNamespace, "--ignore-not-found"});
    const KubectlResult applied = plane().kubectl({"apply", "-k", kGitOps + "/soak"});
    ASSERT_TRUE(applied.ok()) << applied.describe();
  }

  // Runs `binary args... < input` (the health tools read their objects from stdin) and returns
  // its JSON lines.
  static std::vector<nlohmann::json> run_tool(const std::string& binary,
                                              const std::vector<std::string>& args,
                                              const std::string& input) {
    const std::string file = plane().write_file("tool-input.json", input);
    std::vector<std::string> argv{"/bin/sh", "-c", "f=$1; shift; \"$0\" \"$@\" < \"$f\"", binary,
                                  file};
    argv.insert(argv.end(), args.begin(), args.end());
    const RunResult r = run_process(argv, 120s);
    EXPECT_EQ(r.status.code, 0) << binary << ": " << r.stderr_text;
    std::vector<nlohmann::json> lines;
    std::istringstream out(r.stdout_text);
    for (std::string line; std::getline(out, line);) {
      if (!line.empty()) lines.push_back(nlohmann::json::parse(line));
    }
    return lines;
  }

  // kstatus and the Argo CD Lua check on each object (tests/support/health).
  static std::vector<nlohmann::json> kstatus_and_argocd(const nlohmann::json& objects) {
    return run_tool(project_tool("STAMPEDE_HEALTH", "build-health"),
                    {kGitOps + "/argocd/health.lua"}, objects.dump());
  }

  // Flux's CEL health checks of `kustomization` on each object (tests/support/flux-health).
  static std::vector<nlohmann::json> flux_cel(const nlohmann::json& kustomization,
                                              const nlohmann::json& objects) {
    const nlohmann::json input = {{"healthCheckExprs", kustomization["spec"]["healthCheckExprs"]},
                                  {"objects", objects}};
    return run_tool(project_tool("STAMPEDE_FLUX_HEALTH", "build-flux-health"), {}, input.dump());
  }

  // What kustomize-controller applies for a Kustomization as stored: kustomize's build of its
  // path with its targetNamespace and patches, then its postBuild substitutions (here strict:
  // a variable left unset is a failure, not an empty string).
  static std::string flux_build(const nlohmann::json& kustomization) {
    const nlohmann::json& spec = kustomization["spec"];
    const std::string dir =
        plane().directory() + "/flux-build-" + kustomization["metadata"]["name"].get<std::string>();
    fs::create_directories(dir);
    const std::string path = kSourceDir + "/" + repo_path(spec["path"].get<std::string>());
    nlohmann::json k = {{"apiVersion", "kustomize.config.k8s.io/v1beta1"},
                        {"kind", "Kustomization"},
                        {"resources", {fs::relative(path, dir).string()}}};
    if (spec.contains("targetNamespace")) k["namespace"] = spec["targetNamespace"];
    if (spec.contains("patches")) k["patches"] = spec["patches"];
    std::ofstream(dir + "/kustomization.yaml") << k.dump(2);  // JSON is YAML
    const KubectlResult built = plane().kubectl({"kustomize", dir});
    EXPECT_TRUE(built.ok()) << built.describe();
    std::string out = built.out;
    if (spec.contains("postBuild") && spec["postBuild"].contains("substitute")) {
      for (const auto& [name, value] : spec["postBuild"]["substitute"].items()) {
        const std::string var = "${" + name + "}";
        const std::string text = value.get<std::string>();
        for (auto at = out.find(var); at != std::string::npos;
             at = out.find(var, at + text.size())) {
          out.replace(at, var.size(), text);
        }
      }
    }
    EXPECT_EQ(out.find("${"), std::string::npos) << "a variable without a value:\n" << out;
    return out;
  }
};

// `kubectl apply -k examples/gitops/soak`: the API server validates the LoadTest against the
// CRD's schema and CEL rules and stores it with its schedule; the data file's ConfigMap comes
// from the kustomization; nothing runs (no operator has seen it: the CRD's default status).
TEST_F(GitOpsExamples, TheSoakAppliesWithKustomizeAndIsStoredWithItsSchedule) {
  plane().kubectl({"delete", "loadtest", kSoakName, "-n", kSoakNamespace, "--ignore-not-found"});
  const KubectlResult applied = plane().kubectl({"apply", "-k", kGitOps + "/soak"});
  ASSERT_TRUE(applied.ok()) << applied.describe();
  EXPECT_NE(applied.out.find("configmap/plant-backend-soak-data"), std::string::npos)
      << applied.out;
  EXPECT_NE(applied.out.find("loadtest.stampede.dev/" + kSoakName + " created"), std::string::npos)
      << applied.out;
  const nlohmann::json lt = get("loadtest", kSoakName, kSoakNamespace);
  ASSERT_TRUE(lt.is_object());
  const nlohmann::json& spec = lt["spec"];
  EXPECT_EQ(spec["schedule"], "0 20 * * *");
  EXPECT_EQ(spec["timeZone"], "Europe/Berlin");
  EXPECT_EQ(spec["concurrencyPolicy"], "Forbid");
  EXPECT_EQ(spec["historyLimit"], 30);
  EXPECT_EQ(spec["startingDeadlineSeconds"], 1800);
  EXPECT_EQ(spec["suspend"], false);
  EXPECT_EQ(spec["load"]["stages"].size(), 4u);
  EXPECT_EQ(spec["runners"]["volumes"][0]["configMap"]["name"], "plant-backend-soak-data");
  EXPECT_EQ(lt["metadata"]["generation"], 1);
  EXPECT_EQ(lt["status"], nlohmann::json({{"observedGeneration", 0}}));

  const nlohmann::json data = get("configmap", "plant-backend-soak-data", kSoakNamespace);
  EXPECT_EQ(data["data"]["customers.csv"], read_text(kGitOps + "/soak/customers.csv"));

  // The CRD's CEL rules hold for this object: a scheduled test may not delete itself after a
  // run, and a time zone needs a schedule.
  nlohmann::json with_ttl = lt;
  with_ttl["spec"]["ttlSecondsAfterFinished"] = 86400;
  const KubectlResult ttl = plane().apply(manifest_of(with_ttl), {"--dry-run=server"});
  EXPECT_FALSE(ttl.ok());
  EXPECT_NE(ttl.err.find("spec.ttlSecondsAfterFinished"), std::string::npos) << ttl.describe();
  EXPECT_NE(ttl.err.find("not allowed with schedule"), std::string::npos) << ttl.describe();
  nlohmann::json unscheduled = lt;
  unscheduled["spec"].erase("schedule");
  const KubectlResult tz = plane().apply(manifest_of(unscheduled), {"--dry-run=server"});
  EXPECT_FALSE(tz.ok());
  EXPECT_NE(tz.err.find("timeZone applies to schedule"), std::string::npos) << tz.describe();

  // Applied again (what Flux and Argo CD do on every sync): nothing changes, so no new
  // generation and no new run.
  const KubectlResult again = plane().kubectl({"apply", "-k", kGitOps + "/soak"});
  ASSERT_TRUE(again.ok()) << again.describe();
  EXPECT_EQ(get("loadtest", kSoakName, kSoakNamespace)["metadata"]["generation"], 1);
}

// The stored soak, as the operator reads it, is a valid plan for the runner's parser (the same
// parser the operator runs): stage names in thresholds, step names, templates and the data
// file's columns. The data file is read from the example, where the runner reads the mount.
TEST_F(GitOpsExamples, TheStoredSoakIsAValidPlan) {
  ASSERT_TRUE(plane().kubectl({"apply", "-k", kGitOps + "/soak"}).ok());
  nlohmann::json lt = get("loadtest", kSoakName, kSoakNamespace);
  ASSERT_TRUE(lt.is_object());
  lt["spec"]["data"]["customers"]["file"] = kGitOps + "/soak/customers.csv";
  const std::string file = plane().write_file("soak.yaml", manifest_of(lt));
  const RunResult r = run_process({STAMPEDE_BIN, "validate", file}, 30s);
  EXPECT_EQ(r.status.code, 0) << r.stdout_text << r.stderr_text;
  EXPECT_NE(r.stdout_text.find("closed model, 4 stages, 23h10s, 2 scenario(s)"), std::string::npos)
      << r.stdout_text;
}

// The Flux objects, applied as written, are accepted by Flux's own CRDs (their OpenAPI schemas,
// patterns and enums), and stored as written.
TEST_F(GitOpsExamples, TheFluxObjectsAreAcceptedByFluxsCrds) {
  const KubectlResult applied = plane().kubectl({"apply", "-f", kGitOps + "/flux/"});
  ASSERT_TRUE(applied.ok()) << applied.describe();

  const nlohmann::json repo = get("gitrepository", "stampede-examples", "flux-system");
  EXPECT_EQ(repo["spec"]["ref"]["branch"], "main");
  EXPECT_EQ(repo["spec"]["sparseCheckout"], nlohmann::json::array({"examples/gitops"}));

  const nlohmann::json soak = get("kustomization", kSoakName, "flux-system");
  EXPECT_EQ(soak["spec"]["path"], "./examples/gitops/soak");
  EXPECT_EQ(soak["spec"]["timeout"], "3m");
  EXPECT_EQ(soak["spec"]["healthChecks"],
            nlohmann::json::parse(R"([{"apiVersion": "stampede.dev/v1alpha1", "kind": "LoadTest",
                                       "name": "plant-backend-soak", "namespace": "plant"}])"));
  ASSERT_EQ(soak["spec"]["healthCheckExprs"].size(), 1u);
  EXPECT_EQ(soak["spec"]["healthCheckExprs"][0]["kind"], "LoadTest");

  const nlohmann::json check = get("kustomization", kPostDeployName, "flux-system");
  EXPECT_EQ(check["spec"]["dependsOn"], nlohmann::json::parse(R"([{"name": "checkout"}])"));
  EXPECT_EQ(check["spec"]["wait"], true);
  EXPECT_EQ(check["spec"]["timeout"], "6m");
  EXPECT_EQ(check["spec"]["targetNamespace"], "shop");

  // The schemas are enforced, not merely stored: a timeout Flux cannot parse is refused.
  nlohmann::json bad = check;
  bad["spec"]["timeout"] = "6 minutes";
  const KubectlResult refused = plane().apply(manifest_of(bad), {"--dry-run=server"});
  EXPECT_FALSE(refused.ok());
  EXPECT_NE(refused.err.find("spec.timeout"), std::string::npos) << refused.describe();
}

// What kustomize-controller would apply for each Kustomization, built from the stored
// Kustomization and applied to the API server: the soak as `apply -k` applies it, and the
// post-deploy check in the app's namespace with the release's version in its spec.
TEST_F(GitOpsExamples, WhatFluxWouldApplyIsAcceptedByTheApiServer) {
  ASSERT_TRUE(plane().kubectl({"apply", "-f", kGitOps + "/flux/"}).ok());
  for (const std::string& name : {kSoakName, kPostDeployName}) {
    SCOPED_TRACE(name);
    const nlohmann::json kustomization = get("kustomization", name, "flux-system");
    ASSERT_TRUE(kustomization.is_object());
    const std::string built = flux_build(kustomization);
    const KubectlResult applied = plane().apply(built);
    EXPECT_TRUE(applied.ok()) << built << "\n" << applied.describe();
  }
  const nlohmann::json check = get("loadtest", kPostDeployName, "shop");
  ASSERT_TRUE(check.is_object());
  EXPECT_EQ(check["spec"]["target"]["headers"], nlohmann::json({{"X-Release", "1.4.2"}}));
  EXPECT_EQ(check["spec"]["target"]["url"], "http://checkout.shop.svc:8080");
  EXPECT_EQ(check["status"], nlohmann::json({{"observedGeneration", 0}}));
  // A new release is a new generation, so a new run that `wait` waits for.
  nlohmann::json next = get("kustomization", kPostDeployName, "flux-system");
  next["spec"]["postBuild"]["substitute"]["CHECKOUT_VERSION"] = "1.4.3";
  ASSERT_TRUE(plane().apply(flux_build(next)).ok());
  const nlohmann::json released = get("loadtest", kPostDeployName, "shop");
  EXPECT_EQ(released["metadata"]["generation"], 2);
  EXPECT_EQ(released["spec"]["target"]["headers"]["X-Release"], "1.4.3");
  EXPECT_TRUE(plane().kubectl({"delete", "loadtest", kPostDeployName, "-n", "shop"}).ok());
}

// examples/gitops/argocd/post-deploy-check.yaml, applied as Argo CD applies a PostSync hook,
// reads as in progress to both kstatus and the Argo CD check until an operator has run it; so
// does the soak before any operator has seen it.
TEST_F(GitOpsExamples, TheStoredExamplesReadAsInProgressBeforeAnOperatorSeesThem) {
  const KubectlResult applied =
      plane().kubectl({"apply", "-n", "default", "-f", kGitOps + "/argocd/post-deploy-check.yaml"});
  ASSERT_TRUE(applied.ok()) << applied.describe();
  fresh_soak();
  const nlohmann::json check = get("loadtest", kPostDeployName, "default");
  EXPECT_EQ(check["metadata"]["annotations"]["argocd.argoproj.io/hook"], "PostSync");
  EXPECT_EQ(check["status"], nlohmann::json({{"observedGeneration", 0}}));
  const nlohmann::json objects = {check, get("loadtest", kSoakName, kSoakNamespace)};
  const std::vector<nlohmann::json> verdicts = kstatus_and_argocd(objects);
  ASSERT_EQ(verdicts.size(), 2u);
  for (const auto& v : verdicts) {
    SCOPED_TRACE(v.dump());
    EXPECT_EQ(v["kstatus"], "InProgress");
    EXPECT_EQ(v["argocd"], "Progressing");
  }
  EXPECT_TRUE(plane().kubectl({"delete", "loadtest", kPostDeployName, "-n", "default"}).ok());
}

// The soak Kustomization's CEL health checks, run by Flux's own evaluator on the stored soak
// in the states of its nights (written through the status subresource, as the operator writes
// them; docs/runs.md): the verdict of the last finished night, where kstatus reads the night
// that is running (and a Kustomization would time out on it for 23 hours of each day).
TEST_F(GitOpsExamples, TheSoakKustomizationReadsTheLastNightsVerdict) {
  ASSERT_TRUE(plane().kubectl({"apply", "-f", kGitOps + "/flux/"}).ok());
  fresh_soak();
  const nlohmann::json kustomization = get("kustomization", kSoakName, "flux-system");

  struct State {
    std::string label;
    std::string status;   // the status patch (JSON), on top of the previous state's
    std::string flux;     // Flux with the Kustomization's healthCheckExprs
    std::string kstatus;  // kstatus alone (Flux without them, `kubectl wait`)
  };
  const std::string running_conditions =
      R"("conditions": [{"type": "Reconciling", "status": "True", "reason": "Running",
                         "message": "the test is Running", "lastTransitionTime": "2025-01-01T19:00:05Z"},
                        {"type": "Ready", "status": "False", "reason": "Running",
                         "message": "the test is Running", "lastTransitionTime": "2025-01-01T19:00:05Z"},
                        {"type": "Stalled", "status": "False", "reason": "Running",
                         "message": "the test has not failed", "lastTransitionTime": "2025-01-01T19:00:05Z"}])";
  const std::vector<State> states = {
      {"applied, not seen by an operator", "{}", "InProgress", "InProgress"},
      {"seen, before the first night",
       R"({"observedGeneration": 1, "run": 0, "nextScheduleTime": "2025-01-01T19:00:00Z",
           "conditions": [{"type": "Ready", "status": "True", "reason": "Scheduled",
                           "message": "not run yet", "lastTransitionTime": "2025-01-01T10:00:00Z"}]})",
       "Current", "Current"},
      {"the first night running",
       R"({"run": 1, "runGeneration": 1, "phase": "Running", )" + running_conditions + "}",
       "Current", "InProgress"},
      {"the first night failed",
       R"({"phase": "Failed", "result": "Failed", "reason": "ThresholdsFailed", "lastResult": "Failed",
           "conditions": [{"type": "Ready", "status": "False", "reason": "ThresholdsFailed",
                           "message": "run 1: p(95) over", "lastTransitionTime": "2025-01-02T18:01:00Z"},
                          {"type": "Reconciling", "status": "False", "reason": "Failed",
                           "message": "run 1: p(95) over", "lastTransitionTime": "2025-01-02T18:01:00Z"},
                          {"type": "Stalled", "status": "True", "reason": "ThresholdsFailed",
                           "message": "run 1: p(95) over", "lastTransitionTime": "2025-01-02T18:01:00Z"}]})",
       "Failed", "Failed"},
      {"the second night running after a failed one",
       R"({"run": 2, "phase": "Running", "result": null, "reason": null, )" + running_conditions +
           "}",
       "Failed", "InProgress"},
      {"the second night passed",
       R"({"phase": "Succeeded", "result": "Passed", "reason": "ThresholdsPassed", "lastResult": "Passed",
           "conditions": [{"type": "Ready", "status": "True", "reason": "Passed",
                           "message": "run 2: every threshold passed", "lastTransitionTime": "2025-01-03T18:01:00Z"},
                          {"type": "Reconciling", "status": "False", "reason": "Succeeded",
                           "message": "run 2: every threshold passed", "lastTransitionTime": "2025-01-03T18:01:00Z"},
                          {"type": "Stalled", "status": "False", "reason": "Succeeded",
                           "message": "the test has not failed", "lastTransitionTime": "2025-01-03T18:01:00Z"}]})",
       "Current", "Current"},
      {"the third night running after a passed one",
       R"({"run": 3, "phase": "Running", "result": null, "reason": null, )" + running_conditions +
           "}",
       "Current", "InProgress"},
  };
  nlohmann::json snapshots = nlohmann::json::array();
  for (const State& state : states) {
    SCOPED_TRACE(state.label);
    if (state.status != "{}") {
      const KubectlResult patched = plane().kubectl(
          {"patch", "loadtest", kSoakName, "-n", kSoakNamespace, "--subresource=status",
           "--type=merge", "-p", R"({"status": )" + state.status + "}"});
      ASSERT_TRUE(patched.ok()) << patched.describe();
    }
    snapshots.push_back(get("loadtest", kSoakName, kSoakNamespace));
  }
  const std::vector<nlohmann::json> flux = flux_cel(kustomization, snapshots);
  const std::vector<nlohmann::json> kstatus = kstatus_and_argocd(snapshots);
  ASSERT_EQ(flux.size(), states.size());
  ASSERT_EQ(kstatus.size(), states.size());
  for (std::size_t i = 0; i < states.size(); ++i) {
    SCOPED_TRACE(states[i].label);
    EXPECT_EQ(flux[i]["flux"], states[i].flux) << flux[i].dump() << "\n" << snapshots[i]["status"];
    EXPECT_EQ(kstatus[i]["kstatus"], states[i].kstatus) << kstatus[i].dump() << "\n"
                                                        << snapshots[i]["status"];
  }
  plane().kubectl({"delete", "loadtest", kSoakName, "-n", kSoakNamespace});
}

}  // namespace
}  // namespace stampede::testing
