#include "controller/leader_election.h"

#include <spdlog/spdlog.h>

#include "base/rfc3339.h"

namespace stampede::op {
namespace {

// Lease times are RFC 3339 with microseconds ("MicroTime").
std::string micro_time(WallTime t) {
  std::string text = format_rfc3339(t);  // ...SS.mmmZ
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch());
  char buf[8];
  std::snprintf(buf, sizeof buf, "%03d", static_cast<int>(micros.count() % 1000));
  text.insert(text.size() - 1, buf);
  return text;
}

}  // namespace

LeaderElector::LeaderElector(kube::KubeClient& kube, LeaderElectionConfig config)
    : kube_(kube), config_(std::move(config)) {}

LeaderElector::~LeaderElector() {
  stop();
}

bool LeaderElector::sleep(std::chrono::milliseconds d) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, d, [&] { return stopping_.load(); });
  return !stopping_;
}

bool LeaderElector::try_acquire_or_renew() {
  const WallTime now = std::chrono::system_clock::now();
  const kube::Result got = kube_.get(kube::kLeases, config_.ns, config_.name);
  nlohmann::json spec = {{"holderIdentity", config_.identity},
                         {"leaseDurationSeconds", config_.lease_duration.count()},
                         {"renewTime", micro_time(now)}};
  if (got.error == kube::ApiError::kNotFound) {
    spec["acquireTime"] = micro_time(now);
    spec["leaseTransitions"] = 0;
    const nlohmann::json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                                  {"kind", "Lease"},
                                  {"metadata", {{"name", config_.name}, {"namespace", config_.ns}}},
                                  {"spec", spec}};
    return kube_.create(kube::kLeases, config_.ns, lease).ok();
  }
  if (!got.ok()) {
    spdlog::warn("leader election: {}", got.message);
    return false;
  }
  nlohmann::json lease = got.object;
  const nlohmann::json old = lease.value("spec", nlohmann::json::object());
  const std::string holder = old.value("holderIdentity", "");
  if (!holder.empty() && holder != config_.identity) {
    std::string error;
    const auto renewed = parse_rfc3339(old.value("renewTime", ""), &error);
    const auto duration = std::chrono::seconds(old.value("leaseDurationSeconds", 15));
    if (renewed && now < *renewed + duration) return false;  // held by a live replica
    spec["leaseTransitions"] = old.value("leaseTransitions", 0) + 1;
    spec["acquireTime"] = micro_time(now);
  } else {
    spec["leaseTransitions"] = old.value("leaseTransitions", 0);
    spec["acquireTime"] =
        holder.empty() ? micro_time(now) : old.value("acquireTime", micro_time(now));
  }
  lease["spec"] = spec;
  // PUT with the resourceVersion we read: if another replica wrote meanwhile, this conflicts.
  return kube_.replace(kube::kLeases, config_.ns, config_.name, lease).ok();
}

bool LeaderElector::acquire() {
  while (!stopping_) {
    if (try_acquire_or_renew()) {
      leading_ = true;
      spdlog::info("leader election: {} leads (lease {}/{})", config_.identity, config_.ns,
                   config_.name);
      return true;
    }
    if (!sleep(config_.retry_period)) break;
  }
  return false;
}

void LeaderElector::keep_renewing(std::function<void()> on_lost) {
  renewer_ = std::thread([this, on_lost = std::move(on_lost)] {
    auto last_renewal = std::chrono::steady_clock::now();
    while (sleep(config_.retry_period)) {
      if (try_acquire_or_renew()) {
        last_renewal = std::chrono::steady_clock::now();
        continue;
      }
      if (std::chrono::steady_clock::now() - last_renewal > config_.renew_deadline) {
        leading_ = false;
        spdlog::error("leader election: lost the lease {}/{}", config_.ns, config_.name);
        if (on_lost) on_lost();
        return;
      }
    }
  });
}

void LeaderElector::stop() {
  {
    const std::lock_guard lock(mutex_);
    if (stopping_.exchange(true)) return;
  }
  wake_.notify_all();
  if (renewer_.joinable()) renewer_.join();
  if (!leading_) return;
  // Release: an empty holder lets a standby take over without waiting for expiry.
  const kube::Result got = kube_.get(kube::kLeases, config_.ns, config_.name);
  if (got.ok() && got.object["spec"].value("holderIdentity", "") == config_.identity) {
    nlohmann::json lease = got.object;
    lease["spec"]["holderIdentity"] = "";
    lease["spec"]["leaseDurationSeconds"] = 1;
    kube_.replace(kube::kLeases, config_.ns, config_.name, lease);
  }
  leading_ = false;
}

}  // namespace stampede::op
