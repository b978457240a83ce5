#pragma once
// An HTTP/1.1 response parser that allocates nothing: Beast's basic_parser does the grammar (status
// line, headers, Content-Length, chunked, keep-alive), a subclass of it keeps only the status and
// counts the body. One ResponseParser is emplaced per request.
//
// On top of Beast it skips interim responses (1xx but 101, RFC 9110 §15.2), limits each head as a
// whole however its bytes arrive, and rejects status codes outside 100-599.

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stampede {

// Takes a streamed response's body as it is parsed (`stream:` steps), instead of the capture.
class BodySink {
 public:
  // The final response's head is complete: true to take its body.
  virtual bool on_stream_start(int status) = 0;
  virtual void on_body(std::string_view piece) = 0;

 protected:
  ~BodySink() = default;
};

// Where a step that reads its response (extract, checks, metrics, Retry-After) keeps it. Owned by
// the user and reused, so its buffers keep their capacity.
struct ResponseCapture {
  bool body = false;
  bool headers = false;
  BodySink* stream = nullptr;  // a stream step's reader
  std::string body_text;
  std::vector<std::pair<std::string, std::string>> header_list;

  void reset(bool want_body, bool want_headers) {
    body = want_body;
    headers = want_headers;
    body_text.clear();
    header_list.clear();
  }
};

namespace detail {

// One message (an interim or the final response) on Beast's grammar.
class MessageParser final : public boost::beast::http::basic_parser<false> {
 public:
  MessageParser(std::uint64_t max_body, bool head_request, ResponseCapture* capture)
      : capture_(capture) {
    eager(true);
    skip(head_request);
    body_limit(max_body);
  }
  int status() const { return status_; }
  std::uint64_t body_bytes() const { return body_bytes_; }

 private:
  using ErrorCode = boost::system::error_code;
  using StringView = boost::beast::string_view;

  void on_request_impl(boost::beast::http::verb, StringView, StringView, int, ErrorCode&) override {
  }
  // RFC 9110 §15: status codes are three digits and only 100-599 have meaning; Beast takes 000-999.
  // Status 0 would also read as "no response" in the results.
  void on_response_impl(int code, StringView, int, ErrorCode& ec) override {
    if (code < 100 || code > 599) ec = boost::beast::http::error::bad_status;
    status_ = code;
  }
  void on_field_impl(boost::beast::http::field, StringView name, StringView value,
                     ErrorCode&) override {
    if (capture_ != nullptr && capture_->headers) {
      capture_->header_list.emplace_back(std::string(name), std::string(value));
    }
  }
  void on_header_impl(ErrorCode&) override {
    streaming_ = capture_ != nullptr && capture_->stream != nullptr && status_ >= 200 &&
                 capture_->stream->on_stream_start(status_);
  }
  void on_body_init_impl(const boost::optional<std::uint64_t>&, ErrorCode&) override {}
  std::size_t on_body_impl(StringView body, ErrorCode&) override { return take(body); }
  void on_chunk_header_impl(std::uint64_t, StringView, ErrorCode&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, StringView body, ErrorCode&) override {
    return take(body);
  }
  std::size_t take(StringView body) {
    body_bytes_ += body.size();
    if (streaming_) {
      capture_->stream->on_body(std::string_view(body.data(), body.size()));
    } else if (capture_ != nullptr && capture_->body) {
      capture_->body_text.append(body.data(), body.size());
    }
    return body.size();
  }
  void on_finish_impl(ErrorCode&) override {}

  ResponseCapture* capture_;
  int status_ = 0;
  std::uint64_t body_bytes_ = 0;
  bool streaming_ = false;
};

}  // namespace detail

class ResponseParser {
 public:
  // A head (status line and headers) above this is `response_too_large`, as a body above
  // maxResponseBytes is.
  static constexpr std::uint32_t kHeaderLimit = std::uint32_t{64} << 10;
  // RFC 9110 sets no bound on interim responses; a server sending more than this before the final
  // one is not answering (`protocol`).
  static constexpr int kMaxInterimResponses = 32;

  ResponseParser(std::uint64_t max_body, bool head_request, ResponseCapture* capture = nullptr)
      : max_body_(max_body), head_request_(head_request), capture_(capture) {
    message_.emplace(max_body_, head_request_, capture_);
  }

  // As basic_parser::put: returns the bytes consumed; `ec` is need_more when the bytes end before
  // the final response does (keep the rest and call again with more).
  std::size_t put(boost::asio::const_buffer buffer, boost::system::error_code& ec) {
    const char* data = static_cast<const char*>(buffer.data());
    const std::size_t size = buffer.size();
    std::size_t offset = put_message(data, size, ec);
    while (!ec && is_interim()) {
      if (++interim_ > kMaxInterimResponses) {
        ec = boost::beast::http::error::bad_status;  // a protocol error, as any of Beast's
        break;
      }
      next_message();
      if (offset == size) break;
      offset += put_message(data + offset, size - offset, ec);
    }
    return offset;
  }
  void put_eof(boost::system::error_code& ec) { message_->put_eof(ec); }

  bool is_done() const { return message_->is_done() && !is_interim(); }
  bool got_some() const { return interim_ > 0 || message_->got_some(); }
  bool need_eof() const { return message_->need_eof(); }
  // After 101 Switching Protocols the connection no longer speaks HTTP/1.1.
  bool keep_alive() const { return message_->keep_alive() && message_->status() != 101; }
  int status() const { return message_->status(); }
  std::uint64_t body_bytes() const { return message_->body_bytes(); }

 private:
  bool is_interim() const {
    const int status = message_->status();
    return message_->is_done() && status >= 100 && status < 200 && status != 101;
  }

  // Beast applies its header limit to the bytes of one put, and a put consumes the complete fields
  // it finds: a head arriving in many reads could grow without bound. The limit passed to Beast is
  // what is left of kHeaderLimit after the bytes already consumed.
  std::size_t put_message(const char* data, std::size_t size, boost::system::error_code& ec) {
    if (message_->is_header_done()) return message_->put(boost::asio::buffer(data, size), ec);
    message_->header_limit(kHeaderLimit - head_bytes_);
    const std::size_t used = message_->put(boost::asio::buffer(data, size), ec);
    if (!message_->is_header_done() && (!ec || ec == boost::beast::http::error::need_more)) {
      head_bytes_ += static_cast<std::uint32_t>(used);
      if (head_bytes_ + (size - used) >= kHeaderLimit) ec = boost::beast::http::error::header_limit;
    }
    return used;
  }

  // An interim response is over: its headers are not the response's, and the next head has a limit
  // of its own.
  void next_message() {
    if (capture_ != nullptr) capture_->header_list.clear();
    message_.emplace(max_body_, head_request_, capture_);
    head_bytes_ = 0;
  }

  std::uint64_t max_body_;
  bool head_request_;
  ResponseCapture* capture_;
  std::optional<detail::MessageParser> message_;
  std::uint32_t head_bytes_ = 0;
  int interim_ = 0;
};

}  // namespace stampede
