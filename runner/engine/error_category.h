#pragma once
// Maps transport error codes to the categories results count.

#include "engine/asio.h"
#include "model/error_category.h"

namespace stampede {

enum class Phase : unsigned char { kConnect, kHandshake, kRequest };

// `timed_out`: our deadline sweep closed the socket. `response_started`: bytes of the response
// had arrived (an EOF then is a reset mid-response).
ErrorCategory classify_error(const ErrorCode& ec, Phase phase, bool timed_out);

// A failure of this machine, not of the target: out of file handles (EMFILE, ENFILE), socket
// buffers or memory, or local ports (EADDRNOTAVAIL).
bool is_local_resource_error(const ErrorCode& ec);

}  // namespace stampede
