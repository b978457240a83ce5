#pragma once
// Logs as one JSON object per line ({"ts","level","logger","msg"}), what log collectors in a
// cluster parse without configuration.

#include <spdlog/logger.h>

#include <memory>

namespace stampede::op {

std::shared_ptr<spdlog::logger> make_json_logger(const std::string& name);

}  // namespace stampede::op
