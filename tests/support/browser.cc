#include "support/browser.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "support/stampede_run.h"

namespace stampede::testing {

std::vector<std::string> BrowserVisit::console_errors() const {
  std::vector<std::string> errors;
  for (const auto& entry : report.value("console", nlohmann::json::array())) {
    if (entry.value("level", "") == "error") errors.push_back(entry.value("text", ""));
  }
  return errors;
}

BrowserVisit open_in_browser(const std::string& html_path, const std::string& expression,
                             const std::string& screenshot, const std::string& pdf,
                             Millis timeout) {
  const std::string out = write_temp_file("", ".json");
  // Debian's python3-websockets is installed for the system's python, not for any other on PATH.
  std::vector<std::string> argv{"/usr/bin/python3",
                                std::string(STAMPEDE_SOURCE_DIR) + "/tests/support/browser.py",
                                html_path,
                                "--eval",
                                expression,
                                "--out",
                                out};
  if (!screenshot.empty()) argv.insert(argv.end(), {"--screenshot", screenshot});
  if (!pdf.empty()) argv.insert(argv.end(), {"--pdf", pdf});
  const RunResult r = run_process(argv, timeout);
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  if (r.timed_out || r.status.code != 0 || text.str().empty()) {
    throw std::runtime_error("browser.py failed (" + r.status.to_string() +
                             (r.timed_out ? ", timed out" : "") + "):\n" + r.stderr_text);
  }
  return {nlohmann::json::parse(text.str())};
}

}  // namespace stampede::testing
