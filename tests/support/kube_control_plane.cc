#include "support/kube_control_plane.h"

#include <sys/statvfs.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/http_client.h"
#include "support/nginx.h"  // free_port()
#include "support/project_tool.h"

namespace stampede::testing {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr const char* kEtcd = "/usr/bin/etcd";
constexpr int kStartAttempts = 3;        // a free port can be taken before the server binds it
constexpr Millis kStopGrace = 10'000ms;  // SIGTERM, then SIGKILL
// What the operator's tests need: Jobs, garbage collection of their pods, service accounts (and
// their tokens) in new namespaces, and namespace deletion.
constexpr const char* kControllers =
    "job-controller,garbage-collector-controller,serviceaccount-controller,"
    "serviceaccount-token-controller,namespace-controller";

// The last `max` bytes of a log, whole lines where possible.
std::string tail(const std::string& text, std::size_t max = 6000) {
  if (text.size() <= max) return text;
  std::size_t start = text.size() - max;
  const std::size_t newline = text.find('\n', start);
  if (newline != std::string::npos) start = newline + 1;
  return "[...]\n" + text.substr(start);
}

std::string make_temp_dir(const std::string& parent, const std::string& tag) {
  std::string tmpl = parent + "/stampede-" + tag + "-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed under " + parent);
  }
  return tmpl;
}

std::string temp_parent() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
}

// etcd fsyncs its WAL on every write; on tmpfs that costs nothing (Debian's etcd 3.4 has no
// --unsafe-no-fsync). It preallocates 64 MiB of WAL, more than the /dev/shm of many containers.
std::string etcd_parent() {
  constexpr unsigned long long kNeeded = 512ULL << 20;
  struct statvfs fs {};
  if (::statvfs("/dev/shm", &fs) == 0 && ::access("/dev/shm", W_OK) == 0 &&
      static_cast<unsigned long long>(fs.f_bavail) * fs.f_frsize >= kNeeded) {
    return "/dev/shm";
  }
  return temp_parent();
}

void write_text(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path);
}

bool executable(const std::string& path) {
  return ::access(path.c_str(), X_OK) == 0;
}

bool in_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (!dir.empty() && executable(dir.append("/").append(name))) return true;
  }
  return false;
}

void openssl(std::vector<std::string> args) {
  args.insert(args.begin(), "openssl");
  const RunResult r = run_process(args, 60s);
  if (r.status.code != 0) {
    std::string command;
    for (const auto& a : args) command += a + " ";
    throw std::runtime_error("failed: " + command + "\n" + r.stderr_text);
  }
}

// An openssl configuration with one distinguished name and one extension section "ext".
std::string openssl_config(const std::string& dn, const std::string& extensions) {
  return "[req]\nprompt = no\ndistinguished_name = dn\n[dn]\n" + dn + "\n[ext]\n" + extensions +
         "\n";
}

// A P-256 key and a certificate for `dn` signed by the CA in `dir`.
void issue(const std::string& dir, const std::string& name, const std::string& dn,
           const std::string& extensions) {
  const std::string cnf = dir + "/" + name + ".cnf";
  write_text(cnf, openssl_config(dn, extensions));
  openssl({"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
           "-config", cnf, "-keyout", dir + "/" + name + ".key", "-out",
           dir + "/" + name + ".csr"});
  openssl({"x509", "-req", "-in", dir + "/" + name + ".csr", "-CA", dir + "/ca.crt", "-CAkey",
           dir + "/ca.key", "-CAcreateserial", "-CAserial", dir + "/ca.srl", "-days", "7",
           "-extfile", cnf, "-extensions", "ext", "-out", dir + "/" + name + ".crt"});
}

// `etcd --help` lists --unsafe-no-fsync from 3.5 on.
bool etcd_has_no_fsync() {
  static const bool kSupported = [] {
    const RunResult r = run_process({kEtcd, "--help"}, 10s);
    return (r.stdout_text + r.stderr_text).find("unsafe-no-fsync") != std::string::npos;
  }();
  return kSupported;
}

bool etcd_healthy(std::uint16_t port) {
  try {
    const HttpResponse r = http_get("127.0.0.1", port, "/health");
    return r.status == 200 && r.body.find("true") != std::string::npos;
  } catch (const std::exception&) {
    return false;
  }
}

std::string join(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& a : args) out += (out.empty() ? "" : " ") + a;
  return out;
}

void stop_process(std::unique_ptr<Subprocess>& process) {
  if (!process) return;
  process->terminate(kStopGrace);
}

}  // namespace

