#pragma once
// An HTTP/1.1 response parser that allocates nothing: Beast's basic_parser does the grammar
// (status line, headers, Content-Length, chunked, keep-alive), this subclass keeps only the
// status and counts the body. One is emplaced per response.

#include <boost/beast/http/basic_parser.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stampede {

// Where a step that reads its response (extract, checks, metrics, Retry-After) keeps it. Owned
// by the user and reused, so its buffers keep their capacity.
struct ResponseCapture {
  bool body = false;
  bool headers = false;
  std::string body_text;
  std::vector<std::pair<std::string, std::string>> header_list;

  void reset(bool want_body, bool want_headers) {
    body = want_body;
    headers = want_headers;
    body_text.clear();
    header_list.clear();
  }
};

class ResponseParser final : public boost::beast::http::basic_parser<false> {
 public:
  ResponseParser(std::uint64_t max_body, bool head_request, ResponseCapture* capture = nullptr)
      : capture_(capture) {
    eager(true);
    skip(head_request);
    body_limit(max_body);
    header_limit(64 * 1024);
  }
  int status() const { return status_; }
  std::uint64_t body_bytes() const { return body_bytes_; }

 private:
  using ErrorCode = boost::system::error_code;
  using StringView = boost::beast::string_view;

  void on_request_impl(boost::beast::http::verb, StringView, StringView, int, ErrorCode&) override {
  }
  void on_response_impl(int code, StringView, int, ErrorCode&) override { status_ = code; }
  void on_field_impl(boost::beast::http::field, StringView name, StringView value,
                     ErrorCode&) override {
    if (capture_ != nullptr && capture_->headers) {
      capture_->header_list.emplace_back(std::string(name), std::string(value));
    }
  }
  void on_header_impl(ErrorCode&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>&, ErrorCode&) override {}
  std::size_t on_body_impl(StringView body, ErrorCode&) override {
    body_bytes_ += body.size();
    if (capture_ != nullptr && capture_->body) capture_->body_text.append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, StringView, ErrorCode&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, StringView body, ErrorCode&) override {
    body_bytes_ += body.size();
    if (capture_ != nullptr && capture_->body) capture_->body_text.append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(ErrorCode&) override {}

  ResponseCapture* capture_;
  int status_ = 0;
  std::uint64_t body_bytes_ = 0;
};

}  // namespace stampede
