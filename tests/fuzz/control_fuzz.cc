// The control API (control/control_api.cc): ControlApi::handle, the function the runner's HTTP
// server calls with each parsed request, driven without sockets through a script of requests
// interleaved with what the engine's control thread does. Beyond "no crash": every response
// has a status the API documents, JSON bodies parse, 405 names Allow, 401 asks for Bearer, and
// the token is never accepted when it is wrong.
//
// Input: lines. "METHOD TARGET [good|bad|<Authorization value>]" starts a request whose body is
// the lines up to a line ".". Lines starting with '!' are the control thread: "!ready",
// "!notready REASON", "!started", "!stopping", "!status JSON", "!finished TEXT", "!loads"
// (load changes reach a closed-model LoadControl, as they reach the engine), and for /v1/setup
// and /v1/teardown "!allow setup|teardown", "!deny ...", "!needvalues", "!phasedone ..." and
// "!phasefailed ..." (the main thread running a phase that was asked for).

#include <strings.h>

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "control/control_api.h"
#include "engine/load_control.h"

namespace {

using namespace stampede;

constexpr std::string_view kToken = "s3cret-token";

// Splits off the first line of *rest (without its '\n').
std::string_view next_line(std::string_view* rest) {
  const std::size_t nl = rest->find('\n');
  const std::string_view line = rest->substr(0, nl);
  rest->remove_prefix(nl == std::string_view::npos ? rest->size() : nl + 1);
  return line;
}

std::string_view word(std::string_view* line) {
  const std::size_t sp = line->find(' ');
  const std::string_view w = line->substr(0, sp);
  line->remove_prefix(sp == std::string_view::npos ? line->size() : sp + 1);
  return w;
}

// The load the engine would run: 2 users for a minute.
LoadModel fuzz_load() {
  ClosedModel m;
  m.users = 2;
  m.duration = std::chrono::seconds(60);
  return LoadModel{m};
}

void control_thread(ControlState& state, std::string_view line, bool* stop_called,
                    LoadControl& load) {
  const std::string_view command = word(&line);
  if (command == "!loads") {
    state.accept_load_changes(
        [&load](const LoadChange& c) { return load.change(c, Clock::now()); });
  } else if (command == "!ready") {
    state.set_ready(true);
  } else if (command == "!notready") {
    state.set_ready(false, std::string(line));
  } else if (command == "!started") {
    state.started([stop_called] { *stop_called = true; });
  } else if (command == "!stopping") {
    state.set_state(RunState::kStopping);
  } else if (command == "!status") {
    state.set_status(nlohmann::json::parse(line, nullptr, false));
  } else if (command == "!finished") {
    state.finished(std::string(line));
  } else if (command == "!allow" || command == "!deny") {
    state.phases().allow(line == "teardown" ? Phase::kTeardown : Phase::kSetup, command == "!allow",
                         "not now");
  } else if (command == "!needvalues") {
    state.phases().require_setup_values(true);
  } else if (command == "!phasedone" || command == "!phasefailed") {
    // What the main thread does with a phase asked for: takes it, runs it, reports.
    const Phase phase = line == "teardown" ? Phase::kTeardown : Phase::kSetup;
    if (state.phases().take(phase)) {
      state.phases().finish(phase, command == "!phasedone", {{"values", {{"token", "t"}}}});
    }
  }
}

HttpRequest request(std::string_view line, std::string_view* rest, bool* good_token) {
  HttpRequest r;
  r.method = std::string(word(&line));
  const std::string_view target = word(&line);
  const std::size_t q = target.find('?');
  r.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) r.query = std::string(target.substr(q + 1));
  *good_token = line == "good";
  if (line == "good") {
    r.authorization = "Bearer " + std::string(kToken);
  } else if (line == "bad") {
    r.authorization = "Bearer wrong";
  } else {
    r.authorization = std::string(line);
  }
  while (!rest->empty()) {
    const std::string_view body_line = next_line(rest);
    if (body_line == ".") break;
    r.body.append(body_line).push_back('\n');
  }
  return r;
}

bool documented(unsigned status) {
  switch (status) {
    case 200:
    case 202:
    case 400:
    case 401:
    case 404:
    case 405:
    case 409:
    case 422:  // /v1/setup, /v1/teardown: the phase failed
    case 503:
      return true;
    default:
      return false;
  }
}

void check(const HttpRequest& r, const HttpResponse& response, bool good_token) {
  if (!documented(response.status)) __builtin_trap();
  const bool mutating = r.path == "/v1/start" || r.path == "/v1/stop" || r.path == "/v1/load" ||
                        r.path == "/v1/setup" || r.path == "/v1/teardown";
  // The scheme is case-insensitive (RFC 9110), the token is not.
  const std::string_view auth = r.authorization;
  const bool token_matches =
      good_token || (auth.size() == 7 + kToken.size() && auth.substr(7) == kToken &&
                     strncasecmp(auth.data(), "Bearer ", 7) == 0);
  if (mutating && r.method == "POST" && !token_matches && response.status != 401) {
    __builtin_trap();  // a mutating call without the token got through
  }
  if (response.status == 401 && response.headers.empty()) __builtin_trap();
  if (response.status == 405 && response.headers.empty()) __builtin_trap();
  if (response.content_type == "application/json" && r.path != "/v1/result" &&
      !nlohmann::json::accept(response.body)) {
    __builtin_trap();
  }
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the entry point libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  ControlState state;
  ControlApi api(state, nullptr, std::string(kToken));
  bool stop_called = false;
  LoadControl load(fuzz_load(), {1});
  for (int steps = 0; !rest.empty() && steps < 64; ++steps) {
    const std::string_view line = next_line(&rest);
    if (line.starts_with('!')) {
      control_thread(state, line, &stop_called, load);
      continue;
    }
    bool good_token = false;
    const HttpRequest r = request(line, &rest, &good_token);
    HttpResponse response = api.handle(r);
    check(r, response, good_token);
    if (response.after_sent) response.after_sent();
  }
  return 0;
}
