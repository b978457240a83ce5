#pragma once
// What a virtual user carries from step to step, whatever its protocol: its number and
// iteration, its template variables (data rows and extracted values), the request rendered for
// the current step with its auth header, its JWTs, and the response rules (extract, checks,
// custom metrics) applied to each answer. The connection state machine (HttpUser) drives it;
// nothing here depends on the transport, so it is compiled once rather than per transport.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/compiled_plan.h"
#include "engine/response_rules.h"
#include "engine/user.h"
#include "engine/user_config.h"

namespace stampede {

class UserContext final : public TemplateScope {
 public:
  UserContext(UserHost& host, const UserConfig& config, std::uint64_t user_index);

  // A new iteration of `task`: numbers it and draws the task's data rows into the variables.
  void begin_iteration(const CompiledTask& task);

  // The step's request with its templates and auth rendered into a buffer every step reuses.
  // A JWT due for re-signing at `jwt_time` is signed again first.
  const std::string& render_request(const CompiledStep& step, TimePoint jwt_time);
  // A retry resends what render_request gave, after a wait that may outlast its JWT's margin:
  // a token due for re-signing now is replaced in place. Nothing for a constant request.
  void refresh_jwt(const CompiledStep& step, const std::string* request);

  // Extract, checks and custom metrics of `step` on one response. False when an extraction
  // found nothing (and had no default): later steps would miss the value.
  bool apply_response_rules(const CompiledStep& step, RequestStats& row,
                            const ResponseView& response);
  // Sets each extractor's variable (slots parallel to `extract`) from one response or message.
  // False when one found nothing and had no default.
  bool extract(const std::vector<Extractor>& extract, const std::vector<std::size_t>& slots,
               ResponseReader& reader);

  // TemplateScope: what {{ }} expressions of this user's requests read.
  std::string_view variable(std::size_t slot) const override { return values_[slot]; }
  std::uint64_t user_index() const override { return user_index_; }
  std::uint64_t iteration() const override { return iteration_; }
  std::uint32_t runner_index() const override { return config_.runner_index; }
  std::uint32_t runner_count() const override { return config_.runner_count; }
  std::uint64_t next_sequence() override { return host_.next_sequence(); }
  std::uint64_t random() override { return host_.random64(); }

 private:
  struct CachedJwt {
    const JwtAuth* config = nullptr;
    std::string token;
    TimePoint refresh_at{};
  };
  // Where the JWT sits in request_buf_ (length 0: the step sends none).
  struct Span {
    std::size_t offset = 0;
    std::size_t length = 0;
  };

  void draw_row(std::size_t feeder);
  void append_auth(const CompiledStep& step, TimePoint jwt_time);
  const std::string& jwt_token(const CompiledStep& step, const JwtAuth& jwt, TimePoint now);
  void record_custom(const MetricCapture& capture, ResponseReader& reader, TimePoint sent);
  // A counter's increment into the windows of the windowed thresholds on it.
  void count_in_windows(std::size_t metric, const std::string& value, TimePoint sent);

  UserHost& host_;
  const UserConfig& config_;
  std::uint64_t user_index_;
  std::uint64_t iteration_ = 0;
  std::uint64_t iterations_started_ = 0;
  // Data rows are views into the plan; extracted values live in owned_.
  std::vector<std::string_view> values_;
  std::vector<std::string> owned_;
  std::string request_buf_;
  std::string body_buf_;
  std::string scratch_;
  std::vector<CachedJwt> jwts_;
  Span jwt_span_;
};

}  // namespace stampede