std::string KubectlResult::describe() const {
  std::ostringstream text;
  text << "kubectl " << command << ": "
       << (timed_out ? "timed out" : "exit " + std::to_string(code)) << "\nstdout:\n"
       << tail(out) << "\nstderr:\n"
       << tail(err);
  return text.str();
}

KubectlResult KubeControlPlane::wait_established(const std::vector<std::string>& crds,
                                                 Millis timeout) const {
  std::vector<std::string> args{"wait", "--for=condition=Established"};
  for (const auto& crd : crds) args.push_back("crd/" + crd);
  args.push_back("--timeout=" + std::to_string(timeout.count() / 1000) + "s");
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  KubectlResult result;
  do {
    result = kubectl(args, timeout + std::chrono::seconds(30));
    if (result.ok() || result.err.find("accessor error") == std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  } while (std::chrono::steady_clock::now() < deadline);
  return result;
}

std::string kube_bin_dir() {
  std::string dir = project_tool("STAMPEDE_KUBE_BIN", "build-kube");
  for (const char* tool : {"kube-apiserver", "kube-controller-manager", "kubectl"}) {
    if (!executable(dir + "/" + tool)) {
      throw std::runtime_error("no executable " + std::string(tool) + " in '" + dir + "'");
    }
  }
  return dir;
}

std::string kube_control_plane_unavailable() {
  if (!executable(kEtcd)) return "etcd is not installed (scripts/install-deps kube)";
  if (!in_path("openssl")) return "openssl is not installed";
  return "";
}

KubeControlPlane::KubeControlPlane(KubeControlPlaneOptions options)
    : options_(options), bin_dir_(kube_bin_dir()), dir_(make_temp_dir(temp_parent(), "kube")) {
  try {
    etcd_dir_ = make_temp_dir(etcd_parent(), "etcd");
    kubeconfig_ = dir_ + "/admin.kubeconfig";
    ca_cert_ = dir_ + "/ca.crt";
    make_certificates();
    start_etcd(options_.start_timeout);
    start_apiserver(options_.start_timeout);
    if (options_.controller_manager) start_controller_manager(options_.start_timeout);
  } catch (...) {
    stop();
    throw;
  }
}

KubeControlPlane::~KubeControlPlane() {
  stop();
}

void KubeControlPlane::stop() {
  // Controllers first, etcd last: each depends on the ones after it.
  stop_process(controller_manager_);
  stop_process(apiserver_);
  stop_process(etcd_);
  const char* keep = std::getenv("STAMPEDE_KEEP_KUBE_DIR");
  if (keep != nullptr && *keep != '\0') return;
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  if (!etcd_dir_.empty()) std::filesystem::remove_all(etcd_dir_, ec);
}

std::string KubeControlPlane::server() const {
  return "https://127.0.0.1:" + std::to_string(apiserver_port_);
}

void KubeControlPlane::make_certificates() {
  // One CA signs the serving certificate and the client certificates.
  const std::string ca_cnf = dir_ + "/ca.cnf";
  write_text(ca_cnf, openssl_config("CN = stampede-test-ca",
                                    "basicConstraints = critical, CA:TRUE\n"
                                    "keyUsage = critical, keyCertSign, cRLSign, digitalSignature\n"
                                    "subjectKeyIdentifier = hash"));
  openssl({"req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
           "-nodes", "-days", "7", "-config", ca_cnf, "-extensions", "ext", "-keyout",
           dir_ + "/ca.key", "-out", ca_cert_});
  issue(dir_, "apiserver", "CN = kube-apiserver",
        "basicConstraints = critical, CA:FALSE\n"
        "keyUsage = critical, digitalSignature, keyEncipherment\n"
        "extendedKeyUsage = serverAuth\n"
        "subjectAltName = DNS:localhost, DNS:kubernetes, DNS:kubernetes.default, "
        "DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local, IP:127.0.0.1, "
        "IP:10.0.0.1");
  issue(dir_, "admin", "O = system:masters\nCN = admin",
        "basicConstraints = critical, CA:FALSE\n"
        "keyUsage = critical, digitalSignature, keyEncipherment\n"
        "extendedKeyUsage = clientAuth");
  // Service account tokens are signed with an RSA key.
  openssl({"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out",
           dir_ + "/sa.key"});
  openssl({"pkey", "-in", dir_ + "/sa.key", "-pubout", "-out", dir_ + "/sa.pub"});
}

void KubeControlPlane::start_etcd(Millis timeout) {
  std::string last_log;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    etcd_port_ = free_port();
    const std::uint16_t peer_port = free_port();
    const std::string client_url = "http://127.0.0.1:" + std::to_string(etcd_port_);
    const std::string peer_url = "http://127.0.0.1:" + std::to_string(peer_port);
    const std::string data = etcd_dir_ + "/data-" + std::to_string(attempt);
    std::vector<std::string> args = {kEtcd,
                                     "--name=stampede",
                                     "--data-dir=" + data,
                                     "--listen-client-urls=" + client_url,
                                     "--advertise-client-urls=" + client_url,
                                     "--listen-peer-urls=" + peer_url,
                                     "--initial-advertise-peer-urls=" + peer_url,
                                     "--initial-cluster=stampede=" + peer_url,
                                     "--logger=zap",
                                     "--log-outputs=stderr",
                                     "--log-level=warn"};
    if (etcd_has_no_fsync()) args.push_back("--unsafe-no-fsync=true");
    auto process = std::make_unique<Subprocess>(args);
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline && process->running()) {
      if (etcd_healthy(etcd_port_)) {
        etcd_ = std::move(process);
        return;
      }
      std::this_thread::sleep_for(100ms);
    }
    last_log = process->stderr_text();
    if (process->running()) break;  // alive but never healthy: another try will not help
    process->terminate();
  }
  throw std::runtime_error("etcd did not become healthy:\n" + tail(last_log));
}

