#include "cli/options.h"

#include <boost/program_options.hpp>
#include <charconv>
#include <cstdlib>
#include <sstream>

#include "plan/duration.h"
#include "plan/limits.h"
#include "plan/profile.h"
#include "plan/read_file.h"
#include "server/listen_address.h"

namespace stampede {
namespace po = boost::program_options;
namespace {

constexpr const char* kUsage =
    "usage: stampede run PLAN [options]     run a load plan (bare plan or LoadTest manifest)\n"
    "       stampede agent PLAN [options]   load the plan, serve the control API on --listen\n"
    "                                       (default 0.0.0.0:9646), run on POST /v1/start\n"
    "       stampede ui PLAN [options]      serve the live web UI on --listen (default\n"
    "                                       127.0.0.1:9646): start, watch, change and stop the\n"
    "                                       load from the browser, then New test, until Ctrl-C\n"
    "       stampede validate PLAN          check a plan and exit (0 valid, 2 invalid)\n"
    "       stampede report RESULT.json|- [NEW.json] [--html FILE] [--csv PREFIX]\n"
    "                       [--junit FILE] [--summary-md FILE]\n"
    "                                       write the reports of a saved result (HTML of two:\n"
    "                                       compared)\n"
    "       stampede version                print the version\n";

std::string profile_help() {
  std::string names;
  for (const std::string& name : builtin_profile_names()) {
    names += (names.empty() ? "" : ", ") + name;
  }
  return "load profile: its load and thresholds fill in what the plan leaves out; replaces the "
         "plan's `profile`. Built in: " +
         names + "; or a name in $STAMPEDE_PROFILE_PATH, or a .yaml file";
}

po::options_description run_options() {
  po::options_description d("run, agent and validate options");
  d.add_options()("profile", po::value<std::string>(), profile_help().c_str())(
      "users,u", po::value<std::string>(), "users (closed model); replaces the plan's load model")(
      "spawn-rate,r", po::value<std::string>(), "users started per second")(
      "run-time,t", po::value<std::string>(), "duration of the load, e.g. 90s, 5m, 1h30m")(
      "rate", po::value<std::string>(),
      "arrival rate per second (open model); replaces the load model")(
      "host,H", po::value<std::string>(), "target base URL (env: STAMPEDE_HOST, TARGET_HOST)")(
      "json", po::value<std::string>(), "write the result JSON to this file")(
      "html", po::value<std::string>(), "write the self-contained HTML report to this file")(
      "csv", po::value<std::string>(),
      "write Locust's CSV files PREFIX_stats.csv, PREFIX_stats_history.csv, "
      "PREFIX_failures.csv and PREFIX_exceptions.csv")(
      "csv-full-history", po::bool_switch(),
      "with --csv: a history row per request name and second, not only the aggregated one")(
      "junit", po::value<std::string>(),
      "write a JUnit XML report (thresholds and checks as test cases) to this file")(
      "summary-md", po::value<std::string>(),
      "write a Markdown summary (e.g. to $GITHUB_STEP_SUMMARY) to this file")(
      "tags", po::value<std::string>(), "run only the tasks tagged with one of these (a,b)")(
      "exclude-tags", po::value<std::string>(), "do not run tasks tagged with any of these")(
      "threads", po::value<std::string>(), "worker threads, 1 to 1024 (default: one per core)")(
      "segment", po::value<std::string>(),
      "run share i of N of the load, e.g. 0/4 (N runners together make the plan's load)")(
      "testid", po::value<std::string>(),
      "test id for metric labels (env: STAMPEDE_TESTID; default: the plan's name)")(
      "listen", po::value<std::string>(),
      "serve /metrics and the control API on HOST:PORT (env: STAMPEDE_LISTEN; agent default "
      "0.0.0.0:9646; with --ui and for `stampede ui` 127.0.0.1:9646)")(
      "ui", po::bool_switch(),
      "run: serve the live web UI at http://HOST:PORT/ of --listen (default 127.0.0.1:9646, "
      "this machine only), with controls to change and stop the load")(
      "no-metrics", po::bool_switch(),
      "do not compute or serve /metrics (env: STAMPEDE_METRICS_EXPORT=false)")(
      "control-token-file", po::value<std::string>(),
      "file holding the bearer token for /v1/start, /v1/stop, /v1/load and /v1/result/ack "
      "(env: "
      "STAMPEDE_CONTROL_TOKEN, "
      "STAMPEDE_CONTROL_TOKEN_FILE)")(
      "resume", po::bool_switch(),
      "agent: when started after the startAt of /v1/start, join the test where its schedule is "
      "(to the same end as the other runners) instead of running the whole plan from now; the "
      "operator starts a replacement runner this way")(
      "setup-values", po::value<std::string>(),
      "agent: the plan's setup ran on another runner; this file holds its values (a JSON object "
      "of strings), so it is not run here. The operator gives replacement runners this way")(
      "linger", po::value<std::string>(),
      "agent: after the run, serve the result until acknowledged (POST /v1/result/ack) or this "
      "long (default 5m)")("quiet,q", po::bool_switch(), "no progress lines")(
      "help,h", po::bool_switch(), "show this help");
  return d;
}

// `stampede report`: the report files it can write. --csv, --junit and --summary-md belong here
// too (one add_options entry each, read in parse_report).
po::options_description report_options() {
  po::options_description d("report options");
  d.add_options()("html", po::value<std::string>(), "write the HTML report to this file")(
      "csv", po::value<std::string>(), "write Locust's four CSV files PREFIX_*.csv")(
      "junit", po::value<std::string>(), "write a JUnit XML report to this file")(
      "summary-md", po::value<std::string>(), "write a Markdown summary to this file")(
      "help,h", po::bool_switch(), "show this help");
  return d;
}

// --csv, --junit and --summary-md of `stampede report`; true when one is given. A comparison is
// an HTML page: these describe one result.
bool parse_report_files(const po::variables_map& vm, CliOptions& o) {
  ReportOptions& r = o.reports;
  if (vm.count("csv")) r.csv_prefix = vm["csv"].as<std::string>();
  if (vm.count("junit")) r.junit_path = vm["junit"].as<std::string>();
  if (vm.count("summary-md")) r.summary_md_path = vm["summary-md"].as<std::string>();
  const bool any = !r.csv_prefix.empty() || !r.junit_path.empty() || !r.summary_md_path.empty();
  if (any && o.result_paths.size() > 1) {
    throw po::error("report: --csv, --junit and --summary-md take one result");
  }
  return any;
}

// The subcommand's options and its positional arguments (`name`, up to `max_count` of them),
// parsed and checked; argv[1] is the subcommand itself.
po::variables_map parse_subcommand(int argc, const char* const* argv, po::options_description all,
                                   const char* name, int max_count) {
  all.add_options()(name, po::value<std::vector<std::string>>(), name);
  po::positional_options_description positional;
  positional.add(name, max_count);
  po::variables_map vm;
  po::store(po::command_line_parser(argc - 1, argv + 1).options(all).positional(positional).run(),
            vm);
  po::notify(vm);
  return vm;
}

// RESULT.json (or - for stdin) and, for compare mode, NEW.json.
void parse_report(int argc, const char* const* argv, CliOptions& o) {
  const po::variables_map vm = parse_subcommand(argc, argv, report_options(), "result", 2);
  if (vm["help"].as<bool>()) {
    o.command = CliOptions::Command::kHelp;
    return;
  }
  if (!vm.count("result")) throw po::error("report: missing RESULT.json (or - for stdin)");
  o.result_paths = vm["result"].as<std::vector<std::string>>();
  if (vm.count("html")) o.html_path = vm["html"].as<std::string>();
  const bool ci = parse_report_files(vm, o);
  if (o.html_path.empty() && !ci) {
    throw po::error(
        "report: nothing to write; give --html FILE, --csv PREFIX, --junit FILE or "
        "--summary-md FILE");
  }
}

std::string help_text() {
  std::ostringstream out;
  out << kUsage << "\n" << run_options() << "\n" << report_options();
  out << "\nexit codes: 0 every threshold passed, 99 a threshold failed, 2 invalid plan or usage,\n"
         "            1 could not run\n";
  return out.str();
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

std::string env_host() {
  for (const char* name : {"STAMPEDE_HOST", "TARGET_HOST"}) {
    if (!env(name).empty()) return env(name);
  }
  return "";
}

// A whole number in [min, max]: program_options' own conversion to unsigned takes "-1" as
// 4294967295, so flags are read as text and parsed here.
unsigned parse_count(const std::string& flag, const std::string& text, unsigned min, unsigned max) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || value < min ||
      value > max) {
    throw po::error(flag + " '" + text + "': expected a whole number from " + std::to_string(min) +
                    " to " + std::to_string(max));
  }
  return value;
}

// "i/N" with 0 <= i < N <= limits::kMaxSegments.
void parse_segment(const std::string& text, CliOptions& o) {
  const std::size_t slash = text.find('/');
  auto number = [&](std::string_view part, std::uint32_t& into) {
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), into);
    return ec == std::errc() && end == part.data() + part.size() && !part.empty();
  };
  const std::string_view all(text);
  if (slash == std::string::npos || !number(all.substr(0, slash), o.segment) ||
      !number(all.substr(slash + 1), o.segments) || o.segments == 0 || o.segment >= o.segments ||
      o.segments > limits::kMaxSegments) {
    throw po::error("--segment '" + text + "': expected i/N with 0 <= i < N <= " +
                    std::to_string(limits::kMaxSegments) + ", e.g. 0/4");
  }
}

