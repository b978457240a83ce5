#pragma once
// The simulated LLM providers behind /api/chat. Real chat gateways spread requests over several
// providers; a load plan checks that spread through the X-Provider header.

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace stampede::target {

struct ChatProvider {
  std::string_view name;
  // The latency reported in X-Provider-Latency-Ms when the request asks for no delay: fixed per
  // provider (in the order of real hosted models) so a plan can assert on it.
  std::chrono::milliseconds typical_latency;
};

inline constexpr std::array<ChatProvider, 4> kChatProviders{{
    {"groq", std::chrono::milliseconds(180)},
    {"gemini", std::chrono::milliseconds(650)},
    {"openrouter", std::chrono::milliseconds(900)},
    {"cerebras", std::chrono::milliseconds(120)},
}};

// Round-robin over kChatProviders, shared by all threads: the n-th admitted chat request (from
// 0, counted over the whole server) goes to kChatProviders[n % 4].
class ProviderRotation {
 public:
  // An index into kChatProviders.
  std::size_t next() {
    return static_cast<std::size_t>(next_.fetch_add(1, std::memory_order_relaxed) %
                                    kChatProviders.size());
  }

 private:
  std::atomic<std::uint64_t> next_{0};
};

}  // namespace stampede::target