void KubeControlPlane::start_apiserver(Millis timeout, bool same_port) {
  std::string last_log;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    if (!same_port) apiserver_port_ = free_port();
    const std::string port = std::to_string(apiserver_port_);
    std::vector<std::string> args = {
        bin_dir_ + "/kube-apiserver",
        "--etcd-servers=http://127.0.0.1:" + std::to_string(etcd_port_),
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        "--secure-port=" + port,
        "--cert-dir=" + dir_ + "/apiserver-certs",
        "--tls-cert-file=" + dir_ + "/apiserver.crt",
        "--tls-private-key-file=" + dir_ + "/apiserver.key",
        "--client-ca-file=" + ca_cert_,
        "--service-cluster-ip-range=10.0.0.0/24",
        "--service-account-issuer=https://127.0.0.1:" + port + "/",
        "--service-account-key-file=" + dir_ + "/sa.pub",
        "--service-account-signing-key-file=" + dir_ + "/sa.key",
        "--authorization-mode=RBAC",
        "--allow-privileged=true",
        "--endpoint-reconciler-type=none",
        "--profiling=false",
    };
    // Without the controller manager nobody creates the default ServiceAccount that the
    // admission plugin would require of every pod.
    if (!options_.controller_manager) {
      args.push_back("--disable-admission-plugins=ServiceAccount");
    }
    write_kubeconfig();
    auto process = std::make_unique<Subprocess>(args);
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline && process->running()) {
      const KubectlResult ready = kubectl({"get", "--raw=/readyz"}, 10s);
      if (ready.ok() && ready.out.find("ok") != std::string::npos) {
        apiserver_ = std::move(process);
        return;
      }
      std::this_thread::sleep_for(250ms);
    }
    last_log = process->stderr_text();
    if (process->running()) break;
    process->terminate();
    // A port someone else took shows as "address already in use"; anything else will not
    // change on a second try.
    if (last_log.find("address already in use") == std::string::npos) break;
  }
  throw std::runtime_error("kube-apiserver did not become ready:\n" + tail(last_log));
}

void KubeControlPlane::restart_apiserver(Millis down) {
  stop_process(apiserver_);
  std::this_thread::sleep_for(down);
  start_apiserver(options_.start_timeout, true);
}

std::int64_t KubeControlPlane::compact_etcd() const {
  // etcd's JSON gateway to its gRPC API (keys in base64): a read for the current revision, then
  // a physical compaction up to it.
  const HttpResponse range =
      http_post("127.0.0.1", etcd_port_, "/v3/kv/range", R"({"key": "Lw=="})", "application/json");
  const auto header = nlohmann::json::parse(range.body, nullptr, false);
  if (range.status != 200 || !header.is_object() || !header.contains("header")) {
    throw std::runtime_error("etcd range: HTTP " + std::to_string(range.status) + " " + range.body);
  }
  const std::int64_t revision = std::stoll(header["header"].value("revision", "0"));
  const nlohmann::json compaction = {{"revision", std::to_string(revision)}, {"physical", true}};
  const HttpResponse compacted = http_post("127.0.0.1", etcd_port_, "/v3/kv/compaction",
                                           compaction.dump(), "application/json");
  if (compacted.status != 200) {
    throw std::runtime_error("etcd compaction: HTTP " + std::to_string(compacted.status) + " " +
                             compacted.body);
  }
  return revision;
}

