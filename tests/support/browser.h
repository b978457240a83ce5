#pragma once
// A local HTML file opened in headless Chromium (Debian's chromium) by tests/support/browser.py
// through the DevTools protocol: what the page logged, threw and requested, how long it took to
// load, and the value of an expression evaluated in it; or a page kept open and driven step by
// step (BrowserSession).

#include <memory>
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

// A page kept open in headless Chromium and driven step by step (browser.py --session), for a
// page that changes while the test acts on it and checks the world around it. Every call has a
// deadline; a failed step throws std::runtime_error with browser.py's message.
class BrowserSession {
 public:
  // Opens `url` (http://..., or a local file's path) and waits for its load event.
  explicit BrowserSession(const std::string& url, Millis timeout = std::chrono::seconds(60));
  ~BrowserSession();  // closes the browser
  BrowserSession(const BrowserSession&) = delete;
  BrowserSession& operator=(const BrowserSession&) = delete;

  // The JSON value of `expression` (a promise is awaited).
  nlohmann::json eval(const std::string& expression);
  // The value of `expression` once it is truthy (polled every 100 ms); throws after `timeout`,
  // saying what it last was.
  nlohmann::json wait_until(const std::string& expression, Millis timeout);
  // A mouse click at the centre of the first element matching the CSS `selector`.
  void click(const std::string& selector);
  // Replaces the text of the field matching `selector` by typing `text` into it.
  void type(const std::string& selector, const std::string& text);
  // A PNG of the whole page.
  void screenshot(const std::string& path);
  // What the page logged, threw and requested so far, as open_in_browser reports it.
  BrowserVisit visit();

 private:
  nlohmann::json command(nlohmann::json command, Millis timeout);

  std::string fifo_;
  int commands_ = -1;  // the FIFO's write end
  std::unique_ptr<Subprocess> process_;
  int next_id_ = 1;
};

}  // namespace stampede::testing