bool parse_bool(const std::string& name, const std::string& text) {
  if (text == "true" || text == "1" || text == "yes") return true;
  if (text == "false" || text == "0" || text == "no") return false;
  throw po::error(name + "='" + text + "': expected true or false");
}

std::string read_token_file(const std::string& path) {
  std::string reason;
  std::optional<std::string> text = read_regular_file(path, kMaxTokenFileBytes, &reason);
  if (!text) throw po::error("cannot read the control token file '" + path + "': " + reason);
  std::string token = std::move(*text);
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) {
    token.pop_back();  // files written by `echo` or by Kubernetes may end in a newline
  }
  if (token.empty()) throw po::error("the control token file " + path + " is empty");
  return token;
}

void fill_serve(ServeOptions& s, const po::variables_map& vm, CliOptions::Command command) {
  const bool agent = command == CliOptions::Command::kAgent;
  // The agent's page is read-only; `ui` and --ui have controls, so by default only this
  // machine reaches them (--listen 0.0.0.0:9646 opens them up, ideally with a token).
  s.ui = agent || command == CliOptions::Command::kUi || vm["ui"].as<bool>();
  s.listen = vm.count("listen") ? vm["listen"].as<std::string>() : env("STAMPEDE_LISTEN");
  if (s.listen.empty() && agent) s.listen = kDefaultListen;
  if (s.listen.empty() && s.ui) s.listen = kDefaultUiListen;
  if (!s.listen.empty()) {
    std::string error;
    if (!parse_listen_address(s.listen, &error)) throw po::error("--listen: " + error);
  }
  s.metrics = !vm["no-metrics"].as<bool>();
  if (!env("STAMPEDE_METRICS_EXPORT").empty()) {
    s.metrics = s.metrics && parse_bool("STAMPEDE_METRICS_EXPORT", env("STAMPEDE_METRICS_EXPORT"));
  }
  std::string token_file = vm.count("control-token-file")
                               ? vm["control-token-file"].as<std::string>()
                               : env("STAMPEDE_CONTROL_TOKEN_FILE");
  s.token = token_file.empty() ? env("STAMPEDE_CONTROL_TOKEN") : read_token_file(token_file);
  if (vm.count("linger")) {
    std::string error;
    const auto linger = parse_duration(vm["linger"].as<std::string>(), &error);
    if (!linger) throw po::error("--linger: " + error);
    if (*linger > limits::kMaxLinger) {
      throw po::error("--linger: must be at most " + format_duration(limits::kMaxLinger));
    }
    s.linger = *linger;
  }
}

