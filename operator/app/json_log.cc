#include "app/json_log.h"

#include <spdlog/sinks/base_sink.h>

#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>

#include "base/rfc3339.h"

namespace stampede::op {
namespace {

// Writes each record as JSON to stderr; nlohmann::json escapes the message properly.
class JsonSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const nlohmann::json line = {
        {"ts", format_rfc3339(std::chrono::time_point_cast<WallTime::duration>(msg.time))},
        {"level", std::string(spdlog::level::to_string_view(msg.level).data(),
                              spdlog::level::to_string_view(msg.level).size())},
        {"logger", std::string(msg.logger_name.data(), msg.logger_name.size())},
        {"msg", std::string(msg.payload.data(), msg.payload.size())}};
    const std::string text =
        line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    std::fwrite(text.data(), 1, text.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }
};

}  // namespace

std::shared_ptr<spdlog::logger> make_json_logger(const std::string& name) {
  return std::make_shared<spdlog::logger>(name, std::make_shared<JsonSink>());
}

}  // namespace stampede::op
