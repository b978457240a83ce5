#include "cli/report_files.h"

#include "report/csv_report.h"
#include "report/junit_report.h"
#include "report/markdown_summary.h"

namespace stampede {
namespace {

// Adds `line` to a multi-line error.
bool fail(std::string* error, const std::string& line) {
  *error += (error->empty() ? "" : "\n") + line;
  return false;
}

std::optional<ResultFile> open_optional(const std::string& path, std::string* error) {
  if (path.empty()) return std::nullopt;
  return ResultFile::open(path, error);
}

}  // namespace

std::optional<ReportFiles> ReportFiles::open(const ReportOptions& options, std::string* error) {
  ReportFiles files;
  if (!options.csv_prefix.empty()) {
    for (const std::string& path : csv_report_paths(options.csv_prefix)) {
      auto file = ResultFile::open(path, error);
      if (!file) return std::nullopt;
      files.csv_.push_back(std::move(*file));
    }
  }
  files.junit_ = open_optional(options.junit_path, error);
  if (!options.junit_path.empty() && !files.junit_) return std::nullopt;
  files.summary_md_ = open_optional(options.summary_md_path, error);
  if (!options.summary_md_path.empty() && !files.summary_md_) return std::nullopt;
  return files;
}

bool ReportFiles::write_csv(const nlohmann::json& result, const RequestHistory* history,
                            std::string* error) {
  std::string reason;
  const std::optional<CsvReport> csv = csv_report(result, history, &reason);
  if (!csv) return fail(error, "cannot make the CSV report: " + reason);
  const std::string* texts[] = {&csv->stats, &csv->stats_history, &csv->failures, &csv->exceptions};
  bool ok = true;
  for (std::size_t i = 0; i < csv_.size(); ++i) {
    reason.clear();
    if (!csv_[i].write(*texts[i], &reason)) ok = fail(error, reason);
  }
  return ok;
}

bool ReportFiles::write(const nlohmann::json& result, const RequestHistory* history,
                        std::string* error) {
  bool ok = csv_.empty() || write_csv(result, history, error);
  // Each report: what makes it from the result, and the file it goes to.
  using Make = std::optional<std::string> (*)(const nlohmann::json&, std::string*);
  const std::pair<std::optional<ResultFile>*, Make> reports[] = {{&junit_, junit_report},
                                                                 {&summary_md_, markdown_summary}};
  for (const auto& [file, make] : reports) {
    if (!*file) continue;
    std::string reason;
    const std::optional<std::string> text = make(result, &reason);
    if (!text) {
      ok = fail(error, "cannot make the report for " + (*file)->path() + ": " + reason);
    } else if (!(*file)->write(*text, &reason)) {
      ok = fail(error, reason);
    }
  }
  return ok;
}

}  // namespace stampede
