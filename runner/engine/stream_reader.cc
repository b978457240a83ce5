#include "engine/stream_reader.h"

#include <algorithm>
#include <cmath>

namespace stampede {

void StreamReader::begin(UserHost& host, std::size_t row, const StreamSpec& spec,
                         const StatusSet& expect, bool keep_text, TimePoint due, TimePoint sent) {
  host_ = &host;
  row_ = row;
  if (spec_ != &spec) {
    spec_ = &spec;
    token_pointer_.reset();
    if (spec.tokens != StreamSpec::Tokens::kEvents) token_pointer_.emplace(spec.token_pointer);
  }
  expect_ = &expect;
  keep_text_ = keep_text;
  streaming_ = false;
  ended_ = false;
  too_large_ = false;
  due_ = due;
  sent_ = sent;
  arrival_ = sent;
  events_ = 0;
  tokens_ = 0;
  text_.clear();
  last_event_.clear();
  parser_.reset();
}

// Only an expected status streams: an error's body (a 429's JSON) is read as a body.
bool StreamReader::on_stream_start(int status) {
  streaming_ = expect_->contains(status);
  if (streaming_) parser_.emplace(spec_->format, spec_->max_event_bytes);
  return streaming_;
}

void StreamReader::on_body(std::string_view piece) {
  StreamEvent event;
  // After the end marker the rest of the body is not looked at.
  while (!ended_ && !too_large_ && !piece.empty()) {
    switch (parser_->next(piece, event)) {
      case EventStreamParser::Status::kEvent:
        on_event(event);
        break;
      case EventStreamParser::Status::kTooLarge:
        too_large_ = true;
        break;
      case EventStreamParser::Status::kNeedMore:
        break;
    }
  }
}

void StreamReader::on_event(const StreamEvent& event) {
  if (spec_->end && event.data == *spec_->end) {
    ended_ = true;
    return;
  }
  StreamStats& s = stats();
  ++s.events;
  if (events_++ == 0) {
    first_event_ = arrival_;
    // From the due time, as latency is: an open-model arrival that waited shows it here.
    s.time_to_first_event.record(arrival_ - std::min(due_, sent_));
  } else {
    s.event_gap.record(arrival_ - last_event_at_);
  }
  last_event_at_ = arrival_;
  count_tokens(event.data);
  if (keep_text_) {
    if (!text_.empty()) text_.push_back('\n');
    text_.append(event.data);
    last_event_.assign(event.data);
  }
}

void StreamReader::count_tokens(std::string_view data) {
  if (spec_->tokens == StreamSpec::Tokens::kEvents) {
    ++tokens_;
    return;
  }
  const nlohmann::json doc = nlohmann::json::parse(data, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return;
  if (!doc.contains(*token_pointer_)) return;  // the pointer was checked at load time
  const nlohmann::json& value = doc.at(*token_pointer_);
  switch (spec_->tokens) {
    case StreamSpec::Tokens::kCount:
      if (!value.is_null() && !(value.is_string() && value.get_ref<const std::string&>().empty())) {
        ++tokens_;
      }
      break;
    case StreamSpec::Tokens::kSum:
      if (value.is_number() && value.get<double>() >= 0) tokens_ += value.get<double>();
      break;
    case StreamSpec::Tokens::kLast:
      if (value.is_number() && value.get<double>() >= 0) tokens_ = value.get<double>();
      break;
    case StreamSpec::Tokens::kEvents:
      break;
  }
}

void StreamReader::record_end(TimePoint done) {
  if (!streaming_) return;
  StreamStats& s = stats();
  ++s.streams;
  const auto tokens = static_cast<std::uint64_t>(std::llround(tokens_));
  s.tokens += tokens;
  const Duration duration = done - sent_;
  s.duration.record(duration);
  s.events_per_stream.record_ns(events_);
  const double seconds = std::chrono::duration<double>(duration).count();
  if (seconds > 0) {
    s.tokens_per_second.record_ns(
        static_cast<std::uint64_t>(tokens_ / seconds * kTokensPerSecondScale));
  }
  if (tokens >= 2 && events_ > 0) {
    s.time_per_output_token.record((last_event_at_ - first_event_) / static_cast<long>(tokens - 1));
  }
}

}  // namespace stampede
