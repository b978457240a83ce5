#include "cli/options.h"

#include <boost/program_options.hpp>
#include <cstdlib>
#include <sstream>

namespace stampede {
namespace po = boost::program_options;
namespace {

constexpr const char* kUsage =
    "usage: stampede run PLAN [options]     run a load plan (bare plan or LoadTest manifest)\n"
    "       stampede validate PLAN          check a plan and exit (0 valid, 2 invalid)\n"
    "       stampede version                print the version\n";

po::options_description run_options() {
  po::options_description d("run options");
  d.add_options()("users,u", po::value<std::string>(),
                  "users (closed model); replaces the plan's load model")(
      "spawn-rate,r", po::value<std::string>(), "users started per second")(
      "run-time,t", po::value<std::string>(), "duration of the load, e.g. 90s, 5m, 1h30m")(
      "rate", po::value<std::string>(),
      "arrival rate per second (open model); replaces the load model")(
      "host,H", po::value<std::string>(), "target base URL (env: STAMPEDE_HOST, TARGET_HOST)")(
      "json", po::value<std::string>(), "write the result JSON to this file")(
      "threads", po::value<unsigned>(), "worker threads (default: one per core)")(
      "quiet,q", po::bool_switch(), "no progress lines")("help,h", po::bool_switch(),
                                                         "show this help");
  return d;
}

std::string help_text() {
  std::ostringstream out;
  out << kUsage << "\n" << run_options();
  out << "\nexit codes: 0 every threshold passed, 99 a threshold failed, 2 invalid plan or usage,\n"
         "            1 could not run\n";
  return out.str();
}

std::string env_host() {
  for (const char* name : {"STAMPEDE_HOST", "TARGET_HOST"}) {
    const char* v = std::getenv(name);
    if (v != nullptr && *v != '\0') return v;
  }
  return "";
}

void fill(CliOptions& o, const po::variables_map& vm) {
  auto text = [&](const char* key, std::optional<std::string>& into) {
    if (vm.count(key)) into = vm[key].as<std::string>();
  };
  text("users", o.load.users);
  text("spawn-rate", o.load.spawn_rate);
  text("run-time", o.load.run_time);
  text("rate", o.load.rate);
  o.host = vm.count("host") ? vm["host"].as<std::string>() : env_host();
  if (vm.count("json")) o.json_path = vm["json"].as<std::string>();
  if (vm.count("threads")) o.threads = vm["threads"].as<unsigned>();
  o.quiet = vm["quiet"].as<bool>();
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
  CliOptions o;
  if (command == "version" || command == "--version") {
    o.command = CliOptions::Command::kVersion;
    result.options = o;
    return result;
  }
  if (command == "help" || command == "--help" || command == "-h") {
    o.command = CliOptions::Command::kHelp;
    result.options = o;
    return result;
  }
  if (command != "run" && command != "validate") {
    result.error = "unknown command '" + command + "'";
    return result;
  }
  o.command = command == "run" ? CliOptions::Command::kRun : CliOptions::Command::kValidate;
  po::options_description all = run_options();
  all.add_options()("plan", po::value<std::string>(), "plan file");
  po::positional_options_description positional;
  positional.add("plan", 1);
  try {
    po::variables_map vm;
    po::store(po::command_line_parser(argc - 1, argv + 1).options(all).positional(positional).run(),
              vm);
    po::notify(vm);
    if (vm["help"].as<bool>()) {
      o.command = CliOptions::Command::kHelp;
      result.options = o;
      return result;
    }
    if (!vm.count("plan")) {
      result.error = command + ": missing PLAN file";
      return result;
    }
    o.plan_path = vm["plan"].as<std::string>();
    fill(o, vm);
  } catch (const po::error& e) {
    result.error = e.what();
    return result;
  }
  result.options = o;
  return result;
}

}  // namespace stampede
