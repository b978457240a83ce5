#pragma once
// A local HTML file opened in headless Chromium (Debian's chromium) by tests/support/browser.py
// through the DevTools protocol: what the page logged, threw and requested, how long it took to
// load, and the value of an expression evaluated in it.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/subprocess.h"

namespace stampede::testing {

struct BrowserVisit {
  // browser.py's report: console [{level, text}], exceptions [...], requests [url...],
  // load_ms, url, and value (the expression's result).
  nlohmann::json report;

  // Console entries at level "error" (a failed load and a CSP violation are logged so too).
  std::vector<std::string> console_errors() const;
  std::string describe() const { return report.dump(2); }
};

// Opens `html_path`, evaluates `expression` after the load event, and writes a PNG of the whole
// page to `screenshot` (and a PDF to `pdf`) when given. Throws std::runtime_error, with
// browser.py's output, when the browser cannot be run.
BrowserVisit open_in_browser(const std::string& html_path, const std::string& expression,
                             const std::string& screenshot = "", const std::string& pdf = "",
                             Millis timeout = std::chrono::seconds(120));

}  // namespace stampede::testing
