#pragma once
// The one place the target includes Asio and Beast, so the <utility> workaround below cannot be
// forgotten by a file that includes Asio first.

#include <utility>  // Boost 1.74's Asio coroutine headers use std::exchange without including it.
// (This comment keeps clang-format from sorting <utility> after the Boost headers.)
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace stampede::target {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// A coroutine's completion token that leaves the outcome in `ec` instead of throwing.
inline auto with_ec(error_code& ec) {
  return net::redirect_error(net::use_awaitable, ec);
}

}  // namespace stampede::target