void fill_reports(ReportOptions& r, const po::variables_map& vm) {
  if (vm.count("csv")) r.csv_prefix = vm["csv"].as<std::string>();
  r.csv_full_history = vm["csv-full-history"].as<bool>();
  if (vm.count("junit")) r.junit_path = vm["junit"].as<std::string>();
  if (vm.count("summary-md")) r.summary_md_path = vm["summary-md"].as<std::string>();
  // Locust ignores --csv-full-history without --csv; a flag that does nothing is a mistake.
  if (r.csv_full_history && r.csv_prefix.empty()) {
    throw po::error("--csv-full-history needs --csv PREFIX");
  }
}

void fill(CliOptions& o, const po::variables_map& vm) {
  auto text = [&](const char* key, std::optional<std::string>& into) {
    if (vm.count(key)) into = vm[key].as<std::string>();
  };
  text("users", o.load.users);
  text("spawn-rate", o.load.spawn_rate);
  text("run-time", o.load.run_time);
  text("rate", o.load.rate);
  if (vm.count("profile")) o.profile = vm["profile"].as<std::string>();
  o.host = vm.count("host") ? vm["host"].as<std::string>() : env_host();
  if (vm.count("json")) o.json_path = vm["json"].as<std::string>();
  if (vm.count("html")) o.html_path = vm["html"].as<std::string>();
  fill_reports(o.reports, vm);
  if (vm.count("tags")) o.tags = vm["tags"].as<std::string>();
  if (vm.count("exclude-tags")) o.exclude_tags = vm["exclude-tags"].as<std::string>();
  if (vm.count("threads")) {
    o.threads = parse_count("--threads", vm["threads"].as<std::string>(), 1, limits::kMaxThreads);
  }
  if (vm.count("segment")) parse_segment(vm["segment"].as<std::string>(), o);
  o.testid = vm.count("testid") ? vm["testid"].as<std::string>() : env("STAMPEDE_TESTID");
  o.resume = vm["resume"].as<bool>();
  if (vm.count("setup-values")) o.setup_values_file = vm["setup-values"].as<std::string>();
  o.quiet = vm["quiet"].as<bool>();
  fill_serve(o.serve, vm, o.command);
}

