#pragma once
// Leader election with a coordination.k8s.io/v1 Lease, as client-go does it: take the Lease when
// it is free or expired, renew it every few seconds, and give up leadership when it cannot be
// renewed within the lease duration (then another replica may already have taken over).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "kube/kube_client.h"

namespace stampede::op {

struct LeaderElectionConfig {
  std::string ns;
  std::string name = "stampede-operator";
  std::string identity;  // this replica: the pod name, by default the host name
  std::chrono::seconds lease_duration{15};
  std::chrono::seconds renew_deadline{10};
  std::chrono::seconds retry_period{2};
};

class LeaderElector {
 public:
  LeaderElector(kube::KubeClient& kube, LeaderElectionConfig config);
  ~LeaderElector();

  // Blocks until this replica leads (true) or stop() is called (false).
  bool acquire();
  // Renews on a thread of its own; `on_lost` runs once if the lease cannot be renewed in time.
  void keep_renewing(std::function<void()> on_lost);
  bool leading() const { return leading_; }
  // Stops renewing and, when leading, releases the lease so a standby takes over at once.
  void stop();

 private:
  bool try_acquire_or_renew();
  bool sleep(std::chrono::milliseconds d);  // false when stopped

  kube::KubeClient& kube_;
  LeaderElectionConfig config_;
  std::atomic<bool> leading_{false};
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread renewer_;
};

}  // namespace stampede::op
