#include "cli/report_command.h"

#include <fmt/format.h>

#include <array>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <vector>

#include "base/gzip.h"
#include "cli/report_files.h"
#include "cli/result_file.h"
#include "cli/run_command.h"
#include "plan/read_file.h"
#include "report/html_report.h"
#include "stats/result_json.h"

namespace stampede {
namespace {

using nlohmann::json;

// A result document as read, with the name messages use for it.
struct Input {
  std::string name;  // the path, or "stdin" for "-"
  json document;
};

// Read in pieces and stopped at the limit: `stampede report - < /dev/zero` must end, not grow
// until memory runs out.
std::optional<std::string> read_stdin(std::string* reason) {
  std::string text;
  std::array<char, std::size_t{64} * 1024> piece{};
  while (std::cin.read(piece.data(), piece.size()) || std::cin.gcount() > 0) {
    text.append(piece.data(), static_cast<std::size_t>(std::cin.gcount()));
    if (text.size() > kMaxResultFileBytes) {
      *reason = fmt::format("larger than {} bytes", kMaxResultFileBytes);
      return std::nullopt;
    }
  }
  if (std::cin.bad()) {
    *reason = "read error";
    return std::nullopt;
  }
  return text;
}

// Reads and parses one input; nullopt after printing why (a missing file, not JSON).
std::optional<Input> read_input(const std::string& path) {
  Input input{path == "-" ? "stdin" : path, json()};
  std::string reason;
  const std::optional<std::string> text =
      path == "-" ? read_stdin(&reason) : read_regular_file(path, kMaxResultFileBytes, &reason);
  if (!text) {
    fmt::print(stderr, "error: cannot read result {}: {}\n", input.name, reason);
    return std::nullopt;
  }
  // A result the operator stored compressed (result.json.gz), as it comes out of the ConfigMap.
  std::optional<std::string> plain;
  if (is_gzip(*text)) {
    plain = gunzip(*text, kMaxResultFileBytes, &reason);
    if (!plain) {
      fmt::print(stderr, "error: cannot read result {}: {}\n", input.name, reason);
      return std::nullopt;
    }
  }
  try {
    input.document = json::parse(plain ? *plain : *text);
  } catch (const json::parse_error& e) {
    fmt::print(stderr, "error: {} is not a result: invalid JSON: {}\n", input.name, e.what());
    return std::nullopt;
  }
  return input;
}

// The HTML report, of one result or comparing two; nullopt after printing which input is not a
// result.
std::optional<std::string> html_report(const std::vector<Input>& inputs) {
  try {
    // Checked one by one first, so the message names the file rather than "base" or "new".
    for (const Input& input : inputs) check_report_input(input.document, input.name);
    return inputs.size() == 1 ? render_html_report(inputs[0].document)
                              : render_html_compare(inputs[0].document, inputs[1].document);
  } catch (const std::invalid_argument& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return std::nullopt;
  }
}

bool write_file(const std::string& path, const std::string& text) {
  std::string error;
  auto file = ResultFile::open(path, &error);
  if (file && file->write(text, &error)) return true;
  fmt::print(stderr, "error: {}\n", error);
  return false;
}

// --csv, --junit and --summary-md of one result (options.cc refuses them with two). The CSV
// history holds the result's aggregated series: the per-request history of --csv-full-history
// lives only in the running runner.
int write_ci_reports(const ReportOptions& reports, const Input& input) {
  if (reports.csv_prefix.empty() && reports.junit_path.empty() && reports.summary_md_path.empty()) {
    return kExitOk;
  }
  std::string error;
  if (!result_from_json(input.document, &error)) {
    fmt::print(stderr, "error: {} is not a result: {}\n", input.name, error);
    return kExitInvalid;
  }
  auto files = ReportFiles::open(reports, &error);
  if (!files || !files->write(input.document, nullptr, &error)) {
    fmt::print(stderr, "error: {}\n", error);
    return kExitCouldNotRun;
  }
  return kExitOk;
}

}  // namespace

int report_command(const CliOptions& options) {
  std::vector<Input> inputs;
  for (const std::string& path : options.result_paths) {
    std::optional<Input> input = read_input(path);
    if (!input) return kExitInvalid;
    inputs.push_back(std::move(*input));
  }
  // Each report file is made from `inputs` here.
  if (!options.html_path.empty()) {
    const std::optional<std::string> html = html_report(inputs);
    if (!html) return kExitInvalid;
    if (!write_file(options.html_path, *html)) return kExitCouldNotRun;
  }
  return write_ci_reports(options.reports, inputs[0]);
}

}  // namespace stampede
