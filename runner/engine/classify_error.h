#pragma once
// Maps the error codes of a connection (Asio, OpenSSL, Beast's parser) to the categories
// results count (stats/error_category.h).

#include "engine/asio.h"
#include "stats/error_category.h"

namespace stampede {

enum class Phase : unsigned char { kConnect, kHandshake, kRequest };

// `timed_out`: our deadline sweep closed the socket, so the error is a timeout in that phase
// whatever the code says.
ErrorCategory classify_error(const ErrorCode& ec, Phase phase, bool timed_out);

// A failure of this machine, not of the target: out of file handles (EMFILE, ENFILE), socket
// buffers or memory, or local ports (EADDRNOTAVAIL).
bool is_local_resource_error(const ErrorCode& ec);

}  // namespace stampede
