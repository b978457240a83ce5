#pragma once
// A real Kubernetes control plane for integration tests: etcd (Debian's) and kube-apiserver, plus
// kube-controller-manager on request, on free loopback ports. Certificates are generated with the
// openssl command into a temporary directory; RBAC is on and the admin kubeconfig holds a client
// certificate CN=admin, O=system:masters. No kubelet, no scheduler: objects are stored and
// validated, controllers run, pods never start. Stopped and removed in the destructor.
//
// kube-apiserver, kube-controller-manager and kubectl come from scripts/build-kube (built from
// the Go module proxy at a pinned version and cached outside the repository).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "support/subprocess.h"

namespace stampede::testing {

struct KubeControlPlaneOptions {
  // Also run kube-controller-manager (Job controller, garbage collector, service accounts,
  // namespaces); with it the ServiceAccount admission plugin stays on.
  bool controller_manager = false;
  // How long etcd, the API server (/readyz) and the controller manager may take to come up.
  Millis start_timeout = std::chrono::seconds(90);
};

struct KubectlResult {
  int code = -1;  // exit code; -1 when killed (timed out or signalled)
  bool timed_out = false;
  std::string out;
  std::string err;

  bool ok() const { return code == 0; }
  // "kubectl get ...: exit 1\nstdout: ...\nstderr: ..." for failure messages.
  std::string describe() const;
  std::string command;  // the arguments, joined with spaces
};

// Runs `KUBECTL --kubeconfig=KUBECONFIG --cache-dir=CACHE_DIR args...` and collects its output.
KubectlResult run_kubectl(const std::string& kubectl, const std::string& kubeconfig,
                          const std::string& cache_dir, std::vector<std::string> args,
                          Millis timeout);

// The directory holding kube-apiserver, kube-controller-manager and kubectl. $STAMPEDE_KUBE_BIN
// when set; otherwise what scripts/build-kube prints (it builds only when the binaries are
// missing, which takes many minutes the first time). Cached for the life of the process. Throws
// std::runtime_error, with the script's output, when there are no binaries.
std::string kube_bin_dir();

// Why a control plane cannot start on this machine ("" when it can): etcd or openssl is not
// installed. Cheap; the Kubernetes binaries are looked for (and built) by the constructor.
std::string kube_control_plane_unavailable();

class KubeControlPlane {
 public:
  // Finds the binaries (kube_bin_dir()), starts everything and waits until the API server is
  // ready (and, with the controller manager, until it has created the default ServiceAccount).
  // Throws std::runtime_error with the failing component's log when something does not come up
  // within the timeout.
  explicit KubeControlPlane(KubeControlPlaneOptions options = {});
  ~KubeControlPlane();  // SIGTERM to each process (SIGKILL after a grace period), then rm -rf
  KubeControlPlane(const KubeControlPlane&) = delete;
  KubeControlPlane& operator=(const KubeControlPlane&) = delete;

  const std::string& directory() const { return dir_; }  // certificates, kubeconfig, etcd data
  const std::string& kubeconfig() const { return kubeconfig_; }  // admin (system:masters)
  const std::string& bin_dir() const { return bin_dir_; }
  std::string server() const;  // https://127.0.0.1:PORT
  std::uint16_t apiserver_port() const { return apiserver_port_; }
  std::uint16_t etcd_port() const { return etcd_port_; }
  const std::string& ca_file() const { return ca_cert_; }  // signs serving and client certs

  // Runs `kubectl --kubeconfig=ADMIN args...` and collects its output.
  KubectlResult kubectl(std::vector<std::string> args,
                        Millis timeout = std::chrono::seconds(60)) const;
  // Writes `manifest` to a file in directory() and runs `kubectl apply -f FILE extra_args...`.
  KubectlResult apply(const std::string& manifest, std::vector<std::string> extra_args = {},
                      Millis timeout = std::chrono::seconds(60)) const;
  // `kubectl wait --for=condition=Established` on each CRD, retried while the API server has not
  // yet written the CRD's status ("accessor error": kubectl fails at once then, not waiting).
  KubectlResult wait_established(const std::vector<std::string>& crds,
                                 Millis timeout = std::chrono::seconds(60)) const;
  // Writes `content` to a new file in directory(); returns its path.
  std::string write_file(const std::string& name_hint, const std::string& content) const;

  // Faults for resilience tests. The API server stopped (its clients' watches and requests
  // fail), kept down for `down`, and started again on the same port.
  void restart_apiserver(Millis down);
  // etcd's history compacted up to its current revision (returned): a watch that resumes from
  // an older resourceVersion than the API server's new watch cache then gets 410 Gone.
  std::int64_t compact_etcd() const;

  // What each process wrote to stderr so far (for failure messages).
  std::string etcd_log() const;
  std::string apiserver_log() const;
  std::string controller_manager_log() const;

 private:
  void make_certificates();
  void start_etcd(Millis timeout);
  // On a free port, or on the port it had (`same_port`: a restart).
  void start_apiserver(Millis timeout, bool same_port = false);
  void start_controller_manager(Millis timeout);
  void write_kubeconfig();
  void stop();

  KubeControlPlaneOptions options_;
  std::string bin_dir_;
  std::string dir_;
  std::string etcd_dir_;  // on tmpfs when available: fsync is cheap there
  std::string kubeconfig_;
  std::string ca_cert_;
  std::uint16_t etcd_port_ = 0;
  std::uint16_t apiserver_port_ = 0;
  std::unique_ptr<Subprocess> etcd_;
  std::unique_ptr<Subprocess> apiserver_;
  std::unique_ptr<Subprocess> controller_manager_;
  mutable std::atomic<int> files_written_ = 0;
};

// What the tests of one process share: a control plane with CRDs established, started once by
// a suite's SetUpTestSuite (start_shared_control_plane). The tests skip when `unavailable` says
// why this machine can have none, and fail with `error` when it or the CRDs did not come up.
struct SharedControlPlane {
  std::unique_ptr<KubeControlPlane> plane;
  std::string unavailable;
  std::string error;
};

// Starts a control plane, applies `crd_files` server-side (a CRD is larger than a last-applied
// annotation should be) and waits until `crd_names` are established. Never throws: what went
// wrong is in the result's `unavailable` or `error`.
std::unique_ptr<SharedControlPlane> start_shared_control_plane(
    const std::vector<std::string>& crd_files, const std::vector<std::string>& crd_names);

}  // namespace stampede::testing
