// The operator's Kubernetes client against a real kube-apiserver: typed results for every API
// error the controller handles, the status subresource, and watches.
#include "kube/kube_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "kube/kube_config.h"
#include "kube/watcher.h"
#include "support/kube_control_plane.h"

namespace stampede::testing {
namespace {

using kube::ApiError;
using std::chrono::milliseconds;

class KubeClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    plane_ = new KubeControlPlane();
    std::string error;
    config_ = new kube::KubeConfig(*kube::load_kubeconfig(plane_->kubeconfig(), &error));
    const auto crd = plane_->kubectl(
        {"apply", "-f", std::string(STAMPEDE_SOURCE_DIR) + "/crds/stampede.dev_loadtests.yaml"});
    ASSERT_TRUE(crd.ok()) << crd.describe();
    ASSERT_TRUE(plane_->wait_established({"loadtests.stampede.dev"}).ok());
  }
  static void TearDownTestSuite() {
    delete config_;
    delete plane_;
  }

  static nlohmann::json config_map(const std::string& name, const std::string& value) {
    return {{"apiVersion", "v1"},
            {"kind", "ConfigMap"},
            {"metadata", {{"name", name}, {"labels", {{"suite", "kube-client"}}}}},
            {"data", {{"v", value}}}};
  }

  static KubeControlPlane* plane_;
  static kube::KubeConfig* config_;
};

KubeControlPlane* KubeClientTest::plane_ = nullptr;
kube::KubeConfig* KubeClientTest::config_ = nullptr;

TEST_F(KubeClientTest, CrudWithTypedErrors) {
  kube::KubeClient client(*config_);
  const auto created = client.create(kube::kConfigMaps, "default", config_map("crud", "1"));
  ASSERT_TRUE(created.ok()) << created.message;
  EXPECT_EQ(client.create(kube::kConfigMaps, "default", config_map("crud", "1")).error,
            ApiError::kAlreadyExists);
  EXPECT_EQ(client.get(kube::kConfigMaps, "default", "crud").object["data"]["v"], "1");
  EXPECT_EQ(client.get(kube::kConfigMaps, "default", "nope").error, ApiError::kNotFound);

  ASSERT_TRUE(
      client.merge_patch(kube::kConfigMaps, "default", "crud", {{"data", {{"v", "2"}}}}).ok());
  ASSERT_TRUE(client
                  .json_patch(kube::kConfigMaps, "default", "crud",
                              {{{"op", "add"}, {"path", "/data/w"}, {"value", "3"}}})
                  .ok());
  const auto now = client.get(kube::kConfigMaps, "default", "crud");
  EXPECT_EQ(now.object["data"]["v"], "2");
  EXPECT_EQ(now.object["data"]["w"], "3");

  // A write based on an old resourceVersion conflicts.
  nlohmann::json stale = created.object;
  stale["data"]["v"] = "stale";
  EXPECT_EQ(client.replace(kube::kConfigMaps, "default", "crud", stale).error, ApiError::kConflict);

  const auto listed = client.list(kube::kConfigMaps, "default", "suite=kube-client");
  ASSERT_TRUE(listed.ok());
  EXPECT_GE(listed.object["items"].size(), 1u);
  EXPECT_FALSE(listed.object["metadata"].value("resourceVersion", "").empty());

  nlohmann::json invalid = config_map("Not_A_Valid_Name", "x");
  const auto refused = client.create(kube::kConfigMaps, "default", invalid);
  EXPECT_EQ(refused.error, ApiError::kInvalid);
  EXPECT_NE(refused.message.find("metadata.name"), std::string::npos) << refused.message;

  ASSERT_TRUE(client.remove(kube::kConfigMaps, "default", "crud").ok());
  EXPECT_EQ(client.remove(kube::kConfigMaps, "default", "crud").error, ApiError::kNotFound);
}

