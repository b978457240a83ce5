#pragma once
// A UserPool for load-driver tests: creates fake users (no network) and keeps them for
// inspection. UserT records what the driver asked of it.

#include <memory>
#include <vector>

#include "engine/load_driver.h"

namespace stampede::testing_support {

template <class UserT>
class FakeUserPool : public UserPool {
 public:
  User& create_user() override {
    users.push_back(std::make_unique<UserT>());
    return *users.back();
  }
  ThreadStats& stats() override { return stats_; }

  // Sum of f(user) over the users created so far.
  template <class F>
  std::size_t count(F f) const {
    std::size_t n = 0;
    for (const auto& u : users) n += f(*u);
    return n;
  }

  std::vector<std::unique_ptr<UserT>> users;
  ThreadStats stats_{1, 2};  // one statistics row, two scenarios

 protected:
  ~FakeUserPool() = default;  // a test's own pool derives from it; never deleted through it
};

}  // namespace stampede::testing_support
