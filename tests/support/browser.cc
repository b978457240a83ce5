#include "support/browser.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
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

namespace {

constexpr const char* kPython = "/usr/bin/python3";  // see open_in_browser

std::string browser_script() {
  return std::string(STAMPEDE_SOURCE_DIR) + "/tests/support/browser.py";
}

// A FIFO in a new private directory: browser.py reads its commands from it.
std::string make_fifo() {
  std::string dir = "/tmp/stampede-browser-XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) {
    throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
  }
  const std::string path = dir + "/commands";
  if (::mkfifo(path.c_str(), 0600) != 0) {
    throw std::runtime_error("mkfifo " + path + ": " + std::strerror(errno));
  }
  return path;
}

void write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      throw std::runtime_error(std::string("writing to browser.py: ") + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

BrowserSession::BrowserSession(const std::string& url, Millis timeout) : fifo_(make_fifo()) {
  // Opened for reading too: a FIFO opened only for writing blocks until its reader opens it, and
  // browser.py might never get that far. Close-on-exec, so that browser.py sees the end of the
  // commands when this end closes.
  commands_ = ::open(fifo_.c_str(), O_RDWR | O_CLOEXEC);
  if (commands_ < 0) throw std::runtime_error("open " + fifo_ + ": " + std::strerror(errno));
  process_ = std::make_unique<Subprocess>(
      std::vector<std::string>{kPython, browser_script(), url, "--session", fifo_});
  const auto ready = process_->wait_for_line("reply 0 ", timeout);
  const nlohmann::json answer =
      ready ? nlohmann::json::parse(ready->substr(8), nullptr, false) : nlohmann::json();
  if (!answer.is_object() || !answer.value("ok", false)) {
    throw std::runtime_error("browser.py did not open " + url + ":\n" + process_->stdout_text() +
                             process_->stderr_text());
  }
}

BrowserSession::~BrowserSession() {
  if (commands_ >= 0) ::close(commands_);  // the end of the commands: browser.py quits
  if (process_) process_->wait_or_kill(std::chrono::seconds(15));
  std::error_code ignored;
  std::filesystem::remove_all(std::filesystem::path(fifo_).parent_path(), ignored);
}

nlohmann::json BrowserSession::command(nlohmann::json command, Millis timeout) {
  const int id = next_id_++;
  command["id"] = id;
  write_all(commands_, command.dump() + "\n");
  const std::string prefix = "reply " + std::to_string(id) + " ";
  const auto line = process_->wait_for_line(prefix, timeout);
  if (!line) {
    throw std::runtime_error("browser.py did not answer " + command.dump() + " in time:\n" +
                             process_->stderr_text());
  }
  const nlohmann::json answer = nlohmann::json::parse(line->substr(prefix.size()));
  if (!answer.value("ok", false)) {
    throw std::runtime_error(command.value("op", "") + ": " + answer.value("error", "failed"));
  }
  return answer["value"];
}

nlohmann::json BrowserSession::eval(const std::string& expression) {
  return command({{"op", "eval"}, {"expression", expression}}, std::chrono::seconds(30));
}

nlohmann::json BrowserSession::wait_until(const std::string& expression, Millis timeout) {
  const double seconds = std::chrono::duration<double>(timeout).count();
  return command({{"op", "wait"}, {"expression", expression}, {"timeout", seconds}},
                 timeout + std::chrono::seconds(30));
}

void BrowserSession::click(const std::string& selector) {
  command({{"op", "click"}, {"selector", selector}}, std::chrono::seconds(30));
}

void BrowserSession::type(const std::string& selector, const std::string& text) {
  command({{"op", "type"}, {"selector", selector}, {"text", text}}, std::chrono::seconds(30));
}

void BrowserSession::screenshot(const std::string& path) {
  command({{"op", "screenshot"}, {"path", path}}, std::chrono::seconds(60));
}

BrowserVisit BrowserSession::visit() {
  return {command({{"op", "report"}}, std::chrono::seconds(30))};
}

}  // namespace stampede::testing
