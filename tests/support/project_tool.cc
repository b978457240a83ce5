#include "support/project_tool.h"

#include <cstdlib>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include "support/subprocess.h"

namespace stampede::testing {
namespace {

using namespace std::chrono_literals;
constexpr Millis kScriptTimeout = 60min;  // a cold scripts/build-kube

std::string last_lines(const std::string& text, std::size_t max = 6000) {
  return text.size() <= max ? text : "[...]\n" + text.substr(text.size() - max);
}

std::string run_script(const std::string& script) {
  const std::string path = std::string(STAMPEDE_SOURCE_DIR) + "/scripts/" + script;
  const RunResult r = run_process({path}, kScriptTimeout);
  if (r.status.code != 0) {
    throw std::runtime_error("scripts/" + script + " failed (" +
                             (r.timed_out ? std::string("timed out") : r.status.to_string()) +
                             "):\n" + last_lines(r.stderr_text));
  }
  std::istringstream lines(r.stdout_text);
  std::string line;
  std::string last;
  while (std::getline(lines, line)) {
    if (!line.empty()) last = line;
  }
  if (last.empty()) throw std::runtime_error("scripts/" + script + " printed no path");
  return last;
}

}  // namespace

std::string project_tool(const std::string& env_var, const std::string& script) {
  static std::mutex mutex;
  static std::map<std::string, std::string> cached;
  std::lock_guard lock(mutex);
  if (const auto it = cached.find(script); it != cached.end()) return it->second;
  const char* env = std::getenv(env_var.c_str());
  std::string path = env != nullptr && *env != '\0' ? std::string(env) : run_script(script);
  cached[script] = path;
  return path;
}

}  // namespace stampede::testing
