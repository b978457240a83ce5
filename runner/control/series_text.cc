#include "control/series_text.h"

#include <nlohmann/json.hpp>

#include "stats/result_json.h"

namespace stampede {

void SeriesText::update(const std::vector<TimeSeriesPoint>& series) {
  const bool same_run =
      series.size() >= points_ && (points_ == 0 || series[points_ - 1].elapsed_seconds == last_t_);
  if (!same_run) reset();
  for (; points_ < series.size(); ++points_) {
    if (open_.size() >= kChunkBytes) {
      closed_.push_back(std::make_shared<const std::string>(std::move(open_)));
      open_ = std::string();
    }
    if (!open_.empty()) open_ += ',';
    open_ += series_point_json(series[points_]).dump();  // numbers only: always valid UTF-8
    last_t_ = series[points_].elapsed_seconds;
  }
}

SeriesChunks SeriesText::chunks() const {
  SeriesChunks all = closed_;
  if (!open_.empty()) all.push_back(std::make_shared<const std::string>(open_));
  return all;
}

void SeriesText::reset() {
  closed_.clear();
  open_ = std::string();
  points_ = 0;
  last_t_ = 0;
}

std::string with_series(std::string_view head, const SeriesChunks& chunks) {
  std::size_t size = head.size() + 16;
  for (const auto& chunk : chunks) size += chunk->size() + 1;
  std::string text;
  text.reserve(size);
  // An object's members are unordered: the series goes last, in place of the closing brace.
  text.append(head.empty() ? std::string_view("{") : head.substr(0, head.size() - 1));
  if (text.size() > 1) text += ',';
  text += "\"series\":[";
  bool first = true;
  for (const auto& chunk : chunks) {
    if (chunk->empty()) continue;
    if (!first) text += ',';
    first = false;
    text += *chunk;
  }
  text += "]}";
  return text;
}

}  // namespace stampede
