#pragma once
// The files of the HTML report (its page template, style and script, and the vendored uPlot),
// embedded into the binary at build time by cmake/EmbedAssets.cmake: a report is written
// without reading anything from disk and opens without any network access.

#include <span>
#include <string_view>

namespace stampede {

struct EmbeddedAsset {
  std::string_view name;   // e.g. "report.js", "uPlot.iife.min.js"
  std::string_view bytes;  // the file's content, exactly
};

// Every asset, in the order runner/CMakeLists.txt lists them.
std::span<const EmbeddedAsset> html_report_assets();

// The asset with this name; throws std::out_of_range when there is none (a build mistake).
std::string_view html_report_asset(std::string_view name);

}  // namespace stampede
