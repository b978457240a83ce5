#pragma once
// gzip (RFC 1952) in memory, through zlib: the operator stores large results compressed in
// ConfigMaps, and `stampede report` reads such a result back as it reads plain JSON.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace stampede {

// True when `data` starts with gzip's magic bytes.
bool is_gzip(std::string_view data);

// `data` as one gzip member (best compression: results are written once, read rarely).
std::string gzip(std::string_view data);

// The uncompressed bytes of one or more concatenated gzip members. nullopt and *error when the
// data is not gzip, is cut short or corrupt, or would expand past `max_size` bytes (a small input
// may expand a thousandfold: the limit is what keeps a hostile one from taking the memory).
std::optional<std::string> gunzip(std::string_view data, std::size_t max_size, std::string* error);

}  // namespace stampede