std::optional<CliOptions::Command> command_of(const std::string& name) {
  if (name == "run") return CliOptions::Command::kRun;
  if (name == "ui") return CliOptions::Command::kUi;
  if (name == "validate") return CliOptions::Command::kValidate;
  if (name == "agent") return CliOptions::Command::kAgent;
  if (name == "report") return CliOptions::Command::kReport;
  if (name == "version" || name == "--version") return CliOptions::Command::kVersion;
  if (name == "help" || name == "--help" || name == "-h") return CliOptions::Command::kHelp;
  return std::nullopt;
}

}  // namespace

CliParse parse_cli(int argc, const char* const* argv) {
  CliParse result;
  result.help = help_text();
  if (argc < 2) {
    result.error = "missing command";
    return result;
  }
  const std::string command = argv[1];
  const auto parsed_command = command_of(command);
  if (!parsed_command) {
    result.error = "unknown command '" + command + "'";
    return result;
  }
  CliOptions o;
  o.command = *parsed_command;
  if (o.command == CliOptions::Command::kVersion || o.command == CliOptions::Command::kHelp) {
    result.options = o;
    return result;
  }
  if (o.command == CliOptions::Command::kReport) {
    try {
      parse_report(argc, argv, o);
    } catch (const po::error& e) {
      result.error = e.what();
      return result;
    }
    result.options = o;
    return result;
  }
  try {
    const po::variables_map vm = parse_subcommand(argc, argv, run_options(), "plan", 1);
    if (vm["help"].as<bool>()) {
      o.command = CliOptions::Command::kHelp;
      result.options = o;
      return result;
    }
    if (!vm.count("plan")) {
      result.error = command + ": missing PLAN file";
      return result;
    }
    o.plan_path = vm["plan"].as<std::vector<std::string>>().front();
    fill(o, vm);
  } catch (const po::error& e) {
    result.error = e.what();
    return result;
  }
  result.options = o;
  return result;
}

}  // namespace stampede
