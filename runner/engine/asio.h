#pragma once
// The Asio and Beast pieces the engine uses, in one place. <utility> must precede Asio with
// Boost 1.74 on gcc 12 (its coroutine headers use std::exchange without including it).
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <utility>

namespace stampede {

namespace asio = boost::asio;
using ErrorCode = boost::system::error_code;
// Sockets bound to the concrete executor type: the type-erased any_io_executor costs ~15 % of
// the CPU per request on this path (see the engine performance notes).
using Executor = asio::io_context::executor_type;
using TcpSocket = asio::basic_stream_socket<asio::ip::tcp, Executor>;
using SteadyTimer =
    asio::basic_waitable_timer<std::chrono::steady_clock,
                               asio::wait_traits<std::chrono::steady_clock>, Executor>;

}  // namespace stampede
