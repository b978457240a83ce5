#include "engine/classify_error.h"

#include <gtest/gtest.h>

#include <boost/asio/error.hpp>
#include <boost/beast/http/error.hpp>

namespace stampede {
namespace {

namespace error = boost::asio::error;
namespace http = boost::beast::http;

TEST(ErrorCategory, ConnectFailures) {
  EXPECT_EQ(classify_error(error::connection_refused, Phase::kConnect, false),
            ErrorCategory::kConnectRefused);
  EXPECT_EQ(classify_error(error::timed_out, Phase::kConnect, false),
            ErrorCategory::kConnectTimeout);
  EXPECT_EQ(classify_error(error::operation_aborted, Phase::kConnect, true),
            ErrorCategory::kConnectTimeout);
  EXPECT_EQ(classify_error(error::network_unreachable, Phase::kConnect, false),
            ErrorCategory::kConnectError);
}

// A server that accepts and resets at once (SO_LINGER 0) can make the connect itself report
// ECONNRESET: the connection existed, so this is a reset like the same RST seen by a read.
TEST(ErrorCategory, ResetBeforeTheConnectIsReportedIsAReset) {
  EXPECT_EQ(classify_error(error::connection_reset, Phase::kConnect, false), ErrorCategory::kReset);
  EXPECT_EQ(classify_error(error::connection_reset, Phase::kRequest, false), ErrorCategory::kReset);
}

TEST(ErrorCategory, ResponseFailures) {
  EXPECT_EQ(classify_error(http::error::header_limit, Phase::kRequest, false),
            ErrorCategory::kResponseTooLarge);
  EXPECT_EQ(classify_error(http::error::body_limit, Phase::kRequest, false),
            ErrorCategory::kResponseTooLarge);
  EXPECT_EQ(classify_error(http::error::bad_status, Phase::kRequest, false),
            ErrorCategory::kProtocol);
  EXPECT_EQ(classify_error(error::eof, Phase::kRequest, false), ErrorCategory::kReset);
  EXPECT_EQ(classify_error(error::operation_aborted, Phase::kRequest, true),
            ErrorCategory::kRequestTimeout);
}

// Out of handles, buffers or ports the machine is at fault, not the target: such a user backs
// off instead of failing again at once.
TEST(ErrorCategory, LocalResourceErrorsAreRecognisedInEitherCategory) {
  EXPECT_TRUE(is_local_resource_error(error::no_descriptors));  // EMFILE, as Asio reports it
  EXPECT_TRUE(
      is_local_resource_error(boost::system::error_code(ENFILE, boost::system::system_category())));
  EXPECT_TRUE(is_local_resource_error(error::no_buffer_space));
  EXPECT_TRUE(is_local_resource_error(
      boost::system::error_code(EADDRNOTAVAIL, boost::system::system_category())));
  EXPECT_TRUE(is_local_resource_error(
      boost::system::errc::make_error_code(boost::system::errc::too_many_files_open)));
  EXPECT_FALSE(is_local_resource_error(error::connection_refused));
  EXPECT_FALSE(is_local_resource_error(error::network_unreachable));
  EXPECT_FALSE(is_local_resource_error(error::eof));
}

}  // namespace
}  // namespace stampede
