#pragma once
// The report files of a run besides --json: --csv PREFIX (Locust's four files), --junit FILE
// and --summary-md FILE. Like the result file, each is opened before the load starts (an
// unwritable path fails at once, and a run whose connections use up the file handles can still
// write them) and written once at the end, from the result document.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/options.h"
#include "cli/result_file.h"
#include "stats/request_history.h"

namespace stampede {

class ReportFiles {
 public:
  // Opens every file `options` names (none: write() does nothing). nullopt and *error when one
  // cannot be opened.
  static std::optional<ReportFiles> open(const ReportOptions& options, std::string* error);

  // Writes every report of `result`; `history` (run with --csv-full-history) fills the CSV
  // history with every request name. Every file is attempted; false and *error (one line per
  // failure) when one could not be made or written.
  bool write(const nlohmann::json& result, const RequestHistory* history, std::string* error);

 private:
  ReportFiles() = default;
  bool write_csv(const nlohmann::json& result, const RequestHistory* history, std::string* error);

  std::vector<ResultFile> csv_;  // in CsvReport's order; empty without --csv
  std::optional<ResultFile> junit_;
  std::optional<ResultFile> summary_md_;
};

}  // namespace stampede
