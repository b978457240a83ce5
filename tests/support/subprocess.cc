#include "support/subprocess.h"

// subprocess.h, included first, brings <utility>, which Boost 1.74's Asio needs before it.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <tuple>

extern char** environ;

namespace stampede::testing {
namespace {

using Clock = std::chrono::steady_clock;
constexpr Millis kPollInterval(5);

std::runtime_error errno_error(const std::string& what, int error) {
  return std::runtime_error(what + ": " + std::strerror(error));
}

// A fresh empty file under $TMPDIR; returns its path and an fd that is closed on exec.
std::pair<std::string, int> make_temp_file(std::string_view tag) {
  const char* dir = std::getenv("TMPDIR");
  std::string path =
      std::string(dir != nullptr ? dir : "/tmp") + "/stampede-test-" + std::string(tag) + "-XXXXXX";
  const int fd = mkostemp(path.data(), O_CLOEXEC);
  if (fd < 0) throw errno_error("mkostemp " + path, errno);
  return {path, fd};
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The parent's environment with `extra` merged in, as owned "NAME=value" strings.
std::vector<std::string> merged_environment(const Env& extra) {
  std::vector<std::string> result;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    if (!extra.contains(std::string(text.substr(0, text.find('='))))) result.emplace_back(text);
  }
  for (const auto& [name, value] : extra)
    result.push_back(std::string(name).append("=").append(value));
  return result;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (auto& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

ExitStatus decode_wait_status(int status) {
  ExitStatus result;
  if (WIFEXITED(status)) result.code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

// Spawns with default signal dispositions and an empty mask, so the child does not inherit
// whatever the test runner blocked or ignored.
pid_t spawn(std::vector<std::string>& argv, std::vector<std::string>& env, int out_fd, int err_fd) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t all_signals;
  sigset_t no_signals;
  sigfillset(&all_signals);
  sigemptyset(&no_signals);
  posix_spawnattr_setsigdefault(&attributes, &all_signals);
  posix_spawnattr_setsigmask(&attributes, &no_signals);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  auto args = c_strings(argv);
  auto envp = c_strings(env);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, args[0], &actions, &attributes, args.data(), envp.data());
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw errno_error("cannot start " + argv[0], rc);
  return pid;
}

}  // namespace

std::string ExitStatus::to_string() const {
  return signal != 0 ? "signal " + std::to_string(signal) : "exit " + std::to_string(code);
}

Subprocess::Subprocess(std::vector<std::string> argv, const Env& env) {
  if (argv.empty()) throw std::invalid_argument("Subprocess: empty argv");
  // Owns the capture fds for the parent: the child gets its own copies through dup2.
  struct Fds {
    int out = -1;
    int err = -1;
    ~Fds() {
      if (out >= 0) close(out);
      if (err >= 0) close(err);
    }
  } fds;
  try {
    std::tie(stdout_path_, fds.out) = make_temp_file("stdout");
    std::tie(stderr_path_, fds.err) = make_temp_file("stderr");
    auto environment = merged_environment(env);
    pid_ = spawn(argv, environment, fds.out, fds.err);
  } catch (...) {
    release();  // the destructor will not run: remove the capture files here
    throw;
  }
}

Subprocess::Subprocess(Subprocess&& other) noexcept {
  *this = std::move(other);
}

Subprocess& Subprocess::operator=(Subprocess&& other) noexcept {
  if (this != &other) {
    release();
    pid_ = std::exchange(other.pid_, -1);
    status_ = std::exchange(other.status_, std::nullopt);
    stdout_path_ = std::exchange(other.stdout_path_, {});
    stderr_path_ = std::exchange(other.stderr_path_, {});
  }
  return *this;
}

Subprocess::~Subprocess() {
  release();
}

void Subprocess::release() {
  if (pid_ > 0 && !status_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  pid_ = -1;
  if (!stdout_path_.empty()) unlink(stdout_path_.c_str());
  if (!stderr_path_.empty()) unlink(stderr_path_.c_str());
  stdout_path_.clear();
  stderr_path_.clear();
}

bool Subprocess::running() {
  return !wait(Millis(0)).has_value();
}

void Subprocess::send_signal(int signal) {
  if (pid_ > 0 && !status_) ::kill(pid_, signal);
}

std::optional<ExitStatus> Subprocess::wait(Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!status_ && pid_ > 0) {
    int status = 0;
    const pid_t rc = waitpid(pid_, &status, WNOHANG);
    if (rc == pid_) {
      status_ = decode_wait_status(status);
    } else if (rc < 0 && errno != EINTR) {
      status_ = ExitStatus{};  // not our child any more; nothing left to wait for
    } else if (Clock::now() >= deadline) {
      return std::nullopt;
    } else {
      std::this_thread::sleep_for(kPollInterval);
    }
  }
  return status_;
}

ExitStatus Subprocess::wait_or_kill(Millis timeout, Millis grace) {
  if (auto status = wait(timeout)) return *status;
  return terminate(grace);
}

ExitStatus Subprocess::terminate(Millis grace) {
  send_signal(SIGTERM);
  if (auto status = wait(grace)) return *status;
  send_signal(SIGKILL);
  return *wait(Millis(60'000));
}

std::string Subprocess::stdout_text() const {
  return read_file(stdout_path_);
}
std::string Subprocess::stderr_text() const {
  return read_file(stderr_path_);
}

std::optional<std::string> Subprocess::wait_for_line(std::string_view prefix, Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    // Check exit first: output written before the exit is then surely in the file below.
    const bool exited = !running();
    std::istringstream lines(stdout_text());
    std::string line;
    while (std::getline(lines, line)) {
      if (!lines.eof() && line.starts_with(prefix)) return line;  // eof: line is incomplete
    }
    if (exited || Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(kPollInterval);
  }
}

std::vector<std::string> with_open_file_limit(unsigned max_open_files,
                                              std::vector<std::string> argv) {
  std::vector<std::string> wrapped{
      "/bin/sh", "-c", "ulimit -n " + std::to_string(max_open_files) + " && exec \"$@\"", "sh"};
  wrapped.insert(wrapped.end(), std::make_move_iterator(argv.begin()),
                 std::make_move_iterator(argv.end()));
  return wrapped;
}

RunResult run_process(std::vector<std::string> argv, Millis timeout, const Env& env) {
  Subprocess process(std::move(argv), env);
  RunResult result;
  if (auto status = process.wait(timeout)) {
    result.status = *status;
  } else {
    result.timed_out = true;
    result.status = process.terminate(Millis(2'000));
  }
  result.stdout_text = process.stdout_text();
  result.stderr_text = process.stderr_text();
  return result;
}

TargetProcess::TargetProcess(const std::string& binary, std::vector<std::string> extra_args)
    : process_([&] {
        std::vector<std::string> argv{binary, "--listen", "127.0.0.1:0", "--quiet"};
        argv.insert(argv.end(), extra_args.begin(), extra_args.end());
        return Subprocess(std::move(argv));
      }()) {
  // Generous: sanitizer builds start slowly on a loaded machine.
  const auto line = process_.wait_for_line("listening on ", Millis(20'000));
  const auto parsed =
      line ? parse_http_url(line->substr(std::strlen("listening on "))) : std::nullopt;
  if (!parsed) {
    throw std::runtime_error("stampede-target did not report a listening URL; stdout: " +
                             process_.stdout_text() + " stderr: " + process_.stderr_text());
  }
  url_ = line->substr(std::strlen("listening on "));
  host_ = parsed->first;
  port_ = parsed->second;
}

TargetProcess::~TargetProcess() {
  stop();
}

ExitStatus TargetProcess::stop() {
  return process_.terminate(Millis(10'000));
}

}  // namespace stampede::testing
