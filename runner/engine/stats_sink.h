#pragma once
// Where workers hand their statistics. Called on the worker's thread; implementations move the
// data to their own thread (asio::post), never share it.

#include <cstddef>
#include <cstdint>
#include <memory>

#include "engine/thread_stats.h"

namespace stampede {

class StatsSink {
 public:
  virtual void absorb(std::size_t worker, std::uint64_t tick, std::unique_ptr<ThreadStats> s) = 0;
  // The worker's last statistics; it has stopped and answers no more ticks.
  virtual void worker_done(std::size_t worker, std::unique_ptr<ThreadStats> s) = 0;

 protected:
  ~StatsSink() = default;
};

}  // namespace stampede
