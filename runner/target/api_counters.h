#pragma once
// Outcome counters of the /api endpoints, reported as the "api" object of /__stats so a test can
// compare what a load test saw with what the server did, exactly. Relaxed atomics: each count
// is exact on its own, and these endpoints already take a store or bucket lock per request.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "target/chat_provider.h"

namespace stampede::target {

enum class ApiEvent : std::size_t {
  kPlansCreated,      // POST /api/plans -> 201
  kPlansApproved,     // POST /api/plans/ID/approve -> 200
  kApproveConflicts,  // ... -> 409
  kJwtAccepted,       // /api/secure or /api/secure/admin -> 200
  kJwtRejected,       // ... -> 401
  kJwtForbidden,      // /api/secure/admin with a valid non-admin token -> 403
  kLimitedAccepted,   // /api/limited -> 200
  kLimitedRejected,   // /api/limited -> 429
  kChatRejected,      // /api/chat -> 429 (admitted requests count in chat_by_provider)
  kWorkersCreated,    // POST /api/workers -> 201
  kWorkersClaimed,    // POST /api/workers/ID/claim -> 200
  kClaimConflicts,    // ... -> 409
  kWorkersDeleted,    // DELETE /api/workers/ID -> 204
  kAdminReports,      // GET /api/admin/report -> 200
  kAdminForbidden,    // ... -> 403
  kNotFound,          // 404 for an unknown plan or worker id
  kBadRequests,       // 400 from any /api endpoint
  kStreamsStarted,    // /api/chat/stream and /v1/chat/completions (stream) began sending events
  kStreamsCompleted,  // ... sent their last event (the end marker)
  kStreamEvents,      // events written, end markers not included
  kCount,
};

class ApiCounters {
 public:
  void record(ApiEvent event);
  void record_chat(std::size_t provider);  // an index into kChatProviders

  // Zeroes every count. Requests in flight meanwhile may land before or after the reset.
  void reset();
  // {"plans_created": N, ..., "chat_by_provider": {"groq": N, ...}}; every key always present.
  nlohmann::json to_json() const;

 private:
  std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(ApiEvent::kCount)> events_{};
  std::array<std::atomic<std::uint64_t>, kChatProviders.size()> chats_{};
};

}  // namespace stampede::target
