#pragma once
// Helpers for integration tests: run a binary as a child process with captured output, talk HTTP
// to it with a small blocking client, and run stampede-target as an RAII fixture.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/http_client.h"

namespace stampede::testing {

using Millis = std::chrono::milliseconds;
using Env = std::map<std::string, std::string>;

struct ExitStatus {
  int code = -1;   // the exit code when the process exited, else -1
  int signal = 0;  // the signal that killed it, else 0

  bool exited() const { return signal == 0 && code >= 0; }
  std::string to_string() const;  // "exit 0" or "signal 9"
};

// A child process with stdin from /dev/null and stdout/stderr captured to temporary files (files,
// not pipes: a chatty child can never block on a full pipe the test forgot to drain).
class Subprocess {
 public:
  // Starts argv[0] (looked up in PATH when it has no '/') with the parent's environment plus
  // `env`, which overrides variables of the same name. Throws std::runtime_error on failure.
  explicit Subprocess(std::vector<std::string> argv, const Env& env = {});
  Subprocess(Subprocess&& other) noexcept;
  Subprocess& operator=(Subprocess&& other) noexcept;
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;
  // SIGKILLs a child that is still running, reaps it and removes the capture files.
  ~Subprocess();

  pid_t pid() const { return pid_; }
  bool running();  // does not block
  void send_signal(int signal);

  // Waits up to `timeout` for the child to exit; nullopt while it still runs.
  std::optional<ExitStatus> wait(Millis timeout);
  // Waits up to `timeout`; then SIGTERM, and SIGKILL once `grace` passes. Always reaps.
  ExitStatus wait_or_kill(Millis timeout, Millis grace = std::chrono::seconds(2));
  // SIGTERM now and wait; SIGKILL once `grace` passes.
  ExitStatus terminate(Millis grace = std::chrono::seconds(5));

  // Everything the child wrote so far.
  std::string stdout_text() const;
  std::string stderr_text() const;
  // The first complete stdout line starting with `prefix` (without its newline). Waits up to
  // `timeout`; nullopt if it does not appear or the child exits first.
  std::optional<std::string> wait_for_line(std::string_view prefix, Millis timeout);

 private:
  void release();

  pid_t pid_ = -1;
  std::optional<ExitStatus> status_;  // set once reaped
  std::string stdout_path_;
  std::string stderr_path_;
};

struct RunResult {
  ExitStatus status;
  bool timed_out = false;  // killed because it ran longer than the timeout
  std::string stdout_text;
  std::string stderr_text;
};

// `argv` run under a limit of `max_open_files` file descriptors (RLIMIT_NOFILE, soft and hard):
// /bin/sh sets the limit and then execs argv, so it holds from the child's first instruction
// and the child keeps the pid Subprocess reports.
std::vector<std::string> with_open_file_limit(unsigned max_open_files,
                                              std::vector<std::string> argv);

// Runs a command to completion (killing it after `timeout`) and collects its output.
RunResult run_process(std::vector<std::string> argv, Millis timeout, const Env& env = {});

// ---------------------------------------------------------------------------------------------
// stampede-target as a fixture: started on a free loopback port, stopped in the destructor.

class TargetProcess {
 public:
  // Runs `binary --listen 127.0.0.1:0 --quiet extra_args...` (later flags win) and waits for
  // its "listening on" line; throws std::runtime_error, with its stderr, when none arrives.
  explicit TargetProcess(const std::string& binary, std::vector<std::string> extra_args = {});
  ~TargetProcess();  // stop()s a still-running server
  TargetProcess(const TargetProcess&) = delete;
  TargetProcess& operator=(const TargetProcess&) = delete;

  const std::string& host() const { return host_; }
  std::uint16_t port() const { return port_; }
  const std::string& url() const { return url_; }  // "http://127.0.0.1:PORT"
  Subprocess& process() { return process_; }

  HttpResponse get(std::string_view target) const { return http_get(host_, port_, target); }
  HttpResponse post(std::string_view target, std::string_view body = {}) const {
    return http_post(host_, port_, target, body);
  }

  // SIGTERM and wait for the exit.
  ExitStatus stop();

 private:
  Subprocess process_;
  std::string url_;
  std::string host_;
  std::uint16_t port_ = 0;
};

}  // namespace stampede::testing