void KubeControlPlane::start_controller_manager(Millis timeout) {
  std::vector<std::string> args = {
      bin_dir_ + "/kube-controller-manager",
      "--kubeconfig=" + kubeconfig_,
      "--root-ca-file=" + ca_cert_,
      "--service-account-private-key-file=" + dir_ + "/sa.key",
      "--secure-port=0",
      "--leader-elect=false",
      "--use-service-account-credentials=false",
      std::string("--controllers=") + kControllers,
  };
  controller_manager_ = std::make_unique<Subprocess>(args);
  // The service account controller creates "default" in every namespace: proof that the
  // controllers run.
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline && controller_manager_->running()) {
    if (kubectl({"get", "serviceaccount", "default", "-n", "default"}, 10s).ok()) return;
    std::this_thread::sleep_for(250ms);
  }
  throw std::runtime_error("kube-controller-manager did not start its controllers:\n" +
                           tail(controller_manager_->stderr_text()));
}

void KubeControlPlane::write_kubeconfig() {
  std::ostringstream c;
  c << "apiVersion: v1\nkind: Config\n"
    << "clusters:\n- name: stampede-test\n  cluster:\n    server: " << server()
    << "\n    certificate-authority: " << ca_cert_ << "\n"
    << "users:\n- name: admin\n  user:\n    client-certificate: " << dir_ << "/admin.crt\n"
    << "    client-key: " << dir_ << "/admin.key\n"
    << "contexts:\n- name: stampede-test\n  context:\n    cluster: stampede-test\n"
    << "    user: admin\n    namespace: default\n"
    << "current-context: stampede-test\n";
  write_text(kubeconfig_, c.str());
}

KubectlResult run_kubectl(const std::string& kubectl, const std::string& kubeconfig,
                          const std::string& cache_dir, std::vector<std::string> args,
                          Millis timeout) {
  KubectlResult result;
  result.command = join(args);
  args.insert(args.begin(), {kubectl, "--kubeconfig=" + kubeconfig, "--cache-dir=" + cache_dir});
  const RunResult r = run_process(args, timeout);
  result.code = r.status.exited() ? r.status.code : -1;
  result.timed_out = r.timed_out;
  result.out = r.stdout_text;
  result.err = r.stderr_text;
  return result;
}

KubectlResult KubeControlPlane::kubectl(std::vector<std::string> args, Millis timeout) const {
  return run_kubectl(bin_dir_ + "/kubectl", kubeconfig_, dir_ + "/kubectl-cache", std::move(args),
                     timeout);
}

std::string KubeControlPlane::write_file(const std::string& name_hint,
                                         const std::string& content) const {
  std::string path = dir_ + "/" + std::to_string(++files_written_) + "-" + name_hint;
  write_text(path, content);
  return path;
}

KubectlResult KubeControlPlane::apply(const std::string& manifest,
                                      std::vector<std::string> extra_args, Millis timeout) const {
  std::vector<std::string> args = {"apply", "-f", write_file("manifest.yaml", manifest)};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  return kubectl(std::move(args), timeout);
}

std::string KubeControlPlane::etcd_log() const {
  return etcd_ ? etcd_->stderr_text() : "";
}

std::string KubeControlPlane::apiserver_log() const {
  return apiserver_ ? apiserver_->stderr_text() : "";
}

std::string KubeControlPlane::controller_manager_log() const {
  return controller_manager_ ? controller_manager_->stderr_text() : "";
}

std::unique_ptr<SharedControlPlane> start_shared_control_plane(
    const std::vector<std::string>& crd_files, const std::vector<std::string>& crd_names) {
  auto shared = std::make_unique<SharedControlPlane>();
  shared->unavailable = kube_control_plane_unavailable();
  if (!shared->unavailable.empty()) return shared;
  try {
    shared->plane = std::make_unique<KubeControlPlane>();
    for (const std::string& crd : crd_files) {
      const KubectlResult applied = shared->plane->kubectl({"apply", "--server-side", "-f", crd});
      if (!applied.ok()) {
        shared->error = "the API server refused " + crd + ": " + applied.describe();
        return shared;
      }
    }
    const KubectlResult established = shared->plane->wait_established(crd_names);
    if (!established.ok()) {
      shared->error = "the CRDs were not established: " + established.describe();
    }
  } catch (const std::exception& e) {
    shared->error = std::string("the control plane did not start: ") + e.what();
  }
  return shared;
}

}  // namespace stampede::testing
