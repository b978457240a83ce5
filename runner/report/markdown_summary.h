#pragma once
// A GitHub-flavoured Markdown summary of a result document (`--summary-md FILE`), for CI job
// summaries (`--summary-md "$GITHUB_STEP_SUMMARY"`, GitLab or Jenkins pages): the verdict, the
// totals, a table per request row, the thresholds with PASS/FAIL and their actual values, and
// the checks. Names are escaped, so a request called `a|b` or `<b>` stays in its cell as text.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace stampede {

// nullopt + *error when `result` is not a stampede.result/v1 document.
std::optional<std::string> markdown_summary(const nlohmann::json& result, std::string* error);

}  // namespace stampede
