#include "support/stampede_run.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace stampede::testing {
namespace {

std::vector<std::string>& temp_files() {
  static auto* files = new std::vector<std::string>();
  static const bool kRegistered = [] {
    std::atexit([] {
      for (const auto& f : temp_files()) std::remove(f.c_str());
    });
    return true;
  }();
  (void)kRegistered;
  return *files;
}

}  // namespace

std::string StampedeRun::describe() const {
  std::ostringstream s;
  s << "exit " << exit_code << "\n--- stdout\n" << out << "\n--- stderr\n" << err;
  return s.str();
}

namespace {

const nlohmann::json& find_row(const nlohmann::json& result, const std::string& name,
                               const std::string* method) {
  static const nlohmann::json kNone = nlohmann::json::object();
  if (!result.contains("requests")) return kNone;
  for (const auto& row : result["requests"]) {
    if (row["name"] == name && (method == nullptr || row["method"] == *method)) return row;
  }
  return kNone;
}

}  // namespace

const nlohmann::json& result_row(const nlohmann::json& result, const std::string& name) {
  return find_row(result, name, nullptr);
}

const nlohmann::json& result_row(const nlohmann::json& result, const std::string& name,
                                 const std::string& method) {
  return find_row(result, name, &method);
}

std::uint64_t row_requests(const nlohmann::json& result, const std::string& name) {
  return result_row(result, name).value("requests", std::uint64_t{0});
}

std::string write_temp_file(const std::string& content, const std::string& suffix) {
  std::string path = "/tmp/stampede-test-XXXXXX" + suffix;
  const int fd = ::mkstemps(path.data(), static_cast<int>(suffix.size()));
  if (fd < 0) throw std::runtime_error("mkstemps failed");
  ::close(fd);
  std::ofstream(path) << content;
  temp_files().push_back(path);
  return path;
}

StampedeRun run_stampede(const std::string& command, const std::string& plan_yaml,
                         std::vector<std::string> args, Millis timeout, const Env& env) {
  const std::string plan = write_temp_file(plan_yaml);
  const std::string json = write_temp_file("", ".json");
  std::vector<std::string> argv{STAMPEDE_BIN, command, plan};
  if (command == "run") {
    argv.insert(argv.end(), {"--json", json, "--quiet"});
  }
  argv.insert(argv.end(), args.begin(), args.end());
  const RunResult r = run_process(argv, timeout, env);
  StampedeRun run;
  run.exit_code = r.timed_out ? -2 : r.status.code;
  run.out = r.stdout_text;
  run.err = r.stderr_text;
  std::ifstream in(json);
  std::stringstream text;
  text << in.rdbuf();
  if (!text.str().empty()) run.result = nlohmann::json::parse(text.str(), nullptr, false);
  return run;
}

std::string one_scenario_plan(const std::string& url, const std::string& load,
                              const std::string& steps) {
  return "target: " + url + "\nload: " + load + "\nscenarios:\n  - name: s\n    steps:\n" + steps;
}

}  // namespace stampede::testing