TEST_F(KubeClientTest, StatusSubresourceOfALoadTest) {
  kube::KubeClient client(*config_);
  const nlohmann::json lt = {{"apiVersion", "stampede.dev/v1alpha1"},
                             {"kind", "LoadTest"},
                             {"metadata", {{"name", "status-demo"}}},
                             {"spec",
                              {{"target", {{"url", "http://example.test"}}},
                               {"load", {{"users", 1}, {"duration", "1s"}}},
                               {"scenarios", {{{"name", "s"}, {"steps", {{{"get", "/"}}}}}}}}}};
  ASSERT_TRUE(client.create(kube::kLoadTests, "default", lt).ok());
  const auto patched = client.merge_patch(kube::kLoadTests, "default", "status-demo",
                                          {{"status", {{"phase", "Starting"}}}}, "status");
  ASSERT_TRUE(patched.ok()) << patched.message;
  EXPECT_EQ(patched.object["status"]["phase"], "Starting");
  // The main resource ignores status, the status subresource ignores spec.
  client.merge_patch(kube::kLoadTests, "default", "status-demo",
                     {{"status", {{"phase", "Running"}}}});
  EXPECT_EQ(client.get(kube::kLoadTests, "default", "status-demo").object["status"]["phase"],
            "Starting");
  const auto bad = client.merge_patch(kube::kLoadTests, "default", "status-demo",
                                      {{"status", {{"phase", "Exploded"}}}}, "status");
  EXPECT_EQ(bad.error, ApiError::kInvalid) << "the schema's enum is enforced on status too";
}

TEST_F(KubeClientTest, UnauthorizedAndForbiddenAreTyped) {
  kube::KubeConfig anonymous = *config_;
  anonymous.client_cert_pem.clear();
  anonymous.client_key_pem.clear();
  anonymous.token = "not-a-token";
  EXPECT_EQ(kube::KubeClient(anonymous).get(kube::kConfigMaps, "default", "x").error,
            ApiError::kUnauthorized);
  ASSERT_TRUE(plane_->kubectl({"create", "serviceaccount", "nobody", "-n", "default"}).ok());
  const auto token = plane_->kubectl({"create", "token", "nobody", "-n", "default"});
  ASSERT_TRUE(token.ok()) << token.describe();
  kube::KubeConfig nobody = anonymous;
  nobody.token = token.out.substr(0, token.out.find_last_not_of("\n ") + 1);
  const auto r = kube::KubeClient(nobody).list(kube::kSecrets, "kube-system");
  EXPECT_EQ(r.error, ApiError::kForbidden) << r.message;
}

TEST_F(KubeClientTest, TransportErrorsAreValuesNotExceptions) {
  kube::KubeConfig nowhere = *config_;
  nowhere.port = "1";  // nothing listens
  const auto r = kube::KubeClient(nowhere).get(kube::kPods, "default", "x");
  EXPECT_EQ(r.error, ApiError::kTransport);
  EXPECT_FALSE(r.message.empty());
  kube::KubeConfig wrong_ca = *config_;
  wrong_ca.ca_pem.clear();  // the system store does not know the test CA
  EXPECT_EQ(kube::KubeClient(wrong_ca).get(kube::kPods, "default", "x").error,
            ApiError::kTransport);
}

TEST_F(KubeClientTest, WatcherListsThenFollowsChanges) {
  std::mutex mutex;
  std::vector<std::string> seen;
  std::atomic<int> lists{0};
  kube::WatchOptions options;
  options.ns = "default";
  options.label_selector = "suite=watch";
  kube::WatchHandlers handlers;
  handlers.on_list = [&](const std::vector<nlohmann::json>&) { ++lists; };
  handlers.on_event = [&](kube::WatchEventType type, const nlohmann::json& object) {
    const std::lock_guard lock(mutex);
    const char* kind = type == kube::WatchEventType::kAdded      ? "added"
                       : type == kube::WatchEventType::kModified ? "modified"
                                                                 : "deleted";
    seen.push_back(std::string(kind) + " " + object["metadata"].value("name", ""));
  };
  kube::Watcher watcher(*config_, kube::kConfigMaps, options, handlers);
  watcher.start();
  for (int i = 0; i < 100 && !watcher.synced(); ++i) std::this_thread::sleep_for(milliseconds(50));
  ASSERT_TRUE(watcher.synced());
  kube::KubeClient client(*config_);
  nlohmann::json cm = config_map("watched", "1");
  cm["metadata"]["labels"] = {{"suite", "watch"}};
  ASSERT_TRUE(client.create(kube::kConfigMaps, "default", cm).ok());
  ASSERT_TRUE(
      client.merge_patch(kube::kConfigMaps, "default", "watched", {{"data", {{"v", "2"}}}}).ok());
  ASSERT_TRUE(client.remove(kube::kConfigMaps, "default", "watched").ok());
  const std::vector<std::string> expected = {"added watched", "modified watched",
                                             "deleted watched"};
  for (int i = 0; i < 100; ++i) {
    {
      const std::lock_guard lock(mutex);
      if (seen.size() >= 3) break;
    }
    std::this_thread::sleep_for(milliseconds(50));
  }
  const std::lock_guard lock(mutex);
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(lists.load(), 1);
}

}  // namespace
}  // namespace stampede::testing
