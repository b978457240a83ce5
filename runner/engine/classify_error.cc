#include "engine/classify_error.h"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/system/error_code.hpp>

namespace stampede {

ErrorCategory classify_error(const ErrorCode& ec, Phase phase, bool timed_out) {
  namespace error = asio::error;
  if (timed_out) {
    return phase == Phase::kRequest ? ErrorCategory::kRequestTimeout
                                    : ErrorCategory::kConnectTimeout;
  }
  if (ec.category() == asio::error::get_ssl_category() ||
      ec.category() == asio::ssl::error::get_stream_category()) {
    return ErrorCategory::kTls;
  }
  if (phase == Phase::kHandshake) return ErrorCategory::kTls;
  if (phase == Phase::kConnect) {
    if (ec == error::connection_refused) return ErrorCategory::kConnectRefused;
    // Accepted, then reset before Asio reported the connect: the server dropped the connection.
    if (ec == error::connection_reset) return ErrorCategory::kReset;
    if (ec == error::timed_out) return ErrorCategory::kConnectTimeout;
    return ErrorCategory::kConnectError;
  }
  if (ec == boost::beast::http::error::body_limit ||
      ec == boost::beast::http::error::header_limit) {
    return ErrorCategory::kResponseTooLarge;
  }
  if (ec.category() ==
      boost::beast::http::make_error_code(boost::beast::http::error::bad_version).category()) {
    return ErrorCategory::kProtocol;
  }
  return ErrorCategory::kReset;
}

bool is_local_resource_error(const ErrorCode& ec) {
  using boost::system::errc::errc_t;
  for (const errc_t e :
       {errc_t::too_many_files_open, errc_t::too_many_files_open_in_system, errc_t::no_buffer_space,
        errc_t::not_enough_memory, errc_t::address_not_available}) {
    if (ec == boost::system::errc::make_error_condition(e)) return true;  // any category
  }
  return false;
}

}  // namespace stampede
