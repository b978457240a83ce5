#include "engine/event_stream_parser.h"

#include <algorithm>
#include <charconv>

namespace stampede {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

}  // namespace

EventStreamParser::Status EventStreamParser::next(std::string_view& input, StreamEvent& event) {
  if (too_large_) return Status::kTooLarge;
  // A BOM before the first line is dropped; it may itself arrive in pieces. Bytes that only
  // began like one are the start of the first line.
  while (!started_ && !input.empty()) {
    if (input.front() == kBom[bom_matched_]) {
      input.remove_prefix(1);
      if (++bom_matched_ == kBom.size()) started_ = true;
    } else {
      partial_.assign(kBom.substr(0, bom_matched_));
      started_ = true;
    }
  }
  while (!input.empty()) {
    if (after_cr_ && input.front() == '\n') input.remove_prefix(1);
    after_cr_ = false;
    const std::size_t end = input.find_first_of("\r\n");
    if (end == std::string_view::npos) {
      if (partial_.size() + input.size() > max_event_bytes_) {
        too_large_ = true;
        return Status::kTooLarge;
      }
      partial_.append(input);
      input = {};
      return Status::kNeedMore;
    }
    after_cr_ = input[end] == '\r';
    std::string_view line = input.substr(0, end);
    input.remove_prefix(end + 1);
    if (!partial_.empty()) {
      partial_.append(line);
      line = partial_;
    }
    const bool done = on_line(line, event);
    partial_.clear();
    if (too_large_) return Status::kTooLarge;
    if (done) return Status::kEvent;
  }
  return Status::kNeedMore;
}

bool EventStreamParser::on_line(std::string_view line, StreamEvent& event) {
  if (line.size() > max_event_bytes_) {
    too_large_ = true;
    return false;
  }
  if (format_ == StreamFormat::kSse) return on_sse_line(line, event);
  if (line.find_first_not_of(" \t") == std::string_view::npos) return false;  // blank line
  dispatched_.assign(line);
  event = {{}, dispatched_, {}};
  return true;
}

bool EventStreamParser::on_sse_line(std::string_view line, StreamEvent& event) {
  if (line.empty()) return dispatch_sse(event);
  if (line.front() == ':') {
    ++comments_;
    return false;
  }
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) {
    on_sse_field(line, {});
    return false;
  }
  std::string_view value = line.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  on_sse_field(line.substr(0, colon), value);
  return false;
}

void EventStreamParser::on_sse_field(std::string_view field, std::string_view value) {
  if (field == "data") {
    if (data_.size() + value.size() + 1 > max_event_bytes_) {
      too_large_ = true;
      return;
    }
    data_.append(value).push_back('\n');
    has_data_ = true;
  } else if (field == "event") {
    type_.assign(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) id_.assign(value);
  } else if (field == "retry") {
    std::uint64_t ms = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
    if (ec == std::errc() && end == value.data() + value.size() && !value.empty()) retry_ms_ = ms;
  }
  // Any other field is ignored, as the standard says.
}

// A blank line ends an event: without data it is dropped (and its type forgotten).
bool EventStreamParser::dispatch_sse(StreamEvent& event) {
  if (!has_data_) {
    type_.clear();
    return false;
  }
  data_.pop_back();  // the LF after the last data line
  dispatched_.swap(data_);
  data_.clear();
  dispatched_type_.swap(type_);
  type_.clear();
  has_data_ = false;
  event = {dispatched_type_.empty() ? std::string_view("message") : dispatched_type_, dispatched_,
           id_};
  return true;
}

}  // namespace stampede
